/**
 * The demo's supervision cases (server/demo-supervision.ts, tools/generate/supervision.ts): on a
 * fresh demo (its population, its clients) the demo's supervision office read an empty
 * overdueReport until someone ran the README's loop. Now `npm start` leaves a few 任城区 cases
 * decided at meetings, dated back from today by the holiday calendar, whose slips were answered on
 * time, late, declined, or are open past due or not yet due; the report, read on the real clock as
 * the demo supervisor, lists them, and its tally's late figures are the lists' lengths. A second
 * start adds nothing. A start stopped half-way (at any of its requests, the answer lost) leaves a
 * demo the next start completes, even a start on a later day: the same rows as a demo written in
 * one go, nothing twice, and the start after that adds nothing. The report and its spreadsheet
 * (GET /exports/overdue.csv) cost the same statements for a township of one case as for the county
 * of four. Started the Monday after 国庆 2026 (10-01 to 10-07 off, Saturday 10-10 worked),
 * its days are working days: the last meeting on the worked Saturday, none in the holiday.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { asc, count, eq, lte } from 'drizzle-orm';
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
import { SUPERVISION_DEMO_COUNTY, workingDaysBefore } from '../tools/generate/supervision';
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
  byCounty { county { code } ${TALLY_AND_LISTS} declinesOpen { referral { id } } } } }`;

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
  expect(summary).toEqual({ cases: 4, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2 });

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
  // (what will be late then if nothing changes), a month on (four cases in four townships, five offices,
  // three slips and two time limits past due).
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
      { offices: 5, townships: 4, casesListed: 2, slipsListed: 5, overdue: [3, 2] },
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
  // Starts stopped further on each time, each after a request was answered and its answer lost (of the
  // 28 a demo sends): case 1 opened; moved; met; 司法's ledger entry reported; case 2's slips
  // accepted; 司法's late answer; case 4 opened, its acceptance the last step. Each start sends the
  // steps again from the first; the last ones start three days later than the first.
  const later = new Date(Date.now() + 3 * 86_400_000);
  for (const [stop, now] of [[1, undefined], [3, undefined], [6, undefined], [9, later], [19, later], [22, later], [27, later]] as const) {
    await expect(loadSupervisionDemo(deps, demo.tokens, { seed: 1, now, interruptAfterRequests: stop })).rejects.toThrow(`interrupted after ${stop} requests`);
  }
  const summary = await loadSupervisionDemo(deps, demo.tokens, { seed: 1, now: later });
  expect(summary).toEqual({ cases: 4, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2 });
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

it('counts its days by the holiday calendar: started the Monday after 国庆 2026, the last meeting on the worked Saturday, none in the holiday', async () => {
  const now = new Date('2026-10-12T20:00:00+08:00');
  const demo = await freshDemo('demo_supervision_holiday', '2026-10-12');
  const summary = await loadSupervisionDemo({ config: demo.config, hub: demo.dbs.hub, sources: demo.dbs.sourceSet, logger }, demo.tokens, { seed: 1, now });
  expect(summary).toEqual({ cases: 4, answeredOnTime: 1, answeredLate: 1, declined: 1, openOverdue: 1, openNotYetDue: 2 });
  // 28 and 17 working days before 10-12 (the seven days of 国庆 not counted), and the one before it: Saturday 10-10, worked (调休).
  const held = (await demo.dbs.hub.select({ heldOn: caseMeeting.heldOn }).from(caseMeeting)).map((m) => m.heldOn).sort();
  expect(held).toEqual(['2026-08-27', '2026-09-11', '2026-10-10']);
  const clock = new TestClock(now);
  demo.entry.hub = await startTestHub(demo.dbs, { client: null, clock: clock.now, today: '2026-10-12' });
  const [county] = (await supervisorReport(demo.entry.hub, demo.tokens)).byCounty;
  expect([county.referrals, county.answeredLate, county.declined, county.declinesOpen, county.cases, county.casesLate].map((l: unknown[]) => l.length)).toEqual([1, 1, 1, 1, 1, 1]);
});
