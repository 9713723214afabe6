import { countStatements } from '../../db/instrument';
import { certificatesByIdNumbers, disability } from './adapter';
import { clCertificate, clRehabAid, clSubsidy } from './tables';
import type { SourceDb } from '../contract';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { demoPopulation } from '../../test/support/demo-population';
import { cell } from '../../tools/generate/tables';

const ids = {
  he: syntheticId('1985-08-08', 19),
  ma: syntheticId('1990-01-31', 20),
  notAsked: syntheticId('1979-04-04', 31),
};

/** 第二代残疾人证号: ID number, category digit, level digit. */
const certNo = (id: string, category: number, level: number) => `${id}${category}${level}`;

/**
 * 何 holds a valid level-1 physical certificate with a nursing subsidy, an ended living subsidy
 * (ending in a leap February) and a running one, and a rehabilitation grant. 马's intellectual
 * certificate has been cancelled (注销) and an older one has expired.
 */
const scenario = {
  certificates: [
    { certNo: certNo(ids.he, 4, 1), idCard: ids.he, disType: 4, disLevel: 1, issueDate: '2022-03-01', validUntil: '2032-03-01', certStatus: 1 },
    { certNo: certNo(ids.ma, 5, 2), idCard: ids.ma, disType: 5, disLevel: 2, issueDate: '2021-06-01', validUntil: null, certStatus: 3 },
    { certNo: certNo(ids.ma, 5, 3), idCard: ids.ma, disType: 5, disLevel: 3, issueDate: '2012-06-01', validUntil: '2020-06-01', certStatus: 2 },
    { certNo: certNo(ids.notAsked, 1, 1), idCard: ids.notAsked, disType: 1, disLevel: 1, issueDate: '2020-01-01', validUntil: null, certStatus: 1 },
  ],
  subsidies: [
    { subId: 1, certNo: certNo(ids.he, 4, 1), subType: 'HL', startYm: '2024-01', endYm: null, monthlyFen: 9000 },
    { subId: 2, certNo: certNo(ids.he, 4, 1), subType: 'SH', startYm: '2023-03', endYm: '2024-02', monthlyFen: 8000 },
    { subId: 3, certNo: certNo(ids.he, 4, 1), subType: 'SH', startYm: '2025-01', endYm: '2026-03', monthlyFen: 8500 },
    { subId: 4, certNo: certNo(ids.ma, 5, 2), subType: 'HL', startYm: '2025-01', endYm: null, monthlyFen: 9000 },
    { subId: 9, certNo: certNo(ids.notAsked, 1, 1), subType: 'HL', startYm: '2024-01', endYm: null, monthlyFen: 9000 },
  ],
  rehab: [
    { id: 1, certNo: certNo(ids.he, 4, 1), serviceName: '假肢适配', grantDate: '2025-05-20', amountFen: 1200000 },
    { id: 9, certNo: certNo(ids.notAsked, 1, 1), serviceName: '助视器', grantDate: '2025-05-20', amountFen: 30000 },
  ],
} as const;

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_disability');
  db = dbs.sources.DISABILITY;
  await db.insert(clCertificate).values(scenario.certificates.map((c) => ({ ...c })));
  await db.insert(clSubsidy).values(scenario.subsidies.map((s) => ({ ...s })));
  await db.insert(clRehabAid).values(scenario.rehab.map((r) => ({ ...r })));
});

afterAll(async () => {
  await dbs?.close();
});

test('maps the two subsidies over whole months and rehabilitation aid as a grant', async () => {
  const records = await disability.aidByIdNumbers(db, [ids.he, ids.ma], TODAY);
  const recurring = { department: 'DISABILITY', sourceHouseholdRef: null, grantDate: null } as const;
  expect(bySourceRef(records)).toEqual([
    { department: 'DISABILITY', programme: 'REHAB_AID', beneficiaryIdNumber: ids.he, sourceHouseholdRef: null, periodStart: null, periodEnd: null, grantDate: '2025-05-20', amountFen: 1200000, status: 'PAID', sourceRef: 'cl_rehab_aid:1' },
    { ...recurring, programme: 'DISABILITY_NURSING', beneficiaryIdNumber: ids.he, periodStart: '2024-01-01', periodEnd: null, amountFen: 9000, status: 'ACTIVE', sourceRef: 'cl_subsidy:1' },
    { ...recurring, programme: 'DISABILITY_LIVING', beneficiaryIdNumber: ids.he, periodStart: '2023-03-01', periodEnd: '2024-02-29', amountFen: 8000, status: 'ENDED', sourceRef: 'cl_subsidy:2' },
    { ...recurring, programme: 'DISABILITY_LIVING', beneficiaryIdNumber: ids.he, periodStart: '2025-01-01', periodEnd: '2026-03-31', amountFen: 8500, status: 'ACTIVE', sourceRef: 'cl_subsidy:3' },
    // The certificate was cancelled: the subsidy has ended though its row has no end month.
    { ...recurring, programme: 'DISABILITY_NURSING', beneficiaryIdNumber: ids.ma, periodStart: '2025-01-01', periodEnd: null, amountFen: 9000, status: 'ENDED', sourceRef: 'cl_subsidy:4' },
  ]);
});

