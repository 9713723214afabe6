/**
 * Per-request DataLoaders over the department sources: one loader per department, keyed by ID
 * number, so a household query costs one batch per department however many members it has.
 *
 * A source that fails or is slower than its timeout does not fail the request: every key of the
 * batch resolves to an UNAVAILABLE outcome (never a thrown error, which DataLoader would cache per
 * key), the request records it, and the rest of the answer goes out.
 */
import DataLoader from 'dataloader';
import { abandonable, RequestAbandoned, type RequestReads, type Scope } from '../db/abandon';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { IsoDate } from '../domain/dates';
import { groupBy } from '../domain/group-by';
import type { Sources, Source } from './sources';
import { ADAPTERS } from './registry';
import type { AidRecord } from './contract';
import { unreadableValue } from '../domain/aid';
import { UnreadableRows } from './unreadable-rows';
import { statementRefused } from './statement-refused';

/**
 * TIMEOUT: no answer within the department's limit; UNREACHABLE: its server could not be reached
 * or could not finish the read for now (down, connections refused or lost, too many connections, a
 * deadlock: the log's `errorCode` says which); STATEMENT_REFUSED: its server answered and refused
 * the hub's statement as it will again (a table or column renamed or gone, a grant revoked, a
 * collation that cannot compare: federation/statement-refused.ts; the log's `errno` and `sqlState`
 * say which), so it is the department's schema or the hub's grants to look at, not the network;
 * UNREADABLE_ROWS: it answered, but some of its records hold a value the hub cannot read (see
 * domain/aid.ts unreadableValue), left out of the answer while the rest is shown.
 */
export type UnavailableReason = 'TIMEOUT' | 'UNREACHABLE' | 'STATEMENT_REFUSED' | 'UNREADABLE_ROWS';

export { UnreadableRows } from './unreadable-rows';

export interface SourceOutcome {
  department: DepartmentCode;
  available: boolean;
  latencyMs: number;
  reason: UnavailableReason | null;
}

export interface DepartmentAid {
  records: AidRecord[];
  outcome: SourceOutcome;
}

/** The ID number no record has: a batch of it alone asks a department only whether it answers. */
export const PROBE = '';

/** Above this many ID numbers a batch is split, to keep IN lists and packets reasonable. */
export const MAX_IDS_PER_STATEMENT = 5000;

/** A department that did not answer within its time limit. */
class SourceTimeout extends Error {}

/**
 * `work(scope)` within `ms`, or a SourceTimeout. The clock starts before the work does, so a source
 * that never answers is timed out by the hub, not by the driver's connect timeout of the same length.
 * Work out of time is abandoned (db/abandon.ts): a department read sends its statements through
 * the handle the scope gives it (`scope.db(source.db)`, `scope.pool(source.pool)`), and the
 * department pool stops those still running on the source, so a source that hangs (a table lock,
 * a statement that sleeps) holds none of the hub's connections past the limit. Work on the hub's
 * own database leaves the scope unused (its pool is not abandonable).
 *
 * With `request`, the read is one of that request's (db/abandon.ts RequestReads): abandoned the same
 * way, and rejected with RequestAbandoned, when the request is (its client gone); not started at all
 * once it is.
 */
export function withTimeout<T>(ms: number, work: (scope: Scope) => Promise<T>, request?: RequestReads): Promise<T> {
  if (request?.abandoned) return Promise.reject(new RequestAbandoned('the request was abandoned before this read: its client went away'));
  // One promise settled by whichever comes first, the work, the timer or the request's abandonment:
  // what a race of the two with a `finally` did, in one promise instead of four (a department read
  // is a dozen a household query). Work that ends after that settles nothing: its late rejection is
  // swallowed here.
  return new Promise<T>((resolve, reject) => {
    const { start, abandon } = abandonable(work);
    const timer = setTimeout(() => {
      request?.forget(abandon);
      reject(new SourceTimeout());
      abandon();
    }, ms);
    request?.follow(abandon, timer, reject);
    start().then(
      (value) => {
        clearTimeout(timer);
        request?.forget(abandon);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        request?.forget(abandon);
        reject(error);
      },
    );
  });
}

