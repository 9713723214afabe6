/**
 * The household query end to end: a real hub over seven real databases, spoken to over HTTP.
 */
import net from 'node:net';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES } from '../domain/departments';
import { household, householdMember, person, region } from '../db/household/schema';
import { freePort } from '../db/setup/private-server';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertMany, insertRegions, insertWang, insertZhao, TODAY, WANG, ZHAO } from './support/scenarios';

const HOUSEHOLD_QUERY = /* GraphQL */ `
  query Household($id: ID!) {
    household(id: $id) {
      id
      registrationNumber
      region { code name level }
      members { relation joinedOn person { idNumber name gender birthDate age } }
      aid {
        department { code name }
        programme { code name kind purpose }
        beneficiary { idNumber }
        period { start end }
        grantDate
        amountFen
        status
        sourceReference
        cause
        urgent
        schoolYear
      }
      aidSummary { totalFen monthlyRecurringFen complete byDepartment { department { code } totalFen recordCount } }
      sources { department { code } available latencyMs reason }
    }
  }
`;

/**
 * Statements one household query costs per source: the hub's one (household, region, current
 * members and their entries in the reported-aid ledger, which is the hub's own table), and exactly
 * one per federated department (its tables' UNION ALL, README "What a query looks like", Cost): 8
 * with today's seven. Spelled from the department list, never a number per department: a
 * department added to it that reads its tables in a statement each fails here, by name (README,
 * "Adding a department", step 4), instead of having its count written in.
 */
