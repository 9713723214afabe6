/**
 * A MOVED event records its facts in columns (migration monitoring 0012): the division the alert
 * left and, when it went with its case's hand-over, the case handed over and its successor. Its
 * reason stays for people. Every reader takes the columns: Alert.takenOver (a move with a hand-over
 * keeps a takeover, any other ends it), alertTakeOver's repeat, and Alert.history's offices (named in
 * the county the alert was in when each event was made). They read the words of the reason before,
 * so a reworded or translated reason ended a standing takeover and placed earlier events in the
 * county the alert moved to. Moves recorded before the columns are filled once from their reasons
 * by the migration, and read as they did.
 */
import { eq } from 'drizzle-orm';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TestClock } from '../support/clock';
import { okPayload as ok } from '../support/payloads';
import { countyClients } from '../support/cases';
import { writeWangJobLossAlert, WANG_TOWNSHIP } from '../support/alerts';
import { insertRegions, insertResident, moveHousehold, WANG, ZHAO } from '../support/scenarios';
import { migrationStatement } from '../support/migration-statement';
import { monitoringAlert } from '../../db/monitoring/schema';
import { moveAlertsHome } from '../../db/monitoring/store';
import { DEFAULT_LIMIT } from '../../domain/monitoring/triggers';

jest.setTimeout(180_000);

