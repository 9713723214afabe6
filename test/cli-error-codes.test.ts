/**
 * Every refusal of a command-line tool is `error: CODE: …` with the usage, exit 2, the code stable
 * for a script, as `npm run clients` and `npm run audit:verify` print theirs: the shared parser's
 * (tools/command-args.ts, usageErrorLine) for an unknown option, a value missing or given to a flag,
 * a stray argument, an unknown or missing subcommand, and `npm run subscriptions`' own usage errors.
 * Before, these were `error: Unknown option '--wirte'` and `error: unknown command "lst"`, no code.
 * One case per family of tool: subcommands (runSubcommand), checked before the database is opened
 * (runAgainstHub's answerCommandLine, and answerSubcommandLine for a command and what it takes), options only (parseCommandLine), audit:verify's own parse, and
 * the region jobs (scan, monitor:monthly), the demo generator, import and report, which catch parseArgs' refusals themselves;
 * and the tools' own refusals: import's and report's (WRITE_WITHOUT_DOCS, DATABASE_REQUIRED, MALFORMED_URL,
 * ARGUMENT_REQUIRED, NO_FOLDER, NO_FILE, MALFORMED_OFFICER), and the region jobs' and the demo generator's, which were plain
 * messages (`--as-of must be a date, YYYY-MM-DD`), with the API's codes where it refuses the same
 * (MALFORMED_DATE, OUT_OF_RANGE, MALFORMED_DIVISION_CODE, REGION_UNKNOWN, FORMAT, NO_SUCH_MONTH,
 * MONTH_NOT_CURRENT). Their `--region` reads a division code as the API does (trimmed), refusing what it refuses.
 * An option read by nobody in the combination given is refused too: `demo:generate --manifest` without
 * `--plant` (no manifest was written, nothing said), import's `--dir`/`--url`/`--check` beside `--docs`
 * and `--url` beside `--check`, another command's option or a positional too many given to a
 * subcommand of clients or subscriptions, and options that exclude each other there.
 *
 * Where a tool exposes its argument checks (the subcommands' clientsCommand and
 * subscriptionsCommand, demo:generate's demoCommandLine, scanCommandLine and monthlyCommandLine,
 * import's importCommandLine and report's reportCommandLine)
 * its refusals are checked in-process, and the
 * tool is spawned for a few of them to show how it prints one; the other tools are spawned, two at a
 * time (a 2-core machine: not more), each with node and tsx directly rather than `npm run`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { requireDivisionCode } from '../access/errors';
import { todayIso } from '../domain/dates';
import { regionArg } from '../tools/region-job-cli';
import { accessDbOf } from '../db/access/db';
import { judgeSubcommand, UsageError, usageErrorLine } from '../tools/command-args';
import { clientsCommand, CLIENTS_COMMAND_LINE } from '../tools/clients';
import { demoCommandLine } from '../tools/generate/command-line';
import { importCommandLine } from '../tools/import/command-line';
import { reportCommandLine } from '../tools/report/command-line';
import { monthlyCommandLine } from '../tools/monitor-monthly';
import { scanCommandLine } from '../tools/scan';
import { subscriptionsCommand, SUBSCRIPTIONS_COMMAND_LINE } from '../tools/subscriptions';
import { auditVerifyCommand } from '../tools/audit-verify';
import { auditExportCommand } from '../tools/audit-export';
import { createTestDatabases, type TestDatabases } from './support/databases';

const ROOT = path.join(__dirname, '..');

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('cli_error_codes');
});

afterAll(async () => {
  await dbs?.close();
});

/** What a refusal shows: the exit code, the code of its `error: CODE: …` line (else the whole output), and whether the usage was printed. */
function shown(status: number | null, text: string) {
  return { status, code: /^error: ([A-Z_]+): /m.exec(text)?.[1] ?? text, usage: /^usage: /m.test(text), text };
}

/** The environment a tool is spawned with; `withDb`: against the test database, else with no hub to find. */
function toolEnv(withDb: boolean, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, AIDHUB_DATA_DIR: path.join(os.tmpdir(), 'aidhub-cli-error-codes-none'), ...extra };
  if (withDb) env.DATABASE_URL = dbs.hubUrl;
  return env;
}

/** The tool as `npm run` runs it (node with tsx, without npm in between). */
function run(tool: string, args: string[], withDb = false) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, tool), ...args], { cwd: ROOT, env: toolEnv(withDb), encoding: 'utf8', timeout: 120_000 });
  return shown(out.status, `${out.stdout}${out.stderr}`);
}

