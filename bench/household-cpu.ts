/**
 * `npm run bench:household-cpu -- [--households N] [--requests M] [--warmup W] [--concurrency C] [--seed S]`:
 * CPU time per household query, the hub's against the fair floor's (bench/lib/fair-floor-server.ts),
 * measured with process.cpuUsage() around each variant's runs. Unlike latency and requests per
 * second, CPU time spent per request hardly moves when other work loads the machine, so it is how a
 * change to the hub's per-request work is judged on a shared machine; `npm run bench` gives the
 * wall-clock ratios beside it.
 *
 * The client, the hub and the fair floor run in this one process (the database server in its own),
 * so each figure includes the client's share, the same for both. The hub runs as `npm start` runs it
 * in production (NODE_ENV=production, bench/lib/production.ts); answers are checked against
 * the floor's digest as in `npm run bench`. With BENCH_CPU_PROFILE=file.cpuprofile, the hub's
 * last measured round (only its requests) is profiled into that file, for Chrome DevTools or speedscope;
 * BENCH_CPU_PROFILE_VARIANT='fair floor' profiles the floor's instead, to set the two side by side,
 * and BENCH_CPU_PROFILE_INTERVAL_US samples more often than V8's 1,000 µs (100 gives ten samples a
 * request, but slows the profiled variant: read its profile for shares, not its ratio).
 *
 * The database server's CPU is counted too, from its /proc entry, around the same runs: it is a
 * third or more of what a household query costs the machine, and the hub's statements are fewer
 * than the floor's but each reads more tables. Not counted on a BENCH_DATABASE_URL server, which
 * serves others as well.
 */
import './lib/production';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import { AuditStore, auditWriterPool } from '../access/audit';
import { TokenCache } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { loadConfig } from '../db/config';
import { createPool, hubDrizzle } from '../db/connect';
import { todayIso } from '../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { closeSources, openSources } from '../federation/sources';
import { createHubServer } from '../server/app';
import { generateDemo } from '../tools/generate/index';
import { Rng, seedFromText } from '../federation/demo-random';
import type { FloorPools } from './floor';
import { loadAverage } from './lib/load';
import { digest } from './lib/compare';
import { openBenchDatabases } from './lib/database';
import { cpuSecondsOf } from './lib/process-cpu';
import { startFairFloorServer } from './lib/fair-floor-server';
import { graphqlClient, type GraphQLClient } from './lib/graphql-client';
import { benchIdentity } from './lib/hub-identity';
import { parseOptions, usageOf, UsageError } from './lib/options';
import { printUsageError } from '../tools/command-args';
import { HOUSEHOLD_QUERY, type HouseholdResult } from './lib/query';

