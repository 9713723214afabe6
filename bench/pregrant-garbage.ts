/**
 * `npm run bench:pregrant-garbage -- [--households N] [--requests M] [--rounds K] [--data-dir DIR] [--keep]`
 *
 * The garbage the hub's thread makes a request, for the three requests of `npm run bench:pregrant`:
 * a household query, a pre-grant check and the floor (`{ __typename }` through the same HTTP, token
 * and audit path). Each kind runs M requests one after another (concurrency 1, nothing else running)
 * from a caller thread, K rounds in turn after a warm-up, and for each the hub's thread (this one)
 * reports the bytes it allocated a request (the heap's growth between garbage collections, read
 * from v8.GCProfiler before and after each: Node 20 has no allocation counter) and its collections
 * per 1,000 requests. Both are counts, not timings: they hardly move with the machine's load, so two
 * checkouts run in turn on the same data compare fairly (docs/performance.md, Session 42). Each
 * kind's answers are digested (sha-256 of every answer's `data` in order): a change that cuts
 * garbage must leave the digests as they were. With BENCH_HEAP_PROFILE=DIR the last round of each
 * kind is sampled by V8's heap profiler, collected objects included, into DIR/<kind>.heapprofile,
 * and the functions that allocated most are printed (their TypeScript lines under
 * `node --enable-source-maps --import tsx`). The hub runs as it ships, NODE_ENV=production
 * (bench/lib/production.ts, imported first, as in `npm run bench:pregrant`); before Session 42's
 * last change it ran outside production unless NODE_ENV was set, 7–11% more garbage a request. Not a test.
 */
import './lib/production';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { findSourceMap } from 'node:module';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { parentPort, Worker } from 'node:worker_threads';
import { parseCommandLine } from '../tools/command-args';
import { userPath } from '../domain/user-path';
import { log, positiveInt } from './findings-setup';
import { loadAverage } from './lib/load';
import { medianWithSpread } from './lib/rounds';
import { client, HOUSEHOLD, mainOrCaller, PREGRANT, startPregrantHub } from './lib/pregrant-hub';

const KINDS = ['household', 'check', 'floor'] as const;
type Kind = (typeof KINDS)[number];

interface CallerData {
  endpoint: string;
  auth: Record<string, string>;
  proposals: Record<string, unknown>[];
  householdIds: number[];
}

/** The caller thread: runs `n` requests of a kind when asked, answers with the digest of their data. */
function caller(job: CallerData): void {
  const call = client(job.endpoint, job.auth, 4);
  const send = (kind: Kind, i: number) =>
    kind === 'household'
      ? call(HOUSEHOLD, { id: String(job.householdIds[i % job.householdIds.length]) }, 'ELIGIBILITY_REVIEW')
      : kind === 'check'
        ? call(PREGRANT, { input: job.proposals[i % job.proposals.length] }, 'DUPLICATE_CHECK')
        : call('{ __typename }', {}, 'DUPLICATE_CHECK');
  parentPort!.on('message', async ({ kind, n }: { kind: Kind; n: number }) => {
    const hash = createHash('sha256');
    for (let i = 0; i < n; i++) {
      const res = await send(kind, i);
      if (res.status !== 200 || res.body.errors !== undefined) throw new Error(`${kind} answered ${res.status} ${JSON.stringify(res.body.errors)}`);
      hash.update(JSON.stringify(res.body.data));
    }
    parentPort!.postMessage(hash.digest('hex').slice(0, 16));
  });
}

/** Bytes the heap grew by between collections over the profiled span, and the collections. */
function garbageOf(profile: v8.GCProfilerResult & { statistics: GCStat[] }, usedAtStart: number, usedAtEnd: number) {
  let bytes = 0;
  let after = usedAtStart;
  let scavenges = 0;
  for (const s of profile.statistics) {
    bytes += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - after);
    after = s.afterGC.heapStatistics.usedHeapSize;
    if (s.gcType === 'Scavenge' || s.gcType === 'MinorMarkCompact') scavenges += 1;
  }
  bytes += Math.max(0, usedAtEnd - after);
  return { bytes, collections: profile.statistics.length, scavenges };
}

