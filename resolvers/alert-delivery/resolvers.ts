/**
 * schema/alert-delivery.graphql: alert subscriptions and dead letters for administrators. Thin: the
 * caller's scope and the arguments here; every check and write in subscriptions.ts, the same
 * functions `npm run subscriptions` calls; storage in db/alert-delivery/store.ts.
 *
 * Scope: a subscription is the caller's to see and manage when every region of it lies within the
 * caller's region scope; one outside reads as not found (the policy already refuses creating one
 * with a region outside it).
 */
import { shownCallbackUrl } from '../../domain/monitoring/delivery';
import { badInput, requireHubId } from '../../access/errors';
import { deliveryNotices, subscriptionPage } from '../../db/alert-delivery/store';
import { fromDbInstant } from '../../db/instants';
import { decodeIdCursor, encodeIdCursor } from '../../domain/cursor';
import { addDays } from '../../domain/dates';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import type { AlertDeliveryErrorCode, Resolvers } from '../__generated__/types';
import { pageOf, pageSize, positionAfter, present, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { createSubscription, deadLettersWithin, malformedDeliveryId, replayDeliveries, revokeSubscriptionWithin } from './subscriptions';

const SUBSCRIPTIONS = 'SB';
const DEAD_LETTERS = 'DL';

/** The caller's region scope as a division prefix (every client's scope is a division code). */
function scopePrefix(ctx: HubContext): string {
  const scope = ctx.access?.caller?.regionScope;
  if (!scope || !isDivisionCode(scope)) throw new Error('alert delivery reached without a caller scope (access enforcement runs first)');
  return divisionPrefix(scope);
}

function refusal(code: AlertDeliveryErrorCode, field: string, message: string) {
  return { code, message, field: ['input', ...field.split('.')] };
}

/** The callback allow-list of this process: AIDHUB_CALLBACK_HOSTS, as the delivery worker reads it. */
function callbackHosts(ctx: HubContext): readonly string[] {
  return ctx.config.callbackHosts ?? ctx.config.alertDelivery?.callbackHosts ?? [];
}

/** Delivery ids are UUIDs: one that is not is refused as bad input naming it, as a malformed subscription id is. */
function requireDeliveryIds(ids: readonly string[]): string[] {
  const at = malformedDeliveryId(ids);
  if (at >= 0) throw badInput(`input.deliveryIds[${at}]`, 'MALFORMED_ID', `input.deliveryIds[${at}] is not a delivery id (a UUID)`);
  return [...ids];
}

const instantOrNull = (v: string | null) => (v === null ? null : fromDbInstant(v));

export const alertDeliveryResolvers: Resolvers = {
  Query: {
    alertSubscriptions: async (_, args, ctx) => {
      const f = args.filter ?? {};
      const first = pageSize(args.first, 50, ctx.config.maxListSize);
      const after = positionAfter(args.after, (c) => decodeIdCursor(SUBSCRIPTIONS, c));
      const rows = await subscriptionPage(ctx.hub, { scopePrefix: scopePrefix(ctx), clientId: f.client ?? undefined, states: f.states ?? undefined, afterId: after, limit: first + 1 });
      for (const r of rows) ctx.loaders.alertDelivery.subscriptionById.prime(r.id, r);
      return pageOf({ rows: rows.slice(0, first), hasNextPage: rows.length > first }, (r) => encodeIdCursor(SUBSCRIPTIONS, r.id), (r) => r);
    },
    alertDeadLetters: async (_, args, ctx) => {
      const first = pageSize(args.first, 50, ctx.config.maxListSize);
      const before = positionAfter(args.after, (c) => decodeIdCursor(DEAD_LETTERS, c));
      const subscriptionId = args.subscriptionId == null ? undefined : requireHubId(args.subscriptionId, 'subscriptionId', 'subscription id');
      // A query has no userErrors: a subscription out of reach is refused as bad input with the code revoke and replay give it.
      const out = await deadLettersWithin(ctx.hub, scopePrefix(ctx), { subscriptionId, first: first + 1, before: before ?? undefined });
      if (!out.ok) throw badInput(out.field, out.code, out.message);
      const rows = out.rows;
      return pageOf({ rows: rows.slice(0, first), hasNextPage: rows.length > first }, (r) => encodeIdCursor(DEAD_LETTERS, r.id), (r) => r);
    },
    alertDeliveryNotices: async (_, args, ctx) => {
      const since = args.since ?? addDays(ctx.today, -7);
      return deliveryNotices(ctx.hub, since, pageSize(args.first, 50, ctx.config.maxListSize), scopePrefix(ctx));
    },
  },
  Mutation: {
    alertSubscriptionCreate: async (_, { input }, ctx) => {
      const made = await createSubscription(ctx.hub, callbackHosts(ctx), {
        clientName: input.client,
        callbackUrl: input.callbackUrl,
        regionCodes: [...input.regionCodes],
        grades: [...(input.grades ?? [])],
        triggerIds: [...(input.triggerIds ?? [])],
        createdBy: ctx.access!.caller!.name,
        deliverOpen: input.deliverOpen ?? false,
      });
      // Its refusals name the input's own fields (client, callbackUrl, regionCodes, grades, triggerIds, deliverOpen).
      if (!made.ok) return { subscription: null, secret: null, openAlertsQueued: null, userErrors: [refusal(made.code, made.field, made.message)] };
      return { subscription: made.subscription, secret: made.secret, openAlertsQueued: made.openAlertsQueued, userErrors: [] };
    },
    alertSubscriptionRevoke: async (_, { input }, ctx) => {
      const out = await revokeSubscriptionWithin(ctx.hub, scopePrefix(ctx), requireHubId(input.subscriptionId, 'input.subscriptionId', 'subscription id'));
      if (!out.ok) return { subscription: null, userErrors: [refusal(out.code, out.field, out.message)] };
      return { subscription: out.subscription, userErrors: [] };
    },
    alertDeliveryReplay: async (_, { input }, ctx) => {
      const bySubscription = input.subscriptionId != null;
      if (bySubscription === (input.deliveryIds != null)) {
        return { replayed: [], unchanged: [], userErrors: [refusal('REPLAY_TARGET_INVALID', bySubscription ? 'deliveryIds' : 'subscriptionId', 'give either subscriptionId or deliveryIds')] };
      }
      const which = bySubscription ? { subscriptionId: requireHubId(input.subscriptionId!, 'input.subscriptionId', 'subscription id') } : { deliveryIds: requireDeliveryIds(input.deliveryIds!) };
      const out = await replayDeliveries(ctx.hub, scopePrefix(ctx), which);
      if (!out.ok) return { replayed: [], unchanged: [], userErrors: [refusal(out.code, out.field, out.message)] };
      return { replayed: out.replayed, unchanged: out.unchanged, userErrors: [] };
    },
  },
  AlertSubscription: {
    id: (s) => String(s.id),
    client: (s) => s.clientId,
    callbackUrl: (s) => shownCallbackUrl(s.callbackUrl),
    regions: (s, _, ctx) => Promise.all(s.regionCodes.map(async (code) => (await ctx.loaders.hub.regionByCode.load(code)) ?? unknownRegion(code))),
    createdAt: (s) => fromDbInstant(s.createdAt),
    revokedAt: (s) => instantOrNull(s.revokedAt),
    deliveries: async (s, _, ctx) => {
      const c = await ctx.loaders.alertDelivery.countsBySubscription.load(s.id);
      return { pending: c.PENDING, delivered: c.DELIVERED, dead: c.DEAD };
    },
  },
  AlertDelivery: {
    subscription: (d, _, ctx) => present(ctx.loaders.alertDelivery.subscriptionById.load(d.subscriptionId), `subscription ${d.subscriptionId}`),
    createdAt: (d) => fromDbInstant(d.createdAt),
    nextAttemptAt: (d) => fromDbInstant(d.nextAttemptAt),
    deliveredAt: (d) => instantOrNull(d.deliveredAt),
    deadAt: (d) => instantOrNull(d.deadAt),
  },
  AlertDeliveryNotice: {
    client: (n) => n.clientId,
    subscription: (n, _, ctx) => present(ctx.loaders.alertDelivery.subscriptionById.load(n.subscriptionId), `subscription ${n.subscriptionId}`),
    createdAt: (n) => fromDbInstant(n.createdAt),
  },
};
