/**
 * A delivery round's time left within its claim is a duration inside one process, measured on the
 * monotonic clock (performance.now), not the wall clock: the wall clock steps (an NTP correction, an
 * operator setting it), and a step forward just after a claim made the round give back every push
 * unsent as if its claim had run out (a step back let it begin POSTs past it). Here the wall clock
 * (Date.now) is stepped an hour forward right after the round reads it at its claim; the round still
 * sends. Real database and a real receiver on 127.0.0.1.
 */
import pino from 'pino';
import type { AuditStore } from '../../access/audit';
import type { AlertDeliveryConfig } from '../../db/config';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { deliveryAudit } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { endAlertTest, HOSTS, insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './scenario';

let dbs: TestDatabases;
let audit: AuditStore;
const receivers: AlertReceiver[] = [];
const config: AlertDeliveryConfig = { pollMs: 100, retryScheduleMs: [100], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 4, callbackHosts: HOSTS };

beforeAll(async () => {
  dbs = await createTestDatabases('round_clock');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'round-clock-alerts');
  audit = await deliveryAudit(dbs);
}, 300_000);

afterEach(() => endAlertTest(dbs.hub, receivers), 60_000);

afterAll(async () => {
  await audit?.close();
  await dbs?.close();
}, 60_000);

it('sends a claimed push though the wall clock stepped an hour forward after the claim', async () => {
  const r = await startAlertReceiver();
  receivers.push(r);
  const sub = await subscribe(dbs.hub, 'round-clock-alerts', r.url);
  r.setSecret(sub.secret);
  const alert = syntheticAlert();
  expect(await raise(dbs.hub, alert)).toBe(1);
  const worker = new AlertDeliveryWorker(dbs.hub, audit, config, pino({ level: 'silent' }));
  // The first reading (the round's, as it claims) is the true one; every later one an hour on.
  const realNow = Date.now.bind(Date);
  let readings = 0;
  const wallClock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (readings++ === 0 ? 0 : 3_600_000));
  try {
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
  } finally {
    wallClock.mockRestore();
  }
  expect(r.pushes.map((p) => p.answered)).toEqual([200]);
  expect((await deliveriesOfAlert(dbs.hub, alert.alertId)).map((d) => d.state)).toEqual(['DELIVERED']);
});
