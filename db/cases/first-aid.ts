/**
 * 先行救助 and 补充完善救助材料 (seed 000, 二(三)) as recorded acts of a case: the first aid given,
 * with its money trail, moves the case to FIRST_AID_GIVEN; the materials completed afterwards are a
 * MATERIALS_COMPLETED event. Each is one transaction that locks the case row first.
 */
import { sealedTransaction, sealLater } from './seals';
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import { caseError, refusal, success, type Outcome } from '../../domain/cases/errors';
import { PROPOSAL_MAX_FEN, type AidCause } from '../../domain/aid';
import { TERMINAL_STATES } from '../../domain/cases/state-machine';
import { caseFirstAid } from '../case-loop/schema';
import type { HubDb } from '../connect';
import { toDbInstant } from '../instants';
import { aidCase, caseEvent } from './schema';
import { caseRecord, inPeriodAndRegion, ownerWhen, type CaseEventRecord, type CaseRecord, type HubQuery } from './records';
import { applyTransition } from './store';
import { caseWrite, EventLog, keyedRetry, lockCase, requiredText, unkeyedRetry, type WriteMeta } from './write';

export interface FirstAidInput {
  caseId: number;
  programmeCode: string;
  amountFen: number;
  beneficiaryIdNumber: string | null;
  /** The cause of the aid given, for a programme a rule counts by cause (X5: TEMP_AID). */
  cause: AidCause | null;
  /** The aid record it produced, already checked to exist; null while the grant is pending. */
  aidSourceRef: string | null;
  reason: string;
}

export type FirstAidRecord = typeof caseFirstAid.$inferSelect;

/** A first aid as the schema reads it: with the case's household and township, which its access rule needs. */
export type CaseFirstAidRecord = FirstAidRecord & { householdId: number; townshipCode: string };

/** The case id a first aid's event answers, for the key's replay (null: the key was another request's). */
const firstAidOf = (caseId: number) => (e: CaseEventRecord) => (e.action === 'TRANSITIONED' && e.caseId === caseId && e.toState === 'FIRST_AID_GIVEN' ? caseId : null);

/** Whether the case's newest event is this first aid given, the first aid on record being the request's. */
const firstAidGiven = (q: HubQuery, caseId: number, input: FirstAidInput) => (e: CaseEventRecord) =>
  e.action === 'TRANSITIONED' && e.toState === 'FIRST_AID_GIVEN' && e.reason === input.reason.trim() && sameFirstAid(q, caseId, input);

/**
 * The first aid a request recorded already, sent again after a lost answer: with an idempotency key,
 * the key's first outcome (or IDEMPOTENCY_KEY_REUSED); without one, the case's newest event when it
 * is this first aid given, by the same officer of the same office within UNKEYED_RETRY_HOURS
 * (unkeyedRetry). Looked for before the first aid's own checks (resolvers/cases caseFirstAid), so a
 * retry is answered with its first outcome even where a check added since, or a record its source
 * corrected or reversed since, would now refuse it; recordFirstAid looks again under the case's lock.
 */
export async function firstAidRetry(db: HubDb, input: FirstAidInput, meta: WriteMeta): Promise<Outcome<number> | null> {
  if (meta.idempotencyKey !== null) return keyedRetry(db, meta, firstAidOf(input.caseId));
  return (await unkeyedRetry(db, input.caseId, meta, firstAidGiven(db, input.caseId, input))) ? success(input.caseId, true) : null;
}