const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { userErrors { code } } }`;
const VERIFY = `mutation($i: AlertVerifyInput!) { alertVerify(input: $i) { case { id } userErrors { code } } }`;
const TAKE_OVER = `mutation($i: AlertTakeOverInput!) { alertTakeOver(input: $i) { repeated userErrors { code } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } userErrors { code } } }`;
const SUCCESSOR = `query($id: ID!) { case(id: $id) { successor { id } } }`;
const ALERT = `query($id: ID!) { alert(id: $id) { verifier { key county { code } } takenOver { office { key county { code } } by reason } history { action office { key county { code } } } } }`;
const WEISHAN_TOWNSHIP = ZHAO.regionCode.slice(0, 9);
const TAKEOVER_REASON = '逾期未签收，市民政局督办';

type Gql = TestHub['gql'];
type Key = 'citySupervisor' | 'renchengCa' | 'weishanCa' | 'weishanTownship';
type Facts = { formerRegionCode: string | null; handedOverCaseId: number | null; successorCaseId: number | null };
type MoveRow = Facts & { id: number; alertId: number; reason: string | null };

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
const clients: Record<Key, Gql> = {} as never;

async function read(gql: Gql, id: string) {
  const res = await gql(ALERT, { id });
  expect(res.errors).toBeUndefined();
  return res.data.alert;
}

/** The MOVED events of an alert (all alerts when none is named), with what they record. */
async function moves(alertId?: string): Promise<MoveRow[]> {
  const [rows] = await dbs.hubPool.query(
    `SELECT id, alert_id AS alertId, reason, former_region_code AS formerRegionCode, handed_over_case_id AS handedOverCaseId, successor_case_id AS successorCaseId
       FROM monitoring_alert_event WHERE action = 'MOVED' ${alertId === undefined ? '' : 'AND alert_id = ?'} ORDER BY id`,
    alertId === undefined ? [] : [alertId],
  );
  return (rows as MoveRow[]).map((r) => ({ ...r, handedOverCaseId: r.handedOverCaseId === null ? null : Number(r.handedOverCaseId), successorCaseId: r.successorCaseId === null ? null : Number(r.successorCaseId) }));
}

const reword = (eventId: number, reason: string) => dbs.hubPool.query('UPDATE monitoring_alert_event SET reason = ? WHERE id = ?', [reason, eventId]);

/** A household of its own in 古槐街道 with an open job-loss alert that the city's civil affairs took over. */
async function takenOverAlert(seq: number): Promise<{ householdId: number; alertId: string }> {
  const { idNumber, householdId } = await insertResident(dbs, { prefix: 'MOVEFACTS', seq, birthDate: '1981-04-07' });
  const alertId = await writeWangJobLossAlert(dbs, { identity: `move-facts-${seq}`, householdId, subject: idNumber, now: clock.now });
  await ok(clients.citySupervisor, TAKE_OVER, { i: { alertId, reason: TAKEOVER_REASON } }, 'alertTakeOver');
  return { householdId, alertId };
}

// Each alert as it read right after its move, with the words its move was recorded with.
const handOver = { alertId: '', caseId: 0, successorId: 0, read: null as unknown, reason: '' };
const newHome = { alertId: '', read: null as unknown, reason: '' };

beforeAll(async () => {
  dbs = await createTestDatabases('monitoring_move_facts');
  await insertRegions(dbs);
  hub = await startTestHub(dbs, { purpose: 'CASE_MEETING', clock: clock.now });
  const specs = [
    ['citySupervisor', '370800', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
    ['renchengCa', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanCa', '370826', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['weishanTownship', WEISHAN_TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'MONITORING'],
  ] as const;
  const made = await countyClients(hub, specs);
  for (const [key, client] of Object.entries(made)) clients[key as Key] = client.gql;
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
}, 60_000);

describe('a move with its case’s hand-over', () => {
  it('records the division left and both cases, and reads as one whatever its reason says', async () => {
    const { householdId, alertId } = await takenOverAlert(1);
    await ok(clients.citySupervisor, ACK, { i: { alertId } }, 'alertAcknowledge');
    const verified = await ok(clients.citySupervisor, VERIFY, { i: { alertId, outcome: 'NEEDS_AID', reason: '入户核实，确需救助' } }, 'alertVerify');
    const caseId = verified.case.id;
    const before = await read(clients.citySupervisor, alertId);
    expect(before.takenOver).toMatchObject({ office: { key: 'CIVIL_AFFAIRS', county: { code: '370811' } }, reason: TAKEOVER_REASON });

    await moveHousehold(dbs, householdId, ZHAO.regionCode);
    await ok(clients.renchengCa, HAND_OVER, { input: { caseId, reason: '户籍迁至微山县，移交微山县民政局办理' } }, 'caseHandOver');
    const successorId = (await clients.weishanCa(SUCCESSOR, { id: caseId })).data.case.successor.id;
    const [move] = await moves(alertId);
    expect(move).toMatchObject({ formerRegionCode: WANG.regionCode, handedOverCaseId: Number(caseId), successorCaseId: Number(successorId) });
    // The words stay for people.
    expect(move.reason).toMatch(/handed over as case/);

    const moved = await read(clients.weishanCa, alertId);
    expect(moved.verifier).toEqual({ key: 'CIVIL_AFFAIRS', county: { code: '370826' } });
    expect(moved.takenOver).toEqual(before.takenOver);
    expect(moved.history.map((e: { action: string }) => e.action)).toEqual(['OPENED', 'TAKEN_OVER', 'ACKNOWLEDGED', 'VERIFIED', 'MOVED']);
    // Taken over, signed for and verified in 任城区: named so after the move.
    expect(moved.history.slice(1, 4).map((e: { office: unknown }) => e.office)).toEqual(Array(3).fill({ key: 'CIVIL_AFFAIRS', county: { code: '370811' } }));
    Object.assign(handOver, { alertId, caseId: Number(caseId), successorId: Number(successorId), read: moved, reason: move.reason });

    // The reason reworded (or translated): the takeover still stands, each event keeps its county,
    // and the takeover retried is its repeat, recording nothing.
    await reword(move.id, `户 ${householdId}（${WANG.regionCode}）迁至 ${ZHAO.regionCode}，随案件 ${caseId} 移交（新案件 ${successorId}）`);
    expect(await read(clients.weishanCa, alertId)).toEqual(moved);
    expect(await read(clients.citySupervisor, alertId)).toEqual(moved);
    const again = await ok(clients.citySupervisor, TAKE_OVER, { i: { alertId, reason: TAKEOVER_REASON } }, 'alertTakeOver');
    expect(again.repeated).toBe(true);
    expect((await read(clients.weishanCa, alertId)).history).toHaveLength(5);
  });
});

describe('a move to the person’s new home', () => {
  it('records the division left and no case, ends the takeover, and keeps earlier events in their county whatever its reason says', async () => {
    const { householdId, alertId } = await takenOverAlert(2);
    await moveHousehold(dbs, householdId, ZHAO.regionCode);
    const [alert] = await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, Number(alertId)));
    const home = { householdId, regionCode: ZHAO.regionCode, townshipCode: WEISHAN_TOWNSHIP, verifierOffice: WEISHAN_TOWNSHIP, limit: DEFAULT_LIMIT };
    const changes = await dbs.hub.transaction((tx) => moveAlertsHome(tx, [{ alert, home }], clock.now()));
    expect(changes.map((c) => [c.event, c.formerRegionCode])).toEqual([['ALERT_MOVED', WANG.regionCode]]);
    const [move] = await moves(alertId);
    expect(move).toMatchObject({ formerRegionCode: WANG.regionCode, handedOverCaseId: null, successorCaseId: null });

    const moved = await read(clients.weishanTownship, alertId);
    // The new township verifies it: the takeover ended with the move.
    expect(moved).toMatchObject({ verifier: { key: WEISHAN_TOWNSHIP, county: { code: '370826' } }, takenOver: null });
    expect(moved.history.map((e: { action: string; office: unknown }) => [e.action, e.office])).toEqual([
      ['OPENED', null],
      ['TAKEN_OVER', { key: 'CIVIL_AFFAIRS', county: { code: '370811' } }],
      ['MOVED', null],
    ]);
    Object.assign(newHome, { alertId, read: moved, reason: move.reason });

    // Reworded in words of a hand-over: still a move that ended the takeover, from 任城区.
    await reword(move.id, `户 ${householdId}（${WANG.regionCode}）迁至 ${ZHAO.regionCode}; case 1 handed over as case 2`);
    expect(await read(clients.weishanTownship, alertId)).toEqual(moved);
  });
});

describe('moves recorded before the columns (migration 0012)', () => {
  it('are read once from their reasons as the hub wrote them, and then read as they did', async () => {
    expect(handOver.alertId && newHome.alertId).toBeTruthy();
    // As an earlier release left them: the reasons it wrote, no facts beside them.
    const recorded = await moves();
    for (const [m, reason] of [[recorded[0], handOver.reason], [recorded[1], newHome.reason]] as const) await reword(m.id, reason);
    await dbs.hubPool.query("UPDATE monitoring_alert_event SET former_region_code = NULL, handed_over_case_id = NULL, successor_case_id = NULL WHERE action = 'MOVED'");
    // And an alert of its own with moves of every shape an earlier release wrote (a household id
    // unknown, a township's code), beside words that are not a move's: those keep NULL.
    const { idNumber, householdId } = await insertResident(dbs, { prefix: 'MOVEFACTS', seq: 3, birthDate: '1982-05-08' });
    const other = await writeWangJobLossAlert(dbs, { identity: 'move-facts-3', householdId, subject: idNumber, now: clock.now });
    const old = [
      ['MOVED', 'household - (370811001) → 12 (370826100)'],
      ['MOVED', 'household 12 (370826100) → 12 (370811001001); case 41 handed over as case 57'],
      ['MOVED', '户 12（370811001001）迁至 370826100'],
      ['MOVED', 'household 12 (37081100100X) → 13 (370826100)'],
      ['MOVED', 'household 12 (370811001001) → 12 (370826100); case 4x handed over as case 57'],
      ['TAKEN_OVER', 'household 12 (370811001001) → 12 (370826100); case 41 handed over as case 57'],
    ] as const;
    for (const [i, [action, reason]] of old.entries())
      await dbs.hubPool.query("INSERT INTO monitoring_alert_event (alert_id, seq, action, from_state, to_state, grade, at, actor, actor_office, reason) VALUES (?, ?, ?, 'NEW', 'NEW', 'YELLOW', '2026-03-16 02:00:00.000', 'hub', 'HUB', ?)", [other, i + 2, action, reason]);
    // Read as nothing while unfilled: the takeover handed over reads as ended.
    expect((await read(clients.weishanCa, handOver.alertId)).takenOver).toBeNull();

    const backfill = migrationStatement('monitoring', '0012_move_facts.sql', 'UPDATE');
    await dbs.hubPool.query(backfill);
    const facts = (m: MoveRow) => ({ formerRegionCode: m.formerRegionCode, handedOverCaseId: m.handedOverCaseId, successorCaseId: m.successorCaseId });
    const filled = await moves();
    // What the hub recorded as it moved them.
    expect(filled.slice(0, 2).map(facts)).toEqual(recorded.slice(0, 2).map(facts));
    expect(filled.slice(2).map(facts)).toEqual([
      { formerRegionCode: '370811001', handedOverCaseId: null, successorCaseId: null },
      { formerRegionCode: '370826100', handedOverCaseId: 41, successorCaseId: 57 },
      { formerRegionCode: null, handedOverCaseId: null, successorCaseId: null },
      { formerRegionCode: null, handedOverCaseId: null, successorCaseId: null },
      { formerRegionCode: '370811001001', handedOverCaseId: null, successorCaseId: null },
    ]);
    const [taken] = (await dbs.hubPool.query("SELECT former_region_code AS f, handed_over_case_id AS h, successor_case_id AS s FROM monitoring_alert_event WHERE action = 'TAKEN_OVER' AND alert_id = ?", [other]))[0] as { f: string | null; h: number | null; s: number | null }[];
    expect(taken).toEqual({ f: null, h: null, s: null });
    // Read as they were read right after their moves.
    expect(await read(clients.weishanCa, handOver.alertId)).toEqual(handOver.read);
    expect(await read(clients.weishanTownship, newHome.alertId)).toEqual(newHome.read);
    // Once: run again, it changes nothing.
    const [again] = await dbs.hubPool.query(backfill);
    expect((again as { affectedRows: number }).affectedRows).toBe(0);
  });
});
