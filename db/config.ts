/**
 * Configuration, all from the environment, so the same build runs in a township test room and in
 * the city's data centre. Each department source has a URL of its own; unset, it defaults to a
 * database of its own on the hub's server (`<hub database>_<department>`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../domain/departments';
import { callbackHostEntry, DEFAULT_RETRY_JITTER, DEFAULT_RETRY_SCHEDULE_MS } from '../domain/monitoring/delivery';
import { claimWorkingDays } from './charity/config';
import { userPath } from '../domain/user-path';
import { DIVISION_CODE_EXPECTED, givenDivisionCode } from '../domain/division-code';

export interface SourceConfig {
  url: string;
  /** A department slower than this is reported unavailable; the rest of the answer still goes out. */
  timeoutMs: number;
  /**
   * Connections kept for pre-grant checks beside the shared pool (federation/sources.ts); default
   * CHECK_CONNECTIONS_DEFAULT. SOURCE_CHECK_CONNECTIONS, or SOURCE_<DEPT>_CHECK_CONNECTIONS.
   */
  checkConnections?: number;
  /**
   * How long one statement of a region scan or monthly comparison may wait for this department
   * (federation/reads.ts) before the run stops, naming it TIMEOUT; default SCAN_TIMEOUT_MS_DEFAULT.
   * AIDHUB_SCAN_READ_TIMEOUT_MS. A scan's statements ask about thousands of people each, so they get
   * longer than a request's `timeoutMs`; without any limit a locked source made a scan wait for ever.
   */
  scanTimeoutMs?: number;
}

/** A scan statement's limit unless AIDHUB_SCAN_READ_TIMEOUT_MS says otherwise: two minutes. */
export const SCAN_TIMEOUT_MS_DEFAULT = 120_000;

/**
 * Connections each department source keeps for pre-grant checks, unless configured otherwise: one
 * check at a time never leaves the lane, nor four medical-aid checks at once (each sends medical
 * insurance one statement: the aid tables its rules name with the aid tied to the proposal's stay and
 * the stay itself; four before Session 35, two before Session 36, docs/performance.md). Opened on first use.
 */
export const CHECK_CONNECTIONS_DEFAULT = 4;

export interface HubConfig {
  hubUrl: string;
  sources: Record<DepartmentCode, SourceConfig>;
  port: number;
  host: string;
  production: boolean;
  /** Hard cap on `households(ids:)` and every other list argument. */
  maxListSize: number;
  /** Static limits on a GraphQL document (graphql-armor and the parser), checked before it runs. */
  queryLimits: QueryLimits;
  /** Requests per minute per API client; past it, 429 RATE_LIMITED. Kept in this process's memory. */
  rateLimitPerMinute: number;
  /** Failed authentications per minute per remote address; past it, 429 RATE_LIMITED. */
  authFailuresPerMinute: number;
  /**
   * How long the hub's own database may take over a statement (or a free connection) before the
   * request fails with HUB_UNAVAILABLE and /readyz answers 503. Default HUB_TIMEOUT_MS_DEFAULT.
   */
  hubTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open (HTTP_KEEP_ALIVE_MS; default
   * HTTP_KEEP_ALIVE_MS_DEFAULT). Node's 5 s is shorter than the idle timeout of the routers and
   * load balancers in front of a hub: a client that reuses a connection just as the hub closes it
   * gets ECONNRESET for a request the hub never saw. Keep it above theirs.
   */
  keepAliveMs?: number;
  /**
   * Connections open at once from one remote address (HTTP_MAX_CONNECTIONS_PER_ADDRESS; default
   * HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT; 0, no limit): one past it is answered 503
   * RATE_LIMITED, TOO_MANY_CONNECTIONS and closed (server/connection-limit.ts).
   */
  maxConnectionsPerAddress?: number;
  /**
   * On SIGTERM, how long the hub goes on serving with /readyz answering 503 before it closes its
   * port (AIDHUB_SHUTDOWN_DRAIN_MS; 0, the default: it closes at once), so that a load balancer
   * sees it unready and stops sending before the port goes. At most SHUTDOWN_DRAIN_MS_MAX.
   */
  shutdownDrainMs?: number;
  /**
   * How long a token look-up is reused (access/clients.ts TokenCache): a revoked, rotated or
   * expired token may go on working this long in each process. TOKEN_CACHE_MS; absent or 0: off.
   */
  tokenCacheMs?: number;
  /**
   * Signed checkpoints of the audit chain in a file outside the hub database (access/checkpoints.ts):
   * AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE, AUDIT_CHECKPOINT_FILE, AUDIT_CHECKPOINT_ROWS,
   * AUDIT_CHECKPOINT_INTERVAL_MS. Null or absent: off.
   */
  auditCheckpoints?: CheckpointConfig | null;
  /**
   * Where rate-limit counters live when several hub processes serve one city: a Redis URL
   * (access/rate-limits.ts). Null: this process's memory.
   */
  rateLimitRedisUrl?: string | null;
  /** The Prometheus listener (server/metrics.ts); null port: no metrics listener. */
  metrics?: { port: number | null; host: string; token: string | null };
  /** Also serve the schema as an Apollo Federation 2 subgraph (server/subgraph.ts); AIDHUB_SUBGRAPH=1. */
  subgraph?: boolean;
  /**
   * Whether `npm start` creates the department databases and loads the demo (AIDHUB_DEMO): 1 yes,
   * 0 no; null (unset): only into a private server of its own, never into a given DATABASE_URL.
   */
  demo?: boolean | null;
  /**
   * How long a scan's lease lasts without renewal (AIDHUB_JOB_LEASE_MS): the scans this process
   * starts or takes over hold theirs this long (resolvers/findings/scan.ts ScanDeps.leaseMs).
   * Absent: JOB_LEASE_MS_DEFAULT.
   */
  jobLeaseMs?: number;
  /**
   * How long a charity's claim holds (CHARITY_CLAIM_WORKING_DAYS, db/charity/config.ts), as the
   * claims use it (resolvers/charity/linkage.ts). Checked here: a bad value used to be found only by
   * the first claim, which then failed INTERNAL_SERVER_ERROR. Absent: DEFAULT_CLAIM_WORKING_DAYS.
   */
  charityClaimWorkingDays?: number;
  /** How often this process looks for scans whose lease expired, to take them over; null: never. */
  jobTakeoverIntervalMs?: number | null;
  /**
   * Hosts a subscription's callback may name (AIDHUB_CALLBACK_HOSTS), for alertSubscriptionCreate.
   * Read whether or not this process runs the delivery worker; absent: the worker's own list.
   */
  callbackHosts?: string[];
  /** The alert delivery worker (resolvers/alert-delivery/worker.ts); null or absent: not run in this process. */
  alertDelivery?: AlertDeliveryConfig | null;
  /** Change-driven monitoring (resolvers/monitoring/poller.ts); null or absent: this process does not poll. */
  monitoring?: MonitoringConfig | null;
}

