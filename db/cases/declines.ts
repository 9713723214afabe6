/**
 * A declined decision leads somewhere (件件有落实): the convener reassigns it to another department
 * (a new decision slip of the same meeting), or waives it with a reason; or the case goes back to
 * deliberation and its next meeting decides again (db/cases/meetings.ts marks it re-deliberated).
 * Each is one transaction that locks the case row first.
 */
import { sealLater } from './seals';
import { and, asc, eq, gt, inArray, isNull, lte, or } from 'drizzle-orm';
import { chinaDateOf } from '../../domain/cases/china-time';
import type { IsoDate } from '../../domain/dates';
import { caseError, refusal, success, type Outcome } from '../../domain/cases/errors';
import { checkDeadlineWorkingDays, slipCarriesDecision, type DecisionInput } from '../../domain/cases/meetings';
import { issueDecisionSlip } from './decision-slips';
import { DECISIONS_ENDED_STATES } from '../../domain/cases/state-machine';
import { addWorkingDays } from '../../domain/cases/working-days';
import { decisionCheck, declinedDecision } from '../case-loop/schema';
import type { DecisionCheck } from '../../domain/cases/decision-checks';
import type { HubDb } from '../connect';
import { fromDbInstant, toDbInstant } from '../instants';
import { caseInRegion, inPeriodAndRegion, ownerWhen, referralRecord, slipMeetingDay, type HubQuery, type HubTx, type ReferralRecord } from './records';
import { aidCase, caseEvent, referralSlip } from './schema';
import { caseWrite, EventLog, inSlipCase, keyedRetry, requiredText, retryOrScreened, takeDecisionTurn, unkeyedRetry, type WriteMeta } from './write';

/**
 * A reassignment carries its decision's pre-grant check (kept as a meeting's decision's is), the
 * convener's reason for deciding despite a conflict, and the household's count of decisions issued
 * read before the check (write.ts takeDecisionTurn; null: no check was made, and such a
 * reassignment writes nothing: under the case's lock it is answered as a retry or refused).
 */
export type Reassignment = { kind: 'REASSIGN'; reason: string; decision: DecisionInput; overrideReason: string | null; check: DecisionCheck | null; decisionsSeen: number | null };
export type DeclineResolution = { kind: 'WAIVE'; reason: string } | Reassignment;

/**
 * Thrown, never answered: an unchecked reassignment (decisionsSeen null) found its slip declined
 * under the case's lock, so nothing was written and the request reads the slip again to check it
 * (resolvers/cases/resolvers.ts reassigned). Not a refusal: the caller that sends an unchecked
 * reassignment catches it.
 */
export class DeclinedMeanwhile extends Error {
  constructor(readonly referralId: number) {
    super(`referral slip ${referralId} was declined while its reassignment was looked at`);
  }
}

/** The slip a reassignment issued, from the event that carries its key. */
export const reassignmentOf = (e: { action: string; referralId: number | null }) => (e.action === 'REFERRAL_ISSUED' ? e.referralId : null);

