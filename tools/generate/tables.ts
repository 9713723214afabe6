/**
 * The tables the generator fills, in load order, with the database each lives in and the columns
 * it writes (auto-increment keys are left to the database). Rows are plain arrays in column order.
 */
import { DEPARTMENT_CODES, HUB_LEDGER_SOURCES, type DepartmentCode } from '../../domain/departments';
import { ADAPTERS } from '../../federation/registry';

export type Target = 'HUB' | DepartmentCode;
export type Cell = string | number | null;
export type Row = Cell[];

const CORE_TABLES = {
  household: { target: 'HUB', columns: ['id', 'registration_no', 'region_code', 'address'] },
  person: { target: 'HUB', columns: ['id_number', 'name', 'gender', 'birth_date', 'death_date'] },
  household_member: { target: 'HUB', columns: ['household_id', 'id_number', 'relation', 'joined_on', 'left_on'] },
} as const satisfies Record<string, { target: Target; columns: readonly string[] }>;

/** Each department's tables, as its part of the demo declares them (federation/<dept>/demo.ts). */
const DEPARTMENT_DEMO_TABLES: Record<string, { target: Target; columns: readonly string[] }> = Object.fromEntries(
  DEPARTMENT_CODES.flatMap((code) => Object.entries(ADAPTERS[code].demo?.tables ?? {}).map(([table, columns]) => [table, { target: code, columns }])),
);

export const TABLES: Readonly<Record<keyof typeof CORE_TABLES, { target: Target; columns: readonly string[] }> & Record<string, { target: Target; columns: readonly string[] }>> = {
  ...CORE_TABLES,
  ...DEPARTMENT_DEMO_TABLES,
};

export type TableName = keyof typeof CORE_TABLES | (string & {});
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** Rows the generator wrote to departments' own databases (not the hub's, nor a ledger it keeps), from its counts by table. */
export function departmentRowCount(counts: Readonly<Record<string, number>>): number {
  const inHub: readonly string[] = ['HUB', ...HUB_LEDGER_SOURCES];
  return TABLE_NAMES.filter((t) => !inHub.includes(TABLES[t].target)).reduce((n, t) => n + (counts[t] ?? 0), 0);
}

/** Reference tables in the hub, loaded once per run rather than per chunk. */
export const REFERENCE_TABLES = ['region', 'programme'] as const;

export type TableRows = Record<TableName, Row[]>;

export function emptyRows(): TableRows {
  return Object.fromEntries(TABLE_NAMES.map((t) => [t, []])) as unknown as TableRows;
}

/** The value of one named column in a row of a table (for tests and checks). */
export function cell(table: TableName, row: Row, column: string): Cell {
  const i = (TABLES[table].columns as readonly string[]).indexOf(column);
  if (i < 0) throw new Error(`${table} has no column ${column}`);
  return row[i];
}
