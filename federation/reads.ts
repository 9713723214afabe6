/**
 * Set-wise reads of what the duplicate-aid and missed-aid rules need from the departments, for
 * many people at once: every aid record (through each adapter), hospital settlements, disability
 * certificates and the student roll. A fixed number of statements per batch of ID numbers per
 * department, never one per person. The department folders keep the only mapping from department
 * rows to the common shapes, and every read of their tables; this file finds them through the
 * registry, by the kind of fact each provides.
 */
import type { SourceDb } from './contract';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { IsoDate } from '../domain/dates';
import type { StudentFacts } from '../domain/findings/facts';
import { ADAPTERS, factProvider, factProviders } from './registry';
import type { Sources } from './sources';
import type { AidRecord, DepartmentAdapter, DisabilityCertificate, HospitalSettlement, JobLoss, MonitoredSpell } from './contract';
import { readableAid, unavailableReason, UnreadableRows, withTimeout, type UnavailableReason } from './loaders';
import { statementRefused, type ServerError } from './statement-refused';

/** Everything the rules read from the departments about a set of people. */
export interface DepartmentFacts {
  records: AidRecord[];
  settlements: Map<string, HospitalSettlement>;
  certificates: DisabilityCertificate[];
  students: StudentFacts[];
  /** Every aid record tied to one of `settlements`, whoever received it (X7 adds up a stay's aid). */
  settlementAid: AidRecord[];
}

/**
 * A department that failed during a scan: the scan stops rather than report false missed aid (or a
 * duplicate read from a record it cannot read). `reason` as a request reports it: TIMEOUT (no answer
 * within its scan limit, `Source.scanTimeoutMs`), UNREACHABLE, STATEMENT_REFUSED with the server's
 * error packet in `refusedBy` (its errno and SQLSTATE), or UNREADABLE_ROWS with the count of such
 * records by field in `unreadable` (never which records: a reference can hold an ID number).
 */
export class DepartmentReadError extends Error {
  override name = 'DepartmentReadError';
  constructor(
    readonly department: DepartmentCode,
    readonly errorCode: string,
    readonly reason: UnavailableReason = 'UNREACHABLE',
    readonly unreadable: Record<string, number> | null = null,
    readonly refusedBy: ServerError | null = null,
  ) {
    super(`department ${department} could not be read (${reason}, ${errorCode})`);
  }

  /** What a scan or comparison records as its failure: DEPARTMENT_UNAVAILABLE:<DEPARTMENT>:<REASON>. */
  get failure(): string {
    return `DEPARTMENT_UNAVAILABLE:${this.department}:${this.reason}`;
  }
}

/** What the log says of a run's failure by a department: which, why, and unreadable records counted by field (no record named). */
export function departmentFailureFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof DepartmentReadError)) return {};
  return { department: err.department, reason: err.reason, errorCode: err.errorCode, ...(err.unreadable ? { unreadableRecords: err.unreadable } : {}), ...(err.refusedBy ?? {}) };
}

function errorCodeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return String(e?.cause?.code ?? e?.code ?? 'ERROR').slice(0, 40);
}

/** A read's failure as the department's DepartmentReadError (one already is one stays as it is). */
export function departmentReadError(code: DepartmentCode, err: unknown): DepartmentReadError {
  if (err instanceof DepartmentReadError) return err;
  // A fact read refused whole for rows it cannot read (federation/health's settlements): counted by field, as aid's are.
  if (err instanceof UnreadableRows) return new DepartmentReadError(code, 'UNREADABLE_ROWS', 'UNREADABLE_ROWS', err.byField);
  const reason = unavailableReason(err);
  return new DepartmentReadError(code, reason === 'TIMEOUT' ? 'TIMEOUT' : errorCodeOf(err), reason, null, reason === 'STATEMENT_REFUSED' ? statementRefused(err) : null);
}

/**
 * One statement of a scan against a department, within its scan limit. Out of time it is stopped on
 * the source as a request's read is (db/abandon.ts: its connection closed, KILL QUERY sent), so a
 * locked table holds neither the scan nor a connection of the department's pool.
 */
