/**
 * 督导 supervision (seed 003 三(三): 督查督办): what is past its deadline and still open, per office
 * (the slips it received and the cases it owns), per township and per county (of the household),
 * most overdue first, so that a supervisor can ask the right office about the right matter; and
 * the decisions an office met with less than the meeting decided (件件有落实: a shortfall is
 * allowed only with the department's stated reason, and supervision reads each one). Each
 * county has its own department offices (任城区医保局, 邹城市医保局 …): an office's work is counted
 * per county, the county of the case's household.
 */
import type { AidRecord } from '../aid';
import type { IsoDate } from '../dates';
import { chinaDateOf, endOfChinaDay } from './china-time';
import { caseDeadlines, keptDue, standing, type CaseDeadline, type KeptCount, type CaseStep, type CaseTimeline, type DeadlineStanding, type Due, type Overdue } from './deadlines';
import type { FulfilmentStanding } from './fulfilment';
import { countyOf, type OfficeKey } from './offices';
import { endedUnanswered, type ReferralState } from './referrals';
import { TERMINAL_STATES } from './state-machine';
import { withinSupported, workingDaysBetween } from './working-days';

/** What a slip's due date was counted by: from the day its working days count from (dueCountedFrom), its limit, the date kept. */
export type SlipCount = KeptCount;

/**
 * A slip's deadline: the end of its due date, China time, as the slip keeps it (keptDue). An answered
 * slip keeps the due date it was answered against, met or missed under the calendar of its time
 * (db/cases/due-recount.ts counts again only the slips still waiting), as a case keeps the due date of
 * a deadline that stopped running (caseDeadlines) and an alert its date kept after its period ended
 * (domain/monitoring/alerts.ts recountedDeadlines). Every place that shows a slip's date or lateness
 * reads the flag here: Referral.provisional and its overdue figures, the reminders, the meeting's
 * dossier and brief, overdueReport and overdue.csv.
 */
export function referralDue(s: SlipCount): Due {
  return keptDue(s);
}

/**
 * The day a slip's working days count from, its clock's first day: a meeting's decision issued in
 * the meeting's record (at the instant the meeting was recorded) from the day the meeting was held,
 * however late it was recorded; a slip issued otherwise (referralIssue, a reassignment of a declined
 * decision or a correction's decision, which keep the meeting's id) from the day it was issued, China
 * time. A meeting held 03-12 and recorded 03-15 issues its 1-working-day slips on 03-15 due 03-13: they
 * were overdue on 03-14 and supervision lists them so. Before this day the slip asks nothing yet
 * (NOT_STARTED).
 *
 * `meetingDay` is that meeting's day for a slip issued in its meeting's record, null for any other:
 * db/cases/records.ts slipMeetingDay decides which, in the statement that reads the slip. Every reader
 * of a stored slip takes its day so, through these two alone: each slip shown (referralRecord,
 * Referral.countedFrom) and the due-date recount at start-up (db/cases/due-recount.ts), so a date
 * counted again is counted from the day the slip shows (test/cases/due-counted-from.test.ts).
 */
export function dueCountedFrom(slip: { issuedAt: Date; meetingDay: IsoDate | null }): IsoDate {
  return slip.meetingDay ?? chinaDateOf(slip.issuedAt);
}

export interface SlipFacts<R> extends SlipCount {
  referral: R;
  /** When the hub issued it (recorded): a report at an earlier asOf lists it only when asked later. */
  issuedAt: Date;
  dueOn: IsoDate;
  /** When answered (completed or declined), or superseded, or withdrawn. */
  answeredAt: Date | null;
  /** Superseded by a correction (decisionCorrect) or withdrawn by the case's owner (referralWithdraw): answeredAt ended it unanswered (referrals.ts endedUnanswered). */
  superseded: boolean;
  /** Answered by declining it (退回, state DECLINED) rather than completing it: counted apart in the tally. */
  declined: boolean;
  toOffice: OfficeKey;
  townshipCode: string;
}

/**
 * A slip's deadline at `asOf`. A superseded slip asks nothing from when it was superseded: it ends
 * there unmet (VOID, or MISSED when it was already late), never OVERDUE; before that it stood as any
 * open slip. An answered one is MET or MET_LATE from its answer. Before `startsAt` (the first instant
 * of the day its working days count from, dueCountedFrom), when given, NOT_STARTED. Supervision
 * passes none: an asOf before that day finds the slip pending, which it never lists, as it never
 * lists a slip not started. With the deadline it was measured against (referralDue): supervision's
 * tally reads both.
 */
export function slipStanding(s: SlipCount & Pick<SlipFacts<unknown>, 'answeredAt' | 'superseded'>, asOf: Date, startsAt: Date | null = null): DeadlineStanding & { due: Due } {
  const due = referralDue(s);
  return { ...(s.superseded ? standing(due, null, s.answeredAt, asOf, startsAt) : standing(due, s.answeredAt, null, asOf, startsAt)), due };
}

