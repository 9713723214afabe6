/**
 * A department is one folder (README, "Adding a department"): no file outside its folder names one
 * of its tables, neither by the table's name nor by importing the folder's table definitions. The
 * names come from the registry's declared tables (`tables` of each adapter), so a new department
 * is covered as soon as it is registered.
 *
 * bench/floor.ts is the exception the issue allows: the bench's hand-written floor spells each
 * statement out to measure what the adapters' statements cost. Tests and benches reach department
 * rows through the department's scenario (federation/<dept>/scenario.ts, one shape for all:
 * federation/scenario-kit.ts), its adapter and its import spec.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getTableName } from 'drizzle-orm';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';

const ROOT = path.join(__dirname, '..');
const CODE_FOLDERS = ['domain', 'rules', 'db', 'federation', 'access', 'resolvers', 'tools', 'server', 'test', 'bench', 'schema'];

const ALLOWED = new Set([path.join('bench', 'floor.ts')]);

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

test('no file outside a department’s folder names its tables', () => {
  const naming = ALL.flatMap((f) => offences(f).map((o) => `${f}: ${o}`));
  expect(naming).toEqual([]);
});
