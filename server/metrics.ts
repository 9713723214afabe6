/**
 * Prometheus metrics (prom-client), one registry per hub server.
 *
 * Served at `/metrics` on a listener of its own (METRICS_PORT, bound to METRICS_HOST, 127.0.0.1 by
 * default), never on the public port: the public app answers /metrics like any undeclared route.
 * Put the metrics port on the management network only; METRICS_TOKEN, when set, is also required as
 * `Authorization: Bearer <token>`. Metrics carry counts and timings, never an ID number or a name,
 * so a scrape is not an access to personal data and writes no audit row.
 *
 * Operation names are chosen by callers; only the first OPERATION_LABELS_MAX distinct names get
 * a label of their own, later ones count as `other`, so a caller cannot grow the registry. A name
 * holding what may be an ID number (a department system naming its query after the person it
 * asks about) counts as `withheld`: the scrape is not audited, and it leaves for the monitoring system.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HubDb } from '../db/connect';
import { runningScanProgress } from '../db/findings/store';
import { outboxBacklog } from '../db/alert-delivery/store';
import { newestMonthRuns } from '../db/monitoring-monthly/store';
import { pollAges } from '../db/monitoring/store';
import { MONTHLY_RUN_STATES } from '../db/monitoring-monthly/schema';
import type { SourceOutcome, UnavailableReason } from '../federation/loaders';
import { ADAPTERS } from '../federation/registry';
import { POLLED_SOURCES, type PolledSource } from '../federation/change-feed';
import type { UnrecognisedStatusCount } from '../federation/unrecognised-status';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { outcomeOf, type HubPlugin } from './plugins';
import { gaugeChild, histogramChild, type GaugeChild, type HistogramChild } from './metric-children';
import { scrub } from '../domain/privacy';
import { AUTH_FAILURES, type AuthFailure } from '../access/clients';
import { authorizationRepeated } from '../access/http';
import type { JobMetrics, RunKind } from '../resolvers/job-metrics';

export const OPERATION_LABELS_MAX = 200;

/**
 * The limits a RATE_LIMITED refusal counts under: never the client or the address, which would
 * name an office or a person's machine in the monitoring system (and grow without bound).
 */
export const RATE_LIMIT_KINDS = ['client', 'auth_failure', 'query_cost_in_flight', 'connections_per_address'] as const;
export type RateLimitKind = (typeof RATE_LIMIT_KINDS)[number];

/** Why a department could not be read (federation/loaders.ts UnavailableReason), as a failed run's reason label. */
const DEPARTMENT_REASONS: readonly string[] = ['TIMEOUT', 'UNREACHABLE', 'STATEMENT_REFUSED', 'UNREADABLE_ROWS'] satisfies UnavailableReason[];
/** The failures a scan or comparison records that name no department; any other counts as OTHER. */
const RUN_FAILURES: readonly string[] = ['INTERNAL_ERROR', 'LEASE_LOST', 'RULE_SET_CHANGED', 'INTERRUPTED'];

/**
 * A run's end as labels of a closed set: `DEPARTMENT_UNAVAILABLE:<department>:<reason>` as the
 * department and its reason, a failure of the hub's own by its code (department ""), anything else
 * as OTHER, so no text of a failure can grow the registry.
 */
export function runEndLabels(failure: string | null): { outcome: 'succeeded' | 'failed'; department: string; reason: string } {
  if (failure === null) return { outcome: 'succeeded', department: '', reason: '' };
  const [head, department, reason, ...rest] = failure.split(':');
  if (head === 'DEPARTMENT_UNAVAILABLE' && rest.length === 0 && (DEPARTMENT_CODES as readonly string[]).includes(department) && DEPARTMENT_REASONS.includes(reason)) return { outcome: 'failed', department, reason };
  return { outcome: 'failed', department: '', reason: RUN_FAILURES.includes(failure) ? failure : 'OTHER' };
}

