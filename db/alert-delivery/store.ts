/**
 * The statements of alert delivery: subscriptions (create, list, revoke), the worker's claim and
 * settlement of outbox rows, dead letters, replays and the administrators' notices. No HTTP here:
 * the worker (resolvers/alert-delivery/worker.ts) calls these around its POSTs.
 */
import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { AlertGrade } from '../../domain/monitoring/envelope';
import { splitList } from '../../domain/monitoring/subscriptions';
import { RECEIVER_DOWN_STATUSES } from '../../domain/monitoring/delivery';
import { apiClient } from '../access/schema';
import type { HubQuery } from '../cases/records';
import { retryLockConflicts, type HubDb } from '../connect';
import { lockingTransaction, type LockingTx } from '../locking';
import { dbChinaToday, dbNow, dbNowPlusMs, expiredByDb, fromDbInstant, readDbNow, toDbInstant } from '../instants';
import { alertDelivery, alertDeliveryNotice, alertSubscription } from './schema';

export interface SubscriptionRecord {
  id: number;
  clientId: string;
  callbackUrl: string;
  regionCodes: string[];
  grades: AlertGrade[];
  triggerIds: string[];
  state: 'ACTIVE' | 'REVOKED';
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

function subscriptionRecord(row: typeof alertSubscription.$inferSelect): SubscriptionRecord {
  const { secret: _secret, ...rest } = row;
  return { ...rest, regionCodes: splitList(row.regionCodes), grades: splitList(row.grades) as AlertGrade[], triggerIds: splitList(row.triggerIds) };
}

function affected(result: unknown): number {
  return (result as [{ affectedRows: number }])[0].affectedRows;
}

function rowsOf<T>(result: unknown): T[] {
  return (result as [T[]])[0];
}

/**
 * The API client a subscription is for, or null when none has this name: its region scope, and
 * whether it is revoked or expired. Expired by the database's clock (expiredByDb), as the outbox and the
 * worker judge it (db/alert-delivery/outbox.ts activeSubscriptions, claimDue below): a subscription
 * made for a client they hold expired would never be pushed a word. Its row is read FOR UPDATE,
 * inside the transaction that creates the subscription, so that creates for one client take turns.
 */
export async function subscriberClient(db: LockingTx, clientName: string): Promise<{ id: number; department: string; regionScope: string; roles: string; revoked: boolean; expired: boolean } | null> {
  const [row] = await db
    .select({
      id: apiClient.id,
      department: apiClient.department,
      regionScope: apiClient.regionScope,
      roles: apiClient.roles,
      revokedAt: apiClient.revokedAt,
      expired: expiredByDb(apiClient.expiresAt),
    })
    .from(apiClient)
    .where(eq(apiClient.name, clientName))
    .for('update');
  return row ? { id: row.id, department: row.department, regionScope: row.regionScope, roles: row.roles, revoked: row.revokedAt !== null, expired: row.expired === 1 } : null;
}

/**
 * The API clients of these names as they stand now, by name (a name no client has is absent): what
 * the worker judges each push by (subscriberRefusal), for the list of subscriptions to show beside
 * each, so a subscription whose client was revoked does not read as ACTIVE with nothing amiss.
 */
export async function subscribersNow(db: HubQuery, clientNames: readonly string[]): Promise<Map<string, SubscriberNow>> {
  const names = [...new Set(clientNames)];
  const byName = new Map<string, SubscriberNow>();
  if (names.length === 0) return byName;
  const rows = await db
    .select({ name: apiClient.name, id: apiClient.id, department: apiClient.department, regionScope: apiClient.regionScope, roles: apiClient.roles, revokedAt: apiClient.revokedAt, expired: expiredByDb(apiClient.expiresAt) })
    .from(apiClient)
    .where(inArray(apiClient.name, names));
  for (const { name, expired, ...client } of rows) byName.set(name, { ...client, expired: Number(expired) === 1 });
  return byName;
}

/** A client's active subscriptions. */
export async function activeSubscriptionsOf(db: HubQuery, clientName: string): Promise<SubscriptionRecord[]> {
  return (await db.select().from(alertSubscription).where(and(eq(alertSubscription.clientId, clientName), eq(alertSubscription.state, 'ACTIVE')))).map(subscriptionRecord);
}

export interface NewSubscription {
  clientId: string;
  callbackUrl: string;
  regionCodes: string[];
  grades: AlertGrade[];
  triggerIds: string[];
  secret: string;
  createdBy: string;
}

export async function insertSubscription(db: HubQuery, s: NewSubscription): Promise<SubscriptionRecord> {
  const [res] = await db.insert(alertSubscription).values({
    clientId: s.clientId,
    callbackUrl: s.callbackUrl,
    regionCodes: s.regionCodes.join(','),
    grades: s.grades.join(','),
    triggerIds: s.triggerIds.join(','),
    secret: s.secret,
    state: 'ACTIVE',
    createdAt: dbNow(),
    createdBy: s.createdBy,
  });
  return (await subscriptionById(db, Number(res.insertId)))!;
}

export async function subscriptionById(db: HubQuery, id: number): Promise<SubscriptionRecord | null> {
  const [row] = await db.select().from(alertSubscription).where(eq(alertSubscription.id, id));
  return row ? subscriptionRecord(row) : null;
}

export async function subscriptionsByIds(db: HubQuery, ids: readonly number[]): Promise<SubscriptionRecord[]> {
  if (ids.length === 0) return [];
  return (await db.select().from(alertSubscription).where(inArray(alertSubscription.id, [...ids]))).map(subscriptionRecord);
}

/**
 * Subscriptions every region of which lies under a division prefix ('' for all): the ones an
 * administrator of that scope manages. The regions are a comma-separated list of digits, so the
 * test is one anchored pattern (REGEXP runs alike on MySQL 8, MariaDB and TiDB); the prefix is
 * digits only, checked here, so nothing of it is read as a pattern.
 */
export function subscriptionWithin(prefix: string): SQL | undefined {
  if (prefix === '') return undefined;
  if (!/^\d{1,12}$/.test(prefix)) throw new Error('a division prefix is digits');
  return sql`${alertSubscription.regionCodes} REGEXP ${`^${prefix}[0-9]*(,${prefix}[0-9]*)*$`}`;
}

/** A page of subscriptions in id order, after `afterId`, within a scope prefix. */
export async function subscriptionPage(db: HubQuery, opts: { scopePrefix: string; clientId?: string; states?: readonly ('ACTIVE' | 'REVOKED')[]; afterId: number | null; limit: number }): Promise<SubscriptionRecord[]> {
  const conds: (SQL | undefined)[] = [subscriptionWithin(opts.scopePrefix)];
  if (opts.clientId !== undefined) conds.push(eq(alertSubscription.clientId, opts.clientId));
  if (opts.states && opts.states.length > 0) conds.push(inArray(alertSubscription.state, [...opts.states]));
  if (opts.afterId !== null) conds.push(gt(alertSubscription.id, opts.afterId));
  const rows = await db.select().from(alertSubscription).where(and(...conds)).orderBy(asc(alertSubscription.id)).limit(opts.limit);
  return rows.map(subscriptionRecord);
}

export async function listSubscriptions(db: HubQuery, clientId?: string): Promise<SubscriptionRecord[]> {
  const rows = await db
    .select()
    .from(alertSubscription)
    .where(clientId ? eq(alertSubscription.clientId, clientId) : undefined)
    .orderBy(asc(alertSubscription.id));
  return rows.map(subscriptionRecord);
}

/**
 * Revokes a subscription; its deliveries still pending end as dead letters ('subscription
 * revoked'), so nothing more is sent to it. Returns null when there is no such subscription.
 * `also`: written in the same transaction when it revokes (an audit entry), run again with it.
 */
export async function revokeSubscription(db: HubDb, id: number, also?: (tx: LockingTx) => Promise<void>): Promise<SubscriptionRecord | null> {
  // Both or neither: a subscription revoked with deliveries still pending would go on being sent to.
  // A deadlock with a worker's claim rolls both back, and the pair is written again. One instant for
  // both, the database's (as the outbox's times are), read in the transaction that writes it. READ
  // COMMITTED (lockingTransaction): `also` appends to the audit chain, a locking read of its head.
  await retryLockConflicts(() =>
    lockingTransaction(db, async (tx) => {
      const now = toDbInstant(await readDbNow(tx));
      const [changed] = await tx.update(alertSubscription).set({ state: 'REVOKED', revokedAt: now }).where(and(eq(alertSubscription.id, id), eq(alertSubscription.state, 'ACTIVE')));
      if (changed.affectedRows > 0) await also?.(tx);
      await tx
        .update(alertDelivery)
        .set({ state: 'DEAD', deadAt: now, lastError: 'subscription revoked', claimToken: null, claimUntil: null })
        .where(and(eq(alertDelivery.subscriptionId, id), eq(alertDelivery.state, 'PENDING')));
    }),
  );
  return subscriptionById(db, id);
}

// ----- The worker's statements ------------------------------------------------------------------

/** A claimed outbox row with what sending it needs. */
export interface ClaimedDelivery {
  id: number;
  deliveryId: string;
  /** The alert pushed (monitoring_alert.id as text). */
  alertId: string;
  subscriptionId: number;
  clientId: string;
  payload: string;
  /**
   * When the row was queued (created_at, ISO 8601 UTC): in the transaction of its event, so the
   * `occurredAt` a push queued before the field existed is sent with (pushedPayload).
   */
  queuedAt: string;
  /** This attempt's number (1 for the first). */
  attempt: number;
  callbackUrl: string;
  secret: string;
  subscriptionState: 'ACTIVE' | 'REVOKED';
  /** The push's event (alert_delivery.event), named in its audit row. */
  event: DeliveryRecord['event'];
  /**
   * The subscriber's API client as it is now (read with the claim), or null when no client has the
   * name: whether it may still read alerts is decided at every attempt, and its audit row names it.
   */
  subscriber: SubscriberNow | null;
}

/** An API client that receives pushes, as it stands when a round claims its rows. */
export interface SubscriberNow {
  id: number;
  department: string;
  regionScope: string;
  roles: string;
  revokedAt: string | null;
  /** Past its expiry by the database's clock (as the outbox's times are), read when the round claimed it. */
  expired: boolean;
}

/** A DATETIME(3) read by a raw statement, as the 'YYYY-MM-DD hh:mm:ss.mmm' text drizzle's string mode gives (null stays null). */
function instantText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? toDbInstant(v) : String(v).slice(0, 23);
}

