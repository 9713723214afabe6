/** db/prepared.ts: a list placeholder matches exactly its values, escaped, and a statement is built once per handle. */
import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { sourceDrizzle } from '../db/connect';
import { inPlaceholder, preparedPer } from '../db/prepared';
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
