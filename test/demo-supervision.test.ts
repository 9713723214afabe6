/**
 * The demo's supervision cases (server/demo-supervision.ts, tools/generate/supervision.ts): on a
 * fresh demo (its population, its clients) the demo's supervision office read an empty
 * overdueReport until someone ran the README's loop. Now `npm start` leaves a few 任城区 cases
 * decided at meetings, dated back from today by the holiday calendar, whose slips were answered on
 * time, late, declined, or are open past due or not yet due, and a 低保 case 古槐街道 forwarded to
 * 任城区民政局 for approval; the report (and its spreadsheet's 五、转交县级审批), read on the real clock as
 * the demo supervisor, lists them, and its tally's late figures are the lists' lengths. A second
 * start adds nothing. A start stopped half-way (at any of its requests, the answer lost) leaves a
 * demo the next start completes, even a start on a later day: the same rows as a demo written in
 * one go, nothing twice, and the start after that adds nothing; so does one after 任城区民政局 opened
 * cases meanwhile on households it drew, its cases written on theirs and the others drawn elsewhere,
 * the office's cases untouched, and after a member its legal aid names left the household meanwhile.
 * Where the office's cases leave too few households, a start writes
 * nothing and says so in one warning naming no one; for a demo begun, it finishes the cases opened,
 * opens no other and says so once, and the starts after say nothing. The report and its spreadsheet
 * (GET /exports/overdue.csv) cost the same statements for a township of one case as for the county
 * of four. Started the Monday after 国庆 2026 (10-01 to 10-07 off, Saturday 10-10 worked),
 * its days are working days: the last meeting on the worked Saturday, none in the holiday.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { and, asc, count, eq, inArray, like, lte } from 'drizzle-orm';
import { ensureDemoClients } from '../access/demo-clients';
import { accessDbOf } from '../db/access/db';
import { DEFAULT_QUERY_LIMITS, type HubConfig } from '../db/config';
import { aidCase, caseEvent, caseMeeting, caseSeal, meetingDepartment, referralSlip } from '../db/cases/schema';
import { caseRequest, declinedDecision, referralFulfilment } from '../db/case-loop/schema';
import type { HubDb } from '../db/connect';
import { reportedAid } from '../db/reported-aid/schema';
import { addDays, todayIso } from '../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { loadSupervisionDemo } from '../server/demo-supervision';
import { generateDemo } from '../tools/generate/index';
import { statementsIssued } from '../db/instrument';
import { toDbInstant } from '../db/instants';
import { SUPERVISION_DEMO_COUNTY, SUPERVISION_DEMO_OFFICER, SUPERVISION_DEMO_TOWNSHIP, SUPERVISION_DEMO_TOWNSHIP_OFFICER, workingDaysBefore } from '../tools/generate/supervision';
import { parse } from 'csv-parse/sync';
import { chinaDateOf } from '../domain/cases/china-time';
import { isWorkingDay } from '../domain/cases/working-days';
import { household, householdMember } from '../db/household/schema';
import { capturedLog } from './support/log-lines';
import { expectTallyAgreesWithLists, TALLY_AND_LISTS } from './support/cases';
import { createTestDatabases, TEST_SOURCE_TIMEOUT_MS, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';

jest.setTimeout(300_000);

let dbs: TestDatabases;
let hub: TestHub;
let dir: string;
let tokens: Map<string, string>;
let config: HubConfig;
const logger = pino({ level: 'silent' });
const opened: { dbs: TestDatabases; hub?: TestHub }[] = [];

const REPORT = `{ overdueReport {
  byOffice { office { key } county { code } ${TALLY_AND_LISTS} declinesOpen { referral { id } } }
  byTownship { ${TALLY_AND_LISTS} }
  byCounty { county { code } ${TALLY_AND_LISTS} declinesOpen { referral { id } } forwardedForApproval { case { id township { code } } heldBy { key } since workingDaysHeld } } } }`;

async function tableCount(table: typeof aidCase | typeof referralSlip | typeof caseEvent, db: HubDb = dbs.hub): Promise<number> {
  const [{ n }] = await db.select({ n: count() }).from(table);
  return Number(n);
}

/** Every row the demo writes (cases, their events, meetings, slips, fulfilments, keyed requests, seals, the ledger), in order, ids and all. */
async function demoRows(db: HubDb) {
  return {
    cases: await db.select().from(aidCase).orderBy(asc(aidCase.id)),
    events: await db.select().from(caseEvent).orderBy(asc(caseEvent.id)),
    meetings: await db.select().from(caseMeeting).orderBy(asc(caseMeeting.id)),
    present: await db.select().from(meetingDepartment).orderBy(asc(meetingDepartment.meetingId), asc(meetingDepartment.department)),
    slips: await db.select().from(referralSlip).orderBy(asc(referralSlip.id)),
    fulfilments: await db.select().from(referralFulfilment).orderBy(asc(referralFulfilment.referralId)),
    declines: await db.select().from(declinedDecision).orderBy(asc(declinedDecision.referralId)),
    requests: await db.select().from(caseRequest).orderBy(asc(caseRequest.keySha256)),
    // Sealed when written, by the database's clock (the seal's hash covers the rows, not that).
    seals: (await db.select().from(caseSeal).orderBy(asc(caseSeal.seq))).map(({ sealedAt: _sealedAt, ...seal }) => seal),
    ledger: await db.select().from(reportedAid).orderBy(asc(reportedAid.id)),
  };
}

