/**
 * `npm run scan` and `npm run monitor:monthly`, each a process of its own, left running while a
 * later release migrates the hub database (docs/operations.md "Upgrading", step 2 forgotten). They
 * refused such a database at their start (test/tools-other-release.test.ts) but, once running, went
 * on storing findings and alerts in the earlier release's forms to their end, exit 0. Now each reads
 * the journals as a running hub does (access/release-watch.ts, every 5 s) and, once a later
 * release's migration is there, prints one `error: DATABASE_OF_LATER_RELEASE: …` line and stops at
 * its next chunk or page, writing nothing more, exit 2 (the start's code for the same): a scan hands
 * its lease over as a stopping hub's does, for a hub to take it over from its last stored chunk.
 *
 * `npm run import` holds one transaction per database to the end of its files: it now judges the
 * journals again just before its commits, and a later release found then rolls every database back,
 * exit 2, as at its start.
 *
 * Run as the operator runs them (`npm run …` with --url), the departments' reads held in the middle
 * by a proxy in front of the disability federation's database; the later release is the migrator's
 * own record of one, a journal row made after every migration this release has, as
 * test/later-release-runtime.test.ts writes it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getTableName } from 'drizzle-orm';
import { HUB_MIGRATION_SETS } from '../db/setup/provision';
import { disabilityScenario } from '../federation/disability/scenario';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, TEST_SOURCE_TIMEOUT_MS, type TestDatabases } from './support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';
import { until } from './support/until';

const ROOT = path.join(__dirname, '..');
const JOBS_JOURNAL = HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.table;
/** 2100-01-01: a migration of a release after this one. */
const LATER_WHEN = 4102444800000;

let dbs: TestDatabases;
/** In front of the disability federation's database: a job held in the middle of its reads. */
let proxy: PausableProxy;
let dataDir: string;
let hub: HubProcess | null = null;

beforeAll(async () => {
  dbs = await createTestDatabases('tools_later_live');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 300, seed: 42, provision: false, referenceDate: '2026-03-15' });
  proxy = await startPausableProxy(dbs.sourceUrls.DISABILITY);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-tools-later-'));
}, 300_000);

afterAll(async () => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  proxy?.resume();
  await Promise.all([hub && stopHubProcess(hub), proxy?.close()]);
  await dbs?.close();
}, 60_000);

// Whatever a test left (a failure before its own restore), the next starts on this release's database.
afterEach(async () => {
  proxy.resume();
  await restore();
});

const laterRelease = () => dbs.hubPool.query(`INSERT INTO ${JOBS_JOURNAL} (hash, created_at) VALUES ('later', ?)`, [LATER_WHEN]);
// A restore: the backup taken before the upgrade holds no such row.
const restore = () => dbs.hubPool.query(`DELETE FROM ${JOBS_JOURNAL} WHERE hash = 'later'`);
/**
 * A statement on the disability federation's tables: held there, on a connection already open (a
 * connection whose handshake is held gives up after mysql2's 10 s).
 */
const DISABILITY_READ = 'cl_'; // the prefix of its tables' names (federation/disability/tables.ts)
const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => ((await dbs.hubPool.query(sql, params)) as unknown as [T[]])[0][0];

/**
 * `npm run <script> -- <args> --url <hub>` in the checkout, the departments but disability's where
 * they are by default, given a test's patience on a loaded machine (TEST_SOURCE_TIMEOUT_MS, not 2 s);
 * disability's reads wait as long as the proxy holds them.
 */
