/**
 * Readiness and the hub database (issue 15): with the hub's own database paused, /readyz answers
 * 503 and requests fail with HUB_UNAVAILABLE instead of hanging for as long as the pause lasts;
 * once it answers again, so does the hub. /readyz reports each department's state without failing
 * readiness for a department outage, and a household with no members reports departments as they are.
 * /metrics says the same of the hub database (aidhub_hub_database_up), paused or stopped.
 */
import { chainHead } from '../access/audit';
import { accessDbOf } from '../db/access/db';
import { freePort } from '../db/setup/private-server';
import { createPool, hubDrizzle } from '../db/connect';
import { household } from '../db/household/schema';
import { DEPARTMENT_CODES } from '../domain/departments';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

/** Generous: the hub must answer well within it on a loaded machine, or it is hanging. */
const ANSWER_WITHIN_MS = 30_000;

let dbs: TestDatabases;
let proxy: PausableProxy;
let hub: TestHub;
let closeHubPool: () => Promise<void>;
let hubDb: TestDatabases;
let wangId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('readiness');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  proxy = await startPausableProxy(dbs.hubUrl);
  const hubUrl = proxy.url(dbs.hubUrl);
  // The hub reaches its own database through the proxy, with the deadline main.ts gives it.
  const hubPool = createPool(hubUrl, { deadlineMs: 1500 });
  closeHubPool = () => hubPool.end();
  hubDb = { ...dbs, hubUrl, hub: hubDrizzle(hubPool), hubPool };
  hub = await startTestHub(hubDb, { today: TODAY, hubTimeoutMs: 1500, metrics: true });
});

afterAll(async () => {
  proxy?.resume();
  await hub?.close();
  await closeHubPool?.();
  await proxy?.close();
  await dbs?.close();
});

const HOUSEHOLD = `query($id: ID!) { household(id: $id) { registrationNumber } }`;

/** The household query as `h`'s default identity, answered within ANSWER_WITHIN_MS or failing. */
function postHousehold(h: TestHub): Promise<Response> {
  return fetch(`${h.url}/graphql`, {
    method: 'POST',
    headers: { ...h.authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ query: HOUSEHOLD, variables: { id: String(wangId) } }),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
}

/** /readyz once it answers 200 again, or its last answer after ten seconds of asking. */
async function readyAgain(): Promise<{ status: number; body: any }> {
  let ready = await readyz();
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 200));
    ready = await readyz();
  }
  return ready;
}

/**
 * aidhub_hub_database_up as a scrape of the hub's /metrics shows it. It said nothing of the hub
 * database: the gauges read from it went absent, which an alert on a value cannot tell from nothing to report.
 */
async function hubDatabaseUp(): Promise<string | undefined> {
  const res = await fetch(hub.metricsUrl!, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  expect(res.status).toBe(200);
  return /^aidhub_hub_database_up (\S+)$/m.exec(await res.text())?.[1];
}

async function readyz(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.url}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  return { status: res.status, body: await res.json() };
}

