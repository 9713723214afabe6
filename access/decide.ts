/**
 * Access decisions as plain functions over the policy (access/policy.ts) and a caller: no
 * GraphQL, no database, so each rule is unit-tested on its own.
 */
import type { OfficeCode } from '../domain/departments';
import { divisionPrefix, isDivisionCode } from '../domain/division-code';
import {
  CHARITY_DEPARTMENT,
  HEALTH_DETAIL,
  ID_NUMBERS_IN_CLEAR,
  OUT_OF_SCOPE_PURPOSES,
  officeHoldsRole,
  PURPOSES_BY_ROLE,
  purposesFor,
  roleServes,
  type Purpose,
  type ObjectRegion,
  type Role,
  type RoleOffices,
  type RootRule,
  type RouteRule,
  type Visibility,
} from './policy';

/** An authenticated API client, as the request carries it. */
export interface Caller {
  clientId: number;
  name: string;
  department: import('../domain/departments').OfficeCode;
  regionScope: string;
  roles: readonly Role[];
  /** Every request must name its officer (X-Officer): api_client.require_officer. */
  requireOfficer?: boolean;
  /** When its token stops working (api_client.expires_at, the database's DATETIME text, UTC); null or absent: no expiry. */
  expiresAt?: string | null;
}

/** Who is asking and why: set by the HTTP layer for every authenticated request. */
export interface RequestAccess {
  caller: Caller;
  purpose: Purpose | null;
  caseReference: string | null;
  /**
   * The officer the client asks for (X-Officer): the department's own staff identifier, asserted
   * by its system; the hub cannot verify it. Null when none was sent.
   */
  officer: string | null;
  /** Groups the audit rows of one request. */
  requestId: string;
}

/**
 * Why an access was refused (extensions.reason of a FORBIDDEN error). Stable words; the message
 * says the same in prose and never names a person.
 */
export type ForbiddenReason =
  | 'NO_ACCESS_RULE'
  | 'ROLE_NOT_ALLOWED'
  | 'PURPOSE_REQUIRED'
  | 'PURPOSE_NOT_ALLOWED'
  | 'ROLE_NOT_FOR_DEPARTMENT'
  | 'PURPOSE_NOT_SERVED'
  | 'OUT_OF_SCOPE'
  | 'LIMITED_VIEW'
  | 'HEALTH_DETAIL'
  | 'OTHER_DEPARTMENT_DATA';

export interface Refusal {
  reason: ForbiddenReason;
  message: string;
}

/** FULL: in the caller's scope. LIMITED: outside it, duplicate-check view. NONE: refused. */
export type View = 'FULL' | 'LIMITED' | 'NONE';

/** Whether a division (or a household's village code) lies inside a caller's region scope. */
export function inScope(regionScope: string, regionCode: string | null): boolean {
  if (!regionCode || !isDivisionCode(regionScope)) return false;
  return regionCode.startsWith(divisionPrefix(regionScope));
}

/** Whether an object lies inside a caller's region scope: any one of its divisions does (ObjectRegion). */
export function regionInScope(regionScope: string, region: ObjectRegion): boolean {
  if (typeof region === 'string' || region === null) return inScope(regionScope, region);
  return region.some((code) => inScope(regionScope, code));
}

/**
 * Whether this client may state the purpose at all: a role of it may, and some field or route serves
 * it to that role for the client's department (purposesFor). Checked once, when the request's
 * purpose is read (access/http.ts); a refusal is PURPOSE_NOT_ALLOWED before anything runs.
 */
export function mayStatePurpose(caller: Caller, purpose: Purpose): boolean {
  return purposesFor(caller.roles, caller.department).includes(purpose);
}

/** No role bound to offices: what a role would serve were every office to hold it (purposesFor's cache keeps one entry for it). */
const NO_OFFICE_BOUNDS: readonly RoleOffices[] = [];

