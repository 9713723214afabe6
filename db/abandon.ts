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
 * So the work runs in an abandonable scope, and is given the handle it reads through by the scope:
 * `scope.db(source.db)`, a view of the department's drizzle database (db/db-view.ts) whose client
 * sends each statement with the scope as the third argument of the pool's query/execute, or
 * `scope.pool(pool)` for the pool itself. A statement the work sends after any number of awaits
 * belongs to the scope because it goes through that handle; nothing follows the work's promises
 * (until session 31 an AsyncLocalStorage did, entered per read, which kept Node's promise hooks
 * running on every promise of the process). A pool made `abandonable` runs each statement of a scope
 * on a connection of its own, and when the scope is abandoned it closes that connection at once
 * (the pool opens a fresh one when next needed) and asks the server, over a connection kept for
 * that, to `KILL QUERY` the statement's thread, so that the server stops waiting too. A statement
 * the scope would send after it was abandoned is not sent. Statements sent without a scope (through
 * `source.db` itself: scans, imports) are left as they are, and so are transactions, which take a
 * connection of the pool's own (`getConnection`), as they always did.
 */
import type mysql from 'mysql2/promise';
import { overriding } from './connect';
import { viewThrough } from './db-view';

/** A statement of abandoned work, refused before it was sent. */
export class AbandonedStatement extends Error {
  override name = 'AbandonedStatement';
}

/** What a scope's statements need to know of it. */
export interface AbandonScope {
  readonly abandoned: boolean;
  readonly running: Set<() => void>;
}

/** A query/execute of a pool made `abandonable`: the scope its statement belongs to as the third argument. */
type ScopedCall = (options: unknown, values: unknown, scope: AbandonScope) => Promise<unknown>;

/** A department read's scope: hands the read the handles its statements go through. */
export class Scope implements AbandonScope {
  abandoned = false;
  readonly running = new Set<() => void>();
  /** `db` (a drizzle database over a pool made `abandonable`) with its statements in this scope. */
  db<D extends object>(db: D): D {
    return viewThrough(db, scopedClient((db as unknown as { session: { client: Record<string, ScopedCall> } }).session.client, this));
  }
  /** `pool` (made `abandonable`) with its `query` and `execute` in this scope. */
  pool<P extends object>(pool: P): P {
    return scopedClient(pool as unknown as Record<string, ScopedCall>, this) as P;
  }
  abandon(): void {
    this.abandoned = true;
    for (const stop of [...this.running]) stop();
    this.running.clear();
  }
}

/** `client` with the scope added to each query and execute; everything else its own (`getConnection` too, which drizzle checks for to know a pool). */
function scopedClient(client: Record<string, ScopedCall>, scope: AbandonScope): object {
  const scoped = Object.create(client) as Record<string, unknown>;
  scoped.query = (options: unknown, values: unknown) => client.query(options, values, scope);
  scoped.execute = (options: unknown, values: unknown) => client.execute(options, values, scope);
  return scoped;
}

/**
 * `work` in a scope of its own, not yet started: `start()` runs it with the scope (whose handles it
 * reads through), `abandon()` stops its statements in flight and refuses its later ones. Two steps,
 * so a caller's timer can be set (and hold `abandon`) before the work starts.
 */
export function abandonable<T>(work: (scope: Scope) => Promise<T>): { start: () => Promise<T>; abandon: () => void } {
  const scope = new Scope();
  // Methods, not arrow properties: tsx (esbuild's keepNames) names each arrow property as it is made.
  return {
    start() {
      return work(scope);
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

/** stoppingAbandoned's `method`: run in the abandonable scope it is given, or by `pool` without one. */
function scopedRunner(pool: mysql.Pool, core: CorePool, kill: Killer, method: 'query' | 'execute') {
  return (options: unknown, values?: unknown, scope?: AbandonScope) => {
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

/** A read of a request that was abandoned (its client gone, RequestReads), refused or stopped for that. */
export class RequestAbandoned extends Error {
  override name = 'RequestAbandoned';
}

/** Told when a request is abandoned (server/metrics.ts counts them). */
export interface AbandonedListener {
  requestAbandoned(): void;
}

/**
 * The department reads of one request, abandoned together when the request is: its client closed
 * its connection before the answer was sent (server/client-gone.ts). A client whose large query
 * timed out on its side and went away had its cost counted in MAX_QUERY_COST_IN_FLIGHT until the
 * hub's department reads finished, so its retry was refused QUERY_COST_IN_FLIGHT for seconds,
 * while the hub went on spending its pools' connections and the departments' time on an answer no
 * one would read. Each read in flight (federation/loaders.ts withTimeout) is then abandoned as one
 * out of time is (its statements stopped on the source: `abandonable` above), and a read asked for
 * later is refused before it starts (RequestAbandoned), and what waits on the request's abandonment
 * (its cost in flight, server/query-cost.ts) is told at once.
 *
 * Only a request that may be abandoned is (`mayAbandon`: a query, once its operation is known), never
 * a mutation: a write reads departments for its checks and must not go on with an answer cut short;
 * it commits or rolls back as before, its client there or not. The hub's own reads and writes of a
 * query (its audit rows among them) are left as they are.
 */
export class RequestReads {
  /** Set once the request is abandoned: its reads stopped, later ones refused. */
  abandoned = false;
  private abandonable = false;
  private gone = false;
  /** Each read in flight: its `abandon`, with its time limit's timer and its promise's `reject`. */
  private readonly open = new Map<() => void, { timer: ReturnType<typeof setTimeout>; reject: (error: Error) => void }>();
  private readonly listeners: AbandonedListener[] = [];

  /** The request may be abandoned from now on; one whose client has gone already is abandoned now. */
  mayAbandon(): void {
    this.abandonable = true;
    if (this.gone) this.abandon();
  }

  /** Its client closed its connection before the answer was sent: abandoned if it may be. */
  clientGone(): void {
    this.gone = true;
    if (this.abandonable) this.abandon();
  }

  /** `listener` told once when the request is abandoned: at once if it already is. */
  onAbandon(listener: AbandonedListener): void {
    if (this.abandoned) listener.requestAbandoned();
    else this.listeners.push(listener);
  }

  /** A read in flight (withTimeout): on abandonment its timer is cleared, its promise rejected with RequestAbandoned and `abandon` called. */
  follow(abandon: () => void, timer: ReturnType<typeof setTimeout>, reject: (error: Error) => void): void {
    this.open.set(abandon, { timer, reject });
  }

  /** A read that ended (answered, failed or out of time). */
  forget(abandon: () => void): void {
    this.open.delete(abandon);
  }

  private abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    for (const listener of this.listeners.splice(0)) listener.requestAbandoned();
    for (const [abandon, { timer, reject }] of this.open) {
      clearTimeout(timer);
      reject(new RequestAbandoned('the request was abandoned: its client went away'));
      abandon();
    }
    this.open.clear();
  }
}
