/**
 * The demo's charity linkage (tools/generate/charity.ts) over a generated population in a real
 * database: needs, pledges and deliveries at the rates it states, each delivery recorded as
 * reported aid linked to its need, and written once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { generateDemo } from '../../tools/generate/index';
import { generateCharityDemo } from '../../tools/generate/charity';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { TestClock } from '../support/clock';
import { startTestHub, type TestHub } from '../support/hub';
import { TODAY } from '../support/scenarios';
import { expectTallyAgreesWithLists, TALLY_AND_LISTS } from '../support/cases';

const HOUSEHOLDS = 4000;

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('charity_demo');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: HOUSEHOLDS, seed: 5, referenceDate: TODAY, provision: false, plant: false });
}, 180_000);

let hub: TestHub | undefined;

afterAll(async () => {
  await hub?.close();
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
  // Some needs are the whole household's (no member named), under MINOR_DATA where a child under 14
  // lives there, and delivered to a current member of it.
  const householdNeeds = await countOf(sql`select count(*) as n from charity_need where beneficiary_id_number is null`);
  expect(householdNeeds).toBeGreaterThan(0);
  expect(householdNeeds).toBeLessThan(needs);
  const childUnder14 = `(select 1 from household_member m where m.household_id = n.household_id and m.left_on is null and substring(m.id_number, 7, 8) > '${Number(TODAY.slice(0, 4)) - 14}${TODAY.slice(5, 7)}${TODAY.slice(8)}')`;
  expect(await countOf(sql.raw(`select count(*) as n from charity_need n join charity_consent c on c.id = n.consent_id where n.beneficiary_id_number is null and exists ${childUnder14} and c.scopes not like '%MINOR_DATA%'`))).toBe(0);
  expect(await countOf(sql`select count(*) as n from charity_delivery d join charity_need n on n.id = d.need_id left join household_member m on m.household_id = n.household_id and m.id_number = d.beneficiary_id_number and m.left_on is null where n.beneficiary_id_number is null and m.id_number is null`)).toBe(0);
  expect(await generateCharityDemo(dbs.hub, { charityClientName: 'demo-charity-linkage', today: TODAY, seed: 1 })).toBeNull();
  expect(await countOf(sql`select count(*) as n from charity_need`)).toBe(needs);
});

it('lists its needs to the demo charity with the README’s query, whole households’ and one member’s, and the README’s flow runs on one member’s', async () => {
  hub = await startTestHub(dbs, { today: TODAY, clock: new TestClock(`${TODAY}T10:00:00+08:00`).now });
  const charity = hub.as({ token: (await hub.createClient({ name: 'demo-charity-linkage', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] })).token, purpose: 'CHARITY_LINKAGE' });
  // The README's charity block, each q line's JSON body with its shell variables filled in.
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Charity linkage');
  const lines = readme.slice(start, readme.indexOf('\n## ', start + 1)).split('\n').filter((l) => l.startsWith('q $C '));
  const send = async (line: string, vars: Record<string, string>) => {
    const body = JSON.parse(line.slice(line.indexOf("'") + 1, line.lastIndexOf("'")).replace(/'\$\(TZ=Asia\/Shanghai date \+%F\)'/g, TODAY).replace(/'\$(\w+)'/g, (_, v: string) => vars[v]));
    const res = await charity.gql(body.query, body.variables ?? {});
    expect(res.errors).toBeUndefined();
    return Object.values(res.data)[0] as any;
  };
  const page = await send(lines[0], {});
  const listed: any[] = page.edges.map((e: { node: unknown }) => e.node);
  expect(listed.length).toBeGreaterThan(0);
  expect(page.pageInfo).toMatchObject({ hasNextPage: expect.any(Boolean), endCursor: expect.any(String) });
  for (const n of listed) expect(typeof n.forWholeHousehold).toBe('boolean');
  const all = (await charity.gql('{ charityNeeds(first: 500) { id forWholeHousehold amountBand } }')).data.charityNeeds;
  expect(new Set(all.map((n: any) => n.forWholeHousehold))).toEqual(new Set([true, false]));
  // The flow as the README runs it, on a need of one member with at least ¥1,000 left to pledge.
  const [[uncovered]] = (await dbs.hubPool.query(`select id from charity_need where state = 'OPEN' and beneficiary_id_number is not null and uncovered_fen - pledged_fen >= 100000 and not exists (select 1 from person p where p.id_number = beneficiary_id_number and p.death_date is not null) and id in (${all.map((n: any) => Number(n.id)).join(',')}) order by id desc limit 1`)) as any;
  const N = String(uncovered.id);
  expect(await send(lines[1], { N })).toBeNull();
  expect((await send(lines[2], { N })).userErrors).toEqual([]);
  expect(await send(lines[3], { N })).toMatchObject({ caseReference: expect.stringMatching(/^AH-/) });
  const pledged = await send(lines[4], { N });
  expect(pledged.userErrors).toEqual([]);
  const delivered = await send(lines[5], { P: pledged.pledge.id });
  expect(delivered.userErrors).toEqual([]);
  // A whole household's need is delivered to the member the charity names; none named is refused.
  const household = all.find((n: any) => n.forWholeHousehold);
  const [[head]] = (await dbs.hubPool.query(`select m.id_number from charity_need n join household_member m on m.household_id = n.household_id and m.left_on is null and m.relation = 'HEAD' join person p on p.id_number = m.id_number and p.death_date is null where n.id = ?`, [Number(household.id)])) as any;
  expect((await send(lines[2], { N: household.id })).userErrors).toEqual([]);
  expect(await send(lines[3], { N: household.id })).toMatchObject({ caseReference: expect.stringMatching(/^AH-/) });
  const detail = (await charity.gql('query($id: ID!) { charityNeedDetail(id: $id) { forWholeHousehold remainingFen } }', { id: household.id })).data.charityNeedDetail;
  expect(detail.forWholeHousehold).toBe(true);
  const pledge = await charity.gql('mutation($id: ID!, $a: Fen!) { charityPledgeCreate(input: { needId: $id, amountFen: $a, reference: "JNCS-T-HH-1" }) { pledge { id } userErrors { code } } }', { id: household.id, a: Math.min(detail.remainingFen, 10_000) });
  expect(pledge.data.charityPledgeCreate.userErrors).toEqual([]);
  const DELIVER = 'mutation($p: ID!, $b: String) { charityDeliveryReport(input: { pledgeId: $p, amountFen: 100, deliveredOn: "' + TODAY + '", reference: "JNCS-T-HH-D1", beneficiaryIdNumber: $b }) { delivery { id } userErrors { code } } }';
  const unnamed = await charity.gql(DELIVER, { p: pledge.data.charityPledgeCreate.pledge.id, b: null });
  expect(unnamed.data.charityDeliveryReport.userErrors).toEqual([{ code: 'BENEFICIARY_NOT_IN_HOUSEHOLD' }]);
  const named = await charity.gql(DELIVER, { p: pledge.data.charityPledgeCreate.pledge.id, b: head.id_number });
  expect(named.data.charityDeliveryReport.userErrors).toEqual([]);
}, 120_000);

it('gives supervision 按时办结 figures (overdueReport tally) on the demo’s cases that agree with its lists', async () => {
  hub ??= await startTestHub(dbs, { today: TODAY, clock: new TestClock(`${TODAY}T10:00:00+08:00`).now });
  const supervisor = hub.as({ token: (await hub.createClient({ name: 'demo-supervision-tally', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['SUPERVISOR'] })).token, purpose: 'SUPERVISION' });
  const res = await supervisor.gql(`{ overdueReport { byOffice { ${TALLY_AND_LISTS} } byTownship { ${TALLY_AND_LISTS} } byCounty { ${TALLY_AND_LISTS} } } }`);
  expect(res.errors).toBeUndefined();
  const r = res.data.overdueReport;
  // The demo's cases (opened for the charity needs) have time limits: some counted, all agreeing.
  expect(r.byCounty.reduce((n: number, g: any) => n + g.tally.caseDeadlines.counted, 0)).toBeGreaterThan(0);
  expectTallyAgreesWithLists(r);
}, 120_000);
