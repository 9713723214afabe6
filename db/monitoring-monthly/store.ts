/**
 * Runs of the monthly comparison: claimed by one row per division and month (a unique key, so of
 * any number of hub processes and callers asking at once exactly one runs it), their progress, and
 * how they ended. No FOR UPDATE: a claim is an INSERT IGNORE, a takeover a conditional UPDATE.
 * Every instant here (started, heartbeat, finished) is the database's clock, and a run is judged
 * dead by that clock in SQL, by the rule a findings scan is judged by (db/heartbeat.ts): hub
 * processes whose own clocks differ agree on which runs are alive.
 */
import { and, desc, eq, getTableColumns, like, sql } from 'drizzle-orm';
import type { HubDb } from '../connect';
import type { HubQuery } from '../cases/records';
import { dbNow } from '../instants';
import { HEARTBEAT_TIMEOUT_MS, shownJobState, silentColumn, silentFor } from '../heartbeat';
import { monitoringMonthlyRun } from './schema';

export type MonthlyRunRow = typeof monitoringMonthlyRun.$inferSelect;
/** A run as the API reads it: its row, and whether it is RUNNING but silent by the database's clock. */
export type MonthlyRunView = MonthlyRunRow & { silent: boolean };

/** A RUNNING row whose heartbeat is older than this died with its process and may be taken over (db/heartbeat.ts). */
export const MONTHLY_RUN_STALE_MS = HEARTBEAT_TIMEOUT_MS;

/**
 * The columns of a run as the API reads it: `silent`, judged in the same SELECT by the database's
 * clock, is a RUNNING run whose process died, shown as FAILED (INTERRUPTED) before the month is
 * asked for again and takes it over. Without it a dead run showed RUNNING until then.
 */
const runViewColumns = { ...getTableColumns(monitoringMonthlyRun), silent: silentColumn(monitoringMonthlyRun.state, monitoringMonthlyRun.heartbeatAt) };

export type MonthlyClaim = { claimed: true; run: MonthlyRunView } | { claimed: false; run: MonthlyRunView };

async function runOf(db: HubQuery, regionCode: string, month: string): Promise<MonthlyRunView> {
  const [row] = await db.select(runViewColumns).from(monitoringMonthlyRun).where(and(eq(monitoringMonthlyRun.regionCode, regionCode), eq(monitoringMonthlyRun.month, month)));
  return row;
}

/**
 * Claims the run of a division and month: a new row, or a FAILED (or dead RUNNING) one taken over.
 * Not claimed when that month's run of the division succeeded already or is running: the row as it
 * stands is returned and nothing starts twice. A RUNNING run is dead once the database's clock has
 * not heard from it for MONTHLY_RUN_STALE_MS, judged in the takeover's own statement: a process
 * whose clock ran ahead took over a live run (and compared the division twice at once), one behind
 * left a dead one standing.
 */
export async function claimMonthlyRun(db: HubDb, regionCode: string, month: string, startedBy: string, householdsTotal: number): Promise<MonthlyClaim> {
  const [ins] = await db.execute(
    sql`INSERT IGNORE INTO monitoring_monthly_run (region_code, month, state, households_total, households_done, alerts_changed, started_by, started_at, heartbeat_at)
        VALUES (${regionCode}, ${month}, 'RUNNING', ${householdsTotal}, 0, 0, ${startedBy}, ${dbNow()}, ${dbNow()})`,
  );
  if ((ins as unknown as { affectedRows: number }).affectedRows === 1) return { claimed: true, run: await runOf(db, regionCode, month) };
  // Of two takeovers at once, the second waits on the first's row lock and then finds it beating.
  const [upd] = await db.execute(
    sql`UPDATE monitoring_monthly_run SET state = 'RUNNING', households_total = ${householdsTotal}, households_done = 0, alerts_changed = 0, started_by = ${startedBy}, started_at = ${dbNow()}, heartbeat_at = ${dbNow()}, finished_at = NULL, failure = NULL
        WHERE region_code = ${regionCode} AND month = ${month} AND (state = 'FAILED' OR (state = 'RUNNING' AND ${silentFor(monitoringMonthlyRun.heartbeatAt, MONTHLY_RUN_STALE_MS)}))`,
  );
  const after = await runOf(db, regionCode, month);
  return { claimed: (upd as unknown as { affectedRows: number }).affectedRows === 1, run: after };
}

