/**
 * Which slips were declined (退回) in a period, and why: supervision's `declined` lists, on a real hub
 * whose clock the test moves. overdueReport listed a decline only while its decision was open
 * (`declinesOpen`), once waived (`decisionsWaived`) or when answered late (`answeredLate`): a decision
 * declined in time and reassigned, and any forwarded slip declined in time (never in declinesOpen,
 * which holds decisions), left no trace in supervision, and an office declining everything on its
 * second day read as clean. Each decline of the period is now listed under the office that declined
 * it, with its reason and who declined it on the slip, whatever became of it since. Likewise a slip a
 * correction superseded before its due date (VOID: in no list), its replacement given a later due date:
 * a deadline extended, now listed (`corrected`) under the convener who corrected it.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

type Gql = TestHub['gql'];

const cn = (local: string) => `${local}+08:00`;
const SLIP = `referral { id state } userErrors { code field }`;
const REPORT = `query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, shortfallsSince: $since) {
  byOffice { office { key } declined { referral { id kind declineReason declineResolution { kind } } declinedAt } declinesOpen { referral { id } } answeredLate { referral { id } } }
  byCounty { declined { referral { id } } } byTownship { declined { referral { id } } } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let ca: Gql;
const clock = new TestClock(cn('2026-03-02T09:00:00'));
/** Slip ids: two decisions to the justice bureau, one slip forwarded to health; the reassignment's slip, which a correction superseded. */
const slip = { reassigned: '', open: '', forwarded: '', extended: '' };

