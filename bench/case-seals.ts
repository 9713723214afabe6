/**
 * `npm run bench:seals -- [--rows 200000]`: what sealing the case records costs at a county's
 * scale (docs/performance.md "Session 41 (case seals at scale)"). Fills the eleven sealed tables of a
 * hub database on a throwaway private server with about `--rows` rows (plain INSERT … SELECT), then,
 * each in a process of its own so its peak resident set is its own, the first start's sealing of the
 * rows standing (db/cases/seals.ts sealStanding) and `audit:verify`'s check of them (verifyCaseSeals).
 * Prints, for each, its CPU seconds, the server's, the process's peak RSS, and for the sealing the
 * largest transaction the server saw (rows modified and locked, lock memory: information_schema.INNODB_TRX
 * sampled every 100 ms). Between the two, cases migration 0016's `CREATE INDEX case_seal_row` on the
 * chain the sealing left (a database a Session 40 release sealed: its seals stand without the index),
 * timed while one connection makes case writes back to back (a case changed and sealed, as a hub's
 * write is): how many it made meanwhile and the longest one. A measurement, not a test: the wall
 * clock moves with the machine's load.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { createPool, hubDrizzle } from '../db/connect';
import { provisionHub } from '../db/setup/provision';
import { aidCase } from '../db/cases/schema';
import { sealedTransaction, sealLater, sealStanding, verifyCaseSeals } from '../db/cases/seals';
import { parseCommandLine } from '../tools/command-args';
import { openBenchDatabases } from './lib/database';
import { machineLoad } from './lib/load';
import { cpuSecondsOf } from './lib/process-cpu';
import { fillCaseRows } from '../test/support/case-rows';

const USAGE = 'usage: npm run bench:seals -- [--rows 200000]';

interface PhaseResult {
  result: unknown;
  cpuSeconds: number;
  peakRssMb: number;
  wallSeconds: number;
}

/** One phase in a child process (`--phase seal|verify --url URL`): prints its PhaseResult as JSON. */
async function phase(which: string, url: string): Promise<void> {
  const pool = createPool(url, { connectionLimit: 1 });
  const started = Date.now();
  const cpu = process.cpuUsage();
  try {
    const hub = hubDrizzle(pool);
    // The longest batch: how long a case write started meanwhile may wait for the seal head.
    let longestBatchMs = 0;
    let batches = 0;
    let last = Date.now();
    const afterBatch = () => {
      const now = Date.now();
      longestBatchMs = Math.max(longestBatchMs, now - last);
      batches += 1;
      last = now;
    };
    const result = which === 'seal' ? { sealed: await sealStanding(hub, { afterBatch }), batches, longestBatchMs } : await (async () => {
      const v = await verifyCaseSeals(hub);
      return v.ok ? { ok: true, rows: v.rows, seals: v.seals } : { ok: false, findings: v.findings.length, rows: v.rows };
    })();
    const used = process.cpuUsage(cpu);
    const out: PhaseResult = { result, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024, wallSeconds: (Date.now() - started) / 1000 };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await pool.end();
  }
}

function runPhase(which: string, url: string): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--phase', which, '--url', url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}')) : reject(new Error(`phase ${which} exited ${code}`))));
  });
}

/** Migration 0016's index statement, as the migrator runs it (db/cases/migrations). */
function sealIndexStatement(): string {
  const file = fs.readFileSync(path.join(__dirname, '..', 'db', 'cases', 'migrations', '0016_case_seal_standing.sql'), 'utf8');
  const statement = file.split('--> statement-breakpoint').map((s) => s.trim()).find((s) => s.startsWith('CREATE INDEX `case_seal_row`'));
  if (!statement) throw new Error('0016_case_seal_standing.sql has no CREATE INDEX `case_seal_row`');
  return statement;
}

/**
 * Migration 0016's index built on seals that stand without it, while case writes go on: its wall
 * and server CPU seconds, and the case writes made meanwhile (each a case changed and sealed in one
 * transaction, one after the other on a connection of their own) with the longest.
 */
