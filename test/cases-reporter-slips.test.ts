/**
 * Slips to the offices that report their aid (应急, 司法, 共青团, 妇联, 红十字): 一事一议 decides their
 * aid too ("各部门根据职责分别予以救助"), so a decision goes out to the office of the case's county as
 * a slip with a deadline and comes back with feedback, checked against the aid the office reported to
 * the hub (the REPORTED ledger). Charities stay out of slips (charity linkage reaches them), and a
 * slip an older hub stored under a key no office maps still reads. Run with the demo's own clients
 * (access/demo-clients.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CLIENTS, ensureDemoClients } from '../access/demo-clients';
import { referralSlip } from '../db/cases/schema';
import { toDbInstant } from '../db/instants';
import { departmentOfficeName } from '../domain/cases/offices';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, insertZhao, TODAY, WANG, ZHAO } from './support/scenarios';
import { briefCode } from '../server/case-pages';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) {
  meeting { id decisions { id to { key name county { code } } } } case { state } userErrors { code field message } } }`;
const SLIP = `referral { id state to { key name } } userErrors { code field }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { ${SLIP} } }`;
const INBOX = `query($office: OfficeInput!) { referralsToOffice(office: $office) { id to { key county { code } } } }`;
const REPORT = `mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded userErrors { code field } } }`;
const AID = `query($id: ID!, $d: [DepartmentCode!]) { household(id: $id) { aid(departments: $d) { sourceReference department { code } reportedBy { reference } } } }`;

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let dir: string;
let wangId: number;
let zhaoId: number;
let tokens: Map<string, string>;
/** The demo clients by variable, each stating the purpose of its case work (REFERRAL, or CASE_MEETING for conveners). */
const demo: Record<string, Gql> = {};
/** The same clients reporting aid (aidReport: DUPLICATE_CHECK). */
const reporting: Record<string, Gql> = {};
const clock = new TestClock('2026-03-15T10:00:00+08:00');

const CA = 'AIDHUB_TOKEN_370811_CIVIL_AFFAIRS';
const RENCHENG_JUSTICE = 'AIDHUB_TOKEN_370811_JUSTICE';
const ZOUCHENG_JUSTICE = 'AIDHUB_TOKEN_370883_JUSTICE';

/** The sourceReference of the aid `office` reported under `reference` for the household. */
async function reportedRef(reader: Gql, householdId: number, office: string, reference: string): Promise<string> {
  const res = await reader(AID, { id: String(householdId), d: [office] });
  expect(res.errors).toBeUndefined();
  const found = res.data.household.aid.find((a: { reportedBy: { reference: string } | null }) => a.reportedBy?.reference === reference);
  expect(found).toBeDefined();
  return found.sourceReference;
}

