/**
 * Data must not get around the field rules (issue 15):
 * - objects reached through a scan's findings, a slip or a case obey the read rule of the root
 *   field that would serve them directly (an administrator reads findings, not households);
 * - prose built from health detail (a settlement, an out-of-pocket amount, an illness as cause)
 *   is rebuilt for callers without the right, in the API and in the CSV export;
 * - a case, slip, finding or scan out of the caller's reach reads exactly as a missing one;
 * - so does a household or person outside a county's or township's scope, and a consent of another
 *   county's household.
 */
import { parse } from 'csv-parse/sync';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertZhao, TODAY, ZHAO } from './support/scenarios';
import { makeIdNumber } from '../domain/id-number';
import { CASES, insertCases, type CaseIds } from './findings-scenario';

let dbs: TestDatabases;
let hub: TestHub;
let ids: CaseIds;
let zhaoId: number;
let scanId: string;
const tokens: Record<string, string> = {};

async function scanAndWait(regionCode: string): Promise<string> {
  const monitoring = hub.as({ purpose: 'MONITORING' });
  const started = await monitoring.gql(`mutation($input: ScanStartInput!) { scanStart(input: $input) { scan { id } userErrors { code } } }`, { input: { regionCode } });
  expect(started.data.scanStart.userErrors).toEqual([]);
  const id = started.data.scanStart.scan.id;
  for (let i = 0; i < 600; i++) {
    const res = await monitoring.gql(`query($id: ID!) { scan(id: $id) { state } }`, { id });
    if (res.data.scan.state !== 'RUNNING') return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('scan did not finish');
}

beforeAll(async () => {
  dbs = await createTestDatabases('access_leaks');
  await insertRegions(dbs);
  ids = await insertCases(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  scanId = await scanAndWait('370811');
  const clients: Record<string, Parameters<TestHub['createClient']>[0]> = {
    admin: { department: 'CIVIL_AFFAIRS', roles: ['ADMINISTRATOR'], regionScope: '370811' },
    housing: { department: 'HOUSING', roles: ['READER', 'DEPARTMENT_WRITER'], regionScope: '370811' },
    civil: { department: 'CIVIL_AFFAIRS', roles: ['READER'], regionScope: '370811' },
    rencheng: { department: 'CIVIL_AFFAIRS', roles: ['CASEWORKER', 'DEPARTMENT_WRITER'], regionScope: '370811' },
    weishan: { department: 'CIVIL_AFFAIRS', roles: ['CASEWORKER', 'DEPARTMENT_WRITER', 'READER'], regionScope: '370826' },
    weishanAdmin: { department: 'CIVIL_AFFAIRS', roles: ['ADMINISTRATOR'], regionScope: '370826' },
  };
  for (const [k, spec] of Object.entries(clients)) tokens[k] = (await hub.createClient(spec)).token;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('nested objects obey the read rule of their type', () => {
  const NESTED = (fields: string) => `query($id: ID!) { scan(id: $id) { findings(first: 100) { edges { node { rule { id } severity ${fields} } } } } }`;

  it('an administrator reads a scan’s findings but not the households, people and aid behind them', async () => {
    const admin = hub.as({ token: tokens.admin, purpose: 'MONITORING' });
    const res = await admin.gql(NESTED('household { id registrationNumber address }'), { id: scanId });
    const edges = res.data.scan.findings.edges;
    expect(edges.length).toBeGreaterThan(0);
    // The finding itself: shown; the household behind it: refused.
    expect(edges.every((e: any) => typeof e.node.rule.id === 'string' && typeof e.node.severity === 'string')).toBe(true);
    expect(edges.every((e: any) => e.node.household === null)).toBe(true);
    const json = JSON.stringify(res.data);
    for (const reg of Object.values(CASES).map((c) => c.registrationNo)) expect(json).not.toContain(reg);
    expect(json).not.toContain('古槐街道');
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions?.reason === 'ROLE_NOT_ALLOWED')).toBe(true);
    // People, members and aid amounts: refused the same way (a refused non-null field nulls its parent, as GraphQL does).
    for (const fields of ['people { name }', 'household { members { person { name } } }', 'records { amountFen }']) {
      const other = await admin.gql(NESTED(fields), { id: scanId });
      expect(JSON.stringify(other.data ?? null)).not.toMatch(/"(name|amountFen)":"?[^n]/);
      expect(other.errors?.length).toBeGreaterThan(0);
      expect(other.errors!.every((e) => e.extensions?.reason === 'ROLE_NOT_ALLOWED')).toBe(true);
    }
  });

  it('an administrator gets no amounts or prose through a finding either', async () => {
    const q = `query($id: ID!) { scan(id: $id) { findings(first: 100) { edges { node { explanation measure { __typename } } } } } }`;
    const res = await hub.as({ token: tokens.admin, purpose: 'MONITORING' }).gql(q, { id: scanId });
    expect(JSON.stringify(res.data)).not.toContain('元');
    expect(res.errors!.every((e) => e.extensions?.reason === 'ROLE_NOT_ALLOWED')).toBe(true);
  });

  it('a data role still reads them', async () => {
    const res = await hub.as({ token: tokens.civil, purpose: 'MONITORING' }).gql(NESTED('household { registrationNumber members { person { name } } } people { name } records { amountFen }'), { id: scanId });
    expect(res.errors).toBeUndefined();
    expect(JSON.stringify(res.data)).toContain(CASES.settlement.registrationNo);
  });

  it('the CSV export leaves out an administrator’s household columns', async () => {
    const csv = await fetch(`${hub.url}/exports/scans/${scanId}/findings.csv`, { headers: hub.as({ token: tokens.admin, purpose: 'MONITORING' }).headers });
    expect(csv.status).toBe(200);
    const body = await csv.text();
    expect(body).toContain('X7');
    for (const reg of Object.values(CASES).map((c) => c.registrationNo)) expect(body).not.toContain(reg);
    expect(body).not.toContain(CASES.settlement.person.slice(0, 6) + '********');
    expect(body).not.toContain('元');
  });

  it('the CSV export shows a department client (READER + DEPARTMENT_WRITER) ID numbers only for a purpose its DEPARTMENT_WRITER serves', async () => {
    const get = async (purpose: 'MONITORING' | 'DUPLICATE_CHECK') => {
      const res = await fetch(`${hub.url}/exports/scans/${scanId}/findings.csv`, { headers: hub.as({ token: tokens.housing, purpose }).headers });
      expect(res.status).toBe(200);
      return res.text();
    };
    const person = CASES.settlement.person;
    const monitoring = await get('MONITORING');
    expect(monitoring).not.toContain(person);
    expect(monitoring).toContain(`${person.slice(0, 6)}********${person.slice(14)}`);
    expect(await get('DUPLICATE_CHECK')).toContain(person);
  });

  // The export shows an administrator no household or person column, yet records each finding's
  // household and people: each line is a finding (its fingerprint, a hash of the records it is
  // about, which a data role's finding(id) turns into the household), in a township, under a rule,
  // and so a datum about them. The GraphQL path records the same subjects for the same fields
  // (policy.ts: Finding's subjects, recorded whatever field is read), so the export records what
  // left, not more; accessLog shows the person either way.
  it('the CSV export records for an administrator the subjects GraphQL records for the same findings', async () => {
    const subjectsOf = async (requestId: string) => {
      const [rows] = (await dbs.hubPool.query(`SELECT subject_kind AS kind, subject_ref AS ref FROM access_log WHERE request_id = ? AND subject_kind IN ('HOUSEHOLD', 'PERSON')`, [requestId])) as unknown as [{ kind: string; ref: string }[]];
      return [...new Set(rows.map((r) => `${r.kind}:${r.ref}`))].sort();
    };
    const admin = hub.as({ token: tokens.admin, purpose: 'MONITORING' });
    const csv = await fetch(`${hub.url}/exports/scans/${scanId}/findings.csv`, { headers: { ...admin.headers, 'x-request-id': 'leaks-admin-export' } });
    expect(csv.status).toBe(200);
    const lines = parse((await csv.text()).replace(/^\uFEFF/, ''), { from_line: 2 }) as string[][];
    const res = await admin.gql(`query($id: ID!) { scan(id: $id) { findings(first: 500) { edges { node { rule { id } severity status departments { code } ongoing basis } } } } }`, { id: scanId }, { 'x-request-id': 'leaks-admin-findings' });
    expect(res.errors).toBeUndefined();
    expect(res.data.scan.findings.edges).toHaveLength(lines.length);
    const exported = await subjectsOf('leaks-admin-export');
    expect(exported.some((s) => s.startsWith('HOUSEHOLD:'))).toBe(true);
    expect(exported.some((s) => s.startsWith('PERSON:'))).toBe(true);
    expect(exported).toEqual(await subjectsOf('leaks-admin-findings'));
  });
});

describe('prose is built for the caller’s view', () => {
  const Q = `query($id: ID!) { household(id: $id) { findings { rule { id } explanation } } }`;
  const explanations = async (token: string, householdId: number) => {
    const res = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(Q, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    return Object.fromEntries(res.data.household.findings.map((f: any) => [f.rule.id, f.explanation as string]));
  };

  it('a department without health detail reads no settlement, burden or illness in the words', async () => {
    const housing = { ...(await explanations(tokens.housing, ids.settlement)), ...(await explanations(tokens.housing, ids.housing)) };
    expect(housing.X7).toBeDefined();
    expect(housing.X7).not.toContain(CASES.settlement.setlId);
    expect(housing.X7).not.toContain('个人负担 5000.00');
    expect(housing.X7).toContain('超出');
    expect(housing.X5).toBeDefined();
    expect(housing.X5).not.toContain('疾病');
    // The field that refuses the cause refuses it still.
    const cause = await hub.as({ token: tokens.housing, purpose: 'ELIGIBILITY_REVIEW' }).gql(`query($id: ID!) { household(id: $id) { findings { measure { ... on RepeatedGrants { cause } } } } }`, { id: String(ids.housing) });
    expect(cause.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'HEALTH_DETAIL' });
  });

  it('civil affairs, which has health detail, reads the whole text', async () => {
    const civil = { ...(await explanations(tokens.civil, ids.settlement)), ...(await explanations(tokens.civil, ids.housing)) };
    expect(civil.X7).toContain(CASES.settlement.setlId);
    expect(civil.X7).toContain('个人负担 5000.00');
    expect(civil.X5).toContain('疾病');
  });

  it('the CSV export’s explanation column follows the same view', async () => {
    const get = async (token: string) => {
      const res = await fetch(`${hub.url}/exports/scans/${scanId}/findings.csv?rule=X5,X7`, { headers: hub.as({ token, purpose: 'MONITORING' }).headers });
      const rows: string[][] = parse((await res.text()).replace(/^\uFEFF/, ''));
      const column = rows[0].indexOf('说明');
      return Object.fromEntries(rows.slice(1).map((r) => [r[1], r[column]]));
    };
    const housing = await get(tokens.housing);
    expect(housing.X7).toContain('超出');
    expect(housing.X7).not.toContain(CASES.settlement.setlId);
    expect(housing.X7).not.toContain('个人负担 5000.00');
    expect(housing.X5).not.toContain('疾病');
    const civil = await get(tokens.civil);
    expect(civil.X7).toContain(CASES.settlement.setlId);
    expect(civil.X5).toContain('疾病');
  });
});

describe('a case dossier’s finding summaries follow the reader’s view', () => {
  it('a housing caseworker reads no settlement or burden; civil affairs reads them', async () => {
    const open = await hub.as({ token: tokens.rencheng, purpose: 'ELIGIBILITY_REVIEW' }).gql(
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
      { input: { householdId: String(ids.settlement), origin: 'APPLICATION', urgency: 'NORMAL', summary: '大额医疗支出' } },
    );
    const caseId = open.data.caseOpen.case.id;
    const housing = (await hub.createClient({ department: 'HOUSING', roles: ['CASEWORKER'], regionScope: '370811' })).token;
    const Q = `query($id: ID!) { case(id: $id) { dossier { findings { ruleId summary } } } }`;
    const summaries = async (token: string) => {
      const res = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(Q, { id: caseId });
      expect(res.errors).toBeUndefined();
      return Object.fromEntries(res.data.case.dossier.findings.map((f: any) => [f.ruleId, f.summary as string]));
    };
    const plain = await summaries(housing);
    expect(plain.X7).toContain('超出');
    expect(plain.X7).not.toContain(CASES.settlement.setlId);
    expect(plain.X7).not.toContain('个人负担 5000.00');
    expect((await summaries(tokens.rencheng)).X7).toContain(CASES.settlement.setlId);
  });
});

describe('out of reach reads as not found', () => {
  let caseId: string;
  let referralId: string;
  beforeAll(async () => {
    const open = await hub.as({ token: tokens.rencheng, purpose: 'ELIGIBILITY_REVIEW' }).gql(
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
      { input: { householdId: String(ids.settlement), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院后生活困难' } },
    );
    caseId = open.data.caseOpen.case.id;
    const issue = await hub.as({ token: tokens.rencheng, purpose: 'REFERRAL' }).gql(
      `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`,
      { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 5 } },
    );
    expect(issue.data.referralIssue.userErrors).toEqual([]);
    referralId = issue.data.referralIssue.referral.id;
  });

  const MISSING = '999999';

  /** Everything about an answer that a caller could tell apart: data, error codes and reasons, and its extensions (a statement count outside production). */
  const shape = (res: any) => JSON.stringify({ data: res.data, errors: (res.errors ?? []).map((e: any) => e.extensions), extensions: res.extensions ?? null });

  it('case(id) and referral(id)', async () => {
    const weishan = hub.as({ token: tokens.weishan, purpose: 'ELIGIBILITY_REVIEW' });
    const q = `query($id: ID!) { case(id: $id) { id } referral(id: $id) { id } }`;
    expect(shape(await weishan.gql(`query($id: ID!) { case(id: $id) { id } }`, { id: caseId }))).toBe(shape(await weishan.gql(`query($id: ID!) { case(id: $id) { id } }`, { id: MISSING })));
    expect(shape(await weishan.gql(`query($id: ID!) { referral(id: $id) { id } }`, { id: referralId }))).toBe(
      shape(await weishan.gql(`query($id: ID!) { referral(id: $id) { id } }`, { id: MISSING })),
    );
    expect((await weishan.gql(q, { id: MISSING })).data).toEqual({ case: null, referral: null });
  });

  it('every write naming a case or slip', async () => {
    const weishan = hub.as({ token: tokens.weishan, purpose: 'REFERRAL' });
    const codes = async (mutation: string, input: Record<string, unknown>) => {
      const res = await weishan.gql(`mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { userErrors { code } } }`, { input });
      expect(res.errors).toBeUndefined();
      return res.data[mutation].userErrors.map((e: any) => e.code);
    };
    for (const id of [caseId, MISSING]) {
      expect(await codes('caseTransition', { caseId: id, to: 'ACCEPTED', reason: '受理' })).toEqual(['CASE_NOT_FOUND']);
      expect(await codes('referralIssue', { caseId: id, to: { department: 'UNION' }, ask: '帮扶', deadlineWorkingDays: 5 })).toEqual(['CASE_NOT_FOUND']);
    }
    for (const id of [referralId, MISSING]) {
      expect(await codes('referralAccept', { referralId: id })).toEqual(['REFERRAL_NOT_FOUND']);
      expect(await codes('referralDecline', { referralId: id, reason: '不属于本部门' })).toEqual(['REFERRAL_NOT_FOUND']);
      expect(await codes('referralComplete', { referralId: id, feedback: '已办' })).toEqual(['REFERRAL_NOT_FOUND']);
    }
    const meeting = hub.as({ token: tokens.weishan, purpose: 'CASE_MEETING' });
    // meetingRecord needs MEETING_CONVENER; a convener out of reach reads not found too.
    const convener = (await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['MEETING_CONVENER'], regionScope: '370826' })).token;
    for (const id of [caseId, MISSING]) {
      const res = await hub.as({ token: convener, purpose: 'CASE_MEETING' }).gql(
        `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { userErrors { code } } }`,
        { input: { caseId: id, heldOn: '2026-03-10', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [] } },
      );
      expect(res.data.meetingRecord.userErrors.map((e: any) => e.code)).toEqual(['CASE_NOT_FOUND']);
    }
    expect(meeting).toBeDefined();
  });

  it('the meeting brief, in HTML and in JSON', async () => {
    const headers = { ...hub.as({ token: (await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['MEETING_CONVENER'], regionScope: '370826' })).token, purpose: 'CASE_MEETING' }).headers, accept: 'application/json' };
    const outside = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers });
    const missing = await fetch(`${hub.url}/cases/${MISSING}/brief`, { headers });
    expect(outside.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(outside.headers.get('content-type')).toContain('application/json');
    expect(await outside.json()).toEqual(await missing.json());
  });

  it('finding(id) and settling a finding', async () => {
    const civil = hub.as({ token: tokens.civil, purpose: 'MONITORING' });
    const found = await civil.gql(`query($id: ID!) { scan(id: $id) { findings(first: 1) { edges { node { id } } } } }`, { id: scanId });
    const findingId = found.data.scan.findings.edges[0].node.id;
    const missingId = 'f'.repeat(32);
    const weishan = hub.as({ token: tokens.weishan, purpose: 'DUPLICATE_CHECK' });
    const q = `query($id: ID!) { finding(id: $id) { id } }`;
    expect(shape(await weishan.gql(q, { id: findingId }))).toBe(shape(await weishan.gql(q, { id: missingId })));
    const confirm = async (id: string) =>
      (await weishan.gql(`mutation($input: FindingConfirmInput!) { findingConfirm(input: $input) { finding { id } userErrors { code } } }`, { input: { findingId: id } })).data.findingConfirm;
    expect(await confirm(findingId)).toEqual(await confirm(missingId));
    expect((await confirm(missingId)).userErrors).toEqual([{ code: 'FINDING_NOT_FOUND' }]);
  });

  it('charityNeedsOfCase: a case out of reach, with a need published, lists as a missing one', async () => {
    // Its statement count told them apart: 1 for a missing case, 2 for one out of reach, 3 when its
    // household had a need published, so another county read which households asked charities for help.
    const rencheng = hub.as({ token: tokens.rencheng, purpose: 'CHARITY_LINKAGE' });
    const consent = await rencheng.gql(`mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`, {
      input: { householdId: String(ids.settlement), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-01' },
    });
    expect(consent.data.charityConsentRecord.userErrors).toEqual([]);
    const published = await rencheng.gql(`mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code } } }`, {
      input: { caseId, consentId: consent.data.charityConsentRecord.consent.id, purpose: 'LIVING', urgency: 'NORMAL', uncoveredFen: 100_000, description: '生活困难' },
    });
    expect(published.data.charityNeedPublish.userErrors).toEqual([]);
    const q = `query($id: ID!) { charityNeedsOfCase(caseId: $id) { id } }`;
    const own = await rencheng.gql(q, { id: caseId });
    expect(own.data.charityNeedsOfCase).toEqual([{ id: published.data.charityNeedPublish.need.id }]);
    expect(own.extensions?.sqlStatements).toBeDefined();
    const weishan = hub.as({ token: tokens.weishan, purpose: 'CHARITY_LINKAGE' });
    expect((await weishan.gql(q, { id: caseId })).data).toEqual({ charityNeedsOfCase: [] });
    expect(shape(await weishan.gql(q, { id: caseId }))).toBe(shape(await weishan.gql(q, { id: MISSING })));
    // Under an alias and through a fragment alike, beside a field that answers.
    const aliased = `query($id: ID!) { ...F caller { name } } fragment F on Query { needs: charityNeedsOfCase(caseId: $id) { id } }`;
    expect(shape(await weishan.gql(aliased, { id: caseId }))).toBe(shape(await weishan.gql(aliased, { id: MISSING })));
  });

  it('scan(id) and its export', async () => {
    const weishan = hub.as({ token: tokens.weishanAdmin, purpose: 'MONITORING' });
    const q = `query($id: ID!) { scan(id: $id) { id } }`;
    expect(shape(await weishan.gql(q, { id: scanId }))).toBe(shape(await weishan.gql(q, { id: MISSING })));
    const csv = async (id: string) => {
      const res = await fetch(`${hub.url}/exports/scans/${id}/findings.csv`, { headers: weishan.headers });
      return { status: res.status, body: await res.json() };
    };
    expect(await csv(scanId)).toEqual(await csv(MISSING));
    // Nor is it listed; a caller whose scope it covers, or lies in, sees it.
    const list = async (token: string) => (await hub.as({ token, purpose: 'MONITORING' }).gql(`{ scans(first: 100) { edges { node { id } } } }`)).data.scans.edges.map((e: any) => e.node.id);
    expect(await list(tokens.weishanAdmin)).not.toContain(scanId);
    expect(await list(tokens.admin)).toContain(scanId);
    const village = (await hub.createClient({ roles: ['ADMINISTRATOR'], regionScope: '370811001' })).token;
    expect(await list(village)).toContain(scanId);
    expect(zhaoId).toBeGreaterThan(0);
  });
});

