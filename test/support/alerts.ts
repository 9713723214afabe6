/**
 * An open alert for the monitoring tests: a T4 job-loss alert of the Wang household, written through
 * `writeAlerts` as the change feed writes one (its history and its pushes with it).
 */
import { AuditStore, auditWriterPool } from '../../access/audit';
import { accessDbOf } from '../../db/access/db';
import { DEFAULT_LIMIT, limitOf, type TriggerSet } from '../../domain/monitoring/triggers';
import { alertDeadlines } from '../../domain/monitoring/alerts';
import { writeAlerts } from '../../resolvers/monitoring/detect';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { TestDatabases } from './databases';
import { TODAY, WANG } from './scenarios';

/** The Wang household's township, the alert's verifier unless another is named. */
export const WANG_TOWNSHIP = WANG.regionCode.slice(0, 9);

/** Writes the alert (`identity` unique per alert, padded to the 40 characters of a fingerprint); its id. */
export async function writeWangJobLossAlert(
  dbs: TestDatabases,
  o: { identity: string; householdId: number; now: () => Date; subject?: string; verifierOffice?: string; triggerSet?: TriggerSet },
): Promise<string> {
  const triggerSet = o.triggerSet ?? activeTriggerSet();
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet, ruleSet: activeRuleSet(), now: o.now };
  const limit = limitOf(triggerSet, triggerSet.triggers.find((t) => t.id === 'T4_JOB_LOSS')!, 'YELLOW');
  const [change] = await dbs.hub.transaction((tx) =>
    writeAlerts(
      deps,
      tx,
      [
        {
          identity: o.identity.padEnd(40, '0'),
          triggerId: 'T4_JOB_LOSS',
          grade: 'YELLOW',
          subjectIdNumber: o.subject ?? WANG.head,
          householdId: o.householdId,
          regionCode: WANG.regionCode,
          townshipCode: WANG_TOWNSHIP,
          verifierOffice: o.verifierOffice ?? WANG_TOWNSHIP,
          monitored: false,
          evidence: ['失业登记'],
          evidenceRefs: [],
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
          limit: DEFAULT_LIMIT,
        },
      ],
      'POLL',
    ),
  );
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
