/**
 * A settlement reference as a clerk types it or a spreadsheet holds it: in full-width digits (a
 * Chinese input method left in full-width mode), the way ID numbers are read already. Compared as
 * typed, `３７０８…` named no stay: a pre-grant check of medical aid answered settlementUnknown for
 * the right number, and a charity's aid reported on the stay was recorded under the full-width
 * text, counted in no stay's sum (X7), so the next check of medical aid on that stay answered
 * clear though the two together paid more than the patient's burden. Through a real hub over real
 * department databases.
 */
import { recordReportedAid } from '../db/reported-aid/store';
import type { TestDatabases } from './support/databases';
import type { TestHub } from './support/hub';
import { TODAY } from './support/scenarios';
import { fullWidth, settlementStay, STAY_BURDEN_FEN } from './support/settlement-stay';

const SETL_ID = '3708112026020600000012345';

let PATIENT: string;
let dbs: TestDatabases;
let hub: TestHub;
let charity: { gql: TestHub['gql'] };
let charityName: string;

beforeAll(async () => {
  ({ dbs, hub, patient: PATIENT, charity, charityName } = await settlementStay({ database: 'settlement_ref_typed', setlId: SETL_ID, prefix: 'ST', seq: 41, charityClient: 'test-charity-typed-setl', creditCodeBase: '53370800MJD67890X' }));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const CHECK = `query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { clear complete conflicts settlementUnknown findings { rule { id } } } }`;
const REPORT = `mutation($in: AidReportInput!) { aidReport(input: $in) { recorded settlementsUnknown userErrors { code } } }`;

async function check(settlementReference: string, amountFen: number) {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { i: { beneficiaryIdNumber: PATIENT, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen, settlementReference } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck;
}

test('a pre-grant check reads a full-width settlement number as the stay it names', async () => {
  for (const typed of [fullWidth(SETL_ID), `\u3000${fullWidth(SETL_ID)} `]) {
    expect(await check(typed, STAY_BURDEN_FEN)).toMatchObject({ clear: true, complete: true, settlementUnknown: false, findings: [] });
    expect(await check(typed, STAY_BURDEN_FEN + 1)).toMatchObject({ clear: false, settlementUnknown: false, conflicts: 1, findings: [{ rule: { id: 'X7' } }] });
  }
});

test('charity aid reported on a full-width settlement number counts in the stay’s sum, so medical aid beside it is X7', async () => {
  const res = await charity.gql(REPORT, { in: { records: [{ reference: 'CM-TYPED-0001', beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: TODAY, amountFen: 300_000, settlementRef: fullWidth(SETL_ID) }] } });
  expect(res.errors).toBeUndefined();
  expect(res.data.aidReport).toMatchObject({ recorded: 1, settlementsUnknown: [], userErrors: [] });
  // ¥3,000 from the charity and ¥2,000 of medical aid: ¥5,000 on a ¥4,000 burden.
  expect(await check(SETL_ID, 200_000)).toMatchObject({ clear: false, complete: true, conflicts: 1, findings: [{ rule: { id: 'X7' } }] });
  expect(await check(SETL_ID, 100_000)).toMatchObject({ clear: true, conflicts: 0 });
});

test('an entry an older hub recorded under the full-width number, sent again, is the retry it is (alreadyRecorded), not another record', async () => {
  const typed = fullWidth(SETL_ID);
  const old = { reference: 'CM-TYPED-OLD', beneficiaryIdNumber: PATIENT, programme: 'CHARITY_MEDICAL', grantDate: '2026-02-10', amountFen: 10_000, settlementRef: typed };
  await dbs.hub.transaction((tx) =>
    recordReportedAid(tx as never, [{ ...old, entryKind: 'AID', supersedesReference: null, periodStart: null, periodEnd: null, caseReference: null, needId: null }], { clientName: charityName, officer: null, office: 'CHARITY', creditCode: null }),
  );
  const res = await charity.gql(`mutation($in: AidReportInput!) { aidReport(input: $in) { recorded alreadyRecorded userErrors { code } } }`, { in: { records: [old] } });
  expect(res.errors).toBeUndefined();
  expect(res.data.aidReport).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
});
