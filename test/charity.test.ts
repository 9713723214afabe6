/**
 * Charity linkage end to end against a real hub and database: consent (with separate health and
 * minors' scopes) gates publication, charities see public summaries in their region, open the
 * sealed detail only after claiming (audited), pledge without ever over-funding a need under
 * concurrent requests, and report deliveries that the case's dossier shows. Revoking consent
 * withdraws the need at once.
 */
import { addWorkingDays } from '../domain/cases/working-days';
import { makeCreditCode } from '../domain/credit-code';
import { makeIdNumber } from '../domain/id-number';
import { householdMember, person } from '../db/household/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { TestClock } from './support/clock';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertResident, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(120_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let caseId: string;
type Act = (query: string, variables?: Record<string, unknown>) => Promise<any>;
let office: Act;
let workerToken: string;
let charityA: Act;
let charityB: Act;
let charityFar: Act;
const names: Record<string, string> = {};
const tokens: Record<string, string> = {};
const ORG_A = makeCreditCode('53370800MJ1234567');
const ORG_B = makeCreditCode('53370811MJ7654321');
const ORG_FAR = makeCreditCode('53370100MJ0000001');
/** A grandchild under 14, added to 王's household for the minors' consent. */
const YOUNG = makeIdNumber('370811', '2016-05-01', 15);
const DESCRIPTION = '家中老人突发疾病住院，医保和医疗救助后仍有较大自付缺口';
/** The hub's clock on TODAY: needs are published and pledges made that day, China time. */
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

const actAs =
  (token: string, purpose: string): Act =>
  async (query, variables = {}) => {
    const res = await hub.as({ token, purpose }).gql(query, variables);
    return res;
  };

async function data(act: Act, query: string, variables: Record<string, unknown>, field: string) {
  const res = await act(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data[field];
}

const CONSENT = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id scopes expiresOn recordedByOfficer } userErrors { code } } }`;
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id state involvesHealth involvesMinor county { code } } userErrors { code field } } }`;
const CLAIM = `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId lapsesOn } userErrors { code } } }`;
const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id amountFen } remainingFen userErrors { code } } }`;
const DETAIL = `query($id: ID!) { charityNeedDetail(id: $id) { id description uncoveredFen remainingFen caseReference caseOwner { key name county { code } } claimLapsesOn township { code } } }`;
const SUMMARIES = `{ charityNeeds { id category amountBand urgency county { code } claimedByMe matchingProjects { title } } }`;
const WITHDRAW = `mutation($id: ID!) { charityNeedWithdraw(input: { needId: $id }) { need { id state closeReason } userErrors { code } } }`;
const DELIVER = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id amountFen deliveredOn reference } replayed userErrors { code } } }`;

