/**
 * The closed list of error codes the hub sends (extensions.code), on /graphql and every other
 * route. Expected business outcomes are schema types; these are for bad input, access and
 * infrastructure. Apollo's own codes are here too: the hub passes them on as they are
 * (server/app.ts formatError), and any code not listed leaves as INTERNAL_SERVER_ERROR.
 * test/error-contract.test.ts fails when the source sends a code this list lacks.
 */
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { DIVISION_CODE_EXPECTED, givenDivisionCode } from '../domain/division-code';
import { typedCode } from '../domain/aid';
import { checkIdNumber } from '../domain/id-number';
import { HUB_ID } from '../domain/hub-id';
import { officerRefusal, parseOfficer } from './officer';
import type { IsoDate } from '../domain/dates';
import type { Rule } from '../domain/findings/rule-set';
import { schoolYearFitProblem, schoolYearWritingProblem } from '../domain/findings/school-year';

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'DEPARTMENT_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  /** HTTP only: a path no route serves. */
  'NOT_FOUND',
  /**
   * The hub's own database did not answer in time (HUB_TIMEOUT_MS): nothing is returned. Also, 503
   * with reason STARTING, every request to `npm start`'s port but /healthz and /readyz while the hub is still starting.
   */
  'HUB_UNAVAILABLE',
  /**
   * A request refused before anything runs: an unknown X-Purpose, a malformed X-Case-Reference,
   * a body that is not JSON or too large, what Node's HTTP parser refuses, a persisted query whose
   * hash does not match, and Apollo's own (a missing query, a batch, CSRF, a mutation over GET).
   */
  'BAD_REQUEST',
  /** Apollo's: the document does not parse (or has more than MAX_QUERY_TOKENS tokens). */
  'GRAPHQL_PARSE_FAILED',
  /** Apollo's: the document does not validate (unknown fields, depth, aliases, introspection in production …). */
  'GRAPHQL_VALIDATION_FAILED',
  /** Apollo's: a persisted query sent by its hash alone that this process has not seen. */
  'PERSISTED_QUERY_NOT_FOUND',
  /** Apollo's: a document of several operations without operationName, or naming none of them. */
  'OPERATION_RESOLUTION_FAILURE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A GraphQLError that is an expected answer (a refusal, a bad argument), built without a stack
 * trace: none is ever sent (server/app.ts, includeStacktraceInErrorResponses: false) or logged (only
 * an INTERNAL_SERVER_ERROR's line names its error), yet each cost a capture of the call stack, and
 * graphql-js reads `.stack` of every error a resolver gives (locatedError copies it onto the error it
 * wraps it in), which formats it through the source maps tsx turns on (Error.prepareStackTrace), in
 * production too. `households(ids:)` refuses each id out of the caller's scope with its own error:
 * 5,000 refused entries spent about half of the request's CPU there (docs/performance.md, Session 38).
 * The stack is the error's name and message, as a trace of no frames reads; formatting never runs.
 */
export function expectedError(message: string, options: GraphQLErrorOptions): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let error: GraphQLError;
  try {
    error = new GraphQLError(message, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
  // Assigned, not defined: V8 formats the captured trace when the property is redefined.
  error.stack = `GraphQLError: ${message}`;
  return error;
}

/** A bad argument: `reason` is a stable machine-readable word, `argument` names the argument. */
export function badInput(argument: string, reason: string, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return expectedError(message, { extensions: { code: 'BAD_USER_INPUT', argument, reason, ...extra } });
}

/**
 * A school year as written (2025-2026; null when none), read as a settlement reference is (typedCode:
 * `２０２６－２０２７` typed in full-width mode is 2026-2027; `𝟐𝟎𝟐𝟔-𝟐𝟎𝟐𝟕` is not), or BAD_USER_INPUT at `argument`
 * (schoolYearWritingProblem).
 */
export function givenSchoolYear(given: string | null | undefined, argument: string): string | null {
  // Blank stays as given: refused MALFORMED_SCHOOL_YEAR, not taken for none.
  const schoolYear = given ? (typedCode(given) ?? given) : null;
  const problem = schoolYear === null ? null : schoolYearWritingProblem(schoolYear, argument);
  if (problem) throw badInput(argument, problem.reason, problem.message, problem.extra);
  return schoolYear;
}

/** A grant's or decision's school year held to its days (schoolYearFitProblem), or BAD_USER_INPUT at `argument`. */
export function requireSchoolYearFits(
  programme: { code: string; kind: string },
  days: { first: IsoDate; periodEnd: IsoDate | null; when: string },
  schoolYear: string | null,
  rules: readonly Rule[],
  argument: string,
  replaced: { year: string; as: string } | null = null,
): void {
  const problem = schoolYearFitProblem(programme, days, schoolYear, rules, replaced);
  if (problem) throw badInput(argument, problem.reason, problem.message, problem.extra);
}

/** Normalises a valid ID number, or throws BAD_USER_INPUT naming what is wrong (never echoing it). */
export function requireIdNumber(value: string, argument = 'idNumber'): string {
  const check = checkIdNumber(value);
  if (!check.ok) throw badInput(argument, check.problem, `${argument} is not a valid ID number: ${check.message}`);
  return check.idNumber;
}

/**
 * An officer's staff identifier given as an argument: held to X-Officer's rules (access/officer.ts),
 * refused with its reasons (MALFORMED_OFFICER, OFFICER_ID_NUMBER), never echoed; null when none is given.
 * (A blank one is refused before, hub-wide, as EMPTY_VALUE; here it would be malformed, not none.)
 */
export function givenOfficer(value: string | null | undefined, argument: string): string | null {
  if (value === null || value === undefined) return null;
  const officer = parseOfficer(value) ?? 'MALFORMED';
  const officerRefused = officerRefusal(officer, false);
  if (officerRefused) throw badInput(argument, officerRefused.reason, `${argument}: ${officerRefused.message}`);
  return officer;
}

/** Hub ids (households, cases, slips, meetings, scans) are positive integers; `what` names the kind. */
export function requireHubId(value: string, argument: string, what = 'hub id'): number {
  if (!HUB_ID.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`);
  return Number(value);
}

export function requireHouseholdId(value: string, argument = 'id'): number {
  return requireHubId(value, argument, 'household id');
}

/** The most positions one error names (a list's malformed entries); its `count` says how many in all. */
export const MAX_NAMED_POSITIONS = 20;

/**
 * One error for every malformed entry of a list argument (`list`: `ids`, `input.deliveryIds`):
 * `argument` names the first, as when the first alone was named (`ids[3]`); `positions` the indexes
 * of the first MAX_NAMED_POSITIONS, `count` all of them. A nightly sync sending 500 ids with a few
 * bad ones was told of the first alone, and fixed one per round trip.
 */
export function malformedEntries(list: string, positions: readonly number[], reason: string, what: string): GraphQLError {
  const named = positions.slice(0, MAX_NAMED_POSITIONS);
  const more = positions.length > named.length ? ` and ${positions.length - named.length} more` : '';
  const paths = named.map((i) => `${list}[${i}]`).join(', ');
  return badInput(`${list}[${positions[0]}]`, reason, `${paths}${more}: ${positions.length === 1 ? 'not' : 'each not'} ${what} (${positions.length} in all)`, { positions: named, count: positions.length });
}

/**
 * A city, county, township or village code (6, 9 or 12 digits), trimmed as every single-line text
 * is: use the code returned. Where the access policy checks the argument against the caller's scope
 * (a REGION argument), access/enforce.ts has trimmed it already, so the check and this read one value.
 * The same reading as the tools' `--region` (domain/division-code.ts givenDivisionCode).
 */
export function requireDivisionCode(value: string, argument: string): string {
  const code = givenDivisionCode(value);
  if (code === null) throw badInput(argument, 'MALFORMED_DIVISION_CODE', `${argument.split('.').at(-1)} ${DIVISION_CODE_EXPECTED}`);
  return code;
}
