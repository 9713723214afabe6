/**
 * The one place the executable schema is built: every `schema/<domain>.graphql` with its
 * `resolvers/<domain>.ts`, and resolvers required to match the schema exactly. The access policy
 * (access/policy.ts) is then applied to every field: a field without a declared rule is closed.
 * Every date and instant argument is held to its range (date-ranges.ts), every text and id
 * argument to its shape (text-inputs.ts, id-inputs.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLScalarType, parse, type GraphQLSchema } from 'graphql';
import { applyAccessPolicy } from '../access/enforce';
import type { Resolvers } from './__generated__/types';
import { accessResolvers } from './access/resolvers';
import { alertDeliveryResolvers } from './alert-delivery/resolvers';
import { caseResolvers } from './cases/resolvers';
import { charityResolvers } from './charity/resolvers';
import { commonResolvers } from './common';
import { applyDateRanges } from './date-ranges';
import { applyProseMasking, applyTextChecks } from './text-inputs';
import { applyIdChecks } from './id-inputs';
import { findingResolvers } from './findings/resolvers';
import { householdResolvers } from './household/resolvers';
import { legalAidResolvers } from './legal-aid/resolvers';
import { monitoringResolvers } from './monitoring/resolvers';
import { monthlyComparisonResolvers } from './monitoring/monthly-resolvers';
import { villageNoticeResolvers } from './monitoring/notice';
import { reportedAidResolvers } from './reported-aid/resolvers';
import { scalarResolvers } from './scalars';
import { loadTypeDefs, SCHEMA_DIR } from './type-defs';
import { badInput, requireHouseholdId } from '../access/errors';
import type { HubContext } from './context';

export { loadTypeDefs, SCHEMA_DIR } from './type-defs';

export const resolvers: Resolvers[] = [scalarResolvers, commonResolvers, householdResolvers, accessResolvers, caseResolvers, findingResolvers, monitoringResolvers, villageNoticeResolvers, monthlyComparisonResolvers, alertDeliveryResolvers, reportedAidResolvers, charityResolvers, legalAidResolvers];

export function buildSchema(): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error', requireResolversForResolveType: 'error' },
  });
  // Dates, texts and ids first, so that the access policy (outermost) still decides before any argument is read.
  return applyAccessPolicy(applyIdChecks(applyTextChecks(applyProseMasking(applyDateRanges(schema)))));
}

/** The federation additions (an entity key), used only by buildFederatedSchema. */
export const SUBGRAPH_SDL_FILE = path.join(SCHEMA_DIR, 'subgraph', 'federation.graphql');

/**
 * The same schema served as an Apollo Federation 2 subgraph: `Household` is an entity keyed by the
 * hub's household id, resolved through the same loader as `household(id:)`. The access policy is
 * applied after, so `_entities` is a root field with its own rule (roles, purposes, the household
 * ids it names audited) and every Household it returns gets its view from its own region, exactly
 * as any other household does.
 */
export function buildFederatedSchema(): GraphQLSchema {
  const entityResolvers = {
    Household: {
      __resolveReference: (ref: { id: string }, ctx: HubContext) => ctx.loaders.hub.householdById.load(requireHouseholdId(ref.id)),
    },
  };
  const merged: Record<string, Record<string, unknown>> = {};
  for (const r of [...resolvers, entityResolvers] as Record<string, unknown>[]) {
    for (const [type, fields] of Object.entries(r)) {
      // Scalars are GraphQLScalarType instances: kept whole, not spread.
      merged[type] = merged[type] && !(fields instanceof GraphQLScalarType) ? { ...merged[type], ...(fields as object) } : (fields as Record<string, unknown>);
    }
  }
  const typeDefs = parse([...loadTypeDefs(), fs.readFileSync(SUBGRAPH_SDL_FILE, 'utf8')].join('\n'));
  // The resolver map is the same one makeExecutableSchema takes; @apollo/subgraph types it its own way.
  const modules = [{ typeDefs, resolvers: merged }] as unknown as Parameters<typeof buildSubgraphSchema>[0];
  const schema = applyAccessPolicy(applyIdChecks(applyTextChecks(applyProseMasking(applyDateRanges(buildSubgraphSchema(modules))))));
  // Outermost: a representation is checked before the access policy reads its id as a subject.
  const entities = schema.getQueryType()!.getFields()._entities;
  const resolve = entities.resolve!;
  entities.resolve = (source, args, ctx, info) => {
    checkRepresentations(args.representations);
    return resolve(source, args, ctx, info);
  };
  return schema;
}

/**
 * What a router sends for a household reference: `{ __typename: "Household", id }`, the id the
 * hub's own (a string, or a number of that form). Anything else is refused as bad input before
 * any read, naming the representation and never repeating what it held: another type is not an
 * entity here (@apollo/subgraph's own error for it was an internal error quoting the type name),
 * and an id in another shape (a list around it) escaped the access policy's reading of the
 * subjects named, so a county's caller was refused for a household outside its scope and answered
 * null for an id the hub does not hold.
 */
export function checkRepresentations(representations: unknown): void {
  if (!Array.isArray(representations)) return;
  representations.forEach((rep: unknown, i) => {
    const argument = `representations[${i}]`;
    if (rep === null || typeof rep !== 'object' || Array.isArray(rep)) {
      throw badInput(argument, 'MALFORMED_REPRESENTATION', `${argument} is not an entity representation ({ __typename, id })`);
    }
    const { __typename: typename, id } = rep as Record<string, unknown>;
    if (typename !== 'Household') throw badInput(`${argument}.__typename`, 'UNKNOWN_ENTITY_TYPE', `${argument}.__typename is not an entity of the hub: Household is the only one`);
    if (typeof id !== 'string' && typeof id !== 'number') throw badInput(`${argument}.id`, 'MALFORMED_ID', `${argument}.id is not a household id`);
    requireHouseholdId(String(id), `${argument}.id`);
  });
}
