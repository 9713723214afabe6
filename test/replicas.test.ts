/**
 * Two hub processes (separate Node processes, as `npm start` runs them) over one hub database and
 * one private Redis, as replicas behind a router would be: they share one rate limit, start one
 * scan between them however the starts interleave, and append to one audit chain. The first
 * process's /metrics listener is checked here too, as a Prometheus scraper would reach it.
 */
import mysql from 'mysql2/promise';
import { verifyChain } from '../access/audit';
import { createClient } from '../access/clients';
import type { Role } from '../access/policy';
import { accessDbOf, type AccessDb } from '../db/access/db';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';
import { startPrivateRedis, type PrivateRedis } from './support/redis';
import { insertRegions, insertWang, WANG } from './support/scenarios';
import { insertCases } from './findings-scenario';

const RATE_LIMIT = 10;
const METRICS_TOKEN = 'metrics-test-token';

let dbs: TestDatabases;
let accessDb: AccessDb;
let redis: PrivateRedis;
let hubs: HubProcess[] = [];
let wangId: number;

function startHub(): Promise<HubProcess> {
  return startHubProcess(dbs.hubUrl, {
    RATE_LIMIT_REDIS_URL: redis.url,
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    METRICS_TOKEN,
    AIDHUB_JOB_TAKEOVER_MS: '0',
  });
}

let clientCount = 0;
async function newToken(roles: Role[]): Promise<string> {
  clientCount += 1;
  const { token } = await createClient(accessDb, { name: `replicas-${clientCount}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles, expiresAt: null });
  return token;
}

async function gql(hub: HubProcess, token: string, purpose: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': purpose },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  dbs = await createTestDatabases('replicas');
  accessDb = accessDbOf(dbs.hub);
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await insertCases(dbs);
  redis = await startPrivateRedis();
  hubs = await Promise.all([startHub(), startHub()]);
}, 180_000);

afterAll(async () => {
  if (process.env.AIDHUB_TEST_SHOW_HUB_OUTPUT) for (const h of hubs) console.log(h.output.join(''));
  await Promise.all(hubs.map(stopHubProcess));
  await redis?.stop();
  await dbs?.close();
}, 60_000);

it('counts one client’s requests to both processes against one limit', async () => {
  const token = await newToken(['READER']);
  const statuses: number[] = [];
  // Alternating, one at a time: A, B, A, B, … twelve requests against a limit of ten a minute.
  for (let i = 0; i < RATE_LIMIT + 2; i++) statuses.push((await gql(hubs[i % 2], token, 'ELIGIBILITY_REVIEW', '{ __typename }')).status);
  expect(statuses.slice(0, RATE_LIMIT)).toEqual(Array(RATE_LIMIT).fill(200));
  expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429]);
  const refused = await gql(hubs[0], token, 'ELIGIBILITY_REVIEW', '{ __typename }');
  expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
  // Another client has its own budget on both.
  const other = await newToken(['READER']);
  expect((await gql(hubs[1], other, 'ELIGIBILITY_REVIEW', '{ __typename }')).status).toBe(200);
}, 60_000);

it('starts one scan when both processes are asked at once', async () => {
  const token = await newToken(['ADMINISTRATOR']);
  const start = (h: HubProcess) => gql(h, token, 'MONITORING', `mutation { scanStart(input: { regionCode: "370811" }) { scan { id } userErrors { code } } }`);
  // Hold the start mutex so that both starts are inside their transactions, waiting, before either
  // goes on: the interleaving the lease must survive, made certain rather than hoped for.
  await dbs.hubPool.query(`INSERT IGNORE INTO job_lease (job_key, holder, token, expires_at, heartbeat_at) VALUES ('scan-start', '', 0, '1970-01-01 00:00:01', '1970-01-01 00:00:01')`);
  // Another test file's job-lease work on the shared private server, as the suite runs it: a
  // statement naming job_lease in another database, under way the whole time the starts are
  // awaited. Counted server-wide, it was one of the two awaited (a start then perhaps not at the
  // lock yet) or a third (the wait ran out); only this file's hub processes' statements count now.
  const elsewhere = await mysql.createConnection(dbs.sourceUrls.CIVIL_AFFAIRS);
  const elsewhereId = elsewhere.threadId;
  const elsewhereRuns = elsewhere.query(`SELECT SLEEP(600) AS job_lease_of_another_file`).catch(() => undefined);
  const blocker = await dbs.hubPool.getConnection();
  let results: { status: number; body: any }[];
  try {
    await blocker.query('START TRANSACTION');
    await blocker.query(`SELECT token FROM job_lease WHERE job_key = 'scan-start' FOR UPDATE`);
    const both = Promise.all([start(hubs[0]), start(hubs[1])]);
    const [[{ conn }]] = (await blocker.query('SELECT CONNECTION_ID() AS conn')) as any;
    let counted: number[] = [];
    for (let i = 0; ; i++) {
      // This file's hub processes' statements only: the connections on its own hub database (each
      // test file has its own), but for this test's own (the blocker, and the one asking).
      const [rows] = (await dbs.hubPool.query(
        `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID NOT IN (CONNECTION_ID(), ?) AND INFO LIKE '%job_lease%'`,
        [conn],
      )) as any;
      counted = rows.map((r: { id: number }) => Number(r.id));
      if (counted.length === 2) break;
      if (i > 1800) throw new Error('the two scan starts never both reached the start lock');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The two awaited are the hub processes' starts: another file's statement made one of them.
    expect(counted).not.toContain(elsewhereId);
    await blocker.query('COMMIT');
    results = await both;
  } finally {
    await blocker.query('ROLLBACK');
    blocker.release();
    await dbs.hubPool.query(`KILL QUERY ${Number(elsewhereId)}`);
    await elsewhereRuns;
    await elsewhere.end();
  }
  const payloads = results.map((r) => r.body.data.scanStart);
  const started = payloads.filter((p) => p.userErrors.length === 0);
  const refused = payloads.filter((p) => p.userErrors.length > 0);
  expect(started).toHaveLength(1);
  expect(refused.map((p) => p.userErrors.map((e: any) => e.code))).toEqual([['SCAN_ALREADY_RUNNING']]);

  let rows: any[] = [];
  for (let i = 0; i < 600; i++) {
    [rows] = (await dbs.hubPool.query(`SELECT id, state FROM finding_scan WHERE region_code = '370811'`)) as any;
    if (rows.every((r) => r.state !== 'RUNNING')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(rows).toEqual([{ id: Number(started[0].scan.id), state: 'SUCCEEDED' }]);
  // The scan's lease ended with it: nobody will resume a finished scan.
  const [[lease]] = (await dbs.hubPool.query(`SELECT token, expires_at <= UTC_TIMESTAMP(3) AS ended FROM job_lease WHERE job_key = ?`, [`scan:${rows[0].id}`])) as any;
  expect(lease).toEqual({ token: 1, ended: 1 });
}, 120_000);

it('appends both processes’ accesses to one intact audit chain', async () => {
  const token = await newToken(['READER']);
  const before = await verifyChain(accessDb);
  expect(before.ok).toBe(true);
  const query = `query($id: ID!) { household(id: $id) { registrationNumber members { person { name } } } }`;
  // Eight at once, four to each process: their appends interleave on the shared chain head.
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => gql(hubs[i % 2], token, 'ELIGIBILITY_REVIEW', query, { id: String(wangId) })));
  expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
  expect(results.every((r) => r.body.data.household !== null)).toBe(true);
  const after = await verifyChain(accessDb);
  expect(after.ok).toBe(true);
  if (!before.ok || !after.ok) return;
  // One row per access at least (a household access also records its members).
  expect(after.rows - before.rows).toBeGreaterThanOrEqual(8);
  const [[{ n }]] = (await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM access_log WHERE subject_kind = 'HOUSEHOLD' AND subject_ref = ?`, [String(wangId)])) as any;
  expect(Number(n)).toBe(8);
}, 60_000);

