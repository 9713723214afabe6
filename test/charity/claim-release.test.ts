/**
 * A charity withdraws from a need it claimed (charityClaimRelease), and who still reads a closed
 * need's detail. Before: no mutation released a claim (reducing a pledge to 0 was the nearest, and
 * the claim ran on); a pledge reduced to 0 still opened a closed need's detail as if the organisation
 * still answered for it; and a pledger whose claim lapsed before it delivered could not claim again
 * (NEED_NOT_OPEN), losing the township and case reference it delivers by.
 */
import { makeCreditCode } from '../../domain/credit-code';
import { TestClock } from '../support/clock';
import { startCharityScenario, type CharityScenario } from '../support/charity-linkage';
import { okPayload, userErrorCodes } from '../support/payloads';
import { TODAY, WANG } from '../support/scenarios';

jest.setTimeout(120_000);

const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
const ORGS = { first: makeCreditCode('53370811MJ2468024'), second: makeCreditCode('53370811MJ9753197') };

let s: CharityScenario<keyof typeof ORGS>;

const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code } } }`;
const CLAIM = `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId lapsesOn releasedAt } userErrors { code } } }`;
const RELEASE = `mutation Release($input: CharityClaimReleaseInput!) { charityClaimRelease(input: $input) { claim { needId releasedAt } release { needId reason reference organisation { creditCode } } replayed userErrors { code } } }`;
const DETAIL = `query($id: ID!) { charityNeedDetail(id: $id) { id state } }`;
const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } userErrors { code } } }`;
const REDUCE = `mutation($input: CharityPledgeReduceInput!) { charityPledgeReduce(input: $input) { pledge { amountFen } userErrors { code } } }`;
const DELIVER = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id } userErrors { code } } }`;
const HISTORY = `query($caseId: ID!) { charityNeedsOfCase(caseId: $caseId) { id claimReleases { needId reason reference organisation { creditCode } } } }`;

async function detail(who: keyof typeof ORGS, id: string) {
  const res = await s.charities[who].gql(DETAIL, { id });
  expect(res.errors).toBeUndefined();
  return res.data.charityNeedDetail;
}

async function claimCodes(who: keyof typeof ORGS, id: string): Promise<string[]> {
  return userErrorCodes(await s.charities[who].gql(CLAIM, { id }), 'charityNeedClaim');
}

async function release(who: keyof typeof ORGS, input: Record<string, unknown>) {
  const res = await s.charities[who].gql(RELEASE, { input });
  expect(res.errors).toBeUndefined();
  return res.data.charityClaimRelease;
}

async function published(uncoveredFen = 500_000): Promise<string> {
  const p = await okPayload(s.office.gql, PUBLISH, { input: { caseId: s.caseId, consentId: s.consentId, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen, beneficiaryIdNumber: WANG.grandmother, description: '家中老人住院，自付部分难以承担' } }, 'charityNeedPublish');
  return p.need.id as string;
}

async function releaseRows(needId: string): Promise<number> {
  const [rows] = await s.dbs.hubPool.query('SELECT COUNT(*) AS n FROM charity_claim_release WHERE need_id = ?', [Number(needId)]);
  return Number((rows as any[])[0].n);
}

beforeAll(async () => {
  const organisations = { first: { creditCode: ORGS.first, name: '任城区慈善会甲' }, second: { creditCode: ORGS.second, name: '任城区慈善会乙' } };
  s = await startCharityScenario('charity_claim_release', { clock: clock.now, officeClient: 'rencheng-civil-release', clientPrefix: 'charity-release', organisations });
});

afterAll(async () => {
  await s?.hub.close();
  await s?.dbs.close();
});

beforeEach(() => clock.set(`${TODAY}T10:00:00+08:00`));

describe('charityClaimRelease', () => {
  it('ends the claim: the detail closes, no pledge is taken, the office sees why, the audit chain records it; a retry answers the first', async () => {
    const id = await published();
    expect(await claimCodes('first', id)).toEqual([]);
    expect(await detail('first', id)).toEqual({ id, state: 'OPEN' });
    const input = { needId: id, reason: '本机构该项目资金已用完', reference: 'REL-2026-0001' };
    const released = await release('first', input);
    expect(released.userErrors).toEqual([]);
    expect(released.replayed).toBe(false);
    expect(released.claim.releasedAt).not.toBeNull();
    expect(released.release).toEqual({ needId: id, reason: input.reason, reference: input.reference, organisation: { creditCode: ORGS.first } });
    expect(await detail('first', id)).toBeNull();
    const summaries = await s.charities.first.gql(`{ charityNeedSummaries(first: 500) { edges { node { id claimedByMe } } } }`);
    expect(summaries.data.charityNeedSummaries.edges.find((e: any) => e.node.id === id).node.claimedByMe).toBe(false);
    expect(userErrorCodes(await s.charities.first.gql(PLEDGE, { input: { needId: id, amountFen: 100_000, reference: 'REL-P-1' } }), 'charityPledgeCreate')).toEqual(['CLAIM_REQUIRED']);
    // The office's history of the need.
    const needs = (await s.office.gql(HISTORY, { caseId: s.caseId })).data.charityNeedsOfCase;
    expect(needs.find((n: any) => n.id === id).claimReleases).toEqual([{ needId: id, reason: input.reason, reference: input.reference, organisation: { creditCode: ORGS.first } }]);
    // The audit chain: the release is an act on the household, under the organisation's client.
    const [audit] = await s.dbs.hubPool.query("SELECT subject_kind AS kind FROM access_log WHERE client_name = 'charity-release-first' AND operation = 'Release'");
    expect((audit as any[]).map((r) => r.kind)).toContain('HOUSEHOLD');
    // Sent again after a lost answer: the first release, nothing new.
    const again = await release('first', input);
    expect(again).toMatchObject({ replayed: true, userErrors: [], release: { reference: input.reference } });
    expect(await releaseRows(id)).toBe(1);
    // The reference for another release; a release of no running claim.
    expect((await release('first', { ...input, reason: '另一原因' })).userErrors).toEqual([{ code: 'CLAIM_REFERENCE_REUSED' }]);
    expect((await release('first', { ...input, reference: 'REL-2026-0002' })).userErrors).toEqual([{ code: 'CLAIM_NOT_HELD' }]);
    expect((await release('second', { ...input, reference: 'REL-2026-0003' })).userErrors).toEqual([{ code: 'CLAIM_NOT_HELD' }]);
    // Claimed again: it runs, and the first release retried late does not end the new claim.
    expect(await claimCodes('first', id)).toEqual([]);
    expect((await release('first', input)).replayed).toBe(true);
    expect(await detail('first', id)).toEqual({ id, state: 'OPEN' });
    expect(await releaseRows(id)).toBe(1);
  });

  it('shows the office who holds a claim, since when and its last day; a released or lapsed claim no longer; charities do not read it', async () => {
    const HELD = `query($caseId: ID!) { charityNeedsOfCase(caseId: $caseId) { id claimsHeld { needId organisation { creditCode name } claimedAt lapsesOn releasedAt } } }`;
    const held = async (id: string) => {
      const res = await s.office.gql(HELD, { caseId: s.caseId });
      expect(res.errors).toBeUndefined();
      return res.data.charityNeedsOfCase.find((n: any) => n.id === id).claimsHeld;
    };
    const id = await published();
    expect(await held(id)).toEqual([]);
    // The case a need is open from is not withdrawn (撤回) before the need is.
    const withdraw = await s.hub.as({ token: s.officeToken, purpose: 'CASE_MEETING' }).gql(
      `mutation($i: CaseTransitionInput!) { caseTransition(input: $i) { case { state } userErrors { code } } }`,
      { i: { caseId: s.caseId, to: 'WITHDRAWN', reason: '误录' } },
    );
    expect(withdraw.data.caseTransition).toEqual({ case: null, userErrors: [{ code: 'CHARITY_NEEDS_OPEN' }] });
    expect(await claimCodes('first', id)).toEqual([]);
    clock.set(`${TODAY}T11:00:00+08:00`);
    expect(await claimCodes('second', id)).toEqual([]);
    const first = { needId: id, organisation: { creditCode: ORGS.first, name: '任城区慈善会甲' }, claimedAt: `${TODAY}T10:00:00.000+08:00`, releasedAt: null };
    const second = { needId: id, organisation: { creditCode: ORGS.second, name: '任城区慈善会乙' }, claimedAt: `${TODAY}T11:00:00.000+08:00`, releasedAt: null };
    const both = await held(id);
    expect(both).toMatchObject([first, second]);
    // Five working days from the claim (CHARITY_CLAIM_WORKING_DAYS' default), as the organisation's own claim says.
    const own = (await s.charities.first.gql(CLAIM, { id })).data.charityNeedClaim.claim;
    expect(both[0].lapsesOn).toBe(own.lapsesOn);
    expect(both[0].lapsesOn > TODAY).toBe(true);
    // Released: out of the claims held, into the releases.
    expect((await release('second', { needId: id, reason: '转由其他机构承接', reference: 'REL-HELD-1' })).userErrors).toEqual([]);
    expect(await held(id)).toMatchObject([first]);
    // Lapsed: the day after its last day, no claim is held.
    clock.set(`${both[0].lapsesOn}T10:00:00+08:00`);
    expect(await held(id)).toMatchObject([first]);
    clock.set(new Date(new Date(`${both[0].lapsesOn}T10:00:00+08:00`).getTime() + 86_400_000));
    expect(await held(id)).toEqual([]);
    // The office's view of a need is not the charities': another organisation's claim is not theirs to read.
    const res = await s.charities.first.gql(HELD, { caseId: s.caseId });
    expect(res.data?.charityNeedsOfCase ?? null).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('sent twice at once releases once: one answer is the release, the other replays it', async () => {
    const id = await published();
    expect(await claimCodes('first', id)).toEqual([]);
    const input = { needId: id, reason: '机构人手不足', reference: 'REL-2026-0020' };
    const both = await Promise.all([release('first', input), release('first', input)]);
    expect(both.map((r) => r.userErrors)).toEqual([[], []]);
    expect(both.map((r) => r.replayed).sort()).toEqual([false, true]);
    expect(await releaseRows(id)).toBe(1);
  });

  it('is refused while a pledge is undelivered, and taken once the pledge is reduced to what was delivered', async () => {
    const id = await published();
    expect(await claimCodes('first', id)).toEqual([]);
    const pledge = await okPayload(s.charities.first.gql, PLEDGE, { input: { needId: id, amountFen: 100_000, reference: 'REL-P-2' } }, 'charityPledgeCreate');
    const input = { needId: id, reason: '无法继续跟进', reference: 'REL-2026-0010' };
    expect((await release('first', input)).userErrors).toEqual([{ code: 'PLEDGE_UNDELIVERED' }]);
    expect(await releaseRows(id)).toBe(0);
    expect(await detail('first', id)).toEqual({ id, state: 'OPEN' });
    await okPayload(s.charities.first.gql, REDUCE, { input: { pledgeId: pledge.pledge.id, amountFen: 0, reason: '撤回认捐', reference: 'REL-P-2-R1' } }, 'charityPledgeReduce');
    expect((await release('first', input)).userErrors).toEqual([]);
    expect(await detail('first', id)).toBeNull();
  });

  it('keeps the charity reads’ statements as many whatever the number of needs and releases', async () => {
    const statements = async () => {
      const res = await s.office.gql(HISTORY, { caseId: s.caseId });
      expect(res.errors).toBeUndefined();
      return { needs: res.data.charityNeedsOfCase.length, bySource: res.extensions?.sqlStatements?.bySource };
    };
    for (const n of [0]) {
      const id = await published();
      expect(await claimCodes('second', id)).toEqual([]);
      expect((await release('second', { needId: id, reason: '转由其他机构', reference: `REL-COUNT-${n}` })).userErrors).toEqual([]);
    }
    const before = await statements();
    for (const n of [1, 2]) {
      const id = await published();
      expect(await claimCodes('second', id)).toEqual([]);
      expect((await release('second', { needId: id, reason: '转由其他机构', reference: `REL-COUNT-${n}` })).userErrors).toEqual([]);
    }
    const after = await statements();
    expect(after.needs).toBe(before.needs + 2);
    expect(after.bySource).toEqual(before.bySource);
  });
});

describe('a closed need’s detail and claim', () => {
  it('a pledge reduced to 0 opens nothing once the need is covered', async () => {
    const id = await published(500_000);
    for (const who of ['first', 'second'] as const) expect(await claimCodes(who, id)).toEqual([]);
    const taken = await okPayload(s.charities.first.gql, PLEDGE, { input: { needId: id, amountFen: 100_000, reference: 'ZERO-P-1' } }, 'charityPledgeCreate');
    await okPayload(s.charities.first.gql, REDUCE, { input: { pledgeId: taken.pledge.id, amountFen: 0, reason: '撤回认捐', reference: 'ZERO-P-1-R1' } }, 'charityPledgeReduce');
    await okPayload(s.charities.second.gql, PLEDGE, { input: { needId: id, amountFen: 500_000, reference: 'ZERO-P-2' } }, 'charityPledgeCreate');
    expect(await detail('second', id)).toEqual({ id, state: 'COVERED' });
    expect(await detail('first', id)).toBeNull();
  });

  it('a pledger whose claim lapsed before it delivered claims the covered need again; nobody else does, nor the pledger once delivered', async () => {
    const id = await published(200_000);
    for (const who of ['first', 'second'] as const) expect(await claimCodes(who, id)).toEqual([]);
    const pledge = await okPayload(s.charities.first.gql, PLEDGE, { input: { needId: id, amountFen: 200_000, reference: 'LAPSE-P-1' } }, 'charityPledgeCreate');
    // A month on: both claims have lapsed.
    clock.set('2026-04-15T10:00:00+08:00');
    expect(await detail('first', id)).toBeNull();
    expect(await claimCodes('second', id)).toEqual(['NEED_NOT_OPEN']);
    expect(await claimCodes('first', id)).toEqual([]);
    expect(await detail('first', id)).toEqual({ id, state: 'COVERED' });
    // Delivered in full, and another month on: nothing left to deliver, no claim again.
    await okPayload(s.charities.first.gql, DELIVER, { input: { pledgeId: pledge.pledge.id, amountFen: 200_000, deliveredOn: '2026-04-15', reference: 'LAPSE-D-1' } }, 'charityDeliveryReport');
    clock.set('2026-05-20T10:00:00+08:00');
    expect(await claimCodes('first', id)).toEqual(['NEED_NOT_OPEN']);
  });
});
