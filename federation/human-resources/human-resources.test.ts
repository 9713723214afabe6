/**
 * 人社 (human resources and social security) as a federated department: its tables mapped to the
 * common aid record and to job losses, a household with its records answered end to end through
 * the hub at a fixed statement cost, and its part of the demo population at believable rates.
 */
import { countStatements } from '../../db/instrument';
import { household, householdMember, person } from '../../db/household/schema';
import { generateAll } from '../../tools/generate/population';
import { cell } from '../../tools/generate/tables';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { startTestHub, type TestHub } from '../../test/support/hub';
import { insertRegions } from '../../test/support/scenarios';
import type { SourceDb } from '../contract';
import { jobLossesOf } from '../reads';
import { factProviders } from '../registry';
import { humanResources, jobLossesByIdNumbers } from './adapter';
import { gyxgwAp, jyBzFf, jyKnryRd, syBxjFf, syDjxx } from './tables';

const ids = {
  laidOff: syntheticId('1979-03-02', 11),
  placed: syntheticId('1971-07-19', 22),
  graduate: syntheticId('2003-05-05', 33),
  nobody: syntheticId('1990-01-01', 44),
};

const scenario = {
  recognitions: [{ rdId: 1, sfzhm: ids.placed, rdlb: '01', rdrq: '2024-02-01', yxqz: '2027-01-31', rdzt: 1, jbjg: '370811' }],
  registrations: [
    { djId: 1, sfzhm: ids.laidOff, syrq: '2025-06-30', djrq: '2025-07-03', ygzdw: '济宁某机械厂', syyy: '02', zxrq: null },
    { djId: 2, sfzhm: ids.placed, syrq: '2023-12-31', djrq: '2024-01-05', ygzdw: null, syyy: '03', zxrq: '2024-04-01' },
  ],
  benefits: [
    { ffId: 1, sfzhm: ids.laidOff, ksrq: '2025-07-10', zzrq: '2026-07-09', yffbz: '1809.00', ffzt: 1 },
    { ffId: 2, sfzhm: ids.placed, ksrq: '2024-01-10', zzrq: '2024-03-31', yffbz: '1737.50', ffzt: 3 },
  ],
  placements: [{ apId: 1, sfzhm: ids.placed, gwmc: '保洁员', yrdw: '南门社区居民委员会', ksrq: '2024-04-01', jsrq: '2027-03-31', gwbt: '2010.00' }],
  grants: [
    { ffId: 1, sfzhm: ids.laidOff, btlx: 'PX', ffrq: '2025-09-20', ffje: '1500.00', xmmc: '电工' },
    { ffId: 2, sfzhm: ids.graduate, btlx: 'QZ', ffrq: '2025-05-10', ffje: '1000.00', xmmc: null },
    // A grant type outside the hub's catalogue is not reported.
    { ffId: 3, sfzhm: ids.graduate, btlx: 'ZZ', ffrq: '2025-06-01', ffje: '300.00', xmmc: null },
  ],
};

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_hr');
  db = dbs.sources.HUMAN_RESOURCES;
  await db.insert(jyKnryRd).values(scenario.recognitions);
  await db.insert(syDjxx).values(scenario.registrations);
  await db.insert(syBxjFf).values(scenario.benefits);
  await db.insert(gyxgwAp).values(scenario.placements);
  await db.insert(jyBzFf).values(scenario.grants);
});

afterAll(async () => {
  await dbs?.close();
});

