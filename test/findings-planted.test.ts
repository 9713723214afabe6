/**
 * The demo generator's planted cases (tools/generate/plant.ts) through the real scan and the real
 * household view: every planted case is found with exactly the findings its manifest lists, and
 * no near miss is flagged, among a generated population with its own background defects.
 */
import { createHash } from 'node:crypto';
import { createScan } from '../db/findings/store';
import { runScan } from '../resolvers/findings/scan';
import { createHubLoaders } from '../db/household/loaders';
import { countStatements } from '../db/instrument';
import { PROGRAMMES, type ProgrammeCode } from '../domain/programmes';
import { rulesConcerning, type Proposal } from '../domain/findings/evaluate';
import { createFindingLoaders, preGrantCheck, type LiveRequest } from '../resolvers/findings/live';
import { createDepartmentLoaders } from '../federation/loaders';
import { activeRuleSet } from '../rules/load';
import { healthScenario } from '../federation/health/scenario';
import { generateDemo, type PlantManifest } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TODAY } from './support/scenarios';

const POPULATION = 400;
/** sha256 of the planted cases' finding fingerprints, sorted, one a line (seed 11, TODAY). */
const PLANTED_FINGERPRINTS_DIGEST = 'b53a0be7cbea3b55eb31d39e53e734d3455d543d43437050b7a13f5df776d41b';
/** Planted after the digest was taken (issue 13): each is checked by the tests above, the digest proves the earlier ones kept their identities. */
const PLANTED_AFTER_DIGEST = new Set(['X10-two-allocations', 'X11-orphan-and-unsupported', 'NM-X10-consecutive', 'NM-X11-revoked', 'NM-X3-suspended', 'X12-autumn-twice', 'NM-X12-next-year', 'X13-grant-to-pupil', 'NM-X13-boarded-in-junior']);
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
  expect([...rules].sort()).toEqual(['M1', 'M2', 'M3', 'M4', 'M5', 'X1', 'X10', 'X11', 'X12', 'X13', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9']);
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
  /** Findings with no household, by the person they concern. */
  const outside = new Map<string, string[]>();
  let after: string | null = null;
  for (;;) {
    const page: any = await monitoring.gql(
      `query($id: ID!, $after: String, $filter: FindingFilter) { scan(id: $id) { findings(filter: $filter, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id rule { id } household { id } people { idNumber } } } } } }`,
      { id, after, filter: { statuses: ALL_STATUSES } },
    );
    expect(page.errors).toBeUndefined();
    for (const e of page.data.scan.findings.edges) {
      const key = e.node.household?.id ?? 'none';
      byHousehold.set(key, [...(byHousehold.get(key) ?? []), e.node.rule.id]);
      idsByHousehold.set(key, [...(idsByHousehold.get(key) ?? []), e.node.id]);
      if (!e.node.household) for (const p of e.node.people) outside.set(p.idNumber, [...(outside.get(p.idNumber) ?? []), e.node.rule.id]);
    }
    if (!page.data.scan.findings.pageInfo.hasNextPage) break;
    after = page.data.scan.findings.pageInfo.endCursor;
  }

  const wrong = manifest.households
    .map((h) => ({ id: h.id, expected: h.expected, found: (byHousehold.get(String(h.householdId)) ?? []).sort() }))
    .filter((h) => JSON.stringify(h.expected) !== JSON.stringify(h.found));
  expect(wrong).toEqual([]);
  // People in no household are judged on their own, after the households.
  expect(manifest.people.length).toBeGreaterThanOrEqual(2);
  const wrongPeople = manifest.people.map((p) => ({ id: p.id, expected: p.expected, found: (outside.get(p.idNumber) ?? []).sort() })).filter((p) => JSON.stringify(p.expected) !== JSON.stringify(p.found));
  expect(wrongPeople).toEqual([]);

  // The generated population has defects of its own: the scan is not only finding what was planted.
  const background = [...byHousehold.entries()].filter(([h]) => !manifest.households.some((p) => String(p.householdId) === h));
  expect(background.length).toBeGreaterThan(0);
  scanned = idsByHousehold;
});

