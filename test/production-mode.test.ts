/**
 * The hub as production runs it: NODE_ENV=production from the process's start, so graphql-js runs
 * its production type checks (which `npm run bench` now measures too). A jest worker is never in
 * that mode (NODE_ENV=test, graphql loaded long before), so the hub runs in a process of its own
 * (test/support/standalone-hub.ts). Answers are the same, and every error still carries a stable
 * code and no stack trace.
 */
import { createClient } from '../access/clients';
import { OFFICE_ROLES } from '../access/policy';
import { accessDbOf } from '../db/access/db';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { killStandaloneHub, startStandaloneHub, type StandaloneHub } from './support/hub-process';
import { insertRegions, insertWang, insertZhao, WANG } from './support/scenarios';

const REQUEST_TIMEOUT_MS = 60_000;

let dbs: TestDatabases;
let hubProcess: StandaloneHub | undefined;
let url: string;
let graphqlProduction: unknown;
let token: string;
let wangId: string;
let zhaoId: string;

beforeAll(async () => {
  dbs = await createTestDatabases('production_mode');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  zhaoId = String(await insertZhao(dbs));
  // A Rencheng (370811) caseworker: Wang's district, not Zhao's (Weishan, 370826).
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: `production-mode-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: OFFICE_ROLES, expiresAt: null }));
  hubProcess = await startStandaloneHub(dbs.hubUrl, { NODE_ENV: 'production' });
  url = hubProcess.url;
  graphqlProduction = hubProcess.line.graphqlProduction;
}, 180_000);

afterAll(async () => {
  // Only the process this file started, by its own handle.
  await killStandaloneHub(hubProcess);
  await dbs?.close();
});

interface Answer {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };
}

async function post(body: string, headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-purpose': 'ELIGIBILITY_REVIEW' }): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

const query = (q: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query: q, variables });

/** No stack trace anywhere in the answer: no `stacktrace` extension, no "at file:line" frames. */
function expectNoStack(a: Answer): void {
  expect(a.text).not.toMatch(/stacktrace/i);
  expect(a.text).not.toMatch(/\bat .*:\d+:\d+/);
  expect(a.text).not.toMatch(/node_modules|\.ts:\d+/);
}

it('runs graphql-js in its production mode', () => {
  expect(graphqlProduction).toBe(true);
});

it('answers a household as it does outside production, without the statement count', async () => {
  const a = await post(query(`query($id: ID!) { household(id: $id) { registrationNumber members { person { idNumber } } } }`, { id: wangId }));
  expect(a.status).toBe(200);
  expect(a.body.errors).toBeUndefined();
  expect(a.body.data.household.registrationNumber).toBe(WANG.registrationNo);
  expect(a.body.data.household.members.map((m: { person: { idNumber: string } }) => m.person.idNumber)).toContain(WANG.head);
  expect(a.body.extensions?.sqlStatements).toBeUndefined();
}, 60_000);

describe('errors carry a stable code and no stack trace', () => {
  it('a field that does not exist: 400 GRAPHQL_VALIDATION_FAILED, with no suggestion', async () => {
    const a = await post(query(`{ household(id: "1") { registrationNumbr } }`));
    expect(a.status).toBe(400);
    expect(a.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(a.text).not.toMatch(/Did you mean/);
    expectNoStack(a);
  });

  it('a document that does not parse: 400 GRAPHQL_PARSE_FAILED', async () => {
    const a = await post(query(`{ household(id: "1") { `));
    expect(a.status).toBe(400);
    expect(a.body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expectNoStack(a);
  });

  it('no token: 401 UNAUTHENTICATED', async () => {
    const a = await post(query(`{ household(id: "1") { id } }`), {});
    expect(a.status).toBe(401);
    expect(a.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expectNoStack(a);
  });

  it('a household outside the caller’s region: FORBIDDEN', async () => {
    const a = await post(query(`query($id: ID!) { household(id: $id) { registrationNumber } }`, { id: zhaoId }));
    expect(a.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(a.body.data?.household ?? null).toBeNull();
    expectNoStack(a);
  }, 60_000);

  it('an argument the schema refuses: BAD_USER_INPUT', async () => {
    const a = await post(query(`query($id: ID!) { household(id: $id) { id } }`, { id: { not: 'an id' } }));
    expect(a.status).toBe(400);
    expect(a.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expectNoStack(a);
  });
});
