/**
 * The hub's two rate limits: requests per API client, and failed authentications per remote
 * address. With one hub process they live in its memory (nothing to run beside `npm start`).
 * Behind several replicas they live in Redis (RATE_LIMIT_REDIS_URL), so every replica counts
 * against the same budget.
 *
 * Why Redis and not RateLimiterMySQL in the hub database: a limit check happens on every request,
 * before anything else; in the hub database it would be one more write transaction per request on
 * the server that already serialises the audit chain, and on TiDB every request of one busy client
 * would update one hot row. Redis answers each check with one atomic script in one round trip,
 * and losing its counters loses nothing that matters.
 *
 * Failure: both limits fail OPEN to a per-process limit. When Redis is unreachable (or not yet
 * connected) each check falls at once to an in-memory insurance limiter of the same size in this
 * process, so a request is never refused because the store is down; while it is, a client can
 * make up to the limit on each replica. The hub logs the switch. A Redis that keeps its
 * connection open and answers nothing (its process stopped, a partition without a reset) is down
 * too: a check it has not answered within REDIS_CHECK_TIMEOUT_MS goes to the insurance limiter,
 * and the connection is dropped and made again, so the checks after it do not wait at all until
 * Redis answers its ready check. Before, every request of every replica waited for Redis.
 */
import Redis, { ReplyError } from 'ioredis';
import type { Logger } from 'pino';
import type { LevelLogger } from './request-id';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * How long a check waits for Redis before it is counted in this process instead. Redis answers a
 * check in about a millisecond; a second is far beyond a loaded store's answer and short enough
 * that one request pays it once before the others skip the store.
 */
export const REDIS_CHECK_TIMEOUT_MS = 1000;

export interface RateLimitConfig {
  /** Requests per minute per API client. */
  perClientPerMinute: number;
  /** Failed authentications per minute per remote address. */
  authFailuresPerMinute: number;
  /** redis://host:port/db; unset: this process's memory only. */
  redisUrl: string | null;
  /**
   * Prefix of the Redis keys (`aidhub` unless given; tests give their own). The hub never sets it,
   * and counters are keyed by client id, which every hub database numbers from 1: hubs of two hub
   * databases (two cities) sharing one Redis must each use a database number of their own in
   * RATE_LIMIT_REDIS_URL, or their clients of the same id share one budget.
   */
  keyPrefix?: string;
}

