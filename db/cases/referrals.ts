/**
 * Referral slips (转办单): issuing one from a case's owner to another office, the receiving
 * office's answer: accept, complete with feedback (and the aid record it produced), or decline with
 * a reason; and the owner's withdrawal of one still waiting. Each is one transaction that locks the
 * case row first, then records its events.
 */
import { sealedTransaction, sealLater } from './seals';
import { and, eq, ne } from 'drizzle-orm';
import { chinaDateOf } from '../../domain/cases/china-time';
import { caseError, refusal, success, type Outcome } from '../../domain/cases/errors';
import { checkDeadlineWorkingDays } from '../../domain/cases/meetings';
import { ownerChange, type OfficeKey } from '../../domain/cases/offices';
import { checkReferralAction, checkWithdrawal, type ReferralAction } from '../../domain/cases/referrals';
import { DECISIONS_ENDED_STATES, TERMINAL_STATES } from '../../domain/cases/state-machine';
import { addWorkingDays } from '../../domain/cases/working-days';
import type { HubDb } from '../connect';
import { aidCase, referralSlip, secondAidApproval } from './schema';
import { aidRecordUse, referralFulfilment } from '../case-loop/schema';
import type { Fulfilment } from '../../domain/cases/fulfilment';
import { referralRecord, slipMeetingDay, type CaseEventRecord, type HubQuery } from './records';
import { toDbInstant } from '../instants';
import { caseWrite, EventLog, idempotent, inSlipCase, isDuplicateKey, lockCase, occurredAt, requiredText, unkeyedRetry, type WriteMeta } from './write';
import { longerThan } from '../../domain/text-length';

export interface ReferralIssueInput {
  caseId: number;
  to: OfficeKey;
  ask: string;
  deadlineWorkingDays: number;
  /** Accepting it makes the receiving office the case's owner (首问负责 handed on). */
  handOver: boolean;
}

/** Forwards a matter of a case to another office. Only the owning office may. Returns the slip id. */
export async function issueReferral(db: HubDb, input: ReferralIssueInput, meta: WriteMeta): Promise<Outcome<number>> {
  const problem =
    requiredText(input.ask, 500, ['input', 'ask']) ??
    checkDeadlineWorkingDays(input.deadlineWorkingDays, ['input', 'deadlineWorkingDays']) ??
    (input.to === meta.actor.office ? caseError('SAME_OFFICE', 'a slip goes to another office', ['input', 'to']) : null);
  if (problem) return refusal(problem);
  const at = occurredAt(meta);
  if (!(at instanceof Date)) return refusal(at);
  return idempotent(
    db,
    meta,
    (e) => (e.action === 'REFERRAL_ISSUED' && e.caseId === input.caseId ? e.referralId : null),
    () =>
      sealedTransaction(db, async (tx) => {
        const c = await lockCase(tx, input.caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        // The same slip sent again without a key, nothing recorded on the case since: not a second slip.
        const again = await unkeyedRetry(tx, c.id, meta, async (e) => e.action === 'REFERRAL_ISSUED' && e.referralId !== null && e.reason === input.ask.trim() && (await sameForward(tx, e.referralId, input)));
        if (again) return success(again.referralId!, true);
        if (TERMINAL_STATES.has(c.state)) return refusal(caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'caseId']));
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'only the office that owns the case forwards it', ['input', 'actor', 'office']));
        if (at < c.reportedAt) return refusal(caseError('OCCURRED_OUT_OF_ORDER', 'occurredAt is before the case was reported', ['input', 'occurredAt']));
        const [res] = await tx.insert(referralSlip).values({
          caseId: c.id,
          kind: 'FORWARD',
          fromOffice: c.ownerOffice,
          toOffice: input.to,
          ask: input.ask.trim(),
          handOver: input.handOver,
          deadlineWorkingDays: input.deadlineWorkingDays,
          // The receiving office has the slip when the hub records it: its clock starts then.
          issuedAt: toDbInstant(meta.now),
          dueOn: addWorkingDays(chinaDateOf(meta.now), input.deadlineWorkingDays).date,
          state: 'ISSUED',
        });
        sealLater(tx, referralSlip, eq(referralSlip.id, res.insertId));
        const log = await EventLog.open(tx, c.id, meta);
        log.add({ action: 'REFERRAL_ISSUED', referralId: res.insertId, occurredAt: at, reason: input.ask.trim(), carriesKey: true });
        await log.write(tx);
        return success(res.insertId);
      }),
  );
}

