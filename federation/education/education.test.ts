import { countStatements } from '../../db/instrument';
import { education, studentsByIdNumbers } from './adapter';
import { inSchoolOn, onRollOn } from '../../domain/findings/facts';
import { xsFunding, xsStudent } from './tables';
import type { SourceDb } from '../contract';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { ageOn } from '../../domain/dates';
import { cell } from '../../tools/generate/tables';
import { demoPopulation } from '../../test/support/demo-population';

/** Two funded students asked for, one funded student never asked for. */
const scenario = {
  ids: {
    lin: syntheticId('2009-04-02', 11),
    zhao: syntheticId('2010-09-18', 22),
    notAsked: syntheticId('2008-01-30', 33),
    graduate: syntheticId('2008-05-05', 44),
  },
  students: [
    { studentNo: 'G3708110001', key: 'lin', schoolCode: '370811001', schoolName: '任城区第一中学', stage: 'GZ', grade: 2, enrolYear: '2024' },
    { studentNo: 'G3708110002', key: 'zhao', schoolCode: '370811002', schoolName: '任城区实验初中', stage: 'CZ', grade: 1, enrolYear: '2025' },
    { studentNo: 'G3708110003', key: 'notAsked', schoolCode: '370811001', schoolName: '任城区第一中学', stage: 'GZ', grade: 3, enrolYear: '2023' },
    // Finished senior secondary in June 2025: the roll keeps the entry, graduated, with its leaving date.
    { studentNo: 'G3708110004', key: 'graduate', schoolCode: '370811001', schoolName: '任城区第一中学', stage: 'GZ', grade: 3, enrolYear: '2022', xjStatus: 'BY', leaveDate: '2025-06-30' },
  ],
  funding: [
    { fundingId: 101, studentNo: 'G3708110001', schoolYear: '2025-2026', semester: 1, fundingType: 'GJZXJ', amountYuan: '1234.56', paidDate: '2025-10-15', paidFlag: 1 },
    { fundingId: 102, studentNo: 'G3708110001', schoolYear: '2025-2026', semester: 1, fundingType: 'XFJM', amountYuan: '800.00', paidDate: '2025-09-10', paidFlag: 0 },
    { fundingId: 103, studentNo: 'G3708110001', schoolYear: '2024-2025', semester: 2, fundingType: 'JSSBZ', amountYuan: '0.05', paidDate: '2025-04-01', paidFlag: 1 },
    // A type outside the hub's catalogue (e.g. a local scheme) is not reported.
    { fundingId: 104, studentNo: 'G3708110001', schoolYear: '2025-2026', semester: 1, fundingType: 'QT', amountYuan: '99.00', paidDate: '2025-10-20', paidFlag: 1 },
    { fundingId: 201, studentNo: 'G3708110002', schoolYear: '2025-2026', semester: 1, fundingType: 'GJZXJ', amountYuan: '1500.5', paidDate: '2025-11-03', paidFlag: 1 },
    { fundingId: 301, studentNo: 'G3708110003', schoolYear: '2025-2026', semester: 1, fundingType: 'GJZXJ', amountYuan: '2000.00', paidDate: '2025-10-15', paidFlag: 1 },
  ],
} as const;

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_education');
  db = dbs.sources.EDUCATION;
  await db.insert(xsStudent).values(scenario.students.map(({ key, ...s }) => ({ ...s, sfzh: scenario.ids[key] })));
  await db.insert(xsFunding).values(scenario.funding.map((f) => ({ ...f })));
});

afterAll(async () => {
  await dbs?.close();
});

const common = { department: 'EDUCATION', sourceHouseholdRef: null, periodStart: null, periodEnd: null } as const;

