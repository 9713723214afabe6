/** db/prepared.ts: a list placeholder matches exactly its values, escaped, and a statement is built once per handle. */
import { sql } from 'drizzle-orm';
import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { sourceDrizzle } from '../db/connect';
import mysql from 'mysql2/promise';
import { formatStatement, inPlaceholder, listsEscapedOnce, preparedPer } from '../db/prepared';
import type { SourceDb } from '../federation/contract';
import { createTestDatabases, type TestDatabases } from './support/databases';

const word = mysqlTable('prepared_word', { value: varchar('value', { length: 32 }).primaryKey() });
const WORDS = ['plain', "it's", 'back\\slash', '100%', 'a,b', '370811199001011234'];

let dbs: TestDatabases;
beforeAll(async () => {
  dbs = await createTestDatabases('prepared');
  await dbs.hubPool.query('CREATE TABLE prepared_word (value VARCHAR(32) PRIMARY KEY)');
  await dbs.hubPool.query('INSERT INTO prepared_word (value) VALUES ?', [WORDS.map((w) => [w])]);
});
afterAll(async () => dbs?.close());

let built = 0;
const byValue = preparedPer((db: SourceDb) => {
  built += 1;
  return db.select().from(word).where(inPlaceholder(word.value, 'values')).prepare();
});

it('matches exactly the values of the list, quotes and backslashes included, and nothing else', async () => {
  const db = sourceDrizzle(dbs.hubPool, 'TEST');
  const rows = async (values: string[]) => (await byValue(db).execute({ values })).map((r) => r.value).sort();
  expect(await rows(["it's", 'back\\slash'])).toEqual(['back\\slash', "it's"]);
  expect(await rows(['a,b', '100%', 'missing'])).toEqual(['100%', 'a,b']);
  expect(await rows(["x') OR ('1'='1"])).toEqual([]);
  expect(await rows(WORDS)).toEqual([...WORDS].sort());
});

it('runs a single prepared select by its own runner, not through the execute drizzle made, as it runs those of an object', async () => {
  const db = sourceDrizzle(dbs.hubPool, 'TEST');
  const drizzles = db.select().from(word).where(inPlaceholder(word.value, 'values')).prepare().execute;
  expect(byValue(db).execute).not.toBe(drizzles);
  const inObject = preparedPer((d: SourceDb) => ({ q: d.select().from(word).where(inPlaceholder(word.value, 'values')).prepare() }));
  expect(inObject(db).q.execute).not.toBe(drizzles);
  expect((await byValue(db).execute({ values: ['plain'] })).map((r) => r.value)).toEqual(['plain']);
});

it('builds a statement once for each database handle', async () => {
  const before = built;
  const a = sourceDrizzle(dbs.hubPool, 'TEST');
  const b = sourceDrizzle(dbs.hubPool, 'TEST');
  expect(byValue(a)).toBe(byValue(a));
  expect(byValue(b)).not.toBe(byValue(a));
  expect(built - before).toBe(2);
});

// A union statement repeats its IN list in every part, and a household query hands all seven
// departments one frozen array of ID-number forms: mysql2 escaped it again for each placeholder.
it('writes a list out once, a frozen one once for every statement, the SQL the same as mysql2 makes it', async () => {
  const sqlText = 'select 1 from t where a in (?) and b = ? and c in (?) and d in (?)';
  const frozen = Object.freeze([...WORDS]);
  const plain = ['x', "y'", 7];
  const params = [frozen, 'b', plain, plain];
  const sent = listsEscapedOnce(params);
  const format = (values: unknown[]) => mysql.format(sqlText, values as never);
  expect(format(sent)).toBe(format(params));
  expect(params).toEqual([frozen, 'b', plain, plain]);
  // One written list for both placeholders of the same array, and the frozen one's kept for the next statement.
  expect(sent[3]).toBe(sent[2]);
  expect(listsEscapedOnce([frozen])[0]).toBe(sent[0]);
  // A list written again when it can have changed: not frozen, in a new statement.
  expect(listsEscapedOnce([plain])[0]).not.toBe(sent[2]);
  // Anything but a non-empty list of strings and numbers is left to mysql2.
  const others = [[new Date(0)], [], [['a', 1]], null, 3];
  expect(listsEscapedOnce(others)).toBe(others);
  const db = sourceDrizzle(dbs.hubPool, 'TEST');
  expect((await byValue(db).execute({ values: frozen })).map((r) => r.value).sort()).toEqual([...WORDS].sort());
});

// A region scan's lists (ID numbers, settlement references) hold no character mysql2 escapes: they
// are written in one join (docs/performance.md, Session 43), which must be mysql2's text exactly.
it('writes a list of plain strings as mysql2 does, and any list with a character it escapes as mysql2 does too', () => {
  const text = (list: readonly unknown[]) => (listsEscapedOnce([list])[0] as { toSqlString(): string }).toSqlString();
  const plain = ['370811199001011234', '37081119900101123X', '３７０８１１', ' SETL-1', 'setl-1 ', '100%', 'a,b', '任城区', ''];
  expect(text(plain)).toBe(mysql.escape(plain));
  for (const c of ['\0', '\b', '\t', '\n', '\r', '\x1a', '"', "'", '\\']) {
    const list = ['370811199001011234', `a${c}b`];
    expect(text(list)).toBe(mysql.escape(list));
  }
  expect(text(['x', 7, -1.5])).toBe(mysql.escape(['x', 7, -1.5]));
});

// mysql2's format searched a statement's whole text for its placeholders on every run, stepping
// over each of the names drizzle quotes: 3% of the hub's instructions on a household query.
it('joins a prepared statement from its pieces, the same text mysql2 makes, without searching it again', async () => {
  const db = sourceDrizzle(dbs.hubPool, 'TEST');
  const union = preparedPer((d: SourceDb) => d.select().from(word).where(sql`${word.value} in (${sql.placeholder('values')}) or ${word.value} = ${sql.placeholder('one')} or ${word.value} = ${sql.placeholder('n')} or '?' = ${sql.placeholder('one')}`).prepare());
  const run = async (values: Record<string, unknown>) => (await union(db).execute(values)).map((r) => r.value).sort();
  expect(await run({ values: ['plain'], one: "it's", n: 5 })).toEqual(["it's", 'plain']);
  // The driver's own format (sql-escaper's, which mysql2 calls unless the pool has a queryFormat) is not reached again.
  const escaper = jest.requireActual<{ format: (...a: unknown[]) => string }>(require.resolve('sql-escaper', { paths: [require.resolve('mysql2')] }));
  const spy = jest.spyOn(escaper, 'format');
  try {
    expect(await run({ values: Object.freeze(['a,b', 'back\\slash']), one: '100%', n: null })).toEqual(['100%', 'a,b', 'back\\slash']);
    expect(spy).not.toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
  // The text as mysql2 writes it, quotes, backslashes, NUL and "?" in values included; any other value left to mysql2.
  const text = (union(db) as unknown as { query: { sql: string } }).query.sql;
  expect(text).toContain("'?'");
  const connection = { config: { stringifyObjects: false } };
  for (const values of [
    [listsEscapedOnce([["x') OR ('1'='1", 7]])[0], "a\\'b\0c?", -1.5, "d"],
    [['plain', 3], 'x', 0, null],
    [[new Date(0)], true, 2n, { a: 1 }],
    [['one'], 'two'],
  ]) {
    expect(formatStatement.call(connection, text, values, 'local')).toBe(mysql.format(text, values as never, false, 'local' as never));
  }
});