/** A row is due: PENDING, its next attempt's time passed, under no claim (or one whose lease ran out); `alias` prefixes its columns. */
function dueNow(alias = ''): SQL {
  const c = (column: string) => sql.raw(alias === '' ? column : `${alias}.${column}`);
  return sql`${c('state')} = 'PENDING' AND ${c('next_attempt_at')} <= UTC_TIMESTAMP(3) AND (${c('claim_until')} IS NULL OR ${c('claim_until')} < UTC_TIMESTAMP(3))`;
}

/**
 * The ids of up to `limit` rows due and not held back by an earlier push of their alert to their
 * subscription (those are found through the alert index, named: by state alone the test would read
 * every pending row, each time). Fresh pushes first, then the backlog (alert_delivery.backlog): each
 * part a range of the due index (state, backlog, next_attempt_at), so a backlog of 10,000 is never
 * read ahead of them. Exported for its EXPLAIN in the tests.
 */
export function dueRows(limit: number): SQL {
  const due = dueNow('d');
  const lane = (backlog: 0 | 1) =>
    sql`(SELECT d.id, ${sql.raw(String(backlog))} AS lane, d.next_attempt_at FROM alert_delivery d FORCE INDEX (alert_delivery_due) WHERE ${due} AND d.backlog = ${sql.raw(String(backlog))}
           AND NOT EXISTS (SELECT 1 FROM alert_delivery e FORCE INDEX (alert_delivery_alert) WHERE e.alert_id = d.alert_id AND e.subscription_id = d.subscription_id AND e.id < d.id AND e.state = 'PENDING')
         ORDER BY d.next_attempt_at, d.id LIMIT ${limit})`;
  return sql`${lane(0)} UNION ALL ${lane(1)} ORDER BY lane, next_attempt_at, id LIMIT ${limit}`;
}

