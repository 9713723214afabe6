/**
 * One hub process per audit checkpoint file (README, "What the audit trail proves"; docs/scale-out.md).
 * Two processes of one machine given the same AUDIT_CHECKPOINT_FILE both started and appended to it,
 * nothing said: the second is now refused at start, `error: CHECKPOINT_FILE_IN_USE: …`, exit 2, as
 * the other start-up refusals are. The lock a killed hub leaves (in the machine's temporary directory) does
 * not hold up its restart: its process is gone. Real hub processes (server/main.ts), as an operator
 * starts them.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyFiles, checkpointLockPath, holdCheckpointFile } from '../access/checkpoints';
import { ConfigError } from '../db/config';
import { removeCheckpointLocks } from './support/checkpoint-locks';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';
import { freePort } from './support/redis';

const ROOT = path.join(__dirname, '..');

let dbs: TestDatabases;
let dir: string;
let signingKeyFile: string;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('checkpoint_lock');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-checkpoint-lock-'));
  signingKeyFile = path.join(dir, 'signing.pem');
  generateSigningKeyFiles(signingKeyFile, path.join(dir, 'verify.pem'));
}, 180_000);

afterAll(async () => {
  await Promise.all(hubs.map(stopHubProcess));
  await dbs?.close();
  // The lock of a hub this test killed (or one that failed midway), left in os.tmpdir(): of every
  // file here a hub was given.
  removeCheckpointLocks(fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f)));
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

function auditEnv(file: string): Record<string, string> {
  return { AUDIT_SIGNING_KEY_FILE: signingKeyFile, AUDIT_CHECKPOINT_FILE: file };
}

async function startHub(file: string): Promise<HubProcess> {
  const hub = await startHubProcess(dbs.hubUrl, auditEnv(file));
  hubs.push(hub);
  return hub;
}

/**
 * server/main.ts on the hub database with `env`, to its exit: its exit code and what it printed. One
 * that starts serving (as the second hub did before) is stopped at once, its status 'served'.
 */
async function startToExit(env: Record<string, string>): Promise<{ status: number | null | 'served'; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: dbs.hubUrl, AIDHUB_DEMO: '0', PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let served = false;
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!served && stdout.includes('AidHub is listening')) {
      served = true;
      child.kill('SIGTERM');
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { status: served ? 'served' : status, stderr, stdout };
}

function lockHolder(file: string): { pid: number; host: string } | null {
  const lock = checkpointLockPath(file);
  return fs.existsSync(lock) ? (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number; host: string }) : null;
}

describe('two hub processes of one machine given one AUDIT_CHECKPOINT_FILE', () => {
  const file = () => path.join(dir, 'shared.jsonl');

  it('the second is refused at start, exit 2 with a stable code, the first serving on', async () => {
    const first = await startHub(file());
    const second = await startToExit(auditEnv(file()));
    expect({ status: second.status, code: /^error: ([A-Z_]+): /m.exec(second.stderr)?.[1] ?? second.stderr }).toEqual({ status: 2, code: 'CHECKPOINT_FILE_IN_USE' });
    expect(second.stderr).toContain('AUDIT_CHECKPOINT_FILE');
    expect(second.stderr).not.toMatch(/^\s+at /m);
    // The first still holds the file, and serves.
    expect(lockHolder(file())?.pid).toBe(first.child.pid);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  }, 240_000);

  it('a restart after the holder was killed (kill -9) starts: the lock it left is stale', async () => {
    const first = hubs[hubs.length - 1];
    first.child.kill('SIGKILL');
    await first.closed;
    expect(lockHolder(file())?.pid).toBe(first.child.pid);
    const restarted = await startHub(file());
    expect(lockHolder(file())?.pid).toBe(restarted.child.pid);
    // A clean stop lets the file go: its last checkpoint written, the lock removed.
    await stopHubProcess(restarted);
    expect(lockHolder(file())).toBeNull();
  }, 240_000);

  it('hubs given files of their own both start', async () => {
    const a = await startHub(path.join(dir, 'a.jsonl'));
    const b = await startHub(path.join(dir, 'b.jsonl'));
    expect([lockHolder(path.join(dir, 'a.jsonl'))?.pid, lockHolder(path.join(dir, 'b.jsonl'))?.pid]).toEqual([a.child.pid, b.child.pid]);
    await Promise.all([stopHubProcess(a), stopHubProcess(b)]);
  }, 240_000);
});

