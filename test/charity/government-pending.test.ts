/**
 * Charity comes after government aid (民发〔2023〕46号; README "Charity linkage"): a need published
 * while a meeting's decision for the same kind of need is decided and not yet given (its slip ISSUED
 * or ACCEPTED) is refused GOVERNMENT_AID_PENDING, naming the slip, what is still to be given and by
 * when, unless the office states why the need cannot wait; that reason is kept with the need and the
 * charity sees "government aid pending". A need published before the meeting decided stays as it is,
 * and the office sees the overlap on the case's needs and in the brief. Before, the need was published
 * without a word and a charity could pledge what the government was about to pay.
 *
 * The Wang household (scenarios.ts): a case met on 2026-03-12 deciding health's ¥1,000 of medical aid
 * for the grandmother and housing's public rental for the head (test/support/cases.ts).
 */
import { makeCreditCode } from '../../domain/credit-code';
import { needPurposesAnswered, pendingForNeed } from '../../domain/charity/government-pending';
import { TestClock } from '../support/clock';
import { wangHealthAndHousingSlips } from '../support/cases';
import { startCharityScenario, type CharityScenario } from '../support/charity-linkage';
import { okPayload } from '../support/payloads';
import { TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

let s: CharityScenario<'org'>;
let office: CharityScenario<'org'>['office'];
let charity: CharityScenario<'org'>['office'];
let earlyNeedId: string;
let meeting: Awaited<ReturnType<typeof wangHealthAndHousingSlips>>;

const NEED_FIELDS = `id state involvesHealth governmentAidPendingReason governmentAidPending { referralId sameCase programme { code } office { key } amountFen dueOn state }`;
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { ${NEED_FIELDS} } userErrors { code field message } } }`;

async function publish(input: Record<string, unknown>) {
  const res = await office.gql(PUBLISH, { input: { consentId: s.consentId, urgency: 'URGENT', uncoveredFen: 300_000, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.charityNeedPublish;
}

async function needsOfCase(caseId: string) {
  const res = await office.gql(`query($c: ID!) { charityNeedsOfCase(caseId: $c) { ${NEED_FIELDS} } }`, { c: caseId });
  expect(res.errors).toBeUndefined();
  return res.data.charityNeedsOfCase;
}

beforeAll(async () => {
  // The scenario's case (reported 2026-03-10) is the earlier one; the meeting's case comes after.
  s = await startCharityScenario('charity_government_pending', {
    clock: clock.now,
    officeClient: 'rencheng-civil-pending',
    organisations: { org: { creditCode: makeCreditCode('53370811MJ1357913'), name: '任城区慈善总会' } },
    hub: { today: TODAY, purpose: 'CASE_MEETING' },
  });
  office = s.office;
  charity = s.charities.org;
  // A housing need published from the earlier case, before any meeting decided the household's housing.
  const early = await publish({ caseId: s.caseId, purpose: 'HOUSING', description: '房屋漏雨急需修缮' });
  expect(early.userErrors).toEqual([]);
  expect(early.need.governmentAidPending).toEqual([]);
  earlyNeedId = early.need.id;
  meeting = await wangHealthAndHousingSlips(s.hub, s.householdId, 'pending');
});

afterAll(async () => {
  await s?.hub.close();
  await s?.dbs.close();
});

describe('publishing a need while government aid for it is decided and not yet given', () => {
  it('is GOVERNMENT_AID_PENDING naming the slip, what is still to be given and by when; nothing is published', async () => {
    const r = await publish({ caseId: meeting.caseId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.grandmother, description: '住院自付部分难以承担' });
    expect(r.need).toBeNull();
    expect(r.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field])).toEqual([['GOVERNMENT_AID_PENDING', ['input', 'governmentAidPendingReason']]]);
    const message: string = r.userErrors[0].message;
    expect(message).toContain(`本案转办单 ${meeting.slips.HEALTH}`);
    expect(message).toContain('医疗救助');
    // The office as Office.name names it: the county's office, not the bare department every county has.
    expect(message).toContain('（医疗救助，任城区医疗保障局，');
    expect(message).toContain('1000.00 元');
    expect(message).not.toContain(WANG.grandmother);
    expect((await needsOfCase(meeting.caseId)).map((n: { id: string }) => n.id)).toEqual([]);
  });

  it('a household need of the purpose a slip answers is refused too, whoever the slip is for', async () => {
    const r = await publish({ caseId: meeting.caseId, purpose: 'HOUSING', description: '房屋漏雨急需修缮' });
    expect(r.userErrors.map((e: { code: string }) => e.code)).toEqual(['GOVERNMENT_AID_PENDING']);
    expect(r.userErrors[0].message).toContain(`本案转办单 ${meeting.slips.HOUSING}`);
    expect(r.userErrors[0].message).toContain('任城区住房和城乡建设局');
  });

  it('a need no pending slip answers is published as before: another purpose, or another member’s illness', async () => {
    const living = await publish({ caseId: meeting.caseId, purpose: 'LIVING', description: '家庭生活暂时困难' });
    expect(living.userErrors).toEqual([]);
    expect(living.need.governmentAidPending).toEqual([]);
    expect(living.need.governmentAidPendingReason).toBeNull();
    const head = await publish({ caseId: meeting.caseId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.head, description: '门诊费用难以承担', governmentAidPendingReason: '无需说明' });
    expect(head.userErrors).toEqual([]);
    // Nothing pending for it: the reason is not kept, so no charity is told of pending aid.
    expect(head.need.governmentAidPendingReason).toBeNull();
  });

  it('a reason the charity would read is screened as the description is', async () => {
    for (const reason of ['王建国家急需', '联系电话 13805370000']) {
      const r = await publish({ caseId: meeting.caseId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.grandmother, description: '住院自付部分难以承担', governmentAidPendingReason: reason });
      expect(r.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field])).toEqual([['DESCRIPTION_IDENTIFIES', ['input', 'governmentAidPendingReason']]]);
    }
    // A blank reason is no reason: the need is still refused, and nothing is published.
    const blank = await publish({ caseId: meeting.caseId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.grandmother, description: '住院自付部分难以承担', governmentAidPendingReason: ' \n ' });
    expect(blank.userErrors.map((e: { code: string; field: string[] }) => [e.code, e.field])).toEqual([['TEXT_REQUIRED', ['input', 'governmentAidPendingReason']]]);
    expect((await needsOfCase(meeting.caseId)).filter((n: { governmentAidPendingReason: string | null }) => n.governmentAidPendingReason !== null)).toEqual([]);
  });

  it('with the reason it cannot wait, it is published: the reason kept, the slip shown to the office, "government aid pending" to the charity', async () => {
    const reason = '医疗救助需至月底发放，出院结算须先行垫付';
    const r = await publish({ caseId: meeting.caseId, purpose: 'MEDICAL', beneficiaryIdNumber: WANG.grandmother, description: '住院自付部分难以承担', governmentAidPendingReason: reason });
    expect(r.userErrors).toEqual([]);
    expect(r.need.governmentAidPendingReason).toBe(reason);
    // A reason telling of a hospital stay hands the charity health data, as a description would: the need rests on it.
    const housing = await publish({ caseId: meeting.caseId, purpose: 'HOUSING', description: '房屋漏雨急需修缮', governmentAidPendingReason: '老人住院期间房屋须先修缮' });
    expect(housing.userErrors).toEqual([]);
    expect(housing.need).toMatchObject({ involvesHealth: true, governmentAidPendingReason: '老人住院期间房屋须先修缮' });
    expect(r.need.governmentAidPending).toEqual([
      { referralId: meeting.slips.HEALTH, sameCase: true, programme: { code: 'MEDICAL_AID' }, office: { key: 'HEALTH' }, amountFen: 100_000, dueOn: expect.any(String), state: 'ACCEPTED' },
    ]);
    const needId = r.need.id;
    const summaries = await charity.gql(`{ charityNeedSummaries { edges { node { id governmentAidPending } } } }`);
    const flags = Object.fromEntries(summaries.data.charityNeedSummaries.edges.map((e: { node: { id: string; governmentAidPending: boolean } }) => [e.node.id, e.node.governmentAidPending]));
    expect(flags[needId]).toBe(true);
    expect(flags[earlyNeedId]).toBe(false);
    await okPayload(charity.gql, `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { lapsesOn } userErrors { code } } }`, { id: needId }, 'charityNeedClaim');
    const detail = await charity.gql(`query($id: ID!) { charityNeedDetail(id: $id) { governmentAidPending governmentAidPendingReason } }`, { id: needId });
    expect(detail.errors).toBeUndefined();
    expect(detail.data.charityNeedDetail).toEqual({ governmentAidPending: true, governmentAidPendingReason: reason });
  });
});

describe('a need published before the meeting decided', () => {
  it('stays open; the office sees the slip on the case’s needs and in the brief', async () => {
    const [need] = await needsOfCase(s.caseId);
    expect(need).toMatchObject({ id: earlyNeedId, state: 'OPEN', governmentAidPendingReason: null });
    expect(need.governmentAidPending).toEqual([
      { referralId: meeting.slips.HOUSING, sameCase: false, programme: { code: 'PUBLIC_RENTAL' }, office: { key: 'HOUSING' }, amountFen: 40_000, dueOn: expect.any(String), state: 'ACCEPTED' },
    ]);
    const brief = await fetch(`${s.hub.url}/cases/${s.caseId}/brief`, { headers: s.hub.as({ token: s.officeToken, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    const html = await brief.text();
    expect(html).toContain('政府救助已决定未发放');
    expect(html).toContain(`转办单 ${meeting.slips.HOUSING} 公租房实物配租`);
  });

  it('once the slip is no longer waiting (declined), nothing is pending and a housing need is published without a reason', async () => {
    await okPayload(
      meeting.office.HOUSING,
      `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { state } userErrors { code } } }`,
      { input: { referralId: meeting.slips.HOUSING, reason: '不符合实物配租条件' } },
      'referralDecline',
    );
    expect((await needsOfCase(s.caseId))[0].governmentAidPending).toEqual([]);
    const r = await publish({ caseId: meeting.caseId, purpose: 'HOUSING', description: '房屋漏雨急需修缮' });
    expect(r.userErrors).toEqual([]);
    expect(r.need.governmentAidPendingReason).toBeNull();
  });
});

describe('which decisions answer which needs (pure)', () => {
  it('maps programmes to need purposes by what they pay for, temporary aid by its cause; charity answers none', () => {
    expect(needPurposesAnswered('MEDICAL_AID', null)).toEqual(['MEDICAL', 'REHABILITATION']);
    expect(needPurposesAnswered('REHAB_AID', null)).toEqual(['REHABILITATION']);
    expect(needPurposesAnswered('DIBAO', null)).toEqual(['LIVING']);
    expect(needPurposesAnswered('TEMP_AID', 'ILLNESS')).toEqual(['MEDICAL', 'REHABILITATION']);
    expect(needPurposesAnswered('TEMP_AID', 'DISASTER')).toEqual(['DISASTER', 'LIVING']);
    expect(needPurposesAnswered('TEMP_AID', null)).toEqual(['LIVING', 'OTHER']);
    expect(needPurposesAnswered('WINTER_SPRING_RELIEF', null)).toEqual(['DISASTER', 'LIVING']);
    expect(needPurposesAnswered('CHARITY_MEDICAL', null)).toEqual([]);
    expect(needPurposesAnswered('LEGAL_AID', null)).toEqual([]);
    expect(needPurposesAnswered('TRAINING_SUBSIDY', null)).toEqual([]);
  });

  it('a person’s need meets that person’s decisions and the household’s; a household need meets everyone’s', () => {
    const slips = [
      { id: 1, programmeCode: 'NATIONAL_GRANT', cause: null, beneficiaryIdNumber: 'A' },
      { id: 2, programmeCode: 'TUITION_WAIVER', cause: null, beneficiaryIdNumber: null },
      { id: 3, programmeCode: 'NATIONAL_GRANT', cause: null, beneficiaryIdNumber: 'B' },
    ];
    expect(pendingForNeed({ purpose: 'EDUCATION', beneficiaryIdNumber: 'A' }, slips).map((s) => s.id)).toEqual([1, 2]);
    expect(pendingForNeed({ purpose: 'EDUCATION', beneficiaryIdNumber: null }, slips).map((s) => s.id)).toEqual([1, 2, 3]);
    expect(pendingForNeed({ purpose: 'HOUSING', beneficiaryIdNumber: null }, slips)).toEqual([]);
  });
});
