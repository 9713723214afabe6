/**
 * The status codes a department documents, and what the hub does with one it does not.
 *
 * A department's import declaration lists the codes of each status column (`numericCodes('1 发放中
 * paid', …)`, federation/import-declaration.ts), and the import refuses any other. A front-end
 * database the department writes itself is checked by nobody: a typo, or a code its system added
 * since, reached the adapters, which read it as the code their last branch stood for (aid in force,
 * paid, or under review). An adapter now asks `documented()` first and maps any other code to
 * `UNRECOGNISED` (domain/aid.ts `inForce`: shown, counted nowhere), keeping the code itself for the
 * office that corrects it. The list is the import declaration's, so the documentation, the import
 * and the reading cannot drift apart.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { MySqlColumn } from 'drizzle-orm/mysql-core';
import { oneOffStatus, type AidRecord } from '../domain/aid';
import type { IsoDate } from '../domain/dates';
import type { DepartmentCode } from '../domain/departments';
import { UNRECOGNISED_PROGRAMMES, type AidProgrammeCode, type ProgrammeCode, type UnrecognisedProgrammeCode } from '../domain/programmes';
import type { TableDeclaration } from './import-declaration';

/** A record's status as an adapter derives it: with the source's code when that is undocumented. */
export type RecordStatus = Pick<AidRecord, 'status' | 'sourceStatusCode'>;

/** A status column and the codes its department documents. */
export interface StatusColumn {
  /** `table.column`, the department's own names: for its folder and operators, never the schema. */
  name: string;
  column: MySqlColumn;
  /** Numeric codes as numbers (an integer column), others as strings. */
  codes: ReadonlySet<string | number>;
}

/** The status column `column` of a declared table, with the codes its declaration lists. Throws at load for a column declared without codes. */
export function statusColumn(table: TableDeclaration, column: string): StatusColumn {
  const type = table.columns[column]?.type;
  const drizzleColumn = Object.values(getTableColumns(table.drizzleTable)).find((c) => c.name === column);
  const tableName = getTableName(table.drizzleTable);
  if (type?.kind !== 'code' || !drizzleColumn) throw new Error(`${tableName}.${column} is not a column declared with its codes`);
  return { name: `${tableName}.${column}`, column: drizzleColumn, codes: new Set(type.codes.map(([code]) => (type.numeric ? Number(code) : code))) };
}

/** Whether the department documents this code for the column. */
export function documented(status: StatusColumn, code: string | number): boolean {
  return status.codes.has(code);
}

/** What an aid record built from a row whose status code is undocumented carries (spread into recurringAid/oneOffAid). */
export function unrecognised(code: string | number): RecordStatus {
  return { status: 'UNRECOGNISED', sourceStatusCode: String(code) };
}

/** A one-off record's status (`oneOffStatus`, domain/aid.ts) once its code is known to be documented; UNRECOGNISED otherwise. */
export function oneOffStatusOf(status: StatusColumn, code: string | number, cancelled: boolean, grantDate: IsoDate, today: IsoDate): RecordStatus {
  return documented(status, code) ? { status: oneOffStatus(cancelled, grantDate, today) } : unrecognised(code);
}

/**
 * A programme (type, kind) code column: the codes its department documents, what each is in the
 * hub's catalogue, and the department's catch-all for any other (domain/programmes.ts
 * UNRECOGNISED_PROGRAMMES). Adapters used to skip a row under an undocumented programme code:
 * aid the household receives that no total, rule or brief saw.
 */
export interface ProgrammeColumn extends StatusColumn {
  programmes: ReadonlyMap<string | number, ProgrammeCode>;
  catchAll: UnrecognisedProgrammeCode;
}

/**
 * A coded fact column (a temporary aid's cause, a certificate's or a student's status) and what each
 * documented code reads as. The codes are the import declaration's: the mapping is checked against
 * them at load, so the two cannot drift apart.
 */
export interface CodedColumn<T> extends StatusColumn {
  /** Keyed as the column's codes are (numbers for an integer column), so a documented numeric code finds its value. */
  values: ReadonlyMap<string | number, T>;
}

/** The coded column `column` of a declared table, reading each code as `values` says. Throws at load when its mapping and its declared codes differ. */
export function codedColumn<T>(table: TableDeclaration, column: string, values: Readonly<Record<string, T>>): CodedColumn<T> {
  const status = statusColumn(table, column);
  const mapped = Object.keys(values).sort().join();
  if ([...status.codes].map(String).sort().join() !== mapped) throw new Error(`${status.name} declares codes ${[...status.codes].join()} but is mapped for ${mapped}`);
  return { ...status, values: new Map([...status.codes].map((code) => [code, values[String(code)]] as const)) };
}

/**
 * What a coded fact reads as: the documented code's value, or, for any other code, UNRECOGNISED with
 * the code as the source holds it. Never a guess: a rule reading the fact must not act on a meaning
 * the department did not give.
 */
export function codedValue<T>(column: CodedColumn<T>, code: string | number): { value: T; sourceCode: null } | { value: 'UNRECOGNISED'; sourceCode: string } {
  const value = documented(column, code) ? column.values.get(code) : undefined;
  return value === undefined ? { value: 'UNRECOGNISED', sourceCode: String(code) } : { value, sourceCode: null };
}

/** The programme column `column` of a declared table. Throws at load when its mapping and its declared codes differ, so the two cannot drift apart. */
export function programmeColumn(table: TableDeclaration, column: string, department: DepartmentCode, programmes: Readonly<Record<string, ProgrammeCode>>): ProgrammeColumn {
  const { values, ...status } = codedColumn(table, column, programmes);
  const catchAll = UNRECOGNISED_PROGRAMMES.find((p) => p.department === department);
  if (!catchAll) throw new Error(`no catch-all programme for ${department}`);
  return { ...status, programmes: values, catchAll: catchAll.code };
}

/** What a record built from a row carries for its programme and status: the row's programme, or the catch-all, UNRECOGNISED, with the code. */
export type RecordProgramme = RecordStatus & Pick<AidRecord, 'sourceProgrammeCode'> & { programme: AidProgrammeCode };

/**
 * A record's programme and status (spread into recurringAid/oneOffAid): the documented code's
 * programme with `status`, or, for any other code, the department's catch-all programme,
 * UNRECOGNISED, with the code in `sourceProgrammeCode` (and the status code too when that is
 * undocumented as well).
 */
export function programmeOf(column: ProgrammeColumn, code: string | number, status: RecordStatus): RecordProgramme {
  const programme = documented(column, code) ? column.programmes.get(code) : undefined;
  if (programme) return { programme, ...status };
  return { ...status, programme: column.catchAll, status: 'UNRECOGNISED', sourceProgrammeCode: String(code) };
}
