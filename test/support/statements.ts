/**
 * Statements a department is sent, kept to be explained or counted afterwards (test/index-use.test.ts,
 * test/id-number-charset.test.ts).
 */
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import type { SourceDb } from '../../federation/contract';

/**
 * EXPLAIN as a table of rows (`type`, `key`, `rows`, `Extra`), which the tests and benches read. MySQL
 * 9's default `explain_format` is TREE (one text column, `EXPLAIN`), so a plain EXPLAIN answered
 * there with no `key` to read; MySQL 8 and MariaDB 10.11 take FORMAT=TRADITIONAL as well and answer
 * as before. TiDB's EXPLAIN has other columns whatever the format: these plans are read on MySQL and
 * MariaDB only.
 */
export const EXPLAIN_ROWS = 'EXPLAIN FORMAT=TRADITIONAL';

export interface Captured {
  sql: string;
  params: unknown[];
}

/** A new handle on a department's pool (as a hub's start opens one) keeping every statement it is sent. */
export function capturingStatements(pool: mysql.Pool): { db: SourceDb; statements: Captured[] } {
  const statements: Captured[] = [];
  const db = drizzle(pool, { logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as SourceDb;
  return { db, statements };
}
