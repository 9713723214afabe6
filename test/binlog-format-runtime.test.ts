/**
 * A hub database server whose binary log format is set to STATEMENT while the hub serves
 * (`SET GLOBAL binlog_format`). `npm start` refuses such a server (test/npm-start-database-unusable),
 * but only at start: the running hub went on answering /readyz 200 while every locking write on a
 * connection opened since failed. Now /readyz answers 503 with the setting to change, the metric
 * says 0, one log line marks each change (server/binlog-watch.ts); and a pooled connection opened
 * during the change, which keeps the format after the server's is set back, is closed after the
 * first locking write it refuses instead of refusing every one (db/connect.ts withDeadline).
 */
import mysql from 'mysql2/promise';
import { sql } from 'drizzle-orm';
import { ensureDatabase } from '../db/setup/provision';
import { startThrowawayServer, type PrivateServer } from '../db/setup/private-server';
import { createPool, hubDrizzle } from '../db/connect';
import { lockingTransaction } from '../db/locking';
import { countStatements } from '../db/instrument';
import { createLogger } from '../server/logger';
import { BinlogWatch } from '../server/binlog-watch';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';

let server: PrivateServer;
let admin: mysql.Connection;
const urlOf = (database: string) => `mysql://root@127.0.0.1:${server.port}/${database}`;
const setFormat = (format: 'ROW' | 'MIXED' | 'STATEMENT') => admin.query(`SET GLOBAL binlog_format = '${format}'`);

