/**
 * An open alert follows its person home. The grandmother of the Wang household (任城区古槐街道) had
 * a twelve-month out-of-pocket alert; before anyone visited she moved in with the Zhao household
 * (微山县夏镇街道). Seen again, her condition was the same alert (one per identity), so it stayed
 * in 古槐's inbox, was raised and pushed there, and a NEEDS_AID verification opened a case for the
 * household she had left; 夏镇, where she lives, never heard of it. Now the alert moves with her:
 * MOVED in its history, the new township's inbox and subscriptions, the case for her new home.
 * 古槐 had signed for it: the move puts it back to NEW, for 夏镇 to sign for within a working day
 * of the move (acknowledgeFrom), and 古槐's subscription is told ALERT_MOVED_AWAY, naming its own
 * division, which does not make the alert DELIVERED when acknowledged.
 */
import { and, eq } from 'drizzle-orm';
import { householdMember } from '../../db/household/schema';
import { monitoringAlert } from '../../db/monitoring/schema';
import { alertDelivery, alertDeliveryNotice } from '../../db/alert-delivery/schema';
import { aidCase } from '../../db/cases/schema';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/poller';
import { markAlertsDelivered } from '../../db/monitoring/store';
import { alertCallerOf } from '../../domain/monitoring/alerts';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, insertZhao, TODAY, WANG } from '../support/scenarios';
import { subscribe, subscriberClient } from '../alert-delivery/scenario';
import pino from 'pino';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import type { AuditStore } from '../../access/audit';
import { deliveryAudit } from '../support/alerts';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { until } from '../support/until';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;
let now = new Date(`${TODAY}T02:00:00.000Z`);
let receiver: AlertReceiver | undefined;
let worker: AlertDeliveryWorker | undefined;
let audit: AuditStore | undefined;

const XIAZHEN = '370826100';
const ALERT = `query($id: ID!) { alert(id: $id) { id state grade acknowledgeFrom acknowledgeBy verifyBy region { code } household { id } verifier { key } history { action fromState toState actor reason } } }`;

