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
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { sql } from 'drizzle-orm';
import express from 'express';
import { GraphQLError, type ASTVisitor, type GraphQLFormattedError, type ValidationContext } from 'graphql';
import { AuditStore, auditWriterPool } from '../access/audit';
import { accessMiddleware, jsonErrorHandler, requestAccess, requireJsonPost } from '../access/http';
import { redactErrorMessage } from '../access/redact';
import { accessDbOf } from '../db/access/db';
import { scrub } from '../domain/privacy';
import { createContext, type HubContext, type HubDeps } from '../resolvers/context';
import { ERROR_CODES } from '../access/errors';
import { buildSchema } from '../resolvers/index';
import { StatementCounter, statementScope } from '../db/instrument';
import { auditPlugin, departmentUnavailablePlugin, statementCountPlugin } from './plugins';
import { registerCasePages } from './case-pages';
import { registerFindingExports } from './exports';
import { QUERY_PAGE } from './query-page';

const KNOWN_CODES = new Set<string>([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

/** GraphQL request bodies above this are refused (413) before they are parsed. */
export const BODY_LIMIT = '100kb';

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
}

export async function createHubServer(deps: HubDeps): Promise<HubServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const { production, queryLimits } = deps.config;
  const accessDb = accessDbOf(deps.hub);
  const audit = new AuditStore(accessDb, auditWriterPool(deps.config.hubUrl));
  await audit.init();

  // Static limits on a document, checked at validation, before anything runs. Tokens are counted by
  // graphql-js itself (parseOptions.maxTokens): armor's token plugin throws from a hook that
  // Apollo 5 reports as a 500.
  const armor = new ApolloArmor({
    maxDepth: { n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    costLimit: { maxCost: queryLimits.maxCost, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: queryLimits.maxAliases },
    maxDirectives: { n: queryLimits.maxDirectives },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();

  const apollo = new ApolloServer<HubContext>({
    schema: buildSchema(),
    introspection: !production,
    // Never in a response, in any mode: stacks name files and lines; the log has what developers need.
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    csrfPrevention: true,
    // server/main.ts drains and stops on SIGTERM/SIGINT; Apollo's own handlers raced it and hung the shutdown.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: queryLimits.maxTokens },
    validationRules: [...armor.validationRules, noSubscriptions],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ...armor.plugins,
      departmentUnavailablePlugin(),
      ...(production ? [] : [statementCountPlugin()]),
      // Last: it sees the response as the others left it, and may withhold it.
      auditPlugin(audit, deps.logger),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      if (KNOWN_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
        return { ...formatted, message: redactErrorMessage(formatted.message) };
      }
      // An unexpected failure: log it scrubbed, tell the caller only that it happened.
      const original = unwrapResolverError(error) as Error;
      deps.logger.error({ err: { name: original?.name, message: scrub(String(original?.message ?? '')) }, path: formatted.path }, 'unexpected error');
      return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.hub.execute(sql`SELECT 1`);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'hub database unreachable' });
    }
  });
  app.get('/', (_req, res) => {
    res.type('html').send(QUERY_PAGE);
  });

  // ---- Everything below is authenticated. Register route modules after this line. ----
  app.use(accessMiddleware({ db: accessDb, audit, config: deps.config, logger: deps.logger }));
  registerCasePages(app, deps, audit);
  registerFindingExports(app, deps, audit);

  // Every request counts its own SQL statements (see db/instrument.ts).
  app.use('/graphql', (_req, _res, next) => statementScope.run(new StatementCounter(), next));
  app.use(
    '/graphql',
    requireJsonPost,
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, { context: async ({ req }) => createContext(deps, requestAccess(req), audit) }),
  );

  app.use(jsonErrorHandler(deps.logger));
  return { app, httpServer, apollo, audit };
}
