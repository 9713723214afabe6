/**
 * The delivery worker: in every hub process (unless AIDHUB_DELIVERY_POLL_MS=0), it claims due
 * outbox rows (db/alert-delivery/store.ts claimDue), POSTs each as JSON signed with HMAC-SHA256
 * over `timestamp.body`, and settles it: delivered on any 2xx; a dead letter at once on a 410 Gone
 * (RECEIVER_GONE: the subscription stays, an administrator revokes it or replays); otherwise tried
 * again after the retry schedule's delay with jitter, and after the last attempt a dead letter, of
 * any of which the subscriber's administrators are told once per day (a row in alert_delivery_notice, read with
 * `alertDeliveryNotices`, and a warn line in the log). A push a receiver acknowledged (2xx) moves
 * its alert from NEW to DELIVERED (with `DELIVERED` in its history), once, whichever subscriber
 * answered first; an alert already signed for or closed stays as it is. The body sent is the one
 * queued with one exception, the alert's decision day (decideBy), which is read when sent (and a
 * push queued before its order fields existed gets them from its row: pushedPayload). A receiver
 * that acknowledges a push has its subscription's pushes waiting for a retry after it was down
 * brought forward (wakeBackedOff), once a round. A callback host given by name is resolved by each
 * connection's own lookup (checkedLookup) and never connected to at a link-local, cloud metadata or
 * unspecified address the allow-list does not name (CALLBACK_ADDRESS_NOT_ALLOWED, retried).
 *
 * Every push is a disclosure to another party (the alert's masked subject, village and trigger), so
 * before each POST its audit row is appended to the hub's audit chain (access/audit.ts) and
 * committed: the subscriber's client as the accessing client, purpose MONITORING, channel PUSH, the
 * alert's person as subject (the push names no household), the delivery id as request id and the
 * event, subscription and attempt as operation. A retry that sends appends again (each attempt that
 * sends may have disclosed: a receiver that read the body then answered 503, or timed out). If the
 * append fails the push is not sent: the attempt fails with AUDIT_UNAVAILABLE and is retried as any
 * failed attempt. A push whose subscriber's client may no longer read alerts (revoked, expired, or
 * roles and department that fail Query.alerts for MONITORING: subscriptions.ts subscriberRefusal)
 * is not sent and appends nothing: a dead letter saying why, of which its administrators are told.
 *
 * A subscription revoked while a round holds its pushes gets none of them not begun yet, once the
 * round has run for recheckMs: the rows not begun are read again then (one statement, at most once
 * per recheckMs, so a round's statements do not grow with its size) and those revoked are dropped.
 * A round had sent every push it claimed, to a receiver revoked meanwhile too, for as long as it
 * lasted (up to 200 pushes behind a slow receiver, each up to its timeout), each audited.
 *
 * Stopped (a hub's SIGTERM), a worker begins no further POST: the rest of its claim is given back
 * unsent. At least once: a process that dies after sending and before recording leaves the row claimed
 * until its lease runs out; then any process sends it again with the same delivery id. An
 * acknowledged push is recorded before its slot begins the next POST, so that is only the pushes in
 * flight when it died (and those acknowledged while their record was being written). The lease
 * outlasts a whole round (every POST of the batch at the slowest), and a POST is not begun once
 * too little of the lease is left to finish it, so two processes never send one attempt at once.
 */
import { loggableError } from '../../domain/privacy';
import { HUB_ID } from '../../domain/hub-id';
import type { AuditStore } from '../../access/audit';
import { subscriberCaller, subscriberRefusal } from './subscriptions';
import dns from 'node:dns';
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import https from 'node:https';
import type { Logger } from 'pino';
import { newHolder } from '../../db/jobs/lease';
import type { AlertDeliveryConfig } from '../../db/config';
import type { HubDb } from '../../db/connect';
import { claimDue, claimsLost, markDead, markDelivered, markRetry, noteDeadLetter, releaseClaim, storeSentPayloads, wakeBackedOff, type ClaimedDelivery } from '../../db/alert-delivery/store';
import { alertsByIds, markAlertsDelivered, type AcknowledgedPush } from '../../db/monitoring/store';
import { alertCallerOf } from '../../domain/monitoring/alerts';
import { pushedPayload, type AlertDeliveryBody } from '../../domain/monitoring/envelope';
import { ATTEMPT_HEADER, afterFailure, CALLBACK_ADDRESS_NOT_ALLOWED, callbackAddressRefusal, callbackRefusal, delayHonouringRetryAfter, DELIVERY_ID_HEADER, endsAttempts, RETRY_AFTER_STATUSES, retryAfterMs as retryAfterOf, signDelivery, SIGNATURE_HEADER, TIMESTAMP_HEADER, type CallbackAddressClass } from '../../domain/monitoring/delivery';

