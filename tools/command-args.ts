/**
 * The arguments of the command-line tools made of subcommands (`npm run clients`, `npm run
 * subscriptions`): one strict parse with `--help`/`-h`, and the exit codes they share, so a mistake
 * reads the same in every tool: 0 for help; 2, with the usage, for no command, an unknown or
 * malformed option, or a UsageError (printed as `error: …`); what the command returns otherwise.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** An option node:util's parseArgs does not know, a value it lacks, or a stray argument: the caller's mistake. */
export function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Bad arguments: printed with the usage, exit code 2. */
export class UsageError extends Error {}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & typeof HELP }>>;

export interface Subcommand<O extends ParseArgsOptionsConfig> {
  command: string;
  /** The positionals after the command. */
  rest: string[];
  values: Parsed<O>['values'];
}

export interface SubcommandSpec<O extends ParseArgsOptionsConfig> {
  usage: string;
  /** The tool's options; `--help` (`-h`) is added to them. */
  options: O;
  /** Errors of the tool's own that are the caller's mistake, answered like a UsageError. */
  usageErrors?: readonly (abstract new (...args: never[]) => Error)[];
}

/** Parses `argv` and runs the command it names; returns the exit code. Errors other than the caller's are thrown. */
export async function runSubcommand<O extends ParseArgsOptionsConfig>(argv: string[], spec: SubcommandSpec<O>, print: (line: string) => void, run: (args: Subcommand<O>) => Promise<number>): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...spec.options, ...HELP } });
    const [command, ...rest] = positionals;
    const help = (values as { help?: boolean }).help;
    if (help || !command) {
      print(spec.usage);
      return help ? 0 : 2;
    }
    return await run({ command, rest, values: values as Parsed<O>['values'] });
  } catch (err) {
    if (err instanceof UsageError || spec.usageErrors?.some((E) => err instanceof E) || isParseArgsError(err)) {
      print(`error: ${(err as Error).message}`);
      print(spec.usage);
      return 2;
    }
    throw err;
  }
}
