/**
 * Conventions every route keeps: security headers (helmet, with a CSP the query page works under,
 * proved in a real browser), and a request id in a response header, in the audit row and in every
 * log line written while the request ran.
 */
import fs from 'node:fs';
import http from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../db/config';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('http_headers');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, logger: pino({ level: 'debug' }, sink), metrics: true });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const ROUTES: [string, string, RequestInit?][] = [
  ['the query page', '/'],
  ['health', '/healthz'],
  ['readiness', '/readyz'],
  ['GraphQL', '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }],
  ['a CSV export', '/exports/scans/999999/findings.csv'],
  ['the meeting brief', '/cases/999999/brief'],
  ['a path nobody serves', '/no/such/path'],
];

describe.each(ROUTES)('%s', (_name, path, init) => {
  it('carries the security headers and a request id', async () => {
    const res = await fetch(`${hub.url}${path}`, { ...init, headers: { ...hub.authHeaders, ...(init?.headers as Record<string, string>) } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('carries no ETag (nothing is revalidated, so no body is hashed for one)', async () => {
    const res = await fetch(`${hub.url}${path}`, { ...init, headers: { ...hub.authHeaders, ...(init?.headers as Record<string, string>) } });
    expect(res.headers.get('etag')).toBeNull();
  });
});

describe('answers with personal data', () => {
  // Apollo's cache-control plugin sent `no-store` on every GraphQL answer; with it off (the hub gives
  // no cache hints) a household read, by GET too, went out with no Cache-Control, free for a browser
  // or proxy to store under its URL, while the brief and the CSV export were sent `no-store`.
  const household = () => `{ household(id: "${wangId}") { id members { person { name } } } }`;
  const post = (query: string) => fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...hub.authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const get = (query: string) => fetch(`${hub.url}/graphql?query=${encodeURIComponent(query)}`, { headers: hub.authHeaders });

  it.each([
    ['a GraphQL POST', () => post(household())],
    ['a GraphQL GET', () => get(household())],
    ['a GraphQL refusal', () => post('{ household(id: "x") { id } }')],
  ])('are not to be stored: %s', async (_name, send) => {
    const res = await send();
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('a GET reads the household (the header is on an answer that carries it)', async () => {
    const res = await get(household());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { household: { id: string } } }).data.household.id).toBe(String(wangId));
  });
});

describe('keep-alive', () => {
  /** The `Keep-Alive` header of a GET of `url` on a keep-alive connection. */
  const keepAliveOf = (url: string) =>
    new Promise<string | undefined>((resolve, reject) => {
      const agent = new http.Agent({ keepAlive: true });
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            agent.destroy();
            resolve(res.headers['keep-alive'] as string | undefined);
          });
        })
        .on('error', reject);
    });

  it('keeps an idle connection 65 s, past the idle timeout of a load balancer or router in front (HTTP_KEEP_ALIVE_MS)', async () => {
    expect(await keepAliveOf(`${hub.url}/healthz`)).toBe('timeout=65');
    // The metrics listener too: it kept Node's 5 s, and a scrape sent on a connection as the hub
    // closed it failed with ECONNRESET (a scraper reuses its connection between scrapes).
    expect(await keepAliveOf(hub.metricsUrl!)).toBe('timeout=65');
    expect(loadConfig('mysql://h/aidhub', { HTTP_KEEP_ALIVE_MS: '120000' }).keepAliveMs).toBe(120_000);
    expect(() => loadConfig('mysql://h/aidhub', { HTTP_KEEP_ALIVE_MS: '0' })).toThrow(/HTTP_KEEP_ALIVE_MS must be a positive integer/);
  });
});

