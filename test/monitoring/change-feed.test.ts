/**
 * The change feeds the poller follows (federation/change-feed.ts): every table whose rows can open
 * an alert has a marker the hub reads with SELECT alone, an update time is one the database keeps
 * and has a row key to order the rows of one second, and reading by update time against a real
 * database misses nothing and reads nothing twice, at most a batch at a time, even when one statement
 * writes more rows in one second than a batch holds.
 */
import { drizzle } from 'drizzle-orm/mysql2';
import { makeIdNumber } from '../../domain/id-number';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { maintainedByDatabase } from '../../db/change-marker';
import { currentMark, polledFeeds, rowsAfter, type PolledFeed, type Watermark } from '../../federation/change-feed';
import { civilAffairsScenario } from '../../federation/civil-affairs/scenario';
import type { SourceDb } from '../../federation/contract';
import { healthScenario } from '../../federation/health/scenario';
import { factProviders } from '../../federation/registry';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { LAG_MS, pastLag, settlementsFeed } from './settlement-feed';
import { EXPLAIN_ROWS } from '../support/statements';

jest.setTimeout(120_000);

it('polls every table holding a fact a trigger opens an alert on, by a marker the database keeps', () => {
  const polled = DEPARTMENT_CODES.flatMap(polledFeeds);
  const tables = new Set(polled.map((f) => f.table));
  for (const kind of ['settlements', 'certificates', 'students', 'jobLosses', 'monitored'] as const) {
    const providers = factProviders(kind);
    expect(providers.length).toBeGreaterThan(0);
    for (const { code, reader } of providers) expect({ kind, code, polled: tables.has((reader.keyColumn as unknown as { table: PolledFeed['table'] }).table) }).toEqual({ kind, code, polled: true });
  }
  for (const f of polled) {
    if (f.marker.kind !== 'UPDATE_TIME') continue;
    expect({ key: f.key, kept: maintainedByDatabase(f.marker.column) }).toEqual({ key: f.key, kept: true });
    expect({ key: f.key, rowKey: f.marker.rowKey.length > 0, index: f.marker.index !== null }).toEqual({ key: f.key, rowKey: true, index: true });
  }
});