/** Resolves a declined decision. Returns the id of the slip that carries it now (the new one for a reassignment). */
export async function resolveDeclinedDecision(db: HubDb, referralId: number, resolution: DeclineResolution, meta: WriteMeta): Promise<Outcome<number>> {
  const problem =
    requiredText(resolution.reason, 500, ['input', 'reason'], 'REASON_REQUIRED') ??
    (resolution.kind === 'REASSIGN' ? checkDeadlineWorkingDays(resolution.decision.deadlineWorkingDays, ['input', 'deadlineWorkingDays']) : null);
  return caseWrite(
    db,
    meta,
    problem,
    (e) =>
      resolution.kind === 'REASSIGN'
        ? reassignmentOf(e)
        : e.action === 'DECISION_WAIVED' && e.referralId === referralId ? referralId : null,
    (at) =>
      inSlipCase(db, referralId, async (tx, c): Promise<Outcome<number>> => {
        // The same waiver sent again without a key, nothing recorded on the slip since: its first outcome.
        if (resolution.kind === 'WAIVE' && (await unkeyedRetry(tx, c.id, meta, (e) => e.action === 'DECISION_WAIVED' && e.reason === resolution.reason.trim(), referralId))) return success(referralId, true);
        // A handed-over case's decisions stay its county's to carry out (db/cases/hand-over.ts): one
        // declined after the hand-over is still its convener's to reassign or waive.
        if (DECISIONS_ENDED_STATES.has(c.state)) return refusal(caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'referralId']));
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the office that owns the case (its convener) resolves a declined decision', ['input', 'actor', 'office']));
        const [row] = await tx.select({ slip: referralSlip, meetingDay: slipMeetingDay }).from(referralSlip).where(eq(referralSlip.id, referralId));
        const slip = referralRecord(row.slip, { ...c, meetingDay: row.meetingDay });
        const [resolved] = await tx.select().from(declinedDecision).where(eq(declinedDecision.referralId, referralId));
        // The same reassignment sent twice at once: the second finds the first's under the lock.
        if (resolution.kind === 'REASSIGN' && resolved && (await sameReassignment(tx, resolved, resolution, meta))) return success(resolved.newReferralId!, true);
        if (slip.kind !== 'DECISION' || slip.state !== 'DECLINED' || resolved) {
          return refusal(caseError('DECISION_NOT_DECLINED', 'only a declined decision not yet resolved is reassigned or waived', ['input', 'referralId']));
        }
        // Made with no check (its slip not yet declined when the request looked at it), a
        // reassignment that finds the slip declined now would issue its decision unchecked: nothing
        // is written (DeclinedMeanwhile), and the request reads the slip again and checks it
        // (resolvers/cases/resolvers.ts reassigned). So a reassignment takes the household's turn
        // only once checked, its row made then.
        if (resolution.kind === 'REASSIGN' && resolution.decisionsSeen === null) throw new DeclinedMeanwhile(referralId);
        const log = await EventLog.open(tx, c.id, meta);
        let carrier = referralId;
        if (resolution.kind === 'REASSIGN') {
          const d = resolution.decision;
          if (d.department === slip.toOffice) return refusal(caseError('SAME_OFFICE', 'a reassignment goes to another department', ['input', 'department']));
          const changed = await takeDecisionTurn(tx, c.householdId, resolution.decisionsSeen, 1);
          if (changed) return refusal(changed);
          carrier = await issueDecisionSlip(tx, c, slip.meetingId, d, resolution.check, meta.now);
          log.add({ action: 'REFERRAL_ISSUED', referralId: carrier, meetingId: slip.meetingId, occurredAt: at, reason: `改派（原转办单 ${referralId} 被退回）：${resolution.reason.trim()}`, carriesKey: true });
        } else {
          log.add({ action: 'DECISION_WAIVED', referralId, meetingId: slip.meetingId, occurredAt: at, reason: resolution.reason.trim(), carriesKey: true });
        }
        await tx.insert(declinedDecision).values({
          referralId,
          caseId: c.id,
          resolution: resolution.kind === 'REASSIGN' ? 'REASSIGNED' : 'WAIVED',
          newReferralId: resolution.kind === 'REASSIGN' ? carrier : null,
          reason: resolution.reason.trim(),
          actor: meta.actor.officer,
          recordedAt: toDbInstant(meta.now),
        });
        sealLater(tx, declinedDecision, eq(declinedDecision.referralId, referralId));
        await log.write(tx);
        return success(carrier);
      }),
  );
}

