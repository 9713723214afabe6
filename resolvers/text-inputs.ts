/**
 * Every String argument of every field, at any depth of its input objects and lists, is checked
 * for characters no stored text may hold (domain/text-length.ts textProblem: controls, NUL, bidi
 * overrides and isolates, lone surrogates; line breaks and tabs outside multi-line fields) before
 * the field's resolver runs: BAD_USER_INPUT with reason TEXT_INVALID, the argument's path
 * (`input.reason`, `input.records.3.reference`) and the character's code point; nothing is read
 * or written. One place for the whole schema (resolvers/index.ts), as the date ranges are, so a
 * text field added to any SDL file is covered without a line of resolver code; a field that
 * only looks something up (an ID number, a cursor) loses nothing by the same rule.
 *
 * An optional String that is not prose (every one but MULTI_LINE_FIELDS: an ID number, a division
 * code, a reference, a settlement, a cursor, an idempotency key, an officer's staff identifier, a
 * month) given as "" or only whitespace is refused the same way, reason EMPTY_VALUE: read as
 * `input.x ? parse(input.x) : null` it meant "not given", so an empty field of a form changed what
 * was asked (a first aid for the whole household instead of the member, a list over the caller's
 * whole scope instead of one township). Prose left empty is no prose, as before.
 */
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLFieldResolver, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { maskIdNumbersInText } from '../domain/privacy';
import { badInput } from '../access/errors';
import { textProblem } from '../domain/text-length';
import { applyArgumentChecks, type LeafCheck } from './date-ranges';

/**
 * The input fields and arguments that hold prose a person writes over several lines: a case's
 * summary, reasons, notes, asks, feedback, a need's description. Every other String is one line,
 * and names or codes something when optional (EMPTY_VALUE below).
 */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['summary', 'reason', 'notes', 'note', 'ask', 'feedback', 'description', 'differenceReason', 'conflictOverrideReason']);

const textLeaf: LeafCheck = (scalar, name, optional) => {
  if (scalar !== 'String') return null;
  const multiLine = MULTI_LINE_FIELDS.has(name);
  const notEmpty = optional && !multiLine;
  return (value, path) => {
    if (typeof value !== 'string') return;
    const problem = textProblem(value, multiLine);
    if (problem) throw badInput(path, 'TEXT_INVALID', `${path} contains ${problem}`);
    if (notEmpty && value.trim() === '') throw badInput(path, 'EMPTY_VALUE', `${path} is empty: leave it out (or send null) to give none`);
  };
};

export function applyTextChecks(schema: GraphQLSchema): GraphQLSchema {
  return applyArgumentChecks(schema, textLeaf);
}

type Mask = (value: unknown) => unknown;

/**
 * Prose charities read (a need's description), which the charity resolvers screen for any ID, phone
 * or card number and refuse (domain/text-screen.ts): masked first, an ID number would pass that screen.
 */
const SCREENED_PROSE: ReadonlySet<string> = new Set(['description']);

/** What masks the prose in values of a type (a copy where anything changed), or null when it holds none. */
function proseMask(type: GraphQLInputType, name: string, visiting: Set<string> = new Set()): Mask | null {
  if (isNonNullType(type)) return proseMask(type.ofType, name, visiting);
  if (isListType(type)) {
    const inner = proseMask(type.ofType, name, visiting);
    return inner && ((value) => (Array.isArray(value) ? value.map((v) => (v === null || v === undefined ? v : inner(v))) : inner(value)));
  }
  if (isScalarType(type)) return type.name === 'String' && MULTI_LINE_FIELDS.has(name) && !SCREENED_PROSE.has(name) ? (value) => (typeof value === 'string' ? maskIdNumbersInText(value) : value) : null;
  if (!isInputObjectType(type) || visiting.has(type.name)) return null;
  visiting.add(type.name);
  const fields = Object.values(type.getFields())
    .map((f) => [f.name, proseMask(f.type, f.name, visiting)] as const)
    .filter((e): e is readonly [string, Mask] => e[1] !== null);
  visiting.delete(type.name);
  if (fields.length === 0) return null;
  return (value) => {
    if (typeof value !== 'object' || value === null) return value;
    let out: Record<string, unknown> | null = null;
    for (const [field, mask] of fields) {
      const v = (value as Record<string, unknown>)[field];
      if (v === null || v === undefined) continue;
      const m = mask(v);
      if (m !== v) (out ??= { ...(value as Record<string, unknown>) })[field] = m;
    }
    return out ?? value;
  };
}

/**
 * An ID number written into prose (a summary naming the applicant's, a reason citing another
 * person's) is masked as it comes in (370811********123X), so it is stored, shown, printed and
 * pushed masked like every ID number the hub shows to those without the right to see it whole:
 * prose goes to every reader of a case, slip or alert, and the person is named by the field that
 * takes them (beneficiaryIdNumber, the household), never by the text. Text without one is kept as
 * written. Runs after the checks above, on a copy of the arguments (a variable's value may be
 * shared by several fields).
 */
export function applyProseMasking(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (config) => {
      const masks = Object.entries(config.args ?? {})
        .map(([name, arg]) => [name, proseMask(arg.type, name)] as const)
        .filter((e): e is readonly [string, Mask] => e[1] !== null);
      if (masks.length === 0) return config;
      const resolve: GraphQLFieldResolver<unknown, unknown> = config.resolve ?? defaultFieldResolver;
      return {
        ...config,
        resolve(source, args, ctx, info) {
          let masked: Record<string, unknown> | null = null;
          for (const [name, mask] of masks) {
            const v = args[name];
            if (v === null || v === undefined) continue;
            const m = mask(v);
            if (m !== v) (masked ??= { ...args })[name] = m;
          }
          return resolve(source, masked ?? args, ctx, info);
        },
      };
    },
  });
}
