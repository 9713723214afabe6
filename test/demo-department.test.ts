/**
 * `npm run demo:generate -- --department <CODE>`: one department's rows for the households already
 * in the demo (tools/generate/department.ts), for a department added after the demo was loaded or
 * one whose database was emptied. Before, the only way was to empty everything and generate again
 * (README "Adding a department", step 10). Real databases with a generated demo: the department's
 * rows after its database is dropped and generated alone are those of the full generation, its
 * other departments' and the hub's untouched, twice gives the same rows, and a missing demo, a
 * wrong seed and an unknown department are refused with their exit codes, nothing written.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { dropDatabases } from '../db/setup/provision';
import { withDatabase } from '../db/config';
import { generateDemo } from '../tools/generate/index';
import { DemoMismatchError, generateDepartment } from '../tools/generate/department';
import { TABLE_NAMES, TABLES } from '../tools/generate/tables';
import { createTestDatabases, testServerUrl, type TestDatabases } from './support/databases';
import { TODAY } from './support/scenarios';

const ROOT = path.join(__dirname, '..');
const SEED = 7;
const HOUSEHOLDS = 400;
/** A department with a random stream of its own, and one on the household's shared stream (it reads others' facts). */
const OWN_STREAM: DepartmentCode = 'HUMAN_RESOURCES';
const SHARED_STREAM: DepartmentCode = 'HEALTH';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('demo_department');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: HOUSEHOLDS, seed: SEED, referenceDate: TODAY, provision: false });
}, 180_000);

afterAll(async () => dbs?.close());

const tablesOf = (code: DepartmentCode | 'HUB') => TABLE_NAMES.filter((t) => TABLES[t].target === code);

/** Every generated column of every table of `code`, rows sorted: what a generation wrote there. */
async function contents(code: DepartmentCode | 'HUB'): Promise<Record<string, string[]>> {
  const conn = await mysql.createConnection({ uri: code === 'HUB' ? dbs.hubUrl : dbs.sourceUrls[code], dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  try {
    const out: Record<string, string[]> = {};
    for (const table of tablesOf(code)) {
      const [rows] = (await conn.query({ sql: `SELECT ${TABLES[table].columns.map((c) => mysql.escapeId(c)).join(', ')} FROM ${mysql.escapeId(table)}`, rowsAsArray: true })) as unknown as [unknown[][]];
      out[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    await conn.end();
  }
}

const rowCount = (c: Record<string, string[]>) => Object.values(c).reduce((n, rows) => n + rows.length, 0);

/** tools/generate.ts as `npm run demo:generate` runs it, against `hubUrl` and the databases beside it. */
function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^SOURCE_\w+_URL$/.test(name) || name === 'DATABASE_URL') delete env[name];
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', 'generate.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

it.each([OWN_STREAM, SHARED_STREAM])('gives %s, its database dropped, the rows the full generation gave, and nothing else changes', async (code) => {
  const full = await contents(code);
  expect(rowCount(full)).toBeGreaterThan(20);
  const others = await Promise.all((['HUB', ...DEPARTMENT_CODES.filter((c) => c !== code)] as const).map((c) => contents(c)));
  await dropDatabases([dbs.sourceUrls[code]]);

  const result = await generateDepartment({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, department: code, seed: SEED, referenceDate: TODAY, chunkHouseholds: 150 });
  expect(result).toEqual({ households: HOUSEHOLDS, referenceDate: TODAY, counts: Object.fromEntries(Object.entries(full).map(([t, rows]) => [t, rows.length])) });
  expect(await contents(code)).toEqual(full);
  expect(await Promise.all((['HUB', ...DEPARTMENT_CODES.filter((c) => c !== code)] as const).map((c) => contents(c)))).toEqual(others);
}, 180_000);

it('gives the same rows when run again, not twice as many, and finds the reference date itself', async () => {
  const full = await contents(OWN_STREAM);
  const result = await generateDepartment({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, department: OWN_STREAM, seed: SEED });
  expect(result.referenceDate).toBe(TODAY);
  expect(await contents(OWN_STREAM)).toEqual(full);
}, 180_000);

it('refuses another seed or reference date, and writes nothing', async () => {
  const before = await contents(OWN_STREAM);
  await expect(generateDepartment({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, department: OWN_STREAM, seed: SEED + 1, referenceDate: TODAY })).rejects.toThrow(DemoMismatchError);
  await expect(generateDepartment({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, department: OWN_STREAM, seed: SEED, referenceDate: '2026-03-14' })).rejects.toThrow(DemoMismatchError);
  expect(await contents(OWN_STREAM)).toEqual(before);
}, 180_000);

describe('npm run demo:generate -- --department', () => {
  it('loads the department and prints its counts, exit 0', async () => {
    const full = await contents(OWN_STREAM);
    const run = cli(['--url', dbs.hubUrl, '--department', OWN_STREAM, '--seed', String(SEED), '--reference-date', TODAY]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Loaded ${rowCount(full)} rows of ${OWN_STREAM} for ${HOUSEHOLDS} households (reference date ${TODAY})`);
    expect(await contents(OWN_STREAM)).toEqual(full);
  }, 180_000);

  it.each([
    ['an unknown department', ['--department', 'POLICE'], 2, /--department "POLICE" is not a department; one of .*HUMAN_RESOURCES/],
    ['a department without a database of its own', ['--department', 'REPORTED'], 2, /--department "REPORTED" has no demo database of its own/],
    ['--households beside it', ['--department', OWN_STREAM, '--households', '10'], 2, /--households does not go with it/],
    ['another seed', ['--department', OWN_STREAM, '--seed', String(SEED + 1), '--reference-date', TODAY], 3, /is not the one seed 8 and reference date 2026-03-15 make \(household 1 differs\)/],
  ])('refuses %s', (_what, args, status, message) => {
    const run = cli(['--url', dbs.hubUrl, ...args]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status, stderr: expect.stringMatching(message) });
  }, 120_000);

  it('refuses a hub database with no demo, and one that does not exist, exit 3, creating nothing', async () => {
    const missing = withDatabase(testServerUrl(), `aidhub_t_no_demo_${process.env.JEST_WORKER_ID ?? '0'}`);
    await dropDatabases([missing]);
    const run = cli(['--url', missing, '--department', OWN_STREAM]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 3, stderr: expect.stringMatching(/^no demo to add to: the hub database .* does not exist/) });
    const admin = await mysql.createConnection({ uri: testServerUrl() });
    try {
      const [rows] = (await admin.query('SHOW DATABASES LIKE ?', [`aidhub_t_no_demo_${process.env.JEST_WORKER_ID ?? '0'}%`])) as unknown as [unknown[]];
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
    // A migrated hub with no households: the demo was never loaded.
    const empty = await createTestDatabases('demo_department_empty');
    try {
      const none = cli(['--url', empty.hubUrl, '--department', OWN_STREAM]);
      expect({ status: none.status, stderr: none.stderr }).toEqual({ status: 3, stderr: expect.stringMatching(/^no demo to add to: the hub database .* holds no households/) });
    } finally {
      await empty.close();
    }
  }, 180_000);
});
