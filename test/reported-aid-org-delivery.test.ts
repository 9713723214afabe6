/**
 * A charity's reporting client (DEPARTMENT_WRITER, aidReport) naming in a correction or reversal
 * the ledger entry of a delivery its organisation's linkage client reported (charityDeliveryReport):
 * the entry changes only with the delivery, so it is SUPERSEDES_CHARITY_DELIVERY, the message
 * pointing to charityDeliveryCorrect / charityDeliveryCancel. It was SUPERSEDES_UNKNOWN, "no record
 * of this reporter under that reference", about an entry the same client reads in
 * reportedAidHistory. Nothing is written either way; another organisation's delivery under the
 * reference stays unknown to it, and the client's own entry under a delivery's reference is its own
 * to correct. Against a real hub and database.
 */
import { makeCreditCode } from '../domain/credit-code';
import { registerCharity } from '../db/reported-aid/store';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { TestClock } from './support/clock';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(180_000);

let dbs: TestDatabases;
let hub: TestHub;
let wangId: string;
const ORG = makeCreditCode('53370800MJ2468013');
const OTHER_ORG = makeCreditCode('53370800MJ8642013');
const clock = new TestClock(`${TODAY}T10:00:00+08:00`);

const REPORT = `mutation($input: AidReportInput!) { aidReport(input: $input) { recorded userErrors { index code field message } } }`;
const HISTORY = `query($r: String!) { reportedAidHistory(reference: $r) { reference entryKind amountFen } }`;

async function data(as: ReturnType<TestHub['as']>, query: string, variables: Record<string, unknown>, field: string) {
  const res = await as.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.data[field];
}

