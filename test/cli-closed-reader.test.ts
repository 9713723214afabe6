/**
 * A command-line tool whose reader goes away (`npm run clients -- list | head`) ends quietly: the
 * write that meets the closed pipe failed with EPIPE, thrown as an uncaught error with its stack on
 * stderr. Each case runs the real CLI in a child node whose stdout pipe the test destroys after the
 * first chunk, with more output still to come than a pipe holds, so a later write must fail.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { apiClient } from '../db/access/schema';
import { alertSubscription } from '../db/alert-delivery/schema';
import { createTestDatabases, type TestDatabases } from './support/databases';

const ROOT = path.join(__dirname, '..');
/** Well above a pipe's 64 KiB: the CLI is still writing when its reader goes. */
const CLIENTS = 3_000;
const SUBSCRIPTIONS = 2_000;

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('cli_closed_reader');
  const rows = Array.from({ length: CLIENTS }, (_, i) => ({
    name: `township-office-${String(i).padStart(5, '0')}`,
    department: 'CIVIL_AFFAIRS' as const,
    regionScope: '370811001',
    roles: 'READER,CASEWORKER,MEETING_CONVENER',
    tokenHash: createHash('sha256').update(`token-${i}`).digest('hex'),
    createdAt: '2026-03-01 02:00:00.000',
  }));
  for (let i = 0; i < rows.length; i += 500) await dbs.hub.insert(apiClient).values(rows.slice(i, i + 500));
  const subs = Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({
    clientId: rows[i % CLIENTS].name,
    callbackUrl: `https://alerts.township-${i}.example.gov.cn/aidhub/callback`,
    regionCodes: '370811001,370811002',
    grades: 'RED,ORANGE',
    triggerIds: '',
    secret: createHash('sha256').update(`secret-${i}`).digest('hex'),
    state: 'ACTIVE' as const,
    createdAt: '2026-03-01 02:00:00.000',
    createdBy: 'test',
  }));
  for (let i = 0; i < subs.length; i += 500) await dbs.hub.insert(alertSubscription).values(subs.slice(i, i + 500));
});

afterAll(async () => {
  await dbs?.close();
});

/** Runs `tool` with `args`, reads its first chunk of stdout, then closes the pipe as `head` does. */
function runAndLeave(tool: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; firstChunk: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, tool), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstChunk = '';
    const err: Buffer[] = [];
    child.stdout.once('data', (b: Buffer) => {
      firstChunk = b.toString('utf8');
      child.stdout.destroy();
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, firstChunk, stderr: Buffer.concat(err).toString('utf8') }));
  });
}

test('npm run clients -- list | head: the list stops, no EPIPE stack, exit 0', async () => {
  const res = await runAndLeave('tools/clients.ts', ['list'], { DATABASE_URL: dbs.hubUrl });
  expect(res.firstChunk).toMatch(/^township-office-00000 {2}ACTIVE {2}CIVIL_AFFAIRS/);
  // The whole list is far more than one chunk: the reader left with most of it unread.
  expect(res.firstChunk.length).toBeLessThan(CLIENTS * 80);
  expect({ code: res.code, signal: res.signal, stderr: res.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
});

test('npm run subscriptions -- list | head: the same', async () => {
  const res = await runAndLeave('tools/subscriptions.ts', ['list'], { DATABASE_URL: dbs.hubUrl });
  expect(res.firstChunk.length).toBeGreaterThan(0);
  expect(res.firstChunk.length).toBeLessThan(SUBSCRIPTIONS * 80);
  expect({ code: res.code, signal: res.signal, stderr: res.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
});
