/**
 * A need published from an alert a RULE trigger raised rests on health data when its rule's finding
 * can name it (triggerWritesHealth, the definition Alert.evidence is read by): a locality's trigger on
 * M4 (12 months' out-of-pocket without medical aid) asks for the household's HEALTH_DATA consent even
 * for a living need told without illness; the officer's explicit flag still decides. Real hub, real
 * MariaDB, the alert raised by the monthly comparison from a real settlement.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet, TRIGGERS_FILE_ENV } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/monthly';
import { healthScenario } from '../../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let alertId: string;
let officer: ReturnType<TestHub['as']>;

const triggersDir = fs.mkdtempSync(path.join(os.tmpdir(), 'charity-rule-alert-'));
const triggersFile = path.join(triggersDir, 'triggers.json');
const LOCAL_TRIGGERS = {
  triggers: [{ id: 'L1_OOP_NO_MEDICAL_AID', kind: 'RULE', rule: 'M4', name: '12个月医疗负担超标未获医疗救助', grade: 'YELLOW', verifier: 'TOWNSHIP', basis: 'a test locality: rule M4 as a warning element' }],
};
const PUBLISH = `mutation($i: CharityNeedPublishFromAlertInput!) { charityNeedPublishFromAlert(input: $i) { need { involvesHealth } userErrors { code field } } }`;
const LIVING = { purpose: 'LIVING', uncoveredFen: 300_000, description: '家庭收入骤减，基本生活暂时困难' };
const CONSENT = { scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'GH-07' };

beforeAll(async () => {
  fs.writeFileSync(triggersFile, JSON.stringify(LOCAL_TRIGGERS));
  process.env[TRIGGERS_FILE_ENV] = triggersFile;
  dbs = await createTestDatabases('charity_rule_alert');
  await insertRegions(dbs);
  await insertWang(dbs);
  // ¥12,000 out of pocket within 12 months and no medical aid (the grandmother's stay has it): M4's finding for the spouse.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: 'SETL20260301019', psnCertNo: WANG.spouse, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-20', dscgDate: '2026-03-01', setlDate: '2026-03-01', diseName: '脑梗死', medfeeSumamt: '60000.00', hifpPay: '48000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '12000.00' },
  ]);
  const now = () => new Date(`${TODAY}T02:00:00.000Z`);
  await runMonthlyComparison({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now }, '370811');
  const [alert] = (await dbs.hubPool.query(`SELECT id FROM monitoring_alert WHERE trigger_id = 'L1_OOP_NO_MEDICAL_AID' AND subject_id_number = ?`, [WANG.spouse]))[0] as any[];
  alertId = String(alert.id);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] } });
  const township = await hub.createClient({ regionScope: '370811001', roles: ['READER', 'CASEWORKER'] });
  officer = hub.as({ token: township.token, purpose: 'MONITORING' });
  await officer.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId } });
  const verified = await officer.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { state } userErrors { code } } }`, { i: { alertId, outcome: 'NEEDS_AID' } });
  expect(verified.data.alertVerify).toEqual({ alert: { state: 'VERIFIED' }, userErrors: [] });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  delete process.env[TRIGGERS_FILE_ENV];
  fs.rmSync(triggersDir, { recursive: true, force: true });
});

it('asks for HEALTH_DATA consent for a need from an M4 alert, though the need is for living and its words tell no illness', async () => {
  const res = await officer.gql(PUBLISH, { i: { alertId, ...LIVING, consent: CONSENT } });
  expect(res.errors).toBeUndefined();
  expect(res.data.charityNeedPublishFromAlert).toEqual({ need: null, userErrors: [{ code: 'HEALTH_CONSENT_MISSING', field: ['input', 'consent'] }] });
});

it('publishes it with the health consent, marked as involving health; the officer’s explicit flag still decides', async () => {
  const withHealth = await officer.gql(PUBLISH, { i: { alertId, ...LIVING, consent: { ...CONSENT, scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'] } } });
  expect(withHealth.data.charityNeedPublishFromAlert).toEqual({ need: { involvesHealth: true }, userErrors: [] });
  const flagged = await officer.gql(PUBLISH, { i: { alertId, ...LIVING, involvesHealth: false, consent: CONSENT } });
  expect(flagged.data.charityNeedPublishFromAlert).toEqual({ need: { involvesHealth: false }, userErrors: [] });
});
