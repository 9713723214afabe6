/**
 * A replica that cannot read a department gives its poll over to one that can. Each department's
 * poll runs under a lease (`monitor-poll:<DEPT>`); a process with no route to 人社's 前置库 took the
 * lease, failed its read, and renewed the lease at its next tick before failing again, so it held
 * the lease for good: the replica that could read 人社 never polled it, and a job loss written
 * there never became an alert. Two real pollers over the real MariaDB, one given a source URL
 * nothing listens on.
 */
import { eq } from 'drizzle-orm';
import { monitoringAlert } from '../../db/monitoring/schema';
import type { SourceConfig } from '../../db/config';
import { freePort } from '../../db/setup/private-server';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import { closeSources, openSources, type Sources } from '../../federation/sources';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, type PollerOptions } from '../../resolvers/monitoring/poller';
import type { DetectDeps } from '../../resolvers/monitoring/detect';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';

jest.setTimeout(180_000);

describe('a poller that cannot read the department it holds the lease of', () => {
  let dbs: TestDatabases;
  let cutOff: Sources;
  const NOW = new Date(`${TODAY}T02:00:00.000Z`);
  const REGISTRATIONS = humanResourcesScenario.tables.unemploymentRegistrations.table;
  // A lease no tick here outlives: only a hand-over lets the other poller in.
  const OPTS: PollerOptions = { intervalMs: { default: 3_600_000 }, leaseMs: 600_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 0 };
  const deps = (sources: Sources): DetectDeps => ({ hub: dbs.hub, sources, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW });

  beforeAll(async () => {
    dbs = await createTestDatabases('poll_lease_unreachable');
    await insertRegions(dbs);
    const nothingListens = await freePort();
    cutOff = openSources(
      Object.fromEntries(
        DEPARTMENT_CODES.map((c) => [c, { url: c === 'HUMAN_RESOURCES' ? `mysql://root@127.0.0.1:${nothingListens}/aidhub_human_resources` : dbs.sourceUrls[c], timeoutMs: 2_000 }]),
      ) as Record<DepartmentCode, SourceConfig>,
    );
    // The first poll only sets the watermarks.
    const first = new MonitoringPoller(deps(dbs.sourceSet), OPTS);
    await first.tick('HUMAN_RESOURCES');
    await first.stop();
  });

  afterAll(async () => {
    await closeSources(cutOff);
    await dbs?.close();
  });

  it('hands the lease over, and the replica that reads 人社 opens the alert', async () => {
    const blind = new MonitoringPoller(deps(cutOff), OPTS);
    const seeing = new MonitoringPoller(deps(dbs.sourceSet), OPTS);
    try {
      await expect(blind.tick('HUMAN_RESOURCES')).rejects.toThrow();
      const { idNumber } = await insertResident(dbs, { prefix: 'PLU', seq: 1, birthDate: '1981-03-03' });
      await dbs.sources.HUMAN_RESOURCES.insert(REGISTRATIONS).values({ sfzhm: idNumber, syrq: TODAY, djrq: TODAY, syyy: '02' });
      expect(await seeing.tick('HUMAN_RESOURCES')).toMatchObject({ polled: true, rows: 1, alertsChanged: 1 });
      expect(await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, idNumber))).toEqual([expect.objectContaining({ triggerId: 'T4_JOB_LOSS', detectedBy: 'POLL' })]);
      // The one that holds it now keeps it: the blind one does not take it back while it is renewed.
      expect(await blind.tick('HUMAN_RESOURCES')).toEqual({ polled: false, rows: 0, alertsChanged: 0 });
    } finally {
      await blind.stop();
      await seeing.stop();
    }
  });
});
