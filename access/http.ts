/**
 * The HTTP side of access: authentication, purpose, rate limits and non-GraphQL routes, as Express
 * middleware mounted before every route except /healthz, /readyz and the static query page.
 *
 * Refusals answer in the GraphQL response shape (`{ errors: [{ message, extensions: { code,
 * reason } }] }`) on every route, so a client handles one error format:
 *   401 UNAUTHENTICATED   no, malformed, unknown, expired or revoked token, or more than one Authorization header
 *   429 RATE_LIMITED      past the client's (or, for failed logins, the address's) rate
 *   400 BAD_REQUEST       an unknown purpose, a malformed case reference or officer, an officer missing
 *                         where the client requires one, malformed JSON
 *   403 FORBIDDEN         a purpose the client's department and roles may not state; a declared path with a method or role it does not allow
 *   404 NOT_FOUND         a path no route serves (to everyone, before the token is judged)
 *   400 BAD_REQUEST       two Content-Type headers (HEADER_REPEATED: refuseRepeatedHeaders), before the token is judged;
 *                         two X-Purpose, X-Case-Reference or X-Officer headers (HEADER_REPEATED), once it is
 *   405 BAD_REQUEST       a method a path does not take: other than GET or HEAD on a public path (/healthz, /readyz, /:
 *                         refusePublicMethod), than GET and POST on /graphql, than a declared route's (refuseUndeclaredMethod)
 *   413 BAD_REQUEST       a body over the limit
 *   415 BAD_REQUEST       a GraphQL POST that is not application/json in UTF-8
 *   503 INTERNAL_SERVER_ERROR (AUDIT_UNAVAILABLE) the access could not be recorded
 *   503 HUB_UNAVAILABLE   the hub's own database did not answer in time (HUB_TIMEOUT_MS), or cannot be reached;
 *                         or a later release has migrated it (DATABASE_OF_LATER_RELEASE, access/release-watch.ts)
 */
import type http from 'node:http';
import type express from 'express';
import type { Logger } from 'pino';
import type { AccessDb } from '../db/access/db';
import { hubUnavailableReason } from '../db/connect';
import { halfWidth } from '../domain/half-width';
import { mayContainIdNumber, mayContainIdNumberBesideDigests } from '../domain/id-number';
import { scrub, loggableError } from '../domain/privacy';
import type { HubConfig } from '../db/config';
import type { ErrorCode } from './errors';
import { requestIdOf, requestLogger } from './request-id';
import { officerRefusal, parseOfficer } from './officer';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AuditUnavailable, type AuditStore } from './audit';
import { TokenCache, type Authentication, type AuthFailure } from './clients';
import { checkCall, purposeRefusal, type Caller, type RequestAccess } from './decide';
import { sendError } from './http-refusals';

// Refusals the early listener of `npm start` sends too (server/early-listener.ts), from a module light enough for it.
export { refusePublicMethod, refuseUndeclaredMethod, sendError } from './http-refusals';
import { isPurpose, ROUTE_RULES, type Purpose } from './policy';
import type { RateLimits } from './rate-limits';

const accessByRequest = new WeakMap<express.Request, RequestAccess>();

/** Who made this request and why; null before the access middleware ran (or on a public path). */
export function requestAccess(req: express.Request): RequestAccess | null {
  return accessByRequest.get(req) ?? null;
}

/**
 * The 401's challenge (RFC 6750 §3.1): `error="invalid_token"` only for a Bearer token that failed
 * (malformed, unknown, expired, revoked). A request that sent no Bearer credentials (no
 * Authorization header, or another scheme such as Basic) gets the challenge without an error code,
 * as the RFC asks: it was told `invalid_token`, which a client library reads as "your token is bad,
 * get a new one" when it had sent none.
 */
