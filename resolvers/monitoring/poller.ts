/**
 * Change-driven detection: every hub process runs one poller per department, but only the holder
 * of the department's lease (`monitor-poll:<DEPARTMENT>`, db/jobs/lease.ts) reads its feeds, so
 * exactly one process polls a source at a time; a holder that dies stops renewing and another takes
 * over once the lease expires. Each tick reads, per polled table, the rows past the watermark (its
 * growing key, or its update time's second and the row key within it: federation/change-feed.ts;
 * one statement per table, at most the batch size), evaluates the triggers for the households of
 * the people touched, and writes
 * the alerts and the new watermarks in one transaction behind the lease's fence, so a process that
 * lost its lease writes nothing. A growing key's watermark waits at a gap in the ids read until the
 * gap is older than the commit lag (a transaction holding a lower id may still commit); when this
 * process first saw each gap is kept here, in memory, and forgotten with the lease, so a new holder
 * waits one more lag rather than trusting another process's observations; so are the keys a first
 * look found past where it started (federation/change-feed.ts currentMark), read but not evaluated.
 *
 * The monthly comparison (一月一比对) runs beside it under its own lease: once per calendar month
 * (China time) every household of the division is evaluated, which finds what no change shows
 * (twelve-month sums, absences, tables without a growing key). A third job (`monitor-relocate`)
 * moves open alerts after households that moved and members who left for another household, which
 * no department's feed shows (relocate.ts). A fourth (`monitor-deaths`) polls the hub's own person
 * table as a department's is polled, for deaths recorded there (deaths.ts).
 */
import type { Logger } from 'pino';
import type { MonitoringConfig } from '../../db/config';
import { ensureLeaseRow, fenced, handOverLease, LeaseLost, newHolder, releaseLease, renewLease, takeExpiredLease, type Lease } from '../../db/jobs/lease';
import { advanceWatermark, feedStates, markPolled, watermarks } from '../../db/monitoring/store';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { loggableError } from '../../domain/privacy';
import { currentMark, polledFeeds, rowsAfter, unpolledTables, type KeyGap, type PolledFeed, type PolledSource, type Watermark } from '../../federation/change-feed';
import type { SourceDb } from '../../federation/contract';
import type { UnreadableLeftOut } from '../../federation/reads';
import type { HubDb } from '../../db/connect';
import type { AlertWrite } from '../../db/monitoring/store';
import type { IsoDate } from '../../domain/dates';
import { candidatesForPeople, monitoringToday, writeAlerts, type DetectDeps } from './detect';
import { candidatesForDeaths, PERSON_FEED } from './deaths';
import { monthlyJobs, monthOf, runMonthlyComparison } from './monthly';
import { displacedAlerts, relocateAlerts } from './relocate';
import { remindReferrals, type ReminderPass } from '../cases/referral-reminders';
export { runMonthlyComparison };

export type PollerOptions = MonitoringConfig & { logger?: Logger };

export const POLL_JOB = (code: DepartmentCode) => `monitor-poll:${code}`;
export const MONTHLY_JOB = (region: string) => `monitor-monthly:${region}`;
/** Moving open alerts after their households (resolvers/monitoring/relocate.ts): one process at a time. */
export const RELOCATE_JOB = 'monitor-relocate';
/** Reminding offices of referral slips near or past their due date (resolvers/cases/referral-reminders.ts): one process at a time. */
export const REMIND_JOB = 'referral-remind';
/** Polling the hub's person table for deaths (resolvers/monitoring/deaths.ts): one process at a time. */
export const DEATHS_JOB = 'monitor-deaths';

/** The alerts a poll's changed rows lead to: every trigger for the households of the people touched (a department), or for those who died (the hub's person table). */
type PollCandidates = (idNumbers: readonly string[], today: IsoDate, leaveOutUnreadable: UnreadableLeftOut) => Promise<AlertWrite[]>;

/** What one tick of a department did (tests and logs). */
export interface TickResult {
  polled: boolean;
  rows: number;
  alertsChanged: number;
}