export interface RateLimits {
  /**
   * Null when within the limit; the rejection (with msBeforeNext) when over it. `logger`: the
   * request's (access/request-id.ts requestLogger), which writes the line when this check finds the
   * shared store gone, so the line names the request that found it (its pino child made only then).
   */
  consumeClient(clientId: string, logger?: LevelLogger): Promise<RateLimiterRes | null>;
  consumeAuthFailure(address: string, logger?: LevelLogger): Promise<RateLimiterRes | null>;
  /** Where the counters are kept: 'memory' or 'redis'. */
  store: 'memory' | 'redis';
  /** Whether the shared store answers now (always true in memory). */
  connected(): boolean;
  /**
   * Resolves once the shared store is connected, or after `withinMs` if it is not: a hub starting
   * beside a reachable Redis counts its very first requests there, not in its insurance limiter.
   */
  ready(withinMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Redis refused the connection's password (or wants one not given): WRONGPASS, NOAUTH, or an older server's ERR for AUTH. */
function credentialsRefused(err: Error): boolean {
  return err instanceof ReplyError && /^(WRONGPASS|NOAUTH)\b|^ERR (invalid password|AUTH\b|Client sent AUTH)/.test(err.message);
}

async function overLimit(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

/** A check in the shared store, or, when the store fails to answer, in this process's insurance limiter. */
async function overSharedLimit(shared: RateLimiterAbstract, insurance: RateLimiterAbstract, key: string, storeFailed: (err: Error, logger?: LevelLogger) => void, logger: LevelLogger | undefined): Promise<RateLimiterRes | null> {
  try {
    return await overLimit(shared, key);
  } catch (err) {
    storeFailed(err as Error, logger);
    return overLimit(insurance, key);
  }
}

export function createRateLimits(config: RateLimitConfig, logger?: Logger): RateLimits {
  const memory = (points: number) => new RateLimiterMemory({ points, duration: 60 });
  if (!config.redisUrl) {
    const perClient = memory(config.perClientPerMinute);
    const authFailures = memory(config.authFailuresPerMinute);
    return {
      store: 'memory',
      connected: () => true,
      ready: async () => undefined,
      consumeClient: (id) => overLimit(perClient, id),
      consumeAuthFailure: (address) => overLimit(authFailures, address),
      close: async () => undefined,
    };
  }
  // No offline queue: a check while Redis is away goes to the insurance limiter at once instead of
  // waiting for a reconnection that may never come.
  // A command unanswered within the timeout fails (ioredis applies it to the ready check too, so a
  // reconnection to a Redis that answers nothing never becomes ready).
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: REDIS_CHECK_TIMEOUT_MS, lazyConnect: false });
  let down = false;
  let credentialsSaid = false;
  // `by`: the request whose check found the store gone; none when the connection itself reports it.
  const storeDown = (err: Error, by: LevelLogger | undefined = logger) => {
    // A password Redis refuses (WRONGPASS, or none given where it needs one: NOAUTH) is a value to
    // correct, which no wait mends: it was logged as the store unreachable, at level warn, as an
    // outage that passes, and the limits stayed per process for good. Said once, at level error, as
    // a database number Redis refuses is (below); the URL is not repeated.
    if (credentialsRefused(err)) {
      if (!credentialsSaid) logger?.error({ err: { name: err.name, message: err.message } }, 'rate-limit store refused the credentials RATE_LIMIT_REDIS_URL gives: limits are kept per process until they are corrected');
      credentialsSaid = true;
    } else if (!down) by?.warn({ err: { name: err.name, message: err.message } }, 'rate-limit store unreachable: limits are kept per process until it is back');
    down = true;
  };
  redis.on('error', (err: Error) => storeDown(err));
  /**
   * A check the store did not answer. While the connection is still 'ready' (it timed out rather
   * than finding Redis gone), the connection is dropped and made again: until Redis answers the
   * new one's ready check, every check goes to the insurance limiter without waiting.
   */
  const storeFailed = (err: Error, by?: LevelLogger) => {
    storeDown(err, by ?? logger);
    if (redis.status === 'ready') redis.disconnect(true);
  };
  /**
   * The database the URL names, selected again on every connection once it is ready, and the
   * store used only once that SELECT answered. ioredis selects it too, but a number the server
   * refuses (past its `databases`, 16 by default) it only reported as an error and became ready on
   * database 0 all the same: the hub logged the store back and kept its counters in database 0,
   * beside those of another city's hub sharing the Redis, and aidhub_rate_limit_store_up said 1.
   */
  const database = Number(redis.options.db ?? 0);
  let selected = false;
  let connection = 0;
  const waiting = new Set<() => void>();
  redis.on('close', () => {
    connection++;
    selected = false;
  });
  redis.on('ready', () => {
    const mine = ++connection;
    redis.select(database).then(
      () => {
        if (mine !== connection) return;
        if (down) logger?.info('rate-limit store back: limits are shared again');
        down = false;
        credentialsSaid = false;
        selected = true;
        for (const resolve of waiting) resolve();
      },
      (err: Error) => {
        if (mine !== connection) return;
        // Unanswered (a timeout): the connection is made anew and its database selected again.
        if (!(err instanceof ReplyError)) return storeFailed(err);
        // Refused: refused again until the server restarts, which makes the connection anew.
        logger?.error({ err: { name: err.name, message: err.message }, database }, 'rate-limit store refused the database RATE_LIMIT_REDIS_URL names: limits are kept per process');
        down = true;
      },
    );
  });
  const prefix = config.keyPrefix ?? 'aidhub';
  const shared = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:${name}`, points, duration: 60, rejectIfRedisNotReady: true });
  const perClient = { shared: shared('client', config.perClientPerMinute), insurance: memory(config.perClientPerMinute) };
  const authFailures = { shared: shared('auth', config.authFailuresPerMinute), insurance: memory(config.authFailuresPerMinute) };
  return {
    store: 'redis',
    connected: () => selected && redis.status === 'ready',
    ready: (withinMs) =>
      new Promise<void>((resolve) => {
        if (selected) return resolve();
        const timer = setTimeout(done, withinMs);
        timer.unref();
        function done() {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        }
        waiting.add(done);
      }),
    // On a connection whose database is not (yet) selected, a check counts in this process.
    consumeClient: (id, by) => (selected ? overSharedLimit(perClient.shared, perClient.insurance, id, storeFailed, by) : overLimit(perClient.insurance, id)),
    consumeAuthFailure: (address, by) => (selected ? overSharedLimit(authFailures.shared, authFailures.insurance, address, storeFailed, by) : overLimit(authFailures.insurance, address)),
    async close() {
      // disconnect() only begins closing: wait until the socket is closed, so a process (or a
      // test's worker) that awaited close() is not still held by it.
      const socket = redis.stream as import('node:net').Socket | undefined;
      redis.disconnect();
      if (!socket || socket.closed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => socket.destroy(), 5_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