let uninterrupted: { rows: Awaited<ReturnType<typeof demoRows>>; report: unknown };

/** A fresh demo as `npm start` loads it (fewer households), dated from `today`: its databases and clients. */
async function freshDemo(label: string, today: string) {
  const dbs = await createTestDatabases(label);
  const entry: (typeof opened)[number] = { dbs };
  opened.push(entry);
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 600, seed: 1, referenceDate: today, provision: false });
  const tokens = await ensureDemoClients(accessDbOf(dbs.hub), path.join(dir, `${label}-clients.env`));
  const config: HubConfig = {
    hubUrl: dbs.hubUrl,
    sources: Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { url: dbs.sourceUrls[c], timeoutMs: TEST_SOURCE_TIMEOUT_MS }])) as Record<DepartmentCode, { url: string; timeoutMs: number }>,
    port: 0,
    host: '127.0.0.1',
    production: false,
    maxListSize: 500,
    queryLimits: DEFAULT_QUERY_LIMITS,
    rateLimitPerMinute: 600,
    authFailuresPerMinute: 100_000,
    tokenCacheMs: 0,
    auditCheckpoints: null,
    subgraph: false,
  };
  return { dbs, tokens, config, entry };
}

/** The report as the demo supervisor reads it, its tally agreeing with its lists in every grouping. */
async function supervisorReport(on: TestHub, demoTokens: Map<string, string>) {
  const res = await on.as({ token: demoTokens.get('AIDHUB_TOKEN_SUPERVISOR')!, purpose: 'SUPERVISION' }).gql(REPORT);
  expect(res.errors).toBeUndefined();
  expectTallyAgreesWithLists(res.data.overdueReport);
  return res.data.overdueReport;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-demo-supervision-'));
  ({ dbs, tokens, config } = await freshDemo('demo_supervision', todayIso()));
}, 300_000);

