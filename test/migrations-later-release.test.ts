/**
 * Which migrations the migrator takes as applied, and a database a later release has migrated
 * (db/setup/migrator.ts). Found upgrading a hub of session 35 to main and starting the earlier
 * release on it again: it served, and its next scan stored the officer's dismissed finding again as
 * a new OPEN one under the fingerprint the upgrade had keyed (docs/operations.md "Upgrading").
 *
 * - A migration is applied when the journal records its own `when`: jobs 0006 carries a `when` of
 *   2026-12-07T10:00Z, set by hand, so the next jobs migration drizzle-kit makes before then has an
 *   earlier one, and the migrator (as drizzle's) skipped every migration older than the journal's
 *   latest row, on every database that had run 0006, without a word.
 * - A journal recording, after the last migration this release knows, one it does not have, a
 *   half-run migration it does not have, or the journal of a set it has not, is a later release's
 *   database: refused, before anything is written, and `npm start` ends with one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { withDatabase } from '../db/config';
import { endConnection } from '../db/connect';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, migrateUrl, provisionHub } from '../db/setup/provision';
import { DatabaseOfLaterRelease, MIGRATION_PROGRESS_TABLE } from '../db/setup/migrator';
import { testServerUrl } from './support/databases';
import { freePort } from './support/redis';

const ROOT = path.join(__dirname, '..');
const worker = process.env.JEST_WORKER_ID ?? '0';
const setUrl = withDatabase(testServerUrl(), `aidhub_t_later_set_${worker}`);
const hubUrl = withDatabase(testServerUrl(), `aidhub_t_later_hub_${worker}`);
const JOURNAL = '__drizzle_migrations_later';

const folders: string[] = [];
let conn: mysql.Connection;

beforeAll(async () => {
  await dropDatabases([setUrl, hubUrl]);
  await ensureDatabase(setUrl);
  conn = await mysql.createConnection({ uri: setUrl, supportBigNumbers: true, bigNumberStrings: true });
}, 60_000);

afterAll(async () => {
  if (conn) await endConnection(conn);
  await dropDatabases([setUrl, hubUrl]);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A migrations folder as drizzle-kit writes it: each migration creates table `t_<tag>`, made at `when`. */
function folderOf(migrations: { tag: string; when: number }[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-later-'));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, 'meta'));
  const entries = migrations.map((m, idx) => ({ idx, version: '5', when: m.when, tag: m.tag, breakpoints: true }));
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'mysql', entries }));
  for (const m of migrations) fs.writeFileSync(path.join(dir, `${m.tag}.sql`), `CREATE TABLE \`t_${m.tag}\` (id int PRIMARY KEY);`);
  return dir;
}

