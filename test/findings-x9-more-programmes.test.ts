/**
 * X9 (DOMAIN: the same recurring programme held twice at once) covers every recurring programme a
 * person is paid monthly: 人社's 失业保险金 and 公益性岗位补贴, and 应急's 受灾人员过渡期生活救助 in the
 * reported-aid ledger. Left out of the rule's programmes, two benefits paid at once, or a second
 * transition aid reported over months already reported, were no finding and no conflict. Through a
 * real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const TWICE = makeIdNumber('370811', '1970-02-02', 71);
const IN_TURN = makeIdNumber('370811', '1972-03-03', 82);
const FINDINGS = `query($id: String!) { person(idNumber: $id) { findings { rule { id } records { programme { code } sourceReference } } } }`;
const REPORT = `mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded conflicts { index rule { id } } userErrors { code } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('x9_more_programmes');
  await insertRegions(dbs);
  await addHousehold(dbs, 'F-X9-1', [{ idNumber: TWICE, name: '丙', gender: 'M', birthDate: '1970-02-02' }]);
  await addHousehold(dbs, 'F-X9-2', [{ idNumber: IN_TURN, name: '丁', gender: 'F', birthDate: '1972-03-03' }]);
  const hr = dbs.sources.HUMAN_RESOURCES;
  await humanResourcesScenario.insert(hr, 'unemploymentBenefits', [
    { sfzhm: TWICE, ksrq: '2025-09-01', zzrq: null, yffbz: '1800.00', ffzt: 1 },
    { sfzhm: TWICE, ksrq: '2026-01-01', zzrq: null, yffbz: '1750.00', ffzt: 1 },
    // One after the other: no overlap.
    { sfzhm: IN_TURN, ksrq: '2025-01-01', zzrq: '2025-06-30', yffbz: '1800.00', ffzt: 1 },
    { sfzhm: IN_TURN, ksrq: '2025-07-01', zzrq: null, yffbz: '1800.00', ffzt: 1 },
  ]);
  await humanResourcesScenario.insert(hr, 'publicWelfareJobs', [
    { sfzhm: TWICE, gwmc: '保洁', yrdw: '南门社区居委会', ksrq: '2025-06-01', jsrq: null, gwbt: '1200.00' },
    { sfzhm: TWICE, gwmc: '护林', yrdw: '古槐街道办事处', ksrq: '2026-02-01', jsrq: null, gwbt: '1100.00' },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('失业保险金 and 公益性岗位补贴 paid twice at once are X9; paid one after the other, not', async () => {
  const twice = await hub.gql(FINDINGS, { id: TWICE });
  expect(twice.errors).toBeUndefined();
  const x9 = twice.data.person.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X9');
  expect(x9.map((f: { records: { programme: { code: string } }[] }) => f.records.map((r) => r.programme.code))).toEqual(
    expect.arrayContaining([
      ['UNEMPLOYMENT_BENEFIT', 'UNEMPLOYMENT_BENEFIT'],
      ['PUBLIC_WELFARE_JOB', 'PUBLIC_WELFARE_JOB'],
    ]),
  );
  expect(x9).toHaveLength(2);
  const inTurn = await hub.gql(FINDINGS, { id: IN_TURN });
  expect(inTurn.errors).toBeUndefined();
  expect(inTurn.data.person.findings).toEqual([]);
});

test('a second 受灾人员过渡期生活救助 reported over months already reported is X9', async () => {
  const e = await hub.createClient({ name: 'test-emergency-x9', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
  const emergency = hub.as({ token: e.token, purpose: 'DUPLICATE_CHECK' });
  const transition = { beneficiaryIdNumber: IN_TURN, programme: 'DISASTER_TRANSITION', amountFen: 60_000 };
  const first = await emergency.gql(REPORT, { records: [{ ...transition, reference: 'GD-X9-1', periodStart: '2025-10-01', periodEnd: '2026-02-28' }] });
  expect(first.data.aidReport).toEqual({ recorded: 1, conflicts: [], userErrors: [] });
  // The month after: no overlap.
  const next = await emergency.gql(REPORT, { records: [{ ...transition, reference: 'GD-X9-2', periodStart: '2026-03-01', periodEnd: '2026-03-15' }] });
  expect(next.data.aidReport).toEqual({ recorded: 1, conflicts: [], userErrors: [] });
  const again = await emergency.gql(REPORT, { records: [{ ...transition, reference: 'GD-X9-3', periodStart: '2026-01-01', periodEnd: '2026-02-28' }] });
  expect(again.data.aidReport).toEqual({ recorded: 1, conflicts: [{ index: 0, rule: { id: 'X9' } }], userErrors: [] });
});
