/**
 * Writes generated rows into the hub database and each department's database with multi-row
 * INSERTs (a few thousand rows per statement), one dedicated connection per database. Each chunk
 * of households is one transaction per database; while one chunk is being written the next is
 * being generated, and at most one chunk is in flight, so memory stays bounded however many
 * households are asked for.
 *
 * A failed chunk is rolled back in the database where it failed; chunks already committed (and
 * the same chunk in databases that had already committed it) stay. The error names the chunk, and
 * the databases are then non-empty: re-run with `truncate` (or empty them yourself).
 */
import mysql from 'mysql2/promise';
import { DEPARTMENT_CODES, type DepartmentCode } from '../../domain/departments';
import { REGIONS } from '../../domain/regions';
import { databaseOf, redactUrl } from '../../db/config';
import { endConnection } from '../../db/connect';
import { TABLES, TABLE_NAMES, type Row, type TableName, type TableRows, type Target } from './tables';

export type ExistingData = 'refuse' | 'append' | 'truncate';

/** Rows per INSERT statement. */
export const ROWS_PER_STATEMENT = 4000;

export const TARGETS: readonly Target[] = ['HUB', ...DEPARTMENT_CODES];

export class NonEmptyDatabaseError extends Error {
  override name = 'NonEmptyDatabaseError';
}

function tablesOf(target: Target): TableName[] {
  return TABLE_NAMES.filter((t) => TABLES[t].target === target);
}

export class Loader {
  private constructor(
    private readonly conns: Record<Target, mysql.Connection>,
    private readonly labels: Record<Target, string>,
    private readonly targets: readonly Target[],
  ) {}

