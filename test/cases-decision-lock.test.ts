/**
 * A household's decision turn (its row of household_decision_lock, db/cases/write.ts
 * lockHouseholdTurn) was made in the transaction that takes it (INSERT … ON DUPLICATE KEY UPDATE).
 * A transaction that made it and then rolled back (a meeting refused after the turn was taken,
 * MeetingRefused, or any error) took the new row away under two transactions waiting on its key,
 * and InnoDB had one of them deadlock (1213), which no caller retries: the client got INTERNAL.
 * Now the row is made before the transaction, committed on its own (ensureHouseholdTurn, when
 * decisionsIssuedTo, read before every checked decision's transaction, finds none), and only locked in it, as the
 * charity organisation's lock row is (test/charity/organisation-lock.test.ts).
 */
import { eq } from 'drizzle-orm';
import { householdDecisionLock } from '../db/case-loop/schema';
import { decisionsIssuedTo, ensureHouseholdTurn, takeDecisionTurn } from '../db/cases/write';
import { lockingTransaction, type LockingTx } from '../db/locking';
import { createTestDatabases, lockWaits, type TestDatabases } from './support/databases';

jest.setTimeout(180_000);

const HOUSEHOLD = 990_001;

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('decision_lock');
});

afterAll(async () => {
  await dbs?.close();
});

describe('a household whose decision turn row is not made yet', () => {
  it('takes turns without a deadlock when the transaction that would have made the row rolls back (a refused meeting) while two others wait for it', async () => {
    expect(await dbs.hub.select().from(householdDecisionLock).where(eq(householdDecisionLock.householdId, HOUSEHOLD))).toEqual([]);
    class RolledBack extends Error {}
    let taken!: () => void;
    const firstTaken = new Promise<void>((r) => (taken = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // As a checked decision is written (resolvers/cases/decision-checks.ts inDecisionTurns): the
    // count read before its transaction, then the turn taken in it.
    const decide = async <T>(work: (tx: LockingTx, seen: number) => Promise<T>) => {
      const issued = await decisionsIssuedTo(dbs.hub, HOUSEHOLD);
      if (issued === null) await ensureHouseholdTurn(dbs.hub, HOUSEHOLD);
      return lockingTransaction(dbs.hub, (tx) => work(tx, issued ?? 0));
    };
    // A meeting refused after taking the turn (its stated time out of order): all it wrote rolled back.
    const first = decide(async (tx, seen) => {
      await takeDecisionTurn(tx, HOUSEHOLD, seen, 1);
      taken();
      await released;
      throw new RolledBack();
    }).catch((e) => (e instanceof RolledBack ? 'rolled back' : Promise.reject(e)));
    await firstTaken;
    const others = [0, 1].map(() => decide(async (tx, seen) => (await takeDecisionTurn(tx, HOUSEHOLD, seen, 1))?.code ?? 'counted'));
    const settled = Promise.allSettled(others);
    while ((await lockWaits(dbs.hub)) < 2) await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await first).toBe('rolled back');
    // One counts its decision; the other finds the count moved since it read it, and is checked again
    // (not ER_LOCK_DEADLOCK, as with the row made in the transaction).
    const failure = (reason: unknown) => (reason as { cause?: { code?: string } }).cause?.code ?? String(reason);
    expect((await settled).map((s) => (s.status === 'fulfilled' ? s.value : failure(s.reason))).sort()).toEqual(['HOUSEHOLD_DECISIONS_CHANGED', 'counted']);
    expect(await dbs.hub.select({ issued: householdDecisionLock.decisionsIssued }).from(householdDecisionLock).where(eq(householdDecisionLock.householdId, HOUSEHOLD))).toEqual([{ issued: 1 }]);
  });
});
