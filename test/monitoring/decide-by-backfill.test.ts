/**
 * Alerts raised before the decision limit existed got the published 15 days from migration 0008,
 * whatever the locality's triggers file gives their grade. Migration 0009 marks them; a hub starting
 * counts their decision day under the file in force (resolvers/monitoring/decide-by-backfill.ts),
 * once, never for an alert whose limit came from its raise, and hub processes starting at once
 * count each alert once between them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settleBackfilledDecisionDays } from '../../resolvers/monitoring/decide-by-backfill';
import { loadTriggerSet, TRIGGERS_FILE_ENV } from '../../rules/triggers-load';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { migrationStatement } from '../support/migration-statement';
import { startTestHub, type TestHub } from '../support/hub';
import type { AuditStore } from '../../access/audit';
import { deliveryAudit, writeWangJobLossAlert } from '../support/alerts';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';
import pino from 'pino';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { until } from '../support/until';
import { HOSTS, subscribe, subscriberClient } from '../alert-delivery/scenario';

jest.setTimeout(180_000);

/** The locality's file: every grade's own decision limit, and T4's YELLOW in working days. */
const LOCAL = {
  limits: {
    RED: { acknowledgeWorkingDays: 1, verifyDays: 5, decideDays: 8 },
    ORANGE: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 15 },
    YELLOW: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 18 },
  },
  triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: { acknowledgeWorkingDays: 1, verifyWorkingDays: 10, decideWorkingDays: 12 } } }],
};

/** Each alert's DECIDE_BY_CORRECTED events as the history keeps them, by alert id. */
async function corrections(dbs: TestDatabases): Promise<Record<string, { fromState: string; toState: string; grade: string; actor: string; actorOffice: string; reason: string }[]>> {
  const [rows] = await dbs.hubPool.query("SELECT alert_id AS alertId, from_state AS fromState, to_state AS toState, grade, actor, actor_office AS actorOffice, reason FROM monitoring_alert_event WHERE action = 'DECIDE_BY_CORRECTED' ORDER BY alert_id, seq");
  const out: Record<string, { fromState: string; toState: string; grade: string; actor: string; actorOffice: string; reason: string }[]> = {};
  for (const { alertId, ...e } of rows as { alertId: number; fromState: string; toState: string; grade: string; actor: string; actorOffice: string; reason: string }[]) (out[String(alertId)] ??= []).push(e);
  return out;
}

/** The correction event a moved decision day records: by the hub, state and grade unchanged. */
const corrected = (state: string, grade: string, before: string, after: string) => ({ fromState: state, toState: state, grade, actor: 'hub', actorOffice: 'HUB', reason: `decideBy ${before} → ${after}` });

