/**
 * Every write of a sealed case record is sealed (db/cases/seals.ts): a file of the hub's code that
 * inserts into, updates or deletes from one of SEALED_TABLES through drizzle also names that table
 * to sealLater, and writes no sealed table by raw SQL. A new write that forgets it is named here
 * (test/cases-seals shows what a sealed write gives; sealLater refuses outside a sealed transaction).
 */
import fs from 'node:fs';
import path from 'node:path';
import { getTableName } from 'drizzle-orm';
import { SEALED_TABLES } from '../db/cases/seals';
import * as casesSchema from '../db/cases/schema';
import * as caseLoopSchema from '../db/case-loop/schema';

const ROOT = path.join(__dirname, '..');
const SKIP = new Set(['node_modules', 'test', '.git', '.data', 'bench', 'examples']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Each sealed table's variable name in the schema modules (aidCase for aid_case …). */
const VARIABLES: [string, string][] = Object.entries({ ...casesSchema, ...caseLoopSchema })
  .filter(([, v]) => SEALED_TABLES.includes(v as never))
  .map(([name, v]) => [name, getTableName(v as never)]);

describe('the writers of sealed case records', () => {
  it('knows every sealed table by its variable', () => {
    expect(VARIABLES.map(([, t]) => t).sort()).toEqual(SEALED_TABLES.map((t) => getTableName(t)).sort());
  });

  it('seal every table they insert into, update or delete from', () => {
    const unsealed: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      for (const [variable, table] of VARIABLES) {
        const writes = new RegExp(`\\.(insert|update|delete)\\(${variable}\\)`).test(text);
        const sealed = new RegExp(`sealLater\\(tx, ${variable},`).test(text) || (rel === 'db/setup/upgrades.ts' && /sealLater\(tx, t\.table,/.test(text));
        if (writes && !sealed) unsealed.push(`${rel}: ${variable}`);
        if (new RegExp(`(INSERT (IGNORE )?INTO|UPDATE|DELETE FROM|REPLACE INTO) \`?${table}\\b`).test(text)) unsealed.push(`${rel}: ${table} by raw SQL`);
      }
    }
    expect(unsealed).toEqual([]);
  });
});
