/**
 * THE access policy: roles, purposes, which role may state which purpose, which fields serve which
 * purposes for which roles, and what each caller sees of a household or person inside and outside
 * its region. Everything the hub enforces about access is read from this file (access/enforce.ts
 * applies it to the schema; access/http.ts to non-GraphQL routes); docs/access.md is generated
 * from it (`npm run access:table`) and a test keeps the two equal.
 *
 * Deny by default: a Query or Mutation field without an entry in ROOT_RULES, an object type
 * without an entry in TYPE_RULES, a field of a personal type missing from its `fields`, and a
 * non-GraphQL route missing from ROUTE_RULES are all refused with FORBIDDEN (NO_ACCESS_RULE).
 *
 * Bases: 《社会救助暂行办法》 art. 61 and the seeds' 信息共享 clauses (share what the work needs,
 * keep it confidential); X-Road (rights per client per service, purpose and case reference on every
 * query); DCI social-registry APIs (purpose and consent on each search).
 */
import type { CaseLoaders } from '../db/cases/loaders';
import type { CaseRecord } from '../db/cases/records';
import type { HubLoaders } from '../db/household/loaders';
import { laterCasesOf } from '../domain/cases/chain';
import { ConfigError, type ConfigErrorCode } from '../db/config';
import { CLIENT_OFFICE_CODES as CLIENT_OFFICES, type DepartmentCode, type OfficeCode } from '../domain/departments';
import { HUB_ID_DIGITS } from '../domain/hub-id';
import { ALERT_OWNER, alertAudienceOf, alertConcerns, alertEvidenceIsHealth, alertEvidenceOf, evidenceAllOwn } from '../domain/monitoring/alerts';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';

/** What a rule's region look-up reads: the hub's loaders of the request (access/context.ts). */
export interface PolicyContext {
  loaders: { hub: HubLoaders; cases: Pick<CaseLoaders, 'caseById' | 'casesByHousehold'> };
}

// ----- Purposes ---------------------------------------------------------------------------------

/** Why a request reads personal data. Stated on every such request (header X-Purpose). */
export const PURPOSES = ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'CASE_MEETING', 'MONITORING', 'REFERRAL', 'AUDIT', 'CHARITY_LINKAGE', 'SUPERVISION', 'LEGAL_AID_MEANS_CHECK'] as const;
export type Purpose = (typeof PURPOSES)[number];

export const PURPOSE_DESCRIPTIONS: Record<Purpose, string> = {
  ELIGIBILITY_REVIEW: '审核审批 reviewing an application or a recipient’s continued eligibility (核对, 审核确认)',
  DUPLICATE_CHECK: '重复救助核查 checking whether a person or household already receives aid elsewhere',
  CASE_MEETING: '一事一议 preparing or holding a joint case meeting',
  MONITORING: '监测预警 monitoring and early warning over a region',
  REFERRAL: '转办 handling a referral slip sent to or from this office',
  AUDIT: '审计 auditing who accessed whose data',
  CHARITY_LINKAGE: '慈善衔接 passing a consenting household’s need to charities and recording their pledges and deliveries (民发〔2023〕46号)',
  SUPERVISION: '督查督办 supervising the closed loop of cases and referral slips over a region: counting what is late and chasing the office that owes it',
  LEGAL_AID_MEANS_CHECK: '法律援助经济困难核查 a legal-aid office checking whether an applicant is a recipient of social assistance, so exempt from the means check (法律援助法 第四十二条（二）)',
};

// ----- Roles ------------------------------------------------------------------------------------

export const ROLES = ['READER', 'DEPARTMENT_WRITER', 'CASEWORKER', 'MEETING_CONVENER', 'AUDITOR', 'ADMINISTRATOR', 'CHARITY', 'REFERRAL_HANDLER', 'SUPERVISOR'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  READER: 'a department’s system or officer reading households and aid for its own work',
  DEPARTMENT_WRITER: 'a department system that records aid: pre-grant checks, settling findings about its own records',
  CASEWORKER: 'a civil-affairs or township officer handling cases and referrals (首问负责)',
  MEETING_CONVENER: 'the county office that convenes 一事一议 meetings and records their decisions',
  AUDITOR: 'reads the audit trail: who looked at whom, when and why; sees no household data',
  ADMINISTRATOR: 'runs region-wide jobs (scans, the monthly comparison) and manages alert subscriptions and their dead letters; sees no household data beyond monitoring',
  CHARITY: 'a charity organisation (统一社会信用代码): sees public need summaries in its region, the sealed detail of needs it claimed; pledges and reports deliveries',
  REFERRAL_HANDLER: 'a department office answering the referral slips addressed to it (accept, complete with feedback, decline); opens, moves and convenes no case',
  SUPERVISOR: '督查 a supervision office (督查室 of a civil-affairs bureau or of a government): reads cases, slips, overdueReport, the meeting brief, any office’s desk and the reported-aid entries beyond their term (reportedAidBeyondTerm) in its scope, to count and chase; changes nothing, reads no household or person beyond what a case shows, ID numbers masked, no health detail',
};

/**
 * CHARITY stands alone on a client. A charity is an outside organisation: with a department role
 * beside it, its client would read department data (ID numbers in clear for DEPARTMENT_WRITER) and
 * reach the departments' write paths, e.g. reverse the ledger rows of its own deliveries through
 * aidReport while the need still shows them delivered. A charity that also reports aid of its own
 * (aidReport) does so through a second client of department CHARITY with DEPARTMENT_WRITER.
 */
export const EXCLUSIVE_ROLE: Role = 'CHARITY';

/** Every role a department office may hold together (all but CHARITY). */
export const OFFICE_ROLES: readonly Role[] = ROLES.filter((r) => r !== EXCLUSIVE_ROLE);

/** Why these roles may not be held by one client, or null. */
export function rolesProblem(roles: readonly Role[]): string | null {
  const others = [...new Set(roles)].filter((r) => r !== EXCLUSIVE_ROLE);
  if (roles.includes(EXCLUSIVE_ROLE) && others.length > 0) {
    return `roles: ${EXCLUSIVE_ROLE} is held alone (a charity is an outside organisation; ${others.join(', ')} would give it department data and write paths); create a second client for the other roles`;
  }
  return null;
}

/**
 * A charity's clients are of department CHARITY, and a client of department CHARITY is a charity's:
 * the role CHARITY on a department's client would record the charity's sealed reads in the audit
 * trail as that department's (what a person asking "who looked at me" is shown) and give it the
 * department's standing (a health or civil-affairs client sees health detail); a department role
 * other than DEPARTMENT_WRITER (reporting its own aid) on a charity's client would read department
 * data. Two stable codes, as `npm run clients` prints them.
 */
export const CHARITY_DEPARTMENT = 'CHARITY';
export const CHARITY_CLIENT_ROLES: readonly Role[] = [EXCLUSIVE_ROLE, 'DEPARTMENT_WRITER'];

export function charityClientProblem(department: string, roles: readonly Role[]): { code: 'CHARITY_ROLE_DEPARTMENT' | 'CHARITY_DEPARTMENT_ROLE'; message: string } | null {
  if (department !== CHARITY_DEPARTMENT && roles.includes(EXCLUSIVE_ROLE)) {
    return { code: 'CHARITY_ROLE_DEPARTMENT', message: `roles: ${EXCLUSIVE_ROLE} is a charity organisation's role, held only by a client of department ${CHARITY_DEPARTMENT} (not ${department})` };
  }
  const others = department === CHARITY_DEPARTMENT ? [...new Set(roles)].filter((r) => !CHARITY_CLIENT_ROLES.includes(r)) : [];
  if (others.length > 0) {
    return { code: 'CHARITY_DEPARTMENT_ROLE', message: `roles: a client of department ${CHARITY_DEPARTMENT} is a charity's and holds ${CHARITY_CLIENT_ROLES.join(' or ')} only (${others.join(', ')} would read department data)` };
  }
  return null;
}

/**
 * Whether a role of this caller counts for a rule: a charity's client (department CHARITY) reads
 * no department data, so its DEPARTMENT_WRITER serves only the fields marked `charityReporter`
 * (reporting its own aid and reading back its own entries) and those that need no purpose (no
 * personal data: `caller`, `rules` …); the role CHARITY counts only on a charity's client (one
 * made before these rules were checked at creation is held to them here).
 */
export function roleServes(role: Role, rule: { charityReporter?: boolean; purposes: readonly Purpose[] | null; workOf?: Purpose }, department: string, entries: readonly RoleOffices[] = activeRoleOffices()): boolean {
  // A role the client's office may not hold (ROLE_OFFICES: a client stored before the rule, or
  // before a site narrowed its configuration) counts for nothing; nor for a field that is a bound
  // purpose's work (`workOf`) where the office may not hold the role for that purpose.
  if (!officeHoldsRole(role, department, undefined, entries)) return false;
  if (rule.workOf && !officeHoldsRole(role, department, rule.workOf, entries)) return false;
  if (role === EXCLUSIVE_ROLE) return department === CHARITY_DEPARTMENT;
  if (department !== CHARITY_DEPARTMENT) return true;
  return role === 'DEPARTMENT_WRITER' && (rule.charityReporter === true || rule.purposes === null);
}

/** Which purposes a caller acting in each role may state. */
export const PURPOSES_BY_ROLE: Record<Role, readonly Purpose[]> = {
  // LEGAL_AID_MEANS_CHECK is served only to legal-aid offices (ROOT_RULES socialAssistanceStanding, departments),
  // so only a JUSTICE client's READER may state it (roleMayState).
  READER: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'MONITORING', 'REFERRAL', 'LEGAL_AID_MEANS_CHECK'],
  DEPARTMENT_WRITER: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK'],
  CASEWORKER: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'CASE_MEETING', 'REFERRAL', 'MONITORING', 'CHARITY_LINKAGE'],
  MEETING_CONVENER: ['CASE_MEETING', 'REFERRAL'],
  AUDITOR: ['AUDIT'],
  ADMINISTRATOR: ['MONITORING'],
  CHARITY: ['CHARITY_LINKAGE'],
  REFERRAL_HANDLER: ['REFERRAL'],
  SUPERVISOR: ['SUPERVISION'],
};

// ----- Which offices may hold a role ------------------------------------------------------------

/**
 * The offices whose clients may hold `role` (for every purpose of it, or, with `purpose`, for that
 * purpose alone): a bureau's policy, declared once here and read wherever a role takes effect.
 * Registering a client with a role its office may not hold is refused (access/clients.ts
 * validateSpec, ROLE_NOT_FOR_DEPARTMENT); on a client stored before, the role is ignored (roleServes)
 * and its purpose refused at the door (access/http.ts, 403 FORBIDDEN ROLE_NOT_FOR_DEPARTMENT, audited).
 * A role or purpose listed nowhere is open to every office (the charity role's own rule aside:
 * charityClientProblem). A site widens an entry with AIDHUB_ROLE_OFFICES (roleOfficesFromEnv).
 */
export interface RoleOffices {
  role: Role;
  /** Only this purpose of the role is bound to `offices`; omitted: the whole role. */
  purpose?: Purpose;
  offices: readonly OfficeCode[];
  /** Why, with its basis (docs/access.md). */
  basis: string;
}

export const ROLE_OFFICES: readonly RoleOffices[] = [
  {
    role: 'SUPERVISOR',
    offices: ['CIVIL_AFFAIRS'],
    basis: 'civil affairs leads the loop and supervises it (seed 000 四(一) 各级民政部门要切实发挥牵头作用; seed 003 五(三) 督查督办 under 民发〔2013〕161号, civil affairs’ supervision mechanism); another office given it read every office’s cases and slips in its scope',
  },
  {
    role: 'CASEWORKER',
    purpose: 'CHARITY_LINKAGE',
    offices: ['CIVIL_AFFAIRS'],
    basis: 'civil affairs passes a consenting household’s need to charities (民发〔2023〕46号; seed 003 四(七) 在民政部门的统筹协调下); the charity side is the role CHARITY, held by department CHARITY alone (charityClientProblem). Other offices’ caseworkers keep their cases, slips and alerts',
  },
];

