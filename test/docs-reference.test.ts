/**
 * What README.md and docs/ tell an operator or a client developer to type or to expect, held to the
 * tree without a server (test/readme-reference.test.ts holds README's reference sections): every
 * GraphQL example parses and validates against the schema, and every shell example naming a demo
 * client and a purpose is one that client may run; every schema coordinate and argument they name is
 * the schema's; every `npm run` command names a script, and every option written after it is one its
 * tool reads; every path of the repository they name exists, and a name written with its file is in
 * it; a code written with its reasons is one the Errors tables pair, and the integration guide's
 * statuses are theirs; a default written beside a variable is the Configuration table's; every
 * capitalised name (a code, a reason, a variable), metric, migration and `table.column` is one the
 * tree has; a code list given by its type names every member; the integration guide's page and
 * re-read sizes are the ones its selection fits. The checks read names and numbers beside names,
 * never sentences, so rewording the prose does not break them.
 * (Session 49: a reading of docs/scale-out.md, integration.md, access.md and performance.md's method
 * against the code, and of README's sections on cases, slips, alerts, monitoring, charity and legal
 * aid, found the guide's re-read size, access.md's Hardening and scale-out.md's data upgrades false;
 * the rest of what these checks read was true, and they keep it so.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildASTSchema, getNamedType, isInputObjectType, isInterfaceType, isObjectType, Kind, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ERROR_CODES } from '../access/errors';
import { checkCall, mayStatePurpose, type Caller } from '../access/decide';
import { DEMO_CLIENTS } from '../access/demo-clients';
import { isPurpose, ROOT_RULES } from '../access/policy';
import { DEPARTMENT_CODES } from '../domain/departments';
import { loadTypeDefs } from '../resolvers/type-defs';
import { cellItems, configurationRows, docsFiles, README, rowVariables } from './support/readme';

const ROOT = path.join(__dirname, '..');

/**
 * README and docs/, each as a file and its text. docs/performance.md keeps its method (how each
 * bench measures) above its log of runs: the log records the tree as it was on the day (files since
 * removed, options since renamed), so only the method is held to today's tree.
 */
function documents(): { file: string; text: string }[] {
  return [{ file: 'README.md', text: README }, ...docsFiles()].map(({ file, text }) => {
    if (file !== 'docs/performance.md') return { file, text };
    const log = text.search(/^## (?:The README's record of runs|Runs of|Session \d)/m);
    expect(log).toBeGreaterThan(0);
    return { file, text: text.slice(0, log) };
  });
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

let schemaBuilt: GraphQLSchema | null = null;
function schema(): GraphQLSchema {
  return (schemaBuilt ??= buildASTSchema(parse(loadTypeDefs().join('\n'))));
}

/** The fenced code blocks of a text, with their language (`sh`, `graphql`, or empty). */
function codeBlocks(text: string): { lang: string; body: string; line: number }[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], body: m[2], line: lineOf(text, m.index!) }));
}

/**
 * The GraphQL documents of a shell block, as curl, jq and the examples' helpers carry them: a JSON
 * body's `"query":"…"`, jq's `query: "…"`, and `gql '…'`/`gql "…"` (with a token and a purpose
 * before it or not). A value the shell splices in (`"'$ID'"`, `'$(date +%F)'`) reads as a literal.
 */
