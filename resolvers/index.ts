/**
 * The one place the executable schema is built: every `schema/<domain>.graphql` with its
 * `resolvers/<domain>.ts`, and resolvers required to match the schema exactly. The access policy
 * (access/policy.ts) is then applied to every field: a field without a declared rule is closed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { applyAccessPolicy } from '../access/enforce';
import { accessResolvers } from './access/resolvers';
import { caseResolvers } from './cases/resolvers';
import { commonResolvers } from './common';
import { findingResolvers } from './findings/resolvers';
import { householdResolvers } from './household/resolvers';
import { scalarResolvers } from './scalars';

export const SCHEMA_DIR = path.join(__dirname, '..', 'schema');

export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(SCHEMA_DIR, f), 'utf8'));
}

export const resolvers = [scalarResolvers, commonResolvers, householdResolvers, accessResolvers, caseResolvers, findingResolvers];

export function buildSchema(): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error', requireResolversForResolveType: 'error' },
  });
  return applyAccessPolicy(schema);
}
