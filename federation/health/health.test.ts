import { getTableConfig } from 'drizzle-orm/mysql-core';
import { SETTLEMENT_REFERENCE_MAX_LENGTH } from '../../domain/aid';
import { countStatements } from '../../db/instrument';
import { health, settlementsByIdNumbers, settlementsByRefs } from './adapter';
import { miAidPayment, miSettlement } from './tables';
import type { SourceDb } from '../contract';
import { createTestDatabases, type TestDatabases } from '../../test/support/databases';
import { bySourceRef, programmeCodes, statusCodes, syntheticId, TODAY } from '../../test/support/department-scenario';
import { yuanToFen } from '../../domain/money';
import { cell } from '../../tools/generate/tables';
import { demoPopulation } from '../../test/support/demo-population';

const ids = {
  liu: syntheticId('1959-12-01', 13),
  chen: syntheticId('1962-06-30', 24),
  notAsked: syntheticId('1970-03-08', 35),
};

/**
 * Settlements with medical aid paid in the one-stop settlement, without it, and reversed; aid paid
 * separately, tied to a settlement or not; a premium subsidy; someone never asked for.
 */
const scenario = {
  settlements: [
    { setlId: 'SETL-0001', psnCertNo: ids.liu, fixmedinsName: '济宁市第一人民医院', admDate: '2025-08-01', dscgDate: '2025-08-20', setlDate: '2025-08-20', diseName: '脑梗死', medfeeSumamt: '20000.00', hifpPay: '12000.00', hifmiPay: '3000.00', mafPay: '1234.56', psnPay: '3765.44', refdSetlFlag: '0' },
    { setlId: 'SETL-0002', psnCertNo: ids.liu, fixmedinsName: '任城区人民医院', admDate: '2025-12-28', dscgDate: null, setlDate: '2026-01-05', diseName: null, medfeeSumamt: '5000.10', hifpPay: '3000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '2000.10', refdSetlFlag: '0' },
    { setlId: 'SETL-0003', psnCertNo: ids.liu, fixmedinsName: '任城区人民医院', admDate: '2025-09-01', dscgDate: '2025-09-05', setlDate: '2025-09-05', diseName: '肺炎', medfeeSumamt: '3000.00', hifpPay: '1500.00', hifmiPay: '0.00', mafPay: '500.00', psnPay: '1000.00', refdSetlFlag: '1' },
    { setlId: 'SETL-0009', psnCertNo: ids.notAsked, fixmedinsName: '任城区人民医院', admDate: '2025-09-01', dscgDate: '2025-09-05', setlDate: '2025-09-05', diseName: null, medfeeSumamt: '1000.00', hifpPay: '600.00', hifmiPay: '0.00', mafPay: '100.00', psnPay: '300.00', refdSetlFlag: '0' },
  ],
  aidPayments: [
    { payId: 'PAY-0001', psnCertNo: ids.liu, setlId: 'SETL-0002', aidType: 'MAF', payDate: '2026-02-10', payAmt: '300.10' },
    { payId: 'PAY-0002', psnCertNo: ids.chen, setlId: null, aidType: 'CBZZ', payDate: '2026-01-15', payAmt: '350.00' },
    { payId: 'PAY-0003', psnCertNo: ids.chen, setlId: null, aidType: 'MAF', payDate: '2025-07-01', payAmt: '88.8' },
    // A type outside the hub's catalogue is not reported.
    { payId: 'PAY-0004', psnCertNo: ids.chen, setlId: null, aidType: 'QT', payDate: '2025-07-01', payAmt: '10.00' },
    { payId: 'PAY-0009', psnCertNo: ids.notAsked, setlId: null, aidType: 'CBZZ', payDate: '2026-01-15', payAmt: '350.00' },
  ],
} as const;

let dbs: TestDatabases;
let db: SourceDb;

beforeAll(async () => {
  dbs = await createTestDatabases('fed_health');
  db = dbs.sources.HEALTH;
  await db.insert(miSettlement).values(scenario.settlements.map((s) => ({ ...s })));
  await db.insert(miAidPayment).values(scenario.aidPayments.map((p) => ({ ...p })));
});

afterAll(async () => {
  await dbs?.close();
});

const oneOff = { department: 'HEALTH', sourceHouseholdRef: null, periodStart: null, periodEnd: null, status: 'PAID' } as const;

test('maps medical aid from standing settlements and from separate payments, and premium subsidies', async () => {
  const records = await health.aidByIdNumbers(db, [ids.liu, ids.chen], TODAY);
  expect(bySourceRef(records)).toEqual([
    { ...oneOff, programme: 'MEDICAL_AID', beneficiaryIdNumber: ids.chen, grantDate: '2025-07-01', amountFen: 8880, sourceRef: 'mi_aid_pay:PAY-0003', settlementRef: null },
    { ...oneOff, programme: 'PREMIUM_SUBSIDY', beneficiaryIdNumber: ids.chen, grantDate: '2026-01-15', amountFen: 35000, sourceRef: 'mi_aid_pay:PAY-0002', settlementRef: null },
    // An aid type outside the documentation is shown, not skipped: the catch-all, UNRECOGNISED, with the type.
    { ...oneOff, programme: 'HEALTH_UNRECOGNISED', status: 'UNRECOGNISED', sourceProgrammeCode: 'QT', beneficiaryIdNumber: ids.chen, grantDate: '2025-07-01', amountFen: 1000, sourceRef: 'mi_aid_pay:PAY-0004', settlementRef: null },
    { ...oneOff, programme: 'MEDICAL_AID', beneficiaryIdNumber: ids.liu, grantDate: '2026-02-10', amountFen: 30010, sourceRef: 'mi_aid_pay:PAY-0001', settlementRef: 'SETL-0002' },
    { ...oneOff, programme: 'MEDICAL_AID', beneficiaryIdNumber: ids.liu, grantDate: '2025-08-20', amountFen: 123456, sourceRef: 'mi_setl:SETL-0001', settlementRef: 'SETL-0001' },
  ].sort((a, b) => (a.sourceRef < b.sourceRef ? -1 : 1)));
});

test('returns nobody who was not asked for', async () => {
  const records = await health.aidByIdNumbers(db, [ids.chen], TODAY);
  expect(records.map((r) => r.sourceRef).sort()).toEqual(['mi_aid_pay:PAY-0002', 'mi_aid_pay:PAY-0003', 'mi_aid_pay:PAY-0004']);
});

test('settlements are mapped in fen, reversed ones left out', async () => {
  const settlements = await settlementsByIdNumbers(db, [ids.liu, ids.chen]);
  expect([...settlements].sort((a, b) => (a.settlementRef < b.settlementRef ? -1 : 1))).toEqual([
    {
      settlementRef: 'SETL-0001',
      idNumber: ids.liu,
      hospitalName: '济宁市第一人民医院',
      admittedOn: '2025-08-01',
      dischargedOn: '2025-08-20',
      settledOn: '2025-08-20',
      diagnosis: '脑梗死',
      totalCostFen: 2000000,
      basicInsurancePaidFen: 1200000,
      criticalIllnessInsurancePaidFen: 300000,
      medicalAidPaidFen: 123456,
      outOfPocketFen: 376544,
    },
    {
      settlementRef: 'SETL-0002',
      idNumber: ids.liu,
      hospitalName: '任城区人民医院',
      admittedOn: '2025-12-28',
      dischargedOn: null,
      settledOn: '2026-01-05',
      diagnosis: null,
      totalCostFen: 500010,
      basicInsurancePaidFen: 300000,
      criticalIllnessInsurancePaidFen: 0,
      medicalAidPaidFen: 0,
      outOfPocketFen: 200010,
    },
  ]);
});

test('statement counts do not grow with the batch', async () => {
  for (const batch of [[ids.liu], [ids.liu, ids.chen, ids.notAsked]]) {
    const aid = await countStatements(() => health.aidByIdNumbers(db, batch, TODAY));
    // One statement: the settlement and payment tables' UNION ALL.
    expect(aid.counter.bySource.get('HEALTH')).toBe(1);
    const settlements = await countStatements(() => settlementsByIdNumbers(db, batch));
    expect(settlements.counter.bySource.get('HEALTH')).toBe(1);
  }
});

test('a medical-aid payment reversed or recovered (vali_flag 0) no longer counts; payments are found by their settlement too', async () => {
  const who = syntheticId('1966-06-06', 77);
  await db.insert(miAidPayment).values([
    { payId: 'PAY-ST-1', psnCertNo: who, setlId: 'SETL-ST', aidType: 'MAF', payDate: '2025-08-01', payAmt: '500.00', valiFlag: '1' },
    { payId: 'PAY-ST-2', psnCertNo: who, setlId: 'SETL-ST', aidType: 'MAF', payDate: '2025-08-02', payAmt: '500.00', valiFlag: '0' },
  ]);
  const status = Object.fromEntries((await health.aidByIdNumbers(db, [who], TODAY)).map((r) => [r.sourceRef, r.status]));
  expect(status).toEqual({ 'mi_aid_pay:PAY-ST-1': 'PAID', 'mi_aid_pay:PAY-ST-2': 'CANCELLED' });
  const tied = await health.aidBySettlementRefs!(db, ['SETL-ST'], TODAY);
  expect(tied.map((r) => r.sourceRef).sort()).toEqual(['mi_aid_pay:PAY-ST-1', 'mi_aid_pay:PAY-ST-2']);
});

test('aidAndFacts answers what aidByIdNumbers, aidBySettlementRefs and settlementsByRefs answer, in one statement where they send four (three without the stays)', async () => {
  const people = [ids.liu, ids.chen];
  const refs = ['SETL-0001', 'SETL-0002', 'SETL-0003', 'SETL-ST'];
  for (const programmes of [undefined, new Set(['MEDICAL_AID'] as const), new Set(['PREMIUM_SUBSIDY'] as const)]) {
    const apart = await countStatements(async () => ({ aid: await health.aidByIdNumbers(db, people, TODAY, programmes), tied: await health.aidBySettlementRefs!(db, refs, TODAY), certificates: [], stays: await settlementsByRefs(db, refs), students: [] }));
    const together = await countStatements(() => health.aidAndFacts!(db, { idNumbers: people, today: TODAY, programmes, tiedTo: refs, stays: refs }));
    expect(together.result).toEqual(apart.result);
    expect(together.result.tied.length).toBeGreaterThan(0);
    // SETL-0003 is reversed and SETL-ST only named by payments: neither among the stays, as settlementsByRefs answers.
    expect(together.result.stays.map((s) => s.settlementRef).sort()).toEqual(['SETL-0001', 'SETL-0002']);
    expect(apart.counter.bySource.get('HEALTH')).toBe(4);
    expect(together.counter.bySource.get('HEALTH')).toBe(1);
    const withoutStays = await countStatements(() => health.aidAndFacts!(db, { idNumbers: people, today: TODAY, programmes, tiedTo: refs }));
    expect(withoutStays.result).toEqual({ ...apart.result, stays: [] });
    expect(withoutStays.counter.bySource.get('HEALTH')).toBe(1);
  }
});

test('medical aid in a settlement since reversed is kept out of every read but recordsNoLongerStanding, which answers it under its own reference, CANCELLED: one statement, none without a settlement’s record asked about', async () => {
  // SETL-0003 (liu's, reversed) paid ¥500 of medical aid in the settlement: no aid by person or by stay.
  expect((await health.aidByIdNumbers(db, [ids.liu], TODAY)).map((r) => r.sourceRef)).not.toContain('mi_setl:SETL-0003');
  expect(await health.aidBySettlementRefs!(db, ['SETL-0003'], TODAY)).toEqual([]);
  const asked = ['mi_setl:SETL-0003', 'mi_setl:SETL-0001', 'mi_setl:SETL-0002', 'mi_setl:NO-SUCH', 'mi_aid_pay:SETL-0003'];
  const { result, counter } = await countStatements(() => health.recordsNoLongerStanding!(db, asked, TODAY));
  expect([...result]).toEqual([
    ['mi_setl:SETL-0003', { ...oneOff, status: 'CANCELLED', programme: 'MEDICAL_AID', beneficiaryIdNumber: ids.liu, grantDate: '2025-09-05', amountFen: 50000, sourceRef: 'mi_setl:SETL-0003', settlementRef: 'SETL-0003' }],
  ]);
  expect(counter.bySource.get('HEALTH')).toBe(1);
  const none = await countStatements(() => health.recordsNoLongerStanding!(db, ['mi_aid_pay:PAY-0001', 'reported_aid:1'], TODAY));
  expect(none.result.size).toBe(0);
  expect(none.counter.bySource.get('HEALTH') ?? 0).toBe(0);
});

test('a payment under an aid type 医保 does not document is its catch-all programme, UNRECOGNISED, with the type, tied to no stay (it was skipped)', async () => {
  const who = syntheticId('1967-07-07', 94);
  await db.insert(miAidPayment).values([
    { payId: 'PAY-PT-1', psnCertNo: who, setlId: 'SETL-PT', aidType: 'QTJZ', payDate: '2025-09-10', payAmt: '800.00', valiFlag: '1' },
    { payId: 'PAY-PT-2', psnCertNo: who, setlId: null, aidType: 'CBZZ', payDate: '2025-09-10', payAmt: '380.00', valiFlag: '1' },
  ]);
  const records = await health.aidByIdNumbers(db, [who], TODAY);
  expect(programmeCodes(records)).toEqual([
    ['mi_aid_pay:PAY-PT-1', 'HEALTH_UNRECOGNISED', 'UNRECOGNISED', 'QTJZ'],
    ['mi_aid_pay:PAY-PT-2', 'PREMIUM_SUBSIDY', 'PAID', null],
  ]);
  expect(records[0].settlementRef ?? records[1].settlementRef).toBeNull();
  expect(await health.aidBySettlementRefs!(db, ['SETL-PT'], TODAY)).toEqual([]);
});

test('a payment or a settlement under a flag 医保 does not document is UNRECOGNISED with its flag, by person and by settlement (it read as reversed, or was left out)', async () => {
  const who = syntheticId('1966-06-06', 93);
  await db.insert(miSettlement).values({ setlId: 'SETL-UN', psnCertNo: who, fixmedinsName: '济宁市第一人民医院', admDate: '2025-09-01', dscgDate: '2025-09-05', setlDate: '2025-09-05', medfeeSumamt: '9000.00', hifpPay: '5000.00', hifmiPay: '0.00', mafPay: '1500.00', psnPay: '2500.00', refdSetlFlag: '5' });
  await db.insert(miAidPayment).values({ payId: 'PAY-UN-1', psnCertNo: who, setlId: 'SETL-UN', aidType: 'MAF', payDate: '2025-09-10', payAmt: '800.00', valiFlag: 'Y' });
  const expected = [['mi_aid_pay:PAY-UN-1', 'UNRECOGNISED', 'Y'], ['mi_setl:SETL-UN', 'UNRECOGNISED', '5']];
  expect(statusCodes(await health.aidByIdNumbers(db, [who], TODAY))).toEqual(expected);
  expect(statusCodes(await health.aidBySettlementRefs!(db, ['SETL-UN'], TODAY))).toEqual(expected);
  // The settlement is no standing stay (M4, X7 read none under an undocumented flag).
  expect(await settlementsByIdNumbers(db, [who])).toEqual([]);
});

describe('医保 demo data, in the shared demo population', () => {
  const { rows, col } = demoPopulation();

  it('hospitalises about 8% of people, and every settlement adds up: total = hifp + hifmi + maf + psn', () => {
    const people = new Set(col('mi_setl', 'psn_cert_no')).size / rows.person.length;
    expect(people).toBeGreaterThan(0.05);
    expect(people).toBeLessThan(0.12);
    for (const r of rows.mi_setl) {
      const [total, hifp, hifmi, maf, psn] = ['medfee_sumamt', 'hifp_pay', 'hifmi_pay', 'maf_pay', 'psn_pay'].map((c) => yuanToFen(cell('mi_setl', r, c) as string));
      expect(total).toBe(hifp + hifmi + maf + psn);
      for (const part of [hifp, hifmi, maf, psn]) expect(part).toBeGreaterThanOrEqual(0);
      expect(total).toBeGreaterThanOrEqual(30000);
      const adm = cell('mi_setl', r, 'adm_date') as string;
      const dscg = cell('mi_setl', r, 'dscg_date') as string;
      expect(adm <= dscg && dscg <= (cell('mi_setl', r, 'setl_date') as string)).toBe(true);
    }
    // Basic insurance pays something on nearly every stay (not when the bill is under the deductible).
    const paid = rows.mi_setl.filter((r) => yuanToFen(cell('mi_setl', r, 'hifp_pay') as string) > 0).length;
    expect(paid / rows.mi_setl.length).toBeGreaterThan(0.9);
    const setlIds = new Set(col('mi_setl', 'setl_id'));
    for (const r of rows.mi_aid_pay) if (r[2] !== null) expect(setlIds.has(r[2])).toBe(true);
  });

  it('reverses about 1% of medical-aid payments', () => {
    const reversed = col('mi_aid_pay', 'vali_flag').filter((v) => v === '0').length / rows.mi_aid_pay.length;
    expect(reversed).toBeGreaterThan(0.002);
    expect(reversed).toBeLessThan(0.04);
  });
});

test('a settlement id is as wide as the longest settlement reference the hub accepts', () => {
  const widths = getTableConfig(miSettlement).columns.filter((c) => c.name === 'setl_id').map((c) => (c as unknown as { length: number }).length);
  expect(widths).toEqual([SETTLEMENT_REFERENCE_MAX_LENGTH]);
});
