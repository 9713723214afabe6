/**
 * The households and persons one operation names are bounded over all its fields and aliases
 * (MAX_HOUSEHOLDS_PER_OPERATION, by default MAX_LIST_SIZE: server/query-cost.ts). Each field's own
 * cap (500 ids) and the cost limit let one request of 10 aliases × 500 ids (cost 15,000 selecting
 * `id`) read 5,000 households from the hub and every department and write an audit row for each,
 * holding other clients' answers for seconds (docs/performance.md, Session 39). Such an operation is
 * refused BAD_USER_INPUT, reason QUERY_TOO_COSTLY, with `households` and `maxHouseholds`, before
 * any statement or audit row; one within it is served as before.
 */
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { lastAuditSeq } from './support/audit-trail';
import { insertMany, insertRegions, TODAY } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let ids: string[];

const ALIASES = 10;
const SELECTION = 'id registrationNumber aidSummary { complete }';

/** One operation asking `households(ids:)` once per list, each under an alias of its own. */
function aliased(lists: string[][]): { query: string; variables: Record<string, string[]> } {
  const defs = lists.map((_, a) => `$v${a}: [ID!]!`).join(', ');
  const fields = lists.map((_, a) => `a${a}: households(ids: $v${a}) { ${SELECTION} }`).join(' ');
  return { query: `query(${defs}) { ${fields} }`, variables: Object.fromEntries(lists.map((list, a) => [`v${a}`, list])) };
}

beforeAll(async () => {
  dbs = await createTestDatabases('households_per_operation');
  await insertRegions(dbs);
  ids = (await insertMany(dbs, 60)).ids.map(String);
  hub = await startTestHub(dbs, { today: TODAY });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

it('refuses 10 aliases naming 600 households in all, each within its field’s cap and the cost limit, before any statement or audit row', async () => {
  const { query, variables } = aliased(Array.from({ length: ALIASES }, () => ids));
  const before = await lastAuditSeq(dbs);
  const res = await hub.gql(query, variables);
  expect(res.data ?? null).toBeNull();
  expect(res.errors).toHaveLength(1);
  expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', households: ALIASES * ids.length, maxHouseholds: 500 });
  expect(res.errors![0].extensions!.cost as number).toBeLessThanOrEqual(res.errors![0].extensions!.maxCost as number);
  // Nothing read: not the hub, not a department; nobody put on the audit trail.
  expect(res.extensions?.sqlStatements?.total).toBe(0);
  expect(await lastAuditSeq(dbs)).toBe(before);
});

it('refuses pages of households over the limit in all, and single look-ups beside a full batch', async () => {
  const pages = await hub.gql('{ a: householdsInRegion(code: "370811", first: 300) { edges { node { id } } } b: householdsInRegion(code: "370812", first: 300) { edges { node { id } } } }');
  expect(pages.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', households: 600, maxHouseholds: 500 });
  const full = [...ids, ...Array.from({ length: 500 - ids.length }, (_, i) => String(100_000 + i))];
  const beside = await hub.gql('query($v: [ID!]!) { households(ids: $v) { id } household(id: "1") { id } }', { v: full });
  expect(beside.errors?.[0].extensions).toMatchObject({ reason: 'QUERY_TOO_COSTLY', households: 501 });
  // One field over its own cap is still told its cap (LIST_TOO_LONG, max), not the operation's.
  const over = await hub.gql('query($v: [ID!]!) { households(ids: $v) { id } }', { v: [...full, '100500'] });
  expect(over.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'LIST_TOO_LONG', max: 500 });
});

it('serves an operation within the limit over several aliases, reading and recording its households as before', async () => {
  const lists = Array.from({ length: 8 }, () => ids);
  const { query, variables } = aliased(lists);
  const before = await lastAuditSeq(dbs);
  const res = await hub.gql(query, variables);
  expect(res.errors).toBeUndefined();
  for (let a = 0; a < lists.length; a++) expect(res.data[`a${a}`].map((h: { id: string }) => h.id)).toEqual(ids);
  expect(res.extensions?.sqlStatements?.total).toBeGreaterThan(0);
  expect(await lastAuditSeq(dbs)).toBeGreaterThanOrEqual(before + ids.length);
});
