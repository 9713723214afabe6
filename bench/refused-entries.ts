/**
 * `npx tsx bench/refused-entries.ts [--requests N] [--households H]`: what a `households(ids:)`
 * entry refused as out of the caller's scope costs the hub, against a request of the same size whose
 * entries are all answered. Ten aliases of 500 ids each (5,000 entries, within the cost limit): ids
 * the hub does not hold, ids of households outside the caller's county, and ids of households in it.
 *
 * The hub runs in this process as `npm start` runs it (NODE_ENV=production, under tsx, whose source
 * maps are on), over a throwaway database server (bench/lib/database.ts) with a small generated
 * demo. Reports CPU per request (process.cpuUsage: the client's share, the same for every variant,
 * is in it), how many stack traces were captured and formatted per request, and the longest event
 * loop delay seen. With BENCH_CPU_PROFILE=file.cpuprofile, the refused variant's runs are profiled.
 */
import './lib/production';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RowDataPacket } from 'mysql2/promise';
import pino from 'pino';
import { createClient } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { loadConfig } from '../db/config';
import { createPool, hubDrizzle } from '../db/connect';
import { todayIso } from '../domain/dates';
import { closeSources, openSources } from '../federation/sources';
import { createHubServer } from '../server/app';
import { generateDemo } from '../tools/generate/index';
import { openBenchDatabases } from './lib/database';
import { graphqlClient } from './lib/graphql-client';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ALIASES = 10;
const PER_ALIAS = 500;
const QUERY = `query($ids: [ID!]!) { ${Array.from({ length: ALIASES }, (_, i) => `a${i}: households(ids: $ids) { id }`).join(' ')} }`;

/** Stack traces captured with frames (captureStackTrace, which every GraphQLError calls, while Error.stackTraceLimit > 0) and formatted (`.stack` read). */
const counted = { captured: 0, formatted: 0 };
function countStacks(): void {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function (this: unknown, ...args: Parameters<typeof capture>) {
    if (Error.stackTraceLimit > 0) counted.captured += 1;
    return capture.apply(this, args);
  } as typeof capture;
  // Installed last, over tsx's source-map formatter: counts each formatting, then lets it run.
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    counted.formatted += 1;
    return prepare ? prepare(error, frames) : `${error}\n${frames.map((f) => `    at ${f}`).join('\n')}`;
  };
}

async function main(): Promise<void> {
  const requests = option('requests', 20);
  const households = option('households', 300);
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const today = todayIso();
    const db = await openBenchDatabases();
    closers.push(() => db.discard());
    await generateDemo({ hubUrl: db.hubUrl, sourceUrls: db.sourceUrls, households, seed: 'refused', referenceDate: today });
    // 5,000 entries an operation, past the default MAX_HOUSEHOLDS_PER_OPERATION (500), which refuses such a request before it runs: allowed here, to measure what each entry costs.
    const env = { SOURCE_TIMEOUT_MS: '30000', HUB_TIMEOUT_MS: '30000', MAX_HOUSEHOLDS_PER_OPERATION: String(ALIASES * PER_ALIAS), NODE_ENV: process.env.NODE_ENV };
    const config = { ...loadConfig(db.hubUrl, env), rateLimitPerMinute: 1_000_000_000 };
    const hubPool = createPool(db.hubUrl);
    const sources = openSources(config.sources);
    closers.push(() => hubPool.end(), () => closeSources(sources));
    const hub = hubDrizzle(hubPool);
    const [rows] = await hubPool.query<RowDataPacket[]>('SELECT id, LEFT(region_code, 6) AS county FROM household ORDER BY id');
    const counties = [...new Set(rows.map((r) => String(r.county)))].sort();
    const county = counties[0];
    const inside = rows.filter((r) => String(r.county) === county).map((r) => String(r.id));
    const outside = rows.filter((r) => String(r.county) !== county).map((r) => String(r.id));
    if (outside.length === 0) throw new Error('the demo holds one county only; give more --households');
    const maxId = Math.max(...rows.map((r) => Number(r.id)));
    const take = (from: string[]) => Array.from({ length: PER_ALIAS }, (_, i) => from[i % from.length]);
    const variants: Record<string, string[]> = {
      'unknown ids': Array.from({ length: PER_ALIAS }, (_, i) => String(maxId + 1000 + i)),
      'out-of-scope ids': take(outside),
      'in-scope ids (answered)': take(inside),
    };

    const hubServer = await createHubServer({ config, hub, sources, logger: pino({ level: 'silent' }), today: () => today });
    closers.push(() => hubServer.apollo.stop());
    await new Promise<void>((resolve) => hubServer.httpServer.listen(0, '127.0.0.1', resolve));
    const { token } = await createClient(accessDbOf(hub), { name: 'bench-county', department: 'CIVIL_AFFAIRS', regionScope: county, roles: ['CASEWORKER'] });
    const client = graphqlClient(`http://127.0.0.1:${(hubServer.httpServer.address() as AddressInfo).port}/graphql`, 1, {
      authorization: `Bearer ${token}`,
      'x-purpose': 'ELIGIBILITY_REVIEW',
    });
    closers.push(async () => client.close());
    countStacks();

    console.log(`households(ids:) ×${ALIASES} aliases × ${PER_ALIAS} ids, ${requests} requests a variant, one at a time; caller scoped to county ${county}`);
    const profile = process.env.BENCH_CPU_PROFILE;
    for (const [label, ids] of Object.entries(variants)) {
      for (let i = 0; i < 3; i++) await client.post(QUERY, { ids }); // warm-up
      let session: Session | null = null;
      if (profile && label === 'unknown ids') {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const stacks = { ...counted };
      const before = process.cpuUsage();
      const started = process.hrtime.bigint();
      let errors = 0;
      for (let i = 0; i < requests; i++) errors += (await client.post(QUERY, { ids })).errors?.length ?? 0;
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / requests;
      const used = process.cpuUsage(before);
      delay.disable();
      if (session) {
        const { profile: written } = await session.post('Profiler.stop');
        fs.writeFileSync(profile!, JSON.stringify(written));
        session.disconnect();
      }
      const per = (n: number) => Math.round(n / requests);
      console.log(
        `${label}: ${((used.user + used.system) / 1000 / requests).toFixed(0)} ms CPU, ${wallMs.toFixed(0)} ms wall a request; ` +
          `${per(errors)} errors, ${per(counted.captured - stacks.captured)} stack traces captured, ${per(counted.formatted - stacks.formatted)} formatted a request; ` +
          `longest event-loop delay ${(delay.max / 1e6).toFixed(0)} ms`,
      );
    }
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
