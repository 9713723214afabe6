/**
 * `scans(regionCode:)` naming a division the caller's scope does not touch answered an empty list,
 * where every other filter by division (alerts, overdueReport, householdsInRegion, the charity
 * lists, a scan's findings by township) refuses it FORBIDDEN, OUT_OF_SCOPE. It is refused the same
 * way now, with or without whitespace around the code. A division that encloses the scope (a
 * township caller asking for its county's scans) is still answered: `scans` lists the scans of
 * every division that overlaps the caller's scope.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

const SCANS = `query($code: String) { scans(regionCode: $code) { edges { node { id region { code } } } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let county: ReturnType<TestHub['as']>;
let township: ReturnType<TestHub['as']>;
let scanId: string;

beforeAll(async () => {
  dbs = await createTestDatabases('scans_scope');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING' });
  const c = await hub.createClient({ name: 'scans-county', regionScope: '370811', roles: ['READER'] });
  county = hub.as({ token: c.token, purpose: 'MONITORING' });
  const t = await hub.createClient({ name: 'scans-township', regionScope: '370811001', roles: ['READER'] });
  township = hub.as({ token: t.token, purpose: 'MONITORING' });
  // One scan of each county: the province-wide default client may start both.
  const started = await hub.gql(`mutation { a: scanStart(input: { regionCode: "370811" }) { scan { id } userErrors { code } } b: scanStart(input: { regionCode: "370826" }) { scan { id } userErrors { code } } }`);
  expect([started.data.a.userErrors, started.data.b.userErrors]).toEqual([[], []]);
  scanId = started.data.a.scan.id;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('refuses a division outside the caller’s scope OUT_OF_SCOPE, as the other filters do, not an empty list', async () => {
  for (const code of ['370826', ' 370826 ', '370826100']) {
    const res = await county.gql(SCANS, { code });
    expect({ code, errors: res.errors?.map((e) => ({ code: e.extensions?.code, reason: e.extensions?.reason })) }).toEqual({ code, errors: [{ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' }] });
    expect(res.data ?? null).toBeNull();
  }
});

it('answers a division in the scope, and one enclosing it, with its scans', async () => {
  const own = await county.gql(SCANS, { code: '370811' });
  expect(own.errors).toBeUndefined();
  expect(own.data.scans.edges.map((e: any) => e.node.id)).toEqual([scanId]);
  const enclosing = await township.gql(SCANS, { code: '370811' });
  expect(enclosing.errors).toBeUndefined();
  expect(enclosing.data.scans.edges.map((e: any) => e.node.id)).toEqual([scanId]);
});
