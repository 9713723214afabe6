/**
 * The outbox writer: the one call the alert side makes. Inside the caller's transaction (the one
 * that opens or raises the alert, or moves its decision day) it writes one `alert_delivery` row per
 * active subscription whose region scope, grades and triggers match and whose client's department
 * may read the alert (pushedTo), each with its own delivery id, due at once. A subscription made
 * with `deliverOpen` gets the alerts open then the same way, as backlog, in the transaction that
 * makes it (openAlertDeliveries); both take the subscription lock first (lockSubscribers), so an alert
 * committed while such a create runs is queued to it by exactly one of the two, as is a correction of
 * its dates (enqueueToToldSubscriptions). The delivery worker
 * (db/alert-delivery/worker.ts) sends them
 * after the transaction commits; a rolled-back alert leaves no row behind, a committed one is never
 * forgotten.
 */
import type { REMINDER_EVENTS, ReminderKind } from '../../domain/cases/reminders';
import { officeOfClient } from '../../domain/cases/offices';
import crypto from 'node:crypto';
import { and, eq, inArray, isNull, not, sql } from 'drizzle-orm';
import { alertDeliveryJson, type AlertEnvelope } from '../../domain/monitoring/envelope';
import { envelopeFor, regionCovers, splitList, subscriptionMatches, type SubscriptionFilter } from '../../domain/monitoring/subscriptions';
import type { AlertGrade } from '../../domain/monitoring/envelope';
import type { HubQuery, HubTx } from '../cases/records';
import { lockKnownRow, type LockingTx } from '../locking';
import { apiClient } from '../access/schema';
import { alertConcerns } from '../../domain/monitoring/alerts';
import { dbNow, expiredByDb } from '../instants';
import { alertDelivery, alertSubscription, alertSubscriptionLock } from './schema';

/**
 * Active subscriptions as filters (a handful of rows: read whole, matched in code), of clients still
 * active: a revoked or expired client reads no alert with its token, so its receiver is told of none
 * (its subscription stays as it was, for the administrator to see and revoke). Expired by the
 * database's clock (expiredByDb), as the pushes it queues are timed: hub processes whose clocks differ
 * would otherwise queue pushes to a client one of them holds expired and another does not.
 */
export async function activeSubscriptions(db: HubQuery) {
  const rows = await db
    .select({ id: alertSubscription.id, regionCodes: alertSubscription.regionCodes, grades: alertSubscription.grades, triggerIds: alertSubscription.triggerIds, lastSequence: alertSubscription.lastSequence, department: apiClient.department, regionScope: apiClient.regionScope })
    .from(alertSubscription)
    .innerJoin(apiClient, eq(apiClient.name, alertSubscription.clientId))
    .where(and(eq(alertSubscription.state, 'ACTIVE'), isNull(apiClient.revokedAt), not(expiredByDb(apiClient.expiresAt))));
  return rows.map((r) => ({ id: r.id, regionCodes: splitList(r.regionCodes), grades: splitList(r.grades) as AlertGrade[], triggerIds: splitList(r.triggerIds), lastSequence: r.lastSequence, department: r.department, regionScope: r.regionScope }));
}

/**
 * An active subscription as the outbox matches alerts and slips against it: its filters, its client's
 * department and region scope, and the `sequence` of the last push queued to it (read under the
 * subscription lock).
 */
export type ActiveSubscription = SubscriptionFilter & { id: number; department: string; regionScope: string; lastSequence: number };

/**
 * The `sequence` of each push about to be queued, one per entry of `to` (a subscription, in the order
 * of the pushes): each subscription's next numbers after its last, written back to it in one
 * statement before the pushes are inserted (so a transaction that queues pushes locks the
 * subscription rows before the outbox's, as a revocation does). Called only under the subscription
 * lock (lockSubscribers), taken by every writer of the outbox before it reads the subscriptions, so
 * two transactions never take the same number and numbers follow the order of the commits. Each
 * subscription given is left with its new `lastSequence`, for a caller that queues more with it.
 */
async function takeSequences(tx: HubQuery, to: readonly ActiveSubscription[]): Promise<number[]> {
  const last = new Map<number, number>();
  const numbers = to.map((s) => {
    const n = (last.get(s.id) ?? s.lastSequence) + 1;
    last.set(s.id, n);
    return n;
  });
  if (last.size > 0) {
    const ids = [...last.keys()];
    await tx
      .update(alertSubscription)
      .set({ lastSequence: sql`CASE ${alertSubscription.id} ${sql.join(ids.map((id) => sql`WHEN ${id} THEN ${last.get(id)!}`), sql` `)} END` })
      .where(inArray(alertSubscription.id, ids));
  }
  for (const s of to) s.lastSequence = last.get(s.id)!;
  return numbers;
}

