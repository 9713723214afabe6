/**
 * Job leases in the hub database (db/job-lease.ts): one taker of an expired lease among many, a
 * fencing token that stops a replaced holder's writes, and a scan whose process died taken over
 * and finished from where it had got to.
 */
import { sql } from 'drizzle-orm';
import { ScanJobs } from '../resolvers/findings/scan';
import { createScan } from '../db/findings/store';
import { toDbInstant } from '../db/instants';
import { checkFence, createLease, ensureLeaseRow, fenced, lockLeaseRow, LeaseLost, renewLease, takeExpiredLease, type Lease } from '../db/jobs/lease';
import { lockingTransaction } from '../db/locking';
import { activeRuleSet } from '../rules/load';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { insertCases } from './findings-scenario';
import { startTestHub } from './support/hub';
import { region } from '../db/household/schema';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('job_lease');
  await insertRegions(dbs);
  await insertWang(dbs);
  await insertCases(dbs);
  // Two counties with no household here, scanned below: a division the hub does not know is refused (REGION_UNKNOWN).
  await dbs.hub.insert(region).values([
    { code: '370827', name: '鱼台县', level: 'COUNTY', parentCode: '370800' },
    { code: '370830', name: '汶上县', level: 'COUNTY', parentCode: '370800' },
  ]);
});

afterAll(async () => {
  await dbs?.close();
});

const expire = (key: string) => dbs.hubPool.query(`UPDATE job_lease SET expires_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 1 SECOND) WHERE job_key = ?`, [key]);
const leaseRow = async (key: string) => ((await dbs.hubPool.query('SELECT holder, token, resume_after FROM job_lease WHERE job_key = ?', [key])) as any)[0][0];

describe('a lease', () => {
  it('is taken by exactly one of several replicas once it has expired, with the next token', async () => {
    const first = await createLease(dbs.hub, 'test:one', 'replica-a', 60_000);
    expect(first.token).toBe(1);
    // Held and not expired: nobody takes it.
    expect(await takeExpiredLease(dbs.hub, 'test:one', 'replica-b', 60_000)).toBeNull();
    await expire('test:one');
    const takers = await Promise.all(['b', 'c', 'd', 'e'].map((r) => takeExpiredLease(dbs.hub, 'test:one', `replica-${r}`, 60_000)));
    const won = takers.filter((t) => t !== null);
    expect(won).toHaveLength(1);
    expect(won[0]!.lease.token).toBe(2);
    expect(await leaseRow('test:one')).toEqual({ holder: won[0]!.lease.holder, token: 2, resume_after: null });
  });

  it('fences off the holder it replaced: its renewals and writes are refused', async () => {
    const old = await createLease(dbs.hub, 'test:fence', 'replica-a', 60_000);
    await expire('test:fence');
    const taken = await takeExpiredLease(dbs.hub, 'test:fence', 'replica-b', 60_000);
    expect(taken).not.toBeNull();
    expect(await renewLease(dbs.hub, old, 60_000)).toBe(false);
    expect(await renewLease(dbs.hub, taken!.lease, 60_000)).toBe(true);
    await expect(lockingTransaction(dbs.hub, (tx) => checkFence(tx, old))).rejects.toBeInstanceOf(LeaseLost);
    // A fenced write by the old holder leaves nothing behind.
    await dbs.hubPool.query('CREATE TABLE IF NOT EXISTS lease_probe (k VARCHAR(20) PRIMARY KEY)');
    await expect(fenced(dbs.hub, old, (tx) => tx.execute(sql`INSERT INTO lease_probe (k) VALUES ('old')`))).rejects.toBeInstanceOf(LeaseLost);
    await fenced(dbs.hub, taken!.lease, (tx) => tx.execute(sql`INSERT INTO lease_probe (k) VALUES ('new')`));
    const [rows] = (await dbs.hubPool.query('SELECT k FROM lease_probe ORDER BY k')) as any;
    expect(rows).toEqual([{ k: 'new' }]);
  });
});

