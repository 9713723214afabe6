/**
 * Validation of import files, as pure functions of the file's name and bytes (plus `today`, which
 * bounds birth dates in ID numbers). Nothing here touches a database.
 *
 * Problems are reported with the file, the line the record starts on (the header is line 1), the
 * column and a reason code. A value is never echoed back: a misaligned row can put an ID number
 * or a name in any column, and the report is meant to be pasted into tickets and chat.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { checkIdNumber, type IdNumberProblem } from '../../domain/id-number';
import { addDays, isIsoDate, todayIso } from '../../domain/dates';
import { DATE_RANGE } from '../../domain/date-ranges';
import { fenToYuan, yuanToFen } from '../../domain/money';
import { INT_MAX, NOT_IMPORTED, TABLE_SPECS, TABLE_SPEC_BY_NAME, type ColumnSpec, type ColumnType, type TableSpec } from './spec';
import { charCount, textProblem } from '../../domain/text-length';

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
  /** The valid rows; only loaded when the whole import has no problem. */
  rows: ValidRow[];
  problems: ImportProblem[];
}

export interface DirValidation {
  dir: string;
  /** Recognised files, in load order. */
  files: FileValidation[];
  /** Files skipped on purpose (README*, names starting with a dot). */
  ignored: string[];
  /** Every problem in every file, plus problems with the folder itself. */
  problems: ImportProblem[];
  ok: boolean;
}

export interface ValidateOptions {
  /** Today's date (YYYY-MM-DD), bounding birth dates in ID numbers; defaults to today in China. */
  today?: string;
}

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

function parseIdNumber(raw: string, today: string): Parsed {
  const r = checkIdNumber(raw, today);
  if (r.ok) return ok(r.idNumber);
  const message = r.problem === 'LENGTH' ? `${ID_MESSAGES.LENGTH}, this one has ${charCount(raw)}` : ID_MESSAGES[r.problem];
  return bad(r.problem, message);
}

/** Parses one non-empty, trimmed value. Messages never include the value. */
export function parseValue(type: ColumnType, raw: string, today: string): Parsed {
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
      if (!m) return bad('NOT_YUAN', 'not a yuan amount such as 1234.50');
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
      if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return bad('NOT_DATE', 'not a date in YYYY-MM-DD form');
      if (!isIsoDate(raw)) return bad('NO_SUCH_DATE', 'not a real calendar date');
      if (Number(raw.slice(0, 4)) < MIN_YEAR) return bad('OUT_OF_RANGE', `the year is before ${MIN_YEAR}`);
      return ok(raw);
    }
    case 'month': {
      const m = /^(\d{4})-(\d{2})$/.exec(raw);
      if (!m) return bad('NOT_MONTH', 'not a month in YYYY-MM form');
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

function decodeUtf8(content: Buffer): string | null {
  if ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff)) return null; // UTF-16
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    return text.includes('\u0000') ? null : text;
  } catch {
    return null;
  }
}

interface CsvRecord {
  line: number;
  fields: string[];
}

/** RFC 4180 records with the line each starts on. Line endings may be CRLF, LF or CR. */
function readRecords(text: string): CsvRecord[] {
  // One record delimiter for the whole file, so that a file mixing CRLF and LF still parses and
  // line numbers count every kind of line break once. Line breaks inside quotes become LF.
  const normalised = text.replace(/\r\n?/g, '\n');
  const parsed = parse(normalised, { bom: true, info: true, relax_column_count: true, record_delimiter: '\n' }) as unknown as {
    record: string[];
    info: { lines: number };
  }[];
  const records: CsvRecord[] = [];
  let previousEnd = 0;
  for (const { record, info } of parsed) {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    if (record.length === 1 && record[0].trim() === '') continue; // a blank line
    records.push({ line, fields: record });
  }
  return records;
}

/**
 * Validates one file's content against its table's spec. Pure: the name decides the table, the
 * content the rows. Returns the valid rows and every problem found.
 */
