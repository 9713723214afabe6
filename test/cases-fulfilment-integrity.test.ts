/**
 * A decision's slip is fulfilled by aid paid, and says so only while the payment stands: a record
 * the department has not paid yet (a grant dated after today, housing's allocation under review) or
 * has revoked fulfils nothing, and a record revoked at the source after the slip was completed is
 * shown so on the slip's fulfilment (`standing`), not as a decision silently met.
 */
import { makeCreditCode } from '../domain/credit-code';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { healthScenario } from '../federation/health/scenario';
import { housingScenario } from '../federation/housing/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, wangHealthAndHousingSlips } from './support/cases';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { syntheticId } from './support/department-scenario';
import { briefCode } from '../server/case-pages';

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
/** Housing's allocation the housing slip was completed with. */
let allocationRef: string;
/** The case the meeting decided. */
let decidedCaseId: string;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('fulfilment_integrity');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ({ caseId: decidedCaseId, slips, office } = await wangHealthAndHousingSlips(hub, wangId, 'test'));
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

it('holds a forwarded slip’s record (no meeting decided it) to the same: one the department has revoked is refused AID_RECORD_CANCELLED, as a decision’s', async () => {
  const caseId = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '请医保核实救助', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
  await ok(hub.gql, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
  const slip = (await ok(hub.gql, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '请核实并给予医疗救助', deadlineWorkingDays: 5 } }, 'referralIssue')).referral.id;
  await ok(office.HEALTH, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`, { input: { referralId: slip } }, 'referralAccept');
  const [revoked] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
    { payId: 'MA-2026-0313-FW', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '500.00', valiFlag: '0' },
  ]);
  // It was taken, and the slip read as answered with aid given.
  expect(codes(await office.HEALTH(COMPLETE, { input: { referralId: slip, feedback: '已发放', aidSourceReference: revoked } }), 'referralComplete')).toEqual(['AID_RECORD_CANCELLED']);
  expect((await hub.gql(STANDING, { id: slip })).data.referral.state).toBe('ACCEPTED');
});

it('shows a fulfilment whose record the department changes in place afterwards (less money, another day, another programme) as CHANGED_AT_SOURCE, with the record as it is now, on the slip, overdueReport and the brief', async () => {
  const CHANGED = `query($id: ID!) { referral(id: $id) { fulfilment { amountFen shortfallFen standing supersededBy { aidSourceReference amountFen aidDate status programme { code } } } } }`;
  const fulfilmentNow = async () => (await office.HEALTH(CHANGED, { id: slips.HEALTH })).data.referral.fulfilment;
  const REPORT = `{ overdueReport { byOffice { office { key } fulfilmentsWithdrawn { referral { id } standing supersededBy { amountFen programme { code } } } } } }`;
  const withdrawn = async () => {
    const res = await hub.gql(REPORT);
    expect(res.errors).toBeUndefined();
    return res.data.overdueReport.byOffice.flatMap((g: any) => g.fulfilmentsWithdrawn.map((w: any) => ({ office: g.office.key, ...w })));
  };
  const update = (set: Record<string, string>) => healthScenario.update(dbs.sources.HEALTH, 'aidPayments', set, { payId: 'MA-2026-0314' });
  const row = async () => {
    const html = await (await fetch(`${hub.url}/cases/${decidedCaseId}/brief`, { headers: hub.authHeaders })).text();
    const at = html.indexOf(briefCode(paidRef));
    expect(at).toBeGreaterThan(0);
    return html.slice(html.lastIndexOf('<tr>', at), html.indexOf('</tr>', at));
  };
  expect(await withdrawn()).toEqual([]);

  // 医保 corrects the payment from ¥1,000 to ¥1 in its own table: the slip had been met in full.
  await update({ payAmt: '1.00' });
  expect(await fulfilmentNow()).toEqual({
    amountFen: 100_000,
    shortfallFen: 0,
    standing: 'CHANGED_AT_SOURCE',
    supersededBy: { aidSourceReference: paidRef, amountFen: 100, aidDate: '2026-03-14', status: 'PAID', programme: { code: 'MEDICAL_AID' } },
  });
  expect(await withdrawn()).toEqual([{ office: 'HEALTH', referral: { id: slips.HEALTH }, standing: 'CHANGED_AT_SOURCE', supersededBy: { amountFen: 100, programme: { code: 'MEDICAL_AID' } } }]);
  expect(await row()).toContain('<span class="overdue">该救助记录已被部门改为 <span class="nw">1.00 元</span> <span class="nw">2026-03-14</span>，与核验时不符</span>');

  // Moved to a day after today: not paid (SCHEDULED) any more.
  await update({ payAmt: '1000.00', payDate: '2026-03-20' });
  expect((await fulfilmentNow()).supersededBy).toMatchObject({ amountFen: 100_000, aidDate: '2026-03-20', status: 'SCHEDULED' });
  expect(await row()).toContain('<span class="nw">2026-03-20</span>，尚未发放，与核验时不符');
  // Reclassified as a premium subsidy (参保资助).
  await update({ payDate: '2026-03-14', aidType: 'CBZZ' });
  expect(await fulfilmentNow()).toMatchObject({ standing: 'CHANGED_AT_SOURCE', supersededBy: { programme: { code: 'PREMIUM_SUBSIDY' } } });
  expect(await row()).toContain('该救助记录已被部门改为 参保资助 ');

  // A raise is aid given, not taken back: the decision stands as met.
  await update({ aidType: 'MAF', payAmt: '1200.00' });
  expect(await fulfilmentNow()).toMatchObject({ standing: 'STANDS', supersededBy: null });
  expect(await withdrawn()).toEqual([]);
  await update({ payAmt: '1000.00' });
});

it('shows a fulfilment whose record the department reverses afterwards as CANCELLED_AT_SOURCE, and one gone as NOT_FOUND_AT_SOURCE', async () => {
  const paid = paidRef;
  await healthScenario.update(dbs.sources.HEALTH, 'aidPayments', { valiFlag: '0' }, { payId: 'MA-2026-0314' });
  expect((await office.HEALTH(STANDING, { id: slips.HEALTH })).data.referral).toEqual({ state: 'COMPLETED', fulfilment: { aidSourceReference: paid, standing: 'CANCELLED_AT_SOURCE' } });
  // Revoked, nothing of the decision stands: the whole amount decided is short, as a ledger entry reversed.
  const SHORT = `query($id: ID!) { referral(id: $id) { fulfilment { decidedAmountFen shortfallFen standing } } }`;
  const revoked = (await office.HEALTH(SHORT, { id: slips.HEALTH })).data.referral.fulfilment;
  expect(revoked.decidedAmountFen).toBeGreaterThan(0);
  expect(revoked).toEqual({ decidedAmountFen: revoked.decidedAmountFen, shortfallFen: revoked.decidedAmountFen, standing: 'CANCELLED_AT_SOURCE' });
  await healthScenario.update(dbs.sources.HEALTH, 'aidPayments', { payId: 'MA-2026-0314-X' }, { payId: 'MA-2026-0314' });
  expect((await office.HEALTH(STANDING, { id: slips.HEALTH })).data.referral.fulfilment.standing).toBe('NOT_FOUND_AT_SOURCE');
  // Gone from the department's data, what was checked is all the hub knows: the shortfall checked (none).
  expect((await office.HEALTH(SHORT, { id: slips.HEALTH })).data.referral.fulfilment).toEqual({ decidedAmountFen: revoked.decidedAmountFen, shortfallFen: 0, standing: 'NOT_FOUND_AT_SOURCE' });
});

it('refuses housing’s allocation while its application is under review (审核通过), and takes it once housing puts it in force (已保障)', async () => {
  await housingScenario.insert(dbs.sources.HOUSING, 'rentalApplications', { appNo: 'GZF2026-0312', applicantIdCard: WANG.head, familySize: 4, regionCode: WANG.regionCode, applyDate: '2026-03-12', appStatus: 20 });
  const [allocation] = await housingScenario.insert(dbs.sources.HOUSING, 'rentalAllocations', { allocId: 7001, appNo: 'GZF2026-0312', allocType: 'SW', monthlyFen: 40_000, startDate: '2026-03-13', endDate: null, unitAddress: null });
  expect(codes(await complete('HOUSING', allocation), 'referralComplete')).toEqual(['AID_RECORD_NOT_YET_PAID']);
  await housingScenario.update(dbs.sources.HOUSING, 'rentalApplications', { appStatus: 30 }, { appNo: 'GZF2026-0312' });
  const done = await ok(office.HOUSING, COMPLETE, { input: { referralId: slips.HOUSING, feedback: '已配租', aidSourceReference: allocation } }, 'referralComplete');
  expect(done.referral.state).toBe('COMPLETED');
  allocationRef = allocation;
});

it('lists the decisions whose record no longer stands in overdueReport (fulfilmentsWithdrawn), in a fixed number of statements, and marks them on the meeting brief', async () => {
  const REPORT = `{ overdueReport { byOffice { office { key } fulfilmentsWithdrawn { referral { id state } standing supersededBy { amountFen } completedAt } }
    byTownship { township { code } fulfilmentsWithdrawn { referral { id } standing } } byCounty { county { code } fulfilmentsWithdrawn { referral { id } standing } } } }`;
  const withdrawnBy = (report: any) => ({
    office: Object.fromEntries(report.byOffice.filter((g: any) => g.fulfilmentsWithdrawn.length > 0).map((g: any) => [g.office.key, g.fulfilmentsWithdrawn.map((w: any) => `${w.referral.id} ${w.referral.state} ${w.standing}`)])),
    township: report.byTownship.flatMap((g: any) => g.fulfilmentsWithdrawn.map((w: any) => `${g.township.code} ${w.referral.id} ${w.standing}`)),
    county: report.byCounty.flatMap((g: any) => g.fulfilmentsWithdrawn.map((w: any) => `${g.county.code} ${w.referral.id} ${w.standing}`)),
  });
  // The health payment was reversed, then re-keyed at the source; housing's allocation stands.
  const one = await hub.gql(REPORT);
  expect(one.errors).toBeUndefined();
  const township = WANG.regionCode.slice(0, 9);
  expect(withdrawnBy(one.data.overdueReport)).toEqual({
    office: { HEALTH: [`${slips.HEALTH} COMPLETED NOT_FOUND_AT_SOURCE`] },
    township: [`${township} ${slips.HEALTH} NOT_FOUND_AT_SOURCE`],
    county: [`370811 ${slips.HEALTH} NOT_FOUND_AT_SOURCE`],
  });
  const health = one.data.overdueReport.byOffice.find((g: any) => g.office.key === 'HEALTH').fulfilmentsWithdrawn[0];
  expect(health).toEqual({ referral: { id: slips.HEALTH, state: 'COMPLETED' }, standing: 'NOT_FOUND_AT_SOURCE', supersededBy: null, completedAt: expect.any(String) });

  // Housing refuses the application after all (90 不予保障): its allocation is CANCELLED.
  await housingScenario.update(dbs.sources.HOUSING, 'rentalApplications', { appStatus: 90 }, { appNo: 'GZF2026-0312' });
  const two = await hub.gql(REPORT);
  expect(withdrawnBy(two.data.overdueReport).office).toEqual({ HEALTH: [`${slips.HEALTH} COMPLETED NOT_FOUND_AT_SOURCE`], HOUSING: [`${slips.HOUSING} COMPLETED CANCELLED_AT_SOURCE`] });
  // One statement per source for every decision, however many no longer stand: none per slip.
  expect(one.extensions?.sqlStatements?.bySource).toEqual(two.extensions?.sqlStatements?.bySource);
  expect(two.extensions?.sqlStatements?.bySource).toMatchObject({ HEALTH: 1, HOUSING: 1 });

  // The brief prints each decision's record as it stands now, in words a meeting reads.
  const brief = await fetch(`${hub.url}/cases/${decidedCaseId}/brief`, { headers: hub.authHeaders });
  expect(brief.status).toBe(200);
  const html = await brief.text();
  // The decision's row of the table: the one naming its aid record.
  const row = (ref: string) => {
    const at = html.indexOf(briefCode(ref));
    expect(at).toBeGreaterThan(0);
    return html.slice(html.lastIndexOf('<tr>', at), html.indexOf('</tr>', at));
  };
  expect(row(paidRef)).toContain('<span class="overdue">部门数据中已查不到该救助记录，待核实</span>');
  expect(row(allocationRef)).toContain('<span class="overdue">该救助记录已被部门撤销，未实际落实</span>');
});

it('holds a first aid’s record to the same: paid, not revoked and not dated after today', async () => {
  const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
  const caseId = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母病情加重' } }, 'caseOpen')).case.id;
  await ok(hub.gql, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const grant = { idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: true, amountFen: 150_000, approvalLevel: 1 };
  const [revoked, scheduled, paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [
    { ...grant, grantDate: '2026-03-15', revoked: 1 },
    { ...grant, grantDate: '2026-03-16' },
    { ...grant, grantDate: '2026-03-15' },
  ]);
  const input = { caseId, programme: 'TEMP_AID', amountFen: 150_000, beneficiaryIdNumber: WANG.grandmother, cause: 'ILLNESS', reason: '先行发放临时救助' };
  expect(codes(await hub.gql(FIRST_AID, { input: { ...input, aidSourceReference: revoked } }), 'caseFirstAid')).toEqual(['AID_RECORD_CANCELLED']);
  expect(codes(await hub.gql(FIRST_AID, { input: { ...input, aidSourceReference: scheduled } }), 'caseFirstAid')).toEqual(['AID_RECORD_NOT_YET_PAID']);
  expect((await ok(hub.gql, FIRST_AID, { input: { ...input, aidSourceReference: paid } }, 'caseFirstAid')).case.state).toBe('FIRST_AID_GIVEN');

  // 民政 then records the grant as ¥500 in its own table: the first aid of ¥1,500 is not what was paid.
  const SHOWN = `query($id: ID!) { case(id: $id) { firstAid { amountFen standing supersededBy { amountFen } } } }`;
  expect((await hub.gql(SHOWN, { id: caseId })).data.case.firstAid).toEqual({ amountFen: 150_000, standing: 'STANDS', supersededBy: null });
  const grantId = Number(paid.split(':')[1]);
  await civilAffairsScenario.update(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { amountFen: 50_000 }, { grantId });
  expect((await hub.gql(SHOWN, { id: caseId })).data.case.firstAid).toEqual({ amountFen: 150_000, standing: 'CHANGED_AT_SOURCE', supersededBy: { amountFen: 50_000 } });
  const report = await hub.gql(`{ overdueReport { byOffice { office { key } firstAidsWithdrawn { case { id } standing } } } }`);
  expect(report.data.overdueReport.byOffice.flatMap((g: any) => g.firstAidsWithdrawn.map((w: any) => `${g.office.key} ${w.case.id} ${w.standing}`))).toEqual([`CIVIL_AFFAIRS ${caseId} CHANGED_AT_SOURCE`]);
  await civilAffairsScenario.update(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { amountFen: 150_000 }, { grantId });
});

describe('a first aid paid by a charity delivery the charity corrects, then cancels', () => {
  it('shows the first aid’s record SUPERSEDED_AT_SOURCE by the correction, with its amount, then CANCELLED_AT_SOURCE by the cancellation, on the case, the brief and overdueReport', async () => {
    const worker = await hub.createClient({ name: 'rencheng-civil-fa', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
    const linkage = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' }).gql;
    const charity = hub.as({ token: (await hub.createClient({ name: 'charity-fa', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] })).token, purpose: 'CHARITY_LINKAGE' }).gql;
    await ok(charity, `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { userErrors { code } } }`, { input: { creditCode: makeCreditCode('53370800MJ2468135'), name: '济宁市某慈善会' } }, 'charityOrganisationRegister');

    const caseId = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主突发困难，慈善组织先行救助' } }, 'caseOpen')).case.id;
    await ok(hub.gql, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    // The charity covers the need: consent, need, claim, pledge, delivery of 600 yuan today.
    const consent = await ok(linkage, `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
    const needId = (await ok(linkage, `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code field } } }`, { input: { caseId, consentId: consent.consent.id, purpose: 'LIVING', urgency: 'URGENT', description: '家庭生活困难', uncoveredFen: 100_000, beneficiaryIdNumber: WANG.head } }, 'charityNeedPublish')).need.id;
    await ok(charity, `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`, { id: needId }, 'charityNeedClaim');
    const pledgeId = (await ok(charity, `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } userErrors { code field } } }`, { input: { needId, amountFen: 100_000, reference: 'PL-FA' } }, 'charityPledgeCreate')).pledge.id;
    const deliveryId = (await ok(charity, `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id } userErrors { code field } } }`, { input: { pledgeId, amountFen: 60_000, deliveredOn: TODAY, reference: 'FA-D' } }, 'charityDeliveryReport')).delivery.id;

    // The first aid names the delivery's ledger record, as the household's aid shows it.
    const aid = (await hub.gql(`query($id: ID!) { household(id: $id) { aid { sourceReference programme { code } amountFen } } }`, { id: String(wangId) })).data.household.aid;
    const delivered = aid.find((a: any) => a.programme.code === 'CHARITY_JISHIJIU_99' && a.amountFen === 60_000).sourceReference;
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    await ok(hub.gql, FIRST_AID, { input: { caseId, programme: 'CHARITY_JISHIJIU_99', amountFen: 60_000, beneficiaryIdNumber: WANG.head, aidSourceReference: delivered, reason: '慈善组织先行发放生活救助' } }, 'caseFirstAid');
    const SHOWN = `query($id: ID!) { case(id: $id) { state firstAid { aidSourceReference amountFen standing supersededBy { aidSourceReference amountFen aidDate reference } } } }`;
    const shown = async () => (await hub.gql(SHOWN, { id: caseId })).data.case;
    const briefOf = async () => {
      const html = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
      return html.slice(html.indexOf('<dt>先行救助</dt>'), html.indexOf('<dt>户号</dt>'));
    };
    expect(await shown()).toEqual({ state: 'FIRST_AID_GIVEN', firstAid: { aidSourceReference: delivered, amountFen: 60_000, standing: 'STANDS', supersededBy: null } });
    expect(await briefOf()).not.toContain('该救助记录');
    // Supervision lists the case under the office that owns it once its first aid's record no longer stands.
    const supervised = async () => {
      const res = await hub.gql(`{ overdueReport { byOffice { office { key } firstAidsWithdrawn { case { id } standing supersededBy { amountFen reference } } } byCounty { county { code } firstAidsWithdrawn { case { id } standing } } } }`);
      expect(res.errors).toBeUndefined();
      return {
        office: res.data.overdueReport.byOffice.flatMap((g: any) => g.firstAidsWithdrawn.map((w: any) => ({ office: g.office.key, ...w }))),
        county: res.data.overdueReport.byCounty.flatMap((g: any) => g.firstAidsWithdrawn.map((w: any) => `${g.county.code} ${w.case.id} ${w.standing}`)),
      };
    };
    expect(await supervised()).toEqual({ office: [], county: [] });

    // The charity gave 500 yuan, not 600: the correction stands in the delivery's place.
    const CORRECT = `mutation($input: CharityDeliveryCorrectInput!) { charityDeliveryCorrect(input: $input) { delivery { id } userErrors { code field } } }`;
    const correction = (await ok(charity, CORRECT, { input: { deliveryId, amountFen: 50_000, reason: '实际发放500元', reference: 'FA-D-C' } }, 'charityDeliveryCorrect')).delivery.id;
    const corrected = await shown();
    expect(corrected).toEqual({
      state: 'FIRST_AID_GIVEN',
      firstAid: { aidSourceReference: delivered, amountFen: 60_000, standing: 'SUPERSEDED_AT_SOURCE', supersededBy: { aidSourceReference: expect.stringMatching(/^reported_aid:\d+$/), amountFen: 50_000, aidDate: TODAY, reference: 'FA-D-C' } },
    });
    expect(corrected.firstAid.supersededBy.aidSourceReference).not.toBe(delivered);
    expect(await supervised()).toEqual({ office: [{ office: 'CIVIL_AFFAIRS', case: { id: caseId }, standing: 'SUPERSEDED_AT_SOURCE', supersededBy: { amountFen: 50_000, reference: 'FA-D-C' } }], county: [`370811 ${caseId} SUPERSEDED_AT_SOURCE`] });
    expect(await briefOf()).toContain(`<span class="overdue">该救助记录已更正为 <span class="nw">500.00 元</span> <span class="nw">${TODAY}</span>（更正记录 <span class="nw">FA-D-C</span>），与核验时不符</span>`);

    // Then it finds nothing was delivered: its cancellation of the correction ends the chain.
    const CANCEL = `mutation($input: CharityDeliveryCancelInput!) { charityDeliveryCancel(input: $input) { delivery { id } userErrors { code field } } }`;
    await ok(charity, CANCEL, { input: { deliveryId: correction, reason: '未实际发放', reference: 'FA-D-R' } }, 'charityDeliveryCancel');
    expect((await shown()).firstAid).toEqual({ aidSourceReference: delivered, amountFen: 60_000, standing: 'CANCELLED_AT_SOURCE', supersededBy: { aidSourceReference: expect.stringMatching(/^reported_aid:\d+$/), amountFen: 0, aidDate: TODAY, reference: 'FA-D-R' } });
    expect(await briefOf()).toContain('<span class="overdue">该救助记录已冲销（冲销记录 <span class="nw">FA-D-R</span>），未实际落实</span>');
    expect((await supervised()).office).toEqual([{ office: 'CIVIL_AFFAIRS', case: { id: caseId }, standing: 'CANCELLED_AT_SOURCE', supersededBy: { amountFen: 0, reference: 'FA-D-R' } }]);

    // Named afterwards for another first aid, the cancelled delivery's record is refused as cancelled, as a record revoked in place is, not as unknown.
    const again = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主再次突发困难', reportedAt: `${TODAY}T08:00:00+08:00` } }, 'caseOpen')).case.id;
    await ok(hub.gql, MOVE, { input: { caseId: again, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const named = { caseId: again, programme: 'CHARITY_JISHIJIU_99', amountFen: 60_000, beneficiaryIdNumber: WANG.head, reason: '慈善组织先行发放生活救助' };
    expect(codes(await hub.gql(FIRST_AID, { input: { ...named, aidSourceReference: delivered } }), 'caseFirstAid')).toEqual(['AID_RECORD_CANCELLED']);
    expect(codes(await hub.gql(FIRST_AID, { input: { ...named, aidSourceReference: corrected.firstAid.supersededBy.aidSourceReference } }), 'caseFirstAid')).toEqual(['AID_RECORD_CANCELLED']);
  });
});

