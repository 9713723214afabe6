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
 * - Nothing MariaDB runs that MySQL 8 refuses (tests run on MariaDB alone, so they would not
 *   notice): RETURNING, sequences, IF [NOT] EXISTS on a column, index or constraint, LIMIT in an
 *   IN/ANY/SOME/ALL subquery (MySQL error 1235), INTERSECT/EXCEPT (MySQL 8.0.31+ only), CAST(… AS
 *   INT), MariaDB's own functions and syntax (SET STATEMENT, CREATE OR REPLACE TABLE, OFFSET … FETCH,
 *   FOR UPDATE WAIT n, …), nor JSON_TABLE or UUID_SHORT, which TiDB lacks, nor MD5 or SHA1, which
 *   MySQL 9.7 lacks; no EXPLAIN read as rows without FORMAT=TRADITIONAL (MySQL 9's default format
 *   is a tree of text). In migrations, no CHECK
 *   constraint (TiDB does not enforce it) and no MariaDB-only column (uuid, inet4, inet6, PERSISTENT);
 *   one change to an ALTER TABLE (TiDB before v6.2), and an enum's members only appended to.
 * - No UPDATE whose SET reads a column it assigns earlier: TiDB evaluates every assignment on the
 *   row as it was, MySQL and MariaDB left to right (statementProblems).
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
  // MariaDB runs these; MySQL 8 refuses them (and TiDB, where said).
  { rule: 'RETURNING', pattern: /\b(INSERT|REPLACE|DELETE)\b[^;`]*?\bRETURNING\b/i },
  { rule: 'SEQUENCE', pattern: /\bCREATE\s+(OR\s+REPLACE\s+)?SEQUENCE\b|\bNEXT\s+VALUE\s+FOR\b|\b(NEXTVAL|LASTVAL|SETVAL)\s*\(/i },
  // IF [NOT] EXISTS on a column, index, key or constraint (MySQL has it for tables, databases and users only).
  {
    rule: 'IF_EXISTS_IN_ALTER',
    pattern: /\b(ADD|DROP|MODIFY|CHANGE)\s+(COLUMN\s+|INDEX\s+|KEY\s+|UNIQUE\s+(INDEX\s+|KEY\s+)?|CONSTRAINT\s+|FOREIGN\s+KEY\s+|PRIMARY\s+KEY\s+|PARTITION\s+)?IF\s+(NOT\s+)?EXISTS\b|\bCREATE\s+(UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\b/i,
  },
  // MySQL 8: "This version of MySQL doesn't yet support 'LIMIT & IN/ALL/ANY/SOME subquery'" (1235);
  // a LIMIT inside a derived table within the subquery (`IN (SELECT id FROM (SELECT … LIMIT 5) t)`) is
  // fine, and is not matched: the LIMIT must stand at the subquery's own level.
  { rule: 'LIMIT_IN_SUBQUERY', pattern: /(?<!\bUNION\s+)\b(IN|ANY|SOME|ALL)\s*\(\s*SELECT\b(?:[^()]|\((?:[^()]|\([^()]*\))*\))*?\bLIMIT\b/i },
  // MySQL from 8.0.31 only.
  { rule: 'INTERSECT_EXCEPT', pattern: /\b(INTERSECT|EXCEPT)\s+(ALL\s+|DISTINCT\s+)?\(?\s*SELECT\b/i },
  // MySQL's CAST takes SIGNED or UNSIGNED [INTEGER], not INT or INTEGER alone.
  { rule: 'CAST_AS_INT', pattern: /\bCAST\s*\((?:[^()]|\([^()]*\))*\bAS\s+INT(EGER)?\s*\)/i },
  // MariaDB's own functions; and JSON_TABLE and UUID_SHORT, which TiDB lacks. The bare words (NVL,
  // MEDIAN, …) in capitals only, as SQL here is written: in lower case they are names a script may use.
  {
    rule: 'FUNCTION_NOT_EVERYWHERE',
    pattern:
      /\b(JSON_DETAILED|JSON_PRETTY_PRINT|JSON_LOOSE|JSON_COMPACT|JSON_QUERY|JSON_EXISTS|JSON_NORMALIZE|JSON_EQUALS|JSON_ARRAY_INTERSECT|JSON_OBJECT_FILTER_KEYS|JSON_OBJECT_TO_ARRAY|JSON_KEY_VALUE|JSON_TABLE|COLUMN_CREATE|COLUMN_GET|COLUMN_ADD|DECODE_ORACLE|TO_CHAR|ADD_MONTHS|NATURAL_SORT_KEY|PERCENTILE_CONT|PERCENTILE_DISC|UUID_SHORT)\s*\(/i,
  },
  { rule: 'FUNCTION_NOT_EVERYWHERE', pattern: /\b(NVL2?|SFORMAT|MEDIAN|ROWNUM)\s*\(/ },
  // MySQL 9.7 has neither MD5() nor SHA1() (ER_SP_DOES_NOT_EXIST, read as a stored function); SHA2 runs everywhere.
  { rule: 'FUNCTION_NOT_EVERYWHERE', pattern: /\b(MD5|SHA1)\s*\(/i },
  // A plain EXPLAIN whose rows are read: MySQL 9 answers it as one TREE text column by default
  // (explain_format), with no `key` or `type`; FORMAT=TRADITIONAL (test/support/statements.ts
  // EXPLAIN_ROWS) answers in rows on MySQL 8 and 9 and MariaDB 10.11 alike. Found running the tests on
  // MySQL 9.7 (docs/scale-out.md).
  { rule: 'EXPLAIN_WITHOUT_FORMAT', pattern: /\bEXPLAIN\s+(\$\{|SELECT\b|UPDATE\b|DELETE\b|INSERT\b)/ },
  {
    rule: 'MARIADB_SYNTAX',
    pattern:
      /\bSET\s+STATEMENT\b|\bmax_statement_time\b|\bCREATE\s+OR\s+REPLACE\s+TABLE\b|\bROWS\s+EXAMINED\b|\bFETCH\s+(FIRST|NEXT)\s+\S+\s+ROWS?\s+(ONLY|WITH\s+TIES)\b|\b(FOR\s+UPDATE|IN\s+SHARE\s+MODE)\s+WAIT\s+\d|\bFOR\s+SYSTEM_TIME\b|\bWITH\s+SYSTEM\s+VERSIONING\b/i,
  },
];

/** A descending key in an index definition: TiDB parses DESC there and ignores it. */
const DESC_INDEX = /\b(INDEX|KEY|UNIQUE)\b[^;]*?\([^)]*\bDESC\b[^)]*\)/i;

/**
 * A CHECK constraint: MySQL (from 8.0.16) and MariaDB enforce it, TiDB parses it and drops it (before
 * v7.2), or keeps it unenforced unless `tidb_enable_check_constraint` is on (v7.2 on). A rule the
 * hub relies on is checked in its code.
 */
const CHECK_CONSTRAINT = /\bCHECK\s*\(/i;

/** Column types MariaDB has and MySQL 8 and TiDB do not, and its PERSISTENT (MySQL: STORED) generated columns. */
const MARIADB_COLUMN = /`\w+`\s+(uuid|inet4|inet6)\b|\)\s*PERSISTENT\b/i;

export function splitStatements(migration: string): string[] {
  return migration
    .split(BREAKPOINT)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isCreateTableWithAutoIncrement(statement: string): boolean {
  return /^CREATE\s+TABLE\b/i.test(statement) && /\bAUTO_INCREMENT\b/i.test(statement);
}

/** An ALTER TABLE making several changes: TiDB runs one change a statement before v6.2. */
const MULTI_CHANGE_ALTER = /\bALTER\s+TABLE\b[^;]*?,\s*(ADD|DROP|MODIFY|CHANGE|ALTER|RENAME)\b/i;

/**
 * The enum columns of one migrations folder (its files' texts in the order they run) whose members a
 * later migration reorders or removes rather than appends to: MySQL 8 and TiDB append members
 * without touching a row, and rewrite (or on an older TiDB refuse) anything else.
 */
export function enumChangeProblems(migrations: readonly string[]): TidbProblem[] {
  const members = new Map<string, string[]>();
  const problems: TidbProblem[] = [];
  for (const statement of migrations.flatMap(splitStatements)) {
    const created = /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`(\w+)`/i.exec(statement);
    const columns = created
      ? [...statement.matchAll(/`(\w+)`\s+enum\(([^)]*)\)/gi)].map((m) => ({ table: created[1], column: m[1], list: m[2] }))
      : [...statement.matchAll(/ALTER\s+TABLE\s+`(\w+)`\s+(?:MODIFY\s+COLUMN|ADD)\s+`(\w+)`\s+enum\(([^)]*)\)/gi)].map((m) => ({ table: m[1], column: m[2], list: m[3] }));
    for (const { table, column, list } of columns) {
      const key = `${table}.${column}`;
      const now = list.split(',').map((v) => v.trim());
      const before = members.get(key);
      if (!created && before && before.some((v, i) => now[i] !== v)) problems.push({ rule: 'ENUM_NOT_APPENDED', excerpt: `${key}: ${before.join(',')} → ${now.join(',')}` });
      members.set(key, now);
    }
  }
  return problems;
}

/** Problems in one migration file's text. */
export function migrationProblems(text: string): TidbProblem[] {
  const problems: TidbProblem[] = [];
  for (const statement of splitStatements(text)) {
    const head = statement.split('\n')[0].slice(0, 100);
    if (isCreateTableWithAutoIncrement(statement) && !statement.includes(TIDB_AUTO_ID_CACHE)) problems.push({ rule: 'AUTO_ID_CACHE_MISSING', excerpt: head });
    if (DESC_INDEX.test(statement)) problems.push({ rule: 'DESCENDING_INDEX', excerpt: head });
    const code = statement.replace(/^\s*--.*$/gm, '');
    if (CHECK_CONSTRAINT.test(code)) problems.push({ rule: 'CHECK_CONSTRAINT', excerpt: head });
    if (MARIADB_COLUMN.test(code)) problems.push({ rule: 'MARIADB_COLUMN', excerpt: head });
    if (MULTI_CHANGE_ALTER.test(code)) problems.push({ rule: 'MULTI_CHANGE_ALTER', excerpt: head });
    for (const { rule, pattern } of FORBIDDEN_SQL) if (pattern.test(statement)) problems.push({ rule, excerpt: head });
    if (updateReadsAssigned(statement)) problems.push({ rule: 'UPDATE_READS_ASSIGNED', excerpt: head });
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
const LOCKING_TX_PROVIDERS = new Set(['lockingTransaction', 'sealedTransaction', 'fenced']);
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

/** The column a drizzle property names here: `decideBy` → `decide_by` (every schema maps names so). */
function columnOf(property: string): string {
  return property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The assignments of an UPDATE's SET clause in `text` (from just after SET): split at commas outside
 * parentheses and `${…}`, up to WHERE, ORDER BY or LIMIT outside them, or the end.
 */
function setAssignments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || (c === '$' && text[i + 1] === '{')) depth++;
    else if ((c === ')' || c === '}') && depth > 0) depth--;
    else if (depth === 0 && c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    } else if (depth === 0 && /^\s(WHERE|ORDER\s+BY|LIMIT)\b/i.test(text.slice(i, i + 12))) {
      parts.push(text.slice(start, i));
      return parts;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The assignments (column, expression) of which one reads a column an earlier one writes, described. */
function readsEarlierAssignment(assignments: { column: string; expression: string }[]): string | null {
  for (let k = 1; k < assignments.length; k++) {
    // `${table.someColumn}` in a template names some_column.
    const expression = assignments[k].expression.replace(/\.([a-z][A-Za-z0-9]*)\b/g, (_m, p: string) => `.${columnOf(p)}`);
    for (let j = 0; j < k; j++) {
      const earlier = assignments[j].column;
      if (earlier !== assignments[k].column && new RegExp(`(^|[^\\w])${earlier}\\b`, 'i').test(expression)) return `${assignments[k].column} reads ${earlier}, assigned before it`;
    }
  }
  return null;
}

/**
 * Why an UPDATE in `sqlText` (raw SQL, or a template's text with its `${…}`) reads a column an earlier
 * assignment of its SET writes (statementProblems, UPDATE_READS_ASSIGNED), or null.
 */
export function updateReadsAssigned(sqlText: string): string | null {
  for (const m of sqlText.matchAll(/\bUPDATE\s+(`?\w+`?|\$\{[^}]*\})(\s+(AS\s+)?\w+)?\s+SET\s/gi)) {
    const assignments = setAssignments(sqlText.slice(m.index! + m[0].length)).flatMap((a) => {
      const am = /^\s*(?:\w+\.)?`?(\w+)`?\s*=([\s\S]*)$/.exec(a);
      return am ? [{ column: am[1].toLowerCase(), expression: am[2] }] : [];
    });
    const why = readsEarlierAssignment(assignments);
    if (why) return why;
  }
  return null;
}

/**
 * Statements whose meaning on TiDB is not theirs on MySQL and MariaDB, found in the syntax tree:
 *
 * - UPDATE_READS_ASSIGNED: an UPDATE whose SET reads a column an earlier assignment of the same SET
 *   writes. MySQL and MariaDB evaluate the assignments left to right, each seeing those before it
 *   (`SET a = a + 1, b = a` gives b the new a); TiDB evaluates every one on the row as it was (b
 *   gets the old a), a difference it documents and keeps (pingcap/docs#7094, pingcap/tidb#25645,
 *   #54038). A column reading itself is the same everywhere. ON DUPLICATE KEY UPDATE is not
 *   affected: TiDB evaluates its assignments in order, as MySQL does (executor/insert.go,
 *   doDupRowUpdate), and advanceWatermark in db/monitoring/store.ts relies on that.
 *   Both raw SQL (`UPDATE t SET …`) and drizzle's `.update(t).set({ … })` are read.
 * - LIMIT_IN_SUBQUERY: drizzle's `inArray`/`notInArray` over a select with `.limit(…)`, which
 *   MySQL 8 refuses (1235); FORBIDDEN_SQL finds it in SQL text.
 */
export function statementProblems(file: string, text: string): TidbProblem[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: TidbProblem[] = [];
  const report = (rule: string, node: ts.Node, why: string) =>
    problems.push({ rule, excerpt: `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${why}: ${node.getText().replace(/\s+/g, ' ').slice(0, 120)}` });
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) && !ts.isTemplateExpression(node.parent)) {
      const why = updateReadsAssigned(node.getText().slice(1, -1));
      if (why) report('UPDATE_READS_ASSIGNED', node, why);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'set' && /\.update\(/.test(node.expression.expression.getText())) {
      const [values] = node.arguments;
      if (values && ts.isObjectLiteralExpression(values)) {
        const assignments = values.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? [{ column: columnOf(p.name.getText()), expression: p.initializer.getText() }] : []));
        const why = readsEarlierAssignment(assignments);
        if (why) report('UPDATE_READS_ASSIGNED', node, why);
      }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && /^(inArray|notInArray)$/.test(node.expression.text)) {
      const list = node.arguments[1];
      if (list && /\.select(Distinct)?\(/.test(list.getText()) && /\.limit\(/.test(list.getText())) report('LIMIT_IN_SUBQUERY', node, 'MySQL 8 runs no LIMIT in an IN subquery');
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
