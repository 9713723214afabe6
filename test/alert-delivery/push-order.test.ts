/**
 * What a receiver orders and de-duplicates pushes by: every body carries when its event happened
 * (`occurredAt`, the alert's own instant, not the send's) and its number among its subscription's
 * pushes (`sequence`, 1, 2, 3… in the order the events were committed), the same on every retry and
 * replay. A YELLOW replayed after the RED of the same alert arrived later and looked newer: the
 * bodies carried no order. Real receivers on 127.0.0.1, workers in this process, a real database.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { deadLetters, deliveriesOfAlert, replayDeadLetters } from '../../db/alert-delivery/store';
import { DEFAULT_LIMIT } from '../../domain/monitoring/triggers';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { TODAY } from '../support/scenarios';
import { until } from '../support/until';
import { endAlertTest, HOSTS, raise, subscribe, syntheticAlert, workerTestBed, writeJobLossAlert } from './scenario';

const bed = workerTestBed('alert_push_order');

const worker = () => new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [0, 0], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 4, callbackHosts: HOSTS }, pino({ level: 'silent' }));

/** A job-loss alert of the Wang head's at `grade`, written by the alert side at `now` (one identity: the second write raises it). */
const jobLossAlert = (grade: 'YELLOW' | 'RED', now: string) => writeJobLossAlert(bed.dbs, `push-order-${process.pid}`, grade, DEFAULT_LIMIT, now);

/** The stored bodies of a subscription's pushes, in outbox order. */
async function storedBodies(subscriptionId: number): Promise<{ id: number; body: any }[]> {
  const [rows] = (await bed.dbs.hubPool.query('SELECT id, payload FROM alert_delivery WHERE subscription_id = ? ORDER BY id', [subscriptionId])) as any;
  return rows.map((r: { id: number | string; payload: string }) => ({ id: Number(r.id), body: JSON.parse(r.payload) }));
}

afterEach(() => endAlertTest(bed.dbs.hub, bed.receivers));

it('tells a receiver that a YELLOW replayed after the RED of the same alert is the older: same time and sequence on every attempt', async () => {
  // The receiver refuses the YELLOW until it is fixed: the push is retried, then a dead letter; the
  // RED, held back while the YELLOW was pending, is delivered; the YELLOW replayed arrives after it.
  const fixed = { yellow: false };
  const receiver = await startAlertReceiver((_n, push) => (push.body.alert.grade === 'YELLOW' && !fixed.yellow ? 400 : 200));
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  const [opened] = await jobLossAlert('YELLOW', `${TODAY}T02:00:00.000Z`);
  const [raised] = await jobLossAlert('RED', `${TODAY}T03:30:00.000Z`);
  expect([opened.event, raised.event]).toEqual(['ALERT_OPENED', 'ALERT_RAISED']);
  const w = worker();
  const [yellow] = await until('the YELLOW a dead letter', async () => (await w.runOnce(), deadLetters(bed.dbs.hub, { subscriptionId: sub.subscription.id, first: 10 })), (d) => d.length === 1);
  await until('the RED delivered', async () => (await w.runOnce(), deliveriesOfAlert(bed.dbs.hub, String(opened.alert.id))), (d) => d[1]?.state === 'DELIVERED');
  fixed.yellow = true;
  expect(await replayDeadLetters(bed.dbs.hub, { deliveryIds: [yellow.deliveryId] })).toHaveLength(1);
  expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
  // Three YELLOW attempts, the RED, the YELLOW replayed: the RED first among those acknowledged.
  expect(receiver.pushes.map((p) => [p.body.alert.grade, p.answered])).toEqual([
    ['YELLOW', 400],
    ['YELLOW', 400],
    ['YELLOW', 400],
    ['RED', 200],
    ['YELLOW', 200],
  ]);
  expect(receiver.pushes.every((p) => p.signatureValid)).toBe(true);
  // Each push carries the instant of its own event and its place in the subscription's pushes, the
  // same on every attempt and on the replay: the receiver keeps RED (the greater sequence).
  const order = (grade: string) => [...new Set(receiver.pushes.filter((p) => p.body.alert.grade === grade).map((p) => JSON.stringify([p.deliveryId, p.body.occurredAt, p.body.sequence])))].map((x) => JSON.parse(x));
  expect(order('YELLOW')).toEqual([[yellow.deliveryId, `${TODAY}T02:00:00.000Z`, 1]]);
  expect(order('RED')).toEqual([[expect.any(String), `${TODAY}T03:30:00.000Z`, 2]]);
  // Last in the body, after what was there before: receivers that ignore unknown fields go on working.
  expect(Object.keys(receiver.pushes[0].body)).toEqual(['deliveryId', 'event', 'alert', 'occurredAt', 'sequence']);
}, 120_000);