/**
 * A reassignment sent again after a lost answer: with an idempotency key, the key's first outcome
 * (or IDEMPOTENCY_KEY_REUSED); without one, the slip the declined decision was reassigned to when
 * it was this very reassignment (see sameReassignment). Checked before the reassignment's checks,
 * against which the slip it issued would conflict with itself, and again before a conflict is
 * refused (checkedAndWritten: the slip may have been issued since the first look). Null: the request is not a retry (a
 * decline already resolved otherwise is refused DECISION_NOT_DECLINED under the case's lock).
 */
export async function reassignmentRetry(db: HubDb, referralId: number, resolution: Reassignment, meta: WriteMeta): Promise<Outcome<number> | null> {
  if (meta.idempotencyKey !== null) return keyedRetry(db, meta, reassignmentOf);
  const [resolved] = await db.select().from(declinedDecision).where(eq(declinedDecision.referralId, referralId));
  return retryOrScreened(resolved && (await sameReassignment(db, resolved, resolution, meta)) ? success(resolved.newReferralId!, true) : null, meta);
}

/**
 * Whether the declined decision was reassigned by this request already: by the same officer of the
 * same office, with the same reason, to the same department with the same decision (programme,
 * amount, deadline, ask, beneficiary, cause) and the same override reason. A declined decision is
 * reassigned once, so the same reassignment again can only be its retry, however late; any other
 * reassignment of it is refused DECISION_NOT_DECLINED.
 */
async function sameReassignment(q: HubQuery, resolved: typeof declinedDecision.$inferSelect, r: Reassignment, meta: WriteMeta): Promise<boolean> {
  if (resolved.resolution !== 'REASSIGNED' || resolved.newReferralId === null || resolved.actor !== meta.actor.officer || resolved.reason !== r.reason.trim()) return false;
  const [[slip], [check]] = await Promise.all([
    q.select().from(referralSlip).where(eq(referralSlip.id, resolved.newReferralId)),
    q.select({ overrideReason: decisionCheck.overrideReason }).from(decisionCheck).where(eq(decisionCheck.referralId, resolved.newReferralId)),
  ]);
  return slip !== undefined && slip.fromOffice === meta.actor.office && slipCarriesDecision(slip, check?.overrideReason ?? null, r.decision, r.overrideReason);
}

/**
 * The day (China) of the latest of these declines of the case, as the department stated it
 * (`occurredAt`: the earlier of stated and recorded), or null for none: a meeting deciding them
 * again is held on or after it (domain/cases/meetings.ts meetingBeforeDecline). One statement, none
 * without declines.
 */
export async function latestDeclineDay(q: HubQuery, caseId: number, referralIds: readonly number[]): Promise<IsoDate | null> {
  if (referralIds.length === 0) return null;
  const rows = await q
    .select({ occurredAt: caseEvent.occurredAt })
    .from(caseEvent)
    .where(and(eq(caseEvent.caseId, caseId), eq(caseEvent.action, 'REFERRAL_DECLINED'), inArray(caseEvent.referralId, [...referralIds])));
  const days = rows.map((r) => chinaDateOf(fromDbInstant(r.occurredAt))).sort();
  return days.at(-1) ?? null;
}

/** A later meeting of the case decides again what was declined: its open declines are re-deliberated. */
export async function markRedeliberated(tx: HubTx, caseId: number, openDeclined: readonly number[], meetingId: number, actor: string, now: Date): Promise<void> {
  if (openDeclined.length === 0) return;
  await tx.insert(declinedDecision).values(
    openDeclined.map((referralId) => ({ referralId, caseId, resolution: 'REDELIBERATED' as const, meetingId, reason: `一事一议 会议 ${meetingId} 重新议定`, actor, recordedAt: toDbInstant(now) })),
  );
  sealLater(tx, declinedDecision, inArray(declinedDecision.referralId, [...openDeclined]));
}

export type DeclineRecord = typeof declinedDecision.$inferSelect;

export async function declinesByReferralIds(db: HubDb, ids: readonly number[]): Promise<DeclineRecord[]> {
  return db.select().from(declinedDecision).where(and(inArray(declinedDecision.referralId, [...ids])));
}

