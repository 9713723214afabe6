/**
 * overdueReport over a village (村): a village assistance officer's client (scope a 12-digit village
 * code) reads its village's late alerts and its village's households' overdue cases, and a
 * township's client asking about one of its villages reads that village's. The lists took a village
 * for its whole township: the village's client was refused the whole report (FORBIDDEN on a sibling
 * village's alert, then on a case's id, its own village's too, data null) and the township's was
 * given every village's alerts and cases. Cases are kept by township: a case is the village's by its
 * household's. Real MariaDB, a real hub, the poller writing the alerts.
 */
import { and, eq } from 'drizzle-orm';
import { monitoringAlert } from '../../db/monitoring/schema';
import { region } from '../../db/household/schema';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller } from '../../resolvers/monitoring/poller';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';

jest.setTimeout(180_000);

const VILLAGE = '370811001001';
const SIBLING = '370811001002';

let dbs: TestDatabases;
let poller: MonitoringPoller;
let village: TestHub;
let township: TestHub;
const now = new Date(`${TODAY}T02:00:00.000Z`);

const jobLossAlertOf = async (subject: string) => {
  const [a] = await dbs.hub.select().from(monitoringAlert).where(and(eq(monitoringAlert.subjectIdNumber, subject), eq(monitoringAlert.triggerId, 'T4_JOB_LOSS')));
  return String(a.id);
};

let ours: string;
let theirs: string;
let ourCase: string;
let theirCase: string;
let openCase: (householdId: number) => Promise<string>;

beforeAll(async () => {
  dbs = await createTestDatabases('overdue_village');
  await insertRegions(dbs);
  await dbs.hub.insert(region).values({ code: SIBLING, name: '北门社区', level: 'VILLAGE', parentCode: '370811001' });
  const here = await insertResident(dbs, { prefix: 'OV', seq: 11, birthDate: '1980-05-01', regionCode: VILLAGE });
  const there = await insertResident(dbs, { prefix: 'OV', seq: 13, birthDate: '1981-06-02', regionCode: SIBLING });
  poller = new MonitoringPoller({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => now }, { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null });
  await poller.tick('HUMAN_RESOURCES');
  for (const idNumber of [here.idNumber, there.idNumber]) {
    await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentRegistrations', { sfzhm: idNumber, syrq: '2026-03-10', djrq: '2026-03-12', ygzdw: '某机械有限公司', syyy: '02' });
  }
  expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ rows: 2 });
  ours = await jobLossAlertOf(here.idNumber);
  theirs = await jobLossAlertOf(there.idNumber);
  const clock = () => now;
  village = await startTestHub(dbs, { clock, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: VILLAGE, roles: ['READER', 'CASEWORKER'] } });
  township = await startTestHub(dbs, { clock, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370811001', roles: ['READER', 'CASEWORKER'] } });
  // An application from each household, taken up by the township and left: late by May.
  const caseworker = township.as({ purpose: 'CASE_MEETING' }).gql;
  openCase = async (householdId: number) => {
    const res = await caseworker(OPEN, { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '家庭收入骤减' } });
    expect(res.data.caseOpen.userErrors).toEqual([]);
    return res.data.caseOpen.case.id as string;
  };
  ourCase = await openCase(here.householdId);
  theirCase = await openCase(there.householdId);
});

afterAll(async () => {
  await village?.close();
  await township?.close();
  await poller?.stop();
  await dbs?.close();
});

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;

// Well past both alerts' 签收, verification and decision days, neither taken up.
const REPORT = `query($region: String) { overdueReport(asOf: "2026-05-01T10:00:00+08:00", regionCode: $region) { alerts { id } alertsUnacknowledged { id } alertsDecisionLate { id } } }`;
const ids = (r: { alerts: { id: string }[]; alertsUnacknowledged: { id: string }[]; alertsDecisionLate: { id: string }[] }) => ({
  alerts: r.alerts.map((a) => a.id),
  alertsUnacknowledged: r.alertsUnacknowledged.map((a) => a.id),
  alertsDecisionLate: r.alertsDecisionLate.map((a) => a.id),
});

it("gives a village's client its village's late alerts, not refuses the report over a sibling village's", async () => {
  const res = await village.gql(REPORT);
  expect(res.errors).toBeUndefined();
  expect(ids(res.data.overdueReport)).toEqual({ alerts: [ours], alertsUnacknowledged: [ours], alertsDecisionLate: [ours] });
});

it('narrows a township client’s report to the village it names, and the township’s holds both', async () => {
  const narrowed = await township.gql(REPORT, { region: VILLAGE });
  expect(narrowed.errors).toBeUndefined();
  expect(ids(narrowed.data.overdueReport)).toEqual({ alerts: [ours], alertsUnacknowledged: [ours], alertsDecisionLate: [ours] });
  const whole = await township.gql(REPORT);
  expect(whole.errors).toBeUndefined();
  const both = [ours, theirs].sort();
  const sorted = ids(whole.data.overdueReport);
  expect({ alerts: [...sorted.alerts].sort(), alertsUnacknowledged: [...sorted.alertsUnacknowledged].sort(), alertsDecisionLate: [...sorted.alertsDecisionLate].sort() }).toEqual({ alerts: both, alertsUnacknowledged: both, alertsDecisionLate: both });
});

it('refuses a village client the township around it, as any division outside its scope', async () => {
  const res = await village.gql(REPORT, { region: '370811001' });
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
});

const CASES = `query($region: String) { overdueReport(asOf: "2026-05-01T10:00:00+08:00", regionCode: $region) {
  byOffice { cases { case { id } } } byTownship { cases { case { id } } } byCounty { cases { case { id } } } } }`;
type Groups = { cases: { case: { id: string } }[] }[];
/** The cases each list holds (a case late on two deadlines is listed twice): byOffice, byTownship, byCounty. */
const caseIds = (r: { byOffice: Groups; byTownship: Groups; byCounty: Groups }) =>
  [r.byOffice, r.byTownship, r.byCounty].map((groups) => [...new Set(groups.flatMap((g) => g.cases.map((c) => c.case.id)))].sort());

it("gives a village's client its village's households' overdue cases, not refuses the report over a sibling village's", async () => {
  const res = await village.gql(CASES);
  expect(res.errors).toBeUndefined();
  expect(caseIds(res.data.overdueReport)).toEqual([[ourCase], [ourCase], [ourCase]]);
});

it("narrows a township client's case lists to the village it names, and the township's hold both", async () => {
  const narrowed = await township.gql(CASES, { region: VILLAGE });
  expect(narrowed.errors).toBeUndefined();
  expect(caseIds(narrowed.data.overdueReport)).toEqual([[ourCase], [ourCase], [ourCase]]);
  const whole = await township.gql(CASES);
  expect(whole.errors).toBeUndefined();
  const both = [ourCase, theirCase].sort();
  expect(caseIds(whole.data.overdueReport)).toEqual([both, both, both]);
});

it("reads a village's cases in the same statements however many its households have", async () => {
  const one = await village.gql(CASES);
  const neighbour = await insertResident(dbs, { prefix: 'OV', seq: 15, birthDate: '1979-02-03', regionCode: VILLAGE });
  const another = await openCase(neighbour.householdId);
  const two = await village.gql(CASES);
  expect(two.errors).toBeUndefined();
  expect(caseIds(two.data.overdueReport)[1]).toEqual([ourCase, another].sort());
  expect(one.extensions?.sqlStatements?.total).toBeGreaterThan(0);
  expect(two.extensions?.sqlStatements?.bySource).toEqual(one.extensions?.sqlStatements?.bySource);
});
