/**
 * Loads a site's own extracts: a folder of `<table>.csv` files (see examples/import/README.md).
 *
 *   npx tsx tools/import.ts --dir <folder> [--url mysql://user:pass@host:3306/aidhub]
 *   npx tsx tools/import.ts --dir <folder> --check     validate only, touch no database
 *   npx tsx tools/import.ts --docs                     print the column reference (Markdown)
 *   npx tsx tools/import.ts --docs --write             put it in examples/import/README.md
 *
 * The URL is the hub's database (default DATABASE_URL); department databases follow from it as
 * the server finds them (SOURCE_<DEPT>_URL, else `<hub database>_<dept>` on the same server).
 *
 * Every file is validated first, read as a stream (see tools/import/validate.ts). If any file has
 * any problem, nothing at all is loaded and every problem is printed, as it is found (on stderr;
 * the per-file summary follows on stdout). Exit status: 0 loaded (or valid, with --check), 1 problems found and nothing
 * loaded, 2 usage error, 3 the load failed while writing (see the message for what was rolled back).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, configErrorLine, redactUrl } from '../db/config';
import { isDatabaseOfOtherRelease } from '../db/setup/migrator';
import { describeDbError, formatProblem, ImportLoadError, importDir, renderColumnReference, validateImportDir, withColumnReference, type DirValidation } from './import/index';
import { exitWhenWritten, isParseArgsError, outputDrained, printUsageError, quietWhenReaderLeaves, UsageError } from './command-args';
import { importCommandLine, USAGE, type ImportCommand } from './import/command-line';

/** The README whose column reference `--docs --write` replaces. */
const EXAMPLES_README = path.join(__dirname, '..', 'examples', 'import', 'README.md');

/** Each problem as it is found: a file with millions of bad rows is reported, not held. */
function printProblem(p: Parameters<typeof formatProblem>[0]): void {
  console.error(formatProblem(p));
}

/** Reading waits while the problem lines wait for their reader (ValidateOptions.outputReady). */
const stderrDrained = () => outputDrained(process.stderr);

function summary(v: DirValidation): void {
  for (const f of v.files) console.log(`${f.file}: ${f.rowCount} row${f.rowCount === 1 ? '' : 's'}${f.problemCount ? `, ${f.problemCount} problems` : ', valid'}`);
  if (v.ignored.length) console.log(`ignored: ${v.ignored.join(', ')}`);
}

async function main(): Promise<number> {
  let args: ImportCommand;
  try {
    args = importCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError) && !isParseArgsError(err)) throw err;
    printUsageError(err as Error, USAGE);
    return 2;
  }
  if (args.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (args.kind === 'docs') {
    if (!args.write) {
      console.log(renderColumnReference());
      return 0;
    }
    const readme = fs.readFileSync(EXAMPLES_README, 'utf8');
    const current = withColumnReference(readme);
    if (current === readme) {
      console.log('examples/import/README.md: the column reference is current');
    } else {
      fs.writeFileSync(EXAMPLES_README, current);
      console.log('examples/import/README.md: rewrote the column reference');
    }
    return 0;
  }
  const { dir } = args;
  if (args.kind === 'check') {
    const v = await validateImportDir(dir, { onProblem: printProblem, outputReady: stderrDrained });
    summary(v);
    if (!v.ok) {
      console.error(`${v.problemCount} problem(s) found.`);
      return 1;
    }
    console.log('All files are valid.');
    return 0;
  }
  const { url } = args;
  try {
    const result = await importDir(dir, url, { log: (line) => console.log(line), onProblem: printProblem, outputReady: stderrDrained });
    if (!result.ok) {
      summary(result.validation);
      console.error(`${result.problemCount} problem(s) found; nothing was loaded.`);
      return 1;
    }
    const rows = result.loaded.reduce((n, f) => n + f.rows, 0);
    console.log(`Loaded ${rows} rows from ${result.loaded.length} files into ${redactUrl(url)} and its department databases.`);
    return 0;
  } catch (err) {
    // A variable it reads (SOURCE_<DEPT>_URL) refused as npm start refuses it, not as a failed
    // load; a hub database of another release, as npm start refuses a later one's.
    if (err instanceof ConfigError || isDatabaseOfOtherRelease(err)) {
      console.error(configErrorLine(err));
      return 2;
    }
    if (err instanceof ImportLoadError) {
      console.error(err.message);
      return 3;
    }
    throw err;
  }
}

quietWhenReaderLeaves();
main().then(exitWhenWritten, (err) => {
  console.error(`import failed: ${describeDbError(err)}`);
  exitWhenWritten(3);
});
