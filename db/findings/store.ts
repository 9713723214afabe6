/**
 * Stored findings: scans and their progress, writing what a scan found (keeping each finding's
 * identity and settled status across scans), settling a finding with who and why, and reading
 * them back a page at a time. Every write that reads a status first locks the row (one
 * transaction), so a scan and an officer settling the same finding cannot overwrite each other.
 */
import { and, asc, desc, eq, getTableColumns, gt, inArray, like, lt, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import crypto from 'node:crypto';
import mysql from 'mysql2/promise';
import { divisionPrefix } from '../../domain/division-code';
import { inList } from '../in-list';
import { OFFICE_CODES, type OfficeCode, DEPARTMENT_NUMBERS } from '../../domain/departments';
type DepartmentCode = OfficeCode;
import type { IsoDate } from '../../domain/dates';
import type { AidRecord, Finding, Measure } from '../../domain/findings/facts';
import type { RuleKind, RuleSet, Severity } from '../../domain/findings/rule-set';
import { contentHashAsHeld } from '../../domain/findings/identity';
import { isRepeatSettle, seenAgain, settle, settledStatus, type FindingStatus, type SettleAction, type SettleRefusal } from '../../domain/findings/settlement';
import type { HubDb } from '../connect';
import type { HubQuery, HubTx } from '../cases/records';
import { lockingTransaction, type LockingTx } from '../locking';
import { dbNow, toDbInstant } from '../instants';
import { heardWithin as heardWithinBy, HEARTBEAT_TIMEOUT_MS, JOB_INTERRUPTED, silentColumn, silentFor as silentForBy } from '../heartbeat';
import { finding, findingEvent, findingOccurrence, findingScan, FINDING_LIMITS } from './schema';

export type ScanRow = typeof findingScan.$inferSelect;
/** A scan as the API reads it: its row, and whether it is RUNNING but silent by the database's clock. */
export type ScanView = ScanRow & { silent: boolean };
export type FindingRow = typeof finding.$inferSelect;
export type FindingEventRow = typeof findingEvent.$inferSelect;

/** The departments concerned as stored: one bit per department's stable number (domain/departments.ts). */
export function departmentMask(codes: readonly DepartmentCode[]): number {
  return codes.reduce((m, c) => (m | (1 << DEPARTMENT_NUMBERS[c])) >>> 0, 0);
}

export function departmentsOfMask(mask: number): DepartmentCode[] {
  return OFFICE_CODES.filter((c) => (mask & (1 << DEPARTMENT_NUMBERS[c])) !== 0);
}

export function townshipOf(regionCode: string | null): string | null {
  return regionCode && regionCode.length >= 9 ? regionCode.slice(0, 9) : null;
}

/** What a stored finding says, as it was last seen. */
export interface FindingDetail {
  idNumbers: string[];
  records: AidRecord[];
  measure: Measure;
  explanation: string;
}

/** A finding as the API shows it: computed now, stored by a scan, or both. */
export interface FindingView extends Omit<Finding, 'contentHash'> {
  /** OPEN for a finding no scan has stored yet. */
  status: FindingStatus;
  stored: FindingRow | null;
}

export function viewOfRow(row: FindingRow): FindingView {
  const detail = JSON.parse(row.detail) as FindingDetail;
  return {
    fingerprint: row.fingerprint,
    ruleId: row.ruleId,
    kind: row.kind as RuleKind,
    severity: row.severity,
    scope: row.scope,
    householdId: row.householdId,
    idNumbers: detail.idNumbers,
    records: detail.records,
    measure: detail.measure,
    departments: departmentsOfMask(row.departmentMask),
    ongoing: row.ongoing,
    explanation: detail.explanation,
    status: row.status,
    stored: row,
  };
}

/** A finding computed now, with its stored status if a scan has recorded it. */
export function viewOfFinding(f: Finding, stored: FindingRow | null): FindingView {
  const { fingerprint, ruleId, kind, severity, scope, householdId, idNumbers, records, measure, departments, ongoing, explanation } = f;
  return { fingerprint, ruleId, kind, severity, scope, householdId, idNumbers, records, measure, departments, ongoing, explanation, status: stored?.status ?? 'OPEN', stored };
}

// ----- Scans --------------------------------------------------------------------------------------

export interface ScanStart {
  regionCode: string;
  asOf: IsoDate;
  ruleSet: RuleSet;
  startedBy: string;
  startedByDepartment: DepartmentCode | null;
}

export async function createScan(db: HubQuery, s: ScanStart): Promise<number> {
  // The database's clock (one value within the statement): another hub process judges the heartbeat by it.
  const now = dbNow();
  const [res] = await db.insert(findingScan).values({
    regionCode: s.regionCode,
    state: 'RUNNING',
    asOf: s.asOf,
    ruleSetName: s.ruleSet.name.slice(0, 200),
    ruleSetDigest: s.ruleSet.digest,
    startedBy: s.startedBy.slice(0, FINDING_LIMITS.actor),
    startedByDepartment: s.startedByDepartment,
    startedAt: now,
    heartbeatAt: now,
  });
  return res.insertId;
}

/** A RUNNING scan with no heartbeat for this long (by the database's clock) died with its process (db/heartbeat.ts). */
export const SCAN_HEARTBEAT_TIMEOUT_MS = HEARTBEAT_TIMEOUT_MS;

/** Scans alive or dead by the database's clock, the rule every job is judged by (db/heartbeat.ts). */
const heardWithin = (silentMs: number) => heardWithinBy(findingScan.heartbeatAt, silentMs);
const silentFor = (silentMs: number) => silentForBy(findingScan.heartbeatAt, silentMs);

/**
 * The columns of a scan as the API reads it: `silent` is a RUNNING scan not heard from within the
 * timeout by the database's clock, which the API shows as INTERRUPTED before the next scan start
 * marks it so (db/heartbeat.ts).
 */
const scanViewColumns = { ...getTableColumns(findingScan), silent: silentColumn(findingScan.state, findingScan.heartbeatAt) };

/** RUNNING scans heard from within `silentMs` by the database's clock (older ones died with their process). */
export async function runningScans(db: HubQuery, silentMs: number): Promise<ScanRow[]> {
  return db
    .select()
    .from(findingScan)
    .where(and(eq(findingScan.state, 'RUNNING'), heardWithin(silentMs)));
}

/** Ids of RUNNING scans not heard from within `silentMs` by the database's clock. */
export async function staleScanIds(db: HubQuery, silentMs: number): Promise<number[]> {
  const rows = await db
    .select({ id: findingScan.id })
    .from(findingScan)
    .where(and(eq(findingScan.state, 'RUNNING'), silentFor(silentMs)));
  return rows.map((r) => r.id);
}

/** What a scan that died with its process is marked with. */
export const SCAN_INTERRUPTED = JOB_INTERRUPTED;

/**
 * Marks RUNNING scans not heard from within `silentMs` by the database's clock as FAILED
 * (INTERRUPTED), ended when they were last heard of. Returns how many.
 */
export async function abandonStaleScans(db: HubQuery, silentMs: number): Promise<number> {
  const [res] = await db
    .update(findingScan)
    .set({ state: 'FAILED', failure: SCAN_INTERRUPTED, finishedAt: sql`${findingScan.heartbeatAt}` })
    .where(and(eq(findingScan.state, 'RUNNING'), silentFor(silentMs)));
  return res.affectedRows;
}

export interface ScanCounts {
  householdsTotal: number;
  householdsDone: number;
  findingsCount: number;
  newCount: number;
  reopenedCount: number;
  stillSettledCount: number;
}

export async function recordScanProgress(db: HubQuery, scanId: number, counts: ScanCounts): Promise<void> {
  await db.update(findingScan).set({ ...counts, heartbeatAt: dbNow() }).where(eq(findingScan.id, scanId));
}

/** The scan row's heartbeat, between chunks (its lease was just renewed). */
export async function touchScan(db: HubQuery, scanId: number): Promise<void> {
  await db.update(findingScan).set({ heartbeatAt: dbNow() }).where(and(eq(findingScan.id, scanId), eq(findingScan.state, 'RUNNING')));
}

export async function finishScan(db: HubQuery, scanId: number, state: 'SUCCEEDED' | 'FAILED', counts: ScanCounts, failure: string | null = null): Promise<void> {
  const now = dbNow();
  await db
    .update(findingScan)
    .set({ ...counts, state, failure: failure?.slice(0, 200) ?? null, heartbeatAt: now, finishedAt: now })
    .where(eq(findingScan.id, scanId));
}

/**
 * Progress of every running scan, whichever hub process runs it (for /metrics): RUNNING and heard
 * from within the timeout by the database's clock, the rule the API shows scans by (db/heartbeat.ts).
 * A scan whose process died is not running: counted here, a dead scan showed running on the dashboards.
 */
export async function runningScanProgress(db: HubDb): Promise<Pick<ScanRow, 'id' | 'regionCode' | 'householdsTotal' | 'householdsDone'>[]> {
  return db
    .select({ id: findingScan.id, regionCode: findingScan.regionCode, householdsTotal: findingScan.householdsTotal, householdsDone: findingScan.householdsDone })
    .from(findingScan)
    .where(and(eq(findingScan.state, 'RUNNING'), heardWithin(HEARTBEAT_TIMEOUT_MS)));
}

export async function scansByIds(db: HubDb, ids: readonly number[]): Promise<ScanView[]> {
  if (ids.length === 0) return [];
  return db.select(scanViewColumns).from(findingScan).where(inList(findingScan.id, [...ids]));
}

/**
 * The divisions that contain a division code (its township, county, city and province), the code
 * itself excluded: a scan of one of them overlaps a caller scoped to the code.
 */
export function enclosingDivisions(code: string): string[] {
  const candidates = [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code.slice(0, 6), code.slice(0, 9)];
  return [...new Set(candidates)].filter((c) => c !== code && code.startsWith(divisionPrefix(c)));
}

/**
 * Scans newest first, optionally of one division exactly; keyset on id.
 * `scope`: the caller's region scope; only scans of divisions that overlap it are listed (inside
 * it, or containing it). Others read as if they did not exist.
 */
export async function listScans(db: HubDb, regionCode: string | null, first: number, beforeId: number | null, scope: string | null = null): Promise<{ rows: ScanView[]; hasNextPage: boolean }> {
  const conditions: SQL[] = [];
  if (regionCode) conditions.push(eq(findingScan.regionCode, regionCode));
  if (scope !== null) {
    const around = enclosingDivisions(scope);
    conditions.push(or(like(findingScan.regionCode, `${divisionPrefix(scope)}%`), ...(around.length ? [inArray(findingScan.regionCode, around)] : []))!);
  }
  if (beforeId !== null) conditions.push(lt(findingScan.id, beforeId));
  const rows = await db
    .select(scanViewColumns)
    .from(findingScan)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(findingScan.id))
    .limit(first + 1);
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

// ----- Storing what a scan found ------------------------------------------------------------------

export interface FoundInRegion {
  finding: Finding;
  /** The household's division (null when the finding has no household). */
  regionCode: string | null;
}

export interface StoreOutcome {
  found: number;
  new: number;
  reopened: number;
  stillSettled: number;
}

const ROWS_PER_STATEMENT = 500;

/**
 * The columns a scan writes of a finding (the rest keep their defaults or, when it is known
 * already, what they were), and those a finding seen again takes from this scan.
 */
const FINDING_WRITTEN = [
  finding.fingerprint,
  finding.ruleId,
  finding.kind,
  finding.severity,
  finding.scope,
  finding.status,
  finding.householdId,
  finding.regionCode,
  finding.townshipCode,
  finding.departmentMask,
  finding.ongoing,
  finding.contentHash,
  finding.firstScanId,
  finding.lastScanId,
  finding.firstSeenAt,
  finding.lastSeenAt,
  finding.detail,
  finding.updatedAt,
] as const;
const KEPT_ON_UPDATE: ReadonlySet<AnyColumn> = new Set([finding.fingerprint, finding.firstScanId, finding.firstSeenAt]);
const FINDING_UPDATED = sql.raw(
  FINDING_WRITTEN.filter((c) => !KEPT_ON_UPDATE.has(c))
    .map((c) => `${mysql.escapeId(c.name)} = VALUES(${mysql.escapeId(c.name)})`)
    .join(', '),
);
const OCCURRENCE_WRITTEN = [findingOccurrence.scanId, findingOccurrence.findingId, findingOccurrence.ruleId, findingOccurrence.severity, findingOccurrence.townshipCode, findingOccurrence.departmentMask] as const;

/**
 * The columns a finding seen again takes from the scan that are not every sighting's own (last
 * scan and seen, updated at), as the row holds them, in FINDING_WRITTEN's order; the detail as its
 * SHA-256 digest (the server's, of its UTF-8 text: a re-scan compares, it does not read 5 MB back).
 * SHA2, not MD5: MySQL 9.7 has no MD5 (nor SHA1), and every scan that met a finding again failed
 * there; MySQL 8, MariaDB 10.11 and TiDB all have SHA2.
 */
const SIGHTING_ONLY: ReadonlySet<AnyColumn> = new Set([finding.lastScanId, finding.lastSeenAt, finding.updatedAt]);
const COMPARED = FINDING_WRITTEN.map((c, i) => [c, i] as const).filter(([c]) => !KEPT_ON_UPDATE.has(c) && !SIGHTING_ONLY.has(c));
/** The compared columns as the locking select reads them, by `held_<column>`. */
const HELD_COLUMNS: Record<string, AnyColumn | SQL.Aliased> = Object.fromEntries(COMPARED.map(([c]) => [`held_${c.name}`, c === finding.detail ? sql<string>`sha2(${finding.detail}, 256)`.as('held_detail') : c]));

/** A held row's compared columns, in COMPARED's order. */
function heldValues(r: Record<string, unknown>): unknown[] {
  return COMPARED.map(([c]) => r[`held_${c.name}`]);
}

/** Whether a row to be written (FINDING_WRITTEN's order) holds what the stored row holds in every compared column. */
function unchangedFrom(held: readonly unknown[], row: readonly unknown[]): boolean {
  return COMPARED.every(([c, i], k) => (c === finding.detail ? crypto.createHash('sha256').update(row[i] as string).digest('hex') : row[i]) === held[k]);
}

function columnList(columns: readonly AnyColumn[]): SQL {
  return sql.raw(`(${columns.map((c) => mysql.escapeId(c.name)).join(', ')})`);
}

/**
 * Rows of plain values (strings, numbers, booleans, null: as drizzle hands them to mysql2 for
 * these columns) written into the statement as mysql2 escapes them. drizzle's insert builder
 * made a parameter object per value and walked them all to build the text: for a scan's 500
 * findings of 18 columns a statement, more of the hub's CPU than the server's insert
 * (docs/performance.md, Session 40).
 */
function rowsWritten(rows: readonly (readonly unknown[])[]): SQL {
  return sql.raw(mysql.escape(rows as never));
}

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Run inside the transaction that stores a chunk: `before` first (a job's fence), `after` last,
 * with the chunk's outcome (its progress and resume cursor), so a chunk and the progress that
 * counts it commit together or not at all.
 */
export interface StoreHooks {
  before?: (tx: LockingTx) => Promise<void>;
  after?: (tx: LockingTx, outcome: StoreOutcome) => Promise<void>;
}

/**
 * Stores one chunk of a scan's findings: new ones as OPEN, known ones with their status carried
 * over or reopened (domain/findings/settlement.ts), each recorded as seen by this scan.
 */
export async function storeScanFindings(db: HubDb, scanId: number, found: readonly FoundInRegion[], hooks: StoreHooks = {}): Promise<StoreOutcome> {
  const unique = [...new Map(found.map((f) => [f.finding.fingerprint, f])).values()];
  if (unique.length === 0) {
    const none: StoreOutcome = { found: 0, new: 0, reopened: 0, stillSettled: 0 };
    if (hooks.before || hooks.after)
      await lockingTransaction(db, async (tx) => {
        await hooks.before?.(tx);
        await hooks.after?.(tx, none);
      });
    return none;
  }
  const now = toDbInstant();
  return lockingTransaction(db, async (tx) => {
    // Counted afresh by each run of the transaction, which may run twice (lockingTransaction).
    const outcome: StoreOutcome = { found: unique.length, new: 0, reopened: 0, stillSettled: 0 };
    await hooks.before?.(tx);
    const existing = new Map<string, { id: number; status: FindingStatus; settledContentHash: string | null }>();
    // What each known row holds of the columns a scan rewrites, its detail as a digest: a row that
    // would be written as it is gets only its last sighting (Session 41, docs/performance.md).
    const held = new Map<string, readonly unknown[]>();
    for (const part of chunks(unique.map((f) => f.finding.fingerprint), 2000)) {
      const rows = await tx
        .select({ id: finding.id, fingerprint: finding.fingerprint, status: finding.status, settledContentHash: finding.settledContentHash, ...HELD_COLUMNS })
        .from(finding)
        .where(inList(finding.fingerprint, part))
        .for('update');
      for (const r of rows) {
        existing.set(r.fingerprint, { id: r.id, status: r.status, settledContentHash: r.settledContentHash });
        held.set(r.fingerprint, heldValues(r as Record<string, unknown>));
      }
    }
    const respelled = await settledAsHeld(tx, unique, existing);

    const reopened: { fingerprint: string; from: FindingStatus; reason: string; contentHash: string }[] = [];
    const sameAsHeld: number[] = [];
    const rows: unknown[][] = [];
    for (const { finding: f, regionCode } of unique) {
      const stored = existing.get(f.fingerprint);
      const seen = seenAgain(f, stored);
      if (seen.outcome === 'NEW') outcome.new += 1;
      else if (seen.outcome === 'REOPENED') {
        outcome.reopened += 1;
        reopened.push({ fingerprint: f.fingerprint, from: stored!.status, reason: seen.reason!, contentHash: f.contentHash });
      } else if (seen.outcome === 'STILL_SETTLED') outcome.stillSettled += 1;
      const detail: FindingDetail = { idNumbers: f.idNumbers, records: f.records, measure: f.measure, explanation: f.explanation };
      // In FINDING_WRITTEN's order.
      const row = [
        f.fingerprint,
        f.ruleId,
        f.kind,
        f.severity,
        f.scope,
        seen.status,
        f.householdId,
        regionCode,
        townshipOf(regionCode),
        departmentMask(f.departments),
        f.ongoing,
        f.contentHash,
        scanId,
        scanId,
        now,
        now,
        JSON.stringify(detail),
        now,
      ];
      const before = held.get(f.fingerprint);
      if (before && unchangedFrom(before, row)) sameAsHeld.push(stored!.id);
      else rows.push(row);
    }
    // first_* and settled_content_hash keep what they were: the identity's history.
    for (const part of chunks(rows)) await tx.execute(sql`insert into ${finding} ${columnList(FINDING_WRITTEN)} values ${rowsWritten(part)} on duplicate key update ${FINDING_UPDATED}`);
    // Rows found as they are held: only what every sighting moves (the upsert above would write the same).
    for (const part of chunks(sameAsHeld, 2000)) {
      await tx
        .update(finding)
        .set({ lastScanId: scanId, lastSeenAt: now, updatedAt: now })
        .where(inList(finding.id, part));
    }

    for (const r of respelled) await tx.update(finding).set({ settledContentHash: r.contentHash }).where(eq(finding.id, r.id));

    const ids = new Map<string, number>();
    for (const [fp, r] of existing) ids.set(fp, r.id);
    const fresh = unique.map((f) => f.finding.fingerprint).filter((fp) => !ids.has(fp));
    for (const part of chunks(fresh, 2000)) {
      for (const r of await tx.select({ id: finding.id, fingerprint: finding.fingerprint }).from(finding).where(inList(finding.fingerprint, part))) ids.set(r.fingerprint, r.id);
    }

    if (reopened.length > 0) {
      await tx.insert(findingEvent).values(
        reopened.map((r) => ({
          findingId: ids.get(r.fingerprint)!,
          action: 'REOPENED' as const,
          fromStatus: r.from,
          toStatus: 'OPEN' as const,
          actor: 'scan',
          reason: r.reason,
          scanId,
          contentHash: r.contentHash,
          at: now,
        })),
      );
    }

    // In OCCURRENCE_WRITTEN's order.
    const occurrences = unique.map(({ finding: f, regionCode }) => [scanId, ids.get(f.fingerprint)!, f.ruleId, f.severity, townshipOf(regionCode), departmentMask(f.departments)]);
    for (const part of chunks(occurrences, 2000)) await tx.execute(sql`insert ignore into ${findingOccurrence} ${columnList(OCCURRENCE_WRITTEN)} values ${rowsWritten(part)}`);
    await hooks.after?.(tx, outcome);
    return outcome;
  });
}

/**
 * Dismissed findings whose dismissal was made on content an earlier release hashed with a stay
 * spelled as a department held it (`zy001 `; the hub keys it `ZY001` since: domain/aid.ts
 * settlementKey): found now with the same content in this release's spelling, which hashes
 * otherwise. Each whose content, spelled as its stored detail (as that release wrote it) spells
 * it, hashes to the content it was dismissed on still holds its dismissal: `existing` is told so,
 * and the row's settled content hash is answered in this release's spelling, to be written with
 * the chunk (the event that dismissed it keeps the hash it was made on). Any other change of
 * content reopens it as before. The detail is read only for dismissed findings found with another
 * content, in the transaction that locked them.
 */
async function settledAsHeld(tx: LockingTx, found: readonly FoundInRegion[], existing: Map<string, { id: number; status: FindingStatus; settledContentHash: string | null }>): Promise<{ id: number; contentHash: string }[]> {
  const changed = found.filter(({ finding: f }) => {
    const stored = existing.get(f.fingerprint);
    return stored?.status === 'DISMISSED' && stored.settledContentHash !== f.contentHash;
  });
  if (changed.length === 0) return [];
  const details = new Map<number, string>();
  for (const part of chunks(changed.map(({ finding: f }) => existing.get(f.fingerprint)!.id), 2000)) {
    for (const r of await tx.select({ id: finding.id, detail: finding.detail }).from(finding).where(inList(finding.id, part))) details.set(r.id, r.detail);
  }
  const out: { id: number; contentHash: string }[] = [];
  for (const { finding: f } of changed) {
    const stored = existing.get(f.fingerprint)!;
    const held = details.get(stored.id);
    if (held === undefined || contentHashAsHeld(f, JSON.parse(held) as FindingDetail) !== stored.settledContentHash) continue;
    out.push({ id: stored.id, contentHash: f.contentHash });
    existing.set(f.fingerprint, { ...stored, settledContentHash: f.contentHash });
  }
  return out;
}

// ----- Reading findings ---------------------------------------------------------------------------

export async function findingsByFingerprints(db: HubDb, fingerprints: readonly string[]): Promise<FindingRow[]> {
  if (fingerprints.length === 0) return [];
  return db.select().from(finding).where(inList(finding.fingerprint, [...fingerprints]));
}

export async function eventsOfFindings(db: HubDb, findingIds: readonly number[]): Promise<FindingEventRow[]> {
  if (findingIds.length === 0) return [];
  return db.select().from(findingEvent).where(inList(findingEvent.findingId, [...findingIds])).orderBy(asc(findingEvent.findingId), asc(findingEvent.id));
}

export interface FindingFilter {
  ruleIds?: readonly string[] | null;
  severities?: readonly Severity[] | null;
  departments?: readonly DepartmentCode[] | null;
  townshipCode?: string | null;
  statuses?: readonly FindingStatus[] | null;
  /** Only findings of households registered under this division prefix (a caller's region scope). */
  regionPrefix?: string | null;
}

function filterConditions(scanId: number, filter: FindingFilter): SQL[] {
  const c: SQL[] = [eq(findingOccurrence.scanId, scanId)];
  if (filter.ruleIds?.length) c.push(inList(findingOccurrence.ruleId, [...filter.ruleIds]));
  if (filter.severities?.length) c.push(inList(findingOccurrence.severity, [...filter.severities]));
  if (filter.townshipCode) c.push(eq(findingOccurrence.townshipCode, filter.townshipCode));
  if (filter.departments?.length) c.push(sql`(${findingOccurrence.departmentMask} & ${departmentMask(filter.departments)}) <> 0`);
  if (filter.statuses?.length) c.push(inList(finding.status, [...filter.statuses]));
  if (filter.regionPrefix) c.push(like(finding.regionCode, `${filter.regionPrefix}%`));
  return c;
}

/** Which of `ruleIds` some finding of the scan carries: one statement, on finding_occurrence_rule. */
export async function ruleIdsOfScan(db: HubDb, scanId: number, ruleIds: readonly string[]): Promise<Set<string>> {
  if (ruleIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ ruleId: findingOccurrence.ruleId })
    .from(findingOccurrence)
    .where(and(eq(findingOccurrence.scanId, scanId), inList(findingOccurrence.ruleId, [...ruleIds])));
  return new Set(rows.map((r) => r.ruleId));
}

/** One page of a scan's findings, in a stable order (by finding), after a finding id. */
export async function scanFindingsPage(db: HubDb, scanId: number, filter: FindingFilter, first: number, afterId: number | null): Promise<{ rows: FindingRow[]; hasNextPage: boolean }> {
  const c = filterConditions(scanId, filter);
  if (afterId !== null) c.push(gt(findingOccurrence.findingId, afterId));
  const rows = await db
    .select({ f: finding })
    .from(findingOccurrence)
    .innerJoin(finding, eq(finding.id, findingOccurrence.findingId))
    .where(and(...c))
    .orderBy(asc(findingOccurrence.findingId))
    .limit(first + 1);
  return { rows: rows.slice(0, first).map((r) => r.f), hasNextPage: rows.length > first };
}

export async function countScanFindings(db: HubDb, scanId: number, filter: FindingFilter): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`COUNT(*)` })
    .from(findingOccurrence)
    .innerJoin(finding, eq(finding.id, findingOccurrence.findingId))
    .where(and(...filterConditions(scanId, filter)));
  return Number(row.n);
}