/**
 * Whether an alert event is pushed to a subscription: the one selection rule, for an alert raised
 * now and for the alerts open when a subscription is made with `deliverOpen` (openAlertDeliveries).
 * Its regions (each within its client's scope, checked when it was made), grades and triggers match,
 * and a subscriber of another department than civil affairs is told only of the alerts it may read
 * (alertConcerns), as its own token would list them.
 */
export function pushedTo(s: ActiveSubscription, alert: AlertEnvelope): boolean {
  return subscriptionMatches(s, alert) && (alert.audience === undefined || alertConcerns(s.department, alert.audience));
}

/** The subscription lock's one row (alert_subscription_lock). */
const SUBSCRIBERS = { name: 'SUBSCRIBERS' };

/**
 * Locks the subscription lock's row for the rest of the transaction (alert_subscription_lock says
 * why): taken by a transaction that queues alert pushes before it reads the subscriptions, by a
 * create with `deliverOpen` before it reads the open alerts, and by a pass of slip reminders before
 * it reads the subscriptions (every writer of the outbox: the pushes' sequences, takeSequences). Whichever comes second waits for the
 * first to commit and then reads (READ COMMITTED: a LockingTx) what it wrote: the new subscription,
 * or the new alert. One point lock by primary key, held from the subscriptions' read to the commit.
 * The row is made by migration 0004; deleted by hand, it is made again outside the transaction,
 * which then runs once more (lockKnownRow), never inside it, where a rollback took it away under
 * waiters and InnoDB had one of them deadlock (db/locking.ts ensureLockRow).
 */
export async function lockSubscribers(tx: LockingTx): Promise<void> {
  await lockKnownRow(alertSubscriptionLock, SUBSCRIBERS, () => tx.select().from(alertSubscriptionLock).where(eq(alertSubscriptionLock.name, SUBSCRIBERS.name)).for('update'));
}

/** Writes the outbox rows for one alert event; returns how many subscriptions it goes to. */
export async function enqueueAlertDeliveries(tx: LockingTx, alert: AlertEnvelope): Promise<number> {
  return enqueueAlertDeliveriesOf(tx, [alert]);
}

/**
 * The outbox rows for many alert events (a page of the monthly comparison): the subscriptions read
 * once, under the subscription lock (lockSubscribers), the rows written in multi-row statements.
 * Returns how many rows it wrote.
 */
export async function enqueueAlertDeliveriesOf(tx: LockingTx, alerts: readonly AlertEnvelope[]): Promise<number> {
  if (alerts.length === 0) return 0;
  await lockSubscribers(tx);
  return writeDeliveries(tx, await activeSubscriptions(tx), alerts);
}

/**
 * The outbox rows of a subscription just made with `deliverOpen`, in the transaction that makes it:
 * one ALERT_OPENED push of each alert open then that it would have been pushed had the alert been
 * raised now (pushedTo), written and sent as any other but as backlog: claimed only when no fresh
 * push is due (claimDue), so up to 10,000 of them never delay an alert raised since. Returns how many
 * rows it wrote.
 */
export async function openAlertDeliveries(tx: HubTx, subscription: ActiveSubscription, open: readonly AlertEnvelope[]): Promise<number> {
  return writeDeliveries(tx, [subscription], open, { backlog: true });
}

/** Rows per multi-row INSERT of the outbox. */
const DELIVERIES_PER_INSERT = 500;

/**
 * The rows, each with its own delivery id, due at once, in statements of up to DELIVERIES_PER_INSERT
 * rows; with `toldBefore` only to the subscriptions whose alert and subscription it holds (toldKey);
 * `backlog`: alert_delivery.backlog.
 */
async function writeDeliveries(
  tx: HubTx,
  subscriptions: readonly ActiveSubscription[],
  alerts: readonly AlertEnvelope[],
  { toldBefore, backlog = false }: { toldBefore?: ReadonlySet<string>; backlog?: boolean } = {},
): Promise<number> {
  if (subscriptions.length === 0 || alerts.length === 0) return 0;
  // The database's clock, not this process's: the worker finds a row due by comparing next_attempt_at
  // with the database's UTC_TIMESTAMP(3), and /metrics ages created_at against it, so a hub process
  // whose clock ran ahead held its pushes back and one whose clock ran behind showed them waiting
  // since before they were raised (several hub processes on several machines share the one outbox).
  const now = dbNow();
  const pushes = alerts.flatMap((alert) => subscriptions.filter((s) => pushedTo(s, alert) && (toldBefore === undefined || toldBefore.has(toldKey(alert.alertId, s.id)))).map((s) => ({ alert, s })));
  if (pushes.length === 0) return 0;
  const sequences = await takeSequences(
    tx,
    pushes.map((p) => p.s),
  );
  const rows = pushes.map(({ alert, s }, i) => {
    const deliveryId = crypto.randomUUID();
    const sent = envelopeFor(s, alert);
    return {
      deliveryId,
      subscriptionId: s.id,
      alertId: alert.alertId,
      event: sent.event,
      payload: alertDeliveryJson(deliveryId, sent, sequences[i]),
      state: 'PENDING' as const,
      attempts: 0,
      backlog,
      nextAttemptAt: now,
      createdAt: now,
    };
  });
  for (let i = 0; i < rows.length; i += DELIVERIES_PER_INSERT) await tx.insert(alertDelivery).values(rows.slice(i, i + DELIVERIES_PER_INSERT));
  return rows.length;
}

