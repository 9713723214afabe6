/**
 * A charity corrects what it reported by mistake, through a real hub: a delivery that did not happen
 * is cancelled (charityDeliveryCancel), a wrong amount or day corrected (charityDeliveryCorrect), a
 * pledge reduced (charityPledgeReduce). Nothing is rewritten: each is a new entry superseding the
 * earlier one, in the charity's entries and in the reported-aid ledger, so the history stays while
 * the household's aid, its totals, the need's and pledge's amounts and the meeting brief show what
 * stands. Only the organisation that made an entry corrects it (any of its clients, the ledger
 * naming the one that did); a retry under the same reference answers the first; every refusal has
 * its code and writes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { parse, validate } from 'graphql';
import { buildSchema } from '../../resolvers/index';
import { makeCreditCode } from '../../domain/credit-code';
import { registerCharity } from '../../db/reported-aid/store';
import { reportedAid } from '../../db/reported-aid/schema';
import { lockOrganisation, reducePledge } from '../../db/charity/store';
import { charityNeed } from '../../db/charity/schema';
import { lockingTransaction } from '../../db/locking';
import { DELIVERY_LINKED, runDataUpgrades } from '../../db/setup/upgrades';
import { reportFile } from '../../tools/report/index';
import { createTestDatabases, lockWaits, type TestDatabases } from '../support/databases';
import { TestClock } from '../support/clock';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let caseId: string;
let office: ReturnType<TestHub['as']>;
let officeToken: string;
let charity: ReturnType<TestHub['as']>;
let charityName: string;
let charityToken: string;
let other: ReturnType<TestHub['as']>;
const ORG = makeCreditCode('53370800MJ1357924');
const OTHER_ORG = makeCreditCode('53370800MJ9753124');
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);
/** Days after TODAY (a Sunday), China time. */
const DAY1 = '2026-03-16';
const DAY2 = '2026-03-17';

const CONSENT = `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`;
const PUBLISH = `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code field } } }`;
const CLAIM = `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { claim { needId } userErrors { code } } }`;
const PLEDGE = `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } remainingFen replayed userErrors { code field } } }`;
const DELIVER = `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id amountFen } replayed userErrors { code field } } }`;
const ENTRY = 'id entryKind amountFen deliveredOn reference reason supersedesId supersededById';
const CANCEL = `mutation($input: CharityDeliveryCancelInput!) { charityDeliveryCancel(input: $input) { delivery { ${ENTRY} } superseded { ${ENTRY} } pledge { amountFen deliveredFen } replayed userErrors { code field } } }`;
const CORRECT = `mutation($input: CharityDeliveryCorrectInput!) { charityDeliveryCorrect(input: $input) { delivery { ${ENTRY} } superseded { ${ENTRY} } pledge { amountFen deliveredFen } replayed userErrors { code field } } }`;
const REDUCE = `mutation($input: CharityPledgeReduceInput!) { charityPledgeReduce(input: $input) { pledge { id amountFen deliveredFen reductions { amountBeforeFen amountAfterFen reason reference } } remainingFen replayed userErrors { code field } } }`;
const OF_CASE = `query($id: ID!) { charityNeedsOfCase(caseId: $id) { id state pledgedFen deliveredFen deliveries { reference amountFen } deliveryHistory { reference entryKind amountFen supersededById } } }`;

async function data(as: ReturnType<TestHub['as']>, query: string, variables: Record<string, unknown>, field: string) {
  const res = await as.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data[field];
}

const rows = async (sql: string, params: unknown[] = []) => (await dbs.hubPool.query(sql, params))[0] as any[];
/** Everything a correction could write: the charity's entries, the ledger, pledges, needs, reductions, projects. */
const everything = async () =>
  rows(
    `SELECT (SELECT COUNT(*) FROM charity_delivery) AS d, (SELECT COUNT(*) FROM reported_aid) AS l, (SELECT COUNT(*) FROM reported_aid WHERE superseded_by IS NULL) AS ls,
      (SELECT COALESCE(SUM(delivered_fen), 0) FROM charity_pledge) AS pd, (SELECT COALESCE(SUM(amount_fen), 0) FROM charity_pledge) AS pa,
      (SELECT COALESCE(SUM(delivered_fen), 0) FROM charity_need) AS nd, (SELECT COALESCE(SUM(pledged_fen), 0) FROM charity_need) AS np,
      (SELECT COUNT(*) FROM charity_pledge_reduction) AS r, (SELECT COALESCE(SUM(budget_left_fen), 0) FROM charity_project) AS b`,
  );

/** A consent, a LIVING need for the head under it, claimed and pledged in full: the pledge's and need's ids. */
async function pledged(uncoveredFen: number, reference: string, projectId?: string): Promise<{ pledgeId: string; needId: string }> {
  const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
  const published = await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, purpose: 'LIVING', urgency: 'NORMAL', description: '家庭生活困难，尚有缺口', uncoveredFen, beneficiaryIdNumber: WANG.head } }, 'charityNeedPublish');
  expect(published.userErrors).toEqual([]);
  const needId = published.need.id;
  expect((await data(charity, CLAIM, { id: needId }, 'charityNeedClaim')).userErrors).toEqual([]);
  const p = await data(charity, PLEDGE, { input: { needId, amountFen: uncoveredFen, reference, ...(projectId ? { projectId } : {}) } }, 'charityPledgeCreate');
  expect(p.userErrors).toEqual([]);
  return { pledgeId: p.pledge.id, needId };
}

async function register(as: ReturnType<TestHub['as']>, creditCode: string, name: string) {
  const r = await data(as, `mutation($input: CharityOrganisationRegisterInput!) { charityOrganisationRegister(input: $input) { userErrors { code } } }`, { input: { creditCode, name } }, 'charityOrganisationRegister');
  expect(r.userErrors).toEqual([]);
}

