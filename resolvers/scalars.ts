/** Scalars come from graphql-scalars, renamed to the hub's vocabulary. */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars';
import { formatChinaInstant } from '../domain/cases/china-time';
import { datePiece, isIsoDate } from '../domain/dates';
import type { Resolvers } from './__generated__/types';

/**
 * Every instant of the schema: answered in China time, accepted with any explicit offset. Resolvers
 * hand it a Date; a stored dossier snapshot keeps its instants as ISO text, which it reads too.
 */
const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  // The scalar's own description replaces the SDL's, so it says the same.
  description: 'An instant, RFC 3339 with an explicit offset. The hub answers in China time (2026-03-15T09:30:00.000+08:00); it accepts any offset and refuses a time without one (reason MALFORMED_DATETIME).',
  serialize(value: unknown): string {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime cannot represent this value');
    return formatChinaInstant(d);
  },
  parseValue(value: unknown): Date {
    if (typeof value !== 'string') throw malformedInstant(`is a string written RFC 3339 with an offset, not ${kindOfValue(value)}`);
    return parseInstant(value);
  },
  parseLiteral(ast): Date {
    if (ast.kind !== Kind.STRING) throw malformedInstant(`is a string written RFC 3339 with an offset, not ${KIND_NAMES[ast.kind] ?? 'a string'}`, ast);
    return parseInstant(ast.value, ast);
  },
});

/**
 * A refused DateTime: reason MALFORMED_DATETIME, in the literal form and the variable form alike, as
 * a Date's MALFORMED_DATE (server/app.ts). graphql-scalars set no reason, so a variable was answered
 * WRONG_TYPE ("is not a value of type DateTime") and a literal with no reason, its message quoting
 * the value whole; a time without an offset, the usual mistake, was told nothing of it.
 */