/**
 * Claims up to `limit` due rows for one round of one worker: a conditional UPDATE writes the
 * round's token and a lease and counts the attempt, so of several hub processes each row goes to
 * exactly one (no SKIP LOCKED, which TiDB lacks: the UPDATE re-checks its WHERE on the current
 * row). A row whose lease ran out (its worker died mid-send) is due again, with the same delivery id.
 *
 * The pushes of one alert to one subscription go in the order they were raised: a row is not
 * claimed while an earlier row of the same alert and subscription is still PENDING (being retried,
 * or in another round's claim). A receiver down for a minute otherwise had an alert's RAISED push
 * (RED) before the retry of its OPENED push (ORANGE) and kept ORANGE; the bodies carry no order.
 * A dead letter holds nothing back: replayed, it arrives after the pushes raised since. The rows
 * are chosen by a SELECT (through the due index, each tested through the alert index) and claimed
 * by id, as MySQL refuses an UPDATE that reads its own table in a subquery; the UPDATE checks
 * again that each is due and unclaimed, so a worker that lost them to another reads again.
 *
 * A backlog row (the alerts open when a subscription was made with deliverOpen, the first OVERDUE
 * reminders of slips long past their due date: remindedAsBacklog) is claimed only
 * when fewer fresh rows than `limit` are due: 10,000 of them due at once to a slow receiver took
 * every round for over an hour, ahead of RED alerts raised meanwhile for every subscriber. Its
 * retries stay behind too (the flag stays with the row).
 */
