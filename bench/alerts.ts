/**
 * `npm run bench:alerts -- [--households N] [--settlements M] [--baseline B] [--all-qualify] [--interval-ms MS] [--commit-lag-ms MS] [--batch-rows R] [--seed S]`
 *
 * Throughput (issue 11, "Speed"): a burst of M new hospital settlements (default 100,000) written
 * at once across the city into 医保's own front-end database — multi-row INSERTs, 1,000 rows to a
 * statement, in one transaction over a connection of the department's, as a batch upload from its
 * system would — each for a different living person of the N generated households (default
 * 200,000), none of whom had a settlement before. The hub is the real server (createHubServer with
 * its poller and delivery worker, bench/lib/alert-hub.ts), pushing to a local receiver that checks
 * every signature.
 *
 * Amounts are believable: a stay's total cost log-normal around ¥8,000, the basic insurance fund
 * paying 50–75% of it, the rest out of pocket; so a realistic share crosses the trigger set's lines
 * (one stay's out-of-pocket, T1; twelve months', T2, where this stay is the person's only one).
 * The bench counts how many alerts the burst must open from the rows it wrote, the monitored roll
 * and the thresholds in the trigger set in force, with its own comparisons (not the hub's
 * evaluation), and checks the hub opened exactly those. `--all-qualify` draws every stay's
 * out-of-pocket above the T1 line for people not monitored, so every settlement opens an alert.
 * The households the burst touches are evaluated whole, so conditions already in their data (a
 * student without aid, a second temporary aid) open alerts too: counted apart, delivered alike.
 *
 * Measured from the burst's commit: time until every alert is written in the hub's database (the
 * poller's watermark has passed the burst's last row), time until the receiver has acknowledged
 * a push of every one (signature valid; a repeat of one push must carry the same delivery id),
 * alerts per second for each, the peak RSS and heap of this process (the hub runs in it, beside
 * the bench's own rows and the receiver), the database server's peak RSS, and the load average.
 * The baseline, in the same run on the same hub, is the same pipeline with a burst of B (default
 * 1,000); the per-alert time ratio burst / baseline is 1.00 when the pipeline scales linearly.
 * Not a test: nothing is asserted beyond the counts it prints as checks.
 */