/** `run` with its streams apart: what went to stdout, to stderr, and the exit code. */
function runApart(tool: string, args: string[], withDb = false) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, tool), ...args], { cwd: ROOT, env: toolEnv(withDb), encoding: 'utf8', timeout: 120_000 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** `run`, asynchronously. */
function runAsync(tool: string, args: string[], withDb: boolean, extraEnv: NodeJS.ProcessEnv = {}): Promise<ReturnType<typeof shown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, tool), ...args], { cwd: ROOT, env: toolEnv(withDb, extraEnv), stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.on('error', reject);
    child.on('close', (status) => resolve(shown(status, text)));
  });
}

/**
 * Spawns each case's tool, at most two at a time (each is a whole Node process loading the tool's
 * modules: on a loaded 2-core machine more would only queue), and expects each refused with its code
 * and the usage, exit 2: all are compared at once, so every wrong one is shown.
 */
async function expectRefused(cases: readonly (readonly [string, readonly string[], string])[], withDb = false, opts: { env?: NodeJS.ProcessEnv; usage?: boolean } = {}): Promise<ReturnType<typeof shown>[]> {
  const got: ReturnType<typeof shown>[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      got[i] = await runAsync(cases[i][0], [...cases[i][1]], withDb, opts.env);
    }
  };
  await Promise.all([worker(), worker()]);
  expect(cases.map(([tool, args], i) => ({ tool, args, status: got[i].status, code: got[i].code, usage: got[i].usage }))).toEqual(cases.map(([tool, args, code]) => ({ tool, args, status: 2, code, usage: opts.usage ?? true })));
  return got;
}

/** A subcommand tool's command run in-process, as the tool runs it once the hub is opened: its exit code, its code and whether the usage was printed. */
async function command(tool: 'clients' | 'subscriptions', args: string[]) {
  const lines: string[] = [];
  const print = (line: string) => lines.push(line);
  const status = tool === 'clients' ? await clientsCommand(args, accessDbOf(dbs.hub), print) : await subscriptionsCommand(args, dbs.hub, print, ['127.0.0.1:*']);
  const { text: _text, ...rest } = shown(status, lines.join('\n'));
  return rest;
}

/**
 * A command run in-process as the tool runs it once the hub is opened, its lines kept apart by where
 * they go (Print): `out`, its answer (stdout); `err`, its refusals (stderr).
 */
async function streamsOf(run: (print: (line: string, to?: 'stderr') => void) => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await run((line, to) => (to === 'stderr' ? err : out).push(line));
  return { status, code: /^(?:error|refused): ([A-Z_]+)/m.exec(err.join('\n'))?.[1] ?? null, out: out.join('\n') };
}

/** A tool's argument checks run in-process: the code its refusal prints with (usageErrorLine), or what `check` returns. */
function codeOf<T>(check: () => T): T | string {
  try {
    return check();
  } catch (err) {
    return /^error: ([A-Z_]+): /.exec(usageErrorLine(err as Error))?.[1] ?? (err as Error).message;
  }
}

/** demo:generate's arguments checked in-process (demoCommandLine): the code of its refusal, or what it would do. */
const demoRefusal = (args: string[]) => codeOf(() => demoCommandLine(args, {}).kind);

