/**
 * The closed loop run with the demo's own API clients (access/demo-clients.ts, as `npm start`
 * writes them to .data/demo-clients.env): city civil affairs opens a case and convenes the meeting,
 * each department answers the slips sent to it, and the case closes. Also the smaller defects of
 * the loop: a reused idempotency key, another office's inbox, a meeting recorded behind a later
 * state change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { createClient } from '../access/clients';
import { DEMO_CLIENTS, ensureDemoClients } from '../access/demo-clients';
import { recordMeeting } from '../db/cases/meetings';
import { householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { healthScenario } from '../federation/health/scenario';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { verifyCaseSeals } from '../db/cases/seals';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { civilAffairsDeclinesOpen, wangHealthAndHousingMeeting } from './support/cases';
import { insertRegions, insertWang, insertZhao, SLIP_ANSWERING_OFFICES, TODAY, WANG } from './support/scenarios';
import { chars } from './support/text';

const CASE = `id state owner { key }`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { ${CASE} } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { ${CASE} } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id decisions { id to { key } } } case { state } userErrors { code field } } }`;
const SLIP = `referral { id state to { key } } case { state } userErrors { code message field }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { ${SLIP} } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`;
const INBOX = `query($office: OfficeInput!) { referralsToOffice(office: $office) { id to { key } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;
let dir: string;
/** The demo clients by their variable in .data/demo-clients.env, each stating the purpose of its work. */
const demo: Record<string, Gql> = {};
let tokens: Map<string, string>;
/** A shortfall’s reason of exactly 500 characters, the limit (823 UTF-16 code units). */
const DIFFERENCE_REASON = `政策范围内费用按年度封顶线计算：${chars(484)}`;
/** The hub's clock: the scenario's days in March 2026. */
const clock = new TestClock('2026-03-15T10:00:00+08:00');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function codes(res: any, field: string): string[] {
  expect(res.errors).toBeUndefined();
  return res.data[field].userErrors.map((e: { code: string }) => e.code);
}

