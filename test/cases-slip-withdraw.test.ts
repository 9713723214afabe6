/**
 * 撤回 a slip (referralWithdraw). A slip the case's owner forwarded to the wrong office, or whose
 * matter went away, had no way out: only its receiving office could answer it, and a slip an earlier
 * release stored for another township of the case's county (refused OFFICE_OUT_OF_TOWNSHIP since
 * session 48) was in no inbox and held its case open for good (docs/operations.md, "Upgrading", said
 * to settle such cases by hand). The owner now withdraws a forwarded matter's slip still waiting,
 * with its reason: WITHDRAWN, out of the default inbox and into `states: [WITHDRAWN]`, an answer to it
 * REFERRAL_WITHDRAWN, its case free to close. A meeting's decision is DECISION_SLIP (its own routes),
 * an answered slip REFERRAL_ILLEGAL_TRANSITION; the retry answers once; an answer and a withdrawal
 * sent at once settle one way.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, max, sql } from 'drizzle-orm';
import { region } from '../db/household/schema';
import { caseEvent, referralSlip } from '../db/cases/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { countyClients } from './support/cases';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(120_000);

const cn = (local: string) => `${local}+08:00`;
/** Monday: a 1-working-day slip issued now is due Tuesday 11-03. */
const clock = new TestClock(cn('2026-11-02T09:00:00'));
/** Another township of 任城区 than the one 王's cases are kept in (古槐街道, 370811001). */
const OTHER_TOWNSHIP = '370811002';

const SLIP = `referral { id state withdrawReason answeredAt deadlineStatus } replayed userErrors { code field }`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`;
const WITHDRAW = `mutation($input: ReferralWithdrawInput!) { referralWithdraw(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code } } }`;
const INBOX = `query($states: [ReferralState!]) { referralsToOffice(office: { department: HEALTH }, states: $states) { id state withdrawReason } }`;
const HISTORY = `query($id: ID!) { case(id: $id) { state history { action reason referral { id } } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let clients: Awaited<ReturnType<typeof countyClients<'ca' | 'health' | 'township'>>>;

/** A case of 王's opened, accepted and under investigation by 任城区民政局. */
async function openCase(): Promise<string> {
  const caseId = (await ok(clients.ca.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '临时救助申请' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING']) await ok(clients.ca.gql, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
  return caseId;
}

/** A slip of the case to 任城区医保局, 1 working day. */
async function forward(caseId: string, ask: string): Promise<string> {
  return (await ok(clients.ca.gql, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 1 } }, 'referralIssue')).referral.id;
}

async function eventsOf(referralId: string, action: 'REFERRAL_WITHDRAWN' | 'REFERRAL_DECLINED') {
  return dbs.hub.select({ id: caseEvent.id }).from(caseEvent).where(and(eq(caseEvent.referralId, Number(referralId)), eq(caseEvent.action, action)));
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_slip_withdraw');
  await insertRegions(dbs);
  await dbs.hub.insert(region).values({ code: OTHER_TOWNSHIP, name: '济阳街道', level: 'TOWNSHIP', parentCode: '370811' });
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  clients = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['health', '370811', 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    // 古槐街道's own office: it reaches the case, but does not own it.
    ['township', '370811001', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'REFERRAL'],
  ]);
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
}, 60_000);

