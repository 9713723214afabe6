/**
 * A region scan asks each department only the forms of an ID number and of a settlement reference
 * its server does not match by itself (federation/comparisons.ts): on columns that ignore case and
 * trailing spaces (MariaDB's defaults) `…x`, `…X ` and `x1 ` are left out of the `IN` lists, which
 * carried about 12 MB of a 100,000-household scan's 41 MB of statements (docs/performance.md,
 * Session 39, scan's ID forms). A department whose column tells case apart (TiDB's default,
 * emulated by `utf8mb4_bin`) is still asked every form, so the scan still finds its `…x` rows
 * (test/id-number-case.test.ts).
 *
 * Nor is any department asked an ID number's other writings (an old 15-digit number, full-width
 * digits: domain/id-number.ts `otherWrittenForms`, three or four constants a person in a household
 * read) but for the people its rows hold in them, as the scan's person keys found them.
 *
 * The scan runs in this process over a generated city, each department's statements kept as sent.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { hubDrizzle } from '../db/connect';
import { createScan } from '../db/findings/store';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { fullWidth, normaliseIdNumber, oldIdNumberOf } from '../domain/id-number';
import { civilAffairsScenario } from '../federation/civil-affairs/scenario';
import { comparisonOf, ignoresCaseAndPad } from '../federation/comparisons';
import type { SourceDb } from '../federation/contract';
import { disabilityScenario } from '../federation/disability/scenario';
import type { Sources } from '../federation/sources';
import { peopleKnownToDepartments } from '../federation/person-keys';
import { runScan } from '../resolvers/findings/scan';
import { loadRuleSet } from '../rules/load';
import { generateDemo } from '../tools/generate/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { TODAY } from './support/scenarios';

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('scan_id_forms');
  await generateDemo({ hubUrl: dbs.hubUrl, sourceUrls: dbs.sourceUrls, households: 600, seed: 7, referenceDate: TODAY, provision: false, plant: true });
}, 180_000);

afterAll(async () => dbs?.close());

/** Every string a statement carries: its parameters, and the quoted constants of its text (db/prepared.ts writes a list's constants into the text). */
function stringsOf(statement: unknown, values: unknown): string[] {
  const text = typeof statement === 'string' ? statement : String((statement as { sql?: string }).sql ?? '');
  const params = (Array.isArray(values) ? values : ((statement as { values?: unknown[] }).values ?? [])) as unknown[];
  // A list written out once (db/prepared.ts listsEscapedOnce) is sent as its SQL text.
  const written = params.flatMap((p) => (p && typeof (p as { toSqlString?: unknown }).toSqlString === 'function' ? [(p as { toSqlString(): string }).toSqlString()] : []));
  const quoted = [text, ...written].flatMap((t) => [...t.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]));
  return [...params.filter((p): p is string => typeof p === 'string'), ...quoted];
}

