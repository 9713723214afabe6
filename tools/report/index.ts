/**
 * A reporter's CSV file of aid, sent to a running hub as one aidReport batch (the same validation,
 * idempotency, pre-grant check, access rules and audit as the API: the file is only another way to
 * write the batch). One row per record, a header row naming the columns below; empty cells are
 * absent values. Problems are reported by line number (the header is line 1).
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';

/** The file's columns, each with the aidReport input field it fills. */
export const REPORT_COLUMNS = {
  reference: 'reference',
  entry_kind: 'entryKind',
  supersedes_reference: 'supersedesReference',
  beneficiary_id_number: 'beneficiaryIdNumber',
  programme: 'programme',
  grant_date: 'grantDate',
  period_start: 'periodStart',
  period_end: 'periodEnd',
  amount_fen: 'amountFen',
  settlement_ref: 'settlementRef',
  case_reference: 'caseReference',
  need_id: 'needId',
} as const;

const REQUIRED = ['reference', 'beneficiary_id_number', 'programme', 'amount_fen'] as const;

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
): { ok: true; records: Record<string, unknown>[] } | { ok: false; problems: FileProblem[]; records?: Record<string, unknown>[]; unreadable?: Map<number, Set<string>> } {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false, skip_empty_lines: true, trim: true });
  } catch (err) {
    return { ok: false, problems: [{ line: null, code: 'CSV_MALFORMED', field: null, message: (err as Error).message.slice(0, 200) }] };
  }
  const [header, ...body] = rows;
  if (!header) return { ok: false, problems: [{ line: null, code: 'CSV_EMPTY', field: null, message: 'the file has no header row' }] };
  const problems: FileProblem[] = [];
  for (const h of header) if (!(h in REPORT_COLUMNS)) problems.push({ line: 1, code: 'COLUMN_UNKNOWN', field: h, message: `unknown column; the columns are ${Object.keys(REPORT_COLUMNS).join(', ')}` });
  for (const r of REQUIRED) if (!header.includes(r)) problems.push({ line: 1, code: 'COLUMN_MISSING', field: r, message: 'a required column is missing' });
  if (problems.length > 0) return { ok: false, problems };
  const unreadable = new Map<number, Set<string>>();
  const records = body.map((cells, i) => {
    const record: Record<string, unknown> = {};
    header.forEach((h, c) => {
      const value = cells[c];
      if (value === '') return;
      const field = REPORT_COLUMNS[h as keyof typeof REPORT_COLUMNS];
      if (field === 'amountFen') {
        if (!/^\d{1,12}$/.test(value)) {
          problems.push({ line: i + 2, code: 'AMOUNT_INVALID', field: h, message: 'amount_fen is whole fen (digits only)' });
          unreadable.set(i, new Set([...(unreadable.get(i) ?? []), field]));
          // A stand-in the hub can read, so the row keeps its place in the batch (a later row may
          // correct it); what the hub says of this field is not shown.
          record[field] = 0;
        } else record[field] = Number(value);
      } else record[field] = value;
    });
    return record;
  });
  return problems.length > 0 ? { ok: false, problems, records, unreadable } : { ok: true, records };
}

const REPORT = /* GraphQL */ `
  mutation Report($records: [ReportedAidInput!]!, $dryRun: Boolean) {
    aidReport(input: { records: $records, dryRun: $dryRun }) {
      recorded
      alreadyRecorded
      conflicts { index rule { id title } severity explanation }
      incompleteChecks { index departments { code } }
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
  problems: FileProblem[];
}

/**
 * Sends a file to the hub at `hubUrl` as the client whose token is given. A file with bad cells is
 * not recorded, but its rows are still checked by the hub (a dry run, which writes nothing), so one
 * run shows the file's problems and the hub's together, by line.
 */
export async function reportFile(hubUrl: string, token: string, file: string): Promise<ReportOutcome> {
  const parsed = parseReportCsv(fs.readFileSync(file, 'utf8'));
  if (parsed.ok) return sendBatch(hubUrl, token, parsed.records, false);
  // Problems of the header or of the file's syntax: its rows cannot be told apart reliably (an
  // unknown column may be a misspelt one), and the hub would only answer for what was misread.
  if (!parsed.records || parsed.records.length === 0) return { recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], problems: parsed.problems };
  const checked = await sendBatch(hubUrl, token, parsed.records, true);
  const stoodIn = (p: FileProblem) => p.line !== null && p.field !== null && (parsed.unreadable?.get(p.line - 2)?.has(p.field) ?? false);
  const problems = [...parsed.problems, ...checked.problems.filter((p) => !stoodIn(p))].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], problems };
}

async function sendBatch(hubUrl: string, token: string, records: Record<string, unknown>[], dryRun: boolean): Promise<ReportOutcome> {
  const endpoint = new URL('/graphql', hubUrl);
  const refused = (code: string, message: string): ReportOutcome => ({ recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], problems: [{ line: null, code, field: null, message }] });
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'DUPLICATE_CHECK' },
      body: JSON.stringify({ query: REPORT, variables: { records, dryRun } }),
    });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND …) is its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return refused('HUB_UNREACHABLE', `no answer from ${endpoint.href} (${cause?.code ?? cause?.message ?? (err as Error).message}): is the hub running there? (--hub)`);
  }
  let body: { data?: { aidReport: any }; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not the hub's JSON: a proxy's error page, or another service on that port.
    return refused(`HTTP_${res.status}`, `${endpoint.href} did not answer as an AidHub does (not JSON): is --hub right?`);
  }
  if (!body.data?.aidReport) {
    const e = body.errors?.[0];
    return { recorded: 0, alreadyRecorded: 0, conflicts: [], incomplete: [], problems: [{ line: null, code: e?.extensions?.code ?? `HTTP_${res.status}`, field: null, message: e?.message ?? 'no answer' }] };
  }
  const r = body.data.aidReport;
  const line = (index: number | null) => (index === null ? null : index + 2);
  return {
    recorded: r.recorded,
    alreadyRecorded: r.alreadyRecorded,
    conflicts: r.conflicts.map((c: any) => ({ line: c.index + 2, rule: c.rule.id, severity: c.severity, explanation: c.explanation })),
    incomplete: r.incompleteChecks.map((c: any) => ({ line: c.index + 2, departments: c.departments.map((d: { code: string }) => d.code) })),
    problems: r.userErrors.map((e: any) => ({ line: line(e.index), code: e.code, field: e.field, message: e.message })),
  };
}
