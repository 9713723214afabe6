/**
 * A region scan and the monthly comparison against a department source that misbehaves, as
 * docs/operations.md ("When a department's source misbehaves") lists the cases.
 *
 * - Locked: the department's own system holds a write lock on its tables. The scan's reads had no
 *   time limit: the scan waited for the lock however long it lasted, RUNNING, its statements holding
 *   the department's connections. Now each statement has the scan limit (AIDHUB_SCAN_READ_TIMEOUT_MS):
 *   the scan ends FAILED, `DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT`, its statements stopped on the
 *   source, no alert touched; once the lock goes, the same scan started again succeeds.
 * - Unreadable rows (an amount left NULL): the scan took the record as it came and SUCCEEDED, its
 *   findings read from a record with no amount. Now it ends FAILED, `...:UNREADABLE_ROWS`, the log
 *   counting the records by field and naming none.
 * - A table renamed by the department's upgrade: the server answers and refuses the statement
 *   (ER_NO_SUCH_TABLE). It was reported UNREACHABLE, as a server that is down, and a scan asked it
 *   again, to be refused again. Now it is STATEMENT_REFUSED, asked once, logged with the errno and
 *   SQLSTATE, counted on /metrics by that reason.
 */
import { Writable } from 'node:stream';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { ADAPTERS } from '../federation/registry';
import { unionScenario } from '../federation/union/scenario';
import { monitoringAlert } from '../db/monitoring/schema';
import { DepartmentReadError, readDepartmentFacts } from '../federation/reads';
import { monthlyJobs, runMonthlyComparison } from '../resolvers/monitoring/monthly';
import { HubMetrics } from '../server/metrics';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { until } from './support/until';
import { capturingStatements } from './support/statements';

jest.setTimeout(300_000);

const START = `mutation($r: String!) { scanStart(input: { regionCode: $r }) { scan { id } userErrors { code } } }`;
const STATE = `query($id: ID!) { scan(id: $id) { state failure } }`;
const TOWNSHIP = WANG.regionCode.slice(0, 9);

function named(table: MySqlTable): { name: string; col: Record<string, string> } {
  return { name: getTableName(table), col: Object.fromEntries(Object.entries(getTableColumns(table)).map(([k, c]) => [k, c.name])) };
}
const G = named(unionScenario.tables.grants.table);

let dbs: TestDatabases;
let hub: TestHub;
let union: mysql.Connection;
let wangId: number;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('scan_source_misbehaves');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  hub = await startTestHub(dbs, {
    today: TODAY,
    purpose: 'MONITORING',
    client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['ADMINISTRATOR', 'READER'] },
    sources: { UNION: { scanTimeoutMs: 1_500 } },
    logger: pino({ level: 'info' }, sink),
    metrics: true,
  });
  union = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
}, 120_000);

afterAll(async () => {
  await union?.end();
  await hub?.close();
  await dbs?.close();
});

/** The hub's /metrics lines of runs ended (a series never counted reads 0). */
async function runsEnded(labels: string): Promise<number> {
  const body = await (await fetch(hub.metricsUrl!)).text();
  const line = body.split('\n').find((l) => l.startsWith(`aidhub_runs_ended_total{${labels}} `));
  return Number(line?.split(' ')[1] ?? 0);
}

/** Starts a scan of Wang's township and waits (generously) for it to end. */
async function scanEnds(): Promise<{ state: string; failure: string | null }> {
  const started = await hub.gql(START, { r: TOWNSHIP });
  expect(started.data.scanStart.userErrors).toEqual([]);
  const id = started.data.scanStart.scan.id;
  return until('the scan ends', async () => (await hub.gql(STATE, { id })).data.scan, (s) => s.state !== 'RUNNING', 120_000);
}