afterAll(async () => {
  for (const o of opened) {
    await o.hub?.close();
    await o.dbs.close();
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('leaves slips in every state supervision counts, which the demo supervisor reads in overdueReport, its tally agreeing with the lists', async () => {
  const summary = await loadSupervisionDemo({ config, hub: dbs.hub, sources: dbs.sourceSet, logger }, tokens, { seed: 1 });
  expect(summary).toEqual({ cases: 5, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2, forwardedForApproval: 1 });

  // The demo as served: the system clock, the demo supervisor's token and purpose.
  hub = await startTestHub(dbs, { client: null });
  opened[0].hub = hub;
  const report = await supervisorReport(hub, tokens);
  const [county] = report.byCounty;
  expect(report.byCounty.map((g: any) => g.county.code)).toEqual([SUPERVISION_DEMO_COUNTY]);
  // Every list a supervisor reads first has something in it.
  expect(county.referrals).toHaveLength(1);
  expect(county.answeredLate).toHaveLength(1);
  expect(county.declined).toHaveLength(1);
  expect(county.declinesOpen).toHaveLength(1);
  expect(county.cases).toHaveLength(1);
  expect(county.casesLate).toHaveLength(1);
  expect(county.tally.referrals).toMatchObject({ answeredOnTime: 2, answeredLate: 1, declined: 1, openOverdue: 1, counted: 4 });
  expect(county.tally.caseDeadlines).toMatchObject({ metLate: 1, overdue: 1 });
  // 古槐街道's 低保 case, held by 任城区民政局 since it was forwarded 4 working days before today (3 on a day off), under no limit.
  expect(county.forwardedForApproval).toEqual([
    { case: { id: expect.any(String), township: { code: SUPERVISION_DEMO_TOWNSHIP } }, heldBy: { key: 'CIVIL_AFFAIRS' }, since: expect.any(String), workingDaysHeld: isWorkingDay(todayIso()) ? 4 : 3 },
  ]);
  expect(chinaDateOf(new Date(county.forwardedForApproval[0].since))).toBe(workingDaysBefore(todayIso(), 4));
  // And the supervisor's spreadsheet lists it in its fifth table (before, a header and no row).
  const file = await fetch(`${hub.url}/exports/overdue.csv`, { headers: hub.as({ token: tokens.get('AIDHUB_TOKEN_SUPERVISOR')!, purpose: 'SUPERVISION' }).headers });
  expect(file.status).toBe(200);
  const rows: string[][] = parse((await file.text()).replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false });
  /** A table's rows by its title: under its header, up to the blank line (tables 六 to 八 follow the fifth). */
  const tableRows = (title: string) => {
    const at = rows.findIndex((r) => r[0].startsWith(title));
    expect(at).toBeGreaterThan(0);
    const end = rows.findIndex((r, i) => i > at + 1 && r.every((cell) => cell === ''));
    return rows.slice(at + 2, end < 0 ? undefined : end);
  };
  expect(tableRows('五、转交县级审批').filter((r) => r[3] === '任城区民政局').map((r) => r.slice(1, 4))).toEqual([['任城区', '古槐街道', '任城区民政局']]);
  // And the declined decision still open in its sixth (before session 47 the file had no such table), under its convener.
  expect(tableRows('六、退回未处理的会议决定').map((r) => [r[1], r[3], r[7]])).toEqual([['任城区', '任城区民政局', county.declinesOpen[0].referral.id]]);
  // Under the offices that received them: 司法 on time and late, 医保's decline, 人社's slip open.
  const office = (key: string) => report.byOffice.find((g: any) => g.office.key === key)?.tally.referrals;
  expect(office('JUSTICE')).toMatchObject({ answeredOnTime: 1, answeredLate: 1, openOverdue: 0 });
  expect(office('HEALTH')).toMatchObject({ answeredOnTime: 1, declined: 1 });
  expect(office('HUMAN_RESOURCES')).toMatchObject({ openOverdue: 1 });
  // The two of the last meeting are open and not yet due: counted nowhere, but on record.
  const open = await dbs.hub.select({ id: referralSlip.id }).from(referralSlip).where(eq(referralSlip.state, 'ISSUED'));
  expect(open.length).toBeGreaterThanOrEqual(2);
  uninterrupted = { rows: await demoRows(dbs.hub), report };
});

it('reads the report, and its spreadsheet, in the same statements however many slips, offices, cases and townships it holds', async () => {
  const supervisor = hub.as({ token: tokens.get('AIDHUB_TOKEN_SUPERVISOR')!, purpose: 'SUPERVISION' });
  const COUNTS = `query($asOf: DateTime, $region: String) { overdueReport(asOf: $asOf, regionCode: $region) {
    byOffice { office { key } ${TALLY_AND_LISTS} declinesOpen { referral { id } } shortfalls { referral { id } } fulfilmentsWithdrawn { referral { id } } }
    byTownship { township { code } ${TALLY_AND_LISTS} }
    byCounty { ${TALLY_AND_LISTS} } } }`;
  /**
   * The report of `region` at `asOf`: what it holds, and the statements it took (per source), the
   * file's counted as the hub's thread's statements around it, the fewest of three reads (background work aside).
   */
  const read = async (region: string, asOf: string) => {
    const res = await supervisor.gql(COUNTS, { asOf, region });
    expect(res.errors).toBeUndefined();
    const r = res.data.overdueReport;
    const [county] = r.byCounty;
    const cases = new Set(r.byOffice.flatMap((g: any) => [...g.cases, ...g.casesLate].map((c: any) => c.case.id)));
    const slips = new Set(r.byOffice.flatMap((g: any) => [...g.referrals, ...g.answeredLate, ...g.declined].map((s: any) => s.referral.id)));
    const held = { offices: r.byOffice.length, townships: r.byTownship.length, casesListed: cases.size, slipsListed: slips.size, overdue: [county.referrals.length, county.cases.length] };
    let file = Infinity;
    for (let i = 0; i < 3; i += 1) {
      const before = statementsIssued();
      const csv = await fetch(`${hub.url}/exports/overdue.csv?asOf=${encodeURIComponent(asOf)}&regionCode=${region}`, { headers: supervisor.headers });
      expect(csv.status).toBe(200);
      await csv.arrayBuffer();
      file = Math.min(file, statementsIssued() - before);
    }
    return { held, api: res.extensions?.sqlStatements?.bySource, file };
  };
  // Case 2's township (one case: its two slips, 人社's past due, 司法's answered late; three offices)
  // against the county, as of a past day (the county on the morning 司法 answered late: two cases in two
  // townships, four offices, both of case 2's slips past due) and, as overdueReport reads a future asOf
  // (what will be late then if nothing changes), a month on (five cases in five townships, case 5's
  // listed as forwarded alone; six offices, 古槐街道's with the review it met by the forward, filed under
  // it; three slips and two time limits past due).
  const townships = (await dbs.hub.select({ township: aidCase.townshipCode }).from(aidCase).orderBy(asc(aidCase.id))).map((c) => c.township);
  const pairs = [
    [() => read(townships[1], `${workingDaysBefore(todayIso(), 1)}T23:00:00+08:00`), () => read(SUPERVISION_DEMO_COUNTY, `${workingDaysBefore(todayIso(), 11)}T12:00:00+08:00`)],
    [() => read(townships[1], `${addDays(todayIso(), 30)}T12:00:00+08:00`), () => read(SUPERVISION_DEMO_COUNTY, `${addDays(todayIso(), 30)}T12:00:00+08:00`)],
  ];
  const held = [];
  for (const [one, all] of pairs) {
    const small = await one();
    const large = await all();
    held.push([small.held, large.held]);
    expect(small.api).toBeDefined();
    expect(large.api).toEqual(small.api);
    expect(small.file).toBeGreaterThan(0);
    expect(large.file).toBe(small.file);
  }
  expect(held).toEqual([
    [
      { offices: 3, townships: 1, casesListed: 1, slipsListed: 2, overdue: [1, 0] },
      { offices: 4, townships: 2, casesListed: 1, slipsListed: 3, overdue: [2, 0] },
    ],
    [
      { offices: 3, townships: 1, casesListed: 1, slipsListed: 2, overdue: [1, 0] },
      { offices: 6, townships: 5, casesListed: 2, slipsListed: 5, overdue: [3, 2] },
    ],
  ]);
});

it('adds nothing on a second start on the same data', async () => {
  const before = await Promise.all([tableCount(aidCase), tableCount(referralSlip), tableCount(caseEvent)]);
  expect(await loadSupervisionDemo({ config, hub: dbs.hub, sources: dbs.sourceSet, logger }, tokens, { seed: 1 })).toBeNull();
  expect(await Promise.all([tableCount(aidCase), tableCount(referralSlip), tableCount(caseEvent)])).toEqual(before);
});

it('completes on the next start a demo whose start was stopped at any step, even on a later day: the same rows as one written in one go, nothing twice', async () => {
  const demo = await freshDemo('demo_supervision_resumed', todayIso());
  const deps = { config: demo.config, hub: demo.dbs.hub, sources: demo.dbs.sourceSet, logger };
  // Starts stopped further on each time, each after a request was answered and its answer lost (a
  // start sends fewer requests once a case's meeting is on record): case 1 opened; moved; met; 医保's
  // decline; case 2's slips accepted; case 3 accepted; case 4 opened; case 4 accepted (the demo as a
  // release before case 5 left it whole); case 5 opened; case 5 investigated, its forward the last
  // step. Each start sends the steps again from the first; the last ones start three days later than the first.
  const later = new Date(Date.now() + 3 * 86_400_000);
  for (const [stop, now] of [[1, undefined], [3, undefined], [6, undefined], [9, later], [19, later], [22, later], [27, later], [27, later], [28, later], [30, later]] as const) {
    await expect(loadSupervisionDemo(deps, demo.tokens, { seed: 1, now, interruptAfterRequests: stop })).rejects.toThrow(`interrupted after ${stop} requests`);
  }
  const summary = await loadSupervisionDemo(deps, demo.tokens, { seed: 1, now: later });
  expect(summary).toEqual({ cases: 5, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2, forwardedForApproval: 1 });
  // The same households, events (instants, actors, keys), meetings, slips, ledger entries and seals as the demo written at once.
  const rows = await demoRows(demo.dbs.hub);
  expect(rows).toEqual(uninterrupted.rows);
  demo.entry.hub = await startTestHub(demo.dbs, { client: null });
  expect(await supervisorReport(demo.entry.hub, demo.tokens)).toEqual(uninterrupted.report);
  // A start after it adds nothing.
  const before = await Promise.all([aidCase, referralSlip, caseEvent].map((t) => tableCount(t, demo.dbs.hub)));
  expect(await loadSupervisionDemo(deps, demo.tokens, { seed: 1 })).toBeNull();
  expect(await Promise.all([aidCase, referralSlip, caseEvent].map((t) => tableCount(t, demo.dbs.hub)))).toEqual(before);
});

/** The demo's cases (its convener's openings), in order, and the cases anyone else opened. */
async function casesBy(db: HubDb) {
  const openings = await db.select({ caseId: caseEvent.caseId, actor: caseEvent.actor }).from(caseEvent).where(eq(caseEvent.action, 'OPENED')).orderBy(asc(caseEvent.caseId));
  const cases = await db.select({ id: aidCase.id, householdId: aidCase.householdId }).from(aidCase).orderBy(asc(aidCase.id));
  const householdOf = (caseId: number) => cases.find((c) => c.id === caseId)!.householdId;
  const demo = openings.filter((o) => o.actor === `demo-${SUPERVISION_DEMO_COUNTY}-civil-affairs/${SUPERVISION_DEMO_OFFICER}` || o.actor === `demo-township-guhuai/${SUPERVISION_DEMO_TOWNSHIP_OFFICER}`);
  return { demo: demo.map((o) => householdOf(o.caseId)), others: openings.filter((o) => !demo.includes(o)).map((o) => o.caseId) };
}

/** 任城区民政局 at work between two starts: an officer of its own (not the demo's) opens a case on each household. */
async function officeOpensCases(on: TestHub, demoTokens: Map<string, string>, households: number[]) {
  const office = on.as({ token: demoTokens.get(`AIDHUB_TOKEN_${SUPERVISION_DEMO_COUNTY}_CIVIL_AFFAIRS`)!, purpose: 'CASE_MEETING' });
  for (const householdId of households) {
    const res = await office.gql(`mutation($i: CaseOpenInput!) { caseOpen(input: $i) { case { id } userErrors { code } } }`, { i: { householdId: String(householdId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '来访申请救助' } }, { 'x-officer': 'rcmz-07' });
    expect(res.errors).toBeUndefined();
    expect(res.data.caseOpen.userErrors).toEqual([]);
  }
}

it('completes a stopped demo after the office opened cases on households it drew: its cases written keep theirs, the others are drawn among households without a case, no key is reused and the office\'s cases are left as they are', async () => {
  const demo = await freshDemo('demo_supervision_taken', todayIso());
  const deps = { config: demo.config, hub: demo.dbs.hub, sources: demo.dbs.sourceSet, logger };
  // The households the demo written at once drew, case by case.
  const drawn = uninterrupted.rows.cases.map((c) => c.householdId);
  // Stopped once case 2 was opened (its answer lost): cases 1 and 2 written, 3 and 4 not.
  await expect(loadSupervisionDemo(deps, demo.tokens, { seed: 1, interruptAfterRequests: 12 })).rejects.toThrow('interrupted after 12 requests');
  expect((await casesBy(demo.dbs.hub)).demo).toEqual(drawn.slice(0, 2));
  // Before the next start the office opens cases on case 2's household and on case 3's, not yet written.
  demo.entry.hub = await startTestHub(demo.dbs, { client: null });
  await officeOpensCases(demo.entry.hub, demo.tokens, [drawn[1], drawn[2]]);
  const { others } = await casesBy(demo.dbs.hub);
  const theirs = async () => demo.dbs.hub.select().from(caseEvent).where(inArray(caseEvent.caseId, others)).orderBy(asc(caseEvent.id));
  const theirsBefore = await theirs();

  // The next start completes the demo (before, it drew case 1 or 2 again elsewhere and its caseOpen was refused: IDEMPOTENCY_KEY_REUSED).
  const summary = await loadSupervisionDemo(deps, demo.tokens, { seed: 1 });
  expect(summary).toEqual({ cases: 5, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2, forwardedForApproval: 1 });
  const after = await casesBy(demo.dbs.hub);
  expect(after.demo.slice(0, 2)).toEqual(drawn.slice(0, 2));
  const [, , c3, c4, c5] = after.demo;
  expect(new Set(after.demo).size).toBe(5);
  expect([c3, c4, c5]).not.toContain(drawn[2]);
  // The office's cases: theirs alone, nothing added.
  expect(after.others).toEqual(others);
  expect(await theirs()).toEqual(theirsBefore);
  // Supervision reads the slips of a demo written at once (the office's new cases have none, and no deadline due yet).
  const county = (r: any) => r.byCounty[0];
  const report = await supervisorReport(demo.entry.hub, demo.tokens);
  expect(county(report).tally).toEqual(county(uninterrupted.report).tally);
  // A start after it adds nothing.
  const before = await Promise.all([aidCase, referralSlip, caseEvent].map((t) => tableCount(t, demo.dbs.hub)));
  expect(await loadSupervisionDemo(deps, demo.tokens, { seed: 1 })).toBeNull();
  expect(await Promise.all([aidCase, referralSlip, caseEvent].map((t) => tableCount(t, demo.dbs.hub)))).toEqual(before);
});

it('completes a demo stopped after case 1\'s meeting once its legal aid\'s beneficiary left the household: the aid reported for the member the slip names, the rows those of a demo written at once', async () => {
  const demo = await freshDemo('demo_supervision_moved', todayIso());
  const deps = { config: demo.config, hub: demo.dbs.hub, sources: demo.dbs.sourceSet, logger };
  await expect(loadSupervisionDemo(deps, demo.tokens, { seed: 1, interruptAfterRequests: 6 })).rejects.toThrow('interrupted after 6 requests');
  // Case 1's legal aid names the head; its medical aid another member, who stays.
  const [legal, medical] = uninterrupted.rows.slips;
  expect(legal.beneficiaryIdNumber).not.toBe(medical.beneficiaryIdNumber);
  // Before the next start civil affairs records the head as having left the household (a move, today).
  await demo.dbs.hub.update(householdMember).set({ leftOn: todayIso() }).where(and(eq(householdMember.householdId, uninterrupted.rows.cases[0].householdId), eq(householdMember.idNumber, legal.beneficiaryIdNumber!)));
  // Before, the next start reported the legal aid for the member now first and could not complete the slip with it.
  expect(await loadSupervisionDemo(deps, demo.tokens, { seed: 1 })).toEqual({ cases: 5, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2, forwardedForApproval: 1 });
  expect(await demoRows(demo.dbs.hub)).toEqual(uninterrupted.rows);
});

it('says once a start, in one line naming no one, that the demo cannot be drawn when the office\'s cases leave too few households, writes nothing, and the start goes on; a demo begun is finished with the cases it opened, and said so once', async () => {
  const renchengHouseholds = async (db: HubDb) => (await db.select({ id: household.id }).from(household).where(like(household.regionCode, `${SUPERVISION_DEMO_COUNTY}%`)).orderBy(asc(household.id))).map((h) => h.id);
  /** The start's lines: one warning, of counts alone (no error, no stack, no ID number). */
  const saidOnce = (lines: Record<string, unknown>[], casesOpened: number) => {
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: 40, county: SUPERVISION_DEMO_COUNTY, casesOpened, casesNeeded: 5 });
    expect(line).not.toHaveProperty('err');
    expect(line).not.toHaveProperty('stack');
    expect(JSON.stringify(line)).not.toMatch(/\d{17}[\dX]/);
    lines.length = 0;
  };

  // Not begun: every household of 任城区 but three has a case of the office's.
  const fresh = await freshDemo('demo_supervision_none_left', todayIso());
  const freshLog = capturedLog('info');
  const freshDeps = { config: fresh.config, hub: fresh.dbs.hub, sources: fresh.dbs.sourceSet, logger: freshLog.logger };
  fresh.entry.hub = await startTestHub(fresh.dbs, { client: null });
  await officeOpensCases(fresh.entry.hub, fresh.tokens, (await renchengHouseholds(fresh.dbs.hub)).slice(3));
  const freshCases = await tableCount(aidCase, fresh.dbs.hub);
  for (let start = 0; start < 2; start += 1) {
    expect(await loadSupervisionDemo(freshDeps, fresh.tokens, { seed: 1 })).toBeNull();
    saidOnce(freshLog.lines, 0);
    expect((await casesBy(fresh.dbs.hub)).demo).toEqual([]);
    expect(await tableCount(aidCase, fresh.dbs.hub)).toBe(freshCases);
  }

  // Begun and stopped after case 1's meeting; the office then takes every other household.
  const begun = await freshDemo('demo_supervision_rest_taken', todayIso());
  const begunLog = capturedLog('info');
  const begunDeps = { config: begun.config, hub: begun.dbs.hub, sources: begun.dbs.sourceSet, logger: begunLog.logger };
  await expect(loadSupervisionDemo(begunDeps, begun.tokens, { seed: 1, interruptAfterRequests: 6 })).rejects.toThrow('interrupted after 6 requests');
  const [written] = (await casesBy(begun.dbs.hub)).demo;
  begun.entry.hub = await startTestHub(begun.dbs, { client: null });
  await officeOpensCases(begun.entry.hub, begun.tokens, (await renchengHouseholds(begun.dbs.hub)).filter((id) => id !== written));
  const { others } = await casesBy(begun.dbs.hub);
  // The next start finishes case 1 (its slips answered as in a demo written at once: 司法 on time,
  // 医保's decline) and opens no other; before, it sent nothing, case 1's slips stayed open, and every
  // start warned again.
  expect(await loadSupervisionDemo(begunDeps, begun.tokens, { seed: 1 })).toEqual({ cases: 1, answeredOnTime: 1, answeredLate: 0, declined: 1, openOverdue: 0, openNotYetDue: 0, forwardedForApproval: 0 });
  expect(begunLog.lines[0]?.msg).toMatch(/^the supervision demo was finished with 1 of its 5 cases/);
  saidOnce(begunLog.lines, 1);
  const finished = await demoRows(begun.dbs.hub);
  expect({ demo: (await casesBy(begun.dbs.hub)).demo, others: (await casesBy(begun.dbs.hub)).others }).toEqual({ demo: [written], others });
  const c1 = (rows: Awaited<ReturnType<typeof demoRows>>) => rows.slips.filter((slip) => slip.caseId === rows.cases[0].id).map((slip) => slip.state);
  expect(c1(finished)).toEqual(c1(uninterrupted.rows));
  // The starts after it say nothing and add nothing.
  for (let start = 0; start < 2; start += 1) {
    expect(await loadSupervisionDemo(begunDeps, begun.tokens, { seed: 1 })).toBeNull();
    expect(begunLog.lines).toEqual([]);
    expect(await demoRows(begun.dbs.hub)).toEqual(finished);
  }
});

it('counts its days by the holiday calendar: started the Monday after 国庆 2026, the last meeting on the worked Saturday, none in the holiday', async () => {
  const now = new Date('2026-10-12T20:00:00+08:00');
  const demo = await freshDemo('demo_supervision_holiday', '2026-10-12');
  const summary = await loadSupervisionDemo({ config: demo.config, hub: demo.dbs.hub, sources: demo.dbs.sourceSet, logger }, demo.tokens, { seed: 1, now });
  expect(summary).toEqual({ cases: 5, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2, forwardedForApproval: 1 });
  // 28 and 17 working days before 10-12 (the seven days of 国庆 not counted), and the one before it: Saturday 10-10, worked (调休).
  const held = (await demo.dbs.hub.select({ heldOn: caseMeeting.heldOn }).from(caseMeeting)).map((m) => m.heldOn).sort();
  expect(held).toEqual(['2026-08-27', '2026-09-11', '2026-10-10']);
  const clock = new TestClock(now);
  demo.entry.hub = await startTestHub(demo.dbs, { client: null, clock: clock.now, today: '2026-10-12' });
  const [county] = (await supervisorReport(demo.entry.hub, demo.tokens)).byCounty;
  expect([county.referrals, county.answeredLate, county.declined, county.declinesOpen, county.cases, county.casesLate].map((l: unknown[]) => l.length)).toEqual([1, 1, 1, 1, 1, 1]);
});
