/**
 * Statements of a fixed shape, built once per database handle and run again with new values.
 * drizzle builds a statement's SQL from its query builder on every call, and on the hub's hottest
 * paths (the token look-up on every request, the loaders of a household or a pre-grant check) that
 * building cost more Node CPU than running the statement. A prepared query keeps its SQL text and
 * row mapping and only fills its placeholders in. It is not a server-side prepared statement:
 * drizzle still sends it as text, with the values escaped by mysql2.
 */
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/** `column IN (…)` with the list as one placeholder, which mysql2 expands and escapes. Never empty. */
export function inPlaceholder(column: AnyColumn, name: string): SQL {
  return sql`${column} in (${sql.placeholder(name)})`;
}

/** `build(db)` once for each database handle: the statement is made on first use and kept. */
export function preparedPer<D extends object, Q>(build: (db: D) => Q): (db: D) => Q {
  const made = new WeakMap<D, Q>();
  return (db) => {
    let q = made.get(db);
    if (q === undefined) {
      q = build(db);
      made.set(db, q);
    }
    return q;
  };
}