describe('a household or person outside the scope reads exactly as one the hub does not hold', () => {
  const MISSING = '999999';
  // Two ID numbers the hub does not hold: one of the caller's county, one of the county ZHAO lives in.
  const UNKNOWN_HERE = makeIdNumber('370811', '1985-05-05', 7);
  const UNKNOWN_THERE = makeIdNumber('370826', '1985-05-05', 9);

  /** Everything a caller could tell apart: data, each error's message, code, reason and path, and the extensions (a statement count outside production). */
  const answer = (res: any) => JSON.stringify({ data: res.data ?? null, errors: res.errors ?? [], extensions: res.extensions ?? null });

  /** 任城区's reader (370811) and a township's caseworker (370811001); ZHAO lives in 微山县 (370826). */
  const scoped = async () => [
    hub.as({ token: tokens.civil, purpose: 'ELIGIBILITY_REVIEW' }),
    hub.as({ token: (await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['CASEWORKER'], regionScope: '370811001' })).token, purpose: 'REFERRAL' }),
  ];

  it('household(id)', async () => {
    const q = `query($id: ID!) { household(id: $id) { id address } }`;
    for (const caller of await scoped()) {
      const outside = await caller.gql(q, { id: String(zhaoId) });
      expect(outside.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
      expect(answer(await caller.gql(q, { id: MISSING }))).toBe(answer(outside));
    }
  });

  it('households(ids): the entry of a missing id as the entry of one outside, the others as they were', async () => {
    const q = `query($ids: [ID!]!) { households(ids: $ids) { id } }`;
    const inside = String(ids.settlement);
    for (const caller of await scoped()) {
      const outside = await caller.gql(q, { ids: [inside, String(zhaoId)] });
      expect(outside.errors?.map((e) => [e.extensions?.reason, e.path])).toEqual([['OUT_OF_SCOPE', ['households', 1]]]);
      expect(answer(await caller.gql(q, { ids: [inside, MISSING] }))).toBe(answer(outside));
    }
    // A caller whose scope holds the household reads it; the township's caller has none of 370811's here.
    expect((await hub.as({ token: tokens.civil, purpose: 'ELIGIBILITY_REVIEW' }).gql(q, { ids: [inside] })).data.households).toEqual([{ id: inside }]);
  });

  it('person(idNumber) and householdByMember(idNumber), for an ID number of either county', async () => {
    for (const field of ['person', 'householdByMember']) {
      const q = `query($n: String!) { ${field}(idNumber: $n) { __typename } }`;
      for (const caller of await scoped()) {
        const outside = await caller.gql(q, { n: ZHAO.head });
        expect(outside.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
        expect(answer(await caller.gql(q, { n: UNKNOWN_HERE }))).toBe(answer(outside));
        expect(answer(await caller.gql(q, { n: UNKNOWN_THERE }))).toBe(answer(outside));
      }
    }
  });

  it('keeps null where it tells nothing of what lies outside', async () => {
    // A duplicate check is shown people outside its scope (LIMITED view), by design: an unknown one is null.
    const dup = hub.as({ token: tokens.civil, purpose: 'DUPLICATE_CHECK' });
    expect((await dup.gql(`query($n: String!) { person(idNumber: $n) { gender } }`, { n: ZHAO.head })).data.person).toEqual({ gender: 'MALE' });
    expect(await dup.gql(`query($n: String!) { person(idNumber: $n) { gender } }`, { n: UNKNOWN_THERE })).toMatchObject({ data: { person: null } });
    // A province-wide caller outside whose scope the hub holds nothing: not found is the truth.
    const province = hub.as({ token: (await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['READER'], regionScope: '370000' })).token, purpose: 'ELIGIBILITY_REVIEW' });
    const res = await province.gql(`query($id: ID!, $n: String!) { household(id: $id) { id } person(idNumber: $n) { gender } households(ids: [$id]) { id } }`, { id: MISSING, n: UNKNOWN_THERE });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ household: null, person: null, households: [null] });
  });

  it('a consent of another county’s household names as one that does not exist', async () => {
    const weishan = hub.as({ token: tokens.weishan, purpose: 'CHARITY_LINKAGE' });
    const recorded = await weishan.gql(
      `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`,
      { input: { householdId: String(zhaoId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: '张' } },
    );
    expect(recorded.data.charityConsentRecord.userErrors).toEqual([]);
    const consentId = recorded.data.charityConsentRecord.consent.id;
    const rencheng = hub.as({ token: tokens.rencheng, purpose: 'CHARITY_LINKAGE' });
    const open = await hub.as({ token: tokens.rencheng, purpose: 'ELIGIBILITY_REVIEW' }).gql(
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
      { input: { householdId: String(ids.settlement), origin: 'APPLICATION', urgency: 'NORMAL', summary: '医疗费用负担重' } },
    );
    const caseId = open.data.caseOpen.case.id;
    const publish = async (consent: string) =>
      answer(
        await rencheng.gql(`mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code message field } } }`, {
          input: { caseId, consentId: consent, purpose: 'LIVING', urgency: 'NORMAL', uncoveredFen: 100_000, description: '生活困难' },
        }),
      );
    const outside = await publish(consentId);
    expect(outside).toContain('CONSENT_NOT_FOUND');
    expect(await publish(MISSING)).toBe(outside);
    const revoke = async (consent: string) => answer(await rencheng.gql(`mutation($input: CharityConsentRevokeInput!) { charityConsentRevoke(input: $input) { consent { id } userErrors { code message field } } }`, { input: { consentId: consent } }));
    expect(await revoke(consentId)).toBe(await revoke(MISSING));
  });
});
