/**
 * Runs a region scan from the command line, the same job the `scanStart` mutation starts:
 *
 *   npm run scan -- --region 370811 [--url mysql://user@host:3306/aidhub] [--as-of 2026-03-15] [--chunk 5000]
 *
 * The URL defaults to DATABASE_URL, or else the private server a running `npm start` uses; department sources follow db/config.ts (SOURCE_*_URL, or
 * `<hub database>_<department>` on the same server). The rule set is rules/default.json with the
 * file AIDHUB_RULES_FILE names on top; an invalid one stops the scan before it starts. Progress
 * and totals are printed; nothing personal (names, ID numbers) ever is. Exit code 0 when the scan
 * succeeded, 1 when it failed or could not start, 2 for bad arguments or rules.
 */
import { parseArgs } from 'node:util';
import { resolveHubUrl } from '../access/hub-url';
import pino from 'pino';
import { createPool, hubDrizzle } from '../db/connect';
import { scanJobs } from '../resolvers/findings/scan';
import { provisionHub } from '../db/setup/provision';
import { isIsoDate, todayIso } from '../domain/dates';
import { isDivisionCode } from '../domain/division-code';
import { scrub } from '../domain/privacy';
import { RuleSetError } from '../domain/findings/rule-set';
import { closeSources, openSources } from '../federation/sources';
import { activeRuleSet } from '../rules/load';
import { loadConfig, redactUrl } from '../db/config';

const USAGE = 'usage: npm run scan -- --region DIVISION_CODE [--url mysql://user@host:port/aidhub] [--as-of YYYY-MM-DD] [--chunk HOUSEHOLDS]';

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      region: { type: 'string' },
      url: { type: 'string' },
      'as-of': { type: 'string' },
      chunk: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const region = values.region ?? '';
  if (!isDivisionCode(region)) throw new UsageError(`--region must be a division code of 6, 9 or 12 digits\n${USAGE}`);
  let hubUrl = values.url;
  if (!hubUrl) {
    // DATABASE_URL, or the private server a running `npm start` wrote down (.data/hub-url), as `npm run clients` finds it.
    try {
      hubUrl = resolveHubUrl();
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\nOr pass --url.\n${USAGE}`);
    }
  }
  const asOf = values['as-of'] ?? todayIso();
  if (!isIsoDate(asOf)) throw new UsageError('--as-of must be a date, YYYY-MM-DD');
  const chunk = values.chunk === undefined ? undefined : Number(values.chunk);
  if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1)) throw new UsageError('--chunk must be a positive integer');
  const ruleSet = activeRuleSet();

  await provisionHub(hubUrl);
  const config = loadConfig(hubUrl);
  const pool = createPool(hubUrl);
  const sources = openSources(config.sources);
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  try {
    console.log(`Scanning ${region} as of ${asOf} with rule set "${ruleSet.name}" (${ruleSet.digest}) in ${redactUrl(hubUrl)} …`);
    const started = Date.now();
    let lastReport = 0;
    const result = await scanJobs.start({ hub: hubDrizzle(pool), sources, ruleSet, today: asOf, logger }, region, 'cli', null, {
      chunkHouseholds: chunk,
      onProgress: (c) => {
        const now = Date.now();
        if (now - lastReport < 2000 && c.householdsDone < c.householdsTotal) return;
        lastReport = now;
        console.log(`  ${c.householdsDone}/${c.householdsTotal} households, ${c.findingsCount} findings (${((now - started) / 1000).toFixed(1)} s)`);
      },
    });
    if (!result.ok) {
      console.error(`A scan of an overlapping division is running (scan ${result.scanId}); try again when it has finished.`);
      return 1;
    }
    try {
      const c = await result.done;
      console.log(
        `Scan ${result.scanId} succeeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.householdsDone} households, ${c.findingsCount} findings ` +
          `(${c.newCount} new, ${c.reopenedCount} reopened, ${c.stillSettledCount} dismissed or resolved and left so).`,
      );
      return 0;
    } catch {
      console.error(`Scan ${result.scanId} failed; its failure is recorded on the scan (query scan(id: "${result.scanId}") { failure }).`);
      return 1;
    }
  } finally {
    await closeSources(sources);
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof RuleSetError) {
      console.error(err.message);
      process.exit(2);
    }
    // A driver's message can quote the values of a statement: masked like every log line.
    console.error(`scan failed: ${scrub(String((err as Error)?.message ?? err))}`);
    process.exit(1);
  },
);
