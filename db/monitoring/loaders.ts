/** The request's alert loaders: by id, by the case opened from them, their history and their village notice. */
import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../batch';
import type { HubDb } from '../connect';
import { noticesByAlertIds, objectionsByNoticeIds, type NoticeRow, type ObjectionRow } from './notices';
import { alertsByCaseIds, alertsByIds, eventsByAlertIds, type AlertEventRow, type AlertRow } from './store';

export function createMonitoringLoaders(db: HubDb) {
  return {
    alertById: new DataLoader<number, AlertRow | null>(async (ids) => byKey(ids, await alertsByIds(db, ids), (a) => a.id)),
    alertByCase: new DataLoader<number, AlertRow | null>(async (ids) => byKey(ids, await alertsByCaseIds(db, ids), (a) => a.caseId!)),
    /** In the order they happened. */
    /** Every village notice of each alert, oldest first (withdrawn ones and their corrections). */
    noticesByAlert: new DataLoader<number, NoticeRow[]>(async (ids) => groupByKey(ids, await noticesByAlertIds(db, ids), (n) => n.alertId)),
    /** The objections to each notice, in the order received. */
    objectionsByNotice: new DataLoader<number, ObjectionRow[]>(async (ids) => groupByKey(ids, await objectionsByNoticeIds(db, ids), (o) => o.noticeId)),
    eventsByAlert: new DataLoader<number, AlertEventRow[]>(async (ids) => groupByKey(ids, await eventsByAlertIds(db, ids), (e) => e.alertId)),
  };
}

export type MonitoringLoaders = ReturnType<typeof createMonitoringLoaders>;
