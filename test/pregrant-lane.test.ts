/**
 * Pre-grant checks read the departments through connections kept for them (federation/sources.ts,
 * db/connect.ts reservedLane): a department's call before a grant does not queue behind the
 * household queries that fill the shared pool. Proved by counts (which statements went where,
 * which answers came while the shared pool was held), never by milliseconds.
 */
import { createPool, reservedLane } from '../db/connect';
import { CHECK_CONNECTIONS_DEFAULT, databaseOf, loadConfig } from '../db/config';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_lane');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('reservedLane', () => {
  it('sends statements to the reserved pool while it has a connection free, then to the shared one', async () => {
    const reserved = createPool(dbs.sourceUrls.CIVIL_AFFAIRS, { connectionLimit: 1 });
    const shared = createPool(dbs.sourceUrls.CIVIL_AFFAIRS, { connectionLimit: 2 });
    const lane = reservedLane(reserved, shared, 1);
    try {
      // The first holds the one reserved connection; the two beside it find it busy.
      const answers = await Promise.all([lane.query('SELECT SLEEP(0.2) AS s'), lane.query('SELECT 1 AS n'), lane.execute('SELECT 2 AS n')]);
      expect(answers).toHaveLength(3);
      expect(lane.lane).toMatchObject({ reserved: 1, shared: 2 });
      expect(lane.lane.busy()).toBe(0);
      // Free again: the next goes to the reserved pool, a failing one frees its place too.
      await lane.query('SELECT 3 AS n');
      await expect(lane.query('SELECT * FROM no_such_table')).rejects.toThrow();
      expect(lane.lane).toMatchObject({ reserved: 3, shared: 2 });
      expect(lane.lane.busy()).toBe(0);
    } finally {
      await lane.end();
      await shared.end();
    }
  });
});

describe('SOURCE_CHECK_CONNECTIONS', () => {
  it('sets the connections kept for checks, for every department or one', () => {
    const url = 'mysql://u:p@127.0.0.1:3306/aidhub';
    expect(loadConfig(url, {}).sources.HEALTH.checkConnections).toBe(CHECK_CONNECTIONS_DEFAULT);
    const config = loadConfig(url, { SOURCE_CHECK_CONNECTIONS: '3', SOURCE_HEALTH_CHECK_CONNECTIONS: '5' });
    expect(config.sources.CIVIL_AFFAIRS.checkConnections).toBe(3);
    expect(config.sources.HEALTH.checkConnections).toBe(5);
    expect(() => loadConfig(url, { SOURCE_CHECK_CONNECTIONS: '0' })).toThrow(/SOURCE_CHECK_CONNECTIONS must be a positive integer/);
  });
});

