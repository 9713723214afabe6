/**
 * What a charity's delivery report is held to beyond its pledge, through a real hub: the
 * household's consent (a delivery dated after the household revoked it is not recorded), the need's
 * own beneficiary, and the duplicate rules (a delivery tied to a hospital stay counts in X7 to the
 * fen; a pledge never delivered counts nothing).
 */
import { makeCreditCode } from '../../domain/credit-code';
import { makeIdNumber } from '../../domain/id-number';
import { householdMember, person } from '../../db/household/schema';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { TestClock } from '../support/clock';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';
import { registerCharity } from '../../db/reported-aid/store';

jest.setTimeout(120_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let caseId: string;
let office: ReturnType<TestHub['as']>;
let charity: ReturnType<TestHub['as']>;
let charityToken: string;
const ORG = makeCreditCode('53370800MJ2468013');
/** A grandchild under 14 in 王's household. */
const YOUNG = makeIdNumber('370811', '2016-05-01', 15);
/** The hub's clock: needs are published and pledged on TODAY (a Sunday), China time. */
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

const CONSENT = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`;
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code field } } }`;
const CLAIM = `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`;
const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } userErrors { code } } }`;
const REVOKE = `mutation($id: ID!) { charityConsentRevoke(input: { consentId: $id }) { withdrawnNeeds userErrors { code } } }`;
const DELIVER = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id amountFen } replayed userErrors { code field } } }`;

async function data(as: ReturnType<TestHub['as']>, query: string, variables: Record<string, unknown>, field: string) {
  const res = await as.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data[field];
}

const rows = async (sql: string, params: unknown[] = []) => (await dbs.hubPool.query(sql, params))[0] as any[];

/** A consent, a need under it, claimed and pledged in full by the charity: the pledge's id and the consent's. */
async function pledged(need: Record<string, unknown>, scopes = ['NEED_PUBLICATION', 'HEALTH_DATA', 'MINOR_DATA']): Promise<{ pledgeId: string; consentId: string; needId: string }> {
  const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes, givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
  expect(consent.userErrors).toEqual([]);
  // A description telling of a hospital stay rests on health data: only a medical need's.
  const description = need.purpose === 'MEDICAL' ? '住院自付费用较高，尚有缺口' : '家庭基本生活暂时困难，尚有缺口';
  const published = await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, urgency: 'URGENT', description, ...need } }, 'charityNeedPublish');
  expect(published.userErrors).toEqual([]);
  const needId = published.need.id;
  expect((await data(charity, CLAIM, { id: needId }, 'charityNeedClaim')).userErrors).toEqual([]);
  const p = await data(charity, PLEDGE, { input: { needId, amountFen: need.uncoveredFen, reference: `PL-${needId}` } }, 'charityPledgeCreate');
  expect(p.userErrors).toEqual([]);
  return { pledgeId: p.pledge.id, consentId: consent.consent.id, needId };
}

