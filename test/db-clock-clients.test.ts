/**
 * API clients, subscriptions and pushes judged and timed by the hub database's clock, not the hub
 * process's (docs/scale-out.md, "Time"): several hub processes share one database, and any one's
 * clock may be off. Here the database's clock is set apart from this process's on one connection
 * (support/db-clock.ts, `SET timestamp`), and every call goes through that connection:
 *
 * - a token the process would hold valid but the database holds expired is refused TOKEN_EXPIRED,
 *   and one the process would hold expired but the database does not is accepted (before, its own
 *   clock judged: a process an hour slow served a token half an hour past its expiry);
 * - the token cache keeps a token no longer than the database's clock leaves it, counted from the
 *   look-up on the process's own clock (before, until the expiry read on the process's clock);
 * - `npm run clients -- list` and the token check of the demo clients say EXPIRED as the database does;
 * - the times stored when a client is made, rotated or revoked, a subscription made or revoked, a
 *   push delivered or given up, are the database's.
 */
import { authenticate, createClient, listClients, revokeClient, rotateClient, tokenIsCurrent, TokenCache } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { claimDue, markDelivered, revokeSubscription } from '../db/alert-delivery/store';
import { toDbInstant } from '../db/instants';
import { chinaDateOf } from '../domain/cases/china-time';
import { clientsCommand } from '../tools/clients';
import { insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './alert-delivery/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { type FrozenDbClock, withDbClock as withDbClockAt } from './support/db-clock';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('db_clock_clients');
  await insertSubscribedRegions(dbs.hub);
}, 120_000);

afterAll(async () => {
  await dbs?.close();
});

const MINUTE = 60_000;
const bearer = (token: string) => `Bearer ${token}`;
const spec = (name: string, expiresAt: string | null) => ({ name, department: 'CIVIL_AFFAIRS' as const, regionScope: '370811', roles: ['READER' as const], expiresAt });
/** An instant `minutes` from this process's clock. */
const fromNow = (minutes: number) => new Date(Date.now() + minutes * MINUTE);

const withDbClock = <T>(at: Date, body: (clock: FrozenDbClock) => Promise<T>): Promise<T> => withDbClockAt(dbs.hubUrl, at, body);

describe('a token whose expiry lies between this process’s clock and the database’s', () => {
  it('is refused once the database’s clock has passed its expiry, though this process’s has not', async () => {
    const { token } = await createClient(accessDbOf(dbs.hub), spec('db-expired', toDbInstant(fromNow(30))));
    await withDbClock(fromNow(60), async (clock) => {
      expect(await authenticate(clock.access, bearer(token))).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
      expect(await new TokenCache(clock.access, 3_600_000).authenticate(bearer(token))).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
      expect((await listClients(clock.access)).find((c) => c.name === 'db-expired')?.status).toBe('EXPIRED');
      expect(await tokenIsCurrent(clock.access, 'db-expired', token)).toBe(false);
    });
  });

  it('is accepted while the database’s clock has not reached its expiry, though this process’s has', async () => {
    const { token } = await createClient(accessDbOf(dbs.hub), spec('db-valid', toDbInstant(fromNow(30))));
    await dbs.hubPool.query('UPDATE api_client SET expires_at = ? WHERE name = ?', [toDbInstant(fromNow(-30)), 'db-valid']);
    await withDbClock(fromNow(-60), async (clock) => {
      expect(await authenticate(clock.access, bearer(token))).toMatchObject({ ok: true, caller: { name: 'db-valid' } });
      expect(await new TokenCache(clock.access, 3_600_000).authenticate(bearer(token))).toMatchObject({ ok: true, caller: { name: 'db-valid' } });
      expect((await listClients(clock.access)).find((c) => c.name === 'db-valid')?.status).toBe('ACTIVE');
      expect(await tokenIsCurrent(clock.access, 'db-valid', token)).toBe(true);
    });
  });

  it('is kept by the token cache no longer than the database’s clock leaves it', async () => {
    // A minute left by the database's clock, half an hour ahead of this process's: by the process's
    // clock the token had 31 minutes, and the cache kept it that long (its hour's period cut only
    // by the expiry read on the process's clock), serving it 30 minutes past its expiry.
    const dbAt = fromNow(30);
    const { token } = await createClient(accessDbOf(dbs.hub), spec('db-cached', toDbInstant(new Date(dbAt.getTime() + MINUTE))));
    await withDbClock(dbAt, async (clock) => {
      let processMs = Date.now();
      const cache = new TokenCache(clock.access, 3_600_000, () => processMs);
      expect((await cache.authenticate(bearer(token))).ok).toBe(true);
      // The database's clock passes the expiry; the cache's entry had a minute by the process's clock.
      await clock.set(new Date(dbAt.getTime() + MINUTE + 1000));
      processMs += MINUTE - 1;
      expect((await cache.authenticate(bearer(token))).ok).toBe(true);
      processMs += 1;
      expect(await cache.authenticate(bearer(token))).toEqual({ ok: false, reason: 'TOKEN_EXPIRED' });
    });
  });
});

