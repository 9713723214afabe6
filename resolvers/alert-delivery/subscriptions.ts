/**
 * The one place a subscription is created, revoked or its dead letters listed or replayed: checks
 * shared by the GraphQL API (resolvers/alert-delivery/resolvers.ts) and `npm run subscriptions`. The callback's host must be on the allow-list, the subscriber must be
 * an API client that exists, neither revoked nor expired (by the database's clock, as the worker
 * judges each push: a subscription for it would never deliver a word), and the regions must lie within that client's own region scope
 * (a push names a masked subject only, but the details it points to are read with the client's
 * own token: a push outside its scope would be a clue it could not follow), and the client must be one
 * that reads alerts (Query.alerts, purpose MONITORING): a push tells of a person's alert (masked ID
 * number, village, trigger such as a hospital stay's cost), which a charity's client, an auditor's or
 * a slip-answering office's may not read. Every trigger named must
 * be one of the trigger set in force (rules/triggers-load.ts): a subscription naming a trigger that
 * does not exist (a typo) would match no alert and stay silent for ever.
 */
import { checkCall, type Caller } from '../../access/decide';
import { isRole, ROOT_RULES } from '../../access/policy';
import type { HubQuery } from '../../db/cases/records';
import type { HubDb } from '../../db/connect';
import { lockingTransaction, type LockingTx } from '../../db/locking';
import { divisionsHeld, UNKNOWN_DIVISION_MESSAGE } from '../../db/household/region-pages';
import { activeSubscriptionsOf, deadLetters, deliveriesByIds, insertSubscription, replayDeadLetters, revokeSubscription, subscriberClient, subscriptionById, subscriptionsByIds, type DeliveryRecord, type SubscriptionRecord } from '../../db/alert-delivery/store';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { lockSubscribers, openAlertDeliveries } from '../../db/alert-delivery/outbox';
import { openAlertsUnder } from '../../db/monitoring/store';
import { ALERT_OWNER } from '../../domain/monitoring/alerts';
import { envelopeOf } from '../monitoring/detect';
import { triggerMayConcern } from '../../domain/monitoring/evaluate';
import { callbackRefusal, isDeliveryId, newSubscriptionSecret } from '../../domain/monitoring/delivery';
import { ALERT_GRADES, type AlertGrade } from '../../domain/monitoring/envelope';
import { regionCovers, regionsReached } from '../../domain/monitoring/subscriptions';
import { TRIGGER_ID_SHAPE, TRIGGER_ID_SHAPE_MESSAGE, unknownTriggersMessage } from '../../domain/monitoring/triggers';
import { activeTriggerSet } from '../../rules/triggers-load';
import { longerThan } from '../../domain/text-length';

/** Longest callback URL a subscription keeps: its column's width, in characters. */
const CALLBACK_URL_MAX = 500;
/** Widths of the columns that keep the regions and the trigger ids, comma-separated (db/alert-delivery/schema.ts). */
const REGION_CODES_MAX = 1000;
const TRIGGER_IDS_MAX = 1000;
/** Longest name of who made a subscription (the CLI's --by; an API caller's client name is shorter). */
export const CREATED_BY_MAX = 128;

export type SubscriptionError = 'CALLBACK_URL_INVALID' | 'CALLBACK_HOST_NOT_ALLOWED' | 'CLIENT_NOT_FOUND' | 'CLIENT_REVOKED' | 'CLIENT_EXPIRED' | 'CLIENT_READS_NO_ALERTS' | 'REGION_INVALID' | 'REGION_OUTSIDE_CLIENT_SCOPE' | 'REGION_UNKNOWN' | 'GRADE_INVALID' | 'TRIGGER_INVALID' | 'TRIGGER_NOT_FOUND' | 'TRIGGER_NOT_READABLE' | 'SUBSCRIPTION_EXISTS' | 'TOO_MANY_OPEN_ALERTS';

/**
 * Most alerts open at creation a subscription made with `deliverOpen` is pushed: more is refused
 * (TOO_MANY_OPEN_ALERTS), nothing created. Its pushes are written in the create's transaction (a
 * subscription never exists without them); 10,000 are 20 multi-row INSERTs of some 4 MB, past which
 * one create would hold its client's lock and the outbox's inserts too long. A receiver that needs
 * more is subscribed by narrower regions or grades, each with its own create.
 */
