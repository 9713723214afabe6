/**
 * X8 counts the months a recurring grant was paid after the month of death (自死亡次月起停发), up to
 * today (README, "Aid reported directly": "X8 counts months after a death up to today"). A death in
 * the current month left no such month yet, but the rule counted the month to come: the day civil
 * affairs registered a death, every open enrolment of the person was an X8 CONFLICT of one month
 * paid after it, before any was. The day after the month of death ends it is one. A grant proposed
 * to start after the death is still X8 at once: it asks to pay then; and the month of death is owed
 * only to aid running at the death, so a grant begun after it and ending within that month is X8 too
 * (it answered clear). Through a real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

/** Died this month (TODAY is 2026-03-15). */
const THIS_MONTH = makeIdNumber('370811', '1966-04-04', 51);
/** Died on the last day of the month before: March is the first month not owed. */
const LAST_MONTH = makeIdNumber('370811', '1968-08-08', 62);
const FINDINGS = `query($id: String!) { person(idNumber: $id) { findings { rule { id } explanation } } }`;
const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear conflicts findings { rule { id } } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('x8_month_of_death');
  await insertRegions(dbs);
  await addHousehold(dbs, 'F-X8-MD-1', [{ idNumber: THIS_MONTH, name: '甲', gender: 'M', birthDate: '1966-04-04', deathDate: '2026-03-01' }]);
  await addHousehold(dbs, 'F-X8-MD-2', [{ idNumber: LAST_MONTH, name: '乙', gender: 'F', birthDate: '1968-08-08', deathDate: '2026-02-28' }]);
  await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentBenefits', [
    { sfzhm: THIS_MONTH, ksrq: '2025-09-01', zzrq: null, yffbz: '1800.00', ffzt: 1 },
    { sfzhm: LAST_MONTH, ksrq: '2025-09-01', zzrq: null, yffbz: '1800.00', ffzt: 1 },
  ]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

test('an enrolment still open in the month of death is no X8 yet', async () => {
  const res = await hub.gql(FINDINGS, { id: THIS_MONTH });
  expect(res.errors).toBeUndefined();
  expect(res.data.person.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X8')).toEqual([]);
});

test('from the first day of the month after the death it is X8, of that month', async () => {
  const res = await hub.gql(FINDINGS, { id: LAST_MONTH });
  expect(res.errors).toBeUndefined();
  const x8 = res.data.person.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X8');
  expect(x8).toHaveLength(1);
  expect(x8[0].explanation).toContain('仍发放 1 个月');
});

test('a grant proposed to start after a death this month is X8 at once', async () => {
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: THIS_MONTH, programme: 'UNEMPLOYMENT_BENEFIT', periodStart: '2026-03-15', amountFen: 180_000 } });
  expect(res.errors).toBeUndefined();
  expect(res.data.preGrantCheck).toMatchObject({ clear: false, findings: expect.arrayContaining([{ rule: { id: 'X8' } }]) });
});

test('a grant proposed to start after the death and end within its month is X8: the month is owed only to aid running at the death', async () => {
  // It answered clear: the month of death was let off for every grant, one begun after the death too.
  const after = await hub.gql(CHECK, { in: { beneficiaryIdNumber: THIS_MONTH, programme: 'DISABILITY_LIVING', periodStart: '2026-03-02', periodEnd: '2026-03-31', amountFen: 180_000 } });
  expect(after.errors).toBeUndefined();
  expect(after.data.preGrantCheck).toMatchObject({ clear: false, conflicts: 1, findings: [{ rule: { id: 'X8' } }] });
  // Near miss: begun before the death (here on its day), ending with its month, is owed that month.
  const before = await hub.gql(CHECK, { in: { beneficiaryIdNumber: THIS_MONTH, programme: 'PUBLIC_WELFARE_JOB', periodStart: '2026-03-01', periodEnd: '2026-03-31', amountFen: 180_000 } });
  expect(before.errors).toBeUndefined();
  expect(before.data.preGrantCheck).toMatchObject({ clear: true, conflicts: 0, findings: [] });
});