export async function claimDue(db: HubQuery, claimToken: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const due = dueNow();
  let claimed = 0;
  for (let tries = 0; tries < 3 && claimed === 0; tries++) {
    const free = rowsOf<{ id: number | string }>(await db.execute(dueRows(limit))).map((r) => Number(r.id));
    if (free.length === 0) return [];
    // Two workers' claims may deadlock: the loser wrote nothing and claims again.
    const res = await retryLockConflicts(() =>
      db.execute(
        sql`UPDATE alert_delivery SET claim_token = ${claimToken}, claim_until = ${dbNowPlusMs(leaseMs)}, attempts = attempts + 1
            WHERE id IN (${sql.join(free.map((id) => sql`${id}`), sql`, `)}) AND ${due}`,
      ),
    );
    claimed = affected(res);
  }
  if (claimed === 0) return [];
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(
      sql`SELECT d.id, d.delivery_id, d.alert_id, d.subscription_id, d.event, d.payload, d.attempts, d.created_at, s.client_id, s.callback_url, s.secret, s.state,
                 c.id AS c_id, c.department AS c_department, c.region_scope AS c_region_scope, c.roles AS c_roles, c.revoked_at AS c_revoked_at, ${expiredByDb(sql.raw('c.expires_at'))} AS c_expired
          FROM alert_delivery d JOIN alert_subscription s ON s.id = d.subscription_id LEFT JOIN api_client c ON c.name = s.client_id
          WHERE d.claim_token = ${claimToken} AND d.state = 'PENDING' ORDER BY d.id`,
    ),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    deliveryId: String(r.delivery_id),
    alertId: String(r.alert_id),
    subscriptionId: Number(r.subscription_id),
    clientId: String(r.client_id),
    payload: String(r.payload),
    queuedAt: fromDbInstant(instantText(r.created_at)!).toISOString(),
    attempt: Number(r.attempts),
    callbackUrl: String(r.callback_url),
    secret: String(r.secret),
    subscriptionState: r.state as 'ACTIVE' | 'REVOKED',
    event: r.event as DeliveryRecord['event'],
    subscriber:
      r.c_id === null || r.c_id === undefined
        ? null
        : { id: Number(r.c_id), department: String(r.c_department), regionScope: String(r.c_region_scope), roles: String(r.c_roles), revokedAt: instantText(r.c_revoked_at), expired: Number(r.c_expired) === 1 },
  }));
}

/**
 * Stores the bodies this round is about to send in place of the ones queued (the alert's decision
 * day as it is now: resolvers/alert-delivery/worker.ts), only for rows still under its claim, so the
 * stored payload stays the last body sent and a replay starts from it. One statement for the round.
 */
