/**
 * The region scan: every rule over every household of a division, set-wise. Households are taken
 * a chunk at a time in (division, id) order; for each chunk the hub's spells and people and each
 * department's records are read in a fixed number of batched statements, every household is
 * evaluated on its own facts (domain/findings), and the findings are stored with the scan's id. The
 * next chunk is read while the current one is evaluated and stored.
 *
 * A scan runs as a job (ScanJobs) under a lease in the hub database (db/job-lease.ts): the
 * `scanStart` mutation and `npm run scan` start one and return at once, and any hub process may
 * take over a scan whose process died. Progress moves with the work: a chunk is read and evaluated
 * a slice of households at a time (about one department statement's worth of people each), and
 * `householdsDone` is written to `finding_scan` after every slice, not only per stored chunk.
 * After the households, the people of the division in no household are judged on their own
 * (`evaluateOutsideHouseholds`).
 */
import type { LevelLogger } from '../../access/request-id';
import { divisionPrefix } from '../../domain/division-code';
import type { IsoDate } from '../../domain/dates';
import type { DepartmentCode, OfficeCode } from '../../domain/departments';
import { loggableError } from '../../domain/privacy';
import { assembleHouseholds, assembleLonePerson, homeHousehold, householdsWithFacts, settlementOwner } from '../../domain/findings/assemble';
import { groupBy } from '../../domain/group-by';
import { evaluateHousehold } from '../../domain/findings/evaluate';
import type { RuleSet } from '../../domain/findings/rule-set';
import type { PersonFacts } from '../../domain/findings/facts';
import { DepartmentReadError, departmentFailureFields, readDepartmentFacts, type ReadOptions } from '../../federation/reads';
import { KnownPeople, peopleKnownToDepartments, peopleWithFacts } from '../../federation/person-keys';
import { comparisonsOf } from '../../federation/comparisons';
import { adaptersComparing } from '../../federation/registry';
import type { Sources } from '../../federation/sources';
import type { HubDb } from '../../db/connect';
import type { JobMetrics } from '../job-metrics';
import { JOB_LEASE_MS_DEFAULT } from '../../db/config';
import { countPeople, householdKeysPage, secondAidApprovalFacts, spellsAndPeople, spellsOfHouseholds, type HouseholdKey } from '../../db/findings/facts';
import { shownJobState } from '../../db/heartbeat';
import { abandonStaleScans, createScan, staleScanIds, finishScan, recordScanProgress, runningScans, SCAN_HEARTBEAT_TIMEOUT_MS, storeScanFindings, touchScan, type FoundInRegion, type ScanCounts, type ScanRow, type ScanView } from '../../db/findings/store';
import { countHouseholdsUnderPrefix, divisionHeld } from '../../db/household/region-pages';
import type { HubTx } from '../../db/cases/records';
import { lockingTransaction, type LockingTx } from '../../db/locking';
import { checkFence, createLease, ensureLeaseRow, fenced, handOverLease, LeaseLost, lockLeaseRow, newHolder, releaseLease, renewLease, revokeLease, saveCursor, takeExpiredLease, type Lease } from '../../db/jobs/lease';

export interface ScanDeps {
  hub: HubDb;
  sources: Sources;
  ruleSet: RuleSet;
  /** The day the rules judge on. */
  today: IsoDate;
  logger?: LevelLogger;
  /**
   * How long a scan's lease lasts without renewal: the hub's configuration (HubConfig.jobLeaseMs,
   * AIDHUB_JOB_LEASE_MS, checked at start); absent: DEFAULT_JOB_LEASE_MS.
   */
  leaseMs?: number;
  /** Told how the scan ends (server/metrics.ts). */
  metrics?: Pick<JobMetrics, 'runEnded'>;
}

