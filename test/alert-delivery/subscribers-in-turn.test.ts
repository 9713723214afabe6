/**
 * One round holding the pushes of two townships' subscriptions: 古槐街道's receiver failing every
 * push, 兖州区's answering. The subscriptions take turns in the round, so the second township's push
 * goes out second, not after every push of the first: in id order a receiver that hangs held another
 * township's push claimed in the same round for 200 ÷ 16 timeouts (two minutes at the defaults; four
 * were seen with two replicas). The pushes of one subscription keep their order. Real receivers on
 * 127.0.0.1 and a worker in this process against a real database; one POST at a time, so the order
 * the receivers see is the round's.
 */
import pino from 'pino';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { HOSTS, raise, subscribe, subscriberClient, syntheticAlert, workerTestBed } from './scenario';

const bed = workerTestBed('alert_subscribers_in_turn');

it('lets the subscriptions of one round take turns, each in its own order', async () => {
  const arrivals: string[] = [];
  const failing = await startAlertReceiver((_n, push) => (arrivals.push(`guhuai ${push.body.alert.id}`), 503));
  const answering = await startAlertReceiver((_n, push) => (arrivals.push(`yanzhou ${push.body.alert.id}`), 200));
  bed.receivers.push(failing, answering);
  await subscriberClient(bed.dbs.hub, 'yanzhou-alerts', '370812');
  const guhuai = await subscribe(bed.dbs.hub, 'rencheng-alerts', failing.url);
  const yanzhou = await subscribe(bed.dbs.hub, 'yanzhou-alerts', answering.url, { regionCodes: ['370812'] });
  failing.setSecret(guhuai.secret);
  answering.setSecret(yanzhou.secret);

  // Five of 古槐街道's queued first, then one of 兖州区's: one round claims all six.
  const first = Array.from({ length: 5 }, () => syntheticAlert());
  const other = syntheticAlert({ regionCode: '370812001201' });
  for (const a of [...first, other]) await raise(bed.dbs.hub, a);
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [60_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 10, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));
  expect(await worker.runOnce()).toMatchObject({ claimed: 6, delivered: 1, retried: 5, dead: 0 });

  expect(arrivals).toEqual([`guhuai ${first[0].alertId}`, `yanzhou ${other.alertId}`, ...first.slice(1).map((a) => `guhuai ${a.alertId}`)]);
  expect((await deliveriesOfAlert(bed.dbs.hub, other.alertId)).map((d) => d.state)).toEqual(['DELIVERED']);
  expect([...failing.pushes, ...answering.pushes].every((p) => p.signatureValid)).toBe(true);
}, 120_000);
