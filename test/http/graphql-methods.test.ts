/**
 * /graphql takes GET and POST only (the GraphQL-over-HTTP spec's two). Any other method, HEAD
 * among them, is 405 with `Allow: GET, POST` (RFC 9110 §15.5.6: a 405 MUST list the methods the
 * resource takes) and the documented body, BAD_REQUEST, reason METHOD_NOT_ALLOWED, and runs
 * nothing. HEAD is not answered as a GET without a body: a GET runs the operation in its query
 * string (audited, the personal data read), which a HEAD would read for no one to receive, and GET's
 * headers without running it would guess a status that depends on the operation (docs/access.md).
 */
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { auditRows } from '../support/audit-trail';
import { insertRegions, TODAY } from '../support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('gql_methods');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const query = `/graphql?query=${encodeURIComponent('{ caller { name } }')}`;

it('a GET still runs, and is audited', async () => {
  const before = (await auditRows(dbs)).length;
  const res = await fetch(`${hub.url}${query}`, { headers: hub.authHeaders });
  expect(res.status).toBe(200);
  expect(((await res.json()) as any).data.caller.name).toEqual(expect.any(String));
  expect((await auditRows(dbs)).length).toBe(before + 1);
});

it.each(['HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s: 405, Allow: GET, POST, the documented error, nothing run or audited', async (method) => {
  const before = (await auditRows(dbs)).length;
  for (const path of ['/graphql', query]) {
    const res = await fetch(`${hub.url}${path}`, { method, headers: hub.authHeaders });
    const body = await res.text();
    expect({ method, path, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, path, status: 405, allow: 'GET, POST' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (method === 'HEAD') expect(body).toBe('');
    else expect(JSON.parse(body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'METHOD_NOT_ALLOWED' });
  }
  expect((await auditRows(dbs)).length).toBe(before);
});

it('a mutation over GET: 405, Allow: POST, nothing run', async () => {
  const before = (await auditRows(dbs)).length;
  const res = await fetch(`${hub.url}/graphql?query=${encodeURIComponent('mutation { scanStart(input: { regionCode: "370811" }) { __typename } }')}`, { headers: { ...hub.authHeaders, 'apollo-require-preflight': 'true' } });
  expect({ status: res.status, allow: res.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
  expect(((await res.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'MUTATION_OVER_GET' });
  expect((await auditRows(dbs)).length).toBe(before);
});