/** Why a read failed: out of time (the hub's limit, or the driver's on connecting), its statement refused by the server, or anything else. */
export function unavailableReason(error: unknown): UnavailableReason {
  if (error instanceof SourceTimeout) return 'TIMEOUT';
  // The hub stopped waiting, as for a timeout, because its client had gone: the answer that carries
  // it is never sent, and the request's outcome listener neither counts nor logs it as the
  // department's failure (resolvers/context.ts).
  if (error instanceof RequestAbandoned) return 'TIMEOUT';
  // A fact read refused whole for a row it cannot read (a settlement's amount: federation/health):
  // the department answered, so it is not UNREACHABLE.
  if (error instanceof UnreadableRows) return 'UNREADABLE_ROWS';
  if (statementRefused(error)) return 'STATEMENT_REFUSED';
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  return (cause as { code?: unknown } | null)?.code === 'ETIMEDOUT' ? 'TIMEOUT' : 'UNREACHABLE';
}

/**
 * Each department's state now: one `SELECT 1` per source within its own timeout, all at once.
 * For /readyz, which reports them beside the hub's own readiness.
 */
export async function probeSources(sources: Sources): Promise<Record<DepartmentCode, { available: boolean; latencyMs: number; reason: UnavailableReason | null }>> {
  const probed = await Promise.all(
    DEPARTMENT_CODES.map(async (code) => {
      const started = performance.now();
      try {
        await withTimeout(sources[code].timeoutMs, (scope) => scope.pool(sources[code].pool).query('SELECT 1'));
        return [code, { available: true, latencyMs: Math.round(performance.now() - started), reason: null }] as const;
      } catch (error) {
        return [code, { available: false, latencyMs: Math.round(performance.now() - started), reason: unavailableReason(error) }] as const;
      }
    }),
  );
  return Object.fromEntries(probed) as Record<DepartmentCode, { available: boolean; latencyMs: number; reason: UnavailableReason | null }>;
}

/** How many of a read's records carry a status code, and how many a programme code, their department does not document (both UNRECOGNISED). */
export interface UnrecognisedCodes {
  status: number;
  programme: number;
}
const NONE: UnrecognisedCodes = { status: 0, programme: 0 };
const NO_WAITS: readonly Promise<unknown>[] = Object.freeze([]);

/** How many of these records carry an undocumented status code, and how many a programme code. */
export function unrecognisedIn(records: readonly AidRecord[]): UnrecognisedCodes {
  let status = 0;
  let programme = 0;
  for (const r of records) {
    if (r.sourceStatusCode != null) status++;
    if (r.sourceProgrammeCode != null) programme++;
  }
  return { status, programme };
}

/** Told each read's outcome, and for a read that answered, how many of its records are UNRECOGNISED and why (server/metrics.ts). */
export type OutcomeListener = (outcome: SourceOutcome, error: unknown, unrecognised: UnrecognisedCodes) => void;

/**
 * A department's records without those holding a value the hub cannot read (domain/aid.ts
 * unreadableValue), and an UnreadableRows counting them when there were any. Every read of aid for
 * an answer goes through it: the household's loaders and the pre-grant check's direct read alike.
 */
export function readableAid(read: AidRecord[]): { records: AidRecord[]; unreadable: UnreadableRows | null } {
  // Nearly every read holds no such record: then the read itself, without a copy and a tally.
  let i = 0;
  while (i < read.length && unreadableValue(read[i]) === null) i++;
  if (i === read.length) return { records: read, unreadable: null };
  const byField: Record<string, number> = {};
  const records = read.filter((r) => {
    const field = unreadableValue(r);
    if (field) byField[field] = (byField[field] ?? 0) + 1;
    return field === null;
  });
  return { records, unreadable: records.length < read.length ? new UnreadableRows(byField) : null };
}

