/**
 * Lateness filed under the office that was late, after a hand-over (首问负责 handed on), on a real hub
 * database: 古槐街道 receives the Wang household's application Monday 2026-03-02 and lets its 3-working-day
 * investigation opinion (due 03-05) run out; on 03-09 it hands the case to 任城区民政局 (a hand-over
 * slip, accepted: OWNER_CHANGED), which forms the opinion on 03-11. Supervision (overdueReport and GET
 * /exports/overdue.csv) lists that deadline, overdue and then met late, under the township, not the
 * county office that took the case over; the county office's own lateness (the 20 working days of
 * APPROVAL, due 03-30 while it owned the case) is its own. The report reads the owners from the case's
 * history it loads anyway: the same statements with the hand-over as without.
 */
import { parse } from 'csv-parse/sync';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok } from './support/payloads';
import { countyClients } from './support/cases';
import { insertRegions, insertWang } from './support/scenarios';
import { DEADLINE_KIND } from '../server/case-pages';
import { OVERDUE_HEADER } from '../server/overdue-export';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id reference owner { key } } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code } } }`;
const CASE = `query($id: ID!) { case(id: $id) { owner { key } history { action reason } } }`;
const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf, shortfallsSince: "2026-03-01") {
  byOffice { office { key name }
    tally { caseDeadlines { metLate overdue fellDue } }
    cases { case { id } deadline { kind } }
    casesLate { case { id } deadline { kind } } } } }`;

const TOWNSHIP = '370811001';
const COUNTY_CA = 'CIVIL_AFFAIRS';
const cn = (local: string) => `${local}+08:00`;

type Caller = ReturnType<TestHub['as']>;
type Group = { office: { key: string; name: string }; tally: { caseDeadlines: Record<string, number> }; cases: { case: { id: string }; deadline: { kind: string } }[]; casesLate: { case: { id: string }; deadline: { kind: string } }[] };

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock(cn('2026-03-02T09:00:00'));
let township: Caller;
let county: Caller;
let supervisor: Caller;
let caseId: string;
let reference: string;
let statementsBefore: unknown;

/** The report at `asOf` (default now): per office key, this case's overdue and late deadlines and the tally; and the statements it cost. */
async function report(asOf?: string) {
  const res = await supervisor.gql(REPORT, asOf ? { asOf: cn(asOf) } : {});
  expect(res.errors).toBeUndefined();
  const mine = (list: { case: { id: string }; deadline: { kind: string } }[]) => list.filter((c) => c.case.id === caseId).map((c) => c.deadline.kind);
  const byOffice = new Map<string, { name: string; cases: string[]; casesLate: string[]; tally: Record<string, number> }>(
    (res.data.overdueReport.byOffice as Group[]).map((g) => [g.office.key, { name: g.office.name, cases: mine(g.cases), casesLate: mine(g.casesLate), tally: g.tally.caseDeadlines }]),
  );
  return { byOffice, statements: res.extensions?.sqlStatements?.bySource };
}

