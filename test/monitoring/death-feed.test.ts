/**
 * A death recorded at the hub opens its alert at the next poll. Deaths are the hub's own person data
 * (civil affairs' register, `person.csv` of `npm run import`), which had no change feed: the head of
 * the Wang household, on 低保, imported as dead today opened nothing after any number of polls, and
 * `T3_DEATH_ON_ROLL` waited for the next monthly comparison, weeks on. Now the person table carries a
 * change marker and the poller reads it as a department's table: the real import into a real hub,
 * a poller ticking on its own, the alert in 古槐街道's inbox and its signed push at a real receiver.
 * The monthly comparison afterwards finds it open and raises nothing; the same file imported again,
 * and a living member's name corrected, open nothing either.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { eq } from 'drizzle-orm';
import { monitoringAlert, monitoringAlertEvent } from '../../db/monitoring/schema';
import { alertDelivery } from '../../db/alert-delivery/schema';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, runMonthlyComparison } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { AlertDeliveryWorker } from '../../resolvers/alert-delivery/worker';
import { deliveriesOfAlert } from '../../db/alert-delivery/store';
import type { AuditStore } from '../../access/audit';
import { importDir } from '../../tools/import/index';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';
import { subscribe, subscriberClient } from '../alert-delivery/scenario';
import { startAlertReceiver, type AlertReceiver } from '../support/alert-receiver';
import { deliveryAudit } from '../support/alerts';
import { withDbClocks } from '../support/db-clock';
import { until } from '../support/until';

jest.setTimeout(240_000);

let dbs: TestDatabases;
let poller: MonitoringPoller | undefined;
let worker: AlertDeliveryWorker | undefined;
let receiver: AlertReceiver | undefined;
let audit: AuditStore | undefined;
let work: string;
const now = new Date(`${TODAY}T02:00:00.000Z`);
const DIED = '2026-03-10';

const alertsOf = (idNumber: string) => dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, idNumber)).orderBy(monitoringAlert.id);
const everyAlert = () => dbs.hub.select({ id: monitoringAlert.id, triggerId: monitoringAlert.triggerId, grade: monitoringAlert.grade, state: monitoringAlert.state }).from(monitoringAlert).orderBy(monitoringAlert.id);
const pushes = () => dbs.hub.select({ id: alertDelivery.id, alertId: alertDelivery.alertId, event: alertDelivery.event }).from(alertDelivery).orderBy(alertDelivery.id);

/** A folder holding one person.csv of these rows (the Wang household's people, as civil affairs' register has them). */
function personFile(name: string, rows: { id: string; name: string; gender: 'M' | 'F'; birth: string; death?: string }[]): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'person.csv'), ['id_number,name,gender,birth_date,death_date', ...rows.map((r) => `${r.id},${r.name},${r.gender},${r.birth},${r.death ?? ''}`)].join('\n') + '\n');
  return dir;
}

async function load(dir: string): Promise<void> {
  const result = await importDir(dir, dbs.hubUrl, { today: TODAY, env: {} });
  expect({ ok: result.ok, problems: result.problems }).toEqual({ ok: true, problems: [] });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-death-feed-'));
  dbs = await createTestDatabases('alert_death_feed');
  await insertRegions(dbs);
  // The household written a minute back on the databases' clocks: older than the commit lag when
  // the poller first looks, so no feed's first poll reads its rows (a first poll reads the rows of
  // the last lag's seconds, federation/change-feed.ts currentMark). Written just before, 低保's
  // rows were read by 民政's first polls, which evaluate the household with the hub's person data
  // as it is then: once the death was imported, they opened T3 before the person feed read the
  // death's row, and the poller could stop with that row unread; the correction's poll below then
  // read it with the spouse's (CI: rows 2, not 1; test/monitoring/feed-first-sight.test.ts).
  await withDbClocks(dbs, new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000), (past) => insertWang(past));
  await subscriberClient(dbs.hub, 'guhuai-alerts', '370811');
});

