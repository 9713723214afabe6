/**
 * X12: 金秋助学 (UNION_AUTUMN_EDU), the trade union's one-off grant of a school year, paid twice to
 * one student for the same school year. X6 paired it only with 国家助学金, so a second 金秋助学 was
 * answered `clear: true` by the pre-grant check and the student showed no finding. 国家助学金 paid
 * per term (twice a school year) is not flagged, nor 金秋助学 in two school years; through a real
 * hub over real union and education databases. A 金秋助学 proposed in July or August without its
 * school year is refused (SCHOOL_YEAR_REQUIRED, with both years allowed): it was counted in the year
 * ending, so a student paid last August for that year was warned "twice" at the normal time for the
 * coming year's grant.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { educationScenario } from '../federation/education/scenario';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';
/** TODAY (2026-03-15) falls in school year 2025-2026. */
const SY = '2025-2026';

const TWICE = makeIdNumber('370811', '2010-03-03', 71);
const ONCE = makeIdNumber('370811', '2011-04-04', 72);
/** A senior-secondary (普通高中) student: 国家助学金 is for 普通高中, 中职 and 高校 students (domain/school-stages.ts). */
const TERMS = makeIdNumber('370811', '2009-05-05', 73);
const YEARS = makeIdNumber('370811', '2009-06-06', 74);
const PARENT = makeIdNumber('370811', '1980-01-01', 75);

let dbs: TestDatabases;
let hub: TestHub;
const householdOf = new Map<string, number>();

