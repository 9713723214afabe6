/**
 * A rolling upgrade: hub processes of the release before the row key (which read an update time's
 * watermark as `last_sequence` alone, "everything up to and including this second was read") poll
 * beside this release's, sharing one hub database and taking the department's lease in turn. While
 * this release is partway through a crowded second, what it stores must make such an older process
 * read that second's rest again (evaluating a row twice opens nothing twice) and never read past it.
 * The older process is reproduced from its code (git: federation/change-feed.ts `rowsAfter` and
 * db/monitoring/store.ts `advanceWatermark` before acdb735): its statement, its tie read after a
 * full batch, its evaluation and its watermark upsert. Also: the migration that brings watermarks of
 * both earlier shapes (the second alone; the second with the row key inside it) to this one. Real
 * MariaDB and the real poller throughout.
 */
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { and, asc, eq, gt, inArray, lte, max, sql } from 'drizzle-orm';
import { createPool, hubDrizzle } from '../../db/connect';
import { monitoringAlert, monitoringAlertEvent } from '../../db/monitoring/schema';
import { feedWatermarks } from '../../db/monitoring/store';
import { withDatabase } from '../../db/config';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, migrateUrl } from '../../db/setup/provision';
import { polledFeeds } from '../../federation/change-feed';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { candidatesForPeople, monitoringToday, writeAlerts, type DetectDeps } from '../../resolvers/monitoring/detect';
import { MonitoringPoller, type PollerOptions, type TickResult } from '../../resolvers/monitoring/poller';
import { createTestDatabases, migrateSetsBefore, testServerUrl, type TestDatabases } from '../support/databases';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';
import { drain, LAG_MS, pastLag, pollerOptions, settlementId, settlementStay, settlementsFeed } from './settlement-feed';
import { lockingTransaction } from '../../db/locking';

jest.setTimeout(180_000);

