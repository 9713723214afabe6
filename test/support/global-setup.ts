/**
 * Starts a throwaway private database server for the test run, unless AIDHUB_TEST_DATABASE_URL
 * names one (a server URL with a user allowed to create and drop `aidhub_t_*` databases).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPrivateServer } from '../../db/setup/private-server';

export default async function globalSetup(): Promise<void> {
  if (process.env.AIDHUB_TEST_DATABASE_URL) return;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-test-db-'));
  const server = await startPrivateServer({ dataDir, ephemeral: true });
  process.env.AIDHUB_TEST_DATABASE_URL = server.url;
  (globalThis as { __aidhubTestServer?: typeof server }).__aidhubTestServer = server;
}
