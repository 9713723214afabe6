/**
 * A department added to the code after `npm start` loaded its demo gets its database made and
 * migrated, and left empty: the demo loads into an empty hub only. Walking README "Adding a
 * department" on a checkout with a `.data/` showed the new department's aid nowhere and nothing
 * saying why; the start now names each such department and the remedy
 * (server/demo-example.ts, departmentsWithoutDemo). Real databases with a generated demo.
 */
import { ADAPTERS } from '../federation/registry';
import { departmentsWithoutDemo } from '../server/demo-example';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { TODAY } from './support/scenarios';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('demo_added_later');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 600, seed: 3, referenceDate: TODAY, provision: false });
}, 120_000);

afterAll(async () => dbs?.close());

it('lists no department while every one holds its demo rows', async () => {
  expect(await departmentsWithoutDemo(dbs.sourceSet)).toEqual([]);
});

it('lists a department whose demo tables are all empty, and only it, in the department order', async () => {
  for (const code of ['HUMAN_RESOURCES', 'EDUCATION'] as const) {
    for (const table of Object.keys(ADAPTERS[code].demo!.tables)) await dbs.sourceSet[code].pool.query('DELETE FROM ??', [table]);
  }
  expect(await departmentsWithoutDemo(dbs.sourceSet)).toEqual(['EDUCATION', 'HUMAN_RESOURCES']);
});
