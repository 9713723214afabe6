/**
 * Live connections to every department source: one pool each, each with its own URL and timeout,
 * so that in production each can point at that department's own server.
 */
import type mysql from 'mysql2/promise';
import { createPool, sourceDrizzle } from '../db/connect';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { SourceConfig } from '../db/config';
import type { SourceDb } from './contract';

export interface Source {
  code: DepartmentCode;
  db: SourceDb;
  timeoutMs: number;
  pool: mysql.Pool;
}

export type Sources = Record<DepartmentCode, Source>;

export function openSources(configs: Record<DepartmentCode, SourceConfig>): Sources {
  return Object.fromEntries(
    DEPARTMENT_CODES.map((code) => {
      const { url, timeoutMs } = configs[code];
      const pool = createPool(url, { connectTimeoutMs: timeoutMs });
      // A source that is down must not crash the hub: pool errors surface per query instead.
      pool.on('connection', (conn) => conn.on('error', () => undefined));
      return [code, { code, db: sourceDrizzle(pool, code), timeoutMs, pool }];
    }),
  ) as Sources;
}

export async function closeSources(sources: Sources): Promise<void> {
  await Promise.all(Object.values(sources).map((s) => s.pool.end().catch(() => undefined)));
}
