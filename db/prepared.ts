/**
 * Statements of a fixed shape, built once per database handle and run again with new values.
 * drizzle builds a statement's SQL from its query builder on every call, and on the hub's hottest
 * paths (the token look-up on every request, the loaders of a household or a pre-grant check) that
 * building cost more Node CPU than running the statement. A prepared query keeps its SQL text and
 * row mapping and only fills its placeholders in. It is not a server-side prepared statement:
 * drizzle still sends it as text, with the values escaped by mysql2.
 */
import { sql, type AnyColumn, type GetColumnData, type SQL } from 'drizzle-orm';
import type { MySqlColumn } from 'drizzle-orm/mysql-core';

/** `column IN (…)` with the list as one placeholder, which mysql2 expands and escapes. Never empty. */
export function inPlaceholder(column: AnyColumn, name: string): SQL {
  return sql`${column} in (${sql.placeholder(name)})`;
}

/** `build(db)` once for each database handle: the statement is made on first use and kept. */
export function preparedPer<D extends object, Q>(build: (db: D) => Q): (db: D) => Q {
  const made = new WeakMap<D, Q>();
  return (db) => {
    let q = made.get(db);
    if (q === undefined) {
      q = build(db);
      made.set(db, q);
    }
    return q;
  };
}

/** `<placeholder> = 1`: a part of a statement the caller switches on (1) or off (0) per call; off, the server reads nothing for it. */
export function switchedOn(name: string): SQL {
  return sql`${sql.placeholder(name)} = 1`;
}

/**
 * A union column's value as its own column's select would have given it. The server types each
 * union column from all parts (MariaDB makes a column that is NULL in the first part text), so a
 * number may arrive as text: it is read back as a number before the column's own mapping.
 */
function decoded(column: MySqlColumn, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  const numeric = column.dataType === 'number' || column.dataType === 'boolean';
  return column.mapFromDriverValue(numeric && typeof raw === 'string' ? Number(raw) : raw);
}

/** A switch's value: 1 on, 0 off. */
export function switch01(on: boolean): 0 | 1 {
  return on ? 1 : 0;
}

type Fields = Record<string, MySqlColumn>;
/** A part's rows as its own select would have returned them. */
export type UnionRow<F extends Fields> = { [K in keyof F]: GetColumnData<F[K]> };

export interface UnionPart<F extends Fields> {
  /** The part's columns, by the names its rows are to have. */
  fields: F;
  /** The part's select over the fields it is given: `(f) => db.select(f).from(…).where(…)`. */
  select: (padded: Record<string, SQL.Aliased>) => unknown;
}

/**
 * Several selects of different shapes, each prepared once, sent as one statement: their `UNION ALL`.
 * Each part's columns get positions of their own in one row shape (NULL in every other part's
 * rows), so no column's type is merged with another part's, and a first column names the part a
 * row came from. A department's tables are read in one round trip and one statement instead of
 * one each; each part keeps its own WHERE, so each still goes through its own index.
 */
export function preparedUnionAll<P extends Record<string, Fields>>(db: object, parts: { [K in keyof P]: UnionPart<P[K]> }) {
  const names = Object.keys(parts) as (keyof P & string)[];
  let position = 1;
  const layout = names.map((name, i) => ({
    name,
    fields: Object.entries(parts[name].fields).map(([key, column]) => ({ key, column, slot: `p${i}_${key}`, position: position++ })),
  }));
  const selects = layout.map((part, i) => {
    // Every column aliased: the union's temporary table takes the first part's names, which must differ.
    const padded: Record<string, SQL.Aliased> = { part: sql.raw(String(i)).as('part') };
    for (const other of layout) for (const f of other.fields) padded[f.slot] = (other === part ? sql`${f.column}` : sql`null`).as(f.slot);
    return parts[part.name].select(padded) as { getSQL(): SQL };
  });
  // Flat, `(a) union all (b) union all (c)`: drizzle's own set operators nest the parentheses, which
  // MariaDB reads as derived tables to materialise and scan.
  const statement = sql.join(
    selects.map((s) => sql`(${s.getSQL()})`),
    sql` union all `,
  );
  // drizzle's own prepared query (its logger counts it), rows as arrays, mapped here by position.
  const { dialect, session } = db as { dialect: { sqlToQuery(s: SQL): unknown }; session: { prepareQuery(...args: unknown[]): { execute(values: Record<string, unknown>): Promise<unknown> } } };
  const prepared = session.prepareQuery(dialect.sqlToQuery(statement), undefined, (rows: unknown[][]) => rows);
  return {
    async execute(values: Record<string, unknown>): Promise<{ [K in keyof P]: UnionRow<P[K]>[] }> {
      const out = Object.fromEntries(names.map((n) => [n, [] as unknown[]])) as { [K in keyof P]: UnionRow<P[K]>[] };
      for (const row of (await prepared.execute(values)) as unknown[][]) {
        const part = layout[Number(row[0])];
        const obj: Record<string, unknown> = {};
        for (const f of part.fields) obj[f.key] = decoded(f.column, row[f.position]);
        (out[part.name] as unknown[]).push(obj);
      }
      return out;
    },
  };
}