test('subcommand tools: an unknown or missing command, their own usage errors, and what a command does not take', async () => {
  const cases: ['clients' | 'subscriptions', string[], string][] = [
    ['subscriptions', ['lst'], 'UNKNOWN_COMMAND'],
    ['clients', ['lst'], 'UNKNOWN_COMMAND'],
    ['subscriptions', [], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['create', '--client', 'demo'], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['create', '--client', 'demo', '--callback', 'http://127.0.0.1:9/a', '--regions', '370811001', '--by', 'x'.repeat(200)], 'MALFORMED_CREATED_BY'],
    ['subscriptions', ['revoke'], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['revoke', 'seven'], 'MALFORMED_ID'],
    ['subscriptions', ['dead-letters', '--first', '0'], 'MALFORMED_FIRST'],
    ['subscriptions', ['replay'], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['replay', 'not-a-uuid'], 'MALFORMED_ID'],
    ['subscriptions', ['notices', '--since', '2026-02-30'], 'MALFORMED_DATE'],
    // Read by nobody, and so ignored in silence: another command's option, an id too many, two ways
    // of saying which dead letters (the ids were dropped), an expiry given twice over, a charity's
    // organisation on another office's client.
    ['subscriptions', ['list', '--callback', 'http://127.0.0.1:9/a'], 'OPTION_NOT_FOR_COMMAND'],
    ['subscriptions', ['notices', '--client', 'demo'], 'OPTION_NOT_FOR_COMMAND'],
    ['subscriptions', ['dead-letters', '--by', 'ops'], 'OPTION_NOT_FOR_COMMAND'],
    ['subscriptions', ['revoke', '7', '8'], 'UNEXPECTED_ARGUMENT'],
    ['subscriptions', ['list', 'demo'], 'UNEXPECTED_ARGUMENT'],
    ['subscriptions', ['replay', '--subscription', '7', '0b3f5a0e-6a4f-4c1e-9c55-2f1e4b6a7d10'], 'CONFLICTING_OPTIONS'],
    ['clients', ['list', '--name', 'demo'], 'OPTION_NOT_FOR_COMMAND'],
    ['clients', ['revoke', 'demo', '--off'], 'OPTION_NOT_FOR_COMMAND'],
    ['clients', ['revoke', 'demo', 'other'], 'UNEXPECTED_ARGUMENT'],
    ['clients', ['create', 'demo', '--name', 'demo', '--department', 'HEALTH', '--scope', '370811', '--roles', 'CASEWORKER'], 'UNEXPECTED_ARGUMENT'],
    ['clients', ['rotate', 'demo', '--expires-in', '90d', '--no-expiry'], 'CONFLICTING_OPTIONS'],
    ['clients', ['create', '--name', 'demo', '--department', 'HEALTH', '--scope', '370811', '--roles', 'CASEWORKER', '--organisation', 'Red Cross'], 'CONFLICTING_OPTIONS'],
  ];
  const got = [];
  for (const [tool, args] of cases) got.push({ tool, args, ...(await command(tool, args)) });
  expect(got).toEqual(cases.map(([tool, args, code]) => ({ tool, args, status: 2, code, usage: true })));
  // How the tools print one, once the hub is opened.
  await expectRefused([
    ['tools/subscriptions.ts', ['lst'], 'UNKNOWN_COMMAND'],
    ['tools/clients.ts', ['list', '--name', 'demo'], 'OPTION_NOT_FOR_COMMAND'],
  ], true);
}, 600_000);

/**
 * A refusal goes to stderr and the answer alone to stdout, before the database is opened and after
 * alike: once it was open, `clients revoke nobody` printed `error: CLIENT_NOT_FOUND: …` and the usage
 * on stdout (`… > out.txt` hid it), while a misspelt option, refused before, went to stderr.
 */
test('every refusal goes to stderr, with its exit code; the answer to stdout', async () => {
  const hub = accessDbOf(dbs.hub);
  const clients = (args: string[]) => streamsOf((print) => clientsCommand(args, hub, print));
  const subscriptions = (args: string[]) => streamsOf((print) => subscriptionsCommand(args, dbs.hub, print, ['127.0.0.1:*']));
  const got = {
    notFound: await clients(['revoke', 'nobody']),
    expiry: await clients(['rotate', 'nobody', '--expires', 'soon']),
    usage: await clients(['lst']),
    subscription: await subscriptions(['revoke', '999999']),
    since: await subscriptions(['notices', '--since', '2026-02-30']),
    anchor: await streamsOf((print) => auditVerifyCommand(['--anchor', 'x'], hub, print)),
    verifyOption: await streamsOf((print) => auditVerifyCommand(['--wirte'], hub, print)),
    exportArgs: await streamsOf((print) => auditExportCommand(['--from', '2026-02-30', '--to', '2026-03-01', '--out', 'x.jsonl'], hub, print)),
  };
  expect(got).toEqual({
    notFound: { status: 2, code: 'CLIENT_NOT_FOUND', out: '' },
    expiry: { status: 2, code: 'MALFORMED_EXPIRY', out: '' },
    usage: { status: 2, code: 'UNKNOWN_COMMAND', out: '' },
    subscription: { status: 3, code: 'SUBSCRIPTION_NOT_FOUND', out: '' },
    since: { status: 2, code: 'MALFORMED_DATE', out: '' },
    anchor: { status: 2, code: 'MALFORMED_ANCHOR', out: '' },
    verifyOption: { status: 2, code: 'UNKNOWN_OPTION', out: '' },
    exportArgs: { status: 2, code: 'MALFORMED_DATE', out: '' },
  });
  // The answer stays on stdout.
  expect(await clients(['list'])).toEqual({ status: 0, code: null, out: 'no clients' });
  // How the tool prints it: the refusal and its usage on stderr, nothing on stdout, exit 2.
  const spawned = runApart('tools/clients.ts', ['revoke', 'nobody'], true);
  expect({ status: spawned.status, stdout: spawned.stdout, code: shown(spawned.status, spawned.stderr).code, usage: shown(spawned.status, spawned.stderr).usage }).toEqual({ status: 2, stdout: '', code: 'CLIENT_NOT_FOUND', usage: true });
}, 600_000);