test('maps each funding payment of the students asked for, converting yuan to fen exactly', async () => {
  const { ids } = scenario;
  const records = await education.aidByIdNumbers(db, [ids.lin, ids.zhao], TODAY);
  expect(bySourceRef(records)).toEqual([
    { ...common, programme: 'NATIONAL_GRANT', beneficiaryIdNumber: ids.lin, grantDate: '2025-10-15', amountFen: 123456, status: 'PAID', sourceRef: 'xs_funding:101', schoolYear: '2025-2026' },
    { ...common, programme: 'TUITION_WAIVER', beneficiaryIdNumber: ids.lin, grantDate: '2025-09-10', amountFen: 80000, status: 'CANCELLED', sourceRef: 'xs_funding:102', schoolYear: '2025-2026' },
    { ...common, programme: 'BOARDING_SUBSIDY', beneficiaryIdNumber: ids.lin, grantDate: '2025-04-01', amountFen: 5, status: 'PAID', sourceRef: 'xs_funding:103', schoolYear: '2024-2025' },
    // A funding type outside the documentation is shown, not skipped: the catch-all, UNRECOGNISED, with the type.
    { ...common, programme: 'EDUCATION_UNRECOGNISED', beneficiaryIdNumber: ids.lin, grantDate: '2025-10-20', amountFen: 9900, status: 'UNRECOGNISED', sourceProgrammeCode: 'QT', sourceRef: 'xs_funding:104', schoolYear: '2025-2026' },
    { ...common, programme: 'NATIONAL_GRANT', beneficiaryIdNumber: ids.zhao, grantDate: '2025-11-03', amountFen: 150050, status: 'PAID', sourceRef: 'xs_funding:201', schoolYear: '2025-2026' },
  ]);
});

test('a funding type education does not document is its catch-all programme, UNRECOGNISED, with the type (it was skipped)', async () => {
  const who = syntheticId('2009-05-03', 94);
  await db.insert(xsStudent).values({ studentNo: 'G3708110094', sfzh: who, schoolCode: '370811001', schoolName: '任城区第一中学', stage: 'GZ', grade: 1, enrolYear: '2025' });
  await db.insert(xsFunding).values([
    { fundingId: 941, studentNo: 'G3708110094', schoolYear: '2025-2026', semester: 1, fundingType: 'MZBZ', amountYuan: '800.00', paidDate: '2025-10-15', paidFlag: 1 },
    { fundingId: 942, studentNo: 'G3708110094', schoolYear: '2025-2026', semester: 1, fundingType: 'GJZXJ', amountYuan: '1000.00', paidDate: '2025-10-15', paidFlag: 1 },
  ]);
  const records = await education.aidByIdNumbers(db, [who], TODAY);
  expect(programmeCodes(records)).toEqual([
    ['xs_funding:941', 'EDUCATION_UNRECOGNISED', 'UNRECOGNISED', 'MZBZ'],
    ['xs_funding:942', 'NATIONAL_GRANT', 'PAID', null],
  ]);
  expect(records.find((r) => r.sourceRef === 'xs_funding:941')).toMatchObject({ amountFen: 80_000, grantDate: '2025-10-15', schoolYear: '2025-2026' });
});

test('a paid_flag education does not document is UNRECOGNISED with its flag (it read as PAID)', async () => {
  const who = syntheticId('2009-04-02', 93);
  await db.insert(xsStudent).values({ studentNo: 'G3708110093', sfzh: who, schoolCode: '370811001', schoolName: '任城区第一中学', stage: 'GZ', grade: 1, enrolYear: '2025' });
  await db.insert(xsFunding).values({ fundingId: 931, studentNo: 'G3708110093', schoolYear: '2025-2026', semester: 1, fundingType: 'GJZXJ', amountYuan: '1000.00', paidDate: '2025-10-15', paidFlag: 2 });
  expect(statusCodes(await education.aidByIdNumbers(db, [who], TODAY))).toEqual([['xs_funding:931', 'UNRECOGNISED', '2']]);
});

