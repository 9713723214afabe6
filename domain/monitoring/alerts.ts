/**
 * An alert's life: NEW → DELIVERED → ACKNOWLEDGED (签收) → VERIFIED (NEEDS_AID or NO_NEED), or
 * DISMISSED with a reason from any open state; its deadlines in working days of the Chinese
 * holiday calendar; and overdue escalation to the county civil affairs office. Plain functions.
 */
import crypto from 'node:crypto';
import { addDays, type IsoDate } from '../dates';
import { officeOfClient, parseOffice } from '../cases/offices';
import { addCalendarDays, addWorkingDays, DEFAULT_LAST_DAY_OFF, keptWithoutNotice, uncoveredBetween, withinSupported, type HolidayCalendar, type LastDayOff } from '../cases/working-days';
import { ruleExplanationTellsHealth } from '../findings/explain';
import type { Rule } from '../findings/rule-set';
import { DEFAULT_DECIDE_DAYS, DEFAULT_VERIFY_DAYS, GRADE_RANK, type Grade, type Limit, type Trigger, type TriggerKind } from './triggers';

/** A limit to count dates with: limitOf's CountedLimit, or a bare limit (its calendar days then follow the law's rule for a last day off, art. 203). */
export type LimitToCount = Limit & { lastDayOff?: LastDayOff };

