/**
 * `npm run bench:pregrant -- [--households N] [--requests M] [--concurrency C] [--background B] [--data-dir DIR] [--keep]`
 *
 * Pre-grant check latency, as a department system sees it: POST /graphql over keep-alive HTTP to a
 * real hub (access layer and all) on a private MariaDB under /tmp holding N generated households.
 * Proposals are a mix of what departments grant most (temporary aid, 低保, 特困, the nursing
 * subsidy, medical aid against a real settlement), for sampled people. Measured twice: alone, and
 * while B other callers run household queries without pause. Prints p50/p95/p99/max, requests per
 * second and statements per check. The callers run on a worker thread, so the hub's event loop
 * serves requests only, as it would with callers on other machines. Not a test.
 */
import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { createClient } from '../access/clients';
import { ROLES } from '../access/policy';
import { accessDbOf } from '../db/access-db';
import { createPool, hubDrizzle } from '../db/connect';
import { DEPARTMENT_CODES } from '../domain/departments';
import { addDays } from '../domain/dates';
import { closeSources, openSources } from '../federation/sources';
import { createHubServer } from '../server/app';
import { loadConfig } from '../server/config';
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
}

interface RunResult {
  latencies: number[];
  statements: number[];
  notClear: number;
  backgroundDone: number;
  wall: number;
}

/** The callers: a warm-up, then every proposal through `concurrency` callers, with or without background load. */
async function callers(job: Job & { mode: 'floor' | 'alone' | 'load' }): Promise<RunResult> {
  const call = client(job.endpoint, job.auth, job.concurrency + job.background + 2);
  const withLoad = job.mode === 'load';
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
  const loaders = withLoad
    ? Array.from({ length: job.background }, async (_, k) => {
        for (let i = k; !stop; i += job.background) {
          const res = await call(HOUSEHOLD, { id: String(job.householdIds[i % job.householdIds.length]) }, 'ELIGIBILITY_REVIEW');
          if (res.status !== 200) throw new Error(`household query answered ${res.status}`);
          backgroundDone += 1;
        }
      })
    : [];
  const latencies: number[] = [];
  const statements: number[] = [];
  let notClear = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.proposals.length) {
        const r = await check(job.proposals[next++]);
        latencies.push(r.ms);
        statements.push(r.statements);
        if (!r.clear) notClear += 1;
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(loaders);
  return { latencies, statements, notClear, backgroundDone, wall };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    log('usage: npm run bench:pregrant -- [--households 100000] [--requests 4000] [--concurrency 4] [--background 4] [--data-dir DIR] [--keep]');
    return;
  }
  const households = positiveInt(option(argv, 'households', '100000'), 'households');
  const requests = positiveInt(option(argv, 'requests', '4000'), 'requests');
  const concurrency = positiveInt(option(argv, 'concurrency', '4'), 'concurrency');
  const background = positiveInt(option(argv, 'background', '4'), 'background');
  const dataDir = argv.includes('--data-dir') ? option(argv, 'data-dir', '') : undefined;

  log(`bench:pregrant — ${households} households, ${requests} checks at concurrency ${concurrency}, then again with ${background} callers running household queries`);
  const data = await benchData({ households, seed: 1, referenceDate: REFERENCE_DATE, dataDir, keep: argv.includes('--keep') });
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
    const health = await mysql.createConnection({ uri: data.sourceUrls.HEALTH, dateStrings: true });
    const [stays] = await health.query<mysql.RowDataPacket[]>("SELECT setl_id, psn_cert_no FROM mi_setl WHERE refd_setl_flag = '0' LIMIT 2000");
    await health.end();
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
          return { beneficiaryIdNumber: stay.psn_cert_no as string, programme: 'MEDICAL_AID', grantDate: REFERENCE_DATE, amountFen: 50_000, settlementReference: stay.setl_id as string };
        }
      }
    });

    // The callers run on a thread of their own, so the hub's event loop serves requests only.
    const job: Job = { endpoint, auth, proposals, householdIds, concurrency, background };
    for (const mode of ['floor', 'alone', 'load'] as const) {
      const r = await new Promise<RunResult>((resolve, reject) => {
        // A worker does not inherit tsx's loader: register it, then load this file.
        const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { ...job, mode } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const withLoad = mode === 'load';
      const lat = Float64Array.from(r.latencies).sort();
      const p = (q: number) => percentile(Array.from(lat), q).toFixed(1);
      log(
        `${mode === 'floor' ? 'floor (`{ __typename }` through the same HTTP, access and audit path)' : withLoad ? `with ${background} household-query callers` : 'alone'}: ${lat.length} ${mode === 'floor' ? 'queries' : 'checks'} in ${r.wall.toFixed(1)} s (${Math.round(lat.length / r.wall)}/s)` +
          ` — p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms, max ${lat[lat.length - 1].toFixed(1)} ms;` +
          ` ${Math.min(...r.statements)}–${Math.max(...r.statements)} statements per check; ${r.notClear} not clear` +
          (withLoad ? `; ${r.backgroundDone} household queries meanwhile (${Math.round(r.backgroundDone / r.wall)}/s)` : ''),
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
  callers(workerData as Job & { mode: 'floor' | 'alone' | 'load' }).then((r) => parentPort!.postMessage(r));
}
