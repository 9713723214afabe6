/**
 * County offices (issue 12: "Offices are city-wide"). Each county has its own civil affairs,
 * health, education … offices: a slip goes to the deciding department's office of the case's
 * county, a county office reads and answers only its county's slips and convenes only its county's
 * cases, the city-wide bureau acts for every county, and supervision counts each county's offices
 * apart. Run with the demo's own county clients (access/demo-clients.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CLIENTS, ensureDemoClients } from '../access/demo-clients';
import { household, householdMember, person, region } from '../db/household/schema';
import { aidCase, caseEvent, referralSlip } from '../db/cases/schema';
import { caseRequest } from '../db/case-loop/schema';
import { keyDigest } from '../db/idempotency-key';
import { count, eq, like } from 'drizzle-orm';
import { makeIdNumber } from '../domain/id-number';
import { maskIdNumbersInText } from '../domain/privacy';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok, userErrorCodes as codes } from './support/payloads';
import { insertRegions, insertWang, SLIP_ANSWERING_OFFICES, TODAY } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id owner { key } } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id state } userErrors { code } } }`;
const SLIP = `referral { id state to { key county { code } } } userErrors { code }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`;
const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`;
const INBOX = `query { referralsToOffice(office: { department: HEALTH }) { id } }`;
const OVERDUE = `query($regionCode: String) { overdueReport(regionCode: $regionCode) {
  byOffice { office { key county { code } } county { code name } referrals { referral { id } } }
  byCounty { county { code } referrals { referral { id } } cases { case { id } } } } }`;

/** A household of 邹城市 钢山街道, one member. */
const SUN = { regionCode: '370883001', head: makeIdNumber('370883', '1968-07-21', 35) };

/**
 * What a hub before per-client keys wrote for `key` of the office CIVIL_AFFAIRS: the same rows
 * under `<office>:<key>`, found by its digest (db/idempotency-key.ts) as the migrations left
 * them. The digests go too: left as the per-client key's, the retry was found by that key and
 * the old key's path went untried.
 */
async function storeAsBeforeUpgrade(key: string): Promise<void> {
  const events = await dbs.hub.select().from(caseEvent).where(like(caseEvent.idempotencyKey, `CIVIL_AFFAIRS/c%:${key}`));
  expect(events).toHaveLength(1);
  const old = `CIVIL_AFFAIRS:${key}`;
  const [request] = await dbs.hub.update(caseRequest).set({ keySha256: keyDigest(old) }).where(eq(caseRequest.keySha256, keyDigest(events[0].idempotencyKey!)));
  const [event] = await dbs.hub.update(caseEvent).set({ idempotencyKey: old, keySha256: keyDigest(old) }).where(eq(caseEvent.id, events[0].id));
  expect([request.affectedRows, event.affectedRows]).toEqual([1, 1]);
}

/** The fingerprint stored with the key the client sent (per-client, else the office's old form). */
async function storedFingerprint(key: string): Promise<{ keySha256: string; requestHash: string }> {
  const [event] = await dbs.hub.select().from(caseEvent).where(like(caseEvent.idempotencyKey, `CIVIL_AFFAIRS%:${key}`));
  const [request] = await dbs.hub.select().from(caseRequest).where(eq(caseRequest.keySha256, event.keySha256!));
  return request;
}

/**
 * The fingerprint a release before ID numbers in prose were masked (9d4ba44f, and every one from
 * 62d5b694 to cdc42c25) stored with a keyed case write: its requestHash, copied, over the input as
 * graphql-js coerced it (fields in the order of the input type, those not sent absent).
 */
function fingerprintBeforeMasking(mutation: string, input: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...rest } = input;
  return createHash('sha256').update(JSON.stringify([mutation, rest])).digest('hex');
}

type Gql = TestHub['gql'];

let dbs: TestDatabases;
let hub: TestHub;
let dir: string;
let wangId: number;
let sunId: number;
const demo: Record<string, Gql> = {};
const clock = new TestClock('2026-03-16T10:00:00+08:00');

const RENCHENG_CA = 'AIDHUB_TOKEN_370811_CIVIL_AFFAIRS';
const ZOUCHENG_CA = 'AIDHUB_TOKEN_370883_CIVIL_AFFAIRS';
const RENCHENG_HEALTH = 'AIDHUB_TOKEN_370811_HEALTH';
const ZOUCHENG_HEALTH = 'AIDHUB_TOKEN_370883_HEALTH';
const CITY_HEALTH = 'AIDHUB_TOKEN_HEALTH';
const CITY_CA = 'AIDHUB_TOKEN_CIVIL_AFFAIRS';

