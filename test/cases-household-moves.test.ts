/**
 * A case stays with the county that opened it when its household moves (QA: household 140 moved
 * from 微山县 to 任城区 mid-case; 任城区医保局 could accept a slip addressed to 微山县医疗保障局 while
 * 微山县's offices got REFERRAL_NOT_FOUND on slips their inboxes listed). Who acts on a case follows
 * the township where it was opened (as slip addressing, inboxes and supervision do); who reads it,
 * that township or the household's division now.
 */
import { eq } from 'drizzle-orm';
import { household } from '../db/household/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { countyClientName, countyClients } from './support/cases';
import { insertRegions, insertZhao, TODAY, REGIONS, ZHAO } from './support/scenarios';
import { healthScenario } from '../federation/health/scenario';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const SLIP = `referral { id state to { key county { code } } } userErrors { code }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { id state } userErrors { code message } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id convenedBy { key county { code } } decisions { id } } case { state reference } userErrors { code } } }`;
const MATERIALS = `mutation($input: CaseMaterialsCompleteInput!) { caseMaterialsComplete(input: $input) { case { id } userErrors { code } } }`;
const INBOX = `query { referralsToOffice(office: { department: HEALTH }) { id to { county { code } } } }`;
const CASE = `query($id: ID!) { case(id: $id) { id state owner { key county { code } } household { id } referrals { id state to { key county { code } } } meetings { id } } }`;
const REFERRAL = `query($id: ID!) { referral(id: $id) { id state case { id } } }`;

/** 微山县 夏镇街道 (where ZHAO lives) to 任城区 古槐街道 南门社区. */
const WEISHAN = '370826';
const RENCHENG = '370811';
const NEW_HOME = REGIONS.find((r) => r.level === 'VILLAGE' && r.code.startsWith(RENCHENG))!.code;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let zhaoId: number;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
/** Each county's civil affairs (caseworker, convener) and health office (answers slips). */
const clients: Record<'weishanCa' | 'weishanHealth' | 'renchengCa' | 'renchengHealth', Gql> = {} as never;
/** 微山县 civil affairs' request headers, for the brief. */
let weishanCaHeaders: Record<string, string>;

let caseId: string;
let acceptedSlip: string;
let declinedSlip: string;

async function lastAuditRow(): Promise<{ client_name: string; outcome: string; subject_kind: string }> {
  const [rows] = await dbs.hubPool.query(`SELECT client_name, outcome, subject_kind FROM access_log ORDER BY seq DESC LIMIT 1`);
  return (rows as { client_name: string; outcome: string; subject_kind: string }[])[0];
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_household_moves');
  await insertRegions(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['weishanCa', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanHealth', WEISHAN, 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    ['renchengCa', RENCHENG, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['renchengHealth', RENCHENG, 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;
  weishanCaHeaders = made.weishanCa.headers;

  // 微山县 opens the case and sends two slips to its health office; then the household moves to 任城区.
  const ca = clients.weishanCa;
  caseId = (await ok(ca, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院自付费用较高' } }, 'caseOpen')).case.id;
  await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const issue = async (ask: string) => {
    const issued = await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 5 } }, 'referralIssue');
    expect(issued.referral.to).toEqual({ key: 'HEALTH', county: { code: WEISHAN } });
    return issued.referral.id as string;
  };
  acceptedSlip = await issue('核实住院费用');
  declinedSlip = await issue('核实参保情况');
  const [moved] = await dbs.hub.update(household).set({ regionCode: NEW_HOME }).where(eq(household.id, zhaoId));
  expect(moved.affectedRows).toBe(1);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the county the household moved to', () => {
  it('cannot answer the old county’s slips: REFERRAL_NOT_FOUND, the refusal audited against the household', async () => {
    const health = clients.renchengHealth;
    expect(codes(await health(ACCEPT, { input: { referralId: acceptedSlip } }), 'referralAccept')).toEqual(['REFERRAL_NOT_FOUND']);
    expect(await lastAuditRow()).toEqual({ client_name: countyClientName('renchengHealth'), outcome: 'DENIED', subject_kind: 'HOUSEHOLD' });
    expect(codes(await health(DECLINE, { input: { referralId: declinedSlip, reason: '非本县' } }), 'referralDecline')).toEqual(['REFERRAL_NOT_FOUND']);
    expect(codes(await health(COMPLETE, { input: { referralId: acceptedSlip, feedback: '已核实' } }), 'referralComplete')).toEqual(['REFERRAL_NOT_FOUND']);
    // Nor are they in its inbox: they are addressed to 微山县医疗保障局.
    const inbox = await health(INBOX);
    expect(inbox.errors).toBeUndefined();
    expect(inbox.data.referralsToOffice).toEqual([]);
  });

  it('cannot move, convene or complete the case: CASE_NOT_FOUND', async () => {
    const ca = clients.renchengCa;
    expect(codes(await ca(MOVE, { input: { caseId, to: 'INVESTIGATING', reason: '入户调查' } }), 'caseTransition')).toEqual(['CASE_NOT_FOUND']);
    expect(codes(await ca(ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '转办', deadlineWorkingDays: 5 } }), 'referralIssue')).toEqual(['CASE_NOT_FOUND']);
    expect(codes(await ca(MEETING, { input: { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [] } }), 'meetingRecord')).toEqual(['CASE_NOT_FOUND']);
    expect(codes(await ca(MATERIALS, { input: { caseId, note: '材料齐全' } }), 'caseMaterialsComplete')).toEqual(['CASE_NOT_FOUND']);
    expect(await lastAuditRow()).toEqual({ client_name: countyClientName('renchengCa'), outcome: 'DENIED', subject_kind: 'HOUSEHOLD' });
    // Nothing moved.
    const res = await clients.weishanCa(CASE, { id: caseId });
    expect(res.data.case.state).toBe('ACCEPTED');
    expect(res.data.case.referrals.map((r: { id: string }) => r.id)).toEqual([acceptedSlip, declinedSlip]);
  });

  it('reads the case of the household it serves now, still 微山县’s', async () => {
    const res = await clients.renchengCa(CASE, { id: caseId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case).toMatchObject({ id: caseId, owner: { key: 'CIVIL_AFFAIRS', county: { code: WEISHAN } }, household: { id: String(zhaoId) } });
  });
});

