/**
 * alertSubscriptionCreate with `deliverOpen`: a township that subscribes a new receiving system starts
 * its work list with the alerts open in its regions, not only those raised afterwards. Real hub
 * server with its delivery worker, real alerts written as detection writes them (test/support/alerts.ts),
 * real receivers on 127.0.0.1 that check every push's signature.
 */
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { moveAlertRow } from '../../db/monitoring/store';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { subscriptionsCommand } from '../../tools/subscriptions';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { WANG_TOWNSHIP, writeWangJobLossAlert } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';
import { until } from '../support/until';
import { endAlertTest, endAlertTests, HOSTS, subscriberClient } from './scenario';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const receivers: AlertReceiver[] = [];
const now = () => new Date(`${TODAY}T02:00:00.000Z`);
let serial = 0;

const CREATE = `mutation CreateSubscription($input: AlertSubscriptionCreateInput!) {
  alertSubscriptionCreate(input: $input) { subscription { id } secret openAlertsQueued userErrors { code field } }
}`;

/** The alerts of the scenario, by what they are. */
const alerts: Record<'yellowSigned' | 'red' | 'disabilityRef' | 'dismissed' | 'otherCounty', string> = {} as never;

const write = (o: Partial<Parameters<typeof writeWangJobLossAlert>[1]> = {}) => writeWangJobLossAlert(dbs, { identity: `deliver-open-${process.pid}-${++serial}`, householdId: wangId, now, ...o });

async function receiver(): Promise<AlertReceiver> {
  const r = await startAlertReceiver(() => 200);
  receivers.push(r);
  return r;
}

async function create(input: Record<string, unknown>) {
  const res = await hub.gql(CREATE, { input: { client: 'guhuai-alerts', regionCodes: [WANG_TOWNSHIP], ...input } });
  expect(res.errors).toBeUndefined();
  return { ...res.data.alertSubscriptionCreate, statements: res.extensions?.sqlStatements?.bySource };
}

/** The alerts a subscription's outbox rows tell of, with their events, in alert id order. */
async function queued(subscriptionId: string): Promise<{ alertId: string; event: string }[]> {
  const [rows] = (await dbs.hubPool.query('SELECT alert_id AS alertId, event FROM alert_delivery WHERE subscription_id = ? ORDER BY CAST(alert_id AS UNSIGNED)', [subscriptionId])) as any;
  return rows.map((r: any) => ({ alertId: String(r.alertId), event: r.event }));
}

async function count(sql: string): Promise<number> {
  const [[row]] = (await dbs.hubPool.query(sql)) as any;
  return Number(row.n);
}

const opened = (...ids: string[]) => ids.map((alertId) => ({ alertId, event: 'ALERT_OPENED' })).sort((a, b) => Number(a.alertId) - Number(b.alertId));

beforeAll(async () => {
  dbs = await createTestDatabases('deliver_open');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await subscriberClient(dbs.hub, 'guhuai-alerts');
  await createClient(accessDbOf(dbs.hub), { name: 'disability-alerts', department: 'DISABILITY', regionScope: '370811', roles: ['READER'], expiresAt: null });
  // Open in the township: one signed for (ACKNOWLEDGED is open), one RED, one that cites a disability
  // federation record. Not open: one dismissed. Not the township's: one in 微山县.
  alerts.yellowSigned = await write();
  expect((await moveAlertRow(dbs.hub, Number(alerts.yellowSigned), { move: 'ACKNOWLEDGE', actor: 'GH-07', office: WANG_TOWNSHIP, reason: null, now: new Date() })).ok).toBe(true);
  alerts.red = await write({ grade: 'RED' });
  alerts.disabilityRef = await write({ evidenceRefs: ['DISABILITY:cert-77'] });
  alerts.dismissed = await write();
  expect((await moveAlertRow(dbs.hub, Number(alerts.dismissed), { move: 'DISMISS', actor: 'GH-07', office: WANG_TOWNSHIP, reason: '重复线索', now: new Date() })).ok).toBe(true);
  alerts.otherCounty = await write({ regionCode: '370826100200' });
  hub = await startTestHub(dbs, {
    today: TODAY,
    client: { name: 'deliver-open-admin', roles: ['ADMINISTRATOR'], regionScope: '370800' },
    purpose: 'MONITORING',
    config: { callbackHosts: HOSTS, alertDelivery: { pollMs: 100, retryScheduleMs: [50, 50, 50], retryJitter: 0, httpTimeoutMs: 5000, batchSize: 50, concurrency: 8, callbackHosts: HOSTS } },
  });
}, 300_000);

afterEach(() => endAlertTest(dbs.hub, receivers), 60_000);

afterAll(() => endAlertTests(hub, receivers, dbs), 60_000);