export class HubMetrics implements JobMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  readonly requests = new Counter({
    name: 'aidhub_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (OK, PARTIAL, DENIED, FAILED; REFUSED: never ran, e.g. a parse, validation or limit error)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'aidhub_graphql_request_duration_seconds',
    help: 'GraphQL request latency, from the request reaching Apollo to the response being ready (audit append included)',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly sourceSeconds = new Histogram({
    name: 'aidhub_source_duration_seconds',
    help: 'One batched read of a department source, by department and whether it answered',
    labelNames: ['department', 'available'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  /** The probe /readyz runs, asked again at each scrape (watchSources); null where no server wired one. */
  private sourceProbe: (() => Promise<Readonly<Record<DepartmentCode, { available: boolean }>>>) | null = null;
  // Set by every read, and at each scrape by the probe: a hub no request had read a department
  // through (one that only polls, or a replica just started) left the series out, so an operator's
  // alert on it never fired for a department /readyz already reported unreachable.
  readonly sourceAvailable = new Gauge({
    name: 'aidhub_source_available',
    help: 'Whether a department source answers (1) or not (0): 0 where the probe at the scrape (SELECT 1 within its timeout, as /readyz) failed or a read since the previous scrape did',
    labelNames: ['department'] as const,
    registers: [this.registry],
    collect: async () => {
      const probed = await this.sourceProbe?.().catch(() => null);
      if (!probed) return;
      // A read that failed since the last scrape counts though SELECT 1 answers now: a department
      // whose reads time out while its server still answers the probe was shown 1 at every scrape.
      const failed = this.readFailedSinceScrape;
      this.readFailedSinceScrape = new Set();
      for (const department of DEPARTMENT_CODES) this.sourceAvailable.set({ department }, probed[department].available && !failed.has(department) ? 1 : 0);
    },
  });
  /** Departments a read of which failed since the last scrape (sourceAvailable's collect). */
  private readFailedSinceScrape = new Set<DepartmentCode>();
  readonly sourceFailures = new Counter({
    name: 'aidhub_source_failures_total',
    help: 'Department source reads that failed, by department and reason (TIMEOUT, UNREACHABLE, STATEMENT_REFUSED, UNREADABLE_ROWS)',
    labelNames: ['department', 'reason'] as const,
    registers: [this.registry],
  });
  readonly auditAppendSeconds = new Histogram({
    name: 'aidhub_audit_append_duration_seconds',
    help: 'Time for one access to be recorded in the audit chain (group-commit wait included), by result',
    labelNames: ['result'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /**
   * GraphQL queries, meeting briefs and findings and overdue exports abandoned because their client went away
   * before the answer (server/client-gone.ts). One series, without labels, as it was when it counted
   * queries alone: the log line of each says which route it was.
   */
  readonly abandonedQueries = new Counter({
    name: 'aidhub_queries_abandoned_total',
    help: 'GraphQL queries, meeting briefs (GET /cases/:id/brief) findings exports (GET /exports/scans/:id/findings.csv) and overdue exports (GET /exports/overdue.csv) this process abandoned because their client closed its connection before the answer was sent whole: their department reads were stopped on the sources and their cost in flight given back at once (mutations are never abandoned)',
    registers: [this.registry],
  });

  readonly rateLimitedRequests = new Counter({
    name: 'aidhub_rate_limited_total',
    help: 'Requests refused RATE_LIMITED by this process, by limit: client (requests per API client per minute) auth_failure (failed authentications per address per minute) query_cost_in_flight (the cost of a client’s queries running at once) or connections_per_address (connections open at once from one address, counted per connection refused)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  /**
   * Requests refused UNAUTHENTICATED (401), by reason: they never reach Apollo, so
   * aidhub_graphql_requests_total does not see them, and a rotation that left every office with a
   * dead token showed as traffic stopping rather than as refusals. The reason is one of a closed
   * list; neither token nor address is a label.
   */
  readonly unauthenticatedRequests = new Counter({
    name: 'aidhub_unauthenticated_total',
    help: 'Requests this process refused UNAUTHENTICATED (401), by reason: TOKEN_MISSING, TOKEN_MALFORMED, TOKEN_AMBIGUOUS (more than one Authorization header), TOKEN_INVALID (unknown to this hub), TOKEN_EXPIRED, TOKEN_REVOKED',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /**
   * Aid records a department answered with a status code its documentation does not list (shown
   * UNRECOGNISED, counted in no total and by no rule), by department: a rate above 0 means a
   * department's data needs correcting. Counted per household or person read, so one such row
   * looked at twice counts twice; `aidhub_source_unrecognised_status_rows` says how many rows there are.
   */
  readonly unrecognisedStatusRecords = new Counter({
    name: 'aidhub_aid_status_unrecognised_total',
    help: 'Aid records read from a department whose status code its documentation does not list (shown UNRECOGNISED, counted in no total and by no rule), by department; counted per read',
    labelNames: ['department'] as const,
    registers: [this.registry],
  });

  /**
   * Aid records a department answered with a programme (type) code its documentation does not list
   * (shown under the department's catch-all programme, UNRECOGNISED, counted in no total and by no
   * rule; they used to be skipped), by department, counted per read like the status codes'.
   */
  readonly unrecognisedProgrammeRecords = new Counter({
    name: 'aidhub_aid_programme_unrecognised_total',
    help: 'Aid records read from a department whose programme code its documentation does not list (shown under its catch-all programme, UNRECOGNISED, counted in no total and by no rule), by department; counted per read',
    labelNames: ['department'] as const,
    registers: [this.registry],
  });

  /** Rows with an undocumented programme code in each department's front-end database, as last counted at start-up. */
  readonly unrecognisedProgrammeRows = new Gauge({
    name: 'aidhub_source_unrecognised_programme_rows',
    help: 'Rows of a department’s front-end database whose programme code its documentation does not list, as counted when this hub process started; absent for a department that did not answer then',
    labelNames: ['department'] as const,
    registers: [this.registry],
  });

  /** Rows with an undocumented status code in each department's front-end database, as last counted (server/main.ts, at start-up). */
  readonly unrecognisedStatusRows = new Gauge({
    name: 'aidhub_source_unrecognised_status_rows',
    help: 'Rows of a department’s front-end database whose status code its documentation does not list, as counted when this hub process started; absent for a department that did not answer then',
    labelNames: ['department'] as const,
    registers: [this.registry],
  });

  /**
   * Rows with an undocumented code in a coded column other than an aid record's status or programme,
   * in each department's front-end database, as last counted at start-up: `kind="fact"` for the
   * columns the rules read (cause, certificate status or level, student status, monitored-roll
   * category: the rules are silent on such a row), `kind="display"` for those no rule reads (a 低保
   * family's area type, a student's stage, a certificate's category: no total or finding changes).
   * One gauge, so a department's undocumented codes are one sum; a label, so an operator sees at a
   * glance whether findings are affected.
   */
  readonly unrecognisedFactRows = new Gauge({
    name: 'aidhub_source_unrecognised_fact_rows',
    help: 'Rows of a department’s front-end database whose code in a coded column other than status and programme its documentation does not list, by department and kind: fact (cause, certificate status or level, student status or monitored-roll category, temporary aid approval level: read as UNRECOGNISED, acted on by no rule) or display (columns no rule reads, e.g. area type, stage, certificate category: shown as an undocumented code where shown), as counted when this hub process started; absent for a department that did not answer then',
    labelNames: ['department', 'kind'] as const,
    registers: [this.registry],
  });

  /**
   * Region scans and monthly comparisons that ended, by kind and outcome; a failed one by the
   * department it could not read and why (its `failure`, DEPARTMENT_UNAVAILABLE:UNION:TIMEOUT), or
   * by the hub's own failure code with department "". Counted by the process that ran the run's end.
   */
  readonly runsEnded = new Counter({
    name: 'aidhub_runs_ended_total',
    help: 'Region scans (kind="scan") and monthly comparisons (kind="monthly") this process ran to their end, by outcome (succeeded, failed); a failed one by the department it could not read and the reason (TIMEOUT, UNREACHABLE, STATEMENT_REFUSED, UNREADABLE_ROWS), or with department "" by the hub\'s own failure (INTERNAL_ERROR, LEASE_LOST, RULE_SET_CHANGED, INTERRUPTED, OTHER)',
    labelNames: ['kind', 'outcome', 'department', 'reason'] as const,
    registers: [this.registry],
  });

  /** Change-feed polls that failed (logged 'monitoring tick failed'), by the source polled: a department, or `HUB` (the deaths poll). */
  readonly pollFailures = new Counter({
    name: 'aidhub_monitoring_poll_failures_total',
    help: 'Polls of a department\'s change feed, or of the hub\'s own person table for deaths (department="HUB"), that failed in this process (logged "monitoring tick failed"; its watermark stays and the next poll tries again), by the source polled',
    labelNames: ['department'] as const,
    registers: [this.registry],
  });

  /** Department records a poll left out because the hub cannot read them, by the department holding them. */
  readonly pollLeftOutRecords = new Counter({
    name: 'aidhub_monitoring_poll_unreadable_records_total',
    help: 'Records a change-feed poll left out because the hub cannot read them (e.g. an amount left NULL; logged "monitoring: records left out of a poll, unreadable"), by the department holding them: no alert is raised on them until the department corrects them',
    labelNames: ['department'] as const,
    registers: [this.registry],
  });

  constructor(hub: HubDb | null) {
    // Both at 0 from the start, so a rate of them is defined before the first refusal.
    for (const limit of RATE_LIMIT_KINDS) this.rateLimitedRequests.inc({ limit }, 0);
    for (const reason of AUTH_FAILURES) this.unauthenticatedRequests.inc({ reason }, 0);
    for (const kind of ['scan', 'monthly'] as const) this.runsEnded.inc({ kind, ...runEndLabels(null) }, 0);
    for (const department of DEPARTMENT_CODES) if (ADAPTERS[department].statusColumns) this.unrecognisedStatusRecords.inc({ department }, 0);
    for (const department of DEPARTMENT_CODES) if (ADAPTERS[department].programmeColumns) this.unrecognisedProgrammeRecords.inc({ department }, 0);
    // Every source the poller can poll (the hub's person table too, as `HUB`) has a series from the
    // start: an alert on increase(...[15m]) > 0 sees a first failure, which it could not while the series was absent.
    for (const department of POLLED_SOURCES) this.pollFailures.inc({ department }, 0);
    if (!hub) return;
    // The pushed-alert outbox, read from the hub database at scrape time like the scans: every
    // replica reports the one outbox. Left out of a scrape while the database does not answer (a
    // gauge without labels would go on saying 0 then, so dead letters are a state here too). Both
    // outbox gauges share one read per scrape (sharedRead).
    const backlog = sharedRead(() => outboxBacklog(hub));
    new Gauge({
      name: 'aidhub_alert_outbox_deliveries',
      help: 'Pushed-alert deliveries in the outbox, by state: due (claimable now), claimed (being sent by a hub process), scheduled (waiting for a retry), dead (dead letters, every attempt failed, the receiver answered 410 Gone or the subscription revoked, held until replayed)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const b = await backlog();
        if (!b) return;
        this.set({ state: 'due' }, b.due);
        this.set({ state: 'claimed' }, b.claimed);
        this.set({ state: 'scheduled' }, b.scheduled);
        this.set({ state: 'dead' }, b.dead);
      },
    });
    // One series for the whole outbox, no subscription label: subscriptions are made through the API
    // by any office, and re-made under a new id, so a label per subscription would grow without bound
    // and an alert rule on one would outlive it. Which subscriber waits is the API's to say
    // (alertDeliveries); the count of pushes that wait is aidhub_alert_outbox_deliveries.
    const oldestPending = new Gauge({
      name: 'aidhub_alert_outbox_oldest_pending_age_seconds',
      help: 'Seconds since the oldest pushed alert not yet delivered (due now, being sent, or waiting for a retry; not a dead letter) was enqueued, whichever process will send it; 0 with none pending, absent while the hub database does not answer',
      registers: [this.registry],
      async collect() {
        const b = await backlog();
        // A gauge without labels cannot be left out by reset(): removed, so a scrape says nothing rather than a stale age.
        if (b) oldestPending.set(b.oldestPendingSeconds);
        else oldestPending.remove();
      },
    });
    // Seconds since each department's change feed was last polled successfully, by any process, read
    // from the watermarks at scrape time (one statement for every department): a poll that hangs
    // without failing, or a poller that stopped, shows as an age that grows, which
    // aidhub_monitoring_poll_failures_total never counts. A department never polled has no series.
    // The hub's own person table, polled for deaths, is `HUB`: left out, a deaths poll that hung showed nowhere.
    new Gauge({
      name: 'aidhub_monitoring_poll_age_seconds',
      help: 'Seconds since the last successful change-feed poll of a department, or of the hub\'s own person table for deaths (department="HUB"), by any hub process (one that found nothing counts), read from the hub database at each scrape; no series for a source never polled (no watermark yet, or no table with a change marker), none while the hub database does not answer',
      labelNames: ['department'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const ages = await pollAges(hub).catch(() => null);
        for (const department of POLLED_SOURCES) {
          const age = ages?.get(department);
          if (age !== undefined) this.set({ department }, age);
        }
      },
    });
    // The monthly comparisons of the newest month, read from the hub database at scrape time: the
    // runs of `npm run monitor:monthly`, a process without /metrics of its own, counted nowhere
    // (aidhub_runs_ended_total is the hub process's own), and are seen here as the hub's own are.
    // Both gauges below are collected at once (prom-client asks every metric together): they share
    // one read of the runs per scrape, not one each.
    const monthRuns = sharedRead(() => newestMonthRuns(hub));
    new Gauge({
      name: 'aidhub_monitoring_monthly_runs',
      help: 'Monthly comparisons (一月一比对) of the newest month any has run for, by state as the API shows it (RUNNING, SUCCEEDED, FAILED; a RUNNING run not heard from for 10 minutes by the hub database\'s clock died with its process and counts FAILED), whichever process ran them (the hub, or npm run monitor:monthly): one per division',
      labelNames: ['month', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const runs = await monthRuns();
        if (!runs || runs.length === 0) return;
        for (const state of MONTHLY_RUN_STATES) this.set({ month: runs[0].month, state }, runs.filter((r) => r.state === state).length);
      },
    });
    new Gauge({
      name: 'aidhub_monitoring_monthly_households',
      help: 'Households of a running monthly comparison (not one whose process died): total and done so far, whichever process runs it',
      labelNames: ['region', 'month', 'count'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const runs = (await monthRuns()) ?? [];
        for (const r of runs.filter((x) => x.state === 'RUNNING')) {
          this.set({ region: r.regionCode, month: r.month, count: 'total' }, r.householdsTotal);
          this.set({ region: r.regionCode, month: r.month, count: 'done' }, r.householdsDone);
        }
      },
    });
    // Job progress is read from the hub database at scrape time, so any replica reports every
    // running scan, whichever replica holds its lease.
    new Gauge({
      name: 'aidhub_scan_households',
      help: 'Households of a running scan (not one whose process died: no heartbeat for 10 minutes by the hub database\'s clock): total and done so far',
      labelNames: ['scan_id', 'region', 'count'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        // A hub database that does not answer (within HUB_TIMEOUT_MS) leaves this gauge empty for
        // the scrape rather than failing it: every other metric still goes out (it was a 500).
        const running = await runningScanProgress(hub).catch(() => []);
        for (const s of running) {
          this.set({ scan_id: String(s.id), region: s.regionCode, count: 'total' }, s.householdsTotal);
          this.set({ scan_id: String(s.id), region: s.regionCode, count: 'done' }, s.householdsDone);
        }
      },
    });
  }

  /**
   * Node process metrics (`aidhub_process_*`), for a hub whose metrics a listener serves, and only
   * then: prom-client's default collectors include a GC observer and an event-loop-delay monitor
   * that nothing stops. Every hub created and stopped in one process (a jest worker starts dozens)
   * left one of each behind, the observer holding on to everything that hub's modules held.
   */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'aidhub_process_' });
  }

  /**
   * Whether the hub database's binary log format takes the hub's locking writes (1) or is STATEMENT
   * (0), read at scrape time through the watch's short cache (server/binlog-watch.ts).
   */
  watchBinlogFormat(watch: { problem(): Promise<string | null> }): void {
    new Gauge({
      name: 'aidhub_hub_binlog_format_usable',
      help: 'Whether the hub database\'s binary log format takes the hub\'s locking writes: 1, ROW or MIXED (or no binary log); 0, STATEMENT, every case decision, pledge, ledger entry and audit append fails and /readyz answers 503',
      registers: [this.registry],
      async collect() {
        this.set((await watch.problem()) === null ? 1 : 0);
      },
    });
  }

  /**
   * Whether the hub database is of this release (1) or a later release has migrated it (0), read at
   * scrape time through the watch's short cache (access/release-watch.ts).
   */
  watchRelease(watch: { judgement(): Promise<unknown> }): void {
    new Gauge({
      name: 'aidhub_hub_database_release_current',
      help: 'Whether the hub database is of this process\'s release: 1, its migration journals record nothing this release lacks; 0, a later release has migrated it, /readyz answers 503, every request is refused HUB_UNAVAILABLE (DATABASE_OF_LATER_RELEASE) and the process is to be stopped',
      registers: [this.registry],
      async collect() {
        this.set((await watch.judgement()) === null ? 1 : 0);
      },
    });
  }

  /** Probes every department at each scrape for aidhub_source_available (the probe /readyz runs, shared with it). */
  watchSources(probe: () => Promise<Readonly<Record<DepartmentCode, { available: boolean }>>>): void {
    this.sourceProbe = probe;
  }

  /**
   * Whether the hub's own database answers (1) or not (0), by the probe /readyz runs (SELECT 1 within
   * HUB_TIMEOUT_MS), asked at each scrape and shared with the departments' probe (watchSources): no
   * statement more than that probe sends already. /metrics said nothing of it: the gauges read from
   * the hub database (the outbox, scans, polls) went absent while it was down, which an alert on a
   * value cannot tell from a hub with nothing to report.
   */
  watchHubDatabase(probe: () => Promise<boolean>): void {
    new Gauge({
      name: 'aidhub_hub_database_up',
      help: 'Whether the hub\'s own database answers: 1, SELECT 1 answered within HUB_TIMEOUT_MS at the scrape (the probe /readyz runs); 0, it did not, /readyz answers 503 and requests HUB_UNAVAILABLE',
      registers: [this.registry],
      async collect() {
        this.set((await probe().catch(() => false)) ? 1 : 0);
      },
    });
  }

  /**
   * The active clients holding a role their office may not hold (access/clients.ts
   * clientsWithIgnoredRoles), read at each scrape (one statement, the clients' table): the start-up
   * warning names them once, and an operator who replaces them sees the count fall without a restart.
   * Absent while the hub database does not answer.
   */
  watchClientsWithIgnoredRoles(count: () => Promise<number>): void {
    const gauge = new Gauge({
      name: 'aidhub_clients_with_ignored_roles',
      help: 'Active API clients holding a role their office may not hold (ROLE_OFFICES, widened by AIDHUB_ROLE_OFFICES): the role is ignored and its purposes refused ROLE_NOT_FOR_DEPARTMENT; `npm run clients -- list` marks them. Read at each scrape; absent while the hub database does not answer',
      registers: [this.registry],
      async collect() {
        const n = await count().catch(() => null);
        if (n === null) gauge.remove();
        else gauge.set(n);
      },
    });
  }

  /** Whether the shared rate-limit store answers (1) or limits are per process for now (0); absent without a store. */
  watchRateLimitStore(connected: () => boolean): void {
    new Gauge({
      name: 'aidhub_rate_limit_store_up',
      help: 'Whether the shared rate-limit store (Redis) answers: 1, limits are shared; 0, each process applies them alone',
      registers: [this.registry],
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
  }

  /** The request histogram's series by operation label (at most OPERATION_LABELS_MAX and the three fixed labels). */
  private readonly requestSeries = new Map<string, HistogramChild>();

  private requestSecondsOf(operation: string): HistogramChild {
    let child = this.requestSeries.get(operation);
    if (!child) this.requestSeries.set(operation, (child = histogramChild(this.requestSeconds, { operation })));
    return child;
  }

  operationLabel(name: string | null | undefined): string {
    // A name labelled before passed both tests then, and passes them again: a client's every
    // request names the same few operations, so it is not tested again (scrub is many patterns).
    if (name && this.operations.has(name)) return name;
    const op = name && /^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name) ? name : 'anonymous';
    if (scrub(op) !== op) return 'withheld';
    if (this.operations.has(op)) return op;
    if (this.operations.size >= OPERATION_LABELS_MAX) return 'other';
    this.operations.add(op);
    return op;
  }

  /** Each department's read histogram series by whether it answered, and its availability series (server/metric-children.ts). */
  private readonly sourceSeries = new Map<DepartmentCode, { answered: HistogramChild; failed: HistogramChild; available: GaugeChild }>();

  sourceOutcome(o: SourceOutcome): void {
    let series = this.sourceSeries.get(o.department);
    if (!series) {
      series = {
        answered: histogramChild(this.sourceSeconds, { department: o.department, available: 'true' }),
        failed: histogramChild(this.sourceSeconds, { department: o.department, available: 'false' }),
        available: gaugeChild(this.sourceAvailable, { department: o.department }),
      };
      this.sourceSeries.set(o.department, series);
    }
    (o.available ? series.answered : series.failed).observe(o.latencyMs / 1000);
    series.available.set(o.available ? 1 : 0);
    if (!o.available) this.readFailedSinceScrape.add(o.department);
    if (!o.available) this.sourceFailures.inc({ department: o.department, reason: o.reason ?? 'UNKNOWN' });
  }

  /** A department's read that held `records` records with an undocumented status code. */
  unrecognisedStatus(department: DepartmentCode, records: number): void {
    if (records > 0) this.unrecognisedStatusRecords.inc({ department }, records);
  }

  /** A department's read that held `records` records with an undocumented programme code. */
  unrecognisedProgramme(department: DepartmentCode, records: number): void {
    if (records > 0) this.unrecognisedProgrammeRecords.inc({ department }, records);
  }

  /** The start-up count of status columns (federation/unrecognised-status.ts), summed per department; a department that did not answer is left out. */
  unrecognisedStatusCounted(counts: readonly UnrecognisedStatusCount[]): void {
    setPerDepartment(this.unrecognisedStatusRows, counts);
  }

  /** The start-up count of coded fact columns, as `unrecognisedStatusCounted` (kind="fact"). */
  unrecognisedFactCounted(counts: readonly UnrecognisedStatusCount[]): void {
    setPerDepartment(this.unrecognisedFactRows, counts, { kind: 'fact' });
  }

  /** The start-up count of the coded columns no rule reads (`displayColumns`), kind="display" beside the fact columns. */
  unrecognisedDisplayCounted(counts: readonly UnrecognisedStatusCount[]): void {
    setPerDepartment(this.unrecognisedFactRows, counts, { kind: 'display' });
  }

  /** The start-up count of programme columns, as `unrecognisedStatusCounted`. */
  unrecognisedProgrammeCounted(counts: readonly UnrecognisedStatusCount[]): void {
    setPerDepartment(this.unrecognisedProgrammeRows, counts);
  }

  runEnded(kind: RunKind, failure: string | null): void {
    this.runsEnded.inc({ kind, ...runEndLabels(failure) });
  }

  pollFailed(source: PolledSource): void {
    this.pollFailures.inc({ department: source });
  }

  pollLeftOut(department: DepartmentCode, records: number): void {
    if (records > 0) this.pollLeftOutRecords.inc({ department }, records);
  }

  unauthenticated(reason: AuthFailure): void {
    this.unauthenticatedRequests.inc({ reason });
  }

  /** A query, brief or export abandoned, its client gone (db/abandon.ts AbandonedListener). */
  requestAbandoned(): void {
    this.abandonedQueries.inc();
  }

  rateLimited(limit: RateLimitKind): void {
    this.rateLimitedRequests.inc({ limit });
  }

  private readonly auditWritten = histogramChild(this.auditAppendSeconds, { result: 'written' });
  private readonly auditFailed = histogramChild(this.auditAppendSeconds, { result: 'failed' });

  auditAppend(seconds: number, ok: boolean): void {
    (ok ? this.auditWritten : this.auditFailed).observe(seconds);
  }

  /**
   * Counts every GraphQL request and times it, as two members of the hub's plugin: `timer` first,
   * so its timing includes the others' work, and `counter` last, so it counts the response as it
   * leaves. Counted first, as one member, a partial answer (a department's DEPARTMENT_UNAVAILABLE,
   * added after it) and an answer withheld for an audit append that failed were both OK here while
   * the audit trail said PARTIAL and the caller got a 503.
   */
  plugins(): { timer: HubPlugin; counter: HubPlugin } {
    const metrics = this;
    const started = new WeakMap<object, { at: number; executed: boolean }>();
    return {
      timer: {
        requestDidStart({ contextValue }) {
          started.set(contextValue, { at: performance.now(), executed: false });
          return {
            executionDidStart({ contextValue: c }) {
              const s = started.get(c);
              if (s) s.executed = true;
            },
          };
        },
      },
      counter: {
        requestDidStart() {
          return {
            willSendResponse({ response, operationName, contextValue }) {
              const s = started.get(contextValue);
              const op = metrics.operationLabel(operationName);
              const result = response.body.kind === 'single' ? response.body.singleResult : null;
              const outcome = s?.executed ? (result ? outcomeOf(result) : 'FAILED') : 'REFUSED';
              metrics.requests.inc({ operation: op, outcome });
              if (s) metrics.requestSecondsOf(op).observe((performance.now() - s.at) / 1000);
            },
          };
        },
      },
    };
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

/** What /metrics takes: GET, and HEAD (the same answer without its body, as Node sends it). */
const METRICS_METHODS = 'GET, HEAD';

/**
 * What the metrics listener answers: GET /metrics only, optionally behind a bearer token (sent in
 * exactly one Authorization header); another method on /metrics 405 with `Allow: GET, HEAD` (it was
 * 404, which told a scraper misconfigured to POST that the path is not there), before the token is
 * judged; any other path 404.
 */
export function metricsHandler(metrics: HubMetrics, token: string | null): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: METRICS_METHODS }).end(`method not allowed: /metrics takes ${METRICS_METHODS}\n`);
      return;
    }
    if (token && authorizationRepeated(req)) {
      // Node keeps the first of them: a proxy in front may have judged another (access/http.ts).
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="aidhub-metrics", error="invalid_request"' }).end('more than one Authorization header\n');
      return;
    }
    if (token && !tokenMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="aidhub-metrics"' }).end('unauthorized\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  };
}

/**
 * One read shared by the gauges collected in one scrape (prom-client asks every metric together):
 * a read in flight is joined, and forgotten once it ends, so the next scrape reads again. Null when
 * the hub database does not answer.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T | null> {
  let reading: Promise<T | null> | null = null;
  return () =>
    (reading ??= read()
      .catch(() => null)
      .finally(() => {
        reading = null;
      }));
}

/** Per-column counts summed per department into a gauge; a department any of whose columns did not answer is removed from it. */
function setPerDepartment<L extends string>(gauge: Gauge<'department' | L>, counts: readonly UnrecognisedStatusCount[], labels?: Record<L, string>): void {
  const byDepartment = new Map<DepartmentCode, number | null>();
  for (const c of counts) {
    const before = byDepartment.get(c.department);
    byDepartment.set(c.department, before === null || c.rows === null ? null : (before ?? 0) + c.rows);
  }
  for (const [department, rows] of byDepartment) {
    const series = { department, ...labels } as Record<'department' | L, string>;
    if (rows === null) gauge.remove(series);
    else gauge.set(series, rows);
  }
}
