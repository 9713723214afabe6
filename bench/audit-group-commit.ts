/**
 * `npm run bench:audit -- [--requests 400] [--rounds 3]`: how well the audit trail's group commit
 * groups. Fires N requests at once at a hub over a throwaway private server (each request appends
 * one audit row) and counts the audit transactions the hub wrote: N transactions means no grouping,
 * 1 means all of them in one. A measurement, not a test: the count depends on the machine's load.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createClient } from '../access/clients';
import { OFFICE_ROLES } from '../access/policy';
import { accessDbOf } from '../db/access/db';
import { createPool, hubDrizzle } from '../db/connect';
import { provisionDatabases } from '../federation/provision';
import { closeSources, openSources } from '../federation/sources';
import { createHubServer } from '../server/app';
import { loadConfig } from '../db/config';
import { openBenchDatabases } from './lib/database';
import { parseCommandLine } from '../tools/command-args';
import { loadAverage, machineLoad } from './lib/load';

async function main(): Promise<void> {
  const values = parseCommandLine('usage: npm run bench:audit -- [--requests 400] [--rounds 3]', { requests: { type: 'string', default: '400' }, rounds: { type: 'string', default: '3' } });
  const requests = Number(values.requests);
  const rounds = Number(values.rounds);
  const data = await openBenchDatabases();
  try {
    await provisionDatabases(data.hubUrl, data.sourceUrls);
    const pool = createPool(data.hubUrl, { connectionLimit: 20 });
    const hub = hubDrizzle(pool);
    const config = { ...loadConfig(data.hubUrl, {}), port: 0, rateLimitPerMinute: 1_000_000_000 };
    const sources = openSources(config.sources);
    const server = await createHubServer({ config, hub, sources, logger: pino({ level: 'silent' }) });
    await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`;
    const { token } = await createClient(accessDbOf(hub), { name: `bench-audit-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: OFFICE_ROLES });
    console.log(`bench:audit — ${requests} concurrent requests, ${rounds} rounds; ${data.where}; ${machineLoad()}`);
    for (let round = 1; round <= rounds; round++) {
      const before = { ...server.audit.stats };
      await Promise.all(
        Array.from({ length: requests }, () =>
          fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ caller { name } }' }) }).then((r) => r.text()),
        ),
      );
      await server.audit.flushed();
      const transactions = server.audit.stats.transactions - before.transactions;
      const accesses = server.audit.stats.accesses - before.accesses;
      console.log(`round ${round}: ${accesses} accesses in ${transactions} transactions (${(accesses / transactions).toFixed(1)} per transaction)`);
    }
    console.log(`load average at the end: ${loadAverage()}`);
    await server.apollo.stop();
    await closeSources(sources);
    await pool.end();
  } finally {
    await data.discard();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
