/**
 * `npx tsx bench/household-db-cost.ts [--households N] [--requests M]`
 *
 * What the database server does for one household query, statement by statement, counted rather
 * than timed: through the hub (HTTP, token, access layer, audit append) and through the in-process
 * floor (bench/floor.ts, the same household's hand-written SQL), M households each (default 40), one
 * query at a time, on N generated households (default 10,000, `npm run bench`'s size) in a private
 * throwaway server. The server's slow log (long_query_time 0, log_slow_verbosity query_plan,
 * explain, innodb) gives each statement's rows sent and examined, the InnoDB pages it touched, and
 * whether it scanned a whole table, built a temporary table or sorted, with its plan; they are
 * printed per household query, grouped by statement (its database and its first words, values left
 * out), beside the global status counters' deltas (handler reads, pages, temporary tables, sorts,
 * statements, bytes), which include the status query's own few.
 *
 * Freshly bulk-loaded tables carry InnoDB's first statistics until its background recount, and a plan
 * chosen on them is not one a server up for a while chooses (a first run, measured straight after
 * loading, read all of 工会's 123 grants for 3 households in 40: docs/performance.md, Session 45): every
 * table is analysed before the queries, as bench/findings-setup.ts does. TOKEN_CACHE_MS=0 makes every
 * household query look its token up (the default cache keeps the look-up out of the counts).
 * `--keep-logs DIR` copies the two slow logs there.
 */
import './lib/production';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { loadConfig } from '../db/config';
import { todayIso } from '../domain/dates';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { Rng, seedFromText } from '../federation/demo-random';
import { generateDemo } from '../tools/generate/index';
import { parseCommandLine, positiveIntArg, printUsageError, UsageError } from '../tools/command-args';
import { floorHousehold } from './floor';
import { openBenchDatabases } from './lib/database';
import { listeningHub } from './lib/listening-hub';
import { machineLoad } from './lib/load';
import { HOUSEHOLD_QUERY } from './lib/query';

const USAGE = 'usage: npx tsx bench/household-db-cost.ts [--households 10000] [--requests 40] [--keep-logs DIR]';
const WARM = 30;

/** One statement as the slow log tells it. */
interface LoggedStatement {
  schema: string;
  text: string;
  sent: number;
  examined: number;
  pages: number;
  flags: string[];
  plan: string[];
}