// ----- Settling -----------------------------------------------------------------------------------

export interface Settler {
  /** The API client (or CLI user) making the change. */
  actor: string;
  department: DepartmentCode | null;
  officer: string | null;
}

/** The screen's refusal of a settling's reason or note (domain/text-screen.ts proseRefusal), judged by the resolver. */
export type ScreenRefusal = 'IDENTIFYING_NUMBER' | 'TEXT_INVISIBLE_CHARACTER';

export type SettleError = SettleRefusal | 'FINDING_NOT_FOUND' | 'DEPARTMENT_NOT_CONCERNED' | ScreenRefusal;

/**
 * Confirms, dismisses or resolves a stored finding, by a department it concerns, recording who,
 * why and the content it was settled on (a dismissal holds until that content changes).
 *
 * A settling that finds the finding already in its status and repeats the event that put it there
 * (same action, client, department, officer and reason: a department system retrying after a lost
 * answer, or the same request sent twice at once) is answered with the finding as it stands,
 * `repeated`, writing nothing. Another client's, or another reason, stays NO_CHANGE.
 */
export async function settleFinding(
  db: HubDb,
  fingerprint: string,
  action: SettleAction,
  by: Settler,
  reason: string | null,
  refusedUnlessRepeated: ScreenRefusal | null = null,
): Promise<{ ok: true; row: FindingRow; repeated: boolean } | { ok: false; code: SettleError }> {
  // A reason or note the screen refused writes nothing; it is answered as the refusal unless it is
  // the repeat of a settling made before the screen (below), which is answered with the finding.
  const out = refusedUnlessRepeated ? { ok: false as const, code: refusedUnlessRepeated } : await applySettle(db, fingerprint, action, by, reason);
  if (out.ok || (out.code !== 'NO_CHANGE' && out.code !== refusedUnlessRepeated)) return out;
  // Read after the refusing transaction ended, so on every engine it sees the settling the row's
  // lock waited for (a snapshot taken at the transaction's start, as TiDB's, would not).
  const [row] = await db.select().from(finding).where(eq(finding.fingerprint, fingerprint));
  if (!row || row.status !== settledStatus(action)) return out;
  const [last] = await db
    .select({ action: findingEvent.action, actor: findingEvent.actor, department: findingEvent.actorDepartment, officer: findingEvent.officer, reason: findingEvent.reason })
    .from(findingEvent)
    .where(eq(findingEvent.findingId, row.id))
    .orderBy(desc(findingEvent.id))
    .limit(1);
  return isRepeatSettle(last, { action: settledStatus(action), ...eventIdentity(by, reason) }) ? { ok: true, row, repeated: true } : out;
}

