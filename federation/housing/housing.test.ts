import { countStatements } from '../../db/instrument';
import { housing } from './adapter';
import { gzfAllocation, gzfApplication, wfgzProject } from './tables';
import type { SourceDb } from '../contract';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { demoPopulation } from '../../test/support/demo-population';

/**
 * Two applicants asked for (one still housed, one who has left the scheme), one applicant never
 * asked for; renovation projects finished, unfinished, and someone else's.
 */
const scenario = {
  ids: {
    wang: syntheticId('1968-07-12', 15),
    sun: syntheticId('1975-02-03', 26),
    notAsked: syntheticId('1980-11-21', 37),
    refused: syntheticId('1962-04-09', 48),
    underReview: syntheticId('1958-08-30', 59),
    awaiting: syntheticId('1966-10-10', 61),
  },
  applications: [
    { appNo: 'GZF2024-0001', key: 'wang', familySize: 3, regionCode: '370811001001', applyDate: '2024-10-08', appStatus: 30 },
    { appNo: 'GZF2024-0002', key: 'sun', familySize: 2, regionCode: '370811002003', applyDate: '2024-03-01', appStatus: 40 },
    { appNo: 'GZF2025-0003', key: 'sun', familySize: 2, regionCode: '370811002003', applyDate: '2025-12-01', appStatus: 30 },
    { appNo: 'GZF2024-0009', key: 'notAsked', familySize: 4, regionCode: '370811001002', applyDate: '2024-05-05', appStatus: 30 },
    // 不予保障: refused on review after an allocation row had been entered.
    { appNo: 'GZF2025-0090', key: 'refused', familySize: 1, regionCode: '370811001003', applyDate: '2025-09-01', appStatus: 90 },
    // 受理 and 审核通过: under review, an allocation row entered ahead of the decision; 77 a code the table does not document.
    { appNo: 'GZF2026-0010', key: 'underReview', familySize: 1, regionCode: '370811001004', applyDate: '2026-01-05', appStatus: 10 },
    { appNo: 'GZF2026-0020', key: 'underReview', familySize: 1, regionCode: '370811001004', applyDate: '2026-01-06', appStatus: 20 },
    // Approved, and housed, with no allocation row yet: no aid to show (no programme, amount or period).
    { appNo: 'GZF2026-0021', key: 'awaiting', familySize: 2, regionCode: '370811001004', applyDate: '2026-01-08', appStatus: 20 },
    { appNo: 'GZF2026-0031', key: 'awaiting', familySize: 2, regionCode: '370811001004', applyDate: '2026-01-09', appStatus: 30 },
    { appNo: 'GZF2026-0077', key: 'underReview', familySize: 1, regionCode: '370811001004', applyDate: '2026-01-07', appStatus: 77 },
  ],
  allocations: [
    { allocId: 11, appNo: 'GZF2024-0001', allocType: 'SW', monthlyFen: 45000, startDate: '2025-01-01', endDate: null, unitAddress: '任城区某小区 3-2-401' },
    { allocId: 12, appNo: 'GZF2024-0001', allocType: 'BT', monthlyFen: 60000, startDate: '2023-01-01', endDate: '2024-12-31', unitAddress: null },
    // 退出 with no end date recorded: ended all the same.
    { allocId: 21, appNo: 'GZF2024-0002', allocType: 'BT', monthlyFen: 30000, startDate: '2024-06-01', endDate: null, unitAddress: null },
    // Ends today: today is still covered.
    { allocId: 22, appNo: 'GZF2025-0003', allocType: 'BT', monthlyFen: 32000, startDate: '2026-01-01', endDate: TODAY, unitAddress: null },
    { allocId: 91, appNo: 'GZF2024-0009', allocType: 'SW', monthlyFen: 50000, startDate: '2024-07-01', endDate: null, unitAddress: null },
    { allocId: 95, appNo: 'GZF2025-0090', allocType: 'SW', monthlyFen: 40000, startDate: '2025-11-01', endDate: null, unitAddress: '任城区某小区 5-1-302' },
    { allocId: 101, appNo: 'GZF2026-0010', allocType: 'BT', monthlyFen: 30000, startDate: '2026-02-01', endDate: null, unitAddress: null },
    { allocId: 102, appNo: 'GZF2026-0020', allocType: 'SW', monthlyFen: 40000, startDate: '2026-03-01', endDate: null, unitAddress: '任城区某小区 6-2-101' },
    // Under review with its end date already past: never in force, so not ENDED aid either.
    { allocId: 103, appNo: 'GZF2026-0077', allocType: 'BT', monthlyFen: 30000, startDate: '2025-01-01', endDate: '2025-12-31', unitAddress: null },
  ],
  projects: [
    { projectId: 'WF370811-0001', key: 'wang', villageCode: '370811101201', dangerGrade: 'D', grantFen: 1850000, completedDate: '2024-11-20' },
    // Not yet completed, so not yet paid.
    { projectId: 'WF370811-0002', key: 'sun', villageCode: '370811101202', dangerGrade: 'C', grantFen: 1000000, completedDate: null },
    { projectId: 'WF370811-0009', key: 'notAsked', villageCode: '370811101203', dangerGrade: 'D', grantFen: 1850000, completedDate: '2024-10-01' },
  ],
} as const;

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_housing');
  db = dbs.sources.HOUSING;
  await db.insert(gzfApplication).values(scenario.applications.map(({ key, ...a }) => ({ ...a, applicantIdCard: scenario.ids[key] })));
  await db.insert(gzfAllocation).values(scenario.allocations.map((a) => ({ ...a })));
  await db.insert(wfgzProject).values(scenario.projects.map(({ key, ...p }) => ({ ...p, ownerIdCard: scenario.ids[key] })));
});

