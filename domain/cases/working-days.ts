/**
 * Working days (工作日) under the national holiday calendar, with its adjusted working weekends
 * (调休). The seeds count the non-urgent limits in working days (seed 000, 二(三)).
 *
 * The calendar is the table of the maintained `chinese-days` package (State Council notices, one
 * per year, published each November or December). We read its published JSON table rather than
 * call its functions: those parse 'YYYY-MM-DD' as UTC midnight but read the weekday in the
 * process's local zone, so on a server west of Greenwich every Saturday counts as a Friday. Here
 * the weekday is computed on the date itself, whatever the server's zone.
 *
 * Outside the years the table covers (see `calendarCoverage`), only weekends are known: dates
 * there are counted Monday to Friday and every result says it is provisional.
 */
import calendar from 'chinese-days/dist/chinese-days.json';
import { addDays, type IsoDate } from '../dates';

const HOLIDAYS: Readonly<Record<string, string>> = calendar.holidays;
/** Weekend days worked in exchange for a longer holiday (调休上班). */
const ADJUSTED_WORKDAYS: Readonly<Record<string, string>> = calendar.workdays;

function yearsOf(dates: string[]): number[] {
  return dates.map((d) => Number(d.slice(0, 4)));
}

const COVERED_YEARS = yearsOf(Object.keys(HOLIDAYS));

/** First and last year whose holidays the package lists. */
export const calendarCoverage: { firstYear: number; lastYear: number } = {
  firstYear: Math.min(...COVERED_YEARS),
  lastYear: Math.max(...COVERED_YEARS),
};

export function isCovered(date: IsoDate): boolean {
  const year = Number(date.slice(0, 4));
  return year >= calendarCoverage.firstYear && year <= calendarCoverage.lastYear;
}

/** 0 Sunday … 6 Saturday, from the date alone. */
function weekday(date: IsoDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function isWorkingDay(date: IsoDate): boolean {
  if (ADJUSTED_WORKDAYS[date]) return true;
  if (HOLIDAYS[date]) return false;
  const d = weekday(date);
  return d >= 1 && d <= 5;
}

/** The holiday's Chinese name when the date is a statutory holiday (春节, 国庆节 …), else null. */
export function holidayName(date: IsoDate): string | null {
  const entry = HOLIDAYS[date];
  return entry ? entry.split(',')[1] ?? entry : null;
}

export interface WorkingDayResult {
  date: IsoDate;
  /** True when a day counted lies in a year the calendar does not cover yet. */
  provisional: boolean;
}

/**
 * "Within n working days" of `from`: the n-th working day after `from`. The day the matter is
 * received is not counted (期间开始之日不计算在内), so a matter received on a Friday with a
 * limit of 3 working days is due on the Wednesday after, holidays and 调休 permitting.
 */
export function addWorkingDays(from: IsoDate, n: number): WorkingDayResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`working days must be a positive whole number, got ${n}`);
  let date = from;
  let left = n;
  let provisional = !isCovered(from);
  while (left > 0) {
    date = addDays(date, 1);
    if (!isCovered(date)) provisional = true;
    if (isWorkingDay(date)) left -= 1;
  }
  return { date, provisional };
}

/** Working days d with from < d ≤ to; 0 when to ≤ from. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): WorkingDayResult & { days: number } {
  let days = 0;
  let provisional = false;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
    if (!isCovered(d)) provisional = true;
    if (isWorkingDay(d)) days += 1;
  }
  return { date: to, days, provisional };
}
