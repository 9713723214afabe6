/**
 * A locality's copy of the State Council's yearly holiday notices (国务院办公厅关于X年部分节假日安排的
 * 通知), loaded as data: when a notice is published after the installed `chinese-days` table was
 * built, an office puts it in a JSON file and points AIDHUB_HOLIDAYS_FILE at it; no code changes.
 *
 * ```json
 * { "notices": [ { "year": 2027, "basis": "国办发明电〔2026〕N号",
 *     "holidays": { "2027-01-01": "元旦", "2027-02-05": "春节" },
 *     "workdays": { "2027-02-20": "春节" } } ] }
 * ```
 * (abridged: a real notice lists every day off.)
 * `holidays`: every day off of that year (date → holiday), from 2025 on at least the days the law
 * fixes (STATUTORY_CHECK_FROM_YEAR); `workdays`: the weekend days worked in
 * exchange (调休上班; date → the holiday they make up for). A notice replaces everything known of its
 * year (the package's table or the computed statutory days): it is the whole arrangement. It may
 * also list days of the December before, as notices do when they join 元旦 to the last days of the
 * year before (2019's: 2018-12-30 and 31 off, Saturday 12-29 worked; 2012's: Saturday 2011-12-31
 * worked): those are added to what is known of that year (not for a notice of 1900, whose December
 * before lies outside the dates counted). Copied as published, such a notice
 * stopped the hub (a date outside its year), and the days had no year of their own to go in.
 * Checked once at start-up; a bad file stops the hub with a message naming the notice and the field.
 */
import fs from 'node:fs';
import { isIsoDate, type IsoDate } from '../dates';
import { isBlank, longerThan } from '../text-length';
import { userPath } from '../user-path';
import { statutoryHolidays } from './statutory-holidays';

export const HOLIDAYS_FILE_ENV = 'AIDHUB_HOLIDAYS_FILE';

/** Years a notice may be given for: the years working-day arithmetic supports. */
export const NOTICE_YEARS = { first: 1900, last: 2100 } as const;

/**
 * From this year on the statutory days off are those of the 2024 amendment (statutory-holidays.ts),
 * which every notice gives: a notice of such a year that leaves one out is a partial copy, and
 * since a notice replaces all that is known of its year, loading it would make that day (国庆, say)
 * a working day and every count over it final, not provisional.
 */
export const STATUTORY_CHECK_FROM_YEAR = 2025;

export interface HolidayNotice {
  year: number;
  basis: string | null;
  /** Days off, date → holiday name. */
  holidays: ReadonlyMap<IsoDate, string>;
  /** Weekend days worked in exchange (调休上班), date → the holiday made up for. */
  workdays: ReadonlyMap<IsoDate, string>;
}

