/**
 * The rate limits' store: in memory by default; in Redis when configured, falling back to a
 * per-process limiter of the same size while Redis cannot be reached (fails open to per-process
 * limits, never refusing a request because the store is down).
 */
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { createRateLimits, type RateLimits } from '../access/rate-limits';
import { freePort, startPrivateRedis } from './support/redis';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';

/** A private Redis behind a pausable proxy, and limits counting through it; all stopped after `body`. */
async function behindProxy(body: (proxy: PausableProxy, limitsThrough: (keyPrefix: string) => RateLimits) => Promise<void>): Promise<void> {
  const redis = await startPrivateRedis();
  const proxy = await startPausableProxy(redis.url);
  const made: RateLimits[] = [];
  try {
    await body(proxy, (keyPrefix) => {
      const limits = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: proxy.url(redis.url), keyPrefix });
      made.push(limits);
      return limits;
    });
  } finally {
    for (const limits of made) await limits.close();
    await proxy.close();
    await redis.stop();
  }
}

it('keeps the limit in memory when no store is configured', async () => {
  const limits = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: null });
  expect(limits.store).toBe('memory');
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await limits.consumeClient('7'));
  expect(results.map((r) => r === null)).toEqual([true, true, true, false]);
  expect(results[3]!.msBeforeNext).toBeGreaterThan(0);
  expect(await limits.consumeAuthFailure('10.0.0.1')).toBeNull();
  await limits.close();
});

it('shares the limit through Redis between two limiters (two processes’ worth)', async () => {
  const redis = await startPrivateRedis();
  const a = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: redis.url, keyPrefix: 'unit' });
  const b = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: redis.url, keyPrefix: 'unit' });
  try {
    // Wait until both are connected: before that, checks go to the insurance limiter.
    for (let i = 0; i < 100 && !(a.connected() && b.connected()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(a.connected() && b.connected()).toBe(true);
    const results = [await a.consumeClient('7'), await b.consumeClient('7'), await a.consumeClient('7'), await b.consumeClient('7')];
    expect(results.map((r) => r === null)).toEqual([true, true, true, false]);
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
  }
});

it('falls back to a per-process limit of the same size while Redis is unreachable', async () => {
  const deadPort = await freePort();
  const limits = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: `redis://127.0.0.1:${deadPort}` });
  try {
    expect(limits.store).toBe('redis');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limits.consumeClient('7'));
    // Not refused for the store being down, and still limited.
    expect(results.map((r) => r === null)).toEqual([true, true, true, false]);
  } finally {
    await limits.close();
  }
});

it('falls back at once, rather than waiting, while Redis accepts connections but answers nothing (a stopped process, a partition)', async () => {
  // A Redis stopped with SIGSTOP (or cut off without a reset) keeps its connections open and
  // answers nothing: every check waited for it, so every request of every hub process hung until
  // Redis answered again, and aidhub_rate_limit_store_up still said 1.
  await behindProxy(async (proxy, limitsThrough) => {
    const limits = limitsThrough('hang');
    await limits.ready(20_000);
    expect(limits.connected()).toBe(true);
    expect(await limits.consumeClient('7')).toBeNull();
    proxy.pause();
    const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref());
    const checks = (async () => {
      const results = [];
      for (let i = 0; i < 4; i++) results.push((await limits.consumeClient('8')) === null);
      return results;
    })();
    // Answered without Redis, and still limited per process.
    expect(await Promise.race([checks, hung])).toEqual([true, true, true, false]);
    // The gauge follows: the connection is being made again, and not ready until Redis answers.
    for (let i = 0; i < 100 && limits.connected(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(limits.connected()).toBe(false);
    expect(await Promise.race([limits.consumeAuthFailure('10.0.0.1').then((r) => r === null), hung])).toBe(true);
    proxy.resume();
    await limits.ready(20_000);
    expect(limits.connected()).toBe(true);
  });
}, 90_000);

it('counts in the database the URL names, and per process, not in database 0, when Redis refuses that number', async () => {
  // Two cities' hubs on one Redis keep apart by a database number each (README). A number the
  // server lacks (past its `databases`, 16 by default) was refused by its SELECT, which ioredis
  // only reported as an error: the connection became ready on database 0 all the same, the hub
  // logged the store back, aidhub_rate_limit_store_up said 1, and its counters were kept in
  // database 0 beside the other city's.
  const redis = await startPrivateRedis();
  const missing = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: `${redis.url}/99`, keyPrefix: 'nodb' });
  const fifth = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: `${redis.url}/5`, keyPrefix: 'fifth' });
  const database = (n: number) => new Redis(`${redis.url}/${n}`);
  const [db0, db5] = [database(0), database(5)];
  try {
    await fifth.ready(20_000);
    expect(fifth.connected()).toBe(true);
    expect(await fifth.consumeClient('7')).toBeNull();
    expect(await db5.keys('fifth:*')).toEqual(['fifth:rl:client:7']);
    // Given the time its connection takes, and its SELECT's answer.
    await missing.ready(3_000);
    expect(missing.connected()).toBe(false);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await missing.consumeClient('7'));
    // Not refused for it, and still limited, in this process.
    expect(results.map((r) => r === null)).toEqual([true, true, true, false]);
    expect(await missing.consumeAuthFailure('10.0.0.1')).toBeNull();
    expect(await db0.keys('*')).toEqual([]);
  } finally {
    db0.disconnect();
    db5.disconnect();
    await missing.close();
    await fifth.close();
    await redis.stop();
  }
}, 60_000);

