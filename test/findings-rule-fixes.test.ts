/**
 * Cases the rules got wrong (issue 13), through a real hub over real department databases:
 * - aid for one hospital stay paid to members of two households is added up by settlement (X7),
 *   reported once (by the patient's household), and the pre-grant check agrees; charity money
 *   reported to the hub (the REPORTED ledger) for a relative in another household counts too;
 * - a person in no household (an institutionalised 特困 person) is judged with their own birth and
 *   death dates: aid after death is found (X8) and the dead are not owed aid (M1); region scans
 *   reach such people, and people only the departments know, and store their findings with no
 *   household.
 */
import { household, householdMember, person } from '../db/household/schema';
import { registerCharity } from '../db/reported-aid/store';
import { makeCreditCode } from '../domain/credit-code';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { healthScenario } from '../federation/health/scenario';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { scanToEnd } from './support/scan';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';

const STAY = {
  setlId: 'SETL-2HH',
  /** The patient, in household A, with medical aid inside the settlement. */
  patient: makeIdNumber('370811', '1958-03-03', 51),
  /** The patient's son, a union member in his own household B, with a union illness grant for the stay. */
  son: makeIdNumber('370811', '1985-04-04', 53),
  // Burden before aid: 3,000 out of pocket + 2,000 medical aid inside = 5,000 yuan; the son's
  // grant of 3,500 brings the aid to 5,500: 500 yuan over. Neither household alone exceeds it.
  excessFen: 50_000,
};

/**
 * A stay whose only aid besides medical aid is charity money reported to the hub for the patient's
 * daughter, who lives in her own household: 1,500 out of pocket + 1,000 medical aid = 2,500 yuan
 * burden; the charity's 2,000 brings the aid to 3,000, 500 yuan over. The ledger is read by
 * settlement (`aidBySettlementRefs`), or the patient's household would see only the medical aid.
 */
const CHARITY_STAY = {
  setlId: 'SETL-CH-2HH',
  patient: makeIdNumber('370811', '1950-09-09', 55),
  daughter: makeIdNumber('370811', '1980-10-10', 56),
  charityFen: 200_000,
  burdenFen: 250_000,
  excessFen: 50_000,
};

const LONE = {
  /** In a care home (集中供养), in no household; died 2025-10-20 while 特困 support still runs. */
  person: makeIdNumber('370811', '1936-06-06', 71),
  deathDate: '2025-10-20',
  monthlyFen: 110_000,
  /** March 2026 is five months after the month of death (Nov, Dec, Jan, Feb, Mar). */
  months: 5,
};

/**
 * Known to the departments, unknown to the hub (no person row, no household): the disability
 * federation pays a living subsidy and civil affairs 特困 support, both running (X3).
 */
const STRANGER = { person: makeIdNumber('370811', '1966-02-02', 73) };

const RENTAL = {
  /** Husband and wife each applied, and each was allocated a flat: two 实物配租 for one household. */
  husband: makeIdNumber('370811', '1975-05-05', 91),
  wife: makeIdNumber('370811', '1977-07-07', 92),
};

/** A child paid the orphan allowance and, for six overlapping months, the 事实无人抚养 one. */
const CHILD = { child: makeIdNumber('370811', '2015-08-08', 93), days: 184 };

let dbs: TestDatabases;
let householdRental: number;
let householdChild: number;
let hub: TestHub;
let householdA: number;
let householdB: number;
let householdCharityPatient: number;
let householdCharityDaughter: number;
let charity: { gql: TestHub['gql'] };

async function addHousehold(registrationNo: string, who: { idNumber: string; name: string; gender: 'M' | 'F'; birthDate: string }): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo, regionCode: VILLAGE, address: `古槐街道 ${registrationNo}` });
  await dbs.hub.insert(person).values({ ...who, deathDate: null });
  await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber: who.idNumber, relation: 'HEAD', joinedOn: '2000-01-01' });
  return res.insertId;
}