beforeAll(async () => {
  dbs = await createTestDatabases('charity_delivery');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  await dbs.hub.insert(person).values({ idNumber: YOUNG, name: '王小花', gender: 'F', birthDate: '2016-05-01' });
  await dbs.hub.insert(householdMember).values({ householdId: wangId, idNumber: YOUNG, relation: 'GRANDCHILD', joinedOn: '2016-05-01' });
  hub = await startTestHub(dbs, { clock: clock.now });
  const worker = await hub.createClient({ name: 'rencheng-civil-d', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  office = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' });
  const c = await hub.createClient({ name: 'charity-d', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
  charity = hub.as({ token: c.token, purpose: 'CHARITY_LINKAGE' });
  charityToken = c.token;
  const registered = await data(
    charity,
    `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { organisation { creditCode } userErrors { code } } }`,
    { input: { creditCode: ORG, name: '济宁市某慈善基金会' } },
    'charityOrganisationRegister',
  );
  expect(registered.userErrors).toEqual([]);
  const opened = await data(
    hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' }),
    `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
    { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母住院，自付费用较高', reportedAt: '2026-03-10T09:00:00+08:00', actor: { officer: 'RC-0042' } } },
    'caseOpen',
  );
  expect(opened.userErrors).toEqual([]);
  caseId = opened.case.id;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a delivery and the household’s consent', () => {
  it('a delivery dated after the household revoked its consent is refused CONSENT_REVOKED and nothing is written; one dated up to that day is recorded', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, consentId } = await pledged({ purpose: 'LIVING', uncoveredFen: 200_000, beneficiaryIdNumber: WANG.head });
    // The household revokes on Tuesday 2026-03-17; the charity reports on Thursday.
    clock.set('2026-03-17T15:00:00+08:00');
    expect(await data(office, REVOKE, { id: consentId }, 'charityConsentRevoke')).toEqual({ withdrawnNeeds: 0, userErrors: [] });
    clock.set('2026-03-19T09:00:00+08:00');
    const before = await rows('SELECT (SELECT COUNT(*) FROM charity_delivery) AS d, (SELECT COUNT(*) FROM reported_aid) AS l, (SELECT delivered_fen FROM charity_pledge WHERE id = ?) AS p', [Number(pledgeId)]);
    const after = await data(charity, DELIVER, { input: { pledgeId, amountFen: 50_000, deliveredOn: '2026-03-18', reference: 'RV-AFTER' } }, 'charityDeliveryReport');
    expect(after).toEqual({ delivery: null, replayed: false, userErrors: [{ code: 'CONSENT_REVOKED', field: ['input', 'deliveredOn'] }] });
    expect(await rows('SELECT (SELECT COUNT(*) FROM charity_delivery) AS d, (SELECT COUNT(*) FROM reported_aid) AS l, (SELECT delivered_fen FROM charity_pledge WHERE id = ?) AS p', [Number(pledgeId)])).toEqual(before);
    // Aid handed over while the consent held (on the day of the revocation at the latest) is aid
    // the household received: it is recorded and counts in its aid chain.
    const within = await data(charity, DELIVER, { input: { pledgeId, amountFen: 50_000, deliveredOn: '2026-03-17', reference: 'RV-WITHIN' } }, 'charityDeliveryReport');
    expect(within).toMatchObject({ delivery: { amountFen: 50_000 }, replayed: false, userErrors: [] });
    expect(await rows("SELECT reference, amount_fen FROM reported_aid WHERE reference LIKE 'RV-%'")).toEqual([{ reference: 'RV-WITHIN', amount_fen: 50_000 }]);
  });
});

describe('whom a delivery is recorded to', () => {
  it('a need for one member is delivered to that member: another named is BENEFICIARY_NOT_OF_NEED, and a child under 14 of a household need needs MINOR_DATA', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const forHead = await pledged({ purpose: 'LIVING', uncoveredFen: 100_000, beneficiaryIdNumber: WANG.head }, ['NEED_PUBLICATION']);
    const count = async () => (await rows('SELECT (SELECT COUNT(*) FROM charity_delivery) AS d, (SELECT COUNT(*) FROM reported_aid) AS l'))[0];
    const before = await count();
    // The charity names the grandchild (under 14, whom the consent does not cover) for the head's need.
    const other = await data(charity, DELIVER, { input: { pledgeId: forHead.pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'BN-OTHER', beneficiaryIdNumber: YOUNG } }, 'charityDeliveryReport');
    expect(other).toEqual({ delivery: null, replayed: false, userErrors: [{ code: 'BENEFICIARY_NOT_OF_NEED', field: ['input', 'beneficiaryIdNumber'] }] });
    // A household need (no one member) published while the grandchild lived elsewhere (a need of a
    // household with a child under 14 asks for MINOR_DATA at publication): the member named receives
    // it, but the child, back in the household since, only under MINOR_DATA.
    await dbs.hubPool.query("UPDATE household_member SET left_on = '2026-03-01' WHERE id_number = ?", [YOUNG]);
    const household = await pledged({ purpose: 'LIVING', uncoveredFen: 100_000 }, ['NEED_PUBLICATION']);
    await dbs.hub.insert(householdMember).values({ householdId: wangId, idNumber: YOUNG, relation: 'GRANDCHILD', joinedOn: TODAY });
    const child = await data(charity, DELIVER, { input: { pledgeId: household.pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'BN-CHILD', beneficiaryIdNumber: YOUNG } }, 'charityDeliveryReport');
    expect(child).toEqual({ delivery: null, replayed: false, userErrors: [{ code: 'MINOR_CONSENT_MISSING', field: ['input', 'beneficiaryIdNumber'] }] });
    expect(await count()).toEqual(before);
    // The need's own beneficiary, named or not, and an adult member of a household need are recorded.
    expect((await data(charity, DELIVER, { input: { pledgeId: forHead.pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'BN-HEAD', beneficiaryIdNumber: WANG.head } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect((await data(charity, DELIVER, { input: { pledgeId: household.pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'BN-SPOUSE', beneficiaryIdNumber: WANG.spouse } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    const minors = await pledged({ purpose: 'LIVING', uncoveredFen: 100_000 }, ['NEED_PUBLICATION', 'MINOR_DATA']);
    expect((await data(charity, DELIVER, { input: { pledgeId: minors.pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'BN-CHILD-OK', beneficiaryIdNumber: YOUNG } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect(await rows("SELECT reference, beneficiary_id_number AS b FROM reported_aid WHERE reference LIKE 'BN-%' ORDER BY id")).toEqual([
      { reference: 'BN-HEAD', b: WANG.head },
      { reference: 'BN-SPOUSE', b: WANG.spouse },
      { reference: 'BN-CHILD-OK', b: YOUNG },
    ]);
  });
});

describe('a delivery to a member who has died', () => {
  it('is refused BENEFICIARY_DECEASED when dated after the death the hub records, though the household still lists the member; nothing is written', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    // 王's father died on 2026-03-14; the household has not been updated and still lists him.
    const FATHER = makeIdNumber('370811', '1944-02-02', 17);
    await dbs.hub.insert(person).values({ idNumber: FATHER, name: '王德厚', gender: 'M', birthDate: '1944-02-02', deathDate: '2026-03-14' });
    await dbs.hub.insert(householdMember).values({ householdId: wangId, idNumber: FATHER, relation: 'PARENT', joinedOn: '2000-01-01' });
    const { pledgeId } = await pledged({ purpose: 'LIVING', uncoveredFen: 100_000 });
    const count = () => rows('SELECT (SELECT COUNT(*) FROM charity_delivery) AS d, (SELECT COUNT(*) FROM reported_aid) AS l');
    const before = await count();
    const refused = await data(charity, DELIVER, { input: { pledgeId, amountFen: 50_000, deliveredOn: TODAY, beneficiaryIdNumber: FATHER, reference: 'DEAD-1' } }, 'charityDeliveryReport');
    expect(refused).toEqual({ delivery: null, replayed: false, userErrors: [{ code: 'BENEFICIARY_DECEASED', field: ['input', 'beneficiaryIdNumber'] }] });
    expect(await count()).toEqual(before);
    // The living head of household received it: recorded.
    const delivered = await data(charity, DELIVER, { input: { pledgeId, amountFen: 50_000, deliveredOn: TODAY, beneficiaryIdNumber: WANG.head, reference: 'DEAD-2' } }, 'charityDeliveryReport');
    expect(delivered).toMatchObject({ delivery: { amountFen: 50_000 }, userErrors: [] });
  });

  it('is never pledged for: a need naming a member recorded dead before today is refused BENEFICIARY_DECEASED at publication, nothing written; one who died today is published', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    // Still listed in the household: published, the need's every delivery (on or after its pledge,
    // itself on or after today) was refused BENEFICIARY_DECEASED, and naming another member BENEFICIARY_NOT_OF_NEED.
    const UNCLE = makeIdNumber('370811', '1950-06-06', 19);
    const AUNT = makeIdNumber('370811', '1952-07-07', 28);
    await dbs.hub.insert(person).values([
      { idNumber: UNCLE, name: '王德明', gender: 'M', birthDate: '1950-06-06', deathDate: '2026-03-10' },
      { idNumber: AUNT, name: '赵桂芝', gender: 'F', birthDate: '1952-07-07', deathDate: TODAY },
    ]);
    await dbs.hub.insert(householdMember).values([
      { householdId: wangId, idNumber: UNCLE, relation: 'OTHER', joinedOn: '2000-01-01' },
      { householdId: wangId, idNumber: AUNT, relation: 'OTHER', joinedOn: '2000-01-01' },
    ]);
    const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
    const need = { caseId, consentId: consent.consent.id, purpose: 'MEDICAL', urgency: 'URGENT', uncoveredFen: 100_000, description: '住院自付费用较高，尚有缺口' };
    const needs = async () => (await rows('SELECT COUNT(*) AS n FROM charity_need'))[0].n;
    const before = await needs();
    const refused = await data(office, PUBLISH, { input: { ...need, beneficiaryIdNumber: UNCLE } }, 'charityNeedPublish');
    expect(refused).toEqual({ need: null, userErrors: [{ code: 'BENEFICIARY_DECEASED', field: ['input', 'beneficiaryIdNumber'] }] });
    expect(await needs()).toBe(before);
    // Aid dated on the day of death is taken, so a need of a member who died today is still deliverable.
    const today = await data(office, PUBLISH, { input: { ...need, beneficiaryIdNumber: AUNT } }, 'charityNeedPublish');
    expect(today.userErrors).toEqual([]);
  });
});

describe('a delivery in the duplicate rules', () => {
  it('a delivery tied to a hospital stay counts in X7 to the fen; what is pledged and not delivered counts nothing', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    // The grandmother's stay SETL20260110001: ¥7,010.50 out of pocket after ¥5,000.00 medical aid,
    // a burden of 1,201,050 fen of which medical aid paid 500,000.
    const { pledgeId } = await pledged({ purpose: 'MEDICAL', uncoveredFen: 1_000_000, beneficiaryIdNumber: WANG.grandmother });
    const X7 = `query($id: ID!) { household(id: $id) { findings { rule { id } measure { ... on SettlementExcess { settlementReference burdenFen aidFen excessFen } } } } }`;
    const reader = hub.as({ token: (await hub.createClient({ name: 'rencheng-health-d', department: 'HEALTH', regionScope: '370811', roles: ['READER'] })).token, purpose: 'ELIGIBILITY_REVIEW' });
    const x7 = async () => (await data(reader, X7, { id: String(wangId) }, 'household')).findings.filter((f: any) => f.rule.id === 'X7').map((f: any) => f.measure);
    // Pledged in full (1,000,000 fen, beyond the burden with medical aid): nothing delivered, nothing counted.
    expect(await x7()).toEqual([]);
    // The delivery's payload carries the conflicts it causes, as aidReport's does (the same type and
    // rules): it was recorded in silence while preGrantCheck flagged X7 and aidReport answered it.
    const DELIVER_CONFLICTS = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { amountFen } replayed conflicts { index rule { id } severity departments { code } explanation } userErrors { code } } }`;
    const deliver = (amountFen: number, reference: string) => data(charity, DELIVER_CONFLICTS, { input: { pledgeId, amountFen, deliveredOn: TODAY, reference, settlementReference: 'SETL20260110001' } }, 'charityDeliveryReport');
    // Up to the burden exactly: no excess, no conflict.
    expect(await deliver(701_050, 'X7-1')).toEqual({ delivery: { amountFen: 701_050 }, replayed: false, conflicts: [], userErrors: [] });
    expect(await x7()).toEqual([]);
    // One fen more: X7, excess 1 fen, recorded all the same (the aid was handed over) and named in the payload.
    const over = await deliver(1, 'X7-2');
    expect(over).toMatchObject({ delivery: { amountFen: 1 }, replayed: false, userErrors: [] });
    expect(over.conflicts.map((c: any) => ({ index: c.index, rule: c.rule.id, severity: c.severity, departments: c.departments.map((d: any) => d.code) }))).toEqual([{ index: 0, rule: 'X7', severity: 'CONFLICT', departments: ['CHARITY'] }]);
    expect(await x7()).toEqual([{ settlementReference: 'SETL20260110001', burdenFen: 1_201_050, aidFen: 1_201_051, excessFen: 1 }]);
    // A retry answers the same conflict (judged without its own entry, not counted twice).
    expect((await deliver(1, 'X7-2')).conflicts).toEqual(over.conflicts);
    // aidReport's dry run of the same aid by the organisation's reporting client answers the same conflict, in the same shape.
    const made = await hub.createClient({ name: 'charity-d-report', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
    await registerCharity(dbs.hub as never, 'charity-d-report', ORG, '济宁市某慈善基金会');
    const reporting = hub.as({ token: made.token, purpose: 'DUPLICATE_CHECK' });
    const dry = await reporting.gql(`mutation($input: AidReportInput!) { aidReport(input: $input) { conflicts { index rule { id } severity departments { code } explanation } userErrors { code } } }`, {
      input: { dryRun: true, records: [{ reference: 'DRY-X7', beneficiaryIdNumber: WANG.grandmother, programme: 'CHARITY_MEDICAL', grantDate: TODAY, amountFen: 1, settlementRef: 'SETL20260110001', separateAid: true }] },
    });
    expect(dry.errors).toBeUndefined();
    expect(dry.data.aidReport).toEqual({ conflicts: over.conflicts, userErrors: [] });
  });
});

describe('a delivery while a department does not answer', () => {
  it('is recorded and says its check could not read medical insurance (incompleteChecks, as aidReport says it); once it answers, the conflict it could not show', async () => {
    // Found comparing it with aidReport: with medical insurance down, the payload said nothing and its
    // empty conflicts read as none (only a DEPARTMENT_UNAVAILABLE error of the response told).
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged({ purpose: 'MEDICAL', uncoveredFen: 200_000, beneficiaryIdNumber: WANG.grandmother });
    // Nothing listens on this port (the task's range): medical insurance's database does not answer.
    const partial = await startTestHub(dbs, { clock: clock.now, sources: { HEALTH: { url: 'mysql://root@127.0.0.1:4641/nowhere' } } });
    try {
      const Q = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { amountFen } conflicts { index } incompleteChecks { index departments { code } } userErrors { code } } }`;
      const input = (reference: string) => ({ input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference, settlementReference: 'SETL20260110001' } });
      const down = await partial.as({ token: charityToken, purpose: 'CHARITY_LINKAGE' }).gql(Q, input('INC-1'));
      expect((down.errors ?? []).filter((e: any) => e.extensions?.code === 'DEPARTMENT_UNAVAILABLE').map((e: any) => e.extensions.department)).toContain('HEALTH');
      expect(down.data.charityDeliveryReport).toEqual({ delivery: { amountFen: 10_000 }, conflicts: [], incompleteChecks: [{ index: 0, departments: [{ code: 'HEALTH' }] }], userErrors: [] });
      expect(await rows("SELECT amount_fen FROM reported_aid WHERE reference = 'INC-1'")).toEqual([{ amount_fen: 10_000 }]);
      // The stay's aid is past its burden since the test above (X7): the check that could not read it
      // named no conflict, and said so; the one that could names it.
      expect(await data(charity, Q, input('INC-2'), 'charityDeliveryReport')).toEqual({ delivery: { amountFen: 10_000 }, conflicts: [{ index: 0 }], incompleteChecks: [], userErrors: [] });
    } finally {
      await partial.close();
    }
  });
});

describe('a delivery tied to a stay medical insurance does not hold', () => {
  it('is recorded (the aid was given) and says settlementUnknown: a mistyped number counts in no stay\'s sum (X7)', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged({ purpose: 'MEDICAL', uncoveredFen: 300_000, beneficiaryIdNumber: WANG.grandmother });
    const Q = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { amountFen settlementReference } replayed settlementUnknown userErrors { code } } }`;
    const deliver = async (reference: string, settlementReference: string | null) => {
      const res = await charity.gql(Q, { input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference, settlementReference } });
      expect(res.errors).toBeUndefined();
      return res.data.charityDeliveryReport;
    };
    expect(await deliver('SU-TYPO', 'SETL2026011000')).toEqual({ delivery: { amountFen: 10_000, settlementReference: 'SETL2026011000' }, replayed: false, settlementUnknown: true, userErrors: [] });
    // The retry answers the same.
    expect(await deliver('SU-TYPO', 'SETL2026011000')).toMatchObject({ replayed: true, settlementUnknown: true });
    expect(await rows("SELECT settlement_ref FROM reported_aid WHERE reference = 'SU-TYPO'")).toEqual([{ settlement_ref: 'SETL2026011000' }]);
    // The stay medical insurance holds, and aid tied to none, say nothing.
    expect(await deliver('SU-KNOWN', 'SETL20260110001')).toMatchObject({ settlementUnknown: false, userErrors: [] });
    expect(await deliver('SU-NONE', null)).toMatchObject({ settlementUnknown: false, userErrors: [] });
  });
});

describe('a pledge from a project', () => {
  it('is paid only from a project for the need’s purpose and area: another is PROJECT_NOT_MATCHING and its budget is untouched', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const CREATE = `mutation($input: CharityProjectCreateInput!) { charityProjectCreate(input: $input) { project { id } userErrors { code } } }`;
    const project = async (title: string, purpose: string, regionCode: string) => (await data(charity, CREATE, { input: { title, purpose, regionCode, budgetFen: 1_000_000, reference: `${purpose}-${regionCode}` } }, 'charityProjectCreate')).project.id as string;
    const schooling = await project('春蕾助学', 'EDUCATION', '370800');
    const elsewhere = await project('邹城市生活救助', 'LIVING', '370883');
    const living = await project('济宁市生活救助', 'LIVING', '370800');
    const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION', 'MINOR_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
    const needId = (await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, urgency: 'NORMAL', description: '家庭生活困难', purpose: 'LIVING', uncoveredFen: 300_000 } }, 'charityNeedPublish')).need.id;
    expect((await data(charity, CLAIM, { id: needId }, 'charityNeedClaim')).userErrors).toEqual([]);
    for (const projectId of [schooling, elsewhere]) {
      const r = await data(charity, PLEDGE, { input: { needId, amountFen: 100_000, projectId, reference: `PM-${projectId}` } }, 'charityPledgeCreate');
      expect({ projectId, r }).toEqual({ projectId, r: { pledge: null, userErrors: [{ code: 'PROJECT_NOT_MATCHING' }] } });
    }
    expect((await data(charity, PLEDGE, { input: { needId, amountFen: 100_000, projectId: living, reference: 'PM-LIVING' } }, 'charityPledgeCreate')).userErrors).toEqual([]);
    const budgets = await rows('SELECT id, budget_left_fen AS b FROM charity_project WHERE id IN (?, ?, ?) ORDER BY id', [Number(schooling), Number(elsewhere), Number(living)]);
    expect(budgets.map((p) => p.b)).toEqual([1_000_000, 1_000_000, 900_000]);
    expect((await rows('SELECT COUNT(*) AS n FROM charity_pledge WHERE need_id = ?', [Number(needId)]))[0].n).toBe(1);
  });
});

