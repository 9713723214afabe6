/**
 * Several hub processes, one poller per source: two real hub processes (server/main.ts) poll the
 * same departments every half second; exactly one holds each department's lease, a row written
 * to 人社's database becomes exactly one alert, and when the holder is killed the other process
 * takes the lease over and goes on detecting.
 *
 * The lease is ten minutes, not the few seconds that would make the takeover quick: a lease lapses
 * when its holder misses renewing it for that long, and on a loaded 2-core machine a process can
 * stall for seconds (a 4 s lease was taken over from a live holder at load 20, and the test failed
 * though the product did as it should). So the live holder's lease never lapses here, and the test
 * proves what the product promises: the other process, trying every half second, never takes a
 * lease that has not expired, and the holder renews it. The dead holder's lease is then made to
 * expire with SQL (its expiry moved into the past, by the database's clock that takeExpiredLease
 * reads) instead of waiting ten minutes.
 */
import { eq, like } from 'drizzle-orm';
import { jobLease } from '../../db/jobs/schema';
import { monitoringAlert } from '../../db/monitoring/schema';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startHubProcess, stopHubProcess, type HubProcess } from '../support/hub-process';
import { insertRegions, insertResident } from '../support/scenarios';
import { until } from '../support/until';

jest.setTimeout(300_000);

let dbs: TestDatabases;
const hubs: HubProcess[] = [];
const JOB = 'monitor-poll:HUMAN_RESOURCES';


const expiry = (l: { expiresAt: string }) => new Date(`${l.expiresAt.replace(' ', 'T')}Z`).getTime();
const lease = async () => (await dbs.hub.select().from(jobLease).where(eq(jobLease.jobKey, JOB)))[0];
const alertsOf = (id: string) => dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, id));

/** A person in a household of 任城区古槐街道, who loses a job today (the processes judge on the real date). */
async function personWithJobLoss(seq: number): Promise<string> {
  const { idNumber: id } = await insertResident(dbs, { prefix: 'JOB', seq, birthDate: '1980-05-05' });
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await humanResourcesScenario.insert(dbs.sources.HUMAN_RESOURCES, 'unemploymentRegistrations', { sfzhm: id, syrq: today, djrq: today, syyy: '02' });
  return id;
}

beforeAll(async () => {
  dbs = await createTestDatabases('monitoring_procs');
  await insertRegions(dbs);
  const env = { AIDHUB_MONITOR_INTERVAL_MS: '500', AIDHUB_MONITOR_LEASE_MS: '600000', AIDHUB_DELIVERY_POLL_MS: '0', AIDHUB_JOB_TAKEOVER_MS: '0' };
  hubs.push(...(await Promise.all([startHubProcess(dbs.hubUrl, env), startHubProcess(dbs.hubUrl, env)])));
});

afterAll(async () => {
  for (const h of hubs) await stopHubProcess(h);
  await dbs?.close();
});

it('lets exactly one process poll a source, and another take over when it dies', async () => {
  const pids = hubs.map((h) => String(h.child.pid));
  // Both processes try every half second; one holds the lease and has set the watermark.
  const held = await until('a holder', lease, (l) => l !== undefined && l.holder !== '' && expiry(l) > Date.now() - 60_000);
  const holderPid = held.holder.split(':')[1];
  expect(pids).toContain(holderPid);
  const every = await dbs.hub.select().from(jobLease).where(like(jobLease.jobKey, 'monitor-poll:%'));
  expect(every.map((l) => l.jobKey).sort()).toEqual([...DEPARTMENT_CODES].sort().map((c) => `monitor-poll:${c}`));
  await until('the watermark', () => dbs.hubPool.query('SELECT COUNT(*) AS n FROM monitoring_watermark WHERE source_table LIKE ?', ['HUMAN_RESOURCES:%']), (r) => Number((r as unknown as [{ n: number }[]])[0][0].n) > 0);

  const first = await personWithJobLoss(11);
  const [alert] = await until('an alert', () => alertsOf(first), (a) => a.length > 0);
  // Give the other process a few ticks: it must not write a second one.
  await new Promise((r) => setTimeout(r, 3000));
  expect(await alertsOf(first)).toEqual([expect.objectContaining({ id: alert.id, triggerId: 'T4_JOB_LOSS', townshipCode: '370811001' })]);
  const stillHeld = await lease();
  expect(stillHeld.holder).toBe(held.holder);
  expect(Number(stillHeld.token)).toBe(Number(held.token));
  // And the holder renews it: the same token, expiring later than when first seen.
  const renewed = await until('a renewal', lease, (l) => Number(l.token) === Number(held.token) && expiry(l) > expiry(held));
  expect(renewed.holder).toBe(held.holder);

  // Kill the holder without a chance to release: the other takes over once the lease expires,
  // which the dead holder's lease is made to do now (still its token: nobody took it meanwhile).
  const holder = hubs.find((h) => String(h.child.pid) === holderPid)!;
  const exited = new Promise((r) => holder.child.once('exit', r));
  holder.child.kill('SIGKILL');
  await exited;
  const [aged] = (await dbs.hubPool.query('UPDATE job_lease SET expires_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 1 SECOND) WHERE job_key = ? AND token = ? AND holder = ?', [JOB, held.token, held.holder])) as unknown as [{ affectedRows: number }];
  expect(aged.affectedRows).toBe(1);
  const other = pids.find((p) => p !== holderPid)!;
  const taken = await until('a takeover', lease, (l) => l.holder.split(':')[1] === other);
  expect(Number(taken.token)).toBeGreaterThan(Number(held.token));

  const second = await personWithJobLoss(13);
  await until('an alert after the takeover', () => alertsOf(second), (a) => a.length > 0);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await alertsOf(second)).toHaveLength(1);
  expect(await alertsOf(first)).toHaveLength(1);
});
