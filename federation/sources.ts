/**
 * Live connections to every department source: one pool each, each with its own URL and timeout,
 * so that in production each can point at that department's own server.
 *
 * Beside it, each source keeps a few connections for pre-grant checks (`checks`): the call a
 * department makes before every grant waits behind nothing but other checks while one of them is
 * free, however many household queries fill the shared pool (db/connect.ts reservedLane).
 */
import type mysql from 'mysql2/promise';
import { createPool, reservedLane, sourceDrizzle } from '../db/connect';
import { killerFor, stoppingAbandoned } from '../db/abandon';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { CHECK_CONNECTIONS_DEFAULT, SCAN_TIMEOUT_MS_DEFAULT, type SourceConfig } from '../db/config';
import type { SourceDb } from './contract';

export interface Source {
  code: DepartmentCode;
  db: SourceDb;
  timeoutMs: number;
  /** One statement of a scan or monthly comparison may wait this long (SourceConfig.scanTimeoutMs). */
  scanTimeoutMs: number;
  pool: mysql.Pool;
  /** The same department through its reserved lane: what pre-grant checks read through. */
  checks: { db: SourceDb; pool: ReturnType<typeof reservedLane> };
}

export type Sources = Record<DepartmentCode, Source>;

export function openSources(configs: Record<DepartmentCode, SourceConfig>): Sources {
  return Object.fromEntries(
    DEPARTMENT_CODES.map((code) => {
      const { url, timeoutMs, checkConnections = CHECK_CONNECTIONS_DEFAULT, scanTimeoutMs = SCAN_TIMEOUT_MS_DEFAULT } = configs[code];
      // Reads the hub gives up on are stopped on the source (db/abandon.ts), through a connection of their own.
      const killing = createPool(url, { connectTimeoutMs: timeoutMs, connectionLimit: 1 });
      const kill = killerFor(killing);
      const pool = stoppingAbandoned(createPool(url, { connectTimeoutMs: timeoutMs }), kill);
      // Opened on first use, like the shared pool: a hub that runs no checks holds none of them.
      const reserved = stoppingAbandoned(createPool(url, { connectTimeoutMs: timeoutMs, connectionLimit: checkConnections }), kill);
      // A source that is down must not crash the hub: pool errors surface per query instead.
      for (const p of [pool, reserved, killing]) p.on('connection', (conn) => conn.on('error', () => undefined));
      killingPools.set(pool, killing);
      const lane = reservedLane(reserved, pool, checkConnections);
      return [code, { code, db: sourceDrizzle(pool, code), timeoutMs, scanTimeoutMs, pool, checks: { db: sourceDrizzle(lane, code), pool: lane } }];
    }),
  ) as Sources;
}

/** Each source's pool for `KILL QUERY`, closed with it. */
const killingPools = new WeakMap<mysql.Pool, mysql.Pool>();

export async function closeSources(sources: Sources): Promise<void> {
  await Promise.all(
    Object.values(sources).flatMap((s) => [s.pool, s.checks.pool, killingPools.get(s.pool)].map((p) => p?.end().catch(() => undefined))),
  );
}

const checkViews = new WeakMap<Sources, Sources>();

/** The sources as pre-grant checks read them: each through its reserved lane (made once per set). */
export function checkSources(sources: Sources): Sources {
  let view = checkViews.get(sources);
  if (!view) {
    view = Object.fromEntries(Object.entries(sources).map(([code, s]) => [code, { ...s, db: s.checks.db }])) as Sources;
    checkViews.set(sources, view);
  }
  return view;
}
