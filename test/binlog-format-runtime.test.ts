/**
 * A hub database server whose binary log format is set to STATEMENT while the hub serves
 * (`SET GLOBAL binlog_format`). `npm start` refuses such a server (test/npm-start-database-unusable),
 * but only at start: the running hub went on answering /readyz 200 while every locking write on a
 * connection opened since failed. Now /readyz answers 503 with the setting to change, the metric
 * says 0, one log line marks each change (server/binlog-watch.ts). A pooled connection opened
 * during the change keeps the format after the server's is set back: each such connection used to
 * fail one locking write (a user's request, or an access whose data was then withheld) before it was
 * replaced. Now a refused transaction retires the connections opened until then and runs once more
 * on a new one (db/connect.ts retiringRefusedSessions, db/locking.ts, access/audit.ts): after the
 * switch back, no write fails.
 */
import mysql from 'mysql2/promise';
import { sql } from 'drizzle-orm';
import { ensureDatabase, provisionHub } from '../db/setup/provision';
import { AuditStore, auditWriterPool, type AccessRecord } from '../access/audit';
import { accessDrizzle } from '../db/access/db';
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

/** 'ok', or the errno a write failed with (drizzle wraps the driver's error). */
const outcomeOf = (write: Promise<unknown>) =>
  write.then(
    () => 'ok',
    (err: unknown) => String((err as { cause?: { errno?: number } }).cause?.errno ?? (err as { errno?: number }).errno ?? (err as { name?: string }).name),
  );

/** Opens `n` connections of `pool` at once (each a new one), then gives them back. */
async function openConnections(pool: mysql.Pool, n: number): Promise<void> {
  const held = await Promise.all(Array.from({ length: n }, () => pool.getConnection()));
  for (const conn of held) conn.release();
}

it('runs every locking write once the server is set back, also on the pooled connections opened while it logged by statement', async () => {
  const url = urlOf('aidhub_binlog_pool');
  await ensureDatabase(url);
  await admin.query('CREATE TABLE IF NOT EXISTS aidhub_binlog_pool.t (id INT PRIMARY KEY) ENGINE=InnoDB');
  await admin.query('DELETE FROM aidhub_binlog_pool.t');
  const pool = createPool(url, { connectionLimit: 3, deadlineMs: 30_000 });
  const hub = hubDrizzle(pool);
  const insert = (id: number) => lockingTransaction(hub, (tx) => tx.execute(sql`INSERT INTO t (id) VALUES (${id})`));
  try {
    await setFormat('STATEMENT');
    // Every connection of the pool is opened now, so each session logs by statement.
    await openConnections(pool, 3);
    await setFormat('ROW');
    const [sessions] = (await pool.query('SELECT @@SESSION.binlog_format AS format')) as unknown as [{ format: string }[]];
    expect(sessions[0].format).toBe('STATEMENT');
    const outcomes: string[] = [];
    for (let id = 1; id <= 3; id++) outcomes.push(await outcomeOf(insert(id)));
    outcomes.push(...(await Promise.all([4, 5, 6].map((id) => outcomeOf(insert(id))))));
    // Before, each of the three connections refused one write (1665) before it was replaced.
    expect(outcomes).toEqual(Array(6).fill('ok'));
    // While the server logs by statement, the write run again is refused as the first was, and nothing is written.
    await setFormat('STATEMENT');
    const during = createPool(url, { connectionLimit: 2, deadlineMs: 30_000 });
    try {
      await openConnections(during, 2);
      expect(await outcomeOf(lockingTransaction(hubDrizzle(during), (tx) => tx.execute(sql`INSERT INTO t (id) VALUES (7)`)))).toBe('1665');
    } finally {
      await during.end();
    }
    const [rows] = (await admin.query('SELECT id FROM aidhub_binlog_pool.t ORDER BY id')) as unknown as [{ id: number }[]];
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
  } finally {
    await setFormat('ROW');
    await pool.end();
  }
}, 120_000);

it('records an access once the server is set back, on an audit writer connection opened while it logged by statement', async () => {
  const url = urlOf('aidhub_binlog_audit');
  await provisionHub(url);
  const readers = createPool(url, { connectionLimit: 1 });
  const writer = auditWriterPool(url, 30_000);
  const store = new AuditStore(accessDrizzle(readers), writer);
  try {
    await store.init();
    await setFormat('STATEMENT');
    await openConnections(writer, 1);
    await setFormat('ROW');
    const caller = { clientId: 1, name: 'binlog-test', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER'] } as unknown as AccessRecord['caller'];
    const access: AccessRecord = {
      requestId: '00000000-0000-4000-8000-000000001665',
      caller,
      purpose: 'ELIGIBILITY_REVIEW',
      caseReference: null,
      officer: null,
      channel: 'GRAPHQL',
      operation: 'binlog',
      operationHash: null,
      subjects: [],
      outcome: 'OK',
    };
    // Before, the writer's one connection refused the lock on the chain head and the access was refused (AuditUnavailable).
    expect(await outcomeOf(store.append(access))).toBe('ok');
    const [rows] = (await readers.query('SELECT request_id FROM access_log')) as unknown as [{ request_id: string }[]];
    expect(rows.map((r) => r.request_id)).toEqual([access.requestId]);
  } finally {
    await setFormat('ROW');
    await store.close();
    await readers.end();
  }
}, 180_000);

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
