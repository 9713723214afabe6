/**
 * Every path the hub declares answers a method it does not take with 405 and its `Allow` (RFC 9110
 * §15.5.6), before the token is judged, token or not, nothing audited: a 405 says nothing of any
 * data. The routes of ROUTE_RULES (the meeting brief, the two CSV exports) answered another method
 * 403 FORBIDDEN, NO_ACCESS_RULE with a token (audited DENIED) and 401 without one; /graphql answered
 * PUT or DELETE 405 (Apollo's) only once a token had been judged, 401 without one. The metrics
 * listener answered POST /metrics 404, as if it served nothing there. (The public paths' 405:
 * test/http/public-methods.test.ts.)
 */
import { ROUTE_RULES } from '../../access/policy';
import { auditRows } from '../support/audit-trail';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, TODAY } from '../support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('route_methods');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY, metrics: true });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** A path of each declared route (ROUTE_RULES), all of them GET. */
const ROUTES = ['/cases/1/brief', '/exports/scans/1/findings.csv', '/exports/overdue.csv?regionCode=370811'];

it('covers every route ROUTE_RULES declares (a new one is added here)', () => {
  for (const rule of ROUTE_RULES) expect([rule.path.source, ROUTES.some((p) => rule.path.test(p.split('?')[0]))]).toEqual([rule.path.source, true]);
});

const anyone = () => [{}, hub.authHeaders];

/** The status of an answer, its body read (a body left unread keeps fetch's connection open). */
async function statusOf(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return res.status;
}

async function refusal(path: string, method: string, headers: Record<string, string>) {
  const res = await fetch(`${hub.url}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(['OPTIONS', 'HEAD'].includes(method) ? {} : { body: '{}' }) });
  const body = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), type: res.headers.get('content-type'), extensions: body ? JSON.parse(body).errors[0].extensions : null };
}

describe.each(ROUTES)('%s', (path) => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s: 405, Allow: GET, HEAD, BAD_REQUEST METHOD_NOT_ALLOWED, with a token or without, nothing audited', async (method) => {
    const before = (await auditRows(dbs)).length;
    for (const headers of anyone()) {
      expect(await refusal(path, method, headers)).toEqual({ status: 405, allow: 'GET, HEAD', type: expect.stringMatching(/^application\/json/), extensions: { code: 'BAD_REQUEST', reason: 'METHOD_NOT_ALLOWED' } });
    }
    expect((await auditRows(dbs)).length).toBe(before);
  });

  it('GET and HEAD still pass the access middleware: 401 without a token', async () => {
    for (const method of ['GET', 'HEAD']) expect(await statusOf(`${hub.url}${path}`, { method })).toBe(401);
  });
});

describe('/graphql', () => {
  it.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])('%s: 405, Allow: GET, POST, without a token as with one, nothing audited', async (method) => {
    const before = (await auditRows(dbs)).length;
    for (const headers of anyone()) {
      const answer = await refusal('/graphql', method, headers);
      expect(answer).toEqual({ status: 405, allow: 'GET, POST', type: expect.stringMatching(/^application\/json/), extensions: method === 'HEAD' ? null : { code: 'BAD_REQUEST', reason: 'METHOD_NOT_ALLOWED' } });
    }
    expect((await auditRows(dbs)).length).toBe(before);
  });

  it('POST without a token is still 401', async () => {
    expect(await statusOf(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ caller { name } }"}' })).toBe(401);
  });
});

it('a path nobody serves stays 404, whatever the method', async () => {
  for (const method of ['GET', 'POST', 'DELETE']) {
    const res = await fetch(`${hub.url}/exports/overdue.xlsx`, { method, headers: hub.authHeaders });
    expect([method, res.status, ((await res.json()) as any).errors[0].extensions.reason]).toEqual([method, 404, 'NO_SUCH_ROUTE']);
  }
});

describe('the metrics listener', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s /metrics: 405, Allow: GET, HEAD, no metrics', async (method) => {
    const res = await fetch(hub.metricsUrl!, { method, ...(method === 'OPTIONS' ? {} : { body: 'x' }) });
    const body = await res.text();
    expect({ status: res.status, allow: res.headers.get('allow') }).toEqual({ status: 405, allow: 'GET, HEAD' });
    expect(body).not.toContain('aidhub_');
  });

  it('GET and HEAD /metrics are served; another path is 404 whatever the method', async () => {
    expect(await statusOf(hub.metricsUrl!)).toBe(200);
    expect(await statusOf(hub.metricsUrl!, { method: 'HEAD' })).toBe(200);
    for (const method of ['GET', 'POST']) expect(await statusOf(hub.metricsUrl!.replace(/\/metrics$/, '/other'), { method })).toBe(404);
  });
});