/** A lock at `file` held by a live process of this machine other than this one (a child that waits), while `check` runs. */
async function heldByAnother(file: string, check: () => void): Promise<void> {
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const gone = new Promise((r) => other.once('exit', r));
  try {
    fs.writeFileSync(checkpointLockPath(file), JSON.stringify({ pid: other.pid, host: os.hostname(), since: new Date().toISOString() }));
    check();
  } finally {
    other.kill('SIGKILL');
    await gone;
    fs.rmSync(checkpointLockPath(file), { force: true });
  }
}

function refusal(hold: () => unknown): string | null {
  try {
    hold();
  } catch (err) {
    return err instanceof ConfigError ? err.code : String(err);
  }
  return null;
}

describe("holdCheckpointFile: the file's lock, in the machine's temporary directory", () => {
  it('refuses while a live process of this machine holds it, and takes it from a dead one', async () => {
    const file = path.join(dir, 'held.jsonl');
    // Not beside the file, which may be on write-once storage (README): in this machine's temporary directory.
    expect(path.dirname(checkpointLockPath(file))).toBe(os.tmpdir());
    await heldByAnother(file, () => expect(refusal(() => holdCheckpointFile(file))).toBe('CHECKPOINT_FILE_IN_USE'));
    // The same lock, its process gone: taken over, then let go.
    fs.writeFileSync(checkpointLockPath(file), JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), since: new Date().toISOString() }));
    const hold = holdCheckpointFile(file);
    expect(hold.tookOverFrom).toBeNull();
    expect(lockHolder(file)?.pid).toBe(process.pid);
    hold.release();
    expect(lockHolder(file)).toBeNull();
  });

  it('refuses the same file given through a symbolic link', async () => {
    const file = path.join(dir, 'linked.jsonl');
    fs.writeFileSync(file, '');
    fs.symlinkSync(file, path.join(dir, 'link.jsonl'));
    await heldByAnother(file, () => expect(refusal(() => holdCheckpointFile(path.join(dir, 'link.jsonl')))).toBe('CHECKPOINT_FILE_IN_USE'));
  });

  it('takes over a lock written on another machine, whose process it cannot check, and says so', () => {
    const file = path.join(dir, 'moved.jsonl');
    fs.writeFileSync(checkpointLockPath(file), JSON.stringify({ pid: process.pid, host: `not-${os.hostname()}`, since: '2026-12-01T00:00:00.000Z' }));
    const hold = holdCheckpointFile(file);
    expect(hold.tookOverFrom).toEqual({ host: `not-${os.hostname()}`, pid: process.pid, since: '2026-12-01T00:00:00.000Z' });
    expect(lockHolder(file)?.host).toBe(os.hostname());
    hold.release();
  });

  it('takes over a lock that is not one (cut mid-write), and lets go only of its own', () => {
    const file = path.join(dir, 'cut.jsonl');
    fs.writeFileSync(checkpointLockPath(file), '{"pid":12');
    const hold = holdCheckpointFile(file);
    expect(lockHolder(file)?.pid).toBe(process.pid);
    // Another process's lock written meanwhile (it judged this one stale) is not removed.
    const theirs = JSON.stringify({ pid: 1, host: os.hostname(), since: new Date().toISOString() });
    fs.writeFileSync(checkpointLockPath(file), theirs);
    hold.release();
    expect(fs.readFileSync(checkpointLockPath(file), 'utf8')).toBe(theirs);
    fs.rmSync(checkpointLockPath(file));
  });
});
