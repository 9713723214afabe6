/**
 * Cases, referral slips and joint meetings (一事一议). Resolvers read arguments, call a loader, a
 * domain function or a data function in db/cases/, and map the result. Refusals come back as
 * `userErrors`; only malformed arguments are thrown (BAD_USER_INPUT).
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { answerReferral, issueReferral } from '../../db/cases/referrals';
import { openCase, openCasesWithEvents, openReferralsDueBefore, referralsToOffice, transitionCase } from '../../db/cases/store';
import { buildDossier, openFindingsFrom } from './dossier';
import type { CaseLoaders } from '../../db/cases/loaders';
import { recordMeeting } from '../../db/cases/meetings';
import { caseTimeline, type CaseEventRecord, type CaseRecord, type MeetingRecord, type ReferralRecord, type SecondAidRecord } from '../../db/cases/records';
import type { Actor, WriteMeta } from '../../db/cases/write';
import { chinaDateOf, formatChinaInstant } from '../../domain/cases/china-time';
import { caseDeadlines, isMissed, standing, type CaseDeadline } from '../../domain/cases/deadlines';
import type { Dossier, DossierCase, DossierReferral } from '../../domain/cases/dossier';
import { caseError, type CaseUserError, type Outcome } from '../../domain/cases/errors';
import { checkMeeting, type DecisionInput } from '../../domain/cases/meetings';
import { departmentOfficeName, parseOffice, type Office } from '../../domain/cases/offices';
import { caseReference } from '../../domain/cases/reference';
import { REFERRAL_STATES, type ReferralState } from '../../domain/cases/referrals';
import { allowedTransitions, type CaseOrigin, type CaseState, type CaseUrgency } from '../../domain/cases/state-machine';
import { overdueReport, referralDue } from '../../domain/cases/supervision';
import { calendarCoverage } from '../../domain/cases/working-days';
import type { IsoDate } from '../../domain/dates';
import type { DepartmentCode } from '../../domain/departments';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { aidForPeople } from '../../federation/loaders';
import type { AidCause, AidRecord } from '../../federation/contract';
import type { HouseholdRow } from '../../db/household/loaders';
import { departmentOf, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { badInput, requireIdNumber } from '../../access/errors';

// ---- The request's case loaders (part of its one set, resolvers/context.ts) ----

function caseLoaders(ctx: HubContext): CaseLoaders {
  return ctx.loaders.cases;
}

/** After a write, the request reads the case tables afresh. */
function forgetCaseReads(ctx: HubContext): void {
  for (const loader of Object.values(ctx.loaders.cases)) loader.clearAll();
}

// ---- Arguments ----

function requireId(value: string, argument: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw badInput(argument, 'MALFORMED_ID', `${argument} is not a hub id`);
  return Number(value);
}

interface OfficeArg {
  department?: DepartmentCode | null;
  township?: string | null;
}

function requireOffice(arg: OfficeArg, argument: string): string {
  const given = [arg.department, arg.township].filter((v) => v !== null && v !== undefined);
  if (given.length !== 1) throw badInput(argument, 'MALFORMED_OFFICE', `${argument}: give exactly one of department and township`);
  if (arg.department) return arg.department;
  if (!/^\d{9}$/.test(arg.township!)) throw badInput(`${argument}.township`, 'MALFORMED_DIVISION_CODE', 'a township is named by its 9-digit division code');
  return arg.township!;
}

interface ActorArg {
  officer: string;
  office?: OfficeArg | null;
}

/**
 * Who acts. An authenticated caller (an API client of one department, scoped to a region) acts for
 * its township's office when its scope is a township, else for its department; the input's officer,
 * if given, is kept beside the client's name. Without a caller (no access layer, e.g. a resolver
 * run outside the server) the input must name the actor.
 */
