/**
 * Who acted on an alert, named as Alert.verifier names its office: `AlertEvent.office`. The history
 * gave a bare stored key (`CIVIL_AFFAIRS`, `370811001`, `HUB`) where the verifier and the takeover
 * read 任城区民政局 and 古槐街道. A department's office is that of the county the alert was in when
 * it acted, not where the alert is now: the Wang grandmother's alert, taken over by 任城区民政局,
 * then moved with her to 微山县夏镇街道, still names 任城区民政局 for the takeover. The hub's own
 * events (opened, moved) name no office.
 */
import { and, eq } from 'drizzle-orm';
import { householdMember } from '../../db/household/schema';
import { monitoringAlert } from '../../db/monitoring/schema';
import { healthScenario } from '../../federation/health/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, insertZhao, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let zhaoId: number;
let now = new Date(`${TODAY}T02:00:00.000Z`);

const GUHUAI = '370811001';
const XIAZHEN = '370826100';
const HISTORY = `query($id: ID!) { alert(id: $id) { verifier { key } history { action actor actorOffice office { key name department { code } township { code } county { code } } } } }`;

beforeAll(async () => {
  dbs = await createTestDatabases('alert_history_offices');
  await insertRegions(dbs);
  await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  // The city's civil affairs reads every alert of the city, before and after the move.
  hub = await startTestHub(dbs, { today: '2026-03-17', purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('names each office with the place it acted for, the county a department acted in kept after the alert moves', async () => {
  const triggers = activeTriggerSet();
  const deps: DetectDeps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: { ...triggers, triggers: triggers.triggers.filter((t) => t.id === 'T2_OOP_12_MONTHS') }, ruleSet: activeRuleSet(), now: () => now };
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', { setlId: 'SETL20260201001', psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-01', dscgDate: '2026-02-01', setlDate: '2026-02-01', diseName: '脑梗死', medfeeSumamt: '90000.00', hifpPay: '1000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '4000.00' });
  await runMonthlyComparison(deps, '370800');
  const [opened] = await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, WANG.grandmother));
  expect(opened).toMatchObject({ townshipCode: GUHUAI, verifierOffice: GUHUAI });
  const id = String(opened.id);

  // 古槐 signs for it; 任城区民政局 takes it over.
  const guhuai = await hub.createClient({ regionScope: GUHUAI, roles: ['READER', 'CASEWORKER'] });
  const signed = await hub.as({ token: guhuai.token, purpose: 'MONITORING' }).gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId: id } });
  expect(signed.data.alertAcknowledge.userErrors).toEqual([]);
  const county = await hub.createClient({ regionScope: '370811', roles: ['READER', 'CASEWORKER'] });
  const taken = await hub.as({ token: county.token, purpose: 'MONITORING' }).gql(`mutation($i: AlertTakeOverInput!) { alertTakeOver(input: $i) { userErrors { code } } }`, { i: { alertId: id, reason: '县民政局督办' } });
  expect(taken.data.alertTakeOver.userErrors).toEqual([]);

  const civilAffairsOf = (countyCode: string, name: string) => ({ key: 'CIVIL_AFFAIRS', name, department: { code: 'CIVIL_AFFAIRS' }, township: null, county: { code: countyCode } });
  const guhuaiOffice = { key: GUHUAI, name: '古槐街道', department: null, township: { code: GUHUAI }, county: { code: '370811' } };
  const before = (await hub.gql(HISTORY, { id })).data.alert;
  expect(before.history).toEqual([
    { action: 'OPENED', actor: 'hub', actorOffice: 'HUB', office: null },
    { action: 'ACKNOWLEDGED', actor: guhuai.name, actorOffice: GUHUAI, office: guhuaiOffice },
    { action: 'TAKEN_OVER', actor: county.name, actorOffice: 'CIVIL_AFFAIRS', office: civilAffairsOf('370811', '任城区民政局') },
  ]);

  // She moves in with the Zhaos of 微山县夏镇街道: the alert follows her, to 夏镇 to verify.
  await dbs.hub.insert(householdMember).values({ householdId: zhaoId, idNumber: WANG.grandmother, relation: 'PARENT', joinedOn: '2026-03-16' });
  await dbs.hub.update(householdMember).set({ leftOn: '2026-03-16' }).where(and(eq(householdMember.idNumber, WANG.grandmother), eq(householdMember.householdId, opened.householdId!)));
  now = new Date('2026-03-17T02:00:00.000Z');
  await runMonthlyComparison(deps, '370800');
  const xiazhen = await hub.createClient({ regionScope: XIAZHEN, roles: ['READER', 'CASEWORKER'] });
  const signedThere = await hub.as({ token: xiazhen.token, purpose: 'MONITORING' }).gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId: id } });
  expect(signedThere.data.alertAcknowledge.userErrors).toEqual([]);

  // The takeover still names 任城区民政局: the county the alert was in then, not 微山县's office.
  const after = (await hub.gql(HISTORY, { id })).data.alert;
  expect(after.verifier).toEqual({ key: XIAZHEN });
  expect(after.history).toEqual([
    ...before.history,
    { action: 'MOVED', actor: 'hub', actorOffice: 'HUB', office: null },
    { action: 'ACKNOWLEDGED', actor: xiazhen.name, actorOffice: XIAZHEN, office: { key: XIAZHEN, name: '夏镇街道', department: null, township: { code: XIAZHEN }, county: { code: '370826' } } },
  ]);
});