afterAll(async () => {
  await dbs?.close();
});

test('maps allocations as monthly aid of the application and completed renovations as grants', async () => {
  const { ids } = scenario;
  const records = await housing.aidByIdNumbers(db, [ids.wang, ids.sun], TODAY);
  const recurring = { department: 'HOUSING', grantDate: null } as const;
  const oneOff = { department: 'HOUSING', sourceHouseholdRef: null, periodStart: null, periodEnd: null } as const;
  expect(bySourceRef(records)).toEqual([
    { ...recurring, programme: 'PUBLIC_RENTAL', beneficiaryIdNumber: ids.wang, sourceHouseholdRef: 'GZF2024-0001', periodStart: '2025-01-01', periodEnd: null, amountFen: 45000, status: 'ACTIVE', sourceRef: 'gzf_allocation:11' },
    { ...recurring, programme: 'RENT_SUBSIDY', beneficiaryIdNumber: ids.wang, sourceHouseholdRef: 'GZF2024-0001', periodStart: '2023-01-01', periodEnd: '2024-12-31', amountFen: 60000, status: 'ENDED', sourceRef: 'gzf_allocation:12' },
    { ...recurring, programme: 'RENT_SUBSIDY', beneficiaryIdNumber: ids.sun, sourceHouseholdRef: 'GZF2024-0002', periodStart: '2024-06-01', periodEnd: null, amountFen: 30000, status: 'ENDED', sourceRef: 'gzf_allocation:21' },
    { ...recurring, programme: 'RENT_SUBSIDY', beneficiaryIdNumber: ids.sun, sourceHouseholdRef: 'GZF2025-0003', periodStart: '2026-01-01', periodEnd: TODAY, amountFen: 32000, status: 'ACTIVE', sourceRef: 'gzf_allocation:22' },
    { ...oneOff, programme: 'RURAL_RENOVATION', beneficiaryIdNumber: ids.wang, grantDate: '2024-11-20', amountFen: 1850000, status: 'PAID', sourceRef: 'wfgz_project:WF370811-0001' },
  ]);
});