test('a subsidy ending this month is ENDED once the month is over', async () => {
  const records = await disability.aidByIdNumbers(db, [ids.he], '2026-04-01');
  expect(records.find((r) => r.sourceRef === 'cl_subsidy:3')?.status).toBe('ENDED');
});

test('returns nobody who was not asked for', async () => {
  const records = await disability.aidByIdNumbers(db, [ids.ma], TODAY);
  expect(records.map((r) => r.sourceRef)).toEqual(['cl_subsidy:4']);
  expect(await certificatesByIdNumbers(db, [ids.he])).toHaveLength(1);
});

test('certificates are mapped with category, level and status', async () => {
  const certificates = await certificatesByIdNumbers(db, [ids.he, ids.ma]);
  expect([...certificates].sort((a, b) => (a.certificateNumber < b.certificateNumber ? -1 : 1))).toEqual(
    [
      { certificateNumber: certNo(ids.he, 4, 1), idNumber: ids.he, category: 4, level: 1, issuedOn: '2022-03-01', validUntil: '2032-03-01', status: 'VALID' },
      { certificateNumber: certNo(ids.ma, 5, 2), idNumber: ids.ma, category: 5, level: 2, issuedOn: '2021-06-01', validUntil: null, status: 'REVOKED' },
      { certificateNumber: certNo(ids.ma, 5, 3), idNumber: ids.ma, category: 5, level: 3, issuedOn: '2012-06-01', validUntil: '2020-06-01', status: 'EXPIRED' },
    ].sort((a, b) => (a.certificateNumber < b.certificateNumber ? -1 : 1)),
  );
});

test('statement counts do not grow with the batch', async () => {
  for (const batch of [[ids.he], Object.values(ids)]) {
    const aid = await countStatements(() => disability.aidByIdNumbers(db, batch, TODAY));
    // One statement: the subsidy and rehabilitation tables' UNION ALL.
    expect(aid.counter.bySource.get('DISABILITY')).toBe(1);
    const certificates = await countStatements(() => certificatesByIdNumbers(db, batch));
    expect(certificates.counter.bySource.get('DISABILITY')).toBe(1);
  }
});

test('aidAndFacts asked for certificates answers what aidByIdNumbers and certificatesByIdNumbers answer, in one statement where they send two', async () => {
  const aidAndFacts = disability.aidAndFacts!.bind(disability);
  const people = [ids.he, ids.ma];
  for (const programmes of [undefined, new Set(['DISABILITY_NURSING'] as const), new Set(['REHAB_AID'] as const), new Set(['TEKUN'] as const)]) {
    const apart = await countStatements(async () => ({ aid: await disability.aidByIdNumbers(db, people, TODAY, programmes), tied: [], certificates: await certificatesByIdNumbers(db, people), stays: [], students: [] }));
    const together = await countStatements(() => aidAndFacts(db, { idNumbers: people, today: TODAY, programmes, certificates: true }));
    expect(together.result).toEqual(apart.result);
    expect(together.result.certificates).toHaveLength(3);
    expect(together.counter.bySource.get('DISABILITY')).toBe(1);
    expect(apart.counter.bySource.get('DISABILITY')).toBe(programmes?.has('TEKUN' as never) ? 1 : 2);
  }
  expect(await aidAndFacts(db, { idNumbers: [], today: TODAY, certificates: true })).toEqual({ aid: [], tied: [], certificates: [], stays: [], students: [] });
});

test('a subsidy type the disability federation does not document is its catch-all programme, UNRECOGNISED, with the type (it was skipped)', async () => {
  const who = syntheticId('1971-08-08', 94);
  const certNo = `${who}41`;
  await db.insert(clCertificate).values({ certNo, idCard: who, disType: 1, disLevel: 1, issueDate: '2019-01-01' });
  await db.insert(clSubsidy).values([
    { subId: 9041, certNo, subType: 'JT', startYm: '2024-01', monthlyFen: 10_000, subStatus: 1 },
    { subId: 9042, certNo, subType: 'HL', startYm: '2024-01', monthlyFen: 10_000, subStatus: 1 },
  ]);
  expect(programmeCodes(await disability.aidByIdNumbers(db, [who], TODAY))).toEqual([
    ['cl_subsidy:9041', 'DISABILITY_UNRECOGNISED', 'UNRECOGNISED', 'JT'],
    ['cl_subsidy:9042', 'DISABILITY_NURSING', 'ACTIVE', null],
  ]);
});

test('a sub_status or aid_status the disability federation does not document is UNRECOGNISED with its code (it read as ACTIVE or PAID)', async () => {
  const who = syntheticId('1970-07-07', 93);
  const certNo = `${who}42`;
  await db.insert(clCertificate).values({ certNo, idCard: who, disType: 4, disLevel: 1, issueDate: '2019-01-01' });
  await db.insert(clSubsidy).values({ subId: 9031, certNo, subType: 'HL', startYm: '2020-01', monthlyFen: 10_000, subStatus: 6 });
  await db.insert(clRehabAid).values({ id: 9131, certNo, serviceName: '肢体康复训练', grantDate: '2025-04-12', amountFen: 150_000, aidStatus: 3 });
  expect(statusCodes(await disability.aidByIdNumbers(db, [who], TODAY))).toEqual([
    ['cl_rehab_aid:9131', 'UNRECOGNISED', '3'],
    ['cl_subsidy:9031', 'UNRECOGNISED', '6'],
  ]);
});

