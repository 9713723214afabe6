/**
 * One rule for a reported recurring period beyond the five-year term: what aidReport refuses as
 * PERIOD_TOO_LONG (validateReport) is exactly what entryBeyondTerm marks in the ledger and
 * reportedAidBeyondTerm lists, over starts and ends around the term's edges (29 February among
 * them); and such an entry counts in a household's totals up to the term's last day only
 * (knownEnd, summariseAid). Pure functions, no server.
 */
import { addDays } from '../domain/dates';
import { makeIdNumber } from '../domain/id-number';
import { recurringAid } from '../domain/aid';
import { earliestRunningStart, latestPeriodEnd } from '../domain/findings/periods';
import { summariseAid } from '../domain/household/aid-summary';
import { entryBeyondTerm } from '../domain/reported-aid/beyond-term';
import { validateReport } from '../domain/reported-aid/validate';

const TODAY = '2026-03-15';
const ID = makeIdNumber('370811', '1930-03-03', 81);

function refusedTooLong(periodStart: string, periodEnd: string | null): boolean {
  const checked = validateReport('EMERGENCY_MANAGEMENT', [{ reference: 'R-1', beneficiaryIdNumber: ID, programme: 'DISASTER_TRANSITION', periodStart, periodEnd, amountFen: 60_000 }], TODAY);
  return !checked.ok && checked.errors.some((e) => e.code === 'PERIOD_TOO_LONG');
}

describe('entryBeyondTerm and aidReport decide alike', () => {
  const first = earliestRunningStart(TODAY);
  const starts = ['1939-01-01', '2020-02-29', '2021-02-28', '2021-03-01', addDays(first, -2), addDays(first, -1), first, '2024-02-29', '2025-01-01'];
  const cases = starts.flatMap((start) => {
    const max = latestPeriodEnd(start);
    const ends = [null, '2025-12-31', TODAY, addDays(TODAY, 1), addDays(max, -1), max, addDays(max, 1), '2099-12-31'].filter((e) => e === null || e >= start);
    return ends.map((end) => [start, end] as const);
  });

  it.each(cases)('start %s, end %s', (start, end) => {
    const refused = refusedTooLong(start, end);
    expect(entryBeyondTerm({ entryKind: 'AID', periodStart: start, periodEnd: end }, TODAY) !== null).toBe(refused);
    expect(entryBeyondTerm({ entryKind: 'CORRECTION', periodStart: start, periodEnd: end }, TODAY) !== null).toBe(refused);
    // A reversal is taken whatever its period, and is never beyond the term.
    expect(entryBeyondTerm({ entryKind: 'REVERSAL', periodStart: start, periodEnd: end }, TODAY)).toBeNull();
  });

  it('holds both sides of the edges', () => {
    expect(refusedTooLong(addDays(first, -1), null)).toBe(true);
    expect(refusedTooLong(first, null)).toBe(false);
    expect(refusedTooLong('2024-02-29', addDays(latestPeriodEnd('2024-02-29'), 1))).toBe(true);
    expect(refusedTooLong('2024-02-29', latestPeriodEnd('2024-02-29'))).toBe(false);
  });
});

describe('an entry beyond the term in a household summary', () => {
  const old = (periodBeyondTerm: ReturnType<typeof entryBeyondTerm>) =>
    recurringAid({ department: 'EMERGENCY_MANAGEMENT', programme: 'DISASTER_TRANSITION', beneficiaryIdNumber: ID, sourceRef: 'reported_aid:1', start: '1939-01-01', end: null, monthlyFen: 60_000, status: 'ACTIVE', periodBeyondTerm });

  it('counts the term alone, nothing paid now, and is counted as beyond the term', () => {
    const marked = old(entryBeyondTerm({ entryKind: 'AID', periodStart: '1939-01-01', periodEnd: null }, TODAY));
    expect(summariseAid([marked], '1939-01-01', TODAY, TODAY)).toMatchObject({ totalFen: 60 * 60_000, monthlyRecurringFen: 0, recordsBeyondTerm: 1 });
    expect(summariseAid([marked], '2025-03-16', TODAY, TODAY)).toMatchObject({ totalFen: 0, monthlyRecurringFen: 0, recordsBeyondTerm: 1 });
    // Unmarked (as before), it counted every month since 1939 and as paid now.
    expect(summariseAid([old(null)], '1939-01-01', TODAY, TODAY)).toMatchObject({ totalFen: 1047 * 60_000, monthlyRecurringFen: 60_000, recordsBeyondTerm: 0 });
  });
});
