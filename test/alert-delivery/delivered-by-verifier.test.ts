/**
 * DELIVERED means the office that must sign for the alert (its verifier) has it in its own system:
 * a 2xx from another subscriber's receiver (the city's health bureau, the county's civil affairs
 * platform) does not put it in front of the township, so it leaves the alert NEW in the township's
 * inbox. Real MariaDB, a real delivery worker, real receivers on 127.0.0.1.
 */
import { eq } from 'drizzle-orm';
import pino from 'pino';
import type { AuditStore } from '../../access/audit';
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import type { OfficeCode } from '../../domain/departments';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import { monitoringAlert, monitoringAlertEvent } from '../../db/monitoring/schema';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { deliveryAudit, writeWangJobLossAlert, WANG_TOWNSHIP } from '../support/alerts';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';
import { until } from '../support/until';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let audit: AuditStore;
let worker: AlertDeliveryWorker;
/** One receiver per subscription, each checking the signature with its subscription's secret. */
const receivers: AlertReceiver[] = [];
let wangId: number;
let countyPlatform: string;
const now = () => new Date(`${TODAY}T02:00:00.000Z`);

async function subscribe(name: string, department: OfficeCode, regionScope: string): Promise<string> {
  await createClient(accessDbOf(dbs.hub), { name, department, regionScope, roles: ['READER'], expiresAt: null });
  const receiver = await startAlertReceiver(() => 200);
  receivers.push(receiver);
  const made = await createSubscription(dbs.hub, ['127.0.0.1:*'], { clientName: name, callbackUrl: `${receiver.url}/${name}`, regionCodes: [WANG_TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' });
  if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
  receiver.setSecret(made.secret);
  return String(made.subscription.id);
}

const alertRow = async (id: string) => (await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, Number(id))))[0];
const events = async (id: string) => dbs.hub.select().from(monitoringAlertEvent).where(eq(monitoringAlertEvent.alertId, Number(id)));
const allDelivered = (alertId: string, n: number) => until(`${n} pushes delivered`, () => deliveriesOfAlert(dbs.hub, alertId), (rows) => rows.length === n && rows.every((d) => d.state === 'DELIVERED'));

beforeAll(async () => {
  dbs = await createTestDatabases('delivered_by_verifier');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  audit = await deliveryAudit(dbs);
  worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [100, 200], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 8, callbackHosts: ['127.0.0.1:*'] }, pino({ level: 'silent' }));
  worker.start();
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await audit?.close();
  await dbs?.close();
}, 60_000);

it('leaves a township’s alert NEW when only other offices’ receivers took its push, and DELIVERED once the township’s own did', async () => {
  await subscribe('jining-health-system', 'HEALTH', '370800');
  countyPlatform = await subscribe('rencheng-civil-affairs-platform', 'CIVIL_AFFAIRS', '370811');
  const first = await writeWangJobLossAlert(dbs, { identity: 'delivered-by-verifier-1', householdId: wangId, now });
  await allDelivered(first, 2);
  expect((await alertRow(first)).state).toBe('NEW');
  expect((await events(first)).map((e) => e.action)).toEqual(['OPENED']);

  const township = await subscribe('guhuai-system', 'CIVIL_AFFAIRS', WANG_TOWNSHIP);
  const second = await writeWangJobLossAlert(dbs, { identity: 'delivered-by-verifier-2', householdId: wangId, now });
  await allDelivered(second, 3);
  await until('the alert delivered', () => alertRow(second), (a) => a.state === 'DELIVERED');
  const delivered = (await events(second)).filter((e) => e.action === 'DELIVERED');
  expect(delivered).toHaveLength(1);
  expect(delivered[0].reason).toMatch(new RegExp(`acknowledged by subscription ${township}$`));
});

it('counts the county’s platform as the one that must have it once civil affairs took the alert over', async () => {
  const third = await writeWangJobLossAlert(dbs, { identity: 'delivered-by-verifier-3', householdId: wangId, now, verifierOffice: 'CIVIL_AFFAIRS' });
  await allDelivered(third, 3);
  await until('the alert delivered', () => alertRow(third), (a) => a.state === 'DELIVERED');
  expect((await events(third)).find((e) => e.action === 'DELIVERED')?.reason).toMatch(new RegExp(`acknowledged by subscription ${countyPlatform}$`));
});
