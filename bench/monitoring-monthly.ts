/**
 * `npx tsx bench/monitoring-monthly.ts -- [--households N] [--region CODE] [--page N] [--seed S] [--data-dir DIR] [--keep]`
 *
 * The monthly comparison (一月一比对) throughput: generates N demo households into a throwaway
 * private MariaDB under /tmp, then runs the comparison over the division twice through the same
 * code the poller runs: a first run (every alert new, with its outbox rows) and a re-run (every
 * condition already an alert: nothing written). Prints households per second, alerts and peak RSS.
 */
import { createPool, hubDrizzle } from '../db/connect';
import { closeSources, openSources } from '../federation/sources';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { SourceConfig } from '../db/config';
import { loadRuleSet } from '../rules/load';
import { loadTriggerSet } from '../rules/triggers-load';
import { runMonthlyComparison } from '../resolvers/monitoring/poller';
import { benchData, log, option, positiveInt } from './findings-setup';

const REFERENCE_DATE = '2026-03-15';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const households = positiveInt(option(argv, 'households', '100000'), 'households');
  const region = option(argv, 'region', '370800');
  const page = positiveInt(option(argv, 'page', '1500'), 'page');
  const seed = positiveInt(option(argv, 'seed', '1'), 'seed');
  const dataDir = argv.includes('--data-dir') ? option(argv, 'data-dir', '') : undefined;
  log(`bench:monitoring-monthly — ${households} generated households, comparing ${region}, pages of ${page}, as of ${REFERENCE_DATE}`);
  const data = await benchData({ households, seed, referenceDate: REFERENCE_DATE, dataDir, keep: argv.includes('--keep') });
  const pool = createPool(data.hubUrl, { connectionLimit: 12 });
  const configs = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { url: data.sourceUrls[c], timeoutMs: 600_000 }])) as Record<DepartmentCode, SourceConfig>;
  const sources = openSources(configs);
  const deps = { hub: hubDrizzle(pool), sources, triggerSet: loadTriggerSet(), ruleSet: loadRuleSet(), now: () => new Date(`${REFERENCE_DATE}T02:00:00Z`) };
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    log(`data: loaded in ${data.loadSeconds.toFixed(1)} s`);
    for (const label of ['first run', 're-run']) {
      const started = performance.now();
      const out = await runMonthlyComparison(deps, region, { pageHouseholds: page });
      const seconds = (performance.now() - started) / 1000;
      log(`${label.padEnd(9)}: ${out.households} households in ${seconds.toFixed(2)} s — ${Math.round(out.households / seconds)} households/s; ${out.changed} alerts opened or raised; peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`);
    }
  } finally {
    clearInterval(sampler);
    await closeSources(sources);
    await pool.end();
    await data.discard();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
