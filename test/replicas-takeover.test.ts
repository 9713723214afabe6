/**
 * A hub process killed (SIGKILL: no shutdown, no goodbye) in the middle of a city scan: another
 * hub process on the same database sees the scan's lease expire, takes it over with the next
 * fencing token and finishes it from the last chunk the dead one stored. The finished scan counts
 * exactly what a scan run start to finish counts.
 */
import { createClient } from '../access/clients';
import { accessDbOf } from '../db/access/db';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from './support/hub-process';

/** Enough households that a city scan takes far longer than the moment between its start and the kill. */
const HOUSEHOLDS = 20_000;
const CITY = '370800';

let dbs: TestDatabases;
let dying: HubProcess;
let survivor: HubProcess;
let token: string;

async function scanStart(hub: HubProcess): Promise<number> {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'MONITORING' },
    body: JSON.stringify({ query: `mutation { scanStart(input: { regionCode: "${CITY}" }) { scan { id } userErrors { code } } }` }),
  });
  const body = (await res.json()) as any;
  expect(body.data.scanStart.userErrors).toEqual([]);
  return Number(body.data.scanStart.scan.id);
}

async function ended(scanId: number): Promise<any> {
  for (let i = 0; i < 1200; i++) {
    const [[row]] = (await dbs.hubPool.query('SELECT state, failure, households_total, households_done, findings_count FROM finding_scan WHERE id = ?', [scanId])) as any;
    if (row.state !== 'RUNNING') return row;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`scan ${scanId} did not end`);
}

beforeAll(async () => {
  dbs = await createTestDatabases('takeover');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: HOUSEHOLDS, seed: 7, provision: false, referenceDate: '2026-03-15' });
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: 'takeover-admin', department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: ['ADMINISTRATOR'], expiresAt: null }));
  const lease = { AIDHUB_JOB_LEASE_MS: '3000' };
  [dying, survivor] = await Promise.all([
    startHubProcess(dbs.hubUrl, { ...lease, AIDHUB_JOB_TAKEOVER_MS: '0' }),
    startHubProcess(dbs.hubUrl, { ...lease, AIDHUB_JOB_TAKEOVER_MS: '500' }),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([dying, survivor].filter(Boolean).map(stopHubProcess));
  await dbs?.close();
}, 60_000);

it('finishes, in another process, the scan of a process killed mid-way', async () => {
  const scanId = await scanStart(dying);
  dying.child.kill('SIGKILL');
  await new Promise<void>((r) => (dying.child.exitCode !== null || dying.child.signalCode !== null ? r() : dying.child.once('exit', () => r())));

  const scan = await ended(scanId);
  expect(scan.state).toBe('SUCCEEDED');
  expect(scan.households_done).toBe(scan.households_total);
  expect(scan.households_total).toBeGreaterThan(0);
  // Taken over once, by the survivor.
  const [[lease]] = (await dbs.hubPool.query('SELECT holder, token FROM job_lease WHERE job_key = ?', [`scan:${scanId}`])) as any;
  expect(lease.token).toBe(2);
  expect(lease.holder).toContain(`:${survivor.child.pid}:`);

  // A scan run start to finish by one process counts the same findings: no chunk lost or counted twice.
  const again = await ended(await scanStart(survivor));
  expect(again.state).toBe('SUCCEEDED');
  expect(scan.findings_count).toBe(again.findings_count);
  expect(scan.findings_count).toBeGreaterThan(0);
}, 300_000);
