/**
 * Prose of a case that other offices read (a case's summary and reasons, a slip's ask, note,
 * feedback and decline reason, a waiver's reason, a meeting's notes and a decision's ask) carrying a
 * mobile number or a bank card is refused, IDENTIFYING_NUMBER, naming the field and the number
 * masked (138****5678, ****7890), and nothing is written; dates, amounts, document numbers and what
 * it tells of health pass. A retry of a write made before the screen (its key, or without one the
 * same write just made) is answered as the retry it is. The hub's log holds none of the numbers.
 * Real hub, real database, the demo's own clients (access/demo-clients.ts), the log captured.
 */
import { and, eq } from 'drizzle-orm';
import { DEMO_CLIENTS } from '../access/demo-clients';
import { apiClient } from '../db/access/schema';
import { caseEvent, referralSlip } from '../db/cases/schema';
import { transitionCase } from '../db/cases/store';
import { answerReferral, issueReferral } from '../db/cases/referrals';
import type { TestDatabases } from './support/databases';
import type { TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { minuteApart, startDemoCaseHub, type DemoCaseHub } from './support/cases';
import { capturedLog } from './support/log-lines';
import { okPayload as ok } from './support/payloads';
import { WANG } from './support/scenarios';

const ERRORS = `userErrors { code field message found }`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id summary } replayed ${ERRORS} } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } replayed ${ERRORS} } }`;
const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { id } replayed ${ERRORS} } }`;
const MATERIALS = `mutation($input: CaseMaterialsCompleteInput!) { caseMaterialsComplete(input: $input) { case { id } replayed ${ERRORS} } }`;
const SLIP = `referral { id state ask feedback declineReason } replayed ${ERRORS}`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`;
const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { superseded { id } issued { id } replayed ${ERRORS} } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { notes decisions { id ask } } replayed ${ERRORS} } }`;

type Gql = TestHub['gql'];

const MOBILE = '13905371234';
const CARD = '6222 0216 0700 1234 567';
/** Every number refused here, as digits: none may reach the log, joined or in the groups it was sent in. */
const CLEAR = [MOBILE, '6222021607001234567', '6222023234567890'];
/**
 * What passes: a document number, amounts, dates and times, a list of periods, a settlement number
 * in groups of four, an office's landline, and what a case tells of health.
 */
const FINE =
  '依据鲁民〔2026〕12号，2026-03-16入户核实，因病住院自付500元，已纳入医疗救助；17:30 2026.3.16 入户核实，自付/报销：13,500.00/2,000.00，' +
  '金额 1500 2000 3000 5000，第 1 2 3 4 5 6 7 8 9 10 11 12 13 期，结算 3708 1100 0020 2602 2100 0012 3456，咨询 0537-2345678';

/** Health's decision of ¥500 of medical aid for 王's grandmother. */
const DECISION = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother };

let dbs: TestDatabases;
let hub: TestHub;
let setup: DemoCaseHub;
let wangId: number;
const log = capturedLog('debug');
const demo: Record<string, Gql> = {};
const clock = new TestClock('2026-03-16T09:00:00+08:00');
const CA = 'AIDHUB_TOKEN_370811_CIVIL_AFFAIRS';
const HEALTH = 'AIDHUB_TOKEN_370811_HEALTH';

/** Each request a minute after the last, as an officer's would be. */
const send = minuteApart(clock);

async function eventCount(): Promise<number> {
  return (await dbs.hub.select({ id: caseEvent.id }).from(caseEvent)).length;
}

async function actions(caseId: string): Promise<string[]> {
  return (await dbs.hub.select({ action: caseEvent.action }).from(caseEvent).where(eq(caseEvent.caseId, Number(caseId))).orderBy(caseEvent.seq)).map((e) => e.action);
}

