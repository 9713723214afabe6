/**
 * 退役军人事务 (veterans affairs) as a federated department: its tables mapped to the common aid
 * record, a household with its records answered end to end through the hub at one statement for
 * the department, and its part of the demo population at believable rates.
 */
import { countStatements } from '../../db/instrument';
import { household, householdMember, person } from '../../db/household/schema';
import { generateAll } from '../../tools/generate/population';
import { cell } from '../../tools/generate/tables';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { startTestHub, type TestHub } from '../../test/support/hub';
import { insertRegions } from '../../test/support/scenarios';
import type { SourceDb } from '../contract';
import { veteransAffairs } from './adapter';
import { knjrBf, yfFxbz } from './tables';

const ids = {
  veteran: syntheticId('1952-08-01', 11),
  widow: syntheticId('1958-02-14', 22),
  nobody: syntheticId('1990-01-01', 44),
};

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_va');
  db = dbs.sources.VETERANS_AFFAIRS;
  await db.insert(yfFxbz).values([
    { fxId: 1, gmsfhm: ids.veteran, yfdxlb: '05', ksrq: '2019-01-01', zzrq: null, ybz: '1450.00', ffzt: 1 },
    { fxId: 2, gmsfhm: ids.widow, yfdxlb: '02', ksrq: '2020-03-01', zzrq: '2024-02-29', ybz: '1800.50', ffzt: 3 },
  ]);
  await db.insert(knjrBf).values({ bfId: 1, gmsfhm: ids.veteran, bfrq: '2025-12-20', bfje: '2000.00', bfsy: '因病致困' });
});

afterAll(async () => {
  await dbs?.close();
});

const hardship = { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_HARDSHIP_AID', beneficiaryIdNumber: ids.veteran, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-12-20', amountFen: 200_000, status: 'PAID', sourceRef: 'knjr_bf:1' };

describe('退役军人事务 adapter', () => {
  test('maps pension spells and hardship aid to the common record, in fen', async () => {
    expect(bySourceRef(await veteransAffairs.aidByIdNumbers(db, [ids.veteran, ids.widow, ids.nobody], TODAY))).toEqual([
      hardship,
      { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_PENSION', beneficiaryIdNumber: ids.veteran, sourceHouseholdRef: null, periodStart: '2019-01-01', periodEnd: null, grantDate: null, amountFen: 145_000, status: 'ACTIVE', sourceRef: 'yf_fxbz:1' },
      { department: 'VETERANS_AFFAIRS', programme: 'VETERAN_PENSION', beneficiaryIdNumber: ids.widow, sourceHouseholdRef: null, periodStart: '2020-03-01', periodEnd: '2024-02-29', grantDate: null, amountFen: 180_050, status: 'ENDED', sourceRef: 'yf_fxbz:2' },
    ]);
  });

  test('reads its aid tables in one statement per batch, switching off the one holding none of the programmes asked for', async () => {
    expect((await countStatements(() => veteransAffairs.aidByIdNumbers(db, [ids.veteran, ids.widow], TODAY))).counter.total).toBe(1);
    const one = await countStatements(() => veteransAffairs.aidByIdNumbers(db, [ids.veteran], TODAY, new Set(['VETERAN_HARDSHIP_AID'] as const)));
    expect(one.counter.total).toBe(1);
    expect(one.result).toEqual([hardship]);
    expect(await veteransAffairs.aidByIdNumbers(db, [], TODAY)).toEqual([]);
  });

  test('an ffzt the department does not document is UNRECOGNISED with its code', async () => {
    const who = syntheticId('1960-06-06', 93);
    await db.insert(yfFxbz).values({ fxId: 931, gmsfhm: who, yfdxlb: '01', ksrq: '2025-07-01', zzrq: null, ybz: '900.00', ffzt: 7 });
    expect(statusCodes(await veteransAffairs.aidByIdNumbers(db, [who], TODAY))).toEqual([['yf_fxbz:931', 'UNRECOGNISED', '7']]);
  });
});

describe('退役军人事务 through the hub', () => {
  let hub: TestHub;
  let householdId: number;

  beforeAll(async () => {
    await insertRegions(dbs);
    const [res] = await dbs.hub.insert(household).values({ registrationNo: 'VA-0001', regionCode: '370811001', address: '任城区 2 号' });
    householdId = res.insertId;
    await dbs.hub.insert(person).values({ idNumber: ids.veteran, name: '周卫国', gender: 'M', birthDate: '1952-08-01' });
    await dbs.hub.insert(householdMember).values({ householdId, idNumber: ids.veteran, relation: 'HEAD', joinedOn: '1980-01-01' });
    hub = await startTestHub(dbs, { today: TODAY });
  });

  afterAll(async () => {
    await hub?.close();
  });

  test("a household's 退役军人事务 aid comes back with the others, at one statement for the department", async () => {
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { aid(departments: [VETERANS_AFFAIRS]) { department { code name } programme { code } amountFen } sources { department { code } available } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    expect(res.data.household.aid.map((r: any) => r.programme.code).sort()).toEqual(['VETERAN_HARDSHIP_AID', 'VETERAN_PENSION']);
    expect(res.data.household.aid[0].department).toEqual({ code: 'VETERANS_AFFAIRS', name: '退役军人事务局' });
    expect(res.extensions?.sqlStatements?.bySource.VETERANS_AFFAIRS).toBe(1);
    expect(res.data.household.sources.find((s: any) => s.department.code === 'VETERANS_AFFAIRS')).toEqual({ department: { code: 'VETERANS_AFFAIRS' }, available: true });
  });
});

describe('退役军人事务 demo data', () => {
  const REF = '2025-11-20';
  const rows = generateAll({ seed: 7, referenceDate: REF }, 3000);
  const people = new Set(rows.person.map((p) => p[0] as string));
  const over35 = rows.person.filter((p) => (p[3] as string) <= '1990-11-20').length;

  test('writes both tables at believable rates', () => {
    expect(rows.yf_fxbz.length / over35).toBeGreaterThan(0.005);
    expect(rows.yf_fxbz.length / over35).toBeLessThan(0.05);
    expect(rows.knjr_bf.length).toBeGreaterThan(0);
    expect(rows.knjr_bf.length).toBeLessThan(rows.yf_fxbz.length);
  });

  test('every row names a generated person, with dates in order and not after the reference date', () => {
    for (const r of rows.yf_fxbz) {
      expect(people.has(cell('yf_fxbz', r, 'gmsfhm') as string)).toBe(true);
      const end = cell('yf_fxbz', r, 'zzrq') as string | null;
      if (end !== null) expect(cell('yf_fxbz', r, 'ksrq') as string <= end && end <= REF).toBe(true);
    }
    for (const r of rows.knjr_bf) expect(cell('knjr_bf', r, 'bfrq') as string <= REF).toBe(true);
  });
});
