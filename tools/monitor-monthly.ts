/**
 * Runs the monthly comparison (一月一比对) of a division from the command line, the same run the
 * `monthlyComparisonRun` mutation starts and the hub's own monthly tick makes:
 *
 *   npm run monitor:monthly -- --region 370811 [--month 2026-03] [--url mysql://user@host:3306/aidhub] [--page 2000]
 *
 * Idempotent: one run per division and month; asked again once it succeeded it prints that run and
 * starts nothing, and alerts are one per identity besides. Asked while another process runs it (a
 * hub's monthly tick, or this tool run before and killed), it waits for that run, printing its
 * progress: it exits as that run ends (0 once it succeeded), and takes the run over when it failed
 * or its process died (silent for MONTHLY_RUN_STALE_MS), as a hub takes a dead run over. It used to
 * print "is running … Nothing new started" and exit 0, which a script read as the month compared.
 * The URL defaults to DATABASE_URL, or else the private server a running `npm start` uses; the
 * trigger and rule sets and the holiday calendar are the hub's (AIDHUB_TRIGGERS_FILE,
 * AIDHUB_RULES_FILE, AIDHUB_HOLIDAYS_FILE: an alert's verifyBy and decideBy are counted in working
 * days), checked before anything runs: a holiday file that does not check claimed the month's run
 * and failed it as INTERNAL_ERROR, exit 1. Progress and totals are printed; nothing personal ever is. Exit code 0 when the
 * run succeeded or had already, 1 when it failed, 2 for bad arguments (`error: CODE: …` with the
 * usage, the codes monthlyComparisonRun gives for the same: FORMAT, NO_SUCH_MONTH, MONTH_NOT_CURRENT,
 * MALFORMED_DIVISION_CODE, REGION_UNKNOWN), and for a hub database a later release migrated:
 * refused at the start (`error: DATABASE_OF_LATER_RELEASE: …`, as `npm start` refuses it), or found
 * while the comparison runs (read every 5 s, as a running hub reads it): it then ends before its next
 * page's write, with one `error: DATABASE_OF_LATER_RELEASE: …` line, writing nothing more, not even
 * its run's end (the run is taken over as a dead process's once silent, MONTHLY_RUN_STALE_MS).
 */
import { parseArgs } from 'node:util';
import { RuleSetError } from '../domain/findings/rule-set';
import { monthProblem } from '../domain/dates';
import { TriggerSetError } from '../domain/monitoring/triggers';
import { monthlyJobs, monthOf } from '../resolvers/monitoring/monthly';
import type { DatabaseOfLaterRelease } from '../db/setup/migrator';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { HolidayNoticeError } from '../domain/cases/holiday-notices';
import { activeHolidayCalendar } from '../domain/cases/working-days';
import { MONTHLY_RUN_STALE_MS } from '../db/monitoring-monthly/store';
import { positiveIntArg } from './command-args';
import { LATER_RELEASE_EXIT, laterReleaseLine, progressPrinter, regionArg, runJobCli, secondsSince, UsageError, withJobHub } from './region-job-cli';

/** How often a run of another process is looked at again while this one waits for it. */
const WAIT_POLL_MS = 2000;

const USAGE = 'usage: npm run monitor:monthly -- --region DIVISION_CODE [--month YYYY-MM] [--url mysql://user@host:port/aidhub] [--page HOUSEHOLDS]';

/**
 * The comparison's arguments, checked before anything is read (the trigger and rule files, the
 * hub): a mistake is a UsageError (`CODE: …`) or parseArgs' own refusal. Exported so that
 * test/cli-error-codes.test.ts checks each refusal in-process.
 */
export function monthlyCommandLine(argv: string[], now: () => Date): { help: true } | { help: false; region: string; month: string; page: number | undefined; url: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      region: { type: 'string' },
      month: { type: 'string' },
      url: { type: 'string' },
      page: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const region = regionArg(values.region);
  const month = values.month ?? monthOf({ now });
  // The API's reasons for input.month: FORMAT, NO_SUCH_MONTH, MONTH_NOT_CURRENT.
  const problem = monthProblem(month);
  if (problem) throw new UsageError(`${problem.reason}: --month: ${problem.message}`);
  if (month !== monthOf({ now })) throw new UsageError(`MONTH_NOT_CURRENT: --month: only the current month (${monthOf({ now })}) can be run: the comparison judges on today's data`);
  return { help: false, region, month, page: positiveIntArg(values.page, 'page'), url: values.url };
}

