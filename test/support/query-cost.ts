/** The estimated cost of a query as the hub's cost limit reckons it (server/query-cost.ts), for tests that size MAX_QUERY_COST_IN_FLIGHT around it. */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../../resolvers/index';
import { operationCost } from '../../server/query-cost';

export function costOf(query: string, variables: Record<string, unknown>): number {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return Math.ceil(operationCost(buildSchema(), op, {}, variables)!);
}
