/**
 * A real hub server on a free port over the test databases, spoken to over HTTP like any client.
 *
 * Every request needs a token, so `startTestHub` creates an API client (by default: every role,
 * the province scope 370000 so that Jining 370800 and Gaotang 371526 fixtures are all in scope,
 * department CIVIL_AFFAIRS) and `gql` sends its token and a purpose (default ELIGIBILITY_REVIEW).
 * Access tests act as other clients with `createClient` and `as`.
 */
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { createClient } from '../../access/clients';
import type { Purpose, Role } from '../../access/policy';
import { OFFICE_ROLES } from '../../access/policy';
import { accessDbOf, type AccessDb } from '../../db/access/db';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { closeSources, openSources, type Sources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import { DEFAULT_QUERY_LIMITS, type HubConfig, type QueryLimits, type SourceConfig } from '../../db/config';
import { TEST_SOURCE_TIMEOUT_MS, type TestDatabases } from './databases';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: { sqlStatements?: { total: number; bySource: Record<string, number> } };
}

export interface TestClientSpec {
  name?: string;
  department?: import('../../domain/departments').OfficeCode;
  regionScope?: string;
  roles?: readonly Role[];
  /** DATETIME text (UTC), e.g. '2020-01-01 00:00:00.000'. */
  expiresAt?: string | null;
}

/** Who a request claims to be: a token (null: none), a purpose (null: none; any string is sent as is), a case reference. */
export interface Identity {
  token?: string | null;
  purpose?: Purpose | string | null;
  caseReference?: string | null;
}

type Gql = <T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<GraphQLResponse<T>>;

export interface TestHub {
  url: string;
  /** The default client's token ('' when started with `client: null`). */
  token: string;
  /** The default identity as request headers: for fetch() on other routes, or a browser's extraHTTPHeaders. */
  authHeaders: Record<string, string>;
  /** POST /graphql as the default identity; `headers` add to or override it ('' removes one). */
  gql: Gql;
  /** The same, as another identity. */
  as(identity: Identity): { gql: Gql; headers: Record<string, string> };
  /** Creates another API client in this hub's database. */
  createClient(spec?: TestClientSpec): Promise<{ name: string; token: string }>;
  /** The access tables (clients, audit trail). */
  accessDb: AccessDb;
  /** The hub's own connections to the departments (to fill a department's pools in a test). */
  sources: Sources;
  /** `http://127.0.0.1:<port>/metrics`, the hub's metrics listener, when started with `metrics: true`; else null. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Per-department overrides: point one at a dead or slow server. */
  sources?: Partial<Record<DepartmentCode, Partial<SourceConfig>>>;
  today?: string;
  /** The hub's clock (HubDeps.clock): a test moves it instead of sleeping. Default the system clock. */
  clock?: () => Date;
  production?: boolean;
  maxListSize?: number;
  /** The client `gql` acts as, created at start; null: send no token at all. */
  client?: TestClientSpec | null;
  /** The purpose `gql` states (default ELIGIBILITY_REVIEW); null: none. */
  purpose?: Purpose | string | null;
  caseReference?: string | null;
  queryLimits?: Partial<QueryLimits>;
  rateLimitPerMinute?: number;
  authFailuresPerMinute?: number;
  /** Where the hub logs (default: nowhere); tests capture it to prove what logs never hold. */
  logger?: Logger;
  /** The hub database's deadline (HUB_TIMEOUT_MS); default the production default. */
  hubTimeoutMs?: number;
  /** How long token look-ups are kept (TOKEN_CACHE_MS); default 0, every request looks its token up. */
  tokenCacheMs?: number;
  /** Signed audit checkpoints (access/checkpoints.ts); default off. */
  auditCheckpoints?: HubConfig['auditCheckpoints'];
  /** Serve the schema as an Apollo Federation 2 subgraph (AIDHUB_SUBGRAPH=1). */
  subgraph?: boolean;
  /** Serve /metrics on a listener of its own (METRICS_PORT), on a free port: `metricsUrl`. */
  metrics?: boolean;
  /** Any other settings, as server/main.ts reads them from the environment (background workers, a rate-limit store). */
  config?: Partial<HubConfig>;
}

