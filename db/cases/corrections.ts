/**
 * Correcting a meeting's decisions after the meeting (一事一议 决定更正): a decision found wrong once
 * its slips went out (a wrong amount, the wrong office, an office to add or to leave out) is
 * corrected by a later decision of the convener on the meeting's record, never by editing a slip.
 * Each slip the correction changes is SUPERSEDED (it asks nothing of its office any more; its row
 * keeps what was asked, and decision_correction says by which correction, why, and the slip that
 * replaced it, if any); each corrected or added decision is a new slip, due in its working days from
 * the correction's day. A completed decision is not undone: its aid was given and checked, so it is
 * refused (DECISION_COMPLETED) and what more is needed is a decision the correction adds. A declined
 * one has its own ways (reassign, waive, a new meeting: DECISION_DECLINED).
 *
 * One transaction that locks the case row first; the correction is the case's DECISION_CORRECTED
 * event, which carries the request's idempotency key, so a retry answers with the first outcome.
 */
import { sealedTransaction, sealLater } from './seals';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { caseError, refusal, success, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import type { DecisionCheck } from '../../domain/cases/decision-checks';
import { checkDeadlineWorkingDays, slipCarriesDecision, type DecisionInput } from '../../domain/cases/meetings';
import { isWaitingReferral } from '../../domain/cases/referrals';
import { DECISIONS_ENDED_STATES } from '../../domain/cases/state-machine';
import { decisionCheck, decisionCorrection } from '../case-loop/schema';
import type { HubDb } from '../connect';
import { toDbInstant } from '../instants';
import { issueDecisionSlip } from './decision-slips';
import type { CaseRecord, HubQuery } from './records';
import { caseMeeting, referralSlip, secondAidApproval } from './schema';
import { caseWrite, ensureHouseholdTurn, EventLog, keyedRetry, lockCase, requiredText, takeDecisionTurn, unkeyedRetry, type WriteMeta } from './write';

/** A decision of the case to change: its slip, and the decision that replaces it (null: withdrawn, its office left out). */
export interface DecisionChange {
  referralId: number;
  decision: DecisionInput | null;
}

export interface CorrectionInput {
  caseId: number;
  /** Why the decisions are corrected: required, kept on the correction and on every slip it touched. */
  reason: string;
  changes: DecisionChange[];
  /** Decisions added (an office to add, or more aid beside a completed decision). */
  added: DecisionInput[];
  /** The convener's reason for deciding despite a conflict, per new decision (replacements in order, then those added). */
  overrideReasons: (string | null)[];
}

/** The new decisions a correction issues, in the order their slips are issued: replacements, then those added. */
export function correctedDecisions(input: Pick<CorrectionInput, 'changes' | 'added'>): DecisionInput[] {
  return [...input.changes.flatMap((c) => (c.decision ? [c.decision] : [])), ...input.added];
}

/** The correction a request's key wrote: its DECISION_CORRECTED event's seq. */
const correctionOf = (caseId: number) => (e: { action: string; caseId: number; seq: number }) => (e.action === 'DECISION_CORRECTED' && e.caseId === caseId ? e.seq : null);

export type CorrectionRow = typeof decisionCorrection.$inferSelect;

/** The slips one correction (its event's seq) superseded and issued. */
export async function correctionRows(q: HubQuery, caseId: number, eventSeq: number): Promise<CorrectionRow[]> {
  return q.select().from(decisionCorrection).where(and(eq(decisionCorrection.caseId, caseId), eq(decisionCorrection.eventSeq, eventSeq))).orderBy(asc(decisionCorrection.referralId));
}

export async function correctionsByReferralIds(db: HubQuery, ids: readonly number[]): Promise<CorrectionRow[]> {
  return db.select().from(decisionCorrection).where(inArray(decisionCorrection.referralId, [...ids]));
}

/**
 * A correction sent again after a lost answer: with a key, the key's first outcome (or
 * IDEMPOTENCY_KEY_REUSED); without one, the case's newest write when it is this very correction (same
 * reason, slips and new decisions, by the same officer within write.ts UNKEYED_RETRY_HOURS, nothing
 * recorded on the case since). Looked for before the checks (the slips it issued would conflict with
 * the decisions sent again), again before a conflict is refused, and under the case's lock.
 */
export async function correctionRetry(q: HubQuery, input: CorrectionInput, meta: WriteMeta): Promise<Outcome<number> | null> {
  if (meta.idempotencyKey !== null) return keyedRetry(q, meta, correctionOf(input.caseId));
  const again = await unkeyedRetry(q, input.caseId, meta, (e) => e.action === 'DECISION_CORRECTED' && e.reason === input.reason.trim() && sameCorrection(q, e.seq, input));
  return again ? success(again.seq, true) : null;
}

async function sameCorrection(q: HubQuery, eventSeq: number, input: CorrectionInput): Promise<boolean> {
  const rows = await correctionRows(q, input.caseId, eventSeq);
  const issued = rows.filter((r) => r.role === 'ISSUED').map((r) => r.referralId);
  const wanted = correctedDecisions(input);
  if (issued.length !== wanted.length || rows.length - issued.length !== input.changes.length) return false;
  let k = 0;
  for (const change of input.changes) {
    const row = rows.find((r) => r.role === 'SUPERSEDED' && r.referralId === change.referralId);
    if (!row || row.replacedBy !== (change.decision ? issued[k++] : null)) return false;
  }
  if (issued.length === 0) return true;
  const [slips, checks] = await Promise.all([
    q.select().from(referralSlip).where(inArray(referralSlip.id, issued)).orderBy(asc(referralSlip.id)),
    q.select().from(decisionCheck).where(inArray(decisionCheck.referralId, issued)),
  ]);
  return wanted.every((d, i) => slips[i] !== undefined && slipCarriesDecision(slips[i], checks.find((c) => c.referralId === slips[i].id)?.overrideReason ?? null, d, input.overrideReasons[i] ?? null));
}

/** What a correction's input alone gets wrong: no reason, nothing to correct, a deadline out of range. */
export function correctionInputProblem(input: Pick<CorrectionInput, 'reason' | 'changes' | 'added'>): CaseUserError | null {
  if (input.changes.length === 0 && input.added.length === 0) return caseError('CORRECTION_EMPTY', 'name a decision to change or withdraw (changes), or one to add (add)', ['input']);
  const deadline = (d: DecisionInput | null, field: string[]) => (d ? checkDeadlineWorkingDays(d.deadlineWorkingDays, [...field, 'deadlineWorkingDays']) : null);
  return (
    requiredText(input.reason, 500, ['input', 'reason'], 'REASON_REQUIRED') ??
    input.changes.map((c, i) => deadline(c.decision, ['input', 'changes', String(i), 'decision'])).find((e) => e !== null) ??
    input.added.map((d, i) => deadline(d, ['input', 'add', String(i)])).find((e) => e !== null) ??
    null
  );
}

const STATE_REFUSAL = {
  COMPLETED: ['DECISION_COMPLETED', 'a completed decision stays completed: add a decision for what more is needed'],
  DECLINED: ['DECISION_DECLINED', 'a declined decision is reassigned, waived or decided again at a meeting'],
  SUPERSEDED: ['DECISION_SUPERSEDED', 'the decision was superseded already: correct the slip that carries it now'],
  // Only a forwarded matter's slip is withdrawn (referralWithdraw): never a decision's; named so every state has its refusal.
  WITHDRAWN: ['REFERRAL_WITHDRAWN', 'the slip was withdrawn by the case’s owner'],
} as const;

/**
 * Why the case's decisions cannot be corrected as asked, with the meeting the correction is
 * recorded on (the case's latest): read before the checks (the request's case as loaded) and again
 * under the case's lock, where a correction of the same slip sent at the same moment has landed.
 */
export async function correctionRefusal(q: HubQuery, c: CaseRecord, input: Pick<CorrectionInput, 'changes' | 'added'>, office: string): Promise<{ problem: CaseUserError } | { meetingId: number }> {
  if (DECISIONS_ENDED_STATES.has(c.state)) return { problem: caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'caseId']) };
  if (c.ownerOffice !== office) return { problem: caseError('NOT_CASE_OWNER', 'the office that owns the case (its convener) corrects its decisions', ['input', 'actor', 'office']) };
  const [latest] = await q.select({ id: caseMeeting.id }).from(caseMeeting).where(eq(caseMeeting.caseId, c.id)).orderBy(desc(caseMeeting.id)).limit(1);
  if (!latest || (c.state !== 'DECIDED' && c.state !== 'IN_DELIBERATION' && c.state !== 'HANDED_OVER')) return { problem: caseError('MEETING_REQUIRED', 'a meeting decides first: a correction changes its decisions', ['input', 'caseId']) };
  // A handed-over case's decisions are still its county's to carry out, and so to correct or withdraw
  // (its slips stay with its offices: hand-over.ts); new aid for a household that lives in another
  // county now is that county's to decide, on the successor.
  if (c.state === 'HANDED_OVER' && input.added.length > 0) return { problem: caseError('CASE_ENDED', 'the case was handed over: its decisions are corrected or withdrawn, and new aid is decided on its successor', ['input', 'add']) };
  const ids = input.changes.map((ch) => ch.referralId);
  const [slips, secondAids] = ids.length === 0 ? [[], []] : await Promise.all([
    q.select().from(referralSlip).where(inArray(referralSlip.id, ids)),
    q.select({ referralId: secondAidApproval.referralId }).from(secondAidApproval).where(inArray(secondAidApproval.referralId, ids)),
  ]);
  for (const [i, id] of ids.entries()) {
    const field = ['input', 'changes', String(i), 'referralId'];
    const slip = slips.find((s) => s.id === id);
    if (!slip || slip.caseId !== c.id || slip.kind !== 'DECISION') return { problem: caseError('REFERRAL_NOT_FOUND', 'no decision of this case with this slip id', field) };
    if (!isWaitingReferral(slip.state)) return { problem: caseError(STATE_REFUSAL[slip.state][0], STATE_REFUSAL[slip.state][1], field) };
    if (secondAids.some((a) => a.referralId === id)) return { problem: caseError('SECOND_AID_NOT_CORRECTED', 'a second temporary aid is approved with its decision: decline and re-deliberate it', field) };
  }
  return { meetingId: latest.id };
}

