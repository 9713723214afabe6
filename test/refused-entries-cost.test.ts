/**
 * A refused entry of `households(ids:)` (an id the hub does not hold, or one outside the caller's
 * county) is an expected answer, and costs no stack trace (access/errors.ts expectedError,
 * access/enforce.ts entryErrors): 5,000 of them in one request spent about half of its CPU capturing
 * stacks and formatting them through tsx's source maps (docs/performance.md, Session 38). The
 * answers and audit rows are exactly what they were: the whole answer and the rows of a request of
 * mixed ids are compared with those recorded before the change.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { insertRegions, insertWang, insertZhao, TODAY, WANG } from './support/scenarios';
import { maskIdNumber } from '../domain/id-number';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;
let county: { gql: TestHub['gql']; headers: Record<string, string> };

beforeAll(async () => {
  dbs = await createTestDatabases('refused_entries_cost');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  hub = await startTestHub(dbs, { today: TODAY });
  const { token } = await hub.createClient({ name: 'refused-entries-county', department: 'CIVIL_AFFAIRS', roles: ['READER'], regionScope: '370811' });
  county = hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

/** The hub's answer as sent: its bytes, not a parse of them. */
async function rawAnswer(query: string, variables: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...county.headers }, body: JSON.stringify({ query, variables }) });
  return res.text();
}

/**
 * Stack traces captured with frames (Error.captureStackTrace while Error.stackTraceLimit > 0; every
 * GraphQLError calls it) and formatted (Error.prepareStackTrace: a `.stack` read) while `run` runs.
 */
async function stacksDuring<T>(run: () => Promise<T>): Promise<{ result: T; captured: number; formatted: number }> {
  const counts = { captured: 0, formatted: 0 };
  const capture = Error.captureStackTrace;
  const prepare = Error.prepareStackTrace;
  Error.captureStackTrace = function (this: unknown, ...args: Parameters<typeof capture>) {
    if (Error.stackTraceLimit > 0) counts.captured += 1;
    return capture.apply(this, args);
  } as typeof capture;
  Error.prepareStackTrace = (error, frames) => {
    counts.formatted += 1;
    return prepare ? prepare(error, frames) : `${String(error)}${frames.map((f) => `\n    at ${String(f)}`).join('')}`;
  };
  try {
    return { result: await run(), ...counts };
  } finally {
    Error.captureStackTrace = capture;
    Error.prepareStackTrace = prepare;
  }
}

describe('households(ids:) refusing entries', () => {
  it('answers a request of mixed ids, and audits it, exactly as before', async () => {
    const before = await lastAuditSeq(dbs);
    const query = `query Mixed($ids: [ID!]!, $one: ID!) {
  a: households(ids: $ids) { id registrationNumber }
  b: households(ids: $ids) { members { person { gender } } }
  household(id: $one) { id }
}`;
    const ids = [String(wangId), '999999', String(zhaoId), String(wangId), '999998'];
    const answer = await rawAnswer(query, { ids, one: String(zhaoId) });
    // Recorded before the change (main at the start of session 38), ids 1 (王) and 2 (赵).
    expect({ wangId, zhaoId }).toEqual({ wangId: 1, zhaoId: 2 });
    expect(answer).toBe(RECORDED_ANSWER);
    const written = await auditRows(dbs, 'seq > ?', [before]);
    // A person's subject_ref is keyed afresh each run: the person rows are compared by their masked ID number.
    const rows = written.map((r) => [r.subject_kind, r.subject_kind === 'PERSON' ? 'PERSON_REF' : r.subject_ref, r.outcome, r.operation, r.root_fields]);
    expect(rows).toEqual(RECORDED_AUDIT);
    const labels = written.filter((r) => r.subject_kind === 'PERSON').map((r) => r.subject_label);
    expect(labels.sort()).toEqual([WANG.head, WANG.spouse, WANG.child, WANG.grandmother].map(maskIdNumber).sort());
  });

  it('captures and formats no stack trace for each of 500 refused entries', async () => {
    const unknown = Array.from({ length: 500 }, (_, i) => String(900_000 + i));
    const { result, captured, formatted } = await stacksDuring(() => county.gql(`query($ids: [ID!]!) { households(ids: $ids) { id } }`, { ids: unknown }));
    // Each entry refused as one outside the caller's scope, in order.
    expect(result.errors?.length).toBe(500);
    expect(result.errors?.every((e, i) => e.extensions?.reason === 'OUT_OF_SCOPE' && e.path?.[1] === i)).toBe(true);
    // A constant, not one (or two) an entry: before the change, 500 captured and 1,000 formatted.
    expect({ captured: captured < 20, formatted: formatted < 20 }).toEqual({ captured: true, formatted: true });
  });

  it('nor for 500 entries of households outside the caller’s county', async () => {
    const outside = Array.from({ length: 500 }, () => String(zhaoId));
    const { result, captured, formatted } = await stacksDuring(() => county.gql(`query($ids: [ID!]!) { households(ids: $ids) { id } }`, { ids: outside }));
    expect(result.errors?.length).toBe(500);
    expect(result.errors?.every((e, i) => e.extensions?.reason === 'OUT_OF_SCOPE' && e.path?.[1] === i)).toBe(true);
    expect({ captured: captured < 20, formatted: formatted < 20 }).toEqual({ captured: true, formatted: true });
  });
});