export function withinScanLimit<T>(sources: Sources, code: DepartmentCode, read: (db: SourceDb) => Promise<T>): Promise<T> {
  return withTimeout(sources[code].scanTimeoutMs, (scope) => read(scope.db(sources[code].db)));
}

/**
 * A department's aid records, refused whole when any of them holds a value the hub cannot read
 * (readableAid); with `leaveOut`, such records are left out instead and counted to it.
 */
function readableOrThrow(code: DepartmentCode, read: AidRecord[], leaveOut?: UnreadableLeftOut): AidRecord[] {
  const { records, unreadable } = readableAid(read);
  if (!unreadable) return records;
  // Left out, the record would distort the rules: missed aid for aid paid (M1-M4), or a total
  // without its amount; kept, a duplicate raised from a record with no amount or date (X6).
  if (!leaveOut) throw new DepartmentReadError(code, 'UNREADABLE_ROWS', 'UNREADABLE_ROWS', unreadable.byField);
  leaveOut(code, unreadable.byField);
  return records;
}

/** Told of the records of `department` a read left out, counted by field (never which records). */
export type UnreadableLeftOut = (department: DepartmentCode, byField: Readonly<Record<string, number>>) => void;

/** Reads in batches of `size`, at most `parallel` at once; results in batch order. */
async function inBatches<T>(ids: readonly string[], size: number, read: (batch: string[]) => Promise<T[]>, parallel = 1): Promise<T[]> {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  const results: T[][] = new Array(batches.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, batches.length) }, async () => {
      while (next < batches.length) {
        const k = next++;
        results[k] = await read(batches[k]);
      }
    }),
  );
  return results.flat();
}

export interface ReadOptions {
  /** ID numbers per statement. */
  batchSize?: number;
  /** Attempts per department before it is declared unreadable. */
  attempts?: number;
  /**
   * The people each department holds anything about (federation/person-keys.ts): a department is
   * asked only about those. Without it, every department is asked about everyone.
   */
  known?: ReadonlyMap<DepartmentCode, ReadonlySet<string>>;
  /** Likewise for the facts beside aid: who has a settlement, a certificate, a place on the roll. */
  knownFacts?: { settlements: ReadonlySet<string>; certificates: ReadonlySet<string>; students: ReadonlySet<string> };
  /** Batches of one department in flight at once. */
  parallel?: number;
  /** The departments read through (federation/registry.ts `adaptersComparing`, a region scan's); absent: ADAPTERS. */
  adapters?: Record<DepartmentCode, DepartmentAdapter>;
  /**
   * Aid records the hub cannot read (readableAid) are left out and counted to this, rather than
   * failing the read (the default, for scans and the monthly comparison: a run that goes on without
   * them could report missed aid that was paid). For the change feed, whose watermark would otherwise
   * wait at such a record until the department corrects it, holding back every later alert.
   */
  leaveOutUnreadable?: UnreadableLeftOut;
}

/**
 * All department facts for these people, departments read concurrently, each in batches.
 * Throws DepartmentReadError naming the first department that could not be read.
 */
