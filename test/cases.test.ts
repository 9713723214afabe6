/**
 * Joint cases end to end: a real hub over real databases, spoken to over HTTP by the offices
 * involved, each with its own API client. A township finds an urgent case before National Day
 * 2025, gives first aid, hands it to the county civil affairs office, which convenes a meeting of
 * five departments; each decision becomes a slip, answered on time, late or declined; the case
 * closes only when every slip has feedback.
 */
import { eq } from 'drizzle-orm';
import { recordMeeting } from '../db/cases/meetings';
import { secondAidApprovalsByIdNumbers } from '../db/cases/store';
import { aidCase, caseEvent, caseMeeting, meetingDepartment, referralSlip, secondAidApproval } from '../db/cases/schema';
import { DEPARTMENT_CODES } from '../domain/departments';
import { ageOn } from '../domain/dates';
import { birthDateOf } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { ADAPTERS } from '../federation/registry';
import { educationScenario } from '../federation/education/scenario';
import { healthScenario } from '../federation/health/scenario';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, insertZhao, TODAY, WANG } from './support/scenarios';
import { expectTallyAgreesWithLists, TALLY_AND_LISTS } from './support/cases';

const CASE_FIELDS = /* GraphQL */ `
  id reference state urgency origin summary explanation endedAt briefUrl allowedTransitions
  firstReceivedBy { key name department { code } township { code } }
  owner { key name department { code } township { code } }
  township { code name }
  reportedAt
  household { id }
`;

const PAYLOAD = `case { ${CASE_FIELDS} } userErrors { code message field }`;
const REFERRAL_FIELDS = `id kind state ask dueOn deadlineWorkingDays handOver feedback declineReason aidSourceReference issuedAt acceptedAt answeredAt
  from { key } to { key } programme { code } amountFen beneficiary { idNumber }`;
const REFERRAL_PAYLOAD = `referral { ${REFERRAL_FIELDS} } case { id state owner { key } } userErrors { code message field }`;

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { ${PAYLOAD} } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { ${PAYLOAD} } }`;
const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { ${PAYLOAD} } }`;
const MATERIALS = `mutation($input: CaseMaterialsCompleteInput!) { caseMaterialsComplete(input: $input) { ${PAYLOAD} } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${REFERRAL_PAYLOAD} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${REFERRAL_PAYLOAD} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${REFERRAL_PAYLOAD} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${REFERRAL_PAYLOAD} } }`;
const MEETING = `mutation($input: MeetingRecordInput!) {
  meetingRecord(input: $input) {
    meeting {
      id heldOn briefUrl notes convenedBy { key } departmentsPresent { code }
      decisions { ${REFERRAL_FIELDS} }
      dossier { takenAt members { name } aid { programme { code } } referrals { id state } totals { totalFen } departmentsNotContributed { code } }
    }
    case { id state }
    userErrors { code message field }
  }
}`;
const DEADLINES = `query($id: ID!, $asOf: DateTime) { case(id: $id) {
  state anyDeadlineMissed(asOf: $asOf)
  deadlines(asOf: $asOf) { kind basis limitHours limitWorkingDays dueAt dueOn provisional status metAt timeLeft { hours workingDays } overdue { hours calendarDays workingDays } }
} }`;
const OVERDUE = `query($asOf: DateTime, $regionCode: String) { overdueReport(asOf: $asOf, regionCode: $regionCode) {
  asOf
  byOffice { office { key name } referrals { referral { id to { key } } overdue { hours calendarDays workingDays } } cases { case { id } deadline { kind dueOn overdue { workingDays } } } }
  byTownship { township { code name } referrals { referral { id } overdue { workingDays } } cases { case { id } deadline { kind } } }
} }`;

/** An instant in China time, as the API takes it. */
const cn = (local: string) => `${local}+08:00`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;
/** One client per office, each stating the purpose its work serves. */
const as: Record<string, Gql> = {};

/** The hub records each step when the scenario says it happened (the stated time is then the recorded one). */
const clock = new TestClock('2025-09-26T09:00:00+08:00');

async function ok(gql: Gql, query: string, variables: Record<string, unknown>, field: string) {
  clock.follow(variables);
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  const payload = res.data[field];
  if (payload && 'userErrors' in payload) expect(payload.userErrors).toEqual([]);
  return payload;
}

