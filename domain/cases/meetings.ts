/**
 * A joint meeting's record (一事一议, seed 000 三(四)1: 召集相关部门协商确定救助方案，根据部门职责分别
 * 予以救助): who was present and, for each department, what it will give and by when. Each decision
 * becomes a referral slip to that department. Checked here, before anything is written.
 */
import { PROPOSAL_MAX_FEN, type AidCause } from '../aid';
import type { IsoDate } from '../dates';
import type { OfficeCode as DepartmentCode } from '../departments';
import { fenToYuan } from '../money';
import { programmeForWomenProblem } from '../programme-beneficiaries';
import { outOfSeasonProblem } from '../programme-seasons';
import { isServiceProgramme, MONEY_AMOUNT_MESSAGE, PROGRAMME_BY_CODE, SERVICE_AMOUNT_MESSAGE } from '../programmes';
import { caseError, type CaseUserError } from './errors';
import { noSlipsReason } from './offices';
import { longerThan } from '../text-length';

/** Longest referral deadline a decision may set, in working days (about three months). */
export const MAX_DEADLINE_WORKING_DAYS = 60;

export interface DecisionInput {
  department: DepartmentCode;
  programmeCode: string;
  /** Fen: per month for a recurring programme, in total for a one-off. */
  amountFen: number;
  deadlineWorkingDays: number;
  /** What is asked, in words; made from the programme and amount when not given. */
  ask: string | null;
  beneficiaryIdNumber: string | null;
  /** Set when the decision is a second temporary aid (二次临时救助) for heavy costs. */
  secondAid: { cause: AidCause } | null;
  /**
   * The cause of the aid decided (temporary aid: seed 000 二(一)3), required for a programme a rule
   * counts by cause (X5); a second aid's cause is its cause.
   */
  cause: AidCause | null;
  /**
   * The hospital settlement the aid pays towards (medical insurance's settlement number), for a
   * programme a rule adds up by stay (X7: 医疗救助, 大病帮扶, charity medical aid): the decision's
   * pre-grant check weighs the stay as preGrantCheck does, and the aid record that fulfils it is of it.
   */
  settlementRef: string | null;
  /**
   * The school year the aid is for (2025-2026), for a programme a rule counts by school year (X6
   * 国家助学金 and 金秋助学, X12): the decision's pre-grant check counts it there, not in the year of
   * the meeting's day (in July or August the year ending, while 金秋助学 is then paid for the coming one).
   */
  schoolYear: string | null;
}

export interface MeetingInput {
  heldOn: IsoDate;
  departmentsPresent: DepartmentCode[];
  notes: string | null;
  decisions: DecisionInput[];
}

export function checkDeadlineWorkingDays(n: number, field: string[]): CaseUserError | null {
  return Number.isInteger(n) && n >= 1 && n <= MAX_DEADLINE_WORKING_DAYS
    ? null
    : caseError('DEADLINE_OUT_OF_RANGE', `a deadline is 1 to ${MAX_DEADLINE_WORKING_DAYS} working days`, field);
}

/** Whom a decision naming no beneficiary is checked for: the head of household (else the first member listed). */
export function decisionSubject<M extends { relation: string }>(members: readonly M[]): M | undefined {
  return members.find((m) => m.relation === 'HEAD') ?? members[0];
}

/**
 * Everything wrong with a meeting record, or an empty list. `reportedOn` and `today` bound the
 * meeting date (the case's earlier meetings bound it too, checked under the case's lock after a
 * retry has been answered from its key: `meetingBeforeLatest`); `members` are the ID numbers of the
 * household's current members; `deathDates` the dates of death of those who died, by ID number, and
 * `head` the member a decision naming no beneficiary is checked for (decisionSubject): a decision
 * for someone who died before the meeting is refused.
 */
