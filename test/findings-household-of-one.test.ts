/**
 * The household rules (X4, X5, M5: DOMAIN's "for the same household") judge a person the hub has
 * in no household — a care-home resident, someone only the departments know — as a household of
 * one: their own aid is their household's. Before, a household rule had no subject without a
 * household, so two temporary aids for the same cause within 12 months to such a person were no
 * X5 (nor, with no 低保, M5), and a rental flat beside a rent subsidy no X4: `Person.findings`,
 * the scan and the pre-grant check answered clear. Through a real hub over real department
 * databases.
 */
import { person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

/** Known to the hub (a person row), in no household: two temporary aids for illness within 12 months. */
const LONE = makeIdNumber('370811', '1948-04-04', 33);
/** Known to the hub, in no household: a rental flat and a rent subsidy at once. */
const TENANT = makeIdNumber('370811', '1958-05-05', 44);
/** The near miss: in no household, two temporary aids for one cause 13 months apart, and 低保. */
const APART = makeIdNumber('370811', '1952-06-06', 55);

const FINDINGS = `query($id: String!) { person(idNumber: $id) { findings { rule { id } severity records { programme { code } } } } }`;
const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear warnings conflicts findings { rule { id } } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('household_of_one');
  await insertRegions(dbs);
  await dbs.hub.insert(person).values([
    { idNumber: LONE, name: '甲', gender: 'M', birthDate: '1948-04-04', deathDate: null },
    { idNumber: TENANT, name: '乙', gender: 'F', birthDate: '1958-05-05', deathDate: null },
    { idNumber: APART, name: '丙', gender: 'M', birthDate: '1952-06-06', deathDate: null },
  ]);
  const ca = dbs.sources.CIVIL_AFFAIRS;
  await civilAffairsScenario.insert(ca, 'temporaryAid', [
    { idNo: LONE, causeCode: '01', grantDate: '2025-08-01', amountFen: 200_000, approvalLevel: 1 },
    { idNo: LONE, causeCode: '01', grantDate: '2026-02-01', amountFen: 150_000, approvalLevel: 1 },
    { idNo: APART, causeCode: '01', grantDate: '2025-01-10', amountFen: 200_000, approvalLevel: 1 },
    { idNo: APART, causeCode: '01', grantDate: '2026-02-11', amountFen: 150_000, approvalLevel: 1 },
  ]);
  await civilAffairsScenario.insert(ca, 'dibaoFamilies', [{ familyNo: 'DBF-ONE', countyCode: '370811', headIdNo: APART, areaType: 1, approvedOn: '2024-01-01' }]);
  await civilAffairsScenario.insert(ca, 'dibaoMembers', [{ familyNo: 'DBF-ONE', idNo: APART, relationToHead: '本人', joinedOn: '2024-01-01', monthlyShareFen: 70_000 }]);
  await housingScenario.insert(dbs.sources.HOUSING, 'rentalApplications', { appNo: 'GZF-ONE', applicantIdCard: TENANT, familySize: 1, regionCode: '370811001001', applyDate: '2024-10-01', appStatus: 30 });
  await housingScenario.insert(dbs.sources.HOUSING, 'rentalAllocations', [
    { appNo: 'GZF-ONE', allocType: 'SW', monthlyFen: 60_000, startDate: '2025-01-01' },
    { appNo: 'GZF-ONE', allocType: 'BT', monthlyFen: 45_000, startDate: '2025-10-01', endDate: '2026-01-31' },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function findings(id: string): Promise<{ rule: { id: string }; severity: string }[]> {
  const res = await hub.gql(FINDINGS, { id });
  expect(res.errors).toBeUndefined();
  return res.data.person.findings;
}

test('two temporary aids for one cause within 12 months to a person in no household are X5, and with no 低保 M5', async () => {
  const found = await findings(LONE);
  expect(found.map((f) => [f.rule.id, f.severity]).sort()).toEqual([
    ['M5', 'MISSED_AID'],
    ['X5', 'WARNING'],
  ]);
});

test('a rental flat beside a rent subsidy for a person in no household is X4', async () => {
  expect((await findings(TENANT)).map((f) => f.rule.id)).toEqual(['X4']);
});

test('13 months apart, and on 低保, a person in no household has neither X5 nor M5', async () => {
  expect(await findings(APART)).toEqual([]);
});

test('the pre-grant check of a third temporary aid for the same cause warns X5 for a person in no household', async () => {
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: LONE, programme: 'TEMP_AID', grantDate: '2026-03-15', amountFen: 100_000, cause: 'ILLNESS' } });
  expect(res.errors).toBeUndefined();
  expect(res.data.preGrantCheck.findings.map((f: { rule: { id: string } }) => f.rule.id)).toContain('X5');
  expect(res.data.preGrantCheck.clear).toBe(false);
});