const RECORDED_ANSWER =
  "{\"errors\":[{\"message\":\"Query.household: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":4,\"column\":3}],\"path\":[\"household\"],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}},{\"message\":\"Query.households: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":2,\"column\":3}],\"path\":[\"a\",1],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}},{\"message\":\"Query.households: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":2,\"column\":3}],\"path\":[\"a\",2],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}},{\"message\":\"Query.households: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":2,\"column\":3}],\"path\":[\"a\",4],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}},{\"message\":\"Query.households: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":3,\"column\":3}],\"path\":[\"b\",1],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}},{\"message\":\"Query.households: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":3,\"column\":3}],\"path\":[\"b\",2],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}},{\"message\":\"Query.households: not in this client’s region scope (whether the hub holds it elsewhere is not said), and the stated purpose does not allow a look-up there\",\"locations\":[{\"line\":3,\"column\":3}],\"path\":[\"b\",4],\"extensions\":{\"code\":\"FORBIDDEN\",\"reason\":\"OUT_OF_SCOPE\"}}],\"data\":{\"a\":[{\"id\":\"1\",\"registrationNumber\":\"RC-0001\"},null,null,{\"id\":\"1\",\"registrationNumber\":\"RC-0001\"},null],\"b\":[{\"members\":[{\"person\":{\"gender\":\"MALE\"}},{\"person\":{\"gender\":\"FEMALE\"}},{\"person\":{\"gender\":\"FEMALE\"}},{\"person\":{\"gender\":\"MALE\"}}]},null,null,{\"members\":[{\"person\":{\"gender\":\"MALE\"}},{\"person\":{\"gender\":\"FEMALE\"}},{\"person\":{\"gender\":\"FEMALE\"}},{\"person\":{\"gender\":\"MALE\"}}]},null],\"household\":null}}\n";
const RECORDED_AUDIT = [
  ["HOUSEHOLD", "1", "PARTIAL", "Mixed", "Query.households, Query.household"],
  ["HOUSEHOLD", "999999", "DENIED", "Mixed", "Query.households, Query.household"],
  ["HOUSEHOLD", "2", "DENIED", "Mixed", "Query.households, Query.household"],
  ["HOUSEHOLD", "999998", "DENIED", "Mixed", "Query.households, Query.household"],
  ["PERSON", "PERSON_REF", "PARTIAL", "Mixed", "Query.households, Query.household"],
  ["PERSON", "PERSON_REF", "PARTIAL", "Mixed", "Query.households, Query.household"],
  ["PERSON", "PERSON_REF", "PARTIAL", "Mixed", "Query.households, Query.household"],
  ["PERSON", "PERSON_REF", "PARTIAL", "Mixed", "Query.households, Query.household"],
];
