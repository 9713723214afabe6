/**
 * A hub process killed (SIGKILL) in the middle of a delivery round, beside a second hub process on
 * the same database and the same private Redis: the receiver had acknowledged the round's first
 * pushes and was still reading the third when the process died. Once the claim runs out the other
 * process sends again only that third push (same delivery id); the two acknowledged ones are not
 * sent again, as each was recorded DELIVERED before the next POST began. They were recorded at the
 * round's end, so a kill sent again every push of the round the receiver already had (143 of 150
 * when a township's receiver was slow, tried with two replicas on 6 December 2026).
 */
import { sql } from 'drizzle-orm';
import { enqueueAlertDeliveries } from '../../db/alert-delivery/outbox';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { lockingTransaction } from '../../db/locking';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import { startPrivateRedis, type PrivateRedis } from '../support/redis';
import { insertSubscribedRegions, subscribe, subscriberClient, syntheticAlert } from './scenario';

let dbs: TestDatabases;
let redis: PrivateRedis;
let receiver: AlertReceiver;
const hubs: HubProcess[] = [];

/** One POST at a time, so the round's order is the receiver's; a short lease (2 s × (5 + 1) + 5 s), so the survivor takes the claim over soon. */
const HUB_ENV = { AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*', AIDHUB_DELIVERY_POLL_MS: '200', AIDHUB_DELIVERY_TIMEOUT_MS: '2000', AIDHUB_DELIVERY_BATCH: '5', AIDHUB_DELIVERY_CONCURRENCY: '1', AIDHUB_DELIVERY_RETRY_MS: '200,400,800', AIDHUB_JOB_TAKEOVER_MS: '0' };

beforeAll(async () => {
  redis = await startPrivateRedis();
  dbs = await createTestDatabases('alert_kill_round');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'guhuai-alerts');
}, 300_000);

afterAll(async () => {
  await Promise.all(hubs.map(stopHubProcess));
  await receiver?.close();
  await dbs?.close();
  await redis?.stop();
}, 60_000);

it('sends again, after a kill mid-round, only the push in flight: those acknowledged before it are not pushed twice', async () => {
  // The first two pushes are acknowledged, the third hangs (the process dies while the receiver reads it); every later one is acknowledged.
  receiver = await startAlertReceiver((n) => (n === 3 ? 'HANG' : 200));
  const sub = await subscribe(dbs.hub, 'guhuai-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  const env = { ...HUB_ENV, RATE_LIMIT_REDIS_URL: redis.url };
  hubs.push(await startHubProcess(dbs.hubUrl, env), await startHubProcess(dbs.hubUrl, env));
  // Queued in one transaction, so one process claims all three in one round.
  const alerts = [syntheticAlert(), syntheticAlert({ grade: 'ORANGE' }), syntheticAlert({ grade: 'YELLOW' })];
  await lockingTransaction(dbs.hub, async (tx) => {
    for (const a of alerts) await enqueueAlertDeliveries(tx, a);
  });
  await receiver.waitFor(3);
  // The process whose round it is: its pid is in the claim's token.
  const [[{ token }]] = (await dbs.hub.execute(sql`SELECT claim_token AS token FROM alert_delivery WHERE delivery_id = ${receiver.pushes[2].deliveryId}`)) as unknown as [{ token: string }[]];
  const dying = hubs.find((h) => token.includes(`:${h.child.pid}:`))!;
  dying.child.kill('SIGKILL');
  await new Promise<void>((r) => (dying.child.exitCode !== null || dying.child.signalCode !== null ? r() : dying.child.once('exit', () => r())));

  const rows = async () => (await Promise.all(alerts.map((a) => deliveriesOfAlert(dbs.hub, a.alertId)))).map(([r]) => r);
  // The two acknowledged before the kill were recorded then, not at the end of a round that never ended.
  expect((await rows()).map((r) => r.state)).toEqual(['DELIVERED', 'DELIVERED', 'PENDING']);
  for (let i = 0; i < 1200 && !(await rows()).every((r) => r.state === 'DELIVERED'); i++) await new Promise((r) => setTimeout(r, 100));

  const [first, second, inFlight] = await rows();
  expect([first, second, inFlight].map((r) => [r.state, r.attempts])).toEqual([
    ['DELIVERED', 1],
    ['DELIVERED', 1],
    ['DELIVERED', 2],
  ]);
  // Each delivery id pushed as often as it had to be: once, once, and the one in flight again under its id.
  expect(receiver.pushes.map((p) => [p.deliveryId, p.attempt])).toEqual([
    [first.deliveryId, 1],
    [second.deliveryId, 1],
    [inFlight.deliveryId, 1],
    [inFlight.deliveryId, 2],
  ]);
  expect(receiver.pushes.every((p) => p.signatureValid)).toBe(true);
}, 300_000);
