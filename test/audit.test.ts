/**
 * The audit trail: one row per subject per access whatever the outcome, pseudonymised subjects,
 * accessLog for auditors, the hash chain and its verifier, and no data when the row cannot be
 * written.
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AuditStore, auditWriterPool, GENESIS_HASH, rowHash, verifyChain, type AccessRecord } from '../access/audit';
import { addDays, todayIso } from '../domain/dates';
import { maskIdNumber } from '../domain/id-number';
import { auditVerifyCommand } from '../tools/audit-verify';
import { auditRows, auditRowValues, lastAuditSeq, rewriteAuditRowRecomputing } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, insertZhao, TODAY, WANG, ZHAO } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let zhaoId: number;
const logLines: string[] = [];

const rows = (where?: string, params?: unknown[]) => auditRows(dbs, where, params);
const lastSeq = () => lastAuditSeq(dbs);

beforeAll(async () => {
  dbs = await createTestDatabases('audit');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  zhaoId = await insertZhao(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, logger: pino({ level: 'debug' }, sink), client: { name: 'audit-test-reader', regionScope: '370811' } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('rows per access', () => {
  it('writes one row per subject with caller, purpose, case reference, operation and outcome', async () => {
    const before = await lastSeq();
    const res = await hub.as({ purpose: 'CASE_MEETING', caseReference: 'RC-2026-0042' }).gql(
      `query WangDossier($id: ID!) { household(id: $id) { address members { person { idNumber name } } aid { beneficiary { idNumber } } } }`,
      { id: String(wangId) },
    );
    expect(res.errors).toBeUndefined();
    // Members reached again as their aid's beneficiaries are still one subject each: one row.
    expect(res.data.household.aid.filter((a: any) => a.beneficiary !== null).length).toBeGreaterThan(0);
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => r.subject_kind).sort()).toEqual(['HOUSEHOLD', 'PERSON', 'PERSON', 'PERSON', 'PERSON']);
    for (const r of written) {
      expect(r).toMatchObject({
        client_name: 'audit-test-reader',
        department: 'CIVIL_AFFAIRS',
        region_scope: '370811',
        purpose: 'CASE_MEETING',
        case_reference: 'RC-2026-0042',
        channel: 'GRAPHQL',
        operation: 'WangDossier',
        outcome: 'OK',
      });
      expect(r.operation_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(written.map((r) => r.request_id)).size).toBe(1);
    const household = written.find((r) => r.subject_kind === 'HOUSEHOLD');
    expect(household.subject_ref).toBe(String(wangId));
    const labels = written.filter((r) => r.subject_kind === 'PERSON').map((r) => r.subject_label).sort();
    expect(labels).toEqual([WANG.head, WANG.spouse, WANG.child, WANG.grandmother].map(maskIdNumber).sort());
  });

  it('stores no ID number or name in clear anywhere in the trail', async () => {
    const all = JSON.stringify(await rows());
    for (const id of [WANG.head, WANG.spouse, WANG.child, WANG.grandmother, ZHAO.head]) expect(all).not.toContain(id);
    for (const name of ['王建国', '李秀兰', '王小明', '张桂英', '赵强']) expect(all).not.toContain(name);
  });

  it('records a refused access to the subject it named, as DENIED', async () => {
    const before = await lastSeq();
    // 微山县 is outside 任城区, and a look-up by hub id is never allowed out of scope.
    const res = await hub.gql(`query($id: ID!) { household(id: $id) { address } }`, { id: String(zhaoId) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    const written = await rows('seq > ?', [before]);
    expect(written).toEqual([expect.objectContaining({ subject_kind: 'HOUSEHOLD', subject_ref: String(zhaoId), outcome: 'DENIED' })]);
  });

  it('records a call refused for its purpose, naming the person asked for', async () => {
    const before = await lastSeq();
    const res = await hub.as({ purpose: null }).gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: WANG.head });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' });
    expect(res.data?.person).toBeNull();
    expect(await rows('seq > ?', [before])).toEqual([expect.objectContaining({ subject_kind: 'PERSON', subject_label: maskIdNumber(WANG.head), outcome: 'DENIED', purpose: null })]);
  });

  it('records a look-up that found nobody, and an access with no subject', async () => {
    // A city-wide caller, outside whose scope the hub holds nobody, is told nobody was found (null).
    const city = await hub.createClient({ name: 'audit-test-city', department: 'CIVIL_AFFAIRS', regionScope: '370800', roles: ['READER'] });
    const before = await lastSeq();
    const found = await hub.as({ token: city.token }).gql(`{ person(idNumber: "11010519491231002X") { name } }`);
    expect(found.errors).toBeUndefined();
    await hub.gql(`{ caller { name } }`);
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => [r.subject_kind, r.outcome])).toEqual([
      ['PERSON', 'OK'],
      ['NONE', 'OK'],
    ]);
  });

  it('records a households(ids) entry refused for an id the hub does not hold as refused, and the households served as served (PARTIAL: the answer carries the refusal)', async () => {
    const before = await lastSeq();
    const res = await hub.gql(`query($ids: [ID!]!) { households(ids: $ids) { id } }`, { ids: [String(wangId), '999999'] });
    expect(res.data?.households?.[0]).toEqual({ id: String(wangId) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    const written = await rows('seq > ? AND subject_kind = ?', [before, 'HOUSEHOLD']);
    expect(written.map((r) => [r.subject_label, r.outcome]).sort()).toEqual([
      [String(wangId), 'PARTIAL'],
      ['999999', 'DENIED'],
    ]);
  });

  it('records the same look-up by a county caller as refused, as one outside its scope is', async () => {
    const before = await lastSeq();
    const res = await hub.gql(`{ person(idNumber: "11010519491231002X") { name } }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => [r.subject_kind, r.outcome])).toEqual([['PERSON', 'DENIED']]);
  });

  it('writes no row for a request that never ran (it read nothing)', async () => {
    const before = await lastSeq();
    const res = await hub.gql(`{ household(id: "1") { nosuchfield } }`);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await lastSeq()).toBe(before);
  });

  it('keeps the chain whole under concurrent requests', async () => {
    const before = await lastSeq();
    await Promise.all(Array.from({ length: 25 }, () => hub.gql(`query($n: String!) { person(idNumber: $n) { age } }`, { n: WANG.child })));
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => Number(r.seq))).toEqual(Array.from({ length: 25 }, (_, i) => before + i + 1));
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });
});

describe('group commit', () => {
  const stores: AuditStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  const caller = { clientId: 1, name: 'group-commit-test', department: 'CIVIL_AFFAIRS', regionScope: '370811', roles: ['READER'] } as unknown as AccessRecord['caller'];
  const access = (i: number, subjects: number, overrides: Partial<AccessRecord> = {}): AccessRecord => ({
    requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    caller,
    purpose: 'ELIGIBILITY_REVIEW',
    caseReference: null,
    officer: null,
    channel: 'GRAPHQL',
    operation: `op${i}`,
    operationHash: null,
    subjects: Array.from({ length: subjects }, (_, k) => ({ subject: { kind: 'HOUSEHOLD' as const, householdId: i * 100 + k }, outcome: 'OK' as const })),
    outcome: 'OK',
    ...overrides,
  });

  it('writes accesses that arrive together in one transaction, each access’s rows together and in order', async () => {
    const store = new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl));
    stores.push(store);
    await store.init();
    const before = await lastSeq();
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(access(i, 1 + (i % 3)))));
    // The first access starts a write at once; the 39 that arrive meanwhile share the next one.
    expect(store.stats).toEqual({ transactions: 2, accesses: 40 });
    const written = await rows('seq > ? AND client_name = ?', [before, 'group-commit-test']);
    expect(written).toHaveLength(14 * 1 + 13 * 2 + 13 * 3);
    expect(written.map((r) => Number(r.seq))).toEqual(Array.from({ length: written.length }, (_, i) => before + i + 1));
    expect(written.map((r) => r.operation)).toEqual(Array.from({ length: 40 }, (_, i) => Array(1 + (i % 3)).fill(`op${i}`)).flat());
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('refuses only the access that cannot be written; the others in its batch are written', async () => {
    const store = new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl));
    stores.push(store);
    await store.init();
    const before = await lastSeq();
    const tooLong = { ...caller, name: 'x'.repeat(65) };
    const outcomes = await Promise.allSettled([
      store.append(access(900, 1)),
      store.append(access(901, 2)),
      store.append(access(902, 1, { caller: tooLong })),
      store.append(access(903, 1)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'AuditUnavailable' });
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => r.operation)).toEqual(['op900', 'op901', 'op901', 'op903']);
    expect(written.map((r) => Number(r.seq))).toEqual([before + 1, before + 2, before + 3, before + 4]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });
  it('keeps one chain when two hub processes append at once', async () => {
    const [a, b] = [new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl)), new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl))];
    stores.push(a, b);
    await Promise.all([a.init(), b.init()]);
    const before = await lastSeq();
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).append(access(500 + i, 2))));
    const written = await rows('seq > ? AND client_name = ?', [before, 'group-commit-test']);
    expect(written).toHaveLength(60);
    // Each access's two rows are next to each other, whichever process wrote it.
    for (let i = 0; i < written.length; i += 2) expect(written[i].request_id).toBe(written[i + 1].request_id);
    expect(new Set(written.map((r) => r.request_id)).size).toBe(30);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('takes the chain head while a request reads: its rows are committed when append resolves, in one transaction', async () => {
    const store = new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl));
    stores.push(store);
    await store.init();
    const before = await lastSeq();
    store.expect();
    // The request reads its data meanwhile; then appends.
    await new Promise((r) => setTimeout(r, 50));
    await store.append(access(800, 3), true);
    expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op800', 'op800', 'op800']);
    expect(store.stats).toEqual({ transactions: 1, accesses: 1 });
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('lets a head taken ahead go when no rows come, so another process can append', async () => {
    const [a, b] = [new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl)), new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl))];
    stores.push(a, b);
    await Promise.all([a.init(), b.init()]);
    const before = await lastSeq();
    a.expect();
    // b waits for a's lock, which a lets go of (no append came), then writes.
    await b.append(access(810, 1));
    // a's next access still writes, after b's.
    a.expect();
    await a.append(access(811, 1), true);
    expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op810', 'op811']);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('keeps one chain when two processes take the head ahead for concurrent requests', async () => {
    const [a, b] = [new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl)), new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl))];
    stores.push(a, b);
    await Promise.all([a.init(), b.init()]);
    const before = await lastSeq();
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const store = i % 2 === 0 ? a : b;
        store.expect();
        await new Promise((r) => setTimeout(r, i * 3));
        await store.append(access(820 + i, 2), true);
      }),
    );
    const written = await rows('seq > ?', [before]);
    expect(written).toHaveLength(40);
    expect(new Set(written.map((r) => r.request_id)).size).toBe(20);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  /** A writer pool whose connections note each round trip they send (the statements of one `query`): what AuditStore uses of a pool. */
  const countingWriter = () => {
    const pool = auditWriterPool(dbs.hubUrl);
    const sent: string[] = [];
    const counting = {
      async getConnection() {
        const conn = await pool.getConnection();
        // The connection and the pool are proxies of db/connect.ts: wrapped, not patched.
        return {
          query: (sql: string, values?: Parameters<typeof conn.query>[1]) => (sent.push(sql), conn.query(sql, values)),
          release: () => conn.release(),
          destroy: () => conn.destroy(),
          // The driver's connection, whose events tell of its loss (AuditStore watches them).
          connection: (conn as unknown as { connection: unknown }).connection,
        };
      },
      end: () => pool.end(),
    };
    return { pool: counting as unknown as ReturnType<typeof auditWriterPool>, sent };
  };

  it('locks the next head in the round trip of the write an access is queued behind: that access is written in one round trip more, not two', async () => {
    const { pool, sent } = countingWriter();
    const store = new AuditStore(hub.accessDb, pool);
    stores.push(store);
    await store.init();
    const before = await lastSeq();
    // The first access starts a write at once; the second is queued behind it.
    await Promise.all([store.append(access(830, 1)), store.append(access(831, 2))]);
    // Lock; insert, commit and the next head's lock; insert and commit (the first lock and write apart:
    // four round trips before).
    expect(sent.map((q) => (q.includes('INSERT INTO access_log') ? `write${q.includes('NOWAIT') ? ' + next head' : ''}` : q.startsWith('SET TRANSACTION') ? 'lock' : q))).toEqual(['lock', 'write + next head', 'write']);
    expect(store.roundTrips).toEqual({ locks: 1, writes: 2 });
    expect(store.stats).toEqual({ transactions: 2, accesses: 2 });
    expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op830', 'op831', 'op831']);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('answers an access committed in a round trip whose next head another process holds: written once, not refused, and the chain goes on', async () => {
    const a = new AuditStore(hub.accessDb, auditWriterPool(dbs.hubUrl));
    stores.push(a);
    await a.init();
    const before = await lastSeq();
    // Another process's transaction, opened before: its lock on the head waits for a's head taken ahead.
    const other = await dbs.hubPool.getConnection();
    try {
      await other.query('START TRANSACTION');
      a.expect();
      await (a as unknown as { held: Promise<unknown> }).held;
      const otherLocked = other.query('SELECT last_seq FROM access_log_head WHERE id = 1 FOR UPDATE');
      let waiting = 0;
      for (let polls = 0; waiting === 0 && polls < 100; polls++) {
        await new Promise((r) => setTimeout(r, 10));
        // The other transaction's own wait: the server is shared with the suite's other files, whose lock waits count elsewhere.
        const [[row]] = (await dbs.hubPool.query("SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' AND trx_mysql_thread_id = ?", [other.threadId])) as any;
        waiting = Number(row.n);
      }
      expect(waiting).toBe(1);
      // Another request of a's still runs, so a's write locks the next head with its COMMIT; the other
      // transaction is given the head at that COMMIT, so that lock is refused (NOWAIT) after the rows
      // were committed.
      a.expect();
      await expect(a.append(access(840, 1), true)).resolves.toBeUndefined();
      expect(a.stats).toEqual({ transactions: 1, accesses: 1 });
      await otherLocked;
      expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op840']);
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
    // a's running request appends once the other transaction has let the head go.
    await a.append(access(842, 2), true);
    expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op840', 'op842', 'op842']);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('carries on after its connection is killed', async () => {
    const writer = auditWriterPool(dbs.hubUrl);
    const store = new AuditStore(hub.accessDb, writer);
    stores.push(store);
    await store.init();
    await store.append(access(700, 1));
    const [[{ id }]] = (await writer.query('SELECT CONNECTION_ID() AS id')) as any;
    await dbs.hubPool.query(`KILL ${Number(id)}`);
    const before = await lastSeq();
    await expect(store.append(access(701, 1))).resolves.toBeUndefined();
    expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op701']);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('carries on when the connection holding a head taken ahead is killed while the request reads: written once, on a fresh connection', async () => {
    const writer = auditWriterPool(dbs.hubUrl);
    const store = new AuditStore(hub.accessDb, writer);
    stores.push(store);
    await store.init();
    const before = await lastSeq();
    // The writer's one connection, which takes the head ahead for the request.
    const [[{ id }]] = (await writer.query('SELECT CONNECTION_ID() AS id')) as any;
    store.expect();
    // Locked: the store's head taken ahead (private; no other way to know when it is held).
    await (store as unknown as { held: Promise<unknown> }).held;
    // Killed while the request reads its data (the head is held up to 1 s), and seen by the writer.
    await dbs.hubPool.query(`KILL ${Number(id)}`);
    await new Promise((r) => setTimeout(r, 100));
    await expect(store.append(access(710, 2), true)).resolves.toBeUndefined();
    expect((await rows('seq > ?', [before])).map((r) => r.operation)).toEqual(['op710', 'op710']);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });
});

