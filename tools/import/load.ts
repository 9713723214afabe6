/**
 * Loading validated import files. Everything is validated before anything is written; if any
 * file has any problem, nothing at all is loaded.
 *
 * Validation keeps no rows, so loading reads each file again, as a stream, and inserts it a chunk
 * at a time: memory holds one chunk, whatever the file's size. Should a file read differently the
 * second time (edited or replaced during the import), the load stops and rolls back (FILE_CHANGED).
 *
 * Each database touched (the hub's and each department's) gets one connection and one
 * transaction holding every file for that database. All transactions are opened, every file is
 * inserted, and only then are they committed one after the other; a failure before the commits
 * rolls every database back. The hub and the departments are separate databases, possibly
 * on separate servers, so there is no atomic commit across them: if a commit itself fails after
 * others succeeded, the error says which databases were committed. Re-running the same import is
 * always safe, because every insert is an upsert on the table's primary key.
 *
 * SQL: multi-row `INSERT ... ON DUPLICATE KEY UPDATE col = VALUES(col)`, which MySQL 8, MariaDB
 * 10.11 and TiDB all accept (MySQL 8.0.20+ deprecates VALUES() there in favour of a row alias
 * that MariaDB lacks, but still accepts it).
 */
import { sql, type SQL } from 'drizzle-orm';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import { createPool } from '../../db/connect';
import { refuseHubOfOtherRelease } from '../../db/setup/provision';
import { isDatabaseOfOtherRelease } from '../../db/setup/migrator';
import { maskIdNumber } from '../../domain/id-number';
import { redactUrl, sourceUrls } from '../../db/config';
import { todayIso } from '../../domain/dates';
import type { TableSpec, Target } from './spec';
import {
  FileChangedError,
  ProblemList,
  readValidatedFile,
  validateImportDir,
  type DirFile,
  type DirValidation,
  type ImportProblem,
  type ValidateOptions,
  type ValidRow,
} from './validate';

export interface ImportOptions extends ValidateOptions {
  /** Environment for SOURCE_<DEPT>_URL overrides (see db/config.ts); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Rows per INSERT statement. */
  chunkSize?: number;
  /** Progress lines (never holding personal data). */
  log?: (line: string) => void;
}

export interface LoadedFile {
  file: string;
  table: string;
  target: Target;
  rows: number;
}

export interface ImportResult {
  /** True when everything was loaded; false when problems were found and nothing was loaded. */
  ok: boolean;
  validation: DirValidation;
  /** Problems found (validation, then database checks): the first MAX_KEPT_PROBLEMS; empty when ok. */
  problems: ImportProblem[];
  /** Every problem found, including those not kept in `problems` (options.onProblem sees them all). */
  problemCount: number;
  loaded: LoadedFile[];
}

/** A failure while writing; every database not listed in `committed` was rolled back. */
export class ImportLoadError extends Error {
  override name = 'ImportLoadError';
  constructor(
    message: string,
    readonly committed: Target[],
  ) {
    super(message);
  }
}

export const DEFAULT_CHUNK_SIZE = 500;

/** MySQL's limit on placeholders in one statement. */
const MAX_PLACEHOLDERS = 65_535;

/** Masks anything shaped like an ID number (also inside a certificate number). */
export function maskIdNumbersIn(text: string): string {
  return text.replace(/\d{17}[\dXx]/g, (m) => maskIdNumber(m.toUpperCase()));
}

/**
 * A database error as something safe to print: its code and the server's message, ID numbers
 * masked. Never the driver's or drizzle's own message, which quotes the SQL and its parameters.
 */
export function describeDbError(err: unknown): string {
  type E = { cause?: unknown; code?: string; sqlMessage?: string; message?: string; params?: unknown };
  let e = err as E | undefined;
  // drizzle's DrizzleQueryError carries the query and its parameters in its message: use its cause.
  while (e && typeof e === 'object' && 'params' in e && e.cause) e = e.cause as E;
  if (!e || typeof e !== 'object') return 'unknown error';
  if (e.sqlMessage) return maskIdNumbersIn(`${e.code ?? 'ER'}: ${e.sqlMessage}`);
  if ('params' in e) return 'database error';
  return maskIdNumbersIn(`${e.code ? `${e.code}: ` : ''}${e.message ?? 'error'}`);
}

function targetUrl(target: Target, hubUrl: string, env: NodeJS.ProcessEnv): string {
  return target === 'HUB' ? hubUrl : sourceUrls(hubUrl, env)[target];
}