/** The overdue lines of the spreadsheet for this case: [应办单位, 事项]. */
async function csvLines(asOf: string): Promise<string[][]> {
  const file = await fetch(`${hub.url}/exports/overdue.csv?asOf=${encodeURIComponent(cn(asOf))}&shortfallsSince=2026-03-01`, { headers: supervisor.headers });
  expect(file.status).toBe(200);
  const rows: string[][] = parse((await file.text()).replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false });
  const header = rows.findIndex((r) => r.join('|') === OVERDUE_HEADER.join('|'));
  expect(header).toBeGreaterThan(0);
  const office = OVERDUE_HEADER.indexOf('应办单位');
  const what = OVERDUE_HEADER.indexOf('事项');
  return rows.slice(header + 1).filter((r) => r[1] === reference).map((r) => [r[office], r[what]]);
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_late_hand_over');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: '2026-03-02', purpose: 'CASE_MEETING', clock: clock.now });
  ({ township, county, supervisor } = await countyClients(hub, [
    ['township', TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['county', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['supervisor', '370811', 'CIVIL_AFFAIRS', ['SUPERVISOR'], 'SUPERVISION'],
  ]));
  // Monday 03-02: reported and accepted at the township; its opinion is due by the end of Thursday 03-05.
  const opened = (await ok(township.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '申请临时救助' } }, 'caseOpen')).case;
  expect(opened.owner).toEqual({ key: TOWNSHIP });
  [caseId, reference] = [opened.id, opened.reference];
  await ok(township.gql, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  // Friday 03-06: overdue at the township, which owns the case.
  clock.set(cn('2026-03-06T10:00:00'));
  const before = await report();
  expect(before.byOffice.get(TOWNSHIP)?.cases).toEqual(['INVESTIGATION_OPINION']);
  statementsBefore = before.statements;
  // Monday 03-09: handed over to 任城区民政局, which accepts it and owns the case from then.
  clock.set(cn('2026-03-09T10:00:00'));
  const slip = (await ok(township.gql, ISSUE, { input: { caseId, to: { department: COUNTY_CA }, ask: '家庭情况复杂，移交区民政局办理', deadlineWorkingDays: 3, handOver: true } }, 'referralIssue')).referral.id;
  clock.set(cn('2026-03-09T11:00:00'));
  expect((await ok(county.gql, ACCEPT, { input: { referralId: slip, note: '接收' } }, 'referralAccept')).referral.state).toBe('COMPLETED');
  const handed = (await county.gql(CASE, { id: caseId })).data.case;
  expect(handed.owner).toEqual({ key: COUNTY_CA });
  expect(handed.history.filter((e: { action: string }) => e.action === 'OWNER_CHANGED')).toEqual([{ action: 'OWNER_CHANGED', reason: `${TOWNSHIP} → ${COUNTY_CA}` }]);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('lists the opinion still overdue under the township that let it run out, not the county office that took the case over, in the API and the file', async () => {
  clock.set(cn('2026-03-10T10:00:00'));
  const now = await report();
  expect(now.byOffice.get(TOWNSHIP)).toMatchObject({ cases: ['INVESTIGATION_OPINION'], tally: { overdue: 1, fellDue: 1 } });
  expect(now.byOffice.get(COUNTY_CA)?.cases ?? []).toEqual([]);
  expect(now.byOffice.get(COUNTY_CA)?.tally ?? { overdue: 0 }).toMatchObject({ overdue: 0 });
  // The owners read from the history the report loads anyway: not a statement more than before the hand-over.
  expect(now.statements).toBeDefined();
  expect(now.statements).toEqual(statementsBefore);
  const townshipName = now.byOffice.get(TOWNSHIP)!.name;
  expect(await csvLines('2026-03-10T10:00:00')).toEqual([[townshipName, DEADLINE_KIND.INVESTIGATION_OPINION]]);
});

it('lists it met late by the county office under the township, and the county office’s own lateness under it', async () => {
  clock.set(cn('2026-03-11T09:00:00'));
  await ok(county.gql, MOVE, { input: { caseId, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition');
  // Its opinion formed: the case goes to deliberation (一事一议), late by four working days.
  clock.set(cn('2026-03-11T16:00:00'));
  await ok(county.gql, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '初审意见：提请一事一议' } }, 'caseTransition');
  clock.set(cn('2026-03-12T10:00:00'));
  const met = await report();
  expect(met.byOffice.get(TOWNSHIP)).toMatchObject({ cases: [], casesLate: ['INVESTIGATION_OPINION'], tally: { metLate: 1, overdue: 0, fellDue: 1 } });
  expect(met.byOffice.get(COUNTY_CA)?.casesLate ?? []).toEqual([]);
  expect(met.byOffice.get(COUNTY_CA)?.tally ?? { metLate: 0 }).toMatchObject({ metLate: 0 });
  // APPROVAL's 20 working days ran out on 03-30 while the county office owned the case: its own.
  clock.set(cn('2026-03-31T10:00:00'));
  const later = await report();
  expect(later.byOffice.get(COUNTY_CA)).toMatchObject({ cases: ['APPROVAL'], tally: { overdue: 1, fellDue: 1 } });
  expect(later.byOffice.get(TOWNSHIP)).toMatchObject({ cases: [], casesLate: ['INVESTIGATION_OPINION'] });
  const countyName = later.byOffice.get(COUNTY_CA)!.name;
  expect(await csvLines('2026-03-31T10:00:00')).toEqual([[countyName, DEADLINE_KIND.APPROVAL]]);
  // Asked now of a day before the hand-over: the township's, as it was then.
  expect((await report('2026-03-06T10:00:00')).byOffice.get(TOWNSHIP)?.cases).toEqual(['INVESTIGATION_OPINION']);
});
