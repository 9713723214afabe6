/**
 * Apollo Server's own refusals of a request before anything runs (its `BadRequestError`: a body
 * that is no GraphQL request, a query that is not a string, variables that are not an object, a
 * batch, a GET without a preflight header, …) carry `extensions.code: BAD_REQUEST` and nothing a
 * client can match on but the English message. The hub gives each a stable `reason`, as it does
 * its own refusals.
 *
 * Apollo raises them all as one class with no other distinguishing field, so the message is the
 * only thing to tell them by: each pattern below is its whole sentence (or its fixed start where
 * Apollo writes a name or a header list into it). `test/apollo-refusals.test.ts` reads every
 * `BadRequestError` the installed @apollo/server constructs and fails if one of them is not matched
 * here, so an upgrade that rewords one is caught by the suite rather than by clients.
 *
 * | reason | when |
 * |---|---|
 * | `NOT_A_GRAPHQL_REQUEST` | a POST body that is an empty object (or empty) |
 * | `QUERY_MISSING` | neither `query` nor a persisted query |
 * | `QUERY_NOT_A_STRING` | `query` that is not a string (an object, a parsed document) |
 * | `VARIABLES_NOT_AN_OBJECT` | POST `variables` that is not a JSON object (a string, a list, a number) |
 * | `EXTENSIONS_NOT_AN_OBJECT` | POST `extensions` that is not a JSON object |
 * | `OPERATION_NAME_NOT_A_STRING` | POST `operationName` that is not a string |
 * | `SEARCH_PARAMETER_REPEATED` | a GET naming `query`, `operationName`, `variables` or `extensions` twice |
 * | `SEARCH_PARAMETER_NOT_AN_OBJECT` | a GET whose `variables` or `extensions` is not a JSON object |
 * | `UNSUPPORTED_CONTENT_TYPE` | a GET with a Content-Type other than `application/json` (415) |
 * | `BATCH_NOT_SUPPORTED` | a JSON list of operations |
 * | `CSRF_PREFLIGHT_REQUIRED` | a GET or simple POST with none of the preflight headers (`X-Purpose`, `Apollo-Require-Preflight`, `X-Apollo-Operation-Name`) |
 * | `METHOD_NOT_ALLOWED` | a method other than GET and POST (405) |
 * | `MUTATION_OVER_GET` | a mutation sent by GET (405) |
 * | `NOT_ACCEPTABLE` | an `Accept` header taking neither JSON media type (406) |
 * | `INCREMENTAL_DELIVERY_NOT_SUPPORTED` | `@defer`/`@stream` (the hub's schema has neither) |
 * | `BAD_REQUEST` | any refusal of a later Apollo version not listed here |
 */

export const APOLLO_REFUSALS: ReadonlyArray<{ reason: string; message: RegExp }> = [
  { reason: 'NOT_A_GRAPHQL_REQUEST', message: /^POST body missing, invalid Content-Type, or JSON object has no keys\.$/ },
  { reason: 'QUERY_MISSING', message: /^GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension\.$/ },
  { reason: 'QUERY_NOT_A_STRING', message: /^GraphQL queries must be strings\./ },
  { reason: 'VARIABLES_NOT_AN_OBJECT', message: /^`variables` in a POST body (should be provided as an object, not a recursively JSON-encoded string|must be an object if provided)\.$/ },
  { reason: 'EXTENSIONS_NOT_AN_OBJECT', message: /^`extensions` in a POST body (should be provided as an object, not a recursively JSON-encoded string|must be an object if provided)\.$/ },
  { reason: 'OPERATION_NAME_NOT_A_STRING', message: /^`operationName` in a POST body must be a string if provided\.$/ },
  { reason: 'SEARCH_PARAMETER_REPEATED', message: /^The '[^']+' search parameter may only be specified once\.$/ },
  { reason: 'SEARCH_PARAMETER_NOT_AN_OBJECT', message: /^The \S+ search parameter (contains invalid JSON|should contain a JSON-encoded object)\.$/ },
  { reason: 'UNSUPPORTED_CONTENT_TYPE', message: /^GET requests may not have a content-type header other than application\/json\.$/ },
  { reason: 'BATCH_NOT_SUPPORTED', message: /^(Operation batching disabled|No operations found in request)\.$/ },
  { reason: 'CSRF_PREFLIGHT_REQUIRED', message: /^This operation has been blocked as a potential Cross-Site Request Forgery \(CSRF\)\./ },
  { reason: 'METHOD_NOT_ALLOWED', message: /^Apollo Server supports only GET\/POST requests\.$/ },
  { reason: 'MUTATION_OVER_GET', message: /^GET requests only support query operations, not \S+ operations$/ },
  { reason: 'NOT_ACCEPTABLE', message: /^An 'accept' header was provided for this request which does not accept / },
  { reason: 'INCREMENTAL_DELIVERY_NOT_SUPPORTED', message: /^Apollo Server received an operation that uses incremental delivery /i },
];

/** What an Apollo refusal not (yet) listed above answers: still the caller's mistake, still stable. */
export const APOLLO_REFUSAL_FALLBACK = 'BAD_REQUEST';

/** The stable reason of an Apollo `BAD_REQUEST`, told by its message. */
export function apolloRefusalReason(message: string): string {
  return APOLLO_REFUSALS.find((r) => r.message.test(message))?.reason ?? APOLLO_REFUSAL_FALLBACK;
}
