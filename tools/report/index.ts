/**
 * A reporter's CSV file of aid, sent to a running hub as one aidReport batch (the same validation,
 * idempotency, pre-grant check, access rules and audit as the API: the file is only another way to
 * write the batch). One row per record, a header row naming the columns below; empty cells are
 * absent values. Problems are reported by line number (the header is line 1).
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { isIsoDate } from '../../domain/dates';
import { DATE_RANGE, dateInRange } from '../../domain/date-ranges';
import { excelSerialDate, MANGLED_ID_NUMBER_MESSAGE, SERIAL_DATE_ADVICE, sheetCell, spreadsheetMangledIdNumber, withoutTextMark, type CellKind } from '../../domain/spreadsheet-values';
import { MAX_REPORT_BATCH, MAX_REPORTED_FEN } from '../../domain/reported-aid/validate';

/**
 * The file's columns, in one table: each with the aidReport input field it fills, whether the header
 * must name it, and how its cell is read (the rest are text, sent as typed). A need's id is a whole
 * number (charityNeeds), which a spreadsheet shows as `1,234`: sent so, it was NEED_UNKNOWN.
 */
interface Column {
  field: string;
  required?: true;
  kind?: CellKind;
}

const COLUMNS = {
  reference: { field: 'reference', required: true },
  entry_kind: { field: 'entryKind' },
  supersedes_reference: { field: 'supersedesReference' },
  beneficiary_id_number: { field: 'beneficiaryIdNumber', required: true },
  programme: { field: 'programme', required: true },
  grant_date: { field: 'grantDate', kind: 'date' },
  period_start: { field: 'periodStart', kind: 'date' },
  period_end: { field: 'periodEnd', kind: 'date' },
  amount_fen: { field: 'amountFen', kind: 'number', required: true },
  settlement_ref: { field: 'settlementRef' },
  case_reference: { field: 'caseReference' },
  need_id: { field: 'needId', kind: 'number' },
  separate_aid: { field: 'separateAid', kind: 'code' },
} as const satisfies Record<string, Column>;

const COLUMN_LIST: readonly [string, Column][] = Object.entries(COLUMNS);

/** The file's columns, each with the aidReport input field it fills. */
export const REPORT_COLUMNS: Readonly<Record<keyof typeof COLUMNS, string>> = Object.fromEntries(COLUMN_LIST.map(([column, c]) => [column, c.field])) as Record<keyof typeof COLUMNS, string>;

/**
 * The field a column of the header fills, or undefined for a column the file format does not have.
 * Its own columns only: `in` (or indexing) also found every object's (toString, constructor,
 * __proto__), so such a column passed as known and was sent as a field named after a function,
 * which the hub refused as a whole, with no line and no word of the column.
 */
function fieldOfColumn(column: string): string | undefined {
  return Object.hasOwn(REPORT_COLUMNS, column) ? REPORT_COLUMNS[column as keyof typeof REPORT_COLUMNS] : undefined;
}

const REQUIRED = COLUMN_LIST.flatMap(([column, c]) => (c.required ? [column] : []));

export interface FileProblem {
  line: number | null;
  code: string;
  field: string | null;
  message: string;
}

/**
 * The batch a file holds, or the problems that keep it from being one. A file whose rows could be
 * read but some of whose cells are bad (`AMOUNT_INVALID`) still gives its rows, with the bad cell
 * in `unreadable` (by record), so that the hub can be asked about the rest of it in the same run.
 */
