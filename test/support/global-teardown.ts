import type { PrivateServer } from '../../db/setup/private-server';
import { removeTemplates } from './database-templates';

/** Drops the template databases, then stops the run's throwaway server, which removes its data directory once it has exited. */
export default async function globalTeardown(): Promise<void> {
  await removeTemplates();
  const server = (globalThis as { __aidhubTestServer?: PrivateServer }).__aidhubTestServer;
  if (!server) return;
  await server.stop();
}
