/**
 * Working days (工作日) under the national holiday calendar, with its adjusted working weekends
 * (调休). The seeds count the non-urgent limits in working days (seed 000, 二(三)).
 *
 * What is known of a year, in order of precedence:
 * 1. a State Council notice a locality loaded as data (AIDHUB_HOLIDAYS_FILE, holiday-notices.ts);
 * 2. the table of the maintained `chinese-days` package (the notices up to its build, from 2004).
 *    We read its published JSON table rather than call its functions: those parse 'YYYY-MM-DD' as
 *    UTC midnight but read the weekday in the process's local zone, so on a server west of
 *    Greenwich every Saturday counts as a Friday. Here the weekday is computed on the date itself;
 * 3. after the table's last year, the statutory holidays the law fixes (statutory-holidays.ts:
 *    元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆) and the 补假 day for each of their days on a
 *    weekend (art. 6), without the 调休 and bridging days only the notice will bring;
 * 4. before 2004, weekends only.
 * A year known by 1 or 2 is covered; a result that counts a day of a year known only by 3 or 4 says
 * it is provisional.
 *
 * The arithmetic never walks day by day: Monday-to-Friday days are counted by formula, then
 * corrected by the sorted list of days that differ from Monday-to-Friday (weekday holidays and
 * worked weekends), found by binary search. Dates outside 1900-01-01 … 2100-12-31 are refused with
 * a RangeError: the hub's date arguments are held well inside (domain/date-ranges.ts).
 */
import { createHash } from 'node:crypto';
import calendar from 'chinese-days/dist/chinese-days.json';
import { addDays, type IsoDate } from '../dates';
import { HOLIDAYS_FILE_ENV, loadHolidayNotices, type HolidayNotice } from './holiday-notices';
import { STATUTORY_FIRST_YEAR, statutoryDaysOff } from './statutory-holidays';

/** The dates working-day arithmetic accepts. */
export const SUPPORTED_DATES = { first: '1900-01-01', last: '2100-12-31' } as const;

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.parse(`${SUPPORTED_DATES.first}T00:00:00Z`) / DAY_MS;
const LAST_DAY = Date.parse(`${SUPPORTED_DATES.last}T00:00:00Z`) / DAY_MS;
const FIRST_YEAR = 1900;
const LAST_YEAR = 2100;

/** Day number (days since 1970-01-01) of a date, refusing anything malformed or out of range. */
function dayOf(date: IsoDate, argument = 'date'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  const day = ms / DAY_MS;
  if (!m || !Number.isInteger(day) || new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`${argument} is not a date written YYYY-MM-DD: ${String(date).slice(0, 40)}`);
  if (day < FIRST_DAY || day > LAST_DAY) throw new RangeError(`${argument} ${date} is outside ${SUPPORTED_DATES.first} … ${SUPPORTED_DATES.last}, the dates working days are counted for`);
  return day;
}