describe('the county that opened the case', () => {
  it('still lists its slips in its inbox and answers them', async () => {
    const health = clients.weishanHealth;
    const inbox = await health(INBOX);
    expect(inbox.errors).toBeUndefined();
    expect(inbox.data.referralsToOffice).toEqual([
      { id: acceptedSlip, to: { county: { code: WEISHAN } } },
      { id: declinedSlip, to: { county: { code: WEISHAN } } },
    ]);
    const read = await health(REFERRAL, { id: acceptedSlip });
    expect(read.errors).toBeUndefined();
    expect(read.data.referral).toEqual({ id: acceptedSlip, state: 'ISSUED', case: { id: caseId } });
    expect((await ok(health, ACCEPT, { input: { referralId: acceptedSlip } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
    expect((await ok(health, DECLINE, { input: { referralId: declinedSlip, reason: '不属于医疗救助范围' } }, 'referralDecline')).referral.state).toBe('DECLINED');
  });

  it('reads, moves and convenes the case, and prints its brief', async () => {
    const ca = clients.weishanCa;
    const res = await ca(CASE, { id: caseId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.owner).toEqual({ key: 'CIVIL_AFFAIRS', county: { code: WEISHAN } });
    expect(res.data.case.referrals.map((r: { state: string }) => r.state)).toEqual(['ACCEPTED', 'DECLINED']);
    for (const to of ['INVESTIGATING', 'IN_DELIBERATION']) expect((await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition')).case.state).toBe(to);
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [] } }, 'meetingRecord');
    expect(met.meeting.convenedBy).toEqual({ key: 'CIVIL_AFFAIRS', county: { code: WEISHAN } });
    const after = await ca(CASE, { id: caseId });
    expect(after.errors).toBeUndefined();
    expect(after.data.case.meetings).toEqual([{ id: met.meeting.id }]);

    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: weishanCaHeaders });
    expect(brief.status).toBe(200);
  });

  it('names its other case when the aid record that one decision took is offered for another decision', async () => {
    const ca = clients.weishanCa;
    const health = clients.weishanHealth;
    // Two more cases of the household, opened by 微山县 before it moved, each deciding 医疗救助 of 1,000 元.
    const decided: { reference: string; slip: string }[] = [];
    for (const summary of ['第一次住院', '第二次住院']) {
      await dbs.hub.update(household).set({ regionCode: ZHAO.regionCode }).where(eq(household.id, zhaoId));
      const other = (await ok(ca, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case.id;
      await dbs.hub.update(household).set({ regionCode: NEW_HOME }).where(eq(household.id, zhaoId));
      for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId: other, to, reason: to } }, 'caseTransition');
      const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: ZHAO.head, conflictOverrideReason: '两次住院，分别决定' };
      const met = await ok(ca, MEETING, { input: { caseId: other, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision] } }, 'meetingRecord');
      decided.push({ reference: met.case.reference, slip: met.meeting.decisions[0].id });
    }
    const [paid] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [{ payId: 'MA-2026-0316-ZHAO', psnCertNo: ZHAO.head, aidType: 'MAF', payDate: '2026-03-16', payAmt: '1000.00' }]);
    for (const { slip } of decided) await ok(health, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    await ok(health, COMPLETE, { input: { referralId: decided[0].slip, feedback: '已结算', aidSourceReference: paid } }, 'referralComplete');
    const refused = await health(COMPLETE, { input: { referralId: decided[1].slip, feedback: '已结算', aidSourceReference: paid } });
    expect(codes(refused, 'referralComplete')).toEqual(['AID_RECORD_ALREADY_USED']);
    // 微山县医保局 may read that case (it runs it): the refusal says which one.
    expect(refused.data.referralComplete.userErrors[0].message).toContain(decided[0].reference);
  });
});
