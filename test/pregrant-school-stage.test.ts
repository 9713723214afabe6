/**
 * Education aid and the student's school stage (学段), through a real hub over real civil affairs,
 * education and union databases. 国家助学金 for a primary pupil was answered `clear: true`: no rule
 * read the stage, and X6 (the only rule naming 国家助学金) consulted the union alone. Now a
 * stage-bound programme (domain/school-stages.ts) is checked against the education roll:
 * WRONG_STAGE, NOT_ON_ROLL and STAGE_UNKNOWN are not clear; FITS and NOT_CHECKED are. And M3, a
 * student of a 低保 household with no education aid, proposes only aid of the student's stage.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { educationScenario } from '../federation/education/scenario';
import { freePort } from '../db/setup/private-server';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { TestClock } from './support/clock';
import { caseInDeliberation, countyClients } from './support/cases';
import { schoolStageFinding } from '../domain/cases/decision-checks';
import { programmesForStudent, schoolStageFit, stageOnTheDay, type StagedEntry } from '../domain/school-stages';

const VILLAGE = '370811001001';

/** One person per stage (and one off the roll, one of an undocumented stage code), each the child of a 低保 household. */
const PUPIL = makeIdNumber('370811', '2017-05-05', 81); // 小学 XX
const JUNIOR = makeIdNumber('370811', '2012-05-05', 82); // 初中 CZ
const SENIOR = makeIdNumber('370811', '2009-05-05', 83); // 普通高中 GZ
const VOCATIONAL = makeIdNumber('370811', '2009-07-07', 84); // 中职 ZZ
const LEFT = makeIdNumber('370811', '2011-05-05', 85); // 初中, left in January
const NOWHERE = makeIdNumber('370811', '2010-05-05', 86); // not on the roll
const ODD = makeIdNumber('370811', '2010-08-08', 87); // stage code YE, undocumented
const MOVED = makeIdNumber('370811', '2010-03-03', 88); // 初中 to July 2025, 普通高中 since September 2025
// Two entries in school (a data error under 一人一籍): a 初中 entry of 2022 never closed beside the 普通高中 one of 2025 he is in.
const STALE = makeIdNumber('370811', '2010-04-04', 89);
// Two entries in school enrolled the same year, 初中 and 普通高中: which one he is in cannot be told.
const TWIN = makeIdNumber('370811', '2010-06-06', 90);
const CHILDREN = [PUPIL, JUNIOR, SENIOR, VOCATIONAL, LEFT, NOWHERE, ODD, MOVED, STALE, TWIN];
const headOf = (i: number) => makeIdNumber('370811', '1980-01-01', 10 + i);

let dbs: TestDatabases;
let hub: TestHub;
/** Education's database is unreachable. */
let noEducation: TestHub;
const householdOf = new Map<string, number>();

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_school_stage');
  await insertRegions(dbs);
  const s = dbs.sources;
  for (const [i, child] of CHILDREN.entries()) {
    const head = headOf(i);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `F-STAGE-${i}`, regionCode: VILLAGE, address: `古槐街道 学段-${i}` });
    for (const id of [head, child]) {
      await dbs.hub.insert(person).values({ idNumber: id, name: '居民', gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, deathDate: null });
    }
    await dbs.hub.insert(householdMember).values([
      { householdId: res.insertId, idNumber: head, relation: 'HEAD', joinedOn: '2015-01-01' },
      { householdId: res.insertId, idNumber: child, relation: 'CHILD', joinedOn: '2017-06-01' },
    ]);
    householdOf.set(child, res.insertId);
    const familyNo = `DB370811-S${i}`;
    await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo, countyCode: '370811', headIdNo: head, areaType: 1, approvedOn: '2024-01-01' }]);
    await civilAffairsScenario.insert(
      s.CIVIL_AFFAIRS,
      'dibaoMembers',
      [head, child].map((idNo, j) => ({ familyNo, idNo, relationToHead: ['本人', '子'][j], joinedOn: '2024-01-01', monthlyShareFen: 72_000 })),
    );
  }
  const entry = (studentNo: string, sfzh: string, stage: string, grade: number, extra: Record<string, unknown> = {}) => ({ studentNo, sfzh, schoolCode: '370811000001', schoolName: '演示学校', stage, grade, enrolYear: '2024', xjStatus: 'ZX', ...extra });
  await educationScenario.insert(s.EDUCATION, 'students', [
    entry('XS-P', PUPIL, 'XX', 3),
    entry('XS-J', JUNIOR, 'CZ', 2),
    entry('XS-S', SENIOR, 'GZ', 2),
    entry('XS-V', VOCATIONAL, 'ZZ', 2),
    // Finished primary school (graduated), now in junior secondary: the current entry decides.
    entry('XS-J0', JUNIOR, 'XX', 6, { xjStatus: 'BY', leaveDate: '2024-07-01' }),
    entry('XS-L', LEFT, 'CZ', 2, { xjStatus: 'CX', leaveDate: '2026-01-10' }),
    entry('XS-O', ODD, 'YE', 1),
    entry('XS-M0', MOVED, 'CZ', 3, { enrolYear: '2022', xjStatus: 'BY', leaveDate: '2025-07-01' }),
    entry('XS-M1', MOVED, 'GZ', 1, { enrolYear: '2025' }),
    entry('XS-T0', STALE, 'CZ', 1, { enrolYear: '2022' }),
    entry('XS-T1', STALE, 'GZ', 1, { enrolYear: '2025' }),
    entry('XS-W0', TWIN, 'CZ', 3, { enrolYear: '2025' }),
    entry('XS-W1', TWIN, 'GZ', 1, { enrolYear: '2025' }),
  ]);
  hub = await startTestHub(dbs, { today: TODAY, clock: new TestClock(`${TODAY}T10:00:00+08:00`).now });
  noEducation = await startTestHub(dbs, { today: TODAY, sources: { EDUCATION: { url: `mysql://root@127.0.0.1:${await freePort()}/nowhere` } } });
});

