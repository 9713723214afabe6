/**
 * The pushes a subscription made with `deliverOpen` queues (up to 10,000, all due at once) are a
 * backlog: an alert raised meanwhile, for any subscriber, is claimed before the backlog's rest,
 * on its first attempt and on a retry, and the backlog's own retries do not pass it. A real delivery
 * worker (small rounds, one push at a time) over a real outbox, real receivers on 127.0.0.1, one of
 * them slow.
 */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { AuditStore } from '../../access/audit';
import { dueRows } from '../../db/alert-delivery/store';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { until } from '../support/until';
import { deliveryAudit, WANG_TOWNSHIP, writeWangJobLossAlert } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';
import { endAlertTest, HOSTS, raise, subscribe, subscriberClient, syntheticAlert } from './scenario';
import { EXPLAIN_ROWS } from '../support/statements';

const BACKLOG = 12;
let dbs: TestDatabases;
let audit: AuditStore;
let worker: AlertDeliveryWorker | undefined;
const receivers: AlertReceiver[] = [];
const now = () => new Date(`${TODAY}T02:00:00.000Z`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A one-shot signal: `fired` resolves once `fire()` is called. */
function signal(): { fired: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const fired = new Promise<void>((r) => (fire = r));
  return { fired, fire };
}

beforeAll(async () => {
  dbs = await createTestDatabases('deliver_open_backlog');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  await subscriberClient(dbs.hub, 'backlog-alerts');
  await subscriberClient(dbs.hub, 'fresh-alerts');
  // Open before any subscription: they reach only a subscription made with deliverOpen.
  for (let i = 0; i < BACKLOG; i++) await writeWangJobLossAlert(dbs, { identity: `backlog-${process.pid}-${i}`, householdId: wangId, now });
  audit = await deliveryAudit(dbs);
}, 300_000);

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await endAlertTest(dbs.hub, receivers);
}, 60_000);

afterAll(async () => {
  await audit?.close();
  await dbs?.close();
}, 60_000);

/** A worker of rounds of two, one push at a time. */
function startWorker() {
  worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 50, retryScheduleMs: [50, 50, 50], retryJitter: 0, httpTimeoutMs: 5000, batchSize: 2, concurrency: 1, callbackHosts: HOSTS }, pino({ level: 'silent' }));
  worker.start();
}

async function receiver(script: Parameters<typeof startAlertReceiver>[0]): Promise<AlertReceiver> {
  const r = await startAlertReceiver(script);
  receivers.push(r);
  return r;
}

/** A subscription of `client` to the township pushing to `r`, with the alerts open now queued to it. */
async function subscribedWithBacklog(client: string, r: AlertReceiver, path: string) {
  const made = await subscribe(dbs.hub, client, `${r.url}/${path}`, { regionCodes: [WANG_TOWNSHIP], deliverOpen: true });
  expect(made.openAlertsQueued).toBe(BACKLOG);
  r.setSecret(made.secret);
  return made;
}

describe('a deliverOpen backlog', () => {
  it('does not hold back an alert raised for another subscriber while it is sent to a slow receiver', async () => {
    // The first backlog push is held until the fresh alert is raised: however long the raise takes
    // on a loaded machine, the round under way is the only backlog round before its claim.
    const firstArrived = signal();
    const raised = signal();
    const slow = await receiver(async (n) => {
      if (n === 1) {
        firstArrived.fire();
        await raised.fired;
      }
      await pause(150);
      return 200;
    });
    await subscribedWithBacklog('backlog-alerts', slow, 'slow');
    // How many backlog pushes the slow receiver had when the fresh alert arrived.
    let backlogSeen = -1;
    const fresh = await receiver(() => {
      backlogSeen = slow.pushes.length;
      return 200;
    });
    // The county, of which only another township's alert is raised: the backlog's subscription is not told of it.
    const other = await subscribe(dbs.hub, 'fresh-alerts', `${fresh.url}/fresh`, { regionCodes: ['370811'] });
    fresh.setSecret(other.secret);
    startWorker();
    await firstArrived.fired;
    expect(await raise(dbs.hub, syntheticAlert({ regionCode: '370811002201' }))).toBe(1);
    raised.fire();
    await fresh.waitFor(1);
    await slow.waitFor(BACKLOG);
    // Claimed in the round after it was raised: at most that round's and the next's backlog pushes before it.
    expect(backlogSeen).toBeGreaterThanOrEqual(1);
    expect(backlogSeen).toBeLessThanOrEqual(4);
    expect(fresh.acknowledged()).toHaveLength(1);
  }, 120_000);

  it('keeps a backlog push that failed behind the fresh ones on its retry', async () => {
    // The backlog's receiver fails every first attempt: each backlog row is retried, due again
    // before the fresh alert raised after it, and still claimed after it.
    // The second push (the first round's last) is held until the fresh alert is raised, so no later
    // round's first attempts can precede it however long the raise takes.
    const seen = new Set<string>();
    const order: string[] = [];
    const secondArrived = signal();
    const raised = signal();
    const flaky = await receiver(async (n, push) => {
      order.push(push.body.alert.id);
      if (n === 2) {
        secondArrived.fire();
        await raised.fired;
      }
      if (seen.has(push.deliveryId)) return 200;
      seen.add(push.deliveryId);
      return 503;
    });
    await subscribedWithBacklog('backlog-alerts', flaky, 'flaky');
    startWorker();
    await secondArrived.fired;
    const fresh = syntheticAlert({ regionCode: '370811001201' });
    await raise(dbs.hub, fresh);
    raised.fire();
    await until('the backlog and the fresh push acknowledged', async () => flaky.acknowledged().length, (n) => n === BACKLOG + 1, 60_000, 20);
    // The fresh push went out within a round or two of being raised, not after the backlog's retries.
    expect(order.indexOf(fresh.alertId)).toBeLessThanOrEqual(5);
  }, 120_000);
});

it('is claimed through indexes: each lane a range of the due index, the earlier pushes through the alert index', async () => {
  const [plan] = (await dbs.hub.execute(sql`${sql.raw(EXPLAIN_ROWS)} ${dueRows(2)}`)) as unknown as [{ table: string; type: string; key: string | null }[]];
  const steps = plan.filter((s) => !String(s.table).startsWith('<union'));
  expect(steps.map((s) => s.key).sort()).toEqual(['alert_delivery_alert', 'alert_delivery_alert', 'alert_delivery_due', 'alert_delivery_due']);
  expect(steps.filter((s) => s.type === 'ALL' || s.type === 'index')).toEqual([]);
});
