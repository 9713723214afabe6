/**
 * mysql2 3.x builds each statement's options (`BaseConnection.createQuery`, used by every pool and
 * connection `query`) as `{ ...{ rowsAsArray, infileStreamFactory }, ...sql, sql, values }`. Under
 * Node 20's V8 an object made by a spread and then given a key it did not copy gets a map of its
 * own: the transition is not kept, so no two statements' options share a shape, and every property
 * read of them (`Query`'s constructor and `start`: sql, values, timeout, infileStreamFactory,
 * attributes…) misses its inline cache and goes through the runtime (`LoadIC_Miss`), a few thousand
 * instructions each, some 50 a household query (docs/performance.md, session 30).
 *
 * The replacement builds the same object, the same keys in the same order with the same values,
 * with `Object.assign` onto a literal, whose shapes V8 shares. Only a plain object without an own
 * `__proto__` key is built here (for one, `Object.assign` would set the prototype where the spread
 * defines a key); a string statement, a prebuilt `Query` or anything else goes to mysql2's own.
 * mysql2 reads the static at each call, so replacing it is enough.
 */
import { createRequire } from 'node:module';

const mysql2Require = createRequire(require.resolve('mysql2'));

type Config = { rowsAsArray?: unknown; infileStreamFactory?: unknown };
type CreateQuery = (sql: unknown, values: unknown, cb: unknown, config: Config) => unknown;

let installed = false;

/** Makes mysql2 build a statement's options so that they keep one shape. Idempotent. */
export function stableQueryOptions(): void {
  if (installed) return;
  const BaseConnection = mysql2Require('./lib/base/connection.js') as { createQuery: CreateQuery };
  const Query = mysql2Require('./lib/commands/query.js') as new (options: object, cb: unknown) => unknown;
  const own = Object.getOwnPropertyDescriptor(BaseConnection, 'createQuery');
  if (!own || !own.writable || typeof own.value !== 'function' || typeof Query !== 'function') return;
  const original = own.value as CreateQuery;
  BaseConnection.createQuery = function createQuery(sql, values, cb, config) {
    if (sql === null || typeof sql !== 'object' || Object.getPrototypeOf(sql) !== Object.prototype || Object.hasOwn(sql, '__proto__')) {
      return original.call(this, sql, values, cb, config);
    }
    const given = sql as { sql?: unknown; values?: unknown };
    const options: Record<string, unknown> = Object.assign({ rowsAsArray: config.rowsAsArray, infileStreamFactory: config.infileStreamFactory }, given);
    options.sql = given.sql;
    options.values = given.values;
    if (typeof values === 'function') cb = values;
    else if (values !== undefined) options.values = values;
    return new Query(options, cb);
  };
  installed = true;
}
