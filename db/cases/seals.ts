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
 * no lock-order cycle (the first start's batches lock it first and take no other lock after: their
 * reads do not lock); a replayed mutation writes nothing, so it seals nothing.
 *
 * A database administrator who recomputes this chain after changing a row is caught by the signed
 * checkpoints: the hub signs the seal chain's head into the checkpoint file beside the access
 * chain's (access/checkpoints.ts, `case-checkpoint` lines). `npm run audit:verify` (verifyCaseSeals)
 * names a row CHANGED, DELETED or UNSEALED (inserted by hand), and a seal chain broken or rewritten.
 */
import crypto from 'node:crypto';
import { and, asc, eq, getTableName, gt, inArray, or, type SQL } from 'drizzle-orm';
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core';
import { isDuplicateKey, type HubDb } from '../connect';
import { lockingTransaction, type LockingTx } from '../locking';
import { toDbInstant } from '../instants';
import { aidCase, caseCountyApproval, caseDeadlineKept, caseEvent, caseMeeting, caseSeal, caseSealHead, meetingDepartment, referralSlip, secondAidApproval } from './schema';
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
  caseCountyApproval,
  caseDeadlineKept,
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

/** How many rows a page of the checks and a batch of the first start's sealing read at most (plus a first-key value's last rows). */
export const SEAL_PAGE = 5000;

/**
 * How a keyset page reads: `after` the rows after a value of the key (all from the start for null),
 * in key order, at most `limit`; `group` every row of one value; `valueOf` a row's value. A value's
 * rows are a unit no page splits: a meeting's departments (the value: its meeting), a key's seals.
 */
interface Keyset<R, K> {
  after(after: K | null, limit: number): Promise<R[]>;
  group(value: K): Promise<R[]>;
  valueOf(row: R): K;
}

/**
 * The page after `after` (a value of the keyset; null: the first), about `page` rows: it ends only
 * between two values, so it drops a full read's last value (read again from there next time), or
 * holds every row of it when that value alone fills the read (it may then hold more than `page`).
 * `last`: the value to read after next; `done`: nothing follows this page. The one rule for the
 * first start's batches (sealStanding), the check's rows and its sealed keys (verifyCaseSeals).
 */
async function keysetPage<R, K>(keyset: Keyset<R, K>, after: K | null, page: number): Promise<{ rows: R[]; last: K | null; done: boolean }> {
  const read = await keyset.after(after, page);
  if (read.length < page) return { rows: read, last: read.length > 0 ? keyset.valueOf(read[read.length - 1]) : after, done: true };
  const last = keyset.valueOf(read[read.length - 1]);
  const whole = read.filter((r) => keyset.valueOf(r) !== last);
  if (whole.length > 0) return { rows: whole, last: keyset.valueOf(whole[whole.length - 1]), done: false };
  return { rows: await keyset.group(last), last, done: false };
}

/** Every page of a keyset in order (keysetPage), none empty. */
async function* keysetPages<R, K>(keyset: Keyset<R, K>, page: number): AsyncGenerator<R[]> {
  let after: K | null = null;
  for (;;) {
    const p: { rows: R[]; last: K | null; done: boolean } = await keysetPage(keyset, after, page);
    if (p.rows.length > 0) yield p.rows;
    if (p.done) return;
    after = p.last;
  }
}

/** A sealed table's rows by the value of its first key column (a meeting's departments share their meeting's). */
function rowKeyset(db: HubQuery, table: MySqlTable): Keyset<Row, unknown> {
  const first = sealedTable(table).key[0];
  const prop = propertyOf(table, first);
  return {
    after: async (after, limit) => (await db.select().from(table).where(after === null ? undefined : gt(first, after)).orderBy(asc(first)).limit(limit)) as Row[],
    group: async (value) => (await db.select().from(table).where(eq(first, value))) as Row[],
    valueOf: (r) => r[prop],
  };
}

type SealOfKey = { rowKey: string; seq: unknown; rowDigest: string | null };

/** A sealed table's seals (case_seal_row) by row key, each key's in chain order. */
function sealKeyset(db: HubQuery, tableName: string): Keyset<SealOfKey, string> {
  const cols = { rowKey: caseSeal.rowKey, seq: caseSeal.seq, rowDigest: caseSeal.rowDigest };
  const ofTable = eq(caseSeal.tableName, tableName);
  return {
    after: (after, limit) => db.select(cols).from(caseSeal).where(after === null ? ofTable : and(ofTable, gt(caseSeal.rowKey, after))).orderBy(asc(caseSeal.rowKey), asc(caseSeal.seq)).limit(limit),
    group: (rowKey) => db.select(cols).from(caseSeal).where(and(ofTable, eq(caseSeal.rowKey, rowKey))).orderBy(asc(caseSeal.seq)),
    valueOf: (s) => s.rowKey,
  };
}

