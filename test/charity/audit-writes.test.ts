/**
 * A charity's claim, pledge and pledge reduction put the need's household on the audit trail
 * whatever the payload selects, as a case's, alert's or finding's writes do (test/audit-writes.test.ts).
 * With only `userErrors` asked for they wrote one row with subject NONE (a claim, a pledge and a
 * reduction return types that name no person), so `householdAccessLog` did not show which
 * organisation claimed the household's need, the claim that opens its sealed detail to it.
 */
import { makeCreditCode } from '../../domain/credit-code';
import { TestClock } from '../support/clock';
import { startCharityScenario, type CharityScenario } from '../support/charity-linkage';
import { okPayload } from '../support/payloads';
import { TODAY, WANG } from '../support/scenarios';

jest.setTimeout(120_000);

const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const ORGS = { first: makeCreditCode('53370811MJ1357913') };

let s: CharityScenario<keyof typeof ORGS>;

const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code } } }`;

beforeAll(async () => {
  s = await startCharityScenario('charity_audit_writes', { clock: clock.now, officeClient: 'rencheng-civil-audit-writes', clientPrefix: 'charity-audit-writes', organisations: { first: { creditCode: ORGS.first, name: '任城区慈善会丙' } } });
});

afterAll(async () => {
  await s?.hub.close();
  await s?.dbs.close();
});

/** The subjects the request of this id wrote: `KIND:ref:outcome`, in order. */
async function subjectsOf(requestId: string): Promise<string[]> {
  const [r] = await s.dbs.hubPool.query('SELECT subject_kind, subject_ref, outcome FROM access_log WHERE request_id = ? ORDER BY seq', [requestId]);
  return (r as { subject_kind: string; subject_ref: string | null; outcome: string }[]).map((row) => `${row.subject_kind}:${row.subject_ref ?? '-'}:${row.outcome}`);
}

/** Runs `query` as the charity under a request id of its own, with no errors; returns the request id. */
async function charityWrite(requestId: string, query: string, vars: Record<string, unknown>): Promise<any> {
  const res = await s.charities.first.gql(query, vars, { 'x-request-id': requestId });
  expect(res.errors).toBeUndefined();
  return res.data;
}

describe('a charity write selecting only userErrors', () => {
  it('records the need’s household: a claim, a pledge and a pledge’s reduction', async () => {
    const published = await okPayload(
      s.office.gql,
      PUBLISH,
      { input: { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen: 500_000, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担' } },
      'charityNeedPublish',
    );
    const needId = published.need.id as string;
    const household = `HOUSEHOLD:${s.householdId}:OK`;

    const claim = await charityWrite('charity-audit-claim', `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { userErrors { code } } }`, { id: needId });
    expect(claim.charityNeedClaim.userErrors).toEqual([]);
    expect(await subjectsOf('charity-audit-claim')).toEqual([household]);

    const pledged = await charityWrite('charity-audit-pledge', `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { userErrors { code } } }`, { input: { needId, amountFen: 200_000, reference: 'AW-P-1' } });
    expect(pledged.charityPledgeCreate.userErrors).toEqual([]);
    expect(await subjectsOf('charity-audit-pledge')).toEqual([household]);

    const [[pledge]] = (await s.dbs.hubPool.query('SELECT id FROM charity_pledge WHERE need_id = ?', [Number(needId)])) as any;
    const reduced = await charityWrite('charity-audit-reduce', `mutation($input: CharityPledgeReduceInput!) { charityPledgeReduce(input: $input) { userErrors { code } } }`, { input: { pledgeId: String(pledge.id), amountFen: 100_000, reason: '项目预算调整', reference: 'AW-R-1' } });
    expect(reduced.charityPledgeReduce.userErrors).toEqual([]);
    expect(await subjectsOf('charity-audit-reduce')).toEqual([household]);
  });

  it('records the household of a need in reach when the write is refused (a pledge over what the need lacks), and nothing of a need that does not exist', async () => {
    const [[need]] = (await s.dbs.hubPool.query('SELECT id FROM charity_need ORDER BY id LIMIT 1')) as any;
    const again = await charityWrite('charity-audit-pledge-again', `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { userErrors { code } } }`, { input: { needId: String(need.id), amountFen: 50_000_000, reference: 'AW-P-2' } });
    expect(again.charityPledgeCreate.userErrors.length).toBeGreaterThan(0);
    expect(await subjectsOf('charity-audit-pledge-again')).toEqual([`HOUSEHOLD:${s.householdId}:OK`]);

    const none = await charityWrite('charity-audit-claim-none', `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { userErrors { code } } }`, { id: '999999' });
    expect(none.charityNeedClaim.userErrors).toEqual([{ code: 'NEED_NOT_FOUND' }]);
    expect(await subjectsOf('charity-audit-claim-none')).toEqual(['NONE:-:OK']);
  });
});
