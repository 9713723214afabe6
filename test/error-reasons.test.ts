/**
 * Every machine-readable word a client can match on is documented where a client developer looks,
 * with its meaning, and nothing documented is dead: each `extensions.reason` the source can send is
 * named in docs/access.md "Errors", each reason its tables name is sent, and each `userErrors` code
 * (the SDL's `…ErrorCode` enums) is described in the SDL, sent by the source, and its enum named in
 * docs/access.md. (test/error-contract.test.ts does the same for `extensions.code`.)
 *
 * Reasons are collected from every way the source makes one: a literal in `badInput(argument,
 * 'REASON', …)`, in `extensions: { reason: 'REASON' }`, in `sendError`/`errorPage(…, 'CODE',
 * 'REASON', …)`; and each place that passes a reason held in a variable is mapped below to the list
 * its values come from. A new such place that is not mapped fails the test, so no way of making a
 * reason goes unscanned. (A reading of the docs as a new maintainer found fifteen reasons the
 * resolvers send that no document named, among them `MALFORMED_DIVISION_CODE` and `EMPTY_WINDOW`,
 * a FORBIDDEN reason and a 408, and twelve AidReportErrorCode values without a description.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type EnumTypeDefinitionNode, type ObjectTypeDefinitionNode, type TypeNode } from 'graphql';
import { AUTH_FAILURES } from '../access/clients';
import { APOLLO_REFUSAL_FALLBACK, APOLLO_REFUSALS } from '../server/apollo-refusals';
import { FEN_REASONS } from '../resolvers/scalars';

const ROOT = path.join(__dirname, '..');
const PRODUCT = ['access', 'server', 'resolvers', 'db', 'domain', 'federation', 'rules'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === '__generated__' ? [] : sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1]);

/** The words of a string-literal union type (`export type X = 'A' | 'B';`) in a file. */
function unionOf(file: string, type: string): string[] {
  const m = new RegExp(`type ${type} =([^;]+);`).exec(read(file));
  if (!m) throw new Error(`no type ${type} in ${file}`);
  return all(m[1], /'([A-Z][A-Z0-9_]*)'/g);
}

/** The text of a top-level function of a file, from its declaration to its closing brace. */
function functionBody(file: string, name: string): string {
  const text = read(file);
  const start = text.search(new RegExp(`function ${name}\\b`));
  if (start < 0) throw new Error(`no function ${name} in ${file}`);
  return text.slice(start, text.indexOf('\n}\n', start));
}

/**
 * The places that pass a reason held in a variable, `file: expression`, and where its values come
 * from. A helper's own definition, which passes on what its callers give it (scanned at the
 * callers), maps to nothing.
 */
