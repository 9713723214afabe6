/**
 * 件件有落实、有反馈: a decision's slip is completed with the aid record that fulfils it, checked
 * against the department's own data (seed 000 三(三)2 asks for feedback on every matter; the
 * check makes that feedback provable). The record must be the deciding department's, of the
 * programme decided, for a member of the household (the one the decision names, if it names one),
 * given on or after the decision, and paid: neither revoked at the source nor still to be paid; an
 * amount short of the decision needs a stated reason, which is kept and shown with the slip and in
 * the dossier. Pure: the resolver loads, the data layer writes.
 */
import { settlementKey, type AidCause, type AidRecord } from '../aid';
import type { IsoDate } from '../dates';
import { isServiceProgramme, type Programme } from '../programmes';
import { caseError, type CaseUserError } from './errors';
import { longerThan } from '../text-length';

/** What a decision slip asked. */
export interface DecidedAid {
  department: string;
  programmeCode: string;
  /** Fen: per month for a recurring programme, in total for a one-off. */
  amountFen: number;
  beneficiaryIdNumber: string | null;
  /** The date of the meeting that decided it. */
  decidedOn: IsoDate;
  /** The cause decided, for a programme a rule counts by cause (X5: TEMP_AID). */
  cause?: AidCause | null;
  /** The hospital settlement decided aid pays towards (X7 adds up aid by stay). */
  settlementRef?: string | null;
  /** The school year decided aid is for (X6, X12 count it there), when the decision named one. */
  schoolYear?: string | null;
}

/** What the hub found and kept when the slip was completed. */
export interface Fulfilment {
  aidSourceRef: string;
  programmeCode: string;
  beneficiaryIdNumber: string;
  /** The grant date of a one-off, the first day of a recurring programme's period. */
  aidDate: IsoDate;
  amountFen: number;
  decidedAmountFen: number;
  /** Decided minus given, when short; 0 otherwise. */
  shortfallFen: number;
  /** The department's reason for a shortfall, when there is one. */
  differenceReason: string | null;
}

export const DIFFERENCE_REASON_MAX = 500;

/** The date an aid record counts from: its grant date, or its period's start. */
export function aidDateOf(record: Pick<AidRecord, 'grantDate' | 'periodStart'>): IsoDate | null {
  return record.grantDate ?? record.periodStart;
}

/**
 * Every reason the record does not fulfil the decision, or the fulfilment to keep. `members` are the
 * ID numbers of the household's members.
 */
export function checkFulfilment(
  decided: DecidedAid,
  record: AidRecord,
  facts: { members: readonly string[]; differenceReason: string | null; today: IsoDate },
): { ok: true; fulfilment: Fulfilment } | { ok: false; errors: CaseUserError[] } {
  const errors: CaseUserError[] = [];
  const unpaid = paymentProblem(record, facts.today);
  if (unpaid) errors.push(unpaid);
  errors.push(...recordMismatches(decided, record, facts.members));
  const aidDate = aidDateOf(record);
  const reason = facts.differenceReason?.trim() || null;
  if (reason !== null && longerThan(reason, DIFFERENCE_REASON_MAX)) {
    errors.push(caseError('TEXT_TOO_LONG', `differenceReason is longer than ${DIFFERENCE_REASON_MAX} characters`, ['input', 'differenceReason']));
  }
  const shortfallFen = Math.max(0, decided.amountFen - record.amountFen);
  if (shortfallFen > 0 && reason === null) {
    errors.push(caseError('AID_AMOUNT_SHORT', `the aid record gives ${record.amountFen} fen of the ${decided.amountFen} decided: state the reason (differenceReason)`, ['input', 'differenceReason']));
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    fulfilment: {
      aidSourceRef: record.sourceRef,
      programmeCode: record.programme,
      beneficiaryIdNumber: record.beneficiaryIdNumber,
      aidDate: aidDate!,
      amountFen: record.amountFen,
      decidedAmountFen: decided.amountFen,
      shortfallFen,
      differenceReason: reason,
    },
  };
}

/**
 * Every reason the record is not the decision's aid, whether paid or not: the deciding department's,
 * of the programme decided, for a member of the household (`members`; the one the decision names, if
 * it names one), of the cause and tied to the stay decided, for the school year decided (a record
 * naming one), and dated on or after the decision. What a
 * completion checks besides (paid, the amount or a reason for less) is checkFulfilment's; a slip
 * still waiting is read as paid at the source on these alone (paidSlips).
 */
