/**
 * Coded columns no rule reads (civil affairs' area_type, care_mode; education's
 * semester; housing's danger_grade; the union's hardship_level; human resources' rdlb,
 * rdzt and syyy; a disability certificate's dis_type) were counted by nobody: a code a department's
 * own system wrote outside its documentation went unseen, and a certificate's category under such a
 * code was passed through as a number, shown as a category the hub's list of names did or did not
 * hold. Now start-up counts them beside the fact columns (`kind="display"`), and the category reads
 * as no category with its code. The household costs the same statements. A student's stage (学段)
 * was one of them until the stage checks read it (domain/school-stages.ts): it is a fact column now,
 * counted as `kind="fact"`, and the case test below reads it there. So is a temporary aid's
 * approval_level since X5 reads it (test/findings-x5-second-aid-level.test.ts).
 */
import pino from 'pino';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { educationScenario } from '../federation/education/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { unionScenario } from '../federation/union/scenario';
import { unrecognisedDisplayRows, unrecognisedFactRows } from '../federation/unrecognised-status';
import { certificatesByIdNumbers } from '../federation/disability/adapter';
import { HubMetrics } from '../server/metrics';
import { reportUnrecognisedStatus } from '../server/status-codes-report';
import { makeIdNumber } from '../domain/id-number';
import { DEPARTMENT_CODES } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { caseInDeliberation } from './support/cases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const HOUSEHOLD = `query($id: ID!) { household(id: $id) {
  aid { sourceReference programme { code } status sourceStatusCode sourceProgrammeCode }
  findings { rule { id } people { idNumber } measure { ... on MissedAid { conditions disabilityLevel } } }
} }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let before: { res: any; statements: unknown };
/** Someone outside the household, whose rows under undocumented codes the household never reads. */
const outsider = makeIdNumber('370811', '1960-02-02', 51);
/** The child's valid 一级 certificate under category code 0, which the federation does not document (1 视力 … 7 多重). */
const certificate = `${WANG.child}01`;
/** The household's own rows under an undocumented code in a column no rule reads. */
let planted: string[];

const household = async () => {
  const res = await hub.gql(HOUSEHOLD, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  return { res: res.data.household, statements: res.extensions?.sqlStatements?.bySource };
};

beforeAll(async () => {
  dbs = await createTestDatabases('unrecognised_display');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  before = await household();
  const s = dbs.sources;
  // One row under an undocumented code in each column, in the household's own rows where the household reads the table.
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: 'DB370811-0099', countyCode: '370811', headIdNo: outsider, areaType: 3, approvedOn: '2024-01-01' }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'tekun', [{ idNo: outsider, countyCode: '370811', careMode: 3, startOn: '2024-01-01', monthlyFen: 90_000 }]);
  const grant = await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '03', grantDate: '2025-07-01', amountFen: 50_000, approvalLevel: 9 }]);
  await educationScenario.insert(s.EDUCATION, 'students', { studentNo: 'S370811000999', sfzh: outsider, schoolCode: '3708110017', schoolName: '济宁市第十三中学', stage: 'YY', grade: 1, enrolYear: '2025' });
  const funding = await educationScenario.insert(s.EDUCATION, 'funding', [{ studentNo: 'S370811000123', schoolYear: '2024-2025', semester: 3, fundingType: 'GJZXJ', amountYuan: '625.00', paidDate: '2025-03-15' }]);
  const renovation = await housingScenario.insert(s.HOUSING, 'renovations', [{ projectId: 'WF370811-0999', ownerIdCard: WANG.head, villageCode: '370811001001', dangerGrade: 'E', grantFen: 1_000_000, completedDate: '2025-05-20' }]);
  await unionScenario.insert(s.UNION, 'workerFiles', { fileNo: 'GH-2025-999', idCard: outsider, employer: '济宁机床厂', hardshipLevel: 9, fileDate: '2025-01-01' });
  await humanResourcesScenario.insert(s.HUMAN_RESOURCES, 'hardToEmploy', [{ sfzhm: WANG.spouse, rdlb: '88', rdrq: '2025-01-01', rdzt: 5, jbjg: '370811' }]);
  await humanResourcesScenario.insert(s.HUMAN_RESOURCES, 'unemploymentRegistrations', [{ sfzhm: WANG.spouse, syrq: '2024-12-31', djrq: '2025-01-03', syyy: '77', zxrq: '2025-02-01' }]);
  // Valid and 一级, with no nursing subsidy: M1 (and M2, a 低保 household) find it, whatever its category.
  await disabilityScenario.insert(s.DISABILITY, 'certificates', [{ certNo: certificate, idCard: WANG.child, disType: 0, disLevel: 1, issueDate: '2025-01-01' }]);
  planted = [...grant, ...funding, ...renovation];
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('reads the household in the same statements, its rows under undocumented codes no rule reads as their own status says, and a certificate under an undocumented category code as one said to be undocumented, with the code', async () => {
  const after = await household();
  expect(after.statements).toEqual(before.statements);
  expect(after.res.aid.filter((r: any) => planted.includes(r.sourceReference)).map((r: any) => [r.programme.code, r.status, r.sourceStatusCode, r.sourceProgrammeCode]).sort()).toEqual(
    [
      ['TEMP_AID', 'PAID', null, null],
      ['NATIONAL_GRANT', 'PAID', null, null],
      ['RURAL_RENOVATION', 'PAID', null, null],
    ].sort(),
  );
  // The certificate holds no category, and the code beside it (it held the 0 as a category).
  expect(await certificatesByIdNumbers(dbs.sources.DISABILITY, [WANG.child])).toEqual([expect.objectContaining({ certificateNumber: certificate, category: null, sourceCategoryCode: '0', level: 1, status: 'VALID' })]);
  // The missed-aid rules read the level, never the category: they find the certificate as before, and say its category code is undocumented (it read 残疾类别代码 0，).
  const missed = after.res.findings.filter((f: any) => f.people.some((p: any) => p.idNumber === WANG.child) && /^M[12]$/.test(f.rule.id));
  expect(missed.map((f: any) => f.rule.id).sort()).toEqual(['M1', 'M2']);
  for (const f of missed) expect(f.measure.conditions).toContain('持残疾人证（残疾类别代码 0 未列入残联文档，一级）');

  // The brief shows the code the same way.
  const caseId = await caseInDeliberation(hub.gql, wangId, '残疾儿童护理', '2026-03-09T09:00:00+08:00');
  const brief = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
  expect(brief).toContain('残疾类别代码 0（未列入残联文档），一级');
});

