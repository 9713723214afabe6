/**
 * A deadline asked as of a time before its clock started, on a real hub whose clock the test moves.
 * A slip's working days count from the day its meeting was held, for a decision recorded with its
 * meeting, however late (domain/cases/supervision.ts dueCountedFrom; `Referral.countedFrom`), else
 * from the day it was issued; a case's limits from its (stated) report. Before then
 * `Referral.deadlineStatus`, `overdue` and `timeLeft`, and `Case.deadlines` and `anyDeadlineMissed`,
 * answered PENDING with more time left than the limit gives; they now answer NOT_STARTED (overdue and
 * timeLeft null, anyDeadlineMissed false), and overdueReport lists nothing of it. A refusal was tried
 * and replaced: the fields are non-null inside lists, so one slip issued later nulled the whole case
 * (and a list of cases) a supervisor looked back on. From the clock's start on each agrees with
 * overdueReport at the same asOf. The cut-off is not the day the slip was issued: a meeting held 03-12
 * and recorded 03-15 issues its 1-working-day slip on 03-15 due 03-13, and overdueReport(asOf 03-14)
 * rightly lists it as overdue.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

type Gql = TestHub['gql'];

const cn = (local: string) => `${local}+08:00`;
const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id dueOn issuedAt } } userErrors { code field } } }`;
const OVERDUE = `hours calendarDays workingDays provisional`;
const SLIP_AT = `query($id: ID!, $asOf: DateTime) { referral(id: $id) { deadlineStatus(asOf: $asOf) overdue(asOf: $asOf) { ${OVERDUE} } timeLeft(asOf: $asOf) { hours workingDays } } }`;
const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf) {
  byOffice { office { key } referrals { referral { id } overdue { ${OVERDUE} } } cases { case { id } deadline { kind status overdue { ${OVERDUE} } } } } } }`;
const CASE_AT = `query($id: ID!, $asOf: DateTime) { case(id: $id) { deadlines(asOf: $asOf) { kind status timeLeft { hours } overdue { ${OVERDUE} } } anyDeadlineMissed(asOf: $asOf) } }`;

let dbs: TestDatabases;
let hub: TestHub;
let ca: Gql;
let wangId: string;
const clock = new TestClock(cn('2026-03-09T09:00:00'));

async function ok(query: string, variables: Record<string, unknown>, field: string) {
  const res = await ca(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

/** A case of the Wang household brought to deliberation, opened at the clock’s time. */
async function caseInDeliberation(summary: string): Promise<string> {
  const id = (await ok(OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(MOVE, { input: { caseId: id, to, reason: to } }, 'caseTransition');
  return id;
}

/**
 * A meeting's one decision, the case opened (and brought to deliberation) at `openedAt`, the meeting
 * held on `heldOn` and recorded at `recordedAt`: the slip's id, due date and time issued.
 */
async function lateMeetingSlip(openedAt: string, heldOn: string, recordedAt: string, decision: Record<string, unknown>): Promise<{ id: string; dueOn: string; issuedAt: string }> {
  clock.set(openedAt);
  const caseId = await caseInDeliberation(`会议补录 ${heldOn}`);
  clock.set(recordedAt);
  const met = await ok(MEETING, { input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS', decision.department], decisions: [decision] } }, 'meetingRecord');
  expect(met.meeting.decisions).toHaveLength(1);
  return met.meeting.decisions[0];
}

/** The slips overdueReport(asOf) lists, with how late: `id` → overdue. */
async function reportedSlips(asOf: string): Promise<Map<string, unknown>> {
  const res = await ca(REPORT, { asOf });
  expect(res.errors).toBeUndefined();
  return new Map(res.data.overdueReport.byOffice.flatMap((g: any) => g.referrals.map((r: any) => [r.referral.id, r.overdue])));
}

/** The slip's three asOf fields at `asOf`, and the day its clock starts; no error. */
async function slipAt(id: string, asOf: string): Promise<unknown> {
  const res = await ca(`query($id: ID!, $asOf: DateTime) { referral(id: $id) { deadlineStatus(asOf: $asOf) overdue(asOf: $asOf) { workingDays } timeLeft(asOf: $asOf) { workingDays } countedFrom } }`, { id, asOf });
  expect(res.errors).toBeUndefined();
  return res.data.referral;
}

const notStartedUntil = (countedFrom: string) => ({ deadlineStatus: 'NOT_STARTED', overdue: null, timeLeft: null, countedFrom });

beforeAll(async () => {
  dbs = await createTestDatabases('cases_as_of_clock');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ca = hub.gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a meeting held 03-12 and recorded 03-15: its slip counts from 03-12, not from the day issued', () => {
  let slip: string;

  beforeAll(async () => {
    const decision = { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 300_000, deadlineWorkingDays: 1, beneficiaryIdNumber: WANG.grandmother };
    const issued = await lateMeetingSlip(cn('2026-03-09T09:00:00'), '2026-03-12', cn('2026-03-15T10:00:00'), decision);
    // One working day from Thursday 03-12: Friday 03-13, two days before the hub issued it.
    expect(issued).toEqual({ id: expect.any(String), dueOn: '2026-03-13', issuedAt: '2026-03-15T10:00:00.000+08:00' });
    slip = issued.id;
  });

  it('overdueReport(asOf 03-14) lists it overdue and the slip’s own fields at 03-14 agree; only before 03-12, the meeting’s day, has its clock not started', async () => {
    const asOf = cn('2026-03-14T10:00:00');
    const listed = (await reportedSlips(asOf)).get(slip);
    expect(listed).toEqual({ hours: 10, calendarDays: 1, workingDays: 0, provisional: false });
    const own = await ca(SLIP_AT, { id: slip, asOf });
    expect(own.errors).toBeUndefined();
    expect(own.data.referral).toEqual({ deadlineStatus: 'OVERDUE', overdue: listed, timeLeft: null });
    // From the meeting's day on it answers, pending (due the next day), and supervision lists nothing.
    const first = await ca(SLIP_AT, { id: slip, asOf: cn('2026-03-12T00:00:00') });
    expect(first.errors).toBeUndefined();
    expect(first.data.referral).toEqual({ deadlineStatus: 'PENDING', overdue: null, timeLeft: { hours: 47, workingDays: 1 } });
    expect((await reportedSlips(cn('2026-03-12T00:00:00'))).has(slip)).toBe(false);
    // The day before the meeting, the day before its clock starts: not started, and supervision lists nothing.
    expect(await slipAt(slip, cn('2026-03-11T23:59:59.999'))).toEqual(notStartedUntil('2026-03-12'));
    expect((await reportedSlips(cn('2026-03-11T23:59:59.999'))).has(slip)).toBe(false);
  });
});

describe('a slip issued by referralIssue counts from the day it was issued', () => {
  it('has not started the day before that day, and runs from its first instant, before the hour it was issued', async () => {
    clock.set(cn('2026-03-16T09:00:00'));
    const caseId = (await ok(OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '转办' } }, 'caseOpen')).case.id;
    clock.set(cn('2026-03-16T15:00:00'));
    const issued = await ok(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id dueOn } userErrors { code field } } }`, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 2 } }, 'referralIssue');
    expect(issued.referral.dueOn).toBe('2026-03-18');
    expect(await slipAt(issued.referral.id, cn('2026-03-15T23:59:59.999'))).toEqual(notStartedUntil('2026-03-16'));
    const first = await ca(SLIP_AT, { id: issued.referral.id, asOf: cn('2026-03-16T00:00:00') });
    expect(first.errors).toBeUndefined();
    expect(first.data.referral).toEqual({ deadlineStatus: 'PENDING', overdue: null, timeLeft: { hours: 71, workingDays: 2 } });
  });
});

describe('across 国庆 2026 (10-01 … 10-07 off, Saturday 10-10 worked)', () => {
  let slip: string;

  beforeAll(async () => {
    // Held on Saturday 10-03, a day of 国庆, and recorded on Friday 10-09.
    const decision = { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 3, beneficiaryIdNumber: WANG.child };
    const issued = await lateMeetingSlip(cn('2026-09-28T09:00:00'), '2026-10-03', cn('2026-10-09T10:00:00'), decision);
    // 10-08, 10-09 and the worked Saturday 10-10.
    expect(issued.dueOn).toBe('2026-10-10');
    slip = issued.id;
  });

  it('has not started on 10-02, the holiday before the meeting’s day; on 10-05, before it was issued, pending with three working days left; on Monday 10-12 a working day late: as overdueReport reads it each time', async () => {
    expect(await slipAt(slip, cn('2026-10-02T12:00:00'))).toEqual(notStartedUntil('2026-10-03'));
    const inHoliday = cn('2026-10-05T12:00:00');
    const pending = await ca(SLIP_AT, { id: slip, asOf: inHoliday });
    expect(pending.errors).toBeUndefined();
    expect(pending.data.referral).toEqual({ deadlineStatus: 'PENDING', overdue: null, timeLeft: { hours: 131, workingDays: 3 } });
    expect((await reportedSlips(inHoliday)).has(slip)).toBe(false);
    const late = cn('2026-10-12T10:00:00');
    const listed = (await reportedSlips(late)).get(slip);
    expect(listed).toEqual({ hours: 34, calendarDays: 2, workingDays: 1, provisional: false });
    const own = await ca(SLIP_AT, { id: slip, asOf: late });
    expect(own.data.referral).toEqual({ deadlineStatus: 'OVERDUE', overdue: listed, timeLeft: null });
  });
});

describe('a case’s deadlines before it was reported', () => {
  let caseId: string;

  beforeAll(async () => {
    // Recorded on 03-20, reported (stated) on 03-18 at 10:00: its 24 hours of first aid count from then.
    clock.set(cn('2026-03-20T10:00:00'));
    const opened = await ok(OPEN, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'URGENT', summary: '补录急难', reportedAt: cn('2026-03-18T10:00:00') } }, 'caseOpen');
    caseId = opened.case.id;
  });

  it('have not started before the report, none missed; from the report on they run, and agree with overdueReport before it was recorded', async () => {
    const before = await ca(CASE_AT, { id: caseId, asOf: cn('2026-03-18T09:59:59.999') });
    expect(before.errors).toBeUndefined();
    expect(before.data.case).toEqual({
      deadlines: [
        { kind: 'FIRST_AID', status: 'NOT_STARTED', timeLeft: null, overdue: null },
        { kind: 'MATERIALS', status: 'NOT_STARTED', timeLeft: null, overdue: null },
      ],
      anyDeadlineMissed: false,
    });
    const dayBefore = cn('2026-03-17T10:00:00');
    const missed = await ca(`query($id: ID!, $asOf: DateTime) { case(id: $id) { anyDeadlineMissed(asOf: $asOf) } }`, { id: caseId, asOf: dayBefore });
    expect(missed.errors).toBeUndefined();
    expect(missed.data.case.anyDeadlineMissed).toBe(false);
    const early = await ca(REPORT, { asOf: dayBefore });
    expect(early.errors).toBeUndefined();
    expect(early.data.overdueReport.byOffice.flatMap((g: any) => g.cases).filter((c: any) => c.case.id === caseId)).toEqual([]);
    const atReport = await ca(CASE_AT, { id: caseId, asOf: cn('2026-03-18T10:00:00') });
    expect(atReport.errors).toBeUndefined();
    expect(atReport.data.case.deadlines.find((d: { kind: string }) => d.kind === 'FIRST_AID')).toMatchObject({ status: 'PENDING', timeLeft: { hours: 24 } });
    const asOf = cn('2026-03-19T12:00:00');
    const report = await ca(REPORT, { asOf });
    expect(report.errors).toBeUndefined();
    const listed = report.data.overdueReport.byOffice.flatMap((g: any) => g.cases).filter((c: any) => c.case.id === caseId);
    expect(listed.map((c: any) => c.deadline.kind)).toEqual(['FIRST_AID']);
    const own = await ca(CASE_AT, { id: caseId, asOf });
    expect(own.errors).toBeUndefined();
    expect(own.data.case.anyDeadlineMissed).toBe(true);
    const firstAid = own.data.case.deadlines.find((d: { kind: string }) => d.kind === 'FIRST_AID');
    expect({ kind: firstAid.kind, status: firstAid.status, overdue: firstAid.overdue }).toEqual(listed[0].deadline);
  });
});

describe('a case looked back on between its two slips’ starts answers whole', () => {
  let caseId: string;
  let first: string;
  let later: string;
  const WHOLE = `query($id: ID!, $asOf: DateTime) { case(id: $id) {
    referrals { id deadlineStatus(asOf: $asOf) overdue(asOf: $asOf) { workingDays } timeLeft(asOf: $asOf) { workingDays } countedFrom }
    deadlines(asOf: $asOf) { kind status } anyDeadlineMissed(asOf: $asOf) } }`;

  beforeAll(async () => {
    // Opened Monday 05-11; a slip issued that afternoon with two working days (due 05-13); a meeting
    // held Friday 05-15 and recorded Monday 05-18, its decision counting from 05-15.
    clock.set(cn('2026-05-11T09:00:00'));
    caseId = await caseInDeliberation('两张转办单');
    clock.set(cn('2026-05-11T15:00:00'));
    const issued = await ok(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id dueOn } userErrors { code field } } }`, { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 2 } }, 'referralIssue');
    expect(issued.referral.dueOn).toBe('2026-05-13');
    first = issued.referral.id;
    clock.set(cn('2026-05-18T10:00:00'));
    const decision = { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 3, beneficiaryIdNumber: WANG.child, conflictOverrideReason: '会议研究：本学期另有减免' };
    const met = await ok(MEETING, { input: { caseId, heldOn: '2026-05-15', departmentsPresent: ['CIVIL_AFFAIRS', 'EDUCATION'], decisions: [decision] } }, 'meetingRecord');
    expect(met.meeting.decisions).toHaveLength(1);
    later = met.meeting.decisions[0].id;
  });

  it('on 05-14 the first slip is overdue and the later one not started: no error, nothing nulled', async () => {
    const asOf = cn('2026-05-14T12:00:00');
    const res = await ca(WHOLE, { id: caseId, asOf });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.referrals).toEqual([
      { id: first, deadlineStatus: 'OVERDUE', overdue: { workingDays: 1 }, timeLeft: null, countedFrom: '2026-05-11' },
      { id: later, deadlineStatus: 'NOT_STARTED', overdue: null, timeLeft: null, countedFrom: '2026-05-15' },
    ]);
    // The case itself was reported on 05-11: its limits run (the investigation opinion met on opening).
    expect(res.data.case.deadlines).toEqual([
      { kind: 'INVESTIGATION_OPINION', status: 'MET' },
      { kind: 'APPROVAL', status: 'PENDING' },
    ]);
    expect(res.data.case.anyDeadlineMissed).toBe(false);
    // Supervision at the same instant: the first listed, the later one not.
    const listed = await reportedSlips(asOf);
    expect(listed.get(first)).toMatchObject({ workingDays: 1 });
    expect(listed.has(later)).toBe(false);
  });

  it('on Saturday 05-16, before the later slip was issued, its clock runs from the meeting’s day', async () => {
    const res = await ca(WHOLE, { id: caseId, asOf: cn('2026-05-16T12:00:00') });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.referrals[1]).toEqual({ id: later, deadlineStatus: 'PENDING', overdue: null, timeLeft: { workingDays: 3 }, countedFrom: '2026-05-15' });
  });

  it('a list of the household’s cases, looked back on before this one was reported, answers every case', async () => {
    const res = await ca(
      `query($id: ID!, $asOf: DateTime) { household(id: $id) { cases { id referrals { deadlineStatus(asOf: $asOf) timeLeft(asOf: $asOf) { hours } } deadlines(asOf: $asOf) { status } anyDeadlineMissed(asOf: $asOf) } } }`,
      { id: wangId, asOf: cn('2026-05-10T12:00:00') },
    );
    expect(res.errors).toBeUndefined();
    const mine = res.data.household.cases.find((c: { id: string }) => c.id === caseId);
    expect(mine).toEqual({
      id: caseId,
      referrals: [{ deadlineStatus: 'NOT_STARTED', timeLeft: null }, { deadlineStatus: 'NOT_STARTED', timeLeft: null }],
      deadlines: [{ status: 'NOT_STARTED' }, { status: 'NOT_STARTED' }],
      anyDeadlineMissed: false,
    });
    // The earlier cases answer as they stood then (the March ones had started).
    expect(res.data.household.cases.length).toBeGreaterThan(1);
  });

  it('reads the meeting once, for every slip, only when countedFrom or an asOf before a slip’s day of issue asks for it', async () => {
    const statements = async (fields: string, asOf: string) => {
      const res = await ca(`query($id: ID!, $asOf: DateTime) { case(id: $id) { referrals { ${fields} } } }`, { id: caseId, asOf });
      expect(res.errors).toBeUndefined();
      return res.extensions!.sqlStatements!.bySource.HUB;
    };
    const late = cn('2026-05-20T12:00:00');
    // Case, slips (and the access rules' reads): asOf after each slip's day of issue reads no meeting.
    const base = await statements('state deadlineStatus(asOf: $asOf)', late);
    expect(await statements('state deadlineStatus(asOf: $asOf) overdue(asOf: $asOf) { hours } timeLeft(asOf: $asOf) { hours }', late)).toBe(base);
    expect(await statements('state countedFrom deadlineStatus(asOf: $asOf) meeting { heldOn }', cn('2026-05-14T12:00:00'))).toBe(base + 1);
  });
});

