/**
 * An open alert for the monitoring tests: a T4 job-loss alert of the Wang household, written through
 * `writeAlerts` as the change feed writes one (its history and its pushes with it).
 */
import { DEFAULT_LIMIT } from '../../domain/monitoring/triggers';
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
  o: { identity: string; householdId: number; now: () => Date; subject?: string; verifierOffice?: string },
): Promise<string> {
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: o.now };
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
          provisional: false,
          limit: DEFAULT_LIMIT,
        },
      ],
      'POLL',
    ),
  );
  return String(change.alert.id);
}