export async function storeSentPayloads(db: HubQuery, claimToken: string, payloads: ReadonlyMap<number, string>): Promise<void> {
  if (payloads.size === 0) return;
  const ids = [...payloads.keys()];
  await retryLockConflicts(() =>
    db
      .update(alertDelivery)
      .set({ payload: sql`CASE ${alertDelivery.id} ${sql.join(ids.map((id) => sql`WHEN ${id} THEN ${payloads.get(id)!}`), sql` `)} END` })
      .where(and(inArray(alertDelivery.id, ids), eq(alertDelivery.claimToken, claimToken))),
  );
}

/** Marks rows delivered (a 2xx answered); only rows still under this round's claim. */
export async function markDelivered(db: HubQuery, claimToken: string, ids: number[], status: Map<number, number>): Promise<number> {
  if (ids.length === 0) return 0;
  // One statement for the batch: the status is the same 2xx for nearly all, so group by it.
  let n = 0;
  const byStatus = new Map<number, number[]>();
  for (const id of ids) byStatus.set(status.get(id) ?? 200, [...(byStatus.get(status.get(id) ?? 200) ?? []), id]);
  for (const [code, group] of byStatus) {
    // A settlement that lost a deadlock to another worker's claim is settled again, not left claimed for a whole lease.
    const res = await retryLockConflicts(() =>
      db
        .update(alertDelivery)
        .set({ state: 'DELIVERED', deliveredAt: dbNow(), lastStatus: code, lastError: null, claimToken: null, claimUntil: null })
        .where(and(inArray(alertDelivery.id, group), eq(alertDelivery.claimToken, claimToken))),
    );
    n += (res as unknown as [{ affectedRows: number }])[0].affectedRows;
  }
  return n;
}

/** Schedules the next attempt of a failed row. */
export async function markRetry(db: HubQuery, claimToken: string, id: number, delayMs: number, status: number | null, error: string): Promise<void> {
  await retryLockConflicts(() => db.execute(
    sql`UPDATE alert_delivery SET next_attempt_at = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${Math.round(delayMs * 1000)} MICROSECOND), claim_token = NULL, claim_until = NULL, last_status = ${status}, last_error = ${error.slice(0, 300)}
        WHERE id = ${id} AND claim_token = ${claimToken}`,
  ));
}

/**
 * "Receiver back, send now": the pushes of these subscriptions waiting for a retry after their
 * receiver did not answer or said it was down (RECEIVER_DOWN_STATUSES) are made due now, called
 * once a round per subscription whose receiver acknowledged a push (2xx) in it. Without it a push
 * that failed while the receiver was down waited out its delay (up to 6 h at the schedule's end)
 * after the receiver was answering again. Its attempts are kept (a failure again resumes the
 * schedule where it was) and so is the order of one alert's pushes (claimDue holds a later one back
 * as before). Only rows under no live claim are touched, in one conditional UPDATE (each row
 * re-checked as it is written), so of several hub processes none brings forward a push another is
 * sending: a push that fails again just after this keeps its new delay until the next
 * acknowledgement. Read through alert_delivery_subscription's range of rows waiting, not the
 * subscription's backlog due already. Returns how many rows it made due.
 */
export async function wakeBackedOff(db: HubQuery, subscriptionIds: readonly number[]): Promise<number> {
  if (subscriptionIds.length === 0) return 0;
  const res = await retryLockConflicts(() =>
    db.execute(
      sql`UPDATE alert_delivery SET next_attempt_at = UTC_TIMESTAMP(3)
          WHERE subscription_id IN (${sql.join(subscriptionIds.map((id) => sql`${id}`), sql`, `)}) AND state = 'PENDING' AND next_attempt_at > UTC_TIMESTAMP(3)
            AND (claim_until IS NULL OR claim_until < UTC_TIMESTAMP(3))
            AND (last_status IS NULL OR last_status IN (${sql.join(RECEIVER_DOWN_STATUSES.map((s) => sql`${s}`), sql`, `)}))`,
    ),
  );
  return affected(res);
}

