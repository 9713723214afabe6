/**
 * Statements of a fixed shape, built once per database handle and run again with new values.
 * drizzle builds a statement's SQL from its query builder on every call, and on the hub's hottest
 * paths (the token look-up on every request, the loaders of a household or a pre-grant check) that
 * building cost more Node CPU than running the statement. A prepared query keeps its SQL text and
 * row mapping and only fills its placeholders in. It is not a server-side prepared statement:
 * drizzle still sends it as text, with the values escaped as mysql2 escapes them, into the pieces of
 * its text cut once at its placeholders (formatStatement).
 */
import * as drizzle from 'drizzle-orm';
import { Column, DrizzleQueryError, fillPlaceholders, is, sql, SQL, getTableName, type AnyColumn, type GetColumnData } from 'drizzle-orm';
import { NoopCache } from 'drizzle-orm/cache/core';
import type { MySqlColumn } from 'drizzle-orm/mysql-core';
import mysql from 'mysql2/promise';
import { baseOf, clientOf } from './db-view';

/** `column IN (…)` with the list as one placeholder, which mysql2 expands and escapes. Never empty. */
export function inPlaceholder(column: AnyColumn, name: string): SQL {
  return sql`${column} in (${sql.placeholder(name)})`;
}

/**
 * `build(db)` once for each database handle: the statement is made on first use and kept. A view
 * of a database (a department read's, db/abandon.ts `Scope.db`) uses its database's statements,
 * each sent through the view's client (a statement left to drizzle is built for the view itself). `build`
 * returns one prepared select or an object of them; each is run without drizzle's async layers
 * (`direct`). (A single one was once taken for an object of them: its own members were looked
 * at instead, and the token look-up and 工会's read went through drizzle's `execute`.)
 */
export function preparedPer<D extends object, Q>(build: (db: D) => Q): (db: D) => Q {
  const made = new WeakMap<D, Q>();
  const directed = (q: Q): Q => {
    if (isDrizzlePrepared(q)) return direct(q);
    if (q && typeof q === 'object') for (const [name, query] of Object.entries(q)) (q as Record<string, unknown>)[name] = direct(query);
    return q;
  };
  return (db) => {
    const base = baseOf(db);
    let q = made.get(base);
    if (q === undefined) {
      q = directed(build(base));
      made.set(base, q);
    }
    if (base === db) return q;
    // A view (a read's abandonable scope, db/abandon.ts): the statements made for its database, sent through its client.
    const bound = boundTo(q, clientOf(db) as DrizzlePrepared['client']);
    return bound ?? directed(build(db));
  };
}

/** Each direct statement's runner (`direct`, `rowsPrepared`), which a view's copy of it calls with the view's client. */
const runs = new WeakMap<object, (values: Record<string, unknown> | undefined, client?: DrizzlePrepared['client']) => Promise<unknown>>();

/**
 * `q` (one direct statement or an object of them) run through `client`; null when one of them is
 * not direct. One small object per statement per read. (No named closure: this runs per department
 * read, test/keep-names.test.ts.)
 */
function boundTo<Q>(q: Q, client: DrizzlePrepared['client']): Q | null {
  const single = boundRun(q, client);
  if (single) return single as Q;
  if (!q || typeof q !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [name, query] of Object.entries(q)) {
    const bound = boundRun(query, client);
    if (!bound) return null;
    out[name] = bound;
  }
  return out as Q;
}

/** `query` (a direct statement) run through `client`, or null. */
function boundRun(query: unknown, client: DrizzlePrepared['client']): { execute(values?: Record<string, unknown>): Promise<unknown> } | null {
  const run = query !== null && typeof query === 'object' ? runs.get(query) : undefined;
  if (!run) return null;
  return {
    execute(values?: Record<string, unknown>) {
      return run(values, client);
    },
  };
}

