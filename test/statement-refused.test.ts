/**
 * Which failures of a department's read are STATEMENT_REFUSED (its server answered and refused the
 * hub's statement: asked again, it refuses again) and which stay UNREACHABLE (a scan asks once more):
 * each error here is a real server's or driver's, not one made up. A table renamed under a running
 * hub, through the household query and a scan: test/scan-source-misbehaves.test.ts.
 */
import mysql from 'mysql2/promise';
import { freePort } from '../db/setup/private-server';
import { probeSources, unavailableReason } from '../federation/loaders';
import { serverErrorOf } from '../federation/statement-refused';
import { createTestDatabases, type TestDatabases } from './support/databases';

jest.setTimeout(120_000);

let dbs: TestDatabases;
let pool: mysql.Pool;

beforeAll(async () => {
  dbs = await createTestDatabases('statement_refused');
  pool = mysql.createPool({ uri: dbs.sourceUrls.UNION, connectionLimit: 3 });
  await pool.query('CREATE TABLE refusal_probe (id INT PRIMARY KEY, note VARCHAR(8) CHARACTER SET latin1) ENGINE=InnoDB');
  await pool.query("INSERT INTO refusal_probe VALUES (1, 'a')");
});

afterAll(async () => {
  await pool?.end();
  await dbs?.close();
});

const failure = (work: Promise<unknown>) => work.then(() => null, (e: unknown) => e);

it('a table or column gone, or a collation that cannot compare, is STATEMENT_REFUSED, with the errno and SQLSTATE', async () => {
  const gone = await failure(pool.query('SELECT id FROM refusal_probe_renamed'));
  expect([unavailableReason(gone), serverErrorOf(gone)]).toEqual(['STATEMENT_REFUSED', { errno: 1146, sqlState: '42S02' }]);
  const column = await failure(pool.query('SELECT id_card FROM refusal_probe'));
  expect([unavailableReason(column), serverErrorOf(column)]).toEqual(['STATEMENT_REFUSED', { errno: 1054, sqlState: '42S22' }]);
  const collation = await failure(pool.query('SELECT id FROM refusal_probe WHERE note IN (?, ?)', ['１', 'a']));
  // MariaDB: 1270; MySQL 9.7: 3854 (ER_CANNOT_CONVERT_STRING), which was taken for UNREACHABLE.
  expect(unavailableReason(collation)).toBe('STATEMENT_REFUSED');
  expect([1270, 3854]).toContain(serverErrorOf(collation)?.errno);
  // drizzle wraps the driver's error as its cause: found through it.
  expect(unavailableReason(new Error('Failed query: select …', { cause: gone }))).toBe('STATEMENT_REFUSED');
});

it('a lock wait that timed out and a refused connection stay UNREACHABLE; an account refused as it connects is STATEMENT_REFUSED', async () => {
  const holder = await pool.getConnection();
  const waiter = await pool.getConnection();
  try {
    await holder.query('START TRANSACTION');
    await holder.query('SELECT id FROM refusal_probe WHERE id = 1 FOR UPDATE');
    await waiter.query('SET SESSION innodb_lock_wait_timeout = 1');
    const locked = await failure(waiter.query('SELECT id FROM refusal_probe WHERE id = 1 FOR UPDATE'));
    expect([unavailableReason(locked), serverErrorOf(locked)?.errno]).toEqual(['UNREACHABLE', 1205]);
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
    waiter.release();
  }
  const refused = await failure(mysql.createConnection({ host: '127.0.0.1', port: await freePort(), user: 'root' }));
  expect([unavailableReason(refused), serverErrorOf(refused)]).toEqual(['UNREACHABLE', null]);
  // The server is there and refuses the hub's account (a password changed, the account dropped): as
  // a pool connects for a read, the same at every connection, so not a network fault.
  const url = new URL(dbs.sourceUrls.UNION);
  url.username = 'no_such_account';
  const refusing = mysql.createPool({ uri: url.href, connectionLimit: 1 });
  try {
    const denied = await failure(refusing.query('SELECT 1'));
    expect([unavailableReason(denied), serverErrorOf(denied)]).toEqual(['STATEMENT_REFUSED', { errno: 1045, sqlState: '28000' }]);
    // The one refusal /readyz's probe (SELECT 1, no table) sees.
    const probed = await probeSources({ ...dbs.sourceSet, UNION: { ...dbs.sourceSet.UNION, pool: refusing } });
    expect([probed.UNION.reason, probed.HEALTH.reason]).toEqual(['STATEMENT_REFUSED', null]);
  } finally {
    await refusing.end();
  }
});
