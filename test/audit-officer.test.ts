/**
 * The officer a department's system asks for (X-Officer): validated, refused when it may carry an
 * ID number or when the client must name one and did not, recorded in every audit row of the
 * request and covered by the hash chain, shown in accessLog and householdAccessLog, and carried
 * into a case's history when the write names no officer of its own. Rows written before the hub
 * recorded officers keep their hashes: an old chain, and one mixing old and new rows, verify.
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { verifyChain } from '../access/audit';
import { clientsCommand } from '../tools/clients';
import { auditVerifyCommand } from '../tools/audit-verify';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { WANG_TOWNSHIP, writeWangJobLossAlert } from './support/alerts';
import { okPayload } from './support/payloads';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
const logLines: string[] = [];

const READ = `query OfficerRead($id: ID!) { household(id: $id) { members { person { name } } } }`;

async function rows(where = '1=1', params: unknown[] = []): Promise<any[]> {
  const [r] = await dbs.hubPool.query(`SELECT * FROM access_log WHERE ${where} ORDER BY seq`, params);
  return r as any[];
}

async function head(): Promise<{ seq: number; hash: string }> {
  const [r] = await dbs.hubPool.query('SELECT last_seq, last_hash FROM access_log_head WHERE id = 1');
  const row = (r as any[])[0];
  return { seq: Number(row.last_seq), hash: String(row.last_hash) };
}

/**
 * Rows as a hub before officers wrote them: the hash over the sixteen fields it knew, computed here
 * as that hub did (not by access/audit.ts), appended after the head, as that hub's appends were.
 */
