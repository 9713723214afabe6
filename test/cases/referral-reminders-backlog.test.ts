/**
 * The first pass of slip reminders after they are deployed (resolvers/cases/referral-reminders.ts),
 * against the real hub database and a real hub: a slip already more than a working day past its due
 * date when first reminded has its REFERRAL_OVERDUE queued in the outbox's backlog lane
 * (alert_delivery.backlog, claimed only when fewer fresh pushes than a batch are due), so hundreds of
 * old slips never delay a fresh push; a slip that fell due yesterday, and one due soon, are queued
 * as fresh pushes. Who is told, and what, is the same either way.
 */
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { MonitoringPoller } from '../../resolvers/monitoring/poller';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { TestClock } from '../support/clock';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang } from '../support/scenarios';

const cn = (local: string) => `${local}+08:00`;
const clock = new TestClock(cn('2026-11-02T10:00:00'));
const HOSTS = ['127.0.0.1:*'];

let dbs: TestDatabases;
let hub: TestHub;
let receiver: AlertReceiver;
let wangId: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok(query: string, variables: Record<string, unknown>, field: string): Promise<any> {
  const res = await hub.gql(query, variables);
  expect(res.errors).toBeUndefined();
  expect(res.data[field].userErrors).toEqual([]);
  return res.data[field];
}

/** A case of 王 taken to deliberation and a slip of it to health, issued at the clock's now for `days` working days: the slip's id. */
async function healthSlip(days: number): Promise<string> {
  const opened = await ok(`mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '医疗救助申请' } }, 'caseOpen');
  const caseId: string = opened.case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(`mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  const issued = await ok(`mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`, { input: { caseId, to: { department: 'HEALTH' }, ask: '请核定医疗救助', deadlineWorkingDays: days } }, 'referralIssue');
  return issued.referral.id;
}

beforeAll(async () => {
  dbs = await createTestDatabases('referral_reminders_backlog');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  await createClient(accessDbOf(dbs.hub), { name: 'rencheng-health', department: 'HEALTH', regionScope: '370811', roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'], expiresAt: null });
  receiver = await startAlertReceiver(() => 200);
  const made = await createSubscription(dbs.hub, HOSTS, { clientName: 'rencheng-health', callbackUrl: `${receiver.url}/rencheng-health`, regionCodes: ['370811'], grades: [], triggerIds: [], createdBy: 'test-admin' });
  if (!made.ok) throw new Error(`subscription refused: ${made.code}`);
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await receiver?.close();
  await dbs?.close();
}, 60_000);

it('queues an old slip’s first REFERRAL_OVERDUE as backlog, a slip late by one working day and one due soon as fresh pushes', async () => {
  // Issued Mon 11-02 for 2 working days: due Wed 11-04, five working days late on Wed 11-11.
  clock.set(cn('2026-11-02T10:00:00'));
  const old = await healthSlip(2);
  // Issued Fri 11-06 for 2: due Tue 11-10, one working day late on 11-11.
  clock.set(cn('2026-11-06T10:00:00'));
  const yesterday = await healthSlip(2);
  // Issued Tue 11-10 for 2: due Thu 11-12, one working day left on 11-11 (DUE_SOON).
  clock.set(cn('2026-11-10T10:00:00'));
  const soon = await healthSlip(2);

  // The first pass ever (the hub started after the deploy), on Wed 11-11.
  clock.set(cn('2026-11-11T09:00:00'));
  const poller = new MonitoringPoller(
    { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: clock.now },
    { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 },
  );
  try {
    expect(await poller.remindReferrals()).toMatchObject({ reminders: 3, pushes: 3 });
  } finally {
    await poller.stop();
  }

  const [rows] = await dbs.hubPool.query('SELECT alert_id, event, backlog, payload FROM alert_delivery ORDER BY id');
  const queued = (rows as { alert_id: string; event: string; backlog: number; payload: string }[]).map((r) => {
    const referral = JSON.parse(r.payload).referral;
    return [r.alert_id, r.event, Boolean(r.backlog), referral.workingDaysLate ?? null, referral.workingDaysLeft ?? null];
  });
  expect(queued.sort()).toEqual(
    [
      [`referral:${old}`, 'REFERRAL_OVERDUE', true, 5, null],
      [`referral:${yesterday}`, 'REFERRAL_OVERDUE', false, 1, null],
      [`referral:${soon}`, 'REFERRAL_DUE_SOON', false, null, 1],
    ].sort(),
  );
}, 120_000);
