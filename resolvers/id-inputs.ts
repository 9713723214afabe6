/**
 * Every ID argument of every field, at any depth of its input objects and lists, is an id before
 * the field's resolver runs: 1 to ID_MAX_LENGTH characters, none of them a space at either end.
 * Else BAD_USER_INPUT with reason MALFORMED_ID and the argument's path (`input.projectId`,
 * `ids[3]`, a list's item in brackets as the kinds' own parsers name it), never the value. Each kind is then parsed by its own rule (a hub id by requireHubId, a
 * finding id, a delivery's UUID, a trigger's or a programme's code), which may be stricter.
 *
 * One place for the whole schema (resolvers/index.ts), as the date ranges and text checks are: an
 * optional id read by `input.x ? parse(input.x) : null` took "" for "none given" (a pledge sent
 * `projectId: ""` was recorded against no project), and an id of ten thousand characters reached
 * the resolvers of kinds that only look it up.
 */
import type { GraphQLSchema } from 'graphql';
import { badInput } from '../access/errors';
import { applyArgumentChecks, type LeafCheck } from './date-ranges';

/** The longest id of any kind (a UUID is 36 characters, a trigger's code at most 64). */
export const ID_MAX_LENGTH = 64;

const idLeaf: LeafCheck = (scalar) => {
  if (scalar !== 'ID') return null;
  return (value, path) => {
    if (typeof value !== 'string') return;
    if (value.length === 0 || value.length > ID_MAX_LENGTH || value.trim() !== value) {
      const argument = path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
      throw badInput(argument, 'MALFORMED_ID', `${argument} is not an id: 1 to ${ID_MAX_LENGTH} characters, no space at either end`);
    }
  };
};

export function applyIdChecks(schema: GraphQLSchema): GraphQLSchema {
  return applyArgumentChecks(schema, idLeaf);
}
