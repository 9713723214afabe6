/**
 * X5 exempts a second temporary aid for the same cause within 12 months only where the city or
 * county gave it: 对花费较多、困难程度严重的，市、县可给予二次临时救助 (seed 000 三(四)1; DOMAIN.md,
 * time limits). Civil affairs' grant carries who approved it (its approval level, 1 乡镇审批,
 * 2 县级审批): one its source flags as a second aid but a township approved is no 二次临时救助 the
 * plan allows, and the repeat stands. The flag alone exempted it, whoever approved.
 */
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { makeIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';
import { addHousehold } from './findings-scenario';

jest.setTimeout(180_000);

const BY_TOWNSHIP = makeIdNumber('370811', '1966-06-06', 81);
const BY_COUNTY = makeIdNumber('370811', '1967-07-07', 83);
const LEVEL_UNDOCUMENTED = makeIdNumber('370811', '1968-08-08', 85);

const FINDINGS = /* GraphQL */ `
  query($id: String!) { person(idNumber: $id) { findings { rule { id } explanation } } }
`;

let dbs: TestDatabases;
let hub: TestHub;

/** A household of one with two grants for an illness (01) four months apart, the second flagged 二次临时救助 and approved at `approvalLevel`. */
async function repeatedIllnessAid(id: string, n: number, approvalLevel: number): Promise<void> {
  await addHousehold(dbs, `F-X5L-${n}`, [{ idNumber: id, name: '戊', gender: 'M', birthDate: '1966-06-06' }]);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [
    { idNo: id, familyNo: null, causeCode: '01', isUrgent: false, isSecondAid: false, grantDate: '2025-10-10', amountFen: 200_000, approvalLevel: 1 },
    { idNo: id, familyNo: null, causeCode: '01', isUrgent: false, isSecondAid: true, grantDate: '2026-02-10', amountFen: 250_000, approvalLevel },
  ]);
}

/** The person's X5 findings (M5, two temporary aids in 12 months with no 低保, is found for each of them alike). */
async function x5Of(id: string): Promise<{ rule: { id: string }; explanation: string }[]> {
  const res = await hub.gql(FINDINGS, { id });
  expect(res.errors).toBeUndefined();
  return res.data.person.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X5');
}

beforeAll(async () => {
  dbs = await createTestDatabases('x5_second_aid_level');
  await insertRegions(dbs);
  await repeatedIllnessAid(BY_TOWNSHIP, 1, 1);
  await repeatedIllnessAid(BY_COUNTY, 2, 2);
  // A level its documentation does not list: whether the county gave it cannot be told, and the flag stands as before.
  await repeatedIllnessAid(LEVEL_UNDOCUMENTED, 3, 7);
  hub = await startTestHub(dbs, { today: TODAY, client: { department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER'] } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('keeps X5 for a grant flagged as a second aid that a township approved', async () => {
  const findings = await x5Of(BY_TOWNSHIP);
  expect(findings).toHaveLength(1);
  expect(findings[0].explanation).toContain('乡镇审批');
});

it('exempts a second aid the county approved, and one whose approval level is undocumented', async () => {
  expect(await x5Of(BY_COUNTY)).toEqual([]);
  expect(await x5Of(LEVEL_UNDOCUMENTED)).toEqual([]);
});