async function caseInDeliberation(summary: string): Promise<string> {
  const ca = demo[CA];
  const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(ca, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
  return caseId;
}

/** A meeting's legal-aid decision for `beneficiary`, its slip accepted by 任城区司法局: the slip's id. */
async function acceptedLegalAidSlip(summary: string, beneficiary: string, ask: string): Promise<string> {
  const caseId = await caseInDeliberation(summary);
  const decision = { department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 10, beneficiaryIdNumber: beneficiary, ask };
  const met = await ok(demo[CA], MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE'], decisions: [decision] } }, 'meetingRecord');
  const slip = met.meeting.decisions[0].id;
  await ok(demo[RENCHENG_JUSTICE], ACCEPT, { input: { referralId: slip } }, 'referralAccept');
  return slip;
}

beforeAll(async () => {
  dbs = await createTestDatabases('reporter_slips');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-reporter-slips-'));
  tokens = await ensureDemoClients(hub.accessDb, path.join(dir, 'demo-clients.env'));
  for (const c of DEMO_CLIENTS) {
    const token = tokens.get(c.variable);
    if (!token) continue;
    demo[c.variable] = hub.as({ token, purpose: c.roles.includes('MEETING_CONVENER') ? 'CASE_MEETING' : 'REFERRAL' }).gql;
    reporting[c.variable] = hub.as({ token, purpose: 'DUPLICATE_CHECK' }).gql;
  }
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a reporting office receives and answers a decision', () => {
  let caseId: string;
  let slip: string;

  it('the demo has a slip-answering office of every government reporter in each demo county, and none for charities', () => {
    for (const county of ['370811', '370883']) {
      const answering = DEMO_CLIENTS.filter((c) => c.regionScope === county && c.roles.includes('REFERRAL_HANDLER')).map((c) => c.department);
      expect(answering).toEqual(expect.arrayContaining(['EMERGENCY_MANAGEMENT', 'JUSTICE', 'YOUTH_LEAGUE', 'WOMENS_FEDERATION', 'RED_CROSS']));
      expect(answering).not.toContain('CHARITY');
    }
    expect(DEMO_CLIENTS.find((c) => c.variable === RENCHENG_JUSTICE)!.note).toContain('任城区司法局');
    expect(DEMO_CLIENTS.find((c) => c.variable === 'AIDHUB_TOKEN_370811_YOUTH_LEAGUE')!.note).toContain('共青团任城区委');
  });

  it('a meeting decides legal aid by 司法: the slip goes to the justice office of the case’s county', async () => {
    caseId = await caseInDeliberation('涉法律纠纷，申请法律援助');
    const met = await ok(
      demo[CA],
      MEETING,
      {
        input: {
          caseId,
          heldOn: '2026-03-13',
          departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE'],
          decisions: [{ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, ask: '为户主提供法律援助（劳动争议）' }],
        },
      },
      'meetingRecord',
    );
    expect(met.case.state).toBe('DECIDED');
    expect(met.meeting.decisions).toHaveLength(1);
    expect(met.meeting.decisions[0].to).toEqual({ key: 'JUSTICE', name: '任城区司法局', county: { code: '370811' } });
    slip = met.meeting.decisions[0].id;
  });

  it('任城区司法局 sees it in its inbox, 邹城市司法局 does not, and the city-wide bureau does', async () => {
    const inbox = async (variable: string) => {
      const res = await demo[variable](INBOX, { office: { department: 'JUSTICE' } });
      expect(res.errors).toBeUndefined();
      return res.data.referralsToOffice.map((r: { id: string }) => r.id);
    };
    expect(await inbox(RENCHENG_JUSTICE)).toEqual([slip]);
    expect(await inbox(ZOUCHENG_JUSTICE)).toEqual([]);
    expect(await inbox('AIDHUB_TOKEN_JUSTICE')).toEqual([slip]);
    // Another office answers none of it; 邹城市's justice office cannot even find it.
    expect(codes(await demo.AIDHUB_TOKEN_370811_HEALTH(ACCEPT, { input: { referralId: slip } }), 'referralAccept')).toEqual(['NOT_RECEIVING_OFFICE']);
    expect(codes(await demo[ZOUCHENG_JUSTICE](ACCEPT, { input: { referralId: slip } }), 'referralAccept')).toEqual(['REFERRAL_NOT_FOUND']);
    expect((await ok(demo[RENCHENG_JUSTICE], ACCEPT, { input: { referralId: slip } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
  });

  it('completes only with the legal aid it reported for the beneficiary: another reporter’s or another household’s record is refused', async () => {
    const justice = demo[RENCHENG_JUSTICE];
    // What 司法 reports through the reported-aid API: the legal aid given, and one for another household.
    await ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ reference: 'FY-2026-0314', beneficiaryIdNumber: WANG.head, programme: 'LEGAL_AID', grantDate: '2026-03-14', amountFen: 0 }] }, 'aidReport');
    await ok(reporting.AIDHUB_TOKEN_JUSTICE, REPORT, { r: [{ reference: 'FY-2026-0315-WS', beneficiaryIdNumber: ZHAO.head, programme: 'LEGAL_AID', grantDate: '2026-03-14', amountFen: 0 }] }, 'aidReport');
    // 妇联 reports aid for the same household.
    await ok(reporting.AIDHUB_TOKEN_WOMENS_FEDERATION, REPORT, { r: [{ reference: 'LA-2026-0314', beneficiaryIdNumber: WANG.spouse, programme: 'TWO_CANCERS_AID', grantDate: '2026-03-14', amountFen: 1_000_000 }] }, 'aidReport');
    const legalAid = await reportedRef(justice, wangId, 'JUSTICE', 'FY-2026-0314');
    const otherHousehold = await reportedRef(reporting.AIDHUB_TOKEN_JUSTICE, zhaoId, 'JUSTICE', 'FY-2026-0315-WS');
    const otherReporter = await reportedRef(justice, wangId, 'WOMENS_FEDERATION', 'LA-2026-0314');

    expect(codes(await justice(COMPLETE, { input: { referralId: slip, feedback: '已指派律师' } }), 'referralComplete')).toEqual(['AID_RECORD_REQUIRED']);
    expect(codes(await justice(COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference: 'r'.repeat(129) } }), 'referralComplete')).toEqual(['TEXT_TOO_LONG']);
    expect(codes(await justice(COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference: otherReporter } }), 'referralComplete')).toEqual(['AID_RECORD_NOT_FOUND']);
    expect(codes(await justice(COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference: otherHousehold } }), 'referralComplete')).toEqual(['AID_RECORD_NOT_FOUND']);
    const done = await ok(justice, COMPLETE, { input: { referralId: slip, feedback: '已指派律师，法律援助已受理', aidSourceReference: legalAid } }, 'referralComplete');
    expect(done.referral).toEqual({ id: slip, state: 'COMPLETED', to: { key: 'JUSTICE', name: '任城区司法局' } });
    const shown = await demo[CA](`query($id: ID!) { referral(id: $id) { aidRecord { department { code } programme { code } } fulfilment { aidSourceReference programme { code } beneficiary { idNumber } aidDate amountFen shortfallFen } } }`, { id: slip });
    expect(shown.errors).toBeUndefined();
    expect(shown.data.referral).toEqual({
      aidRecord: { department: { code: 'JUSTICE' }, programme: { code: 'LEGAL_AID' } },
      fulfilment: { aidSourceReference: legalAid, programme: { code: 'LEGAL_AID' }, beneficiary: { idNumber: WANG.head }, aidDate: '2026-03-14', amountFen: 0, shortfallFen: 0 },
    });
  });

  it('the case closes, and its brief names 任城区司法局', async () => {
    expect((await ok(demo[CA], MOVE, { input: { caseId, to: 'CLOSED', reason: '各部门均已反馈，办结' } }, 'caseTransition')).case.state).toBe('CLOSED');
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: tokens.get(CA)!, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    expect(await brief.text()).toContain('任城区司法局');
  });

  it('shows the slip’s fulfilment SUPERSEDED_AT_SOURCE once 司法 corrects its ledger entry, then CANCELLED_AT_SOURCE once it reverses the correction; supervision lists it', async () => {
    const FULFILMENT = `query($id: ID!) { referral(id: $id) { state fulfilment { aidDate standing supersededBy { aidSourceReference amountFen aidDate reference } } } }`;
    const shown = async () => (await demo[CA](FULFILMENT, { id: slip })).data.referral;
    expect(await shown()).toEqual({ state: 'COMPLETED', fulfilment: { aidDate: '2026-03-14', standing: 'STANDS', supersededBy: null } });
    const entry = { beneficiaryIdNumber: WANG.head, programme: 'LEGAL_AID', amountFen: 0 };
    await ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...entry, reference: 'FY-2026-0314-C', entryKind: 'CORRECTION', supersedesReference: 'FY-2026-0314', grantDate: '2026-03-15' }] }, 'aidReport');
    const correction = await reportedRef(demo[RENCHENG_JUSTICE], wangId, 'JUSTICE', 'FY-2026-0314-C');
    expect(await shown()).toEqual({ state: 'COMPLETED', fulfilment: { aidDate: '2026-03-14', standing: 'SUPERSEDED_AT_SOURCE', supersededBy: { aidSourceReference: correction, amountFen: 0, aidDate: '2026-03-15', reference: 'FY-2026-0314-C' } } });
    await ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...entry, reference: 'FY-2026-0314-R', entryKind: 'REVERSAL', supersedesReference: 'FY-2026-0314-C', grantDate: '2026-03-15' }] }, 'aidReport');
    expect((await shown()).fulfilment).toMatchObject({ standing: 'CANCELLED_AT_SOURCE', supersededBy: { amountFen: 0, reference: 'FY-2026-0314-R' } });
    const report = await demo[CA](`{ overdueReport { byOffice { office { key } county { code } fulfilmentsWithdrawn { referral { id } standing supersededBy { reference } } } } }`);
    expect(report.errors).toBeUndefined();
    const justice = report.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'JUSTICE');
    expect(justice).toEqual({ office: { key: 'JUSTICE' }, county: { code: '370811' }, fulfilmentsWithdrawn: [{ referral: { id: slip }, standing: 'CANCELLED_AT_SOURCE', supersededBy: { reference: 'FY-2026-0314-R' } }] });
  });
});

describe('a reporting office’s record reversed before it is named', () => {
  it('refuses a decision’s completion with a ledger entry its office reversed (REVERSAL) AID_RECORD_CANCELLED, as a department’s revoked record, not AID_RECORD_NOT_FOUND; another household’s reversed entry stays not found', async () => {
    const slip = await acceptedLegalAidSlip('劳动争议再次申请法律援助', WANG.head, '为户主提供法律援助（工伤赔偿）');
    const justice = demo[RENCHENG_JUSTICE];
    const aid = { programme: 'LEGAL_AID', grantDate: '2026-03-14', amountFen: 0 };
    await ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...aid, reference: 'FY-2026-0314-GS', beneficiaryIdNumber: WANG.head }] }, 'aidReport');
    await ok(reporting.AIDHUB_TOKEN_JUSTICE, REPORT, { r: [{ ...aid, reference: 'FY-2026-0314-ZS', beneficiaryIdNumber: ZHAO.head }] }, 'aidReport');
    const given = await reportedRef(justice, wangId, 'JUSTICE', 'FY-2026-0314-GS');
    const otherHousehold = await reportedRef(reporting.AIDHUB_TOKEN_JUSTICE, zhaoId, 'JUSTICE', 'FY-2026-0314-ZS');
    // Both are reversed before the office answers the slip: the aid was not given after all.
    await ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...aid, reference: 'FY-2026-0314-GS-R', entryKind: 'REVERSAL', supersedesReference: 'FY-2026-0314-GS', beneficiaryIdNumber: WANG.head }] }, 'aidReport');
    await ok(reporting.AIDHUB_TOKEN_JUSTICE, REPORT, { r: [{ ...aid, reference: 'FY-2026-0314-ZS-R', entryKind: 'REVERSAL', supersedesReference: 'FY-2026-0314-ZS', beneficiaryIdNumber: ZHAO.head }] }, 'aidReport');
    const complete = (aidSourceReference: string) => justice(COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference } });
    expect(await complete(given)).toMatchObject({ data: { referralComplete: { referral: null, userErrors: [{ code: 'AID_RECORD_CANCELLED', field: ['input', 'aidSourceReference'] }] } } });
    expect(codes(await complete(otherHousehold), 'referralComplete')).toEqual(['AID_RECORD_NOT_FOUND']);
    expect((await demo[CA](`query($id: ID!) { referral(id: $id) { state } }`, { id: slip })).data.referral.state).toBe('ACCEPTED');
  });
});