export function parseReportCsv(
  text: string,
): { ok: true; records: Record<string, unknown>[]; lines: number[] } | { ok: false; problems: FileProblem[]; records?: Record<string, unknown>[]; lines?: number[]; unreadable?: Map<number, Set<string>> } {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // Line ends made one kind first: csv-parse counts a CR LF inside a quoted cell as two lines,
    // and every line number after it would be one too high.
    rows = parse(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'), { relax_column_count: false, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof rows;
  } catch (err) {
    // A row of more or fewer cells than the header: named by its line (it was said only inside
    // csv-parse's English message), with the usual cause, an unquoted comma in a cell (1,000).
    const e = err as Error & { code?: string; lines?: number; record?: unknown[] };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && typeof e.lines === 'number' && Array.isArray(e.record)) {
      const message = `the row has ${e.record.length} cells where the header has another number: a cell holding a comma (an amount written 1,000) is quoted, "1,000", or written without it`;
      return { ok: false, problems: [{ line: e.lines, code: 'CSV_MALFORMED', field: null, message }] };
    }
    // A cell written ="370826…" unquoted, as systems export an ID number for Excel to keep as
    // text: the parser's English message, which named no line the report printed.
    const formula = e.code === 'INVALID_OPENING_QUOTE' && /value is "="/.test(e.message) ? ': a cell written ="…" (an export keeping a number as text for Excel) is saved as Excel shows it, or quoted whole, "=""…"""' : '';
    return { ok: false, problems: [{ line: typeof e.lines === 'number' ? e.lines : null, code: 'CSV_MALFORMED', field: null, message: `${e.message.slice(0, 200)}${formula}` }] };
  }
  // A row of empty cells only (`,,,,`: Excel keeps them after a range is cleared) is no record, as a
  // blank line is none: each of its required cells was VALUE_REQUIRED. Left out with its line, so the
  // rows after it keep theirs (read from the parser, not from the rows' places).
  const [first, ...body] = rows.filter(({ record }) => record.some((cell) => cell !== ''));
  if (!first) return { ok: false, problems: [{ line: null, code: 'CSV_EMPTY', field: null, message: 'the file has no header row' }] };
  // Read without regard to case, as the hub reads references: a spreadsheet's header typed
  // Reference or PROGRAMME was three unknown columns and three missing ones.
  const header = first.record.map((h) => h.toLowerCase());
  // A file whose cells another character parts (a spreadsheet saved as tab-separated text, or CSV in
  // a locale whose list separator is ;) reads as one column named by the whole header line: it was
  // refused as that unknown column and every required one missing, naming neither the separator nor
  // how to save the file.
  const separator = header.length === 1 ? ([['\t', 'tabs'], [';', 'semicolons']] as const).find(([c]) => header[0].split(c).some((h) => fieldOfColumn(h.trim()) !== undefined)) : undefined;
  if (separator) return { ok: false, problems: [{ line: 1, code: 'CSV_SEPARATOR', field: null, message: `the file's cells are parted by ${separator[1]}, not commas: save it as "CSV UTF-8 (逗号分隔)"` }] };
  // The line a row starts on, as an editor numbers it: blank lines are skipped, not counted away
  // (a row after one was named by its place among the rows, one line too early per blank line).
  const lines = body.map(({ record, info }) => info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0));
  const problems: FileProblem[] = [];
  // A column without a name and without a value (a trailing comma, or a column Excel keeps in its
  // used range after it was cleared) is no column, as a row of empty cells is no record; one with
  // values is named by its place, since it has no name.
  const unnamed = new Set(header.flatMap((h, c) => (h === '' && body.every(({ record }) => record[c] === '') ? [c] : [])));
  header.forEach((h, c) => {
    if (unnamed.has(c)) return;
    if (h === '') problems.push({ line: 1, code: 'COLUMN_UNKNOWN', field: `column ${c + 1}`, message: `the header names no column here, but rows have values in it; the columns are ${Object.keys(REPORT_COLUMNS).join(', ')}` });
    else if (fieldOfColumn(h) === undefined) problems.push({ line: 1, code: 'COLUMN_UNKNOWN', field: first.record[c], message: `unknown column; the columns are ${Object.keys(REPORT_COLUMNS).join(', ')}` });
    // Named twice, the later cell was sent and the earlier one checked (a row's amount_fen of 100
    // beside one of 50000 was recorded as 50000, without a word).
    else if (header.indexOf(h) !== c) problems.push({ line: 1, code: 'COLUMN_DUPLICATE', field: h, message: 'the header names this column twice: keep one of them' });
  });
  for (const r of REQUIRED) if (!header.includes(r)) problems.push({ line: 1, code: 'COLUMN_MISSING', field: r, message: 'a required column is missing' });
  if (problems.length > 0) return { ok: false, problems };
  // aidReport's own limit: past it the hub refuses the batch (or, far past it, the query's cost)
  // with no word of the file. A file is one batch, all or nothing, so it is split by its sender.
  if (body.length > MAX_REPORT_BATCH) {
    return { ok: false, problems: [{ line: null, code: 'BATCH_TOO_LARGE', field: null, message: `the file holds ${body.length} records; a report holds at most ${MAX_REPORT_BATCH}: split it into files of at most ${MAX_REPORT_BATCH} rows, each sent (and recorded) on its own` }] };
  }
  const unreadable = new Map<number, Set<string>>();
  const standIn = (i: number, ...fields: string[]) => unreadable.set(i, new Set([...(unreadable.get(i) ?? []), ...fields]));
  // Rows that are no record: a spreadsheet's totals row (合计), or a row a required cell of which is
  // empty. Sent, the hub refused the whole request for one variable ($records[2].programme "needs a
  // value"), with no word of any other row; they are named here and left out of the hub's dry run.
  const notRecords = new Set<number>();
  const records = body.map(({ record: cells }, i) => {
    const record: Record<string, unknown> = {};
    if (cells.some((cell) => TOTAL_ROW.test(cell))) {
      problems.push({ line: lines[i], code: 'TOTAL_ROW', field: null, message: 'a totals row (合计): the file holds one row per record, so delete the row (what the hub accepted is summed by reportedAidReconciliation)' });
      notRecords.add(i);
      return record;
    }
    for (const r of REQUIRED) {
      if (cells[header.indexOf(r)] !== '') continue;
      problems.push({ line: lines[i], code: 'VALUE_REQUIRED', field: r, message: `${r} is required in every row` });
      notRecords.add(i);
    }
    header.forEach((h, c) => {
      const cell = cells[c];
      if (cell === '' || unnamed.has(c)) return;
      const field = fieldOfColumn(h)!;
      // Numbers and dates as npm run import reads them (domain/spreadsheet-values.ts): full-width
      // digits, thousands separators, a date written year first as Excel saves it (2026/1/20).
      const value = sheetCell(CELL_KINDS.get(field) ?? 'text', TEXT_MARKED.has(field) ? withoutTextMark(cell) : cell);
      if (field === 'amountFen') {
        if (/^\d{13,}$/.test(value)) {
          // Digits, too many for an amount: said as the hub says one over its limit (it was told "digits only").
          problems.push({ line: lines[i], code: 'AMOUNT_INVALID', field: h, message: `amount_fen is whole fen, 0 to ${MAX_REPORTED_FEN}` });
          standIn(i, field);
          record[field] = 0;
        } else if (!/^\d{1,12}$/.test(value)) {
          // Yuan with its fen (300.50) is the usual slip: say what it would be in fen. Zero fen
          // after the point (30000.00) is as often a fen column shown with two decimals, which the
          // hint alone read as yuan, a hundred times the amount: both readings are said.
          const yuan = /^(\d{1,10})\.(\d{1,2})$/.exec(value);
          const inFen = yuan ? Number(yuan[1]) * 100 + Number(yuan[2].padEnd(2, '0')) : 0;
          const hint = !yuan ? '' : /^0+$/.test(yuan[2]) ? `: ${value} is ${yuan[1]} if the column holds fen shown with decimals (format it as a whole number), ${inFen} if it holds yuan` : `: ${value} yuan is ${inFen} fen`;
          problems.push({ line: lines[i], code: 'AMOUNT_INVALID', field: h, message: `amount_fen is whole fen (digits only)${hint}` });
          standIn(i, field);
          // A stand-in the hub can read, so the row keeps its place in the batch (a later row may
          // correct it); what the hub says of this field is not shown.
          record[field] = 0;
        } else record[field] = Number(value);
      } else if (field === 'beneficiaryIdNumber' && spreadsheetMangledIdNumber(value)) {
        // A spreadsheet keeps a number's first 15 digits: an ID number typed into a number cell is
        // saved as 3.70826E+17, or with its last three digits 000. The hub answered LENGTH or
        // CHECKSUM, as for a typing slip; the cause is the column's format.
        problems.push({ line: lines[i], code: 'ID_NUMBER_INVALID', field: h, message: MANGLED_ID_NUMBER_MESSAGE });
        record[field] = value;
        standIn(i, field);
      } else if (field === 'separateAid') {
        // Whether the record is other aid than a delivery of the organisation's that matches it
        // (SAME_AS_CHARITY_DELIVERY): a yes or a no as a clerk or a spreadsheet writes one.
        const flag = SEPARATE_AID_FLAGS.get(value.toLowerCase());
        if (flag === undefined) {
          problems.push({ line: lines[i], code: 'FLAG_INVALID', field: h, message: `${h} is 是 or 否 (also yes/no, true/false, 1/0), or left empty for 否` });
          standIn(i, field);
        } else record[field] = flag;
      } else if (DATE_FIELDS.has(field) && !(isIsoDate(value) && dateInRange(value))) {
        // Excel rewrites dates as it shows them (2026/1/20). Sent as it is, the hub refused the
        // whole request for one variable, with no line and no word of any other row; so it did a
        // date outside the hub's range (2126 for 2026), naming the record by its place in the batch.
        // A date written right that names no day (2026-02-29, 2026年4月31日) was told to be written
        // year first, the spreadsheet having rewritten it: it is the day that is wrong.
        const noDay = /^(\d{4})-(\d{2})-\d{2}$/.exec(value);
        const monthDays = noDay && Number(noDay[2]) >= 1 && Number(noDay[2]) <= 12 ? new Date(Date.UTC(Number(noDay[1]), Number(noDay[2]), 0)).getUTCDate() : null;
        const message = isIsoDate(value)
          ? `${h} is a date from ${DATE_RANGE.min} to ${DATE_RANGE.max} (and aid is not dated after today, but for a recurring period's end, at most five years after its start): is the year mistyped?`
          : noDay
            ? `${h} ${value} is no day of the calendar${monthDays === null ? ' (a month is 01 to 12)' : ` (${value.slice(0, 7)} has ${monthDays} days)`}: check the ${monthDays === null ? 'month' : 'day'}`
            : excelSerialDate(value)
              ? `${h} is a calendar date written year first, e.g. 2026-01-20; ${SERIAL_DATE_ADVICE}`
              : `${h} is a calendar date written year first, e.g. 2026-01-20, 2026/1/20, 20260120 or 2026年1月20日 (a spreadsheet showing 20/1/2026 or 1/20/2026 has rewritten it: format the column as yyyy-mm-dd or as text)`;
        problems.push({ line: lines[i], code: 'DATE_INVALID', field: h, message });
        // Left out, so the rest of the row is still checked; what the hub says of its dates (one
        // now missing, a period now open) is not shown.
        standIn(i, ...DATE_FIELDS);
      } else record[field] = value;
    });
    return record;
  });
  if (problems.length === 0) return { ok: true, records, lines };
  const kept = records.map((_, i) => i).filter((i) => !notRecords.has(i));
  const keptUnreadable = new Map(kept.flatMap((i, k) => (unreadable.has(i) ? [[k, unreadable.get(i)!] as const] : [])));
  return { ok: false, problems, records: kept.map((i) => records[i]), lines: kept.map((i) => lines[i]), unreadable: keptUnreadable };
}

