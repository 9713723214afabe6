/**
 * `npm run bench:household-instructions -- [--households N] [--warm W] [--requests M]`: what the
 * hub process alone spends on a household query: its CPU time, its promises
 * (`HOUSEHOLD_COUNT_PROMISES=1`, an async_hooks count; `=sites` also prints where they are made, by
 * the first three frames outside Node's own, per query), its socket writes (`HOUSEHOLD_COUNT_WRITES=1`:
 * the write requests the hub hands libuv, each one write syscall unless the socket is full, on its
 * HTTP sockets and on its database sockets apart), a CPU profile (`HOUSEHOLD_CPU_PROFILE=file`),
 * or, under valgrind, its instructions:
 *
 *   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/hq.%p \
 *     node --single-threaded --no-memory-reducer --import tsx bench/household-instructions.ts
 *
 * and valgrind's "Collected" divided by M. This process runs the hub as `npm start` does in
 * production (bench/lib/production.ts); the database server and the client are processes of their
 * own (neither traced by valgrind), so what is counted is the hub's work only. The client warms the
 * hub up with W queries (default 1,000), then asks M more (default 200), one at a time, the
 * households drawn with a fixed seed; only those M are counted (callgrind's instrumentation is
 * switched on around them with `callgrind_control -i`). Every answer's digest (bench/lib/compare.ts)
 * is printed, hashed over the run, so a change that alters an answer shows.
 *
 * What the hub does on a clock is kept out of the window: V8's memory reducer (its idle-time full
 * collections, off above), the job takeover and the token look-up every 2 s (off and once,
 * below). A window of 60 s with no query (`HOUSEHOLD_IDLE_MS=60000 … --requests 0`) counts about
 * 1 M instructions. Runs of one code on a loaded machine still spread by ±20% (docs/performance.md,
 * Session 22): compare several runs of each code, on a machine as quiet as can be had.
 */
import './lib/production';
import { execFileSync, fork } from 'node:child_process';
import { createHook } from 'node:async_hooks';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../db/config';
import type { createPool } from '../db/connect';
import { todayIso } from '../domain/dates';
import { generateDemo } from '../tools/generate/index';
import { Rng, seedFromText } from '../federation/demo-random';
import { openBenchDatabases } from './lib/database';
import { listeningHub } from './lib/listening-hub';
import { parseCommandLine } from '../tools/command-args';
import { machineLoad } from './lib/load';

const USAGE = 'usage: npm run bench:household-instructions -- [--households 300] [--warm 1000] [--requests 200]';

