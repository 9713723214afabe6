/**
 * A write that acts on a household's or person's records puts them on the audit trail whatever its
 * payload selects. A case moved, an alert signed for, a village notice posted or a finding dismissed with only `userErrors`
 * asked for wrote one row with subject NONE, so `householdAccessLog` and `accessLog` did not show
 * which office acted on them (a case write refused out of reach was on record as DENIED, one served
 * was not). A read refused out of reach, answered as not found, records them as DENIED too:
 * `case(id)`, `referral(id)` and `finding(id)` did, while `alert(id)` wrote subject NONE and the
 * meeting brief of another county's case only its route's row, so neither attempt was in the
 * person's or household's trail.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { WANG_TOWNSHIP, writeWangJobLossAlert } from './support/alerts';
import { okPayload } from './support/payloads';
import { scanToEnd } from './support/scan';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** The hub's clock and the alerts' alike: a notice is posted from the day its alert was verified to today. */
const now = () => new Date(`${TODAY}T10:00:00+08:00`);

beforeAll(async () => {
  dbs = await createTestDatabases('audit_writes');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, clock: now });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** The subjects the request of this id wrote: `KIND:ref:outcome`, in order. */
async function subjectsOf(requestId: string): Promise<string[]> {
  const [r] = await dbs.hubPool.query('SELECT subject_kind, subject_ref, outcome FROM access_log WHERE request_id = ? ORDER BY seq', [requestId]);
  return (r as { subject_kind: string; subject_ref: string | null; outcome: string }[]).map((row) => `${row.subject_kind}:${row.subject_kind === 'HOUSEHOLD' ? row.subject_ref : row.subject_kind === 'NONE' ? '-' : 'person'}:${row.outcome}`);
}

let sent = 0;
/** Headers naming a request id of this test's own, so its audit rows can be told. */
function tagged(): { headers: Record<string, string>; requestId: string } {
  const requestId = `audit-writes-${(sent += 1)}`;
  return { headers: { 'x-request-id': requestId }, requestId };
}

