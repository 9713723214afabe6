/**
 * clientAuditLookups: the audit of auditors. Who looked up one API client's trail (clientAccessLog,
 * and clientAuditLookups itself), when, as which client and officer, whether they were refused, and
 * the request: through the API, paged like the other audit reads, the client held to the auditor's
 * scope as clientAccessLog holds it, and the look-up itself recorded (and listed).
 */
import type mysql from 'mysql2/promise';
import { AuditStore, auditWriterPool } from '../access/audit';
import type { ClientSubject } from '../access/policy';
import { accessDrizzle } from '../db/access/db';
import { addDays, todayIso } from '../domain/dates';
import { auditClientRef, auditPages, auditRows, expectRefusedAlike, insertAuditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { EXPLAIN_ROWS } from './support/statements';

let dbs: TestDatabases;
let hub: TestHub;
let city: TestHub['gql'];
let rencheng: TestHub['gql'];
let weishan: TestHub['gql'];

/** The client whose look-ups are audited (任城区 education), and another of the same county. */
const CLIENT = 'lookups-rencheng-education';
const OTHER = 'lookups-rencheng-civil';
const TRAIL = `query Trail($c: String!, $o: String) { clientAccessLog(client: $c, officer: $o) { edges { cursor } } }`;
const LOOKUPS = `query Lookups($c: String!, $first: Int, $after: String, $from: Date, $to: Date) {
  clientAuditLookups(client: $c, first: $first, after: $after, from: $from, to: $to) {
    edges { node { seq at officer purpose subjectKind subjectLabel outcome requestId client { name regionScope } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

// Checked by tsc, not jest: a read of a client's look-ups names no officer, and its audit subject's
// type refuses one (access/policy.ts), which the audit label (access/audit.ts) would silently drop.
// @ts-expect-error officer is null when the look-ups are read
const LOOKUPS_WITH_OFFICER: ClientSubject = { kind: 'CLIENT', name: CLIENT, found: true, read: 'LOOKUPS', officer: 'rc-0001' };
void LOOKUPS_WITH_OFFICER;

const rows = (where?: string, params?: unknown[]) => auditRows(dbs, where, params);
const lastSeq = () => lastAuditSeq(dbs);
const clientRef = (name: string) => auditClientRef(dbs, name);
/** The rows recorded about client `name`, newest first, as the API should list them. */
async function rowsAbout(name: string, where = '1=1', params: unknown[] = []): Promise<any[]> {
  return (await rows(`subject_kind = 'CLIENT' AND subject_ref = ? AND ${where}`, [await clientRef(name), ...params])).reverse();
}

/** Every look-up of a client the API lists, paging `first` at a time. */
const allPages = (gql: TestHub['gql'], vars: Record<string, unknown>, first: number) => auditPages(gql, LOOKUPS, 'clientAuditLookups', vars, first);

beforeAll(async () => {
  dbs = await createTestDatabases('audit_client_lookups');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, client: { name: CLIENT, department: 'EDUCATION', regionScope: '370811', roles: ['READER'] } });
  await hub.createClient({ name: OTHER, regionScope: '370811', roles: ['READER'] });
  const auditorOf = async (name: string, regionScope: string) => hub.as({ token: (await hub.createClient({ name, roles: ['AUDITOR'], regionScope })).token, purpose: 'AUDIT' }).gql;
  city = await auditorOf('lookups-city-auditor', '370800');
  rencheng = await auditorOf('lookups-rencheng-auditor', '370811');
  weishan = await auditorOf('lookups-weishan-auditor', '370826');

  // Look-ups of CLIENT's trail: the city auditor's officer sj-0007 with and without an officer asked
  // about, the county's auditor, and a neighbouring county's auditor refused; one of OTHER's trail.
  expect((await city(TRAIL, { c: CLIENT, o: 'jyj-0001' }, { 'x-officer': 'sj-0007', 'x-request-id': 'lookups-city-1' })).errors).toBeUndefined();
  expect((await city(TRAIL, { c: CLIENT }, { 'x-officer': 'sj-0007' })).errors).toBeUndefined();
  expect((await rencheng(TRAIL, { c: CLIENT })).errors).toBeUndefined();
  expect((await weishan(TRAIL, { c: CLIENT }, { 'x-officer': 'ws-0003', 'x-request-id': 'lookups-weishan-refused' })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
  expect((await city(TRAIL, { c: OTHER })).errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('clientAuditLookups', () => {
  it('lists every look-up of the client’s trail, newest first: when, which auditor and officer, what was read, refused ones too, and the request', async () => {
    const expected = await rowsAbout(CLIENT);
    expect(expected.length).toBe(4);
    const { nodes } = await allPages(city, { c: CLIENT }, 500);
    expect(nodes.map((n) => Number(n.seq))).toEqual(expected.map((r) => Number(r.seq)));
    expect(nodes.map((n) => [n.client.name, n.officer, n.purpose, n.subjectKind, n.subjectLabel, n.outcome])).toEqual([
      ['lookups-weishan-auditor', 'ws-0003', 'AUDIT', 'CLIENT', null, 'DENIED'],
      ['lookups-rencheng-auditor', null, 'AUDIT', 'CLIENT', CLIENT, 'OK'],
      ['lookups-city-auditor', 'sj-0007', 'AUDIT', 'CLIENT', CLIENT, 'OK'],
      ['lookups-city-auditor', 'sj-0007', 'AUDIT', 'CLIENT', `${CLIENT} officer jyj-0001`, 'OK'],
    ]);
    expect(nodes[0]).toMatchObject({ requestId: 'lookups-weishan-refused', client: { regionScope: '370826' } });
    expect(nodes[3].requestId).toBe('lookups-city-1');
    expect(nodes.map((n) => n.requestId)).toEqual(expected.map((r) => r.request_id));
    expect(nodes.map((n) => new Date(n.at).getTime())).toEqual(expected.map((r) => new Date(`${String(r.at).replace(' ', 'T')}Z`).getTime()));
  });

  it('is itself recorded (subject CLIENT, label “<client> look-ups”), and listed by the next look-up', async () => {
    const before = await lastSeq();
    const res = await rencheng(LOOKUPS, { c: CLIENT, first: 1 }, { 'x-officer': 'rc-0001', 'x-request-id': 'lookups-own' });
    expect(res.errors).toBeUndefined();
    expect(await rows('seq > ?', [before])).toEqual([
      expect.objectContaining({ client_name: 'lookups-rencheng-auditor', officer: 'rc-0001', purpose: 'AUDIT', subject_kind: 'CLIENT', subject_ref: await clientRef(CLIENT), subject_label: `${CLIENT} look-ups`, outcome: 'OK', request_id: 'lookups-own' }),
    ]);
    const next = await rencheng(LOOKUPS, { c: CLIENT, first: 1 });
    expect(next.data.clientAuditLookups.edges[0].node).toMatchObject({ requestId: 'lookups-own', officer: 'rc-0001', subjectLabel: `${CLIENT} look-ups`, outcome: 'OK' });
  });

  it('lists only that client’s look-ups, not another client’s of the same county', async () => {
    const expected = await rowsAbout(OTHER);
    const { nodes } = await allPages(city, { c: OTHER }, 500);
    expect(nodes.map((n) => Number(n.seq))).toEqual(expected.map((r) => Number(r.seq)));
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(n.subjectLabel).toMatch(new RegExp(`^${OTHER}( look-ups)?$`));
    const other = new Set(nodes.map((n) => n.seq));
    for (const n of (await allPages(city, { c: CLIENT }, 500)).nodes) expect(other.has(n.seq)).toBe(false);
  });

  it('pages with a cursor, two statements a page, unmoved by the look-ups its own pages add', async () => {
    const before = await lastSeq();
    const whole = await allPages(city, { c: CLIENT }, 500);
    const paged = await allPages(city, { c: CLIENT }, 2);
    expect(paged.pages.length).toBeGreaterThan(2);
    // Each page is recorded as it is read, after the first page's newest entry: later pages are unmoved by it.
    expect(paged.seqs).toEqual([Number(before) + 1, ...whole.seqs]);
    expect(new Set(paged.seqs).size).toBe(paged.seqs.length);
    // The client by name; one page of entries.
    expect(new Set([...whole.pages, ...paged.pages].map((r) => r.extensions?.sqlStatements?.bySource?.HUB))).toEqual(new Set([2]));
  });

  it('keeps the look-ups of the days asked for (China’s days, both included)', async () => {
    const expected = await rowsAbout(CLIENT);
    const chinaDay = (r: any) => todayIso(new Date(`${String(r.at).replace(' ', 'T')}Z`));
    const newest = chinaDay(expected[0]);
    const oldest = chinaDay(expected[expected.length - 1]);
    // The request reads before it is recorded: the page is what was there when it began.
    expect((await allPages(city, { c: CLIENT, from: oldest, to: newest }, 500)).seqs).toEqual(expected.map((r) => Number(r.seq)));
    expect((await allPages(city, { c: CLIENT, to: addDays(oldest, -1) }, 500)).seqs).toEqual([]);
    expect((await allPages(city, { c: CLIENT, from: addDays(newest, 1) }, 500)).seqs).toEqual([]);
  });

  it('refuses a client outside the auditor’s scope exactly as a name no client has, or one not spelled exactly, and records each refusal', async () => {
    const before = await lastSeq();
    const neighbour = await weishan(LOOKUPS, { c: CLIENT });
    const unknown = await weishan(LOOKUPS, { c: 'lookups-no-such-client' });
    const upper = await city(LOOKUPS, { c: CLIENT.toUpperCase() });
    // Every collation ignores trailing spaces (PAD SPACE, utf8mb4_bin too): the name is compared as stored.
    const padded = await city(LOOKUPS, { c: `${CLIENT} ` });
    expectRefusedAlike([neighbour, unknown, upper, padded]);
    expect((await rows('seq > ?', [before])).map((r) => [r.client_name, r.subject_kind, r.subject_ref, r.subject_label, r.outcome])).toEqual([
      ['lookups-weishan-auditor', 'CLIENT', await clientRef(CLIENT), null, 'DENIED'],
      ['lookups-weishan-auditor', 'CLIENT', await clientRef('lookups-no-such-client'), null, 'DENIED'],
      ['lookups-city-auditor', 'CLIENT', await clientRef(CLIENT.toUpperCase()), null, 'DENIED'],
      ['lookups-city-auditor', 'CLIENT', await clientRef(`${CLIENT} `), null, 'DENIED'],
    ]);
    // The neighbour's refused attempt is among the client's look-ups an auditor in scope reads.
    const listed = (await allPages(rencheng, { c: CLIENT }, 500)).nodes;
    expect(listed[0]).toMatchObject({ seq: String(before + 1), client: { name: 'lookups-weishan-auditor' }, outcome: 'DENIED', subjectLabel: null });
    // A county auditor is refused the city's own clients, and reads its county's.
    expect((await rencheng(LOOKUPS, { c: 'lookups-city-auditor' })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    expect((await rencheng(LOOKUPS, { c: OTHER })).errors).toBeUndefined();
  });

  it('refuses a client that is no auditor, or another purpose, before the client is looked for', async () => {
    const before = await lastSeq();
    const { token } = await hub.createClient({ roles: ['READER'], regionScope: '370800' });
    const reader = await hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' }).gql(LOOKUPS, { c: CLIENT });
    expect(reader.data).toBeNull();
    expect(reader.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
    // Refused before the resolver: the request is on record, but as no look-up of the client.
    expect((await rows(`seq > ? AND subject_kind = 'CLIENT'`, [before])).length).toBe(0);
    expect((await rows('seq > ?', [before])).map((r) => r.outcome)).toEqual(['DENIED']);
  });

  it('refuses a bad cursor, page size or window with the codes accessLog uses', async () => {
    for (const [vars, argument, reason] of [
      [{ first: 0 }, 'first', 'OUT_OF_RANGE'],
      [{ first: 501 }, 'first', 'OUT_OF_RANGE'],
      [{ after: 'not-a-cursor' }, 'after', 'MALFORMED_CURSOR'],
      [{ from: '2026-03-02', to: '2026-03-01' }, 'from', 'EMPTY_WINDOW'],
    ] as const) {
      const mine = await city(LOOKUPS, { c: CLIENT, ...vars });
      const person = await city(`query($n: String!, $first: Int, $after: String, $from: Date, $to: Date) { accessLog(idNumber: $n, first: $first, after: $after, from: $from, to: $to) { edges { cursor } } }`, { n: WANG.head, ...vars });
      expect(mine.errors?.[0].extensions).toEqual(person.errors?.[0].extensions);
      expect(mine.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument, reason });
    }
  });
});

describe('clientAuditLookups’ read', () => {
  it('goes through access_log_subject, newest first without a sort, among many other subjects’ rows', async () => {
    // Rows far above the chain's numbers (the chain is not read here): look-ups of twenty clients and many people.
    const at = '2026-03-01 02:00:00.000';
    const values: unknown[][] = [];
    const refs = await Promise.all(Array.from({ length: 20 }, (_, i) => clientRef(`lookups-index-${i}`)));
    for (let i = 0; i < 20_000; i++) {
      const client = i % 4 === 0;
      values.push([60_000_000 + i, at, `lookups-index-${i}`, 900_001, 'lookups-index', 'CIVIL_AFFAIRS', '370800', 'GRAPHQL', client ? 'CLIENT' : 'PERSON', client ? refs[(i / 4) % 20] : `p-${i}`, null, 'OK', null, '0'.repeat(64), '0'.repeat(64)]);
    }
    await insertAuditRows(dbs, values);
    const statements: { sql: string; params: unknown[] }[] = [];
    const writer = auditWriterPool(dbs.hubUrl);
    try {
      const store = new AuditStore(accessDrizzle(dbs.hubPool, { logQuery: (sql, params) => statements.push({ sql, params }) }), writer);
      await store.init();
      for (const before of [null, 60_010_000]) {
        statements.length = 0;
        const page = await store.lookupsOfClient('lookups-index-4', 50, before, { from: '2026-03-01', to: '2026-03-01' });
        expect(page.rows).toHaveLength(50);
        expect(new Set(page.rows.map((r) => r.subjectRef))).toEqual(new Set([refs[4]]));
        expect(statements).toHaveLength(1);
        const [plan] = await dbs.hubPool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${statements[0].sql}`, statements[0].params);
        expect(plan).toHaveLength(1);
        expect(plan[0].key).toBe('access_log_subject');
        expect(plan[0].Extra ?? '').not.toMatch(/filesort/);
      }
    } finally {
      await writer.end();
    }
  });
});
