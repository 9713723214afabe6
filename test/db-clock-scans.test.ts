/**
 * Findings scans judged alive or dead by the hub database's clock, not the hub process's
 * (docs/scale-out.md, "Time"): a scan's heartbeat is written by the database's clock, and a scan
 * start ends a scan as INTERRUPTED only once that clock has not heard from it for the timeout.
 * Here the database's clock is set an hour apart from this process's on one connection
 * (support/db-clock.ts, `SET timestamp`), as a hub process's clock may be off. Before, each process
 * wrote and judged heartbeats by its own clock: one an hour ahead ended a scan another process was
 * running (and scanned its division a second time), one an hour behind kept waiting on a dead one.
 */
import { createScan, touchScan } from '../db/findings/store';
import { ScanJobs } from '../resolvers/findings/scan';
import { region } from '../db/household/schema';
import { activeRuleSet } from '../rules/load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { type FrozenDbClock, withDbClock as withDbClockAt } from './support/db-clock';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('db_clock_scans');
  await insertRegions(dbs);
  // A county with no household: a scan of it ends at once.
  await dbs.hub.insert(region).values({ code: '370827', name: '鱼台县', level: 'COUNTY', parentCode: '370800' });
}, 120_000);

afterAll(async () => {
  await dbs?.close();
});

const MINUTE = 60_000;
const ruleSet = activeRuleSet();
/** An instant `minutes` from this process's clock. */
const fromNow = (minutes: number) => new Date(Date.now() + minutes * MINUTE);

const withDbClock = <T>(at: Date, body: (clock: FrozenDbClock) => Promise<T>): Promise<T> => withDbClockAt(dbs.hubUrl, at, body);

/** A RUNNING scan of 370827 by another hub process whose clock agrees with the database's, last heard from `silentMinutes` ago by it. */
async function scanElsewhere(clock: FrozenDbClock, silentMinutes: number): Promise<number> {
  const [res] = (await clock.pool.query(
    `INSERT INTO finding_scan (region_code, state, as_of, rule_set_name, rule_set_digest, started_by, started_at, heartbeat_at)
     VALUES ('370827', 'RUNNING', ?, 'default', ?, 'another-hub', UTC_TIMESTAMP(3), DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MINUTE))`,
    [TODAY, ruleSet.digest, silentMinutes],
  )) as any;
  return res.insertId;
}

const scanRow = async (id: number) => ((await dbs.hubPool.query('SELECT state, failure, heartbeat_at FROM finding_scan WHERE id = ?', [id])) as any)[0][0];

describe('a scan’s heartbeat', () => {
  it('is the database’s clock’s when a scan is made and as it beats', async () => {
    // Far from this process's clock, so a time written from it cannot pass for this one.
    await withDbClock(new Date('2026-03-15T02:00:00.000Z'), async (clock) => {
      const scanId = await createScan(clock.hub, { regionCode: '370827', asOf: TODAY, ruleSet, startedBy: 'test', startedByDepartment: null });
      expect((await scanRow(scanId)).heartbeat_at).toBe('2026-03-15 02:00:00.000');
      await clock.set(new Date('2026-03-15T02:05:00.000Z'));
      await touchScan(clock.hub, scanId);
      expect((await scanRow(scanId)).heartbeat_at).toBe('2026-03-15 02:05:00.000');
      await dbs.hubPool.query("UPDATE finding_scan SET state = 'FAILED', failure = 'INTERRUPTED' WHERE id = ?", [scanId]);
    });
  });
});

describe('a scan start beside a scan of another hub process', () => {
  const deps = (clock: FrozenDbClock) => ({ hub: clock.hub, sources: dbs.sourceSet, ruleSet, today: TODAY, leaseMs: 60_000 });

  it('is refused while the database’s clock heard from that scan a minute ago, though this process’s clock is an hour ahead', async () => {
    await withDbClock(fromNow(-60), async (clock) => {
      const elsewhere = await scanElsewhere(clock, 1);
      expect(await new ScanJobs().start(deps(clock), '370827', 'test', null)).toEqual({ ok: false, code: 'SCAN_ALREADY_RUNNING', scanId: elsewhere });
      expect(await scanRow(elsewhere)).toMatchObject({ state: 'RUNNING', failure: null });
      await dbs.hubPool.query("UPDATE finding_scan SET state = 'FAILED', failure = 'INTERRUPTED' WHERE id = ?", [elsewhere]);
    });
  });

  it('ends that scan INTERRUPTED and runs once the database’s clock has not heard from it for the timeout, though this process’s clock is an hour behind', async () => {
    await withDbClock(fromNow(60), async (clock) => {
      const elsewhere = await scanElsewhere(clock, 11);
      const started = await new ScanJobs().start(deps(clock), '370827', 'test', null);
      expect(started).toMatchObject({ ok: true });
      if (started.ok) await started.done;
      expect(await scanRow(elsewhere)).toMatchObject({ state: 'FAILED', failure: 'INTERRUPTED' });
    });
  });
});