test('a 学籍 status education does not document is UNRECOGNISED with its code (it read as LEFT): neither in school nor left', async () => {
  const who = syntheticId('2009-04-02', 94);
  await db.insert(xsStudent).values({ studentNo: 'G3708110995', sfzh: who, schoolCode: '370811001', schoolName: '任城区第一中学', stage: 'GZ', grade: 1, enrolYear: '2025', xjStatus: 'QT' });
  const [entry] = await studentsByIdNumbers(db, [who]);
  expect(entry).toEqual({ idNumber: who, status: 'UNRECOGNISED', sourceStatusCode: 'QT', leftOn: null, stage: 'SENIOR_SECONDARY', enrolledOn: '2025-09-01' });
  expect(inSchoolOn(entry, TODAY)).toBe(false);
});

test('a 学段 education does not document is UNRECOGNISED with its code: the stage is not known', async () => {
  const who = syntheticId('2019-04-02', 96);
  await db.insert(xsStudent).values({ studentNo: 'G3708110996', sfzh: who, schoolCode: '370811009', schoolName: '任城区实验幼儿园', stage: 'YE', grade: 1, enrolYear: '2025' });
  expect(await studentsByIdNumbers(db, [who])).toEqual([{ idNumber: who, status: 'IN_SCHOOL', leftOn: null, stage: 'UNRECOGNISED', sourceStageCode: 'YE', enrolledOn: '2025-09-01' }]);
});

test('returns nobody who was not asked for', async () => {
  const records = await education.aidByIdNumbers(db, [scenario.ids.zhao], TODAY);
  expect(records.map((r) => r.sourceRef)).toEqual(['xs_funding:201']);
  const all = await education.aidByIdNumbers(db, [scenario.ids.lin, scenario.ids.zhao], TODAY);
  expect(all.some((r) => r.beneficiaryIdNumber === scenario.ids.notAsked)).toBe(false);
});

test('costs one statement however many people are asked for', async () => {
  const { ids } = scenario;
  for (const batch of [[ids.lin], [ids.lin, ids.zhao, ids.notAsked]]) {
    const { counter } = await countStatements(() => education.aidByIdNumbers(db, batch, TODAY));
    expect(counter.bySource.get('EDUCATION')).toBe(1);
  }
});

test('an empty batch finds nothing', async () => {
  expect(await education.aidByIdNumbers(db, [], TODAY)).toEqual([]);
});

test('aidAndFacts asked for the roll answers what aidByIdNumbers and studentsByIdNumbers answer, in one statement where they send two', async () => {
  const aidAndFacts = education.aidAndFacts!.bind(education);
  const { ids } = scenario;
  const byRef = (a: { sourceRef: string }, b: { sourceRef: string }) => a.sourceRef.localeCompare(b.sourceRef);
  const byId = (a: { idNumber: string }, b: { idNumber: string }) => a.idNumber.localeCompare(b.idNumber);
  const sorted = (x: { aid: { sourceRef: string }[]; students: { idNumber: string }[] }) => ({ ...x, aid: [...x.aid].sort(byRef), students: [...x.students].sort(byId) });
  // Funded, funded, graduated (on the roll, no funding), on nobody's roll.
  const people = [ids.lin, ids.zhao, ids.graduate, syntheticId('2011-02-02', 55)];
  for (const programmes of [undefined, new Set(['NATIONAL_GRANT', 'UNION_AUTUMN_EDU'] as const)]) {
    const apart = await countStatements(async () => ({ aid: await education.aidByIdNumbers(db, people, TODAY, programmes), tied: [], certificates: [], stays: [], students: await studentsByIdNumbers(db, people) }));
    const together = await countStatements(() => aidAndFacts(db, { idNumbers: people, today: TODAY, programmes, students: true }));
    expect(sorted(together.result)).toEqual(sorted(apart.result));
    expect(together.result.aid.map((r) => r.sourceRef).sort()).toEqual(['xs_funding:101', 'xs_funding:102', 'xs_funding:103', 'xs_funding:104', 'xs_funding:201']);
    expect(together.result.students.map((s) => s.idNumber).sort()).toEqual([ids.lin, ids.zhao, ids.graduate].sort());
    expect(together.counter.bySource.get('EDUCATION')).toBe(1);
    expect(apart.counter.bySource.get('EDUCATION')).toBe(2);
  }
  // Not asked for the roll: the aid alone, as aidByIdNumbers answers it.
  const aidOnly = await countStatements(() => aidAndFacts(db, { idNumbers: people, today: TODAY }));
  expect(aidOnly.result).toEqual({ aid: await education.aidByIdNumbers(db, people, TODAY), tied: [], certificates: [], stays: [], students: [] });
  expect(aidOnly.counter.bySource.get('EDUCATION')).toBe(1);
  expect(await aidAndFacts(db, { idNumbers: [], today: TODAY, students: true })).toEqual({ aid: [], tied: [], certificates: [], stays: [], students: [] });
});

