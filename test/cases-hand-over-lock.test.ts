/**
 * A hand-over takes the household's decision turn (db/cases/write.ts lockHouseholdTurn), and for a
 * household with no row of household_decision_lock yet (its cases opened before migration 0007) made
 * the row inside its transaction. A hand-over that then rolled back (here: its successor refused by
 * the unique predecessor index; any error does) took the row away under two case openings of the
 * household waiting on its key (each making the row first, ensureHouseholdTurn), and InnoDB had one
 * of them deadlock (1213): INTERNAL for a request that was in order. Now the hand-over makes the row
 * before its transaction, committed on its own, as a checked decision does
 * (test/cases-decision-lock.test.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { householdDecisionLock } from '../db/case-loop/schema';
import { aidCase } from '../db/cases/schema';
import { toDbInstant } from '../db/instants';
import { createTestDatabases, lockWaits, type TestDatabases } from './support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';
import { okPayload as ok } from './support/payloads';
import { countyClients } from './support/cases';
import { until } from './support/until';
import { insertRegions, insertZhao, moveHousehold, REGIONS, TODAY } from './support/scenarios';

jest.setTimeout(180_000);

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } userErrors { code } } }`;
const WEISHAN = '370826';
const NEW_HOME = REGIONS.find((r) => r.level === 'VILLAGE' && r.code.startsWith('370811'))!.code;

let dbs: TestDatabases;
let hub: TestHub;
let zhaoId: number;
let weishanCa: TestHub['gql'];
let renchengCa: TestHub['gql'];

beforeAll(async () => {
  dbs = await createTestDatabases('cases_hand_over_lock');
  await insertRegions(dbs);
  zhaoId = await insertZhao(dbs);
  // The hub's statements wait on the locks held below as long as the test holds them (on a loaded machine, longer than the default 5 s).
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', hubTimeoutMs: 120_000 });
  const made = await countyClients(hub, [
    ['weishanCa', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['renchengCa', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  weishanCa = made.weishanCa.gql;
  renchengCa = made.renchengCa.gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('opens (or refuses) cases of the household while a hand-over that would have made its turn row rolls back, without a deadlock', async () => {
  const caseId = (await ok(weishanCa, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '住院费用' } }, 'caseOpen')).case.id;
  // As for a case opened before migration 0007: the household has no decision turn row.
  await dbs.hub.delete(householdDecisionLock).where(eq(householdDecisionLock.householdId, zhaoId));
  await moveHousehold(dbs, zhaoId, NEW_HOME);
  const handOver = () => weishanCa(HAND_OVER, { input: { caseId, reason: '户籍迁至任城区，移交任城区民政局办理' } });
  let first!: Promise<GraphQLResponse>;
  let opens!: Promise<GraphQLResponse>[];
  // A successor of the case held uncommitted by another connection: the hand-over, having taken the
  // household's turn, waits on it, and is refused by the unique index (rolled back) once it commits.
  await dbs.hub.transaction(async (tx) => {
    const [home] = await tx.execute(sql`select township_code from aid_case where id = ${Number(caseId)}`);
    const township = (home as unknown as { township_code: string }[])[0].township_code;
    // Without its foreign key's check, whose shared lock on the case would stop the hand-over at the case instead.
    await tx.execute(sql`set foreign_key_checks = 0`);
    await tx.insert(aidCase).values({ householdId: zhaoId, townshipCode: township, origin: 'APPLICATION', urgency: 'NORMAL', state: 'REPORTED', summary: '占位', firstOffice: 'CIVIL_AFFAIRS', ownerOffice: 'CIVIL_AFFAIRS', reportedAt: toDbInstant(new Date()), predecessorCaseId: Number(caseId) });
    first = handOver();
    await until('the hand-over waiting on the successor held', () => lockWaits(dbs.hub), (n) => n >= 1);
    // 任城区, where the household lives now, is asked to open a case for it twice at once.
    opens = ['迁入后申请救助', '迁入后再次申请'].map((summary) => renchengCa(OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }));
    await until('both case openings waiting on the household’s turn', () => lockWaits(dbs.hub), (n) => n >= 3);
    await tx.execute(sql`set foreign_key_checks = 1`);
  });
  // The hand-over is refused by the index (an error of its own, nothing written); the openings are
  // answered as the case still open in 微山县 has them answered, not with an error.
  expect((await first).errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  const answers = await Promise.all(opens);
  expect(answers.map((a) => a.errors?.map((e) => e.extensions?.code) ?? a.data.caseOpen.userErrors.map((e: { code: string }) => e.code))).toEqual([['OPEN_CASE_IN_OTHER_COUNTY'], ['OPEN_CASE_IN_OTHER_COUNTY']]);
  // The placeholder gone, the hand-over goes through.
  await dbs.hub.delete(aidCase).where(eq(aidCase.predecessorCaseId, Number(caseId)));
  expect((await handOver()).data.caseHandOver).toMatchObject({ case: { id: caseId, state: 'HANDED_OVER' }, userErrors: [] });
});
