/**
 * A private server does not outlive the process that started it, even one killed with SIGKILL
 * (which no exit handler sees): otherwise it keeps the data directory locked and the next
 * `npm start` on that directory fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirInUse, startPrivateServer } from '../db/setup/private-server';
import { alive } from './support/process-tree';

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** The pid of the server started with this data directory, from its command line. */
function serverPid(dataDir: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(`--datadir=${dataDir}`)) return Number(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return null;
}

it('stops the server within seconds of its parent being killed with SIGKILL', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-orphan-'));
  const script = `require('tsx/cjs'); require(${JSON.stringify(path.join(__dirname, '../db/setup/private-server.ts'))})
    .startPrivateServer({ dataDir: ${JSON.stringify(dataDir)}, ephemeral: true })
    .then(() => { console.log('ready'); setInterval(() => {}, 1000); });`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      parent.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before its server was ready`)));
    });
    const pid = serverPid(dataDir);
    expect(pid).not.toBeNull();
    expect(alive(pid!)).toBe(true);
    parent.kill('SIGKILL');
    expect(await until(() => !alive(pid!), 20_000)).toBe(true);
  } finally {
    parent.kill('SIGKILL');
    const left = serverPid(dataDir);
    if (left) process.kill(left, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);

it('refuses at once a second server on a data directory one already serves, naming who serves it', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-twice-'));
  const first = await startPrivateServer({ dataDir, ephemeral: true });
  try {
    const second = startPrivateServer({ dataDir, ephemeral: true });
    await expect(second).rejects.toBeInstanceOf(DataDirInUse);
    await expect(second).rejects.toThrow(`process ${process.pid}`);
    await expect(second).rejects.toThrow(`port ${first.port}`);
  } finally {
    await first.stop();
  }
  // Once it has stopped, the directory is free again.
  const again = await startPrivateServer({ dataDir, ephemeral: true });
  await again.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);
