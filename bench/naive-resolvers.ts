/**
 * The naive variant: the hub's own SDL with a plain resolver map and no DataLoader. Every resolver
 * fetches what it needs for its own parent object, the way resolvers are commonly first written:
 * the household, then its members, then each member's person, then for `aid`, `aidSummary` and
 * `sources` each member's aid from each department through the same adapters, one call per member
 * per department, and each record's beneficiary on its own. This is the N+1 the hub's loaders are
 * there to avoid; the bench measures what they save.
 *
 * Only what the bench's household query reaches, plus the Person fields, is implemented.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { HubDb } from '../db/connect';
import { household, householdMember, person, region } from '../db/household/schema';
import { inWindow, summariseAid, type Window } from '../domain/household/aid-summary';
import type { IsoDate } from '../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { PROGRAMME_BY_CODE, type Programme } from '../domain/programmes';
import { ADAPTERS } from '../federation/registry';
import type { Sources } from '../federation/sources';
import type { AidRecord } from '../federation/contract';
// Its parents are its own rows (a member without its person), not the hub's mapped types, so it
// takes the generated argument types but not the generated Resolvers.
import type { HouseholdAidArgs as AidArgs, HouseholdAidSummaryArgs, QueryHouseholdArgs } from '../resolvers/__generated__/types';
import { departmentOf, unknownRegion } from '../resolvers/common';
import { requireHouseholdId } from '../access/errors';
import { scalarResolvers } from '../resolvers/scalars';
import { ageOn, defaultSummaryWindow, newestFirst, relationField } from './lib/household-rules';

export interface NaiveContext {
  hub: HubDb;
  sources: Sources;
  today: IsoDate;
}

type HouseholdRow = typeof household.$inferSelect;
type PersonRow = typeof person.$inferSelect;
type RegionRow = typeof region.$inferSelect;
interface MemberRow {
  householdId: number;
  idNumber: string;
  relation: string;
  joinedOn: string;
}

const RELATION_FIELD = sql.raw(relationField('relation'));

async function householdById(ctx: NaiveContext, id: number): Promise<HouseholdRow | null> {
  const [row] = await ctx.hub.select().from(household).where(eq(household.id, id));
  return row ?? null;
}

async function personByIdNumber(ctx: NaiveContext, idNumber: string): Promise<PersonRow | null> {
  const [row] = await ctx.hub.select().from(person).where(eq(person.idNumber, idNumber));
  return row ?? null;
}

async function regionByCode(ctx: NaiveContext, code: string): Promise<RegionRow | null> {
  const [row] = await ctx.hub.select().from(region).where(eq(region.code, code));
  return row ?? null;
}

/** Current members, head first; the join is only for the order by birth date (twins by ID number, as the hub lists them). */
async function membersOf(ctx: NaiveContext, householdId: number): Promise<MemberRow[]> {
  return ctx.hub
    .select({ householdId: householdMember.householdId, idNumber: householdMember.idNumber, relation: householdMember.relation, joinedOn: householdMember.joinedOn })
    .from(householdMember)
    .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
    .where(and(eq(householdMember.householdId, householdId), isNull(householdMember.leftOn)))
    .orderBy(RELATION_FIELD, asc(person.birthDate), asc(person.idNumber));
}

async function currentHouseholdId(ctx: NaiveContext, idNumber: string): Promise<number | null> {
  const [row] = await ctx.hub
    .select({ householdId: householdMember.householdId })
    .from(householdMember)
    .where(and(eq(householdMember.idNumber, idNumber), isNull(householdMember.leftOn)));
  return row?.householdId ?? null;
}

/** Each person's aid from each department, one adapter call per person per department. */
async function aidOfPeople(ctx: NaiveContext, idNumbers: readonly string[], departments: readonly DepartmentCode[] = DEPARTMENT_CODES) {
  const perDepartment = await Promise.all(
    departments.map(async (code) => {
      const started = performance.now();
      const perPerson = await Promise.all(idNumbers.map((id) => ADAPTERS[code].aidByIdNumbers(ctx.sources[code].db, [id], ctx.today)));
      return { records: perPerson.flat(), outcome: { department: code, available: true, latencyMs: Math.round(performance.now() - started), reason: null } };
    }),
  );
  return { records: perDepartment.flatMap((d) => d.records), outcomes: perDepartment.map((d) => d.outcome) };
}