describe('a pledge sent again', () => {
  it('under its reference answers the first pledge (also when both arrive at once); the reference reused for another pledge is refused', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const PLEDGE_REF = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id amountFen } remainingFen replayed userErrors { code field } } }`;
    const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION', 'MINOR_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
    const needId = (await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, urgency: 'NORMAL', description: '家庭生活困难', purpose: 'LIVING', uncoveredFen: 300_000 } }, 'charityNeedPublish')).need.id;
    expect((await data(charity, CLAIM, { id: needId }, 'charityNeedClaim')).userErrors).toEqual([]);
    const input = { needId, amountFen: 300_000, reference: 'PL-2026-0001' };
    // The answer is lost and the charity's system sends it again, twice at once.
    const [a, b] = await Promise.all([data(charity, PLEDGE_REF, { input }, 'charityPledgeCreate'), data(charity, PLEDGE_REF, { input }, 'charityPledgeCreate')]);
    expect([a, b].map((r) => r.userErrors)).toEqual([[], []]);
    expect(a.pledge.id).toBe(b.pledge.id);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    // Again later, after the first covered the need: still the first pledge, not NEED_NOT_OPEN.
    const again = await data(charity, PLEDGE_REF, { input }, 'charityPledgeCreate');
    expect(again).toEqual({ pledge: { id: a.pledge.id, amountFen: 300_000 }, remainingFen: 0, replayed: true, userErrors: [] });
    const reused = await data(charity, PLEDGE_REF, { input: { ...input, amountFen: 100 } }, 'charityPledgeCreate');
    expect(reused).toEqual({ pledge: null, remainingFen: null, replayed: false, userErrors: [{ code: 'PLEDGE_REFERENCE_REUSED', field: ['input', 'reference'] }] });
    expect(await rows('SELECT COUNT(*) AS n, SUM(amount_fen) AS s FROM charity_pledge WHERE need_id = ?', [Number(needId)])).toEqual([{ n: 1, s: '300000' }]);
    expect((await rows('SELECT pledged_fen, state FROM charity_need WHERE id = ?', [Number(needId)]))[0]).toEqual({ pledged_fen: 300_000, state: 'COVERED' });
  });

  it('names a reference: without one nothing tells a retry from a second pledge, so none is taken', async () => {
    const before = await rows('SELECT COUNT(*) AS n FROM charity_pledge');
    const r = await charity.gql(`mutation($needId: ID!) { charityPledgeCreate(input: { needId: $needId, amountFen: 100 }) { replayed } }`, { needId: '1' });
    expect(r.errors?.map((e: any) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(await rows('SELECT COUNT(*) AS n FROM charity_pledge')).toEqual(before);
  });
});

describe('a need published again', () => {
  it('with its idempotency key answers the first need (also when both arrive at once); the key reused for another need is refused', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const PUBLISH_KEY = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } replayed userErrors { code field } } }`;
    const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION', 'MINOR_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
    const input = { caseId, consentId: consent.consent.id, urgency: 'NORMAL', description: '家庭生活困难，尚有缺口', purpose: 'LIVING', uncoveredFen: 250_000, idempotencyKey: 'need-0001' };
    const open = async () => Number((await rows("SELECT COUNT(*) AS n FROM charity_need WHERE consent_id = ?", [Number(consent.consent.id)]))[0].n);
    const [a, b] = await Promise.all([data(office, PUBLISH_KEY, { input }, 'charityNeedPublish'), data(office, PUBLISH_KEY, { input }, 'charityNeedPublish')]);
    expect([a.userErrors, b.userErrors]).toEqual([[], []]);
    expect(a.need.id).toBe(b.need.id);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(await data(office, PUBLISH_KEY, { input }, 'charityNeedPublish')).toEqual({ need: { id: a.need.id }, replayed: true, userErrors: [] });
    expect(await data(office, PUBLISH_KEY, { input: { ...input, uncoveredFen: 260_000 } }, 'charityNeedPublish')).toEqual({ need: null, replayed: false, userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }] });
    expect(await open()).toBe(1);
  });
});

