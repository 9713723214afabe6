/**
 * Creates the hub database and brings its tables up to date; the department databases of demo
 * and test set-ups are created by federation/provision.ts with these same functions.
 */
import { sealStanding } from '../cases/seals';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { PROGRAMMES } from '../../domain/programmes';
import { databaseOf } from '../config';
import { createPool, endConnection, hubDrizzle } from '../connect';
import { BEGIN_LOCKING_SQL } from '../locking';
import { programme } from '../household/schema';
import { createTableWhenMissing, DatabaseOfEarlierRelease, DatabaseOfLaterRelease, journalBehind, knownMigrations, migrateResumably, readJournals, type JournalReader, type MigrateOptions } from './migrator';
import { DATA_UPGRADES, runDataUpgrades, type DataUpgradeReport } from './upgrades';

/**
 * The hub's tables come in sets, one per feature, each with its own drizzle-kit folder and its own
 * bookkeeping table, so features evolve their tables without renumbering each other's migrations.
 * The features with tables of their own, in the order their migrations run:
 */
const HUB_FEATURES = ['household', 'cases', 'access', 'findings', 'jobs', 'monitoring', 'alert-delivery', 'reported-aid', 'charity', 'case-loop', 'monitoring-monthly'] as const;

/** Each feature's migrations (db/<feature>/migrations), recorded in a journal table of its own (the household set's keeps drizzle's default name). */
export const HUB_MIGRATION_SETS = HUB_FEATURES.map((feature) => ({
  feature,
  folder: path.join(__dirname, '..', feature, 'migrations'),
  table: feature === 'household' ? '__drizzle_migrations' : `__drizzle_migrations_${feature.replace(/-/g, '_')}`,
}));

/** Runs `use` on a connection to the server a URL names, without its database (which may not exist), given the database's name. */
async function onServer<T>(url: string, use: (conn: mysql.Connection, name: string) => Promise<T>): Promise<T> {
  const u = new URL(url);
  const name = databaseOf(url);
  u.pathname = '/';
  const conn = await mysql.createConnection({ uri: u.toString() });
  try {
    return await use(conn, name);
  } finally {
    await endConnection(conn);
  }
}

