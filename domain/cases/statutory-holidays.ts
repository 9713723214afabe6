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
import type { IsoDate } from '../dates';

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

/** Years for which the lunar tables and solar-term computation are used here. */
export const STATUTORY_YEARS = { first: 1901, last: 2100 } as const;

function pad(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The statutory holidays of a Gregorian year, date → name, in date order. Where two fall on one
 * day (中秋 on 1–3 October), the day is listed once, under the earlier-listed holiday of the law.
 */
export function statutoryHolidays(year: number): Map<IsoDate, StatutoryHolidayName> {
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
  const out = new Map<IsoDate, StatutoryHolidayName>();
  for (const [date, name] of days.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (!out.has(date)) out.set(date, name);
  return out;
}

function weekdayOf(date: IsoDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function nextDay(date: IsoDate): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The weekdays off of a year as the law alone gives them: the statutory holidays
 * (`statutoryHolidays`) and, for each of their days on a Saturday or Sunday, a 补假 day on a working
 * day (art. 6). The notices have always put 补假 right after its holiday (国庆 2022, Saturday 10-01
 * to Monday 10-03: 10-04 and 10-05 off), so it is placed on the first weekdays after the holiday that
 * are not already off; the notice, once loaded, replaces the year (where it puts them, the 调休).
 * Without it a deadline counted across 2027's 春节 came two working days early.
 */
export function statutoryDaysOff(year: number): Map<IsoDate, StatutoryHolidayName> {
  const fixed = statutoryHolidays(year);
  const out = new Map(fixed);
  const dates = [...fixed.keys()];
  for (let i = 0; i < dates.length; ) {
    // One holiday's run of days (中秋 on 国庆 is one run, as the law counts the day once).
    const name = fixed.get(dates[i])!;
    let j = i;
    while (j + 1 < dates.length && dates[j + 1] === nextDay(dates[j])) j++;
    let owed = dates.slice(i, j + 1).filter((d) => weekdayOf(d) === 0 || weekdayOf(d) === 6).length;
    for (let d = nextDay(dates[j]); owed > 0; d = nextDay(d)) {
      const wd = weekdayOf(d);
      if (wd === 0 || wd === 6 || out.has(d)) continue;
      out.set(d, name);
      owed--;
    }
    i = j + 1;
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
