/**
 * The tests' server holds every statement to MySQL 8's default sql_mode (db/setup/private-server.ts
 * MYSQL8_SQL_MODE), which TiDB's default holds as well: MariaDB's own default lacks
 * ONLY_FULL_GROUP_BY, NO_ZERO_IN_DATE and NO_ZERO_DATE, and a query MySQL 8 and TiDB refuse (a column
 * selected but neither grouped nor aggregated) ran on it, so the tests could not see it. A server
 * named by AIDHUB_TEST_DATABASE_URL (a MySQL 8 or TiDB test cluster) has these by default. The
 * private server `npm start` starts runs in the same mode: it ran in MariaDB's, so the demo ran
 * statements the tests' server refuses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { endConnection } from '../db/connect';
import { MYSQL8_SQL_MODE, startPrivateServer } from '../db/setup/private-server';
import { testServerUrl } from './support/databases';

describe("the tests' database server", () => {
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: testServerUrl() });
  });
  afterAll(async () => {
    await endConnection(conn);
  });

  it("runs in MySQL 8's sql_mode: a query TiDB and MySQL 8 refuse is refused here too", async () => {
    const [[row]] = (await conn.query('SELECT @@SESSION.sql_mode AS mode')) as unknown as [{ mode: string }[]];
    const flags = row.mode.split(',');
    for (const flag of ['ONLY_FULL_GROUP_BY', 'STRICT_TRANS_TABLES', 'NO_ZERO_IN_DATE', 'NO_ZERO_DATE', 'ERROR_FOR_DIVISION_BY_ZERO']) expect(flags).toContain(flag);
    // `a` neither grouped nor aggregated: ER_WRONG_FIELD_WITH_GROUP.
    await expect(conn.query('SELECT a, COUNT(*) AS n FROM (SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 2) t GROUP BY b')).rejects.toMatchObject({ errno: 1055 });
    // Grouped by what it selects: the shape of the hub's own (deliveryCounts, acceptedBetween, pollAges).
    const [grouped] = (await conn.query('SELECT b, COUNT(*) AS n FROM (SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 2) t GROUP BY b')) as unknown as [{ b: number; n: number }[]];
    expect(grouped).toEqual([{ b: 2, n: 2 }]);
  });
});

it("the private server `npm start` starts (startPrivateServer on its data) runs in the tests' sql_mode", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-sql-mode-start-'));
  const server = await startPrivateServer({ dataDir, ephemeral: true });
  try {
    const conn = await mysql.createConnection({ uri: server.url });
    try {
      const [[row]] = (await conn.query('SELECT @@GLOBAL.sql_mode AS mode')) as unknown as [{ mode: string }[]];
      expect(row.mode.split(',').sort()).toEqual(MYSQL8_SQL_MODE.split(',').sort());
    } finally {
      await endConnection(conn);
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);
