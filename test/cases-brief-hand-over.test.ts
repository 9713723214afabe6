/**
 * 本户其他案件 after a hand-over (移交): the 赵 household has two cases in 微山县 (A and A2); it moves to
 * 任城区 and 微山县 hands A over, opening its successor B there. 微山县 does not read B (its `case` is
 * OUT_OF_SCOPE), so neither its dossier nor its brief lists B, its state, summary or slips (they did:
 * the dossier listed every case of the household). 任城区 reads A as B's predecessor, and its brief
 * lists it. The copy stored with a meeting of A2 (no caller) holds the cases 微山县 reads then: not B.
 */
import { eq } from 'drizzle-orm';
import { caseMeeting } from '../db/cases/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok } from './support/payloads';
import { countyClients, toDeliberation } from './support/cases';
import { insertRegions, insertZhao, moveHousehold, TODAY, REGIONS, ZHAO } from './support/scenarios';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id reference } userErrors { code } } }`;
const HAND_OVER = `mutation($input: CaseHandOverInput!) { caseHandOver(input: $input) { case { id state } successorReference userErrors { code } } }`;
const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { id decisions { id } } userErrors { code } } }`;
const DOSSIER = `query($id: ID!) { case(id: $id) { dossier { earlierCases { id reference } referrals { id } } } }`;
const SUCCESSOR = `query($id: ID!) { case(id: $id) { successor { id reference } } }`;

const WEISHAN = '370826';
const RENCHENG = '370811';
const RENCHENG_HOME = REGIONS.find((r) => r.level === 'VILLAGE' && r.code.startsWith(RENCHENG))!.code;
/** The successor's own summary, which 微山县 is not to read. */
const SUCCESSOR_SUMMARY = '承接微山县移交案件，户主新近住院';
/** The ask of 任城区's decision on B. */
const SUCCESSOR_ASK = '任城区会议决定临时救助八百元';

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock('2026-03-16T10:00:00+08:00');
let clients: Awaited<ReturnType<typeof countyClients<'weishanCa' | 'renchengCa'>>>;
let caseA: { id: string; reference: string };
let caseA2: { id: string; reference: string };
let caseB: { id: string; reference: string };
let successorSlip: string;

async function briefText(client: { headers: Record<string, string> }, caseId: string, query = '?view=current'): Promise<string> {
  const res = await fetch(`${hub.url}/cases/${caseId}/brief${query}`, { headers: client.headers });
  expect(res.status).toBe(200);
  return (await res.text()).replace(/<[^>]+>/g, '');
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_brief_hand_over');
  await insertRegions(dbs);
  const zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  clients = await countyClients(hub, [
    ['weishanCa', WEISHAN, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['renchengCa', RENCHENG, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  const open = (summary: string) => ok(clients.weishanCa.gql, OPEN, { input: { householdId: String(zhaoId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen').then((r) => r.case);
  caseA = await open('住院自付费用较高');
  caseA2 = await open('子女就学困难');
  await moveHousehold(dbs, zhaoId, RENCHENG_HOME);
  await ok(clients.weishanCa.gql, HAND_OVER, { input: { caseId: caseA.id, reason: '户籍迁至任城区' } }, 'caseHandOver');
  caseB = (await clients.renchengCa.gql(SUCCESSOR, { id: caseA.id })).data.case.successor;
  // 任城区 takes the case on and writes its own account of it.
  await toDeliberation(clients.renchengCa.gql, caseB.id);
  const [changed] = await dbs.hub.execute(`UPDATE aid_case SET summary = '${SUCCESSOR_SUMMARY}' WHERE id = ${Number(caseB.id)}`);
  expect((changed as unknown as { affectedRows: number }).affectedRows).toBe(1);
  const decision = { department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 80_000, deadlineWorkingDays: 5, beneficiaryIdNumber: ZHAO.head, ask: SUCCESSOR_ASK };
  const met = await ok(clients.renchengCa.gql, MEETING, { input: { caseId: caseB.id, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [decision] } }, 'meetingRecord');
  successorSlip = met.meeting.decisions[0].id;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the old county’s brief and dossier after a hand-over', () => {
  it('leave out the successor, which that county does not read, and keep its other case', async () => {
    for (const text of [await briefText(clients.weishanCa, caseA.id), await briefText(clients.weishanCa, caseA.id, '')]) {
      expect(text).not.toContain(caseB.reference);
      expect(text).not.toContain(SUCCESSOR_SUMMARY);
      expect(text).not.toContain(SUCCESSOR_ASK);
      expect(text).toContain(caseA2.reference);
    }
    const read = await clients.weishanCa.gql(DOSSIER, { id: caseA.id });
    expect(read.errors).toBeUndefined();
    expect(read.data.case.dossier.earlierCases.map((k: { id: string }) => k.id)).toEqual([caseA2.id]);
    expect(read.data.case.dossier.referrals.map((r: { id: string }) => r.id)).not.toContain(successorSlip);
  });

  it('while the new county’s brief lists the case it continues', async () => {
    const text = await briefText(clients.renchengCa, caseB.id);
    expect(text).toContain(caseA.reference);
    expect(text).toContain(SUCCESSOR_ASK);
  });
});

describe('a meeting’s stored dossier', () => {
  it('holds the other cases the case’s own county reads when it is recorded: not the successor', async () => {
    await toDeliberation(clients.weishanCa.gql, caseA2.id);
    const met = await ok(clients.weishanCa.gql, MEETING, { input: { caseId: caseA2.id, heldOn: '2026-03-16', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [] } }, 'meetingRecord');
    const [stored] = await dbs.hub.select({ dossier: caseMeeting.dossierJson }).from(caseMeeting).where(eq(caseMeeting.id, Number(met.meeting.id)));
    const ids = (JSON.parse(stored.dossier) as { earlierCases: { id: number }[] }).earlierCases.map((k) => String(k.id));
    expect(ids).toEqual([caseA.id]);
    // Printed later, the stored copy is narrowed by the reader too.
    const printed = await briefText(clients.weishanCa, caseA2.id, `?meeting=${met.meeting.id}`);
    expect(printed).not.toContain(caseB.reference);
    expect(printed).toContain(caseA.reference);
  });
});