/** Fields of long digit runs, which a system exporting for Excel marks as text. */
const TEXT_MARKED: ReadonlySet<string> = new Set(['beneficiaryIdNumber', 'settlementRef']);

/** The yes and no a `separate_aid` cell may hold (Excel writes TRUE/FALSE; WPS and clerks 是/否). */
const SEPARATE_AID_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ...['是', 'yes', 'y', 'true', '1'].map((v) => [v, true] as const),
  ...['否', 'no', 'n', 'false', '0'].map((v) => [v, false] as const),
]);

/** A cell that makes its row a spreadsheet's totals row: 合计, 总计, 小计 or 共计, alone or with its colon. */
const TOTAL_ROW = /^(合\s*计|总\s*计|小\s*计|共\s*计)[:：]?$/;

/** How a cell of each field is read (COLUMNS). */
const CELL_KINDS: ReadonlyMap<string, CellKind> = new Map(COLUMN_LIST.flatMap(([, c]) => (c.kind ? [[c.field, c.kind] as const] : [])));

const DATE_FIELDS: ReadonlySet<string> = new Set([...CELL_KINDS].flatMap(([field, kind]) => (kind === 'date' ? [field] : [])));

/** A zip archive's first bytes (an .xlsx, as an .ods), and an OLE compound file's (an .xls). */
const XLSX_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;
const XLS_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;

