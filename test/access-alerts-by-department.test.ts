/**
 * Which alerts each kind of demo client reads (docs/access.md, "What each caller sees"). Alerts are
 * civil affairs' work: its clients read every alert in their scope. A city-wide department client
 * (the demo's health bureau) listed every township's alerts with civil affairs' temporary-aid
 * evidence; now a client of another department reads only the alerts it verifies or raised from its
 * own records, and of those it does not verify only its own records' references and evidence. Its
 * subscriptions are pushed only those alerts. Real MariaDB, a real hub, every demo client kind made
 * as `npm start` makes it, a real delivery worker and receivers.
 */
import { eq } from 'drizzle-orm';
import { inScope } from '../access/decide';
import { DEMO_CLIENTS } from '../access/demo-clients';
import { alertDelivery } from '../db/alert-delivery/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { startDelivery, writeWangJobLossAlert, WANG_TOWNSHIP } from './support/alerts';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { until } from './support/until';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const now = () => new Date(`${TODAY}T02:00:00.000Z`);
const tokens = new Map<string, string>();

/** The four alerts of the Wang household (古槐街道), by what they were raised from and who verifies them. */
const ALERTS = {
  /** Civil affairs' temporary aid twice in 12 months (T7's kind): the township verifies. */
  tempAid: { evidenceRefs: ['CIVIL_AFFAIRS:temp:1', 'CIVIL_AFFAIRS:temp:2'], evidence: ['12个月内2次临时救助'], verifierOffice: WANG_TOWNSHIP },
  /** A hospital stay of 医保's: the township verifies. */
  stay: { evidenceRefs: ['HEALTH:settlement:S1'], evidence: ['住院结算 S1 个人负担 12000.00 元'], verifierOffice: WANG_TOWNSHIP },
  /** A stay and civil affairs' 低保 together (a rule's finding): the township verifies. */
  mixed: { evidenceRefs: ['CIVIL_AFFAIRS:dibao:1', 'HEALTH:settlement:S2'], evidence: ['低保户住院个人负担超标'], verifierOffice: WANG_TOWNSHIP },
  /** A job loss of the union's files that 人社 verifies (a locality's trigger naming it). */
  job: { evidenceRefs: ['HUMAN_RESOURCES:sy:1', 'UNION:kn:1'], evidence: ['2026-03-10 失业（失业登记）'], verifierOffice: 'HUMAN_RESOURCES' },
};
type AlertName = keyof typeof ALERTS;
const ids = {} as Record<AlertName, string>;
const nameOf = (id: string) => (Object.keys(ids) as AlertName[]).find((k) => ids[k] === id);

