/**
 * The meeting brief (GET /cases/:id/brief) within the client's cost in flight, shared with its
 * GraphQL operations and findings and overdue exports (MAX_QUERY_COST_IN_FLIGHT; a brief takes MAX_QUERY_COST
 * while it runs, server/query-cost.ts RouteBudget). It had only the per-minute limit: a client could
 * have any number of briefs read whole dossiers, from the hub and every department, at once.
 *
 * A real hub whose civil affairs database sits behind a pausable relay (test/support/pausable-proxy.ts):
 * paused, it holds a brief mid-dossier for as long as the test needs, with no timing. The hub here
 * has room for one brief a client: while its first is held, the client's second brief and a cheap
 * query are refused 429 RATE_LIMITED, reason QUERY_COST_IN_FLIGHT, Retry-After, before anything is
 * read or put on record; another client's brief runs; and the slot comes back on every end: the page
 * sent, a 404 after the slot was taken, a client gone mid-work (at once, while its dossier is still
 * held at the department: server/client-gone.ts), and a client that reads nothing of its answer.
 */
import net from 'node:net';
import { DEFAULT_QUERY_LIMITS } from '../db/config';
import { countyClients } from './support/cases';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { okPayload as ok } from './support/payloads';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { until } from './support/until';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let proxy: PausableProxy;
let clients: Awaited<ReturnType<typeof countyClients<'ca' | 'other'>>>;
let caseId = '';

beforeAll(async () => {
  dbs = await createTestDatabases('brief_in_flight');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  proxy = await startPausableProxy(dbs.sourceUrls.CIVIL_AFFAIRS);
  // Room for one brief a client (it takes MAX_QUERY_COST), nothing beside it. Civil affairs waits as
  // long as the test holds it: no department time limit ends a held brief first.
  hub = await startTestHub(dbs, {
    today: TODAY,
    purpose: 'CASE_MEETING',
    queryLimits: { maxCostInFlight: DEFAULT_QUERY_LIMITS.maxCost },
    sources: { CIVIL_AFFAIRS: { url: proxy.url(dbs.sourceUrls.CIVIL_AFFAIRS), timeoutMs: 600_000 } },
  });
  clients = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['other', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
  ]);
  caseId = (await ok(clients.ca.gql, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '医疗救助申请' } }, 'caseOpen')).case.id;
}, 180_000);

// A test that fails while civil affairs is held does not hold the next one's.
afterEach(() => proxy?.resume());

afterAll(async () => {
  proxy?.resume();
  await hub?.close();
  await proxy?.close();
  await dbs?.close();
});

/** What `{ caller { name } }` costs (server/query-cost.ts: an object and its scalar). */
const CHEAP_COST = 4;

type Refusal = { errors: { message: string; extensions: Record<string, unknown> }[] };

/** The brief of `id` as `headers`' client asks for it, the answer as JSON where it is an error. */
const briefOf = (headers: Record<string, string>, id = caseId, query = '') => fetch(`${hub.url}/cases/${id}/brief${query}`, { headers: { ...headers, accept: 'application/json, text/html;q=0.9' } });

/** The overdue report's spreadsheet as `headers`' client asks for it. */
const overdueFile = (headers: Record<string, string>) => fetch(`${hub.url}/exports/overdue.csv`, { headers });

/** A cheap GraphQL query of `headers`' client. */
const cheapQuery = (headers: Record<string, string>) => fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ caller { name } }' }) });

/** Its HTTP status, the answer read. */
const cheapStatus = async (headers: Record<string, string>) => {
  const res = await cheapQuery(headers);
  await res.arrayBuffer();
  return res.status;
};

/** The brief rows on the audit trail naming someone (each brief that read the dossier writes them; a refused one only the row of the request itself, which names nobody). */
async function briefRows(): Promise<number> {
  const [[row]] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM access_log WHERE operation = ? AND subject_kind <> 'NONE'", [`GET /cases/${caseId}/brief`])) as any;
  return Number(row.n);
}

/** A refusal of a request costing `cost` beside the brief in flight (MAX_QUERY_COST). */
const expectInFlightRefusal = async (res: Response, cost = DEFAULT_QUERY_LIMITS.maxCost) => {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = (await res.json()) as Refusal;
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'QUERY_COST_IN_FLIGHT', cost, inFlight: DEFAULT_QUERY_LIMITS.maxCost, maxCostInFlight: DEFAULT_QUERY_LIMITS.maxCost });
  return body;
};

/** Han characters: the brief's refusals are written in Chinese. */
const HAN = /\p{Script=Han}/u;

/** The same refusal of a brief as the page a browser is sent. */
const expectInFlightPage = async (res: Response) => {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await res.text();
  expect(page).toContain('<meta name="error-code" content="RATE_LIMITED:QUERY_COST_IN_FLIGHT">');
  expect(page).toContain('data-code="RATE_LIMITED" data-reason="QUERY_COST_IN_FLIGHT"');
  const said = /<p>([^<]*)<\/p>/.exec(page)?.[1] ?? '';
  expect(said).toMatch(HAN);
  // No English sentence beside it: only the figures are in Latin digits.
  expect(said).not.toMatch(/[A-Za-z]/);
};

