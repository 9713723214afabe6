/**
 * The findings export (GET /exports/scans/:id/findings.csv) to a client that stops reading and then
 * goes away: the hub reads and sends the next page only once the connection has taken the last one,
 * so it stops after the page in hand. It read every page of the scan at once, put each on record in
 * the audit trail and held the whole file in its memory for a client that read nothing (twenty such
 * requests for a scan of 8,000 findings took 300 MB of the demo hub's), and did the same for one
 * that had already closed its connection.
 *
 * The scan's findings are large (a long explanation each) so that one page is more than a
 * connection holds unread: a client that reads nothing cannot take it, whatever the machine's load.
 * Nothing here measures time: the hub's log says when the export ended, and the audit trail how many
 * pages it read.
 *
 * The export is also bounded by the client's cost in flight, shared with its GraphQL operations
 * (MAX_QUERY_COST_IN_FLIGHT; an export takes MAX_QUERY_COST while it runs). The hub here has room
 * for one export a client: a client whose export is held by its own unread connection is refused a
 * second, and a query, with 429 RATE_LIMITED QUERY_COST_IN_FLIGHT before anything is read or put on
 * record; another client is served; and the slot comes back when the client goes mid-stream, when
 * the file is sent and when the export is refused after taking it. A slot kept would lock the
 * client out of exports and queries until the process restarts.
 */
import net from 'node:net';
import { createClient } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { DEFAULT_QUERY_LIMITS } from '../db/config';
import { capturedLog } from './support/log-lines';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang } from './support/scenarios';
import { insertScanWithFindings } from './support/scan-rows';
import { until } from './support/until';

jest.setTimeout(240_000);

/** The export's page (server/exports.ts PAGE): three pages, the last of one finding. */
const FINDINGS = 1001;
const PAGES = 3;
/** Each finding's explanation: a page of 500 is some 10 MB, more than a connection holds unread. */
const EXPLANATION_CHARS = 20_000;

let dbs: TestDatabases;
let hub: TestHub;
let token = '';
let scanId = 0;
const log = capturedLog('info');

beforeAll(async () => {
  dbs = await createTestDatabases('export_unread');
  await insertRegions(dbs);
  const householdId = await insertWang(dbs);
  // Room for one export a client (it takes MAX_QUERY_COST), nothing beside it.
  hub = await startTestHub(dbs, { logger: log.logger, queryLimits: { maxCostInFlight: DEFAULT_QUERY_LIMITS.maxCost } });
  // Medical insurance reads the findings' explanations as stored (access/decide.ts seesHealthDetail).
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: `export-unread-${process.pid}`, department: 'HEALTH', regionScope: '370800', roles: ['READER'], expiresAt: null }));
  scanId = await insertScanWithFindings(dbs, householdId, FINDINGS, 'x'.repeat(EXPLANATION_CHARS), 'export-unread');
}, 240_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/**
 * The audit rows of the pages the export's requests read: one per person or household a page names
 * (beside the row each request writes of itself, which names nobody).
 */
async function exportRows(): Promise<number> {
  const [[row]] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM access_log WHERE operation = ? AND subject_kind <> 'NONE'", [`GET /exports/scans/${scanId}/findings.csv`])) as any;
  return Number(row.n);
}

/** The hub's log lines saying an export ended early. */
const endedEarly = () => log.lines.filter((l) => /^findings export ended early/.test(String(l.msg)));

/** The export as `token`'s client asks for it (or another scan's). */
const exportOf = (clientToken: string, scan = scanId) => fetch(`${hub.url}/exports/scans/${scan}/findings.csv`, { headers: { authorization: `Bearer ${clientToken}`, 'x-purpose': 'DUPLICATE_CHECK' } });

/** A cheap GraphQL query of `token`'s client. */
const queryOf = (clientToken: string) =>
  fetch(`${hub.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${clientToken}`, 'x-purpose': 'DUPLICATE_CHECK', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ caller { name } }' }) });