test('options and commands checked before the database is opened: unknown, value missing, value given to a flag, not for the command', async () => {
  await expectRefused([
    ['tools/subscriptions.ts', ['list', '--wirte'], 'UNKNOWN_OPTION'],
    ['tools/subscriptions.ts', ['list', '--client'], 'MISSING_OPTION_VALUE'],
    ['tools/subscriptions.ts', ['create', '--client', '--callback', 'http://127.0.0.1:9/a'], 'MISSING_OPTION_VALUE'],
    ['tools/subscriptions.ts', ['create', '--deliver-open=yes'], 'OPTION_TAKES_NO_VALUE'],
    ['tools/clients.ts', ['list', '-z'], 'UNKNOWN_OPTION'],
    // With no hub to find, these were answered DATABASE_REQUIRED, and the mistake told only once there was one.
    ['tools/clients.ts', ['list', '--name', 'demo'], 'OPTION_NOT_FOR_COMMAND'],
    ['tools/clients.ts', ['lst'], 'UNKNOWN_COMMAND'],
    ['tools/clients.ts', [], 'ARGUMENT_REQUIRED'],
    ['tools/subscriptions.ts', ['revoke', '7', '8'], 'UNEXPECTED_ARGUMENT'],
    // audit:export's own checks, which need no database (runAgainstHub's judge).
    ['tools/audit-export.ts', ['--from', '2026-02-30', '--to', '2026-03-01', '--out', path.join(os.tmpdir(), 'aidhub-cli-error-codes-export.jsonl')], 'MALFORMED_DATE'],
    ['tools/audit-export.ts', ['--from', '2026-03-01', '--to', '2026-03-01', '--out', path.join(ROOT, 'package.json')], 'OUTPUT_EXISTS'],
  ]);
}, 600_000);

/**
 * A command's own values that need no database are judged before one is looked for, as its options
 * are: with no hub to find, `clients revoke` with no name, `rotate x --expires soon`, `subscriptions
 * notices --since 2026-02-30` and `audit:verify --anchor x` were answered DATABASE_REQUIRED, the
 * mistake told only once there was a hub. What needs the database (an expiry passed by its clock, a
 * client that does not exist) is judged once it is found.
 */
