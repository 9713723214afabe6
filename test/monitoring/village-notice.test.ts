/**
 * The village notice (村内公示) of an alert verified as NEEDS_AID, through a real hub: what it shows
 * (never an ID number, phone, bank account or health data, checked against values planted in the
 * household, the alert and the department's data), bad inputs with their codes, posting again, the
 * decision refused while the notice runs (a transition and a meeting), who may post and read it,
 * and the audit rows of a read.
 */
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { runMonthlyComparison } from '../../resolvers/monitoring/monthly';
import { healthScenario } from '../../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let alertId: string;
let caseId: string;
let officerName: string;
/** 古槐街道: verifies the alert, posts the notice, owns the case it opened. */
let township: ReturnType<TestHub['as']>;
let townshipCases: ReturnType<TestHub['as']>;
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

/** Planted in the household's own record: a notice must never carry them. */
const PHONE = '13905371234';
const BANK = '6222021608001234567';

const POST = `mutation($i: AlertNoticePostInput!) { alertNoticePost(input: $i) {
  notice { id village householdHead householdSize measures postedOn period endsOn provisional running objectionContact objectionPhone text postedBy alert { id } case { id } }
  repeated userErrors { code field message } } }`;
const NOTICE = { measures: ['MONITORING_ENROLMENT', 'TEMPORARY_AID'], objectionContact: '古槐街道办事处民政办', objectionPhone: '0537-2345678' };
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code field message } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id } userErrors { code field message } } }`;

const post = (i: Record<string, unknown>, as = township) => as.gql(POST, { i: { alertId, ...NOTICE, ...i } });
const rows = async (sql: string, params: unknown[] = []) => (await dbs.hubPool.query(sql, params))[0] as any[];
const move = (to: string) => townshipCases.gql(MOVE, { input: { caseId, to, reason: to } });

beforeAll(async () => {
  dbs = await createTestDatabases('village_notice');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await dbs.hubPool.query('UPDATE household SET address = ? WHERE id = ?', [`任城区古槐街道南门社区 3 号 电话${PHONE} 账户${BANK}`, wangId]);
  // A stay leaving ¥12,000 to pay: over the ¥10,000 line. Its diagnosis and the trigger's name are health data.
  await healthScenario.insert(dbs.sources.HEALTH, 'settlements', [
    { setlId: 'SETL20260301009', psnCertNo: WANG.grandmother, fixmedinsName: '济宁市第一人民医院', admDate: '2026-02-20', dscgDate: '2026-03-01', setlDate: '2026-03-01', diseName: '脑梗死', medfeeSumamt: '60000.00', hifpPay: '48000.00', hifmiPay: '0.00', mafPay: '0.00', psnPay: '12000.00' },
  ]);
  await runMonthlyComparison({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: clock.now }, '370811');
  const [alert] = await rows(`SELECT id FROM monitoring_alert WHERE subject_id_number = ? AND trigger_id = 'T1_SETTLEMENT_OOP'`, [WANG.grandmother]);
  alertId = String(alert.id);
  hub = await startTestHub(dbs, { purpose: 'MONITORING', clock: clock.now, client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] } });
  const client = await hub.createClient({ regionScope: '370811001', roles: ['READER', 'CASEWORKER', 'MEETING_CONVENER'] });
  officerName = client.name;
  township = hub.as({ token: client.token, purpose: 'MONITORING' });
  townshipCases = hub.as({ token: client.token, purpose: 'CASE_MEETING' });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('is posted only for an alert verified as NEEDS_AID; until then the case cannot be decided', async () => {
  const early = await post({});
  expect(early.errors).toBeUndefined();
  expect(early.data.alertNoticePost).toMatchObject({ notice: null, userErrors: [{ code: 'ALERT_NOT_VERIFIED', field: ['input', 'alertId'] }] });
  await township.gql(`mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`, { i: { alertId } });
  const verified = await township.gql(`mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { case { id } userErrors { code } } }`, { i: { alertId, outcome: 'NEEDS_AID' } });
  expect(verified.data.alertVerify.userErrors).toEqual([]);
  caseId = verified.data.alertVerify.case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING']) expect((await move(to)).data.caseTransition.userErrors).toEqual([]);
  const decided = await move('DECIDED');
  expect(decided.errors).toBeUndefined();
  expect(decided.data.caseTransition).toMatchObject({ case: null, userErrors: [{ code: 'NOTICE_REQUIRED', field: ['input', 'to'] }] });
});

it('refuses bad inputs with stable codes and writes nothing', async () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ measures: [] }, 'MEASURES_INVALID', 'measures'],
    [{ measures: ['TEMPORARY_AID', 'TEMPORARY_AID'] }, 'MEASURES_INVALID', 'measures'],
    [{ objectionContact: '  ' }, 'TEXT_REQUIRED', 'objectionContact'],
    [{ objectionContact: '古'.repeat(101) }, 'TEXT_TOO_LONG', 'objectionContact'],
    [{ objectionContact: `村委会 ${PHONE}` }, 'IDENTIFYING_NUMBER', 'objectionContact'],
    [{ objectionContact: `村委会 ${BANK}` }, 'IDENTIFYING_NUMBER', 'objectionContact'],
    [{ objectionContact: `户主${WANG.head}` }, 'IDENTIFYING_NUMBER', 'objectionContact'],
    // Hidden from the screen as a board's reader would still read them.
    [{ objectionContact: `村委会 ${PHONE.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))}` }, 'IDENTIFYING_NUMBER', 'objectionContact'],
    [{ objectionContact: '村委会 一三九〇五三七一二三四' }, 'IDENTIFYING_NUMBER', 'objectionContact'],
    [{ objectionContact: `村委会 ${PHONE.slice(0, 3)}\u200b${PHONE.slice(3, 7)}\u200b${PHONE.slice(7)}` }, 'TEXT_INVISIBLE_CHARACTER', 'objectionContact'],
    [{ objectionContact: '向村委会\u00ad反映' }, 'TEXT_INVISIBLE_CHARACTER', 'objectionContact'],
    [{ objectionContact: '\u2f3f术后向村委会反映' }, 'HEALTH_DATA', 'objectionContact'],
    [{ objectionContact: '因病致贫，向镇卫生院反映' }, 'HEALTH_DATA', 'objectionContact'],
    [{ objectionContact: '王建国家' }, 'NAMES_A_MEMBER', 'objectionContact'],
    [{ objectionPhone: PHONE }, 'PHONE_INVALID', 'objectionPhone'],
    [{ postedOn: '2026-03-16' }, 'POSTED_ON_OUT_OF_RANGE', 'postedOn'],
    [{ postedOn: '2026-03-14' }, 'POSTED_ON_OUT_OF_RANGE', 'postedOn'],
  ];
  for (const [input, code, field] of cases) {
    const res = await post(input);
    expect(res.errors).toBeUndefined();
    expect(res.data.alertNoticePost).toMatchObject({ notice: null, repeated: false, userErrors: [{ code, field: ['input', field] }] });
  }
  const malformed = await post({ alertId: 'abc' });
  expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.alertId' });
  expect(await rows('SELECT id FROM monitoring_village_notice')).toHaveLength(0);
});

it('shows only what a 公示 may show: never an ID number, phone, bank account or health data', async () => {
  const res = await post({});
  expect(res.errors).toBeUndefined();
  const { notice, repeated, userErrors } = res.data.alertNoticePost;
  expect(userErrors).toEqual([]);
  expect(repeated).toBe(false);
  // 5 days (rules/triggers.json) from the day after posting: through 20 March, decided from the 21st.
  expect(notice).toMatchObject({
    village: '南门社区',
    householdHead: '王某',
    householdSize: 4,
    measures: ['MONITORING_ENROLMENT', 'TEMPORARY_AID'],
    postedOn: TODAY,
    period: '5天',
    endsOn: '2026-03-20',
    provisional: false,
    running: true,
    objectionContact: '古槐街道办事处民政办',
    objectionPhone: '0537-2345678',
    postedBy: officerName,
    alert: { id: alertId },
    case: { id: caseId },
  });
  expect(notice.text).toBe(
    '南门社区公示：经入户核实，王某户（共4人）拟纳入防止返贫监测对象，给予临时救助。公示期5天，自2026-03-16至2026-03-20。如有异议，请于公示期内向古槐街道办事处民政办（电话 0537-2345678）反映。古槐街道 2026-03-15',
  );
  const [alert] = await rows('SELECT evidence, trigger_id FROM monitoring_alert WHERE id = ?', [alertId]);
  const [kase] = await rows('SELECT summary FROM aid_case WHERE id = ?', [caseId]);
  const members = await rows('SELECT p.name, p.id_number FROM household_member m JOIN person p ON p.id_number = m.id_number WHERE m.household_id = ?', [wangId]);
  const triggerName = activeTriggerSet().triggers.find((t) => t.id === alert.trigger_id)!.name;
  const planted = [
    ...members.flatMap((m: { name: string; id_number: string }) => [m.name, m.id_number, m.id_number.slice(-6)]),
    PHONE,
    BANK,
    '脑梗死',
    '济宁市第一人民医院',
    triggerName,
    kase.summary,
    ...(JSON.parse(alert.evidence) as string[]),
  ];
  expect(planted.length).toBeGreaterThan(10);
  const [stored] = await rows('SELECT * FROM monitoring_village_notice');
  expect(stored.text).toBe(notice.text);
  for (const shown of [JSON.stringify(notice), JSON.stringify(stored)]) {
    for (const secret of planted) expect(shown).not.toContain(secret);
    // No health word, not even as a cause (因病).
    expect(shown).not.toMatch(/病|医|药|残|住院|康复|疾/);
  }
  // What the board shows has no run of digits longer than a date's parts, but the office's line
  // (ids, and the client that posted it, are the hub's record, not the board's).
  const { id: _id, alert: _alert, case: _case, postedBy: _by, ...board } = notice;
  expect(JSON.stringify(board).replace(/0537-2345678/g, '')).not.toMatch(/\d{5,}/);
});

it('answers the same posting again with the first and refuses another', async () => {
  const [first] = await rows('SELECT id FROM monitoring_village_notice');
  const again = await Promise.all([post({}), post({})]);
  for (const res of again) expect(res.data.alertNoticePost).toMatchObject({ notice: { id: String(first.id) }, repeated: true, userErrors: [] });
  // A retry the next day (postedOn left to default to today) is the same posting, not another.
  clock.set('2026-03-16T09:00:00+08:00');
  expect((await post({})).data.alertNoticePost).toMatchObject({ notice: { id: String(first.id), postedOn: TODAY }, repeated: true, userErrors: [] });
  clock.set(`${TODAY}T10:00:00+08:00`);
  const other = await post({ measures: ['MINIMUM_LIVING_ALLOWANCE'] });
  expect(other.data.alertNoticePost).toMatchObject({ notice: null, userErrors: [{ code: 'NOTICE_ALREADY_POSTED', field: ['input', 'alertId'] }] });
  expect(await rows('SELECT id FROM monitoring_village_notice')).toHaveLength(1);
});

it('reads an objection line typed in full width (a Chinese input method) as the line it is', async () => {
  const [first] = await rows('SELECT id FROM monitoring_village_notice');
  // ０５３７－２３４５６７８ reads on screen as the 区号-号码 asked for: it was PHONE_INVALID.
  const fullWidth = await post({ objectionPhone: '０５３７－２３４５６７８' });
  expect(fullWidth.errors).toBeUndefined();
  expect(fullWidth.data.alertNoticePost).toMatchObject({ notice: { id: String(first.id), objectionPhone: '0537-2345678' }, repeated: true, userErrors: [] });
  // Only full width is read so: mathematical or circled digits, which NFKC read as ASCII, are not
  // the line a villager dials, and are refused as Arabic-Indic ٠٥٣٧… is.
  for (const objectionPhone of ['𝟎𝟓𝟑𝟕-𝟐𝟑𝟒𝟓𝟔𝟕𝟖', '⓪⑤③⑦-②③④⑤⑥⑦⑧', '٠٥٣٧-٢٣٤٥٦٧٨']) {
    expect((await post({ objectionPhone })).data.alertNoticePost).toMatchObject({ notice: null, userErrors: [{ code: 'PHONE_INVALID', field: ['input', 'objectionPhone'] }] });
  }
  const mobile = await post({ objectionPhone: '１３９０５３７１２３４' });
  expect(mobile.data.alertNoticePost).toMatchObject({ notice: null, userErrors: [{ code: 'PHONE_INVALID', field: ['input', 'objectionPhone'] }] });
  expect(await rows('SELECT objection_phone FROM monitoring_village_notice')).toEqual([{ objection_phone: '0537-2345678' }]);
});

it('records objections received during the period, once per key, with no text of them', async () => {
  const OBJECT = `mutation($i: AlertNoticeObjectionInput!) { alertNoticeObjectionRecord(input: $i) {
    notice { objections { receivedOn kind recordedBy } } repeated userErrors { code field } } }`;
  const object = (i: Record<string, unknown>, as = township) => as.gql(OBJECT, { i: { alertId, kind: 'FACTS_WRONG', ...i } });
  for (const receivedOn of ['2026-03-14', '2026-03-16']) {
    expect((await object({ receivedOn })).data.alertNoticeObjectionRecord).toMatchObject({ notice: null, userErrors: [{ code: 'OBJECTION_OUTSIDE_PERIOD', field: ['input', 'receivedOn'] }] });
  }
  // The grandmother's twelve-month sum is over the line too: that alert has no notice.
  const [other] = await rows(`SELECT id FROM monitoring_alert WHERE id <> ? AND subject_id_number = ?`, [alertId, WANG.grandmother]);
  expect((await object({ alertId: String(other.id) })).data.alertNoticeObjectionRecord.userErrors).toEqual([{ code: 'NOTICE_NOT_POSTED', field: ['input', 'alertId'] }]);
  const first = await Promise.all([object({ idempotencyKey: 'obj-1' }), object({ idempotencyKey: 'obj-1' })]);
  expect(first.map((r) => r.data.alertNoticeObjectionRecord.repeated).sort()).toEqual([false, true]);
  for (const r of first) expect(r.data.alertNoticeObjectionRecord.notice.objections).toEqual([{ receivedOn: TODAY, kind: 'FACTS_WRONG', recordedBy: officerName }]);
  expect((await object({ idempotencyKey: 'obj-1', kind: 'OTHER' })).data.alertNoticeObjectionRecord.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }]);
  const second = await object({ kind: 'ELIGIBILITY_DOUBTED' });
  expect(second.data.alertNoticeObjectionRecord.notice.objections.map((o: { kind: string }) => o.kind)).toEqual(['FACTS_WRONG', 'ELIGIBILITY_DOUBTED']);
  const elsewhere = await hub.createClient({ regionScope: '370826100', roles: ['READER', 'CASEWORKER'] });
  expect((await object({}, hub.as({ token: elsewhere.token, purpose: 'MONITORING' }))).data.alertNoticeObjectionRecord.userErrors).toEqual([{ code: 'ALERT_NOT_FOUND', field: ['input', 'alertId'] }]);
  expect(await rows('SELECT id FROM monitoring_notice_objection')).toHaveLength(2);
  // A retry is the same request whenever it arrives: on the next day (receivedOn left to default
  // to today) or once the notice has run, it is answered with the first and records nothing.
  for (const at of ['2026-03-16T09:00:00+08:00', '2026-03-21T09:00:00+08:00']) {
    clock.set(at);
    expect((await object({ idempotencyKey: 'obj-1' })).data.alertNoticeObjectionRecord).toMatchObject({ repeated: true, userErrors: [] });
    expect((await object({ idempotencyKey: 'obj-1', receivedOn: '2026-03-16' })).data.alertNoticeObjectionRecord.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }]);
  }
  clock.set(`${TODAY}T10:00:00+08:00`);
  expect(await rows('SELECT id FROM monitoring_notice_objection')).toHaveLength(2);
});

it('refuses the decision while the notice runs, naming its end, and records it the day after once its objections are resolved', async () => {
  // The last day of the notice: still running.
  clock.set('2026-03-20T16:00:00+08:00');
  const running = await move('DECIDED');
  expect(running.data.caseTransition).toMatchObject({ case: null, userErrors: [{ code: 'NOTICE_PERIOD_RUNNING', field: ['input', 'to'] }] });
  expect(running.data.caseTransition.userErrors[0].message).toContain('2026-03-20');
  // Deliberation is not the decision; a meeting held during the notice cannot decide, even recorded after it.
  expect((await move('IN_DELIBERATION')).data.caseTransition.userErrors).toEqual([]);
  clock.set('2026-03-21T09:00:00+08:00');
  const decision = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 200_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head, cause: 'OTHER' };
  const held = await townshipCases.gql(MEETING, { input: { caseId, heldOn: '2026-03-20', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision] } });
  expect(held.errors).toBeUndefined();
  expect(held.data.meetingRecord).toMatchObject({ meeting: null, userErrors: [{ code: 'NOTICE_PERIOD_RUNNING', field: ['input', 'heldOn'] }] });
  expect(await rows('SELECT id FROM case_meeting WHERE case_id = ?', [caseId])).toHaveLength(0);
  // The notice has run, but its two objections are not yet resolved: the meeting waits for them.
  const meetAfter = () => townshipCases.gql(MEETING, { input: { caseId, heldOn: '2026-03-21', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision] } });
  expect((await meetAfter()).data.meetingRecord.userErrors).toEqual([expect.objectContaining({ code: 'NOTICE_OBJECTION_UNRESOLVED', field: ['input', 'heldOn'] })]);
  const objections = (await township.gql(`query($id: ID!) { alert(id: $id) { notice { objections { id } } } }`, { id: alertId })).data.alert.notice.objections;
  for (const o of objections) {
    const resolved = await township.gql(`mutation($i: AlertNoticeObjectionResolveInput!) { alertNoticeObjectionResolve(input: $i) { userErrors { code } } }`, { i: { objectionId: o.id, resolution: 'DISMISSED', reason: '经入户核实，情况属实' } });
    expect(resolved.data.alertNoticeObjectionResolve.userErrors).toEqual([]);
  }
  const after = await meetAfter();
  expect(after.errors).toBeUndefined();
  expect(after.data.meetingRecord.userErrors).toEqual([]);
  const [kase] = await rows('SELECT state FROM aid_case WHERE id = ?', [caseId]);
  expect(kase.state).toBe('DECIDED');
  const read = await township.gql(`query($id: ID!) { alert(id: $id) { notice { running endsOn } } }`, { id: alertId });
  expect(read.data.alert.notice).toEqual({ running: false, endsOn: '2026-03-20' });
});

it('is read by the township and county that own the alert and posted by its verifier only; a read is audited', async () => {
  const other = await hub.createClient({ regionScope: '370826100', roles: ['READER', 'CASEWORKER'] });
  const elsewhere = hub.as({ token: other.token, purpose: 'MONITORING' });
  expect((await post({}, elsewhere)).data.alertNoticePost).toMatchObject({ notice: null, userErrors: [{ code: 'ALERT_NOT_FOUND', field: ['input', 'alertId'] }] });
  expect((await elsewhere.gql(`query($id: ID!) { alert(id: $id) { notice { text } } }`, { id: alertId })).data.alert).toBeNull();
  const reader = await hub.createClient({ regionScope: '370811001', roles: ['READER'] });
  const refused = await post({}, hub.as({ token: reader.token, purpose: 'MONITORING' }));
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const county = await hub.createClient({ regionScope: '370811', roles: ['READER', 'CASEWORKER'] });
  const countyName = county.name;
  const asCounty = hub.as({ token: county.token, purpose: 'MONITORING' });
  const read = await asCounty.gql(`query($id: ID!) { alert(id: $id) { notice { householdHead text } } }`, { id: alertId });
  expect(read.errors).toBeUndefined();
  expect(read.data.alert.notice.householdHead).toBe('王某');
  const audited = await rows(`SELECT subject_ref, purpose FROM access_log WHERE client_name = ? AND subject_kind = 'HOUSEHOLD' AND outcome = 'OK'`, [countyName]);
  expect(audited).toContainEqual({ subject_ref: String(wangId), purpose: 'MONITORING' });
  // The county's caseworker reads it but is not the alert's verifier: it posts nothing.
  expect((await post({}, asCounty)).data.alertNoticePost.userErrors).toEqual([expect.objectContaining({ code: 'NOT_ALERT_VERIFIER' })]);
});