const HELPER_DEFINITIONS = new Set(['access/errors.ts: reason', 'access/http.ts: reason', 'access/http-refusals.ts: reason', 'server/case-pages.ts: reason']);
const INDIRECT: Record<string, () => string[]> = {
  ...Object.fromEntries([...HELPER_DEFINITIONS].map((key) => [key, () => []])),
  'access/errors.ts: check.problem': () => all(read('domain/id-number.ts'), /problem: '([A-Z_]+)'/g),
  'access/errors.ts: problem.reason': () => unionOf('domain/findings/school-year.ts', 'SchoolYearReason'),
  'access/http.ts: auth.reason': () => [...AUTH_FAILURES],
  'access/http.ts: refusal.reason': () => unionOf('access/decide.ts', 'ForbiddenReason'),
  'access/http.ts: purposeRefused.reason': () => unionOf('access/decide.ts', 'ForbiddenReason'),
  'access/http.ts: officerRefused.reason': () => all(functionBody('access/officer.ts', 'officerRefusal'), /reason: '([A-Z_]+)'/g),
  // givenOfficer passes no `required`: OFFICER_REQUIRED is never its reason.
  'access/errors.ts: officerRefused.reason': () => all(functionBody('access/officer.ts', 'officerRefusal'), /reason: '([A-Z_]+)'/g).filter((r) => r !== 'OFFICER_REQUIRED'),
  'access/session.ts: refusal.reason': () => unionOf('access/decide.ts', 'ForbiddenReason'),
  'access/http.ts: `HUB_DATABASE_${unavailable}`': () => all(/function hubUnavailableReason\([^)]*\): ([^{]+)\{/.exec(read('db/connect.ts'))![1], /'([A-Z_]+)'/g).map((r) => `HUB_DATABASE_${r}`),
  'server/plugins.ts: o.reason': () => unionOf('federation/loaders.ts', 'UnavailableReason'),
  'server/client-errors.ts: reason': () => all(read('server/client-errors.ts'), /reason: '([A-Z_]+)'/g),
  'server/variable-errors.ts: refusal.reason': () => all(read('server/variable-errors.ts'), /reason: '([A-Z_]+)'/g),
  'server/app.ts: reason': () => all(read('server/app.ts').slice(read('server/app.ts').indexOf('const SCALAR_REFUSALS')), /^\s+([A-Z_]+): \{ scalar/gm),
  'server/app.ts: clientError.reason': () => [
    ...all(functionBody('server/app.ts', 'clientErrorOf'), /'([A-Z_]+)'/g),
    ...all(/const PERSISTED_QUERY_REFUSALS[\s\S]*?\];/.exec(read('server/app.ts'))![0], /reason: '([A-Z_]+)'/g),
  ],
  'server/app.ts: apolloRefusalReason(error.message)': () => [...APOLLO_REFUSALS.map((r) => r.reason), APOLLO_REFUSAL_FALLBACK],
  'resolvers/scalars.ts: reason': () => Object.values(FEN_REASONS),
  // A pre-grant check's date or amount its scalar refused (RefusedProposal): ProposedDate's and ProposedFen's reasons.
  'resolvers/date-ranges.ts: value.reason': () => [...all(functionBody('resolvers/scalars.ts', 'malformedDate'), /reason: '([A-Z_]+)'/g), ...Object.values(FEN_REASONS)],
  'resolvers/findings/resolvers.ts: refused.reason': () => unionOf('access/township.ts', 'TownshipRefusalReason'),
  'server/exports.ts: r.reason': () => unionOf('access/township.ts', 'TownshipRefusalReason'),
  'server/overdue-export.ts: r.reason': () => unionOf('server/overdue-export.ts', 'OverdueExportRefusalReason'),
  'resolvers/monitoring/monthly-resolvers.ts: problem.reason': () => all(functionBody('domain/dates.ts', 'monthProblem'), /reason: '([A-Z_]+)'/g),
  'resolvers/reported-aid/resolvers.ts: reporter.code': () => all(functionBody('resolvers/reported-aid/resolvers.ts', 'reporterOf'), /code: '([A-Z_]+)'/g),
  'resolvers/alert-delivery/resolvers.ts: out.code': () => {
    const body = functionBody('resolvers/alert-delivery/subscriptions.ts', 'deadLettersWithin');
    const notFound = /const notFound = [^\n]*code: '([A-Z_]+)'/.exec(read('resolvers/alert-delivery/subscriptions.ts'))![1];
    return [...all(body, /code: '([A-Z_]+)'/g), ...(body.includes('notFound(') ? [notFound] : [])];
  },
};

/** Every reason the product's source sends, and the places that pass one the map does not know. */
function reasonsSent(): { reasons: Map<string, string[]>; unmapped: string[] } {
  const reasons = new Map<string, string[]>();
  const unmapped: string[] = [];
  const add = (reason: string, where: string) => reasons.set(reason, [...new Set([...(reasons.get(reason) ?? []), where])]);
  const site = (file: string, expression: string) => {
    if (/^'[A-Z][A-Z0-9_]*'$/.test(expression)) return add(expression.slice(1, -1), file);
    const key = `${file}: ${expression}`;
    if (!INDIRECT[key]) return unmapped.push(key);
    for (const reason of INDIRECT[key]()) add(reason, key);
  };
  for (const file of PRODUCT.flatMap(sourceFiles)) {
    const text = read(file);
    // badInput(argument, reason, message…): the argument may be a template or a call.
    for (const m of text.matchAll(/\bbadInput\(\s*(?:'[^']*'|`[^`]*`|[\w.]+(?:\([^()]*\))?)\s*,\s*('[A-Z][A-Z0-9_]*'|`[^`]*`|[\w.]+(?:\([^()]*\))?)/g)) site(file, m[1]);
    // sendError(res, status, code, reason, …) and errorPage(req, res, status, code, reason, …).
    const argument = `\\s*(?:'[A-Z][A-Z0-9_]*'|[\\w.]+)\\s*,`;
    const reasonArgument = `\\s*('[A-Z][A-Z0-9_]*'|\`[^\`]*\`|[\\w.]+(?:\\([^()]*\\))?)\\s*,`;
    for (const m of text.matchAll(new RegExp(`\\bsendError\\((?:${argument}){3}${reasonArgument}`, 'g'))) site(file, m[1]);
    for (const m of text.matchAll(new RegExp(`\\berrorPage\\((?:${argument}){4}${reasonArgument}`, 'g'))) site(file, m[1]);
    // extensions: { …, reason: expression } or the shorthand `reason`.
    // (Up to a nested object such as `http: { status }`: the reason comes before it.)
    for (const m of text.matchAll(/extensions:\s*\{([^{}]*)/g)) {
      const r = /(?:^|[\s,])reason(?:\s*:\s*('[A-Z][A-Z0-9_]*'|[\w.]+(?:\([^()]*\))?))?\s*(?:,|$)/.exec(m[1]);
      if (r) site(file, r[1] ?? 'reason');
    }
  }
  return { reasons, unmapped };
}

const access = read('docs/access.md');
const errorsSection = access.slice(access.indexOf('\n## Errors\n'), access.indexOf('\n## ', access.indexOf('\n## Errors\n') + 1));

/** The reasons the Errors section's tables name in their reason column (the four-column table's third, the reason table's first). */
function documentedReasonColumns(): string[] {
  return errorsSection
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
    .flatMap((l) => {
      const cells = l.split('|').slice(1, -1);
      const column = cells.length === 4 ? cells[2] : cells.length === 2 ? cells[0] : '';
      return all(column, /`([A-Z][A-Z0-9_]*)`/g);
    });
}

describe('extensions.reason', () => {
  it('every place that sends a reason held in a variable is mapped to where its values come from', () => {
    expect(reasonsSent().unmapped).toEqual([]);
    // Each mapping still finds what it should (a renamed type or function would leave it empty).
    const empty = Object.entries(INDIRECT).filter(([key, values]) => !HELPER_DEFINITIONS.has(key) && values().length === 0);
    expect(empty.map(([key]) => key)).toEqual([]);
  });

  it('the scan finds what it must', () => {
    const { reasons } = reasonsSent();
    expect([...reasons.keys()]).toEqual(
      expect.arrayContaining(['CHECKSUM', 'LIST_TOO_LONG', 'TOKEN_MISSING', 'OUT_OF_SCOPE', 'NO_SUCH_ROUTE', 'HUB_DATABASE_TIMEOUT', 'UNREADABLE_ROWS', 'WRONG_TYPE', 'HEADERS_TOO_LARGE', 'QUERY_MISSING', 'MALFORMED_FEN', 'STARTING', 'CASE_NOT_FOUND', 'SUBSCRIPTION_NOT_FOUND', 'NO_SUCH_MONTH', 'CHARITY_NOT_REGISTERED']),
    );
  });

  it('every reason the source sends is documented in docs/access.md "Errors"', () => {
    const documented = new Set(all(errorsSection, /`([A-Z][A-Z0-9_]*)`/g));
    const missing = [...reasonsSent().reasons].filter(([reason]) => !documented.has(reason)).map(([reason, where]) => `${reason} (${where.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('every reason docs/access.md "Errors" documents is sent', () => {
    const sent = reasonsSent().reasons;
    const columns = documentedReasonColumns();
    expect(columns.length).toBeGreaterThan(60);
    expect([...new Set(columns.filter((reason) => !sent.has(reason)))]).toEqual([]);
  });
});

/** Every SDL definition of the schema's files. */
const definitions = fs
  .readdirSync(path.join(ROOT, 'schema'))
  .filter((f) => f.endsWith('.graphql'))
  .flatMap((f) => parse(read(`schema/${f}`)).definitions);
const namedType = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : namedType(t.type));
const objectTypes = new Map(definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION).map((d) => [d.name.value, d]));
const enums = new Map(definitions.filter((d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION).map((d) => [d.name.value, d]));

/** The enums of the `code` field of every type a payload's `userErrors` lists. */
function userErrorCodeEnums(): string[] {
  const errorTypes = new Set([...objectTypes.values()].flatMap((t) => (t.fields ?? []).filter((f) => f.name.value === 'userErrors').map((f) => namedType(f.type))));
  return [...new Set([...errorTypes].map((t) => namedType(objectTypes.get(t)!.fields!.find((f) => f.name.value === 'code')!.type)))].sort();
}

describe('userErrors[].code', () => {
  it('every enum a userErrors code takes is named in docs/access.md "Errors"', () => {
    const named = userErrorCodeEnums();
    expect(named.length).toBeGreaterThanOrEqual(8);
    expect(named.filter((e) => !errorsSection.includes(`\`${e}\``))).toEqual([]);
  });

  it('every value of those enums is described in the SDL', () => {
    const missing = userErrorCodeEnums().flatMap((e) => enums.get(e)!.values!.filter((v) => !v.description?.value.trim()).map((v) => `${e}.${v.name.value}`));
    expect(missing).toEqual([]);
  });

  it('every value of those enums is sent by the source', () => {
    // A value named only in a type (`type X = 'A' | 'B'`, or one `| 'A'` line of one) is not sent.
    const text = PRODUCT.flatMap(sourceFiles)
      .map(read)
      .join('\n')
      .replace(/\btype \w+(?:<[^>]*>)? =[^;]*;/g, '')
      .replace(/^\s*\|\s*'[A-Z_]+'.*$/gm, '');
    const dead = userErrorCodeEnums().flatMap((e) => enums.get(e)!.values!.filter((v) => !text.includes(`'${v.name.value}'`)).map((v) => `${e}.${v.name.value}`));
    expect(dead).toEqual([]);
  });
});