describe('the audit trail of a delivery', () => {
  it('names the household and the member the delivery was recorded to, so the person sees who recorded aid to them', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged({ purpose: 'LIVING', uncoveredFen: 100_000 }, ['NEED_PUBLICATION', 'MINOR_DATA']);
    const auditor = hub.as({ token: (await hub.createClient({ name: 'auditor-d', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['AUDITOR'] })).token, purpose: 'AUDIT' });
    const LOG = `query($n: String!) { accessLog(idNumber: $n, first: 100) { edges { node { client { name } purpose } } } }`;
    const byCharity = async () => (await data(auditor, LOG, { n: WANG.spouse }, 'accessLog')).edges.filter((e: any) => e.node.client.name === 'charity-d').map((e: any) => e.node.purpose);
    const before = (await byCharity()).length;
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'AU-1', beneficiaryIdNumber: WANG.spouse } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect((await byCharity()).length).toBeGreaterThan(before);
    const [row] = await rows("SELECT COUNT(*) AS n FROM access_log WHERE client_name = 'charity-d' AND subject_kind = 'HOUSEHOLD' AND subject_ref = ? AND request_id IN (SELECT request_id FROM access_log WHERE client_name = 'charity-d' AND subject_kind = 'PERSON')", [String(wangId)]);
    expect(Number(row.n)).toBeGreaterThanOrEqual(1);
  });
});

