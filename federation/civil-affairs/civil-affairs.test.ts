import { countStatements } from '../../db/instrument';
import { civilAffairs } from './adapter';
import { childAllowance, tekunPerson } from './tables';
import { civilAffairsScenario } from './scenario';
import type { SourceDb } from '../contract';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { generateAll } from '../../tools/generate/population';
import { ageOn } from '../../domain/dates';
import { cell } from '../../tools/generate/tables';
import { demoPopulation } from '../../test/support/demo-population';
import { programmeColumn, programmeOf } from '../status-codes';
import { CIVIL_AFFAIRS_IMPORT } from './import-spec';

/**
 * A 低保 family of two (the wife joined later and left; the family was suspended), an old man on
 * 特困 support whose spell ended, an urgent and a revoked temporary aid, a child on the orphan
 * allowance, and a neighbour on 低保 who is never asked about.
 */
const ids = {
  husband: syntheticId('1970-03-01', 11),
  wife: syntheticId('1972-07-09', 22),
  old: syntheticId('1940-12-24', 33),
  child: syntheticId('2014-05-05', 44),
  neighbour: syntheticId('1965-01-15', 55),
};

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_civil_affairs');
  db = dbs.sources.CIVIL_AFFAIRS;
  await civilAffairsScenario.insert(db, 'dibaoFamilies', [
    { familyNo: 'DB370811-0001', countyCode: '370811', headIdNo: ids.husband, areaType: 1, approvedOn: '2024-03-01', stateFlag: 2 },
    { familyNo: 'DB370811-0002', countyCode: '370811', headIdNo: ids.neighbour, areaType: 2, approvedOn: '2023-01-01' },
  ]);
  await civilAffairsScenario.insert(db, 'dibaoMembers', [
    { familyNo: 'DB370811-0001', idNo: ids.husband, relationToHead: '本人', joinedOn: '2024-01-01', monthlyShareFen: 72_000 },
    { familyNo: 'DB370811-0001', idNo: ids.wife, relationToHead: '配偶', joinedOn: '2024-06-01', leftOn: '2025-05-31', monthlyShareFen: 70_000 },
    { familyNo: 'DB370811-0002', idNo: ids.neighbour, relationToHead: '本人', joinedOn: '2023-01-01', monthlyShareFen: 65_000 },
  ]);
  await db.insert(tekunPerson).values({ tkId: 7, idNo: ids.old, countyCode: '370811', careMode: 1, startOn: '2020-01-01', endOn: '2025-12-31', monthlyFen: 110_000, stateFlag: 0 });
  await civilAffairsScenario.insert(db, 'temporaryAid', [
    { grantId: 41, idNo: ids.husband, familyNo: 'DB370811-0001', causeCode: '02', isUrgent: true, grantDate: '2025-11-02', amountFen: 500_000, approvalLevel: 2 },
    { grantId: 42, idNo: ids.wife, familyNo: null, causeCode: '77', grantDate: '2025-02-10', amountFen: 100_000, approvalLevel: 1, revoked: 1 },
    // '77' is no cause civil affairs documents: UNRECOGNISED with the code (it read as OTHER).
  ]);
  await db.insert(childAllowance).values({ id: 9, childIdNo: ids.child, category: 'GE', startOn: '2022-09-01', endOn: null, monthlyFen: 150_000 });
});

afterAll(async () => {
  await dbs?.close();
});

const recurring = { department: 'CIVIL_AFFAIRS', grantDate: null } as const;
const oneOff = { department: 'CIVIL_AFFAIRS', periodStart: null, periodEnd: null } as const;

