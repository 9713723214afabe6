/**
 * How a department's server compares the strings the hub asks it for, as far as the forms of an ID
 * number or a settlement reference go (federation/id-numbers.ts, federation/settlement-refs.ts).
 * The hub asks for every form a department may hold a key in (`…X`, `…x`, each with one space before
 * and after) because a case-sensitive column (TiDB's default `utf8mb4_bin`, a `_bin` or `_cs` one)
 * does not return `…x` for `…X`, and a NO PAD one (MySQL 8's `utf8mb4_0900_ai_ci`, MariaDB's
 * `_nopad_`) does not return `…X ` for `…X`. Where every column of a department's tables is
 * case-insensitive and PAD SPACE (MariaDB's and MySQL 5.7's defaults), the server itself returns
 * those for the key, and only the key and the key with a space before it (which no collation
 * ignores) need asking: a region scan's statements carry about a third of the constants
 * (docs/performance.md, Session 39, scan's ID forms).
 *
 * Known from the schema, not from the rows: a department that starts writing `…x` or `…X ` tomorrow
 * is still read whole, where the forms its rows held when the hub last looked would not be. A scan
 * reads the collations when it starts (one statement a department); a column's collation changes
 * only by a schema change. TiDB is not trusted with a `_ci` name: with its old collation framework
 * (new_collations_enabled_on_first_bootstrap off) every collation compares as binary.
 */
import { getTableName, sql } from 'drizzle-orm';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import type { Comparison } from './contract';
import { departmentReadError, withinScanLimit } from './reads';
import { ADAPTERS_AS_WRITTEN } from './registry';
import type { Sources } from './sources';


/** Whether a collation (by name) is case-insensitive and PAD SPACE: `_ci`, neither `_nopad_` (MariaDB) nor `_0900_` (MySQL 8, NO PAD). */
export function ignoresCaseAndPad(collation: string): boolean {
  const name = collation.toLowerCase();
  return name.endsWith('_ci') && !name.includes('nopad') && !name.includes('_0900_');
}

/** How a department's server compares its tables' strings: one statement. */
export async function comparisonOf(sources: Sources, code: DepartmentCode): Promise<Comparison> {
  const names = ADAPTERS_AS_WRITTEN[code].tables.map((t) => getTableName(t));
  if (names.length === 0) return 'EXACT';
  const rows = (await withinScanLimit(sources, code, (db) =>
    db.execute(
      sql`SELECT VERSION() AS version, COUNT(DISTINCT TABLE_NAME) AS tables, GROUP_CONCAT(DISTINCT COLLATION_NAME) AS collations FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${sql.join(
        names.map((n) => sql`${n}`),
        sql`, `,
      )})`,
    ),
  )) as unknown as [{ version: string; tables: number | string; collations: string | null }[]];
  const { version, tables, collations } = rows[0][0];
  // A table not found (another schema, a view of another name): not known, every form asked.
  if (/tidb/i.test(version) || Number(tables) !== new Set(names).size || !collations) return 'EXACT';
  return collations.split(',').every(ignoresCaseAndPad) ? 'CASE_AND_PAD_IGNORED' : 'EXACT';
}

/** Every department's comparison, read concurrently. */
export async function comparisonsOf(sources: Sources): Promise<Record<DepartmentCode, Comparison>> {
  const all = await Promise.all(
    DEPARTMENT_CODES.map((code) =>
      comparisonOf(sources, code).catch((err: unknown) => {
        throw departmentReadError(code, err);
      }),
    ),
  );
  return Object.fromEntries(DEPARTMENT_CODES.map((code, i) => [code, all[i]])) as Record<DepartmentCode, Comparison>;
}
