/**
 * The dossier a joint meeting (一事一议) works from: the household and its members, all aid from
 * all departments over the last 24 months with totals, open findings, earlier cases and referrals,
 * and the departments that have not contributed yet. Plain data, so that a meeting can store it as
 * it stood (JSON) and later changes do not rewrite the record.
 */
import type { AidSummary } from '../household/aid-summary';
import { addDays, ageOn, monthEnd, type IsoDate } from '../dates';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode, type OfficeCode } from '../departments';
import { inForce, type AidRecord, type HospitalSettlement } from '../aid';
import type { CaseOrigin, CaseState, CaseUrgency } from './state-machine';
import type { ReferralKind, ReferralState } from './referrals';
import type { OfficeKey } from './offices';
import type { DeadlineKind, Limit } from './deadlines';

/**
 * Bumped when the shape changes; stored snapshots keep the version they were written with.
 * 3: members carry their age; a meeting's snapshot holds no birth date and no address (storedDossier;
 * snapshots of versions 1 and 2 are brought to that by the data upgrade `dossier-minimised:case_meeting`).
 */
export const DOSSIER_VERSION = 3;

/** How far back the dossier looks for aid. */
export const DOSSIER_MONTHS = 24;

export interface DossierMember {
  idNumber: string;
  name: string;
  gender: 'M' | 'F';
  /** Absent in a meeting's snapshot since version 3 (storedDossier): the brief and the API give the age. */
  birthDate?: IsoDate;
  /** Whole years on the dossier's day (or at death); absent in snapshots before version 3, which hold the birth date. */
  age?: number;
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
  /** ISO instant the case was closed or rejected; absent in snapshots of version 1. */
  endedAt?: string | null;
  /**
   * Its time limits met late or missed, most late first, as supervision lists them (overdueReport
   * casesLate, over the case's whole life): a county preparing a meeting sees that the household's
   * earlier case was decided or handed over late, which step, how late and by whom. Absent in
   * snapshots taken before it was kept.
   */
  late?: DossierCaseLate[];
}

/**
 * A time limit of another case met late (MET_LATE) or missed (MISSED: the case ended, handed over or
 * closed, past it), seed 000 二(三) and 三(四); a case withdrawn (opened by mistake) missed none.
 */