export interface RoundResult {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  /** Pushes waiting for a retry brought forward because their receiver acknowledged one of this round (wakeBackedOff). */
  woken: number;
}

/**
 * What one POST came to: a status (any), or a transport error, with the status where an answer
 * began and was then cut short (its connection closed before its body ended).
 */
type PostOutcome = { status: number; error?: undefined; retryAfterMs?: number | null } | { error: string; status?: number; retryAfterMs?: undefined };

/**
 * Why an attempt whose answer was cut short failed: the receiver (or a proxy) closed the connection
 * before the body it announced ended, so its status is no acknowledgement (a receiver that crashed
 * while answering); the attempt is retried as any failed attempt, and `lastStatus` keeps the status.
 */
export function answerCutShort(status: number): string {
  return `HTTP ${status}, answer cut short (the connection closed before its body ended)`;
}

/**
 * The errors of a keep-alive connection the receiver closed as a push went out on it: the push is
 * sent again at once on a new connection (post).
 */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

/** Response bodies are read up to this and dropped: a receiver's answer is its status. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Why an attempt was not sent: its audit rows could not be written (retried as any failed attempt). */
export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

/**
 * Why a push answered 410 Gone is a dead letter after that one attempt (endsAttempts): the
 * receiver says what it was sent to is gone, and the retry schedule would only knock on it for
 * hours. Its subscription is not revoked: that is an administrator's call.
 */
export const RECEIVER_GONE = 'HTTP 410 Gone: the receiver answered that it is gone, so the push is not tried again; an administrator may revoke the subscription, or replay the push once the receiver is back';

/** Why a push to a client that may no longer read alerts was not sent (`why`: subscriberRefusal's reason). */
export function readsNoAlerts(why: string): string {
  return `CLIENT_READS_NO_ALERTS (${why}): not sent, nothing disclosed; the subscriber's client may no longer read alerts (Query.alerts, purpose MONITORING)`;
}

/**
 * The `lookup` of a push's connection: the callback's host name resolved (every address of it, with
 * `resolve`), and refused when any address is one a name may not reach (callbackAddressRefusal:
 * link-local, cloud metadata, unspecified) and the allow-list does not name it literally. The
 * connection is made only to an address returned here, so the address checked is the address
 * connected to: a name rebound between the subscription (or the last push) and this connection is
 * checked as it resolves now. One refused address refuses the name: DNS publishes no link-local
 * receiver, so an answer holding one is misconfigured or hostile, and a push is not sent to its
 * other addresses either. A host written as an address is not looked up (net.connect) and was
 * checked by the allow-list as written (callbackRefusal).
 */
