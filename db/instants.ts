import { sql, type SQL } from 'drizzle-orm';
import { formatChinaInstant } from '../domain/cases/china-time';

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
