/**
 * A meeting's decision of aid for a hospital stay names the stay (DecisionInput.settlementReference),
 * and its pre-grant check weighs it as preGrantCheck weighs a proposal's: the aid already tied to
 * the stay and the decision against its out-of-pocket burden (X7), a number medical insurance does
 * not hold (SETTLEMENT_UNKNOWN) and another person's stay for medical aid (SETTLEMENT_OTHER_PERSON).
 * The meeting's check ran without it, so ¥1 over the burden was decided as clear. The slip keeps the
 * stay, a correction names it too, and the aid record completing the slip must be of it.
 *
 * Then the case is handed over (移交): its convener, whose county's offices still answer its slips,
 * corrects a decision of it (refused CASE_ENDED before), against the case's own slips still waiting,
 * but adds none (new aid is the successor county's to decide).
 *
 * The Wang grandmother's stay SETL20260110001: out of pocket ¥7,010.50 plus ¥5,000 medical aid paid
 * at settlement, a burden of ¥12,010.50, of which ¥7,010.50 is left for more aid.
 */
import { eq } from 'drizzle-orm';
import { household } from '../db/household/schema';
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, countyClients } from './support/cases';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG, ZHAO } from './support/scenarios';

const STAY = 'SETL20260110001';
/** What the stay's burden leaves for more aid, in fen. */
const LEFT_FEN = 701_050;
const HELD_ON = '2026-03-12';

const CHECK = `query($i: PreGrantCheckInput!) { preGrantCheck(input: $i) { clear conflicts settlementUnknown settlementOtherPerson findings { rule { id } } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisions { id settlementReference decisionCheck { conflict findings { ruleId severity } } } } userErrors { code field } } }`;
const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) {
  superseded { id state } issued { id amountFen settlementReference decisionCheck { findings { ruleId } } } userErrors { code field } } }`;
const SLIP = `query($id: ID!) { referral(id: $id) { id state settlementReference } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code field } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { state } userErrors { code } } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id settlementReference decisionCheck { findings { ruleId severity } } } userErrors { code field } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { state } userErrors { code } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const clients: Record<'ca' | 'health' | 'weishanCa', Gql> = {} as never;
/** The convener's request headers, for the brief's route. */
let caHeaders: Record<string, string>;
let caseId: string;
/**
 * The meeting's slips: the grandmother's on her stay, the spouse's on a mistyped number, the head's
 * on the grandmother's stay; and the union's, the head's declined and reassigned.
 */
const slips: Record<'grandmother' | 'spouse' | 'head' | 'union', string> = {} as never;