export const DELIVER_OPEN_MAX = 10_000;

export interface SubscriptionInput {
  clientName: string;
  callbackUrl: string;
  regionCodes: string[];
  grades: string[];
  triggerIds: string[];
  createdBy: string;
  /** Push it, at once, every alert open now that it would be pushed if raised now (default: none; only alerts raised from now on). */
  deliverOpen?: boolean;
}

/** `openAlertsQueued`: the pushes of alerts open at creation written with it (0 without deliverOpen). */
export type SubscriptionCreated = { ok: true; subscription: SubscriptionRecord; secret: string; openAlertsQueued: number } | { ok: false; code: SubscriptionError; field: string; message: string };

/**
 * `deliverOpenMax`: DELIVER_OPEN_MAX but in tests of the bound. `made`: written in the create's
 * transaction once the subscription is (the CLI's audit entry: tools/subscriptions.ts), so neither
 * is kept without the other.
 */
export async function createSubscription(db: HubDb, callbackHosts: readonly string[], input: SubscriptionInput, deliverOpenMax = DELIVER_OPEN_MAX, made?: (tx: LockingTx, subscription: SubscriptionRecord) => Promise<void>): Promise<SubscriptionCreated> {
  if (longerThan(input.callbackUrl, CALLBACK_URL_MAX)) return { ok: false, code: 'CALLBACK_URL_INVALID', field: 'callbackUrl', message: `the callback URL is longer than ${CALLBACK_URL_MAX} characters` };
  const refusal = callbackRefusal(input.callbackUrl, callbackHosts);
  if (refusal === 'CALLBACK_URL_INVALID') return { ok: false, code: refusal, field: 'callbackUrl', message: 'the callback must be an http(s) URL without credentials or fragment' };
  if (refusal) return { ok: false, code: refusal, field: 'callbackUrl', message: 'the callback host is not on the allow-list (AIDHUB_CALLBACK_HOSTS)' };
  // The client's row is read once, locked: repeats of one create sent at once take turns, so the
  // second finds the first's subscription (below).
  return lockingTransaction(db, async (tx): Promise<SubscriptionCreated> => {
    const client = await subscriberClient(tx, input.clientName);
    if (!client) return { ok: false, code: 'CLIENT_NOT_FOUND', field: 'client', message: 'no API client has this name' };
    // Refused as the worker would refuse each push (subscriberRefusal): made, it would never deliver a word.
    if (client.revoked) return { ok: false, code: 'CLIENT_REVOKED', field: 'client', message: 'this client is revoked: it reads no alert and would be pushed none' };
    if (client.expired) return { ok: false, code: 'CLIENT_EXPIRED', field: 'client', message: 'this client has expired (by the hub database’s clock): it reads no alert and would be pushed none; rotate it with a later expiry first' };
    if (!readsAlerts(input.clientName, client)) return { ok: false, code: 'CLIENT_READS_NO_ALERTS', field: 'client', message: 'this client may not read alerts (Query.alerts, purpose MONITORING): a push would tell it of people it may not read' };
    const regions = [...new Set(input.regionCodes)];
    if (regions.length === 0 || regions.some((r) => !isDivisionCode(r))) return { ok: false, code: 'REGION_INVALID', field: 'regionCodes', message: 'one or more division codes of 6, 9 or 12 digits' };
    // Too many to keep was a failed INSERT (INTERNAL_SERVER_ERROR), after every other check passed.
    if (regions.join(',').length > REGION_CODES_MAX) return { ok: false, code: 'REGION_INVALID', field: 'regionCodes', message: `the regions take more than ${REGION_CODES_MAX} characters comma-separated (about ${Math.floor(REGION_CODES_MAX / 13)} village codes): subscribe to the township or county that holds them` };
    if (regions.some((r) => !regionCovers(client.regionScope, r))) return { ok: false, code: 'REGION_OUTSIDE_CLIENT_SCOPE', field: 'regionCodes', message: 'every region must lie within the client’s own region scope' };
    // A well-formed code the hub holds nothing of (a typo such as 370811999) would match no alert:
    // the receiver would never hear a word. Known as every region filter knows a division (divisionHeld).
    const unheld = await unknownDivisions(tx, regions);
    if (unheld.length > 0) return { ok: false, code: 'REGION_UNKNOWN', field: 'regionCodes', message: `${UNKNOWN_DIVISION_MESSAGE}: ${unheld.join(', ')}` };
    const grades = [...new Set(input.grades)];
    if (grades.some((g) => !(ALERT_GRADES as readonly string[]).includes(g))) return { ok: false, code: 'GRADE_INVALID', field: 'grades', message: `grades are ${ALERT_GRADES.join(', ')}` };
    const triggerIds = [...new Set(input.triggerIds)];
    if (triggerIds.some((t) => !TRIGGER_ID_SHAPE.test(t))) return { ok: false, code: 'TRIGGER_INVALID', field: 'triggerIds', message: TRIGGER_ID_SHAPE_MESSAGE };
    if (triggerIds.join(',').length > TRIGGER_IDS_MAX) return { ok: false, code: 'TRIGGER_INVALID', field: 'triggerIds', message: `the trigger ids take more than ${TRIGGER_IDS_MAX} characters comma-separated: name none to receive every trigger` };
    // An empty list means every trigger (domain/monitoring/subscriptions.ts), so it names none to check.
    const unknown = unknownTriggersMessage(activeTriggerSet(), triggerIds);
    if (unknown !== null) return { ok: false, code: 'TRIGGER_NOT_FOUND', field: 'triggerIds', message: unknown };
    // A trigger none of whose alerts the client reads would be pushed nothing (the outbox's pushedTo
    // asks alertConcerns of each alert; triggerMayConcern asks it of every alert the trigger raises).
    const unread = triggersNeverRead(client.department, triggerIds);
    if (unread.length > 0) return { ok: false, code: 'TRIGGER_NOT_READABLE', field: 'triggerIds', message: `a client of ${client.department} reads no alert of ${unread.join(', ')} (neither its verifier nor raised from its records): it would never be pushed one` };
    // A repeat of an active subscription (a create retried after its answer was lost) would push
    // every alert twice, one copy signed with a secret the receiver never saw: it is refused, naming
    // the one that exists.
    const wanted = { callbackUrl: input.callbackUrl, regionCodes: regions, grades, triggerIds };
    const same = (await activeSubscriptionsOf(tx, input.clientName)).find((s) => sameSubscription(s, wanted));
    if (same) return { ok: false, code: 'SUBSCRIPTION_EXISTS', field: 'callbackUrl', message: `subscription ${same.id} already pushes these alerts to this callback; revoke it first to make it anew with a new secret` };
    // The alerts open now, read before anything is written: too many is refused with nothing made.
    // The create is not retried into a second subscription (SUBSCRIPTION_EXISTS above), so its
    // pushes are never written twice. Read under the subscription lock (lockSubscribers): an alert
    // whose transaction read the subscriptions before this one commits is committed before this
    // read, and one that is not reads this subscription, so every alert open in its scope is queued
    // to it once, by this create or by the alert's own transaction.
    const filter = { regionCodes: regions, grades: grades as AlertGrade[], triggerIds, department: client.department };
    const open = input.deliverOpen ? await openAlertsOf(tx, filter, deliverOpenMax + 1) : [];
    if (open.length > deliverOpenMax) return { ok: false, code: 'TOO_MANY_OPEN_ALERTS', field: 'deliverOpen', message: `more than ${deliverOpenMax} alerts are open under these regions, grades and triggers: subscribe by narrower regions or grades, or without deliverOpen` };
    const secret = newSubscriptionSecret();
    const subscription = await insertSubscription(tx, { clientId: input.clientName, callbackUrl: input.callbackUrl, regionCodes: regions, grades: grades as AlertGrade[], triggerIds, secret, createdBy: input.createdBy });
    // Made just now: no push has taken a sequence of it yet.
    const openAlertsQueued = await openAlertDeliveries(tx, { ...filter, id: subscription.id, regionScope: client.regionScope, lastSequence: 0 }, open.map((alert) => envelopeOf({ event: 'ALERT_OPENED', alert })));
    await made?.(tx, subscription);
    return { ok: true, subscription, secret, openAlertsQueued };
  });
}

