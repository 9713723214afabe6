/**
 * `npm start` stopped the way a service manager (systemd, a container runtime, supervisord) stops
 * a service: SIGTERM to the one process it started, which is npm. npm passes the signal to its own
 * child only; when that child was `sh -c` (which does not pass it on) in front of tsx's CLI (which
 * would have) in front of the hub, the shell died, npm exited, and the hub went on serving with
 * nobody left to stop it. The start script now execs the hub's own Node process, so the signal
 * reaches server/main.ts's shutdown (drain, stop the pollers, close the pools, stop a private
 * database server). Run here as a user runs it, through npm, on a database this file provides.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { spawnNpmStart } from './support/hub-process';
import { processTree, stillRunning, type ProcessEntry } from './support/process-tree';
import { freePort } from './support/redis';
import { until } from './support/until';


let dbs: TestDatabases;
let npm: ChildProcess | undefined;
let closed: Promise<void> | undefined;
/** Every process seen in npm's tree while it ran, by pid: what must all be gone after the stop. */
const seen = new Map<number, ProcessEntry>();

function recordTree(): void {
  if (npm?.pid) for (const p of processTree(npm.pid)) seen.set(p.pid, p);
}

function running(): string[] {
  return [...seen.values()].filter(stillRunning).map((p) => `${p.pid} ${p.args}`);
}

/**
 * GET /healthz on a connection of its own (no keep-alive pool: a connection opened before the
 * stop could still be answered by a server that no longer accepts new ones): the status, or the
 * error code when nothing answers (ECONNREFUSED once nothing listens).
 */
function healthz(port: number, path = '/healthz'): Promise<number | string> {
  return get(port, path).then((r) => (typeof r === 'string' ? r : r.status));
}

/** The same for any path, with the answer's Connection header and body. */
function get(port: number, path: string): Promise<{ status: number; connection: string | undefined; body: string } | string> {
  return new Promise((resolve) => {
    // Asking to keep the connection, so the answer's Connection header is the hub's choice; the
    // socket is not reused all the same (closed at the end).
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'keep-alive' }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.once('end', () => {
        res.socket?.destroy();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
      });
      res.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'TIMEOUT' })));
    req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

beforeAll(async () => {
  dbs = await createTestDatabases('npm_start_signals');
}, 120_000);

afterAll(async () => {
  // After a failure, what is left of the tree (the hub, orphaned under the old start script): each
  // by the pid recorded while it ran, so this file's pipes from npm close and nothing outlives it.
  recordTree();
  for (const p of seen.values()) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
  await closed;
  await dbs?.close();
});

it('stops the hub and every process it started when npm is sent SIGTERM', async () => {
  const port = await freePort();
  const started = spawnNpmStart({ DATABASE_URL: dbs.hubUrl, AIDHUB_DEMO: '0', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  npm = started.child;
  closed = started.closed;
  const child = npm;

  await until(
    'the hub started by `npm start` to answer /healthz',
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start ended (${child.exitCode ?? child.signalCode}) before the hub answered:\n${started.output()}`);
      return healthz(port);
    },
    (status) => status === 200,
    120_000,
    250,
  );
  recordTree();
  const tree = [...seen.values()].map((p) => `${p.pid} (parent ${p.ppid}) ${p.args}`).join('\n');
  // The hub itself is in the tree, so "nothing left" below is about it, not about an empty list.
  expect(tree).toContain('server/main.ts');

  child.kill('SIGTERM');

  await until(`the hub's port to stop answering after SIGTERM to npm; the tree was:\n${tree}\n`, () => healthz(port), (status) => status === 'ECONNREFUSED', 30_000, 250);
  await until('npm to exit', async () => child.exitCode ?? child.signalCode, (end) => end !== null, 30_000, 100);
  await until(`every process of npm's tree to end; the tree was:\n${tree}\nstill running`, async () => running(), (left) => left.length === 0, 30_000, 250);
  // The hub's own shutdown ran and ended with exit code 0, which npm passed on; a hub killed by the
  // signal would have made npm end by the same signal.
  expect({ code: child.exitCode, signal: child.signalCode }).toEqual({ code: 0, signal: null });
}, 240_000);

describe('with AIDHUB_SHUTDOWN_DRAIN_MS', () => {
  // Behind a load balancer, the port closed at the SIGTERM: requests the balancer sent before its
  // next health check (or on a kept-alive connection) met a refused connection. With a drain the
  // hub turns unready at once and goes on serving until the drain is over, then closes the port.
  // Long enough that the checks below run inside it on a loaded machine.
  const DRAIN_MS = 20_000;

  it('answers /readyz 503 at once on SIGTERM, serves on through the drain (closing each connection), then closes the port and exits 0', async () => {
    const port = await freePort();
    const started = spawnNpmStart({ DATABASE_URL: dbs.hubUrl, AIDHUB_DEMO: '0', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', AIDHUB_SHUTDOWN_DRAIN_MS: String(DRAIN_MS) });
    npm = started.child;
    closed = started.closed;
    const child = npm;
    await until(
      'the hub to be ready',
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start ended (${child.exitCode ?? child.signalCode}):\n${started.output()}`);
        return healthz(port, '/readyz');
      },
      (status) => status === 200,
      120_000,
      250,
    );
    recordTree();

    child.kill('SIGTERM');

    // Unready, not gone: the first answer after the signal that is not 200 is a 503.
    const unready = await until('/readyz to stop answering 200', () => get(port, '/readyz'), (r) => typeof r === 'string' || r.status !== 200, 30_000, 100);
    expect(unready).toMatchObject({ status: 503, connection: 'close' });
    expect(JSON.parse((unready as { body: string }).body)).toEqual({ status: 'draining' });
    // Still serving, on new connections: the process is alive, and a GraphQL request is answered
    // (refused for want of a token, by the hub itself).
    // Alive (liveness 200), so an orchestrator does not restart it for draining.
    const live = await get(port, '/healthz');
    expect(live).toMatchObject({ status: 200, connection: 'close' });
    expect(JSON.parse((live as { body: string }).body)).toEqual({ status: 'draining' });
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ caller { name } }"}' });
    expect({ status: res.status, code: ((await res.json()) as any).errors[0].extensions.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(child.exitCode).toBeNull();

    await until('the port to close once the drain is over', () => healthz(port), (status) => status === 'ECONNREFUSED', DRAIN_MS + 60_000, 250);
    await until('npm to exit', async () => child.exitCode ?? child.signalCode, (end) => end !== null, 30_000, 100);
    expect({ code: child.exitCode, signal: child.signalCode }).toEqual({ code: 0, signal: null });
  }, 300_000);
});
