/**
 * Alert subscriptions (DCI subscribe/notify), for administrators:
 *
 *   npm run subscriptions -- create --client demo-township-guhuai --callback http://127.0.0.1:9300/alerts \
 *       --regions 370811001 [--grades RED,ORANGE] [--triggers T1_SETTLEMENT_OOP,T4_JOB_LOSS] [--deliver-open] [--by NAME]
 *   npm run subscriptions -- list [--client NAME]
 *   npm run subscriptions -- revoke ID [--by NAME]
 *   npm run subscriptions -- dead-letters [--subscription ID] [--first 50]
 *   npm run subscriptions -- replay (--subscription ID | DELIVERY_ID…) [--by NAME]
 *   npm run subscriptions -- notices [--since YYYY-MM-DD]
 *
 * The database is DATABASE_URL, or the private server `npm start` is running. The callback host
 * must be on AIDHUB_CALLBACK_HOSTS (for the demo's private server, 127.0.0.1 and localhost at any port unless
 * set), and each trigger named one of the trigger set this process's environment names
 * (AIDHUB_TRIGGERS_FILE over rules/triggers.json), as the hub's. The signing secret is printed once, at create. Create, revoke, dead-letters and replay are the functions
 * the GraphQL API calls (alertSubscriptionCreate, alertSubscriptionRevoke, alertDeadLetters, alertDeliveryReplay),
 * so both refuse alike; the CLI reaches every subscription, an administrator's API call only those
 * within its region scope.
 */
import { shownCallbackUrl } from '../domain/monitoring/delivery';
import { deliveryCounts, deliveryNotices, listSubscriptions, subscribersNow, subscriptionsByIds, type SubscriberNow, type SubscriptionRecord } from '../db/alert-delivery/store';
import { hubDrizzle, type HubDb } from '../db/connect';
import { callbackHostsFromEnv } from '../db/config';
import { runSubcommand, unknownCommand, UsageError, type Print, type Subcommand, type SubcommandSpec } from './command-args';
import { operatorArg } from './operator-arg';
import { addDays, isIsoDate, todayIso } from '../domain/dates';
import { HUB_ID } from '../domain/hub-id';
import { shownDbInstant as shown } from '../db/instants';
import { firstChars } from '../domain/text-length';
import { runAgainstHub } from './run-against-hub';
import { administeredClient, operatorAccount, recordAdministration } from '../access/admin-audit';
import { CREATED_BY_MAX, createSubscription, deadLettersWithin, malformedDeliveryId, replayDeliveries, revokeSubscriptionWithin, subscriberRefusal, triggersNeverRead } from '../resolvers/alert-delivery/subscriptions';

/** The CLI is run by whoever holds the hub database: every subscription is within its reach. */
const EVERY_REGION = '';

export const USAGE = `usage: npm run subscriptions -- <command>
  create --client CLIENT_NAME --callback URL --regions CODE[,CODE…] [--grades RED,ORANGE,YELLOW] [--triggers ID[,ID…]] [--deliver-open] [--by NAME]
  list [--client CLIENT_NAME]
  revoke SUBSCRIPTION_ID [--by NAME]
  dead-letters [--subscription SUBSCRIPTION_ID] [--first N]
  replay --subscription SUBSCRIPTION_ID | replay DELIVERY_ID [DELIVERY_ID…]   [--by NAME]
  notices [--since YYYY-MM-DD]`;

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/**
 * Why the worker sends this subscription's client nothing now (subscriberRefusal, judged at every
 * attempt), or '' when it may be pushed to: a subscription stays ACTIVE when its client is revoked,
 * expired or loses the right to read alerts, while each of its pushes ends a dead letter. Shown
 * beside a revoked subscription too, without the pushes it no longer has.
 */
function clientBarred(s: SubscriptionRecord, subscribers: ReadonlyMap<string, SubscriberNow>): string {
  const why = subscriberRefusal(s.clientId, subscribers.get(s.clientId) ?? null);
  if (why === null) return '';
  const said: Record<string, string> = { CLIENT_NOT_FOUND: 'client not found', CLIENT_REVOKED: 'client revoked', CLIENT_EXPIRED: 'client expired' };
  const state = said[why] ?? `client may not read alerts (${why})`;
  return s.state === 'ACTIVE' ? `${state}: its pushes end as dead letters` : state;
}

