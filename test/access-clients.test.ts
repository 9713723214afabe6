/**
 * API clients end to end: the CLI creates, lists, rotates and revokes them; tokens are stored only
 * as hashes; a rotated, revoked or expired token stops working on the very next request; every
 * route but the public three is authenticated; rate limits and purposes are enforced at the door.
 */
import { listClients } from '../access/clients';
import { makeCreditCode } from '../domain/credit-code';
import { clientsCommand } from '../tools/clients';
import { UNKNOWN_DIVISION_MESSAGE } from '../db/household/region-pages';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;

beforeAll(async () => {
  dbs = await createTestDatabases('access_clients');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await clientsCommand(argv, hub.accessDb, (l) => out.push(l));
  return { code, out };
}

function tokenIn(out: string[]): string {
  const line = out.find((l) => l.startsWith('token'));
  return /(ahk_\S+)$/.exec(line ?? '')![1];
}

const CALLER = `{ caller { name } }`;
const asToken = (token: string | null, purpose: string | null = 'ELIGIBILITY_REVIEW') => hub.as({ token, purpose });

describe('the clients CLI', () => {
  let token: string;

  it('creates a client and shows its token once; the database keeps only the hash', async () => {
    const { code, out } = await cli('create', '--name', 'rencheng-civil-affairs', '--department', 'civil_affairs', '--scope', '370811', '--roles', 'READER,caseworker');
    expect(code).toBe(0);
    token = tokenIn(out);
    expect(out[0]).toMatch(/^created rencheng-civil-affairs {2}ACTIVE {2}CIVIL_AFFAIRS {2}370811 {2}READER,CASEWORKER/);
    const [rows] = await dbs.hubPool.query('SELECT * FROM api_client');
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4, 30));
    expect((await asToken(token).gql(CALLER)).data.caller.name).toBe('rencheng-civil-affairs');
  });

  it('creates a supervision office (SUPERVISOR), which states SUPERVISION and nothing else', async () => {
    const { code, out } = await cli('create', '--name', 'jining-supervision', '--department', 'CIVIL_AFFAIRS', '--scope', '370800', '--roles', 'supervisor');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^created jining-supervision {2}ACTIVE {2}CIVIL_AFFAIRS {2}370800 {2}SUPERVISOR/);
    const res = await asToken(tokenIn(out), null).gql(`{ caller { roles allowedPurposes seesIdNumbers } }`);
    expect(res.data.caller).toEqual({ roles: ['SUPERVISOR'], allowedPurposes: ['SUPERVISION'], seesIdNumbers: false });
  });

  it('refuses a client holding CHARITY beside another role (a charity is an outside organisation), and stores nothing', async () => {
    for (const roles of ['CHARITY,DEPARTMENT_WRITER', 'READER,charity']) {
      const { code, out } = await cli('create', '--name', 'jn-charity-mixed', '--department', 'CHARITY', '--scope', '370800', '--roles', roles, '--credit-code', '53370800MJD12345XD', '--organisation', '济宁市慈善总会');
      expect({ roles, code, out: out[0] }).toEqual({ roles, code: 2, out: expect.stringMatching(/^error: CHARITY_ROLE_NOT_EXCLUSIVE: /) });
    }
    expect((await listClients(hub.accessDb)).map((c) => c.name)).not.toContain('jn-charity-mixed');
    const [orgs] = await dbs.hubPool.query("SELECT * FROM charity_organisation WHERE client_name = 'jn-charity-mixed'");
    expect(orgs).toEqual([]);
    // Alone, CHARITY is accepted; so is a reporting client of the same organisation with DEPARTMENT_WRITER.
    for (const [name, roles] of [['jn-charity-linkage', 'CHARITY'], ['jn-charity-report', 'DEPARTMENT_WRITER']]) {
      expect((await cli('create', '--name', name, '--department', 'CHARITY', '--scope', '370800', '--roles', roles, '--credit-code', '53370800MJD12345XD', '--organisation', '济宁市慈善总会')).code).toBe(0);
    }
  });

  it('says when a charity client joins an organisation registered already, and when its name renames it: a code typed for one charity that is another’s went unseen', async () => {
    const code = makeCreditCode('53370800MJ5551234');
    const create = (name: string, organisation: string) => cli('create', '--name', name, '--department', 'CHARITY', '--scope', '370800', '--roles', 'DEPARTMENT_WRITER', '--credit-code', code, '--organisation', organisation);
    const warnings = (out: string[]) => out.filter((l) => l.startsWith('warning:'));
    // The first client of a code: nothing to say.
    const first = await create('jn-join-1', '济宁市某公益基金会');
    expect({ code: first.code, warnings: warnings(first.out) }).toEqual({ code: 0, warnings: [] });
    // Another under the same name joins it; under another name it joins it and renames it.
    const second = await create('jn-join-2', '济宁市某公益基金会');
    expect({ code: second.code, warnings: warnings(second.out) }).toEqual({ code: 0, warnings: [expect.stringMatching(new RegExp(`^warning: ORGANISATION_JOINED: ${code} is registered already \\(济宁市某公益基金会; clients jn-join-1\\): `))] });
    const third = await create('jn-join-3', '另一家慈善会');
    expect({ code: third.code, warnings: warnings(third.out) }).toEqual({
      code: 0,
      warnings: [
        expect.stringMatching(new RegExp(`^warning: ORGANISATION_JOINED: ${code} is registered already \\(济宁市某公益基金会; clients jn-join-1, jn-join-2\\): `)),
        `warning: ORGANISATION_RENAMED: ${code} was 济宁市某公益基金会; it is 另一家慈善会 from now on, for all its clients`,
      ],
    });
    // The token is still shown, last, once.
    expect(third.out[third.out.length - 1]).toMatch(/^token \(shown once/);
  });

  it('refuses a charity’s organisation it cannot register before making the client: nothing stored, no token lost', async () => {
    // Refused after the client was made, the client stood ACTIVE with no organisation, its token
    // never printed (exit 1), and the same create again was CLIENT_EXISTS.
    for (const organisation of ['慈'.repeat(65), '   ']) {
      const { code, out } = await cli('create', '--name', 'jn-charity-long', '--department', 'CHARITY', '--scope', '370800', '--roles', 'CHARITY', '--credit-code', '53370800MJD12345XD', '--organisation', organisation);
      expect({ code, out: out[0] }).toEqual({ code: 2, out: expect.stringMatching(/^error: MALFORMED_ORGANISATION: --organisation: /) });
    }
    expect((await listClients(hub.accessDb)).map((c) => c.name)).not.toContain('jn-charity-long');
    const made = await cli('create', '--name', 'jn-charity-long', '--department', 'CHARITY', '--scope', '370800', '--roles', 'CHARITY', '--credit-code', '53370800MJD12345XD', '--organisation', '济宁市慈善总会');
    expect(made.code).toBe(0);
    const [orgs] = await dbs.hubPool.query("SELECT credit_code FROM charity_organisation WHERE client_name = 'jn-charity-long'");
    expect(orgs).toEqual([{ credit_code: '53370800MJD12345XD' }]);
  });

  it('answers a revoked client’s rotation CLIENT_REVOKED', async () => {
    expect((await cli('create', '--name', 'soon-revoked', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER')).code).toBe(0);
    expect((await cli('revoke', 'soon-revoked')).code).toBe(0);
    const { code, out } = await cli('rotate', 'soon-revoked');
    expect({ code, out: out[0] }).toEqual({ code: 2, out: expect.stringMatching(/^error: CLIENT_REVOKED: /) });
  });

  it('holds CHARITY to a charity’s client and a charity’s client to CHARITY or DEPARTMENT_WRITER, and stores nothing otherwise', async () => {
    for (const [department, roles, code] of [
      ['CIVIL_AFFAIRS', 'CHARITY', 'CHARITY_ROLE_DEPARTMENT'],
      ['HEALTH', 'CHARITY', 'CHARITY_ROLE_DEPARTMENT'],
      ['CHARITY', 'READER', 'CHARITY_DEPARTMENT_ROLE'],
      ['CHARITY', 'CASEWORKER', 'CHARITY_DEPARTMENT_ROLE'],
    ]) {
      const { code: exit, out } = await cli('create', '--name', 'jn-charity-odd', '--department', department, '--scope', '370800', '--roles', roles, '--credit-code', '53370800MJD12345XD', '--organisation', '济宁市慈善总会');
      expect({ department, roles, exit, out: out[0] }).toEqual({ department, roles, exit: 2, out: expect.stringMatching(new RegExp(`^error: ${code}: `)) });
    }
    expect((await listClients(hub.accessDb)).map((c) => c.name)).not.toContain('jn-charity-odd');
  });

  it('a charity’s reporting client reads no household, and a CHARITY client of a department made before the rule is refused', async () => {
    const reporter = await hub.createClient({ name: 'jn-charity-reader', department: 'CHARITY', regionScope: '370800', roles: ['DEPARTMENT_WRITER'] });
    const [[row]] = (await dbs.hubPool.query('SELECT id FROM household WHERE registration_no = ?', [WANG.registrationNo])) as any;
    for (const [query, purpose] of [
      [`query($id: ID!) { household(id: $id) { members { person { name idNumber } } } }`, 'ELIGIBILITY_REVIEW'],
      [`query($id: ID!) { household(id: $id) { aid { amountFen } } }`, 'DUPLICATE_CHECK'],
      [`{ person(idNumber: "${WANG.head}") { name } }`, 'DUPLICATE_CHECK'],
    ]) {
      const res = await asToken(reporter.token, purpose).gql(query, { id: String(row.id) });
      expect({ query, data: res.data?.household ?? res.data?.person ?? null, ext: res.errors?.[0].extensions }).toEqual({ query, data: null, ext: expect.objectContaining({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' }) });
    }
    expect((await asToken(reporter.token, 'DUPLICATE_CHECK').gql(CALLER)).data.caller.name).toBe('jn-charity-reader');
    // Its own reporting is open to it: the request passes access and reaches the resolver (which
    // wants the organisation registered, as this test client is not).
    const own = await asToken(reporter.token, 'DUPLICATE_CHECK').gql(`{ reportedAidReconciliation(from: "${TODAY}", to: "${TODAY}") { count } }`);
    expect(own.errors?.map((e: any) => e.extensions.reason)).toEqual(['CHARITY_NOT_REGISTERED']);
    // Made before creation checked it: a civil-affairs client holding CHARITY.
    const legacy = await hub.createClient({ name: 'jn-charity-legacy', department: 'CHARITY', regionScope: '370800', roles: ['CHARITY'] });
    await dbs.hubPool.query("UPDATE api_client SET department = 'CIVIL_AFFAIRS' WHERE name = 'jn-charity-legacy'");
    // No field serves CHARITY_LINKAGE to its CHARITY role outside department CHARITY (roleServes), so it may
    // not state the purpose: refused where the purpose is read (it was let in and refused field by field, ROLE_NOT_ALLOWED).
    const needs = await asToken(legacy.token, 'CHARITY_LINKAGE').gql(`{ charityNeeds { id } }`);
    expect([needs.status, needs.errors?.[0].extensions]).toEqual([403, { code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' }]);
  });

  it('lists clients with their status, and never their tokens', async () => {
    const { code, out } = await cli('list');
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('rencheng-civil-affairs  ACTIVE');
    expect(out.join('\n')).not.toContain('ahk_');
  });

  it('rotates: the old token stops at once, the new one works', async () => {
    const { code, out } = await cli('rotate', 'rencheng-civil-affairs');
    expect(code).toBe(0);
    const fresh = tokenIn(out);
    const old = await asToken(token).gql(CALLER);
    expect(old.status).toBe(401);
    expect(old.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    expect((await asToken(fresh).gql(CALLER)).data.caller.name).toBe('rencheng-civil-affairs');
    token = fresh;
  });

  it('revokes: the very next request is refused', async () => {
    expect((await asToken(token).gql(CALLER)).status).toBe(200);
    expect((await cli('revoke', 'rencheng-civil-affairs')).code).toBe(0);
    const res = await asToken(token).gql(CALLER);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    expect((await listClients(hub.accessDb)).find((c) => c.name === 'rencheng-civil-affairs')?.status).toBe('REVOKED');
    // A revoked client cannot be brought back by rotation.
    expect((await cli('rotate', 'rencheng-civil-affairs')).code).toBe(2);
  });

  it('expires: a token past its expiry is refused', async () => {
    const { out } = await cli('create', '--name', 'short-lived', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER', '--expires-in', '1h');
    const shortLived = tokenIn(out);
    expect((await asToken(shortLived).gql(CALLER)).status).toBe(200);
    await dbs.hubPool.query(`UPDATE api_client SET expires_at = '2000-01-01 00:00:00.000' WHERE name = 'short-lived'`);
    const res = await asToken(shortLived).gql(CALLER);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect((await cli('list')).out.join('\n')).toContain('short-lived  EXPIRED');
  });

  it('shows its instants in China time with their offset, as the API does', async () => {
    // `--expires 2099-12-31` (a day no run of this test will have passed) is the end of that day in China; it was shown as the stored UTC text,
    // "expires 2099-12-31 15:59:59.999", and every creation time eight hours behind an officer's clock.
    const { code, out } = await cli('create', '--name', 'year-end', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER', '--expires', '2099-12-31');
    expect(code).toBe(0);
    expect(out[0]).toContain('expires 2099-12-31T23:59:59.999+08:00');
    const [[row]] = (await dbs.hubPool.query("SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%f') AS utc FROM api_client WHERE name = 'year-end'")) as unknown as [{ utc: string }[]];
    const createdChina = new Date(Date.parse(`${row.utc.slice(0, 23)}Z`) + 8 * 3_600_000).toISOString().slice(0, 23);
    expect(out[0]).toContain(`created ${createdChina}+08:00`);
    expect((await cli('list')).out.find((line) => line.startsWith('year-end'))).toContain('expires 2099-12-31T23:59:59.999+08:00');
  });

  // A job that pages for hours learns before it starts when its token stops working, as the CLI
  // showed it to the operator; the API told it only by a 401 TOKEN_EXPIRED mid-run.
  it('tells the client its own expiry (caller.expiresAt), in China time, and null for a token without one', async () => {
    const { out } = await cli('create', '--name', 'year-end-api', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER', '--expires', '2099-12-31');
    const yearEnd = await asToken(tokenIn(out)).gql(`{ caller { name expiresAt } }`);
    expect(yearEnd.data).toEqual({ caller: { name: 'year-end-api', expiresAt: '2099-12-31T23:59:59.999+08:00' } });
    const rotated = await cli('rotate', 'year-end-api', '--no-expiry');
    expect((await asToken(tokenIn(rotated.out)).gql(`{ caller { expiresAt } }`)).data).toEqual({ caller: { expiresAt: null } });
  });

  it.each([
    [['create', '--name', 'x', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER'], /^error: MALFORMED_NAME: name/],
    [['create', '--name', 'bad-scope', '--department', 'CIVIL_AFFAIRS', '--scope', '3708', '--roles', 'READER'], /^error: MALFORMED_DIVISION_CODE: scope/],
    [['create', '--name', 'bad-role', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'ROOT'], /^error: UNKNOWN_ROLE: role/],
    [['create', '--name', 'bad-department', '--department', 'POLICE', '--scope', '370811', '--roles', 'READER'], /^error: UNKNOWN_DEPARTMENT: department/],
    // The hub's own ledger of reported aid is no office: a client of it reports nothing, answers no slip, attends no meeting.
    [['create', '--name', 'the-ledger', '--department', 'REPORTED', '--scope', '370811', '--roles', 'READER'], /^error: NOT_AN_OFFICE: .*REPORTED is the hub’s ledger/],
    [['create', '--name', 'short-lived', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER'], /^error: CLIENT_EXISTS: .*exists/],
    [['create', '--name', 'bad-expiry', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER', '--expires', '2026-02-30'], /^error: MALFORMED_EXPIRY: --expires/],
    [['create', '--name', 'past-expiry', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER', '--expires', '2001-01-01'], /^error: EXPIRY_PASSED: --expires/],
    [['create', '--name', 'bad-expires-in', '--department', 'HEALTH', '--scope', '370800', '--roles', 'READER', '--expires-in', '0d'], /^error: MALFORMED_EXPIRY: --expires-in/],
    [['create', '--name', 'no-organisation', '--department', 'CHARITY', '--scope', '370800', '--roles', 'CHARITY'], /^error: CHARITY_ORGANISATION_REQUIRED: /],
    [['create', '--name', 'missing-roles'], /^error: ARGUMENT_REQUIRED: .*needs/],
    [['rotate', 'nobody'], /^error: CLIENT_NOT_FOUND: no client/],
    [['revoke', 'nobody'], /^error: CLIENT_NOT_FOUND: no client/],
    [['revoke'], /^error: ARGUMENT_REQUIRED: /],
    [['frobnicate'], /unknown command/],
    [['list', '--bogus'], /bogus/],
  ])('refuses %j with usage (exit 2)', async (argv, message) => {
    const { code, out } = await cli(...argv);
    expect(code).toBe(2);
    expect(out[0]).toMatch(message);
    // Nothing was stored.
    expect((await cli('list')).out.some((line) => line.startsWith('the-ledger'))).toBe(false);
  });

  it('warns of a scope the hub holds nothing of (REGION_UNKNOWN, as every region input names it), and makes the client', async () => {
    // 370811999 is well formed, a typo of a 任城区 township, or a division whose households are still
    // to come (a new hub holds none before its first import, and its first clients are made then).
    const { code, out } = await cli('create', '--name', 'typo-scope', '--department', 'CIVIL_AFFAIRS', '--scope', '370811999', '--roles', 'READER');
    expect([code, out[1].startsWith(`warning: REGION_UNKNOWN: scope: ${UNKNOWN_DIVISION_MESSAGE}: 370811999; `)]).toEqual([0, true]);
    expect((await cli('list')).out.some((line) => line.startsWith('typo-scope'))).toBe(true);
    // A scope the hub holds gets no warning.
    const held = await cli('create', '--name', 'held-scope', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER');
    expect(held.out.some((line) => line.startsWith('warning:'))).toBe(false);
  });
});

describe('authentication at the door', () => {
  it('serves /healthz, /readyz and the query page without a token', async () => {
    for (const path of ['/healthz', '/readyz', '/']) expect((await fetch(`${hub.url}${path}`)).status).toBe(200);
  });

  // The challenge follows RFC 6750 §3.1: a request that sent no Bearer credentials (none, or another
  // scheme) gets none of its error codes; it was told error="invalid_token", which a client library
  // reads as "renew your token", on every 401.
  const INVALID = 'Bearer realm="aidhub", error="invalid_token"';
  it.each([
    ['no token', {}, 'TOKEN_MISSING', 'Bearer realm="aidhub"'],
    ['another scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'TOKEN_MALFORMED', 'Bearer realm="aidhub"'],
    ['a token of the wrong shape', { authorization: 'Bearer not-a-token' }, 'TOKEN_MALFORMED', INVALID],
    ['a forged token', { authorization: `bearer ahk_${'A'.repeat(43)}` }, 'TOKEN_INVALID', INVALID],
  ])('refuses %s with 401 UNAUTHENTICATED and its challenge, on /graphql and on every other route', async (_what, headers, reason, challenge) => {
    const gql = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: CALLER }) });
    expect(gql.status).toBe(401);
    expect(gql.headers.get('www-authenticate')).toBe(challenge);
    expect(await gql.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason } }] });
    // Every declared route (a path no route serves answers 404 to everyone: see below).
    for (const route of ['/exports/scans/1/findings.csv', '/cases/1/brief', '/exports/overdue.csv']) {
      const other = await fetch(`${hub.url}${route}`, { headers });
      expect({ route, status: other.status, challenge: other.headers.get('www-authenticate') }).toEqual({ route, status: 401, challenge });
      expect(((await other.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers GET /graphql too, for a client that sends a preflight header', async () => {
    const res = await fetch(`${hub.url}/graphql?query=${encodeURIComponent(CALLER)}`, { headers: { ...hub.authHeaders, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.caller.name).toMatch(/^test-/);
  });

  it('answers an undeclared route 404 with a code, with or without a token, and records an authenticated attempt', async () => {
    const anonymous = await fetch(`${hub.url}/exports/anything.csv`);
    expect(anonymous.status).toBe(404);
    expect(((await anonymous.json()) as any).errors[0].extensions).toEqual({ code: 'NOT_FOUND', reason: 'NO_SUCH_ROUTE' });
    const res = await fetch(`${hub.url}/exports/anything.csv`, { headers: hub.authHeaders });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).errors[0].extensions).toEqual({ code: 'NOT_FOUND', reason: 'NO_SUCH_ROUTE' });
    const [rows] = await dbs.hubPool.query(`SELECT channel, operation, outcome, request_id FROM access_log ORDER BY seq DESC LIMIT 1`);
    // Under the request's own id, as every audit row: the one its answer and log lines carry.
    expect((rows as any[])[0]).toEqual({ channel: 'HTTP', operation: 'GET (undeclared route)', outcome: 'DENIED', request_id: res.headers.get('x-request-id') });
  });
});

describe('purpose at the door', () => {
  it('refuses an unknown purpose (400) and a case reference that could name a person (400)', async () => {
    const unknown = await hub.as({ purpose: 'CURIOSITY' }).gql(CALLER);
    expect(unknown.status).toBe(400);
    expect(unknown.errors?.[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'UNKNOWN_PURPOSE' });
    const ref = await hub.as({ caseReference: WANG.head }).gql(CALLER);
    expect(ref.status).toBe(400);
    expect(ref.errors?.[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'MALFORMED_CASE_REFERENCE' });
    expect(JSON.stringify(ref)).not.toContain(WANG.head);
  });

  it('refuses a purpose the client’s roles may not state (403), and records the refusal', async () => {
    const { token } = await hub.createClient({ name: 'door-auditor', roles: ['AUDITOR'] });
    const res = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: WANG.head });
    expect(res.status).toBe(403);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' });
    const [rows] = await dbs.hubPool.query(`SELECT client_name, purpose, outcome, subject_kind FROM access_log ORDER BY seq DESC LIMIT 1`);
    expect((rows as any[])[0]).toEqual({ client_name: 'door-auditor', purpose: 'ELIGIBILITY_REVIEW', outcome: 'DENIED', subject_kind: 'NONE' });
  });
});

describe('rate limits', () => {
  it('refuses a client past its rate with 429 RATE_LIMITED; another client is unaffected', async () => {
    const limited = await startTestHub(dbs, { today: TODAY, rateLimitPerMinute: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.gql(CALLER)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const res = await limited.gql(CALLER);
      expect(res.errors?.[0].extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_REQUESTS' });
      const retry = await fetch(`${limited.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...limited.authHeaders }, body: JSON.stringify({ query: CALLER }) });
      expect(Number(retry.headers.get('retry-after'))).toBeGreaterThan(0);
      const { token } = await limited.createClient();
      expect((await limited.as({ token }).gql(CALLER)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('slows down an address that keeps failing to authenticate', async () => {
    const limited = await startTestHub(dbs, { today: TODAY, authFailuresPerMinute: 2 });
    try {
      const forged = limited.as({ token: `ahk_${'B'.repeat(43)}` });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await forged.gql(CALLER)).status);
      expect(statuses).toEqual([401, 401, 429]);
      expect((await forged.gql(CALLER)).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});
