/**
 * The README's reference parts stay true to the tree, without a server: its Layout map names only
 * files and folders that exist and every folder of a feature in resolvers/, domain/ and db/, every
 * SDL file and every department folder; its Configuration table documents every variable
 * the hub reads, and names none that it does not read; a variable only the tools, benches or tests
 * read is named in README.md or docs/. (A reading of README as a new user
 * found the map missing five features' folders and the table missing SOURCE_REPORTED_URL.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { README as readme, readmeSection as section } from './support/readme';

const ROOT = path.join(__dirname, '..');

/** The Layout map's code block, line by line. */
function layoutLines(): string[] {
  const text = section('Layout');
  return text.slice(text.indexOf('```\n') + 4, text.lastIndexOf('```')).split('\n');
}

/** A file or folder name as the map writes one (`lease.ts`, `jobs/`, `__generated__/types.ts`). */
const PATH_TOKEN = /^[\w.][\w./-]*(\/|\.[a-z]+)$/;

/** Every path the map names as an entry: top-level entries, and the entries two spaces in under a folder. */
function layoutEntries(): { line: number; path: string }[] {
  const entries: { line: number; path: string }[] = [];
  let parent: string | null = null;
  layoutLines().forEach((text, i) => {
    const indent = text.length - text.trimStart().length;
    const tokens = text.trim().split(/\s+/);
    if (indent === 0 && tokens[0]) {
      parent = tokens[0].endsWith('/') ? tokens[0] : null;
      if (PATH_TOKEN.test(tokens[0])) entries.push({ line: i + 1, path: tokens[0] });
      return;
    }
    // Deeper lines (a department folder's files, continuations) are prose around the entries.
    if (indent !== 2 || parent === null) return;
    // An entry line starts with one or more file names (`departments.ts programmes.ts …`), or
    // one folder whose files follow as prose (`household/       resolvers.ts`).
    for (const token of tokens) {
      if (!PATH_TOKEN.test(token)) break;
      if (!token.includes('<')) entries.push({ line: i + 1, path: parent + token });
      if (token.endsWith('/')) break;
    }
  });
  return entries;
}

test('every file and folder the Layout map names exists', () => {
  const entries = layoutEntries();
  expect(entries.length).toBeGreaterThan(50);
  expect(entries.filter((e) => !fs.existsSync(path.join(ROOT, e.path)))).toEqual([]);
});

test('the Layout map names every top-level folder of the repository', () => {
  // A top-level line's first word (`.ci/run` names its folder too).
  const named = new Set(layoutLines().filter((l) => /^\S/.test(l)).map((l) => l.split(/\s/)[0].split('/')[0]));
  // What git tracks: node_modules, .data and a checkout's other untracked folders are not the repository's.
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f.includes('/'));
  const folders = [...new Set(tracked.map((f) => f.split('/')[0]))];
  expect(folders.length).toBeGreaterThan(10);
  expect(folders.filter((f) => !named.has(f))).toEqual([]);
});

test('the Layout map names every feature folder, SDL file and department folder', () => {
  // A path named names its folders too (`__generated__/types.ts`).
  const named = new Set(layoutEntries().flatMap((e) => e.path.replace(/\/$/, '').split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const subfolders = (dir: string) =>
    fs
      .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => `${dir}/${d.name}`);
  const missing = [
    ...['resolvers', 'domain', 'db'].flatMap(subfolders),
    ...fs
      .readdirSync(path.join(ROOT, 'schema'))
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => `schema/${f}`),
  ].filter((p) => !named.has(p));
  expect(missing).toEqual([]);
  // The department folders are listed by name under `<department>/`; any other folder is an entry.
  const block = layoutLines().join('\n');
  const departmentList = block.slice(block.indexOf('<department>/'), block.indexOf('tables.ts', block.indexOf('<department>/')));
  expect(subfolders('federation').filter((p) => !named.has(p) && !departmentList.includes(path.basename(p)))).toEqual([]);
});

