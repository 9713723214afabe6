/**
 * The alert that moves with a handed-over case (caseHandOver, db/monitoring/store.ts
 * followCaseHandOver), in the three shapes session 22 left untested, each with a household of its
 * own that moves from 任城区 to 微山县 before its case is decided:
 *
 * - taken over by civil affairs (the city's client, acting for 任城区民政局) before it was verified:
 *   civil affairs still verifies it after the move (the new county's office), yet `Alert.takenOver`
 *   read null, to 微山县 and to 任城区 (through the handed-over case) alike, and the takeover retried
 *   was ALREADY_VERIFIER, as if the move had ended it as a move to another township does;
 * - its village notice posted by 古槐街道 and still running at the hand-over: the notice passes to the
 *   new township, which reads it, records and resolves objections, and the successor is decided only
 *   after its end, the late decision on the new township's list;
 * - verified by a department (人社), not the township: it stays with that department, read as 微山县's
 *   office, which posts the notice; 任城区's no longer reaches it; the move is pushed to both counties'
 *   real receivers.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { countyClients } from './support/cases';
import { startDelivery, writeWangJobLossAlert, WANG_TOWNSHIP } from './support/alerts';
import { insertRegions, insertResident, moveHousehold, ZHAO } from './support/scenarios';
import { until } from './support/until';

jest.setTimeout(180_000);

const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`;
const VERIFY = `mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { state } case { id owner { key } } userErrors { code } } }`;
const TAKE_OVER = `mutation($i: AlertTakeOverInput!) { alertTakeOver(input: $i) { alert { verifier { key } } repeated userErrors { code } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } userErrors { code message field } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code message field } } }`;
const SUCCESSOR = `query($id: ID!) { case(id: $id) { successor { id } } }`;
const POST = `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) { notice { postedOn endsOn case { id } } userErrors { code } } }`;
const OBJECT = `mutation($i: AlertNoticeObjectionInput!) { alertNoticeObjectionRecord(input: $i) { notice { objections { id } } userErrors { code } } }`;
const RESOLVE = `mutation($i: AlertNoticeObjectionResolveInput!) { alertNoticeObjectionResolve(input: $i) { userErrors { code } } }`;
const TAKEN = `takenOver { office { key county { code } } by reason } verifier { key county { code } }`;
const ALERT = `query($id: ID!) { alert(id: $id) { id state region { code } ${TAKEN} history { action office { key county { code } } } notice { postedOn endsOn running case { id } objections { id } } } }`;
const CASE_ALERT = `query($id: ID!) { case(id: $id) { alert { id ${TAKEN} } } }`;
const LATE = `query($asOf: DateTime, $region: String) { overdueReport(asOf: $asOf, regionCode: $region) { alertsDecisionLate { id decidedOn } } }`;
const WEISHAN_TOWNSHIP = ZHAO.regionCode.slice(0, 9);

type Gql = TestHub['gql'];
type Key = 'guhuai' | 'guhuaiCases' | 'renchengCa' | 'citySupervisor' | 'weishanCa' | 'weishanTownship' | 'renchengHr' | 'renchengHrCases' | 'weishanHr';

let dbs: TestDatabases;
let hub: TestHub;
let delivery: Awaited<ReturnType<typeof startDelivery>>;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
const clients: Record<Key, Gql> = {} as never;

/** A household of its own in 古槐街道 with an open job-loss alert (verified by `verifier`). */
async function householdWithAlert(seq: number, verifier?: string): Promise<{ householdId: number; alertId: string }> {
  const { idNumber, householdId } = await insertResident(dbs, { prefix: 'ALERTMOVE', seq, birthDate: '1980-05-06' });
  const alertId = await writeWangJobLossAlert(dbs, { identity: `hand-over-alert-kinds-${seq}`, householdId, subject: idNumber, verifierOffice: verifier, now: clock.now });
  return { householdId, alertId };
}

/** The case comes to 任城区民政局's convener by a hand-over slip from the office that owns it, accepted. */
async function toConvener(issuer: Gql, caseId: string): Promise<void> {
  const slip = await ok(issuer, ISSUE, { input: { caseId, to: { department: 'CIVIL_AFFAIRS' }, ask: '移交区民政局一事一议', deadlineWorkingDays: 5, handOver: true } }, 'referralIssue');
  await ok(clients.renchengCa, ACCEPT, { input: { referralId: slip.referral.id } }, 'referralAccept');
}

