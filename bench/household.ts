/**
 * `npm run bench`: the household query through the hub, against two floors and a naive resolver
 * map without DataLoader (bench/naive-resolvers.ts), on the same generated data in one run. The
 * in-process floor (the same data by hand-written SQL through mysql2, bench/floor.ts) is the
 * reference limit: no HTTP, no token, no audit. The fair floor (bench/lib/fair-floor-server.ts)
 * serves that answer as any GraphQL server would have to: Express, graphql-js with cached
 * documents, the hub's token look-up and audit append. Not a test: it prints
 * p50, p99, requests per second and SQL statements per request, and the ratios between them.
 *
 * All four answer the same sample of households (each with at least one current member) in the
 * same order, taking turns in rounds so drift over the run falls on all alike. Before the
 * run their full answers are compared for a few households, and during it a digest of every
 * answer; any difference aborts the bench, since timings of wrong answers mean nothing.
 *
 * The hub is measured as it ships: NODE_ENV=production (bench/lib/production.ts, imported first),
 * so graphql-js runs its production type checks and the hub enters no statement-count scope per
 * request. Its answers then carry no `extensions.sqlStatements`; its statements are counted over
 * each of its runs instead (db/instrument.ts `statementsIssued`, of the hub's thread), while no
 * other variant runs.
 *
 * Since session 29 each HTTP server runs in a worker thread of its own with its own pools, and the
 * client and the in-process floor in the main thread (bench/lib/servers.ts); `--servers same-thread`
 * runs them all in the client's thread as before, where every server's latency includes the
 * client's work.
 */
import './lib/production';
import os from 'node:os';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { todayIso, type IsoDate } from '../domain/dates';
import { loadConfig } from '../db/config';
import { generateDemo } from '../tools/generate/index';
import { departmentRowCount } from '../tools/generate/tables';
import { Rng, seedFromText } from '../federation/demo-random';
import { floorHousehold } from './floor';
import { loadAverage } from './lib/load';
import { canonical, digest, firstDifference } from './lib/compare';
import { drawHouseholds } from './lib/draw';
import { openBenchDatabases } from './lib/database';
import { graphqlClient, type GraphQLClient } from './lib/graphql-client';
import { benchIdentity } from './lib/hub-identity';
import { drive, Tally, type Answer, type Fetch } from './lib/measure';
import { floorPoolsOf, openServerDeps, serverInThisThread, serverInWorker, type BenchServer, type ServerDeps, type ServerKind } from './lib/servers';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './lib/options';
import { printUsageError } from '../tools/command-args';
import { HOUSEHOLD_QUERY, type HouseholdResult } from './lib/query';
import { table } from './lib/report';
import { ThreadCpu } from './lib/thread-cpu';

/** Measured requests are split into this many rounds, the variants taking turns in each. */
const ROUNDS = 4;

class WrongAnswer extends Error {}

/** A variant that gave no answer (a reset connection, an HTTP error, a failed statement), named with when. */
class VariantFailed extends Error {}

/** `work` (requests of variant `v`), its failure other than a wrong answer told as `v`'s during `phase`. */
async function failingAs(v: Variant, phase: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (caught) {
    // A server whose worker thread died: its error, not the requests it then refused.
    const err = v.server?.failure() ?? caught;
    if (err instanceof WrongAnswer || !(err instanceof Error)) throw err;
    const code = (err as { code?: unknown }).code;
    const coded = typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : '';
    throw new VariantFailed(`${v.key} (${v.label}) failed during ${phase}: ${err.message}${coded}`, { cause: err });
  }
}