/** Whether a deadline's last instant lies in the period from `since` up to `asOf` (fellDue). */
function fellDueIn(dueAt: Date, since: Date | null, asOf: Date): boolean {
  return since !== null && dueAt.getTime() >= since.getTime() && dueAt.getTime() <= asOf.getTime();
}

/**
 * A stored slip's deadline at `asOf`, from its record: counted from the day it was issued, ended by
 * its answer, or unmet by a correction that superseded it; NOT_STARTED before `startsAt` when given
 * (slipStanding). The API (Referral.deadlineStatus), the desk and the meeting brief's decisions and
 * 转办单 list all read it so.
 */
export function recordedSlipStanding(r: SlipCount & { answeredAt: Date | null; state: ReferralState }, asOf: Date, startsAt: Date | null = null): DeadlineStanding {
  return slipStanding({ countedFrom: r.countedFrom, deadlineWorkingDays: r.deadlineWorkingDays, dueOn: r.dueOn, answeredAt: r.answeredAt, superseded: endedUnanswered(r.state) }, asOf, startsAt);
}

export interface CaseFacts<C> {
  case: C;
  timeline: CaseTimeline;
  /** When the hub recorded the case opened (its stated report, where its limits count from, may be up to 366 days earlier). */
  openedAt: Date;
  ownerOffice: OfficeKey;
  townshipCode: string;
  /**
   * The case's earlier owners, oldest first: each office that owned it until `at`, when the hub
   * recorded it handing the case on (OWNER_CHANGED: an accepted hand-over slip, 首问负责 handed on; a
   * forward to the county for approval, 转交县级审批). None: ownerOffice has owned it throughout.
   * A deadline is filed under the office that owned the case when it fell due (deadlineOffice), not
   * under whoever took it over since.
   */
  ownedBefore?: readonly OwnerChange[];
}

/** One change of a case's owner: the office that owned it `from` until the hub recorded the change `at`. */
export interface OwnerChange {
  from: OfficeKey;
  at: Date;
}

/**
 * The office that owned a case at an instant: the one that handed it on at or after that instant, else
 * its owner now. Every supervision list is filed by it (which instant, per list: overdueReport); the
 * lists read without the case's history take it in their statement (db/cases/records.ts ownerWhen,
 * the same rule over the same OWNER_CHANGED facts).
 */
export function ownerAt(c: Pick<CaseFacts<unknown>, 'ownerOffice' | 'ownedBefore'>, at: Date): OfficeKey {
  return c.ownedBefore?.find((change) => at <= change.at)?.from ?? c.ownerOffice;
}

/**
 * The office a case deadline is filed under, in every list and figure of supervision: the one that
 * owned the case when it fell due, or when it was met if met before then. An office that took the
 * case over after it ran late (a hand-over slip accepted, a forward to the county) inherited the
 * lateness, it did not cause it: the deadline stays the office's that let it run out, while overdue
 * and once met late, so the office taking over is not blamed and the one handing on does not read
 * clean. A deadline met in time by an office that then handed the case on is that office's too.
 */
export function deadlineOffice(c: Pick<CaseFacts<unknown>, 'ownerOffice' | 'ownedBefore'>, deadline: Pick<CaseDeadline, 'dueAt' | 'endedBy'>): OfficeKey {
  return ownerAt(c, deadline.endedBy && deadline.endedBy.at < deadline.dueAt ? deadline.endedBy.at : deadline.dueAt);
}

export interface OverdueSlip<R> {
  referral: R;
  overdue: Overdue;
  /**
   * Issued after `asOf`: a meeting recorded late issues slips counted from the day it was held, so
   * a report at a past asOf lists them overdue then, where the same report asked at that asOf did not.
   */
  recordedAfterAsOf: boolean;
}

export interface OverdueCase<C> {
  case: C;
  deadline: CaseDeadline;
  /** Opened after `asOf`, its report stated earlier: the same report asked at that asOf did not list it. */
  recordedAfterAsOf: boolean;
}

/**
 * A case's deadline that ran late and then stopped running: met late (decided, investigated, aid
 * given or materials completed after it was due; MET_LATE) or missed (the case ended after it was
 * due without meeting it, handed over to another county or closed; MISSED), with the step that did
 * it. The case's counterpart of a slip answered late: it leaves the overdue cases at that step.
 */
export interface LateCase<C> {
  case: C;
  /** MET_LATE or MISSED, with how late (`overdue`) up to `endedBy`. */
  deadline: CaseDeadline & { overdue: Overdue };
  endedBy: CaseStep;
}

/** A decision completed with less than was decided, with the office that completed it. */
export interface ShortfallFacts<R> {
  referral: R;
  shortfallFen: number;
  toOffice: OfficeKey;
  townshipCode: string;
}

export interface DecisionShortfall<R> {
  referral: R;
  /** Decided minus given, in fen. */
  shortfallFen: number;
}