function actorOf(ctx: HubContext, arg: ActorArg | null | undefined): Actor {
  const officer = arg?.officer.trim() ?? '';
  if (officer.length > 64) throw badInput('input.actor.officer', 'MALFORMED_ACTOR', 'officer is a staff identifier of 1 to 64 characters');
  const caller = ctx.access?.caller;
  if (caller) {
    const office = /^\d{9}$/.test(caller.regionScope) ? caller.regionScope : caller.department;
    return { officer: (officer ? `${caller.name}/${officer}` : caller.name).slice(0, 64), office };
  }
  if (!arg) throw badInput('input.actor', 'ACTOR_REQUIRED', 'name the actor: the officer and the office they act for');
  if (officer === '') throw badInput('input.actor.officer', 'MALFORMED_ACTOR', 'officer is a staff identifier of 1 to 64 characters');
  return { officer, office: requireOffice(arg.office ?? {}, 'input.actor.office') };
}

interface WriteArgs {
  occurredAt?: Date | null;
  actor?: ActorArg | null;
  idempotencyKey?: string | null;
}

function metaOf(ctx: HubContext, input: WriteArgs): WriteMeta {
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length < 1 || key.length > 64)) throw badInput('input.idempotencyKey', 'MALFORMED_IDEMPOTENCY_KEY', 'idempotencyKey is 1 to 64 characters');
  return { actor: actorOf(ctx, input.actor), occurredAt: input.occurredAt ?? null, idempotencyKey: key, now: ctx.now() };
}

function asOfOf(ctx: HubContext, asOf: Date | null | undefined): Date {
  return asOf ?? ctx.now();
}

// ---- Mapping ----

function officeOf(key: string): Office {
  const office = parseOffice(key);
  if (!office) throw new Error('stored office key is not an office');
  return office;
}

async function deadlinesOf(c: CaseRecord, asOf: Date, ctx: HubContext): Promise<CaseDeadline[]> {
  return caseDeadlines(caseTimeline(c, await caseLoaders(ctx).eventsByCase.load(c.id)), asOf);
}

function referralStanding(r: ReferralRecord, asOf: Date) {
  return standing(referralDue(chinaDateOf(r.issuedAt), r.dueOn), r.answeredAt, null, asOf);
}

function payload<T>(outcome: Outcome<number>, ctx: HubContext, map: (id: number) => T): T | { userErrors: CaseUserError[] } {
  if (!outcome.ok) return { userErrors: outcome.errors };
  forgetCaseReads(ctx);
  return map(outcome.value);
}

function caseById(ctx: HubContext, id: number) {
  return caseLoaders(ctx).caseById.load(id);
}

async function referralPayload(ctx: HubContext, outcome: Outcome<number>) {
  return payload(outcome, ctx, async (id) => {
    const referral = await caseLoaders(ctx).referralById.load(id);
    return { referral, case: referral ? await caseById(ctx, referral.caseId) : null, userErrors: [] };
  });
}

/** The members' aid from one department, to check that an aid record a slip names exists. */
async function aidRecordOf(ctx: HubContext, c: CaseRecord, department: DepartmentCode, sourceRef: string): Promise<{ record: AidRecord | null; answered: boolean }> {
  const members = await ctx.loaders.hub.membersByHousehold.load(c.householdId);
  const { records, outcomes } = await aidForPeople(
    ctx.loaders.departments,
    members.map((m) => m.person.idNumber),
    [department],
  );
  return { record: records.find((r) => r.sourceRef === sourceRef) ?? null, answered: outcomes.every((o) => o.available) };
}

function dossierOf(ctx: HubContext, c: CaseRecord): Promise<Dossier> {
  return buildDossier(
    { hub: ctx.loaders.hub, departments: ctx.loaders.departments, cases: caseLoaders(ctx), openFindings: openFindingsFrom(ctx) },
    c,
    ctx.today,
    ctx.now(),
  );
}

function regionOf(ctx: HubContext, code: string) {
  return ctx.loaders.hub.regionByCode.load(code).then((r) => r ?? unknownRegion(code));
}

// ---- Scalar ----

const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  // The scalar's own description replaces the SDL's, so it says the same.
  description: 'An instant, RFC 3339 with an explicit offset. The hub answers in China time (2026-03-15T09:30:00.000+08:00); it accepts any offset and refuses a time without one.',
  serialize(value: unknown): string {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime cannot represent this value');
    return formatChinaInstant(d);
  },
  parseValue(value: unknown): Date {
    return DateTimeResolver.parseValue(value) as Date;
  },
  parseLiteral(ast): Date {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime is a string');
    return DateTimeResolver.parseLiteral(ast, {}) as Date;
  },
});

