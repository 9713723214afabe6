/**
 * Several decisions of one meeting on the same hospital stay are weighed together (X7 adds up
 * everything for one stay): what is paid, the slips still waiting on the stay, and the meeting's
 * decisions, medical aid first (医疗救助 before the union's illness aid and charity, which top up what
 * it leaves), so the excess is on the office that tops up. Each was weighed against what is paid
 * alone, so two offices could each be decided the stay's whole burden. A correction or a reassignment
 * is weighed in place of the decision it replaces, beside the rest, not added to it.
 *
 * The Wang grandmother's stay SETL20260110001 leaves ¥7,010.50 of its burden for more aid.
 */
import { runDataUpgrades } from '../db/setup/upgrades';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, countyClients } from './support/cases';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const STAY = 'SETL20260110001';
/** What the stay's burden leaves for more aid, in fen. */
const LEFT_FEN = 701_050;
/** The union's illness aid for the head, toward his mother's stay. */
const UNION_FEN = 100_000;
const HELD_ON = '2026-03-12';

const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisions { id programme { code } decisionCheck { conflict overrideReason findings { ruleId severity } } } } userErrors { code field } } }`;
const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) {
  issued { id amountFen decisionCheck { findings { ruleId severity } } } userErrors { code field } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { state } userErrors { code } } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id settlementReference decisionCheck { findings { ruleId severity } } } userErrors { code field } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let caseId: string;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const clients: Record<'ca' | 'health', Gql> = {} as never;
const slips: Record<'union' | 'medical', string> = {} as never;

const medicalAid = (amountFen: number) => ({ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother, settlementReference: STAY });
const unionIllness = (amountFen: number, extra: Record<string, unknown> = {}) => ({
  department: 'UNION',
  programme: 'UNION_ILLNESS',
  amountFen,
  deadlineWorkingDays: 10,
  beneficiaryIdNumber: WANG.head,
  settlementReference: STAY,
  ...extra,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function meeting(decisions: Record<string, unknown>[]): Promise<any> {
  const res = await clients.ca(MEETING, { input: { caseId, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'UNION'], decisions } });
  expect(res.errors).toBeUndefined();
  return res.data.meetingRecord;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function correct(input: Record<string, unknown>): Promise<any> {
  const res = await clients.ca(CORRECT, { input: { caseId, reason: '金额有误', ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.decisionCorrect;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_decision_same_stay');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['health', '370811', 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;
  caseId = await caseInDeliberation(clients.ca, wangId, '户主之母住院，自付费用高', '2026-03-09T09:00:00+08:00');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a meeting’s decisions on one stay', () => {
  it('are refused together ¥0.01 over what the stay leaves, each within it alone: X7 on the union’s, listed first, as medical aid is paid first', async () => {
    const over = await meeting([unionIllness(UNION_FEN + 1), medicalAid(LEFT_FEN - UNION_FEN)]);
    expect(over.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] }]);
  });

  it('are recorded with the override reason, the finding kept on the union’s decision and none on the medical aid', async () => {
    const met = await meeting([unionIllness(UNION_FEN + 1, { conflictOverrideReason: '工会帮扶标准另定，会议同意' }), medicalAid(LEFT_FEN - UNION_FEN)]);
    expect(met.userErrors).toEqual([]);
    const [union, medical] = met.meeting.decisions;
    expect(union.decisionCheck).toEqual({ conflict: true, overrideReason: '工会帮扶标准另定，会议同意', findings: [{ ruleId: 'X7', severity: 'CONFLICT' }] });
    expect(medical.decisionCheck).toEqual({ conflict: false, overrideReason: null, findings: [] });
    Object.assign(slips, { union: union.id, medical: medical.id });
  });
});

describe('a correction of one of them', () => {
  it('replaces the decision it supersedes: the union’s cut by ¥0.01 is weighed beside the medical aid alone, exactly the burden, clear', async () => {
    const out = await correct({ changes: [{ referralId: slips.union, decision: unionIllness(UNION_FEN) }] });
    expect(out.userErrors).toEqual([]);
    expect(out.issued).toEqual([{ id: expect.any(String), amountFen: UNION_FEN, decisionCheck: { findings: [] } }]);
    slips.union = out.issued[0].id;
  });

  it('is weighed with the slip still waiting on the stay: the medical aid raised by ¥0.01 is X7', async () => {
    const out = await correct({ changes: [{ referralId: slips.medical, decision: medicalAid(LEFT_FEN - UNION_FEN + 1) }] });
    expect(out.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'changes', '0', 'decision', 'conflictOverrideReason'] }]);
  });
});

describe('a reassignment of one of them', () => {
  it('is weighed in place of the declined decision, beside the slip still waiting on the stay', async () => {
    await ok(clients.health, DECLINE, { input: { referralId: slips.medical, reason: '不符合医疗救助条件' } }, 'referralDecline');
    // As the union's illness aid for the grandmother, the stay taken from the declined decision.
    const input = { referralId: slips.medical, reason: '改由工会大病帮扶', department: 'UNION', programme: 'UNION_ILLNESS', amountFen: LEFT_FEN - UNION_FEN + 1, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother };
    const over = await clients.ca(REASSIGN, { input });
    expect(over.errors).toBeUndefined();
    expect(over.data.referralReassign.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] }]);
    const within = await ok(clients.ca, REASSIGN, { input: { ...input, amountFen: LEFT_FEN - UNION_FEN } }, 'referralReassign');
    expect(within.referral).toEqual({ id: expect.any(String), settlementReference: STAY, decisionCheck: { findings: [] } });
  });
});

describe('slips an earlier release stored with the stay as the clerk typed it (lower case)', () => {
  it('are weighed on the stay once the upgrade has keyed them: the union’s aid raised by ¥0.01 beside the reassigned slip is X7', async () => {
    // As stored before letters were upper-cased (settlementReferenceOf), and as jobs migration 0005 leaves the upgrade.
    await dbs.hubPool.query('UPDATE referral_slip SET settlement_ref = LOWER(settlement_ref) WHERE settlement_ref IS NOT NULL');
    await dbs.hubPool.query("UPDATE data_upgrade SET resume_after = 0, rows_changed = 0, finished_at = NULL WHERE name LIKE 'settlement-keyed:%'");
    expect((await runDataUpgrades(dbs.hub)).filter((r) => r.upgrade === 'settlement-keyed:referral_slip')).toEqual([expect.objectContaining({ rowsChanged: expect.any(Number) })]);
    const out = await correct({ changes: [{ referralId: slips.union, decision: unionIllness(UNION_FEN + 1) }] });
    expect(out.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'changes', '0', 'decision', 'conflictOverrideReason'] }]);
  });
});