beforeAll(async () => {
  dbs = await createTestDatabases('rule_fixes');
  await insertRegions(dbs);
  householdA = await addHousehold('F-2HH-A', { idNumber: STAY.patient, name: '甲', gender: 'M', birthDate: '1958-03-03' });
  householdB = await addHousehold('F-2HH-B', { idNumber: STAY.son, name: '乙', gender: 'M', birthDate: '1985-04-04' });
  const s = dbs.sources;
  await healthScenario.insert(s.HEALTH, 'settlements', [{
    setlId: STAY.setlId,
    psnCertNo: STAY.patient,
    fixmedinsName: '任城区人民医院',
    admDate: '2026-01-02',
    dscgDate: '2026-01-09',
    setlDate: '2026-01-09',
    diseName: '脑梗死',
    medfeeSumamt: '20000.00',
    hifpPay: '12000.00',
    hifmiPay: '3000.00',
    mafPay: '2000.00',
    psnPay: '3000.00',
  }]);
  await unionScenario.insert(s.UNION, 'workerFiles', { fileNo: 'GH-2HH', idCard: STAY.son, employer: '济宁机床厂', hardshipLevel: 2, fileDate: '2024-01-01' });
  await unionScenario.insert(s.UNION, 'grants', [{ fileNo: 'GH-2HH', grantType: 'DB', grantDate: '2026-02-01', amountFen: 350_000, setlRef: STAY.setlId }]);

  // The lone person: the hub knows them (person row) but they are in no household.
  await dbs.hub.insert(person).values({ idNumber: LONE.person, name: '丙', gender: 'F', birthDate: '1936-06-06', deathDate: LONE.deathDate });
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'tekun', [
    { idNo: LONE.person, countyCode: '370811', careMode: 1, startOn: '2020-01-01', monthlyFen: LONE.monthlyFen },
    { idNo: STRANGER.person, countyCode: '370811', careMode: 1, startOn: '2024-01-01', monthlyFen: 100_000 },
  ]);
  await disabilityScenario.insert(s.DISABILITY, 'certificates', [
    { certNo: `${LONE.person}41`, idCard: LONE.person, disType: 4, disLevel: 1, issueDate: '2020-01-01' },
    { certNo: `${STRANGER.person}43`, idCard: STRANGER.person, disType: 4, disLevel: 3, issueDate: '2020-01-01' },
  ]);
  await disabilityScenario.insert(s.DISABILITY, 'subsidies', [{ certNo: `${STRANGER.person}43`, subType: 'SH', startYm: '2023-01', monthlyFen: 10_000 }]);

  householdRental = await addHousehold('F-X10', { idNumber: RENTAL.husband, name: '丁', gender: 'M', birthDate: '1975-05-05' });
  await dbs.hub.insert(person).values({ idNumber: RENTAL.wife, name: '戊', gender: 'F', birthDate: '1977-07-07', deathDate: null });
  await dbs.hub.insert(householdMember).values({ householdId: householdRental, idNumber: RENTAL.wife, relation: 'SPOUSE', joinedOn: '2000-01-01' });
  await housingScenario.insert(s.HOUSING, 'rentalApplications', { appNo: 'GZF-X10-A', applicantIdCard: RENTAL.husband, familySize: 2, regionCode: VILLAGE, applyDate: '2024-01-01', appStatus: 30 });
  await housingScenario.insert(s.HOUSING, 'rentalAllocations', [{ appNo: 'GZF-X10-A', allocType: 'SW', monthlyFen: 50_000, startDate: '2024-03-01' }]);
  await housingScenario.insert(s.HOUSING, 'rentalApplications', { appNo: 'GZF-X10-B', applicantIdCard: RENTAL.wife, familySize: 2, regionCode: VILLAGE, applyDate: '2025-01-01', appStatus: 30 });
  await housingScenario.insert(s.HOUSING, 'rentalAllocations', [{ appNo: 'GZF-X10-B', allocType: 'SW', monthlyFen: 48_000, startDate: '2025-06-01', endDate: '2025-11-30' }]);

  householdChild = await addHousehold('F-X11', { idNumber: CHILD.child, name: '己', gender: 'F', birthDate: '2015-08-08' });
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'childAllowances', [
    { childIdNo: CHILD.child, category: 'GE', startOn: '2024-01-01', monthlyFen: 150_000 },
    { childIdNo: CHILD.child, category: 'SW', startOn: '2025-01-01', endOn: '2025-07-03', monthlyFen: 120_000 },
  ]);

  householdCharityPatient = await addHousehold('F-CH-A', { idNumber: CHARITY_STAY.patient, name: '庚', gender: 'F', birthDate: '1950-09-09' });
  householdCharityDaughter = await addHousehold('F-CH-B', { idNumber: CHARITY_STAY.daughter, name: '辛', gender: 'F', birthDate: '1980-10-10' });
  await healthScenario.insert(s.HEALTH, 'settlements', [{
    setlId: CHARITY_STAY.setlId,
    psnCertNo: CHARITY_STAY.patient,
    fixmedinsName: '任城区人民医院',
    admDate: '2026-01-12',
    dscgDate: '2026-01-20',
    setlDate: '2026-01-20',
    diseName: '股骨骨折',
    medfeeSumamt: '10000.00',
    hifpPay: '6000.00',
    hifmiPay: '1500.00',
    mafPay: '1000.00',
    psnPay: '1500.00',
  }]);

  hub = await startTestHub(dbs, { today: TODAY });
  const c = await hub.createClient({ name: 'test-charity-2hh', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
  await registerCharity(dbs.hub as never, c.name, makeCreditCode('53370800MJD54321X'), '济宁市慈善总会');
  charity = hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const FIELDS = `rule { id } records { sourceReference beneficiary { idNumber } } measure { __typename ... on SettlementExcess { settlementReference burdenFen aidFen excessFen } ... on AidAfterDeath { deathDate months excessFen } }`;

/** Runs a region scan to its end: its state and findings (rule, household, people). */
function scanOf(regionCode: string): Promise<any> {
  return scanToEnd(hub, regionCode, 'rule { id } household { id } people { idNumber } records { department { code } sourceReference }');
}

describe('X7 by settlement, across households', () => {
  it('is reported once, by the patient’s household, with everything paid for the stay', async () => {
    const q = `query($id: ID!) { household(id: $id) { findings { ${FIELDS} } } }`;
    const a = (await hub.gql(q, { id: String(householdA) })).data.household.findings.filter((f: any) => f.rule.id === 'X7');
    const b = (await hub.gql(q, { id: String(householdB) })).data.household.findings.filter((f: any) => f.rule.id === 'X7');
    expect(a).toHaveLength(1);
    expect(a[0].measure).toEqual({ __typename: 'SettlementExcess', settlementReference: STAY.setlId, burdenFen: 500_000, aidFen: 550_000, excessFen: STAY.excessFen });
    expect(a[0].records.map((r: any) => r.beneficiary.idNumber).sort()).toEqual([STAY.patient, STAY.son].sort());
    expect(b).toEqual([]);
  });

  it('shows on both people’s findings', async () => {
    const q = `query($n: String!) { person(idNumber: $n) { findings { rule { id } } } }`;
    for (const n of [STAY.patient, STAY.son]) {
      const res = await hub.gql(q, { n });
      expect(res.errors).toBeUndefined();
      expect(res.data.person.findings.map((f: any) => f.rule.id)).toContain('X7');
    }
  });

  it('agrees with the pre-grant check: one more grant to the son for the stay is flagged, counting the patient’s aid', async () => {
    const Q = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear findings { ${FIELDS} } } }`;
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(Q, { input: { beneficiaryIdNumber: STAY.son, programme: 'UNION_ILLNESS', grantDate: TODAY, amountFen: 10_000, settlementReference: STAY.setlId } });
    expect(res.errors).toBeUndefined();
    const [f] = res.data.preGrantCheck.findings;
    expect(f.rule.id).toBe('X7');
    expect(f.measure).toMatchObject({ burdenFen: 500_000, aidFen: 560_000 });
  });

  it('counts charity money reported for a relative in another household: the report, the patient’s household and both people agree', async () => {
    const report = await charity.gql(
      `mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded conflicts { index rule { id } } userErrors { code } } }`,
      { r: [{ reference: 'CS-2HH-1', beneficiaryIdNumber: CHARITY_STAY.daughter, programme: 'CHARITY_MEDICAL', grantDate: '2026-02-02', amountFen: CHARITY_STAY.charityFen, settlementRef: CHARITY_STAY.setlId }] },
    );
    expect(report.data.aidReport).toEqual({ recorded: 1, conflicts: [{ index: 0, rule: { id: 'X7' } }], userErrors: [] });

    const q = `query($id: ID!) { household(id: $id) { findings { ${FIELDS} } } }`;
    const a = (await hub.gql(q, { id: String(householdCharityPatient) })).data.household.findings.filter((f: any) => f.rule.id === 'X7');
    const b = (await hub.gql(q, { id: String(householdCharityDaughter) })).data.household.findings.filter((f: any) => f.rule.id === 'X7');
    expect(a).toHaveLength(1);
    expect(a[0].measure).toEqual({ __typename: 'SettlementExcess', settlementReference: CHARITY_STAY.setlId, burdenFen: CHARITY_STAY.burdenFen, aidFen: CHARITY_STAY.burdenFen + CHARITY_STAY.excessFen, excessFen: CHARITY_STAY.excessFen });
    expect(a[0].records.map((r: any) => r.beneficiary.idNumber).sort()).toEqual([CHARITY_STAY.patient, CHARITY_STAY.daughter].sort());
    expect(b).toEqual([]);
    for (const n of [CHARITY_STAY.patient, CHARITY_STAY.daughter]) {
      const res = await hub.gql(`query($n: String!) { person(idNumber: $n) { findings { rule { id } } } }`, { n });
      expect(res.data.person.findings.map((f: any) => f.rule.id)).toContain('X7');
    }
  });

  it('is stored once per stay by a region scan', async () => {
    const scan = await scanOf('370811');
    const x7 = scan.findings.edges.map((e: any) => e.node).filter((n: any) => n.rule.id === 'X7');
    expect(x7.map((n: any) => n.household.id).sort()).toEqual([String(householdA), String(householdCharityPatient)].sort());
  });
});

describe('a person in no household', () => {
  it('is found receiving 特困 support after death (X8), and is not owed a nursing subsidy (M1)', async () => {
    const q = `query($n: String!) { person(idNumber: $n) { findings { ${FIELDS} } } }`;
    const res = await hub.gql(q, { n: LONE.person });
    expect(res.errors).toBeUndefined();
    const found = res.data.person.findings;
    expect(found.map((f: any) => f.rule.id)).toEqual(['X8']);
    expect(found[0].measure).toEqual({ __typename: 'AidAfterDeath', deathDate: LONE.deathDate, months: LONE.months, excessFen: LONE.months * LONE.monthlyFen });
  });

  it('is reached by a county’s or the city’s scan (by the county of their ID number), with no household; known to the departments only, too', async () => {
    for (const region of ['370811', '370800']) {
      const nodes = (await scanOf(region)).findings.edges.map((e: any) => e.node);
      const outside = nodes
        .filter((n: any) => n.household === null)
        .map((n: any) => ({ rule: n.rule.id, people: n.people.map((p: any) => p.idNumber), records: n.records.map((r: any) => r.department.code).sort() }));
      // The stranger is no Person of the hub's: the finding names the departments' records instead.
      expect(outside.sort((a: any, b: any) => a.rule.localeCompare(b.rule))).toEqual([
        { rule: 'X3', people: [], records: ['CIVIL_AFFAIRS', 'DISABILITY'] },
        { rule: 'X8', people: [LONE.person], records: ['CIVIL_AFFAIRS'] },
      ]);
    }
    // A township's scan cannot place them: they have no village, only an ID number's county.
    const township = (await scanOf('370811001')).findings.edges.map((e: any) => e.node);
    expect(township.filter((n: any) => n.household === null)).toEqual([]);
  });

  it('is found by the pre-grant check: a new grant after death is refused', async () => {
    const Q = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear findings { rule { id } } } }`;
    const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(Q, { input: { beneficiaryIdNumber: LONE.person, programme: 'DISABILITY_NURSING', periodStart: '2026-04-01', amountFen: 15_000 } });
    expect(res.errors).toBeUndefined();
    expect(res.data.preGrantCheck).toMatchObject({ clear: false, findings: [{ rule: { id: 'X8' } }] });
  });
});

describe('rules that were missing', () => {
  const q = `query($id: ID!) { household(id: $id) { findings { rule { id } scope people { idNumber } measure { __typename ... on PeriodOverlap { start end days } } } } }`;

  it('X10: two public-rental allocations in one household, for the months both ran', async () => {
    const found = (await hub.gql(q, { id: String(householdRental) })).data.household.findings;
    expect(found).toEqual([{ rule: { id: 'X10' }, scope: 'HOUSEHOLD', people: [RENTAL.husband, RENTAL.wife].sort().map((idNumber) => ({ idNumber })), measure: { __typename: 'PeriodOverlap', start: '2025-06-01', end: '2025-11-30', days: 183 } }]);
  });

  it('X11: the orphan allowance and the 事实无人抚养 allowance for the same child', async () => {
    const found = (await hub.gql(q, { id: String(householdChild) })).data.household.findings;
    expect(found).toEqual([{ rule: { id: 'X11' }, scope: 'PERSON', people: [{ idNumber: CHILD.child }], measure: { __typename: 'PeriodOverlap', start: '2025-01-01', end: '2025-07-03', days: CHILD.days } }]);
  });
});
