/**
 * Slips' due dates counted before a year's holiday notice was loaded are counted again under it when
 * the hub starts (db/cases/due-recount.ts): a slip issued before 春节 2027 was due by the law's four
 * days off alone, provisional; with the notice loaded it is due by the notice's arrangement, no longer
 * provisional, and not overdue during the holiday. A meeting's decision counts from the meeting's day.
 * Only slips still waiting for their answer (ISSUED, ACCEPTED) are counted again: an answered slip's
 * due date is history, met or missed under the calendar of its time.
 */
import { recountReferralDueDates } from '../../db/cases/due-recount';
import { countStatements } from '../../db/instrument';
import { calendarFingerprint } from '../../domain/cases/working-days';
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { insertRegions, insertWang, WANG } from '../support/scenarios';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2027-02-02T10:00:00'));
const holidays = holidayFiles('aidhub-due-recount-');

let dbs: TestDatabases;
let hub: TestHub | undefined;
let wangId: string;
let forwardedId: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok(query: string, variables: Record<string, unknown>, field: string): Promise<any> {
  const res = await hub!.gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

/** A case of 王 opened and taken to deliberation, on the hub started (as the case meeting's office) if none is: its id. */
async function caseInDeliberation(summary: string): Promise<string> {
  hub ??= await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  const opened = await ok(`mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen');
  const caseId: string = opened.case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  return caseId;
}

/** A slip of the case to medical insurance, 6 working days from today: its id. */
const forwardToHealth = async (caseId: string, ask: string): Promise<string> =>
  (await ok(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code field } } }`, { input: { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 6 } }, 'referralIssue')).referral.id;

const SLIP = `query($id: ID!) { referral(id: $id) { dueOn provisional deadlineStatus(asOf: "2027-02-18T10:00:00+08:00") } }`;

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('due_recount');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
}, 120_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await dbs?.close();
});

