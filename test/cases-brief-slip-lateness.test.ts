/**
 * The brief's 转办单 list says which slips ran late, as the desk and supervision read them: a slip
 * forwarded to 任城区医保局 for 1 working day and not answered by its due date reads OVERDUE on the
 * office's desk (referralsToOffice) and in overdueReport, and the brief printed 待接收 beside it, no
 * lateness at all (a forwarded slip is in no meeting's decisions, which alone printed it). The
 * current view measures each slip now; a meeting's snapshot as it stood when the meeting was
 * recorded (a slip answered since was still waiting then), so the meeting's material keeps saying
 * what the meeting saw.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok } from './support/payloads';
import { countyClients } from './support/cases';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2026-11-02T09:00:00'));
let dbs: TestDatabases;
let hub: TestHub;
let clients: Awaited<ReturnType<typeof countyClients<'ca' | 'health'>>>;
let caseId: string;
let slip: string;

/** The brief's 转办单 row of `slip` (its cells joined by |), in the view asked. */
async function slipRow(view: string): Promise<string> {
  const res = await fetch(`${hub.url}/cases/${caseId}/brief${view}`, { headers: clients.ca.headers });
  expect(res.status).toBe(200);
  const html = await res.text();
  const table = html.slice(html.indexOf('<h2>转办单</h2>'));
  const rows = table.slice(0, table.indexOf('</table>')).split('<tr').map((r) => r.replace(/<\/t[dh]>/g, '|').replace(/<[^>]+>/g, '').trim());
  const row = rows.filter((r) => r.includes('核查医保'));
  expect(row).toHaveLength(1);
  return row[0];
}

beforeAll(async () => {
  dbs = await createTestDatabases('brief_slip_lateness');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  clients = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['health', '370811', 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]);
  caseId = (await ok(clients.ca.gql, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '医疗救助申请' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING']) await ok(clients.ca.gql, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  // Monday 11-02: due Tuesday 11-03.
  slip = (await ok(clients.ca.gql, `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id dueOn } userErrors { code } } }`, { input: { caseId, to: { department: 'HEALTH' }, ask: '核查医保', deadlineWorkingDays: 1 } }, 'referralIssue')).referral.id;
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
}, 60_000);

it('prints a slip past its due date without an answer as overdue, as the office’s desk reads it', async () => {
  clock.set(cn('2026-11-05T10:00:00'));
  const desk = await clients.health.gql(`{ referralsToOffice(office: { department: HEALTH }, dueWithinWorkingDays: 0) { id deadlineStatus } }`);
  expect(desk.data.referralsToOffice).toEqual([{ id: slip, deadlineStatus: 'OVERDUE' }]);
  expect(await slipRow('?view=current')).toContain('待接收（已超期）');
});

it('prints it answered late once answered late; the meeting’s snapshot keeps it overdue, as the meeting saw it', async () => {
  await ok(clients.ca.gql, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code } } }`, { input: { caseId, to: 'IN_DELIBERATION', reason: '提请会议' } }, 'caseTransition');
  await ok(clients.ca.gql, `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id } userErrors { code } } }`, { input: { caseId, heldOn: '2026-11-05', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [] } }, 'meetingRecord');
  clock.set(cn('2026-11-06T10:00:00'));
  await ok(clients.health.gql, `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id } userErrors { code } } }`, { input: { referralId: slip, reason: '非参保人员' } }, 'referralDecline');
  const read = await clients.ca.gql(`query($id: ID!) { referral(id: $id) { deadlineStatus } }`, { id: slip });
  expect(read.data.referral.deadlineStatus).toBe('MET_LATE');
  expect(await slipRow('?view=current')).toContain('已退回（超期办理）');
  expect(await slipRow('')).toContain('待接收（已超期）');
});