/**
 * The open alerts under a subscription's regions, of its grades and triggers, and (for a client of
 * another department than civil affairs) only those that may concern it: at most `limit`, in one
 * statement, read under the subscription lock (lockSubscribers; the create above says why), which it
 * takes first. Each is then judged by the outbox's own rule (pushedTo), as an alert raised now would be.
 */
async function openAlertsOf(tx: LockingTx, f: { regionCodes: readonly string[]; grades: readonly AlertGrade[]; triggerIds: readonly string[]; department: string }, limit: number) {
  await lockSubscribers(tx);
  return openAlertsUnder(tx, { regionPrefixes: regionsReached(f.regionCodes).map(divisionPrefix), grades: f.grades, triggerIds: f.triggerIds, concerning: f.department === ALERT_OWNER ? undefined : f.department, limit });
}

/** The triggers named, in order, of the set in force none of whose alerts a client of `department` reads (triggerMayConcern). */
export function triggersNeverRead(department: string, triggerIds: readonly string[]): string[] {
  const triggers = activeTriggerSet().triggers;
  return triggerIds.filter((id) => {
    const trigger = triggers.find((t) => t.id === id);
    return trigger !== undefined && !triggerMayConcern(department, trigger);
  });
}

/** The regions, in order, that the hub holds nothing of: two statements however many (divisionsHeld), inside the create's locking transaction. */
async function unknownDivisions(tx: HubQuery, regions: readonly string[]): Promise<string[]> {
  const held = await divisionsHeld(tx, regions);
  return regions.filter((r) => !held.has(r));
}

