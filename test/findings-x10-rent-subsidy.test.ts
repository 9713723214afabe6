/**
 * X10 counts a household's rent subsidies as it counts its rental flats: 公租房保障 is the
 * household's (X4 already holds a flat and a subsidy in one household apart, X10 two flats), so a
 * second rent subsidy to another member of a household that holds one is a duplicate. The housing
 * bureau's pre-grant check of a rent subsidy for the wife of a husband holding one answered
 * `clear: true`, and the household showed no finding with both running; through a real hub over a
 * real housing database.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { housingScenario } from '../federation/housing/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';

/** Husband with a rent subsidy running since 2024-03-01; his wife, one with none. */
const SUBSIDY = { husband: makeIdNumber('370811', '1976-06-06', 61), wife: makeIdNumber('370811', '1978-08-08', 62) };
/** Two rent subsidies in one household, the second from 2025-06-01 to 2025-11-30 (183 days). */
const TWICE = { husband: makeIdNumber('370811', '1970-01-10', 63), wife: makeIdNumber('370811', '1972-02-12', 64) };

let dbs: TestDatabases;
let hub: TestHub;
let householdSubsidy: number;
let householdTwice: number;

async function addCouple(registrationNo: string, couple: { husband: string; wife: string }): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo, regionCode: VILLAGE, address: `古槐街道 ${registrationNo}` });
  await dbs.hub.insert(person).values([
    { idNumber: couple.husband, name: '庚', gender: 'M', birthDate: `${couple.husband.slice(6, 10)}-${couple.husband.slice(10, 12)}-${couple.husband.slice(12, 14)}`, deathDate: null },
    { idNumber: couple.wife, name: '辛', gender: 'F', birthDate: `${couple.wife.slice(6, 10)}-${couple.wife.slice(10, 12)}-${couple.wife.slice(12, 14)}`, deathDate: null },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId: res.insertId, idNumber: couple.husband, relation: 'HEAD', joinedOn: '2000-01-01' },
    { householdId: res.insertId, idNumber: couple.wife, relation: 'SPOUSE', joinedOn: '2000-01-01' },
  ]);
  return res.insertId;
}

beforeAll(async () => {
  dbs = await createTestDatabases('x10_rent_subsidy');
  await insertRegions(dbs);
  householdSubsidy = await addCouple('F-X10-BT', SUBSIDY);
  householdTwice = await addCouple('F-X10-BT2', TWICE);
  const s = dbs.sources;
  await housingScenario.insert(s.HOUSING, 'rentalApplications', [
    { appNo: 'GZF-BT-A', applicantIdCard: SUBSIDY.husband, familySize: 2, regionCode: VILLAGE, applyDate: '2024-01-01', appStatus: 30 },
    { appNo: 'GZF-BT2-A', applicantIdCard: TWICE.husband, familySize: 2, regionCode: VILLAGE, applyDate: '2024-01-01', appStatus: 30 },
    { appNo: 'GZF-BT2-B', applicantIdCard: TWICE.wife, familySize: 2, regionCode: VILLAGE, applyDate: '2025-01-01', appStatus: 30 },
  ]);
  await housingScenario.insert(s.HOUSING, 'rentalAllocations', [
    { appNo: 'GZF-BT-A', allocType: 'BT', monthlyFen: 50_000, startDate: '2024-03-01' },
    { appNo: 'GZF-BT2-A', allocType: 'BT', monthlyFen: 50_000, startDate: '2024-03-01' },
    { appNo: 'GZF-BT2-B', allocType: 'BT', monthlyFen: 48_000, startDate: '2025-06-01', endDate: '2025-11-30' },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('X10: two rent subsidies in one household', () => {
  it('the pre-grant check of a rent subsidy for a member of a household holding one is not clear', async () => {
    const Q = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear conflicts findings { rule { id } measure { __typename ... on PeriodOverlap { start end } } } } }`;
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(Q, { input: { beneficiaryIdNumber: SUBSIDY.wife, programme: 'RENT_SUBSIDY', periodStart: TODAY, amountFen: 40_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toEqual({ clear: false, conflicts: 1, findings: [{ rule: { id: 'X10' }, measure: { __typename: 'PeriodOverlap', start: TODAY, end: null } }] });
    // A rental flat beside the subsidy stays X4's, not X10's too.
    const flat = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(Q, { input: { beneficiaryIdNumber: SUBSIDY.wife, programme: 'PUBLIC_RENTAL', periodStart: TODAY, amountFen: 40_000 } });
    expect(flat.data.preGrantCheck.findings.map((f: any) => f.rule.id)).toEqual(['X4']);
  });

  it('a household with both running has the finding, for the days both ran', async () => {
    const q = `query($id: ID!) { household(id: $id) { findings { rule { id } scope people { idNumber } measure { __typename ... on PeriodOverlap { start end days } } } } }`;
    const found = (await hub.gql(q, { id: String(householdTwice) })).data.household.findings;
    expect(found).toEqual([{ rule: { id: 'X10' }, scope: 'HOUSEHOLD', people: [TWICE.husband, TWICE.wife].sort().map((idNumber) => ({ idNumber })), measure: { __typename: 'PeriodOverlap', start: '2025-06-01', end: '2025-11-30', days: 183 } }]);
    // One subsidy alone is no finding.
    expect((await hub.gql(q, { id: String(householdSubsidy) })).data.household.findings).toEqual([]);
  });
});