function bearerChallenge(reason: AuthFailure, authorization: string | undefined): string {
  if (reason === 'TOKEN_AMBIGUOUS') return AMBIGUOUS_CHALLENGE;
  const presented = reason !== 'TOKEN_MISSING' && authorization !== undefined && /^\s*Bearer(\s|$)/i.test(authorization);
  return presented ? 'Bearer realm="aidhub", error="invalid_token"' : 'Bearer realm="aidhub"';
}

/**
 * The challenge to a request that sent more than one Authorization header: RFC 6750 §3.1 names it
 * `invalid_request` ("uses more than one method for including an access token"), not a bad token.
 */
export const AMBIGUOUS_CHALLENGE = 'Bearer realm="aidhub", error="invalid_request"';

/**
 * The first of `names` (lower-case) the request carried more than once, or null. Node keeps the first
 * of a repeated Authorization, Content-Type or Host in `req.headers` and drops the rest (most other
 * headers, X-Purpose and X-Officer among them, it joins with ", ", which their parsers refuse), so only
 * `rawHeaders` shows them. A proxy in front may read another of them than the hub. A loop over the
 * header lines, no array made: it runs on every request.
 */
export function repeatedHeader(req: http.IncomingMessage, names: readonly string[]): string | null {
  const raw = req.rawHeaders;
  let seen: string[] | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const line = raw[i];
    for (const name of names) {
      if (line.length !== name.length || line.toLowerCase() !== name) continue;
      if (seen?.includes(name)) return name;
      (seen ??= []).push(name);
    }
  }
  return null;
}

/**
 * Whether the request carried more than one Authorization header (repeatedHeader). Which client the
 * request comes from is then ambiguous, and it is refused (TOKEN_AMBIGUOUS) whatever they hold,
 * identical or not, before any token is looked up.
 */
export function authorizationRepeated(req: http.IncomingMessage): boolean {
  return repeatedHeader(req, AUTHORIZATION) !== null;
}
const AUTHORIZATION = ['authorization'] as const;

/**
 * The headers the hub interprets of those Node keeps the first of (repeatedHeader), Authorization
 * aside (TOKEN_AMBIGUOUS, 401, judged with the token): Content-Type, which says how the body is read
 * (JSON in UTF-8 or not). Host, User-Agent, Referer and the others Node drops the repeats of the hub
 * reads nothing from; a repeated Content-Length Node refuses itself (MALFORMED_CONTENT_LENGTH).
 */
const SINGLE_HEADERS = ['content-type'] as const;

/** How each of SINGLE_HEADERS is named to the caller. */
const HEADER_NAMES: Record<(typeof SINGLE_HEADERS)[number], string> = { 'content-type': 'Content-Type' };

/**
 * The headers a caller states who it acts for and why (X-Purpose, X-Case-Reference, X-Officer), read
 * once authenticated: each sent twice is refused HEADER_REPEATED, `header` naming it, whatever the two
 * say (the same twice too, as Authorization), before either is judged. Node joins their repeats with
 * ", " (repeatedHeader), so each was refused as a bad value (UNKNOWN_PURPOSE,
 * MALFORMED_CASE_REFERENCE, MALFORMED_OFFICER), which named no repeat.
 */
const STATED_HEADERS = ['x-purpose', 'x-case-reference', 'x-officer'] as const;

/** How each of STATED_HEADERS is named to the caller. */
const STATED_HEADER_NAMES: Record<(typeof STATED_HEADERS)[number], string> = { 'x-purpose': 'X-Purpose', 'x-case-reference': 'X-Case-Reference', 'x-officer': 'X-Officer' };

/**
 * A request with two Content-Type headers is refused before anything reads it: 400, BAD_REQUEST,
 * reason HEADER_REPEATED, `header` naming it. Node kept the first and the hub read the body by it,
 * where a proxy or a web application firewall in front may have judged the body by the other (a
 * body inspected as text/plain and parsed as JSON). Mounted before the access middleware, token or
 * not: nothing audited.
 */
