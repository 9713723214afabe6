import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { CHINA_OFFSET_MS, formatChinaInstant } from '../domain/cases/china-time';

/**
 * The hub's tables keep instants as UTC DATETIME(3) text (`2026-03-15 01:30:00.000`): the form
 * every table compares and the audit hash covers. These convert between that text and Date.
 */

/** An instant as the DATETIME(3) text the hub stores (UTC); now by default. */
export function toDbInstant(instant: Date = new Date()): string {
  return instant.toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * The database's now, as a value to write where the database's clock will read it back (a time
 * compared with UTC_TIMESTAMP(3) in SQL, an age measured against it): every hub process writes
 * the same clock then, whatever its own machine's says.
 */
export function dbNow(): SQL {
  return sql`UTC_TIMESTAMP(3)`;
}

/**
 * The database's now moved by a span of milliseconds (negative: back), for a deadline or an age's
 * limit compared in SQL by the database's clock.
 */
export function dbNowPlusMs(ms: number): SQL {
  return sql`DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${Math.round(ms * 1000)} MICROSECOND)`;
}

/**
 * Today in China (UTC+8, no daylight saving: domain/cases/china-time.ts) by the database's clock, as
 * a DATE value within a statement: a day written or compared in SQL with no read of the clock first
 * (DATE and DATE_ADD run alike on MySQL, MariaDB and TiDB; CONVERT_TZ would need zone tables).
 */
export function dbChinaToday(): SQL {
  return sql`DATE(${dbNowPlusMs(CHINA_OFFSET_MS)})`;
}

/**
 * The database's now read into this process, for a value needed in code as well as stored (a day
 * derived from it, one instant written by two statements of a transaction): read on the connection
 * that then writes it, it is the clock every other process's statements compare with.
 */
export async function readDbNow(db: { execute(query: SQL): Promise<unknown> }): Promise<Date> {
  const [rows] = (await db.execute(sql`SELECT UTC_TIMESTAMP(3) AS now`)) as unknown as [{ now: unknown }[]];
  const now = rows[0].now;
  return now instanceof Date ? now : fromDbInstant(String(now).slice(0, 23));
}

/**
 * Whether an expiry (a nullable DATETIME(3) column, UTC; null: never) has passed by the database's
 * clock, as 1 or 0: the one test of an API client's expiry, for a token's look-up and for a
 * subscriber's client alike, so hub processes whose clocks differ judge it alike.
 */
export function expiredByDb(expiresAt: SQLWrapper): SQL<number> {
  return sql<number>`(${expiresAt} IS NOT NULL AND ${expiresAt} <= ${dbNow()})`.mapWith(Number);
}

/** Microseconds from the database's now to an expiry (negative once past; null for no expiry). */
export function microsUntilByDb(expiresAt: SQLWrapper): SQL<number | null> {
  return sql<number | null>`TIMESTAMPDIFF(MICROSECOND, ${dbNow()}, ${expiresAt})`.mapWith((v) => (v === null ? null : Number(v)));
}

/** Stored DATETIME(3) text (UTC) as an instant. */
export function fromDbInstant(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

export function fromDbInstantOrNull(text: string | null): Date | null {
  return text === null ? null : fromDbInstant(text);
}

/** Stored DATETIME(3) text as the API answers an instant: China time with its offset (what the command-line tools print). */
export function shownDbInstant(text: string): string {
  return formatChinaInstant(fromDbInstant(text));
}