describe('a slip still waiting', () => {
  let caseId: string;
  let slip: string;

  beforeAll(async () => {
    clock.set(cn('2026-11-02T09:00:00'));
    caseId = await openCase();
    slip = await forward(caseId, '请核查住院费用');
  });

  it('is withdrawn by the case’s owner alone, with a reason', async () => {
    // The receiving office may not (its handlers hold no case role); another office that reaches the case does not own it.
    const byHealth = await clients.health.gql(WITHDRAW, { input: { referralId: slip, reason: '发错单位' } });
    expect(byHealth.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(codes(await clients.township.gql(WITHDRAW, { input: { referralId: slip, reason: '发错单位' } }), 'referralWithdraw')).toEqual(['NOT_CASE_OWNER']);
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: slip, reason: '  ' } }), 'referralWithdraw')).toEqual(['REASON_REQUIRED']);
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: slip, reason: '发'.repeat(501) } }), 'referralWithdraw')).toEqual(['TEXT_TOO_LONG']);
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: '999999', reason: '发错单位' } }), 'referralWithdraw')).toEqual(['REFERRAL_NOT_FOUND']);
    expect((await dbs.hub.select({ state: referralSlip.state }).from(referralSlip).where(eq(referralSlip.id, Number(slip))))[0].state).toBe('ISSUED');
  });

  it('becomes WITHDRAWN, once, its retry answered with the first outcome', async () => {
    clock.set(cn('2026-11-02T10:00:00'));
    const first = await ok(clients.ca.gql, WITHDRAW, { input: { referralId: slip, reason: '事项已由民政局自行核实，无需医保协查', idempotencyKey: 'w-1' } }, 'referralWithdraw');
    expect(first.referral).toMatchObject({ id: slip, state: 'WITHDRAWN', withdrawReason: '事项已由民政局自行核实，无需医保协查', deadlineStatus: 'VOID' });
    expect(new Date(first.referral.answeredAt).toISOString()).toBe(new Date(cn('2026-11-02T10:00:00')).toISOString());
    expect(first.replayed).toBe(false);
    const again = await ok(clients.ca.gql, WITHDRAW, { input: { referralId: slip, reason: '事项已由民政局自行核实，无需医保协查', idempotencyKey: 'w-1' } }, 'referralWithdraw');
    expect(again.replayed).toBe(true);
    // Without a key, the same withdrawal by the same officer, nothing recorded on the slip since: its retry too.
    expect((await ok(clients.ca.gql, WITHDRAW, { input: { referralId: slip, reason: '事项已由民政局自行核实，无需医保协查' } }, 'referralWithdraw')).replayed).toBe(true);
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: slip, reason: '另一理由', idempotencyKey: 'w-1' } }), 'referralWithdraw')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // Another withdrawal of it is told the slip is withdrawn already.
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: slip, reason: '另一理由' } }), 'referralWithdraw')).toEqual(['REFERRAL_WITHDRAWN']);
    expect(await eventsOf(slip, 'REFERRAL_WITHDRAWN')).toHaveLength(1);
    const read = await clients.ca.gql(HISTORY, { id: caseId });
    expect(read.data.case.history.filter((e: { action: string }) => e.action === 'REFERRAL_WITHDRAWN')).toEqual([{ action: 'REFERRAL_WITHDRAWN', reason: '事项已由民政局自行核实，无需医保协查', referral: { id: slip } }]);
  });

  it('leaves its office’s default inbox for states: [WITHDRAWN], and any answer to it is REFERRAL_WITHDRAWN', async () => {
    const waiting = await clients.health.gql(INBOX, {});
    expect(waiting.errors).toBeUndefined();
    expect(waiting.data.referralsToOffice.map((r: { id: string }) => r.id)).not.toContain(slip);
    const withdrawn = await clients.health.gql(INBOX, { states: ['WITHDRAWN'] });
    expect(withdrawn.data.referralsToOffice).toEqual([{ id: slip, state: 'WITHDRAWN', withdrawReason: '事项已由民政局自行核实，无需医保协查' }]);
    expect(codes(await clients.health.gql(ACCEPT, { input: { referralId: slip } }), 'referralAccept')).toEqual(['REFERRAL_WITHDRAWN']);
    expect(codes(await clients.health.gql(DECLINE, { input: { referralId: slip, reason: '非本部门职责' } }), 'referralDecline')).toEqual(['REFERRAL_WITHDRAWN']);
    expect(codes(await clients.health.gql(COMPLETE, { input: { referralId: slip, feedback: '已核查' } }), 'referralComplete')).toEqual(['REFERRAL_WITHDRAWN']);
  });
});

