/** Households, people and their aid. Resolvers read arguments, call a loader, map the result. */
import { countHouseholdsUnderPrefix, decodeCursor, encodeCursor, householdsUnderPrefix } from '../../db/household/region-pages';
import type { HouseholdRow, MemberRow, PersonRow } from '../../db/household/loaders';
import { summariseAid, inWindow, type Window } from '../../domain/household/aid-summary';
import { addDays, type IsoDate } from '../../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { divisionPrefix, isDivisionCode } from '../../domain/division-code';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';
import { aidForPeople, type SourceOutcome } from '../../federation/loaders';
import type { AidRecord } from '../../federation/contract';
import { departmentOf, unknownRegion } from '../common';
import type { HubContext } from '../context';
import { badInput, requireHouseholdId, requireIdNumber } from '../../access/errors';

interface AidArgs {
  from?: IsoDate | null;
  to?: IsoDate | null;
  departments?: DepartmentCode[] | null;
}

function windowOf(args: AidArgs): Window {
  if (args.from && args.to && args.from > args.to) throw badInput('from', 'EMPTY_WINDOW', '`from` is after `to`');
  return { from: args.from ?? null, to: args.to ?? null };
}

/** Newest first: by grant date or period start, then by source reference for a stable order. */
function newestFirst(a: AidRecord, b: AidRecord): number {
  const da = a.grantDate ?? a.periodStart ?? '';
  const db = b.grantDate ?? b.periodStart ?? '';
  return da === db ? a.sourceRef.localeCompare(b.sourceRef) : da < db ? 1 : -1;
}

async function aidOf(ctx: HubContext, idNumbers: readonly string[], departments: readonly DepartmentCode[] = DEPARTMENT_CODES) {
  return aidForPeople(ctx.loaders.departments, idNumbers, departments);
}

/** Current members, with their person rows primed so beneficiaries cost no further statement. */
async function membersOf(ctx: HubContext, householdId: number): Promise<MemberRow[]> {
  const members = await ctx.loaders.hub.membersByHousehold.load(householdId);
  for (const m of members) ctx.loaders.hub.personByIdNumber.prime(m.person.idNumber, m.person);
  return members;
}

async function memberIdNumbers(ctx: HubContext, householdId: number): Promise<string[]> {
  return (await membersOf(ctx, householdId)).map((m) => m.person.idNumber);
}

async function filteredAid(ctx: HubContext, idNumbers: readonly string[], args: AidArgs): Promise<AidRecord[]> {
  const window = windowOf(args);
  const { records } = await aidOf(ctx, idNumbers, args.departments ?? DEPARTMENT_CODES);
  return records.filter((r) => inWindow(r, window)).sort(newestFirst);
}

function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

function sourceStatus(o: SourceOutcome) {
  return { department: departmentOf(o.department), available: o.available, latencyMs: o.latencyMs, reason: o.reason };
}