afterAll(async () => {
  await noEducation?.close();
  await hub?.close();
  await dbs?.close();
});

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete schoolStage consulted { code } findings { rule { id } } } }`;

async function check(beneficiaryIdNumber: string, programme: string, through: TestHub = hub, grantDate = TODAY) {
  const schoolYear = grantDate < '2025-09-01' ? '2024-2025' : '2025-2026';
  const res = await through.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber, programme, grantDate, schoolYear, amountFen: 62_500 } });
  if (through === hub) expect(res.errors).toBeUndefined();
  const c = res.data.preGrantCheck;
  return { clear: c.clear, complete: c.complete, schoolStage: c.schoolStage, findings: c.findings.length, education: c.consulted.some((d: { code: string }) => d.code === 'EDUCATION') };
}

describe('pre-grant check of education aid and the school stage', () => {
  it('国家助学金 for a primary or junior-secondary pupil is WRONG_STAGE, not clear; for a senior or vocational student it fits', async () => {
    expect(await check(PUPIL, 'NATIONAL_GRANT')).toEqual({ clear: false, complete: true, schoolStage: 'WRONG_STAGE', findings: 0, education: true });
    expect(await check(JUNIOR, 'NATIONAL_GRANT')).toEqual({ clear: false, complete: true, schoolStage: 'WRONG_STAGE', findings: 0, education: true });
    expect(await check(SENIOR, 'NATIONAL_GRANT')).toEqual({ clear: true, complete: true, schoolStage: 'FITS', findings: 0, education: true });
    expect(await check(VOCATIONAL, 'NATIONAL_GRANT')).toEqual({ clear: true, complete: true, schoolStage: 'FITS', findings: 0, education: true });
  });

  it('学费减免 is for the stages that charge tuition; 寄宿生生活费补助 for 义务教育 pupils only', async () => {
    expect((await check(PUPIL, 'TUITION_WAIVER')).schoolStage).toBe('WRONG_STAGE');
    expect((await check(SENIOR, 'TUITION_WAIVER')).schoolStage).toBe('FITS');
    expect(await check(PUPIL, 'BOARDING_SUBSIDY')).toMatchObject({ clear: true, schoolStage: 'FITS' });
    expect(await check(JUNIOR, 'BOARDING_SUBSIDY')).toMatchObject({ clear: true, schoolStage: 'FITS' });
    expect(await check(SENIOR, 'BOARDING_SUBSIDY')).toMatchObject({ clear: false, schoolStage: 'WRONG_STAGE' });
  });

  it('no entry in school on the grant day is NOT_ON_ROLL; an undocumented stage code is STAGE_UNKNOWN: neither is clear', async () => {
    expect(await check(NOWHERE, 'NATIONAL_GRANT')).toEqual({ clear: false, complete: true, schoolStage: 'NOT_ON_ROLL', findings: 0, education: true });
    expect(await check(LEFT, 'BOARDING_SUBSIDY')).toEqual({ clear: false, complete: true, schoolStage: 'NOT_ON_ROLL', findings: 0, education: true });
    expect(await check(ODD, 'NATIONAL_GRANT')).toEqual({ clear: false, complete: true, schoolStage: 'STAGE_UNKNOWN', findings: 0, education: true });
  });

  it('a grant day in an earlier school year is judged by the entry on the roll that day, not by today’s', async () => {
    // March 2025: the 初中 entry (graduated since) was his; the 高中 one begins in September 2025.
    expect((await check(MOVED, 'BOARDING_SUBSIDY', hub, '2025-03-10')).schoolStage).toBe('FITS');
    expect((await check(MOVED, 'NATIONAL_GRANT', hub, '2025-03-10')).schoolStage).toBe('WRONG_STAGE');
    // Today he is a 高中 student.
    expect((await check(MOVED, 'NATIONAL_GRANT')).schoolStage).toBe('FITS');
    expect((await check(MOVED, 'BOARDING_SUBSIDY')).schoolStage).toBe('WRONG_STAGE');
  });

  it('two entries in school are judged by the one enrolled last; two enrolled together of different stages are STAGE_UNKNOWN', async () => {
    // The stale 初中 entry of 2022 no longer clears 寄宿生生活费补助 for the 高中 student he is since 2025.
    expect(await check(STALE, 'BOARDING_SUBSIDY')).toEqual({ clear: false, complete: true, schoolStage: 'WRONG_STAGE', findings: 0, education: true });
    expect(await check(STALE, 'NATIONAL_GRANT')).toEqual({ clear: true, complete: true, schoolStage: 'FITS', findings: 0, education: true });
    // Before the 高中 entry began, the 初中 one was the only entry in school.
    expect((await check(STALE, 'BOARDING_SUBSIDY', hub, '2025-03-10')).schoolStage).toBe('FITS');
    expect(await check(TWIN, 'BOARDING_SUBSIDY')).toEqual({ clear: false, complete: true, schoolStage: 'STAGE_UNKNOWN', findings: 0, education: true });
    expect(await check(TWIN, 'NATIONAL_GRANT')).toEqual({ clear: false, complete: true, schoolStage: 'STAGE_UNKNOWN', findings: 0, education: true });
  });

  it('education not answering is STAGE_UNKNOWN and incomplete, never a fit', async () => {
    expect(await check(SENIOR, 'NATIONAL_GRANT', noEducation)).toEqual({ clear: false, complete: false, schoolStage: 'STAGE_UNKNOWN', findings: 0, education: true });
  });

  it('a programme of any stage (金秋助学) is NOT_CHECKED (education is consulted for X6, not for a stage)', async () => {
    expect(await check(PUPIL, 'UNION_AUTUMN_EDU')).toEqual({ clear: true, complete: true, schoolStage: 'NOT_CHECKED', findings: 0, education: true });
  });
});

describe('M3 proposes only aid of the student’s stage', () => {
  const FINDINGS = `query($id: ID!) { household(id: $id) { findings { rule { id } departments { code } measure { ... on MissedAid { expected { code } } } } } }`;
  async function m3(child: string) {
    const res = await hub.gql(FINDINGS, { id: String(householdOf.get(child)) });
    expect(res.errors).toBeUndefined();
    return res.data.household.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'M3').map((f: { departments: { code: string }[]; measure: { expected: { code: string }[] } }) => f.measure.expected.map((p) => p.code));
  }

  it('a primary pupil is not proposed 国家助学金 or 学费减免; a senior student not 寄宿生生活费补助', async () => {
    expect(await m3(PUPIL)).toEqual([['BOARDING_SUBSIDY', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION']]);
    expect(await m3(SENIOR)).toEqual([['NATIONAL_GRANT', 'TUITION_WAIVER', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION']]);
  });

  it('a student whose stage code is undocumented is proposed every education aid (which one is wrong cannot be told)', async () => {
    expect(await m3(ODD)).toEqual([['NATIONAL_GRANT', 'TUITION_WAIVER', 'BOARDING_SUBSIDY', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION']]);
  });

  it('a student with a stale 初中 entry beside his 高中 one is proposed 高中 aid only; one whose latest entries differ, all of it', async () => {
    expect(await m3(STALE)).toEqual([['NATIONAL_GRANT', 'TUITION_WAIVER', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION']]);
    expect(await m3(TWIN)).toEqual([['NATIONAL_GRANT', 'TUITION_WAIVER', 'BOARDING_SUBSIDY', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION']]);
  });
});

describe('a meeting’s decision of education aid', () => {
  const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { decisionCheck { conflict findings { ruleId severity departments { code } } } } } userErrors { code } } }`;
  const decide = (programme: string, beneficiaryIdNumber: string) => ({ department: 'EDUCATION', programme, amountFen: 62_500, deadlineWorkingDays: 10, beneficiaryIdNumber });

  it('carries a SCHOOL_STAGE warning where the stage does not fit, none where it fits; it does not block', async () => {
    const { ca } = await countyClients(hub, [['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING']]);
    const caseId = await caseInDeliberation(ca.gql, householdOf.get(PUPIL)!, '低保户子女助学', '2026-03-09T09:00:00+08:00');
    const res = await ca.gql(MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [decide('NATIONAL_GRANT', PUPIL), decide('BOARDING_SUBSIDY', PUPIL)] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.meetingRecord.userErrors).toEqual([]);
    expect(res.data.meetingRecord.meeting.decisions.map((d: { decisionCheck: unknown }) => d.decisionCheck)).toEqual([
      { conflict: false, findings: [{ ruleId: 'SCHOOL_STAGE', severity: 'WARNING', departments: [{ code: 'EDUCATION' }] }] },
      { conflict: false, findings: [] },
    ]);
  });
});

