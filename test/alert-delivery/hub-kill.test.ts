/**
 * A hub process killed (SIGKILL) between an alert's outbox row and its delivery: it had claimed
 * the row and sent the POST, and the receiver had not answered yet. Another alert is written while
 * no hub runs at all. After a restart both are delivered, each with the delivery id its row was
 * written with; the one the dead hub had sent arrives again under that same id (at least once),
 * and no alert is ever pushed under two ids.
 */
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import { insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './scenario';

let dbs: TestDatabases;
let receiver: AlertReceiver;
const hubs: HubProcess[] = [];

/** A short lease (2 s timeout × 2 rounds + 5 s), so the restarted hub takes the killed claim over soon. */
const HUB_ENV = { AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*', AIDHUB_DELIVERY_POLL_MS: '200', AIDHUB_DELIVERY_TIMEOUT_MS: '2000', AIDHUB_DELIVERY_BATCH: '5', AIDHUB_DELIVERY_CONCURRENCY: '5', AIDHUB_DELIVERY_RETRY_MS: '200,400,800', AIDHUB_JOB_TAKEOVER_MS: '0' };

beforeAll(async () => {
  dbs = await createTestDatabases('alert_kill');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'rencheng-alerts');
}, 300_000);

afterAll(async () => {
  await Promise.all(hubs.map(stopHubProcess));
  await receiver?.close();
  await dbs?.close();
}, 60_000);

it('delivers after a restart what a killed hub had claimed and sent, under the same delivery id, and nothing under another', async () => {
  // The first push hangs (the receiver reads it and never answers); every later one is acknowledged.
  receiver = await startAlertReceiver((n) => (n === 1 ? 'HANG' : 200));
  const sub = await subscribe(dbs.hub, 'rencheng-alerts', receiver.url);
  receiver.setSecret(sub.secret);

  const dying = await startHubProcess(dbs.hubUrl, HUB_ENV);
  hubs.push(dying);
  const inFlight = syntheticAlert();
  await raise(dbs.hub, inFlight);
  await receiver.waitFor(1);
  dying.child.kill('SIGKILL');
  await new Promise<void>((r) => (dying.child.exitCode !== null || dying.child.signalCode !== null ? r() : dying.child.once('exit', () => r())));

  // Written while no hub runs.
  const whileDown = syntheticAlert({ grade: 'ORANGE' });
  await raise(dbs.hub, whileDown);
  const [sent] = await deliveriesOfAlert(dbs.hub, inFlight.alertId);
  const [queued] = await deliveriesOfAlert(dbs.hub, whileDown.alertId);
  expect(sent).toMatchObject({ state: 'PENDING', attempts: 1 });
  expect(queued).toMatchObject({ state: 'PENDING', attempts: 0 });
  expect(receiver.pushes[0].deliveryId).toBe(sent.deliveryId);

  const restarted = await startHubProcess(dbs.hubUrl, HUB_ENV);
  hubs.push(restarted);
  for (let i = 0; i < 1200; i++) {
    const rows = [...(await deliveriesOfAlert(dbs.hub, inFlight.alertId)), ...(await deliveriesOfAlert(dbs.hub, whileDown.alertId))];
    if (rows.every((r) => r.state === 'DELIVERED')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await deliveriesOfAlert(dbs.hub, inFlight.alertId))[0]).toMatchObject({ deliveryId: sent.deliveryId, state: 'DELIVERED', attempts: 2 });
  expect((await deliveriesOfAlert(dbs.hub, whileDown.alertId))[0]).toMatchObject({ deliveryId: queued.deliveryId, state: 'DELIVERED', attempts: 1 });

  // Every push of an alert carries its one delivery id; each id was acknowledged exactly once.
  const idsByAlert = new Map<string, Set<string>>();
  for (const p of receiver.pushes) idsByAlert.set(p.body.alert.id, new Set([...(idsByAlert.get(p.body.alert.id) ?? []), p.deliveryId]));
  expect(idsByAlert).toEqual(new Map([[inFlight.alertId, new Set([sent.deliveryId])], [whileDown.alertId, new Set([queued.deliveryId])]]));
  expect(receiver.acknowledged().map((p) => p.deliveryId).sort()).toEqual([sent.deliveryId, queued.deliveryId].sort());
  expect(receiver.pushes.every((p) => p.signatureValid)).toBe(true);
  expect(receiver.pushes.filter((p) => p.deliveryId === sent.deliveryId).map((p) => p.attempt)).toEqual([1, 2]);
}, 300_000);
