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
import { caseEventRecord, caseRecord, caseTimeline, type CaseEventRecord, type HubQuery, type HubTx } from './records';
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
  const stopped = deadlinesToKeep(row, events, now, (seq) => seqs.includes(seq));
  if (stopped.length === 0) return;
  // Kept once: one ended unmet (the case closed) and met by an act recorded after keeps the date it ended with.
  const kept = new Set((await tx.select({ kind: caseDeadlineKept.kind }).from(caseDeadlineKept).where(eq(caseDeadlineKept.caseId, caseId))).map((k) => k.kind));
  await keepDeadlines(tx, caseId, stopped.filter((d) => !kept.has(d.kind)), now);
}

/** A working-day deadline's due date as counted when it is kept. */
export interface DeadlineToKeep {
  kind: DeadlineKind;
  dueOn: IsoDate;
}

/**
 * The working-day deadlines of the case (its row `c`, its events in order) stopped by now (met, or
 * ended unmet by the case ending) by a step `stoppedBy` takes (its place in the case's history), with
 * their due dates counted under the calendar in force; the caller leaves out those kept already (the
 * first step that stopped one counted it). The one rule of what a case keeps: a step's write
 * (keepStoppedDeadlines, the step's own events) and the data upgrade of deadlines an earlier release
 * stopped (db/setup/upgrades.ts DEADLINES_KEPT, every step) both read it.
 */
export function deadlinesToKeep(c: typeof aidCase.$inferSelect, events: readonly CaseEventRecord[], now: Date, stoppedBy: (seq: number) => boolean): DeadlineToKeep[] {
  // As of every step recorded: a request whose clock is behind the case's last step still finds the step that stopped each first.
  const asOf = new Date(Math.max(now.getTime(), ...events.map((e) => e.recordedAt.getTime())));
  return caseDeadlines(caseTimeline(caseRecord(c), events), asOf)
    .filter((d) => d.limit.unit === 'WORKING_DAYS' && d.dueOn !== null && d.endedBy?.seq !== undefined && stoppedBy(d.endedBy.seq))
    .map((d) => ({ kind: d.kind, dueOn: d.dueOn! }));
}

/** The events of these cases, each case's in order: one statement. */
export async function caseEventsOf(db: HubQuery, caseIds: readonly number[]): Promise<Map<number, CaseEventRecord[]>> {
  const byCase = new Map<number, CaseEventRecord[]>(caseIds.map((id) => [id, []]));
  if (caseIds.length === 0) return byCase;
  const rows = await db.select().from(caseEvent).where(inArray(caseEvent.caseId, [...caseIds])).orderBy(asc(caseEvent.caseId), asc(caseEvent.seq));
  for (const r of rows) byCase.get(r.caseId)?.push(caseEventRecord(r));
  return byCase;
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
