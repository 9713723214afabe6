/**
 * Whether a need concerns a child under 14 is read on the day it is read, not frozen at publication:
 * a need published while the household's child was 13 asks for MINOR_DATA until the child's 14th
 * birthday and not from that day, in every path a charity takes (list, detail, claim, pledge) and in
 * the office's view, as a need published that day would not ask for it. The hub's day follows a
 * clock the test moves (no fixed day), so the child turns 14 between two requests.
 */
import { makeCreditCode } from '../../domain/credit-code';
import { makeIdNumber } from '../../domain/id-number';
import { householdMember, person } from '../../db/household/schema';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { TestClock } from '../support/clock';
import { caseOpened } from '../support/cases';
import { startTestHub, type TestHub } from '../support/hub';
import { okPayload } from '../support/payloads';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';

jest.setTimeout(120_000);

/** Published on TODAY (2026-03-15), when the child is 13; the child turns 14 on BIRTHDAY. */
const BIRTHDAY = '2026-03-20';
const CHILD = makeIdNumber('370811', '2012-03-20', 81);
const ORG = makeCreditCode('53370811MJ1414141');
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

let dbs: TestDatabases;
let hub: TestHub;
let office: ReturnType<TestHub['as']>;
let charity: ReturnType<TestHub['as']>;
let householdId: number;
let caseId: string;

async function data(as: ReturnType<TestHub['as']>, query: string, variables: Record<string, unknown>, field: string) {
  const res = await as.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data[field];
}

const CONSENT = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`;
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id involvesMinor } userErrors { code } } }`;
const CLAIM = `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`;
const DETAIL = `query($id: ID!) { charityNeedDetail(id: $id) { id involvesMinor } }`;
const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { amountFen } userErrors { code } } }`;
const LISTED = `{ charityNeeds { id } }`;
const OF_CASE = `query($c: ID!) { charityNeedsOfCase(caseId: $c) { id involvesMinor } }`;

beforeAll(async () => {
  dbs = await createTestDatabases('charity_minor_turns_14');
  await insertRegions(dbs);
  ({ householdId } = await insertResident(dbs, { prefix: 'CH-14', seq: 80, birthDate: '1984-06-06' }));
  await dbs.hub.insert(person).values({ idNumber: CHILD, name: '测试', gender: 'F', birthDate: '2012-03-20' });
  await dbs.hub.insert(householdMember).values({ householdId, idNumber: CHILD, relation: 'CHILD', joinedOn: '2012-03-20' });
  hub = await startTestHub(dbs, { clock: clock.now });
  const worker = await hub.createClient({ name: 'rencheng-civil-14', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  office = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' });
  const c = await hub.createClient({ name: 'charity-14', department: 'CHARITY', regionScope: '370811', roles: ['CHARITY'] });
  charity = hub.as({ token: c.token, purpose: 'CHARITY_LINKAGE' });
  await okPayload(charity.gql, `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { userErrors { code } } }`, { input: { creditCode: ORG, name: '任城区助学会' } }, 'charityOrganisationRegister');
  caseId = await caseOpened(hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' }).gql, householdId, '子女就学费用存在缺口', '2026-03-10T09:00:00+08:00');
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('a need published while the child was 13 asks for MINOR_DATA until the 14th birthday, and not from that day', async () => {
  const consent = await data(office, CONSENT, { input: { householdId: String(householdId), scopes: ['NEED_PUBLICATION', 'MINOR_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
  const publish = async (extra: Record<string, unknown>) => {
    const r = await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, urgency: 'NORMAL', purpose: 'EDUCATION', uncoveredFen: 300_000, description: '子女就学费用存在缺口', ...extra } }, 'charityNeedPublish');
    expect(r.userErrors).toEqual([]);
    expect(r.need.involvesMinor).toBe(true);
    return r.need.id as string;
  };
  // A need of the whole household, and one for the child.
  const household = await publish({ idempotencyKey: 'need-14-household' });
  const forChild = await publish({ beneficiaryIdNumber: CHILD });
  // The consent's record corrected to what the household agreed to (no MINOR_DATA), as an office may
  // find it: while the child is 13 neither need reaches a charity.
  await dbs.hubPool.query("UPDATE charity_consent SET scopes = 'NEED_PUBLICATION' WHERE id = ?", [Number(consent.consent.id)]);
  const listed = async () => (await data(charity, LISTED, {}, 'charityNeeds')).map((n: any) => n.id);
  const officeView = async () => (await data(office, OF_CASE, { c: caseId }, 'charityNeedsOfCase')).map((n: any) => [n.id, n.involvesMinor]);
  clock.set(`2026-03-19T23:00:00+08:00`);
  expect(await listed()).toEqual([]);
  expect((await data(charity, CLAIM, { id: household }, 'charityNeedClaim')).userErrors).toEqual([{ code: 'NEED_NOT_OPEN' }]);
  expect(await officeView()).toEqual(expect.arrayContaining([[household, true], [forChild, true]]));

  // The 14th birthday, China time: the child's data need no separate consent from this day.
  clock.set(`${BIRTHDAY}T08:00:00+08:00`);
  expect((await listed()).sort()).toEqual([household, forChild].sort());
  expect(await officeView()).toEqual(expect.arrayContaining([[household, false], [forChild, false]]));
  // A retry of the publication, its answer lost, answers the need as it stands that day.
  const replayed = await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, urgency: 'NORMAL', purpose: 'EDUCATION', uncoveredFen: 300_000, description: '子女就学费用存在缺口', idempotencyKey: 'need-14-household' } }, 'charityNeedPublish');
  expect(replayed).toEqual({ need: { id: household, involvesMinor: false }, userErrors: [] });
  expect((await data(charity, CLAIM, { id: household }, 'charityNeedClaim')).userErrors).toEqual([]);
  expect(await data(charity, DETAIL, { id: household }, 'charityNeedDetail')).toEqual({ id: household, involvesMinor: false });
  const pledged = await data(charity, PLEDGE, { input: { needId: household, amountFen: 100_000, reference: 'ZX-2026-0001' } }, 'charityPledgeCreate');
  expect(pledged).toEqual({ pledge: { amountFen: 100_000 }, userErrors: [] });
  expect((await data(charity, CLAIM, { id: forChild }, 'charityNeedClaim')).userErrors).toEqual([]);
  expect(await data(charity, DETAIL, { id: forChild }, 'charityNeedDetail')).toEqual({ id: forChild, involvesMinor: false });
});
