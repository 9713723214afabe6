/**
 * A reported recurring period beyond the longest term a grant is approved for (five years,
 * RECURRING_APPROVAL_MAX_YEARS): the one rule aidReport holds a record to (PERIOD_TOO_LONG,
 * domain/reported-aid/validate.ts) and by which the ledger's entries recorded before that rule are
 * found (reportedAidBeyondTerm) and marked where they are shown (AidRecord.periodBeyondTerm,
 * ReportedAidEntry.periodBeyondTerm). A record is judged as aidReport judges it: an end already
 * past is what was paid, however long the period ran (`endedIsPaid`), so it is never beyond term.
 */
import { latestPeriodEnd, periodTooLong, type PeriodTooLong } from '../findings/periods';
import type { IsoDate } from '../dates';

/** What aidReport refuses as PERIOD_TOO_LONG of a recurring record that is no reversal, or null. */
export function reportedPeriodTooLong(periodStart: IsoDate, periodEnd: IsoDate | null, today: IsoDate): PeriodTooLong | null {
  return periodTooLong(periodStart, periodEnd, today, { endedIsPaid: true });
}

/** A stored entry beyond term: why (as PERIOD_TOO_LONG would say it), and the last day it counts as aid. */
export interface PeriodBeyondTerm {
  problem: PeriodTooLong;
  /**
   * The last day of the longest term from the entry's start (latestPeriodEnd): the most any grant
   * could have been decided for. Totals, the duplicate rules and monitoring read the entry as aid up
   * to this day only: beyond it, it is no evidence of aid being paid (a year mistyped, 1939 for 2019).
   */
  countedTo: IsoDate;
}

/**
 * Whether a ledger entry standing today is one aidReport would refuse today (null if not): a
 * recurring entry (a period start) that is no reversal, its period beyond the term by
 * reportedPeriodTooLong. Entries recorded before the rule (session 47) are the only ones there are.
 */
export function entryBeyondTerm(entry: { entryKind: string; periodStart: IsoDate | null; periodEnd: IsoDate | null }, today: IsoDate): PeriodBeyondTerm | null {
  if (entry.entryKind === 'REVERSAL' || entry.periodStart === null) return null;
  const problem = reportedPeriodTooLong(entry.periodStart, entry.periodEnd, today);
  return problem ? { problem, countedTo: latestPeriodEnd(entry.periodStart) } : null;
}
