/**
 * Households under a division, a page at a time, in (division, id) order so the page is read
 * straight off the `household_region` index at any depth (keyset pagination, no OFFSET).
 */
import { and, asc, count, eq, gt, like, or, type SQL } from 'drizzle-orm';
import type { HubDb } from '../connect';
import { household } from './schema';
import type { HouseholdRow } from './loaders';

export interface RegionCursor {
  regionCode: string;
  id: number;
}

export function encodeCursor(c: RegionCursor): string {
  return Buffer.from(`${c.regionCode}:${c.id}`, 'utf8').toString('base64url');
}

/** Null when the cursor was not made by encodeCursor. */
export function decodeCursor(cursor: string): RegionCursor | null {
  const m = /^(\d{6,12}):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { regionCode: m[1], id: Number(m[2]) } : null;
}

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

export async function countHouseholdsUnderPrefix(db: HubDb, prefix: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(household).where(like(household.regionCode, `${prefix}%`));
  return row.n;
}
