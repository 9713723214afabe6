/**
 * `npm start` with no DATABASE_URL and no demo (AIDHUB_DEMO=0): the hub starts its private server
 * and serves an empty hub. The departments' databases on that server are the hub's own, so they
 * exist, empty: every department answers, and monitoring polls them without failing. The file the
 * command-line tools find the server by lies beside the server's data directory (AIDHUB_DATA_DIR),
 * not in the checkout, and goes at shutdown; so do the audit checkpoints' generated signing key and
 * file, which `npm run audit:verify` finds there. A real hub process and its real private server.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hubUrlFile } from '../access/hub-url';
import { DEPARTMENT_CODES } from '../domain/departments';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';

jest.setTimeout(180_000);

describe('npm start on a bare machine, without the demo', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-empty-'));
  const env = {
    AIDHUB_DATA_DIR: path.join(dir, 'mariadb'),
    AIDHUB_DEMO: '0',
    // Polls often, so a failing poll would show within the test.
    AIDHUB_MONITOR_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
  };
  let hub: HubProcess | null = null;
  // The checkout's own private-server files (.data/), which this hub must neither read nor write.
  const checkoutFiles = ['audit-signing-key.pem', 'audit-verify-key.pem', 'audit-checkpoints.jsonl'].map((f) => path.join(__dirname, '..', '.data', f));
  const stat = (f: string) => (fs.existsSync(f) ? `${fs.statSync(f).size}:${fs.statSync(f).mtimeMs}` : 'absent');
  const checkoutBefore = checkoutFiles.map(stat);

  const checkpoints = path.join(dir, 'audit-checkpoints.jsonl');

  /** A command-line tool, given only the data directory: it finds the hub, the file and the public key. */
  const tool = (script: string, ...args: string[]) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'tools', script), ...args], {
      cwd: path.join(__dirname, '..'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AIDHUB_DATA_DIR: env.AIDHUB_DATA_DIR },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, out: run.stdout + run.stderr };
  };
  const auditVerify = () => tool('audit-verify.ts');

  /** A client made with the CLI reads once: audit rows, whose hashes reach the checkpoint file. */
  async function accessOnce(): Promise<void> {
    const created = tool('clients.ts', 'create', '--name', 'checkpoint-reader', '--department', 'CIVIL_AFFAIRS', '--scope', '370800', '--roles', 'READER');
    const token = /token \(shown once[^:]*\): (\S+)/.exec(created.out)?.[1];
    expect([created.status, token]).toEqual([0, expect.any(String)]);
    const res = await fetch(`${hub!.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query":"{ caller { name } }"}' });
    expect(res.status).toBe(200);
    const written = () => (fs.existsSync(checkpoints) ? fs.readFileSync(checkpoints, 'utf8') : '');
    for (let i = 0; i < 100 && !written().includes('"t":"rows"'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(written()).toContain('"t":"rows"');
  }

  beforeAll(async () => {
    hub = await startHubProcess(null, env);
  });

  afterAll(async () => {
    if (hub) await stopHubProcess(hub);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves an empty hub whose every department answers, and monitoring polls without failing', async () => {
    const res = await fetch(`${hub!.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hub: { available: boolean }; sources: Record<string, { available: boolean; reason: string | null }> };
    expect(body.hub.available).toBe(true);
    expect(Object.keys(body.sources).sort()).toEqual([...DEPARTMENT_CODES].sort());
    for (const code of DEPARTMENT_CODES) expect([code, body.sources[code]]).toEqual([code, expect.objectContaining({ available: true, reason: null })]);
    // Several polls of every department (every 200 ms), none failed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(hub!.output.join('')).not.toContain('monitoring tick failed');
  });

  it('keeps its audit signing key and checkpoint file beside its data directory, where audit:verify finds them', async () => {
    expect(fs.existsSync(path.join(dir, 'audit-signing-key.pem'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'audit-verify-key.pem'))).toBe(true);
    await accessOnce();
    expect(auditVerify()).toEqual({ status: 0, out: expect.stringContaining(`checked against ${checkpoints}`) });
    expect(checkoutFiles.map(stat)).toEqual(checkoutBefore);
  });

  it('writes the tools’ hub-url beside its data directory, and removes it at shutdown', async () => {
    const file = hubUrlFile(env);
    expect(file).toBe(path.join(dir, 'hub-url'));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+\/aidhub\n$/);
    await stopHubProcess(hub!);
    hub = null;
    expect(fs.existsSync(file)).toBe(false);
  });

  it('starts a new checkpoint file for a new database, keeping the old chain’s aside', async () => {
    const oldChain = fs.readFileSync(checkpoints, 'utf8');
    // The data deleted, as someone starting afresh does; the files beside it stay.
    fs.rmSync(env.AIDHUB_DATA_DIR, { recursive: true, force: true });
    hub = await startHubProcess(null, env);
    const aside = fs.readdirSync(dir).filter((f) => /^audit-checkpoints\.before-.+\.jsonl$/.test(f));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]), 'utf8')).toBe(oldChain);
    await accessOnce();
    expect(auditVerify()).toEqual({ status: 0, out: expect.stringContaining(`checked against ${checkpoints}`) });
    // A restart on the same data is the same chain: nothing is set aside.
    await stopHubProcess(hub);
    hub = await startHubProcess(null, env);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('audit-checkpoints.before-'))).toEqual(aside);
    expect(auditVerify().status).toBe(0);
  });
});
