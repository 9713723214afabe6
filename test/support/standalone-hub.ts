/**
 * A hub in a process of its own, over the databases DATABASE_URL names (departments at their
 * default URLs beside it), configured from the environment as `npm start` is. Prints one line of
 * JSON, `{"url":"http://127.0.0.1:PORT"}`, once it listens.
 *
 * For tests that must survive the hub's event loop being held: a test in the hub's own process
 * would hang with it, and no timeout of its own could fire. Run it as
 * `node --import tsx test/support/standalone-hub.ts` and end it by its pid.
 *
 * The line also says whether graphql-js runs in its production mode (`graphqlProduction`): it does
 * when NODE_ENV=production was set before it was loaded, as in a production hub, and never in a
 * jest worker (NODE_ENV=test), so only a hub in a process of its own can show what production runs.
 */
import type { AddressInfo } from 'node:net';
import { isObjectType } from 'graphql';
import pino from 'pino';
import { createPool, hubDrizzle } from '../../db/connect';
import { openSources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import { loadConfig } from '../../db/config';

/**
 * graphql-js in development mode throws on a look-alike of one of its types from another copy of
 * the library ("from another module or realm"); in production mode it is simply not a type.
 */
function graphqlProductionMode(): boolean {
  try {
    return !isObjectType({ [Symbol.toStringTag]: 'GraphQLObjectType' });
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const hubUrl = process.env.DATABASE_URL;
  if (!hubUrl) throw new Error('DATABASE_URL is not set');
  const config = loadConfig(hubUrl);
  const hub = hubDrizzle(createPool(hubUrl));
  const { httpServer } = await createHubServer({ config, hub, sources: openSources(config.sources), logger: pino({ level: 'silent' }) });
  httpServer.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, graphqlProduction: graphqlProductionMode() })}\n`);
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
