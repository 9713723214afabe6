/**
 * A department is one folder (README, "Adding a department"): no file outside its folder names one
 * of its tables, neither by the table's name nor by importing the folder's table definitions. The
 * names come from the registry's declared tables (`tables` of each adapter), so a new department
 * is covered as soon as it is registered.
 *
 * bench/floor.ts is the exception the issue allows: the bench's hand-written floor spells each
 * statement out to measure what the adapters' statements cost. The files in STILL_NAMING still
 * reach department rows directly; the list may only shrink: a file that stops naming tables must
 * be taken off it, and any other file that starts to fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getTableName } from 'drizzle-orm';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';

const ROOT = path.join(__dirname, '..');
const CODE_FOLDERS = ['domain', 'rules', 'db', 'federation', 'access', 'resolvers', 'tools', 'server', 'test', 'bench', 'schema'];

const ALLOWED = new Set([path.join('bench', 'floor.ts')]);

/** Files that still name department tables, each with what they do with them. */
const STILL_NAMING: Record<string, string> = {
  [path.join('test', 'generate.test.ts')]: 'checks the rates of every department part of the generated demo',
  [path.join('test', 'import.test.ts')]: 'writes import files for each department table and reads the rows back',
  [path.join('test', 'index-use.test.ts')]: 'EXPLAINs department statements',
  [path.join('bench', 'household.ts')]: 'bench: counts department rows',
  [path.join('bench', 'pregrant.ts')]: 'bench: picks settlements for proposals',
  [path.join('bench', 'scan.ts')]: 'bench: counts department rows',
  // Written beside the move to scenario helpers, against the tables directly; each is to go
  // through its department's scenario.ts.
  [path.join('test', 'cases.test.ts')]: 'inserts the aid records that fulfil decisions',
  [path.join('test', 'cases-loop.test.ts')]: 'inserts the aid records that fulfil decisions',
  [path.join('test', 'cases-brief.test.ts')]: 'inserts a hospital stay and aid for the brief',
  [path.join('test', 'reported-aid.test.ts')]: 'inserts a hospital stay for reported aid',
  [path.join('test', 'monitoring', 'monitoring.test.ts')]: 'writes qualifying rows into department databases',
  [path.join('test', 'monitoring', 'one-poller.test.ts')]: 'writes a job loss into 人社’s database',
};

function files(dir: string): string[] {
  if (!fs.existsSync(path.join(ROOT, dir))) return [];
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'migrations' || e.name.startsWith('.') ? [] : files(rel);
    return /\.(ts|graphql|sql)$/.test(e.name) ? [rel] : [];
  });
}

/**
 * Each federated department's folder (where its migrations are) and its tables' names. The ledger
 * of reported aid (REPORTED) is the hub's own storage (db/reported-aid), not a department's
 * front-end database: its tables belong to the hub's layers, as any hub table does.
 */
const FEDERATED = DEPARTMENT_CODES.filter((code) => !(HUB_LEDGER_SOURCES as readonly string[]).includes(code));
const DEPARTMENTS = FEDERATED.map((code) => {
  const adapter = ADAPTERS[code];
  return { code, folder: path.relative(ROOT, path.dirname(adapter.migrationsFolder)), tables: adapter.tables.map((t) => getTableName(t)) };
});

function offences(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const d of DEPARTMENTS) {
    if (file.startsWith(d.folder + path.sep)) continue;
    for (const t of d.tables) if (new RegExp(`\\b${t}\\b`).test(text)) found.push(`${d.code}.${t}`);
    const tablesModule = path.relative(path.dirname(path.join(ROOT, file)), path.join(ROOT, d.folder, 'tables')).split(path.sep).join('/');
    const spec = tablesModule.startsWith('.') ? tablesModule : `./${tablesModule}`;
    if (text.includes(`'${spec}'`)) found.push(`${d.code} tables module`);
  }
  return found;
}

const ALL = CODE_FOLDERS.flatMap(files).filter((f) => !ALLOWED.has(f));

test('the department tables were read from the registry', () => {
  expect(DEPARTMENTS.length).toBe(FEDERATED.length);
  expect(FEDERATED.length).toBeGreaterThanOrEqual(7);
  for (const d of DEPARTMENTS) {
    expect(d.tables.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(ROOT, d.folder, 'adapter.ts'))).toBe(true);
  }
  // The check itself sees a table named outside its folder.
  expect(offences(path.join('bench', 'floor.ts')).length).toBeGreaterThan(0);
});

test('no file outside a department’s folder names its tables, but those still listed', () => {
  const naming = ALL.filter((f) => offences(f).length > 0).sort();
  expect(naming).toEqual(Object.keys(STILL_NAMING).sort());
});
