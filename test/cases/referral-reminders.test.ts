/**
 * Reminders of referral slips (resolvers/cases/referral-reminders.ts), against the real hub database,
 * a real hub answering the offices over HTTP, the monitoring poller's job run with the test clock
 * and the alert delivery worker pushing to real receivers that check each signature: a slip due
 * within a working day is pushed REFERRAL_DUE_SOON once, a slip past its due date REFERRAL_OVERDUE
 * once, to the subscriptions of the department it is addressed to in the case's county only, and
 * neither again after a restart (a new poller) or with two pollers at once; working days are those
 * of the holiday calendar (春节 2027 by the law alone, provisional; 国庆 2026 by the published
 * notice); a slip answered before gets none; an office reads its own near-due and overdue slips
 * (referralsToOffice dueWithinWorkingDays, timeLeft) and no other office's; a slip to the county's
 * civil affairs is reminded to that office's receiver, not to a township officer of civil affairs.
 */
import pino from 'pino';
import type { AuditStore } from '../../access/audit';
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { MonitoringPoller } from '../../resolvers/monitoring/poller';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import type { DepartmentCode } from '../../domain/departments';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { deliveryAudit } from '../support/alerts';
import { TestClock } from '../support/clock';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { holidayFiles } from '../support/notice-2027';
import { insertRegions, insertWang } from '../support/scenarios';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2027-02-04T10:00:00'));
const holidays = holidayFiles('aidhub-referral-reminders-');
const HOSTS = ['127.0.0.1:*'];

let dbs: TestDatabases;
let hub: TestHub;
let audit: AuditStore;
let wangId: string;
const receivers: Record<'health' | 'housing' | 'yanzhouHealth' | 'cityHealth', AlertReceiver> = {} as never;
const office: Record<'health' | 'housing' | 'yanzhouHealth' | 'cityHealth', TestHub['gql']> = {} as never;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok(gql: TestHub['gql'], query: string, variables: Record<string, unknown>, field: string): Promise<any> {
  const res = await gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

/** A case of 王 (任城区) taken to deliberation and a slip of it to `department`, `days` working days from the clock's day: the slip's id. */
async function slipTo(department: DepartmentCode, days: number): Promise<string> {
  const opened = await ok(hub.gql, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '医疗救助申请' } }, 'caseOpen');
  const caseId: string = opened.case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(hub.gql, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  const issued = await ok(hub.gql, `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`, { input: { caseId, to: { department }, ask: '请核定医疗救助', deadlineWorkingDays: days } }, 'referralIssue');
  return issued.referral.id;
}

/** A hub process's reminder job and delivery worker, as a start makes them: one pass of each, at the clock's now. */
function hubProcess() {
  const poller = new MonitoringPoller(
    { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: clock.now },
    { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 },
  );
  const worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [100, 200], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 8, callbackHosts: HOSTS }, pino({ level: 'silent' }));
  return {
    poller,
    /** The reminders this pass queued, and the pushes the worker then sent. */
    async pass(): Promise<{ reminders: number; delivered: number }> {
      const queued = await poller.remindReferrals();
      const round = await worker.runOnce();
      return { reminders: queued?.reminders ?? 0, delivered: round.delivered };
    },
    /** Stopped as a hub stops: its leases given up for the next process. */
    stop: () => poller.stop(),
  };
}

/** The reminder pushes a receiver has had, as (event, slip id, …) in order. */
const pushesOf = (r: AlertReceiver) => r.pushes.map((p) => ({ signatureValid: p.signatureValid, event: p.body.event, ...p.body.referral }));

