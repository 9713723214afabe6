/**
 * From the first clue to a decision within 15 days (DOMAIN, monitoring), as data: the triggers file
 * gives each grade a decision limit (decideDays or decideWorkingDays; default 15 calendar days),
 * each alert carries its decideBy, and decidedOn once decided: a dismissal or a verification as no
 * need on its day, a NEEDS_AID verification only when its case is decided, after the village notice
 * has run. Nothing tracked that: an alert verified on day 13 is decided on day 19 at the earliest,
 * and supervision saw no broken limit. Now overdueReport.alertsDecisionLate lists it (pending past
 * decideBy, or decided after it), a notice that runs past decideBy is posted with a warning, and a
 * bad limit in the file stops start-up naming the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTriggerSet } from '../../rules/triggers-load';
import type { TriggerSetError } from '../../domain/monitoring/triggers';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { writeWangJobLossAlert } from '../support/alerts';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

/** A locality's file with `body`, loaded as the hub loads it at start-up (AIDHUB_TRIGGERS_FILE). */
function localityFile(body: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-')), 'local.json');
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}

describe('the decision limit in the triggers file', () => {
  it('is 15 calendar days from the first clue by default; a locality’s file changes it', () => {
    const set = loadTriggerSet({});
    expect(set.limits.YELLOW).toMatchObject({ decideDays: 15 });
    const local = loadTriggerSet({ AIDHUB_TRIGGERS_FILE: localityFile({ triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: { acknowledgeWorkingDays: 1, verifyDays: 10, decideWorkingDays: 12 } } }] }) });
    expect(local.triggers.find((t) => t.id === 'T4_JOB_LOSS')!.limits!.YELLOW).toEqual({ acknowledgeWorkingDays: 1, verifyDays: 10, decideWorkingDays: 12 });
  });

  it('stops start-up naming the field when a value is bad', () => {
    const error = (body: unknown): TriggerSetError => {
      try {
        loadTriggerSet({ AIDHUB_TRIGGERS_FILE: localityFile(body) });
      } catch (e) {
        return e as TriggerSetError;
      }
      throw new Error('loaded');
    };
    const limit = (extra: object) => ({ acknowledgeWorkingDays: 1, verifyDays: 15, ...extra });
    const all = (extra: object) => ({ triggers: [], limits: { RED: limit(extra), ORANGE: limit({}), YELLOW: limit({}) } });
    expect(error(all({ decideDays: 0 }))).toMatchObject({ triggerId: null, field: 'limits.RED.decideDays' });
    expect(error(all({ decideDays: '15' })).message).toMatch(/field limits\.RED\.decideDays/);
    expect(error(all({ decideDays: 20, decideWorkingDays: 14 }))).toMatchObject({ field: 'limits.RED' });
    expect(error({ triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: limit({ decideDays: 10 }) } }] })).toMatchObject({ triggerId: 'T4_JOB_LOSS', field: 'limits.YELLOW.decideDays' });
  });
});

