/**
 * The one place the executable schema is built: every `schema/<domain>.graphql` with its
 * `resolvers/<domain>.ts`, and resolvers required to match the schema exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { commonResolvers } from './common';
import { householdResolvers } from './household';
import { scalarResolvers } from './scalars';

export const SCHEMA_DIR = path.join(__dirname, '..', 'schema');

export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8'));
}

export const resolvers = [scalarResolvers, commonResolvers, householdResolvers];

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error', requireResolversForResolveType: 'error' },
  });
}
