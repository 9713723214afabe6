/**
 * A request carrying two Content-Type headers was read by the first: Node keeps the first of a
 * repeated Content-Type in `req.headers` and drops the rest, while a proxy or web application
 * firewall in front may have judged the body by the other (a body inspected as text/plain and read by
 * the hub as JSON). It is refused on every route behind the access middleware, before the token is
 * judged, whatever the two say: 400 BAD_REQUEST, reason HEADER_REPEATED, `header: "Content-Type"`,
 * nothing run or audited (access/http.ts refuseRepeatedHeaders, sharing repeatedHeader with
 * TOKEN_AMBIGUOUS).
 */
import { auditRows } from '../support/audit-trail';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { sendRaw } from '../support/raw-request';
import { insertRegions, TODAY } from '../support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('repeated_ctype');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const CALLER = JSON.stringify({ query: '{ caller { name } }' });
const JSON_TYPE = 'application/json';
const auth = (): [string, string][] => [['authorization', `Bearer ${hub.token}`], ['x-purpose', 'ELIGIBILITY_REVIEW']];
const post = (headers: [string, string][]) => sendRaw(`${hub.url}/graphql`, headers, { method: 'POST', body: CALLER });

it('serves a POST with one Content-Type', async () => {
  const res = await post([...auth(), ['content-type', JSON_TYPE]]);
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body).data.caller.name).toMatch(/^test-/);
});

it.each([
  ['JSON, then text', [JSON_TYPE, 'text/plain']],
  ['text, then JSON', ['text/plain', JSON_TYPE]],
  ['JSON twice', [JSON_TYPE, JSON_TYPE]],
  ['JSON, then JSON in UTF-16', [JSON_TYPE, 'application/json; charset=utf-16']],
])('POST /graphql with %s: 400 HEADER_REPEATED naming Content-Type, with a token or without, nothing run or audited', async (_what, types) => {
  const before = (await auditRows(dbs)).length;
  for (const credentials of [auth(), []]) {
    const res = await post([...credentials, ...types.map((t): [string, string] => ['content-type', t])]);
    expect({ status: res.status, body: JSON.parse(res.body) }).toEqual({ status: 400, body: { errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST', reason: 'HEADER_REPEATED', header: 'Content-Type' } }] } });
  }
  expect((await auditRows(dbs)).length).toBe(before);
});

it.each(['/exports/overdue.csv?regionCode=370811', '/cases/1/brief', `/graphql?query=${encodeURIComponent('{ caller { name } }')}`])('GET %s with two Content-Type headers: 400 HEADER_REPEATED', async (path) => {
  const res = await sendRaw(`${hub.url}${path}`, [...auth(), ['content-type', JSON_TYPE], ['content-type', 'text/plain']]);
  expect([res.status, JSON.parse(res.body).errors[0].extensions]).toEqual([400, { code: 'BAD_REQUEST', reason: 'HEADER_REPEATED', header: 'Content-Type' }]);
});

it('a Content-Type and another header Node joins (Accept twice) are served', async () => {
  const res = await post([...auth(), ['content-type', JSON_TYPE], ['accept', JSON_TYPE], ['accept', 'application/graphql-response+json']]);
  expect(res.status).toBe(200);
});
