/**
 * The contract between the hub and a department source. Each department keeps its own table
 * shapes in its own front-end database (前置库); its folder under federation/ reads them and maps
 * every row to the common shapes of domain/aid.ts. Department table and column names never leave
 * the folder: the rest of the hub reaches a department only through this interface and the
 * registry (federation/registry.ts).
 */
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import type { StudentFacts } from '../domain/findings/facts';
import type { DepartmentDemo } from './demo-contract';
import type { TableDeclaration } from './import-declaration';
import type { ProgrammeColumn, StatusColumn } from './status-codes';
import type { DepartmentCode } from '../domain/departments';
import type { ProgrammeCode } from '../domain/programmes';
import type { IsoDate } from '../domain/dates';
import type { AidRecord, DisabilityCertificate, HospitalSettlement, JobLoss, MonitoredSpell } from '../domain/aid';

export type { AidCause, AidRecord, AidStatus, DisabilityCertificate, HospitalSettlement, JobLoss, MonitoredSpell } from '../domain/aid';

/**
 * A department's database as a read is given it: a department read's is a view carrying the read's
 * abandonable scope (db/abandon.ts `Scope.db`), so every statement of the read goes through it.
 */
export type SourceDb = MySql2Database<Record<string, never>>;

/**
 * How a department's server compares the strings the hub asks it for (federation/comparisons.ts):
 * `EXACT`, it may tell case and trailing spaces apart (every form asked); `CASE_AND_PAD_IGNORED`, it does not.
 */
export type Comparison = 'EXACT' | 'CASE_AND_PAD_IGNORED';

/** Whether a table that holds only `held` programmes is needed for `wanted` (absent: everything is). */
export function needed(wanted: ReadonlySet<ProgrammeCode> | undefined, held: readonly ProgrammeCode[]): boolean {
  return wanted === undefined || held.some((p) => wanted.has(p));
}

/** Reads one kind of fact about a batch of people, in a fixed number of statements. */
export interface FactReader<T> {
  byIdNumbers(db: SourceDb, idNumbers: readonly string[]): Promise<T[]>;
  /** The ID-number column the facts hang from: a scan reads it once, index only, to know who has any. */
  keyColumn: MySqlColumn;
}

/**
 * Facts beside aid that the rules (and the coming monitoring triggers) read, by kind. A kind is
 * department-neutral: the rules ask for settlements or job losses, and the registry says which
 * departments provide them (federation/registry.ts, `factProviders`).
 */
export interface DepartmentFactReaders {
  /** Hospital settlements (medical insurance), also by settlement reference. */
  settlements?: FactReader<HospitalSettlement> & { byRefs(db: SourceDb, refs: readonly string[]): Promise<HospitalSettlement[]> };
  /** Disability certificates. */
  certificates?: FactReader<DisabilityCertificate>;
  /** Students on the roll, with their school years. */
  students?: FactReader<StudentFacts>;
  /** Job losses (a union hardship file, an unemployment registration). */
  jobLosses?: FactReader<JobLoss>;
  /** Spells on the monitored low-income roll (低收入人口, civil affairs). */
  monitored?: FactReader<MonitoredSpell>;
}

export type FactKind = keyof DepartmentFactReaders;

/** What a pre-grant check asks one department for in one statement (`DepartmentAdapter.aidAndFacts`). */
export interface CheckAsk {
  /** The people whose aid is asked for: `aid` is what `aidByIdNumbers(db, idNumbers, today, programmes)` answers. */
  idNumbers: readonly string[];
  today: IsoDate;
  programmes?: ReadonlySet<ProgrammeCode>;
  /** Stays whose aid, whoever received it, is asked for: `tied` is what `aidBySettlementRefs(db, tiedTo, today)` answers. */
  tiedTo?: readonly string[];
  /** The people's certificates: `certificates` is what `facts.certificates.byIdNumbers(db, idNumbers)` answers. */
  certificates?: boolean;
  /** Stays by their reference: `stays` is what `facts.settlements.byRefs(db, stays)` answers. */
  stays?: readonly string[];
  /** The people's places on the roll: `students` is what `facts.students.byIdNumbers(db, idNumbers)` answers. */
  students?: boolean;
}