/**
 * The file's text, or why it is not UTF-8 (or not text: a workbook, SPREADSHEET_NOT_CSV). Excel's "CSV" on a Chinese Windows writes GBK, and its
 * "Unicode text" UTF-16: read as UTF-8, a GBK reference became replacement characters and was
 * refused as malformed, and a UTF-16 file as a CSV of one column, neither naming the encoding.
 */
export function decodeReportFile(bytes: Uint8Array): { ok: true; text: string } | { ok: false; problems: FileProblem[] } {
  // The workbook itself (.xlsx is a zip, .xls an OLE compound file), sent as an office keeps it:
  // read as text it was called GBK, with advice (iconv) that only garbles it further.
  const startsWith = (magic: readonly number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (startsWith(XLSX_MAGIC) || startsWith(XLS_MAGIC)) {
    return { ok: false, problems: [{ line: null, code: 'SPREADSHEET_NOT_CSV', field: null, message: 'the file is a spreadsheet workbook (.xlsx or .xls), not CSV: open it in Excel and save the sheet as "CSV UTF-8 (逗号分隔)", then send that file' }] };
  }
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  try {
    if (!utf16) return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Not UTF-8: said below.
  }
  const [what, from] = utf16 ? ['UTF-16 (Excel\'s "Unicode text")', 'UTF-16'] : ['not UTF-8 (likely GBK: Excel\'s "CSV (逗号分隔)")', 'GBK'];
  return { ok: false, problems: [{ line: null, code: 'ENCODING_NOT_UTF8', field: null, message: `the file is ${what}; save it as "CSV UTF-8 (逗号分隔)" or convert it (iconv -f ${from} -t UTF-8)` }] };
}

const REPORT = /* GraphQL */ `
  mutation Report($records: [ReportedAidInput!]!, $dryRun: Boolean) {
    aidReport(input: { records: $records, dryRun: $dryRun }) {
      recorded
      alreadyRecorded
      conflicts { index rule { id title } severity explanation }
      incompleteChecks { index departments { code } }
      settlementsUnknown
      userErrors { index code field message }
    }
  }
`;

export interface ReportOutcome {
  recorded: number;
  alreadyRecorded: number;
  conflicts: { line: number; rule: string; severity: string; explanation: string }[];
  /** Lines whose check could not read these departments: their conflicts are not known. */
  incomplete: { line: number; departments: string[] }[];
  /** Lines recorded whose settlement medical insurance does not hold (mistyped or reversed). */
  settlementsUnknown: number[];
  problems: FileProblem[];
}

export interface ReportOptions {
  /**
   * The officer the report is sent for, as X-Officer (valid: checked by the caller with
   * access/officer.ts, as the hub checks it); null or absent sends none.
   */
  officer?: string | null;
}

/**
 * Sends a file to the hub at `hubUrl` as the client whose token is given. A file with bad cells is
 * not recorded, but its rows are still checked by the hub (a dry run, which writes nothing), so one
 * run shows the file's problems and the hub's together, by line.
 */
export async function reportFile(hubUrl: string, token: string, file: string, options: ReportOptions = {}): Promise<ReportOutcome> {
  const decoded = decodeReportFile(fs.readFileSync(file));
  if (!decoded.ok) return { recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], settlementsUnknown: [], problems: decoded.problems };
  const parsed = parseReportCsv(decoded.text);
  if (parsed.ok) return sendBatch(hubUrl, token, options, parsed.records, parsed.lines, false);
  // Problems of the header or of the file's syntax: its rows cannot be told apart reliably (an
  // unknown column may be a misspelt one), and the hub would only answer for what was misread.
  if (!parsed.records || parsed.records.length === 0) return { recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], settlementsUnknown: [], problems: parsed.problems };
  const lines = parsed.lines ?? [];
  const checked = await sendBatch(hubUrl, token, options, parsed.records, lines, true);
  const stoodIn = (p: FileProblem) => p.line !== null && p.field !== null && (parsed.unreadable?.get(lines.indexOf(p.line))?.has(fieldOfColumn(p.field) ?? p.field) ?? false);
  const problems = [...parsed.problems, ...checked.problems.filter((p) => !stoodIn(p))].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], settlementsUnknown: [], problems };
}

