/**
 * The arguments of the command-line tools: one strict parse with `--help`/`-h`, and the exit codes
 * they share, so a mistake reads the same in every tool: 0 for help; 2, with the usage, for an
 * unknown or malformed option, a stray argument, or a UsageError (printed as `error: CODE: …`,
 * the code stable for a script, on stderr: usageErrorLine, printUsageError, Print), with the checks of values more
 * than one tool takes (positiveIntArg, dateArg, databaseUrlRefusal). Tools
 * made of subcommands (`npm run clients`, `npm run subscriptions`) use runSubcommand (also 2 for no
 * command), the others parseCommandLine; test/cli-usage.test.ts runs every npm script with a
 * misspelt option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configErrorLine } from '../domain/error-line';
import { datePiece, isIsoDate, type IsoDate } from '../domain/dates';
import { DATE_RANGE, type DateRange } from '../domain/date-ranges';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** An option node:util's parseArgs does not know, a value it lacks, or a stray argument: the caller's mistake. */
export function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Bad arguments: printed with the usage, exit code 2. Its message starts with its stable code (`ARGUMENT_REQUIRED: …`). */
export class UsageError extends Error {}

/**
 * The stable code of node:util parseArgs' refusal. Its own codes (ERR_PARSE_ARGS_…) are Node's and
 * one of them, INVALID_OPTION_VALUE, says both "a value is missing" (`--client` last, or followed by
 * another option) and "a flag was given one" (`--deliver-open=1`): told apart by its message.
 */
function parseArgsCode(err: Error & { code?: unknown }): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return 'UNKNOWN_OPTION';
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'UNEXPECTED_ARGUMENT';
  return /does not take an argument/.test(err.message) ? 'OPTION_TAKES_NO_VALUE' : 'MISSING_OPTION_VALUE';
}

/** A message that starts with its code: `CODE: …`. */
const CODED_MESSAGE = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/;

/**
 * The line a caller's mistake is printed as, `error: CODE: …`, by configErrorLine, the one
 * formatter of such lines (a tool's refusal reads as `npm start`'s): a parseArgs refusal gets its
 * code (UNKNOWN_OPTION, MISSING_OPTION_VALUE, OPTION_TAKES_NO_VALUE, UNEXPECTED_ARGUMENT); a
 * UsageError (and a ClientSpecError) carries its own at the start of its message, which
 * test/cli-error-codes checks of every one the tools make. One made without would be printed
 * USAGE_ERROR rather than with no code.
 */
export function usageErrorLine(err: Error): string {
  if (isParseArgsError(err)) return configErrorLine({ code: parseArgsCode(err), message: err.message });
  const coded = CODED_MESSAGE.exec(err.message);
  return configErrorLine(coded ? { code: coded[1], message: coded[2] } : { code: 'USAGE_ERROR', message: err.message });
}

/**
 * Where a command's line goes: its answer (what it made, listed, found) to stdout, and a refusal
 * (`error: CODE: …` and the usage, `refused: …`) to stderr (`'stderr'`), before and after the
 * database is opened alike, so `… > out.txt` holds the answer alone and a refusal is seen. A refusal
 * made once the database was open (CLIENT_NOT_FOUND, MALFORMED_EXPIRY) went to stdout, one made
 * before it to stderr. A caller collecting lines may ignore the second argument.
 */
export type Print = (line: string, to?: 'stderr') => void;

/** Print to this process's streams. */
export const printToConsole: Print = (line, to) => (to === 'stderr' ? console.error(line) : console.log(line));

/**
 * The one way a tool refuses its caller's mistake (a UsageError, or parseArgs' own refusal):
 * `error: CODE: …` (usageErrorLine) and the usage, on stderr. The caller exits 2.
 */
export function printUsageError(err: Error, usage: string): void {
  console.error(`${usageErrorLine(err)}\n${usage}`);
}

/**
 * An optional count given to a tool (`--chunk`, `--page`, `--households`): undefined when not
 * given; else a positive integer in decimal digits, or a UsageError: MALFORMED_NUMBER when it is no
 * whole number (`ten`, `1.5`), OUT_OF_RANGE when it is one below 1, as the API's `first: 0` is.
 */
export function positiveIntArg(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`MALFORMED_NUMBER: --${flag} must be a whole number of 1 or more, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < 1) throw new UsageError(`OUT_OF_RANGE: --${flag} must be 1 or more, got ${JSON.stringify(value)}`);
  if (!Number.isSafeInteger(n)) throw new UsageError(`OUT_OF_RANGE: --${flag} must be at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

/**
 * An optional calendar date given to a tool (`--as-of`, `--reference-date`): undefined when not
 * given; else the date, or a UsageError with the API's reasons for a Date argument: MALFORMED_DATE
 * when it is no calendar date written YYYY-MM-DD (`2026-02-30`, `15/03/2026`), OUT_OF_RANGE when it
 * lies outside `range` (by default the hub's, DATE_RANGE; `maxNamed` says what its end is, `today`).
 * Quoted as the API quotes it (datePiece: a date option is where an ID number gets pasted).
 */
export function dateArg(value: string | undefined, flag: string, range: DateRange & { maxNamed?: string } = DATE_RANGE): IsoDate | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw new UsageError(`MALFORMED_DATE: --${flag} must be a calendar date written YYYY-MM-DD, got "${datePiece(value)}"`);
  const max = range.maxNamed ? `${range.maxNamed} (${range.max})` : range.max;
  if (value < range.min || value > range.max) throw new UsageError(`OUT_OF_RANGE: --${flag} must be a day from ${range.min} to ${max}, got ${value}`);
  return value;
}

