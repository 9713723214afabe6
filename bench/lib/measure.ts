/**
 * Closed-loop load: `concurrency` callers each take the next household id from one shared list
 * and wait for its answer before taking another. Latency is timed per call around the whole
 * round trip; throughput is calls over wall time. Tallies accumulate over several runs, so the
 * variants can take turns on the same data.
 */
import type { HouseholdResult } from './query';

export interface Answer {
  household: HouseholdResult | null;
  /** SQL statements the answer cost. */
  statements: number;
}

export type Fetch = (householdId: number) => Promise<Answer>;

/** The database server's count of statements received from all clients (MariaDB/MySQL `Questions`). */
export type ServerStatementCounter = () => Promise<number>;

export class Tally {
  readonly latenciesMs: number[] = [];
  readonly statements: number[] = [];
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
    return this.statements.reduce((a, b) => a + b, 0) / this.statements.length;
  }
  get statementRange(): [number, number] {
    return [Math.min(...this.statements), Math.max(...this.statements)];
  }
  get serverStatementsPerRequest(): number {
    return this.serverStatements / this.requests;
  }
}

/**
 * Runs every id through `fetch` with `concurrency` callers. `check` sees each answer after its
 * clock has stopped; `tally`, when given, records the run, and with `serverCounter` also what the
 * database server received meanwhile.
 */
export async function drive(
  ids: readonly number[],
  concurrency: number,
  fetch: Fetch,
  check: (householdId: number, answer: Answer) => void,
  tally?: Tally,
  serverCounter?: ServerStatementCounter,
): Promise<void> {
  let next = 0;
  const before = tally && serverCounter ? await serverCounter() : 0;
  const started = performance.now();
  const caller = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const t0 = performance.now();
      const answer = await fetch(id);
      const ms = performance.now() - t0;
      tally?.latenciesMs.push(ms);
      tally?.statements.push(answer.statements);
      check(id, answer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, caller));
  if (tally) tally.wallMs += performance.now() - started;
  // The counter's own read after the run is one statement more.
  if (tally && serverCounter) tally.serverStatements += (await serverCounter()) - before - 1;
}
