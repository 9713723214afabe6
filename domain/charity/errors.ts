/**
 * Business outcomes a charity-linkage write can refuse with: returned as `userErrors` in payloads,
 * never thrown. The GraphQL enum CharityErrorCode lists exactly these.
 */
import type { ConsentProblem, DeliveryDateProblem, PledgeProblem } from './needs';

export const CHARITY_ERROR_CODES = [
  'CASE_NOT_FOUND',
  'CASE_WITHDRAWN',
  'CASE_HANDED_OVER',
  'ALERT_NOT_FOUND',
  'ALERT_NOT_VERIFIED',
  'NOT_ALERT_VERIFIER',
  'CONSENT_NOT_FOUND',
  'CONSENT_OTHER_HOUSEHOLD',
  'CONSENT_REVOKED',
  'CONSENT_EXPIRED',
  'CONSENT_SCOPE_MISSING',
  'HEALTH_CONSENT_MISSING',
  'MINOR_CONSENT_MISSING',
  'CONSENT_EXPIRY_IN_PAST',
  'BENEFICIARY_NOT_IN_HOUSEHOLD',
  'BENEFICIARY_NOT_OF_NEED',
  'BENEFICIARY_DECEASED',
  'DESCRIPTION_IDENTIFIES',
  'REFERENCE_IDENTIFIES',
  'TEXT_INVISIBLE_CHARACTER',
  'TEXT_REQUIRED',
  'TEXT_TOO_LONG',
  'NEED_NOT_FOUND',
  'NEED_NOT_OPEN',
  'AMOUNT_NOT_POSITIVE',
  'AMOUNT_TOO_LARGE',
  'OVER_FUNDED',
  'ORGANISATION_NOT_REGISTERED',
  'ORGANISATION_ALREADY_REGISTERED',
  'ORGANISATION_NAME_CONFLICT',
  'CREDIT_CODE_INVALID',
  'CLAIM_REQUIRED',
  'PLEDGE_NOT_FOUND',
  'OVER_DELIVERED',
  'DELIVERY_REFERENCE_REUSED',
  'SAME_AS_REPORTED_AID',
  'DELIVERY_IN_FUTURE',
  'DELIVERY_BEFORE_PLEDGE',
  'DELIVERY_NOT_RECORDABLE',
  'REFERENCE_INVALID',
  'DELIVERY_LEDGER_ENTRY_AMBIGUOUS',
  'PROJECT_NOT_FOUND',
  'PROJECT_NOT_MATCHING',
  'PLEDGE_REFERENCE_REUSED',
  'PROJECT_REFERENCE_REUSED',
  'IDEMPOTENCY_KEY_REUSED',
  'DELIVERY_NOT_FOUND',
  'DELIVERY_SUPERSEDED',
  'DELIVERY_CANCELLED',
  'CORRECTION_CHANGES_NOTHING',
  'AMOUNT_NEGATIVE',
  'PLEDGE_NOT_REDUCED',
  'PLEDGE_BELOW_DELIVERED',
  'CLAIM_NOT_HELD',
  'CLAIM_REFERENCE_REUSED',
  'PLEDGE_UNDELIVERED',
  'GOVERNMENT_AID_PENDING',
  'HOUSEHOLD_DECISIONS_CHANGED',
  // A cancellation’s, correction’s, reduction’s or release’s reason carrying a mobile number or a card (resolvers/charity/linkage.ts reasonScreened; an invisible character there is TEXT_INVISIBLE_CHARACTER).
  'IDENTIFYING_NUMBER',
] as const;
export type CharityErrorCode = (typeof CHARITY_ERROR_CODES)[number];

// Every pure-rule problem is a code of the list (checked by the compiler).
type _Covered = [ConsentProblem, PledgeProblem, DeliveryDateProblem] extends [CharityErrorCode, CharityErrorCode, CharityErrorCode] ? true : never;
export const PROBLEMS_COVERED: _Covered = true;

export interface CharityUserError {
  code: CharityErrorCode;
  message: string;
  field: string[] | null;
  /** With IDENTIFYING_NUMBER: the number found, masked (138****5678, ****7890); else null. */
  found?: string | null;
}

export function charityError(code: CharityErrorCode, message: string, field: string[] | null = null): CharityUserError {
  return { code, message, field };
}

export type CharityOutcome<T> = { ok: true; value: T; replayed?: boolean } | { ok: false; errors: CharityUserError[] };

export function ok<T>(value: T, replayed = false): CharityOutcome<T> {
  return { ok: true, value, replayed };
}

export function refuse<T>(code: CharityErrorCode, message: string, field: string[] | null = null): CharityOutcome<T> {
  return { ok: false, errors: [charityError(code, message, field)] };
}
