/**
 * A finding on a hospital stay health holds in lower case and padded (`setl-x7 `), stored by a
 * release that built its fingerprint and content hash from the reference as health held it, is the
 * same finding once stays are keyed (domain/aid.ts settlementKey): the data upgrade
 * `settlement-keyed:finding` gives it the fingerprint this release builds from the stay's key, and
 * the scan holds an officer's dismissal made on the same content, spelled as that release spelled
 * it. Without them the next scan found the stay again as a new OPEN finding beside the dismissed one.
 *
 * Two findings meeting in one key (a scan of this release opened the stay again as new before the
 * upgrade ran): the one whose officer's decision stands, the later of two, takes the key; the other
 * keeps its row, status and history (under the fingerprint the first held, or its own). Running the upgrade again changes nothing.
 * Through real databases: the stays in health's own table, the grants in the union's, the findings
 * in the hub's.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { finding, findingEvent } from '../db/findings/schema';
import { settleFinding, type FindingDetail } from '../db/findings/store';
import { FINDINGS_SETTLEMENT_KEYED, runDataUpgrades } from '../db/setup/upgrades';
import { contentHashOf, fingerprintOf, recordContent } from '../domain/findings/identity';
import { recordKey } from '../domain/findings/facts';
import { makeIdNumber } from '../domain/id-number';
import { unionScenario } from '../federation/union/scenario';
import { ScanJobs } from '../resolvers/findings/scan';
import { activeRuleSet } from '../rules/load';
import { addHousehold, insertPneumoniaStay } from './findings-scenario';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, TODAY } from './support/scenarios';

jest.setTimeout(300_000);

/** Two patients, each with a stay health holds in lower case with a space after it, and a union illness grant on it beyond its burden (X7). */
const PATIENTS = {
  /** Its finding stored by the earlier release alone: rewritten in place. */
  alone: { registrationNo: 'F-KEYED-1', idNumber: makeIdNumber('370811', '1961-07-07', 37), fileNo: 'GH-K1', held: 'setl-k1 ', key: 'SETL-K1' },
  /** Found again as new by this release before the upgrade ran: two findings meet in one key. */
  twice: { registrationNo: 'F-KEYED-2', idNumber: makeIdNumber('370811', '1962-08-08', 39), fileNo: 'GH-K2', held: 'setl-k2 ', key: 'SETL-K2' },
  /** As twice, and an officer confirmed the new one after the earlier one was dismissed: the later decision keeps the key. */
  confirmed: { registrationNo: 'F-KEYED-3', idNumber: makeIdNumber('370811', '1963-09-09', 35), fileNo: 'GH-K3', held: 'setl-k3 ', key: 'SETL-K3' },
} as const;
type Patient = (typeof PATIENTS)[keyof typeof PATIENTS];

/** insertPneumoniaStay's amounts in fen, as X7's content names them (kinds.ts settlementExcess). */
const stayContent = (ref: string) => `settlement:${ref}:2000000:1200000:300000:200000:300000`;

const HEALTH_OFFICER = { actor: 'health-system', department: 'HEALTH' as const, officer: '医保科 李' };
const REASON = '工会帮扶与医疗救助按本县办法可叠加';

let dbs: TestDatabases;
const households = new Map<Patient, number>();
/** The finding row of each patient as the earlier release stored it, dismissed. */
const earlier = new Map<Patient, typeof finding.$inferSelect>();
/** twice, confirmed: the row this release's scan opened before the upgrade. */
const duplicates = new Map<Patient, typeof finding.$inferSelect>();

const deps = () => ({ hub: dbs.hub, sources: dbs.sourceSet, ruleSet: activeRuleSet(), today: TODAY, leaseMs: 60_000 });

async function scan(): Promise<number> {
  const started = await new ScanJobs().start(deps(), '370811', 'test', null);
  if (!started.ok) throw new Error('the scan did not start');
  await started.done;
  return started.scanId;
}

const x7Of = (p: Patient) => dbs.hub.select().from(finding).where(and(eq(finding.ruleId, 'X7'), eq(finding.householdId, households.get(p)!)));