/** Polling the departments' change feeds (AIDHUB_MONITOR_*). */
export interface MonitoringConfig {
  /** Per department (AIDHUB_MONITOR_INTERVAL_MS_<DEPARTMENT>), else `default` (AIDHUB_MONITOR_INTERVAL_MS). */
  intervalMs: Partial<Record<DepartmentCode, number>> & { default: number };
  /**
   * The departments this process polls; absent: all. Without AIDHUB_MONITOR_INTERVAL_MS, those given
   * an AIDHUB_MONITOR_INTERVAL_MS_<DEPARTMENT> of their own; with it, all but those given 0.
   */
  departments?: DepartmentCode[];
  /** A lease not renewed for this long is taken over (default 3 intervals, at least 10 s). */
  leaseMs: number;
  /** Rows read per table per tick. */
  batchRows: number;
  /** The division the monthly comparison covers (AIDHUB_MONITOR_MONTHLY_REGION), or null. */
  monthlyRegion: string | null;
  /**
   * Rows whose update time is within this of the source's clock are left for the next poll, so a
   * department transaction committing after its statement ran is still read
   * (AIDHUB_MONITOR_COMMIT_LAG_MS; default 5 s, whole seconds).
   */
  commitLagMs?: number;
}

/**
 * Set AIDHUB_MONITOR_INTERVAL_MS (npm start on its private server sets 30000 unless given) to poll every department;
 * AIDHUB_MONITOR_INTERVAL_MS_<DEPARTMENT> to poll that one at its own interval (alone, it is the only
 * one this process polls), or 0 not to poll it here. Neither: this process does not poll (another
 * does, or tests drive the poller themselves).
 */
export function monitoringConfigFromEnv(env: NodeJS.ProcessEnv): MonitoringConfig | null {
  const def = env.AIDHUB_MONITOR_INTERVAL_MS;
  const pollingAll = Boolean(def) && def !== '0';
  // Read and checked whether or not this process polls: a bad value was accepted silently by a
  // process without the interval, and refused only once the interval was set (npm start on its
  // private server sets it after the start-up check, so the refusal came after the server started).
  const interval = pollingAll ? positiveInt(env, 'AIDHUB_MONITOR_INTERVAL_MS', 60_000) : 60_000;
  const intervalMs: MonitoringConfig['intervalMs'] = { default: interval };
  // A department's own interval alone polled nothing: the process polled only with the general one,
  // so AIDHUB_MONITOR_INTERVAL_MS_HEALTH=10000 on a process meant to watch 医保 was accepted and
  // ignored. Now it polls that department; and 0 leaves one out where the general one is set.
  const departments: DepartmentCode[] = [];
  for (const code of DEPARTMENT_CODES) {
    const name = `AIDHUB_MONITOR_INTERVAL_MS_${code}`;
    if (env[name] === '0') continue;
    if (env[name]) {
      intervalMs[code] = positiveInt(env, name, interval);
      departments.push(code);
    } else if (pollingAll) departments.push(code);
  }
  const polling = pollingAll || departments.length > 0;
  const given = env.AIDHUB_MONITOR_MONTHLY_REGION?.trim() || null;
  const region = given === null ? null : givenDivisionCode(given);
  if (given !== null && region === null) throw new ConfigError('MALFORMED_DIVISION_CODE', `AIDHUB_MONITOR_MONTHLY_REGION ${DIVISION_CODE_EXPECTED}, got ${JSON.stringify(given)}`);
  // A lease outlives three polls of the slowest department polled, else another process would take
  // it over between two of that department's polls.
  const slowest = Math.max(...departments.map((code) => intervalMs[code] ?? interval), pollingAll ? interval : 0);
  const config: MonitoringConfig = {
    intervalMs,
    ...(departments.length < DEPARTMENT_CODES.length ? { departments } : {}),
    leaseMs: positiveInt(env, 'AIDHUB_MONITOR_LEASE_MS', Math.max(3 * slowest, 10_000)),
    batchRows: positiveInt(env, 'AIDHUB_MONITOR_BATCH_ROWS', 5000),
    monthlyRegion: region,
    commitLagMs: positiveInt(env, 'AIDHUB_MONITOR_COMMIT_LAG_MS', 5000),
  };
  return polling ? config : null;
}