async function refused(gql: Gql, query: string, variables: Record<string, unknown>, field: string): Promise<string[]> {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data[field].userErrors.map((e: { code: string }) => e.code);
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const offices = [
    { key: 'township', name: 'guhuai-window', department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['CASEWORKER'], purpose: 'REFERRAL' },
    { key: 'county', name: 'rencheng-civil', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER', 'MEETING_CONVENER'], purpose: 'CASE_MEETING' },
    ...(['HEALTH', 'EDUCATION', 'UNION', 'HOUSING'] as const).map((d) => ({ key: d, name: `rencheng-${d.toLowerCase()}`, department: d, regionScope: '370811', roles: ['CASEWORKER'] as const, purpose: 'REFERRAL' as const })),
  ] as const;
  for (const o of offices) {
    const { token } = await hub.createClient({ name: o.name, department: o.department, regionScope: o.regionScope, roles: o.roles });
    as[o.key] = hub.as({ token, purpose: o.purpose }).gql;
  }
  // The province-wide default client, acting for county civil affairs (its scope is no township).
  as.province = hub.gql;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a case from report to closure', () => {
  let caseId: string;
  let medicalAidRef: string;
  const slips: Record<string, string> = {};

  it('is opened by the township that found it, which owns it (首问负责)', async () => {
    const { case: c } = await ok(
      as.township,
      OPEN,
      {
        input: {
          householdId: String(wangId),
          origin: 'ACTIVE_DISCOVERY',
          urgency: 'URGENT',
          summary: '户主之母突发脑梗住院，自付费用高，家庭无力承担',
          reportedAt: cn('2025-09-26T09:00:00'),
          actor: { officer: 'gh-017' },
          idempotencyKey: 'open-wang-2025-09-26',
        },
      },
      'caseOpen',
    );
    caseId = c.id;
    expect(c).toMatchObject({
      state: 'REPORTED',
      urgency: 'URGENT',
      reference: `AH-2025-${c.id.padStart(6, '0')}`,
      reportedAt: '2025-09-26T09:00:00.000+08:00',
      firstReceivedBy: { key: '370811001', name: '古槐街道', township: { code: '370811001' }, department: null },
      owner: { key: '370811001' },
      township: { code: '370811001', name: '古槐街道' },
      household: { id: String(wangId) },
      briefUrl: `/cases/${c.id}/brief`,
      allowedTransitions: ['ACCEPTED', 'REJECTED', 'WITHDRAWN'],
    });
  });

  it('returns the first outcome to a retry with the same idempotency key, and refuses the key for anything else', async () => {
    const first = {
      householdId: String(wangId),
      origin: 'ACTIVE_DISCOVERY',
      urgency: 'URGENT',
      summary: '户主之母突发脑梗住院，自付费用高，家庭无力承担',
      reportedAt: cn('2025-09-26T09:00:00'),
      actor: { officer: 'gh-017' },
      idempotencyKey: 'open-wang-2025-09-26',
    };
    const again = await ok(as.township, OPEN, { input: first }, 'caseOpen');
    expect(again.case.id).toBe(caseId);
    // The same key with another request is refused, not answered with the first case.
    expect(await refused(as.township, OPEN, { input: { ...first, summary: 'retry' } }, 'caseOpen')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await dbs.hub.select().from(aidCase).where(eq(aidCase.householdId, wangId))).toHaveLength(1);
    const reused = await refused(as.township, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理', idempotencyKey: 'open-wang-2025-09-26' } }, 'caseTransition');
    expect(reused).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // Keys are each office's own: another office choosing the same key opens its own case.
    const other = await ok(as.province, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '另一办公室', idempotencyKey: 'open-wang-2025-09-26' } }, 'caseOpen');
    expect(other.case.id).not.toBe(caseId);
    // Off the supervision figures below: a duplicate application, rejected.
    await ok(as.province, MOVE, { input: { caseId: other.case.id, to: 'REJECTED', reason: '测试用重复申请' } }, 'caseTransition');
  });

  it('refuses illegal transitions with a stable code and changes nothing', async () => {
    expect(await refused(as.township, MOVE, { input: { caseId, to: 'DECIDED', reason: '直接决定' } }, 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
    expect(await refused(as.township, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
    expect(await refused(as.township, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '   ' } }, 'caseTransition')).toEqual(['REASON_REQUIRED']);
    // Only the owning office moves the case.
    expect(await refused(as.county, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition')).toEqual(['NOT_CASE_OWNER']);
    const res = await as.township(`query($id: ID!) { case(id: $id) { state history { action } } }`, { id: caseId });
    expect(res.data.case).toEqual({ state: 'REPORTED', history: [{ action: 'OPENED' }] });
  });

  it('gives first aid within 24 hours, and the deadlines say so', async () => {
    for (const [to, at] of [
      ['ACCEPTED', '2025-09-26T09:30:00'],
      ['INVESTIGATING', '2025-09-26T10:00:00'],
    ]) {
      await ok(as.township, MOVE, { input: { caseId, to, reason: `${to} 经村协理员核实`, occurredAt: cn(at) } }, 'caseTransition');
    }
    // 先行救助 is recorded with its money trail, not as a bare state change.
    expect(await refused(as.township, MOVE, { input: { caseId, to: 'FIRST_AID_GIVEN', reason: '先行救助' } }, 'caseTransition')).toEqual(['FIRST_AID_DETAILS_REQUIRED']);
    await ok(
      as.township,
      FIRST_AID,
      { input: { caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 200_000, beneficiaryIdNumber: WANG.grandmother, reason: '先行发放临时救助 2000 元，经村协理员核实', occurredAt: cn('2025-09-26T16:00:00') } },
      'caseFirstAid',
    );
    // A step dated before the last one is refused.
    expect(await refused(as.township, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '提请', occurredAt: cn('2025-09-26T15:00:00') } }, 'caseTransition')).toEqual([
      'OCCURRED_OUT_OF_ORDER',
    ]);
    const { data } = await as.township(DEADLINES, { id: caseId, asOf: cn('2025-09-29T08:00:00') });
    const [firstAid, materials] = data.case.deadlines;
    expect(firstAid).toMatchObject({ kind: 'FIRST_AID', limitHours: 24, dueAt: '2025-09-27T09:00:00.000+08:00', dueOn: null, status: 'MET', metAt: '2025-09-26T16:00:00.000+08:00' });
    // 5 working days from Fri 09-26: the worked Sunday 09-28, Mon 09-29, Tue 09-30, then after the break Thu 10-09, Fri 10-10.
    expect(materials).toMatchObject({ kind: 'MATERIALS', limitWorkingDays: 5, dueOn: '2025-10-10', dueAt: '2025-10-10T23:59:59.999+08:00', status: 'PENDING', provisional: false });
    // From Mon 09-29: Tue 09-30, Thu 10-09 and Fri 10-10 are left.
    expect(materials.timeLeft).toEqual({ hours: 279, workingDays: 3 });
    expect(data.case.anyDeadlineMissed).toBe(false);
  });

  it('is handed on to county civil affairs by a hand-over slip; ownership passes on acceptance', async () => {
    const issued = await ok(
      as.township,
      ISSUE,
      { input: { caseId, to: { department: 'CIVIL_AFFAIRS' }, ask: '费用较高，提请县民政局启动一事一议', deadlineWorkingDays: 3, handOver: true, occurredAt: cn('2025-09-26T17:00:00') } },
      'referralIssue',
    );
    slips.handOver = issued.referral.id;
    // Fri 09-26 + 3 working days: Sun 09-28 (worked), Mon 09-29, Tue 09-30.
    expect(issued.referral).toMatchObject({ kind: 'FORWARD', state: 'ISSUED', handOver: true, dueOn: '2025-09-30', from: { key: '370811001' }, to: { key: 'CIVIL_AFFAIRS' } });
    expect(issued.case.owner.key).toBe('370811001');

    const accepted = await ok(as.county, ACCEPT, { input: { referralId: slips.handOver, note: '接收', occurredAt: cn('2025-09-29T09:00:00') } }, 'referralAccept');
    expect(accepted.referral).toMatchObject({ state: 'COMPLETED', acceptedAt: '2025-09-29T09:00:00.000+08:00', answeredAt: '2025-09-29T09:00:00.000+08:00' });
    expect(accepted.case.owner.key).toBe('CIVIL_AFFAIRS');
    // The township no longer owns it.
    expect(await refused(as.township, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '提请' } }, 'caseTransition')).toEqual(['NOT_CASE_OWNER']);
  });

  it('goes to deliberation, and is decided only by recording the meeting', async () => {
    // 补充完善救助材料 is a recorded act of its own (within 5 working days of the first aid).
    await ok(as.county, MATERIALS, { input: { caseId, note: '补齐住院证明、家庭收入说明', occurredAt: cn('2025-09-29T09:50:00') } }, 'caseMaterialsComplete');
    await ok(as.county, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '情况复杂、需救助金额大，启动一事一议', occurredAt: cn('2025-09-29T10:00:00') } }, 'caseTransition');
    expect(await refused(as.county, MOVE, { input: { caseId, to: 'DECIDED', reason: '商定' } }, 'caseTransition')).toEqual(['MEETING_REQUIRED']);
  });

  it('refuses a meeting record with faults, naming each, and writes nothing', async () => {
    clock.set(cn('2025-10-09T15:00:00'));
    const res = await as.county(MEETING, {
      input: {
        caseId,
        heldOn: '2025-10-09',
        departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
        decisions: [
          { department: 'HEALTH', programme: 'DIBAO', amountFen: 1, deadlineWorkingDays: 5 },
          { department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 1, deadlineWorkingDays: 5 },
          { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 1, deadlineWorkingDays: 0, secondAidCause: 'ILLNESS' },
        ],
      },
    });
    expect(res.data.meetingRecord.userErrors.map((e: { code: string }) => e.code)).toEqual([
      'PROGRAMME_NOT_OF_DEPARTMENT',
      'DEPARTMENT_NOT_PRESENT',
      'DEADLINE_OUT_OF_RANGE',
      'BENEFICIARY_NOT_IN_HOUSEHOLD',
    ]);
    expect(res.data.meetingRecord.userErrors[1].field).toEqual(['input', 'decisions', '1', 'department']);
    expect(await dbs.hub.select().from(caseMeeting)).toEqual([]);
  });

  it('records the meeting of five departments: a snapshot, the decisions as slips, a second aid, the case decided', async () => {
    const household = await as.county(`query($id: ID!) { household(id: $id) { aid(departments: [HEALTH]) { programme { code } sourceReference } } }`, { id: String(wangId) });
    medicalAidRef = household.data.household.aid.find((r: { programme: { code: string } }) => r.programme.code === 'MEDICAL_AID').sourceReference;

    const meetingInput = {
          caseId,
          heldOn: '2025-10-09',
          occurredAt: cn('2025-10-09T16:00:00'),
          departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'EDUCATION', 'UNION', 'HOUSING'],
          notes: '一事一议：医疗救助、学费减免、大病帮扶、二次临时救助；住房部门研究租赁补贴。',
          decisions: [
            { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 800_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother },
            { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child },
            // Union illness aid goes to the member on the worker's file, the head, for his mother's stay.
            { department: 'UNION', programme: 'UNION_ILLNESS', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head },
            // A raise of the rent subsidy the household holds: the pre-grant check's X9 is overridden with the reason.
            { department: 'HOUSING', programme: 'RENT_SUBSIDY', amountFen: 20_000, deadlineWorkingDays: 10, ask: '租赁补贴提高 200 元/月', conflictOverrideReason: '提高现有补贴档次，非重复发放' },
            { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 300_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother, secondAidCause: 'ILLNESS' },
          ],
          idempotencyKey: 'meeting-wang-2025-10-09',
    };
    const { meeting, case: c } = await ok(as.county, MEETING, { input: meetingInput }, 'meetingRecord');
    expect(c.state).toBe('DECIDED');
    expect(meeting).toMatchObject({ heldOn: '2025-10-09', convenedBy: { key: 'CIVIL_AFFAIRS' }, briefUrl: `/cases/${caseId}/brief?meeting=${meeting.id}` });
    expect(meeting.departmentsPresent.map((d: { code: string }) => d.code).sort()).toEqual(['CIVIL_AFFAIRS', 'EDUCATION', 'HEALTH', 'HOUSING', 'UNION']);
    const decisions = Object.fromEntries(meeting.decisions.map((s: { to: { key: string } }) => [s.to.key, s]));
    for (const [key, s] of Object.entries(decisions)) slips[key] = (s as { id: string }).id;
    // From the meeting date, Thu 10-09: Fri 10-10, the worked Saturday 10-11, Mon 10-13, Tue 10-14, Wed 10-15.
    expect(decisions.HEALTH).toMatchObject({ kind: 'DECISION', state: 'ISSUED', dueOn: '2025-10-15', amountFen: 800_000, programme: { code: 'MEDICAL_AID' }, ask: '医疗救助 8000.00 元', from: { key: 'CIVIL_AFFAIRS' } });
    expect(decisions.EDUCATION.dueOn).toBe('2025-10-22');
    expect(decisions.HOUSING.ask).toBe('租赁补贴提高 200 元/月');
    expect(decisions.CIVIL_AFFAIRS.ask).toBe('临时救助 3000.00 元（二次临时救助）');
    // The snapshot: the household as it stood, with the slips that existed before this meeting.
    expect(meeting.dossier.members).toHaveLength(4);
    expect(meeting.dossier.referrals).toEqual([{ id: slips.handOver, state: 'COMPLETED' }]);
    // Every department with aid for the household in the window has contributed; one with none has not.
    expect(meeting.dossier.departmentsNotContributed).toEqual(DEPARTMENT_CODES.filter((d) => d !== 'REPORTED' && WANG.expectedRecords[d].length === 0).map((code) => ({ code })));

    // A retry returns the same meeting and writes nothing more; the key with another meeting is refused.
    const again = await ok(as.county, MEETING, { input: meetingInput }, 'meetingRecord');
    expect(again.meeting.id).toBe(meeting.id);
    expect(
      await refused(as.county, MEETING, { input: { caseId, heldOn: '2025-10-09', departmentsPresent: ['HEALTH'], decisions: [], idempotencyKey: 'meeting-wang-2025-10-09' } }, 'meetingRecord'),
    ).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await dbs.hub.select().from(caseMeeting)).toHaveLength(1);
  });

  it('gives a meeting’s participants each member’s age and the village, and the birth dates and address only to the convening civil-affairs office (PIPL art. 6)', async () => {
    const DOSSIER = `query($id: ID!) { case(id: $id) {
      dossier { household { regionName address } members { idNumber age birthDate } }
      meetings { dossier { household { regionName address } members { idNumber age birthDate } } }
    } }`;
    const headAge = (m: { idNumber: string; age: number }[]) => m.find((x) => x.idNumber.endsWith(WANG.head.slice(-4)))!.age;
    // A department answering its slip (health, REFERRAL): the age and the village; each birth date and
    // the address refused field by field, the rest of the case answered.
    const health = await as.HEALTH(DOSSIER, { id: caseId });
    const refusals = (health.errors ?? []).map((e) => `${e.path!.filter((p) => typeof p === 'string').join('.')}:${e.extensions!.code}:${e.extensions!.reason}`);
    expect([...new Set(refusals)].sort()).toEqual(
      ['case.dossier.household.address', 'case.dossier.members.birthDate', 'case.meetings.dossier.household.address', 'case.meetings.dossier.members.birthDate'].map((p) => `${p}:FORBIDDEN:ROLE_NOT_ALLOWED`),
    );
    expect(refusals).toHaveLength(2 * (1 + 4));
    // Each refusal names what it guards (one rule guards both: its decision was cached under the first type's name).
    expect([...new Set((health.errors ?? []).map((e) => e.message))].sort()).toEqual([
      'DossierHousehold.address is given only to offices of CIVIL_AFFAIRS',
      'DossierMember.birthDate is given only to offices of CIVIL_AFFAIRS',
    ]);
    for (const d of [health.data.case.dossier, health.data.case.meetings[0].dossier]) {
      expect(d.household).toEqual({ regionName: expect.any(String), address: null });
      expect(d.members).toHaveLength(4);
      expect(d.members.every((m: { birthDate: unknown; age: unknown }) => m.birthDate === null && Number.isInteger(m.age))).toBe(true);
      expect(headAge(d.members)).toBe(ageOn(birthDateOf(WANG.head), TODAY));
    }
    // The convening county office preparing the meeting reads both, the meeting's from the hub's records now.
    const county = await as.county(DOSSIER, { id: caseId });
    expect(county.errors).toBeUndefined();
    for (const d of [county.data.case.dossier, county.data.case.meetings[0].dossier]) {
      expect(d.household.address).toBe('任城区古槐街道南门社区 3 号');
      expect(d.members.find((m: { idNumber: string }) => m.idNumber === WANG.head).birthDate).toBe(birthDateOf(WANG.head));
    }
    // The same office for a slip (REFERRAL) reads neither.
    const forSlip = await as.township(DOSSIER, { id: caseId });
    expect(forSlip.data.case.dossier.household.address).toBeNull();
    // The meeting's stored snapshot holds no birth date and no address: what no participant may read is not kept.
    const [stored] = await dbs.hub.select({ json: caseMeeting.dossierJson }).from(caseMeeting).where(eq(caseMeeting.caseId, Number(caseId)));
    expect(stored.json).not.toMatch(/birthDate|address|南门社区 3 号/);
    expect(JSON.parse(stored.json).members.map((m: { age: number }) => m.age)).toEqual(county.data.case.dossier.members.map((m: { age: number }) => m.age));
  });

  it('records the second aid so the duplicate checks can treat it as approved', async () => {
    const approvals = await secondAidApprovalsByIdNumbers(dbs.hub, [WANG.grandmother, WANG.head]);
    expect(approvals).toEqual([{ idNumber: WANG.grandmother, cause: 'ILLNESS', amountFen: 300_000, approvedOn: '2025-10-09', aidSourceRef: null, caseId: Number(caseId) }]);
    expect(await secondAidApprovalsByIdNumbers(dbs.hub, [])).toEqual([]);
  });

  it('does not close while slips wait for feedback', async () => {
    expect(await refused(as.county, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition')).toEqual(['REFERRALS_WITHOUT_FEEDBACK']);
  });

  it('lets only the receiving office answer, in order: accept, then complete', async () => {
    expect(await refused(as.EDUCATION, ACCEPT, { input: { referralId: slips.HEALTH } }, 'referralAccept')).toEqual(['NOT_RECEIVING_OFFICE']);
    expect(await refused(as.HEALTH, COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已发放' } }, 'referralComplete')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    await ok(as.HEALTH, ACCEPT, { input: { referralId: slips.HEALTH, occurredAt: cn('2025-10-10T09:00:00') } }, 'referralAccept');
    // Another acceptance (the same one sent again is its retry: test/cases-unkeyed-retry.test.ts).
    expect(await refused(as.HEALTH, ACCEPT, { input: { referralId: slips.HEALTH, note: '再次受理' } }, 'referralAccept')).toEqual(['REFERRAL_ILLEGAL_TRANSITION']);
    expect(await refused(as.HEALTH, COMPLETE, { input: { referralId: slips.HEALTH, feedback: '   ' } }, 'referralComplete')).toEqual(['FEEDBACK_REQUIRED']);
    expect(await refused(as.HEALTH, COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已发放', aidSourceReference: `${ADAPTERS.HEALTH.recordKinds.miAidPay}:999999` } }, 'referralComplete')).toEqual([
      'AID_RECORD_NOT_FOUND',
    ]);
    // The medical aid on the department's record gives less than the 8000 元 decided: refused without a reason for
    // the shortfall; and, dated 2026-01-10, it is not paid yet on the hub's day (2025-10-10).
    expect(await refused(as.HEALTH, COMPLETE, { input: { referralId: slips.HEALTH, feedback: '已发放', aidSourceReference: medicalAidRef } }, 'referralComplete')).toEqual([
      'AID_RECORD_NOT_YET_PAID',
      'AID_AMOUNT_SHORT',
    ]);
    [medicalAidRef] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', { payId: 'MAP-2025-101301', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2025-10-13', payAmt: '8000.00' });
    const done = await ok(
      as.HEALTH,
      COMPLETE,
      { input: { referralId: slips.HEALTH, feedback: '医疗救助已结算', aidSourceReference: medicalAidRef, occurredAt: cn('2025-10-14T15:00:00') } },
      'referralComplete',
    );
    expect(done.referral).toMatchObject({ state: 'COMPLETED', feedback: '医疗救助已结算', aidSourceReference: medicalAidRef });
    const linked = await as.HEALTH(`query($id: ID!) { referral(id: $id) { deadlineStatus aidRecord { programme { code } sourceReference } } }`, { id: slips.HEALTH });
    expect(linked.data.referral).toEqual({ deadlineStatus: 'MET', aidRecord: { programme: { code: 'MEDICAL_AID' }, sourceReference: medicalAidRef } });
  });

  it('answers education on time and housing with a reasoned decline', async () => {
    await ok(as.EDUCATION, ACCEPT, { input: { referralId: slips.EDUCATION, occurredAt: cn('2025-10-10T10:00:00') } }, 'referralAccept');
    const [waiver] = await educationScenario.insert(dbs.sources.EDUCATION, 'funding', { studentNo: 'S370811000123', schoolYear: '2025-2026', semester: 1, fundingType: 'XFJM', amountYuan: '1200.00', paidDate: '2025-10-20' });
    await ok(
      as.EDUCATION,
      COMPLETE,
      { input: { referralId: slips.EDUCATION, feedback: '已减免本学年学费', aidSourceReference: waiver, occurredAt: cn('2025-10-20T10:00:00') } },
      'referralComplete',
    );
    expect(await refused(as.HOUSING, DECLINE, { input: { referralId: slips.HOUSING, reason: '' } }, 'referralDecline')).toEqual(['REASON_REQUIRED']);
    const declined = await ok(as.HOUSING, DECLINE, { input: { referralId: slips.HOUSING, reason: '已享受租赁补贴最高档，无提高空间', occurredAt: cn('2025-10-13T11:00:00') } }, 'referralDecline');
    expect(declined.referral).toMatchObject({ state: 'DECLINED', declineReason: '已享受租赁补贴最高档，无提高空间' });
  });

  it('lists the union slip as overdue, per office and per township, while it waits', async () => {
    await ok(as.UNION, ACCEPT, { input: { referralId: slips.UNION, occurredAt: cn('2025-10-10T09:00:00') } }, 'referralAccept');
    // Due Wed 10-15; on Fri 10-17 at 10:00 it is two working days late.
    const { data, errors } = await as.county(OVERDUE, { asOf: cn('2025-10-17T10:00:00') });
    expect(errors).toBeUndefined();
    const union = data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'UNION');
    expect(union).toEqual({
      office: { key: 'UNION', name: '任城区总工会' },
      referrals: [{ referral: { id: slips.UNION, to: { key: 'UNION' } }, overdue: { hours: 34, calendarDays: 2, workingDays: 2 } }],
      cases: [],
    });
    // Civil affairs has not paid the second aid either (due 10-15).
    const civil = data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS');
    expect(civil.referrals.map((r: { referral: { id: string } }) => r.referral.id)).toEqual([slips.CIVIL_AFFAIRS]);
    const township = data.overdueReport.byTownship.find((g: { township: { code: string } }) => g.township.code === '370811001');
    expect(township.township.name).toBe('古槐街道');
    expect(township.referrals.map((r: { referral: { id: string } }) => r.referral.id).sort()).toEqual([slips.CIVIL_AFFAIRS, slips.UNION].sort());
    // Before the due date nothing of it is listed: only civil affairs, for the housing decision
    // declined on 10-13 and not yet resolved (declinesOpen, not selected here), and housing, for
    // that decline (declined, filed under the office that declined it, not selected here either);
    // and health, for its slip answered in time (its tally, not selected here); and the township, for
    // the first aid it gave in time before it handed the case on (its tally: a deadline is filed under
    // the office that owned the case when it was met or fell due, not the county office that owns it now).
    const early = await as.county(OVERDUE, { asOf: cn('2025-10-15T20:00:00') });
    expect(early.data.overdueReport.byOffice).toEqual([
      { office: { key: '370811001', name: '古槐街道' }, referrals: [], cases: [] },
      { office: { key: 'CIVIL_AFFAIRS', name: '任城区民政局' }, referrals: [], cases: [] },
      { office: { key: 'HEALTH', name: '任城区医疗保障局' }, referrals: [], cases: [] },
      { office: { key: 'HOUSING', name: '任城区住房和城乡建设局' }, referrals: [], cases: [] },
    ]);
  });

  it('accepts late feedback and records how late it was', async () => {
    const [grant] = await unionScenario.insert(dbs.sources.UNION, 'grants', { fileNo: 'GH-2024-077', grantType: 'DB', grantDate: '2025-10-20', amountFen: 200_000 });
    await ok(
      as.UNION,
      COMPLETE,
      { input: { referralId: slips.UNION, feedback: '大病帮扶金已发放', aidSourceReference: grant, occurredAt: cn('2025-10-20T09:00:00') } },
      'referralComplete',
    );
    const res = await as.UNION(`query($id: ID!) { referral(id: $id) { state deadlineStatus overdue { workingDays calendarDays } } }`, { id: slips.UNION });
    // Thu 10-16, Fri 10-17, Mon 10-20.
    expect(res.data.referral).toEqual({ state: 'COMPLETED', deadlineStatus: 'MET_LATE', overdue: { workingDays: 3, calendarDays: 5 } });
    // No longer overdue: the union office's work is the slip it answered late, 3 working days.
    const after = await as.county(OVERDUE, { asOf: cn('2025-10-20T12:00:00') });
    // Education and health are there for their slips answered in time, the township for its first aid (their tally, not selected here).
    expect(after.data.overdueReport.byOffice.map((g: { office: { key: string } }) => g.office.key)).toEqual(['370811001', 'CIVIL_AFFAIRS', 'EDUCATION', 'HEALTH', 'HOUSING', 'UNION']);
    expect(after.data.overdueReport.byOffice[5]).toMatchObject({ referrals: [], cases: [] });
    // Its 按时办结 figures count that slip late, as answeredLate lists it, and every list agrees.
    const report = await as.county(`query($asOf: DateTime) { overdueReport(asOf: $asOf) { byOffice { office { key } ${TALLY_AND_LISTS} } byTownship { ${TALLY_AND_LISTS} } byCounty { ${TALLY_AND_LISTS} } } }`, { asOf: cn('2025-10-20T12:00:00') });
    expect(report.errors).toBeUndefined();
    expect(report.data.overdueReport.byOffice.find((g: any) => g.office.key === 'UNION').tally.referrals).toMatchObject({ answeredLate: 1, openOverdue: 0 });
    // The first aid the township gave in time (09-26) is its own; the materials the county office completed after taking the case over, the county's.
    expect(report.data.overdueReport.byOffice.find((g: any) => g.office.key === '370811001').tally.caseDeadlines).toMatchObject({ metOnTime: 1, metLate: 0, fellDue: 1 });
    expect(report.data.overdueReport.byOffice.find((g: any) => g.office.key === 'CIVIL_AFFAIRS').tally.caseDeadlines).toMatchObject({ metOnTime: 1, fellDue: 1 });
    expectTallyAgreesWithLists(report.data.overdueReport);
    const late = await as.county(`query($asOf: DateTime) { overdueReport(asOf: $asOf) { byOffice { office { key } answeredLate { referral { id } overdue { workingDays } } } } }`, { asOf: cn('2025-10-20T12:00:00') });
    expect(late.data.overdueReport.byOffice.filter((g: any) => g.answeredLate.length > 0)).toEqual([{ office: { key: 'UNION' }, answeredLate: [{ referral: { id: slips.UNION }, overdue: { workingDays: 3 } }] }]);
  });

  it('links the second aid to the temporary aid civil affairs paid', async () => {
    const [ref] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{
      idNo: WANG.grandmother,
      familyNo: 'DB370811-0001',
      causeCode: '01',
      isUrgent: false,
      isSecondAid: true,
      grantDate: '2025-10-20',
      amountFen: 300_000,
      approvalLevel: 2,
    }]);
    await ok(as.county, ACCEPT, { input: { referralId: slips.CIVIL_AFFAIRS, occurredAt: cn('2025-10-10T09:00:00') } }, 'referralAccept');
    await ok(as.county, COMPLETE, { input: { referralId: slips.CIVIL_AFFAIRS, feedback: '二次临时救助已发放', aidSourceReference: ref, occurredAt: cn('2025-10-20T16:00:00') } }, 'referralComplete');
    const [approval] = await secondAidApprovalsByIdNumbers(dbs.hub, [WANG.grandmother]);
    expect(approval.aidSourceRef).toBe(ref);
    const res = await as.county(`query($id: ID!) { case(id: $id) { secondAids { cause amountFen approvedOn aidSourceReference beneficiary { idNumber } referral { id } } } }`, { id: caseId });
    expect(res.data.case.secondAids).toEqual([{ cause: 'ILLNESS', amountFen: 300_000, approvedOn: '2025-10-09', aidSourceReference: ref, beneficiary: { idNumber: WANG.grandmother }, referral: { id: slips.CIVIL_AFFAIRS } }]);
  });

  it('closes once every slip has feedback, with every step on record', async () => {
    // Housing's declined decision must lead somewhere first: the convener waives it with the reason.
    expect(await refused(as.county, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition')).toEqual(['DECLINED_DECISIONS_OPEN']);
    await ok(as.county, `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { userErrors { code } } }`, { input: { referralId: slips.HOUSING, reason: '现有租赁补贴已达最高档，不再提高' } }, 'referralWaive');
    const closed = await ok(as.county, MOVE, { input: { caseId, to: 'CLOSED', reason: '各部门均已反馈，办结', occurredAt: cn('2025-10-21T10:00:00') } }, 'caseTransition');
    expect(closed.case).toMatchObject({ state: 'CLOSED', endedAt: '2025-10-21T10:00:00.000+08:00', allowedTransitions: [] });
    const res = await as.county(
      `query($id: ID!) { case(id: $id) { anyDeadlineMissed(asOf: "2025-12-01T00:00:00+08:00") history { sequence action fromState toState actor actorOffice { key } occurredAt reason referral { id } meeting { id } } } }`,
      { id: caseId },
    );
    const history = res.data.case.history;
    expect(history.map((e: { sequence: number }) => e.sequence)).toEqual(history.map((_: unknown, i: number) => i + 1));
    const transitions = history.filter((e: { action: string }) => e.action === 'TRANSITIONED').map((e: { fromState: string; toState: string }) => `${e.fromState}>${e.toState}`);
    expect(transitions).toEqual(['REPORTED>ACCEPTED', 'ACCEPTED>INVESTIGATING', 'INVESTIGATING>FIRST_AID_GIVEN', 'FIRST_AID_GIVEN>IN_DELIBERATION', 'IN_DELIBERATION>DECIDED', 'DECIDED>CLOSED']);
    const count = (action: string) => history.filter((e: { action: string }) => e.action === action).length;
    expect([count('REFERRAL_ISSUED'), count('REFERRAL_ACCEPTED'), count('REFERRAL_COMPLETED'), count('REFERRAL_DECLINED'), count('OWNER_CHANGED'), count('MEETING_RECORDED'), count('SECOND_AID_APPROVED')]).toEqual([
      6, 5, 4, 1, 1, 1, 1,
    ]);
    // Who did what: the township's officer and the offices' clients.
    expect(history[0]).toMatchObject({ action: 'OPENED', actor: 'guhuai-window/gh-017', actorOffice: { key: '370811001' } });
    expect(history.find((e: { action: string }) => e.action === 'REFERRAL_DECLINED')).toMatchObject({ actor: 'rencheng-housing', actorOffice: { key: 'HOUSING' } });
    expect(res.data.case.anyDeadlineMissed).toBe(false);
  });

  it('refuses anything further on a closed case', async () => {
    expect(await refused(as.county, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask: '补充', deadlineWorkingDays: 3 } }, 'referralIssue')).toEqual(['CASE_ENDED']);
    expect(await refused(as.county, MOVE, { input: { caseId, to: 'REJECTED', reason: '撤销' } }, 'caseTransition')).toEqual(['ILLEGAL_TRANSITION']);
  });

  it('keeps the meeting’s dossier as it stood while the live dossier moves on', async () => {
    const res = await as.county(
      `query($id: ID!) { case(id: $id) {
        dossier { complete findingsAvailable findings { ruleId severity status summary departments { code } } referrals { id state } aid { programme { code } secondAid } earlierCases { id } departmentsNotContributed { code } household { registrationNumber } members { idNumber relation } totals { totalFen byDepartment { department { code } totalFen } } }
        meetings { dossier { findingsAvailable findings { ruleId } referrals { id state } aid { programme { code } secondAid } } }
      } }`,
      { id: caseId },
    );
    expect(res.errors).toBeUndefined();
    const { dossier, meetings } = res.data.case;
    expect(dossier.complete).toBe(true);
    // Open findings come from the findings module: the child is funded twice for 2025-2026 (X6).
    expect(dossier.findingsAvailable).toBe(true);
    const x6 = dossier.findings.find((f: { ruleId: string }) => f.ruleId === 'X6');
    expect(x6).toMatchObject({ severity: 'WARNING', status: 'OPEN' });
    expect(x6.departments.map((d: { code: string }) => d.code).sort()).toEqual(['EDUCATION', 'UNION']);
    expect(x6.summary).not.toContain(WANG.child);
    expect(meetings[0].dossier.findingsAvailable).toBe(true);
    expect(meetings[0].dossier.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('X6');
    expect(dossier.household.registrationNumber).toBe(WANG.registrationNo);
    expect(dossier.members.map((m: { relation: string }) => m.relation)).toEqual(['HEAD', 'SPOUSE', 'PARENT', 'CHILD']);
    expect(dossier.referrals).toHaveLength(6);
    const secondNow = dossier.aid.filter((r: { secondAid: boolean | null }) => r.secondAid);
    expect(secondNow).toHaveLength(1);
    expect(meetings[0].dossier.referrals).toEqual([{ id: slips.handOver, state: 'COMPLETED' }]);
    expect(meetings[0].dossier.aid.filter((r: { secondAid: boolean | null }) => r.secondAid)).toHaveLength(0);
    expect(dossier.totals.totalFen).toBe(dossier.totals.byDepartment.reduce((n: number, d: { totalFen: number }) => n + d.totalFen, 0));
  });
});