async function tables(): Promise<string[]> {
  const [rows] = (await conn.query(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 't\\_%' ORDER BY TABLE_NAME`)) as unknown as [{ name: string }[]];
  return rows.map((r) => r.name);
}

const first = { tag: '0000_first', when: 1_796_000_000_000 };
const handSet = { tag: '0001_hand_set', when: 1_796_637_600_000 };
const madeBefore = { tag: '0002_made_before', when: 1_796_600_000_000 };
const later = { tag: '0003_later', when: 1_796_700_000_000 };

it('runs a migration whose `when` is earlier than one the database has applied', async () => {
  await migrateUrl(setUrl, folderOf([first, handSet]), JOURNAL);
  expect(await tables()).toEqual(['t_0000_first', 't_0001_hand_set']);
  await migrateUrl(setUrl, folderOf([first, handSet, madeBefore]), JOURNAL);
  expect(await tables()).toEqual(['t_0000_first', 't_0001_hand_set', 't_0002_made_before']);
  // Run again: nothing left to run (a DDL run twice would be read as applied; the journal tells).
  await migrateUrl(setUrl, folderOf([first, handSet, madeBefore]), JOURNAL);
  const [[{ n }]] = (await conn.query(`SELECT COUNT(*) AS n FROM ${JOURNAL}`)) as unknown as [{ n: string }[]];
  expect(Number(n)).toBe(3);
});

it('refuses a database whose journal records, after its own, a migration this release does not have, writing nothing', async () => {
  await migrateUrl(setUrl, folderOf([first, handSet, madeBefore, later]), JOURNAL);
  const before = await tables();
  const earlier = folderOf([first, handSet, madeBefore]);
  const refused = migrateUrl(setUrl, earlier, JOURNAL);
  await expect(refused).rejects.toBeInstanceOf(DatabaseOfLaterRelease);
  await expect(migrateUrl(setUrl, earlier, JOURNAL)).rejects.toThrow(`journal ${JOURNAL} records a migration made ${new Date(later.when).toISOString()}`);
  expect(await tables()).toEqual(before);
  // The release that made it goes on.
  await expect(migrateUrl(setUrl, folderOf([first, handSet, madeBefore, later]), JOURNAL)).resolves.toBeUndefined();
});

it('refuses a migration this release does not have left half run, and not one recorded before its own', async () => {
  const journal = '__drizzle_migrations_later_b';
  await migrateUrl(setUrl, folderOf([first, handSet]), journal);
  // A later release stopped after the first statement of its migration.
  await conn.query(`UPDATE ${MIGRATION_PROGRESS_TABLE} SET created_at = ?, statements_applied = 1 WHERE journal = ?`, [later.when, journal]);
  await expect(migrateUrl(setUrl, folderOf([first, handSet]), journal)).rejects.toBeInstanceOf(DatabaseOfLaterRelease);
  await conn.query(`UPDATE ${MIGRATION_PROGRESS_TABLE} SET statements_applied = 0 WHERE journal = ?`, [journal]);
  // A migration an earlier main held and took out again, recorded before this release's own: not a sign of a later release.
  const journalC = '__drizzle_migrations_later_c';
  await migrateUrl(setUrl, folderOf([first]), journalC);
  await conn.query(`INSERT INTO ${journalC} (hash, created_at) VALUES ('taken-out', ?)`, [first.when + 1]);
  await migrateUrl(setUrl, folderOf([first, handSet]), journalC);
  await expect(migrateUrl(setUrl, folderOf([first, handSet]), journalC)).resolves.toBeUndefined();
});

describe('a hub database', () => {
  beforeAll(async () => {
    await provisionHub(hubUrl);
  }, 120_000);

  it('migrated by a later release, in one of its sets or in a set of its own, is refused before anything runs', async () => {
    const hub = await mysql.createConnection({ uri: hubUrl });
    try {
      const jobs = HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.table;
      await hub.query(`INSERT INTO ${jobs} (hash, created_at) VALUES ('later', 4102444800000)`);
      await expect(provisionHub(hubUrl)).rejects.toThrow(new RegExp(`migrated by a later release of AidHub \\(its journal ${jobs} records a migration made 2100-01-01`));
      await hub.query(`UPDATE ${jobs} SET created_at = NULL WHERE hash = 'later'`);
      await provisionHub(hubUrl);
      await hub.query(`CREATE TABLE __drizzle_migrations_later_feature (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      await hub.query(`INSERT INTO __drizzle_migrations_later_feature (hash, created_at) VALUES ('later', 4102444800000)`);
      await expect(provisionHub(hubUrl)).rejects.toBeInstanceOf(DatabaseOfLaterRelease);
    } finally {
      await endConnection(hub);
    }
  }, 120_000);

  it('ends `npm start` with one line, exit 2, and nothing served', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: hubUrl, PORT: String(port), NODE_ENV: 'development', AIDHUB_DATA_DIR: path.join(os.tmpdir(), `aidhub-later-unused-${worker}`) };
    for (const name of ['METRICS_PORT', 'AIDHUB_DEMO', 'RATE_LIMIT_REDIS_URL', 'AIDHUB_MONITOR_INTERVAL_MS', 'AUDIT_SIGNING_KEY_FILE']) delete env[name];
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], { cwd: ROOT, encoding: 'utf8', env, timeout: 90_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: DATABASE_OF_LATER_RELEASE: the database 'aidhub_t_later_hub_\d+' was migrated by a later release of AidHub .*restoring the backup taken before the upgrade/)]);
    expect(run.stdout).not.toContain('AidHub is listening');
  }, 120_000);
});
