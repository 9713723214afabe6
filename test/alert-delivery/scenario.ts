/**
 * Shared set-up of the alert-delivery tests: a subscriber API client, a subscription to a
 * receiver, and synthetic alerts written through the real interface (enqueueAlertDeliveries, in
 * a transaction of their own, as the alert side writes them with the alert).
 */
import { sql } from 'drizzle-orm';
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { enqueueAlertDeliveries } from '../../db/alert-delivery/outbox';
import { revokeSubscription } from '../../db/alert-delivery/store';
import { region } from '../../db/household/schema';
import type { HubDb } from '../../db/connect';
import type { AlertEnvelope } from '../../domain/monitoring/envelope';
import type { AlertReceiver } from '../support/alert-receiver';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import type { AuditStore } from '../../access/audit';
import { deliveryAudit } from '../support/alerts';
import type { TestHub } from '../support/hub';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { lockingTransaction } from '../../db/locking';
import type { AlertWrite } from '../../db/monitoring/store';
import { alertDeadlines } from '../../domain/monitoring/alerts';
import type { Limit } from '../../domain/monitoring/triggers';
import { writeAlerts } from '../../resolvers/monitoring/detect';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { TODAY, WANG } from '../support/scenarios';

export const TOWNSHIP = '370811001';
export const HOSTS = ['127.0.0.1:*'];

let serial = 0;

export function syntheticAlert(over: Partial<AlertEnvelope> = {}): AlertEnvelope {
  serial += 1;
  return {
    alertId: `test-${process.pid}-${serial}`,
    // A trigger of rules/triggers.json: a subscription may name only triggers that exist.
    triggerId: 'T1_SETTLEMENT_OOP',
    grade: 'RED',
    regionCode: `${TOWNSHIP}201`,
    maskedSubject: '张*',
    verifyBy: '2026-03-27',
    decideBy: '2026-03-31',
    provisional: false,
    event: 'ALERT_OPENED',
    occurredAt: new Date().toISOString(),
    ...over,
  };
}

/**
 * A job-loss alert of the Wang head's written by the alert side itself (writeAlerts, as the change
 * feed writes them) at `now` (TODAY 02:00 UTC by default), with the deadlines `limit` gives from
 * TODAY; a second write of one identity at a graver grade raises it.
 */
export function writeJobLossAlert(dbs: TestDatabases, identity: string, grade: 'YELLOW' | 'RED', limit: Limit, now = `${TODAY}T02:00:00.000Z`) {
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date(now) };
  const write: AlertWrite = {
    identity: identity.padEnd(40, '0'),
    triggerId: 'T4_JOB_LOSS',
    grade,
    subjectIdNumber: WANG.head,
    householdId: null,
    regionCode: `${TOWNSHIP}201`,
    townshipCode: TOWNSHIP,
    verifierOffice: TOWNSHIP,
    monitored: false,
    evidence: ['失业登记'],
    evidenceRefs: [],
    measure: 1,
    firstClueOn: TODAY,
    ...alertDeadlines(TODAY, limit),
    limit,
  };
  return lockingTransaction(dbs.hub, (tx) => writeAlerts(deps, tx, [write], 'POLL'));
}

/**
 * The divisions these tests subscribe to, in the hub's region table as an imported one holds them
 * (任城区 and its township 古槐街道, 兖州区): a subscription to a division the hub holds nothing of
 * is refused (REGION_UNKNOWN). A test that needs more, villages say, names them.
 */
export async function insertSubscribedRegions(hub: HubDb, villages: readonly string[] = []): Promise<void> {
  await hub.insert(region).values([
    { code: '370800', name: '济宁市', level: 'CITY', parentCode: null },
    { code: '370811', name: '任城区', level: 'COUNTY', parentCode: '370800' },
    { code: TOWNSHIP, name: '古槐街道', level: 'TOWNSHIP', parentCode: '370811' },
    { code: '370812', name: '兖州区', level: 'COUNTY', parentCode: '370800' },
    ...villages.map((code, i) => ({ code, name: `村 ${i + 1}`, level: 'VILLAGE' as const, parentCode: code.slice(0, 9) })),
  ]);
}

export async function subscriberClient(hub: HubDb, name: string, regionScope = '370811'): Promise<void> {
  await createClient(accessDbOf(hub), { name, department: 'CIVIL_AFFAIRS', regionScope, roles: ['READER'], expiresAt: null });
}

export async function subscribe(hub: HubDb, clientName: string, callbackUrl: string, over: { regionCodes?: string[]; grades?: string[]; triggerIds?: string[]; deliverOpen?: boolean } = {}) {
  const made = await createSubscription(hub, HOSTS, { clientName, callbackUrl, regionCodes: over.regionCodes ?? [TOWNSHIP], grades: over.grades ?? [], triggerIds: over.triggerIds ?? [], createdBy: 'test-admin', deliverOpen: over.deliverOpen });
  if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
  return made;
}

export async function raise(hub: HubDb, alert: AlertEnvelope): Promise<number> {
  return lockingTransaction(hub, (tx) => enqueueAlertDeliveries(tx, alert));
}

/** Revokes every active subscription: the next test's alerts go only to its own. */
export async function revokeActiveSubscriptions(hub: HubDb): Promise<void> {
  const [rows] = (await hub.execute(sql`SELECT id FROM alert_subscription WHERE state = 'ACTIVE'`)) as unknown as [{ id: number | string }[]];
  for (const r of rows) await revokeSubscription(hub, Number(r.id));
}

/** After each test: its receivers closed and every subscription revoked, so the next test's alerts go only to its own. */
export async function endAlertTest(hub: HubDb, receivers: AlertReceiver[]): Promise<void> {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await revokeActiveSubscriptions(hub);
}

/** After a file's tests: its hub server (and its delivery worker) first, then the receivers left, then the databases. */
export async function endAlertTests(hub: TestHub | undefined, receivers: AlertReceiver[], dbs: TestDatabases | undefined): Promise<void> {
  await hub?.close();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await dbs?.close();
}

/**
 * A file whose tests run a worker of their own (`new AlertDeliveryWorker(bed.dbs.hub, bed.audit, …)`)
 * against one subscriber client, `rencheng-alerts`, in 任城区: its databases and audit store made
 * before all its tests, and closed after them with the receivers it pushed to `bed.receivers`.
 */
export function workerTestBed(databaseName: string): { dbs: TestDatabases; audit: AuditStore; receivers: AlertReceiver[] } {
  const bed = { receivers: [] as AlertReceiver[] } as { dbs: TestDatabases; audit: AuditStore; receivers: AlertReceiver[] };
  beforeAll(async () => {
    bed.dbs = await createTestDatabases(databaseName);
    await insertSubscribedRegions(bed.dbs.hub);
    bed.audit = await deliveryAudit(bed.dbs);
    await subscriberClient(bed.dbs.hub, 'rencheng-alerts');
  }, 300_000);
  afterAll(async () => {
    await Promise.all(bed.receivers.splice(0).map((r) => r.close()));
    await bed.audit?.close();
    await bed.dbs?.close();
  }, 60_000);
  return bed;
}