it('says at level error, once, that Redis refuses the password RATE_LIMIT_REDIS_URL gives (or lacks), not that it is unreachable, and counts per process', async () => {
  // A wrong password (WRONGPASS), or none where Redis needs one (NOAUTH), is an operator's value to
  // correct: it was logged at level warn as "rate-limit store unreachable … until it is back", an
  // outage that passes, while the limits stayed per process for good.
  const redis = await startPrivateRedis();
  const admin = new Redis(redis.url);
  await admin.config('SET', 'requirepass', 'right-pw-s48');
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } }));
  const wrong = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: `redis://:wrong-pw-s48@127.0.0.1:${redis.port}/0`, keyPrefix: 'wrongpw' }, logger);
  const none = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: `${redis.url}/0`, keyPrefix: 'nopw' }, logger);
  const right = createRateLimits({ perClientPerMinute: 3, authFailuresPerMinute: 2, redisUrl: `redis://:right-pw-s48@127.0.0.1:${redis.port}/0`, keyPrefix: 'rightpw' }, logger);
  try {
    await right.ready(20_000);
    expect(right.connected()).toBe(true);
    await wrong.ready(3_000);
    await none.ready(3_000);
    expect([wrong.connected(), none.connected()]).toEqual([false, false]);
    for (const limits of [wrong, none]) {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limits.consumeClient('7'));
      expect(results.map((r) => r === null)).toEqual([true, true, true, false]);
    }
    const refused = lines.filter((l) => l.msg.startsWith('rate-limit store refused the credentials'));
    expect(refused.map((l) => l.level)).toEqual([50, 50]);
    expect(lines.filter((l) => l.msg.startsWith('rate-limit store unreachable'))).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/pw-s48/);
  } finally {
    admin.disconnect();
    await wrong.close();
    await none.close();
    await right.close();
    await redis.stop();
  }
}, 60_000);

it('selects the database again on a new connection when its SELECT went unanswered', async () => {
  // The store is used once the connection's SELECT has answered: one that timed out (Redis
  // stopped just then) must not leave the connection, ready again afterwards, unused for good.
  await behindProxy(async (proxy, limitsThrough) => {
    // Database 0: ioredis sends no SELECT of its own, so the first one through the proxy is the store's.
    const stopped = proxy.pauseOn('select');
    const limits = limitsThrough('reselect');
    await stopped;
    expect(limits.connected()).toBe(false);
    // Past the command timeout: the SELECT has failed for want of an answer.
    await new Promise((r) => setTimeout(r, 1_500));
    proxy.resume();
    await limits.ready(20_000);
    expect(limits.connected()).toBe(true);
  });
}, 60_000);