/**
 * A declined decision not yet resolved (reassigned, waived or decided again at a meeting): the
 * household's decided aid waits on the convener, the office that owns the case, from the day it
 * was declined. Overdue work however recent: the decision's own deadline is the department's, and
 * the department has answered it. It is open: filed under the office that owns the case at asOf
 * (`owner`), the only one that may resolve it (db/cases/declines.ts resolveDeclinedDecision refuses
 * any other NOT_CASE_OWNER), in its township and county. Until session 47 it was filed under the
 * office that owned the case when the department declined it, as a deadline is under the office
 * whose time it was; after a hand-over (an accepted hand-over slip, a forward to the county) the
 * office that had to act did not see it among its own work. The office it was declined under
 * (`declinedUnder`) keeps it among its offices' work too when it is another office, as a township
 * keeps the case it forwarded for approval (ForwardedCase): it left the decline open when it handed
 * the case on, and handing a case on must not make its record read clean.
 */
export interface DeclineFacts<R> {
  referral: R;
  declinedAt: Date;
  /** The office that owns the case at asOf (ownerAt(asOf)): the one that must resolve the decline. */
  ownerOffice: OfficeKey;
  /** The office that owned the case at `declinedAt` (ownerAt). */
  declinedUnder: OfficeKey;
  townshipCode: string;
}

export interface OpenDecline<R> {
  referral: R;
  declinedAt: Date;
  /** The office that owns the case at asOf: the decline is filed under it. */
  owner: OfficeKey;
  /** The office that owned the case when the department declined it. */
  declinedUnder: OfficeKey;
}

/**
 * A declined decision the convener waived (referralWaive): decided aid the household will not be
 * given, under the office that owned the case when it was waived (it waived it, whoever owns the case
 * since). Listed by when it was waived, as a shortfall is by when it was completed: the decision is
 * resolved, and supervision reads each one.
 */
export interface WaiverFacts<R> {
  referral: R;
  waivedAt: Date;
  /** The office that owned the case at `waivedAt` (ownerAt). */
  ownerOffice: OfficeKey;
  townshipCode: string;
}

export type DecisionWaived<R> = Pick<WaiverFacts<R>, 'referral' | 'waivedAt'>;

/**
 * A slip its office declined (a decision or a forwarded slip), under that office: listed by when it
 * was declined, whatever became of it since (a decision reassigned, waived or decided again leaves
 * declinesOpen; a forwarded slip is never there), so supervision reads every decline and its reason.
 */
export interface DeclinedFacts<R> {
  referral: R;
  declinedAt: Date;
  toOffice: OfficeKey;
  townshipCode: string;
}

export type DeclinedSlip<R> = Pick<DeclinedFacts<R>, 'referral' | 'declinedAt'>;

/**
 * A slip a correction superseded (decisionCorrect), under the office that owned the case when it was
 * superseded (its convener then corrected it): listed by when, before its due date or after, so a
 * deadline extended by a correction (the old slip VOID, its replacement due later) is read by
 * supervision, not only on the case.
 */
export interface CorrectedFacts<R> {
  referral: R;
  supersededAt: Date;
  /** The office that owned the case at `supersededAt` (ownerAt). */
  ownerOffice: OfficeKey;
  townshipCode: string;
}

export type CorrectedSlip<R> = Pick<CorrectedFacts<R>, 'referral' | 'supersededAt'>;

/**
 * A forwarded matter's slip the case's owner withdrew (referralWithdraw, 撤回), under the office that
 * owned the case when it was withdrawn (only the owner withdraws: it withdrew it), as a corrected slip
 * is filed under its convener: a withdrawal must not be a way to make a slip quietly disappear
 * (件件有落实、有反馈), so supervision reads who took back what, when and why, and whether its due date
 * had passed (then the slip was missed: MISSED, in answeredLate and the tally's supersededLate).
 * Its facts are the slip's own (answeredAt: when withdrawn), its standing measured as every slip's.
 */
export interface WithdrawnSlipFacts<R> extends SlipFacts<R> {
  /** The office that owned the case when the slip was withdrawn (ownerAt): the one that withdrew it. */
  ownerOffice: OfficeKey;
  /** Who withdrew it, as the case's history records the act (`client/officer`); null without its event (a slip set WITHDRAWN by hand). */
  actor: string | null;
}

export interface WithdrawnSlip<R> {
  referral: R;
  withdrawnAt: Date;
  /** The office that withdrew it (the case's owner then) and who, as its history records the act. */
  withdrawnBy: OfficeKey;
  actor: string | null;
  /** Withdrawn after its due date ended (its standing MISSED), not before it (VOID). */
  afterDue: boolean;
}

/**
 * A decision completed with an aid record that no longer stands as checked (revoked at the
 * department, or a ledger entry cancelled or corrected since), under the office that completed it:
 * the decision is not met by what that office answered (件件有落实).
 */
