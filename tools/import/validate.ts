/**
 * Validation of import files, as functions of the file's name and bytes (plus `today`, which
 * bounds birth dates in ID numbers). Nothing here touches a database.
 *
 * Files are read as a stream (csv-parse's stream parser, fed by fs.createReadStream), a row at a
 * time: a province's person.csv has millions of rows, and what is kept while reading is only what
 * a check across rows needs (each unique key seen, with the line it was first seen on) and the
 * problems. A valid row is handed to the caller and forgotten, so loading reads the file again.
 *
 * Problems are reported with the file, the line the record starts on (the header is line 1), the
 * column and a reason code. A value is never echoed back: a misaligned row can put an ID number
 * or a name in any column, and the report is meant to be pasted into tickets and chat.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { checkIdNumber, isOldIdNumber, typedIdNumber, type IdNumberProblem } from '../../domain/id-number';
import { addDays, isIsoDate, todayIso } from '../../domain/dates';
import { DATE_RANGE } from '../../domain/date-ranges';
import { fenToYuan, yuanToFen } from '../../domain/money';
import { INT_MAX, NOT_IMPORTED, TABLE_SPECS, TABLE_SPEC_BY_NAME, type ColumnSpec, type ColumnType, type TableSpec } from './spec';
import { charCount, textProblem } from '../../domain/text-length';
import { excelSerialDate, MANGLED_ID_NUMBER_MESSAGE, SERIAL_DATE_ADVICE, sheetCell, spreadsheetMangledIdNumber, withoutTextMark, type CellKind } from '../../domain/spreadsheet-values';

export interface ImportProblem {
  file: string;
  /** Line in the file where the record starts (header = 1); absent for problems with the whole file. */
  line?: number;
  column?: string;
  /** A stable reason code, e.g. CHECKSUM, REQUIRED, END_BEFORE_START. */
  code: string;
  message: string;
}

/** One valid data row: values by column name, parsed and normalised for the database. */
export interface ValidRow {
  line: number;
  values: Record<string, unknown>;
}

export interface FileValidation {
  file: string;
  /** The table the file loads, or null for an unrecognised file. */
  spec: TableSpec | null;
  /** Data rows read (valid or not). */
  rowCount: number;
  /** Problems found in the file. */
  problemCount: number;
}

/** A file of a folder, as validated: what loading needs to read it again and know it unchanged. */
export interface DirFile extends FileValidation {
  spec: TableSpec;
  /** Full path of the file. */
  path: string;
  /** SHA-256 of the bytes validated (hex). */
  sha256: string;
}

/** One file's content validated in memory (validateCsv): its problems and its valid rows. */
export interface CsvValidation extends FileValidation {
  /** The valid rows; only loaded when the whole import has no problem. */
  rows: ValidRow[];
  problems: ImportProblem[];
}

export interface DirValidation {
  dir: string;
  /** Recognised files, in load order. */
  files: DirFile[];
  /** Files skipped on purpose (README*, names starting with a dot). */
  ignored: string[];
  /**
   * Problems with the folder itself, then every file's, in load order: the first
   * MAX_KEPT_PROBLEMS of them (options.onProblem is given every one).
   */
  problems: ImportProblem[];
  /** Every problem found, including those not kept in `problems`. */
  problemCount: number;
  ok: boolean;
}

export interface ValidateOptions {
  /** Today's date (YYYY-MM-DD), bounding birth dates in ID numbers; defaults to today in China. */
  today?: string;
  /**
   * Given every problem as it is found (a file's, once the file is read or once it has more than
   * HELD_PROBLEMS), in the order `problems` lists them; a folder may have more than are kept.
   */
  onProblem?: (problem: ImportProblem) => void;
  /**
   * Asked after each row is read: a promise returned is awaited before the next row. The CLI's
   * answer is a promise while its problem lines wait for a slow reader (`npm run import -- --check
   * | less`, a slow terminal over ssh): without it, a file of bad rows was read faster than its
   * problems were taken and the lines queued in memory until the heap ran out.
   */
  outputReady?: () => Promise<void> | null;
}

/** How many problems a folder's validation keeps in `problems` (onProblem sees them all). */
export const MAX_KEPT_PROBLEMS = 10_000;

