/**
 * A hub database of the release before deaths were polled gets the person table's change marker
 * through its migrations (db/household/migrations/0003_person_changed_at.sql): every person already
 * there has a `changed_at`, the index the poller reads through exists, and from then on the database
 * moves it when a death is written and leaves it when a row is written again unchanged (a re-import).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS } from '../db/setup/provision';
import { migrateResumably } from '../db/setup/migrator';
import { withDatabase } from '../db/config';
import { makeIdNumber } from '../domain/id-number';
import { testServerUrl } from './support/databases';

jest.setTimeout(120_000);

const url = withDatabase(testServerUrl(), `aidhub_t_person_changed_at_${process.env.JEST_WORKER_ID ?? '0'}`);
const household = HUB_MIGRATION_SETS.find((s) => s.feature === 'household')!;
let conn: mysql.Connection | undefined;
let older: string;

beforeAll(async () => {
  await dropDatabases([url]);
  await ensureDatabase(url);
  // The household set as the release before shipped it: its migrations up to 0002.
  older = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-household-0002-'));
  fs.cpSync(household.folder, older, { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(older, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < '0003');
  fs.writeFileSync(path.join(older, 'meta', '_journal.json'), JSON.stringify(journal));
  await migrateResumably(url, older, household.table);
  conn = await mysql.createConnection({ uri: url, dateStrings: true });
});

afterAll(async () => {
  await conn?.end();
  await dropDatabases([url]);
  if (older) fs.rmSync(older, { recursive: true, force: true });
});

it('gives existing people a change time and an index, moved by a death and not by a row written again unchanged', async () => {
  const id = makeIdNumber('370811', '1950-02-01', 17);
  const [before] = (await conn!.query(`SHOW COLUMNS FROM person LIKE 'changed_at'`)) as unknown as [unknown[]];
  expect(before).toHaveLength(0);
  await conn!.query(`INSERT INTO person (id_number, name, gender, birth_date) VALUES (?, '张三', 'M', '1950-02-01')`, [id]);

  await migrateResumably(url, household.folder, household.table);
  const changedAt = async () => ((await conn!.query(`SELECT UNIX_TIMESTAMP(changed_at) AS t FROM person WHERE id_number = ?`, [id])) as unknown as [{ t: string | number }[]])[0][0].t;
  expect(Number(await changedAt())).toBeGreaterThan(0);
  const [indexes] = (await conn!.query(`SHOW INDEX FROM person WHERE Key_name = 'person_changed_at'`)) as unknown as [{ Column_name: string }[]];
  expect(indexes.map((i) => i.Column_name)).toEqual(['changed_at']);

  // Moved back an hour by hand, so that the database's own update is seen whatever second it runs in.
  await conn!.query(`UPDATE person SET changed_at = changed_at - INTERVAL 1 HOUR WHERE id_number = ?`, [id]);
  const old = Number(await changedAt());
  // The import's write (INSERT … ON DUPLICATE KEY UPDATE), unchanged: the time stays.
  const upsert = `INSERT INTO person (id_number, name, gender, birth_date, death_date) VALUES (?, '张三', 'M', '1950-02-01', ?) ON DUPLICATE KEY UPDATE name = VALUES(name), gender = VALUES(gender), birth_date = VALUES(birth_date), death_date = VALUES(death_date)`;
  await conn!.query(upsert, [id, null]);
  expect(Number(await changedAt())).toBe(old);
  // A death written: the database moves it.
  await conn!.query(upsert, [id, '2026-03-10']);
  expect(Number(await changedAt())).toBeGreaterThan(old);
});
