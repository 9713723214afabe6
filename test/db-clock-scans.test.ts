/**
 * Findings scans and runs of the monthly comparison judged alive or dead by the hub database's
 * clock, not the hub process's (docs/scale-out.md, "Time"): their heartbeats are written by the
 * database's clock, a scan start ends a scan as INTERRUPTED (and a monthly run asked for again takes
 * a RUNNING one over) only once that clock has not heard from it for the timeout, and the API shows
 * a scan or a monthly run as INTERRUPTED by that clock (before, a monthly run whose process died
 * showed RUNNING until its month was asked for again). Here the database's clock is set an hour apart from this
 * process's on one connection (support/db-clock.ts, `SET timestamp`), as a hub process's clock may be
 * off. Before, each process wrote and judged heartbeats by its own clock: one an hour ahead ended a
 * scan another process was running (and scanned its division a second time), took over a monthly
 * run another was comparing, and showed a live scan as failed; one an hour behind kept waiting on a
 * dead scan and refused to replace a dead monthly run.
 */
import { createScan, listScans, scansByIds, touchScan } from '../db/findings/store';
import { currentScanState, ScanJobs } from '../resolvers/findings/scan';
import { region } from '../db/household/schema';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { monthlyJobs, monthOf } from '../resolvers/monitoring/monthly';
import { claimMonthlyRun, finishMonthlyRun, monthlyRunById, recordMonthlyProgress } from '../db/monitoring-monthly/store';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { type FrozenDbClock, withDbClock as withDbClockAt } from './support/db-clock';
import { startTestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('db_clock_scans');
  await insertRegions(dbs);
  // A county with no household: a scan or monthly run of it ends at once.
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

describe('a scan’s state as the API shows it (Scan.state, Scan.failure)', () => {
  /** The scan as `scan(id)` and `scans` read it, on the connection whose clock is the database's. */
  const shown = async (clock: FrozenDbClock, id: number) => {
    const [byId] = await scansByIds(clock.hub, [id]);
    const listed = (await listScans(clock.hub, '370827', 50, null)).rows.find((r) => r.id === id)!;
    return [currentScanState(byId), currentScanState(listed)];
  };

  it('is RUNNING while the database’s clock heard from it a minute ago, though this process’s clock is an hour ahead', async () => {
    await withDbClock(fromNow(-60), async (clock) => {
      const elsewhere = await scanElsewhere(clock, 1);
      expect(await shown(clock, elsewhere)).toEqual([
        { state: 'RUNNING', failure: null },
        { state: 'RUNNING', failure: null },
      ]);
      await dbs.hubPool.query("UPDATE finding_scan SET state = 'FAILED', failure = 'INTERRUPTED' WHERE id = ?", [elsewhere]);
    });
  });

  it('is FAILED (INTERRUPTED) once the database’s clock has not heard from it for the timeout, though this process’s clock is an hour behind', async () => {
    await withDbClock(fromNow(60), async (clock) => {
      const elsewhere = await scanElsewhere(clock, 11);
      expect(await shown(clock, elsewhere)).toEqual([
        { state: 'FAILED', failure: 'INTERRUPTED' },
        { state: 'FAILED', failure: 'INTERRUPTED' },
      ]);
      await dbs.hubPool.query("UPDATE finding_scan SET state = 'FAILED', failure = 'INTERRUPTED' WHERE id = ?", [elsewhere]);
    });
  });
});

// ----- Runs of the monthly comparison -------------------------------------------------------------

/** This process's clock, as a hub process's monthly run has it. */
const monthlyDeps = (clock: FrozenDbClock) => ({ hub: clock.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date() });
const month = () => monthOf({ now: () => new Date() });

/** This month's RUNNING run of 370827 by another hub process whose clock agrees with the database's, last heard from `silentMinutes` ago by it. */
async function runElsewhere(clock: FrozenDbClock, silentMinutes: number): Promise<number> {
  await dbs.hubPool.query("DELETE FROM monitoring_monthly_run WHERE region_code = '370827'");
  const [res] = (await clock.pool.query(
    `INSERT INTO monitoring_monthly_run (region_code, month, state, households_total, households_done, alerts_changed, started_by, started_at, heartbeat_at)
     VALUES ('370827', ?, 'RUNNING', 0, 0, 0, 'another-hub', UTC_TIMESTAMP(3), DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MINUTE))`,
    [month(), silentMinutes],
  )) as any;
  return res.insertId;
}

const runRow = async (id: number) => ((await dbs.hubPool.query('SELECT state, started_by, started_at, heartbeat_at, finished_at FROM monitoring_monthly_run WHERE id = ?', [id])) as any)[0][0];

describe('a monthly run’s times', () => {
  it('are the database’s clock’s when it is claimed, beats and ends', async () => {
    await dbs.hubPool.query("DELETE FROM monitoring_monthly_run WHERE region_code = '370827'");
    // Far from this process's clock, so a time written from it cannot pass for this one.
    await withDbClock(new Date('2026-03-15T02:00:00.000Z'), async (clock) => {
      const started = await monthlyJobs.start(monthlyDeps(clock), '370827', month(), 'test');
      if (!started.ok) throw new Error(started.code);
      const done = await started.done;
      expect(await runRow(done.id)).toEqual({ state: 'SUCCEEDED', started_by: 'test', started_at: '2026-03-15 02:00:00.000', heartbeat_at: '2026-03-15 02:00:00.000', finished_at: '2026-03-15 02:00:00.000' });
    });
  });
});

describe('a monthly run asked for beside a run of another hub process', () => {
  it('starts nothing while the database’s clock heard from that run a minute ago, though this process’s clock is an hour ahead', async () => {
    await withDbClock(fromNow(-60), async (clock) => {
      const elsewhere = await runElsewhere(clock, 1);
      const asked = await monthlyJobs.start(monthlyDeps(clock), '370827', month(), 'test');
      expect(asked).toMatchObject({ ok: true, started: false, run: { id: elsewhere, state: 'RUNNING', startedBy: 'another-hub' } });
      expect(await runRow(elsewhere)).toMatchObject({ state: 'RUNNING', started_by: 'another-hub' });
    });
  });

  it('takes that run over once the database’s clock has not heard from it for the timeout, though this process’s clock is an hour behind', async () => {
    await withDbClock(fromNow(60), async (clock) => {
      const elsewhere = await runElsewhere(clock, 11);
      const asked = await monthlyJobs.start(monthlyDeps(clock), '370827', month(), 'test');
      expect(asked).toMatchObject({ ok: true, started: true, run: { id: elsewhere, startedBy: 'test' } });
      if (asked.ok) await asked.done;
      expect(await runRow(elsewhere)).toMatchObject({ state: 'SUCCEEDED', started_by: 'test' });
    });
  });
});

describe('a monthly run taken over from a process that was only slow', () => {
  it('is written no more by that process: its heartbeat and its end leave the new run standing', async () => {
    await dbs.hubPool.query("DELETE FROM monitoring_monthly_run WHERE region_code = '370827'");
    const first = await claimMonthlyRun(dbs.hub, '370827', month(), 'slow-hub', 0);
    expect(first.claimed).toBe(true);
    // Silent past the timeout by the database's clock (a page waiting on slow departments): aged in SQL.
    await dbs.hubPool.query('UPDATE monitoring_monthly_run SET started_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 30 MINUTE), heartbeat_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 11 MINUTE) WHERE id = ?', [first.run.id]);
    const slow = (await monthlyRunById(dbs.hub, first.run.id))!;
    const second = await claimMonthlyRun(dbs.hub, '370827', month(), 'other-hub', 0);
    expect(second).toMatchObject({ claimed: true, run: { id: first.run.id, startedBy: 'other-hub' } });
    // The slow process wakes: its page's heartbeat, then its failure.
    await recordMonthlyProgress(dbs.hub, slow, { households: 5, changed: 2 });
    await finishMonthlyRun(dbs.hub, slow, 'FAILED', { households: 5, changed: 2 }, 'INTERNAL_ERROR');
    expect(await runRow(first.run.id)).toMatchObject({ state: 'RUNNING', started_by: 'other-hub', finished_at: null });
    expect(await monthlyRunById(dbs.hub, first.run.id)).toMatchObject({ householdsDone: 0, alertsChanged: 0, failure: null });
    // The run that took over still writes its own.
    await finishMonthlyRun(dbs.hub, second.run, 'SUCCEEDED', { households: 0, changed: 0 });
    expect(await runRow(first.run.id)).toMatchObject({ state: 'SUCCEEDED', started_by: 'other-hub' });
  });
});

describe('a monthly run of another hub process, as the API shows it', () => {
  const LIST = `{ monthlyComparisons(regionCode: "370827") { id state failure finishedAt } }`;

  /** The run as `monthlyComparisons` answers it, from a hub served over the connection whose database clock is `clock`'s. */
  async function shown(clock: FrozenDbClock, id: number) {
    const hub = await startTestHub({ ...dbs, hub: clock.hub }, { purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['ADMINISTRATOR'] } });
    try {
      const res = await hub.gql(LIST);
      expect(res.errors).toBeUndefined();
      return res.data.monthlyComparisons.find((r: { id: string }) => r.id === String(id));
    } finally {
      await hub.close();
    }
  }

  for (const [skew, minutes] of [
    ['an hour ahead', -60],
    ['an hour behind', 60],
  ] as const) {
    it(`is RUNNING while the database’s clock heard from it a minute ago, though this process’s clock is ${skew}`, async () => {
      await withDbClock(fromNow(minutes), async (clock) => {
        const elsewhere = await runElsewhere(clock, 1);
        expect(await shown(clock, elsewhere)).toEqual({ id: String(elsewhere), state: 'RUNNING', failure: null, finishedAt: null });
      });
    });

    it(`is FAILED (INTERRUPTED) once the database’s clock has not heard from it for the timeout, though this process’s clock is ${skew}`, async () => {
      await withDbClock(fromNow(minutes), async (clock) => {
        const elsewhere = await runElsewhere(clock, 11);
        expect(await shown(clock, elsewhere)).toEqual({ id: String(elsewhere), state: 'FAILED', failure: 'INTERRUPTED', finishedAt: null });
        // Shown so, not marked so: the row stays RUNNING until the month is asked for again.
        expect(await runRow(elsewhere)).toMatchObject({ state: 'RUNNING' });
      });
    });
  }
});
