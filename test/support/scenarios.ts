/**
 * Named scenarios inserted into real databases. Tests read their expectations from the scenario
 * (how many members, which records) instead of magic numbers.
 */
import { eq } from 'drizzle-orm';
import { household, householdMember, person, region } from '../../db/household/schema';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, REPORTER_CODES, type DepartmentCode, type OfficeCode } from '../../domain/departments';
import { birthDateOf, makeIdNumber } from '../../domain/id-number';
import type { ProgrammeCode } from '../../domain/programmes';
import { civilAffairsScenario } from '../../federation/civil-affairs/scenario';
import { disabilityScenario } from '../../federation/disability/scenario';
import { educationScenario } from '../../federation/education/scenario';
import { healthScenario } from '../../federation/health/scenario';
import { housingScenario } from '../../federation/housing/scenario';
import type { RowOf } from '../../federation/scenario-kit';
import { unionScenario } from '../../federation/union/scenario';
import type { TestDatabases } from './databases';

export const TODAY = '2026-03-15';

export const REGIONS = [
  { code: '370800', name: '济宁市', level: 'CITY' as const, parentCode: null },
  { code: '370811', name: '任城区', level: 'COUNTY' as const, parentCode: '370800' },
  { code: '370811001', name: '古槐街道', level: 'TOWNSHIP' as const, parentCode: '370811' },
  { code: '370811001001', name: '南门社区', level: 'VILLAGE' as const, parentCode: '370811001' },
  { code: '370826', name: '微山县', level: 'COUNTY' as const, parentCode: '370800' },
  { code: '370826100', name: '夏镇街道', level: 'TOWNSHIP' as const, parentCode: '370826' },
];

/**
 * The Wang household (任城区): a 低保 family of four with something from every department.
 * Head on 低保; spouse disabled (level 2) with both subsidies; child a 初中 student with a national
 * grant (a programme of 普通高中, 中职 and 高校: X13, beside X6 with his union 金秋助学 grant); grandmother hospitalised with medical aid and temporary aid;
 * the household rents under a 租赁补贴.
 */
export const WANG = {
  registrationNo: 'RC-0001',
  regionCode: '370811001001',
  head: makeIdNumber('370811', '1975-04-12', 31),
  spouse: makeIdNumber('370811', '1977-09-03', 42),
  child: makeIdNumber('370811', '2010-06-20', 13),
  grandmother: makeIdNumber('370811', '1948-01-30', 24),
  /** One record per department at least: 13 in all. */
  expectedRecords: {
    CIVIL_AFFAIRS: ['DIBAO', 'DIBAO', 'DIBAO', 'DIBAO', 'TEMP_AID'],
    EDUCATION: ['NATIONAL_GRANT'],
    HOUSING: ['RENT_SUBSIDY'],
    HEALTH: ['MEDICAL_AID'],
    UNION: ['UNION_AUTUMN_EDU', 'UNION_HARDSHIP'],
    DISABILITY: ['DISABILITY_LIVING', 'DISABILITY_NURSING'],
    // 人社's own test puts a household through the hub with its records (federation/human-resources).
    HUMAN_RESOURCES: [],
    REPORTED: [],
    // Every source, so that a department added to DEPARTMENT_CODES is asked for here by the compiler
    // (README, "Adding a department", step 9) rather than where a test indexes it.
  } satisfies Record<DepartmentCode, readonly ProgrammeCode[]>,
};

/**
 * The offices that answer referral slips, each with a demo client city-wide and in each demo
 * county, sorted: every federated department but civil affairs (which convenes) and the hub's own
 * ledger, and the reporting offices but charities. Spelled from the department lists, so that a
 * department added to them (README, "Adding a department") is expected here without an edit.
 */
export const SLIP_ANSWERING_OFFICES: readonly OfficeCode[] = [
  ...DEPARTMENT_CODES.filter((d) => d !== 'CIVIL_AFFAIRS' && !HUB_LEDGER_SOURCES.includes(d)),
  ...REPORTER_CODES.filter((r) => r !== 'CHARITY'),
].sort();

