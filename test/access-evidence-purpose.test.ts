/**
 * Two access rules a walk left (docs/access.md). 1. Alert.evidence is health detail only where its
 * trigger writes health data (a hospital stay, a severe disability, a rule's finding): 人社 verifying
 * a job loss reads its lines; a stay's or a rule's lines stay refused to it (HEALTH_DETAIL).
 * 2. ID numbers in clear follow the role that serves the stated purpose: the demo's department
 * clients (READER + DEPARTMENT_WRITER) see them checking a grant, masked reading for MONITORING.
 * Real MariaDB, a real hub, the demo's client kinds made as `npm start` makes them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CLIENTS } from '../access/demo-clients';
import { moveAlertRow, takeOverAlertRow } from '../db/monitoring/store';
import { TRIGGERS_FILE_ENV } from '../rules/triggers-load';
import type { Purpose } from '../access/policy';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { writeWangJobLossAlert, WANG_TOWNSHIP } from './support/alerts';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
const now = () => new Date(`${TODAY}T02:00:00.000Z`);
const tokens = new Map<string, string>();

/** Alerts of the Wang household, by the trigger they were raised under and who verifies them. */
const ALERTS = {
  /** A job loss 人社 verifies (a locality's trigger naming it). */
  job: { triggerId: 'T4_JOB_LOSS', evidenceRefs: ['HUMAN_RESOURCES:sy:1'], evidence: ['2026-03-10 失业（失业登记）'], verifierOffice: 'HUMAN_RESOURCES' },
  /** A job loss the township verifies. */
  townshipJob: { triggerId: 'T4_JOB_LOSS', evidenceRefs: ['HUMAN_RESOURCES:sy:2'], evidence: ['2026-03-11 失业（失业登记）'], verifierOffice: WANG_TOWNSHIP },
  /** A hospital stay's out-of-pocket, 人社 named its verifier: the lines are health detail. */
  stay: { triggerId: 'T1_SETTLEMENT_OOP', evidenceRefs: ['HEALTH:settlement:S1'], evidence: ['住院结算 S1 个人负担 12000.00 元'], verifierOffice: 'HUMAN_RESOURCES' },
  /** Repeated temporary aid (M5's finding: the grants are counted, their cause is not named). */
  tempAid: { triggerId: 'T7_TEMP_AID_REPEAT', evidenceRefs: ['CIVIL_AFFAIRS:temp:1', 'CIVIL_AFFAIRS:temp:2'], evidence: ['12个月内两次以上临时救助，应核查是否纳入低保：2025-03-15 至 2026-03-15 获得临时救助 2 次，但未享受最低生活保障或特困人员救助供养。'], verifierOffice: 'HUMAN_RESOURCES' },
  /** A student of a 低保 household without education aid (M3), education named its verifier. */
  student: { triggerId: 'T6_STUDENT_NO_AID', evidenceRefs: [], evidence: ['低保、特困家庭在读学生本学年未获教育资助：2025 学年在读学生（15 岁），所在家庭享受最低生活保障，但未享受国家助学金或学费减免。'], verifierOffice: 'EDUCATION' },
  /** A new severe disability the township verifies, raised from the disability federation's own certificate. */
  certificate: { triggerId: 'T5_SEVERE_DISABILITY', evidenceRefs: ['DISABILITY:certificate:C1'], evidence: ['2026-03-09 新办残疾证 C1（一级）'], verifierOffice: WANG_TOWNSHIP },
  /** A hospital stay 人社 verifies, raised from 医保's settlement and 人社's own registration: reasons are written on it (below). */
  stayWritten: { triggerId: 'T1_SETTLEMENT_OOP', evidenceRefs: ['HUMAN_RESOURCES:sy:9', 'HEALTH:settlement:S9'], evidence: ['住院结算 S9 个人负担 11000.00 元'], verifierOffice: 'HUMAN_RESOURCES' },
  /** A locality's RULE trigger on M4 (12 months' out-of-pocket without medical aid), education named its verifier. */
  oopRule: { triggerId: 'L1_OOP_NO_MEDICAL_AID', evidenceRefs: ['HEALTH:settlement:S2'], evidence: ['12个月住院个人负担超过预警线未获医疗救助：2025-03-15 至 2026-03-15 住院个人负担合计 15005.65 元（预警线：超过 10000.00 元），但未享受医疗救助。'], verifierOffice: 'EDUCATION' },
};

/** The locality's triggers file: M4 raised as a warning too (a rule with health data). */
const triggersDir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-evidence-'));
const triggersFile = path.join(triggersDir, 'triggers.json');
const LOCAL_TRIGGERS = {
  triggers: [{ id: 'L1_OOP_NO_MEDICAL_AID', kind: 'RULE', rule: 'M4', name: '12个月医疗负担超标未获医疗救助', grade: 'YELLOW', verifier: 'TOWNSHIP', basis: 'a test locality: rule M4 as a warning element' }],
};
type AlertName = keyof typeof ALERTS;
const ids = {} as Record<AlertName, string>;