/** The variable a site widens ROLE_OFFICES with (README, Configuration). */
export const ROLE_OFFICES_ENV = 'AIDHUB_ROLE_OFFICES';

/**
 * ROLE_OFFICES widened by a site: `AIDHUB_ROLE_OFFICES="SUPERVISOR=HUMAN_RESOURCES;
 * CASEWORKER/CHARITY_LINKAGE=RED_CROSS,WOMENS_FEDERATION"` adds those offices to the entries
 * declared. Only widens: an entry ROLE_OFFICES does not declare is open to every office already.
 * A bad value is a ConfigError naming the variable, refused at start-up (server/start-checks.ts)
 * and by `npm run clients`.
 */
export function roleOfficesFromEnv(value: string | undefined, declared: readonly RoleOffices[] = ROLE_OFFICES): readonly RoleOffices[] {
  if (value === undefined || value.trim() === '') return declared;
  const widened = declared.map((e) => ({ ...e, offices: [...e.offices] }));
  const refuse = (code: ConfigErrorCode, why: string) => new ConfigError(code, `${ROLE_OFFICES_ENV}: ${why} (README, Configuration; docs/access.md "Which offices may hold a role")`);
  const entryNames = declared.map((e) => (e.purpose ? `${e.role}/${e.purpose}` : e.role)).join(', ');
  for (const item of value.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Z_]+)(?:\/([A-Z_]+))?\s*=\s*([A-Z_]+(?:\s*,\s*[A-Z_]+)*)$/.exec(item);
    if (!m) throw refuse('MALFORMED_LIST', `each entry is ROLE=OFFICE,OFFICE or ROLE/PURPOSE=OFFICE,… separated by ";"; ${JSON.stringify(item.slice(0, 80))} is not one`);
    const [, role, purpose, list] = m;
    if (!isRole(role)) throw refuse('UNKNOWN_ROLE', `${role} is no role; roles are ${ROLES.join(', ')}`);
    if (purpose !== undefined && !isPurpose(purpose)) throw refuse('UNKNOWN_PURPOSE', `${purpose} is no purpose; purposes are ${PURPOSES.join(', ')}`);
    const entry = widened.find((e) => e.role === role && e.purpose === purpose);
    if (!entry) throw refuse('ROLE_NOT_BOUND', `${purpose ? `${role}/${purpose}` : role} is open to every office already, so there is nothing to widen; the entries declared are ${entryNames}`);
    for (const office of list.split(',').map((s) => s.trim())) {
      if (!(CLIENT_OFFICES as readonly string[]).includes(office)) throw refuse('UNKNOWN_DEPARTMENT', `${office} is no office a client may belong to; offices are ${CLIENT_OFFICES.join(', ')}`);
      if (office === CHARITY_DEPARTMENT) throw refuse('CHARITY_DEPARTMENT_ROLE', `a client of department ${CHARITY_DEPARTMENT} is a charity's and holds ${CHARITY_CLIENT_ROLES.join(' or ')} only`);
      if (!entry.offices.includes(office as OfficeCode)) entry.offices.push(office as OfficeCode);
    }
  }
  return widened;
}

let activeOffices: { value: string | undefined; entries: readonly RoleOffices[] } | null = null;

/** ROLE_OFFICES as this process's AIDHUB_ROLE_OFFICES widens it, read once per value (tests switch it). */
export function activeRoleOffices(env: NodeJS.ProcessEnv = process.env): readonly RoleOffices[] {
  const value = env[ROLE_OFFICES_ENV];
  if (activeOffices === null || activeOffices.value !== value) activeOffices = { value, entries: roleOfficesFromEnv(value) };
  return activeOffices.entries;
}

/** Whether a client of `office` may hold `role` (purpose omitted: at all; else for that purpose), by the entries in force. */
export function officeHoldsRole(role: Role, office: string, purpose?: Purpose, entries: readonly RoleOffices[] = activeRoleOffices()): boolean {
  return entries.every((e) => e.role !== role || (e.purpose !== undefined && e.purpose !== purpose) || (e.offices as readonly string[]).includes(office));
}

/** The roles of `roles` a client of `office` may not hold at all (validateSpec refuses them; a stored client's are ignored). */
export function rolesNotForOffice(roles: readonly Role[], office: string): Role[] {
  return [...new Set(roles)].filter((r) => !officeHoldsRole(r, office));
}

// ----- Rights that shape what a field shows ---------------------------------------------------

/**
 * Roles that see ID numbers (and references containing them) in clear, in scope, each only for the
 * purposes it may state (PURPOSES_BY_ROLE; access/decide.ts seesIdNumbers): the right follows the
 * role that serves the stated purpose, not any role the client holds, so a department's client
 * (READER + DEPARTMENT_WRITER) sees them checking a grant and not monitoring. Others get 370811********123X.
 */
export const ID_NUMBERS_IN_CLEAR: readonly Role[] = ['DEPARTMENT_WRITER', 'CASEWORKER', 'MEETING_CONVENER'];

/**
 * Diagnoses, hospital settlement details and illness-related causes: only callers of these
 * departments, or any caller stating one of these purposes, and only in scope. (Medical aid is
 * decided by health and civil affairs; a case meeting needs the whole picture.) Never for the
 * purposes `withheldFor`, whatever the caller's department: supervision counts what is late and
 * chases the office that owes it, and an illness is not what that needs (PIPL art. 6 and 28), so a
 * civil-affairs bureau's 督查室 reads a case without it.
 */
export const HEALTH_DETAIL = {
  departments: ['HEALTH', 'CIVIL_AFFAIRS'] as readonly DepartmentCode[],
  purposes: ['CASE_MEETING'] as readonly Purpose[],
  withheldFor: ['SUPERVISION'] as readonly Purpose[],
};

/**
 * Outside its region scope a caller sees a person or household only when stating one of these
 * purposes, and then only the LIMITED view: what a duplicate check needs (departments,
 * programmes, periods and status), nothing else.
 */
export const OUT_OF_SCOPE_PURPOSES: readonly Purpose[] = ['DUPLICATE_CHECK'];

const DATA_ROLES: readonly Role[] = ['READER', 'DEPARTMENT_WRITER', 'CASEWORKER', 'MEETING_CONVENER'];
const ALL_ROLES: readonly Role[] = ROLES;
const READ_PURPOSES: readonly Purpose[] = ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'CASE_MEETING', 'MONITORING', 'REFERRAL'];
/** Handling cases and slips (schema/cases.graphql): the roles that may own a case and move it. */
export const CASE_ROLES: readonly Role[] = ['CASEWORKER', 'MEETING_CONVENER'];
const CASE_PURPOSES: readonly Purpose[] = ['ELIGIBILITY_REVIEW', 'CASE_MEETING', 'REFERRAL'];
/** Answering a slip: the case roles, and a department office that only answers the slips sent to it. */
const SLIP_ANSWER_ROLES: readonly Role[] = [...CASE_ROLES, 'REFERRAL_HANDLER'];

/**
 * Who may read a personal type's data at all, however it is reached: the roles and purposes of
 * the root fields that return it. A root field checks its own rule once; an object reached
 * through another (a scan's findings' households, a slip's case) is checked against its type's
 * rule on every field, so data never gets around the rule of the root field that would read it
 * directly (an administrator reads findings of a scan, not the households behind them).
 */
export interface ReadRule {
  roles: readonly Role[];
  purposes: readonly Purpose[];
  /** Only callers of these departments (omitted: any department). */
  departments?: readonly DepartmentCode[];
}

/** Households, people and their aid: what the household look-ups serve. */
const HOUSEHOLD_DATA: ReadRule = { roles: DATA_ROLES, purposes: READ_PURPOSES };
/** Findings: also the administrator who runs scans, for monitoring (counts, rules, severities, departments). */
const FINDING_DATA: ReadRule = { roles: [...DATA_ROLES, 'ADMINISTRATOR'], purposes: READ_PURPOSES };
/**
 * Supervision (督查督办): a read-only office that reads what the case roles read of the closed loop
 * (cases, slips, overdueReport and its lists, the brief, an office's desk) to count and chase, and
 * nothing of households or people beyond what those case views show; it holds no role that writes.
 */
const SUPERVISION: { roles: readonly Role[]; purposes: readonly Purpose[] } = { roles: ['SUPERVISOR'], purposes: ['SUPERVISION'] };
/** Cases, slips, meetings and dossiers: what the case look-ups and the office's inbox serve, and supervision. */
const CASE_DATA: ReadRule = { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: [...CASE_PURPOSES, 'MONITORING', ...SUPERVISION.purposes] };
/** Alerts (schema/monitoring.graphql): the inbox (MONITORING), and through a case or the supervision view (overdueReport's alerts). */
const ALERT_DATA: ReadRule = { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: ['MONITORING', ...CASE_PURPOSES, ...SUPERVISION.purposes] };
/**
 * The ledger's entries beyond the term (reportedAidBeyondTerm): the reporting office reads its own to
 * correct them, civil affairs and supervision every reporter's in scope (resolvers/reported-aid/beyond-term.ts
 * refuses any other office, NOT_LEDGER_REVIEWER). Supervision reads them as it reads a case: ID numbers masked.
 */
