/**
 * Nothing is left running once it is closed and the closing awaited. A jest worker exits only when
 * nothing is, and jest kills one that takes over half a second, printing "a worker process has
 * failed to exit gracefully". test/support/environment.ts checks this after every test file; here:
 * that the check sees what it must, that a pool or connection is closed when its end() resolves
 * (mysql2's alone is not: db/connect.ts), and that a hub with all its background work stops whole.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import ts from 'typescript';
import { createPool, endConnection } from '../db/connect';
import { DEPARTMENT_CODES } from '../domain/departments';
import { POLL_JOB } from '../resolvers/monitoring/poller';
import { createTestDatabases, testServerUrl } from './support/databases';
import { startTestHub } from './support/hub';
import { startPrivateRedis } from './support/redis';
import { activeResources, leftOpen, openNow } from './support/open-handles';

describe('the check', () => {
  it('names a server and a child process left open, counts a timer (not an unref’d one), and finds nothing once each is closed', async () => {
    // Timers are counted, not named: counted here with nothing in between that could start or clear one.
    const timers = () => activeResources().get('Timeout') ?? 0;
    const timersBefore = timers();
    const timer = setInterval(() => undefined, 60_000);
    const quiet = setInterval(() => undefined, 60_000).unref();
    const counted = timers();
    clearInterval(timer);
    clearInterval(quiet);
    expect(counted).toBe(timersBefore + 1);

    const before = openNow();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

    try {
      expect(await leftOpen(before, 2)).toEqual(
        expect.arrayContaining([
          'resource TCPServerWrap',
          'resource ProcessWrap',
          `Server listening on 127.0.0.1:${(server.address() as net.AddressInfo).port}`,
          `ChildProcess ${child.pid} (sleep 60)`,
        ]),
      );
    } finally {
      child.kill('SIGTERM');
      await closed;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await leftOpen(before)).toEqual([]);
  });

  it('does not charge a file with the process’s own stdout or stderr, opened by its first write', async () => {
    // As in a jest worker: stdio are pipes, and nothing in the process has touched them yet (so
    // no loader: the module is compiled to plain JavaScript here and run by node alone).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-stdio-'));
    const source = fs.readFileSync(path.join(__dirname, 'support', 'open-handles.ts'), 'utf8');
    fs.writeFileSync(path.join(dir, 'open-handles.js'), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
    const script = [
      "const { openNow, leftOpen } = require('./open-handles.js');",
      'const opened = process.getActiveResourcesInfo().length;',
      'const before = openNow();',
      "process.stderr.write('a library writes to stderr\\n');",
      'leftOpen(before, 5).then((left) => process.stdout.write(JSON.stringify({ opened, left })));',
    ].join('\n');
    try {
      const child = spawn(process.execPath, ['-e', script], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      expect({ code, err }).toEqual({ code: 0, err: 'a library writes to stderr\n' });
      expect(JSON.parse(out)).toEqual({ opened: 0, left: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('database connections', () => {
  // Checked with no turn of the event loop after end(): end() itself must have closed the sockets.
  it('are closed when a pool’s end() resolves, with or without a deadline', async () => {
    for (const opts of [{}, { deadlineMs: 60_000 }]) {
      const before = openNow();
      const pool = createPool(testServerUrl(), { connectionLimit: 3, ...opts });
      await Promise.all([pool.query('SELECT SLEEP(0.05)'), pool.query('SELECT 1'), pool.query('SELECT 2')]);
      await pool.end();
      expect(await leftOpen(before, 0)).toEqual([]);
    }
  });

  it('is closed when endConnection() resolves', async () => {
    const before = openNow();
    const conn = await mysql.createConnection({ uri: testServerUrl() });
    await conn.query('SELECT 1');
    await endConnection(conn);
    expect(await leftOpen(before, 0)).toEqual([]);
  });
});

it('a hub with a shared rate-limit store, monitoring, alert delivery, scan takeover and audit checkpoints leaves nothing open once stopped', async () => {
  const before = openNow();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-handles-'));
  const redis = await startPrivateRedis();
  const dbs = await createTestDatabases('open_handles');
  try {
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const hub = await startTestHub(dbs, {
      auditCheckpoints: { file: path.join(dir, 'checkpoints.jsonl'), signingKey: privateKey, everyRows: 1, everyMs: 50 },
      config: {
        rateLimitRedisUrl: redis.url,
        jobTakeoverIntervalMs: 50,
        monitoring: { intervalMs: { default: 50 }, leaseMs: 10_000, batchRows: 100, monthlyRegion: null },
        alertDelivery: { pollMs: 50, retryScheduleMs: [1000], retryJitter: 0, httpTimeoutMs: 10_000, batchSize: 10, concurrency: 2, callbackHosts: ['127.0.0.1:*'] },
      },
    });
    try {
      const res = await hub.gql('{ rules { id } }');
      expect(res.errors).toBeUndefined();
      expect((await fetch(`${hub.url}/readyz`)).status).toBe(200);
      // The pollers have run: every department's lease is held.
      const leases = async () => {
        const [rows] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM job_lease WHERE job_key IN (?)', [DEPARTMENT_CODES.map(POLL_JOB)])) as unknown as [{ n: number }[]];
        return Number(rows[0].n);
      };
      for (let i = 0; i < 600 && (await leases()) < DEPARTMENT_CODES.length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await leases()).toBe(DEPARTMENT_CODES.length);
    } finally {
      await hub.close();
    }
  } finally {
    await dbs.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(await leftOpen(before)).toEqual([]);
}, 240_000);
