/**
 * Variables with more refused values than graphql-js answers one by one (it stops at 50): the rest
 * are answered by one more refusal, BAD_USER_INPUT with reason TOO_MANY_REFUSED_VALUES, and nothing
 * is logged at error level. graphql-js's "Too many errors processing variables" had no code: it was
 * answered INTERNAL_SERVER_ERROR beside the fifty refusals, and logged as an unexpected error, which
 * any client could write into the hub's error log at will (a list of sixty misspelt states).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
const logLines: { level: number; msg?: string }[] = [];
beforeAll(async () => {
  dbs = await createTestDatabases('variable_error_limit');
  await insertRegions(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, logger: pino({ level: 'debug' }, sink), client: { name: 'limit-test', department: 'EDUCATION', regionScope: '370811', roles: ['READER', 'REFERRAL_HANDLER'] } });
});
afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

const QUERY = 'query($s: [ReferralState!]) { referralsToOffice(office: { department: EDUCATION }, states: $s) { id } }';

async function post(states: unknown[]): Promise<{ status: number; body: { errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { ...hub.authHeaders, 'content-type': 'application/json', 'x-purpose': 'REFERRAL' },
    body: JSON.stringify({ query: QUERY, variables: { s: states } }),
  });
  return { status: res.status, body: (await res.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

it('sixty refused values: fifty answered by path, the rest by one refusal with a stable reason, none logged as an error', async () => {
  const res = await post(Array.from({ length: 60 }, (_, i) => `NOPE${i}`));
  expect(res.status).toBe(400);
  const errors = res.body.errors!;
  expect(errors.map((e) => e.extensions?.code)).toEqual(Array(errors.length).fill('BAD_USER_INPUT'));
  expect(errors.slice(0, -1).map((e) => e.extensions?.argument)).toEqual(Array.from({ length: 50 }, (_, i) => `$s[${i}]`));
  expect(errors.at(-1)).toEqual({
    message: 'More variable values were refused than are answered one by one (50): the others were not checked; correct these and send again',
    extensions: { code: 'BAD_USER_INPUT', reason: 'TOO_MANY_REFUSED_VALUES', max: 50 },
  });
  expect(logLines.filter((l) => l.level >= 50)).toEqual([]);
});

it('fifty refused values are all answered by path, with no refusal beside them', async () => {
  const res = await post(Array.from({ length: 50 }, () => 'NOPE'));
  expect(res.body.errors!.map((e) => e.extensions?.reason)).toEqual(Array(50).fill('UNKNOWN_ENUM_VALUE'));
});
