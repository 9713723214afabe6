/**
 * The outbox as /metrics counts it (outboxBacklog), on the test's MariaDB:
 *
 * - its times are the database's on both sides: a hub process whose clock differs from the
 *   database's (here the database's session clock is set apart from this process's with
 *   `SET timestamp`, which also freezes it, so ages are exact) enqueues pushes that are due at once
 *   and whose age is the true one. Written with the process's clock, a push enqueued an hour behind
 *   the database's clock showed as an hour old, and one enqueued an hour ahead waited an hour to be due.
 * - its statement reads the `alert_delivery_gauges` index alone, among many delivered rows.
 * - the subscription lock's row, deleted by hand, is made again outside the transaction that
 *   missed it: that transaction's rollback leaves it in place.
 * - a subscriber's client is expired by the database's clock when pushes are queued: read against
 *   this process's, a client the database held expired was still queued pushes, and one it did not
 *   was queued none; and so is it by the delivery worker at each attempt (a push to a client the
 *   database holds expired is a dead letter, one to a client it does not is sent); and so is it when a
 *   subscription is made for it (refused CLIENT_EXPIRED: made, it would never have been pushed a word).
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import { enqueueAlertDeliveries } from '../../db/alert-delivery/outbox';
import { outboxBacklog } from '../../db/alert-delivery/store';
import { createPool, hubDrizzle, type HubDb } from '../../db/connect';
import { lockingTransaction } from '../../db/locking';
import { toDbInstant } from '../../db/instants';
import pino from 'pino';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { deliveryAudit } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { HOSTS, insertSubscribedRegions, raise, revokeActiveSubscriptions, subscribe, subscriberClient, syntheticAlert, TOWNSHIP } from './scenario';
import { EXPLAIN_ROWS } from '../support/statements';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('outbox_gauges');
  await insertSubscribedRegions(dbs.hub);
  await subscriberClient(dbs.hub, 'gauges-client');
}, 120_000);

afterAll(async () => {
  await dbs?.close();
});

afterEach(async () => {
  await revokeActiveSubscriptions(dbs.hub);
  await dbs.hubPool.query('DELETE FROM alert_delivery');
});

/** Sets a client's expiry `minutes` from this process's clock (api_client.expires_at, UTC). */
async function expireClient(name: string, minutes: number): Promise<void> {
  await dbs.hubPool.query('UPDATE api_client SET expires_at = ? WHERE name = ?', [toDbInstant(new Date(Date.now() + minutes * 60_000)), name]);
}

/** A hub connection whose database clock stands `skewSeconds` from this process's, frozen there. */
async function skewedHub(skewSeconds: number): Promise<{ hub: HubDb; at(seconds: number): Promise<void>; close(): Promise<void> }> {
  const pool = createPool(dbs.hubUrl, { connectionLimit: 1 });
  const base = Math.floor(Date.now() / 1000) + skewSeconds;
  const at = async (seconds: number) => void (await pool.query('SET timestamp = ?', [base + seconds]));
  await at(0);
  return { hub: hubDrizzle(pool), at, close: () => pool.end() };
}

describe.each([
  ['an hour behind', 3600],
  ['an hour ahead of', -3600],
])('a hub process whose clock is %s the database’s', (_, skewSeconds) => {
  it('enqueues pushes due at once, whose age is read from the database’s clock alone', async () => {
    await subscribe(dbs.hub, 'gauges-client', 'http://127.0.0.1:4551/hook');
    const skewed = await skewedHub(skewSeconds);
    try {
      expect(await raise(skewed.hub, syntheticAlert())).toBe(1);
      expect(await outboxBacklog(skewed.hub)).toEqual({ due: 1, claimed: 0, scheduled: 0, dead: 0, oldestPendingSeconds: 0 });
      await skewed.at(90);
      expect((await outboxBacklog(skewed.hub)).oldestPendingSeconds).toBe(90);
    } finally {
      await skewed.close();
    }
  });
});

describe('the gauges’ statement', () => {
  const DELIVERED = 20_000;
  const PENDING = 30;
  const DEAD = 10;

  it('reads alert_delivery_gauges alone (Using index), not the rows of every pending and dead push', async () => {
    const at = '2026-03-15 02:00:00.000';
    const row = (i: number, state: string) => [`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 1, `alert-${i}`, 'ALERT_OPENED', '{"x":1}', state, 1, 0, at, at];
    const rows = [
      ...Array.from({ length: DELIVERED }, (_, i) => row(i, 'DELIVERED')),
      ...Array.from({ length: PENDING }, (_, i) => row(DELIVERED + i, 'PENDING')),
      ...Array.from({ length: DEAD }, (_, i) => row(DELIVERED + PENDING + i, 'DEAD')),
    ];
    for (let i = 0; i < rows.length; i += 2_000) {
      await dbs.hubPool.query('INSERT INTO alert_delivery (delivery_id, subscription_id, alert_id, event, payload, state, attempts, backlog, next_attempt_at, created_at) VALUES ?', [rows.slice(i, i + 2_000)]);
    }
    await dbs.hubPool.query('ANALYZE TABLE alert_delivery');
    const statements: { sql: string; params: unknown[] }[] = [];
    const db = drizzle(dbs.hubPool, { logger: { logQuery: (text, params) => statements.push({ sql: text, params }) } }) as unknown as HubDb;
    const backlog = await outboxBacklog(db);
    expect(backlog).toMatchObject({ due: PENDING, dead: DEAD });
    expect(statements).toHaveLength(1);
    const [plan] = await dbs.hubPool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${statements[0].sql}`, statements[0].params);
    expect(plan).toHaveLength(1);
    expect(plan[0].key).toBe('alert_delivery_gauges');
    expect(String(plan[0].Extra)).toContain('Using index');
  }, 120_000);
});