describe('a reporting office’s record corrected before it is named', () => {
  it('refuses a decision’s completion and a first aid naming a ledger entry its office corrected (CORRECTION) AID_RECORD_SUPERSEDED, naming the entry that stands (the chain’s last), not AID_RECORD_NOT_FOUND; the standing entry completes the slip', async () => {
    const slip = await acceptedLegalAidSlip('劳动争议法律援助（记录已更正）', WANG.spouse, '为户主配偶提供法律援助（欠薪）');
    const justice = demo[RENCHENG_JUSTICE];
    const aid = { programme: 'LEGAL_AID', amountFen: 0, beneficiaryIdNumber: WANG.spouse };
    const report = (r: Record<string, unknown>) => ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...aid, ...r }] }, 'aidReport');
    await report({ reference: 'FY-2026-0313-QX', grantDate: '2026-03-13' });
    const first = await reportedRef(justice, wangId, 'JUSTICE', 'FY-2026-0313-QX');
    // The date was wrong, and then wrong again: corrected twice before the office answers the slip.
    await report({ reference: 'FY-2026-0313-QX-C1', entryKind: 'CORRECTION', supersedesReference: 'FY-2026-0313-QX', grantDate: '2026-03-14' });
    await report({ reference: 'FY-2026-0313-QX-C2', entryKind: 'CORRECTION', supersedesReference: 'FY-2026-0313-QX-C1', grantDate: '2026-03-15' });
    const standing = await reportedRef(justice, wangId, 'JUSTICE', 'FY-2026-0313-QX-C2');
    const complete = (aidSourceReference: string) => justice(COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference } });
    expect(await complete(first)).toMatchObject({ data: { referralComplete: { referral: null, userErrors: [{ code: 'AID_RECORD_SUPERSEDED', field: ['input', 'aidSourceReference'] }] } } });
    const said = await justice(`mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { userErrors { message } } }`, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference: first } });
    expect(said.data.referralComplete.userErrors[0].message).toContain(standing);

    // A first aid naming it is refused so too, naming the same entry.
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field message } } }`;
    const urgent = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主配偶被拖欠工资急需法律援助', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(demo[CA], MOVE, { input: { caseId: urgent, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const firstAid = await demo[CA](FIRST_AID, { input: { caseId: urgent, programme: 'LEGAL_AID', amountFen: 0, beneficiaryIdNumber: WANG.spouse, reason: '先行法律援助', aidSourceReference: first } });
    expect(firstAid).toMatchObject({ data: { caseFirstAid: { case: null, userErrors: [{ code: 'AID_RECORD_SUPERSEDED', field: ['input', 'aidSourceReference'] }] } } });
    expect(firstAid.data.caseFirstAid.userErrors[0].message).toContain(standing);

    // Named as the message says, the standing entry completes the slip.
    const done = await ok(justice, COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference: standing } }, 'referralComplete');
    expect(done.referral.state).toBe('COMPLETED');
  });
});

describe('a forwarded slip (not a meeting’s decision) completed with a record', () => {
  it('refuses a ledger entry its office reversed (AID_RECORD_CANCELLED) or corrected (AID_RECORD_SUPERSEDED, naming the entry that stands), as a decision’s completion does; the standing entry completes it', async () => {
    const ca = demo[CA];
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '邻里纠纷，转司法', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const slip = (await ok(ca, ISSUE, { input: { caseId, to: { department: 'JUSTICE' }, ask: '请提供法律咨询并反馈', deadlineWorkingDays: 5 } }, 'referralIssue')).referral.id;
    const justice = demo[RENCHENG_JUSTICE];
    await ok(justice, ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    const aid = { programme: 'LEGAL_AID', amountFen: 0, beneficiaryIdNumber: WANG.head, grantDate: '2026-03-13' };
    const report = (r: Record<string, unknown>) => ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...aid, ...r }] }, 'aidReport');
    await report({ reference: 'FW-2026-R' });
    await report({ reference: 'FW-2026-C' });
    const reversed = await reportedRef(justice, wangId, 'JUSTICE', 'FW-2026-R');
    const corrected = await reportedRef(justice, wangId, 'JUSTICE', 'FW-2026-C');
    await report({ reference: 'FW-2026-R-X', entryKind: 'REVERSAL', supersedesReference: 'FW-2026-R' });
    await report({ reference: 'FW-2026-C-1', entryKind: 'CORRECTION', supersedesReference: 'FW-2026-C', grantDate: '2026-03-14' });
    const standing = await reportedRef(justice, wangId, 'JUSTICE', 'FW-2026-C-1');
    const COMPLETED = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code field message } } }`;
    const complete = (aidSourceReference: string) => justice(COMPLETED, { input: { referralId: slip, feedback: '已提供法律咨询', aidSourceReference } });
    // Both were taken, and supervision read the feedback as aid given.
    expect(await complete(reversed)).toMatchObject({ data: { referralComplete: { referral: null, userErrors: [{ code: 'AID_RECORD_CANCELLED', field: ['input', 'aidSourceReference'] }] } } });
    const superseded = await complete(corrected);
    expect(superseded).toMatchObject({ data: { referralComplete: { referral: null, userErrors: [{ code: 'AID_RECORD_SUPERSEDED', field: ['input', 'aidSourceReference'] }] } } });
    expect(superseded.data.referralComplete.userErrors[0].message).toContain(standing);
    expect((await demo[CA](`query($id: ID!) { referral(id: $id) { state } }`, { id: slip })).data.referral.state).toBe('ACCEPTED');
    expect((await ok(justice, COMPLETE, { input: { referralId: slip, feedback: '已提供法律咨询', aidSourceReference: standing } }, 'referralComplete')).referral.state).toBe('COMPLETED');
  });
});

