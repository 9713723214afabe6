/**
 * The hub's tables for pushing alerts to subscribers (DCI subscribe/notify):
 *
 * - `alert_subscription`: an API client's callback URL, region scope, grade and trigger filters,
 *   and its signing secret. The secret is kept as is (not hashed): the hub must compute
 *   HMAC-SHA256 with it on every attempt, so a hash would be useless, and encrypting it with a key
 *   from the same process's configuration would protect only against a leak of the database alone.
 *   It is shown once, at creation, and never returned by the API or CLI afterwards.
 * - `alert_delivery`: the outbox. One row per (alert event, subscription), written in the same
 *   transaction as the alert, so an alert that exists is an alert that will be pushed (and, for a
 *   subscription made with `deliverOpen`, one per alert open then, as `backlog`, in the
 *   transaction that makes it); a subscription gets the alerts its region scope, grades, triggers
 *   and its client's department let it read. Its
 *   `delivery_id` (a UUID), and the body's `occurredAt` and `sequence` (its number among its
 *   subscription's pushes: alert_subscription.last_sequence), are fixed at enqueue time and sent on
 *   every attempt and replay.
 *   A worker claims due rows with one conditional UPDATE that writes its claim token and a lease
 *   (no SKIP LOCKED: TiDB), so two hub processes never send the same attempt concurrently.
 * - `alert_delivery_notice`: dead letters reported to administrators, one row per subscriber
 *   (API client) per day, read through the API; the log carries a line for the same event.
 * - `alert_subscription_lock`: one row, locked by the writers of alert pushes and by a create with
 *   `deliverOpen`, so that an alert and such a subscription made at once meet exactly once.
 *
 * Instants are DATETIME(3) in UTC compared with the database's UTC_TIMESTAMP(3).
 */
import { bigint, boolean, char, date, datetime, index, int, mysqlEnum, mysqlTable, primaryKey, smallint, text, unique, varchar } from 'drizzle-orm/mysql-core';

const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });
const id = (name: string) => bigint(name, { mode: 'number', unsigned: true });

export const alertSubscription = mysqlTable(
  'alert_subscription',
  {
    id: id('id').autoincrement().primaryKey(),
    /** The API client (access/clients) that receives the pushes and later reads the details. */
    clientId: varchar('client_id', { length: 64 }).notNull(),
    callbackUrl: varchar('callback_url', { length: 500 }).notNull(),
    /** Comma-separated division codes (prefix match). */
    regionCodes: varchar('region_codes', { length: 1000 }).notNull(),
    /** Comma-separated grades; empty for all. */
    grades: varchar('grades', { length: 40 }).notNull(),
    /** Comma-separated trigger ids; empty for all. */
    triggerIds: varchar('trigger_ids', { length: 1000 }).notNull(),
    /** The HMAC key, hex (see the file comment for why it is kept as is). */
    secret: char('secret', { length: 64 }).notNull(),
    state: mysqlEnum('state', ['ACTIVE', 'REVOKED']).notNull(),
    createdAt: instant('created_at').notNull(),
    createdBy: varchar('created_by', { length: 128 }).notNull(),
    revokedAt: instant('revoked_at'),
    /**
     * The `sequence` of the last push queued to it: each push queued takes the next, in the
     * transaction that queues it and under the subscription lock (alert_subscription_lock, which
     * every writer of the outbox takes first), so a subscription's pushes are numbered 1, 2, 3… in
     * the order their events were committed, and a retry or replay sends the number it was queued
     * with (db/alert-delivery/outbox.ts writeDeliveries). A subscription made before the column
     * starts after the largest outbox row id of its pushes, the `sequence` those are sent with
     * (domain/monitoring/envelope.ts pushedPayload).
     */
    lastSequence: bigint('last_sequence', { mode: 'number', unsigned: true }).notNull().default(0),
  },
  (t) => [index('alert_subscription_state').on(t.state)],
);

