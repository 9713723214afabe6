/**
 * A meeting's decisions checked against the decisions not yet given (the meeting's others, slips
 * still waiting of the case and of the household's other open cases), also when two cases of the
 * household decide at the same moment, and a meeting or reassignment sent again after a lost answer
 * answered as the retry it is, also when sent at the same moment as its first sending, whichever
 * step of the first's write the second's checks see (and so a keyed decline, waiver or transition).
 */
import { and, eq, getTableName, inArray, sql } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { createClient } from '../access/clients';
import { aidCase, caseEvent, caseMeeting, referralSlip } from '../db/cases/schema';
import { declinedDecision, householdDecisionLock } from '../db/case-loop/schema';
import { recordMeeting } from '../db/cases/meetings';
import { createTestDatabases, lockWaits, type TestDatabases } from './support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { until } from './support/until';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { okPayload } from './support/payloads';
import { caseInDeliberation as openCaseInDeliberation } from './support/cases';
import { ADAPTERS } from '../federation/registry';

const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { id decisions { id } decisionChecks { overrideReason findings { ruleId severity summary } } } case { state } replayed userErrors { code field message } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id } userErrors { code } } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { referral { id } userErrors { code } } }`;
const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id } userErrors { code field message } } }`;
const REASSIGN_REPLAYED = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { referral { id } replayed userErrors { code field message } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
/** 任城区民政局: convener, and the office its own slips go to (it declines them to clear the household's pending decisions). */
let ca: Gql;
/** 任城区总工会: declines the union's slips. */
let union: Gql;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

const ok = okPayload;

const caseInDeliberation = (summary: string) => openCaseInDeliberation(ca, wangId, summary, '2026-03-09T09:00:00+08:00');

const civil = (programme: string, beneficiaryIdNumber: string, more: Record<string, unknown> = {}) => ({ department: 'CIVIL_AFFAIRS', programme, amountFen: 150_000, deadlineWorkingDays: 5, beneficiaryIdNumber, ...more });
const meetingInput = (caseId: string, decisions: unknown[], more: Record<string, unknown> = {}) => ({ caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS'], decisions, ...more });

async function meetingsOf(caseId: string): Promise<number> {
  return (await dbs.hub.select().from(caseMeeting).where(eq(caseMeeting.caseId, Number(caseId)))).length;
}

/** Declines every slip given, so the household has no decision waiting for the next test. */
async function declineAll(slips: { id: string }[]): Promise<void> {
  for (const s of slips) await ok(ca, DECLINE, { input: { referralId: s.id, reason: '测试结束，退回' } }, 'referralDecline');
}

/** Runs `work` while the cases' rows are held from another connection; they are released when it returns. */
function whileCasesHeld<T>(caseIds: string[], work: () => Promise<T>): Promise<T> {
  return dbs.hub.transaction(async (tx) => {
    await tx.execute(sql`select id from aid_case where id in (${sql.join(caseIds.map(Number), sql`, `)}) for update`);
    return work();
  });
}

/**
 * Sends the requests while both cases' rows are held from another connection, so each has made
 * its checks (the household has nothing waiting) before either writes; released once both wait.
 */
async function sentTogether(caseIds: string[], send: () => Promise<GraphQLResponse>[]): Promise<GraphQLResponse[]> {
  let sent: Promise<GraphQLResponse>[] | undefined;
  await whileCasesHeld(caseIds, async () => {
    sent = send();
    // Awaited below, once the cases are released; one answered while they are held never reached its write (refused by a check).
    let answered = 0;
    sent.forEach((p) => p.then(() => answered++, () => answered++));
    await until('both requests waiting for their case', async () => ({ waiting: await lockWaits(dbs.hub), answered }), (v) => v.waiting >= 2 || v.answered > 0);
  });
  return Promise.all(sent!);
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_meeting_checks');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const { token } = await createClient(hub.accessDb, { name: 'rencheng-civil-affairs', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER', 'REFERRAL_HANDLER'] });
  ca = hub.as({ token, purpose: 'CASE_MEETING' }).gql;
  const unionClient = await createClient(hub.accessDb, { name: 'rencheng-union', department: 'UNION', regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] });
  union = hub.as({ token: unionClient.token, purpose: 'REFERRAL' }).gql;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a decision is checked against the decisions not yet given', () => {
  it('refuses two decisions of one meeting granting the same programme to the same person, naming the first; records them with a reason', async () => {
    const caseId = await caseInDeliberation('同一会议重复决定');
    const twice = [civil('TEMP_AID', WANG.head, { cause: 'ACCIDENT' }), civil('TEMP_AID', WANG.head, { cause: 'ACCIDENT', amountFen: 80_000 })];
    const res = await ca(MEETING, { input: meetingInput(caseId, twice) });
    expect(res.errors).toBeUndefined();
    const [refused] = res.data.meetingRecord.userErrors;
    expect(res.data.meetingRecord.userErrors).toHaveLength(1);
    expect(refused).toMatchObject({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '1', 'conflictOverrideReason'] });
    expect(refused.message).toContain('DUPLICATE_DECISION');
    expect(refused.message).toContain('本次会议第 1 项决定');
    expect(await meetingsOf(caseId)).toBe(0);
    // The same programme for another member is not a duplicate.
    const recorded = await ok(ca, MEETING, { input: meetingInput(caseId, [twice[0], { ...twice[1], conflictOverrideReason: '两次意外事故分别救助' }]) }, 'meetingRecord');
    expect(recorded.meeting.decisionChecks[1].findings.map((f: { ruleId: string }) => f.ruleId)).toContain('DUPLICATE_DECISION');
    expect(recorded.meeting.decisionChecks[1].overrideReason).toBe('两次意外事故分别救助');
    await declineAll(recorded.meeting.decisions);
  });

  it('refuses programmes a rule keeps apart decided together (X11: 孤儿 and 事实无人抚养 for one child), not the same for two people', async () => {
    const caseId = await caseInDeliberation('同一会议互斥决定');
    const res = await ca(MEETING, { input: meetingInput(caseId, [civil('ORPHAN', WANG.child), civil('UNSUPPORTED_CHILD', WANG.child)]) });
    expect(res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '1', 'conflictOverrideReason'] })]);
    expect(res.data.meetingRecord.userErrors[0].message).toContain('X11');
    // The same temporary aid for two different members is not a duplicate.
    const recorded = await ok(ca, MEETING, { input: meetingInput(caseId, [civil('TEMP_AID', WANG.head, { cause: 'ACCIDENT' }), civil('TEMP_AID', WANG.spouse, { cause: 'ACCIDENT' })]) }, 'meetingRecord');
    expect(recorded.meeting.decisionChecks.flatMap((c: { findings: { ruleId: string }[] }) => c.findings.map((f) => f.ruleId))).not.toContain('DUPLICATE_DECISION');
    await declineAll(recorded.meeting.decisions);
  });

  it('refuses a decision duplicating a slip still waiting in another open case of the household, naming that case', async () => {
    const first = await caseInDeliberation('另一案件先决定');
    const decided = await ok(ca, MEETING, { input: meetingInput(first, [civil('TEMP_AID', WANG.grandmother, { cause: 'DISASTER' })]) }, 'meetingRecord');
    const slip = decided.meeting.decisions[0].id;
    const second = await caseInDeliberation('本户第二个案件');
    const res = await ca(MEETING, { input: meetingInput(second, [civil('TEMP_AID', WANG.grandmother, { cause: 'DISASTER' })]) });
    expect(res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] })]);
    expect(res.data.meetingRecord.userErrors[0].message).toMatch(new RegExp(`案件 AH-2026-0*${first} 的转办单 ${slip}`));
    expect(await meetingsOf(second)).toBe(0);
    // Once the department has answered it (declined here), it is waiting no longer.
    await declineAll(decided.meeting.decisions);
    const recorded = await ok(ca, MEETING, { input: meetingInput(second, [civil('TEMP_AID', WANG.grandmother, { cause: 'DISASTER' })]) }, 'meetingRecord');
    await declineAll(recorded.meeting.decisions);
  });

  it('refuses a decision duplicating a slip still waiting from an earlier meeting of the same case, and a reassignment onto one', async () => {
    const caseId = await caseInDeliberation('本案再议');
    const met = await ok(ca, MEETING, { input: meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'JOB_LOSS' }), civil('TEMP_AID', WANG.head, { cause: 'JOB_LOSS' })]) }, 'meetingRecord');
    const [waiting, declined] = met.meeting.decisions.map((d: { id: string }) => d.id);
    await ok(ca, DECLINE, { input: { referralId: declined, reason: '户主已就业' } }, 'referralDecline');
    // Reassigned onto the spouse's temporary aid still waiting: refused, naming it.
    const reassign = { referralId: declined, reason: '改由配偶领取', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.spouse, cause: 'JOB_LOSS' };
    const refused = await ca(REASSIGN, { input: reassign });
    expect(refused.data.referralReassign.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] })]);
    expect(refused.data.referralReassign.userErrors[0].message).toContain(`本案转办单 ${waiting}`);
    await ok(ca, MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '退回重新议定' } }, 'caseTransition');
    const res = await ca(MEETING, { input: meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'JOB_LOSS' })]) });
    expect(res.data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT' })]);
    expect(res.data.meetingRecord.userErrors[0].message).toContain(`本案转办单 ${waiting}`);
    expect(await meetingsOf(caseId)).toBe(1);
    await declineAll([{ id: waiting }]);
  });
});

