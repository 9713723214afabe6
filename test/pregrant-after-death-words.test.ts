/**
 * A pre-grant check of recurring aid for someone who has died is X8 (DOMAIN: recurring aid paid after
 * the beneficiary's death), and its explanation is read by the officer about to grant. It said of
 * the proposed grant, which nobody has paid, what it says of a department's record: "…（拟发放）在
 * 2027-01-01 起 仍发放 1 个月，约 100.00 元，至今仍在发放" (its months are counted up to today, one
 * for a grant to start later, and a proposal has no end "up to now"). A proposal is now said to fall
 * after the death, naming the part that does when it begins before; a record already paid on keeps
 * its months and amount. Through a real hub over real department databases.
 */
import { makeIdNumber } from '../domain/id-number';
import { humanResourcesScenario } from '../federation/human-resources/scenario';
import { addHousehold } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

const DECEASED = makeIdNumber('370811', '1957-07-07', 71);
const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear conflicts findings { rule { id } records { sourceReference } explanation } } }`;
const FINDINGS = `query($id: String!) { person(idNumber: $id) { findings { rule { id } explanation } } }`;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_after_death_words');
  await insertRegions(dbs);
  // Died 2026-01-10 (TODAY is 2026-03-15): paid for January, nothing from February on.
  await addHousehold(dbs, 'F-X8-WORDS', [{ idNumber: DECEASED, name: '丙', gender: 'M', birthDate: '1957-07-07', deathDate: '2026-01-10' }]);
  // A benefit 人社 still pays: a record, whose explanation counts what was paid after the death.
  await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentBenefits', [{ sfzhm: DECEASED, ksrq: '2025-09-01', zzrq: null, yffbz: '1800.00', ffzt: 1 }]);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function x8Of(input: Record<string, unknown>): Promise<string> {
  const res = await hub.gql(CHECK, { in: { beneficiaryIdNumber: DECEASED, amountFen: 10_000, ...input } });
  expect(res.errors).toBeUndefined();
  expect(res.data.preGrantCheck).toMatchObject({ clear: false });
  const found = res.data.preGrantCheck.findings.find((f: { rule: { id: string }; records: { sourceReference: string }[] }) => f.rule.id === 'X8' && f.records.some((r) => r.sourceReference === 'PROPOSED'));
  expect(found).toBeDefined();
  return found.explanation;
}

test('a proposed grant starting after the death is said to fall after it, not to be "still paid … up to now"', async () => {
  const text = await x8Of({ programme: 'DISABILITY_LIVING', periodStart: '2026-05-01' });
  expect(text).toContain('拟发放');
  expect(text).toContain('在其死亡之后');
  // The rule's title (受益人死亡后仍发放定期救助) leads every X8 text; what follows it is the grant's own.
  expect(text).not.toMatch(/仍发放 \d+ 个月/);
  expect(text).not.toContain('至今仍在发放');
});

test('a proposed grant beginning before the death names the part after it', async () => {
  const text = await x8Of({ programme: 'PUBLIC_WELFARE_JOB', periodStart: '2025-12-01', periodEnd: '2026-06-30' });
  expect(text).toContain('其中 2026-02-01 至 2026-06-30 的部分在其死亡之后');
  expect(text).not.toMatch(/仍发放 \d+ 个月/);
});

test('a benefit the department pays on after the death keeps its months, amount and "still paid"', async () => {
  const res = await hub.gql(FINDINGS, { id: DECEASED });
  expect(res.errors).toBeUndefined();
  const [x8] = res.data.person.findings.filter((f: { rule: { id: string } }) => f.rule.id === 'X8');
  // February and March 2026, ¥1,800 a month.
  expect(x8.explanation).toContain('自 2026-02-01 起仍发放 2 个月，约 3600.00 元，至今仍在发放');
});

// Its figures (AidAfterDeath) counted months and amount up to today, as for aid on record: a
// proposed five-year grant read as the two months from the death to today. A proposal with an end
// covers its proposed period after the death: from the month after it to the proposed end.
const MEASURE = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { findings { rule { id } records { sourceReference } measure { ... on AidAfterDeath { from to months excessFen } } } } }`;

async function x8MeasureOf(input: Record<string, unknown>): Promise<unknown> {
  const res = await hub.gql(MEASURE, { in: { beneficiaryIdNumber: DECEASED, amountFen: 10_000, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.preGrantCheck.findings.find((f: { rule: { id: string }; records: { sourceReference: string }[] }) => f.rule.id === 'X8' && f.records.some((r) => r.sourceReference === 'PROPOSED'))?.measure;
}

test('a proposal with an end counts the months and amount of its period after the death, to its end', async () => {
  // February 2026 to June 2030: 53 months of ¥100.
  expect(await x8MeasureOf({ programme: 'DISABILITY_LIVING', periodStart: '2025-12-01', periodEnd: '2030-06-30' })).toEqual({ from: '2026-02-01', to: '2030-06-30', months: 53, excessFen: 530_000 });
  // Starting after the death: from its own start (May 2026 to April 2027, 12 months).
  expect(await x8MeasureOf({ programme: 'DISABILITY_LIVING', periodStart: '2026-05-01', periodEnd: '2027-04-30' })).toEqual({ from: '2026-05-01', to: '2027-04-30', months: 12, excessFen: 120_000 });
});

test('a proposal with no end is counted as aid on record, up to today; its words have no space between characters', async () => {
  expect(await x8MeasureOf({ programme: 'DISABILITY_LIVING', periodStart: '2025-12-01' })).toEqual({ from: '2026-02-01', to: null, months: 2, excessFen: 20_000 });
  const text = await x8Of({ programme: 'DISABILITY_LIVING', periodStart: '2025-12-01' });
  expect(text).toContain('其中 2026-02-01 起的部分在其死亡之后');
});
