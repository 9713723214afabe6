/**
 * A client gone before its answer, beyond GraphQL queries (test/query-cost-client-gone.test.ts):
 *
 * - The meeting brief (GET /cases/:id/brief), the findings export (GET
 *   /exports/scans/:id/findings.csv) and the overdue export (GET /exports/overdue.csv) take MAX_QUERY_COST of the client's cost in flight while they
 *   run. A client that went away mid-way held it until their reads ended: the brief's dossier read
 *   at a department waiting on a lock (a minute, the department's time limit here), the export's page
 *   read on the hub; its retry was refused 429 QUERY_COST_IN_FLIGHT all that while. Now they are
 *   abandoned as a query is (server/client-gone.ts abandonRouteWhenClientGoes): the brief's
 *   department statement is stopped on the department's server, the cost given back at once, the
 *   abandonment counted in aidhub_queries_abandoned_total and logged once, naming no one.
 * - A mutation is never abandoned: one whose client breaks the connection mid-transaction commits
 *   every row, and its retry with the same idempotency key is answered with its outcome, writing
 *   nothing more.
 *
 * Reads are held the way the query's test holds them, with no timing: a department's tables locked
 * by its own system (union's), or the hub's own tables locked (the findings, the case requests).
 * The hub's deadline is long here, so a statement held on the hub waits as long as the test needs.
 */
import { getTableName } from 'drizzle-orm';
import net from 'node:net';
import mysql from 'mysql2/promise';
import { createClient } from '../access/clients';
import { DEFAULT_QUERY_LIMITS } from '../db/config';
import { ADAPTERS } from '../federation/registry';
import { countyClients } from './support/cases';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { capturedLog } from './support/log-lines';
import { okPayload as ok } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { insertScanWithFindings } from './support/scan-rows';
import { until } from './support/until';

jest.setTimeout(300_000);

const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } replayed userErrors { code } } }`;
/** The scan's findings: one page of the export (server/exports.ts PAGE is 500). */
const FINDINGS = 3;

let dbs: TestDatabases;
let hub: TestHub;
let wangId = 0;
let caseId = '';
let scanId = 0;
let clients: Awaited<ReturnType<typeof countyClients<'ca' | 'other'>>>;
let exporter: Record<string, string> = {};
let supervisor: Record<string, string> = {};
const log = capturedLog('info');

beforeAll(async () => {
  dbs = await createTestDatabases('client_gone_routes');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // Room for one brief or export a client (each takes MAX_QUERY_COST), nothing beside it.
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', queryLimits: { maxCostInFlight: DEFAULT_QUERY_LIMITS.maxCost }, metrics: true, hubTimeoutMs: 600_000, logger: log.logger });
  clients = await countyClients(hub, [
    ['ca', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
    ['other', '370811', 'CIVIL_AFFAIRS', ['READER', 'CASEWORKER', 'MEETING_CONVENER'], 'CASE_MEETING'],
  ]);
  caseId = (await ok(clients.ca.gql, OPEN, { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '医疗救助申请' } }, 'caseOpen')).case.id;
  const { token } = await createClient(hub.accessDb, { name: `client-gone-export-${process.pid}`, department: 'HEALTH', regionScope: '370800', roles: ['READER'], expiresAt: null });
  exporter = hub.as({ token, purpose: 'DUPLICATE_CHECK' }).headers;
  const sup = await createClient(hub.accessDb, { name: `client-gone-supervisor-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['SUPERVISOR'], expiresAt: null });
  supervisor = hub.as({ token: sup.token, purpose: 'SUPERVISION' }).headers;
  scanId = await insertScanWithFindings(dbs, wangId, FINDINGS, '门诊自付较高', 'client-gone');
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** aidhub_queries_abandoned_total on the hub's /metrics. */
const abandoned = async () => Number(/^aidhub_queries_abandoned_total (\d+)$/m.exec(await (await fetch(hub.metricsUrl!)).text())?.[1] ?? NaN);

