/**
 * From a verified alert to a charity need in one step (charityNeedPublishFromAlert), through a real
 * hub: the township officer who verified the alert publishes the need from the case the
 * verification opened, under the household's consent given at the door (recorded in the same
 * transaction, and not at all when the need is refused); the need carries the case and the alert;
 * the publication is in the audit chain; a charity sees only the public summary.
 */
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/monthly';
import { healthScenario } from '../../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { caseInDeliberation, wangHealthAndHousingMeeting } from '../support/cases';
import { insertRegions, insertWang, moveHousehold, TODAY, WANG, ZHAO } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let alertId: string;
let officer: ReturnType<TestHub['as']>;
let officerName: string;
let townshipToken: string;

const PUBLISH = `mutation($i: CharityNeedPublishFromAlertInput!) { charityNeedPublishFromAlert(input: $i) {
  need { id state purpose urgency involvesHealth uncoveredFen county { code } case { id origin } alert { id state } consent { id scopes givenBy } }
  userErrors { code field } } }`;
const AT_THE_DOOR = { scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'GH-07' };
const NEED = { purpose: 'MEDICAL', uncoveredFen: 1_500_000, description: '老人住院自付费用高，医保和医疗救助后仍有缺口' };

const publish = (i: Record<string, unknown>, as = officer) => as.gql(PUBLISH, { i: { alertId, ...NEED, ...i } });
const rows = async (sql: string, params: unknown[] = []) => (await dbs.hubPool.query(sql, params))[0] as any[];

