/**
 * What a meeting's decision states about the aid it decides, as the pre-grant check needs it: the
 * cause of a temporary aid (X5 counts grants of one cause), and a beneficiary alive on the day.
 */
import { eq } from 'drizzle-orm';
import { createClient } from '../access/clients';
import { person } from '../db/household/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { okPayload } from './support/payloads';
import { caseInDeliberation as openCaseInDeliberation } from './support/cases';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisions { id cause } decisionChecks { findings { ruleId severity } } } userErrors { code field } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id } userErrors { code } } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id cause decisionCheck { findings { ruleId severity } } } userErrors { code field } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** 任城区民政局: caseworker, convener, and the office its own temporary-aid slips go to. */
let ca: Gql;
/** 任城区医疗保障局: answers the county's health slips. */
let health: Gql;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

const ok = okPayload;

const caseInDeliberation = (summary: string) => openCaseInDeliberation(ca, wangId, summary, '2026-03-09T09:00:00+08:00');

const tempAid = (more: Record<string, unknown> = {}) => ({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, ...more });
const rulesOf = (check: { findings: { ruleId: string; severity: string }[] }) => check.findings.map((f) => `${f.ruleId}:${f.severity}`);

beforeAll(async () => {
  dbs = await createTestDatabases('cases_decision_facts');
  await insertRegions(dbs);
  // The household had temporary aid for the grandmother's illness on 2026-01-20.
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const { token } = await createClient(hub.accessDb, { name: 'rencheng-civil-affairs', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER', 'REFERRAL_HANDLER'] });
  ca = hub.as({ token, purpose: 'CASE_MEETING' }).gql;
  const healthClient = await createClient(hub.accessDb, { name: 'rencheng-health', department: 'HEALTH', regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] });
  health = hub.as({ token: healthClient.token, purpose: 'REFERRAL' }).gql;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a temporary-aid decision carries its cause', () => {
  it('is refused without one, as the pre-grant check refuses it (X5 counts grants of one cause)', async () => {
    const caseId = await caseInDeliberation('无事由');
    const res = await ca(MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [tempAid()] } });
    expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.decisions[0].cause', reason: 'REQUIRED', rule: 'X5' })]);
    // A second aid's cause is its cause; another beside it is refused.
    const twoCauses = await ca(MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [tempAid({ cause: 'ACCIDENT', secondAidCause: 'ILLNESS' })] } });
    expect(twoCauses.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.decisions[0].cause', reason: 'CONFLICTING' })]);
    // Nothing was recorded: the case is still in deliberation.
    const after = await ca(`query($id: ID!) { case(id: $id) { state meetings { id } } }`, { id: caseId });
    expect(after.data.case).toEqual({ state: 'IN_DELIBERATION', meetings: [] });
  });

  it('is judged by X5 with its cause: the same cause within 12 months warns, another does not; the slip keeps it', async () => {
    const caseId = await caseInDeliberation('户主因病临时救助');
    const met = await ok(
      ca,
      MEETING,
      { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [tempAid({ cause: 'ILLNESS' }), tempAid({ cause: 'ACCIDENT', beneficiaryIdNumber: WANG.spouse })] } },
      'meetingRecord',
    );
    // Judged as OTHER before, the illness grant of January went unseen beside a decision for the same illness.
    expect(met.meeting.decisionChecks.map(rulesOf)).toEqual([['X5:WARNING'], []]);
    expect(met.meeting.decisions.map((d: { cause: string }) => d.cause)).toEqual(['ILLNESS', 'ACCIDENT']);

  });

  it('a declined decision reassigned as temporary aid states its cause too, and is judged by it', async () => {
    const caseId = await caseInDeliberation('医保退回，改临时救助');
    const met = await ok(
      ca,
      MEETING,
      { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother }] } },
      'meetingRecord',
    );
    const slip = met.meeting.decisions[0].id;
    await ok(health, DECLINE, { input: { referralId: slip, reason: '已超年度救助限额' } }, 'referralDecline');
    const reassign = { referralId: slip, reason: '改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 5 };
    const without = await ca(REASSIGN, { input: reassign });
    expect(without.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.cause', reason: 'REQUIRED' })]);
    const stated = await ok(ca, REASSIGN, { input: { ...reassign, cause: 'ILLNESS' } }, 'referralReassign');
    expect(stated.referral.cause).toBe('ILLNESS');
    expect(rulesOf(stated.referral.decisionCheck)).toEqual(['X5:WARNING']);
  });
});

