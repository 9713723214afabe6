/**
 * 转交县级审批 (seed 000, 二(三); domain/cases/county-approval.ts) as a recorded act of a case: the
 * township that owns it records its review done and forwards it to the county office that runs the
 * programme sought, which owns it from then (首问负责 handed on: an OWNER_CHANGED event, as an
 * accepted hand-over slip writes). One transaction that locks the case row first; sealed; a retry
 * answers its first outcome.
 */
import { sealedTransaction, sealLater } from './seals';
import { eq, inArray } from 'drizzle-orm';
import { caseError, refusal, success, type Outcome } from '../../domain/cases/errors';
import { FORWARDABLE_STATES, forwardTargetRefusal, townshipMayApprove, type TownshipApprovalRule } from '../../domain/cases/county-approval';
import { ownerChange, parseOffice, unknownOfficeReason, type OfficeKey } from '../../domain/cases/offices';
import { TERMINAL_STATES } from '../../domain/cases/state-machine';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import type { HubDb } from '../connect';
import { fromDbInstant, toDbInstant } from '../instants';
import { aidCase, caseCountyApproval } from './schema';
import type { CaseEventRecord } from './records';
import { caseWrite, EventLog, lockCase, requiredText, unkeyedRetry, type WriteMeta } from './write';

export interface CountyApprovalInput {
  caseId: number;
  programmeCode: string;
  /** The county office it goes to: a department's key. */
  to: OfficeKey;
  /** The township's review opinion (审核意见). */
  review: string;
}

export interface CountyApprovalRecord {
  caseId: number;
  programmeCode: string;
  fromOffice: OfficeKey;
  toOffice: OfficeKey;
  review: string;
  forwardedAt: Date;
  recordedAt: Date;
  actor: string;
}

/** As the schema reads it: with the case's household (its access rule) and township, whose county names the offices. */
export type CountyApprovalView = CountyApprovalRecord & { householdId: number; townshipCode: string };

const forwardOf = (caseId: number) => (e: CaseEventRecord) => (e.action === 'APPROVAL_FORWARDED' && e.caseId === caseId ? caseId : null);

/** Forwards a case its township reviewed to the county office for approval. Returns the case id. */
export async function forwardForCountyApproval(db: HubDb, rule: TownshipApprovalRule, input: CountyApprovalInput, meta: WriteMeta): Promise<Outcome<number>> {
  const programme = PROGRAMME_BY_CODE.get(input.programmeCode);
  const target = forwardTargetRefusal(input.to);
  const problem =
    requiredText(input.review, 500, ['input', 'review']) ??
    (programme ? null : caseError('UNKNOWN_PROGRAMME', `no programme ${input.programmeCode}`, ['input', 'programme'])) ??
    (target === 'NOT_COUNTY_OFFICE' ? caseError('NOT_COUNTY_OFFICE', 'a case goes for approval to a county department (转交县级相关救助职能部门), not a township', ['input', 'to']) : null) ??
    (target === 'UNKNOWN_OFFICE' ? caseError('UNKNOWN_OFFICE', unknownOfficeReason(input.to), ['input', 'to']) : null) ??
    (programme && programme.department !== parseOffice(input.to)?.key ? caseError('PROGRAMME_NOT_OF_DEPARTMENT', `${programme.code} is approved by ${programme.department}, which runs it`, ['input', 'to']) : null);
  return caseWrite(db, meta, problem, forwardOf(input.caseId), (at) =>
    sealedTransaction(db, async (tx) => {
      const c = await lockCase(tx, input.caseId);
      if (!c) return refusal(caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId']));
      // The same forward sent again without a key, nothing recorded on the case since: its first outcome.
      if (await unkeyedRetry(tx, c.id, meta, (e) => e.action === 'APPROVAL_FORWARDED' && e.reason === input.review.trim())) return success(c.id, true);
      if (TERMINAL_STATES.has(c.state)) return refusal(caseError('CASE_ENDED', `the case is ${c.state}`, ['input', 'caseId']));
      const [earlier] = await tx.select({ toOffice: caseCountyApproval.toOffice }).from(caseCountyApproval).where(eq(caseCountyApproval.caseId, c.id));
      if (earlier) return refusal(caseError('ALREADY_FORWARDED', `the case was forwarded to ${earlier.toOffice} for approval already`, ['input', 'caseId']));
      if (c.ownerOffice !== meta.actor.office) return refusal(caseError('NOT_CASE_OWNER', 'the township that owns the case forwards it', ['input', 'actor', 'office']));
      if (parseOffice(c.ownerOffice)?.kind !== 'TOWNSHIP') return refusal(caseError('CASE_AT_COUNTY', 'the case is owned by a county office, which approves it itself', ['input', 'caseId']));
      if (!FORWARDABLE_STATES.includes(c.state)) {
        return refusal(caseError('CASE_NOT_UNDER_REVIEW', `a ${c.state} case is not under the township's review: it is forwarded once accepted and before it is deliberated or decided`, ['input', 'caseId']));
      }
      if (townshipMayApprove(rule, c.townshipCode, input.programmeCode)) {
        return refusal(caseError('APPROVAL_DELEGATED', `the township approves ${input.programmeCode} itself (the locality's townshipApproval): 20 working days`, ['input', 'programme']));
      }
      if (at < c.reportedAt) return refusal(caseError('OCCURRED_OUT_OF_ORDER', 'occurredAt is before the case was reported', ['input', 'occurredAt']));
      await tx.insert(caseCountyApproval).values({
        caseId: c.id,
        programmeCode: input.programmeCode,
        fromOffice: c.ownerOffice,
        toOffice: input.to,
        review: input.review.trim(),
        forwardedAt: toDbInstant(at),
        recordedAt: toDbInstant(meta.now),
        actor: meta.actor.officer,
      });
      sealLater(tx, caseCountyApproval, eq(caseCountyApproval.caseId, c.id));
      await tx.update(aidCase).set({ ownerOffice: input.to }).where(eq(aidCase.id, c.id));
      sealLater(tx, aidCase, eq(aidCase.id, c.id));
      const log = await EventLog.open(tx, c.id, meta);
      log.add({ action: 'APPROVAL_FORWARDED', occurredAt: at, reason: input.review.trim(), carriesKey: true });
      log.add({ action: 'OWNER_CHANGED', occurredAt: at, ...ownerChange(c.ownerOffice, input.to) });
      await log.write(tx);
      return success(c.id);
    }),
  );
}

/** The forwards of these cases, one per case at most. One statement. */
export async function countyApprovalsByCaseIds(db: HubDb, caseIds: readonly number[]): Promise<CountyApprovalRecord[]> {
  const rows = await db.select().from(caseCountyApproval).where(inArray(caseCountyApproval.caseId, [...caseIds]));
  return rows.map((r) => ({ ...r, forwardedAt: fromDbInstant(r.forwardedAt), recordedAt: fromDbInstant(r.recordedAt) }));
}