it('counts the rows per column at start-up, with a warning per column holding any, and reports them beside the fact columns as kind="display"', async () => {
  const counts = await unrecognisedDisplayRows(hub.sources);
  // One row planted under each department's each display column (test/department-completeness.test.ts pins which columns they are).
  expect(counts.filter((c) => c.rows).map((c) => [c.department, c.column, c.rows])).toEqual(DEPARTMENT_CODES.flatMap((d) => (ADAPTERS[d].displayColumns ?? []).map((c) => [d, c.name, 1])));
  expect(counts).toHaveLength(9);
  const lines: string[] = [];
  const metrics = new HubMetrics(null);
  await reportUnrecognisedStatus(hub.sources, pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), metrics);
  const warned = lines.map((l) => JSON.parse(l)).filter((l) => /in a column no rule reads/.test(l.msg));
  expect(warned.map(({ department, column, rows }) => ({ department, column, rows }))).toEqual(counts.filter((c) => c.rows));
  expect(lines.join('\n')).not.toMatch(/370811\d{11}/);
  const text = await metrics.registry.metrics();
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="CIVIL_AFFAIRS",kind="display"} 2');
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="HUMAN_RESOURCES",kind="display"} 3');
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="DISABILITY",kind="display"} 1');
  // The fact columns apart: the grant's approval level (9) is one since X5 reads it (a township's second aid exempts nothing); no rule is silent on the other rows.
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="CIVIL_AFFAIRS",kind="fact"} 1');
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="DISABILITY",kind="fact"} 0');
  // Health has no such column: no series, rather than a 0 that would say it was counted.
  expect(text).not.toContain('aidhub_source_unrecognised_fact_rows{department="HEALTH",kind="display"}');
});

it('counts a text code that differs from a documented one only in case as undocumented, as the adapters read it (the column collation took it for the documented code)', async () => {
  const stage = async () => (await unrecognisedFactRows(hub.sources)).find((c) => c.department === 'EDUCATION' && c.column.endsWith('.stage'))!.rows;
  const counted = await stage();
  // 'gz' is not 'GZ' (普通高中) to `documented`, which compares exactly: the count must say so too.
  await educationScenario.insert(dbs.sources.EDUCATION, 'students', { studentNo: 'S370811000998', sfzh: makeIdNumber('370811', '1961-03-03', 52), schoolCode: '3708110017', schoolName: '济宁市第十三中学', stage: 'gz', grade: 1, enrolYear: '2025' });
  expect(await stage()).toBe(counted! + 1);
});
