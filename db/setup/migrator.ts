/**
 * The migrator every hub and department database is migrated with: drizzle-kit's files and journal
 * table as drizzle's own migrator reads and writes them, run so that a start stopped anywhere in a
 * migration resumes it on the next start.
 *
 * Why not drizzle's: it runs a migration's statements one after another and writes the journal row
 * after the last, but DDL is not transactional on MySQL, MariaDB or TiDB (each CREATE or ALTER
 * commits at once, and the backfills before it with it). A start killed between two statements left
 * the first applied and the migration unrecorded; the next start ran it from its first statement
 * again and stopped on `Duplicate column name`, `Table … already exists` or a duplicate key of a
 * backfill, for good, until someone mended the database by hand.
 *
 * How: a table of one row per journal (MIGRATION_PROGRESS_TABLE) says how many statements of the
 * migration being run are applied. A row change (INSERT, UPDATE, DELETE, REPLACE) runs in one
 * transaction with that count (with the journal row, when it is the migration's last), so it is
 * applied exactly once. Anything else (CREATE, ALTER, DROP …) commits by itself, so its count is
 * written just after: a process killed between the two leaves a statement applied and not counted,
 * which the next start runs again, and a statement whose effect is already there fails on MySQL,
 * MariaDB and TiDB alike with one of ALREADY_APPLIED's errors, read as applied. Each statement is
 * one ALTER, CREATE … at a time, and each of those is atomic on all three (MySQL 8 and MariaDB
 * 10.6+ atomic DDL; TiDB's multi-schema change), so such a statement is all there or not at all.
 * The same reading lets a migration an earlier release's migrator left half run go on from where it
 * stopped (its row changes had no count: those committed are run again, as they were then).
 *
 * Which migrations are applied: those whose `created_at` (the journal entry's `when`) the journal
 * records, each by its own value. drizzle's migrator, and this one before, took every migration made
 * before the journal's latest row as applied; a migration whose `when` is earlier than one already
 * applied (jobs 0006 was given 2026-12-07T10:00Z by hand, so the next jobs migration drizzle-kit
 * makes before then has an earlier one) was skipped on every database that had run that one, for good
 * and without a word.
 *
 * A database a later release has migrated is refused (DatabaseOfLaterRelease): its journal records,
 * after the last migration this release knows, one this release does not have. An earlier release
 * serving on it writes what the later one upgraded in its earlier form (a finding's fingerprint on a
 * stay as health holds it, next to the one the upgrade keyed: the officer's dismissal is lost; a
 * push without its sequence), and the later release, its upgrades done, never looks at those rows
 * again. Releases before this check cannot refuse (docs/operations.md "Upgrading": going back is a
 * restore).
 *
 * Rights: the hub's (db/setup/rights.ts): no DELETE or DROP; the count is set back to 0 when the
 * journal row is written, never deleted.
 */
import { readMigrationFiles } from 'drizzle-orm/migrator';
import mysql from 'mysql2/promise';
import { databaseOf } from '../config';
import { endConnection } from '../connect';

/** One row per journal table: the migration being run and how many of its statements are applied. */
export const MIGRATION_PROGRESS_TABLE = 'hub_migration_progress';

/**
 * The errors a DDL statement answers when what it makes is already there, or what it takes away
 * already gone (the same codes on MySQL 8, MariaDB 10.11 and TiDB): a statement applied by a process
 * stopped before it counted it.
 */
const ALREADY_APPLIED: ReadonlySet<number> = new Set([
  1050, // ER_TABLE_EXISTS_ERROR: CREATE TABLE
  1051, // ER_BAD_TABLE_ERROR: DROP TABLE
  1060, // ER_DUP_FIELDNAME: ADD column
  1061, // ER_DUP_KEYNAME: ADD UNIQUE / INDEX, CREATE INDEX
  1068, // ER_MULTIPLE_PRI_KEY: ADD PRIMARY KEY
  1091, // ER_CANT_DROP_FIELD_OR_KEY: DROP column / INDEX / FOREIGN KEY
  1826, // ER_FK_DUP_NAME: ADD CONSTRAINT … FOREIGN KEY (MySQL, TiDB)
]);

