/**
 * "Receiver back, send now": a push that failed while its receiver was down waits for its retry
 * (here 10 minutes, as the schedule's later delays are hours); once the receiver acknowledges another
 * push of the same subscription, the waiting push is due at once and the next round sends it. Before,
 * it waited out its delay. A push the receiver refused while answering (500) keeps its schedule, and
 * one under another process's live claim is left alone. Rounds run one by one (runOnce), so what is
 * due is decided by the database, not by how long the test waits. A real receiver on 127.0.0.1 and
 * a worker in this process against a real database.
 */
import pino from 'pino';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { endAlertTest, HOSTS, raise, subscribe, syntheticAlert, workerTestBed } from './scenario';

const bed = workerTestBed('alert_receiver_back');

/** A worker whose failed pushes wait 10 minutes for their retry. */
const worker = () => new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [600_000, 600_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));

/** A receiver that answers `down` (a status) while it is down, and 200 once it is back. */
async function flakyReceiver(down: number) {
  const state = { back: false };
  const receiver = await startAlertReceiver(() => (state.back ? 200 : down));
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  return { receiver, sub, state };
}

/** When a push's next attempt is due, as stored. */
async function nextAttempt(alertId: string): Promise<unknown> {
  const [rows] = (await bed.dbs.hubPool.query('SELECT next_attempt_at AS at FROM alert_delivery WHERE alert_id = ?', [alertId])) as any;
  return rows[0].at;
}

afterEach(() => endAlertTest(bed.dbs.hub, bed.receivers));

it('sends a push waiting for its retry as soon as its receiver, down when it was tried, acknowledges another', async () => {
  const { receiver, state } = await flakyReceiver(503);
  const w = worker();
  const first = syntheticAlert();
  await raise(bed.dbs.hub, first);
  expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1 });
  // Waiting 10 minutes: nothing is due.
  expect(await w.runOnce()).toMatchObject({ claimed: 0 });
  // The receiver is back; the next alert's push is acknowledged, and the waiting one is due now.
  state.back = true;
  const second = syntheticAlert();
  await raise(bed.dbs.hub, second);
  expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1, woken: 1 });
  expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1, woken: 0 });
  expect((await deliveriesOfAlert(bed.dbs.hub, first.alertId))[0]).toMatchObject({ state: 'DELIVERED', attempts: 2, lastStatus: 200 });
  // The same push both times, under its delivery id; the alert raised since went first.
  expect(receiver.pushes.map((p) => [p.body.alert.id, p.attempt, p.answered])).toEqual([
    [first.alertId, 1, 503],
    [second.alertId, 1, 200],
    [first.alertId, 2, 200],
  ]);
  expect(new Set(receiver.pushes.filter((p) => p.body.alert.id === first.alertId).map((p) => p.deliveryId)).size).toBe(1);
}, 120_000);

it('leaves a push the receiver refused while answering (500) to its schedule, and one another process is sending to that process', async () => {
  const { receiver, state } = await flakyReceiver(500);
  const w = worker();
  const refused = syntheticAlert();
  await raise(bed.dbs.hub, refused);
  expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
  // A push that failed while the receiver was down (no answer), now held by another hub process's
  // round (a live claim): that process settles it, so it is not made due under it.
  const held = syntheticAlert();
  await raise(bed.dbs.hub, held);
  await bed.dbs.hubPool.query(
    "UPDATE alert_delivery SET attempts = 1, last_status = NULL, last_error = 'ECONNREFUSED', next_attempt_at = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL 10 MINUTE), claim_token = 'another-hub:1', claim_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL 10 MINUTE) WHERE alert_id = ?",
    [held.alertId],
  );
  const [refusedAt, heldAt] = [await nextAttempt(refused.alertId), await nextAttempt(held.alertId)];
  state.back = true;
  const other = syntheticAlert();
  await raise(bed.dbs.hub, other);
  expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1, woken: 0 });
  expect(await w.runOnce()).toMatchObject({ claimed: 0 });
  expect([await nextAttempt(refused.alertId), await nextAttempt(held.alertId)]).toEqual([refusedAt, heldAt]);
  expect(receiver.pushes.map((p) => [p.body.alert.id, p.answered])).toEqual([
    [refused.alertId, 500],
    [other.alertId, 200],
  ]);
}, 120_000);
