import { addMonths, intersect, overlapDays, schoolYearOf, trailingWindow, withinMonthsAfter } from '../../domain/findings/periods';

describe('month arithmetic (民法典 第二百零一、二百零二条)', () => {
  it('ends on the corresponding day, or the month end when there is none', () => {
    expect(addMonths('2025-01-10', 12)).toBe('2026-01-10');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 48)).toBe('2028-02-29');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2025-01-15', -13)).toBe('2023-12-15');
  });

  it('counts the corresponding day in and the day after out', () => {
    expect(withinMonthsAfter('2025-01-10', '2026-01-10', 12)).toBe(true);
    expect(withinMonthsAfter('2025-01-10', '2026-01-11', 12)).toBe(false);
    expect(withinMonthsAfter('2024-02-29', '2025-02-28', 12)).toBe(true);
    expect(withinMonthsAfter('2024-02-29', '2025-03-01', 12)).toBe(false);
    expect(withinMonthsAfter('2025-05-01', '2025-04-30', 12)).toBe(false);
  });

  it('builds the trailing window that ends today', () => {
    expect(trailingWindow('2026-03-15', 12)).toEqual({ from: '2025-03-16', to: '2026-03-15' });
    expect(trailingWindow('2025-02-28', 12)).toEqual({ from: '2024-02-29', to: '2025-02-28' });
  });
});

describe('periods', () => {
  it('does not count touching periods as overlapping', () => {
    expect(intersect({ start: '2025-01-01', end: '2025-06-30' }, { start: '2025-07-01', end: null })).toBeNull();
    expect(intersect({ start: '2025-01-01', end: '2025-07-01' }, { start: '2025-07-01', end: null })).toEqual({ start: '2025-07-01', end: '2025-07-01' });
  });

  it('treats a null end as open', () => {
    expect(intersect({ start: '2025-01-01', end: null }, { start: '2024-01-01', end: null })).toEqual({ start: '2025-01-01', end: null });
    expect(intersect({ start: '2025-01-01', end: null }, { start: '2020-01-01', end: '2024-12-31' })).toBeNull();
  });

  it('counts overlap days inclusively, an open one up to today', () => {
    expect(overlapDays({ start: '2024-02-01', end: '2024-02-29' }, '2026-03-15')).toBe(29);
    expect(overlapDays({ start: '2026-03-01', end: null }, '2026-03-15')).toBe(15);
    expect(overlapDays({ start: '2026-04-01', end: null }, '2026-03-15')).toBe(0);
  });

  it('places dates in school years starting on 1 September', () => {
    expect(schoolYearOf('2025-08-31')).toBe('2024-2025');
    expect(schoolYearOf('2025-09-01')).toBe('2025-2026');
    expect(schoolYearOf('2026-03-15')).toBe('2025-2026');
  });
});
