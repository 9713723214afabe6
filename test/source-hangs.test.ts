/**
 * A department source that hangs while it is reachable: its own system holds a table lock (a
 * nightly export that locked its tables and did not finish), so the hub's statements wait on the
 * source's server. The hub answers without the department within its time limit, and must not leave
 * its statements waiting there: each one it gave up on held a connection of the department's pool
 * and a thread of its server until the lock went, ten of them took the whole pool, and later reads
 * queued behind them in the driver, to be run against the source, uselessly, once it was back.
 */
import { getTableName } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { ADAPTERS } from '../federation/registry';
import { DEPARTMENT_CODES } from '../domain/departments';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { until } from './support/until';

const QUERY = /* GraphQL */ `
  query($id: ID!) { household(id: $id) { aid { department { code } } sources { department { code } available reason } aidSummary { complete } } }
`;

/** More requests than the department's pool has connections (db/connect.ts createPool: 10). */
const REQUESTS = 12;

let dbs: TestDatabases;
let wangId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('source_hangs');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
}, 120_000);

afterAll(() => dbs.close());

it('stops its statements on a locked source when it gives up, and answers from it once the lock goes', async () => {
  const hub = await startTestHub(dbs, { today: TODAY, sources: { UNION: { timeoutMs: 1_000 } } });
  const department = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  const watcher = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  // Statements on the union's server still waiting for its tables: the hub's, not the department's own.
  const waiting = async () => {
    const [rows] = await watcher.query(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND ID NOT IN (CONNECTION_ID(), ?)",
      [department.threadId],
    );
    return Number((rows as { n: number }[])[0].n);
  };
  try {
    // Every table the union's adapter reads, as its declaration names them.
    await department.query(`LOCK TABLES ${ADAPTERS.UNION.tables.map((t) => `\`${getTableName(t)}\` WRITE`).join(', ')}`);
    for (let i = 0; i < REQUESTS; i++) {
      const res = await hub.gql(QUERY, { id: String(wangId) });
      const h = res.data.household;
      expect(h.sources.find((s: any) => s.department.code === 'UNION')).toMatchObject({ available: false, reason: 'TIMEOUT' });
      expect(h.sources.filter((s: any) => s.available)).toHaveLength(DEPARTMENT_CODES.length - 1);
      expect(h.aidSummary.complete).toBe(false);
      expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'UNION', reason: 'TIMEOUT' }]);
    }
    // Without stopping them: ten statements (the whole pool) still waiting for the lock, however long it lasts.
    expect(await until('no statement of the hub waiting on the locked source', waiting, (n) => n === 0, 30_000)).toBe(0);

    await department.query('UNLOCK TABLES');
    const back = await hub.gql(QUERY, { id: String(wangId) });
    expect(back.errors).toBeUndefined();
    expect(back.data.household.sources.every((s: any) => s.available)).toBe(true);
    expect(back.data.household.aidSummary.complete).toBe(true);
  } finally {
    await department.end();
    await watcher.end();
    await hub.close();
  }
}, 300_000);
