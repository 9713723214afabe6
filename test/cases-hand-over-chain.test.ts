/**
 * After a hand-over (移交), and after a second one: the 赵 household moves 微山县 → 任城区 → 兖州区,
 * its case handed over at each move (case 1 in 微山县, its successor case 2 in 任城区, case 3 in
 * 兖州区). A handed-over case's open slips stay with its offices: they are decided aid not yet given,
 * which a new decision of any county is checked against (it was not: an ended case's slips were
 * skipped, and the next county could decide the same aid again). Each county reads its own case and
 * every earlier case of the chain, wherever the household lives now (the county in the middle lost
 * the first case once the household moved on, and the last lost both once it moved again), but no
 * later case. A decision declined after its case was handed over is reassigned by its convener.
 */
import { region } from '../db/household/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { civilAffairsDeclinesOpen, countyClients, toDeliberation } from './support/cases';
import { insertRegions, insertZhao, moveHousehold as moveTo, TODAY, REGIONS, ZHAO } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id reference } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } case { reference } userErrors { code field message } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } successorReference userErrors { code } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id state } userErrors { code } } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id state to { key county { code } } case { id state } } userErrors { code field message } } }`;
const SUCCESSOR_OF = `query($id: ID!) { case(id: $id) { successor { id } } }`;
const CHAIN = `query($id: ID!) { case(id: $id) { id state referrals { id state }
  predecessor { id state referrals { id state } history { action }
    predecessor { id state referrals { id state } history { action } } } } }`;
const CASE = `query($id: ID!) { case(id: $id) { id state referrals { id state } } }`;

const WEISHAN = '370826';
const RENCHENG = '370811';
const YANZHOU = '370812';
const RENCHENG_HOME = REGIONS.find((r) => r.level === 'VILLAGE' && r.code.startsWith(RENCHENG))!.code;
const YANZHOU_HOME = '370812001001';

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let zhaoId: number;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
const clients: Record<'weishanCa' | 'weishanHealth' | 'renchengCa' | 'yanzhouCa', Gql> = {} as never;

/** The three cases of the chain, and the slips of the first two still waiting. */
let case1: string;
let case2: string;
let case3: string;
let reference1: string;
let reference2: string;
/** 微山县's meeting: 医疗救助 for the head, to 微山县医保局 (declined after the hand-over, then reassigned). */
let medicalSlip: string;
/** 任城区's meeting: 临时救助 for the head, to 任城区民政局, waiting when case 2 is handed over. */
let tempAidSlip: string;

const moveHousehold = (regionCode: string) => moveTo(dbs, zhaoId, regionCode);

const medicalAid = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: ZHAO.head };
const tempAid = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 80_000, deadlineWorkingDays: 5, beneficiaryIdNumber: ZHAO.head };
const meeting = (caseId: string, decisions: unknown[]) => ({ input: { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions } });

/** The successor the hand-over opened, as the receiving county finds it. */
async function successorOf(gql: Gql, caseId: string): Promise<string> {
  const res = await gql(SUCCESSOR_OF, { id: caseId });
  expect(res.errors).toBeUndefined();
  return res.data.case.successor.id;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over_chain');
  await insertRegions(dbs);
  await dbs.hub.insert(region).values([
    { code: YANZHOU, name: '兖州区', level: 'COUNTY', parentCode: '370800' },
    { code: '370812001', name: '鼓楼街道', level: 'TOWNSHIP', parentCode: YANZHOU },
    { code: YANZHOU_HOME, name: '东御桥社区', level: 'VILLAGE', parentCode: '370812001' },
  ]);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['weishanCa', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanHealth', WEISHAN, 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    ['renchengCa', RENCHENG, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['yanzhouCa', YANZHOU, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;

  // 微山县 decides 医疗救助 for the head; the household moves to 任城区 before 微山县医保局 pays it,
  // and 微山县's convener hands the case over.
  const opened = await ok(clients.weishanCa, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院自付费用较高' } }, 'caseOpen');
  case1 = opened.case.id;
  reference1 = opened.case.reference;
  await toDeliberation(clients.weishanCa, case1);
  medicalSlip = (await ok(clients.weishanCa, MEETING, meeting(case1, [medicalAid]), 'meetingRecord')).meeting.decisions[0].id;
  await moveHousehold(RENCHENG_HOME);
  await ok(clients.weishanCa, HAND_OVER, { input: { caseId: case1, reason: '户籍迁至任城区' } }, 'caseHandOver');
  case2 = await successorOf(clients.renchengCa, case1);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the decisions of a handed-over case still waiting for their offices', () => {
  it('are weighed against a new decision in the county the household moved to, naming the case it reads', async () => {
    const ca = clients.renchengCa;
    await toDeliberation(ca, case2);
    const refused = await ca(MEETING, meeting(case2, [medicalAid]));
    expect(refused.errors).toBeUndefined();
    expect(refused.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] })]);
    const [error] = refused.data.meetingRecord.userErrors;
    expect(error.message).toContain('DUPLICATE_DECISION');
    // 任城区 reads 微山县's case as its own case's predecessor: the refusal names it.
    expect(error.message).toContain(`案件 ${reference1} 的转办单 ${medicalSlip}`);
    // Other aid is decided as usual.
    const met = await ok(ca, MEETING, meeting(case2, [tempAid]), 'meetingRecord');
    tempAidSlip = met.meeting.decisions[0].id;
    reference2 = met.case.reference;
  });

  it('weigh against a reassignment on the handed-over case, the other county’s case not named to it', async () => {
    // 微山县医保局 declines after the hand-over; 微山县's convener reassigns the decision on its ended case.
    await ok(clients.weishanHealth, DECLINE, { input: { referralId: medicalSlip, reason: '已迁出本县' } }, 'referralDecline');
    const reassign = { referralId: medicalSlip, reason: '改由民政临时救助', ...tempAid };
    const refused = await clients.weishanCa(REASSIGN, { input: reassign });
    expect(refused.data.referralReassign.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] })]);
    // 微山县 does not read 任城区's case (it is the successor): the slip is not named by its case.
    expect(refused.data.referralReassign.userErrors[0].message).toContain('本户另一案件的转办单');
    expect(refused.data.referralReassign.userErrors[0].message).not.toContain(reference2);
  });
});

describe('a decision declined after its case was handed over', () => {
  it('is reassigned by the handing county’s convener on the ended case, leaving its open declines', async () => {
    const declines = () => civilAffairsDeclinesOpen(clients.weishanCa);
    expect(await declines()).toContain(medicalSlip);
    // 任城区's convener cannot reach it.
    const elsewhere = await clients.renchengCa(REASSIGN, { input: { referralId: medicalSlip, reason: '改派', department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 100_000, deadlineWorkingDays: 10 } });
    expect(codes(elsewhere, 'referralReassign')).toEqual(['REFERRAL_NOT_FOUND']);
    const res = await ok(clients.weishanCa, REASSIGN, { input: { referralId: medicalSlip, reason: '改由工会大病帮扶', department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 100_000, deadlineWorkingDays: 10 } }, 'referralReassign');
    // A new slip of the ended case, to 微山县's union office, which answers it as its own.
    expect(res.referral).toMatchObject({ state: 'ISSUED', to: { key: 'UNION', county: { code: WEISHAN } }, case: { id: case1, state: 'HANDED_OVER' } });
    expect(await declines()).not.toContain(medicalSlip);
    const read = await clients.weishanCa(CASE, { id: case1 });
    expect(read.data.case.referrals).toEqual([{ id: medicalSlip, state: 'DECLINED' }, { id: res.referral.id, state: 'ISSUED' }]);
  });
});

describe('a second move: 任城区 hands case 2 over to 兖州区', () => {
  beforeAll(async () => {
    await moveHousehold(YANZHOU_HOME);
    await ok(clients.renchengCa, HAND_OVER, { input: { caseId: case2, reason: '户籍迁至兖州区' } }, 'caseHandOver');
    case3 = await successorOf(clients.yanzhouCa, case2);
  });

  it('weighs both earlier counties’ waiting slips against 兖州区’s decisions', async () => {
    const ca = clients.yanzhouCa;
    await toDeliberation(ca, case3);
    const refused = await ca(MEETING, meeting(case3, [tempAid]));
    expect(refused.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT' })]);
    expect(refused.data.meetingRecord.userErrors[0].message).toContain(`案件 ${reference2} 的转办单 ${tempAidSlip}`);
  });

  it('gives 兖州区 the whole chain, and 任城区 its case and the one it continued, but not the one continuing it', async () => {
    const whole = await clients.yanzhouCa(CHAIN, { id: case3 });
    expect(whole.errors).toBeUndefined();
    expect(whole.data.case.predecessor).toMatchObject({ id: case2, state: 'HANDED_OVER', predecessor: { id: case1, state: 'HANDED_OVER' } });
    const middle = await clients.renchengCa(CHAIN, { id: case2 });
    expect(middle.errors).toBeUndefined();
    expect(middle.data.case.predecessor).toMatchObject({ id: case1, state: 'HANDED_OVER', referrals: [{ id: medicalSlip, state: 'DECLINED' }, expect.objectContaining({ state: 'ISSUED' })] });
    expect(middle.data.case.predecessor.history.length).toBeGreaterThan(0);
    expect((await clients.renchengCa(CASE, { id: case3 })).data.case).toBeNull();
  });

  it('leaves 微山县 its own case and its slips, and not the later ones', async () => {
    const own = await clients.weishanCa(CASE, { id: case1 });
    expect(own.errors).toBeUndefined();
    expect(own.data.case.referrals).toHaveLength(2);
    for (const later of [case2, case3]) expect((await clients.weishanCa(CASE, { id: later })).data.case).toBeNull();
    const next = await clients.weishanCa(SUCCESSOR_OF, { id: case1 });
    expect(next.errors?.map((e) => e.extensions?.reason)).toEqual(['OUT_OF_SCOPE']);
  });

  it('keeps the chain 兖州区’s and 任城区’s to read once the household has moved on again', async () => {
    // Back to 微山县, case 3 not yet handed over: 兖州区 still runs it, and reads what it took over.
    await moveHousehold(ZHAO.regionCode);
    try {
      const whole = await clients.yanzhouCa(CHAIN, { id: case3 });
      expect(whole.errors).toBeUndefined();
      expect(whole.data.case.predecessor).toMatchObject({ id: case2, referrals: [{ id: tempAidSlip, state: 'ISSUED' }], predecessor: { id: case1 } });
      const middle = await clients.renchengCa(CHAIN, { id: case2 });
      expect(middle.errors).toBeUndefined();
      expect(middle.data.case.predecessor).toMatchObject({ id: case1 });
    } finally {
      await moveHousehold(YANZHOU_HOME);
    }
  });
});
