/**
 * The query-cost estimate reads variables: a page size passed as a variable costs what the literal
 * costs; `_entities` costs each representation; a write's input lists cost per item, through aliases
 * too; a list without a page size costs its assumed size, so nesting lists costs what it multiplies.
 */
import { Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_QUERY_LIMITS } from '../db/config';
import { buildFederatedSchema, buildSchema } from '../resolvers/index';
import { DEPARTMENT_CODES } from '../domain/departments';
import { redactErrorMessage } from '../access/redact';
import { COST_WRITTEN_UP_TO, costText, INPUT_ITEM_COST, largestFittingPage, LIVE_FINDINGS_COST, OMITTED_PAGE_SIZE, operationCost, UNSIZED_LIST_SIZE } from '../server/query-cost';

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

describe('lists without a page size', () => {
  // Each level of nesting multiplies what is read; counted once each, this was 189 (a household, its members' findings, their people's findings' records and their beneficiaries' aid).
  const NESTED = '{ household(id: "1") { members { person { findings { people { findings { records { beneficiary { aid { amountFen } } } } } } } } } }';

  it('cost UNSIZED_LIST_SIZE times their selection, so a nested query through them is over the default limit', () => {
    const members = (selection: string) => cost(`{ household(id: "1") { ${selection} } }`)!;
    expect(members('id members { relation }') - members('id')).toBe(1.5 * UNSIZED_LIST_SIZE * (2 + 1.5));
    expect(cost(NESTED)).toBeGreaterThan(DEFAULT_QUERY_LIMITS.maxCost);
    // One level of it is an ordinary query.
    expect(cost('{ household(id: "1") { members { person { name aid { amountFen programme { name } } } } } }')).toBeLessThan(DEFAULT_QUERY_LIMITS.maxCost / 50);
  });

  it('count a list of departments as many as there are, a connection’s edges once (its page is counted at its field), a page left out without a default as the resolvers’ default', () => {
    expect(cost('{ household(id: "1") { findings { departments { code } } } }')).toBe(2 + 1.5 * (UNSIZED_LIST_SIZE * (2 + 1.5 * DEPARTMENT_CODES.length * (2 + 1.5)) + LIVE_FINDINGS_COST));
    expect(cost('{ caller { name } rules { id } }')! - cost('{ caller { name } }')!).toBe(UNSIZED_LIST_SIZE * (2 + 1.5));
    expect(cost('{ rules { programmes { department { code } } } }')).toBe(UNSIZED_LIST_SIZE * (2 + 1.5 * UNSIZED_LIST_SIZE * (2 + 1.5 * (2 + 1.5))));
    expect(cost('{ triggers { id } }')).toBe(UNSIZED_LIST_SIZE * 3.5);
    const alerts = (first: string) => cost(`{ alerts${first} { edges { node { id } } } }`);
    expect(alerts('')).toBe(alerts('(first: 50)'));
    expect(alerts('')).toBe(OMITTED_PAGE_SIZE * (2 + 1.5 * (2 + 1.5 * (2 + 1.5))));
  });
});