export function refuseRepeatedHeaders(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const repeated = repeatedHeader(req, SINGLE_HEADERS) as (typeof SINGLE_HEADERS)[number] | null;
  if (repeated === null) return next();
  const header = HEADER_NAMES[repeated];
  sendError(res, 400, 'BAD_REQUEST', 'HEADER_REPEATED', `The request carries more than one ${header} header: send exactly one`, { header });
}

const AMBIGUOUS: Authentication = { ok: false, reason: 'TOKEN_AMBIGUOUS' };

const AUTH_MESSAGES: Record<AuthFailure, string> = {
  TOKEN_MISSING: 'Send an access token: Authorization: Bearer <token>',
  TOKEN_MALFORMED: 'The Authorization header does not carry a token of this hub (Bearer ahk_…)',
  TOKEN_AMBIGUOUS: 'The request carries more than one Authorization header: send exactly one, Authorization: Bearer <token>',
  TOKEN_INVALID: 'The access token is not known to this hub',
  TOKEN_EXPIRED: 'The access token has expired; ask for it to be rotated',
  TOKEN_REVOKED: 'The access token has been revoked',
};

/** A case reference is an office's file number: short, ASCII, and never an ID number or a name. */
const CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

/** `eligibility-review`, `Eligibility_Review` and `ELIGIBILITY_REVIEW` all name one purpose. */
export function parsePurpose(header: string | undefined): Purpose | null | 'UNKNOWN' {
  if (header === undefined || header.trim() === '') return null;
  const name = header.trim().toUpperCase().replace(/-/g, '_');
  return isPurpose(name) ? name : 'UNKNOWN';
}

/** Refused when it may carry an ID number, whole or in parts (mayContainIdNumber; a case reference holds no hex digest to judge apart, as X-Request-Id's may). */
export function parseCaseReference(header: string | undefined): string | null | 'MALFORMED' {
  if (header === undefined || header.trim() === '') return null;
  const ref = header.trim();
  return CASE_REFERENCE.test(ref) && !mayContainIdNumber(ref) ? ref : 'MALFORMED';
}

export interface AccessHttpDeps {
  db: AccessDb;
  audit: AuditStore;
  config: HubConfig;
  logger: Logger;
  /** Kept in this process or in a store shared by every replica (access/rate-limits.ts). */
  rateLimits: RateLimits;
  /** Token look-ups (kept for `config.tokenCacheMs`); by default one of its own. */
  tokens?: TokenCache;
  /** Told of every RATE_LIMITED refusal, by which limit (the metrics count them). */
  onRateLimited?: (limit: 'client' | 'auth_failure') => void;
  /** Told of every UNAUTHENTICATED refusal, by reason (the metrics count them). */
  onUnauthenticated?: (reason: AuthFailure) => void;
  /**
   * The root fields of a GraphQL request refused for its purpose (PURPOSE_NOT_ALLOWED), read from
   * its body or URL as a request let in would be read, never run (server/app.ts); null where they
   * cannot be told (a malformed or unparsable body, a persisted query sent by its hash alone).
   * Absent: the refusal records none.
   */
  refusedQueryFields?: (req: express.Request, res: express.Response, caller: Caller) => Promise<string | null>;
}

function rateLimited(res: express.Response, rejection: RateLimiterRes, message: string): void {
  res.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
  sendError(res, 429, 'RATE_LIMITED', 'TOO_MANY_REQUESTS', message);
}

/**
 * A request path as it may be logged: decoded first (an ID number written with spaces arrives as
 * `110105%2019900101%201234`), then scrubbed.
 */
export function loggablePath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: scrub the path as it came.
  }
  return scrub(decoded);
}

/** A path no route serves (accessMiddleware): module functions, not closures made per request (test/keep-names.test.ts). */
function notFound(res: express.Response): void {
  sendError(res, 404, 'NOT_FOUND', 'NO_SUCH_ROUTE', 'This hub serves nothing at this path');
}