import fs from 'node:fs';
import os from 'node:os';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { desc, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import type { HubDb } from '../db/connect';
import { feedWatermarks } from '../db/monitoring/store';
import { chinaDateOf } from '../domain/cases/china-time';
import { addDays, type IsoDate } from '../domain/dates';
import { fenToYuan } from '../domain/money';
import { polledFeeds, type PolledFeed } from '../federation/change-feed';
import type { RowOf } from '../federation/scenario-kit';
import { activeTriggerSet } from '../rules/triggers-load';
import { SCENARIOS } from '../test/support/scenarios-by-department';
import { benchData, log, positiveInt } from './findings-setup';
import { parseCommandLine } from '../tools/command-args';
import { startAlertHub, watermarksSet, type AlertHub } from './lib/alert-hub';
import { Rng } from '../federation/demo-random';

type Settlement = RowOf<typeof SCENARIOS.HEALTH, 'settlements'>;

/** 医保's change feed of settlements, whose watermark the poller keeps (federation/change-feed.ts). */
function settlementFeed(): PolledFeed & { marker: { kind: 'UPDATE_TIME' } } {
  const feed = polledFeeds('HEALTH').find((f) => f.table === SCENARIOS.HEALTH.tables.settlements.table);
  if (!feed || feed.marker.kind !== 'UPDATE_TIME') throw new Error('医保 settlements are not polled by an update time; the bench reads the watermark as a second');
  return feed as PolledFeed & { marker: { kind: 'UPDATE_TIME' } };
}
/** Rows to one INSERT statement: the department's batch upload. */
const ROWS_PER_STATEMENT = 1000;

const HOSPITALS = ['济宁医学院附属医院', '济宁市第一人民医院', '济宁市中医院', '兖州区人民医院', '曲阜市人民医院', '邹城市人民医院', '微山县人民医院', '嘉祥县人民医院', '汶上县人民医院', '梁山县人民医院', '高唐县人民医院'];
const DIAGNOSES = ['急性心肌梗死', '脑梗死', '肺炎', '股骨颈骨折', '慢性阻塞性肺疾病急性加重', '2型糖尿病', '胆囊结石伴胆囊炎', '恶性肿瘤化疗', '慢性肾脏病', '腰椎间盘突出症'];

interface Thresholds {
  /** T1: one stay's out-of-pocket over this (lowest band), by whether the person is monitored; null when no such trigger is enabled. */
  stay: { triggerId: string; monitoredOverFen: number; othersOverFen: number; withinDays: number } | null;
  /** T2: twelve months' out-of-pocket over this. */
  year: { triggerId: string; monitoredOverFen: number; othersOverFen: number } | null;
}

/** The lines the trigger set in force draws (AIDHUB_TRIGGERS_FILE included), read off the set, not evaluated by it. */
function thresholds(): Thresholds {
  const lowest = (bands: readonly { monitoredOverFen: number; othersOverFen: number }[]) => ({
    monitoredOverFen: Math.min(...bands.map((b) => b.monitoredOverFen)),
    othersOverFen: Math.min(...bands.map((b) => b.othersOverFen)),
  });
  let stay: Thresholds['stay'] = null;
  let year: Thresholds['year'] = null;
  for (const t of activeTriggerSet().triggers) {
    if (!t.enabled) continue;
    if (t.kind === 'SETTLEMENT_OUT_OF_POCKET') stay = { triggerId: t.id, withinDays: t.withinDays, ...lowest(t.bands) };
    if (t.kind === 'OUT_OF_POCKET_12_MONTHS') year = { triggerId: t.id, ...lowest(t.bands) };
  }
  return { stay, year };
}

/** One settlement per person, amounts in whole fen written as yuan. */
function settlementsFor(people: readonly string[], tag: string, today: IsoDate, random: Rng, allQualifyOverFen: number | null): { rows: Settlement[]; outOfPocketFen: number[] } {
  const rows: Settlement[] = [];
  const outOfPocketFen: number[] = [];
  people.forEach((idNumber, i) => {
    let totalFen: number;
    let oopFen: number;
    if (allQualifyOverFen === null) {
      // Inpatient stays: log-normal total around ¥8,000 (a long tail of major illness), the fund paying 50–75%.
      totalFen = Math.max(50_000, Math.round(800_000 * Math.exp(0.9 * random.normal())));
      oopFen = Math.round(totalFen * (0.25 + 0.25 * random.next()));
    } else {
      oopFen = allQualifyOverFen + 1 + Math.floor(random.next() * 2 * allQualifyOverFen);
      totalFen = Math.round(oopFen / (0.25 + 0.25 * random.next()));
    }
    const stayDays = 2 + Math.floor(random.next() * 20);
    rows.push({
      setlId: `${tag}-${String(i + 1).padStart(7, '0')}`,
      psnCertNo: idNumber,
      fixmedinsName: HOSPITALS[Math.floor(random.next() * HOSPITALS.length)],
      admDate: addDays(today, -stayDays),
      dscgDate: today,
      setlDate: today,
      diseName: DIAGNOSES[Math.floor(random.next() * DIAGNOSES.length)],
      medfeeSumamt: fenToYuan(totalFen),
      hifpPay: fenToYuan(totalFen - oopFen),
      hifmiPay: '0.00',
      mafPay: '0.00',
      psnPay: fenToYuan(oopFen),
    });
    outOfPocketFen.push(oopFen);
  });
  return { rows, outOfPocketFen };
}

/** The alerts the burst must open, by trigger, counted from its own rows: every settlement is its person's only one. */
function expectedAlerts(people: readonly string[], outOfPocketFen: readonly number[], monitored: ReadonlySet<string>, lines: Thresholds): Map<string, number> {
  const out = new Map<string, number>();
  const add = (id: string) => out.set(id, (out.get(id) ?? 0) + 1);
  people.forEach((id, i) => {
    const m = monitored.has(id);
    // Settled today: within any stay window and any twelve months.
    if (lines.stay && outOfPocketFen[i] > (m ? lines.stay.monitoredOverFen : lines.stay.othersOverFen)) add(lines.stay.triggerId);
    if (lines.year && outOfPocketFen[i] > (m ? lines.year.monitoredOverFen : lines.year.othersOverFen)) add(lines.year.triggerId);
  });
  return out;
}

/** Samples memory and load while a phase runs: this process, the database server (by its pid, from /proc), the machine. */
class Sampler {
  peakRss = 0;
  peakHeapUsed = 0;
  peakHeapTotal = 0;
  peakDbRss = 0;
  loadMax = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly dbPid: number | null) {}
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }
  private sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeapUsed = Math.max(this.peakHeapUsed, m.heapUsed);
    this.peakHeapTotal = Math.max(this.peakHeapTotal, m.heapTotal);
    this.peakDbRss = Math.max(this.peakDbRss, dbRss(this.dbPid, 'VmRSS'));
    this.loadMax = Math.max(this.loadMax, os.loadavg()[0]);
  }
}

