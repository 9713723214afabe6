/**
 * lockingTransaction (db/locking.ts): a transaction that takes a row lock as a mutex and then reads
 * plainly sees what the lock's previous holder committed. On TiDB at REPEATABLE READ it would not:
 * every plain read there comes from a snapshot taken at the transaction's first statement. InnoDB
 * takes its snapshot at the first plain read, so a plain read before the lock reproduces TiDB's
 * snapshot here, on MariaDB, and shows the difference the isolation level makes.
 */
import { sql } from 'drizzle-orm';
import type mysql from 'mysql2/promise';
import { createPool, hubDrizzle, type HubDb } from '../db/connect';
import type { HubQuery } from '../db/cases/records';
import { lockingTransaction } from '../db/locking';
import { createTestDatabases, type TestDatabases } from './support/databases';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('locking_tx');
  await dbs.hubPool.query('CREATE TABLE probe_turn (id INT PRIMARY KEY, n INT NOT NULL)');
  await dbs.hubPool.query('CREATE TABLE probe_event (id INT AUTO_INCREMENT PRIMARY KEY, turn INT NOT NULL)');
  await dbs.hubPool.query('INSERT INTO probe_turn VALUES (1, 0)');
});

afterAll(async () => {
  await dbs?.close();
});

const events = async (db: HubQuery) => Number(((await db.execute(sql`SELECT COUNT(*) AS n FROM probe_event`)) as unknown as [{ n: number }[]])[0][0].n);

const TAKE_TURN = 'SELECT n FROM probe_turn WHERE id = 1 FOR UPDATE';

/** Until a statement taking the turn runs on another connection than `holder`'s: it waits for the holder's lock. */
async function untilWaiting(holder: mysql.PoolConnection): Promise<void> {
  const waiting = async () => {
    const [rows] = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND info = ? AND id <> ?', [TAKE_TURN, holder.threadId]);
    return Number((rows as { n: number }[])[0].n) === 1;
  };
  for (let i = 0; i < 200 && !(await waiting()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(await waiting()).toBe(true);
}

/**
 * Another writer holds the turn and records an event; `begin` starts a transaction that reads the
 * events (the snapshot, as TiDB's first statement takes it), waits for the turn, and counts again
 * once the other has committed. Returns what it counted before and after the lock.
 */
async function countAfterTheTurn(begin: (work: (tx: HubQuery) => Promise<[number, number]>) => Promise<[number, number]>): Promise<[number, number]> {
  await dbs.hubPool.query('DELETE FROM probe_event');
  const holder: mysql.PoolConnection = await dbs.hubPool.getConnection();
  try {
    await holder.query('START TRANSACTION');
    await holder.query(TAKE_TURN);
    await holder.query('INSERT INTO probe_event (turn) VALUES (1)');
    const counted = begin(async (tx) => {
      const before = await events(tx);
      await tx.execute(sql.raw(TAKE_TURN));
      return [before, await events(tx)];
    });
    await untilWaiting(holder);
    await holder.query('COMMIT');
    return await counted;
  } finally {
    holder.release();
  }
}

describe('a transaction that locks a row and then reads', () => {
  it('run through lockingTransaction, counts what the previous holder of the lock committed', async () => {
    expect(await countAfterTheTurn((work) => lockingTransaction(dbs.hub, work))).toEqual([0, 1]);
  });

  it('at REPEATABLE READ (a plain transaction) reads its snapshot instead: the previous holder’s event is missed, as on TiDB', async () => {
    expect(await countAfterTheTurn((work) => dbs.hub.transaction(work))).toEqual([0, 0]);
  });
});

it('refuses to run inside another transaction (a savepoint there would keep the outer isolation level)', async () => {
  await expect(dbs.hub.transaction((tx) => lockingTransaction(tx, async () => 1))).rejects.toThrow('called inside one');
});

describe('the isolation level', () => {
  let pool: mysql.Pool;
  let one: HubDb;
  beforeAll(() => {
    pool = createPool(dbs.hubUrl, { connectionLimit: 1 });
    one = hubDrizzle(pool);
  });
  afterAll(async () => {
    await pool.end();
  });

  it('is set for the one transaction: the pooled connection runs the next transaction at the server’s default again', async () => {
    await lockingTransaction(one, async (tx) => {
      await events(tx);
    });
    await dbs.hubPool.query('DELETE FROM probe_event');
    const seen = await one.transaction(async (tx) => {
      const before = await events(tx);
      await dbs.hubPool.query('INSERT INTO probe_event (turn) VALUES (2)');
      return [before, await events(tx)];
    });
    // One connection: the same session that just ran at READ COMMITTED keeps its snapshot now.
    expect(seen).toEqual([0, 0]);
  });
});
