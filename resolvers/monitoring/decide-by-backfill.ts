/**
 * The decision day of the alerts raised before the decision limit existed. Migration 0008 gave each
 * of them the published default (15 calendar days from the first clue), though a locality's
 * triggers file may give their grade another limit (20 days, or 12 working days); 0009 marked them
 * (monitoring_alert.decide_by_backfilled). At start-up, before this process detects or pushes
 * anything, the hub counts each marked alert's decision day from its first clue under the limit its
 * trigger and grade have in the file in force, as a raise would have, and clears the mark.
 *
 * Why stored rather than counted from the grade at every read: overdueReport finds late decisions
 * in SQL through the (decided_on, decide_by) index, and an alert's limit is the one of its raise (a
 * locality that changes its file later does not move the days of alerts already raised). Counting
 * once makes the backfilled alerts like the others; the mark makes it once: an alert raised since
 * 0008 is never marked, so its limit is never overridden, and a marked alert is counted by the first
 * process that locks it (several hub processes starting at once each find the others' work done).
 * An alert raised to a graver grade before it was counted is counted at the grade it has now.
 *
 * A moved day is a change of the alert like a raise or a move, so it is in its history
 * (DECIDE_BY_CORRECTED, by the hub, the day before and after in its reason), written under the same
 * lock and mark as the day: once per alert, however many processes start at once. An unmoved day
 * corrected nothing and records nothing.
 *
 * A subscriber's system that was pushed an alert holds its decision day as pushed. When the count
 * moves the day of an alert whose decision is still pending (no decidedOn: open, or verified as
 * NEEDS_AID with its case not yet DECIDED or REJECTED, which is what the day still times), the
 * alert is pushed again, in the transaction that moves it, to each subscription that was pushed it
 * (delivered, or still pending: one being sent as the day moves may carry the old one), so the
 * office hears the new day rather than finding it through the API; decided alerts (dismissed, NO_NEED,
 * or their case decided) and unmoved days push nothing, and the mark makes it once, as the count is.
 * A verified alert's push is the same as an open one's: the envelope carries no state, so a
 * receiver reads it as the day changing and nothing else.
 * The push is an ALERT_RAISED with `reason: DECIDE_BY_CORRECTED` after `alert`, not a kind of its
 * own: every receiver built to the contract knows ALERT_RAISED, which already carries new dates
 * (a raise that brings decideBy forward) and which a receiver keeping the last state it heard takes
 * as the alert's state now, grade unchanged; a kind it did not know could be refused (a 4xx retried
 * into dead letters and administrators' notices at every subscriber on the day of the upgrade,
 * before any receiver could learn it). `reason` is a field receivers ignore until they want it.
 */
import type { HubDb } from '../../db/connect';
import { enqueueToToldSubscriptions } from '../../db/alert-delivery/outbox';
import type { LockingTx } from '../../db/locking';
import { backfilledDecideByIds, settleBackfilledDecideBy, type AlertRow } from '../../db/monitoring/store';
import { decisionDeadline } from '../../domain/monitoring/alerts';
import { limitOfAlert, type TriggerSet } from '../../domain/monitoring/triggers';
import { envelopeOf } from './detect';

/** Alerts counted per transaction. */
const PAGE = 500;

/** Counts the decision day of every marked alert under `set` (history events at `now`); returns how many this process set. */
export async function settleBackfilledDecisionDays(hub: HubDb, set: TriggerSet, now: Date): Promise<number> {
  let settled = 0;
  for (;;) {
    const ids = await backfilledDecideByIds(hub, PAGE);
    if (ids.length === 0) return settled;
    // None of a page set here: another process counted them first (and cleared their marks).
    settled += await settleBackfilledDecideBy(hub, ids, (a) => decisionDeadline(a.firstClueOn, limitOfAlert(set, a.triggerId, a.grade)), now, (tx, moved) => pushMovedDecisionDays(tx, moved, now));
  }
}

/**
 * Queues the push of each alert still pending its decision whose decision day moved to the
 * subscriptions that were pushed it, as happening `now` (the correction's instant, its history
 * event's: the count leaves the alert's updated_at as it was).
 */
async function pushMovedDecisionDays(tx: LockingTx, moved: readonly AlertRow[], now: Date): Promise<void> {
  const pending = moved.filter((a) => a.decidedOn === null);
  await enqueueToToldSubscriptions(tx, pending.map((alert) => ({ ...envelopeOf({ event: 'ALERT_RAISED', alert }), occurredAt: now.toISOString(), reason: 'DECIDE_BY_CORRECTED' as const })));
}