test('an allocation is ENDED the day after its end date', async () => {
  const records = await housing.aidByIdNumbers(db, [scenario.ids.sun], '2026-03-16');
  expect(records.find((r) => r.sourceRef === 'gzf_allocation:22')?.status).toBe('ENDED');
});

test('an allocation whose application was refused (90 不予保障) is CANCELLED, never aid in force', async () => {
  const records = await housing.aidByIdNumbers(db, [scenario.ids.refused], TODAY);
  expect(records.map((r) => [r.sourceRef, r.status])).toEqual([['gzf_allocation:95', 'CANCELLED']]);
});

test('an allocation type housing does not document is its catch-all programme, UNRECOGNISED, with the type (it was skipped)', async () => {
  const who = syntheticId('1975-05-05', 94);
  await db.insert(gzfApplication).values({ appNo: 'GZF-PT-94', applicantIdCard: who, familySize: 3, regionCode: '370811001', applyDate: '2024-01-05', appStatus: 30 });
  await db.insert(gzfAllocation).values([
    { allocId: 9401, appNo: 'GZF-PT-94', allocType: 'GX', monthlyFen: 30_000, startDate: '2024-03-01' },
    { allocId: 9402, appNo: 'GZF-PT-94', allocType: 'BT', monthlyFen: 30_000, startDate: '2024-03-01' },
  ]);
  expect(programmeCodes(await housing.aidByIdNumbers(db, [who], TODAY))).toEqual([
    ['gzf_allocation:9401', 'HOUSING_UNRECOGNISED', 'UNRECOGNISED', 'GX'],
    ['gzf_allocation:9402', 'RENT_SUBSIDY', 'ACTIVE', null],
  ]);
});

test('an allocation whose application is accepted or approved but not yet 已保障 (10, 20) is PENDING, and one under a code housing does not document (77) UNRECOGNISED, with the code: neither is aid in force', async () => {
  const records = await housing.aidByIdNumbers(db, [scenario.ids.underReview], TODAY);
  expect(statusCodes(records)).toEqual([
    ['gzf_allocation:101', 'PENDING', null],
    ['gzf_allocation:102', 'PENDING', null],
    ['gzf_allocation:103', 'UNRECOGNISED', '77'],
  ]);
});

test('an application with no allocation row is no aid record, whatever its status', async () => {
  expect(await housing.aidByIdNumbers(db, [scenario.ids.awaiting], TODAY)).toEqual([]);
});

test('returns nobody who was not asked for', async () => {
  const records = await housing.aidByIdNumbers(db, [scenario.ids.wang], TODAY);
  expect(new Set(records.map((r) => r.beneficiaryIdNumber))).toEqual(new Set([scenario.ids.wang]));
  expect(records).toHaveLength(3);
});

test('costs one statement (both tables\' UNION ALL) however many people are asked for', async () => {
  const { ids } = scenario;
  for (const batch of [[ids.wang], [ids.wang, ids.sun, ids.notAsked]]) {
    const { counter } = await countStatements(() => housing.aidByIdNumbers(db, batch, TODAY));
    expect(counter.bySource.get('HOUSING')).toBe(1);
  }
});

describe('住建 demo data, in the shared demo population', () => {
  const { rows, col } = demoPopulation();

  it('has public-rental applications with allocations', () => {
    const apps = new Set(col('gzf_application', 'app_no'));
    expect(apps.size).toBeGreaterThan(0);
    for (const a of rows.gzf_allocation) expect(apps.has(a[0])).toBe(true);
  });

  it('has an approved application (20 审核通过) with its allocation entered ahead, which the hub reads PENDING', () => {
    const approved = new Set(rows.gzf_application.filter((a) => a[5] === 20).map((a) => a[0]));
    expect(rows.gzf_allocation.filter((a) => approved.has(a[0])).length).toBeGreaterThan(0);
  });
});
