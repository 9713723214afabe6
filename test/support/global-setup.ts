/**
 * Starts a throwaway private database server for the test run, unless AIDHUB_TEST_DATABASE_URL
 * names one (a server URL with a user allowed to create and drop `aidhub_t_*` databases). Its
 * temporary data directory goes with the server, also when the run is killed and globalTeardown
 * never runs (`startThrowawayServer`). Then migrates the databases each test file's are copies of
 * (test/support/database-templates.ts).
 */
import { startThrowawayServer } from '../../db/setup/private-server';
import { prepareTemplates } from './database-templates';

export default async function globalSetup(): Promise<void> {
  if (!process.env.AIDHUB_TEST_DATABASE_URL) {
    const server = await startThrowawayServer({ prefix: 'aidhub-test-db-' });
    process.env.AIDHUB_TEST_DATABASE_URL = server.url;
    (globalThis as { __aidhubTestServer?: typeof server }).__aidhubTestServer = server;
  }
  await prepareTemplates(process.env.AIDHUB_TEST_DATABASE_URL);
}
