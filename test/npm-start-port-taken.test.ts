/**
 * `npm start` on a PORT another process holds, as an operator meets it. The port was checked free
 * before the start and bound only once the hub was built: a start on a port taken in between (by a
 * second hub started meanwhile, while the first loaded its demo for minutes) was refused only
 * after its own database had started, and the first hub left nothing listening the whole time.
 * Now the port is taken first and held through the start (server/early-listener.ts), answering
 * 503 `starting` until the hub serves, so a second start on it is refused at once (exit 2, one
 * line naming PORT), before it starts anything. The metrics port (METRICS_PORT) is held the same
 * way: it was checked free at the start and bound only once the hub was built, so another process
 * could take it while the demo loaded and the start then failed after it. Run through npm, with
 * private servers in a temporary directory (nothing of the checkout's .data is read or written).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serverOnDataDir } from '../db/setup/private-server';
import { privateServerCheckpointFile, removeCheckpointLocks } from './support/checkpoint-locks';
import { spawnNpmStart, type NpmStart } from './support/hub-process';
import { processTree, stillRunning, type ProcessEntry } from './support/process-tree';
import { freePort } from './support/redis';
import { until } from './support/until';

jest.setTimeout(300_000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-port-taken-'));
/** Every process seen in the trees of the npm starts, by pid: killed should a test fail midway. */
const seen = new Map<number, ProcessEntry>();
const starts: NpmStart[] = [];

