/**
 * The demo generator's planted cases (tools/generate/plant.ts) through the real scan and the real
 * household view: every planted case is found with exactly the findings its manifest lists, and
 * no near miss is flagged, among a generated population with its own background defects.
 */
import { generateDemo, type PlantManifest } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TODAY } from './support/scenarios';

const POPULATION = 400;
const ALL_STATUSES = ['OPEN', 'CONFIRMED', 'DISMISSED', 'RESOLVED'];

let dbs: TestDatabases;
let hub: TestHub;
let manifest: PlantManifest;
let scanned = new Map<string, string[]>();

beforeAll(async () => {
  dbs = await createTestDatabases('planted');
  await generateDemo({
    hubUrl: dbs.hubUrl,
    sourceUrls: dbs.sourceUrls,
    households: POPULATION,
    seed: 11,
    referenceDate: TODAY,
    provision: false,
    plant: true,
    onPlanted: (m) => (manifest = m),
  });
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('plants a case of every default rule, and near misses', () => {
  const rules = new Set(manifest.households.filter((h) => h.kind === 'CASE').map((h) => h.rule));
  expect([...rules].sort()).toEqual(['M1', 'M2', 'M3', 'M4', 'M5', 'X1', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9']);
  expect(manifest.households.filter((h) => h.kind === 'NEAR_MISS').length).toBeGreaterThanOrEqual(10);
  expect(manifest.households.every((h) => h.householdId > POPULATION)).toBe(true);
});

it('finds every planted case and flags no near miss, in a scan of the city', async () => {
  const monitoring = hub.as({ purpose: 'MONITORING' });
  const started = await monitoring.gql(`mutation { scanStart(input: { regionCode: "370800" }) { scan { id } userErrors { code } } }`);
  expect(started.data.scanStart.userErrors).toEqual([]);
  const id = started.data.scanStart.scan.id;
  let scan: any;
  for (let i = 0; i < 600; i++) {
    scan = (await monitoring.gql(`query($id: ID!) { scan(id: $id) { state failure progress { householdsTotal householdsDone findings } } }`, { id })).data.scan;
    if (scan.state !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(scan).toMatchObject({ state: 'SUCCEEDED', failure: null });
  // The planted village is in 任城区; the rest of the city is scanned too.
  expect(scan.progress.householdsTotal).toBeGreaterThan(manifest.households.length);

  const byHousehold = new Map<string, string[]>();
  const idsByHousehold = new Map<string, string[]>();
  let after: string | null = null;
  for (;;) {
    const page: any = await monitoring.gql(
      `query($id: ID!, $after: String, $filter: FindingFilter) { scan(id: $id) { findings(filter: $filter, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id rule { id } household { id } } } } } }`,
      { id, after, filter: { statuses: ALL_STATUSES } },
    );
    expect(page.errors).toBeUndefined();
    for (const e of page.data.scan.findings.edges) {
      const key = e.node.household?.id ?? 'none';
      byHousehold.set(key, [...(byHousehold.get(key) ?? []), e.node.rule.id]);
      idsByHousehold.set(key, [...(idsByHousehold.get(key) ?? []), e.node.id]);
    }
    if (!page.data.scan.findings.pageInfo.hasNextPage) break;
    after = page.data.scan.findings.pageInfo.endCursor;
  }

  const wrong = manifest.households
    .map((h) => ({ id: h.id, expected: h.expected, found: (byHousehold.get(String(h.householdId)) ?? []).sort() }))
    .filter((h) => JSON.stringify(h.expected) !== JSON.stringify(h.found));
  expect(wrong).toEqual([]);
  // The generated population has defects of its own: the scan is not only finding what was planted.
  const background = [...byHousehold.entries()].filter(([h]) => !manifest.households.some((p) => String(p.householdId) === h));
  expect(background.length).toBeGreaterThan(0);
  scanned = idsByHousehold;
});

it('finds in every household of the city what the household view finds there', async () => {
  // The scan asks each department only about people it holds rows for (federation/person-keys.ts);
  // the household view asks about everyone. They must agree, finding for finding.
  const all = await dbs.hubPool.query('SELECT id FROM household ORDER BY id');
  const ids = (all[0] as { id: number }[]).map((r) => String(r.id));
  const differ: unknown[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const res = await hub.gql(`query($ids: [ID!]!) { households(ids: $ids) { id region { code } findings { id } } }`, { ids: ids.slice(i, i + 50) });
    expect(res.errors).toBeUndefined();
    for (const h of res.data.households) {
      if (!h.region.code.startsWith('3708')) continue;
      const live = h.findings.map((f: any) => f.id).sort();
      const scan = (scanned.get(h.id) ?? []).sort();
      if (JSON.stringify(live) !== JSON.stringify(scan)) differ.push({ household: h.id, live, scan });
    }
  }
  expect(differ).toEqual([]);
});

it('gives the same findings in the household view', async () => {
  const ids = manifest.households.map((h) => String(h.householdId));
  const res = await hub.gql(`query($ids: [ID!]!) { households(ids: $ids) { id findings { rule { id } } } }`, { ids });
  expect(res.errors).toBeUndefined();
  const found = new Map<string, string[]>(res.data.households.map((h: any) => [h.id, h.findings.map((f: any) => f.rule.id).sort()]));
  for (const h of manifest.households) expect({ id: h.id, found: found.get(String(h.householdId)) }).toEqual({ id: h.id, found: h.expected });
});
