/**
 * overdueReport's read of cases (db/cases/store.ts casesWithEvents: the cases open and those ended
 * in the period, for `cases` and `casesLate`) goes through the index on aid_case.ended_at: the open
 * cases and a year of ended ones are two ranges of it, not every case the city ever had. Years of
 * ended cases are inserted, the statement is captured as the report sends it, and run again under
 * EXPLAIN on MariaDB, as test/index-use.test.ts does for the departments' reads.
 */
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import * as hubSchema from '../db/household/schema';
import { withoutDrizzleTypeCast, type HubDb } from '../db/connect';
import { casesWithEvents } from '../db/cases/store';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertZhao } from './support/scenarios';
import { EXPLAIN_ROWS } from './support/statements';

const ENDED_PER_YEAR = 1_000;
const YEARS = 10;
const OPEN = 40;
const TOWNSHIPS = ['370826100', '370811001'];

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('cases_late_index');
  await insertRegions(dbs);
  const householdId = await insertZhao(dbs);
  // Ten years of ended cases (2016 to 2025, in both counties), and a few still open.
  const rows: unknown[][] = [];
  for (let i = 0; i < ENDED_PER_YEAR * YEARS; i++) {
    const year = 2016 + Math.floor(i / ENDED_PER_YEAR);
    const day = (i % 360) + 1;
    const reported = new Date(Date.UTC(year, 0, day, 1, 0, 0));
    const ended = new Date(reported.getTime() + 30 * 86_400_000);
    rows.push([householdId, TOWNSHIPS[i % 2], 'CLOSED', reported, ended]);
  }
  for (let i = 0; i < OPEN; i++) rows.push([householdId, TOWNSHIPS[i % 2], 'IN_DELIBERATION', new Date(Date.UTC(2026, 1, 1 + (i % 28), 1)), null]);
  const at = (d: Date | null) => (d === null ? null : d.toISOString().replace('T', ' ').replace('Z', ''));
  for (let i = 0; i < rows.length; i += 1_000) {
    await dbs.hubPool.query(
      `INSERT INTO aid_case (household_id, township_code, origin, urgency, state, summary, first_office, owner_office, reported_at, ended_at) VALUES ?`,
      [rows.slice(i, i + 1_000).map(([h, t, state, reported, ended]) => [h, t, 'APPLICATION', 'NORMAL', state, '生活困难', 'CIVIL_AFFAIRS', 'CIVIL_AFFAIRS', at(reported as Date), at(ended as Date | null)])],
    );
  }
  await dbs.hubPool.query('ANALYZE TABLE aid_case');
}, 120_000);

afterAll(async () => dbs?.close());

/** The report's read of cases for a year up to 15 March 2026, captured, with what it returned. */
async function capture(townshipPrefix: string | null): Promise<{ sql: string; params: unknown[]; cases: number }> {
  const statements: { sql: string; params: unknown[] }[] = [];
  const db = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: hubSchema, mode: 'default', logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as HubDb;
  const { cases } = await casesWithEvents(db, townshipPrefix, new Date('2025-03-14T16:00:00Z'));
  return { ...statements[0], cases: cases.length };
}

it.each([
  ['the city', null],
  ['a county', '370826'],
])('reads the open cases and a year of ended ones for %s through the index on ended_at', async (_, prefix) => {
  const { sql, params, cases } = await capture(prefix);
  expect(sql).toMatch(/from `aid_case`/);
  // The open ones and those ended from 15 March 2025 (China time):
  // the same rows the state test read, a small part of the table.
  const [[{ expected }]] = (await dbs.hubPool.query(
    `SELECT COUNT(*) AS expected FROM aid_case WHERE (state NOT IN ('CLOSED', 'REJECTED', 'WITHDRAWN', 'HANDED_OVER') OR ended_at >= '2025-03-14 16:00:00') ${prefix ? `AND township_code LIKE '${prefix}%'` : ''}`,
  )) as unknown as [{ expected: number }[]];
  expect(cases).toBe(Number(expected));
  expect(cases).toBeGreaterThan(OPEN / 2);
  expect(cases).toBeLessThan((ENDED_PER_YEAR * YEARS) / 3);
  const [plan] = await dbs.hubPool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${sql}`, params);
  expect(plan.map((step) => ({ table: step.table, type: step.type, key: step.key }))).toEqual([{ table: 'aid_case', type: 'range', key: 'aid_case_ended' }]);
});
