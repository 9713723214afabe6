/**
 * One error contract on every route (issue 15): whatever a caller sends, the answer is a status and
 * a JSON body `{ errors: [{ message, extensions: { code, reason } }] }` with a stable code; a
 * caller's mistake is never logged at error level; nothing the caller wrote comes back whole.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ERROR_CODES } from '../access/errors';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
const logLines: { level: number; msg: string }[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('error_contract');
  await insertRegions(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, logger: pino({ level: 'debug' }, sink) });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** pino's error level and above. */
const errorLines = () => logLines.filter((l) => l.level >= 50);

/** Sends raw bytes and reads the whole answer (the server closes the connection). */
function raw(bytes: string): Promise<{ status: number; body: string; headers: string }> {
  const { port } = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') });
    });
    socket.write(bytes);
  });
}

function codeOf(body: string): unknown {
  return JSON.parse(body).errors[0].extensions;
}

describe('GraphQL', () => {
  it('a persisted query whose hash does not match: 400 with a client-error code, and no error-level log line', async () => {
    const before = errorLines().length;
    for (let i = 0; i < 5; i++) {
      const res = await hub.gql('{ __typename }', undefined, {});
      expect(res.status).toBe(200);
      const bad = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: { ...hub.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename }`, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }),
      });
      expect(bad.status).toBe(400);
      expect(codeOf(await bad.text())).toEqual({ code: 'BAD_REQUEST', reason: 'PERSISTED_QUERY_HASH_MISMATCH' });
    }
    expect(errorLines().length).toBe(before);
  });

  // Apollo refuses any version but 1 without a code; the hub answered the fallback reason BAD_REQUEST.
  it('a persisted query of a version other than 1: 400 with a reason of its own, and no error-level log line', async () => {
    const before = errorLines().length;
    for (const version of [2, 0, '1', null]) {
      const bad = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: { ...hub.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename }`, extensions: { persistedQuery: { version, sha256Hash: '0'.repeat(64) } } }),
      });
      expect({ version, status: bad.status, extensions: codeOf(await bad.text()) }).toEqual({ version, status: 400, extensions: { code: 'BAD_REQUEST', reason: 'PERSISTED_QUERY_VERSION_UNSUPPORTED' } });
    }
    expect(errorLines().length).toBe(before);
  });

  // Apollo looked up a version-1 persisted query without its hash (or with a number for one) and
  // answered PERSISTED_QUERY_NOT_FOUND, a 200 that tells a client to send the document again:
  // one sending the document with no hash got HASH_MISMATCH, as if the hash were wrong.
  it('a persisted query without a usable sha256Hash: 400 with a reason of its own, by POST and by GET, nothing run', async () => {
    const before = errorLines().length;
    const cases: { persistedQuery: Record<string, unknown>; query?: string; reason: string }[] = [
      { persistedQuery: { version: 1 }, reason: 'PERSISTED_QUERY_HASH_MISSING' },
      { persistedQuery: { version: 1, sha256Hash: null }, reason: 'PERSISTED_QUERY_HASH_MISSING' },
      { persistedQuery: { version: 1 }, query: '{ __typename }', reason: 'PERSISTED_QUERY_HASH_MISSING' },
      { persistedQuery: { version: 1, sha256Hash: 12 }, reason: 'PERSISTED_QUERY_HASH_MALFORMED' },
      { persistedQuery: { version: 1, sha256Hash: 'abc' }, reason: 'PERSISTED_QUERY_HASH_MALFORMED' },
      { persistedQuery: { version: 1, sha256Hash: 'A'.repeat(64) }, query: '{ __typename }', reason: 'PERSISTED_QUERY_HASH_MALFORMED' },
    ];
    for (const { persistedQuery, query, reason } of cases) {
      const post = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: { ...hub.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ ...(query ? { query } : {}), extensions: { persistedQuery } }),
      });
      expect({ persistedQuery, status: post.status, extensions: codeOf(await post.text()) }).toEqual({ persistedQuery, status: 400, extensions: { code: 'BAD_REQUEST', reason } });
      const search = new URLSearchParams({ ...(query ? { query } : {}), extensions: JSON.stringify({ persistedQuery }) });
      const get = await fetch(`${hub.url}/graphql?${search}`, { headers: hub.authHeaders });
      expect({ persistedQuery, status: get.status, extensions: codeOf(await get.text()) }).toEqual({ persistedQuery, status: 400, extensions: { code: 'BAD_REQUEST', reason } });
    }
    // The version is judged first, as Apollo judges it; a well-formed hash not seen is still NOT_FOUND.
    const versionTwo = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...hub.authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ extensions: { persistedQuery: { version: 2 } } }) });
    expect(codeOf(await versionTwo.text())).toEqual({ code: 'BAD_REQUEST', reason: 'PERSISTED_QUERY_VERSION_UNSUPPORTED' });
    const unseen = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...hub.authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }) });
    expect(codeOf(await unseen.text())).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(errorLines().length).toBe(before);
  });

  it('a 10 KB field name is not echoed back whole', async () => {
    const name = 'a'.repeat(10_000);
    for (const query of [`{ ${name} }`, `{ caller { name(${name}: 1) } }`, `query($x: ${name}) { __typename }`]) {
      const res = await hub.gql(query);
      expect(res.errors?.length).toBeGreaterThan(0);
      for (const e of res.errors!) {
        expect(e.message.length).toBeLessThanOrEqual(600);
        expect(e.message).not.toContain('a'.repeat(100));
        expect(typeof e.extensions?.code).toBe('string');
      }
    }
  });
});

