/**
 * Households under a division. A sync's pages (householdsUnderDivision) are read in hub id order, the
 * division a filter, off a (prefix, id) index per level (schema.ts: a generated column per level
 * above the village): a household's id never changes, so every household under the division for the
 * whole sync is met exactly once whatever moves happen between pages. In (division, id) order, the
 * order they were paged in before, a household moved to a village the pages had passed was missed
 * and one moved from a passed village to one ahead met twice. A region scan and the monthly
 * comparison read their households through the same statement (db/findings/facts.ts
 * householdKeysPage), so each judges every household under the division once too.
 */
import { and, asc, count, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { DivisionCursor } from '../../domain/cursor';
import type { HubDb } from '../connect';
import type { HubQuery } from '../cases/records';
import { divisionPrefix } from '../../domain/division-code';
import { household, person, region } from './schema';
import type { HouseholdRow } from './loaders';

/**
 * The column holding a household's region code cut to the length of a division prefix, and its
 * (column, id) index (schema.ts): a village's (12 digits) is the region code itself, `household_region`.
 */
function prefixColumn(prefix: string) {
  switch (prefix.length) {
    case 2:
      return { column: household.provincePrefix, index: 'household_province' };
    case 4:
      return { column: household.cityPrefix, index: 'household_city' };
    case 6:
      return { column: household.countyPrefix, index: 'household_county' };
    case 9:
      return { column: household.townshipPrefix, index: 'household_township' };
    default:
      return { column: household.regionCode, index: 'household_region' };
  }
}

/** The households under a division prefix: an equality on its level's column, a range of its index. */
export function underDivision(prefix: string): SQL {
  return eq(prefixColumn(prefix).column, prefix);
}

/**
 * A page of the households under a division prefix, in hub id order, after a household id: one
 * statement, read off the level's (prefix, id) index in order, never sorting the division.
 */
export async function householdsUnderDivision(db: HubDb, prefix: string, first: number, after: DivisionCursor | null): Promise<{ rows: HouseholdRow[]; hasNextPage: boolean }> {
  const rows = await divisionPage(db, prefix, first + 1, after);
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** householdsUnderDivision's statement, `limit` rows (bench/region-pages.ts explains it). */
export function divisionPage(db: HubDb, prefix: string, limit: number, after: DivisionCursor | null) {
  // FORCE INDEX: left to choose, MariaDB 10.11 reads the index by its first part alone (ref access,
  // the id a filter), from the division's first entry to the cursor: a page from the middle of a
  // county of 100,000 read 50,000 entries, the whole county's pages O(n²). Forced, it takes the
  // range of both parts, (prefix, id) after the cursor: 101 entries (bench/region-pages.ts). MySQL
  // 8 and TiDB take the hint too (federation/change-feed.ts does the same).
  const { index } = prefixColumn(prefix);
  return db
    .select()
    .from(household, { forceIndex: index })
    .where(after ? and(underDivision(prefix), gt(household.id, after.id)) : underDivision(prefix))
    .orderBy(asc(household.id))
    .limit(limit);
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
  const [row] = await db.select({ n: count() }).from(household).where(underDivision(prefix));
  return row.n;
}