it('masks the reference of a record changed in place (a 低保 share, keyed by the member’s ID number) for a caller that sees no ID number, as the slip’s own', async () => {
  const caseId = await caseInDeliberation(hub.gql, wangId, '配偶低保待遇调整', '2026-03-12T09:00:00+08:00');
  const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`;
  const decision = { department: 'CIVIL_AFFAIRS', programme: 'DIBAO', amountFen: 72_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.spouse, conflictOverrideReason: '调整低保档次，非重复发放' };
  const met = await ok(hub.gql, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision] } }, 'meetingRecord');
  const slipId = met.meeting.decisions[0].id;
  // 民政's county office answers the slip: it handles slips, and sees no ID number in clear.
  const handler = hub.as({ token: (await hub.createClient({ name: 'dibao-handler', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER', 'REFERRAL_HANDLER'] })).token, purpose: 'REFERRAL' }).gql;
  await ok(handler, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`, { input: { referralId: slipId } }, 'referralAccept');
  const [share] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoMembers', [{ familyNo: 'DB370811-0001', idNo: WANG.spouse, relationToHead: '配偶', joinedOn: '2026-03-14', monthlyShareFen: 72_000 }]);
  expect(share).toContain(WANG.spouse);
  await ok(handler, COMPLETE, { input: { referralId: slipId, feedback: '已调整低保', aidSourceReference: share } }, 'referralComplete');
  // 民政 lowers the share in place: the record changed since it was checked.
  await civilAffairsScenario.update(dbs.sources.CIVIL_AFFAIRS, 'dibaoMembers', { monthlyShareFen: 30_000 }, { idNo: WANG.spouse, joinedOn: '2026-03-14' });
  const SEEN = `query($id: ID!) { referral(id: $id) { fulfilment { aidSourceReference standing supersededBy { aidSourceReference amountFen } } } }`;
  const seen = (await handler(SEEN, { id: slipId })).data.referral.fulfilment;
  expect(seen.standing).toBe('CHANGED_AT_SOURCE');
  expect(seen.supersededBy.amountFen).toBe(30_000);
  expect(seen.aidSourceReference).not.toContain(WANG.spouse);
  expect(seen.supersededBy.aidSourceReference).toBe(seen.aidSourceReference);
  // A caseworker sees both in clear.
  expect((await hub.gql(SEEN, { id: slipId })).data.referral.fulfilment.supersededBy.aidSourceReference).toBe(share);
});