/**
 * How many of a file's problems are held back until the file has been read to its end. A file
 * that turns out not to be UTF-8 or not to be CSV is reported with that one problem only (its
 * rows could not all be read); past this many problems, they are passed on as they are found, and
 * such a problem follows them.
 */
export const HELD_PROBLEMS = 1_000;

/** `file:line: column: message (CODE)`, with the parts that apply. */
export function formatProblem(p: ImportProblem): string {
  return `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.column ? `${p.column}: ` : ''}${p.message} (${p.code})`;
}

// ---------------------------------------------------------------------------------------------
// Values

type Parsed = { ok: true; value: unknown } | { ok: false; code: string; message: string };

const ok = (value: unknown): Parsed => ({ ok: true, value });
const bad = (code: string, message: string): Parsed => ({ ok: false, code, message });

/** Fixed messages: checkIdNumber's own messages may quote digits of the number. */
const ID_MESSAGES: Record<IdNumberProblem, string> = {
  LENGTH: 'an ID number has 18 characters',
  CHARACTERS: 'an ID number is 17 digits followed by a digit or X',
  REGION: 'the address code (first 6 digits) is not a division code',
  BIRTH_DATE: 'digits 7-14 are not a possible birth date',
  CHECKSUM: 'check character does not match',
};

/** The earliest year accepted in a date (the earliest birth year an ID number may carry). */
export const MIN_YEAR = 1870;

/**
 * How far ahead a date may lie. A date that only ends a period (an end of support, a
 * certificate's validity, a placement's last day) may be planned years ahead, up to LATEST_DATE,
 * the last date the hub's API holds (DATE_RANGE). Every other date records an event (a grant, a
 * payment, an approval, an application, a period's start) and may lie at most FUTURE_MARGIN_DAYS
 * after today: a quarter, for grants and starts approved ahead; past that it is a typo (2205 for
 * 2025), which loaded, and later dropped out of or distorted every query window. Likewise a month,
 * a year and a school year by their year and month.
 */
export const FUTURE_MARGIN_DAYS = 92;
export const LATEST_DATE = DATE_RANGE.max;

/** Columns that end a period of their table and start none: the ones planned ahead. */
function periodEndsOnly(spec: TableSpec): Set<string> {
  const starts = new Set(spec.periods.map((p) => p.start));
  return new Set(spec.periods.map((p) => p.end).filter((c) => !starts.has(c)));
}

/** A problem when a parsed date, month, year or school year lies after `latest` (YYYY-MM-DD). */
function tooLate(type: ColumnType, value: unknown, latest: string, why: string): Parsed | null {
  if (typeof value !== 'string') return null;
  const late =
    type.kind === 'date' ? value > latest
    : type.kind === 'month' ? value > latest.slice(0, 7)
    : type.kind === 'year' || type.kind === 'schoolYear' ? Number(value.slice(0, 4)) > Number(latest.slice(0, 4))
    : false;
  return late ? bad('TOO_LATE', `is after ${type.kind === 'date' ? latest : type.kind === 'month' ? latest.slice(0, 7) : latest.slice(0, 4)}, ${why}`) : null;
}

