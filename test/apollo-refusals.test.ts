/**
 * Every refusal the installed @apollo/server raises as a `BadRequestError` gets a stable reason of
 * its own (server/apollo-refusals.ts tells them by their messages): this reads Apollo's built
 * source, rebuilds each message as written there (a name or list Apollo writes into it stays as
 * its `${…}`), and fails on one the table does not match, e.g. after an upgrade rewords one.
 * test/bad-input.test.ts sends the ones a client can cause and checks the reason on the wire.
 */
import fs from 'node:fs';
import path from 'node:path';
import { APOLLO_REFUSAL_FALLBACK, APOLLO_REFUSALS, apolloRefusalReason } from '../server/apollo-refusals';

// The package's exports hide its package.json; its main entry is dist/cjs/index.js.
const DIST = path.dirname(require.resolve('@apollo/server'));

/** The first argument of the call starting at `from`: its string literals joined, templates' `${…}` kept as written. */
function firstArgument(src: string, from: number): string {
  let out = '';
  let i = from;
  for (;;) {
    while (/[\s+]/.test(src[i])) i++;
    const quote = src[i];
    if (quote !== "'" && quote !== '"' && quote !== '`') return out;
    i++;
    while (src[i] !== quote) {
      if (src[i] === '\\') {
        out += src[i + 1] === 'n' ? '\n' : src[i + 1];
        i += 2;
      } else if (quote === '`' && src[i] === '$' && src[i + 1] === '{') {
        let depth = 0;
        do {
          if (src[i] === '{') depth++;
          else if (src[i] === '}') depth--;
          out += src[i++];
        } while (depth > 0);
      } else out += src[i++];
    }
    i++;
  }
}

function apolloBadRequestMessages(): { file: string; message: string }[] {
  const found: { file: string; message: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js')) {
        const src = fs.readFileSync(full, 'utf8');
        for (const m of src.matchAll(/new [\w.]*BadRequestError\(/g)) found.push({ file: path.relative(DIST, full), message: firstArgument(src, m.index! + m[0].length) });
      }
    }
  };
  walk(DIST);
  return found;
}

test('every BadRequestError of the installed @apollo/server has a reason of its own', () => {
  const messages = apolloBadRequestMessages();
  // Reading the source found them: 5.5.1 constructs 21 (a reading that found none proves nothing).
  expect(messages.length).toBeGreaterThanOrEqual(15);
  const unmatched = messages.filter(({ message }) => apolloRefusalReason(message) === APOLLO_REFUSAL_FALLBACK);
  expect(unmatched).toEqual([]);
});

test('every reason of the table is one Apollo can still raise', () => {
  const reasons = new Set(apolloBadRequestMessages().map(({ message }) => apolloRefusalReason(message)));
  expect(APOLLO_REFUSALS.map((r) => r.reason).filter((r) => !reasons.has(r))).toEqual([]);
});

test('a message no pattern knows falls back to BAD_REQUEST; each pattern holds its whole sentence', () => {
  expect(apolloRefusalReason('Something Apollo will say one day.')).toBe('BAD_REQUEST');
  expect(apolloRefusalReason('`variables` in a POST body must be an object if provided. And more')).toBe('BAD_REQUEST');
  expect(apolloRefusalReason("The 'query' search parameter may only be specified once.")).toBe('SEARCH_PARAMETER_REPEATED');
  expect(apolloRefusalReason('GET requests only support query operations, not mutation operations')).toBe('MUTATION_OVER_GET');
});
