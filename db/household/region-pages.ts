/**
 * Households under a division, a page at a time, in (division, id) order so the page is read
 * straight off the `household_region` index at any depth (keyset pagination, no OFFSET).
 */
import { and, asc, count, eq, gt, inArray, like, or, sql, type SQL } from 'drizzle-orm';
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
 * Why a division code is refused as REGION_UNKNOWN (divisionHeld said no), on every channel: a list
 * filter, the CSV export, an alert subscription (which names the codes after it).
 */
export const UNKNOWN_DIVISION_MESSAGE = 'the hub knows no division of this code (no region and no household under it)';

/**
 * Whether the hub holds anything of a division a region job is asked to run over: the division in
 * its region table, a household under it, or, for a county or the city (under which a scan also
 * judges people in no household, by their ID number's address code), a person of that code.
 * The one test of a known division: list filters (refuseUnknownDivision), scans and alert
 * subscriptions ask it, so a village with no region row of its own is known by its households.
 */
export async function divisionHeld(db: HubQuery, code: string): Promise<boolean> {
  return (await divisionsHeld(db, [code])).has(code);
}

/**
 * The codes the hub holds anything of, as divisionHeld judges each, in two statements however many
 * are asked (an alert subscription names up to 77 villages, judged inside its locking transaction):
 * the region rows of them all, then, for those without one, whether a household (for a county or
 * the city, also a person) lies under each, one EXISTS per code in a single SELECT.
 */
export async function divisionsHeld(db: HubQuery, codes: readonly string[]): Promise<Set<string>> {
  const asked = [...new Set(codes)];
  if (asked.length === 0) return new Set();
  const held = new Set((await db.select({ code: region.code }).from(region).where(inArray(region.code, asked))).map((r) => r.code));
  const rest = asked.filter((c) => !held.has(c));
  if (rest.length === 0) return held;
  const under = (code: string) => {
    const prefix = `${divisionPrefix(code)}%`;
    const households = sql`EXISTS (SELECT 1 FROM ${household} WHERE ${household.regionCode} LIKE ${prefix})`;
    return code.length === 6 ? sql`(${households} OR EXISTS (SELECT 1 FROM ${person} WHERE ${person.idNumber} LIKE ${prefix}))` : households;
  };
  const [rows] = (await db.execute(sql`SELECT ${sql.join(rest.map((c, i) => sql`${under(c)} AS ${sql.raw(`d${i}`)}`), sql`, `)}`)) as unknown as [Record<string, unknown>[]];
  rest.forEach((c, i) => {
    if (Number(rows[0][`d${i}`]) === 1) held.add(c);
  });
  return held;
}

export async function countHouseholdsUnderPrefix(db: HubDb, prefix: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(household).where(like(household.regionCode, `${prefix}%`));
  return row.n;
}
