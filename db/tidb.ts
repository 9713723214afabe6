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
 * - A transaction that locks a row and then reads runs at READ COMMITTED (db/locking.ts
 *   lockingTransaction; the audit writer's raw SQL begins with BEGIN_LOCKING_SQL). At REPEATABLE
 *   READ TiDB reads every plain SELECT from a snapshot taken at the transaction's first statement,
 *   so a read after waiting for a lock would miss what its previous holder committed; InnoDB's
 *   snapshot, taken at the first plain read, hides that on MySQL and MariaDB. lockingReadProblems
 *   finds a locking read sent on anything but a LockingTx. Untested on a real TiDB: argued from its
 *   documentation (pessimistic mode: snapshot read and current read; RC only in pessimistic mode).
 * - Foreign keys are listed in docs/scale-out.md: TiDB enforces them only from v6.6.
 *
 *   npx tsx db/tidb.ts --fix FILE…   adds the AUTO_ID_CACHE comment to a migration where missing
 *                                     (db/generate-migrations.sh runs it on every migration)
 */
import fs from 'node:fs';
import ts from 'typescript';

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
  // A table named in the text or filled in by a template (`LOCK TABLES ${names}`).
  { rule: 'LOCK_TABLES', pattern: /\bLOCK\s+TABLES?\s+(`?\w|\$\{)/i },
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

/** Names that hand a callback a LockingTx (db/locking.ts): its parameter needs no annotation there. */
const LOCKING_TX_PROVIDERS = new Set(['lockingTransaction', 'fenced']);
/** Raw SQL that begins its own transaction at READ COMMITTED before it locks (the audit writer's). */
const BEGINS_READ_COMMITTED = /^\s*(\$\{BEGIN_LOCKING_SQL\}|SET\s+TRANSACTION\s+ISOLATION\s+LEVEL\s+READ\s+COMMITTED\b)/i;
const LOCKING_SQL = /\bFOR\s+(UPDATE|SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b/i;

/** The identifier a call chain starts from: `tx` in `tx.select().from(t).where(…).for('update')`. */
function chainRoot(node: ts.Expression): ts.Identifier | null {
  let e: ts.Node = node;
  for (;;) {
    if (ts.isIdentifier(e)) return e;
    if (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e) || ts.isElementAccessExpression(e) || ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
    else return null;
  }
}

/** How `name`, used at `at`, is declared: a parameter typed LockingTx or handed one by lockingTransaction, or not. */
function isLockingTx(name: ts.Identifier): boolean {
  for (let n: ts.Node | undefined = name.parent; n; n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    const param = n.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name.text);
    if (!param) continue;
    if (param.type) return param.type.getText() === 'LockingTx';
    const call = n.parent;
    return ts.isCallExpression(call) && call.arguments.includes(n as unknown as ts.Expression) && LOCKING_TX_PROVIDERS.has(call.expression.getText());
  }
  return false;
}

/**
 * Locking reads not run in a READ COMMITTED transaction (db/locking.ts says why), found in the
 * syntax tree: each `.for('update' | 'share')`, and each SQL text with FOR UPDATE, FOR SHARE or
 * LOCK IN SHARE MODE, must be sent on a `LockingTx` (a parameter so typed, or the callback's of
 * lockingTransaction or fenced), or be raw SQL that begins its own transaction at READ COMMITTED.
 * A cast to LockingTx is a problem anywhere but db/locking.ts: the type is the proof.
 */
export function lockingReadProblems(file: string, text: string): TidbProblem[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: TidbProblem[] = [];
  const report = (rule: string, node: ts.Node) => problems.push({ rule, excerpt: `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().replace(/\s+/g, ' ').slice(0, 120)}` });
  const visit = (node: ts.Node): void => {
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && /\bLockingTx\b/.test(node.type.getText()) && file !== 'db/locking.ts') report('LOCKING_TX_CAST', node);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'for') {
      const [mode] = node.arguments;
      if (mode && ts.isStringLiteralLike(mode) && /^(update|share)$/i.test(mode.text)) {
        const root = chainRoot(node.expression.expression);
        if (!root || !isLockingTx(root)) report('LOCKING_READ_OUTSIDE_READ_COMMITTED', node);
      }
    }
    if ((ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) && !ts.isTemplateExpression(node.parent) && LOCKING_SQL.test(node.getText())) {
      const literal = ts.isTaggedTemplateExpression(node.parent) ? node.parent : node;
      const call = literal.parent;
      const root = ts.isCallExpression(call) && call.arguments.includes(literal as ts.Expression) ? chainRoot(call.expression) : null;
      const sqlText = node.getText().slice(1);
      if (!(root && isLockingTx(root)) && !BEGINS_READ_COMMITTED.test(sqlText)) report('LOCKING_READ_OUTSIDE_READ_COMMITTED', node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
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
