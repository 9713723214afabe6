/**
 * A case over several meetings and several weeks, as county staff run it: meetings recorded in
 * order, supervision reading the decisions met short of what was decided, and a beneficiary who
 * dies or moves out after the decision.
 */
import { and, eq } from 'drizzle-orm';
import { createClient } from '../access/clients';
import { recordMeeting } from '../db/cases/meetings';
import { householdMember, person } from '../db/household/schema';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { okPayload } from './support/payloads';
import { caseInDeliberation as openCaseInDeliberation } from './support/cases';

const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id heldOn decisions { id } } case { state } userErrors { code message field } } }`;
const SLIP = `referral { id state fulfilment { beneficiary { idNumber } amountFen shortfallFen } } userErrors { code message field }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** 任城区民政局 (caseworker and convener, and the office its own temporary-aid slips go to). */
let ca: Gql;
let caToken: string;
/** 任城区医疗保障局: answers the county's health slips. */
let health: Gql;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

const ok = okPayload;

const caseInDeliberation = (summary: string) => openCaseInDeliberation(ca, wangId, summary, '2026-03-09T09:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('cases_mid_case');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const { token } = await createClient(hub.accessDb, { name: 'renchang-civil-affairs', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER', 'REFERRAL_HANDLER'] });
  caToken = token;
  ca = hub.as({ token, purpose: 'CASE_MEETING' }).gql;
  const healthClient = await createClient(hub.accessDb, { name: 'rencheng-health', department: 'HEALTH', regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] });
  health = hub.as({ token: healthClient.token, purpose: 'REFERRAL' }).gql;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a case’s meetings are held in order', () => {
  it('refuses a meeting held before the latest one on record, and takes one held the same day or later', async () => {
    const caseId = await caseInDeliberation('多次会议');
    const meet = (heldOn: string, decisions: unknown[] = []) => ca(MEETING, { input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS'], decisions } });
    expect((await meet('2026-03-12')).data.meetingRecord.userErrors).toEqual([]);
    const before = await meet('2026-03-11');
    expect(before.errors).toBeUndefined();
    expect(before.data.meetingRecord.userErrors.map((e: { code: string; field: string[] }) => `${e.code}@${e.field.join('.')}`)).toEqual(['MEETING_DATE_OUT_OF_RANGE@input.heldOn']);
    expect(before.data.meetingRecord.userErrors[0].message).toContain('2026-03-12');
    // Two sittings on one day, then the deciding one.
    expect((await meet('2026-03-12')).data.meetingRecord.userErrors).toEqual([]);
    const decided = await meet('2026-03-13', [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, cause: 'OTHER' }]);
    expect(decided.data.meetingRecord.userErrors).toEqual([]);
    expect(decided.data.meetingRecord.case.state).toBe('DECIDED');
    const res = await ca(`query($id: ID!) { case(id: $id) { meetings { heldOn } } }`, { id: caseId });
    expect(res.data.case.meetings.map((m: { heldOn: string }) => m.heldOn)).toEqual(['2026-03-12', '2026-03-12', '2026-03-13']);
  });

  it('answers a retried meeting from its key, though a later meeting was recorded meanwhile', async () => {
    const caseId = await caseInDeliberation('重试');
    const first = { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [], idempotencyKey: 'meeting-0312' };
    const recorded = await ok(ca, MEETING, { input: first }, 'meetingRecord');
    await ok(ca, MEETING, { input: { ...first, heldOn: '2026-03-13', idempotencyKey: 'meeting-0313' } }, 'meetingRecord');
    const retried = await ok(ca, MEETING, { input: first }, 'meetingRecord');
    expect(retried.meeting.id).toBe(recorded.meeting.id);
  });

  it('checks the order under the case’s lock, where a meeting recorded meanwhile counts', async () => {
    const caseId = await caseInDeliberation('并发会议');
    await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [] } }, 'meetingRecord');
    // A request that passed the resolver's check before that meeting landed.
    const late = { heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS' as const], notes: null, decisions: [] };
    const outcome = await recordMeeting(dbs.hub, Number(caseId), late, JSON.parse('{}'), { actor: { officer: 'x', office: 'CIVIL_AFFAIRS' }, occurredAt: null, idempotencyKey: null, now: clock.now() });
    expect(outcome.ok ? 'OK' : outcome.errors.map((e) => e.code).join()).toBe('MEETING_DATE_OUT_OF_RANGE');
    const res = await ca(`query($id: ID!) { case(id: $id) { meetings { heldOn } } }`, { id: caseId });
    expect(res.data.case.meetings).toEqual([{ heldOn: '2026-03-13' }]);
  });
});

