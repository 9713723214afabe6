/**
 * Every `Date` and `DateTime` argument of every field, at any depth of its input objects and lists,
 * is held to its range (domain/date-ranges.ts) before the field's resolver runs: BAD_USER_INPUT with
 * reason OUT_OF_RANGE, the argument's path (`asOf`, `input.reportedAt`, `input.periodStart`) and
 * the range's `min` and `max`. Applied to the whole schema in one place (resolvers/index.ts), so a
 * date argument added to any SDL file is covered without a line of resolver code. A pre-grant
 * check's date or amount its scalar refused (ProposedDate, ProposedFen) is refused here too, at its
 * own field, so one bad check of a batch sent as aliases nulls only itself.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { DATE_RANGE, dateInRange, INSTANT_RANGE, instantInRange, type DateRange } from '../domain/date-ranges';
import { badInput } from '../access/errors';
import { RefusedProposal } from './scalars';

/**
 * A check of one value at `path`: throws to refuse it; returns a value to use in its place (prose
 * with an ID number masked, resolvers/text-inputs.ts), or nothing to keep it as given.
 */
type Check = ((value: unknown, path: string) => unknown) & {
  /** Given a list of its scalars whole, not entry by entry (every malformed id of a list named at once: resolvers/id-inputs.ts). */
  wholeList?: boolean;
};

/** What a check leaves in place of `value`: its replacement, or `value` itself. */
function checked(check: Check, value: unknown, path: string): unknown {
  const out = check(value, path);
  return out === undefined ? value : out;
}

function outOfRange(path: string, what: string, range: DateRange) {
  return badInput(path, 'OUT_OF_RANGE', `${path} must be ${what} from ${range.min} to ${range.max}`, { min: range.min, max: range.max });
}

const checkDate: Check = (value, path) => {
  if (typeof value === 'string' && !dateInRange(value)) throw outOfRange(path, 'a date', DATE_RANGE);
};

const checkInstant: Check = (value, path) => {
  if (value instanceof Date && !instantInRange(value)) throw outOfRange(path, 'an instant', INSTANT_RANGE);
};

/** A proposed grant's value its scalar refused (resolvers/scalars.ts ProposedDate, ProposedFen): refused here, at its own field, with the scalar's reason. */
const checkProposal: Check = (value, path) => {
  if (value instanceof RefusedProposal) throw badInput(path, value.reason, value.message);
};

const checkProposedDate: Check = (value, path) => {
  checkProposal(value, path);
  return checkDate(value, path);
};

const DATE_CHECKS: Record<string, Check> = { Date: checkDate, ProposedDate: checkProposedDate, DateTime: checkInstant };

/**
 * A Date or DateTime read outside an operation (an export's query string, parsed by the scalar itself)
 * held to the range its arguments are: BAD_USER_INPUT, OUT_OF_RANGE, with `min` and `max`. The scalar
 * alone takes any real day: GET /exports/overdue.csv?asOf=2150-… answered a report the API refuses.
 */
export function requireInRange(scalar: 'Date' | 'DateTime', value: string | Date, path: string): void {
  DATE_CHECKS[scalar](value, path);
}

/** The date checks, and a proposed amount's refusal at its field (ProposedFen has no range of its own here: its field's rules hold it). */
const SCALAR_CHECKS: Record<string, Check> = { ...DATE_CHECKS, ProposedFen: checkProposal };

/**
 * The check of a scalar's values, knowing the name of the argument or input field that holds them
 * and whether it is optional (its type nullable: a value there may be left out).
 */
export type LeafCheck = (scalar: string, name: string, optional: boolean) => Check | null;

const dateLeaf: LeafCheck = (scalar) => SCALAR_CHECKS[scalar] ?? null;

