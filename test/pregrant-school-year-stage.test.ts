/**
 * Education aid for a school year is judged by the student's stage within that year, not on its own
 * day, live as X13 judges aid on record (domain/findings/school-year.ts schoolYearDayOf). 国家助学金
 * granted in August for the coming 高中 year, to a student whose 高中 entry begins on 1 September,
 * read NOT_ON_ROLL in the pre-grant check (his 初中 entry closed in July) or WRONG_STAGE (his 初中
 * entry never closed), and a meeting's decision of it carried SCHOOL_STAGE. Now a grant dated before
 * the year it names is judged on the year's first day, one after it (a correction in September of a
 * decision for the year ended) on its last.
 *
 * The hub's day is 2026-08-20; the meeting's 2026-08-18; the correction's 2026-09-02.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { educationScenario } from '../federation/education/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, countyClients } from './support/cases';
import { insertRegions } from './support/scenarios';
import { schoolYearDayOf } from '../domain/findings/school-year';

const TODAY = '2026-08-20';
const HELD_ON = '2026-08-18';
const VILLAGE = '370811001001';
/** 初中 from 2023, left on finishing it in July 2026; 普通高中 from 1 September 2026. */
const ENTERING = makeIdNumber('370811', '2011-03-03', 81);
/** 初中 from 2023, an entry never closed (a data error under 一人一籍); 普通高中 from 1 September 2026. */
const STALE = makeIdNumber('370811', '2011-04-04', 83);
/** As STALE: the decisions for the year ended, corrected in September. */
const LATE = makeIdNumber('370811', '2011-05-05', 85);
const CHILDREN = [ENTERING, STALE, LATE];
const headOf = (i: number) => makeIdNumber('370811', '1980-01-01', 11 + 2 * i);

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete schoolStage } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisions { id schoolYear programme { code } decisionCheck { findings { ruleId } } } } userErrors { code field } } }`;
const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) {
  issued { schoolYear programme { code } decisionCheck { findings { ruleId } } } userErrors { code field } } }`;

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const householdOf = new Map<string, number>();
let ca: TestHub['gql'];

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_school_year_stage');
  await insertRegions(dbs);
  for (const [i, child] of CHILDREN.entries()) {
    const head = headOf(i);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `F-SYS-${i}`, regionCode: VILLAGE, address: `古槐街道 学年学段-${i}` });
    for (const [id, relation] of [[head, 'HEAD'], [child, 'CHILD']] as const) {
      await dbs.hub.insert(person).values({ idNumber: id, name: '居民', gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, deathDate: null });
      await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber: id, relation, joinedOn: '2015-01-01' });
    }
    householdOf.set(child, res.insertId);
  }
  const entry = (studentNo: string, sfzh: string, stage: string, enrolYear: string, extra: Record<string, unknown> = {}) => ({ studentNo, sfzh, schoolCode: '370811000001', schoolName: '演示学校', stage, grade: 1, enrolYear, xjStatus: 'ZX', ...extra });
  await educationScenario.insert(dbs.sources.EDUCATION, 'students', [
    entry('XS-E0', ENTERING, 'CZ', '2023', { xjStatus: 'BY', leaveDate: '2026-07-01' }),
    entry('XS-E1', ENTERING, 'GZ', '2026'),
    entry('XS-S0', STALE, 'CZ', '2023'),
    entry('XS-S1', STALE, 'GZ', '2026'),
    entry('XS-L0', LATE, 'CZ', '2023'),
    entry('XS-L1', LATE, 'GZ', '2026'),
  ]);
  hub = await startTestHub(dbs, { today: TODAY, clock: clock.now });
  ({ ca: { gql: ca } } = await countyClients(hub, [['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING']]));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function check(beneficiaryIdNumber: string, programme: string, schoolYear: string) {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber, programme, grantDate: TODAY, schoolYear, amountFen: 100_000 } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck;
}

const decide = (programme: string, beneficiaryIdNumber: string, schoolYear: string, amountFen = 100_000) => ({ department: 'EDUCATION', programme, amountFen, deadlineWorkingDays: 10, beneficiaryIdNumber, schoolYear });

/** Each decision's programme, school year and finding ids. */
const checksOf = (decisions: { schoolYear: string; programme: { code: string }; decisionCheck: { findings: { ruleId: string }[] } }[]) =>
  decisions.map((d) => [d.programme.code, d.schoolYear, d.decisionCheck.findings.map((f) => f.ruleId)]);

async function meeting(child: string, decisions: Record<string, unknown>[]) {
  const caseId = await caseInDeliberation(ca, householdOf.get(child)!, '学生开学费用困难', '2026-08-10T09:00:00+08:00');
  const res = await ca(MEETING, { input: { caseId, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions } });
  expect(res.errors).toBeUndefined();
  expect(res.data.meetingRecord.userErrors).toEqual([]);
  return { caseId, decisions: res.data.meetingRecord.meeting.decisions };
}

