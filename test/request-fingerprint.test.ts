/**
 * A keyed case write's fingerprint in every form a release stored it (resolvers/cases/request-fingerprint.ts):
 * over prose as typed (before ID numbers in prose were masked), masked with blank prose as sent
 * (before blank prose was read as ""), and as this release's resolvers are given it, which alone is
 * stored. Run through the schema's own argument checks (resolvers/text-inputs.ts applyTextChecks and
 * applyProseMasking), so the input is what a case mutation's resolver gets; the retry through the
 * real database is test/cases-county-offices.test.ts.
 */
import { createHash } from 'node:crypto';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql } from 'graphql';
import { applyProseMasking, applyTextChecks } from '../resolvers/text-inputs';
import { requestFingerprints, type RequestFingerprints } from '../resolvers/cases/request-fingerprint';
import { makeIdNumber } from '../domain/id-number';
import { maskIdNumbersInText } from '../domain/privacy';

const typeDefs = `
  input OpenInput { householdId: ID!, summary: String!, note: String, idempotencyKey: String }
  type Query { ok: Boolean }
  type Mutation { open(input: OpenInput!): Boolean }
`;

/** What the resolver was given, and its fingerprints. */
async function asResolverGets(input: Record<string, unknown>): Promise<{ given: Record<string, unknown>; prints: RequestFingerprints }> {
  let seen: { given: Record<string, unknown>; prints: RequestFingerprints } | null = null;
  const schema = applyTextChecks(
    applyProseMasking(
      makeExecutableSchema({
        typeDefs,
        resolvers: { Mutation: { open: (_: unknown, args: { input: Record<string, unknown> }) => ((seen = { given: args.input, prints: requestFingerprints('caseOpen', args.input) }), true) } },
      }),
    ),
  );
  const res = await graphql({ schema, source: 'mutation($input: OpenInput!) { open(input: $input) }', variableValues: { input } });
  expect(res.errors).toBeUndefined();
  return seen!;
}

/** The rule every release hashed by (62d5b694 on), over the input it was given. */
function fingerprintOver(input: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(['caseOpen', rest])).digest('hex');
}

const applicant = makeIdNumber('370811', '1975-04-12', 31);
const typed = { householdId: '140', summary: `申请人 ${applicant} 住院`, idempotencyKey: 'k-1' };

it('stores the masked form, and takes the form hashed over the ID number as typed for the same request', async () => {
  const { given, prints } = await asResolverGets(typed);
  expect(prints.current).toBe(fingerprintOver({ ...typed, summary: maskIdNumbersInText(typed.summary) }));
  expect(prints.accepted).toContain(fingerprintOver(typed));
  // The value as sent goes nowhere the input is copied, serialised or logged.
  expect(JSON.stringify(given)).not.toContain(applicant);
  expect(JSON.stringify({ ...given })).not.toContain(applicant);
});

it('takes the form of a release that masked prose but kept blank prose as sent', async () => {
  const input = { ...typed, note: '\u200b ' };
  const { prints } = await asResolverGets(input);
  expect(prints.current).toBe(fingerprintOver({ ...input, summary: maskIdNumbersInText(input.summary), note: '' }));
  expect(prints.accepted).toEqual(expect.arrayContaining([fingerprintOver(input), fingerprintOver({ ...input, summary: maskIdNumbersInText(input.summary) })]));
});

it('a request the checks leave as sent has its one form; another request matches no form of this one', async () => {
  const plain = { householdId: '140', summary: '住院，急需救助', idempotencyKey: 'k-1' };
  expect((await asResolverGets(plain)).prints.accepted).toEqual([fingerprintOver(plain)]);
  const other = { ...typed, summary: `申请人 ${makeIdNumber('370883', '1980-02-29', 45)} 住院` };
  const [mine, theirs] = [(await asResolverGets(typed)).prints.accepted, (await asResolverGets(other)).prints.accepted];
  expect(mine.filter((p) => theirs.includes(p))).toEqual([]);
});