/** The upsert for one chunk of rows: every non-key column takes the new value. */
function upsert(db: MySql2Database<Record<string, never>>, spec: TableSpec, rows: readonly ValidRow[]) {
  const values = rows.map((r) => Object.fromEntries(spec.columns.map((c) => [c.key, r.values[c.name]])));
  const set: Record<string, SQL> = {};
  for (const c of spec.columns) if (!spec.primaryKey.includes(c.name)) set[c.key] = sql`values(${sql.identifier(c.name)})`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return db.insert(spec.drizzleTable).values(values as any).onDuplicateKeyUpdate({ set });
}

/**
 * Households are matched on `id`, but `registration_no` is unique too: a file giving an existing
 * registration number under another id would make MySQL update whichever row it meets first. Such
 * rows are refused, before anything is written. Reads household.csv once more, a chunk at a time.
 */
async function householdConflicts(conn: mysql.PoolConnection, file: DirFile, today: string, problems: ProblemList): Promise<void> {
  const check = async (chunk: readonly ValidRow[]) => {
    const [found] = (await conn.query('SELECT id, registration_no FROM household WHERE registration_no IN (?)', [
      chunk.map((r) => r.values.registration_no),
    ])) as unknown as [{ id: number | string; registration_no: string }[]];
    // The column's collation is case-insensitive: so is the match.
    const idByReg = new Map(found.map((f) => [f.registration_no.toLowerCase(), Number(f.id)]));
    for (const r of chunk) {
      const existing = idByReg.get((r.values.registration_no as string).toLowerCase());
      if (existing !== undefined && existing !== r.values.id) {
        problems.add({
          file: file.file,
          line: r.line,
          column: 'registration_no',
          code: 'REGISTRATION_CONFLICT',
          message: `the database already has this registration number on household id ${existing}`,
        });
      }
    }
  };
  await inChunks(file, today, DEFAULT_CHUNK_SIZE, check);
}

/**
 * A membership names a household and a person the hub must hold: the API lists a household's
 * members by joining `person`, so a `household_member` row whose person is in no file and not in
 * the database loaded, and the member was silently missing from the household (`members: []`).
 * Asked on the hub's transaction once household.csv and person.csv of the same import are in it
 * (they load first), so rows loaded earlier and rows of this import both count.
 */
async function membershipReferences(conn: mysql.PoolConnection, file: DirFile, chunk: readonly ValidRow[], problems: ProblemList): Promise<void> {
  const held = async (sqlText: string, keys: unknown[]) => {
    const [found] = (await conn.query(sqlText, [[...new Set(keys)]])) as unknown as [{ k: string | number }[]];
    return new Set(found.map((f) => String(f.k).toUpperCase()));
  };
  const households = await held('SELECT id AS k FROM household WHERE id IN (?)', chunk.map((r) => r.values.household_id));
  const people = await held('SELECT id_number AS k FROM person WHERE id_number IN (?)', chunk.map((r) => r.values.id_number));
  for (const r of chunk) {
    if (!households.has(String(r.values.household_id))) {
      problems.add({ file: file.file, line: r.line, column: 'household_id', code: 'UNKNOWN_HOUSEHOLD', message: 'no such household in household.csv or in the hub' });
    }
    if (!people.has(String(r.values.id_number))) {
      problems.add({ file: file.file, line: r.line, column: 'id_number', code: 'UNKNOWN_PERSON', message: 'no such person in person.csv or in the hub; the member would not be shown' });
    }
  }
}

/** Reads a validated file again, handing its rows on in chunks of `size`, each awaited. */
async function inChunks(file: DirFile, today: string, size: number, each: (chunk: readonly ValidRow[]) => Promise<void>): Promise<void> {
  let chunk: ValidRow[] = [];
  await readValidatedFile(file, today, async (row) => {
    chunk.push(row);
    if (chunk.length >= size) {
      const full = chunk;
      chunk = [];
      await each(full);
    }
  });
  if (chunk.length > 0) await each(chunk);
}

/**
 * Validates every file in `dir` and, if there is no problem at all, loads them all. Returns the
 * problems (and loads nothing) when there are any; throws ImportLoadError when writing fails.
 */
