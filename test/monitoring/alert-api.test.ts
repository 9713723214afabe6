/**
 * The alert API's rough edges, through the real server. A department system that retries an
 * alert's move after a timeout (its answer lost) used to be refused with ILLEGAL_ALERT_TRANSITION
 * for a move that had succeeded: the same move by the same client and officer of the same office,
 * with the same arguments, is now answered with the alert as it stands and writes nothing (no event,
 * no case, no push), while another move or other arguments stay refused. The inbox's trigger
 * filter refuses an unknown trigger id as a subscription does (TRIGGER_NOT_FOUND), where it listed
 * nothing.
 */
import { eq } from 'drizzle-orm';
import { subscribe, subscriberClient } from '../alert-delivery/scenario';
import { monitoringAlertEvent } from '../../db/monitoring/schema';
import { moveAlertRow, takeOverAlertRow } from '../../db/monitoring/store';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { writeWangJobLossAlert } from '../support/alerts';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let serial = 0;

const NOW = new Date(`${TODAY}T10:00:00+08:00`);
const TOWNSHIP = WANG.regionCode.slice(0, 9);

const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { id state } userErrors { code state field } } }`;
const VERIFY = `mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { alert { id state outcome reason case { id } } case { id origin } userErrors { code state field } } }`;
const DISMISS = `mutation($i: AlertDismissInput!) { alertDismiss(input: $i) { alert { id state reason } userErrors { code state field } } }`;

/** A new open alert of the Wang household's township, written as the change feed writes one (with its pushes). */
async function openAlert(subject = WANG.head): Promise<string> {
  serial += 1;
  // Ended by a dash: padded with zeros to a fingerprint's length, alert-api-1 was alert-api-10, and the tenth opened none.
  return writeWangJobLossAlert(dbs, { identity: `alert-api-${serial}-`, householdId: wangId, now: () => NOW, subject });
}

const actions = async (id: string) => (await dbs.hub.select({ action: monitoringAlertEvent.action }).from(monitoringAlertEvent).where(eq(monitoringAlertEvent.alertId, Number(id))).orderBy(monitoringAlertEvent.seq)).map((e) => e.action);
const count = async (table: string) => {
  const [rows] = (await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM ${table}`)) as unknown as [{ n: number }[]];
  return Number(rows[0].n);
};
/** What a repeat must not add to: events, cases and their events, pushes. */
const writes = async () => ({ events: await count('monitoring_alert_event'), cases: await count('aid_case'), caseEvents: await count('case_event'), pushes: await count('alert_delivery') });

