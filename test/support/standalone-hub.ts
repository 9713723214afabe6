/**
 * A hub in a process of its own, over the databases DATABASE_URL names (departments at their
 * default URLs beside it), configured from the environment as `npm start` is. Prints one line of
 * JSON, `{"url":"http://127.0.0.1:PORT"}`, once it listens.
 *
 * For tests that must survive the hub's event loop being held: a test in the hub's own process
 * would hang with it, and no timeout of its own could fire. Run it as
 * `node --import tsx test/support/standalone-hub.ts` and end it by its pid.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createPool, hubDrizzle } from '../../db/connect';
import { openSources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import { loadConfig } from '../../db/config';

async function main(): Promise<void> {
  const hubUrl = process.env.DATABASE_URL;
  if (!hubUrl) throw new Error('DATABASE_URL is not set');
  const config = loadConfig(hubUrl);
  const hub = hubDrizzle(createPool(hubUrl));
  const { httpServer } = await createHubServer({ config, hub, sources: openSources(config.sources), logger: pino({ level: 'silent' }) });
  httpServer.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` })}\n`);
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