export interface WithdrawnFacts<R> {
  referral: R;
  standing: Exclude<FulfilmentStanding, 'STANDS'>;
  supersededBy: AidRecord | null;
  completedAt: Date;
  toOffice: OfficeKey;
  townshipCode: string;
}

export type WithdrawnFulfilment<R> = Pick<WithdrawnFacts<R>, 'referral' | 'standing' | 'supersededBy' | 'completedAt'>;

/** The same of a case's first aid, under the office that owned the case when the first aid was recorded (it recorded it). */
export interface WithdrawnFirstAidFacts<C> {
  case: C;
  standing: Exclude<FulfilmentStanding, 'STANDS'>;
  supersededBy: AidRecord | null;
  recordedAt: Date;
  /** The office that owned the case at `recordedAt` (ownerAt). */
  ownerOffice: OfficeKey;
  townshipCode: string;
}

export type WithdrawnFirstAid<C> = Pick<WithdrawnFirstAidFacts<C>, 'case' | 'standing' | 'supersededBy' | 'recordedAt'>;

/**
 * A case its township forwarded to the county for approval (转交县级审批, domain/cases/county-approval.ts),
 * open at asOf: no limit runs (the seeds set the county none), so it is never overdue, and supervision
 * reads who holds it and since when. Filed under the office that holds it at asOf (the county office it
 * went to, unless that office handed it on since: ownerAt(asOf)), in its township and county; and under
 * the township office that forwarded it (ownerAt the forward) among the offices too, whose matter it
 * was and whose applicant waits on it, when that is another office.
 */
export interface ForwardedCase<C> {
  case: C;
  /** The office that owned the case at asOf. */
  heldBy: OfficeKey;
  /** The office that owned the case when it was forwarded: the township that reviewed and forwarded it. */
  forwardedBy: OfficeKey;
  /** When the hub recorded the forward. */
  since: Date;
  /** Working days after the day of the forward (China) up to asOf's day. */
  workingDaysHeld: number;
  /** A year counted has no holiday notice loaded. */
  provisional: boolean;
}

/**
 * 按时办结 supervision's figures for a period (from `shortfallsSince` up to `asOf`), of the slips an
 * office received (under the receiving office, as answeredLate lists them): each slip answered or
 * superseded in the period once, by the same standing (slipStanding) that lists answeredLate, and
 * the slips open past due at asOf (the `referrals` list). The denominator is 办结或应办 (answered or
 * due): answered in the period, on time or late, plus superseded after their due date in it (the
 * office had let them run late: answeredLate lists them) plus open past due at asOf whenever due (a
 * stock carried into the period, as the overdue list holds it). A slip superseded before its due
 * date asked nothing more (VOID) and a slip not yet due counts nowhere.
 */
export interface ReferralTally {
  /** Completed or declined in the period by the end of the due date (MET). */
  answeredOnTime: number;
  /** Completed or declined in the period after it (MET_LATE). */
  answeredLate: number;
  /** Of those answered in the period, on time or late, how many were declined (退回). */
  declined: number;
  /** Superseded by a correction (or withdrawn by the case's owner) in the period before their due date ended (VOID): out of the denominator. */
  supersededBeforeDue: number;
  /** Superseded by a correction (or withdrawn by the case's owner) in the period after it (MISSED). */
  supersededLate: number;
  /** Open (issued or accepted) and past due at asOf, whenever due: the `referrals` list. */
  openOverdue: number;
  /**
   * Fell due in the period: the deadline (referralDue, the end of the due date, China time) lies from
   * the period's start up to asOf, whatever became of the slip (answered before, in or after the
   * period, declined, superseded, still open). The period's workload, beside the denominator.
   */
  fellDue: number;
  /** The denominator: answeredOnTime + answeredLate + supersededLate + openOverdue. */
  counted: number;
  /** answeredOnTime / counted; null when nothing was counted. */
  onTimeRate: number | null;
}

/**
 * The same of case deadlines (the county's own time limits, caseDeadlines), under the office that
 * owned the case when each fell due (deadlineOffice): each deadline met or ended in the period once,
 * by the same standing that lists casesLate, and those overdue at asOf (the `cases` list). A case
 * withdrawn (撤回) is VOID and counts nowhere, as casesLate leaves it out.
 */
export interface CaseDeadlineTally {
  /** Met in the period by the end of their due time (MET). */
  metOnTime: number;
  /** Met in the period after it (MET_LATE). */
  metLate: number;
  /** Ended unmet in the period after it, the case handed over or closed (MISSED). */
  missed: number;
  /** Past due and unmet at asOf: the `cases` list. */
  overdue: number;
  /**
   * Fell due in the period: the deadline's due time (caseDeadlines' dueAt) lies from the period's start
   * up to asOf, whatever its standing (met before it, in it or not at all, the case withdrawn), of
   * the cases the report reads (open at asOf or ended in the period).
   */
  fellDue: number;
  /** The denominator: metOnTime + metLate + missed + overdue. */
  counted: number;
  /** metOnTime / counted; null when nothing was counted. */
  onTimeRate: number | null;
}

