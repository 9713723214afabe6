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
 */
import net from 'node:net';
import { createClient } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { capturedLog } from './support/log-lines';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, WANG } from './support/scenarios';
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
  hub = await startTestHub(dbs, { logger: log.logger });
  // Medical insurance reads the findings' explanations as stored (access/decide.ts seesHealthDetail).
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: `export-unread-${process.pid}`, department: 'HEALTH', regionScope: '370800', roles: ['READER'], expiresAt: null }));
  const at = '2026-03-16 02:00:00.000';
  const [scan] = (await dbs.hubPool.query(
    `INSERT INTO finding_scan (region_code, state, as_of, rule_set_name, rule_set_digest, started_by, started_at, heartbeat_at, finished_at) VALUES ('370811', 'SUCCEEDED', '2026-03-16', 'default', '0000000000000000', 'export-unread', ?, ?, ?)`,
    [at, at, at],
  )) as any;
  scanId = scan.insertId;
  const detail = JSON.stringify({ idNumbers: [WANG.head], records: [], measure: { type: 'MISSED', expected: ['MEDICAL_AID'], met: [] }, explanation: 'x'.repeat(EXPLANATION_CHARS) });
  for (let i = 0; i < FINDINGS; i += 50) {
    const batch = Array.from({ length: Math.min(50, FINDINGS - i) }, (_, j) => i + j);
    await dbs.hubPool.query(
      `INSERT INTO finding (fingerprint, rule_id, kind, severity, scope, status, household_id, region_code, township_code, department_mask, ongoing, content_hash, first_scan_id, last_scan_id, first_seen_at, last_seen_at, detail, updated_at) VALUES ${batch.map(() => "(?, 'M4', 'MISSED_AID', 'MISSED_AID', 'PERSON', 'OPEN', ?, ?, '370811001', 8, 1, ?, ?, ?, ?, ?, ?, ?)").join(', ')}`,
      batch.flatMap((n) => [n.toString(16).padStart(32, '0'), householdId, WANG.regionCode, 'c'.repeat(32), scanId, scanId, at, at, detail, at]),
    );
  }
  await dbs.hubPool.query(
    "INSERT INTO finding_occurrence (scan_id, finding_id, rule_id, severity, township_code, department_mask) SELECT ?, id, rule_id, severity, township_code, department_mask FROM finding WHERE first_scan_id = ?",
    [scanId, scanId],
  );
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

describe('a findings export to a client that reads nothing, then closes its connection', () => {
  /** Rows one page writes: the Wang household and its head, whom every finding names. */
  const ROWS_A_PAGE = 2;

  it('reads and records the first page only, and ends when the client goes', async () => {
    const socket = net.connect(Number(new URL(hub.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    const firstBytes = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    socket.write(`GET /exports/scans/${scanId}/findings.csv HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${token}\r\nX-Purpose: DUPLICATE_CHECK\r\n\r\n`);
    // The answer has begun; from now on this client reads nothing.
    expect(await firstBytes).toMatch(/^HTTP\/1\.1 200 /);
    socket.pause();
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
    const res = await fetch(`${hub.url}/exports/scans/${scanId}/findings.csv`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'DUPLICATE_CHECK' } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines).toHaveLength(1 + FINDINGS);
    expect(await exportRows()).toBe(before + PAGES * ROWS_A_PAGE);
    expect(endedEarly()).toHaveLength(1);
  });
});
