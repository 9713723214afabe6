/**
 * Every supervision list filed under the office that owned the case when the thing happened, after a
 * hand-over (首问负责 handed on: a hand-over slip accepted, OWNER_CHANGED), on a real hub database whose
 * clock the test moves. 任城区民政局 owns the Wang household's case and convenes its meeting on Monday
 * 2026-03-02; justice declines two of its legal aids, the convener waives one and corrects a Red Cross
 * relief's limit; on 03-06 it hands the case to 古槐街道, which accepts. overdueReport filed the waiver
 * and the correction under whoever owns the case now (the township, which did none of it); they stay
 * 任城区民政局's, and what the township does after it took over (a waiver) is the township's. The decline
 * still open is the township's to resolve now (only the case's owner may): it is filed under the
 * township, which until session 47 did not see it among its own work, and stays among 任城区民政局's
 * (declinedUnder), which left it open when it handed the case on.
 * The owner at each instant is read in the list's own statement, from the OWNER_CHANGED event's columns
 * (case_event.from_office, to_office; cases migration 0018): the same statements with the hand-over as
 * without. The case's history shows the same columns through the API (CaseEvent.fromOffice, toOffice),
 * none on other events, with no statement more. Events recorded before the columns are filled from their
 * reason by the data upgrade (jobs migration 0007), each sealed again as filled, so audit:verify reads
 * them intact; one whose reason names no offices stays unfilled and shows none.
 */
import { and, eq } from 'drizzle-orm';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok } from './support/payloads';
import { countyClients } from './support/cases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { caseEvent } from '../db/cases/schema';
import { sealedTransaction, sealLater, verifyCaseSeals } from '../db/cases/seals';
import { OWNER_CHANGE_OFFICES, runDataUpgrades } from '../db/setup/upgrades';

jest.setTimeout(180_000);

const cn = (local: string) => `${local}+08:00`;
const TOWNSHIP = '370811001';
const COUNTY_CA = 'CIVIL_AFFAIRS';
const SLIP = `referral { id state } userErrors { code field }`;
const REPORT = `query($asOf: DateTime) { overdueReport(asOf: $asOf, shortfallsSince: "2026-03-01") {
  byOffice { office { key } declinesOpen { referral { id } owner { key } declinedUnder { key } } decisionsWaived { referral { id } } corrected { referral { id } } declined { referral { id } } }
  byTownship { township { code } declinesOpen { referral { id } } decisionsWaived { referral { id } } corrected { referral { id } } } } }`;

const HISTORY = `query($id: ID!) { case(id: $id) { history { action reason fromOffice { key name county { code } } toOffice { key name county { code } } } } }`;

type Caller = ReturnType<TestHub['as']>;
type HistoryOffice = { key: string; name: string; county: { code: string } | null } | null;
type HistoryEntry = { action: string; reason: string | null; fromOffice: HistoryOffice; toOffice: HistoryOffice };
type Lists = { declinesOpen: string[]; decisionsWaived: string[]; corrected: string[] };

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock(cn('2026-03-02T09:00:00'));
let county: Caller;
let township: Caller;
let justice: Caller;
let supervisor: Caller;
let caseId: string;
/** The head's legal aid (declined, waived), the spouse's (declined, open), the Red Cross relief (corrected). */
const slip = { waived: '', open: '', corrected: '' };
let statementsBefore: unknown;

/** Per office key, this case's slips in the three lists the convener answers for; and the statements the report took. */
async function report(asOf?: string, caller: Caller = supervisor): Promise<{ byOffice: Record<string, Lists>; declines: string[][]; statements: unknown }> {
  const res = await caller.gql(REPORT, asOf ? { asOf: cn(asOf) } : {});
  expect(res.errors).toBeUndefined();
  const r = res.data.overdueReport;
  const ids = (list: { referral: { id: string } }[]) => list.map((x) => x.referral.id);
  const lists = (g: any): Lists => ({ declinesOpen: ids(g.declinesOpen), decisionsWaived: ids(g.decisionsWaived), corrected: ids(g.corrected) });
  // Filed once in the township, whichever office (an open decline among the offices also under the one it was declined under).
  const all = (groups: any[]) => groups.map(lists).reduce((a, l) => ({ declinesOpen: [...a.declinesOpen, ...l.declinesOpen], decisionsWaived: [...a.decisionsWaived, ...l.decisionsWaived], corrected: [...a.corrected, ...l.corrected] }), { declinesOpen: [], decisionsWaived: [], corrected: [] });
  const sorted = (l: Lists) => ({ declinesOpen: [...l.declinesOpen].sort(), decisionsWaived: [...l.decisionsWaived].sort(), corrected: [...l.corrected].sort() });
  const once = (l: Lists) => ({ ...l, declinesOpen: [...new Set(l.declinesOpen)] });
  expect(sorted(all(r.byTownship))).toEqual(sorted(once(all(r.byOffice))));
  const byOffice = Object.fromEntries(r.byOffice.map((g: any) => [g.office.key, lists(g)]).filter(([, l]: [string, Lists]) => Object.values(l).some((x) => x.length > 0)));
  // Each open decline as listed: the office it is listed under, the slip, its owner at asOf and the office it was declined under.
  const declines = r.byOffice.flatMap((g: any) => g.declinesOpen.map((d: any) => [g.office.key, d.referral.id, d.owner.key, d.declinedUnder.key]));
  return { byOffice, declines, statements: res.extensions?.sqlStatements?.bySource };
}

