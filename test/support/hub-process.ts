/**
 * A hub as a separate Node process, started the way `npm start` starts it (server/main.ts) with
 * DATABASE_URL set, on free ports of its own; for tests of several hub processes on one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { privateServerCheckpointFile, removeCheckpointLocks } from './checkpoint-locks';
import { freePort } from './redis';
import { until } from './until';

const ROOT = path.join(__dirname, '..', '..');

export interface HubProcess {
  url: string;
  metricsUrl: string;
  child: ChildProcess;
  output: string[];
  /** Resolves once the process has exited and its pipes are closed. */
  closed: Promise<void>;
  /** The audit checkpoint file it holds (by a lock in os.tmpdir()), if it was given or keeps one. */
  checkpointFile: string | null;
}

/** The exit of a hub whose port was taken between freePort's probe and its own listen (server/main.ts). */
class PortTaken extends Error {}

/**
 * `env` adds to (or overrides) the hub's environment. A null `hubUrl`: no DATABASE_URL, so the hub
 * starts its private server (AIDHUB_DATA_DIR). A port free when probed can be taken before the hub
 * listens on it (another test's server, or an outgoing connection's ephemeral port, on a loaded
 * machine): the hub then exits saying so, and is started again on other ports.
 */
export async function startHubProcess(hubUrl: string | null, env: Record<string, string> = {}): Promise<HubProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(hubUrl, env);
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt === 3 || 'PORT' in env || 'METRICS_PORT' in env) throw e;
    }
  }
}

async function startOnce(hubUrl: string | null, env: Record<string, string>): Promise<HubProcess> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(hubUrl === null ? {} : { DATABASE_URL: hubUrl }),
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
      const said = output.join('');
      reject(new (code === 2 && said.includes('is already in use') ? PortTaken : Error)(`hub exited (${code}) before listening: ${said}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, child, output, closed, checkpointFile: checkpointFileOf(hubUrl, env) };
}

/**
 * The checkpoint file a hub started with `env` holds: AUDIT_CHECKPOINT_FILE (from the checkout, its
 * working directory), else, on its private server, the one beside the server's data (server/start-hub.ts).
 */
function checkpointFileOf(hubUrl: string | null, env: Record<string, string>): string | null {
  if (env.AUDIT_CHECKPOINT_FILE) return path.resolve(ROOT, env.AUDIT_CHECKPOINT_FILE);
  return hubUrl === null ? privateServerCheckpointFile(env.AIDHUB_DATA_DIR === undefined ? undefined : path.resolve(ROOT, env.AIDHUB_DATA_DIR)) : null;
}

/** `npm start` itself, as a user or a service manager runs it: npm, whose only child is the hub. */
export interface NpmStart {
  child: ChildProcess;
  /** Resolves once npm has exited and its pipes are closed. */
  closed: Promise<void>;
  /** Everything it printed so far, stdout and stderr as they came. */
  output(): string;
}

/**
 * Runs `npm start` in the checkout with PATH, HOME and `env` as its whole environment; with `from`,
 * as a user in that directory runs it: `npm --prefix <checkout> start`. `ownGroup`: npm leads a
 * process group of its own (as `setsid npm start` in a shell, or a service manager, starts it), so
 * a test can signal the whole group (`process.kill(-pid, …)`) as a terminal's Ctrl-C or supervisord's
 * stopasgroup does, and reach nothing of its own.
 */
export function spawnNpmStart(env: Record<string, string>, from?: string, opts: { ownGroup?: boolean } = {}): NpmStart {
  const child = spawn('npm', from === undefined ? ['start'] : ['--prefix', ROOT, 'start'], {
    detached: opts.ownGroup === true,
    cwd: from ?? ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      // npm asks the registry for a newer npm now and then: nothing a test needs.
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, closed, output: () => output };
}

/**
 * Waits until the hub `npm start` runs answers /readyz 200 on `port`; fails at once, with what it
 * printed, when npm ends first.
 */
export async function untilNpmStartReady(started: NpmStart, port: number, timeoutMs = 120_000): Promise<void> {
  const { child } = started;
  await until(
    'the hub to be ready',
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start ended (${child.exitCode ?? child.signalCode}):\n${started.output()}`);
      return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    },
    (status) => status === 200,
    timeoutMs,
    250,
  );
}

/** The pino lines of a hub's output, parsed (the start-up messages in between are plain text). */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
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
  // A hub killed (here, its stop past the grace; or by the test) left its checkpoint file's lock in
  // os.tmpdir(): removed if it still names this hub, not one that took the file over since.
  if (h.checkpointFile !== null && h.child.pid !== undefined) removeCheckpointLocks([h.checkpointFile], h.child.pid);
}

/** A hub started through test/support/standalone-hub.ts: its line of JSON, and its process. */
export interface StandaloneHub {
  url: string;
  /** The line the hub printed once it listened (`url`, `graphqlProduction`). */
  line: { url: string; graphqlProduction?: boolean };
  child: ChildProcess;
  /** Resolves once the process has exited and its pipes are closed. */
  closed: Promise<void>;
}

/**
 * A hub in a process of its own through test/support/standalone-hub.ts (configured from the
 * environment as `npm start` is), for tests that must outlive the hub's event loop or see it in
 * production mode. `env` adds to (or overrides) this process's environment. A process that did not
 * start is killed before the promise rejects.
 */
export function startStandaloneHub(databaseUrl: string, env: Record<string, string> = {}): Promise<StandaloneHub> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'standalone-hub.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, RATE_LIMIT_PER_MINUTE: '1000000', AUTH_FAILURES_PER_MINUTE: '1000000', AIDHUB_HOLIDAYS_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      void closed.then(() => reject(new Error(`${why}: ${err}`)));
    };
    const timer = setTimeout(() => fail('the hub process did not start'), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        const parsed = JSON.parse(line) as StandaloneHub['line'];
        resolve({ url: parsed.url, line: parsed, child, closed });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => fail(`the hub process ended (${code})`));
  });
}

/** Kills a standalone hub and waits for its close, pipes and all (a child still exiting holds a jest worker past its grace). */
export async function killStandaloneHub(h: StandaloneHub | null | undefined): Promise<void> {
  if (!h) return;
  if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
  await h.closed;
}
