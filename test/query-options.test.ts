/**
 * db/query-options.ts: with the replacement installed, mysql2 builds every statement's options
 * exactly as its own `createQuery` does (the same keys in the same order, the same values, the
 * same callback), for each way the hub and its libraries call `query`. If a mysql2 upgrade stops
 * letting the static be replaced, the first test says so (the replacement is then skipped, and each
 * statement's options get a shape of their own again: docs/performance.md, session 30).
 */
import { createRequire } from 'node:module';
import { stableQueryOptions } from '../db/query-options';

type Built = { sql: unknown; values: unknown; onResult: unknown; timeout: unknown; namedPlaceholders: unknown; _queryOptions: Record<string, unknown> };
type CreateQuery = (sql: unknown, values: unknown, cb: unknown, config: object) => Built;

const BaseConnection = createRequire(require.resolve('mysql2'))('./lib/base/connection.js') as { createQuery: CreateQuery };
const original = BaseConnection.createQuery;

const cb = () => undefined;
const typeCast = () => 1;
const stream = () => undefined;
const configs = [{}, { rowsAsArray: true, infileStreamFactory: stream }];
// The arguments `query` is called with: drizzle's runners, drizzle's session, the hub's own strings.
const calls: [unknown, unknown, unknown][] = [
  [{ sql: 'SELECT ?', rowsAsArray: true }, [1], undefined],
  [{ sql: 'SELECT ?', typeCast }, ['a'], cb],
  [{ sql: 'SELECT ?', timeout: 5000, values: [2] }, undefined, cb],
  [{ sql: 'SELECT ?', values: [2] }, [3], undefined],
  [{ sql: 'SELECT 1', rowsAsArray: false, nestTables: '_' }, cb, undefined],
  [{ sql: 'SELECT 1', values: undefined, sql2: 'x' }, undefined, undefined],
  ['SELECT ?', [4], cb],
  ['SELECT 1', cb, undefined],
  ['SELECT 1', undefined, undefined],
];

function view(q: Built) {
  return { keys: Object.keys(q._queryOptions), options: q._queryOptions, sql: q.sql, values: q.values, onResult: q.onResult, timeout: q.timeout, namedPlaceholders: q.namedPlaceholders };
}

describe('stableQueryOptions', () => {
  beforeAll(() => stableQueryOptions());

  it('replaces mysql2 createQuery', () => {
    expect(BaseConnection.createQuery).not.toBe(original);
  });

  it.each(calls.flatMap((call) => configs.map((config) => [call, config] as const)))('builds what mysql2 builds for %j under %j', (call, config) => {
    const [sql, values, callback] = call;
    expect(view(BaseConnection.createQuery(sql, values, callback, config))).toEqual(view(original(sql, values, callback, config)));
  });

  it('leaves an object with an own __proto__ key to mysql2', () => {
    const sql = JSON.parse('{"sql":"SELECT 1","__proto__":{"x":1}}') as object;
    const built = BaseConnection.createQuery(sql, undefined, undefined, {});
    expect(Object.getPrototypeOf(built._queryOptions)).toBe(Object.prototype);
    expect(Object.keys(built._queryOptions)).toEqual(Object.keys(original(sql, undefined, undefined, {})._queryOptions));
  });
});