/**
 * The declined decisions still open at `asOf` (supervision, domain/cases/supervision.ts): slips of
 * decisions declined by then, of cases not ended by then (or handed over: its decisions stay its
 * county's), that no reassignment, waiver or later
 * meeting had resolved by then; with the office that owns the case at asOf (`ownerAsOf`: the one that
 * must reassign, waive or have it decided again, resolveDeclinedDecision's NOT_CASE_OWNER), the
 * office that owned it when the department declined it (`ownerThen`: the convener the declined aid
 * fell to then), both read by records.ts ownerWhen in the statement, and township. Oldest decline first.
 */
export async function declinesOpenAt(db: HubDb, asOf: Date, regionPrefix: string | null): Promise<(ReferralRecord & { ownerThen: string; ownerAsOf: string; declinedAt: Date })[]> {
  const at = toDbInstant(asOf);
  const rows = await db
    .select({ slip: referralSlip, householdId: aidCase.householdId, townshipCode: aidCase.townshipCode, meetingDay: slipMeetingDay, ownerThen: ownerWhen(referralSlip.answeredAt), ownerAsOf: ownerWhen(asOf) })
    .from(referralSlip)
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .leftJoin(declinedDecision, and(eq(declinedDecision.referralId, referralSlip.id), lte(declinedDecision.recordedAt, at)))
    .where(
      and(
        eq(referralSlip.kind, 'DECISION'),
        eq(referralSlip.state, 'DECLINED'),
        lte(referralSlip.answeredAt, at),
        isNull(declinedDecision.referralId),
        // A handed-over case ended with its slips still open: a decision declined after the
        // hand-over is its convener's to resolve, and supervision's to see until then.
        or(isNull(aidCase.endedAt), gt(aidCase.endedAt, at), eq(aidCase.state, 'HANDED_OVER')),
        caseInRegion(regionPrefix),
      ),
    )
    .orderBy(asc(referralSlip.answeredAt), asc(referralSlip.id));
  return rows.map((r) => {
    const slip = referralRecord(r.slip, r);
    return { ...slip, ownerThen: r.ownerThen, ownerAsOf: r.ownerAsOf, declinedAt: slip.answeredAt! };
  });
}

/** A declined decision waived, as supervision lists it: with the waiver's reason. */
export type WaivedDecisionRecord = ReferralRecord & { ownerThen: string; waivedAt: Date; waiverReason: string };

/**
 * The declined decisions the convener waived from `from` up to `to` (supervision): decided aid the
 * household will not be given, with the office that owned the case when it was waived (`ownerThen`,
 * records.ts ownerWhen: the convener who waived it), the waiver's reason (the spreadsheet prints it;
 * the API reads it through Referral.declineResolution) and township. Waived first, first.
 */
export async function declinesWaivedBetween(db: HubDb, from: Date, to: Date, regionPrefix: string | null): Promise<WaivedDecisionRecord[]> {
  const rows = await db
    .select({ slip: referralSlip, householdId: aidCase.householdId, townshipCode: aidCase.townshipCode, meetingDay: slipMeetingDay, ownerThen: ownerWhen(declinedDecision.recordedAt), waivedAt: declinedDecision.recordedAt, waiverReason: declinedDecision.reason })
    .from(declinedDecision)
    .innerJoin(referralSlip, eq(referralSlip.id, declinedDecision.referralId))
    .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
    .where(and(eq(declinedDecision.resolution, 'WAIVED'), inPeriodAndRegion(declinedDecision.recordedAt, from, to, regionPrefix)))
    .orderBy(asc(declinedDecision.recordedAt), asc(referralSlip.id));
  return rows.map((r) => ({ ...referralRecord(r.slip, r), ownerThen: r.ownerThen, waivedAt: fromDbInstant(r.waivedAt), waiverReason: r.waiverReason }));
}
