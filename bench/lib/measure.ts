/**
 * Closed-loop load: `concurrency` callers each take the next household id from one shared list
 * and wait for its answer before taking another. Latency is timed per call around the whole
 * round trip; throughput is calls over wall time. Tallies accumulate over several runs, so the
 * variants can take turns on the same data.
 */
import type { HouseholdResult } from './query';

export interface Answer {
  household: HouseholdResult | null;
  /**
   * SQL statements the answer cost; null where the server does not say (a production hub reports
   * no count per request), and the variant's `statementsIssued` counts its runs instead.
   */
  statements: number | null;
}

export type Fetch = (householdId: number) => Promise<Answer>;

/** The database server's count of statements received from all clients (MariaDB/MySQL `Questions`). */
export type ServerStatementCounter = () => Promise<number>;

/**
 * Statements a server's thread has sent so far (db/instrument.ts `statementsIssued`): asked of its
 * worker thread by message where it runs in one (bench/lib/servers.ts).
 */
export type ProcessStatementCounter = () => number | Promise<number>;

export class Tally {
  readonly latenciesMs: number[] = [];
  /** Per request, where the answers carry their count. */
  readonly statements: number[] = [];
  /** Otherwise: statements counted over whole runs, and the requests of those runs. */
  runStatements = 0;
  runRequests = 0;
  wallMs = 0;
  /** Statements the database server received during the runs, whoever sent them. */
  serverStatements = 0;

  get requests(): number {
    return this.latenciesMs.length;
  }
  percentileMs(p: number): number {
    const sorted = Float64Array.from(this.latenciesMs).sort();
    // Nearest rank.
    return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
  }
  get requestsPerSecond(): number {
    return this.requests / (this.wallMs / 1000);
  }
  get statementsPerRequest(): number {
    return (this.statements.reduce((a, b) => a + b, 0) + this.runStatements) / (this.statements.length + this.runRequests);
  }
  /** Null when only whole runs were counted. */
  get statementRange(): [number, number] | null {
    if (this.statements.length === 0) return null;
    return [Math.min(...this.statements), Math.max(...this.statements)];
  }
  get serverStatementsPerRequest(): number {
    return this.serverStatements / this.requests;
  }
}

/**
 * Runs every id through `fetch` with `concurrency` callers. `check` sees each answer after its
 * clock has stopped; `tally`, when given, records the run, and with `serverCounter` also what the
 * database server received meanwhile; answers without a statement count are counted over the run
 * by `processCounter` (only this variant runs meanwhile).
 */
export async function drive(
  ids: readonly number[],
  concurrency: number,
  fetch: Fetch,
  check: (householdId: number, answer: Answer) => void,
  tally?: Tally,
  serverCounter?: ServerStatementCounter,
  processCounter?: ProcessStatementCounter,
): Promise<void> {
  let next = 0;
  const before = tally && serverCounter ? await serverCounter() : 0;
  const processBefore = (await processCounter?.()) ?? 0;
  let uncounted = 0;
  const started = performance.now();
  // The first failure stops every caller from taking another id, and is thrown once the requests
  // in flight have settled: the caller's clean-up then closes no pool or server under a request
  // still running (whose own failure, printed by its server, would hide the first).
  let failed: { error: unknown } | null = null;
  const caller = async () => {
    while (next < ids.length && !failed) {
      const id = ids[next++];
      try {
        const t0 = performance.now();
        const answer = await fetch(id);
        const ms = performance.now() - t0;
        tally?.latenciesMs.push(ms);
        if (answer.statements === null) uncounted += 1;
        else tally?.statements.push(answer.statements);
        check(id, answer);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, caller));
  if (failed) throw (failed as { error: unknown }).error;
  if (tally) tally.wallMs += performance.now() - started;
  if (tally && uncounted > 0) {
    if (!processCounter) throw new Error('answers without a statement count, and no counter for the run');
    tally.runStatements += (await processCounter()) - processBefore;
    tally.runRequests += uncounted;
  }
  // The counter's own read after the run is one statement more.
  if (tally && serverCounter) tally.serverStatements += (await serverCounter()) - before - 1;
}
