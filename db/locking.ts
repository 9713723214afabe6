/**
 * Transactions that take a row lock (SELECT … FOR UPDATE) and then read: every one runs through
 * `lockingTransaction`, at READ COMMITTED, so each of its statements reads what was committed
 * last, also what the lock's previous holder committed while this one waited.
 *
 * Why: at REPEATABLE READ, TiDB (pessimistic mode, its default) reads every plain SELECT of a
 * transaction from a snapshot taken at the transaction's first statement; only locking reads and
 * writes read the latest commit. A transaction that locks a case (or an alert, a need, a lease) as
 * a mutex and then counts its events or meetings plainly would judge a state without the previous
 * holder's writes. InnoDB (MySQL, MariaDB) takes its snapshot at the first plain read, so there a
 * lock taken first hides the difference, but only while the lock stays first. At READ COMMITTED
 * MySQL, MariaDB and TiDB (pessimistic mode) all read the latest commit per statement.
 *
 * The isolation level is set for the one transaction (`SET TRANSACTION ISOLATION LEVEL READ
 * COMMITTED` before `BEGIN`, as drizzle sends it; TiDB keeps it as `tx_isolation_one_shot`), never
 * for the session: pooled connections keep the server's default for everything else.
 *
 * `LockingTx` is a transaction that came from here: functions that lock take one, so the compiler
 * refuses a call from a transaction begun otherwise, and test/tidb-lint.test.ts refuses a locking
 * read on anything else (db/tidb.ts lockingReadProblems).
 */
import { getTableName, is } from 'drizzle-orm';
import { MySqlTransaction, type MySqlTable } from 'drizzle-orm/mysql-core';
import { onceMoreIfRefusedByStatementFormat, type HubDb } from './connect';
import type { HubTx } from './cases/records';

declare const lockingBrand: unique symbol;

/** A transaction begun by `lockingTransaction` (READ COMMITTED): the only kind that may lock rows. */
export type LockingTx = HubTx & { readonly [lockingBrand]: true };

/** The isolation level every transaction with a locking read runs at. */
export const LOCKING_ISOLATION = 'read committed' as const;

/** The SQL the hub's own raw-SQL locking transactions begin with (the audit writer's chain head). */
export const BEGIN_LOCKING_SQL = 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION';

/**
 * Runs `work` in one transaction at READ COMMITTED, in which it may lock rows by key. Given a
 * transaction (which the types allow: drizzle's transaction is a database), it throws rather than
 * open a savepoint at the outer transaction's isolation level under the LockingTx name.
 *
 * A transaction refused by statement format (1665) is run once more: it was refused at its first
 * locking read or write, so it wrote nothing, and it runs again on a connection opened after the
 * refusal (db/connect.ts retiringRefusedSessions). The refused one was opened while the server
 * logged by statement; if the server has been set back since, the second run succeeds, and no
 * request fails for a connection left over from that time. If it still logs by statement, the
 * second is refused as well and its error thrown.
 *
 * So `work` may run twice, the second time from the start, after the first's rollback: it must be
 * safe to repeat, changing nothing outside the transaction (no counter, array or metric of the
 * caller's, no request sent) that a second run would change again. Keep what it finds in its
 * result, and act on the result once the transaction has committed.
 */
export async function lockingTransaction<T>(db: HubDb, work: (tx: LockingTx) => Promise<T>): Promise<T> {
  if (is(db, MySqlTransaction)) throw new Error('lockingTransaction begins a transaction of its own: it was called inside one');
  const run = () => onceMoreIfRefusedByStatementFormat(() => db.transaction((tx) => work(tx as LockingTx), { isolationLevel: LOCKING_ISOLATION }));
  try {
    return await run();
  } catch (err) {
    // A lock row the migrations made was missing (lockKnownRow): the transaction that found it so
    // rolled back, so it is made now, committed on its own (ensureLockRow says why not inside), and
    // the transaction runs once more from the start (work is safe to repeat, above). Missing again,
    // the second error is thrown.
    if (!(err instanceof LockRowMissing)) throw err;
    await ensureLockRow(db, err.table, err.row);
    return run();
  }
}

/**
 * A lock row the migrations make (alert_subscription_lock's one row) was not there: deleted by hand.
 * Thrown inside the transaction that went to lock it, caught by lockingTransaction, which makes the
 * row outside any transaction and runs the work once more.
 */
export class LockRowMissing extends Error {
  constructor(
    readonly table: MySqlTable,
    readonly row: Record<string, unknown>,
  ) {
    const name = getTableName(table);
    super(`the lock row ${JSON.stringify(row)} of ${name} is missing (deleted by hand?); the hub makes it again before the transaction is retried, or restore it with INSERT IGNORE INTO ${name} (${Object.keys(row).join(', ')}) VALUES (${Object.values(row).map((v) => `'${String(v)}'`).join(', ')})`);
    this.name = 'LockRowMissing';
  }
}

/**
 * Makes a lock row (a row that exists only to be locked by key: charity_organisation_lock,
 * household_decision_lock, and alert_subscription_lock's one row when deleted by hand) if missing,
 * committed on its own: an autocommit INSERT IGNORE, before the transaction that locks it
 * (lockMadeRow, lockKnownRow through lockingTransaction). Made in that transaction, its rollback
 * (a dry run, a refusal thrown to undo what was written, any error) took the new row away under two
 * transactions waiting on its key, and InnoDB had one of them deadlock (1213), which no caller
 * retries (test/charity/organisation-lock.test.ts, test/cases-decision-lock.test.ts).
 */
export async function ensureLockRow<T extends MySqlTable>(db: HubDb, table: T, row: T['$inferInsert']): Promise<void> {
  await db.insert(table).ignore().values(row);
}

/**
 * Locks a lock row the migrations make (`lock`: its locking read) for the rest of the transaction.
 * Not made here when missing (lockMadeRow's deadlock and rollback risks, for a row that should
 * always be there): LockRowMissing, so that lockingTransaction makes it outside and runs again.
 */
export async function lockKnownRow<T extends MySqlTable, R>(table: T, row: T['$inferInsert'], lock: () => Promise<R[]>): Promise<R> {
  const [held] = await lock();
  if (held === undefined) throw new LockRowMissing(table, row);
  return held;
}

/**
 * Locks a lock row by key (`lock`: its locking read) for the rest of the transaction and returns it.
 * Made before the transaction (ensureLockRow), it is only locked here; a caller that did not make it
 * first has it made here (INSERT IGNORE, then locked), with the deadlock risk ensureLockRow says.
 */
export async function lockMadeRow<T extends MySqlTable, R>(tx: LockingTx, table: T, row: T['$inferInsert'], lock: () => Promise<R[]>): Promise<R> {
  const [held] = await lock();
  if (held !== undefined) return held;
  await tx.insert(table).ignore().values(row);
  const [made] = await lock();
  return made;
}
