/**
 * 督查通报's other lists (GET /exports/overdue.csv, tables 六 to 八): the declined decisions still
 * open (overdueReport's declinesOpen), the decisions waived (decisionsWaived) and the slips a
 * correction superseded (corrected), which the file lacked though the API lists them: a supervisor
 * working from the spreadsheet missed them. Each is made through the API on a real hub (a meeting's
 * legal aid declined by 司法局 and waived by the convener, a Red Cross relief corrected and its
 * replacement declined and left open), in 任城区 and, as a case outside the region asked for, in
 * 微山县. 任城区's case is then handed to 古槐街道 (a hand-over slip accepted): its open decline is
 * the township's to resolve, listed once under it (应处理单位) with the office that convened the case
 * when it was declined (原经办单位). The file names no person, puts the households and beneficiaries
 * its lines are about on record, and costs the same statements for one county's case as for both.
 */
import { parse } from 'csv-parse/sync';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload as ok } from './support/payloads';
import { countyClients } from './support/cases';
import { auditRows } from './support/audit-trail';
import { insertRegions, insertWang, insertZhao, TODAY, WANG, ZHAO } from './support/scenarios';
import { statementsIssued } from '../db/instrument';
import { CORRECTED_HEADER, DECLINES_OPEN_HEADER, WAIVED_HEADER } from '../server/overdue-export';

jest.setTimeout(180_000);

const cn = (local: string) => `${local}+08:00`;
const TOWNSHIP = '370811001';
const SLIP = `referral { id state } userErrors { code field }`;
const REPORT = `query($region: String) { overdueReport(regionCode: $region, shortfallsSince: "2026-03-01") {
  byOffice { office { name } declinesOpen { referral { id } owner { name } declinedUnder { name } } decisionsWaived { referral { id } } corrected { referral { id } } } } }`;

type Caller = ReturnType<TestHub['as']>;
/** One county's case: its slips in each list. */
type Made = { caseId: string; waived: string; corrected: string; replacement: string };

let dbs: TestDatabases;
let hub: TestHub;
const clock = new TestClock(cn('2026-03-02T09:00:00'));
let c: Record<'rcCa' | 'rcTownship' | 'rcJustice' | 'rcRedCross' | 'wsCa' | 'wsJustice' | 'wsRedCross' | 'supervisor', Caller>;
let wang: Made;
let zhao: Made;

const tick = () => clock.set(new Date(clock.at.getTime() + 60_000));

/**
 * A case of the household decided at a meeting (legal aid and a Red Cross relief for `head`), its
 * legal aid declined by justice and waived by the convener, its relief corrected (20 working days)
 * and the replacement declined by the Red Cross, which the convener leaves open.
 */
async function decidedAndDeclined(convener: Caller, justice: Caller, redCross: Caller, householdId: string, head: string, heldOn: string): Promise<Made> {
  const caseId = (await ok(convener.gql, `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }`, { input: { householdId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '法律援助及救助' } }, 'caseOpen')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) {
    tick();
    await ok(convener.gql, `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { id } userErrors { code field } } }`, { input: { caseId, to, reason: to } }, 'caseTransition');
  }
  const relief = { department: 'RED_CROSS', programme: 'RED_CROSS_RELIEF', amountFen: 50_000, deadlineWorkingDays: 5, beneficiaryIdNumber: head };
  tick();
  const met = await ok(
    convener.gql,
    `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { meeting { decisions { id } } userErrors { code field } } }`,
    { input: { caseId, heldOn, departmentsPresent: ['CIVIL_AFFAIRS', 'JUSTICE', 'RED_CROSS'], decisions: [{ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays: 5, beneficiaryIdNumber: head }, relief] } },
    'meetingRecord',
  );
  const [waived, corrected] = met.meeting.decisions.map((d: { id: string }) => d.id);
  tick();
  await ok(justice.gql, `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`, { input: { referralId: waived, reason: '=已由法律援助中心受理' } }, 'referralDecline');
  tick();
  await ok(convener.gql, `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { ${SLIP} } }`, { input: { referralId: waived, reason: '户主已获法律援助中心援助' } }, 'referralWaive');
  tick();
  const correction = await ok(
    convener.gql,
    `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { issued { id dueOn } userErrors { code field } } }`,
    { input: { caseId, reason: '红十字会申请延期', changes: [{ referralId: corrected, decision: { ...relief, deadlineWorkingDays: 20 } }] } },
    'decisionCorrect',
  );
  const replacement: string = correction.issued[0].id;
  tick();
  await ok(redCross.gql, `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { ${SLIP} } }`, { input: { referralId: replacement, reason: '本会救助资金已用完' } }, 'referralDecline');
  return { caseId, waived, corrected, replacement };
}

