/**
 * A department's bulk statement gives thousands of rows one update second. The poller reads an
 * update-time feed in (second, row key) order, at most its batch cap per poll, and keeps the last
 * row key read inside the second beside the second itself (federation/change-feed.ts), so such a
 * burst is read across several polls, each at most the cap, every row once, and opens exactly the
 * alerts one big poll would. A watermark an older hub stored (the second alone) still means "that
 * whole second was read", before and after the migration that added the row key. Real MariaDB and
 * the real poller throughout.
 */
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { eq, inArray, max, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { createPool, hubDrizzle } from '../../db/connect';
import { monitoringAlert } from '../../db/monitoring/schema';
import { advanceWatermark, feedWatermarks } from '../../db/monitoring/store';
import { withDatabase } from '../../db/config';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, migrateUrl } from '../../db/setup/provision';
import { makeIdNumber } from '../../domain/id-number';
import { polledFeeds, rowsAfter } from '../../federation/change-feed';
import type { SourceDb } from '../../federation/contract';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { MonitoringPoller, type PollerOptions } from '../../resolvers/monitoring/poller';
import { createTestDatabases, migrateSetsBefore, testServerUrl, type TestDatabases } from '../support/databases';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';
import { drain, LAG_MS, pastLag, pollerOptions, settlementStay, settlementsFeed } from './settlement-feed';
import { EXPLAIN_ROWS } from '../support/statements';

jest.setTimeout(180_000);

