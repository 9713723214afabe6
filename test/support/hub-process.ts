/**
 * A hub as a separate Node process, started the way `npm start` starts it (server/main.ts) with
 * DATABASE_URL set, on free ports of its own; for tests of several hub processes on one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './redis';

const ROOT = path.join(__dirname, '..', '..');

export interface HubProcess {
  url: string;
  metricsUrl: string;
  child: ChildProcess;
  output: string[];
  /** Resolves once the process has exited and its pipes are closed. */
  closed: Promise<void>;
}

/** `env` adds to (or overrides) the hub's environment. */
export async function startHubProcess(hubUrl: string, env: Record<string, string> = {}): Promise<HubProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: hubUrl,
      AIDHUB_DEMO: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub did not start: ${output.join('')}`));
    }, 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      output.push(d.toString());
      if (output.join('').includes('AidHub is listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code}) before listening: ${output.join('')}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, child, output, closed };
}

export async function stopHubProcess(h: HubProcess): Promise<void> {
  if (h.child.exitCode === null && h.child.signalCode === null) {
    h.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([h.closed, new Promise((r) => (timer = setTimeout(r, 20_000)))]);
    clearTimeout(timer);
    if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
  }
  // Also after a SIGKILL (here or by a test): a child not yet reaped, or its pipes, would hold
  // this worker past jest's grace to exit.
  await h.closed;
}