export interface OverdueTally {
  referrals: ReferralTally;
  caseDeadlines: CaseDeadlineTally;
}

export interface OverdueGroup<R, C> {
  /** The period's figures, counted from the same standings as the lists. */
  tally: OverdueTally;
  referrals: OverdueSlip<R>[];
  /** Slips answered (completed or declined) after their deadline, by how late. */
  answeredLate: OverdueSlip<R>[];
  cases: OverdueCase<C>[];
  /** Case deadlines met late or missed, by how late. */
  casesLate: LateCase<C>[];
  shortfalls: DecisionShortfall<R>[];
  declinesOpen: OpenDecline<R>[];
  decisionsWaived: DecisionWaived<R>[];
  /** Slips the office declined in the period, declined first, first. */
  declined: DeclinedSlip<R>[];
  /** Slips of the cases the office owns that a correction superseded in the period, superseded first, first. */
  corrected: CorrectedSlip<R>[];
  /** Slips of the cases the office owned that it withdrew in the period, withdrawn first, first. */
  withdrawn: WithdrawnSlip<R>[];
  fulfilmentsWithdrawn: WithdrawnFulfilment<R>[];
  firstAidsWithdrawn: WithdrawnFirstAid<C>[];
  /** Cases forwarded to the county for approval and open at asOf, held longest first. */
  forwardedForApproval: ForwardedCase<C>[];
}

export interface OverdueReport<R, C> {
  asOf: Date;
  /**
   * How many of the overdue slips and case deadlines listed (each county's `referrals` and `cases`)
   * the hub recorded after `asOf` (each flagged recordedAfterAsOf): a report of a past day asked again
   * later differs from the one asked then by what was recorded late, and says so. 0 at asOf now.
   */
  recordedAfterAsOf: number;
  /** Per office of a county: the same department in two counties is two offices. */
  byOffice: (OverdueGroup<R, C> & { office: OfficeKey; countyCode: string })[];
  byTownship: (OverdueGroup<R, C> & { townshipCode: string })[];
  /** Per county (区县, the first 6 digits of the township): 任城区 apart from 邹城市. */
  byCounty: (OverdueGroup<R, C> & { countyCode: string })[];
}

function emptyTally(): OverdueTally {
  return {
    referrals: { answeredOnTime: 0, answeredLate: 0, declined: 0, supersededBeforeDue: 0, supersededLate: 0, openOverdue: 0, fellDue: 0, counted: 0, onTimeRate: null },
    caseDeadlines: { metOnTime: 0, metLate: 0, missed: 0, overdue: 0, fellDue: 0, counted: 0, onTimeRate: null },
  };
}

/** The denominators and rates, once every count is in. */
function finishTally(t: OverdueTally): OverdueTally {
  const r = t.referrals;
  const c = t.caseDeadlines;
  const rCounted = r.answeredOnTime + r.answeredLate + r.supersededLate + r.openOverdue;
  const cCounted = c.metOnTime + c.metLate + c.missed + c.overdue;
  return {
    referrals: { ...r, counted: rCounted, onTimeRate: rCounted === 0 ? null : r.answeredOnTime / rCounted },
    caseDeadlines: { ...c, counted: cCounted, onTimeRate: cCounted === 0 ? null : c.metOnTime / cCounted },
  };
}

function group<R, C>(map: Map<string, OverdueGroup<R, C>>, key: string): OverdueGroup<R, C> {
  let g = map.get(key);
  if (!g) map.set(key, (g = { tally: emptyTally(), referrals: [], answeredLate: [], cases: [], casesLate: [], shortfalls: [], declinesOpen: [], decisionsWaived: [], declined: [], corrected: [], withdrawn: [], fulfilmentsWithdrawn: [], firstAidsWithdrawn: [], forwardedForApproval: [] }));
  return g;
}

/** The grouping key of an office's work in one county: sorts by county, then office. */
function countyOfficeKey(office: OfficeKey, townshipCode: string): string {
  return `${countyOf(townshipCode)} ${office}`;
}

/** Which figure of a slip's tally a slip answered or superseded in the period adds to, by its standing at asOf. */
const ANSWERED_FIGURE: Partial<Record<DeadlineStanding['status'], keyof ReferralTally>> = { MET: 'answeredOnTime', MET_LATE: 'answeredLate', VOID: 'supersededBeforeDue', MISSED: 'supersededLate' };

/** The same of a case deadline met or ended in the period (VOID, a case withdrawn, counts nowhere). */
const CASE_FIGURE: Partial<Record<DeadlineStanding['status'], keyof CaseDeadlineTally>> = { MET: 'metOnTime', MET_LATE: 'metLate', MISSED: 'missed' };

const mostOverdue = (a: { overdue: Overdue }, b: { overdue: Overdue }) => b.overdue.hours - a.overdue.hours;

