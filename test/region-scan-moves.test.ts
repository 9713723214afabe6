/**
 * A region scan and a monthly comparison page the households of a division while households move,
 * as a sync of `householdsInRegion` does (test/household-region-sync.test.ts): each judges every
 * household under the division exactly once. Their pages were read by village then hub id, so a
 * household moved to a village the pages had passed was never judged (a missed duplicate-aid
 * finding, a missed alert) and one moved from a passed village to one ahead was judged twice (its
 * findings counted twice in the scan's counts). They are read in hub id order now, through the
 * statement householdsInRegion pages by (db/findings/facts.ts householdKeysPage).
 *
 * The scan's pages here are those before and after a handover: a hub stopping hands its scan over
 * at its next chunk, another takes it over from its resume cursor, and the moves happen between.
 */
import { inArray } from 'drizzle-orm';
import { household } from '../db/household/schema';
import { runMonthlyComparison } from '../resolvers/monitoring/monthly';
import { ScanJobs } from '../resolvers/findings/scan';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, TODAY } from './support/scenarios';
import { insertCases } from './findings-scenario';

jest.setTimeout(120_000);

const COUNTY = '370811';
/** Villages of 任城区 in code order: moves go to the first and to the last. */
const FIRST = '370811001001';
const EARLIER = '370811001002';
const LATER = '370811002001';
const LAST = '370811009001';

let dbs: TestDatabases;
let ids: number[];

beforeAll(async () => {
  dbs = await createTestDatabases('region_scan_moves');
  await insertRegions(dbs);
  await insertCases(dbs);
  ids = (await dbs.hub.select({ id: household.id }).from(household)).map((r) => r.id).sort((a, b) => a - b);
  expect(ids.length).toBeGreaterThanOrEqual(6);
});

afterAll(async () => {
  await dbs?.close();
});

/** Ids in an order unlike the villages': the lower half in the later village, the upper in the earlier. */
async function spread(): Promise<void> {
  const half = Math.floor(ids.length / 2);
  await dbs.hub.update(household).set({ regionCode: LATER }).where(inArray(household.id, ids.slice(0, half)));
  await dbs.hub.update(household).set({ regionCode: EARLIER }).where(inArray(household.id, ids.slice(half)));
}

const moveTo = (regionCode: string, id: number) => dbs.hub.update(household).set({ regionCode }).where(inArray(household.id, [id]));