/** The household moves to 微山县 and 任城区民政局 hands the case over: the successor's id. */
async function moveAndHandOver(householdId: number, caseId: string): Promise<string> {
  await moveHousehold(dbs, householdId, ZHAO.regionCode);
  const res = await ok(clients.renchengCa, HAND_OVER, { input: { caseId, reason: '户籍迁至微山县，移交微山县民政局办理' } }, 'caseHandOver');
  expect(res.case).toEqual({ id: caseId, state: 'HANDED_OVER' });
  const found = await clients.weishanCa(SUCCESSOR, { id: caseId });
  expect(found.errors).toBeUndefined();
  return found.data.case.successor.id;
}

async function read(gql: Gql, id: string) {
  const res = await gql(ALERT, { id });
  expect(res.errors).toBeUndefined();
  return res.data.alert;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over_alert_kinds');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  const specs = [
    ['guhuai', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['guhuaiCases', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['renchengCa', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['citySupervisor', '370800', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['weishanCa', '370826', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanTownship', WEISHAN_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['renchengHr', '370811', 'HUMAN_RESOURCES', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['renchengHrCases', '370811', 'HUMAN_RESOURCES', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['weishanHr', '370826', 'HUMAN_RESOURCES', ['READER', 'CASEWORKER'], 'MONITORING'],
  ] as const;
  const made = await countyClients(hub, specs);
  for (const [key, client] of Object.entries(made)) clients[key as Key] = client.gql;
  delivery = await startDelivery(dbs);
}, 300_000);

afterAll(async () => {
  await delivery?.close();
  await hub?.close();
  await dbs?.close();
}, 60_000);

describe('an alert civil affairs took over', () => {
  it('is still civil affairs’ after the hand-over, and takenOver says so to both counties', async () => {
    const { householdId, alertId } = await householdWithAlert(1);
    const reason = '逾期未签收，区民政局督办';
    const taken = await ok(clients.citySupervisor, TAKE_OVER, { i: { alertId, reason } }, 'alertTakeOver');
    expect(taken.alert.verifier).toEqual({ key: 'CIVIL_AFFAIRS' });
    await ok(clients.citySupervisor, ACK, { i: { alertId } }, 'alertAcknowledge');
    const verified = await ok(clients.citySupervisor, VERIFY, { i: { alertId, outcome: 'NEEDS_AID', reason: '入户核实，确需救助' } }, 'alertVerify');
    const caseId = verified.case.id;
    // Civil affairs' own case: its convener hands it over without a slip.
    expect(verified.case.owner).toEqual({ key: 'CIVIL_AFFAIRS' });
    const before = (await read(clients.citySupervisor, alertId)).takenOver;
    expect(before).toMatchObject({ office: { key: 'CIVIL_AFFAIRS', county: { code: '370811' } }, reason });
    await moveAndHandOver(householdId, caseId);

    const moved = await read(clients.weishanCa, alertId);
    expect(moved).toMatchObject({ state: 'VERIFIED', region: { code: ZHAO.regionCode }, verifier: { key: 'CIVIL_AFFAIRS', county: { code: '370826' } } });
    expect(moved.history.map((e: { action: string }) => e.action)).toEqual(['OPENED', 'TAKEN_OVER', 'ACKNOWLEDGED', 'VERIFIED', 'MOVED']);
    // Still taken over: the same takeover (who, when, why; the office that took it over, as its
    // history names it), while 微山县民政局 verifies it now.
    expect(moved.takenOver).toEqual(before);
    expect(moved.history[1].office).toEqual(before.office);
    // 任城区 reads it through the case it handed over: the same answer.
    const old = await clients.renchengCa(CASE_ALERT, { id: caseId });
    expect(old.errors).toBeUndefined();
    expect(old.data.case.alert).toMatchObject({ id: alertId, takenOver: before, verifier: { key: 'CIVIL_AFFAIRS', county: { code: '370826' } } });
    // The city's takeover retried after the hand-over is the takeover still in force: repeated,
    // nothing written (not ALREADY_VERIFIER, as if the move had ended it).
    const again = await ok(clients.citySupervisor, TAKE_OVER, { i: { alertId, reason } }, 'alertTakeOver');
    expect(again.repeated).toBe(true);
    expect((await read(clients.weishanCa, alertId)).history).toHaveLength(5);
  });
});

describe('a village notice running when the case is handed over', () => {
  let householdId: number;
  let alertId: string;
  let caseId: string;
  let successorId: string;

  it('passes to the new township, which reads it, takes objections and sees its end', async () => {
    ({ householdId, alertId } = await householdWithAlert(2));
    await ok(clients.guhuai, ACK, { i: { alertId } }, 'alertAcknowledge');
    const verified = await ok(clients.guhuai, VERIFY, { i: { alertId, outcome: 'NEEDS_AID', reason: '入户核实，确需救助' } }, 'alertVerify');
    caseId = verified.case.id;
    const posted = await ok(clients.guhuai, POST, { i: { alertId, measures: ['TEMPORARY_AID'], objectionContact: '古槐街道民政办', postedOn: '2026-03-16' } }, 'alertNoticePost');
    expect(posted.notice).toMatchObject({ postedOn: '2026-03-16', endsOn: '2026-03-23', case: { id: caseId } });
    await toConvener(clients.guhuaiCases, caseId);
    clock.set('2026-03-18T10:00:00+08:00');
    successorId = await moveAndHandOver(householdId, caseId);

    const moved = await read(clients.weishanTownship, alertId);
    expect(moved.verifier).toEqual({ key: WEISHAN_TOWNSHIP, county: { code: '370826' } });
    // The notice posted in 古槐 runs on, its end unchanged, preceding the successor now.
    expect(moved.notice).toEqual({ postedOn: '2026-03-16', endsOn: '2026-03-23', running: true, case: { id: successorId }, objections: [] });
    // 任城区, through the case it handed over, reads the same notice and the case it precedes.
    const old = await clients.renchengCa(`query($id: ID!) { case(id: $id) { alert { notice { endsOn case { id } } } } }`, { id: caseId });
    expect(old.errors).toBeUndefined();
    expect(old.data.case.alert.notice).toEqual({ endsOn: '2026-03-23', case: { id: successorId } });
    // Objections to it come to the new township, which records and resolves them; 古槐 no longer reaches it.
    expect(codes(await clients.guhuai(OBJECT, { i: { alertId, kind: 'FACTS_WRONG' } }), 'alertNoticeObjectionRecord')).toEqual(['ALERT_NOT_FOUND']);
    const objected = await ok(clients.weishanTownship, OBJECT, { i: { alertId, kind: 'FACTS_WRONG' } }, 'alertNoticeObjectionRecord');
    expect(objected.notice.objections).toHaveLength(1);
    await ok(clients.weishanTownship, RESOLVE, { i: { objectionId: objected.notice.objections[0].id, resolution: 'DISMISSED', reason: '经核实，家庭情况属实' } }, 'alertNoticeObjectionResolve');
    // Not decided before its end.
    await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'ACCEPTED', reason: '受理移交案件' } }, 'caseTransition');
    await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition');
    expect(codes(await clients.weishanCa(MOVE, { input: { caseId: successorId, to: 'DECIDED', reason: '决定救助' } }), 'caseTransition')).toEqual(['NOTICE_PERIOD_RUNNING']);
  });

  it('is decided after its end by the new county, the late decision on the new township’s list', async () => {
    clock.set('2026-04-02T10:00:00+08:00');
    expect((await read(clients.weishanTownship, alertId)).notice.running).toBe(false);
    const late = async (gql: Gql, region: string) => {
      const res = await gql(LATE, { asOf: clock.now().toISOString(), region });
      expect(res.errors).toBeUndefined();
      return res.data.overdueReport.alertsDecisionLate.filter((a: { id: string }) => a.id === alertId);
    };
    expect(await late(clients.weishanCa, WEISHAN_TOWNSHIP)).toEqual([{ id: alertId, decidedOn: null }]);
    expect(await late(clients.renchengCa, WANG_TOWNSHIP)).toEqual([]);
    await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'DECIDED', reason: '决定救助' } }, 'caseTransition');
    expect(await late(clients.weishanCa, WEISHAN_TOWNSHIP)).toEqual([{ id: alertId, decidedOn: '2026-04-02' }]);
    expect(await late(clients.renchengCa, WANG_TOWNSHIP)).toEqual([]);
  });
});