test('the Layout map names every shared file of federation/, where "Adding a department" sends its reader', () => {
  // The federation/ block, up to the next top-level entry: a file is named as an entry or in the
  // prose of another (`change-marker.ts` under change-feed.ts). A walk adding a department was sent
  // to federation/status-codes.ts by step 4 and found it, unrecognised-status.ts and
  // unreadable-rows.ts nowhere in the map.
  const lines = layoutLines();
  const start = lines.findIndex((l) => l.startsWith('federation/'));
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  const words = new Set(lines.slice(start, end).join(' ').split(/[\s,;:()`]+/));
  const shared = fs.readdirSync(path.join(ROOT, 'federation')).filter((f) => f.endsWith('.ts'));
  expect(shared.length).toBeGreaterThan(15);
  expect(shared.filter((f) => !words.has(f))).toEqual([]);
});

/** The variables the Configuration table's first column names (`PORT`, `HOST` in one cell are two). */
function variablesTableNames(): string[] {
  const rows = section('Configuration')
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_<>]*)(?:=[^`]*)?`/g)].map((m) => m[1])).sort();
}

/**
 * Every environment variable the code reads (`process.env.X`, `process.env['X']`, `env.X` of an
 * environment passed in, a `…_ENV = 'X'` constant, db/config.ts's helpers), a per-department one
 * written with `<DEPT>`, with the files that read it. Assignments (`process.env.TZ = …`, a test
 * setting one for a child) are not reads. The hub's own code first, then the tools, benches and tests.
 */
function variablesRead(dirs: string[]): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  const add = (name: string, file: string) => reads.set(name, [...new Set([...(reads.get(name) ?? []), file])]);
  for (const file of dirs.flatMap(sourceFilesUnder)) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of source.matchAll(/\bprocess\.env(?:\.([A-Z][A-Z0-9_]+)(?![A-Z0-9_])|\[\s*'([A-Z][A-Z0-9_]+)'\s*\])(?!\s*(?:=(?!=)|\?\?=))/g)) add(m[1] ?? m[2], file);
    for (const m of source.matchAll(/(?<![.\w])env(?:\.([A-Z][A-Z0-9_]+)(?![A-Z0-9_])|\[\s*'([A-Z][A-Z0-9_]+)'\s*\])(?!\s*=(?!=))/g)) add(m[1] ?? m[2], file);
    for (const m of source.matchAll(/\b[A-Z_]+_ENV\s*=\s*'([A-Z][A-Z0-9_]+)'/g)) add(m[1], file);
    for (const m of source.matchAll(/\(\s*env,\s*'([A-Z][A-Z0-9_]+)'/g)) add(m[1], file);
    for (const m of source.matchAll(/\bint\('([A-Z][A-Z0-9_]+)'/g)) add(m[1], file);
    for (const m of source.matchAll(/`([A-Z][A-Z0-9_]*)\$\{code\}([A-Z0-9_]*)`/g)) add(`${m[1]}<DEPT>${m[2]}`, file);
  }
  return reads;
}

function sourceFilesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = `${dir}/${d.name}`;
    if (d.isDirectory()) return d.name === 'migrations' || d.name === '__generated__' ? [] : sourceFilesUnder(rel);
    return d.name.endsWith('.ts') ? [rel] : [];
  });
}

const HUB_DIRS = ['access', 'db', 'domain', 'federation', 'resolvers', 'rules', 'server'];
const OTHER_DIRS = ['tools', 'bench', 'test'];
/** The system's and the test runner's, which no document of ours describes. */
const NOT_OURS = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'TZ', 'JEST_WORKER_ID']);

test('the Configuration table documents every variable the hub reads', () => {
  const read = variablesRead(HUB_DIRS);
  expect([...read.keys()]).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'SOURCE_<DEPT>_URL', 'AUDIT_CHECKPOINT_ROWS', 'AIDHUB_TRIGGERS_FILE', 'AIDHUB_DATA_DIR', 'NODE_ENV']));
  const documented = new Set(variablesTableNames());
  // INIT_CWD is npm's: the Configuration section says what the hub takes from it.
  const undocumented = [...read].filter(([name]) => !documented.has(name) && !NOT_OURS.has(name) && !(name === 'INIT_CWD' && section('Configuration').includes('`INIT_CWD`')));
  expect(undocumented.map(([name, files]) => `${name} (${files.join(', ')})`)).toEqual([]);
});

test('every row of the Configuration table gives a meaning and a default', () => {
  const rows = section('Configuration')
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  expect(rows.filter((row) => row.split('|').length !== 5 || row.split('|').slice(2, 4).some((cell) => !cell.trim()))).toEqual([]);
});

test('every variable the tools, benches and tests read is named in README.md or docs/', () => {
  const hub = variablesRead(HUB_DIRS);
  const read = variablesRead(OTHER_DIRS);
  expect([...read.keys()]).toEqual(expect.arrayContaining(['AIDHUB_TOKEN', 'AIDHUB_TEST_DATABASE_URL', 'CHROMIUM_PATH', 'BENCH_DATABASE_URL']));
  const docs = [readme, ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8'))].join('\n');
  const undocumented = [...read].filter(([name]) => !hub.has(name) && !NOT_OURS.has(name) && !new RegExp(`\`${name}(?:=[^\`]*)?\``).test(docs));
  expect(undocumented.map(([name, files]) => `${name} (${files.join(', ')})`)).toEqual([]);
});

