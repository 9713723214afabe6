/**
 * Runs of the monthly comparison: claimed by one row per division and month (a unique key, so of
 * any number of hub processes and callers asking at once exactly one runs it), their progress, and
 * how they ended. No FOR UPDATE: a claim is an INSERT IGNORE, a takeover a conditional UPDATE.
 */
import { and, desc, eq, like, sql } from 'drizzle-orm';
import type { HubDb } from '../connect';
import type { HubQuery } from '../cases/records';
import { toDbInstant } from '../instants';
import { monitoringMonthlyRun } from './schema';

export type MonthlyRunRow = typeof monitoringMonthlyRun.$inferSelect;

/** A RUNNING row whose heartbeat is older than this died with its process and may be taken over. */
export const MONTHLY_RUN_STALE_MS = 10 * 60_000;

export type MonthlyClaim = { claimed: true; run: MonthlyRunRow } | { claimed: false; run: MonthlyRunRow };

async function runOf(db: HubQuery, regionCode: string, month: string): Promise<MonthlyRunRow> {
  const [row] = await db.select().from(monitoringMonthlyRun).where(and(eq(monitoringMonthlyRun.regionCode, regionCode), eq(monitoringMonthlyRun.month, month)));
  return row;
}

/**
 * Claims the run of a division and month: a new row, or a FAILED (or dead RUNNING) one taken over.
 * Not claimed when that month's run of the division succeeded already or is running: the row as it
 * stands is returned and nothing starts twice.
 */
export async function claimMonthlyRun(db: HubDb, regionCode: string, month: string, startedBy: string, householdsTotal: number, now: Date): Promise<MonthlyClaim> {
  const at = toDbInstant(now);
  const [ins] = await db.execute(
    sql`INSERT IGNORE INTO monitoring_monthly_run (region_code, month, state, households_total, households_done, alerts_changed, started_by, started_at, heartbeat_at)
        VALUES (${regionCode}, ${month}, 'RUNNING', ${householdsTotal}, 0, 0, ${startedBy}, ${at}, ${at})`,
  );
  if ((ins as unknown as { affectedRows: number }).affectedRows === 1) return { claimed: true, run: await runOf(db, regionCode, month) };
  const run = await runOf(db, regionCode, month);
  const stale = toDbInstant(new Date(now.getTime() - MONTHLY_RUN_STALE_MS));
  if (run.state === 'SUCCEEDED' || (run.state === 'RUNNING' && run.heartbeatAt > stale)) return { claimed: false, run };
  const [upd] = await db.execute(
    sql`UPDATE monitoring_monthly_run SET state = 'RUNNING', households_total = ${householdsTotal}, households_done = 0, alerts_changed = 0, started_by = ${startedBy}, started_at = ${at}, heartbeat_at = ${at}, finished_at = NULL, failure = NULL
        WHERE id = ${run.id} AND state = ${run.state} AND heartbeat_at = ${run.heartbeatAt}`,
  );
  const after = await runOf(db, regionCode, month);
  return (upd as unknown as { affectedRows: number }).affectedRows === 1 ? { claimed: true, run: after } : { claimed: false, run: after };
}

/** Counts so far, and the heartbeat. */
export async function recordMonthlyProgress(db: HubQuery, id: number, done: { households: number; changed: number }, now: Date): Promise<void> {
  await db
    .update(monitoringMonthlyRun)
    .set({ householdsDone: done.households, alertsChanged: done.changed, heartbeatAt: toDbInstant(now) })
    .where(and(eq(monitoringMonthlyRun.id, id), eq(monitoringMonthlyRun.state, 'RUNNING')));
}

/** How the run ended. */
export async function finishMonthlyRun(db: HubQuery, id: number, state: 'SUCCEEDED' | 'FAILED', done: { households: number; changed: number }, now: Date, failure: string | null = null): Promise<void> {
  const at = toDbInstant(now);
  await db
    .update(monitoringMonthlyRun)
    .set({ state, householdsDone: done.households, alertsChanged: done.changed, heartbeatAt: at, finishedAt: at, failure })
    .where(and(eq(monitoringMonthlyRun.id, id), eq(monitoringMonthlyRun.state, 'RUNNING')));
}

export async function monthlyRunById(db: HubQuery, id: number): Promise<MonthlyRunRow | null> {
  const [row] = await db.select().from(monitoringMonthlyRun).where(eq(monitoringMonthlyRun.id, id));
  return row ?? null;
}

/** Runs of divisions under a prefix, newest first. */
export async function monthlyRunsUnder(db: HubQuery, prefix: string, limit: number): Promise<MonthlyRunRow[]> {
  return db.select().from(monitoringMonthlyRun).where(like(monitoringMonthlyRun.regionCode, `${prefix}%`)).orderBy(desc(monitoringMonthlyRun.id)).limit(limit);
}

/**
 * The runs of the newest month any run is of, whichever process ran them (a hub's monthly tick,
 * the mutation, `npm run monitor:monthly` in a process of its own): what /metrics reads at each
 * scrape, so a run from the command line shows there too. One row per division (unique per month).
 */
export async function newestMonthRuns(db: HubDb): Promise<Pick<MonthlyRunRow, 'regionCode' | 'month' | 'state' | 'householdsTotal' | 'householdsDone'>[]> {
  return db
    .select({ regionCode: monitoringMonthlyRun.regionCode, month: monitoringMonthlyRun.month, state: monitoringMonthlyRun.state, householdsTotal: monitoringMonthlyRun.householdsTotal, householdsDone: monitoringMonthlyRun.householdsDone })
    .from(monitoringMonthlyRun)
    .where(sql`${monitoringMonthlyRun.month} = (SELECT MAX(month) FROM monitoring_monthly_run)`);
}