/** The audit entry of a call judged by accessMiddleware before it runs (a refused purpose, a route other than /graphql). */
function recordCall(audit: AuditStore, access: RequestAccess, isGraphQL: boolean, outcome: 'ALLOWED' | 'DENIED', operation: string | null, rootFields: string | null = null): Promise<void> {
  const { caller, purpose, caseReference, officer } = access;
  return audit.append({ requestId: access.requestId, caller, purpose, caseReference, officer, channel: isGraphQL ? 'GRAPHQL' : 'HTTP', operation, operationHash: null, rootFields, subjects: [], outcome });
}

/**
 * Authenticates every request it sees, applies the per-client rate limit, reads X-Purpose,
 * X-Case-Reference and X-Officer, and for routes other than /graphql applies ROUTE_RULES and records the access.
 * GraphQL requests are checked field by field (access/enforce.ts) and recorded by the audit plugin.
 */
export function accessMiddleware(deps: AccessHttpDeps): express.RequestHandler {
  const tokens = deps.tokens ?? new TokenCache(deps.db, deps.config.tokenCacheMs ?? 0);
  return async (req, res, next) => {
    // Lazy: the pino child with the request's id is made only if a line is written.
    const logger = requestLogger(req, deps.logger);
    try {
      // A path no route serves is 404 to everyone, token or not: a 401 or 403 there would say
      // something is behind it. A route registered without a rule in ROUTE_RULES is one of them.
      // The path once (Express's getter parses the URL at each read).
      const path = req.path;
      const known = path === '/graphql' || ROUTE_RULES.some((r) => r.path.test(path));
      const authorization = req.get('authorization');
      const auth = authorizationRepeated(req) ? AMBIGUOUS : (tokens.known(authorization) ?? (await tokens.authenticate(authorization)));
      if (!auth.ok && !known) return notFound(res);
      if (!auth.ok) {
        const rejection = await deps.rateLimits.consumeAuthFailure(req.ip ?? 'unknown', logger);
        if (rejection) {
          deps.onRateLimited?.('auth_failure');
          return rateLimited(res, rejection, 'Too many failed authentications from this address; wait and retry');
        }
        logger.warn({ reason: auth.reason, method: req.method, path: loggablePath(req.path) }, 'unauthenticated request refused');
        deps.onUnauthenticated?.(auth.reason);
        res.set('WWW-Authenticate', bearerChallenge(auth.reason, authorization));
        return sendError(res, 401, 'UNAUTHENTICATED', auth.reason, AUTH_MESSAGES[auth.reason]);
      }
      const caller = auth.caller;
      const rejection = await deps.rateLimits.consumeClient(String(caller.clientId), logger);
      if (rejection) {
        logger.warn({ client: caller.name }, 'rate limit reached');
        deps.onRateLimited?.('client');
        return rateLimited(res, rejection, `More than ${deps.config.rateLimitPerMinute} requests a minute from this client; wait and retry`);
      }

      const officer = parseOfficer(req.get('x-officer'));
      if (!known) {
        // An authenticated attempt is still on record.
        const stated = parsePurpose(req.get('x-purpose'));
        const named = officer === 'MALFORMED' || officer === 'ID_NUMBER' ? null : officer;
        await deps.audit.append({ requestId: requestIdOf(req), caller, purpose: stated === 'UNKNOWN' ? null : stated, caseReference: null, officer: named, channel: 'HTTP', operation: `${req.method} (undeclared route)`, operationHash: null, subjects: [], outcome: 'DENIED' });
        return notFound(res);
      }

      // Sent twice, Node joins them with ", " and each parser refused the joined value as a bad one
      // (two X-Purpose of a known purpose were UNKNOWN_PURPOSE, which sent the caller to the list).
      const stated = repeatedHeader(req, STATED_HEADERS) as (typeof STATED_HEADERS)[number] | null;
      if (stated !== null) return sendError(res, 400, 'BAD_REQUEST', 'HEADER_REPEATED', `The request carries more than one ${STATED_HEADER_NAMES[stated]} header: send exactly one`, { header: STATED_HEADER_NAMES[stated] });
      const purpose = parsePurpose(req.get('x-purpose'));
      if (purpose === 'UNKNOWN') return sendError(res, 400, 'BAD_REQUEST', 'UNKNOWN_PURPOSE', 'X-Purpose names no purpose of this hub; see docs/access.md for the list');
      const caseReference = parseCaseReference(req.get('x-case-reference'));
      if (caseReference === 'MALFORMED') {
        return sendError(res, 400, 'BAD_REQUEST', 'MALFORMED_CASE_REFERENCE', 'X-Case-Reference must be 1-64 characters of letters, digits and . _ : / - and not an ID number');
      }
      const officerRefused = officerRefusal(officer, caller.requireOfficer === true);
      if (officerRefused) return sendError(res, 400, 'BAD_REQUEST', officerRefused.reason, officerRefused.message);
      const named = officer as string | null;
      const access: RequestAccess = { caller, purpose, caseReference, officer: named, requestId: requestIdOf(req) };
      const isGraphQL = path === '/graphql';

      const purposeRefused = purpose === null ? null : purposeRefusal(caller, purpose);
      if (purposeRefused) {
        // Refused whatever the request asks, so nothing of it runs; its body is read only for the
        // entry to say which query was refused (its root fields' names, nothing else of it).
        const rootFields = isGraphQL && deps.refusedQueryFields ? await deps.refusedQueryFields(req, res, caller) : null;
        await recordCall(deps.audit, access, isGraphQL, 'DENIED', isGraphQL ? null : `${req.method} ${req.path}`, rootFields);
        // A role its office may not hold (ROLE_OFFICES): a client stored before the rule, for the operator to replace.
        if (purposeRefused.reason === 'ROLE_NOT_FOR_DEPARTMENT') logger.warn({ client: caller.name, department: caller.department, purpose }, 'purpose refused: the client holds a role its office may not hold for it');
        return sendError(res, 403, 'FORBIDDEN', purposeRefused.reason, purposeRefused.message);
      }
      accessByRequest.set(req, access);
      if (isGraphQL) return next();

      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const rule = ROUTE_RULES.find((r) => r.method === method && r.path.test(req.path));
      const refusal = checkCall(rule, rule ? `${method} ${rule.description}` : 'this route', caller, purpose);
      // Written before the route runs: if it cannot be written, the route does not run.
      await recordCall(deps.audit, access, isGraphQL, refusal ? 'DENIED' : 'ALLOWED', rule ? `${method} ${req.path}` : `${method} (undeclared route)`);
      if (refusal) return sendError(res, 403, 'FORBIDDEN', refusal.reason, refusal.message);
      next();
    } catch (err) {
      if (err instanceof AuditUnavailable) {
        logger.error({ err: loggableError(err) }, 'audit append failed; request refused');
        return sendError(res, 503, 'INTERNAL_SERVER_ERROR', 'AUDIT_UNAVAILABLE', 'The access could not be recorded, so nothing is returned');
      }
      next(err);
    }
  };
}

