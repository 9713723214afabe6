/**
 * A reassignment sent while its slip is still waiting is refused DECISION_NOT_DECLINED, with no
 * check made. When the department's decline committed between the reassignment's look at the slip
 * and its transaction, the transaction found the slip declined and wrote the reassigned decision
 * with no check at all (no pre-grant check, none against the household's decisions not yet given:
 * a duplicate of a slip still waiting was issued). Now a reassignment made without a check writes
 * nothing when it finds its slip declined, and is looked at again and checked as any reassignment
 * of a declined decision is. Ordered by the case's row held from another connection: the decline
 * waits on it first, the reassignment looks at the slip (still ISSUED) and waits behind it.
 */
import { eq, sql } from 'drizzle-orm';
import { createClient } from '../access/clients';
import { declinedDecision } from '../db/case-loop/schema';
import { referralSlip } from '../db/cases/schema';
import { createTestDatabases, lockWaits, type TestDatabases } from './support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { until } from './support/until';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { okPayload as ok } from './support/payloads';
import { caseInDeliberation } from './support/cases';

jest.setTimeout(180_000);

const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id state } userErrors { code } } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id decisionCheck { overrideReason findings { ruleId } } } userErrors { code field message } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** 任城区民政局: convener. */
let ca: TestHub['gql'];
/** 任城区总工会: declines the union's slip. */
let union: TestHub['gql'];
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('cases_reassign_declined_meanwhile');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // The hub's statements wait on the row held below as long as the test holds it (on a loaded machine, longer than the default 5 s).
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now, hubTimeoutMs: 120_000 });
  const convener = await createClient(hub.accessDb, { name: 'rencheng-civil-affairs', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER', 'REFERRAL_HANDLER'] });
  ca = hub.as({ token: convener.token, purpose: 'CASE_MEETING' }).gql;
  const unionClient = await createClient(hub.accessDb, { name: 'rencheng-union', department: 'UNION', regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] });
  union = hub.as({ token: unionClient.token, purpose: 'REFERRAL' }).gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('checks a reassignment whose slip was declined between its look and its transaction: a duplicate of a slip still waiting is DECISION_CONFLICT, not issued unchecked', async () => {
  const caseId = await caseInDeliberation(ca, wangId, '改派时转办单被退回', '2026-03-09T09:00:00+08:00');
  const decisions = [
    { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.spouse, cause: 'JOB_LOSS' },
    { department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 80_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.spouse },
  ];
  const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'UNION'], decisions } }, 'meetingRecord');
  const [waiting, unionSlip] = met.meeting.decisions.map((d: { id: string }) => d.id);
  // Reassigned onto the spouse's temporary aid still waiting (DUPLICATE_DECISION): a conflict when checked.
  const reassign = { referralId: unionSlip, reason: '改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.spouse, cause: 'JOB_LOSS' };
  let declined!: Promise<GraphQLResponse>;
  let reassigned!: Promise<GraphQLResponse>;
  await dbs.hub.transaction(async (tx) => {
    await tx.execute(sql`select id from aid_case where id = ${Number(caseId)} for update`);
    declined = union(DECLINE, { input: { referralId: unionSlip, reason: '不符合困难职工条件' } });
    await until('the decline waiting on the case', () => lockWaits(dbs.hub), (n) => n >= 1);
    // The reassignment looks at the slip (still ISSUED: no check is made) and waits behind the decline.
    reassigned = ca(REASSIGN, { input: reassign });
    await until('the reassignment waiting on the case behind the decline', () => lockWaits(dbs.hub), (n) => n >= 2);
  });
  expect((await declined).data.referralDecline).toEqual({ referral: { id: unionSlip, state: 'DECLINED' }, userErrors: [] });
  const res = await reassigned;
  expect(res.errors).toBeUndefined();
  expect(res.data.referralReassign).toEqual({ referral: null, userErrors: [expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] })] });
  expect(res.data.referralReassign.userErrors[0].message).toContain(`本案转办单 ${waiting}`);
  // Nothing written: the decline is still open, no slip issued beside the meeting's two.
  expect(await dbs.hub.select().from(declinedDecision).where(eq(declinedDecision.referralId, Number(unionSlip)))).toEqual([]);
  expect(await dbs.hub.select({ id: referralSlip.id }).from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).toHaveLength(2);
  // With the convener's reason the duplicate is reassigned, its check kept on the new slip.
  const overridden = await ok(ca, REASSIGN, { input: { ...reassign, conflictOverrideReason: '工会不予帮扶，由民政另行救助配偶' } }, 'referralReassign');
  expect(overridden.referral.decisionCheck).toMatchObject({ overrideReason: '工会不予帮扶，由民政另行救助配偶', findings: expect.arrayContaining([{ ruleId: 'DUPLICATE_DECISION' }]) });
});
