/**
 * Every read the hub sends a department for a few people goes through an index: none scans a
 * whole table. A scan costs nothing on a test database and grows with the city (an OR across two
 * joined tables once read every union grant on each pre-grant check). Each statement the adapters
 * and the findings reads send is captured and run again under EXPLAIN on a generated city.
 */
import type mysql from 'mysql2/promise';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { ADAPTERS, factProviders } from '../federation/registry';
import type { SourceDb } from '../federation/contract';
import { healthScenario } from '../federation/health/scenario';
import { unionScenario } from '../federation/union/scenario';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { capturingStatements, EXPLAIN_ROWS, type Captured } from './support/statements';
import { TODAY } from './support/scenarios';

let dbs: TestDatabases;
let ids: string[];
let settlementRefs: string[];
/** As many stays as a region scan's slice asks about at once (about 500 for 1,500 households). */
let sliceRefs: string[];

beforeAll(async () => {
  dbs = await createTestDatabases('index_use');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 20_000, seed: 5, referenceDate: TODAY, provision: false, plant: true });
  // A household's few people. Each ID number is asked in three forms (as the hub keys it, and with a
  // space before or after: federation/id-numbers.ts storedForms), six for one ending in X: eight
  // people's thirty constants against this city's few hundred union grants make the optimiser
  // rightly prefer a scan, as it would not against a real city's table.
  const [members] = await dbs.hubPool.query<mysql.RowDataPacket[]>('SELECT id_number FROM household_member ORDER BY household_id LIMIT 3');
  // And one ending in the check character X, which the adapters are also asked for as `…x` (federation/id-numbers.ts).
  const [withX] = await dbs.hubPool.query<mysql.RowDataPacket[]>("SELECT id_number FROM household_member WHERE id_number LIKE '%X' ORDER BY household_id LIMIT 1");
  ids = [...new Set([...members, ...withX].map((m) => m.id_number as string))];
  settlementRefs = (await healthScenario.rows(dbs.sources.HEALTH, 'settlements', {}, 3)).map((s) => s.setlId);
  sliceRefs = (await healthScenario.rows(dbs.sources.HEALTH, 'settlements', {}, 500)).map((s) => s.setlId);
}, 120_000);

afterAll(async () => dbs?.close());

/** The source's database with every statement it is sent kept, to be explained afterwards. */
function capturing(code: DepartmentCode): { db: SourceDb; statements: Captured[] } {
  return capturingStatements(dbs.sourceSet[code].pool);
}

/**
 * Tables a statement reads from start to end: EXPLAIN's access types ALL (every row) and index
 * (every entry of an index), a UNION's own result (`<union1,2>`) aside.
 */
async function fullScans(code: DepartmentCode, statements: Captured[]): Promise<string[]> {
  const scans: string[] = [];
  for (const s of statements) {
    const [plan] = await dbs.sourceSet[code].pool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${s.sql}`, s.params);
    for (const step of plan) if ((step.type === 'ALL' || step.type === 'index') && !String(step.table).startsWith('<union')) scans.push(`${step.table} (${step.type}) in: ${s.sql.slice(0, 120)}…`);
  }
  return scans;
}

// On a few dozen rows the optimiser rightly scans; 20,000 households give every table hundreds.
it('generated a city whose department tables are big enough for the optimiser to prefer an index', async () => {
  expect((await unionScenario.counts(dbs.sources.UNION)).grants).toBeGreaterThan(300);
  expect(ids.length).toBeGreaterThanOrEqual(3);
  expect(ids.some((id) => id.endsWith('X'))).toBe(true);
});

it.each(DEPARTMENT_CODES)("%s: every statement of a few people's aid reads through an index", async (code) => {
  const { db, statements } = capturing(code);
  await ADAPTERS[code].aidByIdNumbers(db, ids, TODAY);
  expect(statements.length).toBeGreaterThan(0);
  expect(await fullScans(code, statements)).toEqual([]);
});

const FACT_KINDS = ['settlements', 'certificates', 'students', 'jobLosses'] as const;

it.each(FACT_KINDS)('the %s reads of every department providing them read through an index', async (kind) => {
  const providers = factProviders(kind);
  expect(providers.length).toBeGreaterThan(0);
  for (const { code, reader } of providers) {
    const { db, statements } = capturing(code);
    await reader.byIdNumbers(db, ids);
    if ('byRefs' in reader) await reader.byRefs(db, settlementRefs);
    expect(statements.length).toBeGreaterThan(0);
    expect(await fullScans(code, statements)).toEqual([]);
  }
});

it('aid read by settlement reference (X7 across households) reads through an index in every department that offers it', async () => {
  const offering = DEPARTMENT_CODES.filter((code) => ADAPTERS[code].aidBySettlementRefs);
  expect(offering.sort()).toEqual(['HEALTH', 'REPORTED', 'UNION']);
  for (const code of offering) {
    const { db, statements } = capturing(code);
    await ADAPTERS[code].aidBySettlementRefs!(db, settlementRefs, '2026-03-15');
    expect(statements.length).toBeGreaterThan(0);
    expect(await fullScans(code, statements)).toEqual([]);
  }
});

/**
 * Rows the server reads for `statements` (InnoDB's handler counts: entries read along an index or
 * a table, and index look-ups), each run on one connection of its own.
 */
async function rowsRead(code: DepartmentCode, statements: Captured[]): Promise<number> {
  const conn = await dbs.sourceSet[code].pool.getConnection();
  try {
    await conn.query('FLUSH STATUS');
    for (const s of statements) await conn.query(s.sql, s.params);
    const [status] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_first', 'Handler_read_key', 'Handler_read_next', 'Handler_read_rnd_next')");
    return status.reduce((n, r) => n + Number(r.Value), 0);
  } finally {
    conn.release();
  }
}

// A region scan asks for a slice's stays at once: hundreds of references, three forms each
// (federation/settlement-refs.ts). Most aid payments and ledger entries name no stay, so their
// settlement index's statistics count a key's rows among the NULLs: past 200 constants MariaDB read
// the whole table, and past 1,000 it turned the list into a derived table that reads it whatever
// index is named (1.3 million rows of medical insurance's payments a county scan, docs/performance.md, Session 39).
it("aid read by settlement reference for a scan slice's stays reads through an index, in statements of fewer than 1,000 constants", async () => {
  expect(sliceRefs.length).toBe(500);
  for (const code of ['HEALTH', 'REPORTED', 'UNION'] as const) {
    const { db, statements } = capturing(code);
    const tied = await ADAPTERS[code].aidBySettlementRefs!(db, sliceRefs, '2026-03-15');
    expect(await fullScans(code, statements)).toEqual([]);
    for (const s of statements) for (const list of s.params.filter(Array.isArray)) expect(list.length).toBeLessThan(1000);
    // Read through the index: at most a look-up a constant asked and the rows found, not the table.
    const asked = statements.flatMap((s) => s.params.filter(Array.isArray)).reduce((n, l) => n + l.length, 0);
    expect(await rowsRead(code, statements)).toBeLessThan(asked + 2 * tied.length + 50);
  }
});