interface GCStat {
  gcType: string;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** The functions that allocated most in a sampling profile, by self size, with their share. */
function topAllocators(head: HeapNode, count: number): string[] {
  const by = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode) => {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    // The hub's TypeScript runs as tsx compiled it: its line, with `node --enable-source-maps`, from the source map.
    const origin = url.startsWith('file://') ? findSourceMap(url)?.findEntry(lineNumber, columnNumber) : undefined;
    const line = origin !== undefined && 'originalLine' in origin ? (origin as { originalLine: number }).originalLine + 1 : lineNumber + 1;
    const where = `${functionName || '(anonymous)'} ${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(process.cwd() + '/', '')}:${line}`;
    by.set(where, (by.get(where) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(walk);
  };
  walk(head);
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, bytes]) => `${((bytes / total) * 100).toFixed(1).padStart(5)}%  ${where}`);
}

const USAGE = 'usage: npm run bench:pregrant-garbage -- [--households 100000] [--requests 1000] [--rounds 3] [--data-dir DIR] [--keep]';

async function main(): Promise<void> {
  const args = parseCommandLine(USAGE, { households: { type: 'string', default: '100000' }, requests: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '3' }, 'data-dir': { type: 'string' }, keep: { type: 'boolean' } });
  const households = positiveInt(args.households, 'households');
  const requests = positiveInt(args.requests, 'requests');
  const rounds = positiveInt(args.rounds, 'rounds');
  const dataDir = args['data-dir'] === undefined ? undefined : userPath(args['data-dir']);
  const profileDir = process.env.BENCH_HEAP_PROFILE;
  log(`bench:pregrant-garbage — ${households} households, ${rounds} rounds of ${requests} requests of each kind one after another; the hub as it ships (NODE_ENV=production); ${os.cpus().length} cores, load average ${loadAverage(1)}`);
  const { endpoint, auth, proposals, householdIds, close } = await startPregrantHub({ households, requests, dataDir, keep: args.keep === true, durable: false });
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: { endpoint, auth, proposals, householdIds } satisfies CallerData });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  const run = (kind: Kind, n: number) =>
    Promise.race([failed, new Promise<string>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({ kind, n });
    })]);
  const session = profileDir === undefined ? null : new Session();
  try {
    // Warm-up: JIT, pools, the token cache, the documents' cache.
    for (const kind of KINDS) await run(kind, 300);
    session?.connect();
    const results = new Map<Kind, { bytes: number[]; collections: number[]; scavenges: number[]; digests: Set<string> }>(KINDS.map((k) => [k, { bytes: [], collections: [], scavenges: [], digests: new Set() }]));
    for (let round = 1; round <= rounds; round++) {
      for (const kind of KINDS) {
        const profiling = session !== null && round === rounds;
        if (profiling) await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
        const gc = new v8.GCProfiler();
        const usedAtStart = v8.getHeapStatistics().used_heap_size;
        gc.start();
        const digest = await run(kind, requests);
        const usedAtEnd = v8.getHeapStatistics().used_heap_size;
        const g = garbageOf(gc.stop() as v8.GCProfilerResult & { statistics: GCStat[] }, usedAtStart, usedAtEnd);
        const r = results.get(kind)!;
        r.bytes.push(g.bytes / requests);
        r.collections.push((g.collections * 1000) / requests);
        r.scavenges.push((g.scavenges * 1000) / requests);
        r.digests.add(digest);
        log(`round ${round}/${rounds} ${kind.padEnd(9)}: ${(g.bytes / requests / 1024).toFixed(1)} KiB allocated a request, ${g.collections} collections (${g.scavenges} scavenges) in ${requests} requests; answers ${digest}; load average ${loadAverage(1)}`);
        if (profiling) {
          const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: HeapNode } };
          fs.mkdirSync(profileDir!, { recursive: true });
          fs.writeFileSync(path.join(profileDir!, `${kind}.heapprofile`), JSON.stringify(profile));
          log(`  who allocated most during ${kind} requests (sampled, collected objects included):`);
          for (const line of topAllocators(profile.head, 30)) log(`    ${line}`);
        }
      }
    }
    log('');
    log('kind        KiB a request (median, rounds)     collections a 1,000 (scavenges)   answers');
    for (const [kind, r] of results) {
      const b = medianWithSpread(r.bytes.map((x) => x / 1024));
      const c = medianWithSpread(r.collections);
      const s = medianWithSpread(r.scavenges);
      log(`${kind.padEnd(9)}   ${b.median.toFixed(1).padStart(7)} (${b.min.toFixed(1)}–${b.max.toFixed(1)})`.padEnd(45) + `${c.median.toFixed(1).padStart(6)} (${s.median.toFixed(1)})`.padEnd(32) + `${[...r.digests].join(', ')}${r.digests.size > 1 ? ' (differ between rounds)' : ''}`);
    }
  } finally {
    session?.disconnect();
    await worker.terminate();
    await close();
  }
}

mainOrCaller(main, caller);
