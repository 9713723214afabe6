/**
 * Requests shaped to make the hub's own checks do the work: small on the wire (a document of a few
 * hundred tokens, a body within its limit) but checked, before anything runs, with work that grows
 * with some power of their size. Each is answered with a stable code or its data, and the hub keeps
 * answering /healthz while they are in flight. The hub runs in a process of its own
 * (test/support/standalone-hub.ts), so a request that holds its event loop cannot hold this test:
 * /healthz then goes unanswered within its generous timeout, which is what fails.
 */
import { createClient } from '../access/clients';
import { OFFICE_ROLES } from '../access/policy';
import { accessDbOf } from '../db/access/db';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { killStandaloneHub, startStandaloneHub, type StandaloneHub } from './support/hub-process';
import { healthz, inRounds, REQUEST_TIMEOUT_MS } from './support/hostile-rounds';
import { insertRegions, insertWang } from './support/scenarios';

let dbs: TestDatabases;
let hubProcess: StandaloneHub | undefined;
let url = '';
let token = '';
let householdId = '';

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string; reason?: string } }[] };
}

async function post(query: string, variables: Record<string, unknown> = {}, purpose = 'ELIGIBILITY_REVIEW'): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': purpose },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** The request, and /healthz asked while it is in flight: both must answer. */
async function withHealth(query: string): Promise<{ answer: Answer; healthy: boolean }> {
  const sent = post(query);
  const healthy = await healthz(url).catch(() => false);
  return { answer: await sent.catch((err: Error) => ({ status: 0, body: { errors: [{ extensions: { code: `no answer (${err.name})` } }] } })), healthy };
}

beforeAll(async () => {
  dbs = await createTestDatabases('hostile_documents');
  await insertRegions(dbs);
  householdId = String(await insertWang(dbs));
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: `hostile-documents-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: OFFICE_ROLES, expiresAt: null }));
  hubProcess = await startStandaloneHub(dbs.hubUrl);
  url = hubProcess.url;
}, 180_000);

afterAll(async () => {
  // Only the process this file started, by its own handle.
  await killStandaloneHub(hubProcess);
  await dbs?.close();
});

describe('a fragment spread twice, whose fragment spreads the next twice, forty deep (400 tokens)', () => {
  /** F0 spreads F1 twice, F1 spreads F2 twice, …: read spread by spread, 2^40 walks of the last. */
  const doubling = (leaf: string) => {
    const n = 40;
    const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    return `query { ...F0 } ${fragments.join(' ')} fragment F${n} on Query { ${leaf} }`;
  };

  it('is costed fragment by fragment: with a field that costs, refused as too costly; the hub answers meanwhile', async () => {
    const { answer, healthy } = await withHealth(doubling('caller { name }'));
    expect({ healthy, status: answer.status, errors: answer.body.errors?.map((e) => e.extensions) }).toEqual({
      healthy: true,
      status: 400,
      errors: [expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY' })],
    });
  }, 60_000);

  it('with a free leaf (`__typename`), answered as the one field it asks for', async () => {
    const { answer, healthy } = await withHealth(doubling('__typename'));
    expect({ healthy, status: answer.status, body: answer.body }).toEqual({ healthy: true, status: 200, body: expect.objectContaining({ data: { __typename: 'Query' } }) });
  }, 60_000);
});

describe('prose of one long run of digits (a summary of 99,000, within the body limit)', () => {
  // Every multi-line text is read for ID numbers to mask before its resolver runs
  // (resolvers/text-inputs.ts); the ID number written in parts was sought from each digit of the
  // run, each try reading the rest of it: seconds per request, and the hub answered no one.
  const OPEN = 'mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code field } } }';

  it('is refused as too long, a few at once, while the hub answers /healthz', async () => {
    const probes = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(99_000));
    const rounds = await inRounds(url, probes, probes.length, (summary) =>
      post(OPEN, { input: { householdId, origin: 'APPLICATION', urgency: 'NORMAL', summary } }, 'CASE_MEETING'),
    );
    expect({ healthFailures: rounds.healthFailures, healthAnswers: rounds.healthAnswers }).toEqual({ healthFailures: [], healthAnswers: probes.length });
    expect(rounds.outcomes.map((o) => o.failure ?? o.answer?.body)).toEqual(
      probes.map(() => expect.objectContaining({ data: { caseOpen: { case: null, userErrors: [{ code: 'TEXT_TOO_LONG', field: ['input', 'summary'] }] } } })),
    );
  }, 180_000);
});
