/**
 * Each test file gets its own hub database and one database per department, each a real database on
 * the test server, a copy of the databases the run's globalSetup created and migrated from scratch
 * (test/support/database-templates.ts).
 */
import { sql } from 'drizzle-orm';
import { createFromTemplates } from './database-templates';
import { createPool, hubDrizzle, type HubDb } from '../../db/connect';
import { dropDatabases, HUB_MIGRATION_SETS, migrateUrl } from '../../db/setup/provision';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { closeSources, openSources, type Sources } from '../../federation/sources';
import type { SourceDb } from '../../federation/contract';
import { sourceUrls as defaultSourceUrls, withDatabase, type SourceConfig } from '../../db/config';
import type mysql from 'mysql2/promise';

export interface TestDatabases {
  hubUrl: string;
  sourceUrls: Record<DepartmentCode, string>;
  hub: HubDb;
  hubPool: mysql.Pool;
  sources: Record<DepartmentCode, SourceDb>;
  sourceSet: Sources;
  close(): Promise<void>;
}

/**
 * Tests wait this long for a department source, not production's 2 s: on a loaded machine a
 * 500-household read or eight concurrent pre-grant checks can take longer than that, and a source
 * that times out makes an answer partial, which a test would read as a wrong answer. Tests of the
 * timeout itself set their own (test/household.test.ts).
 */
export const TEST_SOURCE_TIMEOUT_MS = 60_000;

export function testServerUrl(): string {
  const url = process.env.AIDHUB_TEST_DATABASE_URL;
  if (!url) throw new Error('AIDHUB_TEST_DATABASE_URL is not set: run the tests through jest (its globalSetup starts a server)');
  return url;
}

export async function createTestDatabases(label: string): Promise<TestDatabases> {
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 24);
  const hubUrl = withDatabase(testServerUrl(), `aidhub_t_${safe}_${process.env.JEST_WORKER_ID ?? '0'}`);
  const sourceUrls = defaultSourceUrls(hubUrl, {});
  const all = [...new Set([hubUrl, ...Object.values(sourceUrls)])];
  await dropDatabases(all);
  await createFromTemplates(hubUrl);
  const hubPool = createPool(hubUrl);
  const configs = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { url: sourceUrls[c], timeoutMs: TEST_SOURCE_TIMEOUT_MS }])) as Record<DepartmentCode, SourceConfig>;
  const sourceSet = openSources(configs);
  return {
    hubUrl,
    sourceUrls,
    hub: hubDrizzle(hubPool),
    hubPool,
    sources: Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, sourceSet[c].db])) as Record<DepartmentCode, SourceDb>,
    sourceSet,
    async close() {
      await hubPool.end();
      await closeSources(sourceSet);
      await dropDatabases(all);
    },
  };
}

/** How long innodb_trx must go unread for InnoDB to refresh it (trx0i_s.cc: 100 ms), and a margin. */
const TRX_CACHE_IDLE_MS = 150;
let lastTrxRead = 0;

/**
 * Transactions of the hub database waiting for a lock (MariaDB and MySQL both list them in
 * innodb_trx); those of other test files' databases on the same server are not counted. A test
 * holding a row reads it to know every request it sent is waiting for that row.
 *
 * InnoDB refreshes the cache behind innodb_trx only when nobody has read it for 100 ms: a caller
 * polling faster keeps reading the transactions of its first read, and on a quiet machine never saw
 * a wait that began after it (organisation-lock.test.ts failed so on a quiet machine and passed on a
 * loaded one). So each read waits until the cache may have been refreshed since this process's last.
 */
export async function lockWaits(db: HubDb): Promise<number> {
  const idle = lastTrxRead + TRX_CACHE_IDLE_MS - Date.now();
  if (idle > 0) await new Promise((r) => setTimeout(r, idle));
  try {
    return await countLockWaits(db);
  } finally {
    lastTrxRead = Date.now();
  }
}

async function countLockWaits(db: HubDb): Promise<number> {
  const [rows] = (await db.execute(
    sql`select count(*) as n from information_schema.innodb_trx t join information_schema.processlist p on p.id = t.trx_mysql_thread_id where t.trx_state = 'LOCK WAIT' and p.db = database()`,
  )) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

/**
 * Migrates the hub's migration sets that come before `feature`'s, in the order a hub runs them
 * (db/setup/provision.ts): a test that takes one set through its releases starts from a database
 * as a hub's is, since a set's migrations may read the tables of the sets before it (monitoring's
 * 0008 reads cases' case_event to backfill decisions).
 */
export async function migrateSetsBefore(url: string, feature: string): Promise<void> {
  const at = HUB_MIGRATION_SETS.findIndex((s) => s.feature === feature);
  if (at < 0) throw new Error(`no hub migration set ${feature}`);
  for (const s of HUB_MIGRATION_SETS.slice(0, at)) await migrateUrl(url, s.folder, s.table);
}

/**
 * `column` (a column definition) with each `{name|name…}` in it replaced by the first of those
 * collations the server of `db` has: one collation under MariaDB's name and MySQL's
 * (`{utf8mb4_nopad_bin|utf8mb4_0900_bin}`). Run on MySQL 9.7, a department column declared with
 * MariaDB's `_nopad_` name was refused (ER_UNKNOWN_COLLATION).
 */
export async function withServerCollations(db: SourceDb, column: string): Promise<string> {
  let out = column;
  for (const [choice, list] of column.matchAll(/\{([\w|]+)\}/g)) {
    const names = list.split('|');
    const [rows] = (await db.execute(sql`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (${sql.join(names.map((n) => sql`${n}`), sql`, `)})`)) as unknown as [{ name: string }[]];
    const found = names.find((n) => rows.some((r) => r.name === n));
    if (!found) throw new Error(`the test server has none of the collations ${names.join(', ')}`);
    out = out.replace(choice, found);
  }
  return out;
}