/**
 * A deadline met late or missed from `since` (null: whenever), as supervision lists it. A case withdrawn (撤回) was
 * opened by mistake (a duplicate, the wrong household): its time limits asked nothing of the county,
 * so one withdrawn past its due date is not listed, its deadlines being VOID (caseDeadlines; its
 * matter, if any, runs late on its own case).
 */
function lateCase<C>(c: C, deadline: CaseDeadline, since: Date | null): LateCase<C> | null {
  const { endedBy, overdue } = deadline;
  if ((deadline.status !== 'MET_LATE' && deadline.status !== 'MISSED') || !overdue || !endedBy || (since !== null && endedBy.at < since)) return null;
  return { case: c, deadline: { ...deadline, overdue }, endedBy };
}

/**
 * A case's deadlines met late or missed by `asOf`, over its whole life, most late first: what
 * casesLate lists of it, for the meeting brief's other cases of the household (domain/cases/dossier.ts
 * DossierCaseLate).
 */
export function lateDeadlines(timeline: CaseTimeline, asOf: Date): Omit<LateCase<null>, 'case'>[] {
  return caseDeadlines(timeline, asOf)
    .flatMap((deadline) => {
      const late = lateCase(null, deadline, null);
      return late ? [{ deadline: late.deadline, endedBy: late.endedBy }] : [];
    })
    .sort((a, b) => mostOverdue(a.deadline, b.deadline));
}

/**
 * When a case open at `asOf` was forwarded to the county for approval by then, by which office, who
 * holds it at asOf and how long it has been held: null for a case not forwarded by asOf, or ended by then.
 */
function forwardedAt(c: CaseFacts<unknown>, asOf: Date): Omit<ForwardedCase<unknown>, 'case'> | null {
  const { timeline } = c;
  const act = timeline.acts?.find((a) => a.act === 'APPROVAL_FORWARDED' && a.at <= asOf);
  if (!act || timeline.transitions.some((t) => TERMINAL_STATES.has(t.to) && t.at <= asOf)) return null;
  const held = workingDaysBetween(withinSupported(chinaDateOf(act.at)), withinSupported(chinaDateOf(asOf)));
  // The forward's OWNER_CHANGED is recorded with it, at the same instant: the office handing on then is the township.
  return { heldBy: ownerAt(c, asOf), forwardedBy: ownerAt(c, act.at), since: act.at, workingDaysHeld: held.days, provisional: held.provisional };
}

/**
 * The report at `asOf`: the overdue slips and cases among those given, grouped; the shortfalls
 * given (the caller chooses their period), grouped the same way, largest first; and the declined
 * decisions still open at `asOf` (declined by then), under the office that owns the case at asOf and,
 * among the offices, also under the one that owned it when each was declined (the caller gives both,
 * as it gives the owners of the waived, corrected and first aids: ownerAt; DeclineFacts), oldest first;
 * and the completed decisions whose aid was withdrawn (the caller reads their standing), under the
 * office that completed them, completed first, first; and the first aids whose record was
 * withdrawn, under the office that owned the case when each was recorded, recorded first, first; and the slips among
 * `answered` (the caller's period) answered after their deadline, or superseded after it, most late first; and the
 * decisions `waived` (the caller's period, by asOf), under the office that owned the case then, waived first, first;
 * and the deadlines of `cases` met late or missed from `casesLateSince` up to asOf (none when null), under
 * the office that owned the case when each fell due (deadlineOffice, as its overdue line and figures), most
 * late first (the caller gives the cases ended in that period too);
 * and the slips `declined` (the caller's period, by asOf), under the office that declined them, declined first, first;
 * and the slips `corrected` (superseded in the caller's period, by asOf), under the office that owned the case then;
 * and the slips `withdrawnSlips` (withdrawn in the caller's period, by asOf), likewise, each before its due date or after it;
 * and the cases of `cases` forwarded to the county for approval and open at asOf, under the office holding
 * each at asOf and, among the offices, the township that forwarded it (ForwardedCase).
 * The tally's fellDue counts, from `casesLateSince` up to asOf (none when null), the slips among
 * `dueInPeriod` (the caller gives those due on the period's days, in any state) and the deadlines of
 * `cases` whose deadline ran out in it, by the same deadline (referralDue, caseDeadlines) their
 * standing is measured against.
 */