/** "6", "9 or 12", "6, 9 or 12". */
export function orList(items: readonly (string | number)[]): string {
  const s = items.map(String);
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

function describeCodes(codes: readonly (readonly [string, string])[]): string {
  return codes
    .map(([k, v]) => (k === v ? k : `${k} ${v}`))
    .join(', ');
}

/**
 * An ID number cell checked. Besides the problem's code, the message says the cause a clerk can act
 * on where the cell shows one: a spreadsheet that kept the number as a number (3.70826E+17, or 000
 * for its last digits), an old 15-digit number (checkIdNumber's own message, which quotes no digit),
 * and the length counted as checked, without the spaces between groups of digits that are taken.
 */
function parseIdNumber(raw: string, today: string): Parsed {
  const r = checkIdNumber(raw, today);
  if (r.ok) return ok(r.idNumber);
  const typed = typedIdNumber(raw);
  if (spreadsheetMangledIdNumber(raw)) return bad(r.problem, MANGLED_ID_NUMBER_MESSAGE);
  if (r.problem === 'LENGTH' && isOldIdNumber(typed)) return bad(r.problem, r.message);
  const message = r.problem === 'LENGTH' ? `${ID_MESSAGES.LENGTH}, this one has ${charCount(typed)}` : ID_MESSAGES[r.problem];
  return bad(r.problem, message);
}

/** How a cell of each column type is read before it is checked (domain/spreadsheet-values.ts, as npm run report reads its). */
const CELL_KINDS: Record<ColumnType['kind'], CellKind> = {
  text: 'text',
  int: 'number',
  fen: 'number',
  yuan: 'number',
  date: 'date',
  month: 'month',
  digits: 'code',
  code: 'code',
  bool: 'code',
  year: 'code',
  schoolYear: 'code',
  idNumber: 'code',
  certNo: 'code',
};

/** Columns of long digit runs, which a system exporting for Excel marks as text ('…, ="…"), as npm run report reads its. */
const TEXT_MARKED: ReadonlySet<ColumnType['kind']> = new Set(['idNumber', 'digits', 'certNo']);

/** Parses one non-empty, trimmed value. Messages never include the value. */
export function parseValue(type: ColumnType, raw: string, today: string): Parsed {
  raw = sheetCell(CELL_KINDS[type.kind], TEXT_MARKED.has(type.kind) ? withoutTextMark(raw) : raw);
  switch (type.kind) {
    case 'text': {
      // What no stored text may hold (domain/text-length.ts, as the API refuses it): control
      // characters and bidi overrides. A quoted line break in a CSV field is kept: an address may have one.
      const problem = textProblem(raw, true);
      if (problem) return bad('TEXT_INVALID', `contains ${problem}`);
      const n = charCount(raw);
      return n <= type.maxLength ? ok(raw) : bad('TOO_LONG', `has ${n} characters, at most ${type.maxLength} allowed`);
    }
    case 'digits': {
      if (/^\d+$/.test(raw) && type.lengths.includes(raw.length)) return ok(raw);
      return bad('NOT_DIGITS', `must be ${orList(type.lengths)} digits`);
    }
    case 'code': {
      if (!type.codes.some(([code]) => code === raw)) return bad('UNKNOWN_CODE', `not a known code; expected one of: ${describeCodes(type.codes)}`);
      return ok(type.numeric ? Number(raw) : raw);
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw)) return bad('NOT_INTEGER', 'not a whole number');
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < type.min || n > type.max) return bad('OUT_OF_RANGE', `must be between ${type.min} and ${type.max}`);
      return ok(n);
    }
    case 'fen': {
      if (/^[+-]?\d+\.\d*$/.test(raw)) return bad('NOT_FEN', 'fen are whole numbers (1 yuan = 100 fen); was the amount given in yuan?');
      if (!/^[+-]?\d+$/.test(raw)) return bad('NOT_FEN', 'not a whole number of fen');
      const n = Number(raw);
      if (n < 0) return bad('NEGATIVE', 'an amount may not be negative');
      if (n > INT_MAX) return bad('OUT_OF_RANGE', `at most ${INT_MAX} fen`);
      return ok(n);
    }
    case 'yuan': {
      const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(raw);
      if (!m) return bad('NOT_YUAN', 'not a yuan amount such as 1234.50 or 1,234.50');
      if (m[1] === '-' && /[1-9]/.test(raw)) return bad('NEGATIVE', 'an amount may not be negative');
      if ((m[3] ?? '').length > type.scale) return bad('TOO_MANY_DECIMALS', `at most ${type.scale} decimals`);
      if (m[2].replace(/^0+(?=\d)/, '').length > type.precision - type.scale) {
        return bad('OUT_OF_RANGE', `at most ${type.precision - type.scale} digits before the decimal point`);
      }
      return ok(fenToYuan(yuanToFen(`${m[2]}${m[3] ? `.${m[3]}` : ''}`)));
    }
    case 'bool':
      return raw === '0' || raw === '1' ? ok(raw === '1') : bad('NOT_BOOLEAN', 'must be 1 (yes) or 0 (no)');
    case 'date': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return bad('NOT_DATE', `not a date written year first, such as 2026-03-01, 2026/3/1, 20260301 or 2026年3月1日${excelSerialDate(raw) ? `; ${SERIAL_DATE_ADVICE}` : ''}`);
      if (!isIsoDate(raw)) return bad('NO_SUCH_DATE', 'not a real calendar date');
      if (Number(raw.slice(0, 4)) < MIN_YEAR) return bad('OUT_OF_RANGE', `the year is before ${MIN_YEAR}`);
      return ok(raw);
    }
    case 'month': {
      const m = /^(\d{4})-(\d{2})$/.exec(raw);
      if (!m) return bad('NOT_MONTH', 'not a month written year first, such as 2026-03, 2026/3, 2026年3月 or 202603');
      const month = Number(m[2]);
      if (month < 1 || month > 12) return bad('NOT_MONTH', 'the month is not 01-12');
      if (Number(m[1]) < MIN_YEAR) return bad('OUT_OF_RANGE', `the year is before ${MIN_YEAR}`);
      return ok(raw);
    }
    case 'year': {
      if (!/^\d{4}$/.test(raw)) return bad('NOT_YEAR', 'not a four-digit year');
      if (Number(raw) < MIN_YEAR) return bad('OUT_OF_RANGE', `the year is before ${MIN_YEAR}`);
      return ok(raw);
    }
    case 'schoolYear': {
      const m = /^(\d{4})-(\d{4})$/.exec(raw);
      if (!m || Number(m[2]) !== Number(m[1]) + 1) return bad('NOT_SCHOOL_YEAR', 'not a school year such as 2025-2026');
      if (Number(m[1]) < MIN_YEAR) return bad('OUT_OF_RANGE', `the year is before ${MIN_YEAR}`);
      return ok(raw);
    }
    case 'idNumber':
      return parseIdNumber(raw, today);
    case 'certNo': {
      const value = raw.toUpperCase();
      const n = charCount(value);
      if (n !== 20) return bad('LENGTH', `a disability certificate number has 20 characters, this one has ${n}`);
      const id = parseIdNumber(value.slice(0, 18), today);
      if (!id.ok) return bad(id.code, `the ID number in it (first 18 characters): ${id.message}`);
      if (!/^[1-7]$/.test(value[18])) return bad('CERT_CATEGORY', 'the 19th character (category) must be a digit 1-7');
      if (!/^[1-4]$/.test(value[19])) return bad('CERT_LEVEL', 'the 20th character (level) must be a digit 1-4');
      return ok(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Files

/** The table a file name loads: `<table>.csv`, compared case-insensitively. */
export function tableForFileName(fileName: string): string | null {
  const m = /^(.+)\.csv$/i.exec(fileName);
  return m ? m[1].toLowerCase() : null;
}

/** A problem with the whole file, which stops reading it. */
class WholeFileProblem extends Error {
  constructor(readonly problem: Omit<ImportProblem, 'file'>) {
    super(problem.code);
  }
}

const NOT_UTF8: Omit<ImportProblem, 'file'> = {
  code: 'NOT_UTF8',
  message: 'the file is not UTF-8 text (saved as GBK or UTF-16?); save it as "CSV UTF-8"',
};

/**
 * The file's bytes as UTF-8 text with every line break (CRLF, LF or CR) made LF, so that a file
 * mixing them still parses and line numbers count every kind of line break once; line breaks
 * inside quotes become LF too. Anything that is not UTF-8 (UTF-16, GBK, a NUL) is NOT_UTF8.
 */
async function* utf8Lines(chunks: AsyncIterable<Buffer>, hash?: Hash): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true }); // strips a leading byte order mark
  let head: Buffer | null = Buffer.alloc(0); // the first bytes, until there are two to look at
  let cr = false; // the text so far ended in CR, which may be the first half of a CRLF
  const text = (t: string): string | null => {
    if (t.includes('\u0000')) throw new WholeFileProblem(NOT_UTF8);
    if (cr) t = `\r${t}`;
    cr = t.endsWith('\r');
    if (cr) t = t.slice(0, -1);
    return t === '' ? null : t.replace(/\r\n?/g, '\n');
  };
  const decode = (bytes?: Buffer): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new WholeFileProblem(NOT_UTF8);
    }
  };
  for await (const chunk of chunks) {
    hash?.update(chunk);
    let bytes: Buffer = chunk;
    if (head) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 2) continue;
      if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) throw new WholeFileProblem(NOT_UTF8); // UTF-16
      bytes = head;
      head = null;
    }
    const t = text(decode(bytes));
    if (t !== null) yield t;
  }
  // A file of fewer than two bytes is still in `head`; a CR left over is a line break.
  let t = text((head && head.length > 0 ? decode(head) : '') + decode()) ?? '';
  if (cr) t += '\n';
  if (t !== '') yield t;
}

