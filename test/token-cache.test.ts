/**
 * Token look-ups kept for a short time (access/clients.ts TokenCache, TOKEN_CACHE_MS): a client's
 * requests cost one look-up per period, and a revoked, rotated or expired token still stops
 * working within that period (and never past its own expiry).
 */
import { createClient, revokeClient, rotateClient, TokenCache } from '../access/clients';
import { toDbInstant } from '../db/instants';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { frozenDbClock } from './support/db-clock';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
const TTL_MS = 300;

beforeAll(async () => {
  dbs = await createTestDatabases('token_cache');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, tokenCacheMs: TTL_MS });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bearer = (token: string) => `Bearer ${token}`;
const spec = (name: string, expiresAt: string | null = null) => ({ name, department: 'CIVIL_AFFAIRS' as const, regionScope: '370811', roles: ['READER' as const], expiresAt });

describe('TokenCache', () => {
  it('answers from the cache within its period, and sees a revocation once the period is over', async () => {
    const { token } = await createClient(hub.accessDb, spec('cached-revoked'));
    let now = Date.now();
    const cache = new TokenCache(hub.accessDb, 2000, () => now);
    expect((await cache.authenticate(bearer(token))).ok).toBe(true);
    await revokeClient(hub.accessDb, 'cached-revoked');
    now += 1999;
    // Still within the period: the revocation is not seen yet (the look-up was not repeated).
    expect(await cache.authenticate(bearer(token))).toMatchObject({ ok: true, caller: { name: 'cached-revoked' } });
    now += 1;
    expect(await cache.authenticate(bearer(token))).toEqual({ ok: false, reason: 'TOKEN_REVOKED' });
    // A failure is not kept either way: still refused.
    expect(await cache.authenticate(bearer(token))).toEqual({ ok: false, reason: 'TOKEN_REVOKED' });
  });

  it('known() answers at once what authenticate would without a look-up, and null where only a look-up can tell', async () => {
    const { token } = await createClient(hub.accessDb, spec('cached-known'));
    let now = Date.now();
    const cache = new TokenCache(hub.accessDb, 2000, () => now);
    // Not looked up yet.
    expect(cache.known(bearer(token))).toBeNull();
    const looked = await cache.authenticate(bearer(token));
    expect(looked.ok).toBe(true);
    expect(cache.known(bearer(token))).toEqual(looked);
    now += 1999;
    expect(cache.known(bearer(token))).toEqual(looked);
    now += 1;
    // The period is over: only a look-up can tell.
    expect(cache.known(bearer(token))).toBeNull();
    // A header without a token of this hub needs no look-up: the same reason authenticate gives.
    for (const header of [undefined, 'Basic abc', 'Bearer nope']) expect(cache.known(header)).toEqual(await cache.authenticate(header));
    expect(cache.known(undefined)).toEqual({ ok: false, reason: 'TOKEN_MISSING' });
    // Without a period every request is looked up.
    const uncached = new TokenCache(hub.accessDb, 0, () => now);
    await uncached.authenticate(bearer(token));
    expect(uncached.known(bearer(token))).toBeNull();
    expect(uncached.known(undefined)).toBeNull();
  });

  it('sees a rotation once the period is over, and the new token works at once', async () => {
    const { token } = await createClient(hub.accessDb, spec('cached-rotated'));
    let now = Date.now();
    const cache = new TokenCache(hub.accessDb, 2000, () => now);
    expect((await cache.authenticate(bearer(token))).ok).toBe(true);
    const { token: fresh } = await rotateClient(hub.accessDb, 'cached-rotated');
    expect((await cache.authenticate(bearer(fresh))).ok).toBe(true);
    now += 2000;
    expect(await cache.authenticate(bearer(token))).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    expect((await cache.authenticate(bearer(fresh))).ok).toBe(true);
  });

  it('never serves a token past its own expiry, however long the period: kept to the millisecond before it, refused at it', async () => {
    // The database's clock (which judges the expiry) frozen a millisecond before it, and the cache's
    // own clock stepped by hand: no sleep racing the expiry (this test slept past a 1.5 s expiry,
    // and a look-up slower than that on a loaded machine found the token expired already).
    const expiry = new Date('2026-03-15T02:00:00.000Z');
    const { token } = await createClient(hub.accessDb, spec('cached-expiring', toDbInstant(expiry)));
    const clock = await frozenDbClock(dbs.hubUrl, new Date(expiry.getTime() - 1));
    try {
      let now = 0;
      const cache = new TokenCache(clock.access, 3_600_000, () => now);
      expect((await cache.authenticate(bearer(token))).ok).toBe(true);
      await clock.set(expiry);
      // Kept for the millisecond the look-up found left, not the hour's period.
      expect((await cache.authenticate(bearer(token))).ok).toBe(true);
      now += 1;
      // Looked up again at the instant of its expiry: expired.
      expect(await cache.authenticate(bearer(token))).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
    } finally {
      await clock.close();
    }
  });

  it('judges a missing or malformed header without a look-up, as before', async () => {
    const cache = new TokenCache(hub.accessDb, 2000);
    expect(await cache.authenticate(undefined)).toEqual({ ok: false, reason: 'TOKEN_MISSING' });
    expect(await cache.authenticate('Bearer nope')).toEqual({ ok: false, reason: 'TOKEN_MALFORMED' });
  });
});

describe(`a hub with TOKEN_CACHE_MS=${TTL_MS}`, () => {
  it('refuses a revoked token once the period has passed', async () => {
    const { token } = await createClient(hub.accessDb, spec('hub-revoked'));
    const as = hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' });
    expect((await as.gql('{ caller { name } }')).data.caller.name).toBe('hub-revoked');
    await revokeClient(hub.accessDb, 'hub-revoked');
    await sleep(TTL_MS + 100);
    const res = await as.gql('{ caller { name } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
  });
});
