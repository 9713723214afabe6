/**
 * The monthly comparison (一月一比对), the one place it is orchestrated: every household under a
 * division, a page at a time, through the same evaluation as the change feed (detect.ts), so the
 * same condition is the same alert whichever path saw it.
 *
 * What makes it fast is what the findings scan learned: before the first page, each department's
 * person columns are read once, index only (federation/person-keys.ts), and each department is then
 * asked only about the people it holds anything about — in a city most people have nothing in most
 * departments, so this replaces millions of empty index look-ups. Pages are read and evaluated
 * ahead of the one being written, so the databases work while this process evaluates, and alerts
 * are written a page at a time in a few multi-row statements (db/monitoring/store.ts).
 */
import type { LevelLogger } from '../../access/request-id';
import { fenced, LeaseLost, renewLease, type Lease } from '../../db/jobs/lease';
import type { HubTx } from '../../db/cases/records';
import { lockingTransaction, type LockingTx } from '../../db/locking';
import { countPeople, householdKeysPage, type HouseholdKey } from '../../db/findings/facts';
import { advanceWatermark } from '../../db/monitoring/store';
import { claimMonthlyRun, finishMonthlyRun, monthlyRunById, recordMonthlyProgress, type MonthlyRunView } from '../../db/monitoring-monthly/store';
import { countHouseholdsUnderPrefix, regionKnown } from '../../db/household/region-pages';
import { loggableError } from '../../domain/privacy';
import { DepartmentReadError, departmentFailureFields } from '../../federation/reads';
import { divisionPrefix } from '../../domain/division-code';
import { peopleKnownToDepartments, peopleWithFactOf, peopleWithFacts } from '../../federation/person-keys';
import { candidatesForHouseholds, monitoringToday, writeAlerts, type DetectDeps, type KnownPeople } from './detect';

export interface MonthlyOptions {
  /** Held by the caller: every write is fenced by it, and it is renewed after each page. */
  lease?: Lease;
  /** Households per page (default 2,000). */
  pageHouseholds?: number;
  /** Pages read and evaluated ahead of the one being written (default 2). */
  lookahead?: number;
  /** yyyymm: recorded as done (watermark `MONTHLY:<region>`) once every page is written. */
  markMonth?: number;
  /** After each page is written: households so far and alerts opened or raised so far. */
  onProgress?: (done: { households: number; changed: number }) => void | Promise<void>;
  /**
   * false: ask every department about everyone (the reference the tests compare with). Default
   * true: each department only about the people it holds anything about.
   */
  knownPeople?: boolean;
  /**
   * Aborted when the comparison is to stop (a tool's process finding its hub database migrated by a
   * later release, tools/region-job-cli.ts; a hub's own runs are stopped by MonthlyJobs.stop
   * besides): it ends before the next page's write, throwing
   * MonthlyStopped, and writes nothing more; the pages written stay, each whole.
   */
  stop?: AbortSignal;
}

/** A comparison stopped by its `stop` signal before its next page's write (MonthlyOptions.stop). */
export class MonthlyStopped extends Error {
  override name = 'MonthlyStopped';
}

export const DEFAULT_MONTHLY_PAGE = 2000;

/** Who each department holds anything about, read once per comparison. */
export async function knownPeopleOf(deps: Pick<DetectDeps, 'hub' | 'sources'>): Promise<KnownPeople> {
  const [known, knownFacts, people, jobLosses, monitored] = await Promise.all([
    peopleKnownToDepartments(deps.sources),
    peopleWithFacts(deps.sources),
    countPeople(deps.hub),
    peopleWithFactOf(deps.sources, 'jobLosses'),
    peopleWithFactOf(deps.sources, 'monitored'),
  ]);
  // A department holding something about most people saves little by being asked about fewer,
  // and its set would only weigh on memory (as in the findings scan).
  for (const [code, set] of known) if (set.size > people / 2) known.delete(code);
  return { facts: { known, knownFacts, parallel: 2 }, jobLosses, monitored };
}

/**
 * The monthly comparison over every household under `region`. Each page's alerts are written in
 * one transaction (behind the lease's fence when one is given). Returns the households compared and
 * the alerts opened or raised.
 */