/** The check for values of a type, or null when no value `leaf` checks can occur in it. */
function checkFor(type: GraphQLInputType, leaf: LeafCheck, name: string, visiting: Set<string> = new Set(), optional = true): Check | null {
  if (isNonNullType(type)) return checkFor(type.ofType, leaf, name, visiting, false);
  if (isListType(type)) {
    const inner = checkFor(type.ofType, leaf, name, visiting);
    if (!inner) return null;
    if (inner.wholeList && isScalarType(getNullableType(type.ofType))) return inner;
    return (value, path) => {
      if (!Array.isArray(value)) return checked(inner, value, path);
      let out: unknown[] | null = null;
      value.forEach((item, i) => {
        if (item === null || item === undefined) return;
        const kept = checked(inner, item, `${path}.${i}`);
        if (kept !== item) (out ??= [...value])[i] = kept;
      });
      return out ?? value;
    };
  }
  if (isScalarType(type)) return leaf(type.name, name, optional);
  if (isInputObjectType(type)) {
    if (visiting.has(type.name)) return null;
    visiting.add(type.name);
    const fields = Object.values(type.getFields())
      .map((f) => [f.name, checkFor(f.type, leaf, f.name, visiting)] as const)
      .filter((e): e is readonly [string, Check] => e[1] !== null);
    visiting.delete(type.name);
    if (fields.length === 0) return null;
    return (value, path) => {
      if (typeof value !== 'object' || value === null) return value;
      let out: Record<string, unknown> | null = null;
      for (const [name, check] of fields) {
        const v = (value as Record<string, unknown>)[name];
        if (v === null || v === undefined) continue;
        const kept = checked(check, v, `${path}.${name}`);
        if (kept !== v) (out ??= { ...(value as Record<string, unknown>) })[name] = kept;
      }
      return out ?? value;
    };
  }
  return null;
}

export function applyDateRanges(schema: GraphQLSchema): GraphQLSchema {
  return applyArgumentChecks(schema, dateLeaf);
}

/** Where an argument's value the checks replaced keeps the value as sent (argumentAsSent). */
const AS_SENT = Symbol('argument as sent');

/**
 * An argument's value as the client sent it (as graphql-js coerced it), before any check replaced
 * it (prose with an ID number masked, blank text read as ""); the value itself where none did.
 * Only for comparing with what an earlier release computed over the value as sent (a keyed case
 * write's fingerprint, resolvers/cases/request-fingerprint.ts): held on the replacement as a
 * non-enumerable symbol, so no copy, JSON or log of the value carries it.
 */
export function argumentAsSent<T>(value: T): T {
  return typeof value === 'object' && value !== null && AS_SENT in value ? ((value as Record<symbol, unknown>)[AS_SENT] as T) : value;
}

/** `kept` in place of `sent`, remembering the value as first sent (argumentAsSent). */
function replacing(kept: unknown, sent: unknown): unknown {
  if (typeof kept === 'object' && kept !== null && kept !== sent) Object.defineProperty(kept, AS_SENT, { value: argumentAsSent(sent) });
  return kept;
}

/**
 * Wraps every field with an argument in which a value `leaf` checks can occur: the checks run, in
 * argument order, before the field's resolver, which is given what they leave. Shared by the date
 * ranges and the text checks and prose masking (resolvers/text-inputs.ts).
 */
export function applyArgumentChecks(schema: GraphQLSchema, leaf: LeafCheck): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (config) => {
      const checks = Object.entries(config.args ?? {})
        .map(([name, arg]) => [name, checkFor(arg.type, leaf, name)] as const)
        .filter((e): e is readonly [string, Check] => e[1] !== null);
      if (checks.length === 0) return config;
      const resolve: GraphQLFieldResolver<unknown, unknown> = config.resolve ?? defaultFieldResolver;
      return {
        ...config,
        resolve(source, args, ctx, info) {
          // A replaced value goes into a copy: a variable's value may be shared by several fields.
          let given: Record<string, unknown> | null = null;
          for (const [name, check] of checks) {
            const v = args[name];
            if (v === null || v === undefined) continue;
            const kept = checked(check, v, name);
            if (kept !== v) (given ??= { ...args })[name] = replacing(kept, v);
          }
          return resolve(source, given ?? args, ctx, info);
        },
      };
    },
  });
}

/** Every date-taking argument of a schema, as `Type.field(path)`: what the range applies to. */
export function dateArguments(schema: GraphQLSchema): string[] {
  return scalarArguments(schema, (scalar) => scalar in DATE_CHECKS);
}

/**
 * Every argument leaf of a scalar `accept` takes, at any depth of its input objects and lists, as
 * `Type.field(path: Scalar)`: what a schema-wide check or sweep must cover.
 */
export function scalarArguments(schema: GraphQLSchema, accept: (scalar: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (type: GraphQLInputType, path: string, where: string, visiting: Set<string>) => {
    if (isNonNullType(type) || isListType(type)) return walk(type.ofType, path, where, visiting);
    if (isScalarType(type) && accept(type.name)) out.push(`${where}(${path}: ${type.name})`);
    if (isInputObjectType(type) && !visiting.has(type.name)) {
      visiting.add(type.name);
      for (const f of Object.values(type.getFields())) walk(f.type, `${path}.${f.name}`, where, visiting);
      visiting.delete(type.name);
    }
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) for (const arg of field.args) walk(arg.type, arg.name, `${type.name}.${field.name}`, new Set());
  }
  return out.sort();
}