const medicalAid = (beneficiaryIdNumber: string, amountFen: number, settlementReference: string | null, extra: Record<string, unknown> = {}) => ({
  department: 'HEALTH',
  programme: 'MEDICAL_AID',
  amountFen,
  deadlineWorkingDays: 10,
  beneficiaryIdNumber,
  settlementReference,
  ...extra,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function meeting(decisions: Record<string, unknown>[]): Promise<any> {
  const res = await clients.ca(MEETING, { input: { caseId, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions } });
  expect(res.errors).toBeUndefined();
  return res.data.meetingRecord;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function correct(gql: Gql, input: Record<string, unknown>): Promise<any> {
  const res = await gql(CORRECT, { input: { caseId, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.decisionCorrect;
}

async function preGrant(beneficiaryIdNumber: string, amountFen: number, settlementReference: string) {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { i: { beneficiaryIdNumber, programme: 'MEDICAL_AID', grantDate: HELD_ON, amountFen, settlementReference } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_decision_settlement');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['health', '370811', 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    ['weishanCa', '370826', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;
  caHeaders = made.ca.headers;
  caseId = await caseInDeliberation(clients.ca, wangId, '户主之母住院，自付费用高', '2026-03-09T09:00:00+08:00');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a meeting’s decision naming its stay', () => {
  it('is weighed as preGrantCheck weighs it: ¥0.01 over what the stay leaves is X7, refused without an override reason', async () => {
    expect(await preGrant(WANG.grandmother, LEFT_FEN, STAY)).toMatchObject({ clear: true, findings: [] });
    expect(await preGrant(WANG.grandmother, LEFT_FEN + 1, STAY)).toMatchObject({ clear: false, conflicts: 1, findings: [{ rule: { id: 'X7' } }] });
    const over = await meeting([medicalAid(WANG.grandmother, LEFT_FEN + 1, STAY)]);
    expect(over.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] }]);
  });

  it('is weighed together with the meeting’s other decisions on the stay, medical aid first: the excess is the union’s, decided after it', async () => {
    // Each alone is within what the stay leaves; together they are ¥0.01 over it. Weighed each
    // against what is paid alone, both were decided clear.
    const union = { department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, settlementReference: STAY };
    const aid = medicalAid(WANG.grandmother, LEFT_FEN - 100_000 + 1, STAY);
    expect(await preGrant(WANG.grandmother, LEFT_FEN - 100_000 + 1, STAY)).toMatchObject({ clear: true, findings: [] });
    const decide = async (decisions: Record<string, unknown>[]) => {
      const res = await clients.ca(MEETING, { input: { caseId, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'UNION'], decisions } });
      expect(res.errors).toBeUndefined();
      return res.data.meetingRecord.userErrors;
    };
    // Listed first or second, the union's illness aid tops up what medical aid leaves (医疗救助 → 帮扶、慈善): the excess is on it.
    expect(await decide([union, aid])).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] }]);
    expect(await decide([aid, union])).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '1', 'conflictOverrideReason'] }]);
  });

  it('refuses a stay on a programme not tied to one, as preGrantCheck does', async () => {
    const res = await clients.ca(MEETING, {
      input: { caseId, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [{ department: 'HEALTH', programme: 'PREMIUM_SUBSIDY', amountFen: 100, deadlineWorkingDays: 10, settlementReference: STAY }] },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_TIED_TO_STAY', argument: 'input.decisions[0].settlementReference' });
  });

  it('records an unknown number and another person’s stay as warnings of the check, as preGrantCheck says them, and keeps the stay on the slip', async () => {
    expect(await preGrant(WANG.spouse, 100_000, 'SETL-TYPO-1')).toMatchObject({ clear: false, conflicts: 0, settlementUnknown: true });
    expect(await preGrant(WANG.head, 100_000, STAY)).toMatchObject({ clear: false, conflicts: 0, settlementOtherPerson: true });
    // The grandmother's and the head's on her stay add up to exactly what it leaves: not over, clear of X7.
    const met = await meeting([medicalAid(WANG.grandmother, LEFT_FEN - 100_000, STAY), medicalAid(WANG.spouse, 100_000, 'SETL-TYPO-1'), medicalAid(WANG.head, 100_000, ` ${STAY} `)]);
    expect(met.userErrors).toEqual([]);
    const [grandmother, spouse, head] = met.meeting.decisions;
    Object.assign(slips, { grandmother: grandmother.id, spouse: spouse.id, head: head.id });
    expect(grandmother.decisionCheck).toEqual({ conflict: false, findings: [] });
    expect(spouse.decisionCheck).toEqual({ conflict: false, findings: [{ ruleId: 'SETTLEMENT_UNKNOWN', severity: 'WARNING' }] });
    expect(head.decisionCheck).toEqual({ conflict: false, findings: [{ ruleId: 'SETTLEMENT_OTHER_PERSON', severity: 'WARNING' }] });
    // Health detail: the health office reads the stay on its slip.
    const slip = await clients.health(SLIP, { id: slips.head });
    expect(slip.errors).toBeUndefined();
    expect(slip.data.referral).toEqual({ id: slips.head, state: 'ISSUED', settlementReference: STAY });
  });
});

describe('a correction naming the stay', () => {
  it('is weighed as the meeting’s decision: over what the stay leaves is X7', async () => {
    const input = { reason: '金额有误', changes: [{ referralId: slips.grandmother, decision: medicalAid(WANG.grandmother, LEFT_FEN + 1, STAY) }] };
    expect((await correct(clients.ca, input)).userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'changes', '0', 'decision', 'conflictOverrideReason'] }]);
  });

  it('is weighed with the meeting’s decisions still waiting on the stay, in place of the one it supersedes: ¥0.01 more than decided is X7', async () => {
    // Alone the corrected amount is within what the stay leaves; beside the head's slip on the stay it is ¥0.01 over.
    expect(await preGrant(WANG.grandmother, LEFT_FEN - 100_000 + 1, STAY)).toMatchObject({ clear: true, findings: [] });
    const input = { reason: '金额有误', changes: [{ referralId: slips.grandmother, decision: medicalAid(WANG.grandmother, LEFT_FEN - 100_000 + 1, STAY) }] };
    expect((await correct(clients.ca, input)).userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'changes', '0', 'decision', 'conflictOverrideReason'] }]);
  });
});

