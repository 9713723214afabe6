/**
 * Tamper evidence for the case records supervision judges lateness by (a slip's due date and
 * `answered_at`, a case's report, a meeting's dossier …). Every row a hub write inserts or changes
 * in one of SEALED_TABLES is sealed in the same transaction: the SHA-256 of the row as written (no
 * personal data in clear) is appended to `case_seal`, linked to the seal before it by hash, and
 * `case_seal_head` moves to it. The case change and its seal commit together or not at all.
 *
 * A chain of its own, not the access chain: the audit writer holds the access chain's head for up
 * to a second while it group-commits (access/audit.ts), and case writes taking it queued behind
 * those commits (test/cases-loop went from 14.5 s to 155.8 s). This head is locked only by case
 * writes, as the last statement before their COMMIT, after every other lock they take, so it adds
 * no lock-order cycle; a replayed mutation writes nothing, so it seals nothing.
 *
 * A database administrator who recomputes this chain after changing a row is caught by the signed
 * checkpoints: the hub signs the seal chain's head into the checkpoint file beside the access
 * chain's (access/checkpoints.ts, `case-checkpoint` lines). `npm run audit:verify` (verifyCaseSeals)
 * names a row CHANGED, DELETED or UNSEALED (inserted by hand), and a seal chain broken or rewritten.
 */
import crypto from 'node:crypto';
import { asc, eq, getTableName, gt, or, type SQL } from 'drizzle-orm';
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core';
import { isDuplicateKey, type HubDb } from '../connect';
import { lockingTransaction, type LockingTx } from '../locking';
import { toDbInstant } from '../instants';
import { aidCase, caseEvent, caseMeeting, caseSeal, caseSealHead, meetingDepartment, referralSlip, secondAidApproval } from './schema';
import { caseFirstAid, decisionCheck, decisionCorrection, declinedDecision, referralFulfilment } from '../case-loop/schema';
import type { HubQuery } from './records';

export const SEAL_GENESIS = '0'.repeat(64);

/** The case records sealed: every table supervision reads the closed loop's times from. */
export const SEALED_TABLES: readonly MySqlTable[] = [
  aidCase,
  caseEvent,
  referralSlip,
  decisionCorrection,
  caseMeeting,
  meetingDepartment,
  decisionCheck,
  caseFirstAid,
  referralFulfilment,
  declinedDecision,
  secondAidApproval,
];

/** A sealed table's primary-key columns, in key order. */
function keyColumns(table: MySqlTable): MySqlColumn[] {
  const config = getTableConfig(table);
  const composite = config.primaryKeys[0]?.columns;
  return composite && composite.length > 0 ? composite : config.columns.filter((c) => c.primary);
}

const KEYS = new Map<MySqlTable, { name: string; key: MySqlColumn[]; columns: MySqlColumn[] }>(
  SEALED_TABLES.map((t) => [t, { name: getTableName(t), key: keyColumns(t), columns: getTableConfig(t).columns }]),
);

function sealedTable(table: MySqlTable) {
  const t = KEYS.get(table);
  if (!t) throw new Error(`${getTableName(table)} is not a sealed case table (db/cases/seals.ts SEALED_TABLES)`);
  return t;
}

export function isSealedTable(table: MySqlTable): boolean {
  return KEYS.has(table);
}

type Row = Record<string, unknown>;

/** The row's primary key as sealed: `12`, or `12/HEALTH` for a key of two columns. */
function rowKeyOf(table: MySqlTable, row: Row): string {
  return sealedTable(table)
    .key.map((c) => String(row[propertyOf(table, c)]))
    .join('/');
}

const PROPERTIES = new Map<MySqlColumn, string>();
for (const t of SEALED_TABLES) {
  for (const [prop, col] of Object.entries(t as unknown as Record<string, unknown>)) {
    if (sealedTable(t).columns.includes(col as MySqlColumn)) PROPERTIES.set(col as MySqlColumn, prop);
  }
}
function propertyOf(table: MySqlTable, column: MySqlColumn): string {
  const p = PROPERTIES.get(column);
  if (!p) throw new Error(`${getTableName(table)}.${column.name}: no property`);
  return p;
}

/**
 * SHA-256 of a row as the hub reads it (the pool reads instants and dates as strings), its columns
 * by their database names in name order: a column a later release adds is part of the digest from
 * then on, and a row sealed before it is CHANGED only once that column holds something (null is left out).
 */
export function rowDigest(table: MySqlTable, row: Row): string {
  const t = sealedTable(table);
  const cells: [string, unknown][] = [];
  for (const c of [...t.columns].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const v = row[propertyOf(table, c)];
    if (v === null || v === undefined) continue;
    cells.push([c.name, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? String(v) : v]);
  }
  return crypto.hash('sha256', JSON.stringify(['aidhub-case-row', 1, t.name, cells]), 'hex');
}