export function checkMeeting(
  input: MeetingInput,
  facts: { reportedOn: IsoDate; today: IsoDate; members: readonly string[]; deathDates?: ReadonlyMap<string, IsoDate>; head?: string | null },
): CaseUserError[] {
  const errors: CaseUserError[] = [];
  const at = (...path: (string | number)[]) => ['input', ...path.map(String)];
  if (input.heldOn < facts.reportedOn || input.heldOn > facts.today) {
    errors.push(caseError('MEETING_DATE_OUT_OF_RANGE', 'a meeting is held between the case’s report and today', at('heldOn')));
  }
  if (input.departmentsPresent.length === 0) errors.push(caseError('NO_DEPARTMENTS_PRESENT', 'name the departments present', at('departmentsPresent')));
  // The ledger is a source of the hub's, not a body that attends (a charity may attend; it decides nothing).
  if (input.departmentsPresent.includes('REPORTED')) errors.push(caseError('UNKNOWN_OFFICE', `${noSlipsReason('REPORTED')}: it attends no meeting`, at('departmentsPresent')));
  if (input.notes !== null && longerThan(input.notes, 2000)) errors.push(caseError('TEXT_TOO_LONG', 'notes are longer than 2000 characters', at('notes')));
  const present = new Set(input.departmentsPresent);
  input.decisions.forEach((d, i) => {
    const programme = PROGRAMME_BY_CODE.get(d.programmeCode);
    if (!programme) errors.push(caseError('UNKNOWN_PROGRAMME', 'no such programme', at('decisions', i, 'programme')));
    else if (programme.department !== d.department) {
      errors.push(caseError('PROGRAMME_NOT_OF_DEPARTMENT', `${programme.code} is not run by ${d.department}`, at('decisions', i, 'programme')));
    }
    // Its slip goes to the department's office of the case's county, which must be one that
    // answers slips (a reporting office's is, and its feedback is the aid it reported; a charity's is not).
    const noSlips = noSlipsReason(d.department);
    if (noSlips !== null) errors.push(caseError('UNKNOWN_OFFICE', noSlips, at('decisions', i, 'department')));
    // A department commits only to what it decided in the room.
    if (!present.has(d.department)) errors.push(caseError('DEPARTMENT_NOT_PRESENT', `${d.department} was not present`, at('decisions', i, 'department')));
    if (d.amountFen < 0) errors.push(caseError('AMOUNT_NEGATIVE', 'an amount is not negative', at('decisions', i, 'amountFen')));
    // As a pre-grant check's proposal: the decision's own check sums it with the aid already given.
    if (d.amountFen > PROPOSAL_MAX_FEN) errors.push(caseError('AMOUNT_TOO_LARGE', `an amount is at most ${PROPOSAL_MAX_FEN} fen`, at('decisions', i, 'amountFen')));
    // A service (法律援助) is decided, not paid: money decided for it was checked and shown as cash
    // decided for the household (the pre-grant check, the slip's ask, the dossier), as aidReport
    // refuses it for the aid reported (domain/programmes.ts isServiceProgramme).
    else if (d.amountFen > 0 && programme && isServiceProgramme(programme)) errors.push(caseError('AMOUNT_INVALID', SERVICE_AMOUNT_MESSAGE, at('decisions', i, 'amountFen')));
    // Aid in money decided at 0 fen (an amount left at its default) was issued as 医疗救助 0.00 元,
    // completed by any payment of the programme and never read as short (件件有落实).
    else if (d.amountFen === 0 && programme && !isServiceProgramme(programme)) errors.push(caseError('AMOUNT_INVALID', MONEY_AMOUNT_MESSAGE, at('decisions', i, 'amountFen')));
    // 冬春救助 decided out of its season (domain/programme-seasons.ts), as aidReport refuses its grant.
    const outOfSeason = programme ? outOfSeasonProblem(programme.code, input.heldOn) : null;
    if (outOfSeason) errors.push(caseError('OUT_OF_SEASON', outOfSeason, at('decisions', i, 'programme')));
    const deadline = checkDeadlineWorkingDays(d.deadlineWorkingDays, at('decisions', i, 'deadlineWorkingDays'));
    if (deadline) errors.push(deadline);
    if (d.ask !== null && longerThan(d.ask, 500)) errors.push(caseError('TEXT_TOO_LONG', 'ask is longer than 500 characters', at('decisions', i, 'ask')));
    if (d.beneficiaryIdNumber !== null && !facts.members.includes(d.beneficiaryIdNumber)) {
      errors.push(caseError('BENEFICIARY_NOT_IN_HOUSEHOLD', 'the beneficiary is not a current member of the household', at('decisions', i, 'beneficiaryIdNumber')));
    }
    // "两癌"救助 or 春蕾计划 decided for a man (domain/programme-beneficiaries.ts), as aidReport refuses its grant.
    const forWomen = programme && d.beneficiaryIdNumber !== null ? programmeForWomenProblem(programme.code, d.beneficiaryIdNumber) : null;
    if (forWomen) errors.push(caseError('PROGRAMME_FOR_WOMEN', forWomen, at('decisions', i, 'beneficiaryIdNumber')));
    // Aid is not decided for someone who died before the meeting (the pre-grant check refuses such a
    // grant too: resolvers/findings/resolvers.ts). The message names no date: it is the person's.
    // A decision naming no one is checked for the head of household (decisionSubject); a head who has
    // died would have it checked for, and recorded as aid to, a dead person: the convener names the
    // living member it is for instead (no one is picked for them, as the rules judge each person apart).
    const checkedFor = d.beneficiaryIdNumber ?? facts.head ?? null;
    const died = checkedFor === null ? undefined : facts.deathDates?.get(checkedFor);
    if (died !== undefined && died < input.heldOn) {
      const message = d.beneficiaryIdNumber === null ? 'the head of household, for whom a decision naming no beneficiary is checked, died before the meeting: name the member the aid is for' : 'the beneficiary died before the meeting';
      errors.push(caseError('BENEFICIARY_DECEASED', message, at('decisions', i, 'beneficiaryIdNumber')));
    }
    if (d.secondAid) {
      if (d.programmeCode !== 'TEMP_AID') errors.push(caseError('SECOND_AID_NOT_TEMPORARY_AID', 'a second aid is temporary aid (TEMP_AID)', at('decisions', i, 'secondAid')));
      if (d.beneficiaryIdNumber === null) errors.push(caseError('BENEFICIARY_NOT_IN_HOUSEHOLD', 'a second aid names its beneficiary', at('decisions', i, 'beneficiaryIdNumber')));
    }
  });
  return errors;
}

