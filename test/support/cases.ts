/**
 * A case ready for its meeting, opened and moved the way an office does it, through the API: the
 * meeting tests start from one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { createClient } from '../../access/clients';
import { DEMO_CLIENTS, ensureDemoClients } from '../../access/demo-clients';
import type { Role } from '../../access/policy';
import type { DepartmentCode } from '../../domain/departments';
import { createTestDatabases, type TestDatabases } from './databases';
import { startTestHub, type TestHub } from './hub';
import { okPayload } from './payloads';
import { insertRegions, insertWang, TODAY, WANG } from './scenarios';
import type { TestClock } from './clock';

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } userErrors { code } } }`;

/** Opens an application case of the household, reported at `reportedAt` (urgency NORMAL); its id. */
export async function caseOpened(gql: TestHub['gql'], householdId: number, summary: string, reportedAt: string): Promise<string> {
  return (await okPayload(gql, OPEN, { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary, reportedAt } }, 'caseOpen')).case.id;
}

/** Opens an application case of the household, reported at `reportedAt`, and moves it to IN_DELIBERATION; its id. */
export async function caseInDeliberation(gql: TestHub['gql'], householdId: number, summary: string, reportedAt: string): Promise<string> {
  const caseId = await caseOpened(gql, householdId, summary, reportedAt);
  await toDeliberation(gql, caseId);
  return caseId;
}

/** Moves a reported case through ACCEPTED and INVESTIGATING to IN_DELIBERATION. */
export async function toDeliberation(gql: TestHub['gql'], caseId: string): Promise<void> {
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await caseMoved(gql, caseId, to);
}

