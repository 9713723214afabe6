/**
 * A case ready for its meeting, opened and moved the way an office does it, through the API: the
 * meeting tests start from one.
 */
import { createClient } from '../../access/clients';
import type { Role } from '../../access/policy';
import type { DepartmentCode } from '../../domain/departments';
import type { TestHub } from './hub';
import { okPayload } from './payloads';
import { WANG } from './scenarios';

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
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await okPayload(gql, MOVE, { input: { caseId, to, reason: to } }, 'caseTransition');
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