test('a cert_status the disability federation does not document is UNRECOGNISED with its code (it read as EXPIRED)', async () => {
  const who = syntheticId('1970-07-07', 94);
  await db.insert(clCertificate).values({ certNo: `${who}42`, idCard: who, disType: 4, disLevel: 2, issueDate: '2019-01-01', certStatus: 4 });
  expect((await certificatesByIdNumbers(db, [who])).map((c) => [c.certificateNumber, c.status, c.sourceStatusCode ?? null])).toEqual([[`${who}42`, 'UNRECOGNISED', '4']]);
});

test('a subsidy suspended, stopped or revoked (sub_status) and rehabilitation aid recovered (aid_status) are mapped as such', async () => {
  const who = syntheticId('1970-07-07', 77);
  const certNo = `${who}42`;
  await db.insert(clCertificate).values({ certNo, idCard: who, disType: 4, disLevel: 2, issueDate: '2019-01-01' });
  await db.insert(clSubsidy).values([
    { subId: 9001, certNo, subType: 'HL', startYm: '2020-01', monthlyFen: 10_000, subStatus: 2 },
    { subId: 9002, certNo, subType: 'SH', startYm: '2020-01', monthlyFen: 10_000, subStatus: 4 },
    { subId: 9003, certNo, subType: 'SH', startYm: '2019-01', endYm: null, monthlyFen: 10_000, subStatus: 3 },
  ]);
  await db.insert(clRehabAid).values([
    { id: 9101, certNo, serviceName: '肢体康复训练', grantDate: '2025-04-12', amountFen: 150_000, aidStatus: 2 },
    { id: 9102, certNo, serviceName: '辅助器具适配', grantDate: '2025-05-12', amountFen: 50_000, aidStatus: 1 },
  ]);
  const status = Object.fromEntries((await disability.aidByIdNumbers(db, [who], TODAY)).map((r) => [r.sourceRef, r.status]));
  expect(status).toEqual({ 'cl_subsidy:9001': 'SUSPENDED', 'cl_subsidy:9002': 'CANCELLED', 'cl_subsidy:9003': 'ENDED', 'cl_rehab_aid:9101': 'CANCELLED', 'cl_rehab_aid:9102': 'PAID' });
});

describe('残联 demo data, in the shared demo population', () => {
  const { rows, col, referenceDate } = demoPopulation();

  it('certifies about 6% of people as disabled, with nursing subsidies only for levels 1 and 2', () => {
    const share = rows.cl_certificate.length / rows.person.length;
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.08);
    const level = new Map<string, number>();
    for (const c of rows.cl_certificate) {
      const [certNo, id, type, lvl] = c as [string, string, number, number];
      expect(certNo).toBe(`${id}${type}${lvl}`);
      expect(type).toBeGreaterThanOrEqual(1);
      expect(type).toBeLessThanOrEqual(7);
      level.set(certNo, lvl);
    }
    const nursing = rows.cl_subsidy.filter((s) => s[1] === 'HL');
    expect(nursing.length).toBeGreaterThan(0);
    for (const s of nursing) expect(level.get(s[0] as string)).toBeLessThanOrEqual(2);
    for (const s of rows.cl_subsidy) expect(level.has(s[0] as string)).toBe(true);
  });

  it('recovers a few rehabilitation grants', () => {
    const recovered = col('cl_rehab_aid', 'aid_status').filter((v) => v === 2).length;
    expect(recovered / rows.cl_rehab_aid.length).toBeLessThan(0.03);
  });

  it('suspends about 2% of running subsidies and revokes a few, and marks stopped the ones whose end month has passed', () => {
    const statuses = col('cl_subsidy', 'sub_status') as number[];
    expect(new Set(statuses)).toEqual(new Set([1, 2, 3, 4]));
    const running = rows.cl_subsidy.filter((r) => cell('cl_subsidy', r, 'end_ym') === null);
    const suspended = running.filter((r) => cell('cl_subsidy', r, 'sub_status') === 2).length / running.length;
    expect(suspended).toBeGreaterThan(0.005);
    expect(suspended).toBeLessThan(0.06);
    const revoked = statuses.filter((v) => v === 4).length / statuses.length;
    expect(revoked).toBeGreaterThan(0);
    expect(revoked).toBeLessThan(0.02);
    for (const r of rows.cl_subsidy) {
      const end = cell('cl_subsidy', r, 'end_ym') as string | null;
      const status = cell('cl_subsidy', r, 'sub_status');
      if (status !== 4) expect({ end, stopped: status === 3 }).toEqual({ end, stopped: end !== null && end < referenceDate.slice(0, 7) });
    }
  });
});
