/**
 * A department's front-end database is written by its own system, which nothing restricts to the
 * status codes its documentation lists (the import does; a typo or a code added since does not go
 * through it). A row under such a code read as aid in force (civil affairs, disability, human
 * resources: ACTIVE; education: PAID), under review (housing: PENDING) or revoked (health, union:
 * CANCELLED). In every department it is now UNRECOGNISED, with its code: shown in the household,
 * counted in no total, by no duplicate rule, fulfilling no decision, read in the same statements;
 * and the start-up count and /metrics name the departments holding such rows.
 */
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { educationScenario } from '../federation/education/scenario';
import { healthScenario } from '../federation/health/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { unionScenario } from '../federation/union/scenario';
import { unrecognisedStatusRows } from '../federation/unrecognised-status';
import pino from 'pino';
import { HubMetrics } from '../server/metrics';
import { reportUnrecognisedStatus } from '../server/status-codes-report';
import { DEPARTMENT_CODES } from '../domain/departments';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { wangHealthAndHousingSlips } from './support/cases';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const HOUSEHOLD = `query($id: ID!) { household(id: $id) {
  aid { department { code } sourceReference status sourceStatusCode amountFen }
  aidSummary { totalFen monthlyRecurringFen byDepartment { department { code } totalFen recordCount } byPurpose { purpose totalFen recordCount } }
  findings { rule { id } records { sourceReference } }
} }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { id state } userErrors { code field } } }`;
const STANDING = `query($id: ID!) { referral(id: $id) { state fulfilment { aidSourceReference standing } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const clock = new TestClock('2026-03-15T10:00:00+08:00');
/** The household as it read before the undocumented rows went in. */
let before: { res: any; statements: unknown };
/** Each department's rows under an undocumented code: source reference → the code. */
const planted = new Map<string, { department: string; code: string }>();

const household = async () => {
  const res = await hub.gql(HOUSEHOLD, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  return { res: res.data.household, statements: res.extensions?.sqlStatements?.bySource };
};

beforeAll(async () => {
  dbs = await createTestDatabases('unrecognised_status');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  before = await household();
  const s = dbs.sources;
  const plant = (department: string, code: string | number, refs: string[]) => refs.forEach((ref) => planted.set(ref, { department, code: String(code) }));
  // Each would set off a duplicate rule if it counted: 特困 beside the head's 低保 (X1), a second
  // 护理补贴 for the spouse (X9), a flat beside the head's rent subsidy (X4), medical aid and union
  // illness aid beyond the grandmother's stay's out-of-pocket ¥7,010.50 (X7), a second 国家助学金 (X6).
  plant('CIVIL_AFFAIRS', 7, await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'tekun', [{ idNo: WANG.head, countyCode: '370811', careMode: 1, startOn: '2025-01-01', monthlyFen: 90_000, stateFlag: 7 }]));
  const cert = `${WANG.spouse}42`;
  plant('DISABILITY', 8, await disabilityScenario.insert(s.DISABILITY, 'subsidies', [{ certNo: cert, subType: 'HL', startYm: '2025-01', monthlyFen: 10_000, subStatus: 8 }]));
  plant('DISABILITY', 5, await disabilityScenario.insert(s.DISABILITY, 'rehabilitationAid', [{ certNo: cert, serviceName: '康复训练', grantDate: '2026-02-01', amountFen: 200_000, aidStatus: 5 }]));
  plant('EDUCATION', 9, await educationScenario.insert(s.EDUCATION, 'funding', [{ studentNo: 'S370811000123', schoolYear: '2025-2026', semester: 2, fundingType: 'GJZXJ', amountYuan: '625.00', paidDate: '2026-03-01', paidFlag: 9 }]));
  await housingScenario.insert(s.HOUSING, 'rentalApplications', { appNo: 'GZF2025-0077', applicantIdCard: WANG.head, familySize: 4, regionCode: WANG.regionCode, applyDate: '2025-01-05', appStatus: 77 });
  plant('HOUSING', 77, await housingScenario.insert(s.HOUSING, 'rentalAllocations', [{ allocId: 7701, appNo: 'GZF2025-0077', allocType: 'SW', monthlyFen: 40_000, startDate: '2025-02-01', endDate: null, unitAddress: null }]));
  plant('HEALTH', '7', await healthScenario.insert(s.HEALTH, 'aidPayments', [{ payId: 'MA-2026-0201-T', psnCertNo: WANG.grandmother, setlId: 'SETL20260110001', aidType: 'MAF', payDate: '2026-02-01', payAmt: '6000.00', valiFlag: '7' }]));
  plant('HEALTH', '5', await healthScenario.insert(s.HEALTH, 'settlements', [{ setlId: 'SETL20260220002', psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-15', dscgDate: '2026-02-20', setlDate: '2026-02-20', diseName: '肺炎', medfeeSumamt: '9000.00', hifpPay: '5000.00', hifmiPay: '0.00', mafPay: '1500.00', psnPay: '2500.00', refdSetlFlag: '5' }]));
  plant('UNION', 9, await unionScenario.insert(s.UNION, 'grants', [{ fileNo: 'GH-2024-077', grantType: 'DB', grantDate: '2026-02-05', amountFen: 500_000, setlRef: 'SETL20260110001', grantStatus: 9 }]));
  plant('HUMAN_RESOURCES', 6, await humanResourcesScenario.insert(s.HUMAN_RESOURCES, 'unemploymentBenefits', [{ sfzhm: WANG.spouse, ksrq: '2025-06-01', zzrq: null, yffbz: '1800.00', ffzt: 6 }]));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('shows every department’s row under an undocumented code as UNRECOGNISED, with the code, beside the aid it had', async () => {
  const after = await household();
  const shown = after.res.aid.filter((r: any) => planted.has(r.sourceReference));
  expect(shown.map((r: any) => [r.sourceReference, r.department.code, r.status, r.sourceStatusCode]).sort()).toEqual(
    [...planted].map(([ref, p]) => [ref, p.department, 'UNRECOGNISED', p.code]).sort(),
  );
  expect(new Set(shown.map((r: any) => r.department.code))).toEqual(new Set(DEPARTMENT_CODES.filter((d) => d !== 'REPORTED')));
  // The rest is as it was, and no other record carries a code.
  expect(after.res.aid.filter((r: any) => !planted.has(r.sourceReference))).toEqual(before.res.aid);
  expect(before.res.aid.every((r: any) => r.sourceStatusCode === null)).toBe(true);
});

it('counts none of them in the totals, and sets off no duplicate rule with them', async () => {
  const after = await household();
  expect(after.res.aidSummary).toEqual(before.res.aidSummary);
  const involving = after.res.findings.filter((f: any) => f.records.some((r: any) => planted.has(r.sourceReference)));
  expect(involving).toEqual([]);
  expect(after.res.findings).toEqual(before.res.findings);
});

it('sets off no rule with them in a region scan either', async () => {
  const monitoring = hub.as({ token: hub.token, purpose: 'MONITORING' }).gql;
  const started = await monitoring(`mutation { scanStart(input: { regionCode: "370811001" }) { scan { id } userErrors { code } } }`);
  expect(started.data.scanStart.userErrors).toEqual([]);
  const SCAN = `query($id: ID!) { scan(id: $id) { state findings(first: 100) { edges { node { rule { id } household { id } records { sourceReference } } } } } }`;
  let scan: any;
  for (let i = 0; i < 200 && (scan?.state ?? 'RUNNING') === 'RUNNING'; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    scan = (await monitoring(SCAN, { id: started.data.scanStart.scan.id })).data.scan;
  }
  expect(scan.state).toBe('SUCCEEDED');
  const wang = scan.findings.edges.map((e: any) => e.node).filter((f: any) => f.household.id === String(wangId));
  expect(wang.flatMap((f: any) => f.records).filter((r: any) => planted.has(r.sourceReference))).toEqual([]);
  expect(wang.map((f: any) => f.rule.id).sort()).toEqual(before.res.findings.map((f: any) => f.rule.id).sort());
});

it('reads them in the same statements as before', async () => {
  const after = await household();
  expect(before.statements).toBeDefined();
  expect(after.statements).toEqual(before.statements);
});

it('fulfils no decision with one (AID_RECORD_STATUS_UNRECOGNISED), and shows a fulfilment whose code turns undocumented afterwards as STATUS_UNRECOGNISED_AT_SOURCE', async () => {
  const { caseId, slips, office } = await wangHealthAndHousingSlips(hub, wangId, 'test-unrecognised');
  // The meeting brief lists them with their code, outside the totals.
  const brief = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
  expect(brief).toContain('状态代码未识别');
  expect(brief).toContain('部门状态代码 7 未列入其文档，不计入合计');
  const complete = (key: 'HEALTH' | 'HOUSING', aidSourceReference: string) => office[key](COMPLETE, { input: { referralId: slips[key], feedback: '已发放', aidSourceReference } });

  const [typo, paid] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
    { payId: 'MA-2026-0313-T', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '1000.00', valiFlag: 'Y' },
    { payId: 'MA-2026-0314', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-14', payAmt: '1000.00' },
  ]);
  expect(codes(await complete('HEALTH', typo), 'referralComplete')).toEqual(['AID_RECORD_STATUS_UNRECOGNISED']);
  await housingScenario.insert(dbs.sources.HOUSING, 'rentalApplications', { appNo: 'GZF2026-0313', applicantIdCard: WANG.head, familySize: 4, regionCode: WANG.regionCode, applyDate: '2026-03-12', appStatus: 33 });
  const [flat] = await housingScenario.insert(dbs.sources.HOUSING, 'rentalAllocations', { allocId: 7702, appNo: 'GZF2026-0313', allocType: 'SW', monthlyFen: 40_000, startDate: '2026-03-13', endDate: null, unitAddress: null });
  expect(codes(await complete('HOUSING', flat), 'referralComplete')).toEqual(['AID_RECORD_STATUS_UNRECOGNISED']);

  expect((await ok(office.HEALTH, COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已发放', aidSourceReference: paid } }, 'referralComplete')).referral.state).toBe('COMPLETED');
  await healthScenario.update(dbs.sources.HEALTH, 'aidPayments', { valiFlag: 'Y' }, { payId: 'MA-2026-0314' });
  expect((await office.HEALTH(STANDING, { id: slips.HEALTH })).data.referral).toEqual({ state: 'COMPLETED', fulfilment: { aidSourceReference: paid, standing: 'STATUS_UNRECOGNISED_AT_SOURCE' } });
  // Supervision lists the decision, and the brief marks it, until health corrects the code.
  const report = await hub.gql(`{ overdueReport { byOffice { office { key } fulfilmentsWithdrawn { referral { id } standing } } } }`);
  expect(report.errors).toBeUndefined();
  expect(report.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'HEALTH').fulfilmentsWithdrawn).toEqual([{ referral: { id: slips.HEALTH }, standing: 'STATUS_UNRECOGNISED_AT_SOURCE' }]);
  const marked = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
  expect(marked).toContain('<span class="overdue">该救助记录的部门状态代码未识别，是否仍有效待核实</span>');
});

it('counts such rows per department for the operators (start-up), and the records read (/metrics), by department only', async () => {
  const counts = await unrecognisedStatusRows(hub.sources);
  const rowsOf = (department: string) => counts.filter((c) => c.department === department).reduce((n, c) => n + (c.rows ?? 0), 0);
  // The fulfilment test's typo payments and application are among them.
  expect(Object.fromEntries(DEPARTMENT_CODES.filter((d) => d !== 'REPORTED').map((d) => [d, rowsOf(d)]))).toEqual({
    CIVIL_AFFAIRS: 1,
    DISABILITY: 2,
    EDUCATION: 1,
    HOUSING: 2,
    HEALTH: 4,
    UNION: 1,
    HUMAN_RESOURCES: 1,
  });
  expect(counts.every((c) => Object.keys(c).sort().join() === 'column,department,rows')).toBe(true);

  // What npm start does once serving (server/main.ts): a warning per column holding any, counts only.
  const lines: string[] = [];
  const metrics = new HubMetrics(null);
  await reportUnrecognisedStatus(hub.sources, pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), metrics);
  const warned = lines.map((l) => JSON.parse(l)).map(({ department, column, rows }) => ({ department, column, rows }));
  expect(warned).toEqual(counts.filter((c) => c.rows));
  expect(lines.join('\n')).not.toMatch(/370811\d{11}|GZF|SETL|MA-2026/);
  metrics.unrecognisedStatus('HOUSING', 2);
  const text = await metrics.registry.metrics();
  expect(text).toContain('aidhub_source_unrecognised_status_rows{department="HEALTH"} 4');
  expect(text).toContain('aidhub_aid_status_unrecognised_total{department="HOUSING"} 2');
  expect(text).toContain('aidhub_aid_status_unrecognised_total{department="UNION"} 0');
});

it('counts the records a household read brings back in /metrics', async () => {
  const metricsHub = await startTestHub(dbs, { today: TODAY, metrics: true });
  try {
    const res = await metricsHub.gql(HOUSEHOLD, { id: String(wangId) });
    expect(res.errors).toBeUndefined();
    const text = await (await fetch(metricsHub.metricsUrl!)).text();
    expect(text).toContain('aidhub_aid_status_unrecognised_total{department="CIVIL_AFFAIRS"} 1');
    expect(text).toContain('aidhub_aid_status_unrecognised_total{department="DISABILITY"} 2');
    expect(text).not.toMatch(/370811\d{11}/);
  } finally {
    await metricsHub.close();
  }
});
