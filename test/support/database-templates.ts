/**
 * The migrated databases every test file starts from, made once per run. The first test file that
 * asks for databases creates a hub database and its department databases from scratch with every
 * migration (as a hub and the demo set-up do: federation/provision.ts), then records how to make a
 * copy: each table's own `SHOW CREATE TABLE` (indexes, foreign keys, AUTO_INCREMENT and all) and an
 * INSERT … SELECT of the rows the migrations and start-up left in it (migration journals, the
 * programme catalogue, the data-upgrade bookkeeping). A test file's databases are such copies
 * (test/support/databases.ts): about a fifth of the time of running 212 migration statements into
 * eight databases again, which each of some 190 test files did. Made on first use, not in
 * globalSetup, so a run of files that need no database pays nothing for it.
 */
import mysql from 'mysql2/promise';
import { databaseOf, sourceUrls, withDatabase } from '../../db/config';
import { endConnection } from '../../db/connect';
import { dropDatabases, ensureDatabase, withMigrationLock } from '../../db/setup/provision';
import { provisionDatabases } from '../../federation/provision';

/** The environment variable naming this run's template hub database (globalSetup sets it; workers inherit it). */
const TEMPLATE_ENV = 'AIDHUB_TEST_TEMPLATE';

/** Where a copy's database name goes in a recipe's statements. */
const TARGET = '@@target@@';

/** Names this run's templates (globalSetup): named by its process, another run on the same AIDHUB_TEST_DATABASE_URL keeps its own. */
export function nameTemplates(): void {
  process.env[TEMPLATE_ENV] = `aidhub_t_template_${process.pid}`;
}

/** The template hub database's URL on `serverUrl`, its department databases' and the database holding the recipes. */
function templates(serverUrl: string): { hubUrl: string; urls: string[]; recipes: string } {
  const name = process.env[TEMPLATE_ENV];
  if (!name) throw new Error(`${TEMPLATE_ENV} is not set: run the tests through jest (its globalSetup names the template databases)`);
  const hubUrl = withDatabase(serverUrl, name);
  return { hubUrl, urls: [...new Set([hubUrl, ...Object.values(sourceUrls(hubUrl, {}))])], recipes: `${name}_recipe` };
}

/** Drops the template databases, if a file made them (globalTeardown). */
export async function removeTemplates(serverUrl: string): Promise<void> {
  if (!process.env[TEMPLATE_ENV]) return;
  const { urls, recipes } = templates(serverUrl);
  await dropDatabases([...urls, withDatabase(serverUrl, recipes)]);
}

/**
 * The recipes, made first if no test file has yet: holding the row lock hub processes starting at
 * once take to migrate in turn (db/setup/provision.ts withMigrationLock), here in the recipes' own
 * database, so the two workers' first files do not both make them. Rows of (database, position,
 * statement).
 */
async function recipes(conn: mysql.Connection, serverUrl: string): Promise<Map<string, string[]>> {
  const { hubUrl, urls, recipes: db } = templates(serverUrl);
  const table = `${mysql.escapeId(db)}.recipe`;
  const recipesUrl = withDatabase(serverUrl, db);
  await ensureDatabase(recipesUrl);
  await withMigrationLock(recipesUrl, async () => {
    const [made] = (await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db, 'recipe'])) as unknown as [unknown[]];
    if (made.length > 0) return;
    await dropDatabases(urls);
    await provisionDatabases(hubUrl, sourceUrls(hubUrl, {}));
    const rows: [string, number, string][] = [];
    for (const url of urls) for (const [i, statement] of (await recipe(conn, databaseOf(url))).entries()) rows.push([databaseOf(url), i, statement]);
    await conn.query(`DROP TABLE IF EXISTS ${table}_making`);
    await conn.query(`CREATE TABLE ${table}_making (db varchar(64) NOT NULL, seq int NOT NULL, statement longtext NOT NULL, PRIMARY KEY (db, seq))`);
    await conn.query(`INSERT INTO ${table}_making (db, seq, statement) VALUES ?`, [rows]);
    // Renamed once complete: a file that failed half-way leaves no recipe that looks whole.
    await conn.query(`RENAME TABLE ${table}_making TO ${table}`);
  });
  const [rows] = (await conn.query(`SELECT db, statement FROM ${table} ORDER BY db, seq`)) as unknown as [{ db: string; statement: string }[]];
  const byDatabase = new Map<string, string[]>();
  for (const r of rows) byDatabase.set(r.db, [...(byDatabase.get(r.db) ?? []), r.statement]);
  return byDatabase;
}
async function recipe(conn: mysql.Connection, db: string): Promise<string[]> {
  const [tables] = (await conn.query("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [db])) as unknown as [{ name: string }[]];
  const creates: string[] = [];
  const copies: string[] = [];
  for (const { name } of tables) {
    const from = `${mysql.escapeId(db)}.${mysql.escapeId(name)}`;
    const [[shown]] = (await conn.query(`SHOW CREATE TABLE ${from}`)) as unknown as [{ 'Create Table': string }[]];
    // The table's name without its database: a foreign key to a table of the same database is shown so too.
    creates.push(shown['Create Table'].replace(/^CREATE TABLE /, `CREATE TABLE ${TARGET}.`));
    const [[{ n }]] = (await conn.query(`SELECT COUNT(*) AS n FROM ${from}`)) as unknown as [{ n: number }[]];
    if (Number(n) === 0) continue;
    const [columns] = (await conn.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
      [db, name],
    )) as unknown as [{ name: string }[]];
    const list = columns.map((c) => mysql.escapeId(c.name)).join(', ');
    copies.push(`INSERT INTO ${TARGET}.${mysql.escapeId(name)} (${list}) SELECT ${list} FROM ${from}`);
  }
  return [...creates, ...copies];
}

/**
 * Creates the hub database `hubUrl` names and its department databases (at their default URLs
 * beside it) as copies of the templates: the tables and rows a hub and its departments have once
 * every migration has run. The databases must not exist.
 */
export async function createFromTemplates(hubUrl: string): Promise<void> {
  const serverUrl = withDatabase(hubUrl, '');
  const conn = await mysql.createConnection({ uri: serverUrl });
  let byDatabase: Map<string, string[]>;
  try {
    byDatabase = await recipes(conn, serverUrl);
  } finally {
    await endConnection(conn);
  }
  const templateHub = templates(serverUrl).hubUrl;
  const fromTemplate = sourceUrls(templateHub, {});
  const targets = sourceUrls(hubUrl, {});
  const pairs = new Map<string, string>([[databaseOf(templateHub), databaseOf(hubUrl)]]);
  for (const [code, url] of Object.entries(fromTemplate)) pairs.set(databaseOf(url), databaseOf(targets[code as keyof typeof targets]));
  await Promise.all(
    [...pairs].map(async ([template, target]) => {
      const conn = await mysql.createConnection({ uri: serverUrl, multipleStatements: true });
      try {
        const id = mysql.escapeId(target);
        // Foreign keys off for this connection: a table may be made before the one it refers to.
        const statements = [`CREATE DATABASE ${id} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, 'SET foreign_key_checks = 0', ...byDatabase.get(template)!.map((s) => s.replaceAll(TARGET, id))];
        await conn.query(statements.join(';\n'));
      } finally {
        await endConnection(conn);
      }
    }),
  );
}
