/**
 * The demo's charity linkage on a demo too small to draw a need (AIDHUB_DEMO_HOUSEHOLDS=200 drew
 * none in a run of 3 December 2026): a second `npm start` on the same data took the charity demo
 * for not loaded, as it counted needs, wrote its projects again and died on their unique key
 * (ER_DUP_ENTRY, exit 1, a stack trace). It is loaded once, however many needs it drew.
 */
import { sql } from 'drizzle-orm';
import { generateCharityDemo } from '../../tools/generate/charity';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { TODAY } from '../support/scenarios';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('charity_demo_small');
});

afterAll(async () => {
  await dbs?.close();
});

it('a hub without households: the first start loads the projects and no need, the second loads nothing', async () => {
  const first = await generateCharityDemo(dbs.hub, { charityClientName: 'demo-charity-linkage', today: TODAY, seed: 1 });
  expect(first).toEqual({ needs: 0, pledges: 0, covered: 0, deliveries: 0 });
  const [projects] = (await dbs.hub.execute(sql`select count(*) as n from charity_project`)) as unknown as [{ n: number }[]];
  expect(Number(projects[0].n)).toBe(3);
  await expect(generateCharityDemo(dbs.hub, { charityClientName: 'demo-charity-linkage', today: TODAY, seed: 1 })).resolves.toBeNull();
  const [again] = (await dbs.hub.execute(sql`select count(*) as n from charity_project`)) as unknown as [{ n: number }[]];
  expect(Number(again[0].n)).toBe(3);
});
