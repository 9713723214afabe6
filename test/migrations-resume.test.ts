/**
 * A start stopped in the middle of a migration resumes it (db/setup/migrator.ts): every migration of
 * every set, the hub's and the departments', is run once cleanly into one database and once into
 * another by a process stopped at every point of it (after each statement, before its count was
 * written and after), each stop followed by a new run from what the last one left. The two
 * databases then hold the same tables (SHOW CREATE TABLE) and the same rows. Before a migration that
 * changes rows, both get the same rows in each table it names (and the tables those point to), made
 * from the columns alone, so that its backfill has rows to change: a backfill run twice, or not at
 * all, shows. drizzle's migrator stopped after the first statement of cases 0013
 * (`ADD key_sha256`) ran it again on the next start: `Duplicate column name 'key_sha256'`, for good.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { databaseOf, withDatabase } from '../db/config';
import { endConnection } from '../db/connect';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, migrateUrl } from '../db/setup/provision';
import { changesRowsOnly, MigrationStopped, type MigrationPoint } from '../db/setup/migrator';
import { DEPARTMENT_CODES } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';
import { testServerUrl } from './support/databases';

const worker = process.env.JEST_WORKER_ID ?? '0';
const cleanUrl = withDatabase(testServerUrl(), `aidhub_t_resume_clean_${worker}`);
const stoppedUrl = withDatabase(testServerUrl(), `aidhub_t_resume_stopped_${worker}`);

/** Every set in the order a hub runs them, then each department's (their tables' names differ from the hub's; their journals get names of their own here). */
const SETS = [
  ...HUB_MIGRATION_SETS.map((s) => ({ name: s.feature, folder: s.folder, table: s.table })),
  ...DEPARTMENT_CODES.map((c) => ({ name: c, folder: ADAPTERS[c].migrationsFolder, table: `__drizzle_migrations_dept_${c.toLowerCase()}` })).filter((d) => !HUB_MIGRATION_SETS.some((s) => s.folder === d.folder)),
];

interface JournalEntry {
  tag: string;
  when: number;
}

const folders: string[] = [];
let admin: mysql.Connection;

