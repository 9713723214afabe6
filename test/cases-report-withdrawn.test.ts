/**
 * Supervision's list of the slips withdrawn (overdueReport's `withdrawn`, and table 九 of 督查通报,
 * GET /exports/overdue.csv). referralWithdraw let a case's owner take back a waiting slip, and the
 * report counted it (VOID before its due date, MISSED after it, in answeredLate) but listed no
 * withdrawal with who made it and why, as `corrected` lists what a correction superseded: a slip
 * could be made to disappear from supervision quietly. Now each withdrawal of the period is listed
 * under the office that owned the case when it withdrew it (a case handed on since keeps its
 * withdrawals under the office that made them), in its township and county, withdrawn first, first,
 * with its reason, who withdrew it, when, and whether after its due date; in the same statements
 * however many are listed. Made through the API on a real hub and database.
 */
import { parse } from 'csv-parse/sync';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { caseOpened, countyClients } from './support/cases';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { WITHDRAWN_HEADER } from '../server/overdue-export';

jest.setTimeout(180_000);

const cn = (local: string) => `${local}+08:00`;
/** An instant as the API gives it (China time). */
const iso = (local: string) => cn(`${local}.000`);
/** Monday: a 1-working-day slip issued now is due Tuesday 11-03. */
const clock = new TestClock(cn('2026-11-02T09:00:00'));
const TOWNSHIP = '370811001';

const SLIP = `referral { id } userErrors { code field }`;
const ISSUE = `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`;
const WITHDRAW = `mutation($input: ReferralWithdrawInput!) { referralWithdraw(input: $input) { ${SLIP} } }`;
const WITHDRAWN = `withdrawn { referral { id state withdrawReason deadlineStatus } withdrawnAt withdrawnBy { key name } actor reason afterDue }`;
const REPORT = `query($asOf: DateTime, $since: Date) { overdueReport(regionCode: "370811", asOf: $asOf, shortfallsSince: $since) {
  byOffice { office { key } ${WITHDRAWN} corrected { referral { id } } }
  byTownship { township { code } ${WITHDRAWN} corrected { referral { id } } }
  byCounty { county { code } ${WITHDRAWN} corrected { referral { id } } } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let clients: Awaited<ReturnType<typeof countyClients<'ca' | 'health' | 'township' | 'supervisor'>>>;
/** Withdrawn by 任城区民政局 before its due date, after it; by 古槐街道 once the case was handed to it; and one left waiting. */
const slip = { early: '', late: '', byTownship: '', open: '' };
let caseId = '';
/** The report's statements with one withdrawal listed. */
let before: Record<string, number> | undefined;

type Report = { byOffice: any[]; byTownship: any[]; byCounty: any[] };
async function report(asOf?: string, since = '2026-11-01'): Promise<{ data: Report; statements: Record<string, number> | undefined }> {
  const res = await clients.supervisor.gql(REPORT, { asOf: asOf ? cn(asOf) : null, since });
  expect(res.errors).toBeUndefined();
  return { data: res.data.overdueReport, statements: res.extensions?.sqlStatements?.bySource };
}
const withdrawnOf = (groups: any[], key: (g: any) => string) => Object.fromEntries(groups.map((g) => [key(g), g.withdrawn]));
const ids = (list: { referral: { id: string } }[]) => list.map((w) => w.referral.id);

const CA = { key: 'CIVIL_AFFAIRS', name: '任城区民政局' };
const GUHUAI = { key: TOWNSHIP, name: '古槐街道' };
/** A withdrawal as WithdrawnReferral gives it, every field. */
const withdrawal = (id: () => string, reason: string, at: string, withdrawnBy: typeof CA, actor: string, afterDue: boolean) => () => ({
  referral: { id: id(), state: 'WITHDRAWN', withdrawReason: reason, deadlineStatus: afterDue ? 'MISSED' : 'VOID' },
  withdrawnAt: iso(at),
  withdrawnBy,
  actor,
  reason,
  afterDue,
});
const early = withdrawal(() => slip.early, '发错单位，应转住建部门', '2026-11-02T10:00:00', CA, 'ca/李科员', false);
const late = withdrawal(() => slip.late, '家庭已搬离，另案办理', '2026-11-05T10:00:00', CA, 'ca', true);
const byTownship = withdrawal(() => slip.byTownship, '街道已入户核实，无需协查', '2026-11-05T13:00:00', GUHUAI, 'township', false);

beforeAll(async () => {
  dbs = await createTestDatabases('cases_report_withdrawn');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  clients = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['health', '370811', 'HEALTH', ['READER', 'REFERRAL_HANDLER'], 'REFERRAL'],
    ['township', TOWNSHIP, 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER'], 'REFERRAL'],
    ['supervisor', '370800', 'CIVIL_AFFAIRS', ['SUPERVISOR'], 'SUPERVISION'],
  ]);
  caseId = await caseOpened(clients.ca.gql, wangId, '临时救助申请', cn('2026-11-02T09:00:00'));
  const forward = async (by: typeof clients.ca, ask: string) => (await ok(by.gql, ISSUE, { input: { caseId, to: { department: 'HEALTH' }, ask, deadlineWorkingDays: 1 } }, 'referralIssue')).referral.id as string;
  slip.early = await forward(clients.ca, '请核查住院费用');
  slip.late = await forward(clients.ca, '请核查大病保险');
  slip.open = await forward(clients.ca, '请核查参保状态');
  clock.set(cn('2026-11-02T10:00:00'));
  await ok(clients.ca.gql, WITHDRAW, { input: { referralId: slip.early, reason: '发错单位，应转住建部门', actor: { officer: '李科员' } } }, 'referralWithdraw');
  before = (await report()).statements;
  // Thursday: the 1-day slip due Tuesday was missed when withdrawn.
  clock.set(cn('2026-11-05T10:00:00'));
  await ok(clients.ca.gql, WITHDRAW, { input: { referralId: slip.late, reason: '家庭已搬离，另案办理' } }, 'referralWithdraw');
  // 任城区民政局 hands the case to 古槐街道, which withdraws a slip it sends then.
  clock.set(cn('2026-11-05T11:00:00'));
  const handOver = (await ok(clients.ca.gql, ISSUE, { input: { caseId, to: { township: TOWNSHIP }, ask: '由街道跟进办理', deadlineWorkingDays: 3, handOver: true } }, 'referralIssue')).referral.id;
  clock.set(cn('2026-11-05T11:30:00'));
  await ok(clients.township.gql, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`, { input: { referralId: handOver, note: '接收' } }, 'referralAccept');
  clock.set(cn('2026-11-05T12:00:00'));
  slip.byTownship = await forward(clients.township, '请协查门诊记录');
  clock.set(cn('2026-11-05T13:00:00'));
  await ok(clients.township.gql, WITHDRAW, { input: { referralId: slip.byTownship, reason: '街道已入户核实，无需协查' } }, 'referralWithdraw');
  clock.set(cn('2026-11-05T18:00:00'));
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
}, 60_000);

