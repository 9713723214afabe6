/**
 * The layers depend one way (README, "Architecture"): every import of a file points to its own
 * layer or one below, no two top-level folders import each other, and no chain of imports
 * between the project's files comes back to where it started. Imports are read with the
 * TypeScript compiler's own pre-processor, `import type` included: a type-only cycle still means
 * two modules cannot be understood or moved apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importGraph } from './support/imports';

const ROOT = path.join(__dirname, '..');

/**
 * Lowest first. A file may import its own layer or any lower one. Tests sit above the product;
 * the bench above them, since it may reuse a test's fixtures (bench/rules-sweep.ts times the
 * rules over the unit tests' facts) and no test reaches into the bench.
 */
const LAYERS: readonly (readonly string[])[] = [['domain'], ['rules', 'db'], ['federation'], ['access'], ['resolvers'], ['tools'], ['server'], ['test'], ['bench']];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : sourceFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

const FILES = LAYERS.flat().flatMap((dir) => sourceFiles(dir));
const IMPORTS = importGraph(new Map(FILES.map((file) => [file, fs.readFileSync(path.join(ROOT, file), 'utf8')])));

const isTest = (file: string) => file.endsWith('.test.ts');
const folderOf = (file: string) => file.split(path.sep)[0];
function layerOf(file: string): number {
  if (isTest(file)) return LAYERS.findIndex((l) => l.includes('test'));
  return LAYERS.findIndex((l) => l.includes(folderOf(file)));
}

test('the import graph was read', () => {
  expect(FILES.length).toBeGreaterThan(100);
  expect(IMPORTS.get(path.join('resolvers', 'index.ts'))?.length).toBeGreaterThan(3);
});

test('every import points to the same layer or a lower one', () => {
  const upward: string[] = [];
  for (const [file, targets] of IMPORTS) for (const t of targets) if (layerOf(t) > layerOf(file)) upward.push(`${file} -> ${t}`);
  expect(upward).toEqual([]);
});

test('no two top-level folders import each other', () => {
  const pairs = new Set<string>();
  for (const [file, targets] of IMPORTS) for (const t of targets) if (!isTest(file) && folderOf(t) !== folderOf(file)) pairs.add(`${folderOf(file)} -> ${folderOf(t)}`);
  const bothWays = [...pairs].filter((p) => pairs.has(p.split(' -> ').reverse().join(' -> ')));
  expect(bothWays).toEqual([]);
});

test('no import cycle between files', () => {
  // Tarjan's strongly connected components: any component of more than one file is a cycle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of IMPORTS.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (IMPORTS.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const f of FILES) if (!index.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

test('outside its folder, a department is reached only through the registry (tests aside)', () => {
  const departmentFolder = (file: string): string | null => {
    const parts = file.split(path.sep);
    return parts[0] === 'federation' && parts.length > 2 ? parts[1] : null;
  };
  const reaching: string[] = [];
  for (const [file, targets] of IMPORTS) {
    if (isTest(file) || folderOf(file) === 'test' || file === path.join('federation', 'registry.ts')) continue;
    for (const t of targets) {
      const dept = departmentFolder(t);
      if (dept !== null && departmentFolder(file) !== dept) reaching.push(`${file} -> ${t}`);
    }
  }
  expect(reaching).toEqual([]);
});
