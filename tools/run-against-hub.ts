/**
 * The shell of the access command-line tools: find the hub database (resolveHubUrl), open one
 * connection, run the command, report a failure without the password, set the exit code.
 */
import { resolveHubUrl } from '../access/hub-url';
import { accessDrizzle, type AccessDb } from '../db/access/db';
import { createPool } from '../db/connect';
import type mysql from 'mysql2/promise';
import { redactUrl } from '../db/config';

export type HubCommand<D = AccessDb> = (argv: string[], db: D, print: (line: string) => void) => Promise<number>;

/** Runs `command` over the hub database opened by `open` (default: the access tables' drizzle). */
export async function runAgainstHub<D = AccessDb>(name: string, command: HubCommand<D>, usage?: string, open: (pool: mysql.Pool) => D = accessDrizzle as unknown as (pool: mysql.Pool) => D): Promise<void> {
  // Help needs no database: answered before looking for one.
  if (usage && process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(usage);
    return;
  }
  let url: string;
  try {
    url = resolveHubUrl();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const pool = createPool(url, { connectionLimit: 1 });
  try {
    process.exitCode = await command(process.argv.slice(2), open(pool), (line) => console.log(line));
  } catch (err) {
    console.error(`${name}: ${(err as Error).message} (database ${redactUrl(url)})`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
