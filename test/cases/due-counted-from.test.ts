/**
 * The day a slip's working days count from is read one way by every reader of a stored slip: the
 * slip shown (Referral.countedFrom, referralRecord) and the due-date recount at start-up
 * (db/cases/due-recount.ts waitingSlipCounts) both take its meeting's day from slipMeetingDay (the
 * meeting recorded at the instant the slip was issued) and the rest from domain/cases/supervision.ts
 * dueCountedFrom. It was written twice (the recount joined the meeting and compared instants in
 * TypeScript); here both are asked on a real database, on the edges where the day is not the day
 * issued in UTC: a meeting recorded days after it was held, a decision issued after its meeting under
 * its id (a correction), a slip with no meeting, and slips issued just before and just after midnight,
 * China time. Then 2027's notice is loaded and each date counted again must be its count from the day
 * the slip shows.
 */
import { recountReferralDueDates, waitingSlipCounts } from '../../db/cases/due-recount';
import { addWorkingDays } from '../../domain/cases/working-days';
import { holidayFiles, notice2027 } from '../support/notice-2027';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { okPayload } from '../support/payloads';
import { insertRegions, insertWang, WANG } from '../support/scenarios';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2027-01-27T09:00:00'));
const holidays = holidayFiles('aidhub-due-counted-from-');
const WORKING_DAYS = 5;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: string;
let caseId: string;
/** Each edge's slip: its id, and the day its working days count from. */
const slips: Record<string, { id: string; countedFrom: string }> = {};

const ok = (query: string, variables: Record<string, unknown>, field: string) => okPayload(hub.gql, query, variables, field);

const forwardToHealth = async (ask: string): Promise<string> =>
  (await ok(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code field } } }`, { input: { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: WORKING_DAYS } }, 'referralIssue')).referral.id;

const shown = async (id: string): Promise<{ countedFrom: string; dueOn: string; provisional: boolean }> => {
  const res = await hub.gql(`query($id: ID!) { referral(id: $id) { countedFrom dueOn provisional } }`, { id });
  expect(res.errors).toBeUndefined();
  return res.data.referral;
};

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('due_counted_from');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  caseId = (await ok(`mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '春节前后转办' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');

  // 23:59 China time on 02-03 is 15:59 UTC the same day: counted from 02-03.
  clock.set(cn('2027-02-03T23:59:00'));
  slips.beforeMidnight = { id: await forwardToHealth('深夜转办'), countedFrom: '2027-02-03' };
  // 00:30 China time on 02-04 is 16:30 UTC on 02-03: counted from 02-04, China's day.
  clock.set(cn('2027-02-04T00:30:00'));
  slips.afterMidnight = { id: await forwardToHealth('凌晨转办'), countedFrom: '2027-02-04' };
  clock.set(cn('2027-02-04T10:00:00'));
  slips.noMeeting = { id: await forwardToHealth('核实住院费用'), countedFrom: '2027-02-04' };
  // A meeting held on Monday 02-01, recorded on Thursday 02-04: its decision counts from 02-01.
  const met = await ok(
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`,
    { input: { caseId, heldOn: '2027-02-01', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [{ department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: WORKING_DAYS, beneficiaryIdNumber: WANG.child }] } },
    'meetingRecord',
  );
  slips.recordedLate = { id: met.meeting.decisions[0].id, countedFrom: '2027-02-01' };
  // A decision added by a correction on 02-05 (a day off) keeps the meeting's id and counts from its own day.
  clock.set(cn('2027-02-05T09:00:00'));
  const corrected = await ok(
    `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { issued { id } userErrors { code field } } }`,
    { input: { caseId, reason: '会议记录漏记临时救助', add: [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays: WORKING_DAYS, beneficiaryIdNumber: WANG.head, cause: 'OTHER', conflictOverrideReason: '会议研究决定' }] } },
    'decisionCorrect',
  );
  slips.afterMeeting = { id: corrected.issued[0].id, countedFrom: '2027-02-05' };
}, 180_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await dbs?.close();
});

it('each slip shows the day its working days count from, and its due date counted from it', async () => {
  for (const [edge, s] of Object.entries(slips)) {
    const slip = await shown(s.id);
    expect([edge, slip.countedFrom]).toEqual([edge, s.countedFrom]);
    expect([edge, slip.dueOn]).toEqual([edge, addWorkingDays(s.countedFrom, WORKING_DAYS).date]);
  }
});

it('the recount reads each waiting slip from the day it shows', async () => {
  const read = new Map((await waitingSlipCounts(dbs.hub, 0, 10_000)).map((r) => [String(r.id), r]));
  for (const [edge, s] of Object.entries(slips)) {
    expect([edge, read.get(s.id)?.countedFrom]).toEqual([edge, (await shown(s.id)).countedFrom]);
    expect([edge, read.get(s.id)?.workingDays]).toEqual([edge, WORKING_DAYS]);
  }
});

it('with 2027’s notice loaded, the hub starting counts each date again from the day the slip shows', async () => {
  // By the law's 春节 alone each was due before 02-18, provisional.
  for (const s of Object.values(slips)) expect((await shown(s.id)).provisional).toBe(true);
  await hub.close();
  holidays.use('2027.json', [notice2027]);
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  // The start counted them; a second call under the same calendar moves nothing.
  expect(await recountReferralDueDates(dbs.hub, new Date())).toEqual([]);
  // Under the notice (02-05 to 02-13 off): from 02-01, 02-02 … 02-04, 02-15, 02-16; from 02-03,
  // 02-04, 02-15 … 02-18; from 02-04 or 02-05, 02-15 … 02-19. A slip counted from another day than
  // it shows would be a day early or late here.
  const expected: Record<string, string> = { recordedLate: '2027-02-16', beforeMidnight: '2027-02-18', afterMidnight: '2027-02-19', noMeeting: '2027-02-19', afterMeeting: '2027-02-19' };
  for (const [edge, s] of Object.entries(slips)) {
    const slip = await shown(s.id);
    expect([edge, slip]).toEqual([edge, { countedFrom: s.countedFrom, dueOn: expected[edge], provisional: false }]);
    expect(addWorkingDays(slip.countedFrom, WORKING_DAYS).date).toBe(slip.dueOn);
  }
});
