/**
 * 按时办结: supervision's figures for a period (overdueReport's `tally` on each office, township and
 * county), on a real hub whose clock the test moves across 国庆 2026 (10-01 to 10-07 off, Saturday
 * 10-10 worked). Slips to 任城区's health office and 任城区 justice's decisions of one household,
 * answered on time (one only because the holiday's days do not count, one weeks before it was due), late, declined in time and
 * late, superseded by a correction before and after their due date, left open past due, left open
 * not yet due, answered before the period, at its first instant and after its end; and three cases,
 * one meeting its limits before the period, one late in it, one overdue. The tally counts each once by
 * the standing its list reads (deadlineStatus), so its late figures are the lists' lengths, and a
 * supervision office reads it as it reads the lists; the report's statements stay the same however
 * many it counts.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { expectTallyAgreesWithLists, TALLY_AND_LISTS } from './support/cases';

type Gql = TestHub['gql'];

const cn = (local: string) => `${local}+08:00`;
const SLIP = `referral { id state dueOn } userErrors { code field }`;
const REPORT = `query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, shortfallsSince: $since) {
  byOffice { office { key } county { code } ${TALLY_AND_LISTS} }
  byTownship { township { code } ${TALLY_AND_LISTS} }
  byCounty { county { code } ${TALLY_AND_LISTS} } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let ca: Gql;
let health: Gql;
let justice: Gql;
let supervisor: Gql;
const clock = new TestClock(cn('2026-09-28T09:00:00'));
/** The health office's slips, by what becomes of them; justice's two decisions. */
const slip: Record<string, string> = {};
const caseIds = { decided: '', lateInvestigation: '', overdue: '' };

