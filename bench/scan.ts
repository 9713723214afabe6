/**
 * `npm run bench:scan -- [--households N] [--region CODE] [--chunk N] [--seed S] [--premium-years Y] [--buffer-pool-gb G] [--data-dir DIR] [--keep]`
 *
 * Region-scan throughput: generates N demo households (with the planted cases) into a throwaway
 * private MariaDB under /tmp, then scans the division twice through the same code the
 * `scanStart` mutation runs: a first scan (every finding new) and a re-scan (every finding
 * already stored), then the re-scan again without the people in no household (its baseline), and
 * prints the ratio of the two. Prints households and department records per second and the wall time.
 * `--data-dir` with `--keep` keeps the generated data for the next run.
 *
 * The generator writes aid at believable rates (about 1.5 department rows per household). To
 * measure at the issue's density (about 10 aid records per household: 10 million for the city),
 * `--premium-years Y` adds one 参保资助 (premium subsidy) payment per person per year for Y years,
 * written by the database itself (INSERT … SELECT). No rule concerns that programme, so the
 * findings stay the same; every person then has records in medical insurance, which the scan
 * reads and maps like any other.
 */
import mysql from 'mysql2/promise';
import { createPool, hubDrizzle } from '../db/connect';
import { createScan } from '../db/findings/store';
import { runScan } from '../resolvers/findings/scan';
import { divisionPrefix } from '../domain/division-code';
import { loadRuleSet } from '../rules/load';
import { closeSources, openSources } from '../federation/sources';
import { SCENARIOS } from '../test/support/scenarios-by-department';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { databaseOf, type SourceConfig } from '../db/config';
import { benchData, log, option, positiveInt, rowCounts } from './findings-setup';

const REFERENCE_DATE = '2026-03-15';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    log('usage: npm run bench:scan -- [--households 100000] [--region 370800] [--chunk 5000] [--seed 1] [--premium-years 0] [--buffer-pool-gb 0] [--data-dir DIR] [--keep]');
    return;
  }
  const households = positiveInt(option(argv, 'households', '100000'), 'households');
  const region = option(argv, 'region', '370800');
  const chunk = positiveInt(option(argv, 'chunk', '5000'), 'chunk');
  const seed = positiveInt(option(argv, 'seed', '1'), 'seed');
  const dataDir = argv.includes('--data-dir') ? option(argv, 'data-dir', '') : undefined;
  const premiumYears = Number(option(argv, 'premium-years', '0'));

  log(`bench:scan — ${households} generated households, scanning ${region}, chunks of ${chunk}, as of ${REFERENCE_DATE}${Number(option(argv, 'buffer-pool-gb', '0')) ? `, InnoDB buffer pool ${option(argv, 'buffer-pool-gb', '0')} GB` : ''}`);
  const bufferPoolGb = Number(option(argv, 'buffer-pool-gb', '0'));
  const data = await benchData({ households, seed, referenceDate: REFERENCE_DATE, dataDir, keep: argv.includes('--keep'), bufferPoolGb });
  const pool = createPool(data.hubUrl, { connectionLimit: 12 });
  const configs = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { url: data.sourceUrls[c], timeoutMs: 600_000 }])) as Record<DepartmentCode, SourceConfig>;
  const sources = openSources(configs);
  try {
    log(`data: loaded in ${data.loadSeconds.toFixed(1)} s on a private server (${data.server.dataDir})`);
    if (premiumYears > 0) {
      const conn = await mysql.createConnection({ uri: data.sourceUrls.HEALTH });
      // Health's aid payments, by the name its folder gives the table: one INSERT … SELECT a year.
      const payments = mysql.escapeId(SCENARIOS.HEALTH.tableName('aidPayments'));
      try {
        const [[have]] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${payments} WHERE pay_id LIKE 'PB%'`);
        if (Number(have.n) === 0) {
          const started = performance.now();
          for (let k = 0; k < premiumYears; k++) {
            const year = Number(REFERENCE_DATE.slice(0, 4)) - 1 - k;
            await conn.query(
              `INSERT INTO ${payments} (pay_id, psn_cert_no, setl_id, aid_type, pay_date, pay_amt)
               SELECT CONCAT('PB', ${year}, id_number), id_number, NULL, 'CBZZ', '${year}-01-15', '350.00' FROM ${mysql.escapeId(databaseOf(data.hubUrl))}.person`,
            );
          }
          log(`      added ${premiumYears} premium-subsidy payments per person in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        }
      } finally {
        await conn.end();
      }
    }
    const counts = await rowCounts(data);
    log(`      ${counts.households} households, ${counts.people} people, ${counts.departmentRows} department rows`);
    log(`      ${Object.entries(counts.byTable).filter(([t]) => !t.startsWith('finding') && !t.startsWith('access') && !t.startsWith('case')).map(([t, n]) => `${t} ${n}`).join(', ')}`);

    const hub = hubDrizzle(pool);
    const ruleSet = loadRuleSet();
    const prefix = divisionPrefix(region);
    // The last run is the baseline of the people-in-no-household phase: the same re-scan, households only.
    const seconds: Record<string, number> = {};
    for (const label of ['first scan', 're-scan', 'households only']) {
      const scanId = await createScan(hub, { regionCode: region, asOf: REFERENCE_DATE, ruleSet, startedBy: 'bench', startedByDepartment: null });
      const rssBefore = process.memoryUsage().rss;
      let peakRss = rssBefore;
      const started = performance.now();
      const result = await runScan({ hub, sources, ruleSet, today: REFERENCE_DATE }, scanId, region, {
        chunkHouseholds: chunk,
        peopleOutsideHouseholds: label !== 'households only',
        onProgress: () => {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
        },
      });
      const took = (performance.now() - started) / 1000;
      seconds[label] = took;
      log(
        `${label.padEnd(15)}: ${result.householdsDone} households under ${prefix} in ${took.toFixed(2)} s — ` +
          `${Math.round(result.householdsDone / took)} households/s, ~${Math.round((counts.departmentRows * (result.householdsDone / counts.households)) / took)} department rows/s; ` +
          `${result.findingsCount} findings (${result.newCount} new, ${result.reopenedCount} reopened, ${result.stillSettledCount} still settled); peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
      );
    }
    log(`re-scan / households only: ${(seconds['re-scan'] / seconds['households only']).toFixed(2)} (what judging the people in no household adds)`);
  } finally {
    await closeSources(sources);
    await pool.end();
    await data.discard();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