export function recordMismatches(decided: DecidedAid, record: AidRecord, members: readonly string[]): CaseUserError[] {
  const field = ['input', 'aidSourceReference'];
  const errors: CaseUserError[] = [];
  if (record.department !== decided.department) errors.push(caseError('AID_RECORD_NOT_FOUND', 'the aid record is not the deciding department’s', field));
  if (record.programme !== decided.programmeCode) {
    errors.push(caseError('AID_RECORD_PROGRAMME_MISMATCH', `the aid record is ${record.programme}, the decision ${decided.programmeCode}`, field));
  }
  if (!members.includes(record.beneficiaryIdNumber) || (decided.beneficiaryIdNumber !== null && record.beneficiaryIdNumber !== decided.beneficiaryIdNumber)) {
    errors.push(caseError('AID_RECORD_BENEFICIARY_MISMATCH', 'the aid record is for another person than the decision names', field));
  }
  // X5 counts the record under the cause its department gave it: one of another cause would leave
  // the household's next grant for the decided cause looking like the first.
  const causeError = causeProblem(decided.cause, record, 'the decision', field);
  if (causeError) errors.push(causeError);
  // X7 adds the record up under the stay it is tied to: one of another stay, or of none, leaves the
  // stay the decision was weighed against looking less relieved than it is. No number in the
  // message: a settlement is health detail. Compared as the hub keys stays (settlementKey): a slip
  // stored before letters were read upper-case names its stay as typed (`x1`).
  if (decided.settlementRef && (!record.settlementRef || settlementKey(record.settlementRef) !== settlementKey(decided.settlementRef))) {
    errors.push(caseError('AID_RECORD_SETTLEMENT_MISMATCH', `the aid record is tied to ${record.settlementRef ? 'another hospital settlement' : 'no hospital settlement'} than the one the decision names`, field));
  }
  // X6 and X12 count the record in the school year its department gave it: one of another year left
  // the year decided looking unpaid and counted this aid in the other (a 2026-2027 decision completed
  // with last year's 金秋助学). A record naming no year is counted by its day, and not refused.
  if (decided.schoolYear && record.schoolYear && record.schoolYear !== decided.schoolYear) {
    errors.push(caseError('AID_RECORD_SCHOOL_YEAR_MISMATCH', `the aid record is for the school year ${record.schoolYear}, the decision for ${decided.schoolYear}`, field));
  }
  const aidDate = aidDateOf(record);
  if (aidDate === null || aidDate < decided.decidedOn) {
    errors.push(caseError('AID_RECORD_BEFORE_DECISION', `the aid record dates from before the decision of ${decided.decidedOn}`, field));
  }
  return errors;
}

/**
 * Why a record is no payment that fulfils a decision, or null. 件件有落实 is aid given: a record the
 * department revoked, reversed or recovered fulfils nothing (AID_RECORD_CANCELLED), and one not paid
 * yet (a grant dated after today, a recurring aid starting after today, an application still under
 * review) is a promise the department may still withdraw (AID_RECORD_NOT_YET_PAID): the slip is
 * completed once the money is paid, the deadline telling whether that was in time. Both were taken,
 * and supervision read the decision as met. A record whose status or programme code its department does not
 * document (UNRECOGNISED) may be either: it fulfils nothing until the department corrects the code
 * (AID_RECORD_STATUS_UNRECOGNISED).
 */
export function paymentProblem(record: Pick<AidRecord, 'status' | 'grantDate' | 'periodStart'>, today: IsoDate): CaseUserError | null {
  const field = ['input', 'aidSourceReference'];
  if (record.status === 'CANCELLED') return caseError('AID_RECORD_CANCELLED', 'the department has revoked, reversed or recovered this aid record', field);
  if (record.status === 'UNRECOGNISED') return caseError('AID_RECORD_STATUS_UNRECOGNISED', 'the aid record carries a status or programme code its department does not document: ask the department to correct it, then complete the slip', field);
  // A grant dated after today is SCHEDULED in its adapter: judged by its date against the case
  // loop's own day (the hub's clock), as the decision's and the first aid's dates are.
  const first = aidDateOf(record);
  if (record.status === 'PENDING' || (first !== null && first > today)) {
    return caseError('AID_RECORD_NOT_YET_PAID', 'the aid record is not paid yet (approved or scheduled): complete the slip once it is paid', field);
  }
  return null;
}

