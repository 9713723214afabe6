/**
 * A meeting's decision of aid a rule counts by school year (X6 国家助学金 and 金秋助学, X12 金秋助学
 * twice) names the school year it is for (DecisionInput.schoolYear), as a pre-grant check does. Its
 * check counted it in the year of the meeting's day: a 金秋助学 decided at a meeting in August, for
 * the coming year, was warned of X12 against last August's grant (the year ending), and one decided
 * again for the year ending passed as the coming year's would have. Now, in July or August, a one-off
 * grant without its year is SCHOOL_YEAR_REQUIRED, a year the day is not for SCHOOL_YEAR_MISMATCH; the
 * check counts it in the year given, the slip keeps it, and a retry (same year) is answered once.
 * A correction's or reassignment's decision is held to its day the same way (a reassignment without
 * a year keeps the declined decision's).
 *
 * The hub's day is 2026-08-20; the student was paid 金秋助学 on 2025-08-25 for 2025-2026.
 */
import { eq } from 'drizzle-orm';
import { household, householdMember, person } from '../db/household/schema';
import { referralSlip } from '../db/cases/schema';
import { makeIdNumber } from '../domain/id-number';
import { educationScenario } from '../federation/education/scenario';
import { unionScenario } from '../federation/union/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseInDeliberation, countyClients } from './support/cases';
import { insertRegions } from './support/scenarios';

const TODAY = '2026-08-20';
const HELD_ON = '2026-08-18';
const VILLAGE = '370811001001';
const PARENT = makeIdNumber('370811', '1980-01-01', 81);
const STUDENT = makeIdNumber('370811', '2010-03-03', 83);

