/**
 * A department's server that answered the hub with an SQL error packet and will answer so again, as
 * opposed to one that could not be reached or could not finish the read for now.
 *
 * mysql2 reports an error packet with `errno` and `sqlState`; a connection that failed (refused,
 * reset, lost: ECONNREFUSED, PROTOCOL_CONNECTION_LOST, fatal) has a `code` and no `sqlState`. Which
 * packets are a refusal is by number (REFUSED), not by `fatal`: a packet refusing the hub's account
 * as a pool connects (1045, 1044, 1049) reaches the read not marked fatal, and refuses the next
 * connection the same way. drizzle wraps the driver's error, so the causes are looked through.
 */

/** The server's error packet behind a failed read: its number and SQLSTATE, never its message (which can quote the statement's values). */
export interface ServerError {
  errno: number;
  sqlState: string;
}

/** The error packet a read failed with, looked for through drizzle's wrapping; null for a failure of the connection (no packet). */
export function serverErrorOf(error: unknown): ServerError | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { errno, sqlState } = e as { errno?: unknown; sqlState?: unknown };
    if (typeof errno === 'number' && typeof sqlState === 'string') return { errno, sqlState };
  }
  return null;
}

/**
 * Errors by which a server that is there refuses the statement itself, the same at every asking
 * until someone changes the department's schema or the hub's grants, account or adapter: a table or
 * column renamed or dropped by an upgrade of the department's system, an index the hub's read forces
 * dropped (settlement reads, the change feed), a grant revoked, the hub's
 * account or password refused, a collation that cannot compare, a statement or function its version
 * does not have. The same numbers in MySQL 8, MariaDB 10.11 and TiDB, but MySQL's own 3854.
 *
 * Numbers only: the log already names the packet by the driver's code beside its errno
 * (`errorCode: 'ER_NO_SUCH_TABLE', errno: 1146`: resolvers/context.ts, federation/reads.ts), so a
 * name kept here would be a second spelling of it that nothing reads; the comments are for the reader.
 *
 * Not here, so still UNREACHABLE (and a scan asks again once) or TIMEOUT: what a moment later may
 * answer: 1040 too many connections, 1053 server shutdown, 1205 lock wait timeout, 1213 deadlock,
 * 1290/1836 read-only, 1317 interrupted, 1927 connection killed, 1969/3024 statement time exceeded,
 * 2013 connection lost, and every number not listed.
 */
const REFUSED: ReadonlySet<number> = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1049, // ER_BAD_DB_ERROR
  1052, // ER_NON_UNIQ_ERROR
  1054, // ER_BAD_FIELD_ERROR
  1064, // ER_PARSE_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1146, // ER_NO_SUCH_TABLE
  1176, // ER_KEY_DOES_NOT_EXITS: an index a read forces (FORCE INDEX) dropped or renamed by the department
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1267, // ER_CANT_AGGREGATE_2COLLATIONS
  1270, // ER_CANT_AGGREGATE_3COLLATIONS
  1271, // ER_CANT_AGGREGATE_NCOLLATIONS
  1305, // ER_SP_DOES_NOT_EXIST
  1356, // ER_VIEW_INVALID
  1370, // ER_PROCACCESS_DENIED_ERROR
  3854, // ER_CANNOT_CONVERT_STRING: MySQL's refusal of a constant the column's character set cannot hold (9.7, where MariaDB answers 1267/1270/1271)
]);

/** The error packet by which the department's server refused the statement itself (REFUSED), or null. */
export function statementRefused(error: unknown): ServerError | null {
  const packet = serverErrorOf(error);
  return packet && REFUSED.has(packet.errno) ? packet : null;
}