/** The hash that links seal `seq` to the one before. */
export function sealHash(prevHash: string, seq: number, tableName: string, rowKey: string, digest: string | null): string {
  return crypto.hash('sha256', `${prevHash}\n${seq}\n${tableName}\n${rowKey}\n${digest ?? '-'}`, 'hex');
}

interface Touch {
  table: MySqlTable;
  where: SQL;
}

const pending = new WeakMap<object, Touch[]>();

/**
 * A case write's transaction (lockingTransaction), sealing at its end every row the write named
 * with sealLater, in the same transaction: the seal is the last thing written before COMMIT.
 */
export async function sealedTransaction<T>(db: HubDb, work: (tx: LockingTx) => Promise<T>): Promise<T> {
  return lockingTransaction(db, async (tx) => {
    const touched: Touch[] = [];
    pending.set(tx, touched);
    try {
      const result = await work(tx);
      await sealRows(tx, touched);
      return result;
    } finally {
      pending.delete(tx);
    }
  });
}

/**
 * Names rows of a sealed table the transaction inserted or changed (`where` selects them); they
 * are read and sealed as they stand at its end. Refused outside sealedTransaction: a case write
 * that would leave its rows unsealed is a defect, not a choice.
 */
export function sealLater(tx: HubQuery, table: MySqlTable, where: SQL | undefined): void {
  const touched = pending.get(tx);
  if (!touched) throw new Error(`${getTableName(table)} written outside a sealed transaction (db/cases/seals.ts sealedTransaction)`);
  if (!where) throw new Error(`${getTableName(table)}: sealLater needs the rows written`);
  sealedTable(table);
  touched.push({ table, where });
}

/** Reads the rows named, then appends their seals after the head (locked now, the transaction's last lock). */
async function sealRows(tx: LockingTx, touched: readonly Touch[]): Promise<void> {
  if (touched.length === 0) return;
  const byTable = new Map<MySqlTable, SQL[]>();
  for (const t of touched) byTable.set(t.table, [...(byTable.get(t.table) ?? []), t.where]);
  const rows: { tableName: string; rowKey: string; digest: string }[] = [];
  const seen = new Set<string>();
  for (const [table, wheres] of byTable) {
    const read = (await tx.select().from(table).where(wheres.length === 1 ? wheres[0] : or(...wheres))) as Row[];
    for (const r of read) {
      const rowKey = rowKeyOf(table, r);
      const name = sealedTable(table).name;
      if (seen.has(`${name}:${rowKey}`)) continue;
      seen.add(`${name}:${rowKey}`);
      rows.push({ tableName: name, rowKey, digest: rowDigest(table, r) });
    }
  }
  if (rows.length === 0) return;
  const [head] = await tx.select().from(caseSealHead).where(eq(caseSealHead.id, 1)).for('update');
  if (!head) throw new Error('case_seal_head is missing: the hub seals the case records standing at its first start (db/cases/seals.ts sealStanding); start it once');
  await appendSeals(tx, head, rows);
}

async function appendSeals(tx: HubQuery, head: { lastSeq: number; lastHash: string }, rows: readonly { tableName: string; rowKey: string; digest: string | null }[]): Promise<{ lastSeq: number; lastHash: string }> {
  let seq = Number(head.lastSeq);
  let prev = head.lastHash;
  const sealedAt = toDbInstant(new Date());
  const values = rows.map((r) => {
    seq += 1;
    const hash = sealHash(prev, seq, r.tableName, r.rowKey, r.digest);
    const v = { seq, tableName: r.tableName, rowKey: r.rowKey, rowDigest: r.digest, prevHash: prev, sealHash: hash, sealedAt };
    prev = hash;
    return v;
  });
  for (let i = 0; i < values.length; i += 500) await tx.insert(caseSeal).values(values.slice(i, i + 500));
  await tx.update(caseSealHead).set({ lastSeq: seq, lastHash: prev }).where(eq(caseSealHead.id, 1));
  return { lastSeq: seq, lastHash: prev };
}

/** Rows of a sealed table in primary-key order, a page at a time (keyset on the first key column, then the rest in memory). */
async function* everyRow(db: HubQuery, table: MySqlTable, page = 5000): AsyncGenerator<Row> {
  const first = sealedTable(table).key[0];
  const prop = propertyOf(table, first);
  let after: unknown = null;
  for (;;) {
    // A page ends only between two values of the first key column (a meeting's departments stay together).
    const rows = (await db
      .select()
      .from(table)
      .where(after === null ? undefined : gt(first, after))
      .orderBy(asc(first))
      .limit(page)) as Row[];
    if (rows.length === 0) return;
    const last = rows[rows.length - 1][prop];
    const whole = rows.length < page ? rows : rows.filter((r) => r[prop] !== last);
    if (whole.length === 0) {
      yield* (await db.select().from(table).where(eq(first, last))) as Row[];
    } else yield* whole;
    if (rows.length < page) return;
    after = whole.length === 0 ? last : whole[whole.length - 1][prop];
  }
}