describe('decideBy and decidedOn through a real hub', () => {
  let dbs: TestDatabases;
  let hub: TestHub;
  let wangId: number;
  let township: ReturnType<TestHub['as']>;
  let townshipCases: ReturnType<TestHub['as']>;
  const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
  const TOWNSHIP = WANG.regionCode.slice(0, 9);
  const ids: Record<'late' | 'inTime' | 'dismissed' | 'local', string> = { late: '', inTime: '', dismissed: '', local: '' };
  const cases: Record<string, string> = {};

  const ALERT = `query($id: ID!) { alert(id: $id) { state decideBy decidedOn case { state } } }`;
  const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf, regionCode: "${TOWNSHIP}") { alertsDecisionLate { id decideBy decidedOn } } }`;
  const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code message } } }`;
  const POST = `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) { notice { postedOn endsOn } userErrors { code } warnings { code message } } }`;
  const alertOf = async (id: string) => (await township.gql(ALERT, { id })).data.alert;
  const late = async (asOf: string) => (await township.gql(REPORT, { asOf })).data.overdueReport.alertsDecisionLate as { id: string; decideBy: string; decidedOn: string | null }[];
  const at = (day: string) => clock.set(`${day}T10:00:00+08:00`);

  async function verifyNeedingAid(id: string): Promise<string> {
    expect((await township.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId: id } })).data.alertAcknowledge.userErrors).toEqual([]);
    const verified = await township.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { case { id } userErrors { code } } }`, { i: { alertId: id, outcome: 'NEEDS_AID' } });
    const caseId = verified.data.alertVerify.case.id;
    for (const to of ['ACCEPTED', 'INVESTIGATING']) expect((await townshipCases.gql(MOVE, { input: { caseId, to, reason: to } })).data.caseTransition.userErrors).toEqual([]);
    return caseId;
  }
  const post = async (alertId: string) => (await township.gql(POST, { i: { alertId, measures: ['MONITORING_ENROLMENT'], objectionContact: '古槐街道办事处民政办' } })).data.alertNoticePost;
  const decide = async (caseId: string) => (await townshipCases.gql(MOVE, { input: { caseId, to: 'DECIDED', reason: '决定' } })).data.caseTransition;

  beforeAll(async () => {
    dbs = await createTestDatabases('decision_limit');
    await insertRegions(dbs);
    wangId = await insertWang(dbs);
    for (const k of ['late', 'inTime', 'dismissed'] as const) ids[k] = await writeWangJobLossAlert(dbs, { identity: `decision-${k}`, householdId: wangId, now: clock.now });
    // The locality's file gives T4's YELLOW alerts 19 days to a decision (Friday 3 April; 20 would end on
    // 清明, 4 April, and run to the 7th, 民法典 art. 203).
    const local = loadTriggerSet({ AIDHUB_TRIGGERS_FILE: localityFile({ triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 19 } } }] }) });
    ids.local = await writeWangJobLossAlert(dbs, { identity: 'decision-local', householdId: wangId, now: clock.now, triggerSet: local });
    hub = await startTestHub(dbs, { purpose: 'MONITORING', clock: clock.now, client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] } });
    const client = await hub.createClient({ regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER'] });
    township = hub.as({ token: client.token, purpose: 'MONITORING' });
    townshipCases = hub.as({ token: client.token, purpose: 'CASE_MEETING' });
  });

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('gives each alert its decision day from the first clue: 15 days by default, the locality’s where it sets one', async () => {
    expect(await alertOf(ids.inTime)).toEqual({ state: 'NEW', decideBy: '2026-03-30', decidedOn: null, case: null });
    expect((await alertOf(ids.local)).decideBy).toBe('2026-04-03');
  });

  it('decides a NEEDS_AID alert when its case is decided: in time, nothing late; the notice within the limit warns of nothing', async () => {
    cases.inTime = await verifyNeedingAid(ids.inTime);
    expect(await alertOf(ids.inTime)).toMatchObject({ state: 'VERIFIED', decidedOn: null });
    expect(await post(ids.inTime)).toEqual({ notice: { postedOn: TODAY, endsOn: '2026-03-20' }, userErrors: [], warnings: [] });
  });

  it('decides a dismissal on its day: dismissed on day 3, decided on day 3', async () => {
    at('2026-03-18');
    const res = await township.gql(`mutation($i: AlertDismissInput!) { alertDismiss(input: $i) { alert { decidedOn } userErrors { code } } }`, { i: { alertId: ids.dismissed, reason: '数据有误' } });
    expect(res.data.alertDismiss).toEqual({ alert: { decidedOn: '2026-03-18' }, userErrors: [] });
    at('2026-03-21');
    expect((await decide(cases.inTime)).userErrors).toEqual([]);
    expect(await alertOf(ids.inTime)).toMatchObject({ decidedOn: '2026-03-21', case: { state: 'DECIDED' } });
  });

  it('warns the township when the notice runs past decideBy, and lists the alert as late until and after its decision', async () => {
    // Verified on day 13, in time for verification (verifyBy 30 March); the notice runs through 2 April.
    at('2026-03-28');
    cases.late = await verifyNeedingAid(ids.late);
    const posted = await post(ids.late);
    expect(posted).toMatchObject({ notice: { postedOn: '2026-03-28', endsOn: '2026-04-02' }, userErrors: [], warnings: [{ code: 'DECISION_LIMIT_AT_RISK' }] });
    expect(posted.warnings[0].message).toContain('2026-03-30');

    at('2026-03-31');
    expect(await late('2026-03-31T09:00:00+08:00')).toEqual([{ id: ids.late, decideBy: '2026-03-30', decidedOn: null }]);
    at('2026-04-03');
    expect((await decide(cases.late)).userErrors).toEqual([]);
    expect(await alertOf(ids.late)).toMatchObject({ state: 'VERIFIED', decidedOn: '2026-04-03', case: { state: 'DECIDED' } });
    // Decided after its day: still on the report; the in-time case and the dismissal are not. The
    // locality's alert (19 days, due 3 April) is open but not yet late.
    expect(await late('2026-04-03T18:00:00+08:00')).toEqual([{ id: ids.late, decideBy: '2026-03-30', decidedOn: '2026-04-03' }]);
    // As it stood on 31 March: pending and late, its decision not yet made (the alert reads as it is now).
    expect((await late('2026-03-31T09:00:00+08:00')).map((a) => a.id)).toEqual([ids.late]);
  });

  it('costs the same statements however many alerts are late', async () => {
    const one = await township.gql(REPORT, { asOf: '2026-04-03T18:00:00+08:00' });
    const two = await township.gql(REPORT, { asOf: '2026-04-06T18:00:00+08:00' });
    expect(one.data.overdueReport.alertsDecisionLate).toHaveLength(1);
    expect(two.data.overdueReport.alertsDecisionLate.map((a: { id: string }) => a.id)).toEqual([ids.late, ids.local]);
    expect(two.extensions?.sqlStatements?.bySource).toEqual(one.extensions?.sqlStatements?.bySource);
  });

  it('is filled for the alerts raised before it (db/monitoring migration 0008): the default limit, and each decision’s day', async () => {
    const migration = fs.readFileSync(path.join(__dirname, '..', '..', 'db', 'monitoring', 'migrations', '0008_alert_decision.sql'), 'utf8');
    const statements = migration.split('--> statement-breakpoint').map((st) => st.trim());
    const backfills = statements.filter((st) => /^(--.*\n)*UPDATE/.test(st));
    expect(backfills).toHaveLength(3);
    const rows = async () => ((await dbs.hubPool.query('SELECT id, DATE_FORMAT(decide_by, "%Y-%m-%d") AS decideBy, DATE_FORMAT(decided_on, "%Y-%m-%d") AS decidedOn FROM monitoring_alert ORDER BY id'))[0] as { id: number }[]).map((r) => ({ ...r, id: String(r.id) }));
    const now = await rows();
    await dbs.hubPool.query('UPDATE monitoring_alert SET decide_by = first_clue_on, decided_on = NULL');
    for (const st of backfills) await dbs.hubPool.query(st);
    // The locality's 19 days were the hub's to know: raised before the column, an alert gets the published 15.
    expect(await rows()).toEqual(now.map((r) => (r.id === ids.local ? { ...r, decideBy: '2026-03-30' } : r)));
    expect(now.find((r) => r.id === ids.dismissed)).toMatchObject({ decidedOn: '2026-03-18' });
  });
});
