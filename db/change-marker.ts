/**
 * The change marker the hub asks of every department table a monitoring trigger reads and that has
 * no key which only grows (README, "Adding a department"), and that the hub's own person table
 * carries for deaths (db/household/schema.ts): a TIMESTAMP the database itself sets
 * when a row is written and again whenever it is updated (`DEFAULT CURRENT_TIMESTAMP ON UPDATE
 * CURRENT_TIMESTAMP`, with an index). A department's DBA adds it with one ALTER TABLE; the
 * department's system writes its rows exactly as before, so in-place changes (a settlement reversed,
 * a certificate re-issued, a 低保 spell ended) are seen as well as new rows. Each department names
 * the column as its own tables would (health's platform calls it `updt_time`).
 *
 * TIMESTAMP rather than DATETIME: it is stored in UTC, so it means the same instant whatever time
 * zone the department's sessions use. Whole seconds: MySQL, MariaDB and TiDB all accept
 * `ON UPDATE CURRENT_TIMESTAMP` on it as drizzle-kit writes it (a fractional TIMESTAMP would need
 * the precision repeated in the clause). The poller copes with many rows sharing one second.
 */
import { sql } from 'drizzle-orm';
import { timestamp, type MySqlColumn } from 'drizzle-orm/mysql-core';

export function changeTime(name: string) {
  return timestamp(name, { mode: 'string' }).notNull().default(sql`CURRENT_TIMESTAMP`).onUpdateNow();
}

/**
 * A column the database keeps (a change marker, or a generated column such as the hub household's
 * division prefixes, db/household/schema.ts): never imported, never written by the demo.
 */
export function maintainedByDatabase(column: MySqlColumn): boolean {
  return (column as unknown as { hasOnUpdateNow?: boolean }).hasOnUpdateNow === true || column.generated !== undefined;
}
