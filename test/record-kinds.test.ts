/**
 * A stored finding's identity (domain/findings/identity.ts) is built from its records' references,
 * `<kind>:<key>` (`sourceRefOf`, domain/aid.ts). The kind is declared by the adapter
 * (`recordKinds`) and frozen: it must not follow a table's name, nor change, or every stored
 * finding about those records would be found again as new and lose its status. The planted cases'
 * fingerprints are checked against the ones they had before kinds were declared in
 * test/findings-planted.test.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEPARTMENT_CODES } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';

const ROOT = path.join(__dirname, '..');

/**
 * sha256 of every department's kinds, `CODE:kind` sorted, one a line. Changing a kind changes the
 * identity of stored findings: it needs a migration of `finding.fingerprint`, not a new digest.
 * (A digest rather than the list, so that no file outside a department's folder spells names
 * that are also its tables'; test/department-tables.test.ts.)
 */
// Adding a kind (a new table's records) changes the digest and is fine; changing one is not. The
// first release's kinds gave 26ce6a3b…; civil affairs' monitored roll and the reported-aid ledger
// added one kind each, and the digest of the others is unchanged.
const FROZEN_KINDS_DIGEST = '2a392e4acaff7fd888a547a2e8ef0ee5383e4a07093b1ab40e8fd61d3cd8d9b4';

const kinds = DEPARTMENT_CODES.flatMap((code) => Object.values(ADAPTERS[code].recordKinds).map((kind) => `${code}:${kind}`)).sort();

/** The adapter file that declares a source: `federation/<folder>/adapter.ts` with `code: '<CODE>'`. */
function adapterSource(code: string): string {
  const federation = path.join(ROOT, 'federation');
  const sources = fs
    .readdirSync(federation, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(federation, e.name, 'adapter.ts')))
    .map((e) => fs.readFileSync(path.join(federation, e.name, 'adapter.ts'), 'utf8'))
    .filter((text) => text.includes(`code: '${code}'`));
  expect({ code, adapters: sources.length }).toEqual({ code, adapters: 1 });
  return sources[0];
}

test('every department declares its record kinds, plain and distinct', () => {
  for (const code of DEPARTMENT_CODES) {
    const declared = Object.values(ADAPTERS[code].recordKinds);
    expect(declared.length).toBeGreaterThan(0);
    expect(new Set(declared).size).toBe(declared.length);
    for (const kind of declared) expect(kind).toMatch(/^[a-z][a-z0-9_]*$/);
  }
});

test('the record kinds are the frozen ones', () => {
  expect(crypto.createHash('sha256').update(kinds.join('\n')).digest('hex')).toBe(FROZEN_KINDS_DIGEST);
});

test('every adapter builds its references from its declared kinds, never from a table', () => {
  for (const code of DEPARTMENT_CODES) {
    const source = adapterSource(code);
    const refs = [...source.matchAll(/sourceRef: (\S+)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect({ code, ref }).toEqual({ code, ref: expect.stringMatching(/^sourceRefOf\(RECORD_KINDS\.\w+,$/) });
    // The kinds are literals, not read from a table definition.
    const declaration = /const RECORD_KINDS = \{([^}]*)\} as const;/.exec(source);
    expect(declaration).not.toBeNull();
    for (const line of declaration![1].split('\n').map((l) => l.trim()).filter(Boolean)) expect(line).toMatch(/^\w+: '[a-z0-9_]+',$/);
  }
});
