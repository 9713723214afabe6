/**
 * The HTTP service: Apollo Server 5 on Express 5. `POST /graphql`, `GET /healthz` (the process is
 * alive), `GET /readyz` (the hub database answers), and a self-contained query page at `/`.
 *
 * Those last three are public; everything else passes the access middleware first (token, rate
 * limit, purpose; access/http.ts). Route modules added below it are covered, and are closed
 * until declared in ROUTE_RULES (access/policy.ts).
 */
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { sql } from 'drizzle-orm';
import express from 'express';
import { GraphQLError, type ASTNode, type ASTVisitor, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type ValidationContext } from 'graphql';
import { AuditStore, auditWriterPool, chainBehindRecord } from '../access/audit';
import { caseSealHeadNow } from '../db/cases/seals';
import { CheckpointLog, lastRecordedRow } from '../access/checkpoints';
import { accessMiddleware, HUB_UNAVAILABLE_LOG, HUB_UNAVAILABLE_MESSAGE, jsonErrorHandler, jsonPostRefusal, refuseIdNumbersInUrl, refusePublicMethod, refuseRepeatedHeaders, refuseUndeclaredMethod, refuseUnkeyedPersistedQuery, requestAccess, requireJsonPost, sendError } from '../access/http';
import { createRateLimits, type RateLimits } from '../access/rate-limits';
import type { Caller } from '../access/decide';
import { PUBLIC_PATHS, ROLE_OFFICES_ENV } from '../access/policy';
import { clientsWithIgnoredRoles } from '../access/clients';
import { scanJobs } from '../resolvers/findings/scan';
import { AlertDeliveryWorker } from '../resolvers/alert-delivery/worker';
import { MonitoringPoller } from '../resolvers/monitoring/poller';
import { settleBackfilledDecisionDays } from '../resolvers/monitoring/decide-by-backfill';
import { recountReferralDueDates } from '../db/cases/due-recount';
import { recountClaimLapses } from '../db/charity/claim-recount';
import { inferAlertDeadlineCounts, recountAlertDeadlines } from '../resolvers/monitoring/deadline-recount';
import { monthlyJobs } from '../resolvers/monitoring/monthly';
import { FEN_REASONS } from '../resolvers/scalars';
import { AUDIT_PAGE_MAX } from '../resolvers/common';
import { activeTriggerSet } from '../rules/triggers-load';
import { activeRuleSet } from '../rules/load';
import { redactErrorMessage } from '../access/redact';
import { accessDbOf, type AccessDb } from '../db/access/db';
import { activeHolidayCalendar, calendarCoverage, uncoveredYearsAhead } from '../domain/cases/working-days';
import { MAX_DEADLINE_WORKING_DAYS } from '../domain/cases/meetings';
import { loggableError } from '../domain/privacy';
import { createContext, hubNow, hubToday, type HubContext, type HubDeps } from '../resolvers/context';
import { ERROR_CODES } from '../access/errors';
import { isReporterCode } from '../domain/departments';
import { buildFederatedSchema, buildSchema } from '../resolvers/index';
import { countingLogger, StatementCounter, statementScope } from '../db/instrument';
import { abandonWhenClientGoes, clientGonePlugin } from './client-gone';
import { auditPlugin, departmentUnavailablePlugin, hubPlugin, refusedRootFields, statementCountPlugin, type HubPlugin } from './plugins';
import { registerCasePages } from './case-pages';
import { answerClientErrors } from './client-errors';
import { registerFindingExports } from './exports';
import { registerOverdueExport } from './overdue-export';
import { ConfigError, databaseOf, HTTP_KEEP_ALIVE_MS_DEFAULT, HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT, HUB_TIMEOUT_MS_DEFAULT } from '../db/config';
import { limitConnectionsPerAddress } from './connection-limit';
import { hubUnavailableReason } from '../db/connect';
import { probeSources, withTimeout } from '../federation/loaders';
import { CostInFlight, queryCostPlugin } from './query-cost';
import { requestIdMiddleware, requestLogger, type LevelLogger } from '../access/request-id';
import { securityHeaders } from './security-headers';
import { inTurn } from './in-turn';
import { createExpressServer } from './express-messages';
import { queryPage } from './query-page';
import { HubMetrics, metricsHandler } from './metrics';
import { BinlogWatch } from './binlog-watch';
import { LATER_RELEASE_PROBLEM, ReleaseWatch } from '../access/release-watch';
import { holdApolloHashModule } from './query-hash';
import { validationStoppedAnswer } from './validation-stops';
import { shortcutArgumentlessFields } from './argument-values';
import { keepNegotiatedMediaTypes } from './media-types';
import { refusedValuesLimitAnswer, variableRefusalAnswer, variableRefusalOf } from './variable-errors';
import { literalPlaces, type LiteralPlace } from './literal-places';
import { apolloRefusalReason } from './apollo-refusals';

/** The codes passed on as they are: the documented list, Apollo's among them (persisted queries are on, so never PERSISTED_QUERY_NOT_SUPPORTED). */
const KNOWN_CODES = new Set<string>(ERROR_CODES);

/**
 * Refuses (ConfigError, exit 2) a start whose checkpoint file records rows the database's chain no
 * longer holds as written: docs/operations.md, "Backup and restore", says what to do.
 */
async function refuseRewoundChain(db: AccessDb, file: string): Promise<void> {
  const recorded = lastRecordedRow(file);
  const problem = recorded ? await chainBehindRecord(db, recorded) : null;
  if (!problem) return;
  throw new ConfigError(
    'CHECKPOINT_CHAIN_REWOUND',
    `AUDIT_CHECKPOINT_FILE: ${file} does not record this database's audit chain: ${problem}. Appending would record other rows under the numbers the file holds and spoil it as evidence. ` +
      `Keep the file (npm run audit:verify -- --checkpoints FILE --public-key PEM names what the database lost), give the hub a new AUDIT_CHECKPOINT_FILE (or move the file aside), ` +
      `and after a restore revoke or rotate again the API tokens revoked or rotated since the backup (npm run clients -- list): docs/operations.md, "Backup and restore"`,
  );
}