export function overdueReport<R, C>(
  slips: readonly SlipFacts<R>[],
  cases: readonly CaseFacts<C>[],
  asOf: Date,
  shortfalls: readonly ShortfallFacts<R>[] = [],
  declines: readonly DeclineFacts<R>[] = [],
  withdrawn: readonly WithdrawnFacts<R>[] = [],
  firstAidsWithdrawn: readonly WithdrawnFirstAidFacts<C>[] = [],
  answered: readonly SlipFacts<R>[] = [],
  waived: readonly WaiverFacts<R>[] = [],
  casesLateSince: Date | null = null,
  declined: readonly DeclinedFacts<R>[] = [],
  corrected: readonly CorrectedFacts<R>[] = [],
  dueInPeriod: readonly SlipFacts<R>[] = [],
  withdrawnSlips: readonly WithdrawnSlipFacts<R>[] = [],
): OverdueReport<R, C> {
  const byOffice = new Map<string, OverdueGroup<R, C>>();
  const byTownship = new Map<string, OverdueGroup<R, C>>();
  const byCounty = new Map<string, OverdueGroup<R, C>>();
  /** Files an item under its office (of its county), its township and its county. */
  const file = <K extends Exclude<keyof OverdueGroup<R, C>, 'tally'>>(list: K, office: OfficeKey, townshipCode: string, item: OverdueGroup<R, C>[K][number]) => {
    for (const g of [group(byOffice, countyOfficeKey(office, townshipCode)), group(byTownship, townshipCode), group(byCounty, countyOf(townshipCode))]) {
      (g[list] as OverdueGroup<R, C>[K][number][]).push(item);
    }
  };
  /** Adds one to a figure of the tally of an item's office (of its county), township and county. */
  const count = <K extends keyof OverdueTally>(tally: K, figure: keyof OverdueTally[K], office: OfficeKey, townshipCode: string) => {
    for (const g of [group(byOffice, countyOfficeKey(office, townshipCode)), group(byTownship, townshipCode), group(byCounty, countyOf(townshipCode))]) {
      (g.tally[tally] as unknown as Record<string, number>)[figure as string] += 1;
    }
  };
  for (const s of slips) {
    const st = slipStanding(s, asOf);
    if (st.status === 'OVERDUE' && st.overdue) {
      file('referrals', s.toOffice, s.townshipCode, { referral: s.referral, overdue: st.overdue, recordedAfterAsOf: s.issuedAt > asOf });
      count('referrals', 'openOverdue', s.toOffice, s.townshipCode);
    }
  }
  // An answer after the deadline ends the slip's overdue time but not its lateness: listed by when it
  // was answered (the caller gives those of its period), so a late answer does not vanish from supervision.
  // So does a correction superseding a slip already late (MISSED): the office had let it run late.
  // The tally counts each of them once, by the same standing: on time, late, superseded before or after its due date.
  for (const s of answered) {
    const st = slipStanding(s, asOf);
    // Answered by asOf, so issued by then: never recorded after it.
    if ((st.status === 'MET_LATE' || st.status === 'MISSED') && st.overdue) file('answeredLate', s.toOffice, s.townshipCode, { referral: s.referral, overdue: st.overdue, recordedAfterAsOf: false });
    const figure = ANSWERED_FIGURE[st.status];
    if (figure) count('referrals', figure, s.toOffice, s.townshipCode);
    if (s.declined && (st.status === 'MET' || st.status === 'MET_LATE')) count('referrals', 'declined', s.toOffice, s.townshipCode);
  }
  // The period's workload: every slip whose deadline ran out in it, whatever became of it.
  for (const s of dueInPeriod) {
    if (fellDueIn(slipStanding(s, asOf).due.dueAt, casesLateSince, asOf)) count('referrals', 'fellDue', s.toOffice, s.townshipCode);
  }
  for (const c of cases) {
    for (const deadline of caseDeadlines(c.timeline, asOf)) {
      // Each of a deadline's lines and figures under one office: the one whose time it was (deadlineOffice).
      const office = deadlineOffice(c, deadline);
      if (deadline.status === 'OVERDUE') {
        file('cases', office, c.townshipCode, { case: c.case, deadline, recordedAfterAsOf: c.openedAt > asOf });
        count('caseDeadlines', 'overdue', office, c.townshipCode);
      }
      const late = casesLateSince === null ? null : lateCase(c.case, deadline, casesLateSince);
      if (late) file('casesLate', office, c.townshipCode, late);
      // Met or ended in the period: the same step (endedBy) and period casesLate reads.
      const figure = CASE_FIGURE[deadline.status];
      if (figure && casesLateSince !== null && deadline.endedBy && deadline.endedBy.at >= casesLateSince) count('caseDeadlines', figure, office, c.townshipCode);
      if (fellDueIn(deadline.dueAt, casesLateSince, asOf)) count('caseDeadlines', 'fellDue', office, c.townshipCode);
    }
    const forwarded = forwardedAt(c, asOf);
    if (forwarded) {
      const item = { case: c.case, ...forwarded };
      file('forwardedForApproval', forwarded.heldBy, c.townshipCode, item);
      // The township that forwarded it reads it among its own offices' work too; its township and county have it once.
      if (forwarded.forwardedBy !== forwarded.heldBy) group(byOffice, countyOfficeKey(forwarded.forwardedBy, c.townshipCode)).forwardedForApproval.push(item);
    }
  }
  for (const s of shortfalls) {
    if (s.shortfallFen > 0) file('shortfalls', s.toOffice, s.townshipCode, { referral: s.referral, shortfallFen: s.shortfallFen });
  }
  for (const d of declines) {
    if (d.declinedAt.getTime() > asOf.getTime()) continue;
    const item = { referral: d.referral, declinedAt: d.declinedAt, owner: d.ownerOffice, declinedUnder: d.declinedUnder };
    file('declinesOpen', d.ownerOffice, d.townshipCode, item);
    // The office it was declined under, handing the case on since, reads it among its offices' work too; its township and county have it once.
    if (d.declinedUnder !== d.ownerOffice) group(byOffice, countyOfficeKey(d.declinedUnder, d.townshipCode)).declinesOpen.push(item);
  }
  for (const w of waived) {
    if (w.waivedAt.getTime() <= asOf.getTime()) file('decisionsWaived', w.ownerOffice, w.townshipCode, { referral: w.referral, waivedAt: w.waivedAt });
  }
  for (const d of declined) {
    if (d.declinedAt.getTime() <= asOf.getTime()) file('declined', d.toOffice, d.townshipCode, { referral: d.referral, declinedAt: d.declinedAt });
  }
  // A slip ended unanswered by the case's owner (superseded by its correction, or withdrawn by it) by
  // asOf: under that office, whoever owns the case now.
  const endedByOwner = <K extends 'corrected' | 'withdrawn'>(list: K, at: Date, ownerOffice: OfficeKey, townshipCode: string, item: () => OverdueGroup<R, C>[K][number]) => {
    if (at.getTime() <= asOf.getTime()) file(list, ownerOffice, townshipCode, item());
  };
  for (const c of corrected) endedByOwner('corrected', c.supersededAt, c.ownerOffice, c.townshipCode, () => ({ referral: c.referral, supersededAt: c.supersededAt }));
  for (const w of withdrawnSlips) {
    const at = w.answeredAt!;
    endedByOwner('withdrawn', at, w.ownerOffice, w.townshipCode, () => ({ referral: w.referral, withdrawnAt: at, withdrawnBy: w.ownerOffice, actor: w.actor, afterDue: slipStanding(w, asOf).status === 'MISSED' }));
  }
  for (const w of withdrawn) {
    file('fulfilmentsWithdrawn', w.toOffice, w.townshipCode, { referral: w.referral, standing: w.standing, supersededBy: w.supersededBy, completedAt: w.completedAt });
  }
  for (const w of firstAidsWithdrawn) {
    file('firstAidsWithdrawn', w.ownerOffice, w.townshipCode, { case: w.case, standing: w.standing, supersededBy: w.supersededBy, recordedAt: w.recordedAt });
  }
  const sorted = <K extends string>(map: Map<string, OverdueGroup<R, C>>, keyName: K) =>
    [...map]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, g]) => ({
        [keyName]: key,
        tally: finishTally(g.tally),
        referrals: g.referrals.sort(mostOverdue),
        answeredLate: g.answeredLate.sort(mostOverdue),
        cases: g.cases.sort((a, b) => mostOverdue(a.deadline as { overdue: Overdue }, b.deadline as { overdue: Overdue })),
        casesLate: g.casesLate.sort((a, b) => mostOverdue(a.deadline, b.deadline)),
        shortfalls: g.shortfalls.sort((a, b) => b.shortfallFen - a.shortfallFen),
        declinesOpen: g.declinesOpen.sort((a, b) => a.declinedAt.getTime() - b.declinedAt.getTime()),
        decisionsWaived: g.decisionsWaived.sort((a, b) => a.waivedAt.getTime() - b.waivedAt.getTime()),
        declined: g.declined.sort((a, b) => a.declinedAt.getTime() - b.declinedAt.getTime()),
        corrected: g.corrected.sort((a, b) => a.supersededAt.getTime() - b.supersededAt.getTime()),
        withdrawn: g.withdrawn.sort((a, b) => a.withdrawnAt.getTime() - b.withdrawnAt.getTime()),
        fulfilmentsWithdrawn: g.fulfilmentsWithdrawn.sort((a, b) => a.completedAt.getTime() - b.completedAt.getTime()),
        firstAidsWithdrawn: g.firstAidsWithdrawn.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime()),
        forwardedForApproval: g.forwardedForApproval.sort((a, b) => a.since.getTime() - b.since.getTime()),
      })) as (OverdueGroup<R, C> & Record<K, string>)[];
  const offices = sorted(byOffice, 'office').map((g) => {
    const [countyCode, office] = g.office.split(' ');
    return { ...g, office, countyCode };
  });
  const byCounties = sorted(byCounty, 'countyCode');
  // Each item is filed once per county: counted there.
  const recordedAfterAsOf = byCounties.reduce((n, g) => n + [...g.referrals, ...g.cases].filter((i) => i.recordedAfterAsOf).length, 0);
  return { asOf, recordedAfterAsOf, byOffice: offices, byTownship: sorted(byTownship, 'townshipCode'), byCounty: byCounties };
}