/** Moves the case to `to`, its reason the state's name. */
export async function caseMoved(gql: TestHub['gql'], caseId: string, to: string): Promise<void> {
  await okPayload(gql, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
}

/** Opens an application case of the household now (urgency NORMAL) and moves it through ACCEPTED to INVESTIGATING; its id. */
export async function caseInvestigating(gql: TestHub['gql'], householdId: number | string, summary: string): Promise<string> {
  const caseId: string = (await okPayload(gql, OPEN, { input: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING']) await caseMoved(gql, caseId, to);
  return caseId;
}

const DEADLINES = `query($id: ID!) { case(id: $id) { deadlines { kind status dueOn provisional } } }`;

/** The case's deadline of `kind` as Case.deadlines answers it: kind, status, dueOn, provisional. */
export async function caseDeadline(gql: TestHub['gql'], caseId: string, kind: string): Promise<{ kind: string; status: string; dueOn: string | null; provisional: boolean } | undefined> {
  const res = await gql(DEADLINES, { id: caseId });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.case.deadlines.find((d: { kind: string }) => d.kind === kind);
}

const DECLINES = `{ overdueReport { byOffice { office { key } declinesOpen { referral { id } } } } }`;

/** The declined decisions open under the caller's civil affairs (the convener who resolves them), as `overdueReport` lists them: their slips' ids. */
export async function civilAffairsDeclinesOpen(gql: TestHub['gql']): Promise<string[]> {
  const report = await gql(DECLINES);
  if (report.errors) throw new Error(JSON.stringify(report.errors));
  const owner = report.data.overdueReport.byOffice.find((g: { office: { key: string } }) => g.office.key === 'CIVIL_AFFAIRS');
  return (owner?.declinesOpen ?? []).map((d: { referral: { id: string } }) => d.referral.id);
}

const MEETING = `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id to { key } } } case { state } userErrors { code field } } }`;
const ACCEPT = `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { referral { id state } userErrors { code field } } }`;

/** A decision of the Wang household's meeting: health's or housing's, the input as meetingRecord takes it. */
export type WangMeetingDecision = { department: 'HEALTH' | 'HOUSING'; programme: string; amountFen: number; deadlineWorkingDays: number } & Record<string, unknown>;

/**
 * The Wang household's case (in deliberation) met on 2026-03-12, civil affairs, health and housing
 * present, deciding `decisions` (which must be taken without userErrors). The slips by the office
 * they go to, and the case's state after the meeting.
 */
export async function wangHealthAndHousingMeeting(gql: TestHub['gql'], caseId: string, decisions: readonly WangMeetingDecision[]): Promise<{ slips: Record<'HEALTH' | 'HOUSING', string>; caseState: string }> {
  const input = { caseId, heldOn: '2026-03-12', departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH', 'HOUSING'], decisions };
  const met = await okPayload(gql, MEETING, { input }, 'meetingRecord');
  const slips = Object.fromEntries(met.meeting.decisions.map((d: { id: string; to: { key: string } }) => [d.to.key, d.id])) as Record<'HEALTH' | 'HOUSING', string>;
  return { slips, caseState: met.case.state };
}

/**
 * The Wang household's case met on 2026-03-12 (reported 2026-03-09): health to pay the grandmother
 * ¥1,000 of medical aid, housing to allocate the head a flat (¥400 a month, beside the rent subsidy
 * he holds, with the reason), each slip accepted by its office (purpose REFERRAL, a client named
 * `<clientPrefix>-health` and `-housing`). The case, the slips by department, and each office's gql.
 */
export async function wangHealthAndHousingSlips(hub: TestHub, wangId: number, clientPrefix: string): Promise<{ caseId: string; slips: Record<'HEALTH' | 'HOUSING', string>; office: Record<'HEALTH' | 'HOUSING', TestHub['gql']> }> {
  const caseId = await caseInDeliberation(hub.gql, wangId, '住院及住房困难', '2026-03-09T09:00:00+08:00');
  const { slips } = await wangHealthAndHousingMeeting(hub.gql, caseId, [
    { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.grandmother },
    { department: 'HOUSING', programme: 'PUBLIC_RENTAL', amountFen: 40_000, deadlineWorkingDays: 10, beneficiaryIdNumber: WANG.head, conflictOverrideReason: '改为实物配租，租赁补贴同时停发' },
  ]);
  const office = {} as Record<'HEALTH' | 'HOUSING', TestHub['gql']>;
  for (const key of ['HEALTH', 'HOUSING'] as const) {
    const { token } = await hub.createClient({ name: `${clientPrefix}-${key.toLowerCase()}`, department: key, regionScope: '370800', roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] });
    office[key] = hub.as({ token, purpose: 'REFERRAL' }).gql;
    await okPayload(office[key], ACCEPT, { input: { referralId: slips[key] } }, 'referralAccept');
  }
  return { caseId, slips, office };
}

/** One county office's client for a test of cases across counties: its key, county, department, roles and purpose. */
export type CountyClientSpec<K extends string> = readonly [key: K, county: string, department: DepartmentCode, roles: readonly Role[], purpose: string];

/** The API client's name for a key: weishanCa is weishan-ca. */
export function countyClientName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Creates each county office's client (named countyClientName(key)) and returns its request functions by key. */
export async function countyClients<K extends string>(hub: TestHub, specs: readonly CountyClientSpec<K>[]): Promise<Record<K, ReturnType<TestHub['as']>>> {
  const out = {} as Record<K, ReturnType<TestHub['as']>>;
  for (const [key, county, department, roles, purpose] of specs) {
    const { token } = await createClient(hub.accessDb, { name: countyClientName(key), department, regionScope: county, roles: [...roles] });
    out[key] = hub.as({ token, purpose });
  }
  return out;
}

/** A hub with the demo's own clients (demoCallers) and the household of 王 on its regions, for case tests through the API. */
export interface DemoCaseHub {
  dbs: TestDatabases;
  hub: TestHub;
  wangId: number;
  /** Each demo client as a caller, by its variable. */
  demo: Record<string, TestHub['gql']>;
  close(): Promise<void>;
}

/** Starts a DemoCaseHub on databases named `name`, its day TODAY, its clock `clock`, logging to `logger` (default: nowhere). */
export async function startDemoCaseHub(name: string, clock: () => Date, logger?: Logger): Promise<DemoCaseHub> {
  const dbs = await createTestDatabases(name);
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  const hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock, logger });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aidhub-${name}-`));
  const demo = await demoCallers(hub, dir);
  return {
    dbs,
    hub,
    wangId,
    demo,
    async close() {
      await hub.close();
      await dbs.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The demo's own clients (access/demo-clients.ts) made on the hub, their tokens file in `dir`, each
 * as a caller by its variable: a convener stating purpose CASE_MEETING, every other REFERRAL.
 */
async function demoCallers(hub: TestHub, dir: string): Promise<Record<string, TestHub['gql']>> {
  const tokens = await ensureDemoClients(hub.accessDb, path.join(dir, 'demo-clients.env'));
  const callers: Record<string, TestHub['gql']> = {};
  for (const c of DEMO_CLIENTS) {
    const token = tokens.get(c.variable);
    if (token) callers[c.variable] = hub.as({ token, purpose: c.roles.includes('MEETING_CONVENER') ? 'CASE_MEETING' : 'REFERRAL' }).gql;
  }
  return callers;
}

/** Sends a mutation's input a minute after the last request (`clock` moved on), as an officer's next request would be. */
export function minuteApart(clock: TestClock) {
  return (gql: TestHub['gql'], query: string, input: Record<string, unknown>) => {
    clock.set(new Date(clock.at.getTime() + 60_000));
    return gql(query, { input });
  };
}

/** overdueReport's 按时办结 figures (tally) of a group, and the lists they count: for tests that they agree. */
const TALLY = `tally { referrals { answeredOnTime answeredLate declined supersededBeforeDue supersededLate openOverdue fellDue counted onTimeRate }
  caseDeadlines { metOnTime metLate missed overdue fellDue counted onTimeRate } }`;
const LISTS = `referrals { referral { id } } answeredLate { referral { id } } declined { referral { id } } corrected { referral { id } } cases { case { id } } casesLate { case { id } }`;
/** What an overdueReport group selects for expectTallyAgreesWithLists: its tally and the lists it agrees with. */
export const TALLY_AND_LISTS = `${TALLY} ${LISTS}`;

/**
 * Every group's tally agrees with its lists: the late figures are answeredLate's and casesLate's
 * lengths, the open ones referrals' and cases', the declines declined's; a township's and a county's
 * corrections are its corrected list (an office's is under the convener, its tally under the office the
 * slip was sent to).
 */
export function expectTallyAgreesWithLists(r: any): void {
  for (const groups of [r.byOffice, r.byTownship, r.byCounty]) {
    for (const g of groups) {
      const t = g.tally.referrals;
      const c = g.tally.caseDeadlines;
      expect([t.answeredLate + t.supersededLate, t.openOverdue, t.declined]).toEqual([g.answeredLate.length, g.referrals.length, g.declined.length]);
      expect([c.metLate + c.missed, c.overdue]).toEqual([g.casesLate.length, g.cases.length]);
      expect(t.counted).toBe(t.answeredOnTime + t.answeredLate + t.supersededLate + t.openOverdue);
      expect(c.counted).toBe(c.metOnTime + c.metLate + c.missed + c.overdue);
      expect(t.onTimeRate).toBe(t.counted === 0 ? null : t.answeredOnTime / t.counted);
    }
  }
  for (const g of [...r.byTownship, ...r.byCounty]) expect(g.tally.referrals.supersededBeforeDue + g.tally.referrals.supersededLate).toBe(g.corrected.length);
  // Each item counted once per grouping: the offices' figures add up to the counties'.
  const sum = (groups: any[]) => groups.reduce((n, g) => n + g.tally.referrals.counted + g.tally.referrals.supersededBeforeDue + g.tally.caseDeadlines.counted, 0);
  expect(sum(r.byOffice)).toBe(sum(r.byCounty));
  expect(sum(r.byTownship)).toBe(sum(r.byCounty));
}

