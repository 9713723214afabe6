/**
 * The county's supervision view of alerts as of a past instant (overdueReport(asOf)): "the work as
 * it stood then", as it is for slips and cases. An alert a township left unsigned and unverified
 * past its days, and took up only after the instant asked about, was late then and is listed; one
 * closed before it is not. Real MariaDB, a real hub, the poller writing the alerts.
 */
import { and, eq } from 'drizzle-orm';
import { monitoringAlert } from '../../db/monitoring/schema';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller } from '../../resolvers/monitoring/poller';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, insertZhao, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let poller: MonitoringPoller;
let township: TestHub;
let county: TestHub;
/** The one clock of the poller and both hubs: a test moves it instead of waiting. */
let now = new Date(`${TODAY}T02:00:00.000Z`);
const at = (chinaDay: string) => new Date(`${chinaDay}T02:00:00.000Z`);

const alertOf = async (subject: string) => {
  const [a] = await dbs.hub.select().from(monitoringAlert).where(and(eq(monitoringAlert.subjectIdNumber, subject), eq(monitoringAlert.triggerId, 'T4_JOB_LOSS')));
  return a;
};

beforeAll(async () => {
  dbs = await createTestDatabases('overdue_as_of');
  await insertRegions(dbs);
  await insertWang(dbs);
  await insertZhao(dbs);
  poller = new MonitoringPoller({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => now }, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null });
  await poller.tick('HUMAN_RESOURCES');
  const clock = () => now;
  township = await startTestHub(dbs, { clock, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
  county = await startTestHub(dbs, { clock, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await township?.close();
  await county?.close();
  await poller?.stop();
  await dbs?.close();
});

const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`;
const VERIFY = `mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { state } userErrors { code } } }`;

async function report(asOf: string): Promise<{ alerts: string[]; alertsUnacknowledged: string[] }> {
  const res = await county.gql(`query($asOf: DateTime) { overdueReport(asOf: $asOf) { alerts { id } alertsUnacknowledged { id } } }`, { asOf });
  expect(res.errors).toBeUndefined();
  return { alerts: res.data.overdueReport.alerts.map((a: { id: string }) => a.id), alertsUnacknowledged: res.data.overdueReport.alertsUnacknowledged.map((a: { id: string }) => a.id) };
}

it('lists as of a past instant the alerts late then, though the township took them up since, and not those it had closed before', async () => {
  // Two job losses of 古槐街道 seen on 15 March: 签收 by the 16th, verification by the 30th.
  await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentRegistrations', { sfzhm: WANG.spouse, syrq: '2026-03-10', djrq: '2026-03-12', ygzdw: '某纺织有限公司', syyy: '02' });
  await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentRegistrations', { sfzhm: WANG.head, syrq: '2026-03-10', djrq: '2026-03-12', ygzdw: '某机械有限公司', syyy: '02' });
  expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ rows: 2 });
  const early = await alertOf(WANG.spouse);
  const late = await alertOf(WANG.head);
  expect([early.acknowledgeBy, early.verifyBy, late.acknowledgeBy, late.verifyBy]).toEqual(['2026-03-16', '2026-03-30', '2026-03-16', '2026-03-30']);

  // 2 April: the township signs for and verifies the first, late; 8 April the second, later still.
  now = at('2026-04-02');
  expect((await township.gql(ACK, { i: { alertId: String(early.id) } })).data.alertAcknowledge.userErrors).toEqual([]);
  expect((await township.gql(VERIFY, { i: { alertId: String(early.id), outcome: 'NO_NEED', reason: '已就业' } })).data.alertVerify.userErrors).toEqual([]);
  now = at('2026-04-08');
  expect((await township.gql(ACK, { i: { alertId: String(late.id) } })).data.alertAcknowledge.userErrors).toEqual([]);
  expect((await township.gql(VERIFY, { i: { alertId: String(late.id), outcome: 'NO_NEED', reason: '已就业' } })).data.alertVerify.userErrors).toEqual([]);
  now = at('2026-04-10');

  // As of 1 April both were unsigned and past both days.
  const first = await report('2026-04-01T09:00:00+08:00');
  expect(first.alerts).toEqual(expect.arrayContaining([String(early.id), String(late.id)]));
  expect(first.alertsUnacknowledged).toEqual(expect.arrayContaining([String(early.id), String(late.id)]));
  // As of 5 April the first was closed; the second still unsigned and overdue.
  const fifth = await report('2026-04-05T09:00:00+08:00');
  expect(fifth.alerts).toContain(String(late.id));
  expect(fifth.alertsUnacknowledged).toContain(String(late.id));
  expect(fifth.alerts).not.toContain(String(early.id));
  expect(fifth.alertsUnacknowledged).not.toContain(String(early.id));
  // As of 16 March (its 签收 day, before verification was due) nothing was late yet.
  expect(await report('2026-03-16T18:00:00+08:00')).toEqual({ alerts: [], alertsUnacknowledged: [] });
  // Now, both closed: neither is listed.
  const today = await report('2026-04-10T10:00:00+08:00');
  expect(today.alerts).not.toContain(String(late.id));
  expect(today.alertsUnacknowledged).not.toContain(String(late.id));
});

it('measures each alert listed as of a future instant at that day: overdue, not signed for in time and escalated by then, if nothing changes', async () => {
  now = at('2026-04-10');
  await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentRegistrations', { sfzhm: WANG.grandmother, syrq: '2026-04-09', djrq: '2026-04-09', ygzdw: '某商贸有限公司', syyy: '02' });
  expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ rows: 1 });
  const a = await alertOf(WANG.grandmother);
  const id = String(a.id);
  const ITEM = `{ id overdue acknowledgementOverdue escalatedTo { code } }`;
  const items = async (asOf: string) => {
    const res = await county.gql(`query($asOf: DateTime) { overdueReport(asOf: $asOf) { alerts ${ITEM} alertsUnacknowledged ${ITEM} } }`, { asOf });
    expect(res.errors).toBeUndefined();
    const mine = (list: { id: string }[]) => list.filter((x) => x.id === id);
    return { alerts: mine(res.data.overdueReport.alerts), alertsUnacknowledged: mine(res.data.overdueReport.alertsUnacknowledged) };
  };
  const dayAfter = (day: string) => new Date(Date.parse(`${day}T10:00:00+08:00`) + 86_400_000).toISOString();

  // Today nothing is late.
  expect(await items('2026-04-10T12:00:00+08:00')).toEqual({ alerts: [], alertsUnacknowledged: [] });
  // The day after its 签收 day: not signed for in time, not yet overdue for verification, not escalated.
  expect(await items(dayAfter(a.acknowledgeBy))).toEqual({ alerts: [], alertsUnacknowledged: [{ id, overdue: false, acknowledgementOverdue: true, escalatedTo: null }] });
  // The day after its verification day: overdue and escalated to the county, as the report lists it.
  const late = { id, overdue: true, acknowledgementOverdue: true, escalatedTo: { code: '370811' } };
  expect(await items(dayAfter(a.verifyBy))).toEqual({ alerts: [late], alertsUnacknowledged: [late] });
  // Read on its own, the alert stands as it does today.
  const own = await county.gql(`query($id: ID!) { alert(id: $id) ${ITEM} }`, { id });
  expect(own.data.alert).toEqual({ id, overdue: false, acknowledgementOverdue: false, escalatedTo: null });
});
