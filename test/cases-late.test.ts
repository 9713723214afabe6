/**
 * A case's own lateness in supervision (overdueReport `casesLate`): 微山县 lets two cases of household
 * 140 run past their time limits. One is decided late (its approval deadline MET_LATE), the other
 * handed over to 任城区 while late (its investigation and approval deadlines MISSED). Each left the
 * overdue cases at that step and, until casesLate, supervision altogether: the county's record read
 * clean, as a slip answered late did before answeredLate. Listed under the office that owns the case
 * and its county, with how late in working days and the history entry that ended it; an asOf before
 * that step shows the case overdue, as it stood then; a case withdrawn (opened by mistake) is not
 * listed; and the report costs the same statements however many are late.
 *
 * The meeting brief of a later case shows the same under 本户其他案件: which time limit of the
 * household's earlier case ran late, how late, and the step that ended it by whom (微山县's convener,
 * named as 微山县's office in 任城区's brief), only for the cases its reader reads.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok } from './support/payloads';
import { countyClients } from './support/cases';
import { insertRegions, insertZhao, moveHousehold, TODAY, REGIONS, ZHAO } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code message } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { case { state } userErrors { code field } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { state } userErrors { code } } }`;
const LATE = `casesLate { case { id state } deadline { kind status dueOn overdue { workingDays } } endedBy { action toState reason actorOffice { key } } }`;
const REPORT = `query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, shortfallsSince: $since) {
  byOffice { office { key } county { code } tally { referrals { counted } caseDeadlines { counted metLate missed } } cases { case { id } deadline { kind status } } ${LATE} }
  byTownship { township { code } casesLate { case { id } deadline { kind } } }
  byCounty { county { code } casesLate { case { id } deadline { kind } } } } }`;

const WEISHAN = '370826';
const RENCHENG = '370811';
const NEW_HOME = REGIONS.find((r) => r.level === 'VILLAGE' && r.code.startsWith(RENCHENG))!.code;

let dbs: TestDatabases;
let hub: TestHub;
let weishanCa: TestHub['gql'];
let clients: Awaited<ReturnType<typeof countyClients<'weishanCa' | 'renchengCa'>>>;
let zhaoId: number;
const clock = new TestClock('2026-03-02T09:00:00+08:00');
const ids = { decided: '', handedOver: '', withdrawn: '' };

async function report(variables: Record<string, unknown> = {}) {
  const res = await hub.gql(REPORT, variables);
  expect(res.errors).toBeUndefined();
  return res;
}

/** Each office's late cases as `office county case kind status workingDays endedBy`. */
function lateByOffice(res: Awaited<ReturnType<typeof report>>): string[] {
  return res.data.overdueReport.byOffice.flatMap((g: any) =>
    g.casesLate.map((l: any) => `${g.office.key} ${g.county.code} ${l.case.id} ${l.deadline.kind} ${l.deadline.status} ${l.deadline.overdue.workingDays} ${l.endedBy.toState}`),
  );
}

