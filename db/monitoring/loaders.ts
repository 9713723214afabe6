/** The request's alert loaders: by id, by the case opened from them, their history and their village notice. */
import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../batch';
import type { HubDb } from '../connect';
import { noticesByAlertIds, objectionsByNoticeIds, type NoticeRow, type ObjectionRow } from './notices';
import { alertsByCaseIds, alertsByIds, eventsByAlertIds, type AlertEventRow, type AlertRow } from './store';
import { caseTimeline, type CaseEventRecord, type CaseRecord } from '../cases/records';
import type { CaseTimeline, DeadlineKind } from '../../domain/cases/deadlines';
import type { IsoDate } from '../../domain/dates';
import { keptDeadlinesOf } from '../cases/deadlines-kept';

export function createMonitoringLoaders(db: HubDb) {
  return {
    alertById: new DataLoader<number, AlertRow | null>(async (ids) => byKey(ids, await alertsByIds(db, ids), (a) => a.id)),
    alertByCase: new DataLoader<number, AlertRow | null>(async (ids) => byKey(ids, await alertsByCaseIds(db, ids), (a) => a.caseId!)),
    /** Each case's deadlines kept as counted when they stopped running (db/cases/deadlines-kept.ts), by kind. */
    keptDeadlinesByCase: new DataLoader<number, ReadonlyMap<DeadlineKind, IsoDate>>(async (ids) => groupByKey(ids, await keptDeadlinesOf(db, ids), (k) => k.caseId).map((rows) => new Map(rows.map((k) => [k.kind, k.dueOn])))),
    /** Every village notice of each alert, oldest first (withdrawn ones and their corrections). */
    noticesByAlert: new DataLoader<number, NoticeRow[]>(async (ids) => groupByKey(ids, await noticesByAlertIds(db, ids), (n) => n.alertId)),
    /** The objections to each notice, in the order received. */
    objectionsByNotice: new DataLoader<number, ObjectionRow[]>(async (ids) => groupByKey(ids, await objectionsByNoticeIds(db, ids), (o) => o.noticeId)),
    /** Each alert's history, its events in the order they happened. */
    eventsByAlert: new DataLoader<number, AlertEventRow[]>(async (ids) => groupByKey(ids, await eventsByAlertIds(db, ids), (e) => e.alertId)),
  };
}

export type MonitoringLoaders = ReturnType<typeof createMonitoringLoaders>;

/**
 * The cases among these that verifying a monitoring alert opened (alertVerify, NEEDS_AID): the
 * door-to-door verification was their investigation opinion (domain/cases/deadlines.ts). One
 * statement for the cases of origin ALERT, none for others; a case opened by hand with origin ALERT
 * has no alert behind it, and a hand-over's successor was received, not verified, by its county.
 */
export async function casesOpenedByVerification(loaders: Pick<MonitoringLoaders, 'alertByCase'>, cases: readonly Pick<CaseRecord, 'id' | 'origin' | 'predecessorCaseId'>[]): Promise<Set<number>> {
  const ids = cases.filter((c) => c.origin === 'ALERT' && c.predecessorCaseId === null).map((c) => c.id);
  if (ids.length === 0) return new Set();
  const alerts = await loaders.alertByCase.loadMany(ids);
  return new Set(ids.filter((_, i) => alerts[i] !== null && !(alerts[i] instanceof Error)));
}

/**
 * Each case's time limits as they stand (caseTimeline), one opened by verifying an alert measured as
 * such (casesOpenedByVerification): how every reader of a case's deadlines builds them (Case.deadlines,
 * overdueReport, the brief, the dossier's other cases), so none measures an alert's case otherwise.
 */
export async function caseTimelinesOf(
  loaders: Pick<MonitoringLoaders, 'alertByCase' | 'keptDeadlinesByCase'>,
  cases: readonly CaseRecord[],
  eventsOf: (caseId: number) => readonly CaseEventRecord[],
): Promise<Map<number, CaseTimeline>> {
  const [verified, kept] = await Promise.all([casesOpenedByVerification(loaders, cases), loaders.keptDeadlinesByCase.loadMany(cases.map((c) => c.id))]);
  return new Map(cases.map((c, i) => [c.id, caseTimeline(c, eventsOf(c.id), verified.has(c.id), keptOrThrow(kept[i]))]));
}

function keptOrThrow(kept: ReadonlyMap<DeadlineKind, IsoDate> | Error): ReadonlyMap<DeadlineKind, IsoDate> {
  if (kept instanceof Error) throw kept;
  return kept;
}
