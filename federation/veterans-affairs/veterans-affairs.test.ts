/**
 * 退役军人事务 (veterans affairs) as a federated department: its tables mapped to the common aid
 * record, a household with its records answered end to end through the hub at one statement for the
 * department, and its part of the demo population at believable rates.
 */
import { countStatements } from '../../db/instrument';
import { household, householdMember, person } from '../../db/household/schema';
import { cell } from '../../tools/generate/tables';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { demoPopulation, type DemoPopulation } from '../../test/support/demo-population';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { startTestHub, type TestHub } from '../../test/support/hub';
import { insertRegions } from '../../test/support/scenarios';
import type { SourceDb } from '../contract';
import { veteransAffairs } from './adapter';
import { veteransAffairsScenario } from './scenario';

const ids = {
  veteran: syntheticId('1958-04-12', 11),
  widow: syntheticId('1962-09-30', 22),
  child: syntheticId('2012-02-02', 33),
  nobody: syntheticId('1990-01-01', 44),
};

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_va');
  db = dbs.sources.VETERANS_AFFAIRS;
  await veteransAffairsScenario.insert(db, 'entitledPersons', [
    { dxId: 1, sfzh: ids.veteran, yflb: '31', rdrq: '2001-05-01', dxzt: 1, xzqh: '370811' },
    { dxId: 2, sfzh: ids.widow, yflb: '23', rdrq: '2010-03-01', dxzt: 1, xzqh: '370811' },
  ]);
  await veteransAffairsScenario.insert(db, 'periodicAllowances', [
    { ffId: 1, sfzh: ids.veteran, qsrq: '2025-01-01', jzrq: null, ybz: '1600.00', ffzt: 1 },
    { ffId: 2, sfzh: ids.widow, qsrq: '2020-01-01', jzrq: '2024-12-31', ybz: '1500.50', ffzt: 1 },
  ]);
  await veteransAffairsScenario.insert(db, 'hardshipAid', [
    { jlId: 1, sfzh: ids.veteran, yzlx: 'SH', ffrq: '2025-09-12', yzje: '2000.00', jlzt: 1, yzsy: '因病致困' },
    { jlId: 2, sfzh: ids.child, yzlx: 'JY', ffrq: '2025-09-01', yzje: '1500.00', jlzt: 1, yzsy: null },
    { jlId: 3, sfzh: ids.veteran, yzlx: 'SH', ffrq: '2025-10-01', yzje: '1000.00', jlzt: 9, yzsy: null },
  ]);
});

afterAll(async () => {
  await dbs?.close();
});