export function checkedLookup(resolve: LookupFunction, callbackUrl: string, allowedHosts: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, found) => {
      if (err) return callback(err, '', 0);
      const addresses = typeof found === 'string' ? [{ address: found, family: options.family === 6 ? 6 : 4 }] : found;
      for (const a of addresses) {
        const kind = callbackAddressRefusal(a.address, callbackUrl, allowedHosts);
        if (kind === null) continue;
        const refused = Object.assign(new Error(addressNotAllowed(kind)), { code: CALLBACK_ADDRESS_NOT_ALLOWED, addressClass: kind });
        return callback(refused, '', 0);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** How lastError names each class of address a callback's name may not reach. */
const ADDRESS_CLASS_WORDS: Record<CallbackAddressClass, string> = { LINK_LOCAL: 'link-local', METADATA: 'cloud metadata', UNSPECIFIED: 'unspecified' };

/**
 * Why a push was not sent to where its callback's name resolved: the class of the address only, not
 * the address (the subscription's administrators see `lastError`; the name is their callback's).
 * Retried on the schedule as any failed attempt: a name's answers change (that is how it got there),
 * and every attempt is checked again as it connects, so a retry reaches no refused address.
 */
export function addressNotAllowed(kind: CallbackAddressClass): string {
  return `${CALLBACK_ADDRESS_NOT_ALLOWED} (${kind}): not sent, no connection made; the callback's host name resolved to a ${ADDRESS_CLASS_WORDS[kind]} address, which a name may not reach unless AIDHUB_CALLBACK_HOSTS lists that address itself`;
}

/** The alert a push tells of, as it is now. */
interface AlertNow {
  regionCode: string;
  decideBy: string;
  subjectIdNumber: string;
}

/** Why a push to an office its alert has moved away from was not sent. */
export const SUPERSEDED = 'superseded: the alert moved to another division before this push was sent; no longer this office’s to act on (ALERT_MOVED_AWAY)';

/** A stored push body, or null when it is not one (a synthetic test row). */
function bodyOf(r: ClaimedDelivery): AlertDeliveryBody | null {
  try {
    return JSON.parse(r.payload) as AlertDeliveryBody;
  } catch {
    return null;
  }
}

/**
 * A round's rows in the order its slots send them: each subscription's in their own order (as
 * claimed, by id, so the pushes of one alert to one subscription keep theirs), the subscriptions
 * taking turns. In id order a round sent one subscriber's pushes first, all of them: behind a
 * receiver that hangs (each POST up to AIDHUB_DELIVERY_TIMEOUT_MS), another township's push claimed
 * in the same round waited for 200 ÷ 16 timeouts, two minutes at the defaults (tried: 4 minutes,
 * both replicas' rounds behind one township's hanging receiver).
 */
export function inTurns<T extends { subscriptionId: number }>(rows: readonly T[]): T[] {
  const queues = new Map<number, T[]>();
  for (const r of rows) {
    const queue = queues.get(r.subscriptionId);
    if (queue) queue.push(r);
    else queues.set(r.subscriptionId, [r]);
  }
  const turns: T[] = [];
  for (let i = 0; turns.length < rows.length; i++) for (const queue of queues.values()) if (i < queue.length) turns.push(queue[i]);
  return turns;
}

export class AlertDeliveryWorker {
  private readonly holder = newHolder();
  private round = 0;
  private stopped = true;
  /** Set by stop(): the round in flight begins no further POST (runOnce alone, as tests call it, is unaffected). */
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly hub: HubDb,
    /** The hub's audit trail: every push is appended to it before it is sent. */
    private readonly audit: Pick<AuditStore, 'append'>,
    private readonly config: AlertDeliveryConfig,
    private readonly logger: Logger,
    /** For tests: the random source of jitter. */
    private readonly random: () => number = Math.random,
    /** For tests: how callback host names are resolved (a resolver the test controls); dns.lookup otherwise. */
    private readonly resolve: LookupFunction = dns.lookup as LookupFunction,
  ) {
    const opts = { keepAlive: true, maxSockets: config.concurrency };
    this.agents = { http: new http.Agent(opts), https: new https.Agent(opts) };
  }

  /**
   * How long a round runs before it reads its rows not begun again, and then between two reads: a
   * quarter of a push's timeout, at least a second. Revoking a subscription reaches a round in
   * flight within this and the POSTs then running (fast rounds read nothing more).
   */
  get recheckMs(): number {
    return Math.max(1000, Math.floor(this.config.httpTimeoutMs / 4));
  }

  /** How long a round's claim holds: every POST of the batch at the timeout, plus a margin. */
  get leaseMs(): number {
    return this.config.httpTimeoutMs * (Math.ceil(this.config.batchSize / this.config.concurrency) + 1) + 5000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    this.loop = this.run();
  }

  /**
   * Stops after the round in flight: its POSTs already begun finish or time out, and the rows of
   * its claim not yet sent are given back at once, for any process to send now (a round sent its
   * whole batch first: up to 200 pushes, 16 at a time, each up to its timeout, before the hub exited).
   */
  async stop(): Promise<void> {
    await this.pause();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Stops as stop() does, keeping its connections' agents for a start() again (server/app.ts: a database a later release migrated, then restored). */
  async pause(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      let woken = 0;
      try {
        ({ claimed, woken } = await this.runOnce());
      } catch (err) {
        this.logger.warn({ err: loggableError(err) }, 'alert delivery round failed');
      }
      // A full batch, or pushes brought forward because their receiver is back: more are due, go on
      // at once; otherwise wait for the next poll.
      if (claimed < this.config.batchSize && woken === 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.config.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  /** One round: claim a batch, send it with bounded concurrency, settle every row. */
  async runOnce(): Promise<RoundResult> {
    const token = `${this.holder}:${++this.round}`;
    // A duration within this round: the monotonic clock, which a step of the wall clock (an NTP
    // correction) does not move. The claim itself runs out by the database's clock (claimDue).
    const claimedAt = performance.now();
    const claimed = await claimDue(this.hub, token, this.config.batchSize, this.leaseMs);
    const result: RoundResult = { claimed: claimed.length, delivered: 0, retried: 0, dead: 0, woken: 0 };
    if (claimed.length === 0) return result;
    // A push naming a division its alert has since moved out of is not sent: that office no longer
    // verifies it (it is told ALERT_MOVED_AWAY instead). Settled as a dead letter saying so, with
    // no notice to the administrators (nothing failed); replayed, it is found superseded again.
    const alerts = await this.alertsOf(claimed);
    const superseded = this.superseded(claimed, alerts);
    for (const row of claimed) if (superseded.has(row.id) && (await markDead(this.hub, token, row.id, null, SUPERSEDED))) result.dead++;
    // A subscriber's client that may no longer read alerts is told of none: its push is not sent.
    const barred = new Set<number>();
    for (const row of claimed) {
      if (superseded.has(row.id)) continue;
      const why = subscriberRefusal(row.clientId, row.subscriber);
      if (why === null) continue;
      barred.add(row.id);
      if (await this.barred(token, row, why)) result.dead++;
    }
    const rows = inTurns(await this.withCurrentDecideBy(token, claimed.filter((r) => !superseded.has(r.id) && !barred.has(r.id)), alerts));
    if (rows.length === 0) return result;
    // Past this instant a POST might still be running when the claim runs out: do not begin one.
    const lastStart = claimedAt + this.leaseMs - this.config.httpTimeoutMs - 2000;
    const statuses = new Map<number, number>();
    // Acknowledged pushes not recorded yet. Each is recorded before its slot begins another POST
    // (acknowledgedNow), those of concurrent slots in one statement: a process killed mid-round
    // sends again, once its claim runs out, only the pushes it had begun and not recorded. Recorded
    // at the round's end, a kill sent again every push of the claim the receiver had acknowledged
    // (143 of 150 in one try), up to a lease's time after the receiver had them.
    const acknowledged: ClaimedDelivery[] = [];
    let recording: Promise<void> = Promise.resolve();
    // An alert's move to DELIVERED that failed: the round fails with it at its end, as it did.
    let movesFailed: unknown = null;
    // Subscriptions whose receiver acknowledged a push this round: their pushes waiting for a retry
    // brought forward once (wakeBackedOff), with the first record of each.
    const answering = new Set<number>();
    const recordAcknowledged = async () => {
      const batch = acknowledged.splice(0);
      if (batch.length === 0) return;
      try {
        result.delivered += await markDelivered(this.hub, token, batch.map((r) => r.id), statuses);
      } catch (err) {
        // Kept for the next record, or the round's last (which fails the round if it fails too).
        acknowledged.push(...batch);
        throw err;
      }
      await this.alertsDelivered(batch).catch((err: unknown) => void (movesFailed ??= err));
      const back = [...new Set(batch.map((r) => r.subscriptionId))].filter((id) => !answering.has(id));
      for (const id of back) answering.add(id);
      // Only a shortcut: a failure leaves the pushes to their schedule, as before.
      result.woken += await wakeBackedOff(this.hub, back).catch((err: unknown) => {
        this.logger.warn({ err: loggableError(err), subscriptionIds: back }, 'alert pushes waiting for a retry not brought forward');
        return 0;
      });
    };
    const acknowledgedNow = async (row: ClaimedDelivery, status: number) => {
      acknowledged.push(row);
      statuses.set(row.id, status);
      recording = recording.catch(() => undefined).then(recordAcknowledged);
      await recording.catch(() => undefined);
    };
    let next = 0;
    // Rows of subscriptions revoked since the claim (revokeSubscription made them dead letters).
    const lost = new Set<number>();
    let checkedAt = claimedAt;
    const recheck = async (from: number) => {
      if (performance.now() - checkedAt < this.recheckMs) return;
      checkedAt = performance.now();
      for (const id of await claimsLost(this.hub, token, rows.slice(from).map((r) => r.id))) lost.add(id);
    };
    const slot = async () => {
      while (next < rows.length) {
        const row = rows[next++];
        await recheck(next - 1);
        // Settled already, by the revocation: nothing sent, nothing audited.
        if (lost.has(row.id)) continue;
        // Stopping (SIGTERM), or too late to finish within the claim: the row goes back unsent, due
        // at once for any process, rather than being sent (or held) while this one shuts down.
        if (this.stopping || performance.now() > lastStart) {
          await releaseClaim(this.hub, token, row.id);
          continue;
        }
        const outcome = await this.attempt(row, alerts, lastStart);
        if (outcome === 'RELEASED') {
          await releaseClaim(this.hub, token, row.id);
          continue;
        }
        if (outcome.error === undefined && outcome.status >= 200 && outcome.status < 300) {
          await acknowledgedNow(row, outcome.status);
        } else {
          const status = outcome.status ?? null;
          // A whole answer only: one cut short is no answer (answerCutShort), whatever its status.
          const gone = outcome.error === undefined && endsAttempts(outcome.status);
          const error = outcome.error ?? (gone ? RECEIVER_GONE : `HTTP ${outcome.status}`);
          if (await this.fail(token, row, status, error, gone, outcome.retryAfterMs ?? null)) result.dead++;
          else result.retried++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, rows.length) }, slot));
    await recording.catch(() => undefined);
    await recordAcknowledged();
    if (movesFailed !== null) throw movesFailed;
    return result;
  }

  /** The alerts of the claimed rows as they are now, by id (one read; synthetic or foreign ids have none). */
  private async alertsOf(rows: readonly ClaimedDelivery[]): Promise<Map<number, AlertNow>> {
    const ids = [...new Set(rows.filter((r) => HUB_ID.test(r.alertId)).map((r) => Number(r.alertId)))];
    return new Map((await alertsByIds(this.hub, ids)).map((a) => [a.id, { regionCode: a.regionCode, decideBy: a.decideBy, subjectIdNumber: a.subjectIdNumber }]));
  }

  /**
   * One attempt: refused before anything is disclosed (revoked subscription, host off the
   * allow-list), or its audit row appended and committed, then the POST. RELEASED: the append took
   * so long that a POST begun now might outlast the claim; the row goes back unsent (its audit row
   * then records an attempt not made, the safe side of the two).
   */
  private async attempt(row: ClaimedDelivery, alerts: ReadonlyMap<number, AlertNow>, lastStart: number /* performance.now() */): Promise<PostOutcome | 'RELEASED'> {
    // The allow-list is checked again at every attempt: a host removed from it gets nothing more.
    const refusal = row.subscriptionState === 'REVOKED' ? 'SUBSCRIPTION_REVOKED' : callbackRefusal(row.callbackUrl, this.config.callbackHosts);
    if (refusal) return { error: refusal };
    try {
      await this.recordPush(row, alerts.get(Number(row.alertId)));
    } catch (err) {
      // Nothing leaves unrecorded: the attempt failed, and is retried as any failed attempt.
      this.logger.warn({ err: loggableError(err), subscriptionId: row.subscriptionId, deliveryId: row.deliveryId }, 'alert push not sent: its audit row could not be written');
      return { error: AUDIT_UNAVAILABLE };
    }
    if (performance.now() > lastStart) return 'RELEASED';
    return this.post(row);
  }

  /**
   * Appends the push's audit row (durable when this resolves): the subscriber's client, purpose
   * MONITORING, channel PUSH, the alert's person as subject (a synthetic or foreign alert's push, with
   * no alert to name one, writes the subject-less row), the delivery id as request id (the
   * X-AidHub-Delivery-Id the receiver gets, and the outbox's), the event, subscription and attempt as
   * operation. Concurrent slots' appends are group-committed by the store.
   */
  private recordPush(row: ClaimedDelivery, alert: AlertNow | undefined): Promise<void> {
    return this.audit.append({
      requestId: row.deliveryId,
      // Never null here: a row without its client is barred before it is attempted (subscriberRefusal).
      caller: subscriberCaller(row.clientId, row.subscriber!),
      purpose: 'MONITORING',
      caseReference: null,
      // A push is the hub's own doing, for the subscriber's client: no officer asked for it.
      officer: null,
      channel: 'PUSH',
      operation: `${row.event} push, subscription ${row.subscriptionId}, attempt ${row.attempt}`,
      operationHash: null,
      subjects: alert ? [{ subject: { kind: 'PERSON', idNumber: alert.subjectIdNumber }, outcome: 'OK' }] : [],
      outcome: 'OK',
    });
  }

  /**
   * Settles a push whose subscriber's client may no longer read alerts: a dead letter saying why,
   * nothing sent and nothing appended to the audit chain; its administrators are told (once per
   * subscriber per day, as of any dead letter), since the subscription will receive nothing until
   * the client reads alerts again (then replay) or it is revoked. True when this call settled it.
   */
  private async barred(token: string, row: ClaimedDelivery, why: string): Promise<boolean> {
    if (!(await markDead(this.hub, token, row.id, null, readsNoAlerts(why)))) return false;
    const message = `alert delivery ${row.deliveryId} to subscription ${row.subscriptionId} was not sent: client ${row.clientId} may no longer read alerts (${why}); revoke the subscription, or give the client a role that reads alerts and replay it`;
    if (await noteDeadLetter(this.hub, row.clientId, row.subscriptionId, row.deliveryId, message)) {
      this.logger.warn({ subscriber: row.clientId, subscriptionId: row.subscriptionId, deliveryId: row.deliveryId, reason: why }, 'alert push not sent: the subscriber may no longer read alerts; administrators notified');
    }
    return true;
  }

  /** The claimed rows whose push names a division its alert is no longer in (the alert moved). */
  private superseded(rows: readonly ClaimedDelivery[], alerts: ReadonlyMap<number, AlertNow>): Set<number> {
    const moved = new Set<number>();
    for (const r of rows) {
      const now = alerts.get(Number(r.alertId));
      if (!now) continue;
      const body = bodyOf(r);
      if (body && body.event !== 'ALERT_MOVED_AWAY' && typeof body.alert?.region === 'string' && body.alert.region !== now.regionCode) moved.add(r.id);
    }
    return moved;
  }

  /**
   * The rows with the body to send: each carries its alert's decision day as it is now, not as it
   * was when queued (a push queued before decideBy existed has none; one queued before the hub
   * counted a backfilled alert's day names 0008's default), and a push queued before `occurredAt`
   * and `sequence` existed gets them from its row (its queuing time and id: pushedPayload). The
   * signature is made over the body sent at each attempt, and the delivery id is the row's, so
   * receivers check and deduplicate as before; a changed body is stored first, so the outbox holds
   * what was last sent (and a retry or replay sends the same order again).
   */
  private async withCurrentDecideBy(token: string, rows: readonly ClaimedDelivery[], alerts: ReadonlyMap<number, { decideBy: string }>): Promise<ClaimedDelivery[]> {
    const changed = new Map<number, string>();
    const sent = rows.map((r) => {
      const payload = pushedPayload(r.payload, { occurredAt: r.queuedAt, sequence: r.id }, alerts.get(Number(r.alertId))?.decideBy);
      if (payload === r.payload) return r;
      changed.set(r.id, payload);
      return { ...r, payload };
    });
    await storeSentPayloads(this.hub, token, changed);
    return sent;
  }

  /**
   * NEW → DELIVERED for the alerts of acknowledged pushes. The receiver answered 2xx, so the push
   * reached the office's system even if this round's claim ran out meanwhile. Outbox rows of
   * synthetic or foreign alerts (an id that is not a number) have no alert to move.
   */
  private async alertsDelivered(acknowledged: readonly ClaimedDelivery[]): Promise<void> {
    // Every push of the alert as the division's (not ALERT_MOVED_AWAY): the store moves the alert by
    // the first whose subscriber is its verifier, naming it as why (markAlertsDelivered).
    const pushes = new Map<number, AcknowledgedPush[]>();
    for (const r of acknowledged) {
      if (!HUB_ID.test(r.alertId)) continue;
      const body = bodyOf(r);
      if (!body || body.event === 'ALERT_MOVED_AWAY' || typeof body.alert?.region !== 'string') continue;
      const of = pushes.get(Number(r.alertId)) ?? [];
      of.push({ reason: `push ${r.deliveryId} acknowledged by subscription ${r.subscriptionId}`, regionCode: body.alert.region, subscriber: r.subscriber ? alertCallerOf(r.subscriber) : null });
      pushes.set(Number(r.alertId), of);
    }
    await markAlertsDelivered(this.hub, pushes, new Date());
  }


  /**
   * Settles a failed attempt (`gone`: answered 410 Gone, no attempt follows; `retryAfter`: the
   * receiver's `Retry-After` on a 429 or 503, in ms); true when it made the row a dead letter.
   */
  private async fail(token: string, row: ClaimedDelivery, status: number | null, error: string, gone = false, retryAfter: number | null = null): Promise<boolean> {
    const next = row.subscriptionState === 'REVOKED' || gone ? ({ dead: true } as const) : afterFailure(row.attempt, this.config.retryScheduleMs, this.config.retryJitter, this.random);
    if (!next.dead) {
      await markRetry(this.hub, token, row.id, delayHonouringRetryAfter(next.delayMs, retryAfter, this.config.retryScheduleMs), status, error);
      return false;
    }
    if (!(await markDead(this.hub, token, row.id, status, error))) return false;
    const message = gone
      ? `alert delivery ${row.deliveryId} to subscription ${row.subscriptionId} is a dead letter: gone (the receiver answered 410 Gone at attempt ${row.attempt}, so it is not tried again); revoke the subscription, or replay it once the receiver is back with \`npm run subscriptions -- replay\` or alertDeliveryReplay`
      : `alert delivery ${row.deliveryId} to subscription ${row.subscriptionId} is a dead letter after ${row.attempt} attempts (${error}); replay it with \`npm run subscriptions -- replay\` or alertDeliveryReplay`;
    if (await noteDeadLetter(this.hub, row.clientId, row.subscriptionId, row.deliveryId, message)) {
      // Once per subscriber per day: the administrators' notice (also readable as alertDeliveryNotices).
      this.logger.warn({ subscriber: row.clientId, subscriptionId: row.subscriptionId, deliveryId: row.deliveryId, attempts: row.attempt, error }, 'alert delivery dead letter: administrators notified');
    }
    return true;
  }

  /**
   * One signed POST; never throws. Sent on a pooled keep-alive connection that the receiver had
   * closed as the push went out (a server whose idle timeout is shorter than the pool supposes:
   * Node's default is 5 s), it fails with ECONNRESET (`socket hang up`) or EPIPE before any byte of an
   * answer; it is then sent again at once, once, on a new connection (no pool), as part of the same
   * attempt: same delivery id, attempt, timestamp and signature, so its audit row stands for both, and
   * a receiver that did read the first dedupes by the delivery id (receivers must tolerate a repeat).
   * Both share the one timeout, so the claim's lease still outlasts the round. Any other error, or
   * one after an answer began, fails the attempt as before: an answer counts once its body has ended
   * (or once more of it than MAX_RESPONSE_BYTES was read, and dropped here), and one whose
   * connection closed before that is no acknowledgement, whatever its status (answerCutShort). It
   * had counted as its status, so a receiver that crashed after writing `200` was never sent the
   * push again, and its alert was DELIVERED.
   */
  private post(row: ClaimedDelivery): Promise<PostOutcome> {
    const url = new URL(row.callbackUrl);
    const timestamp = Math.floor(Date.now() / 1000);
    const body = Buffer.from(row.payload, 'utf8');
    const transport = url.protocol === 'https:' ? https : http;
    // Every new connection resolves the name here and checks what it is about to connect to; a
    // pooled one was checked when it was made, to the address it is still connected to.
    const lookup = checkedLookup(this.resolve, row.callbackUrl, this.config.callbackHosts);
    // AIDHUB_CALLBACK_CA_FILE's CAs with Node's roots, on a pooled connection as on a new one (the
    // agent keys its sockets by them).
    const tlsTrust = url.protocol === 'https:' && this.config.callbackCa ? { ca: this.config.callbackCa } : {};
    const headers = {
      'content-type': 'application/json',
      'content-length': body.length,
      'user-agent': 'AidHub-Delivery/1',
      [DELIVERY_ID_HEADER]: row.deliveryId,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signDelivery(row.secret, timestamp, row.payload),
      [ATTEMPT_HEADER]: String(row.attempt),
    };
    return new Promise<PostOutcome>((resolve) => {
      let settled = false;
      let req: http.ClientRequest;
      const done = (o: PostOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(o);
      };
      const send = (pooled: boolean) => {
        let answering = false;
        req = transport.request(url, { method: 'POST', agent: pooled ? (url.protocol === 'https:' ? this.agents.https : this.agents.http) : false, headers, lookup, ...tlsTrust }, (res) => {
          answering = true;
          let read = 0;
          // Set when this side stops reading a long answer: its status stands, as the whole body's would.
          let dropped = false;
          const status = res.statusCode ?? 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) {
              dropped = true;
              res.destroy();
            }
          });
          // A receiver's "not before" on a 429 or 503 (RETRY_AFTER_STATUSES); ignored on any other status.
          const retryAfterMs = RETRY_AFTER_STATUSES.includes(status) ? retryAfterOf(res.headers['retry-after'], new Date()) : null;
          const closed = () => done(res.complete || dropped ? { status, retryAfterMs } : { error: answerCutShort(status), status });
          res.on('end', () => done({ status, retryAfterMs }));
          res.on('close', closed);
          res.on('error', closed);
        });
        const sent = req;
        sent.on('error', (err: NodeJS.ErrnoException) => {
          if (pooled && !settled && !answering && sent.reusedSocket && STALE_CONNECTION.has(err.code ?? '')) {
            this.logger.debug({ deliveryId: row.deliveryId, code: err.code }, 'alert push: a reused connection was closed by the receiver; sent again on a new one');
            send(false);
            return;
          }
          if (err.code === CALLBACK_ADDRESS_NOT_ALLOWED) {
            // The operator's to know (a listed name answering with such an address is misconfigured
            // or attacked): which subscription and host, the class of address; no body, no person.
            this.logger.warn({ subscriptionId: row.subscriptionId, deliveryId: row.deliveryId, callbackHost: url.hostname, addressClass: (err as { addressClass?: string }).addressClass }, 'alert push not sent: its callback host name resolved to an address a name may not reach');
            done({ error: err.message });
            return;
          }
          done({ error: err.code ?? err.message.slice(0, 100) });
        });
        sent.end(body);
      };
      // Redirects are not followed (a 3xx is a failed attempt): the allow-list names where pushes go.
      const timer = setTimeout(() => {
        req.destroy(new Error('TIMEOUT'));
        done({ error: 'TIMEOUT' });
      }, this.config.httpTimeoutMs);
      send(true);
    });
  }
}
