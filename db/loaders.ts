/**
 * Per-request DataLoaders over the hub's own tables. Each batch function is one statement and
 * returns exactly one entry per key, in key order; a missing row is null, never an error.
 */
import DataLoader from 'dataloader';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { byKey, groupByKey } from './batch';
import type { HubDb } from './connect';
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

export function createHubLoaders(db: HubDb) {
  const loaders = {
    householdById: new DataLoader<number, HouseholdRow | null>(async (ids) =>
      byKey(ids, await db.select().from(household).where(inArray(household.id, [...ids])), (r) => r.id),
    ),

    /** Current members (no leaving date), head first, each with their person row. */
    membersByHousehold: new DataLoader<number, MemberRow[]>(async (ids) => {
      const rows = await db
        .select({
          householdId: householdMember.householdId,
          relation: householdMember.relation,
          joinedOn: householdMember.joinedOn,
          person,
        })
        .from(householdMember)
        .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
        .where(and(inArray(householdMember.householdId, [...ids]), isNull(householdMember.leftOn)))
        .orderBy(asc(householdMember.householdId), RELATION_ORDER, asc(person.birthDate));
      return groupByKey(ids, rows, (r) => r.householdId);
    }),

    personByIdNumber: new DataLoader<string, PersonRow | null>(async (idNumbers) =>
      byKey(idNumbers, await db.select().from(person).where(inArray(person.idNumber, [...idNumbers])), (r) => r.idNumber),
    ),

    /** The household a person belongs to now. */
    /**
     * The household a person belongs to now (no leaving date), in one statement with the household
     * row, which is also handed to `householdById` so that asking for it again costs nothing.
     */
    currentHouseholdByIdNumber: new DataLoader<string, HouseholdRow | null>(async (idNumbers) => {
      const rows = await db
        .select({ idNumber: householdMember.idNumber, household })
        .from(householdMember)
        .innerJoin(household, eq(household.id, householdMember.householdId))
        .where(and(inArray(householdMember.idNumber, [...idNumbers]), isNull(householdMember.leftOn)));
      for (const r of rows) loaders.householdById.prime(r.household.id, r.household);
      return byKey(idNumbers, rows, (r) => r.idNumber).map((r) => r?.household ?? null);
    }),

    regionByCode: new DataLoader<string, RegionRow | null>(async (codes) =>
      byKey(codes, await db.select().from(region).where(inArray(region.code, [...codes])), (r) => r.code),
    ),
  };
  return loaders;
}

export type HubLoaders = ReturnType<typeof createHubLoaders>;