/** Pushing alerts to subscribers (AIDHUB_DELIVERY_* and AIDHUB_CALLBACK_HOSTS). */
export interface AlertDeliveryConfig {
  /** How often the worker looks for due outbox rows when the last look found fewer than a batch. */
  pollMs: number;
  /** Delays after the 1st, 2nd, … failed attempt; one more attempt than delays, then dead. */
  retryScheduleMs: number[];
  /** ± this fraction of each delay, at random. */
  retryJitter: number;
  /** A POST not answered within this is a failed attempt. */
  httpTimeoutMs: number;
  /** Rows claimed per round, and POSTs in flight at once. */
  batchSize: number;
  concurrency: number;
  /** Hosts (optionally host:port) callbacks may name; empty: no subscription can be created or served. */
  callbackHosts: string[];
  /**
   * The certificates an https callback's chain may end in: Node's own roots and those of
   * AIDHUB_CALLBACK_CA_FILE (a township's receiver on a government intranet, its certificate from a
   * government or bureau root CA); absent: Node's roots alone.
   */
  callbackCa?: string[];
}

export const HUB_TIMEOUT_MS_DEFAULT = 5000;

/** TOKEN_CACHE_MS by default: a revoked, rotated or expired token stops working within 2 s. */
export const TOKEN_CACHE_MS_DEFAULT = 2000;

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  /** Per client, the cost of its operations running at once in one process (MAX_QUERY_COST_IN_FLIGHT). */
  maxCostInFlight: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /**
   * The households and persons one operation may name over all its fields and aliases
   * (MAX_HOUSEHOLDS_PER_OPERATION; server/query-cost.ts NAMING_TYPES): by default MAX_LIST_SIZE,
   * one full `households(ids:)` batch or `householdsInRegion` page.
   */
  maxHouseholds: number;
}

/**
 * Generous for the hub's real queries (a case dossier nests about 8 deep), tight for abuse. The
 * cost counts page sizes given as variables too (server/query-cost.ts): a full page of 500 from
 * the access log costs about 40,000, 500 households by id with members and aid about 23,000,
 * while 500 households each asking its members' aid ten ways cost 578,000, and a page of 185
 * households asking for their findings, each read from every department, about 99,940 (LIVE_FINDINGS_COST).
 *
 * In flight, three operations at the per-query limit at once: a client's ordinary concurrency (a
 * few dozen look-ups of cost 10 to 2,000) is far below it, a burst of its most expensive queries
 * sent together is not.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 100_000, maxCostInFlight: 300_000, maxAliases: 20, maxDirectives: 10, maxTokens: 2_000, maxHouseholds: 500 };

export function departmentEnvName(code: DepartmentCode): string {
  return `SOURCE_${code}_URL`;
}

export function departmentDatabaseName(hubDatabase: string, code: DepartmentCode): string {
  return `${hubDatabase}_${code.toLowerCase()}`;
}

/** Replaces the database in a mysql:// URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('MALFORMED_URL', 'a database URL must be mysql://user:password@host:3306/database (the value is not repeated: it may hold a password)');
  }
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!name) throw new ConfigError('MALFORMED_URL', `the URL ${redactUrl(url)} names no database`);
  return name;
}

/** A URL with its password hidden, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * The longest AIDHUB_SHUTDOWN_DRAIN_MS: a service manager sends SIGKILL after its own stop timeout
 * (systemd 90 s, Kubernetes' terminationGracePeriodSeconds 30 s), which the drain must stay under.
 */
export const SHUTDOWN_DRAIN_MS_MAX = 300_000;

function shutdownDrainMs(env: NodeJS.ProcessEnv): number {
  const n = positiveInt(env, 'AIDHUB_SHUTDOWN_DRAIN_MS', 0);
  if (n > SHUTDOWN_DRAIN_MS_MAX) throw new ConfigError('OUT_OF_RANGE', `AIDHUB_SHUTDOWN_DRAIN_MS must be at most ${SHUTDOWN_DRAIN_MS_MAX} (5 minutes), got ${JSON.stringify(env.AIDHUB_SHUTDOWN_DRAIN_MS)}`);
  return n;
}

/** Above the 60 s idle timeout common to load balancers and proxies in front of a service (a cloud load balancer's default, nginx's upstream keepalive_timeout). */
export const HTTP_KEEP_ALIVE_MS_DEFAULT = 65_000;
/**
 * Behind a load balancer every connection comes from its address: it must hold fewer to one hub
 * process than this, or the limit be raised (or 0). A client of its own rarely needs more than a few dozen.
 */
export const HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT = 512;

/**
 * The stable codes of a refusal of the configuration (README, Configuration), one per kind of
 * mistake, the variable named by the message: a script reads the code, a person the message.
 */