function start(env: Record<string, string>): NpmStart {
  const started = spawnNpmStart({ HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  starts.push(started);
  return started;
}

function recordTree(child: ChildProcess): void {
  if (child.pid) for (const p of processTree(child.pid)) seen.set(p.pid, p);
}

function ended(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Whether this process can listen on the port (closing again at once). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

afterAll(async () => {
  for (const s of starts) recordTree(s.child);
  for (const p of seen.values()) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
  await Promise.all(starts.map((s) => s.closed));
  for (const name of ['first', 'second', 'third', 'held']) {
    const server = serverOnDataDir(path.join(dir, name, 'mariadb'));
    if (server !== null) process.kill(server, 'SIGKILL');
  }
  // The checkpoint-file locks of the hubs killed above, left in os.tmpdir() (each hub on its private
  // server keeps its checkpoint file beside its data).
  removeCheckpointLocks(['first', 'second', 'third', 'held'].map((name) => privateServerCheckpointFile(path.join(dir, name, 'mariadb'))));
  fs.rmSync(dir, { recursive: true, force: true });
});

it('refuses a port another process holds at once, before starting anything, with exit 2', async () => {
  const held = net.createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  try {
    const port = (held.address() as net.AddressInfo).port;
    const refused = start({ AIDHUB_DATA_DIR: path.join(dir, 'held', 'mariadb'), AIDHUB_DEMO: '1', PORT: String(port) });
    await refused.closed;
    expect({ code: refused.child.exitCode, output: refused.output() }).toEqual({ code: 2, output: expect.stringContaining(`Port ${port} on 127.0.0.1 (PORT) is already in use`) });
    expect(refused.output()).not.toMatch(/^\s+at /m);
    expect(refused.output()).not.toContain('private database server');
    expect(fs.existsSync(path.join(dir, 'held'))).toBe(false);
  } finally {
    await new Promise<void>((resolve) => held.close(() => resolve()));
  }
});

it('holds its ports from the start, answering 503 while the demo loads, so another start on either is refused at once', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const marker = path.join(dir, 'first', 'demo-loading');
  // Forty of the generator's chunks (minutes): the load is still under way when the second start has ended, however fast the machine; it is stopped at its next chunk.
  const first = start({ AIDHUB_DATA_DIR: path.join(dir, 'first', 'mariadb'), AIDHUB_DEMO: '1', AIDHUB_DEMO_HOUSEHOLDS: '200000', PORT: String(port), METRICS_PORT: String(metricsPort) });
  await until('the first start’s demo load under way', async () => fs.existsSync(marker) || ended(first.child), (v) => v, 240_000, 50);
  expect({ loading: fs.existsSync(marker), output: first.output() }).toEqual({ loading: true, output: expect.stringContaining('loading a demo population') });
  recordTree(first.child);

  // The port is the starting hub's: it answers at once that it is starting, and no one else can listen there.
  // Alive, not ready: /healthz (liveness) is 200, so an orchestrator does not restart a hub for
  // loading its demo; /readyz (readiness) is 503, so no balancer sends it requests yet.
  const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect([healthz.status, healthz.headers.get('retry-after'), await healthz.json()]).toEqual([200, null, { status: 'starting' }]);
  const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect([readyz.status, readyz.headers.get('retry-after'), await readyz.json()]).toEqual([503, '5', { status: 'starting' }]);
  const graphql = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  expect(graphql.status).toBe(503);
  expect(((await graphql.json()) as any).errors[0].extensions).toEqual({ code: 'HUB_UNAVAILABLE', reason: 'STARTING' });
  expect(await canListen(port)).toBe(false);
  // So is the metrics port: a scrape is told the hub is starting (Prometheus records it down).
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect([metrics.status, metrics.headers.get('retry-after'), await metrics.text()]).toEqual([503, '5', 'starting\n']);
  expect(await canListen(metricsPort)).toBe(false);

  const second = start({ AIDHUB_DATA_DIR: path.join(dir, 'second', 'mariadb'), AIDHUB_DEMO: '0', PORT: String(port) });
  await second.closed;
  expect({ code: second.child.exitCode, output: second.output() }).toEqual({ code: 2, output: expect.stringContaining(`Port ${port} on 127.0.0.1 (PORT) is already in use`) });
  expect(second.output()).not.toContain('private database server');
  expect(fs.existsSync(path.join(dir, 'second'))).toBe(false);
  // A start on a free PORT but the first hub's METRICS_PORT: refused at once too, naming METRICS_PORT.
  const third = start({ AIDHUB_DATA_DIR: path.join(dir, 'third', 'mariadb'), AIDHUB_DEMO: '0', PORT: String(await freePort()), METRICS_PORT: String(metricsPort) });
  await third.closed;
  expect({ code: third.child.exitCode, output: third.output() }).toEqual({ code: 2, output: expect.stringContaining(`Port ${metricsPort} on 127.0.0.1 (METRICS_PORT) is already in use`) });
  expect(third.output()).not.toMatch(/^\s+at /m);
  expect(third.output()).not.toContain('private database server');
  expect(fs.existsSync(path.join(dir, 'third'))).toBe(false);
  // A start on free ports but the first start's data directory: refused, its code first (README, Configuration).
  const fourth = start({ AIDHUB_DATA_DIR: path.join(dir, 'first', 'mariadb'), AIDHUB_DEMO: '0', PORT: String(await freePort()) });
  await fourth.closed;
  expect({ code: fourth.child.exitCode, output: fourth.output() }).toEqual({ code: 2, output: expect.stringContaining(`error: DATA_DIR_IN_USE: The database in ${path.join(dir, 'first', 'mariadb')} is already in use`) });
  expect(fourth.output()).not.toMatch(/^\s+at /m);
  // Refused before the first start's load had finished.
  expect({ loading: fs.existsSync(marker), listening: first.output().includes('AidHub is listening') }).toEqual({ loading: true, listening: false });

  // Stopped during its start, the first hub lets the port go.
  first.child.kill('SIGTERM');
  await first.closed;
  expect({ code: first.child.exitCode, signal: first.child.signalCode }).toEqual({ code: 0, signal: null });
  expect(await canListen(port)).toBe(true);
  expect(await canListen(metricsPort)).toBe(true);
  await until('the first start’s database server stopped', async () => serverOnDataDir(path.join(dir, 'first', 'mariadb')), (pid) => pid === null, 60_000);
});