beforeAll(async () => {
  await dropDatabases([cleanUrl, stoppedUrl]);
  await ensureDatabase(cleanUrl);
  await ensureDatabase(stoppedUrl);
  admin = await mysql.createConnection({ uri: testServerUrl(), dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
}, 60_000);

afterAll(async () => {
  if (admin) await endConnection(admin);
  await dropDatabases([cleanUrl, stoppedUrl]);
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A set's folder as it was with its first `n` migrations. */
function setUpTo(folder: string, n: number): string {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-resume-'));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, 'meta'));
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, n) }));
  for (const e of journal.entries.slice(0, n)) fs.copyFileSync(path.join(folder, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

async function rows<T>(query: string, values: unknown[] = []): Promise<T[]> {
  const [r] = (await admin.query(query, values)) as unknown as [T[]];
  return r;
}

async function tablesOf(db: string): Promise<string[]> {
  return (await rows<{ name: string }>("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [db])).map((t) => t.name);
}

interface Column {
  name: string;
  type: string;
  columnType: string;
  extra: string;
  length: number | null;
}

/** A value for row `n` (1 or 2) of a column, from its type alone: the same in both databases. */
function valueFor(c: Column, n: number): unknown {
  const t = c.type.toLowerCase();
  if (t === 'enum' || t === 'set') {
    const options = [...c.columnType.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
    return options[(n - 1) % options.length];
  }
  if (/int$/.test(t)) return c.columnType.startsWith('tinyint(1)') ? n - 1 : n;
  if (t === 'decimal' || t === 'float' || t === 'double') return n;
  if (t === 'date') return `2024-01-0${n}`;
  if (t === 'datetime' || t === 'timestamp') return `2024-01-0${n} 08:00:00`;
  if (t === 'time') return `0${n}:00:00`;
  if (t === 'year') return 2020 + n;
  // MariaDB's JSON is LONGTEXT checked by JSON_VALID, and migrations read JSON from TEXT (a
  // watermark's row key): JSON in every TEXT column reads as either.
  if (t === 'json' || /text$/.test(t)) return JSON.stringify({ n });
  const text = `v${n}`;
  return c.length !== null ? text.slice(0, Number(c.length)) : text;
}

/**
 * Two rows in `table` and, first, in every table its foreign keys point to (their keys 1 and 2, as
 * every integer column of row n holds n); a row a key of the table refuses is left out (IGNORE),
 * alike in both databases.
 */
async function seed(db: string, table: string, seen = new Set<string>()): Promise<void> {
  if (seen.has(table)) return;
  seen.add(table);
  const parents = await rows<{ parent: string }>('SELECT DISTINCT REFERENCED_TABLE_NAME AS parent FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL', [db, table]);
  for (const p of parents) await seed(db, p.parent, seen);
  const columns = (
    await rows<Column>(
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_TYPE AS columnType, EXTRA AS extra, CHARACTER_MAXIMUM_LENGTH AS length FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [db, table],
    )
  ).filter((c) => !/GENERATED/i.test(c.extra));
  for (const n of [1, 2]) {
    await admin.query(`INSERT IGNORE INTO ${mysql.escapeId(db)}.${mysql.escapeId(table)} (${columns.map((c) => mysql.escapeId(c.name)).join(', ')}) VALUES (?)`, [columns.map((c) => valueFor(c, n))]);
  }
}

/** Rows for the backfills of migration `n` (from 1) of a set: in each existing table its row changes read or update. */
async function seedFor(db: string, folder: string, n: number): Promise<void> {
  const statements = readMigrationFiles({ migrationsFolder: folder })[n - 1].sql.filter(changesRowsOnly);
  // Not the table an INSERT fills: its rows are the migration's own (a seeded row would take their keys).
  const filled = new Set(statements.flatMap((s) => [...s.matchAll(/INSERT\s+(?:IGNORE\s+)?INTO\s+`([a-z0-9_]+)`/gi)].map((m) => m[1])));
  const named = new Set(statements.flatMap((s) => [...s.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1])).filter((t) => !filled.has(t)));
  const existing = new Set(await tablesOf(db));
  for (const table of [...named].filter((t) => existing.has(t)).sort()) await seed(db, table);
}

/** Every table of a database by its SHOW CREATE TABLE (AUTO_INCREMENT's next value left out: a rolled-back insert moves it) and its rows. */
async function snapshot(db: string): Promise<Record<string, { create: string; rows: string[] }>> {
  const out: Record<string, { create: string; rows: string[] }> = {};
  for (const name of await tablesOf(db)) {
    const [shown] = await rows<Record<string, string>>(`SHOW CREATE TABLE ${mysql.escapeId(db)}.${mysql.escapeId(name)}`);
    const held = (await rows<unknown>(`SELECT * FROM ${mysql.escapeId(db)}.${mysql.escapeId(name)}`)).map((r) => JSON.stringify(r)).sort();
    out[name] = { create: shown['Create Table'].replace(/ AUTO_INCREMENT=\d+/, ''), rows: held };
  }
  return out;
}

it('a migration stopped after any of its statements, counted or not, ends as a clean one when started again', async () => {
  const stoppedAt = new Set<string>();
  const key = (at: MigrationPoint) => `${at.createdAt}:${at.statement}:${at.counted}`;
  let stops = 0;
  let multiStatement = 0;
  for (const set of SETS) {
    const count = readMigrationFiles({ migrationsFolder: set.folder }).length;
    for (let n = 1; n <= count; n++) {
      const folder = setUpTo(set.folder, n);
      const statements = readMigrationFiles({ migrationsFolder: folder })[n - 1].sql.length;
      if (statements > 1) multiStatement++;
      await seedFor(databaseOf(cleanUrl), set.folder, n);
      await seedFor(databaseOf(stoppedUrl), set.folder, n);
      await migrateUrl(cleanUrl, folder, set.table);
      // Stopped at each point not stopped at yet, so each start goes one point further.
      for (let runs = 0; ; runs++) {
        expect(runs).toBeLessThanOrEqual(2 * statements + 1);
        try {
          await migrateUrl(stoppedUrl, folder, set.table, {
            stopAt: (at) => {
              if (stoppedAt.has(key(at))) return false;
              stoppedAt.add(key(at));
              return true;
            },
          });
          break;
        } catch (err) {
          if (!(err instanceof MigrationStopped)) throw err;
          stops++;
        }
      }
    }
  }
  // Each statement of each migration once before its count and once after.
  const total = SETS.reduce((sum, s) => sum + readMigrationFiles({ migrationsFolder: s.folder }).reduce((k, m) => k + m.sql.length, 0), 0);
  expect(stops).toBe(2 * total);
  expect(multiStatement).toBeGreaterThanOrEqual(60);
  const clean = await snapshot(databaseOf(cleanUrl));
  const seededRows = Object.values(clean).reduce((k, t) => k + t.rows.length, 0);
  expect(seededRows).toBeGreaterThan(100);
  expect(await snapshot(databaseOf(stoppedUrl))).toEqual(clean);
}, 600_000);

/**
 * Row changes in the middle of a migration that are not idempotent (a counter moved, rows inserted
 * without IGNORE) run exactly once however the process is stopped: none of the shipped migrations has
 * one today (their row changes between DDL would give the same rows run twice), a later one may.
 */
it('runs each row change of a migration once, wherever its process was stopped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-resume-probe-'));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, 'meta'));
  const statements = [
    'CREATE TABLE `resume_probe` (`id` int NOT NULL, `n` int NOT NULL, CONSTRAINT `resume_probe_id` PRIMARY KEY(`id`))',
    'INSERT INTO `resume_probe` (`id`, `n`) VALUES (1, 0), (2, 10)',
    'UPDATE `resume_probe` SET `n` = `n` + 1',
    'ALTER TABLE `resume_probe` ADD `m` int',
    'UPDATE `resume_probe` SET `m` = `n` * 2, `n` = `n` + 100',
    'CREATE INDEX `resume_probe_m` ON `resume_probe` (`m`)',
  ];
  fs.writeFileSync(path.join(dir, '0000_probe.sql'), statements.join('--> statement-breakpoint\n'));
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'mysql', entries: [{ idx: 0, version: '5', when: 1700000000000, tag: '0000_probe', breakpoints: true }] }));
  const db = databaseOf(stoppedUrl);
  const seen = new Set<string>();
  let stops = 0;
  for (;;) {
    try {
      await migrateUrl(stoppedUrl, dir, '__drizzle_migrations_probe', {
        stopAt: (at) => {
          const key = `${at.statement}:${at.counted}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        },
      });
      break;
    } catch (err) {
      if (!(err instanceof MigrationStopped)) throw err;
      stops++;
    }
  }
  expect(stops).toBe(2 * statements.length);
  expect(await rows(`SELECT id, n, m FROM ${mysql.escapeId(db)}.resume_probe ORDER BY id`)).toEqual([
    { id: 1, n: 101, m: 2 },
    { id: 2, n: 111, m: 22 },
  ]);
  expect(await rows(`SELECT COUNT(*) AS n FROM ${mysql.escapeId(db)}.__drizzle_migrations_probe`)).toEqual([{ n: '1' }]);
}, 120_000);
