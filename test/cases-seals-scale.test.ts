/**
 * The case seals at more rows than a page (db/cases/seals.ts SEAL_PAGE): the first start seals the
 * rows standing in batches, each its own transaction, and one stopped between two batches is
 * continued by the next start with nothing sealed twice or missed, as are two starting at once;
 * `audit:verify` reads rows and seals a page at a time and names the same rows whatever the page.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { eq } from 'drizzle-orm';
import { aidCase } from '../db/cases/schema';
import { createPool, hubDrizzle } from '../db/connect';
import { SEAL_PAGE, sealedTransaction, sealLater, sealStanding, verifyCaseSeals, type CaseSealFinding } from '../db/cases/seals';
import { fillCaseRows } from './support/case-rows';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { until } from './support/until';

const ROWS = 12_000;
/** The default page, and an odd one that ends pages everywhere (pages of one or two rows: test/cases-seals). */
const PAGES = [SEAL_PAGE, 997];

let dbs: TestDatabases;
type Row = Record<string, any>;

async function query(sql: string, params: unknown[] = []): Promise<Row[]> {
  const [rows] = await dbs.hubPool.query(sql, params);
  return rows as Row[];
}

/** The seals standing, and how many distinct rows they seal. */
async function sealCounts(): Promise<{ seals: number; rows: number }> {
  const [r] = await query('SELECT COUNT(*) AS seals, COUNT(DISTINCT table_name, row_key) AS rows_sealed FROM case_seal');
  return { seals: Number(r.seals), rows: Number(r.rows_sealed) };
}

/** A database an earlier release wrote: the rows, no seal. */
async function unseal(): Promise<void> {
  await query('DELETE FROM case_seal');
  await query('DELETE FROM case_seal_head');
}

const brief = (findings: CaseSealFinding[]) => findings.map((f) => [f.problem, f.table, f.rowKey]);

beforeAll(async () => {
  dbs = await createTestDatabases('cases_seals_scale');
  const conn = await mysql.createConnection(dbs.hubUrl);
  try {
    await fillCaseRows(conn, ROWS);
  } finally {
    await conn.end();
  }
  expect(ROWS).toBeGreaterThan(SEAL_PAGE);
});

afterAll(async () => {
  await dbs?.close();
});

describe('the first start seals the rows standing in batches', () => {
  it('continues a sealing stopped between two batches where it stopped: nothing sealed twice, nothing missed', async () => {
    await unseal();
    const stopped = new Error('stopped between two batches');
    let committed = 0;
    await expect(
      sealStanding(dbs.hub, {
        batch: 1000,
        afterBatch: (sealed) => {
          committed = sealed;
          if (sealed >= 3000) throw stopped;
        },
      }),
    ).rejects.toBe(stopped);
    // The batches before the stop committed, with the cursor; the rest have no seal yet.
    expect(committed).toBeGreaterThanOrEqual(3000);
    expect(committed).toBeLessThan(ROWS);
    expect(await sealCounts()).toEqual({ seals: committed, rows: committed });
    const [head] = await query('SELECT last_seq, standing_table FROM case_seal_head WHERE id = 1');
    expect(Number(head.last_seq)).toBe(committed);
    expect(head.standing_table).not.toBeNull();
    const half = await verifyCaseSeals(dbs.hub);
    expect(half.ok ? [] : half.findings).toEqual([expect.objectContaining({ problem: 'UNSEALED', message: expect.stringMatching(/stopped at case_event after \d+/) })]);
    // The next start seals the rest, once.
    expect(await sealStanding(dbs.hub, { batch: 1000 })).toBe(ROWS - committed);
    expect(await sealCounts()).toEqual({ seals: ROWS, rows: ROWS });
    expect(await sealStanding(dbs.hub)).toBe(0);
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true, rows: ROWS, seals: ROWS });
  });

  it('continues a sealing whose process was killed (SIGKILL) in the middle', async () => {
    await unseal();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support', 'seal-standing-process.ts'), dbs.hubUrl, '300'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    // Killed once some batches have committed, wherever it is then (inside a batch or between two).
    await until('the killed start to have sealed 1,500 rows', async () => Number((await query('SELECT COALESCE(MAX(last_seq), 0) AS n FROM case_seal_head'))[0].n), (n) => n >= 1500);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = await sealCounts();
    expect(before.seals).toBe(before.rows);
    expect(before.seals).toBeLessThan(ROWS);
    expect(await sealStanding(dbs.hub)).toBe(ROWS - before.seals);
    expect(await sealCounts()).toEqual({ seals: ROWS, rows: ROWS });
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true, rows: ROWS, seals: ROWS });
  });

  it('shares the batches between two starts at once: each row sealed once', async () => {
    await unseal();
    const pools = [createPool(dbs.hubUrl, { connectionLimit: 1 }), createPool(dbs.hubUrl, { connectionLimit: 1 })];
    try {
      const sealed = await Promise.all(pools.map((p) => sealStanding(hubDrizzle(p), { batch: 500 })));
      expect(sealed[0] + sealed[1]).toBe(ROWS);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    expect(await sealCounts()).toEqual({ seals: ROWS, rows: ROWS });
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true, rows: ROWS, seals: ROWS });
  });
});