/** An error thrown by the caller's row handler, passed back as it is. */
class FromRowHandler extends Error {
  constructor(override readonly cause: unknown) {
    super('row handler failed');
  }
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** What reading a file does with it. */
interface ReadOptions {
  today: string;
  /** Check primary and unique keys for repeats within the file (which keeps every key in memory). */
  checkKeys: boolean;
  /** Each problem, in the order found; a WholeFileProblem is the last. */
  problem: (p: ImportProblem, wholeFile: boolean) => void;
  /** Each valid row, in file order; reading waits for it. */
  row?: (row: ValidRow) => void | Promise<void>;
  /** Fed the file's bytes. */
  hash?: Hash;
  /** ValidateOptions.outputReady. */
  ready?: () => Promise<void> | null;
}

/**
 * Unique keys seen, with the line each was first seen on. Split over several maps, as one Map
 * holds at most 2^24 entries and a province's file can have more rows than that.
 */
class KeyLines {
  private readonly shards: Map<unknown, number>[] = [new Map()];
  get(key: unknown): number | undefined {
    for (const m of this.shards) {
      const line = m.get(key);
      if (line !== undefined) return line;
    }
    return undefined;
  }
  set(key: unknown, line: number): void {
    let last = this.shards[this.shards.length - 1];
    if (last.size >= 1 << 23) this.shards.push((last = new Map()));
    last.set(key, line);
  }
}

/**
 * Reads one file of a known table from its bytes, as they arrive: checks the header, then every
 * row, passing on problems and valid rows. Returns the number of data rows read.
 */
async function readCsv(fileName: string, spec: TableSpec, source: Readable, o: ReadOptions): Promise<number> {
  const { today } = o;
  let rowCount = 0;
  let header: { names: string[]; index: Map<string, number> } | null = null;
  let headerOk = false;
  const ends = periodEndsOnly(spec);
  const eventLatest = addDays(today, FUTURE_MARGIN_DAYS);
  const keys = [spec.primaryKey, ...spec.uniqueKeys].map((cols) => ({ cols, seen: new KeyLines() }));

  // Header cells with no name: no column while no row has a value under them (a trailing comma, a
  // column Excel keeps in its used range after it was cleared), as `npm run report` reads its files;
  // one a row fills is UNKNOWN_COLUMN, named by its place, once the file is read.
  const unnamed: number[] = [];
  const filled = new Set<number>();
  let unnamedLine = 1;

  const readHeader = (record: CsvRecord) => {
    const headerLine = record.line;
    let bad = false;
    const problem = (p: Omit<ImportProblem, 'file'>) => {
      bad = true;
      o.problem({ file: fileName, ...p }, false);
    };
    const names = record.fields.map((f) => f.trim().toLowerCase());
    const index = new Map<string, number>();
    // A file that lacks its header has a data row here, whose cells must not be printed: header
    // cells are named only when the row names at least one real column and the cell looks like a name.
    const realHeader = names.some((n) => spec.columns.some((c) => c.name === n));
    const label = (name: string, i: number) => (realHeader && /^[a-z_][a-z0-9_]{0,63}$/.test(name) ? name : `column ${i + 1}`);
    names.forEach((name, i) => {
      if (name === '') {
        unnamed.push(i);
        unnamedLine = headerLine;
      } else if (index.has(name)) problem({ line: headerLine, column: label(name, i), code: 'DUPLICATE_COLUMN', message: 'the header names this column twice' });
      else {
        index.set(name, i);
        if (!spec.columns.some((c) => c.name === name)) {
          const looksLikeName = label(name, i) === name;
          problem({
            line: headerLine,
            column: label(name, i),
            code: 'UNKNOWN_COLUMN',
            // A header naming real columns is the header: a cell of it that is no column name (a
            // 备注 column a clerk added) was asked whether the file lacked its header row.
            message: looksLikeName
              ? `${spec.table} has no such column`
              : realHeader
                ? `${spec.table} has no such column: a column added in the spreadsheet (a remarks column, 备注) is deleted before saving`
                : 'is not a column name (does the file lack its header row?)',
          });
        }
      }
    });
    const missing = spec.columns.filter((c) => !index.has(c.name));
    for (const c of missing) problem({ line: headerLine, column: c.name, code: 'MISSING_COLUMN', message: 'the header lacks this column' });
    header = { names, index };
    headerOk = !bad; // rows cannot be read reliably against a wrong header: they are only counted
  };

  /** The row's values, or null when it has a problem (each passed on). */
  const readRow = (record: CsvRecord, names: string[], index: Map<string, number>): Record<string, unknown> | null => {
    let rowOk = true;
    const add = (column: string | undefined, code: string, message: string) => {
      rowOk = false;
      o.problem({ file: fileName, line: record.line, column, code, message }, false);
    };

    if (record.fields.length !== names.length) {
      add(undefined, 'FIELD_COUNT', `the row has ${record.fields.length} fields, the header has ${names.length}`);
      return null;
    }

    const values: Record<string, unknown> = {};
    /** Columns with a problem: rules that need them are skipped rather than reported twice. */
    const failed = new Set<string>();
    const fail = (column: string, code: string, message: string) => {
      add(column, code, message);
      failed.add(column);
    };
    for (const col of spec.columns) {
      const raw = record.fields[index.get(col.name)!].trim();
      if (raw === '') {
        values[col.name] = null;
        if (col.required) fail(col.name, 'REQUIRED', 'a value is required');
        continue;
      }
      const parsed = parseValue(col.type, raw, today);
      const late = parsed.ok && (ends.has(col.name) ? tooLate(col.type, parsed.value, LATEST_DATE, 'the last date the hub holds') : tooLate(col.type, parsed.value, eventLatest, `today plus ${FUTURE_MARGIN_DAYS} days: so far ahead it is most likely a typo`));
      if (late && !late.ok) fail(col.name, late.code, late.message);
      else if (parsed.ok) values[col.name] = parsed.value;
      else fail(col.name, parsed.code, parsed.message);
    }

    for (const rule of spec.requiredWhen) {
      const trigger = values[rule.when.column];
      if (values[rule.column] === null && !failed.has(rule.column) && trigger !== null && rule.when.values.includes(String(trigger))) {
        fail(rule.column, 'REQUIRED', `a value is required when ${rule.when.column} is ${String(trigger)}`);
      }
    }
    for (const period of spec.periods) {
      const start = values[period.start];
      const end = values[period.end];
      if (typeof start === 'string' && typeof end === 'string' && end < start) add(period.end, 'END_BEFORE_START', `is before ${period.start}`);
    }
    for (const rule of spec.crossRules) {
      if (rule.columns.some((c) => failed.has(c) || values[c] === null)) continue;
      const p = rule.check(values);
      if (p) add(p.column, p.code, p.message);
    }
    if (o.checkKeys) {
      for (const key of keys) {
        if (key.cols.some((c) => failed.has(c) || values[c] === null)) continue;
        // Compared as the database's case-insensitive collation (utf8mb4_unicode_ci) compares them.
        const parts = key.cols.map((c) => (typeof values[c] === 'string' ? (values[c] as string).toLowerCase() : values[c]));
        // A one-column key is its value (a column's values are all of one type); a longer one, its JSON.
        const k = parts.length === 1 ? parts[0] : JSON.stringify(parts);
        const first = key.seen.get(k);
        if (first !== undefined) {
          const what = key.cols === spec.primaryKey ? 'primary key' : 'unique key';
          add(key.cols.join('+'), 'DUPLICATE_KEY', `same ${what} as line ${first}`);
        } else key.seen.set(k, record.line);
      }
    }
    return rowOk ? values : null;
  };

  try {
    await pipeline(
      source,
      (chunks: AsyncIterable<Buffer>) => utf8Lines(chunks, o.hash),
      parse({ bom: true, info: true, relax_column_count: true, record_delimiter: '\n' }),
      async (records: AsyncIterable<{ record: string[]; info: { lines: number } }>) => {
        let previousEnd = 0;
        for await (const { record: fields, info } of records) {
          const line = previousEnd + 1;
          previousEnd = info.lines;
          // A blank line, and a row of empty cells only (`,,,,`: Excel keeps them after a range is
          // cleared, and at the end of a sheet), which is no record: each of its required columns
          // was REQUIRED, and the file refused for rows nobody can see in the spreadsheet.
          if (fields.every((f) => f.trim() === '')) continue;
          const record = { line, fields };
          if (!header) {
            readHeader(record);
            continue;
          }
          rowCount++;
          for (const i of unnamed) if ((fields[i] ?? '').trim() !== '') filled.add(i);
          if (!headerOk) continue;
          const values = readRow(record, header.names, header.index);
          if (values && o.row) {
            try {
              await o.row({ line, values });
            } catch (err) {
              throw new FromRowHandler(err);
            }
          }
          const ready = o.ready?.();
          if (ready) await ready;
        }
      },
    );
  } catch (err) {
    if (err instanceof FromRowHandler) throw err.cause; // the caller's own (a database's), not the file's
    if (err instanceof WholeFileProblem) {
      o.problem({ file: fileName, ...err.problem }, true);
      return 0;
    }
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number };
      // csv-parse messages quote the field being read: report only where and what kind.
      o.problem({ file: fileName, line: e.lines, code: 'CSV_SYNTAX', message: `the file is not valid CSV (${e.code ?? 'parse error'}); check the quotes on or before this line` }, true);
      return 0;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (err as NodeJS.ErrnoException).syscall) {
      o.problem({ file: fileName, code: 'UNREADABLE', message: `cannot read the file (${code})` }, true);
      return 0;
    }
    throw err;
  }
  if (!header) o.problem({ file: fileName, code: 'EMPTY_FILE', message: 'the file is empty; it needs at least a header row' }, true);
  for (const i of [...filled].sort((a, b) => a - b)) o.problem({ file: fileName, line: unnamedLine, column: `column ${i + 1}`, code: 'UNKNOWN_COLUMN', message: 'the header names no column here, but rows have values in it' }, false);
  return rowCount;
}