export const ALERT_STATES = ['NEW', 'DELIVERED', 'ACKNOWLEDGED', 'VERIFIED', 'DISMISSED'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export type AlertOutcome = 'NEEDS_AID' | 'NO_NEED';
export type AlertMove = 'DELIVER' | 'ACKNOWLEDGE' | 'VERIFY' | 'DISMISS';

export const OPEN_ALERT_STATES: readonly AlertState[] = ['NEW', 'DELIVERED', 'ACKNOWLEDGED'];

/** The states of an alert not yet signed for (签收). */
export const UNSIGNED_ALERT_STATES: readonly AlertState[] = ['NEW', 'DELIVERED'];

/** Where each move may start from, and where it leads. */
const MOVES: Record<AlertMove, { from: readonly AlertState[]; to: AlertState }> = {
  DELIVER: { from: ['NEW'], to: 'DELIVERED' },
  // An office may sign for an alert it read in its inbox before any push reached it.
  ACKNOWLEDGE: { from: ['NEW', 'DELIVERED'], to: 'ACKNOWLEDGED' },
  VERIFY: { from: ['ACKNOWLEDGED'], to: 'VERIFIED' },
  DISMISS: { from: ['NEW', 'DELIVERED', 'ACKNOWLEDGED'], to: 'DISMISSED' },
};

/** The state a move leads to, or null when the move is not allowed from `from`. */
export function moveAlert(from: AlertState, move: AlertMove): AlertState | null {
  return MOVES[move].from.includes(from) ? MOVES[move].to : null;
}

/** The history action each move records. */
export const MOVE_ACTION = { DELIVER: 'DELIVERED', ACKNOWLEDGE: 'ACKNOWLEDGED', VERIFY: 'VERIFIED', DISMISS: 'DISMISSED' } as const satisfies Record<AlertMove, string>;

/** The reason a move's event records: the outcome of a verification first, then the words given. */
export function moveEventReason(outcome: AlertOutcome | undefined, reason: string | null): string | null {
  return outcome ? `${outcome}${reason ? `: ${reason}` : ''}` : reason;
}

/** Who made a move and why, as its event records it. */
export interface MoveRecord {
  actor: string;
  office: string;
  reason: string | null;
}

/**
 * Whether a move refused from the alert's state is a repeat of the one that took the alert there (a
 * retry whose answer was lost, or the same request sent twice at once): the same move, recorded by
 * the same actor (client and officer) of the same office with the same reason (and outcome). Each
 * move that records an office's action happens at most once while an alert is with one office (only
 * a move to another township returns it to NEW, and the office before is no longer its verifier), so
 * the latest event of the move says whether this request was made.
 */
export function isRepeatOf(done: MoveRecord, asked: MoveRecord): boolean {
  return done.actor === asked.actor && done.office === asked.office && done.reason === asked.reason;
}

export function allowedMoves(from: AlertState): AlertMove[] {
  return (Object.keys(MOVES) as AlertMove[]).filter((m) => m !== 'DELIVER' && MOVES[m].from.includes(from));
}

/** The days counted for an alert from a limit; decideBy is the decision (dismissal, no need, or the NEEDS_AID case decided) due by then. */
export interface AlertDeadlines extends CountedDates {
  /** 签收 is always counted in working days. */
  acknowledgeWorkingDays: number;
}

/**
 * Deadlines counted from the first clue's day (the day itself not counted, 民法典 art. 201); a limit
 * in calendar days whose last day is off runs to the next working day unless the trigger set says
 * KEEP (art. 203; addCalendarDays).
 */
export function alertDeadlines(firstClueOn: IsoDate, limit: LimitToCount): AlertDeadlines {
  const ack = addWorkingDays(firstClueOn, limit.acknowledgeWorkingDays);
  const verify = verifyDeadline(firstClueOn, limit);
  const decide = decisionDeadline(firstClueOn, limit);
  return {
    acknowledgeBy: ack.date,
    verifyBy: verify.date,
    decideBy: decide.date,
    provisional: ack.provisional || verify.provisional || decide.provisional,
    acknowledgeWorkingDays: limit.acknowledgeWorkingDays,
    verifyWorkingDays: verify.workingDays,
    decideWorkingDays: decide.workingDays,
    verifyDays: verify.days,
    decideDays: decide.days,
  };
}

/** A day counted from the first clue's day, with the working days (null: calendar days) or calendar days (null: working days) it was counted with. */
export interface CountedDeadline {
  date: IsoDate;
  provisional: boolean;
  workingDays: number | null;
  days: number | null;
}

/** The day counted from `firstClueOn`: `workingDays` if the limit gives them (the Chinese holiday calendar), else `days` calendar days (a last day off as alertDeadlines). */
function deadlineOf(firstClueOn: IsoDate, workingDays: number | undefined, days: number, lastDayOff: LastDayOff | undefined): CountedDeadline {
  if (workingDays !== undefined) return { ...addWorkingDays(firstClueOn, workingDays), workingDays, days: null };
  return { ...addCalendarDays(firstClueOn, days, lastDayOff ?? DEFAULT_LAST_DAY_OFF), workingDays: null, days };
}

/** The verification day counted from the first clue's day, as decisionDeadline counts the decision's. */
function verifyDeadline(firstClueOn: IsoDate, limit: LimitToCount): CountedDeadline {
  return deadlineOf(firstClueOn, limit.verifyWorkingDays, limit.verifyDays ?? DEFAULT_VERIFY_DAYS, limit.lastDayOff);
}

/**
 * The decision day counted from the first clue's day: the limit's working days (the Chinese holiday
 * calendar) or calendar days (workingDays null, `days` the count; a last day off as alertDeadlines).
 */
export function decisionDeadline(firstClueOn: IsoDate, limit: LimitToCount): CountedDeadline {
  return deadlineOf(firstClueOn, limit.decideWorkingDays, limit.decideDays ?? DEFAULT_DECIDE_DAYS, limit.lastDayOff);
}

/**
 * An alert's dates as stored, with the working days each was counted with (null: calendar days, or
 * not kept) and, for verification and decision, the calendar days (null: working days, or not kept).
 */
export interface CountedDates {
  acknowledgeBy: IsoDate;
  verifyBy: IsoDate;
  decideBy: IsoDate;
  /** A day counted lies in a year whose holiday notice is not yet published. */
  provisional: boolean;
  acknowledgeWorkingDays: number | null;
  verifyWorkingDays: number | null;
  decideWorkingDays: number | null;
  verifyDays: number | null;
  decideDays: number | null;
}

/** What an alert's dates were counted from and with, as it keeps them. */
export interface KeptDeadlines extends CountedDates {
  firstClueOn: IsoDate;
  acknowledgeFrom: IsoDate | null;
  /** Every count kept since its opening: a null count is calendar days. */
  deadlineCountsKept: boolean;
  /** Where its life is: a date whose period has ended (periodsStillRunning) is a record, not counted again by a rule or a calendar. */
  state: AlertState;
  decidedOn: IsoDate | null;
  /**
   * Its provisional flag was cleared by a recount (monitoring_alert.provisional_cleared), open or closed:
   * its ended dates are read as a flagged alert's are, so a correction contradicting them flags it again.
   */
  provisionalCleared?: boolean;
}

/**
 * Which of an alert's periods still run, whose dates may follow a corrected holiday calendar or a
 * changed rule for a last day off (`lastDayOff`): 签收 while not yet signed for (UNSIGNED_ALERT_STATES),
 * verification while the alert is open (OPEN_ALERT_STATES: not verified, not dismissed), the decision
 * while it is pending (decidedOn null, as a push of a recount asks). A date whose period has ended is
 * history: it was met or missed under the calendar of its time, and supervision reads it so
 * (decisionLate, overdueAlerts as of a past day), so it stays as it was counted.
 */
export function periodsStillRunning(a: Pick<KeptDeadlines, 'state' | 'decidedOn'>): { acknowledge: boolean; verify: boolean; decide: boolean } {
  return { acknowledge: UNSIGNED_ALERT_STATES.includes(a.state), verify: OPEN_ALERT_STATES.includes(a.state), decide: a.decidedOn === null };
}

export type RecountedDeadlines = Pick<KeptDeadlines, 'acknowledgeBy' | 'verifyBy' | 'decideBy' | 'provisional'>;

/**
 * A date of an ended period kept as counted under a provisional calendar, and the day the calendar in
 * force gives it: another day, or (on an alert flagged or once flagged provisional) the same day, which
 * is told only where the date's latest DEADLINE_KEPT named another (keptNotYetTold).
 */
export interface KeptOtherwise {
  field: 'acknowledgeBy' | 'verifyBy' | 'decideBy';
  kept: IsoDate;
  inForce: IsoDate;
}

/**
 * An alert's dates counted again under the holiday calendar in force and the trigger set's rule for a
 * calendar-day limit's last day off (`lastDayOff`), each from where and with the count it was counted
 * with (签收 from the day of a move to another township, else the first clue; the others from the
 * first clue): working days, or calendar days (kept since migration 0013), whose last day moves to
 * the next working day or back as the calendar and the rule say, each only while its period still
 * runs (periodsStillRunning: a date whose period has ended stays as counted, in working days as in
 * calendar days; a closed alert keeps every date). A date without its count (an alert raised
 * before the counts were kept) or counted from a day outside the supported years stays.
 *
 * The provisional flag says whether a date the alert shows was counted under a provisional calendar:
 * a running date counted over a year whose notice is not published (uncoveredBetween); an ended date
 * so as well, or, on an alert flagged provisional, one that a provisional calendar (the package's
 * table and the law after it, or the law alone where an older release's table ended before the
 * year: lawAloneCalendar) gave and the calendar in force gives otherwise: kept as counted (it was
 * met or missed under it), it stays provisional, and `keptOtherwise` names it with the day in force
 * (DEADLINE_KEPT in its history). An ended date the calendar in force gives alike is no longer
 * provisional, so a dismissed alert whose dates the notice confirms is cleared; read again once
 * cleared (`provisionalCleared`), a correction giving another day flags it again, and that date is
 * named with its own day in force when the correction is withdrawn (told if the history named another). The flag is counted
 * again when every date's count is known; otherwise a recount can set it, never clear it (a date
 * kept without its count may be provisional).
 */
export function recountedDeadlines(a: KeptDeadlines, lastDayOff: LastDayOff): RecountedDeadlines & { keptOtherwise: KeptOtherwise[] } {
  let known = a.deadlineCountsKept;
  let provisional = false;
  const keptOtherwise: KeptOtherwise[] = [];
  const running = periodsStillRunning(a);
  const countUnder = (from: IsoDate, workingDays: number | null, days: number | null, cal?: HolidayCalendar) =>
    workingDays !== null ? addWorkingDays(from, workingDays, cal) : addCalendarDays(from, days!, lastDayOff, cal);
  const count = (field: KeptOtherwise['field'], from: IsoDate, workingDays: number | null, days: number | null, kept: IsoDate, runs: boolean): IsoDate => {
    if (workingDays === null && days === null) return kept;
    if (withinSupported(from) !== from || (workingDays ?? days)! < 1) {
      known = false;
      return kept;
    }
    try {
      if (!runs) {
        // Ended: kept as counted, provisional while a day it was counted over (working days) or its
        // last day's being off (calendar days) is read from a year whose notice is not known, or
        // while the calendar in force gives another day than the provisional one gave it.
        if (workingDays !== null ? uncoveredBetween(from, kept) : lastDayOff !== 'KEEP' && uncoveredBetween(addDays(from, days!), kept)) {
          provisional = true;
          return kept;
        }
        // An alert whose flag a notice cleared is read alike: a correction of that notice giving
        // another day contradicts the day it kept, as the notice would have had it never confirmed it.
        if (!a.provisional && !a.provisionalCleared) return kept;
        const inForce = countUnder(from, workingDays, days).date;
        if (inForce === kept) {
          // Confirmed: told only if its history named another day in force (a correction withdrawn).
          keptOtherwise.push({ field, kept, inForce });
          return kept;
        }
        if (keptWithoutNotice(kept, inForce, (cal) => countUnder(from, workingDays, days, cal).date)) {
          provisional = true;
          keptOtherwise.push({ field, kept, inForce });
        }
        return kept;
      }
      const counted = countUnder(from, workingDays, days);
      provisional ||= counted.provisional;
      return counted.date;
    } catch {
      known = false;
      return kept;
    }
  };
  const acknowledgeBy = count('acknowledgeBy', a.acknowledgeFrom ?? a.firstClueOn, a.acknowledgeWorkingDays, null, a.acknowledgeBy, running.acknowledge);
  const verifyBy = count('verifyBy', a.firstClueOn, a.verifyWorkingDays, a.verifyDays, a.verifyBy, running.verify);
  const decideBy = count('decideBy', a.firstClueOn, a.decideWorkingDays, a.decideDays, a.decideBy, running.decide);
  return { acknowledgeBy, verifyBy, decideBy, provisional: provisional || (!known && a.provisional), keptOtherwise };
}

/**
 * The counts an alert raised before they were kept (migration 0011) was counted with, where its dates
 * show them: the limit `limit` (the trigger set in force, for its trigger and grade) is taken for a
 * date only if counting it from the date's start (签收 from the day of a move, else the first clue)
 * gives the stored day under one of `calendars` (the one in force, and the package's table alone, as
 * a hub without the year's notice counted it); a limit in calendar days only if it gives the day so,
 * as counted (art. 201, as every such alert was) or moved off a day off (art. 203). Null unless every
 * date is shown so: a raised alert's day that another grade's limit won, or a limit the locality has
 * changed since, is not guessed at, and the alert keeps its dates as before.
 */
export function inferredDeadlineCounts(a: Pick<KeptDeadlines, 'firstClueOn' | 'acknowledgeFrom' | 'acknowledgeBy' | 'verifyBy' | 'decideBy'>, limit: Limit, calendars: readonly HolidayCalendar[]): Pick<CountedDates, 'acknowledgeWorkingDays' | 'verifyWorkingDays' | 'decideWorkingDays' | 'verifyDays' | 'decideDays'> | null {
  const shows = (from: IsoDate, workingDays: number | undefined, calendarDays: number, stored: IsoDate): boolean => {
    if (withinSupported(from) !== from) return false;
    if (workingDays === undefined) return addDays(from, calendarDays) === stored || calendars.some((cal) => addCalendarDays(from, calendarDays, 'NEXT_WORKING_DAY', cal).date === stored);
    return calendars.some((cal) => {
      try {
        return addWorkingDays(from, workingDays, cal).date === stored;
      } catch {
        return false;
      }
    });
  };
  const verifyDays = limit.verifyDays ?? DEFAULT_VERIFY_DAYS;
  const decideDays = limit.decideDays ?? DEFAULT_DECIDE_DAYS;
  const ack = shows(a.acknowledgeFrom ?? a.firstClueOn, limit.acknowledgeWorkingDays, 0, a.acknowledgeBy);
  const verify = shows(a.firstClueOn, limit.verifyWorkingDays, verifyDays, a.verifyBy);
  const decide = shows(a.firstClueOn, limit.decideWorkingDays, decideDays, a.decideBy);
  if (!ack || !verify || !decide) return null;
  return {
    acknowledgeWorkingDays: limit.acknowledgeWorkingDays,
    verifyWorkingDays: limit.verifyWorkingDays ?? null,
    decideWorkingDays: limit.decideWorkingDays ?? null,
    verifyDays: limit.verifyWorkingDays === undefined ? verifyDays : null,
    decideDays: limit.decideWorkingDays === undefined ? decideDays : null,
  };
}

/** The dates a recount moved, each with its day before and after, in the order the alert's life meets them. */
export function movedDeadlines(before: RecountedDeadlines, after: RecountedDeadlines): { field: 'acknowledgeBy' | 'verifyBy' | 'decideBy'; before: IsoDate; after: IsoDate }[] {
  return (['acknowledgeBy', 'verifyBy', 'decideBy'] as const).flatMap((field) => (before[field] === after[field] ? [] : [{ field, before: before[field], after: after[field] }]));
}

/**
 * Whether the decision on an alert is late on `today`: not decided and past its decision day, or
 * decided after it. The decision is the dismissal or the verification as needing no aid, or, for
 * an alert verified as NEEDS_AID, its case decided (DECIDED, or REJECTED with the explanation given
 * to the household): that waits for the village notice, so a verification in time can still end
 * in a decision too late.
 */
export function decisionLate(decideBy: IsoDate, decidedOn: IsoDate | null, today: IsoDate): boolean {
  return decidedOn === null ? today > decideBy : decidedOn > decideBy;
}

/** Whether a move closes an alert with its decision (no case to wait for). */
export function decidesAlert(move: AlertMove, outcome: AlertOutcome | undefined): boolean {
  return move === 'DISMISS' || (move === 'VERIFY' && outcome === 'NO_NEED');
}

/** The reason a DECIDE_BY_CORRECTED event records: the decision day before and after, as a raise records its grade. */
export function decideByCorrection(before: IsoDate, after: IsoDate): string {
  return deadlineCorrection('decideBy', before, after);
}

/** The reason a DEADLINE_RECOUNTED (or DECIDE_BY_CORRECTED) event records: the date's field, its day before and after. */
export function deadlineCorrection(field: 'acknowledgeBy' | 'verifyBy' | 'decideBy', before: IsoDate, after: IsoDate): string {
  return `${field} ${before} → ${after}`;
}

/** The reason a DEADLINE_KEPT event records: the date's field, its day as kept, and the day the calendar in force gives. */
export function deadlineKept(k: KeptOtherwise): string {
  return `${k.field} ${k.kept} kept (${k.inForce} under the calendar in force)`;
}

/** The date's field a DEADLINE_KEPT reason (deadlineKept) names, or null for a reason without one. */
export function keptField(reason: string | null): string | null {
  return reason?.split(' ', 1)[0] || null;
}

/**
 * The DEADLINE_KEPT reasons to record for the dates `kept` names, given the reasons its history holds
 * already (`told`, oldest first): a date's, unless its latest DEADLINE_KEPT names the same day in
 * force. So a start under the same calendar, or a process starting beside this one, records nothing
 * more, while a corrected notice withdrawn (A, B, then A again) records A's day again: the latest
 * event of each date names the day the calendar in force gives, never a withdrawn one's.
 */
export function keptNotYetTold(kept: readonly KeptOtherwise[], told: readonly (string | null)[]): string[] {
  const latest = new Map<string, string>();
  for (const reason of told) {
    const field = keptField(reason);
    if (field) latest.set(field, reason!);
  }
  // A day in force that is the day kept is told only over a latest event naming another day.
  return kept.map(deadlineKept).filter((reason, i) => latest.get(kept[i].field) !== reason && (kept[i].inForce !== kept[i].kept || latest.has(kept[i].field)));
}

/** Whether a recount's dates name a day in force other than one kept (DEADLINE_KEPT to tell whatever the history holds). */
export function keptContradicted(kept: readonly KeptOtherwise[]): boolean {
  return kept.some((k) => k.inForce !== k.kept);
}

/** Open and past its verification day: overdue, and escalated to the county. */
export function alertOverdue(state: AlertState, verifyBy: IsoDate, today: IsoDate): boolean {
  return OPEN_ALERT_STATES.includes(state) && today > verifyBy;
}


/** Not yet signed for and past its acknowledgement day: late, though not escalated (that is verification's). */
export function acknowledgementOverdue(state: AlertState, acknowledgeBy: IsoDate, today: IsoDate): boolean {
  return UNSIGNED_ALERT_STATES.includes(state) && today > acknowledgeBy;
}

/** The county an overdue alert escalates to: its civil affairs office supervises the township. */
export function escalationCounty(regionCode: string): string {
  return regionCode.slice(0, 6);
}

/**
 * The identity of the alert opened when a condition turns graver than a closed alert of it was
 * judged at: the same identity and the grade it reached, so both detection paths (poll and monthly)
 * name it alike and open it once.
 */
export function escalatedIdentity(identity: string, grade: Grade): string {
  return crypto.createHash('sha256').update(`${identity}|graver-than-closed|${grade}`).digest('hex').slice(0, 40);
}

/** The identities an alert of `identity` may live under: its own, then one per grade it may escalate to. */
export function identityChain(identity: string): string[] {
  return [identity, ...(Object.keys(GRADE_RANK) as Grade[]).sort((a, b) => GRADE_RANK[a] - GRADE_RANK[b]).map((g) => escalatedIdentity(identity, g))];
}

/**
 * Where a condition seen at `grade` lands, given the alerts already opened for its identity: the
 * newest of them while it is open (raised there if worse), a new alert when the newest is closed
 * and the condition is now of a graver grade than it was judged at, else nowhere (null). A township
 * that verified a YELLOW twelve-month sum (¥11,000) as no need still hears of the same sum grown RED
 * (¥40,000, possible 因病致贫): the closed alert was never raised, and the condition, anchored on
 * the window's first stay, kept the closed alert's identity until that stay left the window.
 */
export function landingIdentity(identity: string, grade: Grade, existing: (identity: string) => { state: AlertState; grade: Grade } | undefined): string | null {
  let newest: { identity: string; state: AlertState; grade: Grade } | null = null;
  for (const id of identityChain(identity)) {
    const row = existing(id);
    if (row) newest = { identity: id, state: row.state, grade: row.grade };
  }
  if (newest === null || OPEN_ALERT_STATES.includes(newest.state)) return newest?.identity ?? identity;
  return GRADE_RANK[grade] > GRADE_RANK[newest.grade] ? escalatedIdentity(identity, grade) : null;
}

/** The 签收 deadline counted from `from` (the first clue, or the day the alert moved to another township). */
export function acknowledgeDeadline(from: IsoDate, limit: Limit): { acknowledgeBy: IsoDate; provisional: boolean; acknowledgeWorkingDays: number } {
  const ack = addWorkingDays(from, limit.acknowledgeWorkingDays);
  return { acknowledgeBy: ack.date, provisional: ack.provisional, acknowledgeWorkingDays: limit.acknowledgeWorkingDays };
}

/** Who acts on an alert: the office key the caller acts for, and its region scope and department. */
export interface AlertCaller {
  office: string;
  regionScope: string;
  department: string;
}

/**
 * The office an API client acts for on alerts, as on slips (officeOfClient): a township's client
 * for that township, any other for its department. The same client is the caller of a move and the
 * subscriber of a push.
 */
export function alertCallerOf(client: { department: string; regionScope: string }): AlertCaller {
  return { office: officeOfClient(client), regionScope: client.regionScope, department: client.department };
}

/**
 * Whether the caller is the alert's verifier, the one office that signs for, verifies, dismisses it
 * and, once verified, posts its village notice and passes its need to charities (seed 000: the
 * township that owns the household verifies door to door). Reach is not enough: a county's client
 * reaches every alert of its townships, and a township's the alerts of its villages a department
 * verifies. A department's office (a named department, or civil affairs once it took the alert over)
 * is a county's or the city's: a client scoped to one village does not act for it.
 */
export function isAlertVerifier(verifierOffice: string, caller: AlertCaller): boolean {
  if (caller.office !== verifierOffice) return false;
  return /^\d{9}$/.test(verifierOffice) || /^\d{6}$/.test(caller.regionScope);
}

/** The office key civil affairs takes an alert over under: its county's (or the city's) office. */
export const SUPERVISOR_OFFICE = 'CIVIL_AFFAIRS';

/**
 * Whether the caller supervises alerts: a county's or the city's civil affairs office (民政局), to
 * which an overdue alert escalates, and which may take an alert over as its verifier (alertTakeOver).
 */
export function isAlertSupervisor(caller: Pick<AlertCaller, 'department' | 'regionScope'>): boolean {
  return caller.department === SUPERVISOR_OFFICE && /^\d{6}$/.test(caller.regionScope);
}

/**
 * Who verifies an alert whose case was handed over to the county its household moved to (db
 * followCaseHandOver): a township verifier is the new township, where the household lives and its
 * village notice is posted; a department is the same department, read as the new county's office
 * (Alert.verifier), civil affairs that took the alert over included.
 */
export function verifierAfterHandOver(verifierOffice: string, newTownshipCode: string): string {
  return parseOffice(verifierOffice)?.kind === 'TOWNSHIP' ? newTownshipCode : verifierOffice;
}

/**
 * The reason of the OPENED event of a case opened by verifying an alert as NEEDS_AID, in Chinese as
 * the case's other history lines are (the meeting brief prints it). Rows written before it was
 * Chinese read `opened from alert 279`; the brief prints those in these words too.
 */
export function openedFromAlertReason(alertId: number): string {
  return `由监测预警 ${alertId} 核实需救助立案`;
}

/**
 * Monitoring and early warning (监测预警) is civil affairs' work: it keeps the monitored population,
 * its townships verify alerts door to door, its county and city offices supervise and take them over
 * (DOMAIN.md). Its clients read every alert in their scope. An alert gathers other departments' data
 * about a person (hospital stays, temporary aid, job loss, disability), and personal data goes to
 * another party only for a stated purpose and as far as it needs (《社会救助暂行办法》 art. 61; PIPL
 * art. 6): a client of any other department reads an alert only when it concerns that department,
 * i.e. it verifies the alert (a trigger names it) or the alert was raised from its own records (an
 * evidence reference of its department: health's settlements, 人社's unemployment registrations).
 * The others are out of its reach as alerts outside its scope are (left out of `alerts`, null from
 * `alert(id)`, ALERT_NOT_FOUND to a move, never pushed to its subscriptions). A case's alert is read
 * as the case is (`Case.alert`), by the offices answering its slips.
 */
export const ALERT_OWNER = 'CIVIL_AFFAIRS';

/** What decides which departments an alert concerns: its verifier and the departments of its records. */
export interface AlertAudience {
  /** A township's code, or a department's key (CIVIL_AFFAIRS once civil affairs took it over). */
  verifierOffice: string;
  /** `<department>:<source reference>`, as Alert.evidenceReferences. */
  evidenceRefs: readonly string[];
}

/** An alert row's audience: its verifier and its references, as stored (JSON). */
export function alertAudienceOf(a: { verifierOffice: string; evidenceRefs: string }): AlertAudience {
  return { verifierOffice: a.verifierOffice, evidenceRefs: JSON.parse(a.evidenceRefs) as string[] };
}

function ownReference(department: string): (ref: string) => boolean {
  return (ref) => ref.startsWith(`${department}:`);
}

/** Whether a client of `department` may read the alert at all (in its scope). */
export function alertConcerns(department: string, a: AlertAudience): boolean {
  return department === ALERT_OWNER || a.verifierOffice === department || a.evidenceRefs.some(ownReference(department));
}

/**
 * Whether every evidence reference of the alert is a record of `department` (the disability
 * federation's own new certificate): its own data, which it holds already, is not another party's
 * health detail to it.
 */
export function evidenceAllOwn(department: string, a: AlertAudience): boolean {
  return a.evidenceRefs.length > 0 && a.evidenceRefs.every(ownReference(department));
}

/**
 * What a client of `department` reads of an alert's evidence: civil affairs and the alert's verifier
 * all of it (verifying needs it; evidence that is health detail, alertEvidenceIsHealth, stays behind HEALTH_DETAIL); another
 * department that reads it for its own records, only its own references, and the evidence lines
 * only when they are all about its own records (the lines are not split by department). `refused`:
 * the lines tell of other departments' records.
 */
export function alertEvidenceOf(department: string, a: AlertAudience): { references: (ref: string) => boolean; linesRefused: boolean } {
  if (department === ALERT_OWNER || a.verifierOffice === department) return { references: () => true, linesRefused: false };
  const own = ownReference(department);
  return { references: own, linesRefused: !evidenceAllOwn(department, a) };
}

/**
 * Whether the evidence lines a trigger kind writes are health detail (PIPL art. 28): a hospital
 * stay's settlement and out-of-pocket sum, 12 months' out-of-pocket, a new disability certificate
 * and its level are; a death still on a roll (the date and the programmes) and a job loss (the day
 * and the file it is recorded in) are not. A RULE trigger's line is its rule's finding, decided per
 * rule (ruleExplanationTellsHealth). Every kind is listed, so a new one must be decided here.
 */
const KIND_WRITES_HEALTH: Readonly<Record<Exclude<TriggerKind, 'RULE'>, boolean>> = {
  SETTLEMENT_OUT_OF_POCKET: true,
  OUT_OF_POCKET_12_MONTHS: true,
  SEVERE_DISABILITY: true,
  DEATH_ON_ROLL: false,
  JOB_LOSS: false,
};

/**
 * Whether a trigger's evidence is health or disability data, from the trigger set and rule set in
 * force: what its evidence lines can name. A RULE trigger is health where its rule's finding can
 * name a stay, a disability, an illness or an illness cause (M4, M1, X7, X5 counted per cause), not
 * where it cannot (M3: a student of a 低保 household without education aid; M5: repeated temporary
 * aid, counted without its cause); a rule no longer in the set counts as health. One definition for
 * who reads an alert's evidence (alertEvidenceIsHealth) and for a charity need published from an
 * alert (resolvers/charity/linkage.ts: whether it rests on health data).
 */
export function triggerWritesHealth(trigger: Trigger, rules: readonly Rule[]): boolean {
  if (trigger.kind !== 'RULE') return KIND_WRITES_HEALTH[trigger.kind];
  const rule = rules.find((r) => r.id === trigger.rule);
  return rule === undefined || ruleExplanationTellsHealth(rule);
}

/**
 * Whether an alert's evidence is health detail, by its trigger in the trigger set in force (and its
 * rule in the rule set in force); a trigger no longer in the set (undefined) counts as health
 * detail, as every alert's did before: the lines are shown, so what cannot be told is withheld.
 */
export function alertEvidenceIsHealth(trigger: Trigger | undefined, rules: readonly Rule[]): boolean {
  return trigger === undefined || triggerWritesHealth(trigger, rules);
}