describe('a scan whose hub process died', () => {
  const ruleSet = activeRuleSet();
  const deps = () => ({ hub: dbs.hub, sources: dbs.sourceSet, ruleSet, today: TODAY, leaseMs: 60_000 });

  async function seenBy(scanId: number): Promise<number[]> {
    const [rows] = (await dbs.hubPool.query(
      'SELECT DISTINCT f.household_id AS id FROM finding_occurrence o JOIN finding f ON f.id = o.finding_id WHERE o.scan_id = ? AND f.household_id IS NOT NULL',
      [scanId],
    )) as any;
    return rows.map((r: any) => Number(r.id));
  }

  async function orphanScan(regionCode: string, resumeAfter: { afterId: number } | null, done: number): Promise<{ scanId: number; lease: Lease }> {
    const scanId = await createScan(dbs.hub, { regionCode, asOf: TODAY, ruleSet, startedBy: 'dead-replica', startedByDepartment: null });
    const lease = await createLease(dbs.hub, `scan:${scanId}`, 'dead-replica', 60_000);
    await dbs.hubPool.query('UPDATE finding_scan SET households_done = ? WHERE id = ?', [done, scanId]);
    if (resumeAfter) await dbs.hubPool.query('UPDATE job_lease SET resume_after = ? WHERE job_key = ?', [JSON.stringify(resumeAfter), `scan:${scanId}`]);
    return { scanId, lease };
  }

  it('is left alone while its lease runs, then taken over and finished from its last stored chunk', async () => {
    // In hub id order, the order a scan reads its households in.
    const [households] = (await dbs.hubPool.query(`SELECT id FROM household WHERE region_code LIKE '370811%' ORDER BY id`)) as any;
    expect(households.length).toBeGreaterThan(2);
    // A full scan first, to know which households have findings.
    const full = await new ScanJobs().start(deps(), '370811', 'test', null);
    if (!full.ok) throw new Error('the full scan did not start');
    await full.done;
    const withFindings = await seenBy(full.scanId);
    const cut = households.findIndex((h: any) => withFindings.includes(h.id));
    expect(cut).toBeGreaterThanOrEqual(0);
    expect(withFindings.some((id) => households.findIndex((h: any) => h.id === id) > cut)).toBe(true);
    // It had stored the chunks up to that household before it died.
    const { scanId, lease: deadLease } = await orphanScan('370811', { afterId: households[cut].id }, cut + 1);
    const jobs = new ScanJobs();
    expect(await jobs.takeOver(deps())).toEqual([]);

    await expire(`scan:${scanId}`);
    // Two replicas look at once: one takes it.
    const other = new ScanJobs();
    const taken = await Promise.all([jobs.takeOver(deps()), other.takeOver(deps())]);
    expect(taken.flat()).toEqual([scanId]);
    await Promise.all([jobs.idle(), other.idle()]);

    const [[scan]] = (await dbs.hubPool.query('SELECT state, failure, households_total, households_done FROM finding_scan WHERE id = ?', [scanId])) as any;
    expect(scan).toEqual({ state: 'SUCCEEDED', failure: null, households_total: households.length, households_done: households.length });
    // Only the households after the cursor were read again: it saw the later ones' findings, not that one's.
    const seen = await seenBy(scanId);
    expect(seen).not.toContain(households[cut].id);
    expect(seen.sort()).toEqual(withFindings.filter((id) => households.findIndex((h: any) => h.id === id) > cut).sort());
    expect((await leaseRow(`scan:${scanId}`)).token).toBe(2);
    // The dead process, had it woken, could write nothing more.
    await expect(lockingTransaction(dbs.hub, (tx) => checkFence(tx, deadLease))).rejects.toBeInstanceOf(LeaseLost);
  });

  it('is handed over at its next chunk when its hub process stops, and finished by another from there', async () => {
    // A hub stopped with SIGTERM waited for its scans to finish before it would exit (a city's
    // scan takes long past a service manager's patience); killed then, its scan was taken over
    // only once the lease had run out.
    const [households] = (await dbs.hubPool.query(`SELECT id FROM household WHERE region_code LIKE '370811%'`)) as any;
    expect(households.length).toBeGreaterThan(2);
    const stopping = new ScanJobs();
    let stopped: Promise<void> | null = null;
    const started = await stopping.start(deps(), '370811', 'test', null, {
      chunkHouseholds: 1,
      sliceHouseholds: 1,
      lookahead: 1,
      // The hub is stopped once the scan is under way.
      onProgress: () => void (stopped ??= stopping.stop()),
    });
    if (!started.ok) throw new Error('the scan did not start');
    await expect(started.done).rejects.toThrow('handed over');
    await stopped;
    const [[mid]] = (await dbs.hubPool.query('SELECT state, households_done FROM finding_scan WHERE id = ?', [started.scanId])) as any;
    expect(mid.state).toBe('RUNNING');
    expect(mid.households_done).toBeLessThan(households.length);
    // Free at once, and the stopped process can write nothing more.
    const lease = await leaseRow(`scan:${started.scanId}`);
    expect(lease.token).toBe(2);
    const other = new ScanJobs();
    expect(await other.takeOver(deps())).toEqual([started.scanId]);
    await other.idle();
    const [[scan]] = (await dbs.hubPool.query('SELECT state, failure, households_total, households_done FROM finding_scan WHERE id = ?', [started.scanId])) as any;
    expect(scan).toEqual({ state: 'SUCCEEDED', failure: null, households_total: households.length, households_done: households.length });
  });

  it('is ended FAILED (RULE_SET_CHANGED) rather than finished under another rule set', async () => {
    const scanId = await createScan(dbs.hub, { regionCode: '370826', asOf: TODAY, ruleSet: { ...ruleSet, digest: 'f'.repeat(16) }, startedBy: 'dead-replica', startedByDepartment: null });
    await createLease(dbs.hub, `scan:${scanId}`, 'dead-replica', 60_000);
    await expire(`scan:${scanId}`);
    const jobs = new ScanJobs();
    expect(await jobs.takeOver(deps())).toEqual([scanId]);
    const [[scan]] = (await dbs.hubPool.query('SELECT state, failure FROM finding_scan WHERE id = ?', [scanId])) as any;
    expect(scan).toEqual({ state: 'FAILED', failure: 'RULE_SET_CHANGED' });
  });

  it('once marked INTERRUPTED by a later start, can write nothing more even if its process wakes', async () => {
    const { scanId, lease: stalled } = await orphanScan('370826', null, 0);
    await dbs.hubPool.query('UPDATE finding_scan SET heartbeat_at = ? WHERE id = ?', [toDbInstant(new Date(Date.now() - 11 * 60_000)), scanId]);
    const next = await new ScanJobs().start(deps(), '370826', 'test', null);
    expect(next.ok).toBe(true);
    if (next.ok) await next.done;
    const [[scan]] = (await dbs.hubPool.query('SELECT state, failure FROM finding_scan WHERE id = ?', [scanId])) as any;
    expect(scan).toEqual({ state: 'FAILED', failure: 'INTERRUPTED' });
    await expect(lockingTransaction(dbs.hub, (tx) => checkFence(tx, stalled))).rejects.toBeInstanceOf(LeaseLost);
  });

  it('answers two starts sent at once, while another replica scans the division, each with that scan', async () => {
    const elsewhere = await createScan(dbs.hub, { regionCode: '370827', asOf: TODAY, ruleSet, startedBy: 'other-replica', startedByDepartment: null });
    const jobs = new ScanJobs();
    // In one tick: the first reserves the division in this process, the second finds the reservation and waits for its outcome.
    const both = await Promise.all([jobs.start(deps(), '370827', 'test', null), jobs.start(deps(), '370827', 'test', null)]);
    expect(both).toEqual([0, 1].map(() => ({ ok: false, code: 'SCAN_ALREADY_RUNNING', scanId: elsewhere })));
    await dbs.hubPool.query("UPDATE finding_scan SET state = 'FAILED', failure = 'INTERRUPTED' WHERE id = ?", [elsewhere]);
  });

  it('takes over a start that another start of this process, which it waited on, lost to a database error', async () => {
    const jobs = new ScanJobs();
    await ensureLeaseRow(dbs.hub, 'scan-start');
    // Holds the row that serialises scan starts, as a start does: the first start waits on it until its statement is killed.
    let locked!: () => void;
    let letGo!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = lockingTransaction(dbs.hub, async (tx) => {
      await lockLeaseRow(tx, 'scan-start');
      locked();
      await new Promise<void>((r) => (letGo = r));
    });
    let first: Promise<unknown> | undefined;
    try {
      await isLocked;
      // In one tick: the first reserves the division in this process, the second finds the reservation and waits for its outcome.
      first = jobs.start(deps(), '370830', 'test', null);
      first.catch(() => undefined);
      const second = jobs.start(deps(), '370830', 'test', null);
      let waiting: number | undefined;
      for (let tries = 0; tries < 600 && waiting === undefined; tries++) {
        const [rows] = (await dbs.hubPool.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO LIKE '%job_lease%'")) as any;
        waiting = rows[0]?.id;
        if (waiting === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      await dbs.hubPool.query(`KILL QUERY ${Number(waiting)}`);
      letGo();
      // The first fails on the database's error (query interrupted), having written nothing.
      await expect(first).rejects.toMatchObject({ cause: { errno: 1317 } });
      // The second, which answered SCAN_ALREADY_RUNNING with no scan (id 0), starts the scan itself.
      const started = await second;
      expect(started).toEqual({ ok: true, scanId: expect.any(Number), done: expect.any(Promise) });
      await jobs.idle();
      const [scans] = (await dbs.hubPool.query("SELECT id, state FROM finding_scan WHERE region_code = '370830'")) as any;
      expect(scans).toEqual([{ id: (started as { scanId: number }).scanId, state: 'SUCCEEDED' }]);
    } finally {
      letGo?.();
      await holding;
      await first?.catch(() => undefined);
      await jobs.idle();
    }
  }, 120_000);

  it('records its heartbeat as it runs', async () => {
    const before = toDbInstant(new Date(Date.now() - 60_000));
    const jobs = new ScanJobs();
    const started = await jobs.start(deps(), '370811001', 'test', null);
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    await started.done;
    const [[scan]] = (await dbs.hubPool.query('SELECT state, heartbeat_at > ? AS beat FROM finding_scan WHERE id = ?', [before, started.scanId])) as any;
    expect(scan).toEqual({ state: 'SUCCEEDED', beat: 1 });
    const [[row]] = (await dbs.hubPool.query('SELECT token, expires_at <= UTC_TIMESTAMP(3) AS ended FROM job_lease WHERE job_key = ?', [`scan:${started.scanId}`])) as any;
    expect(row).toEqual({ token: 1, ended: 1 });
  });
});

describe('a scan started through the API', () => {
  it('holds its lease as long as the hub is configured to (HubConfig.jobLeaseMs), not what the environment says', async () => {
    expect(process.env.AIDHUB_JOB_LEASE_MS).toBeUndefined();
    const hub = await startTestHub(dbs, { today: TODAY, config: { jobLeaseMs: 777_000 } });
    // The scan's first read waits on this lock, so its lease is read while the scan holds it.
    const locker = await dbs.hubPool.getConnection();
    try {
      await locker.query('LOCK TABLES household WRITE');
      const started = await hub.as({ purpose: 'MONITORING' }).gql(`mutation { scanStart(input: { regionCode: "370826" }) { scan { id } userErrors { code } } }`);
      expect(started.data.scanStart.userErrors).toEqual([]);
      const key = `scan:${started.data.scanStart.scan.id}`;
      const [[row]] = (await dbs.hubPool.query('SELECT TIMESTAMPDIFF(MICROSECOND, heartbeat_at, expires_at) DIV 1000 AS ms FROM job_lease WHERE job_key = ?', [key])) as any;
      expect(Number(row.ms)).toBe(777_000);
      await locker.query('UNLOCK TABLES');
      for (let i = 0; i < 600; i++) {
        const [[scan]] = (await dbs.hubPool.query('SELECT state FROM finding_scan WHERE id = ?', [started.data.scanStart.scan.id])) as any;
        if (scan.state !== 'RUNNING') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await locker.query('UNLOCK TABLES').catch(() => undefined);
      locker.release();
      await hub.close();
    }
  }, 120_000);
});
