/**
 * Clocks supervision can trust (issue 12), on a real hub whose clock the test moves (HubDeps.clock)
 * instead of sleeping: lateness is measured by when the hub recorded a step, a stated earlier time
 * is kept beside it and shown, and bounded; 先行救助 is a recorded act with its money trail and the
 * 5-working-day materials deadline after it; a reassigned decision runs the pre-grant check; a
 * waiver is a case event, idempotent on retry; the dossier's slips carry the provisional flag.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { STEP_BACKDATE_DAYS } from '../domain/cases/stated-time';

type Gql = TestHub['gql'];

const cn = (local: string) => `${local}+08:00`;
const CASE = `id state`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { ${CASE} } userErrors { code field } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { ${CASE} } userErrors { code field } } }`;
const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { ${CASE} } userErrors { code field } } }`;
const MATERIALS = `mutation($input: CaseMaterialsCompleteInput!) { caseMaterialsComplete(input: $input) { case { ${CASE} } userErrors { code field } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id to { key } } } userErrors { code field } } }`;
const SLIP = `referral { id state } userErrors { code field }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { ${SLIP} } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`;
const DEADLINES = `query($id: ID!) { case(id: $id) { deadlines { kind status dueOn metAt metStatedAt } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: string;
const clock = new TestClock(cn('2026-03-09T09:00:00'));
/** County civil affairs (the default client: every role), and the health and education offices. */
let ca: Gql;
let health: Gql;
let education: Gql;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function codes(res: any, field: string): string[] {
  expect(res.errors).toBeUndefined();
  return res.data[field].userErrors.map((e: { code: string }) => e.code);
}

