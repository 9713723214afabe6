/**
 * A case or slip write sent again without an idempotency key (a double click, a network retry):
 * the same officer sending the same thing soon after, with nothing recorded since, is answered
 * with the first outcome (replayed: true) and nothing is written twice; a different request, or
 * another officer's, meets the usual checks (a slip already declined is REFERRAL_ILLEGAL_TRANSITION).
 * Run with the demo's own clients (access/demo-clients.ts), the county's offices of 任城区.
 */
import { and, eq } from 'drizzle-orm';
import { caseEvent, referralSlip } from '../db/cases/schema';
import type { TestDatabases } from './support/databases';
import type { TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { minuteApart, startDemoCaseHub, type DemoCaseHub } from './support/cases';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { WANG } from './support/scenarios';

const CASE = `case { id state } replayed userErrors { code field }`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { ${CASE} } }`;
const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { ${CASE} } }`;
const MATERIALS = `mutation($input: CaseMaterialsCompleteInput!) { caseMaterialsComplete(input: $input) { ${CASE} } }`;
const SLIP = `referral { id state declineReason feedback } replayed userErrors { code field }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id to { key } } } userErrors { code field message } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let setup: DemoCaseHub;
let wangId: number;
const demo: Record<string, Gql> = {};
const clock = new TestClock('2026-03-16T09:00:00+08:00');
const CA = 'AIDHUB_TOKEN_370811_CIVIL_AFFAIRS';
const HEALTH = 'AIDHUB_TOKEN_370811_HEALTH';

/** Each request a minute after the last, as an officer's would be. */
const send = minuteApart(clock);

async function events(caseId: string, action: string): Promise<number> {
  return (await dbs.hub.select({ id: caseEvent.id }).from(caseEvent).where(and(eq(caseEvent.caseId, Number(caseId)), eq(caseEvent.action, action as never)))).length;
}

async function openCase(summary: string, urgency = 'NORMAL'): Promise<string> {
  clock.set(new Date(clock.at.getTime() + 60_000));
  return (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency, summary } }, 'caseOpen')).case.id;
}

async function forward(caseId: string, ask: string): Promise<string> {
  const res = await send(demo[CA], ISSUE, { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 5 });
  expect(res.data.referralIssue.userErrors).toEqual([]);
  return res.data.referralIssue.referral.id;
}

beforeAll(async () => {
  setup = await startDemoCaseHub('unkeyed_retry', clock.now);
  ({ dbs, hub, wangId } = setup);
  Object.assign(demo, setup.demo);
});

afterAll(() => setup?.close());

describe('a slip answer sent again without a key', () => {
  it('answers a decline sent again with the first decline, and refuses a different one', async () => {
    const caseId = await openCase('重复退回测试');
    await ok(demo[CA], MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const slip = await forward(caseId, '请核实住院自付费用');
    const decline = { referralId: slip, reason: '不属本部门职责', actor: { officer: 'hs-007' } };
    const first = await send(demo[HEALTH], DECLINE, decline);
    expect(first.data.referralDecline).toMatchObject({ referral: { state: 'DECLINED', declineReason: '不属本部门职责' }, replayed: false, userErrors: [] });
    const again = await send(demo[HEALTH], DECLINE, decline);
    expect(again.errors).toBeUndefined();
    expect(again.data.referralDecline).toEqual({ referral: { id: slip, state: 'DECLINED', declineReason: '不属本部门职责', feedback: null }, replayed: true, userErrors: [] });
    // Another reason, or a colleague's decline, is not this one's retry: the slip is declined already.
    expect(codes(await send(demo[HEALTH], DECLINE, { ...decline, reason: '材料不全' }), 'referralDecline')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    expect(codes(await send(demo[HEALTH], DECLINE, { ...decline, actor: { officer: 'hs-008' } }), 'referralDecline')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    // An accept or completion of the declined slip is no retry of the decline either.
    expect(codes(await send(demo[HEALTH], ACCEPT, { referralId: slip, actor: { officer: 'hs-007' } }), 'referralAccept')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    expect(await events(caseId, 'REFERRAL_DECLINED')).toBe(1);
  });

  it('writes a decline sent twice at once once, answering the other as its retry', async () => {
    const caseId = await openCase('同时退回测试');
    await ok(demo[CA], MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const slip = await forward(caseId, '请核实医疗救助情况');
    clock.set(new Date(clock.at.getTime() + 60_000));
    const both = await Promise.all([1, 2].map(() => demo[HEALTH](DECLINE, { input: { referralId: slip, reason: '已另案处理', actor: { officer: 'hs-007' } } })));
    expect(both.map((r) => r.data.referralDecline.userErrors)).toEqual([[], []]);
    expect(both.map((r) => r.data.referralDecline.replayed).sort()).toEqual([false, true]);
    expect(await events(caseId, 'REFERRAL_DECLINED')).toBe(1);
  });

  it('answers an acceptance and a completion sent again with the first, and a slip issued twice is one slip', async () => {
    const caseId = await openCase('重复受理测试');
    await ok(demo[CA], MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const issue = { caseId, to: { department: 'HEALTH' }, ask: '请反馈慢病门诊报销情况', deadlineWorkingDays: 5, actor: { officer: 'ca-001' } };
    const a = await send(demo[CA], ISSUE, issue);
    const b = await send(demo[CA], ISSUE, issue);
    expect([a.data.referralIssue.replayed, b.data.referralIssue.replayed]).toEqual([false, true]);
    expect(b.data.referralIssue.referral.id).toBe(a.data.referralIssue.referral.id);
    // Another ask is a second slip.
    const other = await send(demo[CA], ISSUE, { ...issue, ask: '请反馈住院报销情况' });
    expect(other.data.referralIssue.replayed).toBe(false);
    expect((await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).length).toBe(2);
    const slip = a.data.referralIssue.referral.id;
    const accept = { referralId: slip, note: '已收到', actor: { officer: 'hs-007' } };
    expect((await send(demo[HEALTH], ACCEPT, accept)).data.referralAccept.replayed).toBe(false);
    expect((await send(demo[HEALTH], ACCEPT, accept)).data.referralAccept).toMatchObject({ referral: { state: 'ACCEPTED' }, replayed: true, userErrors: [] });
    const complete = { referralId: slip, feedback: '已核实，按政策报销', actor: { officer: 'hs-007' } };
    expect((await send(demo[HEALTH], COMPLETE, complete)).data.referralComplete.replayed).toBe(false);
    expect((await send(demo[HEALTH], COMPLETE, complete)).data.referralComplete).toMatchObject({ referral: { state: 'COMPLETED', feedback: '已核实，按政策报销' }, replayed: true, userErrors: [] });
    expect(codes(await send(demo[HEALTH], COMPLETE, { ...complete, feedback: '另一反馈' }), 'referralComplete')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    expect([await events(caseId, 'REFERRAL_ACCEPTED'), await events(caseId, 'REFERRAL_COMPLETED')]).toEqual([1, 1]);
  });

  it('answers a waiver of a declined decision sent again with the first', async () => {
    const caseId = await openCase('重复免除测试');
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(demo[CA], MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    clock.set(new Date(clock.at.getTime() + 60_000));
    const meeting = await ok(
      demo[CA],
      MEETING,
      {
        input: {
          caseId,
          heldOn: '2026-03-16',
          departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
          decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother, conflictOverrideReason: '测试' }],
        },
      },
      'meetingRecord',
    );
    const slip = meeting.meeting.decisions[0].id;
    expect((await send(demo[HEALTH], DECLINE, { referralId: slip, reason: '已足额报销' })).data.referralDecline.userErrors).toEqual([]);
    const waive = { referralId: slip, reason: '医保已足额报销，免除本项', actor: { officer: 'ca-001' } };
    expect((await send(demo[CA], WAIVE, waive)).data.referralWaive).toMatchObject({ replayed: false, userErrors: [] });
    expect((await send(demo[CA], WAIVE, waive)).data.referralWaive).toMatchObject({ referral: { id: slip }, replayed: true, userErrors: [] });
    expect(codes(await send(demo[CA], WAIVE, { ...waive, reason: '另一理由' }), 'referralWaive')).toEqual(['DECISION_NOT_DECLINED']);
    expect(await events(caseId, 'DECISION_WAIVED')).toBe(1);
  });
});

describe('a case opened by mistake', () => {
  const DEADLINES = `query($id: ID!) { case(id: $id) { state endedAt explanation allowedTransitions deadlines { kind status } history { action toState reason } } }`;

  it('is withdrawn (撤回) with its reason: ended, its deadlines void rather than met, not a rejection', async () => {
    const caseId = await openCase('误录：户号填错');
    expect(codes(await send(demo[CA], MOVE, { caseId, to: 'WITHDRAWN', reason: ' ' }), 'caseTransition')).toEqual(['REASON_REQUIRED']);
    expect((await send(demo[CA], MOVE, { caseId, to: 'WITHDRAWN', reason: '录入错误：应为另一户，已另行立案' })).data.caseTransition).toMatchObject({ case: { state: 'WITHDRAWN' }, replayed: false, userErrors: [] });
    const withdrawn = (await demo[CA](DEADLINES, { id: caseId })).data.case;
    expect(withdrawn).toMatchObject({ state: 'WITHDRAWN', explanation: null, allowedTransitions: [] });
    expect(withdrawn.endedAt).not.toBeNull();
    expect(withdrawn.deadlines).toEqual([{ kind: 'INVESTIGATION_OPINION', status: 'VOID' }, { kind: 'APPROVAL', status: 'VOID' }]);
    expect(withdrawn.history.at(-1)).toEqual({ action: 'TRANSITIONED', toState: 'WITHDRAWN', reason: '录入错误：应为另一户，已另行立案' });
    // Nothing further on it.
    expect(codes(await send(demo[CA], MOVE, { caseId, to: 'ACCEPTED', reason: '受理' }), 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
    // A rejection is the decision on the application: it meets the approval deadline.
    const rejectedId = await openCase('不符合条件的申请');
    await ok(demo[CA], MOVE, { input: { caseId: rejectedId, to: 'REJECTED', reason: '家庭收入高于标准' } }, 'caseTransition');
    expect((await demo[CA](DEADLINES, { id: rejectedId })).data.case.deadlines).toEqual([{ kind: 'INVESTIGATION_OPINION', status: 'MET' }, { kind: 'APPROVAL', status: 'MET' }]);
  });

  it('withdrawn after its deadlines passed, still reads them void, not missed', async () => {
    const caseId = await openCase('误录：重复立案，发现较晚');
    // Overdue while it stood open: 3 working days for the investigation opinion have run.
    clock.set(new Date(clock.at.getTime() + 10 * 86_400_000));
    expect((await demo[CA](DEADLINES, { id: caseId })).data.case.deadlines[0]).toEqual({ kind: 'INVESTIGATION_OPINION', status: 'OVERDUE' });
    await ok(demo[CA], MOVE, { input: { caseId, to: 'WITHDRAWN', reason: '与另一案件重复' } }, 'caseTransition');
    const withdrawn = (await demo[CA](`query($id: ID!) { case(id: $id) { state deadlines { kind status overdue { workingDays } } } }`, { id: caseId })).data.case;
    expect(withdrawn).toEqual({
      state: 'WITHDRAWN',
      deadlines: [
        { kind: 'INVESTIGATION_OPINION', status: 'VOID', overdue: null },
        { kind: 'APPROVAL', status: 'VOID', overdue: null },
      ],
    });
  });

  it('is not withdrawn once first aid was given, nor with a slip waiting for its answer', async () => {
    const aided = await openCase('已先行救助的案件', 'URGENT');
    await ok(demo[CA], MOVE, { input: { caseId: aided, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    clock.set(new Date(clock.at.getTime() + 60_000));
    await ok(demo[CA], FIRST_AID, { input: { caseId: aided, programme: 'TEMP_AID', amountFen: 50_000, cause: 'ILLNESS', beneficiaryIdNumber: WANG.grandmother, reason: '住院急需' } }, 'caseFirstAid');
    expect(codes(await send(demo[CA], MOVE, { caseId: aided, to: 'WITHDRAWN', reason: '误录' }), 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
    const forwarded = await openCase('已转办的案件');
    await ok(demo[CA], MOVE, { input: { caseId: forwarded, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    await forward(forwarded, '请核实');
    expect(codes(await send(demo[CA], MOVE, { caseId: forwarded, to: 'WITHDRAWN', reason: '误录' }), 'caseTransition')).toEqual(['REFERRALS_WITHOUT_FEEDBACK']);
  });
});

describe('a case move sent again without a key', () => {
  it('answers a transition, a first aid and a materials note sent again with the first', async () => {
    const caseId = await openCase('重复流转测试', 'URGENT');
    const move = { caseId, to: 'ACCEPTED', reason: '受理', actor: { officer: 'ca-001' } };
    expect((await send(demo[CA], MOVE, move)).data.caseTransition).toMatchObject({ case: { state: 'ACCEPTED' }, replayed: false, userErrors: [] });
    expect((await send(demo[CA], MOVE, move)).data.caseTransition).toEqual({ case: { id: caseId, state: 'ACCEPTED' }, replayed: true, userErrors: [] });
    // Another reason or another officer: refused as before.
    expect(codes(await send(demo[CA], MOVE, { ...move, reason: '再次受理' }), 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
    expect(codes(await send(demo[CA], MOVE, { ...move, actor: { officer: 'ca-002' } }), 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
    const aid = { caseId, programme: 'TEMP_AID', amountFen: 100_000, cause: 'ILLNESS', beneficiaryIdNumber: WANG.grandmother, reason: '住院急需', actor: { officer: 'ca-001' } };
    expect((await send(demo[CA], FIRST_AID, aid)).data.caseFirstAid).toMatchObject({ case: { state: 'FIRST_AID_GIVEN' }, replayed: false, userErrors: [] });
    expect((await send(demo[CA], FIRST_AID, aid)).data.caseFirstAid).toMatchObject({ case: { state: 'FIRST_AID_GIVEN' }, replayed: true, userErrors: [] });
    expect(codes(await send(demo[CA], FIRST_AID, { ...aid, amountFen: 200_000 }), 'caseFirstAid')).not.toEqual([]);
    const materials = { caseId, note: '材料已补齐', actor: { officer: 'ca-001' } };
    expect((await send(demo[CA], MATERIALS, materials)).data.caseMaterialsComplete).toMatchObject({ replayed: false, userErrors: [] });
    expect((await send(demo[CA], MATERIALS, materials)).data.caseMaterialsComplete).toMatchObject({ replayed: true, userErrors: [] });
    expect(codes(await send(demo[CA], MATERIALS, { ...materials, note: '另一说明' }), 'caseMaterialsComplete')).toEqual(['MATERIALS_ALREADY_COMPLETE']);
    expect([await events(caseId, 'TRANSITIONED'), await events(caseId, 'MATERIALS_COMPLETED')]).toEqual([2, 1]);
  });
});
