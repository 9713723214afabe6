/**
 * server/argument-values.ts: with the shortcut installed, every resolver gets the arguments
 * graphql-js's own `getArgumentValues` gives it, a field that declares none a new empty plain
 * object each time; and for every field of the hub's own schema the two agree. If a graphql-js
 * upgrade stops letting the export be replaced, the first test says so (the shortcut is then
 * silently skipped, and the household query pays its ~144 slow copies again).
 */
import { buildSchema, execute, isObjectType, Kind, parse, type FieldNode, type GraphQLSchema } from 'graphql';
import { createRequire } from 'node:module';
import { shortcutArgumentlessFields } from '../server/argument-values';
import { loadTypeDefs } from '../resolvers/type-defs';

// The module graphql-js's execute reads the function from, as server/argument-values.ts finds it.
const values = createRequire(require.resolve('graphql'))('./execution/values.js') as { getArgumentValues: typeof import('graphql').getArgumentValues };
const original = values.getArgumentValues;

const sdl = /* GraphQL */ `
  type Query {
    plain: Thing
    things(first: Int = 2, after: String, tags: [String!]): [Thing!]!
    needs(id: ID!): String
  }
  type Thing { name: String, child: Thing, sized(size: Int = 3): Int }
`;

function runWith(schema: GraphQLSchema, source: string, variableValues?: Record<string, unknown>) {
  const seen: { field: string; args: Record<string, unknown>; proto: unknown }[] = [];
  const fieldResolver = (parent: unknown, args: Record<string, unknown>, _ctx: unknown, info: { fieldName: string; returnType: { toString(): string } }) => {
    seen.push({ field: info.fieldName, args, proto: Object.getPrototypeOf(args) });
    const t = info.returnType.toString();
    if (t.startsWith('[')) return [{}, {}];
    return t.includes('Thing') ? {} : info.fieldName === 'sized' ? 1 : 'x';
  };
  const result = execute({ schema, document: parse(source), variableValues, fieldResolver: fieldResolver as never });
  return { result, seen };
}

describe('shortcutArgumentlessFields', () => {
  beforeAll(() => shortcutArgumentlessFields());

  it('replaces graphql-js getArgumentValues', () => {
    expect(values.getArgumentValues).not.toBe(original);
  });

  it('gives each resolver the arguments graphql-js gives it, and a new empty object where none are declared', () => {
    const schema = buildSchema(sdl);
    const query = `query Q($after: String, $id: ID!) {
      plain { name child { name sized } sized(size: 7) }
      things(after: $after, tags: ["a", "b"]) { name sized }
      more: things(first: 5) { child { name } }
      needs(id: $id)
    }`;
    const variables = { after: 'k', id: '12' };
    const patched = runWith(schema, query, variables);
    const shortcut = values.getArgumentValues;
    values.getArgumentValues = original;
    let unpatched: ReturnType<typeof runWith>;
    try {
      unpatched = runWith(schema, query, variables);
    } finally {
      values.getArgumentValues = shortcut;
    }
    expect(patched.result).toEqual(unpatched.result);
    expect(patched.seen).toEqual(unpatched.seen);
    expect(patched.seen.every((s) => s.proto === Object.prototype)).toBe(true);
    const empties = patched.seen.filter((s) => Object.keys(s.args).length === 0).map((s) => s.args);
    expect(empties.length).toBeGreaterThan(3);
    expect(new Set(empties).size).toBe(empties.length);
    expect(patched.seen.find((s) => s.field === 'sized' && s.args.size === 7)).toBeTruthy();
    expect(patched.seen.find((s) => s.field === 'things')?.args).toEqual({ first: 2, after: 'k', tags: ['a', 'b'] });
  });

  it('agrees with graphql-js on every field of the hub schema, asked with no arguments', () => {
    const schema = buildSchema(loadTypeDefs().join('\n'));
    let fields = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const def of Object.values(type.getFields())) {
        const node: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: def.name } };
        const ours = attempt(() => values.getArgumentValues(def, node, {}));
        const theirs = attempt(() => original(def, node, {}));
        expect([def.name, ours]).toEqual([def.name, theirs]);
        fields += 1;
      }
    }
    expect(fields).toBeGreaterThan(100);
  });
});

function attempt(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