describe('/metrics', () => {
  it('is served on its own listener, behind its token, and not on the public port', async () => {
    expect((await fetch(hubs[0].metricsUrl)).status).toBe(401);
    expect((await fetch(hubs[0].metricsUrl, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    // The public port has no /metrics: like any path no route serves, it is not found, token or not.
    expect((await fetch(`${hubs[0].url}/metrics`)).status).toBe(404);
    const token = await newToken(['READER', 'ADMINISTRATOR']);
    expect((await fetch(`${hubs[0].url}/metrics`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'MONITORING' } })).status).toBe(404);

    await gql(hubs[0], token, 'ELIGIBILITY_REVIEW', `query Wang($id: ID!) { household(id: $id) { aid { amountFen } } }`, { id: String(wangId) });
    const res = await fetch(hubs[0].metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    expect(body).toMatch(/aidhub_graphql_requests_total\{operation="Wang",outcome="OK"\} 1\b/);
    expect(body).toMatch(/aidhub_graphql_request_duration_seconds_count\{operation="Wang"\} 1\b/);
    expect(body).toMatch(/aidhub_source_duration_seconds_count\{department="CIVIL_AFFAIRS",available="true"\} [1-9]/);
    expect(body).toMatch(/aidhub_source_available\{department="HEALTH"\} 1\b/);
    expect(body).toMatch(/aidhub_audit_append_duration_seconds_count\{result="written"\} [1-9]/);
    expect(body).toContain('# TYPE aidhub_scan_households gauge');
    expect(body).toMatch(/^aidhub_rate_limit_store_up 1$/m);
    // Node's process metrics too, collected because this hub has a metrics listener.
    expect(body).toContain('# TYPE aidhub_process_nodejs_eventloop_lag_seconds gauge');
    // Counts and timings only: no ID number, no name.
    for (const id of [WANG.head, WANG.spouse, WANG.child, WANG.grandmother]) expect(body).not.toContain(id);
    expect(body).not.toContain(WANG.registrationNo);
  }, 60_000);
});
