/**
 * Reading a department's change feeds (federation/contract.ts `changeFeed`) for monitoring: for
 * each table that declares a growing key, the rows past the hub's watermark, one statement per
 * table, through the key's index (it is the primary key in every adapter that declares one), with
 * the ID number of the person each row is about. Tables with neither a growing key nor an update
 * time are not polled: the monthly comparison covers them.
 */
import { asc, getTableName, gt, max } from 'drizzle-orm';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import type { DepartmentCode } from '../domain/departments';
import type { SourceDb } from './contract';
import { ADAPTERS } from './registry';

export interface PolledFeed {
  department: DepartmentCode;
  /** `<DEPARTMENT>:<table>`: the watermark's key. */
  key: string;
  table: MySqlTable;
  sequence: MySqlColumn;
  /** The column naming the person a row is about, if the table has one. */
  person: MySqlColumn | null;
}

/** The feeds of a department the hub can poll (those with a growing key). */
export function polledFeeds(code: DepartmentCode): PolledFeed[] {
  const a = ADAPTERS[code];
  const idColumns = [...a.personKeys, ...(a.otherIdColumns ?? []).map((o) => o.column)];
  return a.changeFeed.flatMap((f) => {
    if (!f.sequence) return [];
    const person = idColumns.find((c) => (c as unknown as { table: MySqlTable }).table === f.table) ?? null;
    return [{ department: code, key: `${code}:${getTableName(f.table)}`, table: f.table, sequence: f.sequence, person }];
  });
}

/** Tables of a department with no growing key: not polled (for the operator's log). */
export function unpolledTables(code: DepartmentCode): string[] {
  return ADAPTERS[code].changeFeed.filter((f) => !f.sequence).map((f) => getTableName(f.table));
}

export interface ChangedRow {
  sequence: number;
  idNumber: string | null;
}

/** Rows past `after`, in key order, at most `limit`. One statement. */
export async function rowsAfter(db: SourceDb, feed: PolledFeed, after: number, limit: number): Promise<ChangedRow[]> {
  const rows = (await db
    .select({ sequence: feed.sequence, ...(feed.person ? { idNumber: feed.person } : {}) })
    .from(feed.table)
    .where(gt(feed.sequence, after))
    .orderBy(asc(feed.sequence))
    .limit(limit)) as { sequence: number | string; idNumber?: string | null }[];
  return rows.map((r) => ({ sequence: Number(r.sequence), idNumber: r.idNumber ?? null }));
}

/** The highest key now: where a feed seen for the first time starts (the monthly comparison covers the past). */
export async function currentSequence(db: SourceDb, feed: PolledFeed): Promise<number> {
  const [row] = await db.select({ top: max(feed.sequence) }).from(feed.table);
  return Number(row?.top ?? 0);
}
