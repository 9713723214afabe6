/**
 * `npm run bench:monthly -- [--households N] [--region CODE] [--page N] [--seed S] [--modes reference,fast] [--data-dir DIR] [--keep]`
 *
 * The monthly comparison (一月一比对) throughput: generates N demo households into a throwaway
 * private MariaDB under /tmp, then, for each mode, empties the alert tables and runs the comparison
 * over the division twice through the same code the poller and `monitoringMonthlyRun` run: a first
 * run (every alert new, with its outbox rows) and a re-run (every condition already an alert:
 * nothing written). Modes: `reference` asks every department about everyone, a page at a time with
 * nothing read ahead (how the comparison ran before); `fast` asks each department only about the
 * people it holds anything about, with pages read ahead. Prints households per second, alerts,
 * peak RSS, each mode's ratio to the first, the projection for 1,000,000 households against the
 * issue's target of 2 minutes, and the machine's load average. Timings only: it asserts nothing
 * (test/monitoring/monthly.test.ts proves both modes open the same alerts).
 */
import { createPool, hubDrizzle } from '../db/connect';
import { closeSources, openSources } from '../federation/sources';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { SourceConfig } from '../db/config';
import { loadRuleSet } from '../rules/load';
import { loadTriggerSet } from '../rules/triggers-load';
import { runMonthlyComparison } from '../resolvers/monitoring/monthly';
import { monitoringAlert, monitoringAlertEvent } from '../db/monitoring/schema';
import { alertDelivery } from '../db/alert-delivery/schema';
import { benchData, log, positiveInt } from './findings-setup';
import { loadAverage } from './lib/load';
import { parseCommandLine } from '../tools/command-args';
import { userPath } from '../domain/user-path';

const REFERENCE_DATE = '2026-03-15';

const USAGE = 'usage: npm run bench:monthly -- [--households N] [--region CODE] [--page N] [--seed S] [--modes reference,fast] [--data-dir DIR] [--keep]';

async function main(): Promise<void> {
  const args = parseCommandLine(USAGE, { households: { type: 'string', default: '100000' }, region: { type: 'string', default: '370800' }, page: { type: 'string', default: '2000' }, modes: { type: 'string', default: 'reference,fast' }, seed: { type: 'string', default: '1' }, 'data-dir': { type: 'string' }, keep: { type: 'boolean' } });
  const households = positiveInt(args.households, 'households');
  const region = args.region;
  const page = positiveInt(args.page, 'page');
  const modes = args.modes.split(',');
  if (modes.some((m) => m !== 'reference' && m !== 'fast')) throw new Error(`--modes takes reference and/or fast, got ${JSON.stringify(modes.join(','))}`);
  const seed = positiveInt(args.seed, 'seed');
  const dataDir = args['data-dir'] === undefined ? undefined : userPath(args['data-dir']);
  log(`bench:monitoring-monthly — ${households} generated households, comparing ${region}, pages of ${page}, as of ${REFERENCE_DATE}`);
  const data = await benchData({ households, seed, referenceDate: REFERENCE_DATE, dataDir, keep: args.keep === true });
  const pool = createPool(data.hubUrl, { connectionLimit: 12 });
  const configs = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { url: data.sourceUrls[c], timeoutMs: 600_000 }])) as Record<DepartmentCode, SourceConfig>;
  const sources = openSources(configs);
  const deps = { hub: hubDrizzle(pool), sources, triggerSet: loadTriggerSet(), ruleSet: loadRuleSet(), now: () => new Date(`${REFERENCE_DATE}T02:00:00Z`) };
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    log(`data: loaded in ${data.loadSeconds.toFixed(1)} s`);
    // Each label's rate in the first mode: the ratios compare like with like. The first mode's first
    // run also warms the freshly started server's caches, so its re-run is the fairer baseline.
    const baseline = new Map<string, number>();
    for (const mode of modes) {
      const hub = deps.hub;
      await hub.delete(alertDelivery);
      await hub.delete(monitoringAlertEvent);
      await hub.delete(monitoringAlert);
      for (const label of ['first run', 're-run']) {
        peakRss = 0;
        const started = performance.now();
        const out = await runMonthlyComparison(deps, region, { pageHouseholds: page, knownPeople: mode === 'fast', lookahead: mode === 'fast' ? 2 : 1 });
        const seconds = (performance.now() - started) / 1000;
        const rate = out.households / seconds;
        if (!baseline.has(label)) baseline.set(label, rate);
        const ratio = `; ×${(rate / baseline.get(label)!).toFixed(2)} the ${modes[0]} ${label}`;
        const projected = 1_000_000 / rate;
        log(
          `${mode.padEnd(9)} ${label.padEnd(9)}: ${out.households} households in ${seconds.toFixed(2)} s — ${Math.round(rate)} households/s; ${out.changed} alerts opened or raised; ` +
            `peak RSS ${Math.round(peakRss / 2 ** 20)} MiB${ratio}; 1,000,000 households projected ${projected.toFixed(0)} s (target 120 s: ${projected <= 120 ? 'met' : 'missed'}); load average ${loadAverage()}`,
        );
      }
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