/**
 * Whether the record carries the cause decided (or a first aid states). A record whose cause code
 * its department does not document (UNRECOGNISED) carries no cause the hub can compare: it neither
 * matches nor contradicts, and fulfils nothing decided for a cause until the department corrects the
 * code (AID_RECORD_CAUSE_UNRECOGNISED; it read as OTHER and met a decision for OTHER).
 */
function causeProblem(expected: AidCause | null | undefined, record: AidRecord, whose: string, field: string[]): CaseUserError | null {
  if (!expected || !record.cause) return null;
  if (record.cause === 'UNRECOGNISED') return caseError('AID_RECORD_CAUSE_UNRECOGNISED', `the aid record carries a cause code its department does not document: ask the department to correct it, then name the record for ${whose}`, field);
  return record.cause === expected ? null : caseError('AID_RECORD_CAUSE_MISMATCH', `the aid record's cause is ${record.cause}, ${whose}'s ${expected}`, field);
}

/**
 * Why the aid record a first aid (先行救助) names is not the money trail of that first aid, or an
 * empty list. The record is found in the programme's department's data for a member of the household
 * (the resolver's look-up); like a decision's, it must also be of the programme given, for the
 * member named (when one is), and given on or after the day the case was reported: first aid
 * answers the report, so an earlier payment (last year's 低保, an old temporary aid) is not it.
 *
 * And it must give the amount stated. Unlike a decision, which a department may meet short for a
 * reason of its own, a first aid's amount is the owning office's own statement of what it gave, and
 * the record is that same payment: a difference means one of the two is wrong, and supervision
 * (件件有落实) would read a first aid of ¥2,000 backed by a payment of ¥500. Refused, so the hub never
 * keeps two amounts for one payment. Compared only where the record's amount is the payment's total:
 * a one-off programme that pays money (a service carries 0 fen; a recurring programme's amount is per
 * month, not the first aid given).
 */
export function checkFirstAidRecord(
  given: { programme: Pick<Programme, 'code' | 'kind' | 'purpose'>; amountFen: number; beneficiaryIdNumber: string | null; reportedOn: IsoDate; cause: AidCause | null; today: IsoDate },
  record: AidRecord,
): CaseUserError[] {
  const field = ['input', 'aidSourceReference'];
  const errors: CaseUserError[] = [];
  // A first aid is aid given: its record paid, as a decision's (a grant still to be paid is recorded
  // with no record).
  const unpaid = paymentProblem(record, given.today);
  if (unpaid) errors.push(unpaid);
  if (record.programme !== given.programme.code) {
    errors.push(caseError('AID_RECORD_PROGRAMME_MISMATCH', `the aid record is ${record.programme}, the first aid ${given.programme.code}`, field));
  }
  if (given.beneficiaryIdNumber !== null && record.beneficiaryIdNumber !== given.beneficiaryIdNumber) {
    errors.push(caseError('AID_RECORD_BENEFICIARY_MISMATCH', 'the aid record is for another person than the first aid names', field));
  }
  // As for a decision: X5 counts the record under its own cause, so a first aid for an illness backed
  // by a record of another cause would leave the household's next illness grant looking like the first.
  const causeError = causeProblem(given.cause, record, 'the first aid', field);
  if (causeError) errors.push(causeError);
  const aidDate = aidDateOf(record);
  if (aidDate === null || aidDate < given.reportedOn) {
    errors.push(caseError('AID_RECORD_BEFORE_DECISION', `the aid record dates from before the case was reported on ${given.reportedOn}`, field));
  }
  if (firstAidAmountComparable(given.programme) && record.programme === given.programme.code && record.amountFen !== given.amountFen) {
    errors.push(caseError('AID_RECORD_AMOUNT_MISMATCH', `the aid record pays ${record.amountFen} fen, the first aid states ${given.amountFen}: state the amount the record pays, or name the record of this first aid`, ['input', 'amountFen']));
  }
  return errors;
}

/** Whether a record of this programme carries the total paid, to hold a first aid's stated amount against. */
export function firstAidAmountComparable(programme: Pick<Programme, 'kind' | 'purpose'>): boolean {
  return programme.kind === 'ONE_OFF' && !isServiceProgramme(programme);
}

