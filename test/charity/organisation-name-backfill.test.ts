/**
 * Codes two clients registered under two names before one code had one name: reported-aid's
 * migration 0001 gives each code one name, the lowest of its clients' (the look-up by code picked
 * either before), so every client of the organisation and the look-up by code show the same.
 * The migration's statement is run as the migration runs it, on rows as registration left them.
 */
import { makeCreditCode } from '../../domain/credit-code';
import { organisationsByCodes } from '../../db/charity/store';
import { charityOf } from '../../db/reported-aid/store';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { migrationStatement } from '../support/migration-statement';

jest.setTimeout(120_000);

let dbs: TestDatabases;
const TWO_NAMES = makeCreditCode('53370800MJ2020202');
const ONE_NAME = makeCreditCode('53370800MJ3030303');

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
  for (const r of rows) await dbs.hubPool.query('INSERT INTO charity_organisation (client_name, credit_code, name) VALUES (?, ?, ?)', r);
  await dbs.hubPool.query(migrationStatement('reported-aid', '0001_organisation_name.sql', 'INSERT'));
  // The lowest in the column's collation, as MIN compares.
  const [[order]] = (await dbs.hubPool.query('SELECT MIN(name) AS name FROM charity_organisation WHERE credit_code = ?', [TWO_NAMES])) as any;
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