/** A line of /proc/<pid>/status in bytes (VmRSS now, VmHWM the peak since it started), 0 if unreadable. */
function dbRss(pid: number | null, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === null) return 0;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface PhaseResult {
  label: string;
  settlements: number;
  expected: number;
  fromBurst: number;
  others: number;
  total: number;
  insertMs: number;
  createdMs: number;
  deliveredMs: number;
  pushes: number;
  retriedSameId: number;
  sampler: Sampler;
  loadBefore: number[];
  loadAfter: number[];
}

/** Pushes received, by alert: the delivery ids of its ALERT_OPENED pushes and when the first was acknowledged. */
interface Deliveries {
  openedIds: Map<string, Set<string>>;
  /** Every ALERT_OPENED push received, by alert (a repeat of one push counts again). */
  pushesByAlert: Map<string, number>;
  firstAcknowledged: Map<string, number>;
  otherEvents: number;
}

async function runBurst(opts: {
  label: string;
  alertHub: AlertHub;
  departmentUrl: string;
  people: readonly string[];
  tag: string;
  today: IsoDate;
  /** The same seed draws the same people and amounts. */
  random: Rng;
  allQualifyOverFen: number | null;
  monitored: ReadonlySet<string>;
  lines: Thresholds;
  deliveries: Deliveries;
  dbPid: number | null;
  timeoutMs: number;
}): Promise<PhaseResult> {
  const { alertHub, deliveries } = opts;
  const feed = settlementFeed();
  const pool = alertHub.hubPool;
  const { rows, outOfPocketFen } = settlementsFor(opts.people, opts.tag, opts.today, opts.random, opts.allQualifyOverFen);
  const expectedBy = expectedAlerts(opts.people, outOfPocketFen, opts.monitored, opts.lines);
  const expected = [...expectedBy.values()].reduce((a, b) => a + b, 0);
  log(`${opts.label}: ${rows.length} settlements, ${expected} alerts expected from them (${[...expectedBy].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'})`);

  const [[top]] = await pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS id FROM monitoring_alert');
  const before = Number(top.id);
  const sampler = new Sampler(opts.dbPid);
  const loadBefore = os.loadavg();
  sampler.start();
  try {
    // The department's batch upload: one transaction, a thousand rows to a statement.
    const department = await mysql.createConnection({ uri: opts.departmentUrl });
    let committed: number;
    let lastSecond: number;
    let lastKey: Record<string, string | number>;
    const insertStarted = performance.now();
    try {
      await department.query('START TRANSACTION');
      const db = drizzle(department);
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await SCENARIOS.HEALTH.insert(db, 'settlements', rows.slice(i, i + ROWS_PER_STATEMENT));
      // The burst's rows are the newest: the last second the poller must pass.
      const [last] = await db.select({ s: sql<string>`UNIX_TIMESTAMP(MAX(${feed.marker.column}))` }).from(feed.table);
      lastSecond = Number(last.s);
      // And within it the last row in the poller's (second, row key) order.
      const key = feed.marker.rowKey;
      const [lastRow] = (await db
        .select(Object.fromEntries(key.map((c) => [c.name, c])))
        .from(feed.table)
        .where(sql`${feed.marker.column} = FROM_UNIXTIME(${lastSecond})`)
        .orderBy(...key.map((c) => desc(c)))
        .limit(1)) as Record<string, string | number>[];
      lastKey = lastRow;
      await department.query('COMMIT');
      committed = performance.now();
    } finally {
      await department.end();
    }
    const insertMs = committed - insertStarted;
    log(`  written and committed in ${secs(insertMs)}`);

    // Created: the poller's watermark has passed the burst's last row (its second, and that row's
    // key within it), and it writes the alerts and the watermark in one transaction.
    let createdMs = 0;
    let total = 0;
    let deliveredMs = 0;
    let lastLog = 0;
    for (;;) {
      const now = performance.now();
      if (createdMs === 0) {
        const wm = (await feedWatermarks(drizzle(pool) as unknown as HubDb, [feed.key])).get(feed.key);
        const past = wm !== undefined && (wm.mark > lastSecond || (wm.mark === lastSecond && (wm.rowKey === null || JSON.stringify(wm.rowKey) === JSON.stringify(lastKey))));
        if (past) {
          createdMs = now - committed;
          const [[n]] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM monitoring_alert WHERE id > ?', [before]);
          total = Number(n.n);
          log(`  all ${total} alerts created ${secs(createdMs)} after the commit`);
        }
      }
      if (createdMs > 0) {
        let got = 0;
        for (const [id] of deliveries.firstAcknowledged) if (Number(id) > before) got++;
        if (got >= total) {
          const lastAck = Math.max(...[...deliveries.firstAcknowledged].filter(([id]) => Number(id) > before).map(([, at]) => at), committed);
          deliveredMs = lastAck - committed;
          log(`  all ${total} delivered ${secs(deliveredMs)} after the commit`);
          break;
        }
      }
      if (now - lastLog > 15_000) {
        lastLog = now;
        const [[n]] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM monitoring_alert WHERE id > ?', [before]);
        const [[mark]] = await pool.query<RowDataPacket[]>('SELECT rows_seen AS r FROM monitoring_watermark WHERE source_table = ?', [feed.key]);
        let got = 0;
        for (const [id] of deliveries.firstAcknowledged) if (Number(id) > before) got++;
        log(`  ${secs(now - committed)}: ${n.n} alerts written, ${got} delivered, feed rows seen ${mark?.r ?? 0}, rss ${mb(process.memoryUsage().rss)}, load ${os.loadavg()[0].toFixed(1)}`);
      }
      if (now - committed > opts.timeoutMs) {
        const [states] = await pool.query<RowDataPacket[]>('SELECT state, COUNT(*) AS n FROM alert_delivery GROUP BY state');
        throw new Error(`${opts.label}: not finished ${secs(opts.timeoutMs)} after the commit (alerts created: ${createdMs > 0 ? total : 'not all'}; outbox ${JSON.stringify(states)})`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    // Which alerts came from the burst's own settlements, by trigger: checked against the expectation.
    const [byTrigger] = await pool.query<RowDataPacket[]>('SELECT trigger_id AS t, COUNT(*) AS n FROM monitoring_alert WHERE id > ? AND evidence_refs LIKE ? GROUP BY trigger_id', [before, `%HEALTH:settlement:${opts.tag}-%`]);
    const fromBurst = byTrigger.reduce((n, r) => n + Number(r.n), 0);
    for (const r of byTrigger) {
      const want = expectedBy.get(String(r.t)) ?? 0;
      if (Number(r.n) !== want) log(`  CHECK FAILED: ${r.t} opened ${r.n} alerts from the burst, expected ${want}`);
    }
    for (const [t, want] of expectedBy) if (!byTrigger.some((r) => r.t === t)) log(`  CHECK FAILED: ${t} opened no alert from the burst, expected ${want}`);
    let deliveryIds = 0;
    for (const [id, ids] of deliveries.openedIds) {
      if (Number(id) <= before) continue;
      deliveryIds += ids.size;
      if (ids.size > 1) log(`  CHECK FAILED: alert ${id} pushed under ${ids.size} delivery ids`);
    }
    const pushes = deliveries.pushesByAlert.size === 0 ? 0 : [...deliveries.pushesByAlert].filter(([id]) => Number(id) > before).reduce((n, [, k]) => n + k, 0);
    const retriedSameId = pushes - deliveryIds;
    return { label: opts.label, settlements: rows.length, expected, fromBurst, others: total - fromBurst, total, insertMs, createdMs, deliveredMs, pushes, retriedSameId, sampler, loadBefore, loadAfter: os.loadavg() };
  } finally {
    sampler.stop();
  }
}

const USAGE = 'usage: npm run bench:alerts -- [--households N] [--settlements M] [--baseline B] [--all-qualify] [--interval-ms MS] [--commit-lag-ms MS] [--batch-rows R] [--seed S] [--timeout-s S]';

async function main(): Promise<void> {
  const args = parseCommandLine(USAGE, { households: { type: 'string', default: '200000' }, settlements: { type: 'string', default: '100000' }, baseline: { type: 'string', default: '1000' }, 'interval-ms': { type: 'string', default: '1000' }, 'commit-lag-ms': { type: 'string', default: '5000' }, 'batch-rows': { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' }, 'timeout-s': { type: 'string', default: '3600' }, 'all-qualify': { type: 'boolean' } });
  const households = positiveInt(args.households, 'households');
  const settlements = positiveInt(args.settlements, 'settlements');
  const baseline = positiveInt(args.baseline, 'baseline');
  const intervalMs = positiveInt(args['interval-ms'], 'interval-ms');
  const commitLagMs = positiveInt(args['commit-lag-ms'], 'commit-lag-ms');
  // The poller's cap on rows per table per poll (AIDHUB_MONITOR_BATCH_ROWS), which holds inside one second too.
  const batchRows = positiveInt(args['batch-rows'], 'batch-rows');
  const seed = positiveInt(args.seed, 'seed');
  const timeoutMs = positiveInt(args['timeout-s'], 'timeout-s') * 1000;
  const allQualify = args['all-qualify'] === true;
  const today = chinaDateOf(new Date());
  const lines = thresholds();
  if (!lines.stay && !lines.year) throw new Error('the trigger set in force has no out-of-pocket trigger enabled: a burst of settlements opens nothing');
  log(`bench:alerts — ${households} generated households, a burst of ${settlements} settlements after a baseline of ${baseline}${allQualify ? ', every one over the line' : ''}, poll every ${intervalMs} ms, at most ${batchRows} rows a table a poll, commit lag ${commitLagMs} ms, today ${today}, ${os.cpus().length} cores`);
  if (lines.stay) log(`  ${lines.stay.triggerId}: one stay's out-of-pocket over ${fenToYuan(lines.stay.monitoredOverFen)} yuan (monitored) / ${fenToYuan(lines.stay.othersOverFen)} yuan (others)`);
  if (lines.year) log(`  ${lines.year.triggerId}: twelve months' out-of-pocket over ${fenToYuan(lines.year.monitoredOverFen)} yuan (monitored) / ${fenToYuan(lines.year.othersOverFen)} yuan (others)`);

  const data = await benchData({ households, seed, referenceDate: today });
  const closers: (() => Promise<unknown> | void)[] = [() => data.discard()];
  try {
    log(`data: generated in ${data.loadSeconds.toFixed(1)} s`);
    const deliveries: Deliveries = { openedIds: new Map(), pushesByAlert: new Map(), firstAcknowledged: new Map(), otherEvents: 0 };
    const alertHub = await startAlertHub({
      hubUrl: data.hubUrl,
      intervalMs,
      commitLagMs,
      env: { AIDHUB_MONITOR_BATCH_ROWS: String(batchRows) },
      script: (_, push) => {
        // Only pushes with a valid signature reach the script (others are answered 401).
        const id = String(push.body?.alert?.id ?? '');
        if (push.body?.event !== 'ALERT_OPENED') {
          deliveries.otherEvents++;
          return 200;
        }
        const ids = deliveries.openedIds.get(id) ?? new Set<string>();
        ids.add(push.deliveryId);
        deliveries.openedIds.set(id, ids);
        deliveries.pushesByAlert.set(id, (deliveries.pushesByAlert.get(id) ?? 0) + 1);
        if (!deliveries.firstAcknowledged.has(id)) deliveries.firstAcknowledged.set(id, performance.now());
        return 200;
      },
    });
    closers.unshift(() => alertHub.close());
    const { hubPool } = alertHub;
    const [[pidFile]] = await hubPool.query<RowDataPacket[]>('SELECT @@pid_file AS f');
    const dbPid = (() => {
      try {
        return Number(fs.readFileSync(String(pidFile.f), 'utf8').trim()) || null;
      } catch {
        return null;
      }
    })();

    // Living people of a current household with no settlement yet, in a seeded order: each gets one.
    const department = drizzle(await mysql.createConnection({ uri: data.sourceUrls.HEALTH }));
    closers.unshift(() => department.$client.end());
    const civil = drizzle(await mysql.createConnection({ uri: data.sourceUrls.CIVIL_AFFAIRS }));
    closers.unshift(() => civil.$client.end());
    const hadStay = new Set((await SCENARIOS.HEALTH.rows(department, 'settlements')).map((r) => r.psnCertNo));
    const monitored = new Set((await SCENARIOS.CIVIL_AFFAIRS.rows(civil, 'monitoredRoll')).filter((r) => r.nrrq <= today && (r.tcrq === null || r.tcrq === undefined || r.tcrq > today)).map((r) => r.idNo));
    // Made distinct and ordered here: on the server, half a million rows would go through an on-disk temporary table.
    const [members] = await hubPool.query<RowDataPacket[]>('SELECT m.id_number FROM household_member m JOIN person p ON p.id_number = m.id_number WHERE m.left_on IS NULL AND p.death_date IS NULL');
    const living = [...new Set(members.map((r) => String(r.id_number)))].sort();
    const random = new Rng(seed);
    const pool = living.filter((id) => !hadStay.has(id));
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    if (pool.length < baseline + settlements) throw new Error(`only ${pool.length} living people without a settlement; generate more households (--households)`);
    log(`people: ${living.length} living members of a current household, ${pool.length} without a settlement, ${monitored.size} on the monitored roll`);
    const allQualifyOverFen = allQualify ? (lines.stay?.othersOverFen ?? lines.year!.othersOverFen) : null;

    await watermarksSet(hubPool, 'HEALTH');
    const common = { alertHub, departmentUrl: data.sourceUrls.HEALTH, today, random, allQualifyOverFen, monitored, lines, deliveries, dbPid, timeoutMs };
    const base = await runBurst({ ...common, label: `baseline burst`, people: pool.slice(0, baseline), tag: `BASE${seed}` });
    const burst = await runBurst({ ...common, label: `burst`, people: pool.slice(baseline, baseline + settlements), tag: `BURST${seed}` });

    const usage = process.resourceUsage();
    log('');
    log('phase                settlements  alerts (from rows / expected / other)  created      /s   delivered      /s');
    for (const r of [base, burst]) {
      log(
        `${r.label.padEnd(20)} ${String(r.settlements).padStart(11)}  ${`${r.total} (${r.fromBurst} / ${r.expected} / ${r.others})`.padStart(37)}  ${secs(r.createdMs).padStart(7)} ${Math.round(r.total / (r.createdMs / 1000)).toString().padStart(7)}  ${secs(r.deliveredMs).padStart(9)} ${Math.round(r.total / (r.deliveredMs / 1000)).toString().padStart(7)}`,
      );
    }
    const perAlert = (r: PhaseResult, ms: number) => ms / r.total;
    log(`per-alert time, burst / baseline (1.00 = linear): created ${(perAlert(burst, burst.createdMs) / perAlert(base, base.createdMs)).toFixed(2)}×, delivered ${(perAlert(burst, burst.deliveredMs) / perAlert(base, base.deliveredMs)).toFixed(2)}×`);
    log(`  (the baseline's times are mostly the waits in series — commit lag ${commitLagMs} ms, poll ${intervalMs} ms, delivery poll — not work)`);
    for (const r of [base, burst]) {
      log(`${r.label}: written in ${secs(r.insertMs)}; ${r.pushes} ALERT_OPENED pushes received (${r.retriedSameId} repeats under the same delivery id); peak RSS ${mb(r.sampler.peakRss)}, heap used ${mb(r.sampler.peakHeapUsed)} of ${mb(r.sampler.peakHeapTotal)}; database server peak RSS ${mb(r.sampler.peakDbRss)}; load average ${r.loadBefore[0].toFixed(1)} before, ${r.sampler.loadMax.toFixed(1)} at most, ${r.loadAfter.map((l) => l.toFixed(1)).join(' ')} after`);
    }
    log(`this process (hub, bench and receiver): maxRSS ${mb(usage.maxRSS * 1024)} over the whole run; database server VmHWM ${mb(dbRss(dbPid, 'VmHWM'))} (the data generation included)`);
    log(`receiver: ${deliveries.openedIds.size} alerts pushed, ${deliveries.otherEvents} other events, ${alertHub.receiver.pushes.filter((p) => !p.signatureValid).length} with an invalid signature, ${alertHub.receiver.pushes.length} pushes in all`);
  } finally {
    for (const close of closers) await close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
