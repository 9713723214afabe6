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
import { badInput, malformedEntries } from '../access/errors';
import { applyArgumentChecks, type LeafCheck } from './date-ranges';

/** The longest id of any kind (a UUID is 36 characters, a trigger's code at most 64). */
export const ID_MAX_LENGTH = 64;

const ID_RULE = `an id: 1 to ${ID_MAX_LENGTH} characters, no space at either end`;

function malformedId(value: unknown): boolean {
  return typeof value === 'string' && (value.length === 0 || value.length > ID_MAX_LENGTH || value.trim() !== value);
}

/** `ids.3` as the kinds' own parsers name it: `ids[3]`. */
function argumentOf(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/**
 * An id, or a list of ids (`ids`, `input.deliveryIds`) checked whole, so that one error names every
 * malformed entry (malformedEntries: positions, count), as households(ids:) names the ones
 * requireHubId refuses: a sync sending 500 ids was told of the first bad one alone.
 */
function checkId(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    const malformed = value.flatMap((v, i) => (malformedId(v) ? [i] : []));
    if (malformed.length > 0) throw malformedEntries(argumentOf(path), malformed, 'MALFORMED_ID', ID_RULE);
  } else if (malformedId(value)) {
    const argument = argumentOf(path);
    throw badInput(argument, 'MALFORMED_ID', `${argument} is not ${ID_RULE}`);
  }
}

const CHECK_ID = Object.assign(checkId, { wholeList: true });

const idLeaf: LeafCheck = (scalar) => (scalar === 'ID' ? CHECK_ID : null);

export function applyIdChecks(schema: GraphQLSchema): GraphQLSchema {
  return applyArgumentChecks(schema, idLeaf);
}