/** The brief of the case as `headers`' client asks for it. */
const briefOf = (headers: Record<string, string>, requestId: string, signal?: AbortSignal) => fetch(`${hub.url}/cases/${caseId}/brief`, { signal, headers: { ...headers, 'x-request-id': requestId } });

/** The scan's findings export, as the health office asks for it. */
const exportOf = (requestId: string, signal?: AbortSignal) => fetch(`${hub.url}/exports/scans/${scanId}/findings.csv`, { signal, headers: { ...exporter, 'x-request-id': requestId } });

/** The supervisor's overdue export (督查通报) of 任城区. */
const overdueOf = (requestId: string, signal?: AbortSignal) => fetch(`${hub.url}/exports/overdue.csv?regionCode=370811`, { signal, headers: { ...supervisor, 'x-request-id': requestId } });

/** The log lines whose message starts with `start`. */
const logged = (start: string) => log.lines.filter((l) => String(l.msg).startsWith(start));

/** A connection to `uri` that locks `tables` (WRITE) as a department's own system, or an operator, would; and a second that counts the statements of others waiting on that server's database. */
async function locking(uri: string, tables: string[]) {
  const locker = await mysql.createConnection({ uri });
  const watcher = await mysql.createConnection({ uri });
  await locker.query(`LOCK TABLES ${tables.map((t) => `\`${t}\` WRITE`).join(', ')}`);
  return {
    /** Statements (of the hub) running on the database now, `naming` one of its tables when given. */
    async waiting(naming?: string): Promise<number> {
      const [rows] = await watcher.query(
        `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND ID NOT IN (CONNECTION_ID(), ?)${naming ? ' AND INFO LIKE ?' : ''}`,
        naming ? [locker.threadId, `%\`${naming}\`%`] : [locker.threadId],
      );
      return Number((rows as { n: number }[])[0].n);
    },
    unlock: () => locker.query('UNLOCK TABLES'),
    async end() {
      await locker.query('UNLOCK TABLES').catch(() => undefined);
      await locker.end();
      await watcher.end();
    },
  };
}

const UNION_TABLES = ADAPTERS.UNION.tables.map((t) => getTableName(t));

/** `send`'s answer status once it comes, or -1 where it was refused (not 200) before the test's condition was met. */
function watched(send: Promise<Response>) {
  const state = { refused: null as number | null };
  const answer = send.then((res) => {
    if (res.status !== 200) state.refused = res.status;
    return res;
  });
  return { state, answer };
}

it('stops a gone client’s meeting brief at the department and gives its cost back at once: its retry is served, not refused QUERY_COST_IN_FLIGHT', async () => {
  const before = await abandoned();
  const union = await locking(dbs.sourceUrls.UNION, UNION_TABLES);
  try {
    const client = new AbortController();
    const first = briefOf(clients.ca.headers, 'brief-gone-first', client.signal).then(
      () => 'answered',
      (e: Error) => e.name,
    );
    await until('the brief’s statement to wait on union’s locked tables', () => union.waiting(), (n) => n >= 1, 120_000);

    // The officer closes the tab: the connection goes.
    client.abort();
    expect(await first).toBe('AbortError');
    // Without abandoning: the statement waits out union's time limit (a minute here), the brief's cost held all along.
    await until('the gone client’s statement to be stopped on union’s server', () => union.waiting(), (n) => n === 0, 30_000);
    expect(await abandoned()).toBe(before + 1);

    // The retry, at once: admitted (a refusal would never reach union's server) and answered whole once the lock goes.
    const retry = watched(briefOf(clients.ca.headers, 'brief-gone-retry'));
    await until('the retry’s statement to wait on union’s locked tables (or the retry refused)', async () => (retry.state.refused === null ? await union.waiting() : -1), (n) => n >= 1 || n === -1, 120_000);
    expect(retry.state.refused).toBeNull();
    await union.unlock();
    const answered = await retry.answer;
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('</html>');
  } finally {
    await union.end();
  }
  // Said once, of the gone request alone, naming its case and no one in it.
  const lines = logged('meeting brief abandoned');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ requestId: 'brief-gone-first', caseId: Number(caseId) });
  expect(JSON.stringify(lines[0])).not.toContain(WANG.head);
  expect(logged('case brief failed')).toEqual([]);
  expect(await abandoned()).toBe(before + 1);
});

