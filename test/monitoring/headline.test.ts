/**
 * Issue 11's headline, end to end with nothing in between faked: medical insurance's system writes
 * a hospital settlement into its own front-end database with a plain INSERT (the database stamps
 * `updt_time`); a hub in its own process (server/main.ts, polling every second) reads it past the
 * watermark, opens an alert for the township of the person's household with its working-day
 * deadlines, and its delivery worker POSTs the signed envelope to a real HTTP receiver; the
 * acknowledged push makes the alert DELIVERED, which the township reads in its inbox.
 *
 * Then, in this process: a push a receiver refuses leaves the alert NEW until one is acknowledged,
 * and an alert already signed for is not moved back by a late push.
 */
import { eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { countStatements } from '../../db/instrument';
import { monitoringAlert, monitoringAlertEvent } from '../../db/monitoring/schema';
import { moveAlertRow } from '../../db/monitoring/store';
import { revokeSubscription } from '../../db/alert-delivery/store';
import { addDays } from '../../domain/dates';
import { chinaDateOf } from '../../domain/cases/china-time';
import { addCalendarDays, addWorkingDays } from '../../domain/cases/working-days';
import { correctSettlementAsDepartment, writeSettlementAsDepartment } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import type { AuditStore } from '../../access/audit';
import { deliveryAudit } from '../support/alerts';
import { MonitoringPoller } from '../../resolvers/monitoring/poller';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import { insertRegions, insertResident } from '../support/scenarios';
import { until } from '../support/until';

jest.setTimeout(300_000);

const TOWNSHIP = '370811001';
const VILLAGE = '370811001001';

let dbs: TestDatabases;
let health: mysql.Connection;
let hubProcess: HubProcess | null = null;
const receivers: AlertReceiver[] = [];


/** A person of 古槐街道 in a household of their own. */
function resident(seq: number): Promise<{ idNumber: string; householdId: number }> {
  return insertResident(dbs, { prefix: 'HL', seq, birthDate: '1970-04-04', regionCode: VILLAGE, joinedOn: '2005-01-01' });
}

/** A stay that leaves ¥10,500 to pay: over the ¥10,000 line for people not on the monitored roll. */
const stay = (setlId: string, idNumber: string, settledOn: string) => ({
  setlId,
  idNumber,
  hospital: '济宁医学院附属医院',
  admittedOn: addDays(settledOn, -6),
  settledOn,
  diagnosis: '急性心肌梗死',
  totalYuan: '30000.00',
  fundPaidYuan: '19500.00',
  outOfPocketYuan: '10500.00',
});

const alertsOf = (idNumber: string) => dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, idNumber));
const historyOf = async (alertId: number) => (await dbs.hub.select().from(monitoringAlertEvent).where(eq(monitoringAlertEvent.alertId, alertId))).sort((a, b) => a.seq - b.seq);