/** A household of one with no aid at all, in another county. */
export const ZHAO = { registrationNo: 'WS-0001', regionCode: '370826100', head: makeIdNumber('370826', '1990-02-14', 51) };

/** Moves the household to another division, as a site's import rewrites it (no department's row changes). */
export async function moveHousehold(dbs: Pick<TestDatabases, 'hub'>, householdId: number, regionCode: string): Promise<void> {
  const [moved] = await dbs.hub.update(household).set({ regionCode }).where(eq(household.id, householdId));
  if (moved.affectedRows !== 1) throw new Error(`no household ${householdId} to move`);
}

export async function insertRegions(dbs: TestDatabases): Promise<void> {
  await dbs.hub.insert(region).values(REGIONS);
}

export async function insertWang(dbs: TestDatabases): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo: WANG.registrationNo, regionCode: WANG.regionCode, address: '任城区古槐街道南门社区 3 号' });
  const id = res.insertId;
  await dbs.hub.insert(person).values([
    { idNumber: WANG.head, name: '王建国', gender: 'M', birthDate: '1975-04-12' },
    { idNumber: WANG.spouse, name: '李秀兰', gender: 'F', birthDate: '1977-09-03' },
    { idNumber: WANG.child, name: '王小明', gender: 'M', birthDate: '2010-06-20' },
    { idNumber: WANG.grandmother, name: '张桂英', gender: 'F', birthDate: '1948-01-30' },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId: id, idNumber: WANG.head, relation: 'HEAD', joinedOn: '2000-01-01' },
    { householdId: id, idNumber: WANG.spouse, relation: 'SPOUSE', joinedOn: '2000-01-01' },
    { householdId: id, idNumber: WANG.child, relation: 'CHILD', joinedOn: '2010-06-20' },
    { householdId: id, idNumber: WANG.grandmother, relation: 'PARENT', joinedOn: '2000-01-01' },
  ]);
  const s = dbs.sources;
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: 'DB370811-0001', countyCode: '370811', headIdNo: WANG.head, areaType: 1, approvedOn: '2024-01-01' }]);
  await civilAffairsScenario.insert(
    s.CIVIL_AFFAIRS,
    'dibaoMembers',
    [WANG.head, WANG.spouse, WANG.child, WANG.grandmother].map((idNo, i) => ({
      familyNo: 'DB370811-0001',
      idNo,
      relationToHead: ['本人', '配偶', '子', '母'][i],
      joinedOn: '2024-01-01',
      monthlyShareFen: 72_000,
    })),
  );
  await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: true, grantDate: '2026-01-20', amountFen: 300_000, approvalLevel: 1 }]);
  await educationScenario.insert(s.EDUCATION, 'students', { studentNo: 'S370811000123', sfzh: WANG.child, schoolCode: '3708110017', schoolName: '济宁市第十三中学', stage: 'CZ', grade: 9, enrolYear: '2023' });
  await educationScenario.insert(s.EDUCATION, 'funding', [
    { studentNo: 'S370811000123', schoolYear: '2025-2026', semester: 1, fundingType: 'GJZXJ', amountYuan: '625.00', paidDate: '2025-10-15' },
  ]);
  await housingScenario.insert(s.HOUSING, 'rentalApplications', { appNo: 'GZF2023-0456', applicantIdCard: WANG.head, familySize: 4, regionCode: WANG.regionCode, applyDate: '2023-05-10', appStatus: 30 });
  await housingScenario.insert(s.HOUSING, 'rentalAllocations', [
    { appNo: 'GZF2023-0456', allocType: 'BT', monthlyFen: 45_000, startDate: '2023-07-01' },
  ]);
  await healthScenario.insert(s.HEALTH, 'settlements', [
    {
      setlId: 'SETL20260110001',
      psnCertNo: WANG.grandmother,
      fixmedinsName: '济宁医学院附属医院',
      admDate: '2026-01-02',
      dscgDate: '2026-01-10',
      setlDate: '2026-01-10',
      diseName: '脑梗死',
      medfeeSumamt: '48230.50',
      hifpPay: '30120.00',
      hifmiPay: '6100.00',
      mafPay: '5000.00',
      psnPay: '7010.50',
    },
  ]);
  await unionScenario.insert(s.UNION, 'workerFiles', { fileNo: 'GH-2024-077', idCard: WANG.head, employer: '济宁纺织厂', hardshipLevel: 1, fileDate: '2024-03-01' });
  await unionScenario.insert(s.UNION, 'grants', [
    { fileNo: 'GH-2024-077', grantType: 'BF', grantDate: '2026-01-25', amountFen: 100_000 },
    { fileNo: 'GH-2024-077', grantType: 'JQ', grantDate: '2025-08-20', amountFen: 200_000, studentIdCard: WANG.child, schoolYear: '2025-2026' },
  ]);
  const cert = `${WANG.spouse}42`;
  await disabilityScenario.insert(s.DISABILITY, 'certificates', [{ certNo: cert, idCard: WANG.spouse, disType: 4, disLevel: 2, issueDate: '2019-05-01' }]);
  await disabilityScenario.insert(s.DISABILITY, 'subsidies', [
    { certNo: cert, subType: 'SH', startYm: '2024-02', monthlyFen: 9_000 },
    { certNo: cert, subType: 'HL', startYm: '2020-01', monthlyFen: 10_000 },
  ]);
  return id;
}

