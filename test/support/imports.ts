/**
 * The project's import graph as the TypeScript compiler's own pre-processor reads it (`import type`
 * included), relative imports only, each resolved to a file of the given set (`x.ts`, `x/index.ts`).
 * test/layers.test.ts holds the layers to it; test/readme-department-steps.test.ts follows it from a
 * command's entry file.
 */
import path from 'node:path';
import ts from 'typescript';

/** Each file (path relative to the repository) with the project files it imports, from the files' sources by path. */
export function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]> {
  const resolve = (from: string, spec: string): string | null => {
    if (!spec.startsWith('.')) return null;
    const base = path.normalize(path.join(path.dirname(from), spec));
    return [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => sources.has(c)) ?? null;
  };
  return new Map(
    [...sources].filter(([file]) => file.endsWith('.ts')).map(([file, text]) => [
      file,
      ts.preProcessFile(text, true, true).importedFiles.map((i) => resolve(file, i.fileName)).filter((f): f is string => f !== null),
    ]),
  );
}

/** Every file reachable from `entry` through the graph, `entry` included. */
export function reachableFrom(graph: ReadonlyMap<string, readonly string[]>, entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file) || !graph.has(file)) return;
    seen.add(file);
    for (const next of graph.get(file)!) walk(next);
  };
  walk(entry);
  return seen;
}