describe('supervision reads the decisions met short', () => {
  const REPORT = `query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, regionCode: "370811", shortfallsSince: $since) {
    byOffice { office { key name } county { code } shortfalls { referral { id fulfilment { amountFen decidedAmountFen differenceReason } } shortfallFen } }
    byTownship { township { code } shortfalls { referral { id } shortfallFen } }
    byCounty { county { code } shortfalls { referral { id } shortfallFen } } } }`;

  it('lists a decision completed with less than decided under the office that gave it, its township and county; not one met in full', async () => {
    const caseId = await caseInDeliberation('住院自付费用高');
    const met = await ok(
      ca,
      MEETING,
      {
        input: {
          caseId,
          heldOn: '2026-03-12',
          departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
          decisions: [
            { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 1_500_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, conflictOverrideReason: '大病自付费用高' },
            { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.spouse, conflictOverrideReason: '大病自付费用高' },
          ],
        },
      },
      'meetingRecord',
    );
    const [short, full] = met.meeting.decisions.map((d: { id: string }) => d.id);
    const [shortRef, fullRef] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
      { payId: 'MA-2026-0313-S', psnCertNo: WANG.head, aidType: 'MAF', payDate: '2026-03-13', payAmt: '9000.00' },
      { payId: 'MA-2026-0313-F', psnCertNo: WANG.spouse, aidType: 'MAF', payDate: '2026-03-13', payAmt: '500.00' },
    ]);
    for (const [slip, ref] of [[short, shortRef], [full, fullRef]]) {
      await ok(health, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
      await ok(health, COMPLETE, { input: { referralId: slip, feedback: '医疗救助已结算', aidSourceReference: ref, differenceReason: slip === short ? '年度救助封顶线 9000 元' : null } }, 'referralComplete');
    }
    const res = await ca(REPORT, {});
    expect(res.errors).toBeUndefined();
    const report = res.data.overdueReport;
    const office = report.byOffice.find((g: { office: { key: string } }) => g.office.key === 'HEALTH');
    expect(office).toMatchObject({ office: { name: '任城区医疗保障局' }, county: { code: '370811' } });
    expect(office.shortfalls).toEqual([{ referral: { id: short, fulfilment: { amountFen: 900_000, decidedAmountFen: 1_500_000, differenceReason: '年度救助封顶线 9000 元' } }, shortfallFen: 600_000 }]);
    expect(report.byTownship.find((g: { township: { code: string } }) => g.township.code === '370811001').shortfalls).toEqual([{ referral: { id: short }, shortfallFen: 600_000 }]);
    expect(report.byCounty).toEqual([expect.objectContaining({ county: { code: '370811' }, shortfalls: [{ referral: { id: short }, shortfallFen: 600_000 }] })]);
    // Of the period asked: completed before asOf, on or after shortfallsSince.
    const none = (g: { shortfalls: unknown[] }) => g.shortfalls.length === 0;
    const before = await ca(REPORT, { asOf: '2026-03-14T00:00:00+08:00' });
    expect(before.data.overdueReport.byCounty.every(none)).toBe(true);
    const after = await ca(REPORT, { asOf: '2026-03-20T00:00:00+08:00', since: '2026-03-16' });
    expect(after.data.overdueReport.byCounty.every(none)).toBe(true);
    const day = await ca(REPORT, { asOf: '2026-03-20T00:00:00+08:00', since: '2026-03-15' });
    expect(day.data.overdueReport.byCounty[0].shortfalls).toEqual([{ referral: { id: short }, shortfallFen: 600_000 }]);
    // The brief prints, beside the decision, what was given and why less.
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: caToken, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    const text = (await brief.text()).replace(/<[^>]+>/g, '');
    expect(text).toContain('实际救助：9000.00 元（少于决定 6000.00 元）');
    expect(text).toContain('差额理由：年度救助封顶线 9000 元');
    expect(text.match(/实际救助：/g)).toHaveLength(1);
  });
});