it('stores the planted cases under the fingerprints they always had: a finding’s identity depends on no table name', async () => {
  // Built from the rule and the records' kinds and keys (domain/findings/identity.ts), frozen per
  // adapter (recordKinds). This digest was taken before record kinds were declared, when each
  // adapter spelled its prefixes in place: a changed kind (or a kind that follows a renamed table)
  // changes it.
  const digested = manifest.households.filter((h) => !PLANTED_AFTER_DIGEST.has(h.id));
  expect(manifest.households.length - digested.length).toBe(PLANTED_AFTER_DIGEST.size);
  const ids = digested.map((h) => h.householdId);
  const [rows] = (await dbs.hubPool.query('SELECT fingerprint FROM finding WHERE household_id IN (?) ORDER BY fingerprint', [ids])) as any;
  const fingerprints = (rows as { fingerprint: string }[]).map((r) => r.fingerprint);
  expect(fingerprints.length).toBe(digested.reduce((n, h) => n + h.expected.length, 0));
  expect(createHash('sha256').update(fingerprints.join('\n')).digest('hex')).toBe(PLANTED_FINGERPRINTS_DIGEST);
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

it('answers a pre-grant check reading only the programmes its rules name as one reading everything', async () => {
  // Every member of every planted household (cases and near misses, all rules), proposed every programme.
  const ids = manifest.households.map((h) => h.householdId);
  const [members] = (await dbs.hubPool.query('SELECT DISTINCT id_number FROM household_member WHERE household_id IN (?) ORDER BY id_number', [ids])) as any;
  // Each insured person's first settlement that was not reversed (a proposal names one).
  const settlementOf = new Map<string, string>();
  for (const s of await healthScenario.rows(dbs.sources.HEALTH, 'settlements', { refdSetlFlag: '0' })) if (!settlementOf.has(s.psnCertNo)) settlementOf.set(s.psnCertNo, s.setlId);
  const rules = activeRuleSet().rules;
  // A source that timed out under load makes one answer partial, which would read as a
  // disagreement. The test sources wait generously (TEST_SOURCE_TIMEOUT_MS), and a partial answer
  // fails the test by its own name, never as a difference between the two checks.
  const partial: string[] = [];
  const request = (): LiveRequest => {
    const unavailable: LiveRequest['unavailable'] = new Map();
    const departments = createDepartmentLoaders(dbs.sourceSet, TODAY, (outcome) => {
      if (!outcome.available) unavailable.set(outcome.department, outcome);
    });
    return {
      hub: dbs.hub,
      sources: dbs.sourceSet,
      today: TODAY,
      loaders: { hub: createHubLoaders(dbs.hub), departments, findings: createFindingLoaders({ hub: dbs.hub, sources: dbs.sourceSet, unavailable, today: TODAY }) },
      unavailable,
    };
  };
  const check = async (p: Proposal, options?: { everything: true }) => {
    const req = request();
    const counted = await countStatements(() => preGrantCheck(req, p, rules, options));
    for (const o of req.unavailable.values()) partial.push(`${o.department} ${o.reason}`);
    return counted;
  };
  const proposal = (idNumber: string, programme: ProgrammeCode): Proposal => {
    const recurring = PROGRAMMES.find((p) => p.code === programme)!.kind === 'RECURRING';
    return {
      programme,
      beneficiaryIdNumber: idNumber,
      periodStart: recurring ? `${TODAY.slice(0, 7)}-01` : null,
      periodEnd: null,
      grantDate: recurring ? null : TODAY,
      amountFen: 300_000,
      cause: 'ILLNESS',
      settlementRef: settlementOf.get(idNumber) ?? null,
    };
  };
  const differ: unknown[] = [];
  let flagged = 0;
  let checks = 0;
  // Checks of a programme some rule names: only those can flag anything.
  let concerned = 0;
  const statements = { narrow: 0, everything: 0 };
  const people: string[] = members.map((m: any) => m.id_number);
  for (let i = 0; i < people.length; i += 8) {
    await Promise.all(
      people.slice(i, i + 8).map(async (who) => {
        for (const { code } of PROGRAMMES) {
          const p = proposal(who, code);
          const narrow = await check(p);
          const everything = await check(p, { everything: true });
          statements.narrow += narrow.counter.total;
          statements.everything += everything.counter.total;
          checks += 1;
          if (rulesConcerning(rules, code).length > 0) concerned += 1;
          if (narrow.result.findings.length > 0) flagged += 1;
          if (JSON.stringify(narrow.result) !== JSON.stringify(everything.result)) differ.push({ who: who.slice(0, 6), programme: code });
        }
      }),
    );
  }
  expect(partial).toEqual([]);
  expect(differ).toEqual([]);
  // Not a vacuous comparison: many proposals conflict, warn or complete a missed-aid pattern.
  expect(checks).toBeGreaterThan(500);
  expect(flagged).toBeGreaterThan(concerned / 10);
  // A department's tables are one statement (their UNION ALL); the tables a check does not need are
  // switched off inside it (federation/<dept>/<dept>.test.ts), so a narrow check never costs more.
  expect(statements.narrow).toBeLessThanOrEqual(statements.everything);
  // A temporary aid reads civil affairs' 临时救助 table (X5) and its 低保 and 特困 tables (M5), not
  // its child allowances: still one statement.
  const temp = proposal(people[0], 'TEMP_AID');
  const [narrow, everything] = [await check(temp), await check(temp, { everything: true })];
  expect([narrow.counter.bySource.get('CIVIL_AFFAIRS'), everything.counter.bySource.get('CIVIL_AFFAIRS')]).toEqual([1, 1]);
}, 120_000);

it('moves a scan’s progress within a chunk, slice by slice, and finds the same with any slice size', async () => {
  const ruleSet = activeRuleSet();
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, ruleSet, today: TODAY };
  const start = () => createScan(dbs.hub, { regionCode: '370800', asOf: TODAY, ruleSet, startedBy: 'test', startedByDepartment: null });
  const seen: { done: number; findings: number }[] = [];
  const stored: { done: number }[] = [];
  const sliced = await start();
  const bySlice = await runScan(deps, sliced, '370800', {
    chunkHouseholds: 5000,
    sliceHouseholds: 50,
    onProgress: (c) => seen.push({ done: c.householdsDone, findings: c.findingsCount }),
  });
  const [row] = (await dbs.hubPool.query('SELECT households_done AS done FROM finding_scan WHERE id = ?', [sliced])) as any;
  stored.push(...row);
  // The whole division is one chunk, stored once at its end; before that, progress moved 50 households at a time.
  const beforeStore = seen.filter((s) => s.findings === 0 && s.done < bySlice.householdsTotal);
  expect(beforeStore.length).toBeGreaterThanOrEqual(Math.floor(bySlice.householdsTotal / 50) - 1);
  expect(seen.map((s) => s.done)).toEqual([...seen.map((s) => s.done)].sort((a, b) => a - b));
  expect(seen[seen.length - 1]).toEqual({ done: bySlice.householdsTotal, findings: bySlice.findingsCount });
  expect(stored).toEqual([{ done: bySlice.householdsTotal }]);
  const whole = await runScan(deps, await start(), '370800', {});
  expect({ households: whole.householdsDone, findings: whole.findingsCount }).toEqual({ households: bySlice.householdsDone, findings: bySlice.findingsCount });
}, 120_000);

it('stops a hub only once the scans it started have ended or been handed over: no job outlives its server', async () => {
  // A stopping hub hands a running scan over at its next chunk (lease expired, token + 1) rather
  // than finishing it first; either way nothing of it runs, or writes, once close() has resolved.
  const other = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING' });
  const started = await other.gql(`mutation { scanStart(input: { regionCode: "370800" }) { scan { id } userErrors { code } } }`);
  expect(started.data.scanStart.userErrors).toEqual([]);
  const scanId = Number(started.data.scanStart.scan.id);
  await other.close();
  const read = async () => {
    const [[scan]] = (await dbs.hubPool.query('SELECT state, households_done AS done FROM finding_scan WHERE id = ?', [scanId])) as any;
    const [[lease]] = (await dbs.hubPool.query('SELECT holder, expires_at <= UTC_TIMESTAMP(3) AS expired FROM job_lease WHERE job_key = ?', [`scan:${scanId}`])) as any;
    return { scan, lease };
  };
  const closed = await read();
  if (closed.scan.state === 'RUNNING') expect(closed.lease).toEqual({ holder: '', expired: 1 });
  else expect(closed.scan.state).toBe('SUCCEEDED');
  await new Promise((r) => setTimeout(r, 500));
  expect(await read()).toEqual(closed);
}, 120_000);
