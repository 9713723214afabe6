/**
 * A region scan asks each department only about the people it holds rows for, found through the
 * columns each department's folder declares (`personKeys`, gathered by federation/person-keys.ts). A department table with an ID-number column that is
 * missing there would make the scan blind to its records: every such column is either listed, or
 * declared by the department (`otherIdColumns`) with the reason it does not key a beneficiary's records.
 */
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core';
import { DEPARTMENT_CODES } from '../domain/departments';
import { PERSON_KEY_COLUMNS } from '../federation/person-keys';
import { ADAPTERS } from '../federation/registry';

const nameOf = (c: MySqlColumn) => `${getTableConfig(c.table as MySqlTable).name}.${c.name}`;

function idNumberColumns(table: MySqlTable): string[] {
  const config = getTableConfig(table);
  return config.columns
    .filter((c) => c.getSQLType() === 'char(18)')
    .map((c) => `${config.name}.${c.name}`);
}

it.each(DEPARTMENT_CODES)('lists every ID-number column of %s', (code) => {
  const { tables, otherIdColumns = [] } = ADAPTERS[code];
  expect(tables.length).toBeGreaterThan(0);
  // Columns that do not lead to a beneficiary's records are declared, with the reason, by the department.
  const notKeys = new Set(otherIdColumns.map((o) => nameOf(o.column)));
  const listed = new Set(PERSON_KEY_COLUMNS[code].map(nameOf));
  const found = tables.flatMap(idNumberColumns).filter((c) => !notKeys.has(c));
  expect(found.sort()).toEqual([...listed].sort());
  for (const o of otherIdColumns) expect(o.why.length).toBeGreaterThan(10);
});

it.each(DEPARTMENT_CODES)('declares how each table of %s shows new and changed rows', (code) => {
  const { tables, changeFeed } = ADAPTERS[code];
  expect(changeFeed.map((f) => getTableConfig(f.table).name).sort()).toEqual(tables.map((t) => getTableConfig(t).name).sort());
  for (const f of changeFeed) for (const c of [f.sequence, f.updatedAt]) if (c) expect(c.table).toBe(f.table);
});
