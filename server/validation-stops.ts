/**
 * graphql-js's two ways of stopping a document's validation, which came without a reason a client
 * could match (test/bad-input.test.ts, "documents"):
 * - past its comparison budget for one selection's fields (OverlappingFieldsCanBeMergedRule: the
 *   same field a thousand times, well within every limit of server/app.ts), its only error
 *   "Validation aborted.": QUERY_TOO_COMPLEX, with what to send instead;
 * - after its 100th refusal (validate's maxErrors), a 101st error saying so: the refusals before it
 *   stay as they are, that one gets TOO_MANY_VALIDATION_ERRORS and the limit as `max`.
 */
import type { GraphQLFormattedError } from 'graphql';

/** The refusals graphql-js answers one by one before it stops validating (validate's maxErrors, default 100). */
export const VALIDATION_ERRORS_ANSWERED = 100;

const BUDGET_SPENT = 'Validation aborted.';
const LIMIT_REACHED = 'Too many validation errors, error limit reached. Validation aborted.';

/** The answer for graphql-js stopping validation, or null for any other error. */
export function validationStoppedAnswer(formatted: GraphQLFormattedError): GraphQLFormattedError | null {
  if (formatted.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED') return null;
  if (formatted.message === BUDGET_SPENT) {
    return {
      message: 'The document is too complex to validate: a selection holds too many fields to compare with each other (such as one field repeated hundreds of times); ask for each field once',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COMPLEX' },
    };
  }
  if (formatted.message === LIMIT_REACHED) {
    return {
      message: `Validation stopped after ${VALIDATION_ERRORS_ANSWERED} errors: the rest of the document was not checked; correct these and send again`,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'TOO_MANY_VALIDATION_ERRORS', max: VALIDATION_ERRORS_ANSWERED },
    };
  }
  return null;
}
