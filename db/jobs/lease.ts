/**
 * Leases on long jobs (see db/jobs-schema.ts): take, renew, check, resume. Every statement touches
 * one lease row by its primary key.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import type { HubDb } from '../connect';
import type { HubTx } from '../cases/records';
import { lockingTransaction, type LockingTx } from '../locking';
import { dbNowPlusMs } from '../instants';

/** A lease this process holds: the job, and the token its writes must carry. */
export interface Lease {
  jobKey: string;
  token: number;
  holder: string;
}

/** A write was attempted with a token that is no longer the job's: another replica took it over. */
export class LeaseLost extends Error {
  constructor(readonly jobKey: string) {
    super(`the lease on ${jobKey} was taken over by another hub process`);
    this.name = 'LeaseLost';
  }
}

/** This process, for the holder column. */
export function newHolder(): string {
  return `${os.hostname().slice(0, 80)}:${process.pid}:${crypto.randomBytes(6).toString('hex')}`;
}

type Db = HubDb | HubTx;

function rowsOf(result: unknown): Record<string, unknown>[] {
  return (result as [Record<string, unknown>[]])[0];
}

function affected(result: unknown): number {
  return (result as [{ affectedRows: number }])[0].affectedRows;
}

/** Makes sure a lease row exists (unheld, expired) without touching one that does. */
export async function ensureLeaseRow(db: Db, jobKey: string): Promise<void> {
  await db.execute(sql`INSERT IGNORE INTO job_lease (job_key, holder, token, expires_at, heartbeat_at) VALUES (${jobKey}, '', 0, '1970-01-01 00:00:01', '1970-01-01 00:00:01')`);
}

/** Locks one lease row until the transaction ends (a mutex across replicas, e.g. `scan-start`). */
export async function lockLeaseRow(tx: LockingTx, jobKey: string): Promise<void> {
  await tx.execute(sql`SELECT token FROM job_lease WHERE job_key = ${jobKey} FOR UPDATE`);
}

/** A new job's lease, created held (token 1). Fails if the job key exists. */
export async function createLease(db: Db, jobKey: string, holder: string, ttlMs: number): Promise<Lease> {
  await db.execute(sql`INSERT INTO job_lease (job_key, holder, token, expires_at, heartbeat_at) VALUES (${jobKey}, ${holder}, 1, ${dbNowPlusMs(ttlMs)}, UTC_TIMESTAMP(3))`);
  return { jobKey, token: 1, holder };
}

/**
 * Takes an expired lease: one conditional UPDATE of its row, so of several replicas trying at once
 * exactly one succeeds. Returns the lease (with its new token) and the job's cursor, or null.
 */
export async function takeExpiredLease(db: HubDb, jobKey: string, holder: string, ttlMs: number): Promise<{ lease: Lease; cursor: string | null } | null> {
  const res = await db.execute(
    sql`UPDATE job_lease SET holder = ${holder}, token = token + 1, expires_at = ${dbNowPlusMs(ttlMs)}, heartbeat_at = UTC_TIMESTAMP(3) WHERE job_key = ${jobKey} AND expires_at < UTC_TIMESTAMP(3)`,
  );
  if (affected(res) !== 1) return null;
  const [row] = rowsOf(await db.execute(sql`SELECT token, resume_after FROM job_lease WHERE job_key = ${jobKey} AND holder = ${holder}`));
  if (!row) return null;
  return { lease: { jobKey, token: Number(row.token), holder }, cursor: (row.resume_after as string | null) ?? null };
}

/** Renews a lease; false when it is no longer ours (taken over), and the job must stop. */
export async function renewLease(db: Db, lease: Lease, ttlMs: number): Promise<boolean> {
  const res = await db.execute(sql`UPDATE job_lease SET expires_at = ${dbNowPlusMs(ttlMs)}, heartbeat_at = UTC_TIMESTAMP(3) WHERE job_key = ${lease.jobKey} AND token = ${lease.token}`);
  return affected(res) === 1;
}

/**
 * The fence: locks the lease row for the rest of the transaction and checks the token, so nothing
 * the transaction writes lands after a takeover. Call it first in every write of a job.
 */
export async function checkFence(tx: LockingTx, lease: Lease): Promise<void> {
  const [row] = rowsOf(await tx.execute(sql`SELECT token FROM job_lease WHERE job_key = ${lease.jobKey} FOR UPDATE`));
  if (!row || Number(row.token) !== lease.token) throw new LeaseLost(lease.jobKey);
}

/** Records where the job has got to (inside a fenced transaction). */
export async function saveCursor(tx: HubTx, lease: Lease, cursor: string | null): Promise<void> {
  await tx.execute(sql`UPDATE job_lease SET resume_after = ${cursor}, heartbeat_at = UTC_TIMESTAMP(3) WHERE job_key = ${lease.jobKey} AND token = ${lease.token}`);
}

/** Ends a lease: expired at once, so nobody resumes a finished job (its state says it finished). */
export async function releaseLease(db: Db, lease: Lease): Promise<void> {
  await db.execute(sql`UPDATE job_lease SET expires_at = UTC_TIMESTAMP(3) WHERE job_key = ${lease.jobKey} AND token = ${lease.token}`);
}

/**
 * Gives a lease up for another process to take at once (a hub stopping in the middle of a job):
 * expired, and token + 1 so that nothing this holder still has in flight can write behind the
 * fence; the resume cursor stays. Only while it is still this holder's.
 */
export async function handOverLease(db: Db, lease: Lease): Promise<void> {
  await db.execute(sql`UPDATE job_lease SET token = token + 1, holder = '', expires_at = UTC_TIMESTAMP(3) WHERE job_key = ${lease.jobKey} AND token = ${lease.token}`);
}

/** Takes a lease from whoever holds it (token + 1, expired): their fenced writes fail from now on. */
export async function revokeLease(db: Db, jobKey: string): Promise<void> {
  await db.execute(sql`UPDATE job_lease SET token = token + 1, holder = '', expires_at = UTC_TIMESTAMP(3) WHERE job_key = ${jobKey}`);
}

/** Runs `write` in a transaction behind the fence. */
export async function fenced<T>(db: HubDb, lease: Lease, write: (tx: LockingTx) => Promise<T>): Promise<T> {
  return lockingTransaction(db, async (tx) => {
    await checkFence(tx, lease);
    return write(tx);
  });
}