async function ok(gql: Gql, query: string, variables: Record<string, unknown>, field: string) {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_loop');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  // A demo client an older hub made, without the role to answer slips: the demo upgrades it.
  await createClient(hub.accessDb, { name: 'demo-health', department: 'HEALTH', regionScope: '370800', roles: ['READER', 'DEPARTMENT_WRITER'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-demo-clients-'));
  tokens = await ensureDemoClients(hub.accessDb, path.join(dir, 'demo-clients.env'));
  for (const c of DEMO_CLIENTS) {
    const purpose = c.roles.includes('MEETING_CONVENER') ? 'CASE_MEETING' : 'REFERRAL';
    demo[c.variable] = hub.as({ token: tokens.get(c.variable)!, purpose }).gql;
  }
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the demo closes a case with its own clients', () => {
  let caseId: string;
  const slips: Record<string, string> = {};

  it('has a client for every department that answers slips, and none of them may open or move a case', async () => {
    const departments = DEMO_CLIENTS.filter((c) => c.roles.includes('REFERRAL_HANDLER') && c.regionScope === '370800').map((c) => c.department).sort();
    // The federated departments, and the offices that answer with the aid they report (not charities).
    expect(departments).toEqual(SLIP_ANSWERING_OFFICES);
    const res = await demo.AIDHUB_TOKEN_HEALTH(OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '医保局自行立案' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('civil affairs opens the case, takes it to deliberation and records the meeting', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const opened = await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '户主之母住院，自付费用高', reportedAt: '2026-03-09T09:00:00+08:00' } }, 'caseOpen');
    caseId = opened.case.id;
    expect(opened.case.owner.key).toBe('CIVIL_AFFAIRS');
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const met = await wangHealthAndHousingMeeting(ca, caseId, [
      { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 1_500_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother },
      // The household holds a rent subsidy already (X9): raising it is decided with the reason.
      { department: 'HOUSING', programme: 'RENT_SUBSIDY', amountFen: 50_000, deadlineWorkingDays: 10, conflictOverrideReason: '提高现有租赁补贴档次，非重复发放' },
    ]);
    expect(met.caseState).toBe('DECIDED');
    Object.assign(slips, met.slips);
  });

  it('each department answers the slip sent to it, and only that one', async () => {
    const health = demo.AIDHUB_TOKEN_HEALTH;
    const housing = demo.AIDHUB_TOKEN_HOUSING;
    expect(codes(await housing(ACCEPT, { input: { referralId: slips.HEALTH } }), 'referralAccept')).toEqual(['NOT_RECEIVING_OFFICE']);
    // Its inbox lists the slip.
    const inbox = await health(INBOX, { office: { department: 'HEALTH' } });
    expect(inbox.errors).toBeUndefined();
    expect(inbox.data.referralsToOffice.map((r: { id: string }) => r.id)).toEqual([slips.HEALTH]);
    await ok(health, ACCEPT, { input: { referralId: slips.HEALTH } }, 'referralAccept');
    const [premiumRef, medicalAidRef] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
      // Another member's premium subsidy, paid before the meeting.
      { payId: 'CB-2026-0110', psnCertNo: WANG.head, aidType: 'CBZZ', payDate: '2026-01-10', payAmt: '280.00' },
      // The grandmother's medical aid after it: 12,000 of the 15,000 元 decided.
      { payId: 'MA-2026-0313', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '12000.00' },
    ]);
    // Completing needs the aid record; the wrong one is refused on every count.
    expect(codes(await health(COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已结算' } }), 'referralComplete')).toEqual(['AID_RECORD_REQUIRED']);
    expect(codes(await health(COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已结算', aidSourceReference: premiumRef } }), 'referralComplete').sort()).toEqual(
      ['AID_AMOUNT_SHORT', 'AID_RECORD_BEFORE_DECISION', 'AID_RECORD_BENEFICIARY_MISMATCH', 'AID_RECORD_PROGRAMME_MISMATCH'],
    );
    // The right record short of the decision needs the reason, and shows it.
    expect(codes(await health(COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已结算', aidSourceReference: medicalAidRef } }), 'referralComplete')).toEqual(['AID_AMOUNT_SHORT']);
    // The reason takes 500 characters, counted as characters (emoji, CJK), not UTF-16 units: one more is refused.
    expect(codes(await health(COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已结算', aidSourceReference: medicalAidRef, differenceReason: `${DIFFERENCE_REASON}。` } }), 'referralComplete')).toEqual(['TEXT_TOO_LONG']);
    await ok(
      health,
      COMPLETE,
      { input: { referralId: slips.HEALTH, feedback: '医疗救助已结算', aidSourceReference: medicalAidRef, differenceReason: DIFFERENCE_REASON } },
      'referralComplete',
    );
    const shown = await health(`query($id: ID!) { referral(id: $id) { fulfilment { aidSourceReference programme { code } beneficiary { idNumber } aidDate amountFen decidedAmountFen shortfallFen differenceReason } case { dossier { referrals { id fulfilledAmountFen differenceReason } } } } }`, { id: slips.HEALTH });
    expect(shown.errors).toBeUndefined();
    expect(shown.data.referral.fulfilment).toEqual({
      aidSourceReference: medicalAidRef,
      programme: { code: 'MEDICAL_AID' },
      // Answering a slip (REFERRAL) is served by its READER and REFERRAL_HANDLER, not DEPARTMENT_WRITER: the ID number masked.
      beneficiary: { idNumber: `${WANG.grandmother.slice(0, 6)}********${WANG.grandmother.slice(14)}` },
      aidDate: '2026-03-13',
      amountFen: 1_200_000,
      decidedAmountFen: 1_500_000,
      shortfallFen: 300_000,
      differenceReason: DIFFERENCE_REASON,
    });
    expect(shown.data.referral.case.dossier.referrals.find((r: { id: string }) => r.id === slips.HEALTH)).toEqual({ id: slips.HEALTH, fulfilledAmountFen: 1_200_000, differenceReason: DIFFERENCE_REASON });
    const declined = await ok(housing, DECLINE, { input: { referralId: slips.HOUSING, reason: '已享受租赁补贴最高档' } }, 'referralDecline');
    expect(declined.referral.state).toBe('DECLINED');
  });

  it('does not close while the declined decision leads nowhere; civil affairs reassigns it, pays, and closes', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    expect(codes(await ca(MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }), 'caseTransition')).toEqual(['DECLINED_DECISIONS_OPEN']);
    // Only the convener resolves a decline.
    const byHousing = await demo.AIDHUB_TOKEN_HOUSING(REASSIGN, { input: { referralId: slips.HOUSING, reason: 'x', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 1, deadlineWorkingDays: 5, cause: 'OTHER' } });
    expect(byHousing.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const reassigned = await ok(
      ca,
      REASSIGN,
      { input: { referralId: slips.HOUSING, reason: '住房部门退回，改由民政给予临时救助解决租房困难', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 300_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, cause: 'OTHER' } },
      'referralReassign',
    );
    const newSlip = reassigned.referral.id;
    expect(reassigned.referral).toMatchObject({ state: 'ISSUED', to: { key: 'CIVIL_AFFAIRS' } });
    expect(codes(await ca(WAIVE, { input: { referralId: slips.HOUSING, reason: '再次处理' } }), 'referralWaive')).toEqual(['DECISION_NOT_DECLINED']);
    // X5 counts the paying record under its own cause: a record of another cause (05 education) does not fulfil a decision of OTHER.
    const [ofEducation] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '05', isUrgent: false, isSecondAid: false, grantDate: '2026-03-15', amountFen: 300_000, approvalLevel: 1 });
    const [paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '99', isUrgent: false, isSecondAid: false, grantDate: '2026-03-15', amountFen: 300_000, approvalLevel: 1 });
    await ok(ca, ACCEPT, { input: { referralId: newSlip } }, 'referralAccept');
    expect(codes(await ca(COMPLETE, { input: { referralId: newSlip, feedback: '临时救助已发放', aidSourceReference: ofEducation } }), 'referralComplete')).toEqual(['AID_RECORD_CAUSE_MISMATCH']);
    await ok(ca, COMPLETE, { input: { referralId: newSlip, feedback: '临时救助已发放', aidSourceReference: paid } }, 'referralComplete');
    const closed = await ok(ca, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition');
    expect(closed.case.state).toBe('CLOSED');
    const res = await ca(`query($id: ID!) { referral(id: $id) { state declineReason declineResolution { kind reason newReferral { id state } } } }`, { id: slips.HOUSING });
    expect(res.data.referral).toEqual({
      state: 'DECLINED',
      declineReason: '已享受租赁补贴最高档',
      declineResolution: { kind: 'REASSIGNED', reason: '住房部门退回，改由民政给予临时救助解决租房困难', newReferral: { id: newSlip, state: 'COMPLETED' } },
    });
  });
});

describe('smaller defects of the loop', () => {
  let caseId: string;

  beforeAll(async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '缺陷测试', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  });

  it('separates the counties in the supervision view: 任城区 apart from 微山县', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const zhaoCase = (await ok(ca, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '微山县个案', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId: zhaoCase, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const res = await ca(`query { overdueReport { byCounty { county { code name } cases { case { id } deadline { kind } } } } }`);
    expect(res.errors).toBeUndefined();
    const counties = res.data.overdueReport.byCounty;
    expect(counties.map((g: { county: { code: string; name: string } }) => `${g.county.code} ${g.county.name}`)).toEqual(['370811 任城区', '370826 微山县']);
    expect([...new Set(counties[1].cases.map((c: { case: { id: string } }) => c.case.id))]).toEqual([zhaoCase]);
    expect(counties[0].cases.map((c: { case: { id: string } }) => c.case.id)).toContain(caseId);
  });

  it('refuses another office’s inbox', async () => {
    const res = await demo.AIDHUB_TOKEN_HEALTH(INBOX, { office: { department: 'HOUSING' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(res.data?.referralsToOffice ?? null).toBeNull();
  });

  it('answers a retry with the same request from its key, and refuses the key with a different request', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const input = { caseId, to: { department: 'EDUCATION' }, ask: '核实子女在校情况', deadlineWorkingDays: 5, idempotencyKey: 'issue-edu-1' };
    const first = await ok(ca, ISSUE, { input }, 'referralIssue');
    const again = await ok(ca, ISSUE, { input }, 'referralIssue');
    expect(again.referral.id).toBe(first.referral.id);
    expect(codes(await ca(ISSUE, { input: { ...input, ask: '另一件事' } }), 'referralIssue')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(codes(await ca(ISSUE, { input: { ...input, to: { department: 'HOUSING' } } }), 'referralIssue')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('records a meeting whose request clock is behind the case’s last state change, instead of OCCURRED_OUT_OF_ORDER', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    for (const to of ['INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    // A meeting request that read the clock before the last transition landed took the lock after it.
    const before = new Date(clock.at.getTime() - 60_000);
    const meeting = { heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS' as const], notes: null, decisions: [{ department: 'CIVIL_AFFAIRS' as const, programmeCode: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 5, ask: null, beneficiaryIdNumber: null, secondAid: null, cause: 'ILLNESS' as const, settlementRef: null, schoolYear: null }] };
    const dossier = JSON.parse('{}');
    const outcome = await recordMeeting(dbs.hub, Number(caseId), meeting, dossier, { actor: { officer: 'x', office: 'CIVIL_AFFAIRS' }, occurredAt: null, idempotencyKey: null, now: before });
    expect(outcome.ok ? 'OK' : outcome.errors.map((e) => e.code).join()).toBe('OK');
  });
});

describe('every decision runs the pre-grant check', () => {
  it('refuses 特困 support for a 低保 recipient without an override, records it with one, and shows the conflict on the meeting', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '特困认定', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const tekun = { department: 'CIVIL_AFFAIRS', programme: 'TEKUN', amountFen: 90_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother };
    const input = { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [tekun] };
    const refusedRes = await ca(MEETING, { input });
    expect(refusedRes.errors).toBeUndefined();
    expect(refusedRes.data.meetingRecord.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] }]);
    const recorded = await ok(ca, MEETING, { input: { ...input, decisions: [{ ...tekun, conflictOverrideReason: '低保待特困认定后停发，会议决定同时办理' }] } }, 'meetingRecord');
    const res = await ca(`query($id: ID!) { case(id: $id) { meetings { decisionChecks { decision { id } conflict overrideReason findings { ruleId severity summary departments { code } } } decisions { decisionCheck { conflict } } } } }`, { id: caseId });
    expect(res.errors).toBeUndefined();
    const [meeting] = res.data.case.meetings;
    expect(meeting.decisionChecks).toHaveLength(1);
    expect(meeting.decisionChecks[0]).toMatchObject({ decision: { id: recorded.meeting.decisions[0].id }, conflict: true, overrideReason: '低保待特困认定后停发，会议决定同时办理' });
    expect(meeting.decisionChecks[0].findings.map((f: { ruleId: string; severity: string }) => `${f.ruleId}:${f.severity}`)).toContain('X1:CONFLICT');
    expect(meeting.decisions[0].decisionCheck).toEqual({ conflict: true });

    // Civil affairs declines its own decision; the case goes back to deliberation and a new meeting decides again.
    const slip = recorded.meeting.decisions[0].id;
    await ok(ca, DECLINE, { input: { referralId: slip, reason: '经复核不符合特困认定条件' } }, 'referralDecline');
    const back = await ok(ca, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '退回重新议定' } }, 'caseTransition');
    expect(back.case.state).toBe('IN_DELIBERATION');
    await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-15', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, cause: 'OTHER', conflictOverrideReason: '与另案临时救助事由不同' }] } }, 'meetingRecord');
    const after = await ca(`query($id: ID!) { referral(id: $id) { declineResolution { kind meeting { id } } } }`, { id: slip });
    expect(after.data.referral.declineResolution.kind).toBe('REDELIBERATED');
    // A decided case with no open decline does not go back.
    expect(codes(await ca(MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '再议' } }), 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
  });

  it('lets the convener waive a declined decision with a reason, and the case then closes', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '豁免测试', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [{ department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child }] } }, 'meetingRecord');
    const slip = met.meeting.decisions[0].id;
    await ok(demo.AIDHUB_TOKEN_EDUCATION, DECLINE, { input: { referralId: slip, reason: '该生已转学至外市' } }, 'referralDecline');
    expect(codes(await ca(WAIVE, { input: { referralId: slip, reason: ' ' } }), 'referralWaive')).toEqual(['REASON_REQUIRED']);
    await ok(ca, WAIVE, { input: { referralId: slip, reason: '学生已转学，由就读地教育部门资助' } }, 'referralWaive');
    expect((await ok(ca, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition')).case.state).toBe('CLOSED');
  });

  it('lets a case back in deliberation return to DECIDED once its convener waived or reassigned every decline, and close', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '再议后豁免', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    // Decided at a meeting before: deciding without one is still refused.
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    expect(codes(await ca(MOVE, { input: { caseId, to: 'DECIDED', reason: '未开会' } }), 'caseTransition')).toEqual(['MEETING_REQUIRED']);
    const tuition = { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child };
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [tuition, { ...tuition, programme: 'BOARDING_SUBSIDY', amountFen: 50_000 }] } }, 'meetingRecord');
    const [first, second] = met.meeting.decisions.map((d: { id: string }) => d.id);
    await ok(demo.AIDHUB_TOKEN_EDUCATION, DECLINE, { input: { referralId: first, reason: '该生已转学至外市' } }, 'referralDecline');
    await ok(ca, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '退回重新议定' } }, 'caseTransition');
    // A sitting that decides nothing further leaves the decline open: not yet back to DECIDED.
    await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-14', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], notes: '再议：不再另行安排', decisions: [] } }, 'meetingRecord');
    expect(codes(await ca(MOVE, { input: { caseId, to: 'DECIDED', reason: '维持原决定' } }), 'caseTransition')).toEqual(['MEETING_REQUIRED']);
    await ok(ca, WAIVE, { input: { referralId: first, reason: '学生已转学，由就读地教育部门资助' } }, 'referralWaive');
    const back = await ok(ca, MOVE, { input: { caseId, to: 'DECIDED', reason: '再议后维持原决定' } }, 'caseTransition');
    expect(back.case.state).toBe('DECIDED');
    // The other decision is still carried out before the case closes.
    expect(codes(await ca(MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }), 'caseTransition')).toEqual(['REFERRALS_WITHOUT_FEEDBACK']);
    await ok(demo.AIDHUB_TOKEN_EDUCATION, DECLINE, { input: { referralId: second, reason: '该生不住校' } }, 'referralDecline');
    await ok(ca, WAIVE, { input: { referralId: second, reason: '不住校，无需补助' } }, 'referralWaive');
    expect((await ok(ca, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition')).case.state).toBe('CLOSED');
  });

  it('does not reject a case back in deliberation while a declined decision is open: the decline stays in supervision until waived', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '再议后不予救助', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const tuition = { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child };
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [tuition] } }, 'meetingRecord');
    const slip = met.meeting.decisions[0].id;
    await ok(demo.AIDHUB_TOKEN_EDUCATION, DECLINE, { input: { referralId: slip, reason: '该生已转学至外市' } }, 'referralDecline');
    await ok(ca, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '退回重新议定' } }, 'caseTransition');
    // Rejected now, the case ended with its declined decision neither reassigned, waived nor decided
    // again, and the decline left declinesOpen (a case ended) with no waiver on record.
    expect(codes(await ca(MOVE, { input: { caseId, to: 'REJECTED', reason: '经再议，不予救助' } }), 'caseTransition')).toEqual(['DECLINED_DECISIONS_OPEN']);
    expect(await civilAffairsDeclinesOpen(ca)).toContain(slip);
    await ok(ca, WAIVE, { input: { referralId: slip, reason: '学生已转学，由就读地教育部门资助' } }, 'referralWaive');
    expect((await ok(ca, MOVE, { input: { caseId, to: 'REJECTED', reason: '经再议，不予救助' } }, 'caseTransition')).case.state).toBe('REJECTED');
    expect(await civilAffairsDeclinesOpen(ca)).not.toContain(slip);
  });
});