/** A department's answer to a `CheckAsk`, each part as its own read would answer it. */
export interface CheckAnswer {
  aid: AidRecord[];
  tied: AidRecord[];
  certificates: DisabilityCertificate[];
  stays: HospitalSettlement[];
  students: StudentFacts[];
}

/** An answer to a `CheckAsk` with `parts`, every other part empty. */
export function checkAnswer(parts: Partial<CheckAnswer>): CheckAnswer {
  return { aid: [], tied: [], certificates: [], stays: [], students: [], ...parts };
}

/** A `CheckAsk` answered by the department's own reads, each apart (an `aidAndFacts` with nothing to combine). */
export async function readsApart(adapter: DepartmentAdapter, db: SourceDb, ask: CheckAsk): Promise<CheckAnswer> {
  const { idNumbers, today, programmes, tiedTo = [], certificates = false, stays = [], students = false } = ask;
  const [aid, tied, certs, standing, roll] = await Promise.all([
    adapter.aidByIdNumbers(db, idNumbers, today, programmes),
    adapter.aidBySettlementRefs && tiedTo.length > 0 ? adapter.aidBySettlementRefs(db, tiedTo, today) : [],
    certificates && adapter.facts?.certificates ? adapter.facts.certificates.byIdNumbers(db, idNumbers) : [],
    adapter.facts?.settlements && stays.length > 0 ? adapter.facts.settlements.byRefs(db, stays) : [],
    students && adapter.facts?.students ? adapter.facts.students.byIdNumbers(db, idNumbers) : [],
  ]);
  return { aid, tied, certificates: certs, stays: standing, students: roll };
}

/**
 * How the hub can see a table's new and changed rows, for monitoring (监测预警) over live data:
 * `sequence` is a key that only grows (rows above the last one seen are new), `updatedAt` a time
 * the department's system sets on every change. A table with neither is compared as a snapshot,
 * by primary key. Only the declaration lives here; the monitoring feature reads it.
 */