/** Makes a failed row a dead letter; true when this call did (it was still under this claim). */
export async function markDead(db: HubQuery, claimToken: string, id: number, status: number | null, error: string): Promise<boolean> {
  const res = await retryLockConflicts(() => db.execute(
    sql`UPDATE alert_delivery SET state = 'DEAD', dead_at = UTC_TIMESTAMP(3), claim_token = NULL, claim_until = NULL, last_status = ${status}, last_error = ${error.slice(0, 300)}
        WHERE id = ${id} AND claim_token = ${claimToken}`,
  ));
  return affected(res) === 1;
}

/**
 * Records that a subscriber's administrators were told of a dead letter today: at most one row
 * per subscriber (API client) per day, China's (the administrators' day; the UTC date is still
 * yesterday until 08:00 there). True when this call wrote it (and so should log it). Today and the
 * time written are the database's, as the dead letter's dead_at is: hub processes whose clocks
 * differ around midnight would otherwise each write a notice for "their" day.
 */
export async function noteDeadLetter(db: HubQuery, clientId: string, subscriptionId: number, deliveryId: string, message: string): Promise<boolean> {
  // One statement: the day and the time are the same database now (UTC_TIMESTAMP is one value within it).
  const res = await db.execute(
    sql`INSERT IGNORE INTO alert_delivery_notice (client_id, day, subscription_id, delivery_id, message, created_at)
        VALUES (${clientId}, ${dbChinaToday()}, ${subscriptionId}, ${deliveryId}, ${message.slice(0, 500)}, ${dbNow()})`,
  );
  return affected(res) === 1;
}

// ----- Reading and replaying ---------------------------------------------------------------------

export interface DeliveryRecord {
  id: number;
  deliveryId: string;
  subscriptionId: number;
  alertId: string;
  event: (typeof alertDelivery.event.enumValues)[number];
  state: 'PENDING' | 'DELIVERED' | 'DEAD';
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
}

const deliveryColumns = {
  id: alertDelivery.id,
  deliveryId: alertDelivery.deliveryId,
  subscriptionId: alertDelivery.subscriptionId,
  alertId: alertDelivery.alertId,
  event: alertDelivery.event,
  state: alertDelivery.state,
  attempts: alertDelivery.attempts,
  nextAttemptAt: alertDelivery.nextAttemptAt,
  lastStatus: alertDelivery.lastStatus,
  lastError: alertDelivery.lastError,
  createdAt: alertDelivery.createdAt,
  deliveredAt: alertDelivery.deliveredAt,
  deadAt: alertDelivery.deadAt,
};

/**
 * Dead letters, newest first, optionally of one subscription; `before` is the last id of the
 * previous page; `scopePrefix` keeps to subscriptions within a scope (subscriptionWithin).
 */
export async function deadLetters(db: HubQuery, opts: { subscriptionId?: number; first: number; before?: number; scopePrefix?: string }): Promise<DeliveryRecord[]> {
  const conds: (SQL | undefined)[] = [eq(alertDelivery.state, 'DEAD')];
  if (opts.subscriptionId !== undefined) conds.push(eq(alertDelivery.subscriptionId, opts.subscriptionId));
  if (opts.before !== undefined) conds.push(sql`${alertDelivery.id} < ${opts.before}`);
  const within = subscriptionWithin(opts.scopePrefix ?? '');
  if (!within) return db.select(deliveryColumns).from(alertDelivery).where(and(...conds)).orderBy(desc(alertDelivery.id)).limit(opts.first);
  return db
    .select(deliveryColumns)
    .from(alertDelivery)
    .innerJoin(alertSubscription, eq(alertSubscription.id, alertDelivery.subscriptionId))
    .where(and(...conds, within))
    .orderBy(desc(alertDelivery.id))
    .limit(opts.first);
}

export async function deliveriesByIds(db: HubQuery, deliveryIds: string[]): Promise<DeliveryRecord[]> {
  if (deliveryIds.length === 0) return [];
  return db.select(deliveryColumns).from(alertDelivery).where(inArray(alertDelivery.deliveryId, deliveryIds));
}

/** Deliveries of one alert (for the alert side and for tests). */
export async function deliveriesOfAlert(db: HubQuery, alertId: string): Promise<DeliveryRecord[]> {
  return db.select(deliveryColumns).from(alertDelivery).where(eq(alertDelivery.alertId, alertId)).orderBy(asc(alertDelivery.id));
}

