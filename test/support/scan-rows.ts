/** A finished scan with findings, written straight into the hub's tables, for the findings export's tests. */
import type { TestDatabases } from './databases';
import { WANG } from './scenarios';

/**
 * Inserts a SUCCEEDED scan of 370811 and `findings` open M4 findings of the Wang household (its
 * head named in each, `explanation` as each one's text, in its township 370811001), each seen by
 * that scan; returns the scan's id. Inserted 50 at a time.
 */
export async function insertScanWithFindings(dbs: TestDatabases, householdId: number, findings: number, explanation: string, startedBy: string): Promise<number> {
  const at = '2026-03-16 02:00:00.000';
  const [scan] = (await dbs.hubPool.query(
    `INSERT INTO finding_scan (region_code, state, as_of, rule_set_name, rule_set_digest, started_by, started_at, heartbeat_at, finished_at) VALUES ('370811', 'SUCCEEDED', '2026-03-16', 'default', '0000000000000000', ?, ?, ?, ?)`,
    [startedBy, at, at, at],
  )) as any;
  const scanId = scan.insertId as number;
  const detail = JSON.stringify({ idNumbers: [WANG.head], records: [], measure: { type: 'MISSED', expected: ['MEDICAL_AID'], met: [] }, explanation });
  for (let i = 0; i < findings; i += 50) {
    const batch = Array.from({ length: Math.min(50, findings - i) }, (_, j) => i + j);
    await dbs.hubPool.query(
      `INSERT INTO finding (fingerprint, rule_id, kind, severity, scope, status, household_id, region_code, township_code, department_mask, ongoing, content_hash, first_scan_id, last_scan_id, first_seen_at, last_seen_at, detail, updated_at) VALUES ${batch.map(() => "(?, 'M4', 'MISSED_AID', 'MISSED_AID', 'PERSON', 'OPEN', ?, ?, '370811001', 8, 1, ?, ?, ?, ?, ?, ?, ?)").join(', ')}`,
      batch.flatMap((n) => [n.toString(16).padStart(32, '0'), householdId, WANG.regionCode, 'c'.repeat(32), scanId, scanId, at, at, detail, at]),
    );
  }
  await dbs.hubPool.query(
    'INSERT INTO finding_occurrence (scan_id, finding_id, rule_id, severity, township_code, department_mask) SELECT ?, id, rule_id, severity, township_code, department_mask FROM finding WHERE first_scan_id = ?',
    [scanId, scanId],
  );
  return scanId;
}
