/**
 * The refusals of federation/statement-refused.ts that a department's own changes produce on a real
 * MariaDB, through the hub's read paths: its account's database access revoked (1044 as a pool
 * connects), a table's grant revoked (1142), only some of its columns granted (1143), a table replaced
 * by a view whose base then moved (1356), an index the hub's read forces dropped (1176: it was
 * UNREACHABLE, and a scan asked again, to be refused again). Each is
 * STATEMENT_REFUSED in a household query and in a scan's read, asked once (a scan asks an UNREACHABLE
 * department twice), logged by errno and SQLSTATE, and no ID number logged.
 *
 * Not produced here, as no statement of the hub's can meet them on MariaDB 10.11: 1052 (drizzle names
 * every column of a join by its table, and a view's columns are unique), 1064 (drizzle writes
 * within MariaDB 10.11's grammar, test/tidb-lint; its statements' shapes, tried by hand under
 * sql_mode=ORACLE, parse there too), 1305 and 1370 (no statement of the
 * hub's names a stored routine; one called by a department's view is refused as 1356), 1227 (the
 * hub's only privileged statement is KILL QUERY of its own account's threads, which needs none).
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { ADAPTERS } from '../federation/registry';
import { DepartmentReadError, departmentFailureFields, readDepartmentFacts } from '../federation/reads';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { capturingStatements } from './support/statements';

jest.setTimeout(300_000);

const SOURCES = `query($id: ID!) { household(id: $id) { sources { department { code } available reason } } }`;
const HOSTS = ['%', 'localhost'];
const account = `aidhub_union_${crypto.randomBytes(3).toString('hex')}`;
const password = crypto.randomBytes(9).toString('hex');

function named(table: MySqlTable): { name: string; col: Record<string, string> } {
  return { name: getTableName(table), col: Object.fromEntries(Object.entries(getTableColumns(table)).map(([k, c]) => [k, c.name])) };
}
const G = named(unionScenario.tables.grants.table);
const W = named(unionScenario.tables.workerFiles.table);

let dbs: TestDatabases;
let hub: TestHub;
let admin: mysql.Connection;
let database: string;
let wangId: number;
const logLines: Record<string, unknown>[] = [];

/** Runs `sql` (with `?@?` for the hub's account) once per host the account is made for. */
async function forAccount(sql: string): Promise<void> {
  for (const host of HOSTS) await admin.query(sql, [account, host]);
}

/** The union's tables granted to the hub's account one by one (table privileges, none on the database). */
async function grantTables(): Promise<void> {
  for (const t of ADAPTERS.UNION.tables) await forAccount(`GRANT SELECT ON ${mysql.escapeId(database)}.${mysql.escapeId(getTableName(t))} TO ?@?`);
}

beforeAll(async () => {
  dbs = await createTestDatabases('statement_refused_grants');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  admin = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  database = new URL(dbs.sourceUrls.UNION).pathname.slice(1);
  // The union's account for the hub, as its administrator makes it: no rights yet.
  for (const host of HOSTS) await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [account, host, password]);
  const url = new URL(dbs.sourceUrls.UNION);
  url.username = account;
  url.password = password;
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, sources: { UNION: { url: url.href } }, logger: pino({ level: 'info' }, sink) });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  if (admin) {
    for (const host of HOSTS) await admin.query('DROP USER IF EXISTS ?@?', [account, host]);
    await admin.end();
  }
  await dbs?.close();
});

/** The union as a household query reports it, with the statements it was sent and the log's line. */
async function household(): Promise<{ union: unknown; statements: number | undefined; logged: Record<string, unknown>[] }> {
  logLines.length = 0;
  const res = await hub.gql(SOURCES, { id: String(wangId) });
  return {
    union: res.data.household.sources.find((s: { department: { code: string } }) => s.department.code === 'UNION'),
    statements: res.extensions?.sqlStatements?.bySource.UNION,
    logged: logLines.filter((l) => l.msg === 'department source unavailable'),
  };
}

