/**
 * Pools and drizzle instances: one for the hub's own database and one per department source.
 * DATE columns come back as 'YYYY-MM-DD' strings (dateStrings), never as Date objects, so a date
 * cannot drift across a time zone.
 */
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { countingLogger } from './instrument';
import * as hubSchema from './household/schema';

export type HubDb = MySql2Database<typeof hubSchema>;

export interface PoolOptions {
  connectTimeoutMs?: number;
  connectionLimit?: number;
  /**
   * Several statements in one round trip. Only for a pool whose SQL the hub writes itself with
   * every value escaped by mysql2 (the audit writer); never for a pool that runs caller-shaped SQL.
   */
  multipleStatements?: boolean;
}

export function createPool(url: string, opts: PoolOptions = {}): mysql.Pool {
  return mysql.createPool({
    uri: url,
    dateStrings: true,
    supportBigNumbers: true,
    decimalNumbers: false,
    charset: 'utf8mb4',
    connectionLimit: opts.connectionLimit ?? 10,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    enableKeepAlive: true,
    multipleStatements: opts.multipleStatements ?? false,
    // mysql2 captures a stack at every query call to decorate errors; it costs measurable CPU on
    // every statement, and the hub never shows a driver stack to anyone.
    trace: false,
  });
}

export function hubDrizzle(pool: mysql.Pool): HubDb {
  return drizzle(pool, { schema: hubSchema, mode: 'default', logger: countingLogger('HUB') });
}

export function sourceDrizzle(pool: mysql.Pool, source: string): MySql2Database<Record<string, never>> {
  return drizzle(pool, { logger: countingLogger(source) });
}
