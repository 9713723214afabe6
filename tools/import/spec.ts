/**
 * What an import file must look like: one CSV file per table, `<table>.csv`, with a header row
 * naming every column of the table. The column list, NOT NULL-ness, lengths, integer widths and
 * DECIMAL precision come from the drizzle tables themselves (db/household/schema.ts, federation/<dept>/tables.ts);
 * what drizzle cannot say (that a CHAR(18) is an ID number, that a TINYINT is a code with these
 * meanings, that an INT counts fen, which dates bound a period) is declared as data: here for the
 * hub's tables, and in each department's folder for its own (federation/<dept>/import-spec.ts).
 *
 * Building the specs throws if a declaration and its drizzle table disagree (a column declared
 * that the table lacks, or a table column left undeclared), so the two cannot drift apart.
 */
import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type MySqlColumn, type MySqlTable } from 'drizzle-orm/mysql-core';
import { household, householdMember, person, region } from '../../db/household/schema';
import {
  INT_MAX, ID_NUMBER, CERT_NO, MONTH, SCHOOL_YEAR, YEAR, digits, codes, numericCodes, int, yuanToFenExact, type ColumnType, type PeriodRule, type RequiredWhenRule, type RuleProblem, type CrossRule, type TableDeclaration, type Target,
} from '../../federation/import-declaration';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { ADAPTERS } from '../../federation/registry';
import { maintainedByDatabase } from '../../db/change-marker';

export { INT_MAX, type ColumnType, type CrossRule, type PeriodRule, type RequiredWhenRule, type RuleProblem, type Target };

export interface ColumnSpec {
  /** The column's name in the database and in the CSV header. */
  name: string;
  /** The drizzle property name, used to build inserts. */
  key: string;
  /** A value is required (the column is NOT NULL). Columns with a database default are still required. */
  required: boolean;
  type: ColumnType;
  doc: string;
}

export interface TableSpec {
  table: string;
  target: Target;
  doc: string;
  drizzleTable: MySqlTable;
  columns: readonly ColumnSpec[];
  /** Column names of the primary key (the upsert key). */
  primaryKey: readonly string[];
  /** Other unique keys (also checked for duplicates within a file). */
  uniqueKeys: readonly (readonly string[])[];
  periods: readonly PeriodRule[];
  requiredWhen: readonly RequiredWhenRule[];
  crossRules: readonly CrossRule[];
}

// ---------------------------------------------------------------------------------------------
// Declarations