beforeAll(async () => {
  dbs = await createTestDatabases('alerts_by_department');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  for (const [name, a] of Object.entries(ALERTS)) ids[name as AlertName] = await writeWangJobLossAlert(dbs, { identity: `alerts-by-department-${name}`, householdId: wangId, now, ...a });
  hub = await startTestHub(dbs, { purpose: 'MONITORING', clock: now, client: null });
  for (const c of DEMO_CLIENTS) tokens.set(c.name, (await hub.createClient({ name: c.name, department: c.department, regionScope: c.regionScope, roles: c.roles })).token);
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const LIST = `{ alerts(first: 50) { totalCount edges { node { id } } } }`;
const as = (name: string) => hub.as({ token: tokens.get(name)!, purpose: 'MONITORING' });

/** What each demo client lists: civil affairs all in its scope; another department what concerns it; the rest nothing or refused. */
function expected(c: (typeof DEMO_CLIENTS)[number]): AlertName[] | 'REFUSED' {
  if (!c.roles.includes('READER') && !c.roles.includes('CASEWORKER')) return 'REFUSED';
  if (!inScope(c.regionScope, '370811001001')) return [];
  const byDepartment: Record<string, AlertName[]> = { CIVIL_AFFAIRS: ['tempAid', 'stay', 'mixed', 'job'], HEALTH: ['stay', 'mixed'], HUMAN_RESOURCES: ['job'], UNION: ['job'] };
  return byDepartment[c.department] ?? [];
}

it('lists to each demo client kind only the alerts it may read: civil affairs all in its scope, another department those it verifies or raised from its own records', async () => {
  const seen: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const c of DEMO_CLIENTS) {
    const res = await as(c.name).gql(LIST);
    const e = expected(c);
    want[c.name] = e === 'REFUSED' ? 'FORBIDDEN' : { names: [...e].sort(), totalCount: e.length };
    seen[c.name] = res.errors ? res.errors[0].extensions?.code : { names: res.data.alerts.edges.map((x: { node: { id: string } }) => nameOf(x.node.id)).sort(), totalCount: res.data.alerts.totalCount };
  }
  expect(seen).toEqual(want);
  // The walk's finding: the city's health bureau no longer lists civil affairs' temporary aid.
  expect((seen['demo-health'] as { names: string[] }).names).not.toContain('tempAid');
});

it('answers alert(id) of an alert that does not concern a department as not found, as one outside its scope', async () => {
  for (const [client, name, found] of [
    ['demo-health', 'tempAid', false],
    ['demo-health', 'job', false],
    ['demo-health', 'stay', true],
    ['demo-education', 'stay', false],
    ['demo-human-resources', 'job', true],
    ['demo-human-resources', 'stay', false],
    ['demo-civil-affairs', 'tempAid', true],
  ] as const) {
    const res = await as(client).gql(`query($id: ID!) { alert(id: $id) { id } }`, { id: ids[name] });
    expect({ client, name, errors: res.errors, alert: res.data?.alert ?? null }).toEqual({ client, name, errors: undefined, alert: found ? { id: ids[name] } : null });
  }
});

it('shows a department only its own records of an alert it does not verify, and the verifier all of them', async () => {
  const READ = `query($id: ID!) { alert(id: $id) { id evidenceReferences } }`;
  const EVIDENCE = `query($id: ID!) { alert(id: $id) { evidence } }`;
  const health = as('demo-health');
  // Its own stay: the references and the lines are all its own.
  expect((await health.gql(READ, { id: ids.stay })).data.alert.evidenceReferences).toEqual(['HEALTH:settlement:S1']);
  expect((await health.gql(EVIDENCE, { id: ids.stay })).data.alert.evidence).toEqual(ALERTS.stay.evidence);
  // A stay beside civil affairs' 低保: only its own reference; the lines, which tell of both, refused.
  expect((await health.gql(READ, { id: ids.mixed })).data.alert.evidenceReferences).toEqual(['HEALTH:settlement:S2']);
  const mixed = await health.gql(EVIDENCE, { id: ids.mixed });
  expect(mixed.errors?.map((e) => [e.extensions?.code, e.extensions?.reason, e.path?.join('.')])).toEqual([['FORBIDDEN', 'OTHER_DEPARTMENT_DATA', 'alert.evidence']]);
  // 人社 verifies the job loss: every reference (the union's too), as the township reads a township's.
  expect((await as('demo-human-resources').gql(READ, { id: ids.job })).data.alert.evidenceReferences).toEqual(ALERTS.job.evidenceRefs);
  // The union reads it for its own file: its reference only.
  expect((await as('demo-union').gql(READ, { id: ids.job })).data.alert.evidenceReferences).toEqual(['UNION:kn:1']);
  // Civil affairs reads everything, as before.
  const city = await as('demo-civil-affairs').gql(`query($id: ID!) { alert(id: $id) { evidence evidenceReferences } }`, { id: ids.mixed });
  expect(city.data.alert).toEqual({ evidence: ALERTS.mixed.evidence, evidenceReferences: ALERTS.mixed.evidenceRefs });
});

it('pushes to a department’s subscription only the alerts it may read', async () => {
  const delivery = await startDelivery(dbs);
  try {
    const health = await delivery.subscribe('alerts-by-department-health-system', 'HEALTH', '370800', ['370800']);
    const county = await delivery.subscribe('alerts-by-department-county-platform', 'CIVIL_AFFAIRS', '370811', ['370811']);
    const tempAid = await writeWangJobLossAlert(dbs, { identity: 'alerts-by-department-push-temp', householdId: wangId, now, ...ALERTS.tempAid });
    const stay = await writeWangJobLossAlert(dbs, { identity: 'alerts-by-department-push-stay', householdId: wangId, now, ...ALERTS.stay });
    await county.receiver.waitFor(2);
    await health.receiver.waitFor(1);
    const rows = await until(
      'both pushes of the county delivered',
      () => dbs.hub.select().from(alertDelivery),
      (all) => all.filter((d) => String(d.subscriptionId) === county.subscriptionId && d.state === 'DELIVERED').length === 2,
    );
    const toHealth = rows.filter((d) => String(d.subscriptionId) === health.subscriptionId).map((d) => d.alertId);
    expect(toHealth).toEqual([stay]);
    expect(health.receiver.pushes.map((p) => p.body.alert.id)).toEqual([stay]);
    expect(rows.filter((d) => String(d.subscriptionId) === county.subscriptionId).map((d) => d.alertId).sort()).toEqual([tempAid, stay].sort());
    expect((await dbs.hub.select().from(alertDelivery).where(eq(alertDelivery.alertId, tempAid))).map((d) => String(d.subscriptionId))).toEqual([county.subscriptionId]);
  } finally {
    await delivery.close();
  }
});