function dateOf(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 Sunday … 6 Saturday; day 0 (1970-01-01) was a Thursday. */
function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const isWeekend = (day: number) => {
  const w = weekdayOfDay(day);
  return w === 0 || w === 6;
};

/** A Monday: 1970-01-05. */
const MONDAY = 4;

/** Monday-to-Friday days d with MONDAY ≤ d < x (negative before it); differences count any range. */
function weekdaysBefore(x: number): number {
  const k = x - MONDAY;
  const weeks = Math.floor(k / 7);
  return 5 * weeks + Math.min(k - 7 * weeks, 5);
}

type Source = 'NOTICE' | 'PACKAGE' | 'STATUTORY' | 'WEEKENDS';

export interface HolidayCalendar {
  /** Per year from 1900 to 2100: where its holidays come from. */
  sourceOf(year: number): Source;
  /** Day → holiday name. */
  holidays: ReadonlyMap<number, string>;
  /** Days worked in exchange (调休上班). */
  workdays: ReadonlySet<number>;
  /** Days whose working status differs from Monday-to-Friday, ascending. */
  exceptionDays: Int32Array;
  /** exceptionTotals[i]: the sum of +1 (worked weekend) and −1 (weekday off) over exceptionDays[0..i]. */
  exceptionTotals: Int32Array;
  /** Years not covered (statutory or weekends only), ascending. */
  uncoveredYears: readonly number[];
  /** First and last year of the package table and loaded notices. */
  coverage: { firstYear: number; lastYear: number; noticeYears: number[] };
}

/** The package's table, per year: holidays (date → Chinese name) and worked weekends. */
function packageYears(): Map<number, { holidays: Map<IsoDate, string>; workdays: Set<IsoDate> }> {
  const years = new Map<number, { holidays: Map<IsoDate, string>; workdays: Set<IsoDate> }>();
  const yearEntry = (date: string) => {
    const y = Number(date.slice(0, 4));
    let e = years.get(y);
    if (!e) years.set(y, (e = { holidays: new Map(), workdays: new Set() }));
    return e;
  };
  // Entries read "Spring Festival,春节,4": English name, Chinese name, length.
  for (const [date, entry] of Object.entries(calendar.holidays as Record<string, string>)) yearEntry(date).holidays.set(date, entry.split(',')[1] ?? entry);
  for (const date of Object.keys(calendar.workdays as Record<string, string>)) yearEntry(date).workdays.add(date);
  return years;
}

const PACKAGE_YEARS = packageYears();
const PACKAGE_LAST_YEAR = Math.max(...PACKAGE_YEARS.keys());

/** Computing a year's lunar dates costs a few milliseconds: each year once per process. */
const statutoryMemo = new Map<number, ReadonlyMap<IsoDate, string>>();
function statutoryOf(year: number): ReadonlyMap<IsoDate, string> {
  let days = statutoryMemo.get(year);
  if (!days) statutoryMemo.set(year, (days = statutoryDaysOff(year)));
  return days;
}

/**
 * Builds the calendar from the package table, notices on top, statutory days after the table; with
 * `lawAlone`, statutory days from STATUTORY_FIRST_YEAR on even where the table has the year (see
 * lawAloneCalendar).
 */
export function buildHolidayCalendar(notices: readonly HolidayNotice[] = [], lawAlone = false): HolidayCalendar {
  const byNotice = new Map(notices.map((n) => [n.year, n]));
  const holidays = new Map<number, string>();
  const workdays = new Set<number>();
  const sources = new Map<number, Source>();
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const notice = byNotice.get(y);
    const table = PACKAGE_YEARS.get(y);
    const byLaw = lawAlone && y >= STATUTORY_FIRST_YEAR;
    if (notice) {
      sources.set(y, 'NOTICE');
      for (const [d, name] of notice.holidays) holidays.set(dayOf(d), name);
      for (const d of notice.workdays.keys()) workdays.add(dayOf(d));
    } else if (table && !byLaw) {
      sources.set(y, 'PACKAGE');
      for (const [d, name] of table.holidays) holidays.set(dayOf(d), name);
      for (const d of table.workdays) workdays.add(dayOf(d));
    } else if (y > PACKAGE_LAST_YEAR || byLaw) {
      sources.set(y, 'STATUTORY');
      for (const [d, name] of statutoryOf(y)) holidays.set(dayOf(d), name);
    } else {
      sources.set(y, 'WEEKENDS');
    }
  }
  const exceptions: [number, number][] = [];
  for (const day of workdays) if (isWeekend(day)) exceptions.push([day, +1]);
  for (const day of holidays.keys()) if (!workdays.has(day) && !isWeekend(day)) exceptions.push([day, -1]);
  exceptions.sort((a, b) => a[0] - b[0]);
  const exceptionDays = Int32Array.from(exceptions, ([d]) => d);
  const exceptionTotals = new Int32Array(exceptions.length);
  let total = 0;
  exceptions.forEach(([, delta], i) => (exceptionTotals[i] = total += delta));
  const coveredYears = [...sources].filter(([, s]) => s === 'NOTICE' || s === 'PACKAGE').map(([y]) => y);
  return {
    sourceOf: (year) => sources.get(year) ?? 'WEEKENDS',
    holidays,
    workdays,
    exceptionDays,
    exceptionTotals,
    uncoveredYears: [...sources].filter(([, s]) => s === 'STATUTORY' || s === 'WEEKENDS').map(([y]) => y),
    coverage: { firstYear: Math.min(...coveredYears), lastYear: Math.max(...coveredYears), noticeYears: [...byNotice.keys()].sort((a, b) => a - b) },
  };
}

/**
 * The calendar a hub counted a year under before any notice of it reached it, its own release's
 * table included: the law's holidays alone (statutoryDaysOff) from the amended law's first year, the
 * package's table before. A release whose table ended with 2025 counted 2026 so; this one's table
 * has 2026's notice, and buildHolidayCalendar() alone would read such a day as counted under it.
 */
