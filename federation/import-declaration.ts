/**
 * How a department declares its import files (`npm run import`): one CSV file per table, checked
 * against the drizzle table itself by tools/import/spec.ts. The column list, NOT NULL-ness,
 * lengths, integer widths and DECIMAL precision come from the table; a declaration says what
 * drizzle cannot (that a CHAR(18) is an ID number, that a TINYINT is a code with these meanings,
 * that an INT counts fen, which dates bound a period). Each department declares its own tables in
 * its folder (`importTables` of its adapter); the import tool gathers them through the registry.
 */
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { DepartmentCode } from '../domain/departments';

/** Where a table lives: the hub's own database or one department's front-end database. */
export type Target = 'HUB' | DepartmentCode;

/** The largest value of a MySQL INT (fen columns are INT). */
export const INT_MAX = 2_147_483_647;

export type ColumnType =
  /** Free text up to maxLength characters (VARCHAR/CHAR length, counted in characters). */
  | { kind: 'text'; maxLength: number }
  /** Digits only, of one of the given lengths (administrative division codes). */
  | { kind: 'digits'; lengths: readonly number[] }
  /** One of a closed list of codes, each [code, meaning]; `numeric` codes are stored in an integer column. */
  | { kind: 'code'; codes: readonly (readonly [string, string])[]; numeric: boolean }
  | { kind: 'int'; min: number; max: number }
  /** Money in integer fen, 0 ≤ fen ≤ INT_MAX. */
  | { kind: 'fen' }
  /** Money in yuan as DECIMAL(precision, scale): ≥ 0, at most `scale` decimals. */
  | { kind: 'yuan'; precision: number; scale: number }
  /** 0 or 1. */
  | { kind: 'bool' }
  /** YYYY-MM-DD, a real calendar date. */
  | { kind: 'date' }
  /** YYYY-MM. */
  | { kind: 'month' }
  /** 公民身份号码, 18 characters with a valid check character. */
  | { kind: 'idNumber' }
  /** 第二代残疾人证号: ID number + category digit 1–7 + level digit 1–4. */
  | { kind: 'certNo' }
  /** A school year such as 2025-2026 (two consecutive years). */
  | { kind: 'schoolYear' }
  /** A four-digit year. */
  | { kind: 'year' };

/** A period whose end may not be before its start (both inclusive; an empty end is open). */
export interface PeriodRule {
  start: string;
  end: string;
}

/** A column that becomes required when another column holds one of some codes. */
export interface RequiredWhenRule {
  column: string;
  when: { column: string; values: readonly string[] };
}

/** A problem a row rule finds; `column` is where it is reported. */
export interface RuleProblem {
  column: string;
  code: string;
  message: string;
}

/**
 * A check across several columns of one row. It sees the row's values already parsed and
 * normalised (text trimmed, ID numbers upper-cased, numbers as numbers, yuan as strings), and is
 * only called when every column it names parsed without error.
 */
export interface CrossRule {
  columns: readonly string[];
  doc: string;
  check(row: Readonly<Record<string, unknown>>): RuleProblem | null;
}

export interface ColumnDeclaration {
  doc: string;
  /** Overrides the type derived from the drizzle column. */
  type?: ColumnType;
}

export interface TableDeclaration {
  target: Target;
  drizzleTable: MySqlTable;
  doc: string;
  columns: Record<string, ColumnDeclaration>;
  periods?: PeriodRule[];
  requiredWhen?: RequiredWhenRule[];
  crossRules?: CrossRule[];
  /** Columns holding ID numbers (公民身份号码): checked as such. Declared apart so the list is easy to audit. */
  idNumberColumns?: readonly string[];
  /** Columns holding disability certificate numbers. */
  certNoColumns?: readonly string[];
}

export const ID_NUMBER: ColumnType = { kind: 'idNumber' };
export const CERT_NO: ColumnType = { kind: 'certNo' };
export const MONTH: ColumnType = { kind: 'month' };
export const SCHOOL_YEAR: ColumnType = { kind: 'schoolYear' };
export const YEAR: ColumnType = { kind: 'year' };
export const digits = (...lengths: number[]): ColumnType => ({ kind: 'digits', lengths });
/** Codes as `'code meaning'` strings, in the order given: `codes('SW 实物配租', 'BT 租赁补贴')`. */
export function codeList(list: string[]): [string, string][] {
  return list.map((entry) => {
    const i = entry.indexOf(' ');
    return i < 0 ? [entry, entry] : [entry.slice(0, i), entry.slice(i + 1)];
  });
}
export const codes = (...list: string[]): ColumnType => ({ kind: 'code', codes: codeList(list), numeric: false });
export const numericCodes = (...list: string[]): ColumnType => ({ kind: 'code', codes: codeList(list), numeric: true });
export const int = (min: number, max: number): ColumnType => ({ kind: 'int', min, max });

export function yuanToFenExact(yuan: string): number {
  const [whole, frac = ''] = yuan.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

