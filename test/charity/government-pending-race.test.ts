/**
 * A need published while a meeting decides government aid for it (README "Charity linkage"): the
 * publication's check of the household's decisions not yet given (GOVERNMENT_AID_PENDING) and its
 * insert shared no lock with meetingRecord, so a slip issued between the two left the need published
 * with no reason. Publication now takes the household's decision turn (household_decision_lock, as
 * meetingRecord, decisionCorrect and referralReassign do) and compares the count of decisions issued
 * it read before its check: the two take turns.
 *
 * Made deterministic by holding the consent's row from another connection: the publication has made
 * its check (nothing pending) and waits for that row at its insert; the meeting for the same need is
 * sent then. Before, the meeting issued its slip at once and the need was published after it with no
 * reason; now the meeting waits for the publication's turn, so the need is published before the slip
 * (which the office then sees on the need, as for any need published before a meeting decided).
 * Through a real hub over a real database.
 */
import { sql } from 'drizzle-orm';
import { makeCreditCode } from '../../domain/credit-code';
import { TestClock } from '../support/clock';
import { caseInDeliberation } from '../support/cases';
import { startCharityScenario, type CharityScenario } from '../support/charity-linkage';
import { lockWaits } from '../support/databases';
import type { GraphQLResponse } from '../support/hub';
import { until } from '../support/until';
import { TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id governmentAidPendingReason } userErrors { code field } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`;
const NEEDS = `query($c: ID!) { charityNeedsOfCase(caseId: $c) { id governmentAidPendingReason governmentAidPending { referralId } } }`;

let s: CharityScenario<'org'>;

beforeAll(async () => {
  s = await startCharityScenario('charity_government_pending_race', {
    clock: clock.now,
    officeClient: 'rencheng-civil-race',
    organisations: { org: { creditCode: makeCreditCode('53370811MJ2468024'), name: '任城区慈善总会' } },
    hub: { today: TODAY, purpose: 'CASE_MEETING' },
  });
});

afterAll(async () => {
  await s?.hub.close();
  await s?.dbs.close();
});

test('a meeting deciding the need’s aid while the need is published waits for the publication: no need is published after its slip without a reason', async () => {
  const meetingCase = await caseInDeliberation(s.hub.gql, s.householdId, '住院困难', '2026-03-11T09:00:00+08:00');
  const need = { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.grandmother, urgency: 'URGENT', uncoveredFen: 300_000, description: '住院自付部分难以承担' };
  const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother };
  let published!: Promise<GraphQLResponse>;
  let met!: Promise<GraphQLResponse>;
  let meetingAnswered = false;
  let meetingAnsweredWhileHeld = true;
  await s.dbs.hub.transaction(async (tx) => {
    await tx.execute(sql`select id from charity_consent where id = ${Number(s.consentId)} for update`);
    published = s.office.gql(PUBLISH, { input: need });
    await until('the publication waiting at its insert', () => lockWaits(s.dbs.hub), (n) => n >= 1);
    met = s.hub.gql(MEETING, { input: { caseId: meetingCase, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision] } });
    met.then(
      () => (meetingAnswered = true),
      () => (meetingAnswered = true),
    );
    // Before, the meeting was answered here, its slip issued under a publication already checked.
    const seen = await until('the meeting answered or waiting too', async () => ({ waiting: await lockWaits(s.dbs.hub), answered: meetingAnswered }), (v) => v.waiting >= 2 || v.answered);
    meetingAnsweredWhileHeld = seen.answered;
  });
  const [p, m] = await Promise.all([published, met]);
  expect(meetingAnsweredWhileHeld).toBe(false);
  expect(p.errors).toBeUndefined();
  expect(m.errors).toBeUndefined();
  expect(p.data.charityNeedPublish.userErrors).toEqual([]);
  expect(m.data.meetingRecord.userErrors).toEqual([]);
  // The need came first (nothing pending, no reason); the slip after it is shown on it to the office.
  const [slip] = m.data.meetingRecord.meeting.decisions;
  const needs = await s.office.gql(NEEDS, { c: s.caseId });
  expect(needs.errors).toBeUndefined();
  expect(needs.data.charityNeedsOfCase).toEqual([{ id: p.data.charityNeedPublish.need.id, governmentAidPendingReason: null, governmentAidPending: [{ referralId: slip.id }] }]);
});

test('a need published once the slip is issued is GOVERNMENT_AID_PENDING', async () => {
  const r = await s.office.gql(PUBLISH, { input: { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.grandmother, urgency: 'URGENT', uncoveredFen: 100_000, description: '出院后康复费用' } });
  expect(r.errors).toBeUndefined();
  expect(r.data.charityNeedPublish.userErrors.map((e: { code: string }) => e.code)).toEqual(['GOVERNMENT_AID_PENDING']);
});

test('a publication whose household had a decision issued between its check and its insert is checked again, not refused', async () => {
  const need = { caseId: s.caseId, consentId: s.consentId, purpose: 'LIVING', urgency: 'NORMAL', uncoveredFen: 50_000, description: '家庭生活暂时困难' };
  let published!: Promise<GraphQLResponse>;
  await s.dbs.hub.transaction(async (tx) => {
    // The household's turn held, and a decision counted under it, as meetingRecord counts its slips.
    await tx.execute(sql`select decisions_issued from household_decision_lock where household_id = ${s.householdId} for update`);
    published = s.office.gql(PUBLISH, { input: need });
    await until('the publication waiting for the household’s turn', () => lockWaits(s.dbs.hub), (n) => n >= 1);
    await tx.execute(sql`update household_decision_lock set decisions_issued = decisions_issued + 1 where household_id = ${s.householdId}`);
  });
  const p = await published;
  expect(p.errors).toBeUndefined();
  // Nothing pending answers a living need (the slip is medical aid): checked again, it is published.
  expect(p.data.charityNeedPublish.userErrors).toEqual([]);
  expect(p.data.charityNeedPublish.need.governmentAidPendingReason).toBeNull();
});