async function sendBatch(hubUrl: string, token: string, options: ReportOptions, records: Record<string, unknown>[], lines: number[], dryRun: boolean): Promise<ReportOutcome> {
  const endpoint = new URL('/graphql', hubUrl);
  const refused = (code: string, message: string): ReportOutcome => ({ recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], settlementsUnknown: [], problems: [{ line: null, code, field: null, message }] });
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'DUPLICATE_CHECK', ...(options.officer ? { 'x-officer': options.officer } : {}) },
      body: JSON.stringify({ query: REPORT, variables: { records, dryRun } }),
    });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND …) is its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return refused('HUB_UNREACHABLE', `no answer from ${endpoint.href} (${cause?.code ?? cause?.message ?? (err as Error).message}): is the hub running there? (--hub)`);
  }
  let body: { data?: { aidReport: any }; errors?: { message: string; extensions?: { code?: string; reason?: string; argument?: string } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not the hub's JSON: a proxy's error page, or another service on that port.
    return refused(`HTTP_${res.status}`, `${endpoint.href} did not answer as an AidHub does (not JSON): is --hub right?`);
  }
  const line = (index: number | null) => (index === null ? null : (lines[index] ?? index + 2));
  if (!body.data?.aidReport) {
    // A variable the hub refused (an entry_kind of "correction") names its record, $records[3].entryKind:
    // every such error by its line and column, not the first alone by the batch's index.
    const errors = body.errors?.length ? body.errors : [{ message: 'no answer' }];
    return {
      recorded: 0,
      alreadyRecorded: 0,
      conflicts: [],
      incomplete: [], settlementsUnknown: [],
      problems: errors.map((e) => {
        const at = /^\$records\[(\d+)\](?:\.(\w+))?/.exec(e.extensions?.argument ?? '');
        const column = at?.[2] ? columnOf(at[2]) : null;
        // The access layer's refusal of the request itself (400 BAD_REQUEST) says why in its reason:
        // OFFICER_REQUIRED for a client that must name its officer, not a bare BAD_REQUEST.
        const code = e.extensions?.code === 'BAD_REQUEST' && e.extensions.reason ? e.extensions.reason : (e.extensions?.code ?? `HTTP_${res.status}`);
        return { line: at ? line(Number(at[1])) : null, code, field: column, message: e.message };
      }),
    };
  }
  const r = body.data.aidReport;
  return {
    recorded: r.recorded,
    alreadyRecorded: r.alreadyRecorded,
    conflicts: r.conflicts.map((c: any) => ({ line: line(c.index)!, rule: c.rule.id, severity: c.severity, explanation: c.explanation })),
    incomplete: r.incompleteChecks.map((c: any) => ({ line: line(c.index)!, departments: c.departments.map((d: { code: string }) => d.code) })),
    settlementsUnknown: r.settlementsUnknown.map((index: number) => line(index)!),
    // By the file's column, as the file's own problems are: the hub names its input's field
    // (beneficiaryIdNumber), a name the office's spreadsheet does not show.
    // The record a message names by its place in the batch (REFERENCE_REPEATED_IN_BATCH: "the same
    // reference as record 0") by the line it is on: a clerk read "record 0" beside "dup.csv:3" and
    // looked for a record 0 the file does not number.
    problems: r.userErrors.map((e: any) => ({ line: line(e.index), code: e.code, field: e.field === null ? null : columnOf(e.field), message: inFileTerms(e.message).replace(/\bas record (\d+)\b/g, (_: string, n: string) => `as line ${line(Number(n))}`) })),
  };
}

/** The input fields whose column has another name (beneficiaryIdNumber is beneficiary_id_number). */
const RENAMED_FIELDS: ReadonlyMap<string, string> = new Map(Object.entries(REPORT_COLUMNS).flatMap(([column, field]) => (column === field ? [] : [[field, column] as const])));

/**
 * A hub's message as the file says it: the API's field names as the file's columns, and the API's
 * `separateAid: true` as the cell that says it (SAME_AS_CHARITY_DELIVERY told a clerk with a
 * spreadsheet to send a field the file has no column of that name for).
 */
function inFileTerms(message: string): string {
  return message.replace(/\bseparateAid: true\b/g, 'separate_aid 是').replace(/\b[a-z]+(?:[A-Z][a-z]+)+\b/g, columnOf);
}

/** The file's column an aidReport input field is read from (the field's own name if none is). */
function columnOf(field: string): string {
  return RENAMED_FIELDS.get(field) ?? field;
}