function shellDocuments(body: string): string[] {
  const spliced = body.replace(/'\$\([^)]*\)'/g, '2026-01-01').replace(/'"?\$\{?\w+\}?"?'/g, '1');
  return [
    ...[...spliced.matchAll(/"query"\s*:\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string),
    ...[...spliced.matchAll(/\bquery: "((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string),
    ...[...spliced.matchAll(/\bgql (?:\$\w+ [A-Z_]+ )?'([^']*)'/g)].map((m) => m[1]),
    ...[...spliced.matchAll(/\bgql (?:\$\w+ [A-Z_]+ )?"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"').replace(/\$\w+/g, '1')),
    // A helper's argument that is a variable holding the document (`gql $CA CASE_MEETING "$MOVE"`) is no document.
  ].filter((source) => source.includes('{'));
}

/**
 * The operations written in a code span of the prose: `query { … }`, `mutation { … }`, or `{ … }`
 * opening with a root query field (`{ reportedAidReconciliation(from: "<today>", …) { … } }`).
 * Other braces in code spans (a JSON body, a JavaScript object) are not GraphQL.
 */
function inlineDocuments(text: string): { source: string; line: number }[] {
  const queries = schema().getQueryType()!.getFields();
  return [...text.replace(/^```\w*\n[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ' ')).matchAll(/`((?:query|mutation)\s*\{[^`]*\}|\{ ([a-z]\w*)[^`]*\})`/g)]
    .filter((m) => m[2] === undefined || m[2] in queries)
    .map((m) => ({ source: m[1], line: lineOf(text, m.index!) }));
}

test('every GraphQL example of README.md and docs/ parses and validates against the schema', () => {
  const examples = documents().flatMap(({ file, text }) => [
    ...inlineDocuments(text).map(({ source, line }) => ({ at: `${file}:${line}`, source })),
    ...codeBlocks(text).flatMap((block) => (block.lang === 'graphql' ? [block.body] : block.lang === 'sh' ? shellDocuments(block.body) : []).map((source) => ({ at: `${file}:${block.line}`, source }))),
  ]);
  const problems = examples.flatMap(({ at, source }) => {
    try {
      return validate(schema(), parse(source)).map((e) => `${at}: ${e.message}`);
    } catch (err) {
      return [`${at}: ${(err as Error).message}`];
    }
  });
  expect(problems).toEqual([]);
  expect(examples.length).toBeGreaterThan(45);
});

/**
 * A coordinate (`Case.householdMoved`, `Case.countyApproval.basis`, `Scan.findings(filter:`) whose
 * type is one of the schema's names a field of it (and each further step a field of the one before),
 * and an argument written with it is one the field takes; a root field written with an argument
 * (`referralInbox(office:)`) is a query's or a mutation's and takes it.
 * (`Promise.all` and the like are no schema types, and are left alone.)
 */
test('every field and argument README.md and docs/ name with its type, or as a root field, is the schema’s', () => {
  const s = schema();
  const fieldsOf = (typeName: string) => {
    const t = s.getType(typeName);
    return t && (isObjectType(t) || isInputObjectType(t) || isInterfaceType(t)) ? t.getFields() : null;
  };
  const problems: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    // A path (`Case.countyApproval.basis`) is walked field by field; an argument is the last field's.
    for (const m of text.matchAll(/`([A-Z][A-Za-z0-9]+)((?:\.[a-z][A-Za-z0-9]*)+)(?:\((\w+):[^`]*)?`/g)) {
      if (!fieldsOf(m[1])) continue;
      checked++;
      let typeName = m[1];
      const steps = m[2].slice(1).split('.');
      for (const [i, step] of steps.entries()) {
        const field = fieldsOf(typeName)?.[step];
        const written = `${m[1]}${m[2]}${m[3] ? `(${m[3]}:)` : ''}`;
        if (!field) {
          problems.push(`${file}:${lineOf(text, m.index!)}: ${written}: ${typeName} has no field ${step}`);
          break;
        }
        if (i === steps.length - 1 && m[3] && !('args' in field && field.args.some((a) => a.name === m[3]))) problems.push(`${file}:${lineOf(text, m.index!)}: ${written}: no such argument`);
        typeName = getNamedType(field.type).name;
      }
    }
    for (const m of text.matchAll(/`([a-z][A-Za-z0-9]*)\((\w+):[^`]*`/g)) {
      const field = s.getQueryType()!.getFields()[m[1]] ?? s.getMutationType()!.getFields()[m[1]];
      if (!field) continue;
      checked++;
      if (!field.args.some((a) => a.name === m[2])) problems.push(`${file}:${lineOf(text, m.index!)}: ${m[1]}(${m[2]}:): no such argument`);
    }
  }
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(150);
});

/** The source of a script's tool and of the files of tools/ and bench/ it imports, where its options are read and its usage written. */
function toolSource(script: string): string {
  const command = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts[script];
  const entry = /\b((?:tools|bench|server|db)\/[\w./-]+\.(?:ts|sh))\b/.exec(command)?.[1];
  if (!entry) return '';
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !fs.existsSync(path.join(ROOT, file))) return;
    seen.add(file);
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
      if (/^(tools|bench)\//.test(target)) visit(`${target}.ts`);
    }
  };
  visit(entry);
  return [...seen].map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
}

/**
 * Each `npm run …` (and `npm start …`) README.md and docs/ write, in a code span or a shell block
 * (a line continued with `\` read whole): its script, and the options written after `--`.
 */
function npmCommands(): { where: string; script: string; options: string[] }[] {
  const commands: { where: string; script: string; options: string[] }[] = [];
  for (const { file, text } of documents()) {
    const pieces = [
      ...codeBlocks(text)
        .filter((b) => b.lang === 'sh')
        .flatMap((b) => b.body.replace(/\\\n/g, ' ').split('\n').map((l) => ({ line: b.line, text: l }))),
      ...[...text.replace(/^```\w*\n[\s\S]*?^```/gm, '').matchAll(/`([^`]+)`/g)].map((m) => ({ line: 0, text: m[1].replace(/\n/g, ' ') })),
    ];
    for (const piece of pieces) {
      for (const m of piece.text.matchAll(/\bnpm (?:run(?: -s| --silent)? ([\w:-]+)|(start)\b)([^;|&#]*)/g)) {
        const script = m[1] ?? m[2];
        if (script === '-s') continue;
        const after = /(?:^|\s)--(?:\s|$)([\s\S]*)/.exec(m[3])?.[1] ?? '';
        commands.push({ where: `${file}${piece.line ? `:${piece.line}` : ''}: npm run ${script}${m[3]}`.trim(), script, options: [...after.matchAll(/(?:^|[\s[])(--[a-z][\w-]*)/g)].map((o) => o[1]) });
      }
    }
  }
  return commands;
}

test('every npm script README.md and docs/ name exists, and every option written after it is one its tool reads', () => {
  const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const commands = npmCommands();
  expect(commands.length).toBeGreaterThan(150);
  expect(commands.filter((c) => !(c.script in scripts)).map((c) => c.where)).toEqual([]);
  const sources = new Map<string, string>();
  const unread = commands.flatMap((c) => {
    if (!(c.script in scripts) || c.script === 'test') return [];
    if (!sources.has(c.script)) sources.set(c.script, toolSource(c.script));
    const source = sources.get(c.script)!;
    return c.options.filter((o) => o !== '--help' && !new RegExp(`${o}(?![\\w-])|'${o.slice(2)}'\\s*:`).test(source)).map((o) => `${c.where}: ${o}`);
  });
  expect(unread).toEqual([]);
});

/**
 * Every path of the repository docs/ name exists (README's are test/readme-reference's): a test
 * named without its ending (`test/index-use`) is its `.test.ts`, and `*` is a wildcard.
 */
test('every file or folder of the repository docs/ name exists', () => {
  const top = 'access|bench|db|docs|domain|examples|federation|resolvers|rules|schema|server|test|tools';
  const exists = (p: string) => {
    if (p.includes('*')) {
      const dir = path.join(ROOT, path.dirname(p));
      const pattern = new RegExp(`^${path.basename(p).replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
      return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => pattern.test(f));
    }
    return [p, `${p}.test.ts`, `${p}.ts`].some((candidate) => fs.existsSync(path.join(ROOT, candidate)));
  };
  const missing: string[] = [];
  let checked = 0;
  for (const { file, text } of documents().filter((d) => d.file.startsWith('docs/'))) {
    for (const m of text.matchAll(new RegExp(`(?<![\\w/.-])((?:${top})/[\\w./*-]*[\\w*/])`, 'g'))) {
      checked++;
      if (!exists(m[1])) missing.push(`${file}:${lineOf(text, m.index!)}: ${m[1]}`);
    }
  }
  expect(missing).toEqual([]);
  expect(checked).toBeGreaterThan(100);
});

/**
 * docs/access.md's Errors tables, a row each: its HTTP statuses, its `extensions.code` and the
 * reasons it gives (the resolvers' own table's rows are BAD_USER_INPUT's, answered 200).
 */
function errorRows(): { statuses: string[]; code: string; reasons: string[] }[] {
  const access = docsFiles().find((d) => d.file === 'docs/access.md')!.text;
  const start = access.indexOf('\n## Errors\n');
  const errors = access.slice(start, access.indexOf('\n## ', start + 1));
  const names = (cell: string | undefined) => [...(cell ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]);
  const rows: { statuses: string[]; code: string; reasons: string[] }[] = [];
  let resolversOwn = false;
  for (const row of errors.split('\n')) {
    if (/^\| reason \|/.test(row)) resolversOwn = true;
    if (!row.startsWith('| ')) continue;
    const cells = row.slice(2).split(' | ');
    if (resolversOwn) rows.push({ statuses: ['200'], code: 'BAD_USER_INPUT', reasons: names(cells[0]) });
    else {
      const code = /^`([A-Z_]+)`$/.exec(cells[1]?.trim() ?? '')?.[1];
      if (code) rows.push({ statuses: [...cells[0].matchAll(/\d{3}/g)].map((m) => m[0]), code, reasons: names(cells[2]) });
    }
  }
  return rows;
}

/** Each code with the reasons the Errors tables give it. */
function reasonsByCode(): Map<string, Set<string>> {
  const byCode = new Map<string, Set<string>>();
  for (const row of errorRows()) byCode.set(row.code, new Set([...(byCode.get(row.code) ?? []), ...row.reasons]));
  return byCode;
}

/**
 * Where README.md or docs/ write a code with its reasons (`FORBIDDEN`, `PURPOSE_NOT_SERVED`;
 * `RATE_LIMITED` (`TOO_MANY_REQUESTS`, `QUERY_COST_IN_FLIGHT`)), each reason is one docs/access.md's
 * Errors tables give that code: a client matching on the pair gets what the reference promises.
 */
test('a code written with its reasons is given them by the Errors tables', () => {
  const byCode = reasonsByCode();
  expect(byCode.get('FORBIDDEN')?.has('OUT_OF_SCOPE')).toBe(true);
  const codes = ERROR_CODES.join('|');
  const pairs = new RegExp(`\`(${codes})\`(?:,| \\(| with reason| reason)\\s*((?:\`[A-Z][A-Z0-9_]+\`(?:,\\s*|\\s+or\\s+|\\s+and\\s+)?)+)`, 'g');
  const wrong: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    const flat = text.replace(/\n/g, ' ');
    for (const m of flat.matchAll(pairs)) {
      for (const reason of [...m[2].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((r) => r[1])) {
        // A list of codes (`UNAUTHENTICATED`, `FORBIDDEN`, …) is no code and its reasons.
        if ((ERROR_CODES as readonly string[]).includes(reason)) continue;
        checked++;
        if (!byCode.get(m[1])?.has(reason)) wrong.push(`${file}:${lineOf(text, m.index!)}: ${m[1]} with ${reason}`);
      }
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThan(40);
});

/** A number as written (`100,000`, `2`), with its unit, in milliseconds where the variable is one (`_MS`). */
function valueOf(number: string, unit: string | undefined, variable: string): number {
  const n = Number(number.replace(/,/g, ''));
  if (!variable.endsWith('_MS')) return n;
  if (unit === 's' || unit === 'seconds') return n * 1000;
  if (unit === 'minute' || unit === 'minutes' || unit === 'min') return n * 60_000;
  return n;
}

/**
 * A default README.md or docs/ state beside a variable of the Configuration table (`TOKEN_CACHE_MS`
 * (2 s by default), `RATE_LIMIT_PER_MINUTE`, default 600; `MAX_QUERY_COST` (100,000)) is the
 * table's default, which test/readme-reference holds to the code.
 */
test('a default written beside a configuration variable is the Configuration table’s', () => {
  const defaults = new Map<string, string>();
  for (const row of configurationRows()) {
    const names = rowVariables(row);
    const items = cellItems(row.split('|')[3].trim());
    names.forEach((name, i) => {
      const value = /^`([^`]+)`/.exec(items.length === names.length ? items[i] : items[0])?.[1];
      if (value !== undefined) defaults.set(name, value);
    });
  }
  const numeric = (name: string): number | null => {
    const value = defaults.get(name);
    if (value === undefined) return null;
    if (/^[A-Z][A-Z0-9_]*$/.test(value)) return name === value ? null : numeric(value);
    return /^\d+$/.test(value) ? Number(value) : null;
  };
  const wrong: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    const flat = text.replace(/\n/g, ' ');
    for (const m of flat.matchAll(/`([A-Z][A-Z0-9_]+)`(?:,| \()\s*(?:default |by default )?(\d[\d,]*)(?:\s*(ms|s|seconds|minutes?|min)\b)?/g)) {
      const expected = numeric(m[1]);
      if (expected === null) continue;
      checked++;
      if (valueOf(m[2], m[3], m[1]) !== expected) wrong.push(`${file}:${lineOf(text, m.index!)}: ${m[1]} ${m[2]}${m[3] ? ` ${m[3]}` : ''}, the table's default ${expected}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThan(15);
});

/** Every word of the hub's source, schema, tools, benches, examples and tests. */
function treeWords(): Set<string> {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
      const rel = `${dir}/${d.name}`;
      if (d.isDirectory()) return d.name === '__generated__' ? [] : walk(rel);
      return /\.(ts|graphql|sql|sh|json|ya?ml|csv)$/.test(d.name) ? [rel] : [];
    });
  const words = new Set<string>();
  for (const file of ['access', 'bench', 'db', 'domain', 'examples', 'federation', 'resolvers', 'rules', 'schema', 'server', 'test', 'tools'].flatMap(walk)) {
    for (const w of fs.readFileSync(path.join(ROOT, file), 'utf8').match(/[A-Za-z0-9_]+/g) ?? []) words.add(w);
  }
  return words;
}

/**
 * Names of other programs' and the examples' placeholders, which no file of ours holds: Node's and
 * OpenSSL's error codes, a socket option, a MariaDB flag, Apollo's variables, a value a table shows
 * refused, and the ids the examples leave for the reader to fill in.
 */
const NOT_OURS = new Set(['EPROTO', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TCP_NODELAY', 'IGNORE_SPACE', 'APOLLO_KEY', 'APOLLO_GRAPH_REF', 'POLICE', 'XY1', 'OID', 'ID2', 'SECRET']);

/**
 * Every capitalised name README.md and docs/ write in backticks (a code, a reason, a variable, an
 * enum value) is one the tree holds: a code renamed or dropped leaves no document naming it. A
 * demo token's variable is one `npm start` writes; a per-department variable (`SOURCE_HEALTH_URL`)
 * is a `<DEPT>` row of the Configuration table; a reason made of a prefix and a word
 * (`HUB_DATABASE_TIMEOUT`) is one the Errors tables document (test/error-reasons.test.ts holds those
 * to what the source sends).
 */
test('every capitalised name README.md and docs/ write in backticks is one the tree holds', () => {
  const words = treeWords();
  const tokens = new Set(DEMO_CLIENTS.map((c) => c.variable));
  const documentedReasons = new Set([...reasonsByCode().values()].flatMap((r) => [...r]));
  const perDepartment = new Set(configurationRows().flatMap(rowVariables).filter((n) => n.includes('<DEPT>')));
  const known = (name: string) =>
    words.has(name) ||
    NOT_OURS.has(name) ||
    tokens.has(name) ||
    documentedReasons.has(name) ||
    DEPARTMENT_CODES.some((code) => name.includes(`_${code}_`) && perDepartment.has(name.replace(`_${code}_`, '_<DEPT>_')));
  const unknown: string[] = [];
  for (const { file, text } of documents()) {
    for (const m of text.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)) if (!known(m[1])) unknown.push(`${file}:${lineOf(text, m.index!)}: ${m[1]}`);
  }
  expect(words.has('DEPARTMENT_UNAVAILABLE')).toBe(true);
  expect(unknown).toEqual([]);
});

/**
 * Every `aidhub_…` name README.md and docs/ write in backticks is a metric server/metrics.ts
 * registers, or a department's database (`aidhub_health`; `aidhub_veterans_affairs`, the database
 * of "Adding a department"'s example): test/readme-reference checks the labels of those written
 * with labels, this one the names written alone.
 */
test('every aidhub_ name README.md and docs/ write in backticks is a metric or a department’s database', () => {
  const source = fs.readFileSync(path.join(ROOT, 'server', 'metrics.ts'), 'utf8');
  const metrics = new Set([...source.matchAll(/name: '(aidhub_[a-z_]+)'/g)].map((m) => m[1]));
  expect(metrics.size).toBeGreaterThan(20);
  const databases = new Set([...DEPARTMENT_CODES.map((c) => `aidhub_${c.toLowerCase()}`), 'aidhub_veterans_affairs']);
  const unknown: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    for (const m of text.matchAll(/`(aidhub_[a-z_]*[a-z])[`{]/g)) {
      checked++;
      if (!metrics.has(m[1]) && !databases.has(m[1])) unknown.push(`${file}:${lineOf(text, m.index!)}: ${m[1]}`);
    }
  }
  expect(unknown).toEqual([]);
  expect(checked).toBeGreaterThan(30);
});

/** Each folder of migrations (db/<feature>/migrations, federation/<department>/migrations) by its feature's name, with its files. */
function migrationFolders(): Map<string, { dir: string; files: string[] }> {
  const folders = new Map<string, { dir: string; files: string[] }>();
  for (const top of ['db', 'federation']) {
    for (const name of fs.readdirSync(path.join(ROOT, top))) {
      const dir = `${top}/${name}/migrations`;
      if (fs.existsSync(path.join(ROOT, dir))) folders.set(name, { dir, files: fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.sql')) });
    }
  }
  return folders;
}

/**
 * A migration named with its feature (`cases migration 0017`, alert-delivery migration
 * `0006_referral_reminders.sql`) is that feature's, under that name; a migration file named alone
 * is one of the tree's. An operator reads them to know what an upgrade changes.
 */
test('every migration README.md and docs/ name is one of the tree’s, in the feature named', () => {
  const folders = migrationFolders();
  const every = new Set([...folders.values()].flatMap((f) => f.files));
  const wrong: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    const flat = text.replace(/\n/g, ' ');
    for (const m of flat.matchAll(/\b([a-z][a-z-]*) migrations? `?(\d{4})(?:_([a-z0-9_]+)\.sql)?/g)) {
      const folder = folders.get(m[1]);
      if (!folder) continue; // "since migration 0011": the feature is the sentence's
      checked++;
      const found = folder.files.find((f) => f.startsWith(`${m[2]}_`));
      if (!found || (m[3] && found !== `${m[2]}_${m[3]}.sql`)) wrong.push(`${file}:${lineOf(text, m.index!)}: ${m[0]} (${folder.dir}: ${found ?? 'none'})`);
    }
    for (const m of text.matchAll(/`(\d{4}_[a-z0-9_]+\.sql)`/g)) {
      checked++;
      if (!every.has(m[1])) wrong.push(`${file}:${lineOf(text, m.index!)}: ${m[1]}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThan(30);
});

/** Every table the migrations make, with its columns (as created, added or renamed). */
function tablesOfMigrations(): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  const columnsOf = (table: string) => tables.get(table) ?? tables.set(table, new Set()).get(table)!;
  for (const { dir, files } of migrationFolders().values()) {
    for (const f of [...files].sort()) {
      const sql = fs.readFileSync(path.join(ROOT, dir, f), 'utf8');
      for (const m of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?`(\w+)` \(([\s\S]*?)\n\)/g)) for (const c of m[2].matchAll(/^\s*`(\w+)`/gm)) columnsOf(m[1]).add(c[1]);
      for (const m of sql.matchAll(/ALTER TABLE `(\w+)` (?:ADD(?: COLUMN)?|MODIFY(?: COLUMN)?) `(\w+)`/g)) columnsOf(m[1]).add(m[2]);
      for (const m of sql.matchAll(/ALTER TABLE `(\w+)` (?:CHANGE(?: COLUMN)? `\w+`|RENAME COLUMN `\w+` TO) `(\w+)`/g)) columnsOf(m[1]).add(m[2]);
    }
  }
  return tables;
}

/** A column written with its table (`monitoring_alert.calendar_days_checked`, `aidhub.person.death_date`) is one of that table's. */
test('every table.column README.md and docs/ write is a column the migrations give that table', () => {
  const tables = tablesOfMigrations();
  expect(tables.get('monitoring_alert')?.has('raised_at')).toBe(true);
  const wrong: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    for (const m of text.matchAll(/`(?:aidhub(?:_[a-z_]+)?\.)?([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)`/g)) {
      const columns = tables.get(m[1]);
      // `person.csv` is an import file, named for the table it fills.
      if (!columns || /^(csv|sql|ts|json|jsonl|md|env|html|pdf)$/.test(m[2])) continue;
      checked++;
      if (!columns.has(m[2])) wrong.push(`${file}:${lineOf(text, m.index!)}: ${m[0]}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThan(20);
});

/**
 * The integration guide's table of errors gives each code's reasons the HTTP statuses docs/access.md
 * gives them: each status a row names is one of its reasons', and each reason answers with one of
 * the row's statuses.
 */
test('the integration guide’s statuses are the ones the Errors tables give its codes and reasons', () => {
  // Each code, and each code with a reason, with the statuses the tables answer it with.
  const statuses = new Map<string, Set<string>>();
  const add = (key: string, found: string[]) => statuses.set(key, new Set([...(statuses.get(key) ?? []), ...found]));
  for (const row of errorRows()) {
    add(row.code, row.statuses);
    for (const reason of row.reasons) add(`${row.code} ${reason}`, row.statuses);
  }
  const guide = docsFiles().find((d) => d.file === 'docs/integration.md')!.text;
  const rows = guide.split('\n').filter((l) => /^\| \d{3}/.test(l));
  expect(rows.length).toBeGreaterThan(10);
  const wrong: string[] = [];
  for (const row of rows) {
    const [statusCell, what] = row.slice(2).split(' | ');
    const written = [...statusCell.matchAll(/\d{3}/g)].map((m) => m[0]);
    const documented = [...what.matchAll(/`([A-Z_]+)`(?: \(([^)]*)\))?/g)].flatMap((m) => (m[2] ? [...m[2].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((r) => `${m[1]} ${r[1]}`) : [m[1]]));
    for (const key of documented) {
      const own = statuses.get(key);
      if (!own) wrong.push(`${key}: not in docs/access.md's Errors`);
      else if (!written.some((s) => own.has(s))) wrong.push(`${key}: ${written.join(', ')}, docs/access.md ${[...own].join(', ')}`);
    }
    for (const status of written) if (!documented.some((key) => statuses.get(key)?.has(status))) wrong.push(`${row.slice(0, 60)}…: ${status} is none of its reasons'`);
  }
  expect(wrong).toEqual([]);
});

/**
 * The integration guide's page selection fits the page it names (`maxFirst`), and its re-read by
 * `Query.households` the number of ids it names: the figures an integrator sizes the job by,
 * computed as the hub costs an operation (server/query-cost.ts) at the default `MAX_QUERY_COST`.
 */
test('the integration guide’s page and re-read sizes are the ones its selection fits', () => {
  const { operationCost, largestFittingPage } = require('../server/query-cost') as typeof import('../server/query-cost');
  const { DEFAULT_QUERY_LIMITS } = require('../db/config') as typeof import('../db/config');
  const guide = docsFiles().find((d) => d.file === 'docs/integration.md')!.text;
  const page = codeBlocks(guide).find((b) => b.lang === 'graphql')!.body;
  const operation = parse(page).definitions[0] as OperationDefinitionNode;
  const maxFirst = largestFittingPage(schema(), operation, {}, { code: '370811', first: 500 }, DEFAULT_QUERY_LIMITS.maxCost, 500);
  // The same household selection named by id: the node's selection under `households(ids:)`.
  const node = /node \{([\s\S]*)\}\s*\}\s*\}\s*\}\s*$/.exec(page)![1];
  const reRead = parse(`query($ids: [ID!]!) { households(ids: $ids) {${node}} }`).definitions[0] as OperationDefinitionNode;
  const fits = (n: number) => Math.ceil(operationCost(schema(), reRead, {}, { ids: Array.from({ length: n }, (_, i) => String(i + 1)) })!) <= DEFAULT_QUERY_LIMITS.maxCost;
  let ids = 1;
  while (fits(ids + 1)) ids++;
  expect({ maxFirst: guide.includes(`(here ${maxFirst})`), ids: guide.includes(`at most ${ids} ids`) }).toEqual({ maxFirst: true, ids: true });
});

/**
 * Where README.md or docs/ give a closed list of codes by its type (`ChainProblem` in
 * `access/audit.ts`, `CaseSealProblem` in `db/cases/seals.ts`), the paragraph names every member of
 * that type: a code added to the type is added where a script's author reads the list.
 */
test('a list of codes given with its type names every member of the type', () => {
  const missing: string[] = [];
  let checked = 0;
  for (const { file, text } of documents()) {
    for (const paragraph of text.split(/\n\s*\n/)) {
      for (const m of paragraph.matchAll(/`([A-Z][A-Za-z]+)`\s+in\s+`((?:access|db|domain|federation|resolvers|rules|server|tools)\/[\w./-]+\.ts)`/g)) {
        const source = fs.existsSync(path.join(ROOT, m[2])) ? fs.readFileSync(path.join(ROOT, m[2]), 'utf8') : '';
        const union = new RegExp(`type ${m[1]} =((?:\\s*(?:/\\*\\*[^]*?\\*/\\s*)?\\|?\\s*'[A-Z][A-Z0-9_]*')+)\\s*;`).exec(source);
        if (!union) continue;
        checked++;
        const members = [...union[1].matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((u) => u[1]);
        const unnamed = members.filter((code) => !paragraph.includes(`\`${code}\``));
        if (unnamed.length) missing.push(`${file}:${lineOf(text, text.indexOf(m[0]))}: ${m[1]} lacks ${unnamed.join(', ')}`);
      }
    }
  }
  expect(missing).toEqual([]);
  expect(checked).toBeGreaterThan(2);
});

/**
 * A name written with the file that holds it (`mayContainIdNumberBesideDigests` in
 * `domain/id-number.ts`; `resolvers/cases/aid-standing.ts` `namedAidRecord`) is in that file: a
 * reader sent there finds it, and a rename or a move leaves no document pointing at nothing.
 */
test('a name written with its file is in that file', () => {
  const file = '(?:access|bench|db|domain|federation|resolvers|rules|server|test|tools)/[\\w./-]+\\.ts';
  const forms = [new RegExp(`\`([A-Za-z_]\\w*)\`\\s+in\\s+\`(${file})\``, 'g'), new RegExp(`\`(${file})\`\\s+\`([A-Za-z_]\\w*)\``, 'g')];
  const missing: string[] = [];
  let checked = 0;
  for (const { file: doc, text } of documents()) {
    forms.forEach((form, i) => {
      for (const m of text.matchAll(form)) {
        const [name, where] = i === 0 ? [m[1], m[2]] : [m[2], m[1]];
        checked++;
        const source = fs.existsSync(path.join(ROOT, where)) ? fs.readFileSync(path.join(ROOT, where), 'utf8') : '';
        if (!new RegExp(`\\b${name}\\b`).test(source)) missing.push(`${doc}:${lineOf(text, m.index!)}: ${name} in ${where}`);
      }
    });
  }
  expect(missing).toEqual([]);
  expect(checked).toBeGreaterThan(50);
});

/**
 * The calls of the shell examples whose demo client and purpose can be read off the line: the token's
 * variable (`Bearer $AIDHUB_TOKEN_HEALTH`, or a variable set from one: `C=$AIDHUB_TOKEN_CHARITY`),
 * the `x-purpose` header, written on the line or in the helper it calls (`q() { … Bearer $1 …
 * x-purpose: $2 …; }`, `H=(…)` spread into it), and the root fields of its document.
 */
function exampleCalls(): { at: string; token: string; purpose: string; operation: 'query' | 'mutation'; fields: string[] }[] {
  const calls: { at: string; token: string; purpose: string; operation: 'query' | 'mutation'; fields: string[] }[] = [];
  const tokenIn = (s: string) => /Bearer \$\{?(\w+)\}?/.exec(s)?.[1];
  const purposeIn = (s: string) => /x-purpose: \$?\{?([A-Z_]+|\d)\}?/.exec(s)?.[1];
  for (const { file, text } of documents()) {
    for (const block of codeBlocks(text).filter((b) => b.lang === 'sh')) {
      const assigned = new Map<string, string>();
      const helpers = new Map<string, { token?: string; purpose?: string }>();
      for (const line of block.body.replace(/\\\n/g, ' ').split('\n')) {
        const variable = /^(\w+)=\$(\w+)\s*$/.exec(line) ?? /^(\w+)=(\(.*\))\s*$/.exec(line);
        if (variable) assigned.set(variable[1], assigned.get(variable[2]) ?? variable[2]);
        const helper = /^(\w+)\(\)\s*\{(.*)$/.exec(line);
        if (helper) {
          const body = helper[2].replace(/"\$\{(\w+)\[@\]\}"/g, (_, name: string) => assigned.get(name) ?? '');
          helpers.set(helper[1], { token: tokenIn(body), purpose: purposeIn(body) });
          continue;
        }
        const source = shellDocuments(line)[0];
        if (source === undefined) continue;
        let token = tokenIn(line);
        let purpose = purposeIn(line);
        const called = /(?:^|\$\()\s*(?:\w+=\S+\s+)*(\w+)\s+(.*)$/.exec(line);
        const via = called && !token ? helpers.get(called[1]) : undefined;
        if (via) {
          // A helper's `$1`, `$2`: the call's own words.
          const words = called![2].split(/\s+/);
          const positional = (value?: string) => (value && /^\d$/.test(value) ? words[Number(value) - 1]?.replace(/^\$/, '') : value);
          token = positional(via.token);
          purpose = positional(via.purpose);
        }
        token = token && (assigned.get(token) ?? token);
        // `$TOKEN` in a generic example is the reader's own client: only the demo's are known.
        if (!token?.startsWith('AIDHUB_TOKEN_') || !purpose || !/^[A-Z_]+$/.test(purpose)) continue;
        for (const definition of parse(source).definitions) {
          if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
          const fields = definition.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
          calls.push({ at: `${file}:${block.line}`, token, purpose, operation: definition.operation === 'mutation' ? 'mutation' : 'query', fields });
        }
      }
    }
  }
  return calls;
}

/**
 * Every shell example whose client and purpose it names is one that client may run: the demo's
 * client of that token (access/demo-clients.ts) may state the purpose, and each root field of the
 * document serves it to one of its roles (access/policy.ts, as the hub judges a request). An
 * example that a change of the rules turned into a refusal would show a reader a 403.
 */
test('every shell example is one the demo client it names may run, for the purpose it states', () => {
  const clients = new Map(DEMO_CLIENTS.map((c) => [c.variable, c]));
  const calls = exampleCalls();
  const refused = calls.flatMap(({ at, token, purpose, operation, fields }) => {
    const client = clients.get(token);
    if (!client) return [`${at}: $${token} is no demo client's token`];
    const caller: Caller = { clientId: 1, name: client.name, department: client.department, regionScope: client.regionScope, roles: client.roles };
    if (!isPurpose(purpose) || !mayStatePurpose(caller, purpose)) return [`${at}: ${client.name} may not state ${purpose}`];
    return fields.flatMap((field) => {
      const refusal = checkCall(ROOT_RULES[operation === 'mutation' ? 'Mutation' : 'Query'][field], field, caller, purpose);
      return refusal ? [`${at}: ${client.name} ${field} for ${purpose}: ${refusal.reason}`] : [];
    });
  });
  expect(refused).toEqual([]);
  expect(calls.length).toBeGreaterThan(25);
});
