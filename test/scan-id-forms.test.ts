/**
 * A region scan asks each department only the forms of an ID number and of a settlement reference
 * its server does not match by itself (federation/comparisons.ts): on columns that ignore case and
 * trailing spaces (MariaDB's defaults) `…x`, `…X ` and `x1 ` are left out of the `IN` lists, which
 * carried about 12 MB of a 100,000-household scan's 41 MB of statements (docs/performance.md,
 * Session 39, scan's ID forms). A department whose column tells case apart (TiDB's default,
 * emulated by `utf8mb4_bin`) is still asked every form, so the scan still finds its `…x` rows
 * (test/id-number-case.test.ts).
 *
 * The scan runs in this process over a generated city, each department's statements kept as sent.
 */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { hubDrizzle } from '../db/connect';
import { createScan } from '../db/findings/store';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { comparisonOf, ignoresCaseAndPad } from '../federation/comparisons';
import type { SourceDb } from '../federation/contract';
import { disabilityScenario } from '../federation/disability/scenario';
import type { Sources } from '../federation/sources';
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

async function scanCounty(sources: Sources) {
  const hub = hubDrizzle(dbs.hubPool);
  const ruleSet = loadRuleSet();
  const scanId = await createScan(hub, { regionCode: '370811', asOf: TODAY, ruleSet, startedBy: 'test', startedByDepartment: null });
  return runScan({ hub, sources, ruleSet, today: TODAY }, scanId, '370811');
}

/** A form the server matches by itself under a case-insensitive PAD SPACE collation: a lower-case letter, or a trailing space. */
const matchedByServer = (p: string) => / $/.test(p) || /^\s*[0-9]{17}x$/.test(p) || /^\s*SETL/i.test(p) && p !== p.toUpperCase();

it('names collations as they compare', () => {
  expect(['utf8mb4_general_ci', 'utf8mb4_unicode_ci', 'latin1_swedish_ci', 'utf8mb4_uca1400_ai_ci'].filter(ignoresCaseAndPad)).toHaveLength(4);
  expect(['utf8mb4_bin', 'utf8mb4_general_nopad_ci', 'utf8mb4_0900_ai_ci', 'utf8mb4_nopad_bin', 'utf8mb4_0900_as_cs', 'utf8mb4_uca1400_ai_ci_nopad'].filter(ignoresCaseAndPad)).toEqual([]);
});

it('a county scan asks no department, all of whose columns ignore case and trailing spaces, for `…x` or a trailing space', async () => {
  for (const code of DEPARTMENT_CODES) expect([code, await comparisonOf(dbs.sourceSet, code)]).toEqual([code, 'CASE_AND_PAD_IGNORED']);
  const { sources, params } = capturing();
  const counts = await scanCounty(sources);
  expect(counts.findingsCount).toBeGreaterThan(0);
  const asked = [...params.values()].flat();
  // The ID numbers the scan asks about: at most two forms each (`…X`, ` …X`), where every form was three or six.
  const idForms = asked.filter((p) => /^\s*[0-9]{17}[0-9Xx]\s*$/.test(p));
  const ids = new Set(idForms.map((p) => p.trim().toUpperCase()));
  expect(ids.size).toBeGreaterThan(50);
  expect(asked.filter(matchedByServer)).toEqual([]);
  expect(idForms.filter((p) => p.startsWith(' ')).length).toBeGreaterThan(0);
}, 300_000);

it('a department with a case-sensitive column is still asked every form', async () => {
  const table = disabilityScenario.tableName('certificates');
  await dbs.sources.DISABILITY.execute(sql.raw(`ALTER TABLE \`${table}\` MODIFY id_card CHAR(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL`));
  expect(await comparisonOf(dbs.sourceSet, 'DISABILITY')).toBe('EXACT');
  const { sources, params } = capturing();
  await scanCounty(sources);
  expect(params.get('DISABILITY')!.filter((p) => /^[0-9]{17}x$/.test(p)).length).toBeGreaterThan(0);
  for (const code of DEPARTMENT_CODES.filter((c) => c !== 'DISABILITY')) expect([code, params.get(code)!.filter(matchedByServer).length]).toEqual([code, 0]);
}, 300_000);
