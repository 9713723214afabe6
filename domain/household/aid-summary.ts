/**
 * Aid totals over a window, as a meeting or an officer reads them. A recurring aid is paid once a
 * month, and each month's payment is dated on the first day of the month it is for: it counts
 * when that day lies in the window and the aid's period touches that month. So "the last 24
 * months" (2024-03-16 … 2026-03-15) counts exactly 24 payments (April 2024 … March 2026), not
 * the 25 calendar months the window touches. A one-off aid counts when its grant date falls in
 * the window. Cancelled aid counts nothing, nor does pending aid (under the department's review).
 *
 * A summary is of aid received: nothing dated after today counts, whatever the window's end. A
 * department records aid ahead of payment (a 低保 share running on with no end, a subsidy approved
 * from next month, a grant dated for a coming payday); a window reaching into the future would
 * otherwise sum months and grants not paid yet as received.
 *
 * A recurring aid counts the months it is known to have run (`knownEnd`, as every rule reads it):
 * one suspended (暂停), or stopped with no end date, was paused or stopped on a day no source
 * records, so only its start month is known to have been paid. Counted to today, a 低保 suspended
 * for a year summed twelve months the household was not paid as received. A reported entry beyond
 * the longest term a grant is approved for (`periodBeyondTerm`) counts up to the term's last day
 * only, and is counted in `recordsBeyondTerm` where its period as reported meets the window, so the
 * reader knows a figure the ledger states was not counted whole.
 */
import { inForce, type AidRecord } from '../aid';
import { knownEnd } from '../findings/attribution';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type OfficeCode } from '../departments';
import { periodsOverlap, type IsoDate } from '../dates';
import { AID_PROGRAMME_BY_CODE, type AidPurpose } from '../programmes';

export interface Window {
  from: IsoDate | null;
  to: IsoDate | null;
}

/** Newest first: by grant date or period start, then by source reference for a stable order. */
export function newestFirst(a: AidRecord, b: AidRecord): number {
  const da = a.grantDate ?? a.periodStart ?? '';
  const db = b.grantDate ?? b.periodStart ?? '';
  return da === db ? a.sourceRef.localeCompare(b.sourceRef) : da < db ? 1 : -1;
}

export function inWindow(record: AidRecord, window: Window): boolean {
  if (record.periodStart !== null) return periodsOverlap(record.periodStart, record.periodEnd, window.from ?? '0000-01-01', window.to);
  const date = record.grantDate ?? '';
  return (window.from === null || date >= window.from) && (window.to === null || date <= window.to);
}

function monthIndex(date: IsoDate): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/**
 * Monthly payments of the period [start, end] that fall in the window [from, to]: the months whose
 * first day lies in the window and which the period touches. A window of N months (as
 * `monthsWindow` makes it) holds exactly N first days, so it counts at most N payments.
 */
export function monthlyPaymentsInWindow(start: IsoDate, end: IsoDate | null, from: IsoDate, to: IsoDate): number {
  // The first month whose first day is on or after `from`; the last whose first day is on or before `to`.
  const firstInWindow = monthIndex(from) + (from.slice(8) === '01' ? 0 : 1);
  const lastInWindow = monthIndex(to);
  const first = Math.max(monthIndex(start), firstInWindow);
  const last = Math.min(end === null ? Infinity : monthIndex(end), lastInWindow);
  return last >= first ? last - first + 1 : 0;
}

/** What a record contributes to a window's total, in fen. */
export function amountInWindowFen(record: AidRecord, from: IsoDate, to: IsoDate): number {
  if (!inForce(record)) return 0;
  if (record.periodStart !== null) return record.amountFen * monthlyPaymentsInWindow(record.periodStart, knownEnd(record), from, to);
  return record.grantDate !== null && record.grantDate >= from && record.grantDate <= to ? record.amountFen : 0;
}

export interface AidSummary {
  from: IsoDate;
  to: IsoDate;
  totalFen: number;
  byDepartment: { department: OfficeCode; totalFen: number; recordCount: number }[];
  byPurpose: { purpose: AidPurpose; totalFen: number; recordCount: number }[];
  monthlyRecurringFen: number;
  /** Records in force whose reported period meets the window and runs beyond the term (AidRecord.periodBeyondTerm): counted within the term only. */
  recordsBeyondTerm: number;
}

export function summariseAid(records: readonly AidRecord[], from: IsoDate, to: IsoDate, today: IsoDate): AidSummary {
  // Received by today: the window is counted up to today at the latest (empty when it starts later).
  const receivedTo = to < today ? to : today;
  // Every federated department is listed; a reporter (through the REPORTED ledger) once it has aid in the window.
  const byDepartment = new Map<OfficeCode, { totalFen: number; recordCount: number }>(DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d)).map((d) => [d, { totalFen: 0, recordCount: 0 }]));
  const byPurpose = new Map<AidPurpose, { totalFen: number; recordCount: number }>();
  let totalFen = 0;
  let monthlyRecurringFen = 0;
  let recordsBeyondTerm = 0;
  for (const r of records) {
    // Its end as the totals read it (knownEnd): one beyond its term is not paid now.
    if (r.periodStart !== null && r.status === 'ACTIVE' && periodsOverlap(r.periodStart, knownEnd(r), today, today)) monthlyRecurringFen += r.amountFen;
    if (r.periodBeyondTerm && inForce(r) && inWindow(r, { from, to })) recordsBeyondTerm += 1;
    const amount = from <= receivedTo ? amountInWindowFen(r, from, receivedTo) : 0;
    if (amount === 0) continue;
    totalFen += amount;
    const d = byDepartment.get(r.department) ?? { totalFen: 0, recordCount: 0 };
    byDepartment.set(r.department, d);
    d.totalFen += amount;
    d.recordCount += 1;
    const purpose = AID_PROGRAMME_BY_CODE.get(r.programme)!.purpose;
    const p = byPurpose.get(purpose) ?? { totalFen: 0, recordCount: 0 };
    p.totalFen += amount;
    p.recordCount += 1;
    byPurpose.set(purpose, p);
  }
  return {
    from,
    to,
    totalFen,
    byDepartment: [...byDepartment].map(([department, t]) => ({ department, ...t })),
    byPurpose: [...byPurpose].map(([purpose, t]) => ({ purpose, ...t })),
    monthlyRecurringFen,
    recordsBeyondTerm,
  };
}