interface Variant {
  key: 'floor' | 'fair' | 'hub' | 'naive';
  label: string;
  fetch: Fetch;
  tally: Tally;
  /** For a variant whose answers carry no statement count: its server thread's statements so far. */
  statementsIssued?: () => Promise<number>;
  /** The HTTP server it measures, where there is one. */
  server?: BenchServer;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A GraphQL answer over HTTP, refused unless it is complete and, unless `uncounted` (a production
 * hub, which reports none), carries its statement count.
 */
function overHttp(name: string, client: GraphQLClient, uncounted = false): Fetch {
  return async (householdId) => {
    const res = await client.post<{ household: HouseholdResult | null }>(HOUSEHOLD_QUERY, { id: String(householdId) });
    if (res.status !== 200 || res.errors?.length || !res.data) {
      // An error is no answer, not a different one: the variant failed (failingAs names it).
      const codes = res.errors?.map((e) => [e.extensions?.code ?? e.message, e.extensions?.reason].filter(Boolean).join('/')).join(', ');
      throw new Error(`${name} answered household ${householdId} with HTTP ${res.status}${codes ? ` and errors: ${codes}` : ''}`);
    }
    if (uncounted) return { household: res.data.household, statements: null };
    const statements = res.extensions?.sqlStatements?.total;
    if (typeof statements !== 'number') throw new WrongAnswer(`${name} reported no extensions.sqlStatements`);
    return { household: res.data.household, statements };
  };
}

/** Full answers of every variant for the given households must agree (latencies aside). */
async function compareFully(variants: Variant[], ids: readonly number[]): Promise<void> {
  for (const id of ids) {
    // All settled before a failure is thrown, so clean-up closes nothing under a request still running.
    const settled = await Promise.allSettled(variants.map((v) => v.fetch(id)));
    const failed = settled.findIndex((a) => a.status === 'rejected');
    if (failed >= 0) await failingAs(variants[failed], 'the comparison of full answers', () => Promise.reject((settled[failed] as PromiseRejectedResult).reason));
    const answers = settled.map((a) => (a as PromiseFulfilledResult<Answer>).value);
    const reference = canonical(answers[0].household);
    for (let k = 1; k < variants.length; k++) {
      const diff = firstDifference(reference, canonical(answers[k].household));
      if (diff) throw new WrongAnswer(`${variants[k].key} and ${variants[0].key} disagree on household ${id} at ${diff}`);
    }
  }
}

interface Cleanup {
  /** Everything opened, closed in reverse order at the end. */
  closers: (() => Promise<unknown>)[];
  /** Removes the bench's data; all an interrupt waits for. */
  discardData: (() => Promise<void>) | null;
  /** The run failed: the private server's data and log are kept for reading why. */
  failed: boolean;
}

/** One measured server where `--servers` puts it; stopped (and its thread ended) at clean-up. */
async function startServer(kind: ServerKind, opts: BenchOptions, deps: ServerDeps, today: IsoDate, closers: Cleanup['closers']): Promise<BenchServer> {
  const server = opts.servers === 'threads' ? await serverInWorker(kind, { hubUrl: deps.hubUrl, today }) : await serverInThisThread(kind, deps);
  closers.push(() => server.stop());
  return server;
}

async function bench(opts: BenchOptions, cleanup: Cleanup): Promise<void> {
  const { closers } = cleanup;
  const today = todayIso();
  const db = await openBenchDatabases();
  cleanup.discardData = () => db.discard();
  closers.push(() => db.discard({ keepServerData: cleanup.failed }));
  log(`AidHub household bench: ${opts.households.toLocaleString('en-US')} households, ${opts.requests} requests per variant after ${opts.warmup} to warm up, concurrency ${opts.concurrency}, seed ${opts.seed}, today ${today}`);
  log(
    opts.servers === 'threads'
      ? 'Servers: --servers threads, the hub, the fair floor and the naive server each in a worker thread of its own with its own pools; the client and the in-process floor in the main thread.'
      : "Servers: --servers same-thread, the hub, the fair floor and the naive server in the client's thread, on one set of pools with the in-process floor (as before session 29).",
  );
  log(`Data: ${db.where}`);

  const loadStarted = performance.now();
  const counts = await generateDemo({ hubUrl: db.hubUrl, sourceUrls: db.sourceUrls, households: opts.households, seed: opts.seed, referenceDate: today });
  const departmentRows = departmentRowCount(counts);
  log(`Loaded ${counts.household.toLocaleString('en-US')} households, ${counts.person.toLocaleString('en-US')} people and ${departmentRows.toLocaleString('en-US')} department rows in ${seconds(performance.now() - loadStarted)}.`);

  // The main thread's pools: the in-process floor's, and, with --servers same-thread, every
  // server's (the same connections, the same limits). In worker threads each server opens its own
  // set, with the same configuration (bench/lib/servers.ts `benchConfig`).
  const deps = openServerDeps(db.hubUrl, today);
  closers.push(() => deps.close());
  const { hub, hubPool } = deps;

  const [eligibleRows] = await hubPool.query<RowDataPacket[]>(
    'SELECT DISTINCT household_id FROM household_member WHERE left_on IS NULL ORDER BY household_id',
  );
  const eligible = eligibleRows.map((r) => Number(r.household_id));
  if (eligible.length === 0) throw new Error('the generator loaded no household with a current member');
  const rng = new Rng(seedFromText(opts.seed));
  // Until session 25 the warm-up was a tenth of --requests (at most 500, 200 by default): runs
  // recorded before then measured the hub while V8 was still optimising it (docs/performance.md).
  const warmupCount = opts.warmup;
  // The measured households first: --warmup changes only the warm-up ones (bench/lib/draw.ts).
  const { measuredIds, warmupIds } = drawHouseholds(eligible, opts.requests, warmupCount, rng);

  // The bench's API client is a row in the hub's database: made here, the hub's token look-up
  // finds it from any thread.
  const identity = await benchIdentity(hub, hubPool);
  const hubServer = await startServer('hub', opts, deps, today, closers);
  const hubClient = graphqlClient(hubServer.url, opts.concurrency, identity);
  closers.push(async () => hubClient.close());

  const naiveServer = await startServer('naive', opts, deps, today, closers);
  const naiveClient = graphqlClient(naiveServer.url, opts.concurrency);
  closers.push(async () => naiveClient.close());

  // The fair floor: the same token look-up and audit append as the hub, on the same chain.
  const fairServer = await startServer('fair', opts, deps, today, closers);
  const fairClient = graphqlClient(fairServer.url, opts.concurrency, identity);
  closers.push(async () => fairClient.close());

  const floorPools = floorPoolsOf(deps);
  const variants: Variant[] = [
    { key: 'floor', label: 'in-process floor (mysql2, hand-written SQL)', fetch: (id) => floorHousehold(floorPools, id, today), tally: new Tally() },
    { key: 'fair', label: 'fair floor (Express, graphql-js, token, audit)', fetch: overHttp('the fair floor', fairClient), tally: new Tally(), server: fairServer },
    { key: 'hub', label: 'hub (DataLoader, access layer)', fetch: overHttp('the hub', hubClient, true), tally: new Tally(), statementsIssued: () => hubServer.statementsIssued(), server: hubServer },
    { key: 'naive', label: 'naive (resolvers, no DataLoader)', fetch: overHttp('the naive server', naiveClient), tally: new Tally(), server: naiveServer },
  ];
  const [floor, fair, hubVariant, naive] = variants;

  // What the database server itself received: counts what extensions.sqlStatements leaves out
  // (the hub's token look-up and audit append), the same way for all.
  const statusConnection = await mysql.createConnection({ uri: db.hubUrl });
  closers.push(() => statusConnection.end());
  const serverCounter = async () => {
    const [rows] = await statusConnection.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Questions'");
    return Number(rows[0].Value);
  };

  // Same answers? Fully for the richest households among the first few hundred, and the first few.
  const richness: { id: number; departments: number; records: number }[] = [];
  await failingAs(floor, 'the choice of households to compare', () =>
    drive(measuredIds.slice(0, 300), opts.concurrency, floor.fetch, (id, a) => {
      const aid = a.household?.aid ?? [];
      richness.push({ id, departments: new Set(aid.map((r) => r.department.code)).size, records: aid.length });
    }),
  );
  const richest = richness.sort((a, b) => b.departments - a.departments || b.records - a.records).slice(0, 5);
  const compared = [...new Set([...richest.map((r) => r.id), ...measuredIds.slice(0, 10)])];
  await compareFully([hubVariant, floor, fair, naive], compared);
  log(
    `Checked: the four variants give identical answers for ${compared.length} households ` +
      `(the richest with aid from ${richest[0]?.departments ?? 0} departments, ${richest[0]?.records ?? 0} records).`,
  );

  // Every answer's digest must match the other variants' for the same household.
  const digests = new Map<number, { digest: string; by: string }>();
  const checkFor = (v: Variant) => (id: number, a: Answer) => {
    const d = digest(a.household);
    const seen = digests.get(id);
    if (!seen) digests.set(id, { digest: d, by: v.key });
    else if (seen.digest !== d) throw new WrongAnswer(`household ${id}: ${v.key} gives ${d}, ${seen.by} gave ${seen.digest}`);
  };

  const warmStarted = performance.now();
  for (const v of variants) await failingAs(v, 'the warm-up', () => drive(warmupIds, opts.concurrency, v.fetch, checkFor(v)));
  log(`Warmed up with ${warmupCount} requests per variant in ${seconds(performance.now() - warmStarted)}.`);

  // BENCH_THREAD_CPU=1: the CPU each thread (this process's and the database server's) spent
  // during each variant's measured runs (bench/lib/thread-cpu.ts).
  const threadCpu = process.env.BENCH_THREAD_CPU ? new ThreadCpu(process.pid, db.serverPid) : null;
  const runStarted = performance.now();
  const roundSize = Math.ceil(measuredIds.length / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    const ids = measuredIds.slice(r * roundSize, (r + 1) * roundSize);
    if (ids.length === 0) break;
    // Rotate who goes first, so no variant always runs on the coldest or the warmest server.
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length];
      const run = () => drive(ids, opts.concurrency, v.fetch, checkFor(v), v.tally, serverCounter, v.statementsIssued);
      await failingAs(v, `measured round ${r + 1} of ${ROUNDS}`, () => (threadCpu ? threadCpu.around(v.key, ids.length, run) : run()));
    }
  }
  log(`Measured ${measuredIds.length} requests per variant in ${ROUNDS} interleaved rounds in ${seconds(performance.now() - runStarted)}; every answer matched across the variants.`);
  log('');
  log(table(variants.map((v) => ({ label: v.label, tally: v.tally })), { hub: hubVariant.tally, fair: fair.tally, floor: floor.tally, naive: naive.tally }));
  log('');
  if (threadCpu) {
    for (const line of threadCpu.report()) log(line);
    log('');
  }
  await failingAs(hubVariant, 'households(ids)', () => manyAtOnce(hubClient, hubServer, [...measuredIds, ...warmupIds].slice(0, 500)));
  // A worker that died between runs, with nothing asked of it since, still fails the run.
  for (const v of variants) if (v.server?.failure()) await failingAs(v, 'the run', () => Promise.reject(v.server?.failure()));
  log(`Load average at the end: ${loadAverage()} (${os.cpus().length} CPUs)`);
  log('');
  log(
    opts.servers === 'threads'
      ? 'Latency is per request, client-side: over HTTP on loopback for the fair floor, hub and naive, each server in a worker thread of its own (with its own pools), the client in the main thread;'
      : "Latency is per request, client-side: over HTTP on loopback for the fair floor, hub and naive, every server in the client's thread (--servers same-thread): it includes the client's work",
  );
  log(
    opts.servers === 'threads'
      ? "it includes the client's work (http.request, JSON.parse, the answer's digest) only where both want a core at once (2 threads busy); in-process (SQL, assembly, JSON.stringify) for the in-process floor."
      : "(http.request, JSON.parse, the answer's digest) and the other servers' timers, the same for all, which pulls every ratio toward 1; in-process (SQL, assembly, JSON.stringify) for the in-process floor.",
  );
  log('The hub and the fair floor look the token up and append to the audit chain (durable before the answer leaves); only the hub applies the per-field policy.');
  log('In-process floor and naive answer anyone. SQL/req: from extensions.sqlStatements.total, the floors counting their own, the hub (in production mode,');
  log(`which reports none) counted over its runs (by its thread${opts.servers === 'threads' ? ", the hub's worker" : ', the whole bench'}); min–max "per run" then. Server SQL/req: MariaDB's`);
  log("Questions counter over each variant's runs, divided by its requests: it adds the token look-up and the audit append where there are some.");
}

