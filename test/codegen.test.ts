/**
 * `npm run codegen` (tools/codegen.ts) reads the SDL alone. A schema change comes first when a
 * department is added (README, "Adding a department", step 1: a new DepartmentCode); the code that
 * is typed `Record<DepartmentCode, …>` (the registry, the loaders) is written afterwards against the
 * generated types. Codegen loaded the whole resolver graph to find the .graphql files, and so ran
 * the registry's module-level look-ups (resolvers/findings/live.ts's `factProvider`), which threw
 * `Cannot read properties of undefined (reading 'facts')` until the new adapter existed.
 * Imports are read with the TypeScript compiler's pre-processor, as test/layers.test.ts does.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** Every project file a file imports, directly or not (package imports aside). */
function importClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true);
    for (const i of info.importedFiles) {
      if (!i.fileName.startsWith('.')) continue;
      const base = path.normalize(path.join(path.dirname(file), i.fileName));
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(path.join(ROOT, c)));
      if (target) queue.push(target);
    }
  }
  return seen;
}

test('codegen reads the schema without loading the resolvers, the registry or any department', () => {
  const closure = [...importClosure(path.join('tools', 'codegen.ts'))].sort();
  expect(closure).toContain(path.join('resolvers', 'type-defs.ts'));
  expect(closure.filter((f) => /^(federation|db|access|server)\//.test(f) || (f.startsWith('resolvers/') && f !== path.join('resolvers', 'type-defs.ts')))).toEqual([]);
});
