/**
 * A growing key's feed does not skip rows committed out of order (federation/change-feed.ts
 * `holdAtGaps`): InnoDB gives ids out as statements run, transactions commit in any order, so the
 * watermark waits at a gap in the ids read until the gap is older than the commit lag. Against the
 * real MariaDB and the real poller: a transaction holding id N commits after N+1 was polled and N
 * still becomes an alert; an id burned by a rollback holds the watermark only until the lag has
 * passed; a poll with no gaps is still one statement per table.
 */
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { monitoringAlert } from '../../db/monitoring/schema';
import { watermarks } from '../../db/monitoring/store';
import { holdAtGaps, polledFeeds } from '../../federation/change-feed';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import type { SourceDb } from '../../federation/contract';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, type PollerOptions } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';

jest.setTimeout(180_000);

describe('where a growing key’s watermark may go (holdAtGaps)', () => {
  const LAG = 1000;

  it('passes rows without gaps', () => {
    expect(holdAtGaps(40, [41, 42, 43], { seen: [], nowMs: 5 }, LAG)).toEqual({ to: 43, gaps: [] });
    expect(holdAtGaps(40, [], { seen: [], nowMs: 5 }, LAG)).toEqual({ to: 40, gaps: [] });
  });

  it('stops just before the first gap younger than the lag, and remembers when it was first seen', () => {
    expect(holdAtGaps(40, [42, 43, 46], { seen: [], nowMs: 5 }, LAG)).toEqual({
      to: 40,
      gaps: [
        { from: 41, to: 41, seenAtMs: 5 },
        { from: 44, to: 45, seenAtMs: 5 },
      ],
    });
  });

  it('passes a gap older than the lag, and keeps a partly filled gap’s age', () => {
    const seen = [
      { from: 41, to: 41, seenAtMs: 0 },
      { from: 44, to: 47, seenAtMs: 600 },
    ];
    // 41 never came (rolled back); 45 committed since, 44 and 46..47 are still missing.
    expect(holdAtGaps(40, [42, 43, 45, 48], { seen, nowMs: 1000 }, LAG)).toEqual({
      to: 43,
      gaps: [
        { from: 44, to: 44, seenAtMs: 600 },
        { from: 46, to: 47, seenAtMs: 600 },
      ],
    });
    expect(holdAtGaps(40, [42, 43, 45, 48], { seen, nowMs: 1600 }, LAG)).toEqual({ to: 48, gaps: [] });
  });

  it('keeps remembered gaps beyond a read that ended earlier', () => {
    expect(holdAtGaps(40, [41, 42], { seen: [{ from: 41, to: 49, seenAtMs: 7 }], nowMs: 9 }, LAG)).toEqual({ to: 42, gaps: [{ from: 43, to: 49, seenAtMs: 7 }] });
  });
});

