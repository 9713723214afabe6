/**
 * A GET /graphql carries its query and variables in the URL, which every proxy, load balancer and
 * browser history on the way writes down: an ID number in it (a `person(idNumber:)` look-up typed
 * into the query, or sent as a variable) went into those logs in clear. Such a GET is refused, 400,
 * `BAD_REQUEST` with reason `ID_NUMBER_IN_URL`, telling the client to send it by POST; nothing is
 * run and the hub's own log does not hold the number. A GET without one runs as before, and the
 * same request by POST answers.
 */
import { createHash } from 'node:crypto';
import pino from 'pino';
import { makeIdNumber } from '../../domain/id-number';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { startTestHub, type TestHub } from '../support/hub';
import { insertRegions, insertWang, TODAY, WANG } from '../support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
const logLines: string[] = [];

const PERSON = `query Person($id: String!) { person(idNumber: $id) { name } }`;

beforeAll(async () => {
  dbs = await createTestDatabases('get_id_numbers');
  await insertRegions(dbs);
  await insertWang(dbs);
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  hub = await startTestHub(dbs, { today: TODAY, logger });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

async function get(params: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.url}/graphql?${new URLSearchParams(params)}`, { headers: hub.authHeaders });
  return { status: res.status, body: await res.json() };
}

/** The ID number as clerks type it: grouped, full-width, with a lower-case x. */
const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const grouped = (s: string) => `${s.slice(0, 6)} ${s.slice(6, 14)} ${s.slice(14)}`;

it('refuses a GET holding an ID number in its query, its variables or its extensions: 400, ID_NUMBER_IN_URL, nothing run', async () => {
  const id = WANG.head;
  const asked: Record<string, string>[] = [
    { query: `{ person(idNumber: "${id}") { name } }` },
    { query: PERSON, variables: JSON.stringify({ id }) },
    { query: PERSON, variables: JSON.stringify({ id: grouped(id) }) },
    { query: PERSON, variables: JSON.stringify({ id: fullWidth(id) }) },
    { query: `{ caller { name } }`, extensions: JSON.stringify({ note: id }) },
    { query: `query Q { caller { name } }`, operationName: 'Q', variables: JSON.stringify({ unused: id.toLowerCase() }) },
  ];
  for (const params of asked) {
    const res = await get(params);
    expect({ params, status: res.status, data: res.body.data, errors: res.body.errors?.map((e: any) => e.extensions) }).toEqual({ params, status: 400, data: undefined, errors: [{ code: 'BAD_REQUEST', reason: 'ID_NUMBER_IN_URL' }] });
    expect(res.body.errors[0].message).toMatch(/POST/);
  }
  // The refusal neither repeats the number nor logs it.
  const logged = logLines.join('\n');
  expect(logged).not.toContain(id);
  expect(logged).not.toContain(id.slice(0, 14));
});

it('runs a GET without an ID number as before, and the refused request by POST', async () => {
  const plain = await get({ query: `{ caller { name } }` });
  expect(plain.status).toBe(200);
  expect(plain.body.errors).toBeUndefined();
  // A village code (twelve digits) is no ID number.
  const village = await get({ query: `query($code: String!) { householdsInRegion(code: $code) { totalCount } }`, variables: JSON.stringify({ code: WANG.regionCode }) });
  expect(village.status).toBe(200);
  expect(village.body.data.householdsInRegion.totalCount).toBe(1);
  const posted = await hub.gql(PERSON, { id: WANG.head });
  expect(posted.errors).toBeUndefined();
  expect(posted.data.person).not.toBeNull();
});

// A persisted query's hash is SHA-256 in hex: about one document in 60 has 15 digits or more in a row
// in it, which read as an ID number. Sent by GET (as Apollo Client sends hashed queries with
// useGETForHashedQueries) such a document was refused ID_NUMBER_IN_URL, registered or not, however
// often the client retried; the same document with a hash of letters and digits mixed ran.
it('runs a persisted query by GET whatever digits its hash holds; an ID number elsewhere in its extensions is still refused', async () => {
  const sha = (q: string) => createHash('sha256').update(q).digest('hex');
  let document = '';
  for (let n = 0; !/\d{15}/.test(sha(document)); n++) document = `{ caller { name } } # ${n}`;
  const hash = sha(document);
  const persisted = (extra: Record<string, unknown> = {}) => JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash }, ...extra });
  // Registered by POST, as a client does the first time …
  const registered = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...hub.authHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ query: document, extensions: JSON.parse(persisted()) }) });
  expect(registered.status).toBe(200);
  // … then sent by its hash alone, and with its document, by GET.
  for (const params of [{ extensions: persisted() }, { query: document, extensions: persisted() }] as Record<string, string>[]) {
    const res = await get(params);
    expect({ status: res.status, errors: res.body.errors?.map((e: any) => e.extensions) }).toEqual({ status: 200, errors: undefined });
    expect(res.body.data.caller.name).toBeTruthy();
  }
  // The hash is left out of the judgement, nothing else: an ID number beside it is refused.
  const beside = await get({ extensions: persisted({ note: WANG.head }) });
  expect({ status: beside.status, errors: beside.body.errors?.map((e: any) => e.extensions) }).toEqual({ status: 400, errors: [{ code: 'BAD_REQUEST', reason: 'ID_NUMBER_IN_URL' }] });
  // So is a hash holding a whole ID number (check character and birth date included), in digits alone.
  let inside = '';
  for (let n = 1; !/^\d{18}$/.test(inside); n++) inside = makeIdNumber('370811', '1990-01-01', n);
  const padded = await get({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: `ab${inside}`.padEnd(64, 'c') } }) });
  expect({ status: padded.status, errors: padded.body.errors?.map((e: any) => e.extensions) }).toEqual({ status: 400, errors: [{ code: 'BAD_REQUEST', reason: 'ID_NUMBER_IN_URL' }] });
});

// A finding's id is 32 lowercase hexadecimal characters: about one in 120 has 15 digits in a row,
// and asking for such a finding by GET was refused ID_NUMBER_IN_URL as the persisted hash was.
it('asks for a finding by GET whatever digits its id holds; an ID number run into an id is still refused', async () => {
  const FINDING = `query F($id: ID!) { finding(id: $id) { id } }`;
  const reasons = async (id: string) => (await get({ query: FINDING, variables: JSON.stringify({ id }) })).body.errors?.map((e: any) => e.extensions.reason) ?? [];
  expect(await reasons('0123456789012345abcdef0123456789')).not.toContain('ID_NUMBER_IN_URL');
  expect(await reasons('9'.repeat(31) + 'a')).not.toContain('ID_NUMBER_IN_URL');
  let inside = '';
  for (let n = 1; !/^\d{18}$/.test(inside); n++) inside = makeIdNumber('370811', '1990-01-01', n);
  expect(await reasons(`${inside}abcdef0123abcd`)).toEqual(['ID_NUMBER_IN_URL']);
  // Fifteen digits outside a digest are judged as before.
  expect(await reasons(`${'1'.repeat(15)}-abcdef`)).toEqual(['ID_NUMBER_IN_URL']);
});