describe('a meeting sent again after a lost answer', () => {
  it('answers the retry under the same key with the first meeting, replayed, and writes nothing again', async () => {
    const caseId = await caseInDeliberation('带键重试');
    const input = meetingInput(caseId, [civil('TEMP_AID', WANG.head, { cause: 'OTHER' })], { idempotencyKey: 'meeting-retry-1' });
    const first = await ok(ca, MEETING, { input }, 'meetingRecord');
    expect(first.replayed).toBe(false);
    // The retry's decision now duplicates the slip its first sending issued: answered, not refused.
    const again = await ok(ca, MEETING, { input }, 'meetingRecord');
    expect(again).toMatchObject({ replayed: true, meeting: { id: first.meeting.id, decisions: first.meeting.decisions }, case: { state: 'DECIDED' } });
    expect(await meetingsOf(caseId)).toBe(1);
    expect((await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).length).toBe(1);
    const other = await ca(MEETING, { input: { ...input, notes: '另一次会议' } });
    expect(other.data.meetingRecord.userErrors.map((e: { code: string }) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    await declineAll(first.meeting.decisions);
  });

  it('answers the same meeting sent again without a key as a retry, until something else is recorded on the case', async () => {
    const caseId = await caseInDeliberation('无键重试');
    // A sitting without decisions, with its notes, sent twice: recorded once.
    const sitting = meetingInput(caseId, [], { notes: '听取调查情况，下次会议决定' });
    const sat = await ok(ca, MEETING, { input: sitting }, 'meetingRecord');
    expect(await ok(ca, MEETING, { input: sitting }, 'meetingRecord')).toMatchObject({ replayed: true, meeting: { id: sat.meeting.id }, case: { state: 'IN_DELIBERATION' } });
    expect(await meetingsOf(caseId)).toBe(1);
    // One with neither decisions nor notes is another sitting of the day (cases-mid-case): only a key tells.
    expect(await ok(ca, MEETING, { input: meetingInput(caseId, []) }, 'meetingRecord')).toMatchObject({ replayed: false });
    expect(await ok(ca, MEETING, { input: meetingInput(caseId, []) }, 'meetingRecord')).toMatchObject({ replayed: false });
    expect(await meetingsOf(caseId)).toBe(3);
    const input = meetingInput(caseId, [civil('TEMP_AID', WANG.grandmother, { cause: 'OTHER', conflictOverrideReason: '  ' })], { notes: '会议纪要' });
    const first = await ok(ca, MEETING, { input }, 'meetingRecord');
    const again = await ok(ca, MEETING, { input }, 'meetingRecord');
    expect(again).toMatchObject({ replayed: true, meeting: { id: first.meeting.id } });
    expect(await meetingsOf(caseId)).toBe(4);
    // Another meeting is not a retry of this one: refused as the case is decided.
    const changed = await ca(MEETING, { input: { ...input, notes: '另一份纪要' } });
    expect(changed.data.meetingRecord).toMatchObject({ replayed: false, userErrors: [expect.objectContaining({ code: 'CASE_NOT_IN_DELIBERATION' })] });
    // Once the slip is answered the case has moved on: the same request is a new one.
    await declineAll(first.meeting.decisions);
    const late = await ca(MEETING, { input });
    expect(late.data.meetingRecord).toMatchObject({ replayed: false, userErrors: [expect.objectContaining({ code: 'CASE_NOT_IN_DELIBERATION' })] });
    expect(await meetingsOf(caseId)).toBe(4);
  });
  it('answers a reassignment retried under its key with the slip it issued, though that slip now waits for the same aid', async () => {
    const caseId = await caseInDeliberation('改派重试');
    const met = await ok(ca, MEETING, { input: meetingInput(caseId, [civil('TEMP_AID', WANG.child, { cause: 'EDUCATION' })]) }, 'meetingRecord');
    const declined = met.meeting.decisions[0].id;
    await ok(ca, DECLINE, { input: { referralId: declined, reason: '金额需调整' } }, 'referralDecline');
    const input = { referralId: declined, reason: '改由工会帮扶', department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 90_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.child, idempotencyKey: 'reassign-retry-1' };
    const first = await ok(ca, REASSIGN_REPLAYED, { input }, 'referralReassign');
    expect(first.replayed).toBe(false);
    const again = await ok(ca, REASSIGN_REPLAYED, { input }, 'referralReassign');
    expect(again).toMatchObject({ replayed: true, referral: { id: first.referral.id } });
    // Without the key the same reassignment is its retry too (a declined decision is reassigned once).
    const { idempotencyKey: _key, ...unkeyed } = input;
    expect(await ok(ca, REASSIGN_REPLAYED, { input: unkeyed }, 'referralReassign')).toMatchObject({ replayed: true, referral: { id: first.referral.id } });
    // Another reassignment of it is not: refused as a decline already resolved.
    const res = await ca(REASSIGN, { input: { ...unkeyed, amountFen: 95_000 } });
    expect(res.data.referralReassign.userErrors.map((e: { code: string }) => e.code)).toEqual(['DECISION_NOT_DECLINED']);
  });

  it('answers a reassignment retried without a key with the slip it issued, replayed, and refuses any other reassignment of the decision', async () => {
    const caseId = await caseInDeliberation('改派无键重试');
    const met = await ok(ca, MEETING, { input: meetingInput(caseId, [{ department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 80_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.spouse }], { departmentsPresent: ['CIVIL_AFFAIRS', 'UNION'] }) }, 'meetingRecord');
    const declined = met.meeting.decisions[0].id;
    await ok(union, DECLINE, { input: { referralId: declined, reason: '不符合工会帮扶条件' } }, 'referralDecline');
    const input = { referralId: declined, reason: '改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 80_000, deadlineWorkingDays: 5, cause: 'JOB_LOSS' };
    const first = await ok(ca, REASSIGN_REPLAYED, { input }, 'referralReassign');
    expect(first.replayed).toBe(false);
    // The answer was lost; the same request again (its slip now waits for the same aid: no DECISION_CONFLICT).
    const again = await ok(ca, REASSIGN_REPLAYED, { input: { ...input, reason: ` ${input.reason} ` } }, 'referralReassign');
    expect(again).toMatchObject({ replayed: true, referral: { id: first.referral.id } });
    const slips = await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)));
    expect(slips).toHaveLength(2);
    // A different reassignment (another reason, amount, department or beneficiary) is refused.
    for (const other of [{ reason: '另一理由' }, { amountFen: 70_000 }, { department: 'HEALTH', programme: 'MEDICAL_AID', cause: null }, { beneficiaryIdNumber: WANG.head }, { conflictOverrideReason: '已核实' }]) {
      const res = await ca(REASSIGN, { input: { ...input, ...other } });
      expect([other, res.data.referralReassign.userErrors.map((e: { code: string }) => e.code)]).toEqual([other, ['DECISION_NOT_DECLINED']]);
    }
    expect(await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).toHaveLength(2);
    await declineAll([first.referral]);
  });
});