async function appendRowsOfOldHub(n: number): Promise<number[]> {
  let { seq, hash: prev } = await head();
  const written: number[] = [];
  for (let i = 0; i < n; i++) {
    seq += 1;
    const at = new Date().toISOString().replace('T', ' ').slice(0, 23);
    const fields = [seq, at, crypto.randomUUID(), 1, 'old-hub-client', 'EDUCATION', '370811', 'ELIGIBILITY_REVIEW', null, 'GRAPHQL', 'OldRead', null, 'HOUSEHOLD', String(wangId), String(wangId), 'OK'];
    const hash = crypto.createHash('sha256').update(prev).update('\n').update(JSON.stringify(fields)).digest('hex');
    await dbs.hubPool.query(
      `INSERT INTO access_log (seq, at, request_id, client_id, client_name, department, region_scope, purpose, case_reference, channel, operation, operation_hash, subject_kind, subject_ref, subject_label, outcome, prev_hash, row_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...fields, prev, hash],
    );
    await dbs.hubPool.query('UPDATE access_log_head SET last_seq = ?, last_hash = ? WHERE id = 1', [seq, hash]);
    prev = hash;
    written.push(seq);
  }
  return written;
}

async function verifyCli(): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await auditVerifyCommand([], hub.accessDb, (l) => out.push(l));
  return { code, out };
}

beforeAll(async () => {
  dbs = await createTestDatabases('audit_officer');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  hub = await startTestHub(dbs, { today: TODAY, logger: pino({ level: 'debug' }, sink), client: { name: 'officer-test-education', department: 'EDUCATION', regionScope: '370811', roles: ['READER', 'CASEWORKER'] } });
});

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
});

describe('rows written before officers were recorded', () => {
  it('verify alone, and beside new rows that name an officer', async () => {
    const old = await appendRowsOfOldHub(3);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
    expect((await rows('seq IN (?)', [old])).map((r) => r.officer)).toEqual([null, null, null]);

    const res = await hub.gql(READ, { id: String(wangId) }, { 'x-officer': 'jyj-0042' });
    expect(res.errors).toBeUndefined();
    await appendRowsOfOldHub(1);
    expect((await verifyCli()).code).toBe(0);
  });

  it('name an officer written into an old row as a changed row', async () => {
    const [old] = await rows(`client_name = 'old-hub-client'`);
    await dbs.hubPool.query('UPDATE access_log SET officer = ? WHERE seq = ?', ['someone-else', old.seq]);
    const { code, out } = await verifyCli();
    expect(code).toBe(1);
    expect(out[0]).toContain(`BROKEN at row ${old.seq} (CHANGED)`);
    await dbs.hubPool.query('UPDATE access_log SET officer = NULL WHERE seq = ?', [old.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });
});

describe('an officer named with a request', () => {
  it('is in every row the request wrote, chained: audit:verify names a row whose officer was changed or removed', async () => {
    const before = (await head()).seq;
    const res = await hub.gql(READ, { id: String(wangId) }, { 'x-officer': 'jyj-0042' });
    expect(res.errors).toBeUndefined();
    const written = await rows('seq > ?', [before]);
    expect(written.map((r) => r.subject_kind).sort()).toEqual(['HOUSEHOLD', 'PERSON', 'PERSON', 'PERSON', 'PERSON']);
    expect(new Set(written.map((r) => r.officer))).toEqual(new Set(['jyj-0042']));

    const victim = written[1];
    for (const forged of ['jyj-0043', null]) {
      await dbs.hubPool.query('UPDATE access_log SET officer = ? WHERE seq = ?', [forged, victim.seq]);
      const { code, out } = await verifyCli();
      expect(code).toBe(1);
      expect(out[0]).toContain(`BROKEN at row ${victim.seq} (CHANGED)`);
    }
    await dbs.hubPool.query('UPDATE access_log SET officer = ? WHERE seq = ?', ['jyj-0042', victim.seq]);
    expect(await verifyChain(hub.accessDb)).toMatchObject({ ok: true });
  });

  it('is shown to an auditor beside the client in accessLog and householdAccessLog, and to the caller itself', async () => {
    const requestId = `officer-shown-${Date.now()}`;
    await hub.gql(READ, { id: String(wangId) }, { 'x-officer': 'jyj-0077', 'x-request-id': requestId });
    const { token } = await hub.createClient({ name: 'officer-test-auditor', roles: ['AUDITOR'], regionScope: '370800' });
    const auditor = hub.as({ token, purpose: 'AUDIT' });
    const ENTRY = `edges { node { requestId officer subjectKind client { name } } }`;
    const person = await auditor.gql(`query($n: String!) { accessLog(idNumber: $n, first: 500) { ${ENTRY} } }`, { n: WANG.child });
    const household = await auditor.gql(`query($h: ID!) { householdAccessLog(householdId: $h, first: 500) { ${ENTRY} } }`, { h: String(wangId) });
    for (const res of [person, household]) {
      expect(res.errors).toBeUndefined();
      const conn = res.data.accessLog ?? res.data.householdAccessLog;
      const mine = conn.edges.map((e: any) => e.node).filter((n: any) => n.requestId === requestId);
      expect(mine.length).toBeGreaterThan(0);
      for (const n of mine) expect(n).toMatchObject({ officer: 'jyj-0077', client: { name: 'officer-test-education' } });
      // Entries of a request that named no officer, and of the old hub's, say so: null.
      expect(conn.edges.some((e: any) => e.node.officer === null)).toBe(true);
    }
    const me = await hub.gql(`{ caller { officer requiresOfficer } }`, {}, { 'x-officer': 'jyj-0077' });
    expect(me.data.caller).toEqual({ officer: 'jyj-0077', requiresOfficer: false });
  });

  it('names the officer in a case history when the write names none of its own', async () => {
    const open = await okPayload(
      (q, v) => hub.gql(q, v, { 'x-officer': 'jyj-0042' }),
      `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id history { actor } } userErrors { code } } }`,
      { input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '学费困难', reportedAt: `${TODAY}T09:00:00+08:00` } },
      'caseOpen',
    );
    expect(open.case.history).toEqual([{ actor: 'officer-test-education/jyj-0042' }]);

    // A route other than /graphql (the printed brief) records it too, in its route row and its subjects' rows.
    const requestId = `officer-brief-${Date.now()}`;
    const brief = await fetch(`${hub.url}/cases/${open.case.id}/brief`, { headers: { ...hub.authHeaders, 'x-purpose': 'CASE_MEETING', 'x-officer': 'jyj-0042', 'x-request-id': requestId } });
    expect(brief.status).toBe(200);
    const written = await rows('request_id = ?', [requestId]);
    expect(written.map((r) => r.subject_kind)).toEqual(expect.arrayContaining(['NONE', 'HOUSEHOLD', 'PERSON']));
    expect(new Set(written.map((r) => r.officer))).toEqual(new Set(['jyj-0042']));
  });
});

describe('an officer named with a request, on an alert', () => {
  it('is in the alert’s history when the move names no officer of its own; one it names wins', async () => {
    const { name, token } = await hub.createClient({ name: 'officer-test-guhuai', department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const township = hub.as({ token, purpose: 'MONITORING' });
    const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`;
    const actors: string[] = [];
    for (const [i, officer] of [[1, null], [2, 'GH-09']] as const) {
      const id = await writeWangJobLossAlert(dbs, { identity: `officer-test-${i}`, householdId: wangId, now: () => new Date() });
      const res = await township.gql(ACK, { i: { alertId: id, note: '已签收', ...(officer ? { officer } : {}) } }, { 'x-officer': 'gh-07' });
      expect(res.data.alertAcknowledge).toEqual({ alert: { state: 'ACKNOWLEDGED' }, userErrors: [] });
      const [events] = await dbs.hubPool.query(`SELECT actor FROM monitoring_alert_event WHERE alert_id = ? AND action = 'ACKNOWLEDGED'`, [Number(id)]);
      actors.push(...(events as any[]).map((e) => e.actor));
    }
    expect(actors).toEqual([`${name}/gh-07`, `${name}/GH-09`]);
  });
});

