/**
 * /metrics on its own: the labels hold no personal data: an operation name is the caller's to choose, and a
 * department system naming its queries after the person asked about put that person's ID number in
 * every scrape (metrics are not audited and go to the monitoring system).
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { monitoringMonthlyRun } from '../db/monitoring-monthly/schema';
import { HubMetrics, metricsHandler, OPERATION_LABELS_MAX, runEndLabels } from '../server/metrics';
import { createPool, hubDrizzle } from '../db/connect';
import { freePort } from '../db/setup/private-server';
import { claimDue, markDead } from '../db/alert-delivery/store';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { HOSTS, insertSubscribedRegions, raise, subscribe, subscriberClient, syntheticAlert } from './alert-delivery/scenario';
import { startAlertReceiver, type AlertReceiver } from './support/alert-receiver';
import { MonitoringPoller, type PollerOptions } from '../resolvers/monitoring/poller';
import { activeRuleSet } from '../rules/load';
import { activeTriggerSet } from '../rules/triggers-load';
import { makeIdNumber } from '../domain/id-number';
import { DEPARTMENT_CODES } from '../domain/departments';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { until } from './support/until';
import { capturedLog } from './support/log-lines';
import { addHousehold } from './findings-scenario';

const ID_NUMBER = '370811199001011234';

it('keeps an operation name as its label', () => {
  const metrics = new HubMetrics(null);
  expect(metrics.operationLabel('HouseholdDossier')).toBe('HouseholdDossier');
  expect(metrics.operationLabel(undefined)).toBe('anonymous');
  expect(metrics.operationLabel('not a name!')).toBe('anonymous');
});

it.each([`household_${ID_NUMBER}`, `q${ID_NUMBER}`, 'lookup_370811_19900101_1234', `A${ID_NUMBER.slice(0, 17)}X`])('withholds an operation name that holds an ID number (%s)', async (name) => {
  const metrics = new HubMetrics(null);
  expect(metrics.operationLabel(name)).toBe('withheld');
  metrics.requests.inc({ operation: metrics.operationLabel(name), outcome: 'OK' });
  const text = await metrics.registry.metrics();
  expect(text).not.toContain('19900101');
  expect(text).toContain('operation="withheld"');
});

it('shows a department whose read failed since the last scrape as unavailable, though the probe at the scrape answers', async () => {
  const metrics = new HubMetrics(null);
  const allAnswer = Object.fromEntries(DEPARTMENT_CODES.map((d) => [d, { available: true }])) as Record<(typeof DEPARTMENT_CODES)[number], { available: boolean }>;
  metrics.watchSources(async () => allAnswer);
  const union = async () => /^aidhub_source_available\{department="UNION"\} (\d)$/m.exec(await metrics.registry.metrics())?.[1];
  metrics.sourceOutcome({ department: 'UNION', available: false, latencyMs: 2000, reason: 'TIMEOUT' });
  expect(await union()).toBe('0');
  // The next scrape with no failed read since shows the probe's answer.
  expect(await union()).toBe('1');
});

it('counts operation names past the first ones as other', () => {
  const metrics = new HubMetrics(null);
  for (let i = 0; i < OPERATION_LABELS_MAX; i++) expect(metrics.operationLabel(`Op${i}`)).toBe(`Op${i}`);
  expect(metrics.operationLabel('OneMore')).toBe('other');
});

// A failed run's labels are its department and reason from a closed list: no failure text, however
// made, adds a series of its own (test/scan-source-misbehaves.test.ts scrapes a real one).
it('labels a failed run by department and reason, and anything unknown as OTHER', () => {
  expect(runEndLabels(null)).toEqual({ outcome: 'succeeded', department: '', reason: '' });
  expect(runEndLabels('DEPARTMENT_UNAVAILABLE:UNION:UNREADABLE_ROWS')).toEqual({ outcome: 'failed', department: 'UNION', reason: 'UNREADABLE_ROWS' });
  expect(runEndLabels('LEASE_LOST')).toEqual({ outcome: 'failed', department: '', reason: 'LEASE_LOST' });
  for (const odd of ['DEPARTMENT_UNAVAILABLE:NOWHERE:TIMEOUT', 'DEPARTMENT_UNAVAILABLE:UNION:SOMETHING', 'DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT:X', `ERR_${ID_NUMBER}`]) {
    expect(runEndLabels(odd)).toEqual({ outcome: 'failed', department: '', reason: 'OTHER' });
  }
});

describe('a scrape while the hub database does not answer', () => {
  // /metrics answered 500 (nothing at all) whenever the running scans could not be read: an
  // operator's dashboards went blank, process and source metrics with them, just when the
  // database was down.
  it('still serves every other metric, without the scans', async () => {
    const port = await freePort();
    const pool = createPool(`mysql://root@127.0.0.1:${port}/aidhub`, { deadlineMs: 2_000 });
    const metrics = new HubMetrics(hubDrizzle(pool));
    metrics.requests.inc({ operation: 'HouseholdDossier', outcome: 'OK' });
    const server = http.createServer(metricsHandler(metrics, null));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).toContain('aidhub_graphql_requests_total{operation="HouseholdDossier",outcome="OK"} 1');
      expect(body).not.toMatch(/^aidhub_scan_households\{/m);
      expect(body).not.toMatch(/^aidhub_alert_outbox_deliveries\{/m);
      expect(body).not.toMatch(/^aidhub_alert_outbox_oldest_pending_age_seconds /m);
      expect(body).not.toMatch(/^aidhub_monitoring_poll_age_seconds\{/m);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    }
  }, 60_000);
});

describe('rate-limit refusals and the pushed-alert outbox, through a real scrape', () => {
  // /metrics said nothing of either: an operator learnt of a client held at its limit, or of pushes
  // piling up undelivered or dead, from the people who missed them.
  const CLIENT_LIMIT = 3;
  const AUTH_FAILURE_LIMIT = 2;
  let dbs: TestDatabases;
  let hub: TestHub;

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_scrape');
    await insertSubscribedRegions(dbs.hub);
    // No delivery worker (alertDelivery unset): the outbox stays as the test leaves it.
    hub = await startTestHub(dbs, { metrics: true, rateLimitPerMinute: CLIENT_LIMIT, authFailuresPerMinute: AUTH_FAILURE_LIMIT });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  async function scrape(): Promise<string> {
    const res = await fetch(hub.metricsUrl!);
    expect(res.status).toBe(200);
    return res.text();
  }

  it('counts RATE_LIMITED refusals by limit, with no client or address in a label', async () => {
    const before = await scrape();
    expect(before).toContain('aidhub_rate_limited_total{limit="client"} 0');
    expect(before).toContain('aidhub_rate_limited_total{limit="auth_failure"} 0');
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_LIMIT + 2; i++) statuses.push((await hub.gql('{ caller { name } }')).status);
    for (let i = 0; i < AUTH_FAILURE_LIMIT + 1; i++) statuses.push((await hub.gql('{ caller { name } }', {}, { authorization: 'Bearer ahk_not_a_token' })).status);
    expect(statuses.filter((st) => st === 429)).toHaveLength(3);
    const body = await scrape();
    expect(body).toContain('aidhub_rate_limited_total{limit="client"} 2');
    expect(body).toContain('aidhub_rate_limited_total{limit="auth_failure"} 1');
    // One line per limit (the cost of a client's queries in flight, server/query-cost.ts, among them), none per client.
    expect(body).toContain('aidhub_rate_limited_total{limit="query_cost_in_flight"} 0');
    expect(body).toContain('aidhub_rate_limited_total{limit="connections_per_address"} 0');
    expect(body.split('\n').filter((l) => l.startsWith('aidhub_rate_limited_total{'))).toHaveLength(4);
    expect(body).not.toContain('127.0.0.1');
    expect(body).not.toMatch(/test-\d+-\d+-\d+/);
  }, 60_000);

  it('reports the outbox backlog (due, claimed, scheduled) and the dead letters, read from the hub database', async () => {
    const empty = await scrape();
    expect(empty).toContain('aidhub_alert_outbox_deliveries{state="due"} 0');
    expect(empty).toContain('aidhub_alert_outbox_deliveries{state="dead"} 0');
    await subscriberClient(dbs.hub, 'metrics-subscriber');
    await subscribe(dbs.hub, 'metrics-subscriber', 'http://127.0.0.1:9/alerts');
    for (let i = 0; i < 4; i++) await raise(dbs.hub, syntheticAlert());
    // Two claimed by a worker round (as a replica's would), one of which ends a dead letter.
    const claimed = await claimDue(dbs.hub, 'metrics-test-round', 2, 600_000);
    expect(claimed).toHaveLength(2);
    expect(await markDead(dbs.hub, 'metrics-test-round', claimed[0].id, 500, 'test')).toBe(true);
    const body = await scrape();
    expect(body).toContain('aidhub_alert_outbox_deliveries{state="due"} 2');
    expect(body).toContain('aidhub_alert_outbox_deliveries{state="claimed"} 1');
    expect(body).toContain('aidhub_alert_outbox_deliveries{state="scheduled"} 0');
    expect(body).toContain('aidhub_alert_outbox_deliveries{state="dead"} 1');
  }, 60_000);
});

describe('monthly comparisons run from the command line, through a real scrape', () => {
  // `npm run monitor:monthly` runs in a process of its own, with no /metrics: its runs were counted
  // nowhere, and a month's comparison run that way (or failed that way) did not show on the dashboards.
  let dbs: TestDatabases;
  let hub: TestHub;

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_monthly_cli');
    await insertRegions(dbs);
    await addHousehold(dbs, 'MC-0001', [{ idNumber: makeIdNumber('370811', '1960-05-01', 11), name: '孙某', gender: 'M', birthDate: '1960-05-01' }]);
    hub = await startTestHub(dbs, { metrics: true });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('shows the run of the newest month by state, whichever process ran it', async () => {
    const scrape = async () => (await fetch(hub.metricsUrl!)).text();
    expect(await scrape()).not.toMatch(/^aidhub_monitoring_monthly_runs\{/m);
    const cli = spawnSync(path.join(__dirname, '..', 'node_modules', '.bin', 'tsx'), [path.join(__dirname, '..', 'tools', 'monitor-monthly.ts'), '--region', '370811'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: dbs.hubUrl, AIDHUB_RULES_FILE: '', AIDHUB_TRIGGERS_FILE: '' },
      timeout: 240_000,
    });
    expect([cli.status, cli.stderr]).toEqual([0, '']);
    const [{ month }] = await dbs.hub.select().from(monitoringMonthlyRun);
    const body = await scrape();
    expect(body).toContain(`aidhub_monitoring_monthly_runs{month="${month}",state="SUCCEEDED"} 1`);
    expect(body).toContain(`aidhub_monitoring_monthly_runs{month="${month}",state="RUNNING"} 0`);
    expect(body).toContain(`aidhub_monitoring_monthly_runs{month="${month}",state="FAILED"} 0`);
    // No run is running: no progress to show.
    expect(body).not.toMatch(/^aidhub_monitoring_monthly_households\{/m);
  }, 300_000);
});

describe('unauthenticated refusals, through a real scrape', () => {
  // A 401 is answered before Apollo, so aidhub_graphql_requests_total never saw one: a token
  // rotation that left an office with a dead token showed on the dashboards as its traffic stopping.
  let dbs: TestDatabases;
  let hub: TestHub;

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_unauth');
    hub = await startTestHub(dbs, { metrics: true, authFailuresPerMinute: 100 });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('counts them by reason, from 0, with no token or address in a label', async () => {
    const before = await (await fetch(hub.metricsUrl!)).text();
    for (const reason of ['TOKEN_MISSING', 'TOKEN_MALFORMED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED']) expect(before).toContain(`aidhub_unauthenticated_total{reason="${reason}"} 0`);
    const statuses = [
      (await hub.gql('{ caller { name } }', {}, { authorization: `Bearer ahk_${'A'.repeat(43)}` })).status,
      (await hub.gql('{ caller { name } }', {}, { authorization: `Bearer ahk_${'B'.repeat(43)}` })).status,
      (await hub.gql('{ caller { name } }', {}, { authorization: 'Basic c2VjcmV0' })).status,
    ];
    expect(statuses).toEqual([401, 401, 401]);
    const body = await (await fetch(hub.metricsUrl!)).text();
    expect(body).toContain('aidhub_unauthenticated_total{reason="TOKEN_INVALID"} 2');
    expect(body).toContain('aidhub_unauthenticated_total{reason="TOKEN_MALFORMED"} 1');
    expect(body).not.toMatch(/AAAA|BBBB/);
    expect(body).not.toContain('c2VjcmV0');
    expect(body).not.toContain('127.0.0.1');
  }, 60_000);
});

describe('the reported-aid ledger as a source, through a real scrape', () => {
  // Every department source had aidhub_source_* series but REPORTED: a household query reads the
  // ledger with its members (the hub's own database), and the department loader it primes never
  // reported a read, so a slow or broken ledger showed nowhere on the dashboards.
  const BENEFICIARY = makeIdNumber('370811', '1966-06-06', 51);
  let dbs: TestDatabases;
  let hub: TestHub;
  let householdId: number;

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_reported');
    await insertRegions(dbs);
    householdId = await addHousehold(dbs, 'F-MR', [{ idNumber: BENEFICIARY, name: '癸', gender: 'F', birthDate: '1966-06-06' }]);
    hub = await startTestHub(dbs, { today: TODAY, metrics: true });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('shows the duration and availability of its reads after a household query that read reported aid', async () => {
    const e = await hub.createClient({ name: 'metrics-emergency', department: 'EMERGENCY_MANAGEMENT', regionScope: '370811', roles: ['DEPARTMENT_WRITER'] });
    const reported = await hub.as({ token: e.token, purpose: 'DUPLICATE_CHECK' }).gql(
      `mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded userErrors { code } } }`,
      { r: [{ reference: 'MR-1', beneficiaryIdNumber: BENEFICIARY, programme: 'WINTER_SPRING_RELIEF', grantDate: '2026-01-20', amountFen: 80_000 }] },
    );
    expect(reported.data.aidReport).toEqual({ recorded: 1, userErrors: [] });
    const before = await (await fetch(hub.metricsUrl!)).text();
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { members { person { aid { programme { code } department { code } } } } sources { department { code } available } } }`, { id: String(householdId) });
    expect(res.errors).toBeUndefined();
    const aid = res.data.household.members.flatMap((m: { person: { aid: { department: { code: string } }[] } }) => m.person.aid);
    expect(aid.map((a: { programme: { code: string } }) => a.programme.code)).toContain('WINTER_SPRING_RELIEF');
    const reads = (text: string, department: string) => Number(new RegExp(`^aidhub_source_duration_seconds_count\\{department="${department}",available="true"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    const body = await (await fetch(hub.metricsUrl!)).text();
    // The ledger's read counted as any department's is (CIVIL_AFFAIRS beside it for comparison).
    expect(reads(body, 'CIVIL_AFFAIRS')).toBeGreaterThan(reads(before, 'CIVIL_AFFAIRS'));
    expect(reads(body, 'REPORTED')).toBeGreaterThan(reads(before, 'REPORTED'));
    expect(body).toMatch(/^aidhub_source_available\{department="REPORTED"\} 1$/m);
  }, 60_000);
});

describe('department availability before any request reads a department, through a real scrape', () => {
  let wangId: number;
  // aidhub_source_available was set only by a request's read: a hub that polls and serves no
  // traffic (a replica just started, or one kept for monitoring) had no series at all, while its
  // /readyz said 人社's database was unreachable, so an alert on the gauge never fired.
  let dbs: TestDatabases;
  let hub: TestHub;

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_sources');
    const nothingListens = await freePort();
    hub = await startTestHub(dbs, { metrics: true, sources: { HUMAN_RESOURCES: { url: `mysql://root@127.0.0.1:${nothingListens}/aidhub_human_resources` } } });
    await insertRegions(dbs);
    wangId = await insertWang(dbs);
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('reports every department as /readyz does, the unreachable one at 0', async () => {
    const ready = (await (await fetch(`${hub.url}/readyz`)).json()) as { sources: Record<string, { available: boolean }> };
    expect(ready.sources.HUMAN_RESOURCES.available).toBe(false);
    const body = await (await fetch(hub.metricsUrl!)).text();
    for (const department of DEPARTMENT_CODES) {
      expect([department, new RegExp(`^aidhub_source_available\\{department="${department}"\\} (\\d)$`, 'm').exec(body)?.[1]]).toEqual([department, department === 'HUMAN_RESOURCES' ? '0' : '1']);
    }
  }, 60_000);

  it('counts an answer without a department as PARTIAL, as the audit trail records it, not OK', async () => {
    // The request counter ran before DEPARTMENT_UNAVAILABLE was added to the answer, so it saw none.
    const res = await hub.gql(`query PartialWang($id: ID!) { household(id: $id) { aid { amountFen } } }`, { id: String(wangId) });
    expect(res.errors?.map((e: any) => e.extensions)).toEqual([{ code: 'DEPARTMENT_UNAVAILABLE', department: 'HUMAN_RESOURCES', reason: 'UNREACHABLE' }]);
    const body = await (await fetch(hub.metricsUrl!)).text();
    expect(body.split('\n').filter((l) => l.startsWith('aidhub_graphql_requests_total{operation="PartialWang"'))).toEqual(['aidhub_graphql_requests_total{operation="PartialWang",outcome="PARTIAL"} 1']);
  }, 60_000);
});

/** The value of one series in a scrape, or undefined when the scrape has no such series. */
function seriesValue(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pushes a receiver that is down leaves waiting, through a real scrape', () => {
  // The outbox counted pushes by state, never how long one had waited: a subscriber whose receiver
  // was down for hours showed as a few rows "scheduled", no different from a retry a second away.
  let dbs: TestDatabases;
  let hub: TestHub;
  let receiver: AlertReceiver;
  const AGE = 'aidhub_alert_outbox_oldest_pending_age_seconds';

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_outbox_age');
    await insertSubscribedRegions(dbs.hub);
    receiver = await startAlertReceiver(() => 503);
    await subscriberClient(dbs.hub, 'metrics-down-subscriber');
    // A retry an hour after the first failed attempt: the pushes stay pending through the test.
    hub = await startTestHub(dbs, {
      metrics: true,
      config: { callbackHosts: HOSTS, alertDelivery: { pollMs: 100, retryScheduleMs: [3_600_000], retryJitter: 0, httpTimeoutMs: 5000, batchSize: 50, concurrency: 2, callbackHosts: HOSTS } },
    });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await receiver?.close();
    await dbs?.close();
  });

  it('reports the age of the oldest push not yet delivered, 0 while none waits', async () => {
    expect(seriesValue(await (await fetch(hub.metricsUrl!)).text(), AGE)).toBe(0);
    await subscribe(dbs.hub, 'metrics-down-subscriber', `${receiver.url}/alerts`);
    await raise(dbs.hub, syntheticAlert());
    await raise(dbs.hub, syntheticAlert());
    await receiver.waitFor(2, 30_000);
    const first = await (await fetch(hub.metricsUrl!)).text();
    await sleep(1_500);
    const later = await (await fetch(hub.metricsUrl!)).text();
    expect(receiver.acknowledged()).toHaveLength(0);
    // Both refused, both waiting for their retry: no longer due, still owed, and older by the wait.
    expect(seriesValue(later, 'aidhub_alert_outbox_deliveries{state="due"}')! + seriesValue(later, 'aidhub_alert_outbox_deliveries{state="claimed"}')! + seriesValue(later, 'aidhub_alert_outbox_deliveries{state="scheduled"}')!).toBe(2);
    expect(seriesValue(first, AGE)).toBeGreaterThan(0);
    expect(seriesValue(later, AGE)! - seriesValue(first, AGE)!).toBeGreaterThanOrEqual(1);
    // One series for the whole outbox: no subscription or subscriber in a label.
    expect(later.split('\n').filter((l) => l.startsWith(AGE))).toHaveLength(1);
  }, 90_000);
});

