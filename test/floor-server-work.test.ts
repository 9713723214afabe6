/**
 * The bench's in-process floor (bench/floor.ts, which the fair floor runs too) reads 工会's grants as
 * the hub's adapter does: each half, the worker's and the student's, through its own index. Its
 * read was one join with `w.id_card IN (…) OR g.student_id_card IN (…)`, which no index serves: the
 * server read every worker file's entry on every household query (229 rows examined and 230 pages
 * a query of `npm run bench`'s 10,000 households, more pages than the rest of the floor's statements
 * together: docs/performance.md, Session 45), so the floors' database work grew with the union's
 * tables and the ratios against them flattered the hub. Counted by the server's handler counters
 * for the one statement, with 400 other workers' files and 800 grants beside the household's.
 * The floor runs as a command, as test/bench-draw.test.ts runs the bench's code (no test imports
 * it: test/layers.test.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { getTableName } from 'drizzle-orm';
import type mysql from 'mysql2/promise';
import { DEPARTMENT_CODES } from '../domain/departments';
import { makeIdNumber } from '../domain/id-number';
import { lookupForms } from '../federation/id-numbers';
import { ADAPTERS } from '../federation/registry';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const ROOT = path.join(__dirname, '..');
const OTHER_WORKERS = 400;

let dbs: TestDatabases;
let householdId: number;
beforeAll(async () => {
  dbs = await createTestDatabases('floor_work');
  await insertRegions(dbs);
  householdId = await insertWang(dbs);
  const workers = Array.from({ length: OTHER_WORKERS }, (_, i) => ({ fileNo: `GH-OTHER-${i}`, idCard: makeIdNumber('370812', '1970-01-01', i + 1), employer: '济宁某厂', hardshipLevel: 2, fileDate: '2023-01-01' }));
  await unionScenario.insert(dbs.sources.UNION, 'workerFiles', workers);
  await unionScenario.insert(
    dbs.sources.UNION,
    'grants',
    workers.flatMap((w, i) => [
      { fileNo: w.fileNo, grantType: 'BF', grantDate: '2026-01-10', amountFen: 50_000 },
      { fileNo: w.fileNo, grantType: 'JQ', grantDate: '2025-09-01', amountFen: 100_000, studentIdCard: makeIdNumber('370812', '2008-01-01', i + 1), schoolYear: '2025-2026' },
    ]),
  );
  await dbs.sourceSet.UNION.pool.query(`ANALYZE TABLE ${ADAPTERS.UNION.tables.map((t) => getTableName(t)).join(', ')}`);
}, 60_000);
afterAll(async () => dbs?.close());

/** The floor's answer for the household, and the statements it sent 工会 with their values. */
function floorAnswer(): { sent: { sql: string; params: unknown[] }[]; json: string } {
  const script = `
    const { floorHousehold } = require('./bench/floor.ts');
    const { createPool } = require('./db/connect.ts');
    const urls = ${JSON.stringify({ hub: dbs.hubUrl, ...dbs.sourceUrls })};
    const pools = Object.fromEntries(Object.entries(urls).map(([k, url]) => [k, createPool(url)]));
    const sent = [];
    const union = { query: (sql, params) => (sent.push({ sql, params }), pools.UNION.query(sql, params)) };
    const departments = Object.fromEntries(${JSON.stringify(DEPARTMENT_CODES)}.map((c) => [c, c === 'UNION' ? union : pools[c]]));
    floorHousehold({ hub: pools.hub, departments }, ${householdId}, '${TODAY}')
      .then((answer) => { console.log(JSON.stringify({ sent, json: answer.json })); return Promise.all(Object.values(pools).map((p) => p.end())); })
      .catch((err) => { console.error(err); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 60_000 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

it("reads one household's union grants through the ID-number indexes, not every worker file, and finds the hub's", async () => {
  const { sent, json } = floorAnswer();
  expect(sent).toHaveLength(1);

  const conn = await dbs.sourceSet.UNION.pool.getConnection();
  try {
    await conn.query('FLUSH STATUS');
    await conn.query(sent[0].sql, sent[0].params);
    const [status] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Handler_read%'");
    const read = Object.fromEntries(status.map((r) => [r.Variable_name as string, Number(r.Value)]));
    // No read from an end of a table or index (a scan), and a few entries, not the 400 files' 1,200 rows.
    expect(read.Handler_read_first).toBe(0);
    expect(read.Handler_read_rnd_next).toBe(0);
    expect(read.Handler_read_key + read.Handler_read_next).toBeLessThan(60);
  } finally {
    conn.release();
  }

  // The same grants as the hub's adapter finds.
  const hubs = await ADAPTERS.UNION.aidByIdNumbers(dbs.sources.UNION, lookupForms([WANG.head, WANG.spouse, WANG.child, WANG.grandmother]), TODAY);
  const aid = (JSON.parse(json) as { data: { household: { aid: { department: { code: string }; sourceReference: string }[] } } }).data.household.aid;
  const floors = aid.filter((r) => r.department.code === 'UNION').map((r) => r.sourceReference);
  expect(floors.sort()).toEqual(hubs.map((r) => r.sourceRef).sort());
  expect(floors).toHaveLength(2);
});
