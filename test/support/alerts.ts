/**
 * An open alert for the monitoring tests: a T4 job-loss alert of the Wang household, written through
 * `writeAlerts` as the change feed writes one (its history and its pushes with it); and a real
 * delivery worker with subscribers' receivers, to see its pushes arrive.
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { AuditStore, auditWriterPool } from '../../access/audit';
import { createClient } from '../../access/clients';
import type { OfficeCode } from '../../domain/departments';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver, type AlertReceiver } from './alert-receiver';
import { accessDbOf } from '../../db/access/db';
import { DEFAULT_LIMIT, limitOf, type Grade, type TriggerSet } from '../../domain/monitoring/triggers';
import { alertDeadlines } from '../../domain/monitoring/alerts';
import { writeAlerts } from '../../resolvers/monitoring/detect';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { TestDatabases } from './databases';
import { TODAY, WANG } from './scenarios';
import { lockingTransaction } from '../../db/locking';

/** The Wang household's township, the alert's verifier unless another is named. */
export const WANG_TOWNSHIP = WANG.regionCode.slice(0, 9);

/**
 * The stored identity of a test alert named `name`: a 40-character fingerprint of it, as detection
 * makes one (domain/monitoring/evaluate.ts alertIdentity). Padding the name with zeros made `…-1`
 * and `…-10` one identity, so the tenth alert of a test landed on the first.
 */
export function testAlertIdentity(name: string): string {
  return crypto.createHash('sha256').update(name).digest('hex').slice(0, 40);
}

/**
 * Writes the alert (`identity` unique per alert, any length; stored as its fingerprint, testAlertIdentity); its id.
 * `grade` (default YELLOW) and `regionCode` (default the Wang household's village; its township verifies) may differ.
 * `beforeCommit`: awaited inside the alert's transaction after its pushes are queued, before it commits.
 */
export async function writeWangJobLossAlert(
  dbs: TestDatabases,
  o: { identity: string; householdId: number; now: () => Date; subject?: string; verifierOffice?: string; triggerSet?: TriggerSet; evidence?: string[]; evidenceRefs?: string[]; triggerId?: string; grade?: Grade; regionCode?: string; beforeCommit?: () => Promise<void> },
): Promise<string> {
  const triggerSet = o.triggerSet ?? activeTriggerSet();
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet, ruleSet: activeRuleSet(), now: o.now };
  const limit = limitOf(triggerSet, triggerSet.triggers.find((t) => t.id === 'T4_JOB_LOSS')!, 'YELLOW');
  const [change] = await lockingTransaction(dbs.hub, async (tx) => {
    const changes = await writeAlerts(
      deps,
      tx,
      [
        {
          identity: testAlertIdentity(o.identity),
          triggerId: o.triggerId ?? 'T4_JOB_LOSS',
          grade: o.grade ?? 'YELLOW',
          subjectIdNumber: o.subject ?? WANG.head,
          householdId: o.householdId,
          regionCode: o.regionCode ?? WANG.regionCode,
          townshipCode: (o.regionCode ?? WANG.regionCode).slice(0, 9),
          verifierOffice: o.verifierOffice ?? (o.regionCode ?? WANG.regionCode).slice(0, 9),
          monitored: false,
          evidence: o.evidence ?? ['失业登记'],
          evidenceRefs: o.evidenceRefs ?? [],
          measure: 1,
          firstClueOn: TODAY,
          acknowledgeBy: TODAY,
          verifyBy: '2026-03-30',
          // The decision day as the trigger set in force gives it (a locality's file may change it).
          decideBy: alertDeadlines(TODAY, limit).decideBy,
          provisional: false,
          // Days given, not counted from a limit: no count to count again under another calendar.
          acknowledgeWorkingDays: null,
          verifyWorkingDays: null,
          decideWorkingDays: null,
          verifyDays: null,
          decideDays: null,
          limit: DEFAULT_LIMIT,
        },
      ],
      'POLL',
    );
    // A test holds the transaction open here, its alert and its pushes written, to race it.
    await o.beforeCommit?.();
    return changes;
  });
  return String(change.alert.id);
}

/**
 * The audit trail over the test database, as a hub process holds it: a delivery worker appends each
 * push to it before sending. Close it (`close()`) before the databases.
 */
export async function deliveryAudit(dbs: TestDatabases): Promise<AuditStore> {
  const store = new AuditStore(accessDbOf(dbs.hub), auditWriterPool(dbs.hubUrl));
  await store.init();
  return store;
}

/**
 * A real delivery worker over the test database (its audit trail with it), retrying fast, sending to
 * receivers on 127.0.0.1, and a subscriber with a receiver of its own: a client of `department` in
 * `regionScope` whose subscription to `regionCodes` pushes to a real HTTP receiver that checks each
 * push's signature with the subscription's secret. `close()` stops the worker, the receivers and the
 * audit trail (before the databases).
 */
export async function startDelivery(dbs: TestDatabases): Promise<{
  subscribe(name: string, department: OfficeCode, regionScope: string, regionCodes: string[]): Promise<{ receiver: AlertReceiver; subscriptionId: string }>;
  close(): Promise<void>;
}> {
  const audit = await deliveryAudit(dbs);
  const worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [100, 200], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 8, callbackHosts: ['127.0.0.1:*'] }, pino({ level: 'silent' }));
  worker.start();
  const receivers: AlertReceiver[] = [];
  return {
    async subscribe(name, department, regionScope, regionCodes) {
      await createClient(accessDbOf(dbs.hub), { name, department, regionScope, roles: ['READER'], expiresAt: null });
      const receiver = await startAlertReceiver(() => 200);
      receivers.push(receiver);
      const made = await createSubscription(dbs.hub, ['127.0.0.1:*'], { clientName: name, callbackUrl: `${receiver.url}/${name}`, regionCodes, grades: [], triggerIds: [], createdBy: 'test-admin' });
      if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
      receiver.setSecret(made.secret);
      return { receiver, subscriptionId: String(made.subscription.id) };
    },
    async close() {
      await worker.stop();
      await Promise.all(receivers.map((r) => r.close()));
      await audit.close();
    },
  };
}
