/**
 * An inspection export of the audit trail: every row of a period, as JSON lines with the chain's
 * hashes, so an inspector verifies it offline, away from the hub's database.
 *
 *   npm run audit:export -- --from 2026-12-01 --to 2026-12-31 --out trail-2026-12.jsonl
 *   npm run audit:export -- --check trail-2026-12.jsonl      # offline: no database
 *
 * The rows are a contiguous run of the chain, by seq: from the first row stamped on or after
 * `--from` (China's day; by time, then seq) up to the row before the first stamped on or after the
 * day after `--to` (the chain's last row while that day has not begun), so every row links to the one
 * before it and the first to the `prevHash` the header names (the last hash of the export before
 * it, or a signed checkpoint, anchors it). The runs of adjacent periods abut: the later begins with
 * the row after the earlier's last (a row stamped at the boundary's very instant is the later's),
 * none missing, none in both. Only the two boundary rows are found by time (access_log_at, one
 * index entry each), so a row of the period removed, or its time rewritten to put it out of the
 * period, leaves it in the run all the same, and `--check` names it (a gap, or a hash that no longer
 * matches); a row inside the run stamped outside the days (the clocks of a command-line tool and the
 * hub differ) is in it too. Read a page of 5,000 rows at a time by primary key and written as it is
 * read: the file, not memory, holds the period; it is written beside --out under a name of its own and
 * given --out's name only once whole (writingBeside), so one that fails midway leaves no --out. Export a period once it has ended: rows written
 * later and stamped in it would be in neither that export nor the next one.
 *
 * Lines: `{"t":"export",…}` (the days, the run's first and last seq, the first row's prevHash), one
 * `{"t":"row",…}` a row (every access_log column, as access/audit.ts rowHash reads it), and
 * `{"t":"end","rows":N,"lastHash":…}`: a file cut short has no end line, and `--check` says so.
 * Subjects are as stored: pseudonymised (HMAC) and masked, never an ID number in clear.
 *
 * The database is DATABASE_URL, or the private server `npm start` is running.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { once } from 'node:events';
import { and, asc, gte, lte, sql } from 'drizzle-orm';
import { rowFault, type AuditRow } from '../access/audit';
import { dbTime, type AccessDb } from '../db/access/db';
import { readDbNow } from '../db/instants';
import { accessLog } from '../db/access/schema';
import { addDays, isIsoDate, type IsoDate } from '../domain/dates';
import { userPath } from '../domain/user-path';
import { parseCommandLine, printToConsole, quietWhenReaderLeaves, usageErrorLine, UsageError, type Print } from './command-args';
import { runAgainstHub } from './run-against-hub';

export const USAGE = `usage: npm run audit:export -- --from YYYY-MM-DD --to YYYY-MM-DD --out FILE
       npm run audit:export -- --check FILE
  Writes the audit trail's rows of those days (China's, both included) to FILE as JSON lines, with
  the chain's hashes; --check verifies such a file offline (no database).
Exit code: 0 written (or the file verifies), 1 the file does not verify, 2 bad arguments, 3 the hub
database did not answer.`;

const OPTIONS = { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, check: { type: 'string' } } as const;

const PAGE = 5000;

/** The instant China's day `date` begins (UTC+8), as access_log.at's text. */
const dayStart = (date: IsoDate) => dbTime(new Date(`${date}T00:00:00+08:00`));

