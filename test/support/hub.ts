/** A real hub server on a free port over the test databases, spoken to over HTTP like any client. */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { closeSources, openSources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import type { HubConfig, SourceConfig } from '../../server/config';
import type { TestDatabases } from './databases';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: { sqlStatements?: { total: number; bySource: Record<string, number> } };
}

export interface TestHub {
  url: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  /** Per-department overrides: point one at a dead or slow server. */
  sources?: Partial<Record<DepartmentCode, Partial<SourceConfig>>>;
  today?: string;
  production?: boolean;
  maxListSize?: number;
}

export async function startTestHub(dbs: TestDatabases, opts: TestHubOptions = {}): Promise<TestHub> {
  const sourceConfigs = Object.fromEntries(
    DEPARTMENT_CODES.map((c) => [c, { url: dbs.sourceUrls[c], timeoutMs: 2000, ...opts.sources?.[c] }]),
  ) as Record<DepartmentCode, SourceConfig>;
  const config: HubConfig = {
    hubUrl: dbs.hubUrl,
    sources: sourceConfigs,
    port: 0,
    host: '127.0.0.1',
    production: opts.production ?? false,
    maxListSize: opts.maxListSize ?? 500,
  };
  const sources = openSources(sourceConfigs);
  const { httpServer, apollo } = await createHubServer({
    config,
    hub: dbs.hub,
    sources,
    logger: pino({ level: 'silent' }),
    today: opts.today ? () => opts.today! : undefined,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return {
    url,
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    async close() {
      await apollo.stop();
      await closeSources(sources);
    },
  };
}
