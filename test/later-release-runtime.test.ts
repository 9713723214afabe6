/**
 * A hub process left running while a later release migrates its database (docs/operations.md
 * "Upgrading", step 2 forgotten). `npm start` refuses such a database (test/migrations-later-release),
 * but only at start: the running hub went on serving on it, reading and writing rows in the forms
 * the later release had upgraded. Now, within a few seconds of the later release's journal row, the
 * process turns /readyz 503 with the reason, refuses every request HUB_UNAVAILABLE
 * (DATABASE_OF_LATER_RELEASE), keeps /healthz 200, stops its background work (here the monitoring
 * poller, whose leases it gives up; a scan, handed over at its next chunk as on a SIGTERM; a monthly
 * comparison, which went on to its end writing alerts, stopped before its next page and left RUNNING),
 * says 0 on its gauge and logs one line; and serves again once the row is gone (a restore), taking the
 * scan up again and letting the comparison be taken over once silent. Probes that come together share one read of the journals, and a read answers for 5 s
 * (access/release-watch.ts).
 *
 * The later release is the migrator's own record of one: a row in a journal of this release's sets,
 * made after every migration this release has, written as the migrator writes it
 * (INSERT INTO the journal (hash, created_at)), as test/migrations-later-release does.
 */
import { createClient } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { HUB_MIGRATION_SETS } from '../db/setup/provision';
import type { HubDb } from '../db/connect';
import { DatabaseOfLaterRelease } from '../db/setup/migrator';
import { createLogger } from '../server/logger';
import { ReleaseWatch } from '../access/release-watch';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';
import { until } from './support/until';

const JOBS_JOURNAL = HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.table;
/** 2100-01-01: a migration of a release after this one. */
const LATER_WHEN = 4102444800000;

let dbs: TestDatabases;
let hub: HubProcess;
let token: string;
let adminToken: string;
/** In front of the disability federation's database: a scan held in the middle of its reads. */
let proxy: PausableProxy;

beforeAll(async () => {
  dbs = await createTestDatabases('later_live');
  // The demo written a minute back on the databases' clocks: older than the commit lag when the
  // poller first looks, so the past, the monthly comparison's to alert on (a poller's first poll
  // reads the rows of the last lag's seconds before its first look, and would open their alerts).
  const aMinuteBack = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 300, seed: 42, provision: false, referenceDate: '2026-03-15', databaseClockAt: aMinuteBack });
  proxy = await startPausableProxy(dbs.sourceUrls.DISABILITY);
  hub = await startHubProcess(dbs.hubUrl, {
    AIDHUB_MONITOR_COMMIT_LAG_MS: '1000',
    // The poller holds a lease per feed while it polls: the background work seen from the database.
    // It does not poll the department held by the proxy, whose ticks would wait on it.
    AIDHUB_MONITOR_INTERVAL_MS: '500',
    AIDHUB_MONITOR_INTERVAL_MS_DISABILITY: '0',
    AIDHUB_JOB_TAKEOVER_MS: '500',
    SOURCE_DISABILITY_URL: proxy.url(dbs.sourceUrls.DISABILITY),
    LOG_LEVEL: 'warn',
  });
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: 'later-live', department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: ['READER'], expiresAt: null }));
  ({ token: adminToken } = await createClient(accessDbOf(dbs.hub), { name: 'later-live-admin', department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: ['ADMINISTRATOR'], expiresAt: null }));
}, 300_000);

afterAll(async () => {
  proxy?.resume();
  if (hub) await stopHubProcess(hub);
  await proxy?.close();
  await dbs?.close();
}, 60_000);

// Whatever a test left (a failure before its own restore), the next starts on this release's database.
afterEach(async () => {
  proxy.resume();
  await dbs.hubPool.query(`DELETE FROM ${JOBS_JOURNAL} WHERE hash = 'later'`);
});

