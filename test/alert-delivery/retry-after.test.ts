/**
 * A receiver answering 429 or 503 with `Retry-After` is not tried again before it said: the next
 * attempt waits for the later of the schedule's delay and the receiver's, never past the schedule's
 * longest delay. It had been tried again on the schedule alone (3 s after a first failure by default),
 * knocking on a receiver that had said when to come back. `Retry-After` on another status, or one
 * that is no delay or date, leaves the schedule alone. A real receiver on 127.0.0.1 and a worker in
 * this process against a real database; what is asserted is the stored next attempt, not a clock.
 */
import pino from 'pino';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { HOSTS, raise, subscribe, syntheticAlert, workerTestBed } from './scenario';

const bed = workerTestBed('alert_retry_after');

it('waits as long as the receiver’s Retry-After says on a 429 or 503, up to the schedule’s longest delay, and ignores it elsewhere', async () => {
  const answers = new Map<string, { status: number; headers: Record<string, string> }>();
  const receiver = await startAlertReceiver((_n, push) => answers.get(push.body.alert.id) ?? 200);
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  // The schedule's first delays are 0 (a retry due at once); its longest is an hour.
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [0, 0, 3_600_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));
  const inFuture = new Date(Date.now() + 20 * 60_000).toUTCString();
  const cases = [
    { answer: { status: 503, headers: { 'retry-after': '600' } }, waits: [500, 600] },
    { answer: { status: 429, headers: { 'retry-after': inFuture } }, waits: [1_100, 1_200] },
    // Ten days asked: an hour, the schedule's longest delay.
    { answer: { status: 503, headers: { 'retry-after': String(10 * 86_400) } }, waits: [3_500, 3_600] },
    // Not read: a 500's, and one that is neither a delay nor a date.
    { answer: { status: 500, headers: { 'retry-after': '600' } }, waits: null },
    { answer: { status: 503, headers: { 'retry-after': 'soon' } }, waits: null },
  ];
  const alerts = [];
  for (const c of cases) {
    const alert = syntheticAlert();
    answers.set(alert.alertId, c.answer);
    await raise(bed.dbs.hub, alert);
    alerts.push(alert);
  }
  expect(await worker.runOnce()).toMatchObject({ claimed: cases.length, delivered: 0, retried: cases.length, dead: 0 });

  const [rows] = (await bed.dbs.hubPool.query(
    'SELECT delivery_id AS deliveryId, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), next_attempt_at) AS waits FROM alert_delivery',
  )) as any;
  const waits = new Map<string, number>(rows.map((r: any) => [r.deliveryId, Number(r.waits)]));
  for (const [i, c] of cases.entries()) {
    const [delivery] = await deliveriesOfAlert(bed.dbs.hub, alerts[i].alertId);
    expect(delivery).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: c.answer.status, lastError: `HTTP ${c.answer.status}` });
    const left = waits.get(delivery.deliveryId)!;
    if (c.waits === null) expect(left).toBeLessThanOrEqual(0);
    else {
      expect(left).toBeGreaterThanOrEqual(c.waits[0]);
      expect(left).toBeLessThanOrEqual(c.waits[1]);
    }
  }
  // The two whose Retry-After was not read are due again now; the others wait.
  answers.clear();
  expect(await worker.runOnce()).toMatchObject({ claimed: 2, delivered: 2 });
  expect(receiver.pushes.map((p) => p.answered)).toEqual([503, 429, 503, 500, 503, 200, 200]);
}, 120_000);