const LEDGER_REVIEW: ReadRule = { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK', 'MONITORING', ...SUPERVISION.purposes] };
/** A household's consent and the needs published from its cases (schema/charity.graphql), for the office handling the case. */
const CHARITY_CASE_DATA: ReadRule = { roles: DATA_ROLES, purposes: [...CASE_PURPOSES, 'MONITORING', 'CHARITY_LINKAGE'] };
/**
 * A dossier's members' birth dates and the household's address: only the convening civil-affairs
 * office (civil affairs in a case role), preparing or holding the meeting, which may visit the household. A
 * meeting's participants, and anyone reading a case for a slip or for monitoring, read each
 * member's age and the village instead (PIPL art. 6: the least needed for the purpose).
 */
const HOME_VISIT: ReadRule = { roles: CASE_ROLES, purposes: ['CASE_MEETING'], departments: ['CIVIL_AFFAIRS'] };
/** The sealed detail of a need: only a charity holding a claim on it (resolvers/charity), for charity linkage. */
const CHARITY_DETAIL: ReadRule = { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'] };

// ----- Field rules --------------------------------------------------------------------------------

/**
 * How a field of a personal type shows, by the view the caller has of the object:
 * FULL (the object is inside the caller's region scope) or LIMITED (outside, duplicate check).
 *
 * - ANY:        shown in both views.
 * - IN_SCOPE:   FULL view only; in the LIMITED view → FORBIDDEN (LIMITED_VIEW).
 * - ID_NUMBER:  shown in both views, masked (370811********123X) unless FULL and the caller has a
 *               role in ID_NUMBERS_IN_CLEAR that may state the request's purpose.
 * - REFERENCE:  FULL view only, with any ID number inside it masked as for ID_NUMBER.
 * - REGION:     a division: as recorded in the FULL view; in the LIMITED view only the county it
 *               lies in (which office to ask), never the village or township.
 * - HEALTH:     FULL view only and HEALTH_DETAIL satisfied; otherwise FORBIDDEN (HEALTH_DETAIL).
 */
export type Visibility = 'ANY' | 'IN_SCOPE' | 'ID_NUMBER' | 'REFERENCE' | 'HEALTH' | 'REGION';

export type Subject = { kind: 'PERSON'; idNumber: string } | { kind: 'HOUSEHOLD'; householdId: number };
/**
 * What an auditor read of a client's trail: ENTRIES, what the client asked for (clientAccessLog,
 * `officer` the officer asked about or null), or LOOKUPS, who looked the client up
 * (clientAuditLookups), which asks about no officer: its type holds none, so none can be set and lost.
 */
export type ClientRead = { read: 'ENTRIES'; officer: string | null } | { read: 'LOOKUPS'; officer: null };
/**
 * An API client whose trail an auditor looked up: `name` as asked, `found` when it names a client
 * within the auditor's scope, and what was read of it.
 */
export type ClientSubject = { kind: 'CLIENT'; name: string; found: boolean } & ClientRead;
/** What an audit row names: a person or household, or the client an audit read looked at. */
export type AuditSubject = Subject | ClientSubject;

/**
 * Where an object lies, for a caller's region scope: a division code, several (the object is in
 * scope if any one is: a case is its opening county's and its household's current one's), or null
 * (in no scope).
 */
export type ObjectRegion = string | null | readonly string[];

export interface PersonalTypeRule {
  kind: 'PERSONAL';
  /** Whose data an object of this type is: each becomes an audit row. Omitted: its parent's subjects cover it. */
  subjects?(obj: any): Subject[];
  /**
   * The division code that decides whether the object is in a caller's scope (null: in no scope;
   * several: in scope if any is, see ObjectRegion).
   * Omitted: the object is seen only through a `sameSubject` field of its parent, or through a root
   * field with `viewFromArguments`, and takes that view; reached any other way it is refused.
   */
  region?(obj: any, ctx: PolicyContext): ObjectRegion | Promise<ObjectRegion>;
  fields: Record<string, Visibility>;
  /** Who may read this type's fields at all, wherever the object was reached (see ReadRule). */
  readBy: ReadRule;
  /**
   * Whether a caller may read this object at all, beyond its region (omitted: any caller `readBy`
   * admits). One it may not is out of its reach, as an object outside its scope is: left out of a
   * list, null for a look-up, refused elsewhere. A same-subject field passes its parent's view on
   * (a case's alert is read as the case is).
   */
  readableBy?: { test(obj: any, caller: { department: string }): boolean; note: string };
  /**
   * Fields narrowed per object and caller beyond their visibility: `keep` filters a list of strings,
   * `refused` refuses the field (FORBIDDEN, OTHER_DEPARTMENT_DATA) with this message. `note` says so
   * in docs/access.md.
   */
  fieldsOfObject?: Record<string, { narrow(obj: any, caller: { department: string }): { keep?: (value: string) => boolean; refused?: string }; note: string }>;
  /**
   * `HEALTH` fields that are health detail only for the objects `test` accepts; for the others the
   * field shows as `IN_SCOPE` (an alert's evidence is health detail only where its trigger writes
   * health data). `note` says so in docs/access.md.
   */
  healthOnlyFor?: Record<string, { test(obj: any, caller: { department: string }): boolean; note: string }>;
  /** Fields a narrower rule guards than the type's own `readBy`. */
  fieldReadBy?: Record<string, ReadRule>;
  /**
   * Fields whose results concern the same people as this object (a household's members, a
   * person's aid), so they take this object's view instead of computing their own.
   */
  sameSubject?: readonly string[];
}

/** A type with no personal data of its own, or reachable only through a field already gated. */
export interface OpenTypeRule {
  kind: 'OPEN';
  why: string;
}

export type TypeRule = PersonalTypeRule | OpenTypeRule;

const person = (idNumber: string): Subject => ({ kind: 'PERSON', idNumber });

/** A person's region: the household they belong to now; failing that, the address code of their ID number. */
export async function personRegion(idNumber: string, ctx: PolicyContext): Promise<string | null> {
  // householdsOfPerson itself, not currentHouseholdByIdNumber over it: the same statement, one
  // loader's batch sooner, so a pre-grant check's households read (its first wave) is sent ahead
  // of the audit's head lock taken at execution start, which has its department round to spare
  // (docs/performance.md, Session 39).
  const household = (await ctx.loaders.hub.householdsOfPerson.load(idNumber)).current;
  return household?.regionCode ?? idNumber.slice(0, 6);
}

/** A household's division, for types that carry only the household's id. */
async function householdRegion(householdId: number, ctx: PolicyContext): Promise<string | null> {
  return (await ctx.loaders.hub.householdById.load(householdId))?.regionCode ?? null;
}

/**
 * Where a case lies (and its slips and meetings): the township where it was opened, the household's
 * division now (its village: a village's client reads its households' cases, as it reads them through
 * Household.cases, and overdueReport over a village lists them, db/cases/records.ts caseInRegion),
 * and the township of every case continuing it after a hand-over. A case stays with
 * the county that opened it until it ends: that county's offices own it, answer its slips and
 * convene it (resolvers/cases inReach acts on the township alone), and still read it after the
 * household has moved; the county the household has moved to serves the household now and reads its
 * cases too, as `Household.cases` shows them to it. 一事一议 is convened by the county (README,
 * "Joint cases"). Once the household has moved, that county's convener hands the case over
 * (caseHandOver): it ends there and its successor, opened in the new county, shows it as its
 * predecessor, which the new county reads as its own case's history for as long as it holds that
 * case, wherever the household moves next; so after 微山县 → 任城区 → 兖州区, 兖州区 reads both earlier
 * cases and 任城区 the first, but neither earlier county a later case (the successor is the new
 * county's: `successorReference` names it). The chain is walked over the household's cases (one
 * loader, one statement however long the chain), read only for a case handed over.
 */
export async function caseRegions(c: Pick<CaseRecord, 'id' | 'householdId' | 'townshipCode' | 'state'>, ctx: PolicyContext): Promise<string[]> {
  const [home, later] = await Promise.all([householdRegion(c.householdId, ctx), c.state === 'HANDED_OVER' ? laterCaseTownships(c, ctx) : []]);
  const regions = new Set([c.townshipCode, ...later]);
  if (home !== null) regions.add(home);
  return [...regions];
}

/** The townships of the cases continuing this one (its successor, that one's successor, …), in order. */
async function laterCaseTownships(c: Pick<CaseRecord, 'id' | 'householdId'>, ctx: PolicyContext): Promise<string[]> {
  return laterCasesOf(c, await ctx.loaders.cases.casesByHousehold.load(c.householdId)).map((k) => k.townshipCode);
}

/**
 * Where a slip, meeting or first aid of a case lies: where its case does (caseRegions), its case read
 * through the request's loader (primed by the household's cases). A case not found (none is: the
 * foreign key) counts as continued by none.
 */
async function onCaseRegions(r: { caseId: number; householdId: number; townshipCode: string }, ctx: PolicyContext): Promise<string[]> {
  const c = await ctx.loaders.cases.caseById.load(r.caseId);
  return caseRegions(c ?? { id: r.caseId, householdId: r.householdId, townshipCode: r.townshipCode, state: 'REPORTED' }, ctx);
}

/**
 * Where a charity need lies (one an office publishes from a case): where its case does (caseRegions),
 * so the county that owns the case reads and withdraws the needs published from it after the household
 * has moved, as it reads the case, and as caseHandOver (CHARITY_NEEDS_OPEN: withdraw it first) and
 * caseTransition's withdrawal ask it to. Read by the household's division alone, the owning county's
 * own case listed no needs, its dossier failed OUT_OF_SCOPE and each withdrawal was NEED_NOT_FOUND,
 * so the case could be neither handed over nor withdrawn. The case is always found (the foreign key);
 * failing that, the household's division.
 */
export async function needRegions(n: { caseId: number; householdId: number }, ctx: PolicyContext): Promise<string[]> {
  const c = await ctx.loaders.cases.caseById.load(n.caseId);
  if (c) return caseRegions(c, ctx);
  const home = await householdRegion(n.householdId, ctx);
  return home === null ? [] : [home];
}

/** An alert row as the policy reads it: its verifier and its references (stored as JSON). */
type AlertRowLike = { verifierOffice: string; evidenceRefs: string };

/**
 * Whether what an alert tells of health is health detail to this caller: its evidence, and the
 * reasons and notes offices write on it (已纳入医疗救助, 户内有残疾人两项补贴: how a township explains a
 * hospital-cost or disability alert), withheld alike. One test for all of them.
 */
const ALERT_HEALTH_DETAIL = {
  test: (a: AlertRowLike & { triggerId: string }, caller: { department: string }) => alertEvidenceIsHealth(activeTriggerSet().triggers.find((t) => t.id === a.triggerId), activeRuleSet().rules) && !evidenceAllOwn(caller.department, alertAudienceOf(a)),
  note: 'health detail only for an alert whose trigger writes health data (a hospital stay, 12 months’ out-of-pocket, a severe disability, a rule’s finding that can name a stay, a disability, an illness or an illness cause, a trigger or rule no longer in the set); of a job loss, a death on a roll or a rule’s finding that cannot (e.g. M3, M5) shown in scope to whoever reads the alert; nor to a department all of whose references it is (its own records: the disability federation reading its own new certificate)',
};

/** What is written on an alert (a move in its history, its takeover), read as health detail of the alert it is written on. */
const WRITTEN_ON_ALERT_HEALTH_DETAIL = {
  test: (w: { alert: AlertRowLike & { triggerId: string } }, caller: { department: string }) => ALERT_HEALTH_DETAIL.test(w.alert, caller),
  note: `as \`Alert.reason\`: ${ALERT_HEALTH_DETAIL.note}`,
};


const OPEN_CATALOGUE: OpenTypeRule = { kind: 'OPEN', why: 'catalogue data, no personal data' };
const OPEN_CONTAINER: OpenTypeRule = { kind: 'OPEN', why: 'a container or summary reached only through a gated field' };

export const TYPE_RULES: Record<string, TypeRule> = {
  _Service: { kind: 'OPEN', why: 'the subgraph SDL a router composes (federation only); no personal data' },
  // schema/findings.graphql: a finding is about a household (or a person) and the records involved.
  Finding: {
    kind: 'PERSONAL',
    readBy: FINDING_DATA,
    // What was measured, the prose built from it and the officers' reasons are household data.
    fieldReadBy: { measure: HOUSEHOLD_DATA, explanation: HOUSEHOLD_DATA, events: HOUSEHOLD_DATA },
    subjects: (f: { householdId: number | null; idNumbers: string[] }) => [
      ...(f.householdId !== null ? [{ kind: 'HOUSEHOLD' as const, householdId: f.householdId }] : []),
      ...f.idNumbers.map(person),
    ],
    region: (f: { householdId: number | null; idNumbers: string[] }, ctx) =>
      f.householdId !== null ? householdRegion(f.householdId, ctx) : f.idNumbers.length > 0 ? personRegion(f.idNumbers[0], ctx) : null,
    fields: {
      ...Object.fromEntries(['id', 'rule', 'severity', 'scope', 'household', 'people', 'records', 'departments', 'ongoing', 'status', 'basis', 'firstSeenScan', 'lastSeenScan'].map((f) => [f, 'ANY' as const])),
      // Amounts, dates of death and the officers' reasons: in scope only.
      measure: 'IN_SCOPE',
      explanation: 'IN_SCOPE',
      events: 'IN_SCOPE',
    },
    sameSubject: ['household', 'people', 'records', 'measure'],
  },
  // The pre-grant check takes the view its beneficiary gives (ROOT_RULES viewFromArguments).
  PreGrantCheck: { kind: 'PERSONAL', readBy: HOUSEHOLD_DATA, fields: Object.fromEntries(['findings', 'clear', 'conflicts', 'warnings', 'complete', 'consulted', 'unavailable', 'causeUnrecognised', 'settlementUnknown', 'settlementOtherPerson', 'schoolStage', 'schoolStageExplanation'].map((f) => [f, 'ANY' as const])), sameSubject: ['findings', 'causeUnrecognised'] },
  PreGrantFinding: {
    kind: 'PERSONAL',
    readBy: HOUSEHOLD_DATA,
    // The explanation is shown in both views, worded for the view (resolvers/findings): in the LIMITED
    // view the rule alone, as aidReport's conflicts outside the caller's region, since the full text
    // names other offices' aid with amounts and days. It was refused there (FORBIDDEN, LIMITED_VIEW),
    // and being non-null took the whole check with it, verdict included.
    fields: Object.fromEntries(['rule', 'severity', 'records', 'measure', 'departments', 'basis', 'explanation'].map((f) => [f, 'ANY' as const])),
    sameSubject: ['records', 'measure'],
  },
  Rule: OPEN_CATALOGUE,
  Scan: { kind: 'OPEN', why: 'a job over a division: states and counts; its findings are gated one by one' },
  ScanProgress: OPEN_CONTAINER,
  ScanConnection: OPEN_CONTAINER,
  ScanEdge: OPEN_CONTAINER,
  FindingConnection: OPEN_CONTAINER,
  FindingEdge: OPEN_CONTAINER,
  FindingEvent: { kind: 'OPEN', why: 'reached only through Finding.events (in scope); names clients and officers, not persons' },
  PeriodOverlap: OPEN_CONTAINER,
  SamePeriodFunding: OPEN_CONTAINER,
  // What a finding measured takes the finding's view (Finding.measure, PreGrantFinding.measure):
  // hospital settlements and illness are health detail; amounts are shown in scope only.
  RepeatedGrants: { kind: 'PERSONAL', readBy: HOUSEHOLD_DATA, fields: { cause: 'HEALTH', count: 'ANY', windowMonths: 'ANY' } },
  SettlementExcess: { kind: 'PERSONAL', readBy: HOUSEHOLD_DATA, fields: { settlementReference: 'HEALTH', settledOn: 'HEALTH', burdenFen: 'HEALTH', aidFen: 'IN_SCOPE', excessFen: 'HEALTH' } },
  AidAfterDeath: { kind: 'PERSONAL', readBy: HOUSEHOLD_DATA, fields: { deathDate: 'ANY', from: 'ANY', to: 'ANY', months: 'ANY', excessFen: 'IN_SCOPE' } },
  // The student's stage is shown in scope only, as a missed aid's conditions are; the programme's own stages are the catalogue's.
  WrongSchoolStage: { kind: 'PERSONAL', readBy: HOUSEHOLD_DATA, fields: { judgedOn: 'ANY', stage: 'IN_SCOPE', programmeStages: 'ANY' } },
  MissedAid: { kind: 'PERSONAL', readBy: HOUSEHOLD_DATA, fields: { expected: 'ANY', schoolYear: 'ANY', conditions: 'IN_SCOPE', disabilityLevel: 'IN_SCOPE', grantCount: 'IN_SCOPE', outOfPocketFen: 'HEALTH' } },
  FindingUserError: { kind: 'OPEN', why: 'why a write was refused; codes and messages name no person' },
  ScanStartPayload: OPEN_CONTAINER,
  FindingConfirmPayload: OPEN_CONTAINER,
  FindingDismissPayload: OPEN_CONTAINER,
  FindingResolvePayload: OPEN_CONTAINER,

  Department: OPEN_CATALOGUE,
  Programme: OPEN_CATALOGUE,
  Region: OPEN_CATALOGUE,
  PageInfo: OPEN_CATALOGUE,
  SourceStatus: { kind: 'OPEN', why: 'whether a department answered; no personal data' },
  AidPeriod: OPEN_CONTAINER,
  AidSummary: OPEN_CONTAINER,
  DepartmentTotal: OPEN_CONTAINER,
  PurposeTotal: OPEN_CONTAINER,
  HouseholdConnection: OPEN_CONTAINER,
  HouseholdEdge: OPEN_CONTAINER,

  Household: {
    kind: 'PERSONAL',
    readBy: HOUSEHOLD_DATA,
    subjects: (h: { id: number }) => [{ kind: 'HOUSEHOLD', householdId: h.id }],
    region: (h: { regionCode: string }) => h.regionCode,
    fields: {
      id: 'ANY',
      region: 'REGION',
      aid: 'ANY',
      sources: 'ANY',
      registrationNumber: 'IN_SCOPE',
      address: 'IN_SCOPE',
      members: 'IN_SCOPE',
      aidSummary: 'IN_SCOPE',
      cases: 'IN_SCOPE',
      findings: 'IN_SCOPE',
    },
    sameSubject: ['members', 'aid', 'cases', 'findings'],
  },

  HouseholdMember: {
    kind: 'PERSONAL',
    readBy: HOUSEHOLD_DATA,
    subjects: (m: { person: { idNumber: string } }) => [person(m.person.idNumber)],
    region: async (m: { householdId: number }, ctx) => (await ctx.loaders.hub.householdById.load(m.householdId))?.regionCode ?? null,
    fields: { person: 'IN_SCOPE', relation: 'IN_SCOPE', joinedOn: 'IN_SCOPE' },
    sameSubject: ['person'],
  },

  Person: {
    kind: 'PERSONAL',
    readBy: HOUSEHOLD_DATA,
    subjects: (p: { idNumber: string }) => [person(p.idNumber)],
    region: (p: { idNumber: string }, ctx) => personRegion(p.idNumber, ctx),
    fields: {
      idNumber: 'ID_NUMBER',
      // Gender, birth date and age are written in the ID number itself; death ends recurring aid (rule X8).
      gender: 'ANY',
      birthDate: 'ANY',
      age: 'ANY',
      deathDate: 'ANY',
      household: 'ANY',
      aid: 'ANY',
      sources: 'ANY',
      name: 'IN_SCOPE',
      findings: 'IN_SCOPE',
      // Not aid, and not what a duplicate check needs: whether a person is in a low-income group is for the office serving them.
      monitoredLowIncome: 'IN_SCOPE',
    },
    sameSubject: ['aid', 'household', 'findings'],
  },

  AidRecord: {
    kind: 'PERSONAL',
    readBy: HOUSEHOLD_DATA,
    subjects: (r: { beneficiaryIdNumber: string }) => [person(r.beneficiaryIdNumber)],
    region: (r: { beneficiaryIdNumber: string }, ctx) => personRegion(r.beneficiaryIdNumber, ctx),
    fields: {
      // What a duplicate check needs: who pays what, when, and whether it is still paid.
      department: 'ANY',
      programme: 'ANY',
      beneficiary: 'ANY',
      period: 'ANY',
      grantDate: 'ANY',
      status: 'ANY',
      // A department's code (UNRECOGNISED records only), not personal: who sees the status sees it.
      sourceStatusCode: 'ANY',
      sourceProgrammeCode: 'ANY',
      schoolYear: 'ANY',
      secondAid: 'ANY',
      amountFen: 'IN_SCOPE',
      urgent: 'IN_SCOPE',
      sourceReference: 'REFERENCE',
      sourceHouseholdReference: 'REFERENCE',
      // ILLNESS reveals a health condition; an undocumented cause code may name one too.
      cause: 'HEALTH',
      sourceCauseCode: 'HEALTH',
      reportedBy: 'ANY',
      caseReference: 'REFERENCE',
      needId: 'REFERENCE',
      // Only on a slip's superseded ledger entry (Referral.aidRecord, in scope): the correction or reversal standing
      // in its place, set only when it is of the slip's household (resolvers/cases aidRecordOf; a
      // correction moving the aid out of it reads null), so it takes the slip's view as the entry does.
      supersededBy: 'IN_SCOPE',
      // Dates of the term (domain/reported-aid/beyond-term.ts), shown as the period is.
      periodBeyondTerm: 'ANY',
    },
    sameSubject: ['beneficiary', 'supersededBy'],
  },

  // schema/reported-aid.graphql: a reporter's own entries and totals, and who reported a record.
  AidReporter: { kind: 'OPEN', why: 'names an office or charity, its own reference and the officer it named (a staff identifier, screened for ID numbers as X-Officer is), not the person aided' },
  ReportedAidEntry: { kind: 'OPEN', why: 'reached only through aidReport and reportedAidHistory: the calling reporter’s own entries (in a charity’s chain of corrections, its organisation’s)' },
  ReportedAidBeyondTerm: {
    kind: 'PERSONAL',
    readBy: LEDGER_REVIEW,
    subjects: (e: { row: { beneficiaryIdNumber: string } }) => [person(e.row.beneficiaryIdNumber)],
    // The beneficiary's household's division (personRegion), as the resolver read it to keep the page within scope.
    region: (e: { regionCode: string | null }) => e.regionCode,
    fields: {
      ...Object.fromEntries(['reportedBy', 'entryKind', 'programme', 'period', 'amountFen', 'periodBeyondTerm', 'monthsToToday', 'amountToTodayFen', 'receivedAt'].map((f) => [f, 'ANY' as const])),
      // Masked by the resolver whoever reads it: the reporter finds its entry by its reference.
      beneficiary: 'ANY',
      region: 'REGION',
    },
  },
  ReportedAidBeyondTermConnection: OPEN_CONTAINER,
  ReportedAidBeyondTermEdge: OPEN_CONTAINER,
  PeriodBeyondTerm: { kind: 'OPEN', why: 'which date of a ledger period to fix and the dates of the term: no person' },
  ReportedAidTotal: { kind: 'OPEN', why: 'counts and sums of the calling reporter’s own entries' },
  AidReportPayload: { kind: 'OPEN', why: 'the outcome of the calling reporter’s own batch' },
  AidReportError: { kind: 'OPEN', why: 'a problem with the calling reporter’s own record' },
  AidReportIncompleteCheck: { kind: 'OPEN', why: 'the position of the reporter’s own record and the departments its check could not read (each also a DEPARTMENT_UNAVAILABLE error); no personal data' },
  AidReportConflict: { kind: 'OPEN', why: 'rule, severity and departments of a conflict the reporter’s own record causes; the explanation is built for the caller’s view (health detail), and names the rule alone for a beneficiary outside the caller’s region (the LIMITED view); to a charity the rule alone wherever the beneficiary lives, and of the departments its own (CHARITY) alone' },

  // schema/access.graphql: reached only through Query.caller, Query.accessLog, Query.householdAccessLog, Query.clientAccessLog and Query.clientAuditLookups.
  Caller: { kind: 'OPEN', why: 'the caller’s own client record' },
  AccessLogConnection: { kind: 'OPEN', why: 'reached only through accessLog, householdAccessLog, clientAccessLog and clientAuditLookups (AUDITOR, purpose AUDIT)' },
  AccessLogEdge: { kind: 'OPEN', why: 'reached only through accessLog, householdAccessLog, clientAccessLog and clientAuditLookups (AUDITOR, purpose AUDIT)' },
  AccessLogEntry: { kind: 'OPEN', why: 'reached only through accessLog, householdAccessLog, clientAccessLog and clientAuditLookups; subjects are masked labels, request ids hold no ID number' },
  AccessClient: { kind: 'OPEN', why: 'reached only through accessLog, householdAccessLog, clientAccessLog and clientAuditLookups; names a client, not a person' },

  // schema/cases.graphql: a case, its slips, meetings and dossier are about one household.
  Case: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (c: { householdId: number }) => [{ kind: 'HOUSEHOLD', householdId: c.householdId }],
    region: (c: CaseRecord, ctx) => caseRegions(c, ctx),
    fields: Object.fromEntries(
      ['id', 'reference', 'household', 'origin', 'urgency', 'state', 'summary', 'firstReceivedBy', 'owner', 'township', 'reportedAt', 'explanation', 'endedAt', 'allowedTransitions', 'history', 'deadlines', 'anyDeadlineMissed', 'referrals', 'meetings', 'secondAids', 'firstAid', 'countyApproval', 'dossier', 'briefUrl', 'alert', 'householdMoved', 'predecessor', 'successor', 'successorReference'].map((f) => [f, 'IN_SCOPE' as const]),
    ),
    sameSubject: ['household', 'referrals', 'meetings', 'secondAids', 'firstAid', 'countyApproval', 'dossier', 'alert'],
  },
  Referral: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (r: { householdId: number; beneficiaryIdNumber: string | null }) => [
      { kind: 'HOUSEHOLD', householdId: r.householdId },
      ...(r.beneficiaryIdNumber ? [person(r.beneficiaryIdNumber)] : []),
    ],
    region: (r: { caseId: number; householdId: number; townshipCode: string }, ctx) => onCaseRegions(r, ctx),
    fields: {
      ...Object.fromEntries(
        ['id', 'case', 'kind', 'meeting', 'from', 'to', 'ask', 'programme', 'amountFen', 'beneficiary', 'schoolYear', 'handOver', 'deadlineWorkingDays', 'issuedAt', 'dueOn', 'countedFrom', 'provisional', 'state', 'acceptedAt', 'answeredAt', 'answeredStatedAt', 'answeredBy', 'feedback', 'declineReason', 'withdrawReason', 'aidRecord', 'deadlineStatus', 'overdue', 'timeLeft', 'fulfilment', 'decisionCheck', 'declineResolution', 'correction'].map((f) => [f, 'IN_SCOPE' as const]),
      ),
      // ILLNESS reveals a health condition (as AidRecord.cause and SecondAidApproval.cause).
      cause: 'HEALTH',
      // A hospital stay: health detail (as SettlementExcess.settlementReference).
      settlementReference: 'HEALTH',
      // The record's AidRecord.sourceReference, which can hold an ID number (a 低保 member's record is keyed by it).
      aidSourceReference: 'REFERENCE',
    },
    sameSubject: ['case', 'meeting', 'beneficiary', 'aidRecord', 'fulfilment'],
  },
  Meeting: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (m: { dossier: { household: { id: number } } }) => [{ kind: 'HOUSEHOLD', householdId: m.dossier.household.id }],
    region: (m: { caseId: number; townshipCode: string; dossier: { household: { id: number } } }, ctx) => onCaseRegions({ caseId: m.caseId, householdId: m.dossier.household.id, townshipCode: m.townshipCode }, ctx),
    fields: Object.fromEntries(['id', 'case', 'heldOn', 'convenedBy', 'departmentsPresent', 'notes', 'decisions', 'dossier', 'recordedAt', 'recordedBy', 'briefUrl', 'decisionChecks'].map((f) => [f, 'IN_SCOPE' as const])),
    sameSubject: ['case', 'decisions', 'dossier'],
  },
  SecondAidApproval: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (a: { idNumber: string }) => [person(a.idNumber)],
    region: (a: { idNumber: string }, ctx) => personRegion(a.idNumber, ctx),
    fields: { beneficiary: 'IN_SCOPE', cause: 'HEALTH', amountFen: 'IN_SCOPE', approvedOn: 'IN_SCOPE', referral: 'IN_SCOPE', aidSourceReference: 'REFERENCE' },
    sameSubject: ['beneficiary', 'referral'],
  },
  FirstAid: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (f: { householdId: number; beneficiaryIdNumber: string | null }) => [
      { kind: 'HOUSEHOLD', householdId: f.householdId },
      ...(f.beneficiaryIdNumber ? [person(f.beneficiaryIdNumber)] : []),
    ],
    region: (f: { caseId: number; householdId: number; townshipCode: string }, ctx) => onCaseRegions(f, ctx),
    fields: {
      ...Object.fromEntries(['programme', 'amountFen', 'beneficiary', 'pending', 'standing', 'supersededBy', 'reason', 'givenAt', 'recordedAt', 'actor'].map((f) => [f, 'IN_SCOPE' as const])),
      // ILLNESS reveals a health condition (as Referral.cause and AidRecord.cause).
      cause: 'HEALTH',
      aidSourceReference: 'REFERENCE',
    },
    sameSubject: ['beneficiary'],
  },
  // 转交县级审批: the township's review of the household's case, and the county office it went to.
  CountyApproval: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (a: { householdId: number }) => [{ kind: 'HOUSEHOLD', householdId: a.householdId }],
    region: (a: { caseId: number; householdId: number; townshipCode: string }, ctx) => onCaseRegions(a, ctx),
    fields: Object.fromEntries(['programme', 'from', 'to', 'review', 'forwardedAt', 'recordedAt', 'actor', 'basis'].map((f) => [f, 'IN_SCOPE' as const])),
  },
  // A case meeting needs the whole picture: the dossier is shown in scope only, ID numbers per role.
  Dossier: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (d: { household: { id: number }; members: { idNumber: string }[] }) => [{ kind: 'HOUSEHOLD', householdId: d.household.id }, ...d.members.map((m) => person(m.idNumber))],
    region: (d: { household: { id: number } }, ctx) => householdRegion(d.household.id, ctx),
    fields: Object.fromEntries(
      ['takenAt', 'from', 'to', 'household', 'members', 'aid', 'totals', 'sources', 'complete', 'findingsAvailable', 'findings', 'earlierCases', 'referrals', 'departmentsNotContributed', 'charityNeeds'].map((f) => [f, 'IN_SCOPE' as const]),
    ),
    sameSubject: ['members', 'aid', 'household'],
  },
  DossierMember: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (m: { idNumber: string }) => [person(m.idNumber)],
    region: (m: { idNumber: string }, ctx) => personRegion(m.idNumber, ctx),
    fields: { idNumber: 'ID_NUMBER', name: 'IN_SCOPE', gender: 'ANY', age: 'ANY', birthDate: 'IN_SCOPE', deathDate: 'ANY', relation: 'IN_SCOPE', joinedOn: 'IN_SCOPE' },
    fieldReadBy: { birthDate: HOME_VISIT },
  },
  // Reached only through Dossier.household, whose view it takes (its subjects are the dossier's).
  DossierHousehold: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    fields: { id: 'IN_SCOPE', registrationNumber: 'IN_SCOPE', address: 'IN_SCOPE', regionCode: 'IN_SCOPE', regionName: 'IN_SCOPE' },
    fieldReadBy: { address: HOME_VISIT },
  },
  DossierTotals: OPEN_CONTAINER,
  DossierSource: { kind: 'OPEN', why: 'whether a department answered; no personal data' },
  DossierFinding: { kind: 'OPEN', why: 'reached only through Dossier.findings (in scope); names no person' },
  DossierCase: { kind: 'OPEN', why: 'reached only through Dossier.earlierCases (in scope)' },
  DossierReferral: { kind: 'OPEN', why: 'reached only through Dossier.referrals (in scope)' },
  DecisionCheck: { kind: 'OPEN', why: 'reached only through Referral.decisionCheck and Meeting.decisionChecks (in scope); names no person, no health detail' },
  DecisionFinding: { kind: 'OPEN', why: 'reached only through DecisionCheck.findings; names no person, no health detail' },
  DeclineResolution: { kind: 'OPEN', why: 'reached only through Referral.declineResolution (in scope); names no person' },
  ReferralConnection: OPEN_CONTAINER,
  ReferralEdge: OPEN_CONTAINER,
  DecisionCorrection: { kind: 'OPEN', why: 'reached only through Referral.correction (in scope); names no person (its replacing slip is a Referral, checked as one)' },
  // Reached only through Referral.fulfilment, whose view it takes; its aidSourceReference is masked as the slip's is.
  Fulfilment: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    fields: {
      ...Object.fromEntries(['programme', 'beneficiary', 'aidDate', 'amountFen', 'decidedAmountFen', 'shortfallFen', 'differenceReason', 'standing', 'supersededBy'].map((f) => [f, 'IN_SCOPE' as const])),
      aidSourceReference: 'REFERENCE',
    },
    sameSubject: ['beneficiary'],
  },
  SupersedingAidRecord: { kind: 'OPEN', why: 'reached only through the supersededBy of Fulfilment, FirstAid, WithdrawnFulfilment and WithdrawnFirstAid (in scope); names no person; its aidSourceReference (a department record changed in place can be keyed by an ID number) is masked by its resolver as REFERENCE is' },
  CaseEvent: { kind: 'OPEN', why: 'reached only through Case.history (in scope)' },
  CaseDeadline: OPEN_CONTAINER,
  TimeLeft: OPEN_CONTAINER,
  Overdue: OPEN_CONTAINER,
  Office: OPEN_CATALOGUE,
  WorkingDayCalendar: OPEN_CATALOGUE,
  OverdueReport: OPEN_CONTAINER,
  OfficeOverdue: OPEN_CONTAINER,
  TownshipOverdue: OPEN_CONTAINER,
  CountyOverdue: OPEN_CONTAINER,
  OverdueTally: OPEN_CONTAINER,
  ReferralTally: { kind: 'OPEN', why: 'counts of slips, reached only through overdueReport (its roles and purposes, its region scope); names no slip, case or person' },
  CaseDeadlineTally: { kind: 'OPEN', why: 'counts of case deadlines, reached only through overdueReport (its roles and purposes, its region scope); names no case or person' },
  OverdueReferral: OPEN_CONTAINER,
  OverdueCase: OPEN_CONTAINER,
  LateCase: OPEN_CONTAINER,
  DecisionShortfall: OPEN_CONTAINER,
  OpenDecline: OPEN_CONTAINER,
  WaivedDecision: OPEN_CONTAINER,
  DeclinedReferral: OPEN_CONTAINER,
  CorrectedReferral: OPEN_CONTAINER,
  // Its reason is free text about the household and its actor names the officer: read as the slip's
  // withdrawReason and answeredBy are (in scope of the slip's case), the slip its own subject.
  WithdrawnReferral: {
    kind: 'PERSONAL',
    readBy: CASE_DATA,
    subjects: (w: { referral: { householdId: number } }) => [{ kind: 'HOUSEHOLD', householdId: w.referral.householdId }],
    region: (w: { referral: { caseId: number; householdId: number; townshipCode: string } }, ctx) => onCaseRegions(w.referral, ctx),
    fields: Object.fromEntries(['referral', 'withdrawnAt', 'withdrawnBy', 'actor', 'reason', 'afterDue'].map((f) => [f, 'IN_SCOPE' as const])),
    sameSubject: ['referral'],
  },
  WithdrawnFulfilment: OPEN_CONTAINER,
  WithdrawnFirstAid: OPEN_CONTAINER,
  ForwardedCase: OPEN_CONTAINER,
  CaseUserError: { kind: 'OPEN', why: 'why a write was refused; codes and messages name no person' },
  CaseOpenPayload: OPEN_CONTAINER,
  CaseTransitionPayload: OPEN_CONTAINER,
  CaseHandOverPayload: OPEN_CONTAINER,
  HouseholdMove: OPEN_CONTAINER,

  // schema/monitoring.graphql: an alert is about one person and their household.
  Alert: {
    kind: 'PERSONAL',
    readBy: ALERT_DATA,
    subjects: (a: { subjectIdNumber: string; householdId: number | null }) => [person(a.subjectIdNumber), ...(a.householdId !== null ? [{ kind: 'HOUSEHOLD' as const, householdId: a.householdId }] : [])],
    region: (a: { regionCode: string }) => a.regionCode,
    fields: {
      ...Object.fromEntries(
        ['id', 'trigger', 'grade', 'state', 'person', 'household', 'region', 'monitored', 'verifier', 'detectedBy', 'raisedAt', 'firstClueOn', 'acknowledgeFrom', 'acknowledgeBy', 'verifyBy', 'decideBy', 'decidedOn', 'provisional', 'overdue', 'acknowledgementOverdue', 'escalatedTo', 'outcome', 'case', 'history', 'notice', 'notices', 'takenOver'].map((f) => [f, 'IN_SCOPE' as const]),
      ),
      // Evidence of a hospital stay, a disability or a rule's finding naming health is health detail; of a job loss, a death on a roll or a rule's finding naming none it is not (healthOnlyFor).
      evidence: 'HEALTH',
      evidenceReferences: 'REFERENCE',
      // The reason an office gave, as its history's and its takeover's (AlertEvent, AlertTakeOver):
      // a township explains a hospital-cost alert by the medical aid the household has.
      reason: 'HEALTH',
    },
    healthOnlyFor: { evidence: ALERT_HEALTH_DETAIL, reason: ALERT_HEALTH_DETAIL },
    // Another department than civil affairs reads the alerts that concern it, and of those not its to verify only its own records (domain/monitoring/alerts.ts ALERT_OWNER).
    readableBy: {
      test: (a: AlertRowLike, caller) => alertConcerns(caller.department, alertAudienceOf(a)),
      note: `callers of \`${ALERT_OWNER}\`; of another department, only the alerts it verifies or raised from its own records (an evidence reference of its department); others are out of its reach as outside its scope`,
    },
    fieldsOfObject: {
      evidence: {
        narrow: (a: AlertRowLike, caller) =>
          alertEvidenceOf(caller.department, alertAudienceOf(a)).linesRefused ? { refused: 'Alert.evidence tells of other departments’ records: a department other than civil affairs reads the evidence of the alerts it verifies, and of the others only their references to its own records (evidenceReferences)' } : {},
        note: `to a department other than \`${ALERT_OWNER}\` that does not verify the alert, only when every reference is its own record; otherwise FORBIDDEN (\`OTHER_DEPARTMENT_DATA\`)`,
      },
      evidenceReferences: {
        narrow: (a: AlertRowLike, caller) => ({ keep: alertEvidenceOf(caller.department, alertAudienceOf(a)).references }),
        note: `to a department other than \`${ALERT_OWNER}\` that does not verify the alert, only the references to its own records`,
      },
    },
    sameSubject: ['person', 'household', 'case', 'notice', 'notices', 'history', 'takenOver'],
  },
  // Reached only through Alert.history and Alert.takenOver, whose view they take; the reason given is withheld as the alert's is.
  AlertEvent: {
    kind: 'PERSONAL',
    readBy: ALERT_DATA,
    fields: { ...Object.fromEntries(['action', 'fromState', 'toState', 'grade', 'at', 'actor', 'actorOffice', 'office'].map((f) => [f, 'IN_SCOPE' as const])), reason: 'HEALTH' },
    healthOnlyFor: { reason: WRITTEN_ON_ALERT_HEALTH_DETAIL },
  },
  AlertTakeOver: {
    kind: 'PERSONAL',
    readBy: ALERT_DATA,
    fields: { ...Object.fromEntries(['office', 'by', 'at'].map((f) => [f, 'IN_SCOPE' as const])), reason: 'HEALTH' },
    healthOnlyFor: { reason: WRITTEN_ON_ALERT_HEALTH_DETAIL },
  },
  // schema/monitoring-notice.graphql: what a village board shows of a household, read (and audited) as the household's data.
  // It lies in its village and where the case it precedes does (caseRegions): the township that keeps
  // the case, verified the alert and posts the notice reads it after the household moved to another township.
  VillageNotice: {
    kind: 'PERSONAL',
    readBy: ALERT_DATA,
    subjects: (n: { householdId: number }) => [{ kind: 'HOUSEHOLD' as const, householdId: n.householdId }],
    region: async (n: { regionCode: string; caseId: number; householdId: number }, ctx) => [
      ...new Set([n.regionCode, ...(await onCaseRegions({ caseId: n.caseId, householdId: n.householdId, townshipCode: n.regionCode.slice(0, 9) }, ctx))]),
    ],
    fields: Object.fromEntries(
      ['id', 'alert', 'case', 'village', 'householdHead', 'householdSize', 'measures', 'postedOn', 'period', 'endsOn', 'provisional', 'running', 'objectionContact', 'objectionPhone', 'text', 'postedBy', 'recordedAt', 'objections', 'correction', 'withdrawn'].map((f) => [f, 'IN_SCOPE' as const]),
    ),
    sameSubject: ['alert', 'case'],
  },
  VillageNoticeUserError: { kind: 'OPEN', why: 'why a notice was refused; codes and messages name no person' },
  VillageNoticeWarning: { kind: 'OPEN', why: 'a posted notice’s warning to its verifier; a code and days, no person' },
  AlertNoticePostPayload: OPEN_CONTAINER,
  AlertNoticeObjectionPayload: OPEN_CONTAINER,
  AlertNoticeWithdrawPayload: OPEN_CONTAINER,
  AlertNoticeObjectionResolvePayload: OPEN_CONTAINER,
  NoticeWithdrawal: { kind: 'OPEN', why: 'reached only through VillageNotice.withdrawn (in scope); when, the client and officer, and a reason held to a notice’s words' },
  NoticeObjection: { kind: 'OPEN', why: 'reached only through VillageNotice.objections (in scope) or its resolution’s payload (its verifier); a day, a kind, the recording and resolving clients and a reason held to a notice’s words, no objector' },
  AlertConnection: OPEN_CONTAINER,
  AlertEdge: OPEN_CONTAINER,
  Trigger: OPEN_CATALOGUE,
  AlertUserError: { kind: 'OPEN', why: 'why a write was refused; codes and messages name no person' },
  AlertAcknowledgePayload: OPEN_CONTAINER,
  AlertVerifyPayload: OPEN_CONTAINER,
  AlertDismissPayload: OPEN_CONTAINER,
  AlertTakeOverPayload: OPEN_CONTAINER,
  // schema/monitoring-monthly.graphql: a run's division, month and counts.
  MonthlyComparison: { kind: 'OPEN', why: 'a run of the monthly comparison: division, month, state and counts; names no person' },
  MonthlyComparisonUserError: { kind: 'OPEN', why: 'why a start was refused; names no person' },
  MonthlyComparisonRunPayload: OPEN_CONTAINER,
  // schema/alert-delivery.graphql: subscriptions and their deliveries, reached only through the
  // administrators' fields below. A delivery names its alert by id only; no person, no secret.
  AlertSubscription: { kind: 'OPEN', why: 'an API client’s callback, regions and filters; names no person; the signing secret is not a field' },
  AlertDelivery: { kind: 'OPEN', why: 'one push’s delivery id, state and attempts; names its alert by id only, no person' },
  AlertDeliveryCounts: OPEN_CONTAINER,
  AlertDeliveryNotice: { kind: 'OPEN', why: 'a dead-letter notice: subscriber, subscription and delivery id; names no person' },
  AlertSubscriptionConnection: OPEN_CONTAINER,
  AlertSubscriptionEdge: OPEN_CONTAINER,
  AlertDeliveryConnection: OPEN_CONTAINER,
  AlertDeliveryEdge: OPEN_CONTAINER,
  AlertDeliveryUserError: { kind: 'OPEN', why: 'why a write was refused; codes and messages name no person' },
  AlertSubscriptionCreatePayload: { kind: 'OPEN', why: 'the subscription just created and its secret, once, to the administrator who created it' },
  AlertSubscriptionRevokePayload: OPEN_CONTAINER,
  AlertDeliveryReplayPayload: OPEN_CONTAINER,
  MeetingRecordPayload: OPEN_CONTAINER,
  ReferralPayload: OPEN_CONTAINER,
  DecisionCorrectPayload: OPEN_CONTAINER,

  // schema/charity.graphql: consent and needs are about one household; charities see summaries
  // (no personal data) and, after claiming, the sealed detail, audited as an access to the household.
  CharityConsent: {
    kind: 'PERSONAL',
    readBy: CHARITY_CASE_DATA,
    subjects: (c: { householdId: number }) => [{ kind: 'HOUSEHOLD', householdId: c.householdId }],
    region: (c: { householdId: number }, ctx) => householdRegion(c.householdId, ctx),
    fields: Object.fromEntries(['id', 'household', 'scopes', 'givenBy', 'recordedByClient', 'recordedByOfficer', 'recordedAt', 'expiresOn', 'revokedAt', 'revokedByOfficer'].map((f) => [f, 'IN_SCOPE' as const])),
    sameSubject: ['household'],
  },
  CharityNeed: {
    kind: 'PERSONAL',
    readBy: CHARITY_CASE_DATA,
    subjects: (n: { householdId: number }) => [{ kind: 'HOUSEHOLD', householdId: n.householdId }],
    region: (n: { caseId: number; householdId: number }, ctx) => needRegions(n, ctx),
    fields: Object.fromEntries(
      ['id', 'case', 'alert', 'consent', 'purpose', 'urgency', 'county', 'uncoveredFen', 'pledgedFen', 'deliveredFen', 'description', 'involvesHealth', 'involvesMinor', 'state', 'closeReason', 'publishedAt', 'closedAt', 'pledges', 'deliveries', 'deliveryHistory', 'matchingProjects', 'claimReleases', 'claimsHeld', 'officer', 'withdrawnByOfficer', 'governmentAidPendingReason', 'governmentAidPending'].map((f) => [f, 'IN_SCOPE' as const]),
    ),
    sameSubject: ['case', 'consent'],
  },
  CharityNeedDetail: {
    kind: 'PERSONAL',
    readBy: CHARITY_DETAIL,
    subjects: (d: { need: { householdId: number } }) => [{ kind: 'HOUSEHOLD', householdId: d.need.householdId }],
    region: (d: { need: { householdId: number } }, ctx) => householdRegion(d.need.householdId, ctx),
    fields: Object.fromEntries(
      ['id', 'purpose', 'urgency', 'township', 'uncoveredFen', 'pledgedFen', 'remainingFen', 'description', 'involvesHealth', 'involvesMinor', 'forWholeHousehold', 'caseReference', 'caseOwner', 'state', 'claimLapsesOn', 'myPledges', 'governmentAidPending', 'governmentAidPendingReason'].map((f) => [f, 'IN_SCOPE' as const]),
    ),
  },
  PendingGovernmentAid: { kind: 'OPEN', why: 'reached only through CharityNeed.governmentAidPending (the need in scope, its household audited): a decision slip’s programme, office, amount and due day; names no person' },
  CharityNeedSummaryConnection: OPEN_CONTAINER,
  CharityNeedSummaryEdge: OPEN_CONTAINER,
  CharityNeedSummary: { kind: 'OPEN', why: 'the public summary of a need: purpose, amount band, county, urgency; no person, no exact amount, no health detail' },
  CharityOrganisation: OPEN_CATALOGUE,
  CharityProject: OPEN_CATALOGUE,
  CharityClaim: { kind: 'OPEN', why: 'an organisation’s claim on a need: need id, the organisation and dates, no person' },
  CharityPledge: { kind: 'OPEN', why: 'an organisation’s pledge: need id and amounts, and the officer it named (a staff identifier, as X-Officer); no person aided' },
  CharityDelivery: { kind: 'OPEN', why: 'an organisation’s delivery: need id, amounts, its own reference and the officer it named (a staff identifier, as X-Officer); the beneficiary is not shown' },
  CharityUserError: { kind: 'OPEN', why: 'why a write was refused; codes and messages name no person' },
  CharityConsentPayload: OPEN_CONTAINER,
  CharityNeedPayload: OPEN_CONTAINER,
  CharityOrganisationPayload: OPEN_CONTAINER,
  CharityProjectPayload: OPEN_CONTAINER,
  CharityClaimPayload: OPEN_CONTAINER,
  CharityPledgePayload: OPEN_CONTAINER,
  CharityDeliveryPayload: OPEN_CONTAINER,
  CharityDeliveryCorrectionPayload: OPEN_CONTAINER,
  CharityPledgeReducePayload: OPEN_CONTAINER,
  CharityPledgeReduction: { kind: 'OPEN', why: 'an organisation’s reduction of its own pledge: amounts, its reason and reference, no person' },
  CharityClaimRelease: { kind: 'OPEN', why: 'an organisation’s release of its own claim: need id, dates, its reason and reference, no person' },
  CharityClaimReleasePayload: OPEN_CONTAINER,
  // schema/legal-aid.graphql
  SocialAssistanceStanding: { kind: 'OPEN', why: 'reached only through socialAssistanceStanding (a legal-aid office, its one applicant anywhere the hub holds, audited): whether a recipient on a day, the programmes by code and name, the departments not read; no amount, member or illness' },
};

