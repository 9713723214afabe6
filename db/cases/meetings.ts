/**
 * Recording a joint meeting (一事一议): the meeting with its dossier snapshot, the departments
 * present, one referral slip per decision, a second-aid approval where one was decided, and the
 * case decided. All of it in one transaction, or none of it.
 */
import { sealedTransaction, sealLater } from './seals';
import { and, asc, desc, eq, gte, inArray } from 'drizzle-orm';
import { storedDossier, type Dossier } from '../../domain/cases/dossier';
import { chinaDateOf } from '../../domain/cases/china-time';
import { caseError, refusal, success, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import { defaultAsk, meetingBeforeDecline, meetingBeforeLatest, slipCarriesDecision, type MeetingInput } from '../../domain/cases/meetings';
import { addWorkingDays } from '../../domain/cases/working-days';
import type { HubDb } from '../connect';
import type { HubQuery } from './records';
import { applyTransition, declinedDecisionsOpen } from './store';
import { latestDeclineDay, markRedeliberated } from './declines';
import { caseEvent, caseMeeting, meetingDepartment, referralSlip, secondAidApproval } from './schema';
import { fromDbInstant, toDbInstant } from '../instants';
import { EventLog, idempotent, keyedRetry, lockCase, occurredAt, retryOrScreened, takeDecisionTurn, UNKEYED_RETRY_HOURS, type WriteMeta } from './write';
import { decisionCheck } from '../case-loop/schema';
import type { DecisionCheck } from '../../domain/cases/decision-checks';

const meetingOf = (caseId: number) => (e: { action: string; caseId: number; meetingId: number | null }) => (e.action === 'MEETING_RECORDED' && e.caseId === caseId ? e.meetingId : null);

/**
 * The meeting a request records already, sent again after a lost answer: with an idempotency key,
 * the key's first outcome (or IDEMPOTENCY_KEY_REUSED); without one, the case's latest meeting when
 * it is this request's meeting (same day held, departments present, notes and decisions in order,
 * each with its ask, beneficiary, cause, second aid and override reason), recorded by the same
 * officer of the same office within the last UNKEYED_RETRY_HOURS, with nothing recorded on the case
 * since; not for a meeting with neither decisions nor notes (two such sittings on one day are two). Checked before the meeting's own checks, so a retry is answered with its first outcome
 * even where the first meeting's own decisions, or the case it decided, would now refuse it; again
 * before a decision is refused as a duplicate (resolvers/cases/decision-checks.ts checkedAndWritten),
 * since the slips it duplicates may be its first sending's, written after the first look; and again
 * by recordMeeting under the case's lock, so the same meeting sent twice at once is recorded once and
 * the second answered with it. Null: the request is a new meeting.
 */
export async function meetingRetry(db: HubQuery, caseId: number, input: MeetingInput, overrideReasons: readonly (string | null)[], meta: WriteMeta): Promise<Outcome<number> | null> {
  if (meta.idempotencyKey !== null) return keyedRetry(db, meta, meetingOf(caseId));
  const recorded = retryOrScreened(await sameMeetingRecorded(db, caseId, input, overrideReasons, meta), meta);
  return recorded === null ? null : success(recorded, true);
}

/**
 * The case's latest meeting when it is this request's, sent without a key (see meetingRetry), or
 * null.
 */
async function sameMeetingRecorded(db: HubQuery, caseId: number, input: MeetingInput, overrideReasons: readonly (string | null)[], meta: WriteMeta): Promise<number | null> {
  // A sitting with neither decisions nor notes carries nothing to tell its retry from a second
  // sitting that day (both are recorded): only its key does.
  if (input.decisions.length === 0 && !input.notes?.trim()) return null;
  const [latest] = await db.select().from(caseMeeting).where(eq(caseMeeting.caseId, caseId)).orderBy(desc(caseMeeting.id)).limit(1);
  if (!latest || latest.recordedBy !== meta.actor.officer || latest.heldOn !== input.heldOn) return null;
  const recordedAt = fromDbInstant(latest.recordedAt);
  if (meta.now.getTime() - recordedAt.getTime() > UNKEYED_RETRY_HOURS * 3_600_000) return null;
  // Nothing since: every event after the meeting's is one its own transaction wrote (its slips, a
  // second aid's approval, the case decided), by its actor at its instant.
  const events = await db.select().from(caseEvent).where(and(eq(caseEvent.caseId, caseId), gte(caseEvent.recordedAt, latest.recordedAt))).orderBy(asc(caseEvent.seq));
  const at = events.findIndex((e) => e.action === 'MEETING_RECORDED' && e.meetingId === latest.id);
  if (at < 0 || events[at].actorOffice !== meta.actor.office) return null;
  const ofTheMeeting = (e: (typeof events)[number]) =>
    e.actor === latest.recordedBy &&
    fromDbInstant(e.recordedAt).getTime() === recordedAt.getTime() &&
    (((e.action === 'REFERRAL_ISSUED' || e.action === 'SECOND_AID_APPROVED') && e.meetingId === latest.id) || (e.action === 'TRANSITIONED' && e.toState === 'DECIDED'));
  const since = events.slice(at + 1);
  if (!since.every(ofTheMeeting) || since.filter((e) => e.action === 'TRANSITIONED').length > 1) return null;
  if ((latest.notes ?? null) !== (input.notes?.trim() || null)) return null;
  const [present, slips] = await Promise.all([
    db.select({ department: meetingDepartment.department }).from(meetingDepartment).where(eq(meetingDepartment.meetingId, latest.id)),
    db.select().from(referralSlip).where(and(eq(referralSlip.meetingId, latest.id), eq(referralSlip.kind, 'DECISION'))).orderBy(asc(referralSlip.id)),
  ]);
  const wanted = new Set(input.departmentsPresent);
  if (present.length !== wanted.size || present.some((p) => !wanted.has(p.department))) return null;
  if (slips.length !== input.decisions.length) return null;
  const ids = slips.map((s) => s.id);
  const [checks, approvals] = ids.length === 0 ? [[], []] : await Promise.all([
    db.select().from(decisionCheck).where(inArray(decisionCheck.referralId, ids)),
    db.select().from(secondAidApproval).where(inArray(secondAidApproval.referralId, ids)),
  ]);
  const same = input.decisions.every((d, i) => {
    const s = slips[i];
    const approval = approvals.find((a) => a.referralId === s.id) ?? null;
    const check = checks.find((c) => c.referralId === s.id) ?? null;
    return slipCarriesDecision(s, check?.overrideReason ?? null, d, overrideReasons[i] ?? null) && (approval?.cause ?? null) === (d.secondAid?.cause ?? null);
  });
  return same ? latest.id : null;
}

/**
 * Records a meeting of a case in deliberation. With decisions, the case is decided; without, the
 * meeting is on record and deliberation goes on. The input must have passed `checkMeeting`.
 * Decisions are issued in the household's turn (write.ts takeDecisionTurn): `decisionsSeen` is the
 * household's count read before `checks` were made (HOUSEHOLD_DECISIONS_CHANGED, nothing written,
 * when another decision was issued since); null where no check was made.
 * Returns the meeting id.
 */
export async function recordMeeting(
  db: HubDb,
  caseId: number,
  input: MeetingInput,
  dossier: Dossier,
  meta: WriteMeta,
  checks: readonly DecisionCheck[] = [],
  decisionsSeen: number | null = null,
): Promise<Outcome<number>> {
  const at = occurredAt(meta);
  if (!(at instanceof Date)) return refusal(at);
  if (input.heldOn > chinaDateOf(at)) return refusal(caseError('MEETING_DATE_OUT_OF_RANGE', 'a meeting is not held after it happened', ['input', 'heldOn']));
  return idempotent(
    db,
    meta,
    meetingOf(caseId),
    () =>
      sealedTransaction(db, async (tx): Promise<Outcome<number>> => {
        const c = await lockCase(tx, caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the office that owns the case convenes its meeting', ['input', 'actor', 'office']));
        // The same meeting sent twice at once (under one key, or without one): the second finds the
        // first's under the lock, and is answered with it, as its retry would be.
        const retry = await meetingRetry(tx, caseId, input, input.decisions.map((_, i) => checks[i]?.overrideReason ?? null), meta);
        if (retry) return retry;
        if (c.state !== 'IN_DELIBERATION') return refusal(caseError('CASE_NOT_IN_DELIBERATION', `the case is ${c.state}`, ['input', 'caseId']));
        // Under the case's lock: a meeting recorded meanwhile counts.
        const [latest] = await tx.select({ heldOn: caseMeeting.heldOn }).from(caseMeeting).where(eq(caseMeeting.caseId, caseId)).orderBy(desc(caseMeeting.heldOn)).limit(1);
        const outOfOrder = meetingBeforeLatest(input.heldOn, latest?.heldOn ?? null);
        if (outOfOrder) return refusal(outOfOrder);
        // A case back in deliberation after a decline: this meeting's decisions decide again what was declined.
        const openDeclined = input.decisions.length > 0 ? await declinedDecisionsOpen(tx, caseId) : [];
        const beforeDecline = meetingBeforeDecline(input.heldOn, await latestDeclineDay(tx, caseId, openDeclined));
        if (beforeDecline) return refusal(beforeDecline);
        if (input.decisions.length > 0) {
          const changed = await takeDecisionTurn(tx, c.householdId, decisionsSeen, input.decisions.length);
          if (changed) return refusal(changed);
        }
        const [meeting] = await tx.insert(caseMeeting).values({
          caseId,
          heldOn: input.heldOn,
          convenedBy: c.ownerOffice,
          notes: input.notes?.trim() || null,
          dossierJson: JSON.stringify(storedDossier(dossier)),
          recordedAt: toDbInstant(meta.now),
          recordedBy: meta.actor.officer,
        });
        const meetingId = meeting.insertId;
        // The meeting, its departments, and its slips with their checks (all written below, in this transaction).
        sealLater(tx, caseMeeting, eq(caseMeeting.id, meetingId));
        sealLater(tx, meetingDepartment, eq(meetingDepartment.meetingId, meetingId));
        sealLater(tx, referralSlip, eq(referralSlip.meetingId, meetingId));
        sealLater(tx, decisionCheck, eq(decisionCheck.meetingId, meetingId));
        const log = await EventLog.open(tx, caseId, meta);
        log.add({ action: 'MEETING_RECORDED', meetingId, occurredAt: at, reason: input.notes?.trim() || null, carriesKey: true });
        await tx.insert(meetingDepartment).values(input.departmentsPresent.map((department) => ({ meetingId, department })));
        for (const [i, d] of input.decisions.entries()) {
          const ask = d.ask?.trim() || defaultAsk(d);
          const [slip] = await tx.insert(referralSlip).values({
            caseId,
            kind: 'DECISION',
            meetingId,
            fromOffice: c.ownerOffice,
            toOffice: d.department,
            ask,
            programmeCode: d.programmeCode,
            amountFen: d.amountFen,
            beneficiaryIdNumber: d.beneficiaryIdNumber,
            cause: d.cause,
            settlementRef: d.settlementRef,
            schoolYear: d.schoolYear,
            deadlineWorkingDays: d.deadlineWorkingDays,
            // Issued when the hub recorded it; the clock starts at the meeting that decided it,
            // where the deciding department was present.
            issuedAt: toDbInstant(meta.now),
            dueOn: addWorkingDays(input.heldOn, d.deadlineWorkingDays).date,
            state: 'ISSUED',
          });
          log.add({ action: 'REFERRAL_ISSUED', referralId: slip.insertId, meetingId, occurredAt: at, reason: ask });
          const check = checks[i];
          if (check) {
            await tx.insert(decisionCheck).values({
              referralId: slip.insertId,
              meetingId,
              findingsJson: JSON.stringify(check.findings),
              unavailableJson: JSON.stringify(check.unavailable),
              overrideReason: check.overrideReason,
            });
          }
          if (d.secondAid && d.beneficiaryIdNumber) {
            await tx.insert(secondAidApproval).values({
              caseId,
              referralId: slip.insertId,
              idNumber: d.beneficiaryIdNumber,
              cause: d.secondAid.cause,
              amountFen: d.amountFen,
              approvedOn: input.heldOn,
            });
            sealLater(tx, secondAidApproval, eq(secondAidApproval.referralId, slip.insertId));
            log.add({ action: 'SECOND_AID_APPROVED', referralId: slip.insertId, meetingId, occurredAt: at, reason: ask });
          }
        }
        if (input.decisions.length > 0) {
          await markRedeliberated(tx, caseId, openDeclined, meetingId, meta.actor.officer, meta.now);
          const decided = await applyTransition(tx, c, 'DECIDED', `一事一议 ${input.heldOn}`, at, log, { viaMeeting: true, serverClock: meta.occurredAt === null, decidedOn: input.heldOn });
          // Refused only by a stated time out of order (the server's own clock is never refused); nothing is written then.
          if (!decided.ok) throw new MeetingRefused(decided.errors);
        }
        await log.write(tx);
        return success(meetingId);
      }),
  ).catch((error: unknown) => {
    if (error instanceof MeetingRefused) return refusal<number>(...error.errors);
    throw error;
  });
}

/** Thrown inside the transaction to roll back what the meeting had written, then answered as a refusal. */
class MeetingRefused extends Error {
  constructor(readonly errors: CaseUserError[]) {
    super('meeting refused');
  }
}