export interface ScanOptions {
  /** Households per chunk. */
  chunkHouseholds?: number;
  /** ID numbers per statement. */
  batchSize?: number;
  /** Batches of one department read at once. */
  parallel?: number;
  /** Chunks read and evaluated ahead of the one being stored. */
  lookahead?: number;
  /** Households read and evaluated at once within a chunk; progress is reported after each slice. */
  sliceHouseholds?: number;
  onProgress?: (counts: ScanCounts) => void;
  /** `false`: households only, without the people in no household (bench/scan.ts's baseline). */
  peopleOutsideHouseholds?: boolean;
}

export const DEFAULT_CHUNK_HOUSEHOLDS = 5000;
/** About 1,700 households hold 5,000 people: one statement per department and slice, as before. */
export const DEFAULT_SLICE_HOUSEHOLDS = 1500;

interface ChunkFacts {
  keys: HouseholdKey[];
  found: FoundInRegion[];
}

async function inBatches<T>(ids: readonly string[], size: number, read: (batch: string[]) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(await read(ids.slice(i, i + size)));
  return out;
}

/**
 * Reads one chunk's facts and evaluates every household in it, a slice at a time, reporting each
 * slice's households as evaluated. A slice is read and evaluated exactly as a chunk of its size
 * would be; the chunk stays the unit of storage.
 */
async function evaluateChunk(deps: ScanDeps, keys: HouseholdKey[], reads: SliceReads, slice: number, onEvaluated: (households: number) => void): Promise<ChunkFacts> {
  const found: FoundInRegion[] = [];
  for (let i = 0; i < keys.length; i += slice) {
    const part = await evaluateSlice(deps, keys.slice(i, i + slice), reads);
    for (const f of part) found.push(f);
    onEvaluated(Math.min(slice, keys.length - i));
  }
  return { keys, found };
}

/** How a scan reads departments: the read options, and who each department knows about. */
interface SliceReads extends ReadOptions {
  people: KnownPeople;
}

async function evaluateSlice(deps: ScanDeps, keys: HouseholdKey[], reads: SliceReads): Promise<FoundInRegion[]> {
  const batchSize = reads.batchSize ?? 5000;
  const householdIds = keys.map((k) => k.id);
  const here = await spellsOfHouseholds(deps.hub, householdIds);
  const ids = here.people.map((p) => p.idNumber);
  // Whose home is not settled by this chunk: people with no current spell here, who may live elsewhere now.
  const current = new Set<string>();
  for (const s of here.spells) if (s.leftOn === null) current.add(s.idNumber);
  const movedOrGone = ids.filter((id) => !current.has(id));
  const [elsewhere, departments] = await Promise.all([
    inBatches(movedOrGone, batchSize, (b) => spellsAndPeople(deps.hub, b)),
    readDepartmentFacts(deps.sources, ids, deps.today, { ...reads, ...reads.people.among(ids) }),
  ]);
  // Approvals of second aid matter only where there is temporary aid.
  const tempAid = new Set<string>();
  for (const r of departments.records) if (r.programme === 'TEMP_AID') tempAid.add(r.beneficiaryIdNumber);
  const approvals = await inBatches([...tempAid], batchSize, (b) => secondAidApprovalFacts(deps.hub, b));
  // Patients and beneficiaries of a stay's aid outside this slice: where they live decides which
  // household reports the stay (X7), so a stay aided across two households is reported once.
  // This slice's people, then those around that are not among them (one map: this slice's own over those around).
  const known = new Map<string, PersonFacts>();
  for (const p of here.people) known.set(p.idNumber, p);
  const outside = new Set<string>();
  for (const x of departments.settlements.values()) if (!known.has(x.idNumber)) outside.add(x.idNumber);
  for (const r of departments.settlementAid) if (!known.has(r.beneficiaryIdNumber)) outside.add(r.beneficiaryIdNumber);
  const around = await inBatches([...outside], batchSize, (b) => spellsAndPeople(deps.hub, b));
  // Every spell in this slice's households is in `here` already: only spells elsewhere are added, once each.
  const inSliceHouseholds = new Set(householdIds);
  const seen = new Set<string>();
  const spells = here.spells;
  for (const e of [...elsewhere, ...around]) {
    for (const s of e.spells) {
      if (inSliceHouseholds.has(s.householdId)) continue;
      const key = `${s.householdId}|${s.idNumber}|${s.joinedOn}`;
      if (seen.has(key)) continue;
      seen.add(key);
      spells.push(s);
    }
  }
  // Those around that are not this slice's own (the last read of each), after them.
  const fromAround = new Map<string, PersonFacts>();
  for (const a of around) for (const p of a.people) fromAround.set(p.idNumber, p);
  for (const [id, p] of fromAround) if (!known.has(id)) known.set(id, p);
  const facts = assembleHouseholds({
    householdIds: householdsWithFacts(householdIds, spells, departments),
    spells,
    people: known,
    departments,
    secondAidApprovals: approvals.flat(),
  });
  const regionOf = new Map(keys.map((k) => [k.id, k.regionCode]));
  const found: FoundInRegion[] = [];
  for (const f of facts) {
    const regionCode = regionOf.get(f.householdId!) ?? null;
    for (const finding of evaluateHousehold(f, deps.ruleSet.rules, deps.today)) found.push({ finding, regionCode });
  }
  return found;
}

