/**
 * A subscription revoked while a delivery round holds its pushes gets none of them that was not
 * begun yet, once the round has run for the worker's recheckMs: revoking settles its pending rows as
 * dead letters ('subscription revoked') at once, and the round reads its rows not begun again then.
 * Before, a round sent every push it had claimed (up to 200, 16 at a time, each up to its timeout:
 * minutes behind a slow receiver) to the revoked receiver, each appended to the audit chain as a
 * disclosure. The receiver here revokes the subscription while it answers the first push and answers
 * only once more than recheckMs has passed, so the next push is begun after both, whatever the
 * machine's load. Real database, real receiver on 127.0.0.1.
 */
import pino from 'pino';
import { deliveriesOfAlert, revokeSubscription } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver } from '../support/alert-receiver';
import { HOSTS, raise, subscribe, syntheticAlert, workerTestBed } from './scenario';

const bed = workerTestBed('alert_revoked_mid_round');

async function pushAuditRows(): Promise<number> {
  const [[row]] = (await bed.dbs.hubPool.query("SELECT COUNT(*) AS n FROM access_log WHERE channel = 'PUSH'")) as any;
  return Number(row.n);
}

it('sends no push of a round once its subscription is revoked, and audits none', async () => {
  let subscriptionId = 0;
  // One POST at a time, in claim order: the three are claimed in one round. recheckMs: 1 s.
  const worker = new AlertDeliveryWorker(bed.dbs.hub, bed.audit, { pollMs: 100, retryScheduleMs: [60_000], retryJitter: 0, httpTimeoutMs: 4000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));
  // The first push arrives, the subscription is revoked, and it is answered 200 once the round has
  // run longer than recheckMs (a wait that only makes sure of that much; nothing races it).
  const receiver = await startAlertReceiver(async (n) => {
    if (n === 1) {
      await revokeSubscription(bed.dbs.hub, subscriptionId);
      await new Promise((resolve) => setTimeout(resolve, worker.recheckMs + 100));
    }
    return 200;
  });
  bed.receivers.push(receiver);
  const sub = await subscribe(bed.dbs.hub, 'rencheng-alerts', receiver.url);
  subscriptionId = Number(sub.subscription.id);
  receiver.setSecret(sub.secret);
  const alerts = [syntheticAlert(), syntheticAlert(), syntheticAlert()];
  for (const a of alerts) await raise(bed.dbs.hub, a);

  const before = await pushAuditRows();
  expect(await worker.runOnce()).toMatchObject({ claimed: 3 });
  // Only the first, begun before the revocation, reached the receiver and the audit chain.
  expect(receiver.pushes.map((p) => p.body.alert.id)).toEqual([alerts[0].alertId]);
  expect((await pushAuditRows()) - before).toBe(1);
  // The other two are dead letters of the revocation, attempted never.
  const rows = (await Promise.all(alerts.slice(1).map((a) => deliveriesOfAlert(bed.dbs.hub, a.alertId)))).flat();
  expect(rows.map((r) => [r.state, r.lastError])).toEqual([
    ['DEAD', 'subscription revoked'],
    ['DEAD', 'subscription revoked'],
  ]);
}, 120_000);