/** The slow log's entries, the log's own header and the counting's own statements left out. */
function slowLogStatements(log: string): LoggedStatement[] {
  const statements: LoggedStatement[] = [];
  for (const entry of log.split(/\n(?=# User@Host)/)) {
    if (!entry.includes('# Query_time')) continue;
    const lines = entry.split('\n');
    const text = lines.filter((l) => l && !l.startsWith('#') && !l.startsWith('SET timestamp') && !l.startsWith('use ') && !/^\/\S+, Version:|^Tcp port:|^Time\s+Id/.test(l)).join(' ');
    if (/^(SHOW|SELECT @@|SET GLOBAL|FLUSH)/i.test(text)) continue;
    const count = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(entry)?.[1] ?? 0);
    statements.push({
      schema: /Schema: (\S*)/.exec(entry)?.[1] ?? '',
      text,
      sent: count('Rows_sent'),
      examined: count('Rows_examined'),
      pages: count('Pages_accessed'),
      flags: ['Full_scan', 'Tmp_table', 'Filesort'].filter((f) => new RegExp(`${f}: Yes`).test(entry)),
      plan: lines.filter((l) => l.startsWith('# explain: ')).slice(1).map((l) => l.slice('# explain: '.length)),
    });
  }
  return statements;
}

/** Statements grouped by database and first words (values out), per household query. */
function perQuery(statements: LoggedStatement[], queries: number, hubDatabase: string): string[] {
  const groups = new Map<string, { n: number; sent: number; examined: number; pages: number; flags: Map<string, number>; plan: string[] }>();
  for (const s of statements) {
    const key = `${s.schema.replace(hubDatabase, 'hub')}  ${s.text.replace(/'[^']*'|\b\d+\b/g, '?').slice(0, 70)}`;
    const g = groups.get(key) ?? { n: 0, sent: 0, examined: 0, pages: 0, flags: new Map<string, number>(), plan: s.plan };
    g.n += 1;
    g.sent += s.sent;
    g.examined += s.examined;
    g.pages += s.pages;
    for (const f of s.flags) g.flags.set(f, (g.flags.get(f) ?? 0) + 1);
    groups.set(key, g);
  }
  const per = (x: number) => (x / queries).toFixed(2).padStart(7);
  const lines = ['  a query: statements, rows sent, rows the server examined, pages; share of them scanning, with a temporary table, sorting'];
  const total = { n: 0, sent: 0, examined: 0, pages: 0 };
  for (const [key, g] of groups) {
    const flags = [...g.flags].map(([f, n]) => `${f} ${(n / g.n).toFixed(2)}`).join(', ');
    lines.push(`${per(g.n)}${per(g.sent)}${per(g.examined)}${per(g.pages)}  ${key}${flags ? `  [${flags}]` : ''}`);
    for (const step of g.plan) lines.push(`${' '.repeat(32)}${step.split('\t').slice(1, 10).join(' ')}`);
    total.n += g.n;
    total.sent += g.sent;
    total.examined += g.examined;
    total.pages += g.pages;
  }
  lines.push(`${per(total.n)}${per(total.sent)}${per(total.examined)}${per(total.pages)}  all`);
  return lines;
}

const COUNTERS = /^(Handler_read_|Handler_write|Handler_update|Handler_tmp_write|Innodb_rows_read|Innodb_buffer_pool_read_requests|Created_tmp|Sort_|Select_scan|Select_range|Questions|Bytes_received|Bytes_sent)/;

async function main(): Promise<void> {
  const values = parseCommandLine(USAGE, { households: { type: 'string', default: '10000' }, requests: { type: 'string', default: '40' }, 'keep-logs': { type: 'string' } });
  const households = positiveIntArg(values.households as string, '--households')!;
  const requests = positiveIntArg(values.requests as string, '--requests')!;
  const keepLogs = values['keep-logs'] as string | undefined;
  const today = todayIso();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-db-cost-'));
  const db = await openBenchDatabases();
  try {
    await generateDemo({ hubUrl: db.hubUrl, sourceUrls: db.sourceUrls, households, seed: 'household-db-cost', referenceDate: today });
    for (const url of [db.hubUrl, ...Object.values(db.sourceUrls)]) {
      const conn = await mysql.createConnection({ uri: url });
      const [tables] = await conn.query<RowDataPacket[]>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'");
      if (tables.length > 0) await conn.query(`ANALYZE TABLE ${tables.map((r) => mysql.escapeId(r.t as string)).join(', ')}`);
      await conn.end();
    }
    const root = new URL(db.hubUrl);
    root.pathname = '/';
    const admin = await mysql.createConnection({ uri: root.toString() });
    // Logged from every connection made from now on (MariaDB copies slow_query_log and long_query_time
    // into each session when it connects); written only while log_output is FILE.
    await admin.query("SET GLOBAL slow_query_log = 1, long_query_time = 0, log_slow_verbosity = 'query_plan,explain,innodb', log_output = 'NONE'");
    await admin.query('SET SESSION slow_query_log = 0');
    const config = {
      ...loadConfig(db.hubUrl, { SOURCE_TIMEOUT_MS: '60000', HUB_TIMEOUT_MS: '60000', AIDHUB_JOB_TAKEOVER_MS: '0', NODE_ENV: process.env.NODE_ENV, TOKEN_CACHE_MS: process.env.TOKEN_CACHE_MS ?? '3600000' }),
      rateLimitPerMinute: 1_000_000_000,
    };
    const { hubPool, sources, identity, url, eligible, close } = await listeningHub(db.hubUrl, config, today);
    const rng = new Rng(seedFromText('household-db-cost'));
    const ids = Array.from({ length: WARM + requests }, () => rng.pick(eligible));
    const throughHub = async (id: number) => {
      const res = await fetch(url, { method: 'POST', headers: { ...identity, 'content-type': 'application/json' }, body: JSON.stringify({ query: HOUSEHOLD_QUERY, variables: { id: String(id) } }) });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(`the hub answered with errors: ${JSON.stringify(body.errors)}`);
    };
    const floorPools = { hub: hubPool, departments: Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, sources[c].pool])) as Record<DepartmentCode, mysql.Pool> };
    const throughFloor = async (id: number) => void (await floorHousehold(floorPools, id, today));
    const status = async () => new Map(((await admin.query<RowDataPacket[]>('SHOW GLOBAL STATUS'))[0]).map((r) => [String(r.Variable_name), Number(r.Value)]));
    const measured = ids.slice(WARM);
    const report: string[] = [];
    for (const [variant, ask] of [['hub', throughHub], ['in-process floor', throughFloor]] as const) {
      for (const id of ids.slice(0, WARM)) await ask(id);
      const log = path.join(logDir, `${variant.replace(/\W+/g, '-')}.log`);
      await admin.query('SET GLOBAL slow_query_log_file = ?', [log]);
      await admin.query("SET GLOBAL log_output = 'FILE'");
      const before = await status();
      for (const id of measured) await ask(id);
      const after = await status();
      await admin.query("SET GLOBAL log_output = 'NONE'");
      await admin.query('FLUSH SLOW LOGS');
      report.push(`${variant}: ${measured.length} household queries, one at a time`, ...perQuery(slowLogStatements(fs.readFileSync(log, 'utf8')), measured.length, new URL(db.hubUrl).pathname.slice(1)));
      const deltas = [...after].filter(([k, v]) => COUNTERS.test(k) && v !== before.get(k)).map(([k, v]) => `${k} ${((v - (before.get(k) ?? 0)) / measured.length).toFixed(2)}`);
      report.push(`  global status a query: ${deltas.join(', ')}`, '');
      if (keepLogs) fs.copyFileSync(log, path.join(keepLogs, path.basename(log)));
    }
    process.stdout.write(`${households} households; token look-ups ${config.tokenCacheMs === 0 ? 'every query' : 'cached'}; ${machineLoad()}\n${report.join('\n')}\n`);
    await admin.end();
    await close();
  } finally {
    await db.discard();
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      printUsageError(err, USAGE);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
