/**
 * The outbox writer: the one call the alert side makes. Inside the caller's transaction (the one
 * that opens or raises the alert) it writes one `alert_delivery` row per active subscription whose
 * region scope, grades and triggers match, each with its own delivery id, due at once. The
 * delivery worker (db/alert-delivery/worker.ts) sends them after the transaction commits; a
 * rolled-back alert leaves no row behind, a committed one is never forgotten.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { alertDeliveryJson, type AlertEnvelope } from '../../domain/monitoring/envelope';
import { envelopeFor, splitList, subscriptionMatches } from '../../domain/monitoring/subscriptions';
import type { AlertGrade } from '../../domain/monitoring/envelope';
import type { HubQuery, HubTx } from '../cases/records';
import { toDbInstant } from '../instants';
import { alertDelivery, alertSubscription } from './schema';

/** Active subscriptions as filters (a handful of rows: read whole, matched in code). */
export async function activeSubscriptions(db: HubQuery) {
  const rows = await db
    .select({ id: alertSubscription.id, regionCodes: alertSubscription.regionCodes, grades: alertSubscription.grades, triggerIds: alertSubscription.triggerIds })
    .from(alertSubscription)
    .where(eq(alertSubscription.state, 'ACTIVE'));
  return rows.map((r) => ({ id: r.id, regionCodes: splitList(r.regionCodes), grades: splitList(r.grades) as AlertGrade[], triggerIds: splitList(r.triggerIds) }));
}

/** Writes the outbox rows for one alert event; returns how many subscriptions it goes to. */
export async function enqueueAlertDeliveries(tx: HubTx, alert: AlertEnvelope): Promise<number> {
  return enqueueAlertDeliveriesOf(tx, [alert]);
}

/**
 * The outbox rows for many alert events (a page of the monthly comparison): the subscriptions read
 * once, the rows written in multi-row statements. Returns how many rows it wrote.
 */
export async function enqueueAlertDeliveriesOf(tx: HubTx, alerts: readonly AlertEnvelope[]): Promise<number> {
  if (alerts.length === 0) return 0;
  const subscriptions = await activeSubscriptions(tx);
  if (subscriptions.length === 0) return 0;
  const now = toDbInstant();
  const rows = alerts.flatMap((alert) =>
    subscriptions
      .filter((s) => subscriptionMatches(s, alert))
      .map((s) => {
        const deliveryId = crypto.randomUUID();
        const sent = envelopeFor(s, alert);
        return {
          deliveryId,
          subscriptionId: s.id,
          alertId: alert.alertId,
          event: sent.event,
          payload: alertDeliveryJson(deliveryId, sent),
          state: 'PENDING' as const,
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        };
      }),
  );
  for (let i = 0; i < rows.length; i += 500) await tx.insert(alertDelivery).values(rows.slice(i, i + 500));
  return rows.length;
}