/**
 * The charset a Content-Type header declares, lower-cased and unquoted; null when it declares none.
 * The header's own grammar (RFC 9110 §8.3): `type/subtype *( ";" name "=" value )`.
 */
export function declaredCharset(contentType: string | undefined): string | null {
  for (const param of (contentType ?? '').split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return null;
}

/**
 * The labels of UTF-8 in the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/#names-and-labels),
 * matched case-insensitively: `utf8` is what many clients declare (older Java, PHP and MySQL-minded stacks).
 */
export const UTF8_LABELS: ReadonlySet<string> = new Set(['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8']);

/**
 * A GraphQL POST must be JSON in UTF-8 (the GraphQL-over-HTTP media type's only encoding, under
 * any of its labels); anything else is refused before it is parsed. The body parser would also decode UTF-16 and
 * UTF-32, but the nesting guard (server/app.ts refuseDeepNesting) reads UTF-8 bytes: in UTF-16 a
 * character such as 屋 (U+5C4B) holds a backslash byte, so it refused a body of a few brackets in a
 * string as NESTED_TOO_DEEP and let a deeply nested one through.
 */
export function requireJsonPost(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (req.method !== 'POST') return next();
  const refused = jsonPostRefusal(req);
  if (refused === 'UNSUPPORTED_CONTENT_TYPE') return sendError(res, 415, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE', 'POST /graphql takes Content-Type: application/json');
  if (refused === 'UNSUPPORTED_ENCODING') return sendError(res, 415, 'BAD_REQUEST', 'UNSUPPORTED_ENCODING', 'POST /graphql takes a body in UTF-8 (charset=utf-8, or no charset)');
  next();
}

/**
 * A GET /graphql whose URL may carry an ID number (in its query, variables, extensions or operation
 * name: mayContainIdNumberBesideDigests, as X-Request-Id is judged, over full-width digits read as
 * ASCII) is refused before anything runs: 400, BAD_REQUEST, reason ID_NUMBER_IN_URL, the
 * number not repeated. A URL is written down by every proxy, load balancer and browser history it
 * passes, where a POST's body is not: a `person(idNumber:)` look-up sent by GET put the number in
 * their logs in clear. Only ID numbers, not every GET of personal data: a GET naming a household
 * id or a division identifies nobody to a reader of those logs, and stays (docs/access.md "Errors").
 */
export function refuseIdNumbersInUrl(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (req.method !== 'GET') return next();
  const values = Object.values(req.query as Record<string, unknown>).flat();
  if (!values.some((v) => typeof v === 'string' && mayCarryIdNumber(v))) return next();
  sendError(res, 400, 'BAD_REQUEST', 'ID_NUMBER_IN_URL', 'This GET request carries an ID number in its URL, which proxies and browsers write down: send it by POST, with the ID number in the JSON body (as a variable)');
}

/**
 * Whether a GET's search parameter may carry an ID number (refuseIdNumbersInUrl), over full-width
 * digits read as ASCII: a digest in it (a persisted query's hash, a finding's id) judged as the
 * digest it is (mayContainIdNumberBesideDigests). Judged as any text, one such document in 60 could
 * never be sent by GET (as Apollo Client sends hashed queries with useGETForHashedQueries), nor one
 * finding in 120 asked for, however often the client retried.
 */
function mayCarryIdNumber(value: string): boolean {
  return mayContainIdNumberBesideDigests(halfWidth(value));
}

/** A persisted query's hash as Apollo computes and keys it: SHA-256 of the document, lowercase hex. */
const PERSISTED_QUERY_HASH = /^[0-9a-f]{64}$/;

/**
 * A version-1 persisted query (`extensions.persistedQuery`, POST body or GET search parameter) whose
 * `sha256Hash` is missing or not 64 lowercase hexadecimal digits is refused before Apollo sees it:
 * 400, BAD_REQUEST, reason PERSISTED_QUERY_HASH_MISSING or PERSISTED_QUERY_HASH_MALFORMED. Apollo
 * looked such a hash up and answered PERSISTED_QUERY_NOT_FOUND (a 200 telling the client to send
 * the document, which it then refused as HASH_MISMATCH). Another version is left to Apollo
 * (PERSISTED_QUERY_VERSION_UNSUPPORTED), as are extensions that are not a JSON object.
 */
export function refuseUnkeyedPersistedQuery(req: express.Request, res: express.Response, next: express.NextFunction): void {
  let extensions: unknown = req.method === 'POST' ? (req.body as { extensions?: unknown } | undefined)?.extensions : (req.query as Record<string, unknown>).extensions;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      return next();
    }
  }
  const persisted = extensions !== null && typeof extensions === 'object' ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
  if (persisted === null || typeof persisted !== 'object' || (persisted as { version?: unknown }).version !== 1) return next();
  const hash = (persisted as { sha256Hash?: unknown }).sha256Hash;
  if (hash === undefined || hash === null) return sendError(res, 400, 'BAD_REQUEST', 'PERSISTED_QUERY_HASH_MISSING', 'extensions.persistedQuery has no sha256Hash: send the SHA-256 of the document, in lowercase hexadecimal');
  if (typeof hash !== 'string' || !PERSISTED_QUERY_HASH.test(hash)) return sendError(res, 400, 'BAD_REQUEST', 'PERSISTED_QUERY_HASH_MALFORMED', 'extensions.persistedQuery.sha256Hash is not a SHA-256 hash: 64 lowercase hexadecimal digits');
  next();
}

