/**
 * A query whose client goes away stops costing (server/client-gone.ts). A client whose costly query
 * timed out on its side and disconnected held its cost in flight (MAX_QUERY_COST_IN_FLIGHT) until the
 * hub's department reads finished: its retry was refused 429 QUERY_COST_IN_FLIGHT, and the hub's
 * statement went on waiting on the department's server for an answer no one would read.
 *
 * Union's tables are locked by its own system (as in test/source-hangs.test.ts), and its time limit
 * is the tests' long one, so a household query waits there for as long as the test needs, with no
 * timing. A client sends the query, disconnects once its statement waits on union's server, and
 * sends it again: the hub's statement is stopped on the server (PROCESSLIST), the retry is admitted
 * (not 429) and answered whole once the lock goes, the abandonment counted in /metrics, and the
 * abandoned request's audit rows are those of an answer with a department out of time.
 */
import { getTableName } from 'drizzle-orm';
import { parse, type OperationDefinitionNode } from 'graphql';
import mysql from 'mysql2/promise';
import { RequestAbandoned, RequestReads } from '../db/abandon';
import { ADAPTERS } from '../federation/registry';
import { withTimeout } from '../federation/loaders';
import { buildSchema } from '../resolvers/index';
import { CostInFlight, queryCostPlugin } from '../server/query-cost';
import type { HubRequestListener } from '../server/plugins';
import { clientGonePlugin } from '../server/client-gone';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';
import { until } from './support/until';
import { costOf } from './support/query-cost';

const HOUSEHOLD = 'query($id: ID!) { household(id: $id) { registrationNumber aid { programme { code } amountFen } sources { department { code } available } } }';
const CHEAP = '{ caller { name } }';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;