async function ok(gql: Gql, query: string, variables: Record<string, unknown>, field: string) {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

async function openCase(urgency: string, summary: string): Promise<string> {
  const opened = await ok(ca, OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency, summary } }, 'caseOpen');
  await ok(ca, MOVE, { input: { caseId: opened.case.id, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  return opened.case.id;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_clock');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ca = hub.gql;
  const department = async (d: 'HEALTH' | 'EDUCATION') => hub.as({ token: (await hub.createClient({ department: d, regionScope: '370811', roles: ['CASEWORKER'] })).token, purpose: 'REFERRAL' }).gql;
  health = await department('HEALTH');
  education = await department('EDUCATION');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('lateness is measured by the time the hub recorded', () => {
  it('a back-dated answer to a slip still reads late, shows the stated time, and the overdue report listed it', async () => {
    clock.set(cn('2026-03-09T09:00:00'));
    const caseId = await openCase('NORMAL', '回溯时间测试');
    clock.set(cn('2026-03-09T10:00:00'));
    const slip = (await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 1 } }, 'referralIssue')).referral.id;
    // Due Tue 03-10; on Thu 03-12 it is overdue and unanswered: supervision lists it.
    clock.set(cn('2026-03-12T10:00:00'));
    const report = await ca(`{ overdueReport { byOffice { office { key } referrals { referral { id } overdue { workingDays } } } } }`);
    expect(report.errors).toBeUndefined();
    const healthOverdue = report.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'HEALTH');
    expect(healthOverdue.referrals).toEqual([{ referral: { id: slip }, overdue: { workingDays: 2 } }]);
    // Stated further back than allowed: refused, naming the field.
    const tooEarly = await health(ACCEPT, { input: { referralId: slip, occurredAt: new Date(clock.at.getTime() - (STEP_BACKDATE_DAYS + 1) * 86_400_000).toISOString() } });
    expect(tooEarly.data.referralAccept.userErrors).toEqual([{ code: 'OCCURRED_TOO_EARLY', field: ['input', 'occurredAt'] }]);
    // Stated before the hub issued it: out of order.
    expect(codes(await health(ACCEPT, { input: { referralId: slip, occurredAt: cn('2026-03-09T09:30:00') } }), 'referralAccept')).toEqual(['OCCURRED_OUT_OF_ORDER']);
    await ok(health, ACCEPT, { input: { referralId: slip, occurredAt: cn('2026-03-09T11:00:00') } }, 'referralAccept');
    // The office says it answered on the due day: the hub recorded it two days later.
    await ok(health, COMPLETE, { input: { referralId: slip, feedback: '已核实', occurredAt: cn('2026-03-10T10:00:00') } }, 'referralComplete');
    const res = await ca(`query($id: ID!) { referral(id: $id) { deadlineStatus overdue { workingDays } answeredAt answeredStatedAt issuedAt case { history { action occurredAt recordedAt } } } }`, { id: slip });
    expect(res.errors).toBeUndefined();
    expect(res.data.referral).toMatchObject({
      deadlineStatus: 'MET_LATE',
      overdue: { workingDays: 2 },
      answeredAt: '2026-03-12T10:00:00.000+08:00',
      answeredStatedAt: '2026-03-10T10:00:00.000+08:00',
      issuedAt: '2026-03-09T10:00:00.000+08:00',
    });
    expect(res.data.referral.case.history.at(-1)).toEqual({ action: 'REFERRAL_COMPLETED', occurredAt: '2026-03-10T10:00:00.000+08:00', recordedAt: '2026-03-12T10:00:00.000+08:00' });

    // Answered, it is no longer overdue, but supervision still reads that it was answered late, by how
    // much, under the office, its township and county; as at a moment before the answer, it was overdue then.
    const LATE = `query($asOf: DateTime) { overdueReport(asOf: $asOf) {
      byOffice { office { key } referrals { referral { id } } answeredLate { referral { id deadlineStatus } overdue { workingDays } } }
      byTownship { answeredLate { referral { id } } } byCounty { county { code } answeredLate { referral { id } } } } }`;
    const late = await ca(LATE, {});
    expect(late.errors).toBeUndefined();
    const healthNow = late.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'HEALTH');
    expect(healthNow).toEqual({ office: { key: 'HEALTH' }, referrals: [], answeredLate: [{ referral: { id: slip, deadlineStatus: 'MET_LATE' }, overdue: { workingDays: 2 } }] });
    expect(late.data.overdueReport.byTownship.flatMap((g: any) => g.answeredLate)).toEqual([{ referral: { id: slip } }]);
    expect(late.data.overdueReport.byCounty.map((g: any) => [g.county.code, g.answeredLate])).toEqual([['370811', [{ referral: { id: slip } }]]]);
    const before = await ca(LATE, { asOf: cn('2026-03-12T09:00:00') });
    const healthBefore = before.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'HEALTH');
    expect(healthBefore.referrals).toEqual([{ referral: { id: slip } }]);
    expect(healthBefore.answeredLate).toEqual([]);
  });

  it('bounds a stated report to a year back and a step to ten days', async () => {
    clock.set(cn('2026-03-12T10:00:00'));
    const old = await ca(OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '旧申请', reportedAt: cn('2025-03-01T09:00:00') } });
    expect(old.data.caseOpen.userErrors).toEqual([{ code: 'OCCURRED_TOO_EARLY', field: ['input', 'reportedAt'] }]);
    const caseId = (await ok(ca, OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '纸质申请补录', reportedAt: cn('2026-01-05T09:00:00') } }, 'caseOpen')).case.id;
    expect(codes(await ca(MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理', occurredAt: cn('2026-03-01T09:00:00') } }), 'caseTransition')).toEqual(['OCCURRED_TOO_EARLY']);
    expect(codes(await ca(MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理', occurredAt: cn('2026-03-12T11:00:00') } }), 'caseTransition')).toEqual(['OCCURRED_IN_FUTURE']);
  });

  it('takes a step done on the last working day before 春节 2026 (nine days off) when it is recorded on the first working day after', async () => {
    // Issued on Friday 02-13; the office accepts it in the field on Saturday 02-14, worked in exchange
    // (调休), and 02-15 … 02-23 are off: its system records the acceptance on Tuesday 02-24, ten China
    // days later but more than 240 hours after the morning it was done. It was OCCURRED_TOO_EARLY.
    clock.set(cn('2026-02-13T09:00:00'));
    const caseId = await openCase('NORMAL', '春节前转办');
    const slip = (await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 3 } }, 'referralIssue')).referral.id;
    clock.set(cn('2026-02-24T17:00:00'));
    // Eleven China days back (Friday 02-13, after the slip was issued) is still too early.
    const friday = await health(ACCEPT, { input: { referralId: slip, occurredAt: cn('2026-02-13T16:00:00') } });
    expect(friday.data.referralAccept.userErrors).toEqual([{ code: 'OCCURRED_TOO_EARLY', field: ['input', 'occurredAt'] }]);
    await ok(health, ACCEPT, { input: { referralId: slip, occurredAt: cn('2026-02-14T09:00:00') } }, 'referralAccept');
    const res = await ca(`query($id: ID!) { case(id: $id) { history { action occurredAt recordedAt } } }`, { id: caseId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.history.at(-1)).toEqual({ action: 'REFERRAL_ACCEPTED', occurredAt: '2026-02-14T09:00:00.000+08:00', recordedAt: '2026-02-24T17:00:00.000+08:00' });
  });
});