/**
 * Whether a poll that found nothing may leave `polled_at` as it is: every feed's was recorded less
 * than `withinMs` ago, by the database's clock (feedStates). Recorded at every tick, an idle hub wrote
 * one transaction per department per tick (fence, UPDATE, COMMIT) to say only that it had looked.
 * Now the age aidhub_monitoring_poll_age_seconds reads runs up to `withinMs` plus one interval while
 * polls succeed (quietRecordMs), and grows past it once they stop. The record stays in the hub
 * database, not in this process: every replica reports the same age, a takeover by another process
 * starts from it, and a holder that dies leaves it to grow. Kept in memory, the age would be known
 * only to the holder and vanish with it.
 */
export function quietPollRecorded(feeds: readonly { key: string }[], polledAgoMs: ReadonlyMap<string, number>, withinMs: number): boolean {
  return feeds.every((f) => (polledAgoMs.get(f.key) ?? Infinity) < withinMs);
}

/**
 * How old a department's recorded poll may grow before an idle poll records it again: three of its
 * own intervals, never more than the lease (after which another process takes the poll over). Not
 * the lease alone: it outlasts three polls of the slowest department polled (db/config.ts), so a
 * department polled every 30 s beside one polled hourly showed an age of up to three hours while
 * its polls succeeded, past any rule set at a few of its own intervals (docs/operations.md).
 */
export function quietRecordMs(intervalMs: number, leaseMs: number): number {
  return Math.min(3 * intervalMs, leaseMs);
}

export class MonitoringPoller {
  private readonly holder = newHolder();
  private readonly leases = new Map<string, Lease>();
  /** Per growing-key feed, the gaps past its watermark and when this process first saw each (monotonic ms). */
  private readonly gaps = new Map<string, KeyGap[]>();
  /** Per growing-key feed, the keys past its watermark that its first look found (change-feed.ts currentMark): read, evaluated never. */
  private readonly heldAtFirstSight = new Map<string, ReadonlySet<number>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown>[] = [];
  private stopped = false;

  constructor(
    private readonly deps: DetectDeps,
    private readonly opts: PollerOptions,
  ) {}

  /** Starts ticking every department this process polls (and the monthly comparison, if a region is set). */
  start(): void {
    // Also again after stop() (server/app.ts: a database a later release migrated, then restored).
    this.stopped = false;
    const departments = this.opts.departments ?? DEPARTMENT_CODES;
    this.opts.logger?.info({ departments: departments.map((code) => ({ code, intervalMs: this.intervalOf(code) })) }, 'monitoring: polling these departments’ change feeds');
    for (const code of departments) {
      const skipped = unpolledTables(code);
      if (skipped.length > 0) this.opts.logger?.debug({ department: code, tables: skipped }, 'monitoring: tables without a change marker are left to the monthly comparison');
      this.every(this.intervalOf(code), () => this.tick(code), { polled: code });
    }
    this.every(this.opts.intervalMs.default, () => this.relocate());
    this.every(this.opts.intervalMs.default, () => this.deaths(), { polled: 'HUB' });
    this.every(this.opts.intervalMs.default, () => this.remindReferrals());
    const region = this.opts.monthlyRegion;
    if (region) this.every(this.opts.intervalMs.default, () => this.monthlyIfDue(region));
  }

  /** How often this process polls a department: its own interval, else the default. */
  private intervalOf(code: DepartmentCode): number {
    return this.opts.intervalMs[code] ?? this.opts.intervalMs.default;
  }

  /** Runs `work` now and every `ms`, one run at a time; a failed run is logged with `context` (the source a poll polled: `polled`). */
  private every(ms: number, work: () => Promise<unknown>, context: { polled?: PolledSource } = {}): void {
    let busy = false;
    const run = () => {
      if (busy || this.stopped) return;
      busy = true;
      const p = work()
        .catch((err: unknown) => this.opts.logger?.warn({ ...context, err: loggableError(err) }, 'monitoring tick failed'))
        .finally(() => {
          busy = false;
          this.running = this.running.filter((r) => r !== p);
        });
      this.running.push(p);
    };
    const t = setInterval(run, ms);
    t.unref();
    this.timers.push(t);
    setImmediate(run);
  }

