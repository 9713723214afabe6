/**
 * test/support/database-templates.ts: a test file's databases, copies of the run's templates, are
 * what migrating from scratch makes. Every table, view, trigger and routine of a freshly provisioned
 * hub and its departments is in the copy with the same SHOW CREATE (columns, indexes, foreign keys,
 * AUTO_INCREMENT, charset and collation), each database has the same default charset and collation,
 * and every table holds the template's rows (migration journals among them). Nothing here was
 * wrong when written (session 30's review): it keeps a later change to the copying honest.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { databaseOf, sourceUrls, withDatabase } from '../db/config';
import { endConnection } from '../db/connect';
import { dropDatabases } from '../db/setup/provision';
import { provisionDatabases } from '../federation/provision';
import { createTestDatabases, testServerUrl, type TestDatabases } from './support/databases';

const freshHub = withDatabase(testServerUrl(), `aidhub_t_tpl_fresh_${process.env.JEST_WORKER_ID ?? '0'}`);
const freshUrls = [freshHub, ...Object.values(sourceUrls(freshHub, {}))];
let copy: TestDatabases;
let conn: mysql.Connection;

beforeAll(async () => {
  await dropDatabases(freshUrls);
  copy = await createTestDatabases('templates');
  await provisionDatabases(freshHub, sourceUrls(freshHub, {}));
  conn = await mysql.createConnection({ uri: testServerUrl() });
}, 300_000);

afterAll(async () => {
  if (conn) await endConnection(conn);
  await copy?.close();
  await dropDatabases(freshUrls);
});

/** The copy's database of each fresh one, pair by pair (hub first, then each department's). */
function pairs(): [string, string][] {
  const copied = sourceUrls(copy.hubUrl, {});
  const fresh = sourceUrls(freshHub, {});
  return [[databaseOf(freshHub), databaseOf(copy.hubUrl)], ...Object.keys(fresh).map((c) => [databaseOf(fresh[c as keyof typeof fresh]), databaseOf(copied[c as keyof typeof copied])] as [string, string])];
}

async function rows<T>(sql: string, values: unknown[]): Promise<T[]> {
  const [r] = (await conn.query(sql, values)) as unknown as [T[]];
  return r;
}

/** Everything a database holds but its rows, each object by its SHOW CREATE, the database's name left out. */
async function schema(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const [s] = await rows<{ cs: string; co: string }>('SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);
  out['(database)'] = `${s.cs} ${s.co}`;
  for (const t of await rows<{ name: string; type: string }>('SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db])) {
    const [shown] = await rows<Record<string, string>>(`SHOW CREATE ${t.type === 'VIEW' ? 'VIEW' : 'TABLE'} ${mysql.escapeId(db)}.${mysql.escapeId(t.name)}`, []);
    const text = String(shown['Create Table'] ?? shown['Create View']).replaceAll(db, '<db>');
    // MySQL 9.7 shows a column's character set beside its collation where the CREATE that made it
    // named the collation (as a copy's, from SHOW CREATE, does), and leaves it out where the column
    // took the table's: the same column. Left out here where it is the table's.
    out[`${t.type} ${t.name}`] = / DEFAULT CHARSET=utf8mb4 /.test(text) ? text.replaceAll(' CHARACTER SET utf8mb4 COLLATE utf8mb4_', ' COLLATE utf8mb4_') : text;
  }
  for (const t of await rows<{ name: string }>('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db])) out[`TRIGGER ${t.name}`] = 'exists';
  for (const r of await rows<{ name: string }>('SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?', [db])) out[`ROUTINE ${r.name}`] = 'exists';
  return out;
}

test('a copy has every table, view, trigger and routine a fresh migration makes, with the same definition', async () => {
  for (const [fresh, copied] of pairs()) {
    const expected = await schema(fresh);
    expect(Object.keys(expected).length).toBeGreaterThan(1);
    expect({ db: copied, schema: await schema(copied) }).toEqual({ db: copied, schema: expected });
  }
});

test("a copy holds its template's rows, table by table", async () => {
  const template = process.env.AIDHUB_TEST_TEMPLATE!;
  const templates = [template, ...Object.values(sourceUrls(withDatabase(testServerUrl(), template), {})).map(databaseOf)];
  const copies = [databaseOf(copy.hubUrl), ...Object.values(copy.sourceUrls).map(databaseOf)];
  let journals = 0;
  for (const [i, from] of templates.entries()) {
    for (const { name } of await rows<{ name: string }>("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [from])) {
      // Every row, in an order of their own (the tables are small: journals, catalogues, bookkeeping).
      const held = async (db: string) => (await rows<unknown>(`SELECT * FROM ${mysql.escapeId(db)}.${mysql.escapeId(name)}`, [])).map((r) => JSON.stringify(r)).sort();
      expect({ table: `${copies[i]}.${name}`, rows: await held(copies[i]) }).toEqual({ table: `${copies[i]}.${name}`, rows: await held(from) });
      if (name.includes('migrations')) journals++;
    }
  }
  expect(journals).toBeGreaterThan(0);
});

test('a run on a server AIDHUB_TEST_DATABASE_URL names does not take templates an earlier run left for its own', async () => {
  // A run killed before its teardown leaves its templates, named by its process id; a later run
  // given the same id (a container's processes are numbered alike each time) found the recipe made
  // and copied the old migrations' tables. A process of its own plays the later run: it leaves
  // templates under its id, as the earlier run would have, then runs globalSetup (in a process of
  // its own, not this one, whose id may be this run's: --runInBand).
  const script = `
    const mysql = require('mysql2/promise');
    (async () => {
      const left = 'aidhub_t_template_' + process.pid;
      const conn = await mysql.createConnection({ uri: process.env.AIDHUB_TEST_DATABASE_URL });
      await conn.query('CREATE DATABASE ' + mysql.escapeId(left));
      await conn.query('CREATE DATABASE ' + mysql.escapeId(left + '_recipe'));
      await conn.query('CREATE TABLE ' + mysql.escapeId(left + '_recipe') + '.recipe (db varchar(64) NOT NULL, seq int NOT NULL, statement longtext NOT NULL, PRIMARY KEY (db, seq))');
      await conn.end();
      await require('./test/support/global-setup').default();
      console.log(process.env.AIDHUB_TEST_TEMPLATE);
    })();`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.join(__dirname, '..'), env: { ...process.env }, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const left = run.stdout.trim();
  expect(left).toMatch(/^aidhub_t_template_\d+$/);
  try {
    expect(await rows<{ name: string }>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)', [left, `${left}_recipe`])).toEqual([]);
  } finally {
    await dropDatabases([withDatabase(testServerUrl(), left), withDatabase(testServerUrl(), `${left}_recipe`)]);
  }
});