beforeAll(async () => {
  server = await startThrowawayServer({ prefix: 'aidhub-binlog-live-', serverArgs: ['--log-bin=aidhub-bin', '--server-id=1', '--binlog-format=ROW'] });
  admin = await mysql.createConnection({ uri: urlOf('') });
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** /readyz until `until` holds of it (the format is read at most every few seconds), or the last one after a minute. */
async function readyzUntil(hub: HubProcess, until: (r: { status: number; body: ReadyBody }) => boolean) {
  let last: { status: number; body: ReadyBody } | null = null;
  for (let tries = 0; tries < 120; tries++) {
    const res = await fetch(`${hub.url}/readyz`);
    last = { status: res.status, body: (await res.json()) as ReadyBody };
    if (until(last)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last!;
}
interface ReadyBody {
  status: string;
  hub: { available: boolean; reason?: string; problem?: string };
}

async function gauge(hub: HubProcess): Promise<string | undefined> {
  const text = await (await fetch(hub.metricsUrl)).text();
  return /^aidhub_hub_binlog_format_usable (\d)$/m.exec(text)?.[1];
}

const statementLines = (hub: HubProcess) => hub.output.join('').split('\n').filter((l) => l.includes('logs by STATEMENT')).length;
const backLines = (hub: HubProcess) => hub.output.join('').split('\n').filter((l) => l.includes('takes the hub\'s writes again')).length;

it('turns /readyz 503 with the reason while the server logs by STATEMENT, and ready again once it does not', async () => {
  await setFormat('ROW');
  const hub = await startHubProcess(urlOf('aidhub_binlog_live'));
  try {
    expect((await readyzUntil(hub, () => true)).status).toBe(200);
    expect(await gauge(hub)).toBe('1');

    await setFormat('STATEMENT');
    const refused = await readyzUntil(hub, (r) => r.status === 503);
    expect(refused).toEqual({
      status: 503,
      body: expect.objectContaining({
        status: 'hub database refuses locking writes',
        hub: { available: true, reason: 'BINLOG_FORMAT_STATEMENT', problem: expect.stringMatching(/STATEMENT format.*set binlog_format to ROW or MIXED/) },
      }),
    });
    expect(await gauge(hub)).toBe('0');
    // A probe storm: one log line for the change, not one per probe.
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${hub.url}/readyz`).then((r) => r.status)));
    expect((await readyzUntil(hub, () => true)).status).toBe(503);
    expect(statementLines(hub)).toBe(1);

    await setFormat('MIXED');
    expect((await readyzUntil(hub, (r) => r.status === 200)).body).toEqual(expect.objectContaining({ status: 'ready', hub: { available: true } }));
    expect(await gauge(hub)).toBe('1');
    expect(backLines(hub)).toBe(1);
    expect(statementLines(hub)).toBe(1);
    // The log lines carry the format and the probe's request id, nothing else.
    const lines = hub.output.join('').split('\n').filter((l) => l.includes('"binlogFormat"'));
    expect(lines.map((l) => Object.keys(JSON.parse(l) as object).sort())).toEqual(Array(2).fill(['binlogFormat', 'level', 'msg', 'requestId', 'service', 'time']));
  } finally {
    await setFormat('ROW');
    await stopHubProcess(hub);
  }
}, 240_000);

it('closes a pooled connection opened under STATEMENT after the first locking write it refuses, once the server is set back', async () => {
  const url = urlOf('aidhub_binlog_pool');
  await ensureDatabase(url);
  await admin.query('CREATE TABLE IF NOT EXISTS aidhub_binlog_pool.t (id INT PRIMARY KEY) ENGINE=InnoDB');
  await admin.query('DELETE FROM aidhub_binlog_pool.t');
  const pool = createPool(url, { connectionLimit: 1, deadlineMs: 30_000 });
  const hub = hubDrizzle(pool);
  const insert = (id: number) => lockingTransaction(hub, (tx) => tx.execute(sql`INSERT INTO t (id) VALUES (${id})`));
  try {
    await setFormat('STATEMENT');
    // The pool's one connection is opened now, so its session logs by statement.
    await hub.execute(sql`SELECT 1`);
    await setFormat('ROW');
    const [[session]] = (await pool.query('SELECT @@SESSION.binlog_format AS format')) as unknown as [{ format: string }[]];
    expect(session.format).toBe('STATEMENT');
    const outcomes: string[] = [];
    for (let id = 1; id <= 3; id++) {
      outcomes.push(
        await insert(id).then(
          () => 'ok',
          (err: unknown) => String((err as { cause?: { errno?: number } }).cause?.errno ?? (err as { errno?: number }).errno),
        ),
      );
    }
    // The connection refuses once (1665) and is replaced; before, it refused every write.
    expect(outcomes).toEqual(['1665', 'ok', 'ok']);
    const [rows] = (await admin.query('SELECT id FROM aidhub_binlog_pool.t ORDER BY id')) as unknown as [{ id: number }[]];
    expect(rows.map((r) => r.id)).toEqual([2, 3]);
  } finally {
    await setFormat('ROW');
    await pool.end();
  }
}, 120_000);

it('reads the format once for probes that come together and within its cache, and again after it', async () => {
  const url = urlOf('aidhub_binlog_pool');
  await ensureDatabase(url);
  const pool = createPool(url, { connectionLimit: 2, deadlineMs: 30_000 });
  // A cache of a minute: the second burst is within it whatever the machine's load.
  const watch = new BinlogWatch(hubDrizzle(pool), createLogger(), 30_000, 60_000);
  try {
    await setFormat('STATEMENT');
    const burst = () => countStatements(() => Promise.all(Array.from({ length: 20 }, () => watch.problem())));
    const first = await burst();
    expect({ statements: first.counter.total, refused: first.result.filter((p) => p !== null).length }).toEqual({ statements: 1, refused: 20 });
    await setFormat('ROW');
    const cached = await burst();
    // Still the judgement read a moment ago, and no statement.
    expect({ statements: cached.counter.total, refused: cached.result.filter((p) => p !== null).length }).toEqual({ statements: 0, refused: 20 });
    const fresh = new BinlogWatch(hubDrizzle(pool), createLogger(), 30_000, 0);
    expect(await fresh.problem()).toBeNull();
  } finally {
    await setFormat('ROW');
    await pool.end();
  }
}, 120_000);
