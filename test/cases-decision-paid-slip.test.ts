/**
 * A decision slip its office has paid at the source (the department's record exists) but not yet
 * completed in the hub is counted once, as paid: not again as aid decided and not yet given. It was
 * counted twice, so a later meeting of the household read a false X7 (the stay over its burden) and a
 * false DUPLICATE_DECISION, both DECISION_CONFLICT unless overridden. The decision's check now says
 * SLIP_LOOKS_PAID (a WARNING) naming the slip, for its office to complete. A record that is not the
 * slip's (dated before the decision) is another grant, and both still count.
 *
 * The Wang grandmother's stay SETL20260110001 leaves ¥7,010.50 of its burden for more aid.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, countyClients } from './support/cases';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { healthScenario } from '../federation/health/scenario';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';

const STAY = 'SETL20260110001';
/** What the stay's burden leaves for more aid, in fen. */
const LEFT_FEN = 701_050;
/** The union's illness aid for the head, toward his mother's stay: what medical aid leaves of LEFT_FEN. */
const UNION_FEN = 100_000;
const MEDICAL_FEN = LEFT_FEN - UNION_FEN;

const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisions { id decisionCheck { conflict findings { ruleId severity summary departments { code } } } } } userErrors { code field message } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const clients: Record<'ca' | 'health', Gql> = {} as never;
let caHeaders: Record<string, string>;

const medicalAid = (amountFen: number) => ({ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother, settlementReference: STAY });
const unionIllness = (amountFen: number) => ({ department: 'UNION', programme: 'UNION_ILLNESS', amountFen, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, settlementReference: STAY });
const tempAid = (beneficiaryIdNumber: string, cause: string) => ({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, beneficiaryIdNumber, cause });

/** A new case of the household met on `heldOn` deciding `decisions`: the raw response (its sqlStatements too). */
async function meetingOfNewCase(summary: string, decisions: Record<string, unknown>[], heldOn = '2026-03-14') {
  const caseId = await caseInDeliberation(clients.ca, wangId, summary, '2026-03-09T09:00:00+08:00');
  const res = await clients.ca(MEETING, { input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'UNION'], decisions } });
  expect(res.errors).toBeUndefined();
  return { caseId, res };
}

/** The case's meeting brief as printed text (the latest meeting's decisions, as they stand now). */
async function briefText(caseId: string): Promise<string> {
  const res = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: caHeaders });
  expect(res.status).toBe(200);
  return (await res.text()).replace(/<[^>]+>/g, '');
}

const ruleIds = (check: { findings: { ruleId: string }[] }) => check.findings.map((f) => f.ruleId);

beforeAll(async () => {
  dbs = await createTestDatabases('cases_decision_paid_slip');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER', 'REFERRAL_HANDLER'], 'CASE_MEETING'],
    ['health', '370811', 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;
  caHeaders = made.ca.headers;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a medical aid slip paid at the source, not yet completed (X7 on its stay)', () => {
  let medicalSlip: string;
  let medicalCase: string;
  let paymentRef: string;

  it('is weighed as waiting while health has not paid: the union’s aid on the stay a fen over what is left is X7', async () => {
    const first = await meetingOfNewCase('户主之母住院，医疗救助', [medicalAid(MEDICAL_FEN)], '2026-03-12');
    expect(first.res.data.meetingRecord.userErrors).toEqual([]);
    medicalSlip = first.res.data.meetingRecord.meeting.decisions[0].id;
    medicalCase = first.caseId;
    expect(await briefText(medicalCase)).not.toContain('看来已发放');
    const over = await meetingOfNewCase('户主之母住院，工会帮扶', [unionIllness(UNION_FEN + 1)]);
    expect(over.res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] })]);
    expect(over.res.data.meetingRecord.userErrors[0].message).toContain('X7');
  });

  it('once paid at the source is counted once: the union’s aid within what is left is clear of X7, and the check says the slip looks paid', async () => {
    [paymentRef] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
      { payId: 'MA-2026-0313', psnCertNo: WANG.grandmother, setlId: STAY, aidType: 'MAF', payDate: '2026-03-13', payAmt: (MEDICAL_FEN / 100).toFixed(2) },
    ]);
    const { res } = await meetingOfNewCase('户主之母住院，工会帮扶（医保已付）', [unionIllness(UNION_FEN)]);
    expect(res.data.meetingRecord.userErrors).toEqual([]);
    const [union] = res.data.meetingRecord.meeting.decisions;
    expect(union.decisionCheck.conflict).toBe(false);
    expect(ruleIds(union.decisionCheck)).toEqual(['SLIP_LOOKS_PAID']);
    const [note] = union.decisionCheck.findings;
    expect(note).toMatchObject({ severity: 'WARNING', departments: [{ code: 'HEALTH' }] });
    expect(note.summary).toContain(`转办单 ${medicalSlip}`);
    // The office to complete it is named as the slip's to.name names it (its county's), as the brief does, not the bare 医疗保障局.
    expect(note.summary).toContain('任城区医疗保障局数据中有与之相符的记录');
    expect(note.summary).toContain('请任城区医疗保障局以该记录办结该转办单');
    // No settlement number (health detail) in what every department at the meeting reads.
    expect(note.summary).not.toContain(STAY);
    // The brief prints the waiting decision as looking paid, to be completed with that record.
    expect(await briefText(medicalCase)).toContain(`待办结：看来已发放（部门数据中相符的记录：2026-03-13 ${(MEDICAL_FEN / 100).toFixed(2)} 元），请以该记录办结本转办单`);
  });

  it('still finds X7 when the sum is over with the slip counted once, as paid', async () => {
    const { res } = await meetingOfNewCase('户主之母住院，工会帮扶超额', [unionIllness(UNION_FEN + 1)]);
    expect(res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT' })]);
  });

  it('is completed by health with the record the check read as its payment', async () => {
    await ok(clients.health, ACCEPT, { input: { referralId: medicalSlip } }, 'referralAccept');
    const done = await ok(clients.health, COMPLETE, { input: { referralId: medicalSlip, feedback: '已支付', aidSourceReference: paymentRef } }, 'referralComplete');
    expect(done.referral.state).toBe('COMPLETED');
    expect(await briefText(medicalCase)).not.toContain('看来已发放');
  });
});

