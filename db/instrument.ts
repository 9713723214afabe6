/**
 * Counts SQL statements per request and per source, so tests can prove that a household query
 * costs a fixed number of statements. The count follows the async context of the request
 * (AsyncLocalStorage), so concurrent requests do not mix. Statement text and parameters are never
 * kept: parameters hold ID numbers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'drizzle-orm';

export class StatementCounter {
  readonly bySource = new Map<string, number>();
  get total(): number {
    let n = 0;
    for (const v of this.bySource.values()) n += v;
    return n;
  }
  add(source: string): void {
    this.bySource.set(source, (this.bySource.get(source) ?? 0) + 1);
  }
}

export const statementScope = new AsyncLocalStorage<StatementCounter>();

/**
 * Statements sent through counting loggers by this process, in a request's scope or none. A
 * production hub enters no scope per request (server/app.ts); the bench reads this instead, around
 * runs of one variant at a time.
 */
let issued = 0;
export function statementsIssued(): number {
  return issued;
}

/** Runs `fn` with a fresh counter and returns both. */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; counter: StatementCounter }> {
  const counter = new StatementCounter();
  const result = await statementScope.run(counter, fn);
  return { result, counter };
}

/** A drizzle logger that counts into the current scope and prints nothing. */
export function countingLogger(source: string): Logger {
  return {
    logQuery() {
      issued += 1;
      statementScope.getStore()?.add(source);
    },
  };
}
