/** Reading the audit trail straight from the hub's database, as the audit tests check what the hub wrote. */
import crypto from 'node:crypto';
import { GENESIS_HASH, rowHash, type AuditRowValues } from '../../access/audit';
import type { TestDatabases } from './databases';
import type { TestHub } from './hub';

/** The audit rows `where` keeps, in chain order. */
export async function auditRows(dbs: TestDatabases, where = '1=1', params: unknown[] = []): Promise<any[]> {
  const [r] = await dbs.hubPool.query(`SELECT * FROM access_log WHERE ${where} ORDER BY seq`, params);
  return r as any[];
}

/**
 * The values a row's hash covers (access/audit.ts rowHash), from a row as auditRows reads it: the one
 * place a test spells the columns, so a column added to the hash is added here once.
 */
export function auditRowValues(r: any): AuditRowValues {
  return {
    at: r.at, requestId: r.request_id, clientId: Number(r.client_id), clientName: r.client_name, department: r.department, regionScope: r.region_scope,
    purpose: r.purpose, caseReference: r.case_reference, channel: r.channel, operation: r.operation, operationHash: r.operation_hash,
    subjectKind: r.subject_kind, subjectRef: r.subject_ref, subjectLabel: r.subject_label, outcome: r.outcome, officer: r.officer, rootFields: r.root_fields, disclosed: r.disclosed ?? null,
  };
}

/**
 * Rewrites row `victim` (purpose AUDIT) and recomputes every hash after it and the head, as someone
 * with write access to the hub database could: the chain alone then verifies.
 */
export async function rewriteAuditRowRecomputing(dbs: TestDatabases, all: any[], victim: number): Promise<void> {
  let prev = GENESIS_HASH;
  for (const r of all) {
    const values = { ...auditRowValues(r), purpose: Number(r.seq) === victim ? 'AUDIT' : r.purpose };
    const hash = rowHash(prev, Number(r.seq), values);
    await dbs.hubPool.query('UPDATE access_log SET purpose = ?, prev_hash = ?, row_hash = ? WHERE seq = ?', [values.purpose, prev, hash, r.seq]);
    prev = hash;
  }
  await dbs.hubPool.query('UPDATE access_log_head SET last_hash = ? WHERE id = 1', [prev]);
}

/** The seq of the chain's last row. */
export async function lastAuditSeq(dbs: TestDatabases): Promise<number> {
  const [r] = await dbs.hubPool.query('SELECT last_seq FROM access_log_head WHERE id = 1');
  return Number((r as any[])[0].last_seq);
}

/** The reference a look-up of client `name` is recorded under: HMAC of "client:" + name under the trail's key. */
export async function auditClientRef(dbs: TestDatabases, name: string): Promise<string> {
  const [[secret]] = (await dbs.hubPool.query(`SELECT value FROM access_secret WHERE name = 'audit_subject_key'`)) as any;
  return crypto.createHmac('sha256', Buffer.from(secret.value, 'hex')).update(`client:${name}`).digest('hex');
}

/** Every entry an audit read (root field `field` of `query`) lists, paging `first` at a time, and each page's response. */
export async function auditPages(gql: TestHub['gql'], query: string, field: string, vars: Record<string, unknown>, first: number): Promise<{ seqs: number[]; nodes: any[]; pages: any[] }> {
  const nodes: any[] = [];
  const pages: any[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res: any = await gql(query, { ...vars, first, after });
    expect(res.errors).toBeUndefined();
    pages.push(res);
    nodes.push(...res.data[field].edges.map((e: any) => e.node));
    if (!res.data[field].pageInfo.hasNextPage) break;
    after = res.data[field].pageInfo.endCursor;
  }
  return { seqs: nodes.map((n) => Number(n.seq)), nodes, pages };
}

/**
 * Each response refused OUT_OF_SCOPE with no data, every one with the first's message: a client out of
 * scope reads exactly as one that does not exist.
 */
export function expectRefusedAlike(responses: readonly any[]): void {
  for (const res of responses) {
    expect(res.data).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
    expect(res.errors?.[0].message).toBe(responses[0].errors?.[0].message);
  }
}

const AUDIT_ROW_COLUMNS = 'seq, at, request_id, client_id, client_name, department, region_scope, channel, subject_kind, subject_ref, subject_label, outcome, officer, prev_hash, row_hash';

/**
 * Rows written straight into access_log, for an index test: values in the order of AUDIT_ROW_COLUMNS,
 * seqs far above the chain's (the chain is not verified afterwards); then ANALYZE, so the planner sees them.
 */
export async function insertAuditRows(dbs: TestDatabases, values: unknown[][]): Promise<void> {
  for (let i = 0; i < values.length; i += 2_000) {
    await dbs.hubPool.query(`INSERT INTO access_log (${AUDIT_ROW_COLUMNS}) VALUES ?`, [values.slice(i, i + 2_000)]);
  }
  await dbs.hubPool.query('ANALYZE TABLE access_log');
}