export async function runMonthlyComparison(deps: DetectDeps, region: string, opts: MonthlyOptions = {}): Promise<{ households: number; changed: number }> {
  const today = monitoringToday(deps);
  const page = opts.pageHouseholds ?? DEFAULT_MONTHLY_PAGE;
  const lookahead = Math.max(1, opts.lookahead ?? 2);
  const prefix = divisionPrefix(region);
  const known = opts.knownPeople === false ? undefined : await knownPeopleOf(deps);
  const write = <T>(fn: (tx: LockingTx) => Promise<T>): Promise<T> => (opts.lease ? fenced(deps.hub, opts.lease, fn) : lockingTransaction(deps.hub, fn));

  // Pages in flight: keys read in order, each page's candidates evaluated as soon as its keys are known.
  type Evaluated = { keys: HouseholdKey[]; writes: Awaited<ReturnType<typeof candidatesForHouseholds>> };
  const pending: Promise<Evaluated>[] = [];
  let after: number | null = null;
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && pending.length < lookahead) {
      const keys = await householdKeysPage(deps.hub, prefix, after, page);
      if (keys.length < page) exhausted = true;
      if (keys.length === 0) break;
      after = keys[keys.length - 1].id;
      const regions = new Map(keys.map((k) => [k.id, k.regionCode]));
      const evaluated = candidatesForHouseholds(
        deps,
        keys.map((k) => k.id),
        today,
        known,
        regions,
      ).then((writes) => ({ keys, writes }));
      // Awaited in order below; a failure surfaces there, not as an unhandled rejection here.
      evaluated.catch(() => undefined);
      pending.push(evaluated);
    }
  };

  let households = 0;
  let changed = 0;
  try {
    await fill();
    while (pending.length > 0) {
      const current = await pending.shift()!;
      await fill();
      if (opts.stop?.aborted) throw new MonthlyStopped('monthly comparison stopped before its next page');
      changed += await write(async (tx) => (await writeAlerts(deps, tx, current.writes, 'MONTHLY')).length);
      households += current.keys.length;
      if (opts.lease) await renewLease(deps.hub, opts.lease, 10 * 60_000);
      await opts.onProgress?.({ households, changed });
    }
  } finally {
    // Pages read ahead of a failure are abandoned; let them settle before the caller closes pools.
    await Promise.allSettled(pending);
  }
  if (opts.stop?.aborted) throw new MonthlyStopped('monthly comparison stopped before its last write');
  if (opts.markMonth !== undefined) {
    const month = opts.markMonth;
    await write((tx) => advanceWatermark(tx, `MONTHLY:${region}`, month, 0));
  }
  return { households, changed };
}

// ----- Runs on demand (and the hub's monthly tick): one per division and month ------------------

/** The month a comparison run stands for: YYYY-MM, China time. */
export function monthOf(deps: Pick<DetectDeps, 'now'>): string {
  return monitoringToday(deps).slice(0, 7);
}

export type MonthlyRunStart =
  | { ok: true; started: boolean; run: MonthlyRunView; done: Promise<MonthlyRunView> }
  | { ok: false; code: 'MONTH_NOT_CURRENT' | 'REGION_UNKNOWN' };

function failureOf(err: unknown): string {
  if (err instanceof DepartmentReadError) return err.failure;
  if (err instanceof LeaseLost) return 'LEASE_LOST';
  return 'INTERNAL_ERROR';
}

/**
 * The monthly comparison runs in every hub process's background; `idle()` waits for those this
 * process started (the server waits for it before closing its pools), `stop()` stops them (a hub
 * finding its database migrated by a later release, server/app.ts).
 */
class MonthlyJobs {
  /** Runs of this process, from the moment a start is asked (before its claim): each its own stop. */
  private readonly running = new Set<{ halt: AbortController; done: Promise<unknown> }>();

