/**
 * `npm start` runs the hub through tsx, which compiles each file with esbuild's `keepNames`: every
 * named closure (`const f = () => …`, `{ f: () => … }`, a function declared inside another) is
 * followed by `__name(f, "f")`, an `Object.defineProperty` of its `name` each time it is made. V8
 * turns the function's `name` accessor into a data property there and moves the function to a new
 * map: about 2,000 instructions each, 79 a household query before session 27 (docs/performance.md).
 * The functions below run on every household query (several run once per department read), so none
 * of them may make a named closure: methods and closures passed or returned unnamed are not renamed.
 * Jest compiles with swc, which adds no names, so this compiles the files as tsx does.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** File, then the functions (`Class.method` or a function's name) that run on every household query. */
const PER_QUERY: Record<string, readonly string[]> = {
  'federation/loaders.ts': ['withTimeout', 'DepartmentLoader.answer', 'DepartmentLoader.read', 'DepartmentLoader.failed'],
  'db/abandon.ts': ['abandonable', 'scopedRunner', 'Scope.db', 'Scope.pool', 'scopedClient'],
  'db/db-view.ts': ['viewThrough', 'baseOf', 'clientOf'],
  'db/prepared.ts': ['boundTo', 'boundRun'],
  'server/plugins.ts': ['callEach', 'hubPlugin', 'rootFieldsOf'],
  'resolvers/household/resolvers.ts': ['membersOf', 'withMemberIdNumbers'],
  // A pool's getConnection (withDeadline's, retiringRefusedSessions') runs per connection taken.
  'db/connect.ts': ['deadlined', 'getConnection'],
  'access/audit.ts': ['AuditStore.lockHead'],
  // Once a request: its context and loaders, and the policy's wrapper of the root field asked.
  'resolvers/context.ts': ['createContext', 'createLoaders', 'outcomeListener', 'ledgerListener', 'clockOnce'],
  'db/household/loaders.ts': ['createHubLoaders'],
  'access/enforce.ts': ['rootField', 'rootResult', 'admit', 'notFoundRefused', 'computedView', 'personalField'],
  // The access middleware, once a request; the metrics' and the query cost's plugin hooks likewise.
  'access/http.ts': ['accessMiddleware'],
  'server/metrics.ts': ['HubMetrics.plugins'],
  'server/query-cost.ts': ['queryCostPlugin'],
  'server/in-turn.ts': ['inTurn', 'callFrom'],
};

/** TypeScript source compiled by esbuild as tsx loads it, with the options of tsx's transform that decide what is named. */
function compiledAsTsxDoes(source: string, sourcefile: string): string {
  const esbuild = require(require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/package.json'))] })) as typeof import('esbuild');
  return esbuild.transformSync(source, { loader: 'ts', format: 'cjs', keepNames: true, target: `node${process.versions.node}`, sourcefile }).code;
}

/** The name a function-like node is known by: `Class.method`, a declared function, or the variable it initialises. */
function nameOf(node: ts.Node): string | null {
  if (ts.isFunctionDeclaration(node) && node.name) return node.name.text;
  if ((ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) && ts.isIdentifier(node.name)) {
    const owner = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
    return `${owner}${node.name.text}`;
  }
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    // const f = () => … in the source; const f = __name(() => …, "f") compiled.
    const declaration = ts.isCallExpression(node.parent) ? node.parent.parent : node.parent;
    if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) return declaration.name.text;
  }
  return null;
}

/** For each `__name(…)` call of the compiled file, the names of the functions it is made inside, innermost first. */
function namingSites(code: string): { named: string; inside: string[] }[] {
  const source = ts.createSourceFile('compiled.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const sites: { named: string; inside: string[] }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === '__name' && node.arguments.length === 2) {
      const inside: string[] = [];
      // The named function itself is not "inside" its own naming: start above the call.
      for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
        if (ts.isFunctionLike(p)) inside.push(nameOf(p) ?? '(anonymous)');
      }
      sites.push({ named: node.arguments[1].getText(source), inside });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

describe('functions run on every household query make no named closure (tsx keepNames)', () => {
  it('the check finds a named closure made inside a function', () => {
    // As esbuild compiles it: a closure made per call is named per call; a top-level one once.
    const sites = namingSites('function outer() { const inner = /* @__PURE__ */ __name(() => 1, "inner"); return inner; }\n__name(outer, "outer");');
    expect(sites).toEqual([
      { named: '"inner"', inside: ['outer'] },
      { named: '"outer"', inside: [] },
    ]);
  });

  it("finds the named closure in esbuild's own output for a snippet, compiled as the files are", () => {
    // Were esbuild to rename its helper or stop naming, every file below would pass without a site to find.
    const code = compiledAsTsxDoes('export function outer(n: number) { const inner = () => n; return inner; }\n', 'snippet.ts');
    expect(namingSites(code).filter((s) => s.inside.includes('outer'))).toEqual([{ named: '"inner"', inside: ['outer'] }]);
  });

  it.each(Object.entries(PER_QUERY))('%s', (file, functions) => {
    const sites = namingSites(compiledAsTsxDoes(fs.readFileSync(path.join(ROOT, file), 'utf8'), file));
    // Each function listed is still there under its name (a rename would otherwise pass unseen).
    const declared = new Set<string>();
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const collect = (node: ts.Node): void => {
      const name = ts.isFunctionLike(node) ? nameOf(node) : null;
      if (name) declared.add(name);
      ts.forEachChild(node, collect);
    };
    collect(source);
    expect(sites.filter((s) => s.inside.some((f) => functions.includes(f))).map((s) => `${s.named} inside ${s.inside.join(' < ')}`)).toEqual([]);
    expect(functions.filter((f) => !declared.has(f))).toEqual([]);
  });
});