afterAll(async () => {
  await worker?.stop();
  await poller?.stop();
  await audit?.close();
  await receiver?.close();
  await dbs?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

it('opens T3 at the next poll after a death is imported, once, whatever the monthly comparison and re-imports do', async () => {
  receiver = await startAlertReceiver();
  const sub = await subscribe(dbs.hub, 'guhuai-alerts', `${receiver.url}/guhuai`, { regionCodes: ['370811001'] });
  receiver.setSecret(sub.secret);
  const deps: DetectDeps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => now };
  // The month's comparison has run before the death: what it opened is the household's background.
  await runMonthlyComparison(deps, '370800');
  const before = await everyAlert();
  expect(await alertsOf(WANG.head)).toEqual([]);

  // A poller ticking on its own, as a hub process runs it (npm start: every 30 s); no monthly comparison.
  poller = new MonitoringPoller(deps, { intervalMs: { default: 200 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 });
  poller.start();
  // Its first sight of the person table starts at its current end (the comparison covered the past).
  await until('the person table’s watermark', () => dbs.hub.execute(`SELECT source_table FROM monitoring_watermark WHERE source_table LIKE 'HUB:%'`), ([rows]) => (rows as unknown as unknown[]).length > 0);

  // Civil affairs' register: 王建国, head of household and on 低保, died on 10 March; imported today.
  const people = [
    { id: WANG.head, name: '王建国', gender: 'M' as const, birth: '1975-04-12', death: DIED },
    { id: WANG.spouse, name: '李秀兰', gender: 'F' as const, birth: '1977-09-03' },
  ];
  const deathFile = personFile('death', people);
  await load(deathFile);
  const [t3] = await until('the death’s alert', () => alertsOf(WANG.head), (rows) => rows.length > 0);
  expect(t3).toMatchObject({ triggerId: 'T3_DEATH_ON_ROLL', detectedBy: 'POLL', regionCode: WANG.regionCode, townshipCode: '370811001', state: 'NEW', firstClueOn: TODAY });
  // Only the alert about the one who died: the rest of the household is as the comparison left it.
  expect(await alertsOf(WANG.head)).toHaveLength(1);
  expect(await everyAlert()).toEqual([...before, { id: t3.id, triggerId: 'T3_DEATH_ON_ROLL', grade: t3.grade, state: 'NEW' }]);

  // Pushed at once, signed, to the township's receiver.
  audit = await deliveryAudit(dbs);
  worker = new AlertDeliveryWorker(dbs.hub, audit, { pollMs: 100, retryScheduleMs: [60_000], retryJitter: 0, httpTimeoutMs: 30_000, batchSize: 50, concurrency: 4, callbackHosts: ['127.0.0.1:*'] }, pino({ level: 'silent' }));
  worker.start();
  await until('the death’s push delivered', () => deliveriesOfAlert(dbs.hub, String(t3.id)), (rows) => rows.some((d) => d.state === 'DELIVERED'));
  expect(receiver.acknowledged().filter((p) => p.body.alert.id === String(t3.id)).map((p) => [p.body.event, p.body.alert.trigger])).toEqual([['ALERT_OPENED', 'T3_DEATH_ON_ROLL']]);
  await worker.stop();
  worker = undefined;
  await poller.stop();
  const pushed = await pushes();

  // The monthly comparison of the township afterwards: the same alert, raised nothing, pushed nothing.
  await runMonthlyComparison(deps, '370800');
  expect(await alertsOf(WANG.head)).toEqual([t3]);
  expect((await dbs.hub.select({ action: monitoringAlertEvent.action }).from(monitoringAlertEvent).where(eq(monitoringAlertEvent.alertId, t3.id))).map((e) => e.action)).toEqual(['OPENED']);
  expect(await pushes()).toEqual(pushed);

  // The same file imported again changes no row; then the spouse's name is corrected (a living
  // person's change, read by the poll): once the poll has read it, nothing new was opened or pushed.
  poller = new MonitoringPoller(deps, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 });
  expect(await poller.deaths()).toMatchObject({ polled: true, alertsChanged: 0 });
  await load(deathFile);
  await load(personFile('corrected', [people[0], { ...people[1], name: '李秀蘭' }]));
  const read = await until('the correction read', () => poller!.deaths(), (r) => r.rows > 0);
  expect(read).toMatchObject({ rows: 1, alertsChanged: 0 });
  expect(await alertsOf(WANG.head)).toEqual([t3]);
  expect(await everyAlert()).toEqual([...before, { id: t3.id, triggerId: 'T3_DEATH_ON_ROLL', grade: t3.grade, state: 'NEW' }]);
  expect(await pushes()).toEqual(pushed);
});
