/**
 * A meeting's decisions corrected after the meeting (decisionCorrect, db/cases/corrections.ts), with
 * the demo's own clients against a real hub and database: an amount corrected, an office withdrawn
 * and another added, a completed decision left alone (more aid is added beside it), retries
 * answered with the first outcome, two corrections of one slip at the same moment, who may correct,
 * and the superseded slips in the office's inbox, the case's history, the brief and supervision.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CLIENTS, ensureDemoClients } from '../access/demo-clients';
import { addWorkingDays } from '../domain/cases/working-days';
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, wangHealthAndHousingMeeting } from './support/cases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const SLIP = `id state amountFen dueOn to { key } programme { code } correction { role reason actor replacedBy { id } } deadlineStatus`;
const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) {
  case { state } superseded { ${SLIP} } issued { ${SLIP} } replayed userErrors { code field } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code } } }`;
const INBOX = `query($office: OfficeInput!, $states: [ReferralState!]) { referralsToOffice(office: $office, states: $states) { id state correction { reason replacedBy { id } } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let dir: string;
let tokens: Map<string, string>;
const demo: Record<string, Gql> = {};
/** The hub's clock: the meeting on Thursday 2026-03-12, the corrections on Sunday 03-15. */
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
let caseId: string;
const slips: Record<string, string> = {};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function correct(gql: Gql, input: Record<string, unknown>): Promise<any> {
  const res = await gql(CORRECT, { input: { caseId, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.decisionCorrect;
}

const codes = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((e) => e.code);

beforeAll(async () => {
  dbs = await createTestDatabases('cases_correct');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-demo-clients-'));
  tokens = await ensureDemoClients(hub.accessDb, path.join(dir, 'demo-clients.env'));
  for (const c of DEMO_CLIENTS) {
    const purpose = c.roles.includes('MEETING_CONVENER') ? 'CASE_MEETING' : 'REFERRAL';
    demo[c.variable] = hub.as({ token: tokens.get(c.variable)!, purpose }).gql;
  }
  const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
  caseId = await caseInDeliberation(ca, wangId, '户主之母住院，自付费用高', '2026-03-09T09:00:00+08:00');
  const met = await wangHealthAndHousingMeeting(ca, caseId, [
    { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 1_500_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother },
    { department: 'HOUSING', programme: 'RENT_SUBSIDY', amountFen: 50_000, deadlineWorkingDays: 10, conflictOverrideReason: '提高现有租赁补贴档次，非重复发放' },
  ]);
  Object.assign(slips, met.slips);
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('who may correct a decision', () => {
  it('is the convener of the case: a department, a township caseworker and another county are refused', async () => {
    const input = { caseId, reason: '金额有误', changes: [{ referralId: slips.HEALTH }] };
    for (const gql of [demo.AIDHUB_TOKEN_370811_HEALTH, demo.AIDHUB_TOKEN_TOWNSHIP]) {
      const res = await gql(CORRECT, { input });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    // 邹城市民政局 convenes its own county's cases only: this one does not exist for it.
    expect(codes(await correct(demo.AIDHUB_TOKEN_370883_CIVIL_AFFAIRS, input))).toEqual(['CASE_NOT_FOUND']);
  });

  it('needs a reason and something to correct', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    expect(codes(await correct(ca, { reason: ' ', changes: [{ referralId: slips.HEALTH }] }))).toEqual(['REASON_REQUIRED']);
    expect(codes(await correct(ca, { reason: '更正', changes: [] }))).toEqual(['CORRECTION_EMPTY']);
  });
});

describe('a corrected amount', () => {
  let corrected: string;
  const input = () => ({
    reason: '会议记录金额有误，应为 18000 元',
    idempotencyKey: 'correct-0001',
    changes: [{ referralId: slips.HEALTH, decision: { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 1_800_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother } }],
  });

  it('supersedes the slip and issues a new one, due from the day of the correction', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const out = await correct(ca, input());
    expect(out.userErrors).toEqual([]);
    expect(out.replayed).toBe(false);
    const [old] = out.superseded;
    const [fresh] = out.issued;
    corrected = fresh.id;
    expect(old).toMatchObject({ id: slips.HEALTH, state: 'SUPERSEDED', amountFen: 1_500_000, correction: { role: 'SUPERSEDED', reason: '会议记录金额有误，应为 18000 元', replacedBy: { id: fresh.id } } });
    expect(old.correction.actor).toMatch(/370811-civil-affairs/);
    expect(old.deadlineStatus).toBe('VOID');
    expect(fresh).toMatchObject({ state: 'ISSUED', amountFen: 1_800_000, to: { key: 'HEALTH' }, correction: { role: 'ISSUED', replacedBy: null }, deadlineStatus: 'PENDING' });
    // 10 working days from Sunday 03-15 (the correction), not from Thursday 03-12 (the meeting).
    expect(fresh.dueOn).toBe(addWorkingDays('2026-03-15', 10).date);
    expect(fresh.dueOn).not.toBe(addWorkingDays('2026-03-12', 10).date);
  });

  it('answers a retry with its first outcome, under its key or without one', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const again = await correct(ca, input());
    expect(again).toMatchObject({ replayed: true, userErrors: [], issued: [{ id: corrected }], superseded: [{ id: slips.HEALTH }] });
    expect(codes(await correct(ca, { ...input(), reason: '另一个理由' }))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // Without a key, the same correction by the same officer, nothing recorded since: its retry too.
    expect(await correct(ca, { ...input(), idempotencyKey: undefined })).toMatchObject({ replayed: true, userErrors: [], issued: [{ id: corrected }] });
    // Another correction of the slip already superseded is refused so.
    expect(codes(await correct(ca, { ...input(), idempotencyKey: undefined, reason: '再次更正' }))).toEqual(['DECISION_SUPERSEDED']);
  });

  it('tells the office: the old slip leaves its inbox for SUPERSEDED, and an answer to it is refused so', async () => {
    const health = demo.AIDHUB_TOKEN_370811_HEALTH;
    const open = await health(INBOX, { office: { department: 'HEALTH' } });
    expect(open.data.referralsToOffice.map((r: { id: string }) => r.id)).toEqual([corrected]);
    const gone = await health(INBOX, { office: { department: 'HEALTH' }, states: ['SUPERSEDED'] });
    expect(gone.data.referralsToOffice).toEqual([{ id: slips.HEALTH, state: 'SUPERSEDED', correction: { reason: '会议记录金额有误，应为 18000 元', replacedBy: { id: corrected } } }]);
    const answer = await health(ACCEPT, { input: { referralId: slips.HEALTH } });
    expect(answer.data.referralAccept.userErrors).toEqual([{ code: 'REFERRAL_SUPERSEDED' }]);
  });
});

describe('an office withdrawn and another added', () => {
  it('supersedes the housing decision without a replacement and issues the added one', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const out = await correct(ca, {
      reason: '住房部门不应承办：租赁补贴已达最高档，改由民政临时救助',
      changes: [{ referralId: slips.HOUSING }],
      add: [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 300_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, cause: 'OTHER' }],
    });
    expect(out.userErrors).toEqual([]);
    expect(out.superseded).toEqual([expect.objectContaining({ id: slips.HOUSING, state: 'SUPERSEDED', correction: expect.objectContaining({ replacedBy: null }) })]);
    expect(out.issued).toEqual([expect.objectContaining({ state: 'ISSUED', to: { key: 'CIVIL_AFFAIRS' }, programme: { code: 'TEMP_AID' }, dueOn: addWorkingDays('2026-03-15', 5).date })]);
    slips.TEMP = out.issued[0].id;
  });
});

describe('two corrections of one slip at the same moment', () => {
  it('lands one; the other is refused DECISION_SUPERSEDED, nothing written', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const to = (amountFen: number, reason: string) => ({ reason, changes: [{ referralId: slips.TEMP, decision: { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, cause: 'OTHER' } }] });
    const [a, b] = await Promise.all([correct(ca, to(350_000, '金额应为 3500 元')), correct(ca, to(400_000, '金额应为 4000 元'))]);
    const landed = [a, b].filter((o) => o.userErrors.length === 0);
    const refused = [a, b].filter((o) => o.userErrors.length > 0);
    expect(landed).toHaveLength(1);
    expect(refused.map(codes)).toEqual([['DECISION_SUPERSEDED']]);
    const slipsNow = await ca(`query($id: ID!) { case(id: $id) { referrals { id state to { key } } } }`, { id: caseId });
    const open = slipsNow.data.case.referrals.filter((r: { state: string; to: { key: string } }) => r.state === 'ISSUED' && r.to.key === 'CIVIL_AFFAIRS');
    expect(open.map((r: { id: string }) => r.id)).toEqual([landed[0].issued[0].id]);
  });
});

describe('a completed decision', () => {
  it('stays completed: correcting it is refused, and more aid is a decision added beside it', async () => {
    const health = demo.AIDHUB_TOKEN_370811_HEALTH;
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const [slip] = (await health(INBOX, { office: { department: 'HEALTH' } })).data.referralsToOffice;
    const [paid] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', { payId: 'MA-2026-0315', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-13', payAmt: '18000.00' });
    expect((await health(ACCEPT, { input: { referralId: slip.id } })).data.referralAccept.userErrors).toEqual([]);
    expect((await health(COMPLETE, { input: { referralId: slip.id, feedback: '医疗救助已结算', aidSourceReference: paid } })).data.referralComplete.userErrors).toEqual([]);
    const refused = await correct(ca, { reason: '再追加 2000 元', changes: [{ referralId: slip.id, decision: { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 2_000_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother } }] });
    expect(refused.userErrors).toEqual([{ code: 'DECISION_COMPLETED', field: ['input', 'changes', '0', 'referralId'] }]);
    const added = await correct(ca, {
      reason: '自付费用又增 2000 元，追加医疗救助',
      add: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 200_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother }],
    });
    expect(added.userErrors).toEqual([]);
    expect(added.superseded).toEqual([]);
    const still = await ca(`query($id: ID!) { referral(id: $id) { state correction { role } } }`, { id: slip.id });
    expect(still.data.referral).toEqual({ state: 'COMPLETED', correction: { role: 'ISSUED' } });
  });
});

