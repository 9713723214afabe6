/**
 * `npm start` with no DATABASE_URL and no demo (AIDHUB_DEMO=0): the hub starts its private server
 * and serves an empty hub. The departments' databases on that server are the hub's own, so they
 * exist, empty: every department answers, and monitoring polls them without failing. The file the
 * command-line tools find the server by lies beside the server's data directory (AIDHUB_DATA_DIR),
 * not in the checkout, and goes at shutdown. A real hub process and its real private server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyFiles } from '../access/checkpoints';
import { hubUrlFile } from '../access/hub-url';
import { DEPARTMENT_CODES } from '../domain/departments';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';

jest.setTimeout(180_000);

describe('npm start on a bare machine, without the demo', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-empty-'));
  const env = {
    AIDHUB_DATA_DIR: path.join(dir, 'mariadb'),
    AIDHUB_DEMO: '0',
    // Its own checkpoint key and file: nothing of the checkout's .data is read or written.
    AUDIT_SIGNING_KEY_FILE: path.join(dir, 'signing-key.pem'),
    AUDIT_CHECKPOINT_FILE: path.join(dir, 'checkpoints.log'),
    // Polls often, so a failing poll would show within the test.
    AIDHUB_MONITOR_INTERVAL_MS: '200',
    LOG_LEVEL: 'warn',
  };
  let hub: HubProcess | null = null;

  beforeAll(async () => {
    generateSigningKeyFiles(env.AUDIT_SIGNING_KEY_FILE, path.join(dir, 'verify-key.pem'));
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

  it('writes the tools’ hub-url beside its data directory, and removes it at shutdown', async () => {
    const file = hubUrlFile(env);
    expect(file).toBe(path.join(dir, 'hub-url'));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+\/aidhub\n$/);
    await stopHubProcess(hub!);
    hub = null;
    expect(fs.existsSync(file)).toBe(false);
  });
});