beforeAll(async () => {
  dbs = await createTestDatabases('client_gone');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // Room for one household query and a cheap one beside it, not for two household queries.
  const one = costOf(HOUSEHOLD, { id: String(wangId) });
  const maxCostInFlight = one + costOf(CHEAP, {}) + 1;
  expect(maxCostInFlight).toBeLessThan(2 * one);
  hub = await startTestHub(dbs, { today: TODAY, queryLimits: { maxCostInFlight }, metrics: true });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('RequestReads', () => {
  const held = () => {
    let answer!: (v: string) => void;
    return { work: () => new Promise<string>((r) => (answer = r)), answer: (v: string) => answer(v) };
  };

  it('abandons a query’s reads in flight when its client goes, and refuses its later ones', async () => {
    const reads = new RequestReads();
    const told: string[] = [];
    reads.onAbandon({ requestAbandoned: () => told.push('told') });
    reads.mayAbandon();
    const read = held();
    const pending = withTimeout(60_000, read.work, reads);
    reads.clientGone();
    await expect(pending).rejects.toBeInstanceOf(RequestAbandoned);
    await expect(withTimeout(60_000, () => Promise.resolve('late'), reads)).rejects.toBeInstanceOf(RequestAbandoned);
    expect(told).toEqual(['told']);
    // A listener added afterwards is told at once, as the cost taken after the client went is given back.
    reads.onAbandon({ requestAbandoned: () => told.push('late') });
    expect(told).toEqual(['told', 'late']);
  });

  it('leaves a mutation’s reads (never made abandonable) to finish when its client goes', async () => {
    const reads = new RequestReads();
    const read = held();
    const pending = withTimeout(60_000, read.work, reads);
    reads.clientGone();
    read.answer('read whole');
    await expect(pending).resolves.toBe('read whole');
    expect(reads.abandoned).toBe(false);
  });

  it('lets a query be abandoned once its operation is known, never a mutation', () => {
    const asked = (query: string) => {
      const reads = new RequestReads();
      const listener = clientGonePlugin().requestDidStart!({} as never) as HubRequestListener;
      listener.didResolveOperation!({ operation: parse(query).definitions[0], contextValue: { loaders: { reads } } } as never);
      reads.clientGone();
      return reads.abandoned;
    };
    expect(asked(HOUSEHOLD)).toBe(true);
    expect(asked('mutation { caseOpen(input: {}) { case { id } } }')).toBe(false);
  });

  it('abandons at once a query whose client had gone before its operation was known', () => {
    const reads = new RequestReads();
    reads.clientGone();
    expect(reads.abandoned).toBe(false);
    reads.mayAbandon();
    expect(reads.abandoned).toBe(true);
  });
});

it('gives a query’s cost in flight back as its client goes, before the query has ended (its hub reads and audit rows still to come)', () => {
  const inFlight = new CostInFlight(1_000_000);
  const listener = queryCostPlugin({ maxCost: 1_000_000 }, inFlight).requestDidStart!({} as never) as HubRequestListener;
  const schema = buildSchema();
  const document = parse(HOUSEHOLD);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const reads = new RequestReads();
  const contextValue = { loaders: { reads }, access: { caller: { clientId: 7 } } };
  listener.didResolveOperation!({ schema, document, operation, request: { variables: { id: String(wangId) } }, contextValue } as never);
  expect(inFlight.inFlight('7')).toBeGreaterThan(0);
  reads.mayAbandon();
  reads.clientGone();
  expect(inFlight.inFlight('7')).toBe(0);
  // Given back once: the query's end gives nothing back again (another query of the client's keeps its share).
  expect(inFlight.take('7', 10)).toEqual({ ok: true });
  listener.willSendResponse!({ contextValue } as never);
  expect(inFlight.inFlight('7')).toBe(10);
});

it('stops a gone client’s department statement and gives its cost back at once: its retry is served, not refused QUERY_COST_IN_FLIGHT', async () => {
  const variables = { id: String(wangId) };
  const send = (requestId: string, signal?: AbortSignal) =>
    fetch(`${hub.url}/graphql`, { method: 'POST', signal, headers: { ...hub.authHeaders, 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify({ query: HOUSEHOLD, variables }) });
  const abandoned = async () => Number(/^aidhub_queries_abandoned_total (\d+)$/m.exec(await (await fetch(hub.metricsUrl!)).text())?.[1] ?? NaN);
  const department = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  const watcher = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  // Statements on the union's server waiting for its tables: the hub's, not the department's own.
  const waiting = async () => {
    const [rows] = await watcher.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND ID NOT IN (CONNECTION_ID(), ?)", [department.threadId]);
    return Number((rows as { n: number }[])[0].n);
  };
  try {
    expect(await abandoned()).toBe(0);
    await department.query(`LOCK TABLES ${ADAPTERS.UNION.tables.map((t) => `\`${getTableName(t)}\` WRITE`).join(', ')}`);
    const client = new AbortController();
    const first = send('client-gone-first', client.signal).then(() => 'answered', (e: Error) => e.name);
    await until('the first query’s statement to wait on union’s locked tables', waiting, (n) => n === 1);

    // The client's own timeout: it closes its connection.
    client.abort();
    expect(await first).toBe('AbortError');
    // Without abandoning: the statement waits out the department's time limit (a minute here), its cost held all along.
    await until('the gone client’s statement to be stopped on union’s server', waiting, (n) => n === 0, 30_000);

    // The retry, at once: admitted (a refusal would never reach union's server) and answered whole once the lock goes.
    let refused: number | null = null;
    const retry = send('client-gone-retry').then((res) => {
      if (res.status !== 200) refused = res.status;
      return res;
    });
    await until('the retry’s statement to wait on union’s locked tables (or the retry refused)', async () => (refused === null ? await waiting() : -1), (n) => n === 1 || n === -1);
    expect(refused).toBeNull();
    await department.query('UNLOCK TABLES');
    const answered = await retry;
    expect(answered.status).toBe(200);
    const body = (await answered.json()) as { errors?: unknown; data: { household: { registrationNumber: string; sources: { available: boolean }[] } } };
    expect(body.errors).toBeUndefined();
    expect(body.data.household.sources.every((s) => s.available)).toBe(true);
    expect(await abandoned()).toBe(1);

    // The abandoned query's audit rows are written, as for an answer with a department out of time (PARTIAL), nothing half-recorded.
    const rows = async () => {
      const [found] = await dbs.hubPool.query('SELECT subject_kind, outcome FROM access_log WHERE request_id = ? ORDER BY seq', ['client-gone-first']);
      return found as { subject_kind: string; outcome: string }[];
    };
    const written = await until('the abandoned query’s audit rows', rows, (r) => r.length > 0);
    expect(new Set(written.map((r) => r.outcome))).toEqual(new Set(['PARTIAL']));
    expect(written.map((r) => r.subject_kind)).toContain('HOUSEHOLD');
  } finally {
    await department.query('UNLOCK TABLES').catch(() => undefined);
    await department.end();
    await watcher.end();
  }
}, 300_000);

it('answers a query whose client stays whole, and counts no abandonment for it (its cost held until then: test/query-cost-in-flight.test.ts)', async () => {
  const res = await hub.gql(HOUSEHOLD, { id: String(wangId) });
  expect(res.errors).toBeUndefined();
  expect(res.data.household.sources.every((s: { available: boolean }) => s.available)).toBe(true);
  expect(/^aidhub_queries_abandoned_total (\d+)$/m.exec(await (await fetch(hub.metricsUrl!)).text())?.[1]).toBe('1');
});