describe('a decision for a beneficiary who died before the meeting', () => {
  afterEach(async () => {
    for (const idNumber of [WANG.spouse, WANG.head]) await dbs.hub.update(person).set({ deathDate: null }).where(eq(person.idNumber, idNumber));
  });

  it('is refused (BENEFICIARY_DECEASED) while the household still lists them; a death on the meeting day is not', async () => {
    const caseId = await caseInDeliberation('成员已故');
    // The death is on record; the household has not yet been updated.
    await dbs.hub.update(person).set({ deathDate: '2026-03-11' }).where(eq(person.idNumber, WANG.spouse));
    // The household's earlier cases have the spouse's temporary aid waiting too: decided again here with a reason.
    const decisions = [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'ACCIDENT', amountFen: 100_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.spouse, conflictOverrideReason: '另一次事故' }];
    const refused = await ca(MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions } });
    expect(refused.errors).toBeUndefined();
    expect(refused.data.meetingRecord.userErrors).toEqual([{ code: 'BENEFICIARY_DECEASED', field: ['input', 'decisions', '0', 'beneficiaryIdNumber'] }]);
    // On the day of death the aid is decided as any other (an accident's first day).
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-11', departmentsPresent: ['CIVIL_AFFAIRS'], decisions } }, 'meetingRecord');
    expect(met.meeting.decisions).toHaveLength(1);
  });

  it('naming no one, is refused when the head of household it is checked for has died; naming a living member, it is decided', async () => {
    const caseId = await caseInDeliberation('户主已故');
    await dbs.hub.update(person).set({ deathDate: '2026-03-11' }).where(eq(person.idNumber, WANG.head));
    const forHousehold = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'ACCIDENT', amountFen: 100_000, deadlineWorkingDays: 5 };
    const refused = await ca(MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [forHousehold] } });
    expect(refused.errors).toBeUndefined();
    // It was recorded before, its pre-grant check run for the dead head.
    expect(refused.data.meetingRecord.userErrors).toEqual([{ code: 'BENEFICIARY_DECEASED', field: ['input', 'decisions', '0', 'beneficiaryIdNumber'] }]);
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [{ ...forHousehold, beneficiaryIdNumber: WANG.spouse, conflictOverrideReason: '另一次事故' }] } }, 'meetingRecord');
    expect(met.meeting.decisions).toHaveLength(1);
  });

  it('first aid is refused for a member who died before it was given, as a decision is; given to the household, it is recorded', async () => {
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '配偶意外' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    await dbs.hub.update(person).set({ deathDate: '2026-03-11' }).where(eq(person.idNumber, WANG.spouse));
    const input = { caseId, programme: 'TEMP_AID', cause: 'ACCIDENT', amountFen: 100_000, reason: '先行发放临时救助' };
    const refused = await ca(FIRST_AID, { input: { ...input, beneficiaryIdNumber: WANG.spouse } });
    expect(refused.errors).toBeUndefined();
    expect(refused.data.caseFirstAid.userErrors).toEqual([{ code: 'BENEFICIARY_DECEASED', field: ['input', 'beneficiaryIdNumber'] }]);
    expect((await ok(ca, FIRST_AID, { input }, 'caseFirstAid')).case.state).toBe('FIRST_AID_GIVEN');
  });

  it('a declined decision naming no one is not reassigned once the head has died, unless a living member is named', async () => {
    const caseId = await caseInDeliberation('户主已故，改派');
    const met = await ok(
      ca,
      MEETING,
      { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 5 }] } },
      'meetingRecord',
    );
    const slip = met.meeting.decisions[0].id;
    await ok(health, DECLINE, { input: { referralId: slip, reason: '不属医疗救助范围' } }, 'referralDecline');
    await dbs.hub.update(person).set({ deathDate: '2026-03-13' }).where(eq(person.idNumber, WANG.head));
    const reassign = { referralId: slip, reason: '改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'ACCIDENT', amountFen: 100_000, deadlineWorkingDays: 5 };
    const refused = await ca(REASSIGN, { input: reassign });
    expect(refused.errors).toBeUndefined();
    expect(refused.data.referralReassign.userErrors).toEqual([{ code: 'BENEFICIARY_DECEASED', field: ['input', 'beneficiaryIdNumber'] }]);
    await ok(ca, REASSIGN, { input: { ...reassign, beneficiaryIdNumber: WANG.spouse, conflictOverrideReason: '另一次住院' } }, 'referralReassign');
  });
});