export function lawAloneCalendar(): HolidayCalendar {
  return buildHolidayCalendar([], true);
}

let active: { key: string; calendar: HolidayCalendar } | null = null;

/**
 * The calendar in force: the package table with the notices of AIDHUB_HOLIDAYS_FILE on top, built
 * on first use and kept; a changed variable is picked up (tests switch it). The server calls this
 * while starting, so a bad file stops the start (HolidayNoticeError, naming the notice and field).
 */
export function activeHolidayCalendar(env: NodeJS.ProcessEnv = process.env): HolidayCalendar {
  const key = env[HOLIDAYS_FILE_ENV] ?? '';
  if (active?.key !== key) active = { key, calendar: buildHolidayCalendar(loadHolidayNotices(env)) };
  return active.calendar;
}

/** Index of the first exception day > day (binary search). */
function exceptionsUpTo(cal: HolidayCalendar, day: number): number {
  let lo = 0;
  let hi = cal.exceptionDays.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cal.exceptionDays[mid] <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Net correction of the exceptions with day ≤ x. */
function correctionUpTo(cal: HolidayCalendar, x: number): number {
  const i = exceptionsUpTo(cal, x);
  return i === 0 ? 0 : cal.exceptionTotals[i - 1];
}

/** Working days d with a < d ≤ b (a ≤ b), in O(log number of exceptions). */
function countWorking(cal: HolidayCalendar, a: number, b: number): number {
  return weekdaysBefore(b + 1) - weekdaysBefore(a + 1) + correctionUpTo(cal, b) - correctionUpTo(cal, a);
}

function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** Whether a day of a year without a notice lies in [a, b]. */
function anyUncovered(cal: HolidayCalendar, a: number, b: number): boolean {
  if (a > b) return false;
  const ya = yearOfDay(a);
  const yb = yearOfDay(b);
  return cal.uncoveredYears.some((y) => y >= ya && y <= yb);
}

/**
 * Whether a day from `first` to `last` lies in a year without a notice: what makes a counted date
 * provisional (addWorkingDays, addCalendarDays), and a date kept as counted too, read under the
 * calendar in force (an alert's date whose period has ended, domain/monitoring/alerts.ts).
 */
export function uncoveredBetween(first: IsoDate, last: IsoDate, cal: HolidayCalendar = activeHolidayCalendar()): boolean {
  return anyUncovered(cal, dayOf(first), dayOf(last));
}

/**
 * The calendars a hub without a year's notice counted under: the package's table and the law after
 * it (this release's), or the law alone where an older release's table ended before the year.
 */
let provisionalCalendars: readonly HolidayCalendar[] | undefined;

/**
 * Whether a date kept as counted (a slip's due date once answered, an alert's date whose period
 * ended) is one a provisional calendar gave (`countUnder` each, by the count it was counted with) and
 * the calendar in force gives otherwise (`inForce`): counted without the year's notice, it stays
 * provisional, though no day of its count lies in a year still without one (uncoveredBetween). A
 * date the calendar in force gives alike is confirmed; one neither gives was counted under another
 * notice (since corrected) or another rule, final when counted.
 */
export function keptWithoutNotice(kept: IsoDate, inForce: IsoDate, countUnder: (cal: HolidayCalendar) => IsoDate): boolean {
  if (inForce === kept) return false;
  provisionalCalendars ??= [buildHolidayCalendar(), lawAloneCalendar()];
  return provisionalCalendars.some((cal) => countUnder(cal) === kept);
}

/**
 * What the calendar in force counts working days by, as a sha256 (hex): every day whose working
 * status differs from Monday to Friday (days off on weekdays, worked weekends), from the package
 * table, the loaded notices and the statutory days computed after them. Two calendars with the same
 * fingerprint give every count the same date, so a date stored under one holds under the other
 * (db/cases/due-recount.ts skips its recount when it is unchanged). Which years are provisional is
 * left out: a slip's due date and a claim's last day store no flag (it is read when the date is
 * shown). An alert stores its provisional flag: its recount reads calendarCoverageFingerprint.
 */
export function calendarFingerprint(cal: HolidayCalendar = activeHolidayCalendar()): string {
  const hash = createHash('sha256');
  hash.update(Buffer.from(cal.exceptionDays.buffer, cal.exceptionDays.byteOffset, cal.exceptionDays.byteLength));
  hash.update(Buffer.from(cal.exceptionTotals.buffer, cal.exceptionTotals.byteOffset, cal.exceptionTotals.byteLength));
  return hash.digest('hex');
}

/**
 * calendarFingerprint with which years no notice (nor the package's table) arranges, as a sha256
 * (hex): what a stored provisional flag is counted under (monitoring_alert.provisional,
 * resolvers/monitoring/deadline-recount.ts). A notice giving exactly the days the law alone gives
 * (no 调休, the same days off) changes no day, but confirms the dates counted in its year: their
 * flag is to be cleared, so the calendar to recount under has changed.
 */
export function calendarCoverageFingerprint(cal: HolidayCalendar = activeHolidayCalendar()): string {
  return createHash('sha256').update(`${calendarFingerprint(cal)}|uncovered=${cal.uncoveredYears.join(',')}`).digest('hex');
}

/**
 * Per year from 1900 to 2100, a sha256 (hex) of what counts over its days read from it: its weekdays
 * off and worked weekends, whether a notice arranges it (uncoveredBetween) and `extra` (what else the
 * counts depend on, the same for every year). A calendar change that leaves a year's fingerprint alike
 * changes no count over a window of days outside the years whose fingerprint changed.
 */
export function calendarYearFingerprints(cal: HolidayCalendar = activeHolidayCalendar(), extra = ''): Map<number, string> {
  const days = new Map<number, string[]>();
  cal.exceptionDays.forEach((day, i) => {
    const y = yearOfDay(day);
    const delta = cal.exceptionTotals[i] - (i === 0 ? 0 : cal.exceptionTotals[i - 1]);
    let list = days.get(y);
    if (!list) days.set(y, (list = []));
    list.push(`${day}${delta > 0 ? '+' : '-'}`);
  });
  const uncovered = new Set(cal.uncoveredYears);
  const out = new Map<number, string>();
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    out.set(y, createHash('sha256').update(`${uncovered.has(y) ? 'U' : 'C'}|${extra}|${(days.get(y) ?? []).join(',')}`).digest('hex'));
  }
  return out;
}