describe('variables read as sent, not coerced', () => {
  const REPORT = 'mutation($records: [ReportedAidInput!]!) { aidReport(input: { records: $records }) { recorded } }';
  const RECORD = { reference: 'R', beneficiaryIdNumber: '370811197504120031', programme: 'DISASTER_TRANSITION_LIVING', grantDate: '2026-03-01', amountFen: 100 };

  it('count one value where a list is declared as the list of one execution makes of it', () => {
    expect(cost(REPORT, { records: RECORD })).toBe(cost(REPORT, { records: [RECORD] }));
  });

  it('count only the fields the input type has: lists under other keys, which execution refuses, add nothing', () => {
    expect(cost(REPORT, { records: [{ ...RECORD, junk: Array.from({ length: 1000 }, () => 1) }] })).toBe(cost(REPORT, { records: [RECORD] }));
  });

  it('cost a page size given as a variable the same whether or not it would coerce, but leave a non-Int to execution', () => {
    expect(cost(`query($n: Int) { ${PAGE(', first: $n')} }`, { n: 2.5 })).toBeNull();
    expect(cost(`query($n: Int) { ${PAGE(', first: $n')} }`, { n: 2 ** 31 })).toBeNull();
    expect(cost(`query($n: Int) { ${PAGE(', first: $n')} }`, { n: null })).toBe(cost(`{ ${PAGE('')} }`));
    // A variable not sent is absent, whatever its name: not Object.prototype's `constructor`, which is no Int and skipped the estimate.
    const nested = 'household(id: "1") { members { person { findings { people { findings { records { beneficiary { aid { amountFen } } } } } } } } }';
    expect(cost(`query($constructor: Int) { ${PAGE(', first: $constructor')} ${nested} }`)).toBeGreaterThan(DEFAULT_QUERY_LIMITS.maxCost);
  });
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

describe('live findings', () => {
  // Computed from every department's records of each household asked about, whatever is selected
  // (resolvers/findings/live.ts): a page of 480 households asking for them cost 64,905 and ran,
  // reading about 1,500 people from every department at once (docs/performance.md, Session 32).
  const FINDINGS_PAGE = (n: number) => `{ householdsInRegion(code: "370800", first: ${n}) { edges { node { id findings { rule { id } } } } } }`;
  const FINDINGS_IDS = 'query($ids: [ID!]!) { households(ids: $ids) { id findings { rule { id } } } }';
  const ids = (n: number) => ({ ids: Array.from({ length: n }, (_, i) => String(i + 1)) });

  it('cost LIVE_FINDINGS_COST per household or person asked about, beyond what they select', () => {
    expect(cost('{ household(id: "1") { findings { rule { id } } } }')! - cost('{ household(id: "1") { id } }')!).toBe(1.5 * (UNSIZED_LIST_SIZE * (2 + 1.5 * (2 + 1.5)) + LIVE_FINDINGS_COST) - 1.5);
    expect(cost('{ person(idNumber: "370811197504120031") { findings { id } } }')! - cost('{ person(idNumber: "370811197504120031") { name } }')!).toBe(1.5 * (UNSIZED_LIST_SIZE * 3.5 + LIVE_FINDINGS_COST) - 1.5);
    // A scan's stored findings are a page read from the hub's own tables: not charged.
    expect(cost('{ scan(id: "1") { findings(first: 10) { edges { node { id } } } } }')).toBe(2 + 1.5 * 10 * (2 + 1.5 * (2 + 1.5 * (2 + 1.5))));
  });

  it('refuse findings of more than 185 households a page, 420 by ids, at the default limit', () => {
    const max = DEFAULT_QUERY_LIMITS.maxCost;
    expect(cost(FINDINGS_PAGE(185))).toBeLessThanOrEqual(max);
    expect(cost(FINDINGS_PAGE(186))).toBeGreaterThan(max);
    expect(cost(FINDINGS_PAGE(480))).toBeGreaterThan(max);
    expect(cost(FINDINGS_IDS, ids(420))).toBeLessThanOrEqual(max);
    expect(cost(FINDINGS_IDS, ids(421))).toBeGreaterThan(max);
    // Pages of households without findings are as they were: 500 cost what they did.
    expect(cost(`{ householdsInRegion(code: "370800", first: 500) { edges { node { id aid { amountFen } } } } }`)).toBeLessThanOrEqual(max);
  });
});

it('writes a cost in groups of three, which the masking of ID numbers leaves as it is, and a cost past 10^15 as more than that', () => {
  // In plain digits, 12 or more were withheld from a refusal's message as a possible ID number.
  for (const c of [100_000, 154_484_604_857, 999_999_999_999_999]) {
    const message = `The query's estimated cost is ${costText(c)}, above`;
    expect(redactErrorMessage(message)).toBe(message);
    expect(Number(costText(c).replace(/,/g, ''))).toBe(c);
  }
  // Six groups or more hold 18 digits, which may spell a valid ID number and be masked.
  for (const c of [COST_WRITTEN_UP_TO, 1e21, Infinity]) expect(costText(c)).toBe('more than 1,000,000,000,000,000');
});

describe('households and persons named by an operation (MAX_HOUSEHOLDS_PER_OPERATION)', () => {
  function namedIn(schema: GraphQLSchema, source: string, variables?: Record<string, unknown>): number {
    const doc = parse(source);
    const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
    const counted = { inputItems: 0, households: 0 };
    expect(operationCost(schema, operation, fragments, variables, counted)).not.toBeNull();
    return counted.households;
  }
  const named = (source: string, variables?: Record<string, unknown>) => namedIn(schema, source, variables);
  const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => String(from + i));

  it('adds up every root field’s ids, page and single look-ups over aliases and fragments', () => {
    // Ten aliases of 500 ids: 5,000 households, whose cost selecting `id` (15,000) is far within the cost limit.
    const aliases = Array.from({ length: 10 }, (_, a) => `a${a}: households(ids: $v${a}) { id }`).join(' ');
    const defs = Array.from({ length: 10 }, (_, a) => `$v${a}: [ID!]!`).join(', ');
    const variables = Object.fromEntries(Array.from({ length: 10 }, (_, a) => [`v${a}`, ids(500, a * 500 + 1)]));
    expect(named(`query(${defs}) { ${aliases} }`, variables)).toBe(5000);
    expect(cost(`query(${defs}) { ${aliases} }`, variables)).toBeLessThan(DEFAULT_QUERY_LIMITS.maxCost);
    // A page counts its size, the schema's default when none is given; a household or a person asked for by itself, one.
    expect(named(`{ a: ${PAGE(', first: 300')} b: ${PAGE('')} }`)).toBe(350);
    expect(named('{ household(id: "1") { id } householdByMember(idNumber: "110101199003070011") { id } person(idNumber: "110101199003070011") { name } }')).toBe(3);
    // A legal-aid office's question names its one applicant, each alias one more (schema/legal-aid.graphql).
    expect(named('{ a: socialAssistanceStanding(idNumber: "110101199003070011") { recipient } b: socialAssistanceStanding(idNumber: "110101199003070011") { recipient } }')).toBe(2);
    expect(named('query($v: [ID!]!) { ...F } fragment F on Query { households(ids: $v) { id } ... on Query { household(id: "1") { id } } }', { v: ids(7) })).toBe(8);
    // Households reached through another answer are read with it, and not counted again; other fields name none.
    expect(named('{ household(id: "1") { members { person { name } } } caller { name } }')).toBe(1);
    expect(named('{ caller { name } }')).toBe(0);
  });

  it('counts each representation a federation router asks _entities for', () => {
    const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Household { registrationNumber } } }';
    expect(namedIn(buildFederatedSchema(), ENTITIES, { r: ids(600).map((id) => ({ __typename: 'Household', id })) })).toBe(600);
  });
});