const toldKey = (alertId: string, subscriptionId: number) => `${alertId}:${subscriptionId}`;

/**
 * The outbox rows for alert events that only those already told of the alert need to hear (corrected
 * dates): each goes to the active subscriptions that match the alert as it is now and hold a push of
 * it delivered or still pending (one being sent now may carry the dates from before the change). A
 * subscription whose pushes of it all became dead letters gets the decision day when they are
 * replayed (a push carries the alert's decideBy when sent); one that never had it has nothing to
 * correct. Who was told is read under the subscription lock (lockSubscribers), taken after the
 * caller's lock of the alert rows (the order every alert writer takes them in): a create with
 * `deliverOpen` that read the alerts before the change has committed its ALERT_OPENED push by then,
 * so its subscriber is told the new dates too; one that comes after waits, and reads them. Read
 * through the alert index; returns how many rows it wrote.
 */
export async function enqueueToToldSubscriptions(tx: LockingTx, alerts: readonly AlertEnvelope[]): Promise<number> {
  if (alerts.length === 0) return 0;
  await lockSubscribers(tx);
  const told = await tx
    .selectDistinct({ alertId: alertDelivery.alertId, subscriptionId: alertDelivery.subscriptionId })
    .from(alertDelivery)
    .where(and(inArray(alertDelivery.alertId, alerts.map((a) => a.alertId)), inArray(alertDelivery.state, ['PENDING', 'DELIVERED'])));
  if (told.length === 0) return 0;
  // Only those holding a push of the alert are told: a subscription made since read the new dates.
  return writeDeliveries(tx, await activeSubscriptions(tx), alerts, { toldBefore: new Set(told.map((t) => toldKey(t.alertId, t.subscriptionId))) });
}

/** A referral slip's reminder as the outbox queues it (resolvers/cases/referral-reminders.ts). */
export interface ReminderPush {
  /** alert_delivery.alert_id: `referral:<id>` (domain/cases/reminders.ts reminderSubjectKey). */
  subjectKey: string;
  event: (typeof REMINDER_EVENTS)[ReminderKind];
  /** The body to send, given its delivery id and its sequence in the subscription's pushes. */
  body: (deliveryId: string, sequence: number) => string;
  /** Queued in the backlog lane (alert_delivery.backlog; domain/cases/reminders.ts remindedAsBacklog). */
  backlog: boolean;
}

/**
 * Whether a subscription is pushed a slip's reminder: its client acts for the office the slip is
 * addressed to, the office whose inbox it reads (officeOfClient: its `department`'s office, not a
 * township officer of that department, whose office is its township and who can neither read nor
 * answer the slip), and one of its regions holds the case's township (a county's office; a city-wide
 * bureau's 370800, as an alert's region is matched: regionCovers). One that names triggers chose
 * those alerts alone, so it gets none; grades do not concern a slip.
 */
export function remindedBy(s: ActiveSubscription, slip: { department: string; townshipCode: string }): boolean {
  return officeOfClient(s) === slip.department && s.triggerIds.length === 0 && s.regionCodes.some((r) => regionCovers(r, slip.townshipCode));
}

/**
 * The outbox rows of a slip's reminder, in the caller's transaction (the one that spends it,
 * db/cases/store.ts spendReminder), under the subscription lock it took before it read `to`
 * (lockSubscribers: the pushes' sequences): one per subscription in `to` (those remindedBy admits),
 * due at once (in the backlog lane when `push.backlog`, as a deliverOpen backlog is), sent, signed, retried and audited by the delivery worker as an alert's push is.
 * The subscriptions' `lastSequence` is advanced in `to` too, for the next reminder of the pass.
 */
export async function enqueueReminderDeliveries(tx: LockingTx, push: ReminderPush, to: readonly ActiveSubscription[]): Promise<void> {
  if (to.length === 0) return;
  const now = dbNow();
  const sequences = await takeSequences(tx, to);
  await tx.insert(alertDelivery).values(
    to.map((s, i) => {
      const deliveryId = crypto.randomUUID();
      return { deliveryId, subscriptionId: s.id, alertId: push.subjectKey, event: push.event, payload: push.body(deliveryId, sequences[i]), state: 'PENDING' as const, attempts: 0, backlog: push.backlog, nextAttemptAt: now, createdAt: now };
    }),
  );
}