describe('a reporting office naming its entry by its own reference', () => {
  it('is AID_RECORD_NOT_FOUND with a message saying how a reported entry is named, and which entry its reference is; the hub’s reference completes the slip', async () => {
    const slip = await acceptedLegalAidSlip('法律援助（以本单位编号办结）', WANG.head, '为户主提供法律援助（租赁纠纷）');
    const justice = demo[RENCHENG_JUSTICE];
    await ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ reference: 'FY-2026-OWN-7', beneficiaryIdNumber: WANG.head, programme: 'LEGAL_AID', grantDate: '2026-03-14', amountFen: 0 }] }, 'aidReport');
    const entry = await reportedRef(justice, wangId, 'JUSTICE', 'FY-2026-OWN-7');
    const COMPLETED = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code field message } } }`;
    const complete = (aidSourceReference: string) => justice(COMPLETED, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference } });
    // Its own numbering (as the ledger compares it, case aside): the entry it names is said.
    const own = await complete('fy-2026-own-7');
    expect(own).toMatchObject({ data: { referralComplete: { referral: null, userErrors: [{ code: 'AID_RECORD_NOT_FOUND', field: ['input', 'aidSourceReference'] }] } } });
    expect(own.data.referralComplete.userErrors[0].message).toContain(entry);
    expect(own.data.referralComplete.userErrors[0].message).toContain('Household.aid(departments: [JUSTICE])');
    // A reference it never used: how to name an entry, nothing more.
    const unknown = (await complete('FY-2026-NONE')).data.referralComplete.userErrors;
    expect(unknown).toEqual([{ code: 'AID_RECORD_NOT_FOUND', field: ['input', 'aidSourceReference'], message: expect.stringContaining('sourceReference (reported_aid:<n>)') }]);
    expect((await ok(justice, COMPLETE, { input: { referralId: slip, feedback: '已指派律师', aidSourceReference: entry } }, 'referralComplete')).referral.state).toBe('COMPLETED');
  });
});

describe('money decided for a service', () => {
  it('refuses a 法律援助 decision carrying money AMOUNT_INVALID at its amount, at a meeting, in a correction (changed or added) and in a reassignment, as aidReport refuses such a record; decided at 0 fen it is taken', async () => {
    const caseId = await caseInDeliberation('法律援助（决定金额）');
    const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { issued { id } userErrors { code field } } }`;
    const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
    const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { ${SLIP} } }`;
    const legal = { department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 5_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother, ask: '为户主之母提供法律援助（赡养纠纷）' };
    const present = ['CIVIL_AFFAIRS', 'JUSTICE'];
    const paid = await demo[CA](MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: present, decisions: [{ ...legal, department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'OTHER' }, legal] } });
    expect(paid).toMatchObject({ data: { meetingRecord: { meeting: null, userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'decisions', '1', 'amountFen'] }] } } });
    // 希望工程 from 共青团 for the child (a boy: 春蕾计划 is for girls, PROGRAMME_FOR_WOMEN), declined below and reassigned to 司法.
    const hope = { department: 'YOUTH_LEAGUE', programme: 'HOPE_PROJECT', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child };
    const met = await ok(demo[CA], MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: [...present, 'YOUTH_LEAGUE'], decisions: [{ ...legal, amountFen: 0 }, hope] } }, 'meetingRecord');
    const slip = met.meeting.decisions[0].id;
    const declined = met.meeting.decisions[1].id;
    const correct = (input: Record<string, unknown>) => demo[CA](CORRECT, { input: { caseId, reason: '更正决定', ...input } });
    expect(await correct({ changes: [{ referralId: slip, decision: legal }] })).toMatchObject({ data: { decisionCorrect: { userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'changes', '0', 'decision', 'amountFen'] }] } } });
    expect(await correct({ add: [{ ...legal, beneficiaryIdNumber: WANG.head }] })).toMatchObject({ data: { decisionCorrect: { userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'add', '0', 'amountFen'] }] } } });
    // Declined by 共青团, the decision is reassigned to 法律援助: with money for the service, refused; at 0 fen, issued.
    await ok(demo.AIDHUB_TOKEN_370811_YOUTH_LEAGUE, DECLINE, { input: { referralId: declined, reason: '不符合希望工程资助条件' } }, 'referralDecline');
    const reassign = { referralId: declined, reason: '改为法律援助（抚养费纠纷）', department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 5_000, deadlineWorkingDays: 10 };
    expect(await demo[CA](REASSIGN, { input: reassign })).toMatchObject({ data: { referralReassign: { referral: null, userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'amountFen'] }] } } });
    const reassigned = await ok(demo[CA], REASSIGN, { input: { ...reassign, amountFen: 0 } }, 'referralReassign');
    expect(reassigned.referral.state).toBe('ISSUED');
    // A first aid of the service is held to 0 fen as well.
    const urgent = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母急需法律援助', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(demo[CA], MOVE, { input: { caseId: urgent, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    expect(await demo[CA](FIRST_AID, { input: { caseId: urgent, programme: 'LEGAL_AID', amountFen: 5_000, beneficiaryIdNumber: WANG.grandmother, reason: '先行法律援助' } })).toMatchObject({
      data: { caseFirstAid: { case: null, userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'amountFen'] }] } },
    });
  });
});

describe('no money decided for money aid', () => {
  it('refuses a decision or first aid of a programme that pays money at 0 fen AMOUNT_INVALID, at a meeting, in a correction (changed or added), in a reassignment and as a first aid, as aidReport refuses such a record', async () => {
    // A slip deciding 医疗救助 0.00 元 was completed by any payment of the programme and never read as short.
    const caseId = await caseInDeliberation('临时救助（金额漏填）');
    const CORRECT = `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { issued { id } userErrors { code field } } }`;
    const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
    const REASSIGN = `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { ${SLIP} } }`;
    const tempAid = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'OTHER', amountFen: 0, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head };
    // 希望工程 for the child (a boy: 春蕾计划 is for girls, PROGRAMME_FOR_WOMEN).
    const hope = { department: 'YOUTH_LEAGUE', programme: 'HOPE_PROJECT', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.child };
    const present = ['CIVIL_AFFAIRS', 'YOUTH_LEAGUE'];
    const unpaid = await demo[CA](MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: present, decisions: [hope, tempAid] } });
    expect(unpaid).toMatchObject({ data: { meetingRecord: { meeting: null, userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'decisions', '1', 'amountFen'] }] } } });
    const met = await ok(demo[CA], MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: present, decisions: [hope, { ...tempAid, amountFen: 50_000 }] } }, 'meetingRecord');
    const [declined, slip] = met.meeting.decisions.map((d: { id: string }) => d.id);
    const correct = (input: Record<string, unknown>) => demo[CA](CORRECT, { input: { caseId, reason: '更正决定', ...input } });
    expect(await correct({ changes: [{ referralId: slip, decision: tempAid }] })).toMatchObject({ data: { decisionCorrect: { userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'changes', '0', 'decision', 'amountFen'] }] } } });
    expect(await correct({ add: [{ ...tempAid, beneficiaryIdNumber: WANG.spouse }] })).toMatchObject({ data: { decisionCorrect: { userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'add', '0', 'amountFen'] }] } } });
    await ok(demo.AIDHUB_TOKEN_370811_YOUTH_LEAGUE, DECLINE, { input: { referralId: declined, reason: '不符合希望工程资助条件' } }, 'referralDecline');
    const reassign = { referralId: declined, reason: '改由民政临时救助', department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'OTHER', amountFen: 0, deadlineWorkingDays: 10 };
    expect(await demo[CA](REASSIGN, { input: reassign })).toMatchObject({ data: { referralReassign: { referral: null, userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'amountFen'] }] } } });
    const urgent = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主急需临时救助', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(demo[CA], MOVE, { input: { caseId: urgent, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    expect(await demo[CA](FIRST_AID, { input: { caseId: urgent, programme: 'TEMP_AID', cause: 'OTHER', amountFen: 0, beneficiaryIdNumber: WANG.head, reason: '先行临时救助' } })).toMatchObject({
      data: { caseFirstAid: { case: null, userErrors: [{ code: 'AMOUNT_INVALID', field: ['input', 'amountFen'] }] } },
    });
  });
});

describe('women’s programmes for a man', () => {
  it('refuses a first aid of "两癌"救助 for the household’s husband PROGRAMME_FOR_WOMEN at its beneficiary, as a meeting’s decision and aidReport refuse it; for his wife it is taken', async () => {
    // A meeting, a correction and a reassignment refused it (domain/cases/meetings.ts); a first aid took it, putting a cancer aid on the wrong member.
    const urgent = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之妻急需两癌救助', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(demo[CA], MOVE, { input: { caseId: urgent, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    const aid = { caseId: urgent, programme: 'TWO_CANCERS_AID', amountFen: 500_000, reason: '先行两癌救助' };
    expect(await demo[CA](FIRST_AID, { input: { ...aid, beneficiaryIdNumber: WANG.head } })).toMatchObject({
      data: { caseFirstAid: { case: null, userErrors: [{ code: 'PROGRAMME_FOR_WOMEN', field: ['input', 'beneficiaryIdNumber'] }] } },
    });
    expect((await ok(demo[CA], FIRST_AID, { input: { ...aid, beneficiaryIdNumber: WANG.spouse } }, 'caseFirstAid')).userErrors).toEqual([]);
  });
});

describe('冬春救助 as first aid out of its season', () => {
  it('refuses a first aid of 冬春救助 given in July OUT_OF_SEASON at its programme, as a meeting’s decision and aidReport refuse it; given in December it is taken', async () => {
    // A meeting held in July and aidReport's July grant were refused (domain/programme-seasons.ts); a first aid given in July was recorded.
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } userErrors { code field } } }`;
    const urgentOn = async (reportedAt: string) => {
      const id = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '房屋受灾急需生活救助', reportedAt } }, 'caseOpen')).case.id;
      await ok(demo[CA], MOVE, { input: { caseId: id, to: 'ACCEPTED', reason: '受理', occurredAt: reportedAt } }, 'caseTransition');
      return id;
    };
    const aid = { programme: 'WINTER_SPRING_RELIEF', amountFen: 80_000, beneficiaryIdNumber: WANG.head, reason: '先行冬春救助' };
    const before = clock.now();
    try {
      clock.set('2026-07-14T16:00:00+08:00');
      const july = await urgentOn('2026-07-14T09:00:00+08:00');
      expect(await demo[CA](FIRST_AID, { input: { ...aid, caseId: july, occurredAt: '2026-07-14T15:00:00+08:00' } })).toMatchObject({
        data: { caseFirstAid: { case: null, userErrors: [{ code: 'OUT_OF_SEASON', field: ['input', 'programme'] }] } },
      });
      clock.set('2026-12-01T16:00:00+08:00');
      const december = await urgentOn('2026-12-01T09:00:00+08:00');
      expect((await ok(demo[CA], FIRST_AID, { input: { ...aid, caseId: december, occurredAt: '2026-12-01T15:00:00+08:00' } }, 'caseFirstAid')).userErrors).toEqual([]);
    } finally {
      clock.set(before);
    }
  });
});