/** The export as the supervisor, for `region` (or its scope): the file's text, without its byte-order mark. */
async function exported(region?: string): Promise<string> {
  const res = await fetch(`${hub.url}/exports/overdue.csv?shortfallsSince=2026-03-01${region ? `&regionCode=${region}` : ''}`, { headers: c.supervisor.headers });
  expect(res.status).toBe(200);
  return (await res.text()).replace(/^\uFEFF/, '');
}

/** A table of the file by its header: the rows under it up to the blank line. */
function tableOf(text: string, header: readonly string[]): string[][] {
  const rows: string[][] = parse(text, { relax_column_count: true, skip_empty_lines: false });
  const start = rows.findIndex((r) => r.join('|') === header.join('|'));
  expect(start).toBeGreaterThan(0);
  const end = rows.findIndex((r, i) => i > start && r.every((cell) => cell === ''));
  return rows.slice(start + 1, end < 0 ? undefined : end);
}

beforeAll(async () => {
  dbs = await createTestDatabases('export_overdue_lists');
  await insertRegions(dbs);
  const wangId = String(await insertWang(dbs));
  const zhaoId = String(await insertZhao(dbs));
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  const convener = ['READER', 'CASEWORKER', 'MEETING_CONVENER'] as const;
  const answers = ['READER', 'REFERRAL_HANDLER'] as const;
  const offices = await countyClients(hub, [
    ['rcCa', '370811', 'CIVIL_AFFAIRS', convener, 'CASE_MEETING'],
    ['rcTownship', TOWNSHIP, 'CIVIL_AFFAIRS', convener, 'CASE_MEETING'],
    ['wsCa', '370826', 'CIVIL_AFFAIRS', convener, 'CASE_MEETING'],
    ['supervisor', '370800', 'CIVIL_AFFAIRS', ['SUPERVISOR'], 'SUPERVISION'],
  ]);
  // The bodies that report their aid (司法局, 红十字会) answer the slips sent to them.
  const reporter = async (department: 'JUSTICE' | 'RED_CROSS', regionScope: string) => hub.as({ token: (await hub.createClient({ department, regionScope, roles: [...answers] })).token, purpose: 'REFERRAL' });
  c = { ...offices, rcJustice: await reporter('JUSTICE', '370811'), rcRedCross: await reporter('RED_CROSS', '370811'), wsJustice: await reporter('JUSTICE', '370826'), wsRedCross: await reporter('RED_CROSS', '370826') };
  // Monday 03-02 to Tuesday 03-03: both counties' cases decided, declined, waived and corrected.
  wang = await decidedAndDeclined(c.rcCa, c.rcJustice, c.rcRedCross, wangId, WANG.head, '2026-03-02');
  clock.set(cn('2026-03-03T09:00:00'));
  zhao = await decidedAndDeclined(c.wsCa, c.wsJustice, c.wsRedCross, zhaoId, ZHAO.head, '2026-03-03');
  // Friday 03-06: 任城区民政局 hands its case to 古槐街道, which accepts it.
  clock.set(cn('2026-03-06T10:00:00'));
  const handOver = (await ok(c.rcCa.gql, `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { ${SLIP} } }`, { input: { caseId: wang.caseId, to: { township: TOWNSHIP }, ask: '由街道跟进办理', deadlineWorkingDays: 3, handOver: true } }, 'referralIssue')).referral.id;
  clock.set(cn('2026-03-06T11:00:00'));
  await ok(c.rcTownship.gql, `mutation($input: ReferralAcceptInput!) { referralAccept(input: $input) { ${SLIP} } }`, { input: { referralId: handOver, note: '接收' } }, 'referralAccept');
  clock.set(cn('2026-03-09T10:00:00'));
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('lists the declined decision still open once, under the office that owns the case now, with the office it was declined under', async () => {
  const text = await exported('370811');
  const rows = tableOf(text, DECLINES_OPEN_HEADER);
  expect(rows).toEqual([[expect.stringMatching(/^AH-2026-\d{6}$/), '任城区', '古槐街道', '古槐街道', '任城区民政局', '任城区红十字会', '会议决定：红十字人道救助', wang.replacement, '2026-03-02', '本会救助资金已用完']]);
  // The API lists it under both (the township must resolve it; 民政局 left it open), the file once.
  const api = await c.supervisor.gql(REPORT, { region: '370811' });
  expect(api.errors).toBeUndefined();
  const listed = api.data.overdueReport.byOffice.flatMap((g: any) => g.declinesOpen.map((d: any) => [g.office.name, d.referral.id, d.owner.name, d.declinedUnder.name]));
  expect(listed).toEqual([
    ['古槐街道', wang.replacement, '古槐街道', '任城区民政局'],
    ['任城区民政局', wang.replacement, '古槐街道', '任城区民政局'],
  ]);
});

it('lists the waived decision under the office that waived it, with both reasons, the department’s defused', async () => {
  const rows = tableOf(await exported('370811'), WAIVED_HEADER);
  expect(rows).toEqual([[expect.stringMatching(/^AH-2026-\d{6}$/), '任城区', '古槐街道', '任城区民政局', '任城区司法局', '会议决定：法律援助', wang.waived, "'=已由法律援助中心受理", '2026-03-02', '户主已获法律援助中心援助']]);
});

it('lists the corrected slip under the office that corrected it, with the correction’s reason and the slip that replaced it', async () => {
  const rows = tableOf(await exported('370811'), CORRECTED_HEADER);
  expect(rows).toHaveLength(1);
  const [row] = rows;
  expect(row.slice(1, 8)).toEqual(['任城区', '古槐街道', '任城区民政局', '任城区红十字会', '会议决定：红十字人道救助', wang.corrected, expect.stringMatching(/^2026-03-\d{2}$/)]);
  expect(row.slice(8)).toEqual(['2026-03-02', '红十字会申请延期', wang.replacement, expect.stringMatching(/^2026-03-\d{2}$/)]);
  // The new limit of 20 working days ends after the old one of 5.
  expect(row[11] > row[7]).toBe(true);
});

it('lists no case of another county, and both counties city-wide', async () => {
  const rencheng = await exported('370811');
  for (const header of [DECLINES_OPEN_HEADER, WAIVED_HEADER, CORRECTED_HEADER]) {
    const ids = tableOf(rencheng, header).map((r) => r[header.indexOf('转办单编号')]);
    expect(ids).not.toEqual(expect.arrayContaining([zhao.replacement]));
    expect(ids).not.toContain(zhao.waived);
    expect(ids).not.toContain(zhao.corrected);
  }
  const city = await exported();
  expect(tableOf(city, DECLINES_OPEN_HEADER).map((r) => [r[1], r[3], r[7]])).toEqual([
    ['任城区', '古槐街道', wang.replacement],
    ['微山县', '微山县民政局', zhao.replacement],
  ]);
  expect(tableOf(city, WAIVED_HEADER).map((r) => [r[1], r[3], r[6]])).toEqual([
    ['任城区', '任城区民政局', wang.waived],
    ['微山县', '微山县民政局', zhao.waived],
  ]);
  expect(tableOf(city, CORRECTED_HEADER).map((r) => [r[1], r[3], r[6]])).toEqual([
    ['任城区', '任城区民政局', wang.corrected],
    ['微山县', '微山县民政局', zhao.corrected],
  ]);
  // No person named: no ID number, no name.
  for (const secret of [WANG.head, ZHAO.head, '王建国', '赵强']) expect(city).not.toContain(secret);
});

it('puts the households and beneficiaries of these lines on record before the file goes out', async () => {
  const before = await auditRows(dbs, "operation = 'GET /exports/overdue.csv'");
  await exported('370826');
  const added = (await auditRows(dbs, "operation = 'GET /exports/overdue.csv'")).slice(before.length);
  expect(added.filter((row) => row.subject_kind !== 'NONE').map((row) => row.subject_kind).sort()).toEqual(['HOUSEHOLD', 'PERSON']);
});

it('costs the same statements for one county’s case as for both counties’', async () => {
  /** The file's statements, counted as the hub's around it, the fewest of three reads (background work aside). */
  const cost = async (region?: string) => {
    let fewest = Infinity;
    for (let i = 0; i < 3; i += 1) {
      const before = statementsIssued();
      await exported(region);
      fewest = Math.min(fewest, statementsIssued() - before);
    }
    return fewest;
  };
  const one = await cost('370826');
  expect(one).toBeGreaterThan(0);
  expect(await cost()).toBe(one);
});
