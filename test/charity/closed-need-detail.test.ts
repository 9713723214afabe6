/**
 * A claim lets a charity read a need's sealed detail while the need is matched to charities. Once
 * the office withdraws it or pledges cover it, matching is over: the detail opens only to an
 * organisation that pledged against it (it still delivers and reports), and reads as null to the
 * others, whose claims still run, with nothing written to the audit chain for them. Before, both
 * read the household's detail, audited as a disclosure, until their claims lapsed.
 */
import { makeCreditCode } from '../../domain/credit-code';
import type { TestDatabases } from '../support/databases';
import { TestClock } from '../support/clock';
import { startCharityScenario } from '../support/charity-linkage';
import type { TestHub } from '../support/hub';
import { okPayload } from '../support/payloads';
import { TODAY, WANG } from '../support/scenarios';

jest.setTimeout(120_000);

const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const ORGS = { pledger: makeCreditCode('53370811MJ1357913'), onlooker: makeCreditCode('53370811MJ8642086') };

let dbs: TestDatabases;
let hub: TestHub;
let office: ReturnType<TestHub['as']>;
let charities: Record<keyof typeof ORGS, ReturnType<TestHub['as']>>;
let caseId: string;
let consentId: string;

const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code } } }`;
const CLAIM = `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`;
const DETAIL = `query($id: ID!) { charityNeedDetail(id: $id) { id state } }`;
const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } userErrors { code } } }`;

async function detail(who: keyof typeof ORGS, id: string) {
  const res = await charities[who].gql(DETAIL, { id });
  expect(res.errors).toBeUndefined();
  return res.data.charityNeedDetail;
}

async function openNeedClaimedByBoth(): Promise<string> {
  const published = await okPayload(office.gql, PUBLISH, { input: { caseId, consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen: 500_000, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担' } }, 'charityNeedPublish');
  const id = published.need.id as string;
  for (const who of ['pledger', 'onlooker'] as const) await okPayload(charities[who].gql, CLAIM, { id }, 'charityNeedClaim');
  expect(await detail('onlooker', id)).toEqual({ id, state: 'OPEN' });
  return id;
}

async function detailReads(client: string): Promise<number> {
  const [rows] = await dbs.hubPool.query("SELECT COUNT(*) AS n FROM access_log WHERE client_name = ? AND subject_kind = 'HOUSEHOLD'", [client]);
  return Number((rows as any[])[0].n);
}

beforeAll(async () => {
  const organisations = { pledger: { creditCode: ORGS.pledger, name: '任城区慈善会一' }, onlooker: { creditCode: ORGS.onlooker, name: '任城区慈善会二' } };
  ({ dbs, hub, office, charities, caseId, consentId } = await startCharityScenario('charity_closed_detail', { clock: clock.now, officeClient: 'rencheng-civil-closed', organisations }));
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('a need the office withdrew: the detail is null to a claimant without a pledge, and its read is not audited', async () => {
  const id = await openNeedClaimedByBoth();
  await okPayload(charities.pledger.gql, PLEDGE, { input: { needId: id, amountFen: 100_000, reference: 'CLOSED-W-1' } }, 'charityPledgeCreate');
  await okPayload(office.gql, `mutation($id: ID!) { charityNeedWithdraw(input: { needId: $id }) { need { state } userErrors { code } } }`, { id }, 'charityNeedWithdraw');
  const before = await detailReads('charity-onlooker');
  expect(await detail('onlooker', id)).toBeNull();
  expect(await detailReads('charity-onlooker')).toBe(before);
  expect(await detail('pledger', id)).toEqual({ id, state: 'WITHDRAWN' });
});

it('a need covered by another organisation: null to the onlooker, open to the pledger', async () => {
  const id = await openNeedClaimedByBoth();
  await okPayload(charities.pledger.gql, PLEDGE, { input: { needId: id, amountFen: 500_000, reference: 'CLOSED-C-1' } }, 'charityPledgeCreate');
  expect(await detail('onlooker', id)).toBeNull();
  expect(await detail('pledger', id)).toEqual({ id, state: 'COVERED' });
});
