/**
 * Apollo hashes every request's query text (SHA-256, for its document cache and the audit row's
 * operation hash) through @apollo/utils.createhash, which calls `module.require('crypto')` on every
 * call. For a built-in module Node resolves that again each time, and under tsx (`npm start` runs
 * the hub through it) each resolution passes through tsx's resolver: about 1% of the hub's CPU
 * on a household query went there. Node's own `crypto`, taken once, gives the same hash.
 *
 * The hash itself is remembered for the last few hundred texts: a client sends the same few
 * documents again and again, and a household query's kilobyte of text was ~60 k instructions of
 * SHA-256 a request, where finding it in a map (V8 hashes and compares the string) costs a few
 * thousand (docs/performance.md, Session 30). Only the form Apollo uses, one `update` with a string
 * and `digest('hex')`, is looked up; any other use is hashed as `crypto` hashes it.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';

const apolloRequire = createRequire(require.resolve('@apollo/server'));

/** How many texts' hashes are kept, and the longest text kept (in UTF-16 units): a few MB at most. */
const REMEMBERED = 256;
const LONGEST = 16_384;
const remembered = new Map<string, string>();

/** A SHA-256 `Hash` for Apollo: one string in, hex out is answered from `remembered`. */
class RememberingSha256 {
  private text: string | undefined = undefined;
  private hash: crypto.Hash | null = null;

  update(data: crypto.BinaryLike, encoding?: crypto.Encoding): this {
    if (this.hash === null && this.text === undefined && typeof data === 'string' && encoding === undefined) this.text = data;
    else if (encoding === undefined) this.real().update(data);
    else this.real().update(data as string, encoding);
    return this;
  }

  digest(encoding?: crypto.BinaryToTextEncoding): string | Buffer {
    const text = this.text;
    if (this.hash !== null || text === undefined || encoding !== 'hex' || text.length > LONGEST) return encoding === undefined ? this.real().digest() : this.real().digest(encoding);
    let hex = remembered.get(text);
    if (hex === undefined) {
      hex = crypto.createHash('sha256').update(text).digest('hex');
      if (remembered.size >= REMEMBERED) remembered.clear();
      remembered.set(text, hex);
    }
    return hex;
  }

  private real(): crypto.Hash {
    if (this.hash === null) {
      this.hash = crypto.createHash('sha256');
      if (this.text !== undefined) this.hash.update(this.text);
      this.text = undefined;
    }
    return this.hash;
  }
}

/** The hash Apollo asks for: SHA-256 remembered, any other `crypto.createHash`. */
export function apolloHash(kind: string): crypto.Hash {
  return kind === 'sha256' ? (new RememberingSha256() as unknown as crypto.Hash) : crypto.createHash(kind);
}

/** Points Apollo's createHash at `apolloHash`, `crypto` held once. Idempotent. */
export function holdApolloHashModule(): void {
  const createhash = apolloRequire('@apollo/utils.createhash') as { createHash: (kind: string) => crypto.Hash };
  createhash.createHash = apolloHash;
}
