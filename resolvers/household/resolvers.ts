/** Households, people and their aid. Resolvers read arguments, call a loader, map the result. */
import { countHouseholdsUnderPrefix, householdsUnderDivision } from '../../db/household/region-pages';
import type { MemberRow, HouseholdRow, PersonRow } from '../../db/household/loaders';
import { inWindow, newestFirst, summariseAid, type Window } from '../../domain/household/aid-summary';
import { decodeDivisionCursor, encodeDivisionCursor, isRegionOrderCursor } from '../../domain/cursor';
import { ageOn, type IsoDate } from '../../domain/dates';
import { trailingWindow } from '../../domain/findings/periods';
import { DEPARTMENT_CODES, sourceOf, type OfficeCode } from '../../domain/departments';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { AID_PROGRAMME_BY_CODE } from '../../domain/programmes';
import { monitoredRollPeriods } from '../../domain/aid';
import { findingLoaders } from '../findings/live';
import { aidForPeople, type SourceOutcome } from '../../federation/loaders';
import type { AidRecord } from '../../federation/contract';
import type { HouseholdAidArgs, HouseholdAidSummaryArgs, Resolvers } from '../__generated__/types';
import { departmentOf, pageOf, pageSize, positionAfter, refuseUnknownDivision, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { badInput, malformedEntries, requireDivisionCode, requireHouseholdId, requireIdNumber } from '../../access/errors';
import { HUB_ID } from '../../domain/hub-id';

function windowOf(args: HouseholdAidSummaryArgs): Window {
  if (args.from && args.to && args.from > args.to) throw badInput('from', 'EMPTY_WINDOW', '`from` is after `to`');
  return { from: args.from ?? null, to: args.to ?? null };
}

/**
 * Aid from the sources holding the offices asked for: a reporter's aid is read from the REPORTED
 * ledger, then kept only for the offices asked (REPORTED itself asks for every reporter).
 */
async function readAid(ctx: HubContext, idNumbers: readonly string[], offices: readonly OfficeCode[]) {
  const sources = DEPARTMENT_CODES.filter((d) => offices.some((o) => sourceOf(o) === d));
  const got = await aidForPeople(ctx.loaders.departments, idNumbers, sources);
  const asked = new Set<OfficeCode>(offices);
  return { ...got, records: got.records.filter((r) => asked.has(r.department) || (asked.has('REPORTED') && r.reportedBy)) };
}

type AidOf = ReturnType<typeof readAid>;

/**
 * A household's `aid`, `aidSummary` and `sources` ask for the same people's aid: within one
 * request (one set of department loaders) it is gathered once. The loaders would answer the
 * repeats from their cache too, but only after a promise per person and department each time.
 * Callers only read the result (filter, sort and map make new arrays).
 */
const aidByRequest = new WeakMap<HubContext['loaders']['departments'], Map<string, AidOf>>();

function aidOf(ctx: HubContext, idNumbers: readonly string[], offices: readonly OfficeCode[] = DEPARTMENT_CODES): AidOf {
  let asked = aidByRequest.get(ctx.loaders.departments);
  if (!asked) aidByRequest.set(ctx.loaders.departments, (asked = new Map()));
  const key = `${offices.join(',')}|${idNumbers.join(',')}`;
  let aid = asked.get(key);
  if (!aid) asked.set(key, (aid = readAid(ctx, idNumbers, offices)));
  return aid;
}

/**
 * Current members, with their person rows primed so beneficiaries cost no further statement. A
 * plain value when the household's read already holds them (it reads them with the household): a
 * household's `members`, `aid`, `aidSummary` and `sources` then cost no promise each to find them.
 */
function membersOf(ctx: HubContext, householdId: number): MemberRow[] | Promise<MemberRow[]> {
  const members = ctx.loaders.hub.membersByHousehold.loadHeld(householdId);
  // Unnamed closures only: tsx (esbuild's keepNames) names a named one each time it is made.
  return members instanceof Promise ? members.then((rows) => primed(ctx, rows)) : primed(ctx, members);
}

function primed(ctx: HubContext, rows: MemberRow[]): MemberRow[] {
  for (const m of rows) ctx.loaders.hub.personByIdNumber.prime(m.person.idNumber, m.person);
  return rows;
}

function idNumbersOf(rows: MemberRow[]): string[] {
  return rows.map((m) => m.person.idNumber);
}

/** `then(members' ID numbers)`, at once when the members are held. */
function withMemberIdNumbers<T>(ctx: HubContext, householdId: number, then: (idNumbers: string[]) => Promise<T>): Promise<T> {
  const members = membersOf(ctx, householdId);
  return members instanceof Promise ? members.then((rows) => then(idNumbersOf(rows))) : then(idNumbersOf(members));
}

/** `Household.aid` and `Person.aid` take the same arguments. */
function filteredAid(ctx: HubContext, idNumbers: readonly string[], args: HouseholdAidArgs): Promise<AidRecord[]> {
  let window: Window;
  try {
    window = windowOf(args);
  } catch (error) {
    // Refused as the async function refused it: a rejected promise, not a throw from the resolver.
    return Promise.reject(error);
  }
  return aidOf(ctx, idNumbers, args.departments ?? DEPARTMENT_CODES).then(({ records }) => records.filter((r) => inWindow(r, window)).sort(newestFirst));
}

function sourceStatus(o: SourceOutcome) {
  return { department: departmentOf(o.department), available: o.available, latencyMs: o.latencyMs, reason: o.reason };
}

export const householdResolvers: Resolvers = {
  Query: {
    household: (_, args, ctx) => ctx.loaders.hub.householdById.load(requireHouseholdId(args.id)),

    householdByMember: async (_, args, ctx) => {
      const found = await ctx.loaders.hub.currentHouseholdByIdNumber.load(requireIdNumber(args.idNumber));
      return found && ctx.loaders.hub.wholeHouseholdById.load(found.id);
    },

    households: (_, args, ctx) => {
      if (args.ids.length > ctx.config.maxListSize) {
        throw badInput('ids', 'LIST_TOO_LONG', `at most ${ctx.config.maxListSize} ids per request`, { max: ctx.config.maxListSize });
      }
      // Every malformed id named at once (MALFORMED_ID with positions and count), so a sync fixes them in one round trip.
      const malformed = args.ids.flatMap((id, i) => (HUB_ID.test(id) ? [] : [i]));
      if (malformed.length > 0) throw malformedEntries('ids', malformed, 'MALFORMED_ID', 'a household id');
      return Promise.all(args.ids.map((id) => ctx.loaders.hub.householdById.load(Number(id))));
    },

    person: (_, args, ctx) => ctx.loaders.hub.personByIdNumber.load(requireIdNumber(args.idNumber)),

    householdsInRegion: async (_, args, ctx) => {
      const code = requireDivisionCode(args.code, 'code');
      const first = pageSize(args.first, 50, ctx.config.maxListSize);
      // A cursor given out when pages were read in (village, id) order names a position in that
      // order: read as an id, it would pass over the households of later villages with lower ids.
      if (args.after && isRegionOrderCursor(args.after)) throw badInput('after', 'CURSOR_OUTDATED', 'after is a cursor of pages read in an earlier order: start again from the first page');
      const after = positionAfter(args.after, decodeDivisionCursor);
      const prefix = divisionPrefix(code);
      // A cursor from another division's pages would start this one past households it has not
      // met: a client that mixed them up would miss them unawares. One of a division within this
      // one is a position in the same id order.
      if (after && !after.prefix.startsWith(prefix)) throw badInput('after', 'MALFORMED_CURSOR', 'after is a cursor of another division: page each division with its own cursors');
      const page = await householdsUnderDivision(ctx.hub, prefix, first, after);
      // A division the hub holds nothing of (a typo such as 370811999) answered an empty first page,
      // read as a township without households, as a scan of it read as one without duplicate aid
      // (REGION_UNKNOWN there too). A known division with no household still answers empty.
      await refuseUnknownDivision(ctx.hub, code, 'code', page.rows.length === 0 && !after);
      for (const row of page.rows) ctx.loaders.hub.householdById.prime(row.id, row);
      return {
        ...pageOf(page, (h) => encodeDivisionCursor({ prefix, id: h.id }), (h) => h),
        totalCount: () => countHouseholdsUnderPrefix(ctx.hub, prefix),
      };
    },
  },

  Household: {
    id: (h) => String(h.id),
    registrationNumber: (h) => h.registrationNo,
    region: (h, _, ctx) => {
      const region = ctx.loaders.hub.regionByCode.loadHeld(h.regionCode);
      return region instanceof Promise ? region.then((r) => r ?? unknownRegion(h.regionCode)) : (region ?? unknownRegion(h.regionCode));
    },
    members: (h, _, ctx) => membersOf(ctx, h.id),
    aid: (h, args, ctx) => withMemberIdNumbers(ctx, h.id, (ids) => filteredAid(ctx, ids, args)),
    aidSummary: async (h, args, ctx) => {
      // The 12 months up to `to`, counted as the rules count them (trailingWindow): a `to` of
      // 29 February starts on 1 March of the year before, not the 2nd that a 29 February rolled
      // over by Date gave, which lost that March's monthly payment.
      const to = args.to ?? ctx.today;
      const from = args.from ?? trailingWindow(to, 12).from;
      windowOf({ from, to });
      const { records, outcomes } = await withMemberIdNumbers(ctx, h.id, (ids) => aidOf(ctx, ids));
      return { ...summariseAid(records, from, to, ctx.today), complete: outcomes.every((o) => o.available) };
    },
    sources: (h, _, ctx) => withMemberIdNumbers(ctx, h.id, (ids) => aidOf(ctx, ids).then((aid) => aid.outcomes.map(sourceStatus))),
  },

  HouseholdMember: {
    person: (m) => m.person,
  },

  Person: {
    gender: (p) => (p.gender === 'M' ? 'MALE' : 'FEMALE'),
    age: (p, _, ctx) => ageOn(p.birthDate, p.deathDate ?? ctx.today),
    household: (p, _, ctx) => ctx.loaders.hub.currentHouseholdByIdNumber.load(p.idNumber),
    aid: (p, args, ctx) => filteredAid(ctx, [p.idNumber], args),
    monitoredLowIncome: async (p, _, ctx) => {
      const roll = await findingLoaders(ctx).monitoredRoll.load(p.idNumber);
      return roll.ok ? monitoredRollPeriods(roll.rows) : null;
    },
    sources: async (p, _, ctx) => (await aidOf(ctx, [p.idNumber])).outcomes.map(sourceStatus),
  },

  AidRecord: {
    department: (r) => departmentOf(r.department),
    programme: (r) => AID_PROGRAMME_BY_CODE.get(r.programme)!,
    // Held (primed with the household's members): a plain value, not a promise per record (db/held-loader.ts).
    beneficiary: (r, _, ctx) => ctx.loaders.hub.personByIdNumber.loadHeld(r.beneficiaryIdNumber),
    period: (r) => (r.periodStart === null ? null : { start: r.periodStart, end: r.periodEnd }),
    sourceReference: (r) => r.sourceRef,
    sourceStatusCode: (r) => r.sourceStatusCode ?? null,
    sourceProgrammeCode: (r) => r.sourceProgrammeCode ?? null,
    sourceHouseholdReference: (r) => r.sourceHouseholdRef,
    cause: (r) => r.cause ?? null,
    sourceCauseCode: (r) => r.sourceCauseCode ?? null,
    urgent: (r) => r.urgent ?? null,
    secondAid: (r) => r.secondAid ?? null,
    schoolYear: (r) => r.schoolYear ?? null,
  },

  DepartmentTotal: {
    department: (t) => departmentOf(t.department),
  },
};
