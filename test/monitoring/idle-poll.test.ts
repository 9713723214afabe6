/**
 * A poll that finds nothing new writes no transaction while its feeds' last recorded poll is younger
 * than three of its department's intervals, and than the lease (resolvers/monitoring/poller.ts
 * quietPollRecorded, quietRecordMs): it used to write one at every tick for every department (the fence, an UPDATE
 * of polled_at, COMMIT), for the poll-age gauge alone. Once the record is older, the next idle poll
 * writes it again, so the gauge (aidhub_monitoring_poll_age_seconds, read from the hub database)
 * stays within four of the department's intervals of the truth, however slow another department
 * polled by the same hub is. Statements are counted on the hub database, not timed; ages are moved
 * with SQL, and every bound is an hour or more from the wall time the test takes.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { withoutDrizzleTypeCast, type HubDb } from '../../db/connect';
import * as hubSchema from '../../db/household/schema';
import { pollAges } from '../../db/monitoring/store';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { monitoringConfigFromEnv } from '../../db/config';
import { MonitoringPoller, type PollerOptions } from '../../resolvers/monitoring/poller';
import { polledFeeds } from '../../federation/change-feed';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, TODAY } from '../support/scenarios';

jest.setTimeout(120_000);

const NOW = new Date(`${TODAY}T02:00:00.000Z`);
const HOUR_MS = 3_600_000;
// As configured in production: every department hourly, HEALTH every 30 s; the lease is then three
// hours (three intervals of the slowest department).
const CONFIG = monitoringConfigFromEnv({ AIDHUB_MONITOR_INTERVAL_MS: String(HOUR_MS), AIDHUB_MONITOR_INTERVAL_MS_HEALTH: '30000' })!;
const OPTS: PollerOptions = { ...CONFIG, monthlyRegion: null, commitLagMs: 0 };
const LEASE_MS = OPTS.leaseMs;
/** Polled hourly: its record is written again once older than the lease (three hours). */
const DEPARTMENT = 'CIVIL_AFFAIRS' as const;
/** Polled every 30 s: its record is written again once older than 90 s, not than the lease. */
const FAST = 'HEALTH' as const;

let dbs: TestDatabases;
let statements: string[] = [];
let poller: MonitoringPoller;

beforeAll(async () => {
  dbs = await createTestDatabases('idle_poll');
  await insertRegions(dbs);
  const hub = drizzle(withoutDrizzleTypeCast(dbs.hubPool), { schema: hubSchema, mode: 'default', logger: { logQuery: (q) => statements.push(q) } }) as unknown as HubDb;
  poller = new MonitoringPoller({ hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW }, OPTS);
  // The first poll takes the lease and sets the watermarks.
  await poller.tick(DEPARTMENT);
  await poller.tick(FAST);
});

afterAll(async () => {
  await poller?.stop();
  await dbs?.close();
});

const transactions = () => statements.filter((s) => /^\s*(begin|start transaction)/i.test(s)).length;
const writes = () => statements.filter((s) => /^\s*(insert|update|delete)/i.test(s));

const movePolledBack = (department: string, ms: number) =>
  dbs.hubPool.query(`UPDATE monitoring_watermark SET polled_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ${ms} * 1000 MICROSECOND) WHERE source_table LIKE ?`, [`${department}:%`]);

it('writes no transaction and no watermark when nothing changed and the last record is younger than the lease', async () => {
  expect(LEASE_MS).toBe(3 * HOUR_MS);
  expect(polledFeeds(DEPARTMENT).length).toBeGreaterThan(0);
  statements = [];
  expect(await poller.tick(DEPARTMENT)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
  expect(transactions()).toBe(0);
  // The lease's renewal alone (db/jobs/lease.ts renewLease).
  expect(writes()).toHaveLength(1);
  expect(writes()[0]).toMatch(/^update `?job_lease`?/i);
});

it('records the idle poll again once its record is older than the lease, so the poll age stays true', async () => {
  await movePolledBack(DEPARTMENT, 2 * LEASE_MS);
  expect((await pollAges(dbs.hub)).get(DEPARTMENT)).toBeGreaterThanOrEqual((2 * LEASE_MS) / 1000);
  statements = [];
  expect(await poller.tick(DEPARTMENT)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
  expect(transactions()).toBe(1);
  expect(writes().filter((s) => /monitoring_watermark/.test(s))).toHaveLength(1);
  expect((await pollAges(dbs.hub)).get(DEPARTMENT)).toBeLessThan(LEASE_MS / 1000);
  const [[{ n }]] = (await dbs.hub.execute(sql`SELECT COUNT(*) AS n FROM monitoring_watermark WHERE source_table LIKE ${`${DEPARTMENT}:%`} AND polled_at < DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 60 SECOND)`)) as unknown as [{ n: number }[]];
  expect(Number(n)).toBe(0);
});

it('records a fast department’s idle poll after three of its own intervals, not after the lease the slowest department sets', async () => {
  expect(polledFeeds(FAST).length).toBeGreaterThan(0);
  // Ten minutes: past three of HEALTH's 30 s intervals, well within the three-hour lease.
  const tenMinutesMs = 600_000;
  await movePolledBack(FAST, tenMinutesMs);
  await movePolledBack(DEPARTMENT, tenMinutesMs);
  statements = [];
  expect(await poller.tick(FAST)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
  expect(transactions()).toBe(1);
  expect(writes().filter((s) => /monitoring_watermark/.test(s))).toHaveLength(1);
  statements = [];
  expect(await poller.tick(DEPARTMENT)).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
  expect(transactions()).toBe(0);
  expect(writes().filter((s) => /monitoring_watermark/.test(s))).toHaveLength(0);
  const ages = await pollAges(dbs.hub);
  // docs/operations.md's suggested rule fires on a HEALTH age over 600 s: a healthy hub stays well under.
  expect(ages.get(FAST)).toBeLessThan(tenMinutesMs / 1000);
  expect(ages.get(DEPARTMENT)).toBeGreaterThanOrEqual(tenMinutesMs / 1000);
});
