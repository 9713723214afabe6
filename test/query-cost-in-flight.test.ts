/**
 * The cost of a client's queries running at once is limited per client (MAX_QUERY_COST_IN_FLIGHT,
 * server/query-cost.ts CostInFlight): the per-query limit let a client send many queries just
 * under it at the same moment. One query of a client runs while another of the same client is held
 * by a department that answers nothing (a pausable relay in front of civil affairs' database, so
 * the first is in flight for as long as the test needs, with no timing): a second that would take
 * the two past the limit is refused RATE_LIMITED, reason QUERY_COST_IN_FLIGHT, HTTP 429 with
 * Retry-After, before anything runs; another client, and a cheap query of the same client, are
 * served; once the first is answered the same query is served again.
 */
import { CostInFlight } from '../server/query-cost';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { until } from './support/until';
import { costOf } from './support/query-cost';

const HOUSEHOLD = 'query($id: ID!) { household(id: $id) { registrationNumber aid { programme { code } amountFen } } }';
const CHEAP = '{ caller { name } }';

let dbs: TestDatabases;
let hub: TestHub;
let proxy: PausableProxy;
let wangId: number;
let maxCostInFlight: number;

beforeAll(async () => {
  dbs = await createTestDatabases('cost_in_flight');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  proxy = await startPausableProxy(dbs.sourceUrls.CIVIL_AFFAIRS);
  // Room for one household query and a cheap one beside it, not for two household queries.
  const one = costOf(HOUSEHOLD, { id: String(wangId) });
  maxCostInFlight = one + costOf(CHEAP, {}) + 1;
  expect(maxCostInFlight).toBeLessThan(2 * one);
  hub = await startTestHub(dbs, { today: TODAY, queryLimits: { maxCostInFlight }, sources: { CIVIL_AFFAIRS: { url: proxy.url(dbs.sourceUrls.CIVIL_AFFAIRS) } } });
  // Databases, a proxy and a hub: past jest's 60 s at load 22 on two cores (two CPU hogs beside
  // the suite), as the set-up of the other hub tests given 120 s.
}, 120_000);

afterAll(async () => {
  proxy?.resume();
  await hub?.close();
  await proxy?.close();
  await dbs?.close();
});

describe('CostInFlight', () => {
  it('lets one operation run alone whatever its cost, refuses a second past the limit, and forgets a client once its operations end', () => {
    const limit = new CostInFlight(100);
    expect(limit.take('7', 150)).toEqual({ ok: true });
    expect(limit.take('7', 1)).toEqual({ ok: false, inFlight: 150 });
    expect(limit.take('8', 60)).toEqual({ ok: true });
    expect(limit.take('8', 40)).toEqual({ ok: true });
    expect(limit.take('8', 1)).toEqual({ ok: false, inFlight: 100 });
    limit.release('7', 150);
    limit.release('8', 60);
    expect(limit.take('8', 60)).toEqual({ ok: true });
    limit.release('8', 60);
    limit.release('8', 40);
    expect([limit.inFlight('7'), limit.inFlight('8'), limit.clients]).toEqual([0, 0, 0]);
  });
});

it('refuses a client’s second costly query while its first runs, with 429 and Retry-After, and serves it once the first is answered', async () => {
  const variables = { id: String(wangId) };
  const send = (query: string, token = hub.token) =>
    fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...hub.authHeaders, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: query === HOUSEHOLD ? variables : {} }) });
  const other = await hub.createClient();

  proxy.pause();
  const first = send(HOUSEHOLD);
  // In flight: it has reached civil affairs' database, which holds it.
  await until('the first query to reach the paused department', async () => proxy.held(), (n) => n > 0);

  const second = await send(HOUSEHOLD);
  expect(second.status).toBe(429);
  expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = (await second.json()) as { data?: unknown; errors: { extensions: Record<string, unknown> }[] };
  expect(body.data ?? null).toBeNull();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'QUERY_COST_IN_FLIGHT', maxCostInFlight });
  expect(body.errors[0].extensions.inFlight).toBe(body.errors[0].extensions.cost);

  // The limit is the client's: a cheap query of its own fits beside the first, and another client is not held back.
  const cheap = await send(CHEAP);
  expect(cheap.status).toBe(200);
  expect(((await cheap.json()) as { errors?: unknown }).errors).toBeUndefined();
  const heldBefore = proxy.held();
  const fromOtherSent = send(HOUSEHOLD, other.token);
  // Admitted (refused, it would never reach the department): both clients' household queries are in flight at once.
  await until('the other client’s query to reach the paused department', async () => proxy.held(), (n) => n > heldBefore);
  proxy.resume();
  const [fromOther, answered] = await Promise.all([fromOtherSent, first]);
  for (const res of [fromOther, answered]) {
    expect(res.status).toBe(200);
    const json = (await res.json()) as { errors?: unknown; data: { household: { registrationNumber: string } } };
    expect(json.errors).toBeUndefined();
    expect(json.data.household.registrationNumber).toBeTruthy();
  }

  // The first answered, its cost is given back: the same query is served.
  const again = await send(HOUSEHOLD);
  expect(again.status).toBe(200);
  expect(((await again.json()) as { errors?: unknown }).errors).toBeUndefined();
});