/**
 * Why this client may not state the purpose, or null when it may (mayStatePurpose):
 * ROLE_NOT_FOR_DEPARTMENT where a role it holds would serve the purpose but its office may not hold
 * that role for it (ROLE_OFFICES: an education client stored with SUPERVISOR before the rule, a
 * health caseworker stating CHARITY_LINKAGE); else PURPOSE_NOT_ALLOWED.
 */
export function purposeRefusal(caller: Caller, purpose: Purpose): Refusal | null {
  if (mayStatePurpose(caller, purpose)) return null;
  const bound = caller.roles.filter((r) => purposesFor([r], caller.department, NO_OFFICE_BOUNDS).includes(purpose) && !officeHoldsRole(r, caller.department, purpose));
  if (bound.length > 0) {
    return { reason: 'ROLE_NOT_FOR_DEPARTMENT', message: `This client (${caller.department}) holds ${bound.join(', ')}, which a client of ${caller.department} may not hold for the purpose ${purpose} (docs/access.md "Which offices may hold a role"): the role is ignored; caller { allowedPurposes } lists the purposes it may state` };
  }
  return { reason: 'PURPOSE_NOT_ALLOWED', message: `This client (${caller.department}; roles ${caller.roles.join(', ')}) may not state the purpose ${purpose}: no field or route serves it to its department and roles (caller { allowedPurposes } lists those it may)` };
}

/** Whether some role of the caller allows stating this purpose (and its office may hold the role for it: ROLE_OFFICES). */
export function purposeAllowed(roles: readonly Role[], purpose: Purpose, department: string): boolean {
  return roles.some((r) => PURPOSES_BY_ROLE[r].includes(purpose) && officeHoldsRole(r, department, purpose));
}

/** A root field (Query/Mutation) or route: may this caller, stating this purpose, call it? */
export function checkCall(rule: (Pick<RootRule | RouteRule, 'roles' | 'purposes'> & { charityReporter?: boolean; departments?: readonly OfficeCode[]; workOf?: Purpose }) | undefined, what: string, caller: Caller, purpose: Purpose | null): Refusal | null {
  if (!rule) return { reason: 'NO_ACCESS_RULE', message: `${what} has no declared access rule, so it is closed` };
  if (rule.departments && !(rule.departments as readonly string[]).includes(caller.department)) return { reason: 'ROLE_NOT_ALLOWED', message: `${what} is given only to offices of ${rule.departments.join(', ')}` };
  const roles = caller.roles.filter((r) => rule.roles.includes(r) && roleServes(r, rule, caller.department));
  if (roles.length === 0) {
    const charity = caller.department === CHARITY_DEPARTMENT || caller.roles.includes('CHARITY');
    const held = caller.roles.filter((r) => rule.roles.includes(r));
    const notForOffice = held.filter((r) => !officeHoldsRole(r, caller.department) || (rule.workOf !== undefined && !officeHoldsRole(r, caller.department, rule.workOf)));
    if (notForOffice.length > 0 && !charity) return { reason: 'ROLE_NOT_ALLOWED', message: `${what} is closed to this client: a client of ${caller.department} may not hold ${notForOffice.join(', ')}${rule.workOf ? ` for ${rule.workOf}, whose work this is` : ''} (docs/access.md "Which offices may hold a role")` };
    return { reason: 'ROLE_NOT_ALLOWED', message: charity && held.length > 0 ? `${what} is closed to this client: a charity's client (department ${CHARITY_DEPARTMENT}) reads no department data and reports only its own aid` : `${what} needs one of the roles ${rule.roles.join(', ')}` };
  }
  if (rule.purposes === null) return null;
  if (purpose === null) return { reason: 'PURPOSE_REQUIRED', message: `${what} reads personal data: state a purpose (X-Purpose header)` };
  if (!rule.purposes.includes(purpose)) return { reason: 'PURPOSE_NOT_SERVED', message: `${what} does not serve the purpose ${purpose}; it serves ${rule.purposes.join(', ')}` };
  if (!purposeAllowed(roles, purpose, caller.department)) return { reason: 'PURPOSE_NOT_ALLOWED', message: `the roles with which this client may call ${what} do not allow the purpose ${purpose}` };
  return null;
}

