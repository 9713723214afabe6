/**
 * The village notice of an alert whose household moved to a neighbouring township of the same county
 * after the township verified it as needing aid: the alert stays with the township that judged it
 * (README, "One alert per identity"), which keeps the case, posts the notice and decides. The notice
 * is signed by that township, as Alert.verifier names it (it was signed with the name of the
 * township the household had moved to), and the township reads what it posted in the payloads of its
 * own writes (they were refused FORBIDDEN, OUT_OF_SCOPE, the notice lying in the other township).
 * Real MariaDB, a real hub.
 */
import { region } from '../../db/household/schema';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/monthly';
import { healthScenario } from '../../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { insertRegions, insertWang, moveHousehold, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let alertId: string;
/** 古槐街道: verified the alert and owns the case it opened. */
let township: ReturnType<TestHub['as']>;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

const NOTICE_FIELDS = `notice { id village text objections { id kind } }`;
const POST = `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) { ${NOTICE_FIELDS} repeated userErrors { code field } } }`;

beforeAll(async () => {
  dbs = await createTestDatabases('notice_household_moved');
  await insertRegions(dbs);
  await dbs.hub.insert(region).values([
    { code: '370811002', name: '济阳街道', level: 'TOWNSHIP', parentCode: '370811' },
    { code: '370811002001', name: '文化社区', level: 'VILLAGE', parentCode: '370811002' },
  ]);
  const wangId = await insertWang(dbs);
  // A stay leaving ¥12,000 to pay: over the ¥10,000 line.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: 'SETL20260301019', psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-20', dscgDate: '2026-03-01', setlDate: '2026-03-01', diseName: '脑梗死', medfeeSumamt: '60000.00', hifpPay: '48000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '12000.00' },
  ]);
  await runMonthlyComparison({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: clock.now }, '370811');
  const [[alert]] = (await dbs.hubPool.query(`SELECT id FROM monitoring_alert WHERE subject_id_number = ? AND trigger_id = 'T1_SETTLEMENT_OOP'`, [WANG.grandmother])) as any[];
  alertId = String(alert.id);
  hub = await startTestHub(dbs, { purpose: 'MONITORING', clock: clock.now, client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
  township = hub.as({ token: hub.token, purpose: 'MONITORING' });
  await township.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId } });
  const verified = await township.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { case { id } userErrors { code } } }`, { i: { alertId, outcome: 'NEEDS_AID' } });
  expect(verified.data.alertVerify.userErrors).toEqual([]);
  // The household moves to 济阳街道 before the notice goes up; the verified alert stays with 古槐街道.
  await moveHousehold(dbs, wangId, '370811002001');
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('is signed by the township that verified the alert and posts it, not the one the household moved to', async () => {
  const read = await township.gql(`query($id: ID!) { alert(id: $id) { verifier { name } } }`, { id: alertId });
  expect(read.data.alert.verifier.name).toBe('古槐街道');
  await township.gql(POST, { i: { alertId, measures: ['TEMPORARY_AID'], objectionContact: '古槐街道办事处民政办' } });
  const posted = await township.gql(`query($id: ID!) { alert(id: $id) { notice { village text } } }`, { id: alertId });
  expect(posted.errors).toBeUndefined();
  // The board of the village the household lives in now, signed by the office that posts it.
  expect(posted.data.alert.notice.village).toBe('文化社区');
  expect(posted.data.alert.notice.text).toMatch(/。古槐街道 2026-03-15$/);
  expect(posted.data.alert.notice.text).not.toContain('济阳街道');
});

it('answers the township’s own notice writes with the notice, though it lies in the township the household moved to', async () => {
  const again = await township.gql(POST, { i: { alertId, measures: ['TEMPORARY_AID'], objectionContact: '古槐街道办事处民政办' } });
  expect(again.errors).toBeUndefined();
  expect(again.data.alertNoticePost).toMatchObject({ notice: { village: '文化社区' }, repeated: true, userErrors: [] });
  const objected = await township.gql(`mutation($i: AlertNoticeObjectionInput!) { alertNoticeObjectionRecord(input: $i) { ${NOTICE_FIELDS} repeated userErrors { code } } }`, {
    i: { alertId, kind: 'FACTS_WRONG', idempotencyKey: 'GH-OBJ-MOVED-1' },
  });
  expect(objected.errors).toBeUndefined();
  const [objection] = objected.data.alertNoticeObjectionRecord.notice.objections;
  expect(objection).toMatchObject({ kind: 'FACTS_WRONG' });
  const resolved = await township.gql(`mutation($i: AlertNoticeObjectionResolveInput!) { alertNoticeObjectionResolve(input: $i) { objection { resolution } ${NOTICE_FIELDS} userErrors { code } } }`, {
    i: { objectionId: objection.id, resolution: 'UPHELD', reason: '家庭住址已变更' },
  });
  expect(resolved.errors).toBeUndefined();
  expect(resolved.data.alertNoticeObjectionResolve).toMatchObject({ objection: { resolution: 'UPHELD' }, notice: { village: '文化社区' }, userErrors: [] });
  const withdrawn = await township.gql(`mutation($i: AlertNoticeWithdrawInput!) { alertNoticeWithdraw(input: $i) { ${NOTICE_FIELDS} userErrors { code } } }`, { i: { alertId, reason: '住址有误，更正后重新公示' } });
  expect(withdrawn.errors).toBeUndefined();
  expect(withdrawn.data.alertNoticeWithdraw).toMatchObject({ notice: { village: '文化社区' }, userErrors: [] });
  // A township with nothing to do with the alert or its case still reads nothing of it.
  const other = await hub.createClient({ regionScope: '370826100', roles: ['READER', 'CASEWORKER'] });
  const outside = await hub.as({ token: other.token, purpose: 'MONITORING' }).gql(`query($id: ID!) { alert(id: $id) { id } }`, { id: alertId });
  expect(outside.data.alert).toBeNull();
});