function overdueByOffice(res: Awaited<ReturnType<typeof report>>): string[] {
  return res.data.overdueReport.byOffice.flatMap((g: any) => g.cases.map((c: any) => `${g.office.key} ${c.case.id} ${c.deadline.kind}`)).sort();
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_late');
  await insertRegions(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  clients = await countyClients(hub, [
    ['weishanCa', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['renchengCa', RENCHENG, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  weishanCa = clients.weishanCa.gql;

  // Monday 2 March 2026: three applications, investigation opinion due 5 March, approval 30 March.
  const open = async (summary: string) => (await ok(weishanCa, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case.id as string;
  ids.decided = await open('住院自付费用较高');
  ids.handedOver = await open('子女就学困难');
  ids.withdrawn = await open('重复录入的申请');
  // The first is investigated in time and goes to deliberation; the others are only accepted.
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(weishanCa, MOVE, { input: { caseId: ids.decided, to, reason: to } }, 'caseTransition');
  for (const caseId of [ids.handedOver, ids.withdrawn]) await ok(weishanCa, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');

  // Thursday 2 April, three working days past the approval deadline: the meeting decides the first
  // at 10:00; the household has moved to 任城区 and the second is handed over at 11:00; the third,
  // found a duplicate, is withdrawn at 11:30.
  clock.set('2026-04-02T10:00:00+08:00');
  const met = await ok(weishanCa, MEETING, { input: { caseId: ids.decided, heldOn: '2026-04-02', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
    decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 10, beneficiaryIdNumber: ZHAO.head }] } }, 'meetingRecord');
  expect(met.case.state).toBe('DECIDED');
  await moveHousehold(dbs, zhaoId, NEW_HOME);
  clock.set('2026-04-02T11:00:00+08:00');
  expect((await ok(weishanCa, HAND_OVER, { input: { caseId: ids.handedOver, reason: '户籍迁至任城区，移交任城区民政局办理' } }, 'caseHandOver')).case.state).toBe('HANDED_OVER');
  clock.set('2026-04-02T11:30:00+08:00');
  await ok(weishanCa, MOVE, { input: { caseId: ids.withdrawn, to: 'WITHDRAWN', reason: '重复录入，已在另一案件办理' } }, 'caseTransition');
  clock.set('2026-04-02T12:00:00+08:00');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('lists a case decided late and one handed over while late under the office that owns them, with how late and what ended them', async () => {
  const now = await report();
  // Most late first: the investigation opinion was due on 5 March, the approval on 30 March (handed
  // over an hour after the other was decided).
  expect(lateByOffice(now)).toEqual([
    `CIVIL_AFFAIRS ${WEISHAN} ${ids.handedOver} INVESTIGATION_OPINION MISSED 20 HANDED_OVER`,
    `CIVIL_AFFAIRS ${WEISHAN} ${ids.handedOver} APPROVAL MISSED 3 HANDED_OVER`,
    `CIVIL_AFFAIRS ${WEISHAN} ${ids.decided} APPROVAL MET_LATE 3 DECIDED`,
  ]);
  const office = now.data.overdueReport.byOffice.find((g: any) => g.casesLate.length > 0);
  expect(office.casesLate[0]).toEqual({
    case: { id: ids.handedOver, state: 'HANDED_OVER' },
    deadline: { kind: 'INVESTIGATION_OPINION', status: 'MISSED', dueOn: '2026-03-05', overdue: { workingDays: 20 } },
    endedBy: { action: 'TRANSITIONED', toState: 'HANDED_OVER', reason: '户籍迁至任城区，移交任城区民政局办理', actorOffice: { key: 'CIVIL_AFFAIRS' } },
  });
  // Off the overdue cases, and none of them is the withdrawn duplicate or the successor in 任城区 (its limits run from the hand-over).
  expect(overdueByOffice(now)).toEqual([]);
  const late = (groups: any[], key: (g: any) => string) => groups.flatMap((g) => g.casesLate.map((l: any) => `${key(g)} ${l.case.id} ${l.deadline.kind}`));
  const expected = [`${ids.handedOver} INVESTIGATION_OPINION`, `${ids.handedOver} APPROVAL`, `${ids.decided} APPROVAL`];
  expect(late(now.data.overdueReport.byCounty, (g) => g.county.code)).toEqual(expected.map((e) => `${WEISHAN} ${e}`));
  expect(late(now.data.overdueReport.byTownship, (g) => g.township.code)).toEqual(expected.map((e) => `${ZHAO.regionCode.slice(0, 9)} ${e}`));
  // The county's own view says the same.
  const own = await weishanCa(REPORT);
  expect(own.errors).toBeUndefined();
  expect(lateByOffice(own)).toEqual(lateByOffice(now));
});

it('shows the cases as they stood at an asOf before the step that ended them: overdue, not yet late', async () => {
  const before = await report({ asOf: '2026-04-02T09:30:00+08:00' });
  expect(lateByOffice(before)).toEqual([]);
  expect(overdueByOffice(before)).toEqual(
    [`${ids.decided} APPROVAL`, `${ids.handedOver} APPROVAL`, `${ids.handedOver} INVESTIGATION_OPINION`, `${ids.withdrawn} APPROVAL`, `${ids.withdrawn} INVESTIGATION_OPINION`].map((c) => `CIVIL_AFFAIRS ${c}`).sort(),
  );
  // Between the decision and the hand-over: the first is late, the second still overdue.
  const between = await report({ asOf: '2026-04-02T10:30:00+08:00' });
  expect(lateByOffice(between)).toEqual([`CIVIL_AFFAIRS ${WEISHAN} ${ids.decided} APPROVAL MET_LATE 3 DECIDED`]);
  expect(overdueByOffice(between)).toEqual(
    [`${ids.handedOver} APPROVAL`, `${ids.handedOver} INVESTIGATION_OPINION`, `${ids.withdrawn} APPROVAL`, `${ids.withdrawn} INVESTIGATION_OPINION`].map((c) => `CIVIL_AFFAIRS ${c}`).sort(),
  );
});

it('lists those that ran late from shortfallsSince only', async () => {
  clock.set('2026-04-03T09:00:00+08:00');
  expect(lateByOffice(await report({ since: '2026-04-03' }))).toEqual([]);
  expect(lateByOffice(await report({ since: '2026-04-02' }))).toHaveLength(3);
  clock.set('2026-04-02T12:00:00+08:00');
});

it('costs the same statements however many cases ran late', async () => {
  // Both as of a past instant (one reads the slips answered since too).
  const none = await report({ asOf: '2026-04-02T09:30:00+08:00' });
  const three = await report({ asOf: '2026-04-02T11:45:00+08:00' });
  expect(lateByOffice(none)).toHaveLength(0);
  expect(lateByOffice(three)).toHaveLength(3);
  expect(three.extensions?.sqlStatements?.bySource).toEqual(none.extensions?.sqlStatements?.bySource);
});

describe('on the meeting brief, under 本户其他案件', () => {
  const SUCCESSOR = `query($id: ID!) { case(id: $id) { successor { id reference } } }`;
  const DOSSIER = `query($id: ID!) { case(id: $id) { dossier { earlierCases { reference } } } }`;
  const REFERENCE = `query($id: ID!) { case(id: $id) { reference } }`;

  /** The brief as text, a line per printed line (`<div>`) or table cell. The current view: a meeting's stored dossier is as it was then. */
  async function briefText(client: { headers: Record<string, string> }, caseId: string): Promise<string> {
    const res = await fetch(`${hub.url}/cases/${caseId}/brief?view=current`, { headers: client.headers });
    expect(res.status).toBe(200);
    return (await res.text()).replace(/<(div|td|th|tr)\b[^>]*>/g, '\n').replace(/<[^>]+>/g, '');
  }
  /** The brief's lines of late steps, each as printed. */
  const lateLines = (text: string) => text.split('\n').filter((l) => l.startsWith('超期：'));
  const reference = async (id: string) => (await clients.weishanCa.gql(REFERENCE, { id })).data.case.reference as string;

  it('prints which step of each earlier case ran late, how late, and who ended it (as of that case’s county)', async () => {
    const successor = (await clients.renchengCa.gql(SUCCESSOR, { id: ids.handedOver })).data.case.successor;
    // 任城区 prints the successor's brief: its predecessor handed over past two limits, the other case decided late.
    const text = await briefText(clients.renchengCa, successor.id);
    expect(text).toContain('本户其他案件');
    expect(lateLines(text)).toEqual([
      expect.stringMatching(/^超期：调查初审意见（3 个工作日，到期 2026-03-05）未完成（已超期）（超 20 个工作日 \/ \d+ 小时）：2026-04-02 11:00 微山县民政局（[^）]+）已移交$/),
      expect.stringMatching(/^超期：审核审批（20 个工作日，到期 2026-03-30）未完成（已超期）（超 3 个工作日 \/ \d+ 小时）：2026-04-02 11:00 微山县民政局（[^）]+）已移交$/),
      expect.stringMatching(/^超期：审核审批（20 个工作日，到期 2026-03-30）超期完成（超 3 个工作日 \/ \d+ 小时）：2026-04-02 10:00 微山县民政局（[^）]+）已决定$/),
    ]);
    // Each under its own case's row: none under the withdrawn duplicate.
    const refs = await Promise.all([ids.handedOver, ids.decided, ids.withdrawn].map(reference));
    const section = text.slice(text.indexOf('本户其他案件'));
    const starts = refs.map((r) => section.indexOf(r)).sort((a, b) => a - b);
    const rowOf = (ref: string) => section.slice(section.indexOf(ref), starts.find((i) => i > section.indexOf(ref)) ?? section.indexOf('转办单'));
    expect(refs.map((r) => lateLines(rowOf(r)).length)).toEqual([2, 1, 0]);
    expect(text).not.toContain('任城区民政局（');
  });

  it('shows a case’s late steps only to a reader who reads that case, in the same statements however many ran late', async () => {
    const successor = (await clients.renchengCa.gql(SUCCESSOR, { id: ids.handedOver })).data.case.successor;
    const dossierStatements = async () => {
      const res = await clients.renchengCa.gql(DOSSIER, { id: ids.decided });
      expect(res.errors).toBeUndefined();
      return res.extensions?.sqlStatements?.bySource;
    };
    const before = await dossierStatements();
    // 任城区 lets the successor's investigation opinion run late (from the hand-over on 2 April, due 8 April).
    clock.set('2026-04-20T09:00:00+08:00');
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(clients.renchengCa.gql, MOVE, { input: { caseId: successor.id, to, reason: to } }, 'caseTransition');
    clock.set('2026-04-20T10:00:00+08:00');
    // 任城区 reads it: its brief of the case decided in 微山县 lists the successor's late step, by 任城区's office.
    const rencheng = lateLines(await briefText(clients.renchengCa, ids.decided));
    expect(rencheng).toHaveLength(3);
    expect(rencheng.filter((l) => l.includes('任城区民政局'))).toEqual([expect.stringMatching(/^超期：调查初审意见（3 个工作日，到期 2026-04-08）超期完成（超 8 个工作日 \/ \d+ 小时）：2026-04-20 09:00 任城区民政局（[^）]+）一事一议中$/)]);
    // 微山县 does not read the successor (OUT_OF_SCOPE): its brief of the same case has only the predecessor's.
    const weishan = await briefText(clients.weishanCa, ids.decided);
    expect(weishan).not.toContain(successor.reference);
    expect(lateLines(weishan)).toHaveLength(2);
    expect(weishan).not.toContain('任城区民政局');
    // The dossier reads every case's history in one statement: one more late case costs none.
    expect(await dossierStatements()).toEqual(before);
  });
});