describe('accessLog', () => {
  let auditor: ReturnType<TestHub['as']>;
  beforeAll(async () => {
    const { token } = await hub.createClient({ name: 'audit-test-auditor', roles: ['AUDITOR'], regionScope: '370800' });
    auditor = hub.as({ token, purpose: 'AUDIT' });
  });

  const LOG = `query($n: String!, $first: Int, $after: String) {
    accessLog(idNumber: $n, first: $first, after: $after) {
      edges { cursor node { seq at client { name department { code } regionScope } purpose caseReference operation subjectKind subjectLabel outcome } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

  it('tells who looked at a person, directly or through their household, when and why, newest first', async () => {
    // Rows written before the look-up (the look-up's own row is written as its answer leaves).
    const expected = await rows(`(subject_kind = 'HOUSEHOLD' AND subject_ref = ?) OR (subject_kind = 'PERSON' AND subject_label = ?)`, [String(wangId), maskIdNumber(WANG.spouse)]);
    const res = await auditor.gql(LOG, { n: WANG.spouse, first: 500 });
    expect(res.errors).toBeUndefined();
    const entries = res.data.accessLog.edges.map((e: any) => e.node);
    expect(entries.map((e: any) => Number(e.seq))).toEqual(expected.map((r) => Number(r.seq)).reverse());
    const meeting = entries.find((e: any) => e.purpose === 'CASE_MEETING' && e.subjectKind === 'PERSON');
    expect(meeting).toMatchObject({
      client: { name: 'audit-test-reader', department: { code: 'CIVIL_AFFAIRS' }, regionScope: '370811' },
      caseReference: 'RC-2026-0042',
      operation: 'WangDossier',
      subjectLabel: maskIdNumber(WANG.spouse),
      outcome: 'OK',
    });
    // A DateTime like every instant of the schema: RFC 3339, China time.
    expect(meeting.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    expect(entries.some((e: any) => e.subjectKind === 'HOUSEHOLD')).toBe(true);
  });

  it('shows which entries are one access: a household read is two entries with its request id, another read has its own', async () => {
    const read = (requestId: string) => hub.gql(`query WangMembers($id: ID!) { household(id: $id) { members { person { name } } } }`, { id: String(wangId) }, { 'x-request-id': requestId });
    expect((await read('audit-household-read-1')).errors).toBeUndefined();
    // A second read sends an id that spells an ID number in parts: the hub replaces it, so the
    // entry's request id holds none.
    const spelled = `${WANG.spouse.slice(0, 6)}-${WANG.spouse.slice(6, 14)}-${WANG.spouse.slice(14)}`;
    expect((await read(spelled)).errors).toBeUndefined();
    const [[second]] = (await dbs.hubPool.query(`SELECT request_id FROM access_log WHERE operation = 'WangMembers' AND request_id <> 'audit-household-read-1' ORDER BY seq DESC LIMIT 1`)) as any;

    const res = await auditor.gql(`query($n: String!) { accessLog(idNumber: $n, first: 500) { edges { node { requestId subjectKind subjectLabel operation } } } }`, { n: WANG.spouse });
    expect(res.errors).toBeUndefined();
    const entries = res.data.accessLog.edges.map((e: any) => e.node);
    const ofRequest = (id: string) => entries.filter((e: any) => e.requestId === id).map((e: any) => e.subjectKind).sort();
    expect(ofRequest('audit-household-read-1')).toEqual(['HOUSEHOLD', 'PERSON']);
    expect(second.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ofRequest(second.request_id)).toEqual(['HOUSEHOLD', 'PERSON']);
    expect(entries.filter((e: any) => e.operation === 'WangMembers').map((e: any) => e.requestId).sort()).toEqual(['audit-household-read-1', 'audit-household-read-1', second.request_id, second.request_id].sort());
    expect(JSON.stringify(entries)).not.toContain(spelled);
  });

  it('pages with a cursor', async () => {
    const whole = (await auditor.gql(LOG, { n: WANG.head, first: 500 })).data.accessLog.edges.map((e: any) => e.node.seq);
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await auditor.gql(LOG, { n: WANG.head, first: 2, after });
      paged.push(...res.data.accessLog.edges.map((e: any) => e.node.seq));
      if (!res.data.accessLog.pageInfo.hasNextPage) break;
      after = res.data.accessLog.pageInfo.endCursor;
    }
    // The look-ups themselves are recorded about WANG.head as they go: the newest entries are those.
    expect(paged.slice(-whole.length)).toEqual(whole);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('keeps the entries of the days asked for (China’s days, both included)', async () => {
    // An inspection asks for one period: `from` and `to` were not arguments, so it read everything.
    const RANGE = `query($n: String!, $from: Date, $to: Date) { accessLog(idNumber: $n, first: 500, from: $from, to: $to) { edges { node { seq at } } } }`;
    const expected = await rows(`(subject_kind = 'HOUSEHOLD' AND subject_ref = ?) OR (subject_kind = 'PERSON' AND subject_label = ?)`, [String(wangId), maskIdNumber(WANG.spouse)]);
    const chinaDay = (r: any) => todayIso(new Date(`${String(r.at).replace(' ', 'T')}Z`));
    const first = chinaDay(expected[0]);
    const last = chinaDay(expected[expected.length - 1]);
    const seqs = async (from: string | null, to: string | null) => {
      const res = await auditor.gql(RANGE, { n: WANG.spouse, from, to });
      expect(res.errors).toBeUndefined();
      return res.data.accessLog.edges.map((e: any) => Number(e.node.seq)).filter((s: number) => s <= Number(expected[expected.length - 1].seq));
    };
    expect(await seqs(first, last)).toEqual(expected.map((r) => Number(r.seq)).reverse());
    expect(await seqs(null, addDays(first, -1))).toEqual([]);
    expect(await seqs(addDays(last, 1), null)).toEqual([]);
    const inverted = await auditor.gql(RANGE, { n: WANG.spouse, from: last, to: addDays(last, -1) });
    expect(inverted.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'from', reason: 'EMPTY_WINDOW' });
  });

  it('tells who looked at a household or any of its members, by household id, within the days asked for', async () => {
    // An auditor reads no household data, so it could not learn the members' ID numbers that
    // accessLog asks for: "every read of household X" had no answer.
    const HOUSEHOLD_LOG = `query($h: ID!, $first: Int, $after: String, $from: Date, $to: Date) {
      householdAccessLog(householdId: $h, first: $first, after: $after, from: $from, to: $to) { edges { node { seq subjectKind subjectLabel client { name } purpose } } pageInfo { hasNextPage endCursor } }
    }`;
    // Its members' subject references: the HMAC of each ID number under the trail's key.
    const [[secret]] = (await dbs.hubPool.query(`SELECT value FROM access_secret WHERE name = 'audit_subject_key'`)) as any;
    const [memberRows] = (await dbs.hubPool.query('SELECT DISTINCT id_number FROM household_member WHERE household_id = ?', [wangId])) as any;
    const refs = memberRows.map((m: any) => crypto.createHmac('sha256', Buffer.from(secret.value, 'hex')).update(m.id_number).digest('hex'));
    expect(refs.length).toBeGreaterThan(1);
    const expected = await rows(`(subject_kind = 'HOUSEHOLD' AND subject_ref = ?) OR (subject_kind = 'PERSON' AND subject_ref IN (?))`, [String(wangId), refs]);
    const paged: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: any = await auditor.gql(HOUSEHOLD_LOG, { h: String(wangId), first: 3, after });
      expect(res.errors).toBeUndefined();
      paged.push(...res.data.householdAccessLog.edges.map((e: any) => Number(e.node.seq)));
      if (!res.data.householdAccessLog.pageInfo.hasNextPage) break;
      after = res.data.householdAccessLog.pageInfo.endCursor;
    }
    const written = expected.map((r) => Number(r.seq));
    // The look-ups themselves are recorded about the household as they go: the newest entries are those.
    expect(paged.filter((s) => s <= written[written.length - 1])).toEqual([...written].reverse());
    expect(written.some((s) => expected.find((r) => Number(r.seq) === s)?.subject_kind === 'PERSON')).toBe(true);
    const day = todayIso(new Date(`${String(expected[0].at).replace(' ', 'T')}Z`));
    const before: any = await auditor.gql(HOUSEHOLD_LOG, { h: String(wangId), to: addDays(day, -1) });
    expect(before.data.householdAccessLog.edges).toEqual([]);
    const own = await rows('client_name = ? AND subject_kind = ? AND subject_ref = ?', ['audit-test-auditor', 'HOUSEHOLD', String(wangId)]);
    expect(own.length).toBeGreaterThan(0);
    const { token } = await hub.createClient({ roles: ['AUDITOR'], regionScope: '370826' });
    const county = await hub.as({ token, purpose: 'AUDIT' }).gql(HOUSEHOLD_LOG, { h: String(wangId) });
    expect(county.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
  });

  it('is itself recorded, with purpose AUDIT', async () => {
    const before = await lastSeq();
    await auditor.gql(LOG, { n: ZHAO.head, first: 1 });
    expect(await rows('seq > ?', [before])).toEqual([expect.objectContaining({ client_name: 'audit-test-auditor', purpose: 'AUDIT', subject_label: maskIdNumber(ZHAO.head) })]);
  });

  it('is refused to other roles, other purposes and people outside the auditor’s scope', async () => {
    const { token: readerToken } = await hub.createClient({ roles: ['READER', 'CASEWORKER'], regionScope: '370800' });
    const reader = await hub.as({ token: readerToken, purpose: 'ELIGIBILITY_REVIEW' }).gql(LOG, { n: WANG.head });
    expect(reader.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
    const { token } = await hub.createClient({ name: 'audit-test-county-auditor', roles: ['AUDITOR'], regionScope: '370826' });
    const county = await hub.as({ token, purpose: 'AUDIT' }).gql(LOG, { n: WANG.head });
    expect(county.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
  });
});

describe('the hash chain', () => {
  it('links each row to the one before with a hash of its content', async () => {
    const all = await rows();
    let prev = GENESIS_HASH;
    for (const r of all) {
      expect(r.prev_hash).toBe(prev);
      const { seq, prev_hash, row_hash } = r;
      const values = auditRowValues(r);
      expect(rowHash(prev_hash, Number(seq), values)).toBe(row_hash);
      prev = row_hash;
    }
  });

  it('verifies intact, and names the row edited directly in the database', async () => {
    const print: string[] = [];
    expect(await auditVerifyCommand([], hub.accessDb, (l) => print.push(l))).toBe(0);
    expect(print[0]).toMatch(/^audit chain intact: \d+ rows; head \d+:[0-9a-f]{64}$/);

    const [victim] = await rows(`purpose = 'CASE_MEETING'`);
    await dbs.hubPool.query(`UPDATE access_log SET purpose = 'AUDIT' WHERE seq = ?`, [victim.seq]);
    const out: string[] = [];
    expect(await auditVerifyCommand([], hub.accessDb, (l) => out.push(l))).toBe(1);
    expect(out[0]).toContain(`BROKEN at row ${victim.seq} (CHANGED)`);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq: Number(victim.seq), problem: 'CHANGED' });
    await dbs.hubPool.query(`UPDATE access_log SET purpose = 'CASE_MEETING' WHERE seq = ?`, [victim.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('names a removed row, rows removed from the end, and a row inserted after the end', async () => {
    const all = await rows();
    const middle = all[Math.floor(all.length / 2)];
    await dbs.hubPool.query('DELETE FROM access_log WHERE seq = ?', [middle.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq: Number(middle.seq), problem: 'REMOVED' });
    await dbs.hubPool.query('INSERT INTO access_log SET ?', [middle]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });

    const last = all[all.length - 1];
    await dbs.hubPool.query('DELETE FROM access_log WHERE seq = ?', [last.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq: Number(last.seq), problem: 'TRUNCATED' });
    await dbs.hubPool.query('INSERT INTO access_log SET ?', [last]);

    // A forged row with a correct hash, appended behind the hub's back.
    const seq = Number(last.seq) + 1;
    const forged = { ...last, seq, request_id: '00000000-0000-0000-0000-000000000000', prev_hash: last.row_hash };
    await dbs.hubPool.query('INSERT INTO access_log SET ?', [forged]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq, problem: 'INSERTED' });
    await dbs.hubPool.query('DELETE FROM access_log WHERE seq = ?', [seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('catches a rewrite that recomputed the hashes, given an anchor kept outside the database', async () => {
    const intact = await verifyChain(hub.accessDb);
    if (!intact.ok) throw new Error('chain should be intact here');
    const anchor = `${intact.head.seq}:${intact.head.hash}`;
    // Rewrite row 1 and recompute every hash after it, as someone with write access could.
    await rewriteAuditRowRecomputing(dbs, await rows(), 1);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
    const out: string[] = [];
    expect(await auditVerifyCommand(['--anchor', anchor], hub.accessDb, (l) => out.push(l))).toBe(1);
    expect(out[0]).toContain('ANCHOR_MISMATCH');
  });

  it('refuses an anchor at row 0, which no row is, as a bad argument (exit 2), not a broken chain', async () => {
    for (const seq of ['0', '000', '9007199254740993']) {
      const out: string[] = [];
      expect(await auditVerifyCommand(['--anchor', `${seq}:${'a'.repeat(64)}`], hub.accessDb, (l) => out.push(l))).toBe(2);
      expect(out).toEqual([`error: MALFORMED_ANCHOR: --anchor ${seq}: the chain's rows are numbered from 1; SEQ:HASH as printed by an earlier run`]);
    }
  });
});

