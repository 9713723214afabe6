/**
 * Working-day arithmetic by formula and binary search, checked against the plain day-by-day walk
 * over many random ranges; bounded (a RangeError, never a loop) outside 1900–2100; the statutory
 * holidays of years after the installed table (2027 元旦 is a day off, and provisional); notices a
 * locality loads as data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import calendar from 'chinese-days/dist/chinese-days.json';
import { dueOf, overdueBy } from '../../domain/cases/deadlines';
import { HolidayNoticeError, HOLIDAYS_FILE_ENV, loadHolidayNotices, parseHolidayNotices } from '../../domain/cases/holiday-notices';
import { statutoryDaysOff, statutoryHolidays } from '../../domain/cases/statutory-holidays';
import { referralDue } from '../../domain/cases/supervision';
import { activeHolidayCalendar, addWorkingDays, calendarCoverage, holidayName, isCovered, isWorkingDay, withinSupported, workingDaysBetween } from '../../domain/cases/working-days';
import { addDays } from '../../domain/dates';
import { Rng } from '../../federation/demo-random';
import { createHubServer } from '../../server/app';
import { chars } from '../support/text';

const DAY_MS = 86_400_000;
const dateAt = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The walk the hub used before: one day at a time. */
function naiveBetween(from: string, to: string): { days: number; provisional: boolean } {
  let days = 0;
  let provisional = false;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
    if (!isCovered(d)) provisional = true;
    if (isWorkingDay(d)) days += 1;
  }
  return { days, provisional };
}

