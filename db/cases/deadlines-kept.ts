/**
 * A case's working-day deadlines kept as counted when they stopped running (case_deadline_kept), as a
 * slip keeps the due date it was answered against. Written with the step that stopped them (a state
 * that meets one, an act, the case ended), in the transaction that records it: the due date under the
 * calendar in force then. Read by every reader of a case's deadlines (db/monitoring/loaders.ts
 * caseTimelinesOf), so that a holiday notice loaded later changes no deadline already met or missed;
 * those still running are counted under the calendar in force at each read.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { caseDeadlines, type DeadlineKind } from '../../domain/cases/deadlines';
import type { IsoDate } from '../../domain/dates';
import { toDbInstant } from '../instants';
import { caseEventRecord, caseRecord, caseTimeline, type HubQuery, type HubTx } from './records';
import { aidCase, caseDeadlineKept, caseEvent } from './schema';
import { sealLater } from './seals';

/**
 * Keeps the due date of each working-day deadline of the case that the events numbered `seqs` (just
 * written) stopped: met by one of them, or ended unmet by the case ending; one kept already keeps
 * its row (the first step that stopped it counted it).
 */
export async function keepStoppedDeadlines(tx: HubTx, caseId: number, seqs: readonly number[], now: Date): Promise<void> {
  const [row] = await tx.select().from(aidCase).where(eq(aidCase.id, caseId));
  if (!row) return;
  const events = (await tx.select().from(caseEvent).where(eq(caseEvent.caseId, caseId)).orderBy(asc(caseEvent.seq))).map(caseEventRecord);
  // As of every step recorded: a request whose clock is behind the case's last step still finds the step that stopped each first.
  const asOf = new Date(Math.max(now.getTime(), ...events.map((e) => e.recordedAt.getTime())));
  const ending = caseDeadlines(caseTimeline(caseRecord(row), events), asOf).filter((d) => d.limit.unit === 'WORKING_DAYS' && d.dueOn !== null && d.endedBy?.seq !== undefined && seqs.includes(d.endedBy.seq));
  if (ending.length === 0) return;
  // Kept once: one ended unmet (the case closed) and met by an act recorded after keeps the date it ended with.
  const kept = new Set((await tx.select({ kind: caseDeadlineKept.kind }).from(caseDeadlineKept).where(eq(caseDeadlineKept.caseId, caseId))).map((k) => k.kind));
  const stopped = ending.filter((d) => !kept.has(d.kind));
  if (stopped.length === 0) return;
  await tx.insert(caseDeadlineKept).values(stopped.map((d) => ({ caseId, kind: d.kind, dueOn: d.dueOn!, keptAt: toDbInstant(now) })));
  sealLater(tx, caseDeadlineKept, and(eq(caseDeadlineKept.caseId, caseId), inArray(caseDeadlineKept.kind, stopped.map((d) => d.kind))));
}

/** The kept due dates of these cases, by case: one statement. */
export async function keptDeadlinesOf(db: HubQuery, caseIds: readonly number[]): Promise<{ caseId: number; kind: DeadlineKind; dueOn: IsoDate }[]> {
  if (caseIds.length === 0) return [];
  return db.select({ caseId: caseDeadlineKept.caseId, kind: caseDeadlineKept.kind, dueOn: caseDeadlineKept.dueOn }).from(caseDeadlineKept).where(inArray(caseDeadlineKept.caseId, [...caseIds]));
}
