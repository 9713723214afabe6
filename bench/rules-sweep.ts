/**
 * `npx tsx bench/rules-sweep.ts [--spells N]`
 *
 * The X1 overlap sweep over one person with N non-overlapping 低保 and N 特困 spells: the sweep
 * keeps at most one period open, so the time grows with N, not N². This was a unit test's
 * "under 500 ms" once; a timing is not an outcome, so it lives here.
 */
import { performance } from 'node:perf_hooks';
import { evaluateHousehold } from '../domain/findings/evaluate';
import { aid, DEFAULT_RULES, household, person, TODAY } from '../test/rules/facts';
import { machineLoad } from './lib/load';
import { parseCommandLine } from '../tools/command-args';

// Read by the tools' parser, as the other benches' options: it looked for the exact word `--spells`,
// so `--spells=N` (and a misspelt option) ran 2000 spells without a word.
const spells = Number(parseCommandLine('usage: npx tsx bench/rules-sweep.ts [--spells N]', { spells: { type: 'string', default: '2000' } }).spells);
const p = person('1950-05-05', 11);
const mm = (n: number) => String(n).padStart(2, '0');
const records = [];
for (let i = 0; i < spells; i++) {
  const y = 1900 + Math.floor(i / 6);
  const m = (i % 6) * 2 + 1;
  records.push(aid('DIBAO', p, { start: `${y}-${mm(m)}-01`, end: `${y}-${mm(m)}-28` }), aid('TEKUN', p, { start: `${y}-${mm(m + 1)}-01`, end: `${y}-${mm(m + 1)}-28` }));
}
const facts = household([p], records);
const rules = DEFAULT_RULES.filter((r) => r.id === 'X1');
const runs: number[] = [];
for (let k = 0; k < 21; k++) {
  const t = performance.now();
  const found = evaluateHousehold(facts, rules, TODAY);
  runs.push(performance.now() - t);
  if (found.length !== 0) throw new Error('the bench data should hold no overlap');
}
runs.sort((a, b) => a - b);
console.log(`X1 sweep over ${spells * 2} spells: median ${runs[10].toFixed(1)} ms, max ${runs[runs.length - 1].toFixed(1)} ms (21 runs); ${machineLoad()}`);
