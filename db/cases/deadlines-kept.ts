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
  await keepDeadlines(tx, caseId, await deadlinesToKeep(tx, row, now, (seq) => seqs.includes(seq)), now);
}

/** A working-day deadline's due date as counted when it is kept. */
export interface DeadlineToKeep {
  kind: DeadlineKind;
  dueOn: IsoDate;
}

/**
 * The working-day deadlines of the case (its row `c`) stopped by now (met, or ended unmet by the case
 * ending) by a step `stoppedBy` takes (its place in the case's history), with their due dates counted
 * under the calendar in force, none kept already. The one rule of what a case keeps: a step's write
 * (keepStoppedDeadlines, the step's own events) and the data upgrade of deadlines an earlier release
 * stopped (db/setup/upgrades.ts DEADLINES_KEPT, every step) both read it.
 */
export async function deadlinesToKeep(tx: HubQuery, c: typeof aidCase.$inferSelect, now: Date, stoppedBy: (seq: number) => boolean): Promise<DeadlineToKeep[]> {
  const events = (await tx.select().from(caseEvent).where(eq(caseEvent.caseId, c.id)).orderBy(asc(caseEvent.seq))).map(caseEventRecord);
  // As of every step recorded: a request whose clock is behind the case's last step still finds the step that stopped each first.
  const asOf = new Date(Math.max(now.getTime(), ...events.map((e) => e.recordedAt.getTime())));
  const ending = caseDeadlines(caseTimeline(caseRecord(c), events), asOf).filter((d) => d.limit.unit === 'WORKING_DAYS' && d.dueOn !== null && d.endedBy?.seq !== undefined && stoppedBy(d.endedBy.seq));
  if (ending.length === 0) return [];
  // Kept once: one ended unmet (the case closed) and met by an act recorded after keeps the date it ended with.
  const kept = new Set((await tx.select({ kind: caseDeadlineKept.kind }).from(caseDeadlineKept).where(eq(caseDeadlineKept.caseId, c.id))).map((k) => k.kind));
  return ending.filter((d) => !kept.has(d.kind)).map((d) => ({ kind: d.kind, dueOn: d.dueOn! }));
}

/** Stores these due dates of the case as kept now, sealed in the transaction (db/cases/seals.ts). */
export async function keepDeadlines(tx: HubQuery, caseId: number, deadlines: readonly DeadlineToKeep[], now: Date): Promise<void> {
  if (deadlines.length === 0) return;
  await tx.insert(caseDeadlineKept).values(deadlines.map((d) => ({ caseId, kind: d.kind, dueOn: d.dueOn, keptAt: toDbInstant(now) })));
  sealLater(tx, caseDeadlineKept, and(eq(caseDeadlineKept.caseId, caseId), inArray(caseDeadlineKept.kind, deadlines.map((d) => d.kind))));
}

/** The kept due dates of these cases, by case: one statement. */
export async function keptDeadlinesOf(db: HubQuery, caseIds: readonly number[]): Promise<{ caseId: number; kind: DeadlineKind; dueOn: IsoDate }[]> {
  if (caseIds.length === 0) return [];
  return db.select({ caseId: caseDeadlineKept.caseId, kind: caseDeadlineKept.kind, dueOn: caseDeadlineKept.dueOn }).from(caseDeadlineKept).where(inArray(caseDeadlineKept.caseId, [...caseIds]));
}