const allowanceNow = { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_PERIODIC_ALLOWANCE', beneficiaryIdNumber: ids.veteran, sourceHouseholdRef: null, periodStart: '2025-01-01', periodEnd: null, grantDate: null, amountFen: 160_000, status: 'ACTIVE', sourceRef: 'dqfx_ff:1' };
const schooling = { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_CHILD_EDUCATION_AID', beneficiaryIdNumber: ids.child, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-09-01', amountFen: 150_000, status: 'PAID', sourceRef: 'bfyz_jl:2' };

describe('退役军人事务 adapter', () => {
  test('maps allowance spells and hardship aid to the common record, in fen', async () => {
    expect(bySourceRef(await veteransAffairs.aidByIdNumbers(db, [ids.veteran, ids.widow, ids.child, ids.nobody], TODAY))).toEqual([
      { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_HARDSHIP_AID', beneficiaryIdNumber: ids.veteran, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-09-12', amountFen: 200_000, status: 'PAID', sourceRef: 'bfyz_jl:1' },
      schooling,
      { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_HARDSHIP_AID', beneficiaryIdNumber: ids.veteran, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-10-01', amountFen: 100_000, status: 'CANCELLED', sourceRef: 'bfyz_jl:3' },
      allowanceNow,
      { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_PERIODIC_ALLOWANCE', beneficiaryIdNumber: ids.widow, sourceHouseholdRef: null, periodStart: '2020-01-01', periodEnd: '2024-12-31', grantDate: null, amountFen: 150_050, status: 'ENDED', sourceRef: 'dqfx_ff:2' },
    ]);
  });

  test('reads its aid tables in one statement per batch (their UNION ALL), switching off those holding none of the programmes asked for', async () => {
    const all = await countStatements(() => veteransAffairs.aidByIdNumbers(db, [ids.veteran, ids.widow, ids.child], TODAY));
    expect(all.counter.total).toBe(1);
    const one = await countStatements(() => veteransAffairs.aidByIdNumbers(db, [ids.child], TODAY, new Set(['VETERAN_CHILD_EDUCATION_AID'] as const)));
    expect(one.counter.total).toBe(1);
    expect(one.result).toEqual([schooling]);
    const none = await countStatements(() => veteransAffairs.aidByIdNumbers(db, [ids.child], TODAY, new Set(['DIBAO'] as const)));
    expect({ statements: none.counter.total, records: none.result }).toEqual({ statements: 0, records: [] });
    expect(await veteransAffairs.aidByIdNumbers(db, [], TODAY)).toEqual([]);
  });

  test('a kind of help or a status it does not document is UNRECOGNISED, with the code, never skipped', async () => {
    const who = syntheticId('1966-06-06', 94);
    await veteransAffairsScenario.insert(db, 'hardshipAid', [{ jlId: 941, sfzh: who, yzlx: 'ZZ', ffrq: '2025-11-01', yzje: '800.00', jlzt: 1 }]);
    await veteransAffairsScenario.insert(db, 'periodicAllowances', [{ ffId: 942, sfzh: who, qsrq: '2025-01-01', ybz: '900.00', ffzt: 5 }]);
    expect(programmeCodes(await veteransAffairs.aidByIdNumbers(db, [who], TODAY))).toEqual([
      ['bfyz_jl:941', 'VETERANS_AFFAIRS_UNRECOGNISED', 'UNRECOGNISED', 'ZZ'],
      ['dqfx_ff:942', 'VETERAN_PERIODIC_ALLOWANCE', 'UNRECOGNISED', null],
    ]);
    expect(statusCodes(await veteransAffairs.aidByIdNumbers(db, [who], TODAY))[1]).toEqual(['dqfx_ff:942', 'UNRECOGNISED', '5']);
  });
});

describe('退役军人事务 through the hub', () => {
  let hub: TestHub;
  let householdId: number;

  beforeAll(async () => {
    await insertRegions(dbs);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: 'VA-0001', regionCode: '370811001', address: '任城区 2 号' });
    householdId = res.insertId;
    await dbs.hub.insert(person).values([
      { idNumber: ids.veteran, name: '周振华', gender: 'M', birthDate: '1958-04-12' },
      { idNumber: ids.child, name: '周小军', gender: 'M', birthDate: '2012-02-02' },
    ]);
    await dbs.hub.insert(householdMember).values([
      { householdId, idNumber: ids.veteran, relation: 'HEAD', joinedOn: '1985-01-01' },
      { householdId, idNumber: ids.child, relation: 'GRANDCHILD', joinedOn: '2012-02-02' },
    ]);
    hub = await startTestHub(dbs, { today: TODAY });
  });

  afterAll(async () => {
    await hub?.close();
  });

  test("a household's 退役军人事务 aid comes back with the others, at one statement for the department", async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { aid(departments: [VETERANS_AFFAIRS]) { department { code name } programme { code } status amountFen } sources { department { code } available } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    expect(res.data.household.aid.map((r: any) => `${r.programme.code} ${r.status}`).sort()).toEqual(['VETERAN_CHILD_EDUCATION_AID PAID', 'VETERAN_HARDSHIP_AID CANCELLED', 'VETERAN_HARDSHIP_AID PAID', 'VETERAN_PERIODIC_ALLOWANCE ACTIVE']);
    expect(res.data.household.aid[0].department).toEqual({ code: 'VETERANS_AFFAIRS', name: '退役军人事务局' });
    expect(res.extensions?.sqlStatements?.bySource.VETERANS_AFFAIRS).toBe(1);
    expect(res.data.household.sources.find((s: any) => s.department.code === 'VETERANS_AFFAIRS')).toEqual({ department: { code: 'VETERANS_AFFAIRS' }, available: true });
  });
});

describe('退役军人事务 demo data', () => {
  let pop: DemoPopulation;
  beforeAll(() => {
    pop = demoPopulation();
  });

  test('writes every table at believable rates', () => {
    const men35 = pop.rows.person.filter((p) => p[2] === 'M' && (p[3] as string) <= '1990-11-20').length;
    const registered = pop.rows.yfdx_xx.length;
    expect(registered / men35).toBeGreaterThan(0.005);
    expect(registered / men35).toBeLessThan(0.05);
    expect(pop.rows.dqfx_ff.length).toBeLessThanOrEqual(registered);
    expect(pop.rows.dqfx_ff.length).toBeGreaterThan(registered / 2);
    expect(pop.rows.bfyz_jl.length).toBeGreaterThan(0);
  });

  test('every row names a generated person, paid no later than the reference date', () => {
    for (const r of pop.rows.yfdx_xx) expect(pop.personById.has(cell('yfdx_xx', r, 'sfzh') as string)).toBe(true);
    for (const r of pop.rows.bfyz_jl) {
      expect(pop.personById.has(cell('bfyz_jl', r, 'sfzh') as string)).toBe(true);
      expect(cell('bfyz_jl', r, 'ffrq') as string <= pop.referenceDate).toBe(true);
    }
    for (const r of pop.rows.dqfx_ff) expect(cell('dqfx_ff', r, 'qsrq') as string <= pop.referenceDate).toBe(true);
  });
});