describe('supervision of cases past their statutory deadlines', () => {
  let zhaoCase: string;

  it('lists a normal case whose investigation opinion is overdue, under its township and owner', async () => {
    const opened = await ok(
      as.province,
      OPEN,
      { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '失业后申请临时救助', reportedAt: cn('2025-09-30T10:00:00') } },
      'caseOpen',
    );
    zhaoCase = opened.case.id;
    const deadlines = await as.province(DEADLINES, { id: zhaoCase, asOf: cn('2025-10-17T10:00:00') });
    const [opinion, approval] = deadlines.data.case.deadlines;
    // 3 working days from Tue 09-30: Thu 10-09, Fri 10-10, and the worked Saturday 10-11.
    expect(opinion).toMatchObject({ kind: 'INVESTIGATION_OPINION', dueOn: '2025-10-11', status: 'OVERDUE', overdue: { workingDays: 5, calendarDays: 6 } });
    expect(approval).toMatchObject({ kind: 'APPROVAL', status: 'PENDING' });
    expect(deadlines.data.case.anyDeadlineMissed).toBe(true);

    const report = await as.province(OVERDUE, { asOf: cn('2025-10-17T10:00:00'), regionCode: '370826' });
    expect(report.errors).toBeUndefined();
    expect(report.data.overdueReport.byTownship).toEqual([{ township: { code: '370826100', name: '夏镇街道' }, referrals: [], cases: [{ case: { id: zhaoCase }, deadline: { kind: 'INVESTIGATION_OPINION' } }] }]);
    expect(report.data.overdueReport.byOffice).toEqual([
      { office: { key: 'CIVIL_AFFAIRS', name: '微山县民政局' }, referrals: [], cases: [{ case: { id: zhaoCase }, deadline: { kind: 'INVESTIGATION_OPINION', dueOn: '2025-10-11', overdue: { workingDays: 5 } } }] },
    ]);
    // A township's own view stays inside its scope.
    const own = await as.township(OVERDUE, { asOf: cn('2025-10-17T10:00:00') });
    expect(own.errors).toBeUndefined();
    expect(own.data.overdueReport.byTownship.map((g: { township: { code: string } }) => g.township.code)).not.toContain('370826100');
  });

  it('shows every department as not yet contributing for a household with no aid', async () => {
    const res = await as.province(`query($id: ID!) { case(id: $id) { dossier { aid { amountFen } departmentsNotContributed { code } } } }`, { id: zhaoCase });
    expect(res.data.case.dossier).toEqual({ aid: [], departmentsNotContributed: DEPARTMENT_CODES.filter((d) => d !== 'REPORTED').map((code) => ({ code })) });
  });

  it('rejects with the explanation given to the household', async () => {
    expect(await refused(as.province, MOVE, { input: { caseId: zhaoCase, to: 'REJECTED', reason: '' } }, 'caseTransition')).toEqual(['REASON_REQUIRED']);
    const res = await ok(as.province, MOVE, { input: { caseId: zhaoCase, to: 'REJECTED', reason: '经核查已重新就业，家庭收入高于当地低保标准', occurredAt: cn('2025-10-20T09:00:00') } }, 'caseTransition');
    expect(res.case).toMatchObject({ state: 'REJECTED', explanation: '经核查已重新就业，家庭收入高于当地低保标准' });
    // Off the overdue cases; its investigation opinion, met by the rejection after it was due, ran
    // late, and is listed so (casesLate), under the office that owns the case.
    const LATE = `query($asOf: DateTime, $regionCode: String) { overdueReport(asOf: $asOf, regionCode: $regionCode) {
      byOffice { office { key } referrals { referral { id } } cases { case { id } } casesLate { case { id } deadline { kind status overdue { workingDays } } endedBy { toState } } } } }`;
    const after = await as.province(LATE, { asOf: cn('2025-10-21T10:00:00'), regionCode: '370826' });
    expect(after.data.overdueReport.byOffice).toEqual([
      { office: { key: 'CIVIL_AFFAIRS' }, referrals: [], cases: [], casesLate: [{ case: { id: zhaoCase }, deadline: { kind: 'INVESTIGATION_OPINION', status: 'MET_LATE', overdue: { workingDays: 6 } }, endedBy: { toState: 'REJECTED' } }] },
    ]);
  });
});

