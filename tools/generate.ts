/**
 * Loads a deterministic demo population into the hub database and each department's database.
 *
 *   npx tsx tools/generate.ts --households 1000 --seed 42 [--url mysql://root@127.0.0.1:3306/aidhub]
 *       [--reference-date 2025-11-20] [--append | --truncate] [--chunk 5000] [--plant [--manifest planted.json]]
 *   npx tsx tools/generate.ts --department VETERANS_AFFAIRS --seed 42 [--reference-date 2025-11-20] [--url …]
 *
 * With --department, only that department's rows, for the households already in the hub (a
 * department added after the demo was loaded, or whose database was emptied): tools/generate/department.ts.
 * Its tables are emptied and loaded again, so a second run gives the same rows. Exit code 3 when
 * there is no demo, or the hub's is not the one the seed and reference date make (nothing written);
 * 2 for a bad argument, `error: CODE: …` with the usage (UNKNOWN_DEPARTMENT, NO_DEMO_DATABASE for a
 * code that is no department with a demo database; README "Data" lists the others).
 *
 * The URL defaults to DATABASE_URL; department databases follow db/config.ts (SOURCE_*_URL, or
 * `<hub database>_<department>` on the same server). Databases are created and migrated first.
 * Tables that already hold rows are refused unless --append or --truncate is given.
 * Nothing personal (names, ID numbers) is ever printed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { todayIso } from '../domain/dates';
import { shownPath, userPath } from '../domain/user-path';
import { redactUrl, sourceUrls } from '../db/config';
import { databaseUrlRefusal, dateArg, isParseArgsError, positiveIntArg, printUsageError, UsageError } from './command-args';
import { DEFAULT_CHUNK_HOUSEHOLDS, generateDemo, NonEmptyDatabaseError, type ExistingData } from './generate/index';
import { DemoMismatchError, demoDepartment, generateDepartment } from './generate/department';
import type { DepartmentCode } from '../domain/departments';

const USAGE =
  'usage: npx tsx tools/generate.ts --households N [--seed S] [--url mysql://user@host:port/aidhub] ' +
  '[--reference-date YYYY-MM-DD] [--append | --truncate] [--chunk HOUSEHOLDS] [--plant [--manifest FILE]]\n' +
  '       npx tsx tools/generate.ts --department CODE [--seed S] [--reference-date YYYY-MM-DD] [--url mysql://user@host:port/aidhub] [--chunk HOUSEHOLDS]';

async function main(): Promise<void> {
  const { values } = parseArgs({
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
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const hubUrl = values.url ?? process.env.DATABASE_URL;
  if (!hubUrl) throw new UsageError('DATABASE_REQUIRED: no database: pass --url or set DATABASE_URL');
  const malformed = databaseUrlRefusal(hubUrl, values.url !== undefined ? '--url' : 'DATABASE_URL');
  if (malformed) throw malformed;
  if (values.append && values.truncate) throw new UsageError('CONFLICTING_OPTIONS: --append and --truncate exclude each other');
  const households = positiveIntArg(values.households, 'households') ?? 1000;
  const chunkHouseholds = positiveIntArg(values.chunk, 'chunk') ?? DEFAULT_CHUNK_HOUSEHOLDS;
  // Ages, periods and grant dates are counted back from it: 2026-02-30 is no day to count from.
  const givenDate = dateArg(values['reference-date'], 'reference-date');
  if (values.department !== undefined) {
    const clash = (['households', 'append', 'truncate', 'plant', 'manifest'] as const).find((o) => values[o] !== undefined && values[o] !== false);
    if (clash) throw new UsageError(`CONFLICTING_OPTIONS: --department adds one department to the households already in the demo: --${clash} does not go with it`);
    await oneDepartment(hubUrl, demoDepartment(values.department), values.seed, givenDate, chunkHouseholds);
    return;
  }
  const referenceDate = givenDate ?? todayIso();
  const existing: ExistingData = values.append ? 'append' : values.truncate ? 'truncate' : 'refuse';

  console.log(`Generating ${households} households (seed ${values.seed}, reference date ${referenceDate}) into ${redactUrl(hubUrl)} and its department databases …`);
  const started = Date.now();
  let lastReport = 0;
  const counts = await generateDemo({
    hubUrl,
    households,
    seed: values.seed,
    referenceDate,
    sourceUrls: sourceUrls(hubUrl),
    existing,
    chunkHouseholds,
    plant: values.plant,
    onPlanted: (manifest) => {
      const file = userPath(values.manifest ?? 'planted-cases.json');
      fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
      console.log(`Planted ${manifest.households.length} households and ${manifest.people.length} people in no household (cases and near misses); manifest in ${shownPath(file)}`);
    },
    onProgress: ({ households: done, total, elapsedMs }) => {
      if (elapsedMs - lastReport >= 5000 || done === total) {
        lastReport = elapsedMs;
        console.log(`  ${done}/${total} households (${(elapsedMs / 1000).toFixed(1)} s)`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`Loaded ${total} rows in ${seconds.toFixed(1)} s:`);
  for (const [table, n] of Object.entries(counts)) console.log(`  ${table.padEnd(18)} ${String(n).padStart(10)}`);
}

async function oneDepartment(hubUrl: string, department: DepartmentCode, seed: string, referenceDate: string | undefined, chunkHouseholds: number): Promise<void> {
  const when = referenceDate ? `reference date ${referenceDate}` : 'the reference date found from the hub\'s households';
  console.log(`Generating ${department}'s rows for the demo households in ${redactUrl(hubUrl)} (seed ${seed}, ${when}) …`);
  const result = await generateDepartment({ hubUrl, department, seed, referenceDate, chunkHouseholds });
  const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
  console.log(`Loaded ${total} rows of ${department} for ${result.households} households (reference date ${result.referenceDate}):`);
  for (const [table, n] of Object.entries(result.counts)) console.log(`  ${table.padEnd(18)} ${String(n).padStart(10)}`);
}

main().catch((err: unknown) => {
  // An argument parseArgs (or the checks above) refuses is the caller's mistake: with the usage, exit 2, as in the other tools.
  if (isParseArgsError(err) || err instanceof UsageError) {
    printUsageError(err as Error, USAGE);
    process.exit(2);
  }
  if (err instanceof DemoMismatchError) {
    console.error(err.message);
    process.exit(3);
  }
  console.error(err instanceof NonEmptyDatabaseError ? err.message : `generate failed: ${(err as Error).message}`);
  process.exit(1);
});