async function subscriber(name: string, url: string): Promise<string> {
  await createClient(accessDbOf(dbs.hub), { name, department: 'CIVIL_AFFAIRS', regionScope: TOWNSHIP, roles: ['READER'], expiresAt: null });
  const sub = await createSubscription(dbs.hub, ['127.0.0.1:*'], { clientName: name, callbackUrl: url, regionCodes: [TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' });
  if (!sub.ok) throw new Error(`subscription refused: ${sub.code}`);
  return sub.secret;
}

beforeAll(async () => {
  dbs = await createTestDatabases('monitor_headline');
  await insertRegions(dbs);
  health = await mysql.createConnection(dbs.sourceUrls.HEALTH);
}, 300_000);

afterAll(async () => {
  if (hubProcess) await stopHubProcess(hubProcess);
  await Promise.all(receivers.map((r) => r.close()));
  await health?.end();
  await dbs?.close();
}, 60_000);

describe('a settlement written by medical insurance', () => {
  it('is an alert in the township’s inbox with its working-day deadlines, pushed signed to its system and DELIVERED', async () => {
    const { idNumber, householdId } = await resident(21);
    const receiver = await startAlertReceiver();
    receivers.push(receiver);
    receiver.setSecret(await subscriber('guhuai-system', receiver.url));
    const { token } = await createClient(accessDbOf(dbs.hub), { name: 'guhuai-officer', department: 'CIVIL_AFFAIRS', regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER'], expiresAt: null });
    hubProcess = await startHubProcess(dbs.hubUrl, {
      AIDHUB_MONITOR_INTERVAL_MS: '1000',
      AIDHUB_MONITOR_COMMIT_LAG_MS: '1000',
      AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*',
      AIDHUB_DELIVERY_POLL_MS: '200',
      AIDHUB_JOB_TAKEOVER_MS: '0',
    });
    // The poller has seen 医保's two tables once: their watermarks are the tables' ends, by update time.
    await until('医保’s watermarks', async () => (await dbs.hubPool.query("SELECT source_table FROM monitoring_watermark WHERE source_table LIKE 'HEALTH:%@updt_time'"))[0] as unknown[], (r) => r.length === 2);

    const today = chinaDateOf(new Date());
    await writeSettlementAsDepartment(health, stay('SETL-HEADLINE-1', idNumber, today));

    await receiver.waitFor(1, 150_000);
    const [push] = receiver.pushes;
    expect(push).toMatchObject({ signatureValid: true, answered: 200 });
    expect(push.body).toMatchObject({ deliveryId: push.deliveryId, event: 'ALERT_OPENED', alert: { trigger: 'T1_SETTLEMENT_OOP', grade: 'ORANGE', region: VILLAGE } });
    expect(JSON.stringify(push.body)).not.toContain(idNumber);

    const [alert, ...more] = await alertsOf(idNumber);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ id: Number(push.body.alert.id), triggerId: 'T1_SETTLEMENT_OOP', householdId, townshipCode: TOWNSHIP, verifierOffice: TOWNSHIP, detectedBy: 'POLL', measure: 1_050_000, firstClueOn: today });
    expect(JSON.parse(alert.evidenceRefs)).toEqual(['HEALTH:settlement:SETL-HEADLINE-1']);
    // 签收 within one working day of the holiday calendar, verification within 15 days (a last day off running to the next working day, 民法典 art. 203).
    expect(alert.acknowledgeBy).toBe(addWorkingDays(today, 1).date);
    expect(alert.acknowledgeBy > today).toBe(true);
    expect(alert.verifyBy).toBe(addCalendarDays(today, 15, 'NEXT_WORKING_DAY').date);
    // The acknowledged push moved it: NEW → DELIVERED, recorded in its history.
    const delivered = await until('DELIVERED', () => alertsOf(idNumber), (a) => a[0]?.state === 'DELIVERED');
    expect(delivered).toHaveLength(1);
    expect((await historyOf(alert.id)).map((e) => [e.action, e.fromState, e.toState, e.actor])).toEqual([
      ['OPENED', null, 'NEW', 'hub'],
      ['DELIVERED', 'NEW', 'DELIVERED', 'hub'],
    ]);

    // The township's inbox, through the hub process's own HTTP API.
    const res = await fetch(`${hubProcess.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'MONITORING' },
      body: JSON.stringify({ query: '{ alerts(filter: { triggers: ["T1_SETTLEMENT_OOP"] }) { edges { node { id state grade acknowledgeBy verifyBy verifier { key } region { code } history { action } } } } }' }),
    });
    const inbox = (await res.json()) as { data: { alerts: { edges: { node: unknown }[] } }; errors?: unknown };
    expect(inbox.errors).toBeUndefined();
    expect(inbox.data.alerts.edges.map((e) => e.node)).toEqual([
      { id: String(alert.id), state: 'DELIVERED', grade: 'ORANGE', acknowledgeBy: alert.acknowledgeBy, verifyBy: alert.verifyBy, verifier: { key: TOWNSHIP }, region: { code: VILLAGE }, history: [{ action: 'OPENED' }, { action: 'DELIVERED' }] },
    ]);

    // The same row read again and again by later polls is still one alert and one push.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await alertsOf(idNumber)).toHaveLength(1);
    expect(receiver.pushes.filter((p) => p.body.alert.id === push.body.alert.id)).toHaveLength(1);
  });

  it('is seen when changed in place: a settlement corrected to a larger amount raises the same alert', async () => {
    const [before] = await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.triggerId, 'T1_SETTLEMENT_OOP'));
    // No new row: the department corrects the settlement's amounts where it stands (updt_time moves).
    await correctSettlementAsDepartment(health, 'SETL-HEADLINE-1', { totalYuan: '50500.00', outOfPocketYuan: '31000.00' });
    const [raised] = await until('the raise', () => dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, before.id)), (a) => a[0].measure === 3_100_000);
    expect(raised).toMatchObject({ grade: 'RED', state: 'DELIVERED' });
    expect((await historyOf(before.id)).map((e) => e.action)).toEqual(['OPENED', 'DELIVERED', 'RAISED']);
  });
});

describe('DELIVERED', () => {
  let poller: MonitoringPoller;
  const silent = pino({ level: 'silent' });
  let audit: AuditStore;
  const worker = () => new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [1, 1, 1], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 4, callbackHosts: ['127.0.0.1:*'] }, silent);

  beforeAll(async () => {
    // From here this process polls and delivers by hand: the hub process stops.
    if (hubProcess) await stopHubProcess(hubProcess);
    hubProcess = null;
    const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date() };
    audit = await deliveryAudit(dbs);
    poller = new MonitoringPoller(deps, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 });
  });

  afterAll(async () => {
    await poller?.stop();
    await audit?.close();
  });

  // Each test has its own subscriber: earlier ones are revoked, so their rows do not mix with its.
  beforeEach(async () => {
    const [subs] = (await dbs.hubPool.query("SELECT id FROM alert_subscription WHERE state = 'ACTIVE'")) as unknown as [{ id: number }[]];
    for (const s of subs) await revokeSubscription(dbs.hub, Number(s.id));
  });

  /** Polls 医保 until the settlement's alert is open (the commit lag holds a fresh row back a second or two). */
  async function alertFor(seq: number, setlId: string) {
    const { idNumber } = await resident(seq);
    await writeSettlementAsDepartment(health, stay(setlId, idNumber, chinaDateOf(new Date())));
    const [alert] = await until('the alert', async () => (await poller.tick('HEALTH'), alertsOf(idNumber)), (a) => a.length === 1);
    return alert;
  }

  it('waits for an acknowledged push: a refused one leaves the alert NEW', async () => {
    const receiver = await startAlertReceiver((n) => (n === 1 ? 503 : 200));
    receivers.push(receiver);
    receiver.setSecret(await subscriber('guhuai-flaky', receiver.url));
    const alert = await alertFor(23, 'SETL-FLAKY-1');
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
    expect((await alertsOf(alert.subjectIdNumber))[0].state).toBe('NEW');
    const second = await until('the retry', () => w.runOnce(), (r) => r.claimed === 1);
    expect(second).toMatchObject({ delivered: 1 });
    expect(receiver.pushes.map((p) => [p.deliveryId, p.answered])).toEqual([
      [receiver.pushes[0].deliveryId, 503],
      [receiver.pushes[0].deliveryId, 200],
    ]);
    expect((await alertsOf(alert.subjectIdNumber))[0].state).toBe('DELIVERED');
    expect((await historyOf(alert.id)).map((e) => e.action)).toEqual(['OPENED', 'DELIVERED']);
  });

  it('moves a round NEW → DELIVERED in a few statements a push at most, each alert with one DELIVERED event naming its push', async () => {
    const receiver = await startAlertReceiver();
    receivers.push(receiver);
    receiver.setSecret(await subscriber('guhuai-burst', receiver.url));
    const today = chinaDateOf(new Date());
    const people: string[] = [];
    for (let seq = 31; seq <= 38; seq++) {
      const { idNumber } = await resident(seq);
      await writeSettlementAsDepartment(health, stay(`SETL-BURST-${seq}`, idNumber, today));
      people.push(idNumber);
    }
    const alerts = (await until('eight alerts', async () => (await poller.tick('HEALTH'), Promise.all(people.map(alertsOf))), (a) => a.every((x) => x.length === 1))).flat();
    // One signed for before its push: a round moves the others and leaves it as it is.
    expect((await moveAlertRow(dbs.hub, alerts[3].id, { move: 'ACKNOWLEDGE', actor: 'GH-07', office: TOWNSHIP, reason: null, now: new Date() })).ok).toBe(true);
    const round = (batchSize: number) => countStatements(() => new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [1], retryJitter: 0, httpTimeoutMs: 30_000, batchSize, concurrency: 4, callbackHosts: ['127.0.0.1:*'] }, silent).runOnce());
    const small = await round(2);
    const large = await round(6);
    expect(small.result).toMatchObject({ claimed: 2, delivered: 2 });
    expect(large.result).toMatchObject({ claimed: 6, delivered: 6 });
    // Each acknowledged push is recorded before its slot begins another POST (a process killed
    // mid-round resends only those in flight: alert-delivery/kill-mid-round): a record is the same
    // statements whatever the pushes in it (those acknowledged while one was written go together), at
    // most RECORD a push, on top of the round's own. How many records depends on when answers arrive.
    const RECORD = 4;
    const statements = (r: typeof small) => r.counter.bySource.get('HUB')!;
    expect(statements(large)).toBeLessThanOrEqual(statements(small) + RECORD * large.result.delivered);
    expect(statements(large)).toBeGreaterThanOrEqual(statements(small) - RECORD * small.result.delivered);
    const pushOf = new Map(receiver.acknowledged().map((p) => [String(p.body.alert.id), p.deliveryId]));
    expect(pushOf.size).toBe(8);
    for (const a of alerts) {
      const history = await historyOf(a.id);
      if (a.id === alerts[3].id) {
        expect(history.map((e) => e.action)).toEqual(['OPENED', 'ACKNOWLEDGED']);
        expect((await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, a.id)))[0].state).toBe('ACKNOWLEDGED');
        continue;
      }
      expect(history.map((e) => [e.seq, e.action, e.fromState, e.toState, e.actor])).toEqual([
        [1, 'OPENED', null, 'NEW', 'hub'],
        [2, 'DELIVERED', 'NEW', 'DELIVERED', 'hub'],
      ]);
      expect(history[1].reason).toContain(pushOf.get(String(a.id)));
      expect((await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, a.id)))[0].state).toBe('DELIVERED');
    }
  });

  it('leaves an alert the township signed for before the push arrived as it is', async () => {
    const receiver = await startAlertReceiver();
    receivers.push(receiver);
    receiver.setSecret(await subscriber('guhuai-late', receiver.url));
    const alert = await alertFor(25, 'SETL-LATE-1');
    const signed = await moveAlertRow(dbs.hub, alert.id, { move: 'ACKNOWLEDGE', actor: 'GH-07', office: TOWNSHIP, reason: null, now: new Date() });
    expect(signed.ok).toBe(true);
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(receiver.acknowledged()).toHaveLength(1);
    expect((await alertsOf(alert.subjectIdNumber))[0].state).toBe('ACKNOWLEDGED');
    expect((await historyOf(alert.id)).map((e) => e.action)).toEqual(['OPENED', 'ACKNOWLEDGED']);
  });
});
