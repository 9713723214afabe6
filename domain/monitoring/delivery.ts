/**
 * Pure rules of alert delivery: which callback URLs the hub may call, when a failed attempt is
 * tried again, when it (or an answer that ends it: 410 Gone) becomes a dead letter, and how a push is
 * signed.
 */
import crypto from 'node:crypto';
import net from 'node:net';

/**
 * Seconds to wait after the n-th failed attempt (index n-1): the Open Notificaties curve
 * (3, 9, 21, 45, 93 s: each twice the last plus 3) and then a longer tail, because a
 * government endpoint may be down for a maintenance window of hours, not seconds. After the last
 * delay's attempt fails too, the delivery is a dead letter: 11 attempts over about ten hours.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [3, 9, 21, 45, 93, 300, 900, 3600, 3 * 3600, 6 * 3600].map((s) => s * 1000);

/** ±fraction of each delay, so receivers coming back up are not hit by every hub in step. */
export const DEFAULT_RETRY_JITTER = 0.2;

/** Attempts a delivery gets in all: the first, then one after each delay. */
export function maxAttempts(schedule: readonly number[]): number {
  return schedule.length + 1;
}

/**
 * What happens after `attempts` attempts have failed: the next try in `delayMs`, or dead.
 * `random` is in [0, 1) (Math.random by default; tests pass a fixed value).
 */
export function afterFailure(attempts: number, schedule: readonly number[], jitter: number, random: () => number = Math.random): { dead: true } | { dead: false; delayMs: number } {
  if (attempts >= maxAttempts(schedule)) return { dead: true };
  const base = schedule[Math.max(0, attempts - 1)];
  const spread = base * jitter * (2 * random() - 1);
  return { dead: false, delayMs: Math.max(0, Math.round(base + spread)) };
}

/** The answers whose `Retry-After` the hub reads (RFC 9110 §10.2.3: "unavailable" and "too many requests"). */
export const RETRY_AFTER_STATUSES: readonly number[] = [429, 503];

/**
 * A receiver's `Retry-After` as milliseconds from `now`: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`), a date already past being 0. Null for a header absent or
 * unreadable (`soon`, `-5`, `1.5`, two values): the schedule alone then times the next attempt.
 */
export function retryAfterMs(header: string | readonly string[] | undefined, now: Date): number | null {
  if (header === undefined || typeof header !== 'string') return null;
  const value = header.trim();
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  // An HTTP-date begins with its weekday in letters (a number of another form is not one): the
  // IMF-fixdate and RFC 850 forms end in GMT, asctime's names no zone and means GMT.
  if (!/^[A-Za-z]{3,9},? /.test(value)) return null;
  const asctime = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(value);
  if (!asctime && !/ GMT$/.test(value)) return null;
  const at = Date.parse(asctime ? `${value} GMT` : value);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : null;
}

/**
 * The delay before the next attempt after a failed one the receiver answered with `Retry-After`:
 * the schedule's delay, or the receiver's if longer, never past the schedule's longest delay (6 h by
 * default), so a receiver cannot park a push for days; the attempt still counts toward the dead letter.
 */
export function delayHonouringRetryAfter(scheduled: number, retryAfter: number | null, schedule: readonly number[]): number {
  if (retryAfter === null || retryAfter <= scheduled) return scheduled;
  return Math.max(scheduled, Math.min(retryAfter, Math.max(...schedule)));
}

/**
 * The answers that say a receiver was down rather than that it refused a push: a gateway's in front
 * of a receiver that is not there (502, 504) or the receiver's own "unavailable" (503, a maintenance
 * window). With no answer at all (refused, timed out, reset: last_status NULL), a push waiting for
 * its retry after one of these is brought forward when its subscription's receiver acknowledges
 * another push (db/alert-delivery/store.ts wakeBackedOff): the receiver is back. One refused with
 * another status (400, 409, 429, 500…) keeps its schedule: the receiver answered, and may refuse
 * that push again, so an answer to another is no news of it.
 */
export const RECEIVER_DOWN_STATUSES: readonly number[] = [502, 503, 504];

