/**
 * The region scan: every rule over every household of a division, set-wise. Households are taken
 * a chunk at a time in (division, id) order; for each chunk the hub's spells and people and each
 * department's records are read in a fixed number of batched statements, every household is
 * evaluated on its own facts (domain/findings), and the findings are stored with the scan's id. The
 * next chunk is read while the current one is evaluated and stored.
 *
 * A scan runs as an in-process job (ScanJobs): the `scanStart` mutation and `npm run scan` start
 * one and return at once; progress is written to `finding_scan` after every chunk.
 */
import type { Logger } from 'pino';
import { divisionPrefix } from '../../domain/division-code';
import type { IsoDate } from '../../domain/dates';
import type { DepartmentCode } from '../../domain/departments';
import { scrub } from '../../domain/privacy';
import { assembleHouseholds } from '../../domain/findings/assemble';
import { evaluateHousehold } from '../../domain/findings/evaluate';
import type { RuleSet } from '../../domain/findings/rule-set';
import { DepartmentReadError, readDepartmentFacts, type ReadOptions } from '../../federation/reads';
import { peopleKnownToDepartments, peopleWithFacts } from '../../federation/person-keys';
import type { Sources } from '../../federation/sources';
import type { HubDb } from '../../db/connect';
import { countPeople, householdKeysPage, secondAidApprovalFacts, spellsAndPeople, spellsOfHouseholds, type HouseholdKey } from '../../db/findings/facts';
import { abandonStaleScans, createScan, dbNow, finishScan, recordScanProgress, runningScans, SCAN_INTERRUPTED, storeScanFindings, type FoundInRegion, type ScanCounts, type ScanRow } from '../../db/findings/store';
import { countHouseholdsUnderPrefix } from '../../db/household/region-pages';

export interface ScanDeps {
  hub: HubDb;
  sources: Sources;
  ruleSet: RuleSet;
  /** The day the rules judge on. */
  today: IsoDate;
  logger?: Logger;
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
  onProgress?: (counts: ScanCounts) => void;
}

export const DEFAULT_CHUNK_HOUSEHOLDS = 5000;

interface ChunkFacts {
  keys: HouseholdKey[];
  found: FoundInRegion[];
}

async function inBatches<T>(ids: readonly string[], size: number, read: (batch: string[]) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(await read(ids.slice(i, i + size)));
  return out;
}

/** Reads one chunk's facts and evaluates every household in it. */
async function evaluateChunk(deps: ScanDeps, keys: HouseholdKey[], reads: ReadOptions): Promise<ChunkFacts> {
  const batchSize = reads.batchSize ?? 5000;
  const householdIds = keys.map((k) => k.id);
  const here = await spellsOfHouseholds(deps.hub, householdIds);
  const ids = here.people.map((p) => p.idNumber);
  // Whose home is not settled by this chunk: people with no current spell here, who may live elsewhere now.
  const current = new Set(here.spells.filter((s) => s.leftOn === null).map((s) => s.idNumber));
  const movedOrGone = ids.filter((id) => !current.has(id));
  const [elsewhere, departments] = await Promise.all([
    inBatches(movedOrGone, batchSize, (b) => spellsAndPeople(deps.hub, b)),
    readDepartmentFacts(deps.sources, ids, deps.today, reads),
  ]);
  // Approvals of second aid matter only where there is temporary aid.
  const withTempAid = [...new Set(departments.records.filter((r) => r.programme === 'TEMP_AID').map((r) => r.beneficiaryIdNumber))];
  const approvals = await inBatches(withTempAid, batchSize, (b) => secondAidApprovalFacts(deps.hub, b));
  const seen = new Set(here.spells.map((s) => `${s.householdId}|${s.idNumber}|${s.joinedOn}`));
  const spells = [...here.spells, ...elsewhere.flatMap((e) => e.spells).filter((s) => !seen.has(`${s.householdId}|${s.idNumber}|${s.joinedOn}`))];
  const facts = assembleHouseholds({
    householdIds,
    spells,
    people: new Map(here.people.map((p) => [p.idNumber, p])),
    departments,
    secondAidApprovals: approvals.flat(),
  });
  const regionOf = new Map(keys.map((k) => [k.id, k.regionCode]));
  const found: FoundInRegion[] = [];
  for (const f of facts) {
    for (const finding of evaluateHousehold(f, deps.ruleSet.rules, deps.today)) found.push({ finding, regionCode: regionOf.get(f.householdId!) ?? null });
  }
  return { keys, found };
}