// ---- Resolvers ----

interface CaseOpenArgs extends WriteArgs {
  householdId: string;
  origin: CaseOrigin;
  urgency: CaseUrgency;
  summary: string;
  reportedAt?: Date | null;
}

interface CaseTransitionArgs extends WriteArgs {
  caseId: string;
  to: CaseState;
  reason: string;
}

interface DecisionArg {
  department: DepartmentCode;
  programme: string;
  amountFen: number;
  deadlineWorkingDays: number;
  ask?: string | null;
  beneficiaryIdNumber?: string | null;
  secondAidCause?: AidCause | null;
}

interface MeetingRecordArgs extends WriteArgs {
  caseId: string;
  heldOn: IsoDate;
  departmentsPresent: DepartmentCode[];
  notes?: string | null;
  decisions: DecisionArg[];
}

interface ReferralIssueArgs extends WriteArgs {
  caseId: string;
  to: OfficeArg;
  ask: string;
  deadlineWorkingDays: number;
  handOver?: boolean | null;
}

interface ReferralAnswerArgs extends WriteArgs {
  referralId: string;
  note?: string | null;
  feedback?: string;
  reason?: string;
  aidSourceReference?: string | null;
}

export const caseResolvers = {
  DateTime,

  Query: {
    case: (_: unknown, args: { id: string }, ctx: HubContext) => caseById(ctx, requireId(args.id, 'id')),
    referral: (_: unknown, args: { id: string }, ctx: HubContext) => caseLoaders(ctx).referralById.load(requireId(args.id, 'id')),
    referralsToOffice: (_: unknown, args: { office: OfficeArg; states?: ReferralState[] | null }, ctx: HubContext) =>
      referralsToOffice(ctx.hub, requireOffice(args.office, 'office'), args.states?.length ? args.states : REFERRAL_STATES.filter((s) => s === 'ISSUED' || s === 'ACCEPTED')),
    overdueReport: async (_: unknown, args: { asOf?: Date | null; regionCode?: string | null }, ctx: HubContext) => {
      const asOf = asOfOf(ctx, args.asOf);
      if (args.regionCode && !isDivisionCode(args.regionCode)) throw badInput('regionCode', 'MALFORMED_DIVISION_CODE', 'regionCode must be a division code of 6, 9 or 12 digits');
      // Without a region, an authenticated caller sees its own scope.
      const code = args.regionCode || ctx.access?.caller?.regionScope || null;
      const prefix = code === null ? null : code.length === 12 ? code.slice(0, 9) : divisionPrefix(code);
      const [slips, open] = await Promise.all([openReferralsDueBefore(ctx.hub, chinaDateOf(asOf), prefix), openCasesWithEvents(ctx.hub, prefix)]);
      const loaders = caseLoaders(ctx);
      for (const c of open.cases) loaders.caseById.prime(c.id, c);
      const eventsOf = new Map<number, CaseEventRecord[]>();
      for (const e of open.events) eventsOf.set(e.caseId, [...(eventsOf.get(e.caseId) ?? []), e]);
      for (const c of open.cases) loaders.eventsByCase.prime(c.id, eventsOf.get(c.id) ?? []);
      return overdueReport(
        slips.map((s) => ({ referral: s, issuedOn: chinaDateOf(s.issuedAt), dueOn: s.dueOn, answeredAt: s.answeredAt, toOffice: s.toOffice, townshipCode: s.townshipCode })),
        open.cases.map((c) => ({ case: c, timeline: caseTimeline(c, eventsOf.get(c.id) ?? []), ownerOffice: c.ownerOffice, townshipCode: c.townshipCode })),
        asOf,
      );
    },
    workingDayCalendar: () => calendarCoverage,
  },

  Mutation: {
    caseOpen: async (_: unknown, { input }: { input: CaseOpenArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      const outcome = await openCase(
        ctx.hub,
        { householdId: requireId(input.householdId, 'input.householdId'), origin: input.origin, urgency: input.urgency, summary: input.summary, reportedAt: input.reportedAt ?? null },
        meta,
      );
      return payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [] }));
    },

    caseTransition: async (_: unknown, { input }: { input: CaseTransitionArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      const outcome = await transitionCase(ctx.hub, requireId(input.caseId, 'input.caseId'), input.to, input.reason, meta);
      return payload(outcome, ctx, async (id) => ({ case: await caseById(ctx, id), userErrors: [] }));
    },

    meetingRecord: async (_: unknown, { input }: { input: MeetingRecordArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      const caseId = requireId(input.caseId, 'input.caseId');
      const decisions: DecisionInput[] = input.decisions.map((d, i) => ({
        department: d.department,
        programmeCode: d.programme,
        amountFen: d.amountFen,
        deadlineWorkingDays: d.deadlineWorkingDays,
        ask: d.ask ?? null,
        beneficiaryIdNumber: d.beneficiaryIdNumber ? requireIdNumber(d.beneficiaryIdNumber, `input.decisions[${i}].beneficiaryIdNumber`) : null,
        secondAid: d.secondAidCause ? { cause: d.secondAidCause } : null,
      }));
      const meeting = { heldOn: input.heldOn, departmentsPresent: [...new Set(input.departmentsPresent)], notes: input.notes ?? null, decisions };
      const c = await caseById(ctx, caseId);
      if (!c) return { userErrors: [caseError('CASE_NOT_FOUND', 'no case with this id', ['input', 'caseId'])] };
      // The state is checked under the case lock, after a retry has been answered from its key.
      const dossier = await dossierOf(ctx, c);
      const errors = checkMeeting(meeting, { reportedOn: chinaDateOf(c.reportedAt), today: chinaDateOf(meta.now), members: dossier.members.map((m) => m.idNumber) });
      if (errors.length > 0) return { userErrors: errors };
      const outcome = await recordMeeting(ctx.hub, caseId, meeting, dossier, meta);
      return payload(outcome, ctx, async (id) => ({ meeting: await caseLoaders(ctx).meetingById.load(id), case: await caseById(ctx, caseId), userErrors: [] }));
    },

    referralIssue: async (_: unknown, { input }: { input: ReferralIssueArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      const outcome = await issueReferral(
        ctx.hub,
        {
          caseId: requireId(input.caseId, 'input.caseId'),
          to: requireOffice(input.to, 'input.to'),
          ask: input.ask,
          deadlineWorkingDays: input.deadlineWorkingDays,
          handOver: input.handOver ?? false,
        },
        meta,
      );
      return referralPayload(ctx, outcome);
    },

    referralAccept: async (_: unknown, { input }: { input: ReferralAnswerArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      return referralPayload(ctx, await answerReferral(ctx.hub, requireId(input.referralId, 'input.referralId'), 'ACCEPT', { text: input.note ?? '', aidSourceRef: null }, meta));
    },

    referralComplete: async (_: unknown, { input }: { input: ReferralAnswerArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      const referralId = requireId(input.referralId, 'input.referralId');
      const sourceRef = input.aidSourceReference?.trim() || null;
      if (sourceRef !== null) {
        // The aid record must be the receiving department's, for a member of the case's household.
        const slip = await caseLoaders(ctx).referralById.load(referralId);
        if (!slip) return { userErrors: [caseError('REFERRAL_NOT_FOUND', 'no referral slip with this id', ['input', 'referralId'])] };
        const office = officeOf(slip.toOffice);
        const c = await caseById(ctx, slip.caseId);
        if (office.kind !== 'DEPARTMENT' || !c) return { userErrors: [caseError('AID_RECORD_NOT_FOUND', 'only a department’s slip links an aid record', ['input', 'aidSourceReference'])] };
        const found = await aidRecordOf(ctx, c, office.department, sourceRef);
        if (!found.record) {
          return {
            userErrors: [
              found.answered
                ? caseError('AID_RECORD_NOT_FOUND', 'the department has no such aid record for this household', ['input', 'aidSourceReference'])
                : caseError('AID_RECORD_UNVERIFIED', 'the department did not answer; try again later or complete without the link', ['input', 'aidSourceReference']),
            ],
          };
        }
      }
      return referralPayload(ctx, await answerReferral(ctx.hub, referralId, 'COMPLETE', { text: input.feedback ?? '', aidSourceRef: sourceRef }, meta));
    },

    referralDecline: async (_: unknown, { input }: { input: ReferralAnswerArgs }, ctx: HubContext) => {
      const meta = metaOf(ctx, input);
      return referralPayload(ctx, await answerReferral(ctx.hub, requireId(input.referralId, 'input.referralId'), 'DECLINE', { text: input.reason ?? '', aidSourceRef: null }, meta));
    },
  },

  Household: {
    cases: (h: HouseholdRow, _: unknown, ctx: HubContext) => caseLoaders(ctx).casesByHousehold.load(h.id),
  },

  Case: {
    id: (c: CaseRecord) => String(c.id),
    reference: (c: CaseRecord) => caseReference(c.id, c.reportedAt),
    household: (c: CaseRecord, _: unknown, ctx: HubContext) => ctx.loaders.hub.householdById.load(c.householdId),
    firstReceivedBy: (c: CaseRecord) => officeOf(c.firstOffice),
    owner: (c: CaseRecord) => officeOf(c.ownerOffice),
    township: (c: CaseRecord, _: unknown, ctx: HubContext) => regionOf(ctx, c.townshipCode),
    allowedTransitions: (c: CaseRecord) => allowedTransitions(c.state),
    history: (c: CaseRecord, _: unknown, ctx: HubContext) => caseLoaders(ctx).eventsByCase.load(c.id),
    deadlines: (c: CaseRecord, args: { asOf?: Date | null }, ctx: HubContext) => deadlinesOf(c, asOfOf(ctx, args.asOf), ctx),
    anyDeadlineMissed: async (c: CaseRecord, args: { asOf?: Date | null }, ctx: HubContext) =>
      (await deadlinesOf(c, asOfOf(ctx, args.asOf), ctx)).some((d) => isMissed(d.status)),
    referrals: (c: CaseRecord, _: unknown, ctx: HubContext) => caseLoaders(ctx).referralsByCase.load(c.id),
    meetings: (c: CaseRecord, _: unknown, ctx: HubContext) => caseLoaders(ctx).meetingsByCase.load(c.id),
    secondAids: (c: CaseRecord, _: unknown, ctx: HubContext) => caseLoaders(ctx).secondAidsByCase.load(c.id),
    dossier: (c: CaseRecord, _: unknown, ctx: HubContext) => dossierOf(ctx, c),
    briefUrl: (c: CaseRecord) => `/cases/${c.id}/brief`,
  },

  CaseEvent: {
    sequence: (e: CaseEventRecord) => e.seq,
    referral: (e: CaseEventRecord, _: unknown, ctx: HubContext) => (e.referralId === null ? null : caseLoaders(ctx).referralById.load(e.referralId)),
    meeting: (e: CaseEventRecord, _: unknown, ctx: HubContext) => (e.meetingId === null ? null : caseLoaders(ctx).meetingById.load(e.meetingId)),
    actorOffice: (e: CaseEventRecord) => officeOf(e.actorOffice),
  },

  CaseDeadline: {
    limitHours: (d: CaseDeadline) => (d.limit.unit === 'HOURS' ? d.limit.hours : null),
    limitWorkingDays: (d: CaseDeadline) => (d.limit.unit === 'WORKING_DAYS' ? d.limit.workingDays : null),
  },

  Office: {
    department: (o: Office) => (o.kind === 'DEPARTMENT' ? departmentOf(o.department) : null),
    township: (o: Office, _: unknown, ctx: HubContext) => (o.kind === 'TOWNSHIP' ? regionOf(ctx, o.townshipCode) : null),
    name: async (o: Office, _: unknown, ctx: HubContext) => departmentOfficeName(o) ?? (await regionOf(ctx, (o as { townshipCode: string }).townshipCode)).name,
  },

  Referral: {
    id: (r: ReferralRecord) => String(r.id),
    case: (r: ReferralRecord, _: unknown, ctx: HubContext) => caseById(ctx, r.caseId),
    meeting: (r: ReferralRecord, _: unknown, ctx: HubContext) => (r.meetingId === null ? null : caseLoaders(ctx).meetingById.load(r.meetingId)),
    from: (r: ReferralRecord) => officeOf(r.fromOffice),
    to: (r: ReferralRecord) => officeOf(r.toOffice),
    programme: (r: ReferralRecord) => (r.programmeCode === null ? null : PROGRAMME_BY_CODE.get(r.programmeCode)),
    beneficiary: (r: ReferralRecord, _: unknown, ctx: HubContext) => (r.beneficiaryIdNumber === null ? null : ctx.loaders.hub.personByIdNumber.load(r.beneficiaryIdNumber)),
    aidRecord: async (r: ReferralRecord, _: unknown, ctx: HubContext) => {
      const office = officeOf(r.toOffice);
      const c = await caseById(ctx, r.caseId);
      if (r.aidSourceRef === null || office.kind !== 'DEPARTMENT' || !c) return null;
      return (await aidRecordOf(ctx, c, office.department, r.aidSourceRef)).record;
    },
    aidSourceReference: (r: ReferralRecord) => r.aidSourceRef,
    deadlineStatus: (r: ReferralRecord, args: { asOf?: Date | null }, ctx: HubContext) => referralStanding(r, asOfOf(ctx, args.asOf)).status,
    overdue: (r: ReferralRecord, args: { asOf?: Date | null }, ctx: HubContext) => referralStanding(r, asOfOf(ctx, args.asOf)).overdue,
  },

  Meeting: {
    id: (m: MeetingRecord) => String(m.id),
    case: (m: MeetingRecord, _: unknown, ctx: HubContext) => caseById(ctx, m.caseId),
    convenedBy: (m: MeetingRecord) => officeOf(m.convenedBy),
    departmentsPresent: async (m: MeetingRecord, _: unknown, ctx: HubContext) => (await caseLoaders(ctx).departmentsByMeeting.load(m.id)).map(departmentOf),
    decisions: async (m: MeetingRecord, _: unknown, ctx: HubContext) => (await caseLoaders(ctx).referralsByCase.load(m.caseId)).filter((r) => r.meetingId === m.id),
    briefUrl: (m: MeetingRecord) => `/cases/${m.caseId}/brief?meeting=${m.id}`,
  },

  SecondAidApproval: {
    beneficiary: (s: SecondAidRecord, _: unknown, ctx: HubContext) => ctx.loaders.hub.personByIdNumber.load(s.idNumber),
    referral: (s: SecondAidRecord, _: unknown, ctx: HubContext) => caseLoaders(ctx).referralById.load(s.referralId),
    aidSourceReference: (s: SecondAidRecord) => s.aidSourceRef,
  },

  Dossier: {
    from: (d: Dossier) => d.window.from,
    to: (d: Dossier) => d.window.to,
    findingsAvailable: (d: Dossier) => d.findings !== null,
    findings: (d: Dossier) => d.findings ?? [],
    departmentsNotContributed: (d: Dossier) => d.departmentsNotContributed.map(departmentOf),
  },

  DossierHousehold: {
    id: (h: Dossier['household']) => String(h.id),
  },

  DossierMember: {
    gender: (m: Dossier['members'][number]) => (m.gender === 'M' ? 'MALE' : 'FEMALE'),
  },

  DossierSource: {
    department: (s: Dossier['sources'][number]) => departmentOf(s.department),
  },

  DossierFinding: {
    departments: (f: NonNullable<Dossier['findings']>[number]) => (f.departments ?? []).map(departmentOf),
  },

  DossierCase: {
    id: (c: DossierCase) => String(c.id),
  },

  DossierReferral: {
    id: (r: DossierReferral) => String(r.id),
    from: (r: DossierReferral) => officeOf(r.from),
    to: (r: DossierReferral) => officeOf(r.to),
    programme: (r: DossierReferral) => (r.programmeCode === null ? null : PROGRAMME_BY_CODE.get(r.programmeCode)),
  },

  OfficeOverdue: {
    office: (g: { office: string }) => officeOf(g.office),
  },

  TownshipOverdue: {
    township: (g: { townshipCode: string }, _: unknown, ctx: HubContext) => regionOf(ctx, g.townshipCode),
  },
};