describe('a slip goes only to an office that can answer it', () => {
  const CASE_READ = `query($id: ID!) { case(id: $id) { state referrals { id to { key } } meetings { id } } }`;
  let caseId: string;

  beforeAll(async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '转办对象测试', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  });

  it('refuses a slip to an office no client answers for, or to a township of another county, and writes nothing', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const issue = (to: { department?: string; township?: string }) => ca(ISSUE, { input: { caseId, to, ask: '请协助核查', deadlineWorkingDays: 5 } });
    // Charities are reached through charity linkage; REPORTED is the hub's ledger; 370811999 is no township.
    for (const to of [{ department: 'CHARITY' }, { department: 'REPORTED' }, { township: '370811999' }]) {
      expect(codes(await issue(to), 'referralIssue')).toEqual(['UNKNOWN_OFFICE']);
    }
    // 夏镇街道 is of 微山县: its officer cannot reach a 任城区 household's case.
    expect(codes(await issue({ township: '370826100' }), 'referralIssue')).toEqual(['OFFICE_OUT_OF_COUNTY']);
    const read = await ca(CASE_READ, { id: caseId });
    expect(read.errors).toBeUndefined();
    expect(read.data.case.referrals).toEqual([]);
    // The household's own township and a department that answers slips still receive them.
    expect((await ok(ca, ISSUE, { input: { caseId, to: { township: '370811001' }, ask: '请入户核查', deadlineWorkingDays: 3 } }, 'referralIssue')).referral.to.key).toBe('370811001');
    expect((await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '请提供住院结算', deadlineWorkingDays: 3 } }, 'referralIssue')).referral.to.key).toBe('HEALTH');
  });

  it('refuses a meeting’s decision for a charity, and records no meeting', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const other = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '慈善资助决定', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId: other, to, reason: to } }, 'caseTransition');
    const res = await ca(MEETING, {
      input: { caseId: other, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'CHARITY'], decisions: [{ department: 'CHARITY', programme: 'CHARITY_MEDICAL', amountFen: 300_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head }] },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.meetingRecord.userErrors).toEqual([{ code: 'UNKNOWN_OFFICE', field: ['input', 'decisions', '0', 'department'] }]);
    const read = await ca(CASE_READ, { id: other });
    expect(read.errors).toBeUndefined();
    expect(read.data.case).toEqual({ state: 'IN_DELIBERATION', referrals: [], meetings: [] });
  });
});