async function consent(scopes: string[], householdId = wangId) {
  const r = await data(office, CONSENT, { input: { householdId: String(householdId), scopes, givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
  expect(r.userErrors).toEqual([]);
  return r.consent.id as string;
}

/** A description of a need resting on no health data: one telling of an illness asks HEALTH_DATA. */
const PLAIN_DESCRIPTION = '家庭收入骤减，基本生活暂时困难';

async function publish(input: Record<string, unknown>) {
  const description = input.purpose === 'MEDICAL' ? DESCRIPTION : PLAIN_DESCRIPTION;
  return data(office, PUBLISH, { input: { caseId, urgency: 'URGENT', description, ...input } }, 'charityNeedPublish');
}

async function auditRows(client: string, kind: string): Promise<any[]> {
  const [r] = await dbs.hubPool.query('SELECT * FROM access_log WHERE client_name = ? AND subject_kind = ? ORDER BY seq', [client, kind]);
  return r as any[];
}

beforeAll(async () => {
  dbs = await createTestDatabases('charity');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await dbs.hub.insert(person).values({ idNumber: YOUNG, name: '王小花', gender: 'F', birthDate: '2016-05-01' });
  await dbs.hub.insert(householdMember).values({ householdId: wangId, idNumber: YOUNG, relation: 'GRANDCHILD', joinedOn: '2016-05-01' });
  hub = await startTestHub(dbs, { today: TODAY, clock: clock.now });
  const worker = await hub.createClient({ name: 'rencheng-civil', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  workerToken = worker.token;
  office = actAs(worker.token, 'CHARITY_LINKAGE');
  for (const [key, scope] of [
    ['a', '370800'],
    ['b', '370811'],
    ['far', '370100'],
  ]) {
    const c = await hub.createClient({ name: `charity-${key}`, department: 'CHARITY', regionScope: scope, roles: ['CHARITY'] });
    names[key] = c.name;
    tokens[key] = c.token;
    const act = actAs(c.token, 'CHARITY_LINKAGE');
    if (key === 'a') charityA = act;
    else if (key === 'b') charityB = act;
    else charityFar = act;
  }
  const opened = await data(
    actAs(worker.token, 'ELIGIBILITY_REVIEW'),
    `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
    { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母脑梗住院，自付费用较高', reportedAt: '2026-03-10T09:00:00+08:00', actor: { officer: 'RC-0042' } } },
    'caseOpen',
  );
  expect(opened.userErrors).toEqual([]);
  caseId = opened.case.id;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

let medicalNeed: string;
let minorNeed: string;
let minorConsent: string;

describe('consent gates publication', () => {
  it('a need cannot be published without a consent that covers it; health data needs its own scope', async () => {
    const plain = await consent(['NEED_PUBLICATION']);
    const refused = await publish({ consentId: plain, purpose: 'MEDICAL', uncoveredFen: 3_000_000, beneficiaryIdNumber: WANG.grandmother });
    expect(refused.need).toBeNull();
    expect(refused.userErrors).toEqual([{ code: 'HEALTH_CONSENT_MISSING', field: ['input', 'consentId'] }]);
    const health = await consent(['NEED_PUBLICATION', 'HEALTH_DATA']);
    const ok = await publish({ consentId: health, purpose: 'MEDICAL', uncoveredFen: 3_000_000, beneficiaryIdNumber: WANG.grandmother });
    expect(ok.userErrors).toEqual([]);
    expect(ok.need).toMatchObject({ state: 'OPEN', involvesHealth: true, involvesMinor: false, county: { code: '370811' } });
    medicalNeed = ok.need.id;
  });

  it('a child under 14 needs the MINOR_DATA scope', async () => {
    const health = await consent(['NEED_PUBLICATION', 'HEALTH_DATA']);
    const refused = await publish({ consentId: health, purpose: 'EDUCATION', uncoveredFen: 300_000, beneficiaryIdNumber: YOUNG });
    expect(refused.userErrors.map((e: any) => e.code)).toEqual(['MINOR_CONSENT_MISSING']);
    minorConsent = await consent(['NEED_PUBLICATION', 'MINOR_DATA']);
    const ok = await publish({ consentId: minorConsent, purpose: 'EDUCATION', uncoveredFen: 300_000, beneficiaryIdNumber: YOUNG });
    expect(ok.need).toMatchObject({ involvesMinor: true, involvesHealth: false });
    minorNeed = ok.need.id;
  });

  it('a description that carries a phone number is refused', async () => {
    const c = await consent(['NEED_PUBLICATION']);
    const r = await publish({ consentId: c, purpose: 'LIVING', uncoveredFen: 100_000, description: '请联系 138 1234 5678' });
    expect(r.userErrors.map((e: any) => e.code)).toEqual(['DESCRIPTION_IDENTIFIES']);
  });

  it('a phone number hidden from the screen is refused too: full-width, in Chinese numerals, or split by invisible characters', async () => {
    const c = await consent(['NEED_PUBLICATION']);
    const hidden: [string, string][] = [
      ['请联系 １３８１２３４５６７８', 'DESCRIPTION_IDENTIFIES'],
      ['请联系一三八一二三四五六七八', 'DESCRIPTION_IDENTIFIES'],
      ['请联系 138.1234.5678', 'DESCRIPTION_IDENTIFIES'],
      ['请联系 138\u200b1234\u200b5678', 'TEXT_INVISIBLE_CHARACTER'],
      ['母亲住院\u2060，自付约三万元', 'TEXT_INVISIBLE_CHARACTER'],
    ];
    for (const [description, code] of hidden) {
      const r = await publish({ consentId: c, purpose: 'LIVING', uncoveredFen: 100_000, description });
      expect(r.need).toBeNull();
      expect(r.userErrors).toEqual([{ code, field: ['input', 'description'] }]);
    }
    const [rows] = await dbs.hubPool.query('SELECT id FROM charity_need WHERE consent_id = ?', [Number(c)]);
    expect(rows).toEqual([]);
  });

  it('a charity may not record consent or publish', async () => {
    const res = await charityA(CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'x' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
  });
});

describe('a charity', () => {
  it('registers by a checked 统一社会信用代码', async () => {
    const REGISTER = `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { organisation { creditCode name } userErrors { code } } }`;
    const bad = await data(charityA, REGISTER, { input: { creditCode: ORG_A.slice(0, 17) + (ORG_A[17] === '0' ? '1' : '0'), name: '济宁市慈善总会' } }, 'charityOrganisationRegister');
    expect(bad.userErrors.map((e: any) => e.code)).toEqual(['CREDIT_CODE_INVALID']);
    // Only full width is read as ASCII: mathematical digits and a Roman numeral Ⅹ (which NFKC read as
    // 0-9 and X, and registered the code) are refused, as Arabic-Indic digits are.
    const styled = [ORG_A.replace(/[0-9]/g, (d) => String.fromCodePoint(0x1d7ce + Number(d))), ORG_A.replace(/[0-9]/g, (d) => String.fromCodePoint(0x660 + Number(d))), makeCreditCode('53370800MJX234567').replace('X', 'Ⅹ')];
    for (const creditCode of styled) {
      const r = await data(charityA, REGISTER, { input: { creditCode, name: '济宁市慈善总会' } }, 'charityOrganisationRegister');
      expect(r).toEqual({ organisation: null, userErrors: [{ code: 'CREDIT_CODE_INVALID' }] });
    }
    // A name offices read that displays otherwise than it is stored (a zero-width joiner, a right-to-left mark).
    for (const name of ['济宁市慈善\u200d总会', '济宁市慈善总会\u200f']) {
      const hidden = await data(charityA, REGISTER, { input: { creditCode: ORG_A, name } }, 'charityOrganisationRegister');
      expect(hidden).toEqual({ organisation: null, userErrors: [{ code: 'TEXT_INVISIBLE_CHARACTER' }] });
    }
    // Typed in full width (a Chinese input method left in full-width mode), kept in ASCII.
    const fullWidthA = ORG_A.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const [act, code, name] of [
      [charityA, fullWidthA, '济宁市慈善总会'],
      [charityB, ORG_B, '任城区慈善协会'],
      [charityFar, ORG_FAR, '济南市某基金会'],
    ] as const) {
      const r = await data(act, REGISTER, { input: { creditCode: code, name } }, 'charityOrganisationRegister');
      expect(r).toEqual({ organisation: { creditCode: code === fullWidthA ? ORG_A : code, name }, userErrors: [] });
    }
    const project = await data(
      charityA,
      `mutation($input: CharityProjectCreateInput!) { charityProjectCreate(input: $input) { project { id title budgetLeftFen region { code } } userErrors { code } } }`,
      { input: { title: '济时救 99 公益日 大病救助', purpose: 'MEDICAL', regionCode: '370800', budgetFen: 50_000_000, reference: 'JSJ-99-2026' } },
      'charityProjectCreate',
    );
    expect(project.project).toMatchObject({ budgetLeftFen: 50_000_000, region: { code: '370800' } });
  });

  it('sees open needs in its region as public summaries only, with the projects that match', async () => {
    const res = await charityA(SUMMARIES);
    expect(res.errors).toBeUndefined();
    const byId = new Map(res.data.charityNeeds.map((n: any) => [n.id, n]));
    expect(byId.get(medicalNeed)).toEqual({
      id: medicalNeed,
      category: 'MEDICAL',
      amountBand: 'FROM_20000_TO_50000_YUAN',
      urgency: 'URGENT',
      county: { code: '370811' },
      claimedByMe: false,
      matchingProjects: [{ title: '济时救 99 公益日 大病救助' }],
    });
    expect(byId.has(minorNeed)).toBe(true);
    const text = JSON.stringify(res);
    for (const secret of [WANG.head, WANG.grandmother, YOUNG, '王', '张桂英', DESCRIPTION, '3000000']) expect(text).not.toContain(secret);
    // A charity elsewhere sees none of them and cannot claim them.
    expect((await charityFar(SUMMARIES)).data.charityNeeds).toEqual([]);
    expect((await data(charityFar, CLAIM, { id: medicalNeed }, 'charityNeedClaim')).userErrors.map((e: any) => e.code)).toEqual(['NEED_NOT_FOUND']);
  });

  it('is shown the city-wide project for its county and townships; summaries by a township are refused, not answered empty', async () => {
    // Found trying the hub as an unseen client: charityProjects(regionCode: "370811") listed none of the
    // city's projects (only those whose own area lay within the county), and without regionCode every
    // project of every county; charityNeedSummaries by a township matched no need (needs keep their county).
    const titles = async (act: Act, query: string) => (await data(act, query, {}, 'charityProjects')).map((p: { title: string }) => p.title);
    const CITY_PROJECT = ['济时救 99 公益日 大病救助'];
    expect(await titles(charityB, `{ charityProjects { title } }`)).toEqual(CITY_PROJECT);
    expect(await titles(charityB, `{ charityProjects(regionCode: "370811") { title } }`)).toEqual(CITY_PROJECT);
    expect(await titles(charityA, `{ charityProjects(regionCode: "370811001", purpose: MEDICAL) { title } }`)).toEqual(CITY_PROJECT);
    expect(await titles(charityA, `{ charityProjects(regionCode: "370800") { title } }`)).toEqual(CITY_PROJECT);
    expect(await titles(charityA, `{ charityProjects(regionCode: "370811", purpose: EDUCATION) { title } }`)).toEqual([]);
    // Jinan's charity: none of Jining's projects serves its scope.
    expect(await titles(charityFar, `{ charityProjects { title } }`)).toEqual([]);

    const township = await charityA(`{ charityNeedSummaries(regionCode: "370811001") { edges { node { id } } } }`);
    expect(township.errors?.map((e: { extensions?: unknown }) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'regionCode', reason: 'REGION_FINER_THAN_COUNTY' })]);
    expect((await charityA(`{ charityNeeds(regionCode: "370811001001") { id } }`)).errors?.[0].extensions).toMatchObject({ reason: 'REGION_FINER_THAN_COUNTY' });
    const county = await data(charityA, `{ charityNeedSummaries(regionCode: "370811") { edges { node { id } } } }`, {}, 'charityNeedSummaries');
    expect(county.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(medicalNeed);
  });

  it('reads the sealed detail only after claiming, and the read is in the audit chain', async () => {
    expect(await data(charityA, DETAIL, { id: medicalNeed }, 'charityNeedDetail')).toBeNull();
    // (Its refused attempt to record consent above is on record as DENIED; no read so far.)
    expect((await auditRows(names.a, 'HOUSEHOLD')).filter((r) => r.outcome === 'OK')).toEqual([]);
    const claim = await data(charityA, CLAIM, { id: medicalNeed }, 'charityNeedClaim');
    expect(claim).toEqual({ claim: { needId: medicalNeed, lapsesOn: addWorkingDays(TODAY, 5).date }, userErrors: [] });
    const detail = await data(charityA, DETAIL, { id: medicalNeed }, 'charityNeedDetail');
    expect(detail).toMatchObject({ id: medicalNeed, description: DESCRIPTION, uncoveredFen: 3_000_000, remainingFen: 3_000_000, township: { code: '370811001' } });
    expect(detail.caseReference).toMatch(/^AH-2026-\d{6}$/);
    // The office to turn to, named with its place as every office is (not a bare 民政局).
    expect(detail.caseOwner).toEqual({ key: 'CIVIL_AFFAIRS', name: '任城区民政局', county: { code: '370811' } });
    // The claim is on the household's trail as an act on it (test/charity/audit-writes.test.ts), the read as a read.
    const audited = (await auditRows(names.a, 'HOUSEHOLD')).filter((r) => r.outcome === 'OK');
    expect(audited).toEqual([
      expect.objectContaining({ subject_ref: String(wangId), purpose: 'CHARITY_LINKAGE', outcome: 'OK', root_fields: 'Mutation.charityNeedClaim' }),
      expect.objectContaining({ subject_ref: String(wangId), purpose: 'CHARITY_LINKAGE', outcome: 'OK', root_fields: 'Query.charityNeedDetail' }),
    ]);
    // The other charity has not claimed: still nothing.
    expect(await data(charityB, DETAIL, { id: medicalNeed }, 'charityNeedDetail')).toBeNull();
  });

  it('pledges only after claiming, and concurrent pledges never over-fund a need', async () => {
    const early = await data(charityB, PLEDGE, { input: { needId: medicalNeed, amountFen: 100, reference: 'B-EARLY' } }, 'charityPledgeCreate');
    expect(early.userErrors.map((e: any) => e.code)).toEqual(['CLAIM_REQUIRED']);
    expect((await data(charityB, CLAIM, { id: medicalNeed }, 'charityNeedClaim')).userErrors).toEqual([]);
    const projects = await data(charityA, `{ charityProjects(purpose: MEDICAL) { id } }`, {}, 'charityProjects');
    const first = await data(charityA, PLEDGE, { input: { needId: medicalNeed, amountFen: 1_000_000, projectId: projects[0].id, reference: 'A-FIRST' } }, 'charityPledgeCreate');
    expect(first).toMatchObject({ pledge: { amountFen: 1_000_000 }, remainingFen: 2_000_000, userErrors: [] });
    // 2,000,000 fen left; ten pledges of 500,000 at once: exactly four fit, whatever the order.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? charityA : charityB)(PLEDGE, { input: { needId: medicalNeed, amountFen: 500_000, reference: `RACE-${i}` } })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const codes = results.map((r) => r.data.charityPledgeCreate.userErrors.map((e: any) => e.code).join() || 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(4);
    expect(codes.filter((c) => c !== 'OK').every((c) => c === 'OVER_FUNDED' || c === 'NEED_NOT_OPEN')).toBe(true);
    const [rows] = await dbs.hubPool.query('SELECT state, pledged_fen, uncovered_fen FROM charity_need WHERE id = ?', [medicalNeed]);
    expect((rows as any[])[0]).toMatchObject({ state: 'COVERED', pledged_fen: 3_000_000 });
    const [sum] = await dbs.hubPool.query('SELECT SUM(amount_fen) AS s, COUNT(*) AS n FROM charity_pledge WHERE need_id = ?', [medicalNeed]);
    expect((sum as any[])[0]).toMatchObject({ s: '3000000', n: 5 });
    const [budget] = await dbs.hubPool.query('SELECT budget_left_fen FROM charity_project WHERE id = ?', [projects[0].id]);
    expect((budget as any[])[0].budget_left_fen).toBe(49_000_000);
    // Covered: closed to further pledges and gone from the open list.
    expect((await data(charityA, PLEDGE, { input: { needId: medicalNeed, amountFen: 1, reference: 'A-LATE' } }, 'charityPledgeCreate')).userErrors.map((e: any) => e.code)).toEqual(['NEED_NOT_OPEN']);
    expect((await charityA(SUMMARIES)).data.charityNeeds.map((n: any) => n.id)).not.toContain(medicalNeed);
  });

  it('dates a delivery from the day of its pledge to today: earlier or later is refused and nothing is recorded', async () => {
    const [mine] = await dbs.hubPool.query('SELECT id FROM charity_pledge WHERE need_id = ? AND credit_code = ? ORDER BY id LIMIT 1', [medicalNeed, ORG_A]);
    const pledgeId = String((mine as any[])[0].id);
    const DELIVER_FIELDS = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id } userErrors { code field } } }`;
    for (const [deliveredOn, code] of [
      ['2020-01-01', 'DELIVERY_BEFORE_PLEDGE'], // years before the need existed: it would enter the ledger as a 2020 grant
      ['2026-03-14', 'DELIVERY_BEFORE_PLEDGE'], // the day before the pledge (and the need's publication)
      ['2026-03-16', 'DELIVERY_IN_FUTURE'],
    ]) {
      const r = await data(charityA, DELIVER_FIELDS, { input: { pledgeId, amountFen: 100, deliveredOn, reference: `EARLY-${deliveredOn}` } }, 'charityDeliveryReport');
      expect({ deliveredOn, r }).toEqual({ deliveredOn, r: { delivery: null, userErrors: [{ code, field: ['input', 'deliveredOn'] }] } });
    }
    const [deliveries] = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM charity_delivery');
    const [ledger] = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM reported_aid');
    expect([Number((deliveries as any[])[0].n), Number((ledger as any[])[0].n)]).toEqual([0, 0]);
  });

  it('reports delivery once per reference; the dossier of the case shows pledges and deliveries', async () => {
    const [mine] = await dbs.hubPool.query('SELECT id FROM charity_pledge WHERE need_id = ? AND credit_code = ? ORDER BY id LIMIT 1', [medicalNeed, ORG_A]);
    const pledgeId = String((mine as any[])[0].id);
    // Delivered the day it was pledged (TODAY), the earliest day allowed.
    const input = { pledgeId, amountFen: 1_000_000, deliveredOn: TODAY, reference: 'JNCS-2026-0001', settlementReference: 'SETL20260110001' };
    const first = await data(charityA, DELIVER, { input }, 'charityDeliveryReport');
    expect(first).toMatchObject({ delivery: { amountFen: 1_000_000, deliveredOn: TODAY, reference: 'JNCS-2026-0001' }, replayed: false, userErrors: [] });
    const again = await data(charityA, DELIVER, { input }, 'charityDeliveryReport');
    expect(again).toMatchObject({ delivery: { id: first.delivery.id }, replayed: true, userErrors: [] });
    const reused = await data(charityA, DELIVER, { input: { ...input, amountFen: 1 } }, 'charityDeliveryReport');
    expect(reused.userErrors.map((e: any) => e.code)).toEqual(['DELIVERY_REFERENCE_REUSED']);
    const over = await data(charityA, DELIVER, { input: { ...input, reference: 'JNCS-2026-0002' } }, 'charityDeliveryReport');
    expect(over.userErrors.map((e: any) => e.code)).toEqual(['OVER_DELIVERED']);
    // Another charity cannot deliver against A's pledge.
    expect((await data(charityB, DELIVER, { input: { ...input, reference: 'B-1' } }, 'charityDeliveryReport')).userErrors.map((e: any) => e.code)).toEqual(['PLEDGE_NOT_FOUND']);
    const [count] = await dbs.hubPool.query('SELECT COUNT(*) AS n FROM charity_delivery');
    expect(Number((count as any[])[0].n)).toBe(1);

    const meeting = await hub.as({ token: workerToken, purpose: 'CASE_MEETING' }).gql(
      `query($id: ID!) { case(id: $id) { dossier { charityNeeds { id state pledgedFen deliveredFen pledges { amountFen organisation { name } } deliveries { amountFen reference organisation { creditCode } } } } } }`,
      { id: caseId },
    );
    expect(meeting.errors).toBeUndefined();
    const needs = meeting.data.case.dossier.charityNeeds;
    const medical = needs.find((n: any) => n.id === medicalNeed);
    expect(medical).toMatchObject({ state: 'COVERED', pledgedFen: 3_000_000, deliveredFen: 1_000_000, deliveries: [{ amountFen: 1_000_000, reference: 'JNCS-2026-0001', organisation: { creditCode: ORG_A } }] });
    expect(medical.pledges).toHaveLength(5);

    // The printed meeting brief lists the case's needs with their pledges and deliveries (慈善衔接).
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: workerToken, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    const html = await brief.text();
    const printed = html.slice(html.indexOf('<h2>慈善衔接</h2>'));
    expect(html).toContain('<h2>慈善衔接</h2>');
    // A's pledge of ¥10,000 (with the organisation's name) and the four of ¥5,000; the delivery of ¥10,000 on TODAY.
    for (const e of ['30000.00 元', '已足额认捐', '济宁市慈善总会 <span class="nw">10000.00 元</span>', '<span class="nw">5000.00 元</span>', `<div><span class="nw">10000.00 元</span> <span class="nw">${TODAY}</span></div>`])
      expect({ e, found: printed.includes(e) }).toEqual({ e, found: true });
    // No more personal data than the brief had: not the need's description.
    expect(html).not.toContain(DESCRIPTION);

    // The delivery is reported aid: in the household's aid (marked with who reported it, the case
    // and the need), and tied to the grandmother's hospital stay, whose out-of-pocket was ¥7,010.50,
    // it makes X7 (aid for one settlement beyond its out-of-pocket amount).
    // (AidRecord.reportedBy, caseReference and needId are the reported-aid branch's fields; their
    // access rules come with it, so this reads the ledger row for the links.)
    const seen = await hub.as({ token: workerToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(
      `query($id: ID!) { household(id: $id) { aid { programme { code } amountFen grantDate } findings { rule { id } } } }`,
      { id: String(wangId) },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data.household.aid.filter((a: any) => a.programme.code.startsWith('CHARITY_'))).toEqual([{ programme: { code: 'CHARITY_MEDICAL' }, amountFen: 1_000_000, grantDate: TODAY }]);
    const [ledger] = await dbs.hubPool.query('SELECT reporter_office, reporter_credit_code, reference, case_reference, need_id, settlement_ref FROM reported_aid');
    expect(ledger).toEqual([
      { reporter_office: 'CHARITY', reporter_credit_code: ORG_A, reference: 'JNCS-2026-0001', case_reference: expect.stringMatching(/^AH-2026-/), need_id: medicalNeed, settlement_ref: 'SETL20260110001' },
    ]);
    expect(seen.data.household.findings.map((f: any) => f.rule.id)).toContain('X7');
  });

  it('a delivery\'s ledger row is not reversed through aidReport, even by a client that also holds DEPARTMENT_WRITER', async () => {
    // Such a client can no longer be created (access-clients test); this is one made before the
    // rule, its roles written as they were then.
    await dbs.hubPool.query("UPDATE api_client SET department = 'CHARITY', roles = 'CHARITY,DEPARTMENT_WRITER' WHERE name = ?", [names.a]);
    try {
      const REPORT = `mutation($input: AidReportInput!) { aidReport(input: $input) { recorded userErrors { index code field } } }`;
      const reversal = { reference: 'JNCS-2026-0001-R', entryKind: 'REVERSAL', supersedesReference: 'JNCS-2026-0001', beneficiaryIdNumber: WANG.grandmother, programme: 'CHARITY_MEDICAL', grantDate: TODAY, amountFen: 0 };
      // The ledger compares references without regard to case: so does the guard (jncs-2026-0001 is the delivery's).
      const lowerCased = { ...reversal, reference: 'JNCS-2026-0001-R2', supersedesReference: 'jncs-2026-0001' };
      const res = await hub.as({ token: tokens.a, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { input: { records: [reversal, { ...reversal, reference: 'JNCS-2026-0001-C', entryKind: 'CORRECTION', amountFen: 1 }, lowerCased] } });
      expect(res.errors).toBeUndefined();
      expect(res.data.aidReport).toEqual({
        recorded: 0,
        userErrors: [
          { index: 0, code: 'SUPERSEDES_CHARITY_DELIVERY', field: 'supersedesReference' },
          { index: 1, code: 'SUPERSEDES_CHARITY_DELIVERY', field: 'supersedesReference' },
          { index: 2, code: 'SUPERSEDES_CHARITY_DELIVERY', field: 'supersedesReference' },
        ],
      });
      const [ledger] = await dbs.hubPool.query('SELECT reference, superseded_by FROM reported_aid');
      expect(ledger).toEqual([{ reference: 'JNCS-2026-0001', superseded_by: null }]);
    } finally {
      await dbs.hubPool.query("UPDATE api_client SET department = 'CHARITY', roles = 'CHARITY' WHERE name = ?", [names.a]);
    }
  });

  it('revoking consent withdraws the need: no longer listed, detail closed, no claims', async () => {
    expect((await data(charityB, CLAIM, { id: minorNeed }, 'charityNeedClaim')).userErrors).toEqual([]);
    expect(await data(charityB, DETAIL, { id: minorNeed }, 'charityNeedDetail')).toMatchObject({ id: minorNeed });
    const revoked = await data(office, `mutation($id: ID!) { charityConsentRevoke(input: { consentId: $id }) { consent { revokedAt } withdrawnNeeds userErrors { code } } }`, { id: minorConsent }, 'charityConsentRevoke');
    expect(revoked).toMatchObject({ withdrawnNeeds: 1, userErrors: [] });
    expect(revoked.consent.revokedAt).not.toBeNull();
    expect((await charityB(SUMMARIES)).data.charityNeeds.map((n: any) => n.id)).not.toContain(minorNeed);
    expect(await data(charityB, DETAIL, { id: minorNeed }, 'charityNeedDetail')).toBeNull();
    expect((await data(charityB, PLEDGE, { input: { needId: minorNeed, amountFen: 100, reference: 'B-MINOR' } }, 'charityPledgeCreate')).userErrors.map((e: any) => e.code)).toEqual(['CONSENT_REVOKED']);
    expect((await data(charityA, CLAIM, { id: minorNeed }, 'charityNeedClaim')).userErrors.map((e: any) => e.code)).toEqual(['NEED_NOT_OPEN']);
    // Publishing again under the revoked consent is refused.
    const again = await publish({ consentId: minorConsent, purpose: 'EDUCATION', uncoveredFen: 300_000, beneficiaryIdNumber: YOUNG });
    expect(again.userErrors.map((e: any) => e.code)).toEqual(['CONSENT_REVOKED']);
    // The office withdrawing it as well finds it withdrawn, and says why.
    expect(await data(office, WITHDRAW, { id: minorNeed }, 'charityNeedWithdraw')).toEqual({ need: { id: minorNeed, state: 'WITHDRAWN', closeReason: 'CONSENT_REVOKED' }, userErrors: [] });
  });

  it('a need published while its consent is being revoked is refused, never left open under the revoked consent', async () => {
    const id = await consent(['NEED_PUBLICATION', 'MINOR_DATA']);
    // A revocation in progress: the consent row updated, not yet committed (as charityConsentRevoke's transaction holds it).
    const revoking = await dbs.hubPool.getConnection();
    try {
      await revoking.query('START TRANSACTION');
      await revoking.query('UPDATE charity_consent SET revoked_at = UTC_TIMESTAMP(3), revoked_by_client = ? WHERE id = ?', ['revoking-office', Number(id)]);
      const publishing = publish({ consentId: id, purpose: 'LIVING', uncoveredFen: 40_000 });
      // The publication waits on the consent's row (or, on the old code, passed its check already).
      await new Promise((r) => setTimeout(r, 1000));
      await revoking.query("UPDATE charity_need SET state = 'WITHDRAWN', close_reason = 'CONSENT_REVOKED', closed_at = UTC_TIMESTAMP(3) WHERE consent_id = ? AND state = 'OPEN'", [Number(id)]);
      await revoking.query('COMMIT');
      const answer = await publishing;
      expect({ need: answer.need, codes: answer.userErrors.map((e: any) => e.code) }).toEqual({ need: null, codes: ['CONSENT_REVOKED'] });
    } finally {
      revoking.release();
    }
    const [open] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM charity_need WHERE consent_id = ? AND state = 'OPEN'", [Number(id)])) as any;
    expect(Number(open[0].n)).toBe(0);
  });

  it('withdrawing a need again answers it as withdrawn; a covered need is not withdrawn', async () => {
    const need = (await publish({ consentId: await consent(['NEED_PUBLICATION', 'MINOR_DATA']), purpose: 'LIVING', uncoveredFen: 50_000 })).need.id;
    const withdrawn = { need: { id: need, state: 'WITHDRAWN', closeReason: 'WITHDRAWN_BY_OFFICE' }, userErrors: [] };
    expect(await data(office, WITHDRAW, { id: need }, 'charityNeedWithdraw')).toEqual(withdrawn);
    // Sent again after a lost answer.
    expect(await data(office, WITHDRAW, { id: need }, 'charityNeedWithdraw')).toEqual(withdrawn);
    expect(await data(office, WITHDRAW, { id: medicalNeed }, 'charityNeedWithdraw')).toEqual({ need: null, userErrors: [{ code: 'NEED_NOT_OPEN' }] });
  });

  it('a claim lapses after the configured working days: the detail closes again', async () => {
    // A's claim on the medical need was made on TODAY (a Sunday) and holds 5 working days: to Friday 2026-03-20.
    const later = await startTestHub(dbs, { today: '2026-03-23', client: null });
    try {
      const asA = later.as({ token: tokens.a, purpose: 'CHARITY_LINKAGE' });
      const onLastDay = await startTestHub(dbs, { today: '2026-03-20', client: null });
      try {
        expect((await onLastDay.as({ token: tokens.a, purpose: 'CHARITY_LINKAGE' }).gql(DETAIL, { id: medicalNeed })).data.charityNeedDetail).toMatchObject({ id: medicalNeed, claimLapsesOn: '2026-03-20' });
      } finally {
        await onLastDay.close();
      }
      const res = await asA.gql(DETAIL, { id: medicalNeed });
      expect(res.errors).toBeUndefined();
      expect(res.data.charityNeedDetail).toBeNull();
    } finally {
      await later.close();
    }
  });

  it('a claim holds the working days the hub is configured with (HubConfig), not whatever the environment says', async () => {
    const consentId = await consent(['NEED_PUBLICATION', 'HEALTH_DATA']);
    const published = await publish({ consentId, purpose: 'MEDICAL', uncoveredFen: 500_000, beneficiaryIdNumber: WANG.grandmother });
    expect(published.userErrors).toEqual([]);
    expect(process.env.CHARITY_CLAIM_WORKING_DAYS).toBeUndefined();
    const configured = await startTestHub(dbs, { today: TODAY, clock: clock.now, client: null, config: { charityClaimWorkingDays: 8 } });
    try {
      const res = await configured.as({ token: tokens.a, purpose: 'CHARITY_LINKAGE' }).gql(CLAIM, { id: published.need.id });
      expect(res.data.charityNeedClaim).toEqual({ claim: { needId: published.need.id, lapsesOn: addWorkingDays(TODAY, 8).date }, userErrors: [] });
    } finally {
      await configured.close();
    }
  });

  it('a charity reads no household data', async () => {
    const res = await charityA(`query($id: ID!) { household(id: $id) { id } }`, { id: String(wangId) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
  });
});

describe('a need for the whole household', () => {
  /** A household of an adult and, when born on `childBorn`, a child (who left on `childLeftOn`), with a case open. */
  async function householdWithCase(seq: number, childBorn: string, childLeftOn: string | null = null): Promise<{ householdId: number; caseId: string }> {
    const { householdId } = await insertResident(dbs, { prefix: 'CH-MINOR', seq, birthDate: '1985-07-07' });
    const child = makeIdNumber('370811', childBorn, seq);
    await dbs.hub.insert(person).values({ idNumber: child, name: '测试', gender: 'F', birthDate: childBorn });
    await dbs.hub.insert(householdMember).values({ householdId, idNumber: child, relation: 'CHILD', joinedOn: childBorn, leftOn: childLeftOn });
    const opened = await data(
      actAs(workerToken, 'ELIGIBILITY_REVIEW'),
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
      { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '子女就学费用存在缺口', reportedAt: '2026-03-10T09:00:00+08:00', actor: { officer: 'RC-0042' } } },
      'caseOpen',
    );
    expect(opened.userErrors).toEqual([]);
    return { householdId, caseId: opened.case.id };
  }
  const SCHOOL = { purpose: 'EDUCATION', uncoveredFen: 300_000, description: '子女就学费用和生活费存在缺口' };

  it('of a household with a child under 14 needs MINOR_DATA, and concerns a minor', async () => {
    const ten = await householdWithCase(71, '2015-09-01');
    const refused = await publish({ ...SCHOOL, caseId: ten.caseId, consentId: await consent(['NEED_PUBLICATION'], ten.householdId) });
    expect(refused).toEqual({ need: null, userErrors: [{ code: 'MINOR_CONSENT_MISSING', field: ['input', 'consentId'] }] });
    const minors = await consent(['NEED_PUBLICATION', 'MINOR_DATA'], ten.householdId);
    const published = await publish({ ...SCHOOL, caseId: ten.caseId, consentId: minors });
    expect(published.userErrors).toEqual([]);
    expect(published.need).toMatchObject({ state: 'OPEN', involvesMinor: true, involvesHealth: false });
    // A claiming charity reads it as a minor's need, while the consent holds; revoked, it is withdrawn.
    expect((await data(charityB, CLAIM, { id: published.need.id }, 'charityNeedClaim')).userErrors).toEqual([]);
    expect(await data(charityB, `query($id: ID!) { charityNeedDetail(id: $id) { involvesMinor } }`, { id: published.need.id }, 'charityNeedDetail')).toEqual({ involvesMinor: true });
    // While it stays published, the same rule holds: a consent no longer covering the child's data
    // (its MINOR_DATA scope gone, as a record corrected to what the household agreed to) lists,
    // opens and lets claim the need no more; covered again, it does.
    const listed = async () => (await charityB(SUMMARIES)).data.charityNeeds.map((n: any) => n.id);
    expect(await listed()).toContain(published.need.id);
    await dbs.hubPool.query("UPDATE charity_consent SET scopes = 'NEED_PUBLICATION' WHERE id = ?", [Number(minors)]);
    expect(await listed()).not.toContain(published.need.id);
    expect(await data(charityB, DETAIL, { id: published.need.id }, 'charityNeedDetail')).toBeNull();
    expect((await data(charityA, CLAIM, { id: published.need.id }, 'charityNeedClaim')).userErrors).toEqual([{ code: 'NEED_NOT_OPEN' }]);
    await dbs.hubPool.query("UPDATE charity_consent SET scopes = 'NEED_PUBLICATION,MINOR_DATA' WHERE id = ?", [Number(minors)]);
    expect(await listed()).toContain(published.need.id);
    expect(await data(charityB, DETAIL, { id: published.need.id }, 'charityNeedDetail')).toMatchObject({ id: published.need.id });
    const revoked = await data(office, `mutation($id: ID!) { charityConsentRevoke(input: { consentId: $id }) { withdrawnNeeds userErrors { code } } }`, { id: minors }, 'charityConsentRevoke');
    expect(revoked).toEqual({ withdrawnNeeds: 1, userErrors: [] });
    expect(await data(charityB, DETAIL, { id: published.need.id }, 'charityNeedDetail')).toBeNull();
  });

  it('of a household whose youngest turns 14 today needs no MINOR_DATA', async () => {
    const fourteen = await householdWithCase(72, '2012-03-15');
    const published = await publish({ ...SCHOOL, caseId: fourteen.caseId, consentId: await consent(['NEED_PUBLICATION'], fourteen.householdId) });
    expect(published.userErrors).toEqual([]);
    expect(published.need).toMatchObject({ state: 'OPEN', involvesMinor: false });
  });

  // Whether a need concerns a child is read as the household stands today, not frozen at publication.
  const listedTo = async (act: Act) => (await act(SUMMARIES)).data.charityNeeds.map((n: any) => n.id);
  const officeView = async (ofCase: string) => (await data(office, `query($c: ID!) { charityNeedsOfCase(caseId: $c) { id involvesMinor } }`, { c: ofCase }, 'charityNeedsOfCase'))[0];

  it('published before household needs counted their children is withheld from charities without MINOR_DATA', async () => {
    const ten = await householdWithCase(74, '2015-09-01');
    const minors = await consent(['NEED_PUBLICATION', 'MINOR_DATA'], ten.householdId);
    const published = (await publish({ ...SCHOOL, caseId: ten.caseId, consentId: minors })).need;
    expect((await data(charityB, CLAIM, { id: published.id }, 'charityNeedClaim')).userErrors).toEqual([]);
    // The rows as publication left them before the rule: the flag unset, the consent without MINOR_DATA.
    await dbs.hubPool.query('UPDATE charity_need SET involves_minor = 0 WHERE id = ?', [Number(published.id)]);
    await dbs.hubPool.query("UPDATE charity_consent SET scopes = 'NEED_PUBLICATION' WHERE id = ?", [Number(minors)]);
    expect(await listedTo(charityB)).not.toContain(published.id);
    expect(await data(charityB, DETAIL, { id: published.id }, 'charityNeedDetail')).toBeNull();
    expect((await data(charityA, CLAIM, { id: published.id }, 'charityNeedClaim')).userErrors).toEqual([{ code: 'NEED_NOT_OPEN' }]);
    expect(await officeView(ten.caseId)).toEqual({ id: published.id, involvesMinor: true });
    // The household gives MINOR_DATA: charities see it again, as a minor's need.
    await dbs.hubPool.query("UPDATE charity_consent SET scopes = 'NEED_PUBLICATION,MINOR_DATA' WHERE id = ?", [Number(minors)]);
    expect(await listedTo(charityB)).toContain(published.id);
    expect(await data(charityB, `query($id: ID!) { charityNeedDetail(id: $id) { involvesMinor } }`, { id: published.id }, 'charityNeedDetail')).toEqual({ involvesMinor: true });
  });

  it('of a household a child joins after publication is withheld from charities without MINOR_DATA', async () => {
    const grown = await householdWithCase(75, '2000-09-01');
    const published = (await publish({ ...SCHOOL, caseId: grown.caseId, consentId: await consent(['NEED_PUBLICATION'], grown.householdId) })).need;
    expect(published).toMatchObject({ state: 'OPEN', involvesMinor: false });
    expect((await data(charityB, CLAIM, { id: published.id }, 'charityNeedClaim')).userErrors).toEqual([]);
    expect(await listedTo(charityB)).toContain(published.id);
    expect(await data(charityB, DETAIL, { id: published.id }, 'charityNeedDetail')).toMatchObject({ id: published.id });
    // A baby born last month joins the household.
    const baby = makeIdNumber('370811', '2026-02-01', 75);
    await dbs.hub.insert(person).values({ idNumber: baby, name: '测试', gender: 'F', birthDate: '2026-02-01' });
    await dbs.hub.insert(householdMember).values({ householdId: grown.householdId, idNumber: baby, relation: 'GRANDCHILD', joinedOn: '2026-03-01' });
    expect(await listedTo(charityB)).not.toContain(published.id);
    expect(await data(charityB, DETAIL, { id: published.id }, 'charityNeedDetail')).toBeNull();
    expect((await data(charityA, CLAIM, { id: published.id }, 'charityNeedClaim')).userErrors).toEqual([{ code: 'NEED_NOT_OPEN' }]);
    expect(await officeView(grown.caseId)).toEqual({ id: published.id, involvesMinor: true });
    const withdrawn = await data(office, `mutation($id: ID!) { charityNeedWithdraw(input: { needId: $id }) { need { state involvesMinor } } }`, { id: published.id }, 'charityNeedWithdraw');
    expect(withdrawn.need).toEqual({ state: 'WITHDRAWN', involvesMinor: true });
  });

  it('claimed before a child joins the household takes no pledge without MINOR_DATA, and writes nothing', async () => {
    const grown = await householdWithCase(76, '2000-09-01');
    const adults = await consent(['NEED_PUBLICATION'], grown.householdId);
    const published = (await publish({ ...SCHOOL, caseId: grown.caseId, consentId: adults })).need;
    expect((await data(charityB, CLAIM, { id: published.id }, 'charityNeedClaim')).userErrors).toEqual([]);
    const baby = makeIdNumber('370811', '2026-02-01', 76);
    await dbs.hub.insert(person).values({ idNumber: baby, name: '测试', gender: 'F', birthDate: '2026-02-01' });
    await dbs.hub.insert(householdMember).values({ householdId: grown.householdId, idNumber: baby, relation: 'GRANDCHILD', joinedOn: '2026-03-01' });
    const written = async () => {
      const [[n]] = (await dbs.hubPool.query('SELECT pledged_fen AS pledgedFen, state, (SELECT count(*) FROM charity_pledge p WHERE p.need_id = charity_need.id) AS pledges FROM charity_need WHERE id = ?', [Number(published.id)])) as any;
      return { pledgedFen: Number(n.pledgedFen), state: n.state, pledges: Number(n.pledges) };
    };
    // The claim still runs, but the need now concerns a child: refused as a claim would be.
    const refused = await data(charityB, PLEDGE, { input: { needId: published.id, amountFen: 100_000, reference: 'B-CHILD-JOINED' } }, 'charityPledgeCreate');
    expect(refused).toEqual({ pledge: null, remainingFen: null, userErrors: [{ code: 'NEED_NOT_OPEN' }] });
    expect(await written()).toEqual({ pledgedFen: 0, state: 'OPEN', pledges: 0 });
    // The household gives MINOR_DATA: the same pledge is accepted.
    await dbs.hubPool.query("UPDATE charity_consent SET scopes = 'NEED_PUBLICATION,MINOR_DATA' WHERE id = ?", [Number(adults)]);
    const accepted = await data(charityB, PLEDGE, { input: { needId: published.id, amountFen: 100_000, reference: 'B-CHILD-JOINED' } }, 'charityPledgeCreate');
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.pledge).toMatchObject({ amountFen: 100_000 });
    expect(await written()).toEqual({ pledgedFen: 100_000, state: 'OPEN', pledges: 1 });
  });

  it('is listed in statements as many whatever the number of needs: the households’ children are read in the list’s own', async () => {
    const statements = async (first: number) => {
      const res = await charityB(`{ charityNeeds(first: ${first}) { id category amountBand urgency county { code } claimedByMe matchingProjects { title } } }`);
      expect(res.errors).toBeUndefined();
      return { needs: res.data.charityNeeds.length, bySource: res.extensions?.sqlStatements?.bySource };
    };
    const one = await statements(1);
    const all = await statements(100);
    expect(one.needs).toBe(1);
    expect(all.needs).toBeGreaterThanOrEqual(3);
    expect(all.bySource).toEqual(one.bySource);
  });

  it('pages through every open need once, newest first, a need published meanwhile only on a new first page (charityNeedSummaries)', async () => {
    const PAGE = `query($after: String) { charityNeedSummaries(first: 1, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    // The deprecated list, whole at this size: what the pages must add up to.
    const listed = (await data(charityB, `{ charityNeeds(first: 500) { id } }`, {}, 'charityNeeds')).map((n: { id: string }) => n.id);
    expect(listed.length).toBeGreaterThan(2);
    const paged: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let newer: string | null = null;
    for (;;) {
      const page = await data(charityB, PAGE, { after }, 'charityNeedSummaries');
      pages += 1;
      const cursors = page.edges.map((e: { cursor: string }) => e.cursor);
      expect(page.pageInfo).toMatchObject({ hasPreviousPage: false, startCursor: cursors[0], endCursor: cursors.at(-1) });
      paged.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (pages === 1) {
        // Published after the first page was read: it is newer than every cursor given out.
        const grown = await householdWithCase(77, '2000-09-01');
        newer = (await publish({ ...SCHOOL, caseId: grown.caseId, consentId: await consent(['NEED_PUBLICATION'], grown.householdId) })).need.id;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(listed);
    expect(pages).toBe(listed.length);
    expect((await data(charityB, PAGE, { after: null }, 'charityNeedSummaries')).edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([newer]);
    // A cursor this API did not give out for this list (another list's, or made up).
    for (const bad of ['bm90LWEtY3Vyc29y', Buffer.from('S:1').toString('base64url')]) {
      const res = await charityB(PAGE, { after: bad });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_CURSOR' });
    }
  });

  it('does not count a child who left the household', async () => {
    const left = await householdWithCase(73, '2015-09-01', '2026-01-01');
    const published = await publish({ ...SCHOOL, caseId: left.caseId, consentId: await consent(['NEED_PUBLICATION'], left.householdId) });
    expect(published.userErrors).toEqual([]);
    expect(published.need).toMatchObject({ state: 'OPEN', involvesMinor: false });
  });
});