/** Records the first aid given and moves the case to FIRST_AID_GIVEN. Returns the case id. */
export async function recordFirstAid(db: HubDb, input: FirstAidInput, meta: WriteMeta): Promise<Outcome<number>> {
  const problem =
    requiredText(input.reason, 500, ['input', 'reason'], 'REASON_REQUIRED') ??
    (input.amountFen < 0 ? caseError('AMOUNT_NEGATIVE', 'amounts are not negative', ['input', 'amountFen']) : null) ??
    (input.amountFen > PROPOSAL_MAX_FEN ? caseError('AMOUNT_TOO_LARGE', `an amount is at most ${PROPOSAL_MAX_FEN} fen`, ['input', 'amountFen']) : null);
  return caseWrite(
    db,
    meta,
    problem,
    firstAidOf(input.caseId),
    (at) =>
      sealedTransaction(db, async (tx) => {
        const c = await lockCase(tx, input.caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        // The same first aid sent again without a key, nothing recorded since: its first outcome.
        if (await unkeyedRetry(tx, c.id, meta, firstAidGiven(tx, c.id, input))) return success(c.id, true);
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the office that owns the case records its first aid', ['input', 'actor', 'office']));
        const log = await EventLog.open(tx, c.id, meta);
        const moved = await applyTransition(tx, c, 'FIRST_AID_GIVEN', input.reason, at, log, { viaFirstAid: true, carriesKey: true, serverClock: meta.occurredAt === null });
        // The move's refusals name its `to`; caseFirstAid's input has none: the case's state is at fault.
        if (!moved.ok) return refusal(...moved.errors.map((e) => (e.field?.join('.') === 'input.to' ? { ...e, field: ['input', 'caseId'] } : e)));
        await tx.insert(caseFirstAid).values({
          caseId: c.id,
          programmeCode: input.programmeCode,
          amountFen: input.amountFen,
          beneficiaryIdNumber: input.beneficiaryIdNumber,
          cause: input.cause,
          aidSourceRef: input.aidSourceRef,
          reason: input.reason.trim(),
          givenAt: toDbInstant(at),
          recordedAt: toDbInstant(meta.now),
          actor: meta.actor.officer,
        });
        sealLater(tx, caseFirstAid, eq(caseFirstAid.caseId, c.id));
        await log.write(tx);
        return success(c.id);
      }),
  );
}

/** Whether the case's first aid on record is this request's (programme, amount, member, cause, aid record). */
async function sameFirstAid(q: HubQuery, caseId: number, input: FirstAidInput): Promise<boolean> {
  const [given] = await q.select().from(caseFirstAid).where(eq(caseFirstAid.caseId, caseId));
  return (
    given !== undefined &&
    given.programmeCode === input.programmeCode &&
    given.amountFen === input.amountFen &&
    given.beneficiaryIdNumber === input.beneficiaryIdNumber &&
    given.cause === input.cause &&
    given.aidSourceRef === input.aidSourceRef
  );
}

/** Records that an urgent or emergency case's supporting materials are complete. Returns the case id. */
export async function completeMaterials(db: HubDb, caseId: number, note: string, meta: WriteMeta): Promise<Outcome<number>> {
  return caseWrite(
    db,
    meta,
    requiredText(note, 500, ['input', 'note']),
    (e) => (e.action === 'MATERIALS_COMPLETED' && e.caseId === caseId ? caseId : null),
    (at) =>
      sealedTransaction(db, async (tx) => {
        const c = await lockCase(tx, caseId);
        if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
        if (await unkeyedRetry(tx, caseId, meta, (e) => e.action === 'MATERIALS_COMPLETED' && e.reason === note.trim())) return success(caseId, true);
        if (TERMINAL_STATES.has(c.state)) return refusal(caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'caseId']));
        if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the office that owns the case records its materials', ['input', 'actor', 'office']));
        if (c.urgency === 'NORMAL') return refusal(caseError('CASE_NOT_URGENT', 'materials are completed after first aid, for urgent and emergency cases', ['input', 'caseId']));
        if (at < c.reportedAt) return refusal(caseError('OCCURRED_OUT_OF_ORDER', 'occurredAt is before the case was reported', ['input', 'occurredAt']));
        const [done] = await tx.select({ id: caseEvent.id }).from(caseEvent).where(and(eq(caseEvent.caseId, caseId), eq(caseEvent.action, 'MATERIALS_COMPLETED'))).limit(1);
        if (done) return refusal(caseError('MATERIALS_ALREADY_COMPLETE', 'the materials are already recorded complete', ['input', 'caseId']));
        const log = await EventLog.open(tx, caseId, meta);
        log.add({ action: 'MATERIALS_COMPLETED', occurredAt: at, reason: note.trim(), carriesKey: true });
        await log.write(tx);
        return success(caseId);
      }),
  );
}

export async function firstAidsByCaseIds(db: HubDb, caseIds: readonly number[]): Promise<FirstAidRecord[]> {
  return db.select().from(caseFirstAid).where(inArray(caseFirstAid.caseId, [...caseIds]));
}

/**
 * First aids that name an aid record, recorded from `from` up to `to`, with their case (of a
 * division under `regionPrefix`, records.ts caseInRegion) and the office that owned the case when the
 * first aid was recorded (`ownerThen`, records.ts ownerWhen: it recorded it): supervision reads whether
 * each record still stands. One statement; in the order recorded.
 */
export async function firstAidsRecordedBetween(db: HubDb, from: Date, to: Date, regionPrefix: string | null): Promise<{ firstAid: CaseFirstAidRecord; case: CaseRecord; ownerThen: string }[]> {
  const rows = await db
    .select({ firstAid: caseFirstAid, case: aidCase, ownerThen: ownerWhen(caseFirstAid.recordedAt) })
    .from(caseFirstAid)
    .innerJoin(aidCase, eq(aidCase.id, caseFirstAid.caseId))
    .where(
      and(
        isNotNull(caseFirstAid.aidSourceRef),
        inPeriodAndRegion(caseFirstAid.recordedAt, from, to, regionPrefix),
      ),
    )
    .orderBy(asc(caseFirstAid.recordedAt), asc(caseFirstAid.caseId));
  return rows.map((r) => ({ firstAid: { ...r.firstAid, householdId: r.case.householdId, townshipCode: r.case.townshipCode }, case: caseRecord(r.case), ownerThen: r.ownerThen }));
}
