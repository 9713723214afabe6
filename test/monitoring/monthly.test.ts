/**
 * The monthly comparison (一月一比对) over a generated population, against real databases: the
 * fast path (each department asked only about the people it holds anything about, pages read
 * ahead, alerts written a page at a time) opens exactly the alerts the reference path opens (every
 * department asked about everyone, one page at a time), whatever the page size; a run on demand
 * (the `monthlyComparisonRun` mutation and `npm run monitor:monthly`) is one per division and
 * month, with its counts, and asked again starts nothing and opens no alert twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { monitoringAlert, monitoringAlertEvent } from '../../db/monitoring/schema';
import { eq } from 'drizzle-orm';
import { monitoringMonthlyRun } from '../../db/monitoring-monthly/schema';
import { claimMonthlyRun } from '../../db/monitoring-monthly/store';
import { alertDelivery } from '../../db/alert-delivery/schema';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { monthOf, runMonthlyComparison } from '../../resolvers/monitoring/monthly';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { generateDemo } from '../../tools/generate/index';
import { createTestDatabases, lockWaits, type TestDatabases } from '../support/databases';
import { startTestHub, type GraphQLResponse, type TestHub } from '../support/hub';
import { until } from '../support/until';
import { TODAY } from '../support/scenarios';

jest.setTimeout(300_000);

const POPULATION = 300;
const NOW = new Date(`${TODAY}T02:00:00.000Z`);

let dbs: TestDatabases;
let deps: DetectDeps;
let hub: TestHub;

/** What an alert says, without its id and instants: equal for the same condition however it was found. */
async function alertFacts(): Promise<string[]> {
  const rows = await dbs.hub.select().from(monitoringAlert);
  return rows
    .map((a) => JSON.stringify([a.identity, a.triggerId, a.grade, a.state, a.subjectIdNumber, a.householdId, a.regionCode, a.townshipCode, a.verifierOffice, a.monitored, a.evidence, a.evidenceRefs, a.measure, a.firstClueOn, a.acknowledgeBy, a.verifyBy, a.provisional]))
    .sort();
}

async function clearAlerts(): Promise<void> {
  await dbs.hub.delete(alertDelivery);
  await dbs.hub.delete(monitoringAlertEvent);
  await dbs.hub.delete(monitoringAlert);
}

/** The hub's log lines, as written (a monthly run started by a request logs its end with the request's id). */
const logLines: Record<string, unknown>[] = [];
const logger = pino(new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } }));

beforeAll(async () => {
  dbs = await createTestDatabases('monthly');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: POPULATION, seed: 11, referenceDate: TODAY, provision: false, plant: true });
  deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW };
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'MONITORING', logger, client: { department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['ADMINISTRATOR'] } });
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('the fast comparison', () => {
  let reference: string[];
  let households: number;

  it('opens exactly the alerts the reference path opens, whatever the page size', async () => {
    const ref = await runMonthlyComparison(deps, '370800', { knownPeople: false, lookahead: 1, pageHouseholds: 100 });
    households = ref.households;
    reference = await alertFacts();
    expect(households).toBeGreaterThanOrEqual(POPULATION);
    // The generated population raises alerts of several triggers (and the planted cases M3, M5).
    expect(reference.length).toBe(ref.changed);
    expect(new Set(reference.map((r) => JSON.parse(r)[1])).size).toBeGreaterThanOrEqual(4);
    for (const page of [37, 2000]) {
      await clearAlerts();
      const fast = await runMonthlyComparison(deps, '370800', { pageHouseholds: page, lookahead: 3 });
      expect(fast).toEqual({ households, changed: reference.length });
      expect(await alertFacts()).toEqual(reference);
    }
    // Every alert opened has its OPENED event, one each.
    const events = await dbs.hub.select().from(monitoringAlertEvent);
    expect(events.filter((e) => e.action === 'OPENED')).toHaveLength(reference.length);
  });

  it('changes nothing when run again', async () => {
    expect(await runMonthlyComparison(deps, '370800', { pageHouseholds: 500 })).toEqual({ households, changed: 0 });
    expect(await alertFacts()).toEqual(reference);
  });
});