export async function importDir(dir: string, hubUrl: string, options: ImportOptions = {}): Promise<ImportResult> {
  const log = options.log ?? (() => {});
  const env = options.env ?? process.env;
  // One day for every pass over the files, so that a row valid when checked is valid when loaded.
  const today = options.today ?? todayIso();
  const validation = await validateImportDir(dir, { ...options, today });
  if (!validation.ok) return { ok: false, validation, problems: validation.problems, problemCount: validation.problemCount, loaded: [] };
  const problems = new ProblemList(options.onProblem);
  const refused = (): ImportResult => ({ ok: false, validation, problems: problems.kept, problemCount: problems.count, loaded: [] });

  // One connection and transaction per database, in load order.
  const targets: Target[] = [];
  for (const f of validation.files) if (!targets.includes(f.spec.target)) targets.push(f.spec.target);
  const open: { target: Target; url: string; pool: mysql.Pool; conn: mysql.PoolConnection | null }[] = targets.map((target) => {
    const url = targetUrl(target, hubUrl, env);
    return { target, url, pool: createPool(url, { connectionLimit: 1 }), conn: null };
  });
  const rollbackAll = () => Promise.all(open.filter((o) => o.conn).map((o) => o.conn!.rollback().catch(() => {})));
  const committed: Target[] = [];
  let current = '';
  try {
    for (const o of open) {
      current = `connecting to ${o.target} (${redactUrl(o.url)})`;
      o.conn = await o.pool.getConnection();
      await o.conn.beginTransaction();
    }
    // Before anything is written: the hub's tables as this release made them (provision.ts).
    current = 'checking the hub database';
    if (targets.includes('HUB')) await refuseHubOfOtherRelease(hubUrl);

    const household = validation.files.find((f) => f.spec.table === 'household');
    if (household) {
      current = `checking ${household.file}`;
      await householdConflicts(open.find((o) => o.target === 'HUB')!.conn!, household, today, problems);
      if (problems.count > 0) {
        await rollbackAll();
        return refused();
      }
    }

    const loaded: LoadedFile[] = [];
    for (const file of validation.files) {
      const spec = file.spec;
      const o = open.find((x) => x.target === spec.target)!;
      const db = drizzle(o.conn!);
      const chunkSize = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_SIZE, Math.floor(MAX_PLACEHOLDERS / spec.columns.length)));
      let rows = 0;
      current = `loading ${file.file}`;
      await inChunks(file, today, chunkSize, async (chunk) => {
        current = `loading ${file.file} (rows from line ${chunk[0].line} to line ${chunk[chunk.length - 1].line})`;
        if (spec.table === 'household_member') await membershipReferences(o.conn!, file, chunk, problems);
        await upsert(db, spec, chunk);
        rows += chunk.length;
      });
      if (problems.count > 0) {
        await rollbackAll();
        return refused();
      }
      loaded.push({ file: file.file, table: spec.table, target: spec.target, rows });
      log(`${file.file}: ${rows} row${rows === 1 ? '' : 's'} -> ${spec.target === 'HUB' ? 'hub' : spec.target} ${spec.table}`);
    }

    // Judged again just before the commits (nothing of this import is visible yet): a later release
    // that migrated the hub database while the files loaded, its start not stopped by this process's
    // transaction, is refused as at the start, and every database rolled back. A load is one
    // transaction per database, so this one read fences it whole; what can still come between it
    // and the commits is the commits' own few statements.
    current = 'checking the hub database again';
    if (targets.includes('HUB')) await refuseHubOfOtherRelease(hubUrl);
    for (const o of open) {
      current = `committing ${o.target}`;
      await o.conn!.commit();
      committed.push(o.target);
    }
    return { ok: true, validation, problems: [], problemCount: 0, loaded };
  } catch (err) {
    await Promise.all(open.filter((o) => o.conn && !committed.includes(o.target)).map((o) => o.conn!.rollback().catch(() => {})));
    // Refused as npm start refuses it (tools/import.ts), not as a failed load.
    if (isDatabaseOfOtherRelease(err)) throw err;
    if (err instanceof FileChangedError) {
      // Only before any commit: files are read only before the first one.
      problems.add({
        file: err.file,
        code: 'FILE_CHANGED',
        message: 'the file changed while it was being imported (it no longer reads as it did when it was checked); nothing was loaded; run the import again',
      });
      return refused();
    }
    const rolledBack = targets.filter((t) => !committed.includes(t));
    const note =
      committed.length === 0
        ? 'nothing was loaded (every database rolled back)'
        : `already committed: ${committed.join(', ')}; rolled back: ${rolledBack.join(', ')}; re-run the import once the cause is fixed (it is idempotent)`;
    throw new ImportLoadError(`import failed while ${current}: ${describeDbError(err)}; ${note}`, committed);
  } finally {
    for (const o of open) o.conn?.release();
    await Promise.all(open.map((o) => o.pool.end().catch(() => {})));
  }
}
