/**
 * `npm run bench:pregrant -- [--households N] [--requests M] [--concurrency C] [--background B] [--background-rate R[,R…]] [--modes floor,alone,rate,load] [--durable] [--data-dir DIR] [--keep]`
 *
 * Pre-grant check latency, as a department system sees it: POST /graphql over keep-alive HTTP to a
 * real hub (access layer and all) on a private MariaDB under /tmp holding N generated households.
 * Proposals are a mix of what departments grant most (temporary aid, 低保, 特困, the nursing
 * subsidy, medical aid against a real settlement), for sampled people. Measured four ways, each
 * after a warm-up:
 *   floor  `{ __typename }` through the same HTTP, token, purpose and audit path: the baseline;
 *   alone  the checks and nothing else;
 *   rate   while household queries arrive at R a second whatever happens to them (open loop: how
 *          "other queries run" on a hub that is not saturated), once for each R given;
 *   load   while B callers run household queries back to back without pause (closed loop: the
 *          hub as busy as they can make it).
 * Prints p50/p95/p99/max, requests per second, statements per check, and each mode's ratio to the
 * floor measured in the same run. The callers run on a worker thread, so the hub's event loop
 * serves requests only, as it would with callers on other machines. `--durable` has the server
 * flush its log at every commit (the audit append commits on every request), as production would;
 * by default it does not, like every bench's throwaway server. Not a test.
 */
import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { createClient } from '../access/clients';
import { ROLES } from '../access/policy';
import { accessDbOf } from '../db/access/db';
import { createPool, hubDrizzle } from '../db/connect';
import { DEPARTMENT_CODES } from '../domain/departments';
import { addDays } from '../domain/dates';
import { closeSources, openSources } from '../federation/sources';
import { SCENARIOS } from '../test/support/scenarios-by-department';
import { createHubServer } from '../server/app';
import { loadConfig } from '../db/config';
import { benchData, log, option, positiveInt, rowCounts } from './findings-setup';

const REFERENCE_DATE = '2026-03-15';

