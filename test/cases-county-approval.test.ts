/**
 * 转交县级审批 through the API, on a real hub database: 古槐街道 (a township of 任城区) reviews the Wang
 * household's application for 低保, whose approval the default townshipApproval leaves with the county,
 * and forwards it to 任城区民政局 (caseForwardForApproval). The county office owns it from then; the
 * township's 20 working days, overdue before the forward, are no longer listed, and supervision (the API
 * and GET /exports/overdue.csv) shows the case held by the county office since the forward, under no limit.
 * Each refusal has its stable code; a retry answers its first outcome; the act is on the case's sealed
 * history and its request on the audit trail.
 */
import { parse } from 'csv-parse/sync';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { countyClients } from './support/cases';
import { insertRegions, insertWang } from './support/scenarios';
import { verifyCaseSeals } from '../db/cases/seals';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id owner { key } } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const FORWARD = `mutation($input: CaseForwardForApprovalInput!) { caseForwardForApproval(input: $input) {
  case { id state owner { key name } } replayed userErrors { code message field } } }`;
const CASE = `query($id: ID!, $asOf: DateTime) { case(id: $id) {
  reference state owner { key name }
  deadlines(asOf: $asOf) { kind status metAt }
  countyApproval { programme { code } from { key } to { key name } review forwardedAt recordedAt actor basis }
  history { action reason actorOffice { key } fromOffice { key name } toOffice { key name } } } }`;