export type ConfigErrorCode =
  | 'MALFORMED_NUMBER'
  | 'OUT_OF_RANGE'
  | 'MALFORMED_URL'
  | 'MALFORMED_SWITCH'
  | 'UNKNOWN_VALUE'
  | 'UNKNOWN_DEPARTMENT'
  | 'VARIABLE_REQUIRED'
  | 'MALFORMED_HOST'
  | 'MALFORMED_DIVISION_CODE'
  | 'MALFORMED_KEY'
  | 'MALFORMED_CERTIFICATE'
  | 'FILE_UNREADABLE'
  | 'MALFORMED_JSON'
  | 'INVALID_RULE_SET'
  | 'INVALID_TRIGGER_SET'
  | 'INVALID_HOLIDAY_NOTICE'
  | 'MALFORMED_LIST'
  | 'UNKNOWN_ROLE'
  | 'UNKNOWN_PURPOSE'
  | 'ROLE_NOT_BOUND'
  | 'CHARITY_DEPARTMENT_ROLE'
  | 'CHECKPOINT_KEY_CHANGED'
  | 'CHECKPOINT_CHAIN_REWOUND'
  | 'CHECKPOINT_FILE_IN_USE';

/**
 * A variable whose value the hub cannot run with: refused at start-up with one line,
 * `error: CODE: …` (configErrorLine), naming the variable and what it must be, never a value that
 * may hold a secret (server/main.ts prints it without a stack trace, exit code 2).
 */
export class ConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** How a refusal is printed, `error: CODE: …`: the one formatter of such lines (domain/error-line.ts). */
export { configErrorLine } from '../domain/error-line';

/**
 * The longest time a `…_MS` variable may give: Node's timers hold a 32-bit signed count of
 * milliseconds (about 24.8 days), and one asked to wait longer fires after 1 ms instead, with a
 * warning. HUB_TIMEOUT_MS=3000000000 passed the start-up check, then every statement on the hub
 * database timed out at once ("did not answer within 3000000000 ms") and the start ended with a
 * stack trace, exit code 1; a poll or look-up interval so long ran every millisecond.
 */
export const TIMER_MS_MAX = 2_147_483_647;

/** A duration variable: its name ends in `_MS` or has `_MS_` before a department. */
const DURATION_NAME = /_MS(?:_|$)/;

/**
 * A whole number as README's Configuration gives them: decimal digits and nothing else. `Number`
 * alone read `PORT=0x10` as 16, `HUB_TIMEOUT_MS=1e3` as 1000, `5.0`, `+5` and ` 5 ` as 5, so a
 * value nobody would write on purpose (a hex dump, a spreadsheet's exponent) ran as some other number.
 */
const DECIMAL_DIGITS = /^[0-9]+$/;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = DECIMAL_DIGITS.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(Number.isInteger(n) ? 'OUT_OF_RANGE' : 'MALFORMED_NUMBER', `${name} must be a positive integer in decimal digits (no sign, point, exponent, 0x or spaces), got ${JSON.stringify(raw)}`);
  if (n > TIMER_MS_MAX && DURATION_NAME.test(name)) throw new ConfigError('OUT_OF_RANGE', `${name} must be at most ${TIMER_MS_MAX} (milliseconds, about 24 days: the longest a timer waits), got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * A switch: `1` on, `0` off, unset (or empty) null. Anything else is refused: `AIDHUB_SUBGRAPH=true`
 * or `AIDHUB_DEMO=no` were compared with '1' and '0' where used, so the first served no subgraph and
 * the second loaded the demo, silently.
 */
function switchFromEnv(env: NodeJS.ProcessEnv, name: string): boolean | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw === '1' || raw === '0') return raw === '1';
  throw new ConfigError('MALFORMED_SWITCH', `${name} must be 1 (on) or 0 (off), got ${JSON.stringify(raw)}`);
}

/** A TCP port: 1–65535 (a larger one passed the integer check and failed only at listen, after the database and the demo load). */
function portNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = positiveInt(env, name, fallback);
  if (n > 65_535) throw new ConfigError('OUT_OF_RANGE', `${name} must be a port number from 1 to 65535, got ${JSON.stringify(env[name])}`);
  return n;
}

/** A scan's lease without renewal (AIDHUB_JOB_LEASE_MS), resolvers/findings/scan.ts. */
export const JOB_LEASE_MS_DEFAULT = 30_000;

/** A check kept beside its feature, refusing with a plain Error, reported like every variable here, with `code`. */
function asConfigError<T>(code: ConfigErrorCode, read: () => T, variable?: string): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = (err as Error).message;
    throw new ConfigError(code, variable && !message.includes(variable) ? `${variable}: ${message}` : message);
  }
}

/** pino's levels; any other LOG_LEVEL made pino throw a message that did not name the variable. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** LOG_LEVEL, checked: `fallback` when unset. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv, fallback: string): string {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError('UNKNOWN_VALUE', `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
}

/** The demo population `npm start` loads into an empty hub (AIDHUB_DEMO_HOUSEHOLDS; a word made it load none). */
export function demoHouseholdsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInt(env, 'AIDHUB_DEMO_HOUSEHOLDS', 5000);
}

/**
 * Each department's database URL: its SOURCE_<DEPT>_URL, else beside the hub's. A variable that is
 * no database URL is refused here (MALFORMED_URL), for the tools that read them without loadConfig
 * (`import`, `demo:generate`): they failed on connecting, as a failed load, exit 3 or 1.
 */
