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
import { shownPath, userPath } from '../domain/user-path';
import { ConfigError, configErrorLine, redactUrl, sourceUrls } from '../db/config';
import { isParseArgsError, printUsageError, UsageError } from './command-args';
import { demoCommandLine, USAGE } from './generate/command-line';
import { generateDemo, NonEmptyDatabaseError } from './generate/index';
import { DemoMismatchError, generateDepartment } from './generate/department';
import type { DepartmentCode } from '../domain/departments';

async function main(): Promise<void> {
  const command = demoCommandLine(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return;
  }
  if (command.kind === 'department') {
    await oneDepartment(command.hubUrl, command.department, command.seed, command.referenceDate, command.chunkHouseholds);
    return;
  }
  const { hubUrl, households, seed, referenceDate, existing, chunkHouseholds, plant, manifest: manifestFile } = command;

  console.log(`Generating ${households} households (seed ${seed}, reference date ${referenceDate}) into ${redactUrl(hubUrl)} and its department databases …`);
  const started = Date.now();
  let lastReport = 0;
  const counts = await generateDemo({
    hubUrl,
    households,
    seed,
    referenceDate,
    sourceUrls: sourceUrls(hubUrl),
    existing,
    chunkHouseholds,
    plant,
    onPlanted: (manifest) => {
      const file = userPath(manifestFile ?? 'planted-cases.json');
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
  // A variable it reads (SOURCE_<DEPT>_URL) refused as npm start refuses it.
  if (err instanceof ConfigError) {
    console.error(configErrorLine(err));
    process.exit(2);
  }
  if (err instanceof DemoMismatchError) {
    console.error(err.message);
    process.exit(3);
  }
  console.error(err instanceof NonEmptyDatabaseError ? err.message : `generate failed: ${(err as Error).message}`);
  process.exit(1);
});