describe('a first aid sent again after its record was corrected', () => {
  it('answers the retry (with its key, and without one) with its first outcome, replayed, not refused by the correction made since', async () => {
    const FIRST_AID = `mutation($input: CaseFirstAidInput!) { caseFirstAid(input: $input) { case { state } replayed userErrors { code field } } }`;
    const justice = demo[RENCHENG_JUSTICE];
    const aid = { programme: 'LEGAL_AID', amountFen: 0, beneficiaryIdNumber: WANG.head };
    const report = (r: Record<string, unknown>) => ok(reporting[RENCHENG_JUSTICE], REPORT, { r: [{ ...aid, ...r }] }, 'aidReport');
    for (const key of ['first-aid-legal-1', null]) {
      const urgent = (await ok(demo[CA], OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主工伤急需法律援助', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
      await ok(demo[CA], MOVE, { input: { caseId: urgent, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
      const reference = `FY-FA-${key === null ? 'U' : 'K'}`;
      await report({ reference, grantDate: '2026-03-13' });
      const named = await reportedRef(justice, wangId, 'JUSTICE', reference);
      const input = { caseId: urgent, ...aid, reason: '先行法律援助（工伤）', aidSourceReference: named, ...(key === null ? {} : { idempotencyKey: key }) };
      expect((await ok(demo[CA], FIRST_AID, { input }, 'caseFirstAid')).replayed).toBe(false);
      await report({ reference: `${reference}-C`, entryKind: 'CORRECTION', supersedesReference: reference, grantDate: '2026-03-14' });
      expect(await demo[CA](FIRST_AID, { input })).toMatchObject({ data: { caseFirstAid: { case: { state: 'FIRST_AID_GIVEN' }, replayed: true, userErrors: [] } } });
    }
  });
});

describe('what stays refused, and what reads', () => {
  it('refuses a charity’s decision, saying charities are reached through charity linkage, and records no meeting', async () => {
    const caseId = await caseInDeliberation('慈善医疗救助决定');
    const res = await demo[CA](MEETING, {
      input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'CHARITY'], decisions: [{ department: 'CHARITY', programme: 'CHARITY_MEDICAL', amountFen: 300_000, deadlineWorkingDays: 10 }] },
    });
    expect(res.errors).toBeUndefined();
    const [refusal] = res.data.meetingRecord.userErrors;
    expect(res.data.meetingRecord.userErrors).toHaveLength(1);
    expect(refusal).toMatchObject({ code: 'UNKNOWN_OFFICE', field: ['input', 'decisions', '0', 'department'] });
    // The message names the way that does reach charities.
    expect(refusal.message).toContain('charityNeedPublish');
    const slip = await demo[CA](ISSUE, { input: { caseId, to: { department: 'CHARITY' }, ask: '请慈善组织资助', deadlineWorkingDays: 5 } });
    expect(codes(slip, 'referralIssue')).toEqual(['UNKNOWN_OFFICE']);
    const read = await demo[CA](`query($id: ID!) { case(id: $id) { state referrals { id } meetings { id } } }`, { id: caseId });
    expect(read.data.case).toEqual({ state: 'IN_DELIBERATION', referrals: [], meetings: [] });
  });

  it('sends a forwarded slip to 应急; supervision names the county office it is overdue at', async () => {
    const ca = demo[CA];
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '房屋受灾', reportedAt: '2026-03-14T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const issued = await ok(ca, ISSUE, { input: { caseId, to: { department: 'EMERGENCY_MANAGEMENT' }, ask: '请核实受灾情况', deadlineWorkingDays: 1 } }, 'referralIssue');
    expect(issued.referral.to).toEqual({ key: 'EMERGENCY_MANAGEMENT', name: '任城区应急管理局' });
    clock.set('2026-03-18T10:00:00+08:00');
    try {
      const res = await demo.AIDHUB_TOKEN_CIVIL_AFFAIRS(`query { overdueReport { byOffice { office { key name county { code } } referrals { referral { id } } } } }`);
      expect(res.errors).toBeUndefined();
      const emergency = res.data.overdueReport.byOffice.filter((g: { office: { key: string } }) => g.office.key === 'EMERGENCY_MANAGEMENT');
      expect(emergency).toEqual([{ office: { key: 'EMERGENCY_MANAGEMENT', name: '任城区应急管理局', county: { code: '370811' } }, referrals: [{ referral: { id: issued.referral.id } }] }]);
    } finally {
      clock.set('2026-03-15T10:00:00+08:00');
    }
  });

  it('reads a case whose stored slip names a key no office maps (an older hub’s), showing that office as unknown', async () => {
    const ca = demo[CA];
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '旧版转办单', reportedAt: '2026-03-10T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    // As an older hub wrote it: an office key that no Office maps any more.
    await dbs.hub.insert(referralSlip).values({
      caseId: Number(caseId),
      kind: 'FORWARD',
      fromOffice: 'CIVIL_AFFAIRS',
      toOffice: 'OLD_OFFICE',
      ask: '请协助核查',
      deadlineWorkingDays: 1,
      issuedAt: toDbInstant(new Date('2026-03-11T02:00:00Z')),
      dueOn: '2026-03-12',
      state: 'ISSUED',
    });
    const res = await ca(`query($id: ID!) { case(id: $id) { referrals { to { key name department { code } township { code } county { code } } from { key name } aidRecord { sourceReference } } dossier { referrals { to { key name } } } } }`, { id: caseId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.referrals).toEqual([{ to: { key: 'OLD_OFFICE', name: '未知单位', department: null, township: null, county: null }, from: { key: 'CIVIL_AFFAIRS', name: '任城区民政局' }, aidRecord: null }]);
    // The household's dossier lists its earlier cases' slips too (the legal aid above): this one reads as unknown.
    expect(res.data.case.dossier.referrals).toContainEqual({ to: { key: 'OLD_OFFICE', name: '未知单位' } });
    expect(res.data.case.dossier.referrals).toContainEqual({ to: { key: 'JUSTICE', name: '任城区司法局' } });
    // Supervision and the brief read it too.
    const report = await demo.AIDHUB_TOKEN_CIVIL_AFFAIRS(`query { overdueReport { byOffice { office { key name } referrals { referral { id } } } } }`);
    expect(report.errors).toBeUndefined();
    expect(report.data.overdueReport.byOffice.map((g: { office: { key: string; name: string } }) => g.office)).toContainEqual({ key: 'OLD_OFFICE', name: '未知单位' });
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: tokens.get(CA)!, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    expect(await brief.text()).toContain('未知单位');
  });

  it('names every county office as the county’s own', () => {
    const office = (department: 'JUSTICE' | 'YOUTH_LEAGUE' | 'RED_CROSS' | 'HEALTH') => ({ kind: 'DEPARTMENT' as const, key: department, department });
    expect(departmentOfficeName(office('JUSTICE'), '任城区')).toBe('任城区司法局');
    expect(departmentOfficeName(office('YOUTH_LEAGUE'), '邹城市')).toBe('共青团邹城市委');
    expect(departmentOfficeName(office('RED_CROSS'), '任城区')).toBe('任城区红十字会');
    expect(departmentOfficeName(office('HEALTH'), '任城区')).toBe('任城区医疗保障局');
    expect(departmentOfficeName(office('HEALTH'))).toBe('医疗保障局');
  });
});

describe('a slip completed with a ledger entry corrected since', () => {
  const EMERGENCY = 'AIDHUB_TOKEN_370811_EMERGENCY_MANAGEMENT';
  const RECORD = `sourceReference status amountFen period { start end } reportedBy { reference }`;
  const SLIP_RECORD = `query($id: ID!) { referral(id: $id) { state aidRecord { ${RECORD} supersededBy { ${RECORD} supersededBy { sourceReference } } } fulfilment { standing supersededBy { aidSourceReference amountFen } shortfallFen } } }`;
  const FULFILMENT_ONLY = `query($id: ID!) { referral(id: $id) { state fulfilment { standing supersededBy { aidSourceReference amountFen } } } }`;
  const HOUSEHOLD = `query($id: ID!) { household(id: $id) {
    aid(departments: [EMERGENCY_MANAGEMENT]) { sourceReference status amountFen reportedBy { reference } }
    aidSummary(from: "2026-03-01", to: "2026-03-31") { byDepartment { department { code } totalFen recordCount } monthlyRecurringFen }
    findings { rule { id } records { sourceReference status } } } }`;
  const transition = { beneficiaryIdNumber: WANG.head, programme: 'DISASTER_TRANSITION', periodStart: '2026-03-14' };
  const report = (r: Record<string, unknown>) => ok(reporting[EMERGENCY], REPORT, { r: [{ ...transition, ...r }] }, 'aidReport');
  let slip: string;
  let named: string;
  let statements: { standing: number; corrected: number };
  /** The slip among 应急's decisions met short in supervision's report, as listed. */
  const shortfallsOf = async (id: string) => {
    const res = await demo[CA](`{ overdueReport { byOffice { office { key } shortfalls { referral { id fulfilment { shortfallFen } } shortfallFen } } } }`);
    expect(res.errors).toBeUndefined();
    const emergency = res.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'EMERGENCY_MANAGEMENT');
    return (emergency?.shortfalls ?? []).filter((s: { referral: { id: string } }) => s.referral.id === id);
  };
  /** The entry the slip named (¥600 a month), as recorded, SUPERSEDED by the standing correction given. */
  const namedSupersededBy = (standing: string, reference: string, amountFen: number) => ({
    sourceReference: named,
    status: 'SUPERSEDED',
    amountFen: 60_000,
    period: { start: '2026-03-14', end: null },
    reportedBy: { reference: 'GD-2026-01' },
    supersededBy: { sourceReference: standing, status: 'ACTIVE', amountFen, period: { start: '2026-03-14', end: null }, reportedBy: { reference }, supersededBy: null },
  });

  it('shows the entry it named as recorded, SUPERSEDED, with supersededBy the correction, in the statements it read before (not null: supervision lost the money the slip was met by)', async () => {
    const caseId = await caseInDeliberation('房屋倒塌，过渡期生活困难');
    const decision = { department: 'EMERGENCY_MANAGEMENT', programme: 'DISASTER_TRANSITION', amountFen: 60_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, ask: '发放受灾人员过渡期生活救助' };
    const met = await ok(demo[CA], MEETING, { input: { caseId, heldOn: '2026-03-13', departmentsPresent: ['CIVIL_AFFAIRS', 'EMERGENCY_MANAGEMENT'], decisions: [decision] } }, 'meetingRecord');
    slip = met.meeting.decisions[0].id;
    expect(met.meeting.decisions[0].to.name).toBe('任城区应急管理局');
    await ok(demo[EMERGENCY], ACCEPT, { input: { referralId: slip } }, 'referralAccept');
    await report({ reference: 'GD-2026-01', amountFen: 60_000 });
    named = await reportedRef(demo[EMERGENCY], wangId, 'EMERGENCY_MANAGEMENT', 'GD-2026-01');
    await ok(demo[EMERGENCY], COMPLETE, { input: { referralId: slip, feedback: '已发放过渡期生活救助', aidSourceReference: named } }, 'referralComplete');
    const before = await demo[CA](SLIP_RECORD, { id: slip });
    expect(before.data.referral).toEqual({
      state: 'COMPLETED',
      aidRecord: { sourceReference: named, status: 'ACTIVE', amountFen: 60_000, period: { start: '2026-03-14', end: null }, reportedBy: { reference: 'GD-2026-01' }, supersededBy: null },
      fulfilment: { standing: 'STANDS', supersededBy: null, shortfallFen: 0 },
    });

    // 应急 corrects the monthly amount: a new entry supersedes the one the slip named.
    await report({ reference: 'GD-2026-01-C1', entryKind: 'CORRECTION', supersedesReference: 'GD-2026-01', amountFen: 50_000 });
    const first = await reportedRef(demo[EMERGENCY], wangId, 'EMERGENCY_MANAGEMENT', 'GD-2026-01-C1');
    const after = await demo[CA](SLIP_RECORD, { id: slip });
    expect(after.errors).toBeUndefined();
    expect(after.data.referral).toEqual({
      state: 'COMPLETED',
      aidRecord: namedSupersededBy(first, 'GD-2026-01-C1', 50_000),
      // Short by what the correction gives now (¥600 decided, ¥500 standing), read with the standing: not 0 as checked.
      fulfilment: { standing: 'SUPERSEDED_AT_SOURCE', supersededBy: { aidSourceReference: first, amountFen: 50_000 }, shortfallFen: 10_000 },
    });
    // The named entry comes with the chain's last in the statement that finds it gone: reading the
    // slip's record costs what reading its fulfilment alone does, one statement more than while it stood.
    const fulfilmentOnly = await demo[CA](FULFILMENT_ONLY, { id: slip });
    statements = { standing: before.extensions!.sqlStatements!.total, corrected: after.extensions!.sqlStatements!.total };
    expect(statements.corrected).toBe(statements.standing + 1);
    expect(fulfilmentOnly.extensions!.sqlStatements!.bySource).toEqual(after.extensions!.sqlStatements!.bySource);
  });

  it('corrected twice, links the entry it named to the chain’s last, in the same statements', async () => {
    await report({ reference: 'GD-2026-01-C2', entryKind: 'CORRECTION', supersedesReference: 'GD-2026-01-C1', amountFen: 55_000 });
    const last = await reportedRef(demo[EMERGENCY], wangId, 'EMERGENCY_MANAGEMENT', 'GD-2026-01-C2');
    const res = await demo[CA](SLIP_RECORD, { id: slip });
    expect(res.data.referral.aidRecord).toEqual(namedSupersededBy(last, 'GD-2026-01-C2', 55_000));
    expect(res.data.referral.fulfilment).toEqual({ standing: 'SUPERSEDED_AT_SOURCE', supersededBy: { aidSourceReference: last, amountFen: 55_000 }, shortfallFen: 5_000 });
    expect(res.extensions!.sqlStatements!.total).toBe(statements.corrected);

    // Supervision reads the slip the same way, under the office that completed it.
    const supervised = await demo[CA](`{ overdueReport { byOffice { office { key } fulfilmentsWithdrawn { referral { id aidRecord { sourceReference status supersededBy { sourceReference } } } standing } } } }`);
    expect(supervised.errors).toBeUndefined();
    const emergency = supervised.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'EMERGENCY_MANAGEMENT');
    expect(emergency.fulfilmentsWithdrawn).toEqual([{ referral: { id: slip, aidRecord: { sourceReference: named, status: 'SUPERSEDED', supersededBy: { sourceReference: last } } }, standing: 'SUPERSEDED_AT_SOURCE' }]);
    // …and among the decisions met short, by what stands now, as the slip reads it.
    expect(await shortfallsOf(slip)).toEqual([{ referral: { id: slip, fulfilment: { shortfallFen: 5_000 } }, shortfallFen: 5_000 }]);

    // The household's aid is the entry that stands, once: no superseded entry as aid, none counted twice, none in a finding.
    const household = (await demo[CA](HOUSEHOLD, { id: String(wangId) })).data.household;
    expect(household.aid.filter((a: { reportedBy: { reference: string } }) => a.reportedBy.reference.startsWith('GD-2026-01'))).toEqual([
      { sourceReference: last, status: 'ACTIVE', amountFen: 55_000, reportedBy: { reference: 'GD-2026-01-C2' } },
    ]);
    expect(household.aid.map((a: { status: string }) => a.status)).not.toContain('SUPERSEDED');
    const byEmergency = household.aidSummary.byDepartment.find((d: { department: { code: string } }) => d.department.code === 'EMERGENCY_MANAGEMENT');
    expect(byEmergency.recordCount).toBe(household.aid.filter((a: { status: string }) => a.status === 'ACTIVE').length);
    const records = household.findings.flatMap((f: { records: { sourceReference: string; status: string }[] }) => f.records);
    expect(records.filter((r: { sourceReference: string; status: string }) => r.status === 'SUPERSEDED' || r.sourceReference === named)).toEqual([]);
    expect(household.findings.map((f: { rule: { id: string } }) => f.rule.id)).not.toContain('X9');
  });

  it('prints the decision’s record on the brief as corrected to the amount that stands', async () => {
    const caseId = (await demo[CA](`query($id: ID!) { referral(id: $id) { case { id } } }`, { id: slip })).data.referral.case.id;
    const html = await (await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: tokens.get(CA)!, purpose: 'CASE_MEETING' }).headers })).text();
    const at = html.indexOf(briefCode(named));
    expect(at).toBeGreaterThan(0);
    expect(html.slice(html.lastIndexOf('<tr>', at), html.indexOf('</tr>', at)).replace(/<[^>]+>/g, '')).toContain('记录现状：该救助记录已更正为 550.00 元/月 2026-03-14（更正记录 GD-2026-01-C2），少于决定 50.00 元/月，与核验时不符');
  });

  it('corrected up to more than decided, is short of nothing: no negative shortfall, none listed', async () => {
    await report({ reference: 'GD-2026-01-C3', entryKind: 'CORRECTION', supersedesReference: 'GD-2026-01-C2', amountFen: 65_000 });
    const up = await reportedRef(demo[EMERGENCY], wangId, 'EMERGENCY_MANAGEMENT', 'GD-2026-01-C3');
    const res = await demo[CA](SLIP_RECORD, { id: slip });
    expect(res.data.referral.fulfilment).toEqual({ standing: 'SUPERSEDED_AT_SOURCE', supersededBy: { aidSourceReference: up, amountFen: 65_000 }, shortfallFen: 0 });
    expect(res.extensions!.sqlStatements!.total).toBe(statements.corrected);
    expect(await shortfallsOf(slip)).toEqual([]);
  });

  it('reversed, shows the entry it named as recorded, CANCELLED, with supersededBy the reversal, in the statements its fulfilment costs (not null: supervision saw no money taken back)', async () => {
    // A forwarded slip met by 冬春救助, which 应急 then reverses.
    const ca = demo[CA];
    const caseId = (await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '冬春生活困难', reportedAt: '2026-03-12T09:00:00+08:00' } }, 'caseOpen')).case.id;
    await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const forwarded = (await ok(ca, ISSUE, { input: { caseId, to: { department: 'EMERGENCY_MANAGEMENT' }, ask: '请核实并给予冬春救助', deadlineWorkingDays: 5 } }, 'referralIssue')).referral.id;
    await ok(demo[EMERGENCY], ACCEPT, { input: { referralId: forwarded } }, 'referralAccept');
    const relief = { beneficiaryIdNumber: WANG.spouse, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-03-14', amountFen: 30_000 };
    await ok(reporting[EMERGENCY], REPORT, { r: [{ ...relief, reference: 'DC-2026-01' }] }, 'aidReport');
    const given = await reportedRef(demo[EMERGENCY], wangId, 'EMERGENCY_MANAGEMENT', 'DC-2026-01');
    await ok(demo[EMERGENCY], COMPLETE, { input: { referralId: forwarded, feedback: '已发放冬春救助', aidSourceReference: given } }, 'referralComplete');
    const ONE_OFF = `sourceReference status amountFen reportedBy { reference }`;
    const SHOWN = `query($id: ID!) { referral(id: $id) { aidRecord { ${ONE_OFF} supersededBy { ${ONE_OFF} supersededBy { sourceReference } } } } }`;
    const paid = await ca(SHOWN, { id: forwarded });
    expect(paid.data.referral.aidRecord).toEqual({ sourceReference: given, status: 'PAID', amountFen: 30_000, reportedBy: { reference: 'DC-2026-01' }, supersededBy: null });
    await ok(reporting[EMERGENCY], REPORT, { r: [{ ...relief, reference: 'DC-2026-01-R', entryKind: 'REVERSAL', supersedesReference: 'DC-2026-01', amountFen: 0 }] }, 'aidReport');
    const reversed = await ca(SHOWN, { id: forwarded });
    expect(reversed.errors).toBeUndefined();
    const reversal = await reportedRef(demo[EMERGENCY], wangId, 'EMERGENCY_MANAGEMENT', 'DC-2026-01-R');
    expect(reversal).not.toBe(given);
    expect(reversed.data.referral.aidRecord).toEqual({
      sourceReference: given,
      status: 'CANCELLED',
      amountFen: 30_000,
      reportedBy: { reference: 'DC-2026-01' },
      supersededBy: { sourceReference: reversal, status: 'CANCELLED', amountFen: 0, reportedBy: { reference: 'DC-2026-01-R' }, supersededBy: null },
    });
    // The named entry comes with the reversal in the one statement that finds it gone.
    expect(reversed.extensions!.sqlStatements!.total).toBe(paid.extensions!.sqlStatements!.total + 1);

    // The corrected decision's entry reversed in turn: its chain ends in the REVERSAL, and the slip shows
    // the entry it named (¥600 a month) as recorded, CANCELLED, linked to the reversal, in the same statements.
    await report({ reference: 'GD-2026-01-R', entryKind: 'REVERSAL', supersedesReference: 'GD-2026-01-C3', amountFen: 0 });
    const decided = await ca(SLIP_RECORD, { id: slip });
    expect(decided.errors).toBeUndefined();
    const taken = decided.data.referral.fulfilment.supersededBy.aidSourceReference;
    expect(decided.data.referral).toEqual({
      state: 'COMPLETED',
      aidRecord: {
        ...namedSupersededBy(taken, 'GD-2026-01-R', 0),
        status: 'CANCELLED',
        supersededBy: { sourceReference: taken, status: 'CANCELLED', amountFen: 0, period: { start: '2026-03-14', end: null }, reportedBy: { reference: 'GD-2026-01-R' }, supersededBy: null },
      },
      // Nothing stands: the whole decision is short.
      fulfilment: { standing: 'CANCELLED_AT_SOURCE', supersededBy: { aidSourceReference: taken, amountFen: 0 }, shortfallFen: 60_000 },
    });
    expect(decided.extensions!.sqlStatements!.total).toBe(statements.corrected);

    // Supervision lists it withdrawn under the office, the same record on the slip; the brief says it was reversed.
    const supervised = await ca(`{ overdueReport { byOffice { office { key } fulfilmentsWithdrawn { referral { id aidRecord { sourceReference status supersededBy { sourceReference } } } standing } } } }`);
    expect(supervised.errors).toBeUndefined();
    const emergency = supervised.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'EMERGENCY_MANAGEMENT');
    expect(emergency.fulfilmentsWithdrawn).toContainEqual({ referral: { id: slip, aidRecord: { sourceReference: named, status: 'CANCELLED', supersededBy: { sourceReference: taken } } }, standing: 'CANCELLED_AT_SOURCE' });
    expect(await shortfallsOf(slip)).toEqual([{ referral: { id: slip, fulfilment: { shortfallFen: 60_000 } }, shortfallFen: 60_000 }]);
    const decidedCase = (await ca(`query($id: ID!) { referral(id: $id) { case { id } } }`, { id: slip })).data.referral.case.id;
    const html = await (await fetch(`${hub.url}/cases/${decidedCase}/brief`, { headers: hub.as({ token: tokens.get(CA)!, purpose: 'CASE_MEETING' }).headers })).text();
    const at = html.indexOf(briefCode(named));
    expect(at).toBeGreaterThan(0);
    expect(html.slice(html.lastIndexOf('<tr>', at), html.indexOf('</tr>', at)).replace(/<[^>]+>/g, '')).toContain('记录现状：该救助记录已冲销（冲销记录 GD-2026-01-R），未实际落实');

    // Neither entry taken back is aid the household has: none in its aid as given, its totals or a finding.
    const household = (await ca(HOUSEHOLD, { id: String(wangId) })).data.household;
    const taking = (a: { sourceReference: string }) => [named, given].includes(a.sourceReference);
    expect(household.aid.filter(taking)).toEqual([]);
    expect(household.aid.filter((a: { status: string }) => a.status === 'SUPERSEDED')).toEqual([]);
    expect(household.aid.filter((a: { reportedBy: { reference: string } }) => a.reportedBy.reference.startsWith('GD-2026-01'))).toEqual([{ sourceReference: taken, status: 'CANCELLED', amountFen: 0, reportedBy: { reference: 'GD-2026-01-R' } }]);
    const byEmergency = household.aidSummary.byDepartment.find((d: { department: { code: string } }) => d.department.code === 'EMERGENCY_MANAGEMENT');
    expect(byEmergency?.recordCount ?? 0).toBe(household.aid.filter((a: { status: string }) => a.status === 'ACTIVE').length);
    const records = household.findings.flatMap((f: { records: { sourceReference: string; status: string }[] }) => f.records);
    expect(records.filter((r: { sourceReference: string; status: string }) => r.status === 'SUPERSEDED' || taking(r))).toEqual([]);
  });
});