export function sourceUrls(hubUrl: string, env: NodeJS.ProcessEnv = process.env): Record<DepartmentCode, string> {
  for (const code of DEPARTMENT_CODES) databaseUrlFromEnv(env, departmentEnvName(code));
  const hubDb = databaseOf(hubUrl);
  return Object.fromEntries(
    // A ledger the hub keeps itself is read from the hub's own database unless pointed elsewhere.
    DEPARTMENT_CODES.map((code) => [code, env[departmentEnvName(code)] || (HUB_LEDGER_SOURCES.includes(code) ? hubUrl : withDatabase(hubUrl, departmentDatabaseName(hubDb, code)))]),
  ) as Record<DepartmentCode, string>;
}

/**
 * A database URL from a variable: mysql://user:password@host:port/database. Anything else was taken
 * as given and failed later with a stack trace (DATABASE_URL at once, a SOURCE_*_URL only after
 * the private server had started), exit code 1.
 */
function databaseUrlFromEnv(env: NodeJS.ProcessEnv, name: string): void {
  const raw = env[name];
  if (!raw) return;
  let u: URL | null = null;
  try {
    u = new URL(raw);
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') || !u.hostname || u.pathname.replace(/^\//, '') === '') {
    throw new ConfigError('MALFORMED_URL', `${name} must be a database URL, mysql://user:password@host:3306/database (the value is not repeated: it may hold a password)`);
  }
}

/**
 * RATE_LIMIT_REDIS_URL: redis:// or rediss:// (TLS). ioredis read `http://host:6379` as the path
 * of a Unix socket (ENOENT), so the hub ran with its limits per process for good and one warning.
 */
function redisUrlFromEnv(env: NodeJS.ProcessEnv): string | null {
  const raw = env.RATE_LIMIT_REDIS_URL;
  if (!raw) return null;
  let u: URL | null = null;
  try {
    u = new URL(raw);
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) throw new ConfigError('MALFORMED_URL', 'RATE_LIMIT_REDIS_URL must be redis://host:port/db, or rediss:// for TLS (the value is not repeated: it may hold a password)');
  // The database is a number or none (0). ioredis read `/city2` as no number (database 0, where
  // another city's hub may count its clients of the same ids) and `/3x` as 3.
  if (!/^\/?(\d+)?$/.test(u.pathname)) throw new ConfigError('MALFORMED_URL', 'RATE_LIMIT_REDIS_URL must name its database by number, redis://host:port/0, /1 … (the value is not repeated: it may hold a password)');
  return raw;
}

/**
 * A per-department variable naming no department (SOURCE_HEALTHCARE_URL, SOURCE_CIVIL_URL,
 * AIDHUB_MONITOR_INTERVAL_MS_EDU) is refused: it was read by nobody, so the department it was meant
 * for stayed on its default (its database beside the hub's, the general timeout, no polling of its
 * own) with nothing said.
 */
function departmentVariablesKnown(env: NodeJS.ProcessEnv): void {
  const known = new Set<string>(DEPARTMENT_CODES);
  for (const name of Object.keys(env)) {
    const department = /^SOURCE_(\w+?)_(?:URL|TIMEOUT_MS|CHECK_CONNECTIONS)$/.exec(name)?.[1] ?? /^AIDHUB_MONITOR_INTERVAL_MS_(\w+)$/.exec(name)?.[1];
    if (department === undefined || known.has(department)) continue;
    throw new ConfigError('UNKNOWN_DEPARTMENT', `${name} names no department: <DEPT> is one of ${DEPARTMENT_CODES.join(' ')} (README, Configuration)`);
  }
}

/**
 * NODE_ENV: `production`, or `development` or `test` (or unset). Anything else (`prod`,
 * `Production`) was development mode in silence: stack traces in answers, introspection on and the
 * statement counts shown, on a hub its operator believed in production.
 */
function productionFromEnv(env: NodeJS.ProcessEnv): boolean {
  const raw = env.NODE_ENV;
  if (raw === undefined || raw === '' || raw === 'development' || raw === 'test') return false;
  if (raw === 'production') return true;
  throw new ConfigError('UNKNOWN_VALUE', `NODE_ENV must be production (or development or test), got ${JSON.stringify(raw)}: any other value runs the hub in development mode, with stack traces in its answers and introspection on`);
}

/**
 * The metrics listener: METRICS_PORT turns it on. METRICS_HOST or METRICS_TOKEN without it was
 * accepted and ignored, so an operator who set only the token believed /metrics served and guarded.
 */
function metricsFromEnv(env: NodeJS.ProcessEnv): NonNullable<HubConfig['metrics']> {
  if (!env.METRICS_PORT) {
    const stray = ['METRICS_HOST', 'METRICS_TOKEN'].find((name) => env[name]);
    if (stray) throw new ConfigError('VARIABLE_REQUIRED', `${stray} is set but METRICS_PORT is not, so there is no metrics listener: set METRICS_PORT (e.g. 9464) as well, or unset ${stray}`);
  }
  return {
    port: env.METRICS_PORT ? portNumber(env, 'METRICS_PORT', 9464) : null,
    host: env.METRICS_HOST || '127.0.0.1',
    token: env.METRICS_TOKEN || null,
  };
}

