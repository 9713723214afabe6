/**
 * X8 (DOMAIN: recurring aid paid for months after the beneficiary's death) covers 人社's two
 * recurring programmes, 失业保险金 and 公益性岗位补贴, as it covers 低保 and 应急's transition aid.
 * Left out of the rule's programmes, a benefit 人社 kept paying months after the death was no
 * finding, and a pre-grant check of one starting after the death answered clear, consulting
 * nobody (T3, the death-on-roll trigger, already counted them). Through a real hub over real
 * department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const DECEASED = makeIdNumber('370811', '1966-04-04', 51);
const NEAR_MISS = makeIdNumber('370811', '1968-08-08', 62);
const FINDINGS = `query($id: String!) { person(idNumber: $id) { findings { rule { id } records { programme { code } } explanation } } }`;
const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear conflicts consulted { code } findings { rule { id } } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('x8_employment');
  await insertRegions(dbs);
  // Died 2026-01-10 (TODAY is 2026-03-15); a second person died the same day, whose benefit and post stopped with that month.
  await addHousehold(dbs, 'F-X8-HR', [{ idNumber: DECEASED, name: '甲', gender: 'M', birthDate: '1966-04-04', deathDate: '2026-01-10' }]);
  await addHousehold(dbs, 'F-X8-HR-2', [{ idNumber: NEAR_MISS, name: '乙', gender: 'F', birthDate: '1968-08-08', deathDate: '2026-01-10' }]);
  const hr = dbs.sources.HUMAN_RESOURCES;
  await humanResourcesScenario.insert(hr, 'unemploymentBenefits', [
    { sfzhm: DECEASED, ksrq: '2025-09-01', zzrq: null, yffbz: '1800.00', ffzt: 1 },
    { sfzhm: NEAR_MISS, ksrq: '2025-09-01', zzrq: '2026-01-31', yffbz: '1800.00', ffzt: 1 },
  ]);
  await humanResourcesScenario.insert(hr, 'publicWelfareJobs', [
    { sfzhm: DECEASED, gwmc: '保洁', yrdw: '南门社区居委会', ksrq: '2025-06-01', jsrq: null, gwbt: '1200.00' },
    { sfzhm: NEAR_MISS, gwmc: '保洁', yrdw: '南门社区居委会', ksrq: '2025-06-01', jsrq: '2026-01-31', gwbt: '1200.00' },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('失业保险金 and 公益性岗位补贴 paid on past the month of death are X8', async () => {
  const res = await hub.gql(FINDINGS, { id: DECEASED });
  expect(res.errors).toBeUndefined();
  const x8 = res.data.person.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X8');
  expect(x8.map((f: { records: { programme: { code: string } }[] }) => f.records[0].programme.code).sort()).toEqual(['PUBLIC_WELFARE_JOB', 'UNEMPLOYMENT_BENEFIT']);
  // February and March 2026.
  expect(x8.every((f: { explanation: string }) => f.explanation.includes('仍发放 2 个月'))).toBe(true);
});

test('stopped with the month of death, they are no finding', async () => {
  const res = await hub.gql(FINDINGS, { id: NEAR_MISS });
  expect(res.errors).toBeUndefined();
  expect(res.data.person.findings).toEqual([]);
});

test.each(['UNEMPLOYMENT_BENEFIT', 'PUBLIC_WELFARE_JOB'])('a pre-grant check of %s starting after the death is X8', async (programme) => {
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: NEAR_MISS, programme, periodStart: '2026-03-01', amountFen: 180_000 } });
  expect(res.errors).toBeUndefined();
  expect(res.data.preGrantCheck).toMatchObject({ clear: false, conflicts: 1, findings: [{ rule: { id: 'X8' } }] });
});
