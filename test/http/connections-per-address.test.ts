/**
 * Connections open at once from one address are capped (HTTP_MAX_CONNECTIONS_PER_ADDRESS): one
 * client holding thousands of idle connections, without a byte or a token, took every file
 * descriptor of the hub and /healthz failed for everyone. Past the cap a connection's request is
 * answered 503 RATE_LIMITED, TOO_MANY_CONNECTIONS, and runs nothing; closing connections frees
 * their places.
 */
import net from 'node:net';
import { HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT, loadConfig } from '../../db/config';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { TODAY } from '../support/scenarios';

const CAP = 5;
/** Generous: the hub must answer well within it on a loaded machine. */
const ANSWER_WITHIN_MS = 30_000;

let dbs: TestDatabases;
let hub: TestHub;
const held: net.Socket[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('connections_per_address');
  hub = await startTestHub(dbs, { today: TODAY, metrics: true, config: { maxConnectionsPerAddress: CAP } });
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await hub?.close();
  await dbs?.close();
});

function connect(): Promise<net.Socket> {
  const { hostname, port } = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => resolve(s));
    s.on('error', reject);
  });
}

/** Sends one request on `s` and reads until the hub closes it or the answer is whole: status and body. */
function ask(s: net.Socket, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`no answer to ${path}`)), ANSWER_WITHIN_MS);
    const done = () => {
      clearTimeout(timer);
      const [head, body] = [got.slice(0, got.indexOf('\r\n\r\n')), got.slice(got.indexOf('\r\n\r\n') + 4)];
      resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) });
    };
    s.on('data', (chunk) => {
      got += chunk;
      const length = /content-length: (\d+)/i.exec(got);
      if (length && got.includes('\r\n\r\n') && Buffer.byteLength(got.slice(got.indexOf('\r\n\r\n') + 4)) >= Number(length[1])) done();
    });
    s.on('error', reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: hub\r\n\r\n`);
  });
}

it('answers a connection past its address’s cap 503 TOO_MANY_CONNECTIONS, and serves again once some close', async () => {
  for (let i = 0; i < CAP; i++) held.push(await connect());

  const extra = await connect();
  const refused = await ask(extra, '/healthz');
  expect(refused.status).toBe(503);
  expect(refused.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_CONNECTIONS' });
  extra.destroy();

  // The connections within the cap are served as ever.
  expect(await ask(held[0], '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });

  // One closed, one more is served.
  const closed = held.pop()!;
  await new Promise<void>((resolve) => {
    closed.once('close', () => resolve());
    closed.destroy();
  });
  // The hub sees the close a moment after the client: ask until it has (each refused try is closed at once).
  let answer: { status: number; body: any } = { status: 0, body: null };
  for (let i = 0; i < 50; i++) {
    const next = await connect();
    answer = await ask(next, '/healthz');
    if (answer.status === 200) {
      held.push(next);
      break;
    }
    next.destroy();
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(answer).toEqual({ status: 200, body: { status: 'ok' } });

  const metrics = await (await fetch(hub.metricsUrl!)).text();
  expect(metrics).toMatch(/aidhub_rate_limited_total\{limit="connections_per_address"\} [1-9]/);
});

it('reads HTTP_MAX_CONNECTIONS_PER_ADDRESS: a positive number, or 0 for no limit', () => {
  expect(loadConfig('mysql://h/aidhub', {}).maxConnectionsPerAddress).toBe(HTTP_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT);
  expect(loadConfig('mysql://h/aidhub', { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '2000' }).maxConnectionsPerAddress).toBe(2000);
  expect(loadConfig('mysql://h/aidhub', { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0' }).maxConnectionsPerAddress).toBe(0);
  expect(() => loadConfig('mysql://h/aidhub', { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '-1' })).toThrow(/HTTP_MAX_CONNECTIONS_PER_ADDRESS/);
});
