/**
 * X13: aid of a programme bound to school stages (domain/school-stages.ts) already paid to a student
 * of another stage: 国家助学金 for a primary pupil, 寄宿生生活费补助 for a 高中 student. The pre-grant
 * check asked before a grant (schoolStage) and M3 proposed only fitting aid, but aid paid so was
 * flagged by nothing. The stage is judged on the aid's own day (stageOnTheDay over the roll entries
 * in school that day), never today; only WRONG_STAGE is a finding. Through a real hub over real
 * education databases: the household's findings, the scan (Scan.findings and its CSV export), and
 * the scan's statements, the same with the rule as without it.
 */
import { household, householdMember, person } from '../db/household/schema';
import { createScan } from '../db/findings/store';
import { countStatements } from '../db/instrument';
import { makeIdNumber } from '../domain/id-number';
import { buildRuleSet } from '../domain/findings/rule-set';
import { educationScenario } from '../federation/education/scenario';
import { runScan } from '../resolvers/findings/scan';
import { activeRuleSet } from '../rules/load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';

/** 小学 since 2023, paid 国家助学金 in October 2025. */
const PUPIL = makeIdNumber('370811', '2016-05-05', 31);
/** 普通高中 since 2024: 国家助学金 and 学费减免 fit. */
const SENIOR = makeIdNumber('370811', '2009-05-05', 33);
/** 普通高中 since 2024, paid 寄宿生生活费补助 in October 2025. */
const BOARDER = makeIdNumber('370811', '2009-07-07', 35);
/** 初中 to July 2025 (graduated), 普通高中 since September 2025: the boarding subsidy paid in March 2025 was his 初中's. */
const MOVED = makeIdNumber('370811', '2010-03-03', 37);
/** Two entries in school enrolled in 2025, 初中 and 普通高中: the stage cannot be told. */
const TWIN = makeIdNumber('370811', '2010-06-06', 39);
/** 初中, left (转出) in January 2025, paid the boarding subsidy in October 2025: no entry in school that day. */
const LEFT = makeIdNumber('370811', '2011-05-05', 41);
/** 初中 to July 2025, 普通高中 since September 2025: the boarding subsidy of his last 初中 year (2024-2025) paid late, in September 2025. */
const PAID_LATE = makeIdNumber('370811', '2010-04-04', 43);
/** 初中 since 2022 (the entry never closed), 普通高中 since September 2025: 国家助学金 for 2025-2026 paid ahead, in August 2025. */
const PAID_AHEAD = makeIdNumber('370811', '2010-08-08', 45);
const CHILDREN = [PUPIL, SENIOR, BOARDER, MOVED, TWIN, LEFT, PAID_LATE, PAID_AHEAD];

let dbs: TestDatabases;
let hub: TestHub;
const householdOf = new Map<string, number>();

