/**
 * `npm run bench` and `npm run bench:household-cpu` options (bench/lib/options.ts), as an operator
 * types them: `--warmup` sets the unmeasured requests per variant, which were a tenth of
 * `--requests` (200 by default) and left the hub still being optimised by V8 while it was measured
 * (docs/performance.md, Session 25). Run as a command, as test/cli-usage.test.ts runs every script
 * (no test imports the bench): a value refused exits 2 with the usage having done nothing; options
 * are read in order, so `--warmup W --help` printing the usage shows W was accepted. `--servers`
 * (session 29) places the servers `npm run bench` measures; `bench:household-cpu` has none.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

function bench(script: 'household' | 'household-cpu', args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', `${script}.ts`), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

it('says each variant is warmed with 1000 requests unless told, and takes --warmup separate, inline, or 0 for none', () => {
  const help = bench('household', ['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^ {2}--warmup W +unmeasured household queries per variant before them \(default 1000; 0 for none\)$/m);
  for (const args of [['--warmup', '2000'], ['--warmup=0'], ['--requests', '300', '--warmup', '1']]) {
    expect({ args, ...bench('household', [...args, '--help']) }).toMatchObject({ args, status: 0, stderr: '' });
  }
}, 300_000);

// With the tools' codes (tools/command-args.ts positiveIntArg): no whole number, MALFORMED_NUMBER; one out of range, OUT_OF_RANGE.
it.each([['-1', 'OUT_OF_RANGE'], ['1.5', 'MALFORMED_NUMBER'], ['abc', 'MALFORMED_NUMBER'], ['', 'MALFORMED_NUMBER'], [' 5', 'MALFORMED_NUMBER'], ['1e3', 'MALFORMED_NUMBER'], ['99999999999999999999', 'OUT_OF_RANGE']])('refuses --warmup %j with its code (%s) and the usage, exit code 2', (value, code) => {
  const run = bench('household', [`--warmup=${value}`]);
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
  expect(run.stderr.startsWith(`error: ${code}: --warmup must be a non-negative integer, got `)).toBe(true);
  expect(run.stderr).toMatch(/^usage: npm run bench -- .*\[--warmup W\]/m);
}, 120_000);

it('bench:household-cpu takes the same option and refuses the same', () => {
  expect(bench('household-cpu', ['--warmup', '500', '--help'])).toMatchObject({ status: 0, stderr: '' });
  const run = bench('household-cpu', ['--warmup', '-3']);
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
  expect(run.stderr).toMatch(/^error: OUT_OF_RANGE: --warmup must be a non-negative integer, got "-3"/);
  expect(run.stderr).toMatch(/^usage: npm run bench:household-cpu -- /m);
}, 300_000);

it('takes --servers threads or same-thread, refuses anything else with the usage, and bench:household-cpu has no such option', () => {
  expect(bench('household', ['--help']).stdout).toMatch(/^ {2}--servers P +where the HTTP servers measured run: threads \(default\)/m);
  for (const args of [['--servers', 'same-thread'], ['--servers=threads']]) {
    expect({ args, ...bench('household', [...args, '--help']) }).toMatchObject({ args, status: 0, stderr: '' });
  }
  const refused = bench('household', ['--servers', 'workers']);
  expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 2, stdout: '' });
  expect(refused.stderr).toMatch(/^error: UNKNOWN_VALUE: --servers must be threads or same-thread, got "workers"/);
  const cpu = bench('household-cpu', ['--servers', 'threads']);
  expect({ status: cpu.status, stdout: cpu.stdout }).toEqual({ status: 2, stdout: '' });
  expect(cpu.stderr).toMatch(/^error: UNKNOWN_OPTION: unknown option --servers/);
  expect(cpu.stderr).not.toMatch(/--servers P/);
}, 300_000);

/**
 * A bench's own refusals are `error: CODE: …` (configErrorLine, through the tools' printUsageError)
 * with the usage, exit 2, as every tool's: they said `--requests needs a value`, `unknown option
 * --nope`, and region-pages `error: --households is not an option this bench takes …`, no code
 * (and region-pages refused `--households=N`, which the tools' parser takes).
 */
it('refuses an option with the tools’ codes: a value missing, an unknown option, and region-pages’ options read by the tools’ parser', () => {
  const codeOf = (run: { status: number | null; stdout: string; stderr: string }) => ({ status: run.status, stdout: run.stdout, code: /^error: ([A-Z_]+): /.exec(run.stderr)?.[1] ?? run.stderr, usage: /^usage: /m.test(run.stderr) });
  const regionPages = (args: string[]) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'region-pages.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 120_000 });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const refused = (code: string) => ({ status: 2, stdout: '', code, usage: true });
  expect([
    codeOf(bench('household', ['--requests'])),
    codeOf(bench('household-cpu', ['--nope', '1'])),
    codeOf(regionPages(['--households=abc'])),
    codeOf(regionPages(['--households', '0'])),
    codeOf(regionPages(['--wirte'])),
  ]).toEqual([refused('MISSING_OPTION_VALUE'), refused('UNKNOWN_OPTION'), refused('MALFORMED_NUMBER'), refused('OUT_OF_RANGE'), refused('UNKNOWN_OPTION')]);
  // `--households=N` is read as `--households N` (then --help answers before anything is started).
  expect(regionPages(['--households=1000', '--help'])).toMatchObject({ status: 0, stderr: '' });
}, 300_000);
