/**
 * Findings end to end: a real hub over seven real databases, spoken to over HTTP. Household and
 * person findings, the pre-grant check, a region scan with its browse and CSV export, settling
 * findings, and what a re-scan does with them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { toDbInstant } from '../db/instants';
import { finding, findingEvent } from '../db/findings/schema';
import { departmentsOfMask, settleFinding } from '../db/findings/store';
import { freePort } from '../db/setup/private-server';
import { PROPOSAL_MAX_FEN, SETTLEMENT_REFERENCE_MAX_LENGTH } from '../domain/aid';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertMany, insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { CASES, insertCases, TOWNSHIP, type CaseIds } from './findings-scenario';
import { parse } from 'csv-parse/sync';
import { CSV_HEADER, csvCell, exportFilter } from '../server/exports';
import { chars } from './support/text';

const FINDING_FIELDS = /* GraphQL */ `
  id
  rule { id kind }
  severity
  scope
  status
  ongoing
  explanation
  basis
  departments { code }
  people { idNumber }
  records { department { code } programme { code } sourceReference beneficiary { idNumber } }
  measure {
    __typename
    ... on PeriodOverlap { start end days }
    ... on RepeatedGrants { cause count windowMonths }
    ... on SettlementExcess { settlementReference burdenFen aidFen excessFen }
    ... on AidAfterDeath { deathDate from to months excessFen }
    ... on MissedAid { expected { code } conditions disabilityLevel }
    ... on SamePeriodFunding { period }
  }
`;

const HOUSEHOLD_FINDINGS = `query($id: ID!) { household(id: $id) { findings { ${FINDING_FIELDS} } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let ids: CaseIds;
let wangId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('findings');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  ids = await insertCases(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function findingsOf(householdId: number): Promise<any[]> {
  const res = await hub.gql(HOUSEHOLD_FINDINGS, { id: String(householdId) });
  expect(res.errors).toBeUndefined();
  return res.data.household.findings;
}

function ruleIds(findings: any[]): string[] {
  return findings.map((f) => f.rule.id).sort();
}

describe('Household.findings', () => {
  it('finds each planted case, and only it', async () => {
    expect(ruleIds(await findingsOf(ids.overlap))).toEqual(['X1']);
    expect(ruleIds(await findingsOf(ids.housing))).toEqual(['M5', 'X4', 'X5']);
    expect(ruleIds(await findingsOf(ids.death))).toEqual(['X8']);
    expect(ruleIds(await findingsOf(ids.nursing))).toEqual(['M1']);
    expect(ruleIds(await findingsOf(ids.settlement))).toEqual(['X7']);
    expect(ruleIds(await findingsOf(ids.orphan))).toEqual(['X2']);
    // 王小明, a 初中 pupil, was paid 国家助学金 (for 普通高中, 中职, 高校 students): X13 beside X6.
    expect(ruleIds(await findingsOf(wangId))).toEqual(['X13', 'X6']);
  });

  it('names the rule, the people, the exact records, the overlap and the basis', async () => {
    const [f] = await findingsOf(ids.overlap);
    expect(f).toMatchObject({
      rule: { id: 'X1', kind: 'EXCLUSIVE_PROGRAMMES' },
      severity: 'CONFLICT',
      scope: 'PERSON',
      status: 'OPEN',
      ongoing: false,
      departments: [{ code: 'CIVIL_AFFAIRS' }],
      people: [{ idNumber: CASES.overlap.person }],
      measure: { __typename: 'PeriodOverlap', start: '2025-03-01', end: CASES.overlap.tekunEnd, days: CASES.overlap.days },
    });
    expect(f.id).toMatch(/^[0-9a-f]{32}$/);
    expect(f.records.map((r: any) => r.programme.code)).toEqual(['DIBAO', 'TEKUN']);
    expect(f.records.every((r: any) => r.beneficiary.idNumber === CASES.overlap.person)).toBe(true);
    expect(f.basis).toContain('社会救助暂行办法');
    expect(f.explanation).toContain('2025-03-01 至 2025-12-31');
  });

  it('measures aid after death, settlement excess and missed aid', async () => {
    const [death] = await findingsOf(ids.death);
    expect(death.measure).toEqual({ __typename: 'AidAfterDeath', deathDate: CASES.death.deathDate, from: '2025-11-01', to: null, months: CASES.death.months, excessFen: CASES.death.months * CASES.death.monthlyFen });
    expect(death.ongoing).toBe(true);
    const [excess] = await findingsOf(ids.settlement);
    expect(excess.measure).toEqual({ __typename: 'SettlementExcess', settlementReference: CASES.settlement.setlId, burdenFen: 500_000, aidFen: 550_000, excessFen: CASES.settlement.excessFen });
    expect(excess.departments.map((d: any) => d.code).sort()).toEqual(['HEALTH', 'UNION']);
    const [missed] = await findingsOf(ids.nursing);
    expect(missed).toMatchObject({ severity: 'MISSED_AID', records: [], measure: { __typename: 'MissedAid', expected: [{ code: 'DISABILITY_NURSING' }], disabilityLevel: 1 } });
  });

  it('filters by severity', async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { findings(severities: [WARNING]) { rule { id } } } }`, { id: String(ids.housing) });
    expect(res.data.household.findings).toEqual([{ rule: { id: 'X5' } }]);
  });

  it('costs the same fixed statements for a household of 1 and of 8 members', async () => {
    const bulk = await insertMany(dbs, 8);
    const q = `query($id: ID!) { household(id: $id) { findings { rule { id } records { sourceReference } } } }`;
    const one = await hub.gql(q, { id: String(bulk.ids[0]) });
    const eight = await hub.gql(q, { id: String(bulk.ids[7]) });
    expect(one.errors).toBeUndefined();
    // Each bulk member is a disabled member of a 低保 family with no living subsidy (M2).
    expect(ruleIds(one.data.household.findings)).toEqual(['M2']);
    expect(ruleIds(eight.data.household.findings)).toEqual(Array(8).fill('M2'));
    expect(one.extensions?.sqlStatements?.bySource).toEqual(eight.extensions?.sqlStatements?.bySource);
  });
});

describe('Person.findings', () => {
  it('gives the findings that involve the person', async () => {
    const q = `query($n: String!) { person(idNumber: $n) { findings { rule { id } } } }`;
    const head = await hub.gql(q, { n: CASES.housing.head });
    const spouse = await hub.gql(q, { n: CASES.housing.spouse });
    expect(ruleIds(head.data.person.findings)).toEqual(['M5', 'X4', 'X5']);
    expect(ruleIds(spouse.data.person.findings)).toEqual(['M5', 'X5']);
  });
});