/** CREATE DATABASE IF NOT EXISTS for the database a URL names, connecting without it. */
export async function ensureDatabase(url: string): Promise<void> {
  await onServer(url, (conn, name) => conn.query(`CREATE DATABASE IF NOT EXISTS ${mysql.escapeId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
}

/** Whether the server a URL names holds the database it names (connecting without it, creating nothing). */
export async function databaseExists(url: string): Promise<boolean> {
  return onServer(url, async (conn, name) => {
    const [rows] = (await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])) as unknown as [unknown[]];
    return rows.length > 0;
  });
}

/** Runs the migrations of a folder not yet applied to the database of `url`, resuming one a stopped start left half run (db/setup/migrator.ts). */
export async function migrateUrl(url: string, migrationsFolder: string, migrationsTable = '__drizzle_migrations', opts: MigrateOptions = {}): Promise<void> {
  await migrateResumably(url, migrationsFolder, migrationsTable, opts);
}

/** The programme catalogue lives in code (domain/programmes.ts) and is mirrored into the hub. */
async function syncProgrammes(hubUrl: string): Promise<void> {
  const pool = createPool(hubUrl, { connectionLimit: 1 });
  try {
    await drizzle(pool)
      .insert(programme)
      .values(PROGRAMMES.map((p) => ({ ...p })))
      .onDuplicateKeyUpdate({
        set: { department: sql`VALUES(department)`, name: sql`VALUES(name)`, kind: sql`VALUES(kind)`, purpose: sql`VALUES(purpose)` },
      });
  } finally {
    await pool.end();
  }
}

/**
 * The row hub processes starting at once lock in turn while they migrate (docs/scale-out.md,
 * "Start-up"). drizzle's migrator takes no lock: two replicas started together on an empty or older
 * database both read "not applied" and both ran the same DDL, and one stopped with exit code 1 on
 * `Table … already exists`. Its own table, made before any migration (every migration may be the
 * one being raced), with no AUTO_INCREMENT and one row; never dropped. A process killed in the middle
 * of a migration leaves it to the next to resume (db/setup/migrator.ts).
 */
export const MIGRATION_LOCK_TABLE = 'hub_migration_lock';

/** ER_LOCK_WAIT_TIMEOUT: the other process's migrations outlasted innodb_lock_wait_timeout; wait again. */
const LOCK_WAIT_TIMEOUT = 1205;

/**
 * Runs `work` (the migrations) holding the migration lock row: one process at a time, the others
 * waiting on the row (FOR UPDATE) for as long as the first migrates, then finding its migrations
 * applied. The lock is a transaction on a connection of its own, so a process killed meanwhile
 * releases it with its connection. DDL runs on other connections and locks no row of it.
 */
export async function withMigrationLock<T>(hubUrl: string, work: () => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: hubUrl, multipleStatements: true });
  try {
    // Created only when missing: CREATE TABLE IF NOT EXISTS needs the CREATE right even when the
    // table exists, which a user granted rights table by table may lack.
    await createTableWhenMissing(conn, MIGRATION_LOCK_TABLE, `CREATE TABLE IF NOT EXISTS ${MIGRATION_LOCK_TABLE} (id tinyint unsigned NOT NULL, CONSTRAINT ${MIGRATION_LOCK_TABLE}_id PRIMARY KEY (id))`);
    await conn.query(`INSERT IGNORE INTO ${MIGRATION_LOCK_TABLE} (id) VALUES (1)`);
    for (;;) {
      try {
        await conn.query(`${BEGIN_LOCKING_SQL}; SELECT id FROM hub_migration_lock WHERE id = 1 FOR UPDATE`);
        break;
      } catch (err) {
        if ((err as { errno?: unknown }).errno !== LOCK_WAIT_TIMEOUT) throw err;
        await conn.query('ROLLBACK');
      }
    }
    try {
      return await work();
    } finally {
      await conn.query('ROLLBACK');
    }
  } finally {
    await endConnection(conn);
  }
}

/** Runs `use` on a connection of its own to the hub database (big numbers as strings, as the journals' `created_at` are read). */
async function onHub<T>(hubUrl: string, use: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: hubUrl, supportBigNumbers: true, bigNumberStrings: true });
  try {
    return await use(conn);
  } finally {
    await endConnection(conn);
  }
}

/**
 * The `when` of each migration of each set, as this release has them: read from the files once per
 * process, at its first judgement (the start's). A process left running while the checkout is put
 * at a later release (docs/operations.md "Upgrading", step 3) would otherwise read that release's
 * files and take its migrations for its own.
 */
let knownSets: ReadonlyMap<string, ReadonlySet<number>> | null = null;
const knownHubMigrations = () => (knownSets ??= new Map(HUB_MIGRATION_SETS.map((s) => [s.table, knownMigrations(s.folder)])));

/**
 * The hub database's journals judged, reading only (four statements: the journals' tables, then db/setup/migrator.ts
 * readJournals): throws DatabaseOfLaterRelease for a database a later release migrated (a journal of
 * one of this release's sets recording, after its last migration this release knows, one it does not
 * have, or such a migration half run; or the journal of a set this release has none of, a feature a
 * later release added); else returns what its journals lack of this release's migrations, if
 * anything (an earlier release's database). The one judgement of the start (provisionHub, before it
 * migrates), of the tools (refuseHubOfOtherRelease) and of the running hub (access/release-watch.ts).
 */
export async function judgeHubJournals(conn: JournalReader, database: string): Promise<string | undefined> {
  const [journals] = (await conn.query(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_\\_drizzle\\_migrations%'`)) as [{ name: string }[]];
  const known = knownHubMigrations();
  const others = journals.map((j) => j.name).filter((name) => !known.has(name));
  const states = await readJournals(conn, [...known.keys(), ...others]);
  for (const name of others) {
    const made = states.get(name)!.recorded.filter((r) => r.createdAt !== null).map((r) => Number(r.createdAt));
    if (made.length > 0) throw new DatabaseOfLaterRelease(database, name, Math.max(...made));
  }
  let behind: string | undefined;
  for (const set of HUB_MIGRATION_SETS) if (journalBehind(database, set.table, known.get(set.table)!, states.get(set.table)!) && !behind) behind = `its journal ${set.table} lacks migrations of db/${set.feature}/migrations`;
  return behind;
}

