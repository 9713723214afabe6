/**
 * Facts the rules read besides an aid record's status and programme carry codes too: a temporary
 * aid's cause (civil affairs' cause_code), a disability certificate's status (cert_status) and level
 * (dis_level: a 0 read as more severe than 一级), a student's 学籍 status (xj_status). A code the department's documentation does not list read as a
 * guess: any cause as OTHER (two unrelated grants under two different undocumented codes were one
 * cause to X5, and a decision for OTHER was met by either), any certificate status as EXPIRED (the
 * certificate vanished from the brief, with nobody told why). Each now reads as UNRECOGNISED with its
 * code, which no rule acts on either way; the household costs the same statements, and the start-up
 * count names the columns holding such rows.
 */
import pino from 'pino';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { disabilityScenario } from '../federation/disability/scenario';
import { unrecognisedFactRows } from '../federation/unrecognised-status';
import { monitoredOf } from '../federation/reads';
import { candidatesForPeople } from '../resolvers/monitoring/detect';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { HubMetrics } from '../server/metrics';
import { reportUnrecognisedStatus } from '../server/status-codes-report';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { caseInDeliberation } from './support/cases';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const HOUSEHOLD = `query($id: ID!) { household(id: $id) {
  aid { sourceReference status cause sourceCauseCode amountFen }
  aidSummary { totalFen byDepartment { department { code } totalFen recordCount } }
  findings { rule { id } people { idNumber } records { sourceReference } }
} }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id to { key } } } userErrors { code field } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code field } } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { id state } userErrors { code field } } }`;
const CHECK = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { __typename } }`;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let before: { res: any; statements: unknown };
/** The head's two grants under two different undocumented cause codes, six months apart. */
let grants: string[];
const certificate = `${WANG.grandmother}41`;
/** The head's valid certificate under level code 0, which the federation does not document (1 is most severe), issued last month. */
const levelZero = `${WANG.head}40`;
/** The spouse's spell on the monitored roll under an undocumented category code, and the child's under a documented one. */
let roll: string[];

/** A case of the household decided at a meeting of 2026-03-12: temporary aid of ¥1,000 for `beneficiaryIdNumber`, for `cause`. The payload `query` asks for, and the case. */
const tempAidDecided = async (query: string, title: string, beneficiaryIdNumber: string, cause: string) => {
  const caseId = await caseInDeliberation(hub.gql, wangId, title, '2026-03-09T09:00:00+08:00');
  const decision = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber, cause };
  return { caseId, ...(await ok(hub.gql, query, { input: { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision] } }, 'meetingRecord')) };
};

const household = async () => {
  const res = await hub.gql(HOUSEHOLD, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  return { res: res.data.household, statements: res.extensions?.sqlStatements?.bySource };
};

beforeAll(async () => {
  dbs = await createTestDatabases('unrecognised_facts');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  before = await household();
  const s = dbs.sources;
  grants = await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'temporaryAid', [
    { grantId: 7001, idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '07', grantDate: '2025-06-10', amountFen: 100_000, approvalLevel: 1 },
    { grantId: 7002, idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '08', grantDate: '2025-12-10', amountFen: 100_000, approvalLevel: 1 },
  ]);
  // A level-1 certificate, no nursing subsidy: were it VALID, M1 would claim a missed nursing subsidy.
  // The head's level-0 certificate, no subsidy: read as a number, 0 ≤ 2 made it a new severe disability (T5), and M2 claimed a missed living subsidy (a 低保 household).
  await disabilityScenario.insert(s.DISABILITY, 'certificates', [
    { certNo: certificate, idCard: WANG.grandmother, disType: 4, disLevel: 1, issueDate: '2024-05-01', certStatus: 9 },
    { certNo: levelZero, idCard: WANG.head, disType: 4, disLevel: 0, issueDate: '2026-02-01', certStatus: 1 },
  ]);
  // The spouse on the monitored roll under an undocumented category (05), the child under 01 低保边缘.
  roll = await civilAffairsScenario.insert(s.CIVIL_AFFAIRS, 'monitoredRoll', [
    { idNo: WANG.spouse, countyCode: '370811', jclb: '05', nrrq: '2026-01-05' },
    { idNo: WANG.child, countyCode: '370811', jclb: '01', nrrq: '2026-01-05' },
  ]);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('shows a grant under an undocumented cause code as cause UNRECOGNISED with its code, counted in the totals as paid aid, in the same statements', async () => {
  const after = await household();
  expect(after.res.aid.filter((r: any) => grants.includes(r.sourceReference)).map((r: any) => [r.sourceReference, r.status, r.cause, r.sourceCauseCode]).sort()).toEqual([
    [grants[0], 'PAID', 'UNRECOGNISED', '07'],
    [grants[1], 'PAID', 'UNRECOGNISED', '08'],
  ]);
  expect(after.res.aid.filter((r: any) => !grants.includes(r.sourceReference))).toEqual(before.res.aid);
  expect(before.res.aid.every((r: any) => r.sourceCauseCode === null)).toBe(true);
  // The aid is paid: only its cause is unknown.
  expect(after.res.aidSummary.totalFen).toBe(before.res.aidSummary.totalFen + 200_000);
  expect(after.statements).toEqual(before.statements);
});

it('makes no X5 repetition of two grants under two different undocumented cause codes (they read as OTHER twice), and no missed-aid finding on an UNRECOGNISED certificate', async () => {
  const after = await household();
  expect(after.res.findings.filter((f: any) => f.records.some((r: any) => grants.includes(r.sourceReference)))).toEqual([]);
  expect(after.res.findings.filter((f: any) => f.rule.id === 'X5')).toEqual(before.res.findings.filter((f: any) => f.rule.id === 'X5'));
  // Neither claimed missing (as a VALID certificate would) nor anything said about her certificate.
  expect(after.res.findings.filter((f: any) => f.rule.id.startsWith('M') && f.people.some((p: any) => p.idNumber === WANG.grandmother))).toEqual([]);
  expect(after.res.findings).toEqual(before.res.findings);
});

it('holds a valid certificate under an undocumented level code for no rule or trigger: no severe-disability alert, no M1 or M2 finding', async () => {
  const deps = { hub: dbs.hub, sources: hub.sources, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => new Date(`${TODAY}T10:00:00+08:00`) };
  const alerts = await candidatesForPeople(deps, [WANG.head], TODAY);
  expect(alerts.filter((a) => a.triggerId === 'T5_SEVERE_DISABILITY')).toEqual([]);
  expect(alerts.filter((a) => a.evidence.some((e) => e.includes('残疾')))).toEqual([]);
  const { res } = await household();
  expect(res.findings.filter((f: any) => f.rule.id.startsWith('M') && f.people.some((p: any) => p.idNumber === WANG.head))).toEqual([]);
});

it('refuses UNRECOGNISED as a cause given (BAD_USER_INPUT, reason OUTPUT_ONLY)', async () => {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { input: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', amountFen: 100_000, grantDate: TODAY, cause: 'UNRECOGNISED' } });
  expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.argument, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'input.cause', 'OUTPUT_ONLY']]);
});

it('answers a pre-grant check of temporary aid not clear beside grants it cannot compare by cause, naming them (causeUnrecognised)', async () => {
  const CHECKED = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear warnings findings { rule { id } } causeUnrecognised { sourceReference cause sourceCauseCode } } }`;
  const check = (cause: string, grantDate: string) => hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECKED, { input: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', amountFen: 100_000, grantDate, cause } });
  const accident = await check('ACCIDENT', TODAY);
  expect(accident.errors).toBeUndefined();
  expect(accident.data.preGrantCheck).toEqual({
    clear: false,
    warnings: 0,
    findings: [],
    causeUnrecognised: [
      { sourceReference: grants[0], cause: 'UNRECOGNISED', sourceCauseCode: '07' },
      { sourceReference: grants[1], cause: 'UNRECOGNISED', sourceCauseCode: '08' },
    ],
  });
  // Past the window of the June grant (12 months), only December's is beside it.
  const later = (await check('ACCIDENT', '2026-06-11')).data.preGrantCheck;
  expect(later.causeUnrecognised.map((r: any) => r.sourceReference)).toEqual([grants[1]]);
});