describe('when the audit row cannot be written', () => {
  it('returns no data, says why, and writes nothing partial', async () => {
    await dbs.hubPool.query('RENAME TABLE access_log TO access_log_away');
    try {
      const res = await hub.gql(`query($id: ID!) { household(id: $id) { address members { person { name idNumber } } } }`, { id: String(wangId) });
      expect(res.status).toBe(503);
      expect(res.data ?? null).toBeNull();
      expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'AUDIT_UNAVAILABLE' } })]);
      expect(JSON.stringify(res)).not.toContain('南门社区');
    } finally {
      await dbs.hubPool.query('RENAME TABLE access_log_away TO access_log');
    }
    const [head] = (await dbs.hubPool.query('SELECT last_seq FROM access_log_head'))[0] as any[];
    const [max] = (await dbs.hubPool.query('SELECT MAX(seq) AS m FROM access_log'))[0] as any[];
    expect(Number(head.last_seq)).toBe(Number(max.m));
  });
});

describe('logs', () => {
  it('never hold an ID number or a name', async () => {
    // Refusals, bad input, and an unexpected failure all log something.
    await hub.as({ token: null }).gql(`{ person(idNumber: "${WANG.head}") { name } }`);
    await hub.gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: `${WANG.head}0` });
    await hub.gql(`query($n: Int) { household(id: $n) { id } }`, { n: '王建国' as unknown as number });
    await dbs.hubPool.query('RENAME TABLE access_log TO access_log_away');
    try {
      await hub.gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: WANG.head });
    } finally {
      await dbs.hubPool.query('RENAME TABLE access_log_away TO access_log');
    }
    const text = logLines.join('');
    expect(text).toContain('audit append failed');
    for (const id of [WANG.head, WANG.spouse]) expect(text).not.toContain(id);
    for (const name of ['王建国', '李秀兰']) expect(text).not.toContain(name);
  });
});