  /** Stops ticking, waits for ticks in flight, and gives up the leases so another process takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    await Promise.allSettled(this.running);
    for (const lease of this.leases.values()) await releaseLease(this.deps.hub, lease).catch(() => undefined);
    this.leases.clear();
  }

  /** The lease on a job, renewed or newly taken; null when another process holds it. */
  private async hold(jobKey: string): Promise<Lease | null> {
    const held = this.leases.get(jobKey);
    if (held) {
      if (await renewLease(this.deps.hub, held, this.opts.leaseMs)) return held;
      this.leases.delete(jobKey);
      this.opts.logger?.info({ jobKey }, 'monitoring: lease taken over by another hub process');
    }
    await ensureLeaseRow(this.deps.hub, jobKey);
    const taken = await takeExpiredLease(this.deps.hub, jobKey, this.holder, this.opts.leaseMs);
    if (!taken) return null;
    this.leases.set(jobKey, taken.lease);
    return taken.lease;
  }

  /**
   * One poll of a department's feeds, if this process holds its lease; a poll that fails is counted
   * (server/metrics.ts) and hands the lease over: a process that cannot read the department (no
   * route to its 前置库 from this replica) renewed the lease at every failing tick and kept it for
   * good, so no replica that could read it ever polled it and the department raised no alert.
   */
  async tick(code: DepartmentCode): Promise<TickResult> {
    try {
      return await this.poll(code);
    } catch (err) {
      this.deps.metrics?.pollFailed(code);
      const lease = this.leases.get(POLL_JOB(code));
      if (lease) {
        this.dropLease(POLL_JOB(code), polledFeeds(code));
        await handOverLease(this.deps.hub, lease).catch(() => undefined);
      }
      throw err;
    }
  }

  private async poll(code: DepartmentCode): Promise<TickResult> {
    const feeds = polledFeeds(code);
    const lease = await this.holdFeeds(POLL_JOB(code), feeds);
    if (!lease) return { polled: false, rows: 0, alertsChanged: 0 };
    if (feeds.length === 0) return { polled: true, rows: 0, alertsChanged: 0 };
    return this.pollFeeds(POLL_JOB(code), lease, code, feeds, this.deps.sources[code].db, this.intervalOf(code), (ids, today, leftOut) => candidatesForPeople(this.deps, ids, today, leftOut));
  }

  /**
   * One poll of the hub's person table (deaths.ts), if this process holds its lease: a death recorded
   * at the hub (`person.csv` of `npm run import`) opens its alerts within a poll interval, as a
   * department's row does, not at the next monthly comparison. The hub's own database: no lease to
   * hand over to a replica with a better route, as a department's poll does when it fails.
   */
  async deaths(): Promise<TickResult> {
    const feeds = [PERSON_FEED];
    try {
      const lease = await this.holdFeeds(DEATHS_JOB, feeds);
      if (!lease) return { polled: false, rows: 0, alertsChanged: 0 };
      return await this.pollFeeds(DEATHS_JOB, lease, 'HUB', feeds, this.deps.hub, this.opts.intervalMs.default, (ids, today, leftOut) => candidatesForDeaths(this.deps, ids, today, leftOut));
    } catch (err) {
      // Counted as a department's failed poll is, under `HUB`: uncounted, a deaths poll failing at
      // every tick showed on no metric an operator alerts on.
      this.deps.metrics?.pollFailed('HUB');
      throw err;
    }
  }

  /** The lease on a polling job, forgetting the gaps of its feeds when it was not already ours: another holder may have passed them meanwhile. */
  private async holdFeeds(jobKey: string, feeds: readonly PolledFeed[]): Promise<Lease | null> {
    const before = this.leases.get(jobKey);
    const lease = await this.hold(jobKey);
    if (lease !== before) this.forgetGaps(feeds);
    return lease;
  }