describe('preGrantCheck', () => {
  const Q = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear conflicts warnings complete consulted { code } findings { rule { id } severity explanation records { sourceReference programme { code } } measure { __typename ... on PeriodOverlap { start end } } } } }`;
  const writer = () => hub.as({ purpose: 'DUPLICATE_CHECK' });

  it('reports the conflict a 特困 grant would cause with a running 低保', async () => {
    const res = await writer().gql(Q, { input: { beneficiaryIdNumber: CASES.overlap.person, programme: 'TEKUN', periodStart: '2026-04-01', amountFen: 90_000 } });
    expect(res.errors).toBeUndefined();
    const check = res.data.preGrantCheck;
    expect(check).toMatchObject({ clear: false, conflicts: 1, warnings: 0, complete: true });
    expect(check.findings[0]).toMatchObject({ rule: { id: 'X1' }, severity: 'CONFLICT', measure: { __typename: 'PeriodOverlap', start: '2026-04-01', end: null } });
    expect(check.findings[0].records.map((r: any) => r.sourceReference)).toContain('PROPOSED');
    // The region check and the check itself share one hub statement (the person's households);
    // the departments the rules on 特困 concern answer in one statement each (their tables' UNION ALL).
    // Disability: its aid and its certificates (a fact the missed-aid rules read) in one, where they were two.
    expect(res.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, CIVIL_AFFAIRS: 1, DISABILITY: 1 });
  });

  it('warns of a third temporary aid for illness, unless approved as a second aid', async () => {
    const input = { beneficiaryIdNumber: CASES.housing.head, programme: 'TEMP_AID', grantDate: TODAY, amountFen: 100_000, cause: 'ILLNESS' };
    const plain = (await writer().gql(Q, { input })).data.preGrantCheck;
    expect(plain.findings.map((f: any) => f.rule.id)).toEqual(['X5', 'M5']);
    expect(plain).toMatchObject({ clear: false, warnings: 1, conflicts: 0 });
    // A temporary aid reads civil affairs alone.
    expect(plain.consulted).toEqual([{ code: 'CIVIL_AFFAIRS' }]);
    const approved = (await writer().gql(Q, { input: { ...input, secondAid: true } })).data.preGrantCheck;
    expect(approved.findings.map((f: any) => f.rule.id)).toEqual(['M5']);
    expect(approved.clear).toBe(true);
  });

  it('reads the second aids approved at the hub in the statement that finds the household, not beside civil affairs', async () => {
    const input = { beneficiaryIdNumber: CASES.housing.head, programme: 'TEMP_AID', grantDate: TODAY, amountFen: 100_000, cause: 'ILLNESS' };
    const plain = await writer().gql(Q, { input });
    expect(plain.data.preGrantCheck.findings.map((f: any) => f.rule.id)).toEqual(['X5', 'M5']);
    // The person's households (the region check's) with the approvals of everyone in them; civil
    // affairs' temporary aid. Two hub statements before: the approvals apart, beside civil affairs.
    expect(plain.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, CIVIL_AFFAIRS: 1 });
    // A second aid approved at the hub (a county's 一事一议, issue 5's cases), not yet paid: it
    // covers a payment to that person for that cause after it (X5's exemption). Its case and slip
    // are not what this reads, so the row stands alone (foreign keys off on this connection).
    const conn = await dbs.hubPool.getConnection();
    try {
      await conn.query('SET FOREIGN_KEY_CHECKS = 0');
      const [ins] = await conn.query<any>('INSERT INTO second_aid_approval (case_id, referral_id, id_number, cause, amount_fen, approved_on) VALUES (?, ?, ?, ?, ?, ?)', [990_001, 990_001, CASES.housing.head, 'ILLNESS', 100_000, '2026-03-01']);
      try {
        const approved = await writer().gql(Q, { input });
        expect(approved.data.preGrantCheck.findings.map((f: any) => f.rule.id)).toEqual(['M5']);
        expect(approved.data.preGrantCheck.clear).toBe(true);
        expect(approved.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, CIVIL_AFFAIRS: 1 });
      } finally {
        await conn.query('DELETE FROM second_aid_approval WHERE id = ?', [ins.insertId]);
      }
    } finally {
      await conn.query('SET FOREIGN_KEY_CHECKS = 1');
      conn.release();
    }
  });

  it('is clear for aid that conflicts with nothing, and writes nothing', async () => {
    const before = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM finding');
    const res = await writer().gql(Q, { input: { beneficiaryIdNumber: CASES.nursing.person, programme: 'DISABILITY_NURSING', periodStart: '2026-04-01', amountFen: 15_000 } });
    expect(res.data.preGrantCheck).toMatchObject({ clear: true, findings: [], conflicts: 0, warnings: 0 });
    // Disability's aid and certificates in one statement, where they were two.
    expect(res.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, DISABILITY: 1 });
    const after = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM finding');
    expect(after[0]).toEqual(before[0]);
  });

  it('checks medical aid against its settlement', async () => {
    const input = { beneficiaryIdNumber: CASES.settlement.person, programme: 'UNION_ILLNESS', grantDate: TODAY, amountFen: 10_000, settlementReference: CASES.settlement.setlId };
    const res = await writer().gql(Q, { input });
    expect(res.data.preGrantCheck.findings.map((f: any) => f.rule.id)).toEqual(['X7']);
    // Fixed statements: the person's households, and one statement a department and the ledger that
    // tie aid to stays, for the aid tables of the programmes X7 names, the aid tied to the stay (the
    // reported-aid ledger's charity money for it among them) and, from medical insurance, the stay
    // itself (aidAndFacts): nine before the aid and the tied aid went in one (Session 35), five before
    // the stay joined medical insurance's statement (Session 36).
    expect(res.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, HEALTH: 1, UNION: 1, REPORTED: 1 });
  });

  it('reads education once for a 金秋助学 check (its aid and the roll in one statement) and a 国家助学金 check (the roll, for the stage)', async () => {
    const SQ = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear conflicts warnings complete schoolStage consulted { code } findings { rule { id } severity records { sourceReference programme { code } } } } }`;
    const input = (programme: string) => ({ beneficiaryIdNumber: WANG.child, programme, grantDate: TODAY, schoolYear: '2025-2026', amountFen: 62_500 });
    const autumn = await writer().gql(SQ, { input: input('UNION_AUTUMN_EDU') });
    expect(autumn.errors).toBeUndefined();
    const autumnCheck = autumn.data.preGrantCheck;
    // 王小明 was paid 国家助学金 and 金秋助学 for 2025-2026: X6, and X12 (金秋助学 twice).
    expect(autumnCheck).toMatchObject({ clear: false, conflicts: 0, warnings: 2, complete: true, schoolStage: 'NOT_CHECKED', consulted: [{ code: 'EDUCATION' }, { code: 'UNION' }] });
    const named = (check: any) => check.findings.map((f: any) => [f.rule.id, f.records.map((r: any) => (r.sourceReference === 'PROPOSED' ? 'PROPOSED' : r.programme.code))]);
    expect(named(autumnCheck)).toEqual([
      ['X6', ['NATIONAL_GRANT', 'UNION_AUTUMN_EDU', 'PROPOSED']],
      ['X12', ['UNION_AUTUMN_EDU', 'PROPOSED']],
    ]);
    // The person's households; the union's aid; education's aid (X6) and its roll in one statement
    // (aidAndFacts), where they were two (Session 36).
    expect(autumn.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, UNION: 1, EDUCATION: 1 });
    const grant = await writer().gql(SQ, { input: input('NATIONAL_GRANT') });
    expect(grant.errors).toBeUndefined();
    const grantCheck = grant.data.preGrantCheck;
    // A 初中 pupil. Its rules need the union's aid only (X6): education is read for the stage alone.
    expect(grantCheck).toMatchObject({ clear: false, conflicts: 0, warnings: 1, complete: true, schoolStage: 'WRONG_STAGE', consulted: [{ code: 'EDUCATION' }, { code: 'UNION' }] });
    expect(named(grantCheck)).toEqual([['X6', ['PROPOSED', 'UNION_AUTUMN_EDU']]]);
    expect(grant.extensions?.sqlStatements?.bySource).toEqual({ HUB: 1, EDUCATION: 1, UNION: 1 });
  });

  it('takes an amount up to PROPOSAL_MAX_FEN and computes on it exactly; a larger one is refused', async () => {
    // The stay already carries aid: the proposal is added to it. Near 2^53 fen the sum was inexact and the answer INTERNAL_SERVER_ERROR.
    const input = { beneficiaryIdNumber: CASES.settlement.person, programme: 'UNION_ILLNESS', grantDate: TODAY, settlementReference: CASES.settlement.setlId };
    const X7 = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { findings { rule { id } measure { ... on SettlementExcess { burdenFen aidFen excessFen } } } } }`;
    const small = (await writer().gql(X7, { input: { ...input, amountFen: 1 } })).data.preGrantCheck.findings[0].measure;
    const largest = await writer().gql(X7, { input: { ...input, amountFen: PROPOSAL_MAX_FEN } });
    expect(largest.errors).toBeUndefined();
    expect(largest.data.preGrantCheck.findings[0].measure).toEqual({ burdenFen: small.burdenFen, aidFen: small.aidFen - 1 + PROPOSAL_MAX_FEN, excessFen: small.excessFen - 1 + PROPOSAL_MAX_FEN });
    // Both bounds with either refusal, as a page size's are: a negative amount named none, a large one only max.
    for (const amountFen of [-1, -Number.MAX_SAFE_INTEGER, PROPOSAL_MAX_FEN + 1, Number.MAX_SAFE_INTEGER]) {
      const res = await writer().gql(X7, { input: { ...input, amountFen } });
      expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.amountFen', reason: 'OUT_OF_RANGE', min: 0, max: PROPOSAL_MAX_FEN })]);
    }
    // Recurring aid after death: months times the monthly amount.
    const X8 = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { findings { rule { id } measure { ... on AidAfterDeath { months excessFen } } } } }`;
    const afterDeath = await writer().gql(X8, { input: { beneficiaryIdNumber: CASES.death.person, programme: 'TEKUN', periodStart: '2025-11-01', periodEnd: '2026-02-28', amountFen: PROPOSAL_MAX_FEN } });
    expect(afterDeath.errors).toBeUndefined();
    expect(afterDeath.data.preGrantCheck.findings.find((f: any) => f.rule.id === 'X8').measure).toEqual({ months: 4, excessFen: 4 * PROPOSAL_MAX_FEN });
  });

  it('shows a caller without health detail the aid tied to a stay, but neither its burden nor its excess (aid less excess is the burden)', async () => {
    // The union checks its own 大病帮扶 against the stay: it reads the aid (its own and others'), not what the patient bore.
    const union = await hub.createClient({ department: 'UNION', roles: ['DEPARTMENT_WRITER'] });
    const input = { beneficiaryIdNumber: CASES.settlement.person, programme: 'UNION_ILLNESS', grantDate: TODAY, settlementReference: CASES.settlement.setlId, amountFen: 1 };
    const asUnion = (fields: string) => hub.as({ token: union.token, purpose: 'DUPLICATE_CHECK' }).gql(`query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { findings { rule { id } explanation measure { ... on SettlementExcess { ${fields} } } } } }`, { input });
    const shown = await asUnion('aidFen');
    expect(shown.errors).toBeUndefined();
    const [x7] = shown.data.preGrantCheck.findings;
    expect(x7.measure).toEqual({ aidFen: 550_001 });
    expect(x7.explanation).toContain('5500.01 元');
    expect(x7.explanation).not.toMatch(/(^|[^\d])(5000\.00|500\.01)/);
    for (const field of ['burdenFen', 'excessFen']) {
      const refused = await asUnion(field);
      expect(refused.errors?.map((e) => [e.path?.slice(-1)[0], e.extensions?.code, e.extensions?.reason])).toEqual([[field, 'FORBIDDEN', 'HEALTH_DETAIL']]);
    }
  });

  it.each([
    [{ programme: 'NO_SUCH', grantDate: TODAY }, 'input.programme', 'UNKNOWN_PROGRAMME'],
    [{ programme: 'TEKUN' }, 'input.periodStart', 'REQUIRED'],
    [{ programme: 'TEMP_AID' }, 'input.grantDate', 'REQUIRED'],
    // X5 counts temporary aid of one cause: without it the check answered clear beside a grant of the same cause.
    [{ programme: 'TEMP_AID', grantDate: TODAY }, 'input.cause', 'REQUIRED'],
    [{ programme: 'TEKUN', periodStart: '2026-04-01', periodEnd: '2026-03-01' }, 'input.periodEnd', 'EMPTY_PERIOD'],
    // Aid before the beneficiary's birth (1950-05-05) answered clear; aidReport refuses it (DATE_INVALID).
    [{ programme: 'TEMP_AID', cause: 'ILLNESS', grantDate: '1950-05-04' }, 'input.grantDate', 'DATE_INVALID'],
    [{ programme: 'TEKUN', periodStart: '1949-01-01', periodEnd: '2026-03-01' }, 'input.periodStart', 'DATE_INVALID'],
  ])('refuses %j with BAD_USER_INPUT', async (partial, argument, reason) => {
    const res = await writer().gql(Q, { input: { beneficiaryIdNumber: CASES.overlap.person, amountFen: 1, ...partial } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument, reason });
  });

  it('refuses one-off aid granted after the beneficiary’s death (AFTER_DEATH), and answers one on the day of death', async () => {
    // X8 judges recurring aid paid after a death; a single grant to someone dead (2025-10-15) answered clear.
    const grant = { beneficiaryIdNumber: CASES.death.person, amountFen: 100_000, programme: 'TEMP_AID', cause: 'ILLNESS' };
    const after = await writer().gql(Q, { input: { ...grant, grantDate: '2025-10-16' } });
    expect(after.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.grantDate', reason: 'AFTER_DEATH' })]);
    expect(after.errors?.[0].message).not.toContain('2025-10-15');
    const onTheDay = await writer().gql(Q, { input: { ...grant, grantDate: '2025-10-15' } });
    expect(onTheDay.errors).toBeUndefined();
    expect(onTheDay.data.preGrantCheck).toBeDefined();
  });

  it('answers aid from the beneficiary’s day of birth on', async () => {
    const res = await writer().gql(Q, { input: { beneficiaryIdNumber: CASES.overlap.person, amountFen: 1, programme: 'TEMP_AID', cause: 'ILLNESS', grantDate: '1950-05-05' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toBeDefined();
  });

  it('refuses a settlement reference longer than 医保 settlement ids, before any department is asked', async () => {
    const input = { beneficiaryIdNumber: CASES.settlement.person, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen: 1 };
    for (const settlementReference of ['S'.repeat(31), 'S'.repeat(20_000)]) {
      const res = await writer().gql(Q, { input: { ...input, settlementReference } });
      expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.settlementReference', reason: 'TOO_LONG', max: SETTLEMENT_REFERENCE_MAX_LENGTH })]);
      expect(res.extensions?.sqlStatements?.bySource?.HEALTH).toBeUndefined();
    }
    // The bound is the departments' own column width (federation/health and federation/union check theirs): the widest reference is checked as any other.
    const widest = await writer().gql(Q, { input: { ...input, settlementReference: 'S'.repeat(30) } });
    expect(widest.errors).toBeUndefined();
    expect(widest.data.preGrantCheck.complete).toBe(true);
  });
});

describe('region scan, settling and re-scan', () => {
  const monitoring = () => hub.as({ purpose: 'MONITORING' });
  const SCAN = `query($id: ID!, $filter: FindingFilter, $first: Int, $after: String) { scan(id: $id) { id state failure csvPath region { code } progress { householdsTotal householdsDone findings new reopened stillSettled } findings(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id rule { id } status household { id } firstSeenScan { id } lastSeenScan { id } events { action fromStatus toStatus actor department { code } officer reason scan { id } } } } } } }`;

  async function scanAndWait(regionCode: string): Promise<any> {
    const started = await monitoring().gql(`mutation($input: ScanStartInput!) { scanStart(input: $input) { scan { id state } userErrors { code } } }`, { input: { regionCode } });
    expect(started.errors).toBeUndefined();
    expect(started.data.scanStart.userErrors).toEqual([]);
    const id = started.data.scanStart.scan.id;
    for (let i = 0; i < 200; i++) {
      const res = await monitoring().gql(SCAN, { id, filter: { statuses: ['OPEN', 'CONFIRMED', 'DISMISSED', 'RESOLVED'] }, first: 100 });
      if (res.data.scan.state !== 'RUNNING') return res.data.scan;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('scan did not finish');
  }

  it('refuses a division the hub holds nothing of (REGION_UNKNOWN) and records no scan', async () => {
    const res = await monitoring().gql(`mutation { scanStart(input: { regionCode: "370811010" }) { scan { id } userErrors { code field } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.scanStart).toEqual({ scan: null, userErrors: [{ code: 'REGION_UNKNOWN', field: ['input', 'regionCode'] }] });
    const [rows] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM finding_scan WHERE region_code = '370811010'")) as unknown as [{ n: number }[]];
    expect(rows[0].n).toBe(0);
  });

  function byRule(scan: any): Map<string, any> {
    return new Map(scan.findings.edges.map((e: any) => [e.node.rule.id + ':' + e.node.household.id, e.node]));
  }

  async function settle(mutation: string, input: Record<string, unknown>, as: { token: string }) {
    const res = await hub.as({ token: as.token, purpose: 'DUPLICATE_CHECK' }).gql(
      `mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { finding { id status } userErrors { code field } } }`,
      { input },
    );
    expect(res.errors).toBeUndefined();
    return res.data[mutation];
  }

  let first: any;
  let civil: { token: string };
  let civilOther: { token: string };
  let housing: { token: string };

  beforeAll(async () => {
    civil = await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['DEPARTMENT_WRITER'] });
    civilOther = await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['DEPARTMENT_WRITER'] });
    housing = await hub.createClient({ department: 'HOUSING', roles: ['DEPARTMENT_WRITER'] });
    first = await scanAndWait('370811');
  });

  it('scans a county and stores every finding with the scan id', async () => {
    expect(first).toMatchObject({ state: 'SUCCEEDED', failure: null, region: { code: '370811' } });
    expect(first.progress.householdsDone).toBe(first.progress.householdsTotal);
    expect(first.progress.new).toBe(first.progress.findings);
    const found = byRule(first);
    for (const [rule, household] of [['X1', ids.overlap], ['X4', ids.housing], ['X5', ids.housing], ['M5', ids.housing], ['X8', ids.death], ['M1', ids.nursing], ['X7', ids.settlement], ['X2', ids.orphan], ['X6', wangId], ['X13', wangId]] as const) {
      expect(found.get(`${rule}:${household}`)).toMatchObject({ status: 'OPEN', firstSeenScan: { id: first.id }, lastSeenScan: { id: first.id } });
    }
    // The ids are those Household.findings shows.
    const live = await findingsOf(ids.overlap);
    expect(found.get(`X1:${ids.overlap}`).id).toBe(live[0].id);
  });

  it('does not scan a county outside the division', async () => {
    const other = await scanAndWait('370826');
    expect(other).toMatchObject({ state: 'SUCCEEDED', progress: { householdsTotal: 0, findings: 0 } });
  });

  it('pages with cursors and filters by rule, severity, department and township', async () => {
    const page1 = await monitoring().gql(SCAN, { id: first.id, first: 2 });
    const page2 = await monitoring().gql(SCAN, { id: first.id, first: 2, after: page1.data.scan.findings.pageInfo.endCursor });
    expect(page1.data.scan.findings.pageInfo.hasNextPage).toBe(true);
    const seen = [...page1.data.scan.findings.edges, ...page2.data.scan.findings.edges].map((e: any) => e.node.id);
    expect(new Set(seen).size).toBe(4);

    const total = async (filter: object) => (await monitoring().gql(SCAN, { id: first.id, filter, first: 1 })).data.scan.findings.totalCount;
    expect(await total({ rules: ['X5', 'M5'] })).toBe(2);
    expect(await total({ severities: ['MISSED_AID'] })).toBeGreaterThanOrEqual(2);
    expect(await total({ departments: ['HOUSING'] })).toBe(1);
    expect(await total({ townshipCode: TOWNSHIP })).toBe(first.findings.totalCount);
    // A known township without findings (夏镇街道); one the hub holds nothing of is refused (REGION_UNKNOWN, test/region-unknown.test.ts).
    expect(await total({ townshipCode: '370826100' })).toBe(0);
    const unknown = await monitoring().gql(SCAN, { id: first.id, filter: { townshipCode: '370811002' } });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'REGION_UNKNOWN', argument: 'filter.townshipCode' });
    const bad = await monitoring().gql(SCAN, { id: first.id, filter: { townshipCode: '3708' } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DIVISION_CODE' });
  });

  it('refuses a rule id of no rule, browsed or exported, rather than answer no findings; a rule removed since still filters its findings', async () => {
    // An id of no rule (a typo: X14, M6, X 1) answered an empty page and a file of the header alone,
    // read as a scan that found nothing by that rule.
    const total = async (filter: object) => monitoring().gql(SCAN, { id: first.id, filter, first: 1 });
    for (const rules of [['X14'], ['X1', 'M6']]) {
      const refused = await total({ rules });
      expect(refused.data?.scan ?? null).toBeNull();
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RULE_NOT_FOUND', argument: 'filter.rules' });
      expect(refused.errors?.[0].message).toContain(JSON.stringify(rules[rules.length - 1]));
    }
    const res = await fetch(`${hub.url}/exports/scans/${first.id}/findings.csv?rule=X4,x14`, { headers: hub.as({ purpose: 'MONITORING' }).headers });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'RULE_NOT_FOUND', argument: 'rule' });
    // A rule a locality's file no longer holds still names the findings a scan stored under it.
    const [moved] = (await dbs.hubPool.query("UPDATE finding_occurrence SET rule_id = 'X99' WHERE scan_id = ? AND rule_id = 'X8'", [first.id])) as any;
    expect(moved.affectedRows).toBe(1);
    try {
      expect((await total({ rules: ['X99'] })).data.scan.findings.totalCount).toBe(1);
    } finally {
      await dbs.hubPool.query("UPDATE finding_occurrence SET rule_id = 'X8' WHERE scan_id = ? AND rule_id = 'X99'", [first.id]);
    }
  });

  it('refuses a dismissal without a reason, and by a department not concerned', async () => {
    const x1 = byRule(first).get(`X1:${ids.overlap}`);
    expect(await settle('findingDismiss', { findingId: x1.id, reason: '  ' }, civil)).toEqual({ finding: null, userErrors: [{ code: 'REASON_REQUIRED', field: ['input', 'reason'] }] });
    expect((await settle('findingDismiss', { findingId: x1.id, reason: '本县允许' }, housing)).userErrors).toEqual([{ code: 'DEPARTMENT_NOT_CONCERNED', field: ['input', 'findingId'] }]);
    expect((await settle('findingConfirm', { findingId: '0'.repeat(32) }, civil)).userErrors).toEqual([{ code: 'FINDING_NOT_FOUND', field: ['input', 'findingId'] }]);
  });

  it('takes an officer of 64 characters and a reason of 2000, counted as characters (emoji, CJK)', async () => {
    const x1 = byRule(first).get(`X1:${ids.overlap}`);
    // Within the limits the refusal is the department's (the texts passed); one character more is TOO_LONG.
    expect((await settle('findingDismiss', { findingId: x1.id, reason: chars(2000), officer: chars(64) }, housing)).userErrors).toEqual([{ code: 'DEPARTMENT_NOT_CONCERNED', field: ['input', 'findingId'] }]);
    for (const [input, argument] of [
      [{ reason: chars(2001), officer: chars(64) }, 'input.reason'],
      [{ reason: chars(2000), officer: chars(65) }, 'input.officer'],
    ] as const) {
      const res = await hub.as({ token: housing.token, purpose: 'DUPLICATE_CHECK' }).gql(`mutation($input: FindingDismissInput!) { findingDismiss(input: $input) { finding { id } } }`, { input: { findingId: x1.id, ...input } });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_LONG', argument });
    }
  });

  it('settles findings with who and why, and a re-scan keeps their identity and status', async () => {
    const found = byRule(first);
    const x1 = found.get(`X1:${ids.overlap}`);
    const x4 = found.get(`X4:${ids.housing}`);
    const x8 = found.get(`X8:${ids.death}`);
    const x2 = found.get(`X2:${ids.orphan}`);
    const dismissal = { findingId: x1.id, reason: '县民政局核实：特困期间低保已停发，系统未更新', officer: 'zhang01' };
    expect(await settle('findingDismiss', dismissal, civil)).toEqual({ finding: { id: x1.id, status: 'DISMISSED' }, userErrors: [] });
    // The same dismissal sent again (its answer lost) is answered with the finding, writing no second
    // event (the events below); another reason, or another client of the office, finds nothing to change.
    expect(await settle('findingDismiss', dismissal, civil)).toEqual({ finding: { id: x1.id, status: 'DISMISSED' }, userErrors: [] });
    expect((await settle('findingDismiss', { ...dismissal, reason: '另一理由' }, civil)).userErrors).toEqual([{ code: 'NO_CHANGE', field: ['input', 'findingId'] }]);
    expect((await settle('findingDismiss', dismissal, civilOther)).userErrors).toEqual([{ code: 'NO_CHANGE', field: ['input', 'findingId'] }]);
    expect((await settle('findingConfirm', { findingId: x4.id, note: '已通知住户退出实物配租' }, housing)).finding.status).toBe('CONFIRMED');
    expect((await settle('findingConfirm', { findingId: x4.id }, housing)).userErrors).toEqual([{ code: 'NO_CHANGE', field: ['input', 'findingId'] }]);
    // Two identical resolutions at once take turns on the finding's lock: one event, both answered with it.
    const resolutions = await Promise.all([0, 1].map(() => settle('findingResolve', { findingId: x8.id, note: '已停发' }, civil)));
    expect(resolutions).toEqual([0, 1].map(() => ({ finding: { id: x8.id, status: 'RESOLVED' }, userErrors: [] })));
    expect((await settle('findingResolve', { findingId: x2.id, note: '孤儿基本生活费已于 2025-06 停发' }, civil)).finding.status).toBe('RESOLVED');

    const again = await scanAndWait('370811');
    expect(again.id).not.toBe(first.id);
    const now = byRule(again);
    // Dismissed, records unchanged: stays dismissed. Confirmed: stays. Resolved but still paid: reopened. Resolved and past: stays.
    expect(now.get(`X1:${ids.overlap}`)).toMatchObject({ id: x1.id, status: 'DISMISSED', firstSeenScan: { id: first.id }, lastSeenScan: { id: again.id } });
    expect(now.get(`X4:${ids.housing}`)).toMatchObject({ id: x4.id, status: 'CONFIRMED' });
    expect(now.get(`X8:${ids.death}`)).toMatchObject({ id: x8.id, status: 'OPEN' });
    expect(now.get(`X2:${ids.orphan}`)).toMatchObject({ id: x2.id, status: 'RESOLVED' });
    expect(again.progress).toMatchObject({ new: 0, reopened: 1, stillSettled: 2 });

    expect(now.get(`X1:${ids.overlap}`).events).toEqual([
      { action: 'DISMISSED', fromStatus: 'OPEN', toStatus: 'DISMISSED', actor: expect.any(String), department: { code: 'CIVIL_AFFAIRS' }, officer: 'zhang01', reason: '县民政局核实：特困期间低保已停发，系统未更新', scan: null },
    ]);
    expect(now.get(`X8:${ids.death}`).events.map((e: any) => [e.action, e.reason, e.scan?.id ?? null])).toEqual([
      ['RESOLVED', '已停发', null],
      ['REOPENED', 'STILL_ONGOING', again.id],
    ]);

    // The default browse leaves out what no longer needs acting on.
    const actionable = await monitoring().gql(SCAN, { id: again.id, first: 100 });
    const statuses = new Set(actionable.data.scan.findings.edges.map((e: any) => e.node.status));
    expect([...statuses].sort()).toEqual(['CONFIRMED', 'OPEN']);
    // Household.findings carries the stored status.
    expect((await findingsOf(ids.overlap))[0].status).toBe('DISMISSED');
  });

  it('refuses a mobile number or a bank card in a reason or note, naming it masked, writing nothing; a repeat of a settling made before the screen is answered with the finding', async () => {
    const writer = await hub.createClient({ department: 'CIVIL_AFFAIRS', roles: ['DEPARTMENT_WRITER'] });
    const open = (await dbs.hub.select().from(finding).where(eq(finding.status, 'OPEN'))).filter((f) => departmentsOfMask(f.departmentMask).includes('CIVIL_AFFAIRS'));
    expect(open.length).toBeGreaterThanOrEqual(2);
    const [one, two] = open.map((f) => f.fingerprint);
    const events = async () => (await dbs.hub.select({ id: findingEvent.id }).from(findingEvent)).length;
    const before = await events();
    const refusedAs = (field: string, found: string) => ({ finding: null, userErrors: [{ code: 'IDENTIFYING_NUMBER', field: ['input', field], found, message: expect.stringContaining(found) }] });
    const settleIt = async (mutation: string, input: Record<string, unknown>) =>
      (await hub.as({ token: writer.token, purpose: 'DUPLICATE_CHECK' }).gql(`mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { finding { id status } userErrors { code field found message } } }`, { input })).data[mutation];
    expect(await settleIt('findingDismiss', { findingId: one, reason: '已电话核实 139-0537-1234' })).toEqual(refusedAs('reason', '139****1234'));
    expect(await settleIt('findingConfirm', { findingId: one, note: '追回款打入 6222 0216 0700 1234 567' })).toEqual(refusedAs('note', '****4567'));
    expect(await settleIt('findingResolve', { findingId: one, note: '联系户主 一三九〇五三七一二三四' })).toEqual(refusedAs('note', '139****1234'));
    // An invisible character (a right-to-left mark; zero-width spaces splitting a number a reader still sees) is refused as in an alert's reason.
    const hidden = (field: string, codePoint: string) => ({ finding: null, userErrors: [{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', field], found: null, message: expect.stringContaining(codePoint) }] });
    expect(await settleIt('findingConfirm', { findingId: one, note: '已核实\u200f重复发放' })).toEqual(hidden('note', 'U+200F'));
    expect(await settleIt('findingDismiss', { findingId: one, reason: '已电话核实 139\u200b0537\u200b1234' })).toEqual(hidden('reason', 'U+200B'));
    expect(await events()).toBe(before);
    // Dates, amounts, document numbers and what it tells of health pass.
    const fine = '依据鲁民〔2026〕12号，2026-03-16停发，因病住院期间多发500元已追回';
    expect(await settleIt('findingResolve', { findingId: one, note: fine })).toEqual({ finding: { id: one, status: 'RESOLVED' }, userErrors: [] });
    // Dismissed as before the screen, the reason as written; sent again, it is the repeat.
    const reason = '户主电话 13905371234 核实无误';
    const made = await settleFinding(dbs.hub, two, 'DISMISS', { actor: writer.name, department: 'CIVIL_AFFAIRS', officer: null }, reason);
    expect(made.ok).toBe(true);
    const after = await events();
    expect(await settleIt('findingDismiss', { findingId: two, reason })).toEqual({ finding: { id: two, status: 'DISMISSED' }, userErrors: [] });
    expect(await settleIt('findingDismiss', { findingId: two, reason: '户主电话 13905371235' })).toEqual(refusedAs('reason', '139****1235'));
    expect(await events()).toBe(after);
  });

  it('reopens a dismissed finding when its records change, under the same id', async () => {
    const x1 = byRule(first).get(`X1:${ids.overlap}`);
    await civilAffairsScenario.update(dbs.sources.CIVIL_AFFAIRS, 'tekun', { endOn: '2026-01-31' }, { idNo: CASES.overlap.person });
    const third = await scanAndWait('370811');
    const now = byRule(third).get(`X1:${ids.overlap}`);
    expect(now).toMatchObject({ id: x1.id, status: 'OPEN' });
    expect(now.events.at(-1)).toMatchObject({ action: 'REOPENED', reason: 'RECORDS_CHANGED', scan: { id: third.id } });
  });

  it('refuses a second scan of an overlapping division while one runs', async () => {
    const a = monitoring().gql(`mutation { scanStart(input: { regionCode: "370800" }) { scan { id } userErrors { code } } }`);
    const b = monitoring().gql(`mutation { scanStart(input: { regionCode: "370811001" }) { scan { id } userErrors { code } } }`);
    const codes = (await Promise.all([a, b])).map((r) => r.data.scanStart.userErrors.map((e: any) => e.code));
    expect(codes).toContainEqual(['SCAN_ALREADY_RUNNING']);
    expect(codes).toContainEqual([]);
    const started = (await Promise.all([a, b])).find((r) => r.data.scanStart.userErrors.length === 0)!;
    for (let i = 0; i < 200; i++) {
      const res = await monitoring().gql(`query($id: ID!) { scan(id: $id) { state } }`, { id: started.data.scanStart.scan.id });
      if (res.data.scan.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('marks a scan whose hub process died as FAILED (INTERRUPTED) and lets its division be scanned again', async () => {
    const ago = (minutes: number) => toDbInstant(new Date(Date.now() - minutes * 60_000));
    const orphan = async (heartbeat: string) => {
      const [res] = (await dbs.hubPool.query(
        `INSERT INTO finding_scan (region_code, state, as_of, rule_set_name, rule_set_digest, started_by, started_at, heartbeat_at) VALUES ('370811', 'RUNNING', ?, 'default', ?, 'another-hub', ?, ?)`,
        [TODAY, '0'.repeat(16), heartbeat, heartbeat],
      )) as any;
      return String(res.insertId);
    };
    const start = () => monitoring().gql(`mutation { scanStart(input: { regionCode: "370811" }) { scan { id } userErrors { code } } }`);
    const scanState = async (id: string) => (await monitoring().gql(`query($id: ID!) { scan(id: $id) { state failure } }`, { id })).data.scan;

    // Heard from a minute ago: still running elsewhere, so a new scan of the division is refused.
    const alive = await orphan(ago(1));
    expect((await start()).data.scanStart.userErrors).toEqual([expect.objectContaining({ code: 'SCAN_ALREADY_RUNNING' })]);
    expect(await scanState(alive)).toEqual({ state: 'RUNNING', failure: null });

    // Silent for eleven minutes: it died with its process. It reads as interrupted at once…
    await dbs.hubPool.query('UPDATE finding_scan SET heartbeat_at = ? WHERE id = ?', [ago(11), alive]);
    expect(await scanState(alive)).toEqual({ state: 'FAILED', failure: 'INTERRUPTED' });
    // …and the next start records it so, ended when last heard of, and runs.
    const again = await scanAndWait('370811');
    expect(again.state).toBe('SUCCEEDED');
    const [[row]] = (await dbs.hubPool.query('SELECT state, failure, finished_at = heartbeat_at AS ended_when_last_heard FROM finding_scan WHERE id = ?', [alive])) as any;
    expect(row).toEqual({ state: 'FAILED', failure: 'INTERRUPTED', ended_when_last_heard: 1 });
  });

  describe('CSV export', () => {
    async function csv(scanId: string, query: string, headers: Record<string, string>) {
      const res = await fetch(`${hub.url}/exports/scans/${scanId}/findings.csv${query}`, { headers });
      const raw = Buffer.from(await res.arrayBuffer());
      return { status: res.status, type: res.headers.get('content-type'), body: raw.toString('utf8'), raw };
    }
    const lines = (body: string) => body.replace(/^\uFEFF/, '').trim().split('\n');

    it('exports the same findings the browse shows, with a BOM for Excel', async () => {
      const headers = hub.as({ purpose: 'MONITORING' }).headers;
      const all = await csv(first.id, '', headers);
      expect(all.status).toBe(200);
      expect(all.type).toContain('text/csv');
      expect(all.body.startsWith('\uFEFF发现编号,')).toBe(true);
      // Excel on Chinese Windows: UTF-8 announced by its BOM (EF BB BF), times in China time with the zone in the header.
      expect([...all.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const header = lines(all.body)[0].split(',');
      expect(header.slice(-2)).toEqual(['首次发现（北京时间 UTC+8）', '最近发现（北京时间 UTC+8）']);
      const [[stored]] = (await dbs.hubPool.query('SELECT first_seen_at AS t FROM finding ORDER BY id LIMIT 1')) as any;
      const storedUtc = new Date(stored.t instanceof Date ? stored.t.getTime() : `${String(stored.t).replace(' ', 'T')}Z`);
      const china = new Date(storedUtc.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
      expect(lines(all.body).slice(1).some((l) => l.includes(`,${china},`))).toBe(true);
      const browse = await monitoring().gql(SCAN, { id: first.id, first: 100 });
      expect(lines(all.body)).toHaveLength(1 + browse.data.scan.findings.totalCount);
      const x4 = await csv(first.id, '?rule=X4&department=HOUSING', headers);
      const rows = lines(x4.body);
      expect(rows).toHaveLength(2);
      expect(rows[1]).toContain(CASES.housing.head);
      expect(rows[1]).toContain('公租房实物配租与租赁补贴重复');
      // Typed in lower case into an address bar: every filter reads it alike (severity=conflict was
      // refused while rule=x4 matched, and that only by the collation's leniency).
      const upper = await csv(first.id, '?rule=X4&department=HOUSING&severity=CONFLICT,WARNING&status=OPEN,CONFIRMED', headers);
      const lower = await csv(first.id, '?rule=x4&department=housing&severity=conflict,Warning&status=open,confirmed', headers);
      expect([lower.status, lines(lower.body)]).toEqual([200, lines(upper.body)]);
      expect(lines(upper.body)).toEqual(rows);
      expect(exportFilter({ rule: 'x4', severity: 'conflict' })).toMatchObject({ ok: true, value: { ruleIds: ['X4'], severities: ['CONFLICT'] } });
    });

    it('writes identifiers of digits as text Excel keeps whole, and defuses formulas', async () => {
      const x4 = await csv(first.id, '?rule=X4&department=HOUSING', hub.as({ purpose: 'MONITORING' }).headers);
      const [header, row] = parse(x4.body.replace(/^\uFEFF/, '')) as string[][];
      // One person in clear, all digits: opened as a number, Excel showed 3.70811E+17 and kept 15 of its 18 digits.
      expect(CASES.housing.head).toMatch(/^\d{18}$/);
      expect(row[header.indexOf('涉及人员')]).toBe(`="${CASES.housing.head}"`);
      // A registration number of digits likewise (the demo's are 16); one with letters, or masked ID numbers, stay as they are.
      expect(csvCell('3708110000000271', '户籍登记号')).toBe('="3708110000000271"');
      expect(csvCell('37081120050929659X', '涉及人员')).toBe('37081120050929659X');
      expect(csvCell('370811********4179', '涉及人员')).toBe('370811********4179');
      expect(csvCell('370811197601081749 370811199808059425', '涉及人员')).toBe('370811197601081749 370811199808059425');
      expect(csvCell('12345678901234567890123456789e12', '发现编号')).toBe('="12345678901234567890123456789e12"');
      expect(row[header.indexOf('户籍登记号')]).toBe(CASES.housing.registrationNo);
      // Free text starting as a formula is not run, in any column, identifier or not.
      expect(csvCell('=HYPERLINK("http://x")', '户籍登记号')).toBe(`'=HYPERLINK("http://x")`);
      expect(csvCell('+1', '说明')).toBe(`'+1`);
      // A number in a prose column is left alone.
      expect(csvCell('12', '说明')).toBe('12');
    });

    it('masks ID numbers for a role that may not see them, and refuses a bad filter or no purpose', async () => {
      const reader = await hub.createClient({ roles: ['READER'] });
      const masked = await csv(first.id, '?rule=X4', hub.as({ token: reader.token, purpose: 'MONITORING' }).headers);
      expect(masked.status).toBe(200);
      expect(masked.body).not.toContain(CASES.housing.head);
      expect(masked.body).toContain(`${CASES.housing.head.slice(0, 6)}********${CASES.housing.head.slice(-4)}`);
      expect((await csv(first.id, '?severity=LOUD', hub.as({ purpose: 'MONITORING' }).headers)).status).toBe(400);
      expect((await csv(first.id, '', hub.as({ purpose: null }).headers)).status).toBe(403);
      expect((await csv('999999', '', hub.as({ purpose: 'MONITORING' }).headers)).status).toBe(404);
    });

    it('refuses a township the hub holds nothing of, or more than one, rather than answer a file without lines', async () => {
      const headers = hub.as({ purpose: 'MONITORING' }).headers;
      const refusal = async (query: string) => {
        const res = await csv(first.id, query, headers);
        return [res.status, res.type, JSON.parse(res.body).errors.map((e: any) => e.extensions)];
      };
      // A typo'd township of 任城区: refused as Scan.findings refuses it (REGION_UNKNOWN), no file.
      expect(await refusal('?township=370811002')).toEqual([400, expect.stringContaining('application/json'), [{ code: 'BAD_USER_INPUT', reason: 'REGION_UNKNOWN', argument: 'township' }]]);
      // Two townships: the second was dropped unread and the file passed for both.
      for (const query of [`?township=${TOWNSHIP},370826100`, `?township=${TOWNSHIP}&township=370826100`]) {
        expect(await refusal(query)).toEqual([400, expect.stringContaining('application/json'), [{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_FILTER' }]]);
      }
      // A code that is no township's: refused as Scan.findings refuses it (MALFORMED_DIVISION_CODE), naming the argument.
      for (const query of ['?township=3708110010', '?township=370811', '?township=37081100A']) {
        expect(await refusal(query)).toEqual([400, expect.stringContaining('application/json'), [{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_DIVISION_CODE', argument: 'township' }]]);
      }
      // A known township without findings (夏镇街道) is a file of the header alone; the township's own has its findings.
      const empty = await csv(first.id, '?township=370826100', headers);
      expect([empty.status, lines(empty.body)]).toEqual([200, [CSV_HEADER.join(',')]]);
      const own = await csv(first.id, `?township=${TOWNSHIP}`, headers);
      expect(lines(own.body).length).toBeGreaterThan(1);
      expect(lines(own.body)).toEqual(lines((await csv(first.id, '', headers)).body));
    });

    it("refuses a township outside the caller's region scope (OUT_OF_SCOPE) rather than answer a file without lines, as Scan.findings does", async () => {
      // A township's office: the scan of its county is in its reach, another county's township is not.
      const township = await hub.createClient({ regionScope: TOWNSHIP });
      const as = hub.as({ token: township.token, purpose: 'MONITORING' });
      const FINDINGS = `query($id: ID!, $filter: FindingFilter) { scan(id: $id) { findings(filter: $filter) { totalCount } } }`;
      // Known (夏镇街道) or not (a typo): the same answer, which tells nothing of what the hub holds there.
      for (const other of ['370826100', '370826999']) {
        const res = await csv(first.id, `?township=${other}`, as.headers);
        expect([res.status, JSON.parse(res.body).errors.map((e: any) => e.extensions)]).toEqual([403, [{ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE', argument: 'township' }]]);
        const gql = await as.gql(FINDINGS, { id: first.id, filter: { townshipCode: other } });
        expect(gql.errors?.map((e: any) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE', argument: 'filter.townshipCode' })]);
      }
      // Its own township is exported as before.
      const own = await csv(first.id, `?township=${TOWNSHIP}`, as.headers);
      expect([own.status, lines(own.body).length > 1]).toEqual([200, true]);
      expect((await as.gql(FINDINGS, { id: first.id, filter: { townshipCode: TOWNSHIP } })).data.scan.findings.totalCount).toBeGreaterThan(0);
    });
  });
});

describe('a department that does not answer', () => {
  let partial: TestHub;
  beforeAll(async () => {
    const deadPort = await freePort();
    partial = await startTestHub(dbs, { today: TODAY, sources: { DISABILITY: { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` }, HEALTH: { url: `mysql://root@127.0.0.1:${deadPort}/nowhere` } } });
  });
  afterAll(async () => {
    await partial?.close();
  });

  it('is never taken for missed aid, and the answer says it is partial', async () => {
    const res = await partial.gql(HOUSEHOLD_FINDINGS, { id: String(ids.nursing) });
    expect(res.data.household.findings).toEqual([]);
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('DEPARTMENT_UNAVAILABLE');
    // Rules reading only the departments that answered still run.
    const overlap = await partial.gql(HOUSEHOLD_FINDINGS, { id: String(ids.overlap) });
    expect(ruleIds(overlap.data.household.findings)).toEqual(['X1']);
  });

  it('makes a pre-grant check that needs it incomplete, and leaves one that does not complete', async () => {
    const Q = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { complete consulted { code } } }`;
    const writer = partial.as({ purpose: 'DUPLICATE_CHECK' });
    const medical = await writer.gql(Q, { input: { beneficiaryIdNumber: CASES.settlement.person, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen: 1, settlementReference: CASES.settlement.setlId } });
    expect(medical.data.preGrantCheck.complete).toBe(false);
    expect(medical.errors?.map((e) => e.extensions)).toContainEqual(expect.objectContaining({ code: 'DEPARTMENT_UNAVAILABLE', department: 'HEALTH' }));
    const temp = await writer.gql(Q, { input: { beneficiaryIdNumber: CASES.housing.head, programme: 'TEMP_AID', grantDate: TODAY, amountFen: 1, cause: 'OTHER' } });
    expect(temp.data.preGrantCheck).toEqual({ complete: true, consulted: [{ code: 'CIVIL_AFFAIRS' }] });
    expect(temp.errors).toBeUndefined();
  });

  it('fails a scan rather than report what it could not see', async () => {
    const monitoring = partial.as({ purpose: 'MONITORING' });
    const started = await monitoring.gql(`mutation { scanStart(input: { regionCode: "370811001" }) { scan { id } userErrors { code } } }`);
    expect(started.data.scanStart.userErrors).toEqual([]);
    let scan: any;
    for (let i = 0; i < 200; i++) {
      scan = (await monitoring.gql(`query($id: ID!) { scan(id: $id) { state failure } }`, { id: started.data.scanStart.scan.id })).data.scan;
      if (scan.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(scan.state).toBe('FAILED');
    expect(scan.failure).toMatch(/^DEPARTMENT_UNAVAILABLE:(HEALTH|DISABILITY):UNREACHABLE$/);
  });
});

describe('the rule set', () => {
  const previous = process.env.AIDHUB_RULES_FILE;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-findings-rules-'));
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.AIDHUB_RULES_FILE;
    else process.env.AIDHUB_RULES_FILE = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists every rule with its basis', async () => {
    const res = await hub.gql(`{ rules { id enabled severity basis programmes { code } windowMonths thresholdFen } }`);
    expect(res.data.rules.map((r: any) => r.id)).toEqual(['X1', 'X2', 'X3', 'X4', 'X5', 'X6', 'X7', 'X8', 'X9', 'X10', 'X11', 'X12', 'X13', 'M1', 'M2', 'M3', 'M4', 'M5']);
    expect(res.data.rules.find((r: any) => r.id === 'X5')).toMatchObject({ windowMonths: 12, programmes: [{ code: 'TEMP_AID' }] });
    expect(res.data.rules.find((r: any) => r.id === 'M4')).toMatchObject({ thresholdFen: 1_000_000 });
  });

  it('follows a locality’s file: a rule switched off finds nothing', async () => {
    const file = path.join(dir, 'local.json');
    fs.writeFileSync(file, JSON.stringify({ name: '任城区', rules: [{ id: 'X6', enabled: false }] }));
    process.env.AIDHUB_RULES_FILE = file;
    try {
      expect(ruleIds(await findingsOf(wangId))).toEqual(['X13']);
      const rules = await hub.gql(`{ rules { id enabled } }`);
      expect(rules.data.rules.find((r: any) => r.id === 'X6')).toEqual({ id: 'X6', enabled: false });
    } finally {
      delete process.env.AIDHUB_RULES_FILE;
    }
    expect(ruleIds(await findingsOf(wangId))).toEqual(['X13', 'X6']);
    expect(WANG.child).toBeDefined();
  });

  it('stops the hub from starting when the file is invalid, naming the rule and the field', async () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, JSON.stringify({ rules: [{ id: 'X5', windowMonths: 'twelve' }] }));
    process.env.AIDHUB_RULES_FILE = file;
    try {
      await expect(startTestHub(dbs, { today: TODAY })).rejects.toThrow(/rule X5, field windowMonths/);
    } finally {
      delete process.env.AIDHUB_RULES_FILE;
    }
  });
});
