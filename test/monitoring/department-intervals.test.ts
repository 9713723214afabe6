/**
 * Which departments a hub process polls, as README's Configuration promises: a real hub process
 * (server/main.ts) with DATABASE_URL. AIDHUB_MONITOR_INTERVAL_MS_<DEPARTMENT> alone polls that
 * department, and only it; with AIDHUB_MONITOR_INTERVAL_MS, a department given 0 is left out. A
 * department this process polls takes its lease (`monitor-poll:<DEPARTMENT>`) at its first tick,
 * and one it does not poll never has a lease row. Before, a department's interval alone was
 * accepted and ignored: the process polled nothing, and 0 was refused at start.
 */
import { like } from 'drizzle-orm';
import { jobLease } from '../../db/jobs/schema';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startHubProcess, stopHubProcess } from '../support/hub-process';
import { insertRegions } from '../support/scenarios';
import { until } from '../support/until';

jest.setTimeout(300_000);

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('monitor_intervals');
  await insertRegions(dbs);
});

afterAll(async () => {
  await dbs?.close();
});

const pollLeases = async () => (await dbs.hub.select().from(jobLease).where(like(jobLease.jobKey, 'monitor-poll:%'))).map((l) => l.jobKey.slice('monitor-poll:'.length)).sort();

/** The departments a hub process started with `env` polls: their leases once it has ticked, then stopped. */
async function polledWith(env: Record<string, string>, expectedCount: number): Promise<string[]> {
  await dbs.hubPool.query('DELETE FROM job_lease');
  const hub = await startHubProcess(dbs.hubUrl, { AIDHUB_DELIVERY_POLL_MS: '0', AIDHUB_JOB_TAKEOVER_MS: '0', ...env });
  try {
    await until('the polled departments’ leases', pollLeases, (l) => l.length >= expectedCount);
    // A few more ticks: a department not polled would have its lease row by now.
    await new Promise((r) => setTimeout(r, 1500));
    return await pollLeases();
  } finally {
    await stopHubProcess(hub);
  }
}

it('polls the one department whose interval alone is set', async () => {
  expect(await polledWith({ AIDHUB_MONITOR_INTERVAL_MS_HEALTH: '300' }, 1)).toEqual(['HEALTH']);
});

it('polls every department but one given 0, with the general interval', async () => {
  const others = DEPARTMENT_CODES.filter((c) => c !== 'EDUCATION');
  expect(await polledWith({ AIDHUB_MONITOR_INTERVAL_MS: '300', AIDHUB_MONITOR_INTERVAL_MS_EDUCATION: '0' }, others.length)).toEqual([...others].sort());
});

it('says that a monthly region on a process that polls nothing runs no monthly comparison', async () => {
  // It was accepted and ignored in silence: the operator waited a month for a comparison no process ran.
  await dbs.hubPool.query('DELETE FROM job_lease');
  const hub = await startHubProcess(dbs.hubUrl, { AIDHUB_DELIVERY_POLL_MS: '0', AIDHUB_JOB_TAKEOVER_MS: '0', AIDHUB_MONITOR_MONTHLY_REGION: '370800' });
  try {
    const warning = await until('the warning', async () => hub.output.join(''), (out) => out.includes('AIDHUB_MONITOR_MONTHLY_REGION is set, but this process polls no department'), 30_000);
    expect(warning).toContain('"level":40');
    expect(await pollLeases()).toEqual([]);
  } finally {
    await stopHubProcess(hub);
  }
});