/** What a drizzle mysql2 prepared query holds (drizzle-orm/mysql2/session: MySql2PreparedQuery). */
interface DrizzlePrepared {
  client: { query(options: object, values: unknown[]): Promise<[unknown, unknown]> };
  params: unknown[];
  logger: { logQuery(sql: string, params: unknown[]): void };
  query: { sql: string };
  cache?: unknown;
  cacheConfig?: unknown;
  fields?: { path: string[]; field: unknown }[];
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
  returningIds?: unknown;
  execute(values?: Record<string, unknown>): Promise<unknown>;
}

function isDrizzlePrepared(q: unknown): q is DrizzlePrepared {
  const p = q as Partial<DrizzlePrepared> | null;
  return !!p && typeof p.execute === 'function' && Array.isArray(p.params) && typeof p.query?.sql === 'string' && typeof p.logger?.logQuery === 'function' && typeof p.client?.query === 'function';
}

/**
 * Runs a prepared statement as drizzle's own `execute` does (its placeholders filled, its logger
 * told, so statements are counted; a driver error wrapped in DrizzleQueryError), without its
 * layers of async functions and with its rows mapped by `mapRows`.
 */
function runner<R>(q: DrizzlePrepared, mapRows: (rows: unknown[][]) => R): (values?: Record<string, unknown>, client?: DrizzlePrepared['client']) => Promise<R> {
  // One options object for every run: mysql2 copies it per statement, and drizzle's typeCast is
  // not wanted (db/connect.ts withoutDrizzleTypeCast).
  const options = { sql: q.query.sql, rowsAsArray: true };
  cutAtPlaceholders(options.sql, q.params.length);
  return async (values = {}, client = q.client) => {
    const params = fillPlaceholders(q.params, values);
    q.logger.logQuery(options.sql, params);
    let result: [unknown, unknown];
    try {
      result = await client.query(options, listsEscapedOnce(params));
    } catch (e) {
      throw new DrizzleQueryError(options.sql, params, e as Error);
    }
    return mapRows(result[0] as unknown[][]);
  };
}

/** A list's SQL text, as mysql2 writes it for a `?` (`'a', 'b'`), handed to it already written. */
class WrittenList {
  constructor(readonly text: string) {}
  toSqlString(): string {
    return this.text;
  }
}

/** Frozen lists of strings and numbers, written once: a list no one can change reads the same every time. */
const writtenFrozen = new WeakMap<readonly unknown[], WrittenList>();

function writable(list: readonly unknown[]): boolean {
  // Indexed: a region scan writes lists of 5,000 ID numbers, and `for … of` made an iterator result per element until optimised.
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string' && typeof list[i] !== 'number') return false;
  return list.length > 0;
}

/** A character mysql2's escape (sql-escaper `escapeString`) writes otherwise than as it is. */
const ESCAPED = /[\0\b\t\n\r\x1a"'\\]/;

/**
 * `list` as mysql2's `escape` writes it. A list of strings none of which holds a character it
 * escapes (every ID number and settlement reference a scan asks) is that text in one join: mysql2
 * builds it from a quoted string per element, some 40 MB of garbage a region scan of 20,000
 * households (docs/performance.md, Session 43). Any other list is mysql2's own.
 */
function written(list: readonly unknown[]): WrittenList {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'string' || ESCAPED.test(v)) return new WrittenList(mysql.escape(list as string[]));
  }
  return new WrittenList(`'${list.join("', '")}'`);
}

/**
 * The statement's values with each list of strings or numbers written out once: a department's
 * union repeats its `IN` list in every part (the same array in each placeholder), and a household
 * query asks all seven departments with one frozen array of ID-number forms (lookupForms), which
 * mysql2 escaped again for each. The text is mysql2's own `escape` of the list, what `format` puts
 * in for it (strings and numbers do not depend on the connection's time zone), so the SQL is the
 * same; any other value is left to mysql2.
 */
