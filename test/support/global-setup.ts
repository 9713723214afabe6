/**
 * Starts a throwaway private database server for the test run, unless AIDHUB_TEST_DATABASE_URL
 * names one (a server URL with a user allowed to create and drop `aidhub_t_*` databases). Its
 * temporary data directory goes with the server, also when the run is killed and globalTeardown
 * never runs (`startThrowawayServer`). Names the databases each test file's are copies of, which
 * the first file to need them makes (test/support/database-templates.ts).
 */
import { startThrowawayServer } from '../../db/setup/private-server';
import { nameTemplates, removeTemplates } from './database-templates';

export default async function globalSetup(): Promise<void> {
  nameTemplates();
  if (process.env.AIDHUB_TEST_DATABASE_URL) {
    // A run killed before its teardown left its templates there, named by its process id: a run
    // given the same id later (a container numbers its processes alike) took that recipe as made
    // and copied the migrations of then. Dropped first, they are made anew for this run.
    await removeTemplates(process.env.AIDHUB_TEST_DATABASE_URL);
    return;
  }
  // In MySQL 8's default sql_mode, as every private server (db/setup/private-server.ts MYSQL8_SQL_MODE):
  // every statement the tests send is held to it, and `npm start`'s server runs in the same.
  const server = await startThrowawayServer({ prefix: 'aidhub-test-db-' });
  process.env.AIDHUB_TEST_DATABASE_URL = server.url;
  (globalThis as { __aidhubTestServer?: typeof server }).__aidhubTestServer = server;
}
