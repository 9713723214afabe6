/** The request's alert loaders: by id, by the case opened from them, and their history. */
import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../batch';
import type { HubDb } from '../connect';
import { alertsByCaseIds, alertsByIds, eventsByAlertIds, type AlertEventRow, type AlertRow } from './store';

export function createMonitoringLoaders(db: HubDb) {
  return {
    alertById: new DataLoader<number, AlertRow | null>(async (ids) => byKey(ids, await alertsByIds(db, ids), (a) => a.id)),
    alertByCase: new DataLoader<number, AlertRow | null>(async (ids) => byKey(ids, await alertsByCaseIds(db, ids), (a) => a.caseId!)),
    /** In the order they happened. */
    eventsByAlert: new DataLoader<number, AlertEventRow[]>(async (ids) => groupByKey(ids, await eventsByAlertIds(db, ids), (e) => e.alertId)),
  };
}

export type MonitoringLoaders = ReturnType<typeof createMonitoringLoaders>;