export async function insertZhao(dbs: TestDatabases): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo: ZHAO.registrationNo, regionCode: ZHAO.regionCode, address: '微山县夏镇街道 8 号' });
  await dbs.hub.insert(person).values({ idNumber: ZHAO.head, name: '赵强', gender: 'M', birthDate: '1990-02-14' });
  await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber: ZHAO.head, relation: 'HEAD', joinedOn: '2015-01-01' });
  return res.insertId;
}

/**
 * A person of a household of their own in 任城区古槐街道 (南门社区 `seq` 号), its head since `joinedOn`:
 * someone the hub knows, for tests of what a department's new row about them sets off. `prefix`
 * keeps each test's registration numbers apart; the ID number is born `birthDate`, sequence `seq`.
 */
export async function insertResident(
  dbs: Pick<TestDatabases, 'hub'>,
  opts: { prefix: string; seq: number; birthDate: string; regionCode?: string; joinedOn?: string },
): Promise<{ idNumber: string; householdId: number }> {
  const { prefix, seq, birthDate } = opts;
  const idNumber = makeIdNumber('370811', birthDate, seq);
  const [res] = await dbs.hub.insert(household).values({ registrationNo: `${prefix}-${seq}`, regionCode: opts.regionCode ?? '370811001001', address: `南门社区 ${seq} 号` });
  await dbs.hub.insert(person).values({ idNumber, name: '测试', gender: seq % 2 ? 'M' : 'F', birthDate });
  await dbs.hub.insert(householdMember).values({ householdId: res.insertId, idNumber, relation: 'HEAD', joinedOn: opts.joinedOn ?? '2010-01-01' });
  return { idNumber, householdId: res.insertId };
}

/**
 * A household in 南门社区 (`370811001001`) of a head and a son, both men, members since 2000, each born
 * as their ID number says: the hub's side of a test of how departments write those numbers
 * (test/id-number-case.test.ts, test/id-number-charset.test.ts). Returns the hub id.
 */
export async function insertHeadAndSon(dbs: Pick<TestDatabases, 'hub'>, opts: { registrationNo: string; address: string; head: string; son: string }): Promise<number> {
  const [res] = await dbs.hub.insert(household).values({ registrationNo: opts.registrationNo, regionCode: '370811001001', address: opts.address });
  const householdId = res.insertId;
  await dbs.hub.insert(person).values([
    { idNumber: opts.head, name: '甲', gender: 'M', birthDate: birthDateOf(opts.head), deathDate: null },
    { idNumber: opts.son, name: '乙', gender: 'M', birthDate: birthDateOf(opts.son), deathDate: null },
  ]);
  await dbs.hub.insert(householdMember).values([
    { householdId, idNumber: opts.head, relation: 'HEAD', joinedOn: '2000-01-01' },
    { householdId, idNumber: opts.son, relation: 'CHILD', joinedOn: '2000-01-01' },
  ]);
  return householdId;
}