describe('first aid of temporary aid carries its cause, as a decision does', () => {
  const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state firstAid { cause aidSourceReference } } userErrors { code field } } }`;

  it('is refused without one; the aid record it names must be of that cause, which X5 then counts', async () => {
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母病情加重' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    // The money trail: ¥1,500 of temporary aid to the grandmother today, for her illness (cause code 01).
    await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [{ idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: true, grantDate: '2026-03-15', amountFen: 150_000, approvalLevel: 1 }]);
    const aid = await ca(`query($id: ID!) { household(id: $id) { aid(departments: [CIVIL_AFFAIRS]) { programme { code } grantDate sourceReference } } }`, { id: String(wangId) });
    expect(aid.errors).toBeUndefined();
    const record = aid.data.household.aid.find((r: { programme: { code: string }; grantDate: string | null }) => r.programme.code === 'TEMP_AID' && r.grantDate === '2026-03-15').sourceReference;
    const input = { caseId, programme: 'TEMP_AID', amountFen: 150_000, beneficiaryIdNumber: WANG.grandmother, aidSourceReference: record, reason: '先行发放临时救助' };

    // No cause: refused as a decision and the pre-grant check refuse it (it was recorded, X5 reading OTHER).
    const without = await ca(FIRST_AID, { input });
    expect(without.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'input.cause', reason: 'REQUIRED', rule: 'X5' })]);
    // A cause the record does not carry: X5 counts the record under its own.
    const other = await ca(FIRST_AID, { input: { ...input, cause: 'ACCIDENT' } });
    expect(other.errors).toBeUndefined();
    expect(other.data.caseFirstAid.userErrors).toEqual([{ code: 'AID_RECORD_CAUSE_MISMATCH', field: ['input', 'aidSourceReference'] }]);
    expect((await ca(`query($id: ID!) { case(id: $id) { state firstAid { cause } } }`, { id: caseId })).data.case).toEqual({ state: 'ACCEPTED', firstAid: null });

    const given = await ok(ca, FIRST_AID, { input: { ...input, cause: 'ILLNESS' } }, 'caseFirstAid');
    expect(given.case).toEqual({ state: 'FIRST_AID_GIVEN', firstAid: { cause: 'ILLNESS', aidSourceReference: record } });
    // X5 sees the first aid's record beside January's grant for the same illness.
    const found = await ca(`query($id: ID!) { household(id: $id) { findings { rule { id } records { sourceReference } } } }`, { id: String(wangId) });
    expect(found.errors).toBeUndefined();
    const x5 = found.data.household.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X5');
    expect(x5).toHaveLength(1);
    expect(x5[0].records.map((r: { sourceReference: string }) => r.sourceReference)).toContain(record);
  });
});