/** First and last year whose holidays and 调休 are known from a notice (the package's or a loaded one). */
export const calendarCoverage: { readonly firstYear: number; readonly lastYear: number; readonly noticeYears: readonly number[] } = {
  get firstYear() {
    return activeHolidayCalendar().coverage.firstYear;
  },
  get lastYear() {
    return activeHolidayCalendar().coverage.lastYear;
  },
  get noticeYears() {
    return activeHolidayCalendar().coverage.noticeYears;
  },
};

/** Whether the date's year is arranged by a notice (its 调休 known), not only computed. */
export function isCovered(date: IsoDate): boolean {
  const s = activeHolidayCalendar().sourceOf(Number(date.slice(0, 4)));
  return s === 'NOTICE' || s === 'PACKAGE';
}

export function isWorkingDay(date: IsoDate): boolean {
  return workingOn(activeHolidayCalendar(), dayOf(date));
}

/** The holiday's Chinese name when the date is a statutory holiday (春节, 国庆节 …), else null. */
export function holidayName(date: IsoDate): string | null {
  return activeHolidayCalendar().holidays.get(dayOf(date)) ?? null;
}

/**
 * A stored date held inside SUPPORTED_DATES. Rows written before the hub bounded its date arguments
 * (a case reported in year 1) still get deadlines, counted from 1900 or to 2100 and provisional,
 * so that a supervisor sees them as hugely overdue instead of the report failing.
 */
export function withinSupported(date: IsoDate): IsoDate {
  if (!/^\d{4}-/.test(date)) return date.startsWith('+') ? SUPPORTED_DATES.last : SUPPORTED_DATES.first;
  return date < SUPPORTED_DATES.first ? SUPPORTED_DATES.first : date > SUPPORTED_DATES.last ? SUPPORTED_DATES.last : date;
}

/**
 * The years no notice arranges (neither the package's table nor a loaded one) from `today`'s to the
 * day a limit of `workingDays` counted from today ends: dates the hub counts now into them are
 * provisional. The hub names them when it starts (server/app.ts), so that an office loads the year's
 * notice (AIDHUB_HOLIDAYS_FILE) once the State Council publishes it, usually in the autumn before.
 */