it('lists each withdrawal under the office that withdrew it, owning the case then, with who, when, why and whether after the due date', async () => {
  const { data } = await report();
  expect(withdrawnOf(data.byOffice, (g) => g.office.key)).toEqual({ [TOWNSHIP]: [byTownship()], CIVIL_AFFAIRS: [early(), late()], HEALTH: [] });
  expect(withdrawnOf(data.byTownship, (g) => g.township.code)).toEqual({ [TOWNSHIP]: [early(), late(), byTownship()] });
  expect(withdrawnOf(data.byCounty, (g) => g.county.code)).toEqual({ '370811': [early(), late(), byTownship()] });
  // A withdrawal is not a correction; the slip still waiting is withdrawn nowhere.
  for (const g of [...data.byOffice, ...data.byTownship, ...data.byCounty]) expect(g.corrected).toEqual([]);
  expect(data.byCounty[0].withdrawn.map((w: any) => w.referral.id)).not.toContain(slip.open);
});

it('lists what was withdrawn in the period by asOf only', async () => {
  // By Monday noon only the first was withdrawn; from Tuesday, the first is outside the period.
  expect(ids((await report('2026-11-02T12:00:00')).data.byCounty[0].withdrawn)).toEqual([slip.early]);
  expect(ids((await report(undefined, '2026-11-03')).data.byCounty[0].withdrawn)).toEqual([slip.late, slip.byTownship]);
  const earlier = (await report('2026-11-02T09:59:00')).data;
  for (const g of [...earlier.byOffice, ...earlier.byTownship, ...earlier.byCounty]) expect(g.withdrawn).toEqual([]);
});

it('costs the same statements with three withdrawals listed, under two offices, as with one', async () => {
  expect(before).toBeDefined();
  expect((await report()).statements).toEqual(before);
});

it('prints each withdrawal in 督查通报 once, under the office that withdrew it, naming no officer', async () => {
  const res = await fetch(`${hub.url}/exports/overdue.csv?regionCode=370811&shortfallsSince=2026-11-01`, { headers: clients.supervisor.headers });
  expect(res.status).toBe(200);
  const text = await res.text();
  // The API's `actor` names the officer (who may be named by name); the file names no person.
  expect(text).not.toContain('李科员');
  const rows: string[][] = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false });
  const start = rows.findIndex((r) => r.join('|') === WITHDRAWN_HEADER.join('|'));
  expect(start).toBeGreaterThan(0);
  expect(rows[start - 1]).toEqual(['九、已撤回的转办单（统计期间内；按撤回单位，撤回最早者在前）']);
  const end = rows.findIndex((r, i) => i > start && r.every((cell) => cell === ''));
  const ref = expect.stringMatching(/^AH-2026-\d{6}$/);
  expect(rows.slice(start + 1, end < 0 ? undefined : end)).toEqual([
    [ref, '任城区', '古槐街道', '古槐街道', '任城区医疗保障局', '转办', slip.byTownship, '2026-11-06', '2026-11-05', '街道已入户核实，无需协查', '否'],
    [ref, '任城区', '古槐街道', '任城区民政局', '任城区医疗保障局', '转办', slip.early, '2026-11-03', '2026-11-02', '发错单位，应转住建部门', '否'],
    [ref, '任城区', '古槐街道', '任城区民政局', '任城区医疗保障局', '转办', slip.late, '2026-11-03', '2026-11-05', '家庭已搬离，另案办理', '是'],
  ]);
});