/**
 * Apollo's persisted-query refusals raised without a code, told by their messages: a hash that does
 * not match the document, and a `persistedQuery.version` other than 1 (it answered the fallback
 * reason BAD_REQUEST, which docs/access.md keeps for refusals a later Apollo adds).
 */
const PERSISTED_QUERY_REFUSALS: ReadonlyArray<{ reason: string; message: RegExp }> = [
  { reason: 'PERSISTED_QUERY_HASH_MISMATCH', message: /sha does not match/i },
  { reason: 'PERSISTED_QUERY_VERSION_UNSUPPORTED', message: /^Unsupported persisted query version$/ },
];

/**
 * An error Apollo raised before running anything, with an HTTP status of 4xx and no code of its
 * own: it is the request's fault, not the hub's. Null for anything else.
 */
function clientErrorOf(error: unknown): { reason: string } | null {
  if (!(error instanceof GraphQLError) || error.extensions?.code !== undefined) return null;
  const status = (error.extensions?.http as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  return { reason: PERSISTED_QUERY_REFUSALS.find((r) => r.message.test(error.message))?.reason ?? 'BAD_REQUEST' };
}

/**
 * The reasons a scalar of the hub's refuses a value with (resolvers/scalars.ts), and the scalar whose
 * name begins its message.
 */
const SCALAR_REFUSALS: Readonly<Record<string, { scalar: string; fallback: string }>> = {
  MALFORMED_DATE: { scalar: 'Date', fallback: 'Date must be a calendar date written YYYY-MM-DD' },
  MALFORMED_DATETIME: { scalar: 'DateTime', fallback: 'DateTime must be an instant written RFC 3339 with an offset' },
  [FEN_REASONS.MALFORMED]: { scalar: 'Fen', fallback: 'Fen must be a whole number of fen' },
  [FEN_REASONS.OUT_OF_RANGE]: { scalar: 'Fen', fallback: 'Fen must be within ±9,007,199,254,740,991' },
};

/**
 * A Date, a DateTime or a Fen the scalar refused (resolvers/scalars.ts): BAD_USER_INPUT with its
 * reason (MALFORMED_DATE, MALFORMED_DATETIME, MALFORMED_FEN, FEN_OUT_OF_RANGE) and `argument` its
 * place, whether sent as a variable or written in the document. A variable's place graphql-js names
 * only in its message (`Variable "$d" got invalid value …` or `… at "in.from"`): `$d`, `$in.from`.
 * A literal's is found in the request's document (server/literal-places.ts, `literalPlaceOf`):
 * `from`, `input.amountFen`, the message naming its field too. A literal was answered
 * GRAPHQL_VALIDATION_FAILED with no place, Apollo's code for any document that does not validate,
 * while the same value as a variable was BAD_USER_INPUT: a client told the two apart by how it
 * happened to write the value. The value itself never comes back from here.
 */
function scalarRefusalAnswer(formatted: GraphQLFormattedError, error: unknown, reason: string): GraphQLFormattedError {
  const { scalar, fallback } = SCALAR_REFUSALS[reason];
  // The scalar's own message, found down the chain of original errors; what graphql-js wrote
  // around it quotes the value, and only the variable's name and path are taken from that.
  let own = fallback;
  for (let e: unknown = error; e instanceof Error; e = (e as GraphQLError).originalError) {
    if (e.message.startsWith(`${scalar} `)) {
      own = e.message;
      break;
    }
  }
  const literal = formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' ? literalPlaceOf.get(error as object) : undefined;
  const variable = /^Variable "(\$\w+)" got invalid value /.exec(formatted.message);
  // graphql-js writes the place inside the variable without its "$": `… at "in.grantDate"; Date …`.
  const at = variable ? new RegExp(` at "(\\w+[\\w.[\\]]*)"; ${scalar} [^;]*$`).exec(formatted.message) : null;
  const argument = literal?.argument ?? (at ? `$${at[1]}` : variable?.[1]);
  const named = literal?.named ?? (argument ? `Variable "${argument}"` : null);
  return {
    message: redactErrorMessage(named ? `${named}: ${own}` : own),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: 'BAD_USER_INPUT', reason, ...(argument ? { argument } : {}) },
  };
}

/**
 * The place of each literal a scalar refused (scalarRefusalAnswer), found while the request's
 * document is in reach (errorLogListener) and read when its error is formatted, which is given no
 * request. Only a refusal's error is ever a key.
 */
const literalPlaceOf = new WeakMap<object, LiteralPlace>();

