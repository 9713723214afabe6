/**
 * Limits per grade are data (rules/triggers.json, a locality's file on top): a locality that gives
 * RED alerts five days from the first clue to a decision, where YELLOW ones have fifteen, expects a
 * YELLOW alert raised to RED to be due on the RED day. The raise changed the grade and kept the
 * YELLOW deadlines, so a possible 因病致贫 was listed as due ten days after its limit and was not
 * overdue (nor escalated) when it should have been. Now a raise to a graver grade counts that
 * grade's limit from the alert's first clue, never later than the deadline it had.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { monitoringAlert } from '../../db/monitoring/schema';
import { alertDelivery } from '../../db/alert-delivery/schema';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { loadTriggerSet } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';
import { subscribe, subscriberClient } from '../alert-delivery/scenario';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let now = new Date(`${TODAY}T02:00:00.000Z`);

/** The locality's file: RED alerts of T2 are due five calendar days from the first clue, decided within eight. */
function localTriggers() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-')), 'local.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'local', triggers: [{ id: 'T2_OOP_12_MONTHS', limits: { RED: { acknowledgeWorkingDays: 1, verifyDays: 5, decideDays: 8 } } }] }));
  return loadTriggerSet({ AIDHUB_TRIGGERS_FILE: file });
}

const stay = (setlId: string, settled: string, psnPay: string) => ({ setlId, psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: settled, dscgDate: settled, setlDate: settled, diseName: '脑梗死', medfeeSumamt: '90000.00', hifpPay: '1000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay });

const t2Alerts = () =>
  dbs.hub
    .select()
    .from(monitoringAlert)
    .where(and(eq(monitoringAlert.subjectIdNumber, WANG.grandmother), eq(monitoringAlert.triggerId, 'T2_OOP_12_MONTHS')))
    .orderBy(monitoringAlert.id);

beforeAll(async () => {
  dbs = await createTestDatabases('alert_raise_deadlines');
  await insertRegions(dbs);
  await insertWang(dbs);
  await subscriberClient(dbs.hub, 'guhuai-alerts');
  hub = await startTestHub(dbs, { today: '2026-03-21', purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('gives an alert raised to RED the RED limit, counted from its first clue', async () => {
  const deps: DetectDeps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: localTriggers(), ruleSet: activeRuleSet(), now: () => now };
  // The grandmother's stay of 2026-01-10 left ¥7,010.50; one more of ¥4,000 passes the ¥10,000 line (a 低保 member: monitored): YELLOW.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260201001', '2026-02-01', '4000.00'));
  await runMonthlyComparison(deps, '370811');
  const [yellow] = await t2Alerts();
  expect(yellow).toMatchObject({ grade: 'YELLOW', firstClueOn: TODAY, verifyBy: '2026-03-30', decideBy: '2026-03-30' });

  // Two days later the sum passes the RED line (¥30,000 for monitored people): raised, and due five days from the first clue.
  const sub = await subscribe(dbs.hub, 'guhuai-alerts', 'http://127.0.0.1:9/alerts');
  now = new Date('2026-03-17T02:00:00.000Z');
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', stay('SETL20260316001', '2026-03-16', '30000.00'));
  await runMonthlyComparison(deps, '370811');
  const [red, ...none] = await t2Alerts();
  expect(none).toHaveLength(0);
  expect(red).toMatchObject({ id: yellow.id, grade: 'RED', state: 'NEW', firstClueOn: TODAY, acknowledgeBy: '2026-03-16', verifyBy: '2026-03-20', decideBy: '2026-03-23' });
  // The push of the raise carries the deadline the township now has.
  const [push] = await dbs.hub.select().from(alertDelivery).where(and(eq(alertDelivery.subscriptionId, sub.subscription.id), eq(alertDelivery.alertId, String(yellow.id))));
  expect(JSON.parse(push.payload).alert).toMatchObject({ id: String(yellow.id), grade: 'RED', verifyBy: '2026-03-20', decideBy: '2026-03-23' });

  // On 21 March it is overdue, escalated to the county, and in the supervision view.
  const res = await hub.gql(`{ alert(id: "${yellow.id}") { grade verifyBy overdue escalatedTo { code } } overdueReport(regionCode: "370811001", asOf: "2026-03-21T09:00:00+08:00") { alerts { id } } }`);
  expect(res.data).toEqual({ alert: { grade: 'RED', verifyBy: '2026-03-20', overdue: true, escalatedTo: { code: '370811' } }, overdueReport: { alerts: [{ id: String(yellow.id) }] } });
});
