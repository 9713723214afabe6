/**
 * Open alerts follow their household home, whatever moved it. Detection moves an alert when it sees
 * its person again in another household or division (db/monitoring/store.ts followHome), but a
 * household whose address changed, or a member who married out or joined another household, is a
 * change of the hub's own records, not of any department's: no change feed is touched, and the
 * alert sat with the township the household had left (which could still read and act on it, with
 * nobody there to visit) until the next monthly comparison, if its condition still held then, while
 * the township the household now belongs to never saw it. Every poll interval, under its own lease,
 * the hub looks for open alerts whose person lives elsewhere now and moves them there, as detection
 * would: MOVED in the history, back to NEW for the new township to sign for from the day of the
 * move, grade and verification day kept, ALERT_MOVED to the new division's subscriptions and
 * ALERT_MOVED_AWAY to the old one's.
 */
import { spellsAndPeople } from '../../db/findings/facts';
import { householdRegions, moveAlertsHome, openAlertsAwayFromHome, type AlertChange, type AlertHome, type AlertRow } from '../../db/monitoring/store';
import type { LockingTx } from '../../db/locking';
import { townshipOf } from '../../domain/cases/offices';
import { homeHousehold } from '../../domain/findings/assemble';
import { groupBy } from '../../domain/group-by';
import { limitOfAlert, type TriggerSet } from '../../domain/monitoring/triggers';
import { deliverAlertChanges, type DetectDeps } from './detect';

/** Alerts looked at per pass: a city-wide re-zoning moves its alerts over a few passes. */
export const RELOCATE_BATCH = 500;

/**
 * Where each of these alerts' people lives now: the household the alert names if it still holds them
 * (its division may have changed) or none does (a person who died), else their home household (the
 * latest joined of those holding them). Reads only.
 */
export async function homesOf(deps: Pick<DetectDeps, 'hub' | 'triggerSet'>, alerts: readonly AlertRow[]): Promise<{ alert: AlertRow; home: AlertHome }[]> {
  if (alerts.length === 0) return [];
  const { spells } = await spellsAndPeople(deps.hub, [...new Set(alerts.map((a) => a.subjectIdNumber))]);
  const current = groupBy(
    spells.filter((s) => s.leftOn === null),
    (s) => s.idNumber,
  );
  const households = new Map<number, number>();
  for (const a of alerts) {
    const own = current.get(a.subjectIdNumber) ?? [];
    // In no household now (dead, or gone from the records): the household it names, where that lives now.
    const home = own.length === 0 || own.some((s) => s.householdId === a.householdId) ? a.householdId : homeHousehold(own);
    if (home !== null) households.set(a.id, home);
  }
  const regions = await householdRegions(deps.hub, [...new Set(households.values())]);
  return alerts.flatMap((alert) => {
    const householdId = households.get(alert.id);
    const regionCode = householdId === undefined ? undefined : regions.get(householdId);
    if (householdId === undefined || regionCode === undefined) return [];
    return [{ alert, home: homeOf(deps.triggerSet, alert, householdId, regionCode) }];
  });
}

/**
 * The alert's verifier in its new home: the new township, or the department its trigger names (as
 * detection would choose). One civil affairs took over goes to the new township, as a move seen by
 * detection does; so does one whose trigger the locality has since removed from its set.
 */
function homeOf(set: TriggerSet, alert: AlertRow, householdId: number, regionCode: string): AlertHome {
  const township = townshipOf(regionCode);
  const verifier = set.triggers.find((t) => t.id === alert.triggerId)?.verifier ?? 'TOWNSHIP';
  return { householdId, regionCode, townshipCode: township, verifierOffice: verifier === 'TOWNSHIP' ? township : verifier.department, limit: limitOfAlert(set, alert.triggerId, alert.grade) };
}

/** Up to RELOCATE_BATCH open alerts whose person lives elsewhere now, with where. Reads only. */
export async function displacedAlerts(deps: Pick<DetectDeps, 'hub' | 'triggerSet'>): Promise<{ alert: AlertRow; home: AlertHome }[]> {
  return homesOf(deps, await openAlertsAwayFromHome(deps.hub, RELOCATE_BATCH));
}

/**
 * Moves them in the caller's transaction (the poller's, behind its lease's fence) and queues their
 * pushes. An alert moved or closed by another writer since it was read is left as it is (each move is
 * a conditional UPDATE from the household and division read). Returns the moves.
 */
export async function relocateAlerts(deps: DetectDeps, tx: LockingTx, displaced: readonly { alert: AlertRow; home: AlertHome }[]): Promise<AlertChange[]> {
  const changes = await moveAlertsHome(tx, displaced, deps.now());
  await deliverAlertChanges(deps, tx, changes);
  return changes;
}
