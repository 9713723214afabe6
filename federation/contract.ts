/**
 * The contract between the hub and a department source. Each department keeps its own table
 * shapes in its own front-end database (前置库); its adapter reads them and maps every row to the
 * one common AidRecord below. Department column names never leave the adapter.
 */
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { DepartmentCode } from '../domain/departments';
import type { ProgrammeCode } from '../domain/programmes';
import type { IsoDate } from '../domain/dates';
import type { AidRecord } from '../domain/aid';

export type { AidCause, AidRecord, AidStatus, DisabilityCertificate, HospitalSettlement } from '../domain/aid';

export type SourceDb = MySql2Database<Record<string, never>>;

/** Whether a table that holds only `held` programmes is needed for `wanted` (absent: everything is). */
export function needed(wanted: ReadonlySet<ProgrammeCode> | undefined, held: readonly ProgrammeCode[]): boolean {
  return wanted === undefined || held.some((p) => wanted.has(p));
}

/** What a table that is not needed returns. */
export const NOT_READ: Promise<never[]> = Promise.resolve([]);

export interface DepartmentAdapter {
  code: DepartmentCode;
  /**
   * Every aid record whose beneficiary is one of these people, in a fixed number of statements
   * however many people are asked for (one per source table). Order is not significant.
   * With `programmes`, tables that can hold none of them are not read (a pre-grant check needs only
   * what its rules name); records of other programmes may still come back from the tables read.
   */
  aidByIdNumbers(db: SourceDb, idNumbers: readonly string[], today: IsoDate, programmes?: ReadonlySet<ProgrammeCode>): Promise<AidRecord[]>;
  /**
   * drizzle-kit migrations that create the department's tables in an empty database. Production
   * front-end databases belong to the department and already exist; the hub applies these only to
   * demo and test databases.
   */
  migrationsFolder: string;
}
