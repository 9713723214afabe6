/** Departments, programmes and regions: catalogue objects shared by every domain; and paging. */
import { unknownRegion, type RegionRow } from '../db/household/loaders';
import { divisionHeld, UNKNOWN_DIVISION_MESSAGE } from '../db/household/region-pages';
import type { HubDb } from '../db/connect';
import { DEPARTMENT_NAMES, type OfficeCode } from '../domain/departments';
import type { Resolvers } from './__generated__/types';
import { badInput } from '../access/errors';
import type { Page } from './models';
export { unknownRegion };

export function departmentOf(code: OfficeCode) {
  return { code, name: DEPARTMENT_NAMES[code] };
}

/**
 * A row the schema promises is there (a case's household, a slip's case). Without it the reference
 * is broken: an internal error, as GraphQL would raise for a null in a non-null field.
 */
export async function present<T>(row: Promise<T | null>, what: string): Promise<T> {
  const found = await row;
  if (found === null) throw new Error(`${what} is missing`);
  return found;
}

/** The largest page of the audit reads (accessLog, householdAccessLog, clientAccessLog, clientAuditLookups), whatever MAX_LIST_SIZE is. */
export const AUDIT_PAGE_MAX = 500;

/**
 * A page size argument: `fallback` when not given, else 1 to `max`, or BAD_USER_INPUT, OUT_OF_RANGE
 * with both bounds (`min`, `max`), as every other OUT_OF_RANGE gives them: with `max` alone, a
 * caller refused `first: 0` was told only the bound it had not passed.
 */
export function pageSize(first: number | null | undefined, fallback: number, max: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput('first', 'OUT_OF_RANGE', `first must be between 1 and ${max}`, { min: 1, max });
  return n;
}

/**
 * A division code an argument narrows to, once what it narrowed to came back empty: BAD_USER_INPUT,
 * reason REGION_UNKNOWN, when the hub holds nothing of it (no region row, no household under it,
 * for a county no person of its address code: a typo such as 370811999). An empty answer passed it
 * off as a division with nothing to show. Only an empty answer asks, so a filter that finds
 * something costs no statement more; `empty` is false on a later page (its first was not empty).
 */
export async function refuseUnknownDivision(hub: HubDb, code: string | null | undefined, argument: string, empty: boolean): Promise<void> {
  if (!empty || !code) return;
  if (!(await divisionHeld(hub, code))) throw badInput(argument, 'REGION_UNKNOWN', UNKNOWN_DIVISION_MESSAGE);
}

/** The position an `after` argument names (null without one), or BAD_USER_INPUT for a cursor this API did not give out. */
export function positionAfter<P>(after: string | null | undefined, decode: (cursor: string) => P | null): P | null {
  if (!after) return null;
  const position = decode(after);
  if (position === null) throw badInput('after', 'MALFORMED_CURSOR', 'after is not a cursor this API gave out');
  return position;
}

/** A connection page: one edge per row with its cursor, and where the next page starts. */
export function pageOf<Row, Node>(page: { rows: readonly Row[]; hasNextPage: boolean }, cursorOf: (row: Row) => string, nodeOf: (row: Row) => Node): Page<Node> {
  const edges = page.rows.map((row) => ({ cursor: cursorOf(row), node: nodeOf(row) }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
}

export const commonResolvers: Resolvers = {
  Programme: {
    department: (p) => departmentOf(p.department),
  },
  Region: {
    parent: (r, _, ctx) => (r.parentCode ? ctx.loaders.hub.regionByCode.load(r.parentCode) : null),
  },
};
