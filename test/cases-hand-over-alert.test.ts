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
 *
 * Then the alert stayed with 古槐街道: only it could post the village notice (on the board of a village
 * the household had left), 微山县's township could not reach the alert, so the successor waited on
 * the old township; `Case.alert` on the successor was null; and the alert's late decision stayed on
 * 古槐's supervision list, where nobody could act on it. Now the alert goes with the case while its
 * decision is pending: the new township posts the notice, the successor reads its alert, and the
 * decision-limit entry is the new township's.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { countyClients } from './support/cases';
import { writeWangJobLossAlert, WANG_TOWNSHIP } from './support/alerts';
import { insertRegions, insertWang, moveHousehold, WANG, ZHAO } from './support/scenarios';
import { subscribe, subscriberClient } from './alert-delivery/scenario';
import { alertDelivery } from '../db/alert-delivery/schema';
import { eq } from 'drizzle-orm';

const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`;
const VERIFY = `mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { state } case { id owner { key } } userErrors { code } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } successorReference userErrors { code message field } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code message field } } }`;
const SUCCESSOR = `query($id: ID!) { case(id: $id) { successor { id origin state owner { key county { code } } } } }`;
const CASE_ALERT = `query($id: ID!) { case(id: $id) { alert { id state } } }`;
const ALERT = `query($id: ID!) { alert(id: $id) { id state region { code } verifier { key } history { action } } }`;
const POST = `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) { notice { village postedOn endsOn case { id } } userErrors { code } } }`;
const LATE = `query($asOf: DateTime, $region: String) { overdueReport(asOf: $asOf, regionCode: $region) { alertsDecisionLate { id decidedOn } } }`;
const WEISHAN_TOWNSHIP = ZHAO.regionCode.slice(0, 9);

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let alertId: string;
let caseId: string;
let successorId: string;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
const clients: Record<'guhuai' | 'guhuaiCases' | 'renchengCa' | 'weishanCa' | 'weishanTownship', Gql> = {} as never;

async function alertDecidedOn(): Promise<string | null> {
  const [rows] = await dbs.hubPool.query(`SELECT DATE_FORMAT(decided_on, '%Y-%m-%d') AS decidedOn FROM monitoring_alert WHERE id = ?`, [alertId]);
  return (rows as { decidedOn: string | null }[])[0].decidedOn;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over_alert');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // The hub's day follows the clock: the notice is posted from the day of verification and runs its period.
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['guhuai', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['guhuaiCases', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['renchengCa', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanCa', '370826', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanTownship', WEISHAN_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
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
  await subscriberClient(dbs.hub, 'guhuai-alerts', '370811');
  await subscriberClient(dbs.hub, 'weishan-alerts', '370826');
  const guhuaiSub = await subscribe(dbs.hub, 'guhuai-alerts', 'http://127.0.0.1:9/guhuai', { regionCodes: [WANG_TOWNSHIP] });
  const weishanSub = await subscribe(dbs.hub, 'weishan-alerts', 'http://127.0.0.1:9/weishan', { regionCodes: [WEISHAN_TOWNSHIP] });
  const res = await ok(clients.renchengCa, HAND_OVER, { input: { caseId, reason: '户籍迁至微山县，移交微山县民政局办理' } }, 'caseHandOver');
  expect(res.case).toEqual({ id: caseId, state: 'HANDED_OVER' });
  const found = await clients.weishanCa(SUCCESSOR, { id: caseId });
  expect(found.errors).toBeUndefined();
  expect(found.data.case.successor).toMatchObject({ origin: 'ALERT', state: 'REPORTED', owner: { key: 'CIVIL_AFFAIRS', county: { code: '370826' } } });
  successorId = found.data.case.successor.id;
  // Handed over is not decided: the alert waits for the successor.
  expect(await alertDecidedOn()).toBeNull();
  // Its decision pending, the alert went with the case to the township the household lives in now,
  // verified as it was (the verification stays 古槐's act in its history).
  const moved = await clients.weishanTownship(ALERT, { id: alertId });
  expect(moved.errors).toBeUndefined();
  expect(moved.data.alert).toMatchObject({ id: alertId, state: 'VERIFIED', region: { code: ZHAO.regionCode }, verifier: { key: WEISHAN_TOWNSHIP } });
  expect(moved.data.alert.history.map((e: { action: string }) => e.action)).toEqual(['OPENED', 'ACKNOWLEDGED', 'VERIFIED', 'MOVED']);
  expect((await clients.guhuai(ALERT, { id: alertId })).data.alert).toBeNull();
  // Pushed as any move of an alert: to the new township's systems, and as gone to the old one's.
  const pushesOf = async (sub: typeof guhuaiSub) => (await dbs.hub.select().from(alertDelivery).where(eq(alertDelivery.subscriptionId, sub.subscription.id))).map((p) => [p.event, JSON.parse(p.payload).alert.region]);
  expect(await pushesOf(weishanSub)).toEqual([['ALERT_MOVED', ZHAO.regionCode]]);
  expect(await pushesOf(guhuaiSub)).toEqual([['ALERT_MOVED_AWAY', WANG.regionCode]]);
});

it('gives the successor the alert it carries, and the handed-over case still its own', async () => {
  const successor = await clients.weishanCa(CASE_ALERT, { id: successorId });
  expect(successor.errors).toBeUndefined();
  expect(successor.data.case.alert).toEqual({ id: alertId, state: 'VERIFIED' });
  const handedOver = await clients.renchengCa(CASE_ALERT, { id: caseId });
  expect(handedOver.errors).toBeUndefined();
  expect(handedOver.data.case.alert).toEqual({ id: alertId, state: 'VERIFIED' });
  // Read over the household's cases and their alerts, batched: the successor and the case it
  // continues together cost the hub no more than the successor alone does (fewer when the two
  // cases' own alerts fall in one batch; which batch depends on when each case's read returns, so a
  // loaded machine counted one more with an exact comparison).
  const statements = async (query: string) => {
    const res = await clients.weishanCa(query, { s: successorId, c: caseId });
    expect(res.errors).toBeUndefined();
    return res.extensions?.sqlStatements?.bySource;
  };
  const one = await statements(`query($s: ID!) { s: case(id: $s) { alert { id } } }`);
  const both = await statements(`query($s: ID!, $c: ID!) { s: case(id: $s) { alert { id } } c: case(id: $c) { alert { id } } }`);
  expect(Object.keys(one ?? {})).toEqual(['HUB']);
  expect(Object.keys(both ?? {})).toEqual(['HUB']);
  expect(both!.HUB).toBeLessThanOrEqual(one!.HUB);
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

it('has the new township post the village notice, where the household lives; the old one no longer reaches the alert', async () => {
  const input = { alertId, measures: ['TEMPORARY_AID'], objectionContact: '镇民政办', postedOn: '2026-03-16' };
  expect(codes(await clients.guhuai(POST, { i: input }), 'alertNoticePost')).toEqual(['ALERT_NOT_FOUND']);
  const posted = await ok(clients.weishanTownship, POST, { i: input }, 'alertNoticePost');
  // Before the period ran, the successor is not decided.
  expect(posted.notice).toMatchObject({ postedOn: '2026-03-16', endsOn: '2026-03-23', case: { id: successorId } });
  expect(codes(await clients.weishanCa(MOVE, { input: { caseId: successorId, to: 'DECIDED', reason: '决定救助' } }), 'caseTransition')).toEqual(['NOTICE_PERIOD_RUNNING']);
});

it('puts the alert’s late decision on the new township’s supervision list, and decides it with the successor', async () => {
  clock.set('2026-04-02T10:00:00+08:00');
  const late = async (region: string) => {
    const res = await clients.weishanCa(LATE, { asOf: clock.now().toISOString(), region });
    expect(res.errors).toBeUndefined();
    return res.data.overdueReport.alertsDecisionLate.filter((a: { id: string }) => a.id === alertId);
  };
  // Past its decideBy (31 March), pending on the successor: 微山县's to decide, not 古槐's.
  expect(await late(WEISHAN_TOWNSHIP)).toEqual([{ id: alertId, decidedOn: null }]);
  const guhuai = await clients.renchengCa(LATE, { asOf: clock.now().toISOString(), region: WANG_TOWNSHIP });
  expect(guhuai.errors).toBeUndefined();
  expect(guhuai.data.overdueReport.alertsDecisionLate.filter((a: { id: string }) => a.id === alertId)).toEqual([]);
  await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'DECIDED', reason: '决定救助' } }, 'caseTransition');
  // The day of the decision, China time (the hub's clock), late: still on the new township's list.
  expect(await alertDecidedOn()).toBe('2026-04-02');
  expect(await late(WEISHAN_TOWNSHIP)).toEqual([{ id: alertId, decidedOn: '2026-04-02' }]);
});
