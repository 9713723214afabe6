/** Scalars come from graphql-scalars, renamed to the hub's vocabulary. */
import { GraphQLScalarType } from 'graphql';
import { LocalDateResolver, SafeIntResolver } from 'graphql-scalars';

export const scalarResolvers = {
  Date: new GraphQLScalarType({ ...LocalDateResolver.toConfig(), name: 'Date' }),
  Fen: new GraphQLScalarType({ ...SafeIntResolver.toConfig(), name: 'Fen' }),
};
