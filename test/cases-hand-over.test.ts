/**
 * 移交 between counties: household 140's case was opened by 微山县 and the household moved to 任城区
 * mid-case. The case is flagged to both counties' case staff; 任城区 cannot open a second, unlinked
 * case beside it (OPEN_CASE_IN_OTHER_COUNTY, naming it); 微山县's convener hands it over
 * (caseHandOver): the case ends HANDED_OVER in 微山县 with its open slips still 微山县's offices' to
 * answer by their due dates, and its successor opens in 任城区, which owns and moves it and reads the
 * first case whole as its predecessor. A retry, keyed or not, answers the first outcome.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { countyClientName, countyClients, toDeliberation } from './support/cases';
import { insertRegions, insertZhao, moveHousehold as moveTo, TODAY, REGIONS, ZHAO } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code message } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id dueOn } userErrors { code } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code } } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id state } userErrors { code } } }`;
const CASE_FIELDS = `id reference state township { code } owner { key county { code } } householdMoved { county { code } region { code } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) {
  case { ${CASE_FIELDS} endedAt }
  successorReference
  replayed userErrors { code message field } } }`;
const SLIPS = `referrals { id state dueOn to { key county { code } } }`;
const HISTORY = `history { action toState reason actor actorOffice { key county { code } } }`;
const CASE = `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} ${SLIPS} ${HISTORY} } }`;
const SUCCESSOR = `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} origin urgency summary ${HISTORY}
  predecessor { id state ${SLIPS} ${HISTORY} successor { id } } } }`;
const SUCCESSOR_OF = `query($id: ID!) { case(id: $id) { successorReference successor { id } } }`;
const INBOX = `query { referralsToOffice(office: { department: HEALTH }) { id } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { referral { id } userErrors { code } } }`;
const CHECKED_MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id } userErrors { code field message } } }`;
const DECLINES = `{ overdueReport { byOffice { office { key } declinesOpen { referral { id declineReason answeredBy } } } } }`;

const WEISHAN = '370826';
const RENCHENG = '370811';
const NEW_HOME = REGIONS.find((r) => r.level === 'VILLAGE' && r.code.startsWith(RENCHENG))!.code;
const REASON = '户籍迁至任城区，移交任城区民政局办理';

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let zhaoId: number;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
const clients: Record<'weishanCa' | 'weishanCaseworker' | 'weishanHealth' | 'renchengCa' | 'renchengHealth', Gql> = {} as never;

let caseId: string;
let reference: string;
let answeredSlip: string;
let openSlip: { id: string; dueOn: string };
let successorId: string;

const moveHousehold = (regionCode: string) => moveTo(dbs, zhaoId, regionCode);

async function casesOfHousehold(): Promise<{ id: number; state: string; township_code: string; predecessor_case_id: number | null }[]> {
  const [rows] = await dbs.hubPool.query(`SELECT id, state, township_code, predecessor_case_id FROM aid_case WHERE household_id = ? ORDER BY id`, [zhaoId]);
  return rows as never;
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over');
  await insertRegions(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const made = await countyClients(hub, [
    ['weishanCa', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanCaseworker', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'CASE_MEETING'],
    ['weishanHealth', WEISHAN, 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    ['renchengCa', RENCHENG, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['renchengHealth', RENCHENG, 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
  ]);
  for (const [key, client] of Object.entries(made)) clients[key as keyof typeof clients] = client.gql;

  // 微山县 opens the case, accepts it and sends two slips to its health office, which answers one;
  // then the household moves to 任城区.
  const ca = clients.weishanCa;
  caseId = (await ok(ca, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院自付费用较高' } }, 'caseOpen')).case.id;
  await ok(ca, MOVE, { input: { caseId, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const issue = async (ask: string) => (await ok(ca, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 5 } }, 'referralIssue')).referral;
  answeredSlip = (await issue('核实参保情况')).id;
  openSlip = await issue('核实住院费用');
  await ok(clients.weishanHealth, DECLINE, { input: { referralId: answeredSlip, reason: '非医疗救助范围' } }, 'referralDecline');
  await moveHousehold(NEW_HOME);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('before the hand-over', () => {
  it('flags the open case to both counties: the household lives in 任城区 now', async () => {
    for (const gql of [clients.weishanCa, clients.renchengCa]) {
      const res = await gql(CASE, { id: caseId });
      expect(res.errors).toBeUndefined();
      expect(res.data.case).toMatchObject({ state: 'ACCEPTED', township: { code: ZHAO.regionCode.slice(0, 9) }, householdMoved: { county: { code: RENCHENG }, region: { code: NEW_HOME } } });
      reference = res.data.case.reference;
    }
  });

  it('refuses 任城区 a second, unlinked case for the household, naming the open one', async () => {
    const res = await clients.renchengCa(OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '迁入后申请救助' } });
    expect(codes(res, 'caseOpen')).toEqual(['OPEN_CASE_IN_OTHER_COUNTY']);
    expect(res.data.caseOpen.userErrors[0].message).toContain(reference);
    // A mobile number in its summary is refused first: input the screen refuses is refused before the case is weighed.
    const numbered = await clients.renchengCa(OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '迁入后申请救助，户主电话 13905371234' } });
    expect(codes(numbered, 'caseOpen')).toEqual(['IDENTIFYING_NUMBER']);
    expect((await casesOfHousehold()).length).toBe(1);
  });

  it('refuses a hand-over by anyone but the case’s convener, without a reason, or as a bare transition', async () => {
    // 任城区 cannot reach 微山县's case to act on it.
    expect(codes(await clients.renchengCa(HAND_OVER, { input: { caseId, reason: REASON } }), 'caseHandOver')).toEqual(['CASE_NOT_FOUND']);
    // 微山县's caseworker is no convener.
    const caseworker = await clients.weishanCaseworker(HAND_OVER, { input: { caseId, reason: REASON } });
    expect(caseworker.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
    expect(codes(await clients.weishanCa(HAND_OVER, { input: { caseId, reason: '  ' } }), 'caseHandOver')).toEqual(['REASON_REQUIRED']);
    expect(codes(await clients.weishanCa(MOVE, { input: { caseId, to: 'HANDED_OVER', reason: REASON } }), 'caseTransition')).toEqual(['HAND_OVER_REQUIRED']);
    // Its reason is read by the county it goes to: a mobile number in it is refused, named masked.
    const numbered = await clients.weishanCa(HAND_OVER, { input: { caseId, reason: `${REASON}，户主电话 139-0537-1234` } });
    expect(numbered.data.caseHandOver.userErrors).toEqual([{ code: 'IDENTIFYING_NUMBER', field: ['input', 'reason'], message: expect.stringContaining('139****1234') }]);
    expect((await casesOfHousehold()).map((c) => c.state)).toEqual(['ACCEPTED']);
  });

  it('refuses a hand-over while the household lives in the case’s county', async () => {
    await moveHousehold(ZHAO.regionCode);
    try {
      expect(codes(await clients.weishanCa(HAND_OVER, { input: { caseId, reason: REASON } }), 'caseHandOver')).toEqual(['HOUSEHOLD_NOT_MOVED']);
      const res = await clients.weishanCa(CASE, { id: caseId });
      expect(res.data.case.householdMoved).toBeNull();
    } finally {
      await moveHousehold(NEW_HOME);
    }
    expect((await casesOfHousehold()).map((c) => c.state)).toEqual(['ACCEPTED']);
  });
});

describe('the hand-over', () => {
  it('ends the case in 微山县 and opens its successor in 任城区, in one write', async () => {
    const [[{ lastSeq }]] = (await dbs.hubPool.query(`SELECT COALESCE(MAX(seq), 0) AS lastSeq FROM access_log`)) as unknown as [{ lastSeq: number }[]];
    const res = await ok(clients.weishanCa, HAND_OVER, { input: { caseId, reason: REASON, idempotencyKey: 'hand-over-1' } }, 'caseHandOver');
    expect(res.replayed).toBe(false);
    // On the audit trail: the convener's request, against the household.
    const [audited] = await dbs.hubPool.query(`SELECT DISTINCT client_name, outcome, subject_kind, subject_ref FROM access_log WHERE seq > ?`, [lastSeq]);
    expect(audited).toEqual([{ client_name: 'weishan-ca', outcome: 'OK', subject_kind: 'HOUSEHOLD', subject_ref: String(zhaoId) }]);
    expect(res.case).toMatchObject({ id: caseId, state: 'HANDED_OVER', owner: { key: 'CIVIL_AFFAIRS', county: { code: WEISHAN } }, householdMoved: null });
    expect(res.case.endedAt).not.toBeNull();
    // 任城区 finds the successor from the case it reads as its household's.
    const found = await clients.renchengCa(SUCCESSOR_OF, { id: caseId });
    expect(found.errors).toBeUndefined();
    expect(found.data.case.successorReference).toBe(res.successorReference);
    successorId = found.data.case.successor.id;
    const next = await clients.renchengCa(SUCCESSOR, { id: successorId });
    expect(next.errors).toBeUndefined();
    expect(next.data.case).toMatchObject({
      reference: res.successorReference,
      state: 'REPORTED',
      township: { code: NEW_HOME.slice(0, 9) },
      owner: { key: 'CIVIL_AFFAIRS', county: { code: RENCHENG } },
      origin: 'APPLICATION',
      urgency: 'NORMAL',
      summary: '住院自付费用较高',
      predecessor: { id: caseId },
      householdMoved: null,
    });
    expect(await casesOfHousehold()).toEqual([
      { id: Number(caseId), state: 'HANDED_OVER', township_code: ZHAO.regionCode.slice(0, 9), predecessor_case_id: null },
      { id: Number(successorId), state: 'REPORTED', township_code: NEW_HOME.slice(0, 9), predecessor_case_id: Number(caseId) },
    ]);
  });

  it('answers a retry with the first outcome, keyed or not: one successor', async () => {
    for (const input of [{ caseId, reason: REASON, idempotencyKey: 'hand-over-1' }, { caseId, reason: REASON }]) {
      const res = await ok(clients.weishanCa, HAND_OVER, { input }, 'caseHandOver');
      expect(res).toMatchObject({ replayed: true, case: { id: caseId, state: 'HANDED_OVER' }, successorReference: expect.stringMatching(new RegExp(`-0*${successorId}$`)) });
    }
    expect((await casesOfHousehold()).length).toBe(2);
    // Another hand-over of the ended case is refused.
    expect(codes(await clients.weishanCa(HAND_OVER, { input: { caseId, reason: '再次移交' } }), 'caseHandOver')).toEqual(['CASE_ENDED']);
  });

  it('records it on both cases’ history, by 微山县’s convener', async () => {
    const old = await clients.weishanCa(CASE, { id: caseId });
    expect(old.errors).toBeUndefined();
    expect(old.data.case.history.at(-1)).toEqual({ action: 'TRANSITIONED', toState: 'HANDED_OVER', reason: REASON, actor: 'weishan-ca', actorOffice: { key: 'CIVIL_AFFAIRS', county: { code: WEISHAN } } });
    const next = await clients.renchengCa(SUCCESSOR, { id: successorId });
    expect(next.errors).toBeUndefined();
    expect(next.data.case.history).toEqual([{ action: 'OPENED', toState: 'REPORTED', reason: REASON, actor: 'weishan-ca', actorOffice: { key: 'CIVIL_AFFAIRS', county: { code: WEISHAN } } }]);
  });
});

describe('after the hand-over', () => {
  it('gives 任城区 the successor to move, and the predecessor whole, read-only', async () => {
    const ca = clients.renchengCa;
    const res = await ca(SUCCESSOR, { id: successorId });
    expect(res.errors).toBeUndefined();
    expect(res.data.case.predecessor).toMatchObject({ id: caseId, state: 'HANDED_OVER', successor: { id: successorId } });
    // The open slip keeps its office (微山县医保局) and due date; the declined one its answer.
    expect(res.data.case.predecessor.referrals).toEqual([
      { id: answeredSlip, state: 'DECLINED', dueOn: expect.any(String), to: { key: 'HEALTH', county: { code: WEISHAN } } },
      { id: openSlip.id, state: 'ISSUED', dueOn: openSlip.dueOn, to: { key: 'HEALTH', county: { code: WEISHAN } } },
    ]);
    expect((await ok(ca, MOVE, { input: { caseId: successorId, to: 'ACCEPTED', reason: '受理移交案件' } }, 'caseTransition')).case.state).toBe('ACCEPTED');
    expect(codes(await ca(MOVE, { input: { caseId, to: 'CLOSED', reason: '办结' } }), 'caseTransition')).toEqual(['CASE_NOT_FOUND']);
    // Opening another case for the household is no longer refused: nothing is open elsewhere.
    await ok(ca, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '另案：子女教育' } }, 'caseOpen');
  });

  it('leaves 微山县 unable to read or act on the successor, and its health office the open slip to answer', async () => {
    const old = await clients.weishanCa(SUCCESSOR_OF, { id: caseId });
    expect(old.data.case.successorReference).toMatch(new RegExp(`-0*${successorId}$`));
    expect(old.errors?.map((e) => [e.path?.join('.'), e.extensions?.reason])).toEqual([['case.successor.id', 'OUT_OF_SCOPE']]);
    const read = await clients.weishanCa(CASE, { id: successorId });
    // Out of its scope, as a case that does not exist (root fields do not confirm existence).
    expect(read.errors).toBeUndefined();
    expect(read.data.case).toBeNull();
    expect(codes(await clients.weishanCa(MOVE, { input: { caseId: successorId, to: 'INVESTIGATING', reason: '调查' } }), 'caseTransition')).toEqual(['CASE_NOT_FOUND']);
    expect(codes(await clients.renchengHealth(ACCEPT, { input: { referralId: openSlip.id } }), 'referralAccept')).toEqual(['REFERRAL_NOT_FOUND']);
    const inbox = await clients.weishanHealth(INBOX);
    expect(inbox.errors).toBeUndefined();
    expect(inbox.data.referralsToOffice).toEqual([{ id: openSlip.id }]);
    expect((await ok(clients.weishanHealth, ACCEPT, { input: { referralId: openSlip.id } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
  });
});

describe('two copies of one hand-over at once', () => {
  it('write one successor: the second is answered as the first’s retry', async () => {
    // The household moves back to 微山县: 任城区's convener hands its case (the successor) over there.
    await moveHousehold(ZHAO.regionCode);
    const input = { caseId: successorId, reason: '户籍迁回微山县', idempotencyKey: 'hand-back-1' };
    const both = await Promise.all([0, 1].map(() => ok(clients.renchengCa, HAND_OVER, { input }, 'caseHandOver')));
    expect(both.map((p) => p.replayed).sort()).toEqual([false, true]);
    expect(new Set(both.map((p) => p.successorReference)).size).toBe(1);
    const successors = (await casesOfHousehold()).filter((c) => c.predecessor_case_id === Number(successorId));
    expect(successors).toEqual([expect.objectContaining({ state: 'REPORTED', township_code: ZHAO.regionCode.slice(0, 9) })]);
  });
});

describe('a decision declined after its case was handed over', () => {
  it('is aid decided for the successor’s meeting until answered, and once declined stays in the handing county’s open declines, for its convener to waive', async () => {
    // 任城区's other case of the household (opened while it lived there; it lives in 微山县 again) is
    // decided and handed over, and then 任城区's health office declines the decision: the case has
    // ended, the decision is still 任城区's meeting's (hand-over.ts). It was lost: out of
    // declinesOpen (an ended case) and refused CASE_ENDED to the convener who must resolve it.
    const ca = clients.renchengCa;
    const other = (await casesOfHousehold()).find((c) => c.township_code.startsWith(RENCHENG) && c.state === 'REPORTED' && c.predecessor_case_id === null)!;
    const caseId = String(other.id);
    await toDeliberation(ca, caseId);
    const met = await ok(ca, MEETING, { input: { caseId, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
      decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 10, beneficiaryIdNumber: ZHAO.head }] } }, 'meetingRecord');
    const decision: string = met.meeting.decisions[0].id;
    await ok(ca, HAND_OVER, { input: { caseId, reason: '户籍迁回微山县' } }, 'caseHandOver');
    // Until 任城区's health office answers it, the decision is aid decided and not yet given: the
    // successor's meeting in 微山县 deciding the same aid again is a duplicate (it was not checked
    // against a handed-over case's open slips, and the household was granted it twice).
    const successor = String((await casesOfHousehold()).find((c) => c.predecessor_case_id === Number(caseId))!.id);
    for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(clients.weishanCa, MOVE, { input: { caseId: successor, to, reason: to } }, 'caseTransition');
    const again = { caseId: successor, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'],
      decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 50_000, deadlineWorkingDays: 10, beneficiaryIdNumber: ZHAO.head }] };
    const twice = await clients.weishanCa(CHECKED_MEETING, { input: again });
    expect(twice.errors).toBeUndefined();
    expect(twice.data.meetingRecord.userErrors).toEqual([{ code: 'DECISION_CONFLICT', field: ['input', 'decisions', '0', 'conflictOverrideReason'], message: expect.stringContaining(`转办单 ${decision}`) }]);
    const declined = await clients.renchengHealth(DECLINE, { input: { referralId: decision, reason: '已迁出本县，不予办理' } }, { 'x-officer': 'rc-yb-0107' });
    expect(declined.data.referralDecline.userErrors).toEqual([]);
    const report = async () => {
      const res = await ca(DECLINES);
      expect(res.errors).toBeUndefined();
      // Under the office that owns the case (its convener), who resolves it.
      const owner = res.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS');
      return (owner?.declinesOpen ?? []) as { referral: { id: string; declineReason: string; answeredBy: string | null } }[];
    };
    const open = async () => (await report()).map((d) => d.referral.id);
    // Supervision reads who declined it and why: the office's client and the officer its system named.
    expect((await report()).find((d) => d.referral.id === decision)!.referral).toEqual({ id: decision, declineReason: '已迁出本县，不予办理', answeredBy: `${countyClientName('renchengHealth')}/rc-yb-0107` });
    await ok(ca, WAIVE, { input: { referralId: decision, reason: '户籍已迁回微山县，由微山县另行审议' } }, 'referralWaive');
    expect(await open()).not.toContain(decision);
  });
});