/** A scan's read of Wang's household (readDepartmentFacts): its failure as the scan logs it, and the statements naming `table` it sent the union. */
async function scanRead(table: string): Promise<{ failure: string; logged: Record<string, unknown>; statements: number }> {
  const captured = capturingStatements(hub.sources.UNION.pool);
  const failed = await readDepartmentFacts({ ...hub.sources, UNION: { ...hub.sources.UNION, db: captured.db } }, [WANG.head, WANG.spouse, WANG.child, WANG.grandmother], TODAY).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(DepartmentReadError);
  const { department, reason, errno, sqlState } = departmentFailureFields(failed);
  return { failure: (failed as DepartmentReadError).failure, logged: { department, reason, errno, sqlState }, statements: captured.statements.filter((s) => s.sql.includes(table)).length };
}

/** Refused by `errno`/`sqlState` in both paths: STATEMENT_REFUSED, asked once, the packet logged and no ID number. */
async function refusedEverywhere(errno: number, sqlState: string, table = G.name): Promise<void> {
  const read = await household();
  expect(read.union).toEqual({ department: { code: 'UNION' }, available: false, reason: 'STATEMENT_REFUSED' });
  expect(read.statements).toBe(1);
  expect(read.logged).toEqual([expect.objectContaining({ department: 'UNION', reason: 'STATEMENT_REFUSED', errno, sqlState })]);
  await refusedToScan(errno, sqlState, table);
}

async function refusedToScan(errno: number, sqlState: string, table = G.name): Promise<void> {
  logLines.length = 0;
  expect(await scanRead(table)).toEqual({ failure: 'DEPARTMENT_UNAVAILABLE:UNION:STATEMENT_REFUSED', logged: { department: 'UNION', reason: 'STATEMENT_REFUSED', errno, sqlState }, statements: 1 });
  for (const id of [WANG.head, WANG.spouse, WANG.child, WANG.grandmother]) expect(JSON.stringify(logLines)).not.toContain(id);
}

async function answers(): Promise<void> {
  expect((await household()).union).toEqual({ department: { code: 'UNION' }, available: true, reason: null });
}

it('an account with no right on the database is refused as the pool connects (1044)', async () => {
  // The hub has not connected to the union yet: its first connection is refused.
  await refusedEverywhere(1044, '42000', W.name);
  await grantTables();
  await answers();
});

it("a table's grant revoked (1142), or only some of its columns granted (1143)", async () => {
  await forAccount(`REVOKE SELECT ON ${mysql.escapeId(database)}.${G.name} FROM ?@?`);
  await refusedEverywhere(1142, '42000');
  // The columns a grant report needs, without its amount.
  await forAccount(`GRANT SELECT (${[G.col.fileNo, G.col.grantType, G.col.grantDate].join(', ')}) ON ${mysql.escapeId(database)}.${G.name} TO ?@?`);
  await refusedEverywhere(1143, '42000');
  await forAccount(`GRANT SELECT ON ${mysql.escapeId(database)}.${G.name} TO ?@?`);
  await answers();
});

it('a table replaced by a view whose base table then moved (1356)', async () => {
  // The union's upgrade keeps the old name as a view over its new table: read as before.
  await admin.query(`RENAME TABLE ${G.name} TO ${G.name}_2026`);
  await admin.query(`CREATE VIEW ${G.name} AS SELECT * FROM ${G.name}_2026`);
  try {
    await answers();
    await admin.query(`RENAME TABLE ${G.name}_2026 TO ${G.name}_2027`);
    await refusedEverywhere(1356, 'HY000');
  } finally {
    await admin.query(`DROP VIEW IF EXISTS ${G.name}`);
    await admin.query(`RENAME TABLE ${G.name}_2027 TO ${G.name}`).catch(() => admin.query(`RENAME TABLE ${G.name}_2026 TO ${G.name}`));
  }
  await answers();
});

it("an index the hub's read forces dropped by the department (1176): refused, not asked again", async () => {
  const setl = 'gh_grant_setl';
  await admin.query(`DROP INDEX ${setl} ON ${G.name}`);
  try {
    // A scan reads the grants tied to the household's hospital stays through that index.
    await refusedToScan(1176, '42000', setl);
  } finally {
    await admin.query(`CREATE INDEX ${setl} ON ${G.name} (${G.col.setlRef})`);
  }
});
