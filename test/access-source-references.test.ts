/**
 * A department's source reference can hold an ID number: civil affairs keys a 低保 member's record
 * by family, ID number and day joined (its table, family/ID number/date). Wherever a case
 * names such a record (a slip's `aidSourceReference`, its fulfilment's, a first aid's), the ID number
 * inside it is masked for a caller without ID numbers in clear, as `AidRecord.sourceReference` is
 * (docs/access.md, REFERENCE): a reader-only office read the beneficiary masked and the same ID
 * number in clear one field away. The printed meeting brief, which says its ID numbers are masked
 * (身份证号已作遮蔽处理), masks one in a record reference or in free text (a summary) too.
 */
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { maskIdNumber } from '../domain/id-number';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation } from './support/cases';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id } userErrors { code field } } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code field } } }`;
const READ = `query($caseId: ID!, $slipId: ID!) {
  case(id: $caseId) { firstAid { aidSourceReference beneficiary { idNumber } } }
  referral(id: $slipId) { aidSourceReference fulfilment { aidSourceReference beneficiary { idNumber } } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let firstAidCase: string;
let decidedCase: string;
let slip: string;
let spouseRef: string;
let grandmotherRef: string;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('access_source_refs');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  // Two members taken into a second 低保 family this month: records whose references hold their ID numbers.
  await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoFamilies', [{ familyNo: 'DB370811-0002', countyCode: '370811', headIdNo: WANG.spouse, areaType: 1, approvedOn: '2026-03-10' }]);
  [spouseRef, grandmotherRef] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'dibaoMembers', [
    { familyNo: 'DB370811-0002', idNo: WANG.spouse, relationToHead: '本人', joinedOn: '2026-03-10', monthlyShareFen: 72_000 },
    { familyNo: 'DB370811-0002', idNo: WANG.grandmother, relationToHead: '母', joinedOn: '2026-03-13', monthlyShareFen: 72_000 },
  ]);
  expect(spouseRef).toContain(WANG.spouse);
  expect(grandmotherRef).toContain(WANG.grandmother);

  // An urgent case whose first aid is the spouse's 低保.
  firstAidCase = (await ok(hub.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: `申请人 ${WANG.spouse} 突发困难`, reportedAt: '2026-03-09T09:00:00+08:00' } }, 'caseOpen')).case.id;
  await ok(hub.gql, MOVE, { input: { caseId: firstAidCase, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  await ok(hub.gql, FIRST_AID, { input: { caseId: firstAidCase, programme: 'DIBAO', amountFen: 72_000, beneficiaryIdNumber: WANG.spouse, aidSourceReference: spouseRef, reason: '先行纳入低保' } }, 'caseFirstAid');

  // A meeting decides the grandmother's 低保; civil affairs completes the slip with her record.
  const caseId = (decidedCase = await caseInDeliberation(hub.gql, wangId, '生活困难', '2026-03-09T09:00:00+08:00'));
  const met = await ok(
    hub.gql,
    MEETING,
    {
      input: {
        caseId,
        heldOn: '2026-03-12',
        departmentsPresent: ['CIVIL_AFFAIRS'],
        decisions: [{ department: 'CIVIL_AFFAIRS', programme: 'DIBAO', amountFen: 72_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother, conflictOverrideReason: '原低保家庭拆分，另立户' }],
      },
    },
    'meetingRecord',
  );
  slip = met.meeting.decisions[0].id;
  await ok(hub.gql, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
  await ok(hub.gql, COMPLETE, { input: { referralId: slip, feedback: '已纳入低保', aidSourceReference: grandmotherRef } }, 'referralComplete');
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('masks the ID number inside a case’s source references for a reader without ID numbers in clear', async () => {
  const { token } = await hub.createClient({ department: 'HEALTH', roles: ['READER'], regionScope: '370811' });
  const res = await hub.as({ token, purpose: 'REFERRAL' }).gql(READ, { caseId: firstAidCase, slipId: slip });
  expect(res.errors).toBeUndefined();
  expect(res.data.case.firstAid.beneficiary.idNumber).toBe(maskIdNumber(WANG.spouse));
  expect(res.data.referral.fulfilment.beneficiary.idNumber).toBe(maskIdNumber(WANG.grandmother));
  // The references themselves: the same record, its ID number masked as the beneficiary's is.
  expect(res.data.case.firstAid.aidSourceReference).toBe(spouseRef.replace(WANG.spouse, maskIdNumber(WANG.spouse)));
  expect(res.data.referral.aidSourceReference).toBe(grandmotherRef.replace(WANG.grandmother, maskIdNumber(WANG.grandmother)));
  expect(res.data.referral.fulfilment.aidSourceReference).toBe(grandmotherRef.replace(WANG.grandmother, maskIdNumber(WANG.grandmother)));
  const json = JSON.stringify(res.data);
  for (const idNumber of [WANG.spouse, WANG.grandmother]) expect(json).not.toContain(idNumber);
});

it('shows them in clear to the convener, who sees ID numbers', async () => {
  const res = await hub.gql(READ, { caseId: firstAidCase, slipId: slip });
  expect(res.errors).toBeUndefined();
  expect(res.data.case.firstAid.aidSourceReference).toBe(spouseRef);
  expect(res.data.referral.aidSourceReference).toBe(grandmotherRef);
  expect(res.data.referral.fulfilment.aidSourceReference).toBe(grandmotherRef);
});

it('prints no ID number in clear on the meeting brief: not in a decision’s aid record, not in a case’s summary', async () => {
  for (const [caseId, idNumber] of [[decidedCase, WANG.grandmother], [firstAidCase, WANG.spouse]] as const) {
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders });
    expect(brief.status).toBe(200);
    const html = await brief.text();
    expect(html).toContain('身份证号已作遮蔽处理');
    expect(html).toContain(maskIdNumber(idNumber));
    for (const id of [WANG.head, WANG.spouse, WANG.child, WANG.grandmother]) expect(html).not.toContain(id);
  }
});