/**
 * Why `url` cannot name a hub database (`from` names where it came from: `--url`, DATABASE_URL), as
 * a UsageError MALFORMED_URL, or null. Not repeated: it may hold a password.
 */
export function databaseUrlRefusal(url: string, from: string): UsageError | null {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {
    // Refused below.
  }
  const problem = !u ? 'is not a URL' : u.protocol !== 'mysql:' ? 'is not a mysql:// URL' : u.pathname.replace(/^\//, '') === '' ? 'names no database' : null;
  return problem ? new UsageError(`MALFORMED_URL: ${from} ${problem}: give mysql://user:pass@host:3306/<hub database>`) : null;
}

/** A subcommand the tool does not have (the `default` of its switch). */
export function unknownCommand(command: string): UsageError {
  return new UsageError(`UNKNOWN_COMMAND: unknown command ${JSON.stringify(command)}`);
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & typeof HELP }>>;

export interface Subcommand<O extends ParseArgsOptionsConfig> {
  command: string;
  /** The positionals after the command. */
  rest: string[];
  values: Parsed<O>['values'];
}

export interface SubcommandSpec<O extends ParseArgsOptionsConfig, A = Subcommand<O>> {
  usage: string;
  /** The tool's options; `--help` (`-h`) is added to them. */
  options: O;
  /** Errors of the tool's own that are the caller's mistake, answered like a UsageError. */
  usageErrors?: readonly (abstract new (...args: never[]) => Error)[];
  /**
   * What each command takes: its options (of `options`) and at most how many positionals. One of
   * another command's options, or a positional too many, is refused before the command runs
   * (OPTION_NOT_FOR_COMMAND, UNEXPECTED_ARGUMENT): `clients list --name x` listed every client, and
   * `subscriptions revoke 7 8` revoked 7 alone, without a word of the rest.
   */
  commands?: Readonly<Record<string, { options: readonly (keyof O & string)[]; positionals: number }>>;
  /**
   * The command's own values judged, all that need no database (a name or id left out, `--by`, the
   * form of an expiry or a date): throws the UsageError of a mistake, else returns what the command
   * runs with. Run by answerSubcommandLine before a database is looked for and by runSubcommand
   * before the command runs, so each check is written once: judged only once the database was
   * found, `clients revoke` with no name and no hub was answered DATABASE_REQUIRED.
   */
  judge?(sub: Subcommand<O>): A;
}

/** A UsageError for what `command` does not take (SubcommandSpec.commands), or null. */
function notForCommand(command: string, values: Record<string, unknown>, rest: string[], takes: { options: readonly string[]; positionals: number }): UsageError | null {
  const option = Object.keys(values).find((o) => o !== 'help' && values[o] !== undefined && !takes.options.includes(o));
  if (option !== undefined) return new UsageError(`OPTION_NOT_FOR_COMMAND: --${option} does not go with ${command}${takes.options.length ? `, which takes ${takes.options.map((o) => `--${o}`).join(', ')}` : ', which takes no option'}`);
  if (rest.length > takes.positionals) return new UsageError(`UNEXPECTED_ARGUMENT: ${command} takes ${takes.positionals === 0 ? 'no argument' : `${takes.positionals} argument${takes.positionals === 1 ? '' : 's'}`}, got ${rest.length}`);
  return null;
}

/**
 * `argv` judged against `spec` alone, before anything is opened: 'help', or the command it names
 * with its values; a UsageError (or parseArgs' refusal) for no command, a command the tool does not
 * have (when `spec.commands` lists them), what the command does not take, and what the spec's judge
 * refuses of its values (then it is what the judge returns).
 */
export function judgeSubcommand<O extends ParseArgsOptionsConfig, A>(argv: string[], spec: SubcommandSpec<O, A>): 'help' | A {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...spec.options, ...HELP } });
  const [command, ...rest] = positionals;
  if ((values as { help?: boolean }).help) return 'help';
  if (!command) throw new UsageError('ARGUMENT_REQUIRED: no command given');
  if (spec.commands && !Object.hasOwn(spec.commands, command)) throw unknownCommand(command);
  const takes = spec.commands?.[command];
  const refused = takes ? notForCommand(command, values, rest, takes) : null;
  if (refused) throw refused;
  const sub: Subcommand<O> = { command, rest, values: values as Parsed<O>['values'] };
  return spec.judge ? spec.judge(sub) : (sub as A);
}