describe('medical aid paid in a hospital settlement that 医保 reverses (冲销) after a slip was completed with it', () => {
  it('reads CANCELLED_AT_SOURCE on the slip, overdueReport and the brief, while the reversed settlement stays out of the household’s aid, its totals and X7', async () => {
    const setlId = 'SETL20260313001';
    const HOUSEHOLD = `query($id: ID!) { household(id: $id) { aid { sourceReference amountFen } aidSummary(from: "2025-03-16", to: "2026-03-15") { totalFen byDepartment { department { code } totalFen recordCount } } } }`;
    const household = async () => {
      const res = await hub.gql(HOUSEHOLD, { id: String(wangId) });
      expect(res.errors).toBeUndefined();
      return res.data.household;
    };
    const PRE_GRANT = `query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { clear settlementUnknown findings { rule { id } } } }`;
    const preGrant = async () => {
      const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(PRE_GRANT, { i: { beneficiaryIdNumber: WANG.grandmother, programme: 'MEDICAL_AID', grantDate: TODAY, amountFen: 10_000, settlementReference: setlId } });
      expect(res.errors).toBeUndefined();
      return res.data.preGrantCheck;
    };
    const before = await household();

    // The meeting decides ¥800 of medical aid for the grandmother; 医保 pays it inside her settlement of 13 March.
    const caseId = await caseInDeliberation(hub.gql, wangId, '户主之母再次住院', '2026-03-11T09:00:00+08:00');
    const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`;
    const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 80_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother };
    const slipId = (await ok(hub.gql, MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision] } }, 'meetingRecord')).meeting.decisions[0].id;
    await ok(office.HEALTH, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`, { input: { referralId: slipId } }, 'referralAccept');
    const [paidInSettlement] = await healthScenario.insert(dbs.sources.HEALTH, 'settlements', {
      setlId,
      psnCertNo: WANG.grandmother,
      fixmedinsName: '济宁医学院附属医院',
      admDate: '2026-03-09',
      dscgDate: '2026-03-13',
      setlDate: '2026-03-13',
      diseName: '脑梗死',
      medfeeSumamt: '9000.00',
      hifpPay: '6000.00',
      hifmiPay: '0.00',
      mafPay: '800.00',
      psnPay: '2200.00',
    });
    expect((await household()).aid).toContainEqual({ sourceReference: paidInSettlement, amountFen: 80_000 });
    expect(await preGrant()).toMatchObject({ settlementUnknown: false });
    const done = await ok(office.HEALTH, COMPLETE, { input: { referralId: slipId, feedback: '一站式结算已支付医疗救助', aidSourceReference: paidInSettlement } }, 'referralComplete');
    expect(done.referral.state).toBe('COMPLETED');
    expect((await office.HEALTH(STANDING, { id: slipId })).data.referral.fulfilment).toEqual({ aidSourceReference: paidInSettlement, standing: 'STANDS' });

    // 医保 reverses the settlement: its row stays, flagged 1 已冲销.
    await healthScenario.update(dbs.sources.HEALTH, 'settlements', { refdSetlFlag: '1' }, { setlId });
    const SHOWN = `query($id: ID!) { referral(id: $id) { state fulfilment { aidSourceReference standing supersededBy { aidSourceReference } } } }`;
    expect((await office.HEALTH(SHOWN, { id: slipId })).data.referral).toEqual({ state: 'COMPLETED', fulfilment: { aidSourceReference: paidInSettlement, standing: 'CANCELLED_AT_SOURCE', supersededBy: null } });

    // Supervision lists it so, asking medical insurance for the reversed rows in one statement more, not one per slip.
    const REPORT = `{ overdueReport { byOffice { office { key } fulfilmentsWithdrawn { referral { id } standing supersededBy { amountFen } } } } }`;
    const report = await hub.gql(REPORT);
    expect(report.errors).toBeUndefined();
    const health = report.data.overdueReport.byOffice.find((g: any) => g.office.key === 'HEALTH').fulfilmentsWithdrawn;
    expect(health).toContainEqual({ referral: { id: slipId }, standing: 'CANCELLED_AT_SOURCE', supersededBy: null });
    expect(health).toContainEqual({ referral: { id: slips.HEALTH }, standing: 'NOT_FOUND_AT_SOURCE', supersededBy: null });
    expect(report.extensions?.sqlStatements?.bySource).toMatchObject({ HEALTH: 2 });

    // The brief says the department took the aid back, as for any record revoked at its source.
    const html = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
    const at = html.indexOf(briefCode(paidInSettlement));
    expect(at).toBeGreaterThan(0);
    expect(html.slice(html.lastIndexOf('<tr>', at), html.indexOf('</tr>', at))).toContain('<span class="overdue">该救助记录已被部门撤销，未实际落实</span>');

    // The reversed settlement pays nothing the household is counted as receiving, and is no stay to weigh aid against (X7).
    expect(await household()).toEqual(before);
    expect(await preGrant()).toMatchObject({ clear: false, settlementUnknown: true, findings: [] });
  });
});

