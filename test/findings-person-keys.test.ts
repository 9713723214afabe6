/**
 * A region scan asks each department only about the people it holds rows for, found through the
 * columns listed in federation/person-keys.ts. A department table with an ID-number column that is
 * missing there would make the scan blind to its records: every such column is either listed, or
 * named below with the reason it does not key a beneficiary's records.
 */
import { getTableConfig, type MySqlTable } from 'drizzle-orm/mysql-core';
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import * as civilAffairs from '../federation/civil-affairs/tables';
import * as disability from '../federation/disability/tables';
import * as education from '../federation/education/tables';
import * as health from '../federation/health/tables';
import * as housing from '../federation/housing/tables';
import { PERSON_KEY_COLUMNS } from '../federation/person-keys';
import * as union from '../federation/union/tables';

const TABLES: Record<DepartmentCode, Record<string, unknown>> = {
  CIVIL_AFFAIRS: civilAffairs,
  EDUCATION: education,
  HOUSING: housing,
  HEALTH: health,
  UNION: union,
  DISABILITY: disability,
};

/** ID-number columns that do not lead to a beneficiary's records. */
const NOT_KEYS: Record<string, string> = {
  'dibao_family.head_id_no': 'the family head; each member, the head included, has a dibao_member row',
};

function idNumberColumns(table: MySqlTable): string[] {
  const config = getTableConfig(table);
  return config.columns
    .filter((c) => c.getSQLType() === 'char(18)')
    .map((c) => `${config.name}.${c.name}`);
}

it.each(DEPARTMENT_CODES)('lists every ID-number column of %s', (code) => {
  const tables = Object.values(TABLES[code]).filter((t): t is MySqlTable => typeof t === 'object' && t !== null && Symbol.for('drizzle:IsDrizzleTable') in (t as object));
  expect(tables.length).toBeGreaterThan(0);
  const listed = new Set(PERSON_KEY_COLUMNS[code].map((c) => `${getTableConfig(c.table as MySqlTable).name}.${c.name}`));
  const found = tables.flatMap(idNumberColumns).filter((c) => !NOT_KEYS[c]);
  expect(found.sort()).toEqual([...listed].sort());
});
