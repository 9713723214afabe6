/**
 * Set-wise reads of what the duplicate-aid and missed-aid rules need from the departments, for
 * many people at once: every aid record (through each adapter), hospital settlements, disability
 * certificates and the student roll. A fixed number of statements per batch of ID numbers per
 * department, never one per person. The department folders keep the only mapping from department
 * rows to the common shapes, and every read of their tables; this file finds them through the
 * registry, by the kind of fact each provides.
 */
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { IsoDate } from '../domain/dates';
import type { StudentFacts } from '../domain/findings/facts';
import { ADAPTERS, factProvider, factProviders } from './registry';
import type { Sources } from './sources';
import type { AidRecord, DisabilityCertificate, HospitalSettlement, JobLoss, MonitoredSpell } from './contract';

/** Everything the rules read from the departments about a set of people. */
export interface DepartmentFacts {
  records: AidRecord[];
  settlements: Map<string, HospitalSettlement>;
  certificates: DisabilityCertificate[];
  students: StudentFacts[];
  /** Every aid record tied to one of `settlements`, whoever received it (X7 adds up a stay's aid). */
  settlementAid: AidRecord[];
}

/** A department that failed during a scan: the scan stops rather than report false missed aid. */
export class DepartmentReadError extends Error {
  override name = 'DepartmentReadError';
  constructor(
    readonly department: DepartmentCode,
    readonly errorCode: string,
  ) {
    super(`department ${department} could not be read (${errorCode})`);
  }
}

function errorCodeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return String(e?.cause?.code ?? e?.code ?? 'ERROR').slice(0, 40);
}

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
        if (attempt >= attempts) throw new DepartmentReadError(code, errorCodeOf(err));
      }
    }
  }

  const parallel = opts.parallel ?? 1;
  const stays = factProvider('settlements');
  const certs = factProvider('certificates');
  const roll = factProvider('students');
  const among = (known: ReadonlySet<string> | undefined): string[] => (known ? ids.filter((id) => known.has(id)) : ids);
  const [aid, settlements, certificates, students] = await Promise.all([
    Promise.all(
      DEPARTMENT_CODES.map((code) => department(code, () => inBatches(among(opts.known?.get(code)), size, (b) => ADAPTERS[code].aidByIdNumbers(sources[code].db, b, today), parallel))),
    ),
    department(stays.code, () => inBatches(among(opts.knownFacts?.settlements ?? opts.known?.get(stays.code)), size, (b) => stays.reader.byIdNumbers(sources[stays.code].db, b), parallel)),
    department(certs.code, () => inBatches(among(opts.knownFacts?.certificates ?? opts.known?.get(certs.code)), size, (b) => certs.reader.byIdNumbers(sources[certs.code].db, b), parallel)),
    department(roll.code, () => inBatches(among(opts.knownFacts?.students ?? opts.known?.get(roll.code)), size, (b) => roll.reader.byIdNumbers(sources[roll.code].db, b), parallel)),
  ]);
  const records = aid.flat();
  const byRef = new Map(settlements.map((s) => [s.settlementRef, s]));
  // As for one household (resolvers/findings/live.ts): no stay is read for a record under an undocumented status code.
  const missing = [...new Set(records.flatMap((r) => (r.settlementRef && r.status !== 'UNRECOGNISED' && !byRef.has(r.settlementRef) ? [r.settlementRef] : [])))];
  if (missing.length > 0) {
    for (const s of await department(stays.code, () => inBatches(missing, size, (b) => stays.reader.byRefs(sources[stays.code].db, b)))) byRef.set(s.settlementRef, s);
  }
  // Aid for these stays paid to anyone (a relative's union grant in another household) counts too.
  const refs = [...byRef.keys()];
  const tied = await Promise.all(
    DEPARTMENT_CODES.filter((code) => ADAPTERS[code].aidBySettlementRefs).map((code) =>
      department(code, () => inBatches(refs, size, (b) => ADAPTERS[code].aidBySettlementRefs!(sources[code].db, b, today), parallel)),
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
      return inBatches(held ? ids.filter((id) => held.has(id)) : ids, 5000, (b) => reader.byIdNumbers(sources[code].db, b) as Promise<(K extends 'jobLosses' ? JobLoss : MonitoredSpell)[]>).catch((err: unknown) => {
        throw new DepartmentReadError(code, errorCodeOf(err));
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
