/**
 * Aid totals over a window, as a meeting or an officer reads them. A recurring aid counts its
 * monthly amount once for each calendar month of the window that its period touches; a one-off aid
 * counts when its grant date falls in the window. Cancelled aid counts nothing.
 */
import type { AidRecord } from '../aid';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type OfficeCode } from '../departments';
import { periodsOverlap, type IsoDate } from '../dates';
import { PROGRAMME_BY_CODE, type AidPurpose } from '../programmes';

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

/** Calendar months of [from, to] that the period [start, end] touches. */
export function monthsTouched(start: IsoDate, end: IsoDate | null, from: IsoDate, to: IsoDate): number {
  const first = Math.max(monthIndex(start), monthIndex(from));
  const last = Math.min(end === null ? Infinity : monthIndex(end), monthIndex(to));
  return last >= first && periodsOverlap(start, end, from, to) ? last - first + 1 : 0;
}

/** What a record contributes to a window's total, in fen. */
export function amountInWindowFen(record: AidRecord, from: IsoDate, to: IsoDate): number {
  if (record.status === 'CANCELLED') return 0;
  if (record.periodStart !== null) return record.amountFen * monthsTouched(record.periodStart, record.periodEnd, from, to);
  return record.grantDate !== null && record.grantDate >= from && record.grantDate <= to ? record.amountFen : 0;
}

export interface AidSummary {
  from: IsoDate;
  to: IsoDate;
  totalFen: number;
  byDepartment: { department: OfficeCode; totalFen: number; recordCount: number }[];
  byPurpose: { purpose: AidPurpose; totalFen: number; recordCount: number }[];
  monthlyRecurringFen: number;
}

export function summariseAid(records: readonly AidRecord[], from: IsoDate, to: IsoDate, today: IsoDate): AidSummary {
  // Every federated department is listed; a reporter (through the REPORTED ledger) once it has aid in the window.
  const byDepartment = new Map<OfficeCode, { totalFen: number; recordCount: number }>(DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d)).map((d) => [d, { totalFen: 0, recordCount: 0 }]));
  const byPurpose = new Map<AidPurpose, { totalFen: number; recordCount: number }>();
  let totalFen = 0;
  let monthlyRecurringFen = 0;
  for (const r of records) {
    if (r.periodStart !== null && r.status === 'ACTIVE' && periodsOverlap(r.periodStart, r.periodEnd, today, today)) monthlyRecurringFen += r.amountFen;
    const amount = amountInWindowFen(r, from, to);
    if (amount === 0) continue;
    totalFen += amount;
    const d = byDepartment.get(r.department) ?? { totalFen: 0, recordCount: 0 };
    byDepartment.set(r.department, d);
    d.totalFen += amount;
    d.recordCount += 1;
    const purpose = PROGRAMME_BY_CODE.get(r.programme)!.purpose;
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
  };
}
