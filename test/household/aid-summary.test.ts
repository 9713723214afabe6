/**
 * Totals over a window count monthly payments, not calendar months touched: "the last 24 months"
 * is 24 payments of a recurring aid, whatever day of the month the window starts on.
 */
import { oneOffAid, recurringAid } from '../../domain/aid';
import { monthsWindow } from '../../domain/cases/dossier';
import { amountInWindowFen, monthlyPaymentsInWindow, summariseAid } from '../../domain/household/aid-summary';

const dibao = (start: string, end: string | null, status: 'ACTIVE' | 'ENDED' | 'CANCELLED' | 'PENDING' = 'ACTIVE') =>
  recurringAid({ department: 'CIVIL_AFFAIRS', programme: 'DIBAO', beneficiaryIdNumber: 'x', start, end, monthlyFen: 72_000, status, sourceRef: `dibao:${start}` });

describe('monthly payments in a window', () => {
  it.each([
    ['2026-03-15'],
    ['2026-03-01'],
    ['2026-03-31'],
    ['2026-01-31'],
    ['2028-02-29'],
    ['2026-12-31'],
  ])('a running aid counts exactly 24 payments in the 24 months to %s', (to) => {
    const w = monthsWindow(to, 24);
    expect(monthlyPaymentsInWindow('2010-01-01', null, w.from, w.to)).toBe(24);
    expect(amountInWindowFen(dibao('2010-01-01', null), w.from, w.to)).toBe(24 * 72_000);
  });

  it('counts 12 payments in the 12 months to 2026-03-15, though the window touches 13 calendar months', () => {
    const w = monthsWindow('2026-03-15', 12);
    expect(w).toEqual({ from: '2025-03-16', to: '2026-03-15' });
    expect(monthlyPaymentsInWindow('2020-01-01', null, w.from, w.to)).toBe(12);
  });

  it('dates each payment on the first of its month: a window starting on the 1st includes that month', () => {
    expect(monthlyPaymentsInWindow('2020-01-01', null, '2025-01-01', '2025-12-31')).toBe(12);
    expect(monthlyPaymentsInWindow('2020-01-01', null, '2025-01-02', '2025-12-31')).toBe(11);
    // A window inside one month after its first day holds no payment date.
    expect(monthlyPaymentsInWindow('2020-01-01', null, '2025-06-10', '2025-06-20')).toBe(0);
  });

  it('counts only the months the period touches', () => {
    const w = monthsWindow('2026-03-15', 24); // payments April 2024 … March 2026
    // Started mid-month: that month is paid.
    expect(monthlyPaymentsInWindow('2025-09-20', null, w.from, w.to)).toBe(7);
    // Ended mid-month: that month is paid.
    expect(monthlyPaymentsInWindow('2023-01-01', '2024-06-10', w.from, w.to)).toBe(3);
    // Ended in March 2024, the month the window starts in after its first day: no payment in the window.
    expect(monthlyPaymentsInWindow('2023-01-01', '2024-03-20', w.from, w.to)).toBe(0);
    // Starting after the window.
    expect(monthlyPaymentsInWindow('2026-04-01', null, w.from, w.to)).toBe(0);
  });
});

describe('summariseAid', () => {
  it('totals 24 payments per recurring record over the dossier window, one-off aid once, cancelled aid never', () => {
    const w = monthsWindow('2026-03-15', 24);
    const records = [
      dibao('2024-01-01', null),
      dibao('2025-01-01', null, 'CANCELLED'),
      oneOffAid({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', beneficiaryIdNumber: 'x', grantDate: '2024-03-16', amountFen: 300_000, status: 'PAID', sourceRef: 'temp:1' }),
      oneOffAid({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', beneficiaryIdNumber: 'x', grantDate: '2024-03-15', amountFen: 999_999, status: 'PAID', sourceRef: 'temp:0' }),
    ];
    const s = summariseAid(records, w.from, w.to, '2026-03-15');
    expect(s.totalFen).toBe(24 * 72_000 + 300_000);
    expect(s.byDepartment.find((d) => d.department === 'CIVIL_AFFAIRS')).toEqual({ department: 'CIVIL_AFFAIRS', totalFen: 24 * 72_000 + 300_000, recordCount: 2 });
    expect(s.monthlyRecurringFen).toBe(72_000);
  });
});

describe('summariseAid counts aid in force', () => {
  it('counts nothing of aid still pending its department’s review, in the totals or per month', () => {
    const w = monthsWindow('2026-03-15', 24);
    // Housing's rent subsidy of an application accepted or approved (受理, 审核通过), its allocation row entered ahead.
    const pending = recurringAid({ department: 'HOUSING', programme: 'RENT_SUBSIDY', beneficiaryIdNumber: 'x', start: '2025-06-01', end: null, monthlyFen: 50_000, status: 'PENDING', sourceRef: 'allocation:1' });
    const s = summariseAid([dibao('2024-01-01', null), pending], w.from, w.to, '2026-03-15');
    expect(s.totalFen).toBe(24 * 72_000);
    expect(s.byDepartment.find((d) => d.department === 'HOUSING')).toEqual({ department: 'HOUSING', totalFen: 0, recordCount: 0 });
    expect(s.byPurpose.map((p) => p.purpose)).toEqual(['BASIC_LIVING']);
    expect(s.monthlyRecurringFen).toBe(72_000);
    // The same record in force counts, so the test above can fail.
    expect(summariseAid([{ ...pending, status: 'ACTIVE' }], w.from, w.to, '2026-03-15').totalFen).toBe(10 * 50_000);
  });
});

describe('summariseAid counts aid received by today', () => {
  const today = '2026-03-15';
  const tempAid = (grantDate: string, amountFen: number) => oneOffAid({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', beneficiaryIdNumber: 'x', grantDate, amountFen, status: 'PAID', sourceRef: `temp:${grantDate}` });

  it('a window reaching past today counts a running aid up to this month, and no grant dated after today', () => {
    const records = [dibao('2024-01-01', null), tempAid('2026-03-15', 300_000), tempAid('2026-03-16', 999_999), tempAid('2026-12-01', 888_888)];
    const s = summariseAid(records, '2026-01-01', '2026-12-31', today);
    // January, February and March 2026 are paid; April … December are not yet.
    expect(s.totalFen).toBe(3 * 72_000 + 300_000);
    expect(s.byDepartment.find((d) => d.department === 'CIVIL_AFFAIRS')).toEqual({ department: 'CIVIL_AFFAIRS', totalFen: 3 * 72_000 + 300_000, recordCount: 2 });
    // The window is answered as asked.
    expect({ from: s.from, to: s.to }).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    // The same as the window that ends today.
    expect(s.totalFen).toBe(summariseAid(records, '2026-01-01', today, today).totalFen);
  });

  it('a recurring aid approved from next month counts nothing yet, though it is the monthly amount from then', () => {
    const s = summariseAid([dibao('2026-04-01', null)], '2026-01-01', '2026-12-31', today);
    expect(s.totalFen).toBe(0);
    expect(s.byDepartment.every((d) => d.recordCount === 0)).toBe(true);
    expect(s.monthlyRecurringFen).toBe(0);
  });

  it('a window wholly after today counts nothing', () => {
    const s = summariseAid([dibao('2024-01-01', null), tempAid('2026-06-01', 100_000)], '2026-04-01', '2026-12-31', today);
    expect(s.totalFen).toBe(0);
    expect(s.byPurpose).toEqual([]);
  });
});