describe('a delivery the ledger cannot record', () => {
  it('names the input field the ledger refused: a reference of other characters (REFERENCE_INVALID, as aidReport refuses it), a settlement on a need that is not medical', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged({ purpose: 'LIVING', uncoveredFen: 100_000, beneficiaryIdNumber: WANG.head }, ['NEED_PUBLICATION']);
    for (const [extra, code, field] of [
      [{ reference: '慈字2026第1号' }, 'REFERENCE_INVALID', 'reference'],
      [{ reference: 'NR 2' }, 'REFERENCE_INVALID', 'reference'],
      [{ reference: 'NR-2', settlementReference: 'SETL20260110001' }, 'DELIVERY_NOT_RECORDABLE', 'settlementReference'],
    ] as const) {
      const r = await data(charity, DELIVER, { input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, ...extra } }, 'charityDeliveryReport');
      expect(r).toEqual({ delivery: null, replayed: false, userErrors: [{ code, field: ['input', field] }] });
    }
    // Both at once: each named with its own code.
    const both = await data(charity, DELIVER, { input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'NR 3', settlementReference: 'SETL20260110001' } }, 'charityDeliveryReport');
    expect(both.userErrors).toEqual([{ code: 'REFERENCE_INVALID', field: ['input', 'reference'] }, { code: 'DELIVERY_NOT_RECORDABLE', field: ['input', 'settlementReference'] }]);
    expect((await rows("SELECT COUNT(*) AS n FROM charity_delivery WHERE pledge_id = ?", [Number(pledgeId)]))[0].n).toBe(0);
    // A cancellation's reference is the ledger's REVERSAL's: refused alike, the delivery left standing.
    const delivered = await data(charity, DELIVER, { input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'NR-4' } }, 'charityDeliveryReport');
    expect(delivered.userErrors).toEqual([]);
    const CANCEL = `mutation($input: CharityDeliveryCancelInput!) { charityDeliveryCancel(input: $input) { userErrors { code field } } }`;
    const cancelled = await data(charity, CANCEL, { input: { deliveryId: delivered.delivery.id, reason: '重复登记', reference: '撤销 NR-4' } }, 'charityDeliveryCancel');
    expect(cancelled.userErrors).toEqual([{ code: 'REFERENCE_INVALID', field: ['input', 'reference'] }]);
    expect((await rows("SELECT COUNT(*) AS n FROM charity_delivery WHERE pledge_id = ?", [Number(pledgeId)]))[0].n).toBe(1);
  });
});

