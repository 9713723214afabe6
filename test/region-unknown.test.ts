/**
 * A division code that narrows a list, misspelt: every argument taking one refuses a code the hub
 * holds nothing of (no region row, no household under it: 370811999) with BAD_USER_INPUT, reason
 * REGION_UNKNOWN, as householdsInRegion does, instead of answering an empty list a clerk reads as
 * a division with no alert, no scan, nothing late, no need. A known division with nothing in it
 * still answers empty. One shared check (resolvers/common.ts refuseUnknownDivision), asked only
 * when the answer is empty.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

/** A typo'd township of 任城区: no region row, no household under it. */
const TYPO = '370811999';
/** 夏镇街道: a township the hub's region table holds, with no household in this scenario. */
const KNOWN_EMPTY = '370826100';

let dbs: TestDatabases;
let hub: TestHub;
let charity: ReturnType<TestHub['as']>;
let scanId: string;

beforeAll(async () => {
  dbs = await createTestDatabases('region_unknown');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING' });
  const c = await hub.createClient({ department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
  charity = hub.as({ token: c.token, purpose: 'CHARITY_LINKAGE' });
  const started = await hub.gql(`mutation { scanStart(input: { regionCode: "370811" }) { scan { id } userErrors { code } } }`);
  expect(started.data.scanStart.userErrors).toEqual([]);
  scanId = started.data.scanStart.scan.id;
  for (let i = 0; i < 300; i++) {
    const res = await hub.gql(`query($id: ID!) { scan(id: $id) { state } }`, { id: scanId });
    if (res.data.scan.state !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** Each entry point: how to ask it with a code, the argument its refusal names, and how to read its list. */
/**
 * The charities' lists of needs take a county or a wider division (a township's code is
 * REGION_FINER_THAN_COUNTY: a need keeps its county alone, test/charity.test.ts): a county the hub
 * holds nothing of (no region row, no household, no person of its address code), and 微山县, held with
 * no need in it.
 */
const COUNTY_CODES = { typo: '370899', knownEmpty: '370826' };

const ENTRY_POINTS: { name: string; ask: (code: string) => Promise<any>; argument: string; list: (data: any) => unknown[]; codes?: { typo: string; knownEmpty: string } }[] = [
  {
    name: 'alerts(filter: { regionCode })',
    ask: (code) => hub.gql(`query($code: String) { alerts(filter: { regionCode: $code }) { edges { node { id } } } }`, { code }),
    argument: 'filter.regionCode',
    list: (d) => d.alerts.edges,
  },
  {
    name: 'scans(regionCode)',
    ask: (code) => hub.gql(`query($code: String) { scans(regionCode: $code) { edges { node { id } } } }`, { code }),
    argument: 'regionCode',
    list: (d) => d.scans.edges,
  },
  {
    name: 'Scan.findings(filter: { townshipCode })',
    ask: (code) => hub.gql(`query($id: ID!, $code: String) { scan(id: $id) { findings(filter: { townshipCode: $code }) { edges { node { id } } } } }`, { id: scanId, code }),
    argument: 'filter.townshipCode',
    list: (d) => d.scan.findings.edges,
  },
  {
    name: 'overdueReport(regionCode)',
    ask: (code) => hub.gql(`query($code: String) { overdueReport(regionCode: $code) { byOffice { office { key } } byTownship { township { code } } } }`, { code }),
    argument: 'regionCode',
    list: (d) => [...d.overdueReport.byOffice, ...d.overdueReport.byTownship],
  },
  {
    name: 'monthlyComparisons(regionCode)',
    ask: (code) => hub.gql(`query($code: String) { monthlyComparisons(regionCode: $code) { month } }`, { code }),
    argument: 'regionCode',
    list: (d) => d.monthlyComparisons,
  },
  {
    name: 'charityProjects(regionCode)',
    ask: (code) => hub.gql(`query($code: String) { charityProjects(regionCode: $code) { id } }`, { code }),
    argument: 'regionCode',
    list: (d) => d.charityProjects,
  },
  {
    name: 'charityNeedSummaries(regionCode)',
    ask: (code) => charity.gql(`query($code: String) { charityNeedSummaries(regionCode: $code) { edges { node { id } } } }`, { code }),
    argument: 'regionCode',
    list: (d) => d.charityNeedSummaries.edges,
    codes: COUNTY_CODES,
  },
  {
    name: 'charityNeeds(regionCode)',
    ask: (code) => charity.gql(`query($code: String) { charityNeeds(regionCode: $code) { id } }`, { code }),
    argument: 'regionCode',
    list: (d) => d.charityNeeds,
    codes: COUNTY_CODES,
  },
];

describe.each(ENTRY_POINTS)('$name', ({ ask, argument, list, codes = { typo: TYPO, knownEmpty: KNOWN_EMPTY } }) => {
  it('refuses a division the hub holds nothing of (REGION_UNKNOWN), not an empty list', async () => {
    const res = await ask(codes.typo);
    expect(res.errors?.map((e: any) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument, reason: 'REGION_UNKNOWN' })]);
  });

  it('answers a known division with nothing in it empty, as before', async () => {
    const res = await ask(codes.knownEmpty);
    expect(res.errors).toBeUndefined();
    expect(list(res.data)).toEqual([]);
  });
});

describe('a division outside the caller’s scope', () => {
  it('is OUT_OF_SCOPE to a charity whether or not the hub holds anything there: REGION_UNKNOWN would tell an outside organisation where people are registered', async () => {
    // 济南市 (3701…), outside the charity's 370800: one code the hub holds nothing of, one it may.
    for (const code of ['370102', '370199']) {
      for (const query of [`query($code: String) { charityNeeds(regionCode: $code) { id } }`, `query($code: String) { charityNeedSummaries(regionCode: $code) { edges { node { id } } } }`]) {
        const res = await charity.gql(query, { code });
        expect({ code, errors: res.errors?.map((e: any) => e.extensions) }).toEqual({ code, errors: [{ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' }] });
      }
    }
  });
});