/** The run a process claimed: its row, and the start its claim wrote. */
export type ClaimedRun = Pick<MonthlyRunRow, 'id' | 'startedAt'>;

/**
 * Still the run this process claimed: RUNNING, and started by its claim. A process silent past
 * MONTHLY_RUN_STALE_MS (a page waiting on slow departments) whose run another took over writes
 * nothing more to it: by the row's id alone its heartbeat and end overwrote the new run's (its
 * FAILED let a third process start the division a second time beside the second). A takeover
 * comes only after that silence, so its start is never the earlier claim's.
 */
const stillClaimed = (run: ClaimedRun) => and(eq(monitoringMonthlyRun.id, run.id), eq(monitoringMonthlyRun.state, 'RUNNING'), eq(monitoringMonthlyRun.startedAt, run.startedAt));

/** Counts so far, and the heartbeat. */
export async function recordMonthlyProgress(db: HubQuery, run: ClaimedRun, done: { households: number; changed: number }): Promise<void> {
  await db
    .update(monitoringMonthlyRun)
    .set({ householdsDone: done.households, alertsChanged: done.changed, heartbeatAt: dbNow() })
    .where(stillClaimed(run));
}

/** How the run ended. */
export async function finishMonthlyRun(db: HubQuery, run: ClaimedRun, state: 'SUCCEEDED' | 'FAILED', done: { households: number; changed: number }, failure: string | null = null): Promise<void> {
  // One value within the statement: heartbeat and end alike.
  const at = dbNow();
  await db
    .update(monitoringMonthlyRun)
    .set({ state, householdsDone: done.households, alertsChanged: done.changed, heartbeatAt: at, finishedAt: at, failure })
    .where(stillClaimed(run));
}

export async function monthlyRunById(db: HubQuery, id: number): Promise<MonthlyRunView | null> {
  const [row] = await db.select(runViewColumns).from(monitoringMonthlyRun).where(eq(monitoringMonthlyRun.id, id));
  return row ?? null;
}

/** Runs of divisions under a prefix, newest first. */
export async function monthlyRunsUnder(db: HubQuery, prefix: string, limit: number): Promise<MonthlyRunView[]> {
  return db.select(runViewColumns).from(monitoringMonthlyRun).where(like(monitoringMonthlyRun.regionCode, `${prefix}%`)).orderBy(desc(monitoringMonthlyRun.id)).limit(limit);
}

/**
 * The runs of the newest month any run is of, whichever process ran them (a hub's monthly tick,
 * the mutation, `npm run monitor:monthly` in a process of its own): what /metrics reads at each
 * scrape, so a run from the command line shows there too. One row per division (unique per month).
 * Each by the state the API shows (db/heartbeat.ts), judged in the same SELECT: a RUNNING run whose
 * process died is FAILED. Read as stored, a dead run was counted running on the dashboards.
 */
export async function newestMonthRuns(db: HubDb): Promise<Pick<MonthlyRunRow, 'regionCode' | 'month' | 'state' | 'householdsTotal' | 'householdsDone'>[]> {
  const rows = await db
    .select({
      regionCode: monitoringMonthlyRun.regionCode,
      month: monitoringMonthlyRun.month,
      state: monitoringMonthlyRun.state,
      failure: monitoringMonthlyRun.failure,
      silent: silentColumn(monitoringMonthlyRun.state, monitoringMonthlyRun.heartbeatAt),
      householdsTotal: monitoringMonthlyRun.householdsTotal,
      householdsDone: monitoringMonthlyRun.householdsDone,
    })
    .from(monitoringMonthlyRun)
    .where(sql`${monitoringMonthlyRun.month} = (SELECT MAX(month) FROM monitoring_monthly_run)`);
  return rows.map((r) => ({ regionCode: r.regionCode, month: r.month, state: shownJobState(r).state, householdsTotal: r.householdsTotal, householdsDone: r.householdsDone }));
}