function naiveAdd(from: string, n: number): { date: string; provisional: boolean } {
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

describe('agreement with the day-by-day walk', () => {
  // Seeded (the demo generator's mulberry32), so a failure can be replayed.
  const rng = new Rng(20261202);
  const pick = (fromYear: number, toYear: number) => dateAt(Date.UTC(fromYear, 0, 1) + Math.floor(rng.next() * (toYear - fromYear + 1) * 365.25) * DAY_MS);

  // Ranges around the years that matter most (the table's years and the computed ones after it),
  // of every length from a day to several years, plus some anywhere in the supported span.
  const ranges: [string, string][] = [];
  for (let i = 0; i < 400; i++) {
    const from = i < 300 ? pick(2003, 2031) : pick(1900, 2098);
    const span = i % 4 === 0 ? rng.int(0, 1999) : rng.int(0, 69);
    const to = addDays(from, span - (i % 10 === 0 ? 30 : 0));
    ranges.push([from, to > '2100-12-31' ? '2100-12-31' : to < '1900-01-01' ? '1900-01-01' : to]);
  }

  it('workingDaysBetween counts what the walk counts, and says provisional when the walk does', () => {
    const differences = ranges.filter(([from, to]) => {
      const fast = workingDaysBetween(from, to);
      const slow = naiveBetween(from, to);
      return fast.days !== slow.days || fast.provisional !== slow.provisional;
    });
    expect(differences).toEqual([]);
  });

  it('addWorkingDays lands where the walk lands', () => {
    const differences: string[] = [];
    ranges.forEach(([from], i) => {
      const n = 1 + ((i * 7) % 60);
      const fast = addWorkingDays(from, n);
      const slow = naiveAdd(from, n);
      if (fast.date !== slow.date || fast.provisional !== slow.provisional) differences.push(`${from}+${n}: ${JSON.stringify(fast)} vs ${JSON.stringify(slow)}`);
    });
    expect(differences).toEqual([]);
  });

  it('agrees around every holiday and worked weekend of the table, day by day', () => {
    const differences: string[] = [];
    for (const date of [...Object.keys(calendar.holidays), ...Object.keys(calendar.workdays)].filter((d) => d >= '2018-01-01')) {
      for (let back = 1; back <= 12; back += 3) {
        const from = addDays(date, -back);
        if (workingDaysBetween(from, date).days !== naiveBetween(from, date).days) differences.push(`${from}..${date}`);
        if (addWorkingDays(from, 3).date !== naiveAdd(from, 3).date) differences.push(`${from}+3`);
      }
    }
    expect(differences).toEqual([]);
  });
});

describe('bounds: a RangeError, never a loop', () => {
  it.each(['0000-01-01', '0001-01-01', '1899-12-31', '2101-01-01', '2200-01-01', '9999-12-31', '+010000-01-01', '2026-02-30', 'yesterday'])('refuses %s', (date) => {
    expect(() => workingDaysBetween('2026-01-01', date)).toThrow(RangeError);
    expect(() => workingDaysBetween(date, '2026-01-01')).toThrow(RangeError);
    expect(() => addWorkingDays(date, 3)).toThrow(RangeError);
  });

  it('counts the whole supported span at once', () => {
    const all = workingDaysBetween('1900-01-01', '2100-12-31');
    expect(all.provisional).toBe(true);
    expect(all.days).toBeGreaterThan(50_000);
    expect(all.days).toBeLessThan(53_000);
  });

  it('refuses a limit that would end after 2100', () => {
    expect(() => addWorkingDays('2100-12-20', 30)).toThrow(RangeError);
    expect(addWorkingDays('2100-12-01', 3).date).toBe('2100-12-06');
  });
});

describe('rows written before the ranges were enforced', () => {
  it('a case reported in year 1 gets deadlines counted from 1900, provisional and overdue, without a walk', () => {
    const due = dueOf({ unit: 'WORKING_DAYS', workingDays: 20 }, new Date('0001-01-01T00:00:00Z'));
    expect(due).toMatchObject({ dueOn: '1900-01-29', provisional: true });
    expect(overdueBy(due, new Date('2026-12-01T04:00:00Z'))).toMatchObject({ provisional: true });
    expect(overdueBy(due, new Date('2026-12-01T04:00:00Z')).workingDays).toBeGreaterThan(30_000);
    expect(referralDue({ countedFrom: '0001-01-01', deadlineWorkingDays: 40, dueOn: '0001-03-01' }).provisional).toBe(true);
    expect(withinSupported('+010000-01-01')).toBe('2100-12-31');
    expect(withinSupported('9999-12-31')).toBe('2100-12-31');
    expect(withinSupported('2026-05-01')).toBe('2026-05-01');
  });
});

describe('2027 and later: the statutory holidays the law fixes, provisional until the notice', () => {
  it('a deadline from 2026-12-30 counting 3 working days skips 2027-01-01 and is provisional', () => {
    // 12-31 (Thu) is day 1; 2027-01-01 (Fri) is 元旦; 01-04 (Mon) day 2; 01-05 (Tue) day 3.
    expect(isWorkingDay('2027-01-01')).toBe(false);
    expect(holidayName('2027-01-01')).toBe('元旦');
    expect(addWorkingDays('2026-12-30', 3)).toEqual({ date: '2027-01-05', provisional: true });
    const due = dueOf({ unit: 'WORKING_DAYS', workingDays: 3 }, new Date('2026-12-30T02:00:00Z'));
    expect(due).toMatchObject({ dueOn: '2027-01-05', provisional: true });
  });

  it('slips and overdue figures carry the flag too', () => {
    expect(referralDue({ countedFrom: '2026-12-30', deadlineWorkingDays: 3, dueOn: '2027-01-05' }).provisional).toBe(true);
    expect(referralDue({ countedFrom: '2026-12-01', deadlineWorkingDays: 3, dueOn: '2026-12-04' }).provisional).toBe(false);
    // A meeting held on 2027-01-04 and recorded on the 20th: its decision's 3 days were counted
    // through 2027 from the meeting's day (due 01-07, before the slip was issued) and are as provisional.
    expect(referralDue({ countedFrom: '2027-01-04', deadlineWorkingDays: 3, dueOn: '2027-01-07' }).provisional).toBe(true);
    expect(referralDue({ countedFrom: '2026-12-02', deadlineWorkingDays: 3, dueOn: '2026-12-07' }).provisional).toBe(false);
    const due = referralDue({ countedFrom: '2026-12-01', deadlineWorkingDays: 3, dueOn: '2026-12-04' });
    // Due in 2026, measured in 2027: the working days past count days of an unpublished year.
    expect(overdueBy(due, new Date('2027-01-06T04:00:00Z'))).toMatchObject({ workingDays: 22, provisional: true });
    expect(overdueBy(due, new Date('2026-12-10T04:00:00Z'))).toMatchObject({ workingDays: 4, provisional: false });
  });

  it('knows 2027’s statutory days: 元旦, 春节 from 除夕 (4 days), 清明, 劳动节 (2), 端午, 中秋, 国庆 (3)', () => {
    expect([...statutoryHolidays(2027)]).toEqual([
      ['2027-01-01', '元旦'],
      ['2027-02-05', '春节'],
      ['2027-02-06', '春节'],
      ['2027-02-07', '春节'],
      ['2027-02-08', '春节'],
      ['2027-04-05', '清明'],
      ['2027-05-01', '劳动节'],
      ['2027-05-02', '劳动节'],
      ['2027-06-09', '端午'],
      ['2027-09-15', '中秋'],
      ['2027-10-01', '国庆节'],
      ['2027-10-02', '国庆节'],
      ['2027-10-03', '国庆节'],
    ]);
    // 春节 2027: 除夕 Friday 02-05 to 初三 Monday 02-08, two of its days on the weekend: made up on
    // Tuesday 02-09 and Wednesday 02-10 (art. 6, 补假); Thursday 02-11 is a working day.
    expect(isWorkingDay('2027-02-08')).toBe(false);
    expect(isWorkingDay('2027-02-09')).toBe(false);
    expect(isWorkingDay('2027-02-10')).toBe(false);
    expect(isWorkingDay('2027-02-11')).toBe(true);
    // 国庆 Friday 10-01 to Sunday 10-03: Monday 10-04 and Tuesday 10-05 made up; 劳动节 Saturday and
    // Sunday: Monday 05-03 and Tuesday 05-04.
    expect(['2027-05-03', '2027-05-04', '2027-10-04', '2027-10-05'].filter(isWorkingDay)).toEqual([]);
    expect(isWorkingDay('2027-10-06')).toBe(true);
    // From the Thursday before 春节 6 working days: 02-11 (1) … 02-18 (6); it read 02-16.
    expect(addWorkingDays('2027-02-04', 6)).toEqual({ date: '2027-02-18', provisional: true });
  });

  const weekend = (d: string) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
  /** Weekdays off in [from, to] net of worked weekends, by the calendar in force. */
  const netDaysOff = (from: string, to: string) => {
    let net = 0;
    for (let d = from; d <= to; d = addDays(d, 1)) {
      if (!weekend(d) && !isWorkingDay(d)) net += 1;
      if (weekend(d) && isWorkingDay(d)) net -= 1;
    }
    return net;
  };
  /** Weekdays off in [from, to] as the law alone gives them. */
  const lawDaysOff = (from: string, to: string) =>
    [...statutoryDaysOff(Number(from.slice(0, 4))).keys()].filter((d) => d >= from && d <= to && !weekend(d)).length;

  it('gives as many weekdays off, net of worked weekends, as every notice since the 2024 amendment', () => {
    // A notice moves days (调休, bridging) but gives the law's days, 补假 included: the law alone
    // must come to the same net count, or a provisional deadline is early (2027 read two days short).
    for (const year of [2025, 2026]) {
      expect([year, lawDaysOff(`${year}-01-01`, `${year}-12-31`)]).toEqual([year, netDaysOff(`${year}-01-01`, `${year}-12-31`)]);
    }
  });

  it('gives 中秋 on a day of 国庆 its own day off, as the notices of 2009 and 2020 did', () => {
    // 2009: 中秋 Saturday 10-03; 2020: 中秋 Thursday 10-01. Both notices gave 10-01 to 10-08 off and
    // 09-27, 10-10 worked: 4 net weekdays, 国庆's 3 and 中秋's 1. Counted once, the law gave 3.
    for (const year of [2009, 2020]) {
      expect([year, lawDaysOff(`${year}-09-15`, `${year}-10-31`)]).toEqual([year, netDaysOff(`${year}-09-15`, `${year}-10-31`)]);
    }
    // Since the amendment 13 a year, as in every year without the overlap; it read 12.
    for (const year of [2028, 2031, 2039, 2058]) {
      expect([year, lawDaysOff(`${year}-01-01`, `${year}-12-31`)]).toEqual([year, 13]);
    }
    // 2028: 国庆 Sunday 10-01 to Tuesday 10-03, 中秋 on 10-03; Sunday's 补假 on 10-04, 中秋's on 10-05.
    expect([...statutoryDaysOff(2028)].filter(([d]) => d >= '2028-09-01')).toEqual([
      ['2028-10-01', '国庆节'],
      ['2028-10-02', '国庆节'],
      ['2028-10-03', '中秋'],
      ['2028-10-04', '国庆节'],
      ['2028-10-05', '国庆节'],
    ]);
    // 2031: 中秋 on Wednesday 10-01, 国庆 to Friday 10-03: the overlap's day is Monday 10-06.
    expect([...statutoryDaysOff(2031).keys()].filter((d) => d >= '2031-09-01')).toEqual(['2031-10-01', '2031-10-02', '2031-10-03', '2031-10-06']);
    // Each day owed is named after the holiday whose day it makes up for, not the run's first: 2031's
    // 10-01 reads 中秋, so Monday 10-06 is 国庆's (it read 中秋); 2050's 中秋 on Friday 09-30 owes
    // nothing, Monday and Tuesday are 国庆's Saturday and Sunday (they read 中秋); 2036's 中秋 on
    // Saturday 10-04 owes Monday 10-06 (it read 国庆节).
    expect([...statutoryDaysOff(2031)].filter(([d]) => d >= '2031-09-01')).toEqual([
      ['2031-10-01', '中秋'],
      ['2031-10-02', '国庆节'],
      ['2031-10-03', '国庆节'],
      ['2031-10-06', '国庆节'],
    ]);
    expect(Object.fromEntries([...statutoryDaysOff(2050)].filter(([d]) => d >= '2050-10-04'))).toEqual({ '2050-10-04': '国庆节', '2050-10-05': '国庆节' });
    expect(statutoryDaysOff(2036).get('2036-10-06')).toBe('中秋');
    // The law's holidays themselves list the shared day once.
    expect([...statutoryHolidays(2028).keys()].filter((d) => d >= '2028-09-01')).toEqual(['2028-10-01', '2028-10-02', '2028-10-03']);
    // 10 working days from Friday 2028-09-29: Friday 10-06 (1) … Thursday 10-19 (10); it read 10-18.
    expect(addWorkingDays('2028-09-29', 10)).toEqual({ date: '2028-10-19', provisional: true });
  });

  it('computes the same lunar and solar-term dates as every published notice of 2008–2026 gave', () => {
    const missing: string[] = [];
    for (let year = 2008; year <= 2026; year++) {
      const days = [...statutoryHolidays(year)];
      const eve = days.find(([, name]) => name === '春节')![0];
      for (const [date, name] of days) {
        // 除夕 and 2 May became statutory with the 2024 amendment; earlier notices did not always give them.
        if (year < 2025 && (date === eve || date === `${year}-05-02`)) continue;
        // A day off in the published calendar (a weekend day may be left out of the table: 2012-06-23).
        if (isWorkingDay(date)) missing.push(`${date} ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives the same dates whatever the server’s time zone', () => {
    const saved = process.env.TZ;
    try {
      const answers = ['America/Los_Angeles', 'UTC', 'Pacific/Kiritimati'].map((zone) => {
        process.env.TZ = zone;
        return [2027, 2030, 2061, 2099].map((y) => [...statutoryHolidays(y).keys()].join(' '));
      });
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[2]).toEqual(answers[1]);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('a newly published notice, loaded as data (AIDHUB_HOLIDAYS_FILE)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-holidays-'));
  const saved = process.env[HOLIDAYS_FILE_ENV];
  afterAll(() => {
    if (saved === undefined) delete process.env[HOLIDAYS_FILE_ENV];
    else process.env[HOLIDAYS_FILE_ENV] = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    delete process.env[HOLIDAYS_FILE_ENV];
  });

  // Every notice gives the days the law fixes (13 in 2027: 元旦, 春节 4, 清明, 劳动节 2, 端午, 中秋, 国庆 3).
  const STATUTORY_2027: Record<string, string> = Object.fromEntries(statutoryHolidays(2027));
  // An arrangement of the kind the State Council publishes (illustrative, not the real 2027 notice).
  const notice2027 = {
    year: 2027,
    basis: '国务院办公厅关于2027年部分节假日安排的通知（示例）',
    holidays: {
      ...STATUTORY_2027,
      '2027-01-01': '元旦',
      '2027-01-02': '元旦',
      '2027-01-03': '元旦',
      ...Object.fromEntries(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13'].map((d) => [d, '春节'])),
    },
    workdays: { '2027-02-20': '春节' },
  };

  function write(name: string, content: unknown): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it('covers its year: its bridging days are off, its worked Saturday counts, nothing is provisional', () => {
    process.env[HOLIDAYS_FILE_ENV] = write('2027.json', { notices: [notice2027] });
    expect(calendarCoverage.lastYear).toBe(2027);
    expect(calendarCoverage.noticeYears).toEqual([2027]);
    expect(addWorkingDays('2026-12-30', 3)).toEqual({ date: '2027-01-05', provisional: false });
    expect(isWorkingDay('2027-02-10')).toBe(false);
    expect(isWorkingDay('2027-02-20')).toBe(true);
    // From the Friday before 春节: Sat 02-06 to Sat 02-13 off, Mon 02-15 (1) … Fri 02-19 (5), Sat 02-20 (6).
    expect(addWorkingDays('2027-02-04', 6)).toEqual({ date: '2027-02-20', provisional: false });
    expect(workingDaysBetween('2027-02-04', '2027-02-21')).toMatchObject({ days: 6, provisional: false });
    // 2028 is still computed from the law, and provisional.
    expect(addWorkingDays('2027-12-30', 3).provisional).toBe(true);
  });

  it('without the file, the same year is computed and provisional again', () => {
    expect(calendarCoverage.noticeYears).toEqual([]);
    expect(isWorkingDay('2027-02-11')).toBe(true);
    expect(addWorkingDays('2026-12-30', 3).provisional).toBe(true);
  });

  it.each([
    ['not JSON', '{ notices: ', /not valid JSON/],
    ['no notices', { years: [] }, /top level: expected an object \{ "notices"/],
    ['a year out of range', { notices: [{ ...notice2027, year: 2200 }] }, /notices\[0\]\.year: expected a year from 1900 to 2100/],
    ['a date of another year', { notices: [{ ...notice2027, holidays: { '2028-01-01': '元旦' } }] }, /notices\[0\]\.holidays\["2028-01-01"\]: not in 2027/],
    ['a malformed date', { notices: [{ ...notice2027, holidays: { '2027-02-30': '春节' } }] }, /notices\[0\]\.holidays\["2027-02-30"\]: not a date/],
    ['a worked weekday', { notices: [{ ...notice2027, workdays: { '2027-02-22': '春节' } }] }, /workdays\["2027-02-22"\]: an adjusted working day .* Saturday or Sunday/],
    ['a day both off and worked', { notices: [{ ...notice2027, workdays: { '2027-02-06': '春节' } }] }, /workdays\["2027-02-06"\]: is also listed as a day off/],
    ['a year twice', { notices: [notice2027, notice2027] }, /notices\[1\]\.year: 2027 is given twice/],
    ['an unknown field', { notices: [{ ...notice2027, holiday: {} }] }, /notices\[0\]\.holiday: unknown field/],
    // A partial copy would make 国庆 a working day and the year's counts final.
    [
      'a day the law fixes left out',
      { notices: [{ ...notice2027, holidays: Object.fromEntries(Object.entries(notice2027.holidays).filter(([d]) => d !== '2027-10-01')) }] },
      /notices\[0\]\.holidays: leaves out 2027-10-01 \(国庆节\)/,
    ],
    ['only the days of 春节', { notices: [{ ...notice2027, holidays: { '2027-01-01': '元旦', '2027-02-05': '春节', '2027-02-06': '春节' } }] }, /notices\[0\]\.holidays: leaves out 2027-02-07 \(春节\)/],
  ])('refuses a file with %s, naming the notice and field', (_, content, message) => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}.json`, content);
    expect(() => loadHolidayNotices({ [HOLIDAYS_FILE_ENV]: file })).toThrow(HolidayNoticeError);
    expect(() => loadHolidayNotices({ [HOLIDAYS_FILE_ENV]: file })).toThrow(message);
    expect(() => activeHolidayCalendar({ [HOLIDAYS_FILE_ENV]: file })).toThrow(message);
  });

  it('stops the hub at start-up when the file is bad', async () => {
    process.env[HOLIDAYS_FILE_ENV] = write('bad-start.json', { notices: [{ ...notice2027, year: 1066 }] });
    // The calendar is built before anything else is touched, so no database is needed to see it refuse.
    await expect(createHubServer({} as never)).rejects.toThrow(/AIDHUB_HOLIDAYS_FILE .*bad-start\.json: notices\[0\]\.year: expected a year from 1900 to 2100/);
  });

  it('refuses a file it cannot read', () => {
    expect(() => loadHolidayNotices({ [HOLIDAYS_FILE_ENV]: path.join(dir, 'missing.json') })).toThrow(/cannot read .*missing\.json: ENOENT/);
  });

  it('counts the basis (200) and a holiday’s name (40) in characters, not UTF-16 units', () => {
    const parse = (basis: string, name: string) => parseHolidayNotices({ notices: [{ year: 2027, basis, holidays: { ...STATUTORY_2027, '2027-01-01': name } }] }, 'x.json');
    expect(parse(chars(200), chars(40))[0].holidays.get('2027-01-01')).toBe(chars(40));
    expect(() => parse(chars(201), '元旦')).toThrow(/notices\[0\]\.basis/);
    expect(() => parse('通知', chars(41))).toThrow(/holidays\["2027-01-01"\]/);
  });

  it('refuses a holiday’s name that shows nothing (zero-width characters, a BOM), as an empty one', () => {
    const parse = (name: string) => parseHolidayNotices({ notices: [{ year: 2027, holidays: { ...STATUTORY_2027, '2027-01-01': name } }] }, 'x.json');
    for (const name of ['', ' \u3000', '\u200b\ufeff\u2060']) expect(() => parse(name)).toThrow(/holidays\["2027-01-01"\]: expected the holiday’s name/);
  });

  it('parses a notice without worked weekends', () => {
    expect(parseHolidayNotices({ notices: [{ year: 2027, holidays: STATUTORY_2027 }] }, 'x.json')[0].workdays.size).toBe(0);
    // Before the 2024 amendment the law fixed other days (no 除夕, one day in May): not checked.
    expect(parseHolidayNotices({ notices: [{ year: 2024, holidays: { '2024-01-01': '元旦' } }] }, 'x.json')[0].holidays.size).toBe(1);
  });
});