beforeAll(async () => {
  fs.writeFileSync(triggersFile, JSON.stringify(LOCAL_TRIGGERS));
  process.env[TRIGGERS_FILE_ENV] = triggersFile;
  dbs = await createTestDatabases('access_evidence_purpose');
  await insertRegions(dbs);
  const householdId = await insertWang(dbs);
  for (const [name, a] of Object.entries(ALERTS)) ids[name as AlertName] = await writeWangJobLossAlert(dbs, { identity: `access-evidence-${name}`, householdId, now, ...a });
  hub = await startTestHub(dbs, { purpose: 'MONITORING', clock: now, client: null });
  for (const c of DEMO_CLIENTS) tokens.set(c.name, (await hub.createClient({ name: c.name, department: c.department, regionScope: c.regionScope, roles: c.roles })).token);
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  delete process.env[TRIGGERS_FILE_ENV];
  fs.rmSync(triggersDir, { recursive: true, force: true });
});

const as = (name: string, purpose: Purpose = 'MONITORING') => hub.as({ token: tokens.get(name)!, purpose });
const EVIDENCE = `query($id: ID!) { alert(id: $id) { evidence } }`;

async function evidenceOf(client: string, name: AlertName): Promise<string[] | string> {
  const res = await as(client).gql(EVIDENCE, { id: ids[name] });
  return res.errors ? `${res.errors[0].extensions?.code}:${res.errors[0].extensions?.reason}` : res.data.alert.evidence;
}

describe('Alert.evidence is health detail only where its trigger writes health data', () => {
  it('lets the disability federation read the evidence of an alert raised from its own certificate (its own record), and no other department', async () => {
    expect(await evidenceOf('demo-disability', 'certificate')).toEqual(ALERTS.certificate.evidence);
    // Not its record, not its alert: out of its reach, as before.
    expect((await as('demo-human-resources').gql(EVIDENCE, { id: ids.certificate })).data?.alert).toBeNull();
  });

  it('lets 人社 read the evidence of the job loss it verifies, and refuses it a stay’s', async () => {
    expect(await evidenceOf('demo-human-resources', 'job')).toEqual(ALERTS.job.evidence);
    expect(await evidenceOf('demo-370811-human-resources', 'job')).toEqual(ALERTS.job.evidence);
    expect(await evidenceOf('demo-human-resources', 'stay')).toBe('FORBIDDEN:HEALTH_DETAIL');
  });

  it('decides a rule’s finding per rule: M3 and M5 name no health and are read by their verifier; M4 names a stay’s burden and stays refused', async () => {
    expect(await evidenceOf('demo-education', 'student')).toEqual(ALERTS.student.evidence);
    expect(await evidenceOf('demo-370811-education', 'student')).toEqual(ALERTS.student.evidence);
    expect(await evidenceOf('demo-human-resources', 'tempAid')).toEqual(ALERTS.tempAid.evidence);
    expect(await evidenceOf('demo-education', 'oopRule')).toBe('FORBIDDEN:HEALTH_DETAIL');
    expect(await evidenceOf('demo-370811-education', 'oopRule')).toBe('FORBIDDEN:HEALTH_DETAIL');
  });

  it('keeps health detail to health and civil affairs, as before', async () => {
    for (const name of Object.keys(ALERTS) as AlertName[]) {
      expect(await evidenceOf('demo-township-guhuai', name)).toEqual(ALERTS[name].evidence);
      expect(await evidenceOf('demo-civil-affairs', name)).toEqual(ALERTS[name].evidence);
    }
    // The health bureau reads its own stay; a job loss that is not its own it does not reach at all.
    const health = await as('demo-health').gql(EVIDENCE, { id: ids.job });
    expect(health.errors).toBeUndefined();
    expect(health.data.alert).toBeNull();
  });
});