export function listsEscapedOnce(params: unknown[]): unknown[] {
  let out: unknown[] | null = null;
  let seen: Map<readonly unknown[], WrittenList> | null = null;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (!Array.isArray(p)) continue;
    const frozen = Object.isFrozen(p);
    let w = frozen ? writtenFrozen.get(p) : seen?.get(p);
    if (!w) {
      if (!writable(p)) continue;
      w = written(p);
      if (frozen) writtenFrozen.set(p, w);
      else (seen ??= new Map()).set(p, w);
    }
    (out ??= params.slice())[i] = w;
  }
  return out ?? params;
}

/**
 * The text of each prepared statement, cut at its placeholders: `formatStatement` joins the pieces
 * with the values, where mysql2's own format (sql-escaper) reads the whole text again on every run
 * to find them, stepping over each quoted name. drizzle quotes every name, and a department's union
 * is a few kilobytes of them: that search was 3% of the hub's instructions on a household query.
 * One entry per statement text the runners were made for: the map does not grow with the values.
 */
const cutStatements = new Map<string, readonly string[]>();

/** A piece of text no statement the hub makes contains (a NUL byte), standing for placeholder `i`. */
class Marker {
  constructor(readonly i: number) {}
  toSqlString(): string {
    return `\0${this.i}\0`;
  }
}

/**
 * Cuts `sql` where mysql2's format puts its `count` values (found by that format itself, with
 * markers for values), and keeps the pieces, unless joining them with sample values (a quote, a
 * number, NULL, a written list) gives other text than mysql2's format does.
 */
function cutAtPlaceholders(sql: string, count: number): void {
  if (cutStatements.has(sql) || sql.includes('\0')) return;
  const marked = mysql.format(sql, Array.from({ length: count }, (_, i) => new Marker(i)) as never);
  const pieces = marked.split(/\0(\d+)\0/);
  // split keeps each marker's number between the pieces: text, 0, text, 1, …, text.
  if (pieces.length !== 2 * count + 1) return;
  const cut: string[] = [];
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 1 && pieces[i] !== String((i - 1) / 2)) return;
    if (i % 2 === 0) cut.push(pieces[i]);
  }
  const samples = Array.from({ length: count }, (_, i) => [`it's ${i}`, i, null, new WrittenList(`'a${i}', 'b'`)][i % 4]);
  if (joined(cut, samples) !== mysql.format(sql, samples as never)) return;
  cutStatements.set(sql, cut);
}

/** A value's text as mysql2's format writes it for a `?`; null for a value left to that format. */
function valueText(v: unknown): string | null {
  if (typeof v === 'string') return mysql.escape(v);
  if (typeof v === 'number') return `${v}`;
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof WrittenList) return v.text;
  return null;
}

function joined(cut: readonly string[], values: readonly unknown[]): string | null {
  let out = cut[0];
  for (let i = 0; i < values.length; i++) {
    const text = valueText(values[i]);
    if (text === null) return null;
    out += text + cut[i + 1];
  }
  return out;
}

/**
 * mysql2's `queryFormat` for the hub's pools (db/connect.ts createPool): a prepared statement's
 * text is joined from its pieces when every value is a string, a number, null or a written list;
 * any other statement or value goes to mysql2's own format, as without this.
 */
export function formatStatement(this: { config: { stringifyObjects?: boolean } }, sql: string, values: unknown, timezone?: string): string {
  const cut = cutStatements.get(sql);
  if (cut !== undefined && Array.isArray(values) && values.length === cut.length - 1) {
    const text = joined(cut, values);
    if (text !== null) return text;
  }
  return mysql.format(sql, values as never, this.config.stringifyObjects, timezone as never);
}

type Decoder = { mapFromDriverValue(value: unknown): unknown };