/** The finding row as a release that built identity and content from the stay as health held it wrote it. */
function asEarlierRelease(row: typeof finding.$inferSelect, p: Patient): Partial<typeof finding.$inferSelect> {
  const detail = JSON.parse(row.detail) as FindingDetail;
  if (detail.measure.type !== 'SETTLEMENT_EXCESS') throw new Error('not X7');
  // This release's identity and content, as the test builds them: the formula is the code's.
  expect(row.fingerprint).toBe(fingerprintOf('X7', [...detail.records.map(recordKey), `settlement:${p.key}`]));
  expect(row.contentHash).toBe(contentHashOf([...detail.records.map(recordContent), stayContent(p.key)]));
  const records = detail.records.map((r) => (r.settlementRef === p.key ? { ...r, settlementRef: p.held } : r));
  expect(records.filter((r) => r.settlementRef === p.held)).toHaveLength(2);
  const held: FindingDetail = { ...detail, records, measure: { ...detail.measure, settlementRef: p.held }, explanation: detail.explanation.replace(p.key, p.held) };
  return {
    fingerprint: fingerprintOf('X7', [...records.map(recordKey), `settlement:${p.held}`]),
    contentHash: contentHashOf([...records.map(recordContent), stayContent(p.held)]),
    detail: JSON.stringify(held),
  };
}

beforeAll(async () => {
  dbs = await createTestDatabases('settlement_keyed_findings');
  await insertRegions(dbs);
  for (const p of Object.values(PATIENTS)) {
    households.set(p, await addHousehold(dbs, p.registrationNo, [{ idNumber: p.idNumber, name: '己', gender: 'M', birthDate: '1961-07-07' }]));
    await insertPneumoniaStay(dbs, p.held, p.idNumber);
    await unionScenario.insert(dbs.sources.UNION, 'workerFiles', { fileNo: p.fileNo, idCard: p.idNumber, employer: '济宁机床厂', hardshipLevel: 2, fileDate: '2024-01-01' });
    await unionScenario.insert(dbs.sources.UNION, 'grants', [{ fileNo: p.fileNo, grantType: 'DB', grantDate: '2026-02-01', amountFen: 350_000, setlRef: p.held }]);
  }
  await scan();

  // alone: the row rewritten as the earlier release stored it, then dismissed by health's officer.
  const [alone] = await x7Of(PATIENTS.alone);
  await dbs.hub.update(finding).set(asEarlierRelease(alone, PATIENTS.alone)).where(eq(finding.id, alone.id));
  // twice, confirmed: the earlier release's row beside the one this release's scan opened.
  for (const p of [PATIENTS.twice, PATIENTS.confirmed]) {
    const [duplicate] = await x7Of(p);
    duplicates.set(p, duplicate);
    const { id: _id, ...copy } = duplicate;
    await dbs.hub.insert(finding).values({ ...copy, ...asEarlierRelease(duplicate, p), status: 'OPEN', settledContentHash: null });
  }

  for (const p of Object.values(PATIENTS)) {
    const [row] = (await x7Of(p)).filter((r) => r.fingerprint !== duplicates.get(p)?.fingerprint);
    const dismissed = await settleFinding(dbs.hub, row.fingerprint, 'DISMISS', HEALTH_OFFICER, REASON);
    expect(dismissed.ok).toBe(true);
    earlier.set(p, (await dbs.hub.select().from(finding).where(eq(finding.id, row.id)))[0]);
  }
  // confirmed: the new one confirmed after: the last decision made.
  expect((await settleFinding(dbs.hub, duplicates.get(PATIENTS.confirmed)!.fingerprint, 'CONFIRM', { ...HEALTH_OFFICER, officer: '医保科 王' }, null)).ok).toBe(true);
  // As jobs migration 0006 leaves it for the first start of this release.
  await dbs.hubPool.query('UPDATE data_upgrade SET resume_after = 0, rows_changed = 0, finished_at = NULL WHERE name = ?', [FINDINGS_SETTLEMENT_KEYED]);
}, 300_000);

afterAll(async () => {
  await dbs?.close();
});

