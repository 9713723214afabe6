/**
 * The public paths (/healthz, /readyz and the query page /) take GET, and HEAD as a GET without
 * its body. Any other method answered 404 NOT_FOUND, NO_SUCH_ROUTE, though the resource is there (a
 * probe misconfigured to POST /readyz was told the path does not exist); it is 405 with `Allow:
 * GET, HEAD` (RFC 9110 §15.5.6) and the refusal /graphql gives a method it does not take
 * (BAD_REQUEST, METHOD_NOT_ALLOWED: test/http/graphql-methods.test.ts), token or not, nothing audited.
 */
import { auditRows } from '../support/audit-trail';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, TODAY } from '../support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('public_methods');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const PATHS = ['/healthz', '/readyz', '/'];

describe.each(PATHS)('%s', (path) => {
  it('answers GET, and HEAD with the same status and type and no body', async () => {
    const get = await fetch(`${hub.url}${path}`);
    expect(get.status).toBe(200);
    await get.arrayBuffer();
    const head = await fetch(`${hub.url}${path}`, { method: 'HEAD' });
    expect({ status: head.status, type: head.headers.get('content-type'), body: await head.text() }).toEqual({ status: 200, type: get.headers.get('content-type'), body: '' });
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s: 405, Allow: GET, HEAD, BAD_REQUEST METHOD_NOT_ALLOWED, with a token or without, nothing audited', async (method) => {
    const before = (await auditRows(dbs)).length;
    for (const headers of [{}, hub.authHeaders]) {
      const res = await fetch(`${hub.url}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(method === 'OPTIONS' ? {} : { body: '{}' }) });
      expect({ status: res.status, allow: res.headers.get('allow'), type: res.headers.get('content-type') }).toEqual({ status: 405, allow: 'GET, HEAD', type: expect.stringMatching(/^application\/json/) });
      expect(((await res.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'METHOD_NOT_ALLOWED' });
    }
    expect((await auditRows(dbs)).length).toBe(before);
  });
});

it('answers a path nobody serves 404 still, whatever the method', async () => {
  const res = await fetch(`${hub.url}/readyz/more`, { method: 'POST' });
  expect(res.status).toBe(404);
  expect(((await res.json()) as any).errors[0].extensions).toEqual({ code: 'NOT_FOUND', reason: 'NO_SUCH_ROUTE' });
});
