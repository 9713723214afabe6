/**
 * A hub database connection whose clock (UTC_TIMESTAMP, NOW) stands at an instant of the test's
 * choosing, apart from this process's: one connection, its session clock set and frozen with
 * `SET timestamp`, so a test puts the database's clock and the hub process's apart without sleeping.
 */
import type mysql from 'mysql2/promise';
import { accessDrizzle, type AccessDb } from '../../db/access/db';
import { createPool, hubDrizzle, type HubDb } from '../../db/connect';

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