const STATEMENTS_PER_QUERY: Readonly<Record<string, number>> = Object.fromEntries([
  ['HUB', 1],
  ...DEPARTMENT_CODES.filter((code) => !HUB_LEDGER_SOURCES.includes(code)).map((code) => [code, 1]),
]);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('household');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('household query', () => {
  it('returns every member and every aid record from every department', async () => {
    const res = await hub.gql(HOUSEHOLD_QUERY, { id: String(wangId) });
    expect(res.errors).toBeUndefined();
    const h = res.data.household;
    expect(h.registrationNumber).toBe(WANG.registrationNo);
    expect(h.region).toEqual({ code: WANG.regionCode, name: '南门社区', level: 'VILLAGE' });
    expect(h.members.map((m: any) => m.relation)).toEqual(['HEAD', 'SPOUSE', 'PARENT', 'CHILD']);
    expect(h.members[0].person).toMatchObject({ idNumber: WANG.head, gender: 'MALE', birthDate: '1975-04-12', age: 50 });

    for (const code of DEPARTMENT_CODES) {
      const programmes = h.aid.filter((r: any) => r.department.code === code).map((r: any) => r.programme.code).sort();
      expect({ code, programmes }).toEqual({ code, programmes: [...WANG.expectedRecords[code]].sort() });
    }
    expect(h.sources.map((s: any) => [s.department.code, s.available])).toEqual(DEPARTMENT_CODES.map((c) => [c, true]));
  });

  it('maps amounts to exact fen and keeps department detail', async () => {
    const { data } = await hub.gql(HOUSEHOLD_QUERY, { id: String(wangId) });
    const aid = data.household.aid as any[];
    const grant = aid.find((r) => r.programme.code === 'NATIONAL_GRANT');
    expect(grant).toMatchObject({ amountFen: 62_500, grantDate: '2025-10-15', schoolYear: '2025-2026', period: null, beneficiary: { idNumber: WANG.child } });
    const medical = aid.find((r) => r.programme.code === 'MEDICAL_AID');
    expect(medical).toMatchObject({ amountFen: 500_000, grantDate: '2026-01-10', beneficiary: { idNumber: WANG.grandmother } });
    const temp = aid.find((r) => r.programme.code === 'TEMP_AID');
    expect(temp).toMatchObject({ cause: 'ILLNESS', urgent: true, amountFen: 300_000 });
    const nursing = aid.find((r) => r.programme.code === 'DISABILITY_NURSING');
    expect(nursing).toMatchObject({ period: { start: '2020-01-01', end: null }, amountFen: 10_000, status: 'ACTIVE', programme: { kind: 'RECURRING', purpose: 'DISABILITY' } });
    // Newest first.
    const dates = aid.map((r) => r.grantDate ?? r.period.start);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('summarises aid per department with the monthly recurring amount', async () => {
    const { data } = await hub.gql(HOUSEHOLD_QUERY, { id: String(wangId) });
    const s = data.household.aidSummary;
    // 低保 4 × 720 yuan + rent subsidy 450 + living 90 + nursing 100 per month.
    expect(s.monthlyRecurringFen).toBe(4 * 72_000 + 45_000 + 9_000 + 10_000);
    // The default window is the 12 months to today: 2025-03-16 .. 2026-03-15, which touches 13
    // calendar months but holds 12 monthly payments (April 2025 … March 2026).
    const civil = s.byDepartment.find((d: any) => d.department.code === 'CIVIL_AFFAIRS');
    expect(civil).toEqual({ department: { code: 'CIVIL_AFFAIRS' }, totalFen: 12 * 4 * 72_000 + 300_000, recordCount: 5 });
    expect(s.totalFen).toBe(s.byDepartment.reduce((n: number, d: any) => n + d.totalFen, 0));
    expect(s.complete).toBe(true);
  });

  it('counts twelve monthly payments in the default window that ends on 29 February', async () => {
    // 12 months up to 2024-02-29 run from 2023-03-01 (民法典 第二百零二条: no 29 February in 2023,
    // so the year before ends on the 28th): March 2023 … February 2024, twelve payments of the
    // nursing subsidy (running since 2020) and eight of the rent subsidy (since July 2023).
    const q = `query($id: ID!) {
      byDefault: household(id: $id) { aidSummary(to: "2024-02-29") { totalFen byDepartment { department { code } totalFen recordCount } } }
      stated: household(id: $id) { aidSummary(from: "2023-03-01", to: "2024-02-29") { totalFen byDepartment { department { code } totalFen recordCount } } }
    }`;
    const { data, errors } = await hub.gql(q, { id: String(wangId) });
    expect(errors).toBeUndefined();
    const housing = data.byDefault.aidSummary.byDepartment.find((d: any) => d.department.code === 'HOUSING');
    expect(housing.totalFen).toBe(8 * 45_000);
    expect(data.byDefault.aidSummary).toEqual(data.stated.aidSummary);
  });

  it('counts only aid received by today when the window reaches past it, in the same statements', async () => {
    // 12 months from January 2026: only January to March (TODAY is 2026-03-15) are paid. 低保 and
    // the subsidies run on with no end, so the months after March would otherwise count as received.
    const q = `query($id: ID!) {
      ahead: household(id: $id) { aidSummary(from: "2026-01-01", to: "2026-12-31") { from to totalFen byDepartment { department { code } totalFen recordCount } } }
      toToday: household(id: $id) { aidSummary(from: "2026-01-01", to: "${TODAY}") { totalFen byDepartment { department { code } totalFen recordCount } } }
    }`;
    const res = await hub.gql(q, { id: String(wangId) });
    expect(res.errors).toBeUndefined();
    const { ahead, toToday } = res.data;
    expect(ahead.aidSummary).toMatchObject({ from: '2026-01-01', to: '2026-12-31' });
    const civil = ahead.aidSummary.byDepartment.find((d: any) => d.department.code === 'CIVIL_AFFAIRS');
    expect(civil).toEqual({ department: { code: 'CIVIL_AFFAIRS' }, totalFen: 3 * 4 * 72_000 + 300_000, recordCount: 5 });
    const housing = ahead.aidSummary.byDepartment.find((d: any) => d.department.code === 'HOUSING');
    expect(housing.totalFen).toBe(3 * 45_000);
    expect({ totalFen: ahead.aidSummary.totalFen, byDepartment: ahead.aidSummary.byDepartment }).toEqual(toToday.aidSummary);
    expect(res.extensions?.sqlStatements?.bySource).toEqual(STATEMENTS_PER_QUERY);
  });

  it('filters aid by window and department', async () => {
    const res = await hub.gql(
      `query($id: ID!) { household(id: $id) { aid(from: "2026-01-01", to: "2026-01-31", departments: [CIVIL_AFFAIRS, HEALTH]) { programme { code } } } }`,
      { id: String(wangId) },
    );
    expect(res.data.household.aid.map((r: any) => r.programme.code).sort()).toEqual(['DIBAO', 'DIBAO', 'DIBAO', 'DIBAO', 'MEDICAL_AID', 'TEMP_AID']);
  });

  it('finds the household by any member and a person with their aid', async () => {
    const res = await hub.gql(
      `query($idNumber: String!) { householdByMember(idNumber: $idNumber) { id } person(idNumber: $idNumber) { name household { id } aid { programme { code } } } }`,
      { idNumber: WANG.spouse },
    );
    expect(res.data.householdByMember.id).toBe(String(wangId));
    expect(res.data.person.household.id).toBe(String(wangId));
    expect(res.data.person.aid.map((r: any) => r.programme.code).sort()).toEqual(['DIBAO', 'DISABILITY_LIVING', 'DISABILITY_NURSING']);
  });

  // The README's own example query (What a query looks like) is a householdByMember: the look-up's
  // household row had no members, region or ledger entries, which cost three statements more
  // (HUB 3 and REPORTED 1 beside the departments' 7). Now the look-up adds one statement, no more.
  it('costs the look-up by ID number and then the household read, as household(id) costs it', async () => {
    const byMember = await hub.gql(HOUSEHOLD_QUERY.replace('household(id: $id)', 'householdByMember(idNumber: $id)').replace('$id: ID!', '$id: String!'), { id: WANG.spouse });
    const byId = await hub.gql(HOUSEHOLD_QUERY, { id: String(wangId) });
    expect(byMember.errors).toBeUndefined();
    // The same household, but for the departments' latencies.
    const withoutLatency = (h: any) => ({ ...h, sources: h.sources.map((s: any) => ({ ...s, latencyMs: 0 })) });
    expect(withoutLatency(byMember.data.householdByMember)).toEqual(withoutLatency(byId.data.household));
    expect(byMember.extensions?.sqlStatements?.bySource).toEqual({ ...STATEMENTS_PER_QUERY, HUB: STATEMENTS_PER_QUERY.HUB + 1 });
    // Asked beside household(id) in one document, the household read already done serves both.
    const both = await hub.gql(
      `query($id: ID!, $idNumber: String!) { household(id: $id) { id members { person { name } } } householdByMember(idNumber: $idNumber) { id region { code } members { person { name } } aid { amountFen } } }`,
      { id: String(wangId), idNumber: WANG.spouse },
    );
    expect(both.errors).toBeUndefined();
    expect(both.extensions?.sqlStatements?.bySource).toEqual({ ...STATEMENTS_PER_QUERY, HUB: STATEMENTS_PER_QUERY.HUB + 1 });
  });

  it('answers null for an unknown household or person, not an error', async () => {
    const res = await hub.gql(`{ household(id: "999999") { id } householdByMember(idNumber: "11010519491231002X") { id } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ household: null, householdByMember: null });
  });

  it('answers households(ids) one entry per id, in order, null where unknown', async () => {
    const res = await hub.gql(`query($ids: [ID!]!) { households(ids: $ids) { registrationNumber } }`, { ids: [String(zhaoId), '424242', String(wangId)] });
    expect(res.data.households).toEqual([{ registrationNumber: ZHAO.registrationNo }, null, { registrationNumber: WANG.registrationNo }]);
  });
});

describe('bad input', () => {
  it.each([
    ['37081119750412003', 'LENGTH'],
    ['3708111975041200AX', 'CHARACTERS'],
    ['370811197502300313', 'BIRTH_DATE'],
    [WANG.head.slice(0, 17) + (WANG.head[17] === '1' ? '2' : '1'), 'CHECKSUM'],
  ])('refuses ID number %s with BAD_USER_INPUT (%s)', async (idNumber, reason) => {
    const res = await hub.gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: idNumber });
    expect(res.data?.person ?? null).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'idNumber', reason });
    // The message names the problem, never the number.
    expect(res.errors?.[0].message).not.toContain(idNumber);
  });

  it('refuses a households list past the cap', async () => {
    const ids = Array.from({ length: 501 }, (_, i) => String(i + 1));
    const res = await hub.gql(`query($ids: [ID!]!) { households(ids: $ids) { id } }`, { ids });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LIST_TOO_LONG', max: 500 });
  });

  it('names every malformed id of a households list in one error, at most 20 of them, with their count', async () => {
    const QUERY = `query($ids: [ID!]!) { households(ids: $ids) { id } }`;
    // Not hub ids: a sync learns of all four in one round trip (it was told of ids[1] alone).
    const some = await hub.gql(QUERY, { ids: [String(wangId), 'abc', '0', String(zhaoId), '-3', '1e3'] });
    expect(some.data?.households ?? null).toBeNull();
    expect(some.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID', argument: 'ids[1]', positions: [1, 2, 4, 5], count: 4 })]);
    for (const i of [1, 2, 4, 5]) expect(some.errors?.[0].message).toContain(`ids[${i}]`);
    // Not ids at all (empty, a space at an end), found before the hub-id rule: named alike.
    const blank = await hub.gql(QUERY, { ids: ['', String(wangId), ' 7', '8 '] });
    expect(blank.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID', argument: 'ids[0]', positions: [0, 2, 3], count: 3 })]);
    // Many: the first 20 named, all counted.
    const many = await hub.gql(QUERY, { ids: Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? String(wangId) : `x${i}`)) });
    const bad = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect(many.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID', argument: `ids[${bad[0]}]`, positions: bad.slice(0, 20), count: bad.length });
  });

  it('refuses a malformed household id, division code and cursor', async () => {
    const a = await hub.gql(`{ household(id: "abc") { id } }`);
    expect(a.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID' });
    const b = await hub.gql(`{ householdsInRegion(code: "3708") { totalCount } }`);
    expect(b.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DIVISION_CODE' });
    const c = await hub.gql(`{ householdsInRegion(code: "370800", after: "bm9wZQ") { totalCount } }`);
    expect(c.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_CURSOR' });
    // Not a calendar date: refused alike as a variable and as a literal (test/date-scalar.test.ts).
    const d = await hub.gql(`query($from: Date) { household(id: "1") { aid(from: $from) { amountFen } } }`, { from: '2026-02-30' });
    expect(d.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const e = await hub.gql(`{ household(id: "1") { aid(from: "2026-02-30") { amountFen } } }`);
    expect(e.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('householdsInRegion', () => {
  // 聊城市: a division the hub knows (its region table holds it) with no household under it.
  beforeAll(async () => {
    await dbs.hub.insert(region).values({ code: '371500', name: '聊城市', level: 'CITY', parentCode: null });
  });

  it('pages through a division with cursors', async () => {
    const q = `query($code: String!, $after: String) { householdsInRegion(code: $code, first: 1, after: $after) { totalCount edges { node { registrationNumber } } pageInfo { hasNextPage endCursor } } }`;
    const city1 = await hub.gql(q, { code: '370800' });
    expect(city1.data.householdsInRegion.totalCount).toBe(2);
    expect(city1.data.householdsInRegion.pageInfo.hasNextPage).toBe(true);
    const city2 = await hub.gql(q, { code: '370800', after: city1.data.householdsInRegion.pageInfo.endCursor });
    expect(city2.data.householdsInRegion.pageInfo.hasNextPage).toBe(false);
    const seen = [city1, city2].map((r) => r.data.householdsInRegion.edges[0].node.registrationNumber).sort();
    expect(seen).toEqual([WANG.registrationNo, ZHAO.registrationNo].sort());

    const township = await hub.gql(q, { code: '370826100' });
    expect(township.data.householdsInRegion.edges.map((e: any) => e.node.registrationNumber)).toEqual([ZHAO.registrationNo]);
    // A cursor of one division's pages is refused in another's: WANG's county read from ZHAO's
    // township's cursor gave an empty last page, as if the county had nothing left.
    const wrongDivision = await hub.gql(q, { code: '370811', after: township.data.householdsInRegion.pageInfo.endCursor });
    expect(wrongDivision.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after', reason: 'MALFORMED_CURSOR' });
    const sameCity = await hub.gql(q, { code: '370800', after: township.data.householdsInRegion.pageInfo.endCursor });
    expect(sameCity.errors).toBeUndefined();
    const otherCity = await hub.gql(q, { code: '371500' });
    expect(otherCity.data.householdsInRegion).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('answers the four PageInfo fields of the Relay connection spec, which Relay’s @connection requires', async () => {
    const q = `query($code: String!, $first: Int!, $after: String) { householdsInRegion(code: $code, first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const whole = (await hub.gql(q, { code: '370800', first: 2 })).data.householdsInRegion;
    const [a, b] = whole.edges.map((e: { cursor: string }) => e.cursor);
    expect(whole.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: a, endCursor: b });
    const second = (await hub.gql(q, { code: '370800', first: 1, after: a })).data.householdsInRegion;
    // Forward only: false even after a cursor, as the spec allows for first/after.
    expect(second.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: b, endCursor: b });
    const empty = (await hub.gql(q, { code: '371500', first: 1 })).data.householdsInRegion;
    expect(empty.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });

  it('refuses a division the hub holds nothing of (REGION_UNKNOWN), not an empty page read as a division without households', async () => {
    const q = `query($code: String!) { householdsInRegion(code: $code) { totalCount edges { node { id } } } }`;
    // A typo'd township of WANG's county, a village of it, and a county of the city the hub has no row of.
    for (const code of ['370811999', '370811001999', '370899']) {
      const res = await hub.gql(q, { code });
      expect(res.data).toBeNull();
      expect(res.errors?.map((e: any) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'code', reason: 'REGION_UNKNOWN' })]);
    }
    // Known divisions answer as before: one with households, and one the region table holds with none.
    expect((await hub.gql(q, { code: '370811001' })).data.householdsInRegion.totalCount).toBe(1);
    expect((await hub.gql(q, { code: '371500' })).data.householdsInRegion).toEqual({ totalCount: 0, edges: [] });
  });
});

describe('statement count', () => {
  let bulk: Awaited<ReturnType<typeof insertMany>>;
  beforeAll(async () => {
    bulk = await insertMany(dbs, 500);
  });

  it('is the same fixed number for a household of 1 and of 8 members', async () => {
    const one = await hub.gql(HOUSEHOLD_QUERY, { id: String(bulk.ids[0]) });
    const eight = await hub.gql(HOUSEHOLD_QUERY, { id: String(bulk.ids[7]) });
    expect(one.data.household.members).toHaveLength(1);
    expect(eight.data.household.members).toHaveLength(8);
    expect(eight.data.household.aid).toHaveLength(16);
    expect(one.extensions?.sqlStatements?.bySource).toEqual(STATEMENTS_PER_QUERY);
    expect(eight.extensions?.sqlStatements?.bySource).toEqual(STATEMENTS_PER_QUERY);
  });

  // A household whose members have all left (or that has none) cost a ninth statement: with no
  // one to ask about, the departments were skipped, and the hub was asked again instead.
  it('is the same fixed number for a household with no current members, and with no members at all', async () => {
    const [left] = await dbs.hub.insert(household).values({ registrationNo: 'EMPTY-LEFT', regionCode: WANG.regionCode, address: '任城区 空户 1 号' });
    const [never] = await dbs.hub.insert(household).values({ registrationNo: 'EMPTY-NEVER', regionCode: WANG.regionCode, address: '任城区 空户 2 号' });
    await dbs.hub.insert(person).values({ idNumber: '370811198001010016', name: '钱一', gender: 'M', birthDate: '1980-01-01' });
    await dbs.hub.insert(householdMember).values({ householdId: left.insertId, idNumber: '370811198001010016', relation: 'HEAD', joinedOn: '2000-01-01', leftOn: '2020-01-01' });
    for (const id of [left.insertId, never.insertId]) {
      const res = await hub.gql(HOUSEHOLD_QUERY, { id: String(id) });
      expect(res.errors).toBeUndefined();
      expect(res.data.household).toMatchObject({ members: [], aid: [] });
      expect(res.extensions?.sqlStatements?.bySource).toEqual(STATEMENTS_PER_QUERY);
    }
  });

  it('is the same fixed number for households(ids) with 500 ids', async () => {
    const res = await hub.gql(
      `query($ids: [ID!]!) { households(ids: $ids) { id region { code } members { person { idNumber } } aid { programme { code } beneficiary { name } amountFen } sources { available } } }`,
      { ids: bulk.ids.map(String) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.households).toHaveLength(500);
    const members = res.data.households.reduce((n: number, h: any) => n + h.members.length, 0);
    const records = res.data.households.reduce((n: number, h: any) => n + h.aid.length, 0);
    expect({ members, records }).toEqual({ members: bulk.members, records: bulk.records });
    expect(res.extensions?.sqlStatements?.bySource).toEqual(STATEMENTS_PER_QUERY);
  });

  // Live findings read every department for every person asked about; a batch whose reads would
  // starve the hub is refused by its cost before any statement runs (server/query-cost.ts
  // LIVE_FINDINGS_COST): at the default limit, findings of at most 420 households by ids.
  const FINDINGS = `query($ids: [ID!]!) { households(ids: $ids) { id findings { rule { id } } } }`;

  it('refuses the findings of 421 households for their cost, before any statement', async () => {
    const res = await hub.gql(FINDINGS, { ids: bulk.ids.slice(0, 421).map(String) });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'QUERY_TOO_COSTLY']]);
    expect(res.errors![0].extensions!.cost).toBeGreaterThan(res.errors![0].extensions!.maxCost as number);
    expect(res.extensions?.sqlStatements?.bySource ?? {}).toEqual({});
  });

  it('answers the findings of 420', async () => {
    const res = await hub.gql(FINDINGS, { ids: bulk.ids.slice(0, 420).map(String) });
    expect(res.errors?.filter((e: any) => e.extensions.reason === 'QUERY_TOO_COSTLY') ?? []).toEqual([]);
    expect(res.data.households).toHaveLength(420);
  });
});

