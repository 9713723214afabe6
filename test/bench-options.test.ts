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

it.each([['-1'], ['1.5'], ['abc'], [''], [' 5'], ['1e3'], ['99999999999999999999']])('refuses --warmup %j with the usage, exit code 2', (value) => {
  const run = bench('household', [`--warmup=${value}`]);
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
  expect(run.stderr).toMatch(/^--warmup must be a non-negative integer, got /);
  expect(run.stderr).toMatch(/^usage: npm run bench -- .*\[--warmup W\]/m);
}, 120_000);

it('bench:household-cpu takes the same option and refuses the same', () => {
  expect(bench('household-cpu', ['--warmup', '500', '--help'])).toMatchObject({ status: 0, stderr: '' });
  const run = bench('household-cpu', ['--warmup', '-3']);
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
  expect(run.stderr).toMatch(/^--warmup must be a non-negative integer, got "-3"/);
  expect(run.stderr).toMatch(/^usage: npm run bench:household-cpu -- /m);
}, 300_000);

it('takes --servers threads or same-thread, refuses anything else with the usage, and bench:household-cpu has no such option', () => {
  expect(bench('household', ['--help']).stdout).toMatch(/^ {2}--servers P +where the HTTP servers measured run: threads \(default\)/m);
  for (const args of [['--servers', 'same-thread'], ['--servers=threads']]) {
    expect({ args, ...bench('household', [...args, '--help']) }).toMatchObject({ args, status: 0, stderr: '' });
  }
  const refused = bench('household', ['--servers', 'workers']);
  expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 2, stdout: '' });
  expect(refused.stderr).toMatch(/^--servers must be threads or same-thread, got "workers"/);
  const cpu = bench('household-cpu', ['--servers', 'threads']);
  expect({ status: cpu.status, stdout: cpu.stdout }).toEqual({ status: 2, stdout: '' });
  expect(cpu.stderr).toMatch(/^unknown option --servers/);
  expect(cpu.stderr).not.toMatch(/--servers P/);
}, 300_000);