beforeAll(async () => {
  dbs = await createTestDatabases('x12_autumn_twice');
  await insertRegions(dbs);
  for (const [i, id] of [TWICE, ONCE, TERMS, YEARS].entries()) {
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `F-X12-${i}`, regionCode: VILLAGE, address: `古槐街道 X12-${i}` });
    await dbs.hub.insert(person).values({ idNumber: id, name: '学生', gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, deathDate: null });
    await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber: id, relation: 'HEAD', joinedOn: '2015-01-01' });
    householdOf.set(id, res.insertId);
  }
  const s = dbs.sources;
  await unionScenario.insert(s.UNION, 'workerFiles', [{ fileNo: 'GH-X12', idCard: PARENT, employer: '济宁演示企业', hardshipLevel: 2, fileDate: '2020-01-01' }]);
  const jq = (student: string, grantDate: string, schoolYear: string) => ({ fileNo: 'GH-X12', grantType: 'JQ', grantDate, amountFen: 200_000, studentIdCard: student, schoolYear, grantStatus: 1 });
  await unionScenario.insert(s.UNION, 'grants', [
    jq(TWICE, '2025-08-25', SY),
    jq(TWICE, '2025-11-10', SY),
    jq(ONCE, '2025-08-25', SY),
    jq(YEARS, '2024-08-26', '2024-2025'),
    jq(YEARS, '2025-08-25', SY),
  ]);
  await educationScenario.insert(s.EDUCATION, 'students', [{ studentNo: 'XS-X12', sfzh: TERMS, schoolCode: '370811000001', schoolName: '演示中学', stage: 'GZ', grade: 2, enrolYear: '2024', xjStatus: 'ZX' }]);
  await educationScenario.insert(s.EDUCATION, 'funding', [
    { studentNo: 'XS-X12', schoolYear: SY, semester: 1, fundingType: 'GJZXJ', amountYuan: '625.00', paidDate: '2025-10-15', paidFlag: 1 },
    { studentNo: 'XS-X12', schoolYear: SY, semester: 2, fundingType: 'GJZXJ', amountYuan: '625.00', paidDate: '2026-03-10', paidFlag: 1 },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear complete findings { rule { id } measure { __typename ... on SamePeriodFunding { period } } } } }`;
const FINDINGS = `query($id: ID!) { household(id: $id) { findings { rule { id } severity people { idNumber } measure { __typename ... on SamePeriodFunding { period } } } } }`;

describe('X12: 金秋助学 twice for one school year', () => {
  it('the pre-grant check of a second 金秋助学 for the same school year is not clear', async () => {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: ONCE, programme: 'UNION_AUTUMN_EDU', grantDate: TODAY, schoolYear: SY, amountFen: 200_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toEqual({ clear: false, complete: true, findings: [{ rule: { id: 'X12' }, measure: { __typename: 'SamePeriodFunding', period: SY } }] });
  });

  it('a student paid it twice has the finding; once, or in two school years, none', async () => {
    const twice = (await hub.gql(FINDINGS, { id: String(householdOf.get(TWICE)) })).data.household.findings;
    expect(twice).toEqual([{ rule: { id: 'X12' }, severity: 'WARNING', people: [{ idNumber: TWICE }], measure: { __typename: 'SamePeriodFunding', period: SY } }]);
    for (const id of [ONCE, YEARS]) expect((await hub.gql(FINDINGS, { id: String(householdOf.get(id)) })).data.household.findings).toEqual([]);
  });

  it('国家助学金 paid per term, twice in the school year, is not flagged, and the check of a term’s payment beside them is clear', async () => {
    expect((await hub.gql(FINDINGS, { id: String(householdOf.get(TERMS)) })).data.household.findings).toEqual([]);
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: TERMS, programme: 'NATIONAL_GRANT', grantDate: TODAY, schoolYear: SY, amountFen: 62_500 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ clear: true, findings: [] });
  });
});

describe('a grant counted by school year, proposed in July or August', () => {
  const required = [{ code: 'BAD_USER_INPUT', argument: 'input.schoolYear', reason: 'SCHOOL_YEAR_REQUIRED', allowed: ['2025-2026', '2026-2027'] }];
  async function outcome(input: Record<string, unknown>): Promise<unknown> {
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { amountFen: 200_000, ...input } });
    const e = res.errors?.map((x) => ({ code: x.extensions?.code, argument: x.extensions?.argument, reason: x.extensions?.reason, allowed: x.extensions?.allowed }));
    return e ?? res.data.preGrantCheck;
  }

  it('without schoolYear is SCHOOL_YEAR_REQUIRED with both years; with the coming year, a student paid last August is clear', async () => {
    // YEARS was paid 金秋助学 on 2025-08-25 for 2025-2026; this year's grant falls due at the same time.
    expect(await outcome({ beneficiaryIdNumber: YEARS, programme: 'UNION_AUTUMN_EDU', grantDate: '2026-08-20' })).toEqual(required);
    expect(await outcome({ beneficiaryIdNumber: YEARS, programme: 'UNION_AUTUMN_EDU', grantDate: '2026-07-01' })).toEqual(required);
    expect(await outcome({ beneficiaryIdNumber: TERMS, programme: 'NATIONAL_GRANT', grantDate: '2026-08-31' })).toEqual(required);
    expect(await outcome({ beneficiaryIdNumber: YEARS, programme: 'UNION_AUTUMN_EDU', grantDate: '2026-08-20', schoolYear: '2026-2027' })).toMatchObject({ clear: true, findings: [] });
    // The year ending, given, is judged as given: paid twice for it.
    expect(await outcome({ beneficiaryIdNumber: YEARS, programme: 'UNION_AUTUMN_EDU', grantDate: '2026-08-20', schoolYear: SY })).toMatchObject({ clear: false, findings: [{ rule: { id: 'X12' } }] });
  });

  it('outside July and August, or for a programme no rule counts by school year, no school year is asked', async () => {
    expect(await outcome({ beneficiaryIdNumber: ONCE, programme: 'UNION_AUTUMN_EDU', grantDate: '2026-09-01' })).toMatchObject({ clear: true });
    expect(await outcome({ beneficiaryIdNumber: ONCE, programme: 'UNION_AUTUMN_EDU', grantDate: '2026-06-30' })).toMatchObject({ clear: false, findings: [{ rule: { id: 'X12' } }] });
    expect(await outcome({ beneficiaryIdNumber: YEARS, programme: 'UNION_HARDSHIP', grantDate: '2026-08-20' })).toMatchObject({ complete: true });
  });
});