/** An export begun on a raw connection that then reads nothing: it holds the export at its first page. */
async function stalledExport(): Promise<net.Socket> {
  const socket = net.connect(Number(new URL(hub.url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  const firstBytes = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
  socket.write(`GET /exports/scans/${scanId}/findings.csv HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${token}\r\nX-Purpose: DUPLICATE_CHECK\r\n\r\n`);
  expect(await firstBytes).toMatch(/^HTTP\/1\.1 200 /);
  socket.pause();
  return socket;
}

describe('a findings export to a client that reads nothing, then closes its connection', () => {
  /** Rows one page writes: the Wang household and its head, whom every finding names. */
  const ROWS_A_PAGE = 2;

  it('reads and records the first page only, and ends when the client goes', async () => {
    // The answer has begun; from now on this client reads nothing.
    const socket = await stalledExport();
    // The first page is on record before it is sent …
    await until('the first page on record', exportRows, (n) => n >= ROWS_A_PAGE);
    // … and the client, having read nothing of it, goes away.
    socket.destroy();
    const [ended] = await until('the hub to say the export ended early', async () => endedEarly(), (lines) => lines.length > 0, 60_000);
    expect(ended).toMatchObject({ scanId, pagesSent: 1 });
    // One page read and recorded of the scan's three: the rest were never read, nor put on record as seen.
    expect(await exportRows()).toBe(ROWS_A_PAGE);
  });

  it('a client that reads gets the whole file, every page recorded', async () => {
    const before = await exportRows();
    const res = await exportOf(token);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines).toHaveLength(1 + FINDINGS);
    expect(await exportRows()).toBe(before + PAGES * ROWS_A_PAGE);
    expect(endedEarly()).toHaveLength(1);
  });
});

describe('the findings export within the client’s cost in flight', () => {
  type Refusal = { errors: { extensions: Record<string, unknown> }[] };
  const expectInFlightRefusal = async (res: Response) => {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await res.json()) as Refusal;
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'QUERY_COST_IN_FLIGHT', inFlight: DEFAULT_QUERY_LIMITS.maxCost, maxCostInFlight: DEFAULT_QUERY_LIMITS.maxCost });
  };
  const expectWholeFile = async (res: Response) => {
    expect(res.status).toBe(200);
    expect((await res.text()).trim().split('\n')).toHaveLength(1 + FINDINGS);
  };

  it('refuses the client a second export and a query while its first runs, before reading or recording anything, serves another client, and frees the slot when the client goes mid-stream', async () => {
    const earlyBefore = endedEarly().length;
    const rowsBefore = await exportRows();
    const socket = await stalledExport();
    await until('the first page on record', exportRows, (n) => n >= rowsBefore + 2);
    const rowsHeld = await exportRows();

    const second = await exportOf(token);
    await expectInFlightRefusal(second);
    // One budget with GraphQL: even a cheap query does not fit beside the export.
    await expectInFlightRefusal(await queryOf(token));
    // Refused before its scan was read: no page of it is on record.
    expect(await exportRows()).toBe(rowsHeld);

    // The limit is the client's: another client's export runs beside the held one.
    const other = await createClient(accessDbOf(dbs.hub), { name: `export-unread-other-${process.pid}`, department: 'HEALTH', regionScope: '370800', roles: ['READER'], expiresAt: null });
    await expectWholeFile(await exportOf(other.token));

    // The client goes mid-stream: its export ends and gives its slot back.
    socket.destroy();
    await until('the hub to say the export ended early', async () => endedEarly().length, (n) => n > earlyBefore, 60_000);
    await expectWholeFile(await exportOf(token));
    // … as the whole file just sent gave it back.
    expect((await queryOf(token)).status).toBe(200);
  });

  it('frees the slot of an export refused after taking it', async () => {
    const missing = await exportOf(token, scanId + 1000);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Refusal).errors[0].extensions).toMatchObject({ reason: 'SCAN_NOT_FOUND' });
    const answered = await queryOf(token);
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { errors?: unknown }).errors).toBeUndefined();
  });
});