async function aidOfHousehold(ctx: NaiveContext, householdId: number, departments?: readonly DepartmentCode[]) {
  const members = await membersOf(ctx, householdId);
  return aidOfPeople(
    ctx,
    members.map((m) => m.idNumber),
    departments,
  );
}

function filtered(records: AidRecord[], args: AidArgs): AidRecord[] {
  const window: Window = { from: args.from ?? null, to: args.to ?? null };
  return records.filter((r) => inWindow(r, window)).sort(newestFirst);
}

function sourceStatus(o: { department: DepartmentCode; available: boolean; latencyMs: number; reason: string | null }) {
  return { ...o, department: departmentOf(o.department) };
}

export const naiveResolvers = [
  scalarResolvers,
  {
    Query: {
      household: (_: unknown, args: QueryHouseholdArgs, ctx: NaiveContext) => householdById(ctx, requireHouseholdId(args.id)),
    },

    Household: {
      id: (h: HouseholdRow) => String(h.id),
      registrationNumber: (h: HouseholdRow) => h.registrationNo,
      region: async (h: HouseholdRow, _: unknown, ctx: NaiveContext) => (await regionByCode(ctx, h.regionCode)) ?? unknownRegion(h.regionCode),
      members: (h: HouseholdRow, _: unknown, ctx: NaiveContext) => membersOf(ctx, h.id),
      aid: async (h: HouseholdRow, args: AidArgs, ctx: NaiveContext) => filtered((await aidOfHousehold(ctx, h.id, (args.departments as readonly DepartmentCode[] | null | undefined) ?? undefined)).records, args),
      aidSummary: async (h: HouseholdRow, args: HouseholdAidSummaryArgs, ctx: NaiveContext) => {
        const to = args.to ?? ctx.today;
        const from = args.from ?? defaultSummaryWindow(to).from;
        const { records, outcomes } = await aidOfHousehold(ctx, h.id);
        return { ...summariseAid(records, from, to, ctx.today), complete: outcomes.every((o) => o.available) };
      },
      sources: async (h: HouseholdRow, _: unknown, ctx: NaiveContext) => (await aidOfHousehold(ctx, h.id)).outcomes.map(sourceStatus),
    },

    HouseholdMember: {
      person: (m: MemberRow, _: unknown, ctx: NaiveContext) => personByIdNumber(ctx, m.idNumber),
    },

    Person: {
      gender: (p: PersonRow) => (p.gender === 'M' ? 'MALE' : 'FEMALE'),
      age: (p: PersonRow, _: unknown, ctx: NaiveContext) => ageOn(p.birthDate, p.deathDate ?? ctx.today),
      household: async (p: PersonRow, _: unknown, ctx: NaiveContext) => {
        const householdId = await currentHouseholdId(ctx, p.idNumber);
        return householdId === null ? null : householdById(ctx, householdId);
      },
      aid: async (p: PersonRow, args: AidArgs, ctx: NaiveContext) => filtered((await aidOfPeople(ctx, [p.idNumber], (args.departments as readonly DepartmentCode[] | null | undefined) ?? undefined)).records, args),
      sources: async (p: PersonRow, _: unknown, ctx: NaiveContext) => (await aidOfPeople(ctx, [p.idNumber])).outcomes.map(sourceStatus),
    },

    AidRecord: {
      department: (r: AidRecord) => departmentOf(r.department),
      programme: (r: AidRecord) => PROGRAMME_BY_CODE.get(r.programme),
      beneficiary: (r: AidRecord, _: unknown, ctx: NaiveContext) => personByIdNumber(ctx, r.beneficiaryIdNumber),
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

    Programme: {
      department: (p: Programme) => departmentOf(p.department),
    },

    Region: {
      parent: (r: RegionRow, _: unknown, ctx: NaiveContext) => (r.parentCode ? regionByCode(ctx, r.parentCode) : null),
    },
  },
];
