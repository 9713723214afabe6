/**
 * The SDL, read from schema/*.graphql: the source of truth for the executable schema
 * (resolvers/index.ts) and for the generated resolver types (tools/codegen.ts). It imports nothing
 * of the hub, so `npm run codegen` reads the schema alone: a schema change (a new DepartmentCode,
 * README "Adding a department") is generated before the resolvers, loaders and registry it will be
 * wired into are written, instead of failing while loading code that is not finished yet.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SCHEMA_DIR = path.join(__dirname, '..', 'schema');

export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8'));
}
