/**
 * The closed list of error codes the hub throws (extensions.code). Expected business outcomes are
 * schema types; these are for bad input, access and infrastructure.
 */
import { GraphQLError } from 'graphql';
import { checkIdNumber } from '../domain/id-number';

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'DEPARTMENT_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
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

/** Hub household ids are positive integers. */
export function requireHouseholdId(value: string, argument = 'id'): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not a household id`);
  return Number(value);
}
