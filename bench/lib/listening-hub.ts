/**
 * One hub in the bench's own process, as `npm start` makes it, listening on a free loopback port,
 * with the bench's client (bench/lib/hub-identity.ts), and the households it can be asked about:
 * what bench/household-instructions.ts and bench/household-db-cost.ts ask their queries of.
 */
import type { AddressInfo } from 'node:net';
import type { RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import { createPool, hubDrizzle } from '../../db/connect';
import type { IsoDate } from '../../domain/dates';
import { closeSources, openSources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import { benchIdentity } from './hub-identity';

type HubConfig = Parameters<typeof createHubServer>[0]['config'];

export async function listeningHub(hubUrl: string, config: HubConfig, today: IsoDate) {
  const hubPool = createPool(hubUrl);
  const sources = openSources(config.sources);
  const hub = hubDrizzle(hubPool);
  // Households with a current member: the ones a household query answers in full.
  const [rows] = await hubPool.query<RowDataPacket[]>('SELECT DISTINCT household_id FROM household_member WHERE left_on IS NULL ORDER BY household_id');
  const eligible = rows.map((r) => Number(r.household_id));
  const server = await createHubServer({ config, hub, sources, logger: pino({ level: 'silent' }), today: () => today });
  await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
  const identity = await benchIdentity(hub, hubPool);
  const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`;
  return {
    hubPool,
    sources,
    server,
    identity,
    url,
    eligible,
    async close(): Promise<void> {
      await server.apollo.stop();
      server.httpServer.close();
      await hubPool.end();
      await closeSources(sources);
    },
  };
}