test('a command’s own values are judged before the database is looked for', async () => {
  const judged = (spec: typeof CLIENTS_COMMAND_LINE | typeof SUBSCRIPTIONS_COMMAND_LINE, args: string[]) => codeOf(() => (judgeSubcommand(args, spec as typeof CLIENTS_COMMAND_LINE) as { command: string }).command);
  const create = ['create', '--name', 'demo', '--department', 'HEALTH', '--scope', '370811', '--roles', 'CASEWORKER'];
  const cases: ['clients' | 'subscriptions', string[], string][] = [
    ['clients', ['revoke'], 'ARGUMENT_REQUIRED'],
    ['clients', ['rotate'], 'ARGUMENT_REQUIRED'],
    ['clients', ['require-officer'], 'ARGUMENT_REQUIRED'],
    ['clients', ['create', '--name', 'demo'], 'ARGUMENT_REQUIRED'],
    ['clients', ['revoke', 'demo', '--by', 'x'.repeat(200)], 'MALFORMED_BY'],
    ['clients', ['rotate', 'demo', '--expires', 'soon'], 'MALFORMED_EXPIRY'],
    ['clients', ['rotate', 'demo', '--expires-in', '0d'], 'MALFORMED_EXPIRY'],
    ['clients', [...create, '--expires', '2026-02-30'], 'MALFORMED_EXPIRY'],
    ['clients', [...create, '--organisation', 'Red Cross'], 'CONFLICTING_OPTIONS'],
    ['clients', ['create', '--name', 'demo', '--department', 'CHARITY', '--scope', '370811', '--roles', 'CHARITY'], 'CHARITY_ORGANISATION_REQUIRED'],
    ['clients', ['create', '--name', 'Demo Client', '--department', 'HEALTH', '--scope', '370811', '--roles', 'CASEWORKER'], 'MALFORMED_NAME'],
    ['clients', ['create', '--name', 'demo', '--department', 'POLICE', '--scope', '370811', '--roles', 'CASEWORKER'], 'UNKNOWN_DEPARTMENT'],
    ['clients', ['create', '--name', 'demo', '--department', 'HEALTH', '--scope', '3708', '--roles', 'CASEWORKER'], 'MALFORMED_DIVISION_CODE'],
    // Supervision is civil affairs' (ROLE_OFFICES, access/policy.ts): another office's client is refused it.
    ['clients', ['create', '--name', 'demo', '--department', 'EDUCATION', '--scope', '370800', '--roles', 'SUPERVISOR'], 'ROLE_NOT_FOR_DEPARTMENT'],
    ['subscriptions', ['create', '--client', 'demo'], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['create', '--client', 'demo', '--callback', 'http://127.0.0.1:9/a', '--regions', '370811001', '--by', 'x'.repeat(200)], 'MALFORMED_CREATED_BY'],
    ['subscriptions', ['revoke'], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['revoke', 'seven'], 'MALFORMED_ID'],
    ['subscriptions', ['revoke', '7', '--by', 'x'.repeat(200)], 'MALFORMED_CREATED_BY'],
    ['subscriptions', ['dead-letters', '--subscription', '0'], 'MALFORMED_ID'],
    ['subscriptions', ['dead-letters', '--first', '0'], 'MALFORMED_FIRST'],
    ['subscriptions', ['replay'], 'ARGUMENT_REQUIRED'],
    ['subscriptions', ['replay', 'not-a-uuid'], 'MALFORMED_ID'],
    ['subscriptions', ['notices', '--since', '2026-02-30'], 'MALFORMED_DATE'],
  ];
  const spec = (tool: 'clients' | 'subscriptions') => (tool === 'clients' ? CLIENTS_COMMAND_LINE : SUBSCRIPTIONS_COMMAND_LINE);
  expect(cases.map(([tool, args]) => ({ tool, args, code: judged(spec(tool), args) }))).toEqual(cases.map(([tool, args, code]) => ({ tool, args, code })));
  // What only the database can judge goes on to it: an expiry passed by its clock, a name it may not hold.
  expect([judged(CLIENTS_COMMAND_LINE, ['rotate', 'demo', '--expires', '2000-01-01']), judged(CLIENTS_COMMAND_LINE, ['revoke', 'nobody']), judged(CLIENTS_COMMAND_LINE, create), judged(SUBSCRIPTIONS_COMMAND_LINE, ['revoke', '999999'])]).toEqual(['rotate', 'revoke', 'create', 'revoke']);
  // Spawned with no hub to find: the mistake, not DATABASE_REQUIRED.
  await expectRefused([
    ['tools/clients.ts', ['revoke'], 'ARGUMENT_REQUIRED'],
    ['tools/subscriptions.ts', ['notices', '--since', '2026-02-30'], 'MALFORMED_DATE'],
  ]);
  await expectRefused([['tools/audit-verify.ts', ['--anchor', 'x'], 'MALFORMED_ANCHOR']], false, { usage: false });
}, 600_000);

/**
 * audit:export's offline check is `--check FILE` or `--check=FILE`, as the shared parser reads every
 * option: the tool looked for the exact word `--check`, so `--check=FILE` went looking for a hub
 * database (with none to find, DATABASE_REQUIRED) to check a file that needs none.
 */
test('audit:export --check=FILE is the offline check, as --check FILE is', () => {
  const file = path.join(os.tmpdir(), `aidhub-cli-error-codes-check-${process.pid}.jsonl`);
  fs.writeFileSync(file, `${JSON.stringify({ t: 'export', from: '2026-03-01', to: '2026-03-01', firstSeq: null, lastSeq: null, prevHash: null })}\n${JSON.stringify({ t: 'end', rows: 0, lastHash: null })}\n`);
  try {
    const got = [runApart('tools/audit-export.ts', [`--check=${file}`]), runApart('tools/audit-export.ts', ['--check', file])];
    expect(got.map(({ status, stdout, stderr }) => ({ status, verifies: /^audit export verifies: 0 rows/.test(stdout), stderr }))).toEqual([0, 1].map(() => ({ status: 0, verifies: true, stderr: '' })));
  } finally {
    fs.rmSync(file, { force: true });
  }
}, 600_000);

/**
 * `--check` with an option of the export is two runs asked for at once: CONFLICTING_OPTIONS, the
 * code the tools give options that exclude each other (import's `--url` beside `--check`, clients'
 * `--expires` beside `--no-expiry`); it was UNEXPECTED_ARGUMENT, the code of a stray argument.
 */