export const householdResolvers = {
  Query: {
    household: (_: unknown, args: { id: string }, ctx: HubContext) => ctx.loaders.hub.householdById.load(requireHouseholdId(args.id)),

    householdByMember: (_: unknown, args: { idNumber: string }, ctx: HubContext) => ctx.loaders.hub.currentHouseholdByIdNumber.load(requireIdNumber(args.idNumber)),

    households: (_: unknown, args: { ids: string[] }, ctx: HubContext) => {
      if (args.ids.length > ctx.config.maxListSize) {
        throw badInput('ids', 'LIST_TOO_LONG', `at most ${ctx.config.maxListSize} ids per request`, { max: ctx.config.maxListSize });
      }
      return args.ids.map((id, i) => ctx.loaders.hub.householdById.load(requireHouseholdId(id, `ids[${i}]`)));
    },

    person: (_: unknown, args: { idNumber: string }, ctx: HubContext) => ctx.loaders.hub.personByIdNumber.load(requireIdNumber(args.idNumber)),

    householdsInRegion: async (_: unknown, args: { code: string; first?: number | null; after?: string | null }, ctx: HubContext) => {
      if (!isDivisionCode(args.code)) throw badInput('code', 'MALFORMED_DIVISION_CODE', 'code must be a division code of 6, 9 or 12 digits');
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > ctx.config.maxListSize) {
        throw badInput('first', 'OUT_OF_RANGE', `first must be between 1 and ${ctx.config.maxListSize}`, { max: ctx.config.maxListSize });
      }
      const after = args.after ? decodeCursor(args.after) : null;
      if (args.after && !after) throw badInput('after', 'MALFORMED_CURSOR', 'after is not a cursor this API gave out');
      const prefix = divisionPrefix(args.code);
      const page = await householdsUnderPrefix(ctx.hub, prefix, first, after);
      for (const row of page.rows) ctx.loaders.hub.householdById.prime(row.id, row);
      const edges = page.rows.map((node) => ({ cursor: encodeCursor({ regionCode: node.regionCode, id: node.id }), node }));
      return {
        edges,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount: () => countHouseholdsUnderPrefix(ctx.hub, prefix),
      };
    },
  },

  Household: {
    id: (h: HouseholdRow) => String(h.id),
    registrationNumber: (h: HouseholdRow) => h.registrationNo,
    region: async (h: HouseholdRow, _: unknown, ctx: HubContext) => (await ctx.loaders.hub.regionByCode.load(h.regionCode)) ?? unknownRegion(h.regionCode),
    members: (h: HouseholdRow, _: unknown, ctx: HubContext) => membersOf(ctx, h.id),
    aid: async (h: HouseholdRow, args: AidArgs, ctx: HubContext) => filteredAid(ctx, await memberIdNumbers(ctx, h.id), args),
    aidSummary: async (h: HouseholdRow, args: { from?: IsoDate | null; to?: IsoDate | null }, ctx: HubContext) => {
      const to = args.to ?? ctx.today;
      const from = args.from ?? addDays(`${Number(to.slice(0, 4)) - 1}${to.slice(4)}`, 1);
      windowOf({ from, to });
      const { records, outcomes } = await aidOf(ctx, await memberIdNumbers(ctx, h.id));
      return { ...summariseAid(records, from, to, ctx.today), complete: outcomes.every((o) => o.available) };
    },
    sources: async (h: HouseholdRow, _: unknown, ctx: HubContext) => (await aidOf(ctx, await memberIdNumbers(ctx, h.id))).outcomes.map(sourceStatus),
  },

  HouseholdMember: {
    person: (m: MemberRow) => m.person,
  },

  Person: {
    gender: (p: PersonRow) => (p.gender === 'M' ? 'MALE' : 'FEMALE'),
    age: (p: PersonRow, _: unknown, ctx: HubContext) => ageOn(p.birthDate, p.deathDate ?? ctx.today),
    household: (p: PersonRow, _: unknown, ctx: HubContext) => ctx.loaders.hub.currentHouseholdByIdNumber.load(p.idNumber),
    aid: (p: PersonRow, args: AidArgs, ctx: HubContext) => filteredAid(ctx, [p.idNumber], args),
    sources: async (p: PersonRow, _: unknown, ctx: HubContext) => (await aidOf(ctx, [p.idNumber])).outcomes.map(sourceStatus),
  },

  AidRecord: {
    department: (r: AidRecord) => departmentOf(r.department),
    programme: (r: AidRecord) => PROGRAMME_BY_CODE.get(r.programme),
    beneficiary: (r: AidRecord, _: unknown, ctx: HubContext) => ctx.loaders.hub.personByIdNumber.load(r.beneficiaryIdNumber),
    period: (r: AidRecord) => (r.periodStart === null ? null : { start: r.periodStart, end: r.periodEnd }),
    sourceReference: (r: AidRecord) => r.sourceRef,
    sourceHouseholdReference: (r: AidRecord) => r.sourceHouseholdRef,
    cause: (r: AidRecord) => r.cause ?? null,
    urgent: (r: AidRecord) => r.urgent ?? null,
    secondAid: (r: AidRecord) => r.secondAid ?? null,
    schoolYear: (r: AidRecord) => r.schoolYear ?? null,
  },

  DepartmentTotal: {
    department: (t: { department: DepartmentCode }) => departmentOf(t.department),
  },
};