export async function readDepartmentFacts(sources: Sources, idNumbers: readonly string[], today: IsoDate, opts: ReadOptions = {}): Promise<DepartmentFacts> {
  const size = opts.batchSize ?? 5000;
  const attempts = opts.attempts ?? 2;
  const ids = [...new Set(idNumbers)];

  async function department<T>(code: DepartmentCode, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        const failed = departmentReadError(code, err);
        // A source that did not answer in time, refused the statement (STATEMENT_REFUSED), or answered
        // rows it cannot be read from, would do so again at once: only UNREACHABLE is asked again.
        if (attempt >= attempts || failed.reason !== 'UNREACHABLE') throw failed;
      }
    }
  }
  const bounded =
    <T>(code: DepartmentCode, read: (batch: string[], db: SourceDb) => Promise<T[]>) =>
    (batch: string[]) =>
      withinScanLimit(sources, code, (db) => read(batch, db));

  const parallel = opts.parallel ?? 1;
  const adapters = opts.adapters ?? ADAPTERS;
  const stays = factProvider('settlements', adapters);
  const certs = factProvider('certificates', adapters);
  const roll = factProvider('students', adapters);
  const among = (known: ReadonlySet<string> | undefined): string[] => (known ? ids.filter((id) => known.has(id)) : ids);
  const [aid, settlements, certificates, students] = await Promise.all([
    Promise.all(
      DEPARTMENT_CODES.map((code) =>
        department(code, () => inBatches(among(opts.known?.get(code)), size, bounded(code, async (b, db) => readableOrThrow(code, await adapters[code].aidByIdNumbers(db, b, today), opts.leaveOutUnreadable)), parallel)),
      ),
    ),
    department(stays.code, () => inBatches(among(opts.knownFacts?.settlements ?? opts.known?.get(stays.code)), size, bounded(stays.code, (b, db) => stays.reader.byIdNumbers(db, b)), parallel)),
    department(certs.code, () => inBatches(among(opts.knownFacts?.certificates ?? opts.known?.get(certs.code)), size, bounded(certs.code, (b, db) => certs.reader.byIdNumbers(db, b)), parallel)),
    department(roll.code, () => inBatches(among(opts.knownFacts?.students ?? opts.known?.get(roll.code)), size, bounded(roll.code, (b, db) => roll.reader.byIdNumbers(db, b)), parallel)),
  ]);
  const records = aid.flat();
  const byRef = new Map(settlements.map((s) => [s.settlementRef, s]));
  // As for one household (resolvers/findings/live.ts): no stay is read for a record under an undocumented status code.
  const missing = [...new Set(records.flatMap((r) => (r.settlementRef && r.status !== 'UNRECOGNISED' && !byRef.has(r.settlementRef) ? [r.settlementRef] : [])))];
  if (missing.length > 0) {
    for (const s of await department(stays.code, () => inBatches(missing, size, bounded(stays.code, (b, db) => stays.reader.byRefs(db, b))))) byRef.set(s.settlementRef, s);
  }
  // Aid for these stays paid to anyone (a relative's union grant in another household) counts too.
  const refs = [...byRef.keys()];
  const tied = await Promise.all(
    DEPARTMENT_CODES.filter((code) => adapters[code].aidBySettlementRefs).map((code) =>
      department(code, () => inBatches(refs, size, bounded(code, async (b, db) => readableOrThrow(code, await adapters[code].aidBySettlementRefs!(db, b, today), opts.leaveOutUnreadable)), parallel)),
    ),
  );
  return { records, settlements: byRef, certificates, students, settlementAid: tied.flat() };
}

/** Who each providing department holds a fact about (federation/person-keys.ts): it is asked only about those. */
export type KnownByDepartment = ReadonlyMap<DepartmentCode, ReadonlySet<string>>;

/** One kind of fact beside aid, from every department providing it: one statement per provider per batch. */
async function factsOfKind<K extends 'jobLosses' | 'monitored'>(kind: K, sources: Sources, idNumbers: readonly string[], known?: KnownByDepartment) {
  const ids = [...new Set(idNumbers)];
  const found = await Promise.all(
    factProviders(kind).map(({ code, reader }) => {
      const held = known?.get(code);
      return inBatches(held ? ids.filter((id) => held.has(id)) : ids, 5000, (b) =>
        withinScanLimit(sources, code, (db) => reader.byIdNumbers(db, b) as Promise<(K extends 'jobLosses' ? JobLoss : MonitoredSpell)[]>),
      ).catch((err: unknown) => {
        throw departmentReadError(code, err);
      });
    }),
  );
  return found.flat();
}

/**
 * Every job loss any department records for these people (the union-and-human-resources job-loss
 * condition of monitoring triggers): one statement per providing department per batch.
 * Throws DepartmentReadError naming a department that could not be read.
 */
export function jobLossesOf(sources: Sources, idNumbers: readonly string[], known?: KnownByDepartment): Promise<JobLoss[]> {
  return factsOfKind('jobLosses', sources, idNumbers, known);
}

/** Spells on the monitored low-income roll of these people: one statement per batch. */
export function monitoredOf(sources: Sources, idNumbers: readonly string[], known?: KnownByDepartment): Promise<MonitoredSpell[]> {
  return factsOfKind('monitored', sources, idNumbers, known);
}
