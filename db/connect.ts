/**
 * Pools and drizzle instances: one for the hub's own database and one per department source.
 * DATE columns come back as 'YYYY-MM-DD' strings (dateStrings), never as Date objects, so a date
 * cannot drift across a time zone.
 */
import type net from 'node:net';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { countingLogger } from './instrument';
import { formatStatement } from './prepared';
import { stableQueryOptions } from './query-options';
import * as hubSchema from './household/schema';

export type HubDb = MySql2Database<typeof hubSchema>;

export interface PoolOptions {
  connectTimeoutMs?: number;
  connectionLimit?: number;
  /**
   * Several statements in one round trip. Only for a pool whose SQL the hub writes itself with
   * every value escaped by mysql2 (the audit writer); never for a pool that runs caller-shaped SQL.
   */
  multipleStatements?: boolean;
  /**
   * Every statement, and the wait for a connection, ends within this many milliseconds or fails
   * with HubUnavailable (see withDeadline). For the hub's own database: a paused or partitioned
   * server must not hold a request, or /readyz, for as long as the pause lasts.
   */
  deadlineMs?: number;
}

/** The hub's own database did not answer in time. Resolvers report it as HUB_UNAVAILABLE. */
export class HubUnavailable extends Error {
  override name = 'HubUnavailable';
  readonly code = 'HUB_UNAVAILABLE';
}

/**
 * The driver's codes for a hub database that cannot be reached at all, as opposed to one that is
 * slow: its server stopped or restarting (refused, reset, lost, shutting down, a connection killed),
 * the network or name lookup failing, or no connection left for us. Behind a load balancer this is
 * the usual outage (a database restarted or failed over), and the caller should be told to try
 * again, as for a timeout, not that the hub failed.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
]);

/**
 * Errors of the hub's own pool (withDeadline) that mean its server cannot be reached. Marked rather
 * than wrapped: the driver's error stays what it is for everything else that reads it (start-up's
 * one-line reasons in server/main.ts), and an error of a department's pool, never marked, is
 * never taken for the hub's.
 */
const hubUnreachable = new WeakSet<object>();

/** `err`, marked in hubUnreachable when it (or a cause) means the hub's server cannot be reached. */
function markedUnreachable(err: unknown): unknown {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
      hubUnreachable.add(e);
      break;
    }
  }
  return err;
}

/** Why the hub's database is unavailable: it did not answer in time, or it cannot be reached; null when the error is neither. */
export function hubUnavailableReason(error: unknown): 'TIMEOUT' | 'UNREACHABLE' | null {
  // drizzle wraps a driver's error (DrizzleQueryError), so look through causes.
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof HubUnavailable || code === 'HUB_UNAVAILABLE' || code === 'PROTOCOL_SEQUENCE_TIMEOUT') return 'TIMEOUT';
    if (typeof e === 'object' && hubUnreachable.has(e)) return 'UNREACHABLE';
  }
  return null;
}

/** Whether an error means the hub's database did not answer in time (our deadline, or mysql2's own) or cannot be reached. */
export function isHubUnavailable(error: unknown): boolean {
  return hubUnavailableReason(error) !== null;
}

/**
 * Runs a one-statement write again when the server rolled it back for a lock conflict (1213
 * deadlock, 1205 lock wait timeout; MySQL, MariaDB and TiDB alike): the statement then wrote
 * nothing, so running it again is safe. At most `attempts` runs; any other error at once.
 */
export async function retryLockConflicts<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await write();
    } catch (err) {
      if (n >= attempts || !isLockConflict(err)) throw err;
    }
  }
}

function isLockConflict(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const errno = (e as { errno?: unknown }).errno;
    if (errno === 1213 || errno === 1205) return true;
  }
  return false;
}

/**
 * `pending`, or HubUnavailable once `ms` have passed. One promise settled by whichever comes first
 * (a race of the two with a `catch` and a `finally` made six, on every statement to the hub's
 * database). What finishes after the deadline is let go: a connection goes back to the pool
 * (`late`), an error is dropped.
 */
