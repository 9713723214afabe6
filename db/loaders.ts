/**
 * Per-request DataLoaders over the hub's own tables. Each batch function is one prepared statement
 * and returns exactly one entry per key, in key order; a missing row is null, never an error.
 */
import DataLoader from 'dataloader';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { byKey, groupByKey } from './batch';
import type { HubDb } from './connect';
import { inPlaceholder, preparedPer } from './prepared';
import { household, householdMember, person, region } from './schema';

export type HouseholdRow = typeof household.$inferSelect;
export type PersonRow = typeof person.$inferSelect;
export type RegionRow = typeof region.$inferSelect;
export interface MemberRow {
  householdId: number;
  relation: (typeof householdMember.$inferSelect)['relation'];
  joinedOn: string;
  person: PersonRow;
}

const RELATION_ORDER = sql`FIELD(${householdMember.relation}, 'HEAD', 'SPOUSE', 'PARENT', 'GRANDPARENT', 'CHILD', 'GRANDCHILD', 'SIBLING', 'OTHER')`;

/** The loaders' statements, prepared once per database handle (db/prepared.ts). */
const statements = preparedPer((db: HubDb) => ({
  householdsById: db.select().from(household).where(inPlaceholder(household.id, 'ids')).prepare(),
  membersOf: db
    .select({
      householdId: householdMember.householdId,
      relation: householdMember.relation,
      joinedOn: householdMember.joinedOn,
      person,
    })
    .from(householdMember)
    .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
    .where(and(inPlaceholder(householdMember.householdId, 'ids'), isNull(householdMember.leftOn)))
    .orderBy(asc(householdMember.householdId), RELATION_ORDER, asc(person.birthDate))
    .prepare(),
  peopleByIdNumber: db.select().from(person).where(inPlaceholder(person.idNumber, 'ids')).prepare(),
  currentHouseholds: db
    .select({ idNumber: householdMember.idNumber, household })
    .from(householdMember)
    .innerJoin(household, eq(household.id, householdMember.householdId))
    .where(and(inPlaceholder(householdMember.idNumber, 'ids'), isNull(householdMember.leftOn)))
    .prepare(),
  regionsByCode: db.select().from(region).where(inPlaceholder(region.code, 'codes')).prepare(),
}));

export function createHubLoaders(db: HubDb) {
  const q = statements(db);
  const loaders = {
    householdById: new DataLoader<number, HouseholdRow | null>(async (ids) => byKey(ids, await q.householdsById.execute({ ids }), (r) => r.id)),

    /** Current members (no leaving date), head first, each with their person row. */
    membersByHousehold: new DataLoader<number, MemberRow[]>(async (ids) => groupByKey(ids, await q.membersOf.execute({ ids }), (r) => r.householdId)),

    personByIdNumber: new DataLoader<string, PersonRow | null>(async (ids) => byKey(ids, await q.peopleByIdNumber.execute({ ids }), (r) => r.idNumber)),

    /**
     * The household a person belongs to now (no leaving date), in one statement with the household
     * row, which is also handed to `householdById` so that asking for it again costs nothing.
     */
    currentHouseholdByIdNumber: new DataLoader<string, HouseholdRow | null>(async (ids) => {
      const rows = await q.currentHouseholds.execute({ ids });
      for (const r of rows) loaders.householdById.prime(r.household.id, r.household);
      return byKey(ids, rows, (r) => r.idNumber).map((r) => r?.household ?? null);
    }),

    regionByCode: new DataLoader<string, RegionRow | null>(async (codes) => byKey(codes, await q.regionsByCode.execute({ codes }), (r) => r.code)),
  };
  return loaders;
}

export type HubLoaders = ReturnType<typeof createHubLoaders>;
