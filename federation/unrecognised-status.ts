/**
 * How many rows of each department's front-end database carry a status code its documentation
 * does not list (federation/status-codes.ts): the hub shows their aid as UNRECOGNISED and counts it
 * nowhere, which the household it belongs to would not notice, so the operators are told at start-up
 * (server/main.ts: a warning per column and `aidhub_source_unrecognised_status_rows`). Counts only:
 * no key, ID number or value of a row leaves the department.
 */
import { count, notInArray, sql } from 'drizzle-orm';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { withTimeout } from './loaders';
import { ADAPTERS } from './registry';
import type { Sources } from './sources';
import type { DepartmentAdapter } from './contract';
import type { StatusColumn } from './status-codes';

export interface UnrecognisedStatusCount {
  department: DepartmentCode;
  /** `table.column`, the department's own names (for its operators). */
  column: string;
  /** Rows whose code is undocumented; null when the department did not answer in its time limit. */
  rows: number | null;
}

/** Every department's status columns counted, all departments at once, each within its own timeout. One statement per column. */
export function unrecognisedStatusRows(sources: Sources): Promise<UnrecognisedStatusCount[]> {
  return undocumentedRows(sources, (adapter) => adapter.statusColumns ?? []);
}

/** Every department's programme (type) columns counted the same way: rows whose aid is shown under the department's catch-all programme. */
export function unrecognisedProgrammeRows(sources: Sources): Promise<UnrecognisedStatusCount[]> {
  return undocumentedRows(sources, (adapter) => adapter.programmeColumns ?? []);
}

/**
 * Every department's coded fact columns (a temporary aid's cause and approval level, a certificate's, a student's
 * status, a monitored-roll category) counted the same way: rows whose fact reads UNRECOGNISED, which no rule reads either way.
 */
export function unrecognisedFactRows(sources: Sources): Promise<UnrecognisedStatusCount[]> {
  return undocumentedRows(sources, (adapter) => adapter.factColumns ?? []);
}

/**
 * Every department's other coded columns (`displayColumns`: a 低保 family's urban or rural kind, a
 * student's stage, a certificate's category) counted the same way: codes no rule reads, shown as
 * undocumented where the API shows the column at all.
 */
export function unrecognisedDisplayRows(sources: Sources): Promise<UnrecognisedStatusCount[]> {
  return undocumentedRows(sources, (adapter) => adapter.displayColumns ?? []);
}

async function undocumentedRows(sources: Sources, columnsOf: (adapter: DepartmentAdapter) => readonly StatusColumn[]): Promise<UnrecognisedStatusCount[]> {
  const perDepartment = await Promise.all(
    DEPARTMENT_CODES.map((department) =>
      Promise.all(
        columnsOf(ADAPTERS[department]).map(async (status): Promise<UnrecognisedStatusCount> => {
          const column = status.column as MySqlColumn & { table: MySqlTable };
          const source = sources[department];
          // A text code compared byte for byte, as the adapters compare it (`documented`): under the
          // column's collation 'zx' or 'ZX ' would equal 'ZX' and go uncounted while read as UNRECOGNISED.
          const code = column.dataType === 'string' ? sql`CAST(${column} AS BINARY)` : sql`${column}`;
          try {
            const [row] = await withTimeout(source.timeoutMs, (scope) => scope.db(source.db).select({ n: count() }).from(column.table).where(notInArray(code, [...status.codes])));
            return { department, column: status.name, rows: Number(row.n) };
          } catch {
            return { department, column: status.name, rows: null };
          }
        }),
      ),
    ),
  );
  return perDepartment.flat();
}
