/**
 * A push is a disclosure (masked subject, village, trigger) to another party: it goes out only for
 * MONITORING, recorded in the audit chain first, and only to a client that may read alerts. Real
 * database, real receivers on 127.0.0.1 that look at the audit chain (another connection: committed
 * rows only) when a push arrives, delivery workers in this process, and the auditor's `accessLog`
 * through a real hub server.
 */
import pino from 'pino';
import { revokeClient, setClientRoles, createClient } from '../../access/clients';
import { AuditStore, auditWriterPool, verifyChain } from '../../access/audit';
import { accessDbOf } from '../../db/access/db';
import type { AlertDeliveryConfig } from '../../db/config';
import { deliveriesOfAlert, deliveryNotices, insertSubscription } from '../../db/alert-delivery/store';
import { freePort } from '../../db/setup/private-server';
import { maskIdNumber } from '../../domain/id-number';
import { newSubscriptionSecret } from '../../domain/monitoring/delivery';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { deliveryAudit, WANG_TOWNSHIP, writeWangJobLossAlert } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';
import { until } from '../support/until';
import { endAlertTest, HOSTS, subscribe, subscriberClient } from './scenario';

let dbs: TestDatabases;
let hub: TestHub;
let audit: AuditStore;
let wangId: number;
const receivers: AlertReceiver[] = [];
const stores: AuditStore[] = [];
const silent = pino({ level: 'silent' });
const now = () => new Date(`${TODAY}T02:00:00.000Z`);
let serial = 0;

const config: AlertDeliveryConfig = { pollMs: 100, retryScheduleMs: [100, 100, 100], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 4, callbackHosts: HOSTS };
const worker = (store: AuditStore = audit) => new AlertDeliveryWorker(dbs.hub, store, config, silent);

/** The audit rows of one push (its delivery id is their request id), in chain order. */
async function pushRows(deliveryId: string): Promise<any[]> {
  const [rows] = await dbs.hubPool.query('SELECT seq, channel, client_name, department, purpose, operation, subject_kind, subject_label, outcome FROM access_log WHERE request_id = ? ORDER BY seq', [deliveryId]);
  return rows as any[];
}

/** A receiver that, as each push arrives, reads what the chain holds of it; answers as `answer` says. */
async function auditingReceiver(answer: (n: number) => number = () => 200): Promise<{ r: AlertReceiver; seen: any[][] }> {
  const seen: any[][] = [];
  const r = await startAlertReceiver(async (n, push) => {
    seen.push(await pushRows(push.deliveryId));
    return answer(n);
  });
  receivers.push(r);
  return { r, seen };
}

const alertFor = () => writeWangJobLossAlert(dbs, { identity: `push-audit-${process.pid}-${++serial}`, householdId: wangId, now });

beforeAll(async () => {
  dbs = await createTestDatabases('push_audit');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await subscriberClient(dbs.hub, 'guhuai-alerts');
  audit = await deliveryAudit(dbs);
  stores.push(audit);
  // Only the auditor's server: no delivery worker of its own (this file runs them).
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'AUDIT', client: { name: 'push-audit-auditor', roles: ['AUDITOR'], regionScope: '370800' } });
}, 300_000);

afterEach(() => endAlertTest(dbs.hub, receivers), 60_000);

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await hub?.close();
  await dbs?.close();
}, 60_000);

it('records each attempt of a push in the audit chain before the receiver has it, and the auditor sees it in accessLog', async () => {
  // The first attempt is answered 503: the retry sends again, and records again.
  const { r, seen } = await auditingReceiver((n) => (n === 1 ? 503 : 200));
  const sub = await subscribe(dbs.hub, 'guhuai-alerts', r.url, { regionCodes: [WANG_TOWNSHIP] });
  r.setSecret(sub.secret);
  const alertId = await alertFor();
  const [delivery] = await deliveriesOfAlert(dbs.hub, alertId);
  const w = worker();
  expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
  await until('the retry delivered', () => w.runOnce(), (res) => res.delivered === 1);
  expect(r.pushes.map((p) => [p.deliveryId, p.attempt, p.signatureValid, p.answered])).toEqual([
    [delivery.deliveryId, 1, true, 503],
    [delivery.deliveryId, 2, true, 200],
  ]);
  // At receipt, committed: the attempt's own row (and the earlier attempt's), naming the subscriber,
  // purpose, the alert's person (masked), the event, subscription and attempt.
  const row = (attempt: number) => ({
    channel: 'PUSH',
    client_name: 'guhuai-alerts',
    department: 'CIVIL_AFFAIRS',
    purpose: 'MONITORING',
    operation: `ALERT_OPENED push, subscription ${sub.subscription.id}, attempt ${attempt}`,
    subject_kind: 'PERSON',
    subject_label: maskIdNumber(WANG.head),
    outcome: 'OK',
  });
  expect(seen.map((rows) => rows.map(({ seq: _seq, ...rest }) => rest))).toEqual([[row(1)], [row(1), row(2)]]);

  // The auditor asking who used the person's data finds both pushes, tied to the delivery.
  const res = await hub.gql(
    `query($n: String!) { accessLog(idNumber: $n, first: 500) { edges { node { channel requestId client { name department { code } } purpose operation subjectKind subjectLabel outcome } } } }`,
    { n: WANG.head },
  );
  expect(res.errors).toBeUndefined();
  const pushes = res.data.accessLog.edges.map((e: any) => e.node).filter((e: any) => e.channel === 'PUSH');
  expect(pushes).toEqual([2, 1].map((attempt) => ({
    channel: 'PUSH',
    requestId: delivery.deliveryId,
    client: { name: 'guhuai-alerts', department: { code: 'CIVIL_AFFAIRS' } },
    purpose: 'MONITORING',
    operation: `ALERT_OPENED push, subscription ${sub.subscription.id}, attempt ${attempt}`,
    subjectKind: 'PERSON',
    subjectLabel: maskIdNumber(WANG.head),
    outcome: 'OK',
  })));
  expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
}, 180_000);

