/**
 * The cost of an operation, estimated with its variables, before it runs.
 *
 * graphql-armor's cost limit runs as a validation rule, where variables are unknown: it multiplies
 * by a page size written in the document (`first: 500`) but counts `first: $n` as 1, so passing the
 * size as a variable bypassed the limit; and its refusal read "Syntax Error". This one runs once
 * the operation is resolved, with the request's variables coerced as execution will coerce them
 * (defaults included), and refuses with BAD_USER_INPUT, reason QUERY_TOO_COSTLY.
 *
 * The weights are armor's, so limits configured for it keep their meaning: a scalar costs 1, an
 * object 2 plus 1.5 × each child; a field's cost is multiplied by its page size (`first`/`last`,
 * with the schema's default when omitted) or by the length of an `ids` list.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  BREAK,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isCompositeType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from 'graphql';

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;
/** A fragment spread again inside itself (validation refuses cycles; this only bounds the walk). */
const RECURSION_COST = 1000;

function isObjectLike(type: unknown): type is { getFields(): Record<string, import('graphql').GraphQLField<unknown, unknown>> } {
  return typeof (type as { getFields?: unknown })?.getFields === 'function';
}

/** The estimated cost, or null when the variables do not coerce (execution will refuse them itself). */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown> | undefined,
): number | null {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const variables = coerced.coerced;
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 0;
  const visiting = new Set<string>();

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType, topLevel: boolean): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (name.startsWith('__')) continue; // introspection and __typename: free, as in armor
        const field = isObjectLike(parent) ? parent.getFields()[name] : undefined;
        if (!field) continue; // validation has refused unknown fields already
        const child = getNamedType(field.type);
        let cost = SCALAR_COST;
        if (sel.selectionSet && isCompositeType(child)) {
          cost = OBJECT_COST + selectionCost(sel.selectionSet, child, false);
          const args = getArgumentValues(field, sel, variables) as Record<string, unknown>;
          const size = Math.max(
            1,
            typeof args.first === 'number' ? args.first : 0,
            typeof args.last === 'number' ? args.last : 0,
            Array.isArray(args.ids) ? args.ids.length : 0,
          );
          cost *= size;
        }
        total += topLevel ? cost : DEPTH_FACTOR * cost;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        if (type) total += selectionCost(sel.selectionSet, type, topLevel);
      } else {
        const name = sel.name.value;
        const fragment = fragments[name];
        if (!fragment) continue;
        if (visiting.has(name)) {
          total += RECURSION_COST;
          continue;
        }
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (!type) continue;
        visiting.add(name);
        total += selectionCost(fragment.selectionSet, type, topLevel);
        visiting.delete(name);
      }
    }
    return total;
  };
  return selectionCost(operation.selectionSet, root, true);
}

/** The arguments that scale a field's cost (see operationCost). */
const SIZE_ARGUMENTS = new Set(['first', 'last', 'ids']);

function mentionsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(mentionsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => mentionsVariable(f.value));
  return false;
}

/** Whether a page size or `ids` list anywhere in the document is given by a variable: then its cost varies with the request. */
function sizedByVariables(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (SIZE_ARGUMENTS.has(node.name.value) && mentionsVariable(node.value)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Refuses an operation whose estimated cost is above `maxCost`, before anything runs.
 *
 * Apollo keeps each parsed document, so the same query text brings the same operation node. When
 * no page size or `ids` list in it is a variable, its cost is the same for every request: once
 * found within the limit it is remembered for that node, and later requests skip the variable
 * coercion and the walk. A cost above the limit is never remembered (such a request is refused,
 * or, with variables that do not coerce, left to execution's own error, as before).
 */
export function queryCostPlugin(maxCost: number): ApolloServerPlugin {
  const withinLimit = new WeakMap<OperationDefinitionNode, true>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation || withinLimit.has(operation)) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          const cost = operationCost(schema, operation, fragments, request.variables);
          if (cost !== null && cost <= maxCost && !sizedByVariables(document)) withinLimit.set(operation, true);
          if (cost === null || cost <= maxCost) return;
          throw new GraphQLError(`The query's estimated cost is ${Math.ceil(cost)}, above this hub's limit of ${maxCost}: ask for fewer fields or smaller pages`, {
            extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', cost: Math.ceil(cost), maxCost, http: { status: 400 } },
          });
        },
      };
    },
  };
}