/**
 * People of the division the departments hold records about: those among them in no household
 * are judged on their own at the end of the scan. A person in no household has no division but
 * their ID number's address code (GB 11643: the county where it was issued), so they belong to a
 * county's or the city's scan through it; a township or village scan cannot place them.
 */
export function candidatesOutsideHouseholds(prefix: string, known: ReadonlyMap<DepartmentCode, ReadonlySet<string>>, knownFacts: Readonly<Record<string, ReadonlySet<string>>>): string[] {
  if (prefix.length > 6) return [];
  const out = new Set<string>();
  for (const set of [...known.values(), ...Object.values(knownFacts)]) for (const id of set) if (id.slice(0, 6).startsWith(prefix)) out.add(id);
  return [...out].sort();
}

/**
 * The rules over people in no household (an institutionalised 特困 person, a reporter's
 * beneficiary or a department's client the hub has no household for), each judged on their own
 * facts as `Person.findings` judges them (a household of one to the household rules); stored with no household, under the county of their ID
 * number. A stay aided across a household and such a person stays with the household that owns it.
 */
async function evaluateOutsideHouseholds(deps: ScanDeps, candidates: readonly string[], reads: ReadOptions): Promise<FoundInRegion[]> {
  const batchSize = reads.batchSize ?? 5000;
  const found: FoundInRegion[] = [];
  for (let i = 0; i < candidates.length; i += batchSize) {
    const batch = candidates.slice(i, i + batchSize);
    const known = await spellsAndPeople(deps.hub, batch);
    const inHousehold = new Set(known.spells.map((sp) => sp.idNumber));
    const lone = batch.filter((id) => !inHousehold.has(id));
    if (lone.length === 0) continue;
    const people = new Map(known.people.map((p) => [p.idNumber, p]));
    const departments = await readDepartmentFacts(deps.sources, lone, deps.today, { ...reads, known: undefined, knownFacts: undefined });
    const withTempAid = [...new Set(departments.records.filter((r) => r.programme === 'TEMP_AID').map((r) => r.beneficiaryIdNumber))];
    const approvals = groupBy(await secondAidApprovalFacts(deps.hub, withTempAid), (a) => a.idNumber);
    // Who owns each stay: a patient or beneficiary with a household takes it (reported there).
    const involved = [...new Set([...[...departments.settlements.values()].map((x) => x.idNumber), ...departments.settlementAid.map((r) => r.beneficiaryIdNumber)])];
    const around = groupBy((await spellsAndPeople(deps.hub, involved)).spells, (sp) => sp.idNumber);
    const home = new Map(involved.map((id) => [id, homeHousehold(around.get(id) ?? [])]));
    const tied = groupBy(departments.settlementAid, (r) => r.settlementRef ?? '');
    const owners = new Map([...departments.settlements.values()].map((x) => [x.settlementRef, settlementOwner(x, tied.get(x.settlementRef) ?? [], home)]));
    for (const id of lone) {
      const facts = { ...assembleLonePerson(id, people.get(id) ?? null, departments, approvals.get(id) ?? []), settlementOwners: owners };
      for (const finding of evaluateHousehold(facts, deps.ruleSet.rules, deps.today)) found.push({ finding, regionCode: id.slice(0, 6) });
    }
  }
  return found;
}

