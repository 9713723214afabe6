/**
 * A nightly sync pages `householdsInRegion` while households move (README, "householdsInRegion
 * and a sync"): every household in the division for the whole sync is met exactly once, whatever
 * moves happen between pages. Pages were read in (village, hub id) order, so a household moved to
 * a village the pages had passed was missed (the demo: 727 of 任城区's 728) and one moved from a
 * passed village to one ahead was met twice. Pages are now read in hub id order, the division a
 * filter: a household's id never changes.
 */
import { eq, inArray } from 'drizzle-orm';
import type mysql from 'mysql2/promise';
import { divisionPage } from '../db/household/region-pages';
import { household } from '../db/household/schema';
import { encodeIdCursor } from '../domain/cursor';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { EXPLAIN_ROWS } from './support/statements';

const COUNTY = '370811';
/** 任城区's villages in code order: the first, one in the middle, the last. */
const VILLAGES = ['370811001001', '370811001002', '370811002001'];
/** 兖州区: out of the county paged. */
const ELSEWHERE = '370812001001';
const PAGE = 5;

const PAGE_QUERY = `query($code: String!, $first: Int!, $after: String) { householdsInRegion(code: $code, first: $first, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('household_region_sync');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** Adds households, ids in the order given, and answers their ids. */
async function addHouseholds(tag: string, regionCodes: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [k, regionCode] of regionCodes.entries()) {
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `${tag}-${k}`, regionCode, address: `${tag} ${k} 号` });
    ids.push(res.insertId);
  }
  return ids;
}

async function moveTo(regionCode: string, ids: readonly number[]): Promise<void> {
  await dbs.hub.update(household).set({ regionCode }).where(inArray(household.id, [...ids]));
}

/** Every household id under the county now. */
async function inCountyNow(): Promise<number[]> {
  const rows = await dbs.hub.select({ id: household.id, regionCode: household.regionCode }).from(household);
  return rows.filter((r) => r.regionCode.startsWith(COUNTY)).map((r) => r.id);
}

/**
 * Pages the county as a sync does, `between(pagesRead, met)` run after each page but the last:
 * answers every id met, in the order met (a repeat kept), and every page's totalCount.
 */
async function sync(between: (pagesRead: number, met: number[]) => Promise<void>): Promise<{ met: number[]; totals: number[] }> {
  const met: number[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const res: GraphQLResponse = await hub.gql(PAGE_QUERY, { code: COUNTY, first: PAGE, after });
    expect(res.errors).toBeUndefined();
    const page: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = res.data.householdsInRegion;
    met.push(...page.edges.map((e) => Number(e.node.id)));
    totals.push(page.totalCount);
    if (!page.pageInfo.hasNextPage) return { met, totals };
    after = page.pageInfo.endCursor;
    await between(pages, met);
  }
}

const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

describe('a sync paging a county while households move', () => {
  let ids: number[];
  beforeEach(async () => {
    await dbs.hub.delete(household);
    // Ids in an order unlike the villages': the last village's households come first.
    ids = await addHouseholds('SYNC', Array.from({ length: 30 }, (_, k) => VILLAGES[(k + 2) % 3]));
  });

  // README's scenario: household 4000 moved from 任城区's last villages to its first between the
  // third and fourth pages; the pages gave 727 of 728.
  it('meets a household moved to an earlier village between pages once, and one moved to a later village once', async () => {
    const moved: { toFirst?: number; toLast?: number } = {};
    const { met, totals } = await sync(async (pagesRead, seen) => {
      if (pagesRead !== 2) return;
      // One not met yet, from the last village to the first; one met already, to the last village.
      moved.toFirst = ids.find((id) => !seen.includes(id))!;
      moved.toLast = seen[0];
      await moveTo(VILLAGES[0], [moved.toFirst]);
      await moveTo(VILLAGES[2], [moved.toLast]);
    });
    expect(moved.toFirst).toBeDefined();
    expect(met.filter((id) => id === moved.toFirst)).toHaveLength(1);
    expect(met.filter((id) => id === moved.toLast)).toHaveLength(1);
    expect(met).toEqual(sorted(ids));
    expect(new Set(totals)).toEqual(new Set([30]));
  });

  it('meets every household that stays in the county exactly once, whatever moves within it between every pair of pages', async () => {
    let round = 0;
    const { met } = await sync(async (_, seen) => {
      round++;
      // Between every two pages: one household met and one not met yet each move to a village of
      // another place in the order, first, middle and last by turns.
      const ahead = ids.filter((id) => !seen.includes(id));
      await moveTo(VILLAGES[round % 3], [seen[round % seen.length]]);
      if (ahead.length) await moveTo(VILLAGES[(round + 1) % 3], [ahead[ahead.length - 1 - (round % ahead.length)]]);
    });
    expect(round).toBeGreaterThanOrEqual(5);
    expect(met).toEqual(sorted(ids));
  });

  it('meets a household moved out of the county only when its page was read before the move, and one moved in only when its page is read after', async () => {
    // Two of the county's households are in another county when the sync starts: one of the
    // lowest ids, one of the highest.
    const outside = [ids[1], ids[ids.length - 2]];
    await moveTo(ELSEWHERE, outside);
    const counted = ids.filter((id) => !outside.includes(id));
    const fate: Record<string, number> = {};
    const { met } = await sync(async (pagesRead, seen) => {
      if (pagesRead !== 3) return;
      const ahead = counted.filter((id) => !seen.includes(id));
      fate.outMet = seen[1]; // met, then moved out: the sync holds it; households(ids:) tells it where it went
      fate.outAhead = ahead[0]; // moved out before its page: not met (not in the county when read)
      fate.inBehind = outside[0]; // moved in behind the pages (its id below the last met): met on the next run
      fate.inAhead = outside[1]; // moved in ahead of the pages: met on this run
      expect(fate.inBehind).toBeLessThan(seen.at(-1)!);
      expect(fate.inAhead).toBeGreaterThan(seen.at(-1)!);
      await moveTo(ELSEWHERE, [fate.outMet, fate.outAhead]);
      await moveTo(VILLAGES[1], [fate.inBehind]);
      await moveTo(VILLAGES[0], [fate.inAhead]);
      // Added during the sync: a new id, above every id, so met on this run.
      [fate.added] = await addHouseholds('NEW', [VILLAGES[0]]);
    });
    expect(new Set(met).size).toBe(met.length);
    expect(met).toContain(fate.outMet);
    expect(met).not.toContain(fate.outAhead);
    expect(met).not.toContain(fate.inBehind);
    expect(met).toContain(fate.inAhead);
    expect(met).toContain(fate.added);
    const stayed = counted.filter((id) => id !== fate.outMet && id !== fate.outAhead);
    for (const id of stayed) expect(met).toContain(id);
    // What the sync met and what is in the county now differ by exactly the moves: the one that
    // left after its page (asked by households(ids:)) and the one that came behind (the next run).
    expect(sorted(met)).toEqual(sorted([...(await inCountyNow()).filter((id) => id !== fate.inBehind), fate.outMet]));
  });
});

describe('cursors', () => {
  it('refuses a cursor given out when pages were read in (village, id) order as outdated, and one of another division as before', async () => {
    const [id] = await addHouseholds('CURSOR', [VILLAGES[0]]);
    const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const outdated = await hub.gql(PAGE_QUERY, { code: COUNTY, first: PAGE, after: b64(`${VILLAGES[0]}:${id}`) });
    expect(outdated.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'after', reason: 'CURSOR_OUTDATED' })]);
    const other = await hub.gql(PAGE_QUERY, { code: COUNTY, first: PAGE, after: encodeIdCursor('S', id) });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after', reason: 'MALFORMED_CURSOR' });
    const village = await hub.gql(PAGE_QUERY, { code: VILLAGES[0], first: 1 });
    const fromVillage = await hub.gql(PAGE_QUERY, { code: ELSEWHERE, first: 1, after: village.data.householdsInRegion.pageInfo.endCursor });
    expect(fromVillage.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after', reason: 'MALFORMED_CURSOR' });
  });
});

/**
 * A page reads the entries it answers, not the division up to the cursor: left to choose, MariaDB
 * read a (prefix, id) index by its prefix alone and walked it from the division's first household
 * (a page from the middle of a county of 100,000 read 50,000 entries; bench/region-pages.ts).
 * Counted by the server's handler counters, as EXPLAIN's estimates do not tell.
 */
describe('the page statement', () => {
  const PER_COUNTY = 1_500;
  beforeAll(async () => {
    await dbs.hub.delete(household);
    const counties = ['370811', '370812', '370826'];
    const rows = Array.from({ length: PER_COUNTY * counties.length }, (_, k) => ({
      registrationNo: `PLAN-${k}`,
      regionCode: `${counties[k % 3]}${String(1 + ((k >> 2) % 5)).padStart(3, '0')}${String(1 + ((k >> 4) % 8)).padStart(3, '0')}`,
      address: `${k} 号`,
    }));
    for (let i = 0; i < rows.length; i += 1_000) await dbs.hub.insert(household).values(rows.slice(i, i + 1_000));
    await dbs.hubPool.query('ANALYZE TABLE household');
  });

  it.each([
    ['the city', '3708'],
    ['a county', '370811'],
    ['a township', '370811002'],
    ['a village', '370811002003'],
  ])('of %s reads its page off its index from the cursor on, sorting nothing', async (_, prefix) => {
    const conn = await dbs.hubPool.getConnection();
    try {
      const [under] = await conn.query<mysql.RowDataPacket[]>('SELECT id FROM household WHERE region_code LIKE ? ORDER BY id', [`${prefix}%`]);
      expect(under.length).toBeGreaterThan(2 * PAGE);
      const middle = Number(under[Math.floor(under.length / 2)].id);
      const statement = divisionPage(dbs.hub, prefix, PAGE + 1, { prefix, id: middle }).toSQL();
      const [plan] = await conn.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${statement.sql}`, statement.params);
      expect(plan).toHaveLength(1);
      expect(plan[0].key).toBe(prefix.length === 12 ? 'household_region' : `household_${{ 4: 'city', 6: 'county', 9: 'township' }[prefix.length]}`);
      expect(String(plan[0].Extra)).not.toMatch(/filesort|temporary/i);
      await conn.query('FLUSH STATUS');
      const [rows] = await conn.query<mysql.RowDataPacket[]>(statement.sql, statement.params);
      expect(rows.map((r) => Number(r.id))).toEqual(under.slice(Math.floor(under.length / 2) + 1, Math.floor(under.length / 2) + 2 + PAGE).map((r) => Number(r.id)));
      const [status] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%' OR Variable_name = 'Handler_icp_attempts'");
      const read = status.reduce((sum, s) => sum + Number(s.Value), 0);
      // The first entry after the cursor and the page's others, each checked against the index
      // condition at most twice where the server checks it there: a handful, however far the cursor.
      expect(read).toBeLessThanOrEqual(3 * (PAGE + 2));
    } finally {
      conn.release();
    }
  });
});
