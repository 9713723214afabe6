/**
 * `npm run report`'s arguments (tools/report.ts), read and checked before the file is read or the
 * hub asked: every mistake a UsageError `CODE: …` (printed with the usage, exit 2), or parseArgs'
 * own refusal. Apart from the tool, which runs as soon as it is loaded, so that
 * test/cli-error-codes.test.ts checks each refusal in-process and spawns the tool only for how it
 * prints one (as demo:generate's).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { officerRefusal, parseOfficer } from '../../access/officer';
import { userPath } from '../../domain/user-path';
import { UsageError } from '../command-args';

export const USAGE = 'usage: npm run report -- --file <aid.csv> [--hub http://127.0.0.1:4000] [--token T] [--officer ID]';

/** What the arguments ask for: the usage, or a file sent (`fileGiven` as typed, `file` resolved from where it was typed). */
export type ReportCommand = { kind: 'help' } | { kind: 'send'; file: string; fileGiven: string; hub: string; token: string; officer: string | null };

export function reportCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): ReportCommand {
  const args = parseArgs({ args: argv, options: { file: { type: 'string' }, hub: { type: 'string' }, token: { type: 'string' }, officer: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  if (args.help) return { kind: 'help' };
  const token = args.token ?? env.AIDHUB_TOKEN;
  if (!args.file || !token) throw new UsageError('ARGUMENT_REQUIRED: --file and a token (--token or AIDHUB_TOKEN) are required');
  const hub = args.hub ?? `http://127.0.0.1:${env.PORT ?? 4000}`;
  // "127.0.0.1:4000" without its scheme, or a mistyped file, read as "report: Invalid URL" or a bare ENOENT.
  if (!/^https?:\/\/[^/]/.test(hub) || !URL.canParse(hub)) throw new UsageError(`MALFORMED_URL: --hub must be the hub's http:// or https:// address, e.g. http://127.0.0.1:4000, got ${JSON.stringify(hub)}`);
  // Checked here as the hub checks X-Officer: a file is not read for a value the hub would refuse.
  // The value is not printed: refused, it may be an ID number.
  const officer = parseOfficer(args.officer);
  const refused = officerRefusal(officer, false);
  if (refused) throw new UsageError(`${refused.reason}: --officer: ${refused.message}`);
  // From where the command was typed, not the repository root npm runs it in.
  const file = userPath(args.file, env);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`NO_FILE: --file: no such file: ${args.file}`);
  return { kind: 'send', file, fileGiven: args.file, hub, token, officer: officer as string | null };
}
