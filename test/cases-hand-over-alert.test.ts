/**
 * 移交 of a case opened from a monitoring alert. The Wang household's job-loss alert is verified by
 * 古槐街道 as needing aid, which opens a case (origin ALERT) owned by the township; the township hands
 * it to 任城区民政局 (a hand-over slip, accepted), and the household moves to 微山县 before the case is
 * decided. The hand-over to 微山县 was refused CASE_OPENED_FROM_ALERT (the alert's decision hung on
 * the case), leaving the household stuck: 微山县 may not open a case beside the open one
 * (OPEN_CASE_IN_OTHER_COUNTY), 任城区 could neither hand it over nor withdraw it, only reject it (a
 * refusal the household did not earn) or decide for a household no longer its own. Now the case is
 * handed over and the alert's decision follows it: the successor is not withdrawn, is decided only
 * after the alert's village notice, and its decision or rejection is the alert's.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { countyClients } from './support/cases';
import { writeWangJobLossAlert, WANG_TOWNSHIP } from './support/alerts';
import { insertRegions, insertWang, moveHousehold, TODAY, ZHAO } from './support/scenarios';

const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`;
const VERIFY = `mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { state } case { id owner { key } } userErrors { code } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } successorReference userErrors { code message field } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code message field } } }`;
const SUCCESSOR = `query($id: ID!) { case(id: $id) { successor { id origin state owner { key county { code } } } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let alertId: string;
let caseId: string;
let successorId: string;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
const clients: Record<'guhuai' | 'guhuaiCases' | 'renchengCa' | 'weishanCa', Gql> = {} as never;

async function alertDecidedOn(): Promise<string | null> {
  const [rows] = await dbs.hubPool.query(`SELECT DATE_FORMAT(decided_on, '%Y-%m-%d') AS decidedOn FROM monitoring_alert WHERE id = ?`, [alertId]);
  return (rows as { decidedOn: string | null }[])[0].decidedOn;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over_alert');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['guhuai', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['guhuaiCases', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['renchengCa', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanCa', '370826', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;
  alertId = await writeWangJobLossAlert(dbs, { identity: 'hand-over-alert', householdId: wangId, now: clock.now });
  await ok(clients.guhuai, ACK, { i: { alertId } }, 'alertAcknowledge');
  const verified = await ok(clients.guhuai, VERIFY, { i: { alertId, outcome: 'NEEDS_AID', reason: '入户核实，确需救助' } }, 'alertVerify');
  caseId = verified.case.id;
  expect(verified.case.owner).toEqual({ key: WANG_TOWNSHIP });
  // 古槐 hands the case to 任城区民政局, which convenes (首问负责 until accepted).
  const slip = await ok(clients.guhuaiCases, ISSUE, { input: { caseId, to: { department: 'CIVIL_AFFAIRS' }, ask: '移交区民政局一事一议', deadlineWorkingDays: 5, handOver: true } }, 'referralIssue');
  await ok(clients.renchengCa, ACCEPT, { input: { referralId: slip.referral.id } }, 'referralAccept');
  await moveHousehold(dbs, wangId, ZHAO.regionCode);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('hands the case over, the alert’s decision pending on the successor', async () => {
  const res = await ok(clients.renchengCa, HAND_OVER, { input: { caseId, reason: '户籍迁至微山县，移交微山县民政局办理' } }, 'caseHandOver');
  expect(res.case).toEqual({ id: caseId, state: 'HANDED_OVER' });
  const found = await clients.weishanCa(SUCCESSOR, { id: caseId });
  expect(found.errors).toBeUndefined();
  expect(found.data.case.successor).toMatchObject({ origin: 'ALERT', state: 'REPORTED', owner: { key: 'CIVIL_AFFAIRS', county: { code: '370826' } } });
  successorId = found.data.case.successor.id;
  // Handed over is not decided: the alert waits for the successor.
  expect(await alertDecidedOn()).toBeNull();
});

it('keeps the alert’s rules on the successor: not withdrawn, decided only after the village notice', async () => {
  const ca = clients.weishanCa;
  await ok(ca, MOVE, { input: { caseId: successorId, to: 'ACCEPTED', reason: '受理移交案件' } }, 'caseTransition');
  expect(codes(await ca(MOVE, { input: { caseId: successorId, to: 'WITHDRAWN', reason: '误录' } }), 'caseTransition')).toEqual(['CASE_OPENED_FROM_ALERT']);
  await ok(ca, MOVE, { input: { caseId: successorId, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition');
  const decided = await ca(MOVE, { input: { caseId: successorId, to: 'DECIDED', reason: '决定救助' } });
  expect(codes(decided, 'caseTransition')).toEqual(['NOTICE_REQUIRED']);
  expect(decided.data.caseTransition.userErrors[0].message).toContain(`alert ${alertId}`);
  expect(await alertDecidedOn()).toBeNull();
});

it('records the successor’s rejection as the alert’s decision', async () => {
  await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'REJECTED', reason: '经核实家庭收入已超过救助标准' } }, 'caseTransition');
  // The day of the rejection, China time (the hub's clock).
  expect(await alertDecidedOn()).toBe('2026-03-16');
});