describe('a meeting’s decision beside a stale roll entry', () => {
  const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { decisionCheck { findings { ruleId } } } } userErrors { code } } }`;

  it('寄宿生生活费补助 for a 高中 student with a 初中 entry never closed carries SCHOOL_STAGE; 国家助学金 does not', async () => {
    const { ca2: ca } = await countyClients(hub, [['ca2', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING']]);
    const caseId = await caseInDeliberation(ca.gql, householdOf.get(STALE)!, '低保户子女助学', '2026-03-09T09:00:00+08:00');
    const decide = (programme: string) => ({ department: 'EDUCATION', programme, amountFen: 62_500, deadlineWorkingDays: 10, beneficiaryIdNumber: STALE });
    const res = await ca.gql(MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [decide('BOARDING_SUBSIDY'), decide('NATIONAL_GRANT')] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.meetingRecord.userErrors).toEqual([]);
    expect(res.data.meetingRecord.meeting.decisions.map((d: { decisionCheck: unknown }) => d.decisionCheck)).toEqual([{ findings: [{ ruleId: 'SCHOOL_STAGE' }] }, { findings: [] }]);
  });
});

describe('stageOnTheDay, schoolStageFit and programmesForStudent (pure)', () => {
  const e = (stage: StagedEntry['stage'], enrolledOn: string | null, inSchool = true): StagedEntry => ({ inSchool, stage, enrolledOn });

  it('reads the entry in school enrolled last; a shared latest enrolment of different stages, an unknown stage or enrolment is UNKNOWN', () => {
    expect(stageOnTheDay([])).toBe('NOT_ON_ROLL');
    expect(stageOnTheDay([e('PRIMARY', '2020-09-01', false)])).toBe('NOT_ON_ROLL');
    expect(stageOnTheDay([e('JUNIOR_SECONDARY', '2022-09-01'), e('SENIOR_SECONDARY', '2025-09-01')])).toBe('SENIOR_SECONDARY');
    expect(stageOnTheDay([e('SENIOR_SECONDARY', '2022-09-01'), e('JUNIOR_SECONDARY', '2025-09-01')])).toBe('JUNIOR_SECONDARY');
    // A later entry no longer in school is not read.
    expect(stageOnTheDay([e('JUNIOR_SECONDARY', '2022-09-01'), e('SENIOR_SECONDARY', '2025-09-01', false)])).toBe('JUNIOR_SECONDARY');
    expect(stageOnTheDay([e('JUNIOR_SECONDARY', '2025-09-01'), e('SENIOR_SECONDARY', '2025-09-01')])).toBe('UNKNOWN');
    expect(stageOnTheDay([e('SENIOR_SECONDARY', '2024-09-01'), e('SENIOR_SECONDARY', '2024-09-01')])).toBe('SENIOR_SECONDARY');
    expect(stageOnTheDay([e('JUNIOR_SECONDARY', '2022-09-01'), e('UNRECOGNISED', '2025-09-01')])).toBe('UNKNOWN');
    expect(stageOnTheDay([e('UNRECOGNISED', '2022-09-01'), e('SENIOR_SECONDARY', '2025-09-01')])).toBe('SENIOR_SECONDARY');
    expect(stageOnTheDay([e(undefined, '2025-09-01')])).toBe('UNKNOWN');
    // Enrolment not known: one stage among the entries in school is that stage; two cannot be ordered.
    expect(stageOnTheDay([e('PRIMARY', null)])).toBe('PRIMARY');
    expect(stageOnTheDay([e('PRIMARY', null), e('PRIMARY', '2024-09-01')])).toBe('PRIMARY');
    expect(stageOnTheDay([e('JUNIOR_SECONDARY', null), e('SENIOR_SECONDARY', '2025-09-01')])).toBe('UNKNOWN');
  });

  it('schoolStageFit judges by that stage alone: a stale entry of another stage clears nothing', () => {
    const stale = [e('JUNIOR_SECONDARY', '2022-09-01'), e('SENIOR_SECONDARY', '2025-09-01')];
    expect(schoolStageFit('BOARDING_SUBSIDY', stale)).toBe('WRONG_STAGE');
    expect(schoolStageFit('NATIONAL_GRANT', stale)).toBe('FITS');
    expect(schoolStageFit('UNION_AUTUMN_EDU', stale)).toBe('NOT_CHECKED');
    const twin = [e('JUNIOR_SECONDARY', '2025-09-01'), e('SENIOR_SECONDARY', '2025-09-01')];
    expect(schoolStageFit('BOARDING_SUBSIDY', twin)).toBe('STAGE_UNKNOWN');
    expect(schoolStageFit('NATIONAL_GRANT', twin)).toBe('STAGE_UNKNOWN');
    expect(schoolStageFit('NATIONAL_GRANT', [e('SENIOR_SECONDARY', '2025-09-01', false)])).toBe('NOT_ON_ROLL');
  });

  it('programmesForStudent keeps what fits any student’s stage on the day, all of it when one student’s stage is not known', () => {
    const all = ['NATIONAL_GRANT', 'BOARDING_SUBSIDY', 'UNION_AUTUMN_EDU'] as const;
    const stale = [e('JUNIOR_SECONDARY', '2022-09-01'), e('SENIOR_SECONDARY', '2025-09-01')];
    expect(programmesForStudent(all, [stale])).toEqual(['NATIONAL_GRANT', 'UNION_AUTUMN_EDU']);
    expect(programmesForStudent(all, [stale, [e('PRIMARY', '2023-09-01')]])).toEqual([...all]);
    expect(programmesForStudent(all, [stale, [e('PRIMARY', '2023-09-01', false)]])).toEqual(['NATIONAL_GRANT', 'UNION_AUTUMN_EDU']);
    expect(programmesForStudent(all, [stale, [e('JUNIOR_SECONDARY', '2025-09-01'), e('SENIOR_SECONDARY', '2025-09-01')]])).toEqual([...all]);
    expect(programmesForStudent(all, [])).toEqual([...all]);
  });
});

describe('schoolStageFinding (pure)', () => {
  it('warns for WRONG_STAGE, NOT_ON_ROLL and STAGE_UNKNOWN, naming the stages and no person; never for a fit, a programme of any stage, or education not answering', () => {
    for (const fit of ['WRONG_STAGE', 'NOT_ON_ROLL', 'STAGE_UNKNOWN'] as const) {
      const f = schoolStageFinding(fit, true, 'TUITION_WAIVER')!;
      expect({ ruleId: f.ruleId, severity: f.severity, departments: f.departments }).toEqual({ ruleId: 'SCHOOL_STAGE', severity: 'WARNING', departments: ['EDUCATION'] });
      expect(f.summary.startsWith('学费减免面向普通高中、中职、高校学生，')).toBe(true);
    }
    expect(schoolStageFinding('WRONG_STAGE', true, 'BOARDING_SUBSIDY')!.summary.startsWith('寄宿生生活费补助面向小学、初中学生，')).toBe(true);
    expect(schoolStageFinding('FITS', true, 'NATIONAL_GRANT')).toBeNull();
    expect(schoolStageFinding('NOT_CHECKED', true, 'UNION_AUTUMN_EDU')).toBeNull();
    expect(schoolStageFinding('STAGE_UNKNOWN', false, 'NATIONAL_GRANT')).toBeNull();
  });
});