export const alertDelivery = mysqlTable(
  'alert_delivery',
  {
    id: id('id').autoincrement().primaryKey(),
    deliveryId: char('delivery_id', { length: 36 }).notNull(),
    subscriptionId: id('subscription_id').notNull(),
    alertId: varchar('alert_id', { length: 64 }).notNull(),
    /** An alert's event, or a referral slip's reminder (alertId then `referral:<id>`: resolvers/cases/referral-reminders.ts). */
    event: mysqlEnum('event', ['ALERT_OPENED', 'ALERT_RAISED', 'ALERT_MOVED', 'ALERT_MOVED_AWAY', 'REFERRAL_DUE_SOON', 'REFERRAL_OVERDUE']).notNull(),
    /** The exact JSON body sent on every attempt. */
    payload: text('payload').notNull(),
    state: mysqlEnum('state', ['PENDING', 'DELIVERED', 'DEAD']).notNull(),
    /** Attempts begun (counted at claim time, so an attempt cut short by a crash counts). */
    attempts: smallint('attempts', { unsigned: true }).notNull(),
    /**
     * A push of an alert already open when its subscription was made (deliverOpen), or the first
     * OVERDUE reminder of a slip already long past its due date (domain/cases/reminders.ts
     * remindedAsBacklog): claimed only when no fresh push is due, so a backlog of thousands never holds back an alert raised since,
     * on its first attempt or a retry (claimDue).
     */
    backlog: boolean('backlog').notNull().default(false),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    /** The claim token of the worker round sending it now, and until when that claim holds. */
    claimToken: varchar('claim_token', { length: 160 }),
    claimUntil: instant('claim_until'),
    lastStatus: int('last_status'),
    lastError: varchar('last_error', { length: 300 }),
    createdAt: instant('created_at').notNull(),
    deliveredAt: instant('delivered_at'),
    deadAt: instant('dead_at'),
  },
  (t) => [
    unique('alert_delivery_delivery_id').on(t.deliveryId),
    index('alert_delivery_due').on(t.state, t.backlog, t.nextAttemptAt),
    // Every column the /metrics count reads (outboxBacklog), so it reads this index alone, never a
    // row with its payload; the due index leaves out claim_until and created_at, and widening it
    // would put them between next_attempt_at and id, which the claim's ORDER BY reads in order.
    index('alert_delivery_gauges').on(t.state, t.createdAt, t.nextAttemptAt, t.claimUntil),
    index('alert_delivery_claim').on(t.claimToken),
    // With next_attempt_at: a subscription's pushes waiting for a retry, read alone when its receiver
    // answers again (wakeBackedOff), not its backlog due already.
    index('alert_delivery_subscription').on(t.subscriptionId, t.state, t.nextAttemptAt),
    index('alert_delivery_alert').on(t.alertId),
  ],
);

export const alertDeliveryNotice = mysqlTable(
  'alert_delivery_notice',
  {
    clientId: varchar('client_id', { length: 64 }).notNull(),
    /** The day (China's) of the first dead letter reported. */
    day: date('day', { mode: 'string' }).notNull(),
    subscriptionId: id('subscription_id').notNull(),
    deliveryId: char('delivery_id', { length: 36 }).notNull(),
    message: varchar('message', { length: 500 }).notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.day] })],
);

/**
 * One row (`name` 'SUBSCRIBERS', made by the migration; deleted by hand, made again before the transaction that missed it runs once more: lockKnownRow),
 * locked by primary key (a point lock TiDB takes as MySQL does) by every transaction that queues
 * pushes of alerts opened, raised or moved (enqueueAlertDeliveriesOf, before it reads the
 * subscriptions), by a create with `deliverOpen` (before it reads the open alerts) and by a pass of
 * slip reminders (before it reads the subscriptions: every writer of the outbox takes it, so the
 * pushes' sequences, alert_subscription.last_sequence, are taken one transaction at a time). Without it
 * an alert committed while such a create ran reached the new subscriber neither way: the create read
 * the open alerts before the alert was committed, the alert's transaction read the subscriptions
 * before the new one was. Under the lock, whichever comes second reads, at READ COMMITTED, what the
 * first committed: the alert is queued by exactly one of them. A read of the open alerts again after
 * the create commits would not do: an alert whose transaction read the subscriptions before the
 * commit may itself commit after that second read.
 */
export const alertSubscriptionLock = mysqlTable('alert_subscription_lock', {
  name: varchar('name', { length: 32 }).primaryKey(),
});
