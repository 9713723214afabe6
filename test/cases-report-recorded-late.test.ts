/**
 * A supervision report of a past day asked again later (a month's figures re-read the next week),
 * on a real hub whose clock the test moves. A meeting recorded late issues slips counted from the day
 * it was held, and a case opened late counts its limits from its stated report (up to 366 days back),
 * so `overdueReport(asOf: <that day>)` asked afterwards lists overdue work the same report asked on
 * that day did not: rightly (it was late then), but it gave no sign of it, and the county's figures
 * for a closed period changed without a word. Each such item now says so (`recordedAfterAsOf`, the
 * slip issued or the case opened after asOf) and the report counts them (`OverdueReport.recordedAfterAsOf`).
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

type Gql = TestHub['gql'];

const cn = (local: string) => `${local}+08:00`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id dueOn } } userErrors { code field } } }`;
const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf) { recordedAfterAsOf
  byCounty { referrals { referral { id } recordedAfterAsOf } answeredLate { referral { id } recordedAfterAsOf } cases { case { id } deadline { kind } recordedAfterAsOf } }
  byOffice { referrals { referral { id } recordedAfterAsOf } cases { case { id } deadline { kind } recordedAfterAsOf } } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let ca: Gql;
let wangId: string;
const clock = new TestClock(cn('2026-03-02T09:00:00'));

async function ok(query: string, variables: Record<string, unknown>, field: string) {
  const res = await ca(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

/** A case of the Wang household (`summary`: another request, not a retry), its report stated at `reportedAt`, opened at the clock's time; moved through `to`. */
async function openCase(summary: string, reportedAt: string, to: string[]): Promise<string> {
  const id = (await ok(OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt } }, 'caseOpen')).case.id;
  for (const state of to) await ok(MOVE, { input: { caseId: id, to: state, reason: state } }, 'caseTransition');
  return id;
}

/** A meeting held `heldOn`, recorded at the clock's time, deciding legal aid for `beneficiary` due in one working day: its slip's id. */
async function meeting(caseId: string, heldOn: string, beneficiary: string): Promise<string> {
  const decision = { department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 1, beneficiaryIdNumber: beneficiary };
  const met = await ok(MEETING, { input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE'], decisions: [decision] } }, 'meetingRecord');
  return met.meeting.decisions[0].id;
}

async function report(asOf: string | null) {
  const res = await ca(REPORT, { asOf });
  expect(res.errors).toBeUndefined();
  const r = res.data.overdueReport;
  const flags = (groups: any[]) => ({
    slips: Object.fromEntries(groups.flatMap((g) => g.referrals.map((x: any) => [x.referral.id, x.recordedAfterAsOf]))),
    cases: Object.fromEntries(groups.flatMap((g) => g.cases.map((x: any) => [`${x.case.id} ${x.deadline.kind}`, x.recordedAfterAsOf]))),
  });
  return { count: r.recordedAfterAsOf, byCounty: flags(r.byCounty), byOffice: flags(r.byOffice), answeredLate: r.byCounty.flatMap((g: any) => g.answeredLate) };
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_report_recorded_late');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ca = hub.gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the report of Friday 03-06, asked that day and again on 03-20', () => {
  const asOf = cn('2026-03-06T12:00:00');
  let onTime: string;
  let lateSlip: string;
  let opened: string;
  let decided: string;

  beforeAll(async () => {
    // Monday 03-02: a case decided at once, its slip due Tuesday 03-03, never answered.
    clock.set(cn('2026-03-02T09:00:00'));
    onTime = await meeting(await openCase('当日申请', cn('2026-03-02T09:00:00'), ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']), '2026-03-02', WANG.head);
  });

  it('asked on 03-06, lists only what the hub held then, none of it flagged', async () => {
    clock.set(cn('2026-03-06T12:00:00'));
    const then = await report(asOf);
    expect(then.byCounty).toEqual({ slips: { [onTime]: false }, cases: {} });
    expect(then.count).toBe(0);
  });

  it('asked on 03-20, after a case opened late and a meeting recorded late, lists them at 03-06 flagged, and counts each once', async () => {
    clock.set(cn('2026-03-20T10:00:00'));
    // A paper application of 03-02 entered on 03-20, still awaiting its investigation opinion (due 03-05).
    opened = await openCase('纸质申请补录', cn('2026-03-02T09:00:00'), []);
    // Another of 03-02, whose meeting of 03-03 is recorded on 03-20: its slip was due 03-04.
    const c = await openCase('会议补录', cn('2026-03-02T09:00:00'), ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']);
    lateSlip = await meeting(c, '2026-03-03', WANG.grandmother);
    decided = c;
    const again = await report(asOf);
    const expected = {
      slips: { [onTime]: false, [lateSlip]: true },
      cases: { [`${opened} INVESTIGATION_OPINION`]: true, [`${decided} INVESTIGATION_OPINION`]: true },
    };
    expect(again.byCounty).toEqual(expected);
    // The offices' lists carry the same flags (a case under its owner, a slip under its receiver).
    expect(again.byOffice).toEqual(expected);
    // One late slip and two late cases' deadlines, each counted once though listed by office, township and county.
    expect(again.count).toBe(3);
    expect(again.answeredLate).toEqual([]);
  });

  it('asked as of now, nothing listed was recorded after it', async () => {
    const now = await report(null);
    // The decided case met its investigation opinion late, when its meeting was recorded: no longer overdue.
    expect(now.byCounty).toEqual({ slips: { [onTime]: false, [lateSlip]: false }, cases: { [`${opened} INVESTIGATION_OPINION`]: false } });
    expect(now.count).toBe(0);
  });
});