/** A holiday notice file the hub cannot run with; `code` is its stable code (FILE_UNREADABLE, MALFORMED_JSON, INVALID_HOLIDAY_NOTICE). */
export class HolidayNoticeError extends Error {
  override name = 'HolidayNoticeError';
  constructor(
    message: string,
    readonly code: 'FILE_UNREADABLE' | 'MALFORMED_JSON' | 'INVALID_HOLIDAY_NOTICE' = 'INVALID_HOLIDAY_NOTICE',
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function weekdayOf(date: IsoDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Validates parsed JSON; `source` names the file in messages. */
export function parseHolidayNotices(json: unknown, source: string): HolidayNotice[] {
  const fail = (where: string, why: string): never => {
    throw new HolidayNoticeError(`${HOLIDAYS_FILE_ENV} ${source}: ${where}: ${why}`);
  };
  if (!isObject(json) || !Array.isArray(json.notices)) fail('top level', 'expected an object { "notices": [ … ] }');
  const list = (json as { notices: unknown[] }).notices;
  if (list.length === 0) fail('notices', 'is empty');
  const seen = new Set<number>();
  return list.map((raw, i) => {
    const at = `notices[${i}]`;
    if (!isObject(raw)) return fail(at, 'expected an object with year, holidays and workdays');
    const unknown = Object.keys(raw).filter((k) => !['year', 'basis', 'holidays', 'workdays'].includes(k));
    if (unknown.length) fail(`${at}.${unknown[0]}`, 'unknown field (expected year, basis, holidays, workdays)');
    const year = raw.year;
    if (typeof year !== 'number' || !Number.isInteger(year) || year < NOTICE_YEARS.first || year > NOTICE_YEARS.last) {
      return fail(`${at}.year`, `expected a year from ${NOTICE_YEARS.first} to ${NOTICE_YEARS.last}`);
    }
    if (seen.has(year)) fail(`${at}.year`, `${year} is given twice`);
    seen.add(year);
    if (raw.basis !== undefined && (typeof raw.basis !== 'string' || longerThan(raw.basis, 200))) fail(`${at}.basis`, 'expected the notice’s reference, a string of up to 200 characters');
    const days = (field: 'holidays' | 'workdays'): Map<IsoDate, string> => {
      const value = raw[field];
      if (value === undefined && field === 'workdays') return new Map();
      if (!isObject(value)) return fail(`${at}.${field}`, 'expected an object of date → holiday name');
      const out = new Map<IsoDate, string>();
      for (const [date, name] of Object.entries(value)) {
        const where = `${at}.${field}["${date.slice(0, 20)}"]`;
        if (!isIsoDate(date)) fail(where, 'not a date written YYYY-MM-DD');
        if (!date.startsWith(`${year}-`) && !date.startsWith(`${year - 1}-12-`)) fail(where, `not in ${year}, the notice’s year, nor in the December before it`);
        // The December before the first year counted lies before every date working days are
        // counted for: taken here, the calendar's build threw a RangeError and the start ended in
        // its stack trace, exit code 1.
        if (year - 1 < NOTICE_YEARS.first && !date.startsWith(`${year}-`)) fail(where, `lies before ${NOTICE_YEARS.first}-01-01, the first date working days are counted for`);
        if (typeof name !== 'string' || isBlank(name) || longerThan(name, 40)) fail(where, 'expected the holiday’s name, e.g. "春节"');
        if (field === 'workdays' && weekdayOf(date) !== 0 && weekdayOf(date) !== 6) fail(where, 'an adjusted working day (调休上班) is a Saturday or Sunday');
        out.set(date, (name as string).trim());
      }
      return out;
    };
    const holidays = days('holidays');
    if (holidays.size === 0) fail(`${at}.holidays`, 'a notice lists at least one day off');
    if (year >= STATUTORY_CHECK_FROM_YEAR) {
      for (const [date, name] of statutoryHolidays(year)) {
        if (!holidays.has(date)) fail(`${at}.holidays`, `leaves out ${date} (${name}), a day off the law fixes (全国年节及纪念日放假办法 art. 2): a notice lists every day off of its year`);
      }
    }
    const workdays = days('workdays');
    for (const date of workdays.keys()) if (holidays.has(date)) fail(`${at}.workdays["${date}"]`, 'is also listed as a day off');
    return { year, basis: typeof raw.basis === 'string' ? raw.basis : null, holidays, workdays };
  });
}

/** Reads and validates the file AIDHUB_HOLIDAYS_FILE names; none: no notices. */
export function loadHolidayNotices(env: NodeJS.ProcessEnv = process.env): HolidayNotice[] {
  const file = env[HOLIDAYS_FILE_ENV] ? userPath(env[HOLIDAYS_FILE_ENV], env) : null;
  if (!file) return [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new HolidayNoticeError(`${HOLIDAYS_FILE_ENV}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'FILE_UNREADABLE');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HolidayNoticeError(`${HOLIDAYS_FILE_ENV} ${file}: not valid JSON: ${(err as Error).message}`, 'MALFORMED_JSON');
  }
  return parseHolidayNotices(json, file);
}
