/**
 * A condition that turns graver after its alert was closed is an alert again. The township
 * dismissed a YELLOW twelve-month out-of-pocket alert (¥11,010.50, just over the ¥11,000 line);
 * further stays took the sum past the RED line (¥40,000, possible 因病致贫). The closed alert was
 * never raised and the sum, anchored on the window's first stay, kept its identity, so nothing
 * reached the township until that stay left the window. Now a new alert opens at the graver grade
 * (once, by either path), a larger sum at the grade already judged opens nothing, and the new
 * alert is raised as any open one.
 */
import { and, eq } from 'drizzle-orm';
import { monitoringAlert } from '../../db/monitoring/schema';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, runMonthlyComparison } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let deps: DetectDeps;
let poller: MonitoringPoller;
let hub: TestHub;

/** 10:00 in China on the scenario's day. */
const NOW = new Date(`${TODAY}T02:00:00.000Z`);

const t2Alerts = () =>
  dbs.hub
    .select()
    .from(monitoringAlert)
    .where(and(eq(monitoringAlert.subjectIdNumber, WANG.grandmother), eq(monitoringAlert.triggerId, 'T2_OOP_12_MONTHS')))
    .orderBy(monitoringAlert.id);

const stay = (setlId: string, settled: string, psnPay: string) => ({ setlId, psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: settled, dscgDate: settled, setlDate: settled, diseName: '脑梗死', medfeeSumamt: '90000.00', hifpPay: '1000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay });

beforeAll(async () => {
  dbs = await createTestDatabases('alert_graver');
  await insertRegions(dbs);
  await insertWang(dbs);
  deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW };
  poller = new MonitoringPoller(deps, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 1000 });
  await poller.tick('HEALTH');
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await hub?.close();
  await poller?.stop();
  await dbs?.close();
});

it('opens a new alert when a dismissed condition reaches a graver grade, once, and raises that one afterwards', async () => {
  // The grandmother's stay of 2026-01-10 left ¥7,010.50; one more of ¥4,000 passes the ¥10,000 line (a 低保 member: monitored).
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260201001', '2026-02-01', '4000.00'));
  await runMonthlyComparison(deps, '370811');
  const [yellow, ...none] = await t2Alerts();
  expect(none).toHaveLength(0);
  expect(yellow).toMatchObject({ grade: 'YELLOW', measure: 1_101_050, state: 'NEW' });

  const dismissed = await hub.gql(`mutation($i: AlertDismissInput!) { alertDismiss(input: $i) { alert { state } userErrors { code } } }`, { i: { alertId: String(yellow.id), reason: '入户核实：已获医疗救助，无需救助' } });
  expect(dismissed.data.alertDismiss).toEqual({ alert: { state: 'DISMISSED' }, userErrors: [] });

  // A larger sum at the grade the township judged: nothing new.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260210001', '2026-02-10', '1000.00'));
  await runMonthlyComparison(deps, '370811');
  expect((await t2Alerts()).map((a) => [a.id, a.state, a.grade, a.measure])).toEqual([[yellow.id, 'DISMISSED', 'YELLOW', 1_101_050]]);

  // Past the RED line (¥30,000 for monitored people): a new alert, RED, for the township to verify.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260301001', '2026-03-01', '30000.00'));
  await runMonthlyComparison(deps, '370811');
  const [closed, red, ...more] = await t2Alerts();
  expect(more).toHaveLength(0);
  expect(closed).toMatchObject({ id: yellow.id, state: 'DISMISSED', grade: 'YELLOW' });
  expect(red).toMatchObject({ state: 'NEW', grade: 'RED', measure: 4_201_050, townshipCode: '370811001' });
  const inbox = await hub.gql(`{ alerts(filter: { triggers: ["T2_OOP_12_MONTHS"], states: [NEW] }) { edges { node { id grade } } } }`);
  expect(inbox.data.alerts.edges).toEqual([{ node: { id: String(red.id), grade: 'RED' } }]);

  // Seen again by the comparison and by the change feed: the same alert, never a third.
  await runMonthlyComparison(deps, '370811');
  await new Promise((r) => setTimeout(r, 2100));
  await poller.tick('HEALTH');
  expect((await t2Alerts()).map((a) => a.id)).toEqual([yellow.id, red.id]);

  // A still larger sum raises the open RED alert.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260310001', '2026-03-10', '500.00'));
  await runMonthlyComparison(deps, '370811');
  const after = await t2Alerts();
  expect(after.map((a) => [a.id, a.state, a.grade, a.measure])).toEqual([
    [yellow.id, 'DISMISSED', 'YELLOW', 1_101_050],
    [red.id, 'NEW', 'RED', 4_251_050],
  ]);
});
