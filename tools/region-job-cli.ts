/**
 * The shell of the command-line tools that run a job over a division (`npm run scan`,
 * `npm run monitor:monthly`): their common arguments, finding and opening the hub and the
 * department sources, printing progress at most every two seconds, the fence against a later
 * release (the hub's judgement of the migration journals, access/release-watch.ts, read every 5 s
 * while the job runs), and the exit codes (0 done, 1 failed, 2 bad arguments or rule files, or a
 * hub database a later release migrated, at the start or while the job ran), a failure's message
 * masked like every log line.
 */
import pino, { type Logger } from 'pino';
import { resolveHubUrl } from '../access/hub-url';
import { ReleaseWatch } from '../access/release-watch';
import { ConfigError, configErrorLine, databaseOf, HUB_TIMEOUT_MS_DEFAULT, loadConfig, logLevelFromEnv, redactUrl, type HubConfig } from '../db/config';
import { createPool, hubDrizzle, type HubDb } from '../db/connect';
import { databaseExists, provisionHub } from '../db/setup/provision';
import { isDatabaseOfOtherRelease, type DatabaseOfLaterRelease } from '../db/setup/migrator';
import { DIVISION_CODE_EXPECTED, givenDivisionCode } from '../domain/division-code';
import { scrub } from '../domain/privacy';
import { closeSources, openSources, type Sources } from '../federation/sources';
import { databaseUrlRefusal, exitWhenWritten, isParseArgsError, printUsageError, quietWhenReaderLeaves, UsageError } from './command-args';

// Bad arguments: printed `error: CODE: …` with the usage, exit code 2; the one class every tool throws for them.
export { UsageError };

/**
 * `--region`: a division code, read as the API reads one (givenDivisionCode: ` 370811` pasted with a
 * space is 370811), refused with the API's code, MALFORMED_DIVISION_CODE (the value not repeated, as
 * the API does not: an ID number pasted in the wrong place), or ARGUMENT_REQUIRED when not given.
 */
export function regionArg(value: string | undefined): string {
  if (value === undefined) throw new UsageError('ARGUMENT_REQUIRED: --region is required: the division code to run over');
  const region = givenDivisionCode(value);
  if (region === null) throw new UsageError(`MALFORMED_DIVISION_CODE: --region ${DIVISION_CODE_EXPECTED}`);
  return region;
}

export interface JobHub {
  hub: HubDb;
  sources: Sources;
  logger: Logger;
  /** The hub's URL without its password, for messages. */
  shownUrl: string;
  /** The configuration a hub on this database would run with (db/config.ts): the job's settings. */
  config: HubConfig;
  /**
   * Aborted, its reason the DatabaseOfLaterRelease, once the hub database is found migrated by a
   * later release while the job runs: the job is to stop at its next chunk or page, writing nothing
   * more, and the tool to exit LATER_RELEASE_EXIT. The line saying so is printed by then
   * (laterReleaseLine, on stderr).
   */
  laterRelease: AbortSignal;
}

/**
 * The exit code of a hub database a later release migrated: refused at the start (provisionHub, as
 * `npm start` refuses it) or found while the job ran. The start's 2, in the same meaning: this
 * release is not to run on that database; not 1, a job that failed and is to be run again.
 */
export const LATER_RELEASE_EXIT = 2;

/**
 * The one line a tool prints when its job finds the hub database migrated by a later release: why
 * (the journal and the migration's date, as the start's refusal names them), what the job does
 * (`stops`: at its next chunk, what it stored kept), and what the operator is to do.
 */
export function laterReleaseLine(later: DatabaseOfLaterRelease, job: string, stops: string): string {
  return configErrorLine({
    code: later.code,
    message:
      `the database '${later.database}' was migrated by a later release of AidHub while this ${job} ran (its journal ${later.journal} records a migration made ` +
      `${new Date(later.latestUnknown).toISOString()} that this release does not have): ${stops}, and this release writes nothing more to it; ` +
      'run it with the later release, and stop every process of this one (docs/operations.md "Upgrading", step 2)',
  });
}

/**
 * Runs `job` over the hub `--url` names, or else DATABASE_URL or the private server a running
 * `npm start` wrote down (.data/hub-url), provisioned, with its department sources; closes both after.
 */
