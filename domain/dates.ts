/** Calendar dates as ISO strings (YYYY-MM-DD): the policy speaks of days, not instants. */
import { isCalendarDate } from './id-number';

export type IsoDate = string;

export function isIsoDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return !!m && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

const DATE_ECHO_MAX = 10;

/**
 * A date as a refusal may quote it (the API's Date scalar, the tools' date options): at most
 * DATE_ECHO_MAX characters of what was sent, anything but [0-9A-Za-z+-/.:] shown as "?" (a date
 * field is where an ID number gets pasted).
 */
export function datePiece(value: string): string {
  const head = [...value].slice(0, DATE_ECHO_MAX).map((c) => (/^[0-9A-Za-z+\-/.: ]$/.test(c) ? c : '?')).join('');
  return [...value].length > DATE_ECHO_MAX ? `${head}…` : head;
}

/**
 * Why `value` is no month written YYYY-MM, or null when it is one: its form, or a month number
 * outside 01–12 (2026-13 is well written but names no month, and saying only "YYYY-MM" hides that).
 */
export function monthProblem(value: string): { reason: 'FORMAT' | 'NO_SUCH_MONTH'; message: string } | null {
  const m = /^\d{4}-(\d{2})$/.exec(value);
  if (!m) return { reason: 'FORMAT', message: 'a month is written YYYY-MM, e.g. 2026-03' };
  const month = Number(m[1]);
  if (month < 1 || month > 12) return { reason: 'NO_SUCH_MONTH', message: `there is no month ${m[1]}: months run from 01 to 12` };
  return null;
}

/** First day of a 'YYYY-MM' month. */
export function monthStart(ym: string): IsoDate {
  return `${ym}-01`;
}

/** Last day of a 'YYYY-MM' month. */
export function monthEnd(ym: string): IsoDate {
  const [y, m] = ym.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${ym}-${String(last).padStart(2, '0')}`;
}

/** Whether [aStart, aEnd] and [bStart, bEnd] share at least one day; a null end is open. */
export function periodsOverlap(aStart: IsoDate, aEnd: IsoDate | null, bStart: IsoDate, bEnd: IsoDate | null): boolean {
  return (aEnd === null || bStart <= aEnd) && (bEnd === null || aStart <= bEnd);
}

/** Whole years of age on `on` (a birthday on 29 February comes on 1 March in other years). */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const CHINA_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in China (UTC+8), whatever the server's own time zone. */
export function todayIso(now: Date = new Date()): IsoDate {
  return CHINA_DATE.format(now);
}