/**
 * `count` households under 任城区 of 1 to 8 members, every member with a 低保 share and a
 * disability subsidy, inserted in a handful of multi-row statements. Returns the hub ids.
 */
export async function insertMany(dbs: TestDatabases, count: number): Promise<{ ids: number[]; members: number; records: number }> {
  const households = Array.from({ length: count }, (_, k) => ({ registrationNo: `BULK-${k}`, regionCode: '370811001001', address: `南门社区 ${k} 号` }));
  await dbs.hub.insert(household).values(households);
  const rows = await dbs.hub.select({ id: household.id, no: household.registrationNo }).from(household);
  const idOf = new Map(rows.map((r) => [r.no, r.id]));
  const people: (typeof person.$inferInsert)[] = [];
  const members: (typeof householdMember.$inferInsert)[] = [];
  const families: RowOf<typeof civilAffairsScenario, 'dibaoFamilies'>[] = [];
  const shares: RowOf<typeof civilAffairsScenario, 'dibaoMembers'>[] = [];
  const certs: RowOf<typeof disabilityScenario, 'certificates'>[] = [];
  const subsidies: RowOf<typeof disabilityScenario, 'subsidies'>[] = [];
  let seq = 0;
  households.forEach((h, k) => {
    const size = 1 + (k % 8);
    const familyNo = `DB-BULK-${k}`;
    families.push({ familyNo, countyCode: '370811', headIdNo: '', areaType: 1, approvedOn: '2025-01-01' });
    for (let m = 0; m < size; m++) {
      seq += 1;
      const birth = `19${50 + (seq % 45)}-0${1 + (seq % 9)}-1${seq % 10}`;
      const idNumber = makeIdNumber('370811', birth, 100 + (seq % 900));
      const unique = `${idNumber.slice(0, 14)}${String(seq % 1000).padStart(3, '0')}`;
      const id = makeIdNumber(unique.slice(0, 6), `${unique.slice(6, 10)}-${unique.slice(10, 12)}-${unique.slice(12, 14)}`, Number(unique.slice(14, 17)));
      people.push({ idNumber: id, name: `测试${seq}`, gender: seq % 2 ? 'M' : 'F', birthDate: birth });
      members.push({ householdId: idOf.get(h.registrationNo)!, idNumber: id, relation: m === 0 ? 'HEAD' : 'OTHER', joinedOn: '2020-01-01' });
      if (m === 0) families[families.length - 1].headIdNo = id;
      shares.push({ familyNo, idNo: id, relationToHead: m === 0 ? '本人' : '其他', joinedOn: '2025-01-01', monthlyShareFen: 60_000 });
      certs.push({ certNo: `${id}41`, idCard: id, disType: 4, disLevel: 1, issueDate: '2018-01-01' });
      subsidies.push({ certNo: `${id}41`, subType: 'HL', startYm: '2020-01', monthlyFen: 10_000 });
    }
  });
  const chunk = <T>(list: T[], size = 1000): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
  for (const c of chunk(people)) await dbs.hub.insert(person).values(c);
  for (const c of chunk(members)) await dbs.hub.insert(householdMember).values(c);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoFamilies', families);
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoMembers', shares);
  await disabilityScenario.insert(dbs.sources.DISABILITY, 'certificates', certs);
  await disabilityScenario.insert(dbs.sources.DISABILITY, 'subsidies', subsidies);
  return { ids: households.map((h) => idOf.get(h.registrationNo)!), members: people.length, records: shares.length + subsidies.length };
}