export async function withJobHub<T>(url: string | undefined, job: (h: JobHub) => Promise<T>): Promise<T> {
  let hubUrl = url;
  if (!hubUrl) {
    try {
      hubUrl = resolveHubUrl();
    } catch (err) {
      throw new UsageError(`DATABASE_REQUIRED: ${(err as Error).message} Or pass --url.`);
    }
  }
  // Before loadConfig, whose refusal of it names no option and no code.
  const malformed = databaseUrlRefusal(hubUrl, url ? '--url' : process.env.DATABASE_URL ? 'DATABASE_URL' : 'the hub URL');
  if (malformed) throw malformed;
  // Checked before anything is provisioned, as `npm start` checks them (ConfigError: exit 2).
  const config = loadConfig(hubUrl);
  const logLevel = logLevelFromEnv(process.env, 'warn');
  // A job runs over a hub's data: a URL naming no database (a typo, aidhbu) made an empty hub
  // database of that name, which the job then found no division in ("the hub knows no division
  // 370811"), sending the operator after the wrong argument and leaving the database behind.
  if (!(await databaseExists(hubUrl))) {
    throw new UsageError(`NO_DATABASE: ${url ? '--url' : 'the hub URL'}: the server at ${new URL(hubUrl).host} holds no database ${databaseOf(hubUrl)}; give a hub's database (npm start's: --url "$(cat .data/hub-url)")`);
  }
  await provisionHub(hubUrl);
  const pool = createPool(hubUrl);
  const sources = openSources(config.sources);
  const hub = hubDrizzle(pool);
  const logger = pino({ level: logLevel });
  // A later release's start migrating the database while the job runs (an upgrade that forgot this
  // process): judged as the hub judges it, read every RELEASE_CHECK_TTL_MS on the job's pool.
  const watch = new ReleaseWatch(hub, databaseOf(hubUrl), logger, config.hubTimeoutMs ?? HUB_TIMEOUT_MS_DEFAULT);
  const fence = new AbortController();
  watch.onChange = (later) => {
    if (later && !fence.signal.aborted) fence.abort(later);
  };
  watch.start();
  try {
    return await job({ hub, sources, logger, shownUrl: redactUrl(hubUrl), config, laterRelease: fence.signal });
  } finally {
    watch.stop();
    await closeSources(sources);
    await pool.end();
  }
}

/** Seconds since `started`, one decimal. */
export function secondsSince(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}

/** Prints a progress line at most every two seconds, and always the last one (`final`). */
export function progressPrinter(): (line: (elapsed: string) => string, final?: boolean) => void {
  const started = Date.now();
  let last = 0;
  return (line, final = false) => {
    const now = Date.now();
    if (now - last < 2000 && !final) return;
    last = now;
    console.log(`  ${line(secondsSince(started))}`);
  };
}

/**
 * Runs `main` and exits with its code; usage and rule-file errors (`usageErrors`) exit 2, any other
 * 1. An argument parseArgs refuses (a misspelt `--regoin`, a stray word) and a UsageError of the
 * job's own checks are printed as every tool prints them (printUsageError: `error: CODE: …` and
 * `usage`); a parseArgs refusal used to exit 1 as "scan failed: Unknown option", like a failed scan,
 * and the job's own had no code. A configuration or rule-file error (the environment's, not an
 * argument) is `error: CODE: …` without the usage, as `npm start` prints it (configErrorLine).
 */
export function runJobCli(name: string, main: () => Promise<number>, usageErrors: readonly (abstract new (...args: never[]) => Error)[], usage: string): void {
  quietWhenReaderLeaves();
  main().then(
    exitWhenWritten,
    (err: unknown) => {
      if (isParseArgsError(err) || err instanceof UsageError) {
        printUsageError(err as Error, usage);
        return exitWhenWritten(2);
      }
      if (err instanceof ConfigError || isDatabaseOfOtherRelease(err) || usageErrors.some((E) => err instanceof E)) {
        // Its code is the error's (ConfigError, RuleSetError, TriggerSetError, a database a later
        // release migrated, which provisionHub refuses), printed as npm start prints it.
        const code = (err as { code?: unknown }).code;
        console.error(typeof code === 'string' ? configErrorLine(err as Error & { code: string }) : (err as Error).message);
        return exitWhenWritten(2);
      }
      // A driver's message can quote the values of a statement: masked like every log line.
      console.error(`${name} failed: ${scrub(String((err as Error)?.message ?? err))}`);
      exitWhenWritten(1);
    },
  );
}
