/**
 * Whether a job (a findings scan, a run of the monthly comparison) is still alive, judged by its
 * heartbeat and the database's clock, the one that wrote every heartbeat: hub processes whose own
 * clocks differ agree on which jobs are alive (one running ahead took a live job for dead, one
 * behind kept a dead one standing). The one rule both kinds of job are judged and shown by.
 */
import { gt, lte, sql, type SQL } from 'drizzle-orm';
import type { MySqlColumn } from 'drizzle-orm/mysql-core';
import { dbNowPlusMs } from './instants';

/** A RUNNING job with no heartbeat for this long (by the database's clock) died with its process. */
export const HEARTBEAT_TIMEOUT_MS = 10 * 60_000;

/** How a job whose process died without ending it ends, and how the API shows it until then. */
export const JOB_INTERRUPTED = 'INTERRUPTED';

/** A heartbeat more recent than `silentMs` before the database's now: alive. */
export const heardWithin = (heartbeatAt: MySqlColumn, silentMs: number): SQL => gt(heartbeatAt, dbNowPlusMs(-silentMs));
export const silentFor = (heartbeatAt: MySqlColumn, silentMs: number): SQL => lte(heartbeatAt, dbNowPlusMs(-silentMs));

/**
 * A column to read in the same SELECT as the job's row: RUNNING, yet not heard from within the
 * timeout by the database's clock. Judged by this process's clock, one running ahead showed a live
 * job as failed.
 */
export function silentColumn(state: MySqlColumn, heartbeatAt: MySqlColumn): SQL<boolean> {
  return sql<boolean>`(${state} = 'RUNNING' AND ${silentFor(heartbeatAt, HEARTBEAT_TIMEOUT_MS)})`.mapWith((v) => Number(v) === 1);
}

/**
 * A job as it stands: a RUNNING row whose process stopped beating (`silent`) is FAILED
 * (INTERRUPTED), even before the next start marks it so in the table or takes it over.
 */
export function shownJobState<S extends string>(job: { state: S; failure: string | null; silent: boolean }): { state: S | 'FAILED'; failure: string | null } {
  if (job.silent) return { state: 'FAILED', failure: JOB_INTERRUPTED };
  return { state: job.state, failure: job.failure };
}