describe('partial failure', () => {
  it('still answers when a department database is unreachable, and says which', async () => {
    // A port nothing listens on: connections are refused at once.
    const deadPort = await freePort();
    const partial = await startTestHub(dbs, { today: TODAY, sources: { HEALTH: { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` } } });
    try {
      const res = await partial.gql(HOUSEHOLD_QUERY, { id: String(wangId) });
      const h = res.data.household;
      expect(h.aid.some((r: any) => r.department.code === 'HEALTH')).toBe(false);
      expect(h.aid.filter((r: any) => r.department.code === 'CIVIL_AFFAIRS')).toHaveLength(5);
      expect(h.sources.find((s: any) => s.department.code === 'HEALTH')).toMatchObject({ available: false, reason: 'UNREACHABLE' });
      expect(h.sources.filter((s: any) => s.available)).toHaveLength(DEPARTMENT_CODES.length - 1);
      expect(h.aidSummary.complete).toBe(false);
      expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'DEPARTMENT_UNAVAILABLE', department: 'HEALTH', reason: 'UNREACHABLE' } })]);
    } finally {
      await partial.close();
    }
  });

  it('gives up on a department slower than its timeout', async () => {
    // A server that accepts the connection and never says a word: the MySQL handshake never comes.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const partial = await startTestHub(dbs, { today: TODAY, sources: { UNION: { url: `mysql://root@127.0.0.1:${port}/slow`, timeoutMs: 300 } } });
    try {
      // The outcome shows the limit applied (TIMEOUT, the other departments answered); no duration
      // is asserted, as a loaded machine may take its time over the rest of the request.
      const res = await partial.gql(HOUSEHOLD_QUERY, { id: String(wangId) });
      expect(res.data.household.sources.find((s: any) => s.department.code === 'UNION')).toMatchObject({ available: false, reason: 'TIMEOUT' });
      expect(res.data.household.aid.filter((r: any) => r.department.code === 'DISABILITY')).toHaveLength(2);
      expect(res.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'UNION', reason: 'TIMEOUT' }]);
    } finally {
      await partial.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
