/**
 * Apollo hashes every request's query text (SHA-256, for its document cache and the audit row's
 * operation hash) through @apollo/utils.createhash, which calls `module.require('crypto')` on every
 * call. For a built-in module Node resolves that again each time, and under tsx (`npm start` runs
 * the hub through it) each resolution passes through tsx's resolver: about 1% of the hub's CPU
 * on a household query went there. Node's own `crypto`, taken once, gives the same hash.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';

const apolloRequire = createRequire(require.resolve('@apollo/server'));

/** Points Apollo's createHash at `crypto.createHash`, held once. Idempotent. */
export function holdApolloHashModule(): void {
  const createhash = apolloRequire('@apollo/utils.createhash') as { createHash: (kind: string) => crypto.Hash };
  createhash.createHash = (kind: string) => crypto.createHash(kind);
}