/** The client as a caller: who a push's audit row names, and whose rules decide whether it reads alerts. */
export function subscriberCaller(name: string, client: { id: number; department: string; regionScope: string; roles: string }): Caller {
  return { clientId: client.id, name, department: client.department as Caller['department'], regionScope: client.regionScope, roles: client.roles.split(',').filter(isRole) };
}

/** Whether the client may read the alerts a push tells of, as its own token would (access/policy.ts Query.alerts). */
function readsAlerts(name: string, client: { id: number; department: string; regionScope: string; roles: string }): boolean {
  return checkCall(ROOT_RULES.Query.alerts, 'Query.alerts', subscriberCaller(name, client), 'MONITORING') === null;
}

/**
 * Why a push may not go to this subscriber now, or null when it may: checked at every attempt, as
 * at creation (readsAlerts), since a subscription made before that check existed, or a client whose
 * roles or department changed since, or one revoked or expired after the push was queued, would
 * otherwise go on being told of people it may not read. `expired`: by the database's clock, which
 * the claim read it with (db/alert-delivery/store.ts claimDue), not this process's.
 */
export function subscriberRefusal(name: string, client: { id: number; department: string; regionScope: string; roles: string; revokedAt: string | null; expired: boolean } | null): string | null {
  if (!client) return 'CLIENT_NOT_FOUND';
  if (client.revokedAt !== null) return 'CLIENT_REVOKED';
  if (client.expired) return 'CLIENT_EXPIRED';
  return checkCall(ROOT_RULES.Query.alerts, 'Query.alerts', subscriberCaller(name, client), 'MONITORING')?.reason ?? null;
}

type SubscriptionShape = Pick<SubscriptionRecord, 'callbackUrl' | 'regionCodes' | 'triggerIds'> & { grades: readonly string[] };

/**
 * The same callback, regions, grades and triggers, in whatever order (each list is a set); regions
 * as far as they reach, so a village listed beside its township adds nothing (it was a second
 * subscription pushing every alert of the township twice). The callback as the URL the worker posts
 * to (WHATWG serialisation: scheme and host in lower case, a default port and `.`/`..` segments
 * left out), and every grade named as none named (no grade means every grade): written otherwise,
 * each was a second subscription pushing every alert twice.
 */
