/**
 * The command-line tools on a hub database of another release, through their real entry points
 * (db/setup/provision.ts refuseHubOfOtherRelease). `npm start` refused a database a later release had
 * migrated (test/migrations-later-release.test.ts), but the tools that open it without migrating
 * (`npm run clients`, `subscriptions`, `import`) ran on it and wrote rows in the forms that release
 * upgraded, and `scan` and `monitor:monthly`, which migrate, were refused as a failed scan (`scan
 * failed: …`, exit 1). On a database not yet migrated to this release (the code put in place, its hub
 * not started) the same tools ran too, reading and writing tables the migration had not made yet.
 *
 * Now each refuses as `npm start` does, `error: DATABASE_OF_LATER_RELEASE: …` (or
 * DATABASE_OF_EARLIER_RELEASE) on one line, exit 2, before anything is written; the tools that only
 * read (audit:verify, audit:export) run on a later release's database and refuse an earlier one's.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { withDatabase } from '../db/config';
import { endConnection } from '../db/connect';
import { dropDatabases, ensureDatabase, HUB_MIGRATION_SETS, provisionHub } from '../db/setup/provision';
import { migrateSetsBefore, testServerUrl } from './support/databases';

const ROOT = path.join(__dirname, '..');
const worker = process.env.JEST_WORKER_ID ?? '0';
const laterUrl = withDatabase(testServerUrl(), `aidhub_t_tools_later_${worker}`);
const earlierUrl = withDatabase(testServerUrl(), `aidhub_t_tools_earlier_${worker}`);
const JOBS_JOURNAL = HUB_MIGRATION_SETS.find((s) => s.feature === 'jobs')!.table;
/** 2100-01-01: a migration of a release after this one. */
const LATER_WHEN = 4102444800000;

let dir: string;
let importDir: string;

beforeAll(async () => {
  await dropDatabases([laterUrl, earlierUrl]);
  await provisionHub(laterUrl);
  await ensureDatabase(earlierUrl);
  // Every set migrated but the last: the database as the release before it left it.
  await migrateSetsBefore(earlierUrl, HUB_MIGRATION_SETS[HUB_MIGRATION_SETS.length - 1].feature);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-tools-release-'));
  importDir = path.join(dir, 'import');
  fs.mkdirSync(importDir);
  fs.copyFileSync(path.join(ROOT, 'examples', 'import', 'household.csv'), path.join(importDir, 'household.csv'));
}, 180_000);

afterAll(async () => {
  await dropDatabases([laterUrl, earlierUrl]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

function run(tool: string, args: string[], url: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, AIDHUB_RULES_FILE: '', AIDHUB_DATA_DIR: path.join(dir, 'unused') };
  for (const name of ['AUDIT_CHECKPOINT_FILE', 'AUDIT_VERIFY_KEY_FILE', 'AUDIT_SIGNING_KEY_FILE', 'AIDHUB_TRIGGERS_FILE']) delete env[name];
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tools', `${tool}.ts`), ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });
}

async function onDb<T>(url: string, use: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    return await use(conn);
  } finally {
    await endConnection(conn);
  }
}

const count = (url: string, table: string) => onDb(url, async (c) => Number(((await c.query(`SELECT COUNT(*) AS n FROM ${table}`)) as unknown as [{ n: number }[]])[0][0].n));

/** The tools that write, each with a command that would write. */
const WRITERS: [string, string[]][] = [
  ['clients', ['create', '--name', 'release-check', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER']],
  ['subscriptions', ['list']],
  ['import', ['--dir', '']],
  ['scan', ['--region', '370811']],
  ['monitor-monthly', ['--region', '370811']],
];
const withDir = (args: string[]) => args.map((a, i) => (args[i - 1] === '--dir' ? importDir : a));

describe('a database a later release migrated', () => {
  beforeAll(async () => {
    await onDb(laterUrl, (c) => c.query(`INSERT INTO ${JOBS_JOURNAL} (hash, created_at) VALUES ('later', ?)`, [LATER_WHEN]));
  });

  it.each(WRITERS)('tools/%s.ts refuses it as npm start does, exit 2, writing nothing', async (tool, args) => {
    const clientsBefore = await count(laterUrl, 'api_client');
    const householdsBefore = await count(laterUrl, 'household');
    const out = run(tool, withDir(args), laterUrl);
    expect({ status: out.status, stderr: out.stderr.trim().split('\n') }).toEqual({
      status: 2,
      stderr: [expect.stringMatching(new RegExp(`^error: DATABASE_OF_LATER_RELEASE: the database 'aidhub_t_tools_later_\\d+' was migrated by a later release of AidHub \\(its journal ${JOBS_JOURNAL} records a migration made 2100-01-01`))],
    });
    expect(await count(laterUrl, 'api_client')).toBe(clientsBefore);
    expect(await count(laterUrl, 'household')).toBe(householdsBefore);
  }, 150_000);

  it.each([
    ['audit-verify', []],
    ['audit-export', ['--from', '2026-01-01', '--to', '2026-01-31', '--out', 'OUT']],
  ])('tools/%s.ts, which only reads, runs on it', (tool, args) => {
    const out = run(tool, args.map((a) => (a === 'OUT' ? path.join(dir, `later-${tool}.jsonl`) : a)), laterUrl);
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
  }, 150_000);
});

describe('a database not yet migrated to this release', () => {
  it.each([...WRITERS.filter(([tool]) => tool !== 'scan' && tool !== 'monitor-monthly'), ['audit-verify', []] as [string, string[]]])(
    'tools/%s.ts refuses it: start the hub first, exit 2',
    async (tool, args) => {
      const out = run(tool, withDir(args), earlierUrl);
      expect({ status: out.status, stderr: out.stderr.trim().split('\n') }).toEqual({
        status: 2,
        stderr: [expect.stringMatching(/^error: DATABASE_OF_EARLIER_RELEASE: the database 'aidhub_t_tools_earlier_\d+' is not yet migrated to this release of AidHub \(its journal __drizzle_migrations_monitoring_monthly lacks migrations .*start the hub of this release first/)],
      });
    },
    150_000,
  );

  it('nor one whose data upgrades a stopped start left undone', async () => {
    await provisionHub(earlierUrl);
    expect(run('clients', ['list'], earlierUrl).status).toBe(0);
    await onDb(earlierUrl, (c) => c.query(`UPDATE data_upgrade SET finished_at = NULL WHERE name = 'delivery-linked:reported_aid'`));
    const out = run('clients', ['list'], earlierUrl);
    expect({ status: out.status, stderr: out.stderr.trim() }).toEqual({ status: 2, stderr: expect.stringMatching(/^error: DATABASE_OF_EARLIER_RELEASE: .*its data upgrade delivery-linked:reported_aid is not done/) });
    // The start finishes them, and the tool runs.
    await provisionHub(earlierUrl);
    expect(run('clients', ['list'], earlierUrl).status).toBe(0);
  }, 200_000);
});