/**
 * A file's problems on their way out: held until the file is read (or there are more than
 * HELD_PROBLEMS), so that a problem with the whole file replaces the rest, as the rows it made
 * unreadable cannot be reported reliably.
 */
class FileProblems {
  private held: ImportProblem[] = [];
  private passing = false;
  count = 0;
  /** Set when a whole-file problem replaced the row problems held. */
  replaced = false;
  constructor(
    private readonly pass: (p: ImportProblem) => void,
    private readonly hold = HELD_PROBLEMS,
  ) {}
  add = (p: ImportProblem, wholeFile: boolean): void => {
    if (wholeFile && !this.passing) {
      this.held = [];
      this.count = 0;
      this.replaced = true;
    }
    this.count++;
    if (this.passing) this.pass(p);
    else {
      this.held.push(p);
      if (this.held.length > this.hold) this.flush();
    }
  };
  flush(): void {
    for (const p of this.held) this.pass(p);
    this.held = [];
    this.passing = true;
  }
}

/** The UNKNOWN_FILE problem of a name that is no importable table's. */
function unknownFile(fileName: string): ImportProblem {
  const table = tableForFileName(fileName);
  const why = table && NOT_IMPORTED[table];
  return {
    file: fileName,
    code: 'UNKNOWN_FILE',
    message: why ? `not importable: ${why}` : `not an import file; expected <table>.csv for one of: ${TABLE_SPECS.map((s) => s.table).join(', ')}`,
  };
}

