/**
 * Leases on long jobs (region scans), so that any hub replica may run one and exactly one does.
 *
 * A lease row per job: who holds it, until when, and a fencing token that grows by one at every
 * acquisition. The holder renews `expires_at` by heartbeat; a replica that finds a lease expired
 * takes it with one conditional UPDATE of that row (token + 1) and resumes the job from `resume_after`.
 * Every write of a job locks its lease row and checks the token first, so a holder that stalled
 * past its expiry (a long GC pause, a partitioned network) cannot write after it was replaced.
 * Only single rows are locked, by primary key: no range or gap locks (TiDB takes none).
 *
 * Instants are DATETIME(3) in UTC, compared with the database's own UTC_TIMESTAMP(3), so replicas'
 * clocks do not matter.
 */
import { bigint, datetime, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

const instant = (name: string) => datetime(name, { mode: 'string', fsp: 3 });

export const jobLease = mysqlTable('job_lease', {
  /** `scan:<id>` for a scan's run; `scan-start` for the row that serialises scan starts. */
  jobKey: varchar('job_key', { length: 64 }).primaryKey(),
  /** The replica and run holding it (`<host>:<pid>:<random>`): for people reading the table. */
  holder: varchar('holder', { length: 128 }).notNull(),
  /** Fencing token: grows by one at every acquisition. */
  token: bigint('token', { mode: 'number', unsigned: true }).notNull(),
  expiresAt: instant('expires_at').notNull(),
  heartbeatAt: instant('heartbeat_at').notNull(),
  /** Where a taken-over job resumes (job-defined JSON; a scan's last household done). */
  resumeAfter: varchar('resume_after', { length: 200 }),
});

/**
 * Data upgrades a release makes to rows an earlier release wrote, each done once, in batches, by
 * whichever hub process starts first (db/setup/upgrades.ts). A migration adds a row per upgrade
 * (unfinished); the hub works through the upgrade's table in primary-key order, each batch in a
 * transaction that locks this row first, so two processes starting at once take turns and the
 * second resumes where the first stopped; `finished_at` set means there is nothing left to do.
 */
export const dataUpgrade = mysqlTable('data_upgrade', {
  /** `<what>:<table>`, e.g. `prose-masked:aid_case`. */
  name: varchar('name', { length: 64 }).primaryKey(),
  /** The primary key of the last row done (0: none yet). */
  resumeAfter: bigint('resume_after', { mode: 'number', unsigned: true }).notNull().default(0),
  /** How many rows the upgrade changed so far (for people reading the table: no row's content). */
  rowsChanged: bigint('rows_changed', { mode: 'number', unsigned: true }).notNull().default(0),
  finishedAt: instant('finished_at'),
});