export interface ChangeFeed {
  table: MySqlTable;
  sequence: MySqlColumn | null;
  updatedAt: MySqlColumn | null;
  /**
   * With `updatedAt`: the unique key that orders the rows of one second, so a poll can stop inside
   * a second a bulk statement filled and the next go on from there. Absent: the table's primary
   * key, which the index on `updatedAt` already holds in order (InnoDB); another key needs an
   * index on (`updatedAt`, key…).
   */
  rowKey?: readonly MySqlColumn[];
}

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
   * Aid tied to these hospital settlements, whoever received it (a union illness grant paid to a
   * relative in another household, medical aid paid to the patient): the duplicate rule on one
   * stay (X7) adds up everything paid for it. Present on departments whose aid can be tied to a
   * stay; one statement per table, through an index on the settlement reference. `today` dates
   * the records' status as `aidByIdNumbers` dates it (a grant dated after it is SCHEDULED).
   */
  aidBySettlementRefs?(db: SourceDb, refs: readonly string[], today: IsoDate): Promise<AidRecord[]>;
  /**
   * Optional: what a pre-grant check asks of this department beside the people's aid, answered with
   * it in one statement (resolvers/findings/live.ts `checkReads`; docs/performance.md, Sessions 35
   * and 36). Each part answers what its own read answers (`CheckAnswer`); a part not asked, or one
   * the department does not hold, is empty. Without it the reads are asked for apart.
   */
  aidAndFacts?(db: SourceDb, ask: CheckAsk): Promise<CheckAnswer>;
  /**
   * Records no longer among the standing ones, by the `sourceRef` they had, as their source holds
   * them now: present on sources that supersede a record by a later one instead of changing it (the
   * reported-aid ledger: the entry as recorded, its `supersededBy` what stands in its place, status
   * SUPERSEDED where that is a CORRECTION, CANCELLED where it is the REVERSAL that reads as the aid
   * cancelled; a record of a chain, corrected then corrected or reversed again, names the chain's last
   * entry, read in the same statement as the entry); one never superseded, or unknown, is left out. A source whose reads leave a record reversed in
   * place out of its standing ones (medical insurance's reversed settlements, kept out of every total
   * and rule) answers that record itself, CANCELLED, under its own `sourceRef`: it reads as any record
   * revoked in place. Asked also when a slip's completion or a first aid names a record not among
   * the standing ones: what it answers CANCELLED is refused AID_RECORD_CANCELLED, not NOT_FOUND.
   * One statement however many are asked for.
   */
  recordsNoLongerStanding?(db: SourceDb, sourceRefs: readonly string[], today: IsoDate): Promise<Map<string, AidRecord>>;
  /**
   * drizzle-kit migrations that create the department's tables in an empty database. Production
   * front-end databases belong to the department and already exist; the hub applies these only to
   * demo and test databases.
   */
  migrationsFolder: string;
  /** The drizzle bookkeeping table of those migrations, when not the default (a source in the hub's own database). */
  migrationsTable?: string;
  /** Every table of the department's front-end database that the hub reads. */
  tables: readonly MySqlTable[];
  /**
   * The columns through which the department's records reach a person (beneficiary ID numbers,
   * and the keys those records hang from). A region scan reads them, index only, to ask the
   * department only about people it has rows for (federation/person-keys.ts).
   */
  personKeys: readonly MySqlColumn[];
  /** ID-number columns that are not person keys, each with the reason. */
  otherIdColumns?: readonly { column: MySqlColumn; why: string }[];
  /** Facts beside aid this department provides. */
  facts?: DepartmentFactReaders;
  /** How each table's new and changed rows can be seen (for monitoring). */
  changeFeed: readonly ChangeFeed[];
  /**
   * The department's import files (`npm run import`): one declaration per table, by table name
   * (federation/import-declaration.ts). Absent only for a source with no front-end database (the
   * reported-aid ledger, written through the API): a federated department without it has no import
   * files, which test/import.test.ts refuses.
   */
  importTables?: Readonly<Record<string, TableDeclaration>>;
  /** Its part of the demo population (federation/demo-contract.ts). */
  demo?: DepartmentDemo;
  /**
   * The kinds of record its aid records and facts come from, the first part of their `sourceRef`
   * (`sourceRefOf`, domain/aid.ts). Frozen: stored findings' fingerprints are built from them, so
   * a kind stays as it is when a table is renamed or replaced (test/record-kinds.test.ts).
   */
  recordKinds: Readonly<Record<string, string>>;
  /**
   * The status columns its aid records' status is read from, each with the codes the department
   * documents (federation/status-codes.ts): a record under any other code is UNRECOGNISED. The hub
   * counts such rows at start-up for its operators (federation/unrecognised-status.ts).
   */
  statusColumns?: readonly StatusColumn[];
  /**
   * The columns its aid records' programme is read from (a subsidy type, a funding type), each with
   * the codes the department documents and their programmes (federation/status-codes.ts): a record
   * under any other code is shown under the department's catch-all programme, UNRECOGNISED, never
   * skipped. Counted at start-up like the status columns.
   */
  programmeColumns?: readonly ProgrammeColumn[];
  /**
   * The coded columns of the facts the rules read besides an aid record's status and programme (a
   * temporary aid's cause and approval level, a certificate's status and level, a student's 学籍 status, a monitored-roll category), each with the codes the
   * department documents (federation/status-codes.ts `codedColumn`): a fact under any other code
   * reads as UNRECOGNISED with its code, never as a guess. Counted at start-up like the status columns.
   */
  factColumns?: readonly StatusColumn[];
  /**
   * Every other column its import declaration documents with codes: what no rule reads (a 低保
   * family's urban or rural kind, a student's stage, a certificate's category). An undocumented code
   * there changes no total or finding, but it is the department's data gone wrong all the same, and
   * where the API shows the column it shows the code as undocumented (a certificate's category: null,
   * with `sourceCategoryCode`), never a meaning. Counted at start-up beside the fact columns, under
   * their gauge with `kind="display"` (federation/unrecognised-status.ts). Together the four lists
   * hold every coded column of the declaration (test/department-completeness.test.ts).
   */
  displayColumns?: readonly StatusColumn[];
}