describe('先行救助 and the materials after it', () => {
  let caseId: string;

  it('is refused as a bare state change, for a normal case, and with an aid record the department does not have', async () => {
    clock.set(cn('2026-03-09T09:00:00'));
    caseId = await openCase('URGENT', '户主之母突发脑梗住院');
    expect(codes(await ca(MOVE, { input: { caseId, to: 'FIRST_AID_GIVEN', reason: '先行救助' } }), 'caseTransition')).toEqual(['FIRST_AID_DETAILS_REQUIRED']);
    const normal = await openCase('NORMAL', '一般申请');
    expect(codes(await ca(FIRST_AID, { input: { caseId: normal, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 100_000, reason: '先行救助' } }), 'caseFirstAid')).toEqual(['CASE_NOT_URGENT']);
    expect(codes(await ca(FIRST_AID, { input: { caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 200_000, aidSourceReference: 'no-such-record:999999', reason: '先行救助' } }), 'caseFirstAid')).toEqual([
      'AID_RECORD_NOT_FOUND',
    ]);
    // Longer than any reference the hub keeps (128 characters): refused before a department is asked.
    expect(codes(await ca(FIRST_AID, { input: { caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 200_000, aidSourceReference: 'r'.repeat(129), reason: '先行救助' } }), 'caseFirstAid')).toEqual(['TEXT_TOO_LONG']);
    expect(codes(await ca(FIRST_AID, { input: { caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 200_000, aidSourceReference: 'r'.repeat(128), reason: '先行救助' } }), 'caseFirstAid')).toEqual(['AID_RECORD_NOT_FOUND']);
    expect(codes(await ca(FIRST_AID, { input: { caseId, programme: 'NO_SUCH', amountFen: 200_000, reason: '先行救助' } }), 'caseFirstAid')).toEqual(['UNKNOWN_PROGRAMME']);
    // A record the department does hold for the household, but not this first aid's money trail:
    // the head's 低保 enrolment of 2024, and the grandmother's temporary aid of 2026-01-20, paid
    // before this case was reported (03-09). Each is checked as a decision's record is.
    const aid = await ca(`query($id: ID!) { household(id: $id) { aid(departments: [CIVIL_AFFAIRS]) { programme { code } beneficiary { idNumber } sourceReference } } }`, { id: wangId });
    expect(aid.errors).toBeUndefined();
    type Rec = { programme: { code: string }; beneficiary: { idNumber: string }; sourceReference: string };
    const dibao = aid.data.household.aid.find((r: Rec) => r.programme.code === 'DIBAO' && r.beneficiary.idNumber === WANG.head).sourceReference;
    const oldTempAid = aid.data.household.aid.find((r: Rec) => r.programme.code === 'TEMP_AID').sourceReference;
    // The amount the old temporary aid paid (¥3,000), so that only what is checked here is at fault.
    const named = (aidSourceReference: string, beneficiaryIdNumber: string) => ({ input: { caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 300_000, beneficiaryIdNumber, aidSourceReference, reason: '先行救助' } });
    expect(codes(await ca(FIRST_AID, named(dibao, WANG.head)), 'caseFirstAid')).toEqual(['AID_RECORD_PROGRAMME_MISMATCH', 'AID_RECORD_BEFORE_DECISION']);
    expect(codes(await ca(FIRST_AID, named(oldTempAid, WANG.grandmother)), 'caseFirstAid')).toEqual(['AID_RECORD_BEFORE_DECISION']);
    expect(codes(await ca(FIRST_AID, named(oldTempAid, WANG.child)), 'caseFirstAid')).toEqual(['AID_RECORD_BENEFICIARY_MISMATCH', 'AID_RECORD_BEFORE_DECISION']);
    // Nothing was recorded: the case still waits for its first aid.
    expect((await ca(`query($id: ID!) { case(id: $id) { state firstAid { amountFen } } }`, { id: caseId })).data.case).toEqual({ state: 'ACCEPTED', firstAid: null });
    // A case not yet accepted: the refusal names the case, a field of caseFirstAid's input (it has no `to`).
    const reported = (await ok(ca, OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'URGENT', summary: '未受理' } }, 'caseOpen')).case.id;
    const early = await ca(FIRST_AID, { input: { caseId: reported, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 100_000, reason: '先行救助' } });
    expect(early.errors).toBeUndefined();
    expect(early.data.caseFirstAid.userErrors).toEqual([{ code: 'ILLEGAL_TRANSITION', field: ['input', 'caseId'] }]);
  });

  it('is refused with an aid record that pays another amount than stated; recorded with the amount the record pays', async () => {
    clock.set(cn('2026-03-09T12:00:00'));
    const other = await openCase('URGENT', '户主之母突发脑梗住院（另案）');
    // The money trail of this first aid: ¥1,500 of temporary aid to the grandmother, paid the day of the report.
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: true, grantDate: '2026-03-09', amountFen: 150_000, approvalLevel: 1 }]);
    const aid = await ca(`query($id: ID!) { household(id: $id) { aid(departments: [CIVIL_AFFAIRS]) { programme { code } grantDate sourceReference } } }`, { id: wangId });
    expect(aid.errors).toBeUndefined();
    const record = aid.data.household.aid.find((r: { programme: { code: string }; grantDate: string | null }) => r.programme.code === 'TEMP_AID' && r.grantDate === '2026-03-09').sourceReference;
    const stating = (amountFen: number) => ({ input: { caseId: other, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen, beneficiaryIdNumber: WANG.grandmother, aidSourceReference: record, reason: '先行发放临时救助' } });
    // More stated than paid (supervision would read ¥2,000 given), and less.
    for (const amountFen of [200_000, 100_000]) {
      const res = await ca(FIRST_AID, stating(amountFen));
      expect(res.errors).toBeUndefined();
      expect({ amountFen, userErrors: res.data.caseFirstAid.userErrors }).toEqual({ amountFen, userErrors: [{ code: 'AID_RECORD_AMOUNT_MISMATCH', field: ['input', 'amountFen'] }] });
    }
    expect((await ca(`query($id: ID!) { case(id: $id) { state firstAid { amountFen } } }`, { id: other })).data.case).toEqual({ state: 'ACCEPTED', firstAid: null });
    expect((await ok(ca, FIRST_AID, stating(150_000), 'caseFirstAid')).case.state).toBe('FIRST_AID_GIVEN');
    expect((await ca(`query($id: ID!) { case(id: $id) { firstAid { amountFen aidSourceReference pending } } }`, { id: other })).data.case.firstAid).toEqual({ amountFen: 150_000, aidSourceReference: record, pending: false });
  });

  it('records the first aid given (a grant pending) before investigation; recorded 30 hours on, it met its 24 hours late whatever was stated', async () => {
    clock.set(cn('2026-03-10T15:00:00'));
    const input = { caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 200_000, beneficiaryIdNumber: WANG.grandmother, reason: '先行发放临时救助 2000 元', occurredAt: cn('2026-03-10T08:00:00'), idempotencyKey: 'first-aid-1' };
    expect((await ok(ca, FIRST_AID, { input }, 'caseFirstAid')).case.state).toBe('FIRST_AID_GIVEN');
    // A retry answers from its key; investigation follows the first aid.
    expect((await ok(ca, FIRST_AID, { input }, 'caseFirstAid')).case.state).toBe('FIRST_AID_GIVEN');
    await ok(ca, MOVE, { input: { caseId, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition');
    const res = await ca(`query($id: ID!) { case(id: $id) { firstAid { programme { code } amountFen beneficiary { idNumber } aidSourceReference pending reason givenAt recordedAt } history { action toState } } }`, { id: caseId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.firstAid).toEqual({
      programme: { code: 'TEMP_AID' },
      amountFen: 200_000,
      beneficiary: { idNumber: WANG.grandmother },
      aidSourceReference: null,
      pending: true,
      reason: '先行发放临时救助 2000 元',
      givenAt: '2026-03-10T08:00:00.000+08:00',
      recordedAt: '2026-03-10T15:00:00.000+08:00',
    });
    expect(res.data.case.history.filter((e: { toState: string }) => e.toState === 'FIRST_AID_GIVEN')).toHaveLength(1);
    const { data } = await ca(DEADLINES, { id: caseId });
    expect(data.case.deadlines).toEqual([
      { kind: 'FIRST_AID', status: 'MET_LATE', dueOn: null, metAt: '2026-03-10T15:00:00.000+08:00', metStatedAt: '2026-03-10T08:00:00.000+08:00' },
      // 5 working days from the first aid's day, Tue 03-10: 11, 12, 13, 16, 17.
      { kind: 'MATERIALS', status: 'PENDING', dueOn: '2026-03-17', metAt: null, metStatedAt: null },
    ]);
  });

  it('shows the materials overdue on the case, the overdue report and the brief, until they are recorded complete', async () => {
    clock.set(cn('2026-03-18T10:00:00'));
    const report = await ca(`{ overdueReport { byCounty { county { code } cases { case { id } deadline { kind status } } } } }`);
    expect(report.errors).toBeUndefined();
    const rencheng = report.data.overdueReport.byCounty.find((g: { county: { code: string } }) => g.county.code === '370811');
    expect(rencheng.cases.filter((c: { case: { id: string } }) => c.case.id === caseId)).toEqual([{ case: { id: caseId }, deadline: { kind: 'MATERIALS', status: 'OVERDUE' } }]);
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders });
    const html = await brief.text();
    expect(brief.status).toBe(200);
    expect(html).toContain('补充完善');
    expect(html).toContain('先行救助');

    const input = { caseId, note: '已补齐住院证明、收入证明', occurredAt: cn('2026-03-17T16:00:00'), idempotencyKey: 'materials-1' };
    await ok(ca, MATERIALS, { input }, 'caseMaterialsComplete');
    await ok(ca, MATERIALS, { input }, 'caseMaterialsComplete');
    expect(codes(await ca(MATERIALS, { input: { caseId, note: '再次补充' } }), 'caseMaterialsComplete')).toEqual(['MATERIALS_ALREADY_COMPLETE']);
    const { data } = await ca(DEADLINES, { id: caseId });
    // Stated on the due day, recorded the day after: late.
    expect(data.case.deadlines[1]).toEqual({ kind: 'MATERIALS', status: 'MET_LATE', dueOn: '2026-03-17', metAt: '2026-03-18T10:00:00.000+08:00', metStatedAt: '2026-03-17T16:00:00.000+08:00' });
    const history = await ca(`query($id: ID!) { case(id: $id) { history { action reason } } }`, { id: caseId });
    expect(history.data.case.history.filter((e: { action: string }) => e.action === 'MATERIALS_COMPLETED')).toEqual([{ action: 'MATERIALS_COMPLETED', reason: '已补齐住院证明、收入证明' }]);
  });
});

