/**
 * The refusals of a request the hub answers before it looks at anything but the request line: the
 * error shape of every route (`sendError`, access/http.ts) and a method a path does not take (405
 * with `Allow`). Apart from access/http.ts, whose access middleware and its imports (the database
 * driver, the audit trail) take a while to load: `npm start`'s early listener
 * (server/early-listener.ts) answers with these same functions while the hub starts, before any of
 * that is loaded, so a client gets the same 405 before and after the hub is ready.
 */
import type express from 'express';
import type { ErrorCode } from './errors';
import { ROUTE_RULES } from './policy';

/**
 * `code` is one of the documented list (access/errors.ts), so a route cannot send another. A bad
 * parameter is named by `argument`, as a GraphQL BAD_USER_INPUT names its argument.
 */
export function sendError(res: express.Response, status: number, code: ErrorCode, reason: string, message: string, extra: { argument?: string } & Record<string, string | number> = {}): void {
  res.status(status).type(errorMediaType(res.req)).send(JSON.stringify({ errors: [{ message, extensions: { code, reason, ...extra } }] }));
}

/**
 * The media type of a refusal: application/graphql-response+json to a client that prefers it (the
 * GraphQL-over-HTTP spec's own, as Apollo answers such a client on /graphql), else application/json,
 * which also answers a client that accepts neither (a refusal is sent whatever Accept says).
 */
function errorMediaType(req: express.Request | undefined): string {
  return req?.headers.accept && req.accepts(['application/json', 'application/graphql-response+json']) === 'application/graphql-response+json'
    ? 'application/graphql-response+json'
    : 'application/json';
}

/** The methods a public path (PUBLIC_PATHS) takes: GET, and HEAD, which Express answers as the GET without its body. */
const PUBLIC_PATH_METHODS = 'GET, HEAD';

/** The methods /graphql takes: the GraphQL-over-HTTP spec's two (HEAD is not a GET there: test/http/graphql-methods.test.ts). */
const GRAPHQL_METHODS = ['GET', 'POST'] as const;

/**
 * A method a path that is there does not take: 405 with `Allow` (RFC 9110 §15.5.6: the resource is
 * there, and a 405 lists what it takes), the code and reason Apollo's own refusal on /graphql carries
 * (server/apollo-refusals.ts METHOD_NOT_ALLOWED).
 */
function methodNotAllowed(res: express.Response, allow: string): void {
  res.set('Allow', allow);
  sendError(res, 405, 'BAD_REQUEST', 'METHOD_NOT_ALLOWED', `This path takes ${allow} only`);
}

/**
 * Any other method on a public path (/healthz, /readyz, the query page). It was 404 NO_SUCH_ROUTE,
 * which told a probe misconfigured to POST that the path does not exist. Mounted after the paths'
 * GET routes and before the access middleware: no token is read, nothing audited.
 */
export function refusePublicMethod(_req: express.Request, res: express.Response): void {
  methodNotAllowed(res, PUBLIC_PATH_METHODS);
}

/** The methods of each path ROUTE_RULES declares (HEAD with GET: Express answers it as the GET, the access middleware judges it as one), and /graphql's. */
const DECLARED_METHODS: readonly { path: RegExp | string; methods: ReadonlySet<string>; allow: string }[] = (() => {
  const byPath = new Map<string, { path: RegExp | string; methods: Set<string> }>();
  byPath.set('/graphql', { path: '/graphql', methods: new Set(GRAPHQL_METHODS) });
  for (const rule of ROUTE_RULES) {
    const entry = byPath.get(rule.path.source) ?? { path: rule.path, methods: new Set<string>() };
    entry.methods.add(rule.method);
    if (rule.method === 'GET') entry.methods.add('HEAD');
    byPath.set(rule.path.source, entry);
  }
  return [...byPath.values()].map((e) => ({ ...e, allow: [...e.methods].join(', ') }));
})();

/**
 * A method a declared path does not take (/graphql's PUT, a POST to /exports/overdue.csv, a DELETE
 * of /cases/1/brief): 405 with its `Allow`, before the access middleware, token or not, nothing
 * audited (a 405 says nothing of any data: the path is the hub's, not a household's). It was 403
 * NO_ACCESS_RULE with a token (audited DENIED) and 401 without one, and /graphql's 405 (Apollo's)
 * came only after the token was judged. A path no route serves is left to the access middleware (404).
 */
export function refuseUndeclaredMethod(req: express.Request, res: express.Response, next: express.NextFunction): void {
  const path = req.path;
  const declared = DECLARED_METHODS.find((d) => (typeof d.path === 'string' ? d.path === path : d.path.test(path)));
  if (!declared || declared.methods.has(req.method)) return next();
  methodNotAllowed(res, declared.allow);
}
