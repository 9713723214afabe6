/**
 * A receiver's answer counts once its body has ended. One whose connection closed before the body
 * it announced ended (a receiver that crashed after writing `200`, a proxy dropping it) is no
 * acknowledgement, whatever its status: the attempt fails and is tried again under the same
 * delivery id. It had counted as its status, so the push was DELIVERED, never sent again, and its
 * alert DELIVERED too, though the receiver may have kept nothing. A long answer the hub stops
 * reading itself (past 64 KiB) still counts as its status. A real receiver on 127.0.0.1 and a
 * worker in this process against a real database.
 */
import pino from 'pino';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker, answerCutShort } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { HOSTS, raise, subscribe, syntheticAlert, workerTestBed } from './scenario';

const bed = workerTestBed('alert_cut_short');

it('tries again a push whose 200 was cut short, and takes a long 200 the hub stopped reading', async () => {
  // The first push's answer is cut short; its retry, and the next push, are answered in full.
  const receiver = await startAlertReceiver((n) => (n === 1 ? 'CUT_SHORT' : n === 2 ? 200 : 'LONG_OK'));
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  // A retry due at once (0 ms), so the second round sends it; one POST at a time, in claim order.
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [0], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));

  const cut = syntheticAlert();
  await raise(bed.dbs.hub, cut);
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
  const [failed] = await deliveriesOfAlert(bed.dbs.hub, cut.alertId);
  expect(failed).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: 200, lastError: answerCutShort(200) });

  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
  const [delivered] = await deliveriesOfAlert(bed.dbs.hub, cut.alertId);
  expect(delivered).toMatchObject({ state: 'DELIVERED', attempts: 2, lastStatus: 200, lastError: null });

  const long = syntheticAlert();
  await raise(bed.dbs.hub, long);
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
  const [longRow] = await deliveriesOfAlert(bed.dbs.hub, long.alertId);
  expect(longRow).toMatchObject({ state: 'DELIVERED', attempts: 1, lastStatus: 200 });

  // The cut-short push and its retry under one delivery id, attempts 1 and 2, both signed.
  expect(receiver.pushes.map((p) => [p.body.alert.id, p.deliveryId, p.attempt, p.signatureValid, p.answered])).toEqual([
    [cut.alertId, delivered.deliveryId, 1, true, null],
    [cut.alertId, delivered.deliveryId, 2, true, 200],
    [long.alertId, longRow.deliveryId, 1, true, 200],
  ]);
}, 120_000);