/**
 * Why a POST's body is not one the GraphQL route reads (requireJsonPost), or null: then its
 * Content-Type names UTF-8 as the body parser knows it.
 */
export function jsonPostRefusal(req: express.Request): 'UNSUPPORTED_CONTENT_TYPE' | 'UNSUPPORTED_ENCODING' | null {
  if (!req.is('application/json')) return 'UNSUPPORTED_CONTENT_TYPE';
  const charset = declaredCharset(req.headers['content-type']);
  if (charset !== null && !UTF8_LABELS.has(charset)) return 'UNSUPPORTED_ENCODING';
  // The body parser knows UTF-8 only as `utf-…` (it refuses `utf8`): it is told the one name.
  if (charset !== null && charset !== 'utf-8') req.headers['content-type'] = 'application/json; charset=utf-8';
  return null;
}

/** What the caller is told when the hub's database is unavailable, by why (db/connect.ts hubUnavailableReason). */
export const HUB_UNAVAILABLE_MESSAGE = {
  TIMEOUT: 'The hub’s database did not answer in time; try again later',
  UNREACHABLE: 'The hub’s database cannot be reached; try again later',
} as const;

/** The warning logged for it (a caller cannot cause it, but an outage logs one line per request: warn, not error). */
export const HUB_UNAVAILABLE_LOG = {
  TIMEOUT: 'hub database did not answer in time',
  UNREACHABLE: 'hub database cannot be reached',
} as const;