  /**
   * `targets`: the databases it writes (and, for the policies, reads); the hub is always opened, for its households.
   * `clockAt`: each session's clock set to that instant (`SET timestamp`), so the rows' change markers carry it.
   */
  static async open(hubUrl: string, sources: Record<DepartmentCode, string>, targets: readonly Target[] = TARGETS, clockAt?: Date): Promise<Loader> {
    const urls: Record<Target, string> = { HUB: hubUrl, ...sources };
    const conns = {} as Record<Target, mysql.Connection>;
    const labels = {} as Record<Target, string>;
    const opened: readonly Target[] = targets.includes('HUB') ? targets : ['HUB', ...targets];
    try {
      for (const target of opened) {
        labels[target] = `${target === 'HUB' ? 'hub' : target} (${databaseOf(urls[target])})`;
        conns[target] = await mysql.createConnection({ uri: urls[target], charset: 'utf8mb4', dateStrings: true, supportBigNumbers: true });
        if (clockAt) await conns[target].query('SET timestamp = ?', [clockAt.getTime() / 1000]);
      }
    } catch (err) {
      await Promise.all(Object.values(conns).map((c) => endConnection(c).catch(() => undefined)));
      const target = opened.find((t) => !conns[t]);
      throw new Error(`cannot connect to ${target ? redactUrl(urls[target]) : 'a database'}: ${(err as Error).message}`, { cause: err });
    }
    return new Loader(conns, labels, targets);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.conns).map((c) => endConnection(c).catch(() => undefined)));
  }

  /** The hub's households so far: how many, and the highest id (0 for none). */
  async households(): Promise<{ count: number; maxId: number }> {
    const [[row]] = await this.conns.HUB.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS maxId FROM household');
    return { count: Number(row.n), maxId: Number(row.maxId) };
  }

  /** The (household id, ID number) memberships of households `fromId` to `toId`, as "id:number" strings. */
  async memberships(fromId: number, toId: number): Promise<Set<string>> {
    const [rows] = await this.conns.HUB.query<mysql.RowDataPacket[]>('SELECT household_id, id_number FROM household_member WHERE household_id BETWEEN ? AND ?', [fromId, toId]);
    return new Set(rows.map((r) => `${r.household_id}:${r.id_number}`));
  }

  /** The generator's tables that already hold rows, as "database.table". */
  async nonEmptyTables(): Promise<string[]> {
    const found: string[] = [];
    for (const target of this.targets) {
      for (const table of tablesOf(target)) {
        const [rows] = await this.conns[target].query<mysql.RowDataPacket[]>(`SELECT 1 AS x FROM ${mysql.escapeId(table)} LIMIT 1`);
        if (rows.length > 0) found.push(`${this.labels[target]}.${table}`);
      }
    }
    return found;
  }

  /**
   * Empties exactly the generator's tables. Other tables that refer to them by foreign key (the
   * hub's cases refer to households) must already be empty: their rows would be left pointing at
   * households that are gone or, worse, at different households with the same id.
   */
  async truncate(): Promise<void> {
    for (const target of this.targets) {
      const conn = this.conns[target];
      const ours = tablesOf(target);
      const [refs] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT DISTINCT TABLE_NAME AS t, REFERENCED_TABLE_NAME AS r FROM information_schema.REFERENTIAL_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IN (?) AND TABLE_NAME NOT IN (?)`,
        [ours, ours],
      );
      const blocking: string[] = [];
      for (const ref of refs) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT 1 AS x FROM ${mysql.escapeId(ref.t as string)} LIMIT 1`);
        if (rows.length > 0) blocking.push(`${ref.t} (refers to ${ref.r})`);
      }
      if (blocking.length > 0) {
        throw new NonEmptyDatabaseError(`refusing to truncate ${this.labels[target]}: ${blocking.join(', ')} still hold rows; empty them first`);
      }
      await conn.query('SET FOREIGN_KEY_CHECKS = 0');
      try {
        for (const table of ours) await conn.query(`TRUNCATE TABLE ${mysql.escapeId(table)}`);
      } finally {
        await conn.query('SET FOREIGN_KEY_CHECKS = 1');
      }
    }
  }

  /** Applies the `existing` policy; returns the first free household number (0-based). */
  async prepare(existing: ExistingData): Promise<number> {
    if (existing === 'truncate') await this.truncate();
    else if (existing === 'refuse') {
      const found = await this.nonEmptyTables();
      if (found.length > 0) {
        throw new NonEmptyDatabaseError(
          `refusing to load demo data into non-empty tables: ${found.slice(0, 6).join(', ')}${found.length > 6 ? ` and ${found.length - 6} more` : ''}. ` +
            'Use --append to add to them, or --truncate to empty the generator\'s tables first.',
        );
      }
    }
    const [[row]] = await this.conns.HUB.query<mysql.RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS maxId FROM household');
    return Number(row.maxId);
  }

  /** Every ID number already in the hub, so an appended run does not reuse one. */
  async existingIdNumbers(): Promise<Set<string>> {
    const ids = new Set<string>();
    let after = '';
    for (;;) {
      const [rows] = await this.conns.HUB.query<mysql.RowDataPacket[]>('SELECT id_number FROM person WHERE id_number > ? ORDER BY id_number LIMIT 50000', [after]);
      for (const r of rows) ids.add(r.id_number as string);
      if (rows.length < 50000) return ids;
      after = rows[rows.length - 1].id_number as string;
    }
  }

  /** The division list (reference data): inserted, or refreshed where present. */
  async loadRegions(): Promise<number> {
    const rows = REGIONS.map((r) => [r.code, r.name, r.level, r.parentCode]);
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await this.conns.HUB.query(
        'INSERT INTO region (code, name, level, parent_code) VALUES ? ON DUPLICATE KEY UPDATE name = VALUES(name), level = VALUES(level), parent_code = VALUES(parent_code)',
        [rows.slice(i, i + ROWS_PER_STATEMENT)],
      );
    }
    return rows.length;
  }

  /**
   * One chunk: a transaction per database, all databases written concurrently. A database that fails
   * rolls back its part and the chunk rejects naming it (the others' parts stay committed). With
   * `signal`: stops between statements once it is aborted, rolls back, and rejects with its reason.
   */
  async loadChunk(rows: TableRows, chunkNo: number, signal?: AbortSignal): Promise<void> {
    const results = await Promise.allSettled(this.targets.map((target) => this.loadTarget(target, rows, signal)));
    signal?.throwIfAborted();
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${this.labels[this.targets[i]]}: ${scrub((r.reason as Error).message)}`] : []));
    if (failed.length > 0) throw new Error(`loading chunk ${chunkNo} failed (earlier chunks stay loaded): ${failed.join('; ')}`);
  }

  private async loadTarget(target: Target, rows: TableRows, signal?: AbortSignal): Promise<void> {
    const tables = tablesOf(target).filter((t) => rows[t].length > 0);
    if (tables.length === 0) return;
    const conn = this.conns[target];
    await conn.query('START TRANSACTION');
    try {
      for (const table of tables) await insertRows(conn, table, rows[table], signal);
      await conn.query('COMMIT');
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}

/** Server messages quote key values ("Duplicate entry '…'"): mask anything shaped like an ID number. */
export function scrub(message: string): string {
  return message.replace(/\d{6}(\d{11}[\dXx])(\d{0,2})/g, (m) => `${m.slice(0, 6)}${'*'.repeat(m.length - 10)}${m.slice(-4)}`);
}

async function insertRows(conn: mysql.Connection, table: TableName, rows: Row[], signal?: AbortSignal): Promise<void> {
  const head = `INSERT INTO ${mysql.escapeId(table)} (${TABLES[table].columns.map((c) => mysql.escapeId(c)).join(', ')}) VALUES ?`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    signal?.throwIfAborted();
    await conn.query(head, [i === 0 && rows.length <= ROWS_PER_STATEMENT ? rows : rows.slice(i, i + ROWS_PER_STATEMENT)]);
  }
}
