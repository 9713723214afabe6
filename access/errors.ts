/**
 * The closed list of error codes the hub throws (extensions.code). Expected business outcomes are
 * schema types; these are for bad input, access and infrastructure.
 */
import { GraphQLError } from 'graphql';
import { isDivisionCode } from '../domain/division-code';
import { checkIdNumber } from '../domain/id-number';

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'DEPARTMENT_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  /** HTTP only: a path no route serves. */
  'NOT_FOUND',
  /** The hub's own database did not answer in time (HUB_DB_TIMEOUT_MS): nothing is returned. */
  'HUB_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A bad argument: `reason` is a stable machine-readable word, `argument` names the argument. */
export function badInput(argument: string, reason: string, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument, reason, ...extra } });
}

/** Normalises a valid ID number, or throws BAD_USER_INPUT naming what is wrong (never echoing it). */
export function requireIdNumber(value: string, argument = 'idNumber'): string {
  const check = checkIdNumber(value);
  if (!check.ok) throw badInput(argument, check.problem, `${argument} is not a valid ID number: ${check.message}`);
  return check.idNumber;
}

/** Hub ids (households, cases, slips, meetings, scans) are positive integers; `what` names the kind. */
export function requireHubId(value: string, argument: string, what = 'hub id'): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not a ${what}`);
  return Number(value);
}

export function requireHouseholdId(value: string, argument = 'id'): number {
  return requireHubId(value, argument, 'household id');
}

/** A city, county, township or village code (6, 9 or 12 digits). */
export function requireDivisionCode(value: string, argument: string): string {
  if (!isDivisionCode(value)) throw badInput(argument, 'MALFORMED_DIVISION_CODE', `${argument.split('.').at(-1)} must be a division code of 6, 9 or 12 digits`);
  return value;
}