const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { decisions { id schoolYear decisionCheck { findings { ruleId severity } } } } replayed userErrors { code field } } }`;
const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) {
  issued { id schoolYear decisionCheck { findings { ruleId } } } userErrors { code field } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let householdId: number;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const clients: Record<'ca' | 'union' | 'edu', Gql> = {} as never;
/** The correction's slip (金秋助学 for 2025-2026), declined and reassigned below. */
let correctedSlip: string;
/** The reassignment's slip (国家助学金 for 2025-2026), corrected in September below. */
let reassignedSlip: string;
let caseId: string;

const autumnAid = (extra: Record<string, unknown> = {}) => ({ department: 'UNION', programme: 'UNION_AUTUMN_EDU', amountFen: 200_000, deadlineWorkingDays: 10, beneficiaryIdNumber: STUDENT, ...extra });

/** The meeting's answer: its errors' code, argument, reason and allowed years, or its payload. */
async function meeting(decisions: Record<string, unknown>[], idempotencyKey?: string): Promise<unknown> {
  const res = await clients.ca(MEETING, { input: { caseId, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'UNION'], decisions, idempotencyKey } });
  return res.errors?.map((x) => ({ code: x.extensions?.code, argument: x.extensions?.argument, reason: x.extensions?.reason, allowed: x.extensions?.allowed })) ?? res.data.meetingRecord;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_decision_school_year');
  await insertRegions(dbs);
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'F-SY-1', regionCode: VILLAGE, address: '古槐街道 SY-1' });
  householdId = res.insertId;
  for (const [id, relation] of [[PARENT, 'HEAD'], [STUDENT, 'CHILD']] as const) {
    await dbs.hub.insert(person).values({ idNumber: id, name: relation === 'HEAD' ? '家长' : '学生', gender: Number(id[16]) % 2 ? 'M' : 'F', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, deathDate: null });
    await dbs.hub.insert(householdMember).values({ householdId, idNumber: id, relation, joinedOn: '2015-01-01' });
  }
  await unionScenario.insert(dbs.sources.UNION, 'workerFiles', [{ fileNo: 'GH-SY', idCard: PARENT, employer: '济宁演示企业', hardshipLevel: 2, fileDate: '2020-01-01' }]);
  // A 普通高中 student on the education roll: 国家助学金 fits the stage (not on the roll, each decision's check carried SCHOOL_STAGE).
  await educationScenario.insert(dbs.sources.EDUCATION, 'students', [{ studentNo: 'XS-SY', sfzh: STUDENT, schoolCode: '370811000001', schoolName: '演示高中', stage: 'GZ', grade: 2, enrolYear: '2024', xjStatus: 'ZX' }]);
  await unionScenario.insert(dbs.sources.UNION, 'grants', [{ fileNo: 'GH-SY', grantType: 'JQ', grantDate: '2025-08-25', amountFen: 200_000, studentIdCard: STUDENT, schoolYear: '2025-2026', grantStatus: 1 }]);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['union', '370811', 'UNION', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    ['edu', '370811', 'EDUCATION', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]);
  clients.edu = made.edu.gql;
  clients.ca = made.ca.gql;
  clients.union = made.union.gql;
  caseId = await caseInDeliberation(clients.ca, householdId, '学生开学费用困难', '2026-08-10T09:00:00+08:00');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a meeting in August deciding 金秋助学', () => {
  it('without its school year is SCHOOL_YEAR_REQUIRED, both years allowed; a year the day is not for is SCHOOL_YEAR_MISMATCH', async () => {
    expect(await meeting([autumnAid()])).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.decisions[0].schoolYear', reason: 'SCHOOL_YEAR_REQUIRED', allowed: ['2025-2026', '2026-2027'] }]);
    expect(await meeting([autumnAid({ schoolYear: '2024-2025' })])).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.decisions[0].schoolYear', reason: 'SCHOOL_YEAR_MISMATCH', allowed: ['2025-2026', '2026-2027'] }]);
    expect(await meeting([autumnAid({ schoolYear: '2026-2028' })])).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.decisions[0].schoolYear', reason: 'MALFORMED_SCHOOL_YEAR', allowed: undefined }]);
    // Typed in full-width mode (a Chinese input method), the year is read as ASCII, as an ID number is: held to the day, not MALFORMED.
    expect(await meeting([autumnAid({ schoolYear: '２０２４－２０２５' })])).toEqual([{ code: 'BAD_USER_INPUT', argument: 'input.decisions[0].schoolYear', reason: 'SCHOOL_YEAR_MISMATCH', allowed: ['2025-2026', '2026-2027'] }]);
  });

  it('for the coming year is counted there: no X12 against last August’s grant, the year kept on the slip; its retry is answered once', async () => {
    const first = (await meeting([autumnAid({ schoolYear: '2026-2027' })], 'sy-meeting')) as { meeting: { decisions: { id: string; schoolYear: string; decisionCheck: { findings: unknown[] } }[] }; replayed: boolean; userErrors: unknown[] };
    expect(first.userErrors).toEqual([]);
    expect(first.meeting.decisions).toEqual([{ id: expect.any(String), schoolYear: '2026-2027', decisionCheck: { findings: [] } }]);
    const again = (await meeting([autumnAid({ schoolYear: '2026-2027' })], 'sy-meeting')) as typeof first;
    expect(again.replayed).toBe(true);
    expect(again.meeting.decisions.map((d) => d.id)).toEqual(first.meeting.decisions.map((d) => d.id));
    // Without its key, the same meeting sent again is told from a new one by its decisions, the year among them.
    const unkeyed = (await meeting([autumnAid({ schoolYear: '2026-2027' })])) as typeof first;
    expect(unkeyed.replayed).toBe(true);
    expect(unkeyed.meeting.decisions.map((d) => d.id)).toEqual(first.meeting.decisions.map((d) => d.id));
  });

  it('a correction deciding it for the year ending is held to the correction’s day and counted there: X12, kept with its check', async () => {
    const slipId = ((await clients.ca(`query($id: ID!) { case(id: $id) { referrals { id } } }`, { id: caseId })).data.case.referrals as { id: string }[])[0].id;
    const change = (decision: Record<string, unknown>) => clients.ca(CORRECT, { input: { caseId, reason: '更正学年', changes: [{ referralId: slipId, decision }] } });
    // Left out, a change keeps the corrected decision's year (2026-2027); a decision added has none to keep.
    const required = await clients.ca(CORRECT, { input: { caseId, reason: '更正学年', add: [autumnAid()] } });
    expect(required.errors?.map((e) => [e.extensions?.argument, e.extensions?.reason])).toEqual([['input.add[0].schoolYear', 'SCHOOL_YEAR_REQUIRED']]);
    // Full-width, as typed in a Chinese input method's full-width mode: read and kept as 2025-2026.
    const res = await change(autumnAid({ schoolYear: ' ２０２５－２０２６ ' }));
    expect(res.errors).toBeUndefined();
    expect(res.data.decisionCorrect.userErrors).toEqual([]);
    expect(res.data.decisionCorrect.issued).toEqual([{ id: expect.any(String), schoolYear: '2025-2026', decisionCheck: { findings: [{ ruleId: 'X12' }] } }]);
    correctedSlip = res.data.decisionCorrect.issued[0].id;
  });

  it('a reassignment is held to today, and without a year keeps the declined decision’s: 国家助学金 for 2025-2026 beside that year’s 金秋助学 is X6', async () => {
    const declined = await clients.union(`mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { userErrors { code } } }`, { input: { referralId: correctedSlip, reason: '该生已获本学年金秋助学' } });
    expect(declined.data.referralDecline.userErrors).toEqual([]);
    const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id schoolYear decisionCheck { findings { ruleId } } } userErrors { code field } } }`;
    const input = { referralId: correctedSlip, reason: '改由教育部门资助', department: 'EDUCATION', programme: 'NATIONAL_GRANT', amountFen: 62_500, deadlineWorkingDays: 10, beneficiaryIdNumber: STUDENT };
    const mismatch = await clients.ca(REASSIGN, { input: { ...input, schoolYear: '2024-2025' } });
    expect(mismatch.errors?.map((e) => [e.extensions?.argument, e.extensions?.reason])).toEqual([['input.schoolYear', 'SCHOOL_YEAR_MISMATCH']]);
    const fullWidth = await clients.ca(REASSIGN, { input: { ...input, schoolYear: '２０２４－２０２５' } });
    expect(fullWidth.errors?.map((e) => [e.extensions?.argument, e.extensions?.reason])).toEqual([['input.schoolYear', 'SCHOOL_YEAR_MISMATCH']]);
    const res = await clients.ca(REASSIGN, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data.referralReassign).toEqual({ referral: { id: expect.any(String), schoolYear: '2025-2026', decisionCheck: { findings: [{ ruleId: 'X6' }] } }, userErrors: [] });
    reassignedSlip = res.data.referralReassign.referral.id;
  });
});