test('audit:export: --check with --from, --to or --out is CONFLICTING_OPTIONS', async () => {
  const file = path.join(ROOT, 'package.json');
  const refusal = async (args: string[]) => (await streamsOf((print) => auditExportCommand(args, null, print))).code;
  const given = [['--from', '2026-03-01'], ['--to', '2026-03-01'], [`--out=${path.join(os.tmpdir(), 'x.jsonl')}`]];
  expect(await Promise.all(given.map((extra) => refusal(['--check', file, ...extra])))).toEqual(given.map(() => 'CONFLICTING_OPTIONS'));
});

test('tools of options only (parseCommandLine), and audit:verify', async () => {
  await expectRefused([
    ['tools/access-table.ts', ['--wirte'], 'UNKNOWN_OPTION'],
    ['tools/access-table.ts', ['docs/access.md'], 'UNEXPECTED_ARGUMENT'],
    ['tools/audit-verify.ts', ['--wirte'], 'UNKNOWN_OPTION'],
    ['tools/audit-verify.ts', ['--anchor'], 'MISSING_OPTION_VALUE'],
    // Region jobs (tools/region-job-cli.ts runJobCli) and the demo generator, each with its own catch.
    ['tools/scan.ts', ['--regoin', '370811'], 'UNKNOWN_OPTION'],
    ['tools/monitor-monthly.ts', ['--region'], 'MISSING_OPTION_VALUE'],
    ['tools/generate.ts', ['--wirte'], 'UNKNOWN_OPTION'],
  ]);
}, 600_000);

test('audit:verify: a public key with no checkpoint file to check it against', async () => {
  // Against a hub database: the key was ignored, the chain walked alone and answered intact, exit 0.
  await expectRefused([['tools/audit-verify.ts', ['--public-key', path.join(os.tmpdir(), 'aidhub-cli-error-codes-verify.pem')], 'PUBLIC_KEY_WITHOUT_CHECKPOINTS']], true, { usage: false });
}, 600_000);

test('import and report: their own usage errors, each with its code', async () => {
  const folder = path.join(ROOT, 'test');
  const file = path.join(ROOT, 'package.json');
  // No DATABASE_URL, no AIDHUB_TOKEN: as the spawned tools below are run.
  const imported = (args: string[]) => codeOf(() => importCommandLine(args, {}).kind);
  const reported = (args: string[]) => codeOf(() => reportCommandLine(args, {}).kind);
  const cases: ['import' | 'report', string[], string][] = [
    ['import', ['--dri', 'x'], 'UNKNOWN_OPTION'],
    ['import', ['--write'], 'WRITE_WITHOUT_DOCS'],
    ['import', [], 'ARGUMENT_REQUIRED'],
    ['import', ['--dir', path.join(folder, 'absent')], 'NO_FOLDER'],
    ['import', ['--dir', folder], 'DATABASE_REQUIRED'],
    ['import', ['--dir', folder, '--url', 'postgres://u:p@127.0.0.1:5432/aidhub'], 'MALFORMED_URL'],
    ['import', ['--dir', folder, '--url', 'mysql://u:p@127.0.0.1:3306/'], 'MALFORMED_URL'],
    // Read by nobody: --docs loads nothing, --check touches no database.
    ['import', ['--docs', '--dir', folder], 'CONFLICTING_OPTIONS'],
    ['import', ['--docs', '--check'], 'CONFLICTING_OPTIONS'],
    ['import', ['--docs', '--write', '--url', 'mysql://u@127.0.0.1:1/aidhub'], 'CONFLICTING_OPTIONS'],
    ['import', ['--dir', folder, '--check', '--url', 'mysql://u@127.0.0.1:1/aidhub'], 'CONFLICTING_OPTIONS'],
    ['report', ['--file'], 'MISSING_OPTION_VALUE'],
    ['report', [], 'ARGUMENT_REQUIRED'],
    ['report', ['--file', 'aid.csv'], 'ARGUMENT_REQUIRED'],
    ['report', ['--file', 'aid.csv', '--token', 'ahk_test', '--hub', '127.0.0.1:4000'], 'MALFORMED_URL'],
    ['report', ['--file', path.join(folder, 'absent.csv'), '--token', 'ahk_test'], 'NO_FILE'],
    ['report', ['--file', file, '--token', 'ahk_test', '--officer', '王 科员'], 'MALFORMED_OFFICER'],
  ];
  const refusal = (tool: 'import' | 'report', args: string[]) => (tool === 'import' ? imported(args) : reported(args));
  expect(cases.map(([tool, args]) => ({ tool, args, code: refusal(tool, args) }))).toEqual(cases.map(([tool, args, code]) => ({ tool, args, code })));
  // What is not refused goes on to its work.
  expect([imported(['--docs']), imported(['--docs', '--write']), imported(['--dir', folder, '--check']), imported(['--dir', folder, '--url', 'mysql://u@127.0.0.1:1/aidhub']), reported(['--file', file, '--token', 'ahk_test'])]).toEqual(['docs', 'docs', 'check', 'load', 'send']);
  // Spawned: how each tool prints its checks' refusal (exit 2, the code and the usage).
  await expectRefused([
    ['tools/import.ts', ['--dir', folder], 'DATABASE_REQUIRED'],
    ['tools/report.ts', ['--file', 'aid.csv', '--token', 'ahk_test', '--hub', '127.0.0.1:4000'], 'MALFORMED_URL'],
  ]);
}, 600_000);