/**
 * True when a receiver's answer ends a push's attempts at once: 410 Gone, which says the resource
 * is no longer there and likely for good (RFC 9110 §15.5.11), so the retry schedule would only
 * knock on it for hours before the same dead letter. Only the push ends: the subscription stays
 * as it is, since only an administrator revokes one (who may, or replay once the receiver is back).
 */
export function endsAttempts(status: number): boolean {
  return status === 410;
}

/**
 * A delivery id is a UUID (crypto.randomUUID, db/alert-delivery/outbox.ts), case-insensitive on
 * input (RFC 4122 §3). Anything else is a caller's mistake, not an id that happens not to exist.
 */
export function isDeliveryId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value.trim());
}

/** Why a callback URL is refused; null when it may be used. */
export type CallbackRefusal = 'CALLBACK_URL_INVALID' | 'CALLBACK_HOST_NOT_ALLOWED';

/**
 * A callback URL as it is shown once stored (API listings, the CLI): every query value masked. A
 * receiver may take a key of its own in the query string; the hub signs every push under the
 * subscription's secret and has no use for it, and administrators who list subscriptions, in the
 * API or the CLI, need the host and path, not the key.
 */
export function shownCallbackUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.search) return url;
  const masked = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=***`).join('&');
  return `${u.origin}${u.pathname}?${masked}`;
}

/** An allow-list entry as the URL parser reads it: the host as a URL's hostname names it (IPv6 without brackets), and its port, `*` for any, or null for the scheme's own. */
export interface CallbackHostEntry {
  host: string;
  port: string | null;
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/**
 * Reads an allow-list entry (`10.20.0.7`, `alerts.rencheng.gov.cn:8443`, `127.0.0.1:*`, `[::1]:9300`,
 * `::1`) through the same URL parser that reads callbacks, so the two are compared in one form;
 * `written` is false when that form differs from what the entry says (`0177.0.0.1` and `2130706433`
 * are 127.0.0.1, `010.20.0.7` is 8.20.0.7, not 10.20.0.7). Null for what is not a host at all.
 */
export function callbackHostEntry(entry: string): (CallbackHostEntry & { written: boolean }) | null {
  const e = entry.trim().toLowerCase();
  // An IPv6 entry without brackets has colons of its own: taken whole, as a bare host.
  const m = e.split(':').length > 2 && !e.startsWith('[') ? ['', `[${e}]`, undefined] : /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}|\*))?$/.exec(e);
  if (!m) return null;
  let host: string;
  try {
    host = new URL(`http://${m[1]}/`).hostname;
  } catch {
    return null;
  }
  return { host: bare(host), port: m[2] ?? null, written: bare(host) === bare(m[1]!) };
}

/**
 * A callback must be http(s), carry no credentials, and name a host on the allow-list
 * (AIDHUB_CALLBACK_HOSTS) at a port it admits. An entry is a host name or address ('10.20.0.7',
 * 'alerts.rencheng.gov.cn'), admitting the scheme's own port only (80, 443); another port is named
 * ('alerts.rencheng.gov.cn:8443'), or every port with '*' ('127.0.0.1:*', a test machine's
 * receivers). A bare host admitted any port of it: a stolen administrator token could have the hub
 * POST to the allowed host's database or SSH port and read from each push's lastError whether the
 * port answered. Hosts are compared as the URL parser reads them, the callback's and the entry's
 * alike, so an address written in decimal, octal or hex (http://2130706433/, http://0x7f.1/) is the
 * address it reaches and is admitted only if that address is. The hub calls no other address. A host
 * given by name is checked again as each connection is made, on the address it resolves to then
 * (callbackAddressRefusal, by the worker's checkedLookup).
 */
export function callbackRefusal(url: string, allowedHosts: readonly string[]): CallbackRefusal | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'CALLBACK_URL_INVALID';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'CALLBACK_URL_INVALID';
  if (u.username || u.password || u.hash) return 'CALLBACK_URL_INVALID';
  // Port 0 is no port a connection reaches (RFC 6335 §6: reserved): an allow-list entry with '*'
  // admitted it, and the subscription was made and never delivered a word (every push ECONNREFUSED).
  if (u.port === '0') return 'CALLBACK_URL_INVALID';
  const host = bare(u.hostname);
  const defaultPort = u.protocol === 'https:' ? '443' : '80';
  const port = u.port || defaultPort;
  const allowed = allowedHosts.some((entry) => {
    const e = callbackHostEntry(entry);
    if (!e || e.host !== host) return false;
    return e.port === '*' || (e.port ?? defaultPort) === port;
  });
  return allowed ? null : 'CALLBACK_HOST_NOT_ALLOWED';
}