function decoderOf(field: unknown): Decoder {
  if (is(field, Column)) return field;
  if (is(field, SQL)) return (field as unknown as { decoder: Decoder }).decoder;
  const f = field as { _?: { sql: { decoder: Decoder } }; sql?: { decoder: Decoder } };
  return f._ ? f._.sql.decoder : f.sql!.decoder;
}

/**
 * drizzle's row mapping (mapResultRow), its per-row decisions taken once per statement: which
 * decoder each column has, which object it goes in, and which joined objects read as null when
 * their first column is null (a left join that found nothing). Paths deeper than an object in
 * the row are left to drizzle's own.
 */
function rowMapper(fields: { path: string[]; field: unknown }[], joinsNotNullableMap: Record<string, boolean> | undefined): (rows: unknown[][]) => unknown[] {
  const mapResultRow = (drizzle as unknown as { mapResultRow: (f: unknown, r: unknown[], j: unknown) => unknown }).mapResultRow;
  if (fields.some((f) => f.path.length > 2)) return (rows) => rows.map((row) => mapResultRow(fields, row, joinsNotNullableMap));
  const columns = fields.map(({ path, field }) => ({ object: path.length === 2 ? path[0] : null, key: path[path.length - 1], decoder: decoderOf(field) }));
  // drizzle nulls an object when its first table column is null, unless another table's column
  // follows in it or its table is one the joins cannot leave out.
  const nullable: { object: string; key: string }[] = [];
  if (joinsNotNullableMap) {
    const groups = new Map<string, { first: number; table: string; mixed: boolean }>();
    fields.forEach(({ path, field }, i) => {
      if (path.length !== 2 || !is(field, Column)) return;
      const table = getTableName(field.table);
      const g = groups.get(path[0]);
      if (!g) groups.set(path[0], { first: i, table, mixed: false });
      else if (g.table !== table) g.mixed = true;
    });
    for (const [object, g] of groups) if (!g.mixed && !joinsNotNullableMap[g.table]) nullable.push({ object, key: fields[g.first].path[1] });
  }
  const n = columns.length;
  return (rows) => {
    const out = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const result: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const c = columns[i];
        const raw = row[i];
        const value = raw === null ? null : c.decoder.mapFromDriverValue(raw);
        if (c.object === null) result[c.key] = value;
        else ((result[c.object] ??= {}) as Record<string, unknown>)[c.key] = value;
      }
      for (const g of nullable) if ((result[g.object] as Record<string, unknown>)[g.key] === null) result[g.object] = null;
      out[r] = result;
    }
    return out;
  };
}

/** Selects marked by `rowsAsArrays`. */
const asArrays = new WeakSet<object>();

/**
 * A select prepared with `.prepare()` (for `preparedPer`) whose rows come as arrays, each column's
 * value where the select lists it, decoded as drizzle decodes it: for reads of many thousand rows
 * that make their own objects of them, without an object per row made and dropped on the way
 * (a region scan's spells: docs/performance.md, Session 41). Nulls stay null (no joined object).
 */
export function rowsAsArrays<Q extends object>(query: Q): { execute(values?: Record<string, unknown>): Promise<unknown[][]> } {
  asArrays.add(query);
  return query as unknown as { execute(values?: Record<string, unknown>): Promise<unknown[][]> };
}

/** `rowsAsArrays`'s mapping: each row's values decoded in place, in mysql2's own arrays. */
function arrayDecoder(fields: { path: string[]; field: unknown }[]): (rows: unknown[][]) => unknown[][] {
  const decoders = fields.map(({ field }) => decoderOf(field));
  const n = decoders.length;
  return (rows) => {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < n; i++) if (row[i] !== null) row[i] = decoders[i].mapFromDriverValue(row[i]);
    }
    return rows;
  };
}

/**
 * A drizzle select prepared with `.prepare()`, run through `runner` and `rowMapper`; anything
 * else (writes, a statement with a result cache) is left as drizzle made it.
 */