describe('after 1 September, a decision for the year ended', () => {
  const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id schoolYear } userErrors { code field } } }`;
  let carried: string;

  beforeAll(() => clock.set('2026-09-02T10:00:00+08:00'));

  it('corrected without a year keeps the corrected decision’s (2025-2026), not today’s', async () => {
    const res = await clients.ca(CORRECT, { input: { caseId, reason: '更正金额', changes: [{ referralId: reassignedSlip, decision: { department: 'EDUCATION', programme: 'NATIONAL_GRANT', amountFen: 50_000, deadlineWorkingDays: 10, beneficiaryIdNumber: STUDENT } }] } });
    expect(res.errors).toBeUndefined();
    expect(res.data.decisionCorrect.userErrors).toEqual([]);
    expect(res.data.decisionCorrect.issued).toEqual([expect.objectContaining({ schoolYear: '2025-2026' })]);
    carried = res.data.decisionCorrect.issued[0].id;
  });

  it('declined and reassigned is still that year’s where the slip kept none (the year of the day it was decided): allowed, and taken when left out', async () => {
    // A slip written before it kept its year (migration 0011): the meeting's day, 2026-08-18, is in 2025-2026.
    await dbs.hub.update(referralSlip).set({ schoolYear: null }).where(eq(referralSlip.id, Number(carried)));
    const input = { referralId: carried, reason: '改由工会金秋助学资助', department: 'UNION', programme: 'UNION_AUTUMN_EDU', amountFen: 200_000, deadlineWorkingDays: 10, beneficiaryIdNumber: STUDENT };
    // Not declined yet: refused as such, whatever its school year (it was a thrown SCHOOL_YEAR_MISMATCH).
    const early = await clients.ca(REASSIGN, { input: { ...input, schoolYear: '2024-2025' } });
    expect(early.errors).toBeUndefined();
    expect(early.data.referralReassign.userErrors).toEqual([{ code: 'DECISION_NOT_DECLINED', field: ['input', 'referralId'] }]);
    const declined = await clients.edu(`mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { userErrors { code } } }`, { input: { referralId: carried, reason: '改由工会资助' } });
    expect(declined.data.referralDecline.userErrors).toEqual([]);
    const mismatch = await clients.ca(REASSIGN, { input: { ...input, schoolYear: '2024-2025' } });
    expect(mismatch.errors?.map((e) => [e.extensions?.argument, e.extensions?.reason, e.extensions?.allowed])).toEqual([['input.schoolYear', 'SCHOOL_YEAR_MISMATCH', ['2025-2026', '2026-2027']]]);
    expect(mismatch.errors?.[0].message).toContain('the declined decision');
    // Allowed as given (above), and taken when left out.
    const res = await clients.ca(REASSIGN, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data.referralReassign).toEqual({ referral: { id: expect.any(String), schoolYear: '2025-2026' }, userErrors: [] });
    carried = res.data.referralReassign.referral.id;
  });

  it('reassigned as aid not counted by school year carries none (临时救助 for 2025-2026 is no aid of a school year)', async () => {
    const declined = await clients.union(`mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { userErrors { code } } }`, { input: { referralId: carried, reason: '本学年已资助' } });
    expect(declined.data.referralDecline.userErrors).toEqual([]);
    const res = await clients.ca(REASSIGN, { input: { referralId: carried, reason: '改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 5, beneficiaryIdNumber: STUDENT, cause: 'OTHER' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.referralReassign).toEqual({ referral: { id: expect.any(String), schoolYear: null }, userErrors: [] });
  });
});

describe('the aid record completing a decision for a school year', () => {
  it('must be of that year: last year’s 金秋助学 does not complete this year’s decision (AID_RECORD_SCHOOL_YEAR_MISMATCH), this year’s does', async () => {
    const added = await clients.ca(CORRECT, { input: { caseId, reason: '补充本学年金秋助学', add: [autumnAid({ schoolYear: '2026-2027' })] } });
    expect(added.data.decisionCorrect.userErrors).toEqual([]);
    const slip = added.data.decisionCorrect.issued[0].id;
    const [lastYears, thisYears] = await unionScenario.insert(dbs.sources.UNION, 'grants', [
      { fileNo: 'GH-SY', grantType: 'JQ', grantDate: '2026-09-01', amountFen: 200_000, studentIdCard: STUDENT, schoolYear: '2025-2026', grantStatus: 1 },
      { fileNo: 'GH-SY', grantType: 'JQ', grantDate: '2026-09-01', amountFen: 200_000, studentIdCard: STUDENT, schoolYear: '2026-2027', grantStatus: 1 },
    ]);
    const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code field } } }`;
    const accepted = await clients.union(`mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { userErrors { code } } }`, { input: { referralId: slip } });
    expect(accepted.data.referralAccept.userErrors).toEqual([]);
    const wrong = await clients.union(COMPLETE, { input: { referralId: slip, feedback: '金秋助学已发放', aidSourceReference: lastYears } });
    expect(wrong.errors).toBeUndefined();
    expect(wrong.data.referralComplete.userErrors).toEqual([{ code: 'AID_RECORD_SCHOOL_YEAR_MISMATCH', field: ['input', 'aidSourceReference'] }]);
    const done = await clients.union(COMPLETE, { input: { referralId: slip, feedback: '金秋助学已发放', aidSourceReference: thisYears } });
    expect(done.data.referralComplete).toEqual({ referral: { state: 'COMPLETED' }, userErrors: [] });
  });
});