async function ok(gql: Gql, query: string, variables: Record<string, unknown>, field: string) {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

const at = (local: string) => clock.set(cn(local));
const move = (caseId: string, to: string) => ok(ca, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
const accept = (referralId: string, gql: Gql) => ok(gql, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`, { input: { referralId } }, 'referralAccept');
const complete = (referralId: string) => ok(health, `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`, { input: { referralId, feedback: '已核实办理' } }, 'referralComplete');
const decline = (referralId: string) => ok(health, `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`, { input: { referralId, reason: '本县无该户住院记录' } }, 'referralDecline');
const withdraw = (caseId: string, referralId: string) =>
  ok(ca, `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { userErrors { code field } } }`, { input: { caseId, reason: '已由法律援助中心受理，撤回', changes: [{ referralId }] } }, 'decisionCorrect');

async function report(gql: Gql, asOf: string, since: string) {
  const res = await gql(REPORT, { asOf: cn(asOf), since });
  expect(res.errors).toBeUndefined();
  return res.data.overdueReport;
}

const officeTally = (r: any, key: string) => r.byOffice.find((g: any) => g.office.key === key)?.tally;

beforeAll(async () => {
  dbs = await createTestDatabases('cases_tally');
  await insertRegions(dbs);
  const wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ca = hub.gql;
  const client = async (department: string, roles: string[], purpose: string) => hub.as({ token: (await hub.createClient({ department: department as never, regionScope: department === 'CIVIL_AFFAIRS' ? '370800' : '370811', roles: roles as never })).token, purpose }).gql;
  health = await client('HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL');
  justice = await client('JUSTICE', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL');
  supervisor = await client('CIVIL_AFFAIRS', ['SUPERVISOR'], 'SUPERVISION');

  // Monday 09-28: three applications of the household. The first goes to deliberation at once.
  const open = async (summary: string) =>
    (await ok(ca, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case.id as string;
  caseIds.decided = await open('住院及法律援助');
  caseIds.lateInvestigation = await open('子女就学困难');
  caseIds.overdue = await open('住房困难');
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await move(caseIds.decided, to);
  for (const id of [caseIds.lateInvestigation, caseIds.overdue]) await move(id, 'ACCEPTED');

  // Slips forwarded to health, due after 1 to 20 working days: 09-29, 09-30, then 10-08 (国庆 off), 10-10 (a worked Saturday), 10-30.
  const issue = async (name: string, deadlineWorkingDays: number) => {
    clock.set(new Date(clock.at.getTime() + 60_000));
    const r = await ok(ca, `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`, { input: { caseId: caseIds.decided, to: { department: 'HEALTH' }, ask: `核实住院费用（${name}）`, deadlineWorkingDays } }, 'referralIssue');
    slip[name] = r.referral.id;
    return r.referral.dueOn;
  };
  expect(await issue('onTimeOverHoliday', 3)).toBe('2026-10-08');
  expect(await issue('late', 2)).toBe('2026-09-30');
  expect(await issue('beforePeriod', 1)).toBe('2026-09-29');
  expect(await issue('declinedOnTime', 5)).toBe('2026-10-10');
  expect(await issue('openOverdue', 3)).toBe('2026-10-08');
  expect(await issue('openPending', 20)).toBe('2026-10-30');
  expect(await issue('declinedLate', 1)).toBe('2026-09-29');
  expect(await issue('answeredAfterAsOf', 1)).toBe('2026-09-29');
  expect(await issue('atPeriodStart', 2)).toBe('2026-09-30');
  expect(await issue('answeredEarly', 20)).toBe('2026-10-30');
  for (const name of Object.keys(slip)) await accept(slip[name], health);
  // The meeting decides legal aid for two members, due in 3 working days: 10-08.
  const legalAid = (beneficiaryIdNumber: string) => ({ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 3, beneficiaryIdNumber });
  const met = await ok(
    ca,
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id dueOn } } userErrors { code field } } }`,
    { input: { caseId: caseIds.decided, heldOn: '2026-09-28', departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE'], decisions: [legalAid(WANG.head), legalAid(WANG.spouse)] } },
    'meetingRecord',
  );
  expect(met.meeting.decisions.map((d: any) => d.dueOn)).toEqual(['2026-10-08', '2026-10-08']);
  [slip.supersededLate, slip.supersededBeforeDue] = met.meeting.decisions.map((d: { id: string }) => d.id);

  // Tuesday 09-29, before the period: one answered on its due day.
  at('2026-09-29T10:00:00');
  await complete(slip.beforePeriod);
  // The period's first instant (国庆 day 1): one due 09-30 answered late.
  at('2026-10-01T00:00:00');
  await complete(slip.atPeriodStart);
  // Thursday 10-08, the first working day after the holiday: in time for a 3-day slip issued 09-28 (seven
  // calendar days late without the holiday calendar), late for a 2-day one; a decision withdrawn on its due day.
  at('2026-10-08T11:00:00');
  await withdraw(caseIds.decided, slip.supersededBeforeDue);
  at('2026-10-08T16:00:00');
  await complete(slip.onTimeOverHoliday);
  at('2026-10-08T16:05:00');
  await complete(slip.late);
  // Friday 10-09: declined before its 10-10 due day; the other decision withdrawn a day after it was due;
  // the second case's investigation opinion, due 10-08, given a day late.
  at('2026-10-09T10:00:00');
  await decline(slip.declinedOnTime);
  // Three weeks early: on time, though not due until after the report's asOf.
  await complete(slip.answeredEarly);
  await withdraw(caseIds.decided, slip.supersededLate);
  await move(caseIds.lateInvestigation, 'INVESTIGATING');
  await move(caseIds.lateInvestigation, 'IN_DELIBERATION');
  // Monday 10-12: one due 09-29 declined.
  at('2026-10-12T10:00:00');
  await decline(slip.declinedLate);
  // Tuesday 10-13, after the report's asOf: one due 09-29 answered at last.
  at('2026-10-13T10:00:00');
  await complete(slip.answeredAfterAsOf);
  at('2026-10-14T09:00:00');
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('counts each slip of the period once: on time across the holiday, late, declined, superseded, open past due', async () => {
  const r = await report(supervisor, '2026-10-12T18:00:00', '2026-10-01');
  expect(officeTally(r, 'HEALTH').referrals).toEqual({
    // onTimeOverHoliday, declinedOnTime and answeredEarly; not beforePeriod (answered 09-29).
    answeredOnTime: 3,
    // late, declinedLate, atPeriodStart (at the period's first instant).
    answeredLate: 3,
    declined: 2,
    supersededBeforeDue: 0,
    supersededLate: 0,
    // openOverdue, and answeredAfterAsOf as it stood at asOf; not openPending (due 10-30).
    openOverdue: 2,
    // Due 10-01 to 10-12, whatever became of them: onTimeOverHoliday and openOverdue (10-08), declinedOnTime (10-10).
    fellDue: 3,
    counted: 8,
    onTimeRate: 3 / 8,
  });
  // Justice's decisions, superseded under the office they were sent to: one before its due day ended, one after.
  // Both fell due (10-08) in the period, superseded or not.
  expect(officeTally(r, 'JUSTICE').referrals).toEqual({ answeredOnTime: 0, answeredLate: 0, declined: 0, supersededBeforeDue: 1, supersededLate: 1, openOverdue: 0, fellDue: 2, counted: 1, onTimeRate: 0 });
  // Civil affairs owns the cases: the second's investigation opinion met late in the period, the third's overdue.
  // All three opinions fell due 10-08, the first's met on 09-28 before the period.
  expect(officeTally(r, 'CIVIL_AFFAIRS').caseDeadlines).toEqual({ metOnTime: 0, metLate: 1, missed: 0, overdue: 1, fellDue: 3, counted: 2, onTimeRate: 0 });
  expect(officeTally(r, 'CIVIL_AFFAIRS').referrals.counted).toBe(0);
  // One township, one county: the same figures added up.
  expect(r.byCounty.map((g: any) => [g.county.code, g.tally.referrals.counted, g.tally.referrals.answeredOnTime, g.tally.caseDeadlines.counted])).toEqual([['370811', 9, 3, 2]]);
  expect(r.byTownship.map((g: any) => g.township.code)).toEqual([WANG.regionCode.slice(0, 9)]);
  expectTallyAgreesWithLists(r);
});

it('keeps to the period: what was answered before it, or after asOf, is counted where it belongs', async () => {
  // From 09-28: the slip answered 09-29 on time, and the first case's limits met on 09-28.
  const wider = await report(supervisor, '2026-10-12T18:00:00', '2026-09-28');
  // From 09-28 the slips due 09-29 and 09-30 fell due in it too (five), answered or not.
  expect(officeTally(wider, 'HEALTH').referrals).toMatchObject({ answeredOnTime: 4, answeredLate: 3, openOverdue: 2, fellDue: 8, counted: 9 });
  expect(officeTally(wider, 'CIVIL_AFFAIRS').caseDeadlines).toMatchObject({ metOnTime: 2, metLate: 1, overdue: 1, fellDue: 3, counted: 4 });
  expectTallyAgreesWithLists(wider);
  // A day later the slip due 09-29 answered 10-13 is late, no longer open.
  const later = await report(supervisor, '2026-10-13T18:00:00', '2026-10-01');
  expect(officeTally(later, 'HEALTH').referrals).toMatchObject({ answeredOnTime: 3, answeredLate: 4, openOverdue: 1, counted: 8 });
  expectTallyAgreesWithLists(later);
  // From 10-02: the answer at 10-01 00:00 is out; the period's first instant is in (above).
  expect(officeTally(await report(supervisor, '2026-10-12T18:00:00', '2026-10-02'), 'HEALTH').referrals).toMatchObject({ answeredLate: 2, counted: 7 });
  // Before the holiday nothing of the period was due or answered: an office appears only with something counted.
  const before = await report(supervisor, '2026-09-28T18:00:00', '2026-09-28');
  expect(before.byOffice.map((g: any) => [g.office.key, g.tally.referrals.counted, g.tally.caseDeadlines.counted])).toEqual([['CIVIL_AFFAIRS', 0, 2]]);
  expectTallyAgreesWithLists(before);
});

it('counts what fell due by the holiday calendar: nothing in 国庆, the 3-day slips and opinions of 09-28 on 10-08, the worked Saturday 10-10', async () => {
  // An office with nothing in its tally is not listed: nothing fell due there either.
  const fellDue = (r: any, key: string) => [officeTally(r, key)?.referrals.fellDue ?? 0, officeTally(r, key)?.caseDeadlines.fellDue ?? 0];
  // 10-01 to 10-07 are days off: counted in calendar days the 3-working-day slips and opinions of
  // Monday 09-28 fell due on 10-01; by the calendar nothing fell due in the holiday (justice has nothing in its tally at all).
  const holiday = await report(supervisor, '2026-10-07T18:00:00', '2026-10-01');
  expect(fellDue(holiday, 'HEALTH')).toEqual([0, 0]);
  expect(fellDue(holiday, 'CIVIL_AFFAIRS')).toEqual([0, 0]);
  expect(officeTally(holiday, 'JUSTICE')).toBeUndefined();
  expectTallyAgreesWithLists(holiday);
  // 10-08 18:00: due that day, not yet fallen due (the end of the day is the deadline).
  const dueDay = await report(supervisor, '2026-10-08T18:00:00', '2026-10-01');
  expect(fellDue(dueDay, 'HEALTH')).toEqual([0, 0]);
  expect(fellDue(dueDay, 'CIVIL_AFFAIRS')).toEqual([0, 0]);
  // Friday 10-09: the day's end passed; health's two due 10-08 (one answered in time, one open), both of
  // justice's decisions (one superseded before its due day ended), and the three cases' opinions (one met before the period).
  const after = await report(supervisor, '2026-10-09T12:00:00', '2026-10-01');
  expect(fellDue(after, 'HEALTH')).toEqual([2, 0]);
  expect(fellDue(after, 'JUSTICE')).toEqual([2, 0]);
  expect(fellDue(after, 'CIVIL_AFFAIRS')).toEqual([0, 3]);
  // The worked Saturday 10-10 counts as a working day: the 5-day slip of 09-28 fell due then.
  expect(fellDue(await report(supervisor, '2026-10-11T12:00:00', '2026-10-01'), 'HEALTH')).toEqual([3, 0]);
  // A period from 10-09 leaves out those due 10-08: only the one due 10-10.
  expect(fellDue(await report(supervisor, '2026-10-12T18:00:00', '2026-10-09'), 'HEALTH')).toEqual([1, 0]);
});

it('reads the same to the county staff as to the supervision office, in the same statements however many it counts', async () => {
  const own = await report(ca, '2026-10-12T18:00:00', '2026-10-01');
  const sup = await report(supervisor, '2026-10-12T18:00:00', '2026-10-01');
  expect(own.byOffice.map((g: any) => g.tally)).toEqual(sup.byOffice.map((g: any) => g.tally));
  const statements = async (asOf: string, since: string) => {
    const res = await supervisor(REPORT, { asOf: cn(asOf), since });
    expect(res.errors).toBeUndefined();
    return { tally: res.data.overdueReport.byCounty[0].tally, bySource: res.extensions?.sqlStatements?.bySource };
  };
  // A day's period on 10-09 (a slip and a case listed, a few counted), and the whole of it to 10-13.
  const few = await statements('2026-10-09T18:00:00', '2026-10-09');
  const many = await statements('2026-10-13T18:00:00', '2026-09-28');
  expect([few.tally.referrals.counted, few.tally.caseDeadlines.counted]).toEqual([6, 2]);
  expect([many.tally.referrals.counted, many.tally.caseDeadlines.counted]).toEqual([10, 4]);
  expect(few.bySource).toBeDefined();
  expect(many.bySource).toEqual(few.bySource);
  // An office of the departments (not a supervisor) reads no report.
  const refused = await justice(`{ overdueReport { byOffice { tally { referrals { counted } } } } }`);
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});