/**
 * Puts dead letters back in the queue, due now, with their attempts reset and the same delivery
 * ids (receivers de-duplicate by it). Either the named ones or every dead letter of a
 * subscription; only rows of an ACTIVE subscription. Returns the deliveries requeued as this call
 * left them (read in its transaction): a delivery worker may claim and send one the moment it
 * commits, and the answer is what the replay did, not how far the worker has got since. `also`:
 * written in the same transaction when it requeues any (the CLI's audit entry), run again with it.
 */
export async function replayDeadLetters(db: HubDb, which: { deliveryIds: string[] } | { subscriptionId: number }, also?: (tx: LockingTx, replayed: DeliveryRecord[]) => Promise<void>): Promise<DeliveryRecord[]> {
  const scope = 'deliveryIds' in which ? inArray(alertDelivery.deliveryId, which.deliveryIds.length ? which.deliveryIds : ['']) : eq(alertDelivery.subscriptionId, which.subscriptionId);
  const candidates = await db
    .select({ id: alertDelivery.id })
    .from(alertDelivery)
    .innerJoin(alertSubscription, eq(alertSubscription.id, alertDelivery.subscriptionId))
    .where(and(scope, eq(alertDelivery.state, 'DEAD'), eq(alertSubscription.state, 'ACTIVE')));
  if (candidates.length === 0) return [];
  // Exactly the rows this call moved: they are locked by primary key and read again, so of two
  // replays at once the second finds them PENDING and reports nothing (replay is idempotent).
  return retryLockConflicts(() =>
    lockingTransaction(db, async (tx) => {
      const dead = await tx
        .select({ id: alertDelivery.id, deliveryId: alertDelivery.deliveryId })
        .from(alertDelivery)
        .where(and(inArray(alertDelivery.id, candidates.map((c) => c.id)), eq(alertDelivery.state, 'DEAD')))
        .orderBy(asc(alertDelivery.id))
        .for('update');
      if (dead.length === 0) return [];
      await tx
        .update(alertDelivery)
        .set({ state: 'PENDING', attempts: 0, nextAttemptAt: dbNow(), deadAt: null, claimToken: null, claimUntil: null })
        .where(inArray(alertDelivery.id, dead.map((d) => d.id)));
      const replayed = await tx.select(deliveryColumns).from(alertDelivery).where(inArray(alertDelivery.id, dead.map((d) => d.id))).orderBy(asc(alertDelivery.id));
      await also?.(tx, replayed);
      return replayed;
    }),
  );
}

export interface DeliveryNoticeRecord {
  clientId: string;
  day: string;
  subscriptionId: number;
  deliveryId: string;
  message: string;
  createdAt: string;
}

/** Administrators' notices of dead letters, newest first, from `sinceDay` on; `scopePrefix` as for deadLetters. */
export async function deliveryNotices(db: HubQuery, sinceDay: string, first: number, scopePrefix = ''): Promise<DeliveryNoticeRecord[]> {
  const within = subscriptionWithin(scopePrefix);
  if (!within) return db.select().from(alertDeliveryNotice).where(gte(alertDeliveryNotice.day, sinceDay)).orderBy(desc(alertDeliveryNotice.createdAt)).limit(first);
  return db
    .select(getTableColumns(alertDeliveryNotice))
    .from(alertDeliveryNotice)
    .innerJoin(alertSubscription, eq(alertSubscription.id, alertDeliveryNotice.subscriptionId))
    .where(and(gte(alertDeliveryNotice.day, sinceDay), within))
    .orderBy(desc(alertDeliveryNotice.createdAt))
    .limit(first);
}

