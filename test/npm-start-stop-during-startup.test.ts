/**
 * `npm start` stopped while it is still starting: SIGTERM to npm (how a service manager stops a
 * service) during the first start's demo load. The hub used to install its signal handlers only
 * once it listened, so the signal killed it outright: npm ended by the signal (a crash to the
 * service manager), and its private database server was left to the watchdog. Now start-up stops
 * at the load's next batch and runs the same cleanup as a normal shutdown: exit 0, every process
 * gone, the database server stopped by the hub itself, no hub-url, the demo-loading marker kept, so
 * the next start loads the demo again and serves. Run as a user runs it, through npm, with a
 * private server in a temporary directory (nothing of the checkout's .data is read or written).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyFiles } from '../access/checkpoints';
import { hubUrlFile } from '../access/hub-url';
import { serverOnDataDir } from '../db/setup/private-server';
import { logLines, spawnNpmStart, startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';
import { removeCheckpointLocks } from './support/checkpoint-locks';
import { SeenProcesses } from './support/process-tree';
import { freePort } from './support/redis';
import { until } from './support/until';

jest.setTimeout(300_000);


const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-startup-stop-'));
const dataDir = path.join(dir, 'mariadb');
const env = {
  AIDHUB_DATA_DIR: dataDir,
  AIDHUB_DEMO: '1',
  // Four of the generator's chunks: far more than the test waits for, so the load is under way
  // when the signal comes, however slow the machine.
  AIDHUB_DEMO_HOUSEHOLDS: '20000',
  AUDIT_SIGNING_KEY_FILE: path.join(dir, 'signing-key.pem'),
  AUDIT_CHECKPOINT_FILE: path.join(dir, 'checkpoints.log'),
  // The line a stop during start-up logs is at level info.
  LOG_LEVEL: 'info',
};
const marker = path.join(dir, 'demo-loading');

let npm: ChildProcess | undefined;
let closed: Promise<void> | undefined;
let next: HubProcess | null = null;
/** Every process seen in npm's tree while it ran, by pid: what must all be gone after the stop. */
const seen = new SeenProcesses();

beforeAll(() => {
  generateSigningKeyFiles(env.AUDIT_SIGNING_KEY_FILE, path.join(dir, 'verify-key.pem'));
});

afterAll(async () => {
  // After a failure: whatever of the first start still runs, by the pid recorded while it ran.
  seen.record(npm?.pid);
  seen.killRunning();
  await closed;
  if (next) await stopHubProcess(next);
  const server = serverOnDataDir(dataDir);
  if (server !== null) process.kill(server, 'SIGKILL');
  await until('the private server gone', async () => serverOnDataDir(dataDir), (pid) => pid === null, 60_000);
  // The lock of a hub killed above (after a failure), left in os.tmpdir().
  removeCheckpointLocks([env.AUDIT_CHECKPOINT_FILE]);
  fs.rmSync(dir, { recursive: true, force: true });
});

it('stops cleanly when npm is sent SIGTERM during the demo load, and the next start loads the demo again and serves', async () => {
  const started = spawnNpmStart({ PORT: String(await freePort()), HOST: '127.0.0.1', ...env });
  npm = started.child;
  closed = started.closed;
  const child = npm;

  await until('the demo load under way', async () => fs.existsSync(marker) || child.exitCode !== null || child.signalCode !== null, (v) => v, 180_000, 20);
  expect([fs.existsSync(marker), started.output().slice(-400)]).toEqual([true, expect.any(String)]);
  seen.record(npm?.pid);
  const tree = seen.all().map((p) => `${p.pid} (parent ${p.ppid}) ${p.args}`).join('\n');
  // The hub and its database server are in the tree, so "nothing left" below is about them.
  expect(tree).toContain('server/main.ts');
  expect(tree).toContain(`--datadir=${dataDir}`);

  child.kill('SIGTERM');

  await until(`npm to exit after SIGTERM; its output:\n${started.output()}`, async () => child.exitCode ?? child.signalCode, (end) => end !== null, 120_000, 100);
  // As after a normal shutdown: the hub's exit code 0, which npm passed on (a hub killed by the
  // signal makes npm end by the same signal).
  expect({ code: child.exitCode, signal: child.signalCode, output: started.output().slice(-600) }).toEqual({ code: 0, signal: null, output: expect.any(String) });
  // The hub stopped its database server itself before it exited (the watchdog would have needed
  // a second or more after the hub was gone).
  expect(serverOnDataDir(dataDir)).toBeNull();
  const stop = logLines(started.output()).filter((l) => l.msg === 'stopped during start-up');
  // One line, saying when: stopped at a batch of the load, not failed by it (no error).
  expect(stop).toEqual([expect.objectContaining({ signal: 'SIGTERM', step: 'demo load' })]);
  expect(stop[0]).not.toHaveProperty('err');
  await until(`every process of npm's tree to end; the tree was:\n${tree}\nstill running`, async () => seen.running(), (left) => left.length === 0, 30_000, 250);
  expect({ hubUrl: fs.existsSync(hubUrlFile(env)), marker: fs.existsSync(marker) }).toEqual({ hubUrl: false, marker: true });

  // The next start finds the marker, loads the demo again (a small one, to keep this test short) and serves.
  next = await startHubProcess(null, { ...env, AIDHUB_DEMO_HOUSEHOLDS: '500' });
  expect(next.output.join('')).toContain('The last demo load did not finish');
  expect(fs.existsSync(marker)).toBe(false);
  expect((await fetch(`${next.url}/readyz`)).status).toBe(200);
  await stopHubProcess(next);
  expect(next.child.exitCode).toBe(0);
  next = null;
});
