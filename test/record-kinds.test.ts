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
const FROZEN_KINDS_DIGEST = '26ce6a3b5a6b29682dfb133d21590afc2646e9eee1bf35eed888b30f81c45e7c';

const kinds = DEPARTMENT_CODES.flatMap((code) => Object.values(ADAPTERS[code].recordKinds).map((kind) => `${code}:${kind}`)).sort();

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
    const folder = path.dirname(ADAPTERS[code].migrationsFolder);
    const source = fs.readFileSync(path.join(folder, 'adapter.ts'), 'utf8');
    const refs = [...source.matchAll(/sourceRef: (\S+)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect({ code, ref }).toEqual({ code, ref: expect.stringMatching(/^sourceRefOf\(RECORD_KINDS\.\w+,$/) });
    // The kinds are literals, not read from a table definition.
    const declaration = /const RECORD_KINDS = \{([^}]*)\} as const;/.exec(source);
    expect(declaration).not.toBeNull();
    for (const line of declaration![1].split('\n').map((l) => l.trim()).filter(Boolean)) expect(line).toMatch(/^\w+: '[a-z0-9_]+',$/);
  }
});