describe('one aid record fulfils one decision', () => {
  it('refuses the record that already fulfilled another decision of the case, and takes another record', async () => {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const health = demo.AIDHUB_TOKEN_HEALTH;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '两次医疗救助决定', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    // Two stays of the grandmother, each decided 医疗救助 of 1,000 元.
    const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother };
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision, { ...decision, ask: '第二次住院医疗救助', conflictOverrideReason: '两次住院分别救助' }] } }, 'meetingRecord');
    const [first, second] = met.meeting.decisions.map((d: { id: string }) => d.id);
    const [paidOnce, paidAgain] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
      { payId: 'MA-2026-0314', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-14', payAmt: '1000.00' },
      { payId: 'MA-2026-0315', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-15', payAmt: '1000.00' },
    ]);
    for (const slip of [first, second]) await ok(health, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    await ok(health, COMPLETE, { input: { referralId: first, feedback: '第一次住院已结算', aidSourceReference: paidOnce } }, 'referralComplete');
    const refused = await health(COMPLETE, { input: { referralId: second, feedback: '第二次住院已结算', aidSourceReference: paidOnce } });
    expect(codes(refused, 'referralComplete')).toEqual(['AID_RECORD_ALREADY_USED']);
    expect(refused.data.referralComplete.userErrors[0].field).toEqual(['input', 'aidSourceReference']);
    const read = await ca(`query($id: ID!) { referral(id: $id) { state fulfilment { aidSourceReference } } }`, { id: second });
    expect(read.data.referral).toEqual({ state: 'ACCEPTED', fulfilment: null });
    const done = await ok(health, COMPLETE, { input: { referralId: second, feedback: '第二次住院已结算', aidSourceReference: paidAgain } }, 'referralComplete');
    expect(done.referral.state).toBe('COMPLETED');
  });
});

