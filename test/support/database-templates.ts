/**
 * The migrated databases every test file starts from, made once per run. globalSetup creates a hub
 * database and its department databases from scratch with every migration (as a hub and the demo
 * set-up do: federation/provision.ts), then records how to make a copy: each table's own
 * `SHOW CREATE TABLE` (indexes, foreign keys, AUTO_INCREMENT and all) and an INSERT … SELECT of the
 * rows the migrations and start-up left in it (migration journals, the programme catalogue, the
 * data-upgrade bookkeeping). A test file's databases are such copies (test/support/databases.ts):
 * about a fifth of the time of running 212 migration statements into eight databases again, which
 * every one of some 190 test files did.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { databaseOf, sourceUrls, withDatabase } from '../../db/config';
import { endConnection } from '../../db/connect';
import { dropDatabases } from '../../db/setup/provision';
import { provisionDatabases } from '../../federation/provision';

/** The environment variable naming the file globalSetup wrote the recipes to; workers inherit it. */
const RECIPES_ENV = 'AIDHUB_TEST_TEMPLATES';

/** Where a copy's database name goes in a recipe's statements. */
const TARGET = '@@target@@';

interface Recipes {
  /** The template databases, dropped at the end of the run. */
  templateUrls: string[];
  /** By template database name: the statements that make a copy of it in `TARGET`. */
  byDatabase: Record<string, string[]>;
  templateHubUrl: string;
}

/** Makes the template databases on `serverUrl` and the file recording how to copy them; sets RECIPES_ENV. */
export async function prepareTemplates(serverUrl: string): Promise<void> {
  // Named by this run's process: another run on the same AIDHUB_TEST_DATABASE_URL keeps its own.
  const templateHubUrl = withDatabase(serverUrl, `aidhub_t_template_${process.pid}`);
  const urls = sourceUrls(templateHubUrl, {});
  const templateUrls = [...new Set([templateHubUrl, ...Object.values(urls)])];
  await dropDatabases(templateUrls);
  await provisionDatabases(templateHubUrl, urls);
  const conn = await mysql.createConnection({ uri: serverUrl });
  const byDatabase: Record<string, string[]> = {};
  try {
    for (const url of templateUrls) byDatabase[databaseOf(url)] = await recipe(conn, databaseOf(url));
  } finally {
    await endConnection(conn);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-test-templates-'));
  const file = path.join(dir, 'recipes.json');
  fs.writeFileSync(file, JSON.stringify({ templateUrls, byDatabase, templateHubUrl } satisfies Recipes));
  process.env[RECIPES_ENV] = file;
}

/** Drops the template databases and removes the recipes' file (globalTeardown). */
export async function removeTemplates(): Promise<void> {
  const file = process.env[RECIPES_ENV];
  if (!file) return;
  const { templateUrls } = JSON.parse(fs.readFileSync(file, 'utf8')) as Recipes;
  await dropDatabases(templateUrls);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
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

function recipes(): Recipes {
  const file = process.env[RECIPES_ENV];
  if (!file) throw new Error(`${RECIPES_ENV} is not set: run the tests through jest (its globalSetup makes the template databases)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Recipes;
}

/**
 * Creates the hub database `hubUrl` names and its department databases (at their default URLs
 * beside it) as copies of the templates: the tables and rows a hub and its departments have once
 * every migration has run. The databases must not exist.
 */
export async function createFromTemplates(hubUrl: string): Promise<void> {
  const { templateHubUrl, byDatabase } = recipes();
  const templates = sourceUrls(templateHubUrl, {});
  const targets = sourceUrls(hubUrl, {});
  const pairs = new Map<string, string>([[databaseOf(templateHubUrl), databaseOf(hubUrl)]]);
  for (const [code, url] of Object.entries(templates)) pairs.set(databaseOf(url), databaseOf(targets[code as keyof typeof targets]));
  await Promise.all(
    [...pairs].map(async ([template, target]) => {
      const conn = await mysql.createConnection({ uri: withDatabase(hubUrl, ''), multipleStatements: true });
      try {
        const id = mysql.escapeId(target);
        // Foreign keys off for this connection: a table may be made before the one it refers to.
        const statements = [`CREATE DATABASE ${id} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, 'SET foreign_key_checks = 0', ...byDatabase[template].map((s) => s.replaceAll(TARGET, id))];
        await conn.query(statements.join(';\n'));
      } finally {
        await endConnection(conn);
      }
    }),
  );
}
