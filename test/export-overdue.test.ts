/**
 * 督查通报 as a spreadsheet (GET /exports/overdue.csv): overdueReport's tallies per office, township
 * and county and its overdue slips and case deadlines, on a real hub whose clock the test moves
 * across 国庆 2026 (10-01 to 10-07 off, Saturday 10-10 worked), read by a supervision office and
 * compared with the GraphQL answer to the same arguments: the same figures, each overdue line once
 * with its working days by the holiday calendar. The file names no household or person, yet every
 * household and beneficiary its lines are about is on the audit trail; bad parameters get the
 * API's reasons; the route has the report's access rule and keeps to the caller's region scope.
 */
import { parse } from 'csv-parse/sync';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { auditRows } from './support/audit-trail';
import { caseOpened, toDeliberation } from './support/cases';
import { okPayload } from './support/payloads';
import { COUNTY_HEADER, OFFICE_HEADER, OVERDUE_HEADER, rateCell, TOWNSHIP_HEADER } from '../server/overdue-export';

type Gql = TestHub['gql'];

const cn = (local: string) => `${local}+08:00`;
const ASOF = cn('2026-10-12T18:00:00');
const SINCE = '2026-10-01';
const TOWNSHIP = WANG.regionCode.slice(0, 9);
const SLIP = `referral { id state dueOn } userErrors { code field }`;
const TALLY = `tally { referrals { answeredOnTime answeredLate declined supersededBeforeDue supersededLate openOverdue fellDue counted onTimeRate }
  caseDeadlines { metOnTime metLate missed overdue fellDue counted onTimeRate } }`;