/**
 * The triggers of an active subscription its client reads no alert of (triggersNeverRead), as a
 * create refuses them now (TRIGGER_NOT_READABLE): one made before that check stays as it was (its
 * other triggers are still pushed), flagged here for an administrator to revoke and make anew.
 */
function triggersBarred(s: SubscriptionRecord, subscribers: ReadonlyMap<string, SubscriberNow>): string {
  const client = subscribers.get(s.clientId);
  const never = s.state === 'ACTIVE' && client ? triggersNeverRead(client.department, s.triggerIds) : [];
  return never.length > 0 ? `never pushed ${never.join(',')} (TRIGGER_NOT_READABLE: its client reads none of their alerts)` : '';
}

function describe(s: SubscriptionRecord, counts?: Record<string, number>, clientState = ''): string {
  return [
    `#${s.id}`,
    s.state,
    s.clientId,
    clientState,
    shownCallbackUrl(s.callbackUrl),
    `regions ${s.regionCodes.join(',')}`,
    `grades ${s.grades.join(',') || 'all'}`,
    `triggers ${s.triggerIds.join(',') || 'all'}`,
    counts ? `pending ${counts.PENDING} delivered ${counts.DELIVERED} dead ${counts.DEAD}` : '',
    `created ${shown(s.createdAt)} by ${s.createdBy}`,
    s.revokedAt ? `revoked ${shown(s.revokedAt)}` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

/** A subscription id (MALFORMED_ID, as the API answers one) or a count (`--first`), read from the command line; none given is ARGUMENT_REQUIRED. */
function positiveId(value: string | undefined, what: string, code = 'MALFORMED_ID'): number {
  if (!value) throw new UsageError(`ARGUMENT_REQUIRED: ${what}: a positive integer`);
  if (!HUB_ID.test(value)) throw new UsageError(`${code}: ${what}: a positive integer`);
  return Number(value);
}

/** Delivery ids are UUIDs: one that is not is a usage error naming its position, as a malformed subscription id is. */
function deliveryIds(values: string[]): string[] {
  const at = malformedDeliveryId(values);
  if (at >= 0) throw new UsageError(`MALFORMED_ID: replay: argument ${at + 1} (of the delivery ids given) is not a delivery id (a UUID)`);
  return values;
}

/** The allow-list as the hub being managed sees it: read as the hub reads it, with the default `npm start` gives its private server. */
export function callbackHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return callbackHostsFromEnv({ AIDHUB_CALLBACK_HOSTS: env.AIDHUB_CALLBACK_HOSTS ?? (env.DATABASE_URL ? '' : '127.0.0.1:*,localhost:*') });
}

const OPTIONS = {
  client: { type: 'string' },
  callback: { type: 'string' },
  regions: { type: 'string' },
  grades: { type: 'string' },
  triggers: { type: 'string' },
  by: { type: 'string' },
  'deliver-open': { type: 'boolean' },
  subscription: { type: 'string' },
  first: { type: 'string' },
  since: { type: 'string' },
} as const;

/** What each command takes (runSubcommand refuses the rest): the usage's lines. */
const COMMANDS = {
  create: { options: ['client', 'callback', 'regions', 'grades', 'triggers', 'deliver-open', 'by'], positionals: 0 },
  list: { options: ['client'], positionals: 0 },
  revoke: { options: ['by'], positionals: 1 },
  'dead-letters': { options: ['subscription', 'first'], positionals: 0 },
  replay: { options: ['subscription', 'by'], positionals: Number.MAX_SAFE_INTEGER },
  notices: { options: ['since'], positionals: 0 },
} as const;

/** Who runs the CLI, for a subscription's created_by: the account the process runs as (operatorAccount), so a subscription never reads as made by `unknown`. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  return firstChars(operatorAccount(env), CREATED_BY_MAX - 'cli:'.length);
}

/** A command with its values judged (subscriptionsArgs): what it runs with. */
type SubscriptionsArgs =
  | { command: 'create'; client: string; callback: string; regions: string; grades?: string; triggers?: string; deliverOpen: boolean; createdBy?: string; by: string }
  | { command: 'list'; client?: string }
  | { command: 'revoke'; id: number; by: string }
  | { command: 'dead-letters'; subscriptionId?: number; first: number }
  | { command: 'replay'; which: { subscriptionId: number } | { deliveryIds: string[] }; by: string }
  | { command: 'notices'; since: string };

/**
 * A command's values judged, all that need no database: an option or id left out, an id or count
 * that is none, `--by`, `--since`. Run before the hub database is looked for (answerSubcommandLine)
 * as well as before the command runs (runSubcommand): with no hub to find, `revoke` with no id was
 * answered DATABASE_REQUIRED. What the API judges too (the callback, the regions) is judged by the
 * function both call, against the database.
 */
function subscriptionsArgs({ command, rest, values }: Subcommand<typeof OPTIONS>): SubscriptionsArgs {
  switch (command) {
    case 'create': {
      if (!values.client || !values.callback || !values.regions) throw new UsageError('ARGUMENT_REQUIRED: create needs --client, --callback and --regions');
      const by = operatorArg(values.by, 'MALFORMED_CREATED_BY');
      return { command, client: values.client, callback: values.callback, regions: values.regions, grades: values.grades, triggers: values.triggers, deliverOpen: values['deliver-open'] ?? false, createdBy: values.by, by };
    }
    case 'list':
      return { command, client: values.client };
    case 'revoke':
      return { command, id: positiveId(rest[0], 'revoke needs the subscription id'), by: operatorArg(values.by, 'MALFORMED_CREATED_BY') };
    case 'dead-letters':
      return { command, subscriptionId: values.subscription ? positiveId(values.subscription, '--subscription') : undefined, first: values.first ? positiveId(values.first, '--first', 'MALFORMED_FIRST') : 50 };
    case 'replay': {
      if (!values.subscription && rest.length === 0) throw new UsageError('ARGUMENT_REQUIRED: replay needs --subscription ID or delivery ids');
      // Given both, the delivery ids were dropped and every dead letter of the subscription replayed.
      if (values.subscription && rest.length > 0) throw new UsageError('CONFLICTING_OPTIONS: replay takes --subscription ID or delivery ids, not both');
      const which = values.subscription ? { subscriptionId: positiveId(values.subscription, '--subscription') } : { deliveryIds: deliveryIds(rest) };
      return { command, which, by: operatorArg(values.by, 'MALFORMED_CREATED_BY') };
    }
    case 'notices': {
      const since = values.since ?? addDays(todayIso(), -7);
      // A calendar date: 2026-02-30 passed the pattern and was compared as text ("no notices").
      if (!isIsoDate(since)) throw new UsageError(`MALFORMED_DATE: --since: a calendar date, YYYY-MM-DD, got ${JSON.stringify(since)}`);
      return { command, since };
    }
    default:
      throw unknownCommand(command);
  }
}

/** The tool's arguments: judged whole before the hub database is looked for (runAgainstHub), and again by subscriptionsCommand. */
export const SUBSCRIPTIONS_COMMAND_LINE: SubcommandSpec<typeof OPTIONS, SubscriptionsArgs> = { usage: USAGE, options: OPTIONS, commands: COMMANDS, judge: subscriptionsArgs };

/** Runs one command; returns the exit code. */
export function subscriptionsCommand(argv: string[], db: HubDb, print: Print, hosts = callbackHosts()): Promise<number> {
  return runSubcommand(argv, SUBSCRIPTIONS_COMMAND_LINE, print, async (args) => {
    switch (args.command) {
      case 'create': {
        const { by } = args;
        const made = await createSubscription(
          db,
          hosts,
          {
          clientName: args.client,
          callbackUrl: args.callback,
          regionCodes: list(args.regions),
          grades: list(args.grades).map((g) => g.toUpperCase()),
          triggerIds: list(args.triggers),
          createdBy: args.createdBy ?? `cli:${operatorName()}`,
          deliverOpen: args.deliverOpen,
          },
          undefined,
          async (tx, sub) => recordAdministration(tx, by, await administeredClient(tx, sub.clientId), `subscriptions create #${sub.id}`),
        );
        if (!made.ok) {
          print(`refused: ${made.code} (${made.field}): ${made.message}`, 'stderr');
          return 3;
        }
        print(`created ${describe(made.subscription)}`);
        if (args.deliverOpen) print(`alerts open now queued to it: ${made.openAlertsQueued}`);
        print(`signing secret (shown once; give it to the receiving system): ${made.secret}`);
        return 0;
      }
      case 'list': {
        const subs = await listSubscriptions(db, args.client);
        const counts = await deliveryCounts(db, subs.map((s) => s.id));
        const subscribers = await subscribersNow(db, subs.map((s) => s.clientId));
        if (subs.length === 0) print('no subscriptions');
        for (const s of subs) print(describe(s, counts.get(s.id), [clientBarred(s, subscribers), triggersBarred(s, subscribers)].filter(Boolean).join('  ')));
        return 0;
      }
      case 'revoke': {
        const { id, by } = args;
        // Written to the audit chain only when it revokes (one revoked already is left as it is).
        const out = await revokeSubscriptionWithin(db, EVERY_REGION, id, async (tx, sub) => recordAdministration(tx, by, await administeredClient(tx, sub.clientId), `subscriptions revoke #${sub.id}`));
        if (!out.ok) {
          print(`refused: ${out.code}`, 'stderr');
          return 3;
        }
        print(`revoked ${describe(out.subscription)}`);
        return 0;
      }
      case 'dead-letters': {
        const out = await deadLettersWithin(db, EVERY_REGION, { subscriptionId: args.subscriptionId, first: args.first });
        if (!out.ok) {
          print(`refused: ${out.code} (${out.field}): ${out.message}`, 'stderr');
          return 3;
        }
        const rows = out.rows;
        if (rows.length === 0) print('no dead letters');
        for (const d of rows) print([d.deliveryId, `subscription #${d.subscriptionId}`, `alert ${d.alertId}`, d.event, `attempts ${d.attempts}`, `last ${d.lastStatus ?? '-'} ${d.lastError ?? ''}`.trim(), `dead ${d.deadAt === null ? '-' : shown(d.deadAt)}`].join('  '));
        return 0;
      }
      case 'replay': {
        const { which, by } = args;
        // One audit entry a subscription whose dead letters it requeued, in the same transaction.
        const out = await replayDeliveries(db, EVERY_REGION, which, async (tx, requeued) => {
          for (const sub of await subscriptionsByIds(tx, [...new Set(requeued.map((d) => d.subscriptionId))])) {
            const count = requeued.filter((d) => d.subscriptionId === sub.id).length;
            await recordAdministration(tx, by, await administeredClient(tx, sub.clientId), `subscriptions replay #${sub.id}, ${count} dead letter${count === 1 ? '' : 's'}`);
          }
        });
        if (!out.ok) {
          print(`refused: ${out.code} (${out.field}): ${out.message}`, 'stderr');
          return 3;
        }
        const ids = out.replayed.map((d) => d.deliveryId);
        print(`replaying ${ids.length} dead letter(s)${ids.length ? ': ' + ids.join(' ') : ''}`);
        // Replay is idempotent: what was not a dead letter is left as it is, and said so.
        for (const d of out.unchanged) print(`unchanged ${d.deliveryId}: ${d.state}`);
        return 0;
      }
      case 'notices': {
        const rows = await deliveryNotices(db, args.since, 200);
        if (rows.length === 0) print('no notices');
        for (const n of rows) print(`${n.day}  ${n.clientId}  subscription #${n.subscriptionId}  ${n.message}`);
        return 0;
      }
    }
  });
}

if (require.main === module) void runAgainstHub('subscriptions', subscriptionsCommand, { usage: USAGE, options: OPTIONS, positionals: true, subcommands: SUBSCRIPTIONS_COMMAND_LINE }, hubDrizzle);