  /**
   * Starts the comparison of `region` for `month` (YYYY-MM, the current month: it judges on today's
   * data), unless that month's run of the division succeeded already or is running somewhere —
   * then the run as it stands, `started: false`, and nothing more happens. Alerts are one per
   * identity besides, so even a run repeated after a failure opens no alert twice. The run stops as
   * by `opts.stop` (MonthlyStopped) when either that signal or this process's stop() says so; a
   * start under way when stop() comes is stopped too (its run, once claimed, writes no page).
   */
  async start(deps: DetectDeps & { logger?: LevelLogger }, region: string, month: string, startedBy: string, opts: Pick<MonthlyOptions, 'lease' | 'onProgress' | 'pageHouseholds' | 'stop'> = {}): Promise<MonthlyRunStart> {
    const halt = new AbortController();
    let settle!: (done: Promise<unknown>) => void;
    const job = { halt, done: new Promise<unknown>((r) => (settle = r)) };
    this.running.add(job);
    const forget = () => void this.running.delete(job);
    job.done.then(forget, forget);
    // The caller's stop stops it too (by hand: AbortSignal.any is Node 20.3's, and package.json asks 20).
    const given = opts.stop;
    if (given?.aborted) halt.abort(given.reason);
    else given?.addEventListener('abort', () => halt.abort(given.reason), { once: true });
    let out: MonthlyRunStart | undefined;
    try {
      out = await this.claimAndRun(deps, region, month, startedBy, { ...opts, stop: halt.signal });
      return out;
    } finally {
      settle(out?.ok && out.started ? out.done : Promise.resolve());
    }
  }

  /** start() without this process's stop: its checks, the claim, the run. */
  private async claimAndRun(deps: DetectDeps & { logger?: LevelLogger }, region: string, month: string, startedBy: string, opts: Pick<MonthlyOptions, 'lease' | 'onProgress' | 'pageHouseholds' | 'stop'> = {}): Promise<MonthlyRunStart> {
    if (month !== monthOf(deps)) return { ok: false, code: 'MONTH_NOT_CURRENT' };
    const total = await countHouseholdsUnderPrefix(deps.hub, divisionPrefix(region));
    // A typo (370811010 for 370811001) ran as a SUCCEEDED comparison of no household and took the
    // division's one run of the month. A code the region table lacks but households carry still runs.
    if (total === 0 && !(await regionKnown(deps.hub, region))) return { ok: false, code: 'REGION_UNKNOWN' };
    const claim = await claimMonthlyRun(deps.hub, region, month, startedBy.slice(0, 64), total);
    if (!claim.claimed) return { ok: true, started: false, run: claim.run, done: Promise.resolve(claim.run) };
    const id = claim.run.id;
    let last = { households: 0, changed: 0 };
    const done = (async () => {
      try {
        const out = await runMonthlyComparison(deps, region, {
          ...opts,
          markMonth: Number(month.replace('-', '')),
          onProgress: async (p) => {
            last = p;
            await recordMonthlyProgress(deps.hub, claim.run, p);
            await opts.onProgress?.(p);
          },
        });
        await finishMonthlyRun(deps.hub, claim.run, 'SUCCEEDED', out);
        deps.metrics?.runEnded('monthly', null);
        deps.logger?.info({ region, month, ...out }, 'monthly comparison finished');
      } catch (err) {
        if (err instanceof MonthlyStopped) {
          // Nothing more is written, not even its end: the run stays RUNNING and, its heartbeat
          // stopped, is shown FAILED (INTERRUPTED) and taken over as a dead process's run is once
          // silent for MONTHLY_RUN_STALE_MS (db/monitoring-monthly/store.ts).
          deps.logger?.warn({ region, month, ...last }, 'monthly comparison stopped before its next page; its run is left to be taken over');
          return (await monthlyRunById(deps.hub, id))!;
        }
        const failure = failureOf(err);
        deps.logger?.error({ region, month, failure, ...departmentFailureFields(err), err: loggableError(err) }, 'monthly comparison failed');
        await finishMonthlyRun(deps.hub, claim.run, 'FAILED', last, failure).catch(() => undefined);
        deps.metrics?.runEnded('monthly', failure);
      }
      return (await monthlyRunById(deps.hub, id))!;
    })();
    return { ok: true, started: true, run: claim.run, done };
  }

  async idle(): Promise<void> {
    await Promise.allSettled([...this.running].map((j) => j.done));
  }

  /**
   * Every run of this process stops before its next page's write (MonthlyStopped: nothing more is
   * written, the run stays RUNNING to be taken over once silent for MONTHLY_RUN_STALE_MS), and this
   * resolves when they have. Runs started afterwards run as before (a restore).
   */
  async stop(): Promise<void> {
    const jobs = [...this.running];
    for (const j of jobs) j.halt.abort();
    await Promise.allSettled(jobs.map((j) => j.done));
  }
}

export const monthlyJobs = new MonthlyJobs();
