/**
 * clientAccessLog: the audit trail seen from the asking side. What one API client, or one officer
 * of it (X-Officer), looked at, when and why: only theirs, subjects masked as the other logs show
 * them, paged with the same cursor and checks as accessLog, the look-up itself recorded, and a
 * client outside the auditor's scope refused exactly as a name no client has.
 */
import type mysql from 'mysql2/promise';
import { AuditStore, auditWriterPool } from '../access/audit';
import { accessDrizzle } from '../db/access/db';
import { addDays, todayIso } from '../domain/dates';
import { maskIdNumber } from '../domain/id-number';
import { auditClientRef, auditPages, auditRows, expectRefusedAlike, insertAuditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { EXPLAIN_ROWS } from './support/statements';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let auditor: TestHub['gql'];

const CLIENT = 'clientlog-rencheng-education';
const READ = `query OfficerRead($id: ID!) { household(id: $id) { members { person { name } } } }`;
const LOG = `query ClientLog($c: String!, $o: String, $first: Int, $after: String, $from: Date, $to: Date) {
  clientAccessLog(client: $c, officer: $o, first: $first, after: $after, from: $from, to: $to) {
    edges { node { seq officer subjectKind subjectLabel requestId client { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const rows = (where?: string, params?: unknown[]) => auditRows(dbs, where, params);
const lastSeq = () => lastAuditSeq(dbs);
const clientRef = (name: string) => auditClientRef(dbs, name);
/** Every entry of a client (or officer) the API lists, paging `first` at a time. */
const allPages = (gql: TestHub['gql'], vars: Record<string, unknown>, first: number) => auditPages(gql, LOG, 'clientAccessLog', vars, first);

beforeAll(async () => {
  dbs = await createTestDatabases('audit_client_log');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, client: { name: CLIENT, department: 'EDUCATION', regionScope: '370811', roles: ['READER', 'CASEWORKER'] } });
  // Two officers of the client, one request naming none, and another client of the same county.
  for (const officer of ['jyj-0001', 'jyj-0001', 'jyj-0002', null]) {
    const res = await hub.gql(READ, { id: String(wangId) }, officer ? { 'x-officer': officer } : {});
    expect(res.errors).toBeUndefined();
  }
  const { token: otherToken } = await hub.createClient({ name: 'clientlog-rencheng-civil', regionScope: '370811', roles: ['READER'] });
  expect((await hub.as({ token: otherToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(READ, { id: String(wangId) }, { 'x-officer': 'jyj-0001' })).errors).toBeUndefined();
  const { token } = await hub.createClient({ name: 'clientlog-city-auditor', roles: ['AUDITOR'], regionScope: '370800' });
  auditor = hub.as({ token, purpose: 'AUDIT' }).gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('clientAccessLog', () => {
  it('lists one officer’s look-ups, newest first, and only theirs: not the client’s other officers’, nor another client’s officer of the same name', async () => {
    const expected = await rows('client_name = ? AND officer = ?', [CLIENT, 'jyj-0001']);
    // Two household reads: each a HOUSEHOLD entry and one per member.
    expect(expected.filter((r) => r.subject_kind === 'HOUSEHOLD').length).toBe(2);
    const { seqs, nodes } = await allPages(auditor, { c: CLIENT, o: 'jyj-0001' }, 500);
    expect(seqs).toEqual(expected.map((r) => Number(r.seq)).reverse());
    for (const n of nodes) expect(n).toMatchObject({ officer: 'jyj-0001', client: { name: CLIENT } });
    // Subjects as accessLog shows them: ID numbers masked, households by id.
    const people = nodes.filter((n) => n.subjectKind === 'PERSON').map((n) => n.subjectLabel);
    expect(people).toContain(maskIdNumber(WANG.head));
    expect(JSON.stringify(nodes)).not.toContain(WANG.head);
    expect(nodes.filter((n) => n.subjectKind === 'HOUSEHOLD').map((n) => n.subjectLabel)).toEqual([String(wangId), String(wangId)]);
  });

  it('matches the officer exactly, letter case included, as X-Officer is compared elsewhere (on every engine)', async () => {
    expect((await rows('client_name = ? AND officer = ?', [CLIENT, 'jyj-0001'])).length).toBeGreaterThan(0);
    const upper = await auditor(LOG, { c: CLIENT, o: 'JYJ-0001', first: 500 });
    expect(upper.errors).toBeUndefined();
    expect(upper.data.clientAccessLog.edges).toEqual([]);
  });

  it('lists every entry of the client without an officer, whoever asked, and no other client’s', async () => {
    const expected = await rows('client_name = ?', [CLIENT]);
    const { seqs, nodes } = await allPages(auditor, { c: CLIENT }, 500);
    expect(seqs).toEqual(expected.map((r) => Number(r.seq)).reverse());
    expect(new Set(nodes.map((n) => n.officer))).toEqual(new Set(['jyj-0001', 'jyj-0002', null]));
    expect(new Set(nodes.map((n) => n.client.name))).toEqual(new Set([CLIENT]));
  });

  it('pages with a cursor, a constant number of statements a page', async () => {
    const whole = await allPages(auditor, { c: CLIENT }, 500);
    const paged = await allPages(auditor, { c: CLIENT }, 2);
    expect(paged.pages.length).toBeGreaterThan(2);
    // The look-ups are the auditor's, not the client's: nothing is added to the client's entries as it pages.
    expect(paged.seqs).toEqual(whole.seqs);
    const counts = [...whole.pages, ...paged.pages, ...(await allPages(auditor, { c: CLIENT, o: 'jyj-0001' }, 3)).pages].map((r) => r.extensions?.sqlStatements?.bySource?.HUB);
    // The client by name, one page of entries.
    expect(new Set(counts)).toEqual(new Set([2]));
  });

  it('keeps the entries of the days asked for (China’s days, both included)', async () => {
    const expected = await rows('client_name = ?', [CLIENT]);
    const chinaDay = (r: any) => todayIso(new Date(`${String(r.at).replace(' ', 'T')}Z`));
    const first = chinaDay(expected[0]);
    const last = chinaDay(expected[expected.length - 1]);
    expect((await allPages(auditor, { c: CLIENT, from: first, to: last }, 500)).seqs).toEqual(expected.map((r) => Number(r.seq)).reverse());
    expect((await allPages(auditor, { c: CLIENT, to: addDays(first, -1) }, 500)).seqs).toEqual([]);
    expect((await allPages(auditor, { c: CLIENT, from: addDays(last, 1) }, 500)).seqs).toEqual([]);
  });

  it('is itself recorded: the auditor, purpose AUDIT, the client and officer looked at as subject', async () => {
    const before = await lastSeq();
    const res = await auditor(LOG, { c: CLIENT, o: 'jyj-0002', first: 1 }, { 'x-request-id': 'clientlog-own-look-up' });
    expect(res.errors).toBeUndefined();
    const ref = await clientRef(CLIENT);
    expect(await rows('seq > ?', [before])).toEqual([
      expect.objectContaining({ client_name: 'clientlog-city-auditor', purpose: 'AUDIT', operation: 'ClientLog', subject_kind: 'CLIENT', subject_ref: ref, subject_label: `${CLIENT} officer jyj-0002`, outcome: 'OK', request_id: 'clientlog-own-look-up' }),
    ]);
    // Without an officer, the client alone; an audit of auditors finds both look-ups by the client's reference.
    const mid = await lastSeq();
    expect((await auditor(LOG, { c: CLIENT, first: 1 })).errors).toBeUndefined();
    expect(await rows('seq > ?', [mid])).toEqual([expect.objectContaining({ subject_kind: 'CLIENT', subject_ref: ref, subject_label: CLIENT, outcome: 'OK' })]);
    expect((await rows(`subject_kind = 'CLIENT' AND subject_ref = ? AND seq > ?`, [ref, before])).length).toBe(2);
    // The auditor's own client's entries show it too, as the other subjects show.
    const own = await allPages(auditor, { c: 'clientlog-city-auditor' }, 500);
    expect(own.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ subjectKind: 'CLIENT', subjectLabel: `${CLIENT} officer jyj-0002` })]));
  });

  it('refuses a client outside the auditor’s scope exactly as a name no client has, and records the refusal', async () => {
    const { token: countyToken } = await hub.createClient({ name: 'clientlog-weishan-auditor', roles: ['AUDITOR'], regionScope: '370826' });
    const weishan = hub.as({ token: countyToken, purpose: 'AUDIT' }).gql;
    const { token: renchengToken } = await hub.createClient({ name: 'clientlog-rencheng-auditor', roles: ['AUDITOR'], regionScope: '370811' });
    const rencheng = hub.as({ token: renchengToken, purpose: 'AUDIT' }).gql;
    await hub.createClient({ name: 'clientlog-city-civil', regionScope: '370800', roles: ['READER'] });
    await hub.createClient({ name: 'clientlog-guhuai-office', regionScope: '370811001', roles: ['READER'] });

    const before = await lastSeq();
    const neighbour = await weishan(LOG, { c: CLIENT });
    const unknown = await weishan(LOG, { c: 'clientlog-no-such-client' });
    const city = await rencheng(LOG, { c: 'clientlog-city-civil' });
    expectRefusedAlike([neighbour, unknown, city]);
    // Refused, the client asked for is recorded DENIED under its reference, unnamed: an unknown name reads as one out of scope.
    expect((await rows('seq > ?', [before])).map((r) => [r.client_name, r.subject_kind, r.subject_ref, r.subject_label, r.outcome])).toEqual([
      ['clientlog-weishan-auditor', 'CLIENT', await clientRef(CLIENT), null, 'DENIED'],
      ['clientlog-weishan-auditor', 'CLIENT', await clientRef('clientlog-no-such-client'), null, 'DENIED'],
      ['clientlog-rencheng-auditor', 'CLIENT', await clientRef('clientlog-city-civil'), null, 'DENIED'],
    ]);
    // Within its county: the county's own clients and its townships'.
    for (const c of [CLIENT, 'clientlog-guhuai-office']) expect((await rencheng(LOG, { c })).errors).toBeUndefined();
    // Another role, or another purpose, is refused before the client is looked for.
    const { token: readerToken } = await hub.createClient({ roles: ['READER'], regionScope: '370800' });
    expect((await hub.as({ token: readerToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(LOG, { c: CLIENT })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
  });

  it('finds a client only by its name spelled exactly (names are lower case, hold no space), on every engine, so a look-up found is recorded under that name’s reference', async () => {
    // A unicode_ci column found 'CLIENTLOG-…' on MariaDB and MySQL, not on TiDB; every collation
    // (utf8mb4_bin too) ignores trailing spaces, so 'clientlog-… ' was served the client's entries
    // while recorded under another reference than the client's: a look-up clientAuditLookups missed.
    for (const c of [CLIENT.toUpperCase(), `${CLIENT} `, `${CLIENT}   `, `${CLIENT.toUpperCase()} `]) {
      const before = await lastSeq();
      for (const o of [undefined, 'jyj-0001']) {
        const res = await auditor(LOG, { c, o });
        expect(res.data).toBeNull();
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
      }
      const ref = await clientRef(c);
      expect((await rows('seq > ?', [before])).map((r) => [r.subject_ref, r.subject_label, r.outcome])).toEqual([
        [ref, null, 'DENIED'],
        [ref, null, 'DENIED'],
      ]);
    }
  });

  it('takes an officer with spaces around it as X-Officer does (trimmed), and records the look-up under the officer it served', async () => {
    const before = await lastSeq();
    const padded = await auditor(LOG, { c: CLIENT, o: ' jyj-0001 ', first: 500 });
    expect(padded.errors).toBeUndefined();
    expect(padded.data.clientAccessLog.edges.map((e: any) => e.node.seq)).toEqual((await auditor(LOG, { c: CLIENT, o: 'jyj-0001', first: 500 })).data.clientAccessLog.edges.map((e: any) => e.node.seq));
    expect((await rows(`seq > ? AND subject_kind = 'CLIENT'`, [before])).map((r) => [r.subject_ref, r.subject_label, r.outcome])).toEqual([
      [await clientRef(CLIENT), `${CLIENT} officer jyj-0001`, 'OK'],
      [await clientRef(CLIENT), `${CLIENT} officer jyj-0001`, 'OK'],
    ]);
  });

  it('refuses a bad officer, cursor, page size or window with the codes accessLog and householdAccessLog use', async () => {
    const sameAs = async (vars: Record<string, unknown>) => {
      const mine = await auditor(LOG, { c: CLIENT, ...vars });
      const person = await auditor(`query($n: String!, $first: Int, $after: String, $from: Date, $to: Date) { accessLog(idNumber: $n, first: $first, after: $after, from: $from, to: $to) { edges { cursor } } }`, { n: WANG.head, ...vars });
      expect(mine.errors?.[0].extensions).toEqual(person.errors?.[0].extensions);
      expect(mine.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      return mine.errors![0].extensions;
    };
    expect(await sameAs({ first: 0 })).toMatchObject({ argument: 'first', reason: 'OUT_OF_RANGE' });
    expect(await sameAs({ first: 501 })).toMatchObject({ argument: 'first', reason: 'OUT_OF_RANGE' });
    expect(await sameAs({ after: 'not-a-cursor' })).toMatchObject({ argument: 'after', reason: 'MALFORMED_CURSOR' });
    expect(await sameAs({ from: '2026-03-02', to: '2026-03-01' })).toMatchObject({ argument: 'from', reason: 'EMPTY_WINDOW' });

    // A blank one is refused hub-wide (EMPTY_VALUE), as for every argument.
    for (const o of ['', '   ']) expect((await auditor(LOG, { c: CLIENT, o })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'officer', reason: 'EMPTY_VALUE' });
    // The officer argument takes what X-Officer takes, refused with X-Officer's reasons, never echoed.
    for (const [officer, reason] of [
      ['x'.repeat(65), 'MALFORMED_OFFICER'],
      ['has space', 'MALFORMED_OFFICER'],
      [WANG.head, 'OFFICER_ID_NUMBER'],
      [`staff-${WANG.head}`, 'OFFICER_ID_NUMBER'],
    ]) {
      const res = await auditor(LOG, { c: CLIENT, o: officer });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'officer', reason });
      expect(JSON.stringify(res)).not.toContain(WANG.head);
    }
    // 64 characters, the header's limit, is an officer (one with no entries).
    const longest = await auditor(LOG, { c: CLIENT, o: 'x'.repeat(64) });
    expect(longest.errors).toBeUndefined();
    expect(longest.data.clientAccessLog.edges).toEqual([]);
  });
});

describe('clientAccessLog’s read', () => {
  it('goes through an index, with and without an officer, among many clients’ and officers’ rows', async () => {
    // Rows of two other clients, far above the chain's numbers (the chain is not read here): twenty officers each.
    const at = '2026-03-01 02:00:00.000';
    const values: unknown[][] = [];
    for (let i = 0; i < 20_000; i++) values.push([50_000_000 + i, at, `index-${i}`, 900_001 + (i % 2), 'clientlog-index', 'EDUCATION', '370811', 'GRAPHQL', 'HOUSEHOLD', '1', '1', 'OK', `off-${i % 20}`, '0'.repeat(64), '0'.repeat(64)]);
    await insertAuditRows(dbs, values);
    const statements: { sql: string; params: unknown[] }[] = [];
    const writer = auditWriterPool(dbs.hubUrl);
    try {
      const store = new AuditStore(accessDrizzle(dbs.hubPool, { logQuery: (sql, params) => statements.push({ sql, params }) }), writer);
      const keyOf = async (officer: string | null, before: number | null) => {
        statements.length = 0;
        const page = await store.entriesByClient(900_001, officer, 50, before, { from: '2026-03-01', to: '2026-03-01' });
        expect(page.rows).toHaveLength(50);
        expect(new Set(page.rows.map((r) => r.officer))).toEqual(new Set(officer === null ? ['off-0', 'off-2', 'off-4', 'off-6', 'off-8', 'off-10', 'off-12', 'off-14', 'off-16', 'off-18'] : [officer]));
        expect(statements).toHaveLength(1);
        const [plan] = await dbs.hubPool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${statements[0].sql}`, statements[0].params);
        expect(plan).toHaveLength(1);
        expect(plan[0].Extra ?? '').not.toMatch(/filesort/);
        return plan[0].key;
      };
      expect(await keyOf('off-4', null)).toBe('access_log_client_officer');
      expect(await keyOf('off-4', 50_010_000)).toBe('access_log_client_officer');
      expect(await keyOf(null, null)).toBe('access_log_client');
      expect(await keyOf(null, 50_010_000)).toBe('access_log_client');
    } finally {
      await writer.end();
    }
  });
});
