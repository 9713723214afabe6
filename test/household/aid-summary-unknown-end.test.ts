/**
 * A recurring aid suspended (暂停) or stopped with no end date was paused or stopped on a day no
 * source records. Every rule reads it as known to run on its start day only (knownEnd); the aid
 * summary counted it to today, so a household whose 低保 was suspended showed twelve months of
 * 低保 received in its last twelve months, and the dossier the same over 24. Read through a real
 * hub over real department databases.
 */
import { household, householdMember, person } from '../../db/household/schema';
import { makeIdNumber } from '../../domain/id-number';
import { civilAffairsScenario } from '../../federation/civil-affairs/scenario';
import { disabilityScenario } from '../../federation/disability/scenario';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, TODAY } from '../support/scenarios';

const HEAD = makeIdNumber('370811', '1980-05-06', 71);
const SPOUSE = makeIdNumber('370811', '1982-07-08', 82);
const QUERY = `query($id: ID!) { household(id: $id) {
  aid { sourceReference status }
  aidSummary(from: "2025-03-16", to: "${TODAY}") { totalFen monthlyRecurringFen byDepartment { department { code } totalFen recordCount } }
} }`;

let dbs: TestDatabases;
let hub: TestHub;
let householdId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('aid_summary_unknown_end');
  await insertRegions(dbs);
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'RC-0777', regionCode: '370811001001', address: '任城区古槐街道南门社区 7 号' });
  householdId = res.insertId;
  await dbs.hub.insert(person).values([
    { idNumber: HEAD, name: '赵立新', gender: 'M', birthDate: '1980-05-06' },
    { idNumber: SPOUSE, name: '孙美华', gender: 'F', birthDate: '1982-07-08' },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId, idNumber: HEAD, relation: 'HEAD', joinedOn: '2005-01-01' },
    { householdId, idNumber: SPOUSE, relation: 'SPOUSE', joinedOn: '2005-01-01' },
  ]);
  const s = dbs.sources;
  // 低保 since 2023, suspended (state_flag 2) on a day civil affairs does not record.
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: 'DB370811-0777', countyCode: '370811', headIdNo: HEAD, areaType: 1, approvedOn: '2023-01-01', stateFlag: 2 }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoMembers', [{ familyNo: 'DB370811-0777', idNo: HEAD, relationToHead: '本人', joinedOn: '2023-01-01', monthlyShareFen: 70_000 }]);
  // The spouse's living subsidy, stopped (停发) with no end month; her nursing subsidy runs.
  const cert = `${SPOUSE}42`;
  await disabilityScenario.insert(s.DISABILITY, 'certificates', [{ certNo: cert, idCard: SPOUSE, disType: 4, disLevel: 2, issueDate: '2019-05-01' }]);
  await disabilityScenario.insert(s.DISABILITY, 'subsidies', [
    { certNo: cert, subType: 'SH', startYm: '2024-02', monthlyFen: 9_000, subStatus: 3 },
    { certNo: cert, subType: 'HL', startYm: '2024-02', monthlyFen: 10_000 },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('a suspended 低保 and a subsidy stopped with no end date count no month after their start in the summary', async () => {
  const res = await hub.gql(QUERY, { id: String(householdId) });
  expect(res.errors).toBeUndefined();
  const { aid, aidSummary } = res.data.household;
  // Both are shown as the department records them.
  expect(aid.map((r: { status: string }) => r.status).sort()).toEqual(['ACTIVE', 'ENDED', 'SUSPENDED']);
  const by = (code: string) => aidSummary.byDepartment.find((d: { department: { code: string } }) => d.department.code === code);
  // Their start months (January 2023, February 2024) lie before the window: nothing of them is known
  // to have been paid in it. It counted 12 months of each.
  expect(by('CIVIL_AFFAIRS')).toEqual({ department: { code: 'CIVIL_AFFAIRS' }, totalFen: 0, recordCount: 0 });
  // The nursing subsidy runs: 12 payments (April 2025 … March 2026).
  expect(by('DISABILITY')).toEqual({ department: { code: 'DISABILITY' }, totalFen: 12 * 10_000, recordCount: 1 });
  expect(aidSummary.totalFen).toBe(12 * 10_000);
  expect(aidSummary.monthlyRecurringFen).toBe(10_000);
});

test('the start month of such an aid, inside the window, is counted once', async () => {
  const res = await hub.gql(`query($id: ID!) { household(id: $id) { aidSummary(from: "2023-01-01", to: "${TODAY}") { byDepartment { department { code } totalFen } } } }`, { id: String(householdId) });
  expect(res.errors).toBeUndefined();
  const civil = res.data.household.aidSummary.byDepartment.find((d: { department: { code: string } }) => d.department.code === 'CIVIL_AFFAIRS');
  expect(civil.totalFen).toBe(70_000);
});
