/**
 * X-Officer: the officer a department's system asks for, checked here for the hub
 * (access/http.ts, before anything is read), for the command-line tools that send it
 * (`npm run report -- --officer`) and for an officer given as an argument (givenOfficer in
 * access/errors.ts: clientAccessLog's `officer`), so all refuse the same values with the same reasons.
 */
import { halfWidth } from '../domain/half-width';
import { mayContainIdNumber } from '../domain/id-number';

/**
 * An officer's staff identifier, as the department's system names them: short, ASCII (a header
 * carries no Chinese name), and never an ID number. Some systems key their staff by 公民身份号码;
 * such a value is refused, not stored (mayContainIdNumber, as X-Case-Reference): the audit row
 * would hold the officer's ID number in clear.
 */
const OFFICER = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,63}$/;

export type OfficerHeader = string | null | 'MALFORMED' | 'ID_NUMBER';

/**
 * Whether an officer's identifier is or holds an ID number, whole or in parts: full-width digits read
 * as ASCII and format characters (zero-width joiners between digits) left out, as an input may carry them.
 */
export function officerHoldsIdNumber(officer: string): boolean {
  return mayContainIdNumber(halfWidth(officer).replace(/\p{Cf}/gu, ''));
}

/** X-Officer: the officer a department's system asks for, or null when it names none. */
export function parseOfficer(header: string | undefined): OfficerHeader {
  if (header === undefined || header.trim() === '') return null;
  const officer = header.trim();
  if (officerHoldsIdNumber(officer)) return 'ID_NUMBER';
  return OFFICER.test(officer) ? officer : 'MALFORMED';
}

/** Why a request's X-Officer is refused (the value is never echoed nor logged: it may name a person), or null. */
export function officerRefusal(officer: OfficerHeader, required: boolean): { reason: string; message: string } | null {
  if (officer === 'ID_NUMBER') return { reason: 'OFFICER_ID_NUMBER', message: 'X-Officer may not be or contain an ID number: send the staff identifier your system gives the officer' };
  if (officer === 'MALFORMED') return { reason: 'MALFORMED_OFFICER', message: "X-Officer must be the officer's staff identifier, not a name: 1-64 ASCII characters (A-Z, a-z, 0-9 and . _ : @ / -)" };
  if (officer === null && required) return { reason: 'OFFICER_REQUIRED', message: "This client must name the officer each request is made for: send X-Officer with the officer's staff identifier" };
  return null;
}
