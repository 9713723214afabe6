/**
 * M3 in July and August: a student of a 低保 household with no education aid this school year is
 * judged for the school year today falls in (the one ending, to 31 August), by the roll entries he
 * is on today (onRollOn, as X13 and the pre-grant check judge a day), not by an entry that begins on
 * 1 September. Read as in school whatever its start (inSchoolOn), a 高中 entry for the coming year
 * made him a 高中 student of the year he spent in 初中: proposed 国家助学金 and 学费减免 for it, never
 * the 寄宿生生活费补助 that year was for; or a student at all in a summer he was on no roll. Through a
 * real hub over real civil affairs and education databases, the hub's clock fixed on 2026-08-20 and
 * then on 2026-09-10.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { educationScenario } from '../federation/education/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions } from './support/scenarios';

const VILLAGE = '370811001001';
/** 初中 from 2023, left on finishing it on 1 July 2026; 普通高中 from 1 September 2026. */
const ENTERING = makeIdNumber('370811', '2011-03-03', 61);
/** 初中 from 2023, an entry never closed (a data error under 一人一籍); 普通高中 from 1 September 2026. */
const STALE = makeIdNumber('370811', '2011-04-04', 63);
const CHILDREN = [ENTERING, STALE];
const headOf = (i: number) => makeIdNumber('370811', '1980-01-01', 21 + 2 * i);

/** What M3 proposes to a 初中 pupil (寄宿生生活费补助 and the aid of any stage), and to a 高中 student. */
const JUNIOR_AID = ['BOARDING_SUBSIDY', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION'];
const SENIOR_AID = ['NATIONAL_GRANT', 'TUITION_WAIVER', 'UNION_AUTUMN_EDU', 'HOPE_PROJECT', 'SPRING_BUD', 'CHARITY_EDUCATION'];

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock('2026-08-20T10:00:00+08:00');
const householdOf = new Map<string, number>();

beforeAll(async () => {
  dbs = await createTestDatabases('findings_m3_summer');
  await insertRegions(dbs);
  const s = dbs.sources;
  for (const [i, child] of CHILDREN.entries()) {
    const head = headOf(i);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: `F-M3S-${i}`, regionCode: VILLAGE, address: `古槐街道 暑期-${i}` });
    for (const id of [head, child]) {
      await dbs.hub.insert(person).values({ idNumber: id, name: '居民', gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, deathDate: null });
    }
    await dbs.hub.insert(householdMember).values([
      { householdId: res.insertId, idNumber: head, relation: 'HEAD', joinedOn: '2015-01-01' },
      { householdId: res.insertId, idNumber: child, relation: 'CHILD', joinedOn: '2015-01-01' },
    ]);
    householdOf.set(child, res.insertId);
    const familyNo = `DB370811-M3S${i}`;
    await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo, countyCode: '370811', headIdNo: head, areaType: 1, approvedOn: '2024-01-01' }]);
    await civilAffairsScenario.insert(
      s.CIVIL_AFFAIRS,
      'dibaoMembers',
      [head, child].map((idNo, j) => ({ familyNo, idNo, relationToHead: ['本人', '子'][j], joinedOn: '2024-01-01', monthlyShareFen: 72_000 })),
    );
  }
  const entry = (studentNo: string, sfzh: string, stage: string, enrolYear: string, extra: Record<string, unknown> = {}) => ({ studentNo, sfzh, schoolCode: '370811000001', schoolName: '演示学校', stage, grade: 1, enrolYear, xjStatus: 'ZX', ...extra });
  await educationScenario.insert(s.EDUCATION, 'students', [
    entry('XS-E0', ENTERING, 'CZ', '2023', { xjStatus: 'BY', leaveDate: '2026-07-01' }),
    entry('XS-E1', ENTERING, 'GZ', '2026'),
    entry('XS-S0', STALE, 'CZ', '2023'),
    entry('XS-S1', STALE, 'GZ', '2026'),
  ]);
  hub = await startTestHub(dbs, { clock: clock.now });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const FINDINGS = `query($id: ID!) { household(id: $id) { findings { rule { id } people { idNumber } measure { ... on MissedAid { expected { code } schoolYear } } } } }`;

/** M3's findings in the child's household: the school year and the programmes proposed. */
async function m3(child: string): Promise<{ schoolYear: string; expected: string[] }[]> {
  const res = await hub.gql(FINDINGS, { id: String(householdOf.get(child)) });
  expect(res.errors).toBeUndefined();
  return res.data.household.findings
    .filter((f: { rule: { id: string } }) => f.rule.id === 'M3')
    .map((f: { people: { idNumber: string }[]; measure: { schoolYear: string; expected: { code: string }[] } }) => {
      expect(f.people.map((p) => p.idNumber)).toEqual([child]);
      return { schoolYear: f.measure.schoolYear, expected: f.measure.expected.map((p) => p.code) };
    });
}

describe('M3 across the summer a student moves from 初中 to 高中', () => {
  it('on 20 August judges the school year ending by the 初中 entry he is on; on 10 September, the 高中 year', async () => {
    clock.set('2026-08-20T10:00:00+08:00');
    // His 初中 entry never closed, his 高中 one not begun: a 初中 pupil of 2025-2026, owed its aid, not 高中's.
    expect(await m3(STALE)).toEqual([{ schoolYear: '2025-2026', expected: JUNIOR_AID }]);
    clock.set('2026-09-10T10:00:00+08:00');
    expect(await m3(STALE)).toEqual([{ schoolYear: '2026-2027', expected: SENIOR_AID }]);
  });

  it('on 20 August a student who left 初中 in July and begins 高中 on 1 September is on no roll: no student of the year ending; on 10 September, judged for 高中', async () => {
    clock.set('2026-08-20T10:00:00+08:00');
    expect(await m3(ENTERING)).toEqual([]);
    clock.set('2026-09-10T10:00:00+08:00');
    expect(await m3(ENTERING)).toEqual([{ schoolYear: '2026-2027', expected: SENIOR_AID }]);
  });
});
