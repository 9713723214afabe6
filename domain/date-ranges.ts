/**
 * The ranges a date or an instant given by a caller must lie in. Nothing the hub serves needs a
 * date outside them, and everything the hub computes from dates (working days, month counts,
 * windows) is then bounded: a year-9999 or year-0 argument is refused before any work is done.
 *
 * | scalar     | range                                                   | why |
 * |------------|---------------------------------------------------------|-----|
 * | `Date`     | 1900-01-01 … 2099-12-31                                 | aid windows, grant and period dates, meeting dates: the oldest living person's records to the end of the century |
 * | `DateTime` | 2000-01-01T00:00:00+08:00 … 2099-12-31T23:59:59.999+08:00 | case instants (`reportedAt`, `occurredAt`) and the `asOf` of deadlines and supervision: no case of this hub predates 2000 |
 *
 * An event instant (`reportedAt`, `occurredAt`) is also refused when it lies in the future beyond
 * the clock skew allowed (5 minutes; `OCCURRED_IN_FUTURE`, db/cases-write.ts). Working-day
 * arithmetic itself refuses anything outside 1900–2100 (working-days.ts), so a due date 60 working
 * days after the last day allowed here still counts.
 */
import type { IsoDate } from './dates';

export interface DateRange {
  /** First value allowed, as written in the schema's scalar. */
  min: string;
  /** Last value allowed. */
  max: string;
}

export const DATE_RANGE: DateRange = { min: '1900-01-01', max: '2099-12-31' };
export const INSTANT_RANGE: DateRange = { min: '2000-01-01T00:00:00.000+08:00', max: '2099-12-31T23:59:59.999+08:00' };

const INSTANT_MIN_MS = Date.parse(INSTANT_RANGE.min);
const INSTANT_MAX_MS = Date.parse(INSTANT_RANGE.max);

/** Whether a calendar date (already a valid YYYY-MM-DD) lies in DATE_RANGE. */
export function dateInRange(date: IsoDate): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && date >= DATE_RANGE.min && date <= DATE_RANGE.max;
}

/** Whether an instant lies in INSTANT_RANGE. */
export function instantInRange(instant: Date): boolean {
  const ms = instant.getTime();
  return Number.isFinite(ms) && ms >= INSTANT_MIN_MS && ms <= INSTANT_MAX_MS;
}