describe('supervision as it stood at a past asOf', () => {
  it('shows a slip and a case overdue then, though the slip was answered and the case closed since', async () => {
    const caseId = await caseInDeliberation('月末督导');
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 80_000, deadlineWorkingDays: 1, beneficiaryIdNumber: WANG.spouse, cause: 'OTHER', conflictOverrideReason: '临时困难' }] } }, 'meetingRecord');
    const slip = met.meeting.decisions[0].id;
    const [paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.spouse, familyNo: 'DB370811-0001', causeCode: '99', isUrgent: false, isSecondAid: false, grantDate: '2026-03-13', amountFen: 80_000, approvalLevel: 1 });
    await ok(ca, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    // Due Friday 2026-03-13 (one working day from the meeting); answered on Sunday the 15th, and the case closed.
    await ok(ca, COMPLETE, { input: { referralId: slip, feedback: '已发放', aidSourceReference: paid } }, 'referralComplete');
    await ok(ca, MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }, 'caseTransition');
    const asOf = '2026-03-14T12:00:00+08:00';
    const res = await ca(
      `query($asOf: DateTime, $id: ID!) { overdueReport(asOf: $asOf, regionCode: "370811") { byCounty { referrals { referral { id } overdue { hours workingDays } } cases { case { id } deadline { kind status } } } }
        referral(id: $id) { deadlineStatus(asOf: $asOf) now: deadlineStatus } }`,
      { asOf, id: slip },
    );
    expect(res.errors).toBeUndefined();
    const [county] = res.data.overdueReport.byCounty;
    expect(county.referrals.filter((r: { referral: { id: string } }) => r.referral.id === slip)).toEqual([{ referral: { id: slip }, overdue: { hours: 12, workingDays: 0 } }]);
    // Reported on the 9th, its investigation opinion (3 working days) was recorded only on the 15th.
    expect(county.cases.filter((c: { case: { id: string } }) => c.case.id === caseId).map((c: { deadline: { kind: string; status: string } }) => `${c.deadline.kind}:${c.deadline.status}`)).toEqual(['INVESTIGATION_OPINION:OVERDUE']);
    expect(res.data.referral).toEqual({ deadlineStatus: 'OVERDUE', now: 'MET_LATE' });
    // Now: answered and closed, so neither is listed.
    const now = await ca(`query { overdueReport(regionCode: "370811") { byCounty { referrals { referral { id } } cases { case { id } } } } }`);
    const groups = now.data.overdueReport.byCounty;
    expect(groups.flatMap((g: { referrals: { referral: { id: string } }[] }) => g.referrals.map((r) => r.referral.id))).not.toContain(slip);
    expect(groups.flatMap((g: { cases: { case: { id: string } }[] }) => g.cases.map((c) => c.case.id))).not.toContain(caseId);
  });
});

describe('a beneficiary who leaves the household after the decision', () => {
  it('completes the decision with the aid paid to them, after their death ended their membership', async () => {
    const caseId = await caseInDeliberation('老人住院，临时救助');
    const met = await ok(
      ca,
      MEETING,
      { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [{ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother, cause: 'ILLNESS', conflictOverrideReason: '住院费用高，再次救助' }] } },
      'meetingRecord',
    );
    const slip = met.meeting.decisions[0].id;
    await ok(ca, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    const [paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', { idNo: WANG.grandmother, familyNo: 'DB370811-0001', causeCode: '01', isUrgent: false, isSecondAid: false, grantDate: '2026-03-13', amountFen: 200_000, approvalLevel: 1 });
    // She dies the next day: the civil affairs record ends her membership on the day of death.
    await dbs.hub.update(person).set({ deathDate: '2026-03-14' }).where(eq(person.idNumber, WANG.grandmother));
    await dbs.hub.update(householdMember).set({ leftOn: '2026-03-14' }).where(and(eq(householdMember.householdId, wangId), eq(householdMember.idNumber, WANG.grandmother)));
    const done = await ok(ca, COMPLETE, { input: { referralId: slip, feedback: '临时救助已发放', aidSourceReference: paid } }, 'referralComplete');
    expect(done.referral).toMatchObject({ state: 'COMPLETED', fulfilment: { beneficiary: { idNumber: WANG.grandmother }, amountFen: 200_000, shortfallFen: 0 } });
  });
});
