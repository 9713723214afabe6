/**
 * A receiver that answers 410 Gone says what the push was sent to is gone: the push is a dead
 * letter after that one attempt, its administrators are told (the notice says gone), and it is
 * replayable under the same delivery id once the receiver is back. It had been tried again on the
 * whole retry schedule (hours by default) before the same dead letter. A 500 is still retried. The
 * subscription stays active: revoking it is an administrator's call. A real receiver on 127.0.0.1
 * and a worker in this process against a real database.
 */
import pino from 'pino';
import { deliveriesOfAlert, deliveryNotices, replayDeadLetters } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker, RECEIVER_GONE } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { HOSTS, raise, subscribe, syntheticAlert, workerTestBed } from './scenario';

const bed = workerTestBed('alert_receiver_gone');

it('makes a push answered 410 a dead letter at once, retries a 500, and replays the 410 under its id', async () => {
  // What the receiver answers each alert's push, by alert id: set before each round.
  const answers = new Map<string, number>();
  const receiver = await startAlertReceiver((_n, push) => answers.get(push.body.alert.id) ?? 200);
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  // Retries due at once (0 ms), so a push that is retried is claimed again by the next round.
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [0, 0, 0], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));

  const goneAlert = syntheticAlert();
  answers.set(goneAlert.alertId, 410);
  await raise(bed.dbs.hub, goneAlert);
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 0, dead: 1 });
  const [gone] = await deliveriesOfAlert(bed.dbs.hub, goneAlert.alertId);
  expect(gone).toMatchObject({ state: 'DEAD', attempts: 1, lastStatus: 410, lastError: RECEIVER_GONE });
  // Nothing more is due: the retry schedule is not run for it.
  expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
  // Its subscription stays active: only an administrator revokes one.
  const [[{ state }]] = (await bed.dbs.hubPool.query('SELECT state FROM alert_subscription WHERE id = ?', [sub.subscription.id])) as any;
  expect(state).toBe('ACTIVE');
  // The administrators are told, as of any dead letter, and the notice says gone.
  const notices = await deliveryNotices(bed.dbs.hub, '2000-01-01', 10);
  expect(notices.map((n) => [n.clientId, n.deliveryId])).toEqual([['rencheng-alerts', gone.deliveryId]]);
  expect(notices[0].message).toMatch(/: gone \(the receiver answered 410 Gone at attempt 1/);

  // A 500 is a failure worth trying again: retried, not a dead letter.
  const failing = syntheticAlert();
  answers.set(failing.alertId, 500);
  await raise(bed.dbs.hub, failing);
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
  expect((await deliveriesOfAlert(bed.dbs.hub, failing.alertId))[0]).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });

  // The receiver is back: the 410's dead letter, replayed, is delivered under its delivery id (and the 500's retry with it).
  answers.clear();
  expect((await replayDeadLetters(bed.dbs.hub, { deliveryIds: [gone.deliveryId] })).map((d) => [d.deliveryId, d.state])).toEqual([[gone.deliveryId, 'PENDING']]);
  expect(await worker.runOnce()).toMatchObject({ claimed: 2, delivered: 2, retried: 0, dead: 0 });
  expect((await deliveriesOfAlert(bed.dbs.hub, goneAlert.alertId))[0]).toMatchObject({ deliveryId: gone.deliveryId, state: 'DELIVERED', lastStatus: 200 });

  const sent = (alertId: string) => receiver.pushes.filter((p) => p.body.alert.id === alertId).map((p) => [p.deliveryId, p.attempt, p.signatureValid, p.answered]);
  // One attempt answered 410, then the replay's, under the one delivery id.
  expect(sent(goneAlert.alertId)).toEqual([
    [gone.deliveryId, 1, true, 410],
    [gone.deliveryId, 1, true, 200],
  ]);
  expect(sent(failing.alertId).map(([, attempt, , answered]) => [attempt, answered])).toEqual([
    [1, 500],
    [2, 200],
  ]);
}, 120_000);