/** The spec of the table a file name loads, or null. */
function specForFileName(fileName: string): TableSpec | null {
  const table = tableForFileName(fileName);
  return table ? (TABLE_SPEC_BY_NAME.get(table) ?? null) : null;
}

/**
 * Validates one file's content, given whole (or as the pieces a stream would deliver), against
 * its table's spec: the name decides the table, the content the rows. Returns the valid rows and
 * every problem found. For a file on disk, validateImportDir reads it as a stream instead.
 */
export async function validateCsv(fileName: string, content: Buffer | string | readonly Buffer[], options: ValidateOptions = {}): Promise<CsvValidation> {
  const today = options.today ?? todayIso();
  const spec = specForFileName(fileName);
  const problems: ImportProblem[] = [];
  const result: CsvValidation = { file: fileName, spec, rowCount: 0, problemCount: 0, rows: [], problems };
  const sink = new FileProblems((p) => problems.push(p), Infinity);
  if (!spec) sink.add(unknownFile(fileName), true);
  else {
    const chunks = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : Buffer.isBuffer(content) ? [content] : content;
    result.rowCount = await readCsv(fileName, spec, Readable.from(chunks, { objectMode: false }), {
      today,
      checkKeys: true,
      problem: sink.add,
      row: (r) => void result.rows.push(r),
    });
  }
  sink.flush();
  if (sink.replaced) result.rows = [];
  result.problemCount = sink.count;
  for (const p of problems) options.onProblem?.(p);
  return result;
}

