/** `npm run scan` (tools/scan.ts) as an operator runs it: a child process against real databases. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, TODAY } from './support/scenarios';
import { CASES, insertCases } from './findings-scenario';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('findings_cli');
  await insertRegions(dbs);
  await insertCases(dbs);
});

afterAll(async () => {
  await dbs?.close();
});

function scan(args: string[], env: Record<string, string> = {}) {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  return spawnSync(tsx, [path.join(__dirname, '..', 'tools', 'scan.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: dbs.hubUrl, AIDHUB_RULES_FILE: '', ...env },
    timeout: 60_000,
  });
}

it('scans a division, stores the findings with the scan id, and prints nothing personal', async () => {
  const run = scan(['--region', '370811', '--as-of', TODAY]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/Scan \d+ succeeded/);
  for (const id of [CASES.overlap.person, CASES.housing.head, CASES.death.person]) expect(run.stdout).not.toContain(id);
  const [scans] = await dbs.hubPool.query('SELECT id, state, findings_count AS n, started_by AS who FROM finding_scan');
  expect(scans).toEqual([{ id: expect.any(Number), state: 'SUCCEEDED', n: 8, who: 'cli' }]);
});

it('refuses a bad division code and an invalid rule file before doing anything', () => {
  expect(scan(['--region', '3708']).status).toBe(2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-cli-rules-'));
  try {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ rules: [{ id: 'M4', when: [{ fact: 'OUT_OF_POCKET', windowMonths: 12 }] }] }));
    const run = scan(['--region', '370811'], { AIDHUB_RULES_FILE: file });
    expect(run.status).toBe(2);
    // With its code, as npm start refuses the same file (README, Configuration).
    expect(run.stderr).toMatch(/^error: INVALID_RULE_SET: .*rule M4, field when\[0\]\.overFen/);
    const unreadable = scan(['--region', '370811'], { AIDHUB_RULES_FILE: path.join(dir, 'absent.json') });
    expect({ status: unreadable.status, line: unreadable.stderr.split('\n')[0] }).toEqual({ status: 2, line: expect.stringMatching(/^error: FILE_UNREADABLE: cannot read rule file .*absent\.json: ENOENT$/) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The hub's variables are checked as `npm start` checks them, before any scan starts: a word for
// the lease was the default lease here (the scan read the variable itself), and a bad LOG_LEVEL
// made pino throw ("scan failed", exit 1).
it.each([
  ['AIDHUB_JOB_LEASE_MS', 'thirty seconds', 'MALFORMED_NUMBER'],
  ['LOG_LEVEL', 'verbose', 'UNKNOWN_VALUE'],
  ['SOURCE_HEALTH_URL', 'postgres://health:s3cret-pw@127.0.0.1:1/front', 'MALFORMED_URL'],
])('refuses %s=%j before starting a scan, naming the variable, with its code (%s), exit 2', async (name, value, code) => {
  const scans = async () => ((await dbs.hubPool.query('SELECT COUNT(*) AS n FROM finding_scan')) as unknown as [{ n: number }[]])[0][0].n;
  const before = await scans();
  const run = scan(['--region', '370811', '--as-of', TODAY], { [name]: value });
  expect({ status: run.status, code: /^error: ([A-Z_]+): /.exec(run.stderr)?.[1] }).toEqual({ status: 2, code });
  expect(run.stderr).not.toContain('s3cret');
  expect(run.stderr).toContain(name);
  expect(run.stderr).not.toMatch(/failed|^\s+at /m);
  expect(await scans()).toBe(before);
});

it.each(['9999-12-31', '2099-12-31', '0001-01-01', '1899-12-31'])('refuses --as-of %s (after today or before 1900) and starts no scan', async (asOf) => {
  const scans = async () => ((await dbs.hubPool.query('SELECT COUNT(*) AS n FROM finding_scan')) as unknown as [{ n: number }[]])[0][0].n;
  const before = await scans();
  const run = scan(['--region', '370811', '--as-of', asOf]);
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('--as-of');
  expect(await scans()).toBe(before);
});

// A misspelt option or a stray word is the operator's mistake, answered with the usage and exit
// code 2 like a bad division code; it was exit 1 as "scan failed: Unknown option", which reads
// (and scripts treat) like a scan that ran and failed. The same shell serves monitor:monthly, and
// demo:generate parses the same way.
it.each([
  ['scan', ['--regoin', '370811'], 'usage: npm run scan'],
  ['scan', ['--region', '370811', 'now'], 'usage: npm run scan'],
  ['scan', ['--region'], 'usage: npm run scan'],
  ['monitor-monthly', ['--regoin', '370811'], 'usage: npm run monitor:monthly'],
  ['generate', ['--household', '10'], 'usage: npx tsx tools/generate.ts'],
  // Its own checks too (they were "generate failed: …", exit 1), before any table is touched.
  ['generate', ['--households', '10', '--append', '--truncate'], 'usage: npx tsx tools/generate.ts'],
  ['generate', ['--households', '0'], 'usage: npx tsx tools/generate.ts'],
  ['generate', ['--households', '10', '--chunk', '0'], 'usage: npx tsx tools/generate.ts'],
  ['generate', ['--households', '10', '--reference-date', '2026-02-30'], 'usage: npx tsx tools/generate.ts'],
])('tools/%s.ts %j is a usage error: exit 2 with the usage', (tool, args, usage) => {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, [path.join(__dirname, '..', 'tools', `${tool}.ts`), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: dbs.hubUrl, AIDHUB_RULES_FILE: '' },
    timeout: 60_000,
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(usage);
  expect(run.stderr).not.toMatch(/failed/);
});

// A division code the hub holds nothing of (a typo: 370811010 for 370811001) ran as a SUCCEEDED
// scan of no household, which an operator reads as a division without duplicate aid. It is
// refused, as the monthly comparison refuses it, and no scan is recorded; a division in the region
// table with no household (夏镇街道 here) still runs.
it('refuses a division the hub holds nothing of, exit 2, recording no scan', async () => {
  const scans = async () => ((await dbs.hubPool.query('SELECT COUNT(*) AS n FROM finding_scan')) as unknown as [{ n: number }[]])[0][0].n;
  const before = await scans();
  for (const region of ['370811010', '379999']) {
    const run = scan(['--region', region, '--as-of', TODAY]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`the hub knows no division ${region}`);
    expect(run.stdout).not.toMatch(/succeeded/);
  }
  expect(await scans()).toBe(before);
  const known = scan(['--region', '370826100', '--as-of', TODAY]);
  expect(known.status).toBe(0);
  expect(known.stdout).toMatch(/Scan \d+ succeeded in [\d.]+ s: 0 households/);
});

// A --url naming no database (a typo) made an empty hub database of that name, in which the job
// found no division: "the hub knows no division 370811", exit 2, sent the operator after the
// division code, and the stray database stayed. It is refused as the URL's fault, creating nothing.
it.each(['scan', 'monitor-monthly'])('tools/%s.ts refuses a --url naming no database, exit 2, creating none', async (tool) => {
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const typo = `${dbs.hubUrl.replace(/\/([^/?]+)(\?|$)/, '/$1_typo$2')}`;
  const name = new URL(typo).pathname.slice(1);
  const run = spawnSync(tsx, [path.join(__dirname, '..', 'tools', `${tool}.ts`), '--region', '370811', '--url', typo], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', AIDHUB_RULES_FILE: '' },
    timeout: 60_000,
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(`holds no database ${name}`);
  expect(run.stderr).not.toMatch(/knows no division|failed/);
  const [found] = (await dbs.hubPool.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])) as unknown as [unknown[]];
  expect(found).toEqual([]);
});
