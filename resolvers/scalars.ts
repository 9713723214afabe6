/** Scalars come from graphql-scalars, renamed to the hub's vocabulary. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars';
import { formatChinaInstant } from '../domain/cases/china-time';
import type { Resolvers } from './__generated__/types';

/**
 * Every instant of the schema: answered in China time, accepted with any explicit offset. Resolvers
 * hand it a Date; a stored dossier snapshot keeps its instants as ISO text, which it reads too.
 */
const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  // The scalar's own description replaces the SDL's, so it says the same.
  description: 'An instant, RFC 3339 with an explicit offset. The hub answers in China time (2026-03-15T09:30:00.000+08:00); it accepts any offset and refuses a time without one.',
  serialize(value: unknown): string {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime cannot represent this value');
    return formatChinaInstant(d);
  },
  parseValue(value: unknown): Date {
    return DateTimeResolver.parseValue(value) as Date;
  },
  parseLiteral(ast): Date {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime is a string');
    return DateTimeResolver.parseLiteral(ast, {}) as Date;
  },
});

/**
 * A refused Date: reason MALFORMED_DATE, in the literal form and the variable form alike
 * (server/app.ts keeps the reason on the literal form's validation error, and names the variable
 * where graphql-js gives it). graphql-scalars said "LocalDate", a name the
 * schema does not have, and set no reason. The message quotes at most a short piece of the value,
 * letters, digits and date punctuation only: a date field is where an ID number gets pasted.
 */
function malformedDate(problem: string): GraphQLError {
  return new GraphQLError(`Date ${problem}`, { extensions: { code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE' } });
}

/** At most DATE_ECHO_MAX characters of what was sent, anything but [0-9A-Za-z+-/.:] shown as "?". */
const DATE_ECHO_MAX = 10;
export function datePiece(value: string): string {
  const head = [...value].slice(0, DATE_ECHO_MAX).map((c) => (/^[0-9A-Za-z+\-/.: ]$/.test(c) ? c : '?')).join('');
  return [...value].length > DATE_ECHO_MAX ? `${head}…` : head;
}

function parseDate(value: string): string {
  const refusal = malformedDate(`must be a real calendar date written YYYY-MM-DD (got "${datePiece(value)}")`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw refusal;
  try {
    return LocalDateResolver.parseValue(value) as string;
  } catch {
    throw refusal;
  }
}

const KIND_NAMES: Partial<Record<string, string>> = { IntValue: 'a number', FloatValue: 'a number', BooleanValue: 'a boolean', NullValue: 'null', EnumValue: 'an enum value', ListValue: 'a list', ObjectValue: 'an object' };

const DateScalar = new GraphQLScalarType({
  ...LocalDateResolver.toConfig(),
  name: 'Date',
  parseValue(value: unknown): string {
    if (typeof value !== 'string') throw malformedDate(`is a string written YYYY-MM-DD, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`}`);
    return parseDate(value);
  },
  parseLiteral(ast): string {
    if (ast.kind !== Kind.STRING) throw malformedDate(`is a string written YYYY-MM-DD, not ${KIND_NAMES[ast.kind] ?? 'a string'}`);
    return parseDate(ast.value);
  },
});

export const scalarResolvers: Resolvers = {
  Date: DateScalar,
  DateTime,
  Fen: new GraphQLScalarType({ ...SafeIntResolver.toConfig(), name: 'Fen' }),
};
