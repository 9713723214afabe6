/**
 * server/query-hash.ts: the hash Apollo is given is SHA-256 exactly as `crypto` computes it, in the
 * one form it remembers (a string in, hex out, asked again and again) and in every other form.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { apolloHash, holdApolloHashModule } from '../server/query-hash';

const sha = (...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p), crypto.createHash('sha256'));

describe('apolloHash', () => {
  it('is Apollo’s createHash once held', () => {
    holdApolloHashModule();
    const createhash = createRequire(require.resolve('@apollo/server'))('@apollo/utils.createhash') as { createHash: unknown };
    expect(createhash.createHash).toBe(apolloHash);
  });

  it('gives crypto’s SHA-256 of a text, asked once or many times, among many texts', () => {
    const texts = Array.from({ length: 600 }, (_, i) => `query Q${i % 300} { household(id: "${i % 300}") { id } } 公民`);
    for (const t of [...texts, ...texts]) expect(apolloHash('sha256').update(t).digest('hex')).toBe(sha(t).digest('hex'));
    const long = 'x'.repeat(40_000);
    expect(apolloHash('sha256').update(long).digest('hex')).toBe(sha(long).digest('hex'));
  });

  it('gives crypto’s hash in every other form', () => {
    expect(apolloHash('sha256').update('a').update('b').digest('hex')).toBe(sha('a', 'b').digest('hex'));
    expect(apolloHash('sha256').update(Buffer.from('a')).update('b').digest('hex')).toBe(sha(Buffer.from('a'), 'b').digest('hex'));
    expect(apolloHash('sha256').update('a').digest('base64')).toBe(sha('a').digest('base64'));
    expect((apolloHash('sha256').update('a').digest() as Buffer).equals(sha('a').digest())).toBe(true);
    expect(apolloHash('sha256').update('61', 'hex').digest('hex')).toBe(sha('a').digest('hex'));
    expect(apolloHash('sha256').digest('hex')).toBe(sha().digest('hex'));
    expect(apolloHash('sha512').update('a').digest('hex')).toBe(crypto.createHash('sha512').update('a').digest('hex'));
  });
});