describe('one aid record fulfils one decision of any case', () => {
  const CASE_REF = `query($id: ID!) { case(id: $id) { reference } }`;
  const READ = `query($id: ID!) { referral(id: $id) { state fulfilment { aidSourceReference } } }`;
  /** A meeting of a new case of the household deciding 医疗救助 of 1,000 元 for `beneficiary`; its slip, accepted by city 医保. */
  async function decidedSlip(householdId: number, beneficiary: string, summary: string): Promise<{ caseId: string; slip: string }> {
    const ca = demo.AIDHUB_TOKEN_CIVIL_AFFAIRS;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    // Each case is another stay: the decision waiting in the household's other case is not this one's (DECISION_CONFLICT otherwise).
    const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: beneficiary, conflictOverrideReason: '另一次住院' };
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision] } }, 'meetingRecord');
    const slip = met.meeting.decisions[0].id;
    await ok(demo.AIDHUB_TOKEN_HEALTH, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    return { caseId, slip };
  }
  const payment = async (payId: string, idNumber: string): Promise<string> =>
    (await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [{ payId, psnCertNo: idNumber, aidType: 'MAF', payDate: '2026-03-14', payAmt: '1000.00' }]))[0];
  const complete = (gql: Gql, referralId: string, aidSourceReference: string, idempotencyKey?: string) =>
    gql(COMPLETE, { input: { referralId, feedback: '医疗救助已发放', aidSourceReference, ...(idempotencyKey ? { idempotencyKey } : {}) } });

  it('refuses the record that fulfilled a decision of another case, naming that case to a caller who may read it', async () => {
    const health = demo.AIDHUB_TOKEN_HEALTH;
    const first = await decidedSlip(wangId, WANG.grandmother, '第一个一事一议案件');
    const second = await decidedSlip(wangId, WANG.grandmother, '第二个一事一议案件');
    const [paid, paidOther] = [await payment('MA-2026-X01', WANG.grandmother), await payment('MA-2026-X02', WANG.grandmother)];
    await ok(health, COMPLETE, { input: { referralId: first.slip, feedback: '已发放', aidSourceReference: paid } }, 'referralComplete');
    const refused = await complete(health, second.slip, paid);
    expect(codes(refused, 'referralComplete')).toEqual(['AID_RECORD_ALREADY_USED']);
    const { reference } = (await demo.AIDHUB_TOKEN_CIVIL_AFFAIRS(CASE_REF, { id: first.caseId })).data.case;
    expect(refused.data.referralComplete.userErrors[0]).toMatchObject({ field: ['input', 'aidSourceReference'], message: expect.stringContaining(reference) });
    expect((await health(READ, { id: second.slip })).data.referral).toEqual({ state: 'ACCEPTED', fulfilment: null });
    expect((await ok(health, COMPLETE, { input: { referralId: second.slip, feedback: '已发放', aidSourceReference: paidOther } }, 'referralComplete')).referral.state).toBe('COMPLETED');
  });

  it('does not say which case to a caller who may not read it', async () => {
    // A person of a 微山县 household, whose case is completed with her medical aid; she then moves
    // into the Wang household (任城区), whose own case names the same payment.
    const mover = makeIdNumber('370826', '1955-03-07', 46);
    await dbs.hub.insert(person).values({ idNumber: mover, name: '孙玉梅', gender: 'F', birthDate: '1955-03-07' });
    await dbs.hub.insert(householdMember).values({ householdId: zhaoId, idNumber: mover, relation: 'PARENT', joinedOn: '2015-01-01' });
    const earlier = await decidedSlip(zhaoId, mover, '微山县案件');
    const paid = await payment('MA-2026-X03', mover);
    await ok(demo.AIDHUB_TOKEN_HEALTH, COMPLETE, { input: { referralId: earlier.slip, feedback: '已发放', aidSourceReference: paid } }, 'referralComplete');
    await dbs.hub.update(householdMember).set({ leftOn: '2026-03-14' }).where(and(eq(householdMember.householdId, zhaoId), eq(householdMember.idNumber, mover)));
    await dbs.hub.insert(householdMember).values({ householdId: wangId, idNumber: mover, relation: 'OTHER', joinedOn: '2026-03-14' });
    const later = await decidedSlip(wangId, mover, '迁入后任城区案件');
    // 任城区's 医保 office reaches only its county: the 微山县 case is not named, nor its slip.
    const county = demo.AIDHUB_TOKEN_370811_HEALTH;
    const refused = await complete(county, later.slip, paid);
    expect(codes(refused, 'referralComplete')).toEqual(['AID_RECORD_ALREADY_USED']);
    const { reference } = (await demo.AIDHUB_TOKEN_CIVIL_AFFAIRS(CASE_REF, { id: earlier.caseId })).data.case;
    const message: string = refused.data.referralComplete.userErrors[0].message;
    expect(message).not.toContain(reference);
    expect(message).not.toContain(earlier.caseId);
    expect(message).not.toContain(earlier.slip);
    // The city's office reads both cases: it is told which.
    expect(await complete(demo.AIDHUB_TOKEN_HEALTH, later.slip, paid).then((r) => r.data.referralComplete.userErrors[0].message)).toContain(reference);
  });

  it('lets exactly one of two completions racing in two cases have the record, and answers their retries as before', async () => {
    const health = demo.AIDHUB_TOKEN_HEALTH;
    for (let round = 0; round < 3; round++) {
      const a = await decidedSlip(wangId, WANG.grandmother, `并发案件甲 ${round}`);
      const b = await decidedSlip(wangId, WANG.grandmother, `并发案件乙 ${round}`);
      const paid = await payment(`MA-2026-R${round}`, WANG.grandmother);
      const keys = { [a.slip]: `race-${round}-a`, [b.slip]: `race-${round}-b` };
      const answers = await Promise.all([a.slip, b.slip].map((slip) => complete(health, slip, paid, keys[slip])));
      const outcome = answers.map((r) => codes(r, 'referralComplete'));
      expect(outcome.filter((c) => c.length === 0)).toHaveLength(1);
      expect(outcome.filter((c) => c.length > 0)).toEqual([['AID_RECORD_ALREADY_USED']]);
      const winner = outcome[0].length === 0 ? a.slip : b.slip;
      const loser = winner === a.slip ? b.slip : a.slip;
      expect((await health(READ, { id: winner })).data.referral).toEqual({ state: 'COMPLETED', fulfilment: { aidSourceReference: paid } });
      expect((await health(READ, { id: loser })).data.referral).toEqual({ state: 'ACCEPTED', fulfilment: null });
      // A retry of the winning completion gets its first outcome; the losing one is refused again.
      const again = await complete(health, winner, paid, keys[winner]);
      expect(codes(again, 'referralComplete')).toEqual([]);
      expect(again.data.referralComplete.referral).toMatchObject({ id: winner, state: 'COMPLETED' });
      expect(codes(await complete(health, loser, paid, keys[loser]), 'referralComplete')).toEqual(['AID_RECORD_ALREADY_USED']);
    }
  });
});

