/**
 * Where `npm run bench` runs the HTTP servers it measures (the hub, the fair floor, the naive
 * server): each in a worker thread of its own with its own pools (the default, `--servers threads`),
 * or, as until session 29, all in the bench's one thread beside its client and the in-process
 * floor, on the bench's pools (`--servers same-thread`).
 *
 * In one thread each server's latency includes the client's work for every request (http.request,
 * reading and JSON.parse of the answer, the answer's digest) and the other servers' idle timers;
 * that work is the same for every variant, so it pulls every ratio toward 1. A production hub
 * shares its thread with no client. Each server is started the same way in both modes
 * (`startBenchServer`), in production mode (bench/lib/production.ts, imported first here and in
 * the worker); what the bench reads from a server's process (statements it sent) is asked for by
 * message when the server runs in a worker.
 */
import './production';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import type mysql from 'mysql2/promise';
import { AuditStore, auditWriterPool } from '../../access/audit';
import { TokenCache } from '../../access/clients';
import { loadConfig, type HubConfig } from '../../db/config';
import { accessDbOf } from '../../db/access/db';
import { createPool, hubDrizzle, type HubDb } from '../../db/connect';
import { statementsIssued } from '../../db/instrument';
import type { IsoDate } from '../../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { closeSources, openSources, type Sources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import type { FloorPools } from '../floor';
import { startFairFloorServer } from './fair-floor-server';
import { startNaiveServer } from './naive-server';

export type ServerKind = 'hub' | 'fair' | 'naive';

/** What a server is started with: one set in the bench's thread, or a worker's own. */
export interface ServerDeps {
  hubUrl: string;
  config: HubConfig;
  hubPool: mysql.Pool;
  hub: HubDb;
  sources: Sources;
  today: IsoDate;
}

/**
 * The hub's configuration for the bench. No limit on request rate: one client asking hundreds of
 * times a second is the point of the exercise. Generous time limits: on a loaded machine a slow
 * answer must not turn into a missing department (a wrong answer, which aborts the bench) or a
 * refused connection.
 */
export function benchConfig(hubUrl: string): HubConfig {
  const config = { ...loadConfig(hubUrl, { SOURCE_TIMEOUT_MS: '30000', HUB_TIMEOUT_MS: '30000', NODE_ENV: process.env.NODE_ENV }), rateLimitPerMinute: 1_000_000_000 };
  if (!config.production) throw new Error('the bench measures the hub as it ships: NODE_ENV=production (bench/lib/production.ts)');
  return config;
}

/** The hub's pool and the departments' sources, as the hub opens them; `close` ends them. */
export function openServerDeps(hubUrl: string, today: IsoDate): ServerDeps & { close(): Promise<void> } {
  const config = benchConfig(hubUrl);
  const hubPool = createPool(hubUrl);
  const sources = openSources(config.sources);
  return {
    hubUrl,
    config,
    hubPool,
    hub: hubDrizzle(hubPool),
    sources,
    today,
    close: async () => {
      await hubPool.end();
      await closeSources(sources);
    },
  };
}

/** The in-process floor's pools (bench/floor.ts): the hub's, and each department's shared one. */
export function floorPoolsOf(deps: Pick<ServerDeps, 'hubPool' | 'sources'>): FloorPools {
  return {
    hub: deps.hubPool,
    departments: Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, deps.sources[c].pool])) as Record<DepartmentCode, mysql.Pool>,
  };
}

