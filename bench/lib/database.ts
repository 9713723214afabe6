/**
 * Where the bench's data lives, and how it goes away: a throwaway private server in a fresh
 * temporary directory (never the machine's own server), or, with BENCH_DATABASE_URL, databases of
 * the bench's own on that server, dropped at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { startThrowawayServer } from '../../db/setup/private-server';
import { dropDatabases } from '../../db/setup/provision';
import type { DepartmentCode } from '../../domain/departments';
import { redactUrl, sourceUrls, withDatabase } from '../../db/config';

export interface BenchDatabases {
  hubUrl: string;
  sourceUrls: Record<DepartmentCode, string>;
  /** Where they are, for the report. */
  where: string;
  /** The private server's process id; null on a BENCH_DATABASE_URL server, whose process is not ours to watch. */
  serverPid: number | null;
  /**
   * Drops the data (and stops the private server); safe to call more than once. `keepServerData`
   * (a failed run): the private server is stopped but its data directory and log stay, and are
   * named on stderr; the databases on a BENCH_DATABASE_URL server are dropped all the same (its log
   * is its administrator's).
   */
  discard(how?: { keepServerData?: boolean }): Promise<void>;
}

export async function openBenchDatabases(): Promise<BenchDatabases> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    // Databases of our own on the given server, under a name no one else uses.
    const hubUrl = withDatabase(given, `aidhub_bench_${crypto.randomBytes(4).toString('hex')}`);
    const urls = sourceUrls(hubUrl, {});
    const all = [hubUrl, ...Object.values(urls)];
    await refuseExisting(given, all);
    let discarded: Promise<void> | null = null;
    return {
      hubUrl,
      sourceUrls: urls,
      where: `BENCH_DATABASE_URL ${redactUrl(given)}, databases ${new URL(hubUrl).pathname.slice(1)}{,_*}`,
      serverPid: null,
      discard: () => (discarded ??= dropDatabases(all)),
    };
  }
  // Its data goes with it when the bench ends well, or is killed (startThrowawayServer's watchdog).
  // A run that failed, or a server that died under it, leaves them, its log among them, to be read.
  const server = await startThrowawayServer({ prefix: 'aidhub-bench-db-', keepDataWhenItDies: true });
  const hubUrl = withDatabase(server.url, 'aidhub_bench');
  let discarded: Promise<void> | null = null;
  return {
    hubUrl,
    sourceUrls: sourceUrls(hubUrl, {}),
    where: `private server on 127.0.0.1:${server.port} (data in ${server.dataDir}, removed at the end unless the run fails)`,
    serverPid: server.pid,
    discard: (how = {}) =>
      (discarded ??= (async () => {
        await server.stop({ keepData: how.keepServerData });
        if (fs.existsSync(server.dataDir)) {
          console.error(`The private database server's data are kept in ${server.dataDir} (its log: ${path.join(server.dataDir, 'server.log')}); remove them with rm -rf ${server.dataDir}`);
        }
      })()),
  };
}

async function refuseExisting(serverUrl: string, urls: string[]): Promise<void> {
  const u = new URL(serverUrl);
  u.pathname = '/';
  const conn = await mysql.createConnection({ uri: u.toString() });
  try {
    for (const url of urls) {
      const name = new URL(url).pathname.slice(1);
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE ?', [name]);
      if (rows.length > 0) throw new Error(`database ${name} already exists on ${redactUrl(serverUrl)}; the bench only writes to databases it creates`);
    }
  } finally {
    await conn.end();
  }
}