it('warns a meeting whose temporary-aid decision X5 cannot compare with grants of undocumented cause codes (CAUSE_UNRECOGNISED, a WARNING as X5 is), recorded without an override reason', async () => {
  const RECORDED = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisionChecks { conflict overrideReason findings { ruleId severity summary departments { code } } } } userErrors { code field } } }`;
  // For the spouse: X5 counts the household, so the head's grants of June and December are beside it.
  const met = await tempAidDecided(RECORDED, '配偶意外', WANG.spouse, 'ACCIDENT');
  const [check] = met.meeting.decisionChecks;
  expect(check.conflict).toBe(false);
  expect(check.overrideReason).toBeNull();
  expect(check.findings).toEqual([{ ruleId: 'CAUSE_UNRECOGNISED', severity: 'WARNING', summary: expect.stringContaining('2 笔'), departments: [{ code: 'CIVIL_AFFAIRS' }] }]);
  expect(check.findings[0].summary).toMatch(/^X5无法判断.*（07、08）/);
  expect(check.findings[0].summary).not.toMatch(/370811\d{11}/);
});

it('fulfils no decision for a cause with a grant whose cause code is undocumented (AID_RECORD_CAUSE_UNRECOGNISED; it read as OTHER and met a decision for OTHER), and the brief shows the codes', async () => {
  const { caseId, ...met } = await tempAidDecided(MEETING, '临时困难', WANG.head, 'OTHER');
  const slip = met.meeting.decisions[0].id;
  const { token } = await hub.createClient({ name: 'test-facts-civil', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] });
  const office = hub.as({ token, purpose: 'REFERRAL' }).gql;
  await ok(office, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
  const [typo, paid] = await civilAffairsScenario.insert(dbs.sources.CIVIL_AFFAIRS, 'temporaryAid', [
    { grantId: 7003, idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '09', grantDate: '2026-03-13', amountFen: 100_000, approvalLevel: 1 },
    { grantId: 7004, idNo: WANG.head, familyNo: 'DB370811-0001', causeCode: '99', grantDate: '2026-03-14', amountFen: 100_000, approvalLevel: 1 },
  ]);
  const complete = (aidSourceReference: string) => office(COMPLETE, { input: { referralId: slip, feedback: '已发放', aidSourceReference } });
  expect(codes(await complete(typo), 'referralComplete')).toEqual(['AID_RECORD_CAUSE_UNRECOGNISED']);
  expect((await ok(office, COMPLETE, { input: { referralId: slip, feedback: '已发放', aidSourceReference: paid } }, 'referralComplete')).referral.state).toBe('COMPLETED');

  // The brief names the cause codes and shows the certificate with its code, neither valid nor expired.
  const brief = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.authHeaders })).text();
  expect(brief).toContain('事由代码 07 未列入部门文档');
  expect(brief).toContain('残疾证状态代码 9 未列入残联文档，是否有效待核实');
  // The level-0 certificate with its code, and the findings not said clear of the missed-aid rules that read certificates.
  expect(brief).toContain('肢体（残疾等级代码 0 未列入残联文档，等级待核实）');
  expect(brief).toContain('按残疾证比对的漏保规则（重度残疾人护理补贴、困难残疾人生活补贴）未对其作出判断');
  expect(brief).not.toContain('未发现重复救助或漏保问题');
});

it('reads a monitored-roll spell under an undocumented category code as UNRECOGNISED with its code (it read as 其他低收入人口), a documented one as its category', async () => {
  const spells = await monitoredOf(hub.sources, [WANG.spouse, WANG.child]);
  expect(spells.map((m) => [m.sourceRef, m.idNumber, m.category, m.sourceCategoryCode ?? null]).sort()).toEqual(
    [
      [roll[0], WANG.spouse, 'UNRECOGNISED', '05'],
      [roll[1], WANG.child, 'DIBAO_EDGE', null],
    ].sort(),
  );
});

it('counts the rows per column at start-up, with a warning per column holding any (counts only)', async () => {
  const counts = await unrecognisedFactRows(hub.sources);
  // Columns in factColumns' order: civil affairs' grants' cause codes, then the monitored roll's categories; the certificates' status, then their level.
  expect(counts.filter((c) => c.rows).map((c) => [c.department, c.rows])).toEqual([
    ['CIVIL_AFFAIRS', 3],
    ['CIVIL_AFFAIRS', 1],
    ['DISABILITY', 1],
    ['DISABILITY', 1],
  ]);
  const lines: string[] = [];
  const metrics = new HubMetrics(null);
  await reportUnrecognisedStatus(hub.sources, pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), metrics);
  const warned = lines.map((l) => JSON.parse(l)).filter((l) => /cause, certificate status or level, student status or monitored-roll category/.test(l.msg));
  expect(warned.map(({ department, column, rows }) => ({ department, column, rows }))).toEqual(counts.filter((c) => c.rows));
  expect(lines.join('\n')).not.toMatch(/370811\d{11}/);
  const text = await metrics.registry.metrics();
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="CIVIL_AFFAIRS",kind="fact"} 4');
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="EDUCATION",kind="fact"} 0');
  expect(text).toContain('aidhub_source_unrecognised_fact_rows{department="DISABILITY",kind="fact"} 2');
});