describe('an officer a write names in its input', () => {
  // X-Officer refuses an ID number; the same value given as input.actor.officer or an alert move's
  // input.officer was kept beside the client in the case's or alert's history, shown in clear to every
  // reader (demo-civil-affairs/370826198311270591), the supervision office that sees ID numbers masked among them.
  const fullWidth = [...WANG.child].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
  const sent = [WANG.child, `staff/${WANG.child}`, `${WANG.child.slice(0, 6)} ${WANG.child.slice(6, 14)} ${WANG.child.slice(14)}`, fullWidth, [...WANG.child].join('\u200d')];
  const OPEN = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id history { actor } } userErrors { code } } }`;
  const open = (actor?: { officer: string }) => ({ input: { householdId: String(wangId), origin: 'APPLICATION', urgency: 'NORMAL', summary: '学费困难', reportedAt: `${TODAY}T09:00:00+08:00`, ...(actor ? { actor } : {}) } });
  const count = async (table: string) => Number(((await dbs.hubPool.query(`SELECT COUNT(*) AS n FROM ${table}`)) as any)[0][0].n);

  it('is refused when it is or holds an ID number (whole, in parts, full-width, split by joiners), naming the field, never echoed, nothing written', async () => {
    const cases = await count('aid_case');
    for (const officer of sent) {
      const res = await hub.gql(OPEN, open({ officer }));
      expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'OFFICER_ID_NUMBER', argument: 'input.actor.officer' })]);
      expect(JSON.stringify(res)).not.toContain(WANG.child.slice(6, 14));
    }
    expect(await count('aid_case')).toBe(cases);

    const { token } = await hub.createClient({ name: 'officer-input-guhuai', department: 'CIVIL_AFFAIRS', regionScope: WANG_TOWNSHIP, roles: ['READER', 'CASEWORKER'] });
    const township = hub.as({ token, purpose: 'MONITORING' });
    const id = await writeWangJobLossAlert(dbs, { identity: 'officer-input-1', householdId: wangId, now: () => new Date() });
    const ACK = `mutation($i: AlertAcknowledgeInput!) { alertAcknowledge(input: $i) { alert { state } userErrors { code } } }`;
    const events = await count('monitoring_alert_event');
    for (const officer of sent) {
      const res = await township.gql(ACK, { i: { alertId: id, officer } });
      expect(res.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', reason: 'OFFICER_ID_NUMBER', argument: 'input.officer' })]);
    }
    expect(await count('monitoring_alert_event')).toBe(events);
  });

  it('is kept beside the client when it is a staff identifier, digits and all (a name too, as before)', async () => {
    for (const officer of ['ca-0001', 'jn/2026-000042', '王芳']) {
      const res = await okPayload((q, v) => hub.gql(q, v), OPEN, open({ officer }), 'caseOpen');
      expect(res.case.history).toEqual([{ actor: `officer-test-education/${officer}` }]);
    }
  });
});

describe('a bad X-Officer', () => {
  // Too long, outside the charset (a name in UTF-8 bytes, as a header carries it), an ID number whole, in parts, inside.
  const sent = ['has space', 'x'.repeat(65), '张三', WANG.child, `${WANG.child.slice(0, 6)}-${WANG.child.slice(6, 14)}-${WANG.child.slice(14)}`, `staff-${WANG.child}`];

  it('is refused with a stable reason, before anything is read or recorded, and never echoed or logged', async () => {
    const before = await head();
    for (const value of sent) {
      const res = await fetch(`${hub.url}/graphql`, {
        method: 'POST',
        headers: { ...hub.authHeaders, 'content-type': 'application/json', 'x-officer': encodeURI(value) === value ? value : Buffer.from(value, 'utf8').toString('latin1') },
        body: JSON.stringify({ query: READ, variables: { id: String(wangId) } }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      const idNumber = /\d{6}/.test(value);
      expect(body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', reason: idNumber ? 'OFFICER_ID_NUMBER' : 'MALFORMED_OFFICER' });
      expect(JSON.stringify(body)).not.toContain(value);
    }
    expect(await head()).toEqual(before);
    const logged = logLines.join('');
    for (const value of sent.filter((v) => /\d{6}/.test(v))) expect(logged).not.toContain(value);
    expect(logged).not.toContain(WANG.child.slice(6, 14));
  });
});

describe('a client that must name its officer', () => {
  it('is made with --require-officer; a request without X-Officer is refused, one with it is served', async () => {
    const out: string[] = [];
    const code = await clientsCommand(['create', '--name', 'officer-test-township', '--department', 'CIVIL_AFFAIRS', '--scope', '370811', '--roles', 'READER', '--require-officer'], hub.accessDb, (l) => out.push(l));
    expect(code).toBe(0);
    expect(out[0]).toContain('officer required');
    const token = /token .*: (ahk_\S+)/.exec(out.join('\n'))![1];
    const township = hub.as({ token, purpose: 'ELIGIBILITY_REVIEW' });

    const before = await head();
    const missing = await township.gql(READ, { id: String(wangId) });
    expect(missing.status).toBe(400);
    expect(missing.errors![0].extensions).toEqual({ code: 'BAD_REQUEST', reason: 'OFFICER_REQUIRED' });
    expect(await head()).toEqual(before);

    const named = await township.gql(READ, { id: String(wangId) }, { 'x-officer': 'mzj-7' });
    expect(named.errors).toBeUndefined();
    expect(new Set((await rows('seq > ?', [before.seq])).map((r) => r.officer))).toEqual(new Set(['mzj-7']));

    // Made optional again: served without one (the token cache is off in tests).
    out.length = 0;
    expect(await clientsCommand(['require-officer', 'officer-test-township', '--off'], hub.accessDb, (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/^officer optional/);
    expect((await township.gql(READ, { id: String(wangId) })).errors).toBeUndefined();
  });
});
