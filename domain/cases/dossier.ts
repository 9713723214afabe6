/**
 * The dossier a joint meeting (一事一议) works from: the household and its members, all aid from
 * all departments over the last 24 months with totals, open findings, earlier cases and referrals,
 * and the departments that have not contributed yet. Plain data, so that a meeting can store it as
 * it stood (JSON) and later changes do not rewrite the record.
 */
import type { AidSummary } from '../household/aid-summary';
import { addDays, monthEnd, type IsoDate } from '../dates';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode, type OfficeCode } from '../departments';
import type { AidRecord } from '../aid';
import type { CaseOrigin, CaseState, CaseUrgency } from './state-machine';
import type { ReferralKind, ReferralState } from './referrals';
import type { OfficeKey } from './offices';

/** Bumped when the shape changes; stored snapshots keep the version they were written with. */
export const DOSSIER_VERSION = 1;

/** How far back the dossier looks for aid. */
export const DOSSIER_MONTHS = 24;

export interface DossierMember {
  idNumber: string;
  name: string;
  gender: 'M' | 'F';
  birthDate: IsoDate;
  deathDate: IsoDate | null;
  relation: string;
  joinedOn: IsoDate;
}

export interface DossierCase {
  id: number;
  reference: string;
  state: CaseState;
  urgency: CaseUrgency;
  origin: CaseOrigin;
  /** ISO instant. */
  reportedAt: string;
  summary: string;
  explanation: string | null;
}

export interface DossierReferral {
  id: number;
  caseId: number;
  caseReference: string;
  kind: ReferralKind;
  from: OfficeKey;
  to: OfficeKey;
  ask: string;
  programmeCode: string | null;
  amountFen: number | null;
  state: ReferralState;
  dueOn: IsoDate;
  feedback: string | null;
  declineReason: string | null;
}

/**
 * An open finding (duplicate or missed aid) about the household, as the findings module reports
 * it. Kept loose on purpose: the findings module owns its shape; the dossier keeps what a meeting
 * reads, in words that name no person.
 */
export interface DossierFinding {
  ruleId: string;
  /** CONFLICT, WARNING or MISSED_AID. */
  severity: string;
  /** OPEN or CONFIRMED: dismissed and resolved findings are not open. */
  status: string;
  summary: string;
  /**
   * The same words without health detail (a settlement, an out-of-pocket amount, an illness as
   * cause), for readers the policy does not give it. Absent in snapshots taken before it existed.
   */
  summaryWithoutHealth?: string;
  departments: OfficeCode[];
}

export interface DossierSource {
  department: DepartmentCode;
  available: boolean;
  reason: string | null;
}

export interface Dossier {
  version: number;
  /** ISO instant the dossier was put together. */
  takenAt: string;
  window: { from: IsoDate; to: IsoDate };
  household: { id: number; registrationNumber: string; address: string; regionCode: string; regionName: string };
  members: DossierMember[];
  aid: AidRecord[];
  totals: AidSummary;
  sources: DossierSource[];
  /** False when a department did not answer: its aid is missing and the totals are short. */
  complete: boolean;
  /** Null when findings were not available to the hub when the dossier was made. */
  findings: DossierFinding[] | null;
  /** The household's other cases, newest first. */
  earlierCases: DossierCase[];
  /** Referral slips of this case and of the household's earlier cases. */
  referrals: DossierReferral[];
  departmentsNotContributed: DepartmentCode[];
}

/** The window of the last `months` months up to `to`, inclusive: 2026-03-15 → 2024-03-16..2026-03-15. */
export function monthsWindow(to: IsoDate, months: number): { from: IsoDate; to: IsoDate } {
  const y = Number(to.slice(0, 4));
  const m = Number(to.slice(5, 7)) - months;
  const year = y + Math.floor((m - 1) / 12);
  const month = ((((m - 1) % 12) + 12) % 12) + 1;
  const ym = `${year}-${String(month).padStart(2, '0')}`;
  const lastDay = monthEnd(ym);
  const sameDay = `${ym}-${to.slice(8)}`;
  return { from: addDays(sameDay > lastDay ? lastDay : sameDay, 1), to };
}

/**
 * Departments with nothing to show for this household: no aid in the window (cancelled aid does not
 * count) and no slip of this case completed. A department that did not answer is listed too: the
 * hub cannot show a contribution it could not read (the dossier's `complete` says so).
 */
export function departmentsNotContributed(aid: readonly AidRecord[], referralsOfCase: readonly Pick<DossierReferral, 'to' | 'state'>[]): DepartmentCode[] {
  const contributed = new Set<string>();
  for (const r of aid) if (r.status !== 'CANCELLED') contributed.add(r.department);
  for (const s of referralsOfCase) if (s.state === 'COMPLETED') contributed.add(s.to);
  // The reported-aid ledger is not a department that owes a contribution; reporters who gave appear in the aid.
  return DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d) && !contributed.has(d));
}