describe('a consent recorded again', () => {
  it('with its idempotency key answers the first consent (also when both arrive at once, and after it was revoked); the key reused for another consent is refused', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const RECORD_KEY = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id revokedAt } replayed userErrors { code field } } }`;
    const input = { householdId: String(wangId), scopes: ['NEED_PUBLICATION', 'HEALTH_DATA'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042', idempotencyKey: 'consent-0001' };
    const count = async () => Number((await rows('SELECT COUNT(*) AS n FROM charity_consent WHERE household_id = ?', [wangId]))[0].n);
    const before = await count();
    const [a, b] = await Promise.all([data(office, RECORD_KEY, { input }, 'charityConsentRecord'), data(office, RECORD_KEY, { input }, 'charityConsentRecord')]);
    expect([a.userErrors, b.userErrors]).toEqual([[], []]);
    expect(a.consent.id).toBe(b.consent.id);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    // The scopes in another order are the same consent; revoked since, the retry answers it as it stands.
    await data(office, REVOKE, { id: a.consent.id }, 'charityConsentRevoke');
    const again = await data(office, RECORD_KEY, { input: { ...input, scopes: ['HEALTH_DATA', 'NEED_PUBLICATION'] } }, 'charityConsentRecord');
    expect(again).toEqual({ consent: { id: a.consent.id, revokedAt: expect.any(String) }, replayed: true, userErrors: [] });
    expect(await data(office, RECORD_KEY, { input: { ...input, expiresOn: '2026-11-30' } }, 'charityConsentRecord')).toEqual({ consent: null, replayed: false, userErrors: [{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] }] });
    expect(await count()).toBe(before + 1);
  });
});