const benefitNow = { department: 'HUMAN_RESOURCES', programme: 'UNEMPLOYMENT_BENEFIT', beneficiaryIdNumber: ids.laidOff, sourceHouseholdRef: null, periodStart: '2025-07-10', periodEnd: '2026-07-09', grantDate: null, amountFen: 180_900, status: 'ACTIVE', sourceRef: 'sy_bxj_ff:1' };
const training = { department: 'HUMAN_RESOURCES', programme: 'TRAINING_SUBSIDY', beneficiaryIdNumber: ids.laidOff, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-09-20', amountFen: 150_000, status: 'PAID', sourceRef: 'jy_bz_ff:1' };

describe('人社 adapter', () => {
  test('maps benefit spells, placements and grants to the common record, in fen', async () => {
    expect(bySourceRef(await humanResources.aidByIdNumbers(db, [ids.laidOff, ids.placed, ids.graduate, ids.nobody], TODAY))).toEqual([
      { department: 'HUMAN_RESOURCES', programme: 'PUBLIC_WELFARE_JOB', beneficiaryIdNumber: ids.placed, sourceHouseholdRef: null, periodStart: '2024-04-01', periodEnd: '2027-03-31', grantDate: null, amountFen: 201_000, status: 'ACTIVE', sourceRef: 'gyxgw_ap:1' },
      training,
      { department: 'HUMAN_RESOURCES', programme: 'JOB_SEEKING_SUBSIDY', beneficiaryIdNumber: ids.graduate, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-05-10', amountFen: 100_000, status: 'PAID', sourceRef: 'jy_bz_ff:2' },
      // A grant type outside the documentation is shown, not skipped: the catch-all, UNRECOGNISED, with the type.
      { department: 'HUMAN_RESOURCES', programme: 'HUMAN_RESOURCES_UNRECOGNISED', beneficiaryIdNumber: ids.graduate, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-06-01', amountFen: 30_000, status: 'UNRECOGNISED', sourceProgrammeCode: 'ZZ', sourceRef: 'jy_bz_ff:3' },
      benefitNow,
      { department: 'HUMAN_RESOURCES', programme: 'UNEMPLOYMENT_BENEFIT', beneficiaryIdNumber: ids.placed, sourceHouseholdRef: null, periodStart: '2024-01-10', periodEnd: '2024-03-31', grantDate: null, amountFen: 173_750, status: 'ENDED', sourceRef: 'sy_bxj_ff:2' },
    ]);
  });

  test('reads its aid tables in one statement per batch (their UNION ALL), switching off those holding none of the programmes asked for', async () => {
    const all = await countStatements(() => humanResources.aidByIdNumbers(db, [ids.laidOff, ids.placed, ids.graduate], TODAY));
    expect(all.counter.total).toBe(1);
    const one = await countStatements(() => humanResources.aidByIdNumbers(db, [ids.laidOff], TODAY, new Set(['TRAINING_SUBSIDY'] as const)));
    expect(one.counter.total).toBe(1);
    expect(one.result).toEqual([training]);
    expect(await humanResources.aidByIdNumbers(db, [], TODAY)).toEqual([]);
  });

  test('a grant type human resources does not document is its catch-all programme, UNRECOGNISED, with the type (it was skipped)', async () => {
    const who = syntheticId('1986-06-06', 94);
    await db.insert(jyBzFf).values([
      { ffId: 941, sfzhm: who, btlx: 'SB', ffrq: '2025-11-01', ffje: '1200.00' },
      { ffId: 942, sfzhm: who, btlx: 'PX', ffrq: '2025-11-01', ffje: '1200.00' },
    ]);
    expect(programmeCodes(await humanResources.aidByIdNumbers(db, [who], TODAY))).toEqual([
      ['jy_bz_ff:941', 'HUMAN_RESOURCES_UNRECOGNISED', 'UNRECOGNISED', 'SB'],
      ['jy_bz_ff:942', 'TRAINING_SUBSIDY', 'PAID', null],
    ]);
  });

  test('an ffzt human resources does not document is UNRECOGNISED with its code (it read as ACTIVE)', async () => {
    const who = syntheticId('1985-05-05', 93);
    await db.insert(syBxjFf).values({ ffId: 931, sfzhm: who, ksrq: '2025-07-10', zzrq: '2026-07-09', yffbz: '1809.00', ffzt: 4 });
    expect(statusCodes(await humanResources.aidByIdNumbers(db, [who], TODAY))).toEqual([['sy_bxj_ff:931', 'UNRECOGNISED', '4']]);
  });

  test('every unemployment registration is a job loss', async () => {
    const losses = await jobLossesByIdNumbers(db, [ids.laidOff, ids.placed, ids.nobody]);
    expect(losses.sort((a, b) => a.sourceRef.localeCompare(b.sourceRef))).toEqual([
      { idNumber: ids.laidOff, department: 'HUMAN_RESOURCES', lostOn: '2025-06-30', sourceRef: 'sy_djxx:1' },
      { idNumber: ids.placed, department: 'HUMAN_RESOURCES', lostOn: '2023-12-31', sourceRef: 'sy_djxx:2' },
    ]);
  });

  test('job losses are one department-neutral fact, which the union and 人社 both provide', async () => {
    expect(factProviders('jobLosses').map((p) => p.code)).toEqual(['UNION', 'HUMAN_RESOURCES']);
    expect(await jobLossesOf(dbs.sourceSet, [ids.laidOff])).toEqual([{ idNumber: ids.laidOff, department: 'HUMAN_RESOURCES', lostOn: '2025-06-30', sourceRef: 'sy_djxx:1' }]);
  });
});

describe('人社 through the hub', () => {
  let hub: TestHub;
  let householdId: number;

  beforeAll(async () => {
    await insertRegions(dbs);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: 'HR-0001', regionCode: '370811001', address: '任城区 1 号' });
    householdId = res.insertId;
    await dbs.hub.insert(person).values([
      { idNumber: ids.laidOff, name: '孙立军', gender: 'M', birthDate: '1979-03-02' },
      { idNumber: ids.graduate, name: '孙小雨', gender: 'F', birthDate: '2003-05-05' },
    ]);
    await dbs.hub.insert(householdMember).values([
      { householdId, idNumber: ids.laidOff, relation: 'HEAD', joinedOn: '2002-01-01' },
      { householdId, idNumber: ids.graduate, relation: 'CHILD', joinedOn: '2003-05-05' },
    ]);
    hub = await startTestHub(dbs, { today: TODAY });
  });

  afterAll(async () => {
    await hub?.close();
  });

  test("a household's 人社 aid comes back with the others, at one statement for the department", async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { aid(departments: [HUMAN_RESOURCES]) { department { code name } programme { code kind purpose } amountFen sourceReference } sources { department { code } available } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    expect(res.data.household.aid.map((r: any) => r.programme.code).sort()).toEqual(['HUMAN_RESOURCES_UNRECOGNISED', 'JOB_SEEKING_SUBSIDY', 'TRAINING_SUBSIDY', 'UNEMPLOYMENT_BENEFIT']);
    expect(res.data.household.aid[0].department).toEqual({ code: 'HUMAN_RESOURCES', name: '人力资源和社会保障局' });
    expect(res.data.household.aid.every((r: any) => r.programme.purpose === 'EMPLOYMENT')).toBe(true);
    expect(res.extensions?.sqlStatements?.bySource.HUMAN_RESOURCES).toBe(1);
    expect(res.data.household.sources.find((s: any) => s.department.code === 'HUMAN_RESOURCES')).toEqual({ department: { code: 'HUMAN_RESOURCES' }, available: true });
  });
});

describe('人社 demo data', () => {
  const REF = '2025-11-20';
  const rows = generateAll({ seed: 7, referenceDate: REF }, 3000);
  const ages = new Map(rows.person.map((p) => [p[0] as string, p[3] as string]));
  const adults = rows.person.filter((p) => (p[3] as string) <= '2007-11-20' && (p[3] as string) > '1965-11-20').length;

  test('writes every table at believable rates', () => {
    const registered = rows.sy_djxx.length;
    expect(registered / adults).toBeGreaterThan(0.01);
    expect(registered / adults).toBeLessThan(0.1);
    expect(rows.sy_bxj_ff.length).toBeGreaterThan(0);
    expect(rows.sy_bxj_ff.length).toBeLessThan(registered);
    expect(rows.jy_knry_rd.length).toBeGreaterThan(0);
    expect(rows.gyxgw_ap.length).toBeLessThan(rows.jy_knry_rd.length);
    expect(rows.jy_bz_ff.length).toBeGreaterThan(0);
  });

  test('every row names a generated person, with dates in order and not after the reference date', () => {
    for (const r of rows.sy_djxx) {
      expect(ages.has(cell('sy_djxx', r, 'sfzhm') as string)).toBe(true);
      expect(cell('sy_djxx', r, 'syrq') as string <= (cell('sy_djxx', r, 'djrq') as string)).toBe(true);
      expect(cell('sy_djxx', r, 'djrq') as string <= REF).toBe(true);
    }
    for (const r of rows.sy_bxj_ff) expect(cell('sy_bxj_ff', r, 'ksrq') as string <= (cell('sy_bxj_ff', r, 'zzrq') as string)).toBe(true);
    for (const r of rows.jy_bz_ff) expect(cell('jy_bz_ff', r, 'ffrq') as string <= REF).toBe(true);
  });

  test('is the same for the same seed', () => {
    expect(generateAll({ seed: 7, referenceDate: REF }, 300).sy_djxx).toEqual(generateAll({ seed: 7, referenceDate: REF }, 300).sy_djxx);
  });
});