describe('the loop’s case records are sealed (db/cases/seals.ts)', () => {
  it('has every row every write of the loop made sealed as it stands, in every kind of case record the loop writes', async () => {
    // Before the test below, which changes a slip and its fulfilment by hand, out of band.
    const verdict = await verifyCaseSeals(dbs.hub);
    expect(verdict.ok ? [] : verdict.findings.map((f) => `${f.problem} ${f.table ?? ''} ${f.rowKey ?? f.seq ?? ''}`)).toEqual([]);
    const [sealed] = await dbs.hubPool.query('SELECT DISTINCT table_name AS name FROM case_seal');
    expect((sealed as { name: string }[]).map((r) => r.name).sort()).toEqual(
      ['aid_case', 'case_deadline_kept', 'case_event', 'case_meeting', 'case_meeting_department', 'decision_check', 'declined_decision', 'referral_fulfilment', 'referral_slip'].sort(),
    );
  });
});

describe('aid_record_use from the decisions completed before it (db/case-loop migration 0005)', () => {
  it('is filled with every completed decision’s record, the earliest completion holding a record two used', async () => {
    const migration = fs.readFileSync(path.join(__dirname, '..', 'db', 'case-loop', 'migrations', '0005_aid_record_use.sql'), 'utf8');
    const backfill = migration.split('--> statement-breakpoint')[1];
    const uses = async () => ((await dbs.hubPool.query('SELECT referral_id AS referralId, office, aid_source_ref AS ref, case_id AS caseId FROM aid_record_use ORDER BY referral_id'))[0] as { referralId: number; office: string; ref: string; caseId: number }[]).map((r) => ({ ...r, referralId: Number(r.referralId), caseId: Number(r.caseId) }));
    const now = await uses();
    expect(now.length).toBeGreaterThanOrEqual(6);
    await dbs.hubPool.query('DELETE FROM aid_record_use');
    await dbs.hubPool.query(backfill);
    expect(await uses()).toEqual(now);
    // Two decisions of two cases completed with one record before the hub refused it: the first keeps it.
    const [earlier, later] = now.filter((u) => u.office === 'HEALTH').slice(-2);
    expect(earlier.caseId).not.toBe(later.caseId);
    await dbs.hubPool.query('UPDATE referral_fulfilment SET aid_source_ref = ? WHERE referral_id = ?', [earlier.ref, later.referralId]);
    await dbs.hubPool.query('UPDATE referral_slip SET aid_source_ref = ? WHERE id = ?', [earlier.ref, later.referralId]);
    await dbs.hubPool.query('DELETE FROM aid_record_use');
    await dbs.hubPool.query(backfill);
    expect(await uses()).toEqual(now.filter((u) => u.referralId !== later.referralId));
  });
});
