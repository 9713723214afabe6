/**
 * A variable refused before anything runs (graphql-js coerces the request's variables to their
 * declared types), answered with a stable reason and the variable's path, and never its value.
 * graphql-js says all of it in one English sentence that quotes the value
 * (`Variable "$in" got invalid value { idNumber: 370811… } at "in.idNumber"; String cannot represent
 * a non string value: 370811…`): a client could only match on the wording, and the value, which may
 * be an ID number, came back in the answer (masked, and whole where the masking missed it). The
 * answer is rebuilt here from the error's parts; the sentence's own text is read only for its fixed
 * words, the variable's path and the type's name, which come from the document and the schema.
 *
 * | reason | when |
 * |---|---|
 * | `REQUIRED_VALUE_MISSING` | a non-null variable, or a non-null field of an input object, absent or null |
 * | `WRONG_TYPE` | a value of another kind than its type's: a number for a String, a string for an Int, a list or a scalar for an input object |
 * | `OUT_OF_RANGE` | an Int outside 32 bits (`min`, `max` beside it) |
 * | `UNKNOWN_ENUM_VALUE` | a value its enum does not have |
 * | `UNKNOWN_FIELD` | an input object field its type does not define |
 * | the scalar's own | the hub's scalars give their own (`MALFORMED_DATE`, `MALFORMED_DATETIME`, `MALFORMED_FEN`, …) |
 * | `INVALID_VALUE` | anything else graphql-js refuses |
 * | `TOO_MANY_REFUSED_VALUES` | after the first 50 refusals (graphql-js stops checking there): one refusal for the rest, `max` beside it |
 */
import { GraphQLError, Kind, type GraphQLFormattedError, type VariableDefinitionNode } from 'graphql';

export const VARIABLE_REASONS = ['REQUIRED_VALUE_MISSING', 'WRONG_TYPE', 'OUT_OF_RANGE', 'UNKNOWN_ENUM_VALUE', 'UNKNOWN_FIELD', 'INVALID_VALUE'] as const;
export type VariableReason = (typeof VARIABLE_REASONS)[number];

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** A GraphQL name: what a field of an input type can be called (a key that is not one is never quoted back). */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,47}$/;

export interface VariableRefusal {
  reason: string;
  /** `$in`, `$in.records[1].grantDate`: the variable and the place inside it. */
  argument: string;
  message: string;
  extra: Record<string, unknown>;
}

function variableDefinitionOf(error: GraphQLError): VariableDefinitionNode | null {
  const node = error.nodes?.length === 1 ? error.nodes[0] : null;
  return node?.kind === Kind.VARIABLE_DEFINITION ? node : null;
}

/**
 * What went wrong with a variable, or null when `error` is not graphql-js's refusal of one. The
 * original error (`originalError`) carries the inner sentence without the value prefix; a scalar of
 * the hub's carries its own reason in its extensions.
 */