/**
 * The classes of address a callback host given by name may not resolve to (callbackAddressRefusal):
 * link-local (169.254.0.0/16, where the cloud metadata services of AWS, Azure, GCP, Huawei and
 * Tencent answer at 169.254.169.254 or 169.254.0.23, and fe80::/10), the other clouds' metadata
 * addresses (Alibaba Cloud's 100.100.100.200, AWS's IPv6 fd00:ec2::254), and the unspecified
 * address (0.0.0.0/8, ::), which Linux connects to the hub's own host. No receiver is reached at
 * one through DNS; an attacker who controls a listed name's answers (or rebinds it between the
 * subscription and a push) reaches the hub's cloud credentials there.
 *
 * An IPv4 range is refused in every IPv6 form that carries an IPv4 address a connection reaches:
 * IPv4-mapped (::ffff:169.254.169.254, which net.BlockList reads as the IPv4 address itself),
 * IPv4-compatible (::169.254.169.254, RFC 4291 §2.5.5.1: deprecated, yet Linux routes it), the
 * NAT64 well-known prefix (64:ff9b::169.254.169.254, RFC 6052: a DNS64 resolver answers so, and
 * the NAT64 gateway connects to the IPv4 address), and the forms a relay or gateway reads it out of:
 * 6to4 (2002:a9fe:a9fe::1), Teredo (server or client address) and the NAT64 local-use prefix
 * (64:ff9b:1:a9fe:a9:fe00::), relayedIpv4. Only the IPv4-compatible form of 0.0.0.0/8 is
 * left out: ::/104 holds :: (refused as itself) and ::1, IPv6 loopback, reached as today. Those
 * forms put the IPv4 address after a /96 prefix and are subnets of each list; the forms a relay or
 * a gateway carries elsewhere in the address are read out of it (relayedIpv4) and checked against
 * the same list's IPv4 ranges.
 */
const IPV4_EMBEDDING_PREFIXES = ['::', '64:ff9b::'];