/**
 * The check of the tools that open the hub database without migrating it (`npm run clients`,
 * `subscriptions`, `import`, `audit:verify`, `audit:export`; `scan` and `monitor:monthly` migrate, as
 * `npm start` does), made before they read or write anything, reading only: throws
 * DatabaseOfLaterRelease for a database a later release migrated, as `npm start` refuses it (an
 * earlier release's tool would write rows in the forms that release upgraded), unless `later` is
 * 'allowed' (a tool that only reads: the rows are there to read); and DatabaseOfEarlierRelease for
 * one this release has not migrated yet, or whose data upgrades are not all done (the code put in
 * place and its hub not started yet): this release's statements would miss its columns, and rows it
 * wrote would meet the migration or upgrade run after them in a form they do not expect.
 */
export async function refuseHubOfOtherRelease(hubUrl: string, opts: { later?: 'refused' | 'allowed' } = {}): Promise<void> {
  const database = databaseOf(hubUrl);
  await onHub(hubUrl, async (conn) => {
    try {
      const behind = await judgeHubJournals(conn, database);
      if (behind) throw new DatabaseOfEarlierRelease(database, behind);
    } catch (err) {
      if (err instanceof DatabaseOfLaterRelease && opts.later === 'allowed') return;
      throw err;
    }
    // Migrated: the data upgrades runDataUpgrades would run (a keyed one whose row it has not added yet, or any unfinished).
    const [rows] = (await conn.query('SELECT name, finished_at AS finishedAt FROM data_upgrade')) as unknown as [{ name: string; finishedAt: string | null }[]];
    const state = new Map(rows.map((r) => [r.name, r.finishedAt]));
    const pending = DATA_UPGRADES.find((u) => (u.family !== undefined && !state.has(u.name)) || state.get(u.name) === null);
    if (pending) throw new DatabaseOfEarlierRelease(database, `its data upgrade ${pending.name} is not done`);
  });
}

/**
 * Creates and migrates the hub database, then runs the data upgrades not done yet (db/setup/upgrades.ts:
 * prose stored before ID numbers in it were masked as they came in); returns how many rows each
 * table had changed by them, for the start to say (counts only, never a text). `signal`: a stop
 * requested during start-up, which the upgrades obey between batches.
 */
export async function provisionHub(hubUrl: string, opts: { signal?: AbortSignal } = {}): Promise<DataUpgradeReport> {
  await ensureDatabase(hubUrl);
  await withMigrationLock(hubUrl, async () => {
    // Judged as the tools and the running hub judge it; each set's migrator checks its own journal again.
    await onHub(hubUrl, (conn) => judgeHubJournals(conn, databaseOf(hubUrl)));
    for (const set of HUB_MIGRATION_SETS) await migrateUrl(hubUrl, set.folder, set.table);
  });
  await syncProgrammes(hubUrl);
  const pool = createPool(hubUrl, { connectionLimit: 1 });
  try {
    const hub = hubDrizzle(pool);
    // Before the data upgrades, which seal the case records they rewrite (db/cases/seals.ts).
    await sealStanding(hub);
    return await runDataUpgrades(hub, { signal: opts.signal });
  } finally {
    await pool.end();
  }
}

/** Drops the hub database and its department databases (tests and `--reset` only). */
export async function dropDatabases(urls: string[]): Promise<void> {
  for (const url of urls) await onServer(url, (conn, name) => conn.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`));
}