const HUB_DECLARATIONS: Record<string, TableDeclaration> = {
  // --- hub -----------------------------------------------------------------------------------
  region: {
    target: 'HUB',
    drizzleTable: region,
    doc: 'Administrative divisions (GB/T 2260; 9- and 12-digit statistical codes below county).',
    columns: {
      code: { doc: 'division code: 6 digits for province, city and county, 9 for township, 12 for village', type: digits(6, 9, 12) },
      name: { doc: 'name of the division' },
      level: { doc: 'level of the division' },
      parent_code: { doc: 'code of the division above; empty for a province', type: digits(6, 9, 12) },
    },
    crossRules: [
      {
        columns: ['code', 'level'],
        doc: 'the code has 6 digits for PROVINCE, CITY and COUNTY, 9 for TOWNSHIP, 12 for VILLAGE',
        check(row) {
          const want = row.level === 'VILLAGE' ? 12 : row.level === 'TOWNSHIP' ? 9 : 6;
          const code = row.code as string;
          return code.length === want ? null : { column: 'code', code: 'LEVEL_MISMATCH', message: `a ${row.level} code has ${want} digits` };
        },
      },
    ],
  },
  household: {
    target: 'HUB',
    drizzleTable: household,
    doc: "Households known to the hub. `id` is the hub's household number; household_member.csv refers to it.",
    columns: {
      id: { doc: "the hub's household number (positive integer); kept as given so re-imports update the same row" },
      registration_no: { doc: "户籍登记号 or the locality's own household number; unique" },
      region_code: { doc: 'the most precise division known: township (9 digits) or village (12 digits)', type: digits(9, 12) },
      address: { doc: 'address' },
    },
  },
  person: {
    target: 'HUB',
    drizzleTable: person,
    doc: 'People known to the hub, keyed by ID number.',
    columns: {
      id_number: { doc: '公民身份号码 (GB 11643), 18 characters, check character verified; lower-case x is accepted and stored as X' },
      name: { doc: 'name' },
      gender: { doc: 'gender; must agree with the ID number (17th digit odd = M)' },
      birth_date: { doc: 'date of birth; must agree with digits 7–14 of the ID number' },
      death_date: { doc: 'date of death, if dead' },
    },
    periods: [{ start: 'birth_date', end: 'death_date' }],
    crossRules: [
      {
        columns: ['id_number', 'birth_date'],
        doc: 'birth_date equals the birth date in the ID number',
        check(row) {
          const id = row.id_number as string;
          const fromId = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
          return row.birth_date === fromId ? null : { column: 'birth_date', code: 'MISMATCH', message: 'does not agree with the birth date in id_number' };
        },
      },
      {
        columns: ['id_number', 'gender'],
        doc: 'gender agrees with the ID number (17th digit odd = M, even = F)',
        check(row) {
          const fromId = Number((row.id_number as string)[16]) % 2 === 1 ? 'M' : 'F';
          return row.gender === fromId ? null : { column: 'gender', code: 'MISMATCH', message: 'does not agree with the sex digit (17th) of id_number' };
        },
      },
    ],
  },
  household_member: {
    target: 'HUB',
    drizzleTable: householdMember,
    doc: 'Membership of people in households over time.',
    columns: {
      household_id: { doc: 'household.id of the household', type: int(1, Number.MAX_SAFE_INTEGER) },
      id_number: { doc: 'ID number of the member' },
      relation: { doc: 'relation to the head of household' },
      joined_on: { doc: 'date the person joined the household' },
      left_on: { doc: 'date the person left, if they left' },
    },
    periods: [{ start: 'joined_on', end: 'left_on' }],
  },

};

/** The hub's tables, then every department's as its folder declares them, in DEPARTMENT_CODES order. */
const DECLARATIONS: Record<string, TableDeclaration> = Object.assign({}, HUB_DECLARATIONS, ...DEPARTMENT_CODES.map((code) => ADAPTERS[code].importTables ?? {}));

/** Columns of the hub's tables holding ID numbers (a department declares its own: `idNumberColumns`). */
const ID_NUMBER_COLUMNS: Record<string, readonly string[]> = {
  person: ['id_number'],
  household_member: ['id_number'],
};

// ---------------------------------------------------------------------------------------------
// Deriving the specs from drizzle

/** The type a drizzle column implies, before any declaration overrides it. */
function derivedType(column: MySqlColumn): ColumnType {
  const c = column as MySqlColumn & { length?: number; precision?: number; scale?: number; autoIncrement?: boolean };
  switch (column.columnType) {
    case 'MySqlVarChar':
    case 'MySqlChar':
      return { kind: 'text', maxLength: c.length ?? 255 };
    case 'MySqlDateString':
      return { kind: 'date' };
    case 'MySqlTinyInt':
      return int(-128, 127);
    case 'MySqlInt':
      return column.name.endsWith('_fen') ? { kind: 'fen' } : int(-INT_MAX - 1, INT_MAX);
    case 'MySqlBigInt53':
      return int(c.autoIncrement ? 1 : 0, Number.MAX_SAFE_INTEGER);
    case 'MySqlDecimal':
      return { kind: 'yuan', precision: c.precision ?? 10, scale: c.scale ?? 2 };
    case 'MySqlBoolean':
      return { kind: 'bool' };
    case 'MySqlEnumColumn':
      return { kind: 'code', codes: (column.enumValues ?? []).map((v) => [v, v] as const), numeric: false };
    default:
      throw new Error(`import spec: no type for ${column.columnType} (${column.name})`);
  }
}