describe('a write selecting only userErrors', () => {
  it('of a case (a transition) records the household', async () => {
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const township = hub.as({ token, purpose: 'CASE_MEETING' });
    const open = await okPayload(
      township.gql,
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
      { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '学费困难', reportedAt: `${TODAY}T09:00:00+08:00` } },
      'caseOpen',
    );
    const { headers, requestId } = tagged();
    const moved = await township.gql(
      `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { userErrors { code } } }`,
      { input: { caseId: open.case.id, to: 'ACCEPTED', reason: '受理', actor: { officer: 'gh-01' } } },
      headers,
    );
    expect(moved.data.caseTransition.userErrors).toEqual([]);
    expect(await subjectsOf(requestId)).toEqual([`HOUSEHOLD:${wangId}:OK`]);

    // Out of reach it was, and stays, on record as refused.
    const other = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370883', roles: ['READER', 'CASEWORKER'] });
    const far = tagged();
    const refused = await hub.as({ token: other.token, purpose: 'CASE_MEETING' }).gql(
      `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { userErrors { code } } }`,
      { input: { caseId: open.case.id, to: 'INVESTIGATING', reason: '调查', actor: { officer: 'zc-01' } } },
      far.headers,
    );
    expect(refused.data.caseTransition.userErrors).toEqual([{ code: 'CASE_NOT_FOUND' }]);
    expect(await subjectsOf(far.requestId)).toEqual([`HOUSEHOLD:${wangId}:DENIED`]);
  });

  it('of an alert (signed for) records its person and household', async () => {
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const id = await writeWangJobLossAlert(dbs, { identity: 'audit-writes-alert', householdId: wangId, now });
    const { headers, requestId } = tagged();
    const res = await hub.as({ token, purpose: 'MONITORING' }).gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId: id, note: '已签收' } }, headers);
    expect(res.data.alertAcknowledge.userErrors).toEqual([]);
    expect((await subjectsOf(requestId)).sort()).toEqual([`HOUSEHOLD:${wangId}:OK`, 'PERSON:person:OK']);
  });

  it('of a village notice (posted on the board) records the alert’s person and household', async () => {
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const township = hub.as({ token, purpose: 'MONITORING' });
    const id = await writeWangJobLossAlert(dbs, { identity: 'audit-writes-notice', householdId: wangId, now });
    await township.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId: id } });
    const verified = await township.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { userErrors { code } } }`, { i: { alertId: id, outcome: 'NEEDS_AID' } });
    expect(verified.data.alertVerify.userErrors).toEqual([]);
    const { headers, requestId } = tagged();
    const posted = await township.gql(
      `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) { userErrors { code } } }`,
      { i: { alertId: id, measures: ['MONITORING_ENROLMENT', 'TEMPORARY_AID'], objectionContact: '古槐街道办事处民政办', objectionPhone: '0537-2345678' } },
      headers,
    );
    expect(posted.data.alertNoticePost.userErrors).toEqual([]);
    expect((await subjectsOf(requestId)).sort()).toEqual([`HOUSEHOLD:${wangId}:OK`, 'PERSON:person:OK']);
  });

  it('of a finding (dismissed) records its household and people', async () => {
    const scan = await scanToEnd(hub, '370811', 'id household { id } people { idNumber } departments { code }');
    const finding = scan.findings.edges.map((e: any) => e.node).find((f: any) => f.household?.id === String(wangId));
    expect(finding).toBeDefined();
    // An office of a department the finding concerns settles it.
    const { token } = await hub.createClient({ department: finding.departments[0].code, regionScope: '370811', roles: ['READER', 'DEPARTMENT_WRITER'] });
    const { headers, requestId } = tagged();
    const res = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(`mutation($i: FindingDismissInput!) { findingDismiss(input: $i) { userErrors { code } } }`, { i: { findingId: finding.id, reason: '已核实' } }, headers);
    expect(res.data.findingDismiss.userErrors).toEqual([]);
    const written = await subjectsOf(requestId);
    expect(written).toContain(`HOUSEHOLD:${wangId}:OK`);
    expect(written.filter((s) => s === 'PERSON:person:OK')).toHaveLength(finding.people.length);
    expect(written).not.toContain('NONE:-:OK');
  });
});

/** The request ids the household's trail holds, as the auditor reads it. */
async function householdTrail(): Promise<{ requestId: string; outcome: string; subjectKind: string }[]> {
  const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['AUDITOR'] });
  const res = await hub.as({ token, purpose: 'AUDIT' }).gql(`query($h: ID!) { householdAccessLog(householdId: $h, first: 500) { edges { node { requestId outcome subjectKind } } } }`, {
    h: String(wangId),
  });
  expect(res.errors).toBeUndefined();
  return res.data.householdAccessLog.edges.map((e: { node: { requestId: string; outcome: string; subjectKind: string } }) => e.node);
}

describe('a read refused out of reach (answered as not found)', () => {
  it('alert(id) out of reach records the alert’s person and household as refused, and answers as for no alert', async () => {
    const id = await writeWangJobLossAlert(dbs, { identity: 'refused-reads-alert', householdId: wangId, now });
    const other = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370883', roles: ['READER', 'CASEWORKER'] });
    const far = hub.as({ token: other.token, purpose: 'MONITORING' });

    const held = tagged();
    const refused = await far.gql(`query($id: ID!) { alert(id: $id) { id } }`, { id }, held.headers);
    const none = tagged();
    const missing = await far.gql(`query($id: ID!) { alert(id: $id) { id } }`, { id: '99999999' }, none.headers);
    // The caller learns nothing: both answer null without an error.
    expect(refused.errors).toBeUndefined();
    expect(missing.errors).toBeUndefined();
    expect(refused.data).toEqual({ alert: null });
    expect(missing.data).toEqual({ alert: null });

    expect((await subjectsOf(held.requestId)).sort()).toEqual([`HOUSEHOLD:${wangId}:DENIED`, 'PERSON:person:DENIED']);
    expect((await subjectsOf(none.requestId)).sort()).toEqual(['NONE:-:OK']);
    expect((await householdTrail()).filter((e) => e.requestId === held.requestId).map((e) => `${e.subjectKind}:${e.outcome}`).sort()).toEqual(['HOUSEHOLD:DENIED', 'PERSON:DENIED']);

    // In reach it is read, and recorded, as before.
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const near = tagged();
    const read = await hub.as({ token, purpose: 'MONITORING' }).gql(`query($id: ID!) { alert(id: $id) { id } }`, { id }, near.headers);
    expect(read.data).toEqual({ alert: { id } });
    expect((await subjectsOf(near.requestId)).sort()).toEqual([`HOUSEHOLD:${wangId}:OK`, 'PERSON:person:OK']);
  });

  it('the meeting brief of a case out of reach records the case’s household as refused, and answers as for no case', async () => {
    const { token } = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const open = await okPayload(
      hub.as({ token, purpose: 'CASE_MEETING' }).gql,
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
      { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院费用负担重', reportedAt: `${TODAY}T09:00:00+08:00` } },
      'caseOpen',
    );
    const other = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370883', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER'] });
    const far = hub.as({ token: other.token, purpose: 'CASE_MEETING' });
    const brief = async (caseId: string) => {
      const t = tagged();
      const res = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: { ...far.headers, ...t.headers, accept: 'application/json' } });
      return { status: res.status, body: (await res.json()) as { errors: { extensions: { code: string; reason: string } }[] }, requestId: t.requestId };
    };

    const held = await brief(open.case.id);
    const missing = await brief('99999999');
    expect(held.status).toBe(404);
    expect(held.body.errors[0].extensions).toEqual(missing.body.errors[0].extensions);
    expect(held.body.errors[0].extensions.reason).toBe('CASE_NOT_FOUND');

    expect((await subjectsOf(held.requestId)).sort()).toEqual([`HOUSEHOLD:${wangId}:DENIED`, 'NONE:-:ALLOWED']);
    expect((await subjectsOf(missing.requestId)).sort()).toEqual(['NONE:-:ALLOWED']);
    expect((await householdTrail()).filter((e) => e.requestId === held.requestId).map((e) => `${e.subjectKind}:${e.outcome}`)).toEqual(['HOUSEHOLD:DENIED']);
  });
});