describe('the poller on a bulk statement of 医保’s settlements (an update time)', () => {
  let dbs: TestDatabases;
  let deps: DetectDeps;
  const NOW = new Date(`${TODAY}T02:00:00.000Z`);
  const FEED = settlementsFeed();
  const HEALTH_FEEDS = polledFeeds('HEALTH').length;
  const opts = pollerOptions;
  let seq = 0;
  /** Every statement the poller sends 医保 while `counting`. */
  const statements: string[] = [];

  /** A person of a household in 任城区古槐街道, known to the hub. */
  async function person_(): Promise<string> {
    seq += 1;
    return (await insertResident(dbs, { prefix: 'BULK', seq: 100 + seq, birthDate: '1970-07-07' })).idNumber;
  }

  const stay = settlementStay;

  /** The alerts of a group's people, by the person's place in the group, in a form two groups compare by. */
  async function alertsOfGroup(people: string[]) {
    const rows = await dbs.hub.select().from(monitoringAlert).where(inArray(monitoringAlert.subjectIdNumber, people));
    return rows.map((a) => ({ person: people.indexOf(a.subjectIdNumber), triggerId: a.triggerId, grade: a.grade, measure: a.measure, detectedBy: a.detectedBy })).sort((a, b) => a.person - b.person || a.triggerId.localeCompare(b.triggerId));
  }

  async function withPoller<T>(o: PollerOptions, work: (p: MonitoringPoller) => Promise<T>): Promise<T> {
    const poller = new MonitoringPoller(deps, o);
    try {
      return await work(poller);
    } finally {
      await poller.stop();
    }
  }

  /** The update second of a hospital's stays (each group is written in one statement). */
  async function lastSecondOf(hospital: string): Promise<number> {
    const table = healthScenario.tables.settlements.table;
    const [row] = await dbs.sources.HEALTH.select({ s: sql<string>`UNIX_TIMESTAMP(${max(FEED.marker.column)})` }).from(table).where(eq(table.fixmedinsName, hospital));
    return Number(row.s);
  }

  const rowsSeen = async () => Number(((await dbs.hubPool.query('SELECT rows_seen AS n FROM monitoring_watermark WHERE source_table = ?', [FEED.key])) as unknown as [{ n: number }[]])[0][0].n);
  const feedReads = () => statements.filter((q) => /UNIX_TIMESTAMP\(/i.test(q) && /order by .* limit \?$/is.test(q));

  const groupA: string[] = [];
  const groupB: string[] = [];
  const N = 11;

  beforeAll(async () => {
    dbs = await createTestDatabases('bulk_second');
    await insertRegions(dbs);
    const health = drizzle(dbs.sourceSet.HEALTH.pool, { logger: { logQuery: (q) => statements.push(q) } }) as unknown as SourceDb;
    deps = { hub: dbs.hub, sources: { ...dbs.sourceSet, HEALTH: { ...dbs.sourceSet.HEALTH, db: health } }, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW };
    for (let i = 0; i < N; i++) groupA.push(await person_());
    for (let i = 0; i < N; i++) groupB.push(await person_());
    // The stays are there before the hub first looks: nothing opens until the department touches them.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [...groupA.map((id, i) => stay('A', i, id)), ...groupB.map((id, i) => stay('B', i, id))]);
    await pastLag();
    await withPoller(opts(5000), (p) => p.tick('HEALTH'));
    expect(await dbs.hub.select().from(monitoringAlert)).toHaveLength(0);
  });

  afterAll(async () => {
    await dbs?.close();
  });

  it('reads a bulk update of more rows than the batch cap in one second across several polls, each at most the cap, each row once, with the alerts one poll opens', async () => {
    // The department corrects each group's diagnoses in one statement: one update second per group.
    await healthScenario.update(dbs.sources.HEALTH, 'settlements', { diseName: '肺炎' }, { fixmedinsName: 'A医院' });
    await pastLag();
    // A cap above the burst: one poll reads it, as a poll always did.
    const before = await rowsSeen();
    const big = await withPoller(opts(5000), drain);
    expect(big.map((t) => t.rows)).toEqual([N]);
    expect((await rowsSeen()) - before).toBe(N);
    const expected = await alertsOfGroup(groupA);
    expect(expected.length).toBeGreaterThan(N / 3);

    await healthScenario.update(dbs.sources.HEALTH, 'settlements', { diseName: '肺炎' }, { fixmedinsName: 'B医院' });
    await pastLag();
    const CAP = 4;
    const between = await rowsSeen();
    statements.length = 0;
    const ticks = await withPoller(opts(CAP), drain);
    // 11 rows of one second, 4 at a time: every poll within the cap, together every row once.
    expect(ticks.map((t) => t.rows)).toEqual([4, 4, 3]);
    expect((await rowsSeen()) - between).toBe(N);
    // Each poll read each of 医保's feeds with one statement, the same shape every time.
    expect(feedReads()).toHaveLength((ticks.length + 1) * HEALTH_FEEDS);
    // Exactly the alerts the single poll opened for the same stays.
    expect(await alertsOfGroup(groupB)).toEqual(expected);
    expect(ticks.reduce((n, t) => n + t.alertsChanged, 0)).toBe(expected.length);
    // The watermark ends on the burst's second, read whole (the last poll was short of the cap).
    expect((await feedWatermarks(dbs.hub, [FEED.key])).get(FEED.key)).toEqual({ mark: await lastSecondOf('B医院'), rowKey: null });
  });

  it('resumes from a watermark an older hub stored (the second alone) as "that whole second was read"', async () => {
    const people: string[] = [];
    for (let i = 0; i < 6; i++) people.push(await person_());
    // Read by an older hub: the first three stays, in one statement, and its watermark their second with no row key.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', people.slice(0, 3).map((id, i) => stay('OLD', i, id)));
    await pastLag();
    const s = await lastSecondOf('OLD医院');
    await dbs.hubPool.query('UPDATE monitoring_watermark SET last_sequence = ?, last_row_key = NULL WHERE source_table = ?', [s, FEED.key]);
    // Written after the upgrade: three more, in a later second.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', people.slice(3).map((id, i) => stay('NEW', i + 3, id)));
    await pastLag();
    const ticks = await withPoller(opts(2), drain);
    expect(ticks.map((t) => t.rows)).toEqual([2, 1]);
    // The stays of the second already read open nothing; the new ones open what they should.
    expect(new Set((await alertsOfGroup(people)).map((a) => a.person))).toEqual(new Set([3, 4]));
    expect((await feedWatermarks(dbs.hub, [FEED.key])).get(FEED.key)).toEqual({ mark: await lastSecondOf('NEW医院'), rowKey: null });
  });

  it('reads inside a crowded second through the update time’s index, in its order, stopping after the batch', async () => {
    // Ids as a department's system may give them, not in the order of their numbers ('IDX-200' sorts after 'IDX-1999').
    const rows = Array.from({ length: 3000 }, (_, i) => ({ ...stay('IDX', i, makeIdNumber('370811', '1950-01-01', 1)), setlId: `IDX-${String(i).padStart(3, '0')}`, psnPay: '100.00' }));
    const after = rows.map((r) => r.setlId).sort().filter((k) => k > 'IDX-1999');
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', rows);
    await healthScenario.update(dbs.sources.HEALTH, 'settlements', { diseName: '骨折' }, { fixmedinsName: 'IDX医院' });
    await pastLag();
    const s = await lastSecondOf('IDX医院');
    const captured: { sql: string; params: unknown[] }[] = [];
    const db = drizzle(dbs.sourceSet.HEALTH.pool, { logger: { logQuery: (q, params) => captured.push({ sql: q, params }) } }) as unknown as SourceDb;
    // Part of the second read already.
    const read = await rowsAfter(db, FEED, { mark: s, rowKey: { setl_id: 'IDX-1999' } }, 100, LAG_MS);
    expect(read.rows).toHaveLength(100);
    expect(read.to).toEqual({ mark: s, rowKey: { setl_id: after[99] } });
    expect(captured).toHaveLength(1);
    const [{ sql: statement, params }] = captured;
    const [plan] = (await dbs.sourceSet.HEALTH.pool.query(`${EXPLAIN_ROWS} ${statement}`, params)) as unknown as [{ type: string; key: string | null; Extra: string | null }[]];
    expect(plan).toEqual([expect.objectContaining({ type: 'range', key: FEED.marker.index })]);
    // In the index's order (it holds the primary key after the update time): no sort of the rest of the second before the LIMIT.
    expect(plan[0].Extra ?? '').not.toMatch(/filesort/i);
    // Run on one connection, the statement reads one index position and the batch after it, not
    // the entries of the second before the watermark (a row comparison `(t, k) > (s, k0)`
    // does: MariaDB reads it from the index's start).
    const conn = await dbs.sourceSet.HEALTH.pool.getConnection();
    try {
      const handlerReads = async () => {
        const [rows] = (await conn.query("SHOW SESSION STATUS LIKE 'Handler_read%'")) as unknown as [{ Variable_name: string; Value: string }[]];
        return rows.reduce((n, r) => n + Number(r.Value), 0);
      };
      const before = await handlerReads();
      await conn.query(statement, params);
      expect((await handlerReads()) - before).toBeLessThanOrEqual(101);
    } finally {
      conn.release();
    }
  });
});

describe('the migration that adds the row key, on a hub with watermarks stored before it', () => {
  const url = withDatabase(testServerUrl(), `aidhub_t_wm_upgrade_${process.env.JEST_WORKER_ID ?? '0'}`);
  const set = HUB_MIGRATION_SETS.find((s) => s.folder.endsWith(path.join('monitoring', 'migrations')))!;
  let before: string;

  beforeAll(async () => {
    await dropDatabases([url]);
    await ensureDatabase(url);
    await migrateSetsBefore(url, 'monitoring');
    // The monitoring set as it was before the row key: its first migration only.
    before = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-monitoring-0000-'));
    const journal = JSON.parse(fs.readFileSync(path.join(set.folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    expect(journal.entries[0].tag).toBe('0000_monitoring');
    fs.mkdirSync(path.join(before, 'meta'));
    fs.writeFileSync(path.join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }));
    fs.copyFileSync(path.join(set.folder, '0000_monitoring.sql'), path.join(before, '0000_monitoring.sql'));
    await migrateUrl(url, before, set.table);
  });

  afterAll(async () => {
    fs.rmSync(before, { recursive: true, force: true });
    await dropDatabases([url]);
  });

  it('keeps every stored watermark, each meaning what it meant, and moves them on as the new hub does', async () => {
    const pool = createPool(url);
    try {
      // What an older hub wrote: a growing key, an update time's second, a month.
      // The keys as the feeds name them (a growing key: 人社's; an update time: 医保's settlements).
      const SEQ = polledFeeds('HUMAN_RESOURCES').find((f) => f.marker.kind === 'SEQUENCE')!.key;
      const TIME = settlementsFeed().key;
      await pool.query(
        `INSERT INTO monitoring_watermark (source_table, last_sequence, rows_seen, polled_at) VALUES
         (?, 41, 41, '2026-03-01 00:00:00.000'), (?, 1772900000, 900, '2026-03-01 00:00:00.000'), ('MONTHLY:370800', 202602, 0, '2026-03-01 00:00:00.000')`,
        [SEQ, TIME],
      );
      await migrateUrl(url, set.folder, set.table);
      const hub = hubDrizzle(pool);
      const keys = [SEQ, TIME, 'MONTHLY:370800'];
      expect(await feedWatermarks(hub, keys)).toEqual(
        new Map([
          [SEQ, { mark: 41, rowKey: null }],
          [TIME, { mark: 1772900000, rowKey: null }],
          ['MONTHLY:370800', { mark: 202602, rowKey: null }],
        ]),
      );
      // The new hub goes on inside a later second, then within it; never back.
      await hub.transaction((tx) => advanceWatermark(tx, TIME, 1772900005, 4, { setl_id: 'S-4' }));
      await hub.transaction((tx) => advanceWatermark(tx, TIME, 1772900005, 4, { setl_id: 'S-8' }));
      await hub.transaction((tx) => advanceWatermark(tx, TIME, 1772900001, 1, { setl_id: 'S-0' }));
      expect((await feedWatermarks(hub, keys)).get(TIME)).toEqual({ mark: 1772900005, rowKey: { setl_id: 'S-8' } });
      // An older hub still running beside it moves the second alone: the stale key then counts for nothing.
      await pool.query('UPDATE monitoring_watermark SET last_sequence = GREATEST(last_sequence, 1772900009) WHERE source_table = ?', [TIME]);
      expect((await feedWatermarks(hub, keys)).get(TIME)).toEqual({ mark: 1772900009, rowKey: null });
      const [[row]] = (await pool.query('SELECT rows_seen AS n FROM monitoring_watermark WHERE source_table = ?', [TIME])) as unknown as [{ n: number }[]];
      expect(Number(row.n)).toBe(909);
    } finally {
      await pool.end();
    }
  });
});
