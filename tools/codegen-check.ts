/**
 * `npm run typecheck` runs this first: it generates the resolver types from schema/ and codegen.ts
 * in memory and compares them with the checked-in file, so a schema change without
 * `npm run codegen` fails in CI instead of type-checking against stale types.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config, { GENERATED_TYPES } from '../codegen';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..');
  const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: root, silent: true }, false);
  const fresh = outputs.find((o) => path.resolve(root, o.filename) === path.resolve(root, GENERATED_TYPES));
  if (!fresh) throw new Error(`codegen.ts no longer generates ${GENERATED_TYPES}`);
  const file = path.join(root, GENERATED_TYPES);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (current === fresh.content) return;
  const at = current === null ? -1 : firstDifferentLine(current, fresh.content);
  console.error(
    current === null
      ? `${GENERATED_TYPES} is missing: run \`npm run codegen\` and commit it.`
      : `${GENERATED_TYPES} is out of date with schema/ or codegen.ts (first difference at line ${at}): run \`npm run codegen\` and commit it.`,
  );
  process.exitCode = 1;
}

function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i + 1;
  return 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