/**
 * `households(ids:)` with 500 ids through the hub, once: how long the whole answer took, and the
 * slowest department read in it against the default source timeout (a read slower than that would,
 * with default settings, be answered as DEPARTMENT_UNAVAILABLE instead).
 */
async function manyAtOnce(client: GraphQLClient, hub: BenchServer, ids: readonly number[]): Promise<void> {
  const query = `query($ids: [ID!]!) { households(ids: $ids) { id members { person { idNumber } } aid { amountFen } sources { department { code } available latencyMs } } }`;
  const before = await hub.statementsIssued();
  const started = performance.now();
  const res = await client.post<{ households: ({ sources: { department: { code: string }; available: boolean; latencyMs: number }[] } | null)[] }>(query, { ids: ids.map(String) });
  const wallMs = performance.now() - started;
  if (res.status !== 200 || res.errors?.length || !res.data) throw new WrongAnswer(`households(ids) with ${ids.length} ids answered HTTP ${res.status} with ${res.errors?.length ?? 0} errors`);
  const reads = res.data.households.flatMap((h) => h?.sources ?? []);
  const slowest = Math.max(...reads.map((r) => r.latencyMs));
  const defaultTimeoutMs = loadConfig('mysql://localhost/x', {}).sources.CIVIL_AFFAIRS.timeoutMs;
  log(
    `households(ids) with ${ids.length} ids: ${Math.round(wallMs)} ms through the hub, ${(await hub.statementsIssued()) - before} statements sent meanwhile (the hub's background jobs' included); ` +
      `slowest department read ${slowest} ms, ${(slowest / defaultTimeoutMs).toFixed(2)} of the default source timeout (${defaultTimeoutMs} ms); ` +
      `${reads.filter((r) => !r.available).length} reads unavailable.`,
  );
}