describe('the aid record completing a decision for a stay', () => {
  it('must be tied to that stay', async () => {
    expect((await ok(clients.health, ACCEPT, { input: { referralId: slips.grandmother } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
    const [untied, otherStay, ofStay] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
      { payId: 'MA-SETL-1', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '7010.50' },
      { payId: 'MA-SETL-2', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '7010.50', setlId: 'SETL-ELSEWHERE' },
      { payId: 'MA-SETL-3', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '7010.50', setlId: STAY },
    ]);
    for (const aidSourceReference of [untied, otherStay]) {
      const res = await clients.health(COMPLETE, { input: { referralId: slips.grandmother, feedback: '医疗救助已支付', aidSourceReference } });
      expect(res.errors).toBeUndefined();
      expect(res.data.referralComplete.userErrors).toEqual([{ code: 'AID_RECORD_SETTLEMENT_MISMATCH', field: ['input', 'aidSourceReference'] }]);
    }
    const done = await clients.health(COMPLETE, { input: { referralId: slips.grandmother, feedback: '医疗救助已支付', aidSourceReference: ofStay } });
    expect(done.data.referralComplete).toEqual({ referral: { state: 'COMPLETED' }, userErrors: [] });
  });
});

describe('a reassignment naming the stay', () => {
  it('is weighed as a meeting’s decision: the stay fully relieved now, any union illness aid for it is X7', async () => {
    await ok(clients.health, DECLINE, { input: { referralId: slips.head, reason: '非本人住院，不属医疗救助' } }, 'referralDecline');
    const input = { referralId: slips.head, reason: '改由工会大病帮扶', department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 100, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, settlementReference: STAY };
    const refused = await clients.ca(REASSIGN, { input });
    expect(refused.errors).toBeUndefined();
    expect(refused.data.referralReassign.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] }]);
    // Left out, the stay is the declined decision's (it pays the same stay): weighed the same (X7).
    const { settlementReference: _named, ...unnamed } = input;
    const defaulted = await clients.ca(REASSIGN, { input: unnamed });
    expect(defaulted.data.referralReassign.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] }]);
    const reassigned = await ok(clients.ca, REASSIGN, { input: { ...unnamed, conflictOverrideReason: '工会帮扶另有标准，会议同意' } }, 'referralReassign');
    expect(reassigned.referral).toEqual({ id: expect.any(String), settlementReference: STAY, decisionCheck: { findings: [{ ruleId: 'X7', severity: 'CONFLICT' }] } });
    slips.union = reassigned.referral.id;
  });
});

describe('the meeting brief', () => {
  it('prints each decision’s stay beside it and its slip (a case meeting reads health detail)', async () => {
    const res = await fetch(`${hub.url}/cases/${caseId}/brief?view=current`, { headers: caHeaders });
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/<[^>]+>/g, '');
    // The grandmother's (completed), the head's (declined) and its reassignment to the union, each in
    // the meeting's decisions and in the slip list; the mistyped number on the spouse's.
    expect(text.match(new RegExp(`住院结算：${STAY}`, 'g'))).toHaveLength(6);
    expect(text.match(/住院结算：SETL-TYPO-1/g)).toHaveLength(2);
  });
});

describe('a handed-over case’s decisions', () => {
  beforeAll(async () => {
    // The household moves to 微山县; 任城区's convener hands the case over with its slips still open.
    const [moved] = await dbs.hub.update(household).set({ regionCode: ZHAO.regionCode }).where(eq(household.id, wangId));
    expect(moved.affectedRows).toBe(1);
    expect((await ok(clients.ca, HAND_OVER, { input: { caseId, reason: '户籍迁至微山县，移交微山县民政局办理' } }, 'caseHandOver')).case.state).toBe('HANDED_OVER');
  });

  it('are corrected by the convener who decided them, checked against the case’s own slips still waiting', async () => {
    // The spouse's decision changed into a second union illness aid for the head, beside the head's open slip.
    const unionIllness = { department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 100, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head };
    const duplicate = { reason: '受助人有误', changes: [{ referralId: slips.spouse, decision: unionIllness }] };
    expect((await correct(clients.ca, duplicate)).userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'changes', '0', 'decision', 'conflictOverrideReason'] }]);
    const out = await correct(clients.ca, { reason: '结算号有误', changes: [{ referralId: slips.spouse, decision: medicalAid(WANG.spouse, 100_000, null) }] });
    expect(out.userErrors).toEqual([]);
    expect(out.superseded).toEqual([{ id: slips.spouse, state: 'SUPERSEDED' }]);
    expect(out.issued).toEqual([{ id: expect.any(String), amountFen: 100_000, settlementReference: null, decisionCheck: { findings: [] } }]);
    // Withdrawn, too: its office has nothing more to do.
    const withdrawn = await correct(clients.ca, { reason: '已由他案解决', changes: [{ referralId: slips.union }] });
    expect(withdrawn.userErrors).toEqual([]);
    expect(withdrawn.superseded).toEqual([{ id: slips.union, state: 'SUPERSEDED' }]);
  });

  it('gain no new decision there (the successor’s county decides new aid), and the new county corrects nothing of them', async () => {
    const added = await correct(clients.ca, { reason: '追加救助', add: [{ department: 'HEALTH', programme: 'PREMIUM_SUBSIDY', amountFen: 10_000, deadlineWorkingDays: 10 }] });
    expect(added.userErrors).toEqual([{ code: 'CASE_ENDED', field: ['input', 'add'] }]);
    const theirs = await correct(clients.weishanCa, { reason: '金额有误', changes: [{ referralId: slips.spouse }] });
    expect(theirs.userErrors.map((e: { code: string }) => e.code)).toEqual(['CASE_NOT_FOUND']);
  });
});