/**
 * Every code the product's source sends: the `code` of each `extensions: { code: '…' }` it builds
 * (GraphQL errors and HTTP bodies alike), and the code of each HTTP refusal it answers with
 * sendError / errorPage. Keyed by code, with the files that send it.
 */
function codesSentBySource(): Map<string, string[]> {
  const root = path.join(__dirname, '..');
  const files = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === '__generated__' ? [] : files(rel);
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
    });
  const patterns = [/extensions:\s*\{[^}]*?\bcode:\s*'([A-Z][A-Z_]*)'/g, /\b(?:sendError|errorPage)\((?:\w+,\s*){2,3}'([A-Z][A-Z_]*)'/g];
  const used = new Map<string, string[]>();
  for (const file of ['access', 'server', 'resolvers', 'db', 'domain', 'federation', 'rules'].flatMap(files)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) used.set(m[1], [...new Set([...(used.get(m[1]) ?? []), file])]);
  }
  return used;
}

describe('the list of codes (access/errors.ts ERROR_CODES)', () => {
  it('holds every code the source sends', () => {
    const used = codesSentBySource();
    // The scan finds what it must: the HTTP refusals and the GraphQL errors the hub builds itself.
    expect([...used.keys()]).toEqual(expect.arrayContaining(['BAD_REQUEST', 'NOT_FOUND', 'RATE_LIMITED', 'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'DEPARTMENT_UNAVAILABLE', 'HUB_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']));
    const unlisted = [...used].filter(([code]) => !(ERROR_CODES as readonly string[]).includes(code)).map(([code, files]) => `${code} in ${files.join(', ')}`);
    expect(unlisted).toEqual([]);
  });

  it('holds the codes Apollo sends for requests that never run, and the hub passes them on', async () => {
    const post = async (body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...hub.authHeaders, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return (JSON.parse(await res.text()).errors ?? []).map((e: any) => e.extensions?.code);
    };
    const sent = {
      parse: await post({ query: '{ caller' }),
      validation: await post({ query: '{ noSuchField }' }),
      persisted: await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
      operation: await post({ query: 'query A { __typename } query B { __typename }' }),
      noQuery: await post({ variables: {} }),
      purpose: await post({ query: '{ __typename }' }, { 'x-purpose': 'NO_SUCH_PURPOSE' }),
      caseReference: await post({ query: '{ __typename }' }, { 'x-case-reference': 'not a reference!' }),
    };
    expect(sent).toEqual({
      parse: ['GRAPHQL_PARSE_FAILED'],
      validation: ['GRAPHQL_VALIDATION_FAILED'],
      persisted: ['PERSISTED_QUERY_NOT_FOUND'],
      operation: ['OPERATION_RESOLUTION_FAILURE'],
      noQuery: ['BAD_REQUEST'],
      purpose: ['BAD_REQUEST'],
      caseReference: ['BAD_REQUEST'],
    });
    for (const codes of Object.values(sent)) for (const code of codes) expect(ERROR_CODES).toContain(code);
  });

  it('is the list README.md and docs/access.md document', () => {
    const root = path.join(__dirname, '..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const errorsParagraph = readme.slice(readme.indexOf('**Errors.**'), readme.indexOf('**One error contract on every route.**'));
    const docs = fs.readFileSync(path.join(root, 'docs', 'access.md'), 'utf8');
    const errorsTable = docs.slice(docs.indexOf('## Errors'), docs.indexOf('## The audit trail'));
    expect(ERROR_CODES.filter((code) => !errorsParagraph.includes(`\`${code}\``))).toEqual([]);
    expect(ERROR_CODES.filter((code) => !errorsTable.includes(`\`${code}\``))).toEqual([]);
  });
});

describe('HTTP routes', () => {
  it('an unknown path: 404 with a code, with or without a token', async () => {
    for (const headers of [{}, hub.authHeaders]) {
      const res = await fetch(`${hub.url}/no/such/thing`, { headers });
      expect(res.status).toBe(404);
      expect(codeOf(await res.text())).toEqual({ code: 'NOT_FOUND', reason: 'NO_SUCH_ROUTE' });
    }
  });

  it('the brief page answers JSON with a code to a client that asks for JSON, and HTML with the code to a browser', async () => {
    const meeting = await hub.createClient({ roles: ['MEETING_CONVENER'] });
    const headers = hub.as({ token: meeting.token, purpose: 'CASE_MEETING' }).headers;
    const json = await fetch(`${hub.url}/cases/999999/brief`, { headers: { ...headers, accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(codeOf(await json.text())).toEqual({ code: 'BAD_USER_INPUT', reason: 'CASE_NOT_FOUND' });
    const html = await fetch(`${hub.url}/cases/999999/brief`, { headers: { ...headers, accept: 'text/html' } });
    expect(html.status).toBe(404);
    expect(await html.text()).toContain('data-reason="CASE_NOT_FOUND"');
  });

  it('a 20 KB header: 431 with a JSON body and a code', async () => {
    const res = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(codeOf(res.body)).toEqual({ code: 'BAD_REQUEST', reason: 'HEADERS_TOO_LARGE' });
  });

  it('a malformed Content-Length: 400 with a JSON body and a code', async () => {
    const res = await raw(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12abc\r\n\r\n{}`);
    expect(res.status).toBe(400);
    expect(codeOf(res.body)).toEqual({ code: 'BAD_REQUEST', reason: 'MALFORMED_CONTENT_LENGTH' });
  });

  it('a request line that is not HTTP: 400 with a JSON body and a code', async () => {
    const res = await raw(`HELLO\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(codeOf(res.body)).toEqual({ code: 'BAD_REQUEST', reason: 'MALFORMED_REQUEST' });
  });

  it('the hub still answers afterwards', async () => {
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    expect(errorLines()).toEqual([]);
  });
});
