/**
 * `npx tsx bench/region-pages.ts [--households N] [--port P]`
 *
 * How a page of `householdsInRegion` is read on a county-sized table: N households (default
 * 300,000) of which a third in 任城区 (370811: 100,000 by default, over 20 townships of 30 villages),
 * the rest over the city's ten other counties, ids in random county order as years of registration
 * leave them. Loaded into a throwaway private server (on port P, default a free one) migrated as the
 * hub's is. For a page of 100 at each level (the city, the county, a township, a village), first and
 * from the middle of the division, prints EXPLAIN's key, rows and Extra and the index entries the
 * server read (Handler_read_* counters): in hub id order (householdsUnderDivision, the API's since
 * session 34, a region scan's and the monthly comparison's too) and in the (division, id) order
 * pages were read in before (underPrefixAfter below), and the id order's statement without its FORCE INDEX, as the server plans it by itself.
 * Counts, not times: a page that sorted the division, or walked its index from its first entry,
 * reads that many entries.
 */
import { and, asc, eq, gt, like, or, type SQL } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { createPool, hubDrizzle } from '../db/connect';
import { household } from '../db/household/schema';
import { divisionPage } from '../db/household/region-pages';
import { ensureDatabase, migrateUrl } from '../db/setup/provision';
import { startThrowawayServer } from '../db/setup/private-server';
import { divisionPrefix } from '../domain/division-code';
import { parseCommandLine, positiveIntArg, printUsageError, UsageError } from '../tools/command-args';
import { EXPLAIN_ROWS } from '../test/support/statements';

/** Households under a division prefix after a key in (division, id) order: pages as read before session 34. */
function underPrefixAfter(prefix: string, after: { regionCode: string; id: number } | null): SQL | undefined {
  const under = like(household.regionCode, `${prefix}%`);
  return after
    ? and(under, or(gt(household.regionCode, after.regionCode), and(eq(household.regionCode, after.regionCode), gt(household.id, after.id))))
    : under;
}

/** The order underPrefixAfter pages in: straight off the `household_region` index. */
const REGION_ORDER = [asc(household.regionCode), asc(household.id)];

const USAGE = `usage: npx tsx bench/region-pages.ts [--households N] [--port P]

  --households N   households to load (default 300000; a third of them in county 370811)
  --port P         the throwaway server's port (default: a free one)`;

/**
 * The options, read by the tools' parser (`--households N` or `--households=N`), each count checked
 * as theirs (positiveIntArg): a refusal is `error: CODE: …` with the usage, exit 2, as every tool's
 * (it was `error: --x is not an option this bench takes …`, no code, and `--households=N` refused).
 */
function parse(argv: string[]): { households: number; port?: number } {
  const values = parseCommandLine(USAGE, { households: { type: 'string' }, port: { type: 'string' } }, argv);
  try {
    return { households: positiveIntArg(values.households, 'households') ?? 300_000, port: positiveIntArg(values.port, 'port') };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printUsageError(err, USAGE);
    process.exit(2);
  }
}

const COUNTIES = ['370811', '370812', '370826', '370827', '370828', '370829', '370830', '370831', '370832', '370881', '370883'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A household's village from a random number: a third in 370811, the rest over the other counties; 20 townships of 30 villages each. */
function villageOf(r: number): string {
  const county = r % 3 === 0 ? COUNTIES[0] : COUNTIES[1 + ((r >> 2) % 10)];
  return `${county}${pad(1 + ((r >> 6) % 20), 3)}${pad(1 + ((r >> 11) % 30), 3)}`;
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const server = await startThrowawayServer({ prefix: 'aidhub-bench-region-pages-', port: opts.port });
  const url = `${server.url}aidhub_region_pages`;
  const pool = createPool(url);
  try {
    await ensureDatabase(url);
    await migrateUrl(url, `${__dirname}/../db/household/migrations`);
    const conn = await mysql.createConnection({ uri: url });
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) >>> 1;
    for (let from = 0; from < opts.households; from += 5_000) {
      const rows = [];
      for (let k = from; k < Math.min(from + 5_000, opts.households); k++) rows.push([`R-${k}`, villageOf(random()), `${k} 号`]);
      await conn.query('INSERT INTO household (registration_no, region_code, address) VALUES ?', [rows]);
    }
    await conn.query('ANALYZE TABLE household');
    const db = hubDrizzle(pool);
    const [[{ n }]] = (await conn.query("SELECT COUNT(*) AS n FROM household WHERE region_code LIKE '370811%'")) as unknown as [{ n: number }[]];
    process.stdout.write(`${opts.households} households, ${n} of them in 370811\n`);

    /** EXPLAIN of a statement, and the index entries and rows the server read running it. */
    const measure = async (label: string, statement: { sql: string; params: unknown[] }) => {
      const [plan] = (await conn.query(`${EXPLAIN_ROWS} ${statement.sql}`, statement.params)) as unknown as [{ type: string; key: string | null; rows: number; Extra: string }[]];
      await conn.query('FLUSH STATUS');
      await conn.query(statement.sql, statement.params);
      // Entries InnoDB walked past for the index condition too (ICP), not only those it handed up.
      const [status] = (await conn.query("SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler_read%' OR Variable_name = 'Handler_icp_attempts'")) as unknown as [{ Variable_name: string; Value: string }[]];
      const read = status.reduce((sum, s) => sum + Number(s.Value), 0);
      process.stdout.write(`  ${label.padEnd(28)} ${plan[0].type.padEnd(6)} key ${String(plan[0].key).padEnd(20)} rows ${String(plan[0].rows).padStart(7)}  read ${String(read).padStart(7)}  ${plan[0].Extra}\n`);
    };
    for (const code of ['370800', '370811', '370811007', '370811007012']) {
      const prefix = divisionPrefix(code);
      const [ids] = (await conn.query('SELECT id, region_code AS regionCode FROM household WHERE region_code LIKE ? ORDER BY region_code, id', [`${prefix}%`])) as unknown as [{ id: number; regionCode: string }[]];
      const middle = ids[Math.floor(ids.length / 2)];
      const byId = [...ids].sort((a, b) => a.id - b.id)[Math.floor(ids.length / 2)];
      process.stdout.write(`${code}: ${ids.length} households\n`);
      for (const [label, after] of [['first page', null], ['from the middle', byId]] as const) {
        const statement = divisionPage(db, prefix, 101, after && { prefix, id: after.id }).toSQL();
        await measure(`by id, ${label}`, statement);
        // The same without its index named: what the server chose by itself.
        await measure(`  unforced`, { ...statement, sql: statement.sql.replace(/ force index \([^)]*\)/i, '') });
      }
      for (const [label, after] of [['first page', null], ['from the middle', middle]] as const) {
        await measure(`by division, ${label}`, db.select().from(household).where(underPrefixAfter(prefix, after)).orderBy(...REGION_ORDER).limit(101).toSQL());
      }
    }
    await conn.end();
  } finally {
    await pool.end();
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
