/**
 * The median and spread `npm run bench:pregrant` prints over its rounds (bench/lib/rounds.ts). Run
 * as a command, as test/bench-draw.test.ts runs the bench's draw (no test imports the bench:
 * test/layers.test.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** medianWithSpread of each list, or the message it refused the list with. */
function spreads(cases: readonly (readonly number[])[]): unknown[] {
  const script = `
    const { medianWithSpread } = require('./bench/lib/rounds.ts');
    const cases = ${JSON.stringify(cases).replace(/null/g, 'NaN')};
    console.log(JSON.stringify(cases.map((c) => { try { return medianWithSpread(c); } catch (e) { return { refused: e.message }; } })));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 60_000 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

it('takes the middle round of an odd count whatever the order, the mean of the middle two of an even count, and the lowest and highest', () => {
  expect(spreads([[1.8, 1.37, 2.0, 1.42, 1.55], [4, 1, 3, 2], [1.8]])).toEqual([
    { median: 1.55, min: 1.37, max: 2.0, rounds: 5 },
    { median: 2.5, min: 1, max: 4, rounds: 4 },
    { median: 1.8, min: 1.8, max: 1.8, rounds: 1 },
  ]);
});

it('refuses no rounds and a round that is not a number', () => {
  // JSON has no NaN: null stands for it in the cases and is written back as NaN in the script.
  expect(spreads([[], [1, Number.NaN]])).toEqual([{ refused: 'medianWithSpread: no rounds' }, { refused: 'medianWithSpread: a round is not a finite number' }]);
});
