/**
 * `npm run bench:pregrant -- [--households N] [--requests M] [--concurrency C] [--background B] [--background-rate R[,R…]] [--modes floor,alone,rate,load] [--rounds K] [--durable] [--data-dir DIR] [--keep]`
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
 * floor measured in the same run, with the hub's event-loop delay over the run (how long a ready
 * callback waited for the loop: what household answers' CPU adds to every request) and how many
 * of the checks' department statements found a connection kept for checks free (federation/
 * sources.ts) or were sent to the shared pool, all of those busy. The callers run on a worker thread, so the hub's event loop
 * serves requests only, as it would with callers on other machines. `--durable` has the server
 * flush its log at every commit (the audit append commits on every request), as production would;
 * by default it does not, like every bench's throwaway server.
 *
 * `pair` (the default mode) runs K rounds (`--rounds`, default 5) of the same M pairs, each round on a
 * fresh caller thread with its own warm-up, and prints every round's figures and the median of the
 * rounds' p99 ratios with their lowest and highest: one round's p99 is its 20th-slowest of 2,000
 * samples and moved 1.37–2.00× between runs of the same code (Session 41). Each round also counts the
 * hub thread's garbage-collection pauses over its measured part, and how many checks and floors one
 * fell within. Not a test.
 *
 * The hub is measured as it ships (since Session 42): NODE_ENV=production (bench/lib/production.ts,
 * imported first, as in `npm run bench`), so graphql-js runs its production checks and the hub
 * enters no statement-count scope per request, and its answers carry no `extensions.sqlStatements`.
 * Statements per check are counted instead before the measured runs: every proposal checked (twice,
 * the lower count kept), one at a time with nothing else running, from this thread, each counted as
 * the hub thread's `statementsIssued` (db/instrument.ts) before and after it, as `npm run bench`
 * counts the hub's. Until then the hub ran outside production, counting every request's statements,
 * which made 7–11% more garbage a request (docs/performance.md, Session 42).
 */
import './lib/production';
import os from 'node:os';
import { loadAverage as loadAverageOf } from './lib/load';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parentPort, Worker } from 'node:worker_threads';
import { DEPARTMENT_CODES } from '../domain/departments';
import { statementsIssued } from '../db/instrument';
import { log, positiveInt } from './findings-setup';
import { parseCommandLine } from '../tools/command-args';
import { userPath } from '../domain/user-path';
import { medianWithSpread } from './lib/rounds';
import { client, HOUSEHOLD, mainOrCaller, PREGRANT, startPregrantHub, type Reply } from './lib/pregrant-hub';

/** The issue's target: a check's p99 at most this many times the floor's, with household queries at 50/s. */
const P99_TARGET = 1.5;
/** Background household queries unanswered at once beyond which arrivals are shed (and counted). */
const MAX_BACKGROUND_IN_FLIGHT = 100;

const loadAverage = () => loadAverageOf(1);

interface Job {
  endpoint: string;
  auth: Record<string, string>;
  proposals: Record<string, unknown>[];
  householdIds: number[];
  concurrency: number;
  background: number;
  backgroundRate: number;
}

type Mode = 'pair' | 'floor' | 'alone' | 'rate' | 'load';

interface RunResult {
  latencies: number[];
  /** The programme proposed by each check, in the order of `latencies`. */
  programmes: string[];
  notClear: number;
  /** Checks answered without a department that did not answer in time (DEPARTMENT_UNAVAILABLE). */
  incomplete: number;
  /** In `pair` mode, the floor's latencies, measured alternately with the checks. */
  floorLatencies: number[];
  /** When each check and (in `pair` mode) each floor started, on the clock shared by both threads (timeOrigin + now). */
  starts: number[];
  floorStarts: number[];
  backgroundDone: number;
  /** Background arrivals not sent because MAX_BACKGROUND_IN_FLIGHT were still unanswered. */
  backgroundShed: number;
  wall: number;
}