async function inboxOf(variable: string): Promise<string[]> {
  const res = await demo[variable](INBOX);
  expect(res.errors).toBeUndefined();
  return res.data.referralsToOffice.map((r: { id: string }) => r.id);
}

/** A case of the household in `county` opened and accepted by `convener`, with a slip to health. Returns [case, slip]. */
async function caseWithHealthSlip(convener: string, householdId: number, county: string, ask: string): Promise<[string, string]> {
  const ca = demo[convener];
  const opened = await ok(ca, OPEN, { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary: ask } }, 'caseOpen');
  expect(opened.case.owner.key).toBe('CIVIL_AFFAIRS');
  await ok(ca, MOVE, { input: { caseId: opened.case.id, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
  const issued = await ok(ca, ISSUE, { input: { caseId: opened.case.id, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 5 } }, 'referralIssue');
  // Addressed to the health office of the case's county.
  expect(issued.referral.to).toEqual({ key: 'HEALTH', county: { code: county } });
  return [opened.case.id, issued.referral.id];
}

beforeAll(async () => {
  dbs = await createTestDatabases('county_offices');
  await insertRegions(dbs);
  await dbs.hub.insert(region).values([
    { code: '370883', name: '邹城市', level: 'COUNTY', parentCode: '370800' },
    { code: '370883001', name: '钢山街道', level: 'TOWNSHIP', parentCode: '370883' },
  ]);
  wangId = await insertWang(dbs);
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'ZC-0001', regionCode: SUN.regionCode, address: '邹城市钢山街道 12 号' });
  sunId = res.insertId;
  await dbs.hub.insert(person).values({ idNumber: SUN.head, name: '孙立', gender: 'M', birthDate: '1968-07-21' });
  await dbs.hub.insert(householdMember).values({ householdId: sunId, idNumber: SUN.head, relation: 'HEAD', joinedOn: '2010-01-01' });
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-county-offices-'));
  const tokens = await ensureDemoClients(hub.accessDb, path.join(dir, 'demo-clients.env'));
  for (const c of DEMO_CLIENTS) {
    const token = tokens.get(c.variable);
    if (token) demo[c.variable] = hub.as({ token, purpose: c.roles.includes('MEETING_CONVENER') ? 'CASE_MEETING' : 'REFERRAL' }).gql;
  }
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('tells where its tokens are: the file it wrote, wherever the data directory is', () => {
  const file = path.join(dir, 'demo-clients.env');
  // It said `source .data/demo-clients.env` whatever AIDHUB_DATA_DIR put it beside.
  expect(fs.readFileSync(file, 'utf8').split('\n')[1]).toBe(`# Use:  source ${file}`);
});

describe('county offices', () => {
  let wangCase: string;
  let wangSlip: string;
  let sunSlip: string;

  it('the demo has each county’s civil affairs (convener) and every slip-answering department, for 任城区 and 邹城市', () => {
    for (const county of ['370811', '370883']) {
      const offices = DEMO_CLIENTS.filter((c) => c.regionScope === county);
      expect(offices.filter((c) => c.roles.includes('REFERRAL_HANDLER')).map((c) => c.department).sort()).toEqual(SLIP_ANSWERING_OFFICES);
      expect(offices.filter((c) => c.roles.includes('MEETING_CONVENER')).map((c) => c.department)).toEqual(['CIVIL_AFFAIRS']);
    }
  });

  it('each county convenes its own cases only: 邹城市 civil affairs cannot open or move a 任城区 case', async () => {
    [wangCase, wangSlip] = await caseWithHealthSlip(RENCHENG_CA, wangId, '370811', '住院自付费用核实');
    [, sunSlip] = await caseWithHealthSlip(ZOUCHENG_CA, sunId, '370883', '大病医疗救助');
    const opened = await demo[ZOUCHENG_CA](OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '越界立案' } });
    expect(opened.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(codes(await demo[ZOUCHENG_CA](MOVE, { input: { caseId: wangCase, to: 'INVESTIGATING', reason: '越界' } }), 'caseTransition')).toEqual(['CASE_NOT_FOUND']);
    // The city-wide bureau acts for every county.
    expect((await ok(demo[CITY_CA], MOVE, { input: { caseId: wangCase, to: 'INVESTIGATING', reason: '入户调查' } }, 'caseTransition')).case.state).toBe('INVESTIGATING');
  });

  it('a case’s history names each department office with the case’s county, whoever acted for it', async () => {
    // Into deliberation, and a meeting that decides nothing yet (deliberation goes on).
    expect((await ok(demo[RENCHENG_CA], MOVE, { input: { caseId: wangCase, to: 'IN_DELIBERATION', reason: '提请一事一议' } }, 'caseTransition')).case.state).toBe('IN_DELIBERATION');
    const met = await demo[CITY_CA](`mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id } userErrors { code } } }`, {
      input: { caseId: wangCase, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [] },
    });
    expect(met.errors).toBeUndefined();
    expect(met.data.meetingRecord.userErrors).toEqual([]);
    const res = await demo[CITY_CA](`query($id: ID!) { case(id: $id) { history { actorOffice { key county { code } } } meetings { convenedBy { key county { code } } } } }`, { id: wangCase });
    expect(res.errors).toBeUndefined();
    const offices = res.data.case.history.map((e: { actorOffice: { key: string; county: { code: string } | null } }) => e.actorOffice);
    // Opened and accepted by 任城区's civil affairs, moved on and met by the city-wide bureau: 任城区's office each time.
    expect(offices.length).toBeGreaterThanOrEqual(4);
    for (const office of offices) expect(office).toEqual({ key: 'CIVIL_AFFAIRS', county: { code: '370811' } });
    expect(res.data.case.meetings.map((m: { convenedBy: unknown }) => m.convenedBy)).toEqual([{ key: 'CIVIL_AFFAIRS', county: { code: '370811' } }]);
  });

  it('a slip is the case county’s office’s: each county’s health office reads only its county’s slips, the city-wide one all', async () => {
    expect(await inboxOf(RENCHENG_HEALTH)).toEqual([wangSlip]);
    expect(await inboxOf(ZOUCHENG_HEALTH)).toEqual([sunSlip]);
    expect((await inboxOf(CITY_HEALTH)).sort()).toEqual([wangSlip, sunSlip].sort());
  });

  it('邹城市 health can neither read nor answer a 任城区 slip; its own county’s office and the city-wide bureau can', async () => {
    const read = await demo[ZOUCHENG_HEALTH](`query($id: ID!) { referral(id: $id) { id } }`, { id: wangSlip });
    expect(read.errors).toBeUndefined();
    expect(read.data.referral).toBeNull();
    expect(codes(await demo[ZOUCHENG_HEALTH](ACCEPT, { input: { referralId: wangSlip } }), 'referralAccept')).toEqual(['REFERRAL_NOT_FOUND']);
    expect(codes(await demo[ZOUCHENG_HEALTH](DECLINE, { input: { referralId: wangSlip, reason: '越界' } }), 'referralDecline')).toEqual(['REFERRAL_NOT_FOUND']);
    expect((await ok(demo[ZOUCHENG_HEALTH], ACCEPT, { input: { referralId: sunSlip } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
    expect((await ok(demo[CITY_HEALTH], ACCEPT, { input: { referralId: wangSlip } }, 'referralAccept')).referral.state).toBe('ACCEPTED');
  });

  it('supervision counts each county’s offices apart, and a county office sees only its county', async () => {
    // Past both slips' due dates (5 working days from 16 March), neither answered.
    clock.set('2026-04-01T10:00:00+08:00');
    const city = await demo[CITY_CA](OVERDUE);
    expect(city.errors).toBeUndefined();
    const healthOffices = city.data.overdueReport.byOffice.filter((g: { office: { key: string } }) => g.office.key === 'HEALTH');
    expect(healthOffices.map((g: { county: { code: string; name: string }; referrals: { referral: { id: string } }[] }) => [g.county.code, g.county.name, g.referrals.map((r) => r.referral.id)])).toEqual([
      ['370811', '任城区', [wangSlip]],
      ['370883', '邹城市', [sunSlip]],
    ]);
    for (const g of city.data.overdueReport.byOffice) expect(g.office.county).toEqual({ code: g.county.code });
    expect(city.data.overdueReport.byCounty.map((g: { county: { code: string } }) => g.county.code)).toEqual(['370811', '370883']);

    const rencheng = await demo[RENCHENG_CA](OVERDUE);
    expect(rencheng.errors).toBeUndefined();
    expect(rencheng.data.overdueReport.byCounty.map((g: { county: { code: string } }) => g.county.code)).toEqual(['370811']);
    expect(new Set(rencheng.data.overdueReport.byOffice.map((g: { county: { code: string } }) => g.county.code))).toEqual(new Set(['370811']));
    expect(rencheng.data.overdueReport.byCounty[0].referrals.map((r: { referral: { id: string } }) => r.referral.id)).toEqual([wangSlip]);
    const other = await demo[RENCHENG_CA](OVERDUE, { regionCode: '370883' });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(other.data?.overdueReport ?? null).toBeNull();
  });

  it('two counties’ offices of one department may pick the same idempotency key: each retry answers its own first outcome', async () => {
    const open = (householdId: number, summary: string) => ({ input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary, idempotencyKey: 'intake-0001' } });
    const rencheng = await ok(demo[RENCHENG_CA], OPEN, open(wangId, '同键：任城区'), 'caseOpen');
    // 邹城市民政局 has never used the key: its request is its own, not another office's retry.
    const zoucheng = await ok(demo[ZOUCHENG_CA], OPEN, open(sunId, '同键：邹城市'), 'caseOpen');
    expect(zoucheng.case.id).not.toBe(rencheng.case.id);
    // So has the city-wide bureau, which acts for the same office key as both.
    const city = await ok(demo[CITY_CA], OPEN, open(sunId, '同键：市局'), 'caseOpen');
    expect([rencheng.case.id, zoucheng.case.id]).not.toContain(city.case.id);
    // Each retry answers from its own key; another request under it is refused, for that client only.
    expect((await ok(demo[RENCHENG_CA], OPEN, open(wangId, '同键：任城区'), 'caseOpen')).case.id).toBe(rencheng.case.id);
    expect((await ok(demo[ZOUCHENG_CA], OPEN, open(sunId, '同键：邹城市'), 'caseOpen')).case.id).toBe(zoucheng.case.id);
    expect(codes(await demo[ZOUCHENG_CA](OPEN, open(sunId, '另一请求')), 'caseOpen')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('a retry across the upgrade to per-client keys answers its first outcome; another client meeting the office’s old key runs its own request', async () => {
    const casesNow = async () => (await dbs.hub.select({ n: count() }).from(aidCase))[0].n;
    const open = (householdId: number, summary: string) => ({ input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary, idempotencyKey: 'intake-upgrade' } });

    const first = await ok(demo[RENCHENG_CA], OPEN, open(wangId, '升级前立案'), 'caseOpen');
    await storeAsBeforeUpgrade('intake-upgrade');
    const before = await casesNow();
    // 任城区's retry after the upgrade: its first case, not a second one.
    expect((await ok(demo[RENCHENG_CA], OPEN, open(wangId, '升级前立案'), 'caseOpen')).case.id).toBe(first.case.id);
    expect(await casesNow()).toBe(before);

    // The old key is the office's, shared by every county's office and the city-wide bureau: the
    // bureau's identical request is its own (the key's event is 任城区's client's), and 邹城市's
    // other request is neither refused nor answered with 任城区's case.
    const city = await ok(demo[CITY_CA], OPEN, open(wangId, '升级前立案'), 'caseOpen');
    expect(city.case.id).not.toBe(first.case.id);
    const zoucheng = await ok(demo[ZOUCHENG_CA], OPEN, open(sunId, '升级后：邹城市'), 'caseOpen');
    expect([first.case.id, city.case.id]).not.toContain(zoucheng.case.id);
    expect(await casesNow()).toBe(before + 2);

    // A slip issued before the upgrade and retried after it: the one slip.
    await ok(demo[RENCHENG_CA], MOVE, { input: { caseId: first.case.id, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition');
    const issue = { input: { caseId: first.case.id, to: { department: 'HEALTH' }, ask: '升级前转办', deadlineWorkingDays: 5, idempotencyKey: 'slip-upgrade' } };
    const slip = await ok(demo[RENCHENG_CA], ISSUE, issue, 'referralIssue');
    await storeAsBeforeUpgrade('slip-upgrade');
    expect((await ok(demo[RENCHENG_CA], ISSUE, issue, 'referralIssue')).referral.id).toBe(slip.referral.id);
    expect((await dbs.hub.select({ n: count() }).from(referralSlip).where(eq(referralSlip.caseId, Number(first.case.id))))[0].n).toBe(1);
  });

  it('a retry of a write an earlier release fingerprinted over its prose as typed (an ID number in clear) answers its first outcome, under the office’s old key and the client’s own', async () => {
    const OPENED = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } replayed userErrors { code } } }`;
    const casesNow = async () => (await dbs.hub.select({ n: count() }).from(aidCase))[0].n;
    const applicant = makeIdNumber('370811', '1975-04-12', 31);
    const summary = `申请人 ${applicant} 住院，急需救助`;
    // Fields in CaseOpenInput's order, as graphql-js coerced them for the release that hashed them.
    const open = (key: string, text: string) => ({ householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: text, idempotencyKey: key });
    /** The fingerprint stored with `key` put back as that release computed it: over the summary as typed. */
    const fingerprintedBeforeMasking = async (key: string) => {
      const stored = await storedFingerprint(key);
      // This release stores the fingerprint over the summary masked, never over the number in clear.
      expect(stored.requestHash).toBe(fingerprintBeforeMasking('caseOpen', open(key, maskIdNumbersInText(summary))));
      expect(maskIdNumbersInText(summary)).not.toContain(applicant);
      const [updated] = await dbs.hub.update(caseRequest).set({ requestHash: fingerprintBeforeMasking('caseOpen', open(key, summary)) }).where(eq(caseRequest.keySha256, stored.keySha256));
      expect(updated.affectedRows).toBe(1);
    };

    // Sent to a hub that kept keys per office, retried after the upgrade.
    const first = await ok(demo[RENCHENG_CA], OPENED, { input: open('intake-typed', summary) }, 'caseOpen');
    await storeAsBeforeUpgrade('intake-typed');
    await fingerprintedBeforeMasking('intake-typed');
    let before = await casesNow();
    const retried = await ok(demo[RENCHENG_CA], OPENED, { input: open('intake-typed', summary) }, 'caseOpen');
    expect([retried.case.id, retried.replayed]).toEqual([first.case.id, true]);
    expect(await casesNow()).toBe(before);
    // Another request under the old key (another applicant's number) is its own, as before.
    const other = `申请人 ${makeIdNumber('370811', '1980-02-29', 45)} 住院，急需救助`;
    const another = await ok(demo[RENCHENG_CA], OPENED, { input: open('intake-typed', other) }, 'caseOpen');
    expect([another.case.id === first.case.id, another.replayed]).toEqual([false, false]);
    expect(await casesNow()).toBe(before + 1);

    // Under the client's own key: the first outcome, not IDEMPOTENCY_KEY_REUSED.
    const own = await ok(demo[RENCHENG_CA], OPENED, { input: open('intake-typed-own', summary) }, 'caseOpen');
    await fingerprintedBeforeMasking('intake-typed-own');
    before = await casesNow();
    const ownRetry = await ok(demo[RENCHENG_CA], OPENED, { input: open('intake-typed-own', summary) }, 'caseOpen');
    expect([ownRetry.case.id, ownRetry.replayed]).toEqual([own.case.id, true]);
    expect(codes(await demo[RENCHENG_CA](OPENED, { input: open('intake-typed-own', other) }), 'caseOpen')).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await casesNow()).toBe(before);
  });

  it('a hand-over is accepted only by a client that may own the case: a department office that only answers slips declines it', async () => {
    const ca = demo[RENCHENG_CA];
    const opened = await ok(ca, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '移交测试' } }, 'caseOpen');
    const issued = await ok(ca, ISSUE, { input: { caseId: opened.case.id, to: { department: 'HEALTH' }, ask: '移交医保', deadlineWorkingDays: 3, handOver: true } }, 'referralIssue');
    // 任城区医保局's client answers slips (REFERRAL_HANDLER) but may not move a case: had it accepted,
    // the case would be owned by an office nobody can act for, and never close.
    expect(codes(await demo[RENCHENG_HEALTH](ACCEPT, { input: { referralId: issued.referral.id } }), 'referralAccept')).toEqual(['CANNOT_OWN_CASE']);
    const after = await ca(`query($id: ID!) { case(id: $id) { owner { key } referrals { id state } } }`, { id: opened.case.id });
    expect(after.data.case).toEqual({ owner: { key: 'CIVIL_AFFAIRS' }, referrals: [{ id: issued.referral.id, state: 'ISSUED' }] });
    // It declines instead, and the owner goes on with the case.
    expect((await ok(demo[RENCHENG_HEALTH], DECLINE, { input: { referralId: issued.referral.id, reason: '非本单位职责' } }, 'referralDecline')).referral.state).toBe('DECLINED');
    expect((await ok(ca, MOVE, { input: { caseId: opened.case.id, to: 'ACCEPTED', reason: '受理' } }, 'caseTransition')).case.state).toBe('ACCEPTED');
  });
});
