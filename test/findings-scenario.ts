/**
 * Named households for the findings tests, each planted with one known case in the department
 * databases. Tests read expectations (rule, people, months, amounts) from here.
 */
import { household, householdMember, person } from '../db/household/schema';
import { makeIdNumber } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { healthScenario } from '../federation/health/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { unionScenario } from '../federation/union/scenario';
import type { TestDatabases } from './support/databases';

/** Every household here is under 任城区 古槐街道 (township 370811001). */
export const VILLAGE = '370811001001';
export const TOWNSHIP = '370811001';

export const CASES = {
  /** 低保 from 2024 and 特困 for ten months of 2025: X1. */
  overlap: { registrationNo: 'F-X1', person: makeIdNumber('370811', '1950-05-05', 11), family: 'DBF-X1', tekunEnd: '2025-12-31', days: 306 },
  /** Public rental and rent subsidy (X4); two temporary aids for illness (X5) and no 低保 (M5). */
  housing: {
    registrationNo: 'F-X4',
    head: makeIdNumber('370811', '1970-01-01', 31),
    spouse: makeIdNumber('370811', '1972-02-02', 42),
    application: 'GZF-X4',
  },
  /** Died 2025-10-15; the 低保 share still runs: X8, five months to March 2026. */
  death: { registrationNo: 'F-X8', person: makeIdNumber('370811', '1940-01-01', 13), family: 'DBF-X8', deathDate: '2025-10-15', months: 5, monthlyFen: 72_000 },
  /** Level-1 certificate, no nursing subsidy: M1. */
  nursing: { registrationNo: 'F-M1', person: makeIdNumber('370811', '1980-03-03', 25) },
  /** A union illness grant on top of medical aid, more than the stay's burden: X7. */
  settlement: { registrationNo: 'F-X7', person: makeIdNumber('370811', '1960-07-07', 37), setlId: 'SETL-X7', excessFen: 50_000 },
  /** A child on 特困 and on the orphan allowance for the same months: X2. */
  orphan: { registrationNo: 'F-X2', child: makeIdNumber('370811', '2014-02-02', 19) },
} as const;

/**
 * A stay of `idNumber` at 任城区人民医院, settled 2026-01-09, on medical insurance's front end: a burden
 * before aid of 5,000 yuan (3,000 out of pocket + 2,000 medical aid paid inside the settlement).
 */
export async function insertPneumoniaStay(dbs: TestDatabases, setlId: string, idNumber: string): Promise<void> {
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', {
    setlId,
    psnCertNo: idNumber,
    fixmedinsName: '任城区人民医院',
    admDate: '2026-01-02',
    dscgDate: '2026-01-09',
    setlDate: '2026-01-09',
    diseName: '肺炎',
    medfeeSumamt: '20000.00',
    hifpPay: '12000.00',
    hifmiPay: '3000.00',
    mafPay: '2000.00',
    psnPay: '3000.00',
  });
}

export async function addHousehold(dbs: TestDatabases, registrationNo: string, people: { idNumber: string; name: string; gender: 'M' | 'F'; birthDate: string; deathDate?: string }[]): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo, regionCode: VILLAGE, address: `古槐街道 ${registrationNo}` });
  await dbs.hub.insert(person).values(people.map((p) => ({ deathDate: null, ...p })));
  await dbs.hub.insert(householdMember).values(people.map((p, i) => ({ householdId: res.insertId, idNumber: p.idNumber, relation: i === 0 ? ('HEAD' as const) : ('SPOUSE' as const), joinedOn: '2000-01-01' })));
  return res.insertId;
}

export interface CaseIds {
  overlap: number;
  housing: number;
  death: number;
  nursing: number;
  settlement: number;
  orphan: number;
}