beforeAll(async () => {
  dbs = await createTestDatabases('x13_wrong_stage');
  await insertRegions(dbs);
  for (const [i, id] of CHILDREN.entries()) {
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `F-X13-${i}`, regionCode: VILLAGE, address: `古槐街道 X13-${i}` });
    await dbs.hub.insert(person).values({ idNumber: id, name: '学生', gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, deathDate: null });
    await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber: id, relation: 'HEAD', joinedOn: '2015-01-01' });
    householdOf.set(id, res.insertId);
  }
  const s = dbs.sources;
  const entry = (studentNo: string, sfzh: string, stage: string, enrolYear: string, extra: Record<string, unknown> = {}) => ({ studentNo, sfzh, schoolCode: '370811000001', schoolName: '演示学校', stage, grade: 1, enrolYear, xjStatus: 'ZX', ...extra });
  await educationScenario.insert(s.EDUCATION, 'students', [
    entry('XS-P', PUPIL, 'XX', '2023'),
    entry('XS-S', SENIOR, 'GZ', '2024'),
    entry('XS-B', BOARDER, 'GZ', '2024'),
    entry('XS-M0', MOVED, 'CZ', '2022', { xjStatus: 'BY', leaveDate: '2025-07-01' }),
    entry('XS-M1', MOVED, 'GZ', '2025'),
    entry('XS-W0', TWIN, 'CZ', '2025'),
    entry('XS-W1', TWIN, 'GZ', '2025'),
    entry('XS-L', LEFT, 'CZ', '2023', { xjStatus: 'CX', leaveDate: '2025-01-10' }),
    entry('XS-LT0', PAID_LATE, 'CZ', '2022', { xjStatus: 'BY', leaveDate: '2025-07-01' }),
    entry('XS-LT1', PAID_LATE, 'GZ', '2025'),
    entry('XS-AH0', PAID_AHEAD, 'CZ', '2022'),
    entry('XS-AH1', PAID_AHEAD, 'GZ', '2025'),
  ]);
  const pay = (studentNo: string, fundingType: string, paidDate: string, schoolYear: string) => ({ studentNo, schoolYear, semester: 1, fundingType, amountYuan: '625.00', paidDate, paidFlag: 1 });
  await educationScenario.insert(s.EDUCATION, 'funding', [
    pay('XS-P', 'GJZXJ', '2025-10-15', '2025-2026'),
    pay('XS-S', 'GJZXJ', '2025-10-15', '2025-2026'),
    pay('XS-S', 'XFJM', '2025-09-10', '2025-2026'),
    pay('XS-B', 'JSSBZ', '2025-10-20', '2025-2026'),
    pay('XS-M0', 'JSSBZ', '2025-03-10', '2024-2025'),
    pay('XS-W1', 'JSSBZ', '2025-10-20', '2025-2026'),
    pay('XS-W1', 'GJZXJ', '2025-10-15', '2025-2026'),
    pay('XS-L', 'JSSBZ', '2025-10-20', '2025-2026'),
    pay('XS-LT0', 'JSSBZ', '2025-09-20', '2024-2025'),
    pay('XS-AH1', 'GJZXJ', '2025-08-25', '2025-2026'),
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const FINDINGS = `query($id: ID!) { household(id: $id) { findings { rule { id kind } severity people { idNumber } records { programme { code } grantDate } departments { code } ongoing explanation measure { __typename ... on WrongSchoolStage { judgedOn stage programmeStages } } } } }`;

async function findingsOf(id: string): Promise<any[]> {
  const res = await hub.gql(FINDINGS, { id: String(householdOf.get(id)) });
  expect(res.errors).toBeUndefined();
  return res.data.household.findings;
}

describe('X13: aid paid to a student of a stage its programme is not for', () => {
  it('国家助学金 paid to a primary pupil is found, with the stage found, the stages it is for and the day judged', async () => {
    expect(await findingsOf(PUPIL)).toEqual([
      {
        rule: { id: 'X13', kind: 'WRONG_SCHOOL_STAGE' },
        severity: 'WARNING',
        people: [{ idNumber: PUPIL }],
        records: [{ programme: { code: 'NATIONAL_GRANT' }, grantDate: '2025-10-15' }],
        departments: [{ code: 'EDUCATION' }],
        ongoing: false,
        explanation: '学生资助发放给不属于该项目学段的学生：国家助学金（教育局，2025-10-15发放，625.00 元）面向普通高中、中职、高校学生，受助学生 2025-10-15 在读学段为小学（以教育部门学籍为准）。',
        measure: { __typename: 'WrongSchoolStage', judgedOn: '2025-10-15', stage: 'PRIMARY', programmeStages: ['SENIOR_SECONDARY', 'SECONDARY_VOCATIONAL', 'HIGHER'] },
      },
    ]);
  });

  it('寄宿生生活费补助 paid to a 高中 student is found; 国家助学金 and 学费减免 to a 高中 student are not', async () => {
    expect((await findingsOf(BOARDER)).map((f) => [f.rule.id, f.measure])).toEqual([['X13', { __typename: 'WrongSchoolStage', judgedOn: '2025-10-20', stage: 'SENIOR_SECONDARY', programmeStages: ['PRIMARY', 'JUNIOR_SECONDARY'] }]]);
    expect(await findingsOf(SENIOR)).toEqual([]);
  });

  it('the stage is the one on the aid’s day: a boarding subsidy paid in 初中 to a student in 高中 now is not flagged', async () => {
    expect(await findingsOf(MOVED)).toEqual([]);
  });

  it('aid of a school year paid outside it (late, or ahead) is judged within that school year, not in the stage of the day it was paid', async () => {
    // Paid 2025-09-20, he was in 高中: the subsidy is his 初中 year's (2024-2025), whose last day finds no entry in school.
    expect(await findingsOf(PAID_LATE)).toEqual([]);
    // Paid 2025-08-25, only his 初中 entry was in school: the grant is for 2025-2026, whose first day finds him in 高中.
    expect(await findingsOf(PAID_AHEAD)).toEqual([]);
  });

  it('two entries in school enrolled together of different stages (the stage unknown), or none in school that day, give no finding', async () => {
    expect(await findingsOf(TWIN)).toEqual([]);
    expect(await findingsOf(LEFT)).toEqual([]);
  });

  it('the pre-grant check answers the stage itself (schoolStage), not with an X13 finding beside it', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear schoolStage findings { rule { id } } } }`, {
      input: { beneficiaryIdNumber: PUPIL, programme: 'NATIONAL_GRANT', grantDate: TODAY, schoolYear: '2025-2026', amountFen: 62_500 },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toEqual({ clear: false, schoolStage: 'WRONG_STAGE', findings: [] });
  });

  // The enum alone was the answer: no words and no next step, where every finding and a meeting's
  // decision of the same grant say both.
  it('says the stage misfit in Chinese with the next step (schoolStageExplanation)', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(`query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { schoolStage schoolStageExplanation } }`, {
      input: { beneficiaryIdNumber: PUPIL, programme: 'NATIONAL_GRANT', grantDate: TODAY, schoolYear: '2025-2026', amountFen: 62_500 },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toEqual({ schoolStage: 'WRONG_STAGE', schoolStageExplanation: '国家助学金面向普通高中、中职、高校学生，受助人在读学段不在其列，请与教育部门核实学籍' });
  });
});

describe('X13 in a scan', () => {
  it('appears in Scan.findings and the CSV export, ID numbers masked for a role that may not see them', async () => {
    const monitoring = hub.as({ purpose: 'MONITORING' });
    const started = await monitoring.gql(`mutation { scanStart(input: { regionCode: "370811" }) { scan { id } userErrors { code } } }`);
    expect(started.data.scanStart.userErrors).toEqual([]);
    const id = started.data.scanStart.scan.id;
    let scan: any;
    for (let i = 0; i < 600; i++) {
      scan = (await monitoring.gql(`query($id: ID!) { scan(id: $id) { state findings(first: 100) { edges { node { rule { id } people { idNumber } measure { ... on WrongSchoolStage { stage } } } } } } }`, { id })).data.scan;
      if (scan.state !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(scan.state).toBe('SUCCEEDED');
    const x13 = scan.findings.edges.map((e: any) => e.node).filter((n: any) => n.rule.id === 'X13');
    expect(x13.map((n: any) => [n.people[0].idNumber, n.measure.stage]).sort()).toEqual([[BOARDER, 'SENIOR_SECONDARY'], [PUPIL, 'PRIMARY']].sort());

    const reader = await hub.createClient({ roles: ['READER'] });
    const res = await fetch(`${hub.url}/exports/scans/${id}/findings.csv?rule=X13`, { headers: hub.as({ token: reader.token, purpose: 'MONITORING' }).headers });
    expect(res.status).toBe(200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    const pupil = lines.find((l) => l.includes('在读学段为小学'))!;
    expect(pupil).toContain('学生资助发放给不属于该项目学段的学生');
    expect(pupil).toContain(`${PUPIL.slice(0, 6)}********${PUPIL.slice(-4)}`);
    expect(pupil).not.toContain(PUPIL);
  });

  it('costs the scan the same department statements with X13 as without it: it reads the roll the scan reads already', async () => {
    const withX13 = activeRuleSet();
    const without = buildRuleSet({ rules: withX13.rules.filter((r) => r.id !== 'X13') }, null, { defaults: 'test' });
    const counts: Record<string, number>[] = [];
    for (const ruleSet of [withX13, without]) {
      const deps = { hub: dbs.hub, sources: dbs.sourceSet, ruleSet, today: TODAY };
      const scanId = await createScan(dbs.hub, { regionCode: '370811', asOf: TODAY, ruleSet, startedBy: 'test', startedByDepartment: null });
      const { result, counter } = await countStatements(() => runScan(deps, scanId, '370811', {}));
      // The departments' reads; the hub's statements differ only by storing the two findings.
      counts.push(Object.fromEntries([...counter.bySource].filter(([source]) => source !== 'HUB')));
      expect(result.findingsCount).toBe(ruleSet === withX13 ? 2 : 0);
    }
    expect(counts[0]).toEqual(counts[1]);
    expect(counts[0].EDUCATION).toBeGreaterThan(0);
  });
});