test('reads each student’s 学籍 status and leaving date: a graduate is on the roll but not in school', async () => {
  const { ids } = scenario;
  const roll = await studentsByIdNumbers(db, [ids.lin, ids.graduate]);
  const byId = new Map(roll.map((r) => [r.idNumber, r]));
  expect(byId.get(ids.lin)).toEqual({ idNumber: ids.lin, status: 'IN_SCHOOL', leftOn: null, stage: 'SENIOR_SECONDARY', enrolledOn: '2024-09-01' });
  expect(byId.get(ids.graduate)).toEqual({ idNumber: ids.graduate, status: 'LEFT', leftOn: '2025-06-30', stage: 'SENIOR_SECONDARY', enrolledOn: '2022-09-01' });
  expect((await studentsByIdNumbers(db, [ids.zhao]))[0].stage).toBe('JUNIOR_SECONDARY');
  expect(inSchoolOn(byId.get(ids.lin)!, TODAY)).toBe(true);
  expect(inSchoolOn(byId.get(ids.graduate)!, TODAY)).toBe(false);
  // On an earlier day (a grant's, for its 学段): the graduate was in school before leaving; the entry enrolled in 2024 was not yet on the roll in August 2024.
  expect([onRollOn(byId.get(ids.graduate)!, '2025-03-01'), onRollOn(byId.get(ids.graduate)!, '2025-06-30'), onRollOn(byId.get(ids.lin)!, '2024-08-31'), onRollOn(byId.get(ids.lin)!, '2024-09-01')]).toEqual([true, false, false, true]);
});

describe('教育 demo data, in the shared demo population', () => {
  const { referenceDate: REF, rows, birthOf } = demoPopulation();

  it('funds students of school age, in yuan with two decimals', () => {
    const students = new Map(rows.xs_student.map((s) => [s[0], s]));
    expect(students.size).toBeGreaterThan(0);
    for (const s of rows.xs_student) {
      const age = ageOn(birthOf(s[1] as string), REF);
      expect(age).toBeGreaterThanOrEqual(5);
      expect(age).toBeLessThanOrEqual(23);
      expect(s[0]).toBe(`G${s[1]}`);
    }
    for (const f of rows.xs_funding) {
      expect(students.has(f[0])).toBe(true);
      expect(f[4]).toMatch(/^\d+\.\d{2}$/);
      expect(['GJZXJ', 'XFJM', 'JSSBZ']).toContain(f[3]);
      expect(f[1]).toMatch(/^(\d{4})-(\d{4})$/);
      expect(f[5] as string <= REF).toBe(true);
    }
  });

  it('keeps needy students who finished senior secondary on the roll as graduated, with a leaving date', () => {
    const students = rows.xs_student.map((r) => ({ status: cell('xs_student', r, 'xj_status'), left: cell('xs_student', r, 'leave_date'), id: cell('xs_student', r, 'sfzh') as string }));
    const graduates = students.filter((s) => s.status === 'BY');
    expect(graduates.length).toBeGreaterThan(0);
    expect(graduates.length).toBeLessThan(students.length / 5);
    for (const g of graduates) {
      expect(g.left).toMatch(/^\d{4}-06-30$/);
      expect(ageOn(birthOf(g.id), REF)).toBeGreaterThanOrEqual(18);
    }
    expect(students.filter((s) => s.status === 'ZX').every((s) => s.left === null)).toBe(true);
  });
});
