/**
 * A connection taken from a pool of db/connect.ts `createPool` is handed to drizzle as a client
 * (`npm run import` loads each database through `drizzle(conn)` inside one transaction per database,
 * tools/import/load.ts). The pool's wrapper (retiringRefusedSessions, withDeadline) answered
 * `constructor` with Object's, inherited by its table of overrides, so drizzle read the connection
 * as a config object (`{ connection, … }`), made a pool of its own from the core connection's
 * fields and waited on it for ever: `npm run import -- --dir examples/import --url …` against
 * `npm start` hung after its check, holding an open, empty transaction. Walking the README found it.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { createPool } from '../db/connect';
import { createTestDatabases, type TestDatabases } from './support/databases';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('pool_conn_drizzle');
  await dbs.hubPool.query('CREATE TABLE probe_row (id INT PRIMARY KEY)');
}, 120_000);

afterAll(async () => {
  await dbs?.close();
});

/** A statement through drizzle on `conn` runs on that connection, inside its transaction. */
async function drizzleRunsOnTheConnection(options: { deadlineMs?: number }): Promise<void> {
  const pool = createPool(dbs.hubUrl, { connectionLimit: 1, ...options });
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query('INSERT INTO probe_row VALUES (1)');
    const db = drizzle(conn);
    const answer = db.execute(sql`SELECT CONNECTION_ID() AS thread, (SELECT COUNT(*) FROM probe_row) AS n`);
    // A hang is what failed: bound it, so the test fails with a reason rather than at jest's timeout.
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('drizzle(conn) did not answer')), 10_000).unref());
    const [rows] = (await Promise.race([answer, late])) as unknown as [{ thread: number | string; n: number | string }[]];
    expect(Number(rows[0].thread)).toBe(conn.threadId);
    expect(Number(rows[0].n)).toBe(1);
    await conn.rollback();
  } finally {
    conn.release();
    await pool.end();
  }
}

test('drizzle takes a pooled connection as the connection it is, inside its transaction', async () => {
  await drizzleRunsOnTheConnection({});
}, 60_000);

test('so it does with a deadline on the pool', async () => {
  await drizzleRunsOnTheConnection({ deadlineMs: 5_000 });
}, 60_000);
