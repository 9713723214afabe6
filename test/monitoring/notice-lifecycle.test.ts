/**
 * The village notice's life after posting, through a real hub: an objection holds up the decision
 * until the township resolves it (NOTICE_OBJECTION_UNRESOLVED), and one upheld keeps holding it up
 * (NOTICE_OBJECTION_UPHELD) until the notice is withdrawn (alertNoticeWithdraw, with a reason) and a
 * corrected notice (更正公示) has run a new period; Alert.notices lists both. A notice could be
 * posted and objected to, but neither withdrawn nor its objections resolved, and an objection held
 * nothing up. Every refusal has its code: withdrawn twice, resolved twice, on a withdrawn notice,
 * after the decision, by an office that is not the alert's verifier. Alert.notice is the notice in
 * force (null while the last is withdrawn), and once an alert has more than one notice a withdrawal
 * names the one meant (NOTICE_ID_REQUIRED): unnamed, a retry of the first withdrawal withdrew the
 * correction.
 */
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { writeWangJobLossAlert } from '../support/alerts';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let alertId: string;
let caseId: string;
let officerName: string;
let township: ReturnType<TestHub['as']>;
let townshipCases: ReturnType<TestHub['as']>;
let county: ReturnType<TestHub['as']>;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const TOWNSHIP = WANG.regionCode.slice(0, 9);

const NOTICE_FIELDS = `id postedOn endsOn running correction text withdrawn { by reason } objections { id kind resolution resolutionReason resolvedBy }`;
const POST = `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) { notice { ${NOTICE_FIELDS} } repeated userErrors { code field } } }`;
const WITHDRAW = `mutation($i: AlertNoticeWithdrawInput!) { alertNoticeWithdraw(input: $i) { notice { ${NOTICE_FIELDS} } repeated userErrors { code field } } }`;
const OBJECT = `mutation($i: AlertNoticeObjectionInput!) { alertNoticeObjectionRecord(input: $i) { notice { ${NOTICE_FIELDS} } repeated userErrors { code field } } }`;
const RESOLVE = `mutation($i: AlertNoticeObjectionResolveInput!) { alertNoticeObjectionResolve(input: $i) { objection { id resolution resolutionReason resolvedBy } notice { id } repeated userErrors { code field } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code field message } } }`;
const NOTICE = { measures: ['MONITORING_ENROLMENT', 'TEMPORARY_AID'], objectionContact: '古槐街道办事处民政办' };

const post = (i: Record<string, unknown> = {}) => township.gql(POST, { i: { alertId, ...NOTICE, ...i } });
const withdraw = (i: Record<string, unknown>, as = township) => as.gql(WITHDRAW, { i: { alertId, ...i } });
const object = (i: Record<string, unknown> = {}) => township.gql(OBJECT, { i: { alertId, kind: 'FACTS_WRONG', ...i } });
const resolve = (i: Record<string, unknown>, as = township) => as.gql(RESOLVE, { i });
const decide = async () => (await townshipCases.gql(MOVE, { input: { caseId, to: 'DECIDED', reason: '决定' } })).data.caseTransition;
const count = async (sql: string) => Number(((await dbs.hubPool.query(sql))[0] as { n: number }[])[0].n);

