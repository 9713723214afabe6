/**
 * `column IN (…)` for long lists in statements built on the spot (the findings store's and the
 * scan's reads by fingerprint, household or scan id). drizzle's `inArray` makes one bound
 * parameter per value, and building a statement with thousands of them costs far more CPU than
 * running it (a region scan spent most of its time there). Here a list of plain values (letters
 * and digits: ID numbers, fingerprints, hub ids) is written into the statement directly, with
 * nothing in it that could need escaping; any other list is one parameter that mysql2 expands and
 * escapes when it formats the statement. Either way the SQL means the same and the results are
 * the same. Statements of a fixed shape run on every request are prepared instead, with
 * `inPlaceholder` (db/prepared.ts).
 */
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

const PLAIN = /^[0-9A-Za-z_-]*$/;

export function inList(column: AnyColumn, values: readonly (string | number)[]): SQL {
  // As inArray: an empty list matches nothing.
  if (values.length === 0) return sql`false`;
  if (values.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) return sql`${column} in (${sql.raw(values.join(','))})`;
  if (values.every((v) => typeof v === 'string' && PLAIN.test(v))) return sql`${column} in (${sql.raw(`'${values.join("','")}'`)})`;
  return sql`${column} in (${sql.param([...values])})`;
}
