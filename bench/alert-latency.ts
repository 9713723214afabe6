/**
 * `npm run bench:alert-latency -- [--households N] [--samples S] [--interval-ms MS] [--commit-lag-ms MS] [--background C] [--seed S]`
 *
 * Detection latency end to end: from a hospital settlement committed in 医保's own front-end
 * database (a plain INSERT over a connection of the department's, as its system writes it) to the
 * signed POST of its alert arriving at a subscriber's receiver on 127.0.0.1. The hub is the real
 * server (createHubServer with its poller and delivery worker, configured as `npm start` would be
 * by AIDHUB_MONITOR_INTERVAL_MS, AIDHUB_MONITOR_COMMIT_LAG_MS and the delivery defaults), over N
 * generated demo households in a throwaway private MariaDB.
 *
 * Two conditions in one run, taking turns in rounds so drift over the run falls on both alike:
 * idle (the baseline), and with C concurrent loops asking the same hub for whole households
 * (the bench's household query, over HTTP). Prints p50, p90, p99 and max of each, the ratios
 * loaded / idle, and the background's requests per second. Not a test: nothing is asserted.
 */
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { chinaDateOf } from '../domain/cases/china-time';
import { addDays } from '../domain/dates';
import { writeSettlementAsDepartment } from '../test/support/department-writes';
import { benchData, log, positiveInt } from './findings-setup';
import { parseCommandLine } from '../tools/command-args';
import { startAlertHub, watermarksSet } from './lib/alert-hub';
import { graphqlClient } from './lib/graphql-client';
import { benchIdentity } from './lib/hub-identity';
import { HOUSEHOLD_QUERY } from './lib/query';
import { loadAverage, machineLoad } from './lib/load';

/** Samples per condition are taken in rounds of this many, idle and loaded taking turns. */
const ROUND = 5;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(ms: readonly number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s[s.length - 1] };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const USAGE = 'usage: npm run bench:alert-latency -- [--households N] [--samples S] [--interval-ms MS] [--commit-lag-ms MS] [--background C] [--seed S]';

