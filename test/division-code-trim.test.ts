/**
 * A division code sent with whitespace around it (`regionCode: " 370811"`, a code pasted from a
 * spreadsheet) is trimmed, as README's Texts say of every single-line text, by every field that
 * takes one; before, each refused it (MALFORMED_DIVISION_CODE). The scope check and the resolver
 * read the same trimmed code (access/enforce.ts, access/errors.ts requireDivisionCode): a code
 * outside the caller's scope sent with spaces (" 370826") is refused OUT_OF_SCOPE as it is without
 * them, where trimming in the resolver alone would have let it past the check, which judged only a
 * division code.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { HOSTS, subscriberClient } from './alert-delivery/scenario';

/** 任城区, the callers' scope. */
const IN = '370811';
/** 微山县: outside it. */
const OUT = '370826';

let dbs: TestDatabases;
let hub: TestHub;
let county: ReturnType<TestHub['as']>;
let charity: ReturnType<TestHub['as']>;
let township: ReturnType<TestHub['as']>;
let scanId: string;

beforeAll(async () => {
  dbs = await createTestDatabases('division_trim');
  await insertRegions(dbs);
  await insertWang(dbs);
  await subscriberClient(dbs.hub, 'trim-alerts');
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', config: { callbackHosts: HOSTS } });
  const c = await hub.createClient({ name: 'trim-county', regionScope: IN, roles: ['READER', 'CASEWORKER', 'ADMINISTRATOR'] });
  county = hub.as({ token: c.token, purpose: 'MONITORING' });
  const ch = await hub.createClient({ name: 'trim-charity', department: 'CHARITY', regionScope: IN, roles: ['CHARITY'] });
  charity = hub.as({ token: ch.token, purpose: 'CHARITY_LINKAGE' });
  const t = await hub.createClient({ name: 'trim-township', regionScope: `${IN}001`, roles: ['READER'] });
  township = hub.as({ token: t.token, purpose: 'MONITORING' });
  const started = await hub.gql(`mutation { scanStart(input: { regionCode: "${IN}" }) { scan { id } userErrors { code } } }`);
  expect(started.data.scanStart.userErrors).toEqual([]);
  scanId = started.data.scanStart.scan.id;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** Each field taking a division code: how to ask it, as whom, and what it answered. */
const FIELDS: { name: string; ask: (code: string) => Promise<any>; answered?: (data: any) => unknown; written?: (data: any) => unknown }[] = [
  { name: 'householdsInRegion(code)', ask: (code) => county.gql(`query($code: String!) { householdsInRegion(code: $code) { edges { node { id } } } }`, { code }), answered: (d) => d.householdsInRegion.edges.length },
  { name: 'overdueReport(regionCode)', ask: (code) => county.gql(`query($code: String) { overdueReport(regionCode: $code) { byTownship { township { code } } } }`, { code }), answered: (d) => d.overdueReport.byTownship },
  { name: 'alerts(filter.regionCode)', ask: (code) => county.gql(`query($code: String) { alerts(filter: { regionCode: $code }) { edges { node { id } } } }`, { code }), answered: (d) => d.alerts.edges },
  { name: 'monthlyComparisons(regionCode)', ask: (code) => county.gql(`query($code: String) { monthlyComparisons(regionCode: $code) { region { code } } }`, { code }), answered: (d) => d.monthlyComparisons },
  { name: 'monthlyComparisonRun(input.regionCode)', ask: (code) => county.gql(`mutation($code: String!) { monthlyComparisonRun(input: { regionCode: $code }) { __typename } }`, { code }), written: (d) => d.monthlyComparisonRun.__typename },
  { name: 'scanStart(input.regionCode)', ask: (code) => county.gql(`mutation($code: String!) { scanStart(input: { regionCode: $code }) { scan { region { code } } userErrors { code } } }`, { code }), written: (d) => d.scanStart.scan?.region.code ?? d.scanStart.userErrors },
  { name: 'charityNeeds(regionCode)', ask: (code) => charity.gql(`query($code: String) { charityNeeds(regionCode: $code) { id } }`, { code }), answered: (d) => d.charityNeeds },
  { name: 'charityNeedSummaries(regionCode)', ask: (code) => charity.gql(`query($code: String) { charityNeedSummaries(regionCode: $code) { edges { node { id } } } }`, { code }), answered: (d) => d.charityNeedSummaries.edges },
  {
    name: 'charityProjectCreate(input.regionCode)',
    ask: (code) => charity.gql(`mutation($code: String!) { charityProjectCreate(input: { title: "生活救助", purpose: LIVING, regionCode: $code, budgetFen: 100000, reference: "TRIM-1" }) { userErrors { code } } }`, { code }),
    // The charity has no organisation registered: its first refusal after the division code.
    written: (d) => d.charityProjectCreate.userErrors.map((e: any) => e.code),
  },
  {
    name: 'alertSubscriptionCreate(input.regionCodes)',
    ask: (code) => county.gql(`mutation($code: String!) { alertSubscriptionCreate(input: { client: "trim-alerts", callbackUrl: "http://127.0.0.1:4640/hook", regionCodes: [$code] }) { subscription { regions { code } } userErrors { code } } }`, { code }),
    written: (d) => d.alertSubscriptionCreate.subscription?.regions ?? d.alertSubscriptionCreate.userErrors,
  },
];

/** What each write answers for the padded code: the code it took, trimmed, or its first refusal after the code. */
const WRITTEN: Record<string, unknown> = {
  'monthlyComparisonRun(input.regionCode)': 'MonthlyComparisonRunPayload',
  'scanStart(input.regionCode)': IN,
  'charityProjectCreate(input.regionCode)': ['ORGANISATION_NOT_REGISTERED'],
  'alertSubscriptionCreate(input.regionCodes)': [{ code: IN }],
};

describe.each(FIELDS)('$name', ({ name, ask, answered, written }) => {
  it('takes an in-scope code with whitespace around it as the code itself', async () => {
    // A read answers as for the code alone; a write is asked once, with the padded code.
    const plain = answered ? await ask(IN) : null;
    expect(plain?.errors).toBeUndefined();
    const padded = await ask(` ${IN}\u3000`);
    expect(padded.errors).toBeUndefined();
    if (answered) expect(answered(padded.data)).toEqual(answered(plain!.data));
    else expect(written!(padded.data)).toEqual(WRITTEN[name]);
  });

  it('refuses an out-of-scope code with whitespace around it OUT_OF_SCOPE, as without, answering nothing', async () => {
    for (const code of [OUT, ` ${OUT}`, `${OUT} `]) {
      const res = await ask(code);
      expect({ code, errors: res.errors?.map((e: any) => ({ code: e.extensions?.code, reason: e.extensions?.reason })) }).toEqual({ code, errors: [{ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' }] });
      expect(res.data ?? null).toBeNull();
    }
  });
});

describe('fields whose division code is checked by their resolver', () => {
  it('charityProjects(regionCode) trims the code', async () => {
    const q = `query($code: String) { charityProjects(regionCode: $code) { id } }`;
    const padded = await county.gql(q, { code: ` ${IN} ` });
    expect(padded.errors).toBeUndefined();
    expect(padded.data.charityProjects).toEqual((await county.gql(q, { code: IN })).data.charityProjects);
  });

  it('Scan.findings(filter.townshipCode) trims the code, and refuses one outside the scope OUT_OF_SCOPE with or without spaces', async () => {
    const q = `query($id: ID!, $code: String) { scan(id: $id) { findings(filter: { townshipCode: $code }) { edges { node { id } } } } }`;
    const padded = await county.gql(q, { id: scanId, code: ` ${IN}001 ` });
    expect(padded.errors).toBeUndefined();
    expect(padded.data.scan.findings.edges).toEqual((await county.gql(q, { id: scanId, code: `${IN}001` })).data.scan.findings.edges);
    for (const code of [`${OUT}100`, ` ${OUT}100 `]) {
      const res = await county.gql(q, { id: scanId, code });
      expect({ code, errors: res.errors?.map((e: any) => e.extensions?.reason) }).toEqual({ code, errors: ['OUT_OF_SCOPE'] });
    }
  });

  it('referralsToOffice(office.township) trims the code: a township reads its own inbox, and no other with or without spaces', async () => {
    const q = `query($township: String) { referralsToOffice(office: { township: $township }) { id } }`;
    const padded = await township.gql(q, { township: ` ${IN}001 ` });
    expect(padded.errors).toBeUndefined();
    expect(padded.data.referralsToOffice).toEqual([]);
    for (const code of [`${OUT}100`, ` ${OUT}100`]) {
      const res = await township.gql(q, { township: code });
      expect({ code, errors: res.errors?.map((e: any) => e.extensions?.reason) }).toEqual({ code, errors: ['NOT_OWN_OFFICE'] });
    }
  });
});