describe('a grant in August for the coming school year', () => {
  it('国家助学金 to a student whose 高中 entry begins on 1 September fits: clear, whether his 初中 entry closed in July or was never closed', async () => {
    expect(await check(ENTERING, 'NATIONAL_GRANT', '2026-2027')).toEqual({ clear: true, complete: true, schoolStage: 'FITS' });
    expect(await check(STALE, 'NATIONAL_GRANT', '2026-2027')).toEqual({ clear: true, complete: true, schoolStage: 'FITS' });
  });

  it('寄宿生生活费补助 (小学 and 初中) for the coming year to the same students is still WRONG_STAGE: judged by the 高中 entry of that year', async () => {
    expect(await check(ENTERING, 'BOARDING_SUBSIDY', '2026-2027')).toEqual({ clear: false, complete: true, schoolStage: 'WRONG_STAGE' });
    expect(await check(STALE, 'BOARDING_SUBSIDY', '2026-2027')).toEqual({ clear: false, complete: true, schoolStage: 'WRONG_STAGE' });
  });

  it('the same day for the year ending is judged on the day itself, by the 初中 entry he is on then', async () => {
    expect(await check(STALE, 'NATIONAL_GRANT', '2025-2026')).toEqual({ clear: false, complete: true, schoolStage: 'WRONG_STAGE' });
    expect(await check(STALE, 'BOARDING_SUBSIDY', '2025-2026')).toEqual({ clear: true, complete: true, schoolStage: 'FITS' });
  });

  it('a meeting deciding 国家助学金 for the coming year carries no SCHOOL_STAGE warning; 寄宿生生活费补助 for it does', async () => {
    const { decisions } = await meeting(ENTERING, [decide('NATIONAL_GRANT', ENTERING, '2026-2027'), decide('BOARDING_SUBSIDY', ENTERING, '2026-2027')]);
    expect(checksOf(decisions)).toEqual([
      ['NATIONAL_GRANT', '2026-2027', []],
      ['BOARDING_SUBSIDY', '2026-2027', ['SCHOOL_STAGE']],
    ]);
  });
});

describe('a decision for the school year ended, corrected in September', () => {
  it('is judged on that year’s last day (31 August), by the 初中 entry, not the 高中 one begun on 1 September', async () => {
    const { caseId, decisions } = await meeting(LATE, [decide('BOARDING_SUBSIDY', LATE, '2025-2026'), decide('NATIONAL_GRANT', LATE, '2025-2026')]);
    expect(checksOf(decisions)).toEqual([
      ['BOARDING_SUBSIDY', '2025-2026', []],
      ['NATIONAL_GRANT', '2025-2026', ['SCHOOL_STAGE']],
    ]);
    const slips = ((await ca(`query($id: ID!) { case(id: $id) { referrals { id programme { code } } } }`, { id: caseId })).data.case.referrals as { id: string; programme: { code: string } }[]);
    const slipOf = (code: string) => slips.find((s) => s.programme.code === code)!.id;
    clock.set('2026-09-02T10:00:00+08:00');
    const res = await ca(CORRECT, {
      input: {
        caseId,
        reason: '更正金额',
        changes: [
          { referralId: slipOf('BOARDING_SUBSIDY'), decision: decide('BOARDING_SUBSIDY', LATE, '2025-2026', 90_000) },
          { referralId: slipOf('NATIONAL_GRANT'), decision: decide('NATIONAL_GRANT', LATE, '2025-2026', 90_000) },
        ],
      },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.decisionCorrect.userErrors).toEqual([]);
    expect(checksOf(res.data.decisionCorrect.issued).sort()).toEqual([
      ['BOARDING_SUBSIDY', '2025-2026', []],
      ['NATIONAL_GRANT', '2025-2026', ['SCHOOL_STAGE']],
    ]);
  });
});

describe('schoolYearDayOf (pure)', () => {
  it('keeps a day within the year named; moves one before it to 1 September, one after it to 31 August; reads no year written otherwise', () => {
    const day = (grantDate: string | null, schoolYear: string | null, periodStart: string | null = null) => schoolYearDayOf({ grantDate, periodStart, schoolYear });
    expect(day('2026-08-20', '2026-2027')).toBe('2026-09-01');
    expect(day('2026-08-20', '2025-2026')).toBe('2026-08-20');
    expect(day('2026-09-02', '2025-2026')).toBe('2026-08-31');
    expect(day(null, '2026-2027', '2026-07-01')).toBe('2026-09-01');
    expect(day('2026-08-20', null)).toBe('2026-08-20');
    expect(day('2026-08-20', '2026-2028')).toBe('2026-08-20');
    expect(day(null, '2026-2027')).toBeNull();
  });
});