/** Whether the aid record a slip or a first aid named still stands at its source (schema FulfilmentStanding). */
export type FulfilmentStanding = 'STANDS' | 'CHANGED_AT_SOURCE' | 'CANCELLED_AT_SOURCE' | 'SUPERSEDED_AT_SOURCE' | 'NOT_FOUND_AT_SOURCE' | 'STATUS_UNRECOGNISED_AT_SOURCE';

export interface RecordStanding {
  standing: FulfilmentStanding;
  /**
   * The entry standing in the record's place (a ledger's CORRECTION, or the REVERSAL that cancelled
   * it), or, CHANGED_AT_SOURCE, the record as its department holds it now.
   */
  supersededBy: AidRecord | null;
}

/**
 * What the hub checked of the record when the slip was completed or the first aid recorded, to hold
 * the record as its department lists it now against: its programme, its amount (null: not held, as a
 * recurring programme's monthly amount against a first aid's total) and the day it counts from (null:
 * not kept, as for a first aid).
 */
export interface CheckedRecord {
  programmeCode: string;
  amountFen: number | null;
  aidDate: IsoDate | null;
}

/**
 * Whether a record still listed is what was checked. A department's system changes its rows in place
 * (an amount corrected, a payment moved back to review or to a later day, a grant reclassified): the
 * record's status alone would still read as paid, and supervision would count a decision met by ¥280
 * that the department now records as ¥1, or by a payment no longer made. Changed is a programme other
 * than the one checked, less than the amount checked (a raise is aid given, not taken back), another
 * day, or no longer paid (PENDING, SCHEDULED).
 */
function changedSinceChecked(record: AidRecord, checked: CheckedRecord): boolean {
  return (
    record.programme !== checked.programmeCode ||
    (checked.amountFen !== null && record.amountFen < checked.amountFen) ||
    (checked.aidDate !== null && aidDateOf(record) !== checked.aidDate) ||
    record.status === 'PENDING' ||
    record.status === 'SCHEDULED'
  );
}

/**
 * What became of a named aid record: `record` as its department lists it now (null when it no longer
 * does), `successor` what stands in its place where the source supersedes records (the reported-aid
 * ledger: a reversal reads as the aid cancelled, a correction as the aid it records now), `checked`
 * what the hub checked of it then.
 */
export function recordStanding(record: AidRecord | null, successor: AidRecord | null, checked: CheckedRecord): RecordStanding {
  if (record) {
    if (record.status === 'CANCELLED') return { standing: 'CANCELLED_AT_SOURCE', supersededBy: null };
    if (record.status === 'UNRECOGNISED') return { standing: 'STATUS_UNRECOGNISED_AT_SOURCE', supersededBy: null };
    return changedSinceChecked(record, checked) ? { standing: 'CHANGED_AT_SOURCE', supersededBy: record } : { standing: 'STANDS', supersededBy: null };
  }
  if (!successor) return { standing: 'NOT_FOUND_AT_SOURCE', supersededBy: null };
  return { standing: successor.status === 'CANCELLED' ? 'CANCELLED_AT_SOURCE' : 'SUPERSEDED_AT_SOURCE', supersededBy: successor };
}

/**
 * How much less than decided the money standing now gives, in fen (0 when met or more). What was
 * checked at completion is kept (`shortfallFen`), but a ledger entry corrected since (a CORRECTION)
 * gives what its chain's last entry records now, and an entry reversed or a record revoked at its
 * source (CANCELLED_AT_SOURCE) gives nothing: the whole decision is short. Supervision read a
 * decision of ¥500 met by an entry since corrected to ¥450 as met in full, the correction told only
 * by its standing. Any other standing (a record still standing, changed in place, not found, not
 * read) keeps the shortfall checked.
 */
export function standingShortfall(f: Pick<Fulfilment, 'decidedAmountFen' | 'shortfallFen'>, st: RecordStanding | null): number {
  if (st?.standing === 'CANCELLED_AT_SOURCE') return f.decidedAmountFen;
  if (st?.standing === 'SUPERSEDED_AT_SOURCE' && st.supersededBy) return Math.max(0, f.decidedAmountFen - st.supersededBy.amountFen);
  return f.shortfallFen;
}