describe('a crowded second read in capped polls, beside a hub of the release before the row key', () => {
  let dbs: TestDatabases;
  let deps: DetectDeps;
  const NOW = new Date(`${TODAY}T02:00:00.000Z`);
  const FEED = settlementsFeed();
  const CAP = 4;
  const N = 11;
  const opts = pollerOptions;
  let seq = 0;

  async function group(n: number): Promise<string[]> {
    const people: string[] = [];
    for (let i = 0; i < n; i++) {
      seq += 1;
      people.push((await insertResident(dbs, { prefix: 'WMC', seq: 100 + seq, birthDate: '1970-07-07' })).idNumber);
    }
    return people;
  }

  const stay = settlementStay;
  const setlId = settlementId;

  /** The department corrects a hospital's stays in one statement: one update second for all of them. */
  async function bulkUpdate(hospital: string): Promise<number> {
    await healthScenario.update(dbs.sources.HEALTH, 'settlements', { diseName: '肺炎' }, { fixmedinsName: `${hospital}医院` });
    await pastLag();
    const table = healthScenario.tables.settlements.table;
    const [row] = await dbs.sources.HEALTH.select({ s: sql<string>`UNIX_TIMESTAMP(${max(FEED.marker.column)})` }).from(table).where(eq(table.fixmedinsName, `${hospital}医院`));
    return Number(row.s);
  }

  /** The alerts of a group's people, by the person's place in the group, in a form two groups compare by. */
  async function alertsOfGroup(people: string[]) {
    const rows = await dbs.hub.select().from(monitoringAlert).where(inArray(monitoringAlert.subjectIdNumber, people));
    return rows.map((a) => ({ person: people.indexOf(a.subjectIdNumber), triggerId: a.triggerId, grade: a.grade, measure: a.measure })).sort((a, b) => a.person - b.person || a.triggerId.localeCompare(b.triggerId));
  }

  /** How many OPENED events each alert of these people has. */
  async function openedPerAlert(people: string[]): Promise<number[]> {
    const rows = await dbs.hub
      .select({ alertId: monitoringAlertEvent.alertId, n: sql<number>`COUNT(*)` })
      .from(monitoringAlertEvent)
      .innerJoin(monitoringAlert, eq(monitoringAlert.id, monitoringAlertEvent.alertId))
      .where(and(inArray(monitoringAlert.subjectIdNumber, people), eq(monitoringAlertEvent.action, 'OPENED')))
      .groupBy(monitoringAlertEvent.alertId);
    return rows.map((r) => Number(r.n));
  }

  async function withPoller<T>(o: PollerOptions, work: (p: MonitoringPoller) => Promise<T>): Promise<T> {
    const poller = new MonitoringPoller(deps, o);
    try {
      return await work(poller);
    } finally {
      await poller.stop();
    }
  }

  /** What the older release reads: `last_sequence` alone. */
  async function storedLastSequence(): Promise<number> {
    const [rows] = (await dbs.hubPool.query('SELECT last_sequence AS s FROM monitoring_watermark WHERE source_table = ?', [FEED.key])) as unknown as [{ s: number | string }[]];
    return Number(rows[0].s);
  }

  const rowsSeen = async () => Number(((await dbs.hubPool.query('SELECT rows_seen AS n FROM monitoring_watermark WHERE source_table = ?', [FEED.key])) as unknown as [{ n: number }[]])[0][0].n);

  /**
   * The older release's read of an update-time feed, as its federation/change-feed.ts `rowsAfter`
   * sent it: the rows past the second, at most the limit, in update-time order; a full batch then
   * reads its last second whole, and the watermark goes to that second.
   */
  async function olderRead(after: number, limit: number): Promise<{ rows: { mark: number; key: string; idNumber: string }[]; to: number }> {
    const col = FEED.marker.column;
    const columns = { mark: sql<string>`UNIX_TIMESTAMP(${col})`, key: FEED.marker.rowKey[0], idNumber: FEED.person! };
    const visible = lte(col, sql`NOW() - INTERVAL ${Math.max(1, Math.ceil(LAG_MS / 1000))} SECOND`);
    type Row = { mark: string; key: string; idNumber: string };
    const shape = (raw: Row[]) => raw.map((r) => ({ mark: Number(r.mark), key: String(r.key), idNumber: r.idNumber }));
    const rows = shape((await dbs.sources.HEALTH.select(columns).from(FEED.table).where(and(gt(col, sql`FROM_UNIXTIME(${after})`), visible)).orderBy(asc(col)).limit(limit)) as Row[]);
    if (rows.length === 0) return { rows, to: after };
    const last = rows[rows.length - 1].mark;
    if (rows.length < limit) return { rows, to: last };
    const tied = shape((await dbs.sources.HEALTH.select(columns).from(FEED.table).where(eq(col, sql`FROM_UNIXTIME(${last})`))) as Row[]);
    return { rows: [...rows.filter((r) => r.mark < last), ...tied], to: last };
  }

  /** One poll of 医保's settlements by the older release: its read, its evaluation and alerts, its watermark upsert. */
  async function olderPoll(limit: number): Promise<{ rows: number; alertsChanged: number }> {
    const read = await olderRead(await storedLastSequence(), limit);
    if (read.rows.length === 0) return { rows: 0, alertsChanged: 0 };
    const writes = await candidatesForPeople(deps, [...new Set(read.rows.map((r) => r.idNumber))], monitoringToday(deps));
    const changes = await lockingTransaction(dbs.hub, async (tx) => {
      const c = await writeAlerts(deps, tx, writes, 'POLL');
      await tx.execute(
        sql`INSERT INTO monitoring_watermark (source_table, last_sequence, rows_seen, polled_at) VALUES (${FEED.key}, ${read.to}, ${read.rows.length}, ${'2026-03-15 02:00:00.000'})
            ON DUPLICATE KEY UPDATE last_sequence = GREATEST(last_sequence, VALUES(last_sequence)), rows_seen = rows_seen + VALUES(rows_seen), polled_at = VALUES(polled_at)`,
      );
      return c;
    });
    return { rows: read.rows.length, alertsChanged: changes.length };
  }

  const groups: Record<'A' | 'B' | 'C' | 'D' | 'E', string[]> = { A: [], B: [], C: [], D: [], E: [] };

  beforeAll(async () => {
    dbs = await createTestDatabases('wm_compat');
    await insertRegions(dbs);
    deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW };
    for (const g of ['A', 'B', 'C', 'E'] as const) groups[g] = await group(N);
    groups.D = await group(3);
    // The stays are there before the hub first looks: nothing opens until the department touches them.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', (['A', 'B', 'C', 'E'] as const).flatMap((g) => groups[g].map((id, i) => stay(g, i, id))));
    await pastLag();
    await withPoller(opts(5000), (p) => p.tick('HEALTH'));
    expect(await dbs.hub.select().from(monitoringAlert)).toHaveLength(0);
    // Group A, read in one poll: the alerts every other group's stays must open, once each.
    await bulkUpdate('A');
    expect((await withPoller(opts(5000), drain)).map((t) => t.rows)).toEqual([N]);
    expect((await alertsOfGroup(groups.A)).length).toBeGreaterThan(N / 3);
  });

  afterAll(async () => {
    await dbs?.close();
  });

  it('leaves, after every poll that stopped inside the second, every row not yet read to the older release’s statement; reads each row once itself', async () => {
    const second = await bulkUpdate('B');
    const keys = groups.B.map((_, i) => setlId('B', i)).sort();
    const before = await rowsSeen();
    const ticks = await withPoller(opts(CAP), async (poller) => {
      const done: TickResult[] = [];
      for (let i = 0; i < 100; i++) {
        const t = await poller.tick('HEALTH');
        if (t.rows === 0) return done;
        done.push(t);
        const read = done.reduce((n, x) => n + x.rows, 0);
        const position = (await feedWatermarks(dbs.hub, [FEED.key])).get(FEED.key)!;
        if (read < N) {
          // Inside the second: the older release's statement still returns every row this one has
          // not read (its `last_sequence` is before the second)…
          const older = new Set((await olderRead(await storedLastSequence(), CAP)).rows.map((r) => r.key));
          expect(keys.slice(read).filter((k) => !older.has(k))).toEqual([]);
          expect(await storedLastSequence()).toBeLessThan(second);
          // …while this release goes on just after the last row it read.
          expect(position).toEqual({ mark: second, rowKey: { [FEED.marker.rowKey[0].name]: keys[read - 1] } });
        } else {
          // The second read whole: the older release's column says so, and nothing of it is left to anyone.
          expect(position).toEqual({ mark: second, rowKey: null });
          expect(await storedLastSequence()).toBe(second);
          expect((await olderRead(second, CAP)).rows).toEqual([]);
        }
      }
      throw new Error('the poller never caught up');
    });
    // 11 rows of one second, 4 at a time: every poll within the cap, together every row once.
    expect(ticks.map((t) => t.rows)).toEqual([4, 4, 3]);
    expect((await rowsSeen()) - before).toBe(N);
    expect(await alertsOfGroup(groups.B)).toEqual(await alertsOfGroup(groups.A));
  });

  it('loses no alert and opens none twice when the older release takes the lease partway through a second, reads on past it, and hands back', async () => {
    // Whatever an earlier test left unread is read first.
    await withPoller(opts(5000), drain);
    const second = await bulkUpdate('C');
    // This release reads the first batch of the second, then loses the lease to an older process.
    const first = await withPoller(opts(CAP), (p) => p.tick('HEALTH'));
    expect(first.rows).toBe(CAP);
    // Meanwhile the department writes more, in a later second.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', groups.D.map((id, i) => stay('D', i, id)));
    await pastLag();
    // The older process polls until it has nothing more to read: the rest of the crowded second
    // (and the part already read, again), then the later second.
    const older: { rows: number; alertsChanged: number }[] = [];
    for (let t = await olderPoll(CAP); t.rows > 0; t = await olderPoll(CAP)) older.push(t);
    expect(older.reduce((n, t) => n + t.rows, 0)).toBeGreaterThanOrEqual(N - CAP + groups.D.length);
    expect(await storedLastSequence()).toBeGreaterThan(second);
    // This release takes the lease back and reads on from where the stored watermark says.
    const after = await withPoller(opts(CAP), drain);
    // Every stay opened its alerts, exactly the ones group A's did, each alert opened once.
    expect(await alertsOfGroup(groups.C)).toEqual(await alertsOfGroup(groups.A));
    expect(await alertsOfGroup(groups.D)).toEqual((await alertsOfGroup(groups.A)).filter((a) => a.person < groups.D.length));
    const opened = [...(await openedPerAlert(groups.C)), ...(await openedPerAlert(groups.D))];
    expect(opened.every((n) => n === 1)).toBe(true);
    const changed = [first, ...older, ...after].reduce((n, t) => n + t.alertsChanged, 0);
    expect(changed).toBe(opened.length);
  });

  it('reads the rest of the second again, opening nothing, when the older release read all of it in one poll and hands back', async () => {
    await withPoller(opts(5000), drain);
    const second = await bulkUpdate('E');
    const first = await withPoller(opts(CAP), (p) => p.tick('HEALTH'));
    expect(first.rows).toBe(CAP);
    // One poll of the older process: a full batch from the second before, then that second whole.
    const older = await olderPoll(CAP);
    expect(older.rows).toBe(N);
    expect(await storedLastSequence()).toBe(second);
    // Its `last_sequence` is now the key's second: this release goes on after the key it stored,
    // reading again what the older process read, which changes nothing.
    expect((await feedWatermarks(dbs.hub, [FEED.key])).get(FEED.key)).toEqual({ mark: second, rowKey: { [FEED.marker.rowKey[0].name]: setlId('E', CAP - 1) } });
    const after = await withPoller(opts(CAP), drain);
    expect(after.map((t) => t.rows)).toEqual([4, 3]);
    expect(after.reduce((n, t) => n + t.alertsChanged, 0)).toBe(0);
    expect(await alertsOfGroup(groups.E)).toEqual(await alertsOfGroup(groups.A));
    const opened = await openedPerAlert(groups.E);
    expect(opened.every((n) => n === 1)).toBe(true);
    expect(first.alertsChanged + older.alertsChanged).toBe(opened.length);
    expect((await feedWatermarks(dbs.hub, [FEED.key])).get(FEED.key)).toEqual({ mark: second, rowKey: null });
  });
});