function sameSubscription(a: SubscriptionShape, b: SubscriptionShape): boolean {
  const sameSet = (x: readonly string[], y: readonly string[]) => x.length === y.length && [...x].sort().join(',') === [...y].sort().join(',');
  return sameCallback(a.callbackUrl, b.callbackUrl) && sameSet(regionsReached(a.regionCodes), regionsReached(b.regionCodes)) && sameSet(gradesFiltered(a.grades), gradesFiltered(b.grades)) && sameSet(a.triggerIds, b.triggerIds);
}

/**
 * Both are URLs callbackRefusal took; one that no longer parses is compared as written. An empty
 * fragment (`…/in#`, which callbackRefusal lets through: its hash reads '') is no part of what is
 * posted, so it is left out as well; so is an empty query (`…/in?`): the worker posts to the path
 * and `search` (node:http's request line), which is '' for it, so `…/in?` reached the receiver as
 * `…/in`, a second subscription pushing every alert twice.
 */
function sameCallback(a: string, b: string): boolean {
  const href = (url: string) => {
    if (!URL.canParse(url)) return url;
    const u = new URL(url);
    u.hash = '';
    // Setting '' drops a bare '?' (the query becomes null); a query with content is kept as written.
    if (u.search === '') u.search = '';
    return u.href;
  };
  return href(a) === href(b);
}

/** The grades a subscription filters by: none when it names every grade (subscriptionMatches pushes every grade for an empty list). */
function gradesFiltered(grades: readonly string[]): readonly string[] {
  return ALERT_GRADES.every((g) => grades.includes(g)) ? [] : grades;
}

// ----- Managing what exists: revoke and replay --------------------------------------------------

/**
 * Whether every region of a subscription lies under a scope prefix (an administrator's region
 * scope, as divisionPrefix gives it; '' for the CLI, which manages every subscription). A
 * subscription reaching outside the caller's scope is not the caller's to see or manage.
 */
export function subscriptionInReach(scopePrefix: string, sub: Pick<SubscriptionRecord, 'regionCodes'>): boolean {
  return sub.regionCodes.every((r) => r.startsWith(scopePrefix));
}

export type ManageError = 'SUBSCRIPTION_NOT_FOUND' | 'SUBSCRIPTION_REVOKED' | 'DELIVERY_NOT_FOUND' | 'REPLAY_TARGET_INVALID';
export type ManageRefusal = { ok: false; code: ManageError; field: string; message: string };

const notFound = (field: string): ManageRefusal => ({ ok: false, code: 'SUBSCRIPTION_NOT_FOUND', field, message: 'no subscription with this id within reach' });

/**
 * Revokes a subscription within reach; revoking it again changes nothing and returns it as it is.
 * `revoked`: written in the revocation's transaction (the CLI's audit entry), not when nothing changed.
 */
export async function revokeSubscriptionWithin(db: HubDb, scopePrefix: string, id: number, revoked?: (tx: LockingTx, subscription: SubscriptionRecord) => Promise<void>): Promise<{ ok: true; subscription: SubscriptionRecord } | ManageRefusal> {
  const sub = await subscriptionById(db, id);
  if (!sub || !subscriptionInReach(scopePrefix, sub)) return notFound('subscriptionId');
  if (sub.state === 'REVOKED') return { ok: true, subscription: sub };
  return { ok: true, subscription: (await revokeSubscription(db, id, revoked && ((tx) => revoked(tx, sub))))! };
}

/**
 * Dead letters, newest first: of one subscription, which must be within reach (else
 * SUBSCRIPTION_NOT_FOUND, as revoke and replay answer, whether it does not exist or is another
 * scope's), or of every subscription within reach. An empty list thus means no dead letters, never
 * a mistyped id.
 */
export async function deadLettersWithin(db: HubQuery, scopePrefix: string, page: { subscriptionId?: number; first: number; before?: number }): Promise<{ ok: true; rows: DeliveryRecord[] } | ManageRefusal> {
  if (page.subscriptionId !== undefined) {
    const sub = await subscriptionById(db, page.subscriptionId);
    if (!sub || !subscriptionInReach(scopePrefix, sub)) return notFound('subscriptionId');
  }
  return { ok: true, rows: await deadLetters(db, { ...page, scopePrefix }) };
}

