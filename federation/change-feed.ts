/**
 * Reading a department's change feeds (federation/contract.ts `changeFeed`) for monitoring: for
 * each table that declares a change marker, the rows past the hub's watermark, one statement per
 * table (two when a batch ends among rows sharing one update second), through the marker's index,
 * with the ID number of the person each row is about. A table with neither marker is not polled:
 * the monthly comparison covers it.
 *
 * Two kinds of marker:
 * - an update time the database maintains (federation/change-marker.ts): preferred where a table
 *   has one, since it shows changes in place as well as new rows. The watermark is the last second
 *   read (epoch seconds). Only rows older than the source's own clock minus a commit lag are read,
 *   so a row whose statement ran at second T but whose transaction committed a little later is
 *   still read once it is visible; a transaction open longer than the lag is left to the monthly
 *   comparison. The source's clock, not the hub's, bounds the read: the two need not agree.
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
import { and, asc, eq, getTableName, gt, lte, max, sql, type SQL } from 'drizzle-orm';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import type { DepartmentCode } from '../domain/departments';
import type { SourceDb } from './contract';
import { ADAPTERS } from './registry';

export type ChangeMarker = { kind: 'SEQUENCE'; column: MySqlColumn } | { kind: 'UPDATE_TIME'; column: MySqlColumn };

export interface PolledFeed {
  department: DepartmentCode;
  /** The watermark's key: `<DEPARTMENT>:<table>` for a growing key, `<DEPARTMENT>:<table>@<column>` for an update time. */
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
    const marker: ChangeMarker | null = f.updatedAt ? { kind: 'UPDATE_TIME', column: f.updatedAt } : f.sequence ? { kind: 'SEQUENCE', column: f.sequence } : null;
    if (!marker) return [];
    const person = idColumns.find((c) => (c as unknown as { table: MySqlTable }).table === f.table) ?? null;
    // A distinct key per kind: a table that gains an update time never reads a key as a second.
    const key = marker.kind === 'SEQUENCE' ? `${code}:${getTableName(f.table)}` : `${code}:${getTableName(f.table)}@${marker.column.name}`;
    return [{ department: code, key, table: f.table, marker, person }];
  });
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
  to: number;
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

function columnsOf(feed: PolledFeed, markExpr: SQL | MySqlColumn) {
  return { mark: markExpr, ...(feed.person ? { idNumber: feed.person } : {}) };
}

type Raw = { mark: number | string; idNumber?: string | null };
const toRows = (raw: Raw[]): ChangedRow[] => raw.map((r) => ({ mark: Number(r.mark), idNumber: r.idNumber ?? null }));

/**
 * Rows past `after`, in marker order: at most `limit`, and all the rows of the last second read.
 * For a growing key, `gaps` is what the caller remembers of its gaps (none: every gap is new, so
 * the watermark stops at the first one).
 */
export async function rowsAfter(
  db: SourceDb,
  feed: PolledFeed,
  after: number,
  limit: number,
  commitLagMs = DEFAULT_COMMIT_LAG_MS,
  gaps: GapMemory = { seen: [], nowMs: 0 },
): Promise<FeedRead> {
  const col = feed.marker.column;
  if (feed.marker.kind === 'SEQUENCE') {
    const rows = toRows((await db.select(columnsOf(feed, col)).from(feed.table).where(gt(col, after)).orderBy(asc(col)).limit(limit)) as Raw[]);
    return { rows, ...holdAtGaps(after, rows.map((r) => r.mark), gaps, commitLagMs) };
  }
  const second = sql<string>`UNIX_TIMESTAMP(${col})`;
  const visible = lte(col, sql`NOW() - INTERVAL ${lagSeconds(commitLagMs)} SECOND`);
  const rows = toRows((await db.select(columnsOf(feed, second)).from(feed.table).where(and(gt(col, sql`FROM_UNIXTIME(${after})`), visible)).orderBy(asc(col)).limit(limit)) as Raw[]);
  if (rows.length === 0) return { rows, to: after, gaps: [] };
  const last = rows[rows.length - 1].mark;
  if (rows.length < limit) return { rows, to: last, gaps: [] };
  // A full batch may have cut through the rows of its last second (one bulk statement gives
  // thousands of rows one time): read that second whole, so the watermark can pass it.
  const tied = toRows((await db.select(columnsOf(feed, second)).from(feed.table).where(eq(col, sql`FROM_UNIXTIME(${last})`))) as Raw[]);
  return { rows: [...rows.filter((r) => r.mark < last), ...tied], to: last, gaps: [] };
}

/** Where a feed seen for the first time starts: its current end (the monthly comparison covers the past). */
export async function currentMark(db: SourceDb, feed: PolledFeed, commitLagMs = DEFAULT_COMMIT_LAG_MS): Promise<number> {
  if (feed.marker.kind === 'SEQUENCE') {
    const [row] = await db.select({ top: max(feed.marker.column) }).from(feed.table);
    return Number(row?.top ?? 0);
  }
  // Past every row there is now (read off the index), and never ahead of the source's clock less
  // the lag: what is written from here on is read by the next polls.
  const col = feed.marker.column;
  const [rows] = (await db.execute(
    sql`SELECT GREATEST(UNIX_TIMESTAMP(NOW() - INTERVAL ${lagSeconds(commitLagMs)} SECOND), COALESCE(UNIX_TIMESTAMP(MAX(${col})), 0)) AS top FROM ${feed.table}`,
  )) as unknown as [{ top: number | string }[]];
  return Number(rows[0].top);
}
