/**
 * Which query a refused access was: every GraphQL entry records the root fields its operation asked
 * for (schema coordinates, `Query.person`), a refused one as an answered one, never an argument's
 * value; the audit reads show them (`AccessLogEntry.fields`). The column is covered by the row's hash
 * only where it holds a value, so rows written before it verify as they were written, beside new ones.
 */
import crypto from 'node:crypto';
import { verifyChain } from '../access/audit';
import { auditVerifyCommand } from '../tools/audit-verify';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let far: TestHub['gql'];
let auditor: TestHub['gql'];
let farAuditor: TestHub['gql'];

const rows = (where?: string, params?: unknown[]) => auditRows(dbs, where, params);
const PERSON = `{ person(idNumber: "${WANG.head}") { name } }`;
const ENTRY = 'seq client { name } operation fields subjectKind subjectLabel outcome requestId';

beforeAll(async () => {
  dbs = await createTestDatabases('audit_refused_query');
  await insertRegions(dbs);
  await insertWang(dbs);
  hub = await startTestHub(dbs, { today: TODAY, client: { name: 'refusedq-reader', regionScope: '370811' } });
  far = hub.as({ token: (await hub.createClient({ name: 'refusedq-weishan', regionScope: '370826', roles: ['READER'] })).token, purpose: 'ELIGIBILITY_REVIEW' }).gql;
  auditor = hub.as({ token: (await hub.createClient({ name: 'refusedq-auditor', regionScope: '370811', roles: ['AUDITOR'] })).token, purpose: 'AUDIT' }).gql;
  farAuditor = hub.as({ token: (await hub.createClient({ name: 'refusedq-far-auditor', regionScope: '370826', roles: ['AUDITOR'] })).token, purpose: 'AUDIT' }).gql;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('a refused look-up says which query it was', () => {
  it('records the root fields of an anonymous operation, refused or answered alike, and no argument', async () => {
    const before = await lastAuditSeq(dbs);
    expect((await hub.gql(PERSON, {}, { 'x-request-id': 'refusedq-served' })).errors).toBeUndefined();
    // Out of the caller's scope, and a role that may not read people: refused, one entry each.
    expect((await far(PERSON, {}, { 'x-request-id': 'refusedq-scope' })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    expect((await auditor(PERSON, {}, { 'x-request-id': 'refusedq-role' })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_NOT_ALLOWED' });
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => [r.request_id, r.operation, r.root_fields, r.subject_kind, r.outcome])).toEqual([
      ['refusedq-served', null, 'Query.person', 'PERSON', 'OK'],
      ['refusedq-scope', null, 'Query.person', 'PERSON', 'DENIED'],
      ['refusedq-role', null, 'Query.person', 'PERSON', 'DENIED'],
    ]);
    for (const r of written) expect(JSON.stringify(r)).not.toContain(WANG.head);
  });

  it('names fields reached through fragments, under their own names (not an alias, which is the caller’s text)', async () => {
    const before = await lastAuditSeq(dbs);
    const query = `query Two { x370811: person(idNumber: "${WANG.head}") { name } ...More } fragment More on Query { ... on Query { caller { name } person(idNumber: "${WANG.spouse}") { name } } }`;
    expect((await far(query)).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    const written = await rows('seq > ?', [before]);
    expect(written.length).toBeGreaterThan(0);
    for (const r of written) expect([r.operation, r.root_fields, r.outcome]).toEqual(['Two', 'Query.person, Query.caller', 'DENIED']);
  });

  it('shows it in accessLog and clientAuditLookups: the refused entry says what was asked, as the served one does', async () => {
    // A neighbouring county's auditor refused the reader's trail; the county's served.
    expect((await farAuditor(`{ clientAccessLog(client: "refusedq-reader") { edges { cursor } } }`, {}, { 'x-request-id': 'refusedq-trail-refused' })).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    expect((await auditor(`{ clientAccessLog(client: "refusedq-reader") { edges { cursor } } }`, {}, { 'x-request-id': 'refusedq-trail-served' })).errors).toBeUndefined();
    const lookups = await auditor(`query($c: String!) { clientAuditLookups(client: $c) { edges { node { ${ENTRY} } } } }`, { c: 'refusedq-reader' });
    expect(lookups.errors).toBeUndefined();
    const nodes = lookups.data.clientAuditLookups.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => [n.requestId, n.client.name, n.fields, n.subjectLabel, n.outcome])).toEqual([
      ['refusedq-trail-served', 'refusedq-auditor', ['Query.clientAccessLog'], 'refusedq-reader', 'OK'],
      ['refusedq-trail-refused', 'refusedq-far-auditor', ['Query.clientAccessLog'], null, 'DENIED'],
    ]);
    const log = await auditor(`query($n: String!) { accessLog(idNumber: $n, first: 500) { edges { node { ${ENTRY} } } } }`, { n: WANG.head });
    expect(log.errors).toBeUndefined();
    const byRequest = new Map(log.data.accessLog.edges.map((e: any) => [e.node.requestId, e.node]));
    expect(byRequest.get('refusedq-scope')).toMatchObject({ fields: ['Query.person'], outcome: 'DENIED', client: { name: 'refusedq-weishan' } });
    expect(byRequest.get('refusedq-served')).toMatchObject({ fields: ['Query.person'], outcome: 'OK' });
    // Another channel records no GraphQL fields: an undeclared route's attempt.
    const res = await fetch(`${hub.url}/no-such-route`, { headers: hub.authHeaders });
    expect(res.status).toBe(404);
    const [last] = await rows('seq = ?', [await lastAuditSeq(dbs)]);
    expect([last.channel, last.root_fields]).toEqual(['HTTP', null]);
  });
});

describe('a request refused for its purpose says which query it was', () => {
  it('records the fields it asked for (body or URL), not an argument, and shows them in clientAccessLog', async () => {
    const before = await lastAuditSeq(dbs);
    // An auditor's roles may not state ELIGIBILITY_REVIEW: refused at the door, nothing runs.
    const door = hub.as({ token: (await hub.createClient({ name: 'refusedq-door', regionScope: '370811', roles: ['AUDITOR'] })).token, purpose: 'ELIGIBILITY_REVIEW' });
    const post = async (body: string, id: string, contentType = 'application/json') =>
      fetch(`${hub.url}/graphql`, { method: 'POST', headers: { ...door.headers, 'content-type': contentType, 'x-request-id': id }, body });
    const refused = await door.gql(`query Look($n: String!) { x: person(idNumber: $n) { name } ...C } fragment C on Query { caller { name } }`, { n: WANG.head }, { 'x-request-id': 'refusedq-door-post' });
    expect([refused.status, refused.errors?.[0].extensions]).toEqual([403, { code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' }]);
    const get = await fetch(`${hub.url}/graphql?query=${encodeURIComponent(PERSON)}`, { headers: { ...door.headers, 'x-request-id': 'refusedq-door-get' } });
    expect(get.status).toBe(403);
    // Fields it could not be told from: malformed JSON, a field the schema does not have (the
    // caller's text: never recorded), a persisted query sent by its hash alone, a body not JSON.
    for (const [id, body, type] of [
      ['refusedq-door-malformed', '{"query": "{ person', 'application/json'],
      ['refusedq-door-unknown', JSON.stringify({ query: `{ caller { name } x${WANG.head} }` }), 'application/json'],
      ['refusedq-door-hash', JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }), 'application/json'],
      ['refusedq-door-text', PERSON, 'text/plain'],
      ['refusedq-door-batch', JSON.stringify([{ query: PERSON }]), 'application/json'],
    ]) {
      const res = await post(body, id, type);
      expect([id, res.status, ((await res.json()) as any).errors[0].extensions.reason]).toEqual([id, 403, 'PURPOSE_NOT_ALLOWED']);
    }
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => [r.request_id, r.purpose, r.root_fields, r.subject_kind, r.outcome])).toEqual([
      ['refusedq-door-post', 'ELIGIBILITY_REVIEW', 'Query.person, Query.caller', 'NONE', 'DENIED'],
      ['refusedq-door-get', 'ELIGIBILITY_REVIEW', 'Query.person', 'NONE', 'DENIED'],
      ['refusedq-door-malformed', 'ELIGIBILITY_REVIEW', null, 'NONE', 'DENIED'],
      ['refusedq-door-unknown', 'ELIGIBILITY_REVIEW', null, 'NONE', 'DENIED'],
      ['refusedq-door-hash', 'ELIGIBILITY_REVIEW', null, 'NONE', 'DENIED'],
      ['refusedq-door-text', 'ELIGIBILITY_REVIEW', null, 'NONE', 'DENIED'],
      ['refusedq-door-batch', 'ELIGIBILITY_REVIEW', null, 'NONE', 'DENIED'],
    ]);
    for (const r of written) expect(JSON.stringify(r)).not.toContain(WANG.head);

    const log = await auditor(`query($c: String!) { clientAccessLog(client: $c, first: 50) { edges { node { ${ENTRY} purpose } } } }`, { c: 'refusedq-door' });
    expect(log.errors).toBeUndefined();
    const byRequest = new Map(log.data.clientAccessLog.edges.map((e: any) => [e.node.requestId, e.node]));
    expect(byRequest.get('refusedq-door-post')).toMatchObject({ fields: ['Query.person', 'Query.caller'], purpose: 'ELIGIBILITY_REVIEW', outcome: 'DENIED', subjectLabel: null });
    expect(byRequest.get('refusedq-door-malformed')).toMatchObject({ fields: null, outcome: 'DENIED' });
    // The chain verifies with them.
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });
});

describe('the chain with the new column', () => {
  it('verifies rows written before it (hashed without it) beside new ones, and names one whose fields were changed or moved', async () => {
    // A row as a hub before this column wrote it, hashed here over the fields that hub knew (the officer's included).
    const [[head]] = (await dbs.hubPool.query('SELECT last_seq, last_hash FROM access_log_head WHERE id = 1')) as any;
    const seq = Number(head.last_seq) + 1;
    const at = new Date().toISOString().replace('T', ' ').slice(0, 23);
    const fields = [seq, at, crypto.randomUUID(), 1, 'old-hub-client', 'EDUCATION', '370811', 'AUDIT', null, 'GRAPHQL', null, null, 'NONE', null, null, 'DENIED', 'jyj-0001'];
    const hash = crypto.createHash('sha256').update(head.last_hash).update('\n').update(JSON.stringify(fields)).digest('hex');
    await dbs.hubPool.query(
      `INSERT INTO access_log (seq, at, request_id, client_id, client_name, department, region_scope, purpose, case_reference, channel, operation, operation_hash, subject_kind, subject_ref, subject_label, outcome, officer, prev_hash, row_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...fields, head.last_hash, hash],
    );
    await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [seq, hash]);
    // And new rows after it.
    expect((await hub.gql(PERSON)).errors).toBeUndefined();
    const out: string[] = [];
    expect(await auditVerifyCommand([], hub.accessDb, (l) => out.push(l))).toBe(0);
    expect(out[0]).toContain('audit chain intact');

    const [served] = await rows('seq > ? AND root_fields IS NOT NULL', [seq]);
    for (const [change, back] of [
      ['root_fields = NULL', `root_fields = '${served.root_fields}'`],
      [`root_fields = 'Query.caller'`, `root_fields = '${served.root_fields}'`],
    ]) {
      await dbs.hubPool.query(`UPDATE access_log SET ${change} WHERE seq = ?`, [served.seq]);
      expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq: Number(served.seq), problem: 'CHANGED' });
      await dbs.hubPool.query(`UPDATE access_log SET ${back} WHERE seq = ?`, [served.seq]);
    }
    // The old row's officer moved into the new column: the hash tells them apart.
    await dbs.hubPool.query(`UPDATE access_log SET officer = NULL, root_fields = 'jyj-0001' WHERE seq = ?`, [seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: false, seq, problem: 'CHANGED' });
    await dbs.hubPool.query(`UPDATE access_log SET officer = 'jyj-0001', root_fields = NULL WHERE seq = ?`, [seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });
});