async function main(): Promise<void> {
  const args = parseCommandLine(USAGE, { households: { type: 'string', default: '2000' }, samples: { type: 'string', default: '30' }, 'interval-ms': { type: 'string', default: '1000' }, 'commit-lag-ms': { type: 'string', default: '1000' }, background: { type: 'string', default: '8' }, seed: { type: 'string', default: '1' } });
  const households = positiveInt(args.households, 'households');
  const samples = positiveInt(args.samples, 'samples');
  const intervalMs = positiveInt(args['interval-ms'], 'interval-ms');
  const commitLagMs = positiveInt(args['commit-lag-ms'], 'commit-lag-ms');
  const background = positiveInt(args.background, 'background');
  const seed = positiveInt(args.seed, 'seed');
  const today = chinaDateOf(new Date());
  log(`bench:alert-latency — ${households} generated households, ${samples} samples per condition, poll every ${intervalMs} ms, commit lag ${commitLagMs} ms, ${background} background query loops, today ${today}; ${machineLoad()}`);

  const data = await benchData({ households, seed, referenceDate: today });
  const closers: (() => Promise<unknown> | void)[] = [() => data.discard()];
  try {
    log(`data: generated in ${data.loadSeconds.toFixed(1)} s`);
    // The subscriber's receiver notes when each alert's first push arrives.
    const arrivals = new Map<string, number>();
    const alertHub = await startAlertHub({
      hubUrl: data.hubUrl,
      intervalMs,
      commitLagMs,
      script: (_, push) => {
        if (push.body?.event === 'ALERT_OPENED') arrivals.set(String(push.body.alert.id), performance.now());
        return 200;
      },
    });
    closers.unshift(() => alertHub.close());
    const { hub, hubPool, receiver, endpoint } = alertHub;
    const queries = graphqlClient(endpoint, background, await benchIdentity(hub, hubPool));
    closers.unshift(() => queries.close());

    // People to send to hospital, one per sample, each a current member of a household; and households to ask for.
    // Two more than the samples: a first sample of each condition warms up and is not counted.
    const needed = 2 * samples + 2;
    const [people] = await hubPool.query<RowDataPacket[]>('SELECT id_number FROM household_member WHERE left_on IS NULL ORDER BY household_id, id_number LIMIT ?', [needed]);
    if (people.length < needed) throw new Error(`only ${people.length} current members; generate more households`);
    const [homes] = await hubPool.query<RowDataPacket[]>('SELECT DISTINCT household_id FROM household_member WHERE left_on IS NULL');
    const householdIds = homes.map((r) => Number(r.household_id));

    // Wait until the poller has set 医保's watermarks, so the first sample does not wait for a first sight.
    await watermarksSet(hubPool, 'HEALTH');

    const department = await mysql.createConnection({ uri: data.sourceUrls.HEALTH });
    closers.unshift(() => department.end());

    let sample = 0;
    /** One settlement written and its alert's push awaited; the latency in ms. */
    async function measureOne(): Promise<number> {
      // A random moment of the poll cycle: one sample right after another would always write just
      // after a poll (the last one delivered its push) and wait a whole interval.
      await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
      const idNumber = String(people[sample].id_number);
      const setlId = `BENCH-${process.pid}-${++sample}`;
      await writeSettlementAsDepartment(department, { setlId, idNumber, hospital: '济宁医学院附属医院', admittedOn: addDays(today, -5), settledOn: today, diagnosis: '急性心肌梗死', totalYuan: '30000.00', fundPaidYuan: '19500.00', outOfPocketYuan: '10500.00' });
      // Autocommit: the row is committed when the INSERT returns.
      const committed = performance.now();
      const ref = `%HEALTH:settlement:${setlId}%`;
      for (;;) {
        const [alerts] = await hubPool.query<RowDataPacket[]>("SELECT id FROM monitoring_alert WHERE trigger_id = 'T1_SETTLEMENT_OOP' AND evidence_refs LIKE ?", [ref]);
        const arrived = alerts.length > 0 ? arrivals.get(String(alerts[0].id)) : undefined;
        if (arrived !== undefined) return arrived - committed;
        if (performance.now() - committed > 3 * 60_000) {
          const [recent] = await hubPool.query<RowDataPacket[]>('SELECT a.id, a.trigger_id, a.state, COUNT(d.id) AS pushes, GROUP_CONCAT(d.state) AS delivery FROM monitoring_alert a LEFT JOIN alert_delivery d ON d.alert_id = a.id GROUP BY a.id ORDER BY a.id DESC LIMIT 5');
          throw new Error(`no push for ${setlId} after 3 minutes (received ${receiver.pushes.length}; latest alerts ${JSON.stringify(recent)})`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    let loadRequests = 0;
    let loadMs = 0;
    /** Runs `work` with C loops asking for random households meanwhile. */
    async function underLoad<T>(work: () => Promise<T>): Promise<T> {
      let running = true;
      const started = performance.now();
      const loops = Array.from({ length: background }, async () => {
        while (running) {
          const id = householdIds[Math.floor(Math.random() * householdIds.length)];
          const res = await queries.post(HOUSEHOLD_QUERY, { id: String(id) });
          if (res.status !== 200 || res.errors?.length) throw new Error(`a background household query failed: HTTP ${res.status}`);
          loadRequests++;
        }
      });
      try {
        return await work();
      } finally {
        running = false;
        await Promise.all(loops);
        loadMs += performance.now() - started;
      }
    }

    const idle: number[] = [];
    const loaded: number[] = [];
    // A first sample of each, not counted: connections and code warm up.
    await measureOne();
    await underLoad(measureOne);
    while (idle.length < samples || loaded.length < samples) {
      for (let i = 0; i < ROUND && idle.length < samples; i++) idle.push(await measureOne());
      await underLoad(async () => {
        for (let i = 0; i < ROUND && loaded.length < samples; i++) loaded.push(await measureOne());
      });
      log(`  ${idle.length + loaded.length}/${2 * samples} samples`);
    }

    const a = summary(idle);
    const b = summary(loaded);
    log('');
    log(`row committed in 医保's database → signed POST received (${samples} samples each; with fewer than 100 samples p99 is the largest)`);
    log(`  condition                         p50       p90       p99       max`);
    log(`  idle (baseline)              ${fmt(a.p50).padStart(8)}  ${fmt(a.p90).padStart(8)}  ${fmt(a.p99).padStart(8)}  ${fmt(a.max).padStart(8)}`);
    log(`  ${`${background} household query loops`.padEnd(27)}  ${fmt(b.p50).padStart(8)}  ${fmt(b.p90).padStart(8)}  ${fmt(b.p99).padStart(8)}  ${fmt(b.max).padStart(8)}`);
    log(`  ratio loaded / idle: p50 ${(b.p50 / a.p50).toFixed(2)}×, p99 ${(b.p99 / a.p99).toFixed(2)}×`);
    log(`  background: ${loadRequests} household queries, ${Math.round(loadRequests / (loadMs / 1000))} per second while loaded`);
    log(`  pushes received ${receiver.pushes.length}, signature valid ${receiver.pushes.filter((p) => p.signatureValid).length}`);
    log(`load average at the end: ${loadAverage()}`);
  } finally {
    for (const close of closers) await close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