/** Starts one measured server on 127.0.0.1 (a port of the system's choosing), in the calling thread. */
export async function startBenchServer(kind: ServerKind, deps: ServerDeps): Promise<{ url: string; stop(): Promise<void> }> {
  switch (kind) {
    case 'hub': {
      const server = await createHubServer({ config: deps.config, hub: deps.hub, sources: deps.sources, logger: pino({ level: 'silent' }), today: () => deps.today });
      await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`, stop: () => server.apollo.stop() };
    }
    case 'naive':
      return startNaiveServer({ hub: deps.hub, sources: deps.sources, today: deps.today });
    case 'fair': {
      // The same token look-up and audit append as the hub, on the same chain.
      const accessDb = accessDbOf(deps.hub);
      const tokens = new TokenCache(accessDb, deps.config.tokenCacheMs ?? 0);
      const audit = new AuditStore(accessDb, auditWriterPool(deps.hubUrl, deps.config.hubTimeoutMs));
      await audit.init();
      return startFairFloorServer({ pools: floorPoolsOf(deps), authenticate: (header) => tokens.authenticate(header), audit, today: deps.today });
    }
  }
}

/** A measured server as the bench sees it, wherever it runs. */
export interface BenchServer {
  url: string;
  /** Statements the server's thread has sent so far (db/instrument.ts `statementsIssued`). */
  statementsIssued(): Promise<number>;
  /** Stops the server, and its thread and pools where it has its own. */
  stop(): Promise<void>;
  /** Why its thread died, if it did: the bench reports this rather than the refused requests. */
  failure(): Error | null;
}

export type ServerPlacement = 'threads' | 'same-thread';

/** In the bench's own thread, on its pools: every statement of the thread counts, as before session 29. */
export async function serverInThisThread(kind: ServerKind, deps: ServerDeps): Promise<BenchServer> {
  const started = await startBenchServer(kind, deps);
  return { url: started.url, statementsIssued: async () => statementsIssued(), stop: started.stop, failure: () => null };
}

/** Messages between the bench and a server's worker (bench/lib/server-worker.ts). */
export interface WorkerStart {
  kind: ServerKind;
  hubUrl: string;
  today: IsoDate;
}
export type ToWorker = { id: number; call: 'statementsIssued' | 'stop' };
export type FromWorker = { ready: string } | { id: number; value: number | null } | { id: number; error: string };

/** How long a worker may take to stop its server and pools before it is terminated all the same. */
const WORKER_STOP_MS = 30_000;

/**
 * A worker's entry. Node 20 does not apply the parent's `--import tsx` to a worker's own entry
 * module (a .ts entry fails with ERR_UNKNOWN_FILE_EXTENSION), so the worker starts as a line of
 * JavaScript that imports tsx's loader first, as `npm run bench` does, and then the TypeScript.
 */
const WORKER_BOOT = `import('tsx').then(() => require(require('node:worker_threads').workerData.file));`;

/** `kind` in a worker thread of its own, with its own pools; resolves once it listens. */
export function serverInWorker(kind: ServerKind, start: Omit<WorkerStart, 'kind'>): Promise<BenchServer> {
  const workerData = { file: path.join(__dirname, 'server-worker.ts'), start: { kind, ...start } satisfies WorkerStart };
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData, name: `bench ${kind} server` });
  const pending = new Map<number, { resolve(value: number | null): void; reject(err: Error): void }>();
  let nextId = 0;
  let failure: Error | null = null;
  let stopping = false;
  let ready: { resolve(url: string): void; reject(err: Error): void } | null = null;

  const fail = (err: Error) => {
    if (failure) return;
    failure = err;
    ready?.reject(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) => fail(new Error(`the ${kind} server's worker thread failed: ${err.stack ?? err.message}`)));
  worker.on('messageerror', (err) => fail(new Error(`the ${kind} server's worker thread sent a message that could not be read: ${err.message}`)));
  worker.on('exit', (code) => {
    if (!stopping) fail(new Error(`the ${kind} server's worker thread ended (exit code ${code}) while the bench still needed it`));
  });
  worker.on('message', (m: FromWorker) => {
    if ('ready' in m) return ready?.resolve(m.ready);
    const p = pending.get(m.id);
    pending.delete(m.id);
    if ('error' in m) p?.reject(new Error(`the ${kind} server's worker thread: ${m.error}`));
    else p?.resolve(m.value);
  });
  const call = (what: ToWorker['call']) =>
    new Promise<number | null>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, call: what } satisfies ToWorker);
    });

  return new Promise<string>((resolve, reject) => (ready = { resolve, reject })).then(
    (url): BenchServer => ({
      url,
      statementsIssued: async () => Number(await call('statementsIssued')),
      stop: async () => {
        if (failure) return;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            call('stop'),
            new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the ${kind} server's worker thread did not stop within ${WORKER_STOP_MS / 1000} s; terminated`)), WORKER_STOP_MS))),
          ]);
        } finally {
          clearTimeout(timer);
          stopping = true;
          await worker.terminate();
        }
      },
      failure: () => failure,
    }),
    async (err: Error) => {
      // It failed to start: nothing of it is left running.
      stopping = true;
      await worker.terminate();
      throw err;
    },
  );
}