/** Many short rounds, the variants taking turns: load that comes and goes falls on both alike. */
const ROUNDS = 20;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseOptions(process.argv.slice(2), { servers: false });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printUsageError(err, usageOf('npm run bench:household-cpu', false));
    process.exit(2);
  }
  const usage = `${usageOf('npm run bench:household-cpu', false)}\n\nHere --households defaults to 2000, which loads much faster than 10,000.`;
  if (parsed === 'help') return log(usage);
  const householdsGiven = process.argv.some((a) => a === '--households' || a.startsWith('--households='));
  const opts = { ...parsed, households: householdsGiven ? parsed.households : 2000 };
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const today = todayIso();
    const db = await openBenchDatabases();
    closers.push(() => db.discard());
    await generateDemo({ hubUrl: db.hubUrl, sourceUrls: db.sourceUrls, households: opts.households, seed: opts.seed, referenceDate: today });
    const config = { ...loadConfig(db.hubUrl, { SOURCE_TIMEOUT_MS: '30000', HUB_TIMEOUT_MS: '30000', NODE_ENV: process.env.NODE_ENV }), rateLimitPerMinute: 1_000_000_000 };
    const hubPool = createPool(db.hubUrl);
    const sources = openSources(config.sources);
    closers.push(() => hubPool.end(), () => closeSources(sources));
    const hub = hubDrizzle(hubPool);
    const [rows] = await hubPool.query<RowDataPacket[]>('SELECT DISTINCT household_id FROM household_member WHERE left_on IS NULL ORDER BY household_id');
    const eligible = rows.map((r) => Number(r.household_id));
    const rng = new Rng(seedFromText(opts.seed));
    const ids = Array.from({ length: opts.requests }, () => rng.pick(eligible));

    const hubServer = await createHubServer({ config, hub, sources, logger: pino({ level: 'silent' }), today: () => today });
    closers.push(() => hubServer.apollo.stop());
    await new Promise<void>((resolve) => hubServer.httpServer.listen(0, '127.0.0.1', resolve));
    const identity = await benchIdentity(hub, hubPool);
    const hubClient = graphqlClient(`http://127.0.0.1:${(hubServer.httpServer.address() as AddressInfo).port}/graphql`, opts.concurrency, identity);
    closers.push(async () => hubClient.close());

    const pools: FloorPools = { hub: hubPool, departments: Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, sources[c].pool])) as Record<DepartmentCode, mysql.Pool> };
    const accessDb = accessDbOf(hub);
    const tokens = new TokenCache(accessDb, config.tokenCacheMs ?? 0);
    const fairAudit = new AuditStore(accessDb, auditWriterPool(db.hubUrl, config.hubTimeoutMs));
    await fairAudit.init();
    const fair = await startFairFloorServer({ pools, authenticate: (h) => tokens.authenticate(h), audit: fairAudit, today });
    closers.push(() => fair.stop());
    const fairClient = graphqlClient(fair.url, opts.concurrency, identity);
    closers.push(async () => fairClient.close());

    const digests = new Map<number, string>();
    const run = async (client: GraphQLClient, name: string, batch: readonly number[]) => {
      let next = 0;
      const caller = async () => {
        while (next < batch.length) {
          const id = batch[next++];
          const res = await client.post<{ household: HouseholdResult | null }>(HOUSEHOLD_QUERY, { id: String(id) });
          if (res.status !== 200 || res.errors?.length || !res.data) throw new Error(`${name}: household ${id} answered HTTP ${res.status}`);
          const d = digest(res.data.household);
          const seen = digests.get(id);
          if (seen === undefined) digests.set(id, d);
          else if (seen !== d) throw new Error(`${name}: household ${id} answered differently from the other variant`);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, caller));
    };
    const variants = [
      { name: 'fair floor', client: fairClient, cpuUs: 0, dbUs: 0, requests: 0 },
      { name: 'hub', client: hubClient, cpuUs: 0, dbUs: 0, requests: 0 },
    ];
    // Drawn after the measured ids, so --warmup leaves them as they were.
    const warm = Array.from({ length: opts.warmup }, () => rng.pick(eligible));
    for (const v of variants) await run(v.client, v.name, warm);
    const profileFile = process.env.BENCH_CPU_PROFILE;
    const profiles: unknown[] = [];
    const session = profileFile ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROFILE_INTERVAL_US ?? 1000) });
    }
    const roundSize = Math.ceil(ids.length / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const batch = ids.slice(r * roundSize, (r + 1) * roundSize);
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(r + k) % variants.length];
        const profiled = session && v.name === (process.env.BENCH_CPU_PROFILE_VARIANT ?? 'hub');
        if (profiled) await session.post('Profiler.start');
        const dbBefore = cpuSecondsOf(db.serverPid);
        const before = process.cpuUsage();
        await run(v.client, v.name, batch);
        const used = process.cpuUsage(before);
        if (profiled) {
          const { profile } = await session.post('Profiler.stop');
          // The last round's profile is written: the code is warm by then.
          profiles.push(profile);
        }
        v.cpuUs += used.user + used.system;
        const dbAfter = cpuSecondsOf(db.serverPid);
        if (dbBefore !== null && dbAfter !== null) v.dbUs += (dbAfter - dbBefore) * 1e6;
        v.requests += batch.length;
      }
    }
    if (session && profileFile) {
      fs.writeFileSync(profileFile, JSON.stringify(profiles.at(-1)));
      session.disconnect();
    }
    log(`household query, ${opts.households} households, ${ids.length} requests per variant after ${warm.length} to warm up, concurrency ${opts.concurrency}, NODE_ENV=${process.env.NODE_ENV ?? ''}`);
    const dbCounted = cpuSecondsOf(db.serverPid) !== null;
    const ms = (us: number, requests: number) => (us / requests / 1000).toFixed(3);
    for (const v of variants) {
      log(`${v.name.padEnd(12)} CPU ${ms(v.cpuUs, v.requests)} ms per request (client included)${dbCounted ? `, database server ${ms(v.dbUs, v.requests)} ms` : ''}`);
    }
    const [f, h] = variants;
    log(`hub/fair floor CPU per request ${(h.cpuUs / h.requests / (f.cpuUs / f.requests)).toFixed(2)}×`);
    if (dbCounted) log(`hub/fair floor CPU per request with the database server's ${((h.cpuUs + h.dbUs) / h.requests / ((f.cpuUs + f.dbUs) / f.requests)).toFixed(2)}×`);
    else log('database server CPU not counted (BENCH_DATABASE_URL, or no /proc)');
    log(`Load average at the end: ${loadAverage()} (${os.cpus().length} CPUs)`);
  } finally {
    for (const close of closers.reverse()) await close().catch((err: unknown) => console.error(`cleanup: ${(err as Error).message}`));
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
