/**
 * A hub process's alert delivery while its database is fenced: a later release has migrated it
 * (access/release-watch.ts; test/later-release-runtime.test.ts covers the refusals and the rest of
 * the background work). Pushes stop after the round in flight, as on a SIGTERM (server/app.ts
 * `release.onChange`: AlertDeliveryWorker.pause), so an alert written meanwhile (by the later
 * release's processes) is left in the outbox for them, unclaimed and unsent; after a restore of the
 * earlier backup the process pushes again, and that alert arrives, once.
 */
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { HUB_MIGRATION_SETS } from '../../db/setup/provision';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import { until } from '../support/until';
import { insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './scenario';

const JOBS_JOURNAL = HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.table;
/** 2100-01-01: a migration of a release after this one. */
const LATER_WHEN = 4102444800000;
/** A round every 200 ms: the wait below spans many rounds. */
const HUB_ENV = { AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*', AIDHUB_DELIVERY_POLL_MS: '200', AIDHUB_DELIVERY_TIMEOUT_MS: '5000', AIDHUB_DELIVERY_RETRY_MS: '200,400,800', AIDHUB_JOB_TAKEOVER_MS: '0', AIDHUB_MONITOR_INTERVAL_MS: '0' };

let dbs: TestDatabases;
let receiver: AlertReceiver;
let hub: HubProcess;

beforeAll(async () => {
  dbs = await createTestDatabases('alert_later');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'rencheng-alerts');
}, 300_000);

afterAll(async () => {
  if (hub) await stopHubProcess(hub);
  await receiver?.close();
  await dbs?.close();
}, 60_000);

const readyz = async () => (await fetch(`${hub.url}/readyz`)).status;

it('pushes nothing while a later release has migrated the database, and pushes what waited once it is restored', async () => {
  receiver = await startAlertReceiver(() => 200);
  const sub = await subscribe(dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);
  hub = await startHubProcess(dbs.hubUrl, HUB_ENV);

  // Delivering: the first alert arrives.
  const before = syntheticAlert();
  await raise(dbs.hub, before);
  await receiver.waitFor(1);

  await dbs.hubPool.query(`INSERT INTO ${JOBS_JOURNAL} (hash, created_at) VALUES ('later', ?)`, [LATER_WHEN]);
  await until('/readyz 503', readyz, (s) => s === 503);
  // Written while fenced (by the later release's processes, as far as this one knows).
  const meanwhile = syntheticAlert({ grade: 'ORANGE' });
  await raise(dbs.hub, meanwhile);
  // Some fifteen rounds' time: a worker that went on would have claimed and pushed it by then.
  await new Promise((r) => setTimeout(r, 3_000));
  const [waiting] = await deliveriesOfAlert(dbs.hub, meanwhile.alertId);
  expect({ pushes: receiver.pushes.length, state: waiting.state, attempts: waiting.attempts }).toEqual({ pushes: 1, state: 'PENDING', attempts: 0 });

  // A restore of the backup taken before the upgrade: the process pushes again.
  await dbs.hubPool.query(`DELETE FROM ${JOBS_JOURNAL} WHERE hash = 'later'`);
  await until('/readyz 200', readyz, (s) => s === 200);
  await receiver.waitFor(2);
  const [delivered] = await until('the waiting alert delivered', () => deliveriesOfAlert(dbs.hub, meanwhile.alertId), ([d]) => d.state === 'DELIVERED');
  expect({ state: delivered.state, attempts: delivered.attempts, deliveryId: receiver.pushes[1].deliveryId }).toEqual({ state: 'DELIVERED', attempts: 1, deliveryId: waiting.deliveryId });
  expect(receiver.pushes.map((p) => p.body.alert.id)).toEqual([before.alertId, meanwhile.alertId]);
}, 300_000);
