import fs from 'node:fs';
import type { PrivateServer } from '../../db/setup/private-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __aidhubTestServer?: PrivateServer }).__aidhubTestServer;
  if (!server) return;
  await server.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
}
