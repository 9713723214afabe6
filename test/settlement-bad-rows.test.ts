/**
 * Hospital settlements as medical insurance really exports them. Its aid amounts were
 * already read as a widened column holds them (test/source-bad-rows.test.ts), but a settlement's
 * were read strictly: once the department widened `psn_pay` to DECIMAL(12,3) (`7010.500`), every
 * read of its stays failed, so X7 and M4 went unrun for every household, a pre-grant check of
 * medical aid on a stay answered `complete: false`, and HEALTH was reported UNREACHABLE though it
 * had answered. Now a widened amount is read as the amount it is; a stay holding a fraction of a
 * fen is UNREADABLE_ROWS (the rules reading stays unrun, as before, but for the reason it is).
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { makeIdNumber } from '../domain/id-number';

const S = healthScenario.tables.settlements.table;
const T = { name: getTableName(S), col: Object.fromEntries(Object.entries(getTableColumns(S)).map(([k, c]) => [k, c.name])) };
const P = healthScenario.tables.aidPayments.table;
const TP = { name: getTableName(P), col: Object.fromEntries(Object.entries(getTableColumns(P)).map(([k, c]) => [k, c.name])) };

const FINDINGS = /* GraphQL */ `
  query($id: ID!) { household(id: $id) { findings { rule { id } measure { __typename } } } }
`;
const CHECK = /* GraphQL */ `
  query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { complete settlementUnknown findings { rule { id } explanation } } }
`;
/** Medical aid for the Wang grandmother's stay (SETL20260110001), the settlement's own aid beside it. */
const MEDICAL_AID = { beneficiaryIdNumber: WANG.grandmother, programme: 'MEDICAL_AID', grantDate: '2026-02-01', amountFen: 100, settlementReference: 'SETL20260110001' };

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let health: mysql.Connection;
let findingsBefore: unknown;

beforeAll(async () => {
  dbs = await createTestDatabases('settlement_bad_rows');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  health = await mysql.createConnection({ uri: dbs.sourceUrls.HEALTH });
  const res = await hub.gql(FINDINGS, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  findingsBefore = res.data.household.findings;
  const check = await hub.gql(CHECK, { i: MEDICAL_AID });
  expect(check.errors).toBeUndefined();
  expect(check.data.preGrantCheck).toMatchObject({ complete: true, settlementUnknown: false });
}, 120_000);

afterAll(async () => {
  await health?.end();
  await hub?.close();
  await dbs.close();
});

it('a settlement column widened to more decimals is read as the amounts it holds', async () => {
  await health.query(`ALTER TABLE ${T.name} MODIFY ${T.col.psnPay} DECIMAL(12,3) NOT NULL`);
  const res = await hub.gql(FINDINGS, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  expect(res.data.household.findings).toEqual(findingsBefore);
  const check = await hub.gql(CHECK, { i: MEDICAL_AID });
  expect(check.errors).toBeUndefined();
  expect(check.data.preGrantCheck).toMatchObject({ complete: true, settlementUnknown: false });
});

it('a stay with a fraction of a fen leaves the check incomplete, its department UNREADABLE_ROWS', async () => {
  await health.query(`UPDATE ${T.name} SET ${T.col.psnPay} = 7010.505 WHERE ${T.col.setlId} = 'SETL20260110001'`);
  try {
    const check = await hub.gql(CHECK, { i: MEDICAL_AID });
    expect(check.data.preGrantCheck.complete).toBe(false);
    expect(check.errors?.map((e) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'HEALTH', reason: 'UNREADABLE_ROWS' }]);
  } finally {
    await health.query(`UPDATE ${T.name} SET ${T.col.psnPay} = 7010.5 WHERE ${T.col.setlId} = 'SETL20260110001'`);
  }
});

it('medical aid tied to the stay with a fraction of a fen, paid outside the household, is left out and HEALTH is UNREADABLE_ROWS', async () => {
  // A relative in no household of the hub's: their payment reaches the check only as aid tied to the stay.
  const relative = makeIdNumber('370811', '1981-03-03', 55);
  await health.query(`ALTER TABLE ${TP.name} MODIFY ${TP.col.payAmt} DECIMAL(12,3) NOT NULL`);
  await health.query(`INSERT INTO ${TP.name} (${TP.col.payId}, ${TP.col.psnCertNo}, ${TP.col.setlId}, ${TP.col.aidType}, ${TP.col.payDate}, ${TP.col.payAmt}) VALUES ('MAF-FRACTION', ?, 'SETL20260110001', 'MAF', '2026-01-20', 10.005)`, [relative]);
  try {
    // It went into the stay's sum as NaN (X7 "合计 NaN.NaN 元"), the check complete.
    const unreadable = [{ code: 'DEPARTMENT_UNAVAILABLE', department: 'HEALTH', reason: 'UNREADABLE_ROWS' }];
    const check = await hub.gql(CHECK, { i: MEDICAL_AID });
    expect(check.errors?.map((e) => e.extensions)).toEqual(unreadable);
    expect(check.data.preGrantCheck).toMatchObject({ complete: false, findings: [] });
    const res = await hub.gql(FINDINGS, { id: String(wangId) });
    expect(res.errors?.map((e) => e.extensions)).toEqual(unreadable);
    expect(JSON.stringify(res.data.household.findings)).not.toContain('NaN');
  } finally {
    await health.query(`DELETE FROM ${TP.name} WHERE ${TP.col.payId} = 'MAF-FRACTION'`);
  }
});