const REPORT = `query($asOf: DateTime, $since: Date, $region: String) { overdueReport(asOf: $asOf, shortfallsSince: $since, regionCode: $region) {
  recordedAfterAsOf
  byOffice { office { name } county { name } ${TALLY}
    referrals { referral { id dueOn } overdue { workingDays hours provisional } recordedAfterAsOf }
    cases { case { reference township { name } } deadline { kind dueOn overdue { workingDays hours provisional } } recordedAfterAsOf } }
  byTownship { township { name } ${TALLY} }
  byCounty { county { name } ${TALLY} } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let ca: Gql;
let health: Gql;
let supervisor: ReturnType<TestHub['as']>;
let township: ReturnType<TestHub['as']>;
let healthOffice: ReturnType<TestHub['as']>;
const clock = new TestClock(cn('2026-09-28T09:00:00'));
const slip: Record<string, string> = {};
let decisionId = '';

const at = (local: string) => clock.set(cn(local));
const slipWrite = (verb: 'Accept' | 'Complete', referralId: string) =>
  okPayload(health, `mutation($input: Referral${verb}Input!) { referral${verb}(input: $input) { ${SLIP} } }`, { input: { referralId, ...(verb === 'Complete' ? { feedback: '已核实办理' } : {}) } }, `referral${verb}`);

/** The body as Excel reads it: a byte-order mark first (fetch's text() drops it), then UTF-8. */
async function fileText(res: Response): Promise<string> {
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return bytes.subarray(3).toString('utf8');
}

/** The export as `who`, with the query string given. */
function exportAs(who: { headers: Record<string, string> }, query = `asOf=${encodeURIComponent(ASOF)}&shortfallsSince=${SINCE}`) {
  return fetch(`${hub.url}/exports/overdue.csv${query ? `?${query}` : ''}`, { headers: who.headers });
}

/** The file's four tables, each by its header row: the rows under it up to the blank line. */
function sections(text: string): Map<string, string[][]> {
  const rows: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: false });
  const out = new Map<string, string[][]>();
  for (const [name, header] of [['office', OFFICE_HEADER], ['township', TOWNSHIP_HEADER], ['county', COUNTY_HEADER], ['overdue', OVERDUE_HEADER]] as const) {
    const start = rows.findIndex((r) => r.join('|') === header.join('|'));
    expect(start).toBeGreaterThan(0);
    const end = rows.findIndex((r, i) => i > start && (r.length === 0 || r.every((c) => c === '')));
    out.set(name, rows.slice(start + 1, end < 0 ? undefined : end));
  }
  return out;
}

/** A GraphQL tally as the file writes it. */
function tallyRow(t: any): string[] {
  const r = t.referrals;
  const c = t.caseDeadlines;
  return [r.answeredOnTime, r.answeredLate, r.declined, r.supersededBeforeDue, r.supersededLate, r.openOverdue, r.fellDue, r.counted, rateCell(r.onTimeRate), c.metOnTime, c.metLate, c.missed, c.overdue, c.fellDue, c.counted, rateCell(c.onTimeRate)].map(String);
}

beforeAll(async () => {
  dbs = await createTestDatabases('export_overdue');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ca = hub.gql;
  const client = async (department: string, regionScope: string, roles: string[], purpose: string) => hub.as({ token: (await hub.createClient({ department: department as never, regionScope, roles: roles as never })).token, purpose });
  healthOffice = await client('HEALTH', '370811', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL');
  health = healthOffice.gql;
  supervisor = await client('CIVIL_AFFAIRS', '370800', ['SUPERVISOR'], 'SUPERVISION');
  township = await client('CIVIL_AFFAIRS', TOWNSHIP, ['CASEWORKER'], 'REFERRAL');

  // Monday 09-28: two applications of the household; the first goes to deliberation, the second waits (its opinion due 10-08).
  const decided = await caseOpened(ca, wangId, '住院及法律援助', cn('2026-09-28T09:00:00'));
  const waiting = await caseOpened(ca, wangId, '住房困难', cn('2026-09-28T09:00:00'));
  await toDeliberation(ca, decided);
  await okPayload(ca, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId: waiting, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const issue = async (name: string, deadlineWorkingDays: number) => {
    clock.set(new Date(clock.at.getTime() + 60_000));
    const r = await okPayload(ca, `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`, { input: { caseId: decided, to: { department: 'HEALTH' }, ask: `核实住院费用（${name}）`, deadlineWorkingDays } }, 'referralIssue');
    slip[name] = r.referral.id;
    return r.referral.dueOn;
  };
  // Due after the holiday (10-08), before it (09-29, 09-30), and long after asOf.
  expect(await issue('onTimeOverHoliday', 3)).toBe('2026-10-08');
  expect(await issue('late', 2)).toBe('2026-09-30');
  expect(await issue('openOverHoliday', 3)).toBe('2026-10-08');
  expect(await issue('openBeforeHoliday', 1)).toBe('2026-09-29');
  expect(await issue('pending', 20)).toBe('2026-10-30');
  // A decision of legal aid for the head of the household, due 10-08, never answered: a slip about a person.
  const met = await okPayload(
    ca,
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id dueOn } } userErrors { code field } } }`,
    { input: { caseId: decided, heldOn: '2026-09-28', departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE'], decisions: [{ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 3, beneficiaryIdNumber: WANG.head }] } },
    'meetingRecord',
  );
  decisionId = met.meeting.decisions[0].id;
  for (const name of Object.keys(slip)) await slipWrite('Accept', slip[name]);
  // Thursday 10-08, the first working day after the holiday: one on time, one late.
  at('2026-10-08T16:00:00');
  await slipWrite('Complete', slip.onTimeOverHoliday);
  await slipWrite('Complete', slip.late);
  at('2026-10-14T09:00:00');
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('holds the same figures and overdue lines as overdueReport, working days counted by the holiday calendar', async () => {
  const res = await exportAs(supervisor);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="overdue-370800-2026-10-12.csv"');
  const text = await fileText(res);
  const file = sections(text);
  const gql = await supervisor.gql(REPORT, { asOf: ASOF, since: SINCE });
  expect(gql.errors).toBeUndefined();
  const r = gql.data.overdueReport;

  expect(file.get('office')).toEqual(r.byOffice.map((g: any) => [g.county.name, g.office.name, ...tallyRow(g.tally)]));
  expect(file.get('township')).toEqual(r.byTownship.map((g: any) => ['任城区', g.township.name, ...tallyRow(g.tally)]));
  expect(file.get('county')).toEqual(r.byCounty.map((g: any) => [g.county.name, ...tallyRow(g.tally)]));
  // Offices named as the hub names them: the county's own.
  expect(file.get('office')!.map((row) => row[1])).toEqual(expect.arrayContaining(['任城区医疗保障局', '任城区司法局', '任城区民政局']));
  // Health: on time across the holiday, one late, two open past due; 1/4 on time. Two fell due in
  // the period (from 10-01: the two due 10-08; 09-29 and 09-30 before it, 10-30 after asOf).
  const healthRow = file.get('office')!.find((row) => row[1] === '任城区医疗保障局')!;
  expect(healthRow.slice(2, 11)).toEqual(['1', '1', '0', '0', '0', '2', '2', '4', '25.00%']);

  // The overdue list: each of the report's overdue slips and case deadlines once, as the API reads them.
  const lines = file.get('overdue')!;
  const apiSlips = r.byOffice.flatMap((g: any) => g.referrals.map((s: any) => [s.referral.id, g.office.name, s.referral.dueOn, String(s.overdue.workingDays), String(s.overdue.hours), s.overdue.provisional ? '是' : '否']));
  const fileSlips = lines.filter((l) => l[0] === '转办单').map((l) => [l[6], l[4], l[8], l[9], l[10], l[11]]);
  expect(fileSlips).toEqual(apiSlips);
  const apiCases = r.byOffice.flatMap((g: any) => g.cases.map((c: any) => [c.case.reference, g.office.name, c.case.township.name, c.deadline.dueOn, String(c.deadline.overdue.workingDays)]));
  expect(lines.filter((l) => l[0] === '案件时限').map((l) => [l[1], l[4], l[3], l[8], l[9]])).toEqual(apiCases);
  // By hand: due 09-29, overdue 09-30, 10-08, 10-09, Saturday 10-10 (worked) and 10-12 at asOf: 5 working days of 13 calendar ones.
  const beforeHoliday = lines.find((l) => l[6] === slip.openBeforeHoliday)!;
  expect([beforeHoliday[4], beforeHoliday[5], beforeHoliday[8], beforeHoliday[9]]).toEqual(['任城区医疗保障局', '转办', '2026-09-29', '5']);
  expect(lines.find((l) => l[6] === slip.openOverHoliday)![9]).toBe('3');
  expect(lines.find((l) => l[6] === decisionId)!.slice(4, 6)).toEqual(['任城区司法局', '会议决定：法律援助']);
  expect(lines.filter((l) => l[0] === '案件时限').map((l) => [l[4], l[5], l[8], l[9]])).toEqual([['任城区民政局', '调查初审意见', '2026-10-08', '3']]);
  expect(lines.map((l) => l[6]).filter((id) => id !== '')).not.toContain(slip.pending);

  // Nothing of a household or person on the file: no ID number, no name, no registration number.
  for (const secret of [WANG.head, WANG.head.slice(-4), '王建国', WANG.registrationNo]) expect(text).not.toContain(secret);
});

it('puts every household and beneficiary its lines are about on record, as the API does', async () => {
  const before = await auditRows(dbs, "operation = 'GET /exports/overdue.csv'");
  expect((await exportAs(supervisor)).status).toBe(200);
  const after = await auditRows(dbs, "operation = 'GET /exports/overdue.csv'");
  const added = after.slice(before.length);
  // The route's own row (subject NONE), then the household and the decision's beneficiary.
  expect(added.filter((row) => row.subject_kind !== 'NONE').map((row) => [row.subject_kind, row.outcome]).sort()).toEqual([
    ['HOUSEHOLD', 'ALLOWED'],
    ['PERSON', 'ALLOWED'],
  ]);
  expect(new Set(added.map((row) => row.purpose))).toEqual(new Set(['SUPERVISION']));
  // The API, listing the same slips and cases to the same caller, records the same kinds of subject.
  const seq = Math.max(...after.map((row) => Number(row.seq)));
  expect((await supervisor.gql(REPORT, { asOf: ASOF, since: SINCE })).errors).toBeUndefined();
  const api = await auditRows(dbs, "seq > ? AND channel <> 'HTTP' AND subject_kind <> 'NONE'", [seq]);
  expect([...new Set(api.map((row) => row.subject_kind))].sort()).toEqual(['HOUSEHOLD', 'PERSON']);
});

it('gives a township office the report of its own township: every office owing its households, its own desk among them', async () => {
  const res = await exportAs(township);
  expect(res.status).toBe(200);
  const file = sections(await fileText(res));
  const gql = await township.gql(REPORT, { asOf: ASOF, since: SINCE });
  expect(gql.errors).toBeUndefined();
  expect(file.get('office')).toEqual(gql.data.overdueReport.byOffice.map((g: any) => [g.county.name, g.office.name, ...tallyRow(g.tally)]));
  expect(file.get('township')!.map((row) => row[1])).toEqual(['古槐街道']);
  expect(res.headers.get('content-disposition')).toContain(`overdue-${TOWNSHIP}-`);
  // Another township is outside its scope: refused as the API refuses it.
  const other = await exportAs(township, 'regionCode=370811002');
  expect(other.status).toBe(403);
  expect(((await other.json()) as any).errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE', argument: 'regionCode' });
  const api = await township.gql(REPORT, { region: '370811002' });
  expect(api.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
});

it('is closed to whoever may not read overdueReport: a department office answering slips', async () => {
  const res = await exportAs(healthOffice);
  expect(res.status).toBe(403);
  expect(((await res.json()) as any).errors[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
});

it.each([
  ['an instant without an offset', 'asOf=2026-10-12T18:00:00', 'MALFORMED_DATETIME', 'asOf'],
  ['a date that is none', 'shortfallsSince=2026-02-30', 'MALFORMED_DATE', 'shortfallsSince'],
  ['a period starting after asOf', `asOf=${encodeURIComponent(ASOF)}&shortfallsSince=2026-10-13`, 'EMPTY_WINDOW', 'shortfallsSince'],
  ['a region that is no division code', 'regionCode=37081', 'MALFORMED_DIVISION_CODE', 'regionCode'],
  ['a division the hub holds nothing of', 'regionCode=370811999', 'REGION_UNKNOWN', 'regionCode'],
  ['a parameter it does not take', 'township=370811001', 'MALFORMED_FILTER', undefined],
  ['a parameter without a value', 'asOf=', 'MALFORMED_FILTER', undefined],
  ['a parameter given twice', 'regionCode=370811&regionCode=370812', 'MALFORMED_FILTER', 'regionCode'],
])('refuses %s: 400 BAD_USER_INPUT, %s', async (_, query, reason, argument) => {
  const res = await exportAs(supervisor, query);
  expect(res.status).toBe(400);
  const error = ((await res.json()) as any).errors[0];
  expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason, ...(argument ? { argument } : {}) });
});

// The scalars take any real day; overdueReport's arguments are held to the hub's ranges besides
// (resolvers/date-ranges.ts). Read by the scalars alone, the file answered a report for asOf 2150
// (every open slip 18,000 working days overdue) or a period from 1800, which the API refuses.
it.each([
  ['an instant after the range (2150 typed for 2015)', { asOf: cn('2150-10-12T18:00:00') }],
  ['an instant before it', { asOf: '1970-01-01T00:00:00Z' }],
  ['a period starting before the range', { since: '1800-01-01' }],
] as [string, { asOf?: string; since?: string }][])('refuses %s as overdueReport does: 400 BAD_USER_INPUT, OUT_OF_RANGE with its bounds', async (_, args) => {
  const query = new URLSearchParams({ ...(args.asOf ? { asOf: args.asOf } : {}), ...(args.since ? { shortfallsSince: args.since } : {}) }).toString();
  const res = await exportAs(supervisor, query);
  expect(res.status).toBe(400);
  const api = await supervisor.gql(REPORT, args);
  expect(api.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE' });
  expect(((await res.json()) as any).errors[0].extensions).toEqual(api.errors![0].extensions);
});

it('reads an offset typed unescaped into an address bar (a + arrives as a space) as the offset it was', async () => {
  const typed = await exportAs(supervisor, `asOf=2026-10-12T18:00:00+08:00&shortfallsSince=${SINCE}`);
  expect(typed.status).toBe(200);
  const escaped = await exportAs(supervisor);
  expect(await typed.text()).toBe(await escaped.text());
});
