/**
 * `npm run codegen` writes the resolver types generated from schema/*.graphql and codegen.ts;
 * `--check` (run first by `npm run typecheck`) generates them in memory and compares with the
 * checked-in file, so a schema change without `npm run codegen` fails in CI instead of
 * type-checking against stale types.
 */
import fs from 'node:fs';
import path from 'node:path';
import { codegen } from '@graphql-codegen/core';
import * as addPlugin from '@graphql-codegen/add';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import * as resolversPlugin from '@graphql-codegen/typescript-resolvers';
import { buildASTSchema, parse } from 'graphql';
import { GENERATED_HEADER, GENERATED_TYPES, pluginConfig } from '../codegen';
import { loadTypeDefs } from '../resolvers/type-defs';
import { parseCommandLine } from './command-args';

const ROOT = path.join(__dirname, '..');

export async function generateResolverTypes(): Promise<string> {
  const document = parse(loadTypeDefs().join('\n'));
  return codegen({
    filename: GENERATED_TYPES,
    schema: document,
    schemaAst: buildASTSchema(document),
    documents: [],
    config: pluginConfig,
    plugins: [{ add: { content: GENERATED_HEADER } }, { typescript: {} }, { 'typescript-resolvers': {} }],
    pluginMap: { add: addPlugin, typescript: typescriptPlugin, 'typescript-resolvers': resolversPlugin },
  });
}

function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i + 1;
  return 0;
}

async function main(check: boolean): Promise<void> {
  const fresh = await generateResolverTypes();
  const file = path.join(ROOT, GENERATED_TYPES);
  if (!check) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, fresh);
    console.log(`wrote ${GENERATED_TYPES}`);
    return;
  }
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (current === fresh) return;
  console.error(
    current === null
      ? `${GENERATED_TYPES} is missing: run \`npm run codegen\` and commit it.`
      : `${GENERATED_TYPES} is out of date with schema/ or codegen.ts (first difference at line ${firstDifferentLine(current, fresh)}): run \`npm run codegen\` and commit it.`,
  );
  process.exitCode = 1;
}

const USAGE = `usage: npm run codegen [-- --check]
  Writes ${GENERATED_TYPES} from schema/*.graphql; --check only compares (exit 1 when it is stale).`;

if (require.main === module) {
  // A misspelt --chek wrote the file instead of checking it.
  main(parseCommandLine(USAGE, { check: { type: 'boolean' } }).check === true).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