/** Who and why, as a settling's event stores them (cut to the columns' widths). */
function eventIdentity(by: Settler, reason: string | null) {
  return {
    actor: by.actor.slice(0, FINDING_LIMITS.actor),
    department: by.department,
    officer: by.officer?.slice(0, FINDING_LIMITS.officer) ?? null,
    reason: reason?.trim().slice(0, FINDING_LIMITS.reason) || null,
  };
}

async function applySettle(
  db: HubDb,
  fingerprint: string,
  action: SettleAction,
  by: Settler,
  reason: string | null,
): Promise<{ ok: true; row: FindingRow; repeated: boolean } | { ok: false; code: SettleError }> {
  return lockingTransaction(db, async (tx) => {
    const [row] = await tx.select().from(finding).where(eq(finding.fingerprint, fingerprint)).for('update');
    if (!row) return { ok: false as const, code: 'FINDING_NOT_FOUND' as const };
    if (by.department !== null && !departmentsOfMask(row.departmentMask).includes(by.department)) return { ok: false as const, code: 'DEPARTMENT_NOT_CONCERNED' as const };
    const next = settle(row.status, action, reason);
    if (!next.ok) return next;
    const now = toDbInstant();
    const who = eventIdentity(by, reason);
    await tx.update(finding).set({ status: next.status, settledContentHash: row.contentHash, updatedAt: now }).where(eq(finding.id, row.id));
    await tx.insert(findingEvent).values({
      findingId: row.id,
      action: next.status as 'CONFIRMED' | 'DISMISSED' | 'RESOLVED',
      fromStatus: row.status,
      toStatus: next.status,
      actor: who.actor,
      actorDepartment: who.department,
      officer: who.officer,
      reason: who.reason,
      contentHash: row.contentHash,
      at: now,
    });
    return { ok: true as const, row: { ...row, status: next.status, settledContentHash: row.contentHash, updatedAt: now }, repeated: false };
  });
}