/**
 * A meeting that decides again what a department declined is held on or after the decline: held on
 * the day of the first meeting (two sittings of one day are allowed), it re-decided a decline made
 * days later, and its slip counted from before the decline, so supervision looking back listed the
 * office overdue for a decision that did not yet exist. The decline's day is the department's stated
 * one where it stated it (occurredAt: the field's day, no later than recorded).
 */
describe('a decline decided again at a later meeting', () => {
  const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id state } userErrors { code field } } }`;
  const AGAIN = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { dueOn countedFrom } } userErrors { code field } } }`;
  const tempAid = (deadlineWorkingDays: number) => ({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays, beneficiaryIdNumber: WANG.head, cause: 'OTHER', conflictOverrideReason: '会议研究决定' });
  const meeting = (caseId: string, heldOn: string, decisions: unknown[]) => ({ input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS'], decisions } });
  const refusedAs = async (caseId: string, heldOn: string) => {
    const res = await ca(AGAIN, meeting(caseId, heldOn, [tempAid(1)]));
    expect(res.errors).toBeUndefined();
    return res.data.meetingRecord.userErrors;
  };
  const outOfRange = [{ code: 'MEETING_DATE_OUT_OF_RANGE', field: ['input', 'heldOn'] }];

  /** Decided at a meeting held (and recorded) on Thursday 11-12, its slip declined on Monday 11-16 (stated `statedAt`), back in deliberation. */
  async function declinedCase(summary: string, statedAt?: string): Promise<{ caseId: string; slip: string }> {
    clock.set(cn('2026-11-09T09:00:00'));
    const caseId = await caseInDeliberation(summary);
    clock.set(cn('2026-11-12T10:00:00'));
    const slip = (await ok(MEETING, meeting(caseId, '2026-11-12', [tempAid(5)]), 'meetingRecord')).meeting.decisions[0].id;
    clock.set(cn('2026-11-16T10:00:00'));
    await ok(DECLINE, { input: { referralId: slip, reason: '经复核不符合条件', ...(statedAt ? { occurredAt: statedAt } : {}) } }, 'referralDecline');
    await ok(MOVE, { input: { caseId, to: 'IN_DELIBERATION', reason: '退回重新议定' } }, 'caseTransition');
    clock.set(cn('2026-11-18T10:00:00'));
    return { caseId, slip };
  }

  it('is refused as held on 11-12 (the first meeting’s day) or 11-13, before the decline; held on 11-16 its slip counts from then', async () => {
    const { caseId, slip } = await declinedCase('再议日期');
    expect(await refusedAs(caseId, '2026-11-12')).toEqual(outOfRange);
    expect(await refusedAs(caseId, '2026-11-13')).toEqual(outOfRange);
    // The refused meetings issued nothing: the case has its declined slip alone.
    const slips = await ca(`query($id: ID!) { case(id: $id) { referrals { id } } }`, { id: caseId });
    expect(slips.data.case.referrals).toEqual([{ id: slip }]);
    const again = await ok(AGAIN, meeting(caseId, '2026-11-16', [tempAid(1)]), 'meetingRecord');
    expect(again.meeting.decisions).toEqual([{ dueOn: '2026-11-17', countedFrom: '2026-11-16' }]);
    const res = await ca(`query($id: ID!) { referral(id: $id) { declineResolution { kind } } }`, { id: slip });
    expect(res.data.referral.declineResolution).toEqual({ kind: 'REDELIBERATED' });
  });

  it('a sitting that decides nothing (deliberation goes on) is not held to the decline', async () => {
    const { caseId } = await declinedCase('再议未决');
    await ok(AGAIN, { input: { ...meeting(caseId, '2026-11-12', []).input, notes: '同日第二次会议，未作决定' } }, 'meetingRecord');
  });

  it('a decline stated as made on Friday 11-13 is decided again at a meeting held on 11-13, not 11-12', async () => {
    const { caseId } = await declinedCase('再议日期（经办人称）', cn('2026-11-13T16:00:00'));
    expect(await refusedAs(caseId, '2026-11-12')).toEqual(outOfRange);
    const again = await ok(AGAIN, meeting(caseId, '2026-11-13', [tempAid(1)]), 'meetingRecord');
    expect(again.meeting.decisions).toEqual([{ dueOn: '2026-11-16', countedFrom: '2026-11-13' }]);
  });
});