/** Whether the slip is a forward of this request's (the same office, deadline and hand-over). */
async function sameForward(q: HubQuery, referralId: number, input: ReferralIssueInput): Promise<boolean> {
  const [slip] = await q.select().from(referralSlip).where(eq(referralSlip.id, referralId));
  return slip !== undefined && slip.kind === 'FORWARD' && slip.toOffice === input.to && slip.deadlineWorkingDays === input.deadlineWorkingDays && slip.handOver === input.handOver;
}

export interface ReferralAnswer {
  /** Feedback (COMPLETE), the reason (DECLINE) or an optional note (ACCEPT). */
  text: string;
  /** COMPLETE only: the AidRecord.sourceReference of the aid produced, already checked to exist. */
  aidSourceRef: string | null;
  /** COMPLETE of a decision: what the hub checked in the department's data (domain/cases/fulfilment.ts). */
  fulfilment?: Fulfilment | null;
  /**
   * ACCEPT: whether the answering client may own a case (move it, convene, forward it). Accepting a
   * hand-over makes its office the owner; a client that may only answer slips would leave the case
   * with an owner nobody can act for, open for good. Default true (no authenticated client).
   */
  mayOwnCase?: boolean;
}

/**
 * The decision an aid record already fulfils, in another case than the one being answered: the
 * refusal names that case only when `nameCase` gives its reference (the caller may see it).
 */
export type NameCase = (caseId: number) => Promise<string | null>;

/** Who holds an aid record (aid_record_use), if anyone. */
async function recordHolder(db: HubQuery, office: string, aidSourceRef: string) {
  const [row] = await db
    .select({ referralId: aidRecordUse.referralId, caseId: aidRecordUse.caseId })
    .from(aidRecordUse)
    .where(and(eq(aidRecordUse.office, office), eq(aidRecordUse.aidSourceRef, aidSourceRef)));
  return row ?? null;
}

async function alreadyUsed(holder: { referralId: number; caseId: number }, caseId: number, nameCase: NameCase): Promise<Outcome<number>> {
  const field = ['input', 'aidSourceReference'];
  if (holder.caseId === caseId) return refusal(caseError('AID_RECORD_ALREADY_USED', `the aid record already fulfils decision ${holder.referralId} of the case`, field));
  // Another case: named only to a caller who may see it; otherwise not even that it exists there.
  const reference = await nameCase(holder.caseId);
  return refusal(
    caseError('AID_RECORD_ALREADY_USED', reference === null ? 'the aid record already fulfils a decision of another case' : `the aid record already fulfils decision ${holder.referralId} of case ${reference}`, field),
  );
}

const EVENT_OF: Record<ReferralAction, 'REFERRAL_ACCEPTED' | 'REFERRAL_COMPLETED' | 'REFERRAL_DECLINED'> = {
  ACCEPT: 'REFERRAL_ACCEPTED',
  COMPLETE: 'REFERRAL_COMPLETED',
  DECLINE: 'REFERRAL_DECLINED',
};

