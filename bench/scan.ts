/**
 * `npm run bench:scan -- [--households N[,N…]] [--region CODE] [--chunk N] [--seed S] [--premium-years Y] [--buffer-pool-gb G] [--data-dir DIR] [--keep]`
 *
 * Region-scan throughput and how it grows: for each size given (default 100,000 and 300,000
 * households), generates the demo population (with the planted cases) into a throwaway private
 * MariaDB under /tmp, then scans the division through the same code the `scanStart` mutation runs.
 * The sizes are scanned in turns, each twice — a first scan (every finding new, on fresh data)
 * and a re-scan (every finding already stored) — so that the machine's load, which moves, falls on
 * every size alike. Prints, per scan, the wall time, households and department rows per second,
 * this process's CPU time (and how much of it its main thread and its helper threads took) and the
 * database server's, what the scan moved on the server (statements, rows read, bytes sent, pages
 * read from disk: its global status counters) and the machine's load average; then each size's time per household and
 * its ratio to the first size's (1.00 is linear growth), and whether the first size's scan took
 * under 10 s. The default region, 370000 (the province), holds every generated household.
 * `--data-dir DIR` with `--keep` keeps each size's data in DIR/h<N> for the next run.
 *
 * The generator writes aid at believable rates (about 1.8 department rows per household). To
 * measure at the issue's density (about 10 aid records per household: 10 million for the city),
 * `--premium-years Y` adds one 参保资助 (premium subsidy) payment per person per year for Y years,
 * written by the database itself (INSERT … SELECT). No rule concerns that programme, so the
 * findings stay the same; every person then has records in medical insurance, which the scan
 * reads and maps like any other.
 */
import fs from 'node:fs';
import os from 'node:os';
import { loadAverage as loadAverageOf } from './lib/load';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createPool, hubDrizzle } from '../db/connect';
import { createScan } from '../db/findings/store';
import { runScan } from '../resolvers/findings/scan';
import { divisionPrefix } from '../domain/division-code';
import { loadRuleSet } from '../rules/load';
import { closeSources, openSources, type Sources } from '../federation/sources';
import { SCENARIOS } from '../test/support/scenarios-by-department';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { databaseOf, type SourceConfig } from '../db/config';
import { benchData, log, positiveInt, rowCounts, type BenchData } from './findings-setup';
import { parseCommandLine } from '../tools/command-args';
import { userPath } from '../domain/user-path';
import { cpuSecondsOf } from './lib/process-cpu';
import { mainAndHelperSeconds } from './lib/thread-cpu';

const REFERENCE_DATE = '2026-03-15';
/** The issue's target for a 100,000-household scan. */
const TARGET_SECONDS = 10;

interface Size {
  households: number;
  data: BenchData;
  pool: ReturnType<typeof createPool>;
  sources: Sources;
  departmentRows: number;
  generated: number;
  seconds: Record<'first scan' | 're-scan', number>;
  scanned: number;
  /** The database server's process, for its CPU time. */
  serverPid: number | null;
}

async function addPremiumSubsidies(data: BenchData, years: number): Promise<void> {
  const conn = await mysql.createConnection({ uri: data.sourceUrls.HEALTH });
  try {
    // Health's aid payments, by the name its folder gives the table: one INSERT … SELECT a year.
    const payments = mysql.escapeId(SCENARIOS.HEALTH.tableName('aidPayments'));
    const [[have]] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${payments} WHERE pay_id LIKE 'PB%'`);
    if (Number(have.n) > 0) return;
    const started = performance.now();
    for (let k = 0; k < years; k++) {
      const year = Number(REFERENCE_DATE.slice(0, 4)) - 1 - k;
      await conn.query(
        `INSERT INTO ${payments} (pay_id, psn_cert_no, setl_id, aid_type, pay_date, pay_amt)
         SELECT CONCAT('PB', ${year}, id_number), id_number, NULL, 'CBZZ', '${year}-01-15', '350.00' FROM ${mysql.escapeId(databaseOf(data.hubUrl))}.person`,
      );
    }
    log(`      added ${years} premium-subsidy payments per person in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await conn.end();
  }
}

/**
 * The server's counters a scan moves: statements, rows read and sent, and pages InnoDB had to read
 * from disk (`Innodb_buffer_pool_reads`: 0 when every page the scan touched was in the buffer pool,
 * so a first scan slower than a re-scan is not the server's cold cache; Session 47).
 */
const SERVER_COUNTERS = ['Com_select', 'Com_insert', 'Com_update', 'Rows_read', 'Handler_read_key', 'Handler_read_next', 'Bytes_received', 'Bytes_sent', 'Innodb_buffer_pool_reads'] as const;
type ServerCounters = Record<(typeof SERVER_COUNTERS)[number], number>;

