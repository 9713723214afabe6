/**
 * Every migration runs as the hub's own user with exactly the rights README asks for
 * (db/setup/rights.ts HUB_RIGHTS: no DROP, no DELETE): `npm start` migrates as that user at each
 * start, so a migration needing another right stops an upgrade half run, and the next start stops
 * on what the first half made. From an empty database, every set, each migration recorded once.
 * Case-loop 0009 once put a new `case_request` in place of the old with DROP TABLE and RENAME TABLE:
 * `DROP command denied`, after the new table had been made and filled.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { withDatabase } from '../db/config';
import { endConnection } from '../db/connect';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, provisionHub } from '../db/setup/provision';
import { HUB_RIGHTS } from '../db/setup/rights';
import { testServerUrl } from './support/databases';

const database = `aidhub_t_migrate_rights_${process.env.JEST_WORKER_ID ?? '0'}`;
const ownerUrl = withDatabase(testServerUrl(), database);
const user = `aidhub_rights_${crypto.randomBytes(3).toString('hex')}`;
const password = crypto.randomBytes(9).toString('hex');
const HOSTS = ['%', 'localhost'];
let admin: mysql.Connection;

beforeAll(async () => {
  await dropDatabases([ownerUrl]);
  await ensureDatabase(ownerUrl);
  admin = await mysql.createConnection({ uri: ownerUrl });
  for (const host of HOSTS) {
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
    await admin.query(`GRANT ${HUB_RIGHTS.join(', ')} ON ${mysql.escapeId(database)}.* TO ?@?`, [user, host]);
  }
}, 60_000);

afterAll(async () => {
  for (const host of HOSTS) await admin?.query('DROP USER IF EXISTS ?@?', [user, host]);
  if (admin) await endConnection(admin);
  await dropDatabases([ownerUrl]);
}, 60_000);

it('migrates an empty hub database as a user granted exactly the rights the hub asks for', async () => {
  const url = new URL(ownerUrl);
  url.username = user;
  url.password = password;
  await provisionHub(url.toString());
  for (const set of HUB_MIGRATION_SETS) {
    const journal = JSON.parse(fs.readFileSync(path.join(set.folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    const [rows] = (await admin.query(`SELECT COUNT(*) AS n FROM ${mysql.escapeId(set.table)}`)) as unknown as [{ n: number }[]];
    expect([set.feature, Number(rows[0].n)]).toEqual([set.feature, journal.entries.length]);
  }
}, 300_000);