test('the region jobs: their own checks, each with its code (the API’s where it refuses the same)', async () => {
  const later = `${Number(todayIso().slice(0, 4)) + 1}-01-01`;
  const now = () => new Date();
  const cases: ['scan' | 'monitor:monthly', string[], string][] = [
    ['scan', ['--region', '370811', '--as-of', 'x'], 'MALFORMED_DATE'],
    ['scan', ['--region', '370811', '--as-of', '2026-02-30'], 'MALFORMED_DATE'],
    ['scan', ['--region', '370811', '--as-of', later], 'OUT_OF_RANGE'],
    ['scan', ['--region', '370811', '--as-of', '1899-12-31'], 'OUT_OF_RANGE'],
    ['scan', [], 'ARGUMENT_REQUIRED'],
    ['scan', ['--region', '3708'], 'MALFORMED_DIVISION_CODE'],
    ['scan', ['--region', '３７０８１１'], 'MALFORMED_DIVISION_CODE'],
    ['scan', ['--region', '370811', '--chunk', '0'], 'OUT_OF_RANGE'],
    ['scan', ['--region', '370811', '--chunk', 'ten'], 'MALFORMED_NUMBER'],
    ['monitor:monthly', ['--region', '370811 001'], 'MALFORMED_DIVISION_CODE'],
    ['monitor:monthly', ['--region', '370811', '--month', '2026/03'], 'FORMAT'],
    ['monitor:monthly', ['--region', '370811', '--month', '2026-13'], 'NO_SUCH_MONTH'],
    ['monitor:monthly', ['--region', '370811', '--month', '2000-01'], 'MONTH_NOT_CURRENT'],
    ['monitor:monthly', ['--region', '370811', '--page=-1'], 'OUT_OF_RANGE'],
  ];
  const refusal = (tool: 'scan' | 'monitor:monthly', args: string[]) => codeOf(() => (tool === 'scan' ? scanCommandLine(args).help : monthlyCommandLine(args, now).help));
  expect(cases.map(([tool, args]) => ({ tool, args, code: refusal(tool, args) }))).toEqual(cases.map(([tool, args, code]) => ({ tool, args, code })));
  expect([refusal('scan', ['--region', '370811']), refusal('monitor:monthly', ['--region', '370811'])]).toEqual([false, false]);
  // Spawned: how each tool prints its checks' refusal, and the checks of the hub to find (runJobCli, withJobHub).
  await expectRefused([
    ['tools/scan.ts', ['--region', '370811', '--as-of', '2026-02-30'], 'MALFORMED_DATE'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--month', '2026-13'], 'NO_SUCH_MONTH'],
    ['tools/scan.ts', ['--region', '370811'], 'DATABASE_REQUIRED'],
    ['tools/scan.ts', ['--region', '370811', '--url', 'postgres://u@127.0.0.1/aidhub'], 'MALFORMED_URL'],
    ['tools/monitor-monthly.ts', ['--region', '370811', '--url', 'mysql://u@127.0.0.1:1/'], 'MALFORMED_URL'],
  ]);
}, 900_000);

test('the demo generator: its own checks, each with its code, and --manifest without --plant refused as read by nobody', async () => {
  const nowhere = 'mysql://u@127.0.0.1:1/aidhub';
  const cases: [string[], string][] = [
    [['--households', '10'], 'DATABASE_REQUIRED'],
    [['--url', 'aidhub'], 'MALFORMED_URL'],
    [['--url', nowhere, '--append', '--truncate'], 'CONFLICTING_OPTIONS'],
    [['--url', nowhere, '--households', '0'], 'OUT_OF_RANGE'],
    [['--url', nowhere, '--chunk', '1.5'], 'MALFORMED_NUMBER'],
    [['--url', nowhere, '--reference-date', '2026-02-30'], 'MALFORMED_DATE'],
    [['--url', nowhere, '--reference-date', '2100-01-01'], 'OUT_OF_RANGE'],
    [['--url', nowhere, '--department', 'POLICE'], 'UNKNOWN_DEPARTMENT'],
    [['--url', nowhere, '--department', 'REPORTED'], 'NO_DEMO_DATABASE'],
    [['--url', nowhere, '--department', 'HOUSING', '--households', '10'], 'CONFLICTING_OPTIONS'],
    [['--url', nowhere, '--department', 'HOUSING', '--manifest', 'planted.json'], 'CONFLICTING_OPTIONS'],
    // No manifest is written without --plant: the file named was never made, and nothing said so.
    [['--url', nowhere, '--manifest', 'planted.json'], 'MANIFEST_WITHOUT_PLANT'],
    [['--url', nowhere, '--households', '10', '--truncate', '--manifest', 'planted.json'], 'MANIFEST_WITHOUT_PLANT'],
    // A command line wrong in itself is told so before a database is asked for (it answered DATABASE_REQUIRED).
    [['--manifest', 'planted.json'], 'MANIFEST_WITHOUT_PLANT'],
    [['--department', 'POLICE'], 'UNKNOWN_DEPARTMENT'],
    [['--append', '--truncate'], 'CONFLICTING_OPTIONS'],
    [['--wirte'], 'UNKNOWN_OPTION'],
  ];
  expect(cases.map(([args]) => ({ args, code: demoRefusal(args) }))).toEqual(cases.map(([args, code]) => ({ args, code })));
  // What is not refused goes on to generate, with or without its manifest.
  expect([['--url', nowhere], ['--url', nowhere, '--plant'], ['--url', nowhere, '--plant', '--manifest', 'planted.json'], ['--url', nowhere, '--department', 'HOUSING']].map(demoRefusal)).toEqual(['demo', 'demo', 'demo', 'department']);
  // How the tool prints its own refusals, before it opens anything (nothing listens at `nowhere`).
  await expectRefused([
    ['tools/generate.ts', ['--url', nowhere, '--manifest', 'planted.json'], 'MANIFEST_WITHOUT_PLANT'],
    ['tools/generate.ts', ['--url', nowhere, '--department', 'POLICE'], 'UNKNOWN_DEPARTMENT'],
  ]);
}, 600_000);

test('the region jobs against a hub: a division it holds nothing of, a --url naming no database, and a division code with spaces read as the API reads it', async () => {
  const typo = dbs.hubUrl.replace(/\/([^/?]+)(\?|$)/, '/$1_typo$2');
  await expectRefused([
    ['tools/scan.ts', ['--region', '379999'], 'REGION_UNKNOWN'],
    ['tools/monitor-monthly.ts', ['--region', '379999'], 'REGION_UNKNOWN'],
    ['tools/scan.ts', ['--region', '370811', '--url', typo], 'NO_DATABASE'],
  ], true);
  // Pasted with spaces, the code is the code: the run goes on to the hub (which holds no division here).
  for (const tool of ['tools/scan.ts', 'tools/monitor-monthly.ts']) {
    const padded = run(tool, ['--region', ' 379998\t'], true);
    expect({ tool, code: padded.code }).toEqual({ tool, code: 'REGION_UNKNOWN' });
    expect(padded.text).toContain('the hub knows no division 379998 ');
  }
}, 600_000);

test('a variable the tools read as npm start reads it is refused with npm start’s code, exit 2, without the usage and without its password', async () => {
  // subscriptions reads AIDHUB_CALLBACK_HOSTS (it was "subscriptions: … (database …)", exit 1, as if
  // the database had failed); import and demo:generate read SOURCE_<DEPT>_URL (they failed on
  // connecting: "import failed", exit 3).
  const secret = 'postgres://health:s3cret-pw@127.0.0.1:1/front';
  const got = [
    ...(await expectRefused([['tools/subscriptions.ts', ['list'], 'MALFORMED_HOST']], true, { env: { AIDHUB_CALLBACK_HOSTS: 'http://127.0.0.1:9300' }, usage: false })),
    ...(await expectRefused([
      ['tools/import.ts', ['--dir', path.join(ROOT, 'examples', 'import'), '--url', 'mysql://u@127.0.0.1:1/aidhub'], 'MALFORMED_URL'],
      ['tools/generate.ts', ['--url', 'mysql://u@127.0.0.1:1/aidhub'], 'MALFORMED_URL'],
    ], false, { env: { SOURCE_HEALTH_URL: secret }, usage: false })),
  ];
  for (const { text } of got) expect(text).not.toContain('s3cret');
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