// ----- Root fields ------------------------------------------------------------------------------

/** Where an argument value names a subject or a region. Paths: `idNumber`, `ids[]`, `input.householdId`. */
export type ArgumentKind = 'PERSON_ID' | 'HOUSEHOLD_ID' | 'REGION';

export interface RootRule {
  /** The caller must hold one of these roles, and that role must allow the stated purpose. */
  roles: readonly Role[];
  /** Purposes this field serves. null: it reads no personal data and needs no purpose. */
  purposes: readonly Purpose[] | null;
  /**
   * Subjects outside the caller's scope: LIMITED gives the duplicate-check view (purpose
   * DUPLICATE_CHECK only); DENY refuses them (look-ups by hub id, which can be enumerated); OMIT
   * leaves them out of a returned list (an inbox or a report shows what lies in scope); HIDE answers
   * null, as for an id that does not exist (look-ups of cases, slips and findings, whose ids a
   * caller outside their region has no way to know: a refusal would confirm they exist).
   */
  outOfScope: 'LIMITED' | 'DENY' | 'OMIT' | 'HIDE';
  /** Arguments that name subjects (audited even when the call is refused) or regions (must be in scope). */
  args?: Record<string, ArgumentKind>;
  /** The subjects named by PERSON_ID / HOUSEHOLD_ID arguments must be in the caller's scope. */
  argumentSubjectsInScope?: boolean;
  /**
   * Whose subjects the field answers for. REGION (omitted): the caller's region scope, as the rules
   * above say. HUB: any person the hub holds, the hub's whole area, whatever the caller's region
   * scope; the subjects its arguments name are not held to that scope (a person the hub holds
   * nothing of is answered as one it holds, so the answer does not tell where either lives). Only
   * for a field whose answer carries no region, household or other member: the scope it widens is
   * this field's, and every other field, the same caller's person look-up among them, keeps the
   * caller's. socialAssistanceStanding alone: 法律援助法 第三十八条 has an applicant apply where the
   * case is handled, not where they live.
   */
  scope?: 'REGION' | 'HUB';
  /**
   * List arguments (paths such as `input.records`) whose length the field bounds itself, exempt
   * from `MAX_LIST_SIZE`: aidReport takes up to MAX_REPORT_BATCH (1,000) records and answers more
   * with its own userError, BATCH_TOO_LARGE. Lists inside them are still capped.
   */
  listsBoundByField?: readonly string[];
  /**
   * The resolver answers a household id that does not exist with its own not-found code (caseOpen:
   * HOUSEHOLD_NOT_FOUND). With `argumentSubjectsInScope`, such an id reaches it from a province- or
   * city-wide caller whose scope covers every household the hub holds (a city's, while the hub holds
   * only the city's households): for that caller OUT_OF_SCOPE would be untrue, and "not found"
   * tells it nothing about households it may not see, since there are none. Any other caller (a
   * county, a township, a city while the hub holds households of another) is refused OUT_OF_SCOPE
   * as for a household outside its scope, so the answer does not tell it whether an id outside its
   * scope exists.
   */
  missingHouseholdAnswered?: boolean;
  /**
   * The resolver answers null for a household or person the hub does not hold (`household(id)`,
   * an entry of `households(ids)`, `person`, `householdByMember`). Where a subject outside the
   * caller's scope is refused, such a null would tell a county's or township's caller which ids and
   * ID numbers the hub holds outside its scope; so it is refused OUT_OF_SCOPE too, exactly as one
   * outside the scope is. It stays null only where it tells nothing about what lies outside: for a
   * caller given the LIMITED view outside its scope (a duplicate check shows existence by design),
   * for a subject the hub holds inside the caller's scope (`householdByMember` of a person in no
   * household), and for a province- or city-wide caller outside whose scope the hub holds no
   * household and no person (see `missingHouseholdAnswered`).
   */
  notFoundOutOfScope?: boolean;
  /**
   * The result is about the subjects the arguments name (a pre-grant check about its beneficiary):
   * it takes the view those subjects give (FULL in scope, else by `outOfScope`), and its type
   * declares no region of its own.
   */
  viewFromArguments?: boolean;
  /**
   * A charity's client (department CHARITY) may call it with DEPARTMENT_WRITER: reporting its own
   * aid and reading back its own entries. Every other field a data role serves is closed to it.
   */
  charityReporter?: boolean;
  /** Only callers of these offices (omitted: any); another is refused FORBIDDEN, ROLE_NOT_ALLOWED. */
  departments?: readonly OfficeCode[];
  /**
   * The call is this purpose's work whatever purpose it is stated for (publishing a need from an
   * alert, stated for MONITORING, still passes the household's need to charities): a role serves it
   * only on a client whose office may hold the role for that purpose (ROLE_OFFICES, roleServes).
   */
  workOf?: Purpose;
}

