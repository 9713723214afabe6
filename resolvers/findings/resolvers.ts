/**
 * Duplicate-aid and missed-aid findings: the rule set, findings on households and people, the
 * pre-grant check, region scans and settling findings. Resolvers read arguments, call
 * resolvers/findings/live.ts, db/findings/store.ts or resolvers/findings/scan.ts, and map the result.
 */
import { GraphQLError } from 'graphql';
import type { HouseholdRow, PersonRow } from '../../db/household/loaders';
import { countScanFindings, scanFindingsPage, settleFinding, viewOfRow, type FindingEventRow, type FindingFilter, type FindingView, type ScanRow, type SettleError } from '../../db/findings/store';
import { listScans } from '../../db/findings/store';
import { currentScanState, scanJobs } from './scan';
import type { IsoDate } from '../../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { describeCondition } from '../../domain/findings/explain';
import type { AidCause, Measure } from '../../domain/findings/facts';
import type { Proposal } from '../../domain/findings/evaluate';
import type { Rule, Severity } from '../../domain/findings/rule-set';
import type { FindingStatus, SettleAction } from '../../domain/findings/settlement';
import { findingLoaders, householdFindings, personFindings, preGrantCheck } from './live';
import { activeRuleSet } from '../../rules/load';
import { departmentOf, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { badInput, requireIdNumber } from '../../access/errors';

// ----- Arguments ------------------------------------------------------------------------------------

const FINGERPRINT = /^[0-9a-f]{32}$/;

function requireFindingId(value: string, argument: string): string {
  if (!FINGERPRINT.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not a finding id`);
  return value;
}

function requireScanId(value: string, argument: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not a scan id`);
  return Number(value);
}

function pageSize(ctx: HubContext, first: number | null | undefined, fallback: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > ctx.config.maxListSize) throw badInput('first', 'OUT_OF_RANGE', `first must be between 1 and ${ctx.config.maxListSize}`, { max: ctx.config.maxListSize });
  return n;
}