describe('concurrent and failing writes', () => {
  async function caseInDeliberation(): Promise<number> {
    const { case: c } = await ok(as.province, OPEN, { input: { householdId: String(wangId), origin: 'ALERT', urgency: 'NORMAL', summary: '监测预警：自付医疗费用超过阈值', reportedAt: cn('2025-11-03T09:00:00') } }, 'caseOpen');
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(as.province, MOVE, { input: { caseId: c.id, to, reason: to } }, 'caseTransition');
    return Number(c.id);
  }

  it('lets exactly one of two simultaneous transitions through', async () => {
    const { case: c } = await ok(as.province, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '并发测试' } }, 'caseOpen');
    // Two officers (one officer's twice is a retry: test/cases-unkeyed-retry.test.ts).
    const results = await Promise.all(['rc-031', 'rc-032'].map((officer) => as.province(MOVE, { input: { caseId: c.id, to: 'ACCEPTED', reason: '受理', actor: { officer } } })));
    const outcomes = results.map((r) => r.data.caseTransition.userErrors.map((e: { code: string }) => e.code).join() || 'OK').sort();
    expect(outcomes).toEqual(['ILLEGAL_TRANSITION', 'OK']);
    const events = await dbs.hub.select().from(caseEvent).where(eq(caseEvent.caseId, Number(c.id)));
    expect(events.map((e) => e.action)).toEqual(['OPENED', 'TRANSITIONED']);
  });

  it('answers a report sent again without a key with the case it opened, also when both arrive at once', async () => {
    const OPEN_REPLAYED = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } replayed userErrors { code } } }`;
    const cases = async () => (await dbs.hub.select({ id: aidCase.id }).from(aidCase).where(eq(aidCase.householdId, zhaoId))).length;
    const report = { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '重复提交测试：因病申请', actor: { officer: 'rc-021' } };
    const before = await cases();
    const [a, b] = await Promise.all([1, 2].map(() => as.province(OPEN_REPLAYED, { input: report })));
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    expect(a.data.caseOpen.case.id).toBe(b.data.caseOpen.case.id);
    expect([a.data.caseOpen.replayed, b.data.caseOpen.replayed].sort()).toEqual([false, true]);
    const again = await as.province(OPEN_REPLAYED, { input: report });
    expect(again.data.caseOpen).toEqual({ case: { id: a.data.caseOpen.case.id }, replayed: true, userErrors: [] });
    expect(await cases()).toBe(before + 1);
    // Another matter of the household, another officer, or the same report once the case has moved on is a new case.
    const other = await as.province(OPEN_REPLAYED, { input: { ...report, summary: '重复提交测试：子女就学' } });
    const colleague = await as.province(OPEN_REPLAYED, { input: { ...report, actor: { officer: 'rc-022' } } });
    expect([other.data.caseOpen.replayed, colleague.data.caseOpen.replayed]).toEqual([false, false]);
    await ok(as.province, MOVE, { input: { caseId: a.data.caseOpen.case.id, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const later = await as.province(OPEN_REPLAYED, { input: report });
    expect(later.data.caseOpen.replayed).toBe(false);
    expect(await cases()).toBe(before + 4);
    // Off the supervision figures: rejected.
    for (const id of [a.data.caseOpen.case.id, other.data.caseOpen.case.id, colleague.data.caseOpen.case.id, later.data.caseOpen.case.id]) {
      await ok(as.province, MOVE, { input: { caseId: id, to: 'REJECTED', reason: '测试用重复申请' } }, 'caseTransition');
    }
  });

  it('writes all of a meeting or none of it', async () => {
    const caseId = await caseInDeliberation();
    const count = async () => ({
      meetings: (await dbs.hub.select().from(caseMeeting).where(eq(caseMeeting.caseId, caseId))).length,
      slips: (await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, caseId))).length,
      approvals: (await dbs.hub.select().from(secondAidApproval).where(eq(secondAidApproval.caseId, caseId))).length,
      events: (await dbs.hub.select().from(caseEvent).where(eq(caseEvent.caseId, caseId))).length,
      present: (await dbs.hub.select().from(meetingDepartment)).length,
      state: (await dbs.hub.select({ state: aidCase.state }).from(aidCase).where(eq(aidCase.id, caseId)))[0].state,
    });
    const before = await count();
    // The third decision names a programme the hub does not have: its slip breaks a foreign key
    // after the meeting, its departments, two slips and a second aid have been written.
    const decision = (programmeCode: string, department: 'HEALTH' | 'CIVIL_AFFAIRS', secondAid = false) => ({
      department,
      programmeCode,
      amountFen: 1000,
      deadlineWorkingDays: 5,
      ask: null,
      beneficiaryIdNumber: WANG.grandmother,
      secondAid: secondAid ? { cause: 'ILLNESS' as const } : null,
      cause: secondAid ? ('ILLNESS' as const) : null,
      settlementRef: null,
      schoolYear: null,
    });
    const dossierRes = await as.province(`query($id: ID!) { case(id: $id) { id } }`, { id: String(caseId) });
    expect(dossierRes.data.case.id).toBe(String(caseId));
    await expect(
      recordMeeting(
        dbs.hub,
        caseId,
        {
          heldOn: '2025-11-05',
          departmentsPresent: ['HEALTH', 'CIVIL_AFFAIRS'],
          notes: null,
          decisions: [decision('MEDICAL_AID', 'HEALTH'), decision('TEMP_AID', 'CIVIL_AFFAIRS', true), decision('NO_SUCH_PROGRAMME', 'HEALTH')],
        },
        { version: 1 } as never,
        { actor: { officer: 'test', office: 'CIVIL_AFFAIRS' }, occurredAt: null, idempotencyKey: 'meeting-that-fails', now: new Date() },
      ),
    ).rejects.toThrow();
    expect(await count()).toEqual(before);
    expect(before).toMatchObject({ meetings: 0, slips: 0, approvals: 0, state: 'IN_DELIBERATION' });
    // The key of the failed attempt is free: nothing of it was kept.
    expect(await dbs.hub.select().from(caseEvent).where(eq(caseEvent.idempotencyKey, 'meeting-that-fails'))).toEqual([]);
  });
});

describe('arguments and reads', () => {
  it('refuses malformed ids and offices as BAD_USER_INPUT', async () => {
    const a = await as.province(`{ case(id: "abc") { id } }`);
    expect(a.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID' });
    const b = await as.province(ISSUE, { input: { caseId: '1', to: { department: 'HEALTH', township: '370811001' }, ask: 'x', deadlineWorkingDays: 3 } });
    expect(b.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_OFFICE' });
    const c = await as.province(MOVE, { input: { caseId: '1', to: 'ACCEPTED', reason: 'x', occurredAt: '2025-10-01T10:00:00' } });
    expect(c.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers null for an unknown case, CASE_NOT_FOUND to a write on one, HOUSEHOLD_NOT_FOUND to opening one for an unknown household', async () => {
    const res = await as.province(`{ case(id: "999999") { id } referral(id: "999999") { id } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ case: null, referral: null });
    expect(await refused(as.province, MOVE, { input: { caseId: '999999', to: 'ACCEPTED', reason: 'x' } }, 'caseTransition')).toEqual(['CASE_NOT_FOUND']);
    // A household the hub does not know: the province-wide client, which could see any household, is
    // told so (a county's client is refused OUT_OF_SCOPE: test/case-open-missing-household.test.ts).
    expect(await refused(as.province, OPEN, { input: { householdId: '999999', origin: 'APPLICATION', urgency: 'NORMAL', summary: 'x' } }, 'caseOpen')).toEqual(['HOUSEHOLD_NOT_FOUND']);
    expect(await dbs.hub.select().from(aidCase).where(eq(aidCase.householdId, 999999))).toEqual([]);
  });

  it('refuses a report dated in the future', async () => {
    const future = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    expect(await refused(as.province, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: 'x', reportedAt: future } }, 'caseOpen')).toEqual([
      'OCCURRED_IN_FUTURE',
    ]);
  });

  it('lists a household’s cases and an office’s inbox', async () => {
    const res = await as.province(`query($id: ID!) { household(id: $id) { cases { reference state } } }`, { id: String(wangId) });
    expect(res.errors).toBeUndefined();
    expect(res.data.household.cases.map((c: { state: string }) => c.state).sort()).toEqual(['CLOSED', 'IN_DELIBERATION']);
    // An office reads its own inbox.
    const inbox = await as.HEALTH(`query { referralsToOffice(office: { department: HEALTH }, states: [COMPLETED]) { to { key } state } }`);
    expect(inbox.errors).toBeUndefined();
    expect(inbox.data.referralsToOffice).toEqual([{ to: { key: 'HEALTH' }, state: 'COMPLETED' }]);
  });

  it('reads cases, slips, history and meetings in one statement each, however many households', async () => {
    // A hand-over's offices (CaseEvent.fromOffice, toOffice) come with the events: no statement more.
    const q = `query($ids: [ID!]!) { households(ids: $ids) { cases { state referrals { state } history { action fromOffice { key } toOffice { key } } meetings { heldOn } } } }`;
    const one = await as.province(q, { ids: [String(wangId)] });
    const two = await as.province(q, { ids: [String(wangId), String(zhaoId)] });
    expect(one.errors).toBeUndefined();
    expect(two.errors).toBeUndefined();
    expect(two.data.households[1].cases.length).toBeGreaterThan(0);
    expect(two.data.households.flatMap((h: any) => h.cases.flatMap((c: any) => c.history)).filter((e: any) => e.toOffice !== null)).toEqual([{ action: 'OWNER_CHANGED', fromOffice: { key: '370811001' }, toOffice: { key: 'CIVIL_AFFAIRS' } }]);
    // households, cases, slips, events, meetings.
    expect(one.extensions?.sqlStatements?.bySource.HUB).toBe(5);
    expect(two.extensions?.sqlStatements?.bySource.HUB).toBe(5);
  });

  it('says which years the working-day calendar covers', async () => {
    const res = await as.province(`{ workingDayCalendar { firstYear lastYear } }`);
    expect(res.data.workingDayCalendar.firstYear).toBe(2004);
    expect(res.data.workingDayCalendar.lastYear).toBeGreaterThanOrEqual(2026);
  });
});