describe('audit:verify a page at a time', () => {
  it('names the same rows whatever its page, across pages and with rows sealed more than once', async () => {
    // A hub write changes a case twice: its key has three seals, the last one holds.
    for (const summary of ['再次核查', '复核完毕']) {
      await sealedTransaction(dbs.hub, async (tx) => {
        await tx.update(aidCase).set({ summary }).where(eq(aidCase.id, 7));
        sealLater(tx, aidCase, eq(aidCase.id, 7));
      });
    }
    for (const page of PAGES) expect(await verifyCaseSeals(dbs.hub, [], { page })).toMatchObject({ ok: true, rows: ROWS, seals: ROWS + 2 });
    // Out of band: an event changed, a slip and a meeting's department deleted, a case inserted, the twice-changed case changed again.
    const [dept] = await query('SELECT meeting_id, department FROM case_meeting_department ORDER BY meeting_id DESC, department LIMIT 1');
    await query("UPDATE case_event SET reason = '改过' WHERE id = 4000");
    await query('DELETE FROM referral_slip WHERE id = 2001');
    await query('DELETE FROM case_meeting_department WHERE meeting_id = ? AND department = ?', [dept.meeting_id, dept.department]);
    const conn = await dbs.hubPool.getConnection();
    try {
      // Its household is one of the filled rows' (foreign keys unchecked, as they were written).
      await conn.query('SET FOREIGN_KEY_CHECKS = 0');
      await conn.query("INSERT INTO aid_case (id, household_id, township_code, origin, urgency, state, summary, first_office, owner_office, reported_at) VALUES (900001, 1, '370811001', 'APPLICATION', 'NORMAL', 'REPORTED', '补录', 'CIVIL_AFFAIRS', 'CIVIL_AFFAIRS', '2026-01-01 00:00:00')");
      await conn.query('SET FOREIGN_KEY_CHECKS = 1');
    } finally {
      conn.release();
    }
    await query("UPDATE aid_case SET summary = '又改' WHERE id = 7");
    const expected = [
      ['CHANGED', 'aid_case', '7'],
      ['UNSEALED', 'aid_case', '900001'],
      ['CHANGED', 'case_event', '4000'],
      ['DELETED', 'referral_slip', '2001'],
      ['DELETED', 'case_meeting_department', `${dept.meeting_id}/${dept.department}`],
    ];
    for (const page of PAGES) {
      const v = await verifyCaseSeals(dbs.hub, [], { page });
      expect(v.ok ? [] : brief(v.findings)).toEqual(expected);
    }
  });
});