describe('supervision lists declined decisions still open', () => {
  const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf) {
    byOffice { office { key } county { code } declinesOpen { referral { id declineReason } declinedAt } }
    byCounty { county { code } declinesOpen { referral { id } } }
    byTownship { township { code } declinesOpen { referral { id } } } } }`;
  type Group = { declinesOpen: { referral: { id: string } }[] };
  const ids = (g: Group | undefined) => (g?.declinesOpen ?? []).map((d) => d.referral.id);

  it('lists a declined decision under the convening office, its township and county, until it is waived; an asOf before the waiver still shows it', async () => {
    const caseId = await caseInDeliberation('退回未处理');
    const met = await ok(ca, MEETING, { input: meetingInput(caseId, [civil('TEMP_AID', WANG.head, { cause: 'EDUCATION' })]) }, 'meetingRecord');
    const slip = met.meeting.decisions[0].id;
    const before = await ca(REPORT, {});
    expect(before.errors).toBeUndefined();
    expect(before.data.overdueReport.byOffice.flatMap(ids)).not.toContain(slip);
    await ok(ca, DECLINE, { input: { referralId: slip, reason: '子女已获教育资助' } }, 'referralDecline');
    clock.set(new Date(clock.at.getTime() + 60 * 60_000));
    const declined = await ca(REPORT, {});
    expect(declined.errors).toBeUndefined();
    const office = declined.data.overdueReport.byOffice.find((g: { office: { key: string }; county: { code: string } }) => g.office.key === 'CIVIL_AFFAIRS' && g.county.code === '370811');
    expect(office.declinesOpen.filter((d: { referral: { id: string } }) => d.referral.id === slip)).toEqual([{ referral: { id: slip, declineReason: '子女已获教育资助' }, declinedAt: expect.any(String) }]);
    expect(ids(declined.data.overdueReport.byCounty.find((g: { county: { code: string } }) => g.county.code === '370811'))).toContain(slip);
    expect(ids(declined.data.overdueReport.byTownship.find((g: { township: { code: string } }) => g.township.code === WANG.regionCode.slice(0, 9)))).toContain(slip);
    const waivedAt = clock.at.toISOString();
    clock.set(new Date(clock.at.getTime() + 60 * 60_000));
    await ok(ca, WAIVE, { input: { referralId: slip, reason: '由教育部门资助，不再重复救助' } }, 'referralWaive');
    const after = await ca(REPORT, {});
    expect(after.data.overdueReport.byOffice.flatMap(ids)).not.toContain(slip);
    const then = await ca(REPORT, { asOf: waivedAt });
    expect(then.data.overdueReport.byOffice.flatMap(ids)).toContain(slip);
  });
});

describe('two cases of one household deciding at the same moment', () => {
  /** What a case has on record: its state, meetings, slips and events (a write refused whole leaves all four as they were). */
  async function onRecord(caseId: string) {
    const id = Number(caseId);
    const [[c], meetings, slips, events] = await Promise.all([
      dbs.hub.select({ state: aidCase.state }).from(aidCase).where(eq(aidCase.id, id)),
      dbs.hub.select().from(caseMeeting).where(eq(caseMeeting.caseId, id)),
      dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, id)),
      dbs.hub.select().from(caseEvent).where(eq(caseEvent.caseId, id)),
    ]);
    return { state: c.state, meetings: meetings.length, slips: slips.length, events: events.length };
  }

  /** The household's slips still waiting for the grandmother's temporary aid (disaster). */
  async function grandmothersWaitingAid(): Promise<number> {
    const rows = await dbs.hub
      .select({ id: referralSlip.id })
      .from(referralSlip)
      .innerJoin(aidCase, eq(aidCase.id, referralSlip.caseId))
      .where(and(eq(aidCase.householdId, wangId), eq(referralSlip.programmeCode, 'TEMP_AID'), eq(referralSlip.beneficiaryIdNumber, WANG.grandmother), inArray(referralSlip.state, ['ISSUED', 'ACCEPTED'])));
    return rows.length;
  }

  const disaster = civil('TEMP_AID', WANG.grandmother, { cause: 'DISASTER' });

  it('records one of two meetings deciding the same aid for the same person, refuses the other as a duplicate, and writes nothing of it', async () => {
    const cases = [await caseInDeliberation('同时议定甲'), await caseInDeliberation('同时议定乙')];
    const before = await Promise.all(cases.map(onRecord));
    const replies = await sentTogether(cases, () => cases.map((caseId) => ca(MEETING, { input: meetingInput(caseId, [disaster]) })));
    for (const r of replies) expect(r.errors).toBeUndefined();
    const won = replies.findIndex((r) => r.data.meetingRecord.userErrors.length === 0);
    expect(won).toBeGreaterThanOrEqual(0);
    const lost = 1 - won;
    expect(replies[lost].data.meetingRecord).toMatchObject({ meeting: null, userErrors: [expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] })] });
    expect(replies[lost].data.meetingRecord.userErrors).toHaveLength(1);
    expect(replies[lost].data.meetingRecord.userErrors[0].message).toContain('DUPLICATE_DECISION');
    expect(replies[lost].data.meetingRecord.userErrors[0].message).toContain(`的转办单 ${replies[won].data.meetingRecord.meeting.decisions[0].id}`);
    expect(await onRecord(cases[lost])).toEqual(before[lost]);
    expect(await onRecord(cases[won])).toMatchObject({ state: 'DECIDED', meetings: 1, slips: 1 });
    expect(await grandmothersWaitingAid()).toBe(1);
    await declineAll(replies[won].data.meetingRecord.meeting.decisions);
  });

  it('records one of a reassignment and a meeting of two cases deciding the same aid for the same person, and refuses the other whole', async () => {
    const reassigned = await caseInDeliberation('同时改派');
    const met = await ok(ca, MEETING, { input: meetingInput(reassigned, [{ department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 60_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother }], { departmentsPresent: ['CIVIL_AFFAIRS', 'UNION'] }) }, 'meetingRecord');
    const declined = met.meeting.decisions[0].id;
    await ok(union, DECLINE, { input: { referralId: declined, reason: '改由民政救助' } }, 'referralDecline');
    const deciding = await caseInDeliberation('同时议定');
    const before = { reassigned: await onRecord(reassigned), deciding: await onRecord(deciding) };
    const reassign = { referralId: declined, reason: '受灾，改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, cause: 'DISASTER' };
    const [r, m] = await sentTogether([reassigned, deciding], () => [ca(REASSIGN, { input: reassign }), ca(MEETING, { input: meetingInput(deciding, [disaster]) })]);
    expect(r.errors).toBeUndefined();
    expect(m.errors).toBeUndefined();
    const errors = [...r.data.referralReassign.userErrors, ...m.data.meetingRecord.userErrors];
    expect(errors).toEqual([expect.objectContaining({ code: 'DECISION_CONFLICT' })]);
    expect(errors[0].message).toContain('DUPLICATE_DECISION');
    if (r.data.referralReassign.userErrors.length === 0) {
      expect(await onRecord(deciding)).toEqual(before.deciding);
      expect(await onRecord(reassigned)).toMatchObject({ slips: before.reassigned.slips + 1 });
      await declineAll([r.data.referralReassign.referral]);
    } else {
      // The reassignment refused whole: the decline still open, no slip issued.
      expect(await onRecord(reassigned)).toEqual(before.reassigned);
      expect(await dbs.hub.select().from(declinedDecision).where(eq(declinedDecision.referralId, Number(declined)))).toEqual([]);
      expect(await onRecord(deciding)).toMatchObject({ state: 'DECIDED', meetings: 1, slips: 1 });
      await declineAll(m.data.meetingRecord.meeting.decisions);
    }
    expect(await grandmothersWaitingAid()).toBe(0);
  });

  it('records the same meeting sent twice at once without a key once, and answers the other with it, replayed', async () => {
    const caseId = await caseInDeliberation('同一会议同时重发');
    const input = meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'ILLNESS' })], { notes: '同时重发的会议' });
    const replies = await sentTogether([caseId], () => [ca(MEETING, { input }), ca(MEETING, { input })]);
    for (const r of replies) expect(r.errors).toBeUndefined();
    const answers = replies.map((r) => r.data.meetingRecord);
    expect(answers.map((a) => a.userErrors)).toEqual([[], []]);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
    expect(answers[0].meeting).toEqual(answers[1].meeting);
    expect(answers.map((a) => a.case.state)).toEqual(['DECIDED', 'DECIDED']);
    expect(await onRecord(caseId)).toMatchObject({ state: 'DECIDED', meetings: 1, slips: 1 });
    await declineAll(answers[0].meeting.decisions);
  });

  it('records the same meeting sent twice at once under one key once, and answers the other with it, replayed', async () => {
    const caseId = await caseInDeliberation('同一会议带键同时重发');
    const input = meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'ILLNESS' })], { idempotencyKey: 'meeting-at-once-1' });
    const replies = await sentTogether([caseId], () => [ca(MEETING, { input }), ca(MEETING, { input })]);
    const answers = replies.map((r) => r.data.meetingRecord);
    expect(answers.map((a) => a.userErrors)).toEqual([[], []]);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
    expect(answers[0].meeting).toEqual(answers[1].meeting);
    expect(await onRecord(caseId)).toMatchObject({ state: 'DECIDED', meetings: 1, slips: 1 });
    await declineAll(answers[0].meeting.decisions);
  });

  it('records a sitting without decisions sent twice at once without a key once; the case stays in deliberation', async () => {
    const caseId = await caseInDeliberation('同一次听取同时重发');
    const input = meetingInput(caseId, [], { notes: '听取调查情况' });
    const replies = await sentTogether([caseId], () => [ca(MEETING, { input }), ca(MEETING, { input })]);
    const answers = replies.map((r) => r.data.meetingRecord);
    expect(answers.map((a) => a.userErrors)).toEqual([[], []]);
    expect(answers.map((a) => a.replayed).sort()).toEqual([false, true]);
    expect(answers[0].meeting.id).toBe(answers[1].meeting.id);
    expect(await onRecord(caseId)).toMatchObject({ state: 'IN_DELIBERATION', meetings: 1 });
  });

  it('refuses a different meeting of the case sent at the same moment as the case is decided, writing nothing of it', async () => {
    const caseId = await caseInDeliberation('两次不同会议同时');
    const input = meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'ILLNESS' })], { notes: '第一份纪要' });
    const replies = await sentTogether([caseId], () => [ca(MEETING, { input }), ca(MEETING, { input: { ...input, notes: '另一份纪要' } })]);
    const answers = replies.map((r) => r.data.meetingRecord);
    const won = answers.findIndex((a) => a.userErrors.length === 0);
    expect(won).toBeGreaterThanOrEqual(0);
    expect(answers[won].replayed).toBe(false);
    expect(answers[1 - won]).toMatchObject({ meeting: null, replayed: false, userErrors: [expect.objectContaining({ code: 'CASE_NOT_IN_DELIBERATION' })] });
    expect(await onRecord(caseId)).toMatchObject({ state: 'DECIDED', meetings: 1, slips: 1 });
    await declineAll(answers[won].meeting.decisions);
  });

  it('refuses a meeting checked before another decision of the household was issued, HOUSEHOLD_DECISIONS_CHANGED, writing nothing', async () => {
    const caseId = await caseInDeliberation('检查后有新决定');
    const [lock] = await dbs.hub.select().from(householdDecisionLock).where(eq(householdDecisionLock.householdId, wangId));
    expect(lock.decisionsIssued).toBeGreaterThan(0);
    const before = await onRecord(caseId);
    const meeting = { heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS' as const], notes: null, decisions: [{ department: 'CIVIL_AFFAIRS' as const, programmeCode: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 5, ask: null, beneficiaryIdNumber: WANG.spouse, secondAid: null, cause: 'ILLNESS' as const, settlementRef: null, schoolYear: null }] };
    const meta = { actor: { officer: 'x', office: 'CIVIL_AFFAIRS' as const }, occurredAt: null, idempotencyKey: null, now: clock.now() };
    const stale = await recordMeeting(dbs.hub, Number(caseId), meeting, JSON.parse('{}'), meta, [], lock.decisionsIssued - 1);
    expect(stale.ok ? 'OK' : stale.errors.map((e) => e.code)).toEqual(['HOUSEHOLD_DECISIONS_CHANGED']);
    expect(await onRecord(caseId)).toEqual(before);
    const [after] = await dbs.hub.select().from(householdDecisionLock).where(eq(householdDecisionLock.householdId, wangId));
    expect(after.decisionsIssued).toBe(lock.decisionsIssued);
    // Checked with the count as it stands, it is recorded, and counted.
    const recorded = await recordMeeting(dbs.hub, Number(caseId), meeting, JSON.parse('{}'), meta, [], lock.decisionsIssued);
    expect(recorded.ok).toBe(true);
    const [counted] = await dbs.hub.select().from(householdDecisionLock).where(eq(householdDecisionLock.householdId, wangId));
    expect(counted.decisionsIssued).toBe(lock.decisionsIssued + 1);
    await declineAll((await dbs.hub.select({ id: referralSlip.id }).from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).map((s) => ({ id: String(s.id) })));
  });
});

describe('the same request sent again while its first sending is being written', () => {
  /** Sessions of civil affairs' front-end database waiting for a table another session holds locked (LOCK TABLES). */
  async function tableLockWaits(): Promise<number> {
    const [rows] = await dbs.hubPool.query(
      `select count(*) as n from information_schema.processlist where db = ? and state like 'Waiting for table%lock%'`,
      [new URL(dbs.sourceUrls.CIVIL_AFFAIRS).pathname.slice(1)],
    );
    return Number((rows as { n: number }[])[0].n);
  }

  /** Locks every table of civil affairs' front-end database (as its adapter declares them) on `conn`, so no one reads them until UNLOCK TABLES. */
  function lockCivilAffairsTables(conn: mysql.Connection) {
    return conn.query(`LOCK TABLES ${ADAPTERS.CIVIL_AFFAIRS.tables.map((t) => `\`${getTableName(t)}\` WRITE`).join(', ')}`);
  }

  /**
   * The second sending looks for its first on record before the first is written, and makes its
   * checks after: `first` is sent while the case's row is held from another connection, so it makes
   * its checks and waits for the case; then, with civil affairs' tables locked (which the checks
   * read: the dossier and the pre-grant check; the write does not), `second` is sent, finds nothing
   * on record, and waits at its checks; the case is released, the first written and answered, and
   * only then the tables, so the second's checks see the slip the first issued.
   */
  async function checkedAfterTheFirstWrote(caseId: string, first: () => Promise<GraphQLResponse>, second: () => Promise<GraphQLResponse>): Promise<[GraphQLResponse, GraphQLResponse]> {
    const tables = await mysql.createConnection(dbs.sourceUrls.CIVIL_AFFAIRS);
    try {
      const answered = { first: false, second: false };
      let sent: [Promise<GraphQLResponse>, Promise<GraphQLResponse>] | undefined;
      await whileCasesHeld([caseId], async () => {
        const firstSent = first();
        firstSent.then(() => (answered.first = true), () => (answered.first = true));
        await until('the first sending waiting for its case', async () => ({ waiting: await lockWaits(dbs.hub), ...answered }), (v) => v.waiting >= 1 || v.first);
        await lockCivilAffairsTables(tables);
        const secondSent = second();
        secondSent.then(() => (answered.second = true), () => (answered.second = true));
        await until('the second sending waiting at its checks', async () => ({ waiting: await tableLockWaits(), ...answered }), (v) => v.waiting >= 1 || v.first || v.second);
        expect(answered).toEqual({ first: false, second: false });
        sent = [firstSent, secondSent];
      });
      // The case released: the first is written and answered while the second waits for the table.
      const firstReply = await sent![0];
      expect(answered.second).toBe(false);
      await tables.query('UNLOCK TABLES');
      return [firstReply, await sent![1]];
    } finally {
      await tables.end();
    }
  }

  const slipsOf = async (caseId: string) => (await dbs.hub.select().from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).length;

  for (const keyed of [false, true]) {
    it(`answers the same meeting ${keyed ? 'under one key' : 'without a key'} checked after its first sending was written with that meeting, replayed, not as its own duplicate`, async () => {
      const caseId = await caseInDeliberation(`检查时首次已写入${keyed ? '带键' : ''}`);
      const input = meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'ILLNESS' })], { notes: '重发的会议', ...(keyed ? { idempotencyKey: 'meeting-checked-after-1' } : {}) });
      const replies = await checkedAfterTheFirstWrote(caseId, () => ca(MEETING, { input }), () => ca(MEETING, { input }));
      for (const r of replies) expect(r.errors).toBeUndefined();
      const [first, second] = replies.map((r) => r.data.meetingRecord);
      expect(first).toMatchObject({ replayed: false, userErrors: [], case: { state: 'DECIDED' } });
      expect(second).toMatchObject({ replayed: true, userErrors: [], meeting: first.meeting, case: { state: 'DECIDED' } });
      expect(await meetingsOf(caseId)).toBe(1);
      expect(await slipsOf(caseId)).toBe(1);
      await declineAll(first.meeting.decisions);
    });
  }

  it('refuses a different meeting checked after the first was written as a duplicate of the slip the first issued, writing nothing', async () => {
    const caseId = await caseInDeliberation('检查时另一会议已写入');
    const input = meetingInput(caseId, [civil('TEMP_AID', WANG.spouse, { cause: 'ILLNESS' })], { notes: '第一份纪要' });
    const [won, lost] = await checkedAfterTheFirstWrote(caseId, () => ca(MEETING, { input }), () => ca(MEETING, { input: { ...input, notes: '另一份纪要' } }));
    const slip = won.data.meetingRecord.meeting.decisions[0].id;
    expect(lost.data.meetingRecord).toMatchObject({ meeting: null, replayed: false, userErrors: [expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'] })] });
    expect(lost.data.meetingRecord.userErrors).toHaveLength(1);
    expect(lost.data.meetingRecord.userErrors[0].message).toContain(`本案转办单 ${slip}`);
    expect(await meetingsOf(caseId)).toBe(1);
    expect(await slipsOf(caseId)).toBe(1);
    await declineAll(won.data.meetingRecord.meeting.decisions);
  });

  /** A case whose union decision for the grandmother was declined: its id and the declined slip's. */
  async function declinedUnionDecision(summary: string): Promise<{ caseId: string; declined: string }> {
    const caseId = await caseInDeliberation(summary);
    const met = await ok(ca, MEETING, { input: meetingInput(caseId, [{ department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 60_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.grandmother }], { departmentsPresent: ['CIVIL_AFFAIRS', 'UNION'] }) }, 'meetingRecord');
    const declined = met.meeting.decisions[0].id;
    await ok(union, DECLINE, { input: { referralId: declined, reason: '改由民政救助' } }, 'referralDecline');
    return { caseId, declined };
  }

  for (const keyed of [false, true]) {
    it(`answers the same reassignment ${keyed ? 'under one key' : 'without a key'} checked after its first sending was written with the slip it issued, replayed`, async () => {
      const { caseId, declined } = await declinedUnionDecision(`改派检查时首次已写入${keyed ? '带键' : ''}`);
      const input = { referralId: declined, reason: '受灾，改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, cause: 'DISASTER', ...(keyed ? { idempotencyKey: 'reassign-checked-after-1' } : {}) };
      const replies = await checkedAfterTheFirstWrote(caseId, () => ca(REASSIGN_REPLAYED, { input }), () => ca(REASSIGN_REPLAYED, { input }));
      for (const r of replies) expect(r.errors).toBeUndefined();
      const [first, second] = replies.map((r) => r.data.referralReassign);
      expect(first).toMatchObject({ replayed: false, userErrors: [] });
      expect(second).toMatchObject({ replayed: true, userErrors: [], referral: { id: first.referral.id } });
      expect(await slipsOf(caseId)).toBe(2);
      await declineAll([first.referral]);
    });
  }

  it('refuses a different reassignment checked after the first was written as a duplicate of the slip the first issued, writing nothing', async () => {
    const { caseId, declined } = await declinedUnionDecision('改派检查时另一改派已写入');
    const input = { referralId: declined, reason: '受灾，改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 150_000, deadlineWorkingDays: 5, cause: 'DISASTER' };
    const [won, lost] = await checkedAfterTheFirstWrote(caseId, () => ca(REASSIGN_REPLAYED, { input }), () => ca(REASSIGN_REPLAYED, { input: { ...input, amountFen: 120_000 } }));
    const slip = won.data.referralReassign.referral.id;
    expect(lost.data.referralReassign).toMatchObject({ referral: null, replayed: false, userErrors: [expect.objectContaining({ code: 'DECISION_CONFLICT', field: ['input', 'conflictOverrideReason'] })] });
    expect(lost.data.referralReassign.userErrors[0].message).toContain(`本案转办单 ${slip}`);
    expect(await slipsOf(caseId)).toBe(2);
    await declineAll([won.data.referralReassign.referral]);
  });

  it('answers a transition sent twice at once under one key with the case it moved, not ILLEGAL_TRANSITION', async () => {
    const caseId = await caseInDeliberation('同一转移带键同时重发');
    const input = { caseId, to: 'REJECTED', reason: '经核查家庭收入高于标准', idempotencyKey: 'move-at-once-1' };
    const replies = await sentTogether([caseId], () => [ca(MOVE, { input }), ca(MOVE, { input })]);
    expect(replies.map((r) => r.data.caseTransition)).toEqual([
      { case: { state: 'REJECTED' }, userErrors: [] },
      { case: { state: 'REJECTED' }, userErrors: [] },
    ]);
    const moves = await dbs.hub.select().from(caseEvent).where(and(eq(caseEvent.caseId, Number(caseId)), eq(caseEvent.toState, 'REJECTED')));
    expect(moves).toHaveLength(1);
  });

  const DECLINE_REPLAYED = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id state } replayed userErrors { code } } }`;
  const WAIVE_REPLAYED = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { referral { id } replayed userErrors { code } } }`;

  it('answers a decline sent twice at once under one key with the first, replayed, not REFERRAL_ILLEGAL_TRANSITION', async () => {
    const caseId = await caseInDeliberation('退回带键同时重发');
    const met = await ok(ca, MEETING, { input: meetingInput(caseId, [{ department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head }], { departmentsPresent: ['CIVIL_AFFAIRS', 'UNION'] }) }, 'meetingRecord');
    const referralId = met.meeting.decisions[0].id;
    const input = { referralId, reason: '不符合工会帮扶条件', idempotencyKey: 'decline-at-once-1' };
    const declines = (await sentTogether([caseId], () => [union(DECLINE_REPLAYED, { input }), union(DECLINE_REPLAYED, { input })])).map((r) => r.data.referralDecline);
    expect(declines.map((d) => d.userErrors)).toEqual([[], []]);
    expect(declines.map((d) => d.replayed).sort()).toEqual([false, true]);
    expect(declines.map((d) => d.referral)).toEqual([{ id: referralId, state: 'DECLINED' }, { id: referralId, state: 'DECLINED' }]);
    const events = await dbs.hub.select().from(caseEvent).where(and(eq(caseEvent.caseId, Number(caseId)), eq(caseEvent.action, 'REFERRAL_DECLINED')));
    expect(events).toHaveLength(1);
  });

  it('answers a waiver sent twice at once under one key with the first, replayed, not DECISION_NOT_DECLINED', async () => {
    const { caseId, declined } = await declinedUnionDecision('免除带键同时重发');
    const input = { referralId: declined, reason: '已由民政救助，不再改派', idempotencyKey: 'waive-at-once-1' };
    const waivers = (await sentTogether([caseId], () => [ca(WAIVE_REPLAYED, { input }), ca(WAIVE_REPLAYED, { input })])).map((r) => r.data.referralWaive);
    expect(waivers.map((w) => w.userErrors)).toEqual([[], []]);
    expect(waivers.map((w) => w.replayed).sort()).toEqual([false, true]);
    expect(waivers.map((w) => w.referral)).toEqual([{ id: declined }, { id: declined }]);
    const events = await dbs.hub.select().from(caseEvent).where(and(eq(caseEvent.caseId, Number(caseId)), eq(caseEvent.action, 'DECISION_WAIVED')));
    expect(events).toHaveLength(1);
  });
});