it('a locked source ends the scan and the monthly comparison within the limit, naming it, and both run whole once the lock goes', async () => {
  const watcher = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  const waiting = async () => {
    const [rows] = await watcher.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND ID NOT IN (CONNECTION_ID(), ?)", [union.threadId]);
    return Number((rows as { n: number }[])[0].n);
  };
  const deps = { hub: dbs.hub, sources: hub.sources, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date(`${TODAY}T02:00:00.000Z`) };
  try {
    // A first comparison opens the household's alerts; none may be withdrawn or changed by a later one the union does not answer.
    await runMonthlyComparison(deps, TOWNSHIP);
    const alertsBefore = await dbs.hub.select().from(monitoringAlert);
    expect(alertsBefore.length).toBeGreaterThan(0);
    await union.query(`LOCK TABLES ${ADAPTERS.UNION.tables.map((t) => `\`${getTableName(t)}\` WRITE`).join(', ')}`);
    logLines.length = 0;
    expect(await scanEnds()).toEqual({ state: 'FAILED', failure: 'DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT' });
    expect(logLines.filter((l) => l.msg === 'scan failed')).toEqual([expect.objectContaining({ department: 'UNION', reason: 'TIMEOUT', failure: 'DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT' })]);
    // On /metrics too, where a failed run had no counter: by the department and the reason.
    expect(await runsEnded('kind="scan",outcome="failed",department="UNION",reason="TIMEOUT"')).toBe(1);
    // The monthly comparison as the hub runs it (its run record), told to a registry of its own.
    const monthly = new HubMetrics(null);
    const run = await monthlyJobs.start({ ...deps, metrics: monthly }, TOWNSHIP, TODAY.slice(0, 7), 'test');
    expect(run.ok && run.started && (await run.done).failure).toBe('DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT');
    expect(await monthly.registry.metrics()).toMatch(/^aidhub_runs_ended_total\{kind="monthly",outcome="failed",department="UNION",reason="TIMEOUT"\} 1$/m);
    const failed = await runMonthlyComparison(deps, TOWNSHIP).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DepartmentReadError);
    expect((failed as DepartmentReadError).failure).toBe('DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT');
    expect(await dbs.hub.select().from(monitoringAlert)).toEqual(alertsBefore);
    // The statements the scan gave up on are stopped on the source, not left waiting for the lock.
    expect(await until('no statement of the hub waiting on the locked source', waiting, (n) => n === 0, 60_000)).toBe(0);

    await union.query('UNLOCK TABLES');
    expect(await scanEnds()).toEqual({ state: 'SUCCEEDED', failure: null });
    expect(await runsEnded('kind="scan",outcome="succeeded",department="",reason=""')).toBe(1);
  } finally {
    await union.query('UNLOCK TABLES');
    await watcher.end();
  }
});

it('a record it cannot read ends the scan, counted by field in the log without naming it, and the scan runs whole once corrected', async () => {
  await union.query("SET SESSION sql_mode = ''");
  await unionScenario.insert(dbs.sources.UNION, 'workerFiles', { fileNo: 'GH-BAD-1', idCard: WANG.head, employer: '济宁某厂', hardshipLevel: 1, fileDate: '2024-01-01' });
  await union.query(`ALTER TABLE ${G.name} MODIFY ${G.col.amountFen} INT NULL`);
  // A 金秋助学 grant to the Wang child (who has a 国家助学金 the same year: X6) with its amount left NULL.
  await union.query(
    `INSERT INTO ${G.name} (${G.col.fileNo}, ${G.col.grantType}, ${G.col.grantDate}, ${G.col.amountFen}, ${G.col.studentIdCard}, ${G.col.schoolYear}) VALUES ('GH-BAD-1', 'JQ', '2025-09-01', NULL, ?, '2025-2026')`,
    [WANG.child],
  );
  logLines.length = 0;
  expect(await scanEnds()).toEqual({ state: 'FAILED', failure: 'DEPARTMENT_UNAVAILABLE:UNION:UNREADABLE_ROWS' });
  expect(logLines.filter((l) => l.msg === 'scan failed')).toEqual([expect.objectContaining({ department: 'UNION', reason: 'UNREADABLE_ROWS', unreadableRecords: { amountFen: 1 } })]);
  expect(await runsEnded('kind="scan",outcome="failed",department="UNION",reason="UNREADABLE_ROWS"')).toBe(1);
  expect(JSON.stringify(logLines)).not.toContain(WANG.child);
  expect(JSON.stringify(logLines)).not.toContain(WANG.head);

  await union.query(`UPDATE ${G.name} SET ${G.col.amountFen} = 50000 WHERE ${G.col.fileNo} = 'GH-BAD-1'`);
  expect(await scanEnds()).toEqual({ state: 'SUCCEEDED', failure: null });
});

it('an ID number stored with whitespace around it that the hub does not ask for (a tab) ends the scan, counted in the log without naming it, rather than leaving its rows out', async () => {
  const W = named(unionScenario.tables.workerFiles.table);
  // The department's own column, wider than the hub's declaration, as its system writes it. One
  // space before or after is asked for and read (test/id-number-case.test.ts); a tab is not.
  await union.query(`ALTER TABLE ${W.name} MODIFY ${W.col.idCard} VARCHAR(24) NOT NULL`);
  await union.query(`UPDATE ${W.name} SET ${W.col.idCard} = CONCAT(CHAR(9), ${W.col.idCard}) WHERE ${W.col.idCard} = ?`, [WANG.head]);
  try {
    logLines.length = 0;
    expect(await scanEnds()).toEqual({ state: 'FAILED', failure: 'DEPARTMENT_UNAVAILABLE:UNION:UNREADABLE_ROWS' });
    expect(logLines.filter((l) => l.msg === 'scan failed')).toEqual([expect.objectContaining({ department: 'UNION', reason: 'UNREADABLE_ROWS', unreadableRecords: { idNumberWithSpaces: 1 } })]);
    expect(JSON.stringify(logLines)).not.toContain(WANG.head.slice(6));
  } finally {
    await union.query(`UPDATE ${W.name} SET ${W.col.idCard} = TRIM(BOTH CHAR(9) FROM ${W.col.idCard})`);
  }
  expect(await scanEnds()).toEqual({ state: 'SUCCEEDED', failure: null });
});

it('a table renamed under a running hub is STATEMENT_REFUSED, not UNREACHABLE: asked once, logged with its errno, counted, and read again once it is back', async () => {
  const SOURCES = `query($id: ID!) { household(id: $id) { sources { department { code } available reason } } }`;
  /** A /metrics line's value (a series never counted reads 0). */
  const metric = async (line: string) => Number((await (await fetch(hub.metricsUrl!)).text()).split('\n').find((l) => l.startsWith(`${line} `))?.split(' ')[1] ?? 0);
  await union.query(`RENAME TABLE ${G.name} TO ${G.name}_away`);
  try {
    logLines.length = 0;
    const res = await hub.gql(SOURCES, { id: String(wangId) });
    expect(res.data.household.sources.find((s: any) => s.department.code === 'UNION')).toEqual({ department: { code: 'UNION' }, available: false, reason: 'STATEMENT_REFUSED' });
    expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'UNION', reason: 'STATEMENT_REFUSED' }]);
    // Its server answered, with a refusal: the message said it "did not answer", sending the reader to the network.
    expect(res.errors?.[0].message).toMatch(/refused the hub's read/);
    expect(res.errors?.[0].message).not.toMatch(/did not answer/);
    expect(res.extensions?.sqlStatements?.bySource.UNION).toBe(1);
    expect(logLines.filter((l) => l.msg === 'department source unavailable')).toEqual([
      expect.objectContaining({ department: 'UNION', reason: 'STATEMENT_REFUSED', errorCode: 'ER_NO_SUCH_TABLE', errno: 1146, sqlState: '42S02' }),
    ]);
    expect(await metric('aidhub_source_failures_total{department="UNION",reason="STATEMENT_REFUSED"}')).toBe(1);
    expect(await metric('aidhub_source_failures_total{department="UNION",reason="UNREACHABLE"}')).toBe(0);
    // /readyz's probe (SELECT 1) reads no table: it cannot see the refusal; the read's failure puts the department at 0 on /metrics.
    expect(((await (await fetch(`${hub.url}/readyz`)).json()) as any).sources.UNION).toMatchObject({ available: true });

    // A scan: failed by the refusal, which it does not ask again (it asks an UNREACHABLE department twice).
    expect(await scanEnds()).toEqual({ state: 'FAILED', failure: 'DEPARTMENT_UNAVAILABLE:UNION:STATEMENT_REFUSED' });
    expect(logLines.filter((l) => l.msg === 'scan failed')).toEqual([expect.objectContaining({ department: 'UNION', reason: 'STATEMENT_REFUSED', errorCode: 'ER_NO_SUCH_TABLE', errno: 1146, sqlState: '42S02' })]);
    expect(await runsEnded('kind="scan",outcome="failed",department="UNION",reason="STATEMENT_REFUSED"')).toBe(1);
    expect(JSON.stringify(logLines)).not.toContain(WANG.head);
    const captured = capturingStatements(hub.sources.UNION.pool);
    const failed = await readDepartmentFacts({ ...hub.sources, UNION: { ...hub.sources.UNION, db: captured.db } }, [WANG.head, WANG.child], TODAY).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DepartmentReadError);
    expect({ failure: (failed as DepartmentReadError).failure, refusedBy: (failed as DepartmentReadError).refusedBy }).toEqual({ failure: 'DEPARTMENT_UNAVAILABLE:UNION:STATEMENT_REFUSED', refusedBy: { errno: 1146, sqlState: '42S02' } });
    expect(captured.statements.filter((s) => s.sql.includes(G.name))).toHaveLength(1);
  } finally {
    await union.query(`RENAME TABLE ${G.name}_away TO ${G.name}`);
  }
  const back = await hub.gql(SOURCES, { id: String(wangId) });
  expect(back.data.household.sources.find((s: any) => s.department.code === 'UNION')).toMatchObject({ available: true, reason: null });
  expect(await scanEnds()).toEqual({ state: 'SUCCEEDED', failure: null });
});
