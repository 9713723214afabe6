/**
 * README "Adding a department" is followed by someone who does not know the code yet, one named file,
 * registry and command at a time: every file it names exists, every identifier it names (a registry,
 * a helper, a test's constant) is in the code, one it places in a file is declared there, and every
 * `npm run` it gives is a script. A walk from the README alone (Session 44) found a count the steps
 * did not name left stale (`test/department-completeness.test.ts` now checks it) and nothing that
 * would have told a renamed helper from a step's word. No database: all of it is text.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, OFFICE_CODES } from '../domain/departments';
import { ADAPTERS_AS_WRITTEN, writtenAdapter } from '../federation/registry';
import { importGraph, reachableFrom } from './support/imports';
import { readmeSection } from './support/readme';

const ROOT = path.join(__dirname, '..');
const steps = readmeSection('Adding a department');
const quoted = [...steps.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);

/** The repository's code and data as git tracks it, by path (the README itself aside). */
const SOURCES = new Map(
  execFileSync('git', ['ls-files', '*.ts', '*.json', '*.graphql', '*.sh'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)))
    .map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]),
);

/** The model department's folder stands for `<dept>`: the files a step names are its files too. */
const MODEL = 'human-resources';

it('names only files and folders that exist', () => {
  // A path of the repository: a folder and a name (`db/prepared.ts`, `federation/<dept>/demo.ts`), not the
  // shared DOMAIN.md outside it or what `npm start` writes under `.data/`.
  const paths = [...new Set(quoted.flatMap((q) => q.split(/\s+/)).filter((w) => /^[\w<>-]+(\/[\w.<>*-]*)+$/.test(w) && !w.startsWith('.data/')))];
  expect(paths.length).toBeGreaterThan(40);
  const missing = paths.filter((p) => {
    const file = p.replace(/<dept>/g, MODEL).replace(/<department>/g, MODEL).replace(/\/\*\.sql$/, '');
    return !fs.existsSync(path.join(ROOT, file));
  });
  expect(missing).toEqual([]);
});

/** A name of code as the steps quote one: `DEPARTMENT_NUMBERS`, `preparedUnionAll`, `WANG.expectedRecords` (its first part). */
const IDENTIFIER = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)\b/g;

it('names only identifiers the code has', () => {
  const names = [...new Set(quoted.flatMap((q) => [...q.replace(/<[^>]*>/g, ' ').matchAll(IDENTIFIER)].map((m) => m[1])))];
  expect(names.length).toBeGreaterThan(60);
  const everything = [...SOURCES.values()].join('\n');
  expect(names.filter((n) => !new RegExp(`\\b${n}\\b`).test(everything))).toEqual([]);
});

