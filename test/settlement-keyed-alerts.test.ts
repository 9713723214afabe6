/**
 * An alert raised on a hospital stay health holds in lower case and padded (`setl… `), by a release
 * that built its identity from the reference as health returned it, is the same alert once stays are
 * keyed (domain/aid.ts settlementKey): the data upgrade `settlement-keyed:monitoring_alert` gives it
 * the identity this release builds from the stay's key, so the monthly comparison (and the change
 * feed, the same evaluation) sees it again instead of opening a second alert for the same stay; an
 * alert opened graver than a closed one keeps its place in the identity chain. Running the upgrade
 * again changes nothing. Through real databases: the stay in health's own table, the alert in the hub's.
 */
import { and, eq } from 'drizzle-orm';
import { healthScenario } from '../federation/health/scenario';
import { monitoringAlert } from '../db/monitoring/schema';
import { ALERTS_SETTLEMENT_KEYED, runDataUpgrades } from '../db/setup/upgrades';
import { alertIdentity, settlementKeyedAlert } from '../domain/monitoring/evaluate';
import { escalatedIdentity } from '../domain/monitoring/alerts';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { runMonthlyComparison } from '../resolvers/monitoring/poller';
import type { DetectDeps } from '../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(180_000);

const TRIGGER = 'T1_SETTLEMENT_OOP';
/** The spouse's stay as health holds it: lower case, a space after it. */
const HELD = 'setl20260301007 ';
const KEY = 'SETL20260301007';

let dbs: TestDatabases;
let deps: DetectDeps;

const alertsOfStay = () => dbs.hub.select().from(monitoringAlert).where(and(eq(monitoringAlert.subjectIdNumber, WANG.spouse), eq(monitoringAlert.triggerId, TRIGGER)));

beforeAll(async () => {
  dbs = await createTestDatabases('settlement_keyed_alerts');
  await insertRegions(dbs);
  await insertWang(dbs);
  // The spouse's stay, ¥12,000 out of pocket (over every line), as health holds it.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: HELD, psnCertNo: WANG.spouse, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-20', dscgDate: '2026-03-01', setlDate: '2026-03-01', diseName: '肺炎', medfeeSumamt: '30000.00', hifpPay: '18000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '12000.00' },
  ]);
  deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date(`${TODAY}T02:00:00.000Z`) };
}, 180_000);

afterAll(async () => {
  await dbs?.close();
});

test('the upgrade gives an alert raised on the stay as health returned it the identity of its key: seen again, it is the same alert', async () => {
  await runMonthlyComparison(deps, '370800');
  const [raised, ...more] = await alertsOfStay();
  expect(more).toEqual([]);
  expect(JSON.parse(raised.evidenceRefs)).toEqual([`HEALTH:settlement:${KEY}`]);
  // As an earlier release raised it: its identity and evidence built from the reference as returned.
  const asReturned = `HEALTH:settlement:${HELD}`;
  await dbs.hub
    .update(monitoringAlert)
    .set({ identity: alertIdentity(TRIGGER, WANG.spouse, [asReturned]), evidenceRefs: JSON.stringify([asReturned]) })
    .where(eq(monitoringAlert.id, raised.id));
  // As jobs migration 0005 leaves it for the first start of this release.
  await dbs.hubPool.query('UPDATE data_upgrade SET resume_after = 0, rows_changed = 0, finished_at = NULL WHERE name = ?', [ALERTS_SETTLEMENT_KEYED]);

  const report = await runDataUpgrades(dbs.hub, { batch: 1 });
  // Seen again by the monthly comparison: the same alert, none beside it.
  await runMonthlyComparison(deps, '370800');
  expect((await alertsOfStay()).map((a) => a.id)).toEqual([raised.id]);
  expect(report.filter((r) => r.upgrade === ALERTS_SETTLEMENT_KEYED)).toEqual([{ upgrade: ALERTS_SETTLEMENT_KEYED, table: 'monitoring_alert', rowsChanged: 1, tally: { alertsLeftBesideAnother: 0 } }]);
  const [upgraded] = await alertsOfStay();
  expect({ identity: upgraded.identity, evidenceRefs: JSON.parse(upgraded.evidenceRefs) }).toEqual({ identity: raised.identity, evidenceRefs: [`HEALTH:settlement:${KEY}`] });

  // Run again: nothing changes.
  const [state] = await dbs.hubPool.query('SELECT resume_after, rows_changed, finished_at FROM data_upgrade WHERE name = ?', [ALERTS_SETTLEMENT_KEYED]);
  await dbs.hubPool.query("INSERT IGNORE INTO data_upgrade (name) VALUES ('settlement-keyed:monitoring_alert')");
  expect(await runDataUpgrades(dbs.hub, { batch: 1 })).toEqual([]);
  expect((await dbs.hubPool.query('SELECT resume_after, rows_changed, finished_at FROM data_upgrade WHERE name = ?', [ALERTS_SETTLEMENT_KEYED]))[0]).toEqual(state);
  expect(await alertsOfStay()).toEqual([{ ...upgraded, updatedAt: expect.any(String) }]);
});

test('an alert opened graver than a closed one keeps its place in the chain; one naming no stay, or stays keyed, is left', () => {
  const asReturned = `HEALTH:settlement:${HELD}`;
  const keyed = `HEALTH:settlement:${KEY}`;
  const base = { triggerId: TRIGGER, subjectIdNumber: WANG.grandmother };
  expect(settlementKeyedAlert({ ...base, identity: escalatedIdentity(alertIdentity(TRIGGER, WANG.grandmother, [asReturned]), 'RED'), evidenceRefs: [asReturned] })).toEqual({
    identity: escalatedIdentity(alertIdentity(TRIGGER, WANG.grandmother, [keyed]), 'RED'),
    evidenceRefs: [keyed],
  });
  // Anchored on its first stay: another stay's reference keyed in its evidence, the identity kept.
  const anchored = alertIdentity('T2_OOP_12M', WANG.grandmother, [keyed]);
  expect(settlementKeyedAlert({ ...base, triggerId: 'T2_OOP_12M', identity: anchored, evidenceRefs: [keyed, 'HEALTH:settlement:x2'] })).toEqual({ identity: anchored, evidenceRefs: [keyed, 'HEALTH:settlement:X2'] });
  expect(settlementKeyedAlert({ ...base, identity: 'i', evidenceRefs: [keyed] })).toBeNull();
  expect(settlementKeyedAlert({ ...base, identity: 'i', evidenceRefs: ['HUMAN_RESOURCES:x1'] })).toBeNull();
});
