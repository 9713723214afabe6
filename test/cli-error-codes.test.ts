/**
 * Every refusal of a command-line tool is `error: CODE: …` with the usage, exit 2, the code stable
 * for a script, as `npm run clients` and `npm run audit:verify` print theirs: the shared parser's
 * (tools/command-args.ts, usageErrorLine) for an unknown option, a value missing or given to a flag,
 * a stray argument, an unknown or missing subcommand, and `npm run subscriptions`' own usage errors.
 * Before, these were `error: Unknown option '--wirte'` and `error: unknown command "lst"`, no code.
 * One case per family of tool: subcommands (runSubcommand), checked before the database is opened
 * (runAgainstHub's answerCommandLine), options only (parseCommandLine), audit:verify's own parse, and
 * the region jobs (scan, monitor:monthly), the demo generator, import and report, which catch parseArgs' refusals themselves;
 * and the tools' own refusals: import's and report's (WRITE_WITHOUT_DOCS, DATABASE_REQUIRED, MALFORMED_URL,
 * ARGUMENT_REQUIRED, NO_FILE), and the region jobs' and the demo generator's, which were plain
 * messages (`--as-of must be a date, YYYY-MM-DD`), with the API's codes where it refuses the same
 * (MALFORMED_DATE, OUT_OF_RANGE, MALFORMED_DIVISION_CODE, REGION_UNKNOWN, FORMAT, NO_SUCH_MONTH,
 * MONTH_NOT_CURRENT). Their `--region` reads a division code as the API does (trimmed), refusing what it refuses.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { requireDivisionCode } from '../access/errors';
import { todayIso } from '../domain/dates';
import { regionArg } from '../tools/region-job-cli';
import { UsageError } from '../tools/command-args';
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
  return { status: out.status, code: /^error: ([A-Z_]+): /m.exec(text)?.[1] ?? text, usage: /^usage: /m.test(text), text };
}

/** `run` without the output, for comparing with what is expected. */
function refusal(tool: string, args: string[], withDb = false) {
  const { text: _text, ...rest } = run(tool, args, withDb);
  return rest;
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
  for (const [tool, args, code] of cases) expect({ tool, args, ...refusal(tool, args, true) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 600_000);

test('options checked before the database is opened: unknown, value missing, value given to a flag', () => {
  const cases: [string, string[], string][] = [
    ['tools/subscriptions.ts', ['list', '--wirte'], 'UNKNOWN_OPTION'],
    ['tools/subscriptions.ts', ['list', '--client'], 'MISSING_OPTION_VALUE'],
    ['tools/subscriptions.ts', ['create', '--client', '--callback', 'http://127.0.0.1:9/a'], 'MISSING_OPTION_VALUE'],
    ['tools/subscriptions.ts', ['create', '--deliver-open=yes'], 'OPTION_TAKES_NO_VALUE'],
    ['tools/clients.ts', ['list', '-z'], 'UNKNOWN_OPTION'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...refusal(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
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
  for (const [tool, args, code] of cases) expect({ tool, args, ...refusal(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
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
  for (const [tool, args, code] of cases) expect({ tool, args, ...refusal(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 600_000);

test('the region jobs and the demo generator: their own checks, each with its code (the API’s where it refuses the same)', () => {
  const later = `${Number(todayIso().slice(0, 4)) + 1}-01-01`;
  const nowhere = 'mysql://u@127.0.0.1:1/aidhub';
  const cases: [string, string[], string][] = [
    ['tools/scan.ts', ['--region', '370811', '--as-of', 'x'], 'MALFORMED_DATE'],
    ['tools/scan.ts', ['--region', '370811', '--as-of', '2026-02-30'], 'MALFORMED_DATE'],
    ['tools/scan.ts', ['--region', '370811', '--as-of', later], 'OUT_OF_RANGE'],
    ['tools/scan.ts', ['--region', '370811', '--as-of', '1899-12-31'], 'OUT_OF_RANGE'],
    ['tools/scan.ts', [], 'ARGUMENT_REQUIRED'],
    ['tools/scan.ts', ['--region', '3708'], 'MALFORMED_DIVISION_CODE'],
    ['tools/scan.ts', ['--region', '３７０８１１'], 'MALFORMED_DIVISION_CODE'],
    ['tools/scan.ts', ['--region', '370811', '--chunk', '0'], 'OUT_OF_RANGE'],
    ['tools/scan.ts', ['--region', '370811', '--chunk', 'ten'], 'MALFORMED_NUMBER'],
    ['tools/scan.ts', ['--region', '370811'], 'DATABASE_REQUIRED'],
    ['tools/scan.ts', ['--region', '370811', '--url', 'postgres://u@127.0.0.1/aidhub'], 'MALFORMED_URL'],
    ['tools/monitor-monthly.ts', ['--region', '370811 001'], 'MALFORMED_DIVISION_CODE'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--month', '2026/03'], 'FORMAT'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--month', '2026-13'], 'NO_SUCH_MONTH'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--month', '2000-01'], 'MONTH_NOT_CURRENT'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--page=-1'], 'OUT_OF_RANGE'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--url', 'mysql://u@127.0.0.1:1/'], 'MALFORMED_URL'],
    ['tools/generate.ts', ['--households', '10'], 'DATABASE_REQUIRED'],
    ['tools/generate.ts', ['--url', 'aidhub'], 'MALFORMED_URL'],
    ['tools/generate.ts', ['--url', nowhere, '--append', '--truncate'], 'CONFLICTING_OPTIONS'],
    ['tools/generate.ts', ['--url', nowhere, '--households', '0'], 'OUT_OF_RANGE'],
    ['tools/generate.ts', ['--url', nowhere, '--chunk', '1.5'], 'MALFORMED_NUMBER'],
    ['tools/generate.ts', ['--url', nowhere, '--reference-date', '2026-02-30'], 'MALFORMED_DATE'],
    ['tools/generate.ts', ['--url', nowhere, '--reference-date', '2100-01-01'], 'OUT_OF_RANGE'],
    ['tools/generate.ts', ['--url', nowhere, '--department', 'POLICE'], 'UNKNOWN_DEPARTMENT'],
    ['tools/generate.ts', ['--url', nowhere, '--department', 'REPORTED'], 'NO_DEMO_DATABASE'],
    ['tools/generate.ts', ['--url', nowhere, '--department', 'HOUSING', '--households', '10'], 'CONFLICTING_OPTIONS'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...refusal(tool, args) }).toEqual({ tool, args, status: 2, code, usage: true });
}, 900_000);

test('the region jobs against a hub: a division it holds nothing of, a --url naming no database, and a division code with spaces read as the API reads it', () => {
  const typo = dbs.hubUrl.replace(/\/([^/?]+)(\?|$)/, '/$1_typo$2');
  const cases: [string, string[], string][] = [
    ['tools/scan.ts', ['--region', '379999'], 'REGION_UNKNOWN'],
    ['tools/monitor-monthly.ts', ['--region', '379999'], 'REGION_UNKNOWN'],
    ['tools/scan.ts', ['--region', '370811', '--url', typo], 'NO_DATABASE'],
  ];
  for (const [tool, args, code] of cases) expect({ tool, args, ...refusal(tool, args, true) }).toEqual({ tool, args, status: 2, code, usage: true });
  // Pasted with spaces, the code is the code: the run goes on to the hub (which holds no division here).
  for (const tool of ['tools/scan.ts', 'tools/monitor-monthly.ts']) {
    const padded = run(tool, ['--region', ' 379998\t'], true);
    expect({ tool, code: padded.code }).toEqual({ tool, code: 'REGION_UNKNOWN' });
    expect(padded.text).toContain('the hub knows no division 379998 ');
  }
}, 600_000);

test('--region takes what the API takes for a division code and refuses what it refuses, with its code', () => {
  const given = ['370811', ' 370811', '370811001 ', '\t370811001001\n', '\u3000370811', '3708', '37081100', '３７０８１１', '370811 001', '370811-001', ''];
  const api = (value: string) => {
    try {
      return requireDivisionCode(value, 'regionCode');
    } catch (err) {
      return (err as GraphQLError).extensions.reason;
    }
  };
  const tool = (value: string) => {
    try {
      return regionArg(value);
    } catch (err) {
      return (err as UsageError).message.split(':')[0];
    }
  };
  expect(given.map(tool)).toEqual(given.map(api));
  expect(given.map(tool)).toEqual(['370811', '370811', '370811001', '370811001001', '370811', ...Array(6).fill('MALFORMED_DIVISION_CODE')]);
});

test('npm run db:generate refuses an argument with the shared parser’s codes', () => {
  for (const [args, code] of [[['--wirte'], 'UNKNOWN_OPTION'], [['db'], 'UNEXPECTED_ARGUMENT']] as const) {
    const out = spawnSync('bash', [path.join(ROOT, 'db', 'generate-migrations.sh'), ...args], { encoding: 'utf8' });
    expect({ args, status: out.status, line: out.stderr.split('\n')[0] }).toEqual({ args, status: 2, line: `error: ${code}: no arguments are taken, got: ${args[0]}` });
  }
});

/**
 * Every UsageError a tool makes starts with its code (`CODE: …` or `${code}: …`), so that it prints
 * as `error: CODE: …`: one made without was printed without a code, as the region jobs' were.
 */
test('every UsageError of the tools carries its code', () => {
  const files = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []));
  const made = files('tools').flatMap((file) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/new UsageError\(\s*(['`"])(.{0,60})/g)].map((m) => ({ file, start: m[2] })));
  expect(made.length).toBeGreaterThan(30);
  expect(made.filter(({ start }) => !/^([A-Z][A-Z0-9_]*|\$\{[\w.]+\}): /.test(start))).toEqual([]);
});