describe('request ids', () => {
  it('keeps a sane incoming id, and replaces one that is too long, strange or could be an ID number', async () => {
    const sent = async (id: string) => (await fetch(`${hub.url}/healthz`, { headers: { 'x-request-id': id } })).headers.get('x-request-id');
    expect(await sent('dept-sys.2026-03-15:000123')).toBe('dept-sys.2026-03-15:000123');
    expect(await sent('x'.repeat(37))).toMatch(UUID);
    expect(await sent('a b<script>')).toMatch(UUID);
    expect(await sent(`req-${WANG.head}`)).toMatch(UUID);
  });

  // A W3C trace id is 32 lowercase hex: about one in 120 holds 15 digits in a row, which read as an
  // old ID number, and such a department's id was replaced, its request lost to its own trace.
  it('keeps a hex trace id whatever digits it holds, and replaces one with a whole ID number run into it', async () => {
    const sent = async (id: string) => (await fetch(`${hub.url}/healthz`, { headers: { 'x-request-id': id } })).headers.get('x-request-id');
    expect(await sent('4bf92f3577b34da6a3ce929d0e0e4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(await sent('0123456789012345abcdef0123456789')).toBe('0123456789012345abcdef0123456789');
    expect(await sent(`${WANG.head}abcdef0123abcd`)).toMatch(UUID);
    // Fifteen digits outside a digest are judged as before.
    expect(await sent(`${'1'.repeat(15)}-abcdef`)).toMatch(UUID);
  });

  it('replaces an ID number written in parts, as X-Case-Reference refuses it: one test for both headers', async () => {
    const id = WANG.head;
    const inParts = [`${id.slice(0, 6)}-${id.slice(6, 14)}-${id.slice(14)}`, `req.${id.slice(0, 6)}.${id.slice(6, 14)}.${id.slice(14)}`, `${id.slice(0, 6)}:${id.slice(6, 14)}:${id.slice(14)}`, id.match(/.{1,4}/g)!.join('_')];
    // Numbers with separators that are no ID number stay the caller's.
    const others = ['dept-sys.2026-03-15:000123', '370811-2026-000042', 'req-20261201-100000-123456'];
    for (const value of [...inParts, ...others]) {
      const res = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: { ...hub.authHeaders, 'content-type': 'application/json', 'x-request-id': value, 'x-case-reference': value },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const echoed = res.headers.get('x-request-id');
      const refused = res.status === 400 && ((await res.json()) as any).errors[0].extensions.reason === 'MALFORMED_CASE_REFERENCE';
      expect({ value, replaced: echoed !== value, refused }).toEqual({ value, replaced: inParts.includes(value), refused: inParts.includes(value) });
      if (echoed !== value) expect(echoed).toMatch(UUID);
    }
    // None of those ID numbers reached a log line or the audit trail.
    expect(logLines.filter((l) => inParts.some((v) => JSON.stringify(l).includes(v)))).toEqual([]);
    const [rows] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM access_log WHERE request_id IN (?) OR case_reference IN (?)', [inParts, inParts])) as any;
    expect(Number(rows[0].n)).toBe(0);
  });

  it('is the id of the request’s audit rows and of every log line written while it ran', async () => {
    const id = 'trace-graphql-0001';
    const res = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { ...hub.authHeaders, 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ query: `{ household(id: "${wangId}") { registrationNumber } }` }),
    });
    expect(res.headers.get('x-request-id')).toBe(id);
    expect(((await res.json()) as any).data.household.registrationNumber).toBe(WANG.registrationNo);
    const [rows] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM access_log WHERE request_id = ?', [id])) as any;
    expect(Number(rows[0].n)).toBeGreaterThan(0);

    // A refused request logs a warning: it names the request.
    const before = logLines.length;
    const refused = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'trace-refused-0002' }, body: '{"query":"{ __typename }"}' });
    expect(refused.status).toBe(401);
    const written = logLines.slice(before);
    expect(written.length).toBeGreaterThan(0);
    expect(written.map((l) => l.requestId)).toEqual(written.map(() => 'trace-refused-0002'));
  });

  it('is on the lines of a GraphQL request’s errors, which Apollo formats without the request (server/app.ts errorLogPlugin)', async () => {
    const before = logLines.length;
    const res = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { ...hub.authHeaders, 'content-type': 'application/json', 'x-request-id': 'trace-apq-0003' },
      body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }),
    });
    expect(res.status).toBe(400);
    const written = logLines.slice(before).filter((l) => l.msg === 'client error');
    expect(written.map((l) => [l.reason, l.requestId])).toEqual([['PERSISTED_QUERY_HASH_MISMATCH', 'trace-apq-0003']]);
  });
});

describe('the query page under its Content-Security-Policy', () => {
  it('runs its example query in a real browser, with no policy violation', async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium is not installed at ${CHROMIUM}: \`npm test\` installs it (tools/test-prerequisites.ts)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${hub.url}/`);
      await page.fill('#v', JSON.stringify({ id: String(wangId) }));
      await page.fill('#h', JSON.stringify(hub.authHeaders));
      await page.click('#run');
      await page.locator('#out', { hasText: 'registrationNumber' }).waitFor({ timeout: 30_000 });
      const out = JSON.parse((await page.textContent('#out'))!);
      expect(out.data.household.registrationNumber).toBe(WANG.registrationNo);
      // The page's own style applied (allowed by its hash): the two columns sit side by side.
      expect(await page.evaluate("getComputedStyle(document.querySelector('.row')).display")).toBe('flex');
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('says which box is wrong when its JSON is not an object, or a header holds a full-width character', async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium is not installed at ${CHROMIUM}: \`npm test\` installs it (tools/test-prerequisites.ts)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${hub.url}/`);
      const run = async (variables: string, headers: string) => {
        await page.fill('#v', variables);
        await page.fill('#h', headers);
        await page.click('#run');
        // Polled from outside: a predicate run in the page is an eval, which the page's policy refuses.
        for (;;) {
          const out = (await page.textContent('#out'))!;
          if (out !== '…') return out;
          await page.waitForTimeout(50);
        }
      };
      const good = JSON.stringify({ id: String(wangId) });
      const token = hub.authHeaders.authorization;
      // Both boxes answered the same bare "SyntaxError: Expected property name …", naming neither.
      expect(await run(good, `{authorization: "${token}"}`)).toMatch(/^Headers 请求头 不是有效的 JSON/);
      expect(await run('{id: 1}', JSON.stringify(hub.authHeaders))).toMatch(/^Variables 变量 不是有效的 JSON/);
      expect(await run('[1]', JSON.stringify(hub.authHeaders))).toMatch(/^Variables 变量 应为 JSON 对象/);
      // A full-width space typed in a Chinese input method: fetch refused it in English ("String contains non ISO-8859-1 code point").
      expect(await run(good, JSON.stringify({ ...hub.authHeaders, authorization: token.replace(' ', '\u3000') }))).toMatch(/^Headers 请求头: "authorization" 的值含非 ASCII 字符/);
      // A good request still runs.
      expect(JSON.parse(await run(good, JSON.stringify(hub.authHeaders))).data.household.registrationNumber).toBe(WANG.registrationNo);
      // A proxy in front answering with its own page: the status and the page, not "Unexpected token '<'".
      await page.route('**/graphql', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' }));
      const proxied = await run(good, JSON.stringify(hub.authHeaders));
      expect(proxied).toMatch(/^HTTP 502 .*应答不是 JSON/);
      expect(proxied).toContain('502 Bad Gateway');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