test('maps spells from the later of joining and approval, ended by leaving, the family’s state or the end date', async () => {
  const records = await civilAffairs.aidByIdNumbers(db, [ids.husband, ids.wife, ids.old, ids.child], TODAY);
  expect(bySourceRef(records)).toEqual([
    { ...recurring, programme: 'ORPHAN', beneficiaryIdNumber: ids.child, sourceHouseholdRef: null, periodStart: '2022-09-01', periodEnd: null, amountFen: 150_000, status: 'ACTIVE', sourceRef: 'child_allowance:9' },
    { ...recurring, programme: 'DIBAO', beneficiaryIdNumber: ids.husband, sourceHouseholdRef: 'DB370811-0001', periodStart: '2024-03-01', periodEnd: null, amountFen: 72_000, status: 'SUSPENDED', sourceRef: `dibao_member:DB370811-0001/${ids.husband}/2024-01-01` },
    { ...recurring, programme: 'DIBAO', beneficiaryIdNumber: ids.wife, sourceHouseholdRef: 'DB370811-0001', periodStart: '2024-06-01', periodEnd: '2025-05-31', amountFen: 70_000, status: 'SUSPENDED', sourceRef: `dibao_member:DB370811-0001/${ids.wife}/2024-06-01` },
    { ...recurring, programme: 'TEKUN', beneficiaryIdNumber: ids.old, sourceHouseholdRef: null, periodStart: '2020-01-01', periodEnd: '2025-12-31', amountFen: 110_000, status: 'ENDED', sourceRef: 'tekun_person:7' },
    { ...oneOff, programme: 'TEMP_AID', beneficiaryIdNumber: ids.husband, sourceHouseholdRef: 'DB370811-0001', grantDate: '2025-11-02', amountFen: 500_000, status: 'PAID', sourceRef: 'temp_aid_grant:41', cause: 'ACCIDENT', urgent: true, secondAid: false, approvalLevel: 'COUNTY' },
    // An unknown cause code is kept as OTHER, not dropped.
    { ...oneOff, programme: 'TEMP_AID', beneficiaryIdNumber: ids.wife, sourceHouseholdRef: null, grantDate: '2025-02-10', amountFen: 100_000, status: 'CANCELLED', sourceRef: 'temp_aid_grant:42', cause: 'UNRECOGNISED', sourceCauseCode: '77', urgent: false, secondAid: false, approvalLevel: 'TOWNSHIP' },
  ]);
});

test('returns nobody who was not asked for', async () => {
  const records = await civilAffairs.aidByIdNumbers(db, [ids.husband, ids.wife, ids.old, ids.child], TODAY);
  expect(records.some((r) => r.beneficiaryIdNumber === ids.neighbour)).toBe(false);
});

test('costs one statement (its four tables\' UNION ALL) however many people are asked for, and reads only the tables a programme needs', async () => {
  for (const batch of [[ids.husband], [ids.husband, ids.wife, ids.old, ids.child, ids.neighbour]]) {
    const { counter } = await countStatements(() => civilAffairs.aidByIdNumbers(db, batch, TODAY));
    expect(counter.bySource.get('CIVIL_AFFAIRS')).toBe(1);
  }
  const { result, counter } = await countStatements(() => civilAffairs.aidByIdNumbers(db, [ids.husband, ids.old], TODAY, new Set(['TEKUN'])));
  expect(counter.bySource.get('CIVIL_AFFAIRS')).toBe(1);
  expect(result.map((r) => r.programme)).toEqual(['TEKUN']);
  // None of its programmes asked for: not asked at all.
  const none = await countStatements(() => civilAffairs.aidByIdNumbers(db, [ids.husband], TODAY, new Set(['RENT_SUBSIDY'])));
  expect(none.result).toEqual([]);
  expect(none.counter.bySource.get('CIVIL_AFFAIRS')).toBeUndefined();
});

test('an empty batch finds nothing', async () => {
  expect(await civilAffairs.aidByIdNumbers(db, [], TODAY)).toEqual([]);
});

test('writes its part of the demo population: 低保 families with their members, 特困 support, temporary aid', () => {
  const rows = generateAll({ seed: 3, referenceDate: TODAY }, 1500);
  const tables = Object.keys(civilAffairs.demo!.tables);
  const [families, members, tekun, temp] = ['dibao_family', 'dibao_member', 'tekun_person', 'temp_aid_grant'].map((t) => rows[t].length);
  expect(families).toBeGreaterThan(0);
  expect(members).toBeGreaterThanOrEqual(families);
  expect(tekun).toBeGreaterThan(0);
  expect(temp).toBeGreaterThan(0);
  // Every row fits its declared columns.
  for (const t of tables) for (const row of rows[t]) expect(row.length).toBe(civilAffairs.demo!.tables[t].length);
});

test('a state_flag civil affairs does not document is UNRECOGNISED with its flag (it read as ACTIVE); revoked still says CANCELLED', async () => {
  const who = syntheticId('2016-06-06', 93);
  await db.insert(childAllowance).values([
    { id: 9931, childIdNo: who, category: 'GE', startOn: '2023-01-01', monthlyFen: 150_000, stateFlag: 5 },
    { id: 9932, childIdNo: who, category: 'SW', startOn: '2022-01-01', monthlyFen: 120_000, stateFlag: 5, revoked: 1 },
  ]);
  await db.insert(tekunPerson).values({ tkId: 9933, idNo: who, countyCode: '370811', careMode: 1, startOn: '2024-01-01', endOn: '2024-12-31', monthlyFen: 90_000, stateFlag: 9 });
  expect(statusCodes(await civilAffairs.aidByIdNumbers(db, [who], TODAY))).toEqual([
    ['child_allowance:9931', 'UNRECOGNISED', '5'],
    ['child_allowance:9932', 'CANCELLED', null],
    // Its end date has passed, yet ENDED would count its months in a window's total.
    ['tekun_person:9933', 'UNRECOGNISED', '9'],
  ]);
});