describe('reading by update time', () => {
  let dbs: TestDatabases;
  const stay = (n: number) => ({ setlId: `FEED-${n}`, psnCertNo: makeIdNumber('370811', '1960-01-01', n), fixmedinsName: '医院', admDate: '2026-03-01', setlDate: '2026-03-05', medfeeSumamt: '100.00', hifpPay: '50.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '50.00' });

  beforeAll(async () => {
    dbs = await createTestDatabases('change_feed');
  });

  afterAll(async () => {
    await dbs?.close();
  });

  it('reads a bulk statement’s rows a batch at a time inside their one second, each row once, then nothing more', async () => {
    const feed = settlementsFeed();
    const start: Watermark = { mark: (await currentMark(dbs.sources.HEALTH, feed, LAG_MS)).mark, rowKey: null };
    // One statement, seven rows: one update second for all of them, more than a batch of three.
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [1, 2, 3, 4, 5, 6, 7].map(stay));
    await pastLag();
    const batches: string[][] = [];
    const marks: Watermark[] = [];
    let at = start;
    for (let read = await rowsAfter(dbs.sources.HEALTH, feed, at, 3, LAG_MS); read.rows.length > 0; read = await rowsAfter(dbs.sources.HEALTH, feed, at, 3, LAG_MS)) {
      batches.push(read.rows.map((r) => r.idNumber!));
      marks.push(read.to);
      at = read.to;
    }
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat().sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => stay(n).psnCertNo).sort());
    // Every full batch ends inside the same second, at the last settlement it read (in key order);
    // the short last one has read that second whole.
    const second = marks[0].mark;
    expect(second).toBeGreaterThan(start.mark);
    expect(marks).toEqual([...['FEED-3', 'FEED-6'].map((setlId) => ({ mark: second, rowKey: { setl_id: setlId } })), { mark: second, rowKey: null }]);
    expect(await rowsAfter(dbs.sources.HEALTH, feed, at, 3, LAG_MS)).toEqual({ rows: [], to: at, gaps: [] });
    // A full batch that happened to end on the second's last row: the next read finds nothing and finishes the second.
    expect(await rowsAfter(dbs.sources.HEALTH, feed, { mark: second, rowKey: { setl_id: 'FEED-7' } }, 3, LAG_MS)).toEqual({ rows: [], to: { mark: second, rowKey: null }, gaps: [] });
    // A watermark of seconds alone (what hubs before the row key stored) means the whole second was read.
    expect((await rowsAfter(dbs.sources.HEALTH, feed, { mark: second, rowKey: null }, 3, LAG_MS)).rows).toEqual([]);
    // A key stored under columns the feed no longer declares reads that second again from its start.
    expect((await rowsAfter(dbs.sources.HEALTH, feed, { mark: second, rowKey: { other: 'x' } }, 10, LAG_MS)).rows).toHaveLength(7);
  });

  it('orders a second by a primary key of several columns (民政’s 低保 members), each row once', async () => {
    const feed = polledFeeds('CIVIL_AFFAIRS').find((f) => f.table === civilAffairsScenario.tables.dibaoMembers.table)!;
    expect(feed.marker.kind === 'UPDATE_TIME' && feed.marker.rowKey.map((c) => c.name)).toEqual(['family_no', 'id_no', 'joined_on']);
    const [a, b, c] = [1, 2, 3].map((n) => makeIdNumber('370811', '1980-01-01', n));
    // Keys that tie on their first one or two columns: the order within a second needs all three.
    const members = [
      ['F2', a, '2024-06-01'],
      ['F1', b, '2024-01-01'],
      ['F1', a, '2025-01-01'],
      ['F2', c, '2024-01-01'],
      ['F1', a, '2024-01-01'],
      ['F2', a, '2023-03-01'],
      ['F1', c, '2024-02-01'],
    ] as const;
    const start: Watermark = { mark: (await currentMark(dbs.sources.CIVIL_AFFAIRS, feed, LAG_MS)).mark, rowKey: null };
    await civilAffairsScenario.insert(
      dbs.sources.CIVIL_AFFAIRS,
      'dibaoMembers',
      members.map(([familyNo, idNo, joinedOn]) => ({ familyNo, idNo, relationToHead: '本人', joinedOn, monthlyShareFen: 50_000 })),
    );
    await pastLag();
    const statements: { sql: string; params: unknown[] }[] = [];
    const db = drizzle(dbs.sourceSet.CIVIL_AFFAIRS.pool, { logger: { logQuery: (q, params) => statements.push({ sql: q, params }) } }) as unknown as SourceDb;
    const keys: unknown[] = [];
    const ids: string[] = [];
    let at = start;
    for (let read = await rowsAfter(db, feed, at, 2, LAG_MS); read.rows.length > 0; read = await rowsAfter(db, feed, at, 2, LAG_MS)) {
      expect(read.rows.length).toBeLessThanOrEqual(2);
      ids.push(...read.rows.map((r) => r.idNumber!));
      keys.push(read.to.rowKey);
      at = read.to;
    }
    const sorted = members.map((m) => [...m]).sort((x, y) => x.join('|').localeCompare(y.join('|')));
    expect(ids).toEqual(sorted.map(([, idNo]) => idNo));
    expect(keys).toEqual([...[1, 3, 5].map((i) => ({ family_no: sorted[i][0], id_no: sorted[i][1], joined_on: sorted[i][2] })), null]);
    // Inside the second, through the update time's index (it holds the three key columns after it).
    const inside = statements[1];
    const [plan] = (await dbs.sourceSet.CIVIL_AFFAIRS.pool.query(`${EXPLAIN_ROWS} ${inside.sql}`, inside.params)) as unknown as [{ type: string; key: string; Extra: string | null }[]];
    expect(plan).toEqual([expect.objectContaining({ type: 'range', key: feed.marker.kind === 'UPDATE_TIME' ? feed.marker.index : null })]);
    expect(plan[0].Extra ?? '').not.toMatch(/filesort/i);
  });

  it('starts a table seen for the first time past every row it has', async () => {
    const feed = settlementsFeed();
    const start: Watermark = { mark: (await currentMark(dbs.sources.HEALTH, feed, LAG_MS)).mark, rowKey: null };
    await pastLag();
    expect((await rowsAfter(dbs.sources.HEALTH, feed, start, 100, LAG_MS)).rows).toEqual([]);
    await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [stay(8)]);
    await pastLag();
    expect((await rowsAfter(dbs.sources.HEALTH, feed, start, 100, LAG_MS)).rows.map((r) => r.idNumber)).toEqual([stay(8).psnCertNo]);
  });
});