describe('findings stored on a stay spelled as health held it', () => {
  let upgraded: Awaited<ReturnType<typeof runDataUpgrades>>;
  let scanId: number;

  beforeAll(async () => {
    upgraded = await runDataUpgrades(dbs.hub, { batch: 1 });
    scanId = await scan();
  }, 300_000);

  test('the upgrade gives a dismissed finding the fingerprint of the stay as keyed: seen again, it is the same finding, still dismissed', async () => {
    const before = earlier.get(PATIENTS.alone)!;
    const rows = await x7Of(PATIENTS.alone);
    expect(rows.map((r) => ({ id: r.id, status: r.status, lastScanId: r.lastScanId }))).toEqual([{ id: before.id, status: 'DISMISSED', lastScanId: scanId }]);
    const events = await dbs.hub.select().from(findingEvent).where(eq(findingEvent.findingId, before.id));
    // The officer's dismissal alone, as it was made (the content it was made on kept): no REOPENED.
    expect(events.map((e) => ({ action: e.action, officer: e.officer, reason: e.reason, contentHash: e.contentHash }))).toEqual([{ action: 'DISMISSED', officer: HEALTH_OFFICER.officer, reason: REASON, contentHash: before.contentHash }]);
    // The same content in this release's spelling: the settled hash is the one the scan finds now.
    expect(rows[0].settledContentHash).toBe(rows[0].contentHash);
    expect(JSON.parse(rows[0].detail).measure.settlementRef).toBe(PATIENTS.alone.key);
  });

  test('two findings meeting in one key: the one an officer dismissed takes it, the one opened again keeps its row and history under the fingerprint the first held', async () => {
    const before = earlier.get(PATIENTS.twice)!;
    const duplicate = duplicates.get(PATIENTS.twice)!;
    const rows = await x7Of(PATIENTS.twice);
    expect(rows.map((r) => ({ id: r.id, fingerprint: r.fingerprint, status: r.status, lastScanId: r.lastScanId })).sort((a, b) => a.id - b.id)).toEqual([
      { id: duplicate.id, fingerprint: before.fingerprint, status: 'OPEN', lastScanId: duplicate.lastScanId },
      { id: before.id, fingerprint: duplicate.fingerprint, status: 'DISMISSED', lastScanId: scanId },
    ]);
    const events = await dbs.hub.select().from(findingEvent).where(inArray(findingEvent.findingId, [before.id, duplicate.id]));
    expect(events.map((e) => [e.findingId, e.action])).toEqual([[before.id, 'DISMISSED']]);
  });

  test('where the new one was confirmed after the earlier one was dismissed, the later decision keeps the key; the earlier is left as it was, and counted', async () => {
    const before = earlier.get(PATIENTS.confirmed)!;
    const duplicate = duplicates.get(PATIENTS.confirmed)!;
    const rows = await x7Of(PATIENTS.confirmed);
    expect(rows.map((r) => ({ id: r.id, fingerprint: r.fingerprint, status: r.status, lastScanId: r.lastScanId })).sort((a, b) => a.id - b.id)).toEqual([
      { id: duplicate.id, fingerprint: duplicate.fingerprint, status: 'CONFIRMED', lastScanId: scanId },
      { id: before.id, fingerprint: before.fingerprint, status: 'DISMISSED', lastScanId: before.lastScanId },
    ]);
  });

  test('the scan opened nothing new and reopened nothing; the upgrade counts what it changed', async () => {
    const [[counts]] = (await dbs.hubPool.query('SELECT new_count AS n, reopened_count AS reopened, still_settled_count AS still FROM finding_scan WHERE id = ?', [scanId])) as any;
    expect(counts).toEqual({ n: 0, reopened: 0, still: 2 });
    expect(upgraded.filter((r) => r.upgrade === FINDINGS_SETTLEMENT_KEYED)).toEqual([{ upgrade: FINDINGS_SETTLEMENT_KEYED, table: 'finding', rowsChanged: 2, tally: { findingsLeftBesideAnother: 1 } }]);
  });

  test('run again, the upgrade changes nothing', async () => {
    const rows = await dbs.hub.select().from(finding);
    const [[state]] = (await dbs.hubPool.query('SELECT resume_after, rows_changed, finished_at FROM data_upgrade WHERE name = ?', [FINDINGS_SETTLEMENT_KEYED])) as any;
    await dbs.hubPool.query('INSERT IGNORE INTO data_upgrade (name) VALUES (?)', [FINDINGS_SETTLEMENT_KEYED]);
    expect(await runDataUpgrades(dbs.hub, { batch: 1 })).toEqual([]);
    expect((await dbs.hubPool.query('SELECT resume_after, rows_changed, finished_at FROM data_upgrade WHERE name = ?', [FINDINGS_SETTLEMENT_KEYED]))[0]).toEqual([state]);
    // And from the start over rows already keyed: none changes.
    await dbs.hubPool.query('UPDATE data_upgrade SET resume_after = 0, rows_changed = 0, finished_at = NULL WHERE name = ?', [FINDINGS_SETTLEMENT_KEYED]);
    expect((await runDataUpgrades(dbs.hub, { batch: 1 })).filter((r) => r.upgrade === FINDINGS_SETTLEMENT_KEYED && r.rowsChanged > 0)).toEqual([]);
    expect(await dbs.hub.select().from(finding)).toEqual(rows);
  });
});
