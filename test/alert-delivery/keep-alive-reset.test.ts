/**
 * A push sent on a pooled keep-alive connection that the receiver closed as it went out (its idle
 * timeout shorter than the pool supposes) is sent again at once on a new connection, within the
 * same attempt: it is delivered at attempt 1, not counted as a failed attempt and retried after a
 * back-off (nor, after enough of them, a dead letter). Before, the second push to such a receiver
 * failed with ECONNRESET. A real receiver on 127.0.0.1 resets a connection when a second request
 * comes on it, so which push meets a dead connection is no matter of timing.
 */
import pino from 'pino';
import type { AuditStore } from '../../access/audit';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { deliveryAudit } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { HOSTS, insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './scenario';

let dbs: TestDatabases;
let audit: AuditStore;
let receiver: AlertReceiver | undefined;
let worker: AlertDeliveryWorker | undefined;

beforeAll(async () => {
  dbs = await createTestDatabases('alert_keep_alive');
  await insertSubscribedRegions(dbs.hub);
  audit = await deliveryAudit(dbs);
  await subscriberClient(dbs.hub, 'rencheng-alerts');
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await audit?.close();
  await dbs?.close();
}, 60_000);

it('sends a push again at once on a new connection when the receiver reset the reused one, in the same attempt', async () => {
  receiver = await startAlertReceiver(() => 200, 0, { closesReusedConnections: true });
  const sub = await subscribe(dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [60_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));

  // The first push opens the connection the worker's pool keeps; the receiver keeps it open too.
  const first = syntheticAlert();
  await raise(dbs.hub, first);
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });

  // The second goes out on that pooled connection, which the receiver resets unanswered.
  const second = syntheticAlert();
  await raise(dbs.hub, second);
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
  expect(receiver.resetRequests()).toBe(1);

  const [row] = await deliveriesOfAlert(dbs.hub, second.alertId);
  expect(row).toMatchObject({ state: 'DELIVERED', attempts: 1, lastStatus: 200, lastError: null });
  // Answered once, on the new connection, as attempt 1 under its delivery id and a valid signature.
  expect(receiver.acknowledged().map((p) => [p.body.alert.id, p.deliveryId, p.attempt])).toEqual([
    [first.alertId, expect.any(String), 1],
    [second.alertId, row.deliveryId, 1],
  ]);
}, 120_000);