/** Counts of a subscription's deliveries by state (for list views). */
export async function deliveryCounts(db: HubQuery, subscriptionIds: number[]): Promise<Map<number, Record<'PENDING' | 'DELIVERED' | 'DEAD', number>>> {
  const out = new Map<number, Record<'PENDING' | 'DELIVERED' | 'DEAD', number>>();
  if (subscriptionIds.length === 0) return out;
  const rows = await db
    .select({ subscriptionId: alertDelivery.subscriptionId, state: alertDelivery.state, n: sql<number>`COUNT(*)` })
    .from(alertDelivery)
    .where(inArray(alertDelivery.subscriptionId, subscriptionIds))
    .groupBy(alertDelivery.subscriptionId, alertDelivery.state);
  for (const id of subscriptionIds) out.set(id, { PENDING: 0, DELIVERED: 0, DEAD: 0 });
  for (const r of rows) out.get(r.subscriptionId)![r.state] = Number(r.n);
  return out;
}

/**
 * Of `ids`, claimed by `claimToken`, those no longer its own and pending: revoking the subscription
 * (revokeSubscription) made them dead letters and cleared their claim. One statement by primary key.
 */
export async function claimsLost(db: HubQuery, claimToken: string, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const held = await db.select({ id: alertDelivery.id }).from(alertDelivery).where(and(inArray(alertDelivery.id, [...ids]), eq(alertDelivery.claimToken, claimToken), eq(alertDelivery.state, 'PENDING')));
  const kept = new Set(held.map((r) => r.id));
  return new Set(ids.filter((id) => !kept.has(id)));
}

/** Gives a claimed row back unsent (its attempt not counted), for any worker to claim again. */
export async function releaseClaim(db: HubQuery, claimToken: string, id: number): Promise<void> {
  await retryLockConflicts(() => db.execute(sql`UPDATE alert_delivery SET claim_token = NULL, claim_until = NULL, attempts = attempts - 1 WHERE id = ${id} AND claim_token = ${claimToken}`));
}

// ----- For /metrics --------------------------------------------------------------------------------

/** The outbox as /metrics reports it (server/metrics.ts). */
export interface OutboxBacklog {
  /** Pending rows a worker may claim now: due, and under no live claim (one whose lease ran out counts). */
  due: number;
  /** Pending rows under a live claim: being sent by some hub process now. */
  claimed: number;
  /** Pending rows waiting for a later attempt (a retry's delay), under no claim. */
  scheduled: number;
  /** Dead letters held (until replayed). */
  dead: number;
  /**
   * Seconds since the oldest pending row (due now, claimed or waiting for a retry) was enqueued: how
   * long the longest-waiting subscriber has gone without a push it is owed; 0 with none pending.
   */
  oldestPendingSeconds: number;
}

/**
 * Counts the outbox by state in one statement, from the `alert_delivery_gauges` index alone (state
 * first, so delivered rows are not read; every column it reads is in it, so no row, payload and
 * all, is: test/alert-delivery/outbox-gauges.test.ts pins the plan; named, as the claim's are, since
 * MySQL 8 or TiDB may take alert_delivery_due, which also starts with the state, and read the rows).
 * Times are the database's on both sides, as the worker's claims compare them: created_at and
 * next_attempt_at are written with its clock (writeDeliveries), so a hub process whose clock is off
 * does not make the age wrong.
 */
export async function outboxBacklog(db: HubDb): Promise<OutboxBacklog> {
  const free = sql`(claim_until IS NULL OR claim_until < UTC_TIMESTAMP(3))`;
  const [row] = rowsOf<Record<string, unknown>>(
    await db.execute(
      sql`SELECT SUM(${dueNow()}) AS due,
                 SUM(state = 'PENDING' AND claim_until >= UTC_TIMESTAMP(3)) AS claimed,
                 SUM(state = 'PENDING' AND next_attempt_at > UTC_TIMESTAMP(3) AND ${free}) AS scheduled,
                 SUM(state = 'DEAD') AS dead,
                 TIMESTAMPDIFF(MICROSECOND, MIN(CASE WHEN state = 'PENDING' THEN created_at END), UTC_TIMESTAMP(3)) AS oldest_pending_us
          FROM alert_delivery FORCE INDEX (alert_delivery_gauges) WHERE state IN ('PENDING', 'DEAD')`,
    ),
  );
  const n = (v: unknown) => Number(v ?? 0);
  return { due: n(row?.due), claimed: n(row?.claimed), scheduled: n(row?.scheduled), dead: n(row?.dead), oldestPendingSeconds: Math.max(0, n(row?.oldest_pending_us) / 1e6) };
}