describe('which slips are withdrawn', () => {
  let caseId: string;

  beforeAll(async () => {
    clock.set(cn('2026-11-02T09:00:00'));
    caseId = await openCase();
  });

  it('an accepted slip is withdrawn; a completed or declined one keeps its answer (REFERRAL_ILLEGAL_TRANSITION)', async () => {
    const accepted = await forward(caseId, '请核查参保状态');
    await ok(clients.health.gql, ACCEPT, { input: { referralId: accepted } }, 'referralAccept');
    expect((await ok(clients.ca.gql, WITHDRAW, { input: { referralId: accepted, reason: '户籍已迁出，另案办理' } }, 'referralWithdraw')).referral.state).toBe('WITHDRAWN');
    const completed = await forward(caseId, '请提供住院记录');
    await ok(clients.health.gql, ACCEPT, { input: { referralId: completed } }, 'referralAccept');
    await ok(clients.health.gql, COMPLETE, { input: { referralId: completed, feedback: '已提供' } }, 'referralComplete');
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: completed, reason: '不再需要' } }), 'referralWithdraw')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    const declined = await forward(caseId, '请提供门诊记录');
    await ok(clients.health.gql, DECLINE, { input: { referralId: declined, reason: '无记录' } }, 'referralDecline');
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: declined, reason: '不再需要' } }), 'referralWithdraw')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    const states = await dbs.hub.select({ id: referralSlip.id, state: referralSlip.state }).from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)));
    expect(Object.fromEntries(states.map((s) => [String(s.id), s.state]))).toEqual({ [accepted]: 'WITHDRAWN', [completed]: 'COMPLETED', [declined]: 'DECLINED' });
  });

  it('a meeting’s decision is refused DECISION_SLIP: it is corrected, reassigned or waived', async () => {
    await ok(clients.ca.gql, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '提请会议' } }, 'caseTransition');
    const met = await ok(clients.ca.gql, MEETING, { input: { caseId, heldOn: '2026-11-02', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [{ department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child }] } }, 'meetingRecord');
    const decision = met.meeting.decisions[0].id;
    expect(codes(await clients.ca.gql(WITHDRAW, { input: { referralId: decision, reason: '不再需要' } }), 'referralWithdraw')).toEqual(['DECISION_SLIP']);
    expect((await dbs.hub.select({ state: referralSlip.state }).from(referralSlip).where(eq(referralSlip.id, Number(decision))))[0].state).toBe('ISSUED');
  });
});

it('an answer and a withdrawal sent at once settle one way', async () => {
  clock.set(cn('2026-11-02T09:00:00'));
  const caseId = await openCase();
  for (let round = 0; round < 3; round++) {
    const slip = await forward(caseId, `请核查（第 ${round + 1} 次）`);
    const [declined, withdrawn] = await Promise.all([
      clients.health.gql(DECLINE, { input: { referralId: slip, reason: '非本部门职责' } }),
      clients.ca.gql(WITHDRAW, { input: { referralId: slip, reason: '发错单位' } }),
    ]);
    const declineCodes = codes(declined, 'referralDecline');
    const withdrawCodes = codes(withdrawn, 'referralWithdraw');
    const [state] = await dbs.hub.select({ state: referralSlip.state }).from(referralSlip).where(eq(referralSlip.id, Number(slip)));
    if (state.state === 'DECLINED') {
      expect({ declineCodes, withdrawCodes }).toEqual({ declineCodes: [], withdrawCodes: ['REFERRAL_ILLEGAL_TRANSITION'] });
    } else {
      expect(state.state).toBe('WITHDRAWN');
      expect({ declineCodes, withdrawCodes }).toEqual({ declineCodes: ['REFERRAL_WITHDRAWN'], withdrawCodes: [] });
    }
    const events = [...(await eventsOf(slip, 'REFERRAL_DECLINED')), ...(await eventsOf(slip, 'REFERRAL_WITHDRAWN'))];
    expect(events).toHaveLength(1);
  }
});

it('a slip withdrawn after its due date was missed: supervision lists it answered late, no longer overdue', async () => {
  clock.set(cn('2026-11-02T09:00:00'));
  const caseId = await openCase();
  const slip = await forward(caseId, '请核查大病保险');
  clock.set(cn('2026-11-05T10:00:00'));
  const REPORT = `{ overdueReport(regionCode: "370811", shortfallsSince: "2026-11-01") { byOffice { office { key } referrals { referral { id } } answeredLate { referral { id state } } tally { referrals { supersededLate answeredLate } } } } }`;
  const health = async () => (await clients.ca.gql(REPORT)).data.overdueReport.byOffice.find((o: { office: { key: string } }) => o.office.key === 'HEALTH');
  expect((await health()).referrals.map((r: { referral: { id: string } }) => r.referral.id)).toContain(slip);
  const withdrawn = await ok(clients.ca.gql, WITHDRAW, { input: { referralId: slip, reason: '家庭已搬离，另案办理' } }, 'referralWithdraw');
  expect(withdrawn.referral.deadlineStatus).toBe('MISSED');
  const after = await health();
  expect(after.referrals.map((r: { referral: { id: string } }) => r.referral.id)).not.toContain(slip);
  expect(after.answeredLate.filter((r: { referral: { id: string } }) => r.referral.id === slip)).toEqual([{ referral: { id: slip, state: 'WITHDRAWN' } }]);
  expect(after.tally.referrals.supersededLate).toBeGreaterThanOrEqual(1);
  // The brief prints it withdrawn, missed, with the reason.
  const brief = await (await fetch(`${hub.url}/cases/${caseId}/brief?view=current`, { headers: clients.ca.headers })).text();
  const slips = brief.slice(brief.indexOf('<h2>转办单</h2>'));
  const row = slips.slice(0, slips.indexOf('</table>')).split('<tr').find((r) => r.includes('请核查大病保险'))!.replace(/<[^>]+>/g, '');
  expect(row).toContain('已撤回（超期未办）');
  expect(row).toContain('撤回理由：家庭已搬离，另案办理');
});