/** Finds the places of the literals a scalar of the hub's refused among `errors` (validation errors of `document`). */
function placeRefusedLiterals(document: DocumentNode | undefined, errors: readonly GraphQLError[]): void {
  if (!document) return;
  const refused = new Map<ASTNode, GraphQLError>();
  for (const error of errors) {
    const reason = error.extensions?.reason;
    if (error.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED' || typeof reason !== 'string' || !Object.hasOwn(SCALAR_REFUSALS, reason)) continue;
    if (error.nodes?.length === 1) refused.set(error.nodes[0], error);
  }
  if (refused.size === 0) return;
  for (const [node, place] of literalPlaces(document, new Set(refused.keys()))) literalPlaceOf.set(refused.get(node)!, place);
}

/** GraphQL request bodies above this are refused (413) before they are parsed. */
export const BODY_LIMIT = '100kb';

/**
 * The same for a client that reports aid (an office of a non-federated department or a charity,
 * with DEPARTMENT_WRITER): its largest request, an aidReport of 1,000 records (MAX_REPORT_BATCH),
 * is about 850 kB with every text at its longest in Chinese, 600 kB in ASCII; at 100 kB a batch of
 * 700 plain records was refused (test/reported-aid.test.ts). Other clients keep 100 kB: parsing a
 * body costs time on the event loop that grows with its size.
 */
export const REPORT_BODY_LIMIT = '1mb';

/**
 * Brackets open at once in a request body past which it is refused before parsing (400
 * NESTED_TOO_DEEP). No input type of the schema nests; a GraphQL body needs about 8 levels, and
 * JSON.parse spends half a second on a megabyte of nothing but brackets.
 */
export const MAX_BODY_NESTING = 32;

/** Throws when `body` opens more than `max` arrays or objects at once (outside strings). */
export function refuseDeepNesting(body: Buffer, max: number = MAX_BODY_NESTING): void {
  // Depth never exceeds the brackets opened, so a body with at most `max` of them, in strings or
  // not, cannot nest too deep: counted by Buffer#indexOf (memchr), it is not walked byte by byte.
  // A GraphQL body has some twenty; walking its kilobyte was 36 k instructions (docs/performance.md,
  // sessions 28 and 30).
  if (openingBrackets(body, max) <= max) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw Object.assign(new Error(`the request body nests more than ${max} levels`), { type: 'entity.nested.too.deep', status: 400 });
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/** The bytes `[` and `{` in `body`, counted up to `max + 1`. */
function openingBrackets(body: Buffer, max: number): number {
  let n = 0;
  for (const bracket of [0x5b, 0x7b]) {
    for (let i = body.indexOf(bracket); i !== -1 && n <= max; i = body.indexOf(bracket, i + 1)) n++;
  }
  return n;
}

const parseBody = express.json({ limit: BODY_LIMIT, verify: (_req, _res, buf) => refuseDeepNesting(buf) });
const parseReportBody = express.json({ limit: REPORT_BODY_LIMIT, verify: (_req, _res, buf) => refuseDeepNesting(buf) });

/** The body parser for a caller: a reporter's takes a report's batch (REPORT_BODY_LIMIT). */
function bodyParserFor(caller: Caller | undefined): express.RequestHandler {
  const reporter = !!caller && isReporterCode(caller.department) && caller.roles.includes('DEPARTMENT_WRITER');
  return reporter ? parseReportBody : parseBody;
}

/**
 * Every GraphQL answer is personal and audited, and a GET's may be stored under its URL by the
 * browser or a proxy: `no-store`, as the brief and the CSV export are sent. Apollo's cache-control
 * plugin, which sent it, is off (the hub gives no cache hints), and GraphQL answers went out with no
 * Cache-Control at all (test/http/headers.test.ts).
 */
const noStore: express.RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** The request's own statement counter, outside production (extensions.sqlStatements). */
function countStatements(_req: express.Request, _res: express.Response, next: express.NextFunction): void {
  statementScope.run(new StatementCounter(), next);
}

/** The body parser for this request's caller (the access middleware has authenticated it). */
function jsonBody(req: express.Request, res: express.Response, next: express.NextFunction): void {
  bodyParserFor(requestAccess(req)?.caller)(req, res, next);
}

/**
 * The root fields of a GraphQL request refused for its purpose (access/http.ts), for its audit entry:
 * a POST's body read under the same rules as one let in (JSON in UTF-8, BODY_LIMIT or a reporter's
 * limit, MAX_BODY_NESTING), a GET's query string, and its document read by refusedRootFields. Null for
 * a body refused by any of those rules, or not JSON (the refusal is still PURPOSE_NOT_ALLOWED).
 */
async function refusedQueryFields(schema: GraphQLSchema, maxTokens: number, req: express.Request, res: express.Response, caller: Caller): Promise<string | null> {
  let request: { query?: unknown; operationName?: unknown } = req.method === 'GET' ? (req.query as Record<string, unknown>) : {};
  if (req.method === 'POST') {
    if (jsonPostRefusal(req) !== null) return null;
    const read = await new Promise<boolean>((resolve) => bodyParserFor(caller)(req, res, (err?: unknown) => resolve(!err)));
    if (!read || typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) return null;
    request = req.body as typeof request;
  }
  return refusedRootFields(schema, request.query, request.operationName, maxTokens);
}

/** The hub serves queries and mutations; a subscription is refused at validation (400), not left to fail while running. */
function noSubscriptions(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === 'subscription') context.reportError(new GraphQLError('Subscriptions are not supported', { nodes: [node] }));
    },
  };
}

export interface HubServer {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<HubContext>;
  audit: AuditStore;
  metrics: HubMetrics;
  /**
   * The metrics listener, when METRICS_PORT is set: the one the caller gave (listening already,
   * answering `metricsApp` once the caller hands it over), or one of its own, not yet listening.
   */
  metricsHttpServer: http.Server | null;
  /** What the metrics listener answers (GET /metrics), when METRICS_PORT is set. */
  metricsApp: http.RequestListener | null;
  rateLimits: RateLimits;
  /**
   * Begins the shutdown drain (server/main.ts, AIDHUB_SHUTDOWN_DRAIN_MS): from now on /readyz
   * answers 503 `{ "status": "draining" }` and every response closes its connection, while every
   * request is still served, until the hub is stopped.
   */
  drain(): void;
}

/**
 * Idle connections outlive the clients' and routers' own idle timeouts (db/config.ts keepAliveMs),
 * and the header deadline outlives the keep-alive, as Node requires for it to take effect.
 */
function keepIdleConnections(server: http.Server, keepAliveMs: number | undefined): void {
  server.keepAliveTimeout = keepAliveMs ?? HTTP_KEEP_ALIVE_MS_DEFAULT;
  server.headersTimeout = server.keepAliveTimeout + 5_000;
}

