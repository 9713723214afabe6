/**
 * A batch of reported aid is checked record by record (the pre-grant check, 救前查询), and the checks
 * share the request's department reads: one statement per department for the whole batch. Each
 * check read for itself before, so a batch of 1,000 (the most aidReport takes) was 1,000 statements
 * sent to the ledger at once; on the loaded demo machine they timed out (SOURCE_TIMEOUT_MS) and 887
 * of the 1,000 records came back in `incompleteChecks`, their X9 conflicts unsaid (tried with the
 * demo's emergency client on 7 December 2026). Through a real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions } from './support/scenarios';

const PEOPLE = Array.from({ length: 20 }, (_, i) => makeIdNumber('370811', `1960-03-${String(i + 1).padStart(2, '0')}`, 101 + 2 * i));
/** The one of them already holding 受灾人员过渡期生活救助 over the months the batch reports again. */
const HOLDER = 5;
const REPORT = `mutation($records: [ReportedAidInput!]!, $dryRun: Boolean) {
  aidReport(input: { records: $records, dryRun: $dryRun }) { recorded conflicts { index rule { id } } incompleteChecks { index } userErrors { code } }
}`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('reported_batch_reads');
  await insertRegions(dbs);
  for (const [i, idNumber] of PEOPLE.entries()) await addHousehold(dbs, `F-RB-${i}`, [{ idNumber, name: `甲${i}`, gender: 'M', birthDate: `1960-03-${String(i + 1).padStart(2, '0')}` }]);
  hub = await startTestHub(dbs);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('checks a batch with one read of the ledger, and finds the conflict of the record that has one', async () => {
  const e = await hub.createClient({ name: 'test-emergency-batch', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  const emergency = hub.as({ token: e.token, purpose: 'DUPLICATE_CHECK' });
  const transition = { programme: 'DISASTER_TRANSITION', amountFen: 60_000 };
  const first = await emergency.gql(REPORT, { records: [{ ...transition, beneficiaryIdNumber: PEOPLE[HOLDER], reference: 'RB-0', periodStart: '2025-10-01', periodEnd: '2026-02-28' }] });
  expect(first.data.aidReport).toEqual({ recorded: 1, conflicts: [], incompleteChecks: [], userErrors: [] });
  const batch = PEOPLE.map((idNumber, i) => ({ ...transition, beneficiaryIdNumber: idNumber, reference: `RB-${i + 1}`, periodStart: '2026-01-01', periodEnd: '2026-02-28' }));
  for (const dryRun of [true, false]) {
    const res = await emergency.gql(REPORT, { records: batch, dryRun });
    expect(res.errors).toBeUndefined();
    expect(res.data.aidReport).toEqual({ recorded: dryRun ? 0 : PEOPLE.length, conflicts: [{ index: HOLDER, rule: { id: 'X9' } }], incompleteChecks: [], userErrors: [] });
    // Twenty checks, one statement to the ledger (it was one a record: 20).
    expect(res.extensions?.sqlStatements?.bySource?.REPORTED).toBe(1);
  }
});