it('sends nothing when the audit append fails: the attempt fails as AUDIT_UNAVAILABLE and is sent, recorded, when retried', async () => {
  const { r, seen } = await auditingReceiver();
  const sub = await subscribe(dbs.hub, 'guhuai-alerts', r.url, { regionCodes: [WANG_TOWNSHIP] });
  r.setSecret(sub.secret);
  // The audit writer cannot reach the database (its reads, the subject key among them, still can).
  const dead = new URL(dbs.hubUrl);
  dead.port = String(await freePort());
  const unwritable = new AuditStore(accessDbOf(dbs.hub), auditWriterPool(dead.toString(), 5_000));
  stores.push(unwritable);
  await unwritable.init();
  const alertId = await alertFor();
  const [queued] = await deliveriesOfAlert(dbs.hub, alertId);
  expect(await worker(unwritable).runOnce()).toMatchObject({ claimed: 1, delivered: 0, retried: 1, dead: 0 });
  expect(r.pushes).toHaveLength(0);
  expect(await pushRows(queued.deliveryId)).toEqual([]);
  expect((await deliveriesOfAlert(dbs.hub, alertId))[0]).toMatchObject({ state: 'PENDING', attempts: 1, lastStatus: null, lastError: 'AUDIT_UNAVAILABLE' });

  // The trail takes rows again: the retry is recorded, then sent.
  const w = worker();
  await until('the retry delivered', () => w.runOnce(), (res) => res.delivered === 1);
  expect(r.pushes.map((p) => [p.deliveryId, p.attempt])).toEqual([[queued.deliveryId, 2]]);
  expect(seen.map((rows) => rows.map((x) => x.operation))).toEqual([[`ALERT_OPENED push, subscription ${sub.subscription.id}, attempt 2`]]);
}, 180_000);

it('sends no push to a client that may not read alerts (made before the check, roles changed since, revoked since) and records none', async () => {
  const accessDb = accessDbOf(dbs.hub);
  const { r: barredReceiver } = await auditingReceiver();
  const { r: allowed, seen } = await auditingReceiver();
  // A charity's client, subscribed before subscriptions checked that the client reads alerts.
  await createClient(accessDb, { name: 'guhuai-charity', department: 'CHARITY', regionScope: '370811', roles: ['CHARITY'], expiresAt: null });
  const charity = await insertSubscription(dbs.hub, { clientId: 'guhuai-charity', callbackUrl: `${barredReceiver.url}/charity`, regionCodes: [WANG_TOWNSHIP], grades: [], triggerIds: [], secret: newSubscriptionSecret(), createdBy: 'before-the-check' });
  // A township's client made an auditor since it subscribed, and one revoked since.
  await subscriberClient(dbs.hub, 'guhuai-now-auditor');
  const demoted = await subscribe(dbs.hub, 'guhuai-now-auditor', `${barredReceiver.url}/auditor`, { regionCodes: [WANG_TOWNSHIP] });
  await subscriberClient(dbs.hub, 'guhuai-revoked');
  const revoked = await subscribe(dbs.hub, 'guhuai-revoked', `${barredReceiver.url}/revoked`, { regionCodes: [WANG_TOWNSHIP] });
  const ok = await subscribe(dbs.hub, 'guhuai-alerts', allowed.url, { regionCodes: [WANG_TOWNSHIP] });
  allowed.setSecret(ok.secret);
  // Queued while each could still be told (a revoked client's subscriptions are queued nothing new).
  const alertId = await alertFor();
  await setClientRoles(accessDb, 'guhuai-now-auditor', ['AUDITOR']);
  await revokeClient(accessDb, 'guhuai-revoked');

  // The charity's subscription is queued nothing: an alert raised from no record of its own does not
  // concern it (domain/monitoring/alerts.ts alertConcerns). The other two are barred when sent.
  expect(await worker().runOnce()).toMatchObject({ claimed: 3, delivered: 1, dead: 2 });
  expect(barredReceiver.pushes).toHaveLength(0);
  expect(allowed.acknowledged()).toHaveLength(1);
  expect(seen.map((rows) => rows.length)).toEqual([1]);
  const bySub = new Map((await deliveriesOfAlert(dbs.hub, alertId)).map((d) => [d.subscriptionId, d]));
  expect(bySub.has(charity.id)).toBe(false);
  const barred = [[demoted.subscription.id, 'ROLE_NOT_ALLOWED'], [revoked.subscription.id, 'CLIENT_REVOKED']] as const;
  for (const [id, why] of barred) {
    const d = bySub.get(id)!;
    expect([d.state, d.lastStatus, d.lastError?.startsWith(`CLIENT_READS_NO_ALERTS (${why})`)]).toEqual(['DEAD', null, true]);
    // Nothing left the hub for it, and nothing was recorded as disclosed.
    expect(await pushRows(d.deliveryId)).toEqual([]);
  }
  expect(bySub.get(ok.subscription.id)!.state).toBe('DELIVERED');
  // Each subscriber's administrators are told why (one notice per subscriber per day).
  const notices = (await deliveryNotices(dbs.hub, '2000-01-01', 50)).filter((n) => ['guhuai-charity', 'guhuai-now-auditor', 'guhuai-revoked'].includes(n.clientId));
  expect(notices.map((n) => n.clientId).sort()).toEqual(['guhuai-now-auditor', 'guhuai-revoked']);
  expect(notices.every((n) => n.message.includes('may no longer read alerts'))).toBe(true);
}, 180_000);
