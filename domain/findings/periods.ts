/**
 * Calendar arithmetic the rules need: periods as inclusive day ranges (a null end is open), month
 * windows counted the way the Civil Code counts them, and school years.
 */
import { addDays, type IsoDate } from '../dates';

const DAY_MS = 86_400_000;

function utc(date: IsoDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

/** Days from `a` to `b` (b − a); negative when b is earlier. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((utc(b) - utc(a)) / DAY_MS);
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The date `months` calendar months after `date`: the same day of the month, or the month's last
 * day when it has no such day (2024-02-29 + 12 → 2025-02-28). Negative months count back.
 *
 * Basis: 民法典 第二百零二条 — a period counted in months or years ends on the corresponding day
 * of the final month, or on its last day when there is no corresponding day. A naive
 * Date.setMonth would roll 2025-02-29 over to 2025-03-01 instead.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const day = Math.min(Number(date.slice(8, 10)), lastDayOfMonth(year, month + 1));
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Whether `later` falls within `months` months after `earlier` (same day counts). The period starts
 * the day after `earlier` and ends on the corresponding day `months` later, inclusive
 * (民法典 第二百零一条、第二百零二条): 2025-01-10 + 12 months reaches 2026-01-10 but not 2026-01-11.
 */
export function withinMonthsAfter(earlier: IsoDate, later: IsoDate, months: number): boolean {
  return later >= earlier && later <= addMonths(earlier, months);
}

const trailing = new Map<string, { from: IsoDate; to: IsoDate }>();

/** The `months`-month window that ends on `today`, inclusive at both ends. */
export function trailingWindow(today: IsoDate, months: number): { from: IsoDate; to: IsoDate } {
  // Asked once per person per rule in a scan, always for the same few (today, months) pairs.
  const key = `${today}|${months}`;
  let w = trailing.get(key);
  if (!w) {
    if (trailing.size > 1000) trailing.clear();
    w = Object.freeze({ from: addDays(addMonths(today, -months), 1), to: today });
    trailing.set(key, w);
  }
  return w;
}

export interface Interval {
  start: IsoDate;
  /** Inclusive last day; null while open. */
  end: IsoDate | null;
}

/** The days two inclusive periods share, or null when they share none (touching is not sharing). */
export function intersect(a: Interval, b: Interval): Interval | null {
  const start = a.start > b.start ? a.start : b.start;
  const end = a.end === null ? b.end : b.end === null ? a.end : a.end < b.end ? a.end : b.end;
  if (end !== null && end < start) return null;
  return { start, end };
}

/**
 * Days in an overlap: all of it when it is closed; when open, the days up to `today` (none when it
 * only starts after today).
 */
export function overlapDays(overlap: Interval, today: IsoDate): number {
  const last = overlap.end ?? today;
  return Math.max(0, daysBetween(overlap.start, last) + 1);
}

export function monthIndex(date: IsoDate): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

export function monthStartOf(index: number): IsoDate {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/**
 * The first day a recurring grant is no longer owed after its beneficiary's death: paid for the month
 * of death, stopped from the month after (自死亡次月起停发), plus `graceMonths` where a locality allows
 * them (X8's own, T3's own: domain/monitoring/triggers.ts). X8 (aidAfterDeath) and T3 (DEATH_ON_ROLL) judge the same aid by it.
 */
export function firstDayUnentitledAfterDeath(deathDate: IsoDate, graceMonths: number): IsoDate {
  return monthStartOf(monthIndex(deathDate) + 1 + graceMonths);
}

/**
 * The school year a date falls in, as the education system writes it ("2025-2026"). A school year
 * starts on 1 September (秋季学期) and runs to 31 August.
 */
export function schoolYearOf(date: IsoDate): string {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 9 ? `${y}-${y + 1}` : `${y - 1}-${y}`;
}

/** First and last day of a school year written "2025-2026". */
export function schoolYearBounds(schoolYear: string): { from: IsoDate; to: IsoDate } {
  const first = Number(schoolYear.slice(0, 4));
  return { from: `${first}-09-01`, to: `${first + 1}-08-31` };
}

/**
 * The school years aid paid from `first` to `last` (one day for a one-off grant) may be for: those
 * its days fall in, and the next one when it starts in July or August (paid before that year
 * starts: 金秋助学 is paid then for the coming year, as 工会 records it).
 */
export function schoolYearsOf(first: IsoDate, last: IsoDate): string[] {
  const from = Number(schoolYearOf(first).slice(0, 4));
  const month = Number(first.slice(5, 7));
  const to = Math.max(Number(schoolYearOf(last).slice(0, 4)), month === 7 || month === 8 ? from + 1 : from);
  return Array.from({ length: to - from + 1 }, (_, i) => `${from + i}-${from + i + 1}`);
}

/**
 * The longest a recurring grant is approved for before it is decided again: five years, a public
 * rental lease's longest term (公共租赁住房管理办法, 住房和城乡建设部令第11号: 合同期限一般不超过5年);
 * 失业保险金 is paid for at most 24 months (失业保险条例 第十七条), and 低保, 特困 support and the two
 * disability subsidies are reviewed yearly or more often.
 */
export const RECURRING_APPROVAL_MAX_YEARS = 5;

/**
 * The last day of a recurring grant starting on `start` and approved for the longest term: the day
 * before its fifth anniversary (the anniversary of 29 February is 1 March in a common year, as a
 * birthday is in ageOn).
 */
export function latestPeriodEnd(start: IsoDate): IsoDate {
  const anniversary = new Date(Date.UTC(Number(start.slice(0, 4)) + RECURRING_APPROVAL_MAX_YEARS, Number(start.slice(5, 7)) - 1, Number(start.slice(8, 10))));
  return addDays(anniversary.toISOString().slice(0, 10), -1);
}

/**
 * The earliest start of a recurring grant that still runs today within the longest term
 * (latestPeriodEnd(start) not before `today`): the day after today, five years back, or the day
 * before it where 29 February's anniversary (1 March) lets an earlier start reach today.
 */
export function earliestRunningStart(today: IsoDate): IsoDate {
  const next = addDays(today, 1);
  let start = new Date(Date.UTC(Number(next.slice(0, 4)) - RECURRING_APPROVAL_MAX_YEARS, Number(next.slice(5, 7)) - 1, Number(next.slice(8, 10)))).toISOString().slice(0, 10);
  while (latestPeriodEnd(start) < today) start = addDays(start, 1);
  while (latestPeriodEnd(addDays(start, -1)) >= today) start = addDays(start, -1);
  return start;
}

/** Why a recurring period runs longer than a grant is approved for, and which date to fix. */
export type PeriodTooLong =
  /** An end more than five years after the start: `max` is the last end allowed. */
  | { field: 'periodEnd'; max: IsoDate }
  /** No end, and started more than five years before today: `min` is the earliest start that runs on today. */
  | { field: 'periodStart'; min: IsoDate };

/**
 * Whether a recurring period runs longer than RECURRING_APPROVAL_MAX_YEARS before it is decided
 * again (null if not): the one rule aidReport (domain/reported-aid/validate.ts) and preGrantCheck
 * hold a period to.
 *
 * - An end more than five years after the start is refused at `periodEnd` (a year mistyped,
 *   2099-12-31). Where `endedIsPaid` (aidReport: aid recorded after it was given), an end already
 *   past is what was paid and is taken however long the period ran; a check before a grant
 *   (preGrantCheck) holds every end to the term.
 * - With no end (a grant that runs on), a start more than five years before today is refused at
 *   `periodStart`: running on today it would have run for longer than any grant is approved without
 *   being decided again (a year mistyped, 1939 for 2019, counted 1,055 months in aidSummary). The
 *   start is the date to fix: there is no end to point at, and a grant running on runs on the
 *   decision it was last given, whose start is the period's (one that stopped gives its end).
 *
 * An end after today within five years of the start reaches today within them, so the two cover
 * every period still running.
 */
export function periodTooLong(start: IsoDate, end: IsoDate | null, today: IsoDate, { endedIsPaid }: { endedIsPaid: boolean }): PeriodTooLong | null {
  if (end !== null) {
    if (endedIsPaid && end <= today) return null;
    const max = latestPeriodEnd(start);
    return end > max ? { field: 'periodEnd', max } : null;
  }
  return latestPeriodEnd(start) < today ? { field: 'periodStart', min: earliestRunningStart(today) } : null;
}

/** The message of a PeriodTooLong: it names the term and the date allowed, never the beneficiary's data. */
export function periodTooLongMessage(problem: PeriodTooLong): string {
  return problem.field === 'periodEnd'
    ? `a recurring period runs at most ${RECURRING_APPROVAL_MAX_YEARS} years from its start (periodEnd at most ${problem.max}): no recurring grant is approved for longer before it is decided again`
    : `a recurring period with no end runs on today, and runs at most ${RECURRING_APPROVAL_MAX_YEARS} years from its start (periodStart on or after ${problem.min}): no recurring grant is approved for longer before it is decided again; give the start of the decision it runs on now, or the end if it stopped`;
}