test('a child allowance suspended (state_flag 2) or revoked and recovered (revoked) is mapped as such', async () => {
  const child = syntheticId('2016-06-06', 77);
  await db.insert(childAllowance).values([
    { id: 9901, childIdNo: child, category: 'GE', startOn: '2023-01-01', monthlyFen: 150_000, stateFlag: 2 },
    { id: 9902, childIdNo: child, category: 'SW', startOn: '2022-01-01', endOn: '2022-12-31', monthlyFen: 120_000, revoked: 1 },
    { id: 9903, childIdNo: child, category: 'SW', startOn: '2021-01-01', monthlyFen: 120_000, stateFlag: 1 },
  ]);
  const status = Object.fromEntries((await civilAffairs.aidByIdNumbers(db, [child], TODAY)).map((r) => [r.sourceRef, r.status]));
  expect(status).toEqual({ 'child_allowance:9901': 'SUSPENDED', 'child_allowance:9902': 'CANCELLED', 'child_allowance:9903': 'ENDED' });
});

test('a child allowance category civil affairs does not document is its catch-all programme, UNRECOGNISED, with the category (it read as 事实无人抚养 in force)', async () => {
  const who = syntheticId('2017-07-07', 94);
  await db.insert(childAllowance).values([
    { id: 9941, childIdNo: who, category: 'KN', startOn: '2024-01-01', monthlyFen: 120_000 },
    { id: 9942, childIdNo: who, category: 'SW', startOn: '2023-01-01', monthlyFen: 120_000, stateFlag: 2 },
    { id: 9943, childIdNo: who, category: 'XX', startOn: '2023-01-01', monthlyFen: 120_000, stateFlag: 6 },
  ]);
  const records = await civilAffairs.aidByIdNumbers(db, [who], TODAY);
  expect(programmeCodes(records)).toEqual([
    ['child_allowance:9941', 'CIVIL_AFFAIRS_UNRECOGNISED', 'UNRECOGNISED', 'KN'],
    ['child_allowance:9942', 'UNSUPPORTED_CHILD', 'SUSPENDED', null],
    ['child_allowance:9943', 'CIVIL_AFFAIRS_UNRECOGNISED', 'UNRECOGNISED', 'XX'],
  ]);
  // Both codes undocumented: both kept.
  expect(statusCodes(records)[2]).toEqual(['child_allowance:9943', 'UNRECOGNISED', '6']);
  expect(statusCodes(records)[0]).toEqual(['child_allowance:9941', 'UNRECOGNISED', null]);
});

test('a revoked value civil affairs does not document (2) is UNRECOGNISED with it, on a temporary aid and a child allowance (as a boolean it read as not revoked: aid paid)', async () => {
  const who = syntheticId('2015-05-15', 95);
  await civilAffairsScenario.insert(db, 'temporaryAid', [
    { grantId: 951, idNo: who, familyNo: null, causeCode: '01', grantDate: '2025-08-10', amountFen: 200_000, approvalLevel: 1, revoked: 2 },
    { grantId: 952, idNo: who, familyNo: null, causeCode: '01', grantDate: '2025-09-10', amountFen: 200_000, approvalLevel: 1, revoked: 0 },
  ]);
  await db.insert(childAllowance).values([
    { id: 9951, childIdNo: who, category: 'GE', startOn: '2024-01-01', monthlyFen: 150_000, revoked: 2 },
    { id: 9952, childIdNo: who, category: 'GE', startOn: '2023-01-01', endOn: '2023-12-31', monthlyFen: 150_000, revoked: 1 },
  ]);
  expect(statusCodes(await civilAffairs.aidByIdNumbers(db, [who], TODAY))).toEqual([
    ['child_allowance:9951', 'UNRECOGNISED', '2'],
    ['child_allowance:9952', 'CANCELLED', null],
    ['temp_aid_grant:951', 'UNRECOGNISED', '2'],
    ['temp_aid_grant:952', 'PAID', null],
  ]);
});

