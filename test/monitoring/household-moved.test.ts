/**
 * Open alerts follow households that move without any department's record changing. The Wang
 * household of 任城区古槐街道 has an open twelve-month out-of-pocket alert for the grandmother, signed
 * for by 古槐. The household moves to 微山县夏镇街道: a site's import rewrites its division in the hub
 * (household.csv, the same id), and no department writes a row. The alert sat with 古槐, which could
 * still read and act on it with nobody there to visit, while 夏镇 never saw it, until a monthly
 * comparison might see it again. Now the hub's relocation pass (one poll interval, under its lease)
 * moves it: MOVED in its history, back to NEW for 夏镇 to sign for from the day of the move, the
 * verification day kept, pushed to 夏镇 as ALERT_MOVED and to 古槐 as ALERT_MOVED_AWAY. Then the
 * grandmother joins the Zhao household (in two at once: her alert stays), leaves the Wangs for it (her
 * alert follows her), and dies with no household left (her alert stays with the Zhaos, and moves
 * when they do).
 */
import { and, eq } from 'drizzle-orm';
import { household, householdMember, person } from '../../db/household/schema';
import { monitoringAlert } from '../../db/monitoring/schema';
import { alertDelivery } from '../../db/alert-delivery/schema';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, runMonthlyComparison } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, insertZhao, WANG } from '../support/scenarios';
import { subscribe, subscriberClient } from '../alert-delivery/scenario';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let poller: MonitoringPoller;
let deps: DetectDeps;
let wangId: number;
let zhaoId: number;
let now = new Date('2026-03-16T02:00:00.000Z');