describe('a pre-grant check while household queries hold every shared connection of a department', () => {
  const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { complete consulted { code } findings { rule { id } } } }`;
  const HOUSEHOLD = `query($id: ID!) { household(id: $id) { aid { programme { code } } sources { department { code } available } } }`;
  /** createPool's default connection limit: the shared pool of every source. */
  const SHARED_CONNECTIONS = 10;
  const marker = `lane_test_${process.pid}`;

  /** The held statements running on the civil affairs server, by their marker. */
  async function held(): Promise<number[]> {
    const [rows] = (await dbs.hubPool.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ?', [databaseOf(dbs.sourceUrls.CIVIL_AFFAIRS), `%${marker}%`])) as unknown as [{ id: number }[]];
    return rows.map((r) => Number(r.id));
  }

  it('is answered from the reserved connections, before the household query queued behind them', async () => {
    const shared = hub.sources.CIVIL_AFFAIRS.pool;
    const lane = hub.sources.CIVIL_AFFAIRS.checks.pool.lane;
    // Stand-ins for household reads that hold the shared connections (a slow department).
    let released = 0;
    let household: Promise<unknown> | null = null;
    // Each ends when it is killed below (MariaDB reports the SLEEP interrupted, MySQL returns 1).
    const holding = Array.from({ length: SHARED_CONNECTIONS }, () =>
      shared.query(`SELECT SLEEP(30) AS ${marker}`).then(
        () => (released += 1),
        () => (released += 1),
      ),
    );
    try {
      while ((await held()).length < SHARED_CONNECTIONS) await new Promise((r) => setTimeout(r, 50));
      // A household query now waits for a shared connection...
      let householdAnswered = 0;
      household = hub.gql(HOUSEHOLD, { id: String(wangId) }).finally(() => (householdAnswered += 1));
      // ...and a check of a temporary aid, which reads civil affairs alone, does not.
      const before = lane.reserved;
      const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', grantDate: TODAY, amountFen: 100_000, cause: 'ILLNESS' } });
      expect(res.errors).toBeUndefined();
      expect(res.data.preGrantCheck).toMatchObject({ complete: true, consulted: [{ code: 'CIVIL_AFFAIRS' }] });
      // Its one civil affairs statement (the three tables a temporary aid's rules name) took the lane.
      expect(res.extensions?.sqlStatements?.bySource?.CIVIL_AFFAIRS).toBe(1);
      expect(lane.reserved - before).toBe(1);
      // The check was answered while every shared connection was still held and the household waited.
      expect(released).toBe(0);
      expect(householdAnswered).toBe(0);
      // Let the held statements go: the household query is then answered in full.
      for (const id of await held()) await dbs.hubPool.query('KILL QUERY ?', [id]);
      const answer = (await household) as { errors?: unknown; data: { household: { sources: { available: boolean }[] } } };
      expect(answer.errors).toBeUndefined();
      expect(answer.data.household.sources.every((s: { available: boolean }) => s.available)).toBe(true);
    } finally {
      for (const id of await held()) await dbs.hubPool.query('KILL QUERY ?', [id]).catch(() => undefined);
      await Promise.allSettled([...holding, household]);
    }
  }, 120_000);
});

describe("a pre-grant check's first statement", () => {
  const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { complete } }`;
  const input = { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', grantDate: TODAY, amountFen: 100_000, cause: 'ILLNESS' };

  /** The SQL of every statement the process sends while `work` runs, in the order sent (mysql2's `addCommand`). */
  async function statementsSent(work: () => Promise<unknown>): Promise<string[]> {
    // The driver's connection class, by path: mysql2's package exports do not name it.
    const path = require('node:path') as typeof import('node:path');
    const Connection = require(path.join(path.dirname(require.resolve('mysql2')), 'lib/base/connection.js')) as { prototype: { addCommand(cmd: { sql?: string }): unknown } };
    const original = Connection.prototype.addCommand;
    const sent: string[] = [];
    Connection.prototype.addCommand = function (this: unknown, cmd: { sql?: string }) {
      if (typeof cmd.sql === 'string') sent.push(cmd.sql);
      return original.call(this, cmd);
    };
    try {
      await work();
    } finally {
      Connection.prototype.addCommand = original;
    }
    return sent;
  }

  // The households read (the region check's, which the check reuses) is on the check's path: the
  // department round waits for it. The audit's head lock, taken at execution start, is not: the
  // append comes after the round. Sent after the lock, the read waited for the lock's socket write
  // (docs/performance.md, Session 39); the region check now asks householdsOfPerson itself.
  it('is the households read, sent before the audit takes the chain head ahead', async () => {
    const asChecker = hub.as({ purpose: 'DUPLICATE_CHECK' });
    // A first check, answered and appended: the next one finds the head free and takes it ahead.
    expect((await asChecker.gql(CHECK, { input })).errors).toBeUndefined();
    const sent = await statementsSent(async () => expect((await asChecker.gql(CHECK, { input })).errors).toBeUndefined());
    const households = sent.findIndex((s) => s.includes('`second_aid_approval`') && s.includes('`household_member`'));
    // The lock starts its own transaction (access/audit.ts LOCK_HEAD); a write's statement starts with its insert.
    const headLock = sent.findIndex((s) => s.startsWith('SET TRANSACTION') && s.includes('access_log_head'));
    expect(households).toBeGreaterThanOrEqual(0);
    expect(headLock).toBeGreaterThanOrEqual(0);
    expect(households).toBeLessThan(headLock);
  }, 60_000);
});
