/**
 * Work the hub has given up on (a department read past its time limit, federation/loaders.ts
 * withTimeout) is stopped on the department's server too, not only forgotten by the hub.
 *
 * A read abandoned by the hub alone went on running on the source: a statement waiting for a table
 * lock the department's own system held, or one that sleeps, kept its connection of the hub's pool
 * for as long as it waited. Ten such requests took every connection of that department's pool
 * (and the server's threads), every later read queued behind them in the driver (each timed out,
 * its statement still queued), and when the lock went the source was first made to run the whole
 * backlog of statements nobody waited for any more.
 *
 * So the work runs in an abandonable scope (db/async-context.ts, which follows it through drizzle and
 * the driver): a pool made `abandonable` runs each statement of such a scope on a connection of its
 * own, and when the scope is abandoned it closes that connection at once (the pool opens a fresh one
 * when next needed) and asks the server, over a connection kept for that, to `KILL QUERY` the
 * statement's thread, so that the server stops waiting too. A statement the scope would send after
 * it was abandoned is not sent. Statements outside any scope (scans, imports) are left as they are.
 */
import type mysql from 'mysql2/promise';
import { currentAbandonScope, runAbandonable, type AbandonScope } from './async-context';
import { overriding } from './connect';

/** A statement of abandoned work, refused before it was sent. */
export class AbandonedStatement extends Error {
  override name = 'AbandonedStatement';
}

class Scope implements AbandonScope {
  abandoned = false;
  readonly running = new Set<() => void>();
  abandon(): void {
    this.abandoned = true;
    for (const stop of [...this.running]) stop();
    this.running.clear();
  }
}

/**
 * `work` in a scope of its own, not yet started: `start()` runs it, `abandon()` stops its statements
 * in flight and refuses its later ones. Two steps, so a caller's timer can be set (and hold `abandon`)
 * before the work starts.
 */
export function abandonable<T>(work: () => Promise<T>): { start: () => Promise<T>; abandon: () => void } {
  const scope = new Scope();
  // Methods, not arrow properties: tsx (esbuild's keepNames) names each arrow property as it is made.
  return {
    start() {
      return runAbandonable(scope, work);
    },
    abandon() {
      scope.abandon();
    },
  };
}

/** Asks the server to stop the statement running on connection `threadId`. */
export type Killer = (threadId: number) => Promise<unknown>;

/** What a scope's statement needs of mysql2's callback connection (the promise wrapper's `connection`). */
interface CoreConnection {
  threadId: number;
  query(options: unknown, values: unknown, done: (error: Error | null, rows?: unknown, fields?: unknown) => void): unknown;
  execute(options: unknown, values: unknown, done: (error: Error | null, rows?: unknown, fields?: unknown) => void): unknown;
  release(): void;
  destroy(): void;
}

/**
 * The pool, with the statements of an abandonable scope stopped when it is abandoned (see above).
 * `kill` runs `KILL QUERY` over a connection of its own (a pool of one, `killerFor`).
 *
 * A scope's statement takes its connection from mysql2's callback pool under the promise one
 * (`pool.pool`) and runs it there: one promise for taking, running and giving back the connection,
 * where the promise API made one to take it, one to run and two async functions around them
 * (every household query reads a dozen departments). It bypasses db/connect.ts's
 * retiringRefusedSessions, whose retiring only concerns locking transactions, which no department
 * read is. Its answer is the promise API's (`[rows, fields]`, the driver's error as it is).
 */
export function stoppingAbandoned(pool: mysql.Pool, kill: Killer): mysql.Pool {
  const core = (pool as unknown as { pool: CorePool }).pool;
  return overriding(pool, { query: scopedRunner(pool, core, kill, 'query'), execute: scopedRunner(pool, core, kill, 'execute') });
}

type CorePool = { getConnection(cb: (error: Error | null, conn: CoreConnection) => void): void };

/** stoppingAbandoned's `method`: run in the current abandonable scope, or by `pool` outside one. */
function scopedRunner(pool: mysql.Pool, core: CorePool, kill: Killer, method: 'query' | 'execute') {
  return (options: unknown, values?: unknown) => {
    const scope = currentAbandonScope();
    if (!scope) return (pool[method] as (...a: unknown[]) => Promise<unknown>)(options, values);
    if (scope.abandoned) return Promise.reject(new AbandonedStatement('the read was abandoned before this statement was sent'));
    return new Promise((resolve, reject) => {
      core.getConnection((error, conn) => {
        if (error) return reject(error);
        if (scope.abandoned) {
          conn.release();
          return reject(new AbandonedStatement('the read was abandoned before this statement was sent'));
        }
        // A statement's two closures made once each per statement, unnamed (a named one is named
        // again as it is made under tsx: test/keep-names.test.ts).
        const statement = {
          stopped: false,
          stop(): void {
            statement.stopped = true;
            const threadId = conn.threadId;
            // Closed first: the pool has its place back at once, whatever the server does with the kill.
            conn.destroy();
            kill(threadId).catch(() => undefined);
          },
          done(failed: Error | null, rows?: unknown, fields?: unknown): void {
            scope.running.delete(statement.stop);
            if (!statement.stopped) conn.release();
            if (failed) reject(failed);
            else resolve([rows, fields]);
          },
        };
        scope.running.add(statement.stop);
        try {
          conn[method](options, values, statement.done);
        } catch (thrown) {
          statement.done(thrown as Error);
        }
      });
    });
  };
}

/** A `Killer` over `pool` (a pool of one connection, opened on the first kill). */
export function killerFor(pool: mysql.Pool): Killer {
  // The thread id is a number the driver read from the server's handshake, never a caller's text.
  return (threadId) => (Number.isSafeInteger(threadId) ? pool.query(`KILL QUERY ${threadId}`) : Promise.resolve());
}