export interface DossierCaseLate {
  kind: DeadlineKind;
  limit: Limit;
  status: 'MET_LATE' | 'MISSED';
  /** The due date for a day limit; null for an hour limit. */
  dueOn: IsoDate | null;
  /** ISO instant, the last that still met it. */
  dueAt: string;
  /** How late, up to `endedBy`; provisional where a year's holiday notice was not known. */
  overdue: { workingDays: number; hours: number; provisional: boolean };
  /**
   * The entry of that case's history that met it late or ended the case past it: who, when, what
   * (its reason is not kept: the case's explanation is printed beside it).
   */
  endedBy: Omit<DossierEvent, 'reason'>;
  /** The county of that case (its offices are that county's: a predecessor's are not the reader's). */
  countyCode: string;
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
  /**
   * As Referral.provisional: the due date counts a day of a year whose holiday notice is not loaded,
   * or a date clamped to the calendar's range (absent in snapshots taken before it was kept).
   */
  provisional?: boolean;
  feedback: string | null;
  declineReason: string | null;
  /** When withdrawn by the case's owner (referralWithdraw): why (absent in snapshots taken before slips were withdrawn). */
  withdrawReason?: string | null;
  /** For a completed decision: the amount its aid record gives (absent in snapshots taken before it was kept). */
  fulfilledAmountFen?: number | null;
  /** For a completed decision given short: the department's reason. */
  differenceReason?: string | null;
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

/**
 * A hospital stay of a member (medical insurance settlement), in fen: health detail, printed only
 * to callers the policy gives it (HEALTH_DETAIL).
 */
export type DossierSettlement = Omit<HospitalSettlement, 'settlementRef'>;

/** A member's disability certificate (第二代残疾人证): category 1–7 and level 1 (most severe)–4. */
export interface DossierDisability {
  idNumber: string;
  /** Null when the federation's category code is undocumented (`sourceCategoryCode`). */
  category: number | null;
  sourceCategoryCode?: string;
  /** Null when the federation's level code is undocumented (`sourceLevelCode`); always a number before such certificates were shown so. */
  level: number | null;
  sourceLevelCode?: string;
  /** UNRECOGNISED: the federation's status code is undocumented (`sourceStatusCode`); absent before such certificates were shown. */
  status: 'VALID' | 'EXPIRED' | 'REVOKED' | 'UNRECOGNISED';
  sourceStatusCode?: string;
}

/** One write to the case itself, as the brief prints its history: who, when, what, why. */
export interface DossierEvent {
  sequence: number;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  /** ISO instant it happened (as stated), and when the hub recorded it. */
  occurredAt: string;
  recordedAt: string;
  actor: string;
  actorOffice: OfficeKey;
  reason: string | null;
  /** OWNER_CHANGED: the office handing the case on and the one taking it (absent in snapshots a meeting stored before they were kept). */
  fromOffice?: OfficeKey;
  toOffice?: OfficeKey;
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
  /** `address` is absent in a meeting's snapshot since version 3 (storedDossier). */
  household: { id: number; registrationNumber: string; address?: string; regionCode: string; regionName: string };
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
  /**
   * Members' hospital settlements in the window, newest first; null when the health department did
   * not answer. Absent in snapshots of version 1.
   */
  settlements?: DossierSettlement[] | null;
  /** Members' disability certificates; null when the disability federation did not answer. Absent in version 1. */
  disabilities?: DossierDisability[] | null;
  /** The case's own history up to when the dossier was taken. Absent in version 1. */
  history?: DossierEvent[];
}

/**
 * A member's age in the dossier: as stored (version 3 on), or worked out from the birth date an
 * older snapshot holds, on the dossier's day or the day of death.
 */
export function memberAge(m: Pick<DossierMember, 'age' | 'birthDate' | 'deathDate'>, on: IsoDate): number {
  if (m.age !== undefined) return m.age;
  return ageOn(m.birthDate!, m.deathDate ?? on);
}

/**
 * What a meeting keeps of its dossier (PIPL art. 6, minimum necessary): no member's birth date and
 * not the household's address. The meeting's participants read the age and the village (division
 * name); the convening office, which alone reads a birth date or the address (access/policy.ts
 * HOME_VISIT), needs the address where the household lives now for a visit, not where it lived
 * then, and a birth date does not change: the API reads both from the hub's records. An older
 * snapshot passed in (db/setup/upgrades.ts) keeps its version and gets its members' ages from the birth dates it holds, on its own last day
 * (the day the brief counts ages to).
 */
export function storedDossier(d: Dossier): Dossier {
  if (!holdsMoreThanStored(d)) return d;
  const on = d.window.to;
  const { address: _address, ...household } = d.household ?? {};
  return {
    ...d,
    ...(d.household ? { household: household as Dossier['household'] } : {}),
    members: (d.members ?? []).map(({ birthDate: _birthDate, ...m }) => ({ ...m, age: memberAge({ ...m, birthDate: _birthDate }, on) })),
  };
}

/** Whether a stored dossier still holds what storedDossier leaves out (written before version 3). */
export function holdsMoreThanStored(d: Dossier): boolean {
  // Read defensively: whatever an old release stored (a row without a household or members) is left as it is.
  return d.household?.address !== undefined || (d.members ?? []).some((m) => m.birthDate !== undefined);
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
 * Departments with nothing to show for this household: no aid in the window (cancelled aid, and aid
 * still pending the department's review, does not count) and no slip of this case completed. A department that did not answer is listed too: the
 * hub cannot show a contribution it could not read (the dossier's `complete` says so).
 */
export function departmentsNotContributed(aid: readonly AidRecord[], referralsOfCase: readonly Pick<DossierReferral, 'to' | 'state'>[]): DepartmentCode[] {
  return departmentsWithout(aid, referralsOfCase, ['COMPLETED']);
}

/** Departments with no aid in force in the window and no slip of the case in one of `slipStates`. */
function departmentsWithout(aid: readonly AidRecord[], slipsOfCase: readonly Pick<DossierReferral, 'to' | 'state'>[], slipStates: readonly ReferralState[]): DepartmentCode[] {
  const present = new Set<string>();
  for (const r of aid) if (inForce(r)) present.add(r.department);
  for (const s of slipsOfCase) if (slipStates.includes(s.state)) present.add(s.to);
  // The reported-aid ledger is not a department that owes a contribution; reporters who gave appear in the aid.
  return DEPARTMENT_CODES.filter((d) => !HUB_LEDGER_SOURCES.includes(d) && !present.has(d));
}

/**
 * Departments not taking part in the case (the brief's 尚未参与救助的部门): none of their aid in
 * force in the window (as departmentsNotContributed counts it) and no slip of the case addressed to
 * them that still stands. A slip issued or accepted is a department at work on the case, one
 * completed has given; one declined (退回), superseded by a correction or withdrawn by the case's owner (撤回) is not taking part. Unlike
 * departmentsNotContributed (the API's "nothing to show yet"), a department holding an open slip is
 * not listed: a meeting read 住建 and 工会 as absent while both held its slips.
 */
export function departmentsNotTakingPart(aid: readonly AidRecord[], slipsOfCase: readonly Pick<DossierReferral, 'to' | 'state'>[]): DepartmentCode[] {
  return departmentsWithout(aid, slipsOfCase, ['ISSUED', 'ACCEPTED', 'COMPLETED']);
}

/** What changed in a household's aid between a meeting's stored dossier and the dossier now. */
export interface DossierChanges {
  /** Records now that the meeting did not have (new grants, or aid begun since). */
  added: AidRecord[];
  /** Records whose status, amount or end changed since the meeting: as they stood, and now. */
  changed: { before: AidRecord; after: AidRecord }[];
  /** Records the meeting had that are no longer in the window or no longer reported. */
  removed: AidRecord[];
}

/**
 * Aid changes between two dossiers of one household, by department and source reference (stable
 * within a department). For the current view printed beside a meeting's snapshot: what the
 * meeting did not know.
 */
export function dossierChanges(before: Pick<Dossier, 'aid'>, after: Pick<Dossier, 'aid'>): DossierChanges {
  const key = (r: AidRecord) => `${r.department}\u0000${r.sourceRef}`;
  const then = new Map(before.aid.map((r) => [key(r), r]));
  const now = new Map(after.aid.map((r) => [key(r), r]));
  const added: AidRecord[] = [];
  const changed: { before: AidRecord; after: AidRecord }[] = [];
  for (const r of after.aid) {
    const old = then.get(key(r));
    if (!old) added.push(r);
    else if (old.status !== r.status || old.amountFen !== r.amountFen || old.periodEnd !== r.periodEnd || old.grantDate !== r.grantDate) changed.push({ before: old, after: r });
  }
  return { added, changed, removed: before.aid.filter((r) => !now.has(key(r))) };
}

/**
 * A stored dossier with every ID number written into its prose masked (domain/privacy.ts
 * maskIdNumbersInText): the earlier cases' summaries and explanations, the slips' asks, feedback and
 * reasons, the history's reasons, as they were typed before prose was masked as it comes in. The
 * members' and certificates' ID numbers are the dossier's own fields, shown or masked by the policy
 * when read, and stay. The same object when nothing in it changed.
 */
export function dossierWithProseMasked(d: Dossier, mask: (text: string) => string): Dossier {
  let changed = false;
  const m = <T extends string | null | undefined>(text: T): T => {
    if (typeof text !== 'string') return text;
    const out = mask(text);
    if (out !== text) changed = true;
    return out as T;
  };
  const next: Dossier = {
    ...d,
    earlierCases: d.earlierCases.map((c) => ({ ...c, summary: m(c.summary), explanation: m(c.explanation) })),
    referrals: d.referrals.map((r) => ({ ...r, ask: m(r.ask), feedback: m(r.feedback), declineReason: m(r.declineReason), ...('withdrawReason' in r ? { withdrawReason: m(r.withdrawReason ?? null) } : {}), ...('differenceReason' in r ? { differenceReason: m(r.differenceReason) } : {}) })),
    ...(d.history ? { history: d.history.map((e) => ({ ...e, reason: m(e.reason) })) } : {}),
  };
  return changed ? next : d;
}