test('a temporary aid cause_code civil affairs does not document is cause UNRECOGNISED with its code (it read as OTHER); the grant itself is as its revoked value says', async () => {
  const who = syntheticId('2015-05-15', 96);
  await civilAffairsScenario.insert(db, 'temporaryAid', [
    { grantId: 961, idNo: who, familyNo: null, causeCode: '07', grantDate: '2025-08-10', amountFen: 200_000, approvalLevel: 1, revoked: 0 },
    { grantId: 962, idNo: who, familyNo: null, causeCode: '99', grantDate: '2025-09-10', amountFen: 200_000, approvalLevel: 1, revoked: 0 },
  ]);
  const records = await civilAffairs.aidByIdNumbers(db, [who], TODAY);
  expect(records.map((r) => [r.sourceRef, r.status, r.cause, r.sourceCauseCode ?? null])).toEqual([
    ['temp_aid_grant:961', 'PAID', 'UNRECOGNISED', '07'],
    ['temp_aid_grant:962', 'PAID', 'OTHER', null],
  ]);
});

describe('民政 demo data, in the shared demo population', () => {
  const { households: N, referenceDate: REF, rows, col, birthOf, deathOf } = demoPopulation();

  it('enrols a few per cent of households in 低保, with shares of 300 to 900 yuan a month', () => {
    const families = new Set(col('dibao_family', 'head_id_no')).size;
    expect(families / N).toBeGreaterThan(0.01);
    expect(families / N).toBeLessThan(0.08);
    for (const share of col('dibao_member', 'monthly_share_fen') as number[]) {
      expect(Number.isInteger(share)).toBe(true);
      expect(share).toBeGreaterThanOrEqual(30000);
      expect(share).toBeLessThanOrEqual(90000);
    }
    for (const area of col('dibao_family', 'area_type')) expect([1, 2]).toContain(area);
  });

  it('gives 特困 support mostly to elderly people living alone', () => {
    const tekun = col('tekun_person', 'id_no') as string[];
    expect(tekun.length).toBeGreaterThan(0);
    expect(tekun.length).toBeLessThan(rows.dibao_member.length);
    const householdOf = new Map(rows.household_member.map((m) => [m[1], m[0]]));
    const size = new Map<unknown, number>();
    for (const m of rows.household_member) size.set(m[0], (size.get(m[0]) ?? 0) + 1);
    const elderlyAlone = tekun.filter((id) => ageOn(birthOf(id), REF) >= 60 && size.get(householdOf.get(id)) === 1).length;
    expect(elderlyAlone / tekun.length).toBeGreaterThan(0.5);
  });

  it('grants temporary aid with causes, some of it urgent, never after death', () => {
    const causes = new Set(col('temp_aid_grant', 'cause_code'));
    for (const c of causes) expect(['01', '02', '03', '04', '05', '99']).toContain(c);
    expect(causes.size).toBeGreaterThan(3);
    const urgent = rows.temp_aid_grant.filter((r) => cell('temp_aid_grant', r, 'is_urgent') === 1).length;
    expect(urgent).toBeGreaterThan(0);
    expect(urgent).toBeLessThan(rows.temp_aid_grant.length);
    for (const r of rows.temp_aid_grant) {
      const date = cell('temp_aid_grant', r, 'grant_date') as string;
      const death = deathOf(cell('temp_aid_grant', r, 'id_no') as string);
      expect(date <= REF).toBe(true);
      if (death) expect(date <= death).toBe(true);
      const amount = cell('temp_aid_grant', r, 'amount_fen') as number;
      expect(amount).toBeGreaterThanOrEqual(50000);
      expect(amount).toBeLessThanOrEqual(2000000);
    }
  });

  it('suspends or revokes a few child allowances; a revoked one is also stopped', () => {
    const flags = rows.child_allowance.map((r) => ({ state: cell('child_allowance', r, 'state_flag') as number, revoked: cell('child_allowance', r, 'revoked') as number }));
    expect(flags.length).toBeGreaterThan(20);
    const unusual = flags.filter((f) => f.state !== 0 || f.revoked !== 0).length / flags.length;
    expect(unusual).toBeGreaterThan(0);
    expect(unusual).toBeLessThan(0.08);
    for (const f of flags) {
      expect([0, 1, 2]).toContain(f.state);
      if (f.revoked === 1) expect(f.state).toBe(1);
    }
  });
});

test('a programme column of numeric codes finds the programme of a documented code (its mapping is keyed as the codes are)', () => {
  // No department's programme column is numeric today; 特困's state_flag (0 1 2) stands in for one.
  const column = programmeColumn(CIVIL_AFFAIRS_IMPORT.tekun_person, 'state_flag', 'CIVIL_AFFAIRS', { 0: 'TEKUN', 1: 'TEKUN', 2: 'TEKUN' });
  expect(programmeOf(column, 1, { status: 'ACTIVE' })).toEqual({ programme: 'TEKUN', status: 'ACTIVE' });
  expect(programmeOf(column, 7, { status: 'ACTIVE' })).toEqual({ programme: 'CIVIL_AFFAIRS_UNRECOGNISED', status: 'UNRECOGNISED', sourceProgrammeCode: '7' });
});
