/**
 * Pushing alerts to subscribers, with delivery workers in this process against a real database
 * and real receivers on 127.0.0.1: matching, signing, retries with the same delivery id, dead
 * letters with one notice per subscriber per day, replay, and two workers sharing one outbox.
 */
import pino from 'pino';
import type { AuditStore } from '../../access/audit';
import type { AlertDeliveryConfig } from '../../db/config';
import { deadLetters, deliveriesOfAlert, deliveryNotices, replayDeadLetters, revokeSubscription } from '../../db/alert-delivery/store';
import { enqueueAlertDeliveries } from '../../db/alert-delivery/outbox';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { freePort } from '../../db/setup/private-server';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { until } from '../support/until';
import { deliveryAudit } from '../support/alerts';
import { DEFAULT_LIMIT, type Limit } from '../../domain/monitoring/triggers';
import { HOSTS, insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert, TOWNSHIP, writeJobLossAlert as jobLossAlert } from './scenario';
import { lockingTransaction } from '../../db/locking';

let dbs: TestDatabases;
const receivers: AlertReceiver[] = [];
const workers: AlertDeliveryWorker[] = [];
const silent = pino({ level: 'silent' });
let audit: AuditStore;

function config(over: Partial<AlertDeliveryConfig> = {}): AlertDeliveryConfig {
  return { pollMs: 100, retryScheduleMs: [100, 200, 300, 400, 500], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 8, callbackHosts: HOSTS, ...over };
}

function worker(over: Partial<AlertDeliveryConfig> = {}): AlertDeliveryWorker {
  const w = new AlertDeliveryWorker(dbs.hub, audit, config(over), silent);
  workers.push(w);
  w.start();
  return w;
}

async function receiver(...args: Parameters<typeof startAlertReceiver>): Promise<AlertReceiver> {
  const r = await startAlertReceiver(...args);
  receivers.push(r);
  return r;
}

/** A job-loss alert of the Wang head's (scenario.ts writeJobLossAlert), in this file's databases. */
const writeJobLossAlert = (identity: string, grade: 'YELLOW' | 'RED', limit: Limit) => jobLossAlert(dbs, identity, grade, limit);

beforeAll(async () => {
  dbs = await createTestDatabases('alert_delivery');
  await insertSubscribedRegions(dbs.hub);
  audit = await deliveryAudit(dbs);
  await subscriberClient(dbs.hub, 'rencheng-alerts');
  await subscriberClient(dbs.hub, 'yanzhou-alerts', '370812');
}, 300_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  // Each test starts from no subscription: earlier ones are revoked.
  const [rows] = (await dbs.hubPool.query("SELECT id FROM alert_subscription WHERE state = 'ACTIVE'")) as any;
  for (const r of rows) await revokeSubscription(dbs.hub, Number(r.id));
}, 60_000);

afterAll(async () => {
  await audit?.close();
  await dbs?.close();
}, 60_000);