function encodeCursor(kind: 'F' | 'S', id: number): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(kind: 'F' | 'S', cursor: string | null | undefined): number | null {
  if (!cursor) return null;
  const m = new RegExp(`^${kind}:([1-9]\\d{0,14})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badInput('after', 'MALFORMED_CURSOR', 'after is not a cursor this API gave out');
  return Number(m[1]);
}

interface FilterArg {
  rules?: string[] | null;
  severities?: Severity[] | null;
  departments?: DepartmentCode[] | null;
  townshipCode?: string | null;
  statuses?: FindingStatus[] | null;
}

const ACTIONABLE: FindingStatus[] = ['OPEN', 'CONFIRMED'];

/** The caller's region scope as a division prefix: a scan's findings are shown within it. */
function scopePrefix(ctx: HubContext): string | null {
  const scope = ctx.access?.caller?.regionScope;
  return scope && isDivisionCode(scope) ? divisionPrefix(scope) : null;
}

function filterOf(ctx: HubContext, arg: FilterArg | null | undefined): FindingFilter {
  if (arg?.townshipCode && !/^\d{9}$/.test(arg.townshipCode)) throw badInput('filter.townshipCode', 'MALFORMED_DIVISION_CODE', 'townshipCode is a 9-digit township code');
  return {
    ruleIds: arg?.rules ?? null,
    severities: arg?.severities ?? null,
    departments: arg?.departments ?? null,
    townshipCode: arg?.townshipCode ?? null,
    statuses: arg?.statuses?.length ? arg.statuses : ACTIONABLE,
    regionPrefix: scopePrefix(ctx),
  };
}

interface ProposalArg {
  beneficiaryIdNumber: string;
  programme: string;
  periodStart?: IsoDate | null;
  periodEnd?: IsoDate | null;
  grantDate?: IsoDate | null;
  amountFen: number;
  cause?: AidCause | null;
  secondAid?: boolean | null;
  settlementReference?: string | null;
  schoolYear?: string | null;
}

/** A proposal the rules can judge, or BAD_USER_INPUT naming the field that is wrong. */
function proposalOf(input: ProposalArg): Proposal {
  const programme = PROGRAMME_BY_CODE.get(input.programme);
  if (!programme) throw badInput('input.programme', 'UNKNOWN_PROGRAMME', 'programme is not a code of the hub’s programme catalogue');
  if (input.amountFen < 0) throw badInput('input.amountFen', 'OUT_OF_RANGE', 'amountFen cannot be negative');
  if (programme.kind === 'RECURRING') {
    if (!input.periodStart) throw badInput('input.periodStart', 'REQUIRED', `${programme.code} is paid over a period: give periodStart`);
    if (input.periodEnd && input.periodEnd < input.periodStart) throw badInput('input.periodEnd', 'EMPTY_PERIOD', 'periodEnd is before periodStart');
  } else if (!input.grantDate) throw badInput('input.grantDate', 'REQUIRED', `${programme.code} is granted once: give grantDate`);
  if (input.schoolYear && !/^(\d{4})-(\d{4})$/.test(input.schoolYear)) throw badInput('input.schoolYear', 'MALFORMED_SCHOOL_YEAR', 'schoolYear is written 2025-2026');
  const recurring = programme.kind === 'RECURRING';
  return {
    programme: programme.code as Proposal['programme'],
    beneficiaryIdNumber: requireIdNumber(input.beneficiaryIdNumber, 'input.beneficiaryIdNumber'),
    periodStart: recurring ? input.periodStart! : null,
    periodEnd: recurring ? (input.periodEnd ?? null) : null,
    grantDate: recurring ? null : input.grantDate!,
    amountFen: input.amountFen,
    cause: input.cause ?? null,
    secondAid: input.secondAid ?? false,
    settlementRef: input.settlementReference?.trim() || null,
    schoolYear: input.schoolYear ?? null,
  };
}

// ----- Rules and findings ----------------------------------------------------------------------------

function rules(): readonly Rule[] {
  return activeRuleSet().rules;
}

/** A stored finding of a rule since removed from the rule set still names it. */
function ruleById(id: string): Rule {
  return (
    rules().find((r) => r.id === id) ?? {
      id,
      kind: 'MISSED_AID',
      enabled: false,
      title: id,
      basis: '（该规则已不在现行规则集中）',
      severity: 'WARNING',
      scope: 'PERSON',
      when: [{ fact: 'HOLDS', programmes: ['DIBAO'] }],
      expected: { programmes: ['DIBAO'], within: { type: 'ACTIVE_TODAY' } },
    }
  );
}

function ruleProgrammes(rule: Rule): string[] {
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
    case 'SAME_PURPOSE_TWICE':
      return [...rule.first, ...rule.second];
    case 'MISSED_AID':
      return [...new Set([...rule.when.flatMap((c) => ('programmes' in c ? c.programmes : [])), ...rule.expected.programmes])];
    default:
      return [...rule.programmes];
  }
}

type MeasureObject = Record<string, unknown> & { __typename: string };

function measureOf(m: Measure): MeasureObject {
  switch (m.type) {
    case 'OVERLAP':
      return { __typename: 'PeriodOverlap', start: m.overlap.start, end: m.overlap.end, days: m.days };
    case 'SAME_PERIOD':
      return { __typename: 'SamePeriodFunding', period: m.period };
    case 'REPEATED':
      return { __typename: 'RepeatedGrants', cause: m.cause, count: m.count, windowMonths: m.windowMonths };
    case 'SETTLEMENT_EXCESS':
      return { __typename: 'SettlementExcess', settlementReference: m.settlementRef, settledOn: m.settledOn, burdenFen: m.burdenFen, aidFen: m.aidFen, excessFen: m.excessFen };
    case 'AFTER_DEATH':
      return { __typename: 'AidAfterDeath', deathDate: m.deathDate, from: m.unpaid.start, to: m.unpaid.end, months: m.months, excessFen: m.excessFen };
    case 'MISSED': {
      const cert = m.met.find((c) => c.fact === 'DISABILITY_CERTIFICATE');
      const oop = m.met.find((c) => c.fact === 'OUT_OF_POCKET');
      const grants = m.met.find((c) => c.fact === 'GRANTS');
      const student = m.met.find((c) => c.fact === 'STUDENT');
      return {
        __typename: 'MissedAid',
        expected: m.expected.map((p) => PROGRAMME_BY_CODE.get(p)),
        conditions: m.met.map(describeCondition),
        disabilityLevel: cert?.fact === 'DISABILITY_CERTIFICATE' ? cert.level : null,
        outOfPocketFen: oop?.fact === 'OUT_OF_POCKET' ? oop.totalFen : null,
        grantCount: grants?.fact === 'GRANTS' ? grants.count : null,
        schoolYear: student?.fact === 'STUDENT' ? student.schoolYear : null,
      };
    }
  }
}

function keep(views: FindingView[], args: { severities?: Severity[] | null; actionableOnly?: boolean | null }): FindingView[] {
  return views.filter((f) => (!args.severities?.length || args.severities.includes(f.severity)) && (!args.actionableOnly || ACTIONABLE.includes(f.status)));
}

/** DATETIME(3) text in UTC → ISO 8601. */
function isoInstant(text: string | null): string | null {
  return text === null ? null : `${text.replace(' ', 'T')}Z`;
}

// ----- Who acts -----------------------------------------------------------------------------------------

function callerOf(ctx: HubContext): { name: string; department: DepartmentCode } {
  const caller = ctx.access?.caller;
  if (!caller) throw new GraphQLError('This request carries no valid access token', { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' } });
  return { name: caller.name, department: caller.department };
}

const SETTLE_MESSAGES: Record<SettleError, string> = {
  FINDING_NOT_FOUND: 'no stored finding has this id; a scan of its division stores it',
  DEPARTMENT_NOT_CONCERNED: 'your department is not among the departments this finding concerns',
  REASON_REQUIRED: 'a dismissal needs a reason',
  NO_CHANGE: 'the finding already has this status',
};

function settleField(code: SettleError): string[] {
  if (code === 'REASON_REQUIRED') return ['input', 'reason'];
  return ['input', 'findingId'];
}

async function settleBy(ctx: HubContext, action: SettleAction, input: { findingId: string; reason?: string | null; note?: string | null; officer?: string | null }) {
  const id = requireFindingId(input.findingId, 'input.findingId');
  const officer = input.officer?.trim() || null;
  if (officer && officer.length > 64) throw badInput('input.officer', 'TOO_LONG', 'officer is at most 64 characters');
  const caller = callerOf(ctx);
  const scope = scopePrefix(ctx);
  const current = await findingLoaders(ctx).stored.load(id);
  if (current && scope !== null && !(current.regionCode ?? '').startsWith(scope)) {
    throw new GraphQLError('This finding concerns a household outside your region scope', { extensions: { code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' } });
  }
  const text = action === 'DISMISS' ? (input.reason ?? null) : (input.note ?? null);
  if (text && text.length > 2000) throw badInput(action === 'DISMISS' ? 'input.reason' : 'input.note', 'TOO_LONG', 'at most 2000 characters');
  const out = await settleFinding(ctx.hub, id, action, { actor: caller.name, department: caller.department, officer }, text);
  if (!out.ok) return { finding: null, userErrors: [{ code: out.code, message: SETTLE_MESSAGES[out.code], field: settleField(out.code) }] };
  findingLoaders(ctx).stored.clear(id).prime(id, out.row);
  return { finding: viewOfRow(out.row), userErrors: [] };
}

// ----- Resolvers ----------------------------------------------------------------------------------------

export const findingResolvers = {
  Query: {
    rules: () => rules(),

    preGrantCheck: async (_: unknown, args: { input: ProposalArg }, ctx: HubContext) => {
      const result = await preGrantCheck(ctx, proposalOf(args.input), rules());
      return {
        findings: result.findings,
        clear: !result.findings.some((f) => f.severity === 'CONFLICT' || f.severity === 'WARNING'),
        conflicts: result.findings.filter((f) => f.severity === 'CONFLICT').length,
        warnings: result.findings.filter((f) => f.severity === 'WARNING').length,
        complete: result.unavailable.length === 0,
        consulted: result.consulted.map(departmentOf),
      };
    },

    scan: (_: unknown, args: { id: string }, ctx: HubContext) => findingLoaders(ctx).scanById.load(requireScanId(args.id, 'id')),

    scans: async (_: unknown, args: { regionCode?: string | null; first?: number | null; after?: string | null }, ctx: HubContext) => {
      if (args.regionCode && !isDivisionCode(args.regionCode)) throw badInput('regionCode', 'MALFORMED_DIVISION_CODE', 'regionCode must be a division code of 6, 9 or 12 digits');
      const page = await listScans(ctx.hub, args.regionCode ?? null, pageSize(ctx, args.first, 20), decodeCursor('S', args.after));
      const edges = page.rows.map((node) => ({ cursor: encodeCursor('S', node.id), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    finding: async (_: unknown, args: { id: string }, ctx: HubContext) => {
      const row = await findingLoaders(ctx).stored.load(requireFindingId(args.id, 'id'));
      return row ? viewOfRow(row) : null;
    },
  },

  Mutation: {
    scanStart: async (_: unknown, args: { input: { regionCode: string } }, ctx: HubContext) => {
      const code = args.input.regionCode;
      if (!isDivisionCode(code)) throw badInput('input.regionCode', 'MALFORMED_DIVISION_CODE', 'regionCode must be a division code of 6, 9 or 12 digits');
      const caller = callerOf(ctx);
      const started = await scanJobs.start({ hub: ctx.hub, sources: ctx.sources, ruleSet: activeRuleSet(), today: ctx.today }, code, caller.name, caller.department);
      const scan = await findingLoaders(ctx).scanById.load(started.scanId);
      if (started.ok) return { scan, userErrors: [] };
      return { scan, userErrors: [{ code: started.code, message: 'a scan of an overlapping division is running', field: ['input', 'regionCode'] }] };
    },
    findingConfirm: (_: unknown, args: { input: { findingId: string; note?: string | null; officer?: string | null } }, ctx: HubContext) => settleBy(ctx, 'CONFIRM', args.input),
    findingDismiss: (_: unknown, args: { input: { findingId: string; reason: string; officer?: string | null } }, ctx: HubContext) => settleBy(ctx, 'DISMISS', args.input),
    findingResolve: (_: unknown, args: { input: { findingId: string; note?: string | null; officer?: string | null } }, ctx: HubContext) => settleBy(ctx, 'RESOLVE', args.input),
  },

  Household: {
    findings: async (h: HouseholdRow, args: { severities?: Severity[] | null; actionableOnly?: boolean | null }, ctx: HubContext) => keep(await householdFindings(ctx, h.id, rules()), args),
  },

  Person: {
    findings: async (p: PersonRow, args: { severities?: Severity[] | null; actionableOnly?: boolean | null }, ctx: HubContext) => keep(await personFindings(ctx, p.idNumber, rules()), args),
  },

  Rule: {
    programmes: (r: Rule) => ruleProgrammes(r).map((p) => PROGRAMME_BY_CODE.get(p)),
    windowMonths: (r: Rule) => {
      if (r.kind === 'REPEATED_GRANTS') return r.windowMonths;
      if (r.kind === 'MISSED_AID') return r.when.map((c) => ('windowMonths' in c ? c.windowMonths : null)).find((w) => w !== null) ?? null;
      return null;
    },
    thresholdFen: (r: Rule) => (r.kind === 'MISSED_AID' ? (r.when.map((c) => (c.fact === 'OUT_OF_POCKET' ? c.minFen : null)).find((w) => w !== null) ?? null) : null),
  },

  Finding: {
    id: (f: FindingView) => f.fingerprint,
    rule: (f: FindingView) => ruleById(f.ruleId),
    household: (f: FindingView, _: unknown, ctx: HubContext) => (f.householdId === null ? null : ctx.loaders.hub.householdById.load(f.householdId)),
    people: async (f: FindingView, _: unknown, ctx: HubContext) => (await ctx.loaders.hub.personByIdNumber.loadMany(f.idNumbers)).filter((p): p is PersonRow => p !== null && !(p instanceof Error)),
    measure: (f: FindingView) => measureOf(f.measure),
    departments: (f: FindingView) => f.departments.map(departmentOf),
    basis: (f: FindingView) => ruleById(f.ruleId).basis,
    firstSeenScan: (f: FindingView, _: unknown, ctx: HubContext) => (f.stored ? findingLoaders(ctx).scanById.load(f.stored.firstScanId) : null),
    lastSeenScan: (f: FindingView, _: unknown, ctx: HubContext) => (f.stored ? findingLoaders(ctx).scanById.load(f.stored.lastScanId) : null),
    events: (f: FindingView, _: unknown, ctx: HubContext) => (f.stored ? findingLoaders(ctx).eventsByFinding.load(f.stored.id) : []),
  },

  PreGrantFinding: {
    rule: (f: { ruleId: string }) => ruleById(f.ruleId),
    measure: (f: { measure: Measure }) => measureOf(f.measure),
    departments: (f: { departments: DepartmentCode[] }) => f.departments.map(departmentOf),
    basis: (f: { ruleId: string }) => ruleById(f.ruleId).basis,
  },

  FindingMeasure: {
    __resolveType: (m: MeasureObject) => m.__typename,
  },

  FindingEvent: {
    department: (e: FindingEventRow) => (e.actorDepartment && (DEPARTMENT_CODES as readonly string[]).includes(e.actorDepartment) ? departmentOf(e.actorDepartment as DepartmentCode) : null),
    scan: (e: FindingEventRow, _: unknown, ctx: HubContext) => (e.scanId === null ? null : findingLoaders(ctx).scanById.load(e.scanId)),
    at: (e: FindingEventRow) => isoInstant(e.at),
  },

  Scan: {
    id: (s: ScanRow) => String(s.id),
    state: (s: ScanRow) => currentScanState(s).state,
    failure: (s: ScanRow) => currentScanState(s).failure,
    region: async (s: ScanRow, _: unknown, ctx: HubContext) => (await ctx.loaders.hub.regionByCode.load(s.regionCode)) ?? unknownRegion(s.regionCode),
    startedAt: (s: ScanRow) => isoInstant(s.startedAt),
    finishedAt: (s: ScanRow) => isoInstant(s.finishedAt),
    progress: (s: ScanRow) => ({
      householdsTotal: s.householdsTotal,
      householdsDone: s.householdsDone,
      findings: s.findingsCount,
      new: s.newCount,
      reopened: s.reopenedCount,
      stillSettled: s.stillSettledCount,
    }),
    findings: async (s: ScanRow, args: { filter?: FilterArg | null; first?: number | null; after?: string | null }, ctx: HubContext) => {
      const filter = filterOf(ctx, args.filter);
      const page = await scanFindingsPage(ctx.hub, s.id, filter, pageSize(ctx, args.first, 50), decodeCursor('F', args.after));
      for (const row of page.rows) findingLoaders(ctx).stored.prime(row.fingerprint, row);
      const edges = page.rows.map((row) => ({ cursor: encodeCursor('F', row.id), node: viewOfRow(row) }));
      return {
        edges,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount: () => countScanFindings(ctx.hub, s.id, filter),
      };
    },
    csvPath: (s: ScanRow) => `/exports/scans/${s.id}/findings.csv`,
  },
};
