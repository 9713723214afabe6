/**
 * reportedAidHistory (historyOf, db/reported-aid/store.ts) reads the chain asked for, not the
 * reporter's ledger: it read every entry of the caller (or its organisation) on each call, a
 * statement growing with years of entries. Here a reporter holds thousands of entries beside one
 * chain of three; the history reads through indexes (EXPLAIN), in a fixed number of statements, and
 * the rows the server reads (Handler_read_* counters) are a handful, not the reporter's ledger.
 */
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import type { HubDb } from '../db/connect';
import { historyOf } from '../db/reported-aid/store';
import { makeIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { EXPLAIN_ROWS } from './support/statements';

const CLIENT = 'hist-emergency';
const PERSON = makeIdNumber('370811', '1970-01-01', 51);
const FILLER = 3_000;

let dbs: TestDatabases;

/** A ledger row as recordReportedAid writes one (the content hash is not read here). */
function row(reference: string, entryKind: string, supersedes: string | null, amountFen: number): unknown[] {
  return [CLIENT, 'EMERGENCY_MANAGEMENT', reference, entryKind, supersedes, PERSON, 'WINTER_SPRING_RELIEF', '2026-01-20', amountFen, 'x'.repeat(64), '2026-01-21 00:00:00.000'];
}

const INSERT = 'INSERT INTO reported_aid (reporter_client, reporter_office, reference, entry_kind, supersedes_reference, beneficiary_id_number, programme, grant_date, amount_fen, content_hash, received_at) VALUES ?';

beforeAll(async () => {
  dbs = await createTestDatabases('reported_aid_history_index');
  // Years of the reporter's entries, before and after the chain asked for.
  for (let from = 0; from < FILLER; from += 1_000) {
    await dbs.hubPool.query(INSERT, [Array.from({ length: 1_000 }, (_, i) => row(`YJ-OLD-${from + i}`, 'AID', null, 10_000))]);
  }
  await dbs.hubPool.query(INSERT, [[row('YJ-2026-T1', 'AID', null, 50_000), row('YJ-2026-T1-C', 'CORRECTION', 'YJ-2026-T1', 60_000), row('YJ-2026-T1-R', 'REVERSAL', 'YJ-2026-T1-C', 0)]]);
  await dbs.hubPool.query("UPDATE reported_aid a JOIN reported_aid b ON b.reporter_client = a.reporter_client AND b.supersedes_reference = a.reference SET a.superseded_by = b.id WHERE a.reporter_client = ? AND a.reference IN ('YJ-2026-T1', 'YJ-2026-T1-C')", [CLIENT]);
  await dbs.hubPool.query(INSERT, [Array.from({ length: 1_000 }, (_, i) => row(`YJ-NEW-${i}`, 'AID', null, 10_000))]);
  await dbs.hubPool.query('ANALYZE TABLE reported_aid');
}, 180_000);

afterAll(async () => dbs?.close());

it.each(['YJ-2026-T1', 'YJ-2026-T1-C', 'yj-2026-t1-r'])('reads the chain through %s by index, in four statements, reading a handful of rows', async (reference) => {
  const conn = await dbs.hubPool.getConnection();
  try {
    const statements: { sql: string; params: unknown[] }[] = [];
    const db = drizzle(conn as unknown as mysql.Pool, { logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as HubDb;
    await conn.query('FLUSH STATUS');
    const history = await historyOf(db, CLIENT, reference);
    const [status] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%'");
    const read = status.reduce((sum, s) => sum + Number(s.Value), 0);
    expect('chain' in history && history.chain.map((e) => [e.reference, e.entryKind, e.amountFen])).toEqual([
      ['YJ-2026-T1', 'AID', 50_000],
      ['YJ-2026-T1-C', 'CORRECTION', 60_000],
      ['YJ-2026-T1-R', 'REVERSAL', 0],
    ]);
    // The chain's three rows, each reached by a key from both ends, and the look-ups that end each
    // walk: a few dozen at most, where it read the reporter's 4,003 entries.
    expect(read).toBeLessThan(100);
    // The organisation (none), the entry under the reference, the chain's ids, its rows: a fixed number, whatever the chain.
    expect(statements).toHaveLength(4);
    for (const s of statements) {
      const [plan] = await conn.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${s.sql}`, s.params);
      // A derived table's or a common table expression's own rows are not the log's: MariaDB names
      // them `<derived2>`, MySQL by the expression's name (`back`, `fwd`).
      const ctes = new Set([...s.sql.matchAll(/(\w+)\s*\([\w\s,]*\)\s+AS\s*\(/g)].map((m) => m[1]));
      const scans = plan.filter((step) => (step.type === 'ALL' || step.type === 'index') && !String(step.table).startsWith('<') && !ctes.has(String(step.table)));
      expect(scans.map((step) => `${step.table} (${step.type}) in: ${s.sql.slice(0, 100)}`)).toEqual([]);
    }
  } finally {
    conn.release();
  }
});

it('reads no chain for a reference the reporter does not hold', async () => {
  expect(await historyOf(dbs.hub, CLIENT, 'YJ-NONE')).toEqual({ chain: [] });
});