/** Where a taken-over scan resumes: its counts so far and the hub id of the last household it stored. */
export interface ScanResume {
  counts: ScanCounts;
  after: number | null;
}

/** How a scan holds its lease: the lease, how long each renewal lasts, and how often to renew. */
export interface ScanLease {
  lease: Lease;
  ttlMs: number;
  /** Aborted when this process stops: the scan ends at its next chunk and hands its lease over (ScanJobs.stop). */
  handOver?: AbortSignal;
}

/** A scan given up by a stopping process, for another to take over from its last stored chunk. */
export class ScanHandedOver extends Error {
  override name = 'ScanHandedOver';
}

/**
 * The hub id of the last stored household, and how many households the stored chunks hold; or
 * 'OUTDATED' for a cursor saved while chunks were read by village then id (`{id, regionCode}`,
 * before session 34): the households after it in that order are not those after its id.
 */
function parseCursor(cursor: string | null): { after: number; done: number | null } | 'OUTDATED' | null {
  if (!cursor) return null;
  const key = JSON.parse(cursor) as { afterId?: unknown; id?: unknown; regionCode?: unknown; done?: unknown };
  if (typeof key?.afterId === 'number') return { after: key.afterId, done: typeof key.done === 'number' ? key.done : null };
  return typeof key?.id === 'number' && typeof key?.regionCode === 'string' ? 'OUTDATED' : null;
}

/**
 * Runs a scan already created (state RUNNING) to its end, and records how it ended.
 *
 * With a lease (every scan a ScanJobs starts or takes over), the lease is renewed while the scan
 * runs, and every write (a chunk's findings with its progress and resume cursor, the end) checks
 * the lease's fencing token in its own transaction: a run whose lease was taken over stops with
 * LeaseLost and writes nothing more. Without one (the bench), nothing is fenced.
 */
