/**
 * While `npm start` is still starting, its early listener (server/early-listener.ts) refuses a
 * method a path does not take as the hub does once it serves: 405 with the path's `Allow`, BAD_REQUEST,
 * reason METHOD_NOT_ALLOWED, the same body, by the same functions (refusePublicMethod,
 * refuseUndeclaredMethod, access/http-refusals.ts). It answered by path alone: a PUT to /graphql or
 * a POST to an export was 503 STARTING and a POST to /healthz 200 `starting`, and a client was told
 * 405 only once the hub was ready. Every other request is still answered `starting`.
 */
import type net from 'node:net';
import { PUBLIC_PATHS, ROUTE_RULES } from '../../access/policy';
import { EarlyListener } from '../../server/early-listener';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, TODAY } from '../support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let early: EarlyListener;
let earlyUrl: string;

beforeAll(async () => {
  dbs = await createTestDatabases('early_methods');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  early = new EarlyListener();
  await early.listen(0, '127.0.0.1');
  earlyUrl = `http://127.0.0.1:${(early.server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await early?.close();
  await hub?.close();
  await dbs?.close();
});

/** A path of each declared route (ROUTE_RULES), /graphql and the public paths. */
const PATHS = ['/cases/1/brief', '/exports/scans/1/findings.csv', '/exports/overdue.csv?regionCode=370811', '/graphql', ...PUBLIC_PATHS];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

it('covers every route ROUTE_RULES declares', () => {
  for (const rule of ROUTE_RULES) expect([rule.path.source, PATHS.some((p) => rule.path.test(p.split('?')[0]))]).toEqual([rule.path.source, true]);
});

async function answer(base: string, path: string, method: string) {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(['GET', 'HEAD', 'OPTIONS'].includes(method) ? {} : { body: '{}' }) });
  const body = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), type: res.headers.get('content-type'), body: res.headers.get('content-type')?.includes('json') && body ? JSON.parse(body) : null };
}

describe.each(PATHS)('%s', (path) => {
  it.each(METHODS)('%s: the 405 the ready hub gives, and nothing else refused so', async (method) => {
    const ready = await answer(hub.url, path, method);
    const starting = await answer(earlyUrl, path, method);
    if (ready.status === 405) {
      expect(ready.allow).not.toBeNull();
      expect(starting).toEqual(ready);
    } else {
      // Not the hub's 405: answered `starting` as before (200 on /healthz, else 503).
      expect(starting.status).toBe(path === '/healthz' && (method === 'GET' || method === 'HEAD') ? 200 : 503);
      expect(starting.allow).toBeNull();
    }
  });
});

it('refuses the methods the ready hub refuses: PUT /graphql, POST to an export, POST /healthz', async () => {
  expect(await answer(earlyUrl, '/graphql', 'PUT')).toMatchObject({ status: 405, allow: 'GET, POST', body: { errors: [{ extensions: { code: 'BAD_REQUEST', reason: 'METHOD_NOT_ALLOWED' } }] } });
  expect(await answer(earlyUrl, '/exports/overdue.csv', 'POST')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
  expect(await answer(earlyUrl, '/healthz', 'POST')).toMatchObject({ status: 405, allow: 'GET, HEAD' });
  // A method the path takes is still told the hub is starting.
  expect(await answer(earlyUrl, '/graphql', 'POST')).toMatchObject({ status: 503, body: { errors: [{ extensions: { code: 'HUB_UNAVAILABLE', reason: 'STARTING' } }] } });
  expect(await answer(earlyUrl, '/HEALTHZ/', 'GET')).toMatchObject({ status: 200, body: { status: 'starting' } });
});
