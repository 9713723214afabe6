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

export const scalarResolvers: Resolvers = {
  Date: new GraphQLScalarType({ ...LocalDateResolver.toConfig(), name: 'Date' }),
  DateTime,
  Fen: new GraphQLScalarType({ ...SafeIntResolver.toConfig(), name: 'Fen' }),
};
