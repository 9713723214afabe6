/**
 * Statutory time limits of a case (seed 000, 二(三)), and how a deadline stands at an instant.
 *
 * | urgency   | limit                                         | counted from       | met when the case first enters |
 * |-----------|-----------------------------------------------|--------------------|--------------------------------|
 * | NORMAL    | investigation opinion, 3 working days          | date reported      | a state after INVESTIGATING (opened by verifying an alert: its report) |
 * | NORMAL    | approval (审核审批), 20 working days, where the township may approve | date reported | DECIDED or REJECTED |
 * | URGENT    | first aid (先行救助), 24 hours                  | instant reported   | FIRST_AID_GIVEN                |
 * | URGENT    | materials completed, 5 working days            | date of first aid (of the report before any) | the recorded act MATERIALS_COMPLETED |
 * | EMERGENCY | first aid, 2 hours                             | instant reported   | FIRST_AID_GIVEN                |
 *
 * Hour limits are instants. Day limits are China dates: due by the end of the due day, China time,
 * counted under the holiday calendar in force while the deadline runs; one that stopped running (met,
 * or the case ended) keeps the date counted when it stopped (CaseTimeline.kept: case_deadline_kept,
 * db/cases/deadlines-kept.ts), met or missed under the calendar of its time as an answered slip is.
 * Every step is measured by when the hub recorded it (domain/cases/stated-time.ts). The materials
 * are 补充完善 after the first aid (24 小时内先行救助，5 个工作日内补充完善相关救助材料): a recorded
 * act of their own, not inferred from the case entering deliberation.
 * An emergency's paperwork is done afterwards (事后补办手续) with no limit in the seeds, so none here.
 * A case opened from a monitoring alert is opened by its verification (入户核实, outcome NEEDS_AID):
 * that is the investigation opinion, formed when the case is reported. Measured by a later state, the
 * five-day village notice the decision must wait for (公示) made every such case late on it.
 * A case whose approval the township may not give (救助审批权限没有下放的) is forwarded to the county
 * office (转交县级审批, the act APPROVAL_FORWARDED, domain/cases/county-approval.ts): that act is its
 * township review done, so it meets the investigation opinion, and from then on the 20 working days,
 * which bind only a township that approves, are not listed; the seeds set the county no limit, so none
 * replaces them. Measured at `asOf`: a report of a day before the forward sees the case as it stood then.
 */
import type { IsoDate } from '../dates';
import { addHours, calendarDaysBetween, chinaDateOf, endOfChinaDay, wholeHoursBetween } from './china-time';
import { TERMINAL_STATES, type CaseState, type CaseUrgency } from './state-machine';
import { addWorkingDays, isCovered, keptWithoutNotice, withinSupported, workingDaysBetween } from './working-days';