describe('what offices write on an alert is withheld as its evidence is', () => {
  const READ = `query($id: ID!) { alert(id: $id) { state reason takenOver { by reason } history { action reason } } }`;
  const read = async (client: string, name: AlertName) => {
    const res = await as(client).gql(READ, { id: ids[name] });
    return { alert: res.data?.alert, refused: (res.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.reason]) };
  };

  it('withholds the reasons, notes and takeover reason of a hospital stay’s alert from 人社, who reads it, and shows them to the township, civil affairs and health', async () => {
    // Written as the moves write them (stored before the policy, too): a note, a takeover, a dismissal.
    const id = Number(ids.stayWritten);
    expect((await moveAlertRow(dbs.hub, id, { move: 'ACKNOWLEDGE', actor: 'demo-human-resources', office: 'HUMAN_RESOURCES', reason: '已签收，户主住院', now: now() })).ok).toBe(true);
    expect((await takeOverAlertRow(dbs.hub, id, { office: 'CIVIL_AFFAIRS', actor: 'demo-civil-affairs', reason: '县局督办：医疗救助衔接', now: now() })).ok).toBe(true);
    expect((await moveAlertRow(dbs.hub, id, { move: 'DISMISS', actor: 'demo-civil-affairs', office: 'CIVIL_AFFAIRS', reason: '已纳入医疗救助', now: now() })).ok).toBe(true);
    const history = [
      { action: 'OPENED', reason: 'detected by change feed' },
      { action: 'ACKNOWLEDGED', reason: '已签收，户主住院' },
      { action: 'TAKEN_OVER', reason: '县局督办：医疗救助衔接' },
      { action: 'DISMISSED', reason: '已纳入医疗救助' },
    ];
    for (const client of ['demo-township-guhuai', 'demo-civil-affairs', 'demo-health']) {
      expect({ client, ...(await read(client, 'stayWritten')) }).toEqual({
        client,
        alert: { state: 'DISMISSED', reason: '已纳入医疗救助', takenOver: { by: 'demo-civil-affairs', reason: '县局督办：医疗救助衔接' }, history },
        refused: [],
      });
    }
    const hr = await read('demo-human-resources', 'stayWritten');
    // AlertTakeOver.reason is non-null: withheld, its takeover reads as null.
    expect(hr.alert).toEqual({ state: 'DISMISSED', reason: null, takenOver: null, history: history.map((e) => ({ ...e, reason: null })) });
    expect(new Set(hr.refused.map(([path]) => path))).toEqual(new Set(['alert.reason', 'alert.takenOver.reason', ...history.map((_, i) => `alert.history.${i}.reason`)]));
    expect(new Set(hr.refused.map(([, code, reason]) => `${code}:${reason}`))).toEqual(new Set(['FORBIDDEN:HEALTH_DETAIL']));
  });

  it('shows 人社 the note on the job loss it verifies, whose evidence it reads', async () => {
    expect((await moveAlertRow(dbs.hub, Number(ids.job), { move: 'ACKNOWLEDGE', actor: 'demo-human-resources', office: 'HUMAN_RESOURCES', reason: '已签收，2026-03-16入户', now: now() })).ok).toBe(true);
    const hr = await read('demo-human-resources', 'job');
    expect(hr.refused).toEqual([]);
    expect(hr.alert.history.map((e: { reason: string }) => e.reason)).toEqual(['detected by change feed', '已签收，2026-03-16入户']);
  });
});

describe('ID numbers in clear follow the role serving the stated purpose', () => {
  const PERSON = `query($n: String!) { person(idNumber: $n) { idNumber } caller { seesIdNumbers } }`;
  const masked = `${WANG.head.slice(0, 6)}********${WANG.head.slice(14)}`;

  it('masks them to a department client (READER + DEPARTMENT_WRITER) reading for MONITORING or REFERRAL, and shows them checking a grant', async () => {
    for (const client of ['demo-human-resources', 'demo-370811-health', 'demo-emergency']) {
      const seen: Record<string, unknown> = {};
      for (const purpose of ['MONITORING', 'REFERRAL', 'DUPLICATE_CHECK', 'ELIGIBILITY_REVIEW'] as const) {
        const res = await as(client, purpose).gql(PERSON, { n: WANG.head });
        seen[purpose] = res.errors ?? res.data;
      }
      expect({ client, seen }).toEqual({
        client,
        seen: {
          MONITORING: { person: { idNumber: masked }, caller: { seesIdNumbers: false } },
          REFERRAL: { person: { idNumber: masked }, caller: { seesIdNumbers: false } },
          DUPLICATE_CHECK: { person: { idNumber: WANG.head }, caller: { seesIdNumbers: true } },
          ELIGIBILITY_REVIEW: { person: { idNumber: WANG.head }, caller: { seesIdNumbers: true } },
        },
      });
    }
  });

  it('masks the alert’s person to 人社 monitoring the job loss it verifies; civil affairs’ caseworkers still see it', async () => {
    const READ = `query($id: ID!) { alert(id: $id) { person { idNumber } } }`;
    expect((await as('demo-human-resources').gql(READ, { id: ids.job })).data.alert.person.idNumber).toBe(masked);
    expect((await as('demo-township-guhuai').gql(READ, { id: ids.job })).data.alert.person.idNumber).toBe(WANG.head);
  });

  it('answers caller.seesIdNumbers without a purpose as whether some purpose would show them', async () => {
    const res = await hub.as({ token: tokens.get('demo-human-resources')!, purpose: null }).gql(`{ caller { seesIdNumbers } }`);
    expect(res.data.caller.seesIdNumbers).toBe(true);
  });
});