it('gives a gone client’s findings export cost back at once, while its page is still read on the hub: its retry is served, and the page read for no one is not put on record', async () => {
  const before = await abandoned();
  const hubTables = await locking(dbs.hubUrl, ['finding', 'finding_occurrence']);
  const rowsOf = async (requestId: string) => {
    const [[row]] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM access_log WHERE request_id = ? AND subject_kind <> 'NONE'", [requestId])) as any;
    return Number(row.n);
  };
  try {
    const client = new AbortController();
    const first = exportOf('export-gone-first', client.signal).then(
      () => 'answered',
      (e: Error) => e.name,
    );
    await until('the export’s page read to wait on the locked findings', () => hubTables.waiting('finding_occurrence'), (n) => n === 1, 120_000);
    client.abort();
    expect(await first).toBe('AbortError');
    // Without abandoning the export holds its cost until its page is read (here until the lock goes), and is counted nowhere.
    await until('the gone export counted as abandoned', abandoned, (n) => n === before + 1, 30_000);

    // The retry is admitted: its page read waits beside the first's (a hub statement is left to end, not killed).
    const retry = watched(exportOf('export-gone-retry'));
    await until('the retry’s page read to wait on the locked findings (or the retry refused)', async () => (retry.state.refused === null ? await hubTables.waiting('finding_occurrence') : -1), (n) => n === 2 || n === -1, 120_000);
    expect(retry.state.refused).toBeNull();
    await hubTables.unlock();
    const answered = await retry.answer;
    expect(answered.status).toBe(200);
    expect((await answered.text()).trim().split('\n')).toHaveLength(1 + FINDINGS);
    await until('the gone export’s page read to end', () => hubTables.waiting('finding_occurrence'), (n) => n === 0, 120_000);
  } finally {
    await hubTables.end();
  }
  // The retry's page is on record (the household and its head); the page read for the gone client, sent to no one, is not.
  expect(await rowsOf('export-gone-retry')).toBe(2);
  expect(await rowsOf('export-gone-first')).toBe(0);
  const lines = logged('findings export ended early');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ requestId: 'export-gone-first', scanId, pagesSent: 0 });
  expect(await abandoned()).toBe(before + 1);
});

it('gives a gone client’s overdue export cost back at once, while its report is still read on the hub: its retry is served', async () => {
  const before = await abandoned();
  const hubTables = await locking(dbs.hubUrl, ['referral_slip']);
  try {
    const client = new AbortController();
    const first = overdueOf('overdue-gone-first', client.signal).then(
      () => 'answered',
      (e: Error) => e.name,
    );
    await until('the export’s report to wait on the locked slips', () => hubTables.waiting('referral_slip'), (n) => n >= 1, 120_000);
    const held = await hubTables.waiting('referral_slip');
    client.abort();
    expect(await first).toBe('AbortError');
    // Without abandoning the export holds its cost until its report is read (here until the lock goes), and is counted nowhere.
    await until('the gone export counted as abandoned', abandoned, (n) => n === before + 1, 30_000);

    // The retry is admitted: its report's reads wait beside the first's (a hub statement is left to end, not killed).
    const retry = watched(overdueOf('overdue-gone-retry'));
    await until('the retry’s reads to wait on the locked slips (or the retry refused)', async () => (retry.state.refused === null ? await hubTables.waiting('referral_slip') : -1), (n) => n > held || n === -1, 120_000);
    expect(retry.state.refused).toBeNull();
    await hubTables.unlock();
    const answered = await retry.answer;
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('一、');
    await until('the gone export’s reads to end', () => hubTables.waiting('referral_slip'), (n) => n === 0, 120_000);
  } finally {
    await hubTables.end();
  }
  // Said once, of the gone request alone. (The county's export lists no case here: what the gone
  // request would have put on record is the findings export's test above, the same check.)
  const lines = logged('overdue export abandoned');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ requestId: 'overdue-gone-first', regionCode: '370811' });
  expect(await abandoned()).toBe(before + 1);
});