const stay = (setlId: string, settled: string, psnPay: string) => ({ setlId, psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: settled, dscgDate: settled, setlDate: settled, diseName: '脑梗死', medfeeSumamt: '90000.00', hifpPay: '1000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay });

const t2Alerts = () =>
  dbs.hub
    .select()
    .from(monitoringAlert)
    .where(and(eq(monitoringAlert.subjectIdNumber, WANG.grandmother), eq(monitoringAlert.triggerId, 'T2_OOP_12_MONTHS')))
    .orderBy(monitoringAlert.id);

beforeAll(async () => {
  dbs = await createTestDatabases('alert_moved_person');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  await subscriberClient(dbs.hub, 'xiazhen-alerts', '370826');
  await subscriberClient(dbs.hub, 'guhuai-alerts', '370811');
  hub = await startTestHub(dbs, { today: '2026-03-17', purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await worker?.stop();
  await audit?.close();
  await receiver?.close();
  await hub?.close();
  await dbs?.close();
});

it('moves an open alert to the township its person now lives in, once, and opens the case for their new home', async () => {
  // Her one stay of ¥7,010.50 is also over T1's line for monitored people (she is on 低保): that alert
  // would move with her alike; this test follows the twelve-month one alone.
  const triggers = activeTriggerSet();
  const deps: DetectDeps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: { ...triggers, triggers: triggers.triggers.filter((t) => t.id !== 'T1_SETTLEMENT_OOP') }, ruleSet: activeRuleSet(), now: () => now };
  // 古槐's receiver acknowledges every push, but no worker runs yet: its push of the alert waits in the outbox.
  receiver = await startAlertReceiver();
  const guhuaiSub = await subscribe(dbs.hub, 'guhuai-alerts', `${receiver.url}/guhuai`, { regionCodes: ['370811001'] });
  receiver.setSecret(guhuaiSub.secret);
  // ¥7,010.50 from the stay of 2026-01-10 and ¥4,000 more: over the ¥10,000 line (monitored: 低保), YELLOW, for 古槐街道.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260201001', '2026-02-01', '4000.00'));
  await runMonthlyComparison(deps, '370800');
  const [opened] = await t2Alerts();
  expect(opened).toMatchObject({ householdId: wangId, regionCode: WANG.regionCode, townshipCode: '370811001', verifierOffice: '370811001', state: 'NEW', acknowledgeFrom: null, verifyBy: '2026-03-30' });
  // 古槐 signs for it.
  const signed = await hub.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`, { i: { alertId: String(opened.id) } });
  expect(signed.data.alertAcknowledge).toEqual({ alert: { state: 'ACKNOWLEDGED' }, userErrors: [] });

  // Recorded in the Zhao household of 微山县夏镇街道 while still in her own (in two at once): the
  // comparison sees her in both, and the alert stays where it is.
  await dbs.hub.insert(householdMember).values({ householdId: zhaoId, idNumber: WANG.grandmother, relation: 'PARENT', joinedOn: '2026-03-16' });
  await runMonthlyComparison(deps, '370800');
  expect((await t2Alerts()).map((a) => [a.id, a.householdId, a.regionCode])).toEqual([[opened.id, wangId, WANG.regionCode]]);

  // She leaves her own: she lives with the Zhaos now, and the comparison sees her there.
  await dbs.hub.update(householdMember).set({ leftOn: '2026-03-16' }).where(and(eq(householdMember.householdId, wangId), eq(householdMember.idNumber, WANG.grandmother)));
  const sub = await subscribe(dbs.hub, 'xiazhen-alerts', 'http://127.0.0.1:9/alerts', { regionCodes: [XIAZHEN] });
  now = new Date('2026-03-17T02:00:00.000Z');
  await runMonthlyComparison(deps, '370800');
  const [moved, ...none] = await t2Alerts();
  expect(none).toHaveLength(0);
  // Back to NEW, for 夏镇 to sign for by the working day after the move (Tuesday 17 March → the 18th); verification day unchanged.
  expect(moved).toMatchObject({ id: opened.id, householdId: zhaoId, regionCode: XIAZHEN, townshipCode: XIAZHEN, verifierOffice: XIAZHEN, state: 'NEW', grade: 'YELLOW', acknowledgeFrom: '2026-03-17', acknowledgeBy: '2026-03-18', verifyBy: '2026-03-30' });
  // Pushed as a move to the new division's subscription; the old one's is told it moved away, naming only its own division.
  const pushesOf = async (s: typeof sub) => (await dbs.hub.select().from(alertDelivery).where(eq(alertDelivery.subscriptionId, s.subscription.id))).map((p) => [p.alertId, p.event, JSON.parse(p.payload).event, JSON.parse(p.payload).alert.region]);
  expect(await pushesOf(sub)).toEqual([[String(opened.id), 'ALERT_MOVED', 'ALERT_MOVED', XIAZHEN]]);
  expect(await pushesOf(guhuaiSub)).toEqual([
    [String(opened.id), 'ALERT_OPENED', 'ALERT_OPENED', WANG.regionCode],
    [String(opened.id), 'ALERT_MOVED_AWAY', 'ALERT_MOVED_AWAY', WANG.regionCode],
  ]);
  // 古槐's receiver is not sent the push of the alert as opened, queued before the move (superseded,
  // settled without a notice); it takes its ALERT_MOVED_AWAY push (2xx), and the alert stays NEW: 夏镇 has not had it.
  audit = await deliveryAudit(dbs);
  worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [60_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 4, callbackHosts: ['127.0.0.1:*'] }, pino({ level: 'silent' }));
  worker.start();
  await until('the moved-away push delivered', () => deliveriesOfAlert(dbs.hub, String(opened.id)), (rows) => rows.some((d) => d.subscriptionId === guhuaiSub.subscription.id && d.state === 'DELIVERED'));
  expect(receiver.acknowledged().map((p) => [p.body.event, p.body.alert.region])).toEqual([['ALERT_MOVED_AWAY', WANG.regionCode]]);
  const settled = (await deliveriesOfAlert(dbs.hub, String(opened.id))).filter((d) => d.subscriptionId === guhuaiSub.subscription.id);
  expect(settled.map((d) => [d.state, d.lastError?.startsWith('superseded') ?? false])).toEqual([
    ['DEAD', true],
    ['DELIVERED', false],
  ]);
  expect(await dbs.hub.select().from(alertDeliveryNotice)).toHaveLength(0);
  await worker.stop();
  worker = undefined;
  expect((await t2Alerts())[0].state).toBe('NEW');
  // Nor does a push queued before the move, naming the division it left (even one the township it is with now took).
  const mover = alertCallerOf({ department: 'CIVIL_AFFAIRS', regionScope: (await t2Alerts())[0].verifierOffice });
  expect(await markAlertsDelivered(dbs.hub, new Map([[opened.id, [{ reason: 'push to 古槐', regionCode: WANG.regionCode, subscriber: mover }]]]), now)).toEqual([]);
  expect((await t2Alerts())[0].state).toBe('NEW');

  // Seen there again: nothing moves twice.
  await runMonthlyComparison(deps, '370800');
  expect((await t2Alerts()).map((a) => [a.id, a.regionCode])).toEqual([[opened.id, XIAZHEN]]);

  // 古槐 no longer reaches it; 夏镇 reads it, with the move in its history, and verifies it.
  expect((await hub.gql(ALERT, { id: String(opened.id) })).data.alert).toBeNull();
  const xiazhen = await hub.createClient({ regionScope: XIAZHEN, roles: ['READER', 'CASEWORKER'] });
  const asXiazhen = hub.as({ token: xiazhen.token, purpose: 'MONITORING' });
  const seen = (await asXiazhen.gql(ALERT, { id: String(opened.id) })).data.alert;
  expect(seen).toMatchObject({ state: 'NEW', acknowledgeFrom: '2026-03-17', acknowledgeBy: '2026-03-18', region: { code: XIAZHEN }, household: { id: String(zhaoId) }, verifier: { key: XIAZHEN } });
  expect(seen.history.map((e: { action: string }) => e.action)).toEqual(['OPENED', 'ACKNOWLEDGED', 'MOVED']);
  expect(seen.history[2]).toMatchObject({ fromState: 'ACKNOWLEDGED', toState: 'NEW', actor: 'hub', reason: `household ${wangId} (${WANG.regionCode}) → ${zhaoId} (${XIAZHEN})` });
  expect(JSON.stringify(seen.history)).not.toContain(WANG.grandmother);
  const ack = await asXiazhen.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`, { i: { alertId: String(opened.id) } });
  expect(ack.data.alertAcknowledge).toEqual({ alert: { state: 'ACKNOWLEDGED' }, userErrors: [] });
  const verified = await asXiazhen.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { case { id } userErrors { code } } }`, { i: { alertId: String(opened.id), outcome: 'NEEDS_AID' } });
  expect(verified.data.alertVerify.userErrors).toEqual([]);
  const [opencase] = await dbs.hub.select().from(aidCase).where(eq(aidCase.id, Number(verified.data.alertVerify.case.id)));
  expect(opencase).toMatchObject({ householdId: zhaoId, townshipCode: XIAZHEN, origin: 'ALERT' });
});