describe('declined decisions', () => {
  let slips: Record<string, string>;
  let caseId: string;

  beforeAll(async () => {
    clock.set(cn('2026-03-13T09:00:00'));
    caseId = await openCase('NORMAL', '改派与豁免测试');
    for (const to of ['INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    clock.set(cn('2026-03-13T15:00:00'));
    const met = await ok(
      ca,
      MEETING,
      {
        input: {
          caseId,
          heldOn: '2026-03-13',
          departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION', 'HEALTH', 'HOUSING'],
          decisions: [
            { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child },
            { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 300_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother },
          ],
        },
      },
      'meetingRecord',
    );
    slips = Object.fromEntries(met.meeting.decisions.map((d: { id: string; to: { key: string } }) => [d.to.key, d.id]));
    await ok(education, DECLINE, { input: { referralId: slips.EDUCATION, reason: '该生已转学至外市' } }, 'referralDecline');
    await ok(health, DECLINE, { input: { referralId: slips.HEALTH, reason: '已由大病保险全额报销' } }, 'referralDecline');
  });

  it('a reassignment runs the pre-grant check: a conflict (a second rent subsidy) needs the override reason, which is kept on the new slip', async () => {
    const input = { referralId: slips.EDUCATION, reason: '改由住房部门提高租赁补贴', department: 'HOUSING', programme: 'RENT_SUBSIDY', amountFen: 50_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head };
    // The new slip's office reads the reason and the override reason: a number in either is refused,
    // before the conflict is weighed, and nothing is written.
    const slipsOfCase = async () => (await ca(`query($id: ID!) { case(id: $id) { referrals { id state } } }`, { id: caseId })).data.case.referrals;
    const before = await slipsOfCase();
    const numbered = await ca(REASSIGN, { input: { ...input, reason: `${input.reason}，户主电话 13905371234` } });
    expect(numbered.data.referralReassign.userErrors).toEqual([{ code: 'IDENTIFYING_NUMBER', field: ['input', 'reason'] }]);
    const overridden = await ca(REASSIGN, { input: { ...input, conflictOverrideReason: '补贴打入 6222 0216 0700 1234 567' } });
    expect(overridden.data.referralReassign.userErrors).toEqual([{ code: 'IDENTIFYING_NUMBER', field: ['input', 'conflictOverrideReason'] }]);
    expect(await slipsOfCase()).toEqual(before);
    const refused = await ca(REASSIGN, { input });
    expect(refused.data.referralReassign.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] }]);
    const reassigned = await ok(ca, REASSIGN, { input: { ...input, conflictOverrideReason: '提高现有租赁补贴档次，非重复发放' } }, 'referralReassign');
    const res = await ca(`query($id: ID!) { referral(id: $id) { to { key } decisionCheck { conflict overrideReason findings { ruleId severity } } } }`, { id: reassigned.referral.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.referral).toMatchObject({ to: { key: 'HOUSING' }, decisionCheck: { conflict: true, overrideReason: '提高现有租赁补贴档次，非重复发放' } });
    expect(res.data.referral.decisionCheck.findings.some((f: { severity: string }) => f.severity === 'CONFLICT')).toBe(true);
  });

  it('a waiver is a case event, answered from its key on retry and refused for another request under the same key', async () => {
    const input = { referralId: slips.HEALTH, reason: '已由大病保险报销，无需医疗救助', idempotencyKey: 'waive-health-1' };
    const first = await ok(ca, WAIVE, { input }, 'referralWaive');
    const again = await ok(ca, WAIVE, { input }, 'referralWaive');
    expect(again.referral.id).toBe(first.referral.id);
    expect(codes(await ca(WAIVE, { input: { ...input, reason: '另一理由' } }), 'referralWaive')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(codes(await ca(WAIVE, { input: { referralId: slips.HEALTH, reason: '再次豁免' } }), 'referralWaive')).toEqual(['DECISION_NOT_DECLINED']);
    const res = await ca(`query($id: ID!) { case(id: $id) { history { action referral { id } reason recordedAt } } }`, { id: caseId });
    const waived = res.data.case.history.filter((e: { action: string }) => e.action === 'DECISION_WAIVED');
    expect(waived).toEqual([{ action: 'DECISION_WAIVED', referral: { id: slips.HEALTH }, reason: '已由大病保险报销，无需医疗救助', recordedAt: '2026-03-13T15:00:00.000+08:00' }]);

    // Waived, it is no longer open work, but decided aid the household will not be given: supervision
    // lists it under the office that owns the case (which waived it), its township and its county.
    const WAIVED = `query($asOf: DateTime) { overdueReport(asOf: $asOf) { byOffice { office { key } declinesOpen { referral { id } } decisionsWaived { referral { id declineReason declineResolution { kind reason } } waivedAt } }
      byTownship { decisionsWaived { referral { id } } } byCounty { county { code } decisionsWaived { referral { id } } } } }`;
    const report = await ca(WAIVED, {});
    expect(report.errors).toBeUndefined();
    const owner = report.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS');
    expect(owner.declinesOpen.map((d: any) => d.referral.id)).not.toContain(slips.HEALTH);
    expect(owner.decisionsWaived).toEqual([
      { referral: { id: slips.HEALTH, declineReason: '已由大病保险全额报销', declineResolution: { kind: 'WAIVED', reason: '已由大病保险报销，无需医疗救助' } }, waivedAt: '2026-03-13T15:00:00.000+08:00' },
    ]);
    expect(report.data.overdueReport.byOffice.filter((g: any) => g.decisionsWaived.length > 0).map((g: any) => g.office.key)).toEqual(['CIVIL_AFFAIRS']);
    expect(report.data.overdueReport.byTownship.flatMap((g: any) => g.decisionsWaived)).toEqual([{ referral: { id: slips.HEALTH } }]);
    expect(report.data.overdueReport.byCounty.flatMap((g: any) => g.decisionsWaived.map((w: any) => `${g.county.code} ${w.referral.id}`))).toEqual([`370811 ${slips.HEALTH}`]);
    // As it stood before the waiver, the decline was open and nothing was waived.
    const before = await ca(WAIVED, { asOf: cn('2026-03-13T14:59:00') });
    const ownerBefore = before.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS');
    expect(ownerBefore.decisionsWaived).toEqual([]);
  });
});

describe('the dossier’s slips', () => {
  it('carry the provisional flag, as the slips themselves do', async () => {
    // Far enough ahead that the years counted have no holiday notice yet.
    clock.set(cn('2031-06-02T10:00:00'));
    const caseId = await openCase('NORMAL', '远期测试');
    const issued = await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实', deadlineWorkingDays: 10 } }, 'referralIssue');
    const res = await ca(`query($id: ID!) { case(id: $id) { referrals { id provisional } dossier { referrals { id provisional } } } }`, { id: caseId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.referrals).toEqual([{ id: issued.referral.id, provisional: true }]);
    const inDossier = res.data.case.dossier.referrals.find((r: { id: string }) => r.id === issued.referral.id);
    expect(inDossier).toEqual({ id: issued.referral.id, provisional: true });
    // Slips of 2026, counted with the published notice, are not.
    expect(res.data.case.dossier.referrals.filter((r: { provisional: boolean }) => !r.provisional).length).toBeGreaterThan(0);
  });
});

describe('a slip issued on a day off', () => {
  const SLIP_DUE = `query($id: ID!) { referral(id: $id) { dueOn provisional deadlineStatus(asOf: "2026-10-12T10:00:00+08:00") overdue(asOf: "2026-10-12T10:00:00+08:00") { workingDays calendarDays provisional } } }`;

  it('counts from the next working day: issued on 国庆 2026-10-01, 3 working days end on the worked Saturday 10-10', async () => {
    clock.set(cn('2026-10-01T10:00:00'));
    const caseId = await openCase('NORMAL', '节日期间转办');
    const issued = await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 3 } }, 'referralIssue');
    const res = await ca(SLIP_DUE, { id: issued.referral.id });
    expect(res.errors).toBeUndefined();
    // 10-08 and 10-09 after the holiday, then Saturday 10-10, worked in exchange (调休); on Monday 10-12 it is one working day late.
    expect(res.data.referral).toEqual({ dueOn: '2026-10-10', provisional: false, deadlineStatus: 'OVERDUE', overdue: { workingDays: 1, calendarDays: 2, provisional: false } });
  });

  it('across the year end into 2027, skips 元旦 and says the due date is provisional until the 2027 notice is loaded', async () => {
    clock.set(cn('2026-12-31T16:00:00'));
    const caseId = await openCase('NORMAL', '跨年转办');
    const issued = await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 3 } }, 'referralIssue');
    const res = await ca(`query($id: ID!) { referral(id: $id) { dueOn provisional } }`, { id: issued.referral.id });
    expect(res.errors).toBeUndefined();
    // 2027-01-01 (Friday) is 元旦 by law; Monday 01-04, 01-05, 01-06.
    expect(res.data.referral).toEqual({ dueOn: '2027-01-06', provisional: true });
    // The brief's list of slips says so too, as its meeting decisions do: it printed a bare 2027-01-06.
    const brief = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
    expect(brief).toContain('2027-01-06（暂定）');
  });
});

describe('a meeting’s record', () => {
  it('refuses the reported-aid ledger as a department present: it is the hub’s source, not a body that attends', async () => {
    clock.set(cn('2026-03-20T10:00:00'));
    const caseId = await openCase('NORMAL', '出席单位测试');
    for (const to of ['INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
    const res = await ca(MEETING, { input: { caseId, heldOn: '2026-03-20', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'REPORTED'], decisions: [] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.meetingRecord.userErrors).toEqual([{ code: 'UNKNOWN_OFFICE', field: ['input', 'departmentsPresent'] }]);
    expect((await ca(`query($id: ID!) { case(id: $id) { state meetings { id } } }`, { id: caseId })).data.case).toEqual({ state: 'IN_DELIBERATION', meetings: [] });
    await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-20', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [] } }, 'meetingRecord');
  });
});