beforeAll(async () => {
  dbs = await createTestDatabases('notice_lifecycle');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  alertId = await writeWangJobLossAlert(dbs, { identity: 'notice-lifecycle', householdId: wangId, now: clock.now });
  hub = await startTestHub(dbs, { purpose: 'MONITORING', clock: clock.now, client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] } });
  const client = await hub.createClient({ regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER'] });
  officerName = client.name;
  township = hub.as({ token: client.token, purpose: 'MONITORING' });
  townshipCases = hub.as({ token: client.token, purpose: 'CASE_MEETING' });
  const c = await hub.createClient({ regionScope: '370811', roles: ['READER', 'CASEWORKER'] });
  county = hub.as({ token: c.token, purpose: 'MONITORING' });
  await township.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId } });
  const verified = await township.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { case { id } userErrors { code } } }`, { i: { alertId, outcome: 'NEEDS_AID' } });
  caseId = verified.data.alertVerify.case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING']) expect((await townshipCases.gql(MOVE, { input: { caseId, to, reason: to } })).data.caseTransition.userErrors).toEqual([]);
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

let objectionId: string;

it('has nothing to withdraw before a notice; an objection to the posted notice holds the decision until resolved', async () => {
  expect((await withdraw({ reason: '公示有误' })).data.alertNoticeWithdraw).toEqual({ notice: null, repeated: false, userErrors: [{ code: 'NOTICE_NOT_POSTED', field: ['input', 'alertId'] }] });
  const posted = (await post()).data.alertNoticePost;
  expect(posted).toMatchObject({ notice: { postedOn: TODAY, endsOn: '2026-03-20', correction: false, withdrawn: null }, userErrors: [] });
  const objected = (await object()).data.alertNoticeObjectionRecord;
  expect(objected.notice.objections).toEqual([{ id: expect.any(String), kind: 'FACTS_WRONG', resolution: null, resolutionReason: null, resolvedBy: null }]);
  objectionId = objected.notice.objections[0].id;
  clock.set('2026-03-21T09:00:00+08:00');
  expect(await decide()).toMatchObject({ case: null, userErrors: [{ code: 'NOTICE_OBJECTION_UNRESOLVED', field: ['input', 'to'] }] });
});

it('resolves an objection once, by the verifier, with a reason held to a notice’s words', async () => {
  expect((await resolve({ objectionId: '999999', resolution: 'DISMISSED', reason: '经核实' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'OBJECTION_NOT_FOUND', field: ['input', 'objectionId'] }]);
  expect((await resolve({ objectionId, resolution: 'UPHELD', reason: '经核实' }, county)).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'NOT_ALERT_VERIFIER', field: ['input', 'objectionId'] }]);
  expect((await resolve({ objectionId, resolution: 'UPHELD', reason: ' ' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'TEXT_REQUIRED', field: ['input', 'reason'] }]);
  expect((await resolve({ objectionId, resolution: 'UPHELD', reason: '户内有人因病住院' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'HEALTH_DATA', field: ['input', 'reason'] }]);
  const upheld = await Promise.all([resolve({ objectionId, resolution: 'UPHELD', reason: '家庭人口登记有误' }), resolve({ objectionId, resolution: 'UPHELD', reason: '家庭人口登记有误' })]);
  expect(upheld.map((r) => r.data.alertNoticeObjectionResolve.repeated).sort()).toEqual([false, true]);
  for (const r of upheld) expect(r.data.alertNoticeObjectionResolve).toMatchObject({ objection: { id: objectionId, resolution: 'UPHELD', resolutionReason: '家庭人口登记有误', resolvedBy: officerName }, userErrors: [] });
  expect((await resolve({ objectionId, resolution: 'DISMISSED', reason: '家庭人口登记有误' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'OBJECTION_ALREADY_RESOLVED', field: ['input', 'objectionId'] }]);
  // Upheld: the notice was wrong, and the decision waits for a corrected one.
  const refused = await decide();
  expect(refused).toMatchObject({ case: null, userErrors: [{ code: 'NOTICE_OBJECTION_UPHELD', field: ['input', 'to'] }] });
  expect(refused.userErrors[0].message).toContain('alertNoticeWithdraw');
});

it('withdraws the notice once, with a reason; nothing more is recorded on it and the decision needs a notice again', async () => {
  expect((await withdraw({ reason: '' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'TEXT_REQUIRED', field: ['input', 'reason'] }]);
  // A number split by zero-width spaces, which the number screen reads past: refused for them.
  expect((await withdraw({ reason: '公示有误，联系 139\u200b0537\u200b1234' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reason'] }]);
  expect((await withdraw({ reason: '人口有误' }, county)).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'NOT_ALERT_VERIFIER', field: ['input', 'alertId'] }]);
  const done = await Promise.all([withdraw({ reason: '家庭人口有误，更正后重新公示' }), withdraw({ reason: '家庭人口有误，更正后重新公示' })]);
  expect(done.map((r) => r.data.alertNoticeWithdraw.repeated).sort()).toEqual([false, true]);
  for (const r of done) expect(r.data.alertNoticeWithdraw).toMatchObject({ notice: { running: false, withdrawn: { by: officerName, reason: '家庭人口有误，更正后重新公示' } }, userErrors: [] });
  expect((await withdraw({ reason: '另一理由' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'NOTICE_ALREADY_WITHDRAWN', field: ['input', 'alertId'] }]);
  expect((await object()).data.alertNoticeObjectionRecord.userErrors).toEqual([{ code: 'NOTICE_WITHDRAWN', field: ['input', 'alertId'] }]);
  expect((await resolve({ objectionId, resolution: 'DISMISSED', reason: '撤回' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'NOTICE_WITHDRAWN', field: ['input', 'objectionId'] }]);
  expect(await count('SELECT COUNT(*) AS n FROM monitoring_notice_objection')).toBe(1);
  // No notice is in force: Alert.notice is null (it showed the withdrawn one, as if it counted);
  // Alert.notices keeps it, withdrawn.
  const read = await township.gql(`query($id: ID!) { alert(id: $id) { notice { id } notices { running withdrawn { reason } } } }`, { id: alertId });
  expect(read.data.alert).toEqual({ notice: null, notices: [{ running: false, withdrawn: { reason: '家庭人口有误，更正后重新公示' } }] });
  const refused = await decide();
  expect(refused).toMatchObject({ case: null, userErrors: [{ code: 'NOTICE_REQUIRED', field: ['input', 'to'] }] });
  expect(refused.userErrors[0].message).toContain('withdrawn');
});

it('posts the corrected notice (更正) for a new period, lists both, and decides once it has run with its objections dismissed', async () => {
  expect((await post({ postedOn: '2026-03-20' })).data.alertNoticePost.userErrors).toEqual([{ code: 'POSTED_ON_OUT_OF_RANGE', field: ['input', 'postedOn'] }]);
  const corrected = (await post({ measures: ['MINIMUM_LIVING_ALLOWANCE'] })).data.alertNoticePost;
  expect(corrected).toMatchObject({ notice: { postedOn: '2026-03-21', endsOn: '2026-03-26', running: true, correction: true, withdrawn: null, objections: [] }, repeated: false, userErrors: [] });
  expect(corrected.notice.text).toMatch(/^.+更正公示：前次公示已撤回，现更正如下。/);
  expect((await post({ measures: ['MINIMUM_LIVING_ALLOWANCE'] })).data.alertNoticePost).toMatchObject({ notice: { id: corrected.notice.id }, repeated: true });
  const read = await township.gql(`query($id: ID!) { alert(id: $id) { notice { id } notices { id correction running withdrawn { reason } objections { resolution } } } }`, { id: alertId });
  expect(read.data.alert.notice.id).toBe(corrected.notice.id);
  expect(read.data.alert.notices).toEqual([
    { id: expect.any(String), correction: false, running: false, withdrawn: { reason: '家庭人口有误，更正后重新公示' }, objections: [{ resolution: 'UPHELD' }] },
    { id: corrected.notice.id, correction: true, running: true, withdrawn: null, objections: [] },
  ]);
  // The first withdrawal's retry, arriving after the correction was posted. Not naming the notice,
  // it cannot be told from a withdrawal of the correction for the same reason: refused, nothing
  // withdrawn (it withdrew the correction). Naming the notice it meant, it is answered as the retry
  // it is and the correction stays live.
  const first = read.data.alert.notices[0].id;
  const unnamed = (await withdraw({ reason: '家庭人口有误，更正后重新公示' })).data.alertNoticeWithdraw;
  expect(unnamed).toEqual({ notice: null, repeated: false, userErrors: [{ code: 'NOTICE_ID_REQUIRED', field: ['input', 'noticeId'] }] });
  expect((await withdraw({ reason: '措施有误' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'NOTICE_ID_REQUIRED', field: ['input', 'noticeId'] }]);
  expect(await count('SELECT COUNT(*) AS n FROM monitoring_village_notice WHERE live_alert_id IS NOT NULL')).toBe(1);
  const retried = (await withdraw({ noticeId: first, reason: '家庭人口有误，更正后重新公示' })).data.alertNoticeWithdraw;
  expect(retried).toMatchObject({ notice: { id: first, running: false }, repeated: true, userErrors: [] });
  expect((await withdraw({ noticeId: first, reason: '另一理由' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'NOTICE_ALREADY_WITHDRAWN', field: ['input', 'alertId'] }]);
  expect((await withdraw({ noticeId: '999999', reason: '撤回' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'NOTICE_NOT_FOUND', field: ['input', 'noticeId'] }]);
  const still = await township.gql(`query($id: ID!) { alert(id: $id) { notice { id running } } }`, { id: alertId });
  expect(still.data.alert.notice).toEqual({ id: corrected.notice.id, running: true });
  // The correction withdrawn in turn, named: withdrawn once (its retry repeated), and a second
  // correction posted; Alert.notice is null in between.
  const correctionWithdrawn = await withdraw({ noticeId: corrected.notice.id, reason: '救助措施有误，更正后重新公示' });
  expect(correctionWithdrawn.data.alertNoticeWithdraw).toMatchObject({ notice: { id: corrected.notice.id, running: false, withdrawn: { reason: '救助措施有误，更正后重新公示' } }, repeated: false, userErrors: [] });
  expect((await withdraw({ noticeId: corrected.notice.id, reason: '救助措施有误，更正后重新公示' })).data.alertNoticeWithdraw).toMatchObject({ notice: { id: corrected.notice.id }, repeated: true, userErrors: [] });
  expect((await township.gql(`query($id: ID!) { alert(id: $id) { notice { id } } }`, { id: alertId })).data.alert.notice).toBeNull();
  const recorrected = (await post({ measures: ['TEMPORARY_AID'] })).data.alertNoticePost;
  expect(recorrected).toMatchObject({ notice: { postedOn: '2026-03-21', endsOn: '2026-03-26', correction: true, running: true }, repeated: false, userErrors: [] });
  const listed = await township.gql(`query($id: ID!) { alert(id: $id) { notice { id } notices { id running } } }`, { id: alertId });
  expect(listed.data.alert).toEqual({ notice: { id: recorrected.notice.id }, notices: [{ id: first, running: false }, { id: corrected.notice.id, running: false }, { id: recorrected.notice.id, running: true }] });
  const second = (await object({ kind: 'ELIGIBILITY_DOUBTED' })).data.alertNoticeObjectionRecord.notice.objections[0].id;
  clock.set('2026-03-27T09:00:00+08:00');
  expect((await decide()).userErrors.map((e: { code: string }) => e.code)).toEqual(['NOTICE_OBJECTION_UNRESOLVED']);
  expect((await resolve({ objectionId: second, resolution: 'DISMISSED', reason: '经核实不成立' })).data.alertNoticeObjectionResolve.userErrors).toEqual([]);
  expect(await decide()).toEqual({ case: { state: 'DECIDED' }, userErrors: [] });
  // Decided: the notice stays as it was.
  expect((await withdraw({ noticeId: recorrected.notice.id, reason: '撤回' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'CASE_ALREADY_DECIDED', field: ['input', 'alertId'] }]);
});

it('answers a withdrawal or a resolution made before the invisible-character screen, resent as it was, as the repeat it is; a new one with the character is refused', async () => {
  // Made before the screen existed: the reasons on record hold a zero-width space.
  const [first, corrected] = (await township.gql(`query($id: ID!) { alert(id: $id) { notices { id } } }`, { id: alertId })).data.alert.notices.map((n: { id: string }) => n.id);
  const withdrawnThen = '家庭人口有误\u200b，更正后重新公示';
  await dbs.hubPool.query('UPDATE monitoring_village_notice SET withdraw_reason = ? WHERE id = ?', [withdrawnThen, first]);
  const objectionId = (await township.gql(`query($id: ID!) { alert(id: $id) { notice { objections { id } } } }`, { id: alertId })).data.alert.notice.objections[0].id;
  const dismissedThen = '经核实\u200b不成立';
  await dbs.hubPool.query('UPDATE monitoring_notice_objection SET resolution_reason = ? WHERE id = ?', [dismissedThen, objectionId]);

  expect((await withdraw({ noticeId: first, reason: withdrawnThen })).data.alertNoticeWithdraw).toMatchObject({ notice: { id: first, withdrawn: { reason: withdrawnThen } }, repeated: true, userErrors: [] });
  expect((await resolve({ objectionId, resolution: 'DISMISSED', reason: dismissedThen })).data.alertNoticeObjectionResolve).toMatchObject({ objection: { id: objectionId, resolutionReason: dismissedThen }, repeated: true, userErrors: [] });

  // Another reason with the character is refused for it, and changes nothing.
  expect((await withdraw({ noticeId: corrected, reason: '措施有误\u200b' })).data.alertNoticeWithdraw.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reason'] }]);
  expect((await resolve({ objectionId, resolution: 'DISMISSED', reason: '不成立\u200b' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reason'] }]);
  const late = (await object({ kind: 'FACTS_WRONG', receivedOn: '2026-03-22' })).data.alertNoticeObjectionRecord.notice.objections.find((o: { id: string }) => o.id !== objectionId).id;
  expect((await resolve({ objectionId: late, resolution: 'DISMISSED', reason: '经核实\u200b不成立' })).data.alertNoticeObjectionResolve.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reason'] }]);
  const read = await township.gql(`query($id: ID!) { alert(id: $id) { notices { withdrawn { reason } objections { id resolution resolutionReason } } } }`, { id: alertId });
  expect(read.data.alert.notices.map((n: { withdrawn: { reason: string } | null }) => n.withdrawn?.reason ?? null)).toEqual([withdrawnThen, '救助措施有误，更正后重新公示', null]);
  expect(read.data.alert.notices[2].objections).toEqual([
    { id: objectionId, resolution: 'DISMISSED', resolutionReason: dismissedThen },
    { id: late, resolution: null, resolutionReason: null },
  ]);
});