export function uncoveredYearsAhead(today: IsoDate, workingDays: number, cal: HolidayCalendar = activeHolidayCalendar()): number[] {
  const from = withinSupported(today);
  const last = yearOfDay(dayOf(addWorkingDays(from, workingDays, cal).date));
  const first = Number(from.slice(0, 4));
  return cal.uncoveredYears.filter((y) => y >= first && y <= last);
}

export interface WorkingDayResult {
  date: IsoDate;
  /** True when a day counted lies in a year whose holiday notice is not known (no 调休 known). */
  provisional: boolean;
}

/**
 * "Within n working days" of `from`: the n-th working day after `from`. The day the matter is
 * received is not counted (期间开始之日不计算在内), so a matter received on a Friday with a
 * limit of 3 working days is due on the Wednesday after, holidays and 调休 permitting.
 */
export function addWorkingDays(from: IsoDate, n: number, cal: HolidayCalendar = activeHolidayCalendar()): WorkingDayResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`working days must be a positive whole number, got ${n}`);
  const start = dayOf(from, 'from');
  // Find an upper bound with at least n working days, then the first day reaching n: the count
  // only grows with the end day, and it grows exactly on working days.
  let span = Math.ceil((n * 7) / 5) + 14;
  let hi = Math.min(start + span, LAST_DAY);
  while (countWorking(cal, start, hi) < n) {
    if (hi === LAST_DAY) throw new RangeError(`${n} working days after ${from} fall after ${SUPPORTED_DATES.last}, the last date working days are counted for`);
    span *= 2;
    hi = Math.min(start + span, LAST_DAY);
  }
  let lo = start + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (countWorking(cal, start, mid) >= n) hi = mid;
    else lo = mid + 1;
  }
  const provisional = !isCovered(from) || anyUncovered(cal, start + 1, lo);
  return { date: dateOf(lo), provisional };
}

/**
 * What a limit counted in calendar days does when its last day is a day off (a weekend or statutory
 * holiday, under the calendar in force): NEXT_WORKING_DAY, the law's general rule for periods
 * (民法典 art. 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日), or KEEP,
 * the day as counted (art. 201 alone). A locality's choice, as data (rules/triggers.json `lastDayOff`).
 */
export const LAST_DAY_OFF_RULES = ['NEXT_WORKING_DAY', 'KEEP'] as const;
export type LastDayOff = (typeof LAST_DAY_OFF_RULES)[number];

/** The law's rule (art. 203), for a limit that names none. */
export const DEFAULT_LAST_DAY_OFF: LastDayOff = 'NEXT_WORKING_DAY';

/**
 * "Within n days" of `from`, in calendar days: the n-th day after `from` (the day itself not counted,
 * art. 201), moved to the first working day after it when that day is off and `lastDayOff` says so
 * (art. 203): a 15-day limit from 2026-09-16 would end on 10-01 and ends on 10-08 (国庆 10-01 … 10-07
 * off); one ending on a worked Saturday (调休) stays. Provisional when the day's being off is read from
 * a year whose holiday notice is not known. A day outside SUPPORTED_DATES is not moved (no calendar
 * reaches it) and provisional, never an error: a stored date of any year still gets its deadline.
 */
export function addCalendarDays(from: IsoDate, n: number, lastDayOff: LastDayOff, cal: HolidayCalendar = activeHolidayCalendar()): WorkingDayResult {
  const date = addDays(from, n);
  if (lastDayOff === 'KEEP') return { date, provisional: false };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date < SUPPORTED_DATES.first || date > SUPPORTED_DATES.last) return { date, provisional: true };
  const last = dayOf(date);
  let day = last;
  while (day < LAST_DAY && !workingOn(cal, day)) day++;
  if (!workingOn(cal, day)) return { date, provisional: true };
  return { date: dateOf(day), provisional: uncoveredBetween(date, dateOf(day), cal) };
}

function workingOn(cal: HolidayCalendar, day: number): boolean {
  if (cal.workdays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  return !isWeekend(day);
}

/** Working days d with from < d ≤ to; 0 when to ≤ from. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): WorkingDayResult & { days: number } {
  const cal = activeHolidayCalendar();
  const a = dayOf(from, 'from');
  const b = dayOf(to, 'to');
  if (b <= a) return { date: to, days: 0, provisional: false };
  return { date: to, days: countWorking(cal, a, b), provisional: anyUncovered(cal, a + 1, b) };
}