/**
 * One department's reads for a request. A caller asks for a set of people at once (`load`) and
 * gets one promise for all of them, not one per person: a household query asks every department
 * about its members, and DataLoader's promise per key and department (with `Promise.all`'s per
 * element) was about fifty promises a query. DataLoader still gathers what is asked in one tick
 * (every household of `households(ids:)`, a person's `aid` beside their household's) into one
 * batch; each person is read at most once a request, as before: what a read answered is held
 * (`held`), and a person whose read is in flight is waited for (`reading`), not read again.
 */
export class DepartmentLoader {
  private readonly held = new Map<string, DepartmentAid>();
  private readonly reading = new Map<string, Promise<unknown>>();
  /**
   * Made at the first read, not with the loader: every request has a loader per department, and a
   * household query never reads the ledger's (REPORTED), which its household read primes.
   */
  private batches: DataLoader<readonly string[], DepartmentAid[]> | undefined;

  constructor(
    private readonly source: Source,
    private readonly today: IsoDate,
    private readonly onOutcome: OutcomeListener,
    /** The request's reads, abandoned with it (its client gone); none outside a request. */
    private readonly request?: RequestReads,
  ) {}

  /** Each person's aid from this department, in the order asked; held values without a read. */
  load(idNumbers: readonly string[]): Promise<DepartmentAid[]> {
    const answered = this.heldFor(idNumbers);
    if (answered) return Promise.resolve(answered);
    // Not cached by list: `held` is the cache, by person.
    return (this.batches ??= new DataLoader((lists) => this.answer(lists), { cache: false })).load(idNumbers);
  }

  /**
   * A person's aid read by another statement (primeDepartment). Like DataLoader's prime, what is
   * held or being read is kept; unlike it, a person asked for in this tick but not yet sent is
   * then answered from the primed value instead of being read (for the ledger, the same rows).
   */
  prime(idNumber: string, aid: DepartmentAid): void {
    if (!this.held.has(idNumber) && !this.reading.has(idNumber)) this.held.set(idNumber, aid);
  }

  private heldFor(idNumbers: readonly string[]): DepartmentAid[] | null {
    const out: DepartmentAid[] = [];
    for (const id of idNumbers) {
      const aid = this.held.get(id);
      if (!aid) return null;
      out.push(aid);
    }
    return out;
  }

  // Promises, not async functions: the usual batch is answered by its read's one promise.
  private answer(lists: readonly (readonly string[])[]): Promise<DepartmentAid[][]> {
    const { people, waits } = this.toRead(lists);
    // The usual batch, one statement and nobody else's read to wait for: answered by the read's own promise.
    if (waits.length === 0 && people.length > 0 && people.length <= MAX_IDS_PER_STATEMENT) {
      const read = this.read(people, () => this.answersOf(lists));
      for (const id of people) this.reading.set(id, read);
      return read;
    }
    // Above MAX_IDS_PER_STATEMENT people a read is split, each part its own statement, all at once.
    const parts: Promise<unknown>[] = [];
    for (let i = 0; i < people.length; i += MAX_IDS_PER_STATEMENT) {
      const part = people.slice(i, i + MAX_IDS_PER_STATEMENT);
      const read = this.read(part, () => undefined);
      for (const id of part) this.reading.set(id, read);
      parts.push(read);
    }
    return Promise.all([...waits, ...parts]).then(() => this.answersOf(lists));
  }