  /** Reads these feeds past their watermarks, evaluates the people touched and writes alerts and watermarks behind the lease's fence. */
  private async pollFeeds(jobKey: string, lease: Lease, source: PolledSource, feeds: readonly PolledFeed[], db: SourceDb | HubDb, intervalMs: number, candidates: PollCandidates): Promise<TickResult> {
    const { marks, polledAgoMs } = await feedStates(this.deps.hub, feeds.map((f) => f.key));
    const advanced: { key: string; to: Watermark; rows: number }[] = [];
    const touched = new Set<string>();
    // Kept or forgotten once the poll's write has landed (a poll that lost its lease moved nothing).
    const firstSights = new Map<string, ReadonlySet<number>>();
    const heldPassed: string[] = [];
    let rowsRead = 0;
    for (const feed of feeds) {
      const stored = marks.get(feed.key);
      if (stored === undefined) {
        // First sight of a table: start from now; the monthly comparison covers what came before.
        const start = await currentMark(db, feed, this.opts.commitLagMs, this.opts.batchRows);
        advanced.push({ key: feed.key, to: { mark: start.mark, rowKey: null }, rows: 0 });
        if (start.held.length > 0) firstSights.set(feed.key, new Set(start.held));
        continue;
      }
      const from: Watermark = stored;
      const gaps = { seen: this.gaps.get(feed.key) ?? [], nowMs: performance.now() };
      const read = await rowsAfter(db, feed, from, this.opts.batchRows, this.opts.commitLagMs, gaps);
      if (read.gaps.length > 0) this.gaps.set(feed.key, read.gaps);
      else this.gaps.delete(feed.key);
      // A read of nothing may still finish the second a row key stood in: written, so that
      // `last_sequence` (all an older hub reads) reaches it before the next change does.
      const finished = read.to.mark !== from.mark || (read.to.rowKey === null) !== (from.rowKey === null);
      if (read.rows.length === 0 && !finished) continue;
      const held = this.heldAtFirstSight.get(feed.key);
      for (const r of read.rows) if (r.idNumber && !held?.has(r.mark)) touched.add(r.idNumber);
      if (held && [...held].every((k) => k <= read.to.mark)) heldPassed.push(feed.key);
      rowsRead += read.rows.length;
      // Rows past a gap the watermark waits at are read again next time: count each once, when passed.
      advanced.push({ key: feed.key, to: read.to, rows: read.rows.filter((r) => r.mark <= read.to.mark).length });
    }
    const today = monitoringToday(this.deps);
    // A record the hub cannot read (a NULL amount, 0000-00-00) is left out here, not made to fail the
    // poll: the watermark would wait at it until the department corrected it, and every later change
    // of the department (and of any other touching that household) with it. Logged, counted by field.
    const leftOut = new Map<DepartmentCode, Record<string, number>>();
    const writes = await candidates([...touched], today, (department, byField) => {
      const counted = leftOut.get(department) ?? {};
      for (const [field, n] of Object.entries(byField)) counted[field] = (counted[field] ?? 0) + n;
      leftOut.set(department, counted);
    });
    for (const [department, unreadableRecords] of leftOut) {
      this.opts.logger?.warn({ polled: source, department, unreadableRecords }, 'monitoring: records left out of a poll, unreadable');
      // One field per record (domain/aid.ts unreadableValue): the fields' counts sum to the records.
      this.deps.metrics?.pollLeftOut(department, Object.values(unreadableRecords).reduce((a, n) => a + n, 0));
    }
    // Nothing new is a successful poll too: recorded (polled_at), so a quiet feed is not taken for a
    // stalled poll; but not at every tick (quietPollRecorded).
    if (writes.length === 0 && advanced.length === 0 && quietPollRecorded(feeds, polledAgoMs, quietRecordMs(intervalMs, this.opts.leaseMs))) return { polled: true, rows: 0, alertsChanged: 0 };
    const changes = await this.fencedOrLost(jobKey, feeds, lease, async (tx) => {
      const c = await writeAlerts(this.deps, tx, writes, 'POLL');
      for (const a of advanced) await advanceWatermark(tx, a.key, a.to.mark, a.rows, a.to.rowKey);
      const moved = new Set(advanced.map((a) => a.key));
      await markPolled(tx, feeds.map((f) => f.key).filter((k) => !moved.has(k)));
      return c;
    });
    if (!changes) return { polled: false, rows: 0, alertsChanged: 0 };
    for (const [key, held] of firstSights) this.heldAtFirstSight.set(key, held);
    for (const key of heldPassed) this.heldAtFirstSight.delete(key);
    if (changes.length > 0) this.opts.logger?.info({ department: source, rows: rowsRead, alerts: changes.length }, 'monitoring: alerts opened or raised');
    return { polled: true, rows: rowsRead, alertsChanged: changes.length };
  }