function runTool(script: string, args: string[]) {
  const child = spawn('npm', ['run', '-s', script, '--', ...args, '--url', dbs.hubUrl], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AIDHUB_DATA_DIR: dataDir, SOURCE_TIMEOUT_MS: String(TEST_SOURCE_TIMEOUT_MS), SOURCE_DISABILITY_URL: proxy.url(dbs.sourceUrls.DISABILITY), SOURCE_DISABILITY_TIMEOUT_MS: '120000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { out, exited };
}

/** Until `held` (the proxy holding the tool's statement); a tool that exits before fails the test with what it said. */
async function heldOrExited(held: Promise<void>, tool: ReturnType<typeof runTool>): Promise<void> {
  await Promise.race([held, tool.exited.then((code) => Promise.reject(new Error(`the tool exited (${code}) before its held statement: ${JSON.stringify(tool.out)}`)))]);
}

/**
 * The tool run, held at its first read of the disability federation (after its start's checks),
 * the later release's migration made meanwhile; let go once the tool has said it stops.
 */
async function fencedMidRun(script: string, args: string[]) {
  const held = proxy.pauseOn(DISABILITY_READ);
  const tool = runTool(script, args);
  await heldOrExited(held, tool);
  await laterRelease();
  try {
    await until('the tool saying why it stops', async () => tool.out.stderr + tool.out.stdout, (s) => s.includes('DATABASE_OF_LATER_RELEASE'), 60_000);
  } finally {
    proxy.resume();
  }
  return tool;
}

const REFUSAL = (job: string) =>
  new RegExp(`^error: DATABASE_OF_LATER_RELEASE: the database 'aidhub_t_tools_later_live_\\d+' was migrated by a later release of AidHub while this ${job} ran \\(its journal ${JOBS_JOURNAL} records a migration made 2100-01-01T00:00:00.000Z that this release does not have\\): .*run it with the later release`);

it('a scan stops at its next chunk and hands its lease over, exit 2, and a hub takes it over after the restore', async () => {
  const tool = await fencedMidRun('scan', ['--region', '370800', '--chunk', '50']);
  const scanId = Number((await one<{ id: number }>('SELECT MAX(id) AS id FROM finding_scan')).id);
  // One line on stderr; where it stopped on stdout, beside the log's JSON lines (the hand-over's).
  expect({ code: await tool.exited, stderr: tool.out.stderr.trim().split('\n'), stdout: tool.out.stdout }).toEqual({
    code: 2,
    stderr: [expect.stringMatching(REFUSAL('scan'))],
    stdout: expect.stringMatching(new RegExp(`Scan ${scanId} stopped after [\\d.]+ s, still RUNNING, handed over from its last stored chunk`)),
  });
  // Still RUNNING, nothing stored past the chunk it stopped at, its lease given up at once.
  const scan = await one<{ state: string; done: number }>('SELECT state, households_done AS done FROM finding_scan WHERE id = ?', [scanId]);
  const lease = await one<{ holder: string; expired: number }>('SELECT holder, expires_at <= UTC_TIMESTAMP(3) AS expired FROM job_lease WHERE job_key = ?', [`scan:${scanId}`]);
  expect({ state: scan.state, holder: lease.holder, expired: Number(lease.expired) }).toEqual({ state: 'RUNNING', holder: '', expired: 1 });
  expect(Number((await one<{ n: number }>('SELECT COUNT(*) AS n FROM finding_occurrence WHERE scan_id = ?', [scanId])).n)).toBe(0);

  // Restored (here the later release's hub is this release's): a hub takes the scan over and ends it.
  await restore();
  hub = await startHubProcess(dbs.hubUrl, { AIDHUB_JOB_TAKEOVER_MS: '500', AIDHUB_MONITOR_INTERVAL_MS: '0' });
  const done = await until('the scan taken over and finished', () => one<{ state: string; total: number; done: number }>('SELECT state, households_total AS total, households_done AS done FROM finding_scan WHERE id = ?', [scanId]), (s) => s.state !== 'RUNNING');
  expect(done.state).toBe('SUCCEEDED');
  expect(done.done).toBe(done.total);
  expect(done.total).toBeGreaterThan(0);
  await stopHubProcess(hub);
  hub = null;
}, 300_000);

it('a monthly comparison stops before its next page, writing nothing more, exit 2', async () => {
  const alertsBefore = Number((await one<{ n: number }>('SELECT COUNT(*) AS n FROM monitoring_alert')).n);
  const tool = await fencedMidRun('monitor:monthly', ['--region', '370800', '--page', '50']);
  const run = await one<{ id: number; state: string; done: number; finished: string | null }>("SELECT id, state, households_done AS done, finished_at AS finished FROM monitoring_monthly_run WHERE region_code = '370800'");
  expect({ code: await tool.exited, stderr: tool.out.stderr.trim().split('\n'), stdout: tool.out.stdout }).toEqual({
    code: 2,
    stderr: [expect.stringMatching(REFUSAL('monthly comparison'))],
    stdout: expect.stringMatching(new RegExp(`Run ${run.id} stopped after [\\d.]+ s, still RUNNING: 0/\\d+ households compared`)),
  });
  // Not a page written, nor its end, nor the month's mark.
  expect({ state: run.state, done: Number(run.done), finished: run.finished }).toEqual({ state: 'RUNNING', done: 0, finished: null });
  expect(Number((await one<{ n: number }>('SELECT COUNT(*) AS n FROM monitoring_alert')).n)).toBe(alertsBefore);
  expect(Number((await one<{ n: number }>("SELECT COUNT(*) AS n FROM monitoring_watermark WHERE source_table = 'MONTHLY:370800'")).n)).toBe(0);
}, 300_000);

it('an import finding a later release before its commits rolls every database back, exit 2', async () => {
  const importDir = path.join(dataDir, 'import');
  fs.cpSync(path.join(ROOT, 'examples', 'import'), importDir, { recursive: true });
  const counts = async () => ({
    households: Number((await one<{ n: number }>('SELECT COUNT(*) AS n FROM household')).n),
    disability: await disabilityScenario.counts(dbs.sources.DISABILITY),
  });
  const before = await counts();
  // Held at its first write to the disability federation's certificates, after its start's check.
  const held = proxy.pauseOn(getTableName(disabilityScenario.tables.certificates.table));
  const tool = runTool('import', ['--dir', importDir]);
  await heldOrExited(held, tool);
  await laterRelease();
  proxy.resume();
  expect({ code: await tool.exited, stderr: tool.out.stderr.trim().split('\n') }).toEqual({ code: 2, stderr: [expect.stringMatching(/^error: DATABASE_OF_LATER_RELEASE: the database 'aidhub_t_tools_later_live_\d+' was migrated by a later release of AidHub/)] });
  expect(await counts()).toEqual(before);
}, 300_000);