describe('a run on demand', () => {
  const RUN = `mutation($i: MonthlyComparisonRunInput!) { monthlyComparisonRun(input: $i) { started comparison { id region { code } month state householdsTotal householdsDone alertsChanged startedBy failure } userErrors { code field } } }`;
  const LIST = `{ monthlyComparisons(regionCode: "370800") { id month state householdsDone alertsChanged } }`;

  async function finished(id: string) {
    for (let i = 0; i < 600; i++) {
      const res = await hub.gql(LIST);
      const run = res.data.monthlyComparisons.find((r: { id: string }) => r.id === id);
      if (run.state !== 'RUNNING') return run;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the run did not finish');
  }

  it('runs once per division and month: asked again it starts nothing and opens no alert twice', async () => {
    await clearAlerts();
    const first = await hub.gql(RUN, { i: { regionCode: '370800' } });
    expect(first.errors).toBeUndefined();
    const started = first.data.monthlyComparisonRun;
    expect(started).toMatchObject({ started: true, userErrors: [], comparison: { region: { code: '370800' }, month: TODAY.slice(0, 7), householdsTotal: expect.any(Number), startedBy: expect.any(String) } });
    const done = await finished(started.comparison.id);
    const alerts = await alertFacts();
    expect(done).toMatchObject({ state: 'SUCCEEDED', householdsDone: started.comparison.householdsTotal, alertsChanged: alerts.length });
    expect(alerts.length).toBeGreaterThan(0);
    // Its end is logged, with the id of the request that started it (it was not logged at all).
    const ended = await until('its end logged', async () => logLines.filter((l) => l.msg === 'monthly comparison finished'), (v) => v.length > 0, 30_000);
    expect(ended).toEqual([expect.objectContaining({ region: '370800', requestId: expect.any(String) })]);

    const again = (await hub.gql(RUN, { i: { regionCode: '370800', month: TODAY.slice(0, 7) } })).data.monthlyComparisonRun;
    expect(again).toMatchObject({ started: false, userErrors: [], comparison: { id: started.comparison.id, state: 'SUCCEEDED', alertsChanged: alerts.length } });
    expect(await alertFacts()).toEqual(alerts);
    expect(await dbs.hub.select().from(monitoringMonthlyRun)).toHaveLength(1);
  });

  it('refuses another month with a stable code, and a malformed one as bad input', async () => {
    const other = await hub.gql(RUN, { i: { regionCode: '370800', month: '2026-02' } });
    expect(other.data.monthlyComparisonRun).toEqual({ started: false, comparison: null, userErrors: [{ code: 'MONTH_NOT_CURRENT', field: ['input', 'month'] }] });
    const bad = await hub.gql(RUN, { i: { regionCode: '370800', month: '2026-3' } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.month', reason: 'FORMAT' });
    // Well written but no month: said so, not "month is YYYY-MM", which it is.
    for (const month of ['2026-13', '2026-00']) {
      const none = await hub.gql(RUN, { i: { regionCode: '370800', month } });
      expect(none.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.month', reason: 'NO_SUCH_MONTH' });
      expect(none.errors?.[0].message).toBe(`month: there is no month ${month.slice(5)}: months run from 01 to 12`);
    }
    // A division code the hub knows nothing of (a typo) is refused, and takes no run of the month.
    const runs = (await dbs.hub.select().from(monitoringMonthlyRun)).length;
    const unknown = await hub.gql(RUN, { i: { regionCode: '370811999' } });
    expect(unknown.data.monthlyComparisonRun).toEqual({ started: false, comparison: null, userErrors: [{ code: 'REGION_UNKNOWN', field: ['input', 'regionCode'] }] });
    expect(await dbs.hub.select().from(monitoringMonthlyRun)).toHaveLength(runs);
  });

  it('lets only an administrator run it, over a division within its scope', async () => {
    const county = await hub.createClient({ regionScope: '370811', roles: ['ADMINISTRATOR'] });
    const outside = await hub.as({ token: county.token, purpose: 'MONITORING' }).gql(RUN, { i: { regionCode: '370812' } });
    expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const township = await hub.createClient({ regionScope: '370811001', roles: ['READER', 'CASEWORKER'] });
    const caseworker = await hub.as({ token: township.token, purpose: 'MONITORING' }).gql(RUN, { i: { regionCode: '370811001' } });
    expect(caseworker.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await dbs.hub.select().from(monitoringMonthlyRun)).toHaveLength(1);
  });

  it('runs from the command line with its counts, once per month, printing nothing personal', async () => {
    const cli = (...more: string[]) =>
      spawnSync(path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'), [path.join(__dirname, '..', '..', 'tools', 'monitor-monthly.ts'), '--region', '370811', ...more], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: dbs.hubUrl, AIDHUB_RULES_FILE: '', AIDHUB_TRIGGERS_FILE: '' },
        timeout: 240_000,
      });
    const first = cli();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Run \d+ succeeded in [\d.]+ s: \d+ households compared, \d+ alerts opened or raised/);
    expect(first.stdout).not.toMatch(/\d{17}[\dX]/);
    const alerts = await alertFacts();
    const second = cli();
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/ran already \(run \d+, started by cli\).*Nothing new started/);
    expect(await alertFacts()).toEqual(alerts);
    // A month that does not exist is said to be one, as the mutation says it.
    const none = cli('--month', '2026-13');
    expect([none.status, none.stderr.split('\n')[0]]).toEqual([2, 'error: NO_SUCH_MONTH: --month: there is no month 13: months run from 01 to 12']);
  });
});

describe('a run asked for twice at the same moment', () => {
  it('is one run: the second, checked before the first’s claim committed and waiting at its own, answers it, started: false', async () => {
    const RUN = `mutation($i: MonthlyComparisonRunInput!) { monthlyComparisonRun(input: $i) { started comparison { id state } userErrors { code } } }`;
    const month = TODAY.slice(0, 7);
    let second: Promise<GraphQLResponse> | undefined;
    let firstId = 0;
    // The first sending's claim, not yet committed when the second's meets its row.
    await dbs.hub.transaction(async (tx) => {
      const claim = await claimMonthlyRun(tx as never, '370826', month, 'first-sending', 0);
      expect(claim.claimed).toBe(true);
      firstId = claim.run.id;
      second = hub.gql(RUN, { i: { regionCode: '370826' } });
      second.catch(() => undefined); // awaited below, once the first's claim is committed
      await until('the second claim waiting for the first', () => lockWaits(dbs.hub), (n) => n >= 1);
    });
    const res = await second!;
    expect(res.errors).toBeUndefined();
    expect(res.data.monthlyComparisonRun).toEqual({ started: false, comparison: { id: String(firstId), state: 'RUNNING' }, userErrors: [] });
    expect(await dbs.hub.select().from(monitoringMonthlyRun).where(eq(monitoringMonthlyRun.regionCode, '370826'))).toHaveLength(1);
  });
});


/**
 * `npm run monitor:monthly` as an operator meets it: run again after a run of its was killed, or
 * while a hub's tick runs the month, and with a holiday file the hub would refuse.
 */
describe('the command line beside another run, and with a holiday file that does not check', () => {
  const tool = path.join(__dirname, '..', '..', 'tools', 'monitor-monthly.ts');
  const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const env = (more: Record<string, string> = {}) => ({ ...process.env, DATABASE_URL: dbs.hubUrl, AIDHUB_RULES_FILE: '', AIDHUB_TRIGGERS_FILE: '', AIDHUB_HOLIDAYS_FILE: '', ...more });
  /** The month the tool runs: the current one, by this machine's clock as the tool reads it. */
  const cliMonth = () => monthOf({ now: () => new Date() });
  const runOf = async (region: string) => (await dbs.hub.select().from(monitoringMonthlyRun).where(eq(monitoringMonthlyRun.regionCode, region)))[0];

  /** The tool, spawned: its output as it comes, and its end. */
  function started(region: string) {
    const child = spawn(tsx, [tool, '--region', region, '--page', '20'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let exited = false;
    void ended.then(() => (exited = true));
    return { out: () => stdout, err: () => stderr, ended, exited: () => exited };
  }

  /** A run of `region` claimed by another process (`by`), and the tool started beside it, once it says it waits. */
  async function waitingBeside(region: string, by: string) {
    const claim = await claimMonthlyRun(dbs.hub, region, cliMonth(), by, 0);
    expect(claim.claimed).toBe(true);
    const cli = started(region);
    // It said "is running … Nothing new started" and exited 0, the month not compared.
    await until('the tool waiting for the run', async () => cli.out(), (o) => o.includes('is running in another process') || cli.exited());
    expect(cli.exited()).toBe(false);
    return { claim, cli };
  }

  it('waits for a run another process holds and takes it over once that process is dead (killed midway), exit 0 when it succeeded', async () => {
    // The run of a tool killed midway: claimed, never heard from again.
    const { claim, cli } = await waitingBeside('370881', 'killed-cli');
    // The killed process's run silent past MONTHLY_RUN_STALE_MS, by the database's clock.
    await dbs.hubPool.query('UPDATE monitoring_monthly_run SET heartbeat_at = heartbeat_at - INTERVAL 11 MINUTE WHERE id = ?', [claim.run.id]);
    expect(await cli.ended).toBe(0);
    expect(cli.err()).toBe('');
    expect(cli.out()).toMatch(new RegExp(`Run ${claim.run.id} succeeded in [\\d.]+ s: \\d+ households compared`));
    expect(await runOf('370881')).toMatchObject({ id: claim.run.id, state: 'SUCCEEDED', startedBy: 'cli' });
  });

  it('waits for a live run of another process and exits 0 with it once it succeeded, starting nothing', async () => {
    const { claim, cli } = await waitingBeside('370830', 'hub-tick');
    await dbs.hubPool.query("UPDATE monitoring_monthly_run SET state = 'SUCCEEDED', finished_at = heartbeat_at WHERE id = ?", [claim.run.id]);
    expect(await cli.ended).toBe(0);
    expect(cli.out()).toMatch(new RegExp(`succeeded in the other process \\(run ${claim.run.id}, started by hub-tick\\).*Nothing new started`));
    expect(await runOf('370830')).toMatchObject({ id: claim.run.id, state: 'SUCCEEDED', startedBy: 'hub-tick' });
  });

  it('refuses a holiday file the hub would refuse, exit 2 with its code, before claiming the month’s run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-monthly-holidays-'));
    const file = path.join(dir, 'holidays.json');
    fs.writeFileSync(file, JSON.stringify({ notices: [{ year: 2027, basis: 'x', holidays: { '2027-13-01': '元旦' }, workdays: {} }] }));
    try {
      const run = spawnSync(tsx, [tool, '--region', '370812'], { encoding: 'utf8', env: env({ AIDHUB_HOLIDAYS_FILE: file }), timeout: 240_000 });
      // It claimed the month's run and failed it, INTERNAL_ERROR, exit 1 ("run it again to finish").
      expect([run.status, run.stderr.split('\n')[0]]).toEqual([2, expect.stringMatching(/^error: INVALID_HOLIDAY_NOTICE: AIDHUB_HOLIDAYS_FILE .*2027-13-01/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(await runOf('370812')).toBeUndefined();
  });
});
