import type { PrivateServer } from '../../db/setup/private-server';
import { removeTemplates } from './database-templates';

/**
 * Stops the run's throwaway server, which removes its data directory once it has exited; on a
 * server AIDHUB_TEST_DATABASE_URL named, drops the template databases instead.
 */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __aidhubTestServer?: PrivateServer }).__aidhubTestServer;
  if (server) await server.stop();
  else if (process.env.AIDHUB_TEST_DATABASE_URL) await removeTemplates(process.env.AIDHUB_TEST_DATABASE_URL);
}