beforeAll(async () => {
  holidays.use(null);
  dbs = await createTestDatabases('referral_reminders');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  // 兖州区, whose health office subscribes too (a subscription names divisions the hub holds).
  await dbs.hubPool.query("INSERT IGNORE INTO region (code, name, level, parent_code) VALUES ('370812', '兖州区', 'COUNTY', '370800')");
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  audit = await deliveryAudit(dbs);
  const subscribers = [
    ['health', 'rencheng-health', 'HEALTH', '370811'],
    ['housing', 'rencheng-housing', 'HOUSING', '370811'],
    ['yanzhouHealth', 'yanzhou-health', 'HEALTH', '370812'],
    // The city-wide bureau, subscribed to the city: it supervises every county's health office.
    ['cityHealth', 'jining-health', 'HEALTH', '370800'],
  ] as const;
  for (const [key, name, department, county] of subscribers) {
    await createClient(accessDbOf(dbs.hub), { name, department, regionScope: county, roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'], expiresAt: null });
    const { token } = await hub.createClient({ name: `${name}-desk`, department, regionScope: county, roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] });
    office[key] = hub.as({ token, purpose: 'REFERRAL' }).gql;
    receivers[key] = await startAlertReceiver(() => 200);
    const made = await createSubscription(dbs.hub, HOSTS, { clientName: name, callbackUrl: `${receivers[key].url}/${name}`, regionCodes: [county], grades: [], triggerIds: [], createdBy: 'test-admin' });
    if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
    receivers[key].setSecret(made.secret);
  }
}, 300_000);

afterAll(async () => {
  holidays.restore();
  await hub?.close();
  await Promise.all(Object.values(receivers).map((r) => r.close()));
  await audit?.close();
  await dbs?.close();
}, 60_000);

const DESK = `query($within: Int) { referralsToOffice(office: { department: HEALTH }, dueWithinWorkingDays: $within) { id dueOn provisional deadlineStatus timeLeft { workingDays } overdue { workingDays provisional } } }`;

describe('a slip due after 春节 2027 (the law alone: provisional)', () => {
  let slip: string;
  let answered: string;

  it('is due by working days that skip the holiday, and no reminder goes while more than a working day is left', async () => {
    clock.set(cn('2027-02-04T10:00:00'));
    slip = await slipTo('HEALTH', 6);
    answered = await slipTo('HEALTH', 6);
    // 02-05 … 02-08 春节 and the law's 补假 02-09, 02-10 are off: the 6th working day after 02-04 is 02-18.
    const read = await office.health(`query($id: ID!) { referral(id: $id) { dueOn provisional timeLeft { workingDays } } }`, { id: slip });
    expect(read.data.referral).toEqual({ dueOn: '2027-02-18', provisional: true, timeLeft: { workingDays: 6 } });
    const process1 = hubProcess();
    for (const day of ['2027-02-04', '2027-02-10', '2027-02-12', '2027-02-16']) {
      clock.set(cn(`${day}T09:00:00`));
      expect(await process1.pass()).toEqual({ reminders: 0, delivered: 0 });
    }
    await process1.stop();
    // The office reads what is due within a working day: nothing yet on 02-16 (two left).
    expect((await office.health(DESK, { within: 1 })).data.referralsToOffice).toEqual([]);
    // The second slip is answered before it nears its due date.
    await ok(office.health, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id } userErrors { code } } }`, { input: { referralId: answered } }, 'referralAccept');
    await ok(office.health, `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code } } }`, { input: { referralId: answered, feedback: '已核定医疗救助' } }, 'referralComplete');
  });

  it('pushes REFERRAL_DUE_SOON once, signed, to the health office of the case’s county alone, one working day before', async () => {
    clock.set(cn('2027-02-17T08:00:00'));
    const first = hubProcess();
    const again = hubProcess();
    // Two hub processes at once: the reminder is queued by one of them.
    const [a, b] = await Promise.all([first.poller.remindReferrals(), again.poller.remindReferrals()]);
    expect((a?.reminders ?? 0) + (b?.reminders ?? 0)).toBe(1);
    expect(await first.pass()).toEqual({ reminders: 0, delivered: 2 });
    expect(pushesOf(receivers.health)).toEqual([{ signatureValid: true, event: 'REFERRAL_DUE_SOON', id: slip, caseId: expect.any(String), office: 'HEALTH', county: '370811', dueOn: '2027-02-18', state: 'ISSUED', workingDaysLeft: 1, provisional: true }]);
    // Nothing else in the body: no person, household, programme, amount or ask; then its order, last:
    // when the reminder fell due (the pass's instant, not the send's) and its number among the
    // subscription's pushes.
    expect(Object.keys(receivers.health.pushes[0].body)).toEqual(['deliveryId', 'event', 'referral', 'occurredAt', 'sequence']);
    expect(receivers.health.pushes[0].body).toMatchObject({ occurredAt: new Date(cn('2027-02-17T08:00:00')).toISOString(), sequence: 1 });
    expect(receivers.health.pushes[0].body.deliveryId).toBe(receivers.health.pushes[0].deliveryId);
    await Promise.all([first.stop(), again.stop()]);
    expect(receivers.housing.pushes).toEqual([]);
    expect(receivers.yanzhouHealth.pushes).toEqual([]);
    expect(pushesOf(receivers.cityHealth).map((x) => [x.event, x.id, x.signatureValid])).toEqual([['REFERRAL_DUE_SOON', slip, true]]);
    // The office's desk now lists it, a working day left.
    const desk = (await office.health(DESK, { within: 1 })).data.referralsToOffice;
    expect(desk).toEqual([{ id: slip, dueOn: '2027-02-18', provisional: true, deadlineStatus: 'PENDING', timeLeft: { workingDays: 1 }, overdue: null }]);
  });

  it('does not push it again after a restart, on its due date', async () => {
    clock.set(cn('2027-02-18T16:00:00'));
    const restarted = hubProcess();
    expect(await restarted.pass()).toEqual({ reminders: 0, delivered: 0 });
    await restarted.stop();
    expect(receivers.health.pushes).toHaveLength(1);
  });

  it('pushes REFERRAL_OVERDUE once the due date has passed, once, and the desk lists it late', async () => {
    clock.set(cn('2027-02-19T00:30:00'));
    const p = hubProcess();
    expect(await p.pass()).toEqual({ reminders: 1, delivered: 2 });
    await p.stop();
    clock.set(cn('2027-02-22T09:00:00'));
    const restarted = hubProcess();
    expect(await restarted.pass()).toEqual({ reminders: 0, delivered: 0 });
    await restarted.stop();
    expect(pushesOf(receivers.health).map((x) => [x.event, x.id, x.workingDaysLate ?? null])).toEqual([
      ['REFERRAL_DUE_SOON', slip, null],
      ['REFERRAL_OVERDUE', slip, 1],
    ]);
    expect(receivers.health.pushes.map((p) => [p.body.sequence, p.body.occurredAt])).toEqual([
      [1, new Date(cn('2027-02-17T08:00:00')).toISOString()],
      [2, new Date(cn('2027-02-19T00:30:00')).toISOString()],
    ]);
    const [[{ n }]] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM referral_reminder WHERE referral_id = ?', [Number(answered)])) as any;
    expect(Number(n)).toBe(0);
    const desk = (await office.health(DESK, { within: 0 })).data.referralsToOffice;
    expect(desk).toEqual([{ id: slip, dueOn: '2027-02-18', provisional: true, deadlineStatus: 'OVERDUE', timeLeft: null, overdue: { workingDays: 2, provisional: true } }]);
  });

  it('an office reads only its own county’s and its own department’s slips', async () => {
    expect((await office.yanzhouHealth(DESK, { within: 40 })).data.referralsToOffice).toEqual([]);
    const other = await office.housing(DESK, { within: 1 });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_OWN_OFFICE' });
    const bad = await office.health(DESK, { within: -1 });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE', argument: 'dueWithinWorkingDays' });
    expect(receivers.housing.pushes).toEqual([]);
    expect(receivers.yanzhouHealth.pushes).toEqual([]);
  });
});

describe('a slip due after 国庆 2026 (the published notice)', () => {
  it('is due on the first working day after the holiday, reminded then, overdue the day after, not provisional', async () => {
    clock.set(cn('2026-09-29T10:00:00'));
    const housingSlip = await slipTo('HOUSING', 2);
    const read = await office.housing(`query($id: ID!) { referral(id: $id) { dueOn provisional } }`, { id: housingSlip });
    // 09-30 is the first working day, 10-01 … 10-07 are off: the second is 10-08.
    expect(read.data.referral).toEqual({ dueOn: '2026-10-08', provisional: false });
    const p = hubProcess();
    clock.set(cn('2026-09-29T12:00:00'));
    expect(await p.pass()).toEqual({ reminders: 0, delivered: 0 });
    // In the holiday one working day is left, 10-08.
    clock.set(cn('2026-10-03T12:00:00'));
    expect(await p.pass()).toEqual({ reminders: 1, delivered: 1 });
    clock.set(cn('2026-10-09T12:00:00'));
    expect(await p.pass()).toEqual({ reminders: 1, delivered: 1 });
    await p.stop();
    expect(pushesOf(receivers.housing).map((x) => [x.event, x.id, x.dueOn, x.workingDaysLeft ?? x.workingDaysLate, x.provisional, x.signatureValid])).toEqual([
      ['REFERRAL_DUE_SOON', housingSlip, '2026-10-08', 1, false, true],
      ['REFERRAL_OVERDUE', housingSlip, '2026-10-08', 1, false, true],
    ]);
  });
});

describe('a decision to the county’s civil affairs (a department a township officer also belongs to)', () => {
  it('is reminded to the county office’s receiver, whose desk lists it, and not to a township officer’s, whose desk cannot', async () => {
    // 任城区民政局 and 古槐街道's officer are both clients of civil affairs, each subscribed to its region.
    const civil: Record<'county' | 'township', { gql: TestHub['gql']; receiver: AlertReceiver }> = {} as never;
    for (const [key, name, scope, roles] of [
      ['county', 'rencheng-civil-affairs', '370811', ['READER', 'CASEWORKER', 'MEETING_CONVENER']],
      ['township', 'guhuai-civil-affairs', '370811001', ['READER', 'CASEWORKER']],
    ] as const) {
      await createClient(accessDbOf(dbs.hub), { name, department: 'CIVIL_AFFAIRS', regionScope: scope, roles: [...roles], expiresAt: null });
      const { token } = await hub.createClient({ name: `${name}-desk`, department: 'CIVIL_AFFAIRS', regionScope: scope, roles: [...roles] });
      const receiver = await startAlertReceiver(() => 200);
      const made = await createSubscription(dbs.hub, HOSTS, { clientName: name, callbackUrl: `${receiver.url}/${name}`, regionCodes: [scope], grades: [], triggerIds: [], createdBy: 'test-admin' });
      if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
      receiver.setSecret(made.secret);
      civil[key] = { gql: hub.as({ token, purpose: 'CASE_MEETING' }).gql, receiver };
    }
    try {
      clock.set(cn('2026-11-02T10:00:00'));
      const opened = await ok(civil.county.gql, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '临时救助申请' } }, 'caseOpen');
      const caseId: string = opened.case.id;
      for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(civil.county.gql, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
      const decision = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 50_000, deadlineWorkingDays: 1, cause: 'ILLNESS', conflictOverrideReason: '因病临时救助，经会议研究' };
      const met = await ok(civil.county.gql, `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id dueOn } } userErrors { code } } }`, { input: { caseId, heldOn: '2026-11-02', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision] } }, 'meetingRecord');
      const [{ id: slip, dueOn }] = met.meeting.decisions;
      expect(dueOn).toBe('2026-11-03');
      const p = hubProcess();
      expect(await p.pass()).toMatchObject({ reminders: 1 });
      await p.stop();
      // The county office's desk lists the slip; the township officer's office is its township, which the slip is not addressed to.
      const desk = `query { referralsToOffice(office: { department: CIVIL_AFFAIRS }, dueWithinWorkingDays: 1) { id } }`;
      expect((await civil.county.gql(desk)).data.referralsToOffice).toEqual([{ id: slip }]);
      expect((await civil.township.gql(desk)).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_OWN_OFFICE' });
      expect(pushesOf(civil.county.receiver).map((x) => [x.event, x.id, x.office, x.signatureValid])).toEqual([['REFERRAL_DUE_SOON', slip, 'CIVIL_AFFAIRS', true]]);
      expect(civil.township.receiver.pushes).toEqual([]);
    } finally {
      await Promise.all(Object.values(civil).map((c) => c.receiver.close()));
    }
  });
});