describe('alertSubscriptionCreate with deliverOpen', () => {
  it('pushes the new receiver every alert open in its regions, signed as any push and naming no evidence; not the closed one, nor another county’s', async () => {
    const r = await receiver();
    const made = await create({ callbackUrl: `${r.url}/open`, deliverOpen: true });
    expect(made.userErrors).toEqual([]);
    r.setSecret(made.secret);
    expect(made.openAlertsQueued).toBe(3);
    expect(await queued(made.subscription.id)).toEqual(opened(alerts.yellowSigned, alerts.red, alerts.disabilityRef));
    await r.waitFor(3);
    await until('delivered', () => count(`SELECT COUNT(*) AS n FROM alert_delivery WHERE subscription_id = ${Number(made.subscription.id)} AND state = 'DELIVERED'`), (n) => n === 3);
    expect(r.pushes.every((p) => p.signatureValid && p.answered === 200)).toBe(true);
    expect(r.pushes.map((p) => p.body.alert.id).sort()).toEqual([alerts.yellowSigned, alerts.red, alerts.disabilityRef].sort());
    // The body of an ordinary push: the alert's masked subject, no ID number, no evidence.
    // Numbered 1, 2, 3 in the new subscription's pushes, as they were queued.
    expect(r.pushes.map((p) => p.body.sequence).sort()).toEqual([1, 2, 3]);
    for (const p of r.pushes) {
      expect(Object.keys(p.body)).toEqual(['deliveryId', 'event', 'alert', 'occurredAt', 'sequence']);
      expect(Object.keys(p.body.alert)).toEqual(['id', 'trigger', 'grade', 'region', 'maskedSubject', 'verifyBy', 'provisional', 'decideBy']);
      expect(p.body).toMatchObject({ deliveryId: p.deliveryId, event: 'ALERT_OPENED', alert: { region: WANG.regionCode } });
      expect(JSON.stringify(p.body)).not.toContain(WANG.head);
      expect(JSON.stringify(p.body)).not.toContain('失业登记');
      expect(JSON.stringify(p.body)).not.toContain('cert-77');
    }
  }, 180_000);

  it('pushes nothing old without it (the default), as before', async () => {
    const made = await create({ callbackUrl: 'http://127.0.0.1:9/default' });
    expect(made.userErrors).toEqual([]);
    expect(made.openAlertsQueued).toBe(0);
    expect(await queued(made.subscription.id)).toEqual([]);
    const explicit = await create({ callbackUrl: 'http://127.0.0.1:9/false', deliverOpen: false });
    expect(explicit.openAlertsQueued).toBe(0);
    expect(await queued(explicit.subscription.id)).toEqual([]);
  });

  it('keeps to the subscription’s grades, and to the alerts its client’s department may read', async () => {
    const red = await create({ callbackUrl: 'http://127.0.0.1:9/red', grades: ['RED'], deliverOpen: true });
    expect(red.openAlertsQueued).toBe(1);
    expect(await queued(red.subscription.id)).toEqual(opened(alerts.red));
    // The disability federation reads only the alerts that cite its own records (alertConcerns).
    const disability = await create({ client: 'disability-alerts', callbackUrl: 'http://127.0.0.1:9/disability', deliverOpen: true });
    expect(disability.userErrors).toEqual([]);
    expect(await queued(disability.subscription.id)).toEqual(opened(alerts.disabilityRef));
    // A county's subscription reaches the township's and no other county's.
    const county = await create({ callbackUrl: 'http://127.0.0.1:9/county', regionCodes: ['370811'], deliverOpen: true });
    expect(await queued(county.subscription.id)).toEqual(opened(alerts.yellowSigned, alerts.red, alerts.disabilityRef));
  });

  it('reads only what the client’s department may read, so the bound counts those alone; the outbox’s rule still decides each alert read', async () => {
    // Three open in the township, one citing the disability federation: a bound of one refuses a
    // civil affairs subscriber and takes the federation's, the filter in the read (concerning) alone
    // keeping the others out of the count.
    const input = { clientName: 'disability-alerts', callbackUrl: 'http://127.0.0.1:9/disability-bound', regionCodes: [WANG_TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin', deliverOpen: true };
    expect(await createSubscription(dbs.hub, HOSTS, { ...input, clientName: 'guhuai-alerts', callbackUrl: 'http://127.0.0.1:9/civil-bound' }, 1)).toMatchObject({ ok: false, code: 'TOO_MANY_OPEN_ALERTS' });
    const bound = await createSubscription(dbs.hub, HOSTS, input, 1);
    expect(bound).toMatchObject({ ok: true, openAlertsQueued: 1 });
    if (!bound.ok) return;
    expect(await queued(String(bound.subscription.id))).toEqual(opened(alerts.disabilityRef));
    // A health record whose id holds "DISABILITY: (its JSON text matches the read's LIKE): read, and
    // not pushed, as it is no record of the federation's (alertConcerns, in pushedTo).
    await createClient(accessDbOf(dbs.hub), { name: 'disability-weishan', department: 'DISABILITY', regionScope: '370826', roles: ['READER'], expiresAt: null });
    await write({ regionCode: '370826100200', evidenceRefs: ['HEALTH:note"DISABILITY:cert-78'] });
    const weishan = await create({ client: 'disability-weishan', regionCodes: ['370826'], callbackUrl: 'http://127.0.0.1:9/disability-weishan', deliverOpen: true });
    expect(weishan.userErrors).toEqual([]);
    expect(weishan.openAlertsQueued).toBe(0);
    expect(await queued(weishan.subscription.id)).toEqual([]);
  });

  it('queues each open alert once when the create is sent again (a retry is refused, SUBSCRIPTION_EXISTS)', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM alert_delivery');
    const input = { callbackUrl: 'http://127.0.0.1:9/retried', deliverOpen: true };
    const answers = await Promise.all([1, 2, 3].map(() => create(input)));
    expect(answers.map((a) => a.userErrors.map((e: any) => e.code)).sort()).toEqual([[], ['SUBSCRIPTION_EXISTS'], ['SUBSCRIPTION_EXISTS']]);
    const made = answers.find((a) => a.userErrors.length === 0)!;
    expect(await queued(made.subscription.id)).toEqual(opened(alerts.yellowSigned, alerts.red, alerts.disabilityRef));
    expect(await count('SELECT COUNT(*) AS n FROM alert_delivery')).toBe(before + 3);
  });

  it('refuses more open alerts than its bound with TOO_MANY_OPEN_ALERTS, creating nothing', async () => {
    const subscriptions = await count('SELECT COUNT(*) AS n FROM alert_subscription');
    const deliveries = await count('SELECT COUNT(*) AS n FROM alert_delivery');
    const input = { clientName: 'guhuai-alerts', callbackUrl: 'http://127.0.0.1:9/bound', regionCodes: [WANG_TOWNSHIP], grades: [], triggerIds: [], createdBy: 'test-admin', deliverOpen: true };
    expect(await createSubscription(dbs.hub, HOSTS, input, 2)).toMatchObject({ ok: false, code: 'TOO_MANY_OPEN_ALERTS', field: 'deliverOpen' });
    expect(await count('SELECT COUNT(*) AS n FROM alert_subscription')).toBe(subscriptions);
    expect(await count('SELECT COUNT(*) AS n FROM alert_delivery')).toBe(deliveries);
    // Exactly at the bound it is taken; without deliverOpen the bound does not apply.
    expect(await createSubscription(dbs.hub, HOSTS, input, 3)).toMatchObject({ ok: true, openAlertsQueued: 3 });
    expect(await createSubscription(dbs.hub, HOSTS, { ...input, callbackUrl: 'http://127.0.0.1:9/bound-off', deliverOpen: false }, 0)).toMatchObject({ ok: true, openAlertsQueued: 0 });
  });

  it('is asked for from the command line with --deliver-open (the same function)', async () => {
    const out: string[] = [];
    const run = (...extra: string[]) => subscriptionsCommand(['create', '--client', 'guhuai-alerts', '--callback', `http://127.0.0.1:9/cli${extra.length}`, '--regions', WANG_TOWNSHIP, ...extra], dbs.hub, (l) => out.push(l), HOSTS);
    expect(await run('--deliver-open')).toBe(0);
    expect(out[1]).toBe('alerts open now queued to it: 3');
    expect(await queued(/^created #(\d+)/.exec(out[0])![1])).toEqual(opened(alerts.yellowSigned, alerts.red, alerts.disabilityRef));
    out.length = 0;
    expect(await run()).toBe(0);
    expect(out.join('\n')).not.toContain('queued');
    expect(await queued(/^created #(\d+)/.exec(out[0])![1])).toEqual([]);
  });

  // Last: it writes more alerts.
  it('costs as many statements for 28 open alerts as for one: the subscription lock, one read, the subscription’s sequence and one multi-row insert more than without', async () => {
    const without = await create({ callbackUrl: 'http://127.0.0.1:9/statements-0', grades: ['RED'] });
    const one = await create({ callbackUrl: 'http://127.0.0.1:9/statements-1', grades: ['RED'], deliverOpen: true });
    expect(one.openAlertsQueued).toBe(1);
    expect(one.statements.HUB).toBe(without.statements.HUB + 4);
    for (let i = 0; i < 27; i++) await write({ grade: 'RED' });
    const many = await create({ callbackUrl: 'http://127.0.0.1:9/statements-28', grades: ['RED'], deliverOpen: true });
    expect(many.openAlertsQueued).toBe(28);
    expect(many.statements).toEqual(one.statements);
  }, 180_000);
});