/** The receiving office answers a slip. Returns the slip id. */
export async function answerReferral(db: HubDb, referralId: number, action: ReferralAction, answer: ReferralAnswer, meta: WriteMeta, nameCase: NameCase = async () => null): Promise<Outcome<number>> {
  const field = action === 'COMPLETE' ? 'feedback' : action === 'DECLINE' ? 'reason' : 'note';
  if (longerThan(answer.text, 2000)) return refusal(caseError('TEXT_TOO_LONG', `${field} is longer than 2000 characters`, ['input', field]));
  const at = occurredAt(meta);
  if (!(at instanceof Date)) return refusal(at);
  return idempotent(
    db,
    meta,
    (e) => (e.action === EVENT_OF[action] && e.referralId === referralId ? referralId : null),
    async () => {
      const [found] = await db.select({ caseId: referralSlip.caseId }).from(referralSlip).where(eq(referralSlip.id, referralId));
      if (!found) return refusal(caseError('REFERRAL_NOT_FOUND', 'no referral slip with this id', ['input', 'referralId']));
      // The aid record this completion claims (aid_record_use), if it does: when another case's
      // completion claimed it at the same moment, the unique key refuses ours (at the insert, or at
      // commit on an optimistic TiDB) and the transaction is rolled back whole.
      const claim: { record: { office: string; aidSourceRef: string } | null } = { record: null };
      // The holder found by the read below: the refusal is worded once the transaction has ended,
      // since naming the other case reads through the request's loaders (other connections).
      const taken: { holder: { referralId: number; caseId: number } | null } = { holder: null };
      try {
        const outcome = await sealedTransaction(db, async (tx): Promise<Outcome<number>> => {
          const c = await lockCase(tx, found.caseId);
          if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'referralId']));
          // Read again under the case lock: another answer may have landed since the look-up above.
          const [row] = await tx.select({ slip: referralSlip, meetingDay: slipMeetingDay }).from(referralSlip).where(eq(referralSlip.id, referralId));
          const slip = referralRecord(row.slip, { ...c, meetingDay: row.meetingDay });
          // The same answer sent again without a key (a double click, a lost reply): its first outcome.
          const sameAnswer = (e: CaseEventRecord) => e.action === EVENT_OF[action] && (e.reason ?? '') === answer.text.trim() && (action !== 'COMPLETE' || slip.aidSourceRef === answer.aidSourceRef);
          if (await unkeyedRetry(tx, c.id, meta, sameAnswer, referralId)) return success(referralId, true);
          if (slip.toOffice !== meta.actor.office) return refusal(caseError('NOT_RECEIVING_OFFICE', 'only the receiving office answers a slip', ['input', 'actor', 'office']));
          const check = checkReferralAction(slip.state, action, { handOver: slip.handOver, text: answer.text, handOverCase: { ownerOffice: c.ownerOffice, fromOffice: slip.fromOffice, ended: TERMINAL_STATES.has(c.state) } });
          if (!check.ok) return refusal(caseError(check.code, check.message, check.code === 'REFERRAL_ILLEGAL_TRANSITION' || check.code === 'REFERRAL_SUPERSEDED' || check.code === 'REFERRAL_WITHDRAWN' || check.code === 'HAND_OVER_LAPSED' ? ['input', 'referralId'] : ['input', field]));
          if (action === 'ACCEPT' && slip.handOver && answer.mayOwnCase === false) {
            return refusal(caseError('CANNOT_OWN_CASE', 'accepting a hand-over makes this office the case’s owner: a client that may move cases (CASEWORKER) accepts it; decline it otherwise', ['input', 'referralId']));
          }
          // A decision is completed only with its aid record checked (domain/cases/fulfilment.ts).
          if (action === 'COMPLETE' && slip.kind === 'DECISION' && slip.programmeCode !== null && !answer.fulfilment) {
            return refusal(caseError('AID_RECORD_REQUIRED', 'a decision is completed with the aid record that fulfils it', ['input', 'aidSourceReference']));
          }
          // 件件有落实: one payment fulfils one decision. Two decisions of the case (two stays, or the
          // same aid decided twice) completed with one record would show as both given when the
          // department paid once. Checked under the case lock, so two completions racing cannot both pass.
          if (action === 'COMPLETE' && answer.fulfilment && answer.aidSourceRef !== null) {
            const [used] = await tx
              .select({ id: referralSlip.id })
              .from(referralSlip)
              .where(and(eq(referralSlip.caseId, c.id), eq(referralSlip.toOffice, slip.toOffice), eq(referralSlip.kind, 'DECISION'), eq(referralSlip.aidSourceRef, answer.aidSourceRef), ne(referralSlip.id, referralId)))
              .limit(1);
            if (used) return refusal(caseError('AID_RECORD_ALREADY_USED', `the aid record already fulfils decision ${used.id} of the case`, ['input', 'aidSourceReference']));
            // Across cases: one payment fulfils one decision of any case. Another case's completion
            // holds no lock of ours, so the claim is a row under a unique key (aid_record_use).
            const holder = await recordHolder(tx, slip.toOffice, answer.aidSourceRef);
            if (holder && holder.referralId !== referralId) {
              taken.holder = holder;
              return refusal();
            }
            if (!holder) claim.record = { office: slip.toOffice, aidSourceRef: answer.aidSourceRef };
          }
          // The slip reached the office when the hub recorded its issue: no answer precedes that.
          if (at < slip.issuedAt) return refusal(caseError('OCCURRED_OUT_OF_ORDER', 'occurredAt is before the hub issued the slip', ['input', 'occurredAt']));
          // Every refusal is above: the claim is the first write, so of two completions racing in two
          // cases the second's insert waits for the first's commit and fails on the key.
          if (claim.record) await tx.insert(aidRecordUse).values({ referralId, ...claim.record, caseId: c.id });
          const text = answer.text.trim() || null;
          const answered = check.to === 'COMPLETED' || check.to === 'DECLINED';
          await tx
            .update(referralSlip)
            .set({
              state: check.to,
              // Recorded times: lateness is measured by them; the stated time is the event's occurredAt.
              ...(action === 'ACCEPT' ? { acceptedAt: toDbInstant(meta.now) } : {}),
              ...(answered ? { answeredAt: toDbInstant(meta.now) } : {}),
              ...(action === 'COMPLETE' || (action === 'ACCEPT' && answered) ? { feedback: text, aidSourceRef: answer.aidSourceRef } : {}),
              ...(action === 'DECLINE' ? { declineReason: text } : {}),
            })
            .where(eq(referralSlip.id, referralId));
          sealLater(tx, referralSlip, eq(referralSlip.id, referralId));
          const log = await EventLog.open(tx, c.id, meta);
          log.add({ action: EVENT_OF[action], referralId, occurredAt: at, reason: text, carriesKey: true });
          if (action === 'ACCEPT' && slip.handOver) {
            await tx.update(aidCase).set({ ownerOffice: slip.toOffice }).where(eq(aidCase.id, c.id));
            sealLater(tx, aidCase, eq(aidCase.id, c.id));
            log.add({ action: 'OWNER_CHANGED', referralId, occurredAt: at, ...ownerChange(c.ownerOffice, slip.toOffice) });
          }
          if (action === 'COMPLETE' && answer.fulfilment) {
            await tx.insert(referralFulfilment).values({ referralId, ...answer.fulfilment });
            sealLater(tx, referralFulfilment, eq(referralFulfilment.referralId, referralId));
          }
          if (action === 'COMPLETE' && answer.aidSourceRef !== null) {
            await tx.update(secondAidApproval).set({ aidSourceRef: answer.aidSourceRef }).where(eq(secondAidApproval.referralId, referralId));
            sealLater(tx, secondAidApproval, eq(secondAidApproval.referralId, referralId));
          }
          await log.write(tx);
          return success(referralId);
        });
        return taken.holder ? await alreadyUsed(taken.holder, found.caseId, nameCase) : outcome;
      } catch (error) {
        if (claim.record && isDuplicateKey(error, 'aid_record_use_record')) {
          const holder = await recordHolder(db, claim.record.office, claim.record.aidSourceRef);
          if (holder) return alreadyUsed(holder, found.caseId, nameCase);
        }
        throw error;
      }
    },
  );
}