export async function insertCases(dbs: TestDatabases): Promise<CaseIds> {
  const s = dbs.sources;
  const { overlap, housing, death, nursing, settlement, orphan } = CASES;

  const overlapId = await addHousehold(dbs, overlap.registrationNo, [{ idNumber: overlap.person, name: '甲', gender: 'M', birthDate: '1950-05-05' }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: overlap.family, countyCode: '370811', headIdNo: overlap.person, areaType: 1, approvedOn: '2024-01-01' }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoMembers', [{ familyNo: overlap.family, idNo: overlap.person, relationToHead: '本人', joinedOn: '2024-01-01', monthlyShareFen: 70_000 }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'tekun', [{ idNo: overlap.person, countyCode: '370811', careMode: 1, startOn: '2025-03-01', endOn: overlap.tekunEnd, monthlyFen: 90_000 }]);

  const housingId = await addHousehold(dbs, housing.registrationNo, [
    { idNumber: housing.head, name: '乙', gender: 'M', birthDate: '1970-01-01' },
    { idNumber: housing.spouse, name: '丙', gender: 'F', birthDate: '1972-02-02' },
  ]);
  await housingScenario.insert(s.HOUSING, 'rentalApplications', { appNo: housing.application, applicantIdCard: housing.head, familySize: 2, regionCode: VILLAGE, applyDate: '2024-10-01', appStatus: 30 });
  await housingScenario.insert(s.HOUSING, 'rentalAllocations', [
    { appNo: housing.application, allocType: 'SW', monthlyFen: 60_000, startDate: '2025-01-01' },
    { appNo: housing.application, allocType: 'BT', monthlyFen: 45_000, startDate: '2025-10-01', endDate: '2026-01-31' },
  ]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'temporaryAid', [
    { idNo: housing.head, causeCode: '01', grantDate: '2025-06-01', amountFen: 200_000, approvalLevel: 1 },
    { idNo: housing.spouse, causeCode: '01', grantDate: '2026-01-10', amountFen: 150_000, approvalLevel: 1 },
  ]);

  const deathId = await addHousehold(dbs, death.registrationNo, [{ idNumber: death.person, name: '丁', gender: 'M', birthDate: '1940-01-01', deathDate: death.deathDate }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: death.family, countyCode: '370811', headIdNo: death.person, areaType: 2, approvedOn: '2023-01-01' }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoMembers', [{ familyNo: death.family, idNo: death.person, relationToHead: '本人', joinedOn: '2023-01-01', monthlyShareFen: death.monthlyFen }]);

  const nursingId = await addHousehold(dbs, nursing.registrationNo, [{ idNumber: nursing.person, name: '戊', gender: 'F', birthDate: '1980-03-03' }]);
  await disabilityScenario.insert(s.DISABILITY, 'certificates', [{ certNo: `${nursing.person}41`, idCard: nursing.person, disType: 4, disLevel: 1, issueDate: '2020-01-01' }]);

  const settlementId = await addHousehold(dbs, settlement.registrationNo, [{ idNumber: settlement.person, name: '己', gender: 'M', birthDate: '1960-07-07' }]);
  // Burden before aid: 3,000 out of pocket + 2,000 medical aid inside = 5,000 yuan; aid 2,000 + 3,500 = 5,500.
  await insertPneumoniaStay(dbs, settlement.setlId, settlement.person);
  await unionScenario.insert(s.UNION, 'workerFiles', { fileNo: 'GH-X7', idCard: settlement.person, employer: '济宁机床厂', hardshipLevel: 2, fileDate: '2024-01-01' });
  await unionScenario.insert(s.UNION, 'grants', [
    { fileNo: 'GH-X7', grantType: 'DB', grantDate: '2026-02-01', amountFen: 350_000, setlRef: settlement.setlId },
  ]);

  const orphanId = await addHousehold(dbs, orphan.registrationNo, [{ idNumber: orphan.child, name: '庚', gender: 'F', birthDate: '2014-02-02' }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'tekun', [{ idNo: orphan.child, countyCode: '370811', careMode: 2, startOn: '2024-06-01', monthlyFen: 110_000 }]);
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'childAllowances', [{ childIdNo: orphan.child, category: 'GE', startOn: '2025-01-01', endOn: '2025-06-30', monthlyFen: 150_000 }]);

  return { overlap: overlapId, housing: housingId, death: deathId, nursing: nursingId, settlement: settlementId, orphan: orphanId };
}
