/**
 * A department's front-end database can carry a programme (subsidy, funding, grant, allocation)
 * code its documentation does not list, as it can a status code (test/unrecognised-status.test.ts).
 * The adapters skipped such a row (disability, education, health, housing, human resources), left
 * it out in the statement (union) or read it as another programme (civil affairs: any child
 * allowance category but GE as 事实无人抚养, in force): aid the household receives that no one saw.
 * Each is now shown under its department's catch-all programme, UNRECOGNISED, with the code: counted
 * in no total and by no rule, read in the same statements, named in the brief, counted at start-up
 * and in /metrics by department. Civil affairs' `revoked`, read as a boolean, took a 2 for "not
 * revoked" (aid paid): it is now UNRECOGNISED with the value.
 */
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { educationScenario } from '../federation/education/scenario';
import { healthScenario } from '../federation/health/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { unionScenario } from '../federation/union/scenario';
import { unrecognisedProgrammeRows, unrecognisedStatusRows } from '../federation/unrecognised-status';
import pino from 'pino';
import { HubMetrics } from '../server/metrics';
import { reportUnrecognisedStatus } from '../server/status-codes-report';
import { DEPARTMENT_CODES } from '../domain/departments';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { caseInDeliberation } from './support/cases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const HOUSEHOLD = `query($id: ID!) { household(id: $id) {
  aid { department { code } programme { code kind } sourceReference status sourceStatusCode sourceProgrammeCode amountFen }
  aidSummary { totalFen monthlyRecurringFen byDepartment { department { code } totalFen recordCount } byPurpose { purpose totalFen recordCount } }
  findings { rule { id } records { sourceReference } }
} }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let before: { res: any; statements: unknown };
/** Each planted row: source reference → department, the catch-all it is shown under, and the undocumented code. */
const planted = new Map<string, { department: string; programme: string; code: string }>();

const household = async () => {
  const res = await hub.gql(HOUSEHOLD, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  return { res: res.data.household, statements: res.extensions?.sqlStatements?.bySource };
};

beforeAll(async () => {
  dbs = await createTestDatabases('unrecognised_programme');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  before = await household();
  const s = dbs.sources;
  const plant = (department: string, code: string, refs: string[]) => refs.forEach((ref) => planted.set(ref, { department, programme: `${department}_UNRECOGNISED`, code }));
  // Counted, each would add to the totals; several would set off a duplicate rule (a second
  // allowance for the child, medical and union illness aid beyond the grandmother's stay, X7).
  plant('CIVIL_AFFAIRS', 'KN', await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'childAllowances', [{ childIdNo: WANG.child, category: 'KN', startOn: '2025-01-01', monthlyFen: 150_000 }]));
  plant('DISABILITY', 'JT', await disabilityScenario.insert(s.DISABILITY, 'subsidies', [{ certNo: `${WANG.spouse}42`, subType: 'JT', startYm: '2025-01', monthlyFen: 10_000, subStatus: 1 }]));
  plant('EDUCATION', 'MZBZ', await educationScenario.insert(s.EDUCATION, 'funding', [{ studentNo: 'S370811000123', schoolYear: '2025-2026', semester: 2, fundingType: 'MZBZ', amountYuan: '625.00', paidDate: '2026-03-01', paidFlag: 1 }]));
  plant('HOUSING', 'GX', await housingScenario.insert(s.HOUSING, 'rentalAllocations', [{ appNo: 'GZF2023-0456', allocType: 'GX', monthlyFen: 40_000, startDate: '2025-02-01' }]));
  plant('HEALTH', 'QTJZ', await healthScenario.insert(s.HEALTH, 'aidPayments', [{ payId: 'QT-2026-0201', psnCertNo: WANG.grandmother, setlId: 'SETL20260110001', aidType: 'QTJZ', payDate: '2026-02-01', payAmt: '6000.00' }]));
  plant('UNION', 'SN', await unionScenario.insert(s.UNION, 'grants', [{ fileNo: 'GH-2024-077', grantType: 'SN', grantDate: '2026-02-05', amountFen: 500_000, setlRef: 'SETL20260110001' }]));
  plant('HUMAN_RESOURCES', 'SB', await humanResourcesScenario.insert(s.HUMAN_RESOURCES, 'employmentAid', [{ sfzhm: WANG.spouse, btlx: 'SB', ffrq: '2026-01-10', ffje: '1200.00' }]));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('shows every department’s row under an undocumented programme code under its catch-all programme, UNRECOGNISED, with the code', async () => {
  const after = await household();
  const shown = after.res.aid.filter((r: any) => planted.has(r.sourceReference));
  expect(shown.map((r: any) => [r.sourceReference, r.department.code, r.programme.code, r.status, r.sourceProgrammeCode, r.sourceStatusCode]).sort()).toEqual(
    [...planted].map(([ref, p]) => [ref, p.department, p.programme, 'UNRECOGNISED', p.code, null]).sort(),
  );
  expect(new Set(shown.map((r: any) => r.department.code))).toEqual(new Set(DEPARTMENT_CODES.filter((d) => d !== 'REPORTED')));
  // The rest is as it was, and no other record carries a programme code.
  expect(after.res.aid.filter((r: any) => !planted.has(r.sourceReference))).toEqual(before.res.aid);
  expect(before.res.aid.every((r: any) => r.sourceProgrammeCode === null)).toBe(true);
});

it('counts none of them in the totals, sets off no rule with them, and reads them in the same statements', async () => {
  const after = await household();
  expect(after.res.aidSummary).toEqual(before.res.aidSummary);
  expect(after.res.findings.filter((f: any) => f.records.some((r: any) => planted.has(r.sourceReference)))).toEqual([]);
  expect(after.res.findings).toEqual(before.res.findings);
  expect(before.statements).toBeDefined();
  expect(after.statements).toEqual(before.statements);
});

it('reads a civil affairs revoked value that is neither 0 nor 1 as UNRECOGNISED with the value, not as aid paid', async () => {
  const totalBefore = (await household()).res.aidSummary;
  const [grant] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: WANG.head, causeCode: '01', grantDate: '2026-02-20', amountFen: 300_000, approvalLevel: 1, revoked: 2 }]);
  const after = await household();
  expect(after.res.aid.find((r: any) => r.sourceReference === grant)).toMatchObject({ programme: { code: 'TEMP_AID' }, status: 'UNRECOGNISED', sourceStatusCode: '2', sourceProgrammeCode: null });
  expect(after.res.aidSummary).toEqual(totalBefore);
  // One status column of civil affairs holds an undocumented code, in one row: the grant's revoked.
  expect((await unrecognisedStatusRows(hub.sources)).filter((c) => c.department === 'CIVIL_AFFAIRS' && c.rows).map((c) => c.rows)).toEqual([1]);
});