/** The household's charity aid as an office reads it, and the summary's charity total. */
async function householdCharityAid() {
  const seen = await hub.as({ token: officeToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(
    `query($id: ID!) { household(id: $id) { aid { programme { code } amountFen grantDate status } aidSummary(from: "2026-01-01", to: "2026-12-31") { totalFen byDepartment { department { code } totalFen recordCount } } } }`,
    { id: String(wangId) },
  );
  expect(seen.errors).toBeUndefined();
  const h = seen.data.household;
  return {
    aid: h.aid.filter((a: any) => a.programme.code.startsWith('CHARITY_')).map((a: any) => `${a.status} ${a.amountFen} ${a.grantDate}`).sort(),
    charityTotal: h.aidSummary.byDepartment.find((d: any) => d.department.code === 'CHARITY') ?? null,
  };
}

beforeAll(async () => {
  dbs = await createTestDatabases('charity_corrections');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { clock: clock.now });
  const worker = await hub.createClient({ name: 'rencheng-civil-c', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  officeToken = worker.token;
  office = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' });
  charityName = 'charity-c';
  const c = await hub.createClient({ name: charityName, department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
  charityToken = c.token;
  charity = hub.as({ token: c.token, purpose: 'CHARITY_LINKAGE' });
  other = hub.as({ token: (await hub.createClient({ name: 'charity-c-other', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] })).token, purpose: 'CHARITY_LINKAGE' });
  await register(charity, ORG, '济宁市某慈善基金会');
  await register(other, OTHER_ORG, '济宁市另一慈善会');
  const opened = await data(
    hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' }),
    `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
    { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '户主之母住院，自付费用较高', reportedAt: '2026-03-10T09:00:00+08:00', actor: { officer: 'RC-0042' } } },
    'caseOpen',
  );
  caseId = opened.case.id;
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a delivery that did not happen', () => {
  it('is cancelled by a REVERSAL entry: the ledger keeps both, the household’s aid and totals, the need, the pledge and the meeting brief count nothing; a retry answers the first', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(200_000, 'PL-CX');
    const reported = await data(charity, DELIVER, { input: { pledgeId, amountFen: 50_000, deliveredOn: TODAY, reference: 'CX-1' } }, 'charityDeliveryReport');
    expect(reported.userErrors).toEqual([]);
    expect(await householdCharityAid()).toEqual({ aid: [`PAID 50000 ${TODAY}`], charityTotal: { department: { code: 'CHARITY' }, totalFen: 50_000, recordCount: 1 } });
    const deliveryId = reported.delivery.id;

    clock.set(`${DAY1}T09:00:00+08:00`);
    const input = { deliveryId, reason: '重复录入，未实际发放', reference: 'CX-1-R' };
    const cancelled = await data(charity, CANCEL, { input }, 'charityDeliveryCancel');
    expect(cancelled).toEqual({
      delivery: { id: expect.any(String), entryKind: 'REVERSAL', amountFen: 0, deliveredOn: TODAY, reference: 'CX-1-R', reason: '重复录入，未实际发放', supersedesId: deliveryId, supersededById: null },
      superseded: { id: deliveryId, entryKind: 'DELIVERY', amountFen: 50_000, deliveredOn: TODAY, reference: 'CX-1', reason: null, supersedesId: null, supersededById: cancelled.delivery.id },
      pledge: { amountFen: 200_000, deliveredFen: 0 },
      replayed: false,
      userErrors: [],
    });
    // The ledger: the delivery as it was, superseded by the reversal; nothing rewritten.
    expect(await rows("SELECT reference, entry_kind, supersedes_reference, amount_fen, grant_date, need_id, (superseded_by IS NOT NULL) AS superseded FROM reported_aid WHERE reference LIKE 'CX-1%' ORDER BY id")).toEqual([
      { reference: 'CX-1', entry_kind: 'AID', supersedes_reference: null, amount_fen: 50_000, grant_date: TODAY, need_id: needId, superseded: 1 },
      { reference: 'CX-1-R', entry_kind: 'REVERSAL', supersedes_reference: 'CX-1', amount_fen: 0, grant_date: TODAY, need_id: needId, superseded: 0 },
    ]);
    // The household holds no such aid: the standing entry reads cancelled, 0 fen, and counts nothing.
    expect(await householdCharityAid()).toEqual({ aid: [`CANCELLED 0 ${TODAY}`], charityTotal: null });
    const need = (await data(office, OF_CASE, { id: caseId }, 'charityNeedsOfCase')).find((n: any) => n.id === needId);
    expect(need).toEqual({
      id: needId,
      state: 'COVERED',
      pledgedFen: 200_000,
      deliveredFen: 0,
      deliveries: [],
      deliveryHistory: [
        { reference: 'CX-1', entryKind: 'DELIVERY', amountFen: 50_000, supersededById: cancelled.delivery.id },
        { reference: 'CX-1-R', entryKind: 'REVERSAL', amountFen: 0, supersededById: null },
      ],
    });

    // A retry after a lost answer, and two at once: the same entry, nothing new.
    const before = await everything();
    const retries = await Promise.all([data(charity, CANCEL, { input }, 'charityDeliveryCancel'), data(charity, CANCEL, { input }, 'charityDeliveryCancel')]);
    for (const r of retries) expect(r).toMatchObject({ delivery: { id: cancelled.delivery.id }, replayed: true, userErrors: [] });
    // Refused, each with its code, nothing written: the reference for another request, the entry
    // cancelled already (cancelled, as the cancellation itself: its chain ends in one), another
    // organisation's delivery, an empty reason.
    const refusals: [ReturnType<TestHub['as']>, Record<string, unknown>, string, string[]][] = [
      [charity, { ...input, reason: '另一原因' }, 'DELIVERY_REFERENCE_REUSED', ['input', 'reference']],
      [charity, { ...input, reference: 'CX-1' }, 'DELIVERY_REFERENCE_REUSED', ['input', 'reference']],
      [charity, { ...input, reference: 'CX-1-R2' }, 'DELIVERY_CANCELLED', ['input', 'deliveryId']],
      [charity, { ...input, deliveryId: cancelled.delivery.id, reference: 'CX-1-R3' }, 'DELIVERY_CANCELLED', ['input', 'deliveryId']],
      [other, { ...input, reference: 'OT-1' }, 'DELIVERY_NOT_FOUND', ['input', 'deliveryId']],
      [charity, { ...input, reference: 'CX-1-R4', reason: '  ' }, 'TEXT_REQUIRED', ['input', 'reason']],
    ];
    for (const [as, asked, code, field] of refusals) {
      const r = await data(as, CANCEL, { input: asked }, 'charityDeliveryCancel');
      expect({ asked, r }).toEqual({ asked, r: { delivery: null, superseded: null, pledge: null, replayed: false, userErrors: [{ code, field }] } });
    }
    // Nor is the cancelled delivery corrected: it was not delivered, so a delivery that did happen is reported anew.
    const correction = await data(charity, CORRECT, { input: { deliveryId, amountFen: 40_000, reason: '实际发放400元', reference: 'CX-1-C' } }, 'charityDeliveryCorrect');
    expect(correction).toEqual({ delivery: null, superseded: null, pledge: null, replayed: false, userErrors: [{ code: 'DELIVERY_CANCELLED', field: ['input', 'deliveryId'] }] });
    // A delivery report under the cancellation's reference is another delivery: refused.
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 0 + 1, deliveredOn: TODAY, reference: 'cx-1-r' } }, 'charityDeliveryReport')).userErrors).toEqual([{ code: 'DELIVERY_REFERENCE_REUSED', field: ['input', 'reference'] }]);
    expect(await everything()).toEqual(before);

    // What the pledge has undelivered is the whole of it again: the real delivery is reported anew.
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 200_000, deliveredOn: DAY1, reference: 'CX-2' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect(await householdCharityAid()).toEqual({ aid: [`CANCELLED 0 ${TODAY}`, `PAID 200000 ${DAY1}`], charityTotal: { department: { code: 'CHARITY' }, totalFen: 200_000, recordCount: 1 } });
  });
});

describe('a delivery of a wrong amount or day', () => {
  it('is corrected by a CORRECTION entry: the ledger, the household’s aid and the need show the corrected amount and day only; out-of-bounds corrections are refused and write nothing', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(100_000, 'PL-CR');
    clock.set(`${DAY2}T10:00:00+08:00`);
    const reported = await data(charity, DELIVER, { input: { pledgeId, amountFen: 100_000, deliveredOn: DAY2, reference: 'CR-1' } }, 'charityDeliveryReport');
    const deliveryId = reported.delivery.id;
    const before = await everything();
    const refusals: [Record<string, unknown>, string, string[]][] = [
      [{ amountFen: 100_001 }, 'OVER_DELIVERED', ['input', 'amountFen']],
      [{ amountFen: 0 }, 'AMOUNT_NOT_POSITIVE', ['input', 'amountFen']],
      [{ amountFen: 100_000, deliveredOn: DAY2 }, 'CORRECTION_CHANGES_NOTHING', ['input']],
      [{}, 'CORRECTION_CHANGES_NOTHING', ['input']],
      [{ deliveredOn: '2026-03-18' }, 'DELIVERY_IN_FUTURE', ['input', 'deliveredOn']],
      [{ deliveredOn: '2026-03-14' }, 'DELIVERY_BEFORE_PLEDGE', ['input', 'deliveredOn']],
    ];
    for (const [change, code, field] of refusals) {
      const r = await data(charity, CORRECT, { input: { deliveryId, reason: '金额录入错误', reference: `CR-BAD-${code}`, ...change } }, 'charityDeliveryCorrect');
      expect({ change, r }).toEqual({ change, r: { delivery: null, superseded: null, pledge: null, replayed: false, userErrors: [{ code, field }] } });
    }
    expect(await everything()).toEqual(before);

    const input = { deliveryId, amountFen: 80_000, deliveredOn: DAY1, reason: '实际发放8000元，日期录错', reference: 'CR-1-C' };
    const corrected = await data(charity, CORRECT, { input }, 'charityDeliveryCorrect');
    expect(corrected).toMatchObject({
      delivery: { entryKind: 'CORRECTION', amountFen: 80_000, deliveredOn: DAY1, reference: 'CR-1-C', supersedesId: deliveryId, supersededById: null },
      superseded: { id: deliveryId, amountFen: 100_000, deliveredOn: DAY2, supersededById: corrected.delivery.id },
      pledge: { amountFen: 100_000, deliveredFen: 80_000 },
      replayed: false,
      userErrors: [],
    });
    expect(await data(charity, CORRECT, { input }, 'charityDeliveryCorrect')).toMatchObject({ delivery: { id: corrected.delivery.id }, replayed: true, userErrors: [] });
    expect(await rows("SELECT reference, entry_kind, supersedes_reference, amount_fen, grant_date, (superseded_by IS NOT NULL) AS superseded FROM reported_aid WHERE reference LIKE 'CR-1%' ORDER BY id")).toEqual([
      { reference: 'CR-1', entry_kind: 'AID', supersedes_reference: null, amount_fen: 100_000, grant_date: DAY2, superseded: 1 },
      { reference: 'CR-1-C', entry_kind: 'CORRECTION', supersedes_reference: 'CR-1', amount_fen: 80_000, grant_date: DAY1, superseded: 0 },
    ]);
    expect((await householdCharityAid()).aid).toContain(`PAID 80000 ${DAY1}`);
    expect((await householdCharityAid()).aid).not.toContain(`PAID 100000 ${DAY2}`);
    // A correction of the correction: it stands now, and the first correction is history.
    const again = await data(charity, CORRECT, { input: { deliveryId: corrected.delivery.id, amountFen: 90_000, reason: '补记1000元', reference: 'CR-1-C2' } }, 'charityDeliveryCorrect');
    expect(again).toMatchObject({ delivery: { amountFen: 90_000, deliveredOn: DAY1 }, pledge: { deliveredFen: 90_000 }, userErrors: [] });
    const need = (await data(office, OF_CASE, { id: caseId }, 'charityNeedsOfCase')).find((n: any) => n.id === needId);
    expect(need).toMatchObject({ deliveredFen: 90_000, deliveries: [{ reference: 'CR-1-C2', amountFen: 90_000 }] });
    expect(need.deliveryHistory.map((d: any) => `${d.entryKind} ${d.reference} ${d.amountFen} ${d.supersededById === null ? 'stands' : 'superseded'}`)).toEqual([
      'DELIVERY CR-1 100000 superseded',
      'CORRECTION CR-1-C 80000 superseded',
      'CORRECTION CR-1-C2 90000 stands',
    ]);

    // The meeting brief prints what stands: ¥900.00 on DAY1, not ¥1,000.00 nor ¥800.00.
    const brief = await fetch(`${hub.url}/cases/${caseId}/brief`, { headers: hub.as({ token: officeToken, purpose: 'CASE_MEETING' }).headers });
    expect(brief.status).toBe(200);
    const html = await brief.text();
    const printed = html.slice(html.indexOf('<h2>慈善衔接</h2>'));
    expect(printed).toContain(`<span class="nw">900.00 元</span> <span class="nw">${DAY1}</span>`);
    expect(printed).not.toContain(`<span class="nw">1000.00 元</span> <span class="nw">${DAY2}</span>`);
    expect(printed).not.toContain(`<span class="nw">800.00 元</span> <span class="nw">${DAY1}</span>`);
    // The cancelled ¥500.00 of the first test is not printed as delivered either.
    expect(printed).not.toContain(`<span class="nw">500.00 元</span> <span class="nw">${TODAY}</span>`);
  });
});

describe('a pledge too large', () => {
  it('is reduced, not below what is delivered: the need opens again, the project gets the difference back, the history is kept; a retry answers the first', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const project = await data(charity, `mutation($input: CharityProjectCreateInput!) { charityProjectCreate(input: $input) { project { id } userErrors { code } } }`, { input: { title: '济宁市生活救助', purpose: 'LIVING', regionCode: '370800', budgetFen: 1_000_000, reference: 'LIVING-2026' } }, 'charityProjectCreate');
    const { pledgeId, needId } = await pledged(300_000, 'PL-RD', project.project.id);
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 100_000, deliveredOn: TODAY, reference: 'RD-D1' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    const before = await everything();
    const refusals: [ReturnType<TestHub['as']>, Record<string, unknown>, string, string[]][] = [
      [charity, { amountFen: 99_999 }, 'PLEDGE_BELOW_DELIVERED', ['input', 'amountFen']],
      [charity, { amountFen: 300_000 }, 'PLEDGE_NOT_REDUCED', ['input', 'amountFen']],
      [charity, { amountFen: -1 }, 'AMOUNT_NEGATIVE', ['input', 'amountFen']],
      [other, { amountFen: 150_000 }, 'PLEDGE_NOT_FOUND', ['input', 'pledgeId']],
    ];
    for (const [as, change, code, field] of refusals) {
      const r = await as.gql(REDUCE, { input: { pledgeId, reason: '资金调整', reference: `RD-BAD-${code}`, ...change } });
      // A negative amount may be refused by the Fen scalar itself; either way with a stable code and nothing written.
      if (r.errors) expect({ change, code: r.errors[0].extensions?.code }).toEqual({ change, code: 'BAD_USER_INPUT' });
      else expect({ change, r: r.data.charityPledgeReduce }).toEqual({ change, r: { pledge: null, remainingFen: null, replayed: false, userErrors: [{ code, field }] } });
    }
    expect(await everything()).toEqual(before);

    const input = { pledgeId, amountFen: 150_000, reason: '项目资金不足，认捐减少', reference: 'RD-1' };
    const reduced = await data(charity, REDUCE, { input }, 'charityPledgeReduce');
    expect(reduced).toEqual({
      pledge: { id: pledgeId, amountFen: 150_000, deliveredFen: 100_000, reductions: [{ amountBeforeFen: 300_000, amountAfterFen: 150_000, reason: '项目资金不足，认捐减少', reference: 'RD-1' }] },
      remainingFen: 150_000,
      replayed: false,
      userErrors: [],
    });
    const after = await everything();
    const retries = await Promise.all([data(charity, REDUCE, { input }, 'charityPledgeReduce'), data(charity, REDUCE, { input }, 'charityPledgeReduce')]);
    for (const r of retries) expect(r).toEqual({ ...reduced, replayed: true });
    expect((await data(charity, REDUCE, { input: { ...input, amountFen: 140_000 } }, 'charityPledgeReduce')).userErrors).toEqual([{ code: 'PLEDGE_REFERENCE_REUSED', field: ['input', 'reference'] }]);
    expect(await everything()).toEqual(after);
    // The need, covered before, is open again for the 150,000 fen no one pledges now; the project has it back.
    expect((await rows('SELECT state, closed_at, pledged_fen, delivered_fen FROM charity_need WHERE id = ?', [Number(needId)]))[0]).toEqual({ state: 'OPEN', closed_at: null, pledged_fen: 150_000, delivered_fen: 100_000 });
    expect((await rows('SELECT budget_left_fen AS b FROM charity_project WHERE id = ?', [Number(project.project.id)]))[0].b).toBe(1_000_000 - 150_000);
    // Delivering beyond the reduced pledge is refused as beyond any pledge.
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 50_001, deliveredOn: TODAY, reference: 'RD-D2' } }, 'charityDeliveryReport')).userErrors).toEqual([{ code: 'OVER_DELIVERED', field: ['input', 'amountFen'] }]);
  });
});

describe('two corrections of one delivery at once', () => {
  it('one lands and the other is refused, DELIVERY_SUPERSEDED by the correction or DELIVERY_CANCELLED by the cancellation: the need, the pledge and the ledger count the one that stands', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(100_000, 'PL-RACE');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 60_000, deliveredOn: TODAY, reference: 'RACE-D' } }, 'charityDeliveryReport')).delivery.id;
    const [cancel, correct] = await Promise.all([
      data(charity, CANCEL, { input: { deliveryId, reason: '未发放', reference: 'RACE-D-R' } }, 'charityDeliveryCancel'),
      data(charity, CORRECT, { input: { deliveryId, amountFen: 40_000, reason: '金额有误', reference: 'RACE-D-C' } }, 'charityDeliveryCorrect'),
    ]);
    const codes = [cancel, correct].map((r) => r.userErrors.map((e: any) => e.code).join() || 'OK');
    const standing = cancel.userErrors.length === 0 ? 0 : 40_000;
    expect(codes).toEqual(standing === 0 ? ['OK', 'DELIVERY_CANCELLED'] : ['DELIVERY_SUPERSEDED', 'OK']);
    expect((await rows('SELECT delivered_fen FROM charity_need WHERE id = ?', [Number(needId)]))[0].delivered_fen).toBe(standing);
    expect((await rows('SELECT delivered_fen FROM charity_pledge WHERE id = ?', [Number(pledgeId)]))[0].delivered_fen).toBe(standing);
    expect(await rows("SELECT reference, amount_fen FROM reported_aid WHERE reference LIKE 'RACE-D%' AND superseded_by IS NULL")).toEqual([{ reference: standing === 0 ? 'RACE-D-R' : 'RACE-D-C', amount_fen: standing }]);
    expect((await rows("SELECT COUNT(*) AS n FROM charity_delivery WHERE reference LIKE 'RACE-D%'"))[0].n).toBe(2);
  });
});

describe('a pledge reduced after the household revoked its consent', () => {
  it('does not open the need it covered under the revoked consent: the need is withdrawn, CONSENT_REVOKED', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(100_000, 'PL-REVOKED');
    const [need] = await rows('SELECT consent_id, state FROM charity_need WHERE id = ?', [Number(needId)]);
    expect(need.state).toBe('COVERED');
    expect((await data(office, `mutation($id: ID!) { charityConsentRevoke(input: { consentId: $id }) { withdrawnNeeds userErrors { code } } }`, { id: String(need.consent_id) }, 'charityConsentRevoke')).userErrors).toEqual([]);
    expect((await data(charity, REDUCE, { input: { pledgeId, amountFen: 50_000, reason: '资金调整', reference: 'RD-REVOKED' } }, 'charityPledgeReduce')).userErrors).toEqual([]);
    expect((await rows('SELECT state, close_reason, pledged_fen FROM charity_need WHERE id = ?', [Number(needId)]))[0]).toEqual({ state: 'WITHDRAWN', close_reason: 'CONSENT_REVOKED', pledged_fen: 50_000 });
  });
});

describe('an organisation with two clients', () => {
  it('records each correction in the ledger under the client that made it, superseding the other client’s entry; the history runs across them', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const second = await hub.createClient({ name: 'charity-c-2', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
    const charity2 = hub.as({ token: second.token, purpose: 'CHARITY_LINKAGE' });
    await register(charity2, ORG, '济宁市某慈善基金会');
    const { pledgeId } = await pledged(100_000, 'PL-TWO');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 60_000, deliveredOn: TODAY, reference: 'TWO-D' } }, 'charityDeliveryReport')).delivery.id;
    // The second client corrects the first's delivery (the organisation is the same); another organisation still cannot.
    const input = { deliveryId, amountFen: 50_000, reason: '金额有误', reference: 'TWO-D-C' };
    expect((await data(other, CORRECT, { input: { ...input, reference: 'OT-TWO' } }, 'charityDeliveryCorrect')).userErrors).toEqual([{ code: 'DELIVERY_NOT_FOUND', field: ['input', 'deliveryId'] }]);
    const corrected = await data(charity2, CORRECT, { input }, 'charityDeliveryCorrect');
    expect(corrected).toMatchObject({ delivery: { reference: 'TWO-D-C', amountFen: 50_000, supersedesId: deliveryId }, replayed: false, userErrors: [] });
    expect(await data(charity2, CORRECT, { input }, 'charityDeliveryCorrect')).toMatchObject({ delivery: { id: corrected.delivery.id }, replayed: true, userErrors: [] });
    // The household's aid names who reported what stands: the correcting client.
    const seen = await hub.as({ token: officeToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(`query($id: ID!) { household(id: $id) { aid { amountFen reportedBy { clientName creditCode reference } } } }`, { id: String(wangId) });
    expect(seen.data.household.aid.filter((a: any) => a.reportedBy?.reference.startsWith('TWO-D'))).toEqual([{ amountFen: 50_000, reportedBy: { clientName: 'charity-c-2', creditCode: ORG, reference: 'TWO-D-C' } }]);
    // And back: the first client cancels the second's correction.
    expect((await data(charity, CANCEL, { input: { deliveryId: corrected.delivery.id, reason: '未实际发放', reference: 'TWO-D-R' } }, 'charityDeliveryCancel')).userErrors).toEqual([]);
    const ledger = await rows("SELECT id, reporter_client AS client, reporter_credit_code AS org, reference, entry_kind AS kind, supersedes_reference AS supersedes, superseded_by FROM reported_aid WHERE reference LIKE 'TWO-D%' ORDER BY id");
    expect(ledger).toEqual([
      { id: ledger[0].id, client: charityName, org: ORG, reference: 'TWO-D', kind: 'AID', supersedes: null, superseded_by: ledger[1].id },
      { id: ledger[1].id, client: 'charity-c-2', org: ORG, reference: 'TWO-D-C', kind: 'CORRECTION', supersedes: 'TWO-D', superseded_by: ledger[2].id },
      { id: ledger[2].id, client: charityName, org: ORG, reference: 'TWO-D-R', kind: 'REVERSAL', supersedes: 'TWO-D-C', superseded_by: null },
    ]);
    expect(await rows("SELECT reference, recorded_by_client AS client FROM charity_delivery WHERE reference LIKE 'TWO-D%' ORDER BY id")).toEqual([
      { reference: 'TWO-D', client: null },
      { reference: 'TWO-D-C', client: 'charity-c-2' },
      { reference: 'TWO-D-R', client: charityName },
    ]);
    // A pledge reduced by the second client is its reduction.
    expect((await data(charity2, REDUCE, { input: { pledgeId, amountFen: 40_000, reason: '资金调整', reference: 'TWO-RD' } }, 'charityPledgeReduce')).userErrors).toEqual([]);
    expect(await rows("SELECT recorded_by_client AS client FROM charity_pledge_reduction WHERE reference = 'TWO-RD'")).toEqual([{ client: 'charity-c-2' }]);
    // Each client reads the whole chain back, whichever of its entries it names (a client made
    // with DEPARTMENT_WRITER beside CHARITY, as the next test's, reads its history).
    await dbs.hubPool.query("UPDATE api_client SET roles = 'CHARITY,DEPARTMENT_WRITER' WHERE name IN (?, 'charity-c-2')", [charityName]);
    try {
      const HISTORY = `query($r: String!) { reportedAidHistory(reference: $r) { reference entryKind superseded } }`;
      const chain = [{ reference: 'TWO-D', entryKind: 'AID', superseded: true }, { reference: 'TWO-D-C', entryKind: 'CORRECTION', superseded: true }, { reference: 'TWO-D-R', entryKind: 'REVERSAL', superseded: false }];
      for (const [token, r] of [[charityToken, 'TWO-D'], [second.token, 'TWO-D-C'], [charityToken, 'two-d-r']]) {
        const res = await hub.as({ token, purpose: 'DUPLICATE_CHECK' }).gql(HISTORY, { r });
        expect({ r, errors: res.errors, history: res.data?.reportedAidHistory }).toEqual({ r, errors: undefined, history: chain });
      }
      // Another client's reference finds the organisation's chain too (the second client holds no entry under TWO-D).
      expect((await hub.as({ token: second.token, purpose: 'DUPLICATE_CHECK' }).gql(HISTORY, { r: 'TWO-D' })).data.reportedAidHistory).toEqual(chain);
    } finally {
      await dbs.hubPool.query("UPDATE api_client SET roles = 'CHARITY' WHERE name IN (?, 'charity-c-2')", [charityName]);
    }
  });
});

describe('aidReport and a corrected delivery’s ledger entry', () => {
  it('is refused SUPERSEDES_CHARITY_DELIVERY: the correction’s entry changes only with the delivery, however its reference is cased', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged(100_000, 'PL-AR');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 10_000, deliveredOn: TODAY, reference: 'AR-D' } }, 'charityDeliveryReport')).delivery.id;
    expect((await data(charity, CORRECT, { input: { deliveryId, amountFen: 20_000, reason: '金额有误', reference: 'AR-DELIVERY-1' } }, 'charityDeliveryCorrect')).userErrors).toEqual([]);
    // A client made before CHARITY was held alone (access-clients test), its roles written as they were then.
    await dbs.hubPool.query("UPDATE api_client SET roles = 'CHARITY,DEPARTMENT_WRITER' WHERE name = ?", [charityName]);
    try {
      const REPORT = `mutation($input: AidReportInput!) { aidReport(input: $input) { recorded userErrors { index code field } } }`;
      const reversal = { reference: 'AR-DELIVERY-1-R', entryKind: 'REVERSAL', supersedesReference: 'ar-delivery-1', beneficiaryIdNumber: WANG.head, programme: 'CHARITY_JISHIJIU_99', grantDate: TODAY, amountFen: 0 };
      const res = await hub.as({ token: charityToken, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { input: { records: [reversal] } });
      expect(res.errors).toBeUndefined();
      expect(res.data.aidReport).toEqual({ recorded: 0, userErrors: [{ index: 0, code: 'SUPERSEDES_CHARITY_DELIVERY', field: 'supersedesReference' }] });
      expect(await rows("SELECT reference, superseded_by FROM reported_aid WHERE reference LIKE 'AR-DELIVERY%'")).toEqual([{ reference: 'AR-DELIVERY-1', superseded_by: null }]);
    } finally {
      await dbs.hubPool.query("UPDATE api_client SET roles = 'CHARITY' WHERE name = ?", [charityName]);
    }
  });
});

describe('one organisation’s aid through two paths: a delivery (linkage client) and aidReport (reporting client)', () => {
  const REPORT = `mutation($input: AidReportInput!) { aidReport(input: $input) { recorded alreadyRecorded userErrors { index code field message } } }`;
  const HISTORY = `query($r: String!) { reportedAidHistory(reference: $r) { reference entryKind amountFen } }`;
  let reporter: ReturnType<TestHub['as']>;
  let reporter2: ReturnType<TestHub['as']>;
  let otherReporter: ReturnType<TestHub['as']>;
  const aid = (reference: string, amountFen: number, grantDate: string, extra: Record<string, unknown> = {}) => ({ reference, beneficiaryIdNumber: WANG.head, programme: 'CHARITY_JISHIJIU_99', grantDate, amountFen, ...extra });
  const ledgerCount = async () => (await rows('SELECT COUNT(*) AS n FROM reported_aid'))[0].n;
  /** The data upgrade linking ledger rows to their delivery entries, run again as a start runs it: its tally (none when it changed and counted nothing). */
  const linkingUpgrade = async () => {
    await rows('UPDATE data_upgrade SET finished_at = NULL, resume_after = 0, rows_changed = 0 WHERE name = ?', [DELIVERY_LINKED]);
    return (await runDataUpgrades(dbs.hub, { batch: 7 })).find((u) => u.upgrade === DELIVERY_LINKED)?.tally;
  };

  beforeAll(async () => {
    // The organisation's reporting clients (DEPARTMENT_WRITER, aidReport), bound by the operator's tool, and another organisation's.
    const made = async (name: string, org: string, orgName: string) => {
      const c = await hub.createClient({ name, department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
      await registerCharity(dbs.hub as never, name, org, orgName);
      return hub.as({ token: c.token, purpose: 'DUPLICATE_CHECK' });
    };
    reporter = await made('charity-c-report', ORG, '济宁市某慈善基金会');
    reporter2 = await made('charity-c-report-2', ORG, '济宁市某慈善基金会');
    otherReporter = await made('charity-c-other-report', OTHER_ORG, '济宁市另一慈善会');
  });

  it('delivery first: the same aid sent again with aidReport is refused SAME_AS_CHARITY_DELIVERY naming the delivery, and counted once; separateAid records it as other aid', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged(123_400, 'PL-2P-1');
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 123_400, deliveredOn: TODAY, reference: '2P-D1' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    const before = await householdCharityAid();
    const n = await ledgerCount();
    // The same day, and three days before (a file dated by payment): the same handover.
    for (const grantDate of [TODAY, '2026-03-12']) {
      const res = await data(reporter, REPORT, { input: { records: [aid('CS-2P-1', 123_400, grantDate)] } }, 'aidReport');
      expect(res).toMatchObject({ recorded: 0, userErrors: [{ index: 0, code: 'SAME_AS_CHARITY_DELIVERY', field: 'reference' }] });
      expect(res.userErrors[0].message).toContain('2P-D1');
    }
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-2P-1', 123_400, TODAY)], dryRun: true } }, 'aidReport')).userErrors.map((e: any) => e.code)).toEqual(['SAME_AS_CHARITY_DELIVERY']);
    expect(await ledgerCount()).toBe(n);
    expect(await householdCharityAid()).toEqual(before);
    // Another organisation's report of the same sum is its own aid; other amounts, other people, far-off days are not matched.
    expect((await data(otherReporter, REPORT, { input: { records: [aid('OT-2P-1', 123_400, TODAY)] } }, 'aidReport')).userErrors).toEqual([]);
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-2P-2', 123_401, TODAY), aid('CS-2P-3', 123_400, '2026-03-01'), aid('CS-2P-4', 123_400, TODAY, { beneficiaryIdNumber: WANG.spouse })] } }, 'aidReport')).userErrors).toEqual([]);
    // Stated separate, it is recorded; its retry without the statement is the retry it is.
    expect(await data(reporter, REPORT, { input: { records: [aid('CS-2P-1', 123_400, TODAY, { separateAid: true })] } }, 'aidReport')).toMatchObject({ recorded: 1, userErrors: [] });
    expect(await data(reporter, REPORT, { input: { records: [aid('CS-2P-1', 123_400, TODAY)] } }, 'aidReport')).toMatchObject({ recorded: 0, alreadyRecorded: 1, userErrors: [] });
  });

  it('npm run report: a file says separate aid in its separate_aid column (是/否, yes/no, true/false, 1/0), and a cell of another kind is FLAG_INVALID by line', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged(45_600, 'PL-2P-F');
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 45_600, deliveredOn: TODAY, reference: '2P-DF' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    const { token } = await hub.createClient({ name: 'charity-c-report-file', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
    await registerCharity(dbs.hub as never, 'charity-c-report-file', ORG, '济宁市某慈善基金会');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-separate-aid-'));
    const send = (cell: string) => {
      const f = path.join(dir, 'aid.csv');
      fs.writeFileSync(f, `reference,beneficiary_id_number,programme,grant_date,amount_fen,separate_aid\nCS-2P-F,${WANG.head},CHARITY_JISHIJIU_99,${TODAY},45600,${cell}\n`);
      return reportFile(hub.url, token, f);
    };
    try {
      const n = await ledgerCount();
      for (const cell of ['', '否', 'FALSE', '0']) expect((await send(cell)).problems.map((p) => [p.line, p.code, p.field])).toEqual([[2, 'SAME_AS_CHARITY_DELIVERY', 'reference']]);
      // Said as the file says it: the column and its cell, not the API's separateAid: true.
      expect((await send('')).problems[0].message).toMatch(/send it with separate_aid 是 if it is other aid$/);
      expect((await send('也许')).problems.map((p) => [p.line, p.code, p.field])).toEqual(expect.arrayContaining([[2, 'FLAG_INVALID', 'separate_aid']]));
      expect(await ledgerCount()).toBe(n);
      expect((await send('是')).problems).toEqual([]);
      expect(await ledgerCount()).toBe(n + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('report first: a delivery of the same aid is refused SAME_AS_REPORTED_AID, nothing written; once the report is reversed (or stated separate) it is recorded', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-2P-10', 76_500, TODAY)] } }, 'aidReport')).userErrors).toEqual([]);
    const { pledgeId } = await pledged(76_500, 'PL-2P-2');
    const before = await everything();
    const refusedDelivery = await data(charity, DELIVER, { input: { pledgeId, amountFen: 76_500, deliveredOn: TODAY, reference: '2P-D2' } }, 'charityDeliveryReport');
    expect(refusedDelivery).toMatchObject({ delivery: null, userErrors: [{ code: 'SAME_AS_REPORTED_AID', field: ['input', 'separateAid'] }] });
    expect(await everything()).toEqual(before);
    // The same aid: the reporting client reverses its entry, the delivery is recorded, the money counted once.
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-2P-10-R', 0, TODAY, { entryKind: 'REVERSAL', supersedesReference: 'CS-2P-10' })] } }, 'aidReport')).userErrors).toEqual([]);
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 76_500, deliveredOn: TODAY, reference: '2P-D2' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect((await rows("SELECT reference FROM reported_aid WHERE amount_fen = 76500 AND superseded_by IS NULL"))).toEqual([{ reference: '2P-D2' }]);
    // Other aid of the same sum, stated separate, is recorded beside a report that stands.
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-2P-11', 54_300, TODAY)] } }, 'aidReport')).userErrors).toEqual([]);
    const second = await pledged(54_300, 'PL-2P-3');
    const input = { pledgeId: second.pledgeId, amountFen: 54_300, deliveredOn: TODAY, reference: '2P-D3' };
    expect((await data(charity, DELIVER, { input }, 'charityDeliveryReport')).userErrors.map((e: any) => e.code)).toEqual(['SAME_AS_REPORTED_AID']);
    expect((await data(charity, DELIVER, { input: { ...input, separateAid: true } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect(await data(charity, DELIVER, { input }, 'charityDeliveryReport')).toMatchObject({ replayed: true, userErrors: [] });
  });

  it('report first under the delivery’s own reference and need: the delivery is still refused SAME_AS_REPORTED_AID, nothing written (its own row read the report as a delivery)', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(77_700, 'PL-2P-SR');
    expect((await data(reporter, REPORT, { input: { records: [aid('SR-1', 77_700, TODAY, { needId })] } }, 'aidReport')).userErrors).toEqual([]);
    const before = await everything();
    const refusedDelivery = await data(charity, DELIVER, { input: { pledgeId, amountFen: 77_700, deliveredOn: TODAY, reference: 'SR-1' } }, 'charityDeliveryReport');
    expect(refusedDelivery).toMatchObject({ delivery: null, userErrors: [{ code: 'SAME_AS_REPORTED_AID', field: ['input', 'separateAid'] }] });
    expect(await everything()).toEqual(before);
    expect(await rows("SELECT reporter_client FROM reported_aid WHERE reference = 'SR-1'")).toEqual([{ reporter_client: 'charity-c-report' }]);
  });

  it('a delivery corrected to the aid a standing report records is refused SAME_AS_REPORTED_AID, nothing written; stated separate it is taken', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-2P-C', 88_800, TODAY)] } }, 'aidReport')).userErrors).toEqual([]);
    const { pledgeId } = await pledged(90_000, 'PL-2P-C');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 90_000, deliveredOn: TODAY, reference: '2P-C1' } }, 'charityDeliveryReport')).delivery.id;
    const before = await everything();
    const input = { deliveryId, amountFen: 88_800, reason: '实际发放888元', reference: '2P-C1-C' };
    const refusedCorrection = await data(charity, CORRECT, { input }, 'charityDeliveryCorrect');
    expect(refusedCorrection).toMatchObject({ delivery: null, userErrors: [{ code: 'SAME_AS_REPORTED_AID', field: ['input', 'separateAid'] }] });
    expect(await everything()).toEqual(before);
    expect(await data(charity, CORRECT, { input: { ...input, separateAid: true } }, 'charityDeliveryCorrect')).toMatchObject({ delivery: { amountFen: 88_800 }, userErrors: [] });
    expect(await data(charity, CORRECT, { input }, 'charityDeliveryCorrect')).toMatchObject({ replayed: true, userErrors: [] });
  });

  it('both at once: a delivery and an aidReport of the same aid sent together record it once, the other refused SAME_AS_*', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    // Each round its own sum, so no round matches another's; several rounds, as two requests sent
    // together meet in either order (each path waits on the organisation's lock for the other).
    for (let round = 0; round < 6; round++) {
      const amountFen = 61_000 + round;
      const { pledgeId } = await pledged(amountFen, `PL-2P-RACE-${round}`);
      const [report, delivery] = await Promise.all([
        data(reporter, REPORT, { input: { records: [aid(`CS-RACE-${round}`, amountFen, TODAY)] } }, 'aidReport'),
        data(charity, DELIVER, { input: { pledgeId, amountFen, deliveredOn: TODAY, reference: `2P-RACE-${round}` } }, 'charityDeliveryReport'),
      ]);
      const codes = [...report.userErrors, ...delivery.userErrors].map((e: any) => e.code);
      expect(codes.length === 1 && ['SAME_AS_CHARITY_DELIVERY', 'SAME_AS_REPORTED_AID'].includes(codes[0])).toBe(true);
      expect(await rows('SELECT COUNT(*) AS n FROM reported_aid WHERE amount_fen = ? AND superseded_by IS NULL', [amountFen])).toEqual([{ n: 1 }]);
    }
  });

  it('reportedAidHistory: the reporting client reads the chain its linkage client started, and no other organisation does', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged(33_300, 'PL-2P-H');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 33_300, deliveredOn: TODAY, reference: '2P-H' } }, 'charityDeliveryReport')).delivery.id;
    expect((await data(charity, CORRECT, { input: { deliveryId, amountFen: 30_000, reason: '金额有误', reference: '2P-H-C' } }, 'charityDeliveryCorrect')).userErrors).toEqual([]);
    const chain = [
      { reference: '2P-H', entryKind: 'AID', amountFen: 33_300 },
      { reference: '2P-H-C', entryKind: 'CORRECTION', amountFen: 30_000 },
    ];
    for (const r of ['2P-H', '2p-h-c']) expect(await data(reporter, HISTORY, { r }, 'reportedAidHistory')).toEqual(chain);
    expect(await data(otherReporter, HISTORY, { r: '2P-H' }, 'reportedAidHistory')).toEqual([]);
    // A reference two clients of the organisation each hold in chains of their own: the caller's own, else said ambiguous.
    expect((await data(reporter, REPORT, { input: { records: [aid('2P-H', 11_100, TODAY)] } }, 'aidReport')).userErrors).toEqual([]);
    expect((await data(reporter, HISTORY, { r: '2P-H' }, 'reportedAidHistory')).map((e: any) => e.reference)).toEqual(['2P-H']);
    const res = await reporter2.gql(HISTORY, { r: '2P-H' });
    expect(res.errors?.map((e: any) => [e.extensions.code, e.extensions.reason])).toEqual([['BAD_USER_INPUT', 'REFERENCE_AMBIGUOUS']]);
  });

  /** A report of the reporting client under `reference` and a need (other aid), then the linkage client's delivery to that need under it, corrected. */
  const reportedThenCorrected = async (reference: string, deliveredFen: number, reportedFen: number, correctedFen: number) => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(deliveredFen, `PL-${reference}`);
    expect((await data(reporter, REPORT, { input: { records: [aid(reference, reportedFen, TODAY, { needId })] } }, 'aidReport')).userErrors).toEqual([]);
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: deliveredFen, deliveredOn: TODAY, reference } }, 'charityDeliveryReport')).delivery.id;
    expect((await data(charity, CORRECT, { input: { deliveryId, amountFen: correctedFen, reason: '金额有误', reference: `${reference}-C` } }, 'charityDeliveryCorrect')).userErrors).toEqual([]);
  };

  it('a report of another client under a delivery’s reference and need: the delivery’s correction supersedes the delivery’s ledger entry, not the report', async () => {
    // The reporting client's file numbered as the delivery, for the same need: other aid (another amount).
    await reportedThenCorrected('AMB-1', 22_200, 11_100, 20_000);
    const ledger = await rows("SELECT reporter_client AS client, reference, amount_fen AS fen, superseded_by IS NULL AS stands FROM reported_aid WHERE reference IN ('AMB-1', 'AMB-1-C') ORDER BY id");
    expect(ledger.map((r) => ({ ...r, stands: Number(r.stands) }))).toEqual([
      { client: 'charity-c-report', reference: 'AMB-1', fen: 11_100, stands: 1 },
      { client: charityName, reference: 'AMB-1', fen: 22_200, stands: 0 },
      { client: charityName, reference: 'AMB-1-C', fen: 20_000, stands: 1 },
    ]);
  });

  it('ledger entries written before they were linked to their delivery are linked by the upgrade where one alone matches (of several, the one its writer could have written); a delivery two match is neither corrected nor cancelled (DELIVERY_LEDGER_ENTRY_AMBIGUOUS) until one is linked or reversed', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    // The same aid under the delivery's reference and need, stated separate by the reporting client: the two rows read alike.
    const { pledgeId, needId } = await pledged(33_400, 'PL-AMB-2');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 33_400, deliveredOn: TODAY, reference: 'AMB-2' } }, 'charityDeliveryReport')).delivery.id;
    expect((await data(reporter, REPORT, { input: { records: [aid('AMB-2', 33_400, TODAY, { needId, separateAid: true })] } }, 'aidReport')).userErrors).toEqual([]);
    const links = async () => rows('SELECT id, delivery_id AS d FROM reported_aid ORDER BY id');
    const linked = await links();
    expect(linked.filter((r) => r.d !== null).length).toBeGreaterThan(0);
    // As an earlier release left them: no row linked, the upgrade to run.
    const upgrade = async () => {
      await rows('UPDATE reported_aid SET delivery_id = NULL');
      return (await linkingUpgrade())!.ambiguousDeliveries;
    };
    // The reporting client holds DEPARTMENT_WRITER alone: the delivery's row is the linkage client's.
    const ambiguousBefore = await upgrade();
    expect(await links()).toEqual(linked);
    // A reporting client that holds CHARITY too could have written either.
    await rows("UPDATE api_client SET roles = 'CHARITY,DEPARTMENT_WRITER' WHERE name = 'charity-c-report'");
    try {
      expect(await upgrade()).toBe(ambiguousBefore + 1);
      const amb2 = (await rows("SELECT id FROM reported_aid WHERE reference = 'AMB-2'")).map((r) => r.id);
      expect(amb2).toHaveLength(2);
      expect(await links()).toEqual(linked.map((r) => (amb2.includes(r.id) ? { ...r, d: null } : r)));
      const before = await everything();
      const input = { deliveryId, amountFen: 30_000, reason: '金额有误', reference: 'AMB-2-C' };
      const refused = { delivery: null, userErrors: [{ code: 'DELIVERY_LEDGER_ENTRY_AMBIGUOUS', field: ['input', 'deliveryId'] }] };
      expect(await data(charity, CORRECT, { input }, 'charityDeliveryCorrect')).toMatchObject(refused);
      expect(await data(charity, CANCEL, { input: { deliveryId, reason: '未实际发放', reference: 'AMB-2-R' } }, 'charityDeliveryCancel')).toMatchObject(refused);
      expect(await everything()).toEqual(before);
      // The report reversed, the delivery's entry alone stands: it is corrected (and linked), the report's chain left as it is.
      expect((await data(reporter, REPORT, { input: { records: [aid('AMB-2-REV', 0, TODAY, { entryKind: 'REVERSAL', supersedesReference: 'AMB-2' })] } }, 'aidReport')).userErrors).toEqual([]);
      expect((await data(charity, CORRECT, { input }, 'charityDeliveryCorrect')).userErrors).toEqual([]);
      const amb = await rows("SELECT reporter_client AS client, reference, delivery_id AS d, superseded_by IS NULL AS stands FROM reported_aid WHERE reference LIKE 'AMB-2%' ORDER BY id");
      expect(amb.map((r) => ({ ...r, d: r.d === null ? null : Number(r.d), stands: Number(r.stands) }))).toEqual([
        { client: charityName, reference: 'AMB-2', d: Number(deliveryId), stands: 0 },
        { client: 'charity-c-report', reference: 'AMB-2', d: null, stands: 0 },
        { client: 'charity-c-report', reference: 'AMB-2-REV', d: null, stands: 1 },
        { client: charityName, reference: 'AMB-2-C', d: expect.any(Number), stands: 1 },
      ]);
    } finally {
      await rows("UPDATE api_client SET roles = 'DEPARTMENT_WRITER' WHERE name = 'charity-c-report'");
    }
  });

  it('a report of the same aid under a delivery’s reference and need, stated separate, stays a report once the delivery’s own entry is linked, also through the data upgrade: the reporting client reverses it', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(33_500, 'PL-AMB-3');
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 33_500, deliveredOn: TODAY, reference: 'AMB-3' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    expect((await data(reporter, REPORT, { input: { records: [aid('AMB-3', 33_500, TODAY, { needId, separateAid: true })] } }, 'aidReport')).userErrors).toEqual([]);
    // The upgrade run again (a start of this release) links nothing: the delivery has its entry, so the
    // report alone unlinked of its content is not the delivery's (linked, the unique key refused it and the start failed).
    const links = async () => rows("SELECT reporter_client AS client, delivery_id AS d FROM reported_aid WHERE reference = 'AMB-3' ORDER BY id");
    const linked = await links();
    expect(linked.map((r) => ({ ...r, d: r.d === null ? null : Number(r.d) }))).toEqual([
      { client: charityName, d: expect.any(Number) },
      { client: 'charity-c-report', d: null },
    ]);
    await linkingUpgrade();
    expect(await links()).toEqual(linked);
    // The delivery has its linked entry: the report's row, unlinked and of its content, is not the delivery's.
    expect((await data(reporter, REPORT, { input: { records: [aid('AMB-3-REV', 0, TODAY, { entryKind: 'REVERSAL', supersedesReference: 'AMB-3' })] } }, 'aidReport')).userErrors).toEqual([]);
    const amb = await rows("SELECT reporter_client AS client, reference, delivery_id IS NULL AS unlinked, superseded_by IS NULL AS stands FROM reported_aid WHERE reference LIKE 'AMB-3%' ORDER BY id");
    expect(amb.map((r) => ({ ...r, unlinked: Number(r.unlinked), stands: Number(r.stands) }))).toEqual([
      { client: charityName, reference: 'AMB-3', unlinked: 0, stands: 1 },
      { client: 'charity-c-report', reference: 'AMB-3', unlinked: 1, stands: 0 },
      { client: 'charity-c-report', reference: 'AMB-3-REV', unlinked: 1, stands: 1 },
    ]);
  });

  it('a correction an earlier release let supersede another client’s report, the delivery’s own entry left standing beside it, is counted by the upgrade for the operator', async () => {
    await reportedThenCorrected('DBL-1', 55_501, 11_101, 50_000);
    const upgrade = async () => {
      await rows('UPDATE reported_aid SET delivery_id = NULL');
      return (await linkingUpgrade())!;
    };
    const before = (await upgrade()).correctionsBesideDelivery;
    // As the earlier release left it: the report superseded by the correction, the delivery's entry standing.
    const [{ c }] = await rows("SELECT id AS c FROM reported_aid WHERE reference = 'DBL-1-C'");
    await rows("UPDATE reported_aid SET superseded_by = ? WHERE reference = 'DBL-1' AND reporter_client = 'charity-c-report'", [c]);
    await rows("UPDATE reported_aid SET superseded_by = NULL WHERE reference = 'DBL-1' AND reporter_client = ?", [charityName]);
    expect((await upgrade()).correctionsBesideDelivery).toBe(before + 1);
  });

  it('a delivery whose ledger entry an earlier release left unlinked: its correction moving only the day is not its own entry sent again; the entry is linked and superseded', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged(44_401, 'PL-UNL-1');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 44_401, deliveredOn: TODAY, reference: 'UNL-1' } }, 'charityDeliveryReport')).delivery.id;
    await rows("UPDATE reported_aid SET delivery_id = NULL WHERE reference = 'UNL-1'");
    clock.set(`${DAY2}T10:00:00+08:00`);
    const corrected = await data(charity, CORRECT, { input: { deliveryId, deliveredOn: DAY2, reason: '日期有误', reference: 'UNL-1-C' } }, 'charityDeliveryCorrect');
    expect(corrected.userErrors).toEqual([]);
    const ledger = await rows("SELECT reference, delivery_id AS d, superseded_by IS NULL AS stands FROM reported_aid WHERE reference IN ('UNL-1', 'UNL-1-C') ORDER BY id");
    expect(ledger.map((r) => ({ ...r, d: Number(r.d), stands: Number(r.stands) }))).toEqual([
      { reference: 'UNL-1', d: Number(deliveryId), stands: 0 },
      { reference: 'UNL-1-C', d: Number(corrected.delivery.id), stands: 1 },
    ]);
  });

  it('a delivery whose ledger entry an earlier release left unlinked: its correction takes the organisation’s lock before it links the entry, so it never holds a ledger row while it waits for that lock (a writer holding the lock and then taking the row would deadlock with it)', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(44_403, 'PL-UNL-3');
    const deliveryId = (await data(charity, DELIVER, { input: { pledgeId, amountFen: 44_403, deliveredOn: TODAY, reference: 'UNL-3' } }, 'charityDeliveryReport')).delivery.id;
    await rows("UPDATE reported_aid SET delivery_id = NULL WHERE reference = 'UNL-3'");
    const [{ id: entryId }] = await rows("SELECT id FROM reported_aid WHERE reference = 'UNL-3'");
    clock.set(`${DAY2}T10:00:00+08:00`);
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      return { open, opened };
    };
    const needHeld = gate();
    const needReleased = gate();
    const lockHeld = gate();
    const writerGoes = gate();
    let corrected = false;
    const waitingOnce = async () => {
      while (!corrected && (await lockWaits(dbs.hub)) === 0) await new Promise((r) => setTimeout(r, 20));
      expect(corrected).toBe(false);
    };
    // The need held, so the correction is past its start (ensureOrganisationLock, which waits for a held
    // lock) and waits in its transaction while a writer takes the organisation's lock.
    const needHolder = lockingTransaction(dbs.hub, async (tx) => {
      await tx.select({ id: charityNeed.id }).from(charityNeed).where(eq(charityNeed.id, Number(needId))).for('update');
      needHeld.open();
      await needReleased.opened;
    });
    await needHeld.opened;
    const correction = data(charity, CORRECT, { input: { deliveryId, deliveredOn: DAY2, reason: '日期有误', reference: 'UNL-3-C' } }, 'charityDeliveryCorrect').finally(() => (corrected = true));
    await waitingOnce();
    // A writer in the documented order (db/charity/store.ts lockOrganisation): the organisation's lock, then a ledger row of it.
    const writer = lockingTransaction(dbs.hub, async (tx) => {
      await lockOrganisation(tx, ORG);
      lockHeld.open();
      await writerGoes.opened;
      return (await tx.select({ id: reportedAid.id }).from(reportedAid).where(eq(reportedAid.id, Number(entryId))).for('update')).length;
    });
    await lockHeld.opened;
    needReleased.open();
    await needHolder;
    // Now the correction runs until it waits for the organisation's lock.
    await waitingOnce();
    // It waits holding no ledger row: the writer takes the entry, commits, and the correction goes on.
    // Linked before the lock, the entry was the correction's: each waited on the other, and the server rolled one back (1213).
    writerGoes.open();
    expect(await writer).toBe(1);
    expect((await correction).userErrors).toEqual([]);
    const ledger = await rows("SELECT reference, delivery_id AS d, superseded_by IS NULL AS stands FROM reported_aid WHERE reference IN ('UNL-3', 'UNL-3-C') ORDER BY id");
    expect(ledger.map((r) => ({ ...r, d: Number(r.d), stands: Number(r.stands) }))).toEqual([
      { reference: 'UNL-3', d: Number(deliveryId), stands: 0 },
      { reference: 'UNL-3-C', d: expect.any(Number), stands: 1 },
    ]);
  });

  it('a delivery’s ledger entry an earlier release left unlinked is still the delivery’s: aidReport neither reverses it (SUPERSEDES_CHARITY_DELIVERY) nor sends its aid again (SAME_AS_CHARITY_DELIVERY)', async () => {
    clock.set(`${TODAY}T10:00:00+08:00`);
    const { pledgeId } = await pledged(44_402, 'PL-UNL-2');
    expect((await data(charity, DELIVER, { input: { pledgeId, amountFen: 44_402, deliveredOn: TODAY, reference: 'UNL-2' } }, 'charityDeliveryReport')).userErrors).toEqual([]);
    await rows("UPDATE reported_aid SET delivery_id = NULL WHERE reference = 'UNL-2'");
    expect((await data(reporter, REPORT, { input: { records: [aid('CS-UNL-2', 44_402, TODAY)] } }, 'aidReport')).userErrors.map((e: any) => e.code)).toEqual(['SAME_AS_CHARITY_DELIVERY']);
    await dbs.hubPool.query("UPDATE api_client SET roles = 'CHARITY,DEPARTMENT_WRITER' WHERE name = ?", [charityName]);
    try {
      const reversal = aid('UNL-2-R', 0, TODAY, { entryKind: 'REVERSAL', supersedesReference: 'UNL-2' });
      const res = await hub.as({ token: charityToken, purpose: 'DUPLICATE_CHECK' }).gql(REPORT, { input: { records: [reversal] } });
      expect(res.data.aidReport.userErrors.map((e: any) => e.code)).toEqual(['SUPERSEDES_CHARITY_DELIVERY']);
    } finally {
      await dbs.hubPool.query("UPDATE api_client SET roles = 'CHARITY' WHERE name = ?", [charityName]);
    }
    expect(await rows("SELECT reference, superseded_by FROM reported_aid WHERE reference LIKE 'UNL-2%'")).toEqual([{ reference: 'UNL-2', superseded_by: null }]);
  });
});

describe('a charity’s references, which offices read', () => {
  const ID = WANG.head;
  const FULL_WIDTH = (v: string) => v.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  const IDENTIFYING = [
    ['an ID number', `PL-${ID}`],
    ['an ID number in parts', `${ID.slice(0, 6)}-${ID.slice(6, 14)}-${ID.slice(14)}`],
    ['an ID number in full-width digits', `捐赠${FULL_WIDTH(ID)}`],
    ['a mobile number', 'TEL13905371234'],
    ['a mobile number in Chinese numerals', '幺三九零五三七幺二三四'],
    ['a mobile number split by dots', 'JNCS-138.1234.5678'],
    ['a mobile number split by spaces', 'TEL 138 1234 5678'],
    ['a mobile number in full-width digits split by full-width hyphens', '１３８－１２３４－５６７８'],
  ];

  it('carrying an ID, phone or account number are refused REFERENCE_IDENTIFIES on every write that takes one, and nothing is written; a reference of dates and sequence numbers is not', async () => {
    clock.set(`${DAY2}T10:00:00+08:00`);
    const { pledgeId, needId } = await pledged(300_000, 'PL-2026-0317-0001');
    const refused = [{ code: 'REFERENCE_IDENTIFIES', field: ['input', 'reference'] }];
    const before = await everything();
    for (const [what, reference] of IDENTIFYING) {
      const pledge = await data(charity, PLEDGE, { input: { needId, amountFen: 1, reference } }, 'charityPledgeCreate');
      const delivery = await data(charity, DELIVER, { input: { pledgeId, amountFen: 100, deliveredOn: DAY2, reference } }, 'charityDeliveryReport');
      const reduction = await data(charity, REDUCE, { input: { pledgeId, amountFen: 200_000, reason: '预算调整', reference } }, 'charityPledgeReduce');
      expect({ what, errors: [pledge.userErrors, delivery.userErrors, reduction.userErrors] }).toEqual({ what, errors: [refused, refused, refused] });
    }
    const hidden = await data(charity, DELIVER, { input: { pledgeId, amountFen: 100, deliveredOn: DAY2, reference: 'CX\u200b-1' } }, 'charityDeliveryReport');
    expect(hidden.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reference'] }]);
    expect(await everything()).toEqual(before);

    const delivered = await data(charity, DELIVER, { input: { pledgeId, amountFen: 100_000, deliveredOn: DAY2, reference: 'DL-20260317-000123' } }, 'charityDeliveryReport');
    expect(delivered.userErrors).toEqual([]);
    // Dates with their separators, a short invoice number and an amount are no phone number.
    const dated = await data(charity, DELIVER, { input: { pledgeId, amountFen: 100, deliveredOn: DAY2, reference: 'DL-2026.03.17-INV1380' } }, 'charityDeliveryReport');
    expect(dated.userErrors).toEqual([]);
    const deliveryId = delivered.delivery.id;
    const written = await everything();
    for (const [what, reference] of IDENTIFYING.filter(([, r]) => /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(r))) {
      const cancel = await data(charity, CANCEL, { input: { deliveryId, reason: '重复录入', reference } }, 'charityDeliveryCancel');
      const correct = await data(charity, CORRECT, { input: { deliveryId, amountFen: 90_000, reason: '金额录入错误', reference } }, 'charityDeliveryCorrect');
      expect({ what, errors: [cancel.userErrors, correct.userErrors] }).toEqual({ what, errors: [refused, refused] });
    }
    expect(await everything()).toEqual(written);
  });
});

describe('the README’s charity block', () => {
  it('sends only requests the schema takes: every q line parses as JSON and its query validates', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Charity linkage');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    // Each `q TOKEN PURPOSE '<json>'` line, the shell's pieces put back as the shell would: a variable or
    // the date command spliced into the JSON by closing and reopening the quotes.
    const lines = section.split('\n').filter((l) => l.startsWith('q '));
    const bodies = lines.map((l) => JSON.parse(l.slice(l.indexOf("'") + 1, l.lastIndexOf("'")).replace(/'\$\(TZ=Asia\/Shanghai date \+%F\)'/g, TODAY).replace(/'\$\w+'/g, '1')));
    const schema = buildSchema();
    const problems = bodies.flatMap((b) => validate(schema, parse(b.query)).map((e) => `${b.query.slice(0, 60)}: ${e.message}`));
    expect(problems).toEqual([]);
    const sent = bodies.map((b) => /\{\s*(\w+)/.exec(b.query.replace(/^(query|mutation)[^{]*/, ''))![1]);
    expect(sent).toEqual(expect.arrayContaining(['charityPledgeCreate', 'charityDeliveryReport', 'charityDeliveryCorrect', 'charityPledgeReduce', 'charityNeedsOfCase']));
  });
});

describe('a reason, which offices read', () => {
  const RELEASE = `mutation($input: CharityClaimReleaseInput!) { charityClaimRelease(input: $input) { release { reason } replayed userErrors { code field found message } } }`;
  const named = (query: string) => query.replace('userErrors { code field }', 'userErrors { code field found message }');
  const refusedFor = (found: string) => [{ code: 'IDENTIFYING_NUMBER', field: ['input', 'reason'], found, message: expect.stringContaining(found) }];
  const FINE = '依据鲁民〔2026〕12号，2026-03-17发放500元，因病住院期间';

  it('carrying a mobile number or a bank card is refused IDENTIFYING_NUMBER on a cancellation, correction, reduction or release, named masked, nothing written; dates, amounts and document numbers pass', async () => {
    clock.set(`${DAY2}T11:00:00+08:00`);
    const { pledgeId } = await pledged(300_000, 'PL-REASON-1');
    const delivered = await data(charity, DELIVER, { input: { pledgeId, amountFen: 100_000, deliveredOn: DAY2, reference: 'DL-REASON-1' } }, 'charityDeliveryReport');
    expect(delivered.userErrors).toEqual([]);
    const deliveryId = delivered.delivery.id;
    const before = await everything();
    const cancel = await data(charity, named(CANCEL), { input: { deliveryId, reason: '户主电话 139-0537-1234 确认未领取', reference: 'DL-REASON-1-R' } }, 'charityDeliveryCancel');
    const correct = await data(charity, named(CORRECT), { input: { deliveryId, amountFen: 90_000, reason: '打入卡号 6222 0216 0700 1234 567', reference: 'DL-REASON-1-C' } }, 'charityDeliveryCorrect');
    const reduce = await data(charity, named(REDUCE), { input: { pledgeId, amountFen: 200_000, reason: '联系人 一三九〇五三七一二三四', reference: 'RD-REASON-1' } }, 'charityPledgeReduce');
    expect([cancel.userErrors, correct.userErrors, reduce.userErrors]).toEqual([refusedFor('139****1234'), refusedFor('****4567'), refusedFor('139****1234')]);
    // An invisible character, as in an alert's reason: a right-to-left mark; zero-width spaces splitting a number a reader still sees.
    for (const [reason, codePoint] of [['户主\u200f确认未领取', 'U+200F'], ['户主电话 139\u200b0537\u200b1234 确认未领取', 'U+200B']]) {
      const hidden = await data(charity, named(CANCEL), { input: { deliveryId, reason, reference: 'DL-REASON-1-R' } }, 'charityDeliveryCancel');
      expect(hidden.userErrors).toEqual([{ code: 'TEXT_INVISIBLE_CHARACTER', field: ['input', 'reason'], found: null, message: expect.stringContaining(codePoint) }]);
    }
    expect(await everything()).toEqual(before);
    expect((await data(charity, named(CORRECT), { input: { deliveryId, amountFen: 90_000, reason: FINE, reference: 'DL-REASON-1-C' } }, 'charityDeliveryCorrect')).userErrors).toEqual([]);
    expect((await data(charity, named(REDUCE), { input: { pledgeId, amountFen: 200_000, reason: FINE, reference: 'RD-REASON-1' } }, 'charityPledgeReduce')).userErrors).toEqual([]);

    // A release: a need claimed with nothing pledged.
    const consent = await data(office, CONSENT, { input: { householdId: String(wangId), scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
    const need = (await data(office, PUBLISH, { input: { caseId, consentId: consent.consent.id, purpose: 'LIVING', urgency: 'NORMAL', description: '家庭生活困难', uncoveredFen: 50_000, beneficiaryIdNumber: WANG.head } }, 'charityNeedPublish')).need.id;
    expect((await data(charity, CLAIM, { id: need }, 'charityNeedClaim')).userErrors).toEqual([]);
    expect((await data(charity, RELEASE, { input: { needId: need, reason: `已转本会另一项目，联系 ${'13905371234'}`, reference: 'RL-REASON-1' } }, 'charityClaimRelease')).userErrors).toEqual(refusedFor('139****1234'));
    expect(await rows('SELECT COUNT(*) AS n FROM charity_claim_release WHERE reference = ?', ['RL-REASON-1'])).toEqual([{ n: 0 }]);
    expect(await data(charity, RELEASE, { input: { needId: need, reason: FINE, reference: 'RL-REASON-1' } }, 'charityClaimRelease')).toEqual({ release: { reason: FINE }, replayed: false, userErrors: [] });
  });

  it('made before the screen is answered with what it wrote when sent again under its reference; another reference is refused', async () => {
    clock.set(`${DAY2}T12:00:00+08:00`);
    const { pledgeId } = await pledged(300_000, 'PL-REASON-2');
    const reason = '户主电话 13905371234 同意减少';
    // Reduced as before the screen: straight into the store as the resolver then wrote it.
    const made = await reducePledge(dbs.hub, { pledgeId: Number(pledgeId), creditCode: ORG, clientName: charityName, officer: null, amountFen: 200_000, reason, reference: 'RD-REASON-2', now: clock.now() });
    expect(made.ok).toBe(true);
    const before = await everything();
    const again = await data(charity, named(REDUCE), { input: { pledgeId, amountFen: 200_000, reason, reference: 'RD-REASON-2' } }, 'charityPledgeReduce');
    expect(again).toMatchObject({ pledge: { amountFen: 200_000 }, replayed: true, userErrors: [] });
    expect((await data(charity, named(REDUCE), { input: { pledgeId, amountFen: 150_000, reason, reference: 'RD-REASON-3' } }, 'charityPledgeReduce')).userErrors).toEqual(refusedFor('139****1234'));
    expect(await everything()).toEqual(before);
  });
});