beforeAll(async () => {
  dbs = await createTestDatabases('charity_alert');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // A stay leaving ¥12,000 to pay: over the ¥10,000 line for people not on the monitored roll.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: 'SETL20260301009', psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-20', dscgDate: '2026-03-01', setlDate: '2026-03-01', diseName: '脑梗死', medfeeSumamt: '60000.00', hifpPay: '48000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '12000.00' },
  ]);
  const now = () => new Date(`${TODAY}T02:00:00.000Z`);
  await runMonthlyComparison({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now }, '370811');
  const [alert] = await rows(`SELECT id FROM monitoring_alert WHERE subject_id_number = ? AND trigger_id = 'T1_SETTLEMENT_OOP'`, [WANG.grandmother]);
  alertId = String(alert.id);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] } });
  const township = await hub.createClient({ regionScope: '370811001', roles: ['READER', 'CASEWORKER'] });
  officerName = township.name;
  townshipToken = township.token;
  officer = hub.as({ token: township.token, purpose: 'MONITORING' });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('refuses an alert not yet verified as NEEDS_AID', async () => {
  const res = await publish({ consent: AT_THE_DOOR });
  expect(res.errors).toBeUndefined();
  expect(res.data.charityNeedPublishFromAlert).toEqual({ need: null, userErrors: [{ code: 'ALERT_NOT_VERIFIED', field: ['input', 'alertId'] }] });
  await officer.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId } });
  const verified = await officer.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { state } case { id } userErrors { code } } }`, { i: { alertId, outcome: 'NEEDS_AID' } });
  expect(verified.data.alertVerify).toMatchObject({ alert: { state: 'VERIFIED' }, case: { id: expect.any(String) }, userErrors: [] });
  // The case the alert opened ends by the alert's decision, not withdrawn (撤回) as one opened by mistake.
  const withdraw = await hub.as({ token: townshipToken, purpose: 'CASE_MEETING' }).gql(
    `mutation($i: CaseTransitionInput!) { caseTransition(input: $i) { case { state } userErrors { code field } } }`,
    { i: { caseId: verified.data.alertVerify.case.id, to: 'WITHDRAWN', reason: '误录' } },
  );
  expect(withdraw.data.caseTransition).toEqual({ case: null, userErrors: [{ code: 'CASE_OPENED_FROM_ALERT', field: ['input', 'to'] }] });
});

it('records no consent when the need is refused (the stay is health data: HEALTH_DATA is needed)', async () => {
  const res = await publish({ consent: { ...AT_THE_DOOR, scopes: ['NEED_PUBLICATION'] } });
  expect(res.data.charityNeedPublishFromAlert).toEqual({ need: null, userErrors: [{ code: 'HEALTH_CONSENT_MISSING', field: ['input', 'consent'] }] });
  expect(await rows('SELECT id FROM charity_consent')).toHaveLength(0);
  const both = await publish({ consent: AT_THE_DOOR, consentId: '1' });
  expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.consentId' });
});

it('publishes the need in one step, from the alert’s case, with the consent given at the door, and audits it', async () => {
  const householdReads = () => rows(`SELECT subject_ref, purpose, outcome FROM access_log WHERE client_name = ? AND subject_kind = 'HOUSEHOLD' AND outcome = 'OK'`, [officerName]);
  const before = await householdReads();
  const res = await publish({ consent: AT_THE_DOOR });
  expect(res.errors).toBeUndefined();
  const { need, userErrors } = res.data.charityNeedPublishFromAlert;
  expect(userErrors).toEqual([]);
  const [alert] = await rows('SELECT case_id, grade FROM monitoring_alert WHERE id = ?', [alertId]);
  expect(need).toMatchObject({
    state: 'OPEN',
    purpose: 'MEDICAL',
    urgency: alert.grade === 'RED' ? 'URGENT' : 'NORMAL',
    involvesHealth: true,
    uncoveredFen: 1_500_000,
    county: { code: '370811' },
    case: { id: String(alert.case_id), origin: 'ALERT' },
    alert: { id: alertId, state: 'VERIFIED' },
    consent: { scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'], givenBy: '户主' },
  });
  const [stored] = await rows('SELECT case_id, household_id, beneficiary_id_number, consent_id FROM charity_need WHERE id = ?', [need.id]);
  expect(stored).toEqual({ case_id: alert.case_id, household_id: wangId, beneficiary_id_number: WANG.grandmother, consent_id: Number(need.consent.id) });
  // In the audit chain: the household, by the officer's client, for its stated purpose.
  const audited = (await householdReads()).slice(before.length);
  expect(audited.length).toBeGreaterThan(0);
  expect(audited).toContainEqual({ subject_ref: String(wangId), purpose: 'MONITORING', outcome: 'OK' });

  // Under the same consent, by its id, a second need of the case.
  const again = await publish({ consentId: need.consent.id, purpose: 'LIVING', involvesHealth: false, description: '家庭收入骤减，基本生活暂时困难' });
  expect(again.data.charityNeedPublishFromAlert.userErrors).toEqual([]);
  expect(again.data.charityNeedPublishFromAlert.need).toMatchObject({ involvesHealth: false, case: { id: String(alert.case_id) } });
  // A description telling of a hospital stay rests on health data, whatever the officer flagged.
  const told = await publish({ consentId: need.consent.id, purpose: 'LIVING', involvesHealth: false, description: '住院期间家庭生活困难' });
  expect(told.data.charityNeedPublishFromAlert.need).toMatchObject({ involvesHealth: true });
});

it('shows a charity only the public summary, and lets no charity or other township publish from the alert', async () => {
  const charity = await hub.createClient({ department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
  const asCharity = hub.as({ token: charity.token, purpose: 'CHARITY_LINKAGE' });
  const summaries = await asCharity.gql(`{ charityNeeds { id category amountBand urgency county { code } } }`);
  expect(summaries.errors).toBeUndefined();
  expect(summaries.data.charityNeeds.map((n: { category: string }) => n.category).sort()).toEqual(['LIVING', 'LIVING', 'MEDICAL']);
  const text = JSON.stringify(summaries.data);
  for (const secret of [WANG.grandmother, WANG.head, '脑梗死', NEED.description, '1500000']) expect(text).not.toContain(secret);
  const refused = await publish({ consent: AT_THE_DOOR }, asCharity);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const other = await hub.createClient({ regionScope: '370826100', roles: ['READER', 'CASEWORKER'] });
  const elsewhere = await publish({ consent: AT_THE_DOOR }, hub.as({ token: other.token, purpose: 'MONITORING' }));
  expect(elsewhere.data.charityNeedPublishFromAlert).toEqual({ need: null, userErrors: [{ code: 'ALERT_NOT_FOUND', field: ['input', 'alertId'] }] });
});

it('publishes a need sent again under its idempotency key once, with one consent (also when both arrive at once); the key reused for another need is refused', async () => {
  const KEYED = `mutation($i: CharityNeedPublishFromAlertInput!) { charityNeedPublishFromAlert(input: $i) { need { id consent { id } } replayed userErrors { code field } } }`;
  const send = (i: Record<string, unknown>) => officer.gql(KEYED, { i: { alertId, ...NEED, purpose: 'REHABILITATION', description: '出院后康复费用仍有缺口', ...i } });
  const counts = async () => (await rows('SELECT (SELECT COUNT(*) FROM charity_consent) AS consents, (SELECT COUNT(*) FROM charity_need) AS needs'))[0];
  const before = await counts();
  const atTheDoor = { consent: AT_THE_DOOR, idempotencyKey: 'alert-need-0001' };
  const [a, b] = (await Promise.all([send(atTheDoor), send(atTheDoor)])).map((r) => r.data.charityNeedPublishFromAlert);
  expect([a.userErrors, b.userErrors]).toEqual([[], []]);
  expect(b.need).toEqual(a.need);
  expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
  // A retry after a lost answer: the first need and its consent, nothing recorded again.
  expect((await send(atTheDoor)).data.charityNeedPublishFromAlert).toEqual({ need: a.need, replayed: true, userErrors: [] });
  expect(await counts()).toEqual({ consents: Number(before.consents) + 1, needs: Number(before.needs) + 1 });
  // The same key with another amount, or with another consent given, is another need: refused, nothing recorded.
  const reused = { need: null, replayed: false, userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }] };
  expect((await send({ ...atTheDoor, uncoveredFen: 1_600_000 })).data.charityNeedPublishFromAlert).toEqual(reused);
  expect((await send({ ...atTheDoor, consent: { ...AT_THE_DOOR, expiresOn: '2026-11-30' } })).data.charityNeedPublishFromAlert).toEqual(reused);
  // Under an existing consent, by its id: once as well.
  const byId = { consentId: a.need.consent.id, purpose: 'LIVING', description: '出院后需人照护，家庭生活困难', idempotencyKey: 'alert-need-0002' };
  const [c, d] = (await Promise.all([send(byId), send(byId)])).map((r) => r.data.charityNeedPublishFromAlert);
  expect(c.need.id).toBe(d.need.id);
  expect([c.replayed, d.replayed].sort()).toEqual([false, true]);
  expect(await counts()).toEqual({ consents: Number(before.consents) + 1, needs: Number(before.needs) + 2 });
});

it('refuses a need whose aid a meeting of the household decided and has not given (GOVERNMENT_AID_PENDING), recording no consent; with the reason it cannot wait, publishes it and keeps the reason', async () => {
  // Another case of the household meets and decides health's medical aid for the alert's person.
  const convenerClient = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER'] });
  const convener = hub.as({ token: convenerClient.token, purpose: 'CASE_MEETING' }).gql;
  const caseId = await caseInDeliberation(convener, wangId, '住院自付费用高', '2026-03-09T09:00:00+08:00');
  const { slips } = await wangHealthAndHousingMeeting(convener, caseId, [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 300_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother }]);
  const consents = async () => Number((await rows('SELECT COUNT(*) AS n FROM charity_consent'))[0].n);
  const before = await consents();
  const refused = await publish({ consent: AT_THE_DOOR, description: '出院结算仍有缺口' });
  expect(refused.data.charityNeedPublishFromAlert).toEqual({ need: null, userErrors: [{ code: 'GOVERNMENT_AID_PENDING', field: ['input', 'governmentAidPendingReason'] }] });
  expect(await consents()).toBe(before);
  const WITH_REASON = `mutation($i: CharityNeedPublishFromAlertInput!) { charityNeedPublishFromAlert(input: $i) { need { governmentAidPendingReason governmentAidPending { referralId sameCase } } userErrors { code } } }`;
  const published = await officer.gql(WITH_REASON, { i: { alertId, ...NEED, consent: AT_THE_DOOR, description: '出院结算仍有缺口', governmentAidPendingReason: '出院须当日结清，医疗救助尚需十个工作日' } });
  expect(published.data.charityNeedPublishFromAlert).toEqual({
    need: { governmentAidPendingReason: '出院须当日结清，医疗救助尚需十个工作日', governmentAidPending: [{ referralId: slips.HEALTH, sameCase: false }] },
    userErrors: [],
  });
  expect(await consents()).toBe(before + 1);
});

it('after the household moved to another county, the alert’s verifier still publishes from it, under the consent it recorded at the door, and the county it moved to does not', async () => {
  // Found comparing it with charityNeedPublish, which asks the case's owner: publication from an alert
  // was judged by the household's division too, so once the household moved to 微山县 the township that
  // verified the alert (and owns the case its verification opened) got ALERT_NOT_FOUND. The alert's
  // owner is its verifier, where the alert is (its region), as every alert write is judged.
  await moveHousehold(dbs, wangId, ZHAO.regionCode);
  const [atTheDoor] = await rows(`SELECT id FROM charity_consent WHERE household_id = ? ORDER BY id LIMIT 1`, [wangId]);
  const needs = async () => Number((await rows('SELECT COUNT(*) AS n FROM charity_need WHERE household_id = ?', [wangId]))[0].n);
  const before = await needs();
  const input = { consentId: String(atTheDoor.id), purpose: 'LIVING', involvesHealth: false, description: '家庭收入骤减，搬迁后生活暂时困难', governmentAidPendingReason: '医疗救助尚需十个工作日，生活费当月即需' };
  const weishan = await hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370826', roles: ['READER', 'CASEWORKER'] });
  const elsewhere = await publish(input, hub.as({ token: weishan.token, purpose: 'MONITORING' }));
  expect(elsewhere.errors).toBeUndefined();
  expect(elsewhere.data.charityNeedPublishFromAlert).toEqual({ need: null, userErrors: [{ code: 'ALERT_NOT_FOUND', field: ['input', 'alertId'] }] });
  expect(await needs()).toBe(before);
  const res = await publish(input);
  expect(res.errors).toBeUndefined();
  expect(res.data.charityNeedPublishFromAlert.userErrors).toEqual([]);
  expect(res.data.charityNeedPublishFromAlert.need).toMatchObject({ state: 'OPEN', alert: { id: alertId }, consent: { id: String(atTheDoor.id) } });
  expect(await needs()).toBe(before + 1);
});