describe('decision days of alerts raised before the limit', () => {
  let dbs: TestDatabases;
  const hubs: TestHub[] = [];
  const ids: Record<'yellow' | 'red' | 'removed' | 'raisedLocal' | 'raisedLater', string> = { yellow: '', red: '', removed: '', raisedLocal: '', raisedLater: '' };
  const now = () => new Date(`${TODAY}T02:00:00.000Z`);
  let file: string;

  const rows = async () =>
    Object.fromEntries(
      (
        (await dbs.hubPool.query('SELECT id, DATE_FORMAT(decide_by, "%Y-%m-%d") AS decideBy, decide_by_backfilled AS marked FROM monitoring_alert ORDER BY id'))[0] as { id: number; decideBy: string; marked: number }[]
      ).map((r) => [String(r.id), { decideBy: r.decideBy, marked: Boolean(r.marked) }]),
    );

  beforeAll(async () => {
    dbs = await createTestDatabases('decide_by_backfill');
    await insertRegions(dbs);
    const wangId = await insertWang(dbs);
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-')), 'local.json');
    fs.writeFileSync(file, JSON.stringify(LOCAL));
    // As 0008 left them: the published 15 days (30 March), whatever their trigger and grade.
    for (const k of ['yellow', 'red', 'removed'] as const) ids[k] = await writeWangJobLossAlert(dbs, { identity: `backfill-${k}`, householdId: wangId, now });
    await dbs.hubPool.query("UPDATE monitoring_alert SET grade = 'RED' WHERE id = ?", [ids.red]);
    // A trigger the locality has since removed: the file's limits for the grade.
    await dbs.hubPool.query("UPDATE monitoring_alert SET trigger_id = 'T9_REMOVED' WHERE id = ?", [ids.removed]);
    // Raised since 0008 under a file of 20 days: its limit came from its raise (20 days end on 04-04, 清明 04-04 … 04-06 off: 04-07, 民法典 art. 203).
    const twenty = { triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 20 } } }] };
    const twentyFile = path.join(path.dirname(file), 'twenty.json');
    fs.writeFileSync(twentyFile, JSON.stringify(twenty));
    ids.raisedLocal = await writeWangJobLossAlert(dbs, { identity: 'backfill-raised-local', householdId: wangId, now, triggerSet: loadTriggerSet({ [TRIGGERS_FILE_ENV]: twentyFile }) });
    await dbs.hubPool.query(migrationStatement('monitoring', '0009_decide_by_backfilled.sql', 'UPDATE'));
    // Raised after the upgrade, with the published limit again: never marked, so never counted again.
    ids.raisedLater = await writeWangJobLossAlert(dbs, { identity: 'backfill-raised-later', householdId: wangId, now });
  });

  afterAll(async () => {
    delete process.env[TRIGGERS_FILE_ENV];
    await Promise.all(hubs.map((h) => h.close()));
    await dbs?.close();
  });

  it('marks only the alerts holding the default, and two hubs starting at once count each under its grade’s limit in the file in force', async () => {
    expect(await rows()).toEqual({
      [ids.yellow]: { decideBy: '2026-03-30', marked: true },
      [ids.red]: { decideBy: '2026-03-30', marked: true },
      [ids.removed]: { decideBy: '2026-03-30', marked: true },
      [ids.raisedLocal]: { decideBy: '2026-04-07', marked: false },
      [ids.raisedLater]: { decideBy: '2026-03-30', marked: false },
    });
    process.env[TRIGGERS_FILE_ENV] = file;
    hubs.push(...(await Promise.all([startTestHub(dbs, { purpose: 'MONITORING' }), startTestHub(dbs, { purpose: 'MONITORING', client: { name: 'second-hub-client' } })])));
    expect(await rows()).toEqual({
      // T4's YELLOW: 12 working days from Sunday 15 March.
      [ids.yellow]: { decideBy: '2026-03-31', marked: false },
      // RED (the file's T4 names YELLOW only): the set's 8 days.
      [ids.red]: { decideBy: '2026-03-23', marked: false },
      [ids.removed]: { decideBy: '2026-04-02', marked: false },
      [ids.raisedLocal]: { decideBy: '2026-04-07', marked: false },
      [ids.raisedLater]: { decideBy: '2026-03-30', marked: false },
    });
    // The working days counted with are kept, so a start under another holiday calendar counts the day again (calendar days: none).
    const [counts] = await dbs.hubPool.query('SELECT id, decide_working_days AS n FROM monitoring_alert WHERE id IN (?, ?, ?) ORDER BY id', [ids.yellow, ids.red, ids.removed]);
    expect((counts as { id: number; n: number | null }[]).map((r) => r.n)).toEqual([12, null, null]);
    // What the API answers, and what overdueReport judges by.
    const read = await hubs[0].gql(`query($id: ID!) { alert(id: $id) { decideBy } }`, { id: ids.yellow });
    expect(read.data.alert).toEqual({ decideBy: '2026-03-31' });
  });

  it('records each moved day once in the alert’s history, with the day before and after, though two hubs started at once', async () => {
    expect(await corrections(dbs)).toEqual({
      [ids.yellow]: [corrected('NEW', 'YELLOW', '2026-03-30', '2026-03-31')],
      [ids.red]: [corrected('NEW', 'RED', '2026-03-30', '2026-03-23')],
      [ids.removed]: [corrected('NEW', 'YELLOW', '2026-03-30', '2026-04-02')],
    });
    // As the API shows the history: after the opening, by the hub.
    const read = await hubs[0].gql(`query($id: ID!) { alert(id: $id) { history { action fromState toState grade actor actorOffice reason } } }`, { id: ids.yellow });
    expect(read.errors).toBeUndefined();
    expect(read.data.alert.history.map((e: { action: string }) => e.action)).toEqual(['OPENED', 'DECIDE_BY_CORRECTED']);
    expect(read.data.alert.history[1]).toEqual({ action: 'DECIDE_BY_CORRECTED', ...corrected('NEW', 'YELLOW', '2026-03-30', '2026-03-31') });
  });

  it('counts each marked alert once whatever the number of processes, and nothing the second time', async () => {
    const before = await rows();
    await dbs.hubPool.query('UPDATE monitoring_alert SET decide_by = DATE_ADD(first_clue_on, INTERVAL 15 DAY), decide_by_backfilled = TRUE WHERE id IN (?, ?, ?)', [ids.yellow, ids.red, ids.removed]);
    const set = loadTriggerSet({ [TRIGGERS_FILE_ENV]: file });
    const history = await corrections(dbs);
    const counted = await Promise.all([1, 2, 3].map(() => settleBackfilledDecisionDays(dbs.hub, set, now())));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(3);
    const after = await rows();
    expect(after).toEqual(before);
    expect(Object.values(after).every((r) => !r.marked)).toBe(true);
    // One more correction each (the day was put back and moved again), not one per process.
    expect(await corrections(dbs)).toEqual(Object.fromEntries(Object.entries(history).map(([id, events]) => [id, [...events, events[0]]])));
    expect(await settleBackfilledDecisionDays(dbs.hub, set, now())).toBe(0);
    expect(await rows()).toEqual(after);
    expect(Object.values(await corrections(dbs)).map((events) => events.length)).toEqual([2, 2, 2]);
  });
});

