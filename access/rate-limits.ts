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
 * make up to the limit on each replica. The hub logs the switch.
 */
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitConfig {
  /** Requests per minute per API client. */
  perClientPerMinute: number;
  /** Failed authentications per minute per remote address. */
  authFailuresPerMinute: number;
  /** redis://host:port/db; unset: this process's memory only. */
  redisUrl: string | null;
  /** Prefix of the Redis keys, so several hubs (cities) may share one Redis. */
  keyPrefix?: string;
}

export interface RateLimits {
  /** Null when within the limit; the rejection (with msBeforeNext) when over it. */
  consumeClient(clientId: string): Promise<RateLimiterRes | null>;
  consumeAuthFailure(address: string): Promise<RateLimiterRes | null>;
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

async function overLimit(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
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
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger?.warn({ err: { name: err.name, message: err.message } }, 'rate-limit store unreachable: limits are kept per process until it is back');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger?.info('rate-limit store back: limits are shared again');
    down = false;
  });
  const prefix = config.keyPrefix ?? 'aidhub';
  const shared = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:${name}`, points, duration: 60, rejectIfRedisNotReady: true, insuranceLimiter: memory(points) });
  const perClient = shared('client', config.perClientPerMinute);
  const authFailures = shared('auth', config.authFailuresPerMinute);
  return {
    store: 'redis',
    connected: () => redis.status === 'ready',
    ready: (withinMs) =>
      new Promise<void>((resolve) => {
        if (redis.status === 'ready') return resolve();
        const timer = setTimeout(done, withinMs);
        timer.unref();
        function done() {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        }
        redis.once('ready', done);
      }),
    consumeClient: (id) => overLimit(perClient, id),
    consumeAuthFailure: (address) => overLimit(authFailures, address),
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