async function ownerChanges() {
  return dbs.hub.select({ id: caseEvent.id, seq: caseEvent.seq, reason: caseEvent.reason, fromOffice: caseEvent.fromOffice, toOffice: caseEvent.toOffice }).from(caseEvent).where(and(eq(caseEvent.caseId, Number(caseId)), eq(caseEvent.action, 'OWNER_CHANGED')));
}

/** The OWNER_CHANGED entries of the case's history, as the API reads them. */
async function historyOwnerChanges(): Promise<HistoryEntry[]> {
  const res = await county.gql(HISTORY, { id: caseId });
  expect(res.errors).toBeUndefined();
  return res.data.case.history.filter((e: HistoryEntry) => e.action === 'OWNER_CHANGED');
}

/** Sets an OWNER_CHANGED event's columns and reason as an earlier release (or a hand) left them, sealed as so written. */
async function rewrite(eventId: number, set: { fromOffice?: string | null; toOffice?: string | null; reason?: string }) {
  await sealedTransaction(dbs.hub, async (tx) => {
    await tx.update(caseEvent).set(set).where(eq(caseEvent.id, eventId));
    sealLater(tx, caseEvent, eq(caseEvent.id, eventId));
  });
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_owner_offices');
  await insertRegions(dbs);
  const wangId = String(await insertWang(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  ({ county, township, supervisor } = await countyClients(hub, [
    ['county', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['township', TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['supervisor', '370811', 'CIVIL_AFFAIRS', ['SUPERVISOR'], 'SUPERVISION'],
  ]));
  // 任城区司法局, a body that reports its aid: its client answers the slips sent to it.
  justice = hub.as({ token: (await hub.createClient({ department: 'JUSTICE', regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] })).token, purpose: 'REFERRAL' });
  // Monday 03-02: 任城区民政局 opens the case and its meeting decides legal aid for two members and a Red Cross relief.
  caseId = (await ok(county.gql, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`, { input: { householdId: wangId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '法律援助' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) {
    await ok(county.gql, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  }
  const legalAid = (beneficiaryIdNumber: string) => ({ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 5, beneficiaryIdNumber });
  const relief = { department: 'RED_CROSS', programme: 'RED_CROSS_RELIEF', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: WANG.head };
  const met = await ok(
    county.gql,
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`,
    { input: { caseId, heldOn: '2026-03-02', departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE', 'RED_CROSS'], decisions: [legalAid(WANG.head), legalAid(WANG.spouse), relief] } },
    'meetingRecord',
  );
  [slip.waived, slip.open, slip.corrected] = met.meeting.decisions.map((d: { id: string }) => d.id);
  // Tuesday 03-03: justice declines both legal aids; the convener waives the head's and gives the Red Cross 20 working days.
  clock.set(cn('2026-03-03T10:00:00'));
  for (const [referralId, reason] of [[slip.waived, '户主已由法律援助中心受理'], [slip.open, '配偶未提出申请']]) {
    await ok(justice.gql, `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`, { input: { referralId, reason } }, 'referralDecline');
  }
  clock.set(cn('2026-03-04T10:00:00'));
  await ok(county.gql, `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`, { input: { referralId: slip.waived, reason: '户主已获法律援助中心援助' } }, 'referralWaive');
  await ok(
    county.gql,
    `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { userErrors { code field } } }`,
    { input: { caseId, reason: '红十字会申请延期', changes: [{ referralId: slip.corrected, decision: { ...relief, deadlineWorkingDays: 20 } }] } },
    'decisionCorrect',
  );
  clock.set(cn('2026-03-05T10:00:00'));
  const before = await report();
  expect(before.byOffice).toEqual({ [COUNTY_CA]: { declinesOpen: [slip.open], decisionsWaived: [slip.waived], corrected: [slip.corrected] } });
  statementsBefore = before.statements;
  // Friday 03-06: the county office hands the case to 古槐街道 (a hand-over slip), which accepts it and owns it from then.
  clock.set(cn('2026-03-06T10:00:00'));
  const handOver = (await ok(county.gql, `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`, { input: { caseId, to: { township: TOWNSHIP }, ask: '由街道跟进办理', deadlineWorkingDays: 3, handOver: true } }, 'referralIssue')).referral.id;
  clock.set(cn('2026-03-06T11:00:00'));
  expect((await ok(township.gql, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`, { input: { referralId: handOver, note: '接收' } }, 'referralAccept')).referral.state).toBe('COMPLETED');
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('records the hand-over’s offices in the event’s columns, its reason for people', async () => {
  expect(await ownerChanges()).toEqual([{ id: expect.any(Number), seq: expect.any(Number), reason: `${COUNTY_CA} → ${TOWNSHIP}`, fromOffice: COUNTY_CA, toOffice: TOWNSHIP }]);
});

it('shows the hand-over’s offices on the case’s history as data, named as the case’s county’s, and none on its other events, with no statement per event', async () => {
  const bare = await county.gql(`query($id: ID!) { case(id: $id) { history { action reason } } }`, { id: caseId });
  const res = await county.gql(HISTORY, { id: caseId });
  expect(res.errors).toBeUndefined();
  const history: HistoryEntry[] = res.data.case.history;
  expect(history.filter((e) => e.action === 'OWNER_CHANGED')).toEqual([
    {
      action: 'OWNER_CHANGED',
      reason: `${COUNTY_CA} → ${TOWNSHIP}`,
      fromOffice: { key: COUNTY_CA, name: '任城区民政局', county: { code: '370811' } },
      toOffice: { key: TOWNSHIP, name: '古槐街道', county: { code: '370811' } },
    },
  ]);
  const others = history.filter((e) => e.action !== 'OWNER_CHANGED');
  expect(others.length).toBeGreaterThan(5);
  expect(others.filter((e) => e.fromOffice !== null || e.toOffice !== null)).toEqual([]);
  // The offices come from the events already read: no statement more; their names and counties from the region table, in one.
  const keys = await county.gql(`query($id: ID!) { case(id: $id) { history { action reason fromOffice { key } toOffice { key } } } }`, { id: caseId });
  const hubStatements = (r: typeof res): number | undefined => r.extensions?.sqlStatements?.bySource.HUB;
  expect(hubStatements(bare)).toBeDefined();
  expect(hubStatements(keys)).toBe(hubStatements(bare));
  expect(hubStatements(res)).toBe(hubStatements(bare)! + 1);
});

it('files the waiver and correction made before the hand-over under the office that owned the case then, in the same statements', async () => {
  clock.set(cn('2026-03-09T10:00:00'));
  const now = await report();
  expect(now.byOffice[COUNTY_CA]).toEqual({ declinesOpen: [slip.open], decisionsWaived: [slip.waived], corrected: [slip.corrected] });
  expect(now.statements).toBeDefined();
  expect(now.statements).toEqual(statementsBefore);
});

it('files the decline still open under the office that owns the case now, which must resolve it, and keeps it among the work of the one it was declined under, in the same statements', async () => {
  clock.set(cn('2026-03-09T10:00:00'));
  const now = await report();
  // Before session 47 the township, which alone may waive or reassign it now, was shown nothing.
  expect(now.byOffice[TOWNSHIP]).toEqual({ declinesOpen: [slip.open], decisionsWaived: [], corrected: [] });
  expect(now.declines).toEqual([
    [TOWNSHIP, slip.open, TOWNSHIP, COUNTY_CA],
    [COUNTY_CA, slip.open, TOWNSHIP, COUNTY_CA],
  ]);
  expect(now.statements).toEqual(statementsBefore);
  // The township's own report, narrowed to its township, lists it under its own office.
  const own = await report(undefined, township);
  expect(own.byOffice[TOWNSHIP]).toEqual({ declinesOpen: [slip.open], decisionsWaived: [], corrected: [] });
  // Only the case's owner resolves it: the office it was declined under is refused.
  const refused = await county.gql(`mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`, { input: { referralId: slip.open, reason: '已移交街道' } });
  expect(refused.data.referralWaive.userErrors).toEqual([{ code: 'NOT_CASE_OWNER', field: ['input', 'actor', 'office'] }]);
});

it('files what the township does once it owns the case under the township, and reads each past day as it stood', async () => {
  clock.set(cn('2026-03-10T10:00:00'));
  await ok(township.gql, `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`, { input: { referralId: slip.open, reason: '配偶本人放弃申请' } }, 'referralWaive');
  const now = await report();
  expect(now.byOffice).toEqual({
    [COUNTY_CA]: { declinesOpen: [], decisionsWaived: [slip.waived], corrected: [slip.corrected] },
    [TOWNSHIP]: { declinesOpen: [], decisionsWaived: [slip.open], corrected: [] },
  });
  // As of 03-09: the spouse's decline still open then, the township's to resolve (it owned the case), and the county office's (declined while it owned the case).
  expect((await report('2026-03-09T10:00:00')).byOffice).toEqual({
    [COUNTY_CA]: { declinesOpen: [slip.open], decisionsWaived: [slip.waived], corrected: [slip.corrected] },
    [TOWNSHIP]: { declinesOpen: [slip.open], decisionsWaived: [], corrected: [] },
  });
  // As of 03-05, before the hand-over: the county office's alone, owner and declined under.
  expect((await report('2026-03-05T10:00:00')).declines).toEqual([[COUNTY_CA, slip.open, COUNTY_CA, COUNTY_CA]]);
});

describe('owner changes recorded before the columns (jobs migration 0007’s data upgrade)', () => {
  it('are filled once from their reasons as the hub wrote them, sealed again, and read as recorded; other words stay unfilled', async () => {
    const expected = (await report()).byOffice;
    expect(Object.keys(expected).sort()).toEqual([TOWNSHIP, COUNTY_CA]);
    const [change] = await ownerChanges();
    // As an earlier release left it: the offices in its reason alone, sealed so.
    await rewrite(change.id, { fromOffice: null, toOffice: null });
    expect((await verifyCaseSeals(dbs.hub)).ok).toBe(true);
    // Unfilled, it reads as no change of owner: everything under the township.
    expect(Object.keys((await report()).byOffice)).toEqual([TOWNSHIP]);

    await dbs.hubPool.query('UPDATE data_upgrade SET finished_at = NULL, resume_after = 0, rows_changed = 0 WHERE name = ?', [OWNER_CHANGE_OFFICES]);
    const ran = await runDataUpgrades(dbs.hub, { batch: 1 });
    expect(ran).toEqual([{ upgrade: OWNER_CHANGE_OFFICES, table: 'case_event', rowsChanged: 1 }]);
    expect(await ownerChanges()).toEqual([{ ...change, fromOffice: COUNTY_CA, toOffice: TOWNSHIP }]);
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true });
    expect((await report()).byOffice).toEqual(expected);

    // Reworded by hand before the upgrade: no office is guessed from other words; the columns stay NULL.
    await rewrite(change.id, { fromOffice: null, toOffice: null, reason: '移交古槐街道办理' });
    await dbs.hubPool.query('UPDATE data_upgrade SET finished_at = NULL, resume_after = 0, rows_changed = 0 WHERE name = ?', [OWNER_CHANGE_OFFICES]);
    expect(await runDataUpgrades(dbs.hub)).toEqual([]);
    expect((await ownerChanges())[0]).toMatchObject({ fromOffice: null, toOffice: null });
    expect((await verifyCaseSeals(dbs.hub)).ok).toBe(true);
    // Nor does the history: the change of owner shows no offices, its words as they stand.
    expect(await historyOwnerChanges()).toEqual([{ action: 'OWNER_CHANGED', reason: '移交古槐街道办理', fromOffice: null, toOffice: null }]);
    // Filled: read from the columns, whatever the reason says.
    await rewrite(change.id, { fromOffice: COUNTY_CA, toOffice: TOWNSHIP });
    expect((await report()).byOffice).toEqual(expected);
    expect(await historyOwnerChanges()).toMatchObject([{ reason: '移交古槐街道办理', fromOffice: { key: COUNTY_CA }, toOffice: { key: TOWNSHIP } }]);
  });
});
