/**
 * Statements a department is sent, kept to be explained or counted afterwards (test/index-use.test.ts,
 * test/id-number-charset.test.ts).
 */
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import type { SourceDb } from '../../federation/contract';

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
