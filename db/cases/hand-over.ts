/**
 * 移交: a case whose household has moved to another county ends in its county (HANDED_OVER, with
 * the convener's reason) and its successor is opened in the county the household lives in now,
 * linked to it (`predecessor_case_id`), in one transaction.
 *
 * Why a successor rather than moving the case: everything recorded on a case (its owner, its slips'
 * addressees, its meetings' convener, who acted in its history) is an act of its county's offices,
 * stored as a department's key and read as that county's office (domain/cases/offices.ts). Moving
 * the case would re-address 微山县医保局's slip to 任城区医保局, which never took it, and rewrite a
 * 微山县 meeting as 任城区's. So the old case keeps its history, and its open slips keep their
 * offices and due dates (those offices answer them as before: a decision the old county's meeting
 * took is that county's to carry out); the new county starts its own handling (受理, its own time
 * limits) of a case that shows the old one, whole, as its predecessor.
 */
import { sealedTransaction, sealLater } from './seals';
import { eq } from 'drizzle-orm';
import { caseError, refusal, success, type Outcome } from '../../domain/cases/errors';
import { countyOf, departmentOffice, townshipOf } from '../../domain/cases/offices';
import { TERMINAL_STATES } from '../../domain/cases/state-machine';
import type { HubDb } from '../connect';
import { household } from '../household/schema';
import { toDbInstant } from '../instants';
import type { LockingTx } from '../locking';
import { aidCase } from './schema';
import { followCaseHandOver, type AlertChange } from '../monitoring/store';
import type { CaseRecord } from './records';
import { applyTransition, caseAndPredecessorIds } from './store';
import { ensureHouseholdTurn, EventLog, idempotent, lockCase, lockHouseholdTurn, requiredText, unkeyedRetry, type WriteMeta } from './write';

/**
 * Hands the case over to the county its household lives in now. Only the office that owns the case
 * (its convener) may; the household must live in another county; the reason is required; declined
 * decisions are resolved first (DECLINED_DECISIONS_OPEN), and a case with a charity need open is
 * refused as a withdrawal is (applyTransition). A case opened from a monitoring alert is handed over
 * with the alert's decision, which its successor carries (store.ts alertOfCase), and the alert goes with
 * it to the new home while that decision is pending (followCaseHandOver; `onAlertsMoved` queues the
 * pushes of the move in the transaction). Returns the case's
 * id; its successor is the case whose predecessor it is. A retry (its key, or the same officer's
 * same hand-over without one) answers the first outcome: one successor, ever (unique index).
 */
export async function handOverCase(
  db: HubDb,
  { id: caseId, householdId }: Pick<CaseRecord, 'id' | 'householdId'>,
  reason: string,
  meta: WriteMeta,
  onAlertsMoved?: (tx: LockingTx, moves: readonly AlertChange[]) => Promise<void>,
): Promise<Outcome<number>> {
  const problem = requiredText(reason, 2000, ['input', 'reason'], 'REASON_REQUIRED');
  if (problem) return refusal(problem);
  return idempotent(
    db,
    meta,
    (e) => (e.action === 'TRANSITIONED' && e.caseId === caseId && e.toState === 'HANDED_OVER' ? caseId : null),
    async () => {
      // The household's turn row made on its own first, not in this transaction's rollback (ensureHouseholdTurn).
      await ensureHouseholdTurn(db, householdId);
      return sealedTransaction(db, async (tx) => {
        const c = await lockCase(tx, caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        if (await unkeyedRetry(tx, caseId, meta, (e) => e.action === 'TRANSITIONED' && e.toState === 'HANDED_OVER' && e.reason === reason.trim())) return success(caseId, true);
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the office that owns (convenes) the case hands it over', ['input', 'actor', 'office']));
        if (TERMINAL_STATES.has(c.state)) return refusal(caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'caseId']));
        const [home] = await tx.select({ regionCode: household.regionCode }).from(household).where(eq(household.id, c.householdId));
        if (!home || countyOf(home.regionCode) === countyOf(c.townshipCode)) {
          return refusal(caseError('HOUSEHOLD_NOT_MOVED', `the household lives in county ${countyOf(c.townshipCode)}, the case's: there is no other county to hand it over to`, ['input', 'caseId']));
        }
        // A case being opened for the household reads its open cases under this turn (store.ts openCase).
        await lockHouseholdTurn(tx, c.householdId);
        const at = meta.now;
        const log = await EventLog.open(tx, caseId, meta);
        const ended = await applyTransition(tx, c, 'HANDED_OVER', reason, at, log, { viaHandOver: true, carriesKey: true, serverClock: true });
        if (!ended.ok) return ended;
        const [res] = await tx.insert(aidCase).values({
          householdId: c.householdId,
          townshipCode: townshipOf(home.regionCode),
          origin: c.origin,
          urgency: c.urgency,
          state: 'REPORTED',
          summary: c.summary,
          // Received by the new county's civil affairs, whose convener takes it in (受理) or not.
          firstOffice: departmentOffice('CIVIL_AFFAIRS'),
          ownerOffice: departmentOffice('CIVIL_AFFAIRS'),
          // The new county's time limits run from the day it received the case; the household's
          // whole wait is on the predecessor, from its report.
          reportedAt: toDbInstant(at),
          predecessorCaseId: c.id,
        });
        sealLater(tx, aidCase, eq(aidCase.id, res.insertId));
        // The alert the case was opened from goes with it while its decision is pending (its notice,
        // decision and supervision are the new county's now): db/monitoring/store.ts followCaseHandOver.
        if (c.origin === 'ALERT') {
          const moves = await followCaseHandOver(tx, await caseAndPredecessorIds(tx, c), { householdId: c.householdId, regionCode: home.regionCode }, { from: c.id, to: res.insertId }, at);
          // Its pushes in the same transaction (the caller queues them: resolvers/cases).
          if (moves.length > 0 && onAlertsMoved) await onAlertsMoved(tx, moves);
        }
        // The successor's first event: opened by the hand-over, by the officer who handed it over.
        const opened = await EventLog.open(tx, res.insertId, meta);
        opened.add({ action: 'OPENED', toState: 'REPORTED', occurredAt: at, reason: reason.trim() });
        await log.write(tx);
        await opened.write(tx);
        return success(caseId);
      });
    },
  );
}