let clientCounter = 0;

export function identityHeaders(identity: Identity): Record<string, string> {
  const headers: Record<string, string> = {};
  if (identity.token) headers.authorization = `Bearer ${identity.token}`;
  if (identity.purpose) headers['x-purpose'] = identity.purpose;
  if (identity.caseReference) headers['x-case-reference'] = identity.caseReference;
  return headers;
}

export async function startTestHub(dbs: TestDatabases, opts: TestHubOptions = {}): Promise<TestHub> {
  const sourceConfigs = Object.fromEntries(
    DEPARTMENT_CODES.map((c) => [c, { url: dbs.sourceUrls[c], timeoutMs: TEST_SOURCE_TIMEOUT_MS, ...opts.sources?.[c] }]),
  ) as Record<DepartmentCode, SourceConfig>;
  const config: HubConfig = {
    hubUrl: dbs.hubUrl,
    sources: sourceConfigs,
    port: 0,
    host: '127.0.0.1',
    production: opts.production ?? false,
    maxListSize: opts.maxListSize ?? 500,
    queryLimits: { ...DEFAULT_QUERY_LIMITS, ...opts.queryLimits },
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000,
    authFailuresPerMinute: opts.authFailuresPerMinute ?? 100_000,
    hubTimeoutMs: opts.hubTimeoutMs,
    tokenCacheMs: opts.tokenCacheMs ?? 0,
    auditCheckpoints: opts.auditCheckpoints ?? null,
    subgraph: opts.subgraph ?? false,
    // A port for the hub to see that metrics are on; its listener is made to listen on a free one below.
    ...(opts.metrics ? { metrics: { port: 1, host: '127.0.0.1', token: null } } : {}),
    ...opts.config,
  };
  const accessDb = accessDbOf(dbs.hub);
  const makeClient = async (spec: TestClientSpec = {}) => {
    clientCounter += 1;
    const name = spec.name ?? `test-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}-${clientCounter}`;
    const { token } = await createClient(accessDb, {
      name,
      department: spec.department ?? 'CIVIL_AFFAIRS',
      regionScope: spec.regionScope ?? '370000',
      roles: spec.roles ?? OFFICE_ROLES,
      expiresAt: spec.expiresAt ?? null,
    });
    return { name, token };
  };
  const token = opts.client === null ? '' : (await makeClient(opts.client)).token;
  const defaults: Identity = {
    token,
    purpose: opts.purpose === undefined ? 'ELIGIBILITY_REVIEW' : opts.purpose,
    caseReference: opts.caseReference ?? null,
  };

  const sources = openSources(sourceConfigs);
  // A start refused (a ConfigError from createHubServer) leaves no pool open behind it.
  const { httpServer, apollo, metricsHttpServer } = await createHubServer({
    config,
    hub: dbs.hub,
    sources,
    logger: opts.logger ?? pino({ level: 'silent' }),
    today: opts.today ? () => opts.today! : undefined,
    clock: opts.clock,
  }).catch(async (err: unknown) => {
    await closeSources(sources);
    throw err;
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  let metricsUrl: string | null = null;
  if (opts.metrics && metricsHttpServer) {
    await new Promise<void>((resolve) => metricsHttpServer.listen(0, '127.0.0.1', resolve));
    metricsUrl = `http://127.0.0.1:${(metricsHttpServer.address() as AddressInfo).port}/metrics`;
  }

  const gqlAs =
    (identity: Identity): Gql =>
    async (query, variables, headers = {}) => {
      const merged: Record<string, string> = { 'content-type': 'application/json', ...identityHeaders(identity), ...headers };
      for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: merged, body: JSON.stringify({ query, variables }) });
      return { status: res.status, ...((await res.json()) as object) };
    };

  return {
    url,
    token,
    authHeaders: identityHeaders(defaults),
    gql: gqlAs(defaults),
    as: (identity) => {
      const merged = { ...defaults, ...identity };
      return { gql: gqlAs(merged), headers: identityHeaders(merged) };
    },
    createClient: makeClient,
    accessDb,
    sources,
    metricsUrl,
    async close() {
      await apollo.stop();
      await closeSources(sources);
    },
  };
}
