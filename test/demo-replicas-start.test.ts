/**
 * Hub processes started at once with AIDHUB_DEMO=1 on one empty database (README "Several hub
 * processes": start every replica together, on an empty database too). The departments' databases,
 * the demo load and the demo clients were made outside the migration lock: the second process ran
 * the departments' migrations beside the first and stopped with exit code 1 on
 * `Table … already exists` (a department's table) (seen with two `npm start`s), and each found the hub empty
 * and loaded a demo of its own. Now the second waits for the first, then finds the departments
 * migrated, the demo loaded and the clients made: one demo, the same tokens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { sql } from 'drizzle-orm';
import { DEMO_CLIENTS } from '../access/demo-clients';
import { sourceUrls, withDatabase } from '../db/config';
import { createPool, hubDrizzle, type HubDb } from '../db/connect';
import { dropDatabases, ensureDatabase, provisionHub } from '../db/setup/provision';
import { loadDemo } from '../server/start-hub';
import { lockWaits, testServerUrl } from './support/databases';
import { startPausableProxy, type PausableProxy } from './support/pausable-proxy';

const url = withDatabase(testServerUrl(), `aidhub_t_demo_race_${process.env.JEST_WORKER_ID ?? '0'}`);
const allUrls = [url, ...Object.values(sourceUrls(url, {})).filter((u) => u !== url)];
let proxy: PausableProxy;
let watcher: HubDb;
let dir: string;
const pools: mysql.Pool[] = [];

beforeAll(async () => {
  await dropDatabases(allUrls);
  await ensureDatabase(url);
  await provisionHub(url);
  proxy = await startPausableProxy(url);
  const watcherPool = createPool(url);
  pools.push(watcherPool);
  watcher = hubDrizzle(watcherPool);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-demo-race-'));
}, 180_000);

afterAll(async () => {
  proxy?.resume();
  await proxy?.close();
  await Promise.all(pools.map((p) => p.end()));
  await dropDatabases(allUrls);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves once a transaction on this database waits for a row lock. */
async function someoneWaitsForALock(): Promise<void> {
  while ((await lockWaits(watcher)) === 0);
}

/** One process's demo start, as startHub runs it with DATABASE_URL and AIDHUB_DEMO=1. */
function start(hubUrl: string) {
  const pool = createPool(hubUrl);
  pools.push(pool);
  return loadDemo({
    hubUrl,
    hub: hubDrizzle(pool),
    households: 20,
    clientsFile: path.join(dir, 'demo-clients.env'),
    loadingMarker: null,
    departmentsGiven: true,
    signal: new AbortController().signal,
    next: () => undefined,
  });
}

it('loads one demo when two processes start at once: the second waits for the first, then finds it loaded', async () => {
  // The first stopped in the middle of the departments' migrations (in parallel: the first of them
  // to send its CREATE TABLE), where the second ran the same DDL beside it.
  const stopped = proxy.pauseOn('CREATE TABLE');
  const first = start(proxy.url(url));
  first.catch(() => undefined);
  await stopped;

  const second = start(url);
  second.catch(() => undefined);
  const outcome = await Promise.race([
    second.then(
      () => 'loaded beside the first',
      (err: Error) => `failed: ${err.message.split('\n')[0]} (${String((err.cause as Error | undefined)?.message)})`,
    ),
    someoneWaitsForALock().then(() => 'waiting for the first'),
  ]);
  expect(outcome).toBe('waiting for the first');

  proxy.resume();
  const tokens = await first;
  expect(await second).toEqual(tokens);
  expect(tokens.size).toBe(DEMO_CLIENTS.length);
  const [[households]] = (await watcher.execute(sql`SELECT COUNT(*) AS n FROM household`)) as unknown as [{ n: number }[]];
  expect(Number(households.n)).toBe(20);
  const [[clients]] = (await watcher.execute(sql`SELECT COUNT(*) AS n FROM api_client`)) as unknown as [{ n: number }[]];
  expect(Number(clients.n)).toBe(DEMO_CLIENTS.length);
}, 180_000);