beforeAll(async () => {
  dbs = await createTestDatabases('reported_aid_org_delivery');
  await insertRegions(dbs);
  wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { clock: clock.now });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('a reporting client naming its organisation’s delivery entry is told SUPERSEDES_CHARITY_DELIVERY, nothing written; another organisation’s stays unknown; its own entry under such a reference is its own', async () => {
  const worker = await hub.createClient({ name: 'rencheng-civil-od', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['CASEWORKER'] });
  const office = hub.as({ token: worker.token, purpose: 'CHARITY_LINKAGE' });
  const client = async (name: string, roles: ('CHARITY' | 'DEPARTMENT_WRITER')[], org: string, orgName: string, purpose: string) => {
    const c = await hub.createClient({ name, department: 'CHARITY', regionScope: '370800', roles });
    await registerCharity(dbs.hub as never, name, org, orgName);
    return hub.as({ token: c.token, purpose });
  };
  const linkage = await client('od-linkage', ['CHARITY'], ORG, '济宁市某慈善基金会', 'CHARITY_LINKAGE');
  const reporter = await client('od-report', ['DEPARTMENT_WRITER'], ORG, '济宁市某慈善基金会', 'DUPLICATE_CHECK');
  const otherReporter = await client('od-other-report', ['DEPARTMENT_WRITER'], OTHER_ORG, '济宁市另一慈善会', 'DUPLICATE_CHECK');

  const opened = await data(
    hub.as({ token: worker.token, purpose: 'ELIGIBILITY_REVIEW' }),
    `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`,
    { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'URGENT', summary: '家庭生活困难', reportedAt: '2026-03-10T09:00:00+08:00', actor: { officer: 'RC-0042' } } },
    'caseOpen',
  );
  const consent = await data(office, `mutation($input: CharityConsentRecordInput!) { charityConsentRecord(input: $input) { consent { id } userErrors { code } } }`, { input: { householdId: wangId, scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: '2026-12-31', officer: 'RC-0042' } }, 'charityConsentRecord');
  const need = await data(office, `mutation($input: CharityNeedPublishInput!) { charityNeedPublish(input: $input) { need { id } userErrors { code } } }`, { input: { caseId: opened.case.id, consentId: consent.consent.id, purpose: 'LIVING', urgency: 'NORMAL', description: '家庭生活困难，尚有缺口', uncoveredFen: 50_000, beneficiaryIdNumber: WANG.head } }, 'charityNeedPublish');
  expect(need.userErrors).toEqual([]);
  expect((await data(linkage, `mutation($id: ID!) { charityNeedClaim(input: { needId: $id }) { userErrors { code } } }`, { id: need.need.id }, 'charityNeedClaim')).userErrors).toEqual([]);
  const pledge = await data(linkage, `mutation($input: CharityPledgeCreateInput!) { charityPledgeCreate(input: $input) { pledge { id } userErrors { code } } }`, { input: { needId: need.need.id, amountFen: 50_000, reference: 'OD-P1' } }, 'charityPledgeCreate');
  const delivered = await data(linkage, `mutation($input: CharityDeliveryReportInput!) { charityDeliveryReport(input: $input) { delivery { id } userErrors { code } } }`, { input: { pledgeId: pledge.pledge.id, amountFen: 30_000, deliveredOn: TODAY, reference: 'OD-D1' } }, 'charityDeliveryReport');
  expect(delivered.userErrors).toEqual([]);

  // The reporting client reads the delivery's entry …
  expect(await data(reporter, HISTORY, { r: 'OD-D1' }, 'reportedAidHistory')).toEqual([{ reference: 'OD-D1', entryKind: 'AID', amountFen: 30_000 }]);
  const ledger = async () => (await dbs.hubPool.query<any[]>('SELECT reporter_client, reference, superseded_by FROM reported_aid ORDER BY id'))[0];
  const before = await ledger();
  // … and naming it, in any case, as a reversal or a correction, is told it is a delivery's, by its code.
  const reversal = { reference: 'OD-R1', entryKind: 'REVERSAL', supersedesReference: 'od-d1', beneficiaryIdNumber: WANG.head, programme: 'CHARITY_JISHIJIU_99', grantDate: TODAY, amountFen: 0 };
  const correction = { ...reversal, reference: 'OD-C1', entryKind: 'CORRECTION', supersedesReference: 'OD-D1', amountFen: 20_000 };
  for (const record of [reversal, correction]) {
    for (const dryRun of [false, true]) {
      const r = await data(reporter, REPORT, { input: { records: [record], dryRun } }, 'aidReport');
      expect({ record: record.reference, dryRun, r: { ...r, userErrors: r.userErrors.map((e: any) => ({ ...e, message: undefined })) } }).toEqual({ record: record.reference, dryRun, r: { recorded: 0, userErrors: [{ index: 0, code: 'SUPERSEDES_CHARITY_DELIVERY', field: 'supersedesReference', message: undefined }] } });
      expect(r.userErrors[0].message).toContain('charityDeliveryCorrect');
    }
  }
  expect(await ledger()).toEqual(before);
  // Another organisation's client knows no such entry.
  expect((await data(otherReporter, REPORT, { input: { records: [{ ...reversal, reference: 'OT-R1' }] } }, 'aidReport')).userErrors.map((e: any) => e.code)).toEqual(['SUPERSEDES_UNKNOWN']);
  // The reporting client's own entry under the delivery's reference (references are unique per
  // client) is its own to reverse, and so is a record of the same batch under it.
  const own = { reference: 'OD-D1', beneficiaryIdNumber: WANG.head, programme: 'CHARITY_JISHIJIU_99', grantDate: '2026-03-01', amountFen: 7_000 };
  expect((await data(reporter, REPORT, { input: { records: [own] } }, 'aidReport')).userErrors).toEqual([]);
  expect(await data(reporter, REPORT, { input: { records: [{ ...reversal, grantDate: '2026-03-01' }] } }, 'aidReport')).toEqual({ recorded: 1, userErrors: [] });
  const batch = [{ ...own, reference: 'OD-D2' }, { ...reversal, reference: 'OD-D2-R', supersedesReference: 'OD-D2', grantDate: '2026-03-01' }];
  await dbs.hubPool.query("UPDATE reported_aid SET reference = 'OD-D2' WHERE reference = 'OD-D1' AND reporter_client = 'od-linkage'");
  try {
    expect(await data(reporter, REPORT, { input: { records: batch } }, 'aidReport')).toEqual({ recorded: 2, userErrors: [] });
  } finally {
    await dbs.hubPool.query("UPDATE reported_aid SET reference = 'OD-D1' WHERE reference = 'OD-D2' AND reporter_client = 'od-linkage'");
  }
});
