/**
 * Runs a region scan from the command line, the same job the `scanStart` mutation starts:
 *
 *   npm run scan -- --region 370811 [--url mysql://user@host:3306/aidhub] [--as-of 2026-03-15] [--chunk 5000]
 *
 * --as-of (default today, China time) may be an earlier day, to judge as of it; never a later one.
 *
 * The URL defaults to DATABASE_URL, or else the private server a running `npm start` uses; department sources follow db/config.ts (SOURCE_*_URL, or
 * `<hub database>_<department>` on the same server). The rule set is rules/default.json with the
 * file AIDHUB_RULES_FILE names on top; an invalid one stops the scan before it starts. Progress
 * and totals are printed; nothing personal (names, ID numbers) ever is. Exit code 0 when the scan
 * succeeded, 1 when it failed or could not start, 2 for bad arguments (`error: CODE: …` with the
 * usage: the API's MALFORMED_DIVISION_CODE, REGION_UNKNOWN, MALFORMED_DATE, OUT_OF_RANGE …, README
 * "Region scans") or rules, and for a hub database a later release migrated: refused at the start
 * (`error: DATABASE_OF_LATER_RELEASE: …`, as `npm start` refuses it), or found while the scan runs
 * (read every 5 s, as a running hub reads it): the scan then ends at its next chunk and hands its
 * lease over as a stopping hub's scan does (the later release's hub processes take it over from its
 * last stored chunk), with one `error: DATABASE_OF_LATER_RELEASE: …` line.
 */
import { parseArgs } from 'node:util';
import { ScanHandedOver, scanJobs } from '../resolvers/findings/scan';
import type { DatabaseOfLaterRelease } from '../db/setup/migrator';
import { todayIso } from '../domain/dates';
import { DATE_RANGE } from '../domain/date-ranges';
import { RuleSetError } from '../domain/findings/rule-set';
import { activeRuleSet } from '../rules/load';
import { dateArg, positiveIntArg } from './command-args';
import { LATER_RELEASE_EXIT, laterReleaseLine, progressPrinter, regionArg, runJobCli, secondsSince, UsageError, withJobHub } from './region-job-cli';

const USAGE = 'usage: npm run scan -- --region DIVISION_CODE [--url mysql://user@host:port/aidhub] [--as-of YYYY-MM-DD] [--chunk HOUSEHOLDS]';

/**
 * The scan's arguments, checked before anything is read (the rule files, the hub): a mistake is a
 * UsageError (`CODE: …`) or parseArgs' own refusal. Exported so that test/cli-error-codes.test.ts
 * checks each refusal in-process.
 */
export function scanCommandLine(argv: string[]): { help: true } | { help: false; region: string; asOf: string; chunk: number | undefined; url: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      region: { type: 'string' },
      url: { type: 'string' },
      'as-of': { type: 'string' },
      chunk: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const region = regionArg(values.region);
  // The scan reads the departments' data of today: a later day judges it for a day not yet come
  // (9999-12-31 stored findings as of then); before the hub's Date range is no day of its data.
  const asOf = dateArg(values['as-of'], 'as-of', { min: DATE_RANGE.min, max: todayIso(), maxNamed: 'today' }) ?? todayIso();
  return { help: false, region, asOf, chunk: positiveIntArg(values.chunk, 'chunk'), url: values.url };
}

async function main(): Promise<number> {
  const args = scanCommandLine(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const { region, asOf, chunk } = args;
  const ruleSet = activeRuleSet();

  return withJobHub(args.url, async ({ hub, sources, logger, shownUrl, config, laterRelease }) => {
    // The hub's rule for a process that stops (ScanJobs.stop): the scan ends at its next chunk, its
    // lease handed over at once; a scan not started yet is not started.
    const stopScan = () => {
      console.error(laterReleaseLine(laterRelease.reason as DatabaseOfLaterRelease, 'scan', "the scan stops at its next chunk, keeping the chunks it stored, and hands its lease over for the later release's hub processes to take it over from there"));
      return scanJobs.stop();
    };
    if (laterRelease.aborted) {
      await stopScan();
      return LATER_RELEASE_EXIT;
    }
    laterRelease.addEventListener('abort', () => void stopScan(), { once: true });
    console.log(`Scanning ${region} as of ${asOf} with rule set "${ruleSet.name}" (${ruleSet.digest}) in ${shownUrl} …`);
    const started = Date.now();
    const progress = progressPrinter();
    const result = await scanJobs.start({ hub, sources, ruleSet, today: asOf, logger, leaseMs: config.jobLeaseMs }, region, 'cli', null, {
      chunkHouseholds: chunk,
      onProgress: (c) => progress((s) => `${c.householdsDone}/${c.householdsTotal} households, ${c.findingsCount} findings (${s} s)`, c.householdsDone >= c.householdsTotal),
    });
    if (!result.ok && result.code === 'REGION_UNKNOWN') throw new UsageError(`REGION_UNKNOWN: --region: the hub knows no division ${region} (no region, no household and no person under it)`);
    if (!result.ok) {
      console.error(`A scan of an overlapping division is running (scan ${result.scanId}); try again when it has finished.`);
      return 1;
    }
    // Found while the scan was being started: its listener stopped no scan yet.
    if (laterRelease.aborted) void scanJobs.stop();
    try {
      const c = await result.done;
      console.log(
        `Scan ${result.scanId} succeeded in ${secondsSince(started)} s: ${c.householdsDone} households, ${c.findingsCount} findings ` +
          `(${c.newCount} new, ${c.reopenedCount} reopened, ${c.stillSettledCount} dismissed or resolved and left so).`,
      );
      return 0;
    } catch (err) {
      if (err instanceof ScanHandedOver && laterRelease.aborted) {
        console.log(`Scan ${result.scanId} stopped after ${secondsSince(started)} s, still RUNNING, handed over from its last stored chunk.`);
        return LATER_RELEASE_EXIT;
      }
      console.error(`Scan ${result.scanId} failed; its failure is recorded on the scan (query scan(id: "${result.scanId}") { failure }).`);
      return 1;
    }
  });
}

if (require.main === module) runJobCli('scan', main, [RuleSetError], USAGE);