async function timeSealIndex(conn: mysql.Connection, url: string, serverPid: number | null): Promise<void> {
  await conn.query('DROP INDEX `case_seal_row` ON `case_seal`');
  const pool = createPool(url, { connectionLimit: 1 });
  const hub = hubDrizzle(pool);
  const writes: number[] = [];
  let building = true;
  const writer = (async () => {
    for (let i = 0; building; i++) {
      const started = performance.now();
      await sealedTransaction(hub, async (tx) => {
        await tx.update(aidCase).set({ summary: `索引期间的改动 ${i}` }).where(eq(aidCase.id, 1));
        sealLater(tx, aidCase, eq(aidCase.id, 1));
      });
      writes.push(performance.now() - started);
    }
  })();
  try {
    // The writer's first write done: the index starts against a write in flight, as on a running hub.
    while (writes.length === 0) await new Promise((r) => setTimeout(r, 10));
    const before = writes.length;
    const cpu = cpuSecondsOf(serverPid);
    const started = performance.now();
    await conn.query(sealIndexStatement());
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSecondsOf(serverPid);
    building = false;
    await writer;
    const during = writes.slice(before);
    const [[seals]] = (await conn.query('SELECT COUNT(*) AS n FROM case_seal')) as [Record<string, unknown>[], unknown];
    console.log(
      `migration 0016 CREATE INDEX case_seal_row on ${Number(seals.n)} seals: ${seconds.toFixed(1)} s wall, server ${cpu === null || cpuAfter === null ? '?' : (cpuAfter - cpu).toFixed(2)} CPU s; ` +
        `case writes meanwhile: ${during.length}, longest ${Math.max(0, ...during).toFixed(0)} ms, median ${(during.sort((a, b) => a - b)[Math.floor(during.length / 2)] ?? 0).toFixed(0)} ms`,
    );
  } finally {
    building = false;
    await writer.catch(() => undefined);
    await pool.end();
  }
}

async function main(): Promise<void> {
  const values = parseCommandLine(USAGE, { rows: { type: 'string', default: '200000' }, phase: { type: 'string' }, url: { type: 'string' } });
  if (values.phase) return phase(String(values.phase), String(values.url));
  const total = Number(values.rows);
  const data = await openBenchDatabases();
  let failed = false;
  try {
    await provisionHub(data.hubUrl);
    const conn = await mysql.createConnection({ uri: data.hubUrl, multipleStatements: false });
    const per = await fillCaseRows(conn, total);
    console.log(`bench:seals — ${Object.values(per).reduce((a, b) => a + b, 0)} case rows; ${data.where}; ${machineLoad()}`);
    // A database an earlier release wrote: no seals yet.
    await conn.query('DELETE FROM case_seal');
    await conn.query('DELETE FROM case_seal_head');
    const sample = await mysql.createConnection(data.hubUrl);
    const biggest = { rowsModified: 0, rowsLocked: 0, lockMemoryBytes: 0, transactions: new Set<string>() };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [trx] = (await sample.query("SELECT trx_id, trx_rows_modified, trx_rows_locked, trx_lock_memory_bytes FROM information_schema.INNODB_TRX WHERE trx_rows_modified > 0")) as [Record<string, unknown>[], unknown];
        for (const t of trx) {
          biggest.transactions.add(String(t.trx_id));
          biggest.rowsModified = Math.max(biggest.rowsModified, Number(t.trx_rows_modified));
          biggest.rowsLocked = Math.max(biggest.rowsLocked, Number(t.trx_rows_locked));
          biggest.lockMemoryBytes = Math.max(biggest.lockMemoryBytes, Number(t.trx_lock_memory_bytes));
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const serverBefore = cpuSecondsOf(data.serverPid);
    const seal = await runPhase('seal', data.hubUrl);
    const serverSeal = cpuSecondsOf(data.serverPid);
    sampling = false;
    await sampler;
    await sample.end();
    await conn.query('ANALYZE TABLE case_seal');
    const [[size]] = (await conn.query("SELECT data_length + index_length AS bytes FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = 'case_seal'")) as [Record<string, unknown>[], unknown];
    console.log(`sealStanding: ${JSON.stringify(seal.result)}; ${seal.cpuSeconds.toFixed(2)} CPU s (hub process), server ${serverBefore === null || serverSeal === null ? '?' : (serverSeal - serverBefore).toFixed(2)} CPU s; peak RSS ${seal.peakRssMb.toFixed(0)} MB; ${seal.wallSeconds.toFixed(1)} s wall`);
    console.log(`  largest transaction seen: ${biggest.rowsModified} rows modified, ${biggest.rowsLocked} rows locked, ${biggest.lockMemoryBytes} bytes of lock memory; ${biggest.transactions.size} writing transactions seen; case_seal ${(Number(size.bytes) / 1048576).toFixed(1)} MB`);
    await timeSealIndex(conn, data.hubUrl, data.serverPid);
    console.log(`  ${machineLoad()}`);
    const serverIndexed = cpuSecondsOf(data.serverPid);
    const verify = await runPhase('verify', data.hubUrl);
    const serverVerify = cpuSecondsOf(data.serverPid);
    console.log(`verifyCaseSeals: ${JSON.stringify(verify.result)}; ${verify.cpuSeconds.toFixed(2)} CPU s (hub process), server ${serverVerify === null || serverIndexed === null ? '?' : (serverVerify - serverIndexed).toFixed(2)} CPU s; peak RSS ${verify.peakRssMb.toFixed(0)} MB; ${verify.wallSeconds.toFixed(1)} s wall`);
    console.log(`after: ${machineLoad()}`);
    await conn.end();
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await data.discard({ keepServerData: failed });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
