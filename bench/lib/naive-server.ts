/**
 * The naive variant served the way the hub is served (server/app.ts): Apollo Server 5 on Express
 * 5, `POST /graphql`, a statement counter per request and the hub's own statement-count plugin,
 * so both answer over HTTP and report `extensions.sqlStatements` the same way.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express from 'express';
import { StatementCounter, statementScope } from '../../db/instrument';
import { loadTypeDefs } from '../../resolvers/index';
import { hubPlugin, statementCountPlugin } from '../../server/plugins';
import { naiveResolvers, type NaiveContext } from '../naive-resolvers';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export async function startNaiveServer(context: NaiveContext): Promise<RunningServer> {
  const app = express();
  // As the hub (server/app.ts): no ETag, so no body is hashed for one.
  app.set('etag', false);
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<NaiveContext>({
    schema: makeExecutableSchema({
      typeDefs: loadTypeDefs(),
      resolvers: naiveResolvers,
      // Every resolver given must match the SDL, so a change to the household schema shows here;
      // the abstract types of other domains (cases, findings, …) are never reached by the bench.
      resolverValidationOptions: { requireResolversToMatchSchema: 'error', requireResolversForResolveType: 'ignore' },
    }),
    csrfPrevention: true,
    // The bench stops its servers itself, in order, before the database goes away.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // The plugin reads only the statement scope, never the context.
      hubPlugin([statementCountPlugin()]) as unknown as ApolloServerPlugin<NaiveContext>,
    ],
  });
  await apollo.start();
  app.use('/graphql', (_req, _res, next) => statementScope.run(new StatementCounter(), next));
  app.use('/graphql', express.json({ limit: '100kb' }), expressMiddleware(apollo, { context: async () => context }));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`, stop: () => apollo.stop() };
}