describe('decisions not yet given, for two school years', () => {
  it('金秋助学 for the year ending and for the one starting at one August meeting are no duplicate; 国家助学金 beside the same year’s is X6 against it', async () => {
    const second = await caseInDeliberation(clients.ca, householdId, '学生两学年费用困难', '2026-08-10T09:00:00+08:00');
    const decisions = [
      autumnAid({ schoolYear: '2025-2026' }),
      autumnAid({ schoolYear: '2026-2027' }),
      { department: 'EDUCATION', programme: 'NATIONAL_GRANT', amountFen: 62_500, deadlineWorkingDays: 10, beneficiaryIdNumber: STUDENT, schoolYear: '2026-2027' },
    ];
    const res = await clients.ca(`mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
      meeting { decisions { schoolYear decisionCheck { findings { ruleId summary } } } } userErrors { code field } } }`, { input: { caseId: second, heldOn: HELD_ON, departmentsPresent: ['CIVIL_AFFAIRS', 'UNION', 'EDUCATION'], decisions } });
    expect(res.errors).toBeUndefined();
    expect(res.data.meetingRecord.userErrors).toEqual([]);
    const [, coming, grant] = res.data.meetingRecord.meeting.decisions as { schoolYear: string; decisionCheck: { findings: { ruleId: string; summary: string }[] } }[];
    expect(coming.decisionCheck.findings.map((f) => f.ruleId)).not.toContain('DUPLICATE_DECISION');
    // Against the meeting's 2026-2027 金秋助学 (its second decision), not the 2025-2026 one.
    const against = grant.decisionCheck.findings.filter((f) => f.summary.includes('本次会议第'));
    expect(against.map((f) => [f.ruleId, f.summary.includes('本次会议第 2 项决定')])).toEqual([['X6', true]]);
  });
});