/**
 * A subscriber's system holds an alert's decision day as it was pushed. When the start-up count
 * moves it, each alert whose decision is still pending (open, or verified as NEEDS_AID with its case
 * not yet decided) is pushed again (ALERT_RAISED, reason DECIDE_BY_CORRECTED) to the subscriptions
 * that were pushed it, in the transaction that moves the day: once whatever the number of hubs
 * starting, none the second time, none for a decided alert (dismissed, or NEEDS_AID with its case
 * decided), an unmoved day, or a subscription that never had the alert (or had only dead letters of it).
 */
describe('pushes of decision days the count moved', () => {
  let dbs: TestDatabases;
  const hubs: TestHub[] = [];
  const receivers: AlertReceiver[] = [];
  const ids: Record<'told' | 'pending' | 'closed' | 'unmoved' | 'dead' | 'awaitingCase' | 'caseDecided', string> = { told: '', pending: '', closed: '', unmoved: '', dead: '', awaitingCase: '', caseDecided: '' };
  const now = () => new Date(`${TODAY}T02:00:00.000Z`);
  let audit: AuditStore;
  const worker = () => new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [100], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));
  const outbox = async () =>
    ((await dbs.hubPool.query('SELECT alert_id AS alertId, subscription_id AS subscriptionId, event, state FROM alert_delivery ORDER BY id'))[0] as { alertId: string; subscriptionId: number; event: string; state: string }[]).map((r) => ({ ...r, subscriptionId: Number(r.subscriptionId) }));
  let told: AlertReceiver;
  let never: AlertReceiver;
  let subs: { told: number; never: number };

  beforeAll(async () => {
    dbs = await createTestDatabases('decide_by_push');
    audit = await deliveryAudit(dbs);
    await insertRegions(dbs);
    const wangId = await insertWang(dbs);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-')), 'local.json');
    fs.writeFileSync(file, JSON.stringify(LOCAL));
    // 古槐's own system: its 2xx is what makes a township's alert DELIVERED.
    await subscriberClient(dbs.hub, 'guhuai-alerts', '370811001');
    told = await startAlertReceiver(() => 200);
    never = await startAlertReceiver(() => 200);
    receivers.push(told, never);
    const toldSub = await subscribe(dbs.hub, 'guhuai-alerts', told.url);
    told.setSecret(toldSub.secret);
    // Opened before the upgrade with 0008's 15 days, and pushed to the township's receiver.
    for (const k of ['told', 'closed', 'unmoved', 'dead', 'awaitingCase', 'caseDecided'] as const) ids[k] = await writeWangJobLossAlert(dbs, { identity: `push-${k}`, householdId: wangId, now });
    expect((await worker().runOnce()).delivered).toBe(6);
    await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'DISMISSED', decided_on = ? WHERE id = ?", [TODAY, ids.closed]);
    // Verified as needing aid: its case still waits for the village notice, or was decided.
    await dbs.hubPool.query("UPDATE monitoring_alert SET state = 'VERIFIED', outcome = 'NEEDS_AID' WHERE id IN (?, ?)", [ids.awaitingCase, ids.caseDecided]);
    await dbs.hubPool.query('UPDATE monitoring_alert SET decided_on = ? WHERE id = ?', [TODAY, ids.caseDecided]);
    // ORANGE: the locality's 15 days, the day it has.
    await dbs.hubPool.query("UPDATE monitoring_alert SET grade = 'ORANGE' WHERE id = ?", [ids.unmoved]);
    await dbs.hubPool.query("UPDATE alert_delivery SET state = 'DEAD', dead_at = UTC_TIMESTAMP(3) WHERE alert_id = ?", [ids.dead]);
    // Its push still queued (the receiver down, or not yet polled) when the hub stops for the upgrade.
    ids.pending = await writeWangJobLossAlert(dbs, { identity: 'push-pending', householdId: wangId, now });
    // Subscribed since: it has had none of them.
    const neverSub = await subscribe(dbs.hub, 'guhuai-alerts', never.url, { triggerIds: ['T4_JOB_LOSS'] });
    never.setSecret(neverSub.secret);
    subs = { told: toldSub.subscription.id, never: neverSub.subscription.id };
    await dbs.hubPool.query(migrationStatement('monitoring', '0009_decide_by_backfilled.sql', 'UPDATE'));
    // The hubs start under the locality's file.
    process.env[TRIGGERS_FILE_ENV] = file;
  });

  afterAll(async () => {
    delete process.env[TRIGGERS_FILE_ENV];
    await Promise.all(hubs.map((h) => h.close()));
    await Promise.all(receivers.map((r) => r.close()));
    await audit?.close();
    await dbs?.close();
  });

  it('queues one push per alert still pending its decision whose day moved to each subscription it was pushed to, and the receiver has it signed with the new day', async () => {
    const before = await outbox();
    expect(before).toHaveLength(7);
    hubs.push(...(await Promise.all([startTestHub(dbs, { purpose: 'MONITORING' }), startTestHub(dbs, { purpose: 'MONITORING', client: { name: 'second-hub-client' } })])));
    const repushed = [ids.told, ids.pending, ids.awaitingCase].sort((a, b) => Number(a) - Number(b));
    const queued = (await outbox()).slice(before.length);
    expect(queued).toEqual(repushed.map((alertId) => ({ alertId, subscriptionId: subs.told, event: 'ALERT_RAISED', state: 'PENDING' })));
    // A hub starting again finds nothing to count and queues nothing.
    hubs.push(await startTestHub(dbs, { purpose: 'MONITORING', client: { name: 'third-hub-client' } }));
    expect(await settleBackfilledDecisionDays(dbs.hub, loadTriggerSet({ [TRIGGERS_FILE_ENV]: process.env[TRIGGERS_FILE_ENV] }), now())).toBe(0);
    expect(await outbox()).toHaveLength(before.length + repushed.length);
    // Every moved day is in its alert's history, pushed or not (a decided alert's day too); the unmoved one's is not.
    const moved = (state: string) => [corrected(state, 'YELLOW', '2026-03-30', '2026-03-31')];
    expect(await corrections(dbs)).toEqual({
      [ids.told]: moved('DELIVERED'),
      [ids.closed]: moved('DISMISSED'),
      [ids.dead]: moved('DELIVERED'),
      [ids.awaitingCase]: moved('VERIFIED'),
      [ids.caseDecided]: moved('VERIFIED'),
      [ids.pending]: moved('NEW'),
    });

    const w = worker();
    await until('all sent', async () => (await w.runOnce(), outbox()), (rows) => rows.every((r) => r.state !== 'PENDING'));
    const pushes = told.pushes.slice(6);
    expect(pushes.every((p) => p.signatureValid && p.answered === 200)).toBe(true);
    expect(pushes.map((p) => [p.body.event, p.body.alert.id, p.body.alert.grade, p.body.alert.decideBy, p.body.reason])).toEqual([
      // The push queued before the upgrade goes first, with the day as it is when sent (12 working days).
      ['ALERT_OPENED', ids.pending, 'YELLOW', '2026-03-31', undefined],
      ...repushed.map((id) => ['ALERT_RAISED', id, 'YELLOW', '2026-03-31', 'DECIDE_BY_CORRECTED']),
    ]);
    // `reason` is after `alert`, the push's order after it; the alert's fields and their order are those of every push.
    expect(Object.keys(pushes[1].body)).toEqual(['deliveryId', 'event', 'alert', 'reason', 'occurredAt', 'sequence']);
    // Each correction happened when a hub counted it (not when the alert was last written): after the
    // push queued before the upgrade, and numbered after it.
    for (const p of pushes.slice(1)) {
      expect(p.body.occurredAt > pushes[0].body.occurredAt).toBe(true);
      expect(p.body.sequence).toBeGreaterThan(pushes[0].body.sequence);
    }
    expect(Object.keys(pushes[1].body.alert)).toEqual(['id', 'trigger', 'grade', 'region', 'maskedSubject', 'verifyBy', 'provisional', 'decideBy']);
    expect(never.pushes).toEqual([]);
  });
});