export function variableRefusalOf(error: unknown): VariableRefusal | null {
  if (!(error instanceof GraphQLError)) return null;
  const definition = variableDefinitionOf(error);
  if (!definition) return null;
  const name = definition.variable.name.value;
  const message = error.message;
  const declared = /^Variable "\$\w+" of (?:required|non-null) type "([^"]+)" (?:was not provided|must not be null)\.$/.exec(message);
  if (declared) {
    return { reason: 'REQUIRED_VALUE_MISSING', argument: `$${name}`, message: `Variable "$${name}" of type "${declared[1]}" needs a value, and none was given (or null)`, extra: {} };
  }
  if (!message.startsWith(`Variable "$${name}" got invalid value `)) return null;
  const inner = error.originalError?.message ?? '';
  // graphql-js writes `<prefix>; <inner>`, the prefix ending in ` at "<path>"` when the place is inside the variable.
  const prefix = inner && message.endsWith(`; ${inner}`) ? message.slice(0, message.length - inner.length - 2) : '';
  const at = / at "(\w+(?:\.\w+|\[\d+\])*)"$/.exec(prefix);
  let argument = at && at[1].startsWith(name) ? `$${at[1]}` : `$${name}`;
  const own = error.originalError instanceof GraphQLError ? error.originalError.extensions?.reason : undefined;
  // The hub's scalars write their own sentence without the value (resolvers/scalars.ts).
  if (typeof own === 'string') return { reason: own, argument, message: `Variable "${argument}": ${error.originalError!.message}`, extra: {} };

  let m: RegExpExecArray | null;
  if ((m = /^Expected non-nullable type "([^"]+)" not to be null\.$/.exec(inner))) {
    return { reason: 'REQUIRED_VALUE_MISSING', argument, message: `Variable "${argument}" of type "${m[1]}" needs a value, and was null`, extra: {} };
  }
  if ((m = /^Field "(\w+)" of required type "([^"]+)" was not provided\.$/.exec(inner))) {
    argument = `${argument}.${m[1]}`;
    return { reason: 'REQUIRED_VALUE_MISSING', argument, message: `Variable "${argument}" of type "${m[2]}" needs a value, and none was given`, extra: {} };
  }
  if ((m = /^Field "([^]*)" is not defined by type "(\w+)"\./.exec(inner))) {
    // The key is the caller's: named only when it is a GraphQL name (an ID number is not one).
    const field = NAME.test(m[1]) ? m[1] : null;
    if (field) argument = `${argument}.${field}`;
    return { reason: 'UNKNOWN_FIELD', argument, message: field ? `Variable "${argument}": "${m[2]}" has no field "${field}"` : `Variable "${argument}" has a field that "${m[2]}" does not define`, extra: {} };
  }
  if ((m = /^Expected type "(\w+)" to be an object\.$/.exec(inner))) {
    return { reason: 'WRONG_TYPE', argument, message: `Variable "${argument}" must be an input object of type "${m[1]}"`, extra: {} };
  }
  if ((m = /^Value "[^]*" does not exist in "(\w+)" enum\./.exec(inner))) {
    return { reason: 'UNKNOWN_ENUM_VALUE', argument, message: `Variable "${argument}" is not a value of the enum "${m[1]}"`, extra: {} };
  }
  if ((m = /^Enum "(\w+)" cannot represent non-string value/.exec(inner))) {
    return { reason: 'WRONG_TYPE', argument, message: `Variable "${argument}" must be a value of the enum "${m[1]}", written as a string`, extra: {} };
  }
  if (/^Int cannot represent non 32-bit signed integer value/.test(inner)) {
    return { reason: 'OUT_OF_RANGE', argument, message: `Variable "${argument}" is out of range for "Int" (${INT_MIN} to ${INT_MAX})`, extra: { min: INT_MIN, max: INT_MAX } };
  }
  if ((m = /^(?:Expected type "(\w+)"\. )?(\w+) cannot represent /.exec(inner))) {
    return { reason: 'WRONG_TYPE', argument, message: `Variable "${argument}" is not a value of type "${m[1] ?? m[2]}"`, extra: {} };
  }
  const type = /^Expected type "(\w+)"/.exec(inner)?.[1];
  return { reason: 'INVALID_VALUE', argument, message: type ? `Variable "${argument}" is not a valid "${type}"` : `Variable "${argument}" is not a valid value`, extra: {} };
}

/** How many refused variable values graphql-js answers one by one before it stops checking (execute's maxCoercionErrors, default 50). */
export const REFUSED_VALUES_ANSWERED = 50;

/** graphql-js's words when it stops checking a request's variables at that limit. */
const LIMIT_REACHED = 'Too many errors processing variables, error limit reached. Execution aborted.';

/**
 * The answer for graphql-js stopping at its limit of refused variable values, or null for any other
 * error. Its own error had no code: it was answered INTERNAL_SERVER_ERROR beside the refusals, and
 * logged at error level as unexpected, so a client sending a list of sixty misspelt values wrote
 * the hub's error log at will (test/variable-error-limit.test.ts).
 */
export function refusedValuesLimitAnswer(formatted: GraphQLFormattedError): GraphQLFormattedError | null {
  if (formatted.message !== LIMIT_REACHED) return null;
  return {
    message: `More variable values were refused than are answered one by one (${REFUSED_VALUES_ANSWERED}): the others were not checked; correct these and send again`,
    extensions: { code: 'BAD_USER_INPUT', reason: 'TOO_MANY_REFUSED_VALUES', max: REFUSED_VALUES_ANSWERED },
  };
}

/** The answer for a refused variable: BAD_USER_INPUT, its reason and path, its location in the document. */
export function variableRefusalAnswer(formatted: GraphQLFormattedError, refusal: VariableRefusal): GraphQLFormattedError {
  return {
    message: refusal.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: 'BAD_USER_INPUT', reason: refusal.reason, argument: refusal.argument, ...refusal.extra },
  };
}