/**
 * The upgrade of a database written by a release that did not seal: the first start makes the
 * chain's head and seals every case row standing, in one transaction (provisionHub runs it before
 * the data upgrades, which seal what they change). Returns the rows sealed; 0 when the head was
 * there (sealed before, or by another process starting at the same moment).
 */
export async function sealStanding(db: HubDb): Promise<number> {
  try {
    return await lockingTransaction(db, async (tx) => {
      const [head] = await tx.select().from(caseSealHead).where(eq(caseSealHead.id, 1)).for('update');
      if (head) return 0;
      await tx.insert(caseSealHead).values({ id: 1, lastSeq: 0, lastHash: SEAL_GENESIS });
      let at = { lastSeq: 0, lastHash: SEAL_GENESIS };
      let batch: { tableName: string; rowKey: string; digest: string }[] = [];
      for (const table of SEALED_TABLES) {
        for await (const r of everyRow(tx, table)) {
          batch.push({ tableName: sealedTable(table).name, rowKey: rowKeyOf(table, r), digest: rowDigest(table, r) });
          if (batch.length >= 5000) {
            at = await appendSeals(tx, at, batch);
            batch = [];
          }
        }
      }
      if (batch.length > 0) at = await appendSeals(tx, at, batch);
      return at.lastSeq;
    });
  } catch (err) {
    if (isDuplicateKey(err, 'PRIMARY') || isDuplicateKey(err, 'case_seal_head')) return 0;
    throw err;
  }
}

/** The seal chain's head as committed (a plain read): what the signed checkpoints vouch for; null before anything is sealed. */
export async function caseSealHeadNow(db: HubQuery): Promise<{ seq: number; hash: string } | null> {
  const [head] = await db.select().from(caseSealHead).where(eq(caseSealHead.id, 1));
  return head && Number(head.lastSeq) > 0 ? { seq: Number(head.lastSeq), hash: head.lastHash } : null;
}

// ----- Verification ---------------------------------------------------------------------------------

/**
 * What verifyCaseSeals finds: a case row CHANGED since its seal, DELETED while sealed, UNSEALED
 * (a row no hub write sealed: inserted by hand); a seal chain BROKEN (a seal changed without its
 * hash recomputed, or removed), with seals INSERTED after its head or TRUNCATED before it; a chain
 * REWRITTEN (hashes recomputed: it contradicts a signed checkpoint).
 */
export type CaseSealProblem = 'CHANGED' | 'DELETED' | 'UNSEALED' | 'BROKEN' | 'INSERTED' | 'TRUNCATED' | 'REWRITTEN';

export interface CaseSealFinding {
  problem: CaseSealProblem;
  message: string;
  table?: string;
  rowKey?: string;
  seq?: number;
}

export type CaseSealVerdict =
  | { ok: true; seals: number; rows: number; head: { seq: number; hash: string } | null }
  | { ok: false; findings: CaseSealFinding[]; seals: number; rows: number };

/**
 * Walks the seal chain, then every row of SEALED_TABLES against its last seal; `checkpoints`: the
 * seal chain's heads signed into the checkpoint file (access/checkpoints.ts caseCheckpoints).
 */
