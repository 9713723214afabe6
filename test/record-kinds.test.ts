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
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { ADAPTERS } from '../federation/registry';

const ROOT = path.join(__dirname, '..');

/**
 * sha256 of each department's kinds, `CODE:kind` sorted, one a line: one digest a department, so
 * that a new department adds its own line and leaves the others' as they were. Changing a kind
 * changes the identity of stored findings: it needs a migration of `finding.fingerprint`, not a
 * new digest. (Digests rather than the lists, so that no file outside a department's folder
 * spells names that are also its tables'; test/department-tables.test.ts.)
 */
// The first release's kinds gave 26ce6a3b… (one digest over every department); civil affairs'
// monitored roll and the reported-aid ledger added one kind each, giving 2a392e4a… over the eight
// sources below, which the last test still checks.
const FROZEN_KINDS_DIGESTS: Record<string, string> = {
  CIVIL_AFFAIRS: '361043bd73f8ae4780a9f3fade674879b5c7df05799889c54215f67a81d13d75',
  EDUCATION: '88af3d4fb5c24c8e128b1856d508d9aedcaf6480c8028a283963156d742cd0d0',
  HOUSING: 'aa5dbc17ab15f445265b18a8b4f90b8d52c836b7deab9ece6ca1173c32f62e1a',
  HEALTH: 'c80a26f523fbe2f7dc860161441badf0fe9883c1dd022d04ec3c4bb5a7202bbd',
  UNION: '30b93f506586104273be6913381df073020acab83438b42e3d7b9b1680dbc580',
  DISABILITY: '3a69793d336a9d14f6721690c6b59baec8da1ebd900519d418349f46f4616f16',
  HUMAN_RESOURCES: '8b8566768f24d4200c2a48d3fb24246ba8f1be737a268dd23eba2fad82ddb27b',
  REPORTED: '6d22ca9c360bcd1c80b4edc2ddc8d57110b2b621479893fae4328e80e395670a',
};

const kindsOf = (code: DepartmentCode): string[] => Object.values(ADAPTERS[code].recordKinds).map((kind) => `${code}:${kind}`);
const sha256 = (lines: string[]): string => crypto.createHash('sha256').update(lines.sort().join('\n')).digest('hex');

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

test('the record kinds are the frozen ones, one digest a department', () => {
  // A department missing here is new: add its line with the digest this reports.
  expect(Object.fromEntries(DEPARTMENT_CODES.map((code) => [code, sha256(kindsOf(code))]))).toEqual(FROZEN_KINDS_DIGESTS);
});

test('the departments released before the digests were kept one a department have the kinds they had', () => {
  const released = ['CIVIL_AFFAIRS', 'EDUCATION', 'HOUSING', 'HEALTH', 'UNION', 'DISABILITY', 'HUMAN_RESOURCES', 'REPORTED'] as const;
  expect(sha256(released.flatMap(kindsOf))).toBe('2a392e4acaff7fd888a547a2e8ef0ee5383e4a07093b1ab40e8fd61d3cd8d9b4');
});

test('every adapter builds its references from its declared kinds, never from a table', () => {
  for (const code of DEPARTMENT_CODES) {
    const source = adapterSource(code);
    const refs = [...source.matchAll(/sourceRef: (\S+)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect({ code, ref }).toEqual({ code, ref: expect.stringMatching(/^sourceRefOf\(RECORD_KINDS\.\w+,$/) });
    // The kinds are literals, not read from a table definition.
    // (One a line or all on one, as a formatter leaves them.)
    const declaration = /const RECORD_KINDS = \{([^}]*)\} as const;/.exec(source);
    expect(declaration).not.toBeNull();
    const entries = declaration![1].split(',').map((e) => e.trim()).filter(Boolean);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect({ code, entry }).toEqual({ code, entry: expect.stringMatching(/^\w+: '[a-z0-9_]+'$/) });
  }
});
