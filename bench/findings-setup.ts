/**
 * What the findings benches share: a throwaway private MariaDB in /tmp (never the machine's own
 * server), the demo population generated into it with the planted cases, and row counts for the
 * report. Not a test: the benches print timings, they assert nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { startPrivateServer, type PrivateServer } from '../db/setup/private-server';
import { DEPARTMENT_CODES } from '../domain/departments';
import { sourceUrls, withDatabase } from '../db/config';
import { generateDemo, type PlantManifest } from '../tools/generate/index';

export interface BenchData {
  server: PrivateServer;
  hubUrl: string;
  sourceUrls: ReturnType<typeof sourceUrls>;
  manifest: PlantManifest | null;
  /** Seconds the generator took. */
  loadSeconds: number;
  /** Removes the server and its data unless kept. */
  discard(): Promise<void>;
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * A private server with `households` generated households (and the planted cases). With
 * `dataDir` naming an existing bench directory, its data are reused as they are. The server
 * trades durability for speed (no log flush at commit) unless `durable`, which flushes InnoDB's
 * log at every commit as a production server does; either way the data are loaded fast.
 */
export async function benchData(opts: {
  households: number;
  seed: number;
  referenceDate: string;
  dataDir?: string;
  keep?: boolean;
  bufferPoolGb?: number;
  durable?: boolean;
}): Promise<BenchData> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-bench-findings-'));
  const reuse = opts.dataDir !== undefined && fs.existsSync(path.join(dataDir, 'aidhub_bench'));
  const server = await startPrivateServer({ dataDir, ephemeral: true });
  if (opts.bufferPoolGb) {
    // The private server starts with a 512 MB buffer pool; a city's data wants more, as a production server would have.
    const conn = await mysql.createConnection({ uri: server.url });
    await conn.query(`SET GLOBAL innodb_buffer_pool_size = ${Math.round(opts.bufferPoolGb * 2 ** 30)}`);
    await conn.end();
  }
  const hubUrl = withDatabase(server.url, 'aidhub_bench');
  const urls = sourceUrls(hubUrl, {});
  let manifest: PlantManifest | null = null;
  const started = performance.now();
  if (!reuse) {
    let last = 0;
    await generateDemo({
      hubUrl,
      sourceUrls: urls,
      households: opts.households,
      seed: opts.seed,
      referenceDate: opts.referenceDate,
      plant: true,
      onPlanted: (m) => (manifest = m),
      chunkHouseholds: 10_000,
      onProgress: ({ households, total, elapsedMs }) => {
        if (elapsedMs - last > 15_000 || households === total) {
          last = elapsedMs;
          log(`  generated ${households}/${total} households (${(elapsedMs / 1000).toFixed(0)} s)`);
        }
      },
    });
  }
  if (!reuse) {
    // Fresh bulk-loaded tables carry stale statistics until InnoDB's background recount: without this
    // the first minutes after loading run with worse plans than any server that has been up a while.
    for (const url of [hubUrl, ...Object.values(urls)]) {
      const conn = await mysql.createConnection({ uri: url });
      try {
        const [tables] = await conn.query<mysql.RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'");
        if (tables.length > 0) await conn.query(`ANALYZE TABLE ${tables.map((r) => mysql.escapeId(r.t as string)).join(', ')}`);
      } finally {
        await conn.end();
      }
    }
  }
  if (opts.durable) {
    const conn = await mysql.createConnection({ uri: server.url });
    await conn.query('SET GLOBAL innodb_flush_log_at_trx_commit = 1');
    await conn.end();
  }
  return {
    server,
    hubUrl,
    sourceUrls: urls,
    manifest,
    loadSeconds: (performance.now() - started) / 1000,
    async discard() {
      await server.stop();
      if (!opts.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Rows per department table and in the hub, for the report. */
export async function rowCounts(data: BenchData): Promise<{ households: number; people: number; departmentRows: number; byTable: Record<string, number> }> {
  const byTable: Record<string, number> = {};
  const count = async (url: string) => {
    const conn = await mysql.createConnection({ uri: url });
    try {
      const [tables] = await conn.query<mysql.RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '\\_\\_%'");
      for (const { t } of tables) {
        const [[row]] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${mysql.escapeId(t as string)}`);
        byTable[t as string] = Number(row.n);
      }
    } finally {
      await conn.end();
    }
  };
  await count(data.hubUrl);
  const hubTables = new Set(Object.keys(byTable));
  for (const code of DEPARTMENT_CODES) await count(data.sourceUrls[code]);
  const departmentRows = Object.entries(byTable)
    .filter(([t]) => !hubTables.has(t))
    .reduce((n, [, v]) => n + v, 0);
  return { households: byTable.household ?? 0, people: byTable.person ?? 0, departmentRows, byTable };
}