beforeAll(async () => {
  dbs = await createTestDatabases('alert_api');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // The township's system subscribes: every alert opened gets a push queued, and a repeated move must queue none.
  await subscriberClient(dbs.hub, 'guhuai-alerts');
  await subscribe(dbs.hub, 'guhuai-alerts', 'http://127.0.0.1:9/alerts', { regionCodes: [TOWNSHIP] });
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', client: { department: 'CIVIL_AFFAIRS', regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a move repeated after its answer was lost', () => {
  it('answers a repeated acknowledgement and verification with the alert as it stands, and refuses other moves and other arguments', async () => {
    const id = await openAlert();
    const ack = { alertId: id, officer: 'GH-07', note: '已签收' };
    expect((await hub.gql(ACK, { i: ack })).data.alertAcknowledge).toEqual({ alert: { id, state: 'ACKNOWLEDGED' }, userErrors: [] });
    let before = await writes();
    expect(before.pushes).toBeGreaterThan(0);
    expect((await hub.gql(ACK, { i: ack })).data.alertAcknowledge).toEqual({ alert: { id, state: 'ACKNOWLEDGED' }, userErrors: [] });
    // Another note or another officer is another request, not a retry.
    expect((await hub.gql(ACK, { i: { ...ack, note: '补签' } })).data.alertAcknowledge).toEqual({ alert: null, userErrors: [{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'ACKNOWLEDGED', field: [] }] });
    expect((await hub.gql(ACK, { i: { ...ack, officer: 'GH-08' } })).data.alertAcknowledge.userErrors).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'ACKNOWLEDGED', field: [] }]);
    expect(await writes()).toEqual(before);

    const verify = { alertId: id, outcome: 'NEEDS_AID', reason: '入户核实：失业无收入', officer: 'GH-07' };
    const first = (await hub.gql(VERIFY, { i: verify })).data.alertVerify;
    expect(first).toMatchObject({ alert: { id, state: 'VERIFIED', outcome: 'NEEDS_AID' }, case: { origin: 'ALERT' }, userErrors: [] });
    before = await writes();
    // The retry gets the first answer: the alert and the case its verification opened, not a second case.
    expect((await hub.gql(VERIFY, { i: verify })).data.alertVerify).toEqual(first);
    for (const other of [{ ...verify, outcome: 'NO_NEED' }, { ...verify, reason: '入户核实' }, { ...verify, officer: 'GH-08' }]) {
      expect((await hub.gql(VERIFY, { i: other })).data.alertVerify).toEqual({ alert: null, case: null, userErrors: [{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'VERIFIED', field: [] }] });
    }
    expect((await hub.gql(DISMISS, { i: { alertId: id, reason: '入户核实：失业无收入', officer: 'GH-07' } })).data.alertDismiss.userErrors).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'VERIFIED', field: [] }]);
    // The acknowledgement retried once the alert has moved on: it was made, so it is answered with the alert as it now stands.
    expect((await hub.gql(ACK, { i: ack })).data.alertAcknowledge).toEqual({ alert: { id, state: 'VERIFIED' }, userErrors: [] });
    // Another client of the same township sending the same verification did not make it.
    const colleague = await hub.createClient({ regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    expect((await hub.as({ token: colleague.token }).gql(VERIFY, { i: verify })).data.alertVerify.userErrors).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'VERIFIED', field: [] }]);
    expect(await writes()).toEqual(before);
    expect(await actions(id)).toEqual(['OPENED', 'ACKNOWLEDGED', 'VERIFIED']);
  });

  it('answers a repeated dismissal and a repeated NO_NEED verification the same way', async () => {
    const dismissed = await openAlert();
    const dismissal = { alertId: dismissed, reason: '数据有误：重复登记' };
    expect((await hub.gql(DISMISS, { i: dismissal })).data.alertDismiss).toEqual({ alert: { id: dismissed, state: 'DISMISSED', reason: '数据有误：重复登记' }, userErrors: [] });
    const before = await writes();
    expect((await hub.gql(DISMISS, { i: dismissal })).data.alertDismiss).toEqual({ alert: { id: dismissed, state: 'DISMISSED', reason: '数据有误：重复登记' }, userErrors: [] });
    expect((await hub.gql(DISMISS, { i: { ...dismissal, reason: '数据有误' } })).data.alertDismiss.userErrors).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'DISMISSED', field: [] }]);
    expect((await hub.gql(ACK, { i: { alertId: dismissed } })).data.alertAcknowledge.userErrors).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'DISMISSED', field: [] }]);
    // The message a person reads names the state found too (it said only "the alert's state").
    const named = (await hub.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code state message } } }`, { i: { alertId: dismissed } })).data.alertAcknowledge.userErrors;
    expect(named).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'DISMISSED', message: expect.stringContaining('DISMISSED') }]);

    const noNeed = await openAlert(WANG.spouse);
    expect((await hub.gql(ACK, { i: { alertId: noNeed } })).data.alertAcknowledge.userErrors).toEqual([]);
    const verify = { alertId: noNeed, outcome: 'NO_NEED', reason: '已再就业' };
    const first = (await hub.gql(VERIFY, { i: verify })).data.alertVerify;
    expect(first).toEqual({ alert: { id: noNeed, state: 'VERIFIED', outcome: 'NO_NEED', reason: '已再就业', case: null }, case: null, userErrors: [] });
    const afterFirst = await writes();
    expect((await hub.gql(VERIFY, { i: verify })).data.alertVerify).toEqual(first);
    expect((await hub.gql(VERIFY, { i: { ...verify, outcome: 'NEEDS_AID' } })).data.alertVerify.userErrors).toEqual([{ code: 'ILLEGAL_ALERT_TRANSITION', state: 'VERIFIED', field: [] }]);
    expect(await writes()).toEqual(afterFirst);
    expect(afterFirst.events - before.events).toBe(3); // the second alert's OPENED, ACKNOWLEDGED, VERIFIED
    expect(await actions(dismissed)).toEqual(['OPENED', 'DISMISSED']);
  });

  it('records one move of identical requests sent at once, and answers each of them with it', async () => {
    const id = await openAlert(WANG.grandmother);
    const acks = await Promise.all(Array.from({ length: 4 }, () => hub.gql(ACK, { i: { alertId: id, officer: 'GH-07' } })));
    expect(acks.map((a) => a.data.alertAcknowledge)).toEqual(Array(4).fill({ alert: { id, state: 'ACKNOWLEDGED' }, userErrors: [] }));
    const cases = await count('aid_case');
    const verify = { alertId: id, outcome: 'NEEDS_AID', officer: 'GH-07' };
    const answers = (await Promise.all(Array.from({ length: 4 }, () => hub.gql(VERIFY, { i: verify })))).map((a) => a.data.alertVerify);
    expect(answers[0]).toMatchObject({ alert: { state: 'VERIFIED' }, case: { id: expect.any(String), origin: 'ALERT' }, userErrors: [] });
    expect(answers).toEqual(Array(4).fill(answers[0]));
    expect(await count('aid_case')).toBe(cases + 1);
    expect(await actions(id)).toEqual(['OPENED', 'ACKNOWLEDGED', 'VERIFIED']);
    const [[linked]] = (await dbs.hubPool.query('SELECT case_id FROM monitoring_alert WHERE id = ?', [Number(id)])) as unknown as [{ case_id: number }[]];
    expect(String(linked.case_id)).toBe(answers[0].case.id);
  });
});

describe('what an office writes on an alert', () => {
  // Kept in its history, which every office reading the alert reads in scope: screened for numbers as
  // a reference is (a mobile, a bank card or account), so the dates, amounts and document numbers a
  // township explains itself with pass; what it tells of health is withheld as the evidence is
  // (access-evidence-purpose.test.ts), not refused.
  const TAKE_OVER = `mutation($i: AlertTakeOverInput!) { alertTakeOver(input: $i) { alert { id } repeated userErrors { code state field } } }`;
  const countyClient = () => hub.createClient({ department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER', 'CASEWORKER'] });

  it('takes dates, amounts, document numbers and what the household’s aid is, as a township writes them', async () => {
    for (const reason of ['2026-11-20入户核实，无需救助', '转办单 DL-20260317-000123', '存款1,234,567元，超过低保认定标准', '已纳入医疗救助', '户内有残疾人两项补贴', '2026年11月20日入户，联系电话为村委会座机']) {
      const id = await openAlert();
      expect((await hub.gql(ACK, { i: { alertId: id, note: `${reason}（签收）` } })).data.alertAcknowledge.userErrors).toEqual([]);
      expect((await hub.gql(DISMISS, { i: { alertId: id, reason } })).data.alertDismiss).toEqual({ alert: { id, state: 'DISMISSED', reason }, userErrors: [] });
    }
    const verifying = await openAlert();
    await hub.gql(ACK, { i: { alertId: verifying, note: '已签收' } });
    const verified = (await hub.gql(VERIFY, { i: { alertId: verifying, outcome: 'NO_NEED', reason: '因病住院，已由大病保险报销 12,345.67 元' } })).data.alertVerify;
    expect(verified.userErrors).toEqual([]);
    const county = await countyClient();
    const taken = (await hub.as({ token: county.token }).gql(TAKE_OVER, { i: { alertId: await openAlert(), reason: '乡镇2026-11-20未按期核实，县局督办（督办单 DB-2026-0042）' } })).data.alertTakeOver;
    expect(taken.userErrors).toEqual([]);
  });

  it('refuses a mobile number, a bank card or an invisible character in a reason or note, naming what it found, and writes nothing; an ID number is masked', async () => {
    const id = await openAlert(WANG.child);
    const before = await writes();
    const refusedWith = (code: string, field: string) => ({ alert: null, userErrors: [{ code, state: null, field: ['input', field] }] });
    for (const [reason, code] of [
      ['已电话联系本人 13905371234', 'IDENTIFYING_NUMBER'],
      ['已电话联系本人 139-0537-1234', 'IDENTIFYING_NUMBER'],
      ['已电话联系本人 一三九〇五三七一二三四', 'IDENTIFYING_NUMBER'],
      ['救助金打入 6222 0216 0700 1234 567', 'IDENTIFYING_NUMBER'],
      ['救助金打入 6222-0232-3456-7890', 'IDENTIFYING_NUMBER'],
      ['数据\u200b有误', 'TEXT_INVISIBLE_CHARACTER'],
    ]) {
      expect((await hub.gql(DISMISS, { i: { alertId: id, reason } })).data.alertDismiss).toEqual(refusedWith(code, 'reason'));
    }
    expect((await hub.gql(ACK, { i: { alertId: id, note: '已签收，联系电话 13905371234' } })).data.alertAcknowledge).toEqual(refusedWith('IDENTIFYING_NUMBER', 'note'));
    expect((await hub.gql(ACK, { i: { alertId: id, note: '已签收' } })).data.alertAcknowledge.userErrors).toEqual([]);
    const verified = (await hub.gql(VERIFY, { i: { alertId: id, outcome: 'NO_NEED', reason: '本人手机 13905371234 已停机' } })).data.alertVerify;
    expect(verified).toEqual({ ...refusedWith('IDENTIFYING_NUMBER', 'reason'), case: null });
    // County civil affairs taking it over writes a reason the township and the departments read too.
    const county = await countyClient();
    const taken = (await hub.as({ token: county.token }).gql(TAKE_OVER, { i: { alertId: id, reason: '乡镇无人接听 0537-2345678 以外的电话 13905371234' } })).data.alertTakeOver;
    expect(taken).toEqual({ alert: null, repeated: false, userErrors: [{ code: 'IDENTIFYING_NUMBER', state: null, field: ['input', 'reason'] }] });
    expect((await writes()).events).toBe(before.events + 1); // the acknowledgement alone
    expect(await actions(id)).toEqual(['OPENED', 'ACKNOWLEDGED']);

    // An ID number is masked as in all prose, and the dismissal taken: what is refused is what masking cannot make safe.
    const masked = `${WANG.child.slice(0, 6)}********${WANG.child.slice(-4)}`;
    const dismissed = (await hub.gql(DISMISS, { i: { alertId: id, reason: `数据有误，${WANG.child} 重复登记` } })).data.alertDismiss;
    expect(dismissed).toEqual({ alert: { id, state: 'DISMISSED', reason: `数据有误，${masked} 重复登记` }, userErrors: [] });
  });

  it('names the number it refused masked, in the message and in found, never in clear', async () => {
    const id = await openAlert(WANG.child);
    const named = `mutation($i: AlertDismissInput!) { alertDismiss(input: $i) { alert { id } userErrors { code field message found } } }`;
    for (const [reason, found] of [
      ['已电话联系本人 139-0537-1234', '139****1234'],
      ['救助金打入 6222 0216 0700 1234 567', '****4567'],
    ]) {
      const refused = (await hub.gql(named, { i: { alertId: id, reason } })).data.alertDismiss;
      expect(refused).toEqual({ alert: null, userErrors: [{ code: 'IDENTIFYING_NUMBER', field: ['input', 'reason'], found, message: expect.stringContaining(found) }] });
      expect(refused.userErrors[0].message).not.toMatch(/\d{5}/);
    }
  });

  it('answers a retry of a takeover made before the screen, whose reason it now refuses, with the alert (repeated)', async () => {
    const id = await openAlert();
    const county = await countyClient();
    const reason = '乡镇联系不上，户主电话 13905371234';
    // Taken over as it was before the screen: the reason as written.
    const out = await takeOverAlertRow(dbs.hub, Number(id), { office: 'CIVIL_AFFAIRS', actor: county.name, reason, now: NOW });
    expect(out.ok).toBe(true);
    const before = await writes();
    const retried = (await hub.as({ token: county.token }).gql(TAKE_OVER, { i: { alertId: id, reason } })).data.alertTakeOver;
    expect(retried).toEqual({ alert: { id }, repeated: true, userErrors: [] });
    // Another reason with a phone in it, from the office that verifies it already: the screen's refusal.
    const other = (await hub.as({ token: county.token }).gql(TAKE_OVER, { i: { alertId: id, reason: '户主电话 13905371235' } })).data.alertTakeOver;
    expect(other).toEqual({ alert: null, repeated: false, userErrors: [{ code: 'IDENTIFYING_NUMBER', state: null, field: ['input', 'reason'] }] });
    expect(await writes()).toEqual(before);
  });

  it('answers a retry of a dismissal, verification or acknowledgement made before the screen, whose reason or note it now refuses, with the alert; a new one is refused', async () => {
    const clerk = await hub.createClient({ regionScope: TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const asClerk = hub.as({ token: clerk.token });
    // Moved as before the screen: the reason or note as written, straight into the store as the resolver then wrote it.
    const made = async (id: string, move: 'ACKNOWLEDGE' | 'VERIFY' | 'DISMISS', reason: string, outcome?: 'NO_NEED') =>
      expect((await moveAlertRow(dbs.hub, Number(id), { move, actor: clerk.name, office: TOWNSHIP, reason, outcome, now: NOW })).ok).toBe(true);
    const note = '已签收，户主电话 13905371234';
    const reason = '已再就业，户主电话 13905371234';
    const [acknowledged, verified, dismissed, unsigned, signed] = [await openAlert(), await openAlert(), await openAlert(), await openAlert(), await openAlert()];
    await made(acknowledged, 'ACKNOWLEDGE', note);
    await made(verified, 'ACKNOWLEDGE', '已签收');
    await made(verified, 'VERIFY', reason, 'NO_NEED');
    await made(dismissed, 'DISMISS', reason);
    await made(signed, 'ACKNOWLEDGE', '已签收');
    const before = await writes();

    expect((await asClerk.gql(ACK, { i: { alertId: acknowledged, note } })).data.alertAcknowledge).toEqual({ alert: { id: acknowledged, state: 'ACKNOWLEDGED' }, userErrors: [] });
    expect((await asClerk.gql(VERIFY, { i: { alertId: verified, outcome: 'NO_NEED', reason } })).data.alertVerify).toEqual({ alert: { id: verified, state: 'VERIFIED', outcome: 'NO_NEED', reason, case: null }, case: null, userErrors: [] });
    expect((await asClerk.gql(DISMISS, { i: { alertId: dismissed, reason } })).data.alertDismiss).toEqual({ alert: { id: dismissed, state: 'DISMISSED', reason }, userErrors: [] });

    // A move not made yet with such a reason or note, or another one on a move made: the screen's refusal.
    const refusedWith = (field: string) => ({ alert: null, userErrors: [{ code: 'IDENTIFYING_NUMBER', state: null, field: ['input', field] }] });
    expect((await asClerk.gql(ACK, { i: { alertId: unsigned, note } })).data.alertAcknowledge).toEqual(refusedWith('note'));
    expect((await asClerk.gql(DISMISS, { i: { alertId: unsigned, reason } })).data.alertDismiss).toEqual(refusedWith('reason'));
    expect((await asClerk.gql(VERIFY, { i: { alertId: signed, outcome: 'NO_NEED', reason } })).data.alertVerify).toEqual({ ...refusedWith('reason'), case: null });
    expect((await asClerk.gql(DISMISS, { i: { alertId: dismissed, reason: '数据有误，户主电话 13905371235' } })).data.alertDismiss).toEqual(refusedWith('reason'));
    expect(await writes()).toEqual(before);
    expect(await actions(unsigned)).toEqual(['OPENED']);
    expect(await actions(dismissed)).toEqual(['OPENED', 'DISMISSED']);
  });
});

it('names a malformed alert id in plain words', async () => {
  const res = await hub.gql(`{ alert(id: "abc") { id } }`);
  expect(res.errors?.[0]).toMatchObject({ message: 'id is not an alert id', extensions: { code: 'BAD_USER_INPUT', reason: 'MALFORMED_ID' } });
});

describe('the inbox’s trigger filter', () => {
  it('refuses a trigger id that is no trigger of the set, as a subscription does, rather than list nothing', async () => {
    await openAlert();
    const known = await hub.gql(`{ alerts(filter: { triggers: ["T4_JOB_LOSS"] }) { edges { node { trigger { id } } } } }`);
    expect(known.errors).toBeUndefined();
    expect(known.data.alerts.edges.length).toBeGreaterThan(0);
    const typo = await hub.gql(`{ alerts(filter: { triggers: ["T4_JOB_LOSS", "T4_JOBLOSS"] }) { edges { node { id } } } }`);
    expect(typo.data).toBeNull();
    expect(typo.errors).toHaveLength(1);
    expect(typo.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TRIGGER_NOT_FOUND', argument: 'filter.triggers' });
    // The subscription's words (resolvers/alert-delivery/subscriptions.ts), naming the unknown ids only.
    expect(typo.errors?.[0].message).toBe('not a trigger of the trigger set in force: T4_JOBLOSS');
  });

  it('still finds the alerts of a trigger removed from the set since they were opened', async () => {
    const id = await openAlert();
    // As if opened under an earlier trigger set that had T0_RETIRED.
    await dbs.hubPool.query("UPDATE monitoring_alert SET trigger_id = 'T0_RETIRED' WHERE id = ?", [Number(id)]);
    const retired = await hub.gql(`{ alerts(filter: { triggers: ["T0_RETIRED"] }) { edges { node { id trigger { id kind } } } } }`);
    expect(retired.errors).toBeUndefined();
    expect(retired.data.alerts.edges).toEqual([{ node: { id, trigger: { id: 'T0_RETIRED', kind: 'REMOVED' } } }]);
    // An id that neither the set nor any alert in reach has is still a typo.
    const typo = await hub.gql(`{ alerts(filter: { triggers: ["T0_RETIRED", "T0_RETIERD"] }) { edges { node { id } } } }`);
    expect(typo.errors?.[0].extensions).toMatchObject({ reason: 'TRIGGER_NOT_FOUND' });
    expect(typo.errors?.[0].message).toBe('not a trigger of the trigger set in force: T0_RETIERD');
  });
});


describe('the inbox’s totalCount', () => {
  const INBOX = `query($f: AlertFilter, $n: Int) { alerts(filter: $f, first: $n) { totalCount edges { node { id } } pageInfo { hasNextPage } } }`;
  const inbox = async (f: object | null, n: number) => (await hub.gql(INBOX, { f, n })).data.alerts;

  it('counts every alert the filter holds, on any page, as the filter narrows the pages', async () => {
    const signed = await openAlert();
    await openAlert();
    await hub.gql(ACK, { i: { alertId: signed, officer: 'GH-07', note: '已签收' } });
    const all = await inbox(null, 500);
    expect(all.edges.length).toBeGreaterThanOrEqual(2);
    expect(all.totalCount).toBe(all.edges.length);
    expect(await inbox(null, 1)).toMatchObject({ totalCount: all.edges.length, pageInfo: { hasNextPage: true } });
    const filters = [{ states: ['ACKNOWLEDGED'] }, { states: ['NEW', 'DELIVERED'] }, { grades: ['RED'] }, { triggers: ['T4_JOB_LOSS'] }, { overdue: false }, { acknowledgementOverdue: true }, { regionCode: WANG.regionCode }];
    for (const f of filters) {
      const page = await inbox(f, 500);
      expect({ f, n: page.totalCount }).toEqual({ f, n: page.edges.length });
      expect({ f, n: (await inbox(f, 1)).totalCount }).toEqual({ f, n: page.edges.length });
    }
    // Some filter leaves some alerts out: the count is the filter's, not the inbox's.
    expect((await inbox({ states: ['ACKNOWLEDGED'] }, 1)).totalCount).toBeLessThan(all.edges.length);
    expect((await inbox({ grades: ['RED'] }, 1)).totalCount).toBe(0);
  });

  it('costs one statement, only when asked for, however many alerts there are', async () => {
    const statements = async (fields: string) => (await hub.gql(`{ alerts(first: 1) { ${fields} } }`)).extensions?.sqlStatements?.bySource;
    const without = await statements('edges { node { id } }');
    const counted = await statements('totalCount edges { node { id } }');
    expect(counted?.HUB).toBe(without!.HUB + 1);
    await openAlert();
    await openAlert();
    expect(await statements('totalCount edges { node { id } }')).toEqual(counted);
  });
});
