/**
 * A poll that finds nothing new writes no transaction while its feeds' last recorded poll is younger
 * than the lease (resolvers/monitoring/poller.ts quietPollRecorded): it used to write one at every
 * tick for every department (the fence, an UPDATE of polled_at, COMMIT), for the poll-age gauge
 * alone. Once the record is older than the lease, the next idle poll writes it again, so the gauge
 * (aidhub_monitoring_poll_age_seconds, read from the hub database) stays within a lease and an
 * interval of the truth; for a department polled more often than the lease's three slowest polls,
 * once it is older than three of its own intervals (quietRecordMs). Statements are counted on the
 * hub database, not timed.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { withoutDrizzleTypeCast, type HubDb } from '../../db/connect';
import * as hubSchema from '../../db/household/schema';
import { pollAges } from '../../db/monitoring/store';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, type PollerOptions } from '../../resolvers/monitoring/poller';
import { polledFeeds } from '../../federation/change-feed';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, TODAY } from '../support/scenarios';

jest.setTimeout(120_000);

const NOW = new Date(`${TODAY}T02:00:00.000Z`);
const LEASE_MS = 60_000;
const OPTS: PollerOptions = { intervalMs: { default: 3_600_000 }, leaseMs: LEASE_MS, batchRows: 5000, monthlyRegion: null, commitLagMs: 0 };
const DEPARTMENT = 'HEALTH' as const;

let dbs: TestDatabases;
let statements: string[] = [];
let poller: MonitoringPoller;
let loggedHub: HubDb;

beforeAll(async () => {
  dbs = await createTestDatabases('idle_poll');
  await insertRegions(dbs);
  loggedHub = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: hubSchema, mode: 'default', logger: { logQuery: (q) => statements.push(q) } }) as unknown as HubDb;
  poller = new MonitoringPoller({ hub: loggedHub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW }, OPTS);
  // The first poll takes the lease and sets the watermarks.
  await poller.tick(DEPARTMENT);
});

afterAll(async () => {
  await poller?.stop();
  await dbs?.close();
});

const transactions = () => statements.filter((s) => /^\s*(begin|start transaction)/i.test(s)).length;
const writes = () => statements.filter((s) => /^\s*(insert|update|delete)/i.test(s));

it('writes no transaction and no watermark when nothing changed and the last record is younger than the lease', async () => {
  expect(polledFeeds(DEPARTMENT).length).toBeGreaterThan(0);
  statements = [];
  expect(await poller.tick(DEPARTMENT)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
  expect(transactions()).toBe(0);
  // The lease's renewal alone (db/jobs/lease.ts renewLease).
  expect(writes()).toHaveLength(1);
  expect(writes()[0]).toMatch(/^update `?job_lease`?/i);
});

it('records the idle poll again once its record is older than the lease, so the poll age stays true', async () => {
  await dbs.hubPool.query(`UPDATE monitoring_watermark SET polled_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ${2 * LEASE_MS} * 1000 MICROSECOND) WHERE source_table LIKE ?`, [`${DEPARTMENT}:%`]);
  expect((await pollAges(dbs.hub)).get(DEPARTMENT)).toBeGreaterThanOrEqual((2 * LEASE_MS) / 1000);
  statements = [];
  expect(await poller.tick(DEPARTMENT)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
  expect(transactions()).toBe(1);
  expect(writes().filter((s) => /monitoring_watermark/.test(s))).toHaveLength(1);
  expect((await pollAges(dbs.hub)).get(DEPARTMENT)).toBeLessThan(LEASE_MS / 1000);
  const [[{ n }]] = (await dbs.hub.execute(sql`SELECT COUNT(*) AS n FROM monitoring_watermark WHERE source_table LIKE ${`${DEPARTMENT}:%`} AND polled_at < DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 60 SECOND)`)) as unknown as [{ n: number }[]];
  expect(Number(n)).toBe(0);
});

it('records the idle poll of a department polled more often than the lease allows for within three of its own intervals', async () => {
  // The lease outlasts three polls of the slowest department (db/config.ts), here an hour's; HEALTH is
  // polled every 5 s. Left unrecorded for a whole lease, its age read 30 minutes while it was polled
  // every 5 s: a rule at ten of its intervals (docs/operations.md) called a working poll stalled.
  await poller.stop();
  const slowLease = 3 * 3_600_000;
  const frequent = new MonitoringPoller(
    { hub: loggedHub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW },
    { ...OPTS, intervalMs: { default: 3_600_000, [DEPARTMENT]: 5_000 }, leaseMs: slowLease },
  );
  try {
    await frequent.tick(DEPARTMENT);
    await dbs.hubPool.query(`UPDATE monitoring_watermark SET polled_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 30 MINUTE) WHERE source_table LIKE ?`, [`${DEPARTMENT}:%`]);
    statements = [];
    expect(await frequent.tick(DEPARTMENT)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
    expect(transactions()).toBe(1);
    expect(writes().filter((s) => /monitoring_watermark/.test(s))).toHaveLength(1);
    expect((await pollAges(dbs.hub)).get(DEPARTMENT)).toBeLessThan(60);
  } finally {
    await frequent.stop();
  }
});
