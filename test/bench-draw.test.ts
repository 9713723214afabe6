/**
 * The households `npm run bench` measures (bench/lib/draw.ts) do not depend on `--warmup`: drawn
 * together with the warm-up ones and split after them, another warm-up measured other households,
 * and two runs differing only in `--warmup` were not comparable. Run as a command, as
 * test/bench-options.test.ts runs the bench (no test imports it: test/layers.test.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** drawHouseholds for each [count of eligible ids 1…n, requests, warmup], seeded alike. */
function draws(cases: readonly [number, number, number][]): { measuredIds: number[]; warmupIds: number[] }[] {
  const script = `
    const { drawHouseholds } = require('./bench/lib/draw.ts');
    const { Rng, seedFromText } = require('./federation/demo-random.ts');
    const cases = ${JSON.stringify(cases)};
    console.log(JSON.stringify(cases.map(([n, requests, warmup]) => drawHouseholds(Array.from({ length: n }, (_, i) => i + 1), requests, warmup, new Rng(seedFromText('bench'))))));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 60_000 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}

it('measures the same households whatever the warm-up, and warms with others while there are enough', () => {
  const warmups = [0, 1, 100, 300, 1000];
  const [none, ...others] = draws(warmups.map((w) => [500, 200, w]));
  expect(new Set(none.measuredIds).size).toBe(200);
  others.forEach(({ measuredIds, warmupIds }, i) => {
    const warmup = warmups[i + 1];
    expect({ warmup, measuredIds }).toEqual({ warmup, measuredIds: none.measuredIds });
    expect(warmupIds).toHaveLength(warmup);
    if (warmup <= 300) expect(warmupIds.filter((id) => none.measuredIds.includes(id))).toEqual([]);
  });
  // Fewer households than requests: drawn with repeats, the same whatever the warm-up too.
  const [few, fewWarmed] = draws([[10, 20, 0], [10, 20, 50]]);
  expect(fewWarmed.measuredIds).toEqual(few.measuredIds);
});