export function validateCsv(fileName: string, content: Buffer | string, options: ValidateOptions = {}): FileValidation {
  const today = options.today ?? todayIso();
  const table = tableForFileName(fileName);
  const spec = table ? (TABLE_SPEC_BY_NAME.get(table) ?? null) : null;
  const result: FileValidation = { file: fileName, spec, rowCount: 0, rows: [], problems: [] };
  const problem = (p: Omit<ImportProblem, 'file'>) => result.problems.push({ file: fileName, ...p });

  if (!spec) {
    const why = table && NOT_IMPORTED[table];
    problem({
      code: 'UNKNOWN_FILE',
      message: why ? `not importable: ${why}` : `not an import file; expected <table>.csv for one of: ${TABLE_SPECS.map((s) => s.table).join(', ')}`,
    });
    return result;
  }

  const text = typeof content === 'string' ? content : decodeUtf8(content);
  if (text === null) {
    problem({ code: 'NOT_UTF8', message: 'the file is not UTF-8 text (saved as GBK or UTF-16?); save it as "CSV UTF-8"' });
    return result;
  }

  let records: CsvRecord[];
  try {
    records = readRecords(text);
  } catch (err) {
    const e = err as { code?: string; lines?: number };
    // csv-parse messages quote the field being read: report only where and what kind.
    problem({ line: e.lines, code: 'CSV_SYNTAX', message: `the file is not valid CSV (${e.code ?? 'parse error'}); check the quotes on or before this line` });
    return result;
  }
  if (records.length === 0) {
    problem({ code: 'EMPTY_FILE', message: 'the file is empty; it needs at least a header row' });
    return result;
  }

  // Header
  const [header, ...data] = records;
  const headerLine = header.line;
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<string, number>();
  // A file that lacks its header has a data row here, whose cells must not be printed: header
  // cells are named only when the row names at least one real column and the cell looks like a name.
  const realHeader = names.some((n) => spec.columns.some((c) => c.name === n));
  const label = (name: string, i: number) => (realHeader && /^[a-z_][a-z0-9_]{0,63}$/.test(name) ? name : `column ${i + 1}`);
  names.forEach((name, i) => {
    if (name === '') problem({ line: headerLine, column: `column ${i + 1}`, code: 'UNKNOWN_COLUMN', message: 'the header has an empty column name' });
    else if (index.has(name)) problem({ line: headerLine, column: label(name, i), code: 'DUPLICATE_COLUMN', message: 'the header names this column twice' });
    else {
      index.set(name, i);
      if (!spec.columns.some((c) => c.name === name)) {
        const looksLikeName = label(name, i) === name;
        problem({
          line: headerLine,
          column: label(name, i),
          code: 'UNKNOWN_COLUMN',
          message: looksLikeName ? `${spec.table} has no such column` : 'is not a column name (does the file lack its header row?)',
        });
      }
    }
  });
  const missing = spec.columns.filter((c) => !index.has(c.name));
  for (const c of missing) problem({ line: headerLine, column: c.name, code: 'MISSING_COLUMN', message: 'the header lacks this column' });
  result.rowCount = data.length;
  if (result.problems.length > 0) return result; // rows cannot be read reliably against a wrong header

  // Rows
  const ends = periodEndsOnly(spec);
  const eventLatest = addDays(today, FUTURE_MARGIN_DAYS);
  const keys = [spec.primaryKey, ...spec.uniqueKeys].map((cols) => ({ cols, seen: new Map<string, number>() }));
  for (const record of data) {
    const rowProblems: ImportProblem[] = [];
    const add = (column: string | undefined, code: string, message: string) => rowProblems.push({ file: fileName, line: record.line, column, code, message });

    if (record.fields.length !== names.length) {
      add(undefined, 'FIELD_COUNT', `the row has ${record.fields.length} fields, the header has ${names.length}`);
      result.problems.push(...rowProblems);
      continue;
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
    for (const key of keys) {
      if (key.cols.some((c) => failed.has(c) || values[c] === null)) continue;
      // Compared as the database's case-insensitive collation (utf8mb4_unicode_ci) compares them.
      const k = JSON.stringify(key.cols.map((c) => (typeof values[c] === 'string' ? (values[c] as string).toLowerCase() : values[c])));
      const first = key.seen.get(k);
      if (first !== undefined) {
        const what = key.cols === spec.primaryKey ? 'primary key' : 'unique key';
        add(key.cols.join('+'), 'DUPLICATE_KEY', `same ${what} as line ${first}`);
      } else key.seen.set(k, record.line);
    }

    if (rowProblems.length > 0) result.problems.push(...rowProblems);
    else result.rows.push({ line: record.line, values });
  }
  return result;
}

/** Names skipped in an import folder: documentation and hidden files. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || /^readme(\..*)?$/i.test(name);
}

/**
 * Validates every file in a folder. Every file other than README* and hidden files must be
 * `<table>.csv` for an importable table, at most one per table. Reads the files; writes nothing.
 */
export function validateImportDir(dir: string, options: ValidateOptions = {}): DirValidation {
  const result: DirValidation = { dir, files: [], ignored: [], problems: [], ok: false };
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch (err) {
    result.problems.push({ file: dir, code: 'NO_FOLDER', message: `cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    return result;
  }
  const byTable = new Map<string, string>();
  const files: FileValidation[] = [];
  for (const name of entries) {
    if (isIgnoredName(name)) {
      result.ignored.push(name);
      continue;
    }
    const full = path.join(dir, name);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch (err) {
      result.problems.push({ file: name, code: 'UNREADABLE', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    if (!stat.isFile()) {
      result.problems.push({ file: name, code: 'NOT_A_FILE', message: 'not a regular file; an import folder holds only <table>.csv files' });
      continue;
    }
    const table = tableForFileName(name);
    if (table && TABLE_SPEC_BY_NAME.has(table)) {
      const other = byTable.get(table);
      if (other !== undefined) {
        result.problems.push({ file: name, code: 'DUPLICATE_FILE', message: `${other} already loads ${table}` });
        continue;
      }
      byTable.set(table, name);
    }
    files.push(validateCsv(name, table && TABLE_SPEC_BY_NAME.has(table) ? fs.readFileSync(full) : Buffer.alloc(0), options));
  }
  const order = (f: FileValidation) => (f.spec ? TABLE_SPECS.indexOf(f.spec) : -1);
  files.sort((a, b) => order(a) - order(b));
  for (const f of files) {
    result.problems.push(...f.problems);
    if (f.spec) result.files.push(f);
  }
  if (result.files.length === 0 && result.problems.length === 0) {
    result.problems.push({ file: dir, code: 'NO_FILES', message: 'the folder holds no <table>.csv file' });
  }
  result.ok = result.problems.length === 0;
  return result;
}
