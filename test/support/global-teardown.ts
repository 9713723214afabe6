import type { PrivateServer } from '../../db/setup/private-server';

/** Stops the run's throwaway server, which removes its data directory once it has exited. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __aidhubTestServer?: PrivateServer }).__aidhubTestServer;
  if (!server) return;
  await server.stop();
}
