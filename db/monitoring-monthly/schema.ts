/**
 * The monthly comparison's runs (一月一比对): one row per division and month, so a run asked for
 * again (`monitoringMonthlyRun`, `npm run monitor:monthly`, the hub's own monthly tick) finds the
 * one already done or running instead of starting a second; its counts move as pages are written.
 * A set of its own (not db/monitoring's) so it migrates apart from the alert tables.
 */
import { bigint, char, datetime, int, mysqlEnum, mysqlTable, unique, varchar } from 'drizzle-orm/mysql-core';

export const MONTHLY_RUN_STATES = ['RUNNING', 'SUCCEEDED', 'FAILED'] as const;
const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });

export const monitoringMonthlyRun = mysqlTable(
  'monitoring_monthly_run',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** The division compared (6, 9 or 12 digits). */
    regionCode: varchar('region_code', { length: 12 }).notNull(),
    /** The month the run stands for, YYYY-MM (China time). */
    month: char('month', { length: 7 }).notNull(),
    state: mysqlEnum('state', MONTHLY_RUN_STATES).notNull(),
    householdsTotal: int('households_total').notNull(),
    householdsDone: int('households_done').notNull(),
    /** Alerts opened or raised by this run. */
    alertsChanged: int('alerts_changed').notNull(),
    /** The API client, `cli`, or `hub` for the monthly tick. */
    startedBy: varchar('started_by', { length: 64 }).notNull(),
    startedAt: instant('started_at').notNull(),
    /** Moves with every page: a RUNNING row whose heartbeat stopped died with its process. */
    heartbeatAt: instant('heartbeat_at').notNull(),
    finishedAt: instant('finished_at'),
    /** Why it failed: `DEPARTMENT_UNAVAILABLE:<DEPT>`, `INTERRUPTED` or `INTERNAL_ERROR`. */
    failure: varchar('failure', { length: 64 }),
  },
  (t) => [unique('monitoring_monthly_run_region_month').on(t.regionCode, t.month)],
);