describe('a record its source took back before it was named', () => {
  it('refuses medical aid in a settlement 医保 reversed (冲销) before the slip is completed or the first aid recorded AID_RECORD_CANCELLED, as any revoked record, and another household’s AID_RECORD_NOT_FOUND; a slip’s aidRecord reversed afterwards reads CANCELLED, not null', async () => {
    const caseId = await caseInDeliberation(hub.gql, wangId, '户主之母肺炎住院', '2026-03-11T09:00:00+08:00');
    const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`;
    const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 60_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother };
    const slipId = (await ok(hub.gql, MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [decision] } }, 'meetingRecord')).meeting.decisions[0].id;
    await ok(office.HEALTH, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`, { input: { referralId: slipId } }, 'referralAccept');
    // Three stays settled on 14 March with ¥600 of medical aid: hers reversed (已冲销) before the office answers, a stranger's reversed, hers standing.
    const stay = { psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: '2026-03-12', dscgDate: '2026-03-14', setlDate: '2026-03-14', diseName: '肺炎', medfeeSumamt: '5000.00', hifpPay: '3500.00', hifmiPay: '0.00', mafPay: '600.00', psnPay: '900.00' };
    const [reversed, strangers, standing] = await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
      { ...stay, setlId: 'SETL20260314R', refdSetlFlag: '1' },
      { ...stay, setlId: 'SETL20260314S', psnCertNo: syntheticId('1951-05-05', 31), refdSetlFlag: '1' },
      { ...stay, setlId: 'SETL20260314A' },
    ]);
    const completeWith = (aidSourceReference: string) => office.HEALTH(COMPLETE, { input: { referralId: slipId, feedback: '一站式结算已支付医疗救助', aidSourceReference } });
    expect(codes(await completeWith(reversed), 'referralComplete')).toEqual(['AID_RECORD_CANCELLED']);
    // Another household's settlement is none of this one's, reversed or not: nothing said of it.
    expect(codes(await completeWith(strangers), 'referralComplete')).toEqual(['AID_RECORD_NOT_FOUND']);

    // A first aid naming the reversed settlement's aid is refused so too.
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    const urgent = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母急病住院', reportedAt: '2026-03-13T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(hub.gql, MOVE, { input: { caseId: urgent, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const firstAid = { caseId: urgent, programme: 'MEDICAL_AID', amountFen: 60_000, beneficiaryIdNumber: WANG.grandmother, reason: '先行医疗救助' };
    expect(await hub.gql(FIRST_AID, { input: { ...firstAid, aidSourceReference: reversed } })).toMatchObject({ data: { caseFirstAid: { case: null, userErrors: [{ code: 'AID_RECORD_CANCELLED', field: ['input', 'aidSourceReference'] }] } } });
    expect(codes(await hub.gql(FIRST_AID, { input: { ...firstAid, aidSourceReference: strangers } }), 'caseFirstAid')).toEqual(['AID_RECORD_NOT_FOUND']);

    // The standing one completes the slip; reversed afterwards, the slip's aidRecord is the record as 医保 holds it now: CANCELLED.
    await ok(office.HEALTH, COMPLETE, { input: { referralId: slipId, feedback: '一站式结算已支付医疗救助', aidSourceReference: standing } }, 'referralComplete');
    const AID_RECORD = `query($id: ID!) { referral(id: $id) { aidRecord { sourceReference status amountFen supersededBy { sourceReference } } fulfilment { standing } } }`;
    expect((await office.HEALTH(AID_RECORD, { id: slipId })).data.referral).toEqual({ aidRecord: { sourceReference: standing, status: 'PAID', amountFen: 60_000, supersededBy: null }, fulfilment: { standing: 'STANDS' } });
    await healthScenario.update(dbs.sources.HEALTH, 'settlements', { refdSetlFlag: '1' }, { setlId: 'SETL20260314A' });
    // Reversed in place, no entry of its own: CANCELLED, nothing in its place (a ledger entry's reversal is its supersededBy).
    expect((await office.HEALTH(AID_RECORD, { id: slipId })).data.referral).toEqual({ aidRecord: { sourceReference: standing, status: 'CANCELLED', amountFen: 60_000, supersededBy: null }, fulfilment: { standing: 'CANCELLED_AT_SOURCE' } });
  });
});