/** A log line an error's answer comes with (hubErrorAnswer). */
interface ErrorLogLine {
  level: 'debug' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

function logLine(logger: LevelLogger, line: ErrorLogLine): void {
  logger[line.level](line.fields, line.msg);
}

/**
 * What the caller is told of an error, and the line the hub logs of it. The line is written by
 * errorLogPlugin with the request's logger (its `requestId`): Apollo gives formatError no request.
 * A refusal Apollo makes before its request pipeline (a batch, variables that are no object, a
 * context that could not be made) is formatted with no hook of the request called, and no request in
 * reach: its line (only a failure of context creation logs one) is written by formatError without the
 * request's id (test/http/headers.test.ts).
 */
function hubErrorAnswer(formatted: GraphQLFormattedError, error: unknown): { answer: GraphQLFormattedError; line: ErrorLogLine | null } {
  const clientError = clientErrorOf(error);
  if (clientError) {
    // The caller's mistake (Apollo raises some without a code, e.g. a persisted query whose
    // hash does not match): a stable code, and no error-level line a caller could repeat at will.
    return { answer: { message: redactErrorMessage(formatted.message), extensions: { code: 'BAD_REQUEST', reason: clientError.reason } }, line: { level: 'debug', fields: { reason: clientError.reason }, msg: 'client error' } };
  }
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  const unavailable = hubUnavailableReason(unwrapResolverError(error));
  if (unavailable) {
    // The reason the HTTP routes give (access/http.ts), so a sync tells a pause from an outage by one rule on every route.
    return { answer: { message: HUB_UNAVAILABLE_MESSAGE[unavailable], path: formatted.path, extensions: { code: 'HUB_UNAVAILABLE', reason: `HUB_DATABASE_${unavailable}` } }, line: { level: 'warn', fields: { path: formatted.path }, msg: HUB_UNAVAILABLE_LOG[unavailable] } };
  }
  const reason = formatted.extensions?.reason;
  // A scalar's refusal raised before any field ran (no path); a proposed grant's malformed date is
  // refused by its field (resolvers/scalars.ts ProposedDate) and answered as any field's refusal.
  if (typeof reason === 'string' && Object.hasOwn(SCALAR_REFUSALS, reason) && !formatted.path) return { answer: scalarRefusalAnswer(formatted, error, reason), line: null };
  // graphql-js stopped checking the variables after its limit of refusals: one refusal for the rest.
  const limit = refusedValuesLimitAnswer(formatted);
  if (limit) return { answer: limit, line: null };
  // graphql-js stopped validating the document (its comparison budget, or its 100th refusal): a stable reason.
  const stopped = validationStoppedAnswer(formatted);
  if (stopped) return { answer: stopped, line: null };
  // A variable graphql-js refused: a stable reason and its path, never its value (server/variable-errors.ts).
  const refusal = variableRefusalOf(error);
  if (refusal) return { answer: variableRefusalAnswer(formatted, { ...refusal, message: redactErrorMessage(refusal.message) }), line: null };
  // Apollo's own refusal of the request (a batch, variables that are no object, …): its stable reason (server/apollo-refusals.ts).
  if (code === 'BAD_REQUEST' && reason === undefined && error instanceof GraphQLError) {
    return { answer: { ...formatted, message: redactErrorMessage(formatted.message), extensions: { ...formatted.extensions, reason: apolloRefusalReason(error.message) } }, line: null };
  }
  if (KNOWN_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
    return { answer: { ...formatted, message: redactErrorMessage(formatted.message) }, line: null };
  }
  // An unexpected failure: log it scrubbed, tell the caller only that it happened.
  const original = unwrapResolverError(error) as Error;
  return { answer: { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, line: { level: 'error', fields: { err: loggableError(original), path: formatted.path }, msg: 'unexpected error' } };
}

/** The errors errorLogPlugin logged with their request's id: formatError logs the others. */
const loggedWithRequest = new WeakSet<object>();

/**
 * The lines of a request's errors, with the request's logger: Apollo calls didEncounterErrors with
 * the errors it then formats (the same objects), before it formats them. `formatted` is made as
 * Apollo makes it for formatError (its code INTERNAL_SERVER_ERROR where the error has none).
 */
const errorLogListener = {
  didEncounterErrors({ errors, contextValue, document }: { errors: readonly GraphQLError[]; contextValue: HubContext; document?: DocumentNode }): void {
    placeRefusedLiterals(document, errors);
    for (const error of errors) {
      const { line } = hubErrorAnswer({ ...error.toJSON(), extensions: { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' } }, error);
      if (!line || !contextValue.logger) continue;
      logLine(contextValue.logger, line);
      loggedWithRequest.add(error);
    }
  },
};
const errorLogPlugin: HubPlugin = { requestDidStart: () => errorLogListener };

/**
 * `httpServer`: a server already listening (server/early-listener.ts) that the caller hands the app
 * to once it is built (`EarlyListener.serve(app)`); absent, one of its own, answering with the app,
 * not yet listening. `metricsHttpServer` likewise for the metrics port (`serve(metricsApp)`).
 */
export async function createHubServer(given: HubDeps, options: { httpServer?: http.Server; metricsHttpServer?: http.Server } = {}): Promise<HubServer> {
  // The holiday calendar (with a locality's AIDHUB_HOLIDAYS_FILE) is built now: a bad file stops
  // the start with a message naming the notice and field, and no request pays for the build.
  activeHolidayCalendar();
  holdApolloHashModule();
  shortcutArgumentlessFields();
  keepNegotiatedMediaTypes();
  // Every log line written while a request runs carries its id: whatever logs for a request is
  // handed the request's logger (access/request-id.ts requestLogger).
  let deps: HubDeps = given;
  const app = express();
  app.disable('x-powered-by');
  // No ETag: Express would hash every answer's body (SHA-1) to compute one, and no answer here is
  // ever revalidated: GraphQL answers, and the pages and exports with personal data, are sent
  // `Cache-Control: no-store` (noStore below; the brief and the export set it themselves).
  app.set('etag', false);
  // Its requests and responses are made with the app's prototypes (server/express-messages.ts); a
  // server handed in (server/early-listener.ts) makes them so once it serves the app.
  const httpServer = options.httpServer ?? createExpressServer(app);
  const metrics = new HubMetrics(deps.hub);
  const requestMetrics = metrics.plugins();
  // Draining before a stop: a keep-alive connection would carry a client's next requests to this
  // process to the end, whatever the load balancer decides; closed after each answer, the next
  // request opens a new one, which the balancer sends elsewhere once /readyz is 503.
  let draining = false;
  // Before anything else: a connection past its address's limit runs nothing (server/connection-limit.ts).
  // Then, on every route: the request's id, the security headers (server/security-headers.ts), and
  // the close while draining. One Express layer for the four (server/in-turn.ts).
  app.use(
    inTurn(
      limitConnectionsPerAddress(httpServer, deps.config.maxConnectionsPerAddress ?? HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT, () => metrics.rateLimited('connections_per_address')),
      requestIdMiddleware(),
      securityHeaders(),
      (_req, res, next) => {
        if (draining) res.set('Connection', 'close');
        next();
      },
    ),
  );
  keepIdleConnections(httpServer, deps.config.keepAliveMs);
  answerClientErrors(httpServer, deps.logger);
  const { production, queryLimits } = deps.config;
  const accessDb = accessDbOf(deps.hub);
  // A hub appends to its checkpoint file only while its database holds the chain the file records:
  // started on a database restored from an older backup it would record other rows under numbers
  // the file already holds (and the tokens revoked since the backup would be live again, unsaid).
  if (deps.config.auditCheckpoints) await refuseRewoundChain(accessDb, deps.config.auditCheckpoints.file);
  const hubTimeoutMs = deps.config.hubTimeoutMs ?? HUB_TIMEOUT_MS_DEFAULT;
  // The trigger set is checked now (before anything is started that would need stopping): a bad AIDHUB_TRIGGERS_FILE stops the start naming trigger and field.
  const triggerSet = activeTriggerSet();
  // Alerts raised before the decision limit get their grade's limit (resolvers/monitoring/decide-by-backfill.ts),
  // before this process detects or pushes: a push carries the alert's decideBy as it is when sent.
  const decisionDaysCounted = await settleBackfilledDecisionDays(deps.hub, triggerSet, hubNow(deps));
  if (decisionDaysCounted > 0) deps.logger.info({ alerts: decisionDaysCounted }, 'decision days of alerts raised before the decision limit counted under the trigger set in force');
  // Slips' due dates counted before a holiday notice was loaded are counted under it (db/cases/due-recount.ts), once per calendar.
  const duesMoved = await recountReferralDueDates(deps.hub, hubNow(deps));
  if (duesMoved.length > 0) deps.logger.info({ referrals: duesMoved.length }, 'due dates of referral slips counted again under the holiday calendar in force');
  // Which claims still run is judged on the database's today, shared by every process (db/charity/claim-recount.ts); a test's fixed clock stands in for it.
  const fixedClock = deps.clock || deps.today ? { now: hubNow(deps), today: hubToday(deps) } : null;
  const lapsesMoved = await recountClaimLapses(deps.hub, fixedClock?.now, fixedClock?.today);
  if (lapsesMoved.length > 0) deps.logger.info({ claims: lapsesMoved.length }, 'last days of charity claims counted again under the holiday calendar in force');
  // Alerts' 签收, verification and decision days likewise (resolvers/monitoring/deadline-recount.ts), after the backfill
  // above kept the decision days' counts, and before this process detects or pushes.
  // Alerts raised before the counts were kept get those their dates show (once per calendar), and are counted again at once.
  const inferred = await inferAlertDeadlineCounts(deps.hub, triggerSet, hubNow(deps));
  if (inferred.kept > 0) deps.logger.info({ alerts: inferred.kept, datesMoved: inferred.recounted.length }, 'working days of alerts raised before they were kept inferred from their dates and the trigger set in force');
  const alertsRecounted = await recountAlertDeadlines(deps.hub, triggerSet, hubNow(deps));
  if (alertsRecounted.length > 0) deps.logger.info({ alerts: alertsRecounted.length }, 'dates of alerts counted again under the holiday calendar and the rule for a last day off in force');
  // A slip issued today may run MAX_DEADLINE_WORKING_DAYS: a year it reaches without its holiday notice
  // makes its due date provisional, which only the dates themselves said (2027's notice, published in
  // the autumn of 2026, reaches the hub only as AIDHUB_HOLIDAYS_FILE).
  const yearsWithoutNotice = uncoveredYearsAhead(hubToday(deps), MAX_DEADLINE_WORKING_DAYS);
  if (yearsWithoutNotice.length > 0) {
    deps.logger.warn(
      { years: yearsWithoutNotice, lastYearCovered: calendarCoverage.lastYear },
      'holiday calendar: no State Council holiday notice is loaded for a year the time limits counted from today reach; dates counted into it are provisional (weekends and the law’s holidays alone) until its notice is loaded (AIDHUB_HOLIDAYS_FILE)',
    );
  }
  // A client stored before ROLE_OFFICES barred its office from a role keeps its other roles and is
  // refused that role's purposes at each request (ROLE_NOT_FOR_DEPARTMENT), which only its refused
  // requests and `npm run clients -- list` said: one line names them all (name, id, office, the roles
  // ignored; never a token), and aidhub_clients_with_ignored_roles counts them at each scrape.
  const ignoredRoles = await clientsWithIgnoredRoles(accessDb);
  if (ignoredRoles.length > 0) {
    deps.logger.warn(
      { clients: ignoredRoles },
      `API clients hold a role their office may not hold: the role is ignored and its purposes are refused ROLE_NOT_FOR_DEPARTMENT; replace each with a client of the roles its office may hold (npm run clients; docs/access.md "Which offices may hold a role"), or widen ${ROLE_OFFICES_ENV} if the site means it`,
    );
  }
  // The signed checkpoints also vouch for the case records' seal chain (db/cases/seals.ts).
  const checkpoints = deps.config.auditCheckpoints ? new CheckpointLog(deps.config.auditCheckpoints, deps.logger, () => caseSealHeadNow(deps.hub)) : null;
  if (!checkpoints) deps.logger.warn('audit checkpoints are off (no AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE): the audit chain is not protected against a database administrator who recomputes its hashes');
  // The audit reads (accessLog, householdAccessLog, clientAccessLog, clientAuditLookups) count as the hub's statements
  // in extensions.sqlStatements, so a page's cost is seen; token look-ups on accessDb stay uncounted.
  const audit = new AuditStore(accessDbOf(deps.hub, countingLogger('HUB')), auditWriterPool(deps.config.hubUrl, hubTimeoutMs), checkpoints);
  await audit.init();
  const binlog = new BinlogWatch(deps.hub, deps.logger, hubTimeoutMs);
  metrics.watchBinlogFormat(binlog);
  // A database a later release has migrated while this process serves (access/release-watch.ts).
  const release = new ReleaseWatch(deps.hub, databaseOf(deps.config.hubUrl), deps.logger, hubTimeoutMs);
  metrics.watchRelease(release);
  metrics.watchClientsWithIgnoredRoles(async () => (await clientsWithIgnoredRoles(accessDb)).length);
  audit.onAppend = (seconds, ok) => metrics.auditAppend(seconds, ok);
  const metricsConfig = deps.config.metrics ?? null;
  const metricsApp = metricsConfig?.port ? metricsHandler(metrics, metricsConfig.token) : null;
  const metricsHttpServer = metricsApp ? (options.metricsHttpServer ?? http.createServer(metricsApp)) : null;
  // A scraper reuses its connection as a router does: Node's 5 s closed it between scrapes, and a
  // scrape sent on it as the hub closed it failed with ECONNRESET.
  if (metricsHttpServer) keepIdleConnections(metricsHttpServer, deps.config.keepAliveMs);
  if (metricsHttpServer) metrics.collectProcessMetrics();
  const rateLimits = createRateLimits(
    { perClientPerMinute: deps.config.rateLimitPerMinute, authFailuresPerMinute: deps.config.authFailuresPerMinute, redisUrl: deps.config.rateLimitRedisUrl ?? null },
    deps.logger,
  );
  if (rateLimits.store === 'redis') metrics.watchRateLimitStore(() => rateLimits.connected());
  // A reachable store is connected before the hub serves; an unreachable one does not hold it up
  // for long (its limits fall to each process's insurance limiter until it answers).
  await rateLimits.ready(5_000);
  // Scans whose hub process died are taken over by whichever live process looks first.
  const takeover = deps.config.jobTakeoverIntervalMs
    ? setInterval(() => {
        // Not on a later release's database: that release's processes take them over.
        if (release.laterRelease) return;
        scanJobs.takeOver({ hub: deps.hub, sources: deps.sources, ruleSet: activeRuleSet(), today: hubToday(deps), logger: deps.logger, leaseMs: deps.config.jobLeaseMs, metrics }).catch((err: Error) => {
          deps.logger.warn({ err: loggableError(err) }, 'scan takeover check failed');
        });
      }, deps.config.jobTakeoverIntervalMs)
    : null;
  takeover?.unref();
  // Alerts' outbox rows are pushed to subscribers by every hub process; claims keep them apart.
  // Not by a process whose allow-list is empty (AIDHUB_CALLBACK_HOSTS unset, as it is with
  // DATABASE_URL unless given): it could send nothing, yet it would claim its share of the rows and
  // count each as a failed attempt (CALLBACK_HOST_NOT_ALLOWED), so a replica started without the
  // variable turned pushes a live receiver would have taken into retries and dead letters.
  const deliveryConfig = deps.config.alertDelivery ?? null;
  if (deliveryConfig && deliveryConfig.callbackHosts.length === 0) deps.logger.warn('alert delivery is off in this process: AIDHUB_CALLBACK_HOSTS is empty, so no callback could be called; pushes stay pending in the outbox until a hub process whose AIDHUB_CALLBACK_HOSTS admits their callback host delivers them, and none may be running');
  const alertDelivery = deliveryConfig && deliveryConfig.callbackHosts.length > 0 ? new AlertDeliveryWorker(deps.hub, audit, deliveryConfig, deps.logger) : null;
  alertDelivery?.start();
  // Change-driven monitoring: one poller per department in every process, one lease holder each.
  const poller = deps.config.monitoring
    ? new MonitoringPoller({ hub: deps.hub, sources: deps.sources, triggerSet, ruleSet: activeRuleSet(), now: () => hubNow(deps), metrics }, { ...deps.config.monitoring, logger: deps.logger })
    : null;
  poller?.start();
  // On a database a later release has migrated, the background work stops taking new work, as on a
  // SIGTERM: scans end at their next chunk and hand their leases over (ScanJobs.stop), pushes stop
  // after the round in flight (its claim's rows not sent given back), the poller after its ticks in
  // flight (its leases given up), takeovers are not looked for. A monthly comparison running here
  // (monthlyComparisonRun's, or the poller's monthly tick, whose tick waits on it) stops before its
  // next page's write (MonthlyJobs.stop), writing nothing more, not even its end: it stays RUNNING
  // and is taken over once silent for 10 minutes (MONTHLY_RUN_STALE_MS). A SIGTERM still lets it run
  // to its end (serverWillStop below). After a restore they start again.
  let backgroundTurn: Promise<void> = Promise.resolve();
  release.onChange = (later, logger) => {
    // One line at each change: the journal and the migration's date, nothing of anyone's data.
    if (later) logger.error({ journal: later.journal, migratedAt: new Date(later.latestUnknown).toISOString() }, `the hub database was migrated by a later release of AidHub: /readyz answers 503, every request is refused and background work stops; ${LATER_RELEASE_PROBLEM}`);
    else logger.warn('the hub database is of this release again (restored): /readyz answers 200, requests are served and background work resumes');
    backgroundTurn = backgroundTurn
      .then(async () => {
        if (later) await Promise.all([scanJobs.stop(), monthlyJobs.stop(), alertDelivery?.pause(), poller?.stop()]);
        else {
          alertDelivery?.start();
          poller?.start();
        }
      })
      .catch((err: unknown) => deps.logger.warn({ err: loggableError(err) }, 'background work not stopped or started for the hub database\'s release'));
  };
  deps = { ...deps, metrics };

  // Static limits on a document, checked at validation, before anything runs. Tokens are counted by
  // graphql-js itself (parseOptions.maxTokens): armor's token plugin throws from a hook that
  // Apollo 5 reports as a 500.
  // Each refusal carries a stable reason and the limit (`max`), so that a client batching aliased
  // checks reads how many it may send in one operation rather than parsing armor's message (which
  // began "Syntax Error:" though the document parsed). Reported, not thrown: validation goes on.
  const refusedAs = (options: { extensions: { reason: string; max: number } }) => ({
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, err: GraphQLError) => context?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ''), options))],
  });
  const armor = new ApolloArmor({
    maxDepth: { n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...refusedAs({ extensions: { reason: 'QUERY_TOO_DEEP', max: queryLimits.maxDepth } }) },
    // Cost is estimated with the request's variables once the operation is known (server/query-cost.ts).
    costLimit: { enabled: false },
    maxAliases: { n: queryLimits.maxAliases, ...refusedAs({ extensions: { reason: 'TOO_MANY_ALIASES', max: queryLimits.maxAliases } }) },
    maxDirectives: { n: queryLimits.maxDirectives, ...refusedAs({ extensions: { reason: 'TOO_MANY_DIRECTIVES', max: queryLimits.maxDirectives } }) },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();

  const schema = deps.config.subgraph ? buildFederatedSchema() : buildSchema();
  // One budget a client's GraphQL operations, its findings exports and its briefs share (MAX_QUERY_COST_IN_FLIGHT).
  const costInFlight = queryLimits.maxCostInFlight ? new CostInFlight(queryLimits.maxCostInFlight) : null;
  const onCostInFlightRefused = () => metrics.rateLimited('query_cost_in_flight');
  const apollo = new ApolloServer<HubContext>({
    schema,
    introspection: !production,
    // Never in a response, in any mode: stacks name files and lines; the log has what developers need.
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    // A GET (or a simple POST) runs only with a header a browser cannot send cross-site without a
    // CORS preflight: Apollo's two, and X-Purpose, which every data request states anyway.
    csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'x-purpose'] },
    // server/main.ts drains and stops on SIGTERM/SIGINT; Apollo's own handlers raced it and hung the shutdown.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: queryLimits.maxTokens },
    validationRules: [...armor.validationRules, noSubscriptions],
    plugins: [
      // The hub's own plugins, one plugin to Apollo (server/plugins.ts hubPlugin), in this order.
      hubPlugin([
        // First: its timing starts before every other plugin's work.
        requestMetrics.timer,
        {
          async serverWillStart() {
            return {
              async serverWillStop() {
                if (takeover) clearInterval(takeover);
                release.stop();
                await backgroundTurn;
                await alertDelivery?.stop();
                await poller?.stop();
                await rateLimits.close();
                if (metricsHttpServer?.listening) await new Promise<void>((r) => metricsHttpServer.close(() => r()));
              },
            };
          },
        },
        // Before the cost: a query whose client has gone gives its cost back at once (server/client-gone.ts).
        clientGonePlugin(metrics),
        queryCostPlugin({ maxCost: queryLimits.maxCost, maxCostInFlight: queryLimits.maxCostInFlight, largestPage: Math.max(deps.config.maxListSize, AUDIT_PAGE_MAX), maxHouseholds: queryLimits.maxHouseholds, onCostInFlightRefused }, costInFlight),
        departmentUnavailablePlugin(),
        ...(production ? [] : [statementCountPlugin()]),
        // Scans started here run on after their request; stopping hands them over at their next
        // chunk (another process resumes them) and waits for that, so no job reads from pools being
        // closed (and a test's worker has no connection left open when it ends).
        { serverWillStart: async () => ({ serverWillStop: async () => void (await Promise.all([scanJobs.stop(), monthlyJobs.idle()])) }) },
        // It sees the response as the others left it, and may withhold it.
        auditPlugin(audit, deps.logger),
        errorLogPlugin,
        // Last: it counts the response as it leaves (a partial answer PARTIAL, one withheld FAILED).
        requestMetrics.counter,
      ]),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Nothing is ever sent to Apollo's services, whatever APOLLO_* variables the environment
      // holds (a government network), and a router asking for traces gets none.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      // The hub gives no cache hints (every answer is personal and audited), and Apollo's
      // cache-control plugin otherwise hooks every resolved field to compute a policy nobody reads.
      ApolloServerPluginCacheControlDisabled(),
      // Its one request hook (didEncounterErrors, field suggestions masked) is none of the hub's plugins'.
      ...armor.plugins,
    ],
    // Its lines are written by errorLogPlugin with the request's logger; formatError, given no
    // request, writes only those of refusals Apollo makes before its request pipeline (hubErrorAnswer).
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const { answer, line } = hubErrorAnswer(formatted, error);
      if (line && !loggedWithRequest.has(error as object)) logLine(deps.logger, line);
      return answer;
    },
  });
  await apollo.start();

  // Liveness: 200 whenever the process can answer, also while it drains (server/main.ts): a hub
  // draining for a SIGTERM is alive, and an orchestrator must not restart it for that.
  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ status: draining ? 'draining' : 'ok' });
  });
  // One probe at a time, shared by every /readyz that asks while it runs. /readyz is public, and
  // each probe sends a SELECT 1 to the hub's pool and to every department's: a flood of it (300
  // connections asking at once, 3,500 requests in 15 s) made a household query wait 7 s instead of
  // 0.06 s behind the probes in the departments' pools of ten, and while a department did not
  // answer, every request filled its pool with one more connection held by a probe.
  let probing: Promise<[boolean, string | null, Awaited<ReturnType<typeof probeSources>>, Awaited<ReturnType<ReleaseWatch['judgement']>>]> | null = null;
  const readiness = (logger: LevelLogger = deps.logger) =>
    (probing ??= Promise.all([
      withTimeout(hubTimeoutMs, () => deps.hub.execute(sql`SELECT 1`)).then(
        () => true,
        () => false,
      ),
      binlog.problem(logger),
      probeSources(deps.sources),
      release.judgement(logger),
    ]).finally(() => {
      probing = null;
    }));
  metrics.watchSources(async () => (await readiness())[2]);
  metrics.watchHubDatabase(async () => (await readiness())[0]);
  // Ready means the hub's own database answers in time. Each department's state is reported
  // beside it, but a department outage does not make the hub unready: it answers without it.
  app.get('/readyz', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const [hubUp, binlogProblem, sources, laterRelease] = await readiness(requestLogger(req, deps.logger));
    // A database a later release has migrated: this process is to be stopped (access/release-watch.ts).
    if (hubUp && laterRelease) {
      const problem = `the hub database was migrated by a later release of AidHub (its journal ${laterRelease.journal} records a migration made ${new Date(laterRelease.latestUnknown).toISOString()} that this release does not have): ${LATER_RELEASE_PROBLEM}`;
      res.status(503).json({ status: 'hub database migrated by a later release', hub: { available: true, reason: 'DATABASE_OF_LATER_RELEASE', problem }, sources });
      return;
    }
    // A database that answers but logs by statement refuses every locking write (server/binlog-watch.ts).
    if (hubUp && binlogProblem) {
      res.status(503).json({ status: 'hub database refuses locking writes', hub: { available: true, reason: 'BINLOG_FORMAT_STATEMENT', problem: `the hub database: ${binlogProblem}` }, sources });
      return;
    }
    res.status(hubUp ? 200 : 503).json({ status: hubUp ? 'ready' : 'hub database unavailable', hub: { available: hubUp }, sources });
  });
  const page = queryPage(deps.exampleHouseholdId);
  app.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  // Any other method on these paths: 405 with Allow, not the 404 of a path nothing serves.
  app.all([...PUBLIC_PATHS], refusePublicMethod);
  // A method a declared route (ROUTE_RULES) or /graphql does not take: 405 with its Allow; then two
  // Content-Type headers, 400. Both before the token is judged: neither says anything of any data.
  app.use(inTurn(refuseUndeclaredMethod, refuseRepeatedHeaders));

  // On a database a later release has migrated nothing is served: not the access middleware either,
  // which reads tokens and appends to the audit trail. The judgement in force, from memory.
  app.use((_req, res, next) => {
    if (!release.laterRelease) return next();
    sendError(res, 503, 'HUB_UNAVAILABLE', 'DATABASE_OF_LATER_RELEASE', 'The hub’s database was migrated by a later release of AidHub and this process no longer serves it; send the request again (to the later release’s processes)');
  });
  release.start();

  // ---- Everything below is authenticated. Register route modules after this line. ----
  app.use(accessMiddleware({ db: accessDb, audit, config: deps.config, logger: deps.logger, rateLimits, onRateLimited: (limit) => metrics.rateLimited(limit), onUnauthenticated: (reason) => metrics.unauthenticated(reason), refusedQueryFields: (req, res, caller) => refusedQueryFields(schema, queryLimits.maxTokens, req, res, caller) }));
  // GraphQL, one Express layer (server/in-turn.ts), first after the access middleware: its paths
  // are no route module's.
  app.use(
    '/graphql',
    inTurn(
      // Outside production every request counts its own SQL statements (see db/instrument.ts), for
      // extensions.sqlStatements. In production nothing reads the count, and an AsyncLocalStorage
      // never entered costs nothing, while one entered adds work to every promise of the process.
      ...(production ? [] : [countStatements]),
      noStore,
      requireJsonPost,
      refuseIdNumbersInUrl,
      jsonBody,
      refuseUnkeyedPersistedQuery,
      expressMiddleware(apollo, {
        context: async ({ req, res }) => {
          const context = createContext(deps, requestAccess(req), audit, requestLogger(req, deps.logger));
          abandonWhenClientGoes(res, context.loaders.reads);
          return context;
        },
      }),
    ),
  );
  // The routes that do a query's work per request take from the same budget (server/query-cost.ts RouteBudget);
  // /healthz, / and the metrics listener answer from memory, and /readyz shares one probe among all who ask.
  const routeBudget = costInFlight && { inFlight: costInFlight, cost: queryLimits.maxCost, onRefused: onCostInFlightRefused };
  registerCasePages(app, deps, audit, routeBudget);
  registerFindingExports(app, deps, audit, routeBudget);
  registerOverdueExport(app, deps, audit, routeBudget);

  app.use(jsonErrorHandler(deps.logger));
  const drain = () => {
    draining = true;
  };
  return { app, httpServer, apollo, audit, metrics, metricsHttpServer, metricsApp, rateLimits, drain };
}
