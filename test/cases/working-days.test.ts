/**
 * Working days across the 2026 Spring Festival and the 2025 National Day holidays, with their
 * adjusted working weekends (调休), and what happens past the last year the calendar covers.
 */
import { addWorkingDays, calendarCoverage, holidayName, isWorkingDay, workingDaysBetween } from '../../domain/cases/working-days';
import { addDays } from '../../domain/dates';
import { statutoryHolidays } from '../../domain/cases/statutory-holidays';

describe('isWorkingDay', () => {
  it.each([
    // 2026 Spring Festival: 2026-02-15 (Sun) … 2026-02-23 (Mon) off; Sat 02-14 and Sat 02-28 worked.
    ['2026-02-13', true, 'Friday before the holiday'],
    ['2026-02-14', true, 'Saturday worked in exchange (调休)'],
    ['2026-02-16', false, 'Monday in the holiday'],
    ['2026-02-23', false, 'last Monday of the holiday'],
    ['2026-02-24', true, 'Tuesday after'],
    ['2026-02-28', true, 'Saturday worked in exchange'],
    ['2026-03-01', false, 'an ordinary Sunday'],
    // 2025 National Day and Mid-Autumn: 2025-10-01 (Wed) … 2025-10-08 (Wed) off; Sun 09-28 and Sat 10-11 worked.
    ['2025-09-28', true, 'Sunday worked in exchange'],
    ['2025-10-01', false, 'National Day'],
    ['2025-10-06', false, 'Mid-Autumn inside the National Day break'],
    ['2025-10-08', false, 'last day off'],
    ['2025-10-11', true, 'Saturday worked in exchange'],
    ['2025-10-12', false, 'an ordinary Sunday'],
  ])('%s is a working day: %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('names the holiday', () => {
    expect(holidayName('2026-02-17')).toBe('春节');
    expect(holidayName('2025-10-03')).toBe('国庆节');
    expect(holidayName('2025-10-09')).toBeNull();
  });
});

describe('addWorkingDays ("within n working days", the day received not counted)', () => {
  it.each([
    // Received Friday before Spring Festival: Sat 02-14 (1), then nine days off, Tue 02-24 (2), Wed 02-25 (3).
    ['2026-02-13', 3, '2026-02-25'],
    // 20 working days from the same Friday, counting the worked Saturday 02-28: Thursday 2026-03-19.
    ['2026-02-13', 20, '2026-03-19'],
    // Received Friday before National Day: Sun 09-28 (1), Mon (2), Tue (3), off to 10-08, Thu 10-09 (4), Fri 10-10 (5).
    ['2025-09-26', 5, '2025-10-10'],
    // Received the last day before the break: due on the worked Saturday 2025-10-11.
    ['2025-09-30', 3, '2025-10-11'],
    // Received on a holiday: counting starts with the first working day after it.
    ['2025-10-03', 1, '2025-10-09'],
  ])('%s + %i working days = %s', (from, n, due) => {
    expect(addWorkingDays(from, n)).toEqual({ date: due, provisional: false });
  });

  it('would be a week early if it ignored the holiday', () => {
    // Monday to Friday only would give 2026-02-18; the calendar says 2026-02-25.
    expect(addWorkingDays('2026-02-13', 3).date).not.toBe('2026-02-18');
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => addWorkingDays('2026-02-13', 0)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-02-13', 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween (from exclusive, to inclusive)', () => {
  it('counts the worked Saturday and skips the holiday', () => {
    expect(workingDaysBetween('2025-09-30', '2025-10-12').days).toBe(3); // 10-09, 10-10, 10-11
    expect(workingDaysBetween('2026-02-13', '2026-02-24').days).toBe(2); // 02-14, 02-24
    expect(workingDaysBetween('2026-02-24', '2026-02-13').days).toBe(0);
  });
});

describe('calendar coverage', () => {
  it('covers the years chinese-days lists, through 2026', () => {
    expect(calendarCoverage.firstYear).toBe(2004);
    expect(calendarCoverage.lastYear).toBeGreaterThanOrEqual(2026);
  });

  it('past the last year, skips the statutory holidays the law fixes and says the result is provisional', () => {
    const last = calendarCoverage.lastYear;
    const result = addWorkingDays(`${last}-12-30`, 3);
    expect(result.provisional).toBe(true);
    // The next year's days off are the statutory ones only (no 调休 is known before the notice).
    const statutory = statutoryHolidays(last + 1);
    let d = `${last}-12-30`;
    let left = 3;
    while (left > 0) {
      d = addDays(d, 1);
      const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (d.startsWith(String(last)) ? isWorkingDay(d) : wd >= 1 && wd <= 5 && !statutory.has(d)) left -= 1;
    }
    expect(result.date).toBe(d);
    expect(addWorkingDays(`${last}-12-01`, 3).provisional).toBe(false);
  });
});

describe('independence from the server time zone', () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it.each(['America/Los_Angeles', 'UTC', 'Asia/Shanghai', 'Pacific/Kiritimati'])('gives the same answers in %s', (zone) => {
    process.env.TZ = zone;
    expect(isWorkingDay('2026-02-14')).toBe(true);
    expect(isWorkingDay('2026-03-07')).toBe(false); // a Saturday
    expect(addWorkingDays('2025-09-30', 3).date).toBe('2025-10-11');
  });
});

describe('agreement with the chinese-days package', () => {
  const saved = process.env.TZ;
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('reads the same calendar as the package’s own isWorkday for 2024 to 2026', () => {
    // The package's functions read weekdays in the local zone; in China time they are right.
    process.env.TZ = 'Asia/Shanghai';
    jest.isolateModules(() => {
      const { isWorkday } = require('chinese-days') as { isWorkday: (d: string) => boolean };
      const disagreements: string[] = [];
      for (let d = '2024-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) if (isWorkday(d) !== isWorkingDay(d)) disagreements.push(d);
      expect(disagreements).toEqual([]);
    });
  });
});