const XIAZHEN = '370826100';
const ALERT = `query($id: ID!) { alert(id: $id) { id state region { code } household { id } verifier { key } acknowledgeFrom acknowledgeBy verifyBy history { action fromState toState reason } } }`;
const stay = (setlId: string, settled: string, psnPay: string) => ({ setlId, psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: settled, dscgDate: settled, setlDate: settled, diseName: '脑梗死', medfeeSumamt: '90000.00', hifpPay: '1000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay });
const t2Alerts = () => dbs.hub.select().from(monitoringAlert).where(and(eq(monitoringAlert.subjectIdNumber, WANG.grandmother), eq(monitoringAlert.triggerId, 'T2_OOP_12_MONTHS')));

beforeAll(async () => {
  dbs = await createTestDatabases('alert_household_moved');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  await subscriberClient(dbs.hub, 'xiazhen-alerts', '370826');
  await subscriberClient(dbs.hub, 'guhuai-alerts', '370811');
  hub = await startTestHub(dbs, { today: '2026-03-17', purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
  const triggers = activeTriggerSet();
  deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: { ...triggers, triggers: triggers.triggers.filter((t) => t.id !== 'T1_SETTLEMENT_OOP') }, ruleSet: activeRuleSet(), now: () => now };
  poller = new MonitoringPoller(deps, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 });
});

afterAll(async () => {
  await poller?.stop();
  await hub?.close();
  await dbs?.close();
});

it('moves open alerts after a household that moved, a member who left for another, and with the household of one who died', async () => {
  const guhuaiSub = await subscribe(dbs.hub, 'guhuai-alerts', 'http://127.0.0.1:9/guhuai', { regionCodes: ['370811001'] });
  const xiazhenSub = await subscribe(dbs.hub, 'xiazhen-alerts', 'http://127.0.0.1:9/xiazhen', { regionCodes: [XIAZHEN] });
  // ¥7,010.50 from the stay of 2026-01-10 and ¥4,000 more: over the ¥10,000 line (monitored: 低保), for 古槐街道.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260201001', '2026-02-01', '4000.00'));
  await runMonthlyComparison(deps, '370800');
  const [opened] = await t2Alerts();
  expect(opened).toMatchObject({ householdId: wangId, regionCode: WANG.regionCode, verifierOffice: '370811001', state: 'NEW', verifyBy: '2026-03-31' });
  const signed = await hub.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`, { i: { alertId: String(opened.id) } });
  expect(signed.data.alertAcknowledge).toEqual({ alert: { state: 'ACKNOWLEDGED' }, userErrors: [] });
  // Nothing has moved: the pass moves nothing.
  expect(await poller.relocate()).toEqual({ moved: 0 });

  // The household moves to 夏镇 (a site's import rewrites its division); no department writes a row.
  now = new Date('2026-03-17T02:00:00.000Z');
  await dbs.hub.update(household).set({ regionCode: XIAZHEN, address: '微山县夏镇街道建设路1号' }).where(eq(household.id, wangId));
  expect(await poller.relocate()).toEqual({ moved: 1 });
  const [moved] = await t2Alerts();
  expect(moved).toMatchObject({ id: opened.id, householdId: wangId, regionCode: XIAZHEN, townshipCode: XIAZHEN, verifierOffice: XIAZHEN, state: 'NEW', acknowledgeFrom: '2026-03-17', acknowledgeBy: '2026-03-18', verifyBy: '2026-03-31' });
  const pushesOf = async (s: typeof guhuaiSub) => (await dbs.hub.select().from(alertDelivery).where(eq(alertDelivery.subscriptionId, s.subscription.id))).map((p) => [p.event, JSON.parse(p.payload).alert.region]);
  expect(await pushesOf(xiazhenSub)).toEqual([['ALERT_MOVED', XIAZHEN]]);
  expect(await pushesOf(guhuaiSub)).toEqual([
    ['ALERT_OPENED', WANG.regionCode],
    ['ALERT_MOVED_AWAY', WANG.regionCode],
  ]);
  // Once: a second pass moves nothing.
  expect(await poller.relocate()).toEqual({ moved: 0 });

  // 古槐 no longer reaches it; 夏镇 reads it with its history and signs for it.
  expect((await hub.gql(ALERT, { id: String(opened.id) })).data.alert).toBeNull();
  const xiazhen = await hub.createClient({ regionScope: XIAZHEN, roles: ['READER', 'CASEWORKER'] });
  const asXiazhen = hub.as({ token: xiazhen.token, purpose: 'MONITORING' });
  const seen = (await asXiazhen.gql(ALERT, { id: String(opened.id) })).data.alert;
  expect(seen).toMatchObject({ state: 'NEW', region: { code: XIAZHEN }, household: { id: String(wangId) }, verifier: { key: XIAZHEN } });
  expect(seen.history.map((e: { action: string }) => e.action)).toEqual(['OPENED', 'ACKNOWLEDGED', 'MOVED']);
  expect(seen.history[2]).toMatchObject({ fromState: 'ACKNOWLEDGED', toState: 'NEW', reason: `household ${wangId} (${WANG.regionCode}) → ${wangId} (${XIAZHEN})` });
  const ack = await asXiazhen.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`, { i: { alertId: String(opened.id) } });
  expect(ack.data.alertAcknowledge).toEqual({ alert: { state: 'ACKNOWLEDGED' }, userErrors: [] });

  // She is recorded in the Zhao household too, still in her own: in two at once, the alert stays.
  await dbs.hub.insert(householdMember).values({ householdId: zhaoId, idNumber: WANG.grandmother, relation: 'PARENT', joinedOn: '2026-03-17' });
  expect(await poller.relocate()).toEqual({ moved: 0 });
  // She leaves her own for the Zhaos: the alert follows her there.
  await dbs.hub.update(householdMember).set({ leftOn: '2026-03-17' }).where(and(eq(householdMember.householdId, wangId), eq(householdMember.idNumber, WANG.grandmother)));
  expect(await poller.relocate()).toEqual({ moved: 1 });
  expect((await t2Alerts()).map((a) => [a.householdId, a.regionCode, a.state])).toEqual([[zhaoId, XIAZHEN, 'NEW']]);

  // She dies and leaves the Zhaos with no household after: the alert stays with the Zhaos, who bore
  // the costs with her...
  await dbs.hub.update(person).set({ deathDate: '2026-03-17' }).where(eq(person.idNumber, WANG.grandmother));
  await dbs.hub.update(householdMember).set({ leftOn: '2026-03-17' }).where(and(eq(householdMember.householdId, zhaoId), eq(householdMember.idNumber, WANG.grandmother)));
  expect(await poller.relocate()).toEqual({ moved: 0 });
  expect((await t2Alerts()).map((a) => [a.householdId, a.regionCode])).toEqual([[zhaoId, XIAZHEN]]);
  // ...and goes with them when they move to 古槐.
  await dbs.hub.update(household).set({ regionCode: WANG.regionCode }).where(eq(household.id, zhaoId));
  expect(await poller.relocate()).toEqual({ moved: 1 });
  expect((await t2Alerts()).map((a) => [a.householdId, a.regionCode, a.verifierOffice])).toEqual([[zhaoId, WANG.regionCode, '370811001']]);
  expect(await poller.relocate()).toEqual({ moved: 0 });
});