it('names them in the meeting brief with their code, outside the totals', async () => {
  const caseId = await caseInDeliberation(hub.gql, wangId, '收入骤减', '2026-03-09T09:00:00+08:00');
  const brief = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
  expect(brief).toContain('部门项目代码 MZBZ 未列入其文档，不计入合计');
  expect(brief).toContain('教育未识别资助项目');
});

it('counts such rows per department at start-up (a warning per column, no row content) and the records read in /metrics, by department only', async () => {
  const counts = await unrecognisedProgrammeRows(hub.sources);
  const rowsOf = (department: string) => counts.filter((c) => c.department === department).reduce((n, c) => n + (c.rows ?? 0), 0);
  expect(Object.fromEntries(DEPARTMENT_CODES.filter((d) => d !== 'REPORTED').map((d) => [d, rowsOf(d)]))).toEqual({
    CIVIL_AFFAIRS: 1,
    DISABILITY: 1,
    EDUCATION: 1,
    HOUSING: 1,
    HEALTH: 1,
    UNION: 1,
    HUMAN_RESOURCES: 1,
  });

  const lines: string[] = [];
  const metrics = new HubMetrics(null);
  await reportUnrecognisedStatus(hub.sources, pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), metrics);
  const warned = lines.map((l) => JSON.parse(l)).filter((l) => /programme code/.test(l.msg)).map(({ department, column, rows }) => ({ department, column, rows }));
  expect(warned).toEqual(counts.filter((c) => c.rows));
  expect(lines.join('\n')).not.toMatch(/370811\d{11}|GZF|SETL|QT-2026|MZBZ/);
  const text = await metrics.registry.metrics();
  expect(text).toContain('aidhub_source_unrecognised_programme_rows{department="UNION"} 1');

  const metricsHub = await startTestHub(dbs, { today: TODAY, metrics: true });
  try {
    expect((await metricsHub.gql(HOUSEHOLD, { id: String(wangId) })).errors).toBeUndefined();
    const scraped = await (await fetch(metricsHub.metricsUrl!)).text();
    for (const d of ['CIVIL_AFFAIRS', 'DISABILITY', 'EDUCATION', 'HOUSING', 'HEALTH', 'UNION', 'HUMAN_RESOURCES']) expect(scraped).toContain(`aidhub_aid_programme_unrecognised_total{department="${d}"} 1`);
    // The revoked 2 is a status code, counted there, not here.
    expect(scraped).toContain('aidhub_aid_status_unrecognised_total{department="CIVIL_AFFAIRS"} 1');
    expect(scraped).not.toMatch(/370811\d{11}/);
  } finally {
    await metricsHub.close();
  }
});
