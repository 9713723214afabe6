/**
 * The HTTP service: Apollo Server 5 on Express 5. `POST /graphql`, `GET /healthz` (the process is
 * alive), `GET /readyz` (the hub database answers), and a self-contained query page at `/`.
 */
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import { sql } from 'drizzle-orm';
import express from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { scrub } from '../domain/privacy';
import { createContext, type HubContext, type HubDeps } from '../resolvers/context';
import { ERROR_CODES } from '../resolvers/errors';
import { buildSchema } from '../resolvers/index';
import { StatementCounter, statementScope } from '../db/instrument';
import { departmentUnavailablePlugin, statementCountPlugin } from './plugins';
import { QUERY_PAGE } from './query-page';

const KNOWN_CODES = new Set<string>([...ERROR_CODES, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

export interface HubServer {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<HubContext>;
}

export async function createHubServer(deps: HubDeps): Promise<HubServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const { production } = deps.config;

  const apollo = new ApolloServer<HubContext>({
    schema: buildSchema(),
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      departmentUnavailablePlugin(),
      ...(production ? [] : [statementCountPlugin()]),
    ],
    formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
      const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      if (KNOWN_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') return formatted;
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
  // Every request counts its own SQL statements (see db/instrument.ts).
  app.use('/graphql', (_req, _res, next) => statementScope.run(new StatementCounter(), next));
  app.use('/graphql', express.json({ limit: '100kb' }), expressMiddleware(apollo, { context: async () => createContext(deps) }));

  return { app, httpServer, apollo };
}