/** The caller's mistake `err` printed with the usage, exit code 2; any other error is thrown. */
function refuseSubcommand(err: unknown, spec: Pick<SubcommandSpec<ParseArgsOptionsConfig>, 'usage' | 'usageErrors'>, print: Print): number {
  if (err instanceof UsageError || spec.usageErrors?.some((E) => err instanceof E) || isParseArgsError(err)) {
    print(usageErrorLine(err as Error), 'stderr');
    print(spec.usage, 'stderr');
    return 2;
  }
  throw err;
}

/**
 * `argv` of a tool made of subcommands judged before it needs its database (runAgainstHub), as
 * answerCommandLine judges a tool's options: the exit code when it is answered already (0 after
 * the usage on stdout for `--help`; 2 after `error: CODE: …` and the usage on stderr for what
 * judgeSubcommand refuses), else null. `clients list --name x` with no
 * hub to find was answered DATABASE_REQUIRED, and the mistake told only once there was one.
 */
export function answerSubcommandLine<O extends ParseArgsOptionsConfig, A>(argv: string[], spec: SubcommandSpec<O, A>): number | null {
  try {
    if (judgeSubcommand(argv, spec) !== 'help') return null;
    console.log(spec.usage);
    return 0;
  } catch (err) {
    return refuseSubcommand(err, spec, printToConsole);
  }
}

/** Parses `argv` and runs the command it names; returns the exit code. Errors other than the caller's are thrown. */
export async function runSubcommand<O extends ParseArgsOptionsConfig, A = Subcommand<O>>(argv: string[], spec: SubcommandSpec<O, A>, print: Print, run: (args: A) => Promise<number>): Promise<number> {
  try {
    const judged = judgeSubcommand(argv, spec);
    if (judged !== 'help') return await run(judged);
    print(spec.usage);
    return 0;
  } catch (err) {
    return refuseSubcommand(err, spec, print);
  }
}

type ParsedOptions<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: false; strict: true; options: O & typeof HELP }>>['values'];

/**
 * `argv` checked against a tool's options before it does anything (opens a database, reads a
 * file): the exit code when it is answered already (0 after printing the usage for `--help`, 2
 * after printing `error: CODE: …` (usageErrorLine) and the usage for an unknown option, a value missing or given to a
 * flag, or a positional argument where the tool takes none), else null.
 */
export function answerCommandLine(usage: string, options: ParseArgsOptionsConfig, argv: string[], opts: { positionals?: boolean } = {}): number | null {
  let help: boolean | undefined;
  try {
    help = (parseArgs({ args: argv, allowPositionals: opts.positionals ?? false, strict: true, options: { ...options, ...HELP } }).values as { help?: boolean }).help;
  } catch (err) {
    if (!isParseArgsError(err)) throw err;
    printUsageError(err as Error, usage);
    return 2;
  }
  if (!help) return null;
  console.log(usage);
  return 0;
}

/**
 * The options of a command without subcommands or positional arguments (`npm run access:table`,
 * `npm start`, the benches …), from `argv` (default: this process's), answered as
 * answerCommandLine says: `--help` exits 0; an option it does not know (`--wirte` for `--write`)
 * or a stray argument exits 2 with the usage, before the command does anything. A command with no
 * options at all passes `{}`.
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(usage: string, options: O, argv: string[] = process.argv.slice(2)): ParsedOptions<O> {
  const answered = answerCommandLine(usage, options, argv);
  if (answered !== null) process.exit(answered);
  return parseArgs({ args: argv, allowPositionals: false, strict: true, options: { ...options, ...HELP } }).values as ParsedOptions<O>;
}

/**
 * A command-line tool whose reader goes away (`npm run clients -- list | head`) ends quietly: the
 * first write to the closed pipe fails with EPIPE, emitted on process.stdout (or stderr) where no
 * one listened, so Node threw it with its stack after the lines `head` had shown, exit 1. What is
 * left to print is dropped; the command runs to its end and exits with its own code (an import does
 * not stop half-loaded because its reader left). Any other write error is thrown as before. Every
 * CLI calls it first (runAgainstHub, runJobCli, the import, report and access:table).
 */
export function quietWhenReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // The stream is destroyed after EPIPE: a later write fails ERR_STREAM_DESTROYED, dropped too.
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
      throw err;
    });
  }
}

/**
 * Null while `stream` takes what it is given; otherwise a promise that resolves once it has taken
 * its backlog (or has gone: a reader that left, quietWhenReaderLeaves). For a producer that can
 * wait, so that output written faster than a slow reader reads it does not pile up in memory.
 */
export function outputDrained(stream: NodeJS.WriteStream): Promise<void> | null {
  if (!stream.writableNeedDrain || stream.destroyed) return null;
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error'] as const) stream.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error'] as const) stream.on(event, done);
  });
}

/**
 * Exits once everything written to stdout and stderr has left the process. process.exit() drops
 * what a pipe has not taken yet: a reader slower than the writer (a loaded machine, a CI log
 * collector) fills the pipe and the rest waits in the stream's queue, so a long report, such as
 * the import's one line per bad row, lost its end (seen: 187,688 of 300,001 lines, exit code 1).
 * A write's callback runs after the writes before it are flushed.
 */
export function exitWhenWritten(code: number): void {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code));
}
