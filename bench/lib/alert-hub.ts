/**
 * What the alert benches share: the real hub (createHubServer with its poller and delivery worker,
 * configured as `npm start` would be by AIDHUB_MONITOR_INTERVAL_MS, AIDHUB_MONITOR_COMMIT_LAG_MS
 * and the delivery defaults) over a bench's generated data, listening on 127.0.0.1, and one
 * subscriber: a real receiver that checks each push's signature itself
 * (test/support/alert-receiver.ts), subscribed to every alert of the province.
 */
import type { AddressInfo } from 'node:net';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import { createClient } from '../../access/clients';
import { accessDbOf } from '../../db/access/db';
import { callbackHostsFromEnv, loadConfig } from '../../db/config';
import { createPool, hubDrizzle, type HubDb } from '../../db/connect';
import { closeSources, openSources, type Sources } from '../../federation/sources';
import { createSubscription } from '../../resolvers/alert-delivery/subscriptions';
import { createHubServer, type HubServer } from '../../server/app';
import { startAlertReceiver, type AlertReceiver, type ReceiverScript } from '../../test/support/alert-receiver';

export interface AlertHub {
  hub: HubDb;
  hubPool: mysql.Pool;
  sources: Sources;
  server: HubServer;
  /** The hub's GraphQL endpoint. */
  endpoint: string;
  receiver: AlertReceiver;
  /** Stops the hub, the receiver and the pools, last opened first. */
  close(): Promise<void>;
}

export interface AlertHubOptions {
  hubUrl: string;
  /** AIDHUB_MONITOR_INTERVAL_MS */
  intervalMs: number;
  /** AIDHUB_MONITOR_COMMIT_LAG_MS */
  commitLagMs: number;
  /** Further AIDHUB_* settings, as `npm start` reads them from its environment. */
  env?: Record<string, string>;
  /** What the receiver answers each push (default 200). */
  script?: ReceiverScript;
}

export async function startAlertHub(opts: AlertHubOptions): Promise<AlertHub> {
  const closers: (() => Promise<unknown> | void)[] = [];
  const close = async () => {
    for (const c of closers.splice(0)) await c();
  };
  try {
    const env = {
      AIDHUB_MONITOR_INTERVAL_MS: String(opts.intervalMs),
      AIDHUB_MONITOR_COMMIT_LAG_MS: String(opts.commitLagMs),
      AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*',
      AIDHUB_JOB_TAKEOVER_MS: '0',
      ...opts.env,
    };
    const config = { ...loadConfig(opts.hubUrl, env), rateLimitPerMinute: 1_000_000_000 };
    const hubPool = createPool(opts.hubUrl);
    const sources = openSources(config.sources);
    closers.unshift(() => hubPool.end(), () => closeSources(sources));
    const hub = hubDrizzle(hubPool);

    const receiver = await startAlertReceiver(opts.script ?? (() => 200));
    closers.unshift(() => receiver.close());
    // The province: the demo's households lie in 济宁 and in 高唐 (聊城).
    await createClient(accessDbOf(hub), { name: 'bench-subscriber', department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: ['READER'], expiresAt: null });
    const sub = await createSubscription(hub, callbackHostsFromEnv(env), { clientName: 'bench-subscriber', callbackUrl: receiver.url, regionCodes: ['370000'], grades: [], triggerIds: [], createdBy: 'bench' });
    if (!sub.ok) throw new Error(`subscription refused: ${sub.code}`);
    receiver.setSecret(sub.secret);

    // The hub, as npm start runs it: serving queries, polling the departments, delivering pushes.
    // LOG_LEVEL=warn shows the hub's own warnings (a failed poll, a failed push) on stderr.
    const server = await createHubServer({ config, hub, sources, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }, pino.destination(2)) });
    closers.unshift(() => server.apollo.stop());
    await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`;
    return { hub, hubPool, sources, server, endpoint, receiver, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Resolves once the poller has set a department's first watermarks, so what is written next is read by its polls. */
export async function watermarksSet(pool: mysql.Pool, department: string): Promise<void> {
  for (;;) {
    const [marks] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM monitoring_watermark WHERE source_table LIKE ?', [`${department}:%`]);
    if (Number(marks[0].n) > 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
