/**
 * Documented text limits count characters, not UTF-16 code units: a text of exactly the limit in
 * emoji and CJK Extension B characters (two code units each) is accepted and stored whole, one
 * character more is refused with the field's stable code. Through the API, against a real hub and
 * database, for every kind of check (cases' texts, the actor and the retry key, meetings, slips'
 * answers, charity texts, the reported-aid ledger's references; findings' and alerts' officer and
 * reason are in test/findings.test.ts and test/monitoring/monitoring.test.ts). The counting itself
 * is domain/text-length.ts (unit cases at the end).
 */
import { charCount, firstChars, longerThan } from '../domain/text-length';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { TestClock } from './support/clock';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { chars } from './support/text';

jest.setTimeout(120_000);


type Gql = TestHub['gql'];
let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let ca: Gql;
let health: Gql;
let office: Gql;
let charity: Gql;
let justice: Gql;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function payload(gql: Gql, query: string, input: Record<string, unknown>, field: string): Promise<any> {
  const res = await gql(query, { input });
  expect(res.errors).toBeUndefined();
  return res.data[field];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const errorsOf = (p: any) => p.userErrors.map((e: { code: string; field: string[] | null }) => ({ code: e.code, field: e.field }));

beforeAll(async () => {
  dbs = await createTestDatabases('text_length');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const make = async (name: string, department: string, regionScope: string, roles: string[], purpose: string) =>
    hub.as({ token: (await hub.createClient({ name, department: department as never, regionScope, roles: roles as never })).token, purpose }).gql;
  ca = await make('tl-ca', 'CIVIL_AFFAIRS', '370811', ['CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING');
  health = await make('tl-health', 'HEALTH', '370811', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL');
  office = await make('tl-office', 'CIVIL_AFFAIRS', '370811', ['CASEWORKER'], 'CHARITY_LINKAGE');
  charity = await make('tl-charity', 'CHARITY', '370800', ['CHARITY'], 'CHARITY_LINKAGE');
  justice = await make('tl-justice', 'JUSTICE', '370800', ['DEPARTMENT_WRITER'], 'DUPLICATE_CHECK');
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id summary history { actor } } userErrors { code field } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state history { reason } } userErrors { code field } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { notes decisions { id ask } } userErrors { code field } } }`;
const SLIP = `referral { id state } userErrors { code field }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id ask } userErrors { code field } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { ${SLIP} } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`;

describe('cases', () => {
  let caseId: string;
  const openInput = (extra: Record<string, unknown>) => ({ householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院自付费用高', reportedAt: '2026-03-10T09:00:00+08:00', ...extra });

  it('a summary of 500 characters is stored whole; 501 is TEXT_TOO_LONG', async () => {
    const over = await payload(ca, OPEN, openInput({ summary: chars(501) }), 'caseOpen');
    expect(errorsOf(over)).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'summary'] }]);
    const at = await payload(ca, OPEN, openInput({ summary: chars(500) }), 'caseOpen');
    expect(at.userErrors).toEqual([]);
    expect(at.case.summary).toBe(chars(500));
    caseId = at.case.id;
  });

  it('the actor’s officer and the retry key take 64 characters', async () => {
    const at = await payload(ca, OPEN, openInput({ actor: { officer: chars(64) }, idempotencyKey: chars(64) }), 'caseOpen');
    expect(at.userErrors).toEqual([]);
    // The actor is the client and the officer, cut to the column's 64 characters, never through a
    // character ('tl-ca/' and the officer: the cut falls inside a two-unit character).
    expect(at.case.history[0].actor).toBe([...`tl-ca/${chars(64)}`].slice(0, 64).join(''));
    const again = await payload(ca, OPEN, openInput({ actor: { officer: chars(64) }, idempotencyKey: chars(64) }), 'caseOpen');
    expect(again.case.id).toBe(at.case.id);
    for (const [input, argument, reason] of [
      [{ actor: { officer: chars(65) } }, 'input.actor.officer', 'MALFORMED_ACTOR'],
      [{ idempotencyKey: chars(65) }, 'input.idempotencyKey', 'MALFORMED_IDEMPOTENCY_KEY'],
    ] as const) {
      const res = await ca(OPEN, { input: openInput(input) });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument, reason });
    }
  });

  it('a transition’s reason takes 2000 characters', async () => {
    expect(errorsOf(await payload(ca, MOVE, { caseId, to: 'ACCEPTED', reason: chars(2001) }, 'caseTransition'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'reason'] }]);
    const at = await payload(ca, MOVE, { caseId, to: 'ACCEPTED', reason: chars(2000) }, 'caseTransition');
    expect(at.userErrors).toEqual([]);
    expect(at.case.history.map((e: { reason: string | null }) => e.reason)).toContain(chars(2000));
    for (const to of ['INVESTIGATING', 'IN_DELIBERATION']) expect((await payload(ca, MOVE, { caseId, to, reason: to }, 'caseTransition')).userErrors).toEqual([]);
  });

  let decision: string;
  it('a meeting’s notes take 2000 characters, a decision’s ask and override reason 500', async () => {
    const meeting = (notes: string, ask: string, conflictOverrideReason: string) => ({
      caseId,
      heldOn: '2026-03-13',
      departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
      notes,
      decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother, ask, conflictOverrideReason }],
    });
    const over = await payload(ca, MEETING, meeting(chars(2001), chars(501), chars(500)), 'meetingRecord');
    expect(errorsOf(over)).toEqual([
      { code: 'TEXT_TOO_LONG', field: ['input', 'notes'] },
      { code: 'TEXT_TOO_LONG', field: ['input', 'decisions', '0', 'ask'] },
    ]);
    // The override reason is checked with the decisions' pre-grant checks, once the meeting's own input holds.
    const overReason = await payload(ca, MEETING, meeting(chars(2000), chars(500), chars(501)), 'meetingRecord');
    expect(errorsOf(overReason)).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'decisions', '0', 'conflictOverrideReason'] }]);
    const at = await payload(ca, MEETING, meeting(chars(2000), chars(500), chars(500)), 'meetingRecord');
    expect(at.userErrors).toEqual([]);
    expect(at.meeting.notes).toBe(chars(2000));
    expect(at.meeting.decisions[0].ask).toBe(chars(500));
    decision = at.meeting.decisions[0].id;
  });

  it('a slip’s ask takes 500 characters, its answers 2000', async () => {
    const issue = (ask: string) => ({ caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 5 });
    expect(errorsOf(await payload(ca, ISSUE, issue(chars(501)), 'referralIssue'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'ask'] }]);
    const slip = await payload(ca, ISSUE, issue(chars(500)), 'referralIssue');
    expect(slip.userErrors).toEqual([]);
    expect(slip.referral.ask).toBe(chars(500));
    expect(errorsOf(await payload(health, ACCEPT, { referralId: slip.referral.id, note: chars(2001) }, 'referralAccept'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'note'] }]);
    expect((await payload(health, ACCEPT, { referralId: slip.referral.id, note: chars(2000) }, 'referralAccept')).userErrors).toEqual([]);
    expect(errorsOf(await payload(health, DECLINE, { referralId: decision, reason: chars(2001) }, 'referralDecline'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'reason'] }]);
    expect((await payload(health, DECLINE, { referralId: decision, reason: chars(2000) }, 'referralDecline')).userErrors).toEqual([]);
  });

  it('a declined decision’s reassignment and waiver take 500 characters', async () => {
    const reassign = { referralId: decision, reason: chars(501), department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'OTHER', amountFen: 100_000, deadlineWorkingDays: 5, ask: chars(501) };
    expect(errorsOf(await payload(ca, REASSIGN, reassign, 'referralReassign'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'ask'] }]);
    expect(errorsOf(await payload(ca, REASSIGN, { ...reassign, ask: chars(500) }, 'referralReassign'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'reason'] }]);
    expect(errorsOf(await payload(ca, WAIVE, { referralId: decision, reason: chars(501) }, 'referralWaive'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'reason'] }]);
    expect((await payload(ca, WAIVE, { referralId: decision, reason: chars(500) }, 'referralWaive')).userErrors).toEqual([]);
  });
});

describe('charity linkage', () => {
  const CONSENT = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id givenBy recordedByOfficer } userErrors { code field } } }`;
  const REGISTER = `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { organisation { name } userErrors { code field } } }`;
  const PROJECT = `mutation($input: CharityProjectCreateInput!) { charityProjectCreate(input: $input) { project { title } userErrors { code field } } }`;
  const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code field } } }`;

  it('consent: who gave it takes 32 characters, the officer 64', async () => {
    const consent = (givenBy: string, officer: string) => ({ householdId: String(wangId), scopes: ['NEED_PUBLICATION'], givenBy, expiresOn: '2026-12-31', officer });
    expect(errorsOf(await payload(office, CONSENT, consent(chars(33), 'RC-1'), 'charityConsentRecord'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'givenBy'] }]);
    expect(errorsOf(await payload(office, CONSENT, consent('户主', chars(65)), 'charityConsentRecord'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'officer'] }]);
    const at = await payload(office, CONSENT, consent(chars(32), chars(64)), 'charityConsentRecord');
    expect(at).toMatchObject({ consent: { givenBy: chars(32), recordedByOfficer: chars(64) }, userErrors: [] });

    // A need's description takes 200 (the case is the household's, opened by the same county).
    const [row] = await dbs.hubPool.query('SELECT id FROM aid_case WHERE household_id = ? ORDER BY id LIMIT 1', [wangId]);
    const caseId = String((row as { id: number }[])[0].id);
    const need = (description: string) => ({ caseId, consentId: at.consent.id, purpose: 'LIVING', urgency: 'NORMAL', uncoveredFen: 100_000, description });
    expect(errorsOf(await payload(office, PUBLISH, need(chars(201)), 'charityNeedPublish'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'description'] }]);
    expect((await payload(office, PUBLISH, need(chars(200)), 'charityNeedPublish')).userErrors).toEqual([]);
  });

  it('an organisation’s name takes 64 characters (in the linkage and in the ledger it is kept in), a project’s title 100', async () => {
    const register = (name: string) => ({ creditCode: '53370800MJD12345XD', name });
    expect(errorsOf(await payload(charity, REGISTER, register(chars(65)), 'charityOrganisationRegister'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'name'] }]);
    expect(await payload(charity, REGISTER, register(chars(64)), 'charityOrganisationRegister')).toEqual({ organisation: { name: chars(64) }, userErrors: [] });
    const project = (title: string, reference = `P-${title.length}`) => ({ title, purpose: 'LIVING', regionCode: '370800', budgetFen: 100_000, reference });
    expect(errorsOf(await payload(charity, PROJECT, project(chars(101)), 'charityProjectCreate'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'title'] }]);
    expect(await payload(charity, PROJECT, project(chars(100)), 'charityProjectCreate')).toEqual({ project: { title: chars(100) }, userErrors: [] });
    // Its reference, as a pledge's, takes 64.
    expect(errorsOf(await payload(charity, PROJECT, project('项目', 'R'.repeat(65)), 'charityProjectCreate'))).toEqual([{ code: 'TEXT_TOO_LONG', field: ['input', 'reference'] }]);
  });
});

describe('reported aid', () => {
  const REPORT = `mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded userErrors { index code field } } }`;
  it('a case reference takes 64 characters', async () => {
    const record = (caseReference: string, reference: string) => ({ reference, beneficiaryIdNumber: WANG.head, programme: 'LEGAL_AID', grantDate: TODAY, amountFen: 0, caseReference });
    const over = await justice(REPORT, { records: [record(chars(65), 'FY-1')] });
    expect(over.errors).toBeUndefined();
    expect(over.data.aidReport).toEqual({ recorded: 0, userErrors: [{ index: 0, code: 'TEXT_TOO_LONG', field: 'caseReference' }] });
    const at = await justice(REPORT, { records: [record(chars(64), 'FY-2')] });
    expect(at.data.aidReport).toEqual({ recorded: 1, userErrors: [] });
    const [rows] = await dbs.hubPool.query('SELECT case_reference FROM reported_aid WHERE reference = ?', ['FY-2']);
    expect(rows).toEqual([{ case_reference: chars(64) }]);
  });
});

describe('counting (domain/text-length.ts)', () => {
  it('counts code points, the unit of a utf8mb4 VARCHAR', () => {
    expect(['', 'abc', '救助', '😀', '𠮷', chars(300)].map(charCount)).toEqual([0, 3, 2, 1, 1, 300]);
    expect(chars(300).length).toBe(500);
    expect([longerThan(chars(500), 500), longerThan(chars(501), 500), longerThan('a'.repeat(501), 500)]).toEqual([false, true, true]);
    expect(firstChars('ab😀c', 3)).toBe('ab😀');
    expect(firstChars('😀😀', 1)).toBe('😀');
    expect(firstChars('abc', 5)).toBe('abc');
  });
});