describe('overdueReport’s shortfallsSince after asOf’s day', () => {
  it('is refused EMPTY_WINDOW (its lists came back empty, a clean record); asOf’s own day is a period of one day', async () => {
    const ask = (shortfallsSince: string) => ca(`query($asOf: DateTime, $since: Date) { overdueReport(asOf: $asOf, shortfallsSince: $since) { byOffice { answeredLate { referral { id } } } } }`, { asOf: cn('2026-03-16T10:00:00'), since: shortfallsSince });
    const after = await ask('2026-03-17');
    expect(after.data).toBeNull();
    expect(after.errors?.map((e: any) => [e.extensions.code, e.extensions.argument, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'shortfallsSince', 'EMPTY_WINDOW']]);
    const sameDay = await ask('2026-03-16');
    expect(sameDay.errors).toBeUndefined();
    expect(Array.isArray(sameDay.data.overdueReport.byOffice)).toBe(true);
  });
});

describe('a meeting held on Thursday 2026-12-31 and recorded on Monday 2027-01-04, after 元旦 and the weekend (2027 by the law alone)', () => {
  let slip: string;

  beforeAll(async () => {
    const decision = { department: 'EDUCATION', programme: 'TUITION_WAIVER', amountFen: 120_000, deadlineWorkingDays: 1, beneficiaryIdNumber: WANG.child, conflictOverrideReason: '会议研究：本学期另有减免' };
    const issued = await lateMeetingSlip(cn('2026-12-28T09:00:00'), '2026-12-31', cn('2027-01-04T10:00:00'), decision);
    // 01-01 (元旦, a Friday) and the weekend are off: one working day from 12-31 is Monday 01-04, the day it was recorded.
    expect(issued.dueOn).toBe('2027-01-04');
    slip = issued.id;
  });

  it('has not started on 12-30; on 元旦 it is pending with a working day left; on 01-05 a working day late, provisional, as overdueReport reads it', async () => {
    expect(await slipAt(slip, cn('2026-12-30T12:00:00'))).toEqual(notStartedUntil('2026-12-31'));
    const holiday = await ca(SLIP_AT, { id: slip, asOf: cn('2027-01-01T12:00:00') });
    expect(holiday.errors).toBeUndefined();
    expect(holiday.data.referral).toEqual({ deadlineStatus: 'PENDING', overdue: null, timeLeft: { hours: 83, workingDays: 1 } });
    expect((await reportedSlips(cn('2027-01-01T12:00:00'))).has(slip)).toBe(false);
    const late = cn('2027-01-05T10:00:00');
    const listed = (await reportedSlips(late)).get(slip);
    expect(listed).toEqual({ hours: 10, calendarDays: 1, workingDays: 1, provisional: true });
    const own = await ca(SLIP_AT, { id: slip, asOf: late });
    expect(own.data.referral).toEqual({ deadlineStatus: 'OVERDUE', overdue: listed, timeLeft: null });
  });
});
