/**
 * A slip to a township goes only to the case's own township. A township's officers reach the cases
 * kept in their township alone (the case's township code: resolvers/cases/resolvers.ts inReach), so a
 * slip sent to another township of the same county, a hand-over among them, was issued and then
 * read by no one: absent from that township's inbox, REFERRAL_NOT_FOUND to its accept or answer,
 * overdue for ever, and the case could not close or be withdrawn with it unanswered. It is now
 * refused at issue, OFFICE_OUT_OF_TOWNSHIP, and nothing is written (a probe of session 48 found it on
 * the demo hub: 任城区民政局 sent 古槐街道 a hand-over of a case kept in 观音阁街道).
 */
import { eq } from 'drizzle-orm';
import { region } from '../db/household/schema';
import { referralSlip } from '../db/cases/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

jest.setTimeout(120_000);

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id township { code } } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id to { key } } userErrors { code field } } }`;
const INBOX = `query($t: String!) { referralsToOffice(office: { township: $t }) { id } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { state } userErrors { code } } }`;
/** Another township of 任城区 than 王's (古槐街道, 370811001). */
const OTHER_TOWNSHIP = '370811002';

let dbs: TestDatabases;
let hub: TestHub;
let county: TestHub['gql'];
let otherTownship: TestHub['gql'];
let ownTownship: TestHub['gql'];
let caseId: string;

beforeAll(async () => {
  dbs = await createTestDatabases('cases_slip_township');
  await insertRegions(dbs);
  await dbs.hub.insert(region).values({ code: OTHER_TOWNSHIP, name: '济阳街道', level: 'TOWNSHIP', parentCode: '370811' });
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING' });
  const make = async (name: string, regionScope: string, purpose: string) =>
    hub.as({ token: (await hub.createClient({ name, department: 'CIVIL_AFFAIRS', regionScope, roles: ['CASEWORKER'] })).token, purpose }).gql;
  county = await make('slip-township-county', '370811', 'CASE_MEETING');
  ownTownship = await make('slip-township-own', '370811001', 'REFERRAL');
  otherTownship = await make('slip-township-other', OTHER_TOWNSHIP, 'REFERRAL');
  const opened = await ok(county, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '申请临时救助' } }, 'caseOpen');
  caseId = opened.case.id;
  expect(opened.case.township.code).toBe('370811001');
  await ok(county, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('refuses a slip, or a hand-over, to another township of the case’s county, and writes nothing', async () => {
  for (const handOver of [false, true]) {
    const res = await county(ISSUE, { input: { caseId, to: { township: OTHER_TOWNSHIP }, ask: '请入户核查', deadlineWorkingDays: 3, handOver } });
    expect(res.errors).toBeUndefined();
    expect(res.data.referralIssue).toEqual({ referral: null, userErrors: [{ code: 'OFFICE_OUT_OF_TOWNSHIP', field: ['input', 'to'] }] });
  }
  expect(await dbs.hub.select({ id: referralSlip.id }).from(referralSlip).where(eq(referralSlip.caseId, Number(caseId)))).toEqual([]);
  // That township's officers could not have read or answered it: the case is not theirs to reach.
  const inbox = await otherTownship(INBOX, { t: OTHER_TOWNSHIP });
  expect(inbox.errors).toBeUndefined();
  expect(inbox.data.referralsToOffice).toEqual([]);
});

it('still sends the case’s own township its slip, which its officers read and accept', async () => {
  const slip = (await ok(county, ISSUE, { input: { caseId, to: { township: '370811001' }, ask: '请入户核查', deadlineWorkingDays: 3 } }, 'referralIssue')).referral;
  expect(slip.to.key).toBe('370811001');
  const inbox = await ownTownship(INBOX, { t: '370811001' });
  expect(inbox.data.referralsToOffice).toEqual([{ id: slip.id }]);
  expect((await ok(ownTownship, ACCEPT, { input: { referralId: slip.id } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
});