it('counts the due dates of slips issued before the notice again under it when the hub starts', async () => {
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  const caseId = await caseInDeliberation('春节前转办');
  clock.set(cn('2027-02-04T10:00:00'));
  const forwarded = await forwardToHealth(caseId, '核实住院费用');
  // A meeting held the day before, recorded on 02-04: its decision counts from 02-03.
  const met = await ok(
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`,
    { input: { caseId, heldOn: '2027-02-03', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [{ department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.child }] } },
    'meetingRecord',
  );
  const decided = met.meeting.decisions[0].id;

  // By the law's 春节 alone (除夕 Friday 02-05 to Monday 02-08, its weekend made up on 02-09 and 02-10,
  // 补假): 02-11, 02-12, 02-15 … 02-18; and from 02-03: 02-04, 02-11, 02-12, 02-15, 02-16.
  expect((await hub.gql(SLIP, { id: forwarded })).data.referral).toEqual({ dueOn: '2027-02-18', provisional: true, deadlineStatus: 'PENDING' });
  expect((await hub.gql(SLIP, { id: decided })).data.referral).toEqual({ dueOn: '2027-02-16', provisional: true, deadlineStatus: 'OVERDUE' });

  // The notice is published and loaded; the hub restarts.
  await hub.close();
  hub = undefined;
  holidays.use('2027.json', [notice2027]);
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });

  // Under the notice: 02-15 … 02-19 and the worked Saturday 02-20; from 02-03: 02-04, 02-15 … 02-18. Final, and not overdue on 02-18.
  expect((await hub.gql(SLIP, { id: forwarded })).data.referral).toEqual({ dueOn: '2027-02-20', provisional: false, deadlineStatus: 'PENDING' });
  expect((await hub.gql(SLIP, { id: decided })).data.referral).toEqual({ dueOn: '2027-02-18', provisional: false, deadlineStatus: 'PENDING' });
  const report = await hub.gql(`query { overdueReport(asOf: "2027-02-18T10:00:00+08:00") { byCounty { referrals { referral { id } } } } }`);
  expect(report.errors).toBeUndefined();
  expect(report.data.overdueReport.byCounty.flatMap((c: { referrals: { referral: { id: string } }[] }) => c.referrals.map((r) => r.referral.id))).toEqual([]);

  // Started again under the same calendar: nothing moves.
  await hub.close();
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  expect((await hub.gql(SLIP, { id: forwarded })).data.referral.dueOn).toBe('2027-02-20');
  forwardedId = forwarded;
}, 180_000);

it('reads no slip when started again under the calendar of the last recount, and counts again when the calendar changes', async () => {
  // The hub above started under the notice: its recount stored that calendar.
  const [[stored]] = (await dbs.hubPool.query(`SELECT calendar FROM calendar_recount WHERE name = 'referral_slip'`)) as unknown as [{ calendar: string }[]];
  expect(stored.calendar).toBe(calendarFingerprint());
  const again = await countStatements(() => recountReferralDueDates(dbs.hub, new Date()));
  expect(again.result).toEqual([]);
  // One statement: the stored calendar. No page of slips.
  expect(again.counter.total).toBe(1);

  // A corrected notice (Saturday 02-20 no longer worked): two processes start together under it.
  holidays.use('2027-corrected.json', [{ ...notice2027, workdays: {} }]);
  const corrected = calendarFingerprint();
  expect(corrected).not.toBe(stored.calendar);
  const both = await Promise.all([recountReferralDueDates(dbs.hub, new Date()), recountReferralDueDates(dbs.hub, new Date())]);
  // The forwarded slip's sixth working day is now Monday 02-22, written once between them.
  expect(both.flat().filter((m) => String(m.referralId) === forwardedId)).toEqual([{ referralId: Number(forwardedId), before: '2027-02-20', after: '2027-02-22' }]);
  const [[now]] = (await dbs.hubPool.query(`SELECT calendar FROM calendar_recount WHERE name = 'referral_slip'`)) as unknown as [{ calendar: string }[]];
  expect(now.calendar).toBe(corrected);
  expect((await countStatements(() => recountReferralDueDates(dbs.hub, new Date()))).counter.total).toBe(1);
}, 120_000);

it('counts again only the due dates of slips still waiting for their answer: an answered slip keeps the date it was answered against', async () => {
  holidays.use(null);
  clock.set(cn('2027-02-04T10:00:00'));
  const caseId = await caseInDeliberation('春节前转办，部分已答复');
  // Four slips issued on 02-04 for 6 working days, due 02-18 by the law's 春节 alone.
  const [issued, accepted, completed, declined] = [await forwardToHealth(caseId, '待签收'), await forwardToHealth(caseId, '已签收'), await forwardToHealth(caseId, '已办结'), await forwardToHealth(caseId, '已退回')];
  const answer = (id: string, state: string) => dbs.hubPool.query("UPDATE referral_slip SET state = ?, accepted_at = '2027-02-15 02:00:00.000', answered_at = IF(? = 'ACCEPTED', NULL, '2027-02-19 02:00:00.000'), feedback = IF(? = 'COMPLETED', '已核实', NULL), decline_reason = IF(? = 'DECLINED', '非本部门职责', NULL) WHERE id = ?", [state, state, state, state, id]);
  await answer(accepted, 'ACCEPTED');
  // Answered on 02-19, a day after the due date the hub counted then: read as late.
  await answer(completed, 'COMPLETED');
  await answer(declined, 'DECLINED');
  const dueOn = async (id: string) => (await hub!.gql(SLIP, { id })).data.referral.dueOn;
  for (const id of [issued, accepted, completed, declined]) expect(await dueOn(id)).toBe('2027-02-18');

  // The notice is loaded: 6 working days from 02-04 end on the worked Saturday 02-20.
  holidays.use('2027-answered.json', [notice2027]);
  const moved = await recountReferralDueDates(dbs.hub, new Date());
  const ours = [issued, accepted, completed, declined].map(Number);
  expect(moved.filter((m) => ours.includes(m.referralId))).toEqual([
    { referralId: Number(issued), before: '2027-02-18', after: '2027-02-20' },
    { referralId: Number(accepted), before: '2027-02-18', after: '2027-02-20' },
  ]);
  expect(await dueOn(issued)).toBe('2027-02-20');
  expect(await dueOn(accepted)).toBe('2027-02-20');
  expect(await dueOn(completed)).toBe('2027-02-18');
  expect(await dueOn(declined)).toBe('2027-02-18');

  // The answered slips keep 02-18, counted under the law's 春节 alone, where the notice gives 02-20:
  // still provisional (as an alert's kept date, DEADLINE_KEPT), in the API, its overdue figures and
  // supervision's report of a past day, never final. The open ones, counted under the notice, are final.
  const LATE = `query($id: ID!) { referral(id: $id) { dueOn provisional deadlineStatus(asOf: "2027-02-22T10:00:00+08:00") overdue(asOf: "2027-02-22T10:00:00+08:00") { workingDays provisional } } }`;
  for (const id of [completed, declined]) expect((await hub!.gql(LATE, { id })).data.referral).toEqual({ dueOn: '2027-02-18', provisional: true, deadlineStatus: 'MET_LATE', overdue: { workingDays: 1, provisional: true } });
  for (const id of [issued, accepted]) expect((await hub!.gql(SLIP, { id })).data.referral).toMatchObject({ dueOn: '2027-02-20', provisional: false });
  // Asked on 02-22 how things stood on the morning of 02-19, before they were answered.
  clock.set(cn('2027-02-22T10:00:00'));
  const report = await hub!.gql(`query { overdueReport(asOf: "2027-02-19T09:00:00+08:00") { byCounty { referrals { referral { id provisional } overdue { provisional } } } } }`);
  expect(report.errors).toBeUndefined();
  const listed = report.data.overdueReport.byCounty.flatMap((c: { referrals: { referral: { id: string; provisional: boolean }; overdue: { provisional: boolean } }[] }) => c.referrals).filter((r: { referral: { id: string } }) => [completed, declined].includes(r.referral.id));
  expect(listed).toEqual([completed, declined].map((id) => ({ referral: { id, provisional: true }, overdue: { provisional: true } })));
}, 120_000);

it('clears the flag of an answered slip whose kept due date the notice gives alike', async () => {
  holidays.use(null);
  clock.set(cn('2027-03-01T10:00:00'));
  const caseId = await caseInDeliberation('三月转办，已办结');
  // 6 working days from Monday 03-01: 03-09 by the law alone (2027 has no notice), provisional.
  const slip = await forwardToHealth(caseId, '已办结');
  expect((await hub!.gql(SLIP, { id: slip })).data.referral).toMatchObject({ dueOn: '2027-03-09', provisional: true });
  await dbs.hubPool.query("UPDATE referral_slip SET state = 'COMPLETED', accepted_at = '2027-03-02 02:00:00.000', answered_at = '2027-03-05 02:00:00.000', feedback = '已核实' WHERE id = ?", [slip]);
  // The notice changes nothing in March: the date it kept is the one the notice gives, final now.
  holidays.use('2027-march.json', [notice2027]);
  await recountReferralDueDates(dbs.hub, new Date());
  expect((await hub!.gql(SLIP, { id: slip })).data.referral).toMatchObject({ dueOn: '2027-03-09', provisional: false });
}, 120_000);