describe('the subscription lock’s row, deleted by hand', () => {
  const lockRows = async () => Number(((await dbs.hub.execute(sql`SELECT COUNT(*) AS n FROM alert_subscription_lock`)) as unknown as [{ n: number }[]])[0][0].n);

  it('is made again outside the transaction that missed it, which then runs once more', async () => {
    await subscribe(dbs.hub, 'gauges-client', 'http://127.0.0.1:4551/hook');
    await dbs.hubPool.query('DELETE FROM alert_subscription_lock');
    let runs = 0;
    // A transaction that queues a push and then rolls back (a dry run, a refusal): made inside it,
    // the row went with the rollback.
    await expect(
      lockingTransaction(dbs.hub, async (tx) => {
        runs += 1;
        await enqueueAlertDeliveries(tx, syntheticAlert());
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');
    expect(runs).toBe(2);
    expect(await lockRows()).toBe(1);
    expect(await raise(dbs.hub, syntheticAlert())).toBe(1);
  });
});

describe('a subscriber’s client whose expiry lies between this process’s clock and the database’s', () => {

  it('is told of no alert once the database’s clock has passed its expiry, though this process’s has not', async () => {
    await subscriberClient(dbs.hub, 'expiring-client');
    await subscribe(dbs.hub, 'expiring-client', 'http://127.0.0.1:4551/hook');
    await expireClient('expiring-client', 30);
    const skewed = await skewedHub(3600);
    try {
      expect(await raise(skewed.hub, syntheticAlert())).toBe(0);
    } finally {
      await skewed.close();
    }
  });

  it('is told of an alert while the database’s clock has not reached its expiry, though this process’s has', async () => {
    await subscriberClient(dbs.hub, 'expired-here-client');
    await subscribe(dbs.hub, 'expired-here-client', 'http://127.0.0.1:4551/hook');
    await expireClient('expired-here-client', -30);
    const skewed = await skewedHub(-3600);
    try {
      expect(await raise(skewed.hub, syntheticAlert())).toBe(1);
    } finally {
      await skewed.close();
    }
  });
});

describe('a subscription made through a hub process whose clock is off, its client expiring between', () => {
  // The expiry is set from the database's own clock (this session's is not skewed); the create runs
  // on a session whose clock stands an hour from it, where this process's stands nearer the expiry's other side.
  const expireFromDbClock = (name: string, minutes: number) => dbs.hubPool.query('UPDATE api_client SET expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MINUTE WHERE name = ?', [minutes, name]);

  it.each([
    ['expired by the database’s clock, not by this process’s: refused, CLIENT_EXPIRED, nothing made', 'create-expired-client', 30, 3600, { ok: false, code: 'CLIENT_EXPIRED', field: 'client' }, 0],
    ['expired by this process’s clock, not by the database’s: made', 'create-live-client', -30, -3600, { ok: true }, 1],
  ])('a client %s', async (_, name, expiresInMinutes, skewSeconds, outcome, made) => {
    await subscriberClient(dbs.hub, name);
    await expireFromDbClock(name, expiresInMinutes);
    const skewed = await skewedHub(skewSeconds);
    try {
      expect(await createSubscription(skewed.hub, HOSTS, { clientName: name, callbackUrl: `http://127.0.0.1:9/${name}`, regionCodes: [TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin' })).toMatchObject(outcome);
    } finally {
      await skewed.close();
    }
    const [[{ n }]] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM alert_subscription WHERE client_id = ?', [name])) as any;
    expect(Number(n)).toBe(made);
  });
});

describe('a delivery worker of a hub process whose clock is off, a subscriber’s client expiring between', () => {
  const lastErrors = async () => ((await dbs.hubPool.query<mysql.RowDataPacket[]>('SELECT state, last_error FROM alert_delivery ORDER BY id'))[0]).map((r) => [r.state, r.last_error]);

  it.each([
    ['expired by the database’s clock, not by this process’s: its push is a dead letter, not sent', 'worker-expired-client', 30, 3600, { dead: 1, retried: 0 }, [['DEAD', expect.stringMatching(/^CLIENT_READS_NO_ALERTS \(CLIENT_EXPIRED\)/)]]],
    ['expired by this process’s clock, not by the database’s: its push is sent (and fails: nobody listens)', 'worker-live-client', -30, -3600, { dead: 0, retried: 1 }, [['PENDING', expect.not.stringContaining('CLIENT_EXPIRED')]]],
  ])('a client %s', async (_, name, expiresInMinutes, skewSeconds, outcome, rows) => {
    await subscriberClient(dbs.hub, name);
    // Port 9 (discard) on 127.0.0.1: refused at once, an attempt that fails.
    await subscribe(dbs.hub, name, `http://127.0.0.1:9/${name}`);
    const skewed = await skewedHub(skewSeconds);
    const audit = await deliveryAudit(dbs);
    try {
      expect(await raise(skewed.hub, syntheticAlert())).toBe(1);
      await expireClient(name, expiresInMinutes);
      const worker = new AlertDeliveryWorker(skewed.hub, audit, { pollMs: 60_000, retryScheduleMs: [60_000, 60_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 10, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));
      expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 0, ...outcome });
      expect(await lastErrors()).toEqual(rows);
    } finally {
      await skewed.close();
      await audit.close();
    }
  });
});