const PREGRANT = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear conflicts warnings complete findings { rule { id } severity } } }`;
const HOUSEHOLD = `query($id: ID!) { household(id: $id) { members { person { idNumber name } } aid { programme { code } amountFen period { start end } grantDate } sources { available } } }`;

interface Reply {
  status: number;
  body: { data?: unknown; errors?: { extensions?: { code?: string } }[]; extensions?: { sqlStatements?: { total: number } } };
}

function client(endpoint: string, headers: Record<string, string>, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(endpoint);
  return (query: string, variables: Record<string, unknown>, purpose: string): Promise<Reply> => {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-purpose': purpose, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

interface Job {
  endpoint: string;
  auth: Record<string, string>;
  proposals: Record<string, unknown>[];
  householdIds: number[];
  concurrency: number;
  background: number;
  backgroundRate: number;
}

type Mode = 'floor' | 'alone' | 'rate' | 'load';

interface RunResult {
  latencies: number[];
  /** The programme proposed by each check, in the order of `latencies`. */
  programmes: string[];
  statements: number[];
  notClear: number;
  backgroundDone: number;
  wall: number;
}

/** The callers: a warm-up, then every proposal through `concurrency` callers, with or without background load. */
async function callers(job: Job & { mode: Mode }): Promise<RunResult> {
  const call = client(job.endpoint, job.auth, job.concurrency + job.background + 64);
  const check = async (input: Record<string, unknown>) => {
    const t0 = performance.now();
    if (job.mode === 'floor') {
      const res = await call('{ __typename }', {}, 'DUPLICATE_CHECK');
      if (res.status !== 200) throw new Error(`floor query answered ${res.status}`);
      return { ms: performance.now() - t0, statements: res.body.extensions?.sqlStatements?.total ?? 0, clear: true };
    }
    const res = await call(PREGRANT, { input }, 'DUPLICATE_CHECK');
    const ms = performance.now() - t0;
    if (res.status !== 200 || res.body.errors?.length) throw new Error(`pre-grant check answered ${res.status} ${res.body.errors?.map((e) => e.extensions?.code).join(',')}`);
    return { ms, statements: res.body.extensions?.sqlStatements?.total ?? 0, clear: (res.body.data as { preGrantCheck: { clear: boolean } }).preGrantCheck.clear };
  };
  // Warm up: connection pools, JIT, buffer pool.
  for (let i = 0; i < 300; i++) await check(job.proposals[i % job.proposals.length]);
  let stop = false;
  let backgroundDone = 0;
  const household = async (i: number) => {
    const res = await call(HOUSEHOLD, { id: String(job.householdIds[i % job.householdIds.length]) }, 'ELIGIBILITY_REVIEW');
    if (res.status !== 200) throw new Error(`household query answered ${res.status}`);
    backgroundDone += 1;
  };
  const loaders: Promise<void>[] = [];
  if (job.mode === 'load') {
    for (let k = 0; k < job.background; k++) {
      loaders.push(
        (async () => {
          for (let i = k; !stop; i += job.background) await household(i);
        })(),
      );
    }
  } else if (job.mode === 'rate') {
    // Open loop: the n-th query is sent at start + n/R seconds, answered or not.
    loaders.push(
      (async () => {
        const inFlight = new Set<Promise<void>>();
        const t0 = performance.now();
        for (let n = 0; !stop; n++) {
          const due = t0 + (n * 1000) / job.backgroundRate - performance.now();
          if (due > 0) await new Promise((r) => setTimeout(r, due));
          const p: Promise<void> = household(n).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        await Promise.all(inFlight);
      })(),
    );
  }
  parentPort!.postMessage('measuring');
  const latencies: number[] = [];
  const programmes: string[] = [];
  const statements: number[] = [];
  let notClear = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.proposals.length) {
        const proposal = job.proposals[next++];
        const r = await check(proposal);
        latencies.push(r.ms);
        programmes.push(String(proposal.programme));
        statements.push(r.statements);
        if (!r.clear) notClear += 1;
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(loaders);
  return { latencies, programmes, statements, notClear, backgroundDone, wall };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    log('usage: npm run bench:pregrant -- [--households 100000] [--requests 4000] [--concurrency 4] [--background 4] [--background-rate 20[,50,…]] [--modes floor,alone,rate,load] [--durable] [--data-dir DIR] [--keep]');
    return;
  }
  const households = positiveInt(option(argv, 'households', '100000'), 'households');
  const requests = positiveInt(option(argv, 'requests', '4000'), 'requests');
  const concurrency = positiveInt(option(argv, 'concurrency', '4'), 'concurrency');
  const background = positiveInt(option(argv, 'background', '4'), 'background');
  const backgroundRates = option(argv, 'background-rate', '20').split(',').map((r) => positiveInt(r, 'background-rate'));
  const dataDir = argv.includes('--data-dir') ? option(argv, 'data-dir', '') : undefined;
  const modes = option(argv, 'modes', 'floor,alone,rate,load').split(',') as Mode[];
  const unknown = modes.filter((m) => !['floor', 'alone', 'rate', 'load'].includes(m));
  if (unknown.length > 0 || modes[0] !== 'floor') throw new Error(`--modes: a comma-separated list starting with floor, of floor, alone, rate and load (not ${unknown.join(', ') || modes[0]})`);

  log(
    `bench:pregrant — ${households} households, ${requests} checks at concurrency ${concurrency}: alone, with household queries arriving at ${backgroundRates.join(', ')}/s, and with ${background} callers running household queries back to back${argv.includes('--durable') ? '; the log flushed at every commit' : ''}`,
  );
  const durable = argv.includes('--durable');
  const data = await benchData({ households, seed: 1, referenceDate: REFERENCE_DATE, dataDir, keep: argv.includes('--keep'), durable });
  const pool = createPool(data.hubUrl, { connectionLimit: 20 });
  const hub = hubDrizzle(pool);
  const config = { ...loadConfig(data.hubUrl, { ...process.env, ...Object.fromEntries(DEPARTMENT_CODES.map((c) => [`SOURCE_${c}_URL`, data.sourceUrls[c]])) }), port: 0, rateLimitPerMinute: 10_000_000 };
  const sources = openSources(config.sources);
  const server = await createHubServer({ config, hub, sources, logger: pino({ level: 'silent' }), today: () => REFERENCE_DATE });
  await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`;
  try {
    const counts = await rowCounts(data);
    log(`data: ${counts.households} households, ${counts.people} people, ${counts.departmentRows} department rows (loaded in ${data.loadSeconds.toFixed(1)} s)`);
    const { token } = await createClient(accessDbOf(hub), { name: `bench-pregrant-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: ROLES });
    const auth = { authorization: `Bearer ${token}` };

    // The sample: people in households, people with a standing settlement, households to query.
    const conn = await mysql.createConnection({ uri: data.hubUrl, dateStrings: true });
    const [maxRow] = await conn.query<mysql.RowDataPacket[]>('SELECT MAX(id) AS n FROM household');
    const maxId = Number(maxRow[0].n);
    const householdIds = Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919 + 13) % maxId));
    const [people] = await conn.query<mysql.RowDataPacket[]>('SELECT id_number FROM household_member WHERE household_id IN (?) AND left_on IS NULL', [householdIds.slice(0, 2000)]);
    await conn.end();
    const stays = await SCENARIOS.HEALTH.rows(sources.HEALTH.db, 'settlements', { refdSetlFlag: '0' }, 2000);
    const ids = people.map((p) => p.id_number as string);
    const nextMonth = `${addDays(`${REFERENCE_DATE.slice(0, 7)}-28`, 10).slice(0, 7)}-01`;
    const proposals = Array.from({ length: requests }, (_, i) => {
      const who = ids[i % ids.length];
      switch (i % 5) {
        case 0:
          return { beneficiaryIdNumber: who, programme: 'TEMP_AID', grantDate: REFERENCE_DATE, amountFen: 200_000, cause: ['ILLNESS', 'ACCIDENT', 'JOB_LOSS'][i % 3] };
        case 1:
          return { beneficiaryIdNumber: who, programme: 'DIBAO', periodStart: nextMonth, amountFen: 72_000 };
        case 2:
          return { beneficiaryIdNumber: who, programme: 'TEKUN', periodStart: nextMonth, amountFen: 90_000 };
        case 3:
          return { beneficiaryIdNumber: who, programme: 'DISABILITY_NURSING', periodStart: nextMonth, amountFen: 10_000 };
        default: {
          const stay = stays[i % stays.length];
          return { beneficiaryIdNumber: stay.psnCertNo, programme: 'MEDICAL_AID', grantDate: REFERENCE_DATE, amountFen: 50_000, settlementReference: stay.setlId };
        }
      }
    });

    // The callers run on a thread of their own, so the hub's event loop serves requests only.
    const job: Omit<Job, 'backgroundRate'> = { endpoint, auth, proposals, householdIds, concurrency, background };
    const runs = modes.flatMap((mode): { mode: Mode; rate: number }[] => (mode === 'rate' ? backgroundRates.map((rate) => ({ mode, rate })) : [{ mode, rate: 0 }]));
    const labelOf = ({ mode, rate }: { mode: Mode; rate: number }) =>
      ({
        floor: 'floor (`{ __typename }`, same HTTP, token and audit path)',
        alone: 'alone',
        rate: `household queries arriving at ${rate}/s`,
        load: `${background} household-query callers without pause`,
      })[mode];
    const summary: { mode: Mode; label: string; p50: number; p99: number }[] = [];
    for (const run of runs) {
      const { mode } = run;
      const label = labelOf(run);
      // The hub's event loop, busy or idle, over the measured part of the run (after the warm-up).
      let loopAtStart = performance.eventLoopUtilization();
      const r = await new Promise<RunResult>((resolve, reject) => {
        // A worker does not inherit tsx's loader: register it, then load this file.
        const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { ...job, backgroundRate: run.rate, mode } });
        worker.on('message', (m: RunResult | 'measuring') => (m === 'measuring' ? (loopAtStart = performance.eventLoopUtilization()) : resolve(m)));
        worker.once('error', reject);
      });
      const loop = performance.eventLoopUtilization(loopAtStart);
      const lat = Array.from(Float64Array.from(r.latencies).sort());
      const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => percentile(lat, q));
      summary.push({ mode, label, p50, p99 });
      log(
        `${label}: ${lat.length} ${mode === 'floor' ? 'queries' : 'checks'} in ${r.wall.toFixed(1)} s (${Math.round(lat.length / r.wall)}/s)` +
          ` — p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms` +
          (mode === 'floor' ? '' : `; ${Math.min(...r.statements)}–${Math.max(...r.statements)} statements per check; ${r.notClear} not clear`) +
          (mode === 'rate' || mode === 'load' ? `; ${r.backgroundDone} household queries meanwhile (${Math.round(r.backgroundDone / r.wall)}/s)` : '') +
          `; hub event loop busy ${Math.round(loop.utilization * 100)}%` +
          (mode === 'floor' || mode === 'alone' ? `, ${(loop.active / lat.length).toFixed(2)} ms of it per ${mode === 'floor' ? 'query' : 'check'}` : ''),
      );
      if (mode !== 'floor') {
        const byProgramme = new Map<string, number[]>();
        r.programmes.forEach((p, i) => byProgramme.set(p, [...(byProgramme.get(p) ?? []), r.latencies[i]]));
        log(
          '    by programme: ' +
            [...byProgramme]
              .map(([p, ms]) => {
                const sorted = Array.from(Float64Array.from(ms).sort());
                return `${p} p50 ${percentile(sorted, 0.5).toFixed(1)} / p99 ${percentile(sorted, 0.99).toFixed(1)}`;
              })
              .join(', '),
        );
      }
    }
    const floor = summary[0];
    log('');
    log('mode                                         p50 ms   p99 ms   p50/floor   p99/floor   p99 < 20 ms');
    for (const s of summary) {
      log(
        `${s.label.padEnd(44)} ${s.p50.toFixed(1).padStart(6)}   ${s.p99.toFixed(1).padStart(6)}   ${(s.p50 / floor.p50).toFixed(2).padStart(8)}×   ${(s.p99 / floor.p99).toFixed(2).padStart(8)}×   ${s.mode === 'floor' ? '' : s.p99 < 20 ? 'yes' : 'NO'}`,
      );
    }
  } finally {
    await server.apollo.stop();
    await closeSources(sources);
    await pool.end();
    await data.discard();
  }
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  callers(workerData as Job & { mode: Mode }).then((r) => parentPort!.postMessage(r));
}