/** A whole number of at least `min` from the command line, or the usage and exit code 2. */
function count(values: Record<string, unknown>, name: string, min: number): number {
  const n = Number(values[name]);
  if (Number.isInteger(n) && n >= min) return n;
  process.stderr.write(`--${name} must be a whole number of at least ${min}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * Counts the write requests the process hands libuv on its TCP sockets while started: the stream
 * handle's write methods, wrapped on the prototype every TCP handle shares (taken from a database
 * connection's socket). A socket accepted by `httpServer` counts as HTTP, any other as database.
 */
async function countSocketWrites(pool: ReturnType<typeof createPool>, httpServer: import('node:http').Server) {
  const conn = await pool.getConnection();
  const socket = (conn as unknown as { connection: { stream: { _handle: object } } }).connection.stream;
  const proto = Object.getPrototypeOf(socket._handle) as Record<string, unknown>;
  conn.release();
  const httpHandles = new WeakSet<object>();
  httpServer.on('connection', (s: { _handle?: object }) => s._handle && httpHandles.add(s._handle));
  const counts = { http: 0, httpBytes: 0, database: 0, databaseBytes: 0, on: false, start() { this.on = true; }, stop() { this.on = false; } };
  for (const name of ['writev', 'writeBuffer', 'writeLatin1String', 'writeUtf8String', 'writeAsciiString', 'writeUcs2String']) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') continue;
    proto[name] = function (this: object, req: unknown, data: unknown, ...rest: unknown[]) {
      if (counts.on) {
        const bytes = name === 'writev' ? sizeOfChunks(data as unknown[], rest[0] === true) : typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
        if (httpHandles.has(this)) { counts.http += 1; counts.httpBytes += bytes; } else { counts.database += 1; counts.databaseBytes += bytes; }
      }
      return original.call(this, req, data, ...rest);
    };
  }
  return counts;
}

/** The bytes of a `writev` request: its chunks alone when `allBuffers`, else chunk, encoding pairs. */
function sizeOfChunks(chunks: unknown[], allBuffers: boolean): number {
  let n = 0;
  if (allBuffers) for (const c of chunks) n += (c as Buffer).length;
  else for (let i = 0; i < chunks.length; i += 2) n += typeof chunks[i] === 'string' ? Buffer.byteLength(chunks[i] as string, chunks[i + 1] as BufferEncoding) : (chunks[i] as Buffer).length;
  return n;
}

const underValgrind = /valgrind|vgpreload/.test(process.env.LD_PRELOAD ?? '');

async function main(): Promise<void> {
  const values = parseCommandLine(USAGE, { households: { type: 'string', default: '300' }, warm: { type: 'string', default: '1000' }, requests: { type: 'string', default: '200' } });
  const households = count(values, 'households', 1);
  const warm = count(values, 'warm', 0);
  const requests = count(values, 'requests', 1);
  const countPromises = process.env.HOUSEHOLD_COUNT_PROMISES === '1' || process.env.HOUSEHOLD_COUNT_PROMISES === 'sites';
  const today = todayIso();
  const db = await openBenchDatabases();
  try {
    await generateDemo({ hubUrl: db.hubUrl, sourceUrls: db.sourceUrls, households, seed: 'household-instructions', referenceDate: today });
    // Nothing the hub does on a clock while the queries are counted: no job takeover, and a token
    // looked up once (under valgrind a query takes a good part of a second, and a look-up every
    // 2 s, the default, would count as many look-ups as the machine's load makes seconds).
    const config = {
      ...loadConfig(db.hubUrl, { SOURCE_TIMEOUT_MS: '60000', HUB_TIMEOUT_MS: '60000', AIDHUB_JOB_TAKEOVER_MS: '0', NODE_ENV: process.env.NODE_ENV }),
      rateLimitPerMinute: 1_000_000_000,
      tokenCacheMs: 3_600_000,
    };
    const { hubPool, server, identity, url, eligible, close } = await listeningHub(db.hubUrl, config, today);
    const rng = new Rng(seedFromText('household-instructions'));
    const ids = Array.from({ length: warm + requests }, () => rng.pick(eligible));

    let promises = 0;
    let cpu: NodeJS.CpuUsage = { user: 0, system: 0 };
    const sites = process.env.HOUSEHOLD_COUNT_PROMISES === 'sites' ? new Map<string, number>() : null;
    const hook = createHook({
      init(_id, type) {
        if (type !== 'PROMISE') return;
        promises += 1;
        if (sites) {
          const limit = Error.stackTraceLimit;
          Error.stackTraceLimit = 40;
          const stack = (new Error().stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter((l) => !l.includes('node:internal') && !l.includes('async_hooks') && !l.includes('household-instructions.ts'));
          Error.stackTraceLimit = limit;
          const key = stack.slice(0, 3).map((l) => l.replace(/\(.*\/(node_modules\/)?/, '(').replace(/^at /, '')).join(' < ');
          sites.set(key, (sites.get(key) ?? 0) + 1);
        }
      },
    });
    const writes = process.env.HOUSEHOLD_COUNT_WRITES === '1' ? await countSocketWrites(hubPool, server.httpServer) : null;
    const profile = process.env.HOUSEHOLD_CPU_PROFILE ? new Session() : null;
    profile?.connect();
    const client = fork(require.resolve('./lib/household-instructions-client'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const summary = await new Promise<string>((resolve, reject) => {
      client.on('error', reject);
      client.on('exit', (code) => reject(new Error(`the client stopped (${code})`)));
      client.on('message', (m: { kind: string; summary?: string }) => {
        if (m.kind === 'warmed') {
          if (underValgrind) execFileSync('callgrind_control', ['-i', 'on', String(process.pid)], { stdio: 'ignore' });
          if (countPromises) hook.enable();
          writes?.start();
          cpu = process.cpuUsage();
          const go = () => client.send({ kind: 'go' });
          if (profile) void profile.post('Profiler.enable').then(() => profile.post('Profiler.setSamplingInterval', { interval: 100 })).then(() => profile.post('Profiler.start')).then(go);
          else go();
        } else if (m.kind === 'done') {
          if (underValgrind) execFileSync('callgrind_control', ['-i', 'off', String(process.pid)], { stdio: 'ignore' });
          hook.disable();
          writes?.stop();
          cpu = process.cpuUsage(cpu);
          if (profile) {
            void profile.post('Profiler.stop').then(({ profile: p }) => {
              fs.writeFileSync(process.env.HOUSEHOLD_CPU_PROFILE!, JSON.stringify(p));
              resolve(m.summary ?? '');
            });
          } else resolve(m.summary ?? '');
        }
      });
      client.send({ kind: 'start', url, headers: identity, ids, warm });
    });
    client.removeAllListeners('exit');
    client.kill();
    process.stdout.write(`${requests} household queries counted (after ${warm} to warm up), ${households} households; ${machineLoad()} at the end\n`);
    process.stdout.write(`answers: ${summary}\n`);
    process.stdout.write(`hub process CPU per household query: ${((cpu.user + cpu.system) / requests).toFixed(0)} µs (user ${(cpu.user / requests).toFixed(0)}, system ${(cpu.system / requests).toFixed(0)})\n`);
    if (countPromises) process.stdout.write(`promises per household query: ${(promises / requests).toFixed(1)}\n`);
    if (writes) process.stdout.write(`socket writes per household query: HTTP ${(writes.http / requests).toFixed(2)} (${(writes.httpBytes / requests).toFixed(0)} bytes), database ${(writes.database / requests).toFixed(2)} (${(writes.databaseBytes / requests).toFixed(0)} bytes)\n`);
    if (sites) for (const [site, n] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 60)) process.stdout.write(`${(n / requests).toFixed(1).padStart(6)}  ${site}\n`);
    await close();
  } finally {
    await db.discard();
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