describe('the hub database paused', () => {
  it('is ready, and answers, while its database does', async () => {
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', hub: { available: true } });
    expect(await hubDatabaseUp()).toBe('1');
    expect((await hub.gql(HOUSEHOLD, { id: String(wangId) })).data.household.registrationNumber).toBe(WANG.registrationNo);
  });

  it('answers /readyz 503 and requests HUB_UNAVAILABLE, instead of hanging, while paused; and recovers', async () => {
    proxy.pause();
    try {
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.hub).toEqual({ available: false });
      // Departments are reported beside it, and still answer.
      expect(ready.body.sources.HEALTH).toMatchObject({ available: true });
      expect(await hubDatabaseUp()).toBe('0');

      const res = await postHousehold(hub);
      const body = (await res.json()) as any;
      expect(body.data?.household ?? null).toBeNull();
      expect(body.errors.map((e: any) => e.extensions)).toContainEqual({ code: 'HUB_UNAVAILABLE', reason: 'HUB_DATABASE_TIMEOUT' });
      expect(JSON.stringify(body)).not.toContain(WANG.registrationNo);
      // Liveness is not readiness: the process itself still answers.
      expect((await fetch(`${hub.url}/healthz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) })).status).toBe(200);
    } finally {
      proxy.resume();
    }
    expect((await readyAgain()).status).toBe(200);
    expect(await hubDatabaseUp()).toBe('1');
    expect((await hub.gql(HOUSEHOLD, { id: String(wangId) })).data.household.registrationNumber).toBe(WANG.registrationNo);
  });
});

describe('the hub database down (its server stopped, restarting or failing over)', () => {
  // A second hub on the same pool that keeps a token it has looked up, so that a request gets past
  // the token look-up with the database gone.
  let cached: TestHub;
  beforeAll(async () => {
    cached = await startTestHub(hubDb, { today: TODAY, hubTimeoutMs: 1500, tokenCacheMs: 600_000 });
  });
  afterAll(async () => {
    await cached?.close();
  });

  it('answers /readyz 503, and requests 503 HUB_UNAVAILABLE (or the audit’s refusal) rather than 500; and recovers', async () => {
    expect((await cached.gql(HOUSEHOLD, { id: String(wangId) })).data.household.registrationNumber).toBe(WANG.registrationNo);
    await proxy.refuse();
    try {
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.hub).toEqual({ available: false });
      expect(await hubDatabaseUp()).toBe('0');

      // The token is looked up in the hub database: refused before GraphQL runs.
      const res = await postHousehold(hub);
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).errors).toEqual([expect.objectContaining({ extensions: { code: 'HUB_UNAVAILABLE', reason: 'HUB_DATABASE_UNREACHABLE' } })]);

      // The token known: its read fails, and so does the audit of the access, which withholds
      // the answer as when the audit alone is down: 503 too, with its own reason.
      const answered = await postHousehold(cached);
      expect(answered.status).toBe(503);
      const body = (await answered.json()) as any;
      expect(body.data?.household ?? null).toBeNull();
      expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'AUDIT_UNAVAILABLE' } })]);
      expect(JSON.stringify(body)).not.toContain(WANG.registrationNo);
    } finally {
      await proxy.accept();
    }
    expect((await readyAgain()).status).toBe(200);
    expect((await hub.gql(HOUSEHOLD, { id: String(wangId) })).data.household.registrationNumber).toBe(WANG.registrationNo);
    expect((await cached.gql(HOUSEHOLD, { id: String(wangId) })).data.household.registrationNumber).toBe(WANG.registrationNo);
  });
});

describe('one hub table held by a lock', () => {
  it('a request that needs it fails with HUB_UNAVAILABLE in the GraphQL answer, and is still audited', async () => {
    const conn = await dbs.hubPool.getConnection();
    const before = (await chainHead(accessDbOf(dbs.hub))).seq;
    try {
      await conn.query('LOCK TABLES household WRITE');
      const res = await postHousehold(hub);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.data.household).toBeNull();
      // With the reason the HTTP routes give: it had none in a GraphQL answer.
      expect(body.errors).toEqual([expect.objectContaining({ path: ['household'], extensions: { code: 'HUB_UNAVAILABLE', reason: 'HUB_DATABASE_TIMEOUT' } })]);
      expect((await chainHead(accessDbOf(dbs.hub))).seq).toBeGreaterThan(before);
    } finally {
      await conn.query('UNLOCK TABLES');
      conn.release();
    }
    expect((await hub.gql(HOUSEHOLD, { id: String(wangId) })).data.household.registrationNumber).toBe(WANG.registrationNo);
  });
});

describe('a department down from start-up', () => {
  let partial: TestHub;
  let emptyId: number;
  beforeAll(async () => {
    const dead = `mysql://root@127.0.0.1:${await freePort()}/nowhere`;
    partial = await startTestHub(dbs, { today: TODAY, sources: { HEALTH: { url: dead, timeoutMs: 2000 } } });
    const [res] = await dbs.hub.insert(household).values({ registrationNo: 'EMPTY-1', regionCode: WANG.regionCode, address: '空户' });
    emptyId = res.insertId;
  });
  afterAll(async () => {
    await partial?.close();
  });

  it('/readyz stays ready and names the department that is down', async () => {
    const res = await fetch(`${partial.url}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.status).toBe('ready');
    expect(body.sources.HEALTH).toMatchObject({ available: false, reason: 'UNREACHABLE' });
    expect(body.sources.CIVIL_AFFAIRS).toMatchObject({ available: true, reason: null });
  });

  it('a household with no members reports the department as it is, not available in 0 ms', async () => {
    const res = await partial.gql(`query($id: ID!) { household(id: $id) { members { relation } sources { department { code } available reason } aidSummary { complete } } }`, { id: String(emptyId) });
    expect(res.data.household.members).toEqual([]);
    const health = res.data.household.sources.find((s: any) => s.department.code === 'HEALTH');
    expect(health).toEqual({ department: { code: 'HEALTH' }, available: false, reason: 'UNREACHABLE' });
    expect(res.data.household.aidSummary.complete).toBe(false);
    expect(res.data.household.sources.filter((s: any) => s.available)).toHaveLength(DEPARTMENT_CODES.length - 1);
  });
});