/** Runs a scan already created (state RUNNING) to its end, and records how it ended. */
export async function runScan(deps: ScanDeps, scanId: number, regionCode: string, opts: ScanOptions = {}): Promise<ScanCounts> {
  const chunkSize = opts.chunkHouseholds ?? DEFAULT_CHUNK_HOUSEHOLDS;
  const batchSize = opts.batchSize ?? 5000;
  const prefix = divisionPrefix(regionCode);
  const counts: ScanCounts = { householdsTotal: 0, householdsDone: 0, findingsCount: 0, newCount: 0, reopenedCount: 0, stillSettledCount: 0 };
  try {
    counts.householdsTotal = await countHouseholdsUnderPrefix(deps.hub, prefix);
    await recordScanProgress(deps.hub, scanId, counts);
    // Who each department holds anything about, read once: each is then asked only about those.
    const [known, knownFacts, people] = await Promise.all([peopleKnownToDepartments(deps.sources), peopleWithFacts(deps.sources), countPeople(deps.hub)]);
    // A department that holds something about most people saves little by being asked about fewer,
    // and its set would only weigh on memory: it is asked about everyone instead.
    for (const [code, set] of known) if (set.size > people / 2) known.delete(code);
    const reads: ReadOptions = { batchSize, known, knownFacts, parallel: opts.parallel ?? 2 };
    // Chunks are read and evaluated up to `lookahead` ahead of the one being stored, so the
    // databases work while this process maps and evaluates, and the other way round.
    const lookahead = opts.lookahead ?? 2;
    const pending: Promise<ChunkFacts>[] = [];
    let after: HouseholdKey | null = null;
    let exhausted = false;
    const fill = async () => {
      while (!exhausted && pending.length < lookahead) {
        const keys = await householdKeysPage(deps.hub, prefix, after, chunkSize);
        if (keys.length === 0) {
          exhausted = true;
          break;
        }
        after = keys[keys.length - 1];
        if (keys.length < chunkSize) exhausted = true;
        const chunk = evaluateChunk(deps, keys, reads);
        chunk.catch(() => undefined);
        pending.push(chunk);
      }
    };
    await fill();
    while (pending.length > 0) {
      const current = await pending.shift()!;
      await fill();
      const stored = await storeScanFindings(deps.hub, scanId, current.found);
      counts.householdsDone += current.keys.length;
      counts.findingsCount += stored.found;
      counts.newCount += stored.new;
      counts.reopenedCount += stored.reopened;
      counts.stillSettledCount += stored.stillSettled;
      await recordScanProgress(deps.hub, scanId, counts);
      opts.onProgress?.({ ...counts });
    }
    await finishScan(deps.hub, scanId, 'SUCCEEDED', counts);
    deps.logger?.info({ scanId, regionCode, ...counts }, 'scan finished');
    return counts;
  } catch (err) {
    const failure = err instanceof DepartmentReadError ? `DEPARTMENT_UNAVAILABLE:${err.department}` : 'INTERNAL_ERROR';
    deps.logger?.error({ scanId, regionCode, failure, err: { name: (err as Error)?.name, message: scrub(String((err as Error)?.message ?? '')) } }, 'scan failed');
    await finishScan(deps.hub, scanId, 'FAILED', counts, failure).catch(() => undefined);
    throw err;
  }
}

/** A RUNNING scan with no heartbeat for this long died with its process. */
export const SCAN_HEARTBEAT_TIMEOUT_MS = 10 * 60_000;

/**
 * A scan as it stands: a RUNNING row whose process stopped beating is FAILED (INTERRUPTED), even
 * before the next scan start marks it so in the table.
 */
export function currentScanState(s: Pick<ScanRow, 'state' | 'failure' | 'heartbeatAt'>, now: Date = new Date()): { state: ScanRow['state']; failure: string | null } {
  if (s.state === 'RUNNING' && s.heartbeatAt <= dbNow(new Date(now.getTime() - SCAN_HEARTBEAT_TIMEOUT_MS))) return { state: 'FAILED', failure: SCAN_INTERRUPTED };
  return { state: s.state, failure: s.failure };
}

function overlaps(a: string, b: string): boolean {
  const pa = divisionPrefix(a);
  const pb = divisionPrefix(b);
  return pa.startsWith(pb) || pb.startsWith(pa);
}

export type ScanStartResult = { ok: true; scanId: number; done: Promise<ScanCounts> } | { ok: false; code: 'SCAN_ALREADY_RUNNING'; scanId: number };

/**
 * The scans this process runs. One scan at a time per division: a second start for a division
 * that overlaps a running scan's (here or in another hub process) is refused with its id.
 */
export class ScanJobs {
  /** Scans of this process, from the moment a start is accepted (before its row exists: id null). */
  private readonly running = new Set<{ regionCode: string; scanId: number | null; done: Promise<unknown> }>();

  async start(deps: ScanDeps, regionCode: string, startedBy: string, department: DepartmentCode | null, opts: ScanOptions = {}): Promise<ScanStartResult> {
    for (const job of this.running) {
      if (overlaps(job.regionCode, regionCode)) return { ok: false, code: 'SCAN_ALREADY_RUNNING', scanId: job.scanId ?? (await job.done.then(() => job.scanId ?? 0, () => 0)) };
    }
    // Reserved at once, so two starts in the same tick cannot both pass the check above.
    let release!: () => void;
    const job = { regionCode, scanId: null as number | null, done: new Promise<void>((r) => (release = r)) as Promise<unknown> };
    this.running.add(job);
    try {
      const aliveAfter = dbNow(new Date(Date.now() - SCAN_HEARTBEAT_TIMEOUT_MS));
      await abandonStaleScans(deps.hub, aliveAfter);
      const elsewhere = (await runningScans(deps.hub, aliveAfter)).find((s) => overlaps(s.regionCode, regionCode));
      if (elsewhere) {
        this.running.delete(job);
        release();
        return { ok: false, code: 'SCAN_ALREADY_RUNNING', scanId: elsewhere.id };
      }
      job.scanId = await createScan(deps.hub, { regionCode, asOf: deps.today, ruleSet: deps.ruleSet, startedBy, startedByDepartment: department });
    } catch (err) {
      this.running.delete(job);
      release();
      throw err;
    }
    release();
    const scanId = job.scanId;
    const done = runScan(deps, scanId, regionCode, opts).finally(() => this.running.delete(job));
    // The job's failure is recorded on the scan row; nobody need be awaiting it.
    done.catch(() => undefined);
    job.done = done;
    return { ok: true, scanId, done };
  }

  /** Resolves when every scan this process started has ended (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running].map((j) => j.done));
  }
}

/** The process's scan jobs. */
export const scanJobs = new ScanJobs();