/** An IPv6 address's eight 16-bit groups, read through the URL parser's form of it (a dotted IPv4 tail as two groups); null for none. */
function ipv6Groups(address: string): number[] | null {
  let host: string;
  try {
    host = bare(new URL(`http://[${address}]/`).hostname);
  } catch {
    return null;
  }
  const [head, tail] = host.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const before = groups(head);
  if (tail === undefined) return before;
  const after = groups(tail);
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 addresses an IPv6 address reaches through a relay or a gateway that reads them out of
 * it, where they do not follow a /96 prefix (so no subnet of the list holds them):
 * - 6to4 (2002::/16, RFC 3056): the IPv4 address in bits 16–47; a 6to4 relay sends
 *   2002:a9fe:a9fe::1 on to 169.254.169.254.
 * - Teredo (2001::/32, RFC 4380): the Teredo server's IPv4 address in bits 32–63, the client's in the
 *   last 32 bits, each bit inverted; a Teredo relay sends to the client's (both are checked).
 * - the NAT64 local-use prefix (64:ff9b:1::/48, RFC 8215), the IPv4 address embedded as RFC 6052
 *   puts it at /48: its first two octets in bits 48–63, the other two in bits 72–87 around the
 *   reserved octet (bits 64–71, read whatever it holds: a gateway need not check it is zero).
 * Empty for any other address.
 */
function relayedIpv4(address: string): string[] {
  const g = ipv6Groups(address);
  if (!g || g.length !== 8) return [];
  if (g[0] === 0x2002) return [ipv4Of(g[1], g[2])];
  if (g[0] === 0x2001 && g[1] === 0) return [ipv4Of(g[2], g[3]), ipv4Of(g[6] ^ 0xffff, g[7] ^ 0xffff)];
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return [ipv4Of(g[3], ((g[4] & 0xff) << 8) | (g[5] >> 8))];
  return [];
}

const REFUSED_RANGES: readonly { kind: CallbackAddressClass; ipv4: readonly [string, number][]; ipv6: readonly [string, number][] }[] = [
  { kind: 'LINK_LOCAL', ipv4: [['169.254.0.0', 16]], ipv6: [['fe80::', 10]] },
  { kind: 'METADATA', ipv4: [['100.100.100.200', 32]], ipv6: [['fd00:ec2::254', 128]] },
  { kind: 'UNSPECIFIED', ipv4: [['0.0.0.0', 8]], ipv6: [['::', 128]] },
];

const REFUSED_ADDRESSES: readonly { kind: CallbackAddressClass; list: net.BlockList }[] = REFUSED_RANGES.map(({ kind, ipv4, ipv6 }) => {
  const list = new net.BlockList();
  for (const [address, prefix] of ipv4) {
    list.addSubnet(address, prefix, 'ipv4');
    for (const embedding of IPV4_EMBEDDING_PREFIXES) if (!(embedding === '::' && kind === 'UNSPECIFIED')) list.addSubnet(`${embedding}${address}`, 96 + prefix, 'ipv6');
  }
  for (const [address, prefix] of ipv6) list.addSubnet(address, prefix, 'ipv6');
  return { kind, list };
});

export type CallbackAddressClass = 'LINK_LOCAL' | 'METADATA' | 'UNSPECIFIED';

/** Why a push was not sent to the address its callback's host name resolved to (lastError). */
export const CALLBACK_ADDRESS_NOT_ALLOWED = 'CALLBACK_ADDRESS_NOT_ALLOWED';

/**
 * The class of a resolved address that a callback named by host name may not reach, or null for one
 * it may (loopback and private ranges among them: a listed name on a government intranet resolves
 * to 10/8, the demo's `localhost` to 127.0.0.1). An address the allow-list names literally, at the
 * callback's port, is admitted whatever its class: an operator who means a receiver there lists
 * it. Called with the address a connection is about to be made to (the request's `lookup`), so the
 * address checked is the one connected to. A zone id (fe80::1%eth0) names the interface, not the
 * address: the address is classed and compared without it. An address the allow-list comparison
 * cannot read as a URL's host is refused: it had been compared as the callback's own (allowed)
 * name, so fe80::1%eth0 passed.
 */
export function callbackAddressRefusal(address: string, callbackUrl: string, allowedHosts: readonly string[]): CallbackAddressClass | null {
  const family = net.isIP(address);
  // Not an address at all: nothing to connect to, refused as the unspecified one.
  if (family === 0) return 'UNSPECIFIED';
  const unzoned = address.replace(/%.*$/, '');
  const relayed = family === 6 ? relayedIpv4(unzoned) : [];
  const kind = REFUSED_ADDRESSES.find((r) => r.list.check(unzoned, family === 6 ? 'ipv6' : 'ipv4') || relayed.some((v4) => r.list.check(v4, 'ipv4')))?.kind ?? null;
  if (kind === null) return null;
  let atAddress: string;
  try {
    const u = new URL(callbackUrl);
    atAddress = new URL(`${u.protocol}//${family === 6 ? `[${unzoned}]` : unzoned}${u.port ? `:${u.port}` : ''}/`).href;
  } catch {
    return kind;
  }
  return callbackRefusal(atAddress, allowedHosts) === null ? null : kind;
}

/** Header names of a push. */
export const SIGNATURE_HEADER = 'x-aidhub-signature';
export const TIMESTAMP_HEADER = 'x-aidhub-timestamp';
export const DELIVERY_ID_HEADER = 'x-aidhub-delivery-id';
export const ATTEMPT_HEADER = 'x-aidhub-attempt';

/**
 * `sha256=` + hex HMAC-SHA256 with the subscription's secret over `<timestamp>.<body>`, the
 * timestamp being Unix seconds as sent in X-AidHub-Timestamp. Receivers recompute it, compare in
 * constant time, and refuse a timestamp far from their clock (replays of an old capture).
 */
export function signDelivery(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** A new subscription secret: 32 random bytes, hex. */
export function newSubscriptionSecret(): string {
  return crypto.randomBytes(32).toString('hex');
}
