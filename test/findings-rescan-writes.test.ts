/**
 * What a re-scan writes of the findings it sees again (db/findings/store.ts storeScanFindings),
 * on a real database. A finding found as it is stored (status, household, division, departments,
 * ongoing, content hash and detail all the same) gets only its sighting: last scan, last seen,
 * updated at. Before session 41 every finding seen again was rewritten whole, its detail JSON
 * too: a county's re-scan sent the server 5 MB of detail it already held (docs/performance.md,
 * "Session 41 (county scan)"). A finding whose detail or division moved is written whole as before.
 *
 * Counted by the server: the hub's pool has one connection here, so its session's Bytes_received
 * is everything the store sent.
 */
import mysql from 'mysql2/promise';
import { eq } from 'drizzle-orm';
import { createPool, hubDrizzle, type HubDb } from '../db/connect';
import { createScan, storeScanFindings, type FoundInRegion } from '../db/findings/store';
import { finding, findingOccurrence } from '../db/findings/schema';
import { fingerprintOf, contentHashOf } from '../domain/findings/identity';
import type { Finding } from '../domain/findings/facts';
import { makeIdNumber } from '../domain/id-number';
import { activeRuleSet } from '../rules/load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, TODAY } from './support/scenarios';

const VILLAGE = '370811001001';
const OTHER_VILLAGE = '370811001002';
const FINDINGS = 40;

let dbs: TestDatabases;
let pool: mysql.Pool;
let hub: HubDb;

beforeAll(async () => {
  dbs = await createTestDatabases('rescan_writes');
  await insertRegions(dbs);
  pool = createPool(dbs.hubUrl, { connectionLimit: 1 });
  hub = hubDrizzle(pool);
});

afterAll(async () => {
  await pool?.end();
  await dbs?.close();
});

/** A duplicate-grant finding of household `n`, its explanation long and in Chinese (the detail's UTF-8 text is what is compared). */
function findingOf(n: number, amountFen = 50_000): Finding {
  const idNumber = makeIdNumber('370811', '1970-01-01', 100 + n);
  const records = [1, 2].map((k) => ({
    department: 'CIVIL_AFFAIRS' as const,
    programme: 'TEMP_AID' as const,
    beneficiaryIdNumber: idNumber,
    sourceHouseholdRef: null,
    periodStart: null,
    periodEnd: null,
    grantDate: `2026-0${k}-10`,
    amountFen,
    status: 'ACTIVE' as const,
    sourceRef: `lsjz:R${n}-${k}`,
    cause: 'ILLNESS' as const,
  }));
  return {
    ruleId: 'X5',
    kind: 'REPEATED_GRANTS',
    severity: 'WARNING',
    scope: 'HOUSEHOLD',
    householdId: 1000 + n,
    idNumbers: [idNumber],
    records,
    measure: { type: 'REPEATED', cause: 'ILLNESS', count: 2, windowMonths: 12 },
    departments: ['CIVIL_AFFAIRS'],
    ongoing: false,
    fingerprint: fingerprintOf('X5', records.map((r) => r.sourceRef)),
    contentHash: contentHashOf(records.map((r) => `${r.sourceRef}|${r.amountFen}`)),
    explanation: `同一户在12个月内因同一原因（疾病）两次获得临时救助，金额${amountFen}分。`.repeat(20),
  } as Finding;
}

async function bytesReceived(): Promise<number> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Bytes_received'");
  return Number(rows[0].Value);
}

async function newScan(): Promise<number> {
  return createScan(hub, { regionCode: '370811', asOf: TODAY, ruleSet: activeRuleSet(), startedBy: 'test', startedByDepartment: null });
}

it('writes only the sighting of a finding found as stored, and a changed one whole', async () => {
  const found: FoundInRegion[] = Array.from({ length: FINDINGS }, (_, n) => ({ finding: findingOf(n), regionCode: VILLAGE }));
  const first = await newScan();
  expect(await storeScanFindings(hub, first, found)).toEqual({ found: FINDINGS, new: FINDINGS, reopened: 0, stillSettled: 0 });
  const before = new Map((await hub.select().from(finding)).map((r) => [r.fingerprint, r]));
  const detailBytes = [...before.values()].reduce((n, r) => n + Buffer.byteLength(r.detail), 0);

  // Seen again: all as stored but two, one whose amount (and so content and detail) changed, one whose household moved village.
  const again = found.map((f, n) => (n === 0 ? { finding: findingOf(0, 60_000), regionCode: VILLAGE } : n === 1 ? { ...f, regionCode: OTHER_VILLAGE } : f));
  const second = await newScan();
  const sent = await bytesReceived();
  expect(await storeScanFindings(hub, second, again)).toEqual({ found: FINDINGS, new: 0, reopened: 0, stillSettled: 0 });
  const sentByStore = (await bytesReceived()) - sent;
  // The two changed rows' detail, and statements; not the 38 unchanged details (before: all 40, over detailBytes).
  expect(sentByStore).toBeLessThan(detailBytes / 4);

  const after = new Map((await hub.select().from(finding)).map((r) => [r.fingerprint, r]));
  expect(after.size).toBe(FINDINGS);
  for (const [n, { finding: f, regionCode }] of again.entries()) {
    const row = after.get(f.fingerprint)!;
    const was = before.get(f.fingerprint)!;
    expect(row).toMatchObject({ id: was.id, firstScanId: first, lastScanId: second, firstSeenAt: was.firstSeenAt, status: 'OPEN', contentHash: f.contentHash, regionCode, townshipCode: regionCode!.slice(0, 9) });
    expect(row.lastSeenAt >= was.lastSeenAt).toBe(true);
    expect(JSON.parse(row.detail).explanation).toBe(f.explanation);
    if (n > 1) expect(row.detail).toBe(was.detail);
  }
  expect(after.get(again[0].finding.fingerprint)!.contentHash).not.toBe(before.get(again[0].finding.fingerprint)!.contentHash);
  expect(await hub.select().from(findingOccurrence).where(eq(findingOccurrence.scanId, second))).toHaveLength(FINDINGS);
});