describe('a change-feed poll that stops, through a real scrape', () => {
  // A poll that hangs without failing, or a poller that stopped, counted no failure and showed
  // nothing: an operator learnt that HEALTH had not been polled for hours from the alerts not raised.
  let dbs: TestDatabases;
  let hub: TestHub;
  // A hub clock fixed in the past, as the tests' are: the age is the database's, not the hub's.
  const NOW = new Date(`${TODAY}T02:00:00.000Z`);
  const OPTS: PollerOptions = { intervalMs: { default: 3_600_000 }, leaseMs: 600_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 0 };
  const AGE = (department: string) => `aidhub_monitoring_poll_age_seconds{department="${department}"}`;
  const scrape = async () => (await fetch(hub.metricsUrl!)).text();

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_poll_age');
    await insertRegions(dbs);
    // The scraped hub polls nothing itself: another process (the poller below) does.
    hub = await startTestHub(dbs, { metrics: true });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('reports seconds since the last successful poll of each department, by any process, and none for one never polled', async () => {
    expect((await scrape()).split('\n').filter((l) => l.startsWith('aidhub_monitoring_poll_age_seconds{'))).toEqual([]);
    const poller = new MonitoringPoller({ hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW }, OPTS);
    try {
      expect(await poller.tick('HEALTH')).toMatchObject({ polled: true });
      const polled = await scrape();
      expect(seriesValue(polled, AGE('HEALTH'))).toBeGreaterThanOrEqual(0);
      expect(seriesValue(polled, AGE('UNION'))).toBeUndefined();
      // The last record older than the lease, as after a lease's worth of quiet polls that did not
      // write it (test/monitoring/idle-poll.test.ts counts those).
      await dbs.hubPool.query(`UPDATE monitoring_watermark SET polled_at = DATE_SUB(polled_at, INTERVAL ${2 * OPTS.leaseMs} * 1000 MICROSECOND) WHERE source_table LIKE 'HEALTH:%'`);
      const quiet = seriesValue(await scrape(), AGE('HEALTH'))!;
      expect(quiet).toBeGreaterThanOrEqual((2 * OPTS.leaseMs) / 1000);
      // A poll that finds nothing new is a successful poll: the age starts again.
      expect(await poller.tick('HEALTH')).toEqual({ polled: true, rows: 0, alertsChanged: 0 });
      expect(seriesValue(await scrape(), AGE('HEALTH'))).toBeLessThan(OPTS.leaseMs / 1000);
    } finally {
      await poller.stop();
    }
    // The poller stopped: the age grows from scrape to scrape.
    const stopped = seriesValue(await scrape(), AGE('HEALTH'))!;
    await sleep(1_500);
    expect(seriesValue(await scrape(), AGE('HEALTH'))! - stopped).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

describe('the hub\'s own deaths poll, through a real scrape', () => {
  // The hub's person table is polled for deaths (`monitor-deaths`, resolvers/monitoring/deaths.ts),
  // but the poll-age gauge and the failure counter listed departments only: a deaths poll that hung
  // or failed at every tick showed on no metric, and a death recorded at the hub opened no alert
  // until the monthly comparison, unseen. Both carry it as department="HUB" now.
  let dbs: TestDatabases;
  let hub: TestHub;
  const log = capturedLog('info');
  const AGE = 'aidhub_monitoring_poll_age_seconds{department="HUB"}';
  const FAILURES = 'aidhub_monitoring_poll_failures_total{department="HUB"}';
  const scrape = async () => (await fetch(hub.metricsUrl!)).text();

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_deaths_poll');
    await insertRegions(dbs);
    await insertWang(dbs);
    // A hub that polls no department, only the hub's own person table (and its other jobs), often.
    hub = await startTestHub(dbs, {
      metrics: true,
      logger: log.logger,
      config: { monitoring: { intervalMs: { default: 200 }, departments: [], leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 0 } },
    });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  it('reports its age and counts its failures under department="HUB", logging a failure without personal data', async () => {
    // Its failure series is there from the start, as each department's is.
    expect(seriesValue(await scrape(), FAILURES)).toBe(0);
    // The age appears once the poll has run (its first poll sets the watermark).
    await until('the deaths poll\'s age', async () => seriesValue(await scrape(), AGE), (v) => v !== undefined);
    // The person table gone from under it (a real DDL change): each poll fails, and is counted.
    await dbs.hubPool.query('RENAME TABLE person TO person_away');
    try {
      await until('a failed deaths poll counted', async () => seriesValue(await scrape(), FAILURES), (v) => (v ?? 0) >= 1);
    } finally {
      await dbs.hubPool.query('RENAME TABLE person_away TO person');
    }
    const failed = log.lines.filter((l) => l.msg === 'monitoring tick failed' && l.polled === 'HUB');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]).toMatchObject({ err: { code: 'ER_NO_SUCH_TABLE' } });
    expect(JSON.stringify(log.lines)).not.toContain(WANG.head);
    // The departments' series are as they were: a failure series each, at 0 (none is polled here).
    const body = await scrape();
    for (const department of DEPARTMENT_CODES) expect(seriesValue(body, `aidhub_monitoring_poll_failures_total{department="${department}"}`)).toBe(0);
  }, 180_000);
});

describe('a scan or monthly run whose process died, through a real scrape', () => {
  // The API showed such a job FAILED (INTERRUPTED) by its heartbeat and the database's clock
  // (db/heartbeat.ts), but /metrics still counted it running: an operator's dashboards showed a
  // dead job's progress standing and a monthly run RUNNING that no process ran.
  const MONTH = '2099-01';
  let dbs: TestDatabases;
  let hub: TestHub;

  beforeAll(async () => {
    dbs = await createTestDatabases('metrics_dead_jobs');
    hub = await startTestHub(dbs, { metrics: true });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await dbs?.close();
  });

  /** A RUNNING scan of `regionCode` last heard from `silentMinutes` ago by the database's clock. */
  async function runningScan(regionCode: string, silentMinutes: number, total: number, done: number): Promise<number> {
    const [res] = (await dbs.hubPool.query(
      `INSERT INTO finding_scan (region_code, state, as_of, rule_set_name, rule_set_digest, started_by, started_at, heartbeat_at, households_total, households_done)
       VALUES (?, 'RUNNING', ?, 'default', ?, 'another-hub', DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 1 HOUR), DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MINUTE), ?, ?)`,
      [regionCode, TODAY, activeRuleSet().digest, silentMinutes, total, done],
    )) as any;
    return res.insertId;
  }

  /** A RUNNING monthly run of `regionCode` last heard from `silentMinutes` ago by the database's clock. */
  async function runningMonthly(regionCode: string, silentMinutes: number, total: number, done: number): Promise<void> {
    await dbs.hubPool.query(
      `INSERT INTO monitoring_monthly_run (region_code, month, state, households_total, households_done, alerts_changed, started_by, started_at, heartbeat_at)
       VALUES (?, ?, 'RUNNING', ?, ?, 0, 'cli', DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 1 HOUR), DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MINUTE))`,
      [regionCode, MONTH, total, done, silentMinutes],
    );
  }

  it('counts a job silent past the heartbeat timeout as failed, not running, and one heard from within it as running', async () => {
    // 9 minutes is within the 10-minute timeout (HEARTBEAT_TIMEOUT_MS), 11 past it.
    const live = await runningScan('370811', 9, 50, 20);
    const dead = await runningScan('370827', 11, 40, 10);
    await runningMonthly('370811', 9, 30, 3);
    await runningMonthly('370827', 11, 60, 6);
    const body = await (await fetch(hub.metricsUrl!)).text();

    expect(body).toContain(`aidhub_scan_households{scan_id="${live}",region="370811",count="total"} 50`);
    expect(body).toContain(`aidhub_scan_households{scan_id="${live}",region="370811",count="done"} 20`);
    expect(body).not.toContain(`scan_id="${dead}"`);

    expect(body).toContain(`aidhub_monitoring_monthly_runs{month="${MONTH}",state="RUNNING"} 1`);
    expect(body).toContain(`aidhub_monitoring_monthly_runs{month="${MONTH}",state="FAILED"} 1`);
    expect(body).toContain(`aidhub_monitoring_monthly_runs{month="${MONTH}",state="SUCCEEDED"} 0`);
    expect(body).toContain(`aidhub_monitoring_monthly_households{region="370811",month="${MONTH}",count="total"} 30`);
    expect(body).toContain(`aidhub_monitoring_monthly_households{region="370811",month="${MONTH}",count="done"} 3`);
    expect(body).not.toMatch(/^aidhub_monitoring_monthly_households\{region="370827"/m);
  }, 60_000);
});
