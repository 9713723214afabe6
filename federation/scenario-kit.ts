/**
 * The one shape of a department's rows for test scenarios and benches (federation/<dept>/scenario.ts):
 * each department names its tables by what their rows are (`temporaryAid`, `settlements`,
 * `unemploymentRegistrations`), and the rest of the code writes, reads and counts rows through those names, so that
 * no file outside the department's folder names its tables. A department declares, per table, how
 * the adapter references a row (its `sourceRef`), so a test gets the reference an inserted aid
 * record will be reported under without spelling the record kind.
 */
import { count, eq, and, getTableColumns, getTableName, type SQL } from 'drizzle-orm';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import type { SourceDb } from './contract';

export interface ScenarioTable<T extends MySqlTable = MySqlTable> {
  table: T;
  /** The reference the adapter reports a row under (`sourceRefOf(kind, key)`); the row has its auto-increment key filled in. */
  sourceRef?(row: T['$inferInsert']): string;
}

/** Declares one table of a department's scenario. */
export function scenarioTable<T extends MySqlTable>(table: T, sourceRef?: (row: T['$inferInsert']) => string): ScenarioTable<T> {
  return sourceRef ? { table, sourceRef } : { table };
}

type Insert<S extends ScenarioTable> = S['table']['$inferInsert'];
type Select<S extends ScenarioTable> = S['table']['$inferSelect'];

/** At most this many rows to a statement. */
const CHUNK = 1000;

/** Any department's tables, each with its own row types. */
export type ScenarioTables = Record<string, ScenarioTable<any>>;

/** One equality per column given, by the columns' property names. */
function matching(table: MySqlTable, match: Readonly<Record<string, unknown>>): SQL[] {
  const columns = getTableColumns(table) as Record<string, MySqlColumn>;
  return Object.entries(match).map(([k, v]) => eq(columns[k], v));
}

export class DepartmentScenario<S extends ScenarioTables> {
  constructor(readonly tables: S) {}

  /**
   * Writes rows into one of the department's tables, a thousand to a statement. Returns each row's
   * source reference as the adapter reports it (the database's auto-increment key where the row
   * left it out, consecutive within one statement), or an empty list for a table whose rows are
   * not records the adapter reports.
   */
  async insert<K extends keyof S & string>(db: SourceDb, key: K, rows: Insert<S[K]> | readonly Insert<S[K]>[]): Promise<string[]> {
    const { table, sourceRef } = this.tables[key];
    const list = (Array.isArray(rows) ? rows : [rows]) as Insert<S[K]>[];
    const auto = Object.entries(getTableColumns(table)).find(([, c]) => (c as unknown as { autoIncrement?: boolean }).autoIncrement)?.[0];
    const refs: string[] = [];
    for (let i = 0; i < list.length; i += CHUNK) {
      const chunk = list.slice(i, i + CHUNK);
      const [res] = await db.insert(table).values(chunk);
      if (!sourceRef) continue;
      chunk.forEach((row, k) => {
        const keyed = auto && (row as Record<string, unknown>)[auto] == null ? { ...row, [auto]: res.insertId + k } : row;
        refs.push(sourceRef(keyed));
      });
    }
    return refs;
  }

  /** The rows of one table, those whose columns equal `match` if given, in primary-key order, at most `limit`. */
  async rows<K extends keyof S & string>(db: SourceDb, key: K, match: Partial<Select<S[K]>> = {}, limit?: number): Promise<Select<S[K]>[]> {
    const { table } = this.tables[key];
    const primary = Object.values(getTableColumns(table) as Record<string, MySqlColumn>).filter((c) => c.primary);
    const query = db.select().from(table as MySqlTable).where(and(...matching(table, match))).orderBy(...primary).$dynamic();
    return (await (limit === undefined ? query : query.limit(limit))) as Select<S[K]>[];
  }

  /** Changes the rows of one table whose columns equal `match`, as the department's system would (a spell ended, a grant recovered). */
  async update<K extends keyof S & string>(db: SourceDb, key: K, set: Partial<Insert<S[K]>>, match: Partial<Select<S[K]>>): Promise<void> {
    const { table } = this.tables[key];
    const where = matching(table, match);
    if (where.length === 0) throw new Error(`update of ${key} without a match would change every row`);
    await db.update(table as MySqlTable).set(set as Record<string, unknown>).where(and(...where));
  }

  /** How many rows each table holds, by the scenario's names. */
  async counts(db: SourceDb): Promise<Record<keyof S, number>> {
    const out = {} as Record<keyof S, number>;
    for (const [key, { table }] of Object.entries(this.tables)) {
      const [row] = await db.select({ n: count() }).from(table as MySqlTable);
      out[key as keyof S] = row.n;
    }
    return out;
  }

  /** The table's name in the department's database, which is also its import file's (`<name>.csv`). */
  tableName(key: keyof S & string): string {
    return getTableName(this.tables[key].table);
  }
}

/** A row to insert into one of a scenario's tables (`RowOf<typeof civilAffairsScenario, 'dibaoFamilies'>`). */
export type RowOf<D extends DepartmentScenario<ScenarioTables>, K extends keyof D['tables']> = D['tables'][K]['table']['$inferInsert'];

/** A department's scenario: its tables under the names the rest of the code uses. */
export function departmentScenario<S extends ScenarioTables>(tables: S): DepartmentScenario<S> {
  return new DepartmentScenario(tables);
}