function buildSpec(table: string, decl: TableDeclaration): TableSpec {
  const config = getTableConfig(decl.drizzleTable);
  if (config.name !== table) throw new Error(`import spec: declaration ${table} names drizzle table ${config.name}`);
  const byName = new Map<string, string>(Object.entries(getTableColumns(decl.drizzleTable)).map(([key, col]) => [col.name, key]));
  const idColumns = new Set(decl.idNumberColumns ?? ID_NUMBER_COLUMNS[table] ?? []);
  const certColumns = new Set(decl.certNoColumns ?? []);

  for (const name of Object.keys(decl.columns)) {
    if (!byName.has(name)) throw new Error(`import spec: ${table}.${name} is declared but the table has no such column`);
  }
  for (const name of [...idColumns, ...certColumns]) {
    if (!byName.has(name)) throw new Error(`import spec: ${table}.${name} is listed as an identity column but the table has no such column`);
  }

  // A change marker (db/change-marker.ts) is the database's to set: no file carries it.
  const columns: ColumnSpec[] = config.columns.filter((col) => !maintainedByDatabase(col)).map((col) => {
    const d = decl.columns[col.name];
    if (!d) throw new Error(`import spec: ${table}.${col.name} has no declaration (add it to the table's import declaration)`);
    if (d.type && (idColumns.has(col.name) || certColumns.has(col.name))) throw new Error(`import spec: ${table}.${col.name} is an identity column and also declares a type`);
    const type = idColumns.has(col.name) ? ID_NUMBER : certColumns.has(col.name) ? CERT_NO : (d.type ?? derivedType(col));
    return { name: col.name, key: byName.get(col.name)!, required: col.notNull, type, doc: d.doc };
  });

  const composite = config.primaryKeys[0]?.columns.map((c) => c.name);
  const primaryKey = composite ?? config.columns.filter((c) => c.primary).map((c) => c.name);
  if (primaryKey.length === 0) throw new Error(`import spec: ${table} has no primary key, so re-imports could not be idempotent`);
  const uniqueKeys = [
    ...config.columns.filter((c) => c.isUnique).map((c) => [c.name]),
    ...config.uniqueConstraints.map((u) => u.columns.map((c) => c.name)),
  ];

  const names = new Set(columns.map((c) => c.name));
  const mustExist = (name: string, where: string) => {
    if (!names.has(name)) throw new Error(`import spec: ${table} ${where} names unknown column ${name}`);
  };
  for (const p of decl.periods ?? []) [p.start, p.end].forEach((c) => mustExist(c, 'period'));
  for (const r of decl.requiredWhen ?? []) [r.column, r.when.column].forEach((c) => mustExist(c, 'requiredWhen'));
  for (const r of decl.crossRules ?? []) r.columns.forEach((c) => mustExist(c, 'cross rule'));

  return {
    table,
    target: decl.target,
    doc: decl.doc,
    drizzleTable: decl.drizzleTable,
    columns,
    primaryKey,
    uniqueKeys,
    periods: decl.periods ?? [],
    requiredWhen: decl.requiredWhen ?? [],
    crossRules: decl.crossRules ?? [],
  };
}

/** Every importable table, in load order (hub first, then departments in DEPARTMENT_CODES order). */
export const TABLE_SPECS: readonly TableSpec[] = Object.entries(DECLARATIONS).map(([table, decl]) => buildSpec(table, decl));

export const TABLE_SPEC_BY_NAME: ReadonlyMap<string, TableSpec> = new Map(TABLE_SPECS.map((s) => [s.table, s]));

/** Tables that exist but are not imported, with the reason given when a file names one. */
export const NOT_IMPORTED: Readonly<Record<string, string>> = {
  programme: 'the programme catalogue is loaded from domain/programmes.ts, not imported',
};
