/**
 * A decision's slip is fulfilled by aid paid, and says so only while the payment stands: a record
 * the department has not paid yet (a grant dated after today, housing's allocation under review) or
 * has revoked fulfils nothing, and a record revoked at the source after the slip was completed is
 * shown so on the slip's fulfilment (`standing`), not as a decision silently met.
 */
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { healthScenario } from '../federation/health/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { wangHealthAndHousingSlips } from './support/cases';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const SLIP = `referral { id state } userErrors { code field }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const STANDING = `query($id: ID!) { referral(id: $id) { state fulfilment { aidSourceReference standing } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** Each department's office answering its slip (purpose REFERRAL), and the slips. */
let office: Record<string, TestHub['gql']>;
let slips: Record<string, string>;
/** The medical aid payment the health slip was completed with. */
let paidRef: string;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('fulfilment_integrity');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ({ slips, office } = await wangHealthAndHousingSlips(hub, wangId, 'test'));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const complete = (key: string, aidSourceReference: string) => office[key](COMPLETE, { input: { referralId: slips[key], feedback: '已发放', aidSourceReference } });

it('refuses a record the department has revoked, and one dated after today, then takes the payment made', async () => {
  const [reversed, scheduled, paid] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
    { payId: 'MA-2026-0313-R', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '1000.00', valiFlag: '0' },
    { payId: 'MA-2026-0320', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-20', payAmt: '1000.00' },
    { payId: 'MA-2026-0314', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-14', payAmt: '1000.00' },
  ]);
  expect(codes(await complete('HEALTH', reversed), 'referralComplete')).toEqual(['AID_RECORD_CANCELLED']);
  expect(codes(await complete('HEALTH', scheduled), 'referralComplete')).toEqual(['AID_RECORD_NOT_YET_PAID']);
  const done = await ok(office.HEALTH, COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已发放', aidSourceReference: paid } }, 'referralComplete');
  expect(done.referral.state).toBe('COMPLETED');
  const shown = await office.HEALTH(STANDING, { id: slips.HEALTH });
  expect(shown.data.referral).toEqual({ state: 'COMPLETED', fulfilment: { aidSourceReference: paid, standing: 'STANDS' } });
  paidRef = paid;
});

it('shows a fulfilment whose record the department reverses afterwards as CANCELLED_AT_SOURCE, and one gone as NOT_FOUND_AT_SOURCE', async () => {
  const paid = paidRef;
  await healthScenario.update(dbs.sources.HEALTH, 'aidPayments', { valiFlag: '0' }, { payId: 'MA-2026-0314' });
  expect((await office.HEALTH(STANDING, { id: slips.HEALTH })).data.referral).toEqual({ state: 'COMPLETED', fulfilment: { aidSourceReference: paid, standing: 'CANCELLED_AT_SOURCE' } });
  await healthScenario.update(dbs.sources.HEALTH, 'aidPayments', { payId: 'MA-2026-0314-X' }, { payId: 'MA-2026-0314' });
  expect((await office.HEALTH(STANDING, { id: slips.HEALTH })).data.referral.fulfilment.standing).toBe('NOT_FOUND_AT_SOURCE');
});

it('refuses housing’s allocation while its application is under review (审核通过), and takes it once housing puts it in force (已保障)', async () => {
  await housingScenario.insert(dbs.sources.HOUSING, 'rentalApplications', { appNo: 'GZF2026-0312', applicantIdCard: WANG.head, familySize: 4, regionCode: WANG.regionCode, applyDate: '2026-03-12', appStatus: 20 });
  const [allocation] = await housingScenario.insert(dbs.sources.HOUSING, 'rentalAllocations', { allocId: 7001, appNo: 'GZF2026-0312', allocType: 'SW', monthlyFen: 40_000, startDate: '2026-03-13', endDate: null, unitAddress: null });
  expect(codes(await complete('HOUSING', allocation), 'referralComplete')).toEqual(['AID_RECORD_NOT_YET_PAID']);
  await housingScenario.update(dbs.sources.HOUSING, 'rentalApplications', { appStatus: 30 }, { appNo: 'GZF2026-0312' });
  const done = await ok(office.HOUSING, COMPLETE, { input: { referralId: slips.HOUSING, feedback: '已配租', aidSourceReference: allocation } }, 'referralComplete');
  expect(done.referral.state).toBe('COMPLETED');
});

it('holds a first aid’s record to the same: paid, not revoked and not dated after today', async () => {
  const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
  const caseId = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母病情加重' } }, 'caseOpen')).case.id;
  await ok(hub.gql, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const grant = { idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: true, amountFen: 150_000, approvalLevel: 1 };
  const [revoked, scheduled, paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [
    { ...grant, grantDate: '2026-03-15', revoked: true },
    { ...grant, grantDate: '2026-03-16' },
    { ...grant, grantDate: '2026-03-15' },
  ]);
  const input = { caseId, programme: 'TEMP_AID', amountFen: 150_000, beneficiaryIdNumber: WANG.grandmother, cause: 'ILLNESS', reason: '先行发放临时救助' };
  expect(codes(await hub.gql(FIRST_AID, { input: { ...input, aidSourceReference: revoked } }), 'caseFirstAid')).toEqual(['AID_RECORD_CANCELLED']);
  expect(codes(await hub.gql(FIRST_AID, { input: { ...input, aidSourceReference: scheduled } }), 'caseFirstAid')).toEqual(['AID_RECORD_NOT_YET_PAID']);
  expect((await ok(hub.gql, FIRST_AID, { input: { ...input, aidSourceReference: paid } }, 'caseFirstAid')).case.state).toBe('FIRST_AID_GIVEN');
});