/**
 * Corrects the case's decisions. `householdId` is the case's household, `checks` are the new
 * decisions' checks (correctedDecisions order), `decisionsSeen` the household's count read before
 * them (write.ts takeDecisionTurn; null: only withdrawals, no check made, and the household's turn
 * row is made here before the transaction, as a checked correction's was before its check:
 * ensureHouseholdTurn). Returns the correction's event seq.
 */
export async function correctDecisions(
  db: HubDb,
  input: CorrectionInput,
  householdId: number,
  meta: WriteMeta,
  checks: readonly DecisionCheck[] = [],
  decisionsSeen: number | null = null,
): Promise<Outcome<number>> {
  const reason = input.reason.trim();
  return caseWrite(db, meta, correctionInputProblem(input), correctionOf(input.caseId), async (at) => {
    if (decisionsSeen === null) await ensureHouseholdTurn(db, householdId);
    return sealedTransaction(db, async (tx): Promise<Outcome<number>> => {
      const c = await lockCase(tx, input.caseId);
      if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
      // The same correction sent twice at once: the second finds the first's under the lock.
      const again = await correctionRetry(tx, input, meta);
      if (again) return again;
      const refused = await correctionRefusal(tx, c, input, meta.actor.office);
      if ('problem' in refused) return refusal(refused.problem);
      const issuing = correctedDecisions(input);
      const changed = await takeDecisionTurn(tx, c.householdId, decisionsSeen, issuing.length);
      if (changed) return refusal(changed);
      const log = await EventLog.open(tx, c.id, meta);
      const rows: Omit<CorrectionRow, 'eventSeq'>[] = [];
      const row = (referralId: number, role: CorrectionRow['role'], replacedBy: number | null) => rows.push({ referralId, caseId: c.id, role, replacedBy, reason, actor: meta.actor.officer, recordedAt: toDbInstant(meta.now) });
      let k = 0;
      for (const change of input.changes) {
        const [old] = await tx.select({ meetingId: referralSlip.meetingId }).from(referralSlip).where(eq(referralSlip.id, change.referralId));
        const replacement = change.decision ? await issueDecisionSlip(tx, c, old.meetingId, change.decision, checks[k++] ?? null, meta.now) : null;
        // Off the office's open work from now: answeredAt is when it was superseded (supervision's as-of reads it so).
        await tx.update(referralSlip).set({ state: 'SUPERSEDED', answeredAt: toDbInstant(meta.now) }).where(eq(referralSlip.id, change.referralId));
        sealLater(tx, referralSlip, eq(referralSlip.id, change.referralId));
        if (replacement !== null) {
          log.add({ action: 'REFERRAL_ISSUED', referralId: replacement, meetingId: old.meetingId, occurredAt: at, reason: `更正（取代转办单 ${change.referralId}）：${reason}` });
          row(replacement, 'ISSUED', null);
        }
        log.add({ action: 'REFERRAL_SUPERSEDED', referralId: change.referralId, meetingId: old.meetingId, occurredAt: at, reason: replacement === null ? `决定撤销：${reason}` : `由转办单 ${replacement} 取代：${reason}` });
        row(change.referralId, 'SUPERSEDED', replacement);
      }
      for (const d of input.added) {
        const added = await issueDecisionSlip(tx, c, refused.meetingId, d, checks[k++] ?? null, meta.now);
        log.add({ action: 'REFERRAL_ISSUED', referralId: added, meetingId: refused.meetingId, occurredAt: at, reason: `更正（增加决定）：${reason}` });
        row(added, 'ISSUED', null);
      }
      const eventSeq = log.add({ action: 'DECISION_CORRECTED', meetingId: refused.meetingId, occurredAt: at, reason, carriesKey: true });
      await tx.insert(decisionCorrection).values(rows.map((r) => ({ ...r, eventSeq })));
      sealLater(tx, decisionCorrection, and(eq(decisionCorrection.caseId, c.id), eq(decisionCorrection.eventSeq, eventSeq)));
      await log.write(tx);
      return success(eventSeq);
    });
  });
}