/** The refusal of `field` for what was found, masked: the message names it, and no clear number. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function refused(res: any, mutation: string, field: string[], found: string) {
  expect(res.errors).toBeUndefined();
  const errors = res.data[mutation].userErrors as { code: string; field: string[]; message: string; found: string }[];
  expect(errors).toEqual([{ code: 'IDENTIFYING_NUMBER', field, message: expect.stringContaining(found), found }]);
  for (const n of CLEAR) expect(errors[0].message).not.toContain(n);
}

/** The refusal of `field` for the invisible character at `codePoint`, which the message names. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function hidden(res: any, mutation: string, field: string[], codePoint: string) {
  expect(res.errors).toBeUndefined();
  expect(res.data[mutation].userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field, message: expect.stringContaining(codePoint), found: null }]);
}

async function openCase(summary: string, urgency = 'NORMAL'): Promise<string> {
  return (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency, summary } }, 'caseOpen')).case.id;
}

async function accepted(summary: string, urgency = 'NORMAL'): Promise<string> {
  const caseId = await openCase(summary, urgency);
  await ok(demo[CA], MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  return caseId;
}

async function forward(caseId: string, ask: string): Promise<string> {
  const res = await send(demo[CA], ISSUE, { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 5 });
  expect(res.data.referralIssue.userErrors).toEqual([]);
  return res.data.referralIssue.referral.id;
}

beforeAll(async () => {
  setup = await startDemoCaseHub('case_prose_numbers', clock.now, log.logger);
  ({ dbs, hub, wangId } = setup);
  Object.assign(demo, setup.demo);
});

afterAll(() => setup?.close());

describe('a case’s prose', () => {
  it('refuses a mobile or a card in a summary, a reason, a first aid’s reason or a materials note, naming it masked; writes nothing; lets dates, amounts, document numbers and health pass', async () => {
    const before = await eventCount();
    refused(await send(demo[CA], OPEN, { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: `户主来电 ${MOBILE} 申请临时救助` }), 'caseOpen', ['input', 'summary'], '139****1234');
    refused(await send(demo[CA], OPEN, { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '户主来电 一三九〇五三七一二三四' }), 'caseOpen', ['input', 'summary'], '139****1234');
    expect(await eventCount()).toBe(before);
    const opened = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: FINE } }, 'caseOpen')).case;
    expect(opened.summary).toBe(FINE);
    const caseId = opened.id;
    refused(await send(demo[CA], MOVE, { caseId, to: 'ACCEPTED', reason: `救助金打入 ${CARD}` }), 'caseTransition', ['input', 'reason'], '****4567');
    refused(await send(demo[CA], MOVE, { caseId, to: 'ACCEPTED', reason: '救助金打入 6222-0232-3456-7890', idempotencyKey: 'card-1' }), 'caseTransition', ['input', 'reason'], '****7890');
    expect(await actions(caseId)).toEqual(['OPENED']);
    await ok(demo[CA], MOVE, { input: { caseId, to: 'ACCEPTED', reason: FINE } }, 'caseTransition');
    const firstAid = { caseId, programme: 'TEMP_AID', amountFen: 50_000, cause: 'ILLNESS', beneficiaryIdNumber: WANG.grandmother };
    refused(await send(demo[CA], FIRST_AID, { ...firstAid, reason: `住院急需，家属电话 ${MOBILE}` }), 'caseFirstAid', ['input', 'reason'], '139****1234');
    expect((await send(demo[CA], FIRST_AID, { ...firstAid, reason: FINE })).data.caseFirstAid.userErrors).toEqual([]);
    refused(await send(demo[CA], MATERIALS, { caseId, note: `材料已补齐，联系 139-0537-1234` }), 'caseMaterialsComplete', ['input', 'note'], '139****1234');
    expect((await send(demo[CA], MATERIALS, { caseId, note: FINE })).data.caseMaterialsComplete.userErrors).toEqual([]);
    expect(await actions(caseId)).toEqual(['OPENED', 'TRANSITIONED', 'TRANSITIONED', 'MATERIALS_COMPLETED']); // accepted, first aid given, materials
  });

  it('refuses a mobile or a card in a slip’s ask, note, feedback or decline reason; the slip is not issued or answered', async () => {
    const caseId = await accepted('转办测试');
    const issue = { caseId, to: { department: 'HEALTH' }, deadlineWorkingDays: 5 };
    refused(await send(demo[CA], ISSUE, { ...issue, ask: `请联系患者 ${MOBILE} 核实报销` }), 'referralIssue', ['input', 'ask'], '139****1234');
    expect((await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).length).toBe(0);
    const slip = await forward(caseId, FINE);
    refused(await send(demo[HEALTH], ACCEPT, { referralId: slip, note: `已收到，经办人 ${MOBILE}` }), 'referralAccept', ['input', 'note'], '139****1234');
    expect((await send(demo[HEALTH], ACCEPT, { referralId: slip, note: FINE })).data.referralAccept.userErrors).toEqual([]);
    refused(await send(demo[HEALTH], COMPLETE, { referralId: slip, feedback: `已报销，打入卡号 ${CARD}` }), 'referralComplete', ['input', 'feedback'], '****4567');
    const done = await send(demo[HEALTH], COMPLETE, { referralId: slip, feedback: FINE });
    expect(done.data.referralComplete).toMatchObject({ referral: { state: 'COMPLETED', feedback: FINE }, userErrors: [] });
    const other = await forward(caseId, '请核实');
    refused(await send(demo[HEALTH], DECLINE, { referralId: other, reason: `请直接联系 ${MOBILE}` }), 'referralDecline', ['input', 'reason'], '139****1234');
    expect((await send(demo[HEALTH], DECLINE, { referralId: other, reason: FINE })).data.referralDecline).toMatchObject({ referral: { state: 'DECLINED', declineReason: FINE }, userErrors: [] });
  });

  it('refuses a mobile in a meeting’s notes or a decision’s ask, in a correction’s reason and in a waiver’s reason', async () => {
    const caseId = await openCase('会议测试');
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(demo[CA], MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother, conflictOverrideReason: '测试' };
    const meeting = { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision] };
    refused(await send(demo[CA], MEETING, { ...meeting, notes: `会上联系户主 ${MOBILE}` }), 'meetingRecord', ['input', 'notes'], '139****1234');
    refused(await send(demo[CA], MEETING, { ...meeting, decisions: [{ ...decision, ask: `打入 ${CARD}` }] }), 'meetingRecord', ['input', 'decisions', '0', 'ask'], '****4567');
    expect(await actions(caseId)).toEqual(['OPENED', 'TRANSITIONED', 'TRANSITIONED', 'TRANSITIONED']);
    const held = await send(demo[CA], MEETING, { ...meeting, notes: FINE, decisions: [{ ...decision, ask: FINE }] });
    expect(held.data.meetingRecord).toMatchObject({ meeting: { notes: FINE, decisions: [{ ask: FINE }] }, userErrors: [] });
    const slip = held.data.meetingRecord.meeting.decisions[0].id;
    // A correction's reason, and a withdrawal's, which the slip's office reads.
    const withdrawn = await send(demo[CA], CORRECT, { caseId, reason: `户主 ${MOBILE} 来电要求撤回`, changes: [{ referralId: slip }] });
    expect(withdrawn.data.decisionCorrect).toMatchObject({ superseded: [], issued: [], replayed: false });
    refused(withdrawn, 'decisionCorrect', ['input', 'reason'], '139****1234');
    expect(await actions(caseId)).not.toContain('DECISION_CORRECTED');
    expect((await send(demo[HEALTH], DECLINE, { referralId: slip, reason: '已足额报销' })).data.referralDecline.userErrors).toEqual([]);
    refused(await send(demo[CA], WAIVE, { referralId: slip, reason: `户主 ${MOBILE} 同意免除` }), 'referralWaive', ['input', 'reason'], '139****1234');
    expect((await send(demo[CA], WAIVE, { referralId: slip, reason: FINE })).data.referralWaive.userErrors).toEqual([]);
  });
});

describe('prose the screen reads further', () => {
  /** Health's decision of ¥500 for the grandmother on a new case of 王's, accepted by health: the case and the slip. */
  async function decidedAndAccepted(summary: string): Promise<{ caseId: string; slip: string }> {
    const caseId = await openCase(summary);
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(demo[CA], MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const held = await send(demo[CA], MEETING, { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [{ ...DECISION, conflictOverrideReason: FINE }] });
    expect(held.data.meetingRecord.userErrors).toEqual([]);
    const slip = held.data.meetingRecord.meeting.decisions[0].id;
    expect((await send(demo[HEALTH], ACCEPT, { referralId: slip, note: FINE })).data.referralAccept.userErrors).toEqual([]);
    return { caseId, slip };
  }

  it('refuses a mobile in a decision’s conflictOverrideReason and in a completion’s differenceReason; nothing is written', async () => {
    const caseId = await openCase('超出部分说明测试');
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(demo[CA], MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const meeting = { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'] };
    refused(await send(demo[CA], MEETING, { ...meeting, decisions: [{ ...DECISION, conflictOverrideReason: `户主 ${MOBILE} 确认非重复` }] }), 'meetingRecord', ['input', 'decisions', '0', 'conflictOverrideReason'], '139****1234');
    expect(await actions(caseId)).toEqual(['OPENED', 'TRANSITIONED', 'TRANSITIONED', 'TRANSITIONED']);
    const slip = await forward(caseId, FINE);
    await ok(demo[HEALTH], ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    refused(await send(demo[HEALTH], COMPLETE, { referralId: slip, feedback: FINE, differenceReason: `余额打入 ${CARD}` }), 'referralComplete', ['input', 'differenceReason'], '****4567');
    expect((await send(demo[HEALTH], COMPLETE, { referralId: slip, feedback: FINE, differenceReason: FINE })).data.referralComplete).toMatchObject({ referral: { state: 'COMPLETED' }, userErrors: [] });
  });

  it('refuses an invisible or formatting character in a case’s, a slip’s or a meeting’s prose, TEXT_INVISIBLE_CHARACTER naming its code point, as an alert’s; nothing is written', async () => {
    const before = await eventCount();
    // A number split by zero-width spaces: a reader sees 13905371234.
    hidden(await send(demo[CA], OPEN, { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '户主来电 139\u200b0537\u200b1234 申请临时救助' }), 'caseOpen', ['input', 'summary'], 'U+200B');
    // The same with an ID number in it: masking it changes only the number, so the zero-width space
    // beside other words is still there to be refused (it was dropped with the masking, and stored).
    for (const summary of ['申请临时\u200b救助', `申请人 ${WANG.grandmother} 申请临时\u200b救助`]) {
      hidden(await send(demo[CA], OPEN, { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary }), 'caseOpen', ['input', 'summary'], 'U+200B');
    }
    expect(await eventCount()).toBe(before);
    const caseId = await openCase('隐藏字符测试');
    hidden(await send(demo[CA], MOVE, { caseId, to: 'ACCEPTED', reason: '受理\u200f，已核实' }), 'caseTransition', ['input', 'reason'], 'U+200F');
    await ok(demo[CA], MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    hidden(await send(demo[CA], ISSUE, { caseId, to: { department: 'HEALTH' }, ask: '请核实\u2060报销情况', deadlineWorkingDays: 5 }), 'referralIssue', ['input', 'ask'], 'U+2060');
    expect((await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).length).toBe(0);
    for (const to of ['INVESTIGATING', 'IN_DELIBERATION']) await ok(demo[CA], MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const meeting = { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [{ ...DECISION, conflictOverrideReason: FINE }] };
    hidden(await send(demo[CA], MEETING, { ...meeting, notes: '会议\ufeff纪要' }), 'meetingRecord', ['input', 'notes'], 'U+FEFF');
    expect(await actions(caseId)).toEqual(['OPENED', 'TRANSITIONED', 'TRANSITIONED', 'TRANSITIONED']);
    // Line breaks and tabs are prose's own.
    expect((await send(demo[CA], MEETING, { ...meeting, notes: '一、核实情况\n\t二、议定事项' })).data.meetingRecord.userErrors).toEqual([]);
  });

  it('keeps the joiners a script needs: a summary in traditional Mongolian with its vowel separator, a Uyghur reason with a non-joiner, are taken and stored as written; the separator between digits is refused', async () => {
    // ᠬᠠᠷ᠎ᠠ ᠮᠠᠯ (black livestock): U+180E is how the word is spelt.
    const summary = '牧民 ᠬᠠᠷ\u180eᠠ ᠮᠠᠯ 雪灾损失，申请临时救助 👨\u200d👩\u200d👧';
    const opened = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case;
    expect(opened.summary).toBe(summary);
    const reason = 'ئابدۇ\u200cرەھىم ئائىلىسى تەكشۈرۈلدى';
    await ok(demo[CA], MOVE, { input: { caseId: opened.id, to: 'ACCEPTED', reason } }, 'caseTransition');
    const [stored] = await dbs.hub.select({ reason: caseEvent.reason }).from(caseEvent).where(and(eq(caseEvent.caseId, Number(opened.id)), eq(caseEvent.action, 'TRANSITIONED')));
    expect(stored.reason).toBe(reason);
    hidden(await send(demo[CA], MOVE, { caseId: opened.id, to: 'INVESTIGATING', reason: '户主来电 139\u180e0537\u200d1234' }), 'caseTransition', ['input', 'reason'], 'U+180E');
  });

  it('refuses a number before the write’s own checks: a meeting on a case not in deliberation, a completion with an aid record the department does not hold', async () => {
    const opened = await openCase('先审文字测试');
    refused(await send(demo[CA], MEETING, { caseId: opened, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [], notes: `会上联系户主 ${MOBILE}` }), 'meetingRecord', ['input', 'notes'], '139****1234');
    const { slip } = await decidedAndAccepted('先审文字测试二');
    refused(await send(demo[HEALTH], COMPLETE, { referralId: slip, feedback: `已报销，联系 ${MOBILE}`, aidSourceReference: 'MA-NO-SUCH-1' }), 'referralComplete', ['input', 'feedback'], '139****1234');
    // Without the number, the record is what is wrong.
    const unknown = await send(demo[HEALTH], COMPLETE, { referralId: slip, feedback: FINE, aidSourceReference: 'MA-NO-SUCH-1' });
    expect(unknown.data.referralComplete.userErrors.map((e: { code: string }) => e.code)).toEqual(['AID_RECORD_NOT_FOUND']);
  });
});

describe('a retry of a write made before the screen', () => {
  /** The demo client as a case write names it (db/cases/write.ts): its name, its office (a county client acts for its department), its id. */
  async function writer(variable: string) {
    const name = DEMO_CLIENTS.find((c) => c.variable === variable)!.name;
    const [row] = await hub.accessDb.select({ id: apiClient.id }).from(apiClient).where(eq(apiClient.name, name));
    return { name, id: row.id };
  }

  it('is answered with its first outcome, keyed or not; another write with a number is refused', async () => {
    const ca = await writer(CA);
    const caseId = await openCase('重试测试');
    const reason = `受理，户主电话 ${MOBILE}`;
    // Accepted as before the screen: straight into the store as the resolver then wrote it.
    clock.set(new Date(clock.at.getTime() + 60_000));
    const meta = { actor: { officer: ca.name, office: 'CIVIL_AFFAIRS' }, occurredAt: null, idempotencyKey: null, now: clock.now() };
    expect((await transitionCase(dbs.hub, Number(caseId), 'ACCEPTED', reason, meta)).ok).toBe(true);
    const before = await eventCount();
    const again = await send(demo[CA], MOVE, { caseId, to: 'ACCEPTED', reason });
    expect(again.data.caseTransition).toEqual({ case: { id: caseId, state: 'ACCEPTED' }, replayed: true, userErrors: [] });
    // Another such move is no retry: refused by the screen.
    refused(await send(demo[CA], MOVE, { caseId, to: 'INVESTIGATING', reason }), 'caseTransition', ['input', 'reason'], '139****1234');

    // Keyed: a slip issued with its key before the screen is answered under that key.
    const issued = { caseId: Number(caseId), to: 'HEALTH', ask: `请联系 ${MOBILE}`, deadlineWorkingDays: 5, handOver: false };
    clock.set(new Date(clock.at.getTime() + 60_000));
    const first = await issueReferral(dbs.hub, issued, { ...meta, idempotencyKey: 'slip-1', keyClientId: ca.id, now: clock.now() });
    expect(first.ok).toBe(true);
    const retried = await send(demo[CA], ISSUE, { caseId, to: { department: 'HEALTH' }, ask: issued.ask, deadlineWorkingDays: 5, idempotencyKey: 'slip-1' });
    expect(retried.data.referralIssue).toMatchObject({ referral: { state: 'ISSUED', ask: issued.ask }, replayed: true, userErrors: [] });
    refused(await send(demo[CA], ISSUE, { caseId, to: { department: 'HEALTH' }, ask: issued.ask, deadlineWorkingDays: 5, idempotencyKey: 'slip-2' }), 'referralIssue', ['input', 'ask'], '139****1234');

    // An answer made before the screen, sent again without a key.
    const health = await writer(HEALTH);
    const slip = retried.data.referralIssue.referral.id;
    clock.set(new Date(clock.at.getTime() + 60_000));
    const answer = await answerReferral(dbs.hub, Number(slip), 'DECLINE', { text: `请直接联系 ${MOBILE}`, aidSourceRef: null }, { actor: { officer: health.name, office: 'HEALTH' }, occurredAt: null, idempotencyKey: null, now: clock.now() });
    expect(answer.ok).toBe(true);
    expect((await send(demo[HEALTH], DECLINE, { referralId: slip, reason: `请直接联系 ${MOBILE}` })).data.referralDecline).toMatchObject({ referral: { state: 'DECLINED' }, replayed: true, userErrors: [] });
    expect(await eventCount()).toBe(before + 2);
    expect(await dbs.hub.select().from(caseEvent).where(and(eq(caseEvent.caseId, Number(caseId)), eq(caseEvent.action, 'TRANSITIONED')))).toHaveLength(1);
  });
});

describe('the hub’s log', () => {
  it('holds none of the numbers refused, in clear', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    // Separators between digits left out, so that a number logged as sent (6222 0216 …, 139-0537-1234) is found too.
    const logged = JSON.stringify(log.lines).replace(/(?<=\d)[\s\p{Pd}.·・]{1,3}(?=\d)/gu, '');
    for (const n of CLEAR) expect(logged).not.toContain(n);
  });
});
