/**
 * The rights the hub's database user needs on the hub database, checked at `npm start` with
 * DATABASE_URL before the migrations run (server/main.ts): a user without one got as far as the
 * statement that needed it, perhaps after the migrations had made half the tables, or only at the
 * first request that wrote.
 *
 * What the hub does on its own database: its migrations create tables and indexes and alter them,
 * with foreign keys (CREATE, ALTER, INDEX, REFERENCES; the migrator also creates drizzle's journal
 * table and its count of statements applied when missing, db/setup/migrator.ts); it reads, inserts and updates rows (SELECT, INSERT, UPDATE; a
 * locking read, SELECT … FOR UPDATE, needs UPDATE besides SELECT). It never deletes a row (the audit
 * trail, the ledger and the cases are only ever appended to or updated), never drops or renames
 * anything, and takes no table locks: DELETE, DROP and LOCK TABLES are not needed, and a hub user
 * without DELETE cannot erase the audit trail's rows.
 */
import mysql from 'mysql2/promise';
import { databaseOf } from '../config';
import { endConnection } from '../connect';

export const HUB_RIGHTS = ['SELECT', 'INSERT', 'UPDATE', 'CREATE', 'ALTER', 'INDEX', 'REFERENCES'] as const;

/**
 * The rights of HUB_RIGHTS the user of `url` lacks on its database, in HUB_RIGHTS's order; null when
 * the server does not say enough to tell (a role is active, whose rights information_schema does
 * not list; a server without these views; TiDB), so that only a right certainly missing refuses a start.
 * A right counts when granted on the whole server, on the database (or a pattern matching its
 * name, as `aidhub\_%`), or on every table of it the user can see.
 */
export async function missingHubRights(url: string): Promise<string[] | null> {
  const database = databaseOf(url);
  const conn = await mysql.createConnection({ uri: url });
  try {
    // TiDB lists no column rights, and its privilege views have differed between releases: not weighed.
    const [[version]] = (await conn.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
    if (/tidb/i.test(version.v)) return null;
    try {
      const [[role]] = (await conn.query('SELECT CURRENT_ROLE() AS role')) as unknown as [{ role: string | null }[]];
      if (role.role !== null && role.role !== 'NONE') return null;
    } catch {
      // A server without roles.
    }
    const [[who]] = (await conn.query('SELECT CURRENT_USER() AS who')) as unknown as [{ who: string }[]];
    const at = who.who.lastIndexOf('@');
    const grantee = `'${who.who.slice(0, at)}'@'${who.who.slice(at + 1)}'`;
    const rows = async (sql: string, params: unknown[]) => ((await conn.query(sql, params)) as unknown as [Record<string, string>[]])[0];
    let global: Record<string, string>[], schema: Record<string, string>[], tables: Record<string, string>[], tableRights: Record<string, string>[], columnTables: Record<string, string>[];
    try {
      global = await rows('SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?', [grantee]);
      schema = await rows('SELECT PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND ? LIKE TABLE_SCHEMA', [grantee, database]);
      tables = await rows("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [database]);
      tableRights = await rows('SELECT TABLE_NAME AS t, PRIVILEGE_TYPE AS p FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?', [grantee, database]);
      columnTables = await rows('SELECT DISTINCT TABLE_NAME AS t FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ?', [grantee, database]);
    } catch {
      return null;
    }
    const wide = new Set([...global, ...schema].map((r) => r.p.toUpperCase()));
    // Rights granted column by column are not weighed: such a table never refuses a start here.
    const byColumn = new Set(columnTables.map((r) => r.t));
    const onTable = new Map<string, Set<string>>();
    for (const r of tableRights) (onTable.get(r.t) ?? onTable.set(r.t, new Set()).get(r.t)!).add(r.p.toUpperCase());
    const everyTable = (right: string) => tables.length > 0 && tables.every((t) => byColumn.has(t.t) || onTable.get(t.t)?.has(right));
    return HUB_RIGHTS.filter((right) => !wide.has(right) && !everyTable(right));
  } finally {
    await endConnection(conn);
  }
}
