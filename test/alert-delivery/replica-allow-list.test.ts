/**
 * A hub replica started on the shared hub database without AIDHUB_CALLBACK_HOSTS (unset, its list
 * is empty whenever DATABASE_URL is set) can call no receiver. It used to run the delivery worker
 * all the same: it claimed pushes and failed each with CALLBACK_HOST_NOT_ALLOWED, so an alert a
 * live receiver would have taken went to retries and, in the end, a dead letter. It now runs no
 * worker and says so; the replica that has the list delivers every push at its first attempt.
 */
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import { until } from '../support/until';
import { insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './scenario';

let dbs: TestDatabases;
let receiver: AlertReceiver;
const hubs: HubProcess[] = [];

/** Quick polls and a short schedule: a replica that tried would have made a dead letter within a second. */
const DELIVERY_ENV = { AIDHUB_DELIVERY_POLL_MS: '100', AIDHUB_DELIVERY_RETRY_MS: '100,100,100', AIDHUB_DELIVERY_JITTER: '0', AIDHUB_JOB_TAKEOVER_MS: '0' };

beforeAll(async () => {
  dbs = await createTestDatabases('alert_allow');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'rencheng-alerts');
}, 300_000);

afterAll(async () => {
  await Promise.all(hubs.map(stopHubProcess));
  await receiver?.close();
  await dbs?.close();
}, 60_000);

it('a replica without AIDHUB_CALLBACK_HOSTS leaves pushes to the replica that has it: none fails, each arrives at its first attempt', async () => {
  receiver = await startAlertReceiver(() => 200);
  const sub = await subscribe(dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);

  const bare = await startHubProcess(dbs.hubUrl, DELIVERY_ENV);
  hubs.push(bare);
  const alerts = [syntheticAlert(), syntheticAlert({ grade: 'ORANGE' })];
  for (const a of alerts) await raise(dbs.hub, a);
  // Thirty of its polls: each row is still as written, untouched.
  await new Promise((r) => setTimeout(r, 3000));
  for (const a of alerts) expect(await deliveriesOfAlert(dbs.hub, a.alertId)).toEqual([expect.objectContaining({ state: 'PENDING', attempts: 0, lastError: null })]);
  expect(receiver.pushes).toHaveLength(0);
  expect(bare.output.join('')).toContain('alert delivery is off in this process: AIDHUB_CALLBACK_HOSTS is empty');
  // Its log does not promise that another process delivers: none may run, and the pushes wait for one.
  expect(bare.output.join('')).toContain('pushes stay pending in the outbox until a hub process whose AIDHUB_CALLBACK_HOSTS admits their callback host delivers them, and none may be running');
  expect(bare.output.join('')).not.toContain('other processes deliver');

  const configured = await startHubProcess(dbs.hubUrl, { ...DELIVERY_ENV, AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*' });
  hubs.push(configured);
  for (const a of alerts) {
    const [row] = await until('delivered', () => deliveriesOfAlert(dbs.hub, a.alertId), ([d]) => d?.state === 'DELIVERED');
    expect(row).toMatchObject({ state: 'DELIVERED', attempts: 1 });
  }
  expect(receiver.pushes.map((p) => [p.attempt, p.signatureValid, p.answered])).toEqual([
    [1, true, 200],
    [1, true, 200],
  ]);
  expect(configured.output.join('')).not.toContain('alert delivery is off');
}, 300_000);