export const ROOT_RULES: Record<string, Record<string, RootRule>> = {
  Query: {
    // schema/findings.graphql. A scan's findings are shown within the caller's region scope.
    rules: { roles: ALL_ROLES, purposes: null, outOfScope: 'DENY' },
    preGrantCheck: { roles: ['DEPARTMENT_WRITER', 'CASEWORKER'], purposes: ['DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'], outOfScope: 'LIMITED', args: { 'input.beneficiaryIdNumber': 'PERSON_ID' }, viewFromArguments: true },
    // A scan's division must overlap the caller's scope, or it reads as not found (resolvers/findings.ts scanInReach).
    scan: { roles: [...DATA_ROLES, 'ADMINISTRATOR'], purposes: ['MONITORING', 'DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'], outOfScope: 'HIDE' },
    scans: { roles: [...DATA_ROLES, 'ADMINISTRATOR'], purposes: null, outOfScope: 'DENY' },
    finding: { roles: [...DATA_ROLES, 'ADMINISTRATOR'], purposes: ['MONITORING', 'DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'], outOfScope: 'HIDE' },
    household: { roles: DATA_ROLES, purposes: READ_PURPOSES, outOfScope: 'DENY', args: { id: 'HOUSEHOLD_ID' }, notFoundOutOfScope: true },
    // Served only as a federation subgraph (AIDHUB_SUBGRAPH=1): a router resolving Household
    // references is `households(ids:)` by another name, with the caller's own token and purpose;
    // every household named must lie in the caller's scope, and each is audited.
    _entities: { roles: DATA_ROLES, purposes: READ_PURPOSES, outOfScope: 'DENY', args: { 'representations[].id': 'HOUSEHOLD_ID' }, argumentSubjectsInScope: true },
    _service: { roles: ALL_ROLES, purposes: null, outOfScope: 'DENY' },
    households: { roles: DATA_ROLES, purposes: READ_PURPOSES, outOfScope: 'DENY', args: { 'ids[]': 'HOUSEHOLD_ID' }, notFoundOutOfScope: true },
    householdByMember: { roles: DATA_ROLES, purposes: READ_PURPOSES, outOfScope: 'LIMITED', args: { idNumber: 'PERSON_ID' }, notFoundOutOfScope: true },
    person: { roles: DATA_ROLES, purposes: READ_PURPOSES, outOfScope: 'LIMITED', args: { idNumber: 'PERSON_ID' }, notFoundOutOfScope: true },
    householdsInRegion: { roles: DATA_ROLES, purposes: ['ELIGIBILITY_REVIEW', 'MONITORING', 'CASE_MEETING'], outOfScope: 'DENY', args: { code: 'REGION' } },
    caller: { roles: ALL_ROLES, purposes: null, outOfScope: 'DENY' },
    accessLog: { roles: ['AUDITOR'], purposes: ['AUDIT'], outOfScope: 'DENY', args: { idNumber: 'PERSON_ID' }, argumentSubjectsInScope: true },
    householdAccessLog: { roles: ['AUDITOR'], purposes: ['AUDIT'], outOfScope: 'DENY', args: { householdId: 'HOUSEHOLD_ID' }, argumentSubjectsInScope: true },
    // The client audited must lie within the auditor's scope; the resolver refuses one outside it as it refuses a name no client has (resolvers/access/resolvers.ts).
    clientAccessLog: { roles: ['AUDITOR'], purposes: ['AUDIT'], outOfScope: 'DENY' },
    // The same for the client whose look-ups are listed (an audit of auditors).
    clientAuditLookups: { roles: ['AUDITOR'], purposes: ['AUDIT'], outOfScope: 'DENY' },
    // schema/cases.graphql
    // Supervision reads what the case roles read here (SUPERVISION); every write below is closed to it.
    case: { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: [...CASE_PURPOSES, ...SUPERVISION.purposes], outOfScope: 'HIDE' },
    referral: { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: [...CASE_PURPOSES, ...SUPERVISION.purposes], outOfScope: 'HIDE' },
    // An office reads its own desk; supervision any office's in its scope (resolvers/cases NOT_OWN_OFFICE).
    referralsToOffice: { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: ['REFERRAL', 'CASE_MEETING', 'MONITORING', ...SUPERVISION.purposes], outOfScope: 'DENY' },
    // The same inbox a page at a time: the same roles, purposes and office check (resolvers/cases inboxAsked).
    referralInbox: { roles: [...DATA_ROLES, ...SUPERVISION.roles], purposes: ['REFERRAL', 'CASE_MEETING', 'MONITORING', ...SUPERVISION.purposes], outOfScope: 'DENY' },
    overdueReport: { roles: [...CASE_ROLES, ...SUPERVISION.roles], purposes: ['CASE_MEETING', 'REFERRAL', 'MONITORING', ...SUPERVISION.purposes], outOfScope: 'DENY', args: { regionCode: 'REGION' } },
    workingDayCalendar: { roles: ALL_ROLES, purposes: null, outOfScope: 'DENY' },
    // schema/monitoring.graphql: the inbox lists what lies in the caller's scope; an alert out of reach reads as not found.
    alerts: { roles: DATA_ROLES, purposes: ['MONITORING'], outOfScope: 'OMIT', args: { 'filter.regionCode': 'REGION' } },
    alert: { roles: DATA_ROLES, purposes: ['MONITORING', ...CASE_PURPOSES], outOfScope: 'HIDE' },
    triggers: { roles: ALL_ROLES, purposes: null, outOfScope: 'DENY' },
    // schema/monitoring-monthly.graphql: runs (counts, no person) of divisions within the caller's scope.
    monthlyComparisons: { roles: [...DATA_ROLES, 'ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY', args: { regionCode: 'REGION' } },
    // schema/alert-delivery.graphql: subscriptions whose regions all lie in the administrator's scope (resolvers/alert-delivery).
    alertSubscriptions: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertDeadLetters: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertDeliveryNotices: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    // schema/charity.graphql. Summaries are filtered to the caller's scope by the resolver; the
    // sealed detail is null without an active claim of the caller's organisation.
    charityNeeds: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY', args: { regionCode: 'REGION' } },
    charityNeedSummaries: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY', args: { regionCode: 'REGION' } },
    charityNeedDetail: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'HIDE' },
    charityProjects: { roles: [...DATA_ROLES, 'CHARITY'], purposes: null, outOfScope: 'DENY' },
    charityNeedsOfCase: { roles: DATA_ROLES, purposes: [...CASE_PURPOSES, 'CHARITY_LINKAGE'], outOfScope: 'OMIT' },
    // schema/reported-aid.graphql: a reporter reads back only its own entries (resolvers/reported-aid).
    reportedAidReconciliation: { roles: ['DEPARTMENT_WRITER'], purposes: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK'], outOfScope: 'DENY', charityReporter: true },
    reportedAidHistory: { roles: ['DEPARTMENT_WRITER'], purposes: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK'], outOfScope: 'DENY', charityReporter: true },
    // The entries aidReport would refuse today (PERIOD_TOO_LONG), within the caller's scope: a reporting office its own,
    // civil affairs and supervision every reporter's (resolvers/reported-aid/beyond-term.ts, NOT_LEDGER_REVIEWER otherwise).
    reportedAidBeyondTerm: { roles: LEDGER_REVIEW.roles, purposes: LEDGER_REVIEW.purposes, outOfScope: 'OMIT', args: { regionCode: 'REGION' } },
    // schema/legal-aid.graphql: a legal-aid office's one question about one applicant (法律援助法 第四十二条).
    // Not supervision's: it reads no person beyond what a case shows. Answered for any person the
    // hub holds, not only the office's county: 法律援助法 第三十八条 has a litigation matter's applicant
    // apply to the office where the case is handled (办案机关所在地), not where they live, and the
    // answer carries no region, household or member (README, "Legal aid's means-check exemption").
    socialAssistanceStanding: { roles: ['READER'], purposes: ['LEGAL_AID_MEANS_CHECK'], outOfScope: 'DENY', args: { idNumber: 'PERSON_ID' }, scope: 'HUB', departments: ['JUSTICE'] },
  },
  Mutation: {
    // schema/findings.graphql. Settling also requires the caller's department to be concerned (db/findings/store.ts).
    scanStart: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY', args: { 'input.regionCode': 'REGION' } },
    findingConfirm: { roles: ['DEPARTMENT_WRITER', 'CASEWORKER'], purposes: ['DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'], outOfScope: 'DENY' },
    findingDismiss: { roles: ['DEPARTMENT_WRITER', 'CASEWORKER'], purposes: ['DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'], outOfScope: 'DENY' },
    findingResolve: { roles: ['DEPARTMENT_WRITER', 'CASEWORKER'], purposes: ['DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'], outOfScope: 'DENY' },
    // schema/cases.graphql. Who may act on which case (its owner, a slip's receiving office) is checked by the case writes.
    // schema/monitoring.graphql: the alert's verifier signs for, verifies and dismisses (out of reach: ALERT_NOT_FOUND; in reach but
    // not its verifier: NOT_ALERT_VERIFIER, checked by the resolver); county or city civil affairs takes it over (NOT_ALERT_SUPERVISOR).
    alertAcknowledge: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertVerify: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertDismiss: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertTakeOver: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    // The village notice of a verified alert: its verifier (out of reach: ALERT_NOT_FOUND; another office: NOT_ALERT_VERIFIER).
    alertNoticePost: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertNoticeObjectionRecord: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertNoticeWithdraw: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertNoticeObjectionResolve: { roles: ['CASEWORKER'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    // The monthly comparison on demand: a region-wide job like a scan, for administrators, over a division within their scope.
    monthlyComparisonRun: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY', args: { 'input.regionCode': 'REGION' } },
    // Alert subscriptions, as `npm run subscriptions` (issue 11): every region subscribed must lie in the
    // administrator's scope; a subscription or delivery outside it reads as not found (resolvers/alert-delivery).
    alertSubscriptionCreate: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY', args: { 'input.regionCodes[]': 'REGION' } },
    alertSubscriptionRevoke: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    alertDeliveryReplay: { roles: ['ADMINISTRATOR'], purposes: ['MONITORING'], outOfScope: 'DENY' },
    caseOpen: { roles: CASE_ROLES, purposes: CASE_PURPOSES, outOfScope: 'DENY', args: { 'input.householdId': 'HOUSEHOLD_ID' }, argumentSubjectsInScope: true, missingHouseholdAnswered: true },
    caseTransition: { roles: CASE_ROLES, purposes: CASE_PURPOSES, outOfScope: 'DENY' },
    // 移交 to the county the household moved to: the case's convener (the owning office, checked by the write).
    caseHandOver: { roles: ['MEETING_CONVENER'], purposes: ['CASE_MEETING'], outOfScope: 'DENY' },
    // 先行救助 and its materials: the case's owning office (checked by the write), as caseTransition.
    caseFirstAid: { roles: CASE_ROLES, purposes: CASE_PURPOSES, outOfScope: 'DENY' },
    caseMaterialsComplete: { roles: CASE_ROLES, purposes: CASE_PURPOSES, outOfScope: 'DENY' },
    // 转交县级审批: the township office that owns the case (checked by the write).
    caseForwardForApproval: { roles: CASE_ROLES, purposes: CASE_PURPOSES, outOfScope: 'DENY' },
    meetingRecord: { roles: ['MEETING_CONVENER'], purposes: ['CASE_MEETING'], outOfScope: 'DENY' },
    referralIssue: { roles: CASE_ROLES, purposes: ['REFERRAL', 'CASE_MEETING'], outOfScope: 'DENY' },
    referralAccept: { roles: SLIP_ANSWER_ROLES, purposes: ['REFERRAL', 'CASE_MEETING'], outOfScope: 'DENY' },
    referralComplete: { roles: SLIP_ANSWER_ROLES, purposes: ['REFERRAL', 'CASE_MEETING'], outOfScope: 'DENY' },
    referralDecline: { roles: SLIP_ANSWER_ROLES, purposes: ['REFERRAL', 'CASE_MEETING'], outOfScope: 'DENY' },
    // A declined decision is resolved by the convener (the case's owner, checked by the write).
    referralReassign: { roles: ['MEETING_CONVENER'], purposes: ['CASE_MEETING'], outOfScope: 'DENY' },
    referralWaive: { roles: ['MEETING_CONVENER'], purposes: ['CASE_MEETING'], outOfScope: 'DENY' },
    // A forwarded matter's slip taken back by the office that issues the case's slips (the case's owner, checked by the write), as referralIssue.
    referralWithdraw: { roles: CASE_ROLES, purposes: ['REFERRAL', 'CASE_MEETING'], outOfScope: 'DENY' },
    // A meeting's decisions corrected after the meeting (a later decision on its record): its convener, the case's owner (checked by the write).
    decisionCorrect: { roles: ['MEETING_CONVENER'], purposes: ['CASE_MEETING'], outOfScope: 'DENY' },
    // schema/charity.graphql. The office's writes also check the household lies in the caller's scope (resolvers/charity).
    charityConsentRecord: { roles: ['CASEWORKER'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY', args: { 'input.householdId': 'HOUSEHOLD_ID' }, argumentSubjectsInScope: true },
    charityConsentRevoke: { roles: ['CASEWORKER'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    charityNeedPublish: { roles: ['CASEWORKER'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    // From a verified alert, in one step: its verifier (NOT_ALERT_VERIFIER otherwise), in its monitoring work or for charity linkage (the alert and its case must lie in the caller's scope, checked by resolvers/charity).
    charityNeedPublishFromAlert: { roles: ['CASEWORKER'], purposes: ['CHARITY_LINKAGE', 'MONITORING'], outOfScope: 'DENY', workOf: 'CHARITY_LINKAGE' },
    charityNeedWithdraw: { roles: ['CASEWORKER'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    // A charity's writes also check the need lies in its scope and that it holds a claim (db/charity/store.ts).
    charityOrganisationRegister: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    charityProjectCreate: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY', args: { 'input.regionCode': 'REGION' } },
    charityNeedClaim: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    charityPledgeCreate: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    charityDeliveryReport: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    // Only the organisation that made the entry corrects it (resolvers/charity/linkage.ts): the hub has no role supervising charities' entries.
    charityDeliveryCancel: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    charityDeliveryCorrect: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    charityPledgeReduce: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    // Only the organisation's own claim (resolvers/charity/linkage.ts); the need must lie in its scope.
    charityClaimRelease: { roles: ['CHARITY'], purposes: ['CHARITY_LINKAGE'], outOfScope: 'DENY' },
    // schema/reported-aid.graphql: only a reporter office or a registered charity records (checked by the resolver); every beneficiary is audited.
    aidReport: { roles: ['DEPARTMENT_WRITER'], purposes: ['ELIGIBILITY_REVIEW', 'DUPLICATE_CHECK'], outOfScope: 'LIMITED', args: { 'input.records[].beneficiaryIdNumber': 'PERSON_ID' }, listsBoundByField: ['input.records'], charityReporter: true },
  },
};

// ----- Non-GraphQL routes -----------------------------------------------------------------------

export interface RouteRule {
  method: 'GET' | 'POST';
  /** Matched against the request path (no query string). */
  path: RegExp;
  roles: readonly Role[];
  purposes: readonly Purpose[] | null;
  description: string;
}

/** Routes other than /graphql; anything not listed (and not public) is refused. */
export const ROUTE_RULES: readonly RouteRule[] = [
  // server/exports.ts; the export also keeps to the caller's region scope and audits every person in it.
  { method: 'GET', path: new RegExp(`^\\/exports\\/scans\\/${HUB_ID_DIGITS}\\/findings\\.csv$`), roles: [...DATA_ROLES, 'ADMINISTRATOR'], purposes: ['MONITORING', 'DUPLICATE_CHECK'], description: 'a scan’s findings as CSV, for the office that must act' },
  // server/case-pages.ts; the page also keeps to the caller's region scope and audits the household.
  { method: 'GET', path: new RegExp(`^\\/cases\\/${HUB_ID_DIGITS}\\/brief$`), roles: [...CASE_ROLES, ...SUPERVISION.roles], purposes: ['CASE_MEETING', ...SUPERVISION.purposes], description: '一事一议 meeting brief of a case (printable HTML); to supervision without health detail' },
  // server/overdue-export.ts: Query.overdueReport's rule, so whoever reads the report reads its file (its region scope kept, every household listed audited).
  { method: 'GET', path: /^\/exports\/overdue\.csv$/, roles: ROOT_RULES.Query.overdueReport.roles, purposes: ROOT_RULES.Query.overdueReport.purposes, description: '督查通报: overdueReport’s tallies and overdue list as CSV' },
];

/** Served to anyone: liveness, readiness and the static query page (it holds no data). */
export const PUBLIC_PATHS: readonly string[] = ['/healthz', '/readyz', '/'];

// ----- Helpers over the tables above (pure) ------------------------------------------------------

/**
 * The audit subjects of an object of a personal type, as its rule names them (none for an open
 * type): for a write that acts on the object, which records them whatever its payload selects.
 */
export function subjectsOf(typeName: string, obj: object): Subject[] {
  const rule = TYPE_RULES[typeName];
  return rule?.kind === 'PERSONAL' && rule.subjects ? rule.subjects(obj) : [];
}

export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Whether a client of `department` acting in `role` may state `purpose`: the role may state it
 * (PURPOSES_BY_ROLE) and some root field or route serves it to that role for that department (the
 * rule's `purposes`, its `departments`, roleServes). Derived from the tables above, not declared a
 * second time: LEGAL_AID_MEANS_CHECK, which only `socialAssistanceStanding` serves, and only to
 * JUSTICE, is a purpose a JUSTICE reader may state and an EDUCATION reader may not. A purpose no
 * field would serve to the client is refused when the request's purpose is read (access/http.ts),
 * so the audit trail never records a purpose the client's department could not have.
 */
export function roleMayState(role: Role, purpose: Purpose, department: string, entries: readonly RoleOffices[] = activeRoleOffices()): boolean {
  if (!PURPOSES_BY_ROLE[role].includes(purpose)) return false;
  // Which offices may hold the role, for this purpose or at all (ROLE_OFFICES): SUPERVISION is civil affairs' work.
  if (!officeHoldsRole(role, department, purpose, entries)) return false;
  const rules: readonly (Pick<RootRule, 'roles' | 'purposes' | 'charityReporter' | 'departments' | 'workOf'>)[] = [...Object.values(ROOT_RULES.Query), ...Object.values(ROOT_RULES.Mutation), ...ROUTE_RULES];
  return rules.some((rule) => rule.purposes?.includes(purpose) && rule.roles.includes(role) && roleServes(role, rule, department, entries) && (!rule.departments || (rule.departments as readonly string[]).includes(department)));
}

/** Per ROLE_OFFICES in force (a site's widening, switched by tests), per department and roles. */
const stateable = new WeakMap<readonly RoleOffices[], Map<string, readonly Purpose[]>>();

/** Purposes a client of this department with these roles may state (roleMayState), in PURPOSES order; worked out once per department and role. */
export function purposesFor(roles: readonly Role[], department: string, entries: readonly RoleOffices[] = activeRoleOffices()): readonly Purpose[] {
  let known = stateable.get(entries);
  if (!known) stateable.set(entries, (known = new Map()));
  const key = `${department}:${[...roles].sort().join(',')}`;
  let purposes = known.get(key);
  if (!purposes) {
    purposes = PURPOSES.filter((p) => roles.some((r) => roleMayState(r, p, department, entries)));
    known.set(key, purposes);
  }
  return purposes;
}
