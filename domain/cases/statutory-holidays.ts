/**
 * The statutory public holidays of a year as the national rules fix them, before the State Council's
 * yearly notice arranges them: 国务院《全国年节及纪念日放假办法》 art. 2, as amended 2024 (in force
 * from 2025): 元旦 1 day (1 January); 春节 4 days (农历除夕, 正月初一 to 初三); 清明节 1 day (the
 * day of the 清明 solar term); 劳动节 2 days (1–2 May); 端午节 1 day (农历五月初五); 中秋节 1 day
 * (农历八月十五); 国庆节 3 days (1–3 October).
 *
 * These dates are known years ahead, and so is the number of days off they give: art. 6 makes a
 * holiday that falls on a Saturday or Sunday up on a working day (补假; 2027's 春节 runs Friday
 * 02-05 to Monday 02-08, so two weekdays more are off). What is not known is what the yearly notice
 * adds: where the 补假 days go, the adjusted working weekends (调休) and the bridging days that join
 * a holiday to a weekend. So a year computed here is never final: working-days.ts marks every result
 * that counts one of its days provisional.
 *
 * Lunar dates and the solar term come from `lunar-javascript` (6tail/lunar-javascript, MIT, no
 * dependencies): it computes the lunar calendar and the solar terms astronomically, on plain
 * year/month/day numbers, so its answers do not depend on the server's time zone. (The lunar
 * functions `chinese-days` exposes mix UTC and local-time readings: west of Greenwich they give
 * 春节 2027 as 7 February instead of 6 February.)
 */
import { addDays, type IsoDate } from '../dates';

interface SolarDay {
  toYmd(): string;
}
interface LunarDay {
  getSolar(): SolarDay;
  next(days: number): LunarDay;
}
interface LunarModule {
  Lunar: { fromYmd(lunarYear: number, lunarMonth: number, lunarDay: number): LunarDay };
  Solar: { fromYmd(year: number, month: number, day: number): { getLunar(): { getJieQiTable(): Record<string, SolarDay> } } };
}

// The package ships no type declarations; the few calls used here are typed above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Lunar, Solar } = require('lunar-javascript') as LunarModule;

/** The law's names, as the holiday table of `chinese-days` spells them. */
export const STATUTORY_HOLIDAY_NAMES = ['元旦', '春节', '清明', '劳动节', '端午', '中秋', '国庆节'] as const;
export type StatutoryHolidayName = (typeof STATUTORY_HOLIDAY_NAMES)[number];

/** The first year the amended 放假办法 fixes the holidays given here (art. 2 as amended 2024, in force from 2025). */
export const STATUTORY_FIRST_YEAR = 2025;

/** Years for which the lunar tables and solar-term computation are used here. */
export const STATUTORY_YEARS = { first: 1901, last: 2100 } as const;

