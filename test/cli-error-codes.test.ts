/**
 * Every refusal of a command-line tool is `error: CODE: …` with the usage, exit 2, the code stable
 * for a script, as `npm run clients` and `npm run audit:verify` print theirs: the shared parser's
 * (tools/command-args.ts, usageErrorLine) for an unknown option, a value missing or given to a flag,
 * a stray argument, an unknown or missing subcommand, and `npm run subscriptions`' own usage errors.
 * Before, these were `error: Unknown option '--wirte'` and `error: unknown command "lst"`, no code.
 * One case per family of tool: subcommands (runSubcommand), checked before the database is opened
 * (runAgainstHub's answerCommandLine), options only (parseCommandLine), audit:verify's own parse, and
 * the region jobs (scan, monitor:monthly), the demo generator, import and report, which catch parseArgs' refusals themselves;
 * and import's and report's own refusals (WRITE_WITHOUT_DOCS, DATABASE_REQUIRED, MALFORMED_URL, ARGUMENT_REQUIRED, NO_FILE).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabases, type TestDatabases } from './support/databases';

const ROOT = path.join(__dirname, '..');

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('cli_error_codes');
});

afterAll(async () => {
  await dbs?.close();
});

/** The tool as `npm run` runs it; `withDb`: against the test database, else with no hub to find. */
function run(tool: string, args: string[], withDb = false) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AIDHUB_DATA_DIR: path.join(os.tmpdir(), 'aidhub-cli-error-codes-none') };
  if (withDb) env.DATABASE_URL = dbs.hubUrl;
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, tool), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  const text = `${out.stdout}${out.stderr}`;
  return { status: out.status, code: /^error: ([A-Z_]+): /m.exec(text)?.[1] ?? text, usage: /^usage: /m.test(text) };
}

test('subcommand tools: an unknown or missing command, and subscriptions’ own usage errors', () => {
  const cases: [string, string[], string][] = [
    ['tools/subscriptions.ts', ['lst'], 'UNKNOWN_COMMAND'],
    ['tools/clients.ts', ['lst'], 'UNKNOWN_COMMAND'],
    ['tools/subscriptions.ts', [], 'ARGUMENT_REQUIRED'],
    ['tools/subscriptions.ts', ['create', '--client', 'demo'], 'ARGUMENT_REQUIRED'],
    ['tools/subscriptions.ts', ['create', '--client', 'demo', '--callback', 'http://127.0.0.1:9/a', '--regions', '370811001', '--by', 'x'.repeat(200)], 'MALFORMED_CREATED_BY'],
    ['tools/subscriptions.ts', ['revoke'], 'ARGUMENT_REQUIRED'],
    ['tools/subscriptions.ts', ['revoke', 'seven'], 'MALFORMED_ID'],
    ['tools/subscriptions.ts', ['dead-letters', '--first', '0'], 'MALFORMED_FIRST'],
    ['tools/subscriptions.ts', ['replay'], 'ARGUMENT_REQUIRED'],
    ['tools/subscriptions.ts', ['replay', 'not-a-uuid'], 'MALFORMED_ID'],
    ['tools/subscriptions.ts', ['notices', '--since', '2026-02-30'], 'MALFORMED_DATE'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...run(tool, args, true) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 600_000);

test('options checked before the database is opened: unknown, value missing, value given to a flag', () => {
  const cases: [string, string[], string][] = [
    ['tools/subscriptions.ts', ['list', '--wirte'], 'UNKNOWN_OPTION'],
    ['tools/subscriptions.ts', ['list', '--client'], 'MISSING_OPTION_VALUE'],
    ['tools/subscriptions.ts', ['create', '--client', '--callback', 'http://127.0.0.1:9/a'], 'MISSING_OPTION_VALUE'],
    ['tools/subscriptions.ts', ['create', '--deliver-open=yes'], 'OPTION_TAKES_NO_VALUE'],
    ['tools/clients.ts', ['list', '-z'], 'UNKNOWN_OPTION'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...run(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 600_000);

test('tools of options only (parseCommandLine), and audit:verify', () => {
  const cases: [string, string[], string][] = [
    ['tools/access-table.ts', ['--wirte'], 'UNKNOWN_OPTION'],
    ['tools/access-table.ts', ['docs/access.md'], 'UNEXPECTED_ARGUMENT'],
    ['tools/audit-verify.ts', ['--wirte'], 'UNKNOWN_OPTION'],
    ['tools/audit-verify.ts', ['--anchor'], 'MISSING_OPTION_VALUE'],
    // Region jobs (tools/region-job-cli.ts runJobCli) and the demo generator, each with its own catch.
    ['tools/scan.ts', ['--regoin', '370811'], 'UNKNOWN_OPTION'],
    ['tools/monitor-monthly.ts', ['--region'], 'MISSING_OPTION_VALUE'],
    ['tools/generate.ts', ['--wirte'], 'UNKNOWN_OPTION'],
    ['tools/import.ts', ['--dri', 'x'], 'UNKNOWN_OPTION'],
    ['tools/report.ts', ['--file'], 'MISSING_OPTION_VALUE'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...run(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 600_000);

test('import and report: their own usage errors, each with its code', () => {
  const folder = path.join(ROOT, 'test');
  const cases: [string, string[], string][] = [
    ['tools/import.ts', ['--write'], 'WRITE_WITHOUT_DOCS'],
    ['tools/import.ts', ['--dir', folder], 'DATABASE_REQUIRED'],
    ['tools/import.ts', ['--dir', folder, '--url', 'postgres://u:p@127.0.0.1:5432/aidhub'], 'MALFORMED_URL'],
    ['tools/import.ts', ['--dir', folder, '--url', 'mysql://u:p@127.0.0.1:3306/'], 'MALFORMED_URL'],
    ['tools/report.ts', [], 'ARGUMENT_REQUIRED'],
    ['tools/report.ts', ['--file', 'aid.csv'], 'ARGUMENT_REQUIRED'],
    ['tools/report.ts', ['--file', 'aid.csv', '--token', 'ahk_test', '--hub', '127.0.0.1:4000'], 'MALFORMED_URL'],
    ['tools/report.ts', ['--file', path.join(folder, 'absent.csv'), '--token', 'ahk_test'], 'NO_FILE'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...run(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 600_000);