/** The view a caller gets of an object in `region` (one division, several, or none). */
export function viewOf(caller: Caller, purpose: Purpose | null, region: ObjectRegion, outOfScope: RootRule['outOfScope'] = 'LIMITED'): View {
  if (regionInScope(caller.regionScope, region)) return 'FULL';
  if (outOfScope === 'LIMITED' && purpose !== null && OUT_OF_SCOPE_PURPOSES.includes(purpose)) return 'LIMITED';
  return 'NONE';
}

/**
 * Whether the caller sees ID numbers in clear for the stated purpose: a role of ID_NUMBERS_IN_CLEAR
 * that serves that purpose (PURPOSES_BY_ROLE), not any role the client holds. A department's client
 * with READER and DEPARTMENT_WRITER sees them checking a grant (DUPLICATE_CHECK) but not reading for
 * MONITORING, which only its READER serves (DOMAIN.md: access for a stated purpose; PIPL art. 6).
 * No purpose (Query.caller): whether some purpose it may state would show them.
 */
export function seesIdNumbers(caller: Caller, purpose: Purpose | null): boolean {
  return caller.roles.some((r) => ID_NUMBERS_IN_CLEAR.includes(r) && (purpose === null || PURPOSES_BY_ROLE[r].includes(purpose)));
}

export function seesHealthDetail(caller: Caller, purpose: Purpose | null): boolean {
  if (purpose !== null && HEALTH_DETAIL.withheldFor.includes(purpose)) return false;
  return (HEALTH_DETAIL.departments as readonly string[]).includes(caller.department) || (purpose !== null && HEALTH_DETAIL.purposes.includes(purpose));
}

/** CLEAR: as resolved. MASKED: ID numbers masked. COARSE: a division replaced by its county. REFUSED: FORBIDDEN. */
export type FieldDecision = { show: 'CLEAR' } | { show: 'MASKED' } | { show: 'COARSE' } | { show: 'REFUSED'; refusal: Refusal };

const CLEAR: FieldDecision = { show: 'CLEAR' };
const MASKED: FieldDecision = { show: 'MASKED' };
const COARSE: FieldDecision = { show: 'COARSE' };

function refused(refusal: Refusal): FieldDecision {
  return { show: 'REFUSED', refusal };
}

function limitedView(what: string): FieldDecision {
  return refused({ reason: 'LIMITED_VIEW', message: `${what} is not part of the duplicate-check view given outside the caller’s region` });
}

/** How a field with this visibility shows to this caller in this view. Runs for every field: no allocation on the common path. */
export function decideField(visibility: Visibility, view: View, caller: Caller, purpose: Purpose | null, what: string): FieldDecision {
  if (view === 'NONE') return refused(outOfScope(what));
  switch (visibility) {
    case 'ANY':
      return CLEAR;
    case 'IN_SCOPE':
      return view === 'FULL' ? CLEAR : limitedView(what);
    case 'ID_NUMBER':
      return view === 'FULL' && seesIdNumbers(caller, purpose) ? CLEAR : MASKED;
    case 'REFERENCE':
      if (view !== 'FULL') return limitedView(what);
      return seesIdNumbers(caller, purpose) ? CLEAR : MASKED;
    case 'REGION':
      return view === 'FULL' ? CLEAR : COARSE;
    case 'HEALTH':
      if (view !== 'FULL') return limitedView(what);
      return seesHealthDetail(caller, purpose)
        ? CLEAR
        : refused({ reason: 'HEALTH_DETAIL', message: `${what} is shown only to health and civil affairs callers, or for a case meeting, and never for supervision` });
  }
}

export function outOfScope(what: string): Refusal {
  return { reason: 'OUT_OF_SCOPE', message: `${what}: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there` };
}