/** The private server's counters, all its databases together (the hub's and the departments'). */
async function serverCounters(data: BenchData): Promise<ServerCounters | null> {
  const conn = await mysql.createConnection({ uri: data.hubUrl });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SHOW GLOBAL STATUS WHERE Variable_name IN (${SERVER_COUNTERS.map((c) => mysql.escape(c)).join(', ')})`);
    return Object.fromEntries(rows.map((r) => [r.Variable_name as string, Number(r.Value)])) as ServerCounters;
  } catch {
    return null;
  } finally {
    await conn.end();
  }
}

/**
 * Rows read by table and index since the last call, the largest first (MariaDB's user statistics,
 * switched on for the bench's private server: `userstat`); then counted afresh.
 */
async function rowsReadByIndex(data: BenchData): Promise<string> {
  const conn = await mysql.createConnection({ uri: data.hubUrl });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT TABLE_NAME AS t, INDEX_NAME AS i, ROWS_READ AS n FROM information_schema.INDEX_STATISTICS ORDER BY ROWS_READ DESC LIMIT 12');
    const [tables] = await conn.query<mysql.RowDataPacket[]>('SELECT TABLE_NAME AS t, ROWS_READ AS n FROM information_schema.TABLE_STATISTICS ORDER BY ROWS_READ DESC LIMIT 8');
    await conn.query('FLUSH INDEX_STATISTICS');
    await conn.query('FLUSH TABLE_STATISTICS');
    return `by table ${tables.map((r) => `${r.t} ${r.n}`).join(', ')}; by index ${rows.map((r) => `${r.t}.${r.i} ${r.n}`).join(', ')}`;
  } catch (err) {
    return `unknown (${(err as Error).message})`;
  } finally {
    await conn.end();
  }
}

async function countRowsRead(data: BenchData): Promise<void> {
  const conn = await mysql.createConnection({ uri: data.hubUrl });
  try {
    await conn.query('SET GLOBAL userstat = 1');
    await conn.query('FLUSH INDEX_STATISTICS');
    await conn.query('FLUSH TABLE_STATISTICS');
  } catch {
    // Not MariaDB: rows by table are not shown.
  } finally {
    await conn.end();
  }
}

/** What a scan moved on the server, as `name n` pairs. */
function countersMoved(before: ServerCounters | null, after: ServerCounters | null): string {
  if (!before || !after) return 'server counters unknown';
  return SERVER_COUNTERS.map((c) => `${c} ${after[c] - before[c]}`).join(', ');
}

/** The private server's process id, from its pid file. */
async function serverPid(data: BenchData): Promise<number | null> {
  const conn = await mysql.createConnection({ uri: data.hubUrl });
  try {
    const [[row]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@pid_file AS f');
    return Number(fs.readFileSync(String(row.f), 'utf8').trim()) || null;
  } catch {
    return null;
  } finally {
    await conn.end();
  }
}

const loadAverage = () => loadAverageOf(1);

const USAGE = 'usage: npm run bench:scan -- [--households 100000,300000] [--region 370000] [--chunk 5000] [--seed 1] [--premium-years 0] [--buffer-pool-gb 0] [--data-dir DIR] [--keep]';

async function main(): Promise<void> {
  const args = parseCommandLine(USAGE, { households: { type: 'string', default: '100000,300000' }, region: { type: 'string', default: '370000' }, chunk: { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' }, 'premium-years': { type: 'string', default: '0' }, 'buffer-pool-gb': { type: 'string', default: '0' }, 'data-dir': { type: 'string' }, keep: { type: 'boolean' } });
  const sizes = args.households
    .split(',')
    .map((n) => positiveInt(n, 'households'));
  const region = args.region;
  const chunk = positiveInt(args.chunk, 'chunk');
  const seed = positiveInt(args.seed, 'seed');
  const dataDir = args['data-dir'] === undefined ? undefined : userPath(args['data-dir']);
  const premiumYears = Number(args['premium-years']);
  const bufferPoolGb = Number(args['buffer-pool-gb']);
  const prefix = divisionPrefix(region);

  log(
    `bench:scan — ${sizes.join(' and ')} generated households, scanning ${region}, chunks of ${chunk}, as of ${REFERENCE_DATE}` +
      `${bufferPoolGb ? `, InnoDB buffer pool ${bufferPoolGb} GB` : ''}; ${os.cpus().length} cores, load average ${loadAverage()}`,
  );
  const ruleSet = loadRuleSet();
  const ready: Size[] = [];
  try {
    for (const households of sizes) {
      const data = await benchData({ households, seed, referenceDate: REFERENCE_DATE, dataDir: dataDir && path.join(dataDir, `h${households}`), keep: args.keep === true, bufferPoolGb });
      const pool = createPool(data.hubUrl, { connectionLimit: 12 });
      const configs = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { url: data.sourceUrls[c], timeoutMs: 600_000 }])) as Record<DepartmentCode, SourceConfig>;
      const size: Size = { households, data, pool, sources: openSources(configs), departmentRows: 0, generated: 0, seconds: { 'first scan': 0, 're-scan': 0 }, scanned: 0, serverPid: null };
      ready.push(size);
      if (premiumYears > 0) await addPremiumSubsidies(data, premiumYears);
      const counts = await rowCounts(data);
      size.departmentRows = counts.departmentRows;
      size.generated = counts.households;
      size.serverPid = await serverPid(data);
      log(`${households}: loaded in ${data.loadSeconds.toFixed(1)} s on a private server (${data.server.dataDir}): ${counts.households} households, ${counts.people} people, ${counts.departmentRows} department rows`);
      log(
        `      ${Object.entries(counts.byTable)
          .filter(([t]) => !t.startsWith('finding') && !t.startsWith('access') && !t.startsWith('case'))
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')}`,
      );
    }

    // In turns: every size's first scan, then every size's re-scan.
    for (const label of ['first scan', 're-scan'] as const) {
      for (const size of ready) {
        const hub = hubDrizzle(size.pool);
        const scanId = await createScan(hub, { regionCode: region, asOf: REFERENCE_DATE, ruleSet, startedBy: 'bench', startedByDepartment: null });
        let peakRss = process.memoryUsage().rss;
        const load = loadAverage();
        const cpu = process.cpuUsage();
        const threads = mainAndHelperSeconds(process.pid);
        await countRowsRead(size.data);
        const counted = await serverCounters(size.data);
        const dbCpu = cpuSecondsOf(size.serverPid);
        const started = performance.now();
        const result = await runScan({ hub, sources: size.sources, ruleSet, today: REFERENCE_DATE }, scanId, region, {
          chunkHouseholds: chunk,
          onProgress: () => {
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
          },
        });
        const seconds = (performance.now() - started) / 1000;
        const used = process.cpuUsage(cpu);
        const threadsEnd = mainAndHelperSeconds(process.pid);
        const split = threads && threadsEnd ? ` (main thread ${(threadsEnd.main - threads.main).toFixed(1)} s, V8's and libuv's helpers ${(threadsEnd.helpers - threads.helpers).toFixed(1)} s)` : '';
        const dbCpuEnd = cpuSecondsOf(size.serverPid);
        const moved = countersMoved(counted, await serverCounters(size.data));
        const dbUsed = dbCpu !== null && dbCpuEnd !== null ? `${(dbCpuEnd - dbCpu).toFixed(1)} s` : 'unknown';
        size.seconds[label] = seconds;
        size.scanned = result.householdsDone;
        log(
          `${String(size.households).padStart(7)} ${label.padEnd(10)}: ${result.householdsDone} households under ${prefix} in ${seconds.toFixed(2)} s — ` +
            `${Math.round(result.householdsDone / seconds)} households/s, ~${Math.round((size.departmentRows * (result.householdsDone / size.generated)) / seconds)} department rows/s; ` +
            `CPU: this process ${((used.user + used.system) / 1e6).toFixed(1)} s${split}, the database server ${dbUsed}; ` +
            `${result.findingsCount} findings (${result.newCount} new, ${result.reopenedCount} reopened, ${result.stillSettledCount} still settled); peak RSS ${Math.round(peakRss / 2 ** 20)} MiB; ` +
            `load average ${load} before, ${loadAverage()} after`,
        );
        log(`      on the server: ${moved}`);
        log(`      rows read ${await rowsReadByIndex(size.data)}`);
      }
    }

    const base = ready[0];
    const perHousehold = (s: Size, label: 'first scan' | 're-scan') => (s.seconds[label] * 1e6) / s.scanned;
    log('');
    log('households scanned   first scan s   µs/household   vs first size   re-scan s   µs/household   vs first size');
    for (const s of ready) {
      log(
        `${String(s.scanned).padStart(18)}   ${s.seconds['first scan'].toFixed(2).padStart(12)}   ${perHousehold(s, 'first scan').toFixed(1).padStart(12)}   ${(perHousehold(s, 'first scan') / perHousehold(base, 'first scan')).toFixed(2).padStart(12)}×` +
          `   ${s.seconds['re-scan'].toFixed(2).padStart(9)}   ${perHousehold(s, 're-scan').toFixed(1).padStart(12)}   ${(perHousehold(s, 're-scan') / perHousehold(base, 're-scan')).toFixed(2).padStart(12)}×`,
      );
    }
    if (base.households === 100_000) {
      const worst = Math.max(base.seconds['first scan'], base.seconds['re-scan']);
      log(`100,000 households under ${TARGET_SECONDS} s: ${worst < TARGET_SECONDS ? 'yes' : 'NO'} (slower of the two scans ${worst.toFixed(2)} s)`);
    }
  } finally {
    for (const s of ready) {
      await closeSources(s.sources);
      await s.pool.end();
      await s.data.discard();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