describe('the migration that keeps last_sequence what every release reads it as, over watermarks of both earlier shapes', () => {
  const url = withDatabase(testServerUrl(), `aidhub_t_wm_compat_${process.env.JEST_WORKER_ID ?? '0'}`);
  const set = HUB_MIGRATION_SETS.find((s) => s.folder.endsWith(path.join('monitoring', 'migrations')))!;
  const journal = JSON.parse(fs.readFileSync(path.join(set.folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const folders: string[] = [];

  /** The monitoring set as it was with its first `n` migrations. */
  function setUpTo(n: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aidhub-monitoring-${n}-`));
    folders.push(dir);
    fs.mkdirSync(path.join(dir, 'meta'));
    fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, n) }));
    for (const e of journal.entries.slice(0, n)) fs.copyFileSync(path.join(set.folder, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
    return dir;
  }

  beforeAll(async () => {
    expect(journal.entries.slice(0, 2).map((e) => e.tag)).toEqual(['0000_monitoring', '0001_watermark_row_key']);
    await dropDatabases([url]);
    await ensureDatabase(url);
    await migrateSetsBefore(url, 'monitoring');
  });

  afterAll(async () => {
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
    await dropDatabases([url]);
  });

  it('moves a second stored with a row key inside it one second back, keeping the position; leaves every other watermark as it was', async () => {
    const pool = createPool(url);
    try {
      const SEQ = polledFeeds('HUMAN_RESOURCES').find((f) => f.marker.kind === 'SEQUENCE')!.key;
      const [TIME_OLD, TIME_PARTIAL, TIME_STALE] = polledFeeds('HEALTH')
        .concat(polledFeeds('CIVIL_AFFAIRS'))
        .filter((f) => f.marker.kind === 'UPDATE_TIME')
        .map((f) => f.key);
      const at = '2026-03-01 00:00:00.000';
      // Before the row key: a growing key, an update time's second, a month.
      await migrateUrl(url, setUpTo(1), set.table);
      await pool.query('INSERT INTO monitoring_watermark (source_table, last_sequence, rows_seen, polled_at) VALUES (?, 41, 41, ?), (?, 1772900000, 900, ?), (?, 202602, 0, ?)', [SEQ, at, TIME_OLD, at, 'MONTHLY:370800', at]);
      // The release that added the row key: a second read up to a key (the key's second is
      // last_sequence), and a key left behind when an older process moved last_sequence alone.
      await migrateUrl(url, setUpTo(2), set.table);
      await pool.query('INSERT INTO monitoring_watermark (source_table, last_sequence, last_row_key, rows_seen, polled_at) VALUES (?, 1772900005, ?, 8, ?), (?, 1772900009, ?, 5, ?)', [
        TIME_PARTIAL,
        JSON.stringify({ second: 1772900005, key: { setl_id: 'S-8' } }),
        at,
        TIME_STALE,
        JSON.stringify({ second: 1772900004, key: { setl_id: 'S-4' } }),
        at,
      ]);
      const keys = [SEQ, TIME_OLD, TIME_PARTIAL, TIME_STALE, 'MONTHLY:370800'];
      const stored = async () => {
        const [rows] = (await pool.query('SELECT source_table AS k, last_sequence AS s, rows_seen AS n FROM monitoring_watermark')) as unknown as [{ k: string; s: number; n: number }[]];
        return new Map(rows.map((r) => [r.k, [Number(r.s), Number(r.n)]]));
      };
      const before = await stored();
      expect(before.get(TIME_PARTIAL)).toEqual([1772900005, 8]);

      await migrateUrl(url, set.folder, set.table);
      // For a release that reads last_sequence alone, nothing claimed that was not read whole: the
      // second read up to a key goes one back, every other row stays.
      expect(await stored()).toEqual(new Map([...before, [TIME_PARTIAL, [1772900004, 8]]]));
      // For this release, every watermark means what it meant.
      const hub = hubDrizzle(pool);
      expect(await feedWatermarks(hub, keys)).toEqual(
        new Map([
          [SEQ, { mark: 41, rowKey: null }],
          [TIME_OLD, { mark: 1772900000, rowKey: null }],
          [TIME_PARTIAL, { mark: 1772900005, rowKey: { setl_id: 'S-8' } }],
          [TIME_STALE, { mark: 1772900009, rowKey: null }],
          ['MONTHLY:370800', { mark: 202602, rowKey: null }],
        ]),
      );
      // A process of the release that added the key, still running, stores its shape again (the
      // key's second in last_sequence): this release reads the position it means.
      await pool.query('UPDATE monitoring_watermark SET last_row_key = ?, last_sequence = 1772900007 WHERE source_table = ?', [JSON.stringify({ second: 1772900007, key: { setl_id: 'S-2' } }), TIME_PARTIAL]);
      expect((await feedWatermarks(hub, [TIME_PARTIAL])).get(TIME_PARTIAL)).toEqual({ mark: 1772900007, rowKey: { setl_id: 'S-2' } });
    } finally {
      await pool.end();
    }
  });
});
