/**
 * A reason, feedback or summary that shows nothing is no reason: prose made only of zero-width
 * spaces, word joiners, soft hyphens, Hangul fillers or blanks is read as the empty text it looks
 * like (resolvers/text-inputs.ts, domain/text-length.ts isBlank), so each rule that needs one refuses
 * it with its own code, as it refuses "". A decline "reason" of U+200B was taken, and supervision
 * (overdueReport … declinesOpen) listed a declined decision whose reason reads as nothing.
 */
import { healthScenario } from '../federation/health/scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { wangHealthAndHousingSlips } from './support/cases';
import { userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(120_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let office: Record<'HEALTH' | 'HOUSING', TestHub['gql']>;
let slips: Record<'HEALTH' | 'HOUSING', string>;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

/** Zero-width space, word joiner, soft hyphen, Hangul filler, ideographic space, BOM: nothing to read. */
const INVISIBLE = '\u200b\u2060\u00ad\u3164\u3000\ufeff';

beforeAll(async () => {
  dbs = await createTestDatabases('blank_prose');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ({ slips, office } = await wangHealthAndHousingSlips(hub, wangId, 'blank'));
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { state declineReason } userErrors { code field } } }`;
const COMPLETE = `mutation($input: ReferralCompleteInput!) { referralComplete(input: $input) { referral { state } userErrors { code field } } }`;
const STATE = `query($id: ID!) { referral(id: $id) { state } }`;

it('refuses a decline whose reason shows nothing, as one without a reason, and supervision lists no such decline', async () => {
  for (const reason of ['', INVISIBLE, `${INVISIBLE}\n\t`]) {
    const res = await office.HOUSING(DECLINE, { input: { referralId: slips.HOUSING, reason } });
    expect(res.errors).toBeUndefined();
    expect(codes(res, 'referralDecline')).toEqual(['REASON_REQUIRED']);
  }
  expect((await office.HOUSING(STATE, { id: slips.HOUSING })).data.referral.state).toBe('ACCEPTED');
  const report = await hub.gql(`{ overdueReport { byCounty { declinesOpen { referral { id } } } } }`);
  expect(report.data.overdueReport.byCounty.flatMap((g: any) => g.declinesOpen)).toEqual([]);
  // A reason with something to read beside the invisible characters is refused for them, as an
  // alert's is (they can hide a number from the reader: domain/text-screen.ts proseRefusal).
  const hidden = await office.HOUSING(DECLINE, { input: { referralId: slips.HOUSING, reason: `已享受${INVISIBLE}租赁补贴` } });
  expect(hidden.data.referralDecline.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reason'] }]);
  expect((await office.HOUSING(STATE, { id: slips.HOUSING })).data.referral.state).toBe('ACCEPTED');
  const declined = await office.HOUSING(DECLINE, { input: { referralId: slips.HOUSING, reason: '已享受租赁补贴' } });
  expect(declined.data.referralDecline.referral).toEqual({ state: 'DECLINED', declineReason: '已享受租赁补贴' });
});

it('refuses a shortfall whose reason shows nothing (AID_AMOUNT_SHORT), and feedback that shows nothing (FEEDBACK_REQUIRED)', async () => {
  const [short] = await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [{ payId: 'MA-BLANK-1', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-14', payAmt: '10.00' }]);
  const complete = (feedback: string, differenceReason: string) => office.HEALTH(COMPLETE, { input: { referralId: slips.HEALTH, feedback, aidSourceReference: short, differenceReason } });
  expect(codes(await complete('已发放', INVISIBLE), 'referralComplete')).toEqual(['AID_AMOUNT_SHORT']);
  expect(codes(await complete(INVISIBLE, '预算不足，余额下月补发'), 'referralComplete')).toEqual(['FEEDBACK_REQUIRED']);
  expect((await office.HEALTH(STATE, { id: slips.HEALTH })).data.referral.state).toBe('ACCEPTED');
});

it('refuses a case whose summary shows nothing, as an empty one', async () => {
  const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`;
  const open = (summary: string) => hub.gql(OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary } });
  expect(codes(await open(''), 'caseOpen')).toEqual(codes(await open(INVISIBLE), 'caseOpen'));
  expect(codes(await open(INVISIBLE), 'caseOpen')).toEqual(['TEXT_REQUIRED']);
});