export type ReplayTarget = { subscriptionId: number } | { deliveryIds: string[] };

/**
 * The position of the first delivery id that is not a UUID, or -1. A malformed id is bad input,
 * refused before replayDeliveries by each caller in its own way (BAD_USER_INPUT naming the field;
 * the CLI's usage error), as a malformed subscription id is: DELIVERY_NOT_FOUND is for a well-formed
 * id that names no delivery within reach.
 */
export function malformedDeliveryId(deliveryIds: readonly string[]): number {
  return deliveryIds.findIndex((id) => !isDeliveryId(id));
}

/**
 * Puts dead letters back in the queue under their own delivery ids: every dead letter of one
 * subscription, or the deliveries named. Idempotent: a named delivery that is not a dead letter
 * (pending again after an earlier replay, or delivered) is left as it is and returned as
 * unchanged. Refused as a whole (nothing replayed) when a subscription or delivery is not within
 * reach, or a named dead letter's subscription is revoked. `replayed`: written in the transaction
 * that requeues them (the CLI's audit entry), not when none was.
 */
export async function replayDeliveries(db: HubDb, scopePrefix: string, which: ReplayTarget, replayed?: (tx: LockingTx, requeued: DeliveryRecord[]) => Promise<void>): Promise<{ ok: true; replayed: DeliveryRecord[]; unchanged: DeliveryRecord[] } | ManageRefusal> {
  const byId = (rows: DeliveryRecord[]) => [...rows].sort((a, b) => a.id - b.id);
  if ('subscriptionId' in which) {
    const sub = await subscriptionById(db, which.subscriptionId);
    if (!sub || !subscriptionInReach(scopePrefix, sub)) return notFound('subscriptionId');
    if (sub.state === 'REVOKED') return { ok: false, code: 'SUBSCRIPTION_REVOKED', field: 'subscriptionId', message: 'the subscription is revoked: its dead letters are not sent again' };
    return { ok: true, replayed: byId(await replayDeadLetters(db, which, replayed)), unchanged: [] };
  }
  // Delivery ids are UUIDs, written lower-case and case-insensitive on input (RFC 4122 §3): a
  // receiver that stored one upper-case names the same delivery.
  const asked = which.deliveryIds.map((id) => id.trim().toLowerCase());
  const wanted = [...new Set(asked)];
  if (wanted.length === 0) return { ok: false, code: 'REPLAY_TARGET_INVALID', field: 'deliveryIds', message: 'name at least one delivery id' };
  const found = new Map((await deliveriesByIds(db, wanted)).map((d) => [d.deliveryId, d]));
  const subs = new Map((await subscriptionsByIds(db, [...new Set([...found.values()].map((d) => d.subscriptionId))])).map((s) => [s.id, s]));
  for (const id of wanted) {
    const delivery = found.get(id);
    const sub = delivery ? subs.get(delivery.subscriptionId) : undefined;
    const field = `deliveryIds.${asked.indexOf(id)}`;
    if (!delivery || !sub || !subscriptionInReach(scopePrefix, sub)) return { ok: false, code: 'DELIVERY_NOT_FOUND', field, message: 'no delivery with this id within reach' };
    if (delivery.state === 'DEAD' && sub.state === 'REVOKED') return { ok: false, code: 'SUBSCRIPTION_REVOKED', field, message: 'its subscription is revoked: its dead letters are not sent again' };
  }
  // The replayed as this replay left them; the others as they are now (already pending or
  // delivered, or requeued a moment ago by a concurrent replay).
  const requeued = byId(await replayDeadLetters(db, { deliveryIds: wanted.filter((id) => found.get(id)!.state === 'DEAD') }, replayed));
  const moved = new Set(requeued.map((d) => d.deliveryId));
  const unchanged = byId(await deliveriesByIds(db, wanted.filter((id) => !moved.has(id))));
  return { ok: true, replayed: requeued, unchanged };
}
