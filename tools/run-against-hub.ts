/**
 * The shell of the access command-line tools: find the hub database (resolveHubUrl), open one
 * connection, run the command, report a failure without the password, set the exit code.
 */
import { resolveHubUrl } from '../access/hub-url';
import { accessDrizzle, type AccessDb } from '../db/access/db';
import { createPool } from '../db/connect';
import type mysql from 'mysql2/promise';
import { ConfigError, configErrorLine, redactUrl } from '../db/config';
import { refuseHubOfOtherRelease } from '../db/setup/provision';
import { isDatabaseOfOtherRelease } from '../db/setup/migrator';
import { scrub } from '../domain/privacy';
import type { ParseArgsConfig } from 'node:util';
import { answerCommandLine, answerSubcommandLine, printToConsole, printUsageError, quietWhenReaderLeaves, UsageError, usageErrorLine, type Print, type SubcommandSpec } from './command-args';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * What went wrong, for the operator: the driver's own error (drizzle wraps it as "Failed query:
 * <statement> params: …", which was all these tools printed, hiding that the database refused the
 * connection), masked like every log line; and, when the URL came from the hub-url file, that the
 * hub which wrote it is not running (the file outlives a hub killed with SIGKILL).
 */
export function failureMessage(err: unknown, fromHubUrlFile: boolean): string {
  let cause = err as (Error & { cause?: unknown; code?: unknown }) | undefined;
  while (cause?.cause instanceof Error) cause = cause.cause as Error & { cause?: unknown; code?: unknown };
  const message = scrub(String(cause?.message ?? err));
  const unreachable = cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOENT' || cause?.code === 'EHOSTUNREACH' || cause?.code === 'ETIMEDOUT';
  return unreachable && fromHubUrlFile ? `${message}: the hub database does not answer; is \`npm start\` running (with the same AIDHUB_DATA_DIR)?` : message;
}

/** A command over the hub database: its answer printed to stdout, its refusals to stderr (Print); returns the exit code. */
export type HubCommand<D = AccessDb> = (argv: string[], db: D, print: Print) => Promise<number>;

/** A tool's usage and options, checked before any database is looked for. */
export interface HubCommandArgs<O extends ParseArgsOptionsConfig = ParseArgsOptionsConfig> {
  usage: string;
  options: ParseArgsOptionsConfig;
  /** Whether it takes positional arguments (a subcommand, a name). */
  positionals: boolean;
  /**
   * A tool made of subcommands: what each takes (SubcommandSpec.commands) and its judge of their
   * values. The command, what it does not take and every value that needs no database are judged
   * before the database is looked for, as the options are.
   */
  subcommands?: SubcommandSpec<O, unknown>;
  /**
   * The tool's own checks of its arguments that need no database, run before one is looked for:
   * throws the UsageError of a mistake (printed with the usage, exit 2), or prints a refusal of its
   * own (audit:verify's, without the usage) and returns its exit code.
   */
  judge?: (argv: string[]) => number | undefined | void;
  /**
   * The exit code of a failure (the database did not answer, a statement failed); 1 by default. A
   * tool whose 1 means something else gives its own: audit:verify's 1 says the chain is broken.
   */
  failedExit?: number;
  /**
   * A tool that only reads (audit:verify, audit:export): runs on a database a later release migrated,
   * whose rows are there to read (a restore drill verifies such a chain); one that writes is refused
   * it, as `npm start` is (db/setup/provision.ts refuseHubOfOtherRelease). A database this release
   * has not migrated yet is refused to both.
   */
  laterRelease?: 'allowed';
}

/** Runs `command` over the hub database opened by `open` (default: the access tables' drizzle). */
export async function runAgainstHub<D = AccessDb, O extends ParseArgsOptionsConfig = ParseArgsOptionsConfig>(name: string, command: HubCommand<D>, args: HubCommandArgs<O>, open: (pool: mysql.Pool) => D = accessDrizzle as unknown as (pool: mysql.Pool) => D): Promise<void> {
  quietWhenReaderLeaves();
  // Help and a misspelt option need no database: answered before looking for one (with no hub
  // running, `--wirte` was answered "No hub database", without the usage; so were an unknown
  // command and `clients list --name x`, an option the command does not take).
  const argv = process.argv.slice(2);
  const answered = args.subcommands ? answerSubcommandLine(argv, args.subcommands) : answerCommandLine(args.usage, args.options, argv, { positionals: args.positionals });
  if (answered !== null) {
    process.exitCode = answered;
    return;
  }
  let refusedWith: number | undefined | void;
  try {
    refusedWith = args.judge?.(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printUsageError(err, args.usage);
    refusedWith = 2;
  }
  if (typeof refusedWith === 'number') {
    process.exitCode = refusedWith;
    return;
  }
  let url: string;
  try {
    url = resolveHubUrl();
  } catch (err) {
    // The code the region-job tools give the same refusal (tools/region-job-cli.ts).
    console.error(usageErrorLine(new UsageError(`DATABASE_REQUIRED: ${(err as Error).message}`)));
    process.exit(2);
  }
  const pool = createPool(url, { connectionLimit: 1 });
  try {
    await refuseHubOfOtherRelease(url, { later: args.laterRelease ?? 'refused' });
    process.exitCode = await command(argv, open(pool), printToConsole);
  } catch (err) {
    // A variable the command reads (AIDHUB_CALLBACK_HOSTS) refused as npm start refuses it: it was
    // a failure of the database's, exit 1, and no code. A database of another release, as npm start
    // refuses a later one's.
    if (err instanceof ConfigError || isDatabaseOfOtherRelease(err)) {
      console.error(configErrorLine(err));
      process.exitCode = 2;
      return;
    }
    console.error(`${name}: ${failureMessage(err, !process.env.DATABASE_URL)} (database ${redactUrl(url)})`);
    process.exitCode = args.failedExit ?? 1;
  } finally {
    await pool.end();
  }
}
