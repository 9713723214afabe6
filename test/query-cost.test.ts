/**
 * The query-cost estimate reads variables: a page size passed as a variable costs what the literal
 * costs; `_entities` costs each representation; a write's input lists cost per item, through aliases too.
 */
import { Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_QUERY_LIMITS } from '../db/config';
import { buildFederatedSchema, buildSchema } from '../resolvers/index';
import { INPUT_ITEM_COST, operationCost } from '../server/query-cost';

const schema = buildSchema();

function cost(source: string, variables?: Record<string, unknown>): number | null {
  return costIn(schema, source, variables);
}

function costIn(schema: GraphQLSchema, source: string, variables?: Record<string, unknown>): number | null {
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

it('costs each representation a federation router asks _entities for: 1,000 cost as 1,000 look-ups, not one', () => {
  const federated = buildFederatedSchema();
  const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Household { registrationNumber members { relation } } } }';
  const entities = (n: number) => costIn(federated, ENTITIES, { r: Array.from({ length: n }, (_, i) => ({ __typename: 'Household', id: String(i + 1) })) })!;
  expect(entities(1000)).toBe(entities(1) * 1000);
  // As many as a page of households costs, and refused past the limit as it would be.
  expect(entities(20_000)).toBeGreaterThan(DEFAULT_QUERY_LIMITS.maxCost);
});

describe('a write’s input lists', () => {
  const RECORD = { reference: 'R', beneficiaryIdNumber: '370811197504120031', programme: 'DISASTER_TRANSITION_LIVING', grantDate: '2026-03-01', amountFen: 100 };
  const records = (n: number) => Array.from({ length: n }, (_, i) => ({ ...RECORD, reference: `R-${i}` }));
  const REPORT = (selection: string) => `mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { ${selection} } }`;

  it('cost INPUT_ITEM_COST per item, whatever the write selects', () => {
    const small = cost(REPORT('recorded'), { records: records(1) })!;
    const large = cost(REPORT('recorded'), { records: records(1000) })!;
    expect(large - small).toBe(999 * INPUT_ITEM_COST);
    // Selecting less (only __typename) does not make the records cheaper.
    expect(cost(REPORT('__typename'), { records: records(1000) })).toBeGreaterThanOrEqual(1000 * INPUT_ITEM_COST);
    // Written in the document, as given by a variable.
    const literal = `mutation { aidReport(input: { records: [${records(3).map((r) => `{ reference: "${r.reference}", beneficiaryIdNumber: "${r.beneficiaryIdNumber}", programme: "${r.programme}", grantDate: "${r.grantDate}", amountFen: ${r.amountFen} }`).join(', ')}] }) { recorded } }`;
    expect(cost(literal)).toBe(cost(REPORT('recorded'), { records: records(3) }));
  });

  it('repeated through aliases, count every alias’s items: aidReport 20 times with 300 records each is over the default limit, once is not', () => {
    const aliased = (n: number) => `mutation(${Array.from({ length: n }, (_, i) => `$r${i}: [ReportedAidInput!]!`).join(', ')}) { ${Array.from({ length: n }, (_, i) => `a${i}: aidReport(input: { records: $r${i} }) { recorded userErrors { index code } }`).join(' ')} }`;
    const variables = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, records(300)]));
    const once = cost(aliased(1), variables(1))!;
    expect(once).toBeLessThanOrEqual(DEFAULT_QUERY_LIMITS.maxCost);
    expect(cost(aliased(20), variables(20))).toBe(once * 20);
    expect(cost(aliased(20), variables(20))).toBeGreaterThan(DEFAULT_QUERY_LIMITS.maxCost);
  });
});