async function main(): Promise<number> {
  const now = () => new Date();
  const args = monthlyCommandLine(process.argv.slice(2), now);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const { region, month, page } = args;
  const triggerSet = activeTriggerSet();
  const ruleSet = activeRuleSet();
  // The calendar the alerts' dates are counted in: a file the hub would refuse at start is refused
  // here before the run is claimed (HolidayNoticeError, exit 2), not met by the first page.
  activeHolidayCalendar();

  return withJobHub(args.url, async ({ hub, sources, logger, shownUrl, laterRelease }) => {
    const said = () => console.error(laterReleaseLine(laterRelease.reason as DatabaseOfLaterRelease, 'monthly comparison', `the comparison stops before its next page, keeping the pages it wrote, and leaves its run to be taken over as a stopped process's is (shown FAILED, INTERRUPTED, ${MONTHLY_RUN_STALE_MS / 60_000} minutes after its last page)`));
    if (laterRelease.aborted) {
      said();
      return LATER_RELEASE_EXIT;
    }
    laterRelease.addEventListener('abort', said, { once: true });
    console.log(`Monthly comparison of ${region} for ${month} in ${shownUrl} …`);
    const started = Date.now();
    const progress = progressPrinter();
    const start = () =>
      monthlyJobs.start({ hub, sources, triggerSet, ruleSet, now, logger }, region, month, 'cli', {
        pageHouseholds: page,
        stop: laterRelease,
        onProgress: (p) => progress((s) => `${p.households} households compared, ${p.changed} alerts opened or raised (${s} s)`),
      });
    let out = await start();
    if (!out.ok && out.code === 'REGION_UNKNOWN') throw new UsageError(`REGION_UNKNOWN: --region: the hub knows no division ${region} (no region and no household under it)`);
    if (!out.ok) throw new UsageError(`${out.code}: --month: only the current month can be run`);
    // Another process's run: waited for, and taken over (the next start's claim) once it failed or
    // went silent. Its progress is printed as this process's own would be.
    // A line when its counts move, or once a minute while they do not (a dead run's never do).
    let waiting = false;
    let shown = { done: -1, at: 0 };
    while (out.ok && !out.started && out.run.state === 'RUNNING') {
      const r = out.run;
      if (!waiting) {
        console.log(`The ${month} comparison of ${region} is running in another process (run ${r.id}, started by ${r.startedBy}): waiting for it to end; a run silent for ${MONTHLY_RUN_STALE_MS / 60_000} minutes died with its process and is taken over here.`);
        waiting = true;
      }
      if (r.householdsDone !== shown.done || Date.now() - shown.at >= 60_000) {
        shown = { done: r.householdsDone, at: Date.now() };
        console.log(`  run ${r.id}: ${r.householdsDone}/${r.householdsTotal} households compared, ${r.alertsChanged} alerts opened or raised (${secondsSince(started)} s)`);
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      if (laterRelease.aborted) return LATER_RELEASE_EXIT;
      out = await start();
      if (!out.ok) throw new UsageError(`${out.code}: --month: only the current month can be run`);
    }
    if (!out.started) {
      const r = out.run;
      console.log(`The ${month} comparison of ${region} ${waiting ? 'succeeded in the other process' : 'ran already'} (run ${r.id}, started by ${r.startedBy}): ${r.householdsDone}/${r.householdsTotal} households, ${r.alertsChanged} alerts opened or raised. Nothing new started.`);
      return 0;
    }
    const run = await out.done;
    const seconds = secondsSince(started);
    if (run.state === 'RUNNING' && laterRelease.aborted) {
      console.log(`Run ${run.id} stopped after ${seconds} s, still RUNNING: ${run.householdsDone}/${run.householdsTotal} households compared, ${run.alertsChanged} alerts opened or raised.`);
      return LATER_RELEASE_EXIT;
    }
    if (run.state !== 'SUCCEEDED') {
      console.error(`Run ${run.id} failed after ${seconds} s (${run.failure}): ${run.householdsDone}/${run.householdsTotal} households compared; run it again to finish.`);
      return 1;
    }
    console.log(`Run ${run.id} succeeded in ${seconds} s: ${run.householdsDone} households compared, ${run.alertsChanged} alerts opened or raised.`);
    return 0;
  });
}

if (require.main === module) runJobCli('monthly comparison', main, [RuleSetError, TriggerSetError, HolidayNoticeError], USAGE);
