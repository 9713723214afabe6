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
 * month) given as "" or only characters that show nothing (whitespace, zero-width spaces, BOM, word
 * joiners: domain/text-length.ts isBlank) is refused the same way, reason EMPTY_VALUE: read as
 * `input.x ? parse(input.x) : null` it meant "not given", so an empty field of a form changed what
 * was asked (a first aid for the whole household instead of the member, a list over the caller's
 * whole scope instead of one township). Prose left empty is no prose, as before.
 */
import type { GraphQLSchema } from 'graphql';
import { maskIdNumbersInText } from '../domain/privacy';
import { badInput } from '../access/errors';
import { isBlank, textProblem } from '../domain/text-length';
import { applyArgumentChecks, type LeafCheck } from './date-ranges';

/**
 * The input fields and arguments that hold prose a person writes over several lines: a case's
 * summary, reasons (a need's governmentAidPendingReason among them), notes, asks, feedback, a need's description. Every other String is one line,
 * and names or codes something when optional (EMPTY_VALUE below).
 */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['summary', 'reason', 'notes', 'note', 'ask', 'feedback', 'description', 'differenceReason', 'conflictOverrideReason', 'governmentAidPendingReason']);

const textLeaf: LeafCheck = (scalar, name, optional) => {
  if (scalar !== 'String') return null;
  const multiLine = MULTI_LINE_FIELDS.has(name);
  const notEmpty = optional && !multiLine;
  return (value, path) => {
    if (typeof value !== 'string') return;
    const problem = textProblem(value, multiLine);
    if (problem) throw badInput(path, 'TEXT_INVALID', `${path} contains ${problem}`);
    if (notEmpty && isBlank(value)) throw badInput(path, 'EMPTY_VALUE', `${path} is empty: leave it out (or send null) to give none`);
  };
};

export function applyTextChecks(schema: GraphQLSchema): GraphQLSchema {
  return applyArgumentChecks(schema, textLeaf);
}

/**
 * Prose charities read (a need's description), which the charity resolvers screen for any ID, phone
 * or card number and refuse (domain/text-screen.ts): masked first, an ID number would pass that screen.
 */
const SCREENED_PROSE: ReadonlySet<string> = new Set(['description']);

/**
 * An ID number written into prose (a summary naming the applicant's, a reason citing another
 * person's) is masked as it comes in (370811********123X), so it is stored, shown, printed and
 * pushed masked like every ID number the hub shows to those without the right to see it whole:
 * prose goes to every reader of a case, slip or alert, and the person is named by the field that
 * takes them (beneficiaryIdNumber, the household), never by the text. Text without one is kept as
 * written. Applied inside the checks above (resolvers/index.ts), so they judge the text as sent.
 */
const proseLeaf: LeafCheck = (scalar, name) => {
  if (scalar !== 'String') return null;
  if (!MULTI_LINE_FIELDS.has(name)) return (value) => (typeof value === 'string' && isBlank(value) ? '' : value);
  const screened = SCREENED_PROSE.has(name);
  return (value) => (typeof value !== 'string' ? value : isBlank(value) ? '' : screened ? value : maskIdNumbersInText(value));
};

/**
 * And text that shows nothing (only zero-width spaces, joiners, soft hyphens, fillers, blanks:
 * domain/text-length.ts isBlank) is read as the empty text it looks like, so every rule that needs
 * a reason, feedback or summary refuses it with its own code (REASON_REQUIRED, FEEDBACK_REQUIRED,
 * AID_AMOUNT_SHORT without a differenceReason, DECISION_CONFLICT without an override reason …), as
 * it refuses "": a decline's reason of U+200B was taken as given. The same for a required one-line
 * field (an officer, a consent's givenBy, an organisation's name, a project's title, an objection
 * contact): it gets what "" gets (TEXT_REQUIRED, MALFORMED_ACTOR, or the caller's own name as the
 * actor), where a consent "given by" U+200B was stored as given. An optional one-line field never
 * gets here blank: the checks above refuse it (EMPTY_VALUE).
 */
export function applyProseMasking(schema: GraphQLSchema): GraphQLSchema {
  return applyArgumentChecks(schema, proseLeaf);
}
