/**
 * What a household query's statements cost the database server beyond their rows: none makes it
 * build a temporary table or sort (docs/performance.md, Session 27). The household read and membersOf
 * are ordered by the hub (db/household/loaders.ts memberOrder), and 工会's two halves are joined by UNION ALL
 * with the second leaving out what the first found, not by UNION (federation/union/adapter.ts): each
 * was a temporary table per household query. Every statement the household read and the department
 * reads send is captured and run again under EXPLAIN, whose `Extra` says "Using temporary" and
 * "Using filesort" alike on MariaDB and MySQL; a UNION's deduplicating result shows as a step of
 * its own (`<union1,2>`) on both. This is asked of one household's reads only: a batch's IN list of
 * 1,000 values or more MariaDB may read as a materialised table of its values, a temporary table
 * (in_predicate_conversion_threshold; docs/performance.md, Session 27), which this does not rule out.
 */
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import { withoutDrizzleTypeCast, type HubDb } from '../db/connect';
import * as hubSchema from '../db/household/schema';
import { createHubLoaders } from '../db/household/loaders';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../domain/departments';
import type { SourceDb } from '../federation/contract';
import { lookupForms } from '../federation/id-numbers';
import { ADAPTERS } from '../federation/registry';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { EXPLAIN_ROWS } from './support/statements';

let dbs: TestDatabases;
let householdId: number;
beforeAll(async () => {
  dbs = await createTestDatabases('server_work');
  await insertRegions(dbs);
  householdId = await insertWang(dbs);
});
afterAll(async () => dbs?.close());

interface Captured {
  sql: string;
  params: unknown[];
}

const logging = (statements: Captured[]) => ({ logQuery: (sql: string, params: unknown[]) => statements.push({ sql, params }) });

/** The steps of each statement's plan that build a temporary table or sort, named by table. */
async function extraWork(pool: mysql.Pool, statements: Captured[]): Promise<string[]> {
  const work: string[] = [];
  for (const s of statements) {
    const [plan] = await pool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${s.sql}`, s.params);
    for (const step of plan) {
      const extra = String(step.Extra ?? '');
      if (/Using temporary|Using filesort/.test(extra) || String(step.table).startsWith('<union')) work.push(`${step.table}: ${extra || step.select_type} in ${s.sql.slice(0, 100)}…`);
    }
  }
  return work;
}

it('reads one household, its region, members and ledger entries without a temporary table or a sort, members in order', async () => {
  const statements: Captured[] = [];
  const hub = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: hubSchema, mode: 'default', logger: logging(statements) }) as HubDb;
  const loaders = createHubLoaders(hub);
  expect(await loaders.householdById.load(householdId)).not.toBeNull();
  // Ordered by the hub now: the members' primary key would list the grandmother (born 1948) first.
  expect((await loaders.membersByHousehold.load(householdId)).map((m) => m.relation)).toEqual(['HEAD', 'SPOUSE', 'PARENT', 'CHILD']);
  expect(statements).toHaveLength(1);
  expect(await extraWork(dbs.hubPool, statements)).toEqual([]);
});

it('reads the members of a household not read whole without a temporary table or a sort, in the same order', async () => {
  const statements: Captured[] = [];
  const hub = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: hubSchema, mode: 'default', logger: logging(statements) }) as HubDb;
  // membersOf alone: ordered by the hub too (memberOrder), not by the server.
  expect((await createHubLoaders(hub).membersByHousehold.load(householdId)).map((m) => m.relation)).toEqual(['HEAD', 'SPOUSE', 'PARENT', 'CHILD']);
  expect(statements).toHaveLength(1);
  expect(await extraWork(dbs.hubPool, statements)).toEqual([]);
});

// The ledger (REPORTED) is read with the household, above.
it.each(DEPARTMENT_CODES.filter((c) => !HUB_LEDGER_SOURCES.includes(c)))("%s: one household's aid read builds no temporary table and sorts nothing", async (code: DepartmentCode) => {
  const statements: Captured[] = [];
  const db = drizzle(withoutDrizzleTypeCast(dbs.sourceSet[code].pool), { logger: logging(statements) }) as unknown as SourceDb;
  await ADAPTERS[code].aidByIdNumbers(db, lookupForms([WANG.head, WANG.spouse, WANG.child, WANG.grandmother]), TODAY);
  expect(statements.length).toBe(1);
  expect(await extraWork(dbs.sourceSet[code].pool, statements)).toEqual([]);
});