function pad(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Orders [date, …] entries by date (ISO dates sort as strings); the sort is stable. */
function byDate([a]: readonly [IsoDate, unknown], [b]: readonly [IsoDate, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every statutory holiday-day of the year, in date order: a day two holidays share is there twice. */
function statutoryHolidayDays(year: number): [IsoDate, StatutoryHolidayName][] {
  if (!Number.isInteger(year) || year < STATUTORY_YEARS.first || year > STATUTORY_YEARS.last) {
    throw new RangeError(`statutory holidays are computed for ${STATUTORY_YEARS.first} to ${STATUTORY_YEARS.last}, not ${year}`);
  }
  const days: [IsoDate, StatutoryHolidayName][] = [];
  days.push([pad(year, 1, 1), '元旦']);
  // 春节: the lunar year that begins in this Gregorian year; its eve (除夕) is the day before
  // 正月初一, whether the twelfth month has 29 or 30 days. Both fall in January or February.
  const newYear = Lunar.fromYmd(year, 1, 1);
  days.push([newYear.next(-1).getSolar().toYmd(), '春节']);
  for (let i = 0; i < 3; i++) days.push([newYear.next(i).getSolar().toYmd(), '春节']);
  // 清明 falls on 4 or 5 April (6 April in some years of the past): the table of this year's terms.
  days.push([Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()['清明'].toYmd(), '清明']);
  days.push([pad(year, 5, 1), '劳动节'], [pad(year, 5, 2), '劳动节']);
  days.push([Lunar.fromYmd(year, 5, 5).getSolar().toYmd(), '端午']);
  days.push([Lunar.fromYmd(year, 8, 15).getSolar().toYmd(), '中秋']);
  days.push([pad(year, 10, 1), '国庆节'], [pad(year, 10, 2), '国庆节'], [pad(year, 10, 3), '国庆节']);
  return days.sort(byDate);
}

/**
 * The statutory holidays of a Gregorian year, date → name, in date order. Where two fall on one
 * day (中秋 on 1–3 October), the day is listed once, under the earlier-listed holiday of the law;
 * the day off the overlap owes is given by `statutoryDaysOff`.
 */
export function statutoryHolidays(year: number): Map<IsoDate, StatutoryHolidayName> {
  return onceADay(statutoryHolidayDays(year));
}

/** Date → name of entries in date order, a date listed twice kept under its first name. */
function onceADay(days: readonly [IsoDate, StatutoryHolidayName][]): Map<IsoDate, StatutoryHolidayName> {
  const out = new Map<IsoDate, StatutoryHolidayName>();
  for (const [date, name] of days) if (!out.has(date)) out.set(date, name);
  return out;
}

function isWeekendDay(date: IsoDate): boolean {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  return wd === 0 || wd === 6;
}

/**
 * The weekdays off of a year as the law alone gives them: the statutory holidays
 * (`statutoryHolidays`) and, for each of their days on a Saturday or Sunday, a 补假 day on a working
 * day (art. 6). The notices have always put 补假 right after its holiday (国庆 2022, Saturday 10-01
 * to Monday 10-03: 10-04 and 10-05 off), so it is placed on the first weekdays after the holiday that
 * are not already off; the notice, once loaded, replaces the year (where it puts them, the 调休).
 * Without it a deadline counted across 2027's 春节 came two working days early.
 *
 * A run of holiday days owes as many weekdays off as it has holiday-days beyond its own weekdays:
 * its Saturdays and Sundays, and a day two holidays share. 中秋 on a day of 国庆 (2028, 2031, 2039,
 * 2058 …) is two holidays on one date, and the notices of such years gave the second one: 2009
 * (中秋 Saturday 10-03) and 2020 (中秋 Thursday 10-01) both gave 4 net weekdays off around 国庆, the
 * 3 of 国庆 and 中秋's 1, with the run 10-01 to 10-08 and two worked weekends. Counting the day once
 * gave those years one weekday off fewer than the law (12 net against 13 since the amendment).
 */
export function statutoryDaysOff(year: number): Map<IsoDate, StatutoryHolidayName> {
  const all = statutoryHolidayDays(year);
  const out = onceADay(all);
  for (let i = 0; i < all.length; ) {
    // One run of consecutive holiday days (中秋 on 国庆 is one run, its shared date there twice).
    let j = i;
    while (j + 1 < all.length && (all[j + 1][0] === all[j][0] || all[j + 1][0] === addDays(all[j][0], 1))) j++;
    // The days it owes, in order, each under the holiday whose day it makes up for: one on a
    // Saturday or Sunday, or the one of a shared date not listed there (the date reads under the
    // first, onceADay). The run's first name for all of them read 2031's 10-06, owed for 国庆's
    // 10-01 that 中秋 holds, as 中秋.
    const owed = all.slice(i, j + 1).flatMap(([d, name], k) => (isWeekendDay(d) || (k > 0 && all[i + k - 1][0] === d) ? [name] : []));
    for (let d = addDays(all[j][0], 1); owed.length > 0; d = addDays(d, 1)) {
      if (isWeekendDay(d) || out.has(d)) continue;
      out.set(d, owed.shift()!);
    }
    i = j + 1;
  }
  return new Map([...out].sort(byDate));
}
