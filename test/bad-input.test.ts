/**
 * The bad-input suite: malformed transport, hostile documents, huge lists, wrong variables,
 * invalid ID numbers, SQL metacharacters and odd Unicode in every string argument, bad tokens and
 * other regions' households. Each gets its documented status and code (docs/access.md), never a
 * 500, never a stack trace, never its own value echoed; and afterwards every table is as it was
 * (the audit trail only grew, by appended rows).
 */
import { GENESIS_HASH, verifyChain } from '../access/audit';
import { ROOT_RULES } from '../access/policy';
import { buildSchema } from '../resolvers/index';
import { argumentTargets, tableDigests } from './support/argument-targets';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertMany, insertRegions, insertWang, insertZhao, TODAY, WANG, ZHAO } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let prod: TestHub;
let county: ReturnType<TestHub['as']>;
let zhaoId: number;
let before: Map<string, string>;
let headBefore: { seq: number; hash: string };

interface Raw {
  status: number;
  text: string;
  body: any;
}

async function send(init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; path?: string; auth?: boolean }, target = () => hub): Promise<Raw> {
  const h = target();
  // A header given as '' is left out.
  const headers = Object.fromEntries(Object.entries({ ...(init.auth === false ? {} : h.authHeaders), ...init.headers }).filter(([, v]) => v !== ''));
  const res = await fetch(`${h.url}${init.path ?? '/graphql'}`, {
    method: init.method ?? 'POST',
    headers,
    body: init.body,
  });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* asserted below: every answer is JSON */
  }
  return { status: res.status, text, body };
}

const json = (payload: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });

