/**
 * Codes two clients registered under two names before one code had one name: reported-aid's
 * migration 0001 gives each code one name, the lowest of its clients' (the look-up by code picked
 * either before), so every client of the organisation and the look-up by code show the same.
 * The migration's statement is run as the migration runs it, on rows as registration left them:
 * in the table as it was then, each client's row with its own name (the column migration 0002
 * drops, restored here), and that column dropped after, as 0002 does.
 */
import { makeCreditCode } from '../../domain/credit-code';
import { organisationsByCodes } from '../../db/charity/store';
import { bindCharity, charityOf, registerCharity } from '../../db/reported-aid/store';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { migrationStatement } from '../support/migration-statement';

jest.setTimeout(120_000);

let dbs: TestDatabases;
const TWO_NAMES = makeCreditCode('53370800MJ2020202');
const ONE_NAME = makeCreditCode('53370800MJ3030303');
const ONE_CLIENT = makeCreditCode('53370826MJ4040404');

beforeAll(async () => {
  dbs = await createTestDatabases('charity_org_name_backfill');
});

afterAll(async () => {
  await dbs?.close();
});

it('gives a code registered under two names the lowest of them, for every client and the look-up by code', async () => {
  // As registration left them before the rule: one code under two names, another under one name by two clients.
  const rows = [
    ['charity-old-a', TWO_NAMES, '济宁市慈善总会'],
    ['charity-old-b', TWO_NAMES, '济宁慈善会'],
    ['charity-old-c', ONE_NAME, '任城区慈善会'],
    ['charity-old-d', ONE_NAME, '任城区慈善会'],
  ];
  await dbs.hubPool.query('ALTER TABLE charity_organisation ADD COLUMN name varchar(64) NOT NULL');
  for (const r of rows) await dbs.hubPool.query('INSERT INTO charity_organisation (client_name, credit_code, name) VALUES (?, ?, ?)', r);
  await dbs.hubPool.query(migrationStatement('reported-aid', '0001_organisation_name.sql', 'INSERT'));
  // The lowest in the column's collation, as MIN compares.
  const [[order]] = (await dbs.hubPool.query('SELECT MIN(name) AS name FROM charity_organisation WHERE credit_code = ?', [TWO_NAMES])) as any;
  await dbs.hubPool.query(migrationStatement('reported-aid', '0002_drop_client_organisation_name.sql', 'ALTER'));
  expect(await organisationsByCodes(dbs.hub, [TWO_NAMES, ONE_NAME])).toEqual(
    expect.arrayContaining([
      { creditCode: TWO_NAMES, name: order.name },
      { creditCode: ONE_NAME, name: '任城区慈善会' },
    ]),
  );
  expect((await organisationsByCodes(dbs.hub, [TWO_NAMES, ONE_NAME])).length).toBe(2);
  expect(await charityOf(dbs.hub, 'charity-old-a')).toEqual({ creditCode: TWO_NAMES, name: order.name });
  expect(await charityOf(dbs.hub, 'charity-old-b')).toEqual({ creditCode: TWO_NAMES, name: order.name });
});

it('keeps a client’s organisation as its code alone: the name is the code’s (charity_organisation_name), written and read there', async () => {
  const [columns] = (await dbs.hubPool.query("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'charity_organisation' ORDER BY ordinal_position")) as any;
  expect(columns.map((r: any) => String(r.c ?? r.C).toLowerCase())).toEqual(['client_name', 'credit_code']);
  // Both ways a client is bound: the operator's tool (registerCharity) and a charity's own registration (bindCharity).
  await registerCharity(dbs.hub, 'charity-new-a', ONE_CLIENT, '微山县慈善会');
  await bindCharity(dbs.hub, 'charity-new-b', ONE_CLIENT, '微山县慈善会', false);
  expect(await charityOf(dbs.hub, 'charity-new-a')).toEqual({ creditCode: ONE_CLIENT, name: '微山县慈善会' });
  expect(await charityOf(dbs.hub, 'charity-new-b')).toEqual({ creditCode: ONE_CLIENT, name: '微山县慈善会' });
});

it('refuses, on the operator’s tool, an organisation name that shows nothing, as an empty one, and binds nothing', async () => {
  for (const name of ['', ' \u3000', '\u200b\ufeff\u2060']) {
    await expect(registerCharity(dbs.hub, 'charity-blank', ONE_CLIENT, name)).rejects.toThrow('the organisation name is 1–64 characters');
    await expect(bindCharity(dbs.hub, 'charity-blank', ONE_CLIENT, name, false)).rejects.toThrow('the organisation name is 1–64 characters');
  }
  expect(await charityOf(dbs.hub, 'charity-blank')).toBeNull();
});