function malformedInstant(problem: string, literal?: ValueNode): GraphQLError {
  return new GraphQLError(`DateTime ${problem}`, { nodes: literal, extensions: { code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATETIME' } });
}

/** A date and a time of day with no offset after it: what a client leaving out the offset sends. */
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** The refusal is built only for a value refused (see parseDate). */
function parseInstant(value: string, literal?: ValueNode): Date {
  try {
    return DateTimeResolver.parseValue(value) as Date;
  } catch {
    const got = `(got "${datePiece(value)}")`;
    if (NO_OFFSET.test(value)) throw malformedInstant(`has no offset: write the instant with one, e.g. 2026-03-15T09:30:00+08:00 ${got}`, literal);
    throw malformedInstant(`must be a real instant written RFC 3339 with an offset, e.g. 2026-03-15T09:30:00+08:00 ${got}`, literal);
  }
}

/**
 * A refused Date: BAD_USER_INPUT, reason MALFORMED_DATE, in the literal form and the variable form
 * alike (server/app.ts answers the literal form's validation error so, naming the argument, and the
 * variable where graphql-js gives it). A literal's refusal carries its node (`literal`): graphql-js
 * reports a scalar's own GraphQLError as it is, and without the node the answer had no location and
 * nothing to find the argument by. graphql-scalars said "LocalDate", a name the
 * schema does not have, and set no reason. The message quotes at most a short piece of the value,
 * letters, digits and date punctuation only: a date field is where an ID number gets pasted.
 */
function malformedDate(problem: string, literal?: ValueNode): GraphQLError {
  return new GraphQLError(`Date ${problem}`, { nodes: literal, extensions: { code: 'BAD_USER_INPUT', reason: 'MALFORMED_DATE' } });
}

/**
 * The refusal is built only for a value refused: a GraphQLError captures a stack trace when it is
 * made, and every date a request carries was paying for one it never threw (a pre-grant check two
 * or three; test/date-scalar.test.ts).
 */
function parseDate(value: string, literal?: ValueNode): string {
  const refusal = () => malformedDate(`must be a real calendar date written YYYY-MM-DD (got "${datePiece(value)}")`, literal);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw refusal();
  try {
    return LocalDateResolver.parseValue(value) as string;
  } catch {
    throw refusal();
  }
}

/** What a variable's value is, for a scalar's refusal (the value itself is not echoed). */
function kindOfValue(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const KIND_NAMES: Partial<Record<string, string>> = { IntValue: 'a number', FloatValue: 'a number', BooleanValue: 'a boolean', NullValue: 'null', EnumValue: 'an enum value', ListValue: 'a list', ObjectValue: 'an object' };

const DateScalar = new GraphQLScalarType({
  ...LocalDateResolver.toConfig(),
  name: 'Date',
  // Every date the hub answers with: a calendar date written YYYY-MM-DD (isIsoDate: what graphql-scalars'
  // LocalDate accepts, without the Date and ISO text it makes to check each one) is returned as it
  // is; anything else goes to graphql-scalars' own check, which refuses it as before.
  serialize(value: unknown): string {
    return typeof value === 'string' && isIsoDate(value) ? value : (LocalDateResolver.serialize(value) as string);
  },
  parseValue(value: unknown): string {
    if (typeof value !== 'string') throw malformedDate(`is a string written YYYY-MM-DD, not ${kindOfValue(value)}`);
    return parseDate(value);
  },
  parseLiteral(ast): string {
    if (ast.kind !== Kind.STRING) throw malformedDate(`is a string written YYYY-MM-DD, not ${KIND_NAMES[ast.kind] ?? 'a string'}`, ast);
    return parseDate(ast.value, ast);
  },
});

/**
 * A value of a proposed grant that its scalar refused (ProposedDate: no calendar date; ProposedFen:
 * no whole number of fen, or past the exact range), with the scalar's own reason and message (which
 * quotes at most a short piece of a date, nothing of an amount): carried to the field, whose
 * argument check refuses it there (resolvers/date-ranges.ts), BAD_USER_INPUT with that reason and
 * the input field's path. Never reaches a resolver.
 */
export class RefusedProposal {
  constructor(
    readonly reason: string,
    readonly message: string,
  ) {}
}

/** What `parse` makes of a value, or its refusal kept for the field (RefusedProposal). */
function proposalOrRefusal<T>(parse: () => T): T | RefusedProposal {
  try {
    return parse();
  } catch (e) {
    const reason = e instanceof GraphQLError ? e.extensions.reason : undefined;
    return new RefusedProposal(typeof reason === 'string' ? reason : 'INVALID_VALUE', e instanceof Error ? e.message : 'refused');
  }
}

/** A scalar of a proposed grant: `scalar`'s values, except that one `scalar` refuses refuses only its own check (RefusedProposal). */
function proposedScalar(name: string, description: string, scalar: GraphQLScalarType): GraphQLScalarType {
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value: unknown) => scalar.serialize(value),
    parseValue: (value: unknown) => proposalOrRefusal(() => scalar.parseValue(value)),
    parseLiteral: (ast) => proposalOrRefusal(() => scalar.parseLiteral(ast, undefined)),
  });
}

/**
 * The dates of a pre-grant check: a Date, except that one which is not a calendar date refuses its
 * own check only. A Date refused in the scalar refuses the whole operation (graphql-js coerces every
 * variable and validates every literal before running any field), so a department system sending a
 * term's twenty checks as aliases lost nineteen answers to one typo'd date, where a bad ID number or
 * amount nulls only its own check.
 */
const ProposedDate = proposedScalar(
  'ProposedDate',
  // The scalar's own description replaces the SDL's, so it says the same.
  'A calendar date of a proposed grant, YYYY-MM-DD, as Date; one that is not refuses only the check it is in (BAD_USER_INPUT, reason MALFORMED_DATE, argument naming the input field), not the whole operation.',
  DateScalar,
);

/**
 * A refused Fen: reason MALFORMED_FEN (not a whole number: a fraction, a string, a boolean …) or
 * FEN_OUT_OF_RANGE (beyond ±9,007,199,254,740,991, where a number stops being exact), in the literal
 * form and the variable form alike, as Date's (server/app.ts). graphql-scalars' SafeInt set no
 * reason and named "SafeInt"; its message quoted the value, and an amount field is where an ID
 * number gets pasted (370811197504120312 is past the range), so no digits of the value come back.
 * Whether an amount may be negative is the field's rule (its own OUT_OF_RANGE or AMOUNT_NEGATIVE).
 */
export const FEN_REASONS = { MALFORMED: 'MALFORMED_FEN', OUT_OF_RANGE: 'FEN_OUT_OF_RANGE' } as const;

function fenRefusal(reason: (typeof FEN_REASONS)[keyof typeof FEN_REASONS], problem: string, literal?: ValueNode): GraphQLError {
  return new GraphQLError(`Fen ${problem}`, { nodes: literal, extensions: { code: 'BAD_USER_INPUT', reason } });
}

const FEN_WHOLE = 'must be a whole number of fen (1 yuan = 100 fen)';

function parseFen(value: number, literal?: ValueNode): number {
  if (Number.isFinite(value) && !Number.isInteger(value)) throw fenRefusal(FEN_REASONS.MALFORMED, `${FEN_WHOLE}, not a fraction`, literal);
  if (!Number.isSafeInteger(value)) throw fenRefusal(FEN_REASONS.OUT_OF_RANGE, 'must be within ±9,007,199,254,740,991 (beyond it a number is not exact)', literal);
  return value;
}

const Fen = new GraphQLScalarType({
  ...SafeIntResolver.toConfig(),
  name: 'Fen',
  // The scalar's own description replaces the SDL's, so it says the same.
  description: 'An exact amount of money in fen (1 yuan = 100 fen): a whole number, never a fraction, up to 9,007,199,254,740,991 either way. Refused with reason MALFORMED_FEN (not a whole number) or FEN_OUT_OF_RANGE (beyond that).',
  parseValue(value: unknown): number {
    if (typeof value !== 'number') throw fenRefusal(FEN_REASONS.MALFORMED, `${FEN_WHOLE}, not ${kindOfValue(value)}`);
    return parseFen(value);
  },
  parseLiteral(ast): number {
    // 1e3 is a float literal holding a whole number, as 1000.0 is a JSON variable's.
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseFen(Number(ast.value), ast);
    throw fenRefusal(FEN_REASONS.MALFORMED, `${FEN_WHOLE}, not ${ast.kind === Kind.STRING ? 'a string' : (KIND_NAMES[ast.kind] ?? 'this')}`, ast);
  },
});

/**
 * The amount of a pre-grant check: a Fen, except that one which is not a whole number of fen (12.5,
 * "12") or is past the exact range (1e20) refuses its own check only, as ProposedDate's dates do. A
 * Fen refused in the scalar refused the whole operation: a term's twenty checks sent as aliases lost
 * nineteen answers to one mistyped amount. Fen elsewhere (a meeting's decisions, aidReport, …) still
 * refuses the operation, as a write should.
 */
const ProposedFen = proposedScalar(
  'ProposedFen',
  'An amount in fen of a proposed grant, as Fen; one that is not a whole number within its range refuses only the check it is in (BAD_USER_INPUT, reason MALFORMED_FEN or FEN_OUT_OF_RANGE, argument naming the input field), not the whole operation.',
  Fen,
);

export const scalarResolvers: Resolvers = {
  Date: DateScalar,
  ProposedDate,
  DateTime,
  Fen,
  ProposedFen,
};