describe('subscriptions', () => {
  it('refuses a callback host that is not on the allow-list, and regions outside the client’s scope', async () => {
    const base = { clientName: 'rencheng-alerts', regionCodes: [TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' };
    expect(await createSubscription(dbs.hub, HOSTS, { ...base, callbackUrl: 'http://169.254.169.254/latest' })).toMatchObject({ ok: false, code: 'CALLBACK_HOST_NOT_ALLOWED' });
    expect(await createSubscription(dbs.hub, [], { ...base, callbackUrl: 'http://127.0.0.1:9/x' })).toMatchObject({ ok: false, code: 'CALLBACK_HOST_NOT_ALLOWED' });
    expect(await createSubscription(dbs.hub, HOSTS, { ...base, callbackUrl: 'file:///etc/passwd' })).toMatchObject({ ok: false, code: 'CALLBACK_URL_INVALID' });
    expect(await createSubscription(dbs.hub, HOSTS, { ...base, callbackUrl: 'http://127.0.0.1:9/x', regionCodes: ['370812'] })).toMatchObject({ ok: false, code: 'REGION_OUTSIDE_CLIENT_SCOPE' });
    expect(await createSubscription(dbs.hub, HOSTS, { ...base, callbackUrl: 'http://127.0.0.1:9/x', clientName: 'nobody' })).toMatchObject({ ok: false, code: 'CLIENT_NOT_FOUND' });
    expect(await createSubscription(dbs.hub, HOSTS, { ...base, callbackUrl: 'http://127.0.0.1:9/x', grades: ['PURPLE'] })).toMatchObject({ ok: false, code: 'GRADE_INVALID' });
    const [[{ n }]] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM alert_subscription')) as any;
    expect(Number(n)).toBe(0);
  });

  it('writes one outbox row per matching subscription, inside the caller’s transaction', async () => {
    await subscribe(dbs.hub, 'rencheng-alerts', 'http://127.0.0.1:9/a');
    await subscribe(dbs.hub, 'rencheng-alerts', 'http://127.0.0.1:9/b', { grades: ['RED'], triggerIds: ['T1_SETTLEMENT_OOP'] });
    await subscribe(dbs.hub, 'rencheng-alerts', 'http://127.0.0.1:9/c', { grades: ['YELLOW'] });
    await subscribe(dbs.hub, 'yanzhou-alerts', 'http://127.0.0.1:9/d', { regionCodes: ['370812'] });
    const red = syntheticAlert();
    expect(await raise(dbs.hub, red)).toBe(2);
    expect(await raise(dbs.hub, syntheticAlert({ regionCode: '370812001001' }))).toBe(1);
    // Rolled back with the alert: no row.
    const lost = syntheticAlert();
    await expect(
      lockingTransaction(dbs.hub, async (tx) => {
        await enqueueAlertDeliveries(tx, lost);
        throw new Error('the alert write failed');
      }),
    ).rejects.toThrow('the alert write failed');
    expect(await deliveriesOfAlert(dbs.hub, lost.alertId)).toEqual([]);
    const rows = await deliveriesOfAlert(dbs.hub, red.alertId);
    expect(rows.map((r) => r.state)).toEqual(['PENDING', 'PENDING']);
    expect(new Set(rows.map((r) => r.deliveryId)).size).toBe(2);
    // The payload is minimal: nothing but the envelope's fields, the delivery id and the push's order.
    const [[{ payload }]] = (await dbs.hubPool.query('SELECT payload FROM alert_delivery WHERE delivery_id = ?', [rows[0].deliveryId])) as any;
    expect(JSON.parse(payload)).toEqual({
      deliveryId: rows[0].deliveryId,
      event: 'ALERT_OPENED',
      alert: { id: red.alertId, trigger: red.triggerId, grade: 'RED', region: red.regionCode, maskedSubject: '张*', verifyBy: '2026-03-27', provisional: false, decideBy: '2026-03-31' },
      // When the alert's event happened, and the push's number among its subscription's (its first).
      occurredAt: red.occurredAt,
      sequence: 1,
    });
    // The decision date was added last: the fields before it, and so their order, are as they were.
    expect(Object.keys(JSON.parse(payload).alert)).toEqual(['id', 'trigger', 'grade', 'region', 'maskedSubject', 'verifyBy', 'provisional', 'decideBy']);
  });

  it('tells a revoked or expired client of no alert: it reads none with its token', async () => {
    for (const [name, change] of [['revoked-alerts', 'revoked_at'], ['expired-alerts', 'expires_at']] as const) {
      await subscriberClient(dbs.hub, name);
      await subscribe(dbs.hub, name, `http://127.0.0.1:9/${name}`);
      expect(await raise(dbs.hub, syntheticAlert())).toBe(1);
      await dbs.hubPool.query(`UPDATE api_client SET ${change} = '2026-01-01 00:00:00.000' WHERE name = ?`, [name]);
      const later = syntheticAlert();
      expect(await raise(dbs.hub, later)).toBe(0);
      expect(await deliveriesOfAlert(dbs.hub, later.alertId)).toEqual([]);
      const [rows] = (await dbs.hubPool.query("SELECT id FROM alert_subscription WHERE state = 'ACTIVE'")) as any;
      for (const r of rows) await revokeSubscription(dbs.hub, Number(r.id));
    }
  });
});

describe('delivery', () => {
  it('delivers to a receiver that fails three times and then recovers, with the same delivery id every time', async () => {
    const r = await receiver((n) => (n <= 3 ? 503 : 200));
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', r.url);
    r.setSecret(sub.secret);
    const alert = syntheticAlert();
    await raise(dbs.hub, alert);
    const [row] = await deliveriesOfAlert(dbs.hub, alert.alertId);
    worker();
    await r.waitFor(4);
    const done = await until('delivered', () => deliveriesOfAlert(dbs.hub, alert.alertId), ([d]) => d.state === 'DELIVERED');
    expect(done[0]).toMatchObject({ state: 'DELIVERED', attempts: 4, lastStatus: 200 });
    expect(r.pushes.map((p) => [p.deliveryId, p.attempt, p.signatureValid])).toEqual([1, 2, 3, 4].map((n) => [row.deliveryId, n, true]));
    expect(r.acknowledged().map((p) => p.body.alert.id)).toEqual([alert.alertId]);
  }, 180_000);

  it('sends the pushes of one alert to a subscriber in the order they were raised: a later one waits while an earlier one is retried', async () => {
    // A receiver down for a moment got an alert's RAISED push (RED) before the retry of its OPENED
    // one (ORANGE), and kept ORANGE as the alert's grade: the bodies carry no order of their own.
    const r = await receiver((n) => (n === 1 ? 500 : 200));
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', r.url);
    r.setSecret(sub.secret);
    const opened = syntheticAlert({ grade: 'ORANGE' });
    await raise(dbs.hub, opened);
    // One row a round: a held-back push at the head of the queue must not keep the others waiting.
    worker({ retryScheduleMs: [4000], batchSize: 1 });
    await r.waitFor(1);
    await until('the failed attempt settled', () => deliveriesOfAlert(dbs.hub, opened.alertId), ([d]) => d.attempts === 1 && d.lastStatus === 500);
    // Raised while the opening push waits for its retry; another alert meanwhile is not held up.
    await raise(dbs.hub, { ...opened, grade: 'RED', event: 'ALERT_RAISED' });
    const other = syntheticAlert();
    await raise(dbs.hub, other);
    await r.waitFor(4);
    await until('all delivered', () => deliveriesOfAlert(dbs.hub, opened.alertId), (rows) => rows.length === 2 && rows.every((d) => d.state === 'DELIVERED'));
    expect(r.acknowledged().map((p) => [p.body.alert.id, p.body.event, p.body.alert.grade])).toEqual([
      [other.alertId, 'ALERT_OPENED', 'RED'],
      [opened.alertId, 'ALERT_OPENED', 'ORANGE'],
      [opened.alertId, 'ALERT_RAISED', 'RED'],
    ]);
  }, 180_000);

  it('pushes each alert’s decision date, and the raise to a graver grade that brings it forward pushes the new one', async () => {
    // Written by the alert side itself (writeAlerts, as the change feed writes them): opened YELLOW
    // with the published limit (decided within 15 days of the first clue), raised to RED under a
    // locality's limit of 8 days.
    const r = await receiver(() => 200);
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', r.url);
    r.setSecret(sub.secret);
    const red: Limit = { acknowledgeWorkingDays: 1, verifyDays: 5, decideDays: 8 };
    const identity = `decide-by-push-${process.pid}`;
    const [opened] = await writeJobLossAlert(identity, 'YELLOW', DEFAULT_LIMIT);
    const [raised] = await writeJobLossAlert(identity, 'RED', red);
    expect([opened.event, raised.event, raised.alert.id]).toEqual(['ALERT_OPENED', 'ALERT_RAISED', opened.alert.id]);
    worker();
    await r.waitFor(2);
    await until('both delivered', () => deliveriesOfAlert(dbs.hub, String(opened.alert.id)), (rows) => rows.length === 2 && rows.every((d) => d.state === 'DELIVERED'));
    expect(r.pushes.every((p) => p.signatureValid)).toBe(true);
    expect(r.acknowledged().map((p) => [p.body.event, p.body.alert.grade, p.body.alert.verifyBy, p.body.alert.decideBy])).toEqual([
      // Both sent after the raise: the decision day is the alert's when sent, the rest as queued.
      ['ALERT_OPENED', 'YELLOW', '2026-03-30', '2026-03-23'],
      ['ALERT_RAISED', 'RED', '2026-03-20', '2026-03-23'],
    ]);
  }, 180_000);

  it('sends each push with its alert’s decision day as it is when sent: one queued before decideBy existed gets it, one queued with an older day the new one', async () => {
    // Pushes queued before the upgrade carry no decideBy; one queued before the hub counted a
    // backfilled alert's day under its grade's limit names 0008's default (30 March).
    const withoutDay = await receiver(() => 200);
    const olderDay = await receiver(() => 200);
    const subs = [await subscribe(dbs.hub, 'rencheng-alerts', withoutDay.url), await subscribe(dbs.hub, 'rencheng-alerts', olderDay.url)];
    withoutDay.setSecret(subs[0].secret);
    olderDay.setSecret(subs[1].secret);
    const [opened] = await writeJobLossAlert(`decide-by-queued-${process.pid}`, 'YELLOW', DEFAULT_LIMIT);
    const alertId = String(opened.alert.id);
    const queued = (await dbs.hubPool.query('SELECT delivery_id AS deliveryId, subscription_id AS subscriptionId, payload FROM alert_delivery WHERE alert_id = ? ORDER BY id', [alertId]))[0] as { deliveryId: string; subscriptionId: number; payload: string }[];
    expect(queued.map((q) => Number(q.subscriptionId))).toEqual(subs.map((x) => x.subscription.id));
    // The first as the code before decideBy queued it: the same body without the field.
    const stripped = JSON.parse(queued[0].payload);
    delete stripped.alert.decideBy;
    await dbs.hubPool.query('UPDATE alert_delivery SET payload = ? WHERE delivery_id = ?', [JSON.stringify(stripped), queued[0].deliveryId]);
    // The alert's day counted since (the start-up count under a locality's 18 days).
    await dbs.hubPool.query("UPDATE monitoring_alert SET decide_by = '2026-04-02' WHERE id = ?", [alertId]);
    worker();
    await withoutDay.waitFor(1);
    await olderDay.waitFor(1);
    await until('both delivered', () => deliveriesOfAlert(dbs.hub, alertId), (rows) => rows.length === 2 && rows.every((d) => d.state === 'DELIVERED'));
    const [a, b] = [withoutDay.acknowledged(), olderDay.acknowledged()];
    expect([a.length, b.length]).toEqual([1, 1]);
    // Signed over the body sent (the receiver checks it with its own HMAC), under the delivery id queued.
    expect([a[0].deliveryId, b[0].deliveryId]).toEqual(queued.map((q) => q.deliveryId));
    expect([a[0].body.alert.decideBy, b[0].body.alert.decideBy]).toEqual(['2026-04-02', '2026-04-02']);
    // Nothing else changed, and the field is last, where a body built now has it.
    expect(a[0].body).toEqual({ ...stripped, alert: { ...stripped.alert, decideBy: '2026-04-02' } });
    expect(Object.keys(a[0].body.alert)).toEqual(['id', 'trigger', 'grade', 'region', 'maskedSubject', 'verifyBy', 'provisional', 'decideBy']);
    expect(b[0].body).toEqual({ ...JSON.parse(queued[1].payload), alert: { ...JSON.parse(queued[1].payload).alert, decideBy: '2026-04-02' } });
    // The outbox keeps what was sent: a replay starts from it.
    const stored = (await dbs.hubPool.query('SELECT payload FROM alert_delivery WHERE alert_id = ? ORDER BY id', [alertId]))[0] as { payload: string }[];
    expect(stored.map((x) => JSON.parse(x.payload))).toEqual([a[0].body, b[0].body]);
  }, 180_000);

  it('makes a dead letter of a receiver that is down, tells the administrators once a day, and replays it with the same delivery id', async () => {
    const port = await freePort();
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', `http://127.0.0.1:${port}/aidhub/alerts`);
    const first = syntheticAlert();
    const second = syntheticAlert({ grade: 'ORANGE' });
    await raise(dbs.hub, first);
    await raise(dbs.hub, second);
    worker({ retryScheduleMs: [50, 50, 50] });
    const dead = await until('dead letters', () => deadLetters(dbs.hub, { subscriptionId: sub.subscription.id, first: 10 }), (d) => d.length === 2);
    expect(dead.map((d) => d.attempts)).toEqual([4, 4]);
    expect(dead.every((d) => d.lastStatus === null && d.lastError === 'ECONNREFUSED')).toBe(true);
    // Two dead letters for one subscriber on one day: one notice.
    const notices = (await deliveryNotices(dbs.hub, '2000-01-01', 10)).filter((n) => n.subscriptionId === sub.subscription.id);
    expect(notices).toHaveLength(1);
    expect(notices[0].clientId).toBe('rencheng-alerts');

    // The receiver comes up on its address; replay puts the dead letters back, ids unchanged.
    const r = await receiver(() => 200, port);
    r.setSecret(sub.secret);
    const replayed = await replayDeadLetters(dbs.hub, { deliveryIds: [dead[0].deliveryId] });
    // As the replay left it, whatever the worker has done since.
    expect(replayed.map((d) => [d.deliveryId, d.state, d.attempts])).toEqual([[dead[0].deliveryId, 'PENDING', 0]]);
    await r.waitFor(1);
    await until('replayed delivery', () => deliveriesOfAlert(dbs.hub, dead[0].alertId), ([d]) => d.state === 'DELIVERED');
    expect(r.acknowledged().map((p) => p.deliveryId)).toEqual([dead[0].deliveryId]);
    // A replay counts its attempts from 1 again (the retry schedule and a dead letter's count are per
    // round): the header and the audit entry repeat the number, told apart by their time (README).
    expect(r.acknowledged().map((p) => p.attempt)).toEqual([1]);
    const [entries] = (await dbs.hubPool.query('SELECT operation FROM access_log WHERE request_id = ? ORDER BY seq', [dead[0].deliveryId])) as unknown as [{ operation: string }[]];
    expect(entries.map((e) => e.operation.replace(/.*, /, ''))).toEqual(['attempt 1', 'attempt 2', 'attempt 3', 'attempt 4', 'attempt 1']);
    // The other stays dead until replayed too.
    expect((await deadLetters(dbs.hub, { subscriptionId: sub.subscription.id, first: 10 })).map((d) => d.deliveryId)).toEqual([dead[1].deliveryId]);
    expect((await replayDeadLetters(dbs.hub, { subscriptionId: sub.subscription.id })).map((d) => d.deliveryId)).toEqual([dead[1].deliveryId]);
    await r.waitFor(2);
    expect(r.acknowledged().map((p) => p.deliveryId).sort()).toEqual([dead[0].deliveryId, dead[1].deliveryId].sort());
  }, 180_000);

  it('refuses to send to a host taken off the allow-list after subscribing', async () => {
    const r = await receiver(() => 200);
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', r.url);
    const alert = syntheticAlert();
    await raise(dbs.hub, alert);
    worker({ callbackHosts: ['alerts.example.gov.cn'], retryScheduleMs: [50] });
    const [d] = await until('dead letter', () => deliveriesOfAlert(dbs.hub, alert.alertId), ([x]) => x.state === 'DEAD');
    expect(d.lastError).toBe('CALLBACK_HOST_NOT_ALLOWED');
    expect(r.pushes).toHaveLength(0);
    expect(sub.subscription.state).toBe('ACTIVE');
  }, 120_000);

  it('a worker stopped mid-round begins no more pushes and gives the rest of its claim back at once', async () => {
    // A hub stopped with SIGTERM went on sending the whole batch it had claimed (up to 200 pushes,
    // 16 at a time, each up to its timeout) before it would exit; a service manager's SIGKILL then
    // left the unsent rows claimed until the lease ran out, minutes, while other processes idled.
    const r = await receiver((n) => (n === 1 ? 'HANG' : 200));
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', r.url);
    r.setSecret(sub.secret);
    for (let i = 0; i < 4; i++) await raise(dbs.hub, syntheticAlert());
    const w = worker({ concurrency: 1, batchSize: 10, httpTimeoutMs: 3_000 });
    await r.waitFor(1);
    await w.stop();
    // The push in flight finished (timed out); none was begun after the stop.
    expect(r.pushes).toHaveLength(1);
    const [rows] = (await dbs.hubPool.query('SELECT delivery_id, state, attempts, claim_token FROM alert_delivery WHERE subscription_id = ? ORDER BY id', [sub.subscription.id])) as any;
    const sent = rows.find((x: any) => x.delivery_id === r.pushes[0].deliveryId);
    expect(sent).toMatchObject({ state: 'PENDING', attempts: 1, claim_token: null });
    // The others are free for any worker now, their attempt not counted.
    const rest = rows.filter((x: any) => x !== sent);
    expect(rest.map((x: any) => [x.state, x.attempts, x.claim_token])).toEqual([0, 1, 2].map(() => ['PENDING', 0, null]));
  }, 120_000);

  it('two workers on one outbox send every delivery once, each to its own claim', async () => {
    const r = await receiver(() => 200);
    const sub = await subscribe(dbs.hub, 'rencheng-alerts', r.url);
    r.setSecret(sub.secret);
    const alerts = Array.from({ length: 300 }, () => syntheticAlert());
    for (const a of alerts) await raise(dbs.hub, a);
    worker({ batchSize: 20, concurrency: 4 });
    worker({ batchSize: 20, concurrency: 4 });
    await r.waitFor(300);
    await until('all delivered', async () => {
      const [[{ n }]] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM alert_delivery WHERE subscription_id = ? AND state = 'DELIVERED'", [sub.subscription.id])) as any;
      return Number(n);
    }, (n) => n === 300);
    const ids = r.pushes.map((p) => p.deliveryId);
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    expect(new Set(r.pushes.map((p) => p.body.alert.id))).toEqual(new Set(alerts.map((a) => a.alertId)));
    expect(r.pushes.every((p) => p.signatureValid && p.attempt === 1)).toBe(true);
  }, 180_000);
});
