/**
 * A request carrying two Authorization headers was served with the first: Node keeps the first of a
 * repeated Authorization in `req.headers` and drops the rest, while a proxy in front of the hub may
 * have judged (or logged, or rate-limited) the other. Which client the request comes from is then
 * ambiguous, so it is refused on every route that reads a token, whatever the two hold: 401
 * UNAUTHENTICATED, reason TOKEN_AMBIGUOUS, challenged `error="invalid_request"` (RFC 6750 §3.1),
 * logged and counted as every unauthenticated request is, nothing run or audited. The metrics
 * listener's own token check (METRICS_TOKEN) refuses it too.
 *
 * X-Purpose, X-Officer and X-Case-Reference repeated are joined by Node with ", ", which their
 * parsers refuse as they refuse any such value: this proves it stays so.
 *
 * fetch() joins repeated headers into one line, so the requests here are made with node:http's raw
 * header lists, each header its own line on the wire.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { auditRows } from '../support/audit-trail';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, TODAY } from '../support/scenarios';
import { sendRaw as send, type RawAnswer as Answer } from '../support/raw-request';

const METRICS_TOKEN = 'metrics-token-for-the-repeated-authorization-test';
const FORGED = `Bearer ahk_${'F'.repeat(43)}`;

let dbs: TestDatabases;
let hub: TestHub;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('repeated_auth');
  await insertRegions(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      done();
    },
  });
  // Token look-ups kept (as in production, TOKEN_CACHE_MS): the fast path of a kept token is judged too.
  hub = await startTestHub(dbs, {
    today: TODAY,
    tokenCacheMs: 600_000,
    logger: pino({ level: 'debug' }, sink),
    metrics: true,
    config: { metrics: { port: 1, host: '127.0.0.1', token: METRICS_TOKEN } },
  });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const bearer = () => `Bearer ${hub.token}`;
const PURPOSE: [string, string] = ['x-purpose', 'ELIGIBILITY_REVIEW'];
const CALLER = JSON.stringify({ query: '{ caller { name } }' });

/** Every route that reads a token: GraphQL by POST and by GET, the two CSV exports and the meeting brief. */
const ROUTES: [string, string, { method?: string; body?: string; headers?: [string, string][] }][] = [
  ['POST /graphql', '/graphql', { method: 'POST', body: CALLER, headers: [['content-type', 'application/json']] }],
  ['GET /graphql', `/graphql?query=${encodeURIComponent('{ caller { name } }')}`, {}],
  ['the findings export', '/exports/scans/1/findings.csv', {}],
  ['the overdue export', '/exports/overdue.csv', {}],
  ['the meeting brief', '/cases/1/brief', {}],
];

function route(path: string, authorizations: string[], init: (typeof ROUTES)[number][2]): Promise<Answer> {
  return send(`${hub.url}${path}`, [...authorizations.map((a): [string, string] => ['authorization', a]), PURPOSE, ...(init.headers ?? [])], init);
}

