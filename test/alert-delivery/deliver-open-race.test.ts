/**
 * A create with `deliverOpen` racing an alert's own transaction: the alert is written and its pushes
 * queued (reading the subscriptions before the new one exists), and its transaction is held open on
 * its own connection while the create runs; only then does it commit. Without the subscription lock
 * (db/alert-delivery/outbox.ts lockSubscribers) the create read the open alerts without it and the
 * alert reached the new subscriber neither way. And the other order: the create held at its
 * backlog's insert (its open alerts read) while an alert is raised. No sleeps: what is held is let
 * go once the other side has returned or is seen waiting for the subscription lock (PROCESSLIST),
 * whichever happens; with the lock every order of the two gives the same outcome.
 */
import { enqueueToToldSubscriptions } from '../../db/alert-delivery/outbox';
import type { LockingTx } from '../../db/locking';
import { alertsByIds, settleBackfilledDecideBy, storeRecountedDeadlines, type AlertRow } from '../../db/monitoring/store';
import { addDays } from '../../domain/dates';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { envelopeOf } from '../../resolvers/monitoring/detect';
import { WANG_TOWNSHIP, writeWangJobLossAlert } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';
import { until } from '../support/until';
import { HOSTS, revokeActiveSubscriptions, subscriberClient } from './scenario';

let dbs: TestDatabases;
let wangId: number;
const now = () => new Date(`${TODAY}T02:00:00.000Z`);
let serial = 0;

const write = (beforeCommit?: () => Promise<void>) => writeWangJobLossAlert(dbs, { identity: `deliver-open-race-${process.pid}-${++serial}`, householdId: wangId, now, beforeCommit });