it('lets a mutation whose client breaks the connection mid-transaction commit whole; its retry with the same key is answered with its outcome and writes nothing more', async () => {
  const KEY = 'client-gone-open-1';
  const input = { householdId: String(wangId), origin: 'APPLICATION', urgency: 'URGENT', summary: '家中失火，急需临时救助', reportedAt: '2026-03-15T08:00:00+08:00', idempotencyKey: KEY };
  const count = async (table: string) => {
    const [[row]] = (await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as any;
    return Number(row.n);
  };
  const counts = async () => ({ aid_case: await count('aid_case'), case_event: await count('case_event'), case_request: await count('case_request') });
  const before = await counts();
  const abandonedBefore = await abandoned();
  // The case's idempotency row is its transaction's last insert: held there, the case and its event are written, uncommitted.
  const hubTables = await locking(dbs.hubUrl, ['case_request']);
  const union = await locking(dbs.sourceUrls.UNION, UNION_TABLES);
  try {
    const body = JSON.stringify({ query: OPEN, variables: { input } });
    const socket = net.connect(Number(new URL(hub.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    const headers = Object.entries({ ...clients.ca.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-request-id': 'mutation-gone' }).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.write(`POST /graphql HTTP/1.1\r\nHost: hub\r\n${headers.join('')}\r\n${body}`);
    await until('the mutation’s insert to wait on the locked case_request', () => hubTables.waiting('case_request'), (n) => n === 1, 120_000);

    // The client goes before the answer.
    await new Promise<void>((resolve) => socket.destroy().once('close', () => resolve()));
    // A query-like request of another client gone after it, held at union: counted once the hub has
    // seen it go, and so the mutation's connection, closed first, too. The mutation is not counted.
    const brief = new AbortController();
    const sentinel = briefOf(clients.other.headers, 'brief-after-mutation', brief.signal).catch((e: Error) => e.name);
    await until('the later brief’s statement to wait on union’s locked tables', () => union.waiting(), (n) => n >= 1, 120_000);
    brief.abort();
    expect(await sentinel).toBe('AbortError');
    await until('the later brief counted as abandoned', abandoned, (n) => n >= abandonedBefore + 1, 30_000);
    expect(await abandoned()).toBe(abandonedBefore + 1);
    // Still waiting: the mutation was not cut short.
    expect(await hubTables.waiting('case_request')).toBe(1);

    await hubTables.unlock();
    await until('the mutation committed', () => count('case_request'), (n) => n > before.case_request, 120_000);
  } finally {
    await hubTables.end();
    await union.end();
  }
  // Whole: the case, its OPENED event carrying the key, and the key's request row, one each.
  expect(await counts()).toEqual({ aid_case: before.aid_case + 1, case_event: before.case_event + 1, case_request: before.case_request + 1 });
  const [cases] = (await dbs.hubPool.query('SELECT id, urgency FROM aid_case WHERE household_id = ? AND summary = ?', [wangId, input.summary])) as any;
  expect(cases).toEqual([{ id: expect.any(Number), urgency: 'URGENT' }]);
  const opened = cases[0].id as number;
  const [events] = (await dbs.hubPool.query('SELECT action, key_sha256 IS NOT NULL AS keyed FROM case_event WHERE case_id = ?', [opened])) as any;
  expect(events).toEqual([{ action: 'OPENED', keyed: 1 }]);
  const [requests] = (await dbs.hubPool.query('SELECT case_id FROM case_request WHERE case_id = ?', [opened])) as any;
  expect(requests).toEqual([{ case_id: opened }]);

  // The retry with the same key: the first outcome, replayed, and nothing written.
  const retry = await clients.ca.gql(OPEN, { input });
  expect(retry.errors).toBeUndefined();
  expect(retry.data.caseOpen).toEqual({ case: { id: String(opened) }, replayed: true, userErrors: [] });
  expect(await counts()).toEqual({ aid_case: before.aid_case + 1, case_event: before.case_event + 1, case_request: before.case_request + 1 });
});