/**
 * 撤回: the case's owner withdraws a forwarded matter's slip still waiting for its office (ISSUED,
 * ACCEPTED), with its reason: sent to the wrong office, or the matter went away, or stored by a
 * release before session 48 for a township that can never read it (docs/operations.md,
 * "Upgrading"). The slip becomes WITHDRAWN (answeredAt: when; its deadline stops there unmet) and no
 * longer holds its case open; an answer to it is REFERRAL_WITHDRAWN. A meeting's decision is
 * DECISION_SLIP (decisionCorrect, referralReassign, referralWaive are its ways). One transaction under
 * the case's lock, as the answers take it: an answer and a withdrawal sent at once settle one way.
 * Returns the slip id.
 */
export async function withdrawReferral(db: HubDb, referralId: number, reason: string, meta: WriteMeta): Promise<Outcome<number>> {
  return caseWrite(
    db,
    meta,
    requiredText(reason, 500, ['input', 'reason'], 'REASON_REQUIRED'),
    (e) => (e.action === 'REFERRAL_WITHDRAWN' && e.referralId === referralId ? referralId : null),
    (at) =>
      inSlipCase(db, referralId, async (tx, c): Promise<Outcome<number>> => {
        // The same withdrawal sent again without a key, nothing recorded on the slip since: its first outcome.
        if (await unkeyedRetry(tx, c.id, meta, (e) => e.action === 'REFERRAL_WITHDRAWN' && e.reason === reason.trim(), referralId)) return success(referralId, true);
        // A case handed over to another county keeps its open slips with its county's offices
        // (db/cases/hand-over.ts): its owner still takes back one it sent by mistake.
        if (DECISIONS_ENDED_STATES.has(c.state)) return refusal(caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'referralId']));
        // The owner speaks for the case, as it issues its slips (issueReferral): the office that
        // issued the slip while it owned the case, or the one that owns it since.
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'only the office that owns the case withdraws its slips', ['input', 'actor', 'office']));
        // Read again under the case lock: an answer may have landed since the look-up above.
        const [slip] = await tx.select().from(referralSlip).where(eq(referralSlip.id, referralId));
        const refused = checkWithdrawal(slip);
        if (refused) return refusal(caseError(refused.code, refused.message, ['input', 'referralId']));
        await tx
          .update(referralSlip)
          .set({ state: 'WITHDRAWN', answeredAt: toDbInstant(meta.now), withdrawReason: reason.trim() })
          .where(eq(referralSlip.id, referralId));
        sealLater(tx, referralSlip, eq(referralSlip.id, referralId));
        const log = await EventLog.open(tx, c.id, meta);
        log.add({ action: 'REFERRAL_WITHDRAWN', referralId, occurredAt: at, reason: reason.trim(), carriesKey: true });
        await log.write(tx);
        return success(referralId);
      }),
  );
}