/** The callers: a warm-up, then every proposal through `concurrency` callers, with or without background load. */
async function callers(job: Job & { mode: Mode }): Promise<RunResult> {
  const call = client(job.endpoint, job.auth, job.concurrency + job.background + 64);
  const floor = async () => {
    const t0 = performance.now();
    const res = await call('{ __typename }', {}, 'DUPLICATE_CHECK');
    if (res.status !== 200) throw new Error(`floor query answered ${res.status}`);
    return { ms: performance.now() - t0, clear: true, incomplete: false };
  };
  const check = async (input: Record<string, unknown>) => {
    if (job.mode === 'floor') return floor();
    const t0 = performance.now();
    const res = await call(PREGRANT, { input }, 'DUPLICATE_CHECK');
    const ms = performance.now() - t0;
    // A department slower than its timeout is an answer (complete: false), counted, not a failure of the bench.
    const refused = refusedCheck(res);
    if (refused !== null) throw new Error(refused);
    return { ms, clear: (res.body.data as { preGrantCheck: { clear: boolean } }).preGrantCheck.clear, incomplete: (res.body.errors ?? []).length > 0 };
  };
  // Warm up: connection pools, JIT, buffer pool.
  for (let i = 0; i < Math.min(300, Math.ceil(job.proposals.length / 5)); i++) {
    if (job.mode === 'pair') await floor();
    await check(job.proposals[i % job.proposals.length]);
  }
  let stop = false;
  let backgroundDone = 0;
  let backgroundShed = 0;
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
  } else if ((job.mode === 'rate' || job.mode === 'pair') && job.backgroundRate > 0) {
    // Open loop: the n-th query is sent at start + n/R seconds, answered or not.
    loaders.push(
      (async () => {
        const inFlight = new Set<Promise<void>>();
        const t0 = performance.now();
        for (let n = 0; !stop; n++) {
          const due = t0 + (n * 1000) / job.backgroundRate - performance.now();
          if (due > 0) await new Promise((r) => setTimeout(r, due));
          // A hub that cannot keep up would take an unbounded queue: arrivals beyond the cap are counted, not sent.
          if (inFlight.size >= MAX_BACKGROUND_IN_FLIGHT) {
            backgroundShed += 1;
            continue;
          }
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
  let notClear = 0;
  let incomplete = 0;
  const floorLatencies: number[] = [];
  const starts: number[] = [];
  const floorStarts: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.proposals.length) {
        const proposal = job.proposals[next++];
        // Pairs: the floor, then a check, by the same caller, so both meet the same load.
        if (job.mode === 'pair') {
          floorStarts.push(performance.timeOrigin + performance.now());
          floorLatencies.push((await floor()).ms);
        }
        starts.push(performance.timeOrigin + performance.now());
        const r = await check(proposal);
        if (r.incomplete) incomplete += 1;
        latencies.push(r.ms);
        programmes.push(String(proposal.programme));
        if (!r.clear) notClear += 1;
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(loaders);
  return { latencies, programmes, notClear, incomplete, floorLatencies, starts, floorStarts, backgroundDone, backgroundShed, wall };
}

/** Answered with a status and errors a check may have: DEPARTMENT_UNAVAILABLE only (counted as incomplete), else the bench fails. */
function refusedCheck(res: Reply): string | null {
  const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
  return res.status !== 200 || codes.some((c) => c !== 'DEPARTMENT_UNAVAILABLE') ? `pre-grant check answered ${res.status} ${codes.join(',')} ${JSON.stringify(res.body.errors)}` : null;
}

/**
 * The statements each proposal's check costs, the hub running as it ships (its answers carry no
 * count): every proposal checked once from this thread, the hub's, one at a time with nothing else
 * running, each counted as the thread's statements sent (db/instrument.ts `statementsIssued`)
 * before and after it, after a warm-up of its own. A statement of the hub's background jobs (scan
 * takeover, binlog and release watches) sent meanwhile counts to the check it fell within: each
 * proposal is counted in two passes and its lower count kept, a check's statements being the same
 * every time on the bench's unchanging department data (one run counted 2–5 with one pass, 2–4 with
 * the extensions' counts and in every other run).
 */
async function statementsPerCheck(endpoint: string, auth: Record<string, string>, proposals: Record<string, unknown>[]): Promise<{ counts: number[]; seconds: number }> {
  const call = client(endpoint, auth, 1);
  const checkOf = async (input: Record<string, unknown>) => {
    const res = await call(PREGRANT, { input }, 'DUPLICATE_CHECK');
    const refused = refusedCheck(res);
    if (refused !== null) throw new Error(refused);
  };
  for (let i = 0; i < Math.min(50, proposals.length); i++) await checkOf(proposals[i]);
  const started = performance.now();
  const counts = proposals.map(() => Infinity);
  for (let pass = 0; pass < 2; pass++)
    for (const [i, input] of proposals.entries()) {
      const before = statementsIssued();
      await checkOf(input);
      counts[i] = Math.min(counts[i], statementsIssued() - before);
    }
  return { counts, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const USAGE = 'usage: npm run bench:pregrant -- [--households 100000] [--requests 2000] [--concurrency 1] [--background 4] [--background-rate 50[,20,…]] [--modes pair,floor,alone,rate,load] [--rounds 5] [--durable] [--data-dir DIR] [--keep]';

async function main(): Promise<void> {
  const args = parseCommandLine(USAGE, { households: { type: 'string', default: '100000' }, requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '1' }, background: { type: 'string', default: '4' }, 'background-rate': { type: 'string', default: '50' }, modes: { type: 'string', default: 'pair' }, rounds: { type: 'string', default: '5' }, 'data-dir': { type: 'string' }, keep: { type: 'boolean' }, durable: { type: 'boolean' } });
  const households = positiveInt(args.households, 'households');
  const requests = positiveInt(args.requests, 'requests');
  const concurrency = positiveInt(args.concurrency, 'concurrency');
  const background = positiveInt(args.background, 'background');
  // Rounds of the pair mode (the other modes run once).
  const rounds = positiveInt(args.rounds, 'rounds');
  // 0: no background queries (the pair alone).
  const backgroundRates = args['background-rate']
    .split(',')
    .map((r) => (r.trim() === '0' ? 0 : positiveInt(r, 'background-rate')));
  const dataDir = args['data-dir'] === undefined ? undefined : userPath(args['data-dir']);
  const modes = args.modes.split(',') as Mode[];
  const unknown = modes.filter((m) => !['pair', 'floor', 'alone', 'rate', 'load'].includes(m));
  const legacy = modes.filter((m) => m !== 'pair');
  if (unknown.length > 0 || (legacy.length > 0 && legacy[0] !== 'floor'))
    throw new Error(`--modes: a comma-separated list of pair, floor, alone, rate and load, floor before the other three (not ${unknown.join(', ') || modes.join(',')})`);

  log(
    `bench:pregrant — ${households} households, ${requests} checks at concurrency ${concurrency}; runs: ${modes.map((m) => (m === 'pair' ? `pair (${rounds} rounds)` : m)).join(', ')}; household queries arriving at ${backgroundRates.join(', ')}/s` +
      `${modes.includes('load') ? `, and ${background} callers running household queries back to back` : ''}${args.durable === true ? '; the log flushed at every commit' : ''}; the hub as it ships (NODE_ENV=production); ` +
      `${os.cpus().length} cores, load average ${loadAverage()}`,
  );
  const { endpoint, auth, proposals, householdIds, server, sources, close } = await startPregrantHub({ households, requests, dataDir, keep: args.keep === true, durable: args.durable === true });
  try {
    // Counted before the measured runs: the shipped hub counts no request's statements on its own.
    const counted = modes.some((m) => m !== 'floor') ? await statementsPerCheck(endpoint, auth, proposals) : null;
    const perCheck = counted === null ? '' : `${Math.min(...counted.counts)}–${Math.max(...counted.counts)} statements per check`;
    if (counted !== null)
      log(`statements: ${perCheck} (mean ${(counted.counts.reduce((a, b) => a + b, 0) / counted.counts.length).toFixed(2)}), counted over ${counted.counts.length} checks one at a time before the runs, the lower of two passes (${counted.seconds.toFixed(1)} s), the hub as it ships (NODE_ENV=production)`);
    // The callers run on a thread of their own, so the hub's event loop serves requests only.
    const job: Omit<Job, 'backgroundRate'> = { endpoint, auth, proposals, householdIds, concurrency, background };
    const runs = modes.flatMap((mode): { mode: Mode; rate: number; round: number }[] =>
      mode === 'pair'
        ? // Rounds interleaved across the rates: round 1 of every rate, then round 2, …
          Array.from({ length: rounds }, (_, i) => backgroundRates.map((rate) => ({ mode, rate, round: i + 1 }))).flat()
        : mode === 'rate'
          ? backgroundRates.map((rate) => ({ mode, rate, round: 1 }))
          : [{ mode, rate: 0, round: 1 }],
    );
    const labelOf = ({ mode, rate, round }: { mode: Mode; rate: number; round: number }) =>
      ({
        pair: `round ${round}/${rounds}, floor and check in turn, household queries arriving at ${rate}/s`,
        floor: 'floor (`{ __typename }`, same HTTP, token and audit path)',
        alone: 'alone',
        rate: `household queries arriving at ${rate}/s`,
        load: `${background} household-query callers without pause`,
      })[mode];
    const summary: { mode: Mode; label: string; p50: number; p99: number }[] = [];
    const pairs: { rate: number; round: number; gcMaxMs: number; delayP99Ms: number; served: number; shed: number; floor: { p50: number; p99: number }; check: { p50: number; p99: number }; load: string }[] = [];
    for (const run of runs) {
      const load = loadAverage();
      const { mode } = run;
      const label = labelOf(run);
      // The hub's event loop, busy or idle, over the measured part of the run (after the warm-up).
      let loopAtStart = performance.eventLoopUtilization();
      // How late the hub's event loop ran ready callbacks, sampled every 2 ms over the measured part.
      const delay = monitorEventLoopDelay({ resolution: 2 });
      const laneCounts = () => DEPARTMENT_CODES.reduce((sum, d) => ({ reserved: sum.reserved + sources[d].checks.pool.lane.reserved, shared: sum.shared + sources[d].checks.pool.lane.shared }), { reserved: 0, shared: 0 });
      let laneAtStart = laneCounts();
      // The audit writer's work over the measured part: accesses, transactions, round trips.
      const auditCounts = () => ({ ...server.audit.stats, ...server.audit.roundTrips });
      let auditAtStart = auditCounts();
      // The hub thread's garbage-collection pauses over the measured part (the hub runs in this thread).
      const gcPauses: { at: number; ms: number; major: boolean }[] = [];
      let gcOn = false;
      const gc = new PerformanceObserver((list) => {
        if (gcOn)
          for (const e of list.getEntries() as PerformanceEntry[])
            gcPauses.push({ at: performance.timeOrigin + e.startTime, ms: e.duration, major: ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0) === perfConstants.NODE_PERFORMANCE_GC_MAJOR });
      });
      gc.observe({ entryTypes: ['gc'] });
      const r = await new Promise<RunResult>((resolve, reject) => {
        // A worker does not inherit tsx's loader: register it, then load this file.
        const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { ...job, backgroundRate: run.rate, mode } });
        worker.on('message', (m: RunResult | 'measuring') => {
          if (m !== 'measuring') return resolve(m);
          loopAtStart = performance.eventLoopUtilization();
          laneAtStart = laneCounts();
          auditAtStart = auditCounts();
          delay.enable();
          gcOn = true;
        });
        worker.once('error', reject);
      });
      const loop = performance.eventLoopUtilization(loopAtStart);
      delay.disable();
      gcOn = false;
      gc.disconnect();
      const gcMs = gcPauses.reduce((a, b) => a + b.ms, 0);
      // Requests (as the caller timed them) during which a pause began or went on: which kind meets the pauses.
      const overlapping = (startsAt: number[], ms: number[]) => startsAt.filter((t, i) => gcPauses.some((g) => g.at < t + ms[i] && g.at + g.ms > t)).length;
      const gcMax = gcPauses.reduce((a, b) => Math.max(a, b.ms), 0);
      const majors = gcPauses.filter((g) => g.major);
      const gcLine =
        `; GC pauses in the hub's thread ${gcPauses.length} (${majors.length} full, ${majors.reduce((a, b) => a + b.ms, 0).toFixed(0)} ms), ${gcMs.toFixed(0)} ms in all, ` +
        `longest ${gcMax.toFixed(1)} ms, ${((r.wall * 1000) / Math.max(1, gcPauses.length)).toFixed(0)} ms apart on average` +
        `; requests a pause fell within: checks ${overlapping(r.starts, r.latencies)} of ${r.latencies.length}` +
        (mode === 'pair' ? `, floors ${overlapping(r.floorStarts, r.floorLatencies)} of ${r.floorLatencies.length}` : '');
      const lane = laneCounts();
      const audit = auditCounts();
      const accesses = audit.accesses - auditAtStart.accesses;
      const auditLine =
        `; audit writer: ${accesses} accesses in ${audit.transactions - auditAtStart.transactions} transactions, ` +
        `${((audit.locks - auditAtStart.locks + audit.writes - auditAtStart.writes) / Math.max(1, accesses)).toFixed(2)} round trips per access (${audit.locks - auditAtStart.locks} head locks on their own, ${audit.writes - auditAtStart.writes} writes)`;
      const ms = (ns: number) => (ns / 1e6).toFixed(1);
      const lat = Array.from(Float64Array.from(r.latencies).sort());
      const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => percentile(lat, q));
      if (mode === 'pair') {
        const floorLat = Array.from(Float64Array.from(r.floorLatencies).sort());
        const [f50, f95, f99] = [0.5, 0.95, 0.99].map((q) => percentile(floorLat, q));
        pairs.push({ rate: run.rate, round: run.round, gcMaxMs: gcMax, delayP99Ms: delay.percentile(99) / 1e6, served: r.backgroundDone / r.wall, shed: r.backgroundShed, floor: { p50: f50, p99: f99 }, check: { p50, p99 }, load: `${load} before, ${loadAverage()} after` });
        log(`${label}: floor p50 ${f50.toFixed(1)} ms, p95 ${f95.toFixed(1)} ms, p99 ${f99.toFixed(1)} ms, max ${floorLat[floorLat.length - 1].toFixed(1)} ms (load average ${load} before, ${loadAverage()} after)`);
      } else summary.push({ mode, label, p50, p99 });
      log(
        `${label}: ${lat.length} ${mode === 'floor' ? 'queries' : 'checks'} in ${r.wall.toFixed(1)} s (${Math.round(lat.length / r.wall)}/s)` +
          ` — p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms` +
          (mode === 'floor' ? '' : `; ${perCheck}; ${r.notClear} not clear; ${r.incomplete} incomplete`) +
          (mode === 'rate' || mode === 'load' || (mode === 'pair' && run.rate > 0) ? `; ${r.backgroundDone} household queries meanwhile (${Math.round(r.backgroundDone / r.wall)}/s)${r.backgroundShed > 0 ? `, ${r.backgroundShed} arrivals shed: the hub did not keep up` : ''}` : '') +
          `; hub event loop busy ${Math.round(loop.utilization * 100)}%` +
          (mode === 'floor' || mode === 'alone' ? `, ${(loop.active / lat.length).toFixed(2)} ms of it per ${mode === 'floor' ? 'query' : 'check'}` : '') +
          `, its delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms` +
          (mode === 'floor' ? '' : `; checks' department statements on connections kept for checks ${lane.reserved - laneAtStart.reserved}, sent to a shared pool (all kept ones busy) ${lane.shared - laneAtStart.shared}`) +
          auditLine +
          gcLine,
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
    if (pairs.length > 0) {
      log('');
      log(`pre-grant check against the floor measured in turn with it, by the same caller (target: check p99 ≤ ${P99_TARGET}× floor p99 with household queries at 50/s)`);
      log('household queries/s (served)   round   floor p50   floor p99   check p50   check p99   p50 ratio   p99 ratio   target   loop delay p99   longest GC   load average');
      // A round whose background arrivals were shed did not hold the rate: the hub was saturated, and
      // its ratio says nothing about the target.
      const verdictOf = (ratio: number, shed: boolean) => (shed ? 'n/a: hub saturated, arrivals shed' : ratio <= P99_TARGET ? 'yes' : 'NO');
      for (const p of pairs) {
        const ratio = p.check.p99 / p.floor.p99;
        log(
          `${`${p.rate} (${p.served.toFixed(0)})`.padStart(28)}   ${String(p.round).padStart(5)}   ${p.floor.p50.toFixed(1).padStart(9)}   ${p.floor.p99.toFixed(1).padStart(9)}   ${p.check.p50.toFixed(1).padStart(9)}   ${p.check.p99.toFixed(1).padStart(9)}` +
            `   ${(p.check.p50 / p.floor.p50).toFixed(2).padStart(8)}×   ${ratio.toFixed(2).padStart(8)}×   ${verdictOf(ratio, p.shed > 0).padStart(6)}   ${p.delayP99Ms.toFixed(1).padStart(11)} ms   ${p.gcMaxMs.toFixed(1).padStart(7)} ms   ${p.load}`,
        );
      }
      // The median of the rounds' ratios (each round's ratio as measured, none re-weighted), with its spread.
      for (const rate of backgroundRates) {
        const of = pairs.filter((p) => p.rate === rate);
        const p99 = medianWithSpread(of.map((p) => p.check.p99 / p.floor.p99));
        const p50 = medianWithSpread(of.map((p) => p.check.p50 / p.floor.p50));
        const shed = of.filter((p) => p.shed > 0).length;
        log(
          `household queries at ${rate}/s, median of ${p99.rounds} rounds: p99 ratio ${p99.median.toFixed(2)}× (rounds ${p99.min.toFixed(2)}–${p99.max.toFixed(2)}×), ` +
            `p50 ratio ${p50.median.toFixed(2)}× (${p50.min.toFixed(2)}–${p50.max.toFixed(2)}×); target ${verdictOf(p99.median, shed > 0)}` +
            (shed > 0 ? ` (${shed} of ${of.length} rounds shed arrivals)` : ''),
        );
      }
    }
    if (summary.length === 0) return;
    const floor = summary[0];
    log('');
    log('mode                                         p50 ms   p99 ms   p50/floor   p99/floor   p99 < 20 ms');
    for (const s of summary) {
      log(
        `${s.label.padEnd(44)} ${s.p50.toFixed(1).padStart(6)}   ${s.p99.toFixed(1).padStart(6)}   ${(s.p50 / floor.p50).toFixed(2).padStart(8)}×   ${(s.p99 / floor.p99).toFixed(2).padStart(8)}×   ${s.mode === 'floor' ? '' : s.p99 < 20 ? 'yes' : 'NO'}`,
      );
    }
  } finally {
    await close();
  }
}

mainOrCaller(main, (job: Job & { mode: Mode }) => {
  void callers(job).then((r) => parentPort!.postMessage(r));
});