export async function verifyCaseSeals(db: HubDb, checkpoints: readonly { seq: number; hash: string }[] = []): Promise<CaseSealVerdict> {
  const findings: CaseSealFinding[] = [];
  const [head] = await db.select().from(caseSealHead).where(eq(caseSealHead.id, 1));
  const wanted = new Map<number, string>();
  for (const c of checkpoints) wanted.set(c.seq, c.hash);
  const atCheckpoint = new Map<number, string>();
  const last = new Map<string, { digest: string | null; seq: number }>();
  let prev = SEAL_GENESIS;
  let expected = 1;
  let broken = false;
  let after = 0;
  for (;;) {
    const page = await db.select().from(caseSeal).where(gt(caseSeal.seq, after)).orderBy(asc(caseSeal.seq)).limit(5000);
    if (page.length === 0) break;
    for (const s of page) {
      const seq = Number(s.seq);
      if (!broken) {
        if (seq !== expected) {
          findings.push({ problem: 'BROKEN', seq: expected, message: `seal ${expected} is missing (the next is ${seq}): seals were removed` });
          broken = true;
        } else if (s.prevHash !== prev || s.sealHash !== sealHash(s.prevHash, seq, s.tableName, s.rowKey, s.rowDigest)) {
          findings.push({ problem: 'BROKEN', seq, message: `seal ${seq} (${s.tableName} ${s.rowKey}) was changed: its hash does not follow` });
          broken = true;
        }
      }
      if (wanted.has(seq)) atCheckpoint.set(seq, s.sealHash);
      last.set(`${s.tableName}\n${s.rowKey}`, { digest: s.rowDigest, seq });
      prev = s.sealHash;
      expected = seq + 1;
    }
    after = Number(page[page.length - 1].seq);
  }
  const chainEnd = expected - 1;
  const headSeq = head ? Number(head.lastSeq) : 0;
  if (!head && chainEnd > 0) findings.push({ problem: 'BROKEN', message: `case_seal_head is missing while ${chainEnd} seals stand` });
  else if (chainEnd > headSeq) findings.push({ problem: 'INSERTED', seq: headSeq + 1, message: `seals ${headSeq + 1}..${chainEnd} lie after the recorded head (${headSeq}): they were inserted` });
  else if (chainEnd < headSeq) findings.push({ problem: 'TRUNCATED', seq: chainEnd + 1, message: `the seal chain ends at ${chainEnd}, before its recorded head (${headSeq}): the last seals were removed` });
  else if (head && chainEnd > 0 && head.lastHash !== prev) findings.push({ problem: 'BROKEN', seq: chainEnd, message: `the head's hash is not the last seal's` });
  for (const c of checkpoints) {
    const hash = atCheckpoint.get(c.seq);
    if (hash === undefined) findings.push({ problem: 'TRUNCATED', seq: c.seq, message: `seal ${c.seq}, which a signed checkpoint vouches for, is not in the chain: seals were removed` });
    else if (hash !== c.hash) {
      findings.push({ problem: 'REWRITTEN', seq: c.seq, message: `seal ${c.seq} differs from its signed checkpoint: the seal chain was rewritten and its hashes recomputed` });
    }
  }
  // No head and no seal: a database no sealing release has started on, or one whose seals were all removed.
  if (!head && chainEnd === 0 && findings.length === 0) {
    findings.push({ problem: 'UNSEALED', message: "the case records are not sealed (no case_seal_head): start this release's hub once, which seals the rows standing (db/cases/seals.ts sealStanding), or its seals were removed" });
    return { ok: false, findings, seals: 0, rows: 0 };
  }
  let rows = 0;
  for (const table of SEALED_TABLES) {
    const name = sealedTable(table).name;
    for await (const r of everyRow(db, table)) {
      rows += 1;
      const rowKey = rowKeyOf(table, r);
      const k = `${name}\n${rowKey}`;
      const seal = last.get(k);
      last.delete(k);
      if (!seal || seal.digest === null) findings.push({ problem: 'UNSEALED', table: name, rowKey, message: `${name} ${rowKey} has no seal: it was inserted behind the hub's back` });
      else if (seal.digest !== rowDigest(table, r)) findings.push({ problem: 'CHANGED', table: name, rowKey, seq: seal.seq, message: `${name} ${rowKey} differs from its seal ${seal.seq}: it was changed behind the hub's back` });
    }
  }
  for (const [k, seal] of last) {
    if (seal.digest === null) continue;
    const [table, rowKey] = k.split('\n');
    findings.push({ problem: 'DELETED', table, rowKey, seq: seal.seq, message: `${table} ${rowKey}, sealed at ${seal.seq}, is gone: it was deleted behind the hub's back` });
  }
  if (findings.length > 0) return { ok: false, findings, seals: chainEnd, rows };
  return { ok: true, seals: chainEnd, rows, head: head && chainEnd > 0 ? { seq: chainEnd, hash: prev } : null };
}

/** The verdict's lines for audit:verify: one when intact, else each finding (the first 50, then how many more). */
export function describeCaseSeals(v: CaseSealVerdict): string[] {
  if (v.ok) return [v.head ? `case records intact: ${v.rows} rows, ${v.seals} seals; seal head ${v.head.seq}:${v.head.hash}` : `case records intact: ${v.rows} rows, nothing sealed yet`];
  const shown = v.findings.slice(0, 50).map((f) => `case record ${f.problem}${f.table ? ` ${f.table} ${f.rowKey}` : f.seq !== undefined ? ` at seal ${f.seq}` : ''}: ${f.message}`);
  const more = v.findings.length > 50 ? [`… and ${v.findings.length - 50} more case record findings`] : [];
  return [`case records BROKEN: ${v.findings.length} finding${v.findings.length === 1 ? '' : 's'} (${v.rows} rows, ${v.seals} seals checked)`, ...shown, ...more];
}