describe('the instants stored for clients, subscriptions and pushes', () => {
  // Far from this process's clock either way, so a time written from it cannot pass for this one.
  const DB_AT = new Date('2026-03-15T02:00:00.000Z');
  const STORED = '2026-03-15 02:00:00.000';

  it('are the database’s: a client made, rotated and revoked', async () => {
    await withDbClock(DB_AT, async (clock) => {
      await createClient(clock.access, spec('db-times', null));
      await rotateClient(clock.access, 'db-times');
      const revoked = await revokeClient(clock.access, 'db-times');
      expect({ createdAt: revoked.createdAt, rotatedAt: revoked.rotatedAt, revokedAt: revoked.revokedAt }).toEqual({ createdAt: STORED, rotatedAt: STORED, revokedAt: STORED });
    });
  });

  it('are the database’s: a subscription made and revoked, a push delivered and one given up with its subscription', async () => {
    await subscriberClient(dbs.hub, 'db-times-subscriber');
    await withDbClock(DB_AT, async (clock) => {
      const made = await subscribe(clock.hub, 'db-times-subscriber', 'http://127.0.0.1:45201/hook');
      if (!made.ok) throw new Error('not made');
      expect(await raise(clock.hub, syntheticAlert())).toBe(1);
      const [claimed] = await claimDue(clock.hub, 'round-1', 10, MINUTE);
      expect(await markDelivered(clock.hub, 'round-1', [claimed.id], new Map([[claimed.id, 200]]))).toBe(1);
      expect(await raise(clock.hub, syntheticAlert())).toBe(1);
      await revokeSubscription(clock.hub, made.subscription.id);
    });
    const [subscriptions] = (await dbs.hubPool.query("SELECT created_at, revoked_at FROM alert_subscription WHERE client_id = 'db-times-subscriber'")) as any;
    expect(subscriptions).toEqual([{ created_at: STORED, revoked_at: STORED }]);
    const [deliveries] = (await dbs.hubPool.query('SELECT d.state, d.delivered_at, d.dead_at FROM alert_delivery d JOIN alert_subscription s ON s.id = d.subscription_id WHERE s.client_id = ? ORDER BY d.id', ['db-times-subscriber'])) as any;
    expect(deliveries).toEqual([
      { state: 'DELIVERED', delivered_at: STORED, dead_at: null },
      { state: 'DEAD', delivered_at: null, dead_at: STORED },
    ]);
  });
});


describe('`npm run clients` expiries', () => {
  async function cli(db: FrozenDbClock, ...argv: string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const code = await clientsCommand(argv, db.access, (l) => out.push(l));
    return { code, out };
  }
  const create = (name: string) => ['create', '--name', name, '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER'];
  const expiresAt = async (name: string) => ((await dbs.hubPool.query('SELECT expires_at FROM api_client WHERE name = ?', [name])) as any)[0][0].expires_at;

  it('count --expires-in from the database’s clock, on create and on rotate', async () => {
    // Far from this process's clock, so a span counted from it cannot pass for one counted from the database's.
    await withDbClock(new Date('2026-03-15T02:00:00.000Z'), async (clock) => {
      expect((await cli(clock, ...create('cli-span'), '--expires-in', '2d')).code).toBe(0);
      expect(await expiresAt('cli-span')).toBe('2026-03-17 02:00:00.000');
      expect((await cli(clock, 'rotate', 'cli-span', '--expires-in', '12h')).code).toBe(0);
      expect(await expiresAt('cli-span')).toBe('2026-03-15 14:00:00.000');
    });
  });

  it('refuse an --expires the database’s clock has passed, though this process’s has not', async () => {
    const dayAhead = new Date(Date.now() + 2 * 86_400_000);
    const tomorrow = chinaDateOf(new Date(Date.now() + 86_400_000));
    await withDbClock(dayAhead, async (clock) => {
      const refused = await cli(clock, ...create('cli-passed'), '--expires', tomorrow);
      expect({ code: refused.code, passed: refused.out[0].includes('has passed') }).toEqual({ code: 2, passed: true });
      expect((await listClients(clock.access)).map((c) => c.name)).not.toContain('cli-passed');
    });
  });

  it('accept an --expires the database’s clock has not reached, though this process’s has passed it', async () => {
    const twoDaysBack = new Date(Date.now() - 2 * 86_400_000);
    const yesterday = chinaDateOf(new Date(Date.now() - 86_400_000));
    await withDbClock(twoDaysBack, async (clock) => {
      expect((await cli(clock, ...create('cli-not-passed'), '--expires', yesterday)).code).toBe(0);
      expect((await listClients(clock.access)).find((c) => c.name === 'cli-not-passed')?.status).toBe('ACTIVE');
    });
  });
});