/** Writes `line` and a newline, waiting while the stream's buffer is full. */
async function writeLine(out: fs.WriteStream, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

/** The seq of the first row stamped at or after `at` (by time, then seq: access_log_at's first entry there); null: none is. */
async function firstStampedFrom(db: AccessDb, at: string): Promise<number | null> {
  const [row] = await db.select({ seq: accessLog.seq }).from(accessLog).where(gte(accessLog.at, at)).orderBy(asc(accessLog.at), asc(accessLog.seq)).limit(1);
  return row?.seq ?? null;
}

/** The run of seqs that is the export of `days` (the file's header says why so), or null when it holds no row. */
async function runOf(db: AccessDb, days: { from: IsoDate; to: IsoDate }): Promise<{ first: number; last: number } | null> {
  const first = await firstStampedFrom(db, dayStart(days.from));
  if (first === null) return null;
  // A period whose next day has not begun (by the database's clock) runs to the chain's last row:
  // a row of it re-stamped into the future would otherwise end the run before itself.
  const after = dayStart(addDays(days.to, 1));
  const next = after <= dbTime(await readDbNow(db)) ? await firstStampedFrom(db, after) : null;
  const [end] = next !== null ? [{ last: next - 1 }] : await db.select({ last: sql<number>`MAX(${accessLog.seq})` }).from(accessLog);
  const last = Number(end.last);
  return last >= first ? { first, last } : null;
}

/** Writes the export of `days` to `file`; returns the rows written and the run's seqs (null: no row in those days). */
export async function exportTrail(db: AccessDb, days: { from: IsoDate; to: IsoDate }, file: string): Promise<{ rows: number; first: number | null; last: number | null }> {
  const run = await runOf(db, days);
  const written = await writingBeside(file, (out) => writeRun(db, days, run, out));
  return { rows: written, first: run?.first ?? null, last: run?.last ?? null };
}

/**
 * The file written under a name of its own beside `file` (`.<name>.<pid>.partial`, same directory,
 * so same file system) and given `file`'s name only once `write` finished: an export that failed (the
 * database gone after a page) or was stopped midway left its rows so far at `file`, a file that looks
 * like an export, and the run again was refused OUTPUT_EXISTS until someone removed it. A failure
 * removes the partial file; a process killed (SIGKILL) leaves it, never `file`. `file` is still never
 * overwritten: it is linked, not renamed, to its name (a file made there meanwhile: OUTPUT_EXISTS).
 */
async function writingBeside<T>(file: string, write: (out: fs.WriteStream) => Promise<T>): Promise<T> {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  const out = fs.createWriteStream(partial, { flags: 'wx' });
  await once(out, 'open');
  try {
    let result: T;
    try {
      result = await write(out);
    } finally {
      out.end();
      await once(out, 'close');
    }
    try {
      fs.linkSync(partial, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UsageError(`OUTPUT_EXISTS: --out: ${file} was made while the export was written; the export does not overwrite a file`);
      // A file system without hard links: copied, still refusing to overwrite.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
      fs.copyFileSync(partial, file, fs.constants.COPYFILE_EXCL);
    }
    return result;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** Writes the run's header, rows and end line to `out`; returns the rows written. */
async function writeRun(db: AccessDb, days: { from: IsoDate; to: IsoDate }, run: { first: number; last: number } | null, out: fs.WriteStream): Promise<number> {
  const first = run?.first ?? null;
  const last = run?.last ?? null;
  let rows = 0;
  let lastHash: string | null = null;
  let next = first;
  let header = false;
  while (first !== null && last !== null && next !== null && next <= last) {
    const page: AuditRow[] = await db.select().from(accessLog).where(and(gte(accessLog.seq, next), lte(accessLog.seq, last))).orderBy(asc(accessLog.seq)).limit(PAGE);
    if (!header) {
      await writeLine(out, JSON.stringify({ t: 'export', from: days.from, to: days.to, firstSeq: first, lastSeq: last, prevHash: page[0]?.prevHash ?? null }));
      header = true;
    }
    for (const row of page) {
      await writeLine(out, JSON.stringify({ t: 'row', ...row }));
      rows += 1;
      lastHash = row.rowHash;
    }
    next = page.length < PAGE ? null : page[page.length - 1].seq + 1;
  }
  if (!header) await writeLine(out, JSON.stringify({ t: 'export', from: days.from, to: days.to, firstSeq: null, lastSeq: null, prevHash: null }));
  await writeLine(out, JSON.stringify({ t: 'end', rows, lastHash }));
  return rows;
}

/**
 * Verifies an export offline: every row's hash over its content, each linked to the one before
 * (the first to the header's prevHash), seqs without a gap from the header's first to its last, and
 * the end line's count and last hash. Returns the rows and last hash when it verifies, else the
 * line where it does not and why.
 */
export async function checkExport(file: string): Promise<{ rows: number; head: string | null } | { line: number; problem: string }> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  let header: { firstSeq: number | null; lastSeq: number | null; prevHash: string | null } | null = null;
  let prev: string | null = null;
  let expected: number | null = null;
  let rows = 0;
  let ended = false;
  for await (const text of lines) {
    n += 1;
    if (text.trim() === '') continue;
    if (ended) return { line: n, problem: 'a line after the end line' };
    let line: any;
    try {
      line = JSON.parse(text);
    } catch {
      return { line: n, problem: 'not JSON' };
    }
    if (header === null) {
      if (line.t !== 'export') return { line: n, problem: 'not an audit export: the first line is not its header' };
      header = line;
      prev = line.prevHash;
      expected = line.firstSeq;
      continue;
    }
    if (line.t === 'end') {
      if (expected !== null && header.lastSeq !== null && expected !== header.lastSeq + 1) return { line: n, problem: `rows ${expected}..${header.lastSeq} are missing` };
      if (line.rows !== rows) return { line: n, problem: `the end line counts ${line.rows} rows, the file holds ${rows}` };
      if (line.lastHash !== prev && rows > 0) return { line: n, problem: 'the end line’s last hash is not the last row’s' };
      ended = true;
      continue;
    }
    if (line.t !== 'row') return { line: n, problem: `unknown line type ${JSON.stringify(line.t)}` };
    const { seq } = line;
    const fault = rowFault(line, expected, prev);
    if (fault === 'OUT_OF_SEQUENCE') return { line: n, problem: `row ${seq} where row ${expected} was due: rows removed or inserted` };
    if (fault === 'CHANGED') return { line: n, problem: `row ${seq} was changed: its content no longer matches its hash` };
    if (fault === 'BROKEN_LINK') return { line: n, problem: `row ${seq} does not link to the row before it` };
    prev = line.rowHash;
    expected = seq + 1;
    rows += 1;
  }
  if (header === null) return { line: n, problem: 'empty: no header' };
  if (!ended) return { line: n, problem: 'no end line: the file was cut short' };
  return { rows, head: prev };
}

/** What the arguments ask for: a file checked offline, or the rows of a window of days exported. */
type ExportArgs = { kind: 'check'; file: string; given: string } | { kind: 'export'; from: IsoDate; to: IsoDate; out: string; outGiven: string };

/**
 * The arguments judged alone, before a database is looked for (runAgainstHub's `judge`): a
 * UsageError for what no database could mend. With no hub to find, `--from 2026-02-30 …` and an
 * `--out` that exists were answered DATABASE_REQUIRED.
 */
function exportArgs(values: { from?: string; to?: string; out?: string; check?: string }): ExportArgs {
  if (values.check !== undefined) {
    // Options that exclude each other, as import's `--url` beside `--check` (it was UNEXPECTED_ARGUMENT, the code of a stray argument).
    const beside = (['from', 'to', 'out'] as const).filter((o) => values[o] !== undefined);
    if (beside.length > 0) throw new UsageError(`CONFLICTING_OPTIONS: --check verifies a file offline and takes only the file: ${beside.map((o) => `--${o}`).join(', ')} belong${beside.length === 1 ? 's' : ''} to an export`);
    const file = userPath(values.check);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`EXPORT_FILE_UNREADABLE: --check: ${values.check} is not a file`);
    return { kind: 'check', file, given: values.check };
  }
  if (!values.from || !values.to || !values.out) throw new UsageError('ARGUMENT_REQUIRED: --from, --to and --out (or --check FILE)');
  for (const [name, value] of [['--from', values.from], ['--to', values.to]] as const) {
    if (!isIsoDate(value)) throw new UsageError(`MALFORMED_DATE: ${name}: a calendar date, YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  if (values.from > values.to) throw new UsageError('EMPTY_WINDOW: --from is after --to');
  const out = userPath(values.out);
  if (fs.existsSync(out)) throw new UsageError(`OUTPUT_EXISTS: --out: ${values.out} exists; the export does not overwrite a file`);
  return { kind: 'export', from: values.from as IsoDate, to: values.to as IsoDate, out, outGiven: values.out };
}

/** Runs one command; returns the exit code. */
export async function auditExportCommand(argv: string[], db: AccessDb | null, print: Print): Promise<number> {
  try {
    const args = exportArgs(parseCommandLine(USAGE, OPTIONS, argv));
    if (args.kind === 'check') {
      const result = await checkExport(args.file);
      if ('problem' in result) {
        print(`audit export does NOT verify at line ${result.line}: ${result.problem}`);
        return 1;
      }
      print(`audit export verifies: ${result.rows} rows, each linked to the one before; last hash ${result.head ?? '-'}`);
      return 0;
    }
    if (db === null) throw new Error('no hub database');
    const done = await exportTrail(db, { from: args.from, to: args.to }, args.out);
    print(done.first === null ? `no audit rows on ${args.from}..${args.to}; wrote an empty export to ${args.outGiven}` : `wrote rows ${done.first}..${done.last} (${done.rows}) to ${args.outGiven}`);
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    print(usageErrorLine(err), 'stderr');
    print(USAGE, 'stderr');
    return 2;
  }
}

if (require.main === module) {
  // The offline check is told from the line as the parser reads it (`--check FILE`, `--check=FILE`):
  // looking for the exact word `--check` missed `--check=FILE`, which then needed a hub database
  // (DATABASE_REQUIRED with none to find). A misspelt option or `--help` is answered here, as runAgainstHub would.
  if (parseCommandLine(USAGE, OPTIONS).check !== undefined) {
    quietWhenReaderLeaves();
    void auditExportCommand(process.argv.slice(2), null, printToConsole).then((code) => (process.exitCode = code));
  } else {
    void runAgainstHub('audit:export', auditExportCommand, { usage: USAGE, options: OPTIONS, positionals: false, failedExit: 3, laterRelease: 'allowed', judge: (argv) => void exportArgs(parseCommandLine(USAGE, OPTIONS, argv)) });
  }
}