/** Names skipped in an import folder: documentation and hidden files. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || /^readme(\..*)?$/i.test(name);
}

/** A folder's problems: the first MAX_KEPT_PROBLEMS kept, every one counted and passed on. */
export class ProblemList {
  readonly kept: ImportProblem[] = [];
  count = 0;
  constructor(private readonly onProblem?: (p: ImportProblem) => void) {}
  add = (p: ImportProblem): void => {
    this.count++;
    if (this.kept.length < MAX_KEPT_PROBLEMS) this.kept.push(p);
    this.onProblem?.(p);
  };
}

/**
 * Validates every file in a folder. Every file other than README* and hidden files must be
 * `<table>.csv` for an importable table, at most one per table. Reads the files, each as a
 * stream; writes nothing.
 */
export async function validateImportDir(dir: string, options: ValidateOptions = {}): Promise<DirValidation> {
  const today = options.today ?? todayIso();
  const problems = new ProblemList(options.onProblem);
  const result: DirValidation = { dir, files: [], ignored: [], problems: problems.kept, problemCount: 0, ok: false };
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch (err) {
    problems.add({ file: dir, code: 'NO_FOLDER', message: `cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    result.problemCount = problems.count;
    return result;
  }
  // Problems with the folder come first, then each file's, in load order (unknown files first).
  const byTable = new Map<string, string>();
  const candidates: { name: string; spec: TableSpec | null }[] = [];
  for (const name of entries) {
    if (isIgnoredName(name)) {
      result.ignored.push(name);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path.join(dir, name));
    } catch (err) {
      problems.add({ file: name, code: 'UNREADABLE', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    if (!stat.isFile()) {
      problems.add({ file: name, code: 'NOT_A_FILE', message: 'not a regular file; an import folder holds only <table>.csv files' });
      continue;
    }
    const spec = specForFileName(name);
    if (spec) {
      const other = byTable.get(spec.table);
      if (other !== undefined) {
        problems.add({ file: name, code: 'DUPLICATE_FILE', message: `${other} already loads ${spec.table}` });
        continue;
      }
      byTable.set(spec.table, name);
    }
    candidates.push({ name, spec });
  }
  const order = (c: { spec: TableSpec | null }) => (c.spec ? TABLE_SPECS.indexOf(c.spec) : -1);
  candidates.sort((a, b) => order(a) - order(b));

  for (const { name, spec } of candidates) {
    if (!spec) {
      problems.add(unknownFile(name));
      continue;
    }
    const full = path.join(dir, name);
    const hash = createHash('sha256');
    const sink = new FileProblems(problems.add);
    const rowCount = await readCsv(name, spec, fs.createReadStream(full), { today, checkKeys: true, problem: sink.add, hash, ready: options.outputReady });
    sink.flush();
    result.files.push({ file: name, spec, rowCount, problemCount: sink.count, path: full, sha256: hash.digest('hex') });
  }
  if (result.files.length === 0 && problems.count === 0) {
    problems.add({ file: dir, code: 'NO_FILES', message: 'the folder holds no <table>.csv file' });
  }
  result.problemCount = problems.count;
  result.ok = problems.count === 0;
  return result;
}

/** The file changed between its validation and its loading. */
export class FileChangedError extends Error {
  override name = 'FileChangedError';
  constructor(readonly file: string) {
    super(`${file} changed while it was being imported`);
  }
}

/**
 * Reads a validated file again, handing each row (parsed exactly as validation parsed it) to
 * `row`, which reading waits for. Throws FileChangedError if the file no longer reads as it did
 * when it was validated: a row with a problem at once, different bytes once it has been read.
 */
export async function readValidatedFile(file: DirFile, today: string, row: (row: ValidRow) => void | Promise<void>): Promise<void> {
  const hash = createHash('sha256');
  const changed = () => {
    throw new FileChangedError(file.file);
  };
  let source: fs.ReadStream;
  try {
    source = fs.createReadStream(file.path);
  } catch {
    return changed();
  }
  // A file can fail to read now that read before (removed, its permissions changed): changed too.
  const rows = await readCsv(file.file, file.spec, source, { today, checkKeys: false, problem: changed, row, hash });
  if (rows !== file.rowCount || hash.digest('hex') !== file.sha256) changed();
}