function raceDeadline<T>(ms: number, pending: Promise<T>, late: (value: T) => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new HubUnavailable(`the hub database did not answer within ${ms} ms`));
    }, ms);
    pending.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) late(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(markedUnreachable(error));
      },
    );
  });
}

type Queryable = Pick<mysql.Pool, 'query' | 'execute'>;

/** A statement's options with mysql2's own inactivity timeout, which also frees its connection. */
function withDriverTimeout(sqlOrOptions: unknown, ms: number): unknown {
  if (typeof sqlOrOptions === 'string') return { sql: sqlOrOptions, timeout: ms };
  if (sqlOrOptions && typeof sqlOrOptions === 'object') return { timeout: ms, ...(sqlOrOptions as object) };
  return sqlOrOptions;
}

/**
 * `target` with the members in `overrides` replaced; its other methods bound to it. Only the
 * table's own members: `in` would also find Object's (`constructor`, `toString`), and drizzle, seeing
 * a connection whose constructor is Object, takes it for a config object (`npm run import` hung).
 */
export function overriding<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop];
      const value = Reflect.get(t, prop, receiver);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

function deadlined<T extends Queryable>(target: T, ms: number, extra: Record<string, unknown> = {}): T {
  // Methods, not arrow properties: made per connection taken, and tsx (esbuild's keepNames) names
  // each arrow property as it is made (test/keep-names.test.ts).
  return overriding(target, {
    query(sqlOrOptions: unknown, values?: unknown) {
      return raceDeadline(ms, (target.query as (...a: unknown[]) => Promise<unknown>)(withDriverTimeout(sqlOrOptions, ms), values));
    },
    execute(sqlOrOptions: unknown, values?: unknown) {
      return raceDeadline(ms, (target.execute as (...a: unknown[]) => Promise<unknown>)(withDriverTimeout(sqlOrOptions, ms), values));
    },
    ...extra,
  });
}

/**
 * The pool with a deadline on every statement, on the wait for a free connection, and on every
 * statement of a connection taken for a transaction. Department reads have had one from the start
 * (federation/loaders.ts withTimeout); the hub's own database needs the same.
 */
export function withDeadline(pool: mysql.Pool, ms: number): mysql.Pool {
  const getConnection = () => raceDeadline(ms, pool.getConnection(), (conn) => conn.release()).then((conn) => deadlined(conn, ms));
  return deadlined(pool, ms, { getConnection });
}

/**
 * The pool, retiring its connections opened before a refusal by statement format, so that a
 * locking transaction run again after one (db/locking.ts, access/audit.ts) runs on a connection
 * opened after it.
 *
 * A connection's session keeps the binary log format the server had when it was opened, also after
 * the server's is set back (SET GLOBAL binlog_format; server/binlog-watch.ts), and one opened under
 * STATEMENT refuses every locking transaction for as long as it lives. Which of the pooled ones were
 * opened so is known only by asking each (a statement) or by its refusing: so the first refusal
 * retires every connection opened until then. Each is closed when next handed out for a transaction
 * or given back from one (plain reads, which no format refuses, still use it meanwhile), and
 * replaced by one that takes the server's format of now: ROW again, and the transaction run again
 * there succeeds; still STATEMENT, and it is refused as the first was (/readyz says so). Retired
 * with the rest are those opened before the server's change, which would still have taken locking
 * writes: while it logs by statement, they then fail everywhere, as /readyz says they do, rather
 * than on some connections. The cost is borne after a refusal only: no statement, a number compared
 * per transaction.
 */
export function retiringRefusedSessions(pool: mysql.Pool): mysql.Pool {
  const openedAs = new WeakMap<object, number>();
  let opened = 0;
  let retireBelow = 0;
  // The event carries mysql2's core connection, which a promise connection holds as `connection`.
  pool.on('connection', (core) => openedAs.set(core, opened++));
  const retired = (conn: mysql.PoolConnection) => (openedAs.get((conn as unknown as { connection: object }).connection) ?? -1) < retireBelow;
  const noting = (err: unknown) => {
    if (isStatementFormatRefusal(err)) retireBelow = opened;
    throw err;
  };
  const getConnection = async (): Promise<mysql.PoolConnection> => {
    for (;;) {
      const conn = await pool.getConnection();
      if (!retired(conn)) {
        return overriding(conn, {
          query(sqlOrOptions: unknown, values?: unknown) {
            return (conn.query as (...a: unknown[]) => Promise<unknown>)(sqlOrOptions, values).catch(noting);
          },
          execute(sqlOrOptions: unknown, values?: unknown) {
            return (conn.execute as (...a: unknown[]) => Promise<unknown>)(sqlOrOptions, values).catch(noting);
          },
          release() {
            if (retired(conn)) conn.destroy();
            else conn.release();
          },
        });
      }
      conn.destroy();
    }
  };
  return overriding(pool, { getConnection });
}