const expectBrief = async (res: Response) => {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await res.text()).toContain('</html>');
};

/** A brief held at civil affairs' database: resolves once the hub's reads have reached the paused relay. */
async function heldAtCivilAffairs(send: () => Promise<unknown> | unknown): Promise<void> {
  const before = proxy.held();
  proxy.pause();
  send();
  await until('the brief to reach the paused civil affairs database', async () => proxy.held(), (n) => n > before, 120_000);
}

/** A brief asked on a raw connection, the answer never read. */
function rawBrief(headers: Record<string, string>): net.Socket {
  const socket = net.connect(Number(new URL(hub.url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  socket.pause();
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.write(`GET /cases/${caseId}/brief HTTP/1.1\r\nHost: hub\r\n${lines.join('')}\r\n`);
  return socket;
}

it('refuses the client a second brief and a query while its first reads the dossier, before reading or recording anything, serves another client, and frees the slot once the first is sent', async () => {
  // Served alone: the brief works here, and the slot it took came back.
  await expectBrief(await briefOf(clients.ca.headers));
  expect(await cheapStatus(clients.ca.headers)).toBe(200);

  let first: Promise<Response> = Promise.resolve(new Response());
  await heldAtCivilAffairs(() => (first = briefOf(clients.ca.headers)));
  const rowsHeld = await briefRows();

  // The brief's JSON form says it in Chinese too, as its other refusals do.
  expect((await expectInFlightRefusal(await briefOf(clients.ca.headers))).errors[0].message).toMatch(HAN);
  // As a page, as a browser asks for it: Chinese, as the brief's other refusals are, with the same
  // stable code and reason as the JSON form, and Retry-After. Its message was English.
  await expectInFlightPage(await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: { ...clients.ca.headers, accept: 'text/html' } }));
  // One budget with GraphQL: even a cheap query does not fit beside the brief.
  await expectInFlightRefusal(await cheapQuery(clients.ca.headers), CHEAP_COST);
  // Nor the overdue report's spreadsheet (GET /exports/overdue.csv), which takes MAX_QUERY_COST as the brief does.
  await expectInFlightRefusal(await overdueFile(clients.ca.headers));
  // A refused brief puts nothing on record.
  expect(await briefRows()).toBe(rowsHeld);

  // The limit is the client's: another client's brief is admitted and reaches the paused department too.
  const heldBefore = proxy.held();
  const fromOther = briefOf(clients.other.headers);
  await until('the other client’s brief to reach the paused department', async () => proxy.held(), (n) => n > heldBefore, 120_000);
  proxy.resume();
  await expectBrief(await first);
  await expectBrief(await fromOther);
  // The first sent, its slot is back.
  expect(await cheapStatus(clients.ca.headers)).toBe(200);
  const file = await overdueFile(clients.ca.headers);
  expect(file.status).toBe(200);
  await file.arrayBuffer();
});

it('gives the slot of a client gone mid-brief back at once, while its dossier is still held at the department', async () => {
  const opened: net.Socket[] = [];
  try {
    await heldAtCivilAffairs(() => opened.push(rawBrief(clients.ca.headers)));
  } finally {
    for (const socket of opened) socket.destroy();
  }
  // Gone while its dossier is read at civil affairs: abandoned as a query is (server/client-gone.ts),
  // its slot back with civil affairs still held. Until session 47 it held the slot until the read
  // ended, and the client's cheap queries were refused QUERY_COST_IN_FLIGHT meanwhile. (Only cheap
  // queries are sent while it is held: a brief admitted would wait at the relay.)
  await until('the slot back while civil affairs is still held', () => cheapStatus(clients.ca.headers), (s) => s === 200, 60_000);
  proxy.resume();
  await expectBrief(await briefOf(clients.ca.headers));
});

it('frees the slot of a brief refused after taking it (no such case, no such meeting)', async () => {
  const missing = await briefOf(clients.ca.headers, String(Number(caseId) + 1000));
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as Refusal).errors[0].extensions).toMatchObject({ reason: 'CASE_NOT_FOUND' });
  expect(await cheapStatus(clients.ca.headers)).toBe(200);
  const noMeeting = await briefOf(clients.ca.headers, caseId, '?meeting=999999');
  expect(noMeeting.status).toBe(404);
  expect(((await noMeeting.json()) as Refusal).errors[0].extensions).toMatchObject({ reason: 'MEETING_NOT_FOUND' });
  expect(await cheapStatus(clients.ca.headers)).toBe(200);
});

it('frees the slot of a brief sent to a client that reads none of it', async () => {
  const rows = await briefRows();
  const socket = rawBrief(clients.ca.headers);
  try {
    // The page is written (its audit rows are on record) while the client reads nothing; the slot comes back.
    await until('the brief on record', briefRows, (n) => n > rows, 120_000);
    await until('the slot back', () => cheapStatus(clients.ca.headers), (s) => s === 200, 120_000);
  } finally {
    socket.destroy();
  }
});