export function loadConfig(hubUrl: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  departmentVariablesKnown(env);
  databaseUrlFromEnv(env, 'DATABASE_URL');
  for (const code of DEPARTMENT_CODES) databaseUrlFromEnv(env, departmentEnvName(code));
  const timeoutMs = positiveInt(env, 'SOURCE_TIMEOUT_MS', 2000);
  const checkConnections = positiveInt(env, 'SOURCE_CHECK_CONNECTIONS', CHECK_CONNECTIONS_DEFAULT);
  const scanTimeoutMs = positiveInt(env, 'AIDHUB_SCAN_READ_TIMEOUT_MS', SCAN_TIMEOUT_MS_DEFAULT);
  const urls = sourceUrls(hubUrl, env);
  const maxListSize = positiveInt(env, 'MAX_LIST_SIZE', 500);
  return {
    hubUrl,
    sources: Object.fromEntries(
      DEPARTMENT_CODES.map((code) => [
        code,
        { url: urls[code], timeoutMs: positiveInt(env, `SOURCE_${code}_TIMEOUT_MS`, timeoutMs), checkConnections: positiveInt(env, `SOURCE_${code}_CHECK_CONNECTIONS`, checkConnections), scanTimeoutMs },
      ]),
    ) as Record<DepartmentCode, SourceConfig>,
    port: portNumber(env, 'PORT', 4000),
    host: env.HOST || '127.0.0.1',
    production: productionFromEnv(env),
    maxListSize,
    queryLimits: {
      maxDepth: positiveInt(env, 'MAX_QUERY_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth),
      maxCost: positiveInt(env, 'MAX_QUERY_COST', DEFAULT_QUERY_LIMITS.maxCost),
      maxCostInFlight: positiveInt(env, 'MAX_QUERY_COST_IN_FLIGHT', DEFAULT_QUERY_LIMITS.maxCostInFlight),
      maxAliases: positiveInt(env, 'MAX_QUERY_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases),
      maxDirectives: positiveInt(env, 'MAX_QUERY_DIRECTIVES', DEFAULT_QUERY_LIMITS.maxDirectives),
      maxTokens: positiveInt(env, 'MAX_QUERY_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens),
      maxHouseholds: positiveInt(env, 'MAX_HOUSEHOLDS_PER_OPERATION', maxListSize),
    },
    rateLimitPerMinute: positiveInt(env, 'RATE_LIMIT_PER_MINUTE', 600),
    authFailuresPerMinute: positiveInt(env, 'AUTH_FAILURES_PER_MINUTE', 60),
    hubTimeoutMs: positiveInt(env, 'HUB_TIMEOUT_MS', HUB_TIMEOUT_MS_DEFAULT),
    keepAliveMs: positiveInt(env, 'HTTP_KEEP_ALIVE_MS', HTTP_KEEP_ALIVE_MS_DEFAULT),
    maxConnectionsPerAddress: env.HTTP_MAX_CONNECTIONS_PER_ADDRESS === '0' ? 0 : positiveInt(env, 'HTTP_MAX_CONNECTIONS_PER_ADDRESS', HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT),
    shutdownDrainMs: env.AIDHUB_SHUTDOWN_DRAIN_MS === '0' ? 0 : shutdownDrainMs(env),
    tokenCacheMs: env.TOKEN_CACHE_MS === '0' ? 0 : positiveInt(env, 'TOKEN_CACHE_MS', TOKEN_CACHE_MS_DEFAULT),
    auditCheckpoints: checkpointConfigFromEnv(env),
    rateLimitRedisUrl: redisUrlFromEnv(env),
    metrics: metricsFromEnv(env),
    subgraph: switchFromEnv(env, 'AIDHUB_SUBGRAPH') ?? false,
    demo: switchFromEnv(env, 'AIDHUB_DEMO'),
    jobTakeoverIntervalMs: env.AIDHUB_JOB_TAKEOVER_MS === '0' ? null : positiveInt(env, 'AIDHUB_JOB_TAKEOVER_MS', 15_000),
    jobLeaseMs: positiveInt(env, 'AIDHUB_JOB_LEASE_MS', JOB_LEASE_MS_DEFAULT),
    charityClaimWorkingDays: asConfigError(DECIMAL_DIGITS.test(env.CHARITY_CLAIM_WORKING_DAYS ?? '') ? 'OUT_OF_RANGE' : 'MALFORMED_NUMBER', () => claimWorkingDays(env)),
    callbackHosts: callbackHostsFromEnv(env),
    alertDelivery: alertDeliveryConfigFromEnv(env),
    monitoring: monitoringConfigFromEnv(env),
  };
}

/**
 * AIDHUB_DELIVERY_RETRY_MS: the delays after each failed push, comma-separated milliseconds, each
 * decimal digits (0 for at once) and at most TIMER_MS_MAX, spaces around the commas allowed. Each
 * item went through `Number`, which reads an empty one as 0: `1000,,2000` (a delay deleted by hand)
 * retried at once in its place, and `0x10` or `1e3` were 16 and 1000 ms.
 */
function retryScheduleFromEnv(env: NodeJS.ProcessEnv): readonly number[] {
  const raw = env.AIDHUB_DELIVERY_RETRY_MS;
  if (raw === undefined || raw === '') return DEFAULT_RETRY_SCHEDULE_MS;
  const items = raw.split(',').map((s) => s.trim());
  const bad = items.findIndex((s) => !DECIMAL_DIGITS.test(s) || Number(s) > TIMER_MS_MAX);
  if (bad >= 0) {
    const what = items[bad] === '' ? 'is empty' : DECIMAL_DIGITS.test(items[bad]) ? `is above ${TIMER_MS_MAX} (about 24 days: the longest a timer waits)` : `is ${JSON.stringify(items[bad])}, not decimal digits`;
    throw new ConfigError(DECIMAL_DIGITS.test(items[bad]) ? 'OUT_OF_RANGE' : 'MALFORMED_NUMBER', `AIDHUB_DELIVERY_RETRY_MS must be comma-separated milliseconds, each decimal digits (3000,9000,21000); item ${bad + 1} of ${JSON.stringify(raw)} ${what}`);
  }
  return items.map(Number);
}

/** AIDHUB_DELIVERY_POLL_MS=0 turns the worker off in this process (another process delivers). */
export function alertDeliveryConfigFromEnv(env: NodeJS.ProcessEnv): AlertDeliveryConfig | null {
  if (env.AIDHUB_DELIVERY_POLL_MS === '0') return null;
  const schedule = retryScheduleFromEnv(env);
  // A decimal fraction as written (0.2, .2): `Number` took 0x0 and 1e-1 too.
  const rawJitter = env.AIDHUB_DELIVERY_JITTER;
  const jitter = rawJitter === undefined || rawJitter === '' ? DEFAULT_RETRY_JITTER : /^[0-9]*\.?[0-9]+$/.test(rawJitter) ? Number(rawJitter) : NaN;
  if (!(jitter >= 0 && jitter < 1)) throw new ConfigError(Number.isNaN(jitter) ? 'MALFORMED_NUMBER' : 'OUT_OF_RANGE', `AIDHUB_DELIVERY_JITTER must be a decimal fraction in [0, 1) such as 0.2, got ${JSON.stringify(rawJitter)}`);
  return {
    pollMs: positiveInt(env, 'AIDHUB_DELIVERY_POLL_MS', 1000),
    retryScheduleMs: [...schedule],
    retryJitter: jitter,
    httpTimeoutMs: positiveInt(env, 'AIDHUB_DELIVERY_TIMEOUT_MS', 10_000),
    batchSize: positiveInt(env, 'AIDHUB_DELIVERY_BATCH', 200),
    concurrency: positiveInt(env, 'AIDHUB_DELIVERY_CONCURRENCY', 16),
    callbackHosts: callbackHostsFromEnv(env),
    ...callbackCaFromEnv(env),
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * AIDHUB_CALLBACK_CA_FILE: a PEM file of one or more CA certificates an https callback's certificate
 * may be signed by, trusted beside Node's own roots (tls.rootCertificates), not instead of them; read
 * once, at start. NODE_EXTRA_CA_CERTS does the same for the whole process (every https connection
 * it makes, and only a warning when the file is missing): this one is the hub's, for its callbacks,
 * and a file that cannot be read or holds no certificate refuses the start.
 */
export function callbackCaFromEnv(env: NodeJS.ProcessEnv): { callbackCa?: string[] } {
  const given = env.AIDHUB_CALLBACK_CA_FILE;
  if (given === undefined || given === '') return {};
  const file = userPath(given, env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('FILE_UNREADABLE', `AIDHUB_CALLBACK_CA_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw new ConfigError('MALFORMED_CERTIFICATE', `AIDHUB_CALLBACK_CA_FILE: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  certificates.forEach((pem, i) => asConfigError('MALFORMED_CERTIFICATE', () => new crypto.X509Certificate(pem), `AIDHUB_CALLBACK_CA_FILE: certificate ${i + 1} of ${file}`));
  return { callbackCa: [...tls.rootCertificates, ...certificates] };
}

/** A host name or IPv4 address, an IPv6 address bare or in brackets, optionally with :port or :* in brackets' case or a name's. */
const CALLBACK_HOST_ENTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?$|^[0-9a-f]*:[0-9a-f:.]+$/i;

/**
 * AIDHUB_CALLBACK_HOSTS: comma-separated hosts (optionally host:port, or host:* for every port);
 * unset: none. An entry that is not one (a URL, `http://receiver:8080/alerts`) matched no callback,
 * so a process started with it ran a delivery worker that failed every push CALLBACK_HOST_NOT_ALLOWED
 * into dead letters. An address written in a form the URL parser reads as another (`010.20.0.7` is
 * 8.20.0.7 to it, `2130706433` is 127.0.0.1) is refused too, naming the address it would be: as
 * written it admitted nothing, and read it would admit an address nobody wrote.
 */
export function callbackHostsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const hosts = (env.AIDHUB_CALLBACK_HOSTS ?? '').split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  const bad = hosts.find((h) => !CALLBACK_HOST_ENTRY.test(h) || Number(/\]?:(\d+)$/.exec(h)?.[1] ?? 1) > 65_535 || callbackHostEntry(h) === null);
  if (bad !== undefined) throw new ConfigError('MALFORMED_HOST', `AIDHUB_CALLBACK_HOSTS must list hosts, each optionally with :port or :* (127.0.0.1,receiver.example:8443), not URLs; got ${JSON.stringify(bad)}`);
  const misread = hosts.find((h) => !callbackHostEntry(h)!.written);
  if (misread !== undefined) throw new ConfigError('MALFORMED_HOST', `AIDHUB_CALLBACK_HOSTS entry ${JSON.stringify(misread)} is read as the address ${callbackHostEntry(misread)!.host}: write an address in its usual dotted form (10.20.0.7)`);
  return hosts;
}

// ----- Signed audit checkpoints (access/checkpoints.ts) -----------------------------------------

export interface CheckpointConfig {
  /** The append-only JSON-lines file, outside the hub database. */
  file: string;
  /** Ed25519 private key. */
  signingKey: crypto.KeyObject;
  /** A signed checkpoint at least every this many rows … */
  everyRows: number;
  /** … and every this many milliseconds while rows are being written. */
  everyMs: number;
}

export const CHECKPOINT_EVERY_ROWS_DEFAULT = 1000;
export const CHECKPOINT_EVERY_MS_DEFAULT = 60_000;

/** A private or public Ed25519 key from PEM text. */
export function parseKey(pem: string): crypto.KeyObject {
  const key = pem.includes('PRIVATE KEY') ? crypto.createPrivateKey(pem) : crypto.createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError('MALFORMED_KEY', 'the audit signing key must be an Ed25519 key');
  return key;
}

/** AUDIT_SIGNING_KEY_FILE's text; a file that cannot be read is refused naming the variable (it was a bare ENOENT). */
function readKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('FILE_UNREADABLE', `AUDIT_SIGNING_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The id of a key, as checkpoints name the key they are signed with: its public half's SHA-256, 16 hex digits. */
export function keyIdOf(key: crypto.KeyObject): string {
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/**
 * The last lines of a checkpoint file (at most its last megabyte: a checkpoint is signed every
 * AUDIT_CHECKPOINT_ROWS rows, a line of 1,000 row hashes is about 70 kB), parsed, newest first;
 * null when there is no file. A line that does not parse (cut by a crash mid-write, or the first,
 * cut by where the read began) is left out.
 */
export function checkpointFileTail(file: string): Record<string, unknown>[] | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError('FILE_UNREADABLE', `AUDIT_CHECKPOINT_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const tail = Buffer.alloc(length);
    fs.readSync(fd, tail, 0, length, size - length);
    const parsed: Record<string, unknown>[] = [];
    for (const text of tail.toString('utf8').split('\n').reverse()) {
      if (text.trim() === '') continue;
      try {
        const line: unknown = JSON.parse(text);
        if (line && typeof line === 'object') parsed.push(line as Record<string, unknown>);
      } catch {
        // cut mid-write, or by where the read began
      }
    }
    return parsed;
  } finally {
    fs.closeSync(fd);
  }
}

/** The key id of the last signed checkpoint in a checkpoint file; null when there is no file or no checkpoint near its end. */
function lastCheckpointKeyId(file: string): string | null {
  const line = checkpointFileTail(file)?.find((l) => l.t === 'checkpoint' && typeof l.keyId === 'string');
  return line ? (line.keyId as string) : null;
}

/**
 * The signing key, from AUDIT_SIGNING_KEY (PEM text) or AUDIT_SIGNING_KEY_FILE (a path), and the
 * file and schedule; null when neither key is configured (checkpoints off).
 */
export function checkpointConfigFromEnv(env: NodeJS.ProcessEnv, fallbackFile?: string): CheckpointConfig | null {
  // Checked whether or not a key is given: npm start on its private server generates its key after
  // the server has started, so AUDIT_CHECKPOINT_ROWS=abc was refused only then, its data directory
  // made and a key generated; with DATABASE_URL and no key it was taken and never read.
  const everyRows = positiveInt(env, 'AUDIT_CHECKPOINT_ROWS', CHECKPOINT_EVERY_ROWS_DEFAULT);
  const everyMs = positiveInt(env, 'AUDIT_CHECKPOINT_INTERVAL_MS', CHECKPOINT_EVERY_MS_DEFAULT);
  const pem = env.AUDIT_SIGNING_KEY || (env.AUDIT_SIGNING_KEY_FILE ? readKeyFile(userPath(env.AUDIT_SIGNING_KEY_FILE, env)) : null);
  if (!pem) return null;
  const signingKey = asConfigError('MALFORMED_KEY', () => parseKey(pem), env.AUDIT_SIGNING_KEY ? 'AUDIT_SIGNING_KEY' : 'AUDIT_SIGNING_KEY_FILE');
  if (signingKey.type !== 'private') throw new ConfigError('MALFORMED_KEY', 'AUDIT_SIGNING_KEY(_FILE) must hold the private key');
  const file = env.AUDIT_CHECKPOINT_FILE ? userPath(env.AUDIT_CHECKPOINT_FILE, env) : fallbackFile;
  if (!file) throw new ConfigError('VARIABLE_REQUIRED', 'AUDIT_CHECKPOINT_FILE must name the append-only file for signed audit checkpoints');
  // A new signing key appended to the old key's file made the whole file unusable as evidence
  // (audit:verify checks a file against one key, and stops at the first line of another): a
  // rotated key begins a file of its own, and the old one stays, with its public key, the evidence
  // for the chain up to its last checkpoint (docs/operations.md, "Rotating the audit signing key").
  const previous = lastCheckpointKeyId(file);
  const keyId = keyIdOf(signingKey);
  if (previous !== null && previous !== keyId) {
    throw new ConfigError(
      'CHECKPOINT_KEY_CHANGED',
      `AUDIT_CHECKPOINT_FILE: ${file} holds checkpoints signed with another key (${previous}; this key is ${keyId}): a new signing key begins a new file. Keep that one and its public key as the evidence up to its last checkpoint, and name a new AUDIT_CHECKPOINT_FILE (or move it aside)`,
    );
  }
  return { file, signingKey, everyRows, everyMs };
}
