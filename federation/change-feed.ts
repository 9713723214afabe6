/**
 * Reading a department's change feeds (federation/contract.ts `changeFeed`) for monitoring: for
 * each table that declares a change marker, the rows past the hub's watermark, at most a batch, one
 * statement per table, through the marker's index, with the ID number of the person each row is
 * about. A table with neither marker is not polled: the monthly comparison covers it.
 *
 * Two kinds of marker:
 * - an update time the database maintains (db/change-marker.ts): preferred where a table
 *   has one, since it shows changes in place as well as new rows. Whole seconds hold many rows (a
 *   department's bulk statement gives 200,000 rows one time), so the watermark is a pair: the last
 *   second read (epoch seconds) and, within it, the row key of the last row read (the table's
 *   primary key, or a unique key the feed declares). Rows are read in (second, key) order, at most
 *   the batch limit each time, so a poll's memory and duration stay bounded however many rows share
 *   a second; the next poll goes on inside the second where this one stopped. Only a full batch
 *   leaves a row key: a shorter one (or an empty read after a key) has read its last second whole.
 *   Stored, a position inside second S keeps the hub's old column at S − 1 (db/monitoring/store.ts),
 *   so a hub of an older release polling beside this one reads S again, never past it. Only rows
 *   older than the source's own clock minus a commit lag are read, so a row whose statement ran at
 *   second T but whose transaction committed a little later is still read once it is visible; a
 *   transaction open longer than the lag is left to the monthly comparison. The source's clock, not
 *   the hub's, bounds the read: the two need not agree.
 * - a key that only grows (an auto-increment id): new rows only. The watermark is the last key read
 *   below the first young gap. InnoDB hands out ids when a statement runs, but transactions commit
 *   in any order: id 41 may become visible after 42 was read. So a read returns every row past the
 *   watermark (up to the batch limit), and the watermark stops just before the first gap in the ids
 *   read (ids between the watermark and the rows, or between two rows) that the poller first saw
 *   less than the commit lag ago; the rows past it are read again next time (evaluating a row twice
 *   opens or raises nothing twice: alerts are one per identity). A gap older than the lag is passed:
 *   ids of rolled-back transactions never fill. The poller keeps when it first saw each gap in
 *   memory (`holdAtGaps`), so a new lease holder waits one more lag. Without gaps this is still one
 *   statement per table. An id committed more than the lag after a later one was read is left to
 *   the monthly comparison, as for update times.
 */
