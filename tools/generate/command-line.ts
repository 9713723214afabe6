/**
 * `npm run demo:generate`'s arguments, read and checked before anything is opened (tools/generate.ts
 * runs what they ask): every mistake a UsageError `CODE: …` (printed with the usage, exit 2), or
 * parseArgs' own refusal. Apart from the tool, so that test/cli-error-codes.test.ts checks each
 * refusal in-process and spawns the tool only for how it prints one.
 */
import { parseArgs } from 'node:util';
import { todayIso } from '../../domain/dates';
import type { DepartmentCode } from '../../domain/departments';
import { databaseUrlRefusal, dateArg, positiveIntArg, UsageError } from '../command-args';
import { demoDepartment } from './department';
import { DEFAULT_CHUNK_HOUSEHOLDS, type ExistingData } from './index';

export const USAGE =
  'usage: npx tsx tools/generate.ts --households N [--seed S] [--url mysql://user@host:port/aidhub] ' +
  '[--reference-date YYYY-MM-DD] [--append | --truncate] [--chunk HOUSEHOLDS] [--plant [--manifest FILE]]\n' +
  '       npx tsx tools/generate.ts --department CODE [--seed S] [--reference-date YYYY-MM-DD] [--url mysql://user@host:port/aidhub] [--chunk HOUSEHOLDS]';

/** What the arguments ask for: the usage, a whole demo, or one department's rows for the demo there. */
export type DemoCommand =
  | { kind: 'help' }
  | { kind: 'demo'; hubUrl: string; households: number; seed: string; referenceDate: string; existing: ExistingData; chunkHouseholds: number; plant: boolean; manifest: string | undefined }
  | { kind: 'department'; hubUrl: string; department: DepartmentCode; seed: string; referenceDate: string | undefined; chunkHouseholds: number };

export function demoCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): DemoCommand {
  const { values } = parseArgs({
    args: argv,
    options: {
      households: { type: 'string', short: 'n' },
      seed: { type: 'string', default: '42' },
      url: { type: 'string' },
      'reference-date': { type: 'string' },
      append: { type: 'boolean', default: false },
      truncate: { type: 'boolean', default: false },
      chunk: { type: 'string' },
      // Known duplicate-aid and missed-aid cases and near misses (tools/generate/plant.ts), with a manifest.
      plant: { type: 'boolean', default: false },
      manifest: { type: 'string' },
      // One department's rows for the households already in the demo (tools/generate/department.ts).
      department: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { kind: 'help' };
  // The options among themselves first: a command line wrong in itself is told so before a database is asked for.
  if (values.department !== undefined) {
    const clash = (['households', 'append', 'truncate', 'plant', 'manifest'] as const).find((o) => values[o] !== undefined && values[o] !== false);
    if (clash) throw new UsageError(`CONFLICTING_OPTIONS: --department adds one department to the households already in the demo: --${clash} does not go with it`);
  }
  const department = values.department === undefined ? undefined : demoDepartment(values.department);
  // Only a planted demo writes a manifest: without --plant the file was never written, and nothing said so.
  if (values.manifest !== undefined && !values.plant) throw new UsageError('MANIFEST_WITHOUT_PLANT: --manifest names the file of the planted cases: it goes with --plant');
  if (values.append && values.truncate) throw new UsageError('CONFLICTING_OPTIONS: --append and --truncate exclude each other');
  const households = positiveIntArg(values.households, 'households') ?? 1000;
  const chunkHouseholds = positiveIntArg(values.chunk, 'chunk') ?? DEFAULT_CHUNK_HOUSEHOLDS;
  // Ages, periods and grant dates are counted back from it: 2026-02-30 is no day to count from.
  const givenDate = dateArg(values['reference-date'], 'reference-date');
  const hubUrl = values.url ?? env.DATABASE_URL;
  if (!hubUrl) throw new UsageError('DATABASE_REQUIRED: no database: pass --url or set DATABASE_URL');
  const malformed = databaseUrlRefusal(hubUrl, values.url !== undefined ? '--url' : 'DATABASE_URL');
  if (malformed) throw malformed;
  if (department !== undefined) {
    return { kind: 'department', hubUrl, department, seed: values.seed, referenceDate: givenDate, chunkHouseholds };
  }
  return {
    kind: 'demo',
    hubUrl,
    households,
    seed: values.seed,
    referenceDate: givenDate ?? todayIso(),
    existing: values.append ? 'append' : values.truncate ? 'truncate' : 'refuse',
    chunkHouseholds,
    plant: values.plant,
    manifest: values.manifest,
  };
}
