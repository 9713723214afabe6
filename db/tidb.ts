/**
 * What keeps AidHub's SQL runnable on TiDB as well as MySQL 8 and MariaDB 10.11, checked
 * statically (test/tidb-lint.test.ts) since no TiDB server runs here. docs/scale-out.md explains.
 *
 * - A table with an AUTO_INCREMENT id carries AUTO_ID_CACHE 1 in TiDB's comment syntax: TiDB
 *   otherwise hands each server its own cached range of ids, so ids are unique but not in insertion
 *   order across servers, and AidHub orders and pages scans, finding events, slips, meetings and
 *   the rest by id. MySQL and MariaDB read the comment as a comment.
 * - None of: SKIP LOCKED, LATERAL joins, FULLTEXT (or MATCH … AGAINST), descending index keys,
 *   triggers, stored procedures/functions/events, SPATIAL indexes, CHECKSUM TABLE, LOCK TABLES,
 *   GET_LOCK. Locking reads lock single rows by key (TiDB takes no gap locks, so nothing may rely
 *   on locking a range); the test keeps their inventory.
 * - Foreign keys are listed in docs/scale-out.md: TiDB enforces them only from v6.6.
 *
 *   npx tsx db/tidb.ts --fix FILE…   adds the AUTO_ID_CACHE comment to a migration where missing
 *                                     (db/generate-migrations.sh runs it on every migration)
 */
import fs from 'node:fs';

export const TIDB_AUTO_ID_CACHE = '/*T![auto_id_cache] AUTO_ID_CACHE=1 */';
const BREAKPOINT = '--> statement-breakpoint';

export interface TidbProblem {
  rule: string;
  excerpt: string;
}

/** The SQL constructs TiDB does not run (or runs differently enough to matter here). */
export const FORBIDDEN_SQL: { rule: string; pattern: RegExp }[] = [
  { rule: 'SKIP_LOCKED', pattern: /\bSKIP\s+LOCKED\b/i },
  { rule: 'LATERAL_JOIN', pattern: /\bJOIN\s+LATERAL\b|,\s*LATERAL\s*\(/i },
  { rule: 'FULLTEXT', pattern: /\bFULLTEXT\b|\bMATCH\s*\([^)]*\)\s*AGAINST\b/i },
  { rule: 'TRIGGER', pattern: /\bCREATE\s+(DEFINER\s*=\s*\S+\s+)?TRIGGER\b/i },
  { rule: 'STORED_ROUTINE', pattern: /\bCREATE\s+(DEFINER\s*=\s*\S+\s+)?(PROCEDURE|FUNCTION|EVENT)\b/i },
  { rule: 'SPATIAL_INDEX', pattern: /\bSPATIAL\s+(INDEX|KEY)\b/i },
  { rule: 'CHECKSUM_TABLE', pattern: /\bCHECKSUM\s+TABLE\b/i },
  { rule: 'LOCK_TABLES', pattern: /\bLOCK\s+TABLES?\s+`?\w/i },
  { rule: 'GET_LOCK', pattern: /\bGET_LOCK\s*\(/i },
];

/** A descending key in an index definition: TiDB parses DESC there and ignores it. */
const DESC_INDEX = /\b(INDEX|KEY|UNIQUE)\b[^;]*?\([^)]*\bDESC\b[^)]*\)/i;

export function splitStatements(migration: string): string[] {
  return migration
    .split(BREAKPOINT)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isCreateTableWithAutoIncrement(statement: string): boolean {
  return /^CREATE\s+TABLE\b/i.test(statement) && /\bAUTO_INCREMENT\b/i.test(statement);
}

/** Problems in one migration file's text. */
export function migrationProblems(text: string): TidbProblem[] {
  const problems: TidbProblem[] = [];
  for (const statement of splitStatements(text)) {
    const head = statement.split('\n')[0].slice(0, 100);
    if (isCreateTableWithAutoIncrement(statement) && !statement.includes(TIDB_AUTO_ID_CACHE)) problems.push({ rule: 'AUTO_ID_CACHE_MISSING', excerpt: head });
    if (DESC_INDEX.test(statement)) problems.push({ rule: 'DESCENDING_INDEX', excerpt: head });
    for (const { rule, pattern } of FORBIDDEN_SQL) if (pattern.test(statement)) problems.push({ rule, excerpt: head });
  }
  return problems;
}

/** Problems in source code (its SQL strings, and anything else that reads like SQL). */
export function codeProblems(text: string): TidbProblem[] {
  const problems: TidbProblem[] = [];
  for (const { rule, pattern } of FORBIDDEN_SQL) {
    const m = pattern.exec(text);
    if (m) problems.push({ rule, excerpt: text.slice(Math.max(0, m.index - 40), m.index + 60).replace(/\s+/g, ' ') });
  }
  return problems;
}

/** Foreign keys a migration declares, by constraint name. */
export function foreignKeys(text: string): string[] {
  return [...text.matchAll(/CONSTRAINT\s+`([^`]+)`\s+FOREIGN\s+KEY/gi)].map((m) => m[1]);
}

/**
 * Locking reads in source code: `FOR UPDATE`, `FOR SHARE`, `LOCK IN SHARE MODE` in SQL text, and
 * drizzle's `.for('update' | 'share')`. Each is reported with its line, to be checked against the
 * reviewed inventory.
 */
export function lockingReads(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue; // comments describe; they do not lock
    if (/\bFOR\s+(UPDATE|SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|\.for\(\s*['"](update|share)['"]/i.test(line)) found.push(line.trim());
  }
  return found;
}

/** The migration with AUTO_ID_CACHE 1 added to every CREATE TABLE with an AUTO_INCREMENT id that lacks it. */
export function withAutoIdCache(text: string): string {
  const parts = text.split(BREAKPOINT);
  return parts
    .map((part) => {
      const statement = part.trim();
      if (!isCreateTableWithAutoIncrement(statement) || statement.includes(TIDB_AUTO_ID_CACHE)) return part;
      // The table's closing parenthesis, before the statement's end.
      return part.replace(/\)\s*;?(\s*)$/, (_m, tail: string) => `) ${TIDB_AUTO_ID_CACHE};${tail}`);
    })
    .join(BREAKPOINT);
}

if (require.main === module) {
  const [flag, ...files] = process.argv.slice(2);
  if (flag !== '--fix' || files.length === 0) {
    console.error('usage: tsx db/tidb.ts --fix MIGRATION.sql …');
    process.exit(2);
  }
  for (const file of files) {
    const before = fs.readFileSync(file, 'utf8');
    const after = withAutoIdCache(before);
    if (after !== before) {
      fs.writeFileSync(file, after);
      console.log(`${file}: AUTO_ID_CACHE 1 added for TiDB`);
    }
  }
}