interface ReadyBody {
  status: string;
  hub: { available: boolean; reason?: string; problem?: string };
}
const readyz = async () => {
  const res = await fetch(`${hub.url}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
};
const graphql = async (bearer: string, purpose: string, query: string) => {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, 'x-purpose': purpose },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { extensions: { code: string; reason?: string } }[] } };
};
/** A read of the hub database: a household that is not there. */
const household = () => graphql(token, 'ELIGIBILITY_REVIEW', '{ household(id: "999999999") { id } }');
const REFUSED = { status: 503, body: { errors: [{ message: expect.any(String), extensions: { code: 'HUB_UNAVAILABLE', reason: 'DATABASE_OF_LATER_RELEASE' } }] } };
const laterRelease = () => dbs.hubPool.query(`INSERT INTO ${JOBS_JOURNAL} (hash, created_at) VALUES ('later', ?)`, [LATER_WHEN]);
// A restore: the backup taken before the upgrade holds no such row.
const restore = () => dbs.hubPool.query(`DELETE FROM ${JOBS_JOURNAL} WHERE hash = 'later'`);
const gauge = async () => /^aidhub_hub_database_release_current (\d)$/m.exec(await (await fetch(hub.metricsUrl)).text())?.[1];
const lines = (text: string) => hub.output.join('').split('\n').filter((l) => l.includes(text));
/** The poller's leases this process holds now (holder `host:pid:…`, not expired by the database's clock). */
const leasesHeld = async () => {
  const [[{ n }]] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM job_lease WHERE holder LIKE ? AND expires_at > UTC_TIMESTAMP(3)', [`%:${hub.child.pid}:%`])) as unknown as [{ n: number }[]];
  return Number(n);
};

it('stops serving once a later release has migrated its database, and serves again once it is restored', async () => {
  expect((await until('ready', readyz, (r) => r.status === 200)).body).toEqual(expect.objectContaining({ status: 'ready', hub: { available: true } }));
  expect(await household()).toEqual({ status: 200, body: { data: { household: null } } });
  expect(await gauge()).toBe('1');
  expect(await until('the poller holding its leases', leasesHeld, (n) => n > 0)).toBeGreaterThan(0);

  await laterRelease();
  const refused = await until('/readyz 503', readyz, (r) => r.status === 503);
  expect(refused.body).toEqual(
    expect.objectContaining({
      status: 'hub database migrated by a later release',
      hub: { available: true, reason: 'DATABASE_OF_LATER_RELEASE', problem: expect.stringMatching(new RegExp(`its journal ${JOBS_JOURNAL} records a migration made 2100-01-01T00:00:00.000Z .*: stop this process`)) },
    }),
  );
  expect(await household()).toEqual(REFUSED);
  // Liveness: the process is alive, and restarting it would only start it on the database it refuses.
  expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  expect(await gauge()).toBe('0');
  // Its background work gave its leases up and takes none again (the poller ticked every 500 ms).
  expect(await until('the poller giving its leases up', leasesHeld, (n) => n === 0)).toBe(0);
  await new Promise((r) => setTimeout(r, 3_000));
  expect(await leasesHeld()).toBe(0);
  // A probe storm: one line for the change, not one per probe; its fields name the journal and the date, nothing else.
  await Promise.all(Array.from({ length: 20 }, () => readyz()));
  const changed = lines('migrated by a later release of AidHub: /readyz answers 503');
  expect(changed).toHaveLength(1);
  expect(Object.keys(JSON.parse(changed[0]) as object).sort()).toEqual(['journal', 'level', 'migratedAt', 'msg', 'service', 'time'].concat(changed[0].includes('"requestId"') ? ['requestId'] : []).sort());
  expect(JSON.parse(changed[0])).toEqual(expect.objectContaining({ journal: JOBS_JOURNAL, migratedAt: '2100-01-01T00:00:00.000Z' }));

  await restore();
  expect((await until('/readyz 200', readyz, (r) => r.status === 200)).body).toEqual(expect.objectContaining({ status: 'ready' }));
  expect(await household()).toEqual({ status: 200, body: { data: { household: null } } });
  expect(await gauge()).toBe('1');
  expect(await until('the poller holding its leases again', leasesHeld, (n) => n > 0)).toBeGreaterThan(0);
  expect(lines('of this release again (restored)')).toHaveLength(1);
  expect(lines('migrated by a later release of AidHub: /readyz answers 503')).toHaveLength(1);
}, 300_000);

it('hands a scan running then over at its next chunk, as on a SIGTERM, and takes it up again after the restore', async () => {
  // The scan waits on the disability federation's reads until the later release is found.
  proxy.pause();
  const started = await graphql(adminToken, 'MONITORING', 'mutation { scanStart(input: { regionCode: "370800" }) { scan { id } userErrors { code } } }');
  expect(started.body.data.scanStart.userErrors).toEqual([]);
  const scanId = Number(started.body.data.scanStart.scan.id);
  await until('the scan reading the paused department', async () => proxy.held(), (n) => n > 0);
  await laterRelease();
  await until('/readyz 503', readyz, (r) => r.status === 503);
  // A scan start is a request like any other: refused.
  expect(await graphql(adminToken, 'MONITORING', 'mutation { scanStart(input: { regionCode: "370811" }) { scan { id } } }')).toEqual(REFUSED);
  proxy.resume();
  await until('the scan handed over', async () => lines('scan handed over to a hub, which resumes it from its last stored chunk').length, (n) => n === 1);
  const [[scan]] = (await dbs.hubPool.query('SELECT state FROM finding_scan WHERE id = ?', [scanId])) as unknown as [{ state: string }[]];
  const [[lease]] = (await dbs.hubPool.query('SELECT holder, expires_at <= UTC_TIMESTAMP(3) AS expired FROM job_lease WHERE job_key = ?', [`scan:${scanId}`])) as unknown as [{ holder: string; expired: number }[]];
  // Still RUNNING, its lease given up at once for the later release's processes to take over.
  expect({ state: scan.state, holder: lease.holder, expired: Number(lease.expired) }).toEqual({ state: 'RUNNING', holder: '', expired: 1 });
  // This process does not take it back while the database is a later release's (its takeover looks every 500 ms).
  await new Promise((r) => setTimeout(r, 3_000));
  expect(lines('taking over a scan whose hub process stopped renewing its lease')).toHaveLength(0);

  await restore();
  await until('/readyz 200', readyz, (r) => r.status === 200);
  const done = await until(
    'the scan finished',
    async () => ((await dbs.hubPool.query('SELECT state, households_total AS total, households_done AS done FROM finding_scan WHERE id = ?', [scanId])) as unknown as [{ state: string; total: number; done: number }[]])[0][0],
    (s) => s.state !== 'RUNNING',
  );
  expect(done.state).toBe('SUCCEEDED');
  expect(done.done).toBe(done.total);
  expect(done.total).toBeGreaterThan(0);
  expect(lines('taking over a scan whose hub process stopped renewing its lease')).toHaveLength(1);
}, 300_000);

it('stops a monthly comparison running then before its next page, writing nothing more, and a run takes it over after the restore', async () => {
  const one = async <T>(q: string, params: unknown[] = []): Promise<T> => ((await dbs.hubPool.query(q, params)) as unknown as [T[]])[0][0];
  const monthly = async () => Number((await one<{ n: number }>("SELECT COUNT(*) AS n FROM monitoring_alert WHERE detected_by = 'MONTHLY'")).n);
  const marked = async () => Number((await one<{ n: number }>("SELECT COUNT(*) AS n FROM monitoring_watermark WHERE source_table = 'MONTHLY:370800'")).n);
  const runOf = (id: number) => one<{ state: string; done: number; total: number; changed: number; finished: string | null }>('SELECT state, households_done AS done, households_total AS total, alerts_changed AS changed, finished_at AS finished FROM monitoring_monthly_run WHERE id = ?', [id]);
  const run = () => graphql(adminToken, 'MONITORING', 'mutation { monthlyComparisonRun(input: { regionCode: "370800" }) { comparison { id } started userErrors { code } } }');
  await until('/readyz 200', readyz, (r) => r.status === 200);
  // The demo is the past to the poller (written a minute back): it read none of its rows by their
  // update times, so opens nothing beside the comparison, which alone writes the alerts counted here.
  expect(Number((await one<{ n: number }>("SELECT COALESCE(SUM(rows_seen), 0) AS n FROM monitoring_watermark WHERE source_table LIKE '%@%'")).n)).toBe(0);
  const alertsBefore = await monthly();
  // The comparison (one page: the city's 300 households) waits on the disability federation's reads.
  proxy.pause();
  const started = await run();
  expect(started.body.data.monthlyComparisonRun).toEqual({ comparison: { id: expect.any(String) }, started: true, userErrors: [] });
  const runId = Number(started.body.data.monthlyComparisonRun.comparison.id);
  await until('the comparison reading the paused department', async () => proxy.held(), (n) => n > 0);
  await laterRelease();
  await until('/readyz 503', readyz, (r) => r.status === 503);
  proxy.resume();
  // Stopped, or (as before) run to its end.
  await until('the comparison stopped or ended', async () => ({ stopped: lines('monthly comparison stopped before its next page').length, state: (await runOf(runId)).state }), (r) => r.stopped === 1 || r.state !== 'RUNNING');
  // Not its page's alerts, nor its end, nor the month's mark: RUNNING, to be taken over once silent.
  expect({ run: await runOf(runId), alerts: await monthly(), marked: await marked() }).toEqual({
    run: { state: 'RUNNING', done: 0, total: expect.any(Number), changed: 0, finished: null },
    alerts: alertsBefore,
    marked: 0,
  });

  await restore();
  await until('/readyz 200', readyz, (r) => r.status === 200);
  // Its heartbeat has not yet been silent for MONTHLY_RUN_STALE_MS (10 minutes): the run stands.
  expect((await run()).body.data.monthlyComparisonRun).toEqual({ comparison: { id: String(runId) }, started: false, userErrors: [] });
  // Ten minutes later (its heartbeat moved back, as the database's clock judges it), a start takes it over.
  await dbs.hubPool.query('UPDATE monitoring_monthly_run SET heartbeat_at = heartbeat_at - INTERVAL 11 MINUTE WHERE id = ?', [runId]);
  expect((await run()).body.data.monthlyComparisonRun).toEqual({ comparison: { id: String(runId) }, started: true, userErrors: [] });
  const done = await until('the comparison taken over and finished', () => runOf(runId), (r) => r.state !== 'RUNNING');
  expect({ state: done.state, done: done.done, marked: await marked() }).toEqual({ state: 'SUCCEEDED', done: done.total, marked: 1 });
  expect(done.total).toBeGreaterThan(0);
  // The alerts the stopped run did not write, written by the run that took it over.
  expect({ changed: done.changed > 0, alerts: (await monthly()) - alertsBefore }).toEqual({ changed: true, alerts: done.changed });
}, 300_000);

/** The hub's pool, every statement sent on it counted. */
function countingHub(): { hubDb: HubDb; statements: () => number } {
  let statements = 0;
  const pool = new Proxy(dbs.hubPool, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'query') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        statements += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { hubDb: { $client: pool } as unknown as HubDb, statements: () => statements };
}

it('reads the journals once for probes that come together and within its cache, and again after it', async () => {
  const counted = countingHub();
  const hubDb = counted.hubDb;
  // A cache of a minute: the second burst is within it whatever the machine's load.
  const watch = new ReleaseWatch(hubDb, 'aidhub_t_later_live_' + (process.env.JEST_WORKER_ID ?? '0'), createLogger(), 30_000, 60_000);
  await laterRelease();
  try {
    const burst = await Promise.all(Array.from({ length: 20 }, () => watch.judgement()));
    // The journals' tables, which of them are there, their rows in one UNION ALL, the progress rows.
    expect({ statements: counted.statements(), later: burst.filter((j) => j instanceof DatabaseOfLaterRelease).length }).toEqual({ statements: 4, later: 20 });
    await restore();
    const cached = await Promise.all(Array.from({ length: 20 }, () => watch.judgement()));
    // Still the judgement read a moment ago, and no statement; a request reads only that.
    expect({ statements: counted.statements(), later: cached.filter((j) => j !== null).length, inForce: watch.laterRelease?.journal }).toEqual({ statements: 4, later: 20, inForce: JOBS_JOURNAL });
    const fresh = new ReleaseWatch(hubDb, 'x', createLogger(), 30_000, 0);
    expect(await fresh.judgement()).toBeNull();
    expect(counted.statements()).toBe(8);
  } finally {
    await restore();
  }
}, 120_000);

it('reads the journals on every tick of its timer, not every second one', async () => {
  const counted = countingHub();
  // The clock faked, so that a read is seen to take time: it ends 50 ms after the tick that began it.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
  const watch = new ReleaseWatch(counted.hubDb, 'x', createLogger(), 30_000, 5_000);
  /** The statements sent, once `n` are or 20 s of real time have passed (the timers are fake). */
  const sent = async (n: number) => {
    const end = process.hrtime.bigint() + 20_000_000_000n;
    while (counted.statements() < n && process.hrtime.bigint() < end) await new Promise((r) => setImmediate(r));
    return counted.statements();
  };
  try {
    watch.start();
    // 50 ms pass while the start's read runs.
    jest.advanceTimersByTime(50);
    // The start's read, joined until it ends.
    await watch.judgement();
    expect(counted.statements()).toBe(4);
    // The next tick, 5 s after the start and 4.95 s after that read ended: it reads (asking through
    // the cache, it found the read younger than 5 s and read only at the tick after).
    jest.advanceTimersByTime(4_950);
    expect(await sent(8)).toBe(8);
  } finally {
    watch.stop();
    jest.useRealTimers();
  }
}, 120_000);