function direct<Q>(query: Q): Q {
  if (!isDrizzlePrepared(query)) return query;
  const q = query;
  // drizzle gives every select a cacheConfig when its cache caches all (its NoopCache says it
  // does): only a real cache makes a statement cached. (Read as cached, every select had gone
  // through drizzle's own execute, the token look-up and the household's read among them.)
  const cached = q.cache !== undefined && !is(q.cache, NoopCache);
  if (!q.fields || q.customResultMapper || q.returningIds || cached) return query;
  const execute = runner(q, asArrays.has(q) ? arrayDecoder(q.fields) : rowMapper(q.fields, q.joinsNotNullableMap));
  const out = Object.assign(Object.create(Object.getPrototypeOf(q) as object) as object, q, { execute }) as Q;
  runs.set(out as object, execute as never);
  return out;
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
 * Each part's columns get positions in one row shape (NULL in the other parts' rows), and a first
 * column names the part a row came from. Parts share a position only for columns of the same SQL
 * type, so no column's type is merged with another type (the server types each union column from
 * all parts), while the row is only as wide as the parts need, not the sum of their columns: the
 * statement's text, the column definitions the server sends with every answer, and each row are
 * what the driver reads and parses. A department's tables are read in one round trip and one
 * statement instead of one each; each part keeps its own WHERE, so each still goes through its
 * own index.
 */
export function preparedUnionAll<P extends Record<string, Fields>>(db: object, parts: { [K in keyof P]: UnionPart<P[K]> }) {
  const names = Object.keys(parts) as (keyof P & string)[];
  // Positions by SQL type; position 0 is the part's number.
  const slots: { type: string; name: string }[] = [];
  const layout = names.map((name) => {
    const taken = new Set<number>();
    const fields = Object.entries(parts[name].fields).map(([key, column]) => {
      const type = column.getSQLType();
      let slot = slots.findIndex((s, i) => s.type === type && !taken.has(i));
      if (slot < 0) slot = slots.push({ type, name: `c${slots.length}` }) - 1;
      taken.add(slot);
      return { key, column, slot, position: slot + 1 };
    });
    return { name, fields };
  });
  const selects = layout.map((part, i) => {
    // Every column aliased: the union's temporary table takes the first part's names, which must differ.
    const padded: Record<string, SQL.Aliased> = { part: sql.raw(String(i)).as('part') };
    const own = new Map(part.fields.map((f) => [f.slot, f]));
    slots.forEach((slot, k) => {
      const f = own.get(k);
      padded[slot.name] = (f ? sql`${f.column}` : sql`null`).as(slot.name);
    });
    return parts[part.name].select(padded) as { getSQL(): SQL };
  });
  // Flat, `(a) union all (b) union all (c)`: drizzle's own set operators nest the parentheses, which
  // MariaDB reads as derived tables to materialise and scan.
  const statement = sql.join(
    selects.map((s) => sql`(${s.getSQL()})`),
    sql` union all `,
  );
  // drizzle's own prepared query (its logger counts it), rows as arrays, mapped here by position.
  const { dialect, session } = db as { dialect: { sqlToQuery(s: SQL): unknown }; session: { prepareQuery(...args: unknown[]): unknown } };
  const prepared = session.prepareQuery(dialect.sqlToQuery(statement), undefined, (rows: unknown[][]) => rows) as DrizzlePrepared;
  const mapRows = (rows: unknown[][]) => {
    const out = Object.fromEntries(names.map((n) => [n, [] as unknown[]])) as { [K in keyof P]: UnionRow<P[K]>[] };
    for (const row of rows) {
      const part = layout[Number(row[0])];
      const obj: Record<string, unknown> = {};
      for (const f of part.fields) obj[f.key] = decoded(f.column, row[f.position]);
      (out[part.name] as unknown[]).push(obj);
    }
    return out;
  };
  const out = { execute: runner(prepared, mapRows) };
  runs.set(out, out.execute as never);
  return out;
}