describe('a slip an earlier release stored for another township of the case’s county', () => {
  let caseId: string;
  let slip: number;
  /** The query docs/operations.md ("Upgrading") gives to find such slips, as written there. */
  const stuckQuery = (() => {
    const doc = readFileSync(path.join(__dirname, '..', 'docs', 'operations.md'), 'utf8');
    const from = doc.indexOf('**Slips an earlier release sent to another township');
    const block = doc.slice(from).match(/```sql\n([\s\S]*?)```/);
    if (from < 0 || !block) throw new Error('docs/operations.md no longer gives the query for the stuck slips');
    return block[1].trim().replace(/;$/, '');
  })();
  const stuck = async () => ((await dbs.hub.execute(sql.raw(stuckQuery))) as unknown as [{ slip: number }[]])[0].map((r) => Number(r.slip));

  beforeAll(async () => {
    clock.set(cn('2026-11-02T09:00:00'));
    caseId = await openCase();
    await ok(clients.ca.gql, MOVE, { input: { caseId, to: 'DECIDED', reason: '调查后决定给予临时救助' } }, 'caseTransition');
    clock.set(cn('2026-11-02T11:00:00'));
    // As a release before session 48 stored it: a hand-over to 济阳街道, which can never read the case, and its event.
    const issuedAt = '2026-11-02 02:30:00.000';
    const [res] = await dbs.hub.insert(referralSlip).values({ caseId: Number(caseId), kind: 'FORWARD', fromOffice: 'CIVIL_AFFAIRS', toOffice: OTHER_TOWNSHIP, ask: '请入户核查并承办', handOver: true, deadlineWorkingDays: 3, issuedAt, dueOn: '2026-11-05', state: 'ISSUED' });
    slip = res.insertId;
    const [{ last }] = await dbs.hub.select({ last: max(caseEvent.seq) }).from(caseEvent).where(eq(caseEvent.caseId, Number(caseId)));
    await dbs.hub.insert(caseEvent).values({ caseId: Number(caseId), seq: (last ?? 0) + 1, action: 'REFERRAL_ISSUED', referralId: slip, occurredAt: issuedAt, recordedAt: issuedAt, actor: 'slip-withdraw-ca', actorOffice: 'CIVIL_AFFAIRS', reason: '请入户核查并承办' });
  });

  it('held its case open; the owner withdraws it, and the case closes', async () => {
    expect(await stuck()).toEqual([slip]);
    expect(codes(await clients.ca.gql(MOVE, { input: { caseId, to: 'CLOSED', reason: '救助已发放' } }), 'caseTransition')).toEqual(['REFERRALS_WITHOUT_FEEDBACK']);
    const withdrawn = await ok(clients.ca.gql, WITHDRAW, { input: { referralId: String(slip), reason: '旧版本误发至其他街道，撤回' } }, 'referralWithdraw');
    expect(withdrawn.referral).toMatchObject({ id: String(slip), state: 'WITHDRAWN', withdrawReason: '旧版本误发至其他街道，撤回' });
    expect(await stuck()).toEqual([]);
    expect((await ok(clients.ca.gql, MOVE, { input: { caseId, to: 'CLOSED', reason: '救助已发放' } }, 'caseTransition')).case.state).toBe('CLOSED');
    // The hand-over it carried handed nothing on: the case stayed with its owner.
    const read = await clients.ca.gql(`query($id: ID!) { case(id: $id) { owner { key } history { action } } }`, { id: caseId });
    expect(read.data.case.owner.key).toBe('CIVIL_AFFAIRS');
    expect(read.data.case.history.map((e: { action: string }) => e.action).slice(-2)).toEqual(['REFERRAL_WITHDRAWN', 'TRANSITIONED']);
  });
});