describe('the poller on 人社’s registrations of unemployment (a growing key)', () => {
  let dbs: TestDatabases;
  let deps: DetectDeps;
  const conns: mysql.Connection[] = [];
  const NOW = new Date(`${TODAY}T02:00:00.000Z`);
  const REGISTRATIONS = humanResourcesScenario.tables.unemploymentRegistrations.table;
  const FEED = polledFeeds('HUMAN_RESOURCES').find((f) => f.table === REGISTRATIONS)!.key;
  const opts = (commitLagMs: number): PollerOptions => ({ intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs });
  let seq = 0;

  /** A person of a household in 任城区古槐街道, known to the hub, with no job loss yet. */
  async function person_(): Promise<string> {
    seq += 1;
    return (await insertResident(dbs, { prefix: 'GAP', seq: 100 + seq, birthDate: '1980-05-05' })).idNumber;
  }

  /** Registers a job loss on `conn` (in whatever transaction it has open); returns the id InnoDB gave it. */
  async function registerJobLoss(conn: mysql.Connection, idNumber: string): Promise<number> {
    const [res] = await drizzle(conn).insert(REGISTRATIONS).values({ sfzhm: idNumber, syrq: TODAY, djrq: TODAY, syyy: '02' });
    return res.insertId;
  }

  const alertsOf = (id: string) => dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, id));
  const watermark = async () => (await watermarks(dbs.hub, [FEED])).get(FEED);

  async function withPoller<T>(o: PollerOptions, work: (p: MonitoringPoller) => Promise<T>, d: DetectDeps = deps): Promise<T> {
    const poller = new MonitoringPoller(d, o);
    try {
      return await work(poller);
    } finally {
      await poller.stop();
    }
  }

  beforeAll(async () => {
    dbs = await createTestDatabases('sequence_gaps');
    await insertRegions(dbs);
    deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW };
    for (let i = 0; i < 2; i++) conns.push(await mysql.createConnection(dbs.sourceUrls.HUMAN_RESOURCES));
    // The first poll only sets the watermarks.
    await withPoller(opts(1000), (p) => p.tick('HUMAN_RESOURCES'));
    expect(await watermark()).toBe(0);
  });

  afterAll(async () => {
    for (const c of conns) await c.end();
    await dbs?.close();
  });

  it('sees a row whose transaction committed after a later id was polled', async () => {
    const [first, second] = conns;
    const early = await person_();
    const late = await person_();
    // A lag no poll here outlives: the gap at N is young at every poll of this test.
    await withPoller(opts(600_000), async (poller) => {
      await first.beginTransaction();
      const n = await registerJobLoss(first, early);
      const n1 = await registerJobLoss(second, late);
      expect(n1).toBe(n + 1);
      expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ polled: true, rows: 1, alertsChanged: 1 });
      expect(await alertsOf(late)).toEqual([expect.objectContaining({ triggerId: 'T4_JOB_LOSS' })]);
      const heldAt = await watermark();
      await first.commit();
      // N is read now, N+1 again: N opens its alert, N+1's alert is the same one, not a second.
      const afterCommit = await poller.tick('HUMAN_RESOURCES');
      expect(await alertsOf(early)).toEqual([expect.objectContaining({ triggerId: 'T4_JOB_LOSS', detectedBy: 'POLL' })]);
      expect(afterCommit).toMatchObject({ polled: true, rows: 2, alertsChanged: 1 });
      expect(await alertsOf(late)).toHaveLength(1);
      // The watermark waited just before N while N was uncommitted, then passed both.
      expect(heldAt).toBe(n - 1);
      expect(await watermark()).toBe(n1);
      expect(await poller.tick('HUMAN_RESOURCES')).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
    });
  });

  it('passes an id burned by a rolled-back transaction once the gap is older than the lag', async () => {
    const [first, second] = conns;
    const gone = await person_();
    const kept = await person_();
    const LAG_MS = 1000;
    await withPoller(opts(LAG_MS), async (poller) => {
      await first.beginTransaction();
      const burned = await registerJobLoss(first, gone);
      await first.rollback();
      const next = await registerJobLoss(second, kept);
      expect(next).toBe(burned + 1);
      // First seen now: young, so the watermark waits, but the row past it is evaluated at once.
      expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ rows: 1, alertsChanged: 1 });
      expect(await alertsOf(kept)).toHaveLength(1);
      expect(await watermark()).toBe(burned - 1);
      await new Promise((r) => setTimeout(r, LAG_MS + 500));
      // Older than the lag: passed. The row past it is read again and opens nothing more.
      expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ rows: 1, alertsChanged: 0 });
      expect(await watermark()).toBe(next);
      expect(await poller.tick('HUMAN_RESOURCES')).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
      expect(await alertsOf(gone)).toHaveLength(0);
      expect(await alertsOf(kept)).toHaveLength(1);
    });
  });

  it('polls with no gaps in one statement per table, as before', async () => {
    const statements: string[] = [];
    const db = drizzle(dbs.sourceSet.HUMAN_RESOURCES.pool, { logger: { logQuery: (q) => statements.push(q) } }) as unknown as SourceDb;
    const counted: DetectDeps = { ...deps, sources: { ...dbs.sourceSet, HUMAN_RESOURCES: { ...dbs.sourceSet.HUMAN_RESOURCES, db } } };
    const feeds = polledFeeds('HUMAN_RESOURCES').length;
    /** A feed's read: rows past the watermark through the key's index, a batch at a time. */
    const feedRead = (q: string) => /^select .* where .* > \? order by .* limit \?$/is.test(q);
    const who = await person_();
    const before = await watermark();
    await withPoller(
      opts(600_000),
      async (poller) => {
        // Consecutive ids: nothing to wait for.
        await registerJobLoss(conns[1], who);
        expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ rows: 1, alertsChanged: 1 });
        expect(await watermark()).toBe(before! + 1);
        // Detection read 人社's tables again for the household touched; the feeds' reads were one each.
        expect(statements.filter(feedRead)).toHaveLength(feeds);
        statements.length = 0;
        // Nothing new: the poll is the feeds' reads and nothing else.
        expect(await poller.tick('HUMAN_RESOURCES')).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
        expect(statements).toHaveLength(feeds);
        expect(statements.every(feedRead)).toBe(true);
      },
      counted,
    );
  });
});
