/**
 * A department read's abandonable scope reaches its statements through the handle the read is
 * given (db/abandon.ts `Scope.db`), not through anything that follows its promises: a statement the
 * read sends after an await is still the scope's, stopped on the source when the read is abandoned
 * if it is running then, and not sent at all if the read sends it later. Handed the source's own
 * database instead of the scope's view, the read's statement would go on waiting on the source.
 */
import { sql } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { AbandonedStatement } from '../db/abandon';
import type { SourceConfig } from '../db/config';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { unavailableReason } from '../federation/loaders';
import { withinScanLimit } from '../federation/reads';
import { closeSources, openSources, type Sources } from '../federation/sources';
import { testServerUrl } from './support/databases';
import { until } from './support/until';

/** A lock the test holds for as long as it runs: a statement asking for it waits on the server until stopped. */
const LOCK = 'aidhub_abandon_handle';

let sources: Sources;
let holder: mysql.Connection;
let watcher: mysql.Connection;

beforeAll(async () => {
  const config: SourceConfig = { url: testServerUrl(), timeoutMs: 60_000, scanTimeoutMs: 200 };
  sources = openSources(Object.fromEntries(DEPARTMENT_CODES.map((code) => [code, config])) as Record<DepartmentCode, SourceConfig>);
  holder = await mysql.createConnection({ uri: testServerUrl() });
  watcher = await mysql.createConnection({ uri: testServerUrl() });
  await holder.query('SELECT GET_LOCK(?, 0)', [LOCK]);
});

afterAll(async () => {
  await holder.end();
  await watcher.end();
  await closeSources(sources);
});

/** The error `error` wraps (drizzle's DrizzleQueryError keeps the driver's as its cause). */
const causeOf = (error: unknown) => (error as { cause?: unknown }).cause ?? error;

/** Statements of this process waiting for the test's lock on the server. */
async function waiting(): Promise<number> {
  const [rows] = await watcher.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT GET_LOCK(%' AND INFO LIKE ? AND ID <> CONNECTION_ID()", [`%${LOCK}%`]);
  return Number((rows as { n: number }[])[0].n);
}

it('stops the statement a read sends after an await, and refuses the one it sends once abandoned', async () => {
  let opened!: () => void;
  const gate = new Promise<void>((resolve) => (opened = resolve));
  const outcomes: string[] = [];
  let sent!: (outcome: Promise<unknown>) => void;
  const lastOutcome = new Promise<unknown>((resolve) => (sent = resolve));
  const read = withinScanLimit(sources, 'UNION', async (db) => {
    await db.execute(sql`SELECT 1`);
    outcomes.push('first answered');
    // Sent after an await, as an adapter's second statement is: it waits for the lock until stopped.
    // (Stopped, it ends: KILL QUERY makes GET_LOCK answer NULL, or the closed connection fails it.)
    await db.execute(sql.raw(`SELECT GET_LOCK('${LOCK}', 600)`)).catch(() => undefined);
    outcomes.push('waiting statement ended');
    await gate;
    const last = db.execute(sql`SELECT 2`);
    sent(last.then(() => null, (error: unknown) => error));
    return last;
  });
  // The read cannot end before its time limit: it waits for the lock, then for the gate.
  const failed = await read.then(() => null, (error: unknown) => error);
  expect(unavailableReason(failed)).toBe('TIMEOUT');
  expect(await until('the read stopped on the server', waiting, (n) => n === 0, 30_000)).toBe(0);
  opened();
  expect(causeOf(await lastOutcome)).toBeInstanceOf(AbandonedStatement);
  expect(outcomes).toEqual(['first answered', 'waiting statement ended']);
});