  /**
   * The people these lists ask for that are neither held nor being read, each once, and the reads in
   * flight to wait for. The usual batch (one list, a household's members, none of them held or being
   * read, no one twice) is that list itself: no set and copy of it made (docs/performance.md, Session 43).
   */
  private toRead(lists: readonly (readonly string[])[]): { people: readonly string[]; waits: readonly Promise<unknown>[] } {
    if (lists.length === 1 && lists[0].length <= MAX_IDS_PER_STATEMENT && this.noneKnown(lists[0])) return { people: lists[0], waits: NO_WAITS };
    const missing = new Set<string>();
    const waits = new Set<Promise<unknown>>();
    for (const list of lists) {
      for (const id of list) {
        if (this.held.has(id)) continue;
        const inFlight = this.reading.get(id);
        if (inFlight) waits.add(inFlight);
        else missing.add(id);
      }
    }
    return { people: [...missing], waits: [...waits] };
  }

  /** Whether none of these people is held or being read, and none is in the list twice; a short list's pairs compared, not a set made. */
  private noneKnown(list: readonly string[]): boolean {
    if (list.length === 0 || list.length > 32) return false;
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (this.held.has(id) || this.reading.has(id)) return false;
      for (let j = 0; j < i; j++) if (list[j] === id) return false;
    }
    return true;
  }

  /** Each list's answers, every person in it held. */
  private answersOf(lists: readonly (readonly string[])[]): DepartmentAid[][] {
    return lists.map((list) => list.map((id) => this.held.get(id)!));
  }

  /** Each person's answer held, their read no longer in flight. */
  private hold(idNumbers: readonly string[], answers: DepartmentAid[]): void {
    for (let k = 0; k < idNumbers.length; k++) {
      this.held.set(idNumbers[k], answers[k]);
      this.reading.delete(idNumbers[k]);
    }
  }

  /** A read that failed: each of its people held with no records and the department unavailable. */
  private failed(idNumbers: readonly string[], started: number, error: unknown): void {
    const outcome: SourceOutcome = {
      department: this.source.code,
      available: false,
      latencyMs: Math.round(performance.now() - started),
      reason: unavailableReason(error),
    };
    this.onOutcome(outcome, error, NONE);
    this.hold(idNumbers, idNumbers.map(() => ({ records: [], outcome })));
  }

  /** One statement's people, each then held with their records and the read's outcome, then `after()`; never rejects. */
  private read<T>(idNumbers: readonly string[], after: () => T): Promise<T> {
    const { source, today, onOutcome } = this;
    const adapter = ADAPTERS[source.code];
    const started = performance.now();
    // No function is named here (hold and failed are methods): under `npm start`, tsx (esbuild's
    // keepNames) defines the name of every named closure each time it is made (test/keep-names.test.ts).
    return withTimeout(source.timeoutMs, (scope) => adapter.aidByIdNumbers(scope.db(source.db), idNumbers, today), this.request).then((read) => {
      try {
        // A record the hub cannot read is left out, not sent to fail the whole answer (a Fen! that is
        // null nulled the household); the department is then reported incomplete, naming why.
        const { records, unreadable } = readableAid(read);
        const latencyMs = Math.round(performance.now() - started);
        const outcome: SourceOutcome = unreadable
          ? { department: source.code, available: false, latencyMs, reason: 'UNREADABLE_ROWS' }
          : { department: source.code, available: true, latencyMs, reason: null };
        onOutcome(outcome, unreadable, unrecognisedIn(records));
        const byPerson = groupBy(records, (r) => r.beneficiaryIdNumber);
        this.hold(idNumbers, idNumbers.map((id) => ({ records: byPerson.get(id) ?? [], outcome })));
      } catch (error) {
        // As a read that failed (what the try around the whole read did when it was one async function).
        this.failed(idNumbers, started, error);
      }
      return after();
    }, (error: unknown) => {
      this.failed(idNumbers, started, error);
      return after();
    });
  }
}

export function createDepartmentLoaders(sources: Sources, today: IsoDate, onOutcome: OutcomeListener, request?: RequestReads) {
  return Object.fromEntries(DEPARTMENT_CODES.map((code) => [code, new DepartmentLoader(sources[code], today, onOutcome, request)])) as Record<DepartmentCode, DepartmentLoader>;
}