describe('largestFittingPage: the page a refusal for cost names (maxFirst)', () => {
  const fitting = (source: string, variables: Record<string, unknown>, maxCost: number) => {
    const doc = parse(source);
    const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    return largestFittingPage(schema, operation, {}, variables, maxCost, 500);
  };
  const ONE = `query($n: Int!) { ${PAGE(', first: $n')} }`;
  const TWO = `query($n: Int!) { a: ${PAGE(', first: $n')} b: ${PAGE(', first: $n')} }`;

  it('is the largest page whose cost is within the limit, every page of the operation held to it', () => {
    // Whole units, as the plugin compares them (Math.ceil of the estimate).
    const limit = Math.ceil(cost(ONE, { n: 37 })!);
    const page = fitting(ONE, { n: 500 }, limit)!;
    expect(page).toBe(37);
    expect(Math.ceil(cost(ONE, { n: page + 1 })!)).toBeGreaterThan(limit);
    // Two pages of the operation share the limit: each is held to about half.
    const both = fitting(TWO, { n: 500 }, limit)!;
    expect(Math.ceil(cost(TWO, { n: both })!)).toBeLessThanOrEqual(limit);
    expect(Math.ceil(cost(TWO, { n: both + 1 })!)).toBeGreaterThan(limit);
    expect(both).toBeLessThan(page);
  });

  it('is null where no page size makes the operation fit, or where its pages are not what is over', () => {
    expect(fitting(ONE, { n: 500 }, 1)).toBeNull();
    const ids = Array.from({ length: 500 }, (_, i) => String(i + 1));
    expect(fitting('query($ids: [ID!]!) { households(ids: $ids) { registrationNumber members { relation } } }', { ids }, 1000)).toBeNull();
  });
});
