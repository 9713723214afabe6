/** The query-cost estimate reads variables: a page size passed as a variable costs what the literal costs. */
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../resolvers/index';
import { operationCost } from '../server/query-cost';

const schema = buildSchema();

function cost(source: string, variables?: Record<string, unknown>): number | null {
  const doc = parse(source);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return operationCost(schema, operation, fragments, variables);
}

const PAGE = (first: string) => `householdsInRegion(code: "370811"${first}) { edges { node { registrationNumber members { relation } } } }`;

it('costs a page size passed as a variable, or as a variable’s default, as the same size written in the document', () => {
  const literal = cost(`{ ${PAGE(', first: 400')} }`)!;
  expect(cost(`query($n: Int!) { ${PAGE(', first: $n')} }`, { n: 400 })).toBe(literal);
  expect(cost(`query($n: Int = 400) { ${PAGE(', first: $n')} }`)).toBe(literal);
  expect(cost(`query($n: Int!) { ...P } fragment P on Query { ${PAGE(', first: $n')} }`, { n: 400 })).toBe(literal);
  // Bigger pages cost more, in proportion.
  expect(cost(`query($n: Int!) { ${PAGE(', first: $n')} }`, { n: 4 })! * 100).toBe(literal);
});

it('uses the schema’s default page size when none is given, and the length of an ids list', () => {
  expect(cost(`{ ${PAGE('')} }`)).toBe(cost(`{ ${PAGE(', first: 50')} }`));
  const ids = (n: number) => cost('query($ids: [ID!]!) { households(ids: $ids) { registrationNumber } }', { ids: Array.from({ length: n }, (_, i) => String(i + 1)) })!;
  expect(ids(500)).toBe(ids(1) * 500);
});

it('leaves variables that do not coerce to execution, which refuses them', () => {
  expect(cost(`query($n: Int!) { ${PAGE(', first: $n')} }`, { n: 'many' })).toBeNull();
});