const create = (callbackUrl: string, { deliverOpen }: { deliverOpen: boolean }) =>
  createSubscription(dbs.hub, HOSTS, { clientName: 'guhuai-alerts', callbackUrl, regionCodes: [WANG_TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin', deliverOpen });

/** Statements of this test's database, but this one's, whose text starts with `start`. */
async function running(start: string): Promise<number> {
  const [[row]] = (await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO LIKE ?`, [`${start}%`])) as any;
  return Number(row.n);
}

/** The events of a subscription's outbox rows for one alert. */
async function eventsOf(subscriptionId: number, alertId: string): Promise<string[]> {
  const [rows] = (await dbs.hubPool.query('SELECT event FROM alert_delivery WHERE subscription_id = ? AND alert_id = ? ORDER BY id', [subscriptionId, alertId])) as any;
  return rows.map((r: any) => r.event);
}

/**
 * Statements of this test's database running a lock of the subscription lock's row: while the
 * alert's transaction holds it, one that runs is waiting for it. Read from PROCESSLIST, which is
 * live; INNODB_TRX is a cache refreshed at most every 100 ms, which showed the previous test's wait.
 */
async function subscriptionLockWaits(): Promise<number> {
  const [[row]] = (await dbs.hubPool.query(
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
      WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO LIKE '%alert_subscription_lock%'`,
  )) as any;
  return Number(row.n);
}

/**
 * Runs a transaction that takes the subscription lock (db/alert-delivery/outbox.ts lockSubscribers)
 * and holds it open at `beforeCommit`; runs `during` then, and lets the transaction commit once
 * `during`'s work has returned or waits for the subscription lock. Returns what the transaction
 * returned, what `during` returned and whether it waited for the subscription lock.
 */
async function heldOpenDuring<H, T>(hold: (beforeCommit: () => Promise<void>) => Promise<H>, during: () => Promise<T>): Promise<{ held: H; result: T; waited: boolean }> {
  let queued!: () => void;
  const written = new Promise<void>((resolve) => (queued = resolve));
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  const holding = hold(() => {
    queued();
    return open;
  });
  holding.then(queued, queued);
  await written;
  let settled = false;
  const work = during().finally(() => (settled = true));
  work.catch(() => undefined);
  const waited = await until('the create to return or wait for the subscription lock', async () => (settled ? false : (await subscriptionLockWaits()) > 0 ? true : null), (v) => v !== null);
  release();
  const [held, result] = await Promise.all([holding, work]);
  return { held, result, waited: waited! };
}

/** Writes an alert and holds its transaction open after its pushes are queued while `during` runs (heldOpenDuring). */
async function raiseHeldOpenDuring<T>(during: () => Promise<T>): Promise<{ alertId: string; result: T; waited: boolean }> {
  const { held: alertId, result, waited } = await heldOpenDuring(write, during);
  return { alertId, result, waited };
}

/** The event and pushed dates of a subscription's outbox rows for one alert. */
async function datesPushed(subscriptionId: number, alertId: string): Promise<Array<[string, string, string, boolean]>> {
  const [rows] = (await dbs.hubPool.query('SELECT event, payload FROM alert_delivery WHERE subscription_id = ? AND alert_id = ? ORDER BY id', [subscriptionId, alertId])) as any;
  return rows.map((r: any) => {
    const { alert } = JSON.parse(r.payload);
    return [r.event, alert.verifyBy, alert.decideBy, alert.provisional];
  });
}

/** Those already told of an alert told its corrected dates (the startup recount's and the decide-by backfill's push). */
const tellTold = (tx: LockingTx, alerts: readonly AlertRow[], reason: 'DEADLINE_RECOUNTED' | 'DECIDE_BY_CORRECTED') =>
  enqueueToToldSubscriptions(tx, alerts.map((alert) => ({ ...envelopeOf({ event: 'ALERT_RAISED', alert }), reason })));

beforeAll(async () => {
  dbs = await createTestDatabases('deliver_open_race');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await subscriberClient(dbs.hub, 'guhuai-alerts');
}, 300_000);

afterEach(() => revokeActiveSubscriptions(dbs.hub), 60_000);

afterAll(() => dbs?.close(), 60_000);

describe('a deliverOpen create racing an alert', () => {
  it('queues an alert committed while the create runs to the new subscriber exactly once, with every alert open before', async () => {
    const before = await write();
    const { alertId, result: made, waited } = await raiseHeldOpenDuring(() => create('http://127.0.0.1:9/race', { deliverOpen: true }));
    if (!made.ok) throw new Error(made.code);
    // Queued by the create, which read it after the alert's transaction committed (it waited for the
    // lock): the alert's transaction read the subscriptions before this one existed.
    expect(await eventsOf(made.subscription.id, alertId)).toEqual(['ALERT_OPENED']);
    expect(waited).toBe(true);
    expect(await eventsOf(made.subscription.id, before)).toEqual(['ALERT_OPENED']);
    expect(made.openAlertsQueued).toBe(2);
  }, 180_000);

  it('queues an alert raised while the create writes its backlog to the new subscriber exactly once, by the alert’s own transaction', async () => {
    await write();
    // The outbox held (LOCK TABLES on a connection of its own): the create waits at its backlog's
    // insert, having read the open alerts, its subscription written but not committed.
    const holder = await dbs.hubPool.getConnection();
    try {
      await holder.query('LOCK TABLES alert_delivery WRITE');
      const made = create('http://127.0.0.1:9/race-backlog', { deliverOpen: true });
      made.catch(() => undefined);
      await until('the create to wait at its backlog', () => running('insert into `alert_delivery`'), (n) => n > 0);
      let settled = false;
      const raised = write().finally(() => (settled = true));
      raised.catch(() => undefined);
      // With the lock the alert's transaction waits for the create's commit; without, it commits now.
      const waited = await until('the alert to be written or wait for the subscription lock', async () => (settled ? false : (await running('select `name` from `alert_subscription_lock`')) > 0 ? true : null), (v) => v !== null);
      await holder.query('UNLOCK TABLES');
      const [alertId, sub] = await Promise.all([raised, made]);
      if (!sub.ok) throw new Error(sub.code);
      // Its transaction read the subscriptions after the create committed: it pushed it as any.
      expect(await eventsOf(sub.subscription.id, alertId)).toEqual(['ALERT_OPENED']);
      expect(waited).toBe(true);
    } finally {
      await holder.query('UNLOCK TABLES');
      holder.release();
    }
  }, 180_000);

  it('tells a subscriber made while the startup recount corrects an alert’s dates the corrected dates, once', async () => {
    const alertId = await write();
    const [read] = await alertsByIds(dbs.hub, [Number(alertId)]);
    const counted = { acknowledgeBy: read.acknowledgeBy, verifyBy: addDays(read.verifyBy, 3), decideBy: addDays(read.decideBy, 3), provisional: !read.provisional, keptOtherwise: [] };
    // The recount's transaction holds the alert's row (its UPDATE), queues the correction to those
    // told of it (none yet), and is held open while the create runs.
    const { held: stored, result: made, waited } = await heldOpenDuring(
      (beforeCommit) => storeRecountedDeadlines(dbs.hub, read, () => counted, now(), async (tx, _before, alert) => {
        await tellTold(tx, [alert], 'DEADLINE_RECOUNTED');
        await beforeCommit();
      }),
      () => create('http://127.0.0.1:9/race-recount', { deliverOpen: true }),
    );
    if (!made.ok) throw new Error(made.code);
    expect(stored).not.toBeNull();
    // Without the lock the create read the alert as it was before the recount, and the recount read
    // no one told of it: the new subscriber kept the old dates for good.
    expect(await datesPushed(made.subscription.id, alertId)).toEqual([['ALERT_OPENED', counted.verifyBy, counted.decideBy, counted.provisional]]);
    expect(waited).toBe(true);
  }, 180_000);

  it('tells a subscriber made while the decide-by backfill corrects an alert’s decision day the corrected day, once', async () => {
    const alertId = await write();
    const [read] = await alertsByIds(dbs.hub, [Number(alertId)]);
    await dbs.hubPool.query('UPDATE monitoring_alert SET decide_by_backfilled = TRUE WHERE id = ?', [Number(alertId)]);
    const decideBy = addDays(read.decideBy, 5);
    const { held: settled, result: made, waited } = await heldOpenDuring(
      (beforeCommit) => settleBackfilledDecideBy(dbs.hub, [Number(alertId)], () => ({ date: decideBy, provisional: true, workingDays: null, days: 30 }), now(), async (tx, moved) => {
        await tellTold(tx, moved, 'DECIDE_BY_CORRECTED');
        await beforeCommit();
      }),
      () => create('http://127.0.0.1:9/race-backfill', { deliverOpen: true }),
    );
    if (!made.ok) throw new Error(made.code);
    expect(settled).toBe(1);
    expect(await datesPushed(made.subscription.id, alertId)).toEqual([['ALERT_OPENED', read.verifyBy, decideBy, true]]);
    expect(waited).toBe(true);
  }, 180_000);

  it('without deliverOpen, as before: the create does not wait for the alert, nor is it queued the alert', async () => {
    const { alertId, result: made, waited } = await raiseHeldOpenDuring(() => create('http://127.0.0.1:9/race-off', { deliverOpen: false }));
    if (!made.ok) throw new Error(made.code);
    expect(waited).toBe(false);
    expect(made.openAlertsQueued).toBe(0);
    expect(await eventsOf(made.subscription.id, alertId)).toEqual([]);
    // Pushed every alert raised after it, as any subscription.
    const after = await write();
    expect(await eventsOf(made.subscription.id, after)).toEqual(['ALERT_OPENED']);
  }, 180_000);
});