describe('an alert a department verifies', () => {
  let hrAlertId: string;
  let hrSuccessorId: string;

  it('stays the department’s, as the new county’s office, which posts the notice; pushed to both counties', async () => {
    clock.set('2026-03-16T10:00:00+08:00');
    const { householdId, alertId } = await householdWithAlert(3, 'HUMAN_RESOURCES');
    // The two counties' 人社 systems, each subscribed to its county's alerts.
    const { receiver: renchengReceiver } = await delivery.subscribe('alert-kinds-rencheng-hr', 'HUMAN_RESOURCES', '370811', ['370811']);
    const { receiver: weishanReceiver } = await delivery.subscribe('alert-kinds-weishan-hr', 'HUMAN_RESOURCES', '370826', ['370826']);
    expect(codes(await clients.guhuai(ACK, { i: { alertId } }), 'alertAcknowledge')).toEqual(['NOT_ALERT_VERIFIER']);
    await ok(clients.renchengHr, ACK, { i: { alertId } }, 'alertAcknowledge');
    const verified = await ok(clients.renchengHr, VERIFY, { i: { alertId, outcome: 'NEEDS_AID', reason: '失业核实，确需救助' } }, 'alertVerify');
    const caseId = verified.case.id;
    expect(verified.case.owner).toEqual({ key: 'HUMAN_RESOURCES' });
    await toConvener(clients.renchengHrCases, caseId);
    const pushedBefore = renchengReceiver.pushes.length;
    const successorId = await moveAndHandOver(householdId, caseId);

    const moved = await read(clients.weishanHr, alertId);
    expect(moved).toMatchObject({ state: 'VERIFIED', region: { code: ZHAO.regionCode }, verifier: { key: 'HUMAN_RESOURCES', county: { code: '370826' } }, takenOver: null, notice: null });
    // The verification stays 任城区人社局's act in its history.
    expect(moved.history.map((e: { action: string; office: unknown }) => [e.action, e.office])).toEqual([
      ['OPENED', null],
      ['ACKNOWLEDGED', { key: 'HUMAN_RESOURCES', county: { code: '370811' } }],
      ['VERIFIED', { key: 'HUMAN_RESOURCES', county: { code: '370811' } }],
      ['MOVED', null],
    ]);
    const input = { alertId, measures: ['EMPLOYMENT_SUPPORT'], objectionContact: '县人社局就业科', postedOn: '2026-03-16' };
    // 任城区人社局 no longer reaches it; the new township reaches it but does not verify it.
    expect(codes(await clients.renchengHr(POST, { i: input }), 'alertNoticePost')).toEqual(['ALERT_NOT_FOUND']);
    expect(codes(await clients.weishanTownship(POST, { i: input }), 'alertNoticePost')).toEqual(['NOT_ALERT_VERIFIER']);
    const posted = await ok(clients.weishanHr, POST, { i: input }, 'alertNoticePost');
    expect(posted.notice).toMatchObject({ postedOn: '2026-03-16', case: { id: successorId } });
    // Pushed as any move: ALERT_MOVED to 微山县's receiver, ALERT_MOVED_AWAY to 任城区's, the alert
    // still VERIFIED whatever they answered.
    await until('the move pushed to 微山县', async () => weishanReceiver.acknowledged(), (p) => p.some((x) => x.body.event === 'ALERT_MOVED'));
    await until('the move pushed to 任城区', async () => renchengReceiver.acknowledged(), (p) => p.some((x) => x.body.event === 'ALERT_MOVED_AWAY'));
    expect(weishanReceiver.acknowledged().map((p) => [p.body.event, p.body.alert.region, p.signatureValid])).toEqual([['ALERT_MOVED', ZHAO.regionCode, true]]);
    expect(renchengReceiver.pushes.slice(pushedBefore).map((p) => [p.body.event, p.body.alert.region])).toEqual([['ALERT_MOVED_AWAY', expect.stringMatching(/^370811/)]]);
    expect((await read(clients.weishanHr, alertId)).state).toBe('VERIFIED');
    await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'ACCEPTED', reason: '受理移交案件' } }, 'caseTransition');
    await ok(clients.weishanCa, MOVE, { input: { caseId: successorId, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition');
    expect(codes(await clients.weishanCa(MOVE, { input: { caseId: successorId, to: 'DECIDED', reason: '决定救助' } }), 'caseTransition')).toEqual(['NOTICE_PERIOD_RUNNING']);
    hrSuccessorId = successorId;
    hrAlertId = alertId;
  });

  it('is decided by the new county after its notice, the late decision on the new township’s list', async () => {
    clock.set('2026-04-03T10:00:00+08:00');
    const late = async (gql: Gql, region: string) => {
      const res = await gql(LATE, { asOf: clock.now().toISOString(), region });
      expect(res.errors).toBeUndefined();
      return res.data.overdueReport.alertsDecisionLate.filter((a: { id: string }) => a.id === hrAlertId);
    };
    expect(await late(clients.weishanCa, WEISHAN_TOWNSHIP)).toEqual([{ id: hrAlertId, decidedOn: null }]);
    expect(await late(clients.renchengCa, WANG_TOWNSHIP)).toEqual([]);
    await ok(clients.weishanCa, MOVE, { input: { caseId: hrSuccessorId, to: 'DECIDED', reason: '决定就业援助' } }, 'caseTransition');
    expect(await late(clients.weishanCa, WEISHAN_TOWNSHIP)).toEqual([{ id: hrAlertId, decidedOn: '2026-04-03' }]);
    expect(await late(clients.renchengCa, WANG_TOWNSHIP)).toEqual([]);
  });
});
