/**
 * The README's reference parts stay true to the tree, without a server: its Layout map names only
 * files and folders that exist and every folder of a feature in resolvers/, domain/ and db/, every
 * SDL file and every department folder; its Configuration table documents every variable
 * the hub reads, and names none that it does not read; a variable only the tools, benches or tests
 * read is named in README.md or docs/. (A reading of README as a new user
 * found the map missing five features' folders and the table missing SOURCE_REPORTED_URL.)
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoHouseholdsFromEnv, keyIdOf, loadConfig } from '../db/config';
import { cellItems, configurationRows, README as readme, readmeSection as section, rowVariables } from './support/readme';

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

/**
 * Architecture lists the features, each a folder of resolvers/: a feature's folder there is one the
 * list names. It named eight and left out `legal-aid` (Session 48).
 */
test('Architecture names every feature folder of resolvers/', () => {
  const text = section('Architecture');
  const list = text.slice(0, text.indexOf('each with a folder of the same name'));
  const features = fs
    .readdirSync(path.join(ROOT, 'resolvers'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('__'))
    .map((d) => d.name);
  expect(features.length).toBeGreaterThan(8);
  expect(features.filter((name) => !list.includes(`\`${name}\``))).toEqual([]);
});

/**
 * Each file directly in a folder whose files the map lists (the hub's layers but federation/, above,
 * and rules/), named in its folder's block of the map, as an entry or in the prose of another. An
 * audit of the map against the tree (Session 48) found 7 files of domain/, 2 of resolvers/, 4 of
 * server/, 12 of access/, db/query-options.ts, db/setup/migrator.ts and 3 of rules/ named nowhere.
 */
test('the Layout map names every file of the layers it lists file by file', () => {
  const lines = layoutLines();
  const blockOf = (top: string) => {
    const start = lines.findIndex((l) => l.startsWith(`${top}/`));
    const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
    return new Set(lines.slice(start, end).join(' ').split(/[\s,;:()`]+/));
  };
  const folders: [string, string][] = [
    ['domain', 'domain'],
    ['resolvers', 'resolvers'],
    ['server', 'server'],
    ['access', 'access'],
    ['db', 'db'],
    ['db', 'db/setup'],
    ['rules', 'rules'],
  ];
  const unnamed = folders.flatMap(([top, dir]) => {
    const words = blockOf(top);
    return fs
      .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => d.name)
      .filter((name) => !words.has(name))
      .map((name) => `${dir}/${name}`);
  });
  expect(unnamed).toEqual([]);
});

/** The variables the Configuration table's first column names (`PORT`, `HOST` in one cell are two). */
function variablesTableNames(): string[] {
  return configurationRows().flatMap(rowVariables).sort();
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

/**
 * The hub's settings as `npm start` reads them from `env` (loadConfig and the demo's size), as text
 * to compare: a signing key by its id. The base environment turns on what other variables only
 * matter beside (polling, signed checkpoints, the metrics listener), so that theirs are read too.
 */
function settingsOf(env: NodeJS.ProcessEnv): string {
  const config = loadConfig('mysql://hub@127.0.0.1:3306/aidhub', env);
  const checkpoints = config.auditCheckpoints ? { ...config.auditCheckpoints, signingKey: keyIdOf(config.auditCheckpoints.signingKey) } : config.auditCheckpoints;
  return JSON.stringify({ ...config, auditCheckpoints: checkpoints, demoHouseholds: demoHouseholdsFromEnv(env) });
}

/**
 * A default the table gives as a value is the one the hub takes with the variable unset: set to
 * it, every setting is as unset. A variable the hub reads has its default in the table, not a
 * pointer elsewhere: the query limits' row said "see `db/config.ts`" (Session 48). A row of several
 * variables gives one default each, in order, or one for all.
 */
test('every default the Configuration table gives is the one the hub takes', () => {
  const signingKey = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const base: NodeJS.ProcessEnv = { AIDHUB_MONITOR_INTERVAL_MS: '60000', METRICS_PORT: '9464', AUDIT_SIGNING_KEY: signingKey, AUDIT_CHECKPOINT_FILE: path.join(os.tmpdir(), `aidhub-readme-defaults-${process.pid}.jsonl`) };
  const unset = settingsOf(base);
  const settingsOrCode = (env: NodeJS.ProcessEnv) => {
    try {
      return settingsOf(env);
    } catch (err) {
      return `refused ${(err as { code?: string }).code}`;
    }
  };
  /** Whether the hub's settings read the variable: a word or an exponent where it is set changes them, or is refused. */
  const reads = (name: string) => ['1e3', 'zz-probe'].some((probe) => settingsOrCode({ ...base, [name]: probe }) !== unset);
  const rows = configurationRows();
  const problems: string[] = [];
  let checked = 0;
  for (const row of rows) {
    const cells = row.split('|');
    const names = rowVariables(row);
    const items = names.length === 1 ? [cells[3].trim()] : cellItems(cells[3].trim());
    if (items.length !== names.length && items.length !== 1) {
      problems.push(`${names.join(', ')}: ${items.length} defaults for ${names.length} variables`);
      continue;
    }
    names.forEach((name, i) => {
      // A per-department variable defaults to its general one, which its own row gives.
      if (name.includes('<') || name === 'AIDHUB_MONITOR_INTERVAL_MS' || !reads(name)) return;
      const item = items.length === 1 ? items[0] : items[i];
      if (/^see\b/i.test(item)) return problems.push(`${name}: "${item}" gives no default`);
      const value = /^`([^`]+)`/.exec(item)?.[1];
      if (value === undefined) return;
      checked++;
      if (/^[A-Z][A-Z0-9_]*$/.test(value)) {
        // Another variable's value: set both, as the hub would take them.
        if (settingsOrCode({ ...base, [value]: '7', [name]: '7' }) !== settingsOrCode({ ...base, [value]: '7' })) problems.push(`${name}: not ${value}'s value by default`);
      } else if (settingsOrCode({ ...base, [name]: value }) !== unset) problems.push(`${name}: ${value} is not its default`);
    });
  }
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(30);
});

test('every row of the Configuration table gives a meaning and a default', () => {
  const rows = configurationRows();
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

/** Each metric server/metrics.ts registers, with its label names, read from the source. */
function metricsRegistered(): Map<string, string[]> {
  const source = fs.readFileSync(path.join(ROOT, 'server', 'metrics.ts'), 'utf8');
  const metrics = new Map<string, string[]>();
  const starts = [...source.matchAll(/name: '(aidhub_[a-z_]+)'/g)];
  starts.forEach((m, i) => {
    const block = source.slice(m.index, starts[i + 1]?.index ?? source.length);
    const labels = /labelNames: \[([^\]]*)\]/.exec(block.slice(0, block.indexOf('registers')))?.[1] ?? '';
    metrics.set(m[1], [...labels.matchAll(/'(\w+)'/g)].map((l) => l[1]));
  });
  return metrics;
}

/**
 * README's metrics paragraph names every metric the hub registers, and wherever README or docs/
 * write a metric with labels (`aidhub_source_failures_total{reason="STATEMENT_REFUSED"}`), it is a
 * metric the hub has and the labels are its own.
 */
test('README names every metric, and README and docs/ give metrics only the labels they have', () => {
  const metrics = metricsRegistered();
  expect(metrics.size).toBeGreaterThan(20);
  const paragraph = section('Several hub processes, metrics, federation');
  expect([...metrics.keys()].filter((name) => !paragraph.includes(`\`${name}`))).toEqual([]);
  const docs = [readme, ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8'))].join('\n');
  const wrong = [...docs.matchAll(/\b(aidhub_[a-z_]+)\{([^}]*)\}/g)].flatMap(([written, name, labels]) => {
    const own = metrics.get(name);
    if (!own) return [`${written}: no such metric`];
    const named = [...labels.matchAll(/(?:^|,)\s*([a-z_]+)/g)].map((l) => l[1]);
    return named.filter((label) => !own.includes(label)).map((label) => `${written}: no label ${label}`);
  });
  expect([...new Set(wrong)]).toEqual([]);
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