it('numbers each subscription’s pushes 1, 2, 3… without a repeat, whatever the transactions queuing them at once', async () => {
  const all = await subscribe(bed.dbs.hub, 'rencheng-alerts', 'http://127.0.0.1:9/all');
  const red = await subscribe(bed.dbs.hub, 'rencheng-alerts', 'http://127.0.0.1:9/red', { grades: ['RED'] });
  // Twelve alerts raised by twelve transactions at once, every other one RED.
  await Promise.all(Array.from({ length: 12 }, (_, i) => raise(bed.dbs.hub, syntheticAlert({ grade: i % 2 === 0 ? 'RED' : 'YELLOW' }))));
  const [allBodies, redBodies] = [await storedBodies(all.subscription.id), await storedBodies(red.subscription.id)];
  // In the order the outbox holds them (queued under the subscription lock, so in commit order).
  expect(allBodies.map((b) => b.body.sequence)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  expect(redBodies.map((b) => b.body.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
  const [[{ last }]] = (await bed.dbs.hubPool.query('SELECT last_sequence AS last FROM alert_subscription WHERE id = ?', [all.subscription.id])) as any;
  expect(Number(last)).toBe(12);
}, 120_000);

it('sends a push queued before the order existed with its row’s time and id, and numbers the subscription’s next pushes above them (migration 0007)', async () => {
  const receiver = await startAlertReceiver(() => 200);
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  await raise(bed.dbs.hub, syntheticAlert());
  await raise(bed.dbs.hub, syntheticAlert());
  // As the code before queued them: no order in the bodies, none kept on the subscription.
  for (const { id, body } of await storedBodies(sub.subscription.id)) {
    const { occurredAt: _o, sequence: _s, ...before } = body;
    await bed.dbs.hubPool.query('UPDATE alert_delivery SET payload = ? WHERE id = ?', [JSON.stringify(before), id]);
  }
  await bed.dbs.hubPool.query('UPDATE alert_subscription SET last_sequence = 0 WHERE id = ?', [sub.subscription.id]);
  // The migration's own statement, as it runs on an upgrade.
  const migration = fs.readFileSync(path.join(__dirname, '../../db/alert-delivery/migrations/0007_push_order.sql'), 'utf8').split('--> statement-breakpoint');
  await bed.dbs.hubPool.query(migration[migration.length - 1]);
  const [rows] = (await bed.dbs.hubPool.query('SELECT id, CAST(created_at AS CHAR) AS createdAt FROM alert_delivery WHERE subscription_id = ? ORDER BY id', [sub.subscription.id])) as any;
  const [[{ last }]] = (await bed.dbs.hubPool.query('SELECT last_sequence AS last FROM alert_subscription WHERE id = ?', [sub.subscription.id])) as any;
  expect(Number(last)).toBe(Number(rows[1].id));
  const later = syntheticAlert();
  await raise(bed.dbs.hub, later);
  const w = worker();
  await until('three delivered', async () => (await w.runOnce(), receiver.acknowledged()), (a) => a.length === 3);
  const asIso = (v: string) => `${v.replace(' ', 'T').slice(0, 23)}Z`;
  expect(receiver.acknowledged().map((p) => [p.body.occurredAt, p.body.sequence])).toEqual([
    [asIso(rows[0].createdAt), Number(rows[0].id)],
    [asIso(rows[1].createdAt), Number(rows[1].id)],
    [later.occurredAt, Number(rows[1].id) + 1],
  ]);
  // The order sent is kept: a replay sends the same.
  expect((await storedBodies(sub.subscription.id)).map((b) => b.body.sequence)).toEqual(receiver.acknowledged().map((p) => p.body.sequence));
}, 120_000);
