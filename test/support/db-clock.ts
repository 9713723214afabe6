/**
 * A hub database connection whose clock (UTC_TIMESTAMP, NOW) stands at an instant of the test's
 * choosing, apart from this process's: one connection, its session clock set and frozen with
 * `SET timestamp`, so a test puts the database's clock and the hub process's apart without sleeping.
 */
import type mysql from 'mysql2/promise';
import { accessDrizzle, type AccessDb } from '../../db/access/db';
import { createPool, hubDrizzle, sourceDrizzle, type HubDb } from '../../db/connect';
import { DEPARTMENT_CODES } from '../../domain/departments';
import type { TestDatabases } from './databases';

export interface FrozenDbClock {
  hub: HubDb;
  access: AccessDb;
  pool: mysql.Pool;
  /** Sets the database's clock on this connection to an instant. */
  set(at: Date): Promise<void>;
  close(): Promise<void>;
}

export async function frozenDbClock(hubUrl: string, at: Date): Promise<FrozenDbClock> {
  const pool = createPool(hubUrl, { connectionLimit: 1 });
  const set = async (instant: Date) => void (await pool.query('SET timestamp = ?', [instant.getTime() / 1000]));
  await set(at);
  return { hub: hubDrizzle(pool), access: accessDrizzle(pool), pool, set, close: () => pool.end() };
}

/** Runs `body` with a database clock frozen at `at`, closing its connection afterwards. */
export async function withDbClock<T>(hubUrl: string, at: Date, body: (clock: FrozenDbClock) => Promise<T>): Promise<T> {
  const clock = await frozenDbClock(hubUrl, at);
  try {
    return await body(clock);
  } finally {
    await clock.close();
  }
}

/** The hub's and every department's database clocks frozen (one connection each), and the databases read and written through them. */
export interface FrozenDbClocks {
  /** `dbs` with `hub`, `hubPool`, `sources` and `sourceSet` (its `db` and `pool`) on the frozen clocks. */
  dbs: TestDatabases;
  /** Sets every one of the clocks to an instant. */
  set(at: Date): Promise<void>;
  close(): Promise<void>;
}

/**
 * The hub's and every department's database clock frozen at `at`: rows written through them carry
 * that instant in their change markers, and a poller reading through them sees that instant as now.
 */
export async function frozenDbClocks(dbs: TestDatabases, at: Date): Promise<FrozenDbClocks> {
  const hub = await frozenDbClock(dbs.hubUrl, at);
  const pools = DEPARTMENT_CODES.map((code) => ({ code, pool: createPool(dbs.sourceUrls[code], { connectionLimit: 1 }) }));
  const set = async (instant: Date) => {
    await hub.set(instant);
    for (const { pool } of pools) await pool.query('SET timestamp = ?', [instant.getTime() / 1000]);
  };
  const close = async () => {
    await hub.close();
    for (const { pool } of pools) await pool.end();
  };
  try {
    await set(at);
  } catch (err) {
    await close();
    throw err;
  }
  const sources = Object.fromEntries(pools.map(({ code, pool }) => [code, sourceDrizzle(pool, code)])) as TestDatabases['sources'];
  const sourceSet = Object.fromEntries(pools.map(({ code, pool }) => [code, { ...dbs.sourceSet[code], db: sources[code], pool }])) as TestDatabases['sourceSet'];
  return { dbs: { ...dbs, hub: hub.hub, hubPool: hub.pool, sources, sourceSet }, set, close };
}

/**
 * Runs `body` with the hub's and every department's database clock frozen at `at` (frozenDbClocks):
 * a scenario written a minute back is older than a poller's commit lag when the poller first looks,
 * the past, as a hub's data is when its poller starts.
 */
export async function withDbClocks<T>(dbs: TestDatabases, at: Date, body: (frozen: TestDatabases) => Promise<T>): Promise<T> {
  const clocks = await frozenDbClocks(dbs, at);
  try {
    return await body(clocks.dbs);
  } finally {
    await clocks.close();
  }
}