import { and, asc, desc, eq, getTableName, gt, gte, lte, or, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { normaliseIdNumber } from '../domain/id-number';
import type { HubDb } from '../db/connect';
import type { SourceDb } from './contract';
import { ADAPTERS } from './registry';

/**
 * An update time's marker carries the unique key that orders the rows of one second (`rowKey`) and
 * the index the reads go through (`index`: the one on the update time, null if the table has none).
 */
export type ChangeMarker = { kind: 'SEQUENCE'; column: MySqlColumn } | { kind: 'UPDATE_TIME'; column: MySqlColumn; rowKey: readonly MySqlColumn[]; index: string | null };

/** A row key's values by column name. */
export type RowKey = Readonly<Record<string, string | number>>;

/** How far a feed has been read. */
export interface Watermark {
  /** A growing key's last key; an update time's last second (epoch seconds). */
  mark: number;
  /** An update time read partway through second `mark`: the key of the last row read in it. Null: all of that second was read. */
  rowKey: RowKey | null;
}

/** What a poll reads: a department's tables, or `HUB`, the hub's own person table (deaths, resolvers/monitoring/deaths.ts). */
export type PolledSource = DepartmentCode | 'HUB';

/** Every source the poller can poll, as /metrics labels them (`department`): the departments, then `HUB`. */
export const POLLED_SOURCES: readonly PolledSource[] = [...DEPARTMENT_CODES, 'HUB'];

export interface PolledFeed {
  /** The department whose table it is, or `HUB`: the hub's own person table (deaths, resolvers/monitoring/deaths.ts). */
  department: PolledSource;
  /** The watermark's key: `<DEPARTMENT>:<table>` for a growing key, `<DEPARTMENT>:<table>@<column>` for an update time (`HUB:person@changed_at`). */
  key: string;
  table: MySqlTable;
  marker: ChangeMarker;
  /** The column naming the person a row is about, if the table has one. */
  person: MySqlColumn | null;
}

/** The feeds of a department the hub can poll (those with a change marker). */
export function polledFeeds(code: DepartmentCode): PolledFeed[] {
  const a = ADAPTERS[code];
  const idColumns = [...a.personKeys, ...(a.otherIdColumns ?? []).map((o) => o.column)];
  return a.changeFeed.flatMap((f) => {
    const person = idColumns.find((c) => (c as unknown as { table: MySqlTable }).table === f.table) ?? null;
    if (f.updatedAt) return [updateTimeFeed(code, f.table, f.updatedAt, person, f.rowKey)];
    if (!f.sequence) return [];
    // A distinct key per kind: a table that gains an update time never reads a key as a second.
    return [{ department: code, key: `${code}:${getTableName(f.table)}`, table: f.table, marker: { kind: 'SEQUENCE', column: f.sequence }, person }];
  });
}

/** The feed of a table with an update time (`person`: the column naming whom a row is about). */
export function updateTimeFeed(source: PolledFeed['department'], table: MySqlTable, column: MySqlColumn, person: MySqlColumn | null, declaredKey?: readonly MySqlColumn[]): PolledFeed {
  const rowKey = rowKeyOf(source, table, declaredKey);
  return { department: source, key: `${source}:${getTableName(table)}@${column.name}`, table, marker: { kind: 'UPDATE_TIME', column, rowKey, index: indexOn(table, column, declaredKey ?? []) }, person };
}

/**
 * The key that orders an update-time feed's rows within one second: the one the feed declares, else
 * the table's primary key. InnoDB keeps the primary key in every secondary index, so the index on
 * the update time is already in (update time, primary key) order and a read in that order stops
 * after its batch; another unique key needs an index on (update time, key) for the same.
 */
function rowKeyOf(source: PolledFeed['department'], table: MySqlTable, declared: readonly MySqlColumn[] | undefined): readonly MySqlColumn[] {
  if (declared && declared.length > 0) return declared;
  const config = getTableConfig(table);
  const single = config.columns.filter((c) => c.primary);
  const key = single.length > 0 ? single : (config.primaryKeys[0]?.columns ?? []);
  if (key.length === 0) throw new Error(`${source}: ${config.name} has an update time but no primary key; declare the feed's rowKey (a unique key)`);
  return key;
}

/** The index whose columns are (update time, declared key…), else the first that starts with the update time. */
function indexOn(table: MySqlTable, column: MySqlColumn, rowKey: readonly MySqlColumn[]): string | null {
  const indexes = getTableConfig(table).indexes.map((i) => i.config);
  const named = (cols: readonly unknown[]) => cols.map((c) => (c as MySqlColumn).name).join(',');
  const exact = indexes.find((i) => named(i.columns) === named([column, ...rowKey]));
  return (exact ?? indexes.find((i) => (i.columns[0] as MySqlColumn | undefined)?.name === column.name))?.name ?? null;
}

/** Tables of a department with no change marker: not polled (for the operator's log). */
export function unpolledTables(code: DepartmentCode): string[] {
  return ADAPTERS[code].changeFeed.filter((f) => !f.sequence && !f.updatedAt).map((f) => getTableName(f.table));
}

export interface ChangedRow {
  /** The row's marker: its key, or its update time in epoch seconds. */
  mark: number;
  idNumber: string | null;
}

export interface FeedRead {
  rows: ChangedRow[];
  /** The watermark after this read (unchanged when nothing was read; below the first young gap of a growing key). */
  to: Watermark;
  /** A growing key's gaps still past `to`, with when each was first seen: the next read's `seen`. */
  gaps: KeyGap[];
}

/** Ids missing from a growing key, `from`..`to` inclusive, first seen at `seenAtMs` (the poller's monotonic clock). */
export interface KeyGap {
  from: number;
  to: number;
  seenAtMs: number;
}

/** What the poller remembers of a growing key's gaps between reads, and its clock now. */
export interface GapMemory {
  seen: readonly KeyGap[];
  nowMs: number;
}

/**
 * Where the watermark of a growing key may go after reading `marks` (ascending, all past `after`):
 * the last mark below the first gap first seen less than `lagMs` ago, else the last mark. A gap's
 * age counts from the earliest remembered gap it overlaps (a gap partly filled keeps its age).
 * Returns the gaps past the new watermark to remember, including remembered ones past the last
 * mark (out of this read's window when a batch ended earlier).
 */
export function holdAtGaps(after: number, marks: readonly number[], memory: GapMemory, lagMs: number): { to: number; gaps: KeyGap[] } {
  if (marks.length === 0) return { to: after, gaps: memory.seen.filter((g) => g.to > after) };
  const firstSeen = (from: number, to: number) =>
    memory.seen.reduce((at, g) => (g.from <= to && g.to >= from ? Math.min(at, g.seenAtMs) : at), memory.nowMs);
  const found: KeyGap[] = [];
  let prev = after;
  for (const m of marks) {
    if (m > prev + 1) found.push({ from: prev + 1, to: m - 1, seenAtMs: firstSeen(prev + 1, m - 1) });
    prev = m;
  }
  const last = marks[marks.length - 1];
  const young = found.find((g) => memory.nowMs - g.seenAtMs < lagMs);
  const to = young ? young.from - 1 : last;
  const beyond = memory.seen.filter((g) => g.to > last).map((g) => ({ ...g, from: Math.max(g.from, last + 1) }));
  return { to, gaps: [...found.filter((g) => g.from > to), ...beyond] };
}

/** Default commit lag for update-time markers and gaps in growing keys (AIDHUB_MONITOR_COMMIT_LAG_MS). */
export const DEFAULT_COMMIT_LAG_MS = 5000;

const lagSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function columnsOf(feed: PolledFeed, markExpr: SQL | MySqlColumn, key: readonly MySqlColumn[] = []) {
  return { mark: markExpr, ...(feed.person ? { idNumber: feed.person } : {}), ...Object.fromEntries(key.map((c, i) => [`k${i}`, c])) };
}

type Raw = { mark: number | string; idNumber?: string | null } & Record<string, unknown>;
/** The person's ID number normalised, as every department read hands it to the hub (federation/id-numbers.ts): a department may write `x`. */
const toRows = (raw: Raw[]): ChangedRow[] => raw.map((r) => ({ mark: Number(r.mark), idNumber: r.idNumber == null ? null : normaliseIdNumber(r.idNumber) }));

/** Rows whose key comes after `values` in the key's order (`k1 > v1 OR (k1 = v1 AND (k2 > v2 OR …))`, which the range optimiser reads as ranges of the index). */
function keyPast(key: readonly MySqlColumn[], values: readonly (string | number)[]): SQL {
  const [c, ...rest] = key;
  const [v, ...more] = values;
  return rest.length === 0 ? gt(c, v) : or(gt(c, v), and(eq(c, v), keyPast(rest, more)))!;
}

/**
 * Rows past `after`, in marker order, at most `limit`. For a growing key, `gaps` is what the caller
 * remembers of its gaps (none: every gap is new, so the watermark stops at the first one).
 */
export async function rowsAfter(
  db: SourceDb | HubDb,
  feed: PolledFeed,
  after: Watermark,
  limit: number,
  commitLagMs = DEFAULT_COMMIT_LAG_MS,
  gaps: GapMemory = { seen: [], nowMs: 0 },
): Promise<FeedRead> {
  const marker = feed.marker;
  const col = marker.column;
  if (marker.kind === 'SEQUENCE') {
    const rows = toRows((await db.select(columnsOf(feed, col)).from(feed.table).where(gt(col, after.mark)).orderBy(asc(col)).limit(limit)) as Raw[]);
    const held = holdAtGaps(after.mark, rows.map((r) => r.mark), gaps, commitLagMs);
    return { rows, to: { mark: held.to, rowKey: null }, gaps: held.gaps };
  }
  const key = marker.rowKey;
  const second = sql<string>`UNIX_TIMESTAMP(${col})`;
  const at = sql`FROM_UNIXTIME(${after.mark})`;
  const visible = lte(col, sql`NOW() - INTERVAL ${lagSeconds(commitLagMs)} SECOND`);
  // Past the second, or inside it past the last row read. A key stored under other columns (the
  // feed's key was redeclared) cannot be placed: that second is read again from its start, which
  // evaluates some rows twice and opens nothing twice (alerts are one per identity).
  let past: SQL | undefined = gt(col, at);
  if (after.rowKey) {
    const values = key.map((c) => after.rowKey![c.name]);
    const placed = Object.keys(after.rowKey).length === key.length && values.every((v) => v !== undefined);
    past = placed ? or(gt(col, at), and(eq(col, at), keyPast(key, values))) : gte(col, at);
  }
  // Through the update time's index, named: MariaDB was seen to plan this statement, on a few
  // thousand rows, as a merge of that index with the primary key's followed by a sort of everything
  // past the watermark, before the LIMIT. MySQL, MariaDB and TiDB all take FORCE INDEX; the plan is
  // checked in test/monitoring/bulk-second.test.ts.
  const raw = (await db
    .select(columnsOf(feed, second, key))
    .from(feed.table, marker.index ? { forceIndex: marker.index } : undefined)
    .where(and(past, visible))
    .orderBy(asc(col), ...key.map((c) => asc(c)))
    .limit(limit)) as Raw[];
  // Fewer rows than the limit: every visible row past the watermark was read, so the last row's
  // second is read whole (nothing of it is younger than the lag) and is stored with no key, which
  // moves `last_sequence`, all an older hub reads, up to it (db/monitoring/store.ts). A read of
  // nothing after a row key finishes that second the same way.
  if (raw.length === 0) return { rows: [], to: after.rowKey ? { mark: after.mark, rowKey: null } : after, gaps: [] };
  const last = raw[raw.length - 1];
  if (raw.length < limit) return { rows: toRows(raw), to: { mark: Number(last.mark), rowKey: null }, gaps: [] };
  // A full batch may have stopped inside its last second: the next read starts just after its last row.
  const rowKey = Object.fromEntries(key.map((c, i) => [c.name, last[`k${i}`] as string | number]));
  return { rows: toRows(raw), to: { mark: Number(last.mark), rowKey }, gaps: [] };
}

/** Where a feed seen for the first time starts, and the keys past it that it already held (a growing key's). */
export interface FirstSight {
  mark: number;
  /** Rows of a growing key past `mark` that were there at the first look: read, not evaluated (they are the past). */
  held: readonly number[];
}

/**
 * Where a feed seen for the first time starts: its current end, as far as a read may go (the monthly
 * comparison covers the past). A growing key's is looked for among its newest `batchRows` keys.
 */
export async function currentMark(db: SourceDb | HubDb, feed: PolledFeed, commitLagMs = DEFAULT_COMMIT_LAG_MS, batchRows = 5000): Promise<FirstSight> {
  if (feed.marker.kind === 'SEQUENCE') {
    // Just before the first gap among the newest keys, as a read stops at a gap it has just seen
    // (holdAtGaps), not at the largest key: a transaction holding a key in the gap may still commit,
    // and a watermark past it never read it. The next polls read past the gap and wait there until
    // it is older than the lag; the keys held now are the past and evaluate nobody. Fewer keys than
    // the batch are the whole table, counted from 0 as a watermark of 0 is; keys older than the
    // batch are taken as committed.
    const col = feed.marker.column;
    const newest = (await db.select({ key: col }).from(feed.table).orderBy(desc(col)).limit(batchRows)).map((r) => Number(r.key)).reverse();
    const [after, ...keys] = newest.length < batchRows ? [0, ...newest] : newest;
    const mark = holdAtGaps(after ?? 0, keys, { seen: [], nowMs: 0 }, 1).to;
    return { mark, held: keys.filter((k) => k > mark) };
  }
  // The source's clock less the lag, as every read is bounded (rowsAfter), and never the newest
  // row's second: a second younger than the lag is not over. Started at that second (when it was
  // newer), a row written in it afterwards, or a transaction open under the lag committing
  // afterwards, stood behind the watermark and was never read: a death imported in the second the
  // poller first looked opened nothing (test/monitoring/feed-first-sight.test.ts). The rows of the
  // last lag's seconds are read by the next poll instead, which opens nothing twice.
  const [rows] = (await db.execute(sql`SELECT UNIX_TIMESTAMP() - ${lagSeconds(commitLagMs)} AS top`)) as unknown as [{ top: number | string }[]];
  return { mark: Number(rows[0].top), held: [] };
}
