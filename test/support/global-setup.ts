/**
 * Starts a throwaway private database server for the test run, unless AIDHUB_TEST_DATABASE_URL
 * names one (a server URL with a user allowed to create and drop `aidhub_t_*` databases). Its
 * temporary data directory goes with the server, also when the run is killed and globalTeardown
 * never runs (`startThrowawayServer`). Names the databases each test file's are copies of, which
 * the first file to need them makes (test/support/database-templates.ts).
 */
import { startThrowawayServer } from '../../db/setup/private-server';
import { nameTemplates, removeTemplates } from './database-templates';

/**
 * MySQL 8's default sql_mode (TiDB's holds the same checks). MariaDB 10.11's lacks
 * ONLY_FULL_GROUP_BY, NO_ZERO_IN_DATE and NO_ZERO_DATE: a query grouping by less than it selects ran
 * on the test server and was refused on MySQL 8 and TiDB. The tests' server runs in MySQL's mode,
 * so every statement the tests send is held to it (docs/scale-out.md). MariaDB's ONLY_FULL_GROUP_BY
 * is the stricter (it knows no functional dependence on a key), so what passes here passes there.
 */
export const MYSQL8_SQL_MODE = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export default async function globalSetup(): Promise<void> {
  nameTemplates();
  if (process.env.AIDHUB_TEST_DATABASE_URL) {
    // A run killed before its teardown left its templates there, named by its process id: a run
    // given the same id later (a container numbers its processes alike) took that recipe as made
    // and copied the migrations of then. Dropped first, they are made anew for this run.
    await removeTemplates(process.env.AIDHUB_TEST_DATABASE_URL);
    return;
  }
  const server = await startThrowawayServer({ prefix: 'aidhub-test-db-', serverArgs: [`--sql-mode=${MYSQL8_SQL_MODE}`] });
  process.env.AIDHUB_TEST_DATABASE_URL = server.url;
  (globalThis as { __aidhubTestServer?: typeof server }).__aidhubTestServer = server;
}