/**
 * A case's meetings follow one another: a meeting is held on or after the latest one on record
 * (the same day is two sittings of one day). One recorded as held before an earlier one would
 * make the dossier "as it stood at the meeting" older than a meeting already decided on, count a
 * re-deliberated decision's deadline from before the decline it answers, and print as the brief's
 * latest meeting one that was not. A meeting forgotten and recorded late is recorded, in order,
 * with the date it was held in its notes.
 */
export function meetingBeforeLatest(heldOn: IsoDate, latestMeetingOn: IsoDate | null): CaseUserError | null {
  if (latestMeetingOn === null || heldOn >= latestMeetingOn) return null;
  return caseError('MEETING_DATE_OUT_OF_RANGE', `the case’s meeting of ${latestMeetingOn} is on record: a later meeting is held on or after it`, ['input', 'heldOn']);
}

/**
 * A meeting that decides again what a department declined (the case back in deliberation after a
 * decline) is held on or after the day of the latest decline it answers, as the department stated
 * it (China time): it cannot answer a decline not yet made. Held on the day of an earlier sitting
 * (meetingBeforeLatest allows it: two sittings of one day), it re-decided a decline of days later,
 * and its slips counted their working days from before the decline, so supervision looking back
 * listed the new office overdue on days the decision did not yet exist.
 */
export function meetingBeforeDecline(heldOn: IsoDate, latestDeclineOn: IsoDate | null): CaseUserError | null {
  if (latestDeclineOn === null || heldOn >= latestDeclineOn) return null;
  return caseError('MEETING_DATE_OUT_OF_RANGE', `a decision declined on ${latestDeclineOn} is decided again at a meeting held on or after that day`, ['input', 'heldOn']);
}

/**
 * Whether a decision slip on record carries this decision as issued (department, programme,
 * amount, deadline, ask, beneficiary, cause, stay, school year), the decision's override reason `overrideReason` as
 * its check kept it: how a request sent again after a lost answer is told from a new one.
 */
export function slipCarriesDecision(
  slip: { toOffice: string; programmeCode: string | null; amountFen: number | null; deadlineWorkingDays: number; ask: string; beneficiaryIdNumber: string | null; cause: string | null; settlementRef: string | null; schoolYear: string | null },
  keptOverrideReason: string | null,
  d: DecisionInput,
  overrideReason: string | null,
): boolean {
  return (
    slip.toOffice === d.department &&
    slip.programmeCode === d.programmeCode &&
    slip.amountFen === d.amountFen &&
    slip.deadlineWorkingDays === d.deadlineWorkingDays &&
    slip.ask === (d.ask?.trim() || defaultAsk(d)) &&
    slip.beneficiaryIdNumber === d.beneficiaryIdNumber &&
    slip.cause === d.cause &&
    slip.settlementRef === d.settlementRef &&
    slip.schoolYear === d.schoolYear &&
    keptOverrideReason === overrideReason
  );
}

/** The slip's "what is asked" when the meeting gave no words: 临时救助 3000.00 元（二次临时救助）. */
export function defaultAsk(d: DecisionInput): string {
  const programme = PROGRAMME_BY_CODE.get(d.programmeCode);
  return `${programmeAndAmount(programme?.name ?? d.programmeCode, programme?.kind, d.amountFen)}${d.secondAid ? '（二次临时救助）' : ''}`;
}

/** How defaultAsk words the programme and amount (公租房租赁补贴 450.00 元/月), which the brief takes off a slip's ask it prints beside them. */
export function programmeAndAmount(name: string, kind: string | undefined, amountFen: number): string {
  return `${name} ${fenToYuan(amountFen)} 元${kind === 'RECURRING' ? '/月' : ''}`;
}