async function ok(query: string, variables: Record<string, unknown>, field: string) {
  const res = await ca(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

/** The receiving department's county office declines the slip with its own client. */
async function decline(referralId: string, department: 'JUSTICE' | 'HEALTH', reason: string) {
  const client = await hub.createClient({ department, regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] });
  const res = await hub.as({ token: client.token, purpose: 'REFERRAL' }).gql(`mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`, { input: { referralId, reason } });
  expect(res.errors).toBeUndefined();
  expect(res.data.referralDecline.userErrors).toEqual([]);
}

/** Per office: its declines (id, kind, reason, what became of it), its open declines, its slips answered late. */
async function report(asOf: string, since: string) {
  const res = await ca(REPORT, { asOf, since });
  expect(res.errors).toBeUndefined();
  const r = res.data.overdueReport;
  const ids = (groups: any[]) => groups.flatMap((g) => g.declined.map((d: any) => d.referral.id)).sort();
  // Every decline is filed once under its office, its township and its county.
  expect(ids(r.byCounty)).toEqual(ids(r.byOffice));
  expect(ids(r.byTownship)).toEqual(ids(r.byOffice));
  return Object.fromEntries(
    r.byOffice.map((g: any) => [
      g.office.key,
      {
        declined: g.declined.map((d: any) => [d.referral.id, d.referral.kind, d.referral.declineReason, d.referral.declineResolution?.kind ?? null]),
        declinesOpen: g.declinesOpen.map((d: any) => d.referral.id),
        answeredLate: g.answeredLate.map((d: any) => d.referral.id),
      },
    ]),
  );
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_report_declined');
  await insertRegions(dbs);
  const wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ca = hub.gql;

  // Monday 03-02: a meeting decides legal aid for two members (5 working days), and a slip is forwarded to health (3).
  const caseId = (await ok(`mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '法律援助' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) {
    await ok(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  }
  const legalAid = (beneficiaryIdNumber: string) => ({ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 5, beneficiaryIdNumber });
  const met = await ok(
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`,
    { input: { caseId, heldOn: '2026-03-02', departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE'], decisions: [legalAid(WANG.head), legalAid(WANG.spouse)] } },
    'meetingRecord',
  );
  [slip.reassigned, slip.open] = met.meeting.decisions.map((d: { id: string }) => d.id);
  slip.forwarded = (await ok(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 3 } }, 'referralIssue')).referral.id;

  // Tuesday 03-03, in time: justice declines the head's legal aid and health the forwarded slip.
  clock.set(cn('2026-03-03T10:00:00'));
  await decline(slip.reassigned, 'JUSTICE', '户主已由法律援助中心受理');
  await decline(slip.forwarded, 'HEALTH', '本县无该户住院记录');
  // Wednesday 03-04: the convener reassigns it, as the Red Cross's relief.
  clock.set(cn('2026-03-04T10:00:00'));
  const relief = { department: 'RED_CROSS', programme: 'RED_CROSS_RELIEF', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head };
  slip.extended = (
    await ok(`mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { ${SLIP} } }`, { input: { referralId: slip.reassigned, reason: '改由红十字会人道救助', ...relief } }, 'referralReassign')
  ).referral.id;
  // The same day, before it is due (03-11), the convener gives the Red Cross 20 working days instead, by a correction.
  await ok(
    `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { userErrors { code field } } }`,
    { input: { caseId, reason: '红十字会申请延期', changes: [{ referralId: slip.extended, decision: { ...relief, deadlineWorkingDays: 20 } }] } },
    'decisionCorrect',
  );
  // Thursday 03-05, in time: justice declines the spouse's, left open.
  clock.set(cn('2026-03-05T10:00:00'));
  await decline(slip.open, 'JUSTICE', '配偶未提出申请');
  clock.set(cn('2026-03-06T12:00:00'));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it("lists every decline of the period under the office that declined it, with its reason, whatever became of it since", async () => {
  const byOffice = await report(cn('2026-03-06T12:00:00'), '2026-03-01');
  expect(byOffice.JUSTICE).toEqual({
    declined: [
      [slip.reassigned, 'DECISION', '户主已由法律援助中心受理', 'REASSIGNED'],
      [slip.open, 'DECISION', '配偶未提出申请', null],
    ],
    declinesOpen: [],
    answeredLate: [],
  });
  expect(byOffice.HEALTH).toEqual({ declined: [[slip.forwarded, 'FORWARD', '本县无该户住院记录', null]], declinesOpen: [], answeredLate: [] });
  // The open one is the convener's to resolve, under the office that owns the case.
  expect(Object.values(byOffice).flatMap((g: any) => g.declinesOpen)).toEqual([slip.open]);
});

it('lists a slip a correction superseded before its due date under the convener, its replacement due later: a deadline extended', async () => {
  const res = await ca(
    `query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, shortfallsSince: $since) {
      byOffice { office { key } corrected { referral { id state dueOn deadlineStatus correction { reason replacedBy { dueOn } } } } answeredLate { referral { id } } }
      byCounty { corrected { referral { id } } } } }`,
    { asOf: cn('2026-03-06T12:00:00'), since: '2026-03-01' },
  );
  expect(res.errors).toBeUndefined();
  const listed = res.data.overdueReport.byOffice.filter((g: any) => g.corrected.length > 0);
  expect(listed.map((g: any) => [g.office.key, g.corrected])).toEqual([
    ['CIVIL_AFFAIRS', [{ referral: { id: slip.extended, state: 'SUPERSEDED', dueOn: '2026-03-11', deadlineStatus: 'VOID', correction: { reason: '红十字会申请延期', replacedBy: { dueOn: '2026-04-01' } } } }]],
  ]);
  // Superseded before it was due: not late, so no other list held it.
  expect(res.data.overdueReport.byOffice.flatMap((g: any) => g.answeredLate)).toEqual([]);
  expect(res.data.overdueReport.byCounty.flatMap((g: any) => g.corrected.map((c: any) => c.referral.id))).toEqual([slip.extended]);
  const later = await ca(`query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, shortfallsSince: $since) { byCounty { corrected { referral { id } } } } }`, { asOf: cn('2026-03-06T12:00:00'), since: '2026-03-05' });
  expect(later.data.overdueReport.byCounty.flatMap((g: any) => g.corrected)).toEqual([]);
});

it('keeps to the period: declined from shortfallsSince up to asOf', async () => {
  const since04 = await report(cn('2026-03-06T12:00:00'), '2026-03-04');
  expect(Object.values(since04).flatMap((g: any) => g.declined.map((d: string[]) => d[0]))).toEqual([slip.open]);
  const by03 = await report(cn('2026-03-03T23:00:00'), '2026-03-01');
  expect(Object.values(by03).flatMap((g: any) => g.declined.map((d: string[]) => d[0])).sort()).toEqual([slip.reassigned, slip.forwarded].sort());
});
