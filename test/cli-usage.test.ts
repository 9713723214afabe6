/**
 * Every npm script as an operator types it, with a misspelt option: refused with the usage, exit
 * code 2, before it does anything (tools/command-args.ts). Before, `npm run access:table -- --wirte`
 * printed the tables and left docs/access.md stale, `npm run codegen -- --chek` rewrote the types
 * instead of checking them, `npm start -- --port 4001` started a hub on 4000, the benches ran for
 * hours at their defaults, and clients, subscriptions and audit:verify with no hub running answered
 * "No hub database" without the usage. `--help` prints the usage and exits 0, also doing nothing.
 *
 * The scripts come from package.json, so a new one is checked too unless it is listed below as
 * another program's command line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** Scripts whose arguments go to another program, which answers them itself. */
const NOT_OURS: Record<string, string> = {
  test: 'jest',
  typecheck: 'tsc (after codegen --check)',
};

const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts).filter((s) => !(s in NOT_OURS));

/** The scripts whose --help is run too. */
const HELP_CHECKED = ['start', 'access:table', 'codegen', 'db:generate', 'bench:alerts'];

let dataRoot: string;

beforeAll(() => {
  // No hub running: the tools that look for one find none, and still answer the mistake first.
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-cli-usage-'));
});

afterAll(() => {
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

function npmRun(script: string, args: string[]) {
  const run = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AIDHUB_DATA_DIR: path.join(dataRoot, 'mariadb'), npm_config_update_notifier: 'false' },
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

it('covers every script of package.json but the ones that are other programs', () => {
  expect(scripts).toEqual(expect.arrayContaining(['start', 'access:table', 'codegen', 'clients', 'db:generate', 'bench:alerts']));
});

describe.each(scripts)('npm run %s', (script) => {
  it('refuses a misspelt option with the usage, exit code 2, having done nothing', () => {
    const docBefore = fs.readFileSync(path.join(ROOT, 'docs', 'access.md'), 'utf8');
    const run = npmRun(script, ['--wirte']);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toContain('--wirte');
    expect(run.stderr).toMatch(/^usage: /m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'access.md'), 'utf8')).toBe(docBefore);
    expect(fs.readdirSync(dataRoot)).toEqual([]);
  }, 150_000);
});

// A few, for time: each spawn loads the tool's modules, and the misspelt option is the case at issue.
describe.each(HELP_CHECKED)('npm run %s --help', (script) => {
  it('prints the usage, exit code 0, having done nothing', () => {
    const run = npmRun(script, ['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/usage: /);
    expect(fs.readdirSync(dataRoot)).toEqual([]);
  }, 150_000);
});

it('npm run import refuses a database URL it cannot use as a usage error, exit code 2, without repeating it', () => {
  // It was taken as far as connecting: `import failed: ERR_INVALID_URL`, exit 3, as if a load had failed.
  for (const url of ['not a url', 'https://user:s3cret@127.0.0.1/aidhub', 'mysql://user:s3cret@127.0.0.1:3306/']) {
    const run = npmRun('import', ['--dir', path.join(ROOT, 'examples', 'import'), '--url', url]);
    expect({ url, status: run.status, stdout: run.stdout }).toEqual({ url, status: 2, stdout: '' });
    expect(run.stderr).toMatch(/^error: MALFORMED_URL: --url /);
    expect(run.stderr).toMatch(/^usage: /m);
    expect(run.stderr).not.toContain('s3cret');
  }
}, 300_000);

it('npm run import without --dir, or with one naming no folder, is a usage error with its code, exit code 2, as every tool’s', () => {
  // A folder that is not there was a problem of the load (NO_FOLDER), exit 1, as if a file in it were wrong.
  const missing = path.join(dataRoot, 'no-such-folder');
  for (const [args, code] of [[[], 'ARGUMENT_REQUIRED'], [['--check'], 'ARGUMENT_REQUIRED'], [['--dir', missing, '--check'], 'NO_FOLDER'], [['--dir', missing], 'NO_FOLDER'], [['--dir', path.join(ROOT, 'package.json'), '--check'], 'NO_FOLDER']] as const) {
    const run = npmRun('import', [...args]);
    expect({ args, status: run.status, stdout: run.stdout }).toEqual({ args, status: 2, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^error: ${code}: --dir`));
    expect(run.stderr).toMatch(/^usage: /m);
  }
  expect(fs.readdirSync(dataRoot)).toEqual([]);
}, 300_000);

it('npm run import -- --docs --write leaves a current column reference as it is; --write alone is a usage error', () => {
  const readme = path.join(ROOT, 'examples', 'import', 'README.md');
  const before = fs.readFileSync(readme, 'utf8');
  const current = npmRun('import', ['--docs', '--write']);
  expect({ status: current.status, stdout: current.stdout }).toEqual({ status: 0, stdout: 'examples/import/README.md: the column reference is current\n' });
  const alone = npmRun('import', ['--write']);
  expect({ status: alone.status, stdout: alone.stdout }).toEqual({ status: 2, stdout: '' });
  expect(alone.stderr).toMatch(/^error: WRITE_WITHOUT_DOCS: --write goes with --docs/);
  expect(fs.readFileSync(readme, 'utf8')).toBe(before);
}, 300_000);

it('npm run report refuses an --officer the hub would refuse as X-Officer, exit code 2, without printing it or reading the file', () => {
  // An ID number whole or split (some systems key staff by 身份证号), and a name: the header's reasons.
  const idNumber = '370811197504123158';
  for (const [officer, reason] of [[idNumber, 'OFFICER_ID_NUMBER'], [`${idNumber.slice(0, 6)}-${idNumber.slice(6, 14)}-${idNumber.slice(14)}`, 'OFFICER_ID_NUMBER'], ['王 科员', 'MALFORMED_OFFICER']] as const) {
    const run = npmRun('report', ['--file', path.join(dataRoot, 'absent.csv'), '--token', 'ahk_test', '--officer', officer]);
    expect({ officer, status: run.status, stdout: run.stdout }).toEqual({ officer, status: 2, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^error: ${reason}: --officer: `));
    expect(run.stderr).toMatch(/^usage: .*--officer/m);
    expect(run.stderr).not.toContain(officer);
    expect(run.stderr).not.toContain(idNumber.slice(6, 14));
  }
}, 300_000);

it('the access tools with no hub to find refuse with DATABASE_REQUIRED, exit code 2, as the region-job tools do', () => {
  // They printed the bare sentence ("No hub database: …"), the one refusal of theirs without a code.
  for (const [script, args] of [['clients', ['list']], ['subscriptions', ['list']], ['audit:verify', []]] as const) {
    const run = npmRun(script, [...args]);
    expect({ script, status: run.status, stdout: run.stdout }).toEqual({ script, status: 2, stdout: '' });
    expect(run.stderr).toMatch(/^error: DATABASE_REQUIRED: No hub database: set DATABASE_URL/);
  }
}, 300_000);