/**
 * MySQL's and MariaDB's ER_BINLOG_STMT_MODE_AND_ROW_ENGINE (1665): the session's binary log format
 * is STATEMENT, which refuses InnoDB locking reads and writes at READ COMMITTED (db/locking.ts).
 */
export function isStatementFormatRefusal(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { errno?: unknown }).errno === 1665) return true;
  }
  return false;
}

/**
 * `run` (one locking transaction), run once more if it was refused by statement format: the refusal
 * comes at its first lock or write, so nothing was written, and the second run takes a connection
 * opened after the refusal (retiringRefusedSessions), which has the server's format of now. Refused
 * again (the server still logs by statement), its error stands.
 */
export async function onceMoreIfRefusedByStatementFormat<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isStatementFormatRefusal(err)) throw err;
    return run();
  }
}

/** How long closing waits for the server to close a connection's socket before closing it itself. */
const SOCKET_CLOSE_WAIT_MS = 5_000;

/** Resolves once `socket` is closed: by the server, or by us after `withinMs`. */
function untilClosed(socket: net.Socket | undefined, withinMs = SOCKET_CLOSE_WAIT_MS): Promise<void> {
  if (!socket || socket.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => socket.destroy(), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * mysql2 resolves `end()` when it has queued COM_QUIT, before the packet is even written
 * (lib/commands/quit.js calls back first): the sockets stay open until the server closes them.
 * A process that awaited `end()` and then expects to exit (a jest worker, a CLI) was still held
 * by them, on a loaded machine past jest's half-second grace ("a worker process has failed to
 * exit gracefully"). Here `end()` resolves when every connection's socket is closed.
 */
function endClosesSockets(pool: mysql.Pool): mysql.Pool {
  const sockets = new Set<net.Socket>();
  pool.on('connection', (conn) => {
    // The event carries mysql2's core connection, whose socket is `stream`.
    const socket = (conn as unknown as { stream?: net.Socket }).stream;
    if (!socket || socket.closed) return;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const end = pool.end.bind(pool);
  pool.end = async () => {
    await end();
    await Promise.all([...sockets].map((s) => untilClosed(s)));
  };
  return pool;
}

/** A single connection's `end()`, resolved once its socket is closed (see endClosesSockets). */
export async function endConnection(conn: mysql.Connection): Promise<void> {
  // The promise wrapper's core connection (`connection`), whose socket is `stream`.
  const socket = (conn as unknown as { connection?: { stream?: net.Socket } }).connection?.stream;
  await conn.end();
  await untilClosed(socket);
}

export function createPool(url: string, opts: PoolOptions = {}): mysql.Pool {
  stableQueryOptions();
  const pool = mysql.createPool({
    uri: url,
    dateStrings: true,
    supportBigNumbers: true,
    decimalNumbers: false,
    charset: 'utf8mb4',
    connectionLimit: opts.connectionLimit ?? 10,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    enableKeepAlive: true,
    multipleStatements: opts.multipleStatements ?? false,
    // mysql2 captures a stack at every query call to decorate errors; it costs measurable CPU on
    // every statement, and the hub never shows a driver stack to anyone.
    trace: false,
    // Prepared statements joined from their pieces, not searched for placeholders on every run.
    queryFormat: formatStatement as NonNullable<mysql.PoolOptions['queryFormat']>,
  });
  endClosesSockets(pool);
  const retiring = retiringRefusedSessions(pool);
  return opts.deadlineMs ? withDeadline(retiring, opts.deadlineMs) : retiring;
}

/**
 * The pool as drizzle should see it: without the `typeCast` function drizzle sets on every
 * statement. That function only turns DATE, DATETIME and TIMESTAMP into strings, which the pool's
 * `dateStrings` already does, but mysql2 then calls it for every field of every row (a third of
 * the hub's CPU on a household query went to packets, row parsing and this call). A third argument
 * of query/execute (a department read's abandonable scope, db/abandon.ts) is passed on to the pool.
 */
export function withoutDrizzleTypeCast(pool: mysql.Pool): mysql.Pool {
  // A prepared query hands the driver the same options object on every run: its copy without
  // `typeCast` is made once and kept, not rebuilt (a new object of its own shape) per statement.
  const copies = new WeakMap<object, object>();
  const plain = (options: unknown) => {
    if (!options || typeof options !== 'object' || typeof (options as { typeCast?: unknown }).typeCast !== 'function') return options;
    let copy = copies.get(options);
    if (copy === undefined) {
      const { typeCast: _dropped, ...rest } = options as { typeCast?: unknown };
      copies.set(options, (copy = rest));
    }
    return copy;
  };
  const query = (options: unknown, values?: unknown, scope?: unknown) => (pool.query as (...a: unknown[]) => Promise<unknown>)(plain(options), values, scope);
  const execute = (options: unknown, values?: unknown, scope?: unknown) => (pool.execute as (...a: unknown[]) => Promise<unknown>)(plain(options), values, scope);
  return new Proxy(pool, {
    get(t, prop, receiver) {
      if (prop === 'query') return query;
      if (prop === 'execute') return execute;
      const value = Reflect.get(t, prop, receiver);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

export function hubDrizzle(pool: mysql.Pool): HubDb {
  return drizzle(withoutDrizzleTypeCast(pool), { schema: hubSchema, mode: 'default', logger: countingLogger('HUB') });
}

export function sourceDrizzle(pool: mysql.Pool, source: string): MySql2Database<Record<string, never>> {
  return drizzle(withoutDrizzleTypeCast(pool), { logger: countingLogger(source) });
}

/**
 * A lane for calls that must not queue behind bulk work: statements go to `reserved` (a small pool
 * of their own) while it has a connection free, and join `shared`'s queue only when all of it is
 * in use. Busy is counted here (statements sent to `reserved` and not yet answered), not read from
 * the driver. Transactions (`getConnection`) take the shared pool. `end()` closes `reserved` only:
 * the shared pool belongs to its owner. A statement's abandonable scope (db/abandon.ts), the third
 * argument of query/execute, goes with it to either pool.
 */
export function reservedLane(reserved: mysql.Pool, shared: mysql.Pool, connections: number): mysql.Pool & { readonly lane: { reserved: number; shared: number; busy: () => number } } {
  let busy = 0;
  const lane = { reserved: 0, shared: 0, busy: () => busy };
  const route = (method: 'query' | 'execute') => (options: unknown, values?: unknown, scope?: unknown) => {
    if (busy >= connections) {
      lane.shared += 1;
      return (shared[method] as (...a: unknown[]) => Promise<unknown>)(options, values, scope);
    }
    busy += 1;
    lane.reserved += 1;
    const done = () => void (busy -= 1);
    const running = (reserved[method] as (...a: unknown[]) => Promise<unknown>)(options, values, scope);
    running.then(done, done);
    return running;
  };
  const query = route('query');
  const execute = route('execute');
  return new Proxy(reserved, {
    get(t, prop, receiver) {
      if (prop === 'query') return query;
      if (prop === 'execute') return execute;
      if (prop === 'lane') return lane;
      if (prop === 'getConnection') return shared.getConnection.bind(shared);
      const value = Reflect.get(t, prop, receiver);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  }) as mysql.Pool & { readonly lane: typeof lane };
}

/** Whether `error` (or an error it was caused by) is MySQL's duplicate key on the unique key `keyName`. */
export function isDuplicateKey(error: unknown, keyName: string): boolean {
  for (let e = error as { code?: string; sqlMessage?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'ER_DUP_ENTRY' && String(e.sqlMessage ?? e.message ?? '').includes(keyName)) return true;
  }
  return false;
}