/** The documented answer, and nothing a caller should never see. */
function expectRefusal(res: Raw, status: number, code: string, reason?: string): void {
  expect(res.body).not.toBeNull();
  expect({ status: res.status, code: res.body?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
  if (reason) expect(res.body.errors[0].extensions.reason).toBe(reason);
  expectNothingLeaked(res);
}

function expectNothingLeaked(res: Raw, echo?: string): void {
  expect(res.status).toBeLessThan(500);
  expect(res.text).not.toMatch(/stacktrace|\bat \S+ \(|node_modules|\/work\/|\.ts:\d+/);
  expect(res.text).not.toMatch(/INTERNAL_SERVER_ERROR/);
  if (echo) expect(res.text).not.toContain(echo);
}

beforeAll(async () => {
  dbs = await createTestDatabases('bad_input');
  await insertRegions(dbs);
  await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  await insertMany(dbs, 20);
  hub = await startTestHub(dbs, { today: TODAY });
  prod = await startTestHub(dbs, { today: TODAY, production: true });
  const { token } = await hub.createClient({ name: 'bad-input-county', roles: ['READER', 'CASEWORKER'], regionScope: '370811' });
  county = hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' });
  before = await tableDigests(dbs);
  const [[head]] = (await dbs.hubPool.query('SELECT last_seq, last_hash FROM access_log_head')) as any;
  headBefore = { seq: Number(head.last_seq), hash: head.last_hash };
});

afterAll(async () => {
  await prod?.close();
  await hub?.close();
  await dbs?.close();
});

describe('transport', () => {
  it.each<[string, Parameters<typeof send>[0], number, string, string?]>([
    ['malformed JSON', { headers: { 'content-type': 'application/json' }, body: '{"query": ' }, 400, 'BAD_REQUEST', 'MALFORMED_JSON'],
    ['a JSON scalar instead of an object', { headers: { 'content-type': 'application/json' }, body: '"{ caller { name } }"' }, 400, 'BAD_REQUEST', 'MALFORMED_JSON'],
    ['an empty body', { headers: { 'content-type': 'application/json' }, body: '' }, 400, 'BAD_REQUEST', 'NOT_A_GRAPHQL_REQUEST'],
    ['an empty object', json({}), 400, 'BAD_REQUEST', 'NOT_A_GRAPHQL_REQUEST'],
    ['text/plain', { headers: { 'content-type': 'text/plain' }, body: '{"query":"{ caller { name } }"}' }, 415, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE'],
    ['multipart/form-data', { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\n\r\n--x--' }, 415, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE'],
    ['a form post', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7Bcaller%7Bname%7D%7D' }, 415, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE'],
    ['application/xml', { headers: { 'content-type': 'application/xml' }, body: '<query/>' }, 415, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE'],
    ['a body over the limit', json({ query: `{ caller { name } } # ${'x'.repeat(120_000)}` }), 413, 'BAD_REQUEST', 'BODY_TOO_LARGE'],
    // JSON.parse spends half a second on a megabyte of brackets: refused before it is parsed.
    ['a body nested deeper than any request', { headers: { 'content-type': 'application/json' }, body: `{"query":"{ caller { name } }","variables":{"a":${'['.repeat(33)}${']'.repeat(33)}}}` }, 400, 'BAD_REQUEST', 'NESTED_TOO_DEEP'],
    ['an unsupported charset', { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{"query":"{ caller { name } }"}' }, 415, 'BAD_REQUEST', 'UNSUPPORTED_ENCODING'],
    ['a body that is not the gzip it claims', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{"query":"{ caller { name } }"}' }, 400, 'BAD_REQUEST'],
    ['a batch of operations', json([{ query: '{ caller { name } }' }, { query: '{ caller { name } }' }]), 400, 'BAD_REQUEST', 'BATCH_NOT_SUPPORTED'],
    ['an empty batch', json([]), 400, 'BAD_REQUEST', 'BATCH_NOT_SUPPORTED'],
    ['a query that is not a string', json({ query: { caller: 'name' } }), 400, 'BAD_REQUEST', 'QUERY_NOT_A_STRING'],
    ['no query at all', json({ variables: {} }), 400, 'BAD_REQUEST', 'QUERY_MISSING'],
    ['variables as a string', json({ query: '{ caller { name } }', variables: '{"a":1}' }), 400, 'BAD_REQUEST', 'VARIABLES_NOT_AN_OBJECT'],
    ['variables as a list', json({ query: '{ caller { name } }', variables: [1] }), 400, 'BAD_REQUEST', 'VARIABLES_NOT_AN_OBJECT'],
    ['extensions as a string', json({ query: '{ caller { name } }', extensions: '{}' }), 400, 'BAD_REQUEST', 'EXTENSIONS_NOT_AN_OBJECT'],
    ['extensions as a number', json({ query: '{ caller { name } }', extensions: 1 }), 400, 'BAD_REQUEST', 'EXTENSIONS_NOT_AN_OBJECT'],
    ['operationName as a number', json({ query: '{ caller { name } }', operationName: 1 }), 400, 'BAD_REQUEST', 'OPERATION_NAME_NOT_A_STRING'],
    ['a GET naming its query twice', { method: 'GET', path: '/graphql?query=%7Bcaller%7Bname%7D%7D&query=%7Bcaller%7Bname%7D%7D' }, 400, 'BAD_REQUEST', 'SEARCH_PARAMETER_REPEATED'],
    ['a GET whose variables are not JSON', { method: 'GET', path: '/graphql?query=%7Bcaller%7Bname%7D%7D&variables=%7B' }, 400, 'BAD_REQUEST', 'SEARCH_PARAMETER_NOT_AN_OBJECT'],
    ['a GET whose variables are a list', { method: 'GET', path: '/graphql?query=%7Bcaller%7Bname%7D%7D&variables=%5B%5D' }, 400, 'BAD_REQUEST', 'SEARCH_PARAMETER_NOT_AN_OBJECT'],
    ['a GET declaring text/plain', { method: 'GET', path: '/graphql?query=%7Bcaller%7Bname%7D%7D', headers: { 'content-type': 'text/plain', 'apollo-require-preflight': 'true' } }, 415, 'BAD_REQUEST', 'UNSUPPORTED_CONTENT_TYPE'],
    ['an Accept taking no JSON', { ...json({ query: '{ caller { name } }' }, { accept: 'text/html' }) }, 406, 'BAD_REQUEST', 'NOT_ACCEPTABLE'],
    ['PUT', { method: 'PUT', ...json({ query: '{ caller { name } }' }) }, 405, 'BAD_REQUEST', 'METHOD_NOT_ALLOWED'],
    // X-Purpose counts as a preflight header (server/app.ts): a GET stating no purpose and no Apollo header is refused.
    ['GET without a preflight header (CSRF)', { method: 'GET', path: '/graphql?query=%7Bcaller%7Bname%7D%7D', headers: { 'x-purpose': '' } }, 400, 'BAD_REQUEST', 'CSRF_PREFLIGHT_REQUIRED'],
    ['a mutation over GET', { method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { scanStart(input: { regionCode: "370811" }) { __typename } }')}`, headers: { 'apollo-require-preflight': 'true' } }, 405, 'BAD_REQUEST', 'MUTATION_OVER_GET'],
  ])('%s', async (...row) => {
    // One parameter (a rest array): jest would take a fifth declared parameter for `done`.
    const [, init, status, code, reason] = row;
    expectRefusal(await send(init), status, code, reason);
  });
});

describe('nesting', () => {
  it('counts brackets only outside strings', async () => {
    const res = await send(json({ query: `{ caller { name } } # ${'['.repeat(100)}"${'{'.repeat(100)}` }));
    expect(res.status).toBe(200);
  });
});

describe('charset', () => {
  // 屋 (U+5C4B) is 4B 5C in UTF-16LE: a backslash byte to the nesting guard, which reads UTF-8.
  const document = JSON.stringify({ query: '{ caller { name } }', extensions: { a: '屋', b: '['.repeat(40) } });

  it('answers the document in UTF-8, with or without a declared charset', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      const res = await send({ headers: { 'content-type': contentType }, body: Buffer.from(document, 'utf8') });
      expect({ contentType, status: res.status, name: typeof res.body?.data?.caller?.name }).toEqual({ contentType, status: 200, name: 'string' });
    }
  });

  // The WHATWG Encoding Standard's labels of UTF-8, in any case: `utf8` is what many clients send.
  it.each(['utf8', 'UTF8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8', '"Utf8"'])('answers the document declared %s as UTF-8', async (charset) => {
    const res = await send({ headers: { 'content-type': `application/json; charset=${charset}` }, body: Buffer.from(document, 'utf8') });
    expect({ status: res.status, name: typeof res.body?.data?.caller?.name }).toEqual({ status: 200, name: 'string' });
  });

  it.each(['utf-16le', 'utf-16', 'UTF-32', 'us-ascii', 'latin1', 'utf-7', 'utf', 'utf-8x', 'x-utf8'])('refuses the same document declared %s as an encoding (415), never as its nesting', async (charset) => {
    const encoding = charset.startsWith('utf-16') ? 'utf16le' : 'utf8';
    const res = await send({ headers: { 'content-type': `application/json; charset=${charset}` }, body: Buffer.from(document, encoding) });
    expectRefusal(res, 415, 'BAD_REQUEST', 'UNSUPPORTED_ENCODING');
  });
});

describe('documents', () => {
  const deep = `{ household(id: "1") { region { ${'parent { '.repeat(20)} code ${'} '.repeat(20)} } } }`;
  // A page of 500 households, each asked for its members' aid several ways: the cost is counted per page item.
  const costly = `{ householdsInRegion(code: "370811", first: 500) { edges { node { ${Array.from({ length: 10 }, (_, i) => `a${i}: members { person { aid { programme { department { name } } } } }`).join(' ')} } } } }`;
  const aliases = `{ ${Array.from({ length: 100 }, (_, i) => `p${i}: person(idNumber: "${WANG.head}") { name }`).join(' ')} }`;
  const directives = `{ caller { name ${'@include(if: true) '.repeat(50)} } }`;
  const tokens = `{ caller { ${'name '.repeat(5000)} } }`;

  it.each<[string, string, number, string, Record<string, unknown>?, string?]>([
    ['a syntax error', '{ caller { name ', 400, 'GRAPHQL_PARSE_FAILED'],
    ['a deep query', deep, 400, 'GRAPHQL_VALIDATION_FAILED', undefined, 'QUERY_TOO_DEEP'],
    ['a wide, costly query', costly, 400, 'BAD_USER_INPUT', undefined, 'QUERY_TOO_COSTLY'],
    // No page sizes at all: each list nested in another multiplies what is read (server/query-cost.ts, UNSIZED_LIST_SIZE); counted once each, this cost 189.
    ['a nested query through lists without page sizes', '{ household(id: "1") { members { person { findings { people { findings { records { beneficiary { aid { amountFen } } } } } } } } } }', 400, 'BAD_USER_INPUT', undefined, 'QUERY_TOO_COSTLY'],
    // A page of the largest size (500) whose selection is costly: a larger one is refused OUT_OF_RANGE by its field (test/page-size-cost.test.ts).
    ['a page so large its cost alone is refused', '{ householdsInRegion(code: "370811", first: 500) { edges { node { findings { rule { id } } } } } }', 400, 'BAD_USER_INPUT', undefined, 'QUERY_TOO_COSTLY'],
    ['a page size passed as a variable', 'query($n: Int!) { householdsInRegion(code: "370811", first: $n) { edges { node { findings { rule { id } } } } } }', 400, 'BAD_USER_INPUT', { n: 500 }, 'QUERY_TOO_COSTLY'],
    ['a page size as a variable’s default', 'query($n: Int = 500) { householdsInRegion(code: "370811", first: $n) { edges { node { findings { rule { id } } } } } }', 400, 'BAD_USER_INPUT', undefined, 'QUERY_TOO_COSTLY'],
    ['a costly page size in a fragment', 'query($n: Int!) { ...Q } fragment Q on Query { householdsInRegion(code: "370811", first: $n) { edges { node { findings { rule { id } } } } } }', 400, 'BAD_USER_INPUT', { n: 500 }, 'QUERY_TOO_COSTLY'],
    ['an alias bomb', aliases, 400, 'GRAPHQL_VALIDATION_FAILED', undefined, 'TOO_MANY_ALIASES'],
    ['a directive bomb', directives, 400, 'GRAPHQL_VALIDATION_FAILED', undefined, 'TOO_MANY_DIRECTIVES'],
    ['a token bomb', tokens, 400, 'GRAPHQL_PARSE_FAILED'],
    ['a fragment cycle', 'query { caller { ...A } } fragment A on Caller { name ...B } fragment B on Caller { ...A }', 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['an unknown field', '{ household(id: "1") { nosuchfield } }', 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['two operations and no name', 'query A { caller { name } } query B { caller { name } }', 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['a subscription', 'subscription { caller { name } }', 400, 'GRAPHQL_VALIDATION_FAILED'],
    // graphql-js gives up comparing a selection's fields past its budget ("Validation aborted.", no reason), well within every limit above.
    ['a field repeated a thousand times', `{ ${'__typename '.repeat(1000)}}`, 400, 'GRAPHQL_VALIDATION_FAILED', undefined, 'QUERY_TOO_COMPLEX'],
  ])('%s', async (...row) => {
    const [, query, status, code, variables, reason] = row;
    expectRefusal(await send(json({ query, variables })), status, code, reason);
  });

  // A client batching aliased checks (twenty pre-grant checks in one operation) reads the limit
  // from the refusal, with a stable reason, rather than from armor's message ("Syntax Error: …").
  it('an operation over a static limit names the limit it passed and its max, one error each', async () => {
    const res = await send(json({ query: aliases }));
    expect(res.body.errors.map((e: any) => ({ ...e.extensions, syntax: /^Syntax Error/.test(e.message) }))).toEqual([{ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'TOO_MANY_ALIASES', max: 20, syntax: false }]);
    const deepRes = await send(json({ query: deep }));
    expect(deepRes.body.errors.map((e: any) => e.extensions)).toEqual([{ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_DEEP', max: 12 }]);
  });

  // graphql-js stops after 100 refusals and says so in a 101st error ("Too many validation errors, error limit reached. Validation aborted."), which had no reason.
  it('a document with more than a hundred mistakes is told its first hundred, then that checking stopped, with a reason and the limit', async () => {
    const res = await send(json({ query: `{ caller { ${Array.from({ length: 120 }, (_, i) => `f${i}`).join(' ')} } }` }));
    expect(res.status).toBe(400);
    const errors: any[] = res.body.errors;
    expect(errors).toHaveLength(101);
    expect(errors.slice(0, 100).every((e) => e.extensions.code === 'GRAPHQL_VALIDATION_FAILED' && /Cannot query field "f\d+"/.test(e.message))).toBe(true);
    expect(errors[100]).toEqual({ message: expect.stringMatching(/stopped after 100/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'TOO_MANY_VALIDATION_ERRORS', max: 100 } });
    expectNothingLeaked(res);
  });

  it('a selection too costly to validate is told why, with a reason, not "Validation aborted."', async () => {
    const res = await send(json({ query: `{ caller { name } ${'__typename '.repeat(1000)}}` }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: expect.stringMatching(/too many fields/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COMPLEX' } }]);
  });

  // A cost of 12 digits or more was "(withheld)" from the message, read as a possible ID number.
  it('a query refused for its cost is told the cost, however large, in the message as in extensions', async () => {
    // Pages of pages (a page over the largest is costed as the largest, 500, and refused by its field).
    const res = await send(json({ query: '{ scans(first: 500) { edges { node { findings(first: 500) { edges { node { people { findings { people { findings { id } } } } } } } } } } }' }));
    expectRefusal(res, 400, 'BAD_USER_INPUT', 'QUERY_TOO_COSTLY');
    const { message, extensions } = res.body.errors[0];
    expect(extensions.cost).toBeGreaterThan(10 ** 11);
    expect(message).not.toContain('(withheld)');
    expect(message).toContain(`cost is ${extensions.cost.toLocaleString('en-US')}, above this hub's limit of ${extensions.maxCost.toLocaleString('en-US')}`);
  });

  // The hub remembers a document's cost once it is found within the limit (server/query-cost.ts):
  // a document whose page size is a variable must still be costed again for every request.
  it('a document answered within the limit, sent again with a costly page size as its variable', async () => {
    const query = 'query($n: Int!) { householdsInRegion(code: "370811", first: $n) { edges { node { findings { rule { id } } } } } }';
    const small = await send(json({ query, variables: { n: 5 } }));
    expect(small.status).toBe(200);
    expect(small.body.errors ?? []).toEqual([]);
    expectRefusal(await send(json({ query, variables: { n: 500 } })), 400, 'BAD_USER_INPUT', 'QUERY_TOO_COSTLY');
  });

  // A write's input lists are costed per item (server/query-cost.ts INPUT_ITEM_COST): a document
  // whose list is a variable is costed again for every request, not remembered from a short one.
  it('a write answered within the limit, sent again with a list long enough to cost more than the limit', async () => {
    const query = 'mutation($i: MeetingRecordInput!) { meetingRecord(input: $i) { userErrors { code } } }';
    const input = (n: number) => ({ caseId: '999999999', heldOn: '2026-03-01', departmentsPresent: Array.from({ length: n }, () => 'HEALTH'), decisions: [] });
    const short = await send(json({ query, variables: { i: input(1) } }));
    expect(short.status).toBe(200);
    expect(short.body.errors?.map((e: any) => e.extensions?.reason) ?? []).not.toContain('QUERY_TOO_COSTLY');
    expectRefusal(await send(json({ query, variables: { i: input(5_001) } })), 400, 'BAD_USER_INPUT', 'QUERY_TOO_COSTLY');
  });

  it('a document within the limit is answered the same way every time it is sent', async () => {
    const query = 'query($id: ID!) { household(id: $id) { registrationNumber } }';
    for (let i = 0; i < 3; i++) {
      const res = await send(json({ query, variables: { id: '1' } }));
      expect({ status: res.status, errors: res.body.errors ?? [] }).toEqual({ status: 200, errors: [] });
    }
  });

  it('an operation name the document does not have', async () => {
    expectRefusal(await send(json({ query: 'query A { caller { name } }', operationName: 'B' })), 400, 'OPERATION_RESOLUTION_FAILURE');
  });

  it('introspection in production', async () => {
    expectRefusal(await send(json({ query: '{ __schema { types { name } } }' }), () => prod), 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('no field suggestions in production', async () => {
    const res = await send(json({ query: '{ household(id: "1") { adress } }' }), () => prod);
    expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.text).not.toContain('Did you mean');
    expect(res.text).not.toContain('address');
  });
});

describe('lists', () => {
  it('a households list past the cap', async () => {
    const res = await send(json({ query: 'query($ids: [ID!]!) { households(ids: $ids) { id } }', variables: { ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) } }));
    expectRefusal(res, 200, 'BAD_USER_INPUT', 'LIST_TOO_LONG');
  });

  it('any other list argument past the cap', async () => {
    const departments = Array.from({ length: 600 }, () => 'HEALTH');
    const res = await send(json({ query: 'query($d: [DepartmentCode!]) { household(id: "1") { aid(departments: $d) { amountFen } } }', variables: { d: departments } }));
    expectRefusal(res, 200, 'BAD_USER_INPUT', 'LIST_TOO_LONG');
  });

  it('a list too big to be sent at all', async () => {
    const ids = Array.from({ length: 30_000 }, (_, i) => String(i + 1));
    expectRefusal(await send(json({ query: 'query($ids: [ID!]!) { households(ids: $ids) { id } }', variables: { ids } })), 413, 'BAD_REQUEST', 'BODY_TOO_LARGE');
  });

  it('a page size out of range, with both bounds whichever it passes', async () => {
    for (const first of [501, 0, -1]) {
      const res = await send(json({ query: `{ householdsInRegion(code: "370811", first: ${first}) { totalCount } }` }));
      expectRefusal(res, 200, 'BAD_USER_INPUT', 'OUT_OF_RANGE');
      expect(res.body.errors[0].extensions).toMatchObject({ argument: 'first', min: 1, max: 500 });
    }
  });
});

describe('variables', () => {
  // Each with a stable reason and the variable's path, so a client can act on it without reading
  // English, and never its value, which may be an ID number.
  const ID = WANG.head;
  it.each<[string, string, Record<string, unknown>, string, string]>([
    ['a number for a string', 'query($n: String!) { person(idNumber: $n) { name } }', { n: 370811 }, 'WRONG_TYPE', '$n'],
    ['null for a required value', 'query($n: String!) { person(idNumber: $n) { name } }', { n: null }, 'REQUIRED_VALUE_MISSING', '$n'],
    ['no required value at all', 'query($n: String!) { person(idNumber: $n) { name } }', {}, 'REQUIRED_VALUE_MISSING', '$n'],
    ['an object for a list', 'query($ids: [ID!]!) { households(ids: $ids) { id } }', { ids: { a: 1 } }, 'WRONG_TYPE', '$ids'],
    ['null inside a list of non-null', 'query($ids: [ID!]!) { households(ids: $ids) { id } }', { ids: ['1', null] }, 'REQUIRED_VALUE_MISSING', '$ids[1]'],
    ['an impossible date', 'query($d: Date) { household(id: "1") { aid(from: $d) { amountFen } } }', { d: '2026-02-30' }, 'MALFORMED_DATE', '$d'],
    ['an integer beyond 32 bits', 'query($n: Int) { householdsInRegion(code: "370811", first: $n) { totalCount } }', { n: 2 ** 40 }, 'OUT_OF_RANGE', '$n'],
    ['a value outside an enum', 'query($d: [DepartmentCode!]) { household(id: "1") { aid(departments: $d) { amountFen } } }', { d: ['HEALTH', 'POLICE'] }, 'UNKNOWN_ENUM_VALUE', '$d[1]'],
    ['a name where a number goes', 'query($n: Int) { householdsInRegion(code: "370811", first: $n) { totalCount } }', { n: '王建国' }, 'WRONG_TYPE', '$n'],
    ['an ID number where an instant goes', 'query($t: DateTime) { overdueReport(asOf: $t) { __typename } }', { t: `${ID}; 13800138000` }, 'MALFORMED_DATETIME', '$t'],
    ['an ID number where a number goes, joined with others', 'query($n: Int) { householdsInRegion(code: "370811", first: $n) { totalCount } }', { n: `王建国; ${ID.slice(0, 6)}; ${ID.slice(6, 14)}; ${ID.slice(14)}; 13800138000` }, 'WRONG_TYPE', '$n'],
  ])('%s', async (_what, query, variables, reason, argument) => {
    const res = await send(json({ query, variables }));
    expectRefusal(res, 400, 'BAD_USER_INPUT', reason);
    expect(res.body.errors[0].extensions.argument).toBe(argument);
    expect(res.text).not.toContain('王建国');
    expect(res.text).not.toContain('13800138000');
    expect(res.text).not.toContain(ID.slice(6, 14));
    expect(res.text).not.toContain('POLICE');
    expect(res.text).not.toContain('1099511627776');
  });

  it('an input object: a field missing, a field of the wrong type, a field it does not have (an ID number for its name), each at its path', async () => {
    const query = 'mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded } }';
    const record = { reference: 'BI-1', beneficiaryIdNumber: ID, programme: 'CHARITY_MEDICAL', grantDate: '2026-03-01', amountFen: 100 };
    const { beneficiaryIdNumber: _dropped, ...noBeneficiary } = record;
    for (const [r, reason, argument] of [
      [[record, noBeneficiary], 'REQUIRED_VALUE_MISSING', '$r[1].beneficiaryIdNumber'],
      [[{ ...record, reference: 42 }], 'WRONG_TYPE', '$r[0].reference'],
      [[{ ...record, [ID]: ID }], 'UNKNOWN_FIELD', '$r[0]'],
      [['just a string'], 'WRONG_TYPE', '$r[0]'],
    ] as const) {
      const res = await send(json({ query, variables: { r } }));
      expectRefusal(res, 400, 'BAD_USER_INPUT', reason);
      expect(res.body.errors[0].extensions.argument).toBe(argument);
      expect(res.text).not.toContain(ID.slice(6, 14));
    }
  });
});

describe('ID numbers', () => {
  it.each([
    ['too short', WANG.head.slice(0, 17), 'LENGTH'],
    ['letters inside', `${WANG.head.slice(0, 10)}AB${WANG.head.slice(12)}`, 'CHARACTERS'],
    // Digits of another script or style are one cause, one reason: NFKC read the mathematical
    // ones (𝟑𝟕𝟎…) as ASCII, and a number in them named the person where one in ٣٧٠… was refused.
    ['Arabic-Indic digits', WANG.head.replace(/\d/g, (d) => String.fromCodePoint(0x660 + Number(d))), 'CHARACTERS'],
    ['mathematical bold digits', WANG.head.replace(/\d/g, (d) => String.fromCodePoint(0x1d7ce + Number(d))), 'CHARACTERS'],
    ['circled digits', WANG.head.replace(/[1-9]/g, (d) => String.fromCodePoint(0x245f + Number(d))).replace(/0/g, '⓪'), 'CHARACTERS'],
    ['no such region', `0${WANG.head.slice(1)}`, 'REGION'],
    ['no such birth date', `${WANG.head.slice(0, 10)}0230${WANG.head.slice(14)}`, 'BIRTH_DATE'],
    ['a wrong check character', WANG.head.slice(0, 17) + (WANG.head[17] === '1' ? '2' : '1'), 'CHECKSUM'],
    ['SQL in place of a number', `370811' OR '1'='1`, 'LENGTH'],
  ])('%s', async (_what, idNumber, reason) => {
    for (const field of ['person', 'householdByMember']) {
      const res = await send(json({ query: `query($n: String!) { ${field}(idNumber: $n) { __typename } }`, variables: { n: idNumber } }));
      expectRefusal(res, 200, 'BAD_USER_INPUT', reason);
      expectNothingLeaked(res, idNumber);
    }
  });
});

describe('codes typed in another script or style', () => {
  // Only full-width forms are read as ASCII (typedCode, as an ID number is): NFKC read mathematical,
  // circled and Roman-numeral digits as ASCII too, and a school year or a settlement number in them
  // was taken for the one in 0-9 (a settlement in 𝟐𝟎𝟐𝟔… named the stay where ٢٠٢٦… named none).
  const math = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCodePoint(0x1d7ce + Number(d)));
  const circled = (s: string) => s.replace(/[1-9]/g, (d) => String.fromCodePoint(0x245f + Number(d))).replace(/0/g, '⓪');
  const CHECK = `query($in: PreGrantCheckInput!) { preGrantCheck(input: $in) { clear } }`;
  it.each([
    ['a school year in mathematical digits', { programme: 'NATIONAL_GRANT', grantDate: '2025-09-01', schoolYear: math('2025-2026') }, 'input.schoolYear', 'MALFORMED_SCHOOL_YEAR'],
    ['a school year in circled digits', { programme: 'NATIONAL_GRANT', grantDate: '2025-09-01', schoolYear: circled('2025-2026') }, 'input.schoolYear', 'MALFORMED_SCHOOL_YEAR'],
    ['a settlement number in mathematical digits', { programme: 'MEDICAL_AID', grantDate: '2026-02-01', settlementReference: `SETL${math('20260110001')}` }, 'input.settlementReference', 'CHARACTERS'],
    ['a settlement number in circled digits', { programme: 'MEDICAL_AID', grantDate: '2026-02-01', settlementReference: `SETL${circled('20260110001')}` }, 'input.settlementReference', 'CHARACTERS'],
    ['a settlement number in Arabic-Indic digits', { programme: 'MEDICAL_AID', grantDate: '2026-02-01', settlementReference: `SETL${'20260110001'.replace(/[0-9]/g, (d) => String.fromCodePoint(0x660 + Number(d)))}` }, 'input.settlementReference', 'CHARACTERS'],
  ])('%s', async (_what, input, argument, reason) => {
    const res = await send(json({ query: CHECK, variables: { in: { beneficiaryIdNumber: WANG.grandmother, amountFen: 100_000, ...input } } }));
    expectRefusal(res, 200, 'BAD_USER_INPUT', reason);
    expect(res.body.errors[0].extensions.argument).toBe(argument);
  });

  it('still reads the full-width forms a Chinese input method types', async () => {
    const fullWidth = (s: string) => s.replace(/[0-9A-Z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const input of [
      { programme: 'NATIONAL_GRANT', grantDate: '2025-09-01', schoolYear: fullWidth('2025-2026') },
      { programme: 'MEDICAL_AID', grantDate: '2026-02-01', settlementReference: fullWidth('SETL20260110001') },
    ]) {
      const res = await send(json({ query: CHECK, variables: { in: { beneficiaryIdNumber: WANG.grandmother, amountFen: 100_000, ...input } } }));
      expect(res.body.errors).toBeUndefined();
    }
  });
});

describe('tokens and headers', () => {
  it.each([
    ['no token', {}, 'TOKEN_MISSING'],
    ['a malformed token', { authorization: 'Bearer ahk_short' }, 'TOKEN_MALFORMED'],
    ['a forged token', { authorization: `Bearer ahk_${'Z'.repeat(43)}` }, 'TOKEN_INVALID'],
  ])('%s', async (_what, headers, reason) => {
    expectRefusal(await send({ auth: false, ...json({ query: '{ caller { name } }' }, headers) }), 401, 'UNAUTHENTICATED', reason);
  });

  it('an expired token', async () => {
    const { token } = await hub.createClient({ name: 'bad-input-expired', expiresAt: '2001-01-01 00:00:00.000' });
    expectRefusal(await send({ auth: false, ...json({ query: '{ caller { name } }' }, { authorization: `Bearer ${token}` }) }), 401, 'UNAUTHENTICATED', 'TOKEN_EXPIRED');
  });

  it('a revoked token', async () => {
    const { token } = await hub.createClient({ name: 'bad-input-revoked' });
    await dbs.hubPool.query(`UPDATE api_client SET revoked_at = '2001-01-01 00:00:00.000' WHERE name = 'bad-input-revoked'`);
    expectRefusal(await send({ auth: false, ...json({ query: '{ caller { name } }' }, { authorization: `Bearer ${token}` }) }), 401, 'UNAUTHENTICATED', 'TOKEN_REVOKED');
  });

  it('an unknown purpose, and a case reference carrying an ID number', async () => {
    expectRefusal(await send(json({ query: '{ caller { name } }' }, { 'x-purpose': "'; DROP TABLE access_log; --" })), 400, 'BAD_REQUEST', 'UNKNOWN_PURPOSE');
    const res = await send(json({ query: '{ caller { name } }' }, { 'x-case-reference': WANG.head }));
    expectRefusal(res, 400, 'BAD_REQUEST', 'MALFORMED_CASE_REFERENCE');
    expectNothingLeaked(res, WANG.head);
  });
});

describe('other regions’ households', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['by hub id', 'query($id: ID!) { household(id: $id) { address } }', { id: 'ZHAO' }],
    ['by a member’s ID number, for an eligibility review', 'query($n: String!) { householdByMember(idNumber: $n) { address } }', { n: ZHAO.head }],
    ['a person, for an eligibility review', 'query($n: String!) { person(idNumber: $n) { name } }', { n: ZHAO.head }],
    ['a listing of another county', 'query($c: String!) { householdsInRegion(code: $c) { totalCount } }', { c: '370826' }],
  ])('%s', async (_what, query, variables) => {
    const v = variables.id === 'ZHAO' ? { id: String(zhaoId) } : variables;
    const res = await county.gql(query, v);
    expect(res.status).toBe(200);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    expect(JSON.stringify(res)).not.toContain('微山县');
    expect(JSON.stringify(res)).not.toContain('赵强');
  });
});

// ----- Every string argument of every root field, with hostile text -------------------------------

const PAYLOADS: [string, string][] = [
  ['SQL tautology', `' OR '1'='1' -- `],
  ['SQL statement', '1; DROP TABLE household; --'],
  ['LIKE wildcards, quotes and a backslash', `%_\\'"\``],
  ['a name', '王建国'],
  ['control characters', 'a\u0000b\u001fc\u007f'],
  ['bidi override, zero-width and emoji', '\u202e\u200b\ufeff👨‍👩‍👧'],
  ['full-width digits', '３７０８１１１９７５０４１２００３１'],
  ['a lone surrogate', 'x\ud800y'],
  ['a long string', 'x'.repeat(5000)],
];

/** Every String/ID leaf of every argument (inside input objects too). */
const SWEEP = argumentTargets(buildSchema(), (scalar) => scalar === 'String' || scalar === 'ID');
const ALLOWED = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'DEPARTMENT_UNAVAILABLE']);

describe('hostile text in every string argument', () => {
  it('covers every string argument the schema has', () => {
    expect(SWEEP.length).toBeGreaterThan(20);
  });

  it.each(SWEEP.map((t) => [`${t.root}.${t.field}(${t.path})`, t] as const))('%s', async (_name, target) => {
    // Each field is called with a purpose it serves, so the input is read, not refused at the door.
    const purpose = ROOT_RULES[target.root]?.[target.field]?.purposes?.[0] ?? 'ELIGIBILITY_REVIEW';
    for (const [what, payload] of PAYLOADS) {
      const res = await send(json({ query: target.operation, variables: target.variables(payload) }, { 'x-purpose': purpose }));
      const codes = (res.body?.errors ?? []).map((e: any) => e.extensions?.code);
      expect({ what, status: res.status < 500, codes: codes.filter((c: string) => !ALLOWED.has(c)) }).toEqual({ what, status: true, codes: [] });
      expectNothingLeaked(res, payload.length >= 3 && payload.trim() !== '' ? payload.slice(0, 40) : undefined);
    }
  });
});

describe('afterwards', () => {
  it('every table is as it was; the audit trail only grew, by appended rows', async () => {
    const after = await tableDigests(dbs);
    const changed = [...before.keys()].filter((t) => before.get(t) !== after.get(t));
    // Clients this suite created for its token cases are the only expected change.
    expect(changed.filter((t) => !t.endsWith('.api_client'))).toEqual([]);
    const [clients] = await dbs.hubPool.query(`SELECT name FROM api_client WHERE name LIKE 'bad-input-%' ORDER BY name`);
    expect((clients as any[]).map((c) => c.name)).toEqual(['bad-input-county', 'bad-input-expired', 'bad-input-revoked']);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
    // The rows that were there before are untouched: the chain still passes through the old head.
    const [[row]] = (await dbs.hubPool.query('SELECT row_hash FROM access_log WHERE seq = ?', [headBefore.seq])) as any;
    expect(row?.row_hash ?? GENESIS_HASH).toBe(headBefore.hash);
    const [[count]] = (await dbs.hubPool.query('SELECT COUNT(*) AS n FROM access_log')) as any;
    expect(Number(count.n)).toBeGreaterThan(headBefore.seq);
  });
});