test('every variable the Configuration table names is read by the hub', () => {
  const documented = variablesTableNames();
  expect(documented.length).toBeGreaterThan(40);
  const read = new Set([...variablesRead(HUB_DIRS).keys(), ...variablesRead(['tools']).keys()]);
  expect(documented.filter((name) => !read.has(name))).toEqual([]);
});

test('the Configuration table names the REPORTED source among the SOURCE_<DEPT> codes', () => {
  const row = section('Configuration')
    .split('\n')
    .find((l) => l.startsWith('| `SOURCE_<DEPT>_URL`'));
  expect(row).toMatch(/`REPORTED`/);
});

test('every file or folder of the repository the README names in backticks exists', () => {
  const top = 'access|bench|db|docs|domain|examples|federation|resolvers|rules|schema|server|test|tools';
  const named = [...readme.matchAll(new RegExp(`\`((?:${top})/[\\w./-]*[\\w/])\``, 'g'))].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(100);
  // `docs/x` is where a relative AIDHUB_DATA_DIR typed in docs/ would put a server (Configuration).
  const examples = new Set(['docs/x']);
  expect([...new Set(named.filter((p) => !examples.has(p) && !fs.existsSync(path.join(ROOT, p))))]).toEqual([]);
});

/**
 * docs/integration.md, the integrator's nightly sync, names schema fields as coordinates
 * (`Query.householdsInRegion`, `PageInfo.endCursor`) and error codes, reasons, purposes and limits in
 * capitals: each coordinate must be a field of the schema, and each capital name one the README or
 * docs/access.md documents, so the guide cannot drift from the API it describes.
 */
test('the integration guide names only fields the schema has and codes the references document', () => {
  const { buildASTSchema, parse, isObjectType } = require('graphql') as typeof import('graphql');
  const { loadTypeDefs } = require('../resolvers/type-defs') as typeof import('../resolvers/type-defs');
  const schema = buildASTSchema(parse(loadTypeDefs().join('\n')));
  const guide = fs.readFileSync(path.join(ROOT, 'docs', 'integration.md'), 'utf8');
  const coordinates = [...new Set([...guide.matchAll(/`([A-Z][A-Za-z]+)\.([a-z][A-Za-z]*)`/g)].map((m) => `${m[1]}.${m[2]}`))];
  expect(coordinates.length).toBeGreaterThan(10);
  const missing = coordinates.filter((c) => {
    const [type, field] = c.split('.');
    const t = schema.getType(type);
    return !t || !isObjectType(t) || !(field in t.getFields());
  });
  expect(missing).toEqual([]);
  const references = readme + fs.readFileSync(path.join(ROOT, 'docs', 'access.md'), 'utf8');
  const capitals = [...new Set([...guide.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((m) => m[1]))];
  expect(capitals.length).toBeGreaterThan(15);
  expect(capitals.filter((name) => !new RegExp(`\\b${name}\\b`).test(references))).toEqual([]);
});
