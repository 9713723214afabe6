/**
 * The two paths a charity records aid by (a delivery, aidReport) compare with the organisation's
 * ledger under the organisation's lock (db/charity/store.ts organisationStandingAid), so the same aid
 * sent through both at once is recorded once. The lock was a locking read of the organisation's
 * charity_organisation_name row: for an organisation without that row (data loaded or repaired by
 * hand; the row is made at registration and by migration 0001, and nothing deletes it) the read
 * locked nothing at READ COMMITTED, and both compared with a ledger the other had not yet written.
 * Now the lock is a row of charity_organisation_lock, made before the writing transaction by its
 * callers (ensureOrganisationLock, committed on its own), else in it.
 *
 * Six rounds, as the two-paths race of test/charity/corrections.test.ts: the first transaction holds
 * the lock, having read the ledger, while the second asks for it; the second must wait (counted in
 * the server's lock waits) and then read what the first wrote, so the aid is written once.
 */
import { eq } from 'drizzle-orm';
import { ensureOrganisationLock, organisationStandingAid } from '../../db/charity/store';
import { lockingTransaction, type LockingTx } from '../../db/locking';
import { charityOrganisation, charityOrganisationName, reportedAid } from '../../db/reported-aid/schema';
import { makeCreditCode } from '../../domain/credit-code';
import { makeIdNumber } from '../../domain/id-number';
import { createTestDatabases, lockWaits, type TestDatabases } from '../support/databases';

jest.setTimeout(180_000);

const ORG = makeCreditCode('53370800MJ2468135');
const PERSON = makeIdNumber('370811', '1970-02-02', 31);

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('charity_org_lock');
  // Two clients of the organisation, and no row of its name.
  await dbs.hub.insert(charityOrganisation).values([
    { clientName: 'lock-linkage', creditCode: ORG },
    { clientName: 'lock-report', creditCode: ORG },
  ]);
  expect(await dbs.hub.select().from(charityOrganisationName).where(eq(charityOrganisationName.creditCode, ORG))).toEqual([]);
});

afterAll(async () => {
  await dbs?.close();
});

/** One path's write: the aid, unless the organisation's ledger (read under its lock) holds it already. */
async function recordOnce(tx: LockingTx, client: string, reference: string, amountFen: number, afterRead: () => Promise<void> = async () => {}): Promise<boolean> {
  const standing = await organisationStandingAid(tx, ORG, [PERSON]);
  await afterRead();
  if (standing.some((e) => e.amountFen === amountFen)) return false;
  await tx.insert(reportedAid).values({
    reporterClient: client,
    reporterOffice: 'CHARITY',
    reporterCreditCode: ORG,
    reference,
    entryKind: 'AID',
    beneficiaryIdNumber: PERSON,
    programme: 'CHARITY_JISHIJIU_99',
    grantDate: '2026-03-15',
    amountFen,
    contentHash: reference.padEnd(64, '0'),
    receivedAt: '2026-03-15 02:00:00.000',
  });
  return true;
}

describe('an organisation without its name row', () => {
  it('is serialised all the same: of two writes of the same aid at once, the second waits for the first and records nothing (six rounds)', async () => {
    for (let round = 0; round < 6; round++) {
      const amountFen = 71_000 + round;
      let read!: () => void;
      const firstRead = new Promise<void>((r) => (read = r));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const first = lockingTransaction(dbs.hub, (tx) =>
        recordOnce(tx, 'lock-linkage', `LK-${round}`, amountFen, async () => {
          read();
          await released;
        }),
      );
      await firstRead;
      let secondDone = false;
      const second = lockingTransaction(dbs.hub, (tx) => recordOnce(tx, 'lock-report', `LR-${round}`, amountFen)).finally(() => (secondDone = true));
      // Held by the first, the lock keeps the second waiting; without one, the second reads and writes at once.
      while (!secondDone && (await lockWaits(dbs.hub)) === 0) await new Promise((r) => setTimeout(r, 20));
      expect(secondDone).toBe(false);
      release();
      expect(await Promise.all([first, second])).toEqual([true, false]);
      expect(await dbs.hub.select({ id: reportedAid.id }).from(reportedAid).where(eq(reportedAid.amountFen, amountFen))).toHaveLength(1);
    }
  });
});

describe('an organisation whose lock row is not made yet', () => {
  it('is locked without a deadlock when the transaction that would have made the row rolls back (a dry run) while two others wait for it', async () => {
    const NEW_ORG = makeCreditCode('53370800MJ1122334');
    class RolledBack extends Error {}
    let read!: () => void;
    const firstRead = new Promise<void>((r) => (read = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // As the hub's callers do: the row made on its own first (ensureOrganisationLock). Made in the
    // transaction, the dry run's rollback took it away under the two waiting, and one deadlocked.
    const caller = async <T>(work: (tx: LockingTx) => Promise<T>) => {
      await ensureOrganisationLock(dbs.hub, NEW_ORG);
      return lockingTransaction(dbs.hub, work);
    };
    // A dry run: it takes the lock, then rolls back all it wrote.
    const first = caller(async (tx) => {
      await organisationStandingAid(tx, NEW_ORG, [PERSON]);
      read();
      await released;
      throw new RolledBack();
    }).catch((e) => (e instanceof RolledBack ? 'rolled back' : Promise.reject(e)));
    await firstRead;
    const others = [0, 1].map(() => caller(async (tx) => (await organisationStandingAid(tx, NEW_ORG, [PERSON])).length));
    const settled = Promise.allSettled(others);
    while ((await lockWaits(dbs.hub)) < 2) await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await first).toBe('rolled back');
    expect((await settled).map((s) => (s.status === 'fulfilled' ? s.status : String(s.reason)))).toEqual(['fulfilled', 'fulfilled']);
  });
});