export const DEADLINE_KINDS = ['FIRST_AID', 'MATERIALS', 'INVESTIGATION_OPINION', 'APPROVAL'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export type Limit = { unit: 'HOURS'; hours: number } | { unit: 'WORKING_DAYS'; workingDays: number };

export interface DeadlineRule {
  kind: DeadlineKind;
  limit: Limit;
  /** The states whose first entry meets the deadline. */
  metBy: readonly CaseState[];
  /** Or the recorded act that meets it (whichever comes first). */
  metByAct?: CaseAct;
  /** A recorded act after which the limit no longer applies to the case: it is not listed from then. */
  liftedByAct?: CaseAct;
  /** Met when the case is reported if the step that opened it formed it (CaseTimeline.investigatedOnReport). */
  metOnReportIfInvestigated?: boolean;
  /** Counted from the first aid's recorded day when there is one (else from the report). */
  fromFirstAid?: boolean;
  /** The policy text it comes from. */
  basis: string;
}

const AFTER_INVESTIGATION: readonly CaseState[] = ['FIRST_AID_GIVEN', 'IN_DELIBERATION', 'DECIDED', 'REJECTED'];

export const DEADLINE_RULES: Readonly<Record<CaseUrgency, readonly DeadlineRule[]>> = {
  NORMAL: [
    { kind: 'INVESTIGATION_OPINION', limit: { unit: 'WORKING_DAYS', workingDays: 3 }, metBy: AFTER_INVESTIGATION, metByAct: 'APPROVAL_FORWARDED', metOnReportIfInvestigated: true, basis: '情况不紧急的，于3个工作日内形成调查初审意见（济宁市“济时救”实施方案 二（三））' },
    { kind: 'APPROVAL', limit: { unit: 'WORKING_DAYS', workingDays: 20 }, metBy: ['DECIDED', 'REJECTED'], liftedByAct: 'APPROVAL_FORWARDED', basis: '乡镇（街道）有审批权限的，20个工作日内完成审核审批（同上）' },
  ],
  URGENT: [
    { kind: 'FIRST_AID', limit: { unit: 'HOURS', hours: 24 }, metBy: ['FIRST_AID_GIVEN'], basis: '符合“急难”临时救助条件的，24小时内先行救助（同上）' },
    { kind: 'MATERIALS', limit: { unit: 'WORKING_DAYS', workingDays: 5 }, metBy: [], metByAct: 'MATERIALS_COMPLETED', fromFirstAid: true, basis: '24小时内先行救助，5个工作日内补充完善相关救助材料（同上）' },
  ],
  EMERGENCY: [{ kind: 'FIRST_AID', limit: { unit: 'HOURS', hours: 2 }, metBy: ['FIRST_AID_GIVEN'], basis: '出现紧急情况的，2小时之内先行救助，事后补办手续（同上）' }],
};

export type DeadlineStatus =
  /** Not met and not yet due. */
  | 'PENDING'
  /** Not met, past due, and the case is still open. */
  | 'OVERDUE'
  | 'MET'
  | 'MET_LATE'
  /** Never met; the case ended after it was due. */
  | 'MISSED'
  /** Never met; the case ended (rejected) before it was due, so it no longer applies. */
  | 'VOID'
  /**
   * Its clock had not started at `asOf`: the case was not yet reported, the slip not yet issued
   * (counted from its meeting's day for a decision recorded with its meeting). Nothing was asked
   * yet: no time left, nothing late, and supervision lists nothing of it.
   */
  | 'NOT_STARTED';

export function isMissed(status: DeadlineStatus): boolean {
  return status === 'OVERDUE' || status === 'MET_LATE' || status === 'MISSED';
}

export interface Overdue {
  /** From the moment the deadline passed to the moment measured. */
  hours: number;
  calendarDays: number;
  workingDays: number;
  /**
   * True when the due date or a working day counted lies in a year whose holiday notice is not
   * known (only the statutory days are): the figures may move when the notice is published.
   */
  provisional: boolean;
}

export interface TimeLeft {
  hours: number;
  /** Working days after today up to the due date; null for hour limits. */
  workingDays: number | null;
}

export interface Due {
  /** Last instant that still meets the deadline. */
  dueAt: Date;
  /** The due date for day limits; null for hour limits. */
  dueOn: IsoDate | null;
  /** True when a day counted lies in a year whose holiday notice is not known (no 调休 there). */
  provisional: boolean;
}

export function dueOf(limit: Limit, start: Date): Due {
  if (limit.unit === 'HOURS') return { dueAt: addHours(start, limit.hours), dueOn: null, provisional: false };
  const { date, provisional } = addWorkingDays(withinSupported(chinaDateOf(start)), limit.workingDays);
  return { dueAt: endOfChinaDay(date), dueOn: date, provisional };
}

/** A due date kept as counted: from the day its working days count from, with its limit. */
export interface KeptCount {
  countedFrom: IsoDate;
  /** Its limit in working days; 0 where not known (a meeting's snapshot kept none): the date's own count is then not read. */
  deadlineWorkingDays: number;
  dueOn: IsoDate;
}

/**
 * A due date kept as it was counted (a slip's referral_slip.due_on, a case deadline's that stopped
 * running: case_deadline_kept): due by the end of that day, China time. Provisional when a working
 * day counted (from countedFrom to the due date) lies in a year whose notice is not loaded, or when
 * the date kept is one a calendar without the year's notice gave and the calendar in force gives
 * another (keptWithoutNotice): a notice loaded since does not make a date counted without it final. A
 * date the calendar in force gives alike is final.
 */
export function keptDue(s: KeptCount): Due {
  const from = withinSupported(s.countedFrom);
  const to = withinSupported(s.dueOn);
  // A date held inside the supported range (an old row) makes the count an estimate too.
  const counted = to <= from ? !isCovered(to) : workingDaysBetween(from, to).provisional;
  return { dueAt: endOfChinaDay(s.dueOn), dueOn: s.dueOn, provisional: from !== s.countedFrom || to !== s.dueOn || counted || dueKeptWithoutNotice(s) };
}

function dueKeptWithoutNotice(s: KeptCount): boolean {
  if (!Number.isInteger(s.deadlineWorkingDays) || s.deadlineWorkingDays < 1) return false;
  try {
    const inForce = addWorkingDays(s.countedFrom, s.deadlineWorkingDays).date;
    return keptWithoutNotice(s.dueOn, inForce, (cal) => addWorkingDays(s.countedFrom, s.deadlineWorkingDays, cal).date);
  } catch {
    // A count reaching past the last supported date: the range check above already flags it.
    return false;
  }
}

export interface DeadlineStanding {
  status: DeadlineStatus;
  /** Set while PENDING (never when NOT_STARTED). */
  timeLeft: TimeLeft | null;
  /** Set when OVERDUE (to asOf), MET_LATE (to when met) or MISSED (to when the case ended). */
  overdue: Overdue | null;
}

/** How far past a deadline an instant is. */
export function overdueBy(due: Due, at: Date): Overdue {
  const fromDate = due.dueOn ?? chinaDateOf(due.dueAt);
  const toDate = chinaDateOf(at);
  const working = workingDaysBetween(withinSupported(fromDate), withinSupported(toDate));
  return {
    hours: Math.max(0, wholeHoursBetween(due.dueAt, at)),
    calendarDays: Math.max(0, calendarDaysBetween(fromDate, toDate)),
    workingDays: working.days,
    provisional: due.provisional || working.provisional,
  };
}

/** A deadline whose clock had not started at the instant asked. */
export const NOT_STARTED: DeadlineStanding = Object.freeze({ status: 'NOT_STARTED', timeLeft: null, overdue: null });

/**
 * Where a deadline stands at `asOf`: not started (before `startsAt`, the first instant its clock
 * runs), met (on time or late), pending with time left, overdue, or ended unmet (`endedAt`: when the
 * case reached a terminal state without meeting it). A deadline met after `asOf` was not met yet at
 * `asOf`: supervision asking how things stood at the end of last month sees a slip answered since as
 * it was then, overdue or pending.
 */
export function standing(due: Due, metAt: Date | null, endedAt: Date | null, asOf: Date, startsAt: Date | null = null): DeadlineStanding {
  if (startsAt && asOf < startsAt) return NOT_STARTED;
  if (metAt && metAt <= asOf) {
    return metAt <= due.dueAt ? { status: 'MET', timeLeft: null, overdue: null } : { status: 'MET_LATE', timeLeft: null, overdue: overdueBy(due, metAt) };
  }
  if (endedAt && endedAt <= asOf) {
    return endedAt <= due.dueAt ? { status: 'VOID', timeLeft: null, overdue: null } : { status: 'MISSED', timeLeft: null, overdue: overdueBy(due, endedAt) };
  }
  if (asOf <= due.dueAt) {
    const workingDays = due.dueOn === null ? null : workingDaysBetween(withinSupported(chinaDateOf(asOf)), withinSupported(due.dueOn)).days;
    return { status: 'PENDING', timeLeft: { hours: wholeHoursBetween(asOf, due.dueAt), workingDays }, overdue: null };
  }
  return { status: 'OVERDUE', timeLeft: null, overdue: overdueBy(due, asOf) };
}

/** A case as the deadline rules see it: its urgency, when it was reported, and what happened when. */
export interface CaseTimeline {
  urgency: CaseUrgency;
  reportedAt: Date;
  /**
   * Opened by verifying a monitoring alert as needing aid (alertVerify): investigated door to door
   * before it was opened. Not a case opened by hand with origin ALERT, nor a hand-over's successor.
   */
  investigatedOnReport?: boolean;
  /**
   * State changes in order: `at` when the hub recorded it (what deadlines are measured by),
   * `statedAt` when the officer says it happened, if they said (domain/cases/stated-time.ts).
   */
  transitions: readonly (CaseStep & { to: CaseState })[];
  /** Recorded acts that are not state changes, in order, timed the same way. */
  acts?: readonly (CaseStep & { act: CaseAct })[];
  /**
   * The due dates of its working-day deadlines that stopped running, as counted when they did
   * (case_deadline_kept): read instead of a count under the calendar in force.
   */
  kept?: ReadonlyMap<DeadlineKind, IsoDate>;
}

/** A step of a case: a state entered (`to`) or an act recorded (`act`), with its place in the case's history (`seq`) where known. */
export interface CaseStep {
  to?: CaseState;
  act?: CaseAct;
  at: Date;
  statedAt?: Date;
  seq?: number;
}

/** Acts a case records besides its state changes: the materials completed; the case forwarded to the county for approval. */
export type CaseAct = 'MATERIALS_COMPLETED' | 'APPROVAL_FORWARDED';

export interface CaseDeadline extends Due, DeadlineStanding {
  kind: DeadlineKind;
  limit: Limit;
  basis: string;
  /** When the hub recorded it met. */
  metAt: Date | null;
  /** When the officer says it was met, where that is earlier than recorded; shown, never measured. */
  metStatedAt: Date | null;
  /**
   * The step that ended its time running by `asOf`: the one that met it, else the case's ending
   * (a terminal state); null while neither has happened. Supervision lists by it a deadline met late
   * or missed (the case decided late, or handed over while late).
   */
  endedBy: CaseStep | null;
}

export function caseDeadlines(timeline: CaseTimeline, asOf: Date): CaseDeadline[] {
  const ended = timeline.transitions.find((t) => TERMINAL_STATES.has(t.to)) ?? null;
  const actBy = (act: CaseAct | undefined) => (act ? timeline.acts?.find((a) => a.act === act && a.at <= asOf) : undefined);
  return DEADLINE_RULES[timeline.urgency].filter((rule) => !actBy(rule.liftedByAct)).map((rule) => {
    const firstAid = rule.fromFirstAid ? timeline.transitions.find((t) => t.to === 'FIRST_AID_GIVEN' && t.at <= asOf) : undefined;
    const keptOn = rule.limit.unit === 'WORKING_DAYS' ? timeline.kept?.get(rule.kind) : undefined;
    // Met or missed under the calendar of its time, it stays so (counted from where it was when it stopped); one still running is counted under the calendar in force.
    const keptFrom = rule.fromFirstAid ? timeline.transitions.find((t) => t.to === 'FIRST_AID_GIVEN') : undefined;
    const due =
      keptOn !== undefined && rule.limit.unit === 'WORKING_DAYS'
        ? keptDue({ countedFrom: chinaDateOf(keptFrom?.at ?? timeline.reportedAt), deadlineWorkingDays: rule.limit.workingDays, dueOn: keptOn })
        : dueOf(rule.limit, firstAid?.at ?? timeline.reportedAt);
    const metOnReport = rule.metOnReportIfInvestigated && timeline.investigatedOnReport && timeline.reportedAt <= asOf ? ({ at: timeline.reportedAt } as CaseStep) : null;
    // Met by the first of its states entered or its act recorded.
    const byState = timeline.transitions.find((t) => rule.metBy.includes(t.to) && t.at <= asOf);
    const byAct = actBy(rule.metByAct);
    const met = metOnReport ?? (byState && byAct ? (byAct.at < byState.at ? byAct : byState) : (byState ?? byAct)) ?? null;
    const metAt = met?.at ?? null;
    const metStatedAt = met?.statedAt && met.statedAt < met.at ? met.statedAt : null;
    const endedBy = met ?? (ended && ended.at <= asOf ? ended : null);
    // A case withdrawn (撤回) was opened by mistake: a limit it never met asked nothing of the county,
    // so it is void however late the withdrawal came (it read MISSED when withdrawn after the due day).
    const voided = !met && endedBy?.to === 'WITHDRAWN';
    // Before its (stated) report the case asked nothing yet: every limit counts from the report.
    const at = voided ? { status: 'VOID' as const, timeLeft: null, overdue: null } : standing(due, metAt, ended?.at ?? null, asOf, timeline.reportedAt);
    return { kind: rule.kind, limit: rule.limit, basis: rule.basis, ...due, metAt, metStatedAt, endedBy, ...at };
  });
}