export interface SealStandingOptions {
  /** Rows a batch seals at most (SEAL_PAGE). */
  batch?: number;
  /** Called after each batch has committed, with the rows this call sealed so far (tests inject a crash here). */
  afterBatch?: (sealed: number) => Promise<void> | void;
}

/**
 * The upgrade of a database written by a release that did not seal: the first start makes the
 * chain's head and seals every case row standing (provisionHub runs it before the data upgrades,
 * which seal what they change). In batches of `batch` rows, each its own transaction that locks the
 * head first and moves the head's cursor (`standing_table`, `standing_after`) with the seals it
 * appends: a start killed between two batches leaves the cursor at the last batch committed, the
 * next start continues from there, and two processes starting at once take batches in turn (each
 * reads the cursor under the head's lock), so no standing row is sealed twice or missed. A case
 * write meanwhile waits for the head at most one batch (it seals its own rows; one it wrote ahead of
 * the cursor is sealed again, as it stands, when the cursor reaches it: its last seal holds).
 * Returns the rows this call sealed; 0 when they were sealed before.
 */
export async function sealStanding(db: HubDb, opts: SealStandingOptions = {}): Promise<number> {
  const batch = opts.batch ?? SEAL_PAGE;
  try {
    await lockingTransaction(db, async (tx) => {
      const [head] = await tx.select().from(caseSealHead).where(eq(caseSealHead.id, 1)).for('update');
      if (!head) await tx.insert(caseSealHead).values({ id: 1, lastSeq: 0, lastHash: SEAL_GENESIS, standingTable: sealedTable(SEALED_TABLES[0]).name, standingAfter: null });
    });
  } catch (err) {
    // Another process made it at the same moment: both go on to take batches.
    if (!(isDuplicateKey(err, 'PRIMARY') || isDuplicateKey(err, 'case_seal_head'))) throw err;
  }
  let sealed = 0;
  for (;;) {
    const done = await lockingTransaction(db, async (tx) => {
      const [head] = await tx.select().from(caseSealHead).where(eq(caseSealHead.id, 1)).for('update');
      if (!head) throw new Error('case_seal_head vanished while the rows standing were sealed (deleted by hand?)');
      if (head.standingTable === null) return { done: true, rows: 0 };
      const at = SEALED_TABLES.findIndex((t) => sealedTable(t).name === head.standingTable);
      if (at < 0) throw new Error(`case_seal_head.standing_table names ${head.standingTable}, not a sealed case table (db/cases/seals.ts SEALED_TABLES)`);
      const table = SEALED_TABLES[at];
      const name = sealedTable(table).name;
      const page = await keysetPage(rowKeyset(tx, table), head.standingAfter === null ? null : Number(head.standingAfter), batch);
      if (page.rows.length > 0) {
        await appendSeals(tx, head, page.rows.map((r) => ({ tableName: name, rowKey: rowKeyOf(table, r), digest: rowDigest(table, r) })));
      }
      const next = page.done ? { standingTable: at + 1 < SEALED_TABLES.length ? sealedTable(SEALED_TABLES[at + 1]).name : null, standingAfter: null } : { standingTable: name, standingAfter: Number(page.last) };
      await tx.update(caseSealHead).set(next).where(eq(caseSealHead.id, 1));
      return { done: false, rows: page.rows.length };
    });
    if (done.done) return sealed;
    sealed += done.rows;
    await opts.afterBatch?.(sealed);
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

/** The last seal of each of `keys` in `table` (one read through case_seal_row). */
async function lastSealsOf(db: HubQuery, tableName: string, keys: readonly string[]): Promise<Map<string, { digest: string | null; seq: number }>> {
  const last = new Map<string, { digest: string | null; seq: number }>();
  if (keys.length === 0) return last;
  const wanted = new Set(keys);
  const seals = await db
    .select({ rowKey: caseSeal.rowKey, seq: caseSeal.seq, rowDigest: caseSeal.rowDigest })
    .from(caseSeal)
    .where(and(eq(caseSeal.tableName, tableName), inArray(caseSeal.rowKey, [...wanted])))
    .orderBy(asc(caseSeal.rowKey), asc(caseSeal.seq));
  // The column's collation matches keys case-blind; a key is its exact spelling.
  for (const s of seals) if (wanted.has(s.rowKey)) last.set(s.rowKey, { digest: s.rowDigest, seq: Number(s.seq) });
  return last;
}

/** Each key `table` has seals for, with its last seal, in key order, a page at a time (keysetPage over sealKeyset). */
async function* everySealedKey(db: HubQuery, tableName: string, page: number): AsyncGenerator<{ rowKey: string; digest: string | null; seq: number }[]> {
  for await (const seals of keysetPages(sealKeyset(db, tableName), page)) {
    const keys: { rowKey: string; digest: string | null; seq: number }[] = [];
    for (const s of seals) {
      const k = { rowKey: s.rowKey, digest: s.rowDigest, seq: Number(s.seq) };
      if (keys.length > 0 && keys[keys.length - 1].rowKey === s.rowKey) keys[keys.length - 1] = k;
      else keys.push(k);
    }
    yield keys;
  }
}

/** Which of `rowKeys` (as sealed) name a row of `table` now. */
async function keysStanding(db: HubQuery, table: MySqlTable, rowKeys: readonly string[]): Promise<Set<string>> {
  const first = sealedTable(table).key[0];
  const firsts = [...new Set(rowKeys.map((k) => k.split('/')[0]))].filter((v) => /^\d+$/.test(v));
  const standing = new Set<string>();
  if (firsts.length === 0) return standing;
  const key = Object.fromEntries(sealedTable(table).key.map((c) => [propertyOf(table, c), c]));
  const rows = (await db.select(key).from(table).where(inArray(first, firsts.map(Number)))) as Row[];
  for (const r of rows) standing.add(rowKeyOf(table, r));
  return standing;
}

/**
 * Walks the seal chain, then every row of SEALED_TABLES against its last seal, then every key
 * sealed against the rows; `checkpoints`: the seal chain's heads signed into the checkpoint file
 * (access/checkpoints.ts caseCheckpoints). Each in pages of `page` (SEAL_PAGE) by key: it holds a
 * page at a time, never every seal (a city's seals outgrow a process).
 */
export async function verifyCaseSeals(db: HubDb, checkpoints: readonly { seq: number; hash: string }[] = [], opts: { page?: number } = {}): Promise<CaseSealVerdict> {
  const pageSize = opts.page ?? SEAL_PAGE;
  const findings: CaseSealFinding[] = [];
  const [head] = await db.select().from(caseSealHead).where(eq(caseSealHead.id, 1));
  const wanted = new Map<number, string>();
  for (const c of checkpoints) wanted.set(c.seq, c.hash);
  const atCheckpoint = new Map<number, string>();
  let prev = SEAL_GENESIS;
  let expected = 1;
  let broken = false;
  let after = 0;
  for (;;) {
    const page = await db.select().from(caseSeal).where(gt(caseSeal.seq, after)).orderBy(asc(caseSeal.seq)).limit(pageSize);
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
  // The first start's sealing stopped half-way (killed): the rows after its cursor have no seal yet.
  if (head?.standingTable) {
    findings.push({ problem: 'UNSEALED', message: `the sealing of the case records standing at the first start stopped at ${head.standingTable} after ${head.standingAfter ?? 'its start'}: start this release's hub once, which finishes it (db/cases/seals.ts sealStanding)` });
    return { ok: false, findings, seals: chainEnd, rows: 0 };
  }
  let rows = 0;
  // Per table, the rows found under a live seal (CHANGED or intact): when the table has as many keys
  // whose last seal is live, none of them is DELETED, and their rows need not be looked up.
  const matched = new Map<string, number>();
  for (const table of SEALED_TABLES) {
    const name = sealedTable(table).name;
    matched.set(name, 0);
    for await (const page of keysetPages(rowKeyset(db, table), pageSize)) {
      const keyed = page.map((r) => ({ r, rowKey: rowKeyOf(table, r) }));
      const last = await lastSealsOf(db, name, keyed.map((k) => k.rowKey));
      for (const { r, rowKey } of keyed) {
        rows += 1;
        const seal = last.get(rowKey);
        if (!seal || seal.digest === null) findings.push({ problem: 'UNSEALED', table: name, rowKey, message: `${name} ${rowKey} has no seal: it was inserted behind the hub's back` });
        else {
          matched.set(name, (matched.get(name) ?? 0) + 1);
          if (seal.digest !== rowDigest(table, r)) findings.push({ problem: 'CHANGED', table: name, rowKey, seq: seal.seq, message: `${name} ${rowKey} differs from its seal ${seal.seq}: it was changed behind the hub's back` });
        }
      }
    }
  }
  for (const table of SEALED_TABLES) {
    const name = sealedTable(table).name;
    let live = 0;
    for await (const keys of everySealedKey(db, name, pageSize)) live += keys.filter((k) => k.digest !== null).length;
    if (live === matched.get(name)) continue;
    // Some key's row is gone (or came or went since it was read): each live key looked up.
    for await (const keys of everySealedKey(db, name, pageSize)) {
      const sealed = keys.filter((k) => k.digest !== null);
      const standing = await keysStanding(db, table, sealed.map((k) => k.rowKey));
      for (const k of sealed) {
        if (!standing.has(k.rowKey)) findings.push({ problem: 'DELETED', table: name, rowKey: k.rowKey, seq: k.seq, message: `${name} ${k.rowKey}, sealed at ${k.seq}, is gone: it was deleted behind the hub's back` });
      }
    }
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