/** MariaDB's answer to a foreign key's name already taken: 1005 ER_CANT_CREATE_TABLE with InnoDB's errno 121. */
const isDuplicateForeignKeyOnMariaDb = (err: { errno?: number; message?: string }) => err.errno === 1005 && /errno: 121\b/.test(err.message ?? '');

/** Whether `err`, from a DDL statement, says its effect is already there. */
export function alreadyApplied(err: unknown): boolean {
  const e = err as { errno?: number; message?: string };
  return (typeof e.errno === 'number' && ALREADY_APPLIED.has(e.errno)) || isDuplicateForeignKeyOnMariaDb(e);
}

/** Whether a statement changes rows only (and so may run in a transaction with its count); comments before it skipped. */
export function changesRowsOnly(statement: string): boolean {
  const text = statement.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return /^(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(text);
}

/** A point of a migration run: after statement `statement` (from 0) of the migration made at `createdAt`, before or after its count was written. */
export interface MigrationPoint {
  createdAt: number;
  statement: number;
  counted: boolean;
}

/** Thrown where `stopAt` asked to stop: as a process killed there would, the run leaves its connection (and an open transaction) to the server. */
export class MigrationStopped extends Error {
  constructor(readonly at: MigrationPoint) {
    super(`migration run stopped after statement ${at.statement} of ${at.createdAt} (${at.counted ? 'counted' : 'not counted'})`);
  }
}

/**
 * The database's journal records, after the last migration this release knows, migrations this
 * release does not have: a later release has migrated it (see the file comment).
 */
export class DatabaseOfLaterRelease extends Error {
  /** Its code in the start's refusal, `error: DATABASE_OF_LATER_RELEASE: …` (README, Configuration): exit 2. */
  readonly code = 'DATABASE_OF_LATER_RELEASE';
  constructor(
    readonly database: string,
    readonly journal: string,
    /** The `when` of the latest migration the journal records that this release does not have. */
    readonly latestUnknown: number,
  ) {
    super(
      `the database '${database}' was migrated by a later release of AidHub (its journal ${journal} records a migration made ${new Date(latestUnknown).toISOString()} that this release does not have); ` +
        'this release would write rows in the forms that release upgraded: start that release or a later one, or go back by restoring the backup taken before the upgrade (docs/operations.md "Upgrading")',
    );
  }
}

/**
 * The database's journals lack migrations this release has, or its data upgrades are not all done:
 * this release's code has been put in place and its hub not started yet (docs/operations.md
 * "Upgrading", step 4). A tool that does not migrate (`npm run clients`, `subscriptions`, `import`,
 * the audit tools) refuses it rather than read a column not there yet ("Unknown column", exit 1) or
 * write a row in a form the migration or data upgrade, run after it, does not expect.
 */
export class DatabaseOfEarlierRelease extends Error {
  /** Its code in a tool's refusal, `error: DATABASE_OF_EARLIER_RELEASE: …`: exit 2. */
  readonly code = 'DATABASE_OF_EARLIER_RELEASE';
  constructor(
    readonly database: string,
    /** The journal lacking a migration, or the data upgrade not done. */
    readonly what: string,
  ) {
    super(
      `the database '${database}' is not yet migrated to this release of AidHub (${what}); ` +
        'start the hub of this release first (npm start migrates it), then run this again (docs/operations.md "Upgrading")',
    );
  }
}

/** A hub database this release's tools refuse: migrated by a later release, or not yet by this one. */
export const isDatabaseOfOtherRelease = (err: unknown): err is DatabaseOfLaterRelease | DatabaseOfEarlierRelease =>
  err instanceof DatabaseOfLaterRelease || err instanceof DatabaseOfEarlierRelease;

export interface MigrateOptions {
  /** Tests: asked at every point of the run; true stops it there (MigrationStopped), as a kill would. */
  stopAt?: (at: MigrationPoint) => boolean;
}

/** Creates a table when missing, checked first: CREATE TABLE IF NOT EXISTS needs the CREATE right even when it exists. */
export async function createTableWhenMissing(conn: mysql.Connection, table: string, ddl: string): Promise<void> {
  const [found] = (await conn.query('SELECT 1 AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table])) as unknown as [unknown[]];
  if (found.length === 0) await conn.query(ddl);
}

/** What a journal records, and the migration of it half run (MIGRATION_PROGRESS_TABLE), if any. */
export interface JournalState {
  recorded: { id: string; createdAt: string | null }[];
  progress: { createdAt: string; applied: number } | undefined;
}

/** A connection or a pool: the journals are read with plain queries. */
export interface JournalReader {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}

/** Reads a journal and its progress row; a table not there reads as empty (nothing is created). */
async function readJournal(conn: JournalReader, migrationsTable: string): Promise<JournalState> {
  return (await readJournals(conn, [migrationsTable])).get(migrationsTable)!;
}

/**
 * Reads journals and their progress rows in three statements whatever their number: which of them
 * are there, their rows (one UNION ALL), the progress rows. A table not there reads as empty. The
 * running hub reads its every journal this way every few seconds (access/release-watch.ts).
 */
export async function readJournals(conn: JournalReader, tables: readonly string[]): Promise<Map<string, JournalState>> {
  const [present] = (await conn.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)', [[...tables, MIGRATION_PROGRESS_TABLE]])) as [{ name: string }[]];
  const has = new Set(present.map((t) => t.name));
  const states = new Map<string, JournalState>(tables.map((t) => [t, { recorded: [], progress: undefined }]));
  const journals = tables.filter((t) => has.has(t));
  if (journals.length > 0) {
    const union = journals.map((t) => `SELECT ${mysql.escape(t)} AS journal, id, created_at AS createdAt FROM ${mysql.escapeId(t)}`).join(' UNION ALL ');
    const [rows] = (await conn.query(`${union} ORDER BY journal, id`)) as [{ journal: string; id: string; createdAt: string | null }[]];
    for (const { journal, id, createdAt } of rows) states.get(journal)!.recorded.push({ id: String(id), createdAt: createdAt === null ? null : String(createdAt) });
  }
  if (has.has(MIGRATION_PROGRESS_TABLE)) {
    const [rows] = (await conn.query(`SELECT journal, created_at AS createdAt, statements_applied AS applied FROM ${MIGRATION_PROGRESS_TABLE} WHERE journal IN (?)`, [tables])) as [{ journal: string; createdAt: string; applied: number }[]];
    for (const { journal, createdAt, applied } of rows) states.get(journal)!.progress = { createdAt: String(createdAt), applied: Number(applied) };
  }
  return states;
}

/** The `when` of each migration of a folder: what this release knows of the journal it is recorded in. */
export function knownMigrations(migrationsFolder: string): ReadonlySet<number> {
  return new Set(readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis));
}

/**
 * Whether the journal `migrationsTable` of `database`, as read (readJournals), lacks a migration of
 * `known` (an earlier release's, not migrated yet); throws DatabaseOfLaterRelease for a later
 * release's. The check of the tools that do not migrate and of the running hub (provision.ts judgeHubJournals).
 */
export function journalBehind(database: string, migrationsTable: string, known: ReadonlySet<number>, state: JournalState): boolean {
  return refuseLaterRelease(database, migrationsTable, known, state.recorded, state.progress);
}

/**
 * Throws DatabaseOfLaterRelease when the journal records every migration of `known` and, after the
 * last of them, one `known` lacks, or when a migration `known` lacks is half run: what a later
 * release leaves. Returns whether the journal lacks one of `known` (an earlier release's).
 */
function refuseLaterRelease(database: string, journal: string, known: ReadonlySet<number>, recorded: JournalState['recorded'], progress: JournalState['progress']): boolean {
  let lastKnown = -1;
  recorded.forEach((r, i) => {
    if (r.createdAt !== null && known.has(Number(r.createdAt))) lastKnown = i;
  });
  const unknownAfter = recorded.slice(lastKnown + 1).filter((r) => r.createdAt !== null && !known.has(Number(r.createdAt)));
  // A later release holds every migration of this one; a database still missing one of them is an
  // earlier main's, whose migration recorded after its last known one was taken out since (cases
  // 0012_alert_calendar_days_checked, 5 December 2026).
  const recordedAt = new Set(recorded.map((r) => Number(r.createdAt)));
  const behind = [...known].some((when) => !recordedAt.has(when));
  if (unknownAfter.length > 0 && !behind) throw new DatabaseOfLaterRelease(database, journal, Math.max(...unknownAfter.map((r) => Number(r.createdAt))));
  if (progress && Number(progress.applied) > 0 && !known.has(Number(progress.createdAt))) throw new DatabaseOfLaterRelease(database, journal, Number(progress.createdAt));
  return behind;
}

/**
 * Runs the migrations of `migrationsFolder` that `migrationsTable` (drizzle's journal) does not
 * record, each from its first statement not yet applied. Callers hold the migration lock
 * (db/setup/provision.ts withMigrationLock) where processes may start at once.
 */
export async function migrateResumably(url: string, migrationsFolder: string, migrationsTable: string, opts: MigrateOptions = {}): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  const journal = mysql.escapeId(migrationsTable);
  const conn = await mysql.createConnection({ uri: url, charset: 'utf8mb4', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  const stop = (at: MigrationPoint) => {
    if (opts.stopAt?.(at)) throw new MigrationStopped(at);
  };
  try {
    // drizzle's journal table, as drizzle makes it.
    await createTableWhenMissing(conn, migrationsTable, `CREATE TABLE IF NOT EXISTS ${journal} (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    await createTableWhenMissing(
      conn,
      MIGRATION_PROGRESS_TABLE,
      `CREATE TABLE IF NOT EXISTS ${MIGRATION_PROGRESS_TABLE} (journal varchar(64) NOT NULL, created_at bigint NOT NULL, statements_applied int unsigned NOT NULL, CONSTRAINT ${MIGRATION_PROGRESS_TABLE}_journal PRIMARY KEY (journal))`,
    );
    const { recorded, progress } = await readJournal(conn, migrationsTable);
    const known = new Set(migrations.map((m) => m.folderMillis));
    refuseLaterRelease(databaseOf(url), migrationsTable, known, recorded, progress);
    const applied = new Set(recorded.filter((r) => r.createdAt !== null).map((r) => Number(r.createdAt)));
    const count = (createdAt: number, applied: number) =>
      conn.query(
        `INSERT INTO ${MIGRATION_PROGRESS_TABLE} (journal, created_at, statements_applied) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE created_at = VALUES(created_at), statements_applied = VALUES(statements_applied)`,
        [migrationsTable, createdAt, applied],
      );
    for (const m of migrations) {
      if (applied.has(m.folderMillis)) continue;
      const from = progress && Number(progress.createdAt) === m.folderMillis ? progress.applied : 0;
      for (let i = from; i < m.sql.length; i++) {
        const statement = m.sql[i];
        const final = i === m.sql.length - 1;
        // The count after statement i; after the last, the journal row and the count set back.
        const record = async () => {
          if (final) {
            await conn.query(`INSERT INTO ${journal} (hash, created_at) VALUES (?, ?)`, [m.hash, m.folderMillis]);
            await count(m.folderMillis, 0);
          } else await count(m.folderMillis, i + 1);
        };
        if (changesRowsOnly(statement)) {
          await conn.query('START TRANSACTION');
          await conn.query(statement);
          stop({ createdAt: m.folderMillis, statement: i, counted: false });
          await record();
          await conn.query('COMMIT');
        } else {
          try {
            await conn.query(statement);
          } catch (err) {
            if (!alreadyApplied(err)) throw err;
          }
          stop({ createdAt: m.folderMillis, statement: i, counted: false });
          await conn.query('START TRANSACTION');
          await record();
          await conn.query('COMMIT');
        }
        stop({ createdAt: m.folderMillis, statement: i, counted: true });
      }
    }
  } finally {
    await endConnection(conn);
  }
}
