/**
 * The demo's charity linkage (tools/generate/charity.ts) over a generated population in a real
 * database: needs, pledges and deliveries at the rates it states, each delivery recorded as
 * reported aid linked to its need, and written once.
 */
import { sql } from 'drizzle-orm';
import { generateDemo } from '../../tools/generate/index';
import { generateCharityDemo } from '../../tools/generate/charity';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { TODAY } from '../support/scenarios';

const HOUSEHOLDS = 4000;

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('charity_demo');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: HOUSEHOLDS, seed: 5, referenceDate: TODAY, provision: false, plant: false });
}, 180_000);

afterAll(async () => {
  await dbs?.close();
});

async function countOf(query: ReturnType<typeof sql>): Promise<number> {
  const [rows] = (await dbs.hub.execute(query)) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
}

it('publishes needs for about 6 in 1,000 households, about half pledged, some delivered as reported aid; once', async () => {
  const summary = await generateCharityDemo(dbs.hub, { charityClientName: 'demo-charity-linkage', today: TODAY, seed: 1 });
  expect(summary).not.toBeNull();
  const { needs, pledges, covered, deliveries } = summary!;
  expect(needs / HOUSEHOLDS).toBeGreaterThan(0.002);
  expect(needs / HOUSEHOLDS).toBeLessThan(0.012);
  expect(pledges).toBeGreaterThan(0);
  expect(pledges).toBeLessThan(needs);
  expect(covered).toBeLessThanOrEqual(pledges);
  expect(deliveries).toBeGreaterThan(0);
  expect(deliveries).toBeLessThan(pledges);
  expect(await countOf(sql`select count(*) as n from charity_need`)).toBe(needs);
  expect(await countOf(sql`select count(*) as n from charity_pledge`)).toBe(pledges);
  // Every delivery is reported aid of the demo charity, linked to its need.
  expect(await countOf(sql`select count(*) as n from reported_aid where need_id is not null and reporter_office = 'CHARITY'`)).toBe(deliveries);
  // Every need's consent covers what it rests on (health data, a child under 14), as publication asks.
  expect(await countOf(sql`select count(*) as n from charity_need n join charity_consent c on c.id = n.consent_id where (n.involves_minor and c.scopes not like '%MINOR_DATA%') or (n.involves_health and c.scopes not like '%HEALTH_DATA%')`)).toBe(0);
  expect(await generateCharityDemo(dbs.hub, { charityClientName: 'demo-charity-linkage', today: TODAY, seed: 1 })).toBeNull();
  expect(await countOf(sql`select count(*) as n from charity_need`)).toBe(needs);
});