it('places each declared name it places in a file in that file', () => {
  // `OFFICE_KEY_MAX_LENGTH`, `domain/cases/offices.ts` · `departmentYuanToFen` (`domain/money.ts`) ·
  // `preparedUnionAll` from `db/prepared.ts`: where the reader is sent to find it. Only names the code
  // declares are held to it, a department's code aside (an error code or `REPORTED` beside a file is
  // about something else, though a constant somewhere has its name).
  const declared = (name: string) => !(OFFICE_CODES as readonly string[]).includes(name) && new RegExp(`\\b(?:const|let|function|type|interface|class|enum)\\s+${name}\\b`).test(everything);
  const everything = [...SOURCES.values()].join('\n');
  const pairs = [...steps.matchAll(/`([A-Za-z_][\w]*)(?:\.[\w]+)?(?:\([^`]*\))?`(?:,| \(| from| in)\s*`([\w./-]+\.(?:ts|json))`/g)]
    .map((m) => ({ name: m[1], file: m[2] }))
    .filter((p) => declared(p.name));
  expect(pairs.length).toBeGreaterThan(10);
  expect(pairs.filter((p) => !new RegExp(`\\b${p.name}\\b`).test(SOURCES.get(p.file) ?? ''))).toEqual([]);
});

it('gives only npm scripts package.json has', () => {
  const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);
  const named = [...new Set([...steps.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]))];
  expect(named.length).toBeGreaterThan(3);
  expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
});

it('step 7’s registry is the one the hub reads: every department has its line, under its own code', () => {
  for (const code of DEPARTMENT_CODES) expect(writtenAdapter(code).code).toBe(code);
  expect(Object.keys(ADAPTERS_AS_WRITTEN).sort()).toEqual([...DEPARTMENT_CODES].sort());
  expect(steps).toContain('**One line** in `federation/registry.ts`');
});

it('a code without its registry line, or a line copied under another code, is said so with the step', () => {
  // Before: every test suite's set-up failed with "Cannot destructure property 'aidBySettlementRefs' of
  // 'adapter' as it is undefined" after step 1, until step 7 was done.
  const { HUMAN_RESOURCES: _left, ...withoutOne } = ADAPTERS_AS_WRITTEN;
  expect(() => writtenAdapter('HUMAN_RESOURCES', withoutOne)).toThrow(/no adapter in ADAPTERS_AS_WRITTEN \(federation\/registry\.ts\).*step 7/);
  const federated = DEPARTMENT_CODES.find((code) => !HUB_LEDGER_SOURCES.includes(code) && code !== 'HUMAN_RESOURCES')!;
  expect(() => writtenAdapter(federated, { ...ADAPTERS_AS_WRITTEN, [federated]: ADAPTERS_AS_WRITTEN.HUMAN_RESOURCES })).toThrow(/copied from another department/);
});

const IMPORTS = importGraph(SOURCES);

/** The numbered steps, each with its number and text. */
const STEPS = steps
  .split(/\n(?=\d+\. \*\*)/)
  .slice(1)
  .map((text) => ({ number: Number(/^(\d+)\./.exec(text)![1]), text }));

it('gives no command that loads the registry before the registry’s step, where it would stop at load naming that step', () => {
  // Step 5 (import files) gave `npm run import -- --dir examples/import --check` and `--docs --write` before step 7's registry
  // line: the fifth walk's first run of it stopped with "VETERANS_AFFAIRS is in DEPARTMENT_CODES … but has no adapter …
  // step 7". A command's TypeScript entry: the file of `npx tsx <file>`, or the first `.ts` file of an `npm run` script.
  const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  const registryStep = STEPS.find((s) => s.text.includes('**One line** in `federation/registry.ts`'))!;
  expect(registryStep).toBeDefined();
  const entries = (text: string): { command: string; file: string }[] => [
    ...[...text.matchAll(/npx tsx ([\w./-]+\.ts)/g)].map((m) => ({ command: m[0], file: m[1] })),
    ...[...text.matchAll(/npm run ([\w:-]+)/g)].flatMap((m) => {
      const file = /[\w./-]+\.ts\b/.exec(scripts[m[1]] ?? '')?.[0];
      return file ? [{ command: m[0], file }] : [];
    }),
  ];
  const early = STEPS.filter((s) => s.number < registryStep.number).flatMap((s) => entries(s.text).map((e) => ({ step: s.number, ...e })));
  expect(early.length).toBeGreaterThan(0);
  const loadsRegistry = early.filter((e) => reachableFrom(IMPORTS, e.file).has(path.join('federation', 'registry.ts'))).map((e) => `step ${e.step}: ${e.command}`);
  expect(loadsRegistry).toEqual([]);
  // The check itself sees the registry behind the import tool, which the registry's step now gives.
  expect(reachableFrom(IMPORTS, 'tools/import.ts').has(path.join('federation', 'registry.ts'))).toBe(true);
  expect(registryStep.text).toContain('npm run import -- --dir examples/import --check');
});

it('runs, in its closing command, every test the section names', () => {
  // The closing paragraph named some twenty test files to run, and a walk assembled the command from the prose.
  const command = /```sh\n([\s\S]*?)```/.exec(steps.slice(steps.lastIndexOf('\n`test/department-completeness.test.ts` checks')))?.[1] ?? '';
  const run = new Set(command.split(/\s+/));
  const named = [...new Set([...steps.matchAll(/`((?:test|federation)\/[\w/<>.-]+\.test\.ts)`/g)].map((m) => m[1]))];
  expect(named.length).toBeGreaterThan(15);
  expect([...run].filter((w) => /^(test|federation)\//.test(w) && w !== 'federation/<dept>' && !fs.existsSync(path.join(ROOT, w)))).toEqual([]);
  // The department's own test (`federation/<dept>/<dept>.test.ts`, step 8) is its folder's.
  expect(named.filter((file) => !run.has(file) && !(file.startsWith('federation/<dept>/') && run.has('federation/<dept>')))).toEqual([]);
});
