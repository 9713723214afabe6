/**
 * A hand-over slip hands its case on only from the office that issued it, while that office still owns
 * the case (首问负责: the owner keeps a case until it hands it on), on a real hub database. Found by
 * trying the hub as an unseen client: 任城区民政局 issued two hand-overs of one case, to 古槐街道 and to
 * 任城区医保局 (a health office with a caseworker client); the health office accepted and owned the
 * case, then the township accepted the other slip and the case was the township's, its history saying
 * `HEALTH → 370811001` though the health office never handed it on. Likewise a hand-over the township
 * issued before it forwarded the case to the county for approval took the case from the county office
 * when accepted. Now such an acceptance is refused HAND_OVER_LAPSED (the case stays with its owner,
 * the slip waits) and the receiving office declines it; two hand-overs accepted at the same moment
 * make one owner, not two in turn.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { caseOpened, countyClients } from './support/cases';
import { insertRegions, insertWang } from './support/scenarios';
import { verifyCaseSeals } from '../db/cases/seals';

const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`;
const SLIP = `referral { id state } case { owner { key } } userErrors { code field }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const FORWARD = `mutation($input: CaseForwardForApprovalInput!) { caseForwardForApproval(input: $input) { case { owner { key } } userErrors { code } } }`;
const CASE = `query($id: ID!) { case(id: $id) { owner { key } referrals { id state } history { action reason } } }`;

const TOWNSHIP = '370811001';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const clock = new TestClock('2026-03-02T09:00:00+08:00');
type Caller = ReturnType<TestHub['as']>;
let township: Caller;
let county: Caller;
let health: Caller;

/** A case of the Wang household opened and accepted by `who`, whose office owns it. */
async function openCase(who: Caller, summary: string): Promise<string> {
  const id = await caseOpened(who.gql, wangId, summary, '2026-03-02T09:00:00+08:00');
  await ok(who.gql, MOVE, { input: { caseId: id, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  return id;
}

const handOver = async (who: Caller, caseId: string, to: Record<string, string>, ask: string): Promise<string> =>
  (await ok(who.gql, ISSUE, { input: { caseId, to, ask, deadlineWorkingDays: 3, handOver: true } }, 'referralIssue')).referral.id;

async function caseNow(caseId: string) {
  const res = await county.gql(CASE, { id: caseId });
  expect(res.errors).toBeUndefined();
  const c = res.data.case;
  return { owner: c.owner.key, slips: c.referrals, ownerChanges: c.history.filter((e: { action: string }) => e.action === 'OWNER_CHANGED').map((e: { reason: string }) => e.reason) };
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over_lapsed');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: '2026-03-02', purpose: 'CASE_MEETING', clock: clock.now });
  ({ township, county, health } = await countyClients(hub, [
    ['township', TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['county', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    // A health office whose system may own cases (a caseworker client), as a deployment may give one.
    ['health', '370811', 'HEALTH', ['READER', 'CASEWORKER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('a second hand-over of the same owner does not take the case from the office the first one made its owner: refused, the slip declined', async () => {
  const caseId = await openCase(county, '两份移交单');
  const toTownship = await handOver(county, caseId, { township: TOWNSHIP }, '请街道接办');
  const toHealth = await handOver(county, caseId, { department: 'HEALTH' }, '请医保局接办');
  expect((await ok(health.gql, ACCEPT, { input: { referralId: toHealth } }, 'referralAccept')).case.owner).toEqual({ key: 'HEALTH' });

  // The township's slip came from 任城区民政局, which no longer owns the case: it hands nothing on.
  const refused = await township.gql(ACCEPT, { input: { referralId: toTownship } });
  expect(refused.data.referralAccept.userErrors).toEqual([{ code: 'HAND_OVER_LAPSED', field: ['input', 'referralId'] }]);
  expect(refused.data.referralAccept.referral).toBeNull();
  expect(await caseNow(caseId)).toEqual({
    owner: 'HEALTH',
    slips: [
      { id: toTownship, state: 'ISSUED' },
      { id: toHealth, state: 'COMPLETED' },
    ],
    ownerChanges: ['CIVIL_AFFAIRS → HEALTH'],
  });
  // The township declines it; the health office goes on with the case.
  expect((await ok(township.gql, DECLINE, { input: { referralId: toTownship, reason: '案件已由医保局接办' } }, 'referralDecline')).referral.state).toBe('DECLINED');
  expect((await caseNow(caseId)).owner).toBe('HEALTH');
  expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true });
});

it('a hand-over the township issued before forwarding the case to the county for approval does not take it from the county office', async () => {
  const caseId = await openCase(township, '申请最低生活保障');
  await ok(township.gql, MOVE, { input: { caseId, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition');
  const toHealth = await handOver(township, caseId, { department: 'HEALTH' }, '请医保局接办');
  const forwarded = await ok(township.gql, FORWARD, { input: { caseId, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: '经入户调查，符合低保条件，建议审批' } }, 'caseForwardForApproval');
  expect(forwarded.case.owner).toEqual({ key: 'CIVIL_AFFAIRS' });
  expect(codes(await health.gql(ACCEPT, { input: { referralId: toHealth } }), 'referralAccept')).toEqual(['HAND_OVER_LAPSED']);
  expect(await caseNow(caseId)).toMatchObject({ owner: 'CIVIL_AFFAIRS', slips: [{ id: toHealth, state: 'ISSUED' }], ownerChanges: [`${TOWNSHIP} → CIVIL_AFFAIRS`] });
});

it('two hand-overs accepted at the same moment: one office owns the case, the other is refused', async () => {
  const caseId = await openCase(county, '同时接办');
  const toTownship = await handOver(county, caseId, { township: TOWNSHIP }, '请街道接办');
  const toHealth = await handOver(county, caseId, { department: 'HEALTH' }, '请医保局接办');
  const [a, b] = await Promise.all([township.gql(ACCEPT, { input: { referralId: toTownship } }), health.gql(ACCEPT, { input: { referralId: toHealth } })]);
  const outcomes = [a.data.referralAccept.userErrors.map((e: { code: string }) => e.code), b.data.referralAccept.userErrors.map((e: { code: string }) => e.code)];
  expect(outcomes.flat()).toEqual(['HAND_OVER_LAPSED']);
  const now = await caseNow(caseId);
  expect(now.ownerChanges).toHaveLength(1);
  expect(now.owner).toBe(outcomes[0].length === 0 ? TOWNSHIP : 'HEALTH');
});

it('a hand-over of its owner is accepted as before, and again after the case came back to that owner', async () => {
  const caseId = await openCase(county, '移交后收回');
  const first = await handOver(county, caseId, { township: TOWNSHIP }, '请街道接办');
  const stale = await handOver(county, caseId, { department: 'HEALTH' }, '请医保局接办');
  expect((await ok(township.gql, ACCEPT, { input: { referralId: first } }, 'referralAccept')).case.owner).toEqual({ key: TOWNSHIP });
  const back = await handOver(township, caseId, { department: 'CIVIL_AFFAIRS' }, '退回区民政局');
  expect((await ok(county.gql, ACCEPT, { input: { referralId: back } }, 'referralAccept')).case.owner).toEqual({ key: 'CIVIL_AFFAIRS' });
  // 任城区民政局 owns the case again: its slip to the health office hands it on.
  expect((await ok(health.gql, ACCEPT, { input: { referralId: stale } }, 'referralAccept')).case.owner).toEqual({ key: 'HEALTH' });
  expect((await caseNow(caseId)).ownerChanges).toEqual([`CIVIL_AFFAIRS → ${TOWNSHIP}`, `${TOWNSHIP} → CIVIL_AFFAIRS`, 'CIVIL_AFFAIRS → HEALTH']);
});