describe('a scan taken over while households move', () => {
  const ruleSet = activeRuleSet();
  const deps = () => ({ hub: dbs.hub, sources: dbs.sourceSet, ruleSet, today: TODAY, leaseMs: 60_000 });
  let withFindings: number[];

  async function seenBy(scanId: number): Promise<number[]> {
    const [rows] = (await dbs.hubPool.query(
      'SELECT DISTINCT f.household_id AS id FROM finding_occurrence o JOIN finding f ON f.id = o.finding_id WHERE o.scan_id = ? AND f.household_id IS NOT NULL',
      [scanId],
    )) as any;
    return rows.map((r: any) => Number(r.id)).sort((a: number, b: number) => a - b);
  }

  const scanRow = async (scanId: number) =>
    ((await dbs.hubPool.query('SELECT state, failure, households_total AS total, households_done AS done, findings_count AS findings FROM finding_scan WHERE id = ?', [scanId])) as any)[0][0];

  beforeAll(async () => {
    await spread();
    const full = await new ScanJobs().start(deps(), COUNTY, 'test', null);
    if (!full.ok) throw new Error('the full scan did not start');
    await full.done;
    withFindings = await seenBy(full.scanId);
    expect(withFindings.length).toBeGreaterThanOrEqual(4);
  });

  beforeEach(spread);

  /**
   * Starts a scan of the county, a household a chunk, and stops its hub once two are judged: the
   * scan is handed over with a chunk or more stored. Answers it and the households its stored
   * chunks hold, as its resume cursor names them (in whichever order the scan reads them).
   */
  async function handedOver(): Promise<{ scanId: number; stored: Set<number> }> {
    const stopping = new ScanJobs();
    let stopped: Promise<void> | null = null;
    const started = await stopping.start(deps(), COUNTY, 'test', null, {
      chunkHouseholds: 1,
      sliceHouseholds: 1,
      lookahead: 1,
      onProgress: (c) => {
        if (c.householdsDone >= 2) stopped ??= stopping.stop();
      },
    });
    if (!started.ok) throw new Error('the scan did not start');
    await expect(started.done).rejects.toThrow('handed over');
    await stopped;
    const [[lease]] = (await dbs.hubPool.query('SELECT resume_after FROM job_lease WHERE job_key = ?', [`scan:${started.scanId}`])) as any;
    expect(lease.resume_after).not.toBeNull();
    const cursor = JSON.parse(lease.resume_after);
    const rows = await dbs.hub.select({ id: household.id, regionCode: household.regionCode }).from(household);
    // A cursor of hub id order names the last id stored; one of (village, id) order its key.
    const stored = rows.filter((r) => (typeof cursor.afterId === 'number' ? r.id <= cursor.afterId : r.regionCode < cursor.regionCode || (r.regionCode === cursor.regionCode && r.id <= cursor.id)));
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(rows.length);
    return { scanId: started.scanId, stored: new Set(stored.map((r) => r.id)) };
  }

  async function takeOver(scanId: number): Promise<void> {
    const other = new ScanJobs();
    expect(await other.takeOver(deps())).toEqual([scanId]);
    await other.idle();
  }

  it('still judges, once, a household moved to a village the pages had passed', async () => {
    const { scanId, stored } = await handedOver();
    const moved = withFindings.find((id) => !stored.has(id));
    expect(moved).toBeDefined();
    await moveTo(FIRST, moved!);
    await takeOver(scanId);
    const scan = await scanRow(scanId);
    expect(scan).toMatchObject({ state: 'SUCCEEDED', failure: null, total: ids.length, done: ids.length });
    // Judged after the handover: its findings are the scan's (by village then id it was passed over).
    expect(await seenBy(scanId)).toContain(moved);
  });

  it('judges once a household moved from a village the pages had passed to one ahead', async () => {
    const { scanId, stored } = await handedOver();
    const moved = withFindings.find((id) => stored.has(id));
    expect(moved).toBeDefined();
    await moveTo(LAST, moved!);
    await takeOver(scanId);
    const full = await dbs.hubPool.query('SELECT findings_count AS findings FROM finding_scan WHERE state = ? ORDER BY id LIMIT 1', ['SUCCEEDED']);
    const scan = await scanRow(scanId);
    // By village then id it was judged again: households done one more than the county holds, its findings counted twice.
    expect(scan).toMatchObject({ state: 'SUCCEEDED', failure: null, total: ids.length, done: ids.length, findings: (full as any)[0][0].findings });
  });

  it('ends FAILED (INTERRUPTED) when its cursor was saved by village then id: resumed by id it would skip households', async () => {
    const { scanId } = await handedOver();
    await dbs.hubPool.query('UPDATE job_lease SET resume_after = ? WHERE job_key = ?', [JSON.stringify({ id: ids[ids.length - 1], regionCode: EARLIER, done: 1 }), `scan:${scanId}`]);
    await takeOver(scanId);
    expect(await scanRow(scanId)).toMatchObject({ state: 'FAILED', failure: 'INTERRUPTED' });
  });
});

describe('a monthly comparison while households move between its pages', () => {
  const deps = () => ({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date(`${TODAY}T02:00:00.000Z`) });

  /** Runs the comparison over the county a household a page, `between(pages)` after each page written. */
  const compare = (between: (pages: number) => Promise<unknown>) => {
    let pages = 0;
    return runMonthlyComparison(deps(), COUNTY, { pageHouseholds: 1, lookahead: 1, onProgress: async () => void (await between(++pages)) });
  };

  beforeEach(spread);

  it('compares once a household moved to a village the pages had passed', async () => {
    // The later village's last id is unread after the first page in either order (the earlier
    // village's pages come first by village then id); it moves to the first village.
    const moved = ids[Math.floor(ids.length / 2) - 1];
    const { households } = await compare(async (pages) => (pages === 1 ? moveTo(FIRST, moved) : undefined));
    expect(households).toBe(ids.length);
  });

  it('compares once a household moved from a village the pages had passed to one ahead', async () => {
    // The earlier village's first id: the first page by village then id, unread after it by id.
    const moved = ids[Math.floor(ids.length / 2)];
    const { households } = await compare(async (pages) => (pages === 1 ? moveTo(LAST, moved) : undefined));
    expect(households).toBe(ids.length);
  });
});
