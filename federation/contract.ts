/**
 * The contract between the hub and a department source. Each department keeps its own table
 * shapes in its own front-end database (前置库); its adapter reads them and maps every row to the
 * one common AidRecord below. Department column names never leave the adapter.
 */
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { DepartmentCode } from '../domain/departments';
import type { ProgrammeCode } from '../domain/programmes';
import type { IsoDate } from '../domain/dates';

export type AidStatus = 'ACTIVE' | 'ENDED' | 'SUSPENDED' | 'PAID' | 'CANCELLED';

/** Why temporary aid was granted (seed 000, 二(一)3). */
export type AidCause = 'ILLNESS' | 'ACCIDENT' | 'DISASTER' | 'JOB_LOSS' | 'EDUCATION' | 'OTHER';

/** One piece of aid to one person, whichever department pays it. */
export interface AidRecord {
  department: DepartmentCode;
  programme: ProgrammeCode;
  /** The beneficiary's ID number (GB 11643). */
  beneficiaryIdNumber: string;
  /** The department's own household key (低保 family number, housing application, …), if it has one. */
  sourceHouseholdRef: string | null;
  /** RECURRING: periodStart..periodEnd (null end = still running), amountFen per month. */
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  /** ONE_OFF: the date granted or paid, amountFen in total. */
  grantDate: IsoDate | null;
  amountFen: number;
  status: AidStatus;
  /** Stable reference into the source: `<table>:<key>`, unique within the department. */
  sourceRef: string;
  /** 临时救助 only: the cause, whether 急难, and whether approved as a second aid (二次临时救助). */
  cause?: AidCause | null;
  urgent?: boolean;
  secondAid?: boolean;
  /** Aid tied to one hospital settlement (medical aid, union illness aid): the settlement's ref. */
  settlementRef?: string | null;
  /** Education aid: the school year, e.g. "2025-2026". */
  schoolYear?: string | null;
}

/** A hospital settlement as the medical insurance system records it, in fen. */
export interface HospitalSettlement {
  settlementRef: string;
  idNumber: string;
  hospitalName: string;
  admittedOn: IsoDate;
  dischargedOn: IsoDate | null;
  settledOn: IsoDate;
  diagnosis: string | null;
  totalCostFen: number;
  basicInsurancePaidFen: number;
  criticalIllnessInsurancePaidFen: number;
  medicalAidPaidFen: number;
  outOfPocketFen: number;
}

/** A disability certificate (第二代残疾人证): 18-char ID number + category digit + level digit. */
export interface DisabilityCertificate {
  certificateNumber: string;
  idNumber: string;
  category: number;
  level: number;
  issuedOn: IsoDate;
  validUntil: IsoDate | null;
  status: 'VALID' | 'EXPIRED' | 'REVOKED';
}

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
