/**
 * The schema-driven sweeps' common parts (test/bad-input.test.ts: every String argument with hostile
 * text; test/hostile-scalars.test.ts: every Int, Fen and ID argument with its worst values): every
 * leaf of a chosen scalar in the arguments of a field, at any depth of its input objects and lists,
 * as an operation that reaches the field and the variables that put a value at the leaf, everything
 * else filled with valid values; and a digest of every table, to show a sweep wrote nothing.
 */
import crypto from 'node:crypto';
import { getNamedType, isCompositeType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLField, type GraphQLInputType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { TestDatabases } from './databases';
import { WANG } from './scenarios';

export interface ArgumentTarget {
  /** `Type.field`, as the schema names it. */
  where: string;
  /** The root field the operation asks. */
  root: 'Query' | 'Mutation';
  field: string;
  /** The leaf's path through the arguments (`input.records.amountFen`), as dateArguments() names it. */
  path: string;
  scalar: string;
  /** The leaf may be left out (its type, or its list's items', is nullable). */
  optional: boolean;
  /** `Type.field(path: Scalar)`: how resolvers/date-ranges.ts scalarArguments() names the leaf. */
  argument: string;
  operation: string;
  variables: (value: unknown) => Record<string, unknown>;
}

/**
 * How a sweep reaches the fields of a type that is not a root: the root field that answers one, the
 * argument of it, and the variable holding an existing object's id (`$__parent`).
 */
export interface Route {
  root: 'Query';
  field: string;
  argument: string;
  parent: () => string;
}

/** A value for an argument leaf that is not under test: valid, and by default naming nothing that exists (so no write succeeds). */
export type Known = (name: string, scalar: string, where: string) => unknown;

export function filler(type: GraphQLInputType, name: string, known: (name: string, scalar: string) => unknown = () => undefined): unknown {
  if (isNonNullType(type)) return filler(type.ofType, name, known);
  if (isListType(type)) return [filler(type.ofType, name, known)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, filler(f.type, f.name, known)]),
    );
  }
  const scalar = getNamedType(type).name;
  const given = known(name, scalar);
  if (given !== undefined) return given;
  switch (scalar) {
    case 'Int':
    case 'Fen':
    case 'ProposedFen':
      return 1;
    case 'Boolean':
      return false;
    case 'Date':
    case 'ProposedDate':
      return '2026-01-01';
    case 'DateTime':
      return '2026-01-01T00:00:00.000+08:00';
    default:
      if (/idNumber$/i.test(name)) return WANG.head;
      if (/code$|township/i.test(name)) return '370811';
      return '999999999';
  }
}

/** Whether a value at a leaf of this type may be left out: the type, or its (innermost) list's items, nullable. */
function leafOptional(type: GraphQLInputType): boolean {
  if (isNonNullType(type)) return isListType(type.ofType) ? leafOptional(type.ofType.ofType) : false;
  return isListType(type) ? leafOptional(type.ofType) : true;
}

/** What an operation selects of a field's answer: a payload's userErrors, so a sweep sees whether a write was refused. */
function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  if (!isCompositeType(type)) return '';
  return isObjectType(type) && type.getFields().userErrors ? '{ __typename userErrors { code } }' : '{ __typename }';
}

/**
 * Every leaf of a scalar `accept` takes, in the arguments of every root field and of every field of
 * a type `routes` reaches, as a target.
 */
export function argumentTargets(
  schema: GraphQLSchema,
  accept: (scalar: string) => boolean,
  o: {
    known?: Known;
    routes?: Record<string, Route>;
    /** For a field (`Type.field`), its arguments in full, valid and naming objects that exist: the leaf under test is set in them. */
    bases?: Record<string, () => Record<string, unknown>>;
  } = {},
): ArgumentTarget[] {
  const out: ArgumentTarget[] = [];
  const query = schema.getQueryType()!;
  const types: [GraphQLObjectType, Route | null][] = [[query, null], [schema.getMutationType()!, null]];
  for (const [name, route] of Object.entries(o.routes ?? {})) types.push([schema.getType(name) as GraphQLObjectType, route]);
  for (const [type, route] of types) {
    const root = route ? route.root : (type.name as ArgumentTarget['root']);
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const known = (name: string, scalar: string) => o.known?.(name, scalar, `${type.name}.${field.name}`);
      const decl = [...(route ? [`$__parent: ID!`] : []), ...field.args.map((a) => `$${a.name}: ${String(a.type)}`)].join(', ');
      const call = `${field.name}(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')}) ${selectionOf(field)}`;
      const body = route ? `${route.field}(${route.argument}: $__parent) { ${call} }` : call;
      const operation = `${root === 'Query' ? 'query' : 'mutation'}(${decl}) { ${body} }`;
      const given = o.bases?.[`${type.name}.${field.name}`];
      const base = () => ({
        ...(route ? { __parent: route.parent() } : {}),
        ...(given ? structuredClone(given()) : Object.fromEntries(field.args.filter((a) => isNonNullType(a.type)).map((a) => [a.name, filler(a.type, a.name, known)]))),
      });
      const walk = (t: GraphQLInputType, path: { key: string; type: GraphQLInputType }[], seen: Set<string>): void => {
        const named = getNamedType(t);
        if (isScalarType(named) && accept(named.name)) {
          const dotted = path.map((p) => p.key).join('.');
          out.push({
            where: `${type.name}.${field.name}`,
            root,
            field: route ? route.field : field.name,
            path: dotted,
            scalar: named.name,
            optional: leafOptional(t),
            argument: `${type.name}.${field.name}(${dotted}: ${named.name})`,
            operation,
            variables: (value) => {
              const vars: Record<string, any> = base();
              let node = vars;
              path.forEach(({ key, type: at }, i) => {
                const listed = isListType(isNonNullType(at) ? at.ofType : at);
                if (i === path.length - 1) {
                  node[key] = listed ? [value] : value;
                  return;
                }
                if (node[key] === undefined || node[key] === null) node[key] = filler(at, key, known);
                node = Array.isArray(node[key]) ? node[key][0] : node[key];
              });
              return vars;
            },
          });
        } else if (isInputObjectType(named) && !seen.has(named.name)) {
          for (const f of Object.values(named.getFields())) walk(f.type, [...path, { key: f.name, type: f.type }], new Set([...seen, named.name]));
        }
      };
      for (const arg of field.args) walk(arg.type, [{ key: arg.name, type: arg.type }], new Set());
    }
  }
  return out;
}

/**
 * A digest of every table of the hub's and the departments' databases, order-free (TiDB has no
 * table-checksum statement, db/tidb.ts). The audit trail is append-only and is checked apart.
 */
export async function tableDigests(dbs: TestDatabases): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const url of [dbs.hubUrl, ...Object.values(dbs.sourceUrls)]) {
    const db = decodeURIComponent(new URL(url).pathname.slice(1));
    const [tables] = await dbs.hubPool.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'`, [db]);
    const names = (tables as { t: string }[]).map((r) => r.t).filter((t) => !(url === dbs.hubUrl && (t === 'access_log' || t === 'access_log_head')));
    for (const t of names) {
      const [rows] = await dbs.hubPool.query(`SELECT * FROM \`${db}\`.\`${t}\``);
      const lines = (rows as object[]).map((r) => JSON.stringify(r)).sort();
      sums.set(`${db}.${t}`, crypto.createHash('sha256').update(lines.join('\n')).digest('hex'));
    }
  }
  return sums;
}