/** The sources with every string each department is sent kept, by department. */
function capturing(): { sources: Sources; params: Map<DepartmentCode, string[]> } {
  const params = new Map<DepartmentCode, string[]>(DEPARTMENT_CODES.map((code) => [code, []]));
  const sources = Object.fromEntries(
    DEPARTMENT_CODES.map((code) => {
      const pool = dbs.sourceSet[code].pool;
      const kept = new Proxy(pool, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          if (key !== 'query' && key !== 'execute') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          return (...args: unknown[]) => {
            params.get(code)!.push(...stringsOf(args[0], args[1]));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      return [code, { ...dbs.sourceSet[code], pool: kept, db: drizzle(kept) as unknown as SourceDb }];
    }),
  ) as Sources;
  return { sources, params };
}

async function scanCounty(sources: Sources = dbs.sourceSet) {
  const hub = hubDrizzle(dbs.hubPool);
  const ruleSet = loadRuleSet();
  const scanId = await createScan(hub, { regionCode: '370811', asOf: TODAY, ruleSet, startedBy: 'test', startedByDepartment: null });
  return { ...(await runScan({ hub, sources, ruleSet, today: TODAY }, scanId, '370811')), scanId };
}

/** A scan's findings as seen: each one's fingerprint and content (its people, records, measure). */
async function findingsSeen(scanId: number): Promise<Map<string, string>> {
  const [rows] = (await dbs.hubPool.query('SELECT f.fingerprint, f.content_hash AS content, f.detail FROM finding_occurrence o JOIN finding f ON f.id = o.finding_id WHERE o.scan_id = ?', [scanId])) as unknown as [
    { fingerprint: string; content: string; detail: string }[],
  ];
  return new Map(rows.map((r) => [r.fingerprint, `${r.content} ${r.detail}`]));
}

/** A form the server matches by itself under a case-insensitive PAD SPACE collation: a lower-case letter, or a trailing space. */
const matchedByServer = (p: string) => / $/.test(p) || /^\s*[0-9]{17}x$/.test(p) || /^\s*SETL/i.test(p) && p !== p.toUpperCase();

it('names collations as they compare', () => {
  expect(['utf8mb4_general_ci', 'utf8mb4_unicode_ci', 'latin1_swedish_ci', 'utf8mb4_uca1400_ai_ci'].filter(ignoresCaseAndPad)).toHaveLength(4);
  expect(['utf8mb4_bin', 'utf8mb4_general_nopad_ci', 'utf8mb4_0900_ai_ci', 'utf8mb4_nopad_bin', 'utf8mb4_0900_as_cs', 'utf8mb4_uca1400_ai_ci_nopad'].filter(ignoresCaseAndPad)).toEqual([]);
});

/** Every spelling other than the key each department's rows hold a person in, as the scan's person keys read them. */
async function spellingsHeld(): Promise<Map<DepartmentCode, Set<string>>> {
  const writings = new Map<DepartmentCode, Map<string, string[]>>();
  await peopleKnownToDepartments(dbs.sourceSet, writings);
  return new Map([...writings].map(([code, held]) => [code, new Set([...held.values()].flat())]));
}

it('a county scan asks each department, all of whose columns ignore case and trailing spaces, an ID number by its key, never `…x` or a trailing space, and beside it only the spellings its rows hold', async () => {
  for (const code of DEPARTMENT_CODES) expect([code, await comparisonOf(dbs.sourceSet, code)]).toEqual([code, 'CASE_AND_PAD_IGNORED']);
  const { sources, params } = capturing();
  const counts = await scanCounty(sources);
  expect(counts.findingsCount).toBeGreaterThan(0);
  const asked = [...params.values()].flat();
  const idForms = asked.filter((p) => /^\s*[0-9]{17}[0-9Xx]\s*$/.test(p));
  const ids = new Set(idForms.map((p) => p.trim().toUpperCase()));
  expect(ids.size).toBeGreaterThan(50);
  expect(asked.filter(matchedByServer)).toEqual([]);
  // The key alone (Session 43: ` …X` was asked of everyone, where a department's rows held it of no one), and the spellings held.
  const held = await spellingsHeld();
  for (const code of DEPARTMENT_CODES) {
    const otherwise = params.get(code)!.filter((p) => /^\s*[0-9]{17}[0-9Xx]\s*$/.test(p) && p !== normaliseIdNumber(p));
    expect([code, otherwise.filter((p) => !held.get(code)!.has(p))]).toEqual([code, []]);
  }
}, 300_000);

it('a department with a case-sensitive column is asked, beside each key, the spellings its rows hold: `…x` where a row holds it', async () => {
  const table = disabilityScenario.tableName('certificates');
  await dbs.sources.DISABILITY.execute(sql.raw(`ALTER TABLE \`${table}\` MODIFY id_card CHAR(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL`));
  expect(await comparisonOf(dbs.sourceSet, 'DISABILITY')).toBe('EXACT');
  // The certificates of someone in the county's households written with a lower-case x, as a clerk may.
  const [held] = (await dbs.sources.DISABILITY.execute(sql`SELECT DISTINCT id_card AS id FROM ${sql.raw(`\`${table}\``)} WHERE id_card LIKE '%X'`)) as unknown as [{ id: string }[]];
  const [[row]] = (await dbs.hubPool.query('SELECT m.id_number AS id FROM household_member m JOIN household h ON h.id = m.household_id WHERE h.region_code LIKE ? AND m.id_number IN (?) ORDER BY m.id_number LIMIT 1', ['370811%', held.map((h) => h.id)])) as unknown as [{ id: string }[]];
  const lower = `${row.id.slice(0, 17)}x`;
  await dbs.sources.DISABILITY.execute(sql`UPDATE ${sql.raw(`\`${table}\``)} SET id_card = ${lower} WHERE id_card = ${row.id}`);
  const { sources, params } = capturing();
  await scanCounty(sources);
  expect(new Set(params.get('DISABILITY')!.filter((p) => /^[0-9]{17}x$/.test(p)))).toEqual(new Set([lower]));
  for (const code of DEPARTMENT_CODES.filter((c) => c !== 'DISABILITY')) expect([code, params.get(code)!.filter(matchedByServer).length]).toEqual([code, 0]);
}, 300_000);

it('departments holding some people under an old 15-digit number or full-width digits are asked those forms of those people only, and the scan finds the same', async () => {
  const before = await scanCounty();
  const seen = await findingsSeen(before.scanId);
  const inFindings = [...seen.values()].join(' ');
  // The temporary-aid grants and disability certificates of people the county's findings name, born
  // in the 1900s, rewritten as old records and full-width input hold them, one and the other in
  // turn: by row, so the findings' records are the same rows (the certificates' column is binary
  // since the test above).
  const planted = new Map<DepartmentCode, Set<string>>([
    ['CIVIL_AFFAIRS', await plant('CIVIL_AFFAIRS', civilAffairsScenario.tableName('temporaryAid'), 'grant_id', 'id_no', inFindings)],
    ['DISABILITY', await plant('DISABILITY', disabilityScenario.tableName('certificates'), 'cert_no', 'id_card', inFindings)],
  ]);
  expect(planted.get('CIVIL_AFFAIRS')!.size + planted.get('DISABILITY')!.size).toBeGreaterThan(3);
  const { sources, params } = capturing();
  const after = await scanCounty(sources);
  // Every row still read under its person: the same findings with the same people and records.
  expect(after.newCount).toBe(0);
  expect(await findingsSeen(after.scanId)).toEqual(seen);
  const otherWriting = (p: string) => /^\d{15}$/.test(p) || /[\uFF10-\uFF19]/.test(p);
  for (const code of DEPARTMENT_CODES) expect([code, new Set(params.get(code)!.filter(otherWriting))]).toEqual([code, planted.get(code) ?? new Set()]);
}, 300_000);

/** Rewrites a department table's ID numbers of people born in the 1900s named in `inFindings`, old and full-width in turn; the forms written. */
async function plant(code: DepartmentCode, table: string, key: string, column: string, inFindings: string): Promise<Set<string>> {
  const db = dbs.sources[code];
  const [rows] = (await db.execute(sql.raw(`SELECT ${key} AS k, ${column} AS id FROM \`${table}\` ORDER BY ${key}`))) as unknown as [{ k: string | number; id: string }[]];
  const planted = new Set<string>();
  for (const r of rows) {
    const old = oldIdNumberOf(r.id);
    if (!old || !inFindings.includes(r.id)) continue;
    const form = planted.size % 2 === 0 ? old : fullWidth(r.id);
    planted.add(form);
    await db.execute(sql`UPDATE ${sql.raw(`\`${table}\``)} SET ${sql.raw(column)} = ${form} WHERE ${sql.raw(key)} = ${r.k}`);
  }
  return planted;
}
