/**
 * The import's arguments (tools/import.ts), read and checked before anything is read or opened:
 * every mistake a UsageError `CODE: …` (printed with the usage, exit 2), or parseArgs' own refusal.
 * Apart from the tool, which loads as soon as it is run, so that test/cli-error-codes.test.ts checks
 * each refusal in-process and spawns the tool only for how it prints one (as demo:generate's).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { userPath } from '../../domain/user-path';
import { databaseUrlRefusal, UsageError } from '../command-args';

export const USAGE = 'usage: npx tsx tools/import.ts --dir <folder> [--url mysql://...] [--check]\n       npx tsx tools/import.ts --docs [--write]';

/** What the arguments ask for: the usage, the column reference (printed, or written), a check of a folder, or its load. */
export type ImportCommand = { kind: 'help' } | { kind: 'docs'; write: boolean } | { kind: 'check'; dir: string } | { kind: 'load'; dir: string; url: string };

/** Why `--dir` names no folder to read, as a usage error (`error: CODE: …`), or null. */
function dirUsageError(given: string | undefined, env: NodeJS.ProcessEnv): UsageError | null {
  if (!given) return new UsageError('ARGUMENT_REQUIRED: --dir is required: the folder of <table>.csv files');
  const stat = fs.statSync(userPath(given, env), { throwIfNoEntry: false });
  return stat?.isDirectory() ? null : new UsageError(`NO_FOLDER: --dir: no such folder: ${given}`);
}

export function importCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): ImportCommand {
  const args = parseArgs({
    args: argv,
    options: { dir: { type: 'string' }, url: { type: 'string' }, check: { type: 'boolean' }, docs: { type: 'boolean' }, write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }).values;
  if (args.help) return { kind: 'help' };
  if (args.write && !args.docs) throw new UsageError('WRITE_WITHOUT_DOCS: --write goes with --docs');
  // Each of these was read by nobody: `--docs` prints the column reference and loads nothing, and
  // `--check` touches no database, so the folder or the URL given beside them was ignored in silence.
  const ignored = args.docs ? (['dir', 'url', 'check'] as const).find((o) => args[o] !== undefined) : args.check && args.url !== undefined ? 'url' : undefined;
  if (ignored) throw new UsageError(`CONFLICTING_OPTIONS: --${ignored} does not go with --${args.docs ? 'docs' : 'check'}, which ${args.docs ? 'loads nothing' : 'touches no database'}`);
  if (args.docs) return { kind: 'docs', write: args.write === true };
  // A folder not given, or not there, is the caller's mistake as a misspelt option is: it was a
  // problem of the load (NO_FOLDER), exit 1, as if a file in it were wrong.
  const dirRefused = dirUsageError(args.dir, env);
  if (dirRefused) throw dirRefused;
  const dir = userPath(args.dir!, env);
  if (args.check) return { kind: 'check', dir };
  const url = args.url ?? env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_REQUIRED: no database: give --url or set DATABASE_URL');
  // Taken as far as connecting, it was refused there as a failed load (exit 3).
  const wrong = databaseUrlRefusal(url, args.url !== undefined ? '--url' : 'DATABASE_URL');
  if (wrong) throw wrong;
  return { kind: 'load', dir, url };
}