const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf, shortfallsSince: "2026-01-01") {
  byOffice { office { key name } cases { case { id } deadline { kind } } forwardedForApproval { case { id } heldBy { key name } forwardedBy { key } since workingDaysHeld provisional } }
  byTownship { township { code } forwardedForApproval { case { id } } }
  byCounty { county { code } forwardedForApproval { case { id } } } } }`;

const WANG_TOWNSHIP = '370811001';
const REVIEW = '经入户调查和家庭经济状况核对，符合低保条件，建议审批';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const clock = new TestClock('2026-03-02T09:00:00+08:00');
type Caller = ReturnType<TestHub['as']>;
let township: Caller;
let county: Caller;
let supervisor: Caller;
let caseId: string;

const forward = (who: Caller, input: Record<string, unknown>) => who.gql(FORWARD, { input: { caseId, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: REVIEW, ...input } });

async function openCase(who: Caller, summary: string, ...states: string[]): Promise<string> {
  const id = (await ok(who.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case.id;
  for (const to of states) await ok(who.gql, MOVE, { input: { caseId: id, to, reason: to === 'REJECTED' ? '不符合条件，已解释' : to } }, 'caseTransition');
  return id;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_county_approval');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: '2026-03-02', purpose: 'CASE_MEETING', clock: clock.now });
  ({ township, county, supervisor } = await countyClients(hub, [
    ['township', WANG_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['county', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['supervisor', '370811', 'CIVIL_AFFAIRS', ['SUPERVISOR'], 'SUPERVISION'],
  ]));
  // Reported Monday 03-02 at 古槐街道, accepted and investigated there: its 20 working days run to 03-30.
  caseId = await openCase(township, '申请最低生活保障', 'ACCEPTED', 'INVESTIGATING');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('refused, with stable codes', () => {
  it('to an office that is not a county office, or not the programme’s, or for a programme the township approves', async () => {
    expect(codes(await forward(township, { to: { township: WANG_TOWNSHIP } }), 'caseForwardForApproval')).toEqual(['NOT_COUNTY_OFFICE']);
    expect(codes(await forward(township, { to: { department: 'CHARITY' } }), 'caseForwardForApproval')).toEqual(['UNKNOWN_OFFICE']);
    expect(codes(await forward(township, { to: { department: 'HEALTH' } }), 'caseForwardForApproval')).toEqual(['PROGRAMME_NOT_OF_DEPARTMENT']);
    expect(codes(await forward(township, { programme: 'NO_SUCH' }), 'caseForwardForApproval')).toEqual(['UNKNOWN_PROGRAMME']);
    // Temporary aid is the township's to approve by default: within its 20 working days, not forwarded.
    const delegated = await forward(township, { programme: 'TEMP_AID' });
    expect(delegated.data.caseForwardForApproval.userErrors).toEqual([{ code: 'APPROVAL_DELEGATED', message: expect.stringContaining('TEMP_AID'), field: ['input', 'programme'] }]);
    expect(codes(await forward(township, { review: '  ' }), 'caseForwardForApproval')).toEqual(['TEXT_REQUIRED']);
  });

  it('by an office that does not own the case, and for a case owned by a county office, only reported, or ended', async () => {
    expect(codes(await forward(county, {}), 'caseForwardForApproval')).toEqual(['NOT_CASE_OWNER']);
    const atCounty = await openCase(county, '县民政局直接受理', 'ACCEPTED');
    expect(codes(await county.gql(FORWARD, { input: { caseId: atCounty, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: REVIEW } }), 'caseForwardForApproval')).toEqual(['CASE_AT_COUNTY']);
    const reported = await openCase(township, '刚报告，尚未受理');
    expect(codes(await township.gql(FORWARD, { input: { caseId: reported, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: REVIEW } }), 'caseForwardForApproval')).toEqual(['CASE_NOT_UNDER_REVIEW']);
    const closed = await openCase(township, '已不予救助', 'ACCEPTED', 'INVESTIGATING', 'REJECTED');
    expect(codes(await township.gql(FORWARD, { input: { caseId: closed, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: REVIEW } }), 'caseForwardForApproval')).toEqual(['CASE_ENDED']);
  });
});

describe('forwarded on 04-01, past the township’s 20 working days', () => {
  let forwardedAt: string;

  beforeAll(async () => {
    clock.set('2026-04-01T10:00:00+08:00');
    const before = await supervisor.gql(REPORT, {});
    expect(before.errors).toBeUndefined();
    const owner = before.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === WANG_TOWNSHIP);
    expect(owner.cases.filter((c: { case: { id: string } }) => c.case.id === caseId).map((c: { deadline: { kind: string } }) => c.deadline.kind)).toEqual(['INVESTIGATION_OPINION', 'APPROVAL']);
    // Its brief before the forward: the township's 20 working days, no county approval.
    const brief = (await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: township.headers })).text()).replace(/<[^>]+>/g, '');
    expect(brief).toMatch(/审核审批20 个工作日/);
    expect(brief).not.toContain('转交县级审批：');
    const { headers } = township;
    const sent = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-request-id': 'county-approval-forward' },
      body: JSON.stringify({ query: FORWARD, variables: { input: { caseId, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: REVIEW, idempotencyKey: 'gh-dibao-1' } } }),
    });
    const res = (await sent.json()) as { data: { caseForwardForApproval: unknown } };
    expect(res.data.caseForwardForApproval).toEqual({ case: { id: caseId, state: 'INVESTIGATING', owner: { key: 'CIVIL_AFFAIRS', name: '任城区民政局' } }, replayed: false, userErrors: [] });
    forwardedAt = new Date(clock.now()).toISOString();
  });

  it('makes the county office the owner, on the case’s history and sealed record', async () => {
    const res = await township.gql(CASE, { id: caseId });
    expect(res.errors).toBeUndefined();
    const c = res.data.case;
    expect(c.owner).toEqual({ key: 'CIVIL_AFFAIRS', name: '任城区民政局' });
    expect(c.countyApproval).toMatchObject({ programme: { code: 'DIBAO' }, from: { key: WANG_TOWNSHIP }, to: { key: 'CIVIL_AFFAIRS', name: '任城区民政局' }, review: REVIEW });
    expect(new Date(c.countyApproval.recordedAt).toISOString()).toBe(forwardedAt);
    expect(c.countyApproval.basis).toContain('未规定县级审批时限');
    expect(c.history.slice(-2)).toEqual([
      { action: 'APPROVAL_FORWARDED', reason: REVIEW, actorOffice: { key: WANG_TOWNSHIP }, fromOffice: null, toOffice: null },
      // Who handed the case to whom, as data (the reason's words are for people).
      {
        action: 'OWNER_CHANGED',
        reason: `${WANG_TOWNSHIP} → CIVIL_AFFAIRS`,
        actorOffice: { key: WANG_TOWNSHIP },
        fromOffice: { key: WANG_TOWNSHIP, name: '古槐街道' },
        toOffice: { key: 'CIVIL_AFFAIRS', name: '任城区民政局' },
      },
    ]);
    expect(c.history.slice(0, -1).filter((e: { fromOffice: unknown; toOffice: unknown }) => e.fromOffice !== null || e.toOffice !== null)).toEqual([]);
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true });
    const [sealed] = await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM case_seal WHERE table_name = 'case_county_approval' AND row_key = ?`, [caseId]);
    expect((sealed as { n: number }[])[0].n).toBe(1);
    const [audit] = await dbs.hubPool.query(`SELECT subject_kind, subject_ref, outcome FROM access_log WHERE request_id = 'county-approval-forward'`);
    expect(audit).toEqual([{ subject_kind: 'HOUSEHOLD', subject_ref: String(wangId), outcome: 'OK' }]);
  });

  it('prints the forward in the meeting brief where it shows the case’s standing: when, by whom, to whom, the review, and that no limit binds the county', async () => {
    const { actor } = (await township.gql(CASE, { id: caseId })).data.case.countyApproval;
    const res = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: county.headers });
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/<[^>]+>/g, '');
    expect(text).toContain(`转交县级审批：2026-04-01 10:00 古槐街道办事处（${actor}）审核完成，转交任城区民政局审批最低生活保障；审核意见：${REVIEW}`);
    expect(text).toContain('县级审批时限：救助审批权限没有下放的，乡镇（街道）按规定审核完成后转交县级相关救助职能部门审批（济宁市“济时救”实施方案 二（三））：方案未规定县级审批时限，故不计审批时限');
    // Owned by the county office from then; its deadlines list no 审核审批.
    expect(text).toContain('承办单位任城区民政局');
    expect(text).not.toMatch(/审核审批\d+ 个工作日/);
  });

  it('meets the township’s review, and lists no APPROVAL limit from then; before it, as it stood', async () => {
    const now = (await township.gql(CASE, { id: caseId })).data.case.deadlines;
    expect(now).toEqual([{ kind: 'INVESTIGATION_OPINION', status: 'MET_LATE', metAt: expect.any(String) }]);
    const then = (await township.gql(CASE, { id: caseId, asOf: '2026-03-31T10:00:00+08:00' })).data.case.deadlines;
    expect(then.map((d: { kind: string; status: string }) => [d.kind, d.status])).toEqual([
      ['INVESTIGATION_OPINION', 'OVERDUE'],
      ['APPROVAL', 'OVERDUE'],
    ]);
  });

  it('answers a retry with its first outcome; another forward is ALREADY_FORWARDED, a county’s too', async () => {
    const again = await forward(township, { idempotencyKey: 'gh-dibao-1' });
    expect(again.data.caseForwardForApproval).toMatchObject({ replayed: true, userErrors: [], case: { owner: { key: 'CIVIL_AFFAIRS' } } });
    // Without a key, the same forward by the same officer, nothing recorded since: its first outcome too.
    expect((await forward(township, {})).data.caseForwardForApproval).toMatchObject({ replayed: true, userErrors: [] });
    const twice = await forward(township, { idempotencyKey: 'gh-dibao-2' });
    expect(twice.data.caseForwardForApproval.userErrors).toEqual([{ code: 'ALREADY_FORWARDED', message: expect.stringContaining('CIVIL_AFFAIRS'), field: ['input', 'caseId'] }]);
    expect(codes(await forward(county, {}), 'caseForwardForApproval')).toEqual(['ALREADY_FORWARDED']);
    const [rows] = await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM case_event WHERE case_id = ? AND action = 'APPROVAL_FORWARDED'`, [caseId]);
    expect((rows as { n: number }[])[0].n).toBe(1);
  });

  it('shows supervision the county office holding it since the forward, never overdue, in the API and the file', async () => {
    clock.set('2026-04-09T10:00:00+08:00');
    const res = await supervisor.gql(REPORT, {});
    expect(res.errors).toBeUndefined();
    const report = res.data.overdueReport;
    const held = report.byOffice.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS');
    expect(held.cases.filter((c: { case: { id: string } }) => c.case.id === caseId)).toEqual([]);
    // 04-04 to 04-06 are 清明: 04-02, 04-03, 04-07, 04-08, 04-09.
    const listed = { case: { id: caseId }, heldBy: { key: 'CIVIL_AFFAIRS', name: '任城区民政局' }, forwardedBy: { key: WANG_TOWNSHIP }, since: expect.any(String), workingDaysHeld: 5, provisional: false };
    expect(held.forwardedForApproval).toEqual([listed]);
    // And among the work of the township that forwarded it: its applicant waits on it (once in its township and county).
    expect(report.byOffice.find((g: { office: { key: string } }) => g.office.key === WANG_TOWNSHIP).forwardedForApproval).toEqual([listed]);
    expect(report.byTownship.find((g: { township: { code: string } }) => g.township.code === WANG_TOWNSHIP).forwardedForApproval).toEqual([{ case: { id: caseId } }]);
    expect(report.byCounty.find((g: { county: { code: string } }) => g.county.code === '370811').forwardedForApproval).toEqual([{ case: { id: caseId } }]);
    // As of 03-31, asked now: both limits overdue then, under the township that held the case then.
    const then = (await supervisor.gql(REPORT, { asOf: '2026-03-31T10:00:00+08:00' })).data.overdueReport.byOffice;
    expect(then.map((g: { office: { key: string }; cases: { case: { id: string }; deadline: { kind: string } }[] }) => [g.office.key, g.cases.filter((c) => c.case.id === caseId).map((c) => c.deadline.kind)])).toContainEqual([WANG_TOWNSHIP, ['INVESTIGATION_OPINION', 'APPROVAL']]);
    expect(then.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS')?.cases.filter((c: { case: { id: string } }) => c.case.id === caseId) ?? []).toEqual([]);
    // The township's own overdue list no longer holds its APPROVAL.
    const townshipGroup = report.byOffice.find((g: { office: { key: string } }) => g.office.key === WANG_TOWNSHIP);
    expect((townshipGroup?.cases ?? []).filter((c: { case: { id: string } }) => c.case.id === caseId)).toEqual([]);

    const file = await fetch(`${hub.url}/exports/overdue.csv`, { headers: supervisor.headers });
    expect(file.status).toBe(200);
    const rows: string[][] = parse((await file.text()).replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false });
    const title = rows.findIndex((r) => r[0].startsWith('五、转交县级审批'));
    expect(title).toBeGreaterThan(0);
    const reference = (await township.gql(CASE, { id: caseId })).data.case.reference;
    // Once, under the office that holds it, naming the township office that forwarded it.
    // The fifth table's lines: under its header, up to the blank line (tables 六 to 八 follow it).
    const fifth = rows.slice(title + 2);
    const end = fifth.findIndex((r) => r.every((cell) => cell === ''));
    expect(fifth.slice(0, end === -1 ? undefined : end).filter((r) => r[0] === reference)).toEqual([[reference, '任城区', '古槐街道', '任城区民政局', '古槐街道', '2026-04-01 10:00:00', '5', '否']]);
    // Not among the overdue lines.
    expect(rows.slice(0, title).some((r) => r[1] === reference && r[5] === '审核审批')).toBe(false);
  });

  it('lets the county office, its owner now, decide it; ended, it is no longer held', async () => {
    await ok(county.gql, MOVE, { input: { caseId, to: 'REJECTED', reason: '经县级审核，家庭收入超过低保标准，已解释' } }, 'caseTransition');
    const res = await supervisor.gql(REPORT, {});
    expect(res.data.overdueReport.byOffice.flatMap((g: { forwardedForApproval: unknown[] }) => g.forwardedForApproval)).toEqual([]);
    expect(codes(await forward(township, { idempotencyKey: 'gh-dibao-3' }), 'caseForwardForApproval')).toEqual(['CASE_ENDED']);
  });
});