export type DepartmentLoaders = ReturnType<typeof createDepartmentLoaders>;

/** A record no longer standing as its source holds it now, carrying what stands in its place (DepartmentAdapter.recordsNoLongerStanding), or null; and whether its source answered. */
export interface NoLongerStanding {
  record: AidRecord | null;
  available: boolean;
}

/**
 * Per department whose source supersedes records (the reported-aid ledger), a loader keyed by
 * `sourceRef`: one statement per batch, however many records are asked about. A source that fails
 * answers every key unavailable, as the department loaders do.
 */
export function createNoLongerStandingLoaders(sources: Sources, today: IsoDate, onOutcome: OutcomeListener, request?: RequestReads) {
  const loaders = new Map<DepartmentCode, DataLoader<string, NoLongerStanding>>();
  for (const code of DEPARTMENT_CODES) {
    const recordsNoLongerStanding = ADAPTERS[code].recordsNoLongerStanding?.bind(ADAPTERS[code]);
    if (!recordsNoLongerStanding) continue;
    const source = sources[code];
    loaders.set(
      code,
      new DataLoader<string, NoLongerStanding>(
        async (refs) => {
          const started = performance.now();
          try {
            const found = await withTimeout(source.timeoutMs, (scope) => recordsNoLongerStanding(scope.db(source.db), refs, today), request);
            return refs.map((ref) => ({ record: found.get(ref) ?? null, available: true }));
          } catch (error) {
            onOutcome({ department: code, available: false, latencyMs: Math.round(performance.now() - started), reason: unavailableReason(error) }, error, NONE);
            return refs.map(() => ({ record: null, available: false }));
          }
        },
        { maxBatchSize: MAX_IDS_PER_STATEMENT },
      ),
    );
  }
  return loaders as ReadonlyMap<DepartmentCode, DataLoader<string, NoLongerStanding>>;
}

export type NoLongerStandingLoaders = ReturnType<typeof createNoLongerStandingLoaders>;

/**
 * Hands a department's records of these people, read by another statement that already held them,
 * to its loader, so the department is not asked again. For the reported-aid ledger, which lives in
 * the hub's own database and is read with a household's members (db/household/loaders.ts), with
 * that read's outcome.
 */
export function primeDepartment(loaders: DepartmentLoaders, code: DepartmentCode, recordsByIdNumber: ReadonlyMap<string, AidRecord[]>, outcome: SourceOutcome): void {
  for (const [idNumber, records] of recordsByIdNumber) loaders[code].prime(idNumber, { records, outcome });
}

/**
 * All aid for a set of people from the departments asked, one batch per department, with each
 * department's outcome.
 */
export async function aidForPeople(
  loaders: DepartmentLoaders,
  idNumbers: readonly string[],
  departments: readonly DepartmentCode[] = DEPARTMENT_CODES,
): Promise<{ records: AidRecord[]; outcomes: SourceOutcome[] }> {
  // With nobody to ask about, the department is still asked, about the empty ID number (which no
  // row has), through the same reads and time limit: its state is reported as it is, not assumed.
  // One promise a department for all its people (DepartmentLoader.load), none for one whose people
  // are all held; a department's read never rejects (a failed read answers each person with its outcome).
  const keys = idNumbers.length > 0 ? idNumbers : [PROBE];
  const results = await Promise.all(departments.map((code) => loaders[code].load(keys)));
  const records: AidRecord[] = [];
  const outcomes: SourceOutcome[] = [];
  for (const mine of results) {
    // Loops, not a spread of each person's records and a find with its closure: this runs once a department read.
    let outcome = mine[0].outcome;
    for (const r of mine) {
      for (const record of r.records) records.push(record);
      if (outcome.available && !r.outcome.available) outcome = r.outcome;
    }
    outcomes.push(outcome);
  }
  return { records, outcomes };
}
