/**
 * The words of a pre-grant check's findings, read by the officer about to grant. An open overlap was
 * joined from pieces spaced for the date they hold: "在 2026-01-01 起 期间重叠", a space between two
 * characters; it is now said from its start (自 2026-01-01 起重叠), and no text puts a space between
 * two Chinese characters. X5 said of a back-dated proposal "最后一笔未经批准为二次临时救助", which
 * read as the grant being checked while the latest grant of the window was one already made: the
 * grant is now named, as the proposal or by its day. Through a real hub over real department databases.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { findings { rule { id } explanation } } }`;
const SPACE_BETWEEN_CHINESE = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef] +[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/u;

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('pregrant_words');
  await insertRegions(dbs);
  // The head holds a rent subsidy (租赁补贴) from 2023-07-01 with no end; the grandmother a
  // temporary aid for illness on 2026-01-20, not approved as a second aid.
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function explanationOf(rule: string, input: Record<string, unknown>): Promise<string> {
  const res = await hub.as({ purpose: 'DUPLICATE_CHECK' }).gql(CHECK, { in: input });
  expect(res.errors).toBeUndefined();
  const found = res.data.preGrantCheck.findings.find((f: { rule: { id: string } }) => f.rule.id === rule);
  expect(found).toBeDefined();
  return found.explanation;
}

test('an open overlap is said from its start, with no space between two characters', async () => {
  expect(TODAY).toBe('2026-03-15');
  const text = await explanationOf('X4', { beneficiaryIdNumber: WANG.head, programme: 'PUBLIC_RENTAL', periodStart: '2026-01-01', amountFen: 50_000 });
  expect(text).toContain('自 2026-01-01 起重叠，至今仍在重叠（已 ');
  expect(text).not.toContain('起 期间');
  expect(text).not.toMatch(SPACE_BETWEEN_CHINESE);
});

test('a closed overlap keeps its period', async () => {
  const text = await explanationOf('X4', { beneficiaryIdNumber: WANG.head, programme: 'PUBLIC_RENTAL', periodStart: '2026-01-01', periodEnd: '2026-02-28', amountFen: 50_000 });
  expect(text).toContain('在 2026-01-01 至 2026-02-28 期间重叠，共 59 天。');
  expect(text).not.toMatch(SPACE_BETWEEN_CHINESE);
});

test('X5 on a back-dated proposal names the grant already made as the latest, not "the last one"', async () => {
  const text = await explanationOf('X5', { beneficiaryIdNumber: WANG.grandmother, programme: 'TEMP_AID', cause: 'ILLNESS', grantDate: '2026-01-05', amountFen: 100_000 });
  expect(text).toMatch(/，其中 2026-01-20 已发放的最晚一笔未经批准为二次临时救助。$/);
  expect(text).not.toContain('最后一笔');
});

test('X5 on a proposal after the grant on record names the proposal', async () => {
  const text = await explanationOf('X5', { beneficiaryIdNumber: WANG.grandmother, programme: 'TEMP_AID', cause: 'ILLNESS', grantDate: '2026-03-10', amountFen: 100_000 });
  expect(text).toMatch(/，拟发放的这一笔未经批准为二次临时救助。$/);
});