/**
 * The last handler: body-parser failures and anything unexpected, answered in the GraphQL error
 * shape with no stack trace; unexpected errors are logged scrubbed.
 */
export function jsonErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (err: { type?: string; status?: number; statusCode?: number; name?: string; message?: string }, req, res, _next) => {
    if (res.headersSent) return;
    switch (err?.type) {
      case 'entity.parse.failed':
        return sendError(res, 400, 'BAD_REQUEST', 'MALFORMED_JSON', 'The request body is not valid JSON');
      case 'entity.too.large':
        return sendError(res, 413, 'BAD_REQUEST', 'BODY_TOO_LARGE', 'The request body is larger than the hub accepts');
      case 'entity.nested.too.deep':
        return sendError(res, 400, 'BAD_REQUEST', 'NESTED_TOO_DEEP', 'The request body nests arrays or objects deeper than any request needs');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, 415, 'BAD_REQUEST', 'UNSUPPORTED_ENCODING', 'The request body’s encoding or charset is not supported');
    }
    const unavailable = hubUnavailableReason(err);
    if (unavailable) {
      requestLogger(req, logger).warn({ method: req.method, path: loggablePath(req.path) }, HUB_UNAVAILABLE_LOG[unavailable]);
      return sendError(res, 503, 'HUB_UNAVAILABLE', `HUB_DATABASE_${unavailable}`, HUB_UNAVAILABLE_MESSAGE[unavailable]);
    }
    const status = err?.status ?? err?.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(res, status, 'BAD_REQUEST', 'BAD_REQUEST', 'The request could not be understood');
    requestLogger(req, logger).error({ err: loggableError(err), method: req.method, path: loggablePath(req.path) }, 'unexpected error');
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'INTERNAL', 'Internal server error');
  };
}