describe('a temporary aid slip paid at the source, not yet completed (DUPLICATE_DECISION)', () => {
  let slip: string;

  it('is a duplicate decision while civil affairs has not paid it', async () => {
    const first = await meetingOfNewCase('配偶意外受伤', [tempAid(WANG.spouse, 'ACCIDENT')], '2026-03-12');
    expect(first.res.data.meetingRecord.userErrors).toEqual([]);
    slip = first.res.data.meetingRecord.meeting.decisions[0].id;
    const again = await meetingOfNewCase('配偶患病', [tempAid(WANG.spouse, 'ILLNESS')]);
    expect(again.res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT' })]);
    expect(again.res.data.meetingRecord.userErrors[0].message).toContain('DUPLICATE_DECISION');
  });

  it('once paid at the source, a grant for another cause is no duplicate: the check says the slip looks paid, in the same department statements', async () => {
    const before = await meetingOfNewCase('配偶患病（未付前）', [tempAid(WANG.spouse, 'ILLNESS')]);
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [
      { idNo: WANG.spouse, familyNo: 'DB370811-0001', causeCode: '02', isUrgent: false, grantDate: '2026-03-13', amountFen: 150_000, approvalLevel: 1 },
    ]);
    const { res } = await meetingOfNewCase('配偶患病（已付后）', [tempAid(WANG.spouse, 'ILLNESS')]);
    expect(res.data.meetingRecord.userErrors).toEqual([]);
    const [decision] = res.data.meetingRecord.meeting.decisions;
    expect(ruleIds(decision.decisionCheck)).toContain('SLIP_LOOKS_PAID');
    expect(ruleIds(decision.decisionCheck)).not.toContain('DUPLICATE_DECISION');
    expect(decision.decisionCheck.findings.find((f: { ruleId: string }) => f.ruleId === 'SLIP_LOOKS_PAID').summary).toContain(`转办单 ${slip}`);
    // The records were read for the dossier already: no department is asked again.
    const departments = (r: typeof res) => Object.fromEntries(Object.entries(r.extensions?.sqlStatements?.bySource ?? {}).filter(([k]) => k !== 'HUB'));
    expect(departments(res)).toEqual(departments(before.res));
  });

  it('a grant dated before the decision is another grant: the same programme decided again for the grandmother is still a duplicate', async () => {
    // The grandmother's temporary aid of 2026-01-20 (illness) predates a decision of 2026-03-12 for her: it is not that decision's.
    const first = await meetingOfNewCase('祖母再次患病', [tempAid(WANG.grandmother, 'ILLNESS')], '2026-03-12');
    expect(first.res.data.meetingRecord.userErrors).toEqual([]);
    const again = await meetingOfNewCase('祖母意外受伤', [tempAid(WANG.grandmother, 'ACCIDENT')]);
    expect(again.res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT' })]);
    expect(again.res.data.meetingRecord.userErrors[0].message).toContain('DUPLICATE_DECISION');
  });
});
