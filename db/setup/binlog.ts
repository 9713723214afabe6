/**
 * The database server's binary log format, checked at `npm start` with DATABASE_URL beside the
 * user's rights (server/main.ts): every write that takes a row lock runs at READ COMMITTED
 * (db/locking.ts, so that TiDB's reads after a lock see the holder's commit), and MySQL and MariaDB
 * refuse an InnoDB locking read or write at READ COMMITTED under a statement-format binary log
 * ("impossible to write to binary log since BINLOG_FORMAT = STATEMENT and at least one table uses a
 * storage engine limited to row-based logging"). A server logging in that format would start the
 * hub and fail its first case decision, charity pledge, ledger entry or audit append; this says so
 * before anything is served (test/npm-start-database-unusable.test.ts).
 *
 * ROW (MySQL 8's default) and MIXED (MariaDB's) are fine, as is a server with no binary log. TiDB
 * writes no binary log of its own (TiCDC reads its changes) and reports a `binlog_format` it does not
 * use: not weighed.
 */
import mysql from 'mysql2/promise';
import { endConnection } from '../connect';

/** What the server says of its binary log: its version, whether it logs, and the format a connection opened now gets. */
export interface BinlogState {
  version: string;
  logBin: number | string;
  format: string;
}

/** The statement that reads a BinlogState; `@@GLOBAL`: the format every connection opened from now on gets. */
export const BINLOG_STATE_SQL = 'SELECT VERSION() AS version, @@log_bin AS logBin, @@GLOBAL.binlog_format AS format';

/**
 * What to change on the server, in one line; null when its binary log takes the hub's writes. Also
 * the running hub's judgement (server/binlog-watch.ts): a format changed at run time with SET GLOBAL.
 */
export function binlogStateProblem(server: BinlogState): string | null {
  if (/tidb/i.test(server.version)) return null;
  if (Number(server.logBin) !== 1 || String(server.format).toUpperCase() !== 'STATEMENT') return null;
  return (
    'its binary log is in STATEMENT format, which refuses the hub\'s writes (they run at READ COMMITTED: docs/scale-out.md); ' +
    "set binlog_format to ROW or MIXED on the server (binlog_format=ROW in its configuration, or SET GLOBAL binlog_format = 'ROW' and reconnect)"
  );
}

/** What to change on the server at `url`, in one line; null when its binary log takes the hub's writes. */
export async function binlogProblem(url: string): Promise<string | null> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [[server]] = (await conn.query(BINLOG_STATE_SQL)) as unknown as [BinlogState[]];
    return binlogStateProblem(server);
  } finally {
    await endConnection(conn);
  }
}
