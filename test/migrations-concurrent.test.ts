/**
 * Hub processes starting at once on one empty database (replicas of a Deployment, a service started
 * on two machines): their migrations take turns. The first is stopped in the middle of its first
 * migration (between two of its CREATE TABLEs, the migration not yet recorded), which is where the
 * second used to run the same DDL and stop on `Table 'household' already exists`; now it waits for
 * the first, then finds every migration applied, and both provisions succeed with each migration
 * recorded once.
 */
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { withDatabase } from '../db/config';
import { endConnection } from '../db/connect';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, provisionHub } from '../db/setup/provision';
import { testServerUrl } from './support/databases';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';

const url = withDatabase(testServerUrl(), `aidhub_t_migrate_race_${process.env.JEST_WORKER_ID ?? '0'}`);
let proxy: PausableProxy;
let watcher: mysql.Connection;

beforeAll(async () => {
  await dropDatabases([url]);
  await ensureDatabase(url);
  proxy = await startPausableProxy(url);
  watcher = await mysql.createConnection({ uri: url });
});

afterAll(async () => {
  proxy?.resume();
  await proxy?.close();
  if (watcher) await endConnection(watcher);
  await dropDatabases([url]);
});

/** Resolves once a transaction on this database waits for a row lock. */
async function someoneWaitsForALock(): Promise<void> {
  for (;;) {
    const [rows] = (await watcher.query(
      `SELECT COUNT(*) AS n FROM information_schema.innodb_trx t JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()`,
    )) as unknown as [{ n: number }[]];
    if (Number(rows[0].n) > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('runs the migrations of two processes starting at once one after the other, each recorded once', async () => {
  const stopped = proxy.pauseOn('CREATE TABLE `household_member`');
  const first = provisionHub(proxy.url(url));
  first.catch(() => undefined);
  await stopped;
  // The first has made `household` and not yet recorded its migration.
  const [made] = (await watcher.query(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'household'`)) as unknown as [unknown[]];
  expect(made).toHaveLength(1);

  const second = provisionHub(url);
  const outcome = await Promise.race([second.then(() => 'migrated beside the first', (err: Error) => `failed: ${err.message.split('\n')[0]} (${String((err.cause as Error | undefined)?.message)})`), someoneWaitsForALock().then(() => 'waiting for the first')]);
  expect(outcome).toBe('waiting for the first');

  proxy.resume();
  await first;
  await second;
  for (const set of HUB_MIGRATION_SETS) {
    const journal = JSON.parse(fs.readFileSync(path.join(set.folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    const [rows] = (await watcher.query(`SELECT COUNT(*) AS n FROM ${mysql.escapeId(set.table)}`)) as unknown as [{ n: number }[]];
    expect([set.feature, Number(rows[0].n)]).toEqual([set.feature, journal.entries.length]);
  }
}, 180_000);
