/**
 * Households under a division, a page at a time, in (division, id) order so the page is read
 * straight off the `household_region` index at any depth (keyset pagination, no OFFSET).
 */
import { and, asc, count, eq, gt, like, or, type SQL } from 'drizzle-orm';
import type { RegionCursor } from '../../domain/cursor';
import type { HubDb } from '../connect';
import type { HubQuery } from '../cases/records';
import { divisionPrefix } from '../../domain/division-code';
import { household, person, region } from './schema';
import type { HouseholdRow } from './loaders';

/** Households under a division prefix that come after a key in (division, id) order. */
export function underPrefixAfter(prefix: string, after: RegionCursor | null): SQL | undefined {
  const under = like(household.regionCode, `${prefix}%`);
  return after
    ? and(under, or(gt(household.regionCode, after.regionCode), and(eq(household.regionCode, after.regionCode), gt(household.id, after.id))))
    : under;
}

/** The order underPrefixAfter pages in: straight off the `household_region` index. */
export const REGION_ORDER = [asc(household.regionCode), asc(household.id)];

export async function householdsUnderPrefix(db: HubDb, prefix: string, first: number, after: RegionCursor | null): Promise<{ rows: HouseholdRow[]; hasNextPage: boolean }> {
  const rows = await db
    .select()
    .from(household)
    .where(underPrefixAfter(prefix, after))
    .orderBy(...REGION_ORDER)
    .limit(first + 1);
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** Whether the hub has this division in its region table. */
export async function regionKnown(db: HubQuery, code: string): Promise<boolean> {
  const rows = await db.select({ code: region.code }).from(region).where(eq(region.code, code)).limit(1);
  return rows.length > 0;
}

/**
 * Whether the hub holds anything of a division a region job is asked to run over: the division in
 * its region table, a household under it, or, for a county or the city (under which a scan also
 * judges people in no household, by their ID number's address code), a person of that code.
 * The one test of a known division: list filters (refuseUnknownDivision), scans and alert
 * subscriptions ask it, so a village with no region row of its own is known by its households.
 */
export async function divisionHeld(db: HubQuery, code: string): Promise<boolean> {
  if (await regionKnown(db, code)) return true;
  const prefix = divisionPrefix(code);
  const households = await db.select({ id: household.id }).from(household).where(like(household.regionCode, `${prefix}%`)).limit(1);
  if (households.length > 0) return true;
  if (code.length !== 6) return false;
  const people = await db.select({ idNumber: person.idNumber }).from(person).where(like(person.idNumber, `${prefix}%`)).limit(1);
  return people.length > 0;
}

export async function countHouseholdsUnderPrefix(db: HubDb, prefix: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(household).where(like(household.regionCode, `${prefix}%`));
  return row.n;
}