export async function runScan(deps: ScanDeps, scanId: number, regionCode: string, opts: ScanOptions = {}, held: ScanLease | null = null, resume: ScanResume | null = null): Promise<ScanCounts> {
  const chunkSize = opts.chunkHouseholds ?? DEFAULT_CHUNK_HOUSEHOLDS;
  const batchSize = opts.batchSize ?? 5000;
  const prefix = divisionPrefix(regionCode);
  const counts: ScanCounts = resume ? { ...resume.counts } : { householdsTotal: 0, householdsDone: 0, findingsCount: 0, newCount: 0, reopenedCount: 0, stillSettledCount: 0 };
  const lease = held?.lease ?? null;
  let lost = false;
  let beating: NodeJS.Timeout | null = null;
  if (held) {
    // Renewed well before it expires; the scan row's heartbeat moves with it between chunks.
    beating = setInterval(() => {
      renewLease(deps.hub, held.lease, held.ttlMs).then(
        async (ours) => {
          if (!ours) lost = true;
          else await touchScan(deps.hub, scanId);
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(held.ttlMs / 3)));
    beating.unref();
  }
  const write = <T>(fn: (tx: LockingTx) => Promise<T>): Promise<T> => (lease ? fenced(deps.hub, lease, fn) : lockingTransaction(deps.hub, fn));
  try {
    counts.householdsTotal = await countHouseholdsUnderPrefix(deps.hub, prefix);
    await write((tx) => recordScanProgress(tx, scanId, counts));
    // Who each department holds anything about, read once: each is then asked only about those.
    // And how each compares strings: a department ignoring case and trailing spaces is asked only the forms it does not match itself (federation/comparisons.ts).
    // And whom each holds under an old 15-digit number or full-width digits, as stored: only those are asked in those forms (federation/id-numbers.ts).
    const writings = new Map<DepartmentCode, Map<string, string[]>>();
    const [known, knownFacts, people, comparisons] = await Promise.all([peopleKnownToDepartments(deps.sources, writings), peopleWithFacts(deps.sources), countPeople(deps.hub), comparisonsOf(deps.sources)]);
    const outside = opts.peopleOutsideHouseholds === false ? [] : candidatesOutsideHouseholds(prefix, known, knownFacts);
    // A department that holds something about most people saves little by being asked about fewer,
    // and its set would only weigh on memory: it is asked about everyone instead.
    for (const [code, set] of known) if (set.size > people / 2) known.delete(code);
    const reads: SliceReads = { batchSize, people: new KnownPeople(known, knownFacts), parallel: opts.parallel ?? 2, adapters: adaptersComparing(comparisons, Object.fromEntries(writings)) };
    // Chunks are read and evaluated up to `lookahead` ahead of the one being stored, so the
    // databases work while this process maps and evaluates, and the other way round.
    const lookahead = opts.lookahead ?? 2;
    const slice = opts.sliceHouseholds ?? DEFAULT_SLICE_HOUSEHOLDS;
    // Progress writes go one after another, each with the counts as they are when it runs: chunks
    // evaluated ahead report concurrently, and a late write must never carry older counts.
    let progressWrites: Promise<void> = Promise.resolve();
    let storedHouseholds = resume?.counts.householdsDone ?? 0;
    const report = () => {
      progressWrites = progressWrites.then(async () => {
        await write((tx) => recordScanProgress(tx, scanId, counts));
        opts.onProgress?.({ ...counts });
      });
      return progressWrites;
    };
    const evaluated = (households: number) => {
      counts.householdsDone += households;
      void report().catch(() => undefined);
    };
    const pending: Promise<ChunkFacts>[] = [];
    let after: number | null = resume?.after ?? null;
    let exhausted = false;
    const fill = async () => {
      while (!exhausted && pending.length < lookahead) {
        const keys = await householdKeysPage(deps.hub, prefix, after, chunkSize);
        if (keys.length === 0) {
          exhausted = true;
          break;
        }
        after = keys[keys.length - 1].id;
        if (keys.length < chunkSize) exhausted = true;
        const chunk = evaluateChunk(deps, keys, reads, slice, evaluated);
        chunk.catch(() => undefined);
        pending.push(chunk);
      }
    };
    await fill();
    const handingOver = () => held?.handOver?.aborted === true;
    while (pending.length > 0) {
      if (lost && lease) throw new LeaseLost(lease.jobKey);
      if (handingOver()) throw new ScanHandedOver(`scan ${scanId} handed over`);
      const current = await pending.shift()!;
      await fill();
      const last = current.keys[current.keys.length - 1];
      await storeScanFindings(deps.hub, scanId, current.found, {
        before: lease ? (tx) => checkFence(tx, lease) : undefined,
        after: async (tx, stored) => {
          storedHouseholds += current.keys.length;
          counts.findingsCount += stored.found;
          counts.newCount += stored.new;
          counts.reopenedCount += stored.reopened;
          counts.stillSettledCount += stored.stillSettled;
          await recordScanProgress(tx, scanId, counts);
          // The cursor carries how many households its chunks hold: progress runs ahead of storage
          // (slices are reported as evaluated), and a takeover resumes from what was stored.
          if (lease) await saveCursor(tx, lease, JSON.stringify({ afterId: last.id, done: storedHouseholds }));
        },
      });
      await report();
    }
    await progressWrites;
    // Then the people in no household (their findings have none), after every household.
    if (lost && lease) throw new LeaseLost(lease.jobKey);
    if (handingOver()) throw new ScanHandedOver(`scan ${scanId} handed over`);
    const alone = await evaluateOutsideHouseholds(deps, outside, reads);
    await storeScanFindings(deps.hub, scanId, alone, {
      before: lease ? (tx) => checkFence(tx, lease) : undefined,
      after: async (tx, stored) => {
        counts.findingsCount += stored.found;
        counts.newCount += stored.new;
        counts.reopenedCount += stored.reopened;
        counts.stillSettledCount += stored.stillSettled;
        await recordScanProgress(tx, scanId, counts);
      },
    });
    await report();
    // The lease ends in the scan's last commit: no moment shows a finished scan with a live lease.
    await write(async (tx) => {
      await finishScan(tx, scanId, 'SUCCEEDED', counts);
      if (lease) await releaseLease(tx, lease);
    });
    deps.metrics?.runEnded('scan', null);
    deps.logger?.info({ scanId, regionCode, ...counts }, 'scan finished');
    return counts;
  } catch (err) {
    if (err instanceof ScanHandedOver && lease) {
      // Still RUNNING, its lease expired at once: another process takes it over at its next look
      // (AIDHUB_JOB_TAKEOVER_MS) from the last stored chunk, rather than after the lease runs out.
      await handOverLease(deps.hub, lease).catch(() => undefined);
      lost = true;
      deps.logger?.warn({ scanId, regionCode, householdsDone: counts.householdsDone }, 'this process is stopping: scan handed over to a hub, which resumes it from its last stored chunk');
      throw err;
    }
    if (err instanceof LeaseLost) {
      // Another hub process has the scan now: it records how it ends.
      deps.logger?.warn({ scanId, regionCode }, 'scan lease taken over by another hub process; this run stops');
      throw err;
    }
    const failure = err instanceof DepartmentReadError ? err.failure : 'INTERNAL_ERROR';
    deps.logger?.error({ scanId, regionCode, failure, ...departmentFailureFields(err), err: loggableError(err) }, 'scan failed');
    await write(async (tx) => {
      await finishScan(tx, scanId, 'FAILED', counts, failure);
      if (lease) await releaseLease(tx, lease);
    }).catch(() => undefined);
    deps.metrics?.runEnded('scan', failure);
    throw err;
  } finally {
    if (beating) clearInterval(beating);
    if (lease && !lost) await releaseLease(deps.hub, lease).catch(() => undefined);
  }
}

/**
 * A scan as it stands: a RUNNING row whose process stopped beating (`silent`, by the database's
 * clock) is FAILED (INTERRUPTED), even before the next scan start marks it so in the table. The
 * rule a monthly run is shown by too (db/heartbeat.ts).
 */
export const currentScanState: (s: Pick<ScanView, 'state' | 'failure' | 'silent'>) => { state: ScanRow['state']; failure: string | null } = shownJobState;

function overlaps(a: string, b: string): boolean {
  const pa = divisionPrefix(a);
  const pb = divisionPrefix(b);
  return pa.startsWith(pb) || pb.startsWith(pa);
}

export type ScanStartResult = { ok: true; scanId: number; done: Promise<ScanCounts> } | { ok: false; code: 'SCAN_ALREADY_RUNNING'; scanId: number } | { ok: false; code: 'REGION_UNKNOWN'; scanId: null };

/** How long a scan's lease lasts without renewal: a replica silent this long is presumed dead and its scan taken over. */
export const DEFAULT_JOB_LEASE_MS = JOB_LEASE_MS_DEFAULT;

/** The row that serialises scan starts across replicas. */
const SCAN_START_KEY = 'scan-start';
const scanLeaseKey = (scanId: number) => `scan:${scanId}`;

/**
 * The scans this process runs. One scan at a time per division: a second start for a division
 * that overlaps a running scan's (here or in another hub process) is refused with its id.
 *
 * Across replicas, a start is one transaction that first locks the `scan-start` lease row (one row,
 * by primary key: a mutex, not a range lock), then checks the running scans, creates the scan and
 * its lease: two replicas starting at once are serialised and the second sees the first's scan.
 * `takeOver` resumes, from its last stored chunk, any RUNNING scan whose lease expired.
 */
export class ScanJobs {
  /** Scans of this process, from the moment a start is accepted (before its row exists: id null). */
  private readonly running = new Set<{ regionCode: string; scanId: number | null; done: Promise<unknown>; handOver: AbortController }>();
  private readonly holder = newHolder();
  /** Stops under way: a takeover check then takes nothing (it would take back what is being handed over). */
  private stopping = 0;

  async start(deps: ScanDeps, regionCode: string, startedBy: string, department: OfficeCode | null, opts: ScanOptions = {}): Promise<ScanStartResult> {
    const leaseMs = deps.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    for (const job of this.running) {
      if (!overlaps(job.regionCode, regionCode)) continue;
      if (job.scanId === null) {
        // Another start of this process is under way: its outcome answers this one too (the scan it
        // started, or the scan that refused it). If it failed (a database error), it left nothing
        // behind and nothing runs: this start then takes the start over, from the check above.
        await job.done;
        if (job.scanId === null) return this.start(deps, regionCode, startedBy, department, opts);
      }
      return { ok: false, code: 'SCAN_ALREADY_RUNNING', scanId: job.scanId };
    }
    // Reserved at once, so two starts in the same tick cannot both pass the check above.
    let release!: () => void;
    const job = { regionCode, scanId: null as number | null, done: new Promise<void>((r) => (release = r)) as Promise<unknown>, handOver: new AbortController() };
    this.running.add(job);
    let lease: Lease;
    try {
      // A typo (370811010 for 370811001) ran as a SUCCEEDED scan of no household, which reads as a
      // division without duplicate aid; refused as the monthly comparison refuses it. Checked once
      // the division is reserved, so that starts in one tick still meet the reservation.
      if (!(await divisionHeld(deps.hub, regionCode))) {
        this.running.delete(job);
        release();
        return { ok: false, code: 'REGION_UNKNOWN', scanId: null };
      }
      await ensureLeaseRow(deps.hub, SCAN_START_KEY);
      const started = await lockingTransaction(deps.hub, async (tx) => {
        await lockLeaseRow(tx, SCAN_START_KEY);
        // Silence judged by the database's clock (it wrote every heartbeat), not this process's.
        // Scans silent this long are ended INTERRUPTED, and their leases revoked (token + 1), so a
        // process that was only stalled cannot write to a scan already marked ended.
        for (const stale of await staleScanIds(tx, SCAN_HEARTBEAT_TIMEOUT_MS)) await revokeLease(tx, scanLeaseKey(stale));
        await abandonStaleScans(tx, SCAN_HEARTBEAT_TIMEOUT_MS);
        const elsewhere = (await runningScans(tx, SCAN_HEARTBEAT_TIMEOUT_MS)).find((s) => overlaps(s.regionCode, regionCode));
        if (elsewhere) return { refused: elsewhere.id } as const;
        const scanId = await createScan(tx, { regionCode, asOf: deps.today, ruleSet: deps.ruleSet, startedBy, startedByDepartment: department });
        return { scanId, lease: await createLease(tx, scanLeaseKey(scanId), this.holder, leaseMs) } as const;
      });
      if ('refused' in started) {
        // A start of this process waiting on this one (it found the reservation) answers the same scan.
        job.scanId = started.refused!;
        this.running.delete(job);
        release();
        return { ok: false, code: 'SCAN_ALREADY_RUNNING', scanId: started.refused! };
      }
      job.scanId = started.scanId;
      lease = started.lease;
    } catch (err) {
      this.running.delete(job);
      release();
      throw err;
    }
    release();
    const scanId = job.scanId;
    const done = runScan(deps, scanId, regionCode, opts, { lease, ttlMs: leaseMs, handOver: job.handOver.signal }).finally(() => this.running.delete(job));
    // The job's failure is recorded on the scan row; nobody need be awaiting it.
    done.catch(() => undefined);
    job.done = done;
    return { ok: true, scanId, done };
  }

  /**
   * Resumes every RUNNING scan whose lease has expired (its process died or stalled), each from
   * the chunk after the last one it stored. Of several replicas calling this at once, one takes
   * each scan. A scan judged by another rule set than this process's ends FAILED (RULE_SET_CHANGED)
   * rather than mixing two rule sets' findings; one whose cursor was saved in the (village, id)
   * order chunks were read in before session 34 ends FAILED (INTERRUPTED): in hub id order it
   * would skip households. Returns the ids taken over.
   */
  async takeOver(deps: ScanDeps, opts: ScanOptions = {}): Promise<number[]> {
    const leaseMs = deps.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    const taken: number[] = [];
    for (const scan of await runningScans(deps.hub, SCAN_HEARTBEAT_TIMEOUT_MS)) {
      if (this.stopping > 0) break;
      if ([...this.running].some((j) => j.scanId === scan.id)) continue;
      const got = await takeExpiredLease(deps.hub, scanLeaseKey(scan.id), this.holder, leaseMs);
      if (!got) continue;
      taken.push(scan.id);
      const handOver = new AbortController();
      const held = { lease: got.lease, ttlMs: leaseMs, handOver: handOver.signal };
      const cursor = parseCursor(got.cursor);
      // A cursor of the (village, id) order cannot be continued in hub id order (the households
      // after it there are others): the scan ends as one whose process died with nothing to resume.
      const failure = scan.ruleSetDigest !== deps.ruleSet.digest ? 'RULE_SET_CHANGED' : cursor === 'OUTDATED' ? 'INTERRUPTED' : null;
      if (failure || cursor === 'OUTDATED') {
        if (cursor === 'OUTDATED') deps.logger?.warn({ scanId: scan.id, regionCode: scan.regionCode }, 'a scan to take over saved its cursor in the (village, id) order of an earlier release: ended FAILED (INTERRUPTED), start it again');
        await fenced(deps.hub, got.lease, (tx) => finishScan(tx, scan.id, 'FAILED', scan, failure)).catch(() => undefined);
        deps.metrics?.runEnded('scan', failure);
        await releaseLease(deps.hub, got.lease).catch(() => undefined);
        continue;
      }
      deps.logger?.warn({ scanId: scan.id, regionCode: scan.regionCode, householdsDone: scan.householdsDone }, 'taking over a scan whose hub process stopped renewing its lease');
      const job = { regionCode: scan.regionCode, scanId: scan.id as number | null, done: Promise.resolve() as Promise<unknown>, handOver };
      this.running.add(job);
      const resume: ScanResume = { counts: { ...scan, householdsDone: cursor?.done ?? (cursor ? scan.householdsDone : 0) }, after: cursor?.after ?? null };
      const done = runScan({ ...deps, today: scan.asOf }, scan.id, scan.regionCode, opts, held, resume).finally(() => this.running.delete(job));
      done.catch(() => undefined);
      job.done = done;
    }
    return taken;
  }

  /** Resolves when every scan this process started has ended (tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running].map((j) => j.done));
  }

  /**
   * A hub stopping (SIGTERM): every scan running here ends at its next chunk, its lease handed over
   * at once to whichever process looks next, and this resolves when they have. Shutdown used to
   * wait for every scan to finish, which for a city takes long past any service manager's patience:
   * its SIGKILL then left the scan to be taken over only once its lease had run out. Scans started
   * afterwards run as before.
   */
  async stop(): Promise<void> {
    this.stopping++;
    try {
      const jobs = [...this.running];
      for (const j of jobs) j.handOver.abort();
      await Promise.allSettled(jobs.map((j) => j.done));
    } finally {
      this.stopping--;
    }
  }
}

/**
 * The process's scan jobs. Their lease length is each caller's configuration (ScanDeps.leaseMs):
 * this module read AIDHUB_JOB_LEASE_MS itself, more laxly than the start-up check (any positive
 * number, a fraction too; a word silently the default).
 */
export const scanJobs = new ScanJobs();
