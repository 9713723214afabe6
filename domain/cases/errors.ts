/**
 * Business outcomes a case write can refuse with: returned as `userErrors { code message field }`
 * in mutation payloads, never thrown. The GraphQL enum CaseErrorCode lists exactly these.
 */
export const CASE_ERROR_CODES = [
  'HOUSEHOLD_NOT_FOUND',
  'CASE_NOT_FOUND',
  'REFERRAL_NOT_FOUND',
  'ILLEGAL_TRANSITION',
  'REASON_REQUIRED',
  'MEETING_REQUIRED',
  'REFERRALS_WITHOUT_FEEDBACK',
  'NOT_CASE_OWNER',
  'NOT_RECEIVING_OFFICE',
  'CASE_ENDED',
  'CASE_NOT_IN_DELIBERATION',
  'REFERRAL_ILLEGAL_TRANSITION',
  'FEEDBACK_REQUIRED',
  'TEXT_REQUIRED',
  'TEXT_TOO_LONG',
  'SAME_OFFICE',
  'DEADLINE_OUT_OF_RANGE',
  'NO_DEPARTMENTS_PRESENT',
  'DEPARTMENT_NOT_PRESENT',
  'UNKNOWN_PROGRAMME',
  'PROGRAMME_NOT_OF_DEPARTMENT',
  'AMOUNT_NEGATIVE',
  'AMOUNT_TOO_LARGE',
  'AMOUNT_INVALID',
  'OUT_OF_SEASON',
  'PROGRAMME_FOR_WOMEN',
  'BENEFICIARY_NOT_IN_HOUSEHOLD',
  'SECOND_AID_NOT_TEMPORARY_AID',
  'AID_RECORD_NOT_FOUND',
  'AID_RECORD_UNVERIFIED',
  'MEETING_DATE_OUT_OF_RANGE',
  'OCCURRED_IN_FUTURE',
  'OCCURRED_TOO_EARLY',
  'FIRST_AID_DETAILS_REQUIRED',
  'CASE_NOT_URGENT',
  'MATERIALS_ALREADY_COMPLETE',
  'CASE_OPENED_FROM_ALERT',
  'CHARITY_NEEDS_OPEN',
  'OCCURRED_OUT_OF_ORDER',
  'IDEMPOTENCY_KEY_REUSED',
  'AID_RECORD_REQUIRED',
  'AID_RECORD_PROGRAMME_MISMATCH',
  'AID_RECORD_BENEFICIARY_MISMATCH',
  'AID_RECORD_BEFORE_DECISION',
  'AID_RECORD_AMOUNT_MISMATCH',
  'AID_AMOUNT_SHORT',
  'DECISION_CONFLICT',
  'DECLINED_DECISIONS_OPEN',
  'DECISION_NOT_DECLINED',
  'HOUSEHOLD_DECISIONS_CHANGED',
  'UNKNOWN_OFFICE',
  'OFFICE_OUT_OF_COUNTY',
  'OFFICE_OUT_OF_TOWNSHIP',
  'AID_RECORD_ALREADY_USED',
  'CANNOT_OWN_CASE',
  'HAND_OVER_LAPSED',
  'BENEFICIARY_DECEASED',
  'AID_RECORD_CAUSE_MISMATCH',
  'AID_RECORD_SETTLEMENT_MISMATCH',
  'AID_RECORD_SCHOOL_YEAR_MISMATCH',
  'NOTICE_REQUIRED',
  'NOTICE_PERIOD_RUNNING',
  'NOTICE_OBJECTION_UPHELD',
  'NOTICE_OBJECTION_UNRESOLVED',
  'AID_RECORD_NOT_YET_PAID',
  'AID_RECORD_CANCELLED',
  'AID_RECORD_SUPERSEDED',
  'AID_RECORD_STATUS_UNRECOGNISED',
  'AID_RECORD_CAUSE_UNRECOGNISED',
  // decisionCorrect (db/cases/corrections.ts), and an answer to a slip it superseded.
  'CORRECTION_EMPTY',
  'DECISION_COMPLETED',
  'DECISION_DECLINED',
  'DECISION_SUPERSEDED',
  'SECOND_AID_NOT_CORRECTED',
  'REFERRAL_SUPERSEDED',
  // referralWithdraw (db/cases/referrals.ts withdrawReferral), and an answer to a slip it withdrew.
  'REFERRAL_WITHDRAWN',
  'DECISION_SLIP',
  'HAND_OVER_REQUIRED',
  'HOUSEHOLD_NOT_MOVED',
  'OPEN_CASE_IN_OTHER_COUNTY',
  // caseForwardForApproval (转交县级审批, db/cases/county-approval.ts).
  'APPROVAL_DELEGATED',
  'ALREADY_FORWARDED',
  'NOT_COUNTY_OFFICE',
  'CASE_AT_COUNTY',
  'CASE_NOT_UNDER_REVIEW',
  // Prose other offices read carrying a mobile number or a bank card or account, or an invisible character (resolvers/cases/resolvers.ts metaOf).
  'IDENTIFYING_NUMBER',
  'TEXT_INVISIBLE_CHARACTER',
] as const;
export type CaseErrorCode = (typeof CASE_ERROR_CODES)[number];

export interface CaseUserError {
  code: CaseErrorCode;
  message: string;
  /** Path to the input field at fault, e.g. ['input', 'decisions', '2', 'programme']. */
  field: string[] | null;
  /** With IDENTIFYING_NUMBER: the number found, masked (138****5678, ****7890); else null. */
  found?: string | null;
}

export function caseError(code: CaseErrorCode, message: string, field: string[] | null = null): CaseUserError {
  return { code, message, field };
}

export type Outcome<T> = { ok: true; value: T; replayed: boolean } | { ok: false; errors: CaseUserError[] };

export function success<T>(value: T, replayed = false): Outcome<T> {
  return { ok: true, value, replayed };
}

export function refusal<T>(...errors: CaseUserError[]): Outcome<T> {
  return { ok: false, errors };
}
