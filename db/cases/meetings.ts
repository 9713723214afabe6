/**
 * Recording a joint meeting (一事一议): the meeting with its dossier snapshot, the departments
 * present, one referral slip per decision, a second-aid approval where one was decided, and the
 * case decided. All of it in one transaction, or none of it.
 */
import { desc, eq } from 'drizzle-orm';
import type { Dossier } from '../../domain/cases/dossier';
import { chinaDateOf } from '../../domain/cases/china-time';
import { caseError, refusal, success, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import { defaultAsk, meetingBeforeLatest, type MeetingInput } from '../../domain/cases/meetings';
import { addWorkingDays } from '../../domain/cases/working-days';
import type { HubDb } from '../connect';
import { applyTransition, declinedDecisionsOpen } from './store';
import { markRedeliberated } from './declines';
import { caseMeeting, meetingDepartment, referralSlip, secondAidApproval } from './schema';
import { toDbInstant } from '../instants';
import { EventLog, idempotent, lockCase, occurredAt, type WriteMeta } from './write';
import { decisionCheck } from '../case-loop/schema';
import type { DecisionCheck } from '../../domain/cases/decision-checks';

/**
 * Records a meeting of a case in deliberation. With decisions, the case is decided; without, the
 * meeting is on record and deliberation goes on. The input must have passed `checkMeeting`.
 * Returns the meeting id.
 */
export async function recordMeeting(db: HubDb, caseId: number, input: MeetingInput, dossier: Dossier, meta: WriteMeta, checks: readonly DecisionCheck[] = []): Promise<Outcome<number>> {
  const at = occurredAt(meta);
  if (!(at instanceof Date)) return refusal(at);
  if (input.heldOn > chinaDateOf(at)) return refusal(caseError('MEETING_DATE_OUT_OF_RANGE', 'a meeting is not held after it happened', ['input', 'heldOn']));
  return idempotent(
    db,
    meta,
    (e) => (e.action === 'MEETING_RECORDED' && e.caseId === caseId ? e.meetingId : null),
    () =>
      db.transaction(async (tx): Promise<Outcome<number>> => {
        const c = await lockCase(tx, caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the office that owns the case convenes its meeting', ['input', 'actor', 'office']));
        if (c.state !== 'IN_DELIBERATION') return refusal(caseError('CASE_NOT_IN_DELIBERATION', `the case is ${c.state}`, ['input', 'caseId']));
        // Under the case's lock: a meeting recorded meanwhile counts.
        const [latest] = await tx.select({ heldOn: caseMeeting.heldOn }).from(caseMeeting).where(eq(caseMeeting.caseId, caseId)).orderBy(desc(caseMeeting.heldOn)).limit(1);
        const outOfOrder = meetingBeforeLatest(input.heldOn, latest?.heldOn ?? null);
        if (outOfOrder) return refusal(outOfOrder);
        const [meeting] = await tx.insert(caseMeeting).values({
          caseId,
          heldOn: input.heldOn,
          convenedBy: c.ownerOffice,
          notes: input.notes?.trim() || null,
          dossierJson: JSON.stringify(dossier),
          recordedAt: toDbInstant(meta.now),
          recordedBy: meta.actor.officer,
        });
        const meetingId = meeting.insertId;
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
            log.add({ action: 'SECOND_AID_APPROVED', referralId: slip.insertId, meetingId, occurredAt: at, reason: ask });
          }
        }
        if (input.decisions.length > 0) {
          // A case back in deliberation after a decline: this meeting decides again what was declined.
          await markRedeliberated(tx, caseId, await declinedDecisionsOpen(tx, caseId), meetingId, meta.actor.officer, meta.now);
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
