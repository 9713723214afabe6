/**
 * A page size over the largest page is refused by its field with OUT_OF_RANGE and both bounds,
 * however much the page would select: the query's cost counts such a page as the largest
 * (server/query-cost.ts `largestPage`), since the field refuses it before reading anything. Costed as
 * asked, `householdsInRegion(first: 2000)` selecting members was refused QUERY_TOO_COSTLY, "ask for
 * fewer fields or smaller pages", where the same selection on a page of 500 was served: an
 * integrator's sync was never told the page's bound. A page of the largest size that is too costly
 * is still refused for its cost.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('page_size_cost');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const PAGE = `query($n: Int) { householdsInRegion(code: "370811", first: $n) { edges { node { registrationNumber members { relation person { name } } } } } }`;

const codes = (res: { errors?: { extensions?: Record<string, any> }[] }) =>
  (res.errors ?? []).map((e) => ({ code: e.extensions?.code, reason: e.extensions?.reason, min: e.extensions?.min, max: e.extensions?.max }));

it('serves the largest page of a selection', async () => {
  const res = await hub.gql(PAGE, { n: 500 });
  expect(res.errors).toBeUndefined();
  expect(res.data.householdsInRegion.edges).toHaveLength(1);
});

it.each([501, 2_000, 100_000, 2_147_483_647])('refuses first: %d as OUT_OF_RANGE with both bounds, not for its cost', async (n) => {
  const res = await hub.gql(PAGE, { n });
  expect(codes(res)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE', min: 1, max: 500 }]);
  expect(res.extensions?.sqlStatements?.bySource ?? {}).toEqual({});
});

it('does so on the audit reads, whose pages are 500 at most, and on a page written in the document', async () => {
  const auditor = await hub.createClient({ roles: ['AUDITOR'], regionScope: '370800' });
  const res = await hub.as({ token: auditor.token, purpose: 'AUDIT' }).gql(`{ householdAccessLog(householdId: "1", first: 100000) { edges { node { seq at client { name } subjectKind } } } }`);
  expect(codes(res)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE', min: 1, max: 500 }]);
});

it('still refuses for its cost a page of the largest size whose selection is too costly', async () => {
  const costly = `{ householdsInRegion(code: "370811", first: 5000) { edges { node { members { person { aid { amountFen } findings { rule { id } } } } } } } }`;
  const res = await hub.gql(costly);
  expect(codes(res)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', min: undefined, max: undefined }]);
});

/**
 * A sync's page of households with their members and aid (the integrator's selection,
 * docs/integration.md) is too costly at 500: the refusal names the largest page that fits
 * (`maxFirst`), which is then served, and one more is refused. It said only "ask for fewer fields or
 * smaller pages", and a sync found its page by halving it.
 */
const SYNC_PAGE = `query($n: Int) { householdsInRegion(code: "370811", first: $n) {
  pageInfo { endCursor hasNextPage }
  edges { node { id region { code } members { relation person { idNumber name birthDate } }
    aid { department { code } programme { code kind } beneficiary { idNumber } period { start end } grantDate amountFen status sourceReference }
    sources { department { code } available reason } } } } }`;

it('names the largest page that fits when a page is refused for its cost, and serves that page', async () => {
  const refused = await hub.gql(SYNC_PAGE, { n: 500 });
  expect(codes(refused)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', min: undefined, max: undefined }]);
  const maxFirst = refused.errors![0].extensions!.maxFirst;
  expect(Number.isInteger(maxFirst)).toBe(true);
  expect(maxFirst).toBeGreaterThan(1);
  expect(maxFirst).toBeLessThan(500);
  const served = await hub.gql(SYNC_PAGE, { n: maxFirst });
  expect(served.errors).toBeUndefined();
  expect(served.data.householdsInRegion.edges).toHaveLength(1);
  const oneMore = await hub.gql(SYNC_PAGE, { n: maxFirst + 1 });
  expect(codes(oneMore)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', min: undefined, max: undefined }]);
  expect(oneMore.errors![0].extensions!.maxFirst).toBe(maxFirst);
});

it('names no page size where no page makes the operation fit (its cost is its ids)', async () => {
  const ids = Array.from({ length: 500 }, (_, i) => String(i + 1));
  const res = await hub.gql(`query($ids: [ID!]!) { households(ids: $ids) { members { person { idNumber name } } aid { programme { code } beneficiary { idNumber } period { start end } amountFen } } }`, { ids });
  expect(codes(res)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', min: undefined, max: undefined }]);
  expect(res.errors![0].extensions).not.toHaveProperty('maxFirst');
});