describe('supervision and the case record', () => {
  it('lists the superseded slips as not overdue, the open ones as overdue', async () => {
    clock.set('2026-04-20T10:00:00+08:00');
    const res = await demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS(`{ overdueReport(regionCode: "370811") { byOffice { office { key } referrals { referral { id state } } } } }`);
    expect(res.errors).toBeUndefined();
    const overdue = res.data.overdueReport.byOffice.flatMap((o: { referrals: { referral: { id: string; state: string } }[] }) => o.referrals.map((r) => r.referral));
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.every((r: { state: string }) => r.state === 'ISSUED' || r.state === 'ACCEPTED')).toBe(true);
    expect(overdue.map((r: { id: string }) => r.id)).not.toContain(slips.HEALTH);
    expect(overdue.map((r: { id: string }) => r.id)).not.toContain(slips.HOUSING);
    const old = await demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS(`query($id: ID!) { referral(id: $id) { deadlineStatus overdue { workingDays } } }`, { id: slips.HOUSING });
    expect(old.data.referral).toEqual({ deadlineStatus: 'VOID', overdue: null });
  });

  it('a slip superseded once overdue: MISSED from then, never OVERDUE, and listed as late; an asOf before shows it as it stood', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const LATE = `answeredLate { referral { id state deadlineStatus } overdue { workingDays } }`;
    const read = async (asOf?: string) => {
      const res = await ca(`query($asOf: DateTime) { overdueReport(regionCode: "370811", asOf: $asOf) {
        byOffice { office { key } referrals { referral { id } } ${LATE} } byCounty { county { code } ${LATE} } } }`, { asOf });
      expect(res.errors).toBeUndefined();
      return res.data.overdueReport;
    };
    const report = async (asOf?: string) =>
      (await read(asOf)).byOffice.flatMap((o: { referrals: { referral: { id: string } }[] }) => o.referrals.map((r) => r.referral.id));
    type Late = { referral: { id: string; state: string; deadlineStatus: string }; overdue: { workingDays: number } };
    const lateOf = (groups: { office?: { key: string }; county?: { code: string }; answeredLate: Late[] }[]) =>
      groups.flatMap((g) => g.answeredLate.map((l) => ({ at: g.office?.key ?? g.county?.code, ...l })));
    const late = (await ca(`query($id: ID!) { case(id: $id) { referrals { id state to { key } } } }`, { id: caseId })).data.case.referrals.find(
      (r: { state: string; to: { key: string } }) => r.state === 'ISSUED' && r.to.key === 'CIVIL_AFFAIRS',
    ).id;
    expect(await report()).toContain(late);
    const withdrawn = await correct(ca, { reason: '户主已另获救助，撤销临时救助决定', changes: [{ referralId: late }] });
    expect(withdrawn.superseded).toEqual([expect.objectContaining({ id: late, state: 'SUPERSEDED', deadlineStatus: 'MISSED' })]);
    expect(await report()).not.toContain(late);
    expect(await report('2026-04-19T10:00:00+08:00')).toContain(late);
    // The correction ended the slip's overdue time, not its lateness: its office let it run late, and
    // supervision keeps reading that (it vanished from every list once superseded). A slip superseded
    // before it was due (the housing one, VOID) is not late.
    const now = await read();
    const missed = { referral: { id: late, state: 'SUPERSEDED', deadlineStatus: 'MISSED' }, overdue: { workingDays: expect.any(Number) } };
    expect(lateOf(now.byOffice).filter((l) => l.referral.id === late)).toEqual([{ at: 'CIVIL_AFFAIRS', ...missed }]);
    expect(lateOf(now.byCounty).filter((l) => l.referral.id === late)).toEqual([{ at: '370811', ...missed }]);
    expect(lateOf(now.byOffice).find((l) => l.referral.id === late)!.overdue.workingDays).toBeGreaterThan(0);
    expect(lateOf(now.byOffice).map((l) => l.referral.id)).not.toContain(slips.HOUSING);
    // Before the correction it was open and overdue, not yet late-answered.
    expect(lateOf((await read('2026-04-19T10:00:00+08:00')).byOffice).map((l) => l.referral.id)).not.toContain(late);
  });

  it('keeps the original and each correction in the case history, with who and why, and prints them in the brief', async () => {
    const ca = demo.AIDHUB_TOKEN_370811_CIVIL_AFFAIRS;
    const res = await ca(`query($id: ID!) { case(id: $id) { history { action actor reason referral { id } } } }`, { id: caseId });
    const history = res.data.case.history as { action: string; actor: string; reason: string | null; referral: { id: string } | null }[];
    expect(history.filter((e) => e.action === 'DECISION_CORRECTED').map((e) => e.reason)).toEqual([
      '会议记录金额有误，应为 18000 元',
      '住房部门不应承办：租赁补贴已达最高档，改由民政临时救助',
      expect.stringMatching(/^金额应为/),
      '自付费用又增 2000 元，追加医疗救助',
      '户主已另获救助，撤销临时救助决定',
    ]);
    const superseded = history.filter((e) => e.action === 'REFERRAL_SUPERSEDED');
    expect(superseded.map((e) => e.referral?.id)).toEqual([slips.HEALTH, slips.HOUSING, slips.TEMP, expect.any(String)]);
    expect(superseded[1].reason).toBe('决定撤销：住房部门不应承办：租赁补贴已达最高档，改由民政临时救助');
    expect(history.find((e) => e.action === 'MEETING_RECORDED')).toBeDefined();
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief?view=current`, { headers: hub.as({ token: tokens.get('AIDHUB_TOKEN_370811_CIVIL_AFFAIRS')!, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    const html = await brief.text();
    expect(html).toContain('更正会议决定');
    expect(html).toContain('已被更正取代');
    expect(html).toContain('会议记录金额有误，应为 18000 元');
    // The slip superseded once overdue reads as Referral.deadlineStatus does (MISSED): not answered,
    // so missed (超期未办), where the brief said it was handled late (超期办理); one superseded in time, no lateness.
    expect(html).toContain('已被更正取代（超期未办）</span>');
    expect(html).not.toContain('已被更正取代（超期办理）');
    expect(html).toContain('已被更正取代</span>');
  });
});