const metricsCount = async (reason: string) => Number(new RegExp(`^aidhub_unauthenticated_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec((await send(hub.metricsUrl!, [['authorization', `Bearer ${METRICS_TOKEN}`]])).body)?.[1]);

it('serves a request with one Authorization header (the token kept for the ones below)', async () => {
  const res = await route('/graphql', [bearer()], ROUTES[0][2]);
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body).data.caller.name).toMatch(/^test-/);
});

describe.each(ROUTES)('%s', (_name, path, init) => {
  it.each([
    ['the client’s token, then a forged one', () => [bearer(), FORGED]],
    ['a forged token, then the client’s', () => [FORGED, bearer()]],
    ['the client’s token twice', () => [bearer(), bearer()]],
    ['an empty header, then the client’s token', () => ['', bearer()]],
  ])('refuses %s: 401 UNAUTHENTICATED, TOKEN_AMBIGUOUS, invalid_request, nothing run or audited', async (_what, authorizations) => {
    const before = (await auditRows(dbs)).length;
    const res = await route(path, authorizations(), init);
    expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, challenge: 'Bearer realm="aidhub", error="invalid_request"' });
    expect(JSON.parse(res.body)).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_AMBIGUOUS' } }] });
    expect((await auditRows(dbs)).length).toBe(before);
  });
});

it('counts the refusals in aidhub_unauthenticated_total and logs them as every unauthenticated request, no token in either', async () => {
  const before = await metricsCount('TOKEN_AMBIGUOUS');
  const res = await route('/graphql', [bearer(), FORGED], ROUTES[0][2]);
  expect(res.status).toBe(401);
  expect(await metricsCount('TOKEN_AMBIGUOUS')).toBe(before + 1);
  const refused = logLines.filter((l) => l.msg === 'unauthenticated request refused' && l.reason === 'TOKEN_AMBIGUOUS');
  expect(refused.length).toBeGreaterThan(0);
  expect(JSON.stringify(logLines)).not.toContain(hub.token);
  expect(JSON.stringify(logLines)).not.toContain('FFFFFFFF');
});

it('answers a path no route serves 404 still, repeated headers or not (a 401 there would say something is behind it)', async () => {
  const res = await send(`${hub.url}/exports/anything.csv`, [['authorization', bearer()], ['authorization', FORGED]]);
  expect(res.status).toBe(404);
  expect(JSON.parse(res.body).errors[0].extensions).toEqual({ code: 'NOT_FOUND', reason: 'NO_SUCH_ROUTE' });
});

describe('the metrics listener behind METRICS_TOKEN', () => {
  it('serves one Authorization header with its token', async () => {
    expect((await send(hub.metricsUrl!, [['authorization', `Bearer ${METRICS_TOKEN}`]])).status).toBe(200);
  });

  it.each([
    ['its token, then another', [`Bearer ${METRICS_TOKEN}`, 'Bearer wrong']],
    ['another, then its token', ['Bearer wrong', `Bearer ${METRICS_TOKEN}`]],
    ['its token twice', [`Bearer ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}`]],
  ])('refuses %s: 401, invalid_request, no metrics', async (_what, authorizations) => {
    const res = await send(hub.metricsUrl!, authorizations.map((a): [string, string] => ['authorization', a]));
    expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({ status: 401, challenge: 'Bearer realm="aidhub-metrics", error="invalid_request"' });
    expect(res.body).not.toContain('aidhub_');
  });
});

describe('X-Purpose, X-Officer and X-Case-Reference repeated (Node joins them with ", ")', () => {
  // Each was refused as a bad value of its own (two X-Purpose of a known purpose: UNKNOWN_PURPOSE,
  // which sent the caller to the list of purposes); now HEADER_REPEATED, naming the header.
  it.each([
    ['X-Purpose', [['x-purpose', 'ELIGIBILITY_REVIEW'], ['x-purpose', 'ELIGIBILITY_REVIEW']], 'X-Purpose'],
    ['X-Purpose, two purposes', [['x-purpose', 'ELIGIBILITY_REVIEW'], ['x-purpose', 'CASE_MEETING']], 'X-Purpose'],
    ['X-Purpose, the second empty', [['x-purpose', 'ELIGIBILITY_REVIEW'], ['x-purpose', '']], 'X-Purpose'],
    ['X-Officer', [PURPOSE, ['x-officer', 'officer-1'], ['x-officer', 'officer-2']], 'X-Officer'],
    ['X-Case-Reference', [PURPOSE, ['x-case-reference', 'CASE-1'], ['x-case-reference', 'CASE-2']], 'X-Case-Reference'],
  ] as [string, [string, string][], string][])('%s: refused 400 BAD_REQUEST, HEADER_REPEATED naming it, on GraphQL and on the other routes', async (_what, headers, header) => {
    for (const [, path, init] of ROUTES) {
      const res = await send(`${hub.url}${path}`, [['authorization', bearer()], ...headers, ...(init.headers ?? [])], init);
      expect({ path, status: res.status, extensions: JSON.parse(res.body).errors?.[0].extensions }).toEqual({ path, status: 400, extensions: { code: 'BAD_REQUEST', reason: 'HEADER_REPEATED', header } });
    }
  });
});
