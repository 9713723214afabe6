/**
 * A case over several meetings and several weeks, as county staff run it: meetings recorded in
 * order, and a beneficiary who dies or moves out after the decision.
 */
import { and, eq } from 'drizzle-orm';
import { createClient } from '../access/clients';
import { recordMeeting } from '../db/cases/meetings';
import { householdMember, person } from '../db/household/schema';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id heldOn decisions { id } } case { state } userErrors { code message field } } }`;
const SLIP = `referral { id state fulfilment { beneficiary { idNumber } amountFen shortfallFen } } userErrors { code message field }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** 任城区民政局 (caseworker and convener, and the office its own temporary-aid slips go to). */
let ca: Gql;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

async function ok(gql: Gql, query: string, variables: Record<string, unknown>, field: string) {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

async function caseInDeliberation(summary: string): Promise<string> {
  const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt: '2026-03-09T09:00:00+08:00' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
  return caseId;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_mid_case');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const { token } = await createClient(hub.accessDb, { name: 'renchang-civil-affairs', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER', 'REFERRAL_HANDLER'] });
  ca = hub.as({ token, purpose: 'CASE_MEETING' }).gql;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a case’s meetings are held in order', () => {
  it('refuses a meeting held before the latest one on record, and takes one held the same day or later', async () => {
    const caseId = await caseInDeliberation('多次会议');
    const meet = (heldOn: string, decisions: unknown[] = []) => ca(MEETING, { input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS'], decisions } });
    expect((await meet('2026-03-12')).data.meetingRecord.userErrors).toEqual([]);
    const before = await meet('2026-03-11');
    expect(before.errors).toBeUndefined();
    expect(before.data.meetingRecord.userErrors.map((e: { code: string; field: string[] }) => `${e.code}@${e.field.join('.')}`)).toEqual(['MEETING_DATE_OUT_OF_RANGE@input.heldOn']);
    expect(before.data.meetingRecord.userErrors[0].message).toContain('2026-03-12');
    // Two sittings on one day, then the deciding one.
    expect((await meet('2026-03-12')).data.meetingRecord.userErrors).toEqual([]);
    const decided = await meet('2026-03-13', [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head }]);
    expect(decided.data.meetingRecord.userErrors).toEqual([]);
    expect(decided.data.meetingRecord.case.state).toBe('DECIDED');
    const res = await ca(`query($id: ID!) { case(id: $id) { meetings { heldOn } } }`, { id: caseId });
    expect(res.data.case.meetings.map((m: { heldOn: string }) => m.heldOn)).toEqual(['2026-03-12', '2026-03-12', '2026-03-13']);
  });

  it('checks the order again under the case’s lock, where a meeting recorded meanwhile counts', async () => {
    const caseId = await caseInDeliberation('并发会议');
    await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [] } }, 'meetingRecord');
    // A request that passed the resolver's check before that meeting landed.
    const late = { heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS' as const], notes: null, decisions: [] };
    const outcome = await recordMeeting(dbs.hub, Number(caseId), late, JSON.parse('{}'), { actor: { officer: 'x', office: 'CIVIL_AFFAIRS' }, occurredAt: null, idempotencyKey: null, now: clock.now() });
    expect(outcome.ok ? 'OK' : outcome.errors.map((e) => e.code).join()).toBe('MEETING_DATE_OUT_OF_RANGE');
    const res = await ca(`query($id: ID!) { case(id: $id) { meetings { heldOn } } }`, { id: caseId });
    expect(res.data.case.meetings).toEqual([{ heldOn: '2026-03-13' }]);
  });
});

describe('a beneficiary who leaves the household after the decision', () => {
  it('completes the decision with the aid paid to them, after their death ended their membership', async () => {
    const caseId = await caseInDeliberation('老人住院，临时救助');
    const met = await ok(
      ca,
      MEETING,
      { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother, conflictOverrideReason: '住院费用高，再次救助' }] } },
      'meetingRecord',
    );
    const slip = met.meeting.decisions[0].id;
    await ok(ca, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    const [paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: false, isSecondAid: false, grantDate: '2026-03-13', amountFen: 200_000, approvalLevel: 1 });
    // She dies the next day: the civil affairs record ends her membership on the day of death.
    await dbs.hub.update(person).set({ deathDate: '2026-03-14' }).where(eq(person.idNumber, WANG.grandmother));
    await dbs.hub.update(householdMember).set({ leftOn: '2026-03-14' }).where(and(eq(householdMember.householdId, wangId), eq(householdMember.idNumber, WANG.grandmother)));
    const done = await ok(ca, COMPLETE, { input: { referralId: slip, feedback: '临时救助已发放', aidSourceReference: paid } }, 'referralComplete');
    expect(done.referral).toMatchObject({ state: 'COMPLETED', fulfilment: { beneficiary: { idNumber: WANG.grandmother }, amountFen: 200_000, shortfallFen: 0 } });
  });
});