  /** A poll's write behind its lease's fence; null (the lease forgotten) when another process took the lease meanwhile. */
  private async fencedOrLost<T>(jobKey: string, feeds: readonly PolledFeed[], lease: Lease, write: Parameters<typeof fenced<T>>[2]): Promise<T | null> {
    try {
      return await fenced(this.deps.hub, lease, write);
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.dropLease(jobKey, feeds);
        return null;
      }
      throw err;
    }
  }

  /**
   * Queues the reminders of referral slips due soon or overdue at the hub's now (referral-reminders.ts),
   * if this process holds the job's lease; null without it, or when another process took it meanwhile
   * (its fenced write then wrote nothing, and the reminders are still to be spent).
   */
  async remindReferrals(): Promise<ReminderPass | null> {
    const lease = await this.hold(REMIND_JOB);
    if (!lease) return null;
    try {
      const pass = await remindReferrals(this.deps.hub, this.deps.now(), this.deps.triggerSet.referralReminder, (work) => fenced(this.deps.hub, lease, work));
      if (pass.reminders > 0) this.opts.logger?.info(pass, 'referral slips: reminders of slips due soon or overdue queued');
      return pass;
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.leases.delete(REMIND_JOB);
        return null;
      }
      throw err;
    }
  }

  /**
   * Moves open alerts whose household moved, or whose person left it for another, to the township
   * they live in now (relocate.ts), if this process holds the job's lease. Null without the lease.
   */
  async relocate(): Promise<{ moved: number } | null> {
    const lease = await this.hold(RELOCATE_JOB);
    if (!lease) return null;
    const displaced = await displacedAlerts(this.deps);
    if (displaced.length === 0) return { moved: 0 };
    try {
      const changes = await fenced(this.deps.hub, lease, (tx) => relocateAlerts(this.deps, tx, displaced));
      if (changes.length > 0) this.opts.logger?.info({ alerts: changes.length }, 'monitoring: open alerts moved to their households’ new townships');
      return { moved: changes.length };
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.leases.delete(RELOCATE_JOB);
        return null;
      }
      throw err;
    }
  }

  /** Forgets a polling job's lease, handed over or lost, and the gaps its polls were waiting on. */
  private dropLease(jobKey: string, feeds: readonly PolledFeed[]): void {
    this.leases.delete(jobKey);
    this.forgetGaps(feeds);
  }

  private forgetGaps(feeds: readonly PolledFeed[]): void {
    for (const f of feeds) {
      this.gaps.delete(f.key);
      this.heldAtFirstSight.delete(f.key);
    }
  }

  /** The monthly comparison of `region`, if this month's has not run (watermark `MONTHLY:<region>` = yyyymm). */
  async monthlyIfDue(region: string): Promise<{ households: number; changed: number } | null> {
    const key = `MONTHLY:${region}`;
    const month = Number(monitoringToday(this.deps).slice(0, 7).replace('-', ''));
    const done = (await watermarks(this.deps.hub, [key])).get(key) ?? 0;
    if (done >= month) return null;
    const lease = await this.hold(MONTHLY_JOB(region));
    if (!lease) return null;
    // Through the run record, so an on-demand run of this month (monitoringMonthlyRun) finds it done.
    const start = await monthlyJobs.start({ ...this.deps, logger: this.opts.logger }, region, monthOf(this.deps), 'hub', { lease });
    if (!start.ok || !start.started) return null;
    const run = await start.done;
    return { households: run.householdsDone, changed: run.alertsChanged };
  }
}
