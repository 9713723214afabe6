/**
 * The shell of the command-line tools that run a job over a division (`npm run scan`,
 * `npm run monitor:monthly`): their common arguments, finding and opening the hub and the
 * department sources, printing progress at most every two seconds, and the exit codes (0 done,
 * 1 failed, 2 bad arguments or rule files), a failure's message masked like every log line.
 */
import pino, { type Logger } from 'pino';
import { resolveHubUrl } from '../access/hub-url';
import { ConfigError, configErrorLine, databaseOf, loadConfig, logLevelFromEnv, redactUrl, type HubConfig } from '../db/config';
import { createPool, hubDrizzle, type HubDb } from '../db/connect';
import { databaseExists, provisionHub } from '../db/setup/provision';
import { isDatabaseOfOtherRelease } from '../db/setup/migrator';
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
  try {
    return await job({ hub: hubDrizzle(pool), sources, logger: pino({ level: logLevel }), shownUrl: redactUrl(hubUrl), config });
  } finally {
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
