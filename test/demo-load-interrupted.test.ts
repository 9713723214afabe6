/**
 * The first `npm start` loads the demo into its private server, which takes a while; a Ctrl-C in
 * the middle left some tables full and others empty, and the next start refused to load into
 * them or served half a demo. The load is marked while it runs: a start that finds the mark loads
 * it again from empty tables, and ends with exactly what an uninterrupted load writes. A real hub
 * process, killed mid-load, and its real private server, in a temporary directory (nothing of the
 * checkout's .data is read or written).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { generateSigningKeyFiles } from '../access/checkpoints';
import { hubUrlFile } from '../access/hub-url';
import { sourceUrls } from '../db/config';
import { serverOnDataDir } from '../db/setup/private-server';
import { HUB_LEDGER_SOURCES, type DepartmentCode } from '../domain/departments';
import { generateDemo, TABLES, TABLE_NAMES } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';
import { removeCheckpointLocks } from './support/checkpoint-locks';
import { freePort } from './support/redis';
import { until } from './support/until';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..');
/** Two of the generator's chunks (5,000 households each): the first is in the tables while the second loads. */
const HOUSEHOLDS = 10_000;

/** Every generator table's row count, in the hub at `hubUrl` and its departments' databases. */
async function tableCounts(hubUrl: string): Promise<Record<string, number>> {
  const urls = sourceUrls(hubUrl, {});
  const counts: Record<string, number> = {};
  const conn = await mysql.createConnection({ uri: hubUrl });
  try {
    for (const table of TABLE_NAMES) {
      const target = TABLES[table].target;
      const url = target === 'HUB' || (HUB_LEDGER_SOURCES as readonly string[]).includes(target) ? hubUrl : urls[target as DepartmentCode];
      const [[row]] = (await conn.query(`SELECT COUNT(*) AS n FROM ${mysql.escapeId(new URL(url).pathname.slice(1))}.${mysql.escapeId(table)}`)) as unknown as [{ n: number }[]];
      counts[table] = Number(row.n);
    }
  } finally {
    await conn.end();
  }
  return counts;
}

describe('a demo load interrupted by the first start’s end', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-demo-stop-'));
  const dataDir = path.join(dir, 'mariadb');
  const env = {
    AIDHUB_DATA_DIR: dataDir,
    AIDHUB_DEMO: '1',
    AIDHUB_DEMO_HOUSEHOLDS: String(HOUSEHOLDS),
    AUDIT_SIGNING_KEY_FILE: path.join(dir, 'signing-key.pem'),
    AUDIT_CHECKPOINT_FILE: path.join(dir, 'checkpoints.log'),
    LOG_LEVEL: 'warn',
  };
  let hub: HubProcess | null = null;
  let clean: TestDatabases;

  beforeAll(async () => {
    generateSigningKeyFiles(env.AUDIT_SIGNING_KEY_FILE, path.join(dir, 'verify-key.pem'));
    clean = await createTestDatabases('demo_clean');
  });

  afterAll(async () => {
    if (hub) await stopHubProcess(hub);
    await clean?.close();
    // The lock of the hub killed below, should the next start not have taken it over (a failure midway).
    removeCheckpointLocks([env.AUDIT_CHECKPOINT_FILE]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is loaded again from the start by the next start, and ends as an uninterrupted load does', async () => {
    // The first start, stopped as soon as its load is under way.
    const first = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(await freePort()), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    first.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    first.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<void>((r) => first.once('close', () => r()));
    const marker = path.join(dir, 'demo-loading');
    await until('the demo load under way', async () => fs.existsSync(marker) || first.exitCode !== null, (v) => v, 120_000, 20);
    // Stopped once its first rows are in: the tables are then partly loaded. The private server's
    // port is in the record it keeps in its data directory.
    const { port } = JSON.parse(fs.readFileSync(path.join(dataDir, 'aidhub-server.json'), 'utf8')) as { port: number };
    const probe = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
    try {
      const people = async () => Number(((await probe.query('SELECT COUNT(*) AS n FROM aidhub.person')) as unknown as [{ n: number }[]])[0][0].n);
      await until('the first rows loaded', people, (n) => n > 0 || first.exitCode !== null, 120_000, 20);
    } finally {
      await probe.end();
    }
    first.kill('SIGKILL');
    await exited;
    // Still loading when it was stopped (else the load outran the test: its output says how it ended).
    expect([fs.existsSync(marker), output.join('').slice(-400)]).toEqual([true, expect.any(String)]);
    // Its private server follows its owner down (the watchdog), before the next start takes the data.
    await until('the first private server gone', async () => serverOnDataDir(dataDir), (pid) => pid === null, 60_000);

    // The next start finds the mark, loads again from empty tables, and serves.
    hub = await startHubProcess(null, env);
    expect(hub.output.join('')).toContain('The last demo load did not finish');
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'demo-clients.env'))).toBe(true);
    const res = await fetch(`${hub.url}/readyz`);
    expect(res.status).toBe(200);

    // Exactly what one uninterrupted load writes, table by table.
    const expected = await generateDemo({ hubUrl: clean.hubUrl, sourceUrls: clean.sourceUrls, households: HOUSEHOLDS, seed: 1 });
    const hubUrl = fs.readFileSync(hubUrlFile(env), 'utf8').trim();
    const got = await tableCounts(hubUrl);
    // The reported-aid ledger also takes the charity demo's deliveries, written after the load.
    const ledger = (t: string) => (HUB_LEDGER_SOURCES as readonly string[]).includes(TABLES[t].target);
    const loadedOnly = (counts: Record<string, number>) => Object.fromEntries(TABLE_NAMES.filter((t) => !ledger(t)).map((t) => [t, counts[t]]));
    expect(loadedOnly(got)).toEqual(loadedOnly(expected));
    for (const t of TABLE_NAMES.filter(ledger)) expect(got[t]).toBeGreaterThanOrEqual(expected[t]);
  });
});
