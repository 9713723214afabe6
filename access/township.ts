/**
 * A township named as a filter (Scan.findings' `filter.townshipCode`, the findings export's
 * `township`): refused the same on both paths, when it is no township's code or lies outside the
 * caller's region scope. Outside the scope it is refused before the hub is asked whether it holds
 * the township: an empty page (or a file without lines) read as a township with no findings, and
 * REGION_UNKNOWN would tell what lies outside.
 */
import type { ErrorCode } from './errors';
import { divisionPrefix, isDivisionCode } from '../domain/division-code';

type Scoped = { caller: { regionScope: string } | null } | null | undefined;

/** Whether a division and the caller's scope overlap (either contains the other); any, for a caller without a scope. */
export function divisionInReach(access: Scoped, regionCode: string): boolean {
  const scope = access?.caller?.regionScope;
  if (!scope || !isDivisionCode(scope)) return !scope;
  return regionCode.startsWith(divisionPrefix(scope)) || (isDivisionCode(regionCode) && scope.startsWith(divisionPrefix(regionCode)));
}

export type TownshipRefusalReason = 'MALFORMED_DIVISION_CODE' | 'OUT_OF_SCOPE';

export type TownshipRefusal = { status: 400 | 403; code: ErrorCode; reason: TownshipRefusalReason; message: string; argument: string };

/** Why a township given as `argument` is refused to this caller, or null. */
export function townshipRefusal(access: Scoped, code: string, argument: string): TownshipRefusal | null {
  if (!/^\d{9}$/.test(code)) return { status: 400, code: 'BAD_USER_INPUT', reason: 'MALFORMED_DIVISION_CODE', message: `${argument} is a 9-digit township code`, argument };
  if (!divisionInReach(access, code)) {
    return { status: 403, code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE', message: 'the township is not in this client’s region scope (whether the hub holds it is not said)', argument };
  }
  return null;
}