async function main(): Promise<void> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printUsageError(err, USAGE);
    process.exit(2);
  }
  if (opts === 'help') {
    log(USAGE);
    return;
  }

  // Closed in reverse order of opening, once, so no data or server is left behind.
  const cleanup: Cleanup = { closers: [], discardData: null, failed: false };
  let closing: Promise<void> | null = null;
  const closeAll = () =>
    (closing ??= (async () => {
      for (const close of cleanup.closers.reverse()) await close().catch((err: unknown) => console.error(`cleanup: ${(err as Error).message}`));
    })());
  // On Ctrl-C only the data matter: in-flight requests and Apollo's own signal handlers make an
  // orderly shutdown of the HTTP servers unreliable, and the process is about to end anyway.
  // `on`, not `once`: the signal arrives twice (from the terminal and relayed by tsx), and a
  // second one without a handler would end the process before the database server is stopped.
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.error(`\n${signal}: removing the bench data …`);
      void (cleanup.discardData?.() ?? Promise.resolve())
        .catch((err: unknown) => console.error(`cleanup: ${(err as Error).message}`))
        .finally(() => process.exit(130));
    });
  }

  let failed = false;
  try {
    await bench(opts, cleanup);
  } catch (err) {
    failed = true;
    cleanup.failed = true;
    // Requests cut off by an interrupt fail; that is not worth reporting. Wait for the handler,
    // which exits once the data are gone.
    if (interrupted) await new Promise<never>(() => undefined);
    if (err instanceof WrongAnswer) console.error(`\nBench aborted: the variants do not give the same answer. ${err.message}`);
    else if (err instanceof VariantFailed) console.error(`\nBench aborted: ${err.message}; no timings are reported.`);
    else console.error(err);
  } finally {
    await closeAll();
  }
  process.exit(failed ? 1 : 0);
}

void main();
